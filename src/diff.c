/*
 * diff.c -- `elig diff`: two rule sets over the same records in one pass.  See diff.h.
 *
 * Per record: cut once (split.c), then typed, evaluated and folded into the aggregates by
 * each rule set in its own step (step.c), and the results compared by name.  Decisions shared
 * by both rule sets count in a from->to table (only changes get a row; the rest is a count of
 * unchanged), decisions of one only in a table of values; flags count gained and lost.
 * Tables are small hash tables that copy a value pair the first time it is seen, and stop
 * growing at MAX_ROWS rows (further distinct pairs are counted as "other"), so memory stays
 * flat whatever the register size.
 *
 * Aggregates: both rule sets fold every record they accept into their own tables, as two
 * runs would.  At the end each group's keys, decisions and outputs are written as text, and
 * the groups of the two sides are matched by their key text.  diff_report.c writes what was
 * found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "batch.h"
#include "diff.h"
#include "diff_data.h"
#include "feed.h"
#include "hist.h"
#include "hrun.h"
#include "i18n.h"
#include "mem.h"
#include "split.h"
#include "step.h"
#include "write.h"

#define MAX_ROWS 1000        /* distinct rows kept per table; more are counted as "other" */
#define LIST_FLUSH (1 << 16) /* bytes of list text gathered before writing */

/* A value as `elig run` prints it; buf (DEC_FMT_MAX bytes) holds it unless it is text. */
static vtext val_text(ty_type t, const vm_val *v, char *buf)
{
  vtext r = {"", 0, v->none};
  if (v->none)
    return r;
  r.p = buf;
  if (t.base == TY_TEXT) {
    r.p = v->u.s.p;
    r.len = v->u.s.len;
  } else {
    r.len = write_scalar(t, v, buf);
  }
  return r;
}

/* ---------------------------------------------------------------- the two sides */

typedef struct {
  const elig_program *P;
  const char *label;   /* "old" or "new" */
  step step;           /* its evaluation, aggregates included */
  rec_header *headers; /* per input: its CSV file's mapping (kept for a run over history) */
  rec_header *header;  /* the current file's */
  hist_chain chain;    /* with history: the household followed (hist.h) */
  rec_unknown unknown; /* JSON keys that are no field */
  bool ok;             /* the current record was accepted */
  char why[512];       /* else why not */
} side;

typedef struct {
  const diff_options *o;
  const elig_batch_io *io;
  elig_batch_stats *st;
  side s[2];
  uint32_t ks; /* the side whose key fields name records */
  dec_map *decs;
  uint32_t ndecs;
  flag_map *flags;
  uint32_t nflags;
  agg_map *aggs;
  uint32_t naggs;
  uint64_t flags_changed, groups_changed;
  splitter split;
  input_chunk chunk;
  wbuf lbuf;   /* list text not yet written */
  wbuf key;    /* the current record's key (record_key) */
  wbuf logbuf; /* messages not yet written */
  bool read_failed, write_failed, nomem, canceled;
  uint64_t seq;   /* records in input order, for first() */
  uint32_t input; /* the input being read */
  /* Rule sets following households over the years: the records either side can read are
   * kept (hrun_entry) and compared once all are read, household by household, each year
   * after the one before on both sides. */
  bool history;
  wbuf entries;
  /* --by: the counts per group (diff_data.h), and the current record's group on each side
   * (NONE_IDX when that side rejected it) */
  bool by;
  by_count byc;
  uint32_t group[2];
  /* the record's group keys for the list: per list column, the aggregate and its key */
  uint32_t (*list_groups)[2];
  uint32_t nlist_groups;
  param_years years;
} diff;

/* Writes what the list and the messages hold. */
static void flush(diff *d)
{
  bool list_ok = batch_write(d->io, ELIG_STREAM_LIST, &d->lbuf, &d->nomem);
  if ((!batch_write(d->io, ELIG_STREAM_MESSAGES, &d->logbuf, &d->nomem) || !list_ok) && !d->nomem)
    d->write_failed = true;
}

/* ---------------------------------------------------------------- count tables */

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n, bool none)
{
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return (h ^ (none ? 0x1ff : 0xff)) * 1099511628211ull;
}

static bool row_is(const row *r, uint64_t h, vtext a, vtext b)
{
  return r->hash == h && r->anone == a.none && r->bnone == b.none && r->alen == a.len &&
         r->blen == b.len && memcmp(r->a, a.p, a.len) == 0 && memcmp(r->b, b.p, b.len) == 0;
}

static bool ctable_grow(ctable *t)
{
  uint32_t ns = t->nslots ? t->nslots * 2 : 64;
  uint32_t *slots = mem_calloc(ns, sizeof *slots);
  if (!slots)
    return false;
  for (uint32_t i = 0; i < t->n; i++) {
    uint32_t j = (uint32_t)t->rows[i].hash & (ns - 1);
    while (slots[j])
      j = (j + 1) & (ns - 1);
    slots[j] = i + 1;
  }
  mem_free(t->slots);
  t->slots = slots;
  t->nslots = ns;
  return true;
}

/* Counts the pair (a, b).  False when out of memory. */
static bool ctable_add(ctable *t, vtext a, vtext b)
{
  t->total++;
  uint64_t h =
      hash_bytes(hash_bytes(1469598103934665603ull, a.p, a.len, a.none), b.p, b.len, b.none);
  if (t->last && row_is(&t->rows[t->last - 1], h, a, b)) {
    t->rows[t->last - 1].count++;
    return true;
  }
  if ((t->n + 1) * 2 > t->nslots && t->n < MAX_ROWS && !ctable_grow(t))
    return false;
  uint32_t j = (uint32_t)h & (t->nslots - 1);
  for (; t->slots[j]; j = (j + 1) & (t->nslots - 1))
    if (row_is(&t->rows[t->slots[j] - 1], h, a, b)) {
      t->last = t->slots[j];
      t->rows[t->last - 1].count++;
      return true;
    }
  if (t->n >= MAX_ROWS) {
    t->other++;
    return true;
  }
  if (t->n == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    row *rows = mem_realloc(t->rows, cap * sizeof *rows);
    if (!rows)
      return false;
    t->rows = rows;
    t->cap = cap;
  }
  row *r = &t->rows[t->n];
  char *copy = mem_alloc(a.len + b.len + 1);
  if (!copy)
    return false;
  memcpy(copy, a.p, a.len);
  memcpy(copy + a.len, b.p, b.len);
  *r = (row){copy, copy + a.len, (uint32_t)a.len, (uint32_t)b.len, a.none, b.none, 1, h};
  t->slots[j] = ++t->n;
  t->last = t->n;
  return true;
}

static void ctable_fini(ctable *t)
{
  for (uint32_t i = 0; i < t->n; i++)
    mem_free(t->rows[i].a);
  mem_free(t->rows);
  mem_free(t->slots);
  memset(t, 0, sizeof *t);
}

static vtext decision_value(const side *s, uint32_t dec, char *buf)
{
  const prog_decision *D = &s->P->decisions[dec];
  const vm_val *v = vm_cell_value(s->step.ctx, D->cell);
  if (vm_unknown_of(s->step.ctx, v)) /* a value of its own in the transitions */
    return (vtext){WRITE_UNDETERMINED, sizeof WRITE_UNDETERMINED - 1, false};
  return val_text(D->type, v, buf);
}

/* Raised for certain: a flag that may be raised (three values) is not counted as gained. */
static bool flag_raised(const side *s, uint32_t f)
{
  return f != NONE_IDX && vm_flag_raised(s->step.ctx, f) && !vm_flag_unknown(s->step.ctx, f);
}

/* Counts a record's values of decision i in its group (--by). */
static void by_count_decision(diff *d, uint32_t i, vtext a, vtext b)
{
  if (d->by && d->group[0] != NONE_IDX && !by_decision(&d->byc, d->group[0], i, a, b))
    d->nomem = true;
}

/* Compares the two results of a record both sides accepted; true when it changed. */
static bool compare(diff *d)
{
  char ba[DEC_FMT_MAX], bb[DEC_FMT_MAX];
  static const vtext nothing = {"", 0, true};
  bool changed = false, fchanged = false;
  for (uint32_t i = 0; i < d->ndecs; i++) {
    dec_map *m = &d->decs[i];
    vtext a = m->idx[0] != NONE_IDX ? decision_value(&d->s[0], m->idx[0], ba) : nothing;
    vtext b = m->idx[1] != NONE_IDX ? decision_value(&d->s[1], m->idx[1], bb) : nothing;
    by_count_decision(d, i, a, b);
    bool ok = true;
    if (m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX) {
      if (vtext_eq(a, b)) {
        m->t.same++;
        m->t.total++;
        continue;
      }
      changed = true;
      ok = ctable_add(&m->t, a, b);
    } else {
      ok = ctable_add(&m->t, m->idx[0] != NONE_IDX ? a : b, nothing);
    }
    if (!ok)
      d->nomem = true;
  }
  for (uint32_t i = 0; i < d->nflags; i++) {
    flag_map *m = &d->flags[i];
    bool a = flag_raised(&d->s[0], m->idx[0]), b = flag_raised(&d->s[1], m->idx[1]);
    if (a == b)
      continue;
    fchanged = true;
    if (a)
      m->lost++;
    else
      m->gained++;
    if (d->by && d->group[0] != NONE_IDX)
      by_flag(&d->byc, d->group[0], i, a);
  }
  if (fchanged)
    d->flags_changed++;
  if (fchanged || changed)
    d->st->changed++;
  return fchanged || changed;
}

/* The list's columns of groups: each key of the aggregate given to --by, or without it of
 * every aggregate of the old rules, once by name and not when the record has a key field of
 * that name (the year): "village_code,county_code" beside "hh_id,year". */
static bool list_group_columns(diff *d)
{
  const elig_program *P = d->s[0].P;
  const prog_record *rec = prog_main_record(P);
  uint32_t most = 1;
  for (uint32_t a = 0; a < P->naggregates; a++)
    most += P->aggregates[a].nkeys;
  d->list_groups = mem_calloc(most, sizeof *d->list_groups);
  if (!d->list_groups)
    return false;
  for (uint32_t a = 0; a < P->naggregates; a++) {
    if (d->by && a != d->byc.agg[0])
      continue;
    const prog_aggregate *A = &P->aggregates[a];
    for (uint32_t k = 0; k < A->nkeys; k++) {
      bool taken = false;
      for (uint32_t f = 0; f < P->nkeys; f++)
        taken |= strcmp(rec->fields[P->key_fields[f]].name, A->key_names[k]) == 0;
      for (uint32_t c = 0; c < d->nlist_groups; c++) {
        const uint32_t *g = d->list_groups[c];
        taken |= strcmp(P->aggregates[g[0]].key_names[g[1]], A->key_names[k]) == 0;
      }
      if (!taken) {
        d->list_groups[d->nlist_groups][0] = a;
        d->list_groups[d->nlist_groups++][1] = k;
      }
    }
  }
  return true;
}

/* "line,hh_id,year,village_code,county_code,old_status,new_status,...,old_flags,new_flags":
 * the record's key fields and its groups each a column of their own, for a pivot table. */
static void list_header(diff *d)
{
  const elig_program *P = d->s[d->ks].P;
  const prog_record *rec = prog_main_record(P);
  wbuf_puts(&d->lbuf, "line");
  for (uint32_t k = 0; k < P->nkeys; k++) {
    wbuf_puts(&d->lbuf, ",");
    wbuf_csv_text(&d->lbuf, rec->fields[P->key_fields[k]].name,
                  strlen(rec->fields[P->key_fields[k]].name));
  }
  for (uint32_t c = 0; c < d->nlist_groups; c++) {
    const char *name = d->s[0].P->aggregates[d->list_groups[c][0]].key_names[d->list_groups[c][1]];
    wbuf_puts(&d->lbuf, ",");
    wbuf_csv_text(&d->lbuf, name, strlen(name));
  }
  for (uint32_t i = 0; i < d->ndecs; i++) {
    const char *n = d->decs[i].name;
    wbuf_puts(&d->lbuf, ",");
    wbuf_printf(&d->lbuf, "old_%s,new_%s", n, n);
  }
  wbuf_puts(&d->lbuf, ",old_flags,new_flags\n");
}

/* The record's cells of the list's group columns: its groups' keys in the old rules. */
static void list_groups(diff *d)
{
  char buf[DEC_FMT_MAX];
  for (uint32_t c = 0; c < d->nlist_groups; c++) {
    uint32_t a = d->list_groups[c][0], k = d->list_groups[c][1];
    const vm_val *keys = agg_last_keys(&d->s[0].step.aggs[a]);
    wbuf_puts(&d->lbuf, ",");
    if (!keys)
      continue;
    vtext v = val_text(d->s[0].P->aggregates[a].key_columns[k].type, &keys[k], buf);
    if (!v.none)
      wbuf_csv_text(&d->lbuf, v.p, v.len);
  }
}

static void list_flags(wbuf *b, const side *s)
{
  bool any = false;
  for (uint32_t f = 0; f < s->P->nflags; f++)
    if (flag_raised(s, f)) {
      if (any)
        wbuf_puts(b, ";");
      wbuf_puts(b, s->P->flags[f].name);
      any = true;
    }
}

static void list_row(diff *d, const split_record *r)
{
  char buf[DEC_FMT_MAX];
  wbuf *b = &d->lbuf;
  const side *ks = &d->s[d->ks];
  wbuf_printf(b, "%llu", (unsigned long long)r->line);
  for (uint32_t k = 0; k < ks->P->nkeys; k++) {
    const char *text;
    size_t len;
    step_key_part(&ks->step, ks->header, r, k, &text, &len);
    wbuf_puts(b, ",");
    wbuf_csv_text(b, text, len);
  }
  list_groups(d);
  for (uint32_t i = 0; i < d->ndecs; i++)
    for (int k = 0; k < 2; k++) {
      wbuf_puts(b, ",");
      if (d->decs[i].idx[k] != NONE_IDX) {
        vtext v = decision_value(&d->s[k], d->decs[i].idx[k], buf);
        if (!v.none)
          wbuf_csv_text(b, v.p, v.len);
      }
    }
  wbuf_puts(b, ",");
  list_flags(b, &d->s[0]);
  wbuf_puts(b, ",");
  list_flags(b, &d->s[1]);
  wbuf_puts(b, "\n");
}

/* Which rules rejected a record. */
typedef enum {
  BY_BOTH,    /* a record neither side could read: said without a note */
  BY_OLD_NEW, /* both, for the same reason */
  BY_OLD,
  BY_NEW
} rejected_by;

/* "NAME:LINE: rejected KEY: REASON (SIDES)", control characters in the key replaced so that
 * a key cannot forge log lines.  "NAME:LINE: rejected KEY: " is as `elig run` writes it, for
 * people and scripts alike; the reason (translated where it was made) and the note on the
 * sides are in the reader's language. */
static void reject_line(diff *d, const char *name, uint64_t line, const char *key, size_t keylen,
                        const char *reason, rejected_by by)
{
  wbuf *b = &d->logbuf;
  wbuf_printf(b, "%s:%llu: rejected", name, (unsigned long long)line);
  if (keylen) {
    wbuf_puts(b, " ");
    wbuf_put_printable(b, key, keylen);
  }
  wbuf_puts(b, ": ");
  wbuf_puts(b, reason);
  if (by != BY_BOTH)
    wbuf_puts(b, " ");
  if (by == BY_OLD_NEW)
    /* TRANSLATORS: after why `elig diff` rejected a record: both rule sets did. */
    wbuf_puts(b, _("(old and new rules)"));
  else if (by == BY_OLD)
    /* TRANSLATORS: after why `elig diff` rejected a record: the old rules did. */
    wbuf_puts(b, _("(old rules)"));
  else if (by == BY_NEW)
    /* TRANSLATORS: after why `elig diff` rejected a record: the new rules did. */
    wbuf_puts(b, _("(new rules)"));
  wbuf_puts(b, "\n");
}

/* A record neither side could read. */
static void reject_both(diff *d, const char *name, uint64_t line, const char *reason)
{
  d->st->rejected++;
  d->st->rejected_old++;
  d->st->rejected_new++;
  reject_line(d, name, line, "", 0, reason, BY_BOTH);
}

/* After both sides typed and evaluated a record: count, report, list. */
static void settle(diff *d, const char *name, const split_record *r, const char *key, size_t keylen)
{
  side *o = &d->s[0], *n = &d->s[1];
  if (o->ok && n->ok) {
    list_row(d, r);
    return;
  }
  d->st->rejected++;
  d->st->rejected_old += !o->ok;
  d->st->rejected_new += !n->ok;
  if (!o->ok && !n->ok && strcmp(o->why, n->why) == 0) {
    reject_line(d, name, r->line, key, keylen, o->why, BY_OLD_NEW);
    return;
  }
  if (!o->ok)
    reject_line(d, name, r->line, key, keylen, o->why, BY_OLD);
  if (!n->ok)
    reject_line(d, name, r->line, key, keylen, n->why, BY_NEW);
}

/* ---------------------------------------------------------------- setup */

/* The union of both programs' decisions, flags and aggregates: the old program's in its
 * order, then the new program's that the old one lacks. */
static bool build_maps(diff *d)
{
  const elig_program *O = d->s[0].P, *N = d->s[1].P;
  d->decs = mem_calloc(O->ndecisions + N->ndecisions + 1, sizeof *d->decs);
  d->flags = mem_calloc(O->nflags + N->nflags + 1, sizeof *d->flags);
  d->aggs = mem_calloc(O->naggregates + N->naggregates + 1, sizeof *d->aggs);
  if (!d->decs || !d->flags || !d->aggs)
    return false;
  for (uint32_t i = 0; i < O->ndecisions; i++)
    d->decs[d->ndecs++] =
        (dec_map){O->decisions[i].name, {i, prog_find_decision(N, O->decisions[i].name)}, {0}};
  for (uint32_t i = 0; i < N->ndecisions; i++)
    if (prog_find_decision(O, N->decisions[i].name) == NONE_IDX)
      d->decs[d->ndecs++] = (dec_map){N->decisions[i].name, {NONE_IDX, i}, {0}};
  for (uint32_t i = 0; i < O->nflags; i++)
    d->flags[d->nflags++] =
        (flag_map){O->flags[i].name, {i, prog_find_flag(N, O->flags[i].name)}, 0, 0};
  for (uint32_t i = 0; i < N->nflags; i++)
    if (prog_find_flag(O, N->flags[i].name) == NONE_IDX)
      d->flags[d->nflags++] = (flag_map){N->flags[i].name, {NONE_IDX, i}, 0, 0};
  for (uint32_t i = 0; i < O->naggregates; i++) {
    agg_map *m = &d->aggs[d->naggs++];
    m->name = O->aggregates[i].name;
    m->idx[0] = i;
    m->idx[1] = prog_find_aggregate(N, m->name);
  }
  for (uint32_t i = 0; i < N->naggregates; i++)
    if (prog_find_aggregate(O, N->aggregates[i].name) == NONE_IDX) {
      agg_map *m = &d->aggs[d->naggs++];
      m->name = N->aggregates[i].name;
      m->idx[0] = NONE_IDX;
      m->idx[1] = i;
    }
  return true;
}

/* ---------------------------------------------------------------- aggregates */

/* Collects one group's columns as text (as results print them) into a glist. */
typedef struct {
  glist *g;
  const prog_column *cols;
  bool nomem;
} glist_visit;

static bool glist_add(void *arg, const vm_ctx *ctx, const agg_range *ranges)
{
  glist_visit *v = arg;
  glist *g = v->g;
  char buf[256];
  if (g->n == g->cap) {
    uint32_t cap = g->cap ? g->cap * 2 : 64;
    size_t *off = mem_realloc(g->off, (size_t)cap * g->ncols * sizeof *off);
    if (off)
      g->off = off;
    uint32_t *len = mem_realloc(g->len, (size_t)cap * g->ncols * sizeof *len);
    if (len)
      g->len = len;
    if (!off || !len)
      return !(v->nomem = true);
    g->cap = cap;
  }
  for (uint32_t c = 0; c < g->ncols; c++) {
    const prog_column *col = &v->cols[c];
    const vm_val *val = vm_column_value(ctx, col);
    const char *text = ranges || vm_unknown_of(ctx, val)
                           ? write_group_text(col, ctx, ranges ? &ranges[c] : NULL, buf, sizeof buf)
                       : val->none ? ""
                                   : write_value_text(col->type, val, false, buf, sizeof buf);
    if (!text)
      return !(v->nomem = true);
    g->off[(size_t)g->n * g->ncols + c] = g->text.len;
    g->len[(size_t)g->n * g->ncols + c] = (uint32_t)strlen(text);
    wbuf_put(&g->text, text, strlen(text));
  }
  g->n++;
  return !g->text.failed || !(v->nomem = true);
}

/* Side k's groups of aggregate a, in key order, each as text cells: keys, decisions, then the
 * aggregate's output columns.  False (with a message) when a group fails to compute. */
static bool glist_build(diff *d, int k, uint32_t a, glist *g)
{
  side *s = &d->s[k];
  agg_table *t = &s->step.aggs[a];
  const prog_aggregate *A = t->A;
  const elig_program *P = s->P;
  memset(g, 0, sizeof *g);
  g->nkeys = A->nkeys;
  g->ndec = A->ndecisions;
  g->ncols = A->nkeys + A->ndecisions + A->ncolumns;
  prog_column *cols = mem_calloc(g->ncols + 1, sizeof *cols);
  if (!cols) {
    d->nomem = true;
    return false;
  }
  memcpy(cols, A->key_columns, A->nkeys * sizeof *cols);
  memcpy(cols + A->nkeys, A->decision_columns, A->ndecisions * sizeof *cols);
  memcpy(cols + A->nkeys + A->ndecisions, A->columns, A->ncolumns * sizeof *cols);
  glist_visit v = {g, cols, false};
  vm_status st = agg_each(t, s->step.ctx, cols, g->ncols, glist_add, &v);
  mem_free(cols);
  bool ok = true;
  if (v.nomem || st == VM_ERR_NO_MEMORY) {
    d->nomem = true;
  } else if (st != VM_OK) {
    char where[256];
    prog_where(P, vm_error_pc(s->step.ctx), where, sizeof where);
    const char *what = vm_status_str(st);
    wbuf_puts(&d->logbuf, "elig: ");
    if (k == 0)
      /* TRANSLATORS: a rule of the old rules failed while an aggregate's groups were
       * computed: %1$s is the aggregate's name, %2$s what went wrong ("division by zero"),
       * %3$s where in the rules (file:line:column). */
      wbuf_printf(&d->logbuf, _("aggregate '%s' (old rules): %s at %s"), A->name, what, where);
    else
      /* TRANSLATORS: the same in the new rules. */
      wbuf_printf(&d->logbuf, _("aggregate '%s' (new rules): %s at %s"), A->name, what, where);
    wbuf_puts(&d->logbuf, "\n");
    ok = false;
  }
  if (t->overflow) {
    wbuf_puts(&d->logbuf, "elig: ");
    if (k == 0)
      /* TRANSLATORS: %s is an aggregate of the old rules: one of its sums is beyond what a
       * value holds. */
      wbuf_printf(&d->logbuf, _("aggregate '%s' (old rules): a sum went out of range"), A->name);
    else
      /* TRANSLATORS: the same in the new rules. */
      wbuf_printf(&d->logbuf, _("aggregate '%s' (new rules): a sum went out of range"), A->name);
    wbuf_puts(&d->logbuf, "\n");
    ok = false;
  }
  return ok && !d->nomem;
}

static void glist_fini(glist *g)
{
  wbuf_free(&g->text);
  mem_free(g->off);
  mem_free(g->len);
  memset(g, 0, sizeof *g);
}

typedef struct {
  const glist *g;
  uint32_t i;
} gref;

static int key_order(const void *x, const void *y)
{
  const gref *a = x, *b = y;
  for (uint32_t c = 0; c < a->g->nkeys; c++) {
    vtext u = glist_cell(a->g, a->i, c), v = glist_cell(b->g, b->i, c);
    int r = text_cmp(u.p, u.len, v.p, v.len);
    if (r)
      return r;
  }
  return 0;
}

bool agg_map_pairs(const agg_map *m, gpair *pairs, uint32_t *n)
{
  gref *r[2] = {mem_alloc((m->g[0].n + 1) * sizeof *r[0]),
                mem_alloc((m->g[1].n + 1) * sizeof *r[1])};
  bool ok = r[0] && r[1];
  for (int k = 0; ok && k < 2; k++) {
    for (uint32_t i = 0; i < m->g[k].n; i++)
      r[k][i] = (gref){&m->g[k], i};
    qsort(r[k], m->g[k].n, sizeof *r[k], key_order);
  }
  *n = 0;
  for (uint32_t i = 0, j = 0; ok && (i < m->g[0].n || j < m->g[1].n);) {
    int c = i == m->g[0].n ? 1 : j == m->g[1].n ? -1 : key_order(&r[0][i], &r[1][j]);
    gpair *p = &pairs[(*n)++];
    p->g[0] = c <= 0 ? r[0][i++].i : NONE_IDX;
    p->g[1] = c >= 0 ? r[1][j++].i : NONE_IDX;
  }
  mem_free(r[0]);
  mem_free(r[1]);
  return ok;
}

static int pair_order(const void *x, const void *y)
{
  const gpair *a = x, *b = y;
  for (int k = 0; k < 2; k++)
    if (a->g[k] != b->g[k])
      return a->g[k] == NONE_IDX ? 1 : b->g[k] == NONE_IDX ? -1 : a->g[k] < b->g[k] ? -1 : 1;
  return 0;
}

/* Column numbers of the decisions (or other outputs) both sides have, by name. */
static bool common_columns(agg_map *m, const prog_aggregate *A[2], bool decisions)
{
  uint32_t n0 = decisions ? A[0]->ndecisions : A[0]->ncolumns;
  uint32_t(*cols)[2] = mem_calloc(n0 + 1, sizeof *cols);
  uint32_t n = 0;
  if (!cols)
    return false;
  for (uint32_t i = 0; i < n0; i++) {
    const prog_column *c0 = decisions ? NULL : &A[0]->columns[i];
    const char *name = decisions ? A[0]->decisions[i].name : c0->name;
    bool skip = false;
    /* outputs that are keys or decisions are shown as such already */
    for (uint32_t k = 0; c0 && k < A[0]->nkeys; k++)
      skip |= strcmp(A[0]->key_names[k], name) == 0;
    for (uint32_t k = 0; c0 && k < A[0]->ndecisions; k++)
      skip |= strcmp(A[0]->decisions[k].name, name) == 0;
    uint32_t n1 = decisions ? A[1]->ndecisions : A[1]->ncolumns;
    for (uint32_t j = 0; !skip && j < n1; j++) {
      const char *other = decisions ? A[1]->decisions[j].name : A[1]->columns[j].name;
      if (strcmp(other, name) != 0)
        continue;
      if (decisions) {
        cols[n][0] = A[0]->nkeys + i;
        cols[n][1] = A[1]->nkeys + j;
      } else {
        cols[n][0] = A[0]->nkeys + A[0]->ndecisions + i;
        cols[n][1] = A[1]->nkeys + A[1]->ndecisions + j;
      }
      n++;
      break;
    }
  }
  if (decisions) {
    m->dcol = cols;
    m->ndcol = n;
  } else {
    m->vcol = cols;
    m->nvcol = n;
  }
  return true;
}

/* Matches the groups of an aggregate both programs have, by key text. */
static bool match_groups(diff *d, agg_map *m)
{
  const prog_aggregate *A[2] = {&d->s[0].P->aggregates[m->idx[0]],
                                &d->s[1].P->aggregates[m->idx[1]]};
  m->comparable = A[0]->nkeys == A[1]->nkeys;
  if (!m->comparable)
    return true;
  if (!common_columns(m, A, true) || !common_columns(m, A, false))
    return false;
  uint32_t most = m->g[0].n + m->g[1].n + 1, npairs = 0;
  gpair *pairs = mem_alloc(most * sizeof *pairs);
  m->changed = mem_alloc(most * sizeof *m->changed);
  m->only = mem_alloc(most * sizeof *m->only);
  bool ok = pairs && m->changed && m->only && agg_map_pairs(m, pairs, &npairs);
  for (uint32_t i = 0; ok && i < npairs; i++) {
    gpair p = pairs[i];
    if (p.g[0] == NONE_IDX || p.g[1] == NONE_IDX) {
      m->only[m->nonly++] = p;
      continue;
    }
    m->matched++;
    for (uint32_t x = 0; x < m->ndcol; x++)
      if (!vtext_eq(glist_cell(&m->g[0], p.g[0], m->dcol[x][0]),
                    glist_cell(&m->g[1], p.g[1], m->dcol[x][1]))) {
        m->changed[m->nchanged++] = p;
        break;
      }
  }
  if (ok) {
    /* in the order the groups print: the old side's, then the new side's */
    qsort(m->changed, m->nchanged, sizeof *m->changed, pair_order);
    qsort(m->only, m->nonly, sizeof *m->only, pair_order);
  }
  mem_free(pairs);
  return ok;
}

static bool compare_aggregates(diff *d)
{
  bool ok = true;
  for (uint32_t i = 0; i < d->naggs && ok; i++) {
    agg_map *m = &d->aggs[i];
    for (int k = 0; k < 2 && ok; k++)
      if (m->idx[k] != NONE_IDX)
        ok = glist_build(d, k, m->idx[k], &m->g[k]);
    if (ok && m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX) {
      if (!match_groups(d, m)) {
        d->nomem = true;
        ok = false;
      }
      d->groups_changed += m->nchanged + m->nonly;
    }
  }
  return ok;
}

/* ---------------------------------------------------------------- one record */

/* The record's key as it reads in a rejection or the list, whole, in d->key: its key
 * fields' raw text joined by '/' (an empty part stays empty: "/2020"); its length, 0 when
 * no part can be read. */
static size_t record_key(diff *d, const split_record *r)
{
  const side *s = &d->s[d->ks];
  d->key.len = 0;
  for (uint32_t k = 0; k < s->P->nkeys; k++) {
    const char *text;
    size_t len;
    if (k)
      wbuf_put(&d->key, "/", 1);
    step_key_part(&s->step, s->header, r, k, &text, &len);
    wbuf_put(&d->key, text, len);
  }
  d->nomem |= d->key.failed;
  if (d->key.failed || (s->P->nkeys && d->key.len == s->P->nkeys - 1))
    return 0; /* no part at all ("/"): no key */
  return d->key.len;
}

/* Side s's verdict on record r. */
static void judge_side(diff *d, side *s, const split_record *r)
{
  step_why why;
  char text[sizeof s->why];
  switch (step_record(&s->step, s->header, r, d->seq, &s->unknown, &why)) {
  case STEP_OK: s->ok = true; return;
  case STEP_REJECTED: snprintf(s->why, sizeof s->why, "%s", why.reject.message); break;
  case STEP_FAILED:
    snprintf(s->why, sizeof s->why, "%s", step_failure_text(&s->step, &why, text, sizeof text));
    break;
  case STEP_NO_MEMORY: d->nomem = true; break;
  }
  s->ok = false;
}

/* Side s's verdict on record r, which is the next of its household (history): typed, then
 * evaluated after the household's year before, or rejected as a duplicate. */
static void judge_side_in_history(diff *d, side *s, const split_record *r, uint64_t ord,
                                  const char *name, uint64_t line)
{
  step_why why;
  char text[sizeof s->why];
  step_result res = step_type(&s->step, s->header, r, &s->unknown, &why);
  if (res == STEP_OK && s->P->order_field != PROG_NONE)
    res = hist_begin(&s->chain, &s->step, name, line, &why);
  if (res == STEP_OK)
    res = step_evaluate(&s->step, ord, &why);
  if (res == STEP_OK && s->P->order_field != PROG_NONE)
    res = hist_accept(&s->chain, &s->step, &why);
  s->ok = res == STEP_OK;
  if (res == STEP_REJECTED)
    snprintf(s->why, sizeof s->why, "%s", why.reject.message);
  else if (res == STEP_FAILED)
    snprintf(s->why, sizeof s->why, "%s", step_failure_text(&s->step, &why, text, sizeof text));
  else if (res == STEP_NO_MEMORY)
    d->nomem = true;
}

/* --by: the record's group on each side that accepted it (d->group), and where it counts:
 * compared in the old rules' group, rejected by one rule set in the other's group, or
 * rejected by both in none. */
static void by_place(diff *d)
{
  for (int k = 0; k < 2; k++) {
    uint32_t g = d->s[k].ok ? agg_last_index(&d->s[k].step.aggs[d->byc.agg[k]]) : NONE_IDX;
    if (g != NONE_IDX && !by_group_room(&d->byc, k, g)) {
      d->nomem = true;
      g = NONE_IDX;
    }
    d->group[k] = g;
  }
  if (d->s[0].ok && d->s[1].ok && d->group[0] != NONE_IDX)
    d->byc.compared[d->group[0]]++;
  else if (d->s[0].ok && d->group[0] != NONE_IDX)
    d->byc.rejected_new[d->group[0]]++;
  else if (d->s[1].ok && d->group[1] != NONE_IDX)
    d->byc.rejected_old[d->group[1]]++;
  else if (!d->s[0].ok && !d->s[1].ok)
    d->byc.unplaced++;
  d->group[0] = d->s[1].ok ? d->group[0] : NONE_IDX; /* compare() counts in group[0] */
}

/* What is done with a record once both sides judged it. */
static void settle_record(diff *d, const char *name, const split_record *r, bool parsed)
{
  for (int k = 0; k < 2 && param_years_wanted(&d->years); k++)
    if (d->s[k].ok)
      param_years_note(&d->years, k, d->s[k].step.ctx);
  if (d->by)
    by_place(d);
  if (!parsed && !d->s[0].ok && !d->s[1].ok) {
    /* neither side could read it: one reason, said once (the old side's words) */
    reject_both(d, name, r->line, d->s[0].why);
    return;
  }
  bool needs_key = !d->s[0].ok || !d->s[1].ok;
  if (!needs_key) {
    d->st->written++;
    needs_key = compare(d) && d->o->list;
  }
  if (needs_key) {
    /* the key is for a rejection's line (the list writes its own cells) */
    size_t n = d->s[0].ok && d->s[1].ok ? 0 : record_key(d, r);
    settle(d, name, r, n ? d->key.p : "", n);
  }
}

static void one_record(diff *d, const char *name, const split_record *r)
{
  d->st->records++;
  bool parsed = r->format == INPUT_CSV ? r->csv->error == CSV_OK : r->json != NULL;
  for (int k = 0; k < 2; k++)
    judge_side(d, &d->s[k], r);
  d->seq++;
  settle_record(d, name, r, parsed);
}

/* ---------------------------------------------------------------- reading */

/* The diff's side of the reading loop (feed.h): one chunk, reused; the CSV header mapped
 * for both rule sets; each chunk compared record by record. */
typedef struct {
  diff *d;
  const char *name;
  input_format fmt;
} reading;

static input_chunk *reading_buffer(void *arg)
{
  return &((reading *)arg)->d->chunk;
}

/* A header that one rule set cannot use makes that side reject every record of the file,
 * as `elig run` would: a column the new rules need and the register lacks shows up as
 * records rejected by the new rules. */
static feed_header reading_header(void *arg, const char *name, uint64_t line, const csv_record *r)
{
  diff *d = ((reading *)arg)->d;
  char error[512], unknown[2][512];
  bool is_record = true;
  for (int k = 0; k < 2; k++) {
    side *s = &d->s[k];
    s->header = &s->headers[d->input];
    rec_header_fini(s->header);
    if (rec_header_init(s->header, s->P, r, error, sizeof error, unknown[k], sizeof unknown[k])) {
      is_record = false;
      continue;
    }
    if (s->header->no_memory)
      return FEED_HEADER_NO_MEMORY;
    /* "FILE:LINE: error: " as compilers start a line, for editors and scripts */
    wbuf_printf(&d->logbuf, "%s:%llu: error: ", name, (unsigned long long)line);
    if (k == 0)
      /* TRANSLATORS: a CSV file's header line cannot be used by the old rules: %s says
       * why. */
      wbuf_printf(&d->logbuf, _("%s (old rules); every record of the file is rejected by them"),
                  error);
    else
      /* TRANSLATORS: the same for the new rules. */
      wbuf_printf(&d->logbuf, _("%s (new rules); every record of the file is rejected by them"),
                  error);
    wbuf_puts(&d->logbuf, "\n");
    is_record = is_record && s->header->first_line_is_record;
    unknown[k][0] = '\0';
  }
  for (int k = 0; k < 2; k++) {
    const elig_program *P = d->s[k].P;
    bool same = strcmp(unknown[0], unknown[1]) == 0;
    if (!unknown[k][0] || (k == 1 && same))
      continue;
    const char *record = prog_main_record(P)->name;
    wbuf_printf(&d->logbuf, "%s:%llu: warning: ", name, (unsigned long long)line);
    if (same)
      /* TRANSLATORS: %1$s is the record type the rules read (as they name it), %2$s the
       * columns of the CSV header that are none of its fields, as the file names them. */
      wbuf_printf(&d->logbuf, _("columns that are not fields of '%s' are ignored: %s"), record,
                  unknown[k]);
    else if (k == 0)
      wbuf_printf(&d->logbuf,
                  /* TRANSLATORS: the same when only the old rules ignore them. */
                  _("columns that are not fields of '%s' are ignored by the old rules: %s"), record,
                  unknown[k]);
    else
      wbuf_printf(&d->logbuf,
                  /* TRANSLATORS: the same when only the new rules ignore them. */
                  _("columns that are not fields of '%s' are ignored by the new rules: %s"), record,
                  unknown[k]);
    wbuf_puts(&d->logbuf, "\n");
  }
  flush(d);
  return is_record ? FEED_HEADER_IS_RECORD : FEED_HEADER_OK;
}

/* With history: a record either side can type is kept for later (true); one neither can is
 * judged now (false). */
static bool keep_record(diff *d, const split_record *r)
{
  /* the household and year come from a side that follows households, when one can read the
   * record: a side without history has no year to order by.  The unknown keys are counted
   * when the record is judged, not here. */
  int order[2] = {0, 1};
  if (d->s[0].P->order_field == PROG_NONE && d->s[1].P->order_field != PROG_NONE)
    order[0] = 1, order[1] = 0;
  for (int i = 0; i < 2; i++) {
    side *s = &d->s[order[i]];
    step_why why;
    rec_unknown ignored = {0};
    step_result res = step_type(&s->step, s->header, r, &ignored, &why);
    if (res == STEP_NO_MEMORY)
      d->nomem = true;
    if (res != STEP_OK)
      continue;
    hrun_entry(&d->entries, &s->step, d->seq++, r, d->input);
    d->nomem |= d->entries.failed;
    return true;
  }
  return false;
}

static void reading_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  reading *rd = arg;
  diff *d = rd->d;
  split_record r;
  split_begin(&d->split, rd->fmt, c, skip, skip_lines);
  while (split_next(&d->split, &r) && !d->nomem) {
    if (d->history && keep_record(d, &r))
      continue;
    one_record(d, rd->name, &r);
    if (d->lbuf.len >= LIST_FLUSH)
      flush(d);
  }
  flush(d);
  if (d->io->progress)
    d->io->progress(d->io->arg, d->st);
}

static void reading_too_long(void *arg, input_chunk *c, uint64_t line, size_t limit)
{
  (void)c;
  reading *rd = arg;
  char why[128];
  rd->d->st->records++;
  rd->d->seq++;
  diag_format(DIAG_E_RECORD_TOO_LONG, why, sizeof why, limit);
  reject_both(rd->d, rd->name, line, why);
  flush(rd->d);
}

static void reading_note(void *arg, const char *text)
{
  diff *d = ((reading *)arg)->d;
  wbuf_puts(&d->logbuf, text);
  flush(d);
}

static bool reading_stop(void *arg)
{
  diff *d = ((reading *)arg)->d;
  return d->nomem || d->write_failed;
}

static void read_input(diff *d, const elig_input *in)
{
  reading rd = {.d = d, .name = in->name ? in->name : "-", .fmt = feed_format(in)};
  const feed_handler handler = {
      .arg = &rd,
      .buffer = reading_buffer,
      .header = reading_header,
      .chunk = reading_chunk,
      .too_long = reading_too_long,
      .stop = reading_stop,
      .note = reading_note,
  };
  feed_status st = feed_input(in, d->o->chunk_bytes, d->io, &handler);
  if (st == FEED_CANCELED)
    d->canceled = true;
  else if (st == FEED_REFUSED)
    d->read_failed = true;
  else if (st == FEED_NO_MEMORY)
    d->nomem = true;
}

/* ---------------------------------------------------------------- with history */

/* Households in the order of their link (hh_id), each in the order of its years, a
 * household-year's records in input order: the list and the messages come out in that
 * order, the same whatever the order of the register. */
static int by_link(const void *pa, const void *pb)
{
  const hrun_rec *a = *(const hrun_rec *const *)pa, *b = *(const hrun_rec *const *)pb;
  size_t n = a->link_len < b->link_len ? a->link_len : b->link_len;
  int c = memcmp(hrun_rec_link(a), hrun_rec_link(b), n);
  if (c || a->link_len != b->link_len)
    return c ? c : a->link_len < b->link_len ? -1 : 1;
  if (a->year != b->year)
    return a->year < b->year ? -1 : 1;
  return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* The second pass over households followed across the years reads nothing, so the feed's
 * polls between chunks do not happen: every HISTORY_STRIDE records it reports its progress
 * and asks whether to stop, as the first pass does at each chunk (a register of a million
 * households takes seconds here). */
#define HISTORY_STRIDE 8192

static bool history_pause(diff *d)
{
  if (d->io->progress)
    d->io->progress(d->io->arg, d->st);
  if (d->io->cancelled && d->io->cancelled(d->io->arg))
    d->canceled = true;
  return d->canceled;
}

static void compare_history(diff *d, const elig_input *inputs)
{
  uint64_t n = 0;
  for (size_t off = 0; off < d->entries.len; off += ((hrun_rec *)(d->entries.p + off))->size)
    n++;
  hrun_rec **order = mem_calloc(n + 1, sizeof *order);
  if (!order) {
    d->nomem = true;
    return;
  }
  n = 0;
  for (size_t off = 0; off < d->entries.len; off += ((hrun_rec *)(d->entries.p + off))->size)
    order[n++] = (hrun_rec *)(d->entries.p + off);
  qsort(order, n, sizeof *order, by_link);
  for (uint64_t i = 0; i < n && !d->nomem && !d->write_failed; i++) {
    if (i % HISTORY_STRIDE == 0 && i && history_pause(d))
      break;
    const hrun_rec *e = order[i];
    const char *name = inputs[e->input].name ? inputs[e->input].name : "-";
    split_record r;
    input_chunk c = {.data = hrun_rec_raw(e), .len = e->raw_len, .first_line = e->line};
    split_begin(&d->split, (input_format)e->format, &c, 0, 0);
    if (!split_next(&d->split, &r))
      continue; /* not reached: it was a record when it was read */
    d->st->records++;
    for (int k = 0; k < 2; k++) {
      d->s[k].header = &d->s[k].headers[e->input];
      judge_side_in_history(d, &d->s[k], &r, e->ord, name, e->line);
    }
    settle_record(d, name, &r, true);
    if (d->lbuf.len >= LIST_FLUSH)
      flush(d);
  }
  flush(d);
  mem_free(order);
}

/* ---------------------------------------------------------------- the diff */

static bool side_init(side *s, const elig_program *P, const char *label, int32_t as_of,
                      size_t ninputs, bool undetermined)
{
  memset(s, 0, sizeof *s);
  s->P = P;
  s->label = label;
  hist_init(&s->chain);
  s->headers = mem_calloc(ninputs + 1, sizeof *s->headers);
  s->header = s->headers;
  if (!s->headers || !step_init(&s->step, P, as_of, true))
    return false;
  step_set_undetermined(&s->step, undetermined);
  return true;
}

static void side_fini(side *s, size_t ninputs)
{
  step_fini(&s->step);
  for (size_t i = 0; s->headers && i <= ninputs; i++)
    rec_header_fini(&s->headers[i]);
  mem_free(s->headers);
  hist_fini(&s->chain);
}

/* Whether both rule sets ignored the same keys, so that one warning says it for both. */
static bool same_unknown(const diff *d)
{
  const rec_unknown *a = &d->s[0].unknown, *b = &d->s[1].unknown;
  return a->keys == b->keys && a->records == b->records && a->first_line == b->first_line &&
         strcmp(a->first, b->first) == 0 &&
         (!a->keys || strcmp(d->s[0].P->records[a->first_record].name,
                             d->s[1].P->records[b->first_record].name) == 0);
}

static void unknown_keys(diff *d)
{
  bool same = same_unknown(d);
  if (d->s[0].unknown.keys)
    batch_unknown_keys(&d->logbuf, d->s[0].P, &d->s[0].unknown, same ? -1 : 0);
  if (d->s[1].unknown.keys && !same)
    batch_unknown_keys(&d->logbuf, d->s[1].P, &d->s[1].unknown, 1);
  flush(d);
}

/* --by: the groups of both sides matched, with their counts, for the report. */
static bool by_report_data(diff *d, by_outcome *bo)
{
  const agg_map *m = &d->aggs[d->byc.map];
  const prog_aggregate *A[2];
  uint32_t *order[2] = {NULL, NULL};
  bool ok = true;
  for (int k = 0; k < 2; k++) {
    const agg_table *t = &d->s[k].step.aggs[d->byc.agg[k]];
    A[k] = t->A;
    order[k] = mem_alloc(((size_t)t->n + 1) * sizeof *order[k]);
    ok = ok && order[k] && agg_indexes_in_key_order(t, order[k]);
  }
  const uint32_t *const orders[2] = {order[0], order[1]};
  ok = ok && by_outcome_build(bo, &d->byc, m, A, orders);
  mem_free(order[0]);
  mem_free(order[1]);
  return ok;
}

static bool write_report(diff *d)
{
  by_outcome by = {0};
  if (d->by && !by_report_data(d, &by)) {
    by_outcome_fini(&by);
    d->nomem = true;
    return false;
  }
  diff_outcome out = {.name = {d->o->old_name, d->o->new_name},
                      .P = {d->s[0].P, d->s[1].P},
                      .stats = d->st,
                      .flags_changed = d->flags_changed,
                      .groups_changed = d->groups_changed,
                      .decs = d->decs,
                      .ndecs = d->ndecs,
                      .flags = d->flags,
                      .nflags = d->nflags,
                      .aggs = d->aggs,
                      .naggs = d->naggs,
                      .by = d->by ? &by : NULL};
  wbuf rep = {0};
  bool ok = d->o->csv    ? diff_by_csv(&out, &rep)
            : d->o->json ? diff_json_report(&out, &rep)
                         : diff_text_report(&out, &rep);
  by_outcome_fini(&by);
  if (!ok)
    d->nomem = true;
  else if (!batch_write(d->io, ELIG_STREAM_REPORT, &rep, &d->nomem))
    d->write_failed = !d->nomem;
  wbuf_free(&rep);
  return ok && !d->write_failed;
}

static void free_maps(diff *d)
{
  for (uint32_t i = 0; d->decs && i < d->ndecs; i++)
    ctable_fini(&d->decs[i].t);
  for (uint32_t i = 0; d->aggs && i < d->naggs; i++) {
    agg_map *m = &d->aggs[i];
    glist_fini(&m->g[0]);
    glist_fini(&m->g[1]);
    mem_free(m->changed);
    mem_free(m->only);
    mem_free(m->dcol);
    mem_free(m->vcol);
  }
  mem_free(d->decs);
  mem_free(d->flags);
  mem_free(d->aggs);
}

/* --by: the aggregate both rule sets group by, as an agg_map; NONE_IDX when there is none
 * of that name in both with the same number of keys. */
static uint32_t by_map(const diff *d, const char *name)
{
  for (uint32_t i = 0; i < d->naggs; i++) {
    const agg_map *m = &d->aggs[i];
    if (strcmp(m->name, name) != 0 || m->idx[0] == NONE_IDX || m->idx[1] == NONE_IDX)
      continue;
    return d->s[0].P->aggregates[m->idx[0]].nkeys == d->s[1].P->aggregates[m->idx[1]].nkeys
               ? i
               : NONE_IDX;
  }
  return NONE_IDX;
}

bool diff_by_valid(const elig_program *old_p, const elig_program *new_p, const char *name)
{
  uint32_t a = prog_find_aggregate(old_p, name), b = prog_find_aggregate(new_p, name);
  return a != PROG_NONE && b != PROG_NONE &&
         old_p->aggregates[a].nkeys == new_p->aggregates[b].nkeys;
}

/* What --by, the list and the warning on parameters need before the first record. */
static bool setup_extras(diff *d)
{
  if (d->o->by) {
    uint32_t map = by_map(d, d->o->by);
    if (map == NONE_IDX)
      return false; /* not reached: elig_diff checks with diff_by_valid */
    d->by = true;
    if (!by_init(&d->byc, map, d->aggs[map].idx, d->ndecs, d->nflags))
      return false;
  }
  return param_years_init(&d->years, d->s[0].P, d->s[1].P) &&
         (!d->o->list || list_group_columns(d));
}

elig_status diff_run(const elig_program *old_p, const elig_program *new_p, const diff_options *o,
                     const elig_input *inputs, size_t ninputs, const elig_batch_io *io,
                     elig_batch_stats *st)
{
  diff d = {.o = o, .io = io, .st = st};
  bool agg_ok = true;
  memset(st, 0, sizeof *st);
  split_init(&d.split);
  input_chunk_init(&d.chunk);
  bool ready = side_init(&d.s[0], old_p, "old", o->as_of, ninputs, o->undetermined) &&
               side_init(&d.s[1], new_p, "new", o->as_of, ninputs, o->undetermined) &&
               build_maps(&d) && setup_extras(&d);
  d.ks = d.s[0].P->nkeys ? 0 : 1;
  if (!ready) {
    d.nomem = true;
  } else {
    if (o->list)
      list_header(&d);
    d.history = old_p->order_field != PROG_NONE || new_p->order_field != PROG_NONE;
    for (size_t i = 0; i < ninputs && !d.write_failed && !d.nomem && !d.canceled && !d.read_failed;
         i++) {
      d.input = (uint32_t)i;
      read_input(&d, &inputs[i]);
    }
    flush(&d);
    if (d.history && !d.read_failed && !d.write_failed && !d.nomem && !d.canceled)
      compare_history(&d, inputs);
    if (!d.read_failed && !d.write_failed && !d.nomem && !d.canceled)
      agg_ok = compare_aggregates(&d);
    flush(&d);
  }
  if (!d.nomem)
    unknown_keys(&d);
  if (ready && !d.nomem && !d.read_failed && !d.canceled) {
    param_years_warn(&d.years, &d.logbuf, o->old_name, o->new_name);
    flush(&d);
  }
  /* the report last: a caller keeps the list only when the report could be written too */
  if (ready && agg_ok && !d.read_failed && !d.write_failed && !d.nomem && !d.canceled)
    write_report(&d);
  for (int k = 0; k < 2; k++)
    if (d.s[k].P)
      side_fini(&d.s[k], ninputs);
  free_maps(&d);
  by_fini(&d.byc);
  param_years_fini(&d.years);
  mem_free(d.list_groups);
  split_fini(&d.split);
  input_chunk_fini(&d.chunk);
  wbuf_free(&d.lbuf);
  wbuf_free(&d.key);
  wbuf_free(&d.logbuf);
  wbuf_free(&d.entries);
  if (d.nomem)
    return ELIG_ENOMEM;
  if (d.canceled)
    return ELIG_ECANCELED;
  if (d.read_failed || d.write_failed)
    return ELIG_EIO;
  return agg_ok ? ELIG_OK : ELIG_EEVAL;
}
