/*
 * pg_alloc.c -- the library's memory, in PostgreSQL's memory contexts (pg_elig.h).
 *
 * Every allocation of the library (rule sets, evaluation contexts, results) goes to one
 * context of its own, "elig", under TopMemoryContext: pg_backend_memory_contexts shows what
 * it holds, and what a query keeps (a context, a rule set in use) is freed when the query's
 * memory is (pg_functions.c registers that).  The library wants malloc's contract: NULL
 * when out of memory, never an error, since a PostgreSQL error would jump over its frames;
 * so allocations ask for MCXT_ALLOC_NO_OOM.  PostgreSQL 15 has no such realloc, so each block
 * carries its size in a header and realloc is a new block and a copy.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/memutils.h"

#include "pg_elig.h"

PG_MODULE_MAGIC;

MemoryContext pgelig_memory = NULL;

/* A block's header: its size, and padding to keep what follows aligned to the maximum. */
typedef union {
  size_t size;
  max_align_t align;
} block_header;

static void *lib_malloc(void *ud, size_t size)
{
  (void)ud;
  block_header *h = MemoryContextAllocExtended(pgelig_memory, sizeof *h + size,
                                               MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
  if (!h)
    return NULL;
  h->size = size;
  return h + 1;
}

static void lib_free(void *ud, void *p)
{
  (void)ud;
  if (p)
    pfree((block_header *)p - 1);
}

static void *lib_realloc(void *ud, void *p, size_t size)
{
  if (!p)
    return lib_malloc(ud, size);
  void *q = lib_malloc(ud, size);
  if (!q)
    return NULL; /* the old block stays, as realloc's does */
  size_t old = ((block_header *)p - 1)->size;
  memcpy(q, p, old < size ? old : size);
  lib_free(ud, p);
  return q;
}

void _PG_init(void);

void _PG_init(void)
{
  pgelig_memory = AllocSetContextCreate(TopMemoryContext, "elig", ALLOCSET_DEFAULT_SIZES);
  elig_allocator a = {.malloc = lib_malloc, .realloc = lib_realloc, .free = lib_free};
  if (elig_set_allocator(&a) != ELIG_OK)
    elog(ERROR, "elig: the library refused its allocator");
}
