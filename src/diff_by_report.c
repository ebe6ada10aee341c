/*
 * diff_by_report.c -- the groups of `elig diff --by GROUP` in the report: a block per group
 * in the text report, a "by" member in the JSON report, or a CSV table of a cells per group.
 * diff_by.c counted and matched them; nothing is compared here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_data.h"
#include "i18n.h"
#include "mem.h"
#include "utf8.h"

/* A group's cell on side k (none when that side does not make the group). */
static vtext group_cell(const by_outcome *o, const by_group *bg, int k, uint32_t col)
{
  if (bg->g[k] == NONE_IDX)
    return (vtext){"", 0, true};
  return glist_cell(&o->m->g[k], bg->g[k], col);
}

/* Either side's cell of key column c: both sides' are equal when both make the group. */
static vtext key_cell(const by_outcome *o, const by_group *bg, uint32_t c)
{
  return group_cell(o, bg, bg->g[0] != NONE_IDX ? 0 : 1, c);
}

static const char *key_name(const by_outcome *o, uint32_t c)
{
  return o->A[0]->key_names[c];
}

/* The name of a decision (dcol) or other output (vcol) of the aggregate, by its old column. */
static const char *out_name(const by_outcome *o, bool decision, uint32_t x)
{
  const prog_aggregate *A = o->A[0];
  return decision ? A->decisions[o->m->dcol[x][0] - A->nkeys].name
                  : A->columns[o->m->vcol[x][0] - A->nkeys - A->ndecisions].name;
}

static uint64_t flag_count(const by_outcome *o, const by_group *bg, uint32_t f, int lost)
{
  if (bg->old_index == NONE_IDX || bg->old_index >= o->c->cap[0])
    return 0;
  return o->c->flags[((size_t)bg->old_index * o->c->nflags + f) * 2 + lost];
}

static const char *where(const by_group *bg)
{
  return bg->g[0] == NONE_IDX ? "new" : bg->g[1] == NONE_IDX ? "old" : "both";
}

/* ---------------------------------------------------------------- text */

/* A table of rows of `ncols` cells, each column as wide as its widest cell: text to the
 * left, counts (columns from `counts_from` on) to the right. */
typedef struct {
  vtext v;
  bool is_count;  /* then its text is in count */
  char count[24]; /* a uint64_t's digits */
} tcell;

typedef struct {
  tcell *cells;
  uint32_t n, cap, ncols, counts_from;
  bool nomem;
} table;

static void table_add(table *t, const tcell *cells_of_row)
{
  if (t->n == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    tcell *cells = mem_realloc(t->cells, (size_t)cap * t->ncols * sizeof *cells);
    if (!cells) {
      t->nomem = true;
      return;
    }
    t->cells = cells;
    t->cap = cap;
  }
  memcpy(&t->cells[(size_t)t->n++ * t->ncols], cells_of_row, t->ncols * sizeof *cells_of_row);
}

static tcell count_cell(uint64_t n)
{
  tcell c = {{"", 0, false}, true, {0}};
  snprintf(c.count, sizeof c.count, "%llu", (unsigned long long)n);
  return c;
}

static tcell text_cell(vtext v)
{
  tcell c = {v, false, {0}};
  return c;
}

/* No cell at all: a cells without a count. */
static tcell blank_cell(void)
{
  tcell c = {{"", 0, false}, false, {0}};
  return c;
}

static vtext cell_at(const table *t, uint32_t r, uint32_t c)
{
  const tcell *x = &t->cells[(size_t)r * t->ncols + c];
  if (x->is_count)
    return (vtext){x->count, strlen(x->count), false};
  return x->v.len || x->v.none ? diff_shown(x->v) : x->v;
}

/* n spaces: a run at a time, not a call per space (a report by village has tens of
 * thousands of rows). */
static void spaces(wbuf *b, size_t n)
{
  static const char run[] = "                                ";
  for (; n >= sizeof run - 1; n -= sizeof run - 1)
    wbuf_put(b, run, sizeof run - 1);
  wbuf_put(b, run, n);
}

static void table_print(table *t, wbuf *b)
{
  size_t *w = mem_calloc((size_t)t->ncols * (t->n + 1) + 1, sizeof *w);
  if (!w) {
    t->nomem = true;
    return;
  }
  size_t *cw = w + t->ncols; /* each cell's width, worked out once */
  for (uint32_t r = 0; r < t->n; r++)
    for (uint32_t c = 0; c < t->ncols; c++) {
      vtext v = cell_at(t, r, c);
      size_t x = cw[(size_t)r * t->ncols + c] = utf8_text_width(v.p, v.len);
      w[c] = x > w[c] ? x : w[c];
    }
  for (uint32_t r = 0; r < t->n; r++) {
    size_t pending = 2; /* spaces owed: written only before a cell */
    for (uint32_t c = 0; c < t->ncols; c++) {
      vtext v = cell_at(t, r, c);
      size_t x = cw[(size_t)r * t->ncols + c], fill = x < w[c] ? w[c] - x : 0;
      pending += c ? 2 : 0;
      if (c >= t->counts_from)
        pending += fill;
      if (v.len) {
        spaces(b, pending);
        wbuf_put_printable(b, v.p, v.len);
        pending = 0;
      }
      if (c < t->counts_from)
        pending += fill;
    }
    /* no spaces at the end of a line whose last cells are blank */
    wbuf_puts(b, "\n");
  }
  mem_free(w);
}

static void table_fini(table *t)
{
  mem_free(t->cells);
}

/* "village_code v1, year 2020: 5 households compared; rejected: 1 by the new rules" */
static void text_group_head(const diff_outcome *d, wbuf *b, const by_group *bg)
{
  const by_outcome *o = d->by;
  wbuf_puts(b, "\n");
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++) {
    wbuf_puts(b, c ? ", " : "");
    wbuf_puts(b, key_name(o, c));
    wbuf_puts(b, " ");
    vtext v = diff_shown(key_cell(o, bg, c));
    wbuf_put_printable(b, v.p, v.len);
  }
  wbuf_puts(b, ": ");
  wbuf_printf(b,
              /* TRANSLATORS: after a group's key in `elig diff --by`: %llu households (records)
               * both rule sets accepted in the group. */
              i18n_plural("%llu household compared", "%llu households compared", bg->compared),
              (unsigned long long)bg->compared);
  if (bg->rejected_old || bg->rejected_new)
    /* TRANSLATORS: after the households compared in a group: %1$llu of its records rejected
       by the old rules, %2$llu by the new rules. */
    wbuf_printf(b, _("; rejected: %llu by the old rules, %llu by the new rules"),
                (unsigned long long)bg->rejected_old, (unsigned long long)bg->rejected_new);
  if (bg->g[1] == NONE_IDX)
    /* TRANSLATORS: after a group's line: only the old rules make this group. */
    wbuf_printf(b, "; %s", _("only in the old rules"));
  else if (bg->g[0] == NONE_IDX)
    wbuf_printf(b, "; %s", _("only in the new rules"));
  wbuf_puts(b, "\n");
}

/* The group's outcome and values, then its households by each decision's values. */
static void text_group_table(const diff_outcome *d, wbuf *b, const by_group *bg, bool *nomem)
{
  const by_outcome *o = d->by;
  table t = {.ncols = 4, .counts_from = 3};
  tcell head[4] = {blank_cell(), text_cell(diff_lit(_("old"))), text_cell(diff_lit(_("new"))),
                   /* TRANSLATORS: a column heading of a group's table in `elig diff --by`
                    * (after "old" and "new"): how many households go from the old value to
                    * the new one.  The table is padded to the headings' widths. */
                   text_cell(diff_lit(_("households")))};
  table_add(&t, head);
  for (int part = 0; part < 2; part++) {
    uint32_t n = part ? o->m->nvcol : o->m->ndcol;
    for (uint32_t x = 0; x < n; x++) {
      const uint32_t *col = part ? o->m->vcol[x] : o->m->dcol[x];
      tcell cells[4] = {text_cell(diff_lit(out_name(o, !part, x))),
                        text_cell(group_cell(o, bg, 0, col[0])),
                        text_cell(group_cell(o, bg, 1, col[1])), blank_cell()};
      table_add(&t, cells);
    }
  }
  for (uint32_t i = 0; i < bg->ntrans; i++) {
    const by_trans *tr = &o->trans[bg->trans_at + i];
    const vdict *v = &o->c->values[tr->dec];
    tcell cells[4] = {text_cell(diff_lit(d->decs[tr->dec].name)), text_cell(vdict_value(v, tr->va)),
                      text_cell(vdict_value(v, tr->vb)), count_cell(tr->households)};
    table_add(&t, cells);
  }
  table_print(&t, b);
  *nomem |= t.nomem;
  table_fini(&t);
}

/* The flags the group's households gained or lost. */
static void text_group_flags(const diff_outcome *d, wbuf *b, const by_group *bg, bool *nomem)
{
  const by_outcome *o = d->by;
  table t = {.ncols = 3, .counts_from = 1};
  tcell head[3] = {text_cell(diff_lit(_("flag"))), text_cell(diff_lit(_("gained"))),
                   text_cell(diff_lit(_("lost")))};
  table_add(&t, head);
  for (uint32_t f = 0; f < d->nflags; f++) {
    uint64_t gained = flag_count(o, bg, f, 0), lost = flag_count(o, bg, f, 1);
    if (!gained && !lost)
      continue;
    tcell cells[3] = {text_cell(diff_lit(d->flags[f].name)), count_cell(gained), count_cell(lost)};
    table_add(&t, cells);
  }
  if (t.n > 1)
    table_print(&t, b);
  *nomem |= t.nomem;
  table_fini(&t);
}

void diff_by_text(const diff_outcome *d, wbuf *b)
{
  const by_outcome *o = d->by;
  bool nomem = false;
  wbuf keys = {0};
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++)
    wbuf_printf(&keys, "%s%s", c ? ", " : "", key_name(o, c));
  wbuf_puts(b, "\n");
  wbuf_printf(b,
              /* TRANSLATORS: the head of `elig diff --by`'s section: %1$s is the aggregate's
               * name, %2$s the fields it groups by ("village_code, year"), %3$u how many
               * groups. */
              i18n_plural("by %s (%s): %u group", "by %s (%s): %u groups", o->n), o->m->name,
              wbuf_scratch_text(&keys, b), o->n);
  wbuf_puts(b, "\n");
  wbuf_free(&keys);
  if (o->c->unplaced) {
    wbuf_puts(b, "  ");
    wbuf_printf(b,
                /* TRANSLATORS: records that both rule sets rejected belong to no group of
                 * --by. */
                i18n_plural("%llu record rejected by both rule sets is in no group",
                            "%llu records rejected by both rule sets are in no group",
                            o->c->unplaced),
                (unsigned long long)o->c->unplaced);
    wbuf_puts(b, "\n");
  }
  for (uint32_t i = 0; i < o->n; i++) {
    text_group_head(d, b, &o->groups[i]);
    text_group_table(d, b, &o->groups[i], &nomem);
    text_group_flags(d, b, &o->groups[i], &nomem);
  }
  if (nomem)
    b->failed = true;
}

/* ---------------------------------------------------------------- JSON */

static void json_val(wbuf *b, vtext v)
{
  if (v.none)
    wbuf_puts(b, "null");
  else
    wbuf_json_text(b, v.p, v.len);
}

static void json_name(wbuf *b, const char *s)
{
  wbuf_json_text(b, s, strlen(s));
  wbuf_puts(b, ":");
}

/* "exit":{"old":"eligible","new":"not_eligible"}, ... */
static void json_outputs(const by_outcome *o, wbuf *b, const by_group *bg, bool decisions)
{
  uint32_t n = decisions ? o->m->ndcol : o->m->nvcol;
  wbuf_puts(b, "{");
  for (uint32_t x = 0; x < n; x++) {
    const uint32_t *col = decisions ? o->m->dcol[x] : o->m->vcol[x];
    wbuf_puts(b, x ? "," : "");
    json_name(b, out_name(o, decisions, x));
    wbuf_puts(b, "{\"old\":");
    json_val(b, group_cell(o, bg, 0, col[0]));
    wbuf_puts(b, ",\"new\":");
    json_val(b, group_cell(o, bg, 1, col[1]));
    wbuf_puts(b, "}");
  }
  wbuf_puts(b, "}");
}

/* "status":[{"old":"edge","new":"poor","households":1}, ...], ... */
static void json_households(const diff_outcome *d, wbuf *b, const by_group *bg)
{
  const by_outcome *o = d->by;
  uint32_t i = 0;
  wbuf_puts(b, "{");
  for (uint32_t dec = 0; dec < d->ndecs; dec++) {
    wbuf_puts(b, dec ? "," : "");
    json_name(b, d->decs[dec].name);
    wbuf_puts(b, "[");
    for (bool first = true; i < bg->ntrans && o->trans[bg->trans_at + i].dec == dec; i++) {
      const by_trans *tr = &o->trans[bg->trans_at + i];
      wbuf_puts(b, first ? "{\"old\":" : ",{\"old\":");
      first = false;
      json_val(b, vdict_value(&o->c->values[dec], tr->va));
      wbuf_puts(b, ",\"new\":");
      json_val(b, vdict_value(&o->c->values[dec], tr->vb));
      wbuf_printf(b, ",\"households\":%llu}", (unsigned long long)tr->households);
    }
    wbuf_puts(b, "]");
  }
  wbuf_puts(b, "}");
}

static void json_group(const diff_outcome *d, wbuf *b, const by_group *bg)
{
  const by_outcome *o = d->by;
  wbuf_puts(b, "{\"key\":{");
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++) {
    wbuf_puts(b, c ? "," : "");
    json_name(b, key_name(o, c));
    json_val(b, key_cell(o, bg, c));
  }
  wbuf_printf(b, "},\"in\":\"%s\",\"compared\":%llu,\"rejected_old\":%llu,\"rejected_new\":%llu",
              where(bg), (unsigned long long)bg->compared, (unsigned long long)bg->rejected_old,
              (unsigned long long)bg->rejected_new);
  wbuf_puts(b, ",\n       \"outcome\":");
  json_outputs(o, b, bg, true);
  wbuf_puts(b, ",\n       \"values\":");
  json_outputs(o, b, bg, false);
  wbuf_puts(b, ",\n       \"households\":");
  json_households(d, b, bg);
  wbuf_puts(b, ",\n       \"flags\":{");
  for (uint32_t f = 0; f < d->nflags; f++) {
    wbuf_puts(b, f ? "," : "");
    json_name(b, d->flags[f].name);
    wbuf_printf(b, "{\"gained\":%llu,\"lost\":%llu}", (unsigned long long)flag_count(o, bg, f, 0),
                (unsigned long long)flag_count(o, bg, f, 1));
  }
  wbuf_puts(b, "}}");
}

void diff_by_json(const diff_outcome *d, wbuf *b)
{
  const by_outcome *o = d->by;
  wbuf_puts(b, "  \"by\":{\"aggregate\":");
  wbuf_json_text(b, o->m->name, strlen(o->m->name));
  wbuf_puts(b, ",\"keys\":[");
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++) {
    wbuf_puts(b, c ? "," : "");
    wbuf_json_text(b, key_name(o, c), strlen(key_name(o, c)));
  }
  wbuf_printf(b, "],\"unplaced\":%llu,\"groups\":[", (unsigned long long)o->c->unplaced);
  for (uint32_t i = 0; i < o->n; i++) {
    wbuf_puts(b, i ? ",\n    " : "\n    ");
    json_group(d, b, &o->groups[i]);
  }
  wbuf_puts(b, o->n ? "\n  ]}" : "]}");
}

/* ---------------------------------------------------------------- CSV */

static int value_cmp(const vdict *v, uint32_t a, uint32_t b)
{
  vtext u = vdict_value(v, a), w = vdict_value(v, b);
  if (u.none != w.none)
    return u.none ? 1 : -1;
  return text_cmp(u.p, u.len, w.p, w.len);
}

/* Decision, then old value, then new value: the order of the pair columns. */
static int pair_order(const void *x, const void *y)
{
  const by_trans *a = x, *b = y;
  if (a->dec != b->dec)
    return a->dec < b->dec ? -1 : 1;
  const vdict *v = a->vals;
  int c = value_cmp(v, a->va, b->va);
  return c ? c : value_cmp(v, a->vb, b->vb);
}

/* Every (decision, old value, new value) some group has, in column order, without repeats. */
static by_trans *pair_columns(const by_outcome *o, uint32_t *n)
{
  by_trans *p = mem_alloc(((size_t)o->ntrans + 1) * sizeof *p);
  *n = 0;
  if (!p)
    return NULL;
  if (o->ntrans)
    memcpy(p, o->trans, o->ntrans * sizeof *p);
  qsort(p, o->ntrans, sizeof *p, pair_order);
  for (uint32_t i = 0; i < o->ntrans; i++)
    if (!*n || pair_order(&p[*n - 1], &p[i]) != 0)
      p[(*n)++] = p[i];
  return p;
}

static void csv_cell(wbuf *b, bool first, vtext v)
{
  if (!first)
    wbuf_puts(b, ",");
  if (!v.none)
    wbuf_csv_text(b, v.p, v.len);
}

/* A column name of parts: "exit:old", "status:edge->poor", "low_income:gained". */
static void csv_name(wbuf *b, const char *name, const char *part, vtext from, vtext to)
{
  wbuf head = {0};
  wbuf_puts(&head, name);
  wbuf_puts(&head, ":");
  if (part) {
    wbuf_puts(&head, part);
  } else {
    wbuf_put(&head, from.none ? "none" : from.p, from.none ? 4 : from.len);
    wbuf_puts(&head, "->");
    wbuf_put(&head, to.none ? "none" : to.p, to.none ? 4 : to.len);
  }
  wbuf_puts(b, ",");
  wbuf_csv_text(b, head.p ? head.p : "", head.len);
  b->failed |= head.failed;
  wbuf_free(&head);
}

static void csv_header(const diff_outcome *d, wbuf *b, const by_trans *pairs, uint32_t npairs)
{
  const by_outcome *o = d->by;
  static const vtext none = {"", 0, true};
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++)
    csv_cell(b, c == 0, diff_lit(key_name(o, c)));
  wbuf_puts(b, ",in,compared,rejected_old,rejected_new");
  for (int part = 0; part < 2; part++)
    for (uint32_t x = 0; x < (part ? o->m->nvcol : o->m->ndcol); x++) {
      csv_name(b, out_name(o, !part, x), "old", none, none);
      csv_name(b, out_name(o, !part, x), "new", none, none);
    }
  for (uint32_t i = 0; i < npairs; i++) {
    const vdict *v = &o->c->values[pairs[i].dec];
    csv_name(b, d->decs[pairs[i].dec].name, NULL, vdict_value(v, pairs[i].va),
             vdict_value(v, pairs[i].vb));
  }
  for (uint32_t f = 0; f < d->nflags; f++) {
    csv_name(b, d->flags[f].name, "gained", none, none);
    csv_name(b, d->flags[f].name, "lost", none, none);
  }
  wbuf_puts(b, "\n");
}

/* The households of group bg going from pair p's old value to its new one. */
static uint64_t pair_count(const by_outcome *o, const by_group *bg, const by_trans *p)
{
  for (uint32_t i = 0; i < bg->ntrans; i++) {
    const by_trans *t = &o->trans[bg->trans_at + i];
    if (t->dec == p->dec && t->va == p->va && t->vb == p->vb)
      return t->households;
  }
  return 0;
}

static void csv_row(const diff_outcome *d, wbuf *b, const by_group *bg, const by_trans *pairs,
                    uint32_t npairs)
{
  const by_outcome *o = d->by;
  for (uint32_t c = 0; c < o->A[0]->nkeys; c++)
    csv_cell(b, c == 0, key_cell(o, bg, c));
  wbuf_printf(b, ",%s,%llu,%llu,%llu", where(bg), (unsigned long long)bg->compared,
              (unsigned long long)bg->rejected_old, (unsigned long long)bg->rejected_new);
  for (int part = 0; part < 2; part++)
    for (uint32_t x = 0; x < (part ? o->m->nvcol : o->m->ndcol); x++) {
      const uint32_t *col = part ? o->m->vcol[x] : o->m->dcol[x];
      csv_cell(b, false, group_cell(o, bg, 0, col[0]));
      csv_cell(b, false, group_cell(o, bg, 1, col[1]));
    }
  for (uint32_t i = 0; i < npairs; i++)
    wbuf_printf(b, ",%llu", (unsigned long long)pair_count(o, bg, &pairs[i]));
  for (uint32_t f = 0; f < d->nflags; f++)
    wbuf_printf(b, ",%llu,%llu", (unsigned long long)flag_count(o, bg, f, 0),
                (unsigned long long)flag_count(o, bg, f, 1));
  wbuf_puts(b, "\n");
}

bool diff_by_csv(const diff_outcome *d, wbuf *b)
{
  uint32_t npairs;
  by_trans *pairs = pair_columns(d->by, &npairs);
  if (!pairs)
    return false;
  csv_header(d, b, pairs, npairs);
  for (uint32_t i = 0; i < d->by->n; i++)
    csv_row(d, b, &d->by->groups[i], pairs, npairs);
  mem_free(pairs);
  return !b->failed;
}
