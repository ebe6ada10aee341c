/*
 * names.c -- open-addressing hash index from names to pointers.  See names.h.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "names.h"

static uint32_t hash(const char *s)
{
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h ^ (h >> 15);
}

void names_init(names_index *ix)
{
  memset(ix, 0, sizeof *ix);
}

void names_fini(names_index *ix)
{
  mem_free(ix->slots);
  memset(ix, 0, sizeof *ix);
}

static names_slot *find(const names_index *ix, const char *name)
{
  uint32_t j = hash(name) & (ix->cap - 1);
  for (; ix->slots[j].name; j = (j + 1) & (ix->cap - 1))
    if (strcmp(ix->slots[j].name, name) == 0)
      break;
  return &ix->slots[j];
}

static bool grow(names_index *ix)
{
  names_index bigger = {NULL, ix->cap ? ix->cap * 2 : 64, 0};
  bigger.slots = mem_calloc(bigger.cap, sizeof *bigger.slots);
  if (!bigger.slots)
    return false;
  for (uint32_t i = 0; i < ix->cap; i++)
    if (ix->slots[i].name) {
      *find(&bigger, ix->slots[i].name) = ix->slots[i];
      bigger.n++;
    }
  mem_free(ix->slots);
  *ix = bigger;
  return true;
}

bool names_put(names_index *ix, const char *name, void *value)
{
  if ((ix->n + 1) * 2 > ix->cap && !grow(ix))
    return false;
  names_slot *s = find(ix, name);
  if (!s->name) {
    s->name = name;
    ix->n++;
  }
  s->value = value;
  return true;
}

void *names_get(const names_index *ix, const char *name)
{
  if (!ix->cap)
    return NULL;
  return find(ix, name)->value;
}
