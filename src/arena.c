/*
 * arena.c -- blocks of at least 64 KiB, bump-allocated and freed together.  See arena.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "arena.h"

typedef struct block {
  struct block *next;
  size_t used, size;
  max_align_t data[];
} block;

struct mem_arena {
  block *head;
  jmp_buf *fail; /* where a failed allocation jumps, or NULL: it returns NULL */
};

mem_arena *arena_new(void)
{
  return mem_calloc(1, sizeof(mem_arena));
}

void arena_free(mem_arena *a)
{
  if (!a)
    return;
  for (block *b = a->head, *next; b; b = next) {
    next = b->next;
    mem_free(b);
  }
  mem_free(a);
}

void *arena_alloc(mem_arena *a, size_t size)
{
  size_t align = sizeof(max_align_t);
  if (size > SIZE_MAX - align - sizeof(block)) {
    if (a->fail)
      longjmp(*a->fail, 1);
    return NULL;
  }
  size = (size + align - 1) / align * align;
  if (!a->head || a->head->size - a->head->used < size) {
    size_t cap = size > 65536 ? size : 65536;
    block *b = mem_alloc(sizeof *b + cap);
    if (!b) {
      if (a->fail)
        longjmp(*a->fail, 1);
      return NULL;
    }
    b->next = a->head;
    b->used = 0;
    b->size = cap;
    a->head = b;
  }
  void *p = (char *)a->head->data + a->head->used;
  a->head->used += size;
  memset(p, 0, size);
  return p;
}

void arena_adopt(mem_arena *into, mem_arena *from)
{
  if (!from->head)
    return;
  if (!into->head) {
    into->head = from->head;
  } else {
    /* behind into's head, which keeps serving allocations */
    block *tail = from->head;
    while (tail->next)
      tail = tail->next;
    tail->next = into->head->next;
    into->head->next = from->head;
  }
  from->head = NULL;
}

void arena_set_fail(mem_arena *a, jmp_buf *fail)
{
  a->fail = fail;
}

char *arena_strdup(mem_arena *a, const char *s, size_t n)
{
  char *d = arena_alloc(a, n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}
