/*
 * names.h -- a hash index from names to things, for the resolver's scopes (resolve.c).
 *
 * Rule files may hold tens of thousands of declarations (the size limit allows it), and
 * every name is looked up where it is used: a linear search per use would make checking
 * quadratic in the size of the file.
 */
#ifndef ELIG_NAMES_H
#define ELIG_NAMES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
  const char *name; /* not owned: names live in the syntax tree's arena */
  void *value;
} names_slot;

typedef struct names_index {
  names_slot *slots;
  uint32_t cap; /* a power of two, or 0 */
  uint32_t n;
} names_index;

/* An empty index (no allocation until the first insert). */
void names_init(names_index *ix);
void names_fini(names_index *ix);

/* Maps name to value, replacing an earlier value.  False when out of memory. */
bool names_put(names_index *ix, const char *name, void *value);

/* The value for name, or NULL. */
void *names_get(const names_index *ix, const char *name);

#endif
