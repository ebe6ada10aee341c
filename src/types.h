/*
 * types.h -- the types of the rules language, shared by the checker, compiler and VM.
 *
 * A type is a small value: a base kind, whether the value may be absent ("none"), and for
 * sets and lists what they hold.  Percent is a number that prints as a percentage.
 */
#ifndef ELIG_TYPES_H
#define ELIG_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  TY_ERROR, /* an expression that already produced a diagnostic; absorbs further errors */
  TY_NONE,  /* the literal none */
  TY_BOOL,
  TY_INT,
  TY_MONEY,   /* int64 fen */
  TY_NUMBER,  /* exact rational */
  TY_PERCENT, /* exact rational, printed x 100 with '%' */
  TY_TEXT,    /* UTF-8 */
  TY_DATE,    /* days since 1970-01-01 */
  TY_REGEX,   /* only as the right side of matches */
  TY_SET,     /* literal set; elem says of what */
  TY_LIST,    /* list of records; record says which */
} ty_base;

typedef struct {
  uint8_t base;    /* ty_base */
  uint8_t elem;    /* for TY_SET: the element base */
  bool opt;        /* may be none */
  uint16_t record; /* for TY_LIST: the element record number */
} ty_type;

static inline ty_type ty_make(ty_base b)
{
  ty_type t = {(uint8_t)b, 0, false, 0};
  return t;
}

/* A short lower-case name, "money" or "optional int", written into buf (>= 48 bytes). */
const char *ty_name(ty_type t, char *buf, unsigned size);
/* The base type's name alone. */
const char *ty_base_name(ty_base b);
/* Looks a type name up ("money", ...); TY_ERROR when unknown. */
ty_base ty_from_name(const char *name);
/* int, money, number, percent. */
bool ty_is_numeric(ty_base b);

#endif
