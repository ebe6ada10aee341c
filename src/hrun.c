/*
 * hrun.c -- a batch run over households followed through the years.  See hrun.h.
 *
 * The entries are spread over NBUCKETS buckets by the hash of their household's link, so
 * that a household's records are in one bucket and a bucket is small enough to sort and
 * evaluate in cache.  Buckets are evaluated one at a time (threads take whole buckets): the
 * bucket's entries are ordered by household and year (sort_keys), each record's typed image
 * is loaded and evaluated through a history chain (hist.c), and the results, put back into
 * input order by their entry's place in the bucket, become the bucket's run.  Writing merges the runs and the items of the reading by
 * their place in the input order.
 *
 * Memory: what the buckets and runs hold is counted against a budget; past it, every
 * bucket's or run's bytes go on to an unnamed temporary file of its own (spill.h), so that
 * the run's memory stays near the budget whatever the size of the register, and the disk
 * does the rest with sequential reads and writes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "hrun.h"
#include "mem.h"
#include "spill.h"
#include "split.h"

#define NBUCKETS 64
/* A bucket too large for a thread is evaluated in parts (evaluate_in_parts): at most this
 * many (a temporary file each, at once), each filled through a buffer of PART_BLOCK bytes,
 * and none made smaller than MIN_PART bytes. */
#define MAX_PARTS 256
#define PART_BLOCK ((size_t)64 << 10)
#define MIN_PART ((size_t)4 << 10)
#define DEFAULT_BUDGET ((size_t)256 << 20)

typedef hrun_rec entry;

/* An item: a result, a rejection or a message at its place in input order. */
typedef struct {
  uint64_t ord;
  uint32_t stream;
  uint32_t len;
} item;

struct hrun {
  const elig_program *P;
  size_t budget;
  pthread_mutex_t lock; /* the memory count and spilling, while buckets are evaluated */
  size_t in_memory;     /* bytes of buckets and runs not spilled */
  spill buckets[NBUCKETS];
  spill runs[NBUCKETS]; /* per bucket: its results, in input order */
  spill items;          /* of the reading (rejections, messages), in input order */
  uint64_t nentries;
  bool evaluated, nomem;
  bool io_failed; /* written and read under lock once threads evaluate */
  int io_errno;   /* the errno of the first temporary file that failed */
};

hrun *hrun_new(const elig_program *P, size_t budget)
{
  hrun *h = mem_calloc(1, sizeof *h);
  if (!h)
    return NULL;
  h->P = P;
  h->budget = budget ? budget : DEFAULT_BUDGET;
  pthread_mutex_init(&h->lock, NULL);
  for (int b = 0; b < NBUCKETS; b++) {
    spill_init(&h->buckets[b]);
    spill_init(&h->runs[b]);
  }
  spill_init(&h->items);
  return h;
}

void hrun_free(hrun *h)
{
  if (!h)
    return;
  for (int b = 0; b < NBUCKETS; b++) {
    spill_fini(&h->buckets[b]);
    spill_fini(&h->runs[b]);
  }
  spill_fini(&h->items);
  pthread_mutex_destroy(&h->lock);
  mem_free(h);
}

bool hrun_failed_io(const hrun *h)
{
  return h->io_failed;
}

int hrun_io_errno(const hrun *h)
{
  return h->io_errno;
}

/* A temporary file failed: said once, with the errno of the moment. */
static void io_failure(hrun *h, bool locked)
{
  int e = errno;
  if (!locked)
    pthread_mutex_lock(&h->lock);
  if (!h->io_failed)
    h->io_errno = e;
  h->io_failed = true;
  if (!locked)
    pthread_mutex_unlock(&h->lock);
}

bool hrun_failed_memory(const hrun *h)
{
  return h->nomem;
}

/* FNV-1a: a household's link is a few bytes. */
uint64_t hrun_link_hash(const char *p, size_t n)
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
  static const char zeros[8];
  size_t start = out->len;
  entry e = {0};
  wbuf_put(out, (const char *)&e, sizeof e);
  hist_link(s->P, s->ctx, out);
  size_t link_end = out->len;
  vm_image(s->ctx, out);
  size_t image_end = out->len;
  wbuf_put(out, r->raw, r->rawlen);
  size_t size = round8(out->len - start);
  wbuf_put(out, zeros, size - (out->len - start));
  if (out->failed)
    return;
  e.size = (uint32_t)size;
  e.link_len = (uint32_t)(link_end - start - sizeof e);
  e.image_len = (uint32_t)(image_end - link_end);
  e.hash = hrun_link_hash(out->p + start + sizeof e, e.link_len);
  e.year = hist_year(s->P, s->ctx);
  e.ord = ord;
  e.line = r->line;
  e.input = input;
  e.raw_len = (uint32_t)r->rawlen;
  e.format = (uint32_t)r->format;
  memcpy(out->p + start, &e, sizeof e);
}

void hrun_item(wbuf *out, uint64_t ord, elig_stream stream, const char *text, size_t len)
{
  static const char zeros[8];
  item it = {.ord = ord, .stream = (uint32_t)stream, .len = (uint32_t)len};
  wbuf_put(out, (const char *)&it, sizeof it);
  wbuf_put(out, text, len);
  wbuf_put(out, zeros, round8(len) - len);
}

/* Past the budget: every bucket (or run) goes to its file, and memory is free again.  Called
 * with the lock held while threads evaluate. */
static void spill_all(hrun *h, spill *set)
{
  for (int b = 0; b < NBUCKETS; b++)
    if (!spill_flush(&set[b]))
      io_failure(h, true);
  if (!spill_flush(&h->items))
    io_failure(h, true);
  h->in_memory = 0;
  for (int b = 0; b < NBUCKETS; b++)
    h->in_memory += h->buckets[b].mem.cap + h->runs[b].mem.cap;
}

bool hrun_add(hrun *h, wbuf *entries, wbuf *items)
{
  if (entries->failed || items->failed) {
    /* an entry may be cut short: its size cannot be trusted */
    h->nomem = true;
    entries->len = items->len = 0;
    entries->failed = items->failed = false;
    return false;
  }
  for (size_t off = 0; off < entries->len;) {
    const entry *e = (const entry *)(entries->p + off);
    spill *b = &h->buckets[e->hash % NBUCKETS];
    size_t cap = b->mem.cap; /* what the memory holds is its capacity, not its length */
    wbuf_put(&b->mem, (const char *)e, e->size);
    h->in_memory += b->mem.cap - cap;
    h->nentries++;
    off += e->size;
    h->nomem |= b->mem.failed;
  }
  size_t cap = h->items.mem.cap;
  wbuf_put(&h->items.mem, items->p, items->len);
  h->in_memory += h->items.mem.cap - cap;
  entries->len = items->len = 0;
  h->nomem |= h->items.mem.failed;
  if (h->in_memory > h->budget && !h->nomem)
    spill_all(h, h->buckets);
  return !h->nomem && !h->io_failed;
}

/* ---------------------------------------------------------------- evaluation */

static const char *image_of(const entry *e)
{
  return hrun_rec_link(e) + e->link_len;
}

static bool same_link(const entry *a, const entry *b)
{
  return a->hash == b->hash && a->link_len == b->link_len &&
         memcmp(hrun_rec_link(a), hrun_rec_link(b), a->link_len) == 0;
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
  int c = memcmp(hrun_rec_link(a), hrun_rec_link(b), a->link_len);
  if (c)
    return c;
  if (a->year != b->year)
    return a->year < b->year ? -1 : 1;
  return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static int by_ord(const void *pa, const void *pb)
{
  const item *a = *(item *const *)pa, *b = *(item *const *)pb;
  return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* ---------------------------------------------------------------- merging runs by place */

/* The next item of a source: a bucket's run, or the reading's items. */
typedef struct {
  spill_reader rd;
  const item *head; /* the item at the front, NULL when the source is done */
} source;

static bool advance(source *s)
{
  if (s->head && !spill_reader_skip(&s->rd, sizeof(item) + round8(s->head->len)))
    return false;
  const char *at = spill_reader_peek(&s->rd, sizeof(item));
  s->head = NULL;
  if (!at)
    return !spill_reader_failed(&s->rd);
  size_t len = sizeof(item) + round8(((const item *)at)->len);
  s->head = (const item *)spill_reader_peek(&s->rd, len);
  return s->head != NULL;
}

/* Whether source a's front comes before source b's. */
static bool earlier(const source *src, int a, int b)
{
  uint64_t x = src[a].head->ord, y = src[b].head->ord;
  return x < y || (x == y && a > b); /* the reading's items have the highest index */
}

static void heap_push(const source *src, int *heap, int *n, int k)
{
  int i = (*n)++;
  for (; i > 0 && earlier(src, k, heap[(i - 1) / 2]); i = (i - 1) / 2)
    heap[i] = heap[(i - 1) / 2];
  heap[i] = k;
}

static void heap_pop(const source *src, int *heap, int *n)
{
  int last = heap[--(*n)], i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= *n)
      break;
    if (c + 1 < *n && earlier(src, heap[c + 1], heap[c]))
      c++;
    if (!earlier(src, heap[c], last))
      break;
    heap[i] = heap[c];
    i = c;
  }
  if (*n > 0)
    heap[i] = last;
}

/* An entry to sort: its hash first, so that most comparisons read only the key. */
typedef struct {
  uint64_t hash;
  const entry *e;
  uint64_t idx; /* its place in the bucket */
} hkey;

/* One thread's work: the buckets it takes, one at a time. */
typedef struct {
  hrun *h;
  step *s;
  const rec_header *headers;
  const char *const *names;
  const hrun_format *fmt;
  unsigned *next_bucket; /* shared: the next bucket to take */
  uint64_t rejected;
  bool nomem;
  size_t limit; /* bytes of entries one thread holds at once (evaluate_in_parts) */
  /* per thread, reused from bucket to bucket */
  wbuf bytes, results, rej, log, run;
  splitter sp;
  hist_chain chain;
  hkey *keys, *tmp;  /* the entries being evaluated, sorted by household */
  size_t *result_at; /* by place in the bucket: where its result begins in `results` */
  uint64_t nkeys, keys_cap;
  uint64_t *count; /* sort_keys' counts */
  bool in_order;   /* the entries came in input order, as a reading adds them */
} worker;

/* The entry's record cut from its raw text, for a rejection's row or message; false when it
 * cannot be (out of memory: w->nomem). */
static bool cut(worker *w, const entry *e, split_record *r)
{
  input_chunk c = {.data = hrun_rec_raw(e), .len = e->raw_len, .first_line = e->line};
  split_begin(&w->sp, (input_format)e->format, &c, 0, 0);
  if (!split_next(&w->sp, r))
    return false; /* not reached: it was a record when it was read */
  if ((r->format == INPUT_CSV && r->csv->error == CSV_ENOMEM) ||
      (r->format != INPUT_CSV && r->json_error == JDOC_ENOMEM)) {
    w->nomem = true;
    return false;
  }
  return true;
}

/* Evaluates one record after its household's year before; its result or rejection goes to
 * w->results as an item. */
static void evaluate_entry(worker *w, const entry *e)
{
  step_why why;
  step_result res = vm_load_image(w->s->ctx, image_of(e), e->image_len) ? STEP_OK : STEP_NO_MEMORY;
  if (res == STEP_OK)
    res = hist_begin(&w->chain, w->s, w->names[e->input], e->line, &why);
  if (res == STEP_OK)
    res = step_evaluate(w->s, e->ord, &why);
  if (res == STEP_OK)
    res = hist_accept(&w->chain, w->s, &why);
  if (res == STEP_NO_MEMORY) {
    w->nomem = true;
    return;
  }
  split_record r;
  size_t at = w->results.len;
  item it = {.ord = e->ord};
  wbuf_put(&w->results, (const char *)&it, sizeof it);
  if (res == STEP_OK) {
    it.stream = w->fmt->result_stream;
    w->fmt->result(w->fmt->arg, w->s, e, w->names[e->input], w->chain.kept.p, w->chain.kept.len,
                   &w->results);
  } else {
    w->rejected++;
    w->rej.len = w->log.len = 0;
    if (!cut(w, e, &r))
      return;
    w->fmt->reject(w->fmt->arg, w->s, e, w->names[e->input], &w->headers[e->input], &r, &why,
                   res == STEP_FAILED, &w->rej, &w->log);
    const wbuf *text = w->rej.len ? &w->rej : &w->log;
    it.stream = w->rej.len ? ELIG_STREAM_REJECTS : ELIG_STREAM_MESSAGES;
    wbuf_put(&w->results, text->p, text->len);
  }
  static const char zeros[8];
  it.len = (uint32_t)(w->results.len - at - sizeof it);
  wbuf_put(&w->results, zeros, round8(it.len) - it.len);
  if (!w->results.failed)
    memcpy(w->results.p + at, &it, sizeof it);
  w->nomem |= w->results.failed || w->rej.failed || w->log.failed;
}

/* Where the result of each entry of the bucket (by its place in the bucket, which is input
 * order) begins in w->results; NO_RESULT when it was not evaluated. */
#define NO_RESULT SIZE_MAX

/* Copies the result items into `to`, a buffer with room for all of them, in input order. */
static void put_in_order(worker *w, wbuf *to)
{
  if (w->in_order) {
    /* the places of the results are known: no sorting */
    for (uint64_t i = 0; i < w->nkeys && !to->failed; i++) {
      if (w->result_at[i] == NO_RESULT)
        continue;
      const item *it = (const item *)(w->results.p + w->result_at[i]);
      wbuf_put(to, (const char *)it, sizeof(item) + round8(it->len));
    }
    return;
  }
  /* entries that came out of order (not from a reading): sort the items by their place */
  uint64_t n = 0;
  for (size_t off = 0; off < w->results.len;
       off += sizeof(item) + round8(((item *)(w->results.p + off))->len))
    n++;
  item **order = mem_calloc(n + 1, sizeof *order);
  if (!order) {
    w->nomem = true;
    return;
  }
  n = 0;
  for (size_t off = 0; off < w->results.len;
       off += sizeof(item) + round8(((item *)(w->results.p + off))->len))
    order[n++] = (item *)(w->results.p + off);
  qsort(order, n, sizeof *order, by_ord);
  for (uint64_t i = 0; i < n && !to->failed; i++)
    wbuf_put(to, (const char *)order[i], sizeof(item) + round8(order[i]->len));
  mem_free(order);
}

/* Appends the items of w->results to the bucket's run in input order; in memory while the
 * budget allows and `may_keep`, else to the run's file. */
static void make_run(worker *w, spill *run, bool may_keep)
{
  /* the run stays in memory while the budget allows, else goes to its file */
  hrun *h = w->h;
  pthread_mutex_lock(&h->lock);
  bool keep = may_keep && h->in_memory + w->results.len <= h->budget;
  if (keep)
    h->in_memory += w->results.len;
  pthread_mutex_unlock(&h->lock);
  wbuf *to = &w->run;
  to->len = 0;
  if (keep) {
    /* exactly its size: a run kept is never appended to */
    to = &run->mem;
    to->p = mem_alloc(w->results.len + 1);
    to->cap = to->p ? w->results.len + 1 : 0;
    to->len = 0;
    to->failed = to->p == NULL;
  }
  if (!to->failed)
    put_in_order(w, to);
  w->nomem |= to->failed;
  if (!keep && !w->nomem && !spill_write(run, w->run.p, w->run.len))
    io_failure(h, false);
}

/* The full order of by_household, on keys. */
static int key_by_household(const void *pa, const void *pb)
{
  const hkey *a = pa, *b = pb;
  int c = by_household(&a->e, &b->e);
  if (c == 0 && a->idx != b->idx)
    return a->idx < b->idx ? -1 : 1;
  return c;
}

/* sort_keys: groups by at most the top MAX_BITS bits of the hash; up to SMALL keys sorted by
 * insertion */
enum {
  MAX_BITS = 16,
  SMALL = 16
};

/* The bits of the hash sort_keys groups n keys by: about one group per key, so that groups
 * stay small, but never more groups than keys: clearing and walking 65,536 counts for each of
 * the 64 buckets was a fixed 100 million instructions a run, whatever its size. */
static unsigned group_bits(uint64_t n)
{
  unsigned bits = 1;
  while (bits < MAX_BITS && ((uint64_t)1 << bits) < n)
    bits++;
  return bits;
}

/* Sorts n keys by household (the hash of the link, then the link), year and place.  The
 * hashes are uniform: one counting pass on their top bits leaves groups of a few keys (a
 * household's years, mostly), put in order by insertion; a large group (one household with
 * many records, or colliding hashes) by qsort.  qsort over all was 6% of a history run.
 * `count` has room for 2^MAX_BITS + 1 counts. */
static void sort_keys(hkey *keys, hkey *tmp, uint64_t *count, uint64_t n)
{
  unsigned bits = group_bits(n);
  uint32_t groups = (uint32_t)1 << bits;
  memset(count, 0, (groups + 1) * sizeof *count);
  for (uint64_t i = 0; i < n; i++)
    count[(keys[i].hash >> (64 - bits)) + 1]++;
  for (uint32_t g = 0; g < groups; g++)
    count[g + 1] += count[g];
  for (uint64_t i = 0; i < n; i++)
    tmp[count[keys[i].hash >> (64 - bits)]++] = keys[i]; /* stable: places stay in order */
  uint64_t from = 0;
  for (uint32_t g = 0; g < groups; g++) {
    uint64_t to = count[g]; /* after the scatter: the end of group g */
    if (to - from > SMALL) {
      qsort(tmp + from, to - from, sizeof *tmp, key_by_household);
    } else {
      for (uint64_t i = from + 1; i < to; i++) {
        hkey k = tmp[i];
        uint64_t j = i;
        for (; j > from && key_by_household(&tmp[j - 1], &k) > 0; j--)
          tmp[j] = tmp[j - 1];
        tmp[j] = k;
      }
    }
    from = to;
  }
  memcpy(keys, tmp, n * sizeof *keys);
}

/* Room for n keys and their results' places in the worker's arrays. */
static bool reserve_keys(worker *w, uint64_t n)
{
  if (!w->count && !(w->count = mem_calloc(((size_t)1 << MAX_BITS) + 1, sizeof *w->count)))
    return false;
  if (n <= w->keys_cap)
    return true;
  mem_free(w->keys);
  mem_free(w->tmp);
  mem_free(w->result_at);
  w->keys = mem_calloc(n, sizeof *w->keys);
  w->tmp = mem_calloc(n, sizeof *w->tmp);
  w->result_at = mem_calloc(n, sizeof *w->result_at);
  w->keys_cap = w->keys && w->tmp && w->result_at ? n : 0;
  return w->keys_cap != 0;
}

/* Evaluates the entries in `bytes`, each household's in the order of its years; the results
 * go to w->results, and where each begins to w->result_at. */
static void evaluate_entries(worker *w, const wbuf *bytes)
{
  uint64_t n = 0;
  for (size_t off = 0; off < bytes->len; off += ((entry *)(bytes->p + off))->size)
    n++;
  if (!reserve_keys(w, n + 1)) {
    w->nomem = true;
    return;
  }
  w->nkeys = 0;
  w->in_order = true;
  for (size_t off = 0; off < bytes->len; off += ((entry *)(bytes->p + off))->size) {
    const entry *e = (const entry *)(bytes->p + off);
    if (w->nkeys && e->ord <= w->keys[w->nkeys - 1].e->ord)
      w->in_order = false;
    w->result_at[w->nkeys] = NO_RESULT;
    w->keys[w->nkeys] = (hkey){.hash = e->hash, .e = e, .idx = w->nkeys};
    w->nkeys++;
  }
  sort_keys(w->keys, w->tmp, w->count, n);
  bool wanted = true;
  for (uint64_t k = 0; k < n && !w->nomem; k++) {
    const entry *e = w->keys[k].e;
    if (w->fmt->wanted && (k == 0 || !same_link(w->keys[k - 1].e, e)))
      wanted = w->fmt->wanted(w->fmt->arg, hrun_rec_link(e), e->link_len);
    if (wanted) {
      w->result_at[w->keys[k].idx] = w->results.len;
      evaluate_entry(w, e);
    }
  }
}

/* The bucket is evaluated: its entries are not needed again. */
static void bucket_done(hrun *h, spill *bucket)
{
  pthread_mutex_lock(&h->lock);
  h->in_memory -= bucket->mem.cap < h->in_memory ? bucket->mem.cap : h->in_memory;
  pthread_mutex_unlock(&h->lock);
  spill_fini(bucket);
}

/* Deals the entries of a spilled bucket into `nparts` parts by their household (another part
 * of the link's hash than the bucket's), each in a temporary file past a small buffer. */
static bool split_bucket(worker *w, const spill *bucket, spill *parts, unsigned nparts)
{
  spill_reader rd;
  spill_reader_init(&rd, bucket);
  bool ok = true;
  for (;;) {
    const entry *e = (const entry *)spill_reader_peek(&rd, sizeof *e);
    if (!e || !(e = (const entry *)spill_reader_peek(&rd, e->size)))
      break;
    spill *part = &parts[(e->hash / NBUCKETS) % nparts];
    wbuf_put(&part->mem, (const char *)e, e->size);
    if (part->mem.failed) {
      w->nomem = true;
      ok = false;
      break;
    }
    if (part->mem.len >= PART_BLOCK && !spill_flush(part)) {
      io_failure(w->h, false);
      ok = false;
      break;
    }
    spill_reader_skip(&rd, e->size);
  }
  if (spill_reader_failed(&rd)) {
    if (rd.buf.failed)
      w->nomem = true;
    else
      io_failure(w->h, false);
    ok = false;
  }
  spill_reader_fini(&rd);
  return ok;
}

/* Merges the parts' runs, each in input order, into the bucket's run. */
static void merge_runs(worker *w, spill *runs, unsigned n, spill *out)
{
  source *src = mem_calloc(n, sizeof *src);
  int *heap = mem_calloc(n, sizeof *heap);
  int top = 0;
  bool ok = src && heap;
  for (unsigned k = 0; ok && k < n; k++) {
    spill_reader_init(&src[k].rd, &runs[k]);
    ok = advance(&src[k]);
    if (ok && src[k].head)
      heap_push(src, heap, &top, (int)k);
  }
  w->run.len = 0;
  while (ok && top > 0) {
    int best = heap[0];
    const item *it = src[best].head;
    wbuf_put(&w->run, (const char *)it, sizeof *it + round8(it->len));
    if (w->run.len >= PART_BLOCK * 16) {
      ok = !w->run.failed && spill_write(out, w->run.p, w->run.len);
      w->run.len = 0;
    }
    heap_pop(src, heap, &top);
    if (ok && !(ok = advance(&src[best])))
      break;
    if (src[best].head)
      heap_push(src, heap, &top, best);
  }
  if (ok && w->run.len)
    ok = !w->run.failed && spill_write(out, w->run.p, w->run.len);
  if (!src || !heap || w->run.failed)
    w->nomem = true;
  else if (!ok)
    io_failure(w->h, false);
  for (unsigned k = 0; src && k < n; k++)
    spill_reader_fini(&src[k].rd);
  mem_free(src);
  mem_free(heap);
}

/* A spilled bucket larger than a thread may hold (a register many times the budget): its
 * households are dealt into parts, each evaluated alone, and the parts' runs merged, so that
 * memory stays about the budget however large the input. */
static void evaluate_in_parts(worker *w, unsigned b, uint64_t size)
{
  hrun *h = w->h;
  uint64_t want = size / (w->limit / 2 + 1) + 1;
  unsigned nparts = want > MAX_PARTS ? MAX_PARTS : (unsigned)want;
  spill *parts = mem_calloc(nparts, sizeof *parts);
  spill *runs = mem_calloc(nparts, sizeof *runs);
  if (!parts || !runs) {
    mem_free(parts);
    mem_free(runs);
    w->nomem = true;
    return;
  }
  for (unsigned p = 0; p < nparts; p++) {
    spill_init(&parts[p]);
    spill_init(&runs[p]);
  }
  bool ok = split_bucket(w, &h->buckets[b], parts, nparts);
  bucket_done(h, &h->buckets[b]);
  for (unsigned p = 0; ok && p < nparts && !w->nomem; p++) {
    w->bytes.len = w->results.len = 0;
    if (!spill_read_all(&parts[p], &w->bytes)) {
      if (w->bytes.failed)
        w->nomem = true;
      else
        io_failure(h, false);
      break;
    }
    spill_fini(&parts[p]);
    evaluate_entries(w, &w->bytes);
    if (!w->nomem)
      make_run(w, &runs[p], false);
  }
  if (!w->nomem && !h->io_failed)
    merge_runs(w, runs, nparts, &h->runs[b]);
  for (unsigned p = 0; p < nparts; p++) {
    spill_fini(&parts[p]);
    spill_fini(&runs[p]);
  }
  mem_free(parts);
  mem_free(runs);
}

static void evaluate_bucket(worker *w, unsigned b)
{
  hrun *h = w->h;
  spill *bucket = &h->buckets[b];
  w->bytes.len = w->results.len = 0;
  uint64_t size = bucket->file_len + bucket->mem.len;
  if (bucket->fd >= 0 && size > w->limit) {
    evaluate_in_parts(w, b, size);
    return;
  }
  /* a bucket never spilled is read where it is; one that was is read back whole */
  const wbuf *bytes = &bucket->mem;
  if (bucket->fd >= 0) {
    if (!spill_read_all(bucket, &w->bytes)) {
      if (w->bytes.failed)
        w->nomem = true;
      else
        io_failure(h, false);
      return;
    }
    bytes = &w->bytes;
  }
  evaluate_entries(w, bytes);
  bucket_done(h, bucket);
  if (!w->nomem)
    make_run(w, &h->runs[b], true);
}

static void *work(void *arg)
{
  worker *w = arg;
  hrun *h = w->h;
  for (;;) {
    pthread_mutex_lock(&h->lock);
    unsigned b = (*w->next_bucket)++;
    bool stop = h->io_failed;
    pthread_mutex_unlock(&h->lock);
    if (b >= NBUCKETS || stop || w->nomem)
      break;
    evaluate_bucket(w, b);
  }
  return NULL;
}

static void worker_fini(worker *w)
{
  wbuf_free(&w->bytes);
  wbuf_free(&w->results);
  wbuf_free(&w->rej);
  wbuf_free(&w->log);
  wbuf_free(&w->run);
  split_fini(&w->sp);
  hist_fini(&w->chain);
  mem_free(w->keys);
  mem_free(w->tmp);
  mem_free(w->result_at);
  mem_free(w->count);
}

/* What one of n threads may hold of a bucket's entries: together, with their results, about
 * the budget. */
static size_t part_limit(size_t budget, unsigned n)
{
  size_t limit = budget / (4 * (size_t)n);
  return limit < MIN_PART ? MIN_PART : limit;
}

bool hrun_evaluate(hrun *h, step *const *steps, unsigned nsteps, const rec_header *headers,
                   const char *const *names, const hrun_format *fmt, uint64_t *rejected)
{
  *rejected = 0;
  if (h->nomem || h->io_failed)
    return false;
  unsigned n = nsteps ? nsteps : 1, next = 0;
  worker *ws = mem_calloc(n, sizeof *ws);
  pthread_t *threads = mem_calloc(n, sizeof *threads);
  bool *started = mem_calloc(n, sizeof *started);
  bool ok = ws && threads && started;
  for (unsigned t = 0; ok && t < n; t++) {
    ws[t] = (worker){.h = h,
                     .s = steps[t],
                     .headers = headers,
                     .names = names,
                     .fmt = fmt,
                     .next_bucket = &next,
                     .limit = part_limit(h->budget, n)};
    split_init(&ws[t].sp);
    hist_init(&ws[t].chain);
    ws[t].chain.seed = fmt->seed;
    ws[t].chain.seed_arg = fmt->arg;
  }
  /* the calling thread works too */
  for (unsigned t = 1; ok && t < n; t++)
    started[t] = pthread_create(&threads[t], NULL, work, &ws[t]) == 0;
  if (ok)
    work(&ws[0]);
  for (unsigned t = 1; ok && t < n; t++)
    if (started[t])
      pthread_join(threads[t], NULL);
  for (unsigned t = 0; ok && t < n; t++) {
    h->nomem |= ws[t].nomem;
    *rejected += ws[t].rejected;
  }
  for (unsigned t = 0; ws && t < n; t++)
    worker_fini(&ws[t]);
  mem_free(ws);
  mem_free(threads);
  mem_free(started);
  h->nomem |= !ok;
  h->evaluated = !h->nomem && !h->io_failed;
  return !h->nomem && !h->io_failed;
}

/* ---------------------------------------------------------------- writing */

bool hrun_write(hrun *h, bool (*write)(void *arg, elig_stream s, const char *text, size_t len),
                void *arg)
{
  enum {
    NSOURCES = NBUCKETS + 1 /* the reading's items last */
  };
  source src[NSOURCES];
  bool ok = true;
  memset(src, 0, sizeof src);
  spill_reader_init(&src[NBUCKETS].rd, &h->items);
  ok = advance(&src[NBUCKETS]);
  for (int b = 0; b < NBUCKETS; b++) {
    spill_reader_init(&src[b].rd, &h->runs[b]);
    if (h->evaluated && !advance(&src[b]))
      ok = false;
  }
  /* a heap of the sources by the place of their front item (the reading's items first on a
   * tie, which cannot happen: a place is a record's or a job's); a scan of 65 fronts per item
   * was 4% of a run */
  int heap[NSOURCES], n = 0;
  for (int k = 0; k < NSOURCES; k++)
    if (src[k].head)
      heap_push(src, heap, &n, k);
  while (ok && n > 0) {
    int best = heap[0];
    const item *it = src[best].head;
    if (it->len && !write(arg, (elig_stream)it->stream, (const char *)(it + 1), it->len)) {
      ok = false;
    } else if (!advance(&src[best])) {
      /* a run that ends inside an item: its file was cut short */
      if (!spill_reader_failed(&src[best].rd)) {
        errno = EIO;
        io_failure(h, true);
      }
      ok = false;
    }
    heap_pop(src, heap, &n);
    if (ok && src[best].head)
      heap_push(src, heap, &n, best);
  }
  for (int b = 0; b < NSOURCES; b++) {
    if (spill_reader_failed(&src[b].rd)) {
      if (src[b].rd.buf.failed)
        h->nomem = true;
      else
        io_failure(h, true); /* the threads are done */
    }
    spill_reader_fini(&src[b].rd);
  }
  return ok && !h->io_failed && !h->nomem;
}
