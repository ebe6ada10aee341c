/*
 * builtins.c -- the table of builtins.def.  See builtins.h.
 */
#include <string.h>

#include "builtins.h"

static const builtin_info table[] = {
#define BUILTIN(id, name, min, max, kind, doc) {name, BI_##id, min, max, BUILTIN_##kind, doc},
#include "builtins.def"
#undef BUILTIN
};

const builtin_info *builtin_find(const char *name)
{
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

const builtin_info *builtin_get(builtin_id id)
{
  return &table[id];
}
