/*
 * diff_params.c -- the years whose parameters differ between the two rule sets of `elig
 * diff`, so that a diff over a register holding none of them can say why it shows no change
 * from them.
 *
 * A parameter is per year when it is a table of single rows keyed by an int field of the
 * record (`param poverty_line money by year { 2019: 3218  2020: 4000 }`): the row of the
 * last key not after the record's year applies, the first row also before its key.  Two
 * such tables differ in the spans of years where their rows give different values, which
 * the union of both tables' keys cuts into pieces.  A parameter of any other form (a
 * constant, a table by place, nested tables) that differs differs for every record, and
 * then nothing is said: the warning is only given when it is true.  Parameters only one
 * rule set has are left out: what reads them is a rule that changed too.
 */
#include <stdlib.h>
#include <string.h>

#include "diff_data.h"
#include "i18n.h"
#include "mem.h"

/* The value of row `at` of table t. */
static const vm_val *row_value(const elig_program *P, const prog_table *t, uint32_t at)
{
  for (uint32_t i = 0; i < P->nconsts; i++)
    if (P->const_regs[i] == t->regs[at])
      return &P->consts[i];
  return NULL; /* not reached: every row is a constant */
}

/* The value table t gives a record of year y. */
static const vm_val *table_at(const elig_program *P, const prog_table *t, int64_t y)
{
  uint32_t at = 0;
  while (at + 1 < t->n && t->keys[at + 1] <= y)
    at++;
  return row_value(P, t, at);
}

static bool same_value(ty_type t, const vm_val *a, const vm_val *b)
{
  if (!a || !b || a->none || b->none)
    return a && b && a->none == b->none;
  if (t.base == TY_TEXT)
    return a->u.s.len == b->u.s.len && memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
  if (t.base == TY_NUMBER || t.base == TY_PERCENT)
    return dec_num_cmp(a->u.n, b->u.n) == 0;
  return a->u.i == b->u.i;
}

static bool add_span(param_years *y, int64_t lo, int64_t hi)
{
  year_span *s = mem_realloc(y->spans, (y->n + 1) * sizeof *s);
  if (!s)
    return false;
  y->spans = s;
  y->spans[y->n++] = (year_span){lo, hi};
  return true;
}

/* The keys of both tables, ascending, without repeats, into keys; their number. */
static uint32_t breakpoints(const prog_table *a, const prog_table *b, int64_t *keys)
{
  uint32_t n = 0, i = 0, j = 0;
  while (i < a->n || j < b->n) {
    int64_t k = j == b->n || (i < a->n && a->keys[i] < b->keys[j]) ? a->keys[i++] : b->keys[j++];
    if (!n || keys[n - 1] != k)
      keys[n++] = k;
  }
  return n;
}

/* The spans of years where two year tables of the same parameter give different values. */
static bool differing_years(param_years *y, const elig_program *const P[2],
                            const prog_param *const p[2])
{
  const prog_table *t[2] = {&P[0]->tables[p[0]->table], &P[1]->tables[p[1]->table]};
  int64_t *keys = mem_alloc((t[0]->n + t[1]->n + 1) * sizeof *keys);
  if (!keys)
    return false;
  uint32_t n = breakpoints(t[0], t[1], keys);
  bool ok = true;
  /* piece i runs from keys[i - 1] to keys[i] - 1; piece 0 is before the first key */
  for (uint32_t i = 0; n && i <= n && ok; i++) {
    int64_t lo = i ? keys[i - 1] : INT64_MIN, hi = i < n ? keys[i] - 1 : INT64_MAX;
    int64_t at = i ? lo : keys[0] - 1;
    if (same_value(p[0]->type, table_at(P[0], t[0], at), table_at(P[1], t[1], at)))
      continue;
    if (y->n && y->spans[y->n - 1].hi != INT64_MAX && y->spans[y->n - 1].hi + 1 == lo)
      y->spans[y->n - 1].hi = hi; /* one span with the piece before */
    else
      ok = add_span(y, lo, hi);
  }
  mem_free(keys);
  return ok;
}

/* The name of parameter p's year field. */
static const char *year_field(const elig_program *P, const prog_param *p)
{
  return prog_main_record(P)->fields[p->by_field].name;
}

static int span_order(const void *x, const void *y)
{
  const year_span *a = x, *b = y;
  return a->lo < b->lo ? -1 : a->lo > b->lo;
}

bool param_years_init(param_years *y, const elig_program *O, const elig_program *N)
{
  const elig_program *P[2] = {O, N};
  memset(y, 0, sizeof *y);
  y->field[0] = y->field[1] = PROG_NONE;
  for (uint32_t i = 0; i < O->nparams && !y->everywhere; i++) {
    const prog_param *p[2] = {&O->params[i], NULL};
    for (uint32_t j = 0; j < N->nparams && !p[1]; j++)
      if (strcmp(N->params[j].name, p[0]->name) == 0)
        p[1] = &N->params[j];
    if (!p[1] || strcmp(p[0]->text, p[1]->text) == 0)
      continue;
    bool by_year = p[0]->by_field != PROG_NONE && p[1]->by_field != PROG_NONE &&
                   strcmp(year_field(O, p[0]), year_field(N, p[1])) == 0 &&
                   p[0]->type.base == p[1]->type.base;
    /* every year table must be by the same field: the warning reads one field */
    if (by_year && y->field[0] != PROG_NONE)
      by_year = strcmp(year_field(O, p[0]), prog_main_record(O)->fields[y->field[0]].name) == 0;
    if (!by_year) {
      y->everywhere = true;
      break;
    }
    y->field[0] = p[0]->by_field;
    y->field[1] = p[1]->by_field;
    if (!differing_years(y, P, p))
      return false;
  }
  if (y->n > 1) /* no spans: no array at all, and qsort's first argument may not be NULL */
    qsort(y->spans, y->n, sizeof *y->spans, span_order);
  return true;
}

void param_years_fini(param_years *y)
{
  mem_free(y->spans);
  memset(y, 0, sizeof *y);
}

void param_years_note(param_years *y, int k, const vm_ctx *ctx)
{
  const vm_val *v = vm_field_value(ctx, y->field[k]);
  if (v->none)
    return;
  for (uint32_t i = 0; i < y->n && !y->seen; i++)
    y->seen = y->spans[i].lo <= v->u.i && v->u.i <= y->spans[i].hi;
}

/* "2019", "2021-2023", "2022 and later", "2013 and earlier" */
static void span_text(wbuf *b, const year_span *s)
{
  if (s->lo == INT64_MIN && s->hi == INT64_MAX)
    /* TRANSLATORS: in the list of years whose parameters differ: every year. */
    wbuf_puts(b, _("every year"));
  else if (s->lo == INT64_MIN)
    /* TRANSLATORS: in the list of years whose parameters differ: %lld and the years before. */
    wbuf_printf(b, _("%lld and earlier"), (long long)s->hi);
  else if (s->hi == INT64_MAX)
    /* TRANSLATORS: in the list of years whose parameters differ: %lld and the years after. */
    wbuf_printf(b, _("%lld and later"), (long long)s->lo);
  else if (s->lo == s->hi)
    wbuf_printf(b, "%lld", (long long)s->lo);
  else
    wbuf_printf(b, "%lld-%lld", (long long)s->lo, (long long)s->hi);
}

void param_years_warn(const param_years *y, wbuf *log, const char *old_name, const char *new_name)
{
  if (!y->n || y->everywhere || y->seen)
    return;
  wbuf years = {0};
  for (uint32_t i = 0; i < y->n; i++) {
    if (i)
      wbuf_puts(&years, ", ");
    span_text(&years, &y->spans[i]);
  }
  wbuf_puts(log, "elig: ");
  wbuf_printf(log,
              /* TRANSLATORS: `elig diff` read no record of a year whose parameters (poverty
               * line, ...) differ between the old rules (%1$s, their file) and the new ones
               * (%2$s); %3$s lists those years ("2023", "2021-2023", "2022 and later").  The
               * change of those parameters shows nowhere in the report. */
              _("warning: none of the records is of a year whose parameters differ between %s "
                "and %s (%s); the diff shows no change from them"),
              old_name, new_name, wbuf_scratch_text(&years, log));
  wbuf_puts(log, "\n");
  wbuf_free(&years);
}
