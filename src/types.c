/*
 * types.c -- names of the rules language's types, for diagnostics and dumps.
 */
#include <stdio.h>
#include <string.h>

#include "types.h"

static const char *const base_names[] = {
    [TY_ERROR] = "error", [TY_NONE] = "none",     [TY_BOOL] = "bool",       [TY_INT] = "int",
    [TY_MONEY] = "money", [TY_NUMBER] = "number", [TY_PERCENT] = "percent", [TY_TEXT] = "text",
    [TY_DATE] = "date",   [TY_REGEX] = "regex",   [TY_SET] = "set",         [TY_LIST] = "list",
};

const char *ty_base_name(ty_base b)
{
  return b <= TY_LIST ? base_names[b] : "?";
}

const char *ty_name(ty_type t, char *buf, unsigned size)
{
  const char *opt = t.opt ? "optional " : "";
  if (t.base == TY_SET)
    snprintf(buf, size, "%sset of %s", opt, ty_base_name(t.elem));
  else if (t.base == TY_LIST)
    snprintf(buf, size, "%slist", opt);
  else
    snprintf(buf, size, "%s%s", opt, ty_base_name(t.base));
  return buf;
}

ty_base ty_from_name(const char *name)
{
  for (unsigned b = TY_BOOL; b <= TY_DATE; b++)
    if (strcmp(name, base_names[b]) == 0)
      return (ty_base)b;
  return TY_ERROR;
}

bool ty_is_numeric(ty_base b)
{
  return b == TY_INT || b == TY_MONEY || b == TY_NUMBER || b == TY_PERCENT;
}
