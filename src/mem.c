/*
 * mem.c -- the allocation hook.  See mem.h and elig_set_allocator in elig.h.
 *
 * The hook is process-wide, set once before any other call (as sqlite3_config is): a rule
 * set, its contexts and the strings the library hands out are then all freed by the same
 * functions that allocated them, elig_free included.  It is the one piece of global state;
 * it is read, never written, while the library is in use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define ELIG_BUILDING 1
#include "elig.h"

#include "mem.h"

static void *libc_malloc(void *ud, size_t size)
{
  (void)ud;
  return malloc(size);
}

static void *libc_realloc(void *ud, void *p, size_t size)
{
  (void)ud;
  return realloc(p, size);
}

static void libc_free(void *ud, void *p)
{
  (void)ud;
  free(p);
}

static elig_allocator hook = {libc_malloc, libc_realloc, libc_free, NULL};

/* No two blocks of the library share a cache line: each block starts PAD bytes into its
 * allocation, so the end of the block before it in the heap is at least a line away.  A
 * batch runs a thread a core, each writing its own registers, parser and tables on every
 * record while reading the shared program; when such a block shared a line with the
 * program, each write took the line away from the other core, and `-j2` on the national
 * register spent 11% more CPU than it needed (false sharing; PCRE2's JIT function table
 * was the worst hit).  It costs 64 bytes a block, and the library holds a few hundred.
 * The read buffers (mem_buffer_realloc) are the exception: a megabyte each, they share at
 * most their first and last lines, and the kernel copied into them 5 times slower when
 * they started 64 bytes into their allocation.
 *
 * AddressSanitizer keeps blocks apart with its own redzones, and the offset would only hide
 * underflows from it, so a sanitizer build does without. */
#if defined(__SANITIZE_ADDRESS__)
#define PAD 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAD 0
#endif
#endif
#ifndef PAD
#define PAD 64
#endif

elig_status elig_set_allocator(const elig_allocator *a)
{
  if (!a) {
    hook = (elig_allocator){libc_malloc, libc_realloc, libc_free, NULL};
    return ELIG_OK;
  }
  if (!a->malloc || !a->realloc || !a->free)
    return ELIG_EINVAL;
  hook = *a;
  return ELIG_OK;
}

void *mem_alloc(size_t size)
{
  if (size > SIZE_MAX - PAD - 1)
    return NULL;
  char *p = hook.malloc(hook.ud, (size ? size : 1) + PAD);
  return p ? p + PAD : NULL;
}

void *mem_calloc(size_t n, size_t size)
{
  if (size && n > SIZE_MAX / size)
    return NULL;
  size_t total = n * size;
  void *p = mem_alloc(total);
  if (p)
    memset(p, 0, total ? total : 1);
  return p;
}

void *mem_realloc(void *p, size_t size)
{
  if (size > SIZE_MAX - PAD - 1)
    return NULL;
  char *q = hook.realloc(hook.ud, p ? (char *)p - PAD : NULL, (size ? size : 1) + PAD);
  return q ? q + PAD : NULL;
}

void mem_free(void *p)
{
  if (p)
    hook.free(hook.ud, (char *)p - PAD);
}

void *mem_buffer_realloc(void *p, size_t size)
{
  return hook.realloc(hook.ud, p, size ? size : 1);
}

void mem_buffer_free(void *p)
{
  if (p)
    hook.free(hook.ud, p);
}

char *mem_strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = mem_alloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

void *mem_pcre2_alloc(size_t size, void *unused)
{
  (void)unused;
  return mem_alloc(size);
}

void mem_pcre2_free(void *p, void *unused)
{
  (void)unused;
  mem_free(p);
}
