/*
 * arena.h -- memory allocated in blocks and freed in one call.
 *
 * Place in the pipeline: under everything that builds a long-lived structure from many small
 * pieces.  The parser allocates the syntax tree from an arena; the compiled program takes
 * the arena over, because its names, reasons and text constants are the tree's strings, so
 * that nothing is copied and one call frees a compilation (PostgreSQL's memory contexts,
 * jq's whole-block free).
 */
#ifndef ELIG_ARENA_H
#define ELIG_ARENA_H

#include <setjmp.h>
#include <stddef.h>

typedef struct mem_arena mem_arena;

/* An empty arena, or NULL when out of memory. */
mem_arena *arena_new(void);

/* Frees the arena and everything allocated from it.  NULL is fine. */
void arena_free(mem_arena *a);

/* `size` bytes of zeroed memory aligned for any type, valid until arena_free; NULL when out
 * of memory, or a jump to the arena's failure point when one is set. */
void *arena_alloc(mem_arena *a, size_t size);

/* Moves every block of `from` into `into`: what was allocated from either now lives until
 * arena_free(into).  `from` is left empty and usable. */
void arena_adopt(mem_arena *into, mem_arena *from);

/* From now on, an allocation that fails jumps to `fail` (longjmp(*fail, 1)) instead of
 * returning NULL; NULL sets it back.  The parser sets it while it builds a tree: its
 * grammar actions can then assume every node they make exists, and running out of memory
 * leaves through one door (parse.c), where everything is freed. */
void arena_set_fail(mem_arena *a, jmp_buf *fail);

/* A NUL-terminated copy of [s, s + n) in the arena; NULL when out of memory. */
char *arena_strdup(mem_arena *a, const char *s, size_t n);

#endif
