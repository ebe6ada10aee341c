/*
 * lint_values.c -- units compared and table rows never used.  See lint_values.h.
 *
 * Units.  The type checker lets any two numbers be compared (an int is converted to money,
 * money to a number), since `net_income < 2000 * size` and `per_capita < 1.5 * poverty_line`
 * are right.  What it cannot tell is that some of those comparisons mix units: an amount with
 * a percentage (`per_capita < cap`, cap a percent), an amount or a percentage with a whole
 * number the record holds (`per_capita < size`, `incidence < households`), or a percentage
 * with a whole number written as one (`incidence < 3`, which is 300%).  Only these are
 * warned about: a whole number that is computed (`2000 * size`) may well be an amount, and a
 * number (`1.5 * poverty_line`) may be anything.
 *
 * Tables.  A row of a table by year applies from its key up to the next row's; the first
 * also before its key, the last after it.  Rows out of order are an error already (E0428).
 * A gap between two keys is not a mistake: the earlier row applies until the later one,
 * which is how a value that changes only some years is written.  What is certainly a
 * mistake is a row that no record reaches: the table is keyed by a field whose declaration
 * bounds it (`year int between 2014 and 2035`) and the years the row applies to all fall
 * outside those bounds (a row for 2012 above one for 2014, or one for 2040).
 */
#include <inttypes.h>
#include <stdio.h>

#include "cond.h"
#include "decimal.h"
#include "i18n.h"
#include "lint_values.h"

/* ---------------------------------------------------------------- units */

typedef enum {
  U_OTHER,
  U_MONEY,
  U_RATE,
  U_COUNT,
  U_WHOLE_LITERAL
} unit;

static const ast_field *main_field(const chk_program *prog, const ast_expr *e)
{
  if (e->kind != AST_NAME || e->ref != REF_FIELD || !prog->record ||
      e->index >= prog->record->fields.n)
    return NULL;
  return prog->record->fields.items[e->index];
}

/* An int written as 2 or more: as a percentage, 200% or more. */
static bool whole_literal(const ast_expr *e, int64_t *value)
{
  return e->kind == AST_INT && dec_int_parse(e->text, e->text_len, value) == DEC_OK && *value >= 2;
}

static unit unit_of(const ast_expr *e, int64_t *value)
{
  if (e->type.base == TY_MONEY)
    return U_MONEY;
  if (e->type.base == TY_PERCENT)
    return U_RATE;
  if (e->type.base != TY_INT)
    return U_OTHER;
  if (e->kind == AST_NAME && (e->ref == REF_FIELD || e->ref == REF_MEMBER))
    return U_COUNT;
  if (e->kind == AST_CALL && (e->index == BI_COUNT || e->index == BI_LENGTH))
    return U_COUNT;
  return whole_literal(e, value) ? U_WHOLE_LITERAL : U_OTHER;
}

static const char *unit_name(unit u)
{
  switch (u) {
  /* TRANSLATORS: what the sides of a comparison are, in W0014 ("%s is compared with %s") */
  case U_MONEY: return _("an amount of money");
  case U_RATE: return _("a percentage");
  default: return _("a whole number");
  }
}

/* Amounts, percentages and counts with one another; a written whole number only with a
 * percentage (with an amount or a count it is an amount or a count). */
static bool mixed(unit a, unit b)
{
  if (a == U_OTHER || b == U_OTHER || a == b)
    return false;
  if (a == U_WHOLE_LITERAL || b == U_WHOLE_LITERAL)
    return a == U_RATE || b == U_RATE;
  return true;
}

/* A note at the declaration of a side that is a name. */
static void note_declaration(const chk_program *prog, diag_list *diags, int idx, const ast_expr *e)
{
  const ast_field *f = main_field(prog, e);
  if (f)
    diag_add_note(diags, idx, f->loc, "'%s' is declared here", f->name);
  else if (e->kind == AST_NAME && e->decl)
    diag_add_note(diags, idx, ((const ast_decl *)e->decl)->name_loc, "'%s' is declared here",
                  e->text);
}

static void compare_units(const chk_program *prog, diag_list *diags, const ast_expr *at,
                          const ast_expr *x, const ast_expr *y)
{
  int64_t vx = 0, vy = 0;
  unit ux = unit_of(x, &vx), uy = unit_of(y, &vy);
  if (!mixed(ux, uy))
    return;
  int idx = diag_add(diags, DIAG_W_UNIT_MISMATCH, at->loc, unit_name(ux), unit_name(uy));
  int64_t written = ux == U_WHOLE_LITERAL ? vx : vy;
  if ((ux == U_WHOLE_LITERAL || uy == U_WHOLE_LITERAL) && written <= INT64_MAX / 100)
    diag_add_help(diags, idx,
                  "%" PRId64 " compared with a percentage is %" PRId64 "%%: write %" PRId64
                  "%% if that many percent is meant",
                  written, written * 100, written);
  note_declaration(prog, diags, idx, x);
  note_declaration(prog, diags, idx, y);
}

void lint_units(const chk_program *prog, diag_list *diags, const ast_expr *e)
{
  if (!e)
    return;
  if (e->kind == AST_BINARY && e->op >= OPR_EQ && e->op <= OPR_GE)
    compare_units(prog, diags, e, e->a, e->b);
  if (e->kind == AST_IN && e->b && e->b->kind == AST_SET)
    for (uint32_t i = 0; i < e->b->list.n; i++) {
      int64_t v;
      const ast_expr *k = e->b->list.items[i];
      if (unit_of(k, &v) == U_WHOLE_LITERAL) {
        compare_units(prog, diags, e, e->a, k);
        break;
      }
    }
  lint_units(prog, diags, e->a);
  lint_units(prog, diags, e->b);
  lint_units(prog, diags, e->c);
  for (uint32_t i = 0; i < e->list.n; i++)
    lint_units(prog, diags, e->list.items[i]);
}

/* ---------------------------------------------------------------- tables */

/* The key of an ordered table's row as a whole number (a year, or a date in days). */
static bool row_key(const ast_table_row *r, ty_base type, int64_t *out)
{
  chk_value v;
  const char *why;
  if (r->keys.n != 1 || !chk_literal(r->keys.items[0], type, &v, &why))
    return false;
  *out = v.i;
  return true;
}

/* The bounds of the table's key, when it is a field whose declaration bounds it. */
static const ast_field *key_bounds(const chk_program *prog, const ast_table *t, ty_base *type,
                                   cond_range *range)
{
  const ast_field *f = t->by ? main_field(prog, t->by) : NULL;
  if (!f)
    return NULL;
  *type = ty_from_name(f->type_name);
  if ((*type != TY_INT && *type != TY_DATE) || !cond_field_range(f, range))
    return NULL;
  if ((range->has_lo && range->lo.den != 1) || (range->has_hi && range->hi.den != 1))
    return NULL;
  return f;
}

/* Whether a row applies to some key in the range: it applies from `key` (or from below, the
 * first row) up to `next`, which it does not reach (or upwards, the last row). */
static bool row_reached(int64_t key, bool first, int64_t next, bool last, const cond_range *range)
{
  if (range->has_hi && !first && key > range->hi.num)
    return false;
  if (range->has_lo && !last && next <= range->lo.num)
    return false;
  return true;
}

static void unused_rows(const chk_program *prog, diag_list *diags, const ast_decl *d,
                        const ast_table *t)
{
  ty_base type;
  cond_range range;
  const ast_field *f = key_bounds(prog, t, &type, &range);
  uint32_t n = t->rows.n;
  if (!f || n < 2)
    return;
  for (uint32_t i = 0; i < n; i++) {
    int64_t key, next = 0;
    const ast_table_row *r = t->rows.items[i];
    bool last = i + 1 == n;
    if (!row_key(r, type, &key) || (!last && !row_key(t->rows.items[i + 1], type, &next)))
      return;
    if (row_reached(key, i == 0, next, last, &range))
      continue;
    int idx = diag_add(diags, DIAG_W_TABLE_ROW_UNUSED, r->loc, d->name);
    diag_add_note(diags, idx, f->loc, "the values '%s' can take are declared here", f->name);
  }
}

static void table_rows(const chk_program *prog, diag_list *diags, const ast_decl *d,
                       const ast_table *t)
{
  unused_rows(prog, diags, d, t);
  /* nested tables are as deep as the parser let them be, as in check_table */
  for (uint32_t i = 0; i < t->rows.n; i++) {
    const ast_table_row *r = t->rows.items[i];
    if (r->nested)
      table_rows(prog, diags, d, r->nested);
  }
}

void lint_table(const chk_program *prog, diag_list *diags, const ast_decl *param)
{
  if (param->table)
    table_rows(prog, diags, param, param->table);
}
