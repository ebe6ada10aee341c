/*
 * mem.h -- every allocation of the library, through one hook.
 *
 * Place in the pipeline: under everything.  By default these are the C library's functions;
 * elig_set_allocator (elig.h) routes them elsewhere (a service's pools, PostgreSQL's memory
 * contexts, or a test allocator that fails the Nth allocation to prove that every path out
 * of memory is clean, as SQLite's fault simulation does).  PCRE2's, flex's and bison's
 * allocations come here too.  The command line's own allocations (option parsing, output
 * files) do not: it is a program of the library, not part of it.
 */
#ifndef ELIG_MEM_H
#define ELIG_MEM_H

#include <stddef.h>

/* As malloc, calloc, realloc, free and strdup, through the installed allocator.  A size of 0
 * is given one byte, so that NULL always means out of memory.  mem_free accepts NULL, and
 * only blocks of these functions: each starts a cache line into its allocation (mem.c). */
void *mem_alloc(size_t size);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);
char *mem_strdup(const char *s);

/* The buffers a register is read into (input.c): as mem_realloc and mem_free but without
 * the offset kept for other blocks (mem.c).  Never handed out, and freed only
 * with mem_buffer_free. */
void *mem_buffer_realloc(void *p, size_t size);
void mem_buffer_free(void *p);

/* PCRE2's memory functions (its general context takes this shape). */
void *mem_pcre2_alloc(size_t size, void *unused);
void mem_pcre2_free(void *p, void *unused);

#endif
