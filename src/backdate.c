/*
 * backdate.c -- W0020: an `override param` table by year that starts later than the table it
 * replaces.
 *
 * In a table by year the first row also applies to every year before it.  A province that
 * means to add 2026 and writes `override param monitor_line money by year { 2026: 7500 }`
 * has written a table whose first row is 2026, so 7500 now applies to 2020-2025 as well,
 * where the national table gave 6000 to 7200: results of past years change, silently.  The
 * warning says which years now take which value, points at the replaced table's first row,
 * and names `extend param`, which adds or changes rows and keeps the others.
 *
 * Pipeline: check.c calls chk_warn_backdating for each parameter once parameters are typed;
 * ast_decl.replaces (set by the resolver) is the declaration the override replaced, whose
 * rows are read here as literals of the override's type.  Nothing is reported unless some
 * year before the new first row really changes value.
 */
#include <stdio.h>
#include <string.h>

#include "backdate.h"
#include "i18n.h"
#include "check.h"
#include "date.h"
#include "decimal.h"

/* The year of a row that has one key, an int, and a written value (not a nested table). */
static bool row_year(const ast_table_row *row, int64_t *year)
{
  chk_value v;
  const char *why;
  if (row->keys.n != 1 || row->nested || !row->value ||
      !chk_literal(row->keys.items[0], TY_INT, &v, &why))
    return false;
  *year = v.i;
  return true;
}

static bool row_value(const ast_table_row *row, ty_base type, chk_value *v)
{
  const char *why;
  return chk_literal(row->value, type, v, &why);
}

/* a < b (-1), a = b (0) or a > b (1), for values of one type; texts by their bytes. */
static int compare(ty_base type, const chk_value *a, const chk_value *b)
{
  switch (type) {
  case TY_NUMBER:
  case TY_PERCENT: return dec_num_cmp(a->n, b->n);
  case TY_TEXT: {
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c ? (c < 0 ? -1 : 1) : (a->len > b->len) - (a->len < b->len);
  }
  default: return (a->i > b->i) - (a->i < b->i);
  }
}

/* A value as results show it: 7500.00, 3.00%, "text", 2021-01-01. */
static void format_value(ty_base type, const chk_value *v, char *buf, size_t size)
{
  char num[DEC_FMT_MAX];
  switch (type) {
  case TY_MONEY: dec_money_format(v->i, num); break;
  case TY_NUMBER: dec_num_format_exact(v->n, DEC_MAX_PLACES, num); break;
  case TY_PERCENT: dec_num_format_percent(v->n, 2, DEC_HALF_AWAY, num); break;
  case TY_DATE: date_format((int32_t)v->i, num); break;
  case TY_BOOL: snprintf(num, sizeof num, "%s", v->i ? "true" : "false"); break;
  case TY_TEXT: snprintf(buf, size, "\"%.*s\"", (int)v->len, v->s); return;
  default: snprintf(num, sizeof num, "%lld", (long long)v->i); break;
  }
  snprintf(buf, size, "%s", num);
}

/* What the replaced table gave the years before the new first row: its rows there. */
typedef struct {
  int64_t from;            /* the year of its first row */
  uint32_t rows;           /* how many rows are before the new first row */
  chk_value low, high;     /* the least and greatest value (numbers), else first and last */
  bool differs, changes;   /* not all one value; one of them is not the new first value */
  const ast_table_row *at; /* its first row */
} replaced_years;

/* Reads the rows of `old` before year `first`; false when a row is not a year and a value of
 * the type (nothing is said then: the table is not one this warning is about). */
static bool read_replaced(const ast_table *old, int64_t first, ty_base type,
                          const chk_value *first_value, replaced_years *out)
{
  bool ordered = type == TY_INT || type == TY_MONEY || type == TY_NUMBER || type == TY_PERCENT;
  memset(out, 0, sizeof *out);
  for (uint32_t i = 0; i < old->rows.n; i++) {
    const ast_table_row *row = old->rows.items[i];
    int64_t year;
    chk_value v;
    if (!row_year(row, &year) || !row_value(row, type, &v))
      return false;
    if (year >= first)
      break;
    if (out->rows++ == 0) {
      out->from = year;
      out->at = row;
      out->low = out->high = v;
    }
    out->differs |= compare(type, &v, &out->low) != 0 || compare(type, &v, &out->high) != 0;
    out->changes |= compare(type, &v, first_value) != 0;
    if (!ordered)
      out->high = v;
    else if (compare(type, &v, &out->low) < 0)
      out->low = v;
    else if (compare(type, &v, &out->high) > 0)
      out->high = v;
  }
  return true;
}

void chk_warn_backdating(diag_list *diags, const ast_decl *d)
{
  const ast_decl *old = d->replaces;
  if (!d->is_override || !old || !old->table || !old->table->by || !d->table || !d->table->by ||
      d->type.base == TY_ERROR || d->table->by->type.base != TY_INT || d->table->rows.n == 0)
    return;
  ty_base type = (ty_base)d->type.base;
  const ast_table_row *first_row = d->table->rows.items[0];
  int64_t first;
  chk_value first_value;
  replaced_years before;
  if (!row_year(first_row, &first) || !row_value(first_row, type, &first_value) ||
      !read_replaced(old->table, first, type, &first_value, &before) || !before.changes)
    return;
  char upto[24], year[24], years[56], value[80], low[80], high[80], was[170];
  snprintf(upto, sizeof upto, "%lld", (long long)(first - 1));
  snprintf(year, sizeof year, "%lld", (long long)first);
  if (before.from == first - 1)
    snprintf(years, sizeof years, "%s", upto);
  else
    snprintf(years, sizeof years, "%lld\xE2\x80\x93%s", (long long)before.from, upto); /* en dash */
  format_value(type, &first_value, value, sizeof value);
  format_value(type, &before.low, low, sizeof low);
  format_value(type, &before.high, high, sizeof high);
  if (before.differs)
    /* TRANSLATORS: a range of values a table took over some years: "6000.00 to 7200.00" */
    snprintf(was, sizeof was, _("%s to %s"), low, high);
  else
    snprintf(was, sizeof was, "%s", low);
  int idx = diag_add(diags, DIAG_W_BACKDATED, first_row->loc, upto, value, year, years, was);
  diag_add_note(diags, idx, before.at->loc, "the table it replaces starts in %lld",
                (long long)before.from);
  diag_add_help(diags, idx,
                "a table's first row also applies to every year before it: to change only the "
                "years written, use 'extend param %s { ... }'",
                d->name);
}
