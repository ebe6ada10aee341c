/*
 * hrun.c -- a batch run over households followed through the years.  See hrun.h.
 *
 * An entry is a record typed once already: a fixed header (below), then its link and its raw
 * text.  The entries come in input order, so entry i's result goes in slot i and the items of
 * the reading (rejections, messages) merge with them by their place in the input order: no
 * result is sorted, only the entries' order of evaluation is.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "hrun.h"
#include "mem.h"
#include "split.h"

typedef hrun_rec entry;

/* What evaluating an entry gave: an item in a thread's buffer. */
typedef struct {
  uint32_t thread;
  uint32_t stream; /* elig_stream */
  uint64_t off;    /* in that thread's buffer */
  uint64_t len;
} outcome;

typedef struct {
  uint64_t ord;
  uint32_t stream;
  uint32_t len;
} item;

struct hrun {
  const elig_program *P;
  wbuf entries, items;
  entry **sorted; /* the entries in the order they are evaluated */
  uint64_t nentries;
  outcome *out; /* per entry, in input order */
  wbuf *thread_out;
  unsigned nthreads;
};

hrun *hrun_new(const elig_program *P)
{
  hrun *h = mem_calloc(1, sizeof *h);
  if (h)
    h->P = P;
  return h;
}

void hrun_free(hrun *h)
{
  if (!h)
    return;
  wbuf_free(&h->entries);
  wbuf_free(&h->items);
  mem_free(h->sorted);
  mem_free(h->out);
  for (unsigned t = 0; h->thread_out && t < h->nthreads; t++)
    wbuf_free(&h->thread_out[t]);
  mem_free(h->thread_out);
  mem_free(h);
}

/* FNV-1a: a household's link is a few bytes. */
static uint64_t hash_bytes(const char *p, size_t n)
{
  uint64_t x = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++)
    x = (x ^ (unsigned char)p[i]) * 1099511628211ull;
  return x;
}

static size_t round8(size_t n)
{
  return (n + 7) & ~(size_t)7;
}

void hrun_entry(wbuf *out, const step *s, uint64_t ord, const split_record *r, uint32_t input)
{
  size_t start = out->len;
  entry e = {0};
  wbuf_put(out, (const char *)&e, sizeof e);
  hist_link(s->P, s->ctx, out);
  if (out->failed)
    return;
  e.link_len = (uint32_t)(out->len - start - sizeof e);
  e.hash = hash_bytes(out->p + start + sizeof e, e.link_len);
  e.year = hist_year(s->P, s->ctx);
  e.ord = ord;
  e.line = r->line;
  e.input = input;
  e.raw_len = (uint32_t)r->rawlen;
  e.format = (uint32_t)r->format;
  wbuf_put(out, r->raw, r->rawlen);
  static const char zeros[8];
  size_t size = round8(out->len - start);
  wbuf_put(out, zeros, size - (out->len - start));
  e.size = (uint32_t)size;
  if (!out->failed)
    memcpy(out->p + start, &e, sizeof e);
}

void hrun_item(wbuf *out, uint64_t ord, elig_stream stream, const char *text, size_t len)
{
  item it = {.ord = ord, .stream = (uint32_t)stream, .len = (uint32_t)len};
  static const char zeros[8];
  wbuf_put(out, (const char *)&it, sizeof it);
  wbuf_put(out, text, len);
  wbuf_put(out, zeros, round8(len) - len);
}

bool hrun_add(hrun *h, wbuf *entries, wbuf *items)
{
  wbuf_put(&h->entries, entries->p, entries->len);
  wbuf_put(&h->items, items->p, items->len);
  entries->len = items->len = 0;
  return !h->entries.failed && !h->items.failed;
}

/* ---------------------------------------------------------------- evaluation */

static const char *link_of(const entry *e)
{
  return hrun_rec_link(e);
}

static const char *raw_of(const entry *e)
{
  return hrun_rec_raw(e);
}

static bool same_link(const entry *a, const entry *b)
{
  return a->hash == b->hash && a->link_len == b->link_len &&
         memcmp(link_of(a), link_of(b), a->link_len) == 0;
}

/* Households together (by the hash of their link, then the link), each in the order of its
 * years, and a household-year's records in input order. */
static int by_household(const void *pa, const void *pb)
{
  const entry *a = *(entry *const *)pa, *b = *(entry *const *)pb;
  if (a->hash != b->hash)
    return a->hash < b->hash ? -1 : 1;
  if (a->link_len != b->link_len)
    return a->link_len < b->link_len ? -1 : 1;
  int c = memcmp(link_of(a), link_of(b), a->link_len);
  if (c)
    return c;
  if (a->year != b->year)
    return a->year < b->year ? -1 : 1;
  return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static bool index_entries(hrun *h)
{
  uint64_t n = 0;
  for (size_t off = 0; off < h->entries.len; off += ((entry *)(h->entries.p + off))->size)
    n++;
  h->nentries = n;
  h->sorted = mem_calloc(n + 1, sizeof *h->sorted);
  h->out = mem_calloc(n + 1, sizeof *h->out);
  if (!h->sorted || !h->out)
    return false;
  uint64_t i = 0;
  for (size_t off = 0; off < h->entries.len; off += ((entry *)(h->entries.p + off))->size) {
    entry *e = (entry *)(h->entries.p + off);
    e->index = (uint32_t)i;
    h->sorted[i++] = e;
  }
  qsort(h->sorted, n, sizeof *h->sorted, by_household);
  return true;
}

/* One thread's share: the sorted entries [from, to), whole households. */
typedef struct {
  hrun *h;
  step *s;
  unsigned thread;
  uint64_t from, to;
  const rec_header *headers;
  const char *const *names;
  const hrun_format *fmt;
  uint64_t rejected;
  bool nomem;
} share;

/* The entry's record cut and typed again from its raw text, into s. */
static step_result retype(share *sh, splitter *sp, const entry *e, split_record *r, step_why *why)
{
  input_chunk c = {.data = raw_of(e), .len = e->raw_len, .first_line = e->line};
  rec_unknown unknown = {0};
  split_begin(sp, (input_format)e->format, &c, 0, 0);
  if (!split_next(sp, r))
    return STEP_REJECTED; /* not reached: it was a record when it was read */
  return step_type(sh->s, &sh->headers[e->input], r, &unknown, why);
}

static void *evaluate_share(void *arg)
{
  share *sh = arg;
  hrun *h = sh->h;
  wbuf *out = &h->thread_out[sh->thread];
  wbuf rej = {0}, log = {0};
  splitter sp;
  hist_chain chain;
  split_init(&sp);
  hist_init(&chain);
  bool wanted = true;
  for (uint64_t k = sh->from; k < sh->to && !sh->nomem; k++) {
    const entry *e = h->sorted[k];
    outcome *o = &h->out[e->index];
    o->thread = sh->thread;
    o->off = out->len;
    o->len = 0;
    if (sh->fmt->wanted && (k == sh->from || !same_link(h->sorted[k - 1], e)))
      wanted = sh->fmt->wanted(sh->fmt->arg, link_of(e), e->link_len);
    if (!wanted)
      continue;
    split_record r;
    step_why why;
    char where[96];
    snprintf(where, sizeof where, "%s:%llu", sh->names[e->input], (unsigned long long)e->line);
    step_result res = retype(sh, &sp, e, &r, &why);
    if (res == STEP_OK)
      res = hist_begin(&chain, sh->s, where, &why);
    if (res == STEP_OK)
      res = step_evaluate(sh->s, e->ord, &why);
    if (res == STEP_OK)
      res = hist_accept(&chain, sh->s, &why);
    if (res == STEP_NO_MEMORY) {
      sh->nomem = true;
      break;
    }
    if (res == STEP_OK) {
      o->stream = sh->fmt->result_stream;
      sh->fmt->result(sh->fmt->arg, sh->s, sh->names[e->input], &r, out);
    } else {
      sh->rejected++;
      rej.len = log.len = 0;
      sh->fmt->reject(sh->fmt->arg, sh->s, sh->names[e->input], &sh->headers[e->input], &r, &why,
                      res == STEP_FAILED, &rej, &log);
      o->stream = rej.len ? ELIG_STREAM_REJECTS : ELIG_STREAM_MESSAGES;
      wbuf_put(out, rej.len ? rej.p : log.p, rej.len ? rej.len : log.len);
    }
    o->len = out->len - o->off;
  }
  sh->nomem |= out->failed || rej.failed || log.failed;
  wbuf_free(&rej);
  wbuf_free(&log);
  hist_fini(&chain);
  split_fini(&sp);
  return NULL;
}

/* Where share t of n ends: near t/n of the entries, moved on to a household's start. */
static uint64_t share_end(const hrun *h, unsigned t, unsigned n)
{
  if (t + 1 >= n)
    return h->nentries;
  uint64_t k = h->nentries * (t + 1) / n;
  while (k > 0 && k < h->nentries && same_link(h->sorted[k - 1], h->sorted[k]))
    k++;
  return k;
}

bool hrun_evaluate(hrun *h, step *const *steps, unsigned nsteps, const rec_header *headers,
                   const char *const *names, const hrun_format *fmt, uint64_t *rejected)
{
  *rejected = 0;
  if (h->entries.failed || h->items.failed || !index_entries(h))
    return false;
  h->nthreads = nsteps ? nsteps : 1;
  h->thread_out = mem_calloc(h->nthreads, sizeof *h->thread_out);
  share *shares = mem_calloc(h->nthreads, sizeof *shares);
  pthread_t *threads = mem_calloc(h->nthreads, sizeof *threads);
  bool *started = mem_calloc(h->nthreads, sizeof *started);
  bool ok = h->thread_out && shares && threads && started;
  uint64_t from = 0;
  for (unsigned t = 0; ok && t < h->nthreads; t++) {
    shares[t] = (share){.h = h,
                        .s = steps[t],
                        .thread = t,
                        .from = from,
                        .to = share_end(h, t, h->nthreads),
                        .headers = headers,
                        .names = names,
                        .fmt = fmt};
    from = shares[t].to;
  }
  /* the calling thread takes the first share itself */
  for (unsigned t = 1; ok && t < h->nthreads; t++)
    started[t] = pthread_create(&threads[t], NULL, evaluate_share, &shares[t]) == 0;
  if (ok)
    evaluate_share(&shares[0]);
  for (unsigned t = 1; ok && t < h->nthreads; t++) {
    if (started[t])
      pthread_join(threads[t], NULL);
    else
      evaluate_share(&shares[t]);
  }
  for (unsigned t = 0; ok && t < h->nthreads; t++) {
    ok = !shares[t].nomem;
    *rejected += shares[t].rejected;
  }
  mem_free(shares);
  mem_free(threads);
  mem_free(started);
  return ok;
}

/* ---------------------------------------------------------------- writing */

bool hrun_write(hrun *h, bool (*write)(void *arg, elig_stream s, const char *text, size_t len),
                void *arg)
{
  /* Two sequences in input order, merged by their places: the entries (the buffer keeps
   * them in the order they were read) with their outcomes, and the items of the reading. */
  size_t e_off = 0, i_off = 0;
  while (e_off < h->entries.len || i_off < h->items.len) {
    const entry *e = e_off < h->entries.len ? (const entry *)(h->entries.p + e_off) : NULL;
    const item *it = i_off < h->items.len ? (const item *)(h->items.p + i_off) : NULL;
    bool ok;
    if (e && !h->out) { /* not evaluated: the entries have no outcome */
      e_off += e->size;
      continue;
    }
    if (it && (!e || it->ord <= e->ord)) {
      ok = write(arg, (elig_stream)it->stream, (const char *)(it + 1), it->len);
      i_off += sizeof *it + round8(it->len);
    } else {
      const outcome *o = &h->out[e->index];
      ok = o->len == 0 ||
           write(arg, (elig_stream)o->stream, h->thread_out[o->thread].p + o->off, o->len);
      e_off += e->size;
    }
    if (!ok)
      return false;
  }
  return true;
}
