/*
 * diff_report.c -- the report of `elig diff`: what diff.c found, as text for people or as
 * one JSON object for programs.  Nothing here compares anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_data.h"
#include "mem.h"
#include "utf8.h"

/* Most records first, then by the values. */
static int row_order(const void *x, const void *y)
{
  const row *a = x, *b = y;
  if (a->count != b->count)
    return a->count > b->count ? -1 : 1;
  int c = text_cmp(a->a, a->alen, b->a, b->alen);
  return c ? c : text_cmp(a->b, a->blen, b->b, b->blen);
}

/* ---------------------------------------------------------------- the text report */

/* Display columns of a value as put_shown writes it. */
static size_t width(const char *s, size_t n)
{
  return utf8_text_width(s, n);
}

/* A value for people: "(none)" when absent, "(empty)" for empty text; control characters
 * shown as '?'. */
static vtext shown(vtext v)
{
  if (v.none)
    return (vtext){"(none)", 6, false};
  if (!v.len)
    return (vtext){"(empty)", 7, false};
  return v;
}

static void put_shown(wbuf *b, vtext v)
{
  v = shown(v);
  wbuf_put_printable(b, v.p, v.len);
}

static void pad(wbuf *b, size_t used, size_t to)
{
  for (; used < to; used++)
    wbuf_puts(b, " ");
}

/* One row of a table: cells padded to widths; the last cell (a count) right-aligned. */
static void table_row(wbuf *b, const vtext *cells, const size_t *w, int n, const char *note)
{
  wbuf_puts(b, "  ");
  for (int i = 0; i < n - 1; i++) {
    put_shown(b, cells[i]);
    pad(b, width(shown(cells[i]).p, shown(cells[i]).len), w[i] + 2);
  }
  pad(b, width(cells[n - 1].p, cells[n - 1].len), w[n - 1]);
  put_shown(b, cells[n - 1]);
  if (note) {
    wbuf_puts(b, "  ");
    wbuf_puts(b, note);
  }
  wbuf_puts(b, "\n");
}

static vtext lit(const char *s)
{
  return (vtext){s, strlen(s), false};
}

/* The rows of a table, most records first. */
static row *sorted_rows(const ctable *t)
{
  row *rows = mem_alloc((t->n + 1) * sizeof *rows);
  if (rows && t->n) {
    memcpy(rows, t->rows, t->n * sizeof *rows);
    qsort(rows, t->n, sizeof *rows, row_order);
  }
  return rows;
}

static vtext row_a(const row *r)
{
  return (vtext){r->a, r->alen, r->anone};
}

static vtext row_b(const row *r)
{
  return (vtext){r->b, r->blen, r->bnone};
}

static void text_decision(bool *nomem, wbuf *b, const dec_map *m)
{
  bool both = m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX;
  uint64_t changed = m->t.total - m->t.same;
  char num[32];
  row *rows = sorted_rows(&m->t);
  if (!rows) {
    *nomem = true;
    return;
  }
  wbuf_printf(b, "\ndecision %s: ", m->name);
  if (!both)
    wbuf_printf(b, "only in the %s rules\n", m->idx[0] != NONE_IDX ? "old" : "new");
  else if (!changed)
    wbuf_printf(b, "no record changes (%llu unchanged)\n", (unsigned long long)m->t.same);
  else
    wbuf_printf(b, "%llu of %llu record%s change%s (%llu unchanged)\n", (unsigned long long)changed,
                (unsigned long long)m->t.total, m->t.total == 1 ? "" : "s", changed == 1 ? "s" : "",
                (unsigned long long)m->t.same);
  if (!m->t.n) {
    mem_free(rows);
    return;
  }
  int nc = both ? 3 : 2;
  size_t w[3] = {both ? 3 : 5, both ? 3 : 7, 7};
  for (uint32_t i = 0; i < m->t.n && i < TEXT_ROWS; i++) {
    vtext a = shown(row_a(&rows[i])), bb = shown(row_b(&rows[i]));
    size_t wa = width(a.p, a.len), wb = width(bb.p, bb.len);
    w[0] = wa > w[0] ? wa : w[0];
    if (both)
      w[1] = wb > w[1] ? wb : w[1];
    size_t wn = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)rows[i].count);
    w[nc - 1] = wn > w[nc - 1] ? wn : w[nc - 1];
  }
  vtext head[3] = {lit(both ? "old" : "value"), lit(both ? "new" : "records"), lit("records")};
  table_row(b, head, w, nc, NULL);
  uint64_t rest = m->t.other;
  for (uint32_t i = 0; i < m->t.n; i++) {
    if (i >= TEXT_ROWS) {
      rest += rows[i].count;
      continue;
    }
    snprintf(num, sizeof num, "%llu", (unsigned long long)rows[i].count);
    vtext cells[3] = {row_a(&rows[i]), both ? row_b(&rows[i]) : lit(num), lit(num)};
    table_row(b, cells, w, nc, NULL);
  }
  if (rest)
    wbuf_printf(b, "  and %llu more record%s with other %s\n", (unsigned long long)rest,
                rest == 1 ? "" : "s", both ? "changes" : "values");
  mem_free(rows);
}

static void text_flags(const diff_outcome *d, wbuf *b)
{
  uint32_t shown_n = 0;
  size_t w[3] = {4, 6, 4};
  char num[2][32];
  for (uint32_t i = 0; i < d->nflags; i++) {
    const flag_map *m = &d->flags[i];
    if (!m->gained && !m->lost && m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX)
      continue;
    shown_n++;
    size_t wn = width(m->name, strlen(m->name));
    w[0] = wn > w[0] ? wn : w[0];
    size_t g = (size_t)snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)m->gained);
    size_t l = (size_t)snprintf(num[1], sizeof num[1], "%llu", (unsigned long long)m->lost);
    w[1] = g > w[1] ? g : w[1];
    w[2] = l > w[2] ? l : w[2];
  }
  if (!d->flags_changed)
    wbuf_puts(b, "\nflags: no record changes flags\n");
  else
    wbuf_printf(b, "\nflags: %llu of %llu record%s change%s flags\n",
                (unsigned long long)d->flags_changed, (unsigned long long)d->stats->written,
                d->stats->written == 1 ? "" : "s", d->flags_changed == 1 ? "s" : "");
  if (!shown_n)
    return;
  wbuf_puts(b, "  ");
  wbuf_puts(b, "flag");
  pad(b, 4, w[0] + 2);
  pad(b, 6, w[1]);
  wbuf_puts(b, "gained");
  pad(b, 0, 2);
  pad(b, 4, w[2]);
  wbuf_puts(b, "lost\n");
  for (uint32_t i = 0; i < d->nflags; i++) {
    const flag_map *m = &d->flags[i];
    if (!m->gained && !m->lost && m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX)
      continue;
    snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)m->gained);
    snprintf(num[1], sizeof num[1], "%llu", (unsigned long long)m->lost);
    wbuf_puts(b, "  ");
    wbuf_puts(b, m->name);
    pad(b, width(m->name, strlen(m->name)), w[0] + 2);
    pad(b, strlen(num[0]), w[1]);
    wbuf_puts(b, num[0]);
    wbuf_puts(b, "  ");
    pad(b, strlen(num[1]), w[2]);
    wbuf_puts(b, num[1]);
    if (m->idx[0] == NONE_IDX)
      wbuf_puts(b, "  only in the new rules");
    else if (m->idx[1] == NONE_IDX)
      wbuf_puts(b, "  only in the old rules");
    wbuf_puts(b, "\n");
  }
}

/* "village_code 411623101201, year 2020" */
static void text_key(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  for (uint32_t c = 0; c < g->nkeys; c++) {
    if (c)
      wbuf_puts(b, ", ");
    wbuf_puts(b, A->key_names[c]);
    wbuf_puts(b, " ");
    put_shown(b, glist_cell(g, group, c));
  }
}

/* "exit eligible, grade B" for a group on one side */
static void text_decisions(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  for (uint32_t i = 0; i < g->ndec; i++) {
    wbuf_puts(b, i ? ", " : "");
    wbuf_puts(b, A->decisions[i].name);
    wbuf_puts(b, " ");
    put_shown(b, glist_cell(g, group, g->nkeys + i));
  }
}

static void text_aggregate(const diff_outcome *d, wbuf *b, const agg_map *m)
{
  const prog_aggregate *A[2] = {m->idx[0] != NONE_IDX ? &d->P[0]->aggregates[m->idx[0]] : NULL,
                                m->idx[1] != NONE_IDX ? &d->P[1]->aggregates[m->idx[1]] : NULL};
  wbuf_printf(b, "\naggregate %s: ", m->name);
  if (!A[0] || !A[1]) {
    int k = A[0] ? 0 : 1;
    wbuf_printf(b, "only in the %s rules (%u group%s)\n", k ? "new" : "old", m->g[k].n,
                m->g[k].n == 1 ? "" : "s");
    return;
  }
  if (!m->comparable) {
    wbuf_puts(b, "grouped by ");
    for (int k = 0; k < 2; k++) {
      for (uint32_t i = 0; i < A[k]->nkeys; i++)
        wbuf_printf(b, "%s%s", i ? ", " : "", A[k]->key_names[i]);
      wbuf_puts(b, k ? " in the new rules" : " in the old rules and by ");
    }
    wbuf_puts(b, "; its groups cannot be compared\n");
    return;
  }
  if (!m->nchanged)
    wbuf_printf(b, "no group changes outcome (%u group%s", m->matched, m->matched == 1 ? "" : "s");
  else
    wbuf_printf(b, "%u of %u group%s change%s outcome", m->nchanged, m->matched,
                m->matched == 1 ? "" : "s", m->nchanged == 1 ? "s" : "");
  uint32_t only[2] = {0, 0};
  for (uint32_t i = 0; i < m->nonly; i++)
    only[m->only[i].g[0] == NONE_IDX]++;
  for (int k = 0; k < 2; k++)
    if (only[k])
      wbuf_printf(b, "%s%u group%s only in the %s rules", m->nchanged ? "; " : ", ", only[k],
                  only[k] == 1 ? "" : "s", k ? "new" : "old");
  wbuf_puts(b, m->nchanged ? "\n" : ")\n");
  for (uint32_t i = 0; i < A[0]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][0] == A[0]->nkeys + i;
    if (!found)
      wbuf_printf(b, "  decision %s only in the old rules\n", A[0]->decisions[i].name);
  }
  for (uint32_t i = 0; i < A[1]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][1] == A[1]->nkeys + i;
    if (!found)
      wbuf_printf(b, "  decision %s only in the new rules\n", A[1]->decisions[i].name);
  }
  for (uint32_t i = 0; i < m->nchanged; i++) {
    const gpair *p = &m->changed[i];
    wbuf_puts(b, "  ");
    text_key(b, A[0], &m->g[0], p->g[0]);
    wbuf_puts(b, ":");
    bool first = true;
    for (uint32_t x = 0; x < m->ndcol; x++) {
      vtext o = glist_cell(&m->g[0], p->g[0], m->dcol[x][0]);
      vtext n = glist_cell(&m->g[1], p->g[1], m->dcol[x][1]);
      if (vtext_eq(o, n))
        continue;
      wbuf_puts(b, first ? " " : ", ");
      first = false;
      wbuf_puts(b, A[0]->decisions[m->dcol[x][0] - A[0]->nkeys].name);
      wbuf_puts(b, " ");
      put_shown(b, o);
      wbuf_puts(b, " -> ");
      put_shown(b, n);
    }
    wbuf_puts(b, "\n");
    first = true;
    for (uint32_t x = 0; x < m->nvcol; x++) {
      vtext o = glist_cell(&m->g[0], p->g[0], m->vcol[x][0]);
      vtext n = glist_cell(&m->g[1], p->g[1], m->vcol[x][1]);
      if (vtext_eq(o, n))
        continue;
      wbuf_puts(b, first ? "      " : ", ");
      first = false;
      wbuf_puts(b, A[0]->columns[m->vcol[x][0] - A[0]->nkeys - A[0]->ndecisions].name);
      wbuf_puts(b, " ");
      put_shown(b, o);
      wbuf_puts(b, " -> ");
      put_shown(b, n);
    }
    if (!first)
      wbuf_puts(b, "\n");
  }
  for (uint32_t i = 0; i < m->nonly; i++) {
    int k = m->only[i].g[0] == NONE_IDX ? 1 : 0;
    wbuf_printf(b, "  only in the %s rules: ", k ? "new" : "old");
    text_key(b, A[k], &m->g[k], m->only[i].g[k]);
    if (m->g[k].ndec) {
      wbuf_puts(b, " (");
      text_decisions(b, A[k], &m->g[k], m->only[i].g[k]);
      wbuf_puts(b, ")");
    }
    wbuf_puts(b, "\n");
  }
}

static void text_program(wbuf *b, const char *which, const char *name, const elig_program *P)
{
  wbuf_printf(b, "%s rules: %s", which, name);
  if (P->policy && P->version)
    wbuf_printf(b, " (policy %s, version %s)", P->policy, P->version);
  else if (P->policy)
    wbuf_printf(b, " (policy %s)", P->policy);
  wbuf_puts(b, "\n");
}

static bool nothing_changed(const diff_outcome *d)
{
  if (d->stats->changed || d->groups_changed)
    return false;
  for (uint32_t i = 0; i < d->ndecs; i++)
    if (d->decs[i].idx[0] == NONE_IDX || d->decs[i].idx[1] == NONE_IDX)
      return false;
  for (uint32_t i = 0; i < d->nflags; i++)
    if (d->flags[i].idx[0] == NONE_IDX || d->flags[i].idx[1] == NONE_IDX)
      return false;
  for (uint32_t i = 0; i < d->naggs; i++) {
    const agg_map *m = &d->aggs[i];
    if (m->idx[0] == NONE_IDX || m->idx[1] == NONE_IDX || !m->comparable)
      return false;
    if (m->ndcol != d->P[0]->aggregates[m->idx[0]].ndecisions ||
        m->ndcol != d->P[1]->aggregates[m->idx[1]].ndecisions)
      return false;
  }
  return true;
}

bool diff_text_report(const diff_outcome *d, wbuf *b)
{
  const elig_batch_stats *st = d->stats;
  bool nomem = false;
  text_program(b, "old", d->name[0], d->P[0]);
  text_program(b, "new", d->name[1], d->P[1]);
  wbuf_printf(b, "records: %llu read, %llu compared", (unsigned long long)st->records,
              (unsigned long long)st->written);
  if (st->rejected)
    wbuf_printf(b, "; rejected: %llu by the old rules, %llu by the new rules",
                (unsigned long long)st->rejected_old, (unsigned long long)st->rejected_new);
  wbuf_puts(b, "\n");
  if (nothing_changed(d)) {
    wbuf_puts(b, "\nno record changes a decision or its flags; no group changes outcome\n");
    return !b->failed;
  }
  wbuf_printf(b, "\n%llu of %llu record%s change%s a decision or flags\n",
              (unsigned long long)st->changed, (unsigned long long)st->written,
              st->written == 1 ? "" : "s", st->changed == 1 ? "s" : "");
  for (uint32_t i = 0; i < d->ndecs; i++)
    text_decision(&nomem, b, &d->decs[i]);
  text_flags(d, b);
  for (uint32_t i = 0; i < d->naggs; i++)
    text_aggregate(d, b, &d->aggs[i]);
  return !nomem && !b->failed;
}

/* ---------------------------------------------------------------- the JSON report */

static void json_str(wbuf *b, const char *s)
{
  wbuf_json_text(b, s, strlen(s));
}

static void json_val(wbuf *b, vtext v)
{
  if (v.none)
    wbuf_puts(b, "null");
  else
    wbuf_json_text(b, v.p, v.len);
}

static void json_where(wbuf *b, const uint32_t idx[2])
{
  wbuf_puts(b, ",\"in\":");
  json_str(b, idx[0] == NONE_IDX ? "new" : idx[1] == NONE_IDX ? "old" : "both");
}

static void json_decision(bool *nomem, wbuf *b, const dec_map *m)
{
  bool both = m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX;
  row *rows = sorted_rows(&m->t);
  if (!rows) {
    *nomem = true;
    return;
  }
  wbuf_puts(b, "    {\"name\":");
  json_str(b, m->name);
  json_where(b, m->idx);
  if (both)
    wbuf_printf(b, ",\"changed\":%llu,\"unchanged\":%llu,\"changes\":[",
                (unsigned long long)(m->t.total - m->t.same), (unsigned long long)m->t.same);
  else
    wbuf_puts(b, ",\"values\":[");
  for (uint32_t i = 0; i < m->t.n; i++) {
    wbuf_puts(b, i ? ",\n      " : "\n      ");
    wbuf_puts(b, both ? "{\"old\":" : "{\"value\":");
    json_val(b, row_a(&rows[i]));
    if (both) {
      wbuf_puts(b, ",\"new\":");
      json_val(b, row_b(&rows[i]));
    }
    wbuf_printf(b, ",\"records\":%llu}", (unsigned long long)rows[i].count);
  }
  wbuf_printf(b, "%s],\"other\":%llu}", m->t.n ? "\n    " : "", (unsigned long long)m->t.other);
  mem_free(rows);
}

static void json_key_obj(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  wbuf_puts(b, "{\"key\":{");
  for (uint32_t c = 0; c < g->nkeys; c++) {
    if (c)
      wbuf_puts(b, ",");
    json_str(b, A->key_names[c]);
    wbuf_puts(b, ":");
    json_val(b, glist_cell(g, group, c));
  }
  wbuf_puts(b, "}");
}

static void json_aggregate(const diff_outcome *d, wbuf *b, const agg_map *m)
{
  const prog_aggregate *A[2] = {m->idx[0] != NONE_IDX ? &d->P[0]->aggregates[m->idx[0]] : NULL,
                                m->idx[1] != NONE_IDX ? &d->P[1]->aggregates[m->idx[1]] : NULL};
  wbuf_puts(b, "    {\"name\":");
  json_str(b, m->name);
  json_where(b, m->idx);
  wbuf_printf(b, ",\"groups_old\":%u,\"groups_new\":%u", m->g[0].n, m->g[1].n);
  if (!A[0] || !A[1]) {
    wbuf_puts(b, "}");
    return;
  }
  wbuf_printf(b, ",\"comparable\":%s", m->comparable ? "true" : "false");
  if (!m->comparable) {
    wbuf_puts(b, "}");
    return;
  }
  wbuf_printf(b, ",\"matched\":%u,\"changed\":[", m->matched);
  for (uint32_t i = 0; i < m->nchanged; i++) {
    const gpair *p = &m->changed[i];
    wbuf_puts(b, i ? ",\n      " : "\n      ");
    json_key_obj(b, A[0], &m->g[0], p->g[0]);
    for (int part = 0; part < 2; part++) {
      wbuf_puts(b, part ? ",\"values\":{" : ",\"decisions\":{");
      bool first = true;
      uint32_t n = part ? m->nvcol : m->ndcol;
      for (uint32_t x = 0; x < n; x++) {
        const uint32_t *col = part ? m->vcol[x] : m->dcol[x];
        vtext o = glist_cell(&m->g[0], p->g[0], col[0]), nv = glist_cell(&m->g[1], p->g[1], col[1]);
        if (vtext_eq(o, nv))
          continue;
        if (!first)
          wbuf_puts(b, ",");
        first = false;
        json_str(b, part ? A[0]->columns[col[0] - A[0]->nkeys - A[0]->ndecisions].name
                         : A[0]->decisions[col[0] - A[0]->nkeys].name);
        wbuf_puts(b, ":{\"old\":");
        json_val(b, o);
        wbuf_puts(b, ",\"new\":");
        json_val(b, nv);
        wbuf_puts(b, "}");
      }
      wbuf_puts(b, "}");
    }
    wbuf_puts(b, "}");
  }
  wbuf_puts(b, m->nchanged ? "\n    ]" : "]");
  for (int k = 0; k < 2; k++) {
    wbuf_puts(b, k ? ",\"only_new\":[" : ",\"only_old\":[");
    bool first = true;
    for (uint32_t i = 0; i < m->nonly; i++) {
      uint32_t gi = m->only[i].g[k];
      if (gi == NONE_IDX || m->only[i].g[1 - k] != NONE_IDX)
        continue;
      wbuf_puts(b, first ? "\n      " : ",\n      ");
      first = false;
      json_key_obj(b, A[k], &m->g[k], gi);
      wbuf_puts(b, ",\"decisions\":{");
      for (uint32_t x = 0; x < m->g[k].ndec; x++) {
        if (x)
          wbuf_puts(b, ",");
        json_str(b, A[k]->decisions[x].name);
        wbuf_puts(b, ":");
        json_val(b, glist_cell(&m->g[k], gi, m->g[k].nkeys + x));
      }
      wbuf_puts(b, "}}");
    }
    wbuf_puts(b, first ? "]" : "\n    ]");
  }
  wbuf_puts(b, "}");
}

static void json_program(wbuf *b, const char *which, const char *name, const elig_program *P)
{
  wbuf_printf(b, "  \"%s\":{\"rules\":", which);
  json_str(b, name);
  wbuf_puts(b, ",\"policy\":");
  if (P->policy)
    json_str(b, P->policy);
  else
    wbuf_puts(b, "null");
  wbuf_puts(b, ",\"version\":");
  if (P->version)
    json_str(b, P->version);
  else
    wbuf_puts(b, "null");
  wbuf_puts(b, "},\n");
}

bool diff_json_report(const diff_outcome *d, wbuf *b)
{
  const elig_batch_stats *st = d->stats;
  bool nomem = false;
  wbuf_puts(b, "{\n");
  json_program(b, "old", d->name[0], d->P[0]);
  json_program(b, "new", d->name[1], d->P[1]);
  wbuf_printf(b,
              "  \"records\":{\"read\":%llu,\"compared\":%llu,\"rejected_old\":%llu,"
              "\"rejected_new\":%llu,\"changed\":%llu},\n",
              (unsigned long long)st->records, (unsigned long long)st->written,
              (unsigned long long)st->rejected_old, (unsigned long long)st->rejected_new,
              (unsigned long long)st->changed);
  wbuf_printf(b, "  \"no_change\":%s,\n", nothing_changed(d) ? "true" : "false");
  wbuf_puts(b, "  \"decisions\":[");
  for (uint32_t i = 0; i < d->ndecs; i++) {
    wbuf_puts(b, i ? ",\n" : "\n");
    json_decision(&nomem, b, &d->decs[i]);
  }
  wbuf_puts(b, d->ndecs ? "\n  ],\n" : "],\n");
  wbuf_printf(b, "  \"flags\":{\"records_changed\":%llu,\"flags\":[",
              (unsigned long long)d->flags_changed);
  for (uint32_t i = 0; i < d->nflags; i++) {
    const flag_map *m = &d->flags[i];
    wbuf_puts(b, i ? ",\n    {\"name\":" : "\n    {\"name\":");
    json_str(b, m->name);
    json_where(b, m->idx);
    wbuf_printf(b, ",\"gained\":%llu,\"lost\":%llu}", (unsigned long long)m->gained,
                (unsigned long long)m->lost);
  }
  wbuf_puts(b, d->nflags ? "\n  ]},\n" : "]},\n");
  wbuf_puts(b, "  \"aggregates\":[");
  for (uint32_t i = 0; i < d->naggs; i++) {
    wbuf_puts(b, i ? ",\n" : "\n");
    json_aggregate(d, b, &d->aggs[i]);
  }
  wbuf_puts(b, d->naggs ? "\n  ]\n}\n" : "]\n}\n");
  return !nomem && !b->failed;
}
