/*
 * once.c -- whether every household of a run's inputs comes once in them.  See once.h.
 */
#include <string.h>

#include "feed.h"
#include "mem.h"
#include "once.h"
#include "spill.h"

#define DEFAULT_MEMORY_LIMIT ((size_t)256 << 20) /* as hrun.c's */
/* The hashes are kept in one table up to SET_MEMORY bytes (about 1.5M households); past it
 * they are dealt into NPARTS partitions by their top bits, each a temporary file past a
 * buffer of PART_BUFFER bytes, and each partition is looked at alone once the inputs are
 * read.  A table of 10M households took 192 MiB while it grew; the partitions take 4 MiB
 * and a table of a partition's hashes (2 MiB for 10M households). */
#define SET_MEMORY ((size_t)16 << 20)
#define NPARTS 64
#define PART_BUFFER ((size_t)64 << 10)

/* The hashes seen: open addressing, linear probing, 0 for an empty slot (a hash of 0 is
 * taken as 1: one more possible collision, which is on the safe side). */
typedef struct {
  uint64_t *slots;
  size_t mask; /* slots - 1, a power of two less one */
  size_t count;
  size_t max_bytes;
} hash_set;

typedef enum {
  SET_ADDED,
  SET_PRESENT,
  SET_FULL, /* over max_bytes, or out of memory (set_grow tells them apart) */
} set_result;

static bool set_place(uint64_t *slots, size_t mask, uint64_t h)
{
  size_t i = (size_t)(h ^ h >> 29) & mask;
  while (slots[i]) {
    if (slots[i] == h)
      return false;
    i = (i + 1) & mask;
  }
  slots[i] = h;
  return true;
}

/* Twice the slots; false when that would pass max_bytes or memory ran out (*nomem). */
static bool set_grow(hash_set *s, bool *nomem)
{
  size_t n = s->slots ? (s->mask + 1) * 2 : 1024;
  if (n > s->max_bytes / sizeof *s->slots)
    return false;
  uint64_t *slots = mem_calloc(n, sizeof *slots);
  if (!slots) {
    *nomem = true;
    return false;
  }
  for (size_t i = 0; s->slots && i <= s->mask; i++)
    if (s->slots[i])
      set_place(slots, n - 1, s->slots[i]);
  mem_free(s->slots);
  s->slots = slots;
  s->mask = n - 1;
  return true;
}

static set_result set_add(hash_set *s, uint64_t h, bool *nomem)
{
  h += !h;
  /* at most three quarters full, so that a probe ends soon */
  if ((!s->slots || s->count + 1 > (s->mask + 1) / 4 * 3) && !set_grow(s, nomem))
    return SET_FULL;
  if (!set_place(s->slots, s->mask, h))
    return SET_PRESENT;
  s->count++;
  return SET_ADDED;
}

/* ---------------------------------------------------------------- the keys */

bool once_applies(const elig_program *P)
{
  if (P->order_field == PROG_NONE)
    return false;
  const prog_record *rec = prog_main_record(P);
  for (uint32_t k = 0; k + 1 < P->nkeys; k++)
    if (rec->fields[P->key_fields[k]].type.base != TY_TEXT)
      return false;
  return true;
}

/* Key field k of record r as written: a CSV cell, or a JSON string member unescaped (the
 * text typing takes; any other JSON value, which typing rejects for a text field, as
 * nothing). */
static void key_text(const elig_program *P, const rec_header *h, const split_record *r, uint32_t k,
                     const char **text, size_t *len)
{
  *text = "";
  *len = 0;
  if (r->format == INPUT_CSV) {
    rec_csv_key_part(h, P, r->csv, k, text, len);
    return;
  }
  const jdoc *d = r->json;
  if (!d || !d->nnodes || d->nodes[0].kind != JDOC_OBJECT)
    return;
  const char *name = prog_main_record(P)->fields[P->key_fields[k]].name;
  uint32_t v = jdoc_object_get(d, 0, name, strlen(name));
  if (v != JDOC_NONE && d->nodes[v].kind == JDOC_STRING) {
    *text = d->nodes[v].str;
    *len = d->nodes[v].len;
  }
}

/* FNV-1a's prime over 8-byte words, each part's length first, then a final mix
 * (splitmix64's) so that the low bits the set uses depend on every byte. */
uint64_t once_key_hash(const elig_program *P, const rec_header *h, const split_record *r)
{
  uint64_t x = 1469598103934665603ull;
  for (uint32_t k = 0; k + 1 < P->nkeys; k++) {
    const char *text;
    size_t len;
    key_text(P, h, r, k, &text, &len);
    x = (x ^ (uint64_t)len) * 1099511628211ull;
    size_t j = 0;
    for (; j + 8 <= len; j += 8) {
      uint64_t w;
      memcpy(&w, text + j, 8);
      x = (x ^ w) * 1099511628211ull;
    }
    if (j < len) {
      uint64_t w = 0;
      memcpy(&w, text + j, len - j);
      x = (x ^ w) * 1099511628211ull;
    }
  }
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ x >> 31;
}

/* ---------------------------------------------------------------- the reading */

typedef struct {
  const elig_program *P;
  input_chunk chunk;
  rec_header header; /* of the input being read */
  splitter split;
  input_format fmt; /* of the input being read */
  hash_set seen;
  size_t max_bytes; /* of a table of hashes, the whole or a partition's */
  spill *parts;     /* NPARTS, once the table is past SET_MEMORY; NULL before */
  once_sum sum;
  bool twice, full, nomem;
} scan;

/* ---------------------------------------------------------------- partitions */

static bool part_add(scan *sc, uint64_t h)
{
  spill *p = &sc->parts[h >> 58]; /* the top 6 bits: NPARTS */
  wbuf_put(&p->mem, (const char *)&h, sizeof h);
  if (p->mem.failed) {
    sc->nomem = true;
    return false;
  }
  if (p->mem.len >= PART_BUFFER && !spill_flush(p)) {
    sc->full = true; /* no temporary file: the two passes, which say why if they fail too */
    return false;
  }
  return true;
}

/* The table is full: its hashes and every one after go to the partitions. */
static bool start_parts(scan *sc)
{
  sc->parts = mem_calloc(NPARTS, sizeof *sc->parts);
  if (!sc->parts) {
    sc->nomem = true;
    return false;
  }
  for (int p = 0; p < NPARTS; p++)
    spill_init(&sc->parts[p]);
  for (size_t i = 0; sc->seen.slots && i <= sc->seen.mask; i++)
    if (sc->seen.slots[i] && !part_add(sc, sc->seen.slots[i]))
      return false;
  mem_free(sc->seen.slots);
  memset(&sc->seen, 0, sizeof sc->seen);
  return true;
}

/* Whether some hash comes twice in a partition (each partition in a table of its own). */
static bool parts_have_twice(scan *sc)
{
  wbuf bytes = {0};
  bool twice = false;
  for (int p = 0; p < NPARTS && !twice && !sc->full && !sc->nomem; p++) {
    bytes.len = 0;
    if (!spill_read_all(&sc->parts[p], &bytes)) {
      sc->nomem |= bytes.failed;
      sc->full |= !bytes.failed;
      break;
    }
    spill_fini(&sc->parts[p]);
    hash_set set = {.max_bytes = sc->max_bytes};
    for (size_t i = 0; i + sizeof(uint64_t) <= bytes.len && !twice && !sc->full;
         i += sizeof(uint64_t)) {
      uint64_t h;
      memcpy(&h, bytes.p + i, sizeof h);
      set_result r = set_add(&set, h, &sc->nomem);
      twice = r == SET_PRESENT;
      sc->full = r == SET_FULL;
    }
    mem_free(set.slots);
  }
  wbuf_free(&bytes);
  return twice;
}

static void parts_free(scan *sc)
{
  for (int p = 0; sc->parts && p < NPARTS; p++)
    spill_fini(&sc->parts[p]);
  mem_free(sc->parts);
  sc->parts = NULL;
}

static input_chunk *scan_buffer(void *arg)
{
  return &((scan *)arg)->chunk;
}

/* The header as the run maps it, so that the key cells are the ones it types. */
static feed_header scan_header(void *arg, const char *name, uint64_t line, const csv_record *r)
{
  (void)name;
  (void)line;
  scan *sc = arg;
  char error[512], unknown[512];
  if (rec_header_init(&sc->header, sc->P, r, error, sizeof error, unknown, sizeof unknown))
    return FEED_HEADER_OK;
  if (sc->header.no_memory)
    return FEED_HEADER_NO_MEMORY;
  return sc->header.first_line_is_record ? FEED_HEADER_IS_RECORD : FEED_HEADER_OK;
}

static void scan_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  scan *sc = arg;
  split_record r;
  split_begin(&sc->split, sc->fmt, c, skip, skip_lines);
  while (!sc->twice && !sc->full && !sc->nomem && split_next(&sc->split, &r)) {
    uint64_t h = once_key_hash(sc->P, &sc->header, &r);
    sc->sum.records++;
    sc->sum.sum += h;
    if (sc->parts) {
      part_add(sc, h);
      continue;
    }
    switch (set_add(&sc->seen, h, &sc->nomem)) {
    case SET_ADDED: break;
    case SET_PRESENT: sc->twice = true; break;
    case SET_FULL:
      if (!sc->nomem && start_parts(sc))
        part_add(sc, h);
      break;
    }
  }
}

static bool scan_stop(void *arg)
{
  const scan *sc = arg;
  return sc->twice || sc->full || sc->nomem;
}

/* The run itself says what is wrong with an input. */
static void scan_note(void *arg, const char *text)
{
  (void)arg;
  (void)text;
}

once_result once_scan(const elig_program *P, const elig_input *inputs, size_t ninputs,
                      size_t chunk_bytes, size_t memory_limit, const elig_batch_io *io,
                      once_sum *sum)
{
  scan sc = {.P = P, .max_bytes = memory_limit ? memory_limit : DEFAULT_MEMORY_LIMIT};
  sc.seen.max_bytes = sc.max_bytes < SET_MEMORY ? sc.max_bytes : SET_MEMORY;
  split_init(&sc.split);
  const feed_handler handler = {
      .arg = &sc,
      .buffer = scan_buffer,
      .header = scan_header,
      .chunk = scan_chunk,
      .stop = scan_stop,
      .note = scan_note,
  };
  once_result res = ONCE_EACH;
  for (size_t i = 0; i < ninputs && res == ONCE_EACH; i++) {
    sc.fmt = feed_format(&inputs[i]);
    feed_status st = feed_input(&inputs[i], chunk_bytes, io, &handler);
    rec_header_fini(&sc.header);
    memset(&sc.header, 0, sizeof sc.header);
    if (st == FEED_CANCELED)
      res = ONCE_CANCELED;
    else if (st == FEED_NO_MEMORY || sc.nomem)
      res = ONCE_NO_MEMORY;
    else if (st == FEED_REFUSED || sc.twice || sc.full)
      res = ONCE_NOT; /* the run reads it again, and says what is wrong */
  }
  if (res == ONCE_EACH && sc.parts && parts_have_twice(&sc))
    res = ONCE_NOT;
  if (res == ONCE_EACH && (sc.nomem || sc.full))
    res = sc.nomem ? ONCE_NO_MEMORY : ONCE_NOT;
  parts_free(&sc);
  *sum = sc.sum;
  split_fini(&sc.split);
  input_chunk_fini(&sc.chunk);
  mem_free(sc.seen.slots);
  return res;
}
