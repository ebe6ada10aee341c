/*
 * diff_report.c -- the report of `elig diff`: what diff.c found, as text for people or as
 * one JSON object for programs.  Nothing here compares anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_data.h"
#include "i18n.h"
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

/*
 * The text report is for people and in their language (i18n.h): each line is one message
 * with placeholders, so that a translator can order its parts, and counts choose their
 * plural.  What the rules and the data write stays as they write it: the names of
 * decisions, flags, aggregates and group keys, and the values.  The JSON report is for
 * programs and never translated.
 */

/* Display columns of a value as put_shown writes it. */
static size_t width(const char *s, size_t n)
{
  return utf8_text_width(s, n);
}

vtext diff_lit(const char *s)
{
  return (vtext){s, strlen(s), false};
}

/* A value for people: "(none)" when absent, "(empty)" for empty text; control characters
 * shown as '?'. */
vtext diff_shown(vtext v)
{
  if (v.none)
    /* TRANSLATORS: in a table of values, a value that is absent (none in the rules). */
    return diff_lit(_("(none)"));
  if (!v.len)
    /* TRANSLATORS: in a table of values, a text value that is empty. */
    return diff_lit(_("(empty)"));
  return v;
}

static void put_shown(wbuf *b, vtext v)
{
  v = diff_shown(v);
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
    pad(b, width(diff_shown(cells[i]).p, diff_shown(cells[i]).len), w[i] + 2);
  }
  pad(b, width(cells[n - 1].p, cells[n - 1].len), w[n - 1]);
  put_shown(b, cells[n - 1]);
  if (note) {
    wbuf_puts(b, "  ");
    wbuf_puts(b, note);
  }
  wbuf_puts(b, "\n");
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

/* In "3 of 5 records change" English takes the noun's number from the total and the verb's
 * from those that change: two numbers, where one plural follows one.  So the messages come
 * in pairs, one for a total of one record and one for any other total, each a plural by
 * how many change (its first form for one). */

/* The first line of a decision's section: "decision status: 3 of 5 records change (2
 * unchanged)". */
static void decision_summary(wbuf *b, const dec_map *m)
{
  unsigned long long total = m->t.total, same = m->t.same, changed = total - same;
  if (m->idx[1] == NONE_IDX)
    /* TRANSLATORS: %s is a decision's name; only the old rules (the first rule files
     * compared) have it. */
    wbuf_printf(b, _("decision %s: only in the old rules"), m->name);
  else if (m->idx[0] == NONE_IDX)
    /* TRANSLATORS: %s is a decision's name; only the new rules have it. */
    wbuf_printf(b, _("decision %s: only in the new rules"), m->name);
  else if (!changed)
    /* TRANSLATORS: %1$s is a decision's name; %2$llu records compared, none changes. */
    wbuf_printf(b, _("decision %s: no record changes (%llu unchanged)"), m->name, same);
  else
    wbuf_printf(
        b,
        total == 1
            /* TRANSLATORS: %1$s is a decision's name, %2$llu how many records its
                     * value changes for, of %3$llu compared (here 1), %4$llu how many keep
                     * it.  A plural by %2$llu. */
            ? i18n_plural("decision %s: %llu of %llu record changes (%llu unchanged)",
                          "decision %s: %llu of %llu record change (%llu unchanged)", changed)
            /* TRANSLATORS: the same for a total %3$llu other than 1; a plural by
                     * %2$llu, how many change. */
            : i18n_plural("decision %s: %llu of %llu records changes (%llu unchanged)",
                          "decision %s: %llu of %llu records change (%llu unchanged)", changed),
        m->name, changed, total, same);
  wbuf_puts(b, "\n");
}

static void text_decision(bool *nomem, wbuf *b, const dec_map *m)
{
  bool both = m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX;
  char num[32];
  row *rows = sorted_rows(&m->t);
  if (!rows) {
    *nomem = true;
    return;
  }
  wbuf_puts(b, "\n");
  decision_summary(b, m);
  if (!m->t.n) {
    mem_free(rows);
    return;
  }
  vtext head[3];
  if (both) {
    /* TRANSLATORS: a column heading of the table of a decision's changes: the value in the
     * old rules.  The table is padded to the heading's width. */
    head[0] = diff_lit(_("old"));
    /* TRANSLATORS: a column heading of the same table: the value in the new rules. */
    head[1] = diff_lit(_("new"));
  } else {
    /* TRANSLATORS: a column heading of the table of a decision that one side's rules
     * alone have: its value. */
    head[0] = diff_lit(_("value"));
    /* TRANSLATORS: a column heading: how many records (a count). */
    head[1] = diff_lit(_("records"));
  }
  head[2] = diff_lit(_("records"));
  int nc = both ? 3 : 2;
  size_t w[3];
  for (int i = 0; i < 3; i++)
    w[i] = width(head[i].p, head[i].len);
  for (uint32_t i = 0; i < m->t.n && i < TEXT_ROWS; i++) {
    vtext a = diff_shown(row_a(&rows[i])), bb = diff_shown(row_b(&rows[i]));
    size_t wa = width(a.p, a.len), wb = width(bb.p, bb.len);
    w[0] = wa > w[0] ? wa : w[0];
    if (both)
      w[1] = wb > w[1] ? wb : w[1];
    size_t wn = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)rows[i].count);
    w[nc - 1] = wn > w[nc - 1] ? wn : w[nc - 1];
  }
  table_row(b, head, w, nc, NULL);
  uint64_t rest = m->t.other;
  for (uint32_t i = 0; i < m->t.n; i++) {
    if (i >= TEXT_ROWS) {
      rest += rows[i].count;
      continue;
    }
    snprintf(num, sizeof num, "%llu", (unsigned long long)rows[i].count);
    vtext cells[3] = {row_a(&rows[i]), both ? row_b(&rows[i]) : diff_lit(num), diff_lit(num)};
    table_row(b, cells, w, nc, NULL);
  }
  wbuf_puts(b, rest ? "  " : "");
  if (rest && both)
    wbuf_printf(b,
                /* TRANSLATORS: under a table cut short: %llu records whose changes are not
                 * shown. */
                i18n_plural("and %llu more record with other changes",
                            "and %llu more records with other changes", rest),
                (unsigned long long)rest);
  else if (rest)
    wbuf_printf(b,
                /* TRANSLATORS: under a table cut short: %llu records whose values are not
                 * shown. */
                i18n_plural("and %llu more record with other values",
                            "and %llu more records with other values", rest),
                (unsigned long long)rest);
  wbuf_puts(b, rest ? "\n" : "");
  mem_free(rows);
}

/* "flags: 3 of 5 records change flags" */
static void flags_summary(wbuf *b, const diff_outcome *d)
{
  unsigned long long changed = d->flags_changed, total = d->stats->written;
  if (!changed)
    /* TRANSLATORS: no record gains or loses a flag between the old and the new rules. */
    wbuf_puts(b, _("flags: no record changes flags"));
  else
    wbuf_printf(b,
                total == 1
                    /* TRANSLATORS: %1$llu records gain or lose a flag, of %2$llu compared
                     * (here 1).  A plural by %1$llu. */
                    ? i18n_plural("flags: %llu of %llu record changes flags",
                                  "flags: %llu of %llu record change flags", changed)
                    /* TRANSLATORS: the same for a total %2$llu other than 1; a plural by
                     * %1$llu, how many change. */
                    : i18n_plural("flags: %llu of %llu records changes flags",
                                  "flags: %llu of %llu records change flags", changed),
                changed, total);
  wbuf_puts(b, "\n");
}

static void text_flags(const diff_outcome *d, wbuf *b)
{
  uint32_t shown_n = 0;
  const char *head[3] = {
      /* TRANSLATORS: a column heading of the table of flags that changed: the flag's name.
       * The table is padded to the heading's width. */
      _("flag"),
      /* TRANSLATORS: a column heading: how many records gained the flag in the new rules. */
      _("gained"),
      /* TRANSLATORS: a column heading: how many records lost the flag in the new rules. */
      _("lost")};
  size_t hw[3], w[3];
  char num[2][32];
  for (int i = 0; i < 3; i++)
    w[i] = hw[i] = width(head[i], strlen(head[i]));
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
  wbuf_puts(b, "\n");
  flags_summary(b, d);
  if (!shown_n)
    return;
  /* the name left-aligned, the counts right-aligned, as in the rows */
  wbuf_puts(b, "  ");
  wbuf_puts(b, head[0]);
  pad(b, hw[0], w[0] + 2);
  pad(b, hw[1], w[1]);
  wbuf_puts(b, head[1]);
  pad(b, 0, 2);
  pad(b, hw[2], w[2]);
  wbuf_puts(b, head[2]);
  wbuf_puts(b, "\n");
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
    if (m->idx[0] == NONE_IDX) {
      wbuf_puts(b, "  ");
      /* TRANSLATORS: after a row of the flags table: only the new rules have this flag. */
      wbuf_puts(b, _("only in the new rules"));
    } else if (m->idx[1] == NONE_IDX) {
      wbuf_puts(b, "  ");
      /* TRANSLATORS: after a row of the flags table: only the old rules have this flag. */
      wbuf_puts(b, _("only in the old rules"));
    }
    wbuf_puts(b, "\n");
  }
}

/* "village_code 411623101201, year 2020": the rules' names and the data's values */
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

/* "village_code, year": an aggregate's group keys, as the rules name them */
static void key_names(wbuf *b, const prog_aggregate *A)
{
  for (uint32_t i = 0; i < A->nkeys; i++)
    wbuf_printf(b, "%s%s", i ? ", " : "", A->key_names[i]);
}

/* "1 group only in the old rules": a note of an aggregate's first line. */
static void only_groups(wbuf *b, uint32_t n, int side)
{
  if (side == 0)
    wbuf_printf(b,
                /* TRANSLATORS: in the first line of an aggregate's section: %u groups only
                 * the old rules make (their keys differ). */
                i18n_plural("%u group only in the old rules", "%u groups only in the old rules", n),
                n);
  else
    wbuf_printf(b,
                /* TRANSLATORS: the same for groups only the new rules make. */
                i18n_plural("%u group only in the new rules", "%u groups only in the new rules", n),
                n);
}

/* The first line of an aggregate's section, when both rules have it and group alike:
 * "aggregate by_village: 2 of 9 groups change outcome; 1 group only in the new rules". */
static void aggregate_summary(wbuf *b, const agg_map *m)
{
  uint32_t only[2] = {0, 0};
  for (uint32_t i = 0; i < m->nonly; i++)
    only[m->only[i].g[0] == NONE_IDX]++;
  if (!m->nchanged) {
    /* "(9 groups, 1 group only in the new rules)" */
    wbuf notes = {0};
    /* TRANSLATORS: how many groups both rules make, in "no group changes outcome (%s)". */
    wbuf_printf(&notes, i18n_plural("%u group", "%u groups", m->matched), m->matched);
    for (int k = 0; k < 2; k++)
      if (only[k]) {
        wbuf_puts(&notes, ", ");
        only_groups(&notes, only[k], k);
      }
    /* TRANSLATORS: %1$s is an aggregate's name; %2$s how many groups both rules make and
     * any that only one makes ("9 groups, 1 group only in the new rules"). */
    wbuf_printf(b, _("aggregate %s: no group changes outcome (%s)"), m->name,
                wbuf_scratch_text(&notes, b));
    wbuf_free(&notes);
  } else {
    wbuf_printf(b,
                m->matched == 1
                    /* TRANSLATORS: %1$s is an aggregate's name, %2$u how many of its groups
                     * change a decision, of %3$u that both rules make (here 1).  A plural by
                     * %2$u. */
                    ? i18n_plural("aggregate %s: %u of %u group changes outcome",
                                  "aggregate %s: %u of %u group change outcome", m->nchanged)
                    /* TRANSLATORS: the same for a total %3$u other than 1; a plural by %2$u,
                     * how many change. */
                    : i18n_plural("aggregate %s: %u of %u groups changes outcome",
                                  "aggregate %s: %u of %u groups change outcome", m->nchanged),
                m->name, m->nchanged, m->matched);
    /* then "; 1 group only in the new rules", each a clause of its own */
    for (int k = 0; k < 2; k++)
      if (only[k]) {
        wbuf_puts(b, "; ");
        only_groups(b, only[k], k);
      }
  }
  wbuf_puts(b, "\n");
}

/* "  only in the old rules: KEY (DECISIONS)": a group that one side's rules alone make. */
static void only_group_line(wbuf *b, const prog_aggregate *const A[2], const agg_map *m, uint32_t i)
{
  int k = m->only[i].g[0] == NONE_IDX ? 1 : 0;
  uint32_t g = m->only[i].g[k];
  wbuf key = {0}, decisions = {0};
  text_key(&key, A[k], &m->g[k], g);
  text_decisions(&decisions, A[k], &m->g[k], g);
  const char *ks = wbuf_scratch_text(&key, b), *ds = wbuf_scratch_text(&decisions, b);
  wbuf_puts(b, "  ");
  if (k == 0 && m->g[k].ndec)
    /* TRANSLATORS: a group only the old rules make: %1$s its key, %2$s its decisions, each
     * a name and a value as the rules and the data write them ("village_code 411623101201,
     * year 2020", "grade \"B\""). */
    wbuf_printf(b, _("only in the old rules: %s (%s)"), ks, ds);
  else if (k == 0)
    /* TRANSLATORS: the same for an aggregate without decisions: %s is the group's key. */
    wbuf_printf(b, _("only in the old rules: %s"), ks);
  else if (m->g[k].ndec)
    /* TRANSLATORS: a group only the new rules make: %1$s its key, %2$s its decisions. */
    wbuf_printf(b, _("only in the new rules: %s (%s)"), ks, ds);
  else
    /* TRANSLATORS: the same for an aggregate without decisions: %s is the group's key. */
    wbuf_printf(b, _("only in the new rules: %s"), ks);
  wbuf_puts(b, "\n");
  wbuf_free(&key);
  wbuf_free(&decisions);
}

static void text_aggregate(const diff_outcome *d, wbuf *b, const agg_map *m)
{
  const prog_aggregate *A[2] = {m->idx[0] != NONE_IDX ? &d->P[0]->aggregates[m->idx[0]] : NULL,
                                m->idx[1] != NONE_IDX ? &d->P[1]->aggregates[m->idx[1]] : NULL};
  wbuf_puts(b, "\n");
  if (!A[1]) {
    wbuf_printf(b,
                /* TRANSLATORS: %1$s is an aggregate's name, only the old rules have it;
                 * they make %2$u groups of records. */
                i18n_plural("aggregate %s: only in the old rules (%u group)",
                            "aggregate %s: only in the old rules (%u groups)", m->g[0].n),
                m->name, m->g[0].n);
    wbuf_puts(b, "\n");
    return;
  }
  if (!A[0]) {
    wbuf_printf(b,
                /* TRANSLATORS: the same for an aggregate only the new rules have. */
                i18n_plural("aggregate %s: only in the new rules (%u group)",
                            "aggregate %s: only in the new rules (%u groups)", m->g[1].n),
                m->name, m->g[1].n);
    wbuf_puts(b, "\n");
    return;
  }
  if (!m->comparable) {
    wbuf keys[2] = {{0}, {0}};
    key_names(&keys[0], A[0]);
    key_names(&keys[1], A[1]);
    wbuf_printf(b,
                /* TRANSLATORS: %1$s is an aggregate's name, %2$s and %3$s the fields it
                 * groups records by in the old and in the new rules, as the rules name them
                 * ("village_code, year"). */
                _("aggregate %s: grouped by %s in the old rules and by %s in the new rules; its "
                  "groups cannot be compared"),
                m->name, wbuf_scratch_text(&keys[0], b), wbuf_scratch_text(&keys[1], b));
    wbuf_puts(b, "\n");
    wbuf_free(&keys[0]);
    wbuf_free(&keys[1]);
    return;
  }
  aggregate_summary(b, m);
  for (uint32_t i = 0; i < A[0]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][0] == A[0]->nkeys + i;
    if (!found) {
      wbuf_puts(b, "  ");
      /* TRANSLATORS: %s is a decision of an aggregate that only the old rules have. */
      wbuf_printf(b, _("decision %s only in the old rules"), A[0]->decisions[i].name);
      wbuf_puts(b, "\n");
    }
  }
  for (uint32_t i = 0; i < A[1]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][1] == A[1]->nkeys + i;
    if (!found) {
      wbuf_puts(b, "  ");
      /* TRANSLATORS: %s is a decision of an aggregate that only the new rules have. */
      wbuf_printf(b, _("decision %s only in the new rules"), A[1]->decisions[i].name);
      wbuf_puts(b, "\n");
    }
  }
  /* a group that changes: "  KEY: decision OLD -> NEW, ..." and its values below, in the
   * rules' names and the data's values only */
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
  for (uint32_t i = 0; i < m->nonly; i++)
    only_group_line(b, A, m, i);
}
/* "old rules: national.rules (policy X, version 2021)" */
static void text_program(wbuf *b, int side, const char *name, const elig_program *P)
{
  const char *policy = P->policy, *version = P->version;
  if (side == 0 && policy && version)
    /* TRANSLATORS: the first line of the report: %1$s names the old rule files compared,
     * %2$s and %3$s their policy and version as the rules declare them. */
    wbuf_printf(b, _("old rules: %s (policy %s, version %s)"), name, policy, version);
  else if (side == 0 && policy)
    /* TRANSLATORS: %1$s names the old rule files, %2$s their policy as declared. */
    wbuf_printf(b, _("old rules: %s (policy %s)"), name, policy);
  else if (side == 0)
    /* TRANSLATORS: %s names the old rule files. */
    wbuf_printf(b, _("old rules: %s"), name);
  else if (policy && version)
    /* TRANSLATORS: %1$s names the new rule files, %2$s and %3$s their policy and version as
     * the rules declare them. */
    wbuf_printf(b, _("new rules: %s (policy %s, version %s)"), name, policy, version);
  else if (policy)
    /* TRANSLATORS: %1$s names the new rule files, %2$s their policy as declared. */
    wbuf_printf(b, _("new rules: %s (policy %s)"), name, policy);
  else
    /* TRANSLATORS: %s names the new rule files. */
    wbuf_printf(b, _("new rules: %s"), name);
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
  unsigned long long read = st->records, compared = st->written, changed = st->changed;
  text_program(b, 0, d->name[0], d->P[0]);
  text_program(b, 1, d->name[1], d->P[1]);
  if (st->rejected)
    wbuf_printf(b,
                /* TRANSLATORS: %1$llu records read from the data, %2$llu of them compared
                 * (accepted by both rules); %3$llu rejected by the old rules, %4$llu by the
                 * new. */
                _("records: %llu read, %llu compared; rejected: %llu by the old rules, %llu by "
                  "the new rules"),
                read, compared, (unsigned long long)st->rejected_old,
                (unsigned long long)st->rejected_new);
  else
    /* TRANSLATORS: %1$llu records read from the data, %2$llu of them compared. */
    wbuf_printf(b, _("records: %llu read, %llu compared"), read, compared);
  wbuf_puts(b, "\n\n");
  if (nothing_changed(d)) {
    /* TRANSLATORS: the whole report when the old and the new rules decide alike. */
    wbuf_puts(b, _("no record changes a decision or its flags; no group changes outcome"));
    wbuf_puts(b, "\n");
    if (d->by)
      diff_by_text(d, b);
    return !b->failed;
  }
  wbuf_printf(b,
              compared == 1
                  /* TRANSLATORS: %1$llu records whose decisions or flags differ between the
                   * rules, of %2$llu compared (here 1).  A plural by %1$llu. */
                  ? i18n_plural("%llu of %llu record changes a decision or flags",
                                "%llu of %llu record change a decision or flags", changed)
                  /* TRANSLATORS: the same for a total %2$llu other than 1; a plural by
                   * %1$llu, how many change. */
                  : i18n_plural("%llu of %llu records changes a decision or flags",
                                "%llu of %llu records change a decision or flags", changed),
              changed, compared);
  wbuf_puts(b, "\n");
  for (uint32_t i = 0; i < d->ndecs; i++)
    text_decision(&nomem, b, &d->decs[i]);
  text_flags(d, b);
  for (uint32_t i = 0; i < d->naggs; i++)
    text_aggregate(d, b, &d->aggs[i]);
  if (d->by)
    diff_by_text(d, b);
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
  wbuf_puts(b, d->naggs ? "\n  ]" : "]");
  if (d->by) {
    wbuf_puts(b, ",\n");
    diff_by_json(d, b);
  }
  wbuf_puts(b, "\n}\n");
  return !nomem && !b->failed;
}
