/*
 * builtins.h -- the functions of the rules language (builtins.def), by number and by name.
 *
 * Place in the pipeline: shared by the checker (which resolves a call's name to a number),
 * the compiler and the VM (which dispatch on the number).  Nothing here is mutable.
 */
#ifndef ELIG_BUILTINS_H
#define ELIG_BUILTINS_H

#include <stdint.h>

typedef enum {
#define BUILTIN(id, name, min, max, kind, doc) BI_##id,
#include "builtins.def"
#undef BUILTIN
  BI__COUNT
} builtin_id;

/* How a call is compiled (builtins.def's KIND column). */
typedef enum {
  BUILTIN_CALL,
  BUILTIN_INLINE,
  BUILTIN_HISTORY,
  BUILTIN_AGGREGATION
} builtin_kind;

typedef struct {
  const char *name;
  builtin_id id;
  uint8_t min_args, max_args;
  builtin_kind kind;
  const char *doc; /* "round(x, places, mode): x rounded to places decimals" */
} builtin_info;

/* The function called `name`, or NULL when there is none. */
const builtin_info *builtin_find(const char *name);

/* The function numbered id (< BI__COUNT). */
const builtin_info *builtin_get(builtin_id id);

#endif
