/*
 * diff.c -- `elig diff`: two programs over the same records in one pass.  See diff.h.
 *
 * Per record: parse once, type and evaluate with each program in its own context, compare
 * the results by name.  Decisions shared by both programs count in a from->to table (only
 * changes get a row; the rest is a count of unchanged), decisions of one program only in a
 * table of values; flags count gained and lost.  Tables are small hash tables that copy a
 * value pair the first time it is seen, and stop growing at MAX_ROWS rows (further distinct
 * pairs are counted as "other"), so memory stays flat whatever the register size.
 *
 * Aggregates: both programs fold every record they accept into their own tables, as two runs
 * would.  At the end each table is written by agg_write with a column list of our own (keys,
 * then decisions, then the declared outputs), the text is cut into cells, and the groups of
 * the two sides are matched by their key text.  Values are compared as they print, which is
 * also what a reader of the report sees.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "agg.h"
#include "compile.h"
#include "csv.h"
#include "date.h"
#include "decimal.h"
#include "diff.h"
#include "feed.h"
#include "output.h"
#include "input.h"
#include "jdoc.h"
#include "record.h"
#include "utf8.h"
#include "vm.h"
#include "write.h"

#define NONE_IDX UINT32_MAX
#define MAX_ROWS 1000        /* distinct rows kept per table; more are counted as "other" */
#define TEXT_ROWS 50         /* rows of a table the text report shows; JSON shows all */
#define LIST_FLUSH (1 << 16) /* bytes of list text gathered before writing */

/* ---------------------------------------------------------------- values as text */

typedef struct {
  const char *p;
  size_t len;
  bool none;                 /* absent: prints as "(none)", an empty cell or null */
} vtext;

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

static bool vtext_eq(vtext a, vtext b)
{
  return a.none == b.none && a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* ---------------------------------------------------------------- count tables */

typedef struct {
  char *a, *b;               /* copies of the values, one block (a's) */
  uint32_t alen, blen;
  bool anone, bnone;
  uint64_t count;
  uint64_t hash;
} row;

/* Counts of value pairs (old, new), or of single values (b unused, none). */
typedef struct {
  row *rows;
  uint32_t n, cap;
  uint32_t *slots;           /* row index + 1, 0 for empty; a power of two of them */
  uint32_t nslots;
  uint32_t last;             /* row index + 1 of the row found last */
  uint64_t other;            /* counted beyond MAX_ROWS distinct rows */
  uint64_t same;             /* pairs whose two values are equal (not in rows) */
  uint64_t total;            /* everything added */
} ctable;

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
  uint64_t h = hash_bytes(hash_bytes(1469598103934665603ull, a.p, a.len, a.none), b.p, b.len,
                          b.none);
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

static int text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an < bn ? -1 : an > bn);
}

/* Most records first, then by the values. */
static int row_order(const void *x, const void *y)
{
  const row *a = x, *b = y;
  if (a->count != b->count)
    return a->count > b->count ? -1 : 1;
  int c = text_cmp(a->a, a->alen, b->a, b->alen);
  return c ? c : text_cmp(a->b, a->blen, b->b, b->blen);
}

/* ---------------------------------------------------------------- the two sides */

typedef struct {
  const elig_program *P;
  const char *label;         /* "old" or "new" */
  vm_ctx *ctx;
  agg_table *aggs;
  rec_header header;         /* the current CSV file's mapping */
  rec_unknown unknown;
  bool ok;                   /* the current record was accepted */
  char why[512];             /* else why not */
} side;

typedef struct {
  const char *name;
  uint32_t idx[2];           /* decision number in each program, NONE_IDX when absent */
  ctable t;                  /* both: old -> new changes; one: the values it takes */
} dec_map;

typedef struct {
  const char *name;
  uint32_t idx[2];           /* flag number in each program, NONE_IDX when absent */
  uint64_t gained, lost;
} flag_map;

/* One aggregate's groups as printed: per group, ncols cells. */
typedef struct {
  wbuf text;                 /* the cells' bytes, back to back */
  size_t *off;               /* per group and column: where the cell starts in text */
  uint32_t *len;
  uint32_t n, cap, ncols;
  uint32_t nkeys, ndec;      /* columns: keys, decisions, then the declared outputs */
} glist;

typedef struct {
  uint32_t g[2];             /* group number on each side, NONE_IDX when absent */
} gpair;

typedef struct {
  const char *name;
  uint32_t idx[2];           /* aggregate number in each program */
  glist g[2];
  bool comparable;           /* the same number of keys */
  uint32_t matched;          /* groups on both sides */
  gpair *changed;            /* groups on both sides whose decisions differ */
  uint32_t nchanged;
  gpair *only;               /* groups on one side */
  uint32_t nonly;
  uint32_t (*dcol)[2];       /* decisions of both, by name: the column on each side */
  uint32_t ndcol;
  uint32_t (*vcol)[2];       /* other outputs of both, by name */
  uint32_t nvcol;
} agg_map;

typedef struct {
  const diff_options *o;
  FILE *log;
  diff_stats *st;
  side s[2];
  uint32_t ks;               /* the side whose key fields name records */
  dec_map *decs;
  uint32_t ndecs;
  flag_map *flags;
  uint32_t nflags;
  agg_map *aggs;
  uint32_t naggs;
  csv_parser csv;
  jdoc json;
  input_chunk chunk;
  output list;
  wbuf lbuf;                 /* list text not yet written */
  wbuf logbuf;               /* scratch for a rejection line */
  bool read_failed, write_failed, nomem;
  bool interrupted;            /* a signal asked the run to stop */
  uint64_t seq;              /* records in input order, for first() */
  double start, last_progress;
} diff;

static void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

static void putf(wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(wbuf *b, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0)
    wbuf_put(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void put_u64(wbuf *b, uint64_t v)
{
  putf(b, "%llu", (unsigned long long)v);
}

/* ---------------------------------------------------------------- outputs */

/* A list buffer written out and emptied. */
static void output_flush(output *out, wbuf *b, bool *failed)
{
  out_write(out, b, failed);
  b->len = 0;
}

/* ---------------------------------------------------------------- setup */

static uint32_t find_decision(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->ndecisions; i++)
    if (strcmp(P->decisions[i].name, name) == 0)
      return i;
  return NONE_IDX;
}

static uint32_t find_flag(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->nflags; i++)
    if (strcmp(P->flags[i].name, name) == 0)
      return i;
  return NONE_IDX;
}

static uint32_t find_aggregate(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->naggregates; i++)
    if (strcmp(P->aggregates[i].name, name) == 0)
      return i;
  return NONE_IDX;
}

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
    d->decs[d->ndecs++] = (dec_map){O->decisions[i].name,
                                    {i, find_decision(N, O->decisions[i].name)}, {0}};
  for (uint32_t i = 0; i < N->ndecisions; i++)
    if (find_decision(O, N->decisions[i].name) == NONE_IDX)
      d->decs[d->ndecs++] = (dec_map){N->decisions[i].name, {NONE_IDX, i}, {0}};
  for (uint32_t i = 0; i < O->nflags; i++)
    d->flags[d->nflags++] = (flag_map){O->flags[i].name, {i, find_flag(N, O->flags[i].name)},
                                       0, 0};
  for (uint32_t i = 0; i < N->nflags; i++)
    if (find_flag(O, N->flags[i].name) == NONE_IDX)
      d->flags[d->nflags++] = (flag_map){N->flags[i].name, {NONE_IDX, i}, 0, 0};
  for (uint32_t i = 0; i < O->naggregates; i++) {
    agg_map *m = &d->aggs[d->naggs++];
    m->name = O->aggregates[i].name;
    m->idx[0] = i;
    m->idx[1] = find_aggregate(N, m->name);
  }
  for (uint32_t i = 0; i < N->naggregates; i++)
    if (find_aggregate(O, N->aggregates[i].name) == NONE_IDX) {
      agg_map *m = &d->aggs[d->naggs++];
      m->name = N->aggregates[i].name;
      m->idx[0] = NONE_IDX;
      m->idx[1] = i;
    }
  return true;
}

static bool side_init(side *s, const elig_program *P, const char *label, int32_t as_of)
{
  memset(s, 0, sizeof *s);
  s->P = P;
  s->label = label;
  s->ctx = vm_ctx_new(P);
  s->aggs = mem_calloc(P->naggregates + 1, sizeof *s->aggs);
  if (!s->ctx || !s->aggs)
    return false;
  vm_set_as_of(s->ctx, as_of);
  for (uint32_t i = 0; i < P->naggregates; i++)
    agg_table_init(&s->aggs[i], &P->aggregates[i]);
  return true;
}

static void side_fini(side *s)
{
  vm_ctx_free(s->ctx);
  for (uint32_t i = 0; s->aggs && i < s->P->naggregates; i++)
    agg_table_fini(&s->aggs[i]);
  mem_free(s->aggs);
  rec_header_fini(&s->header);
}

/* ---------------------------------------------------------------- one record */


/* Evaluates the record typed in s->ctx as `elig run` does (every column, every flag, then
 * the aggregates); false with s->why when a rule fails at run time. */
static bool evaluate(diff *d, side *s)
{
  const elig_program *P = s->P;
  vm_ctx *ctx = s->ctx;
  vm_status st = vm_eval_record(ctx);
  for (uint32_t i = 0; i < P->naggregates && st == VM_OK; i++)
    st = agg_add(&s->aggs[i], ctx, d->seq);
  if (st == VM_OK)
    return true;
  if (st == VM_ERR_NO_MEMORY)
    d->nomem = true;
  char where[256];
  prog_where(P, vm_error_pc(ctx), where, sizeof where);
  snprintf(s->why, sizeof s->why, "%s at %s", vm_status_str(st), where);
  return false;
}

static vtext decision_value(const side *s, uint32_t dec, char *buf)
{
  const prog_decision *D = &s->P->decisions[dec];
  return val_text(D->type, vm_cell_value(s->ctx, D->cell), buf);
}

static bool flag_raised(const side *s, uint32_t f)
{
  return f != NONE_IDX && vm_flag_raised(s->ctx, f);
}

/* Compares the two results of a record both sides accepted; true when it changed. */
static bool compare(diff *d)
{
  char ba[DEC_FMT_MAX], bb[DEC_FMT_MAX];
  static const vtext nothing = {"", 0, true};
  bool changed = false, fchanged = false;
  for (uint32_t i = 0; i < d->ndecs; i++) {
    dec_map *m = &d->decs[i];
    bool ok = true;
    if (m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX) {
      vtext a = decision_value(&d->s[0], m->idx[0], ba);
      vtext b = decision_value(&d->s[1], m->idx[1], bb);
      if (vtext_eq(a, b)) {
        m->t.same++;
        m->t.total++;
        continue;
      }
      changed = true;
      ok = ctable_add(&m->t, a, b);
    } else {
      int k = m->idx[0] != NONE_IDX ? 0 : 1;
      ok = ctable_add(&m->t, decision_value(&d->s[k], m->idx[k], ba), nothing);
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
  }
  if (fchanged)
    d->st->flags_changed++;
  if (fchanged || changed)
    d->st->changed++;
  return fchanged || changed;
}

static void list_header(diff *d)
{
  put(&d->lbuf, "line,key");
  for (uint32_t i = 0; i < d->ndecs; i++) {
    const char *n = d->decs[i].name;
    put(&d->lbuf, ",");
    putf(&d->lbuf, "old_%s,new_%s", n, n);
  }
  put(&d->lbuf, ",old_flags,new_flags\n");
}

static void list_flags(wbuf *b, const side *s)
{
  bool any = false;
  for (uint32_t f = 0; f < s->P->nflags; f++)
    if (flag_raised(s, f)) {
      if (any)
        put(b, ";");
      put(b, s->P->flags[f].name);
      any = true;
    }
}

static void list_row(diff *d, uint64_t line, const char *key, size_t keylen)
{
  char buf[DEC_FMT_MAX];
  wbuf *b = &d->lbuf;
  put_u64(b, line);
  put(b, ",");
  wbuf_csv_text(b, key, keylen);
  for (uint32_t i = 0; i < d->ndecs; i++)
    for (int k = 0; k < 2; k++) {
      put(b, ",");
      if (d->decs[i].idx[k] != NONE_IDX) {
        vtext v = decision_value(&d->s[k], d->decs[i].idx[k], buf);
        if (!v.none)
          wbuf_csv_text(b, v.p, v.len);
      }
    }
  put(b, ",");
  list_flags(b, &d->s[0]);
  put(b, ",");
  list_flags(b, &d->s[1]);
  put(b, "\n");
  if (b->len >= LIST_FLUSH)
    output_flush(&d->list, b, &d->write_failed);
}

/* "NAME:LINE: rejected KEY: REASON (SIDES)", control characters in the key replaced so that
 * a key cannot forge log lines. */
static void reject_line(diff *d, const char *name, uint64_t line, const char *key,
                        size_t keylen, const char *reason, const char *sides)
{
  wbuf *b = &d->logbuf;
  b->len = 0;
  putf(b, "%s:%llu: rejected", name, (unsigned long long)line);
  if (keylen) {
    put(b, " ");
    wbuf_put_printable(b, key, keylen);
  }
  put(b, ": ");
  put(b, reason);
  if (sides) {
    put(b, " (");
    put(b, sides);
    put(b, ")");
  }
  put(b, "\n");
  if (b->len)
    fwrite(b->p, 1, b->len, d->log);
}

/* A record neither side could read. */
static void reject_both(diff *d, const char *name, uint64_t line, const char *reason)
{
  d->st->rejected++;
  d->st->rejected_old++;
  d->st->rejected_new++;
  reject_line(d, name, line, "", 0, reason, NULL);
}

/* After both sides typed and evaluated a record: count, report, list. */
static void settle(diff *d, const char *name, uint64_t line, const char *key, size_t keylen)
{
  side *o = &d->s[0], *n = &d->s[1];
  if (o->ok && n->ok) {
    list_row(d, line, key, keylen);
    return;
  }
  d->st->rejected++;
  d->st->rejected_old += !o->ok;
  d->st->rejected_new += !n->ok;
  if (!o->ok && !n->ok && strcmp(o->why, n->why) == 0) {
    reject_line(d, name, line, key, keylen, o->why, "old and new rules");
    return;
  }
  if (!o->ok)
    reject_line(d, name, line, key, keylen, o->why, "old rules");
  if (!n->ok)
    reject_line(d, name, line, key, keylen, n->why, "new rules");
}

/* Both results are in; true when the record needs its key (a rejection or a list row). */
static bool judge(diff *d)
{
  d->seq++;
  if (!d->s[0].ok || !d->s[1].ok)
    return true;
  d->st->compared++;
  return compare(d) && d->o->list != NULL;
}

/* The key fields' raw text, joined by '/', as run.c writes it in rejections. */
static size_t json_key(const diff *d, char *buf, size_t size)
{
  const jdoc *j = &d->json;
  const elig_program *P = d->s[d->ks].P;
  const prog_record *rec = &P->records[P->main_record];
  size_t n = 0;
  if (j->nnodes == 0 || j->nodes[0].kind != JDOC_OBJECT)
    return 0;
  for (uint32_t k = 0; k < P->nkeys; k++) {
    const char *name = rec->fields[P->key_fields[k]].name;
    uint32_t v = jdoc_object_get(j, 0, name, strlen(name));
    if (k && n + 1 < size)
      buf[n++] = '/';
    if (v == JDOC_NONE || !j->nodes[v].str || n + j->nodes[v].len + 1 >= size)
      continue;
    memcpy(buf + n, j->nodes[v].str, j->nodes[v].len);
    n += j->nodes[v].len;
  }
  /* no part at all ("/"): no key, as `elig run` says it */
  return P->nkeys && n == P->nkeys - 1 ? 0 : n;
}

static void process_csv(diff *d, const char *name, size_t skip, uint64_t skip_lines)
{
  const char *p = d->chunk.data + skip, *end = d->chunk.data + d->chunk.len;
  uint64_t line = d->chunk.first_line + skip_lines;
  char key[256], reason[512];
  while (p < end) {
    csv_record r;
    const char *next = csv_parse_record(&d->csv, p, end, &r);
    uint64_t at = line + r.blank_lines;
    line += r.lines;
    p = next;
    if (r.error == CSV_OK && r.ncells == 0)
      continue; /* blank lines at the end */
    d->st->records++;
    if (r.error != CSV_OK) {
      d->seq++;
      rec_csv_error(&d->s[0].header, d->s[0].P, &r, reason, sizeof reason);
      reject_both(d, name, at, reason);
      continue;
    }
    for (int k = 0; k < 2; k++) {
      side *s = &d->s[k];
      rec_reject why;
      if (s->header.refused[0])
        snprintf(why.message, sizeof why.message, "%s", s->header.refused);
      s->ok = !s->header.refused[0] && rec_from_csv(&s->header, s->ctx, &r, &why);
      if (!s->ok)
        memcpy(s->why, why.message, sizeof s->why);
      else
        s->ok = evaluate(d, s);
    }
    if (judge(d))
      settle(d, name, at, key,
             rec_csv_key(&d->s[d->ks].header, d->s[d->ks].P, &r, key, sizeof key));
  }
}

static void process_jsonl(diff *d, const char *name)
{
  const char *p = d->chunk.data, *end = d->chunk.data + d->chunk.len;
  uint64_t line = d->chunk.first_line;
  jdoc_error err;
  char key[256], reason[512];
  for (; p < end; line++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end, *raw = p;
    size_t n = (size_t)(eol - p);
    p = nl ? nl + 1 : end;
    if (n && raw[n - 1] == '\r')
      n--;
    jdoc_errcode code = jdoc_parse(&d->json, raw, n, &err);
    if (code == JDOC_EEMPTY)
      continue;
    d->st->records++;
    if (code != JDOC_OK) {
      d->seq++;
      snprintf(reason, sizeof reason, "malformed JSON at column %zu: %s", err.column,
               err.message);
      reject_both(d, name, line, reason);
      continue;
    }
    for (int k = 0; k < 2; k++) {
      side *s = &d->s[k];
      rec_reject why;
      uint64_t seen = s->unknown.keys;
      s->ok = rec_from_json(s->ctx, &d->json, &why, &s->unknown);
      if (seen == 0 && s->unknown.keys)
        s->unknown.first_line = line;
      if (!s->ok)
        memcpy(s->why, why.message, sizeof s->why);
      else
        s->ok = evaluate(d, s);
    }
    if (judge(d))
      settle(d, name, line, key, json_key(d, key, sizeof key));
  }
}

/* ---------------------------------------------------------------- reading */

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(diff *d, bool final)
{
  double t = now();
  if (!d->o->progress || (!final && t - d->last_progress < 0.25))
    return;
  d->last_progress = t;
  if (final) {
    fputs("\r\033[K", d->log);
    return;
  }
  double rate = t > d->start ? (double)d->st->records / (t - d->start) : 0;
  fprintf(d->log, "\relig: %llu records, %llu changed, %llu rejected, %.0f/s\033[K",
          (unsigned long long)d->st->records, (unsigned long long)d->st->changed,
          (unsigned long long)d->st->rejected, rate);
  fflush(d->log);
}

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
static feed_header reading_header(void *arg, const char *name, uint64_t line,
                                  const csv_record *r)
{
  diff *d = ((reading *)arg)->d;
  char error[512], unknown[2][512];
  bool is_record = true;
  for (int k = 0; k < 2; k++) {
    side *s = &d->s[k];
    rec_header_fini(&s->header);
    if (rec_header_init(&s->header, s->P, r, error, sizeof error, unknown[k],
                        sizeof unknown[k])) {
      is_record = false;
      continue;
    }
    fprintf(d->log, "%s:%llu: error: %s (%s rules); every record of the file is rejected "
            "by them\n", name, (unsigned long long)line, error, s->label);
    is_record = is_record && s->header.first_line_is_record;
    unknown[k][0] = '\0';
  }
  for (int k = 0; k < 2; k++) {
    const elig_program *P = d->s[k].P;
    bool same = strcmp(unknown[0], unknown[1]) == 0;
    if (!unknown[k][0] || (k == 1 && same))
      continue;
    fprintf(d->log, "%s:%llu: warning: columns that are not fields of '%s' are ignored", name,
            (unsigned long long)line, P->records[P->main_record].name);
    if (!same)
      fprintf(d->log, " by the %s rules", d->s[k].label);
    fprintf(d->log, ": %s\n", unknown[k]);
  }
  return is_record ? FEED_HEADER_IS_RECORD : FEED_HEADER_OK;
}

static void reading_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  (void)c;
  reading *rd = arg;
  if (rd->fmt == INPUT_CSV)
    process_csv(rd->d, rd->name, skip, skip_lines);
  else
    process_jsonl(rd->d, rd->name);
  if (rd->d->lbuf.len >= LIST_FLUSH)
    output_flush(&rd->d->list, &rd->d->lbuf, &rd->d->write_failed);
  progress(rd->d, false);
}

static void reading_too_long(void *arg, input_chunk *c, uint64_t line, const char *why)
{
  (void)c;
  reading *rd = arg;
  rd->d->st->records++;
  rd->d->seq++;
  reject_both(rd->d, rd->name, line, why);
}

static bool reading_stop(void *arg)
{
  diff *d = ((reading *)arg)->d;
  return d->nomem || d->write_failed;
}

static void read_input(diff *d, const char *name)
{
  reading rd = {.d = d, .name = name, .fmt = input_format_of(name, d->o->input_format)};
  const feed_handler handler = {
    .arg = &rd,
    .buffer = reading_buffer,
    .header = reading_header,
    .chunk = reading_chunk,
    .too_long = reading_too_long,
    .stop = reading_stop,
  };
  feed_status st = feed_file(name, rd.fmt, d->o->chunk_bytes, d->o->interrupted, &handler,
                             d->log);
  if (st == FEED_INTERRUPTED)
    d->interrupted = true;
  else if (st == FEED_REFUSED)
    d->read_failed = true;
}

/* ---------------------------------------------------------------- aggregates */

/* Collects one group's columns as text (as results print them) into a glist. */
typedef struct {
  glist *g;
  const prog_column *cols;
  bool nomem;
} glist_visit;

static bool glist_add(void *arg, const vm_ctx *ctx)
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
    const char *text = val->none ? "" : write_value_text(col->type, val, false, buf, sizeof buf);
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
  agg_table *t = &s->aggs[a];
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
  for (uint32_t i = 0; i < A->nkeys; i++)
    cols[i] = (prog_column){A->key_names[i], A->key_types[i], UINT32_MAX,
                            (uint16_t)(A->key_reg + i)};
  for (uint32_t i = 0; i < A->ndecisions; i++)
    cols[A->nkeys + i] = (prog_column){A->decisions[i].name, A->decisions[i].type,
                                       A->decisions[i].cell,
                                       P->cells[A->decisions[i].cell].reg};
  memcpy(cols + A->nkeys + A->ndecisions, A->columns, A->ncolumns * sizeof *cols);
  glist_visit v = {g, cols, false};
  vm_status st = agg_each(t, s->ctx, cols, g->ncols, glist_add, &v);
  mem_free(cols);
  bool ok = true;
  if (v.nomem) {
    d->nomem = true;
  } else if (st != VM_OK) {
    char where[256];
    prog_where(P, vm_error_pc(s->ctx), where, sizeof where);
    fprintf(d->log, "elig: aggregate '%s' (%s rules): %s at %s\n", A->name, s->label,
            vm_status_str(st), where);
    ok = false;
  }
  if (t->overflow) {
    fprintf(d->log, "elig: aggregate '%s' (%s rules): a sum went out of range\n", A->name,
            s->label);
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

static vtext cell(const glist *g, uint32_t group, uint32_t col)
{
  size_t i = (size_t)group * g->ncols + col;
  vtext v = {g->text.p ? g->text.p + g->off[i] : "", g->len[i], false};
  return v;
}

typedef struct {
  const glist *g;
  uint32_t i;
} gref;

static int key_order(const void *x, const void *y)
{
  const gref *a = x, *b = y;
  for (uint32_t c = 0; c < a->g->nkeys; c++) {
    vtext u = cell(a->g, a->i, c), v = cell(b->g, b->i, c);
    int r = text_cmp(u.p, u.len, v.p, v.len);
    if (r)
      return r;
  }
  return 0;
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
  uint32_t (*cols)[2] = mem_calloc(n0 + 1, sizeof *cols);
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
  gref *r[2];
  for (int k = 0; k < 2; k++) {
    r[k] = mem_alloc((m->g[k].n + 1) * sizeof *r[k]);
    for (uint32_t i = 0; r[k] && i < m->g[k].n; i++)
      r[k][i] = (gref){&m->g[k], i};
    if (r[k])
      qsort(r[k], m->g[k].n, sizeof *r[k], key_order);
  }
  uint32_t most = m->g[0].n + m->g[1].n + 1;
  m->changed = mem_alloc(most * sizeof *m->changed);
  m->only = mem_alloc(most * sizeof *m->only);
  bool ok = r[0] && r[1] && m->changed && m->only;
  for (uint32_t i = 0, j = 0; ok && (i < m->g[0].n || j < m->g[1].n);) {
    int c = i == m->g[0].n ? 1 : j == m->g[1].n ? -1 : key_order(&r[0][i], &r[1][j]);
    if (c < 0) {
      m->only[m->nonly++] = (gpair){{r[0][i++].i, NONE_IDX}};
      continue;
    }
    if (c > 0) {
      m->only[m->nonly++] = (gpair){{NONE_IDX, r[1][j++].i}};
      continue;
    }
    gpair p = {{r[0][i++].i, r[1][j++].i}};
    m->matched++;
    for (uint32_t x = 0; x < m->ndcol; x++)
      if (!vtext_eq(cell(&m->g[0], p.g[0], m->dcol[x][0]),
                    cell(&m->g[1], p.g[1], m->dcol[x][1]))) {
        m->changed[m->nchanged++] = p;
        break;
      }
  }
  if (ok) {
    /* in the order the groups print: the old side's, then the new side's */
    qsort(m->changed, m->nchanged, sizeof *m->changed, pair_order);
    qsort(m->only, m->nonly, sizeof *m->only, pair_order);
  }
  mem_free(r[0]);
  mem_free(r[1]);
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
      d->st->groups_changed += m->nchanged + m->nonly;
    }
  }
  return ok;
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
    put(b, " ");
}

/* One row of a table: cells padded to widths; the last cell (a count) right-aligned. */
static void table_row(wbuf *b, const vtext *cells, const size_t *w, int n, const char *note)
{
  put(b, "  ");
  for (int i = 0; i < n - 1; i++) {
    put_shown(b, cells[i]);
    pad(b, width(shown(cells[i]).p, shown(cells[i]).len), w[i] + 2);
  }
  pad(b, width(cells[n - 1].p, cells[n - 1].len), w[n - 1]);
  put_shown(b, cells[n - 1]);
  if (note) {
    put(b, "  ");
    put(b, note);
  }
  put(b, "\n");
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

static void text_decision(diff *d, wbuf *b, const dec_map *m)
{
  bool both = m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX;
  uint64_t changed = m->t.total - m->t.same;
  char num[32];
  row *rows = sorted_rows(&m->t);
  if (!rows) {
    d->nomem = true;
    return;
  }
  putf(b, "\ndecision %s: ", m->name);
  if (!both)
    putf(b, "only in the %s rules\n", m->idx[0] != NONE_IDX ? "old" : "new");
  else if (!changed)
    putf(b, "no record changes (%llu unchanged)\n", (unsigned long long)m->t.same);
  else
    putf(b, "%llu of %llu record%s change%s (%llu unchanged)\n", (unsigned long long)changed,
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
    putf(b, "  and %llu more record%s with other %s\n", (unsigned long long)rest,
         rest == 1 ? "" : "s", both ? "changes" : "values");
  mem_free(rows);
}

static void text_flags(diff *d, wbuf *b)
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
  if (!d->st->flags_changed)
    put(b, "\nflags: no record changes flags\n");
  else
    putf(b, "\nflags: %llu of %llu record%s change%s flags\n",
         (unsigned long long)d->st->flags_changed, (unsigned long long)d->st->compared,
         d->st->compared == 1 ? "" : "s", d->st->flags_changed == 1 ? "s" : "");
  if (!shown_n)
    return;
  put(b, "  ");
  put(b, "flag");
  pad(b, 4, w[0] + 2);
  pad(b, 6, w[1]);
  put(b, "gained");
  pad(b, 0, 2);
  pad(b, 4, w[2]);
  put(b, "lost\n");
  for (uint32_t i = 0; i < d->nflags; i++) {
    const flag_map *m = &d->flags[i];
    if (!m->gained && !m->lost && m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX)
      continue;
    snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)m->gained);
    snprintf(num[1], sizeof num[1], "%llu", (unsigned long long)m->lost);
    put(b, "  ");
    put(b, m->name);
    pad(b, width(m->name, strlen(m->name)), w[0] + 2);
    pad(b, strlen(num[0]), w[1]);
    put(b, num[0]);
    put(b, "  ");
    pad(b, strlen(num[1]), w[2]);
    put(b, num[1]);
    if (m->idx[0] == NONE_IDX)
      put(b, "  only in the new rules");
    else if (m->idx[1] == NONE_IDX)
      put(b, "  only in the old rules");
    put(b, "\n");
  }
}

/* "village_code 411623101201, year 2020" */
static void text_key(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  for (uint32_t c = 0; c < g->nkeys; c++) {
    if (c)
      put(b, ", ");
    put(b, A->key_names[c]);
    put(b, " ");
    put_shown(b, cell(g, group, c));
  }
}

/* "exit eligible, grade B" for a group on one side */
static void text_decisions(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  for (uint32_t i = 0; i < g->ndec; i++) {
    put(b, i ? ", " : "");
    put(b, A->decisions[i].name);
    put(b, " ");
    put_shown(b, cell(g, group, g->nkeys + i));
  }
}

static void text_aggregate(diff *d, wbuf *b, const agg_map *m)
{
  const prog_aggregate *A[2] = {
    m->idx[0] != NONE_IDX ? &d->s[0].P->aggregates[m->idx[0]] : NULL,
    m->idx[1] != NONE_IDX ? &d->s[1].P->aggregates[m->idx[1]] : NULL};
  putf(b, "\naggregate %s: ", m->name);
  if (!A[0] || !A[1]) {
    int k = A[0] ? 0 : 1;
    putf(b, "only in the %s rules (%u group%s)\n", k ? "new" : "old", m->g[k].n,
         m->g[k].n == 1 ? "" : "s");
    return;
  }
  if (!m->comparable) {
    put(b, "grouped by ");
    for (int k = 0; k < 2; k++) {
      for (uint32_t i = 0; i < A[k]->nkeys; i++)
        putf(b, "%s%s", i ? ", " : "", A[k]->key_names[i]);
      put(b, k ? " in the new rules" : " in the old rules and by ");
    }
    put(b, "; its groups cannot be compared\n");
    return;
  }
  if (!m->nchanged)
    putf(b, "no group changes outcome (%u group%s", m->matched, m->matched == 1 ? "" : "s");
  else
    putf(b, "%u of %u group%s change%s outcome", m->nchanged, m->matched,
         m->matched == 1 ? "" : "s", m->nchanged == 1 ? "s" : "");
  uint32_t only[2] = {0, 0};
  for (uint32_t i = 0; i < m->nonly; i++)
    only[m->only[i].g[0] == NONE_IDX]++;
  for (int k = 0; k < 2; k++)
    if (only[k])
      putf(b, "%s%u group%s only in the %s rules", m->nchanged ? "; " : ", ", only[k],
           only[k] == 1 ? "" : "s", k ? "new" : "old");
  put(b, m->nchanged ? "\n" : ")\n");
  for (uint32_t i = 0; i < A[0]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][0] == A[0]->nkeys + i;
    if (!found)
      putf(b, "  decision %s only in the old rules\n", A[0]->decisions[i].name);
  }
  for (uint32_t i = 0; i < A[1]->ndecisions; i++) {
    bool found = false;
    for (uint32_t x = 0; x < m->ndcol; x++)
      found |= m->dcol[x][1] == A[1]->nkeys + i;
    if (!found)
      putf(b, "  decision %s only in the new rules\n", A[1]->decisions[i].name);
  }
  for (uint32_t i = 0; i < m->nchanged; i++) {
    const gpair *p = &m->changed[i];
    put(b, "  ");
    text_key(b, A[0], &m->g[0], p->g[0]);
    put(b, ":");
    bool first = true;
    for (uint32_t x = 0; x < m->ndcol; x++) {
      vtext o = cell(&m->g[0], p->g[0], m->dcol[x][0]);
      vtext n = cell(&m->g[1], p->g[1], m->dcol[x][1]);
      if (vtext_eq(o, n))
        continue;
      put(b, first ? " " : ", ");
      first = false;
      put(b, A[0]->decisions[m->dcol[x][0] - A[0]->nkeys].name);
      put(b, " ");
      put_shown(b, o);
      put(b, " -> ");
      put_shown(b, n);
    }
    put(b, "\n");
    first = true;
    for (uint32_t x = 0; x < m->nvcol; x++) {
      vtext o = cell(&m->g[0], p->g[0], m->vcol[x][0]);
      vtext n = cell(&m->g[1], p->g[1], m->vcol[x][1]);
      if (vtext_eq(o, n))
        continue;
      put(b, first ? "      " : ", ");
      first = false;
      put(b, A[0]->columns[m->vcol[x][0] - A[0]->nkeys - A[0]->ndecisions].name);
      put(b, " ");
      put_shown(b, o);
      put(b, " -> ");
      put_shown(b, n);
    }
    if (!first)
      put(b, "\n");
  }
  for (uint32_t i = 0; i < m->nonly; i++) {
    int k = m->only[i].g[0] == NONE_IDX ? 1 : 0;
    putf(b, "  only in the %s rules: ", k ? "new" : "old");
    text_key(b, A[k], &m->g[k], m->only[i].g[k]);
    if (m->g[k].ndec) {
      put(b, " (");
      text_decisions(b, A[k], &m->g[k], m->only[i].g[k]);
      put(b, ")");
    }
    put(b, "\n");
  }
}

static void text_program(wbuf *b, const char *which, const char *name, const elig_program *P)
{
  putf(b, "%s rules: %s", which, name);
  if (P->policy && P->version)
    putf(b, " (policy %s, version %s)", P->policy, P->version);
  else if (P->policy)
    putf(b, " (policy %s)", P->policy);
  put(b, "\n");
}

static bool nothing_changed(const diff *d)
{
  if (d->st->changed || d->st->groups_changed)
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
    if (m->ndcol != d->s[0].P->aggregates[m->idx[0]].ndecisions ||
        m->ndcol != d->s[1].P->aggregates[m->idx[1]].ndecisions)
      return false;
  }
  return true;
}

static void text_report(diff *d, wbuf *b)
{
  const diff_stats *st = d->st;
  text_program(b, "old", d->o->old_name, d->s[0].P);
  text_program(b, "new", d->o->new_name, d->s[1].P);
  putf(b, "records: %llu read, %llu compared", (unsigned long long)st->records,
       (unsigned long long)st->compared);
  if (st->rejected)
    putf(b, "; rejected: %llu by the old rules, %llu by the new rules",
         (unsigned long long)st->rejected_old, (unsigned long long)st->rejected_new);
  put(b, "\n");
  if (nothing_changed(d)) {
    put(b, "\nno record changes status or flags; no group changes outcome\n");
    return;
  }
  putf(b, "\n%llu of %llu record%s change%s status or flags\n", (unsigned long long)st->changed,
       (unsigned long long)st->compared, st->compared == 1 ? "" : "s",
       st->changed == 1 ? "s" : "");
  for (uint32_t i = 0; i < d->ndecs; i++)
    text_decision(d, b, &d->decs[i]);
  text_flags(d, b);
  for (uint32_t i = 0; i < d->naggs; i++)
    text_aggregate(d, b, &d->aggs[i]);
}

/* ---------------------------------------------------------------- the JSON report */

static void json_str(wbuf *b, const char *s)
{
  wbuf_json_text(b, s, strlen(s));
}

static void json_val(wbuf *b, vtext v)
{
  if (v.none)
    put(b, "null");
  else
    wbuf_json_text(b, v.p, v.len);
}

static void json_where(wbuf *b, const uint32_t idx[2])
{
  put(b, ",\"in\":");
  json_str(b, idx[0] == NONE_IDX ? "new" : idx[1] == NONE_IDX ? "old" : "both");
}

static void json_decision(diff *d, wbuf *b, const dec_map *m)
{
  bool both = m->idx[0] != NONE_IDX && m->idx[1] != NONE_IDX;
  row *rows = sorted_rows(&m->t);
  if (!rows) {
    d->nomem = true;
    return;
  }
  put(b, "    {\"name\":");
  json_str(b, m->name);
  json_where(b, m->idx);
  if (both)
    putf(b, ",\"changed\":%llu,\"unchanged\":%llu,\"changes\":[",
         (unsigned long long)(m->t.total - m->t.same), (unsigned long long)m->t.same);
  else
    put(b, ",\"values\":[");
  for (uint32_t i = 0; i < m->t.n; i++) {
    put(b, i ? ",\n      " : "\n      ");
    put(b, both ? "{\"old\":" : "{\"value\":");
    json_val(b, row_a(&rows[i]));
    if (both) {
      put(b, ",\"new\":");
      json_val(b, row_b(&rows[i]));
    }
    putf(b, ",\"records\":%llu}", (unsigned long long)rows[i].count);
  }
  putf(b, "%s],\"other\":%llu}", m->t.n ? "\n    " : "", (unsigned long long)m->t.other);
  mem_free(rows);
}

static void json_key_obj(wbuf *b, const prog_aggregate *A, const glist *g, uint32_t group)
{
  put(b, "{\"key\":{");
  for (uint32_t c = 0; c < g->nkeys; c++) {
    if (c)
      put(b, ",");
    json_str(b, A->key_names[c]);
    put(b, ":");
    json_val(b, cell(g, group, c));
  }
  put(b, "}");
}

static void json_aggregate(diff *d, wbuf *b, const agg_map *m)
{
  const prog_aggregate *A[2] = {
    m->idx[0] != NONE_IDX ? &d->s[0].P->aggregates[m->idx[0]] : NULL,
    m->idx[1] != NONE_IDX ? &d->s[1].P->aggregates[m->idx[1]] : NULL};
  put(b, "    {\"name\":");
  json_str(b, m->name);
  json_where(b, m->idx);
  putf(b, ",\"groups_old\":%u,\"groups_new\":%u", m->g[0].n, m->g[1].n);
  if (!A[0] || !A[1]) {
    put(b, "}");
    return;
  }
  putf(b, ",\"comparable\":%s", m->comparable ? "true" : "false");
  if (!m->comparable) {
    put(b, "}");
    return;
  }
  putf(b, ",\"matched\":%u,\"changed\":[", m->matched);
  for (uint32_t i = 0; i < m->nchanged; i++) {
    const gpair *p = &m->changed[i];
    put(b, i ? ",\n      " : "\n      ");
    json_key_obj(b, A[0], &m->g[0], p->g[0]);
    for (int part = 0; part < 2; part++) {
      put(b, part ? ",\"values\":{" : ",\"decisions\":{");
      bool first = true;
      uint32_t n = part ? m->nvcol : m->ndcol;
      for (uint32_t x = 0; x < n; x++) {
        const uint32_t *col = part ? m->vcol[x] : m->dcol[x];
        vtext o = cell(&m->g[0], p->g[0], col[0]), nv = cell(&m->g[1], p->g[1], col[1]);
        if (vtext_eq(o, nv))
          continue;
        if (!first)
          put(b, ",");
        first = false;
        json_str(b, part ? A[0]->columns[col[0] - A[0]->nkeys - A[0]->ndecisions].name
                         : A[0]->decisions[col[0] - A[0]->nkeys].name);
        put(b, ":{\"old\":");
        json_val(b, o);
        put(b, ",\"new\":");
        json_val(b, nv);
        put(b, "}");
      }
      put(b, "}");
    }
    put(b, "}");
  }
  put(b, m->nchanged ? "\n    ]" : "]");
  for (int k = 0; k < 2; k++) {
    put(b, k ? ",\"only_new\":[" : ",\"only_old\":[");
    bool first = true;
    for (uint32_t i = 0; i < m->nonly; i++) {
      uint32_t gi = m->only[i].g[k];
      if (gi == NONE_IDX || m->only[i].g[1 - k] != NONE_IDX)
        continue;
      put(b, first ? "\n      " : ",\n      ");
      first = false;
      json_key_obj(b, A[k], &m->g[k], gi);
      put(b, ",\"decisions\":{");
      for (uint32_t x = 0; x < m->g[k].ndec; x++) {
        if (x)
          put(b, ",");
        json_str(b, A[k]->decisions[x].name);
        put(b, ":");
        json_val(b, cell(&m->g[k], gi, m->g[k].nkeys + x));
      }
      put(b, "}}");
    }
    put(b, first ? "]" : "\n    ]");
  }
  put(b, "}");
}

static void json_program(wbuf *b, const char *which, const char *name, const elig_program *P)
{
  putf(b, "  \"%s\":{\"rules\":", which);
  json_str(b, name);
  put(b, ",\"policy\":");
  if (P->policy)
    json_str(b, P->policy);
  else
    put(b, "null");
  put(b, ",\"version\":");
  if (P->version)
    json_str(b, P->version);
  else
    put(b, "null");
  put(b, "},\n");
}

static void json_report(diff *d, wbuf *b)
{
  const diff_stats *st = d->st;
  put(b, "{\n");
  json_program(b, "old", d->o->old_name, d->s[0].P);
  json_program(b, "new", d->o->new_name, d->s[1].P);
  putf(b,
       "  \"records\":{\"read\":%llu,\"compared\":%llu,\"rejected_old\":%llu,"
       "\"rejected_new\":%llu,\"changed\":%llu},\n",
       (unsigned long long)st->records, (unsigned long long)st->compared,
       (unsigned long long)st->rejected_old, (unsigned long long)st->rejected_new,
       (unsigned long long)st->changed);
  putf(b, "  \"no_change\":%s,\n", nothing_changed(d) ? "true" : "false");
  put(b, "  \"decisions\":[");
  for (uint32_t i = 0; i < d->ndecs; i++) {
    put(b, i ? ",\n" : "\n");
    json_decision(d, b, &d->decs[i]);
  }
  put(b, d->ndecs ? "\n  ],\n" : "],\n");
  putf(b, "  \"flags\":{\"records_changed\":%llu,\"flags\":[",
       (unsigned long long)st->flags_changed);
  for (uint32_t i = 0; i < d->nflags; i++) {
    const flag_map *m = &d->flags[i];
    put(b, i ? ",\n    {\"name\":" : "\n    {\"name\":");
    json_str(b, m->name);
    json_where(b, m->idx);
    putf(b, ",\"gained\":%llu,\"lost\":%llu}", (unsigned long long)m->gained,
         (unsigned long long)m->lost);
  }
  put(b, d->nflags ? "\n  ]},\n" : "]},\n");
  put(b, "  \"aggregates\":[");
  for (uint32_t i = 0; i < d->naggs; i++) {
    put(b, i ? ",\n" : "\n");
    json_aggregate(d, b, &d->aggs[i]);
  }
  put(b, d->naggs ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---------------------------------------------------------------- the diff */

/* The list file against every input: the registers and both rule sets' files. */
static bool check_paths(const diff_options *o, FILE *log)
{
  if (!o->list)
    return true;
  /* the report goes to standard output: the list may not go there too */
  const char *outputs[] = {o->out && o->out != stdout ? NULL : "-", o->list};
  uint32_t n0 = src_set_count(o->old_p->srcs), n1 = src_set_count(o->new_p->srcs);
  const char **inputs = mem_alloc((o->ninputs + n0 + n1 + 1) * sizeof *inputs);
  if (!inputs) {
    fprintf(log, "elig: out of memory\n");
    return false;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < o->ninputs; i++)
    inputs[n++] = o->inputs[i];
  for (uint32_t i = 0; i < n0; i++)
    inputs[n++] = src_file_name(o->old_p->srcs, i);
  for (uint32_t i = 0; i < n1; i++)
    inputs[n++] = src_file_name(o->new_p->srcs, i);
  bool ok = out_check_paths(outputs, 2, inputs, n, log);
  mem_free(inputs);
  return ok;
}

int diff_batch(const diff_options *o, diff_stats *st, FILE *log)
{
  diff d = {.o = o, .log = log, .st = st};
  memset(st, 0, sizeof *st);
  if (!check_paths(o, log))
    return 2;
  d.start = d.last_progress = now();
  csv_parser_init(&d.csv, NULL);
  jdoc_init(&d.json, REC_JDOC_OPTIONS);
  input_chunk_init(&d.chunk);
  bool ready = side_init(&d.s[0], o->old_p, "old", o->as_of) &&
               side_init(&d.s[1], o->new_p, "new", o->as_of) && build_maps(&d);
  bool opened = false, agg_ok = true;
  d.ks = d.s[0].P->nkeys ? 0 : 1;
  if (!ready) {
    fprintf(log, "elig: out of memory\n");
    d.nomem = true;
  } else if ((opened = !o->list || out_open(&d.list, o->list, log))) {
    if (o->list)
      list_header(&d);
    for (uint32_t i = 0; i < o->ninputs && !d.write_failed && !d.nomem && !d.interrupted; i++)
      read_input(&d, o->inputs[i]);
    if (o->list)
      output_flush(&d.list, &d.lbuf, &d.write_failed);
    if (!d.read_failed && !d.write_failed && !d.nomem && !d.interrupted)
      agg_ok = compare_aggregates(&d);
  }
  progress(&d, true);
  if (d.nomem)
    fprintf(log, "elig: out of memory\n");
  if (d.interrupted)
    fprintf(log, "elig: interrupted: no report and no list file were written\n");
  bool keep = ready && opened && !d.read_failed && !d.write_failed && !d.nomem &&
              !d.interrupted && agg_ok;
  /* the report first: the list file is kept only when the report could be written too */
  if (keep && !out_flush(&d.list, log))
    keep = false;
  if (keep) {
    wbuf rep = {0};
    if (o->format == DIFF_JSON)
      json_report(&d, &rep);
    else
      text_report(&d, &rep);
    FILE *out = o->out ? o->out : stdout;
    if (rep.failed || d.nomem) {
      fprintf(log, "elig: out of memory\n");
      keep = false;
    } else if (fwrite(rep.p, 1, rep.len, out) != rep.len || fflush(out) != 0) {
      fprintf(log, "elig: cannot write the report: %s%s\n", strerror(errno ? errno : EIO),
              o->list ? "; the list file was not kept" : "");
      keep = false;
    }
    wbuf_free(&rep);
  }
  bool closed = out_close(&d.list, keep, log);
  st->unknown_old = d.s[0].unknown;
  st->unknown_new = d.s[1].unknown;
  for (int k = 0; k < 2; k++)
    if (d.s[k].P)
      side_fini(&d.s[k]);
  for (uint32_t i = 0; d.decs && i < d.ndecs; i++)
    ctable_fini(&d.decs[i].t);
  for (uint32_t i = 0; d.aggs && i < d.naggs; i++) {
    agg_map *m = &d.aggs[i];
    glist_fini(&m->g[0]);
    glist_fini(&m->g[1]);
    mem_free(m->changed);
    mem_free(m->only);
    mem_free(m->dcol);
    mem_free(m->vcol);
  }
  mem_free(d.decs);
  mem_free(d.flags);
  mem_free(d.aggs);
  csv_parser_fini(&d.csv);
  jdoc_fini(&d.json);
  input_chunk_fini(&d.chunk);
  wbuf_free(&d.lbuf);
  wbuf_free(&d.logbuf);
  st->seconds = now() - d.start;
  if (!keep || !closed)
    return 4;
  return st->rejected ? 3 : 0;
}
