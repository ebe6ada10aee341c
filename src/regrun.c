/*
 * regrun.c -- the runs over a register: an add (the new records with their households'
 * stored years, stored in one transaction) and an export (the current records with the
 * register's rules).  See register.h.
 */
#include "config.h"

#define ELIG_BUILDING 1 /* the elig_register_add/export of elig.h are exported from here */
#include "elig.h"

#include <errno.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "batch.h"
#include "date.h"
#include "diag.h"
#include "hist.h"
#include "i18n.h"
#include "mem.h"
#include "register.h"
#include "write.h"

/* Blank lines a run's stored records may be read back with (stored_fill): 4M, more than a
 * county's files hold together, and a tenth of a second to read. */
#define MAX_BLANK_LINES ((uint64_t)1 << 22)

/* ---------------------------------------------------------------- households: a link map */

/* Links (hist_link) to a year and, for a seed, kept bytes: open addressing on the link's
 * hash, the bytes in one buffer. */
typedef struct {
  uint64_t hash;
  size_t link_at, link_len;
  size_t kept_at, kept_len;
  int64_t year;
  bool used, has_kept;
  bool stored; /* the register holds records of the household from its year on */
} slot;

typedef struct {
  slot *slots;
  size_t cap, count;
  wbuf bytes;
  bool nomem;
} link_map;

static void map_fini(link_map *m)
{
  mem_free(m->slots);
  wbuf_free(&m->bytes);
  memset(m, 0, sizeof *m);
}

static slot *map_find(const link_map *m, const char *link, size_t len, uint64_t h)
{
  if (!m->cap)
    return NULL;
  for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    slot *s = &m->slots[i];
    if (!s->used)
      return s;
    if (s->hash == h && s->link_len == len && memcmp(m->bytes.p + s->link_at, link, len) == 0)
      return s;
  }
}

static bool map_grow(link_map *m)
{
  size_t cap = m->cap ? m->cap * 2 : 1024;
  slot *old = m->slots;
  size_t oldcap = m->cap;
  slot *slots = mem_calloc(cap, sizeof *slots);
  if (!slots)
    return false;
  m->slots = slots;
  m->cap = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].used)
      *map_find(m, m->bytes.p + old[i].link_at, old[i].link_len, old[i].hash) = old[i];
  mem_free(old);
  return true;
}

/* The slot of `link` (of hash h, hrun_link_hash), made (with year) when new; NULL when out
 * of memory. */
static slot *map_get(link_map *m, const char *link, size_t len, uint64_t h, int64_t year)
{
  if ((m->count + 1) * 2 > m->cap && !map_grow(m)) {
    m->nomem = true;
    return NULL;
  }
  slot *s = map_find(m, link, len, h);
  if (!s->used) {
    *s = (slot){.hash = h, .link_at = m->bytes.len, .link_len = len, .year = year, .used = true};
    wbuf_put(&m->bytes, link, len);
    m->count++;
    if (m->bytes.failed) {
      m->nomem = true;
      return NULL;
    }
  }
  return s;
}

/* ---------------------------------------------------------------- stored records as inputs */

/* The stored records of one source, read back as the file they came from: its header, then
 * each record on its own line (blank lines in between keep the line numbers). */
typedef struct {
  elig_register *reg;
  int64_t source;
  char *name;
  elig_input_format format;
  char *header;
  int64_t *ids; /* record ids, by line */
  uint64_t *lines;
  size_t n, cap;
  /* reading */
  sqlite3_stmt *raw;
  size_t next;
  uint64_t at_line; /* the line the next byte written starts */
  uint64_t *blanks; /* blank lines written so far by all the run's stored inputs */
  wbuf pending;
  size_t pending_at;
  bool header_done;
  int error; /* errno for the batch, when the database failed */
} stored_input;

static void stored_fini(stored_input *s)
{
  mem_free(s->name);
  mem_free(s->header);
  mem_free(s->ids);
  mem_free(s->lines);
  sqlite3_finalize(s->raw);
  wbuf_free(&s->pending);
}

static size_t count_lf(const char *p, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    c += p[i] == '\n';
  return c;
}

static int stored_open(void *arg)
{
  stored_input *s = arg;
  s->raw = register_prepare(s->reg, "SELECT raw FROM records WHERE id = ?");
  s->at_line = 1;
  return s->raw ? 0 : EIO;
}

/* The next record's bytes into s->pending; false at the end or on failure. */
static bool stored_fill(stored_input *s)
{
  s->pending.len = s->pending_at = 0;
  if (!s->header_done) {
    s->header_done = true;
    if (s->format == ELIG_INPUT_CSV) {
      wbuf_puts(&s->pending, s->header);
      wbuf_puts(&s->pending, "\n");
      s->at_line += count_lf(s->header, strlen(s->header)) + 1;
      return true;
    }
  }
  if (s->next >= s->n)
    return false;
  sqlite3_reset(s->raw);
  sqlite3_bind_int64(s->raw, 1, s->ids[s->next]);
  if (sqlite3_step(s->raw) != SQLITE_ROW) {
    s->error = EIO;
    return false;
  }
  const char *raw = (const char *)sqlite3_column_blob(s->raw, 0);
  size_t len = (size_t)sqlite3_column_bytes(s->raw, 0);
  uint64_t line = s->lines[s->next++];
  /* blank lines keep the record at its line in messages.  Gaps past MAX_BLANK_LINES in all
   * are a damaged register (the record then keeps the next line): counted per gap, a few
   * records with huge line numbers made an export write billions of blank lines */
  if (line > s->at_line && line - s->at_line <= MAX_BLANK_LINES - *s->blanks) {
    *s->blanks += line - s->at_line;
    for (; s->at_line < line; s->at_line++)
      wbuf_put(&s->pending, "\n", 1);
  }
  wbuf_put(&s->pending, raw ? raw : "", len);
  wbuf_put(&s->pending, "\n", 1);
  s->at_line += count_lf(raw ? raw : "", len) + 1;
  if (s->pending.failed) {
    s->error = ENOMEM;
    return false;
  }
  return true;
}

static ptrdiff_t stored_read(void *arg, void *buf, size_t size)
{
  stored_input *s = arg;
  size_t done = 0;
  while (done < size) {
    if (s->pending_at == s->pending.len && !stored_fill(s))
      break;
    size_t n = s->pending.len - s->pending_at;
    if (n > size - done)
      n = size - done;
    memcpy((char *)buf + done, s->pending.p + s->pending_at, n);
    s->pending_at += n;
    done += n;
  }
  if (s->error && done == 0) {
    errno = s->error;
    return -1;
  }
  return (ptrdiff_t)done;
}

static void stored_close(void *arg)
{
  stored_input *s = arg;
  sqlite3_finalize(s->raw);
  s->raw = NULL;
}

/* ---------------------------------------------------------------- a run over the register */

typedef struct {
  elig_register *reg;
  const elig_program *P;
  const elig_batch_io *io; /* the caller's */
  size_t nnew;             /* inputs given; the stored ones follow */
  bool all;                /* every household is evaluated again (the rules changed) */
  bool export_only;        /* an export: nothing is stored */
  bool has_year;           /* an export of one year */
  int64_t year;
  link_map households; /* add: each household read, and its earliest year; its seed */
  stored_input *stored;
  size_t nstored;
  elig_input *inputs; /* of the stored */
  int64_t *sources;   /* per input given: its source id */
  char **headers;     /* per input given: its CSV header, as read */
  size_t *header_len;
  bool *header_done;
  int64_t add_id;
  bool failed;                  /* the database failed: reg->error says why */
  uint64_t superseded;          /* stored records a new one replaced (counted by the threads) */
  bool empty;                   /* the register held no record when the add began */
  const batch_options *options; /* the batch's: how rejections are written */
  uint64_t written;             /* items the sink took */
  bool canceled;                /* a stop was asked for while results were stored */
  uint64_t stored_rejected;     /* stored records rejected while read or evaluated again */
  uint64_t more_records;        /* records read from the stored inputs (batch_hooks.more_records) */
  uint64_t blanks;              /* blank lines the stored inputs wrote (stored_input.blanks) */
  /* statements of the storing */
  sqlite3_stmt *ins_record, *ins_result, *get_current, *set_current, *new_current;
  elig_register_stats stats;
} run;

/* The caller's inputs, read through: a CSV input's header is kept as read, for the stored
 * records of that file to be read back one day. */
typedef struct {
  run *r;
  size_t i;
  const elig_input *in;
} tee;

static int tee_open(void *arg)
{
  tee *t = arg;
  return t->in->open ? t->in->open(t->in->arg) : 0;
}

static void tee_close(void *arg)
{
  tee *t = arg;
  if (t->in->close)
    t->in->close(t->in->arg);
}

/* Keeps bytes up to the header's end: the first LF outside quotes. */
static void keep_header(run *r, size_t i, const char *p, size_t n)
{
  size_t quotes = 0;
  for (size_t k = 0; k < r->header_len[i]; k++)
    quotes += r->headers[i][k] == '"';
  size_t end = 0;
  for (; end < n; end++) {
    if (p[end] == '"')
      quotes++;
    else if (p[end] == '\n' && quotes % 2 == 0) {
      r->header_done[i] = true;
      break;
    }
  }
  if (r->header_len[i] + end > ((size_t)1 << 20)) {
    r->header_done[i] = true; /* the reader refuses a header this long anyway */
    return;
  }
  char *h = mem_realloc(r->headers[i], r->header_len[i] + end + 1);
  if (!h) {
    r->households.nomem = true;
    r->header_done[i] = true;
    return;
  }
  memcpy(h + r->header_len[i], p, end);
  r->header_len[i] += end;
  h[r->header_len[i]] = '\0';
  if (r->header_done[i] && r->header_len[i] && h[r->header_len[i] - 1] == '\r')
    h[--r->header_len[i]] = '\0';
  r->headers[i] = h;
}

static ptrdiff_t tee_read(void *arg, void *buf, size_t size)
{
  tee *t = arg;
  ptrdiff_t n = t->in->read(t->in->arg, buf, size);
  if (n > 0 && !t->r->header_done[t->i] && t->in->format == ELIG_INPUT_CSV)
    keep_header(t->r, t->i, buf, (size_t)n);
  return n;
}

/* batch_hooks.entries: each household read and its earliest year. */
static void on_entries(void *arg, const char *p, size_t len)
{
  run *r = arg;
  for (size_t off = 0; off < len;) {
    const hrun_rec *e = (const hrun_rec *)(p + off);
    /* the entry carries its link's hash: no record's link is hashed twice */
    slot *s = map_get(&r->households, hrun_rec_link(e), e->link_len, e->hash, e->year);
    if (s && e->year < s->year)
      s->year = e->year;
    off += e->size;
  }
}

/* The id of the stored input's record at `line`, or 0 (the records are in line order). */
static int64_t stored_id(const stored_input *s, uint64_t line)
{
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->lines[mid] < line)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < s->n && s->lines[lo] == line ? s->ids[lo] : 0;
}

static bool add_stored(run *r, int64_t id, int64_t source, uint64_t line, const char *name,
                       int format, const char *header)
{
  stored_input *s = r->nstored ? &r->stored[r->nstored - 1] : NULL;
  if (!s || s->source != source) {
    stored_input *more = mem_realloc(r->stored, (r->nstored + 1) * sizeof *more);
    if (!more)
      return false;
    r->stored = more;
    s = &r->stored[r->nstored++];
    memset(s, 0, sizeof *s);
    s->reg = r->reg;
    s->blanks = &r->blanks;
    s->source = source;
    s->format = format == ELIG_INPUT_JSONL ? ELIG_INPUT_JSONL : ELIG_INPUT_CSV;
    size_t n = strlen(name) + 32;
    if ((s->name = mem_alloc(n)))
      snprintf(s->name, n, "%s", name);
    s->header = mem_strdup(header);
    if (!s->name || !s->header)
      return false;
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    int64_t *ids = mem_realloc(s->ids, cap * sizeof *ids);
    if (ids)
      s->ids = ids;
    uint64_t *lines = mem_realloc(s->lines, cap * sizeof *lines);
    if (lines)
      s->lines = lines;
    if (!ids || !lines)
      return false;
    s->cap = cap;
  }
  s->ids[s->n] = id;
  s->lines[s->n++] = line;
  return true;
}

/* qsort has no argument for its comparison: the map being sorted (one add at a time in a
 * thread, and this runs in the thread of the add). */
static _Thread_local const link_map *sorting_map;

/* Links as SQLite orders blobs: memcmp, then the shorter first. */
static int by_link(const void *pa, const void *pb)
{
  const slot *a = *(const slot *const *)pa, *b = *(const slot *const *)pb;
  size_t n = a->link_len < b->link_len ? a->link_len : b->link_len;
  int c = memcmp(sorting_map->bytes.p + a->link_at, sorting_map->bytes.p + b->link_at, n);
  return c ? c : (a->link_len > b->link_len) - (a->link_len < b->link_len);
}

/* The households read into a temporary table, to join the stored ones with. */
static bool fill_households(run *r)
{
  elig_register *reg = r->reg;
  if (!register_exec(reg, "CREATE TEMP TABLE IF NOT EXISTS households(link BLOB PRIMARY KEY,"
                          " year INTEGER NOT NULL) WITHOUT ROWID") ||
      !register_exec(reg, "DELETE FROM temp.households"))
    return false;
  sqlite3_stmt *ins = register_prepare(reg, "INSERT INTO temp.households VALUES(?,?)");
  /* in the order of the table's key: appended to its b-tree rather than scattered over it */
  const slot **order = mem_calloc(r->households.count + 1, sizeof *order);
  size_t n = 0;
  for (size_t i = 0; order && i < r->households.cap; i++)
    if (r->households.slots[i].used)
      order[n++] = &r->households.slots[i];
  sorting_map = &r->households;
  if (order)
    qsort(order, n, sizeof *order, by_link);
  bool ok = ins != NULL && order != NULL;
  if (!order)
    r->households.nomem = true;
  for (size_t i = 0; ok && i < n; i++) {
    const slot *s = order[i];
    sqlite3_reset(ins);
    sqlite3_bind_blob(ins, 1, r->households.bytes.p + s->link_at, (int)s->link_len, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, s->year);
    ok = sqlite3_step(ins) == SQLITE_DONE;
  }
  mem_free(order);
  sqlite3_finalize(ins);
  return ok;
}

/* What each household's first year evaluated reads of its stored year before. */
static bool load_seeds(run *r, const char *sql)
{
  sqlite3_stmt *st = register_prepare(r->reg, sql);
  if (!st)
    return false;
  if (r->has_year)
    sqlite3_bind_int64(st, 1, r->year - 1);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *link = sqlite3_column_blob(st, 0);
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    int64_t year = sqlite3_column_int64(st, 1);
    const char *kept = sqlite3_column_blob(st, 2);
    size_t klen = (size_t)sqlite3_column_bytes(st, 2);
    if (!kept || !vm_kept_valid(r->P, klen ? kept : "", klen)) {
      sqlite3_finalize(st);
      register_failed(r->reg, ELIG_EREGISTER,
                      /* TRANSLATORS: %s is the register's file.  A result keeps values for
                       * the household's next year. */
                      _("register '%s' is damaged: what a stored result keeps for the year "
                        "after cannot be read"),
                      r->reg->path);
      r->failed = true;
      return false;
    }
    slot *s = map_get(&r->households, link ? link : "", len, hrun_link_hash(link ? link : "", len),
                      year + 1);
    if (!s) {
      sqlite3_finalize(st);
      return false;
    }
    s->kept_at = r->households.bytes.len;
    s->kept_len = klen;
    s->has_kept = true;
    s->year = year + 1; /* the seed is for this year's record */
    wbuf_put(&r->households.bytes, kept, klen);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE && !r->households.bytes.failed;
}

static const void *seed(void *arg, const char *link, size_t link_len, int64_t year, size_t *len)
{
  const run *r = arg;
  *len = 0;
  const slot *s = map_find(&r->households, link, link_len, hrun_link_hash(link, link_len));
  if (!s || !s->used || !s->has_kept || s->year != year + 1)
    return NULL;
  *len = s->kept_len;
  return s->kept_len ? r->households.bytes.p + s->kept_at : "";
}

/* The stored records to evaluate, in the order of their sources and lines. */
static bool select_stored(run *r, const char *sql)
{
  sqlite3_stmt *st = register_prepare(r->reg, sql);
  if (!st)
    return false;
  if (r->has_year)
    sqlite3_bind_int64(st, 1, r->year);
  int rc;
  bool ok = true;
  while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    ok = add_stored(r, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                    (uint64_t)sqlite3_column_int64(st, 2), register_col_text(st, 3),
                    sqlite3_column_int(st, 4), register_col_text(st, 5));
    const char *link = sqlite3_column_blob(st, 6);
    size_t len = (size_t)sqlite3_column_bytes(st, 6);
    slot *h = r->households.cap ? map_find(&r->households, link ? link : "", len,
                                           hrun_link_hash(link ? link : "", len))
                                : NULL;
    if (h && h->used)
      h->stored = true; /* a new record of the household may correct a stored one */
  }
  sqlite3_finalize(st);
  if (!ok) {
    r->households.nomem = true;
    return false;
  }
  if (rc != SQLITE_DONE)
    return false;
  r->inputs = mem_calloc(r->nstored + 1, sizeof *r->inputs);
  if (!r->inputs) {
    r->households.nomem = true;
    return false;
  }
  for (size_t i = 0; i < r->nstored; i++)
    r->inputs[i] = (elig_input){.name = r->stored[i].name,
                                .format = r->stored[i].format,
                                .arg = &r->stored[i],
                                .open = stored_open,
                                .read = stored_read,
                                .close = stored_close};
  return true;
}

#define STORED_SELECT                                                                  \
  "SELECT c.record, s.id, rec.line, s.name, s.format, s.header, c.link FROM current c" \
  " JOIN records rec ON rec.id = c.record JOIN sources s ON s.id = rec.source"

/* The end of both `more` hooks: the stored inputs, or why there are none. */
static bool more_done(run *r, bool ok, const elig_input **extra, size_t *nextra)
{
  if (!ok) {
    if (r->households.nomem)
      register_failed(r->reg, ELIG_ENOMEM, _("out of memory"));
    else if (!r->failed)
      register_db_failed(r->reg, REG_READ_RECORDS);
    r->failed = true;
    return false;
  }
  *extra = r->inputs;
  *nextra = r->nstored;
  return true;
}

/* batch_hooks.more for an add: the sources of the inputs given, and the stored records of
 * the households read from their earliest year read on, or of every household when the
 * rules changed. */
static bool more_for_add(void *arg, const elig_input **extra, size_t *nextra)
{
  run *r = arg;
  sqlite3_stmt *src = register_prepare(r->reg, "INSERT INTO sources(add_id, name, format, header)"
                                               " VALUES(?,?,?,?)");
  bool ok = src != NULL && !r->households.nomem;
  for (size_t i = 0; ok && i < r->nnew; i++) {
    sqlite3_reset(src);
    sqlite3_bind_int64(src, 1, r->add_id);
    sqlite3_bind_text(src, 2, r->inputs[i].name ? r->inputs[i].name : "-", -1, SQLITE_STATIC);
    sqlite3_bind_int(src, 3, (int)r->inputs[i].format);
    sqlite3_bind_text(src, 4, r->headers[i] ? r->headers[i] : "", -1, SQLITE_STATIC);
    ok = sqlite3_step(src) == SQLITE_DONE;
    r->sources[i] = sqlite3_last_insert_rowid(r->reg->db);
  }
  sqlite3_finalize(src);
  mem_free(r->inputs); /* the tees: the batch copied them */
  r->inputs = NULL;
  bool ok_empty;
  r->empty = ok &&
             register_pragma_int(r->reg, "SELECT NOT EXISTS(SELECT 1 FROM current)", &ok_empty) &&
             ok_empty;
  if (ok && r->empty) {
    /* nothing stored: no year before to read, nothing to evaluate again */
  } else if (ok && r->all) {
    ok = select_stored(r, STORED_SELECT " ORDER BY s.id, rec.line");
  } else if (ok) {
    ok = fill_households(r) &&
         load_seeds(r, "SELECT h.link, c.year, res.kept FROM temp.households h"
                       " JOIN current c ON c.link = h.link AND c.year = h.year - 1"
                       " JOIN results res ON res.id = c.result WHERE res.kept IS NOT NULL") &&
         select_stored(r, STORED_SELECT " JOIN temp.households h ON h.link = c.link"
                                        " AND c.year >= h.year ORDER BY s.id, rec.line");
  }
  return more_done(r, ok, extra, nextra);
}

/* batch_hooks.more for an export: every current record (of one year, with what the year
 * before kept). */
static bool more_for_export(void *arg, const elig_input **extra, size_t *nextra)
{
  run *r = arg;
  bool ok;
  if (r->has_year)
    ok = load_seeds(r, "SELECT c.link, c.year, res.kept FROM current c"
                       " JOIN results res ON res.id = c.result"
                       " WHERE c.year = ? AND res.kept IS NOT NULL") &&
         select_stored(r, STORED_SELECT " WHERE c.year = ? ORDER BY s.id, rec.line");
  else
    ok = select_stored(r, STORED_SELECT " ORDER BY s.id, rec.line");
  return more_done(r, ok, extra, nextra);
}

/* ---------------------------------------------------------------- results to store */

/* A result as the add's batch hands it over (hrun item text): this header, then the
 * link, the household, the raw record (new records only), the JSON line, the why
 * and the kept bytes; or, for a stored record rejected, the reason. */
typedef struct {
  uint32_t mark; /* RESULT_MARK */
  uint32_t input;
  uint64_t line;
  int64_t year;
  int64_t record; /* not 0: a stored record rejected while read, known by its id alone */
  uint32_t link_len, household_len, raw_len, json_len, why_len, kept_len, rejected_len;
} result_item;

#define RESULT_MARK 0x00524701u /* bytes 01 47 52 00: no message starts with them */

static void put_len(wbuf *out, size_t at, size_t off, size_t len)
{
  if (!out->failed)
    memcpy(out->p + at + off, &(uint32_t){(uint32_t)len}, 4);
}

static void on_result(void *arg, const step *s, const hrun_rec *e, const char *name,
                      const char *kept, size_t len, wbuf *out)
{
  const run *r = arg;
  (void)name;
  size_t at = out->len, mark;
  result_item it = {.mark = RESULT_MARK, .input = e->input, .line = e->line, .year = e->year};
  wbuf_put(out, (const char *)&it, sizeof it);
  wbuf_put(out, hrun_rec_link(e), e->link_len);
  size_t key_at = out->len, hlen = 0;
  write_record_key(out, r->P, s->ctx);
  if (!out->failed) {
    /* the key less its last part, the year */
    const char *key = out->p + key_at;
    size_t klen = out->len - key_at;
    hlen = klen;
    while (hlen && key[hlen - 1] != '/')
      hlen--;
    hlen = hlen ? hlen - 1 : klen;
    out->len = key_at + hlen;
  }
  size_t raw_len = e->input < r->nnew ? e->raw_len : 0;
  wbuf_put(out, hrun_rec_raw(e), raw_len);
  mark = out->len;
  /* the result as stored: undetermined values say what they need */
  write_record(out, r->P, s->ctx, WRITE_JSONL, vm_record_unknown(s->ctx) ? WRITE_NEEDS : 0);
  size_t json_len = out->len - mark;
  mark = out->len;
  write_why(out, r->P, s->ctx, false); /* the rules; their reasons are in the rule files kept */
  size_t why_len = out->len - mark;
  wbuf_put(out, kept, len);
  put_len(out, at, offsetof(result_item, link_len), e->link_len);
  put_len(out, at, offsetof(result_item, household_len), hlen);
  put_len(out, at, offsetof(result_item, raw_len), raw_len);
  put_len(out, at, offsetof(result_item, json_len), json_len);
  put_len(out, at, offsetof(result_item, why_len), why_len);
  put_len(out, at, offsetof(result_item, kept_len), len);
}

/* A stored record that the new one of the same household-year replaces is no rejection:
 * it is corrected.  One rejected for another reason (a rule now fails on it) is told as a
 * rejection of its file and line, and stored as its result. */
static void on_reject(void *arg, const step *s, const hrun_rec *e, const char *name,
                      const rec_header *h, const split_record *rec, const step_why *why,
                      bool failed_rule, wbuf *rej, wbuf *log)
{
  run *r = arg;
  char reason[sizeof(rec_reject) + 32];
  if (failed_rule)
    step_failure_text(s, why, reason, sizeof reason);
  else
    snprintf(reason, sizeof reason, "%s", why->reject.message);
  if (e->input >= r->nnew) {
    if (!failed_rule && why->reject.code == DIAG_E_DUPLICATE_RECORD) {
      __atomic_fetch_add(&r->superseded, 1, __ATOMIC_RELAXED);
      return;
    }
    /* the item is a result for the register, with the message or reject row after it in
     * the buffer that batch_reject_text writes */
    wbuf *to = r->options->reject_rows ? rej : log;
    size_t at = to->len;
    result_item it = {.mark = RESULT_MARK, .input = e->input, .line = e->line, .year = e->year};
    wbuf_put(to, (const char *)&it, sizeof it);
    wbuf_put(to, hrun_rec_link(e), e->link_len);
    put_len(to, at, offsetof(result_item, link_len), e->link_len);
    put_len(to, at, offsetof(result_item, rejected_len), strlen(reason));
    wbuf_puts(to, reason);
  }
  batch_reject_text(r->options, s, h, name, rec->line, rec, reason, rej, log);
}

/* batch_hooks.read_reject: a stored record that no longer reads (rules of the same schema
 * that check a value more tightly, say) is rejected as a fresh run would reject it, and
 * that becomes its current result: its year after must not read what it kept before. */
static void on_read_reject(void *arg, uint32_t input, uint64_t line, const char *reason, wbuf *out)
{
  const run *r = arg;
  if (input < r->nnew || input - r->nnew >= r->nstored)
    return;
  int64_t id = stored_id(&r->stored[input - r->nnew], line);
  if (!id)
    return; /* a line a damaged register moved: said as a rejection only */
  size_t at = out->len;
  result_item it = {.mark = RESULT_MARK, .input = input, .line = line, .record = id};
  wbuf_put(out, (const char *)&it, sizeof it);
  put_len(out, at, offsetof(result_item, rejected_len), strlen(reason));
  wbuf_puts(out, reason);
}

/* The fields of an item, after its header. */
typedef struct {
  result_item it;
  const char *link, *household, *raw, *json, *why, *kept, *rejected;
} item_view;

static bool view_item(const char *p, size_t len, item_view *v)
{
  if (len < sizeof v->it)
    return false;
  memcpy(&v->it, p, sizeof v->it);
  if (v->it.mark != RESULT_MARK)
    return false;
  const char *q = p + sizeof v->it;
  v->link = q;
  v->household = v->link + v->it.link_len;
  v->raw = v->household + v->it.household_len;
  v->json = v->raw + v->it.raw_len;
  v->why = v->json + v->it.json_len;
  v->kept = v->why + v->it.why_len;
  v->rejected = v->kept + v->it.kept_len;
  return true;
}

static size_t item_size(const item_view *v)
{
  return sizeof v->it + v->it.link_len + v->it.household_len + v->it.raw_len + v->it.json_len +
         v->it.why_len + v->it.kept_len + v->it.rejected_len;
}

static bool prepare_storing(run *r)
{
  elig_register *reg = r->reg;
  r->ins_record =
      register_prepare(reg, "INSERT INTO records(household, link, year, source, line, raw)"
                            " VALUES(?,?,?,?,?,?)");
  r->ins_result =
      register_prepare(reg, "INSERT INTO results(record, add_id, json, why, kept, rejected)"
                            " VALUES(?,?,?,?,?,?)");
  r->get_current = register_prepare(reg, "SELECT c.record, c.result, res.json, res.why,"
                                         " res.kept, res.rejected, rec.raw FROM current c"
                                         " JOIN results res ON res.id = c.result"
                                         " JOIN records rec ON rec.id = c.record"
                                         " WHERE c.link = ? AND c.year = ?");
  r->set_current = register_prepare(reg, "UPDATE current SET record = ?, result = ?"
                                         " WHERE link = ? AND year = ?");
  r->new_current = register_prepare(reg, "INSERT INTO current(link, year, record, result)"
                                         " VALUES(?,?,?,?)");
  return r->ins_record && r->ins_result && r->get_current && r->set_current && r->new_current;
}

static void finish_storing(run *r)
{
  sqlite3_finalize(r->ins_record);
  sqlite3_finalize(r->ins_result);
  sqlite3_finalize(r->get_current);
  sqlite3_finalize(r->set_current);
  sqlite3_finalize(r->new_current);
}

static bool same_text(sqlite3_stmt *st, int col, const char *p, size_t n)
{
  const void *b = sqlite3_column_blob(st, col);
  return sqlite3_column_type(st, col) != SQLITE_NULL &&
         (size_t)sqlite3_column_bytes(st, col) == n && (n == 0 || memcmp(b, p, n) == 0);
}

static int64_t insert_result(run *r, int64_t record, const item_view *v)
{
  sqlite3_stmt *st = r->ins_result;
  sqlite3_reset(st);
  sqlite3_bind_int64(st, 1, record);
  sqlite3_bind_int64(st, 2, r->add_id);
  if (v->it.rejected_len) {
    for (int c = 3; c <= 5; c++)
      sqlite3_bind_null(st, c);
    sqlite3_bind_text(st, 6, v->rejected, (int)v->it.rejected_len, SQLITE_STATIC);
  } else {
    sqlite3_bind_text(st, 3, v->json, (int)v->it.json_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, v->why, (int)v->it.why_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, v->it.kept_len ? v->kept : "", (int)v->it.kept_len, SQLITE_STATIC);
    sqlite3_bind_null(st, 6);
  }
  if (sqlite3_step(st) != SQLITE_DONE)
    return 0;
  return sqlite3_last_insert_rowid(r->reg->db);
}

/* Looks up the household-year's current record: 1 found (its record and result ids,
 * whether its result is v's, and whether its record is v's raw text), 0 none, -1 failure. */
static int current_of(run *r, const item_view *v, int64_t *record, int64_t *result, bool *same,
                      bool *same_record)
{
  sqlite3_stmt *st = r->get_current;
  sqlite3_reset(st);
  sqlite3_bind_blob(st, 1, v->link, (int)v->it.link_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, v->it.year);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    return -1;
  *record = sqlite3_column_int64(st, 0);
  *result = sqlite3_column_int64(st, 1);
  *same_record = v->it.raw_len && same_text(st, 6, v->raw, v->it.raw_len);
  if (v->it.rejected_len)
    *same = same_text(st, 5, v->rejected, v->it.rejected_len);
  else
    *same = same_text(st, 2, v->json, v->it.json_len) && same_text(st, 3, v->why, v->it.why_len) &&
            same_text(st, 4, v->kept, v->it.kept_len);
  return 1;
}

static bool point_current(run *r, sqlite3_stmt *st, const item_view *v, int64_t record,
                          int64_t result)
{
  sqlite3_reset(st);
  if (st == r->set_current) {
    sqlite3_bind_int64(st, 1, record);
    sqlite3_bind_int64(st, 2, result);
    sqlite3_bind_blob(st, 3, v->link, (int)v->it.link_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, v->it.year);
  } else {
    sqlite3_bind_blob(st, 1, v->link, (int)v->it.link_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v->it.year);
    sqlite3_bind_int64(st, 3, record);
    sqlite3_bind_int64(st, 4, result);
  }
  return sqlite3_step(st) == SQLITE_DONE;
}

/* A new record: stored with its result, and current for its household-year (a correction
 * when the household-year had one). */
static bool store_again(run *r, const item_view *v);

/* Whether the register may hold v's household-year: not when it held nothing, nor when it
 * holds none of the household's years from its earliest new one on (select_stored). */
static bool may_be_stored(const run *r, const item_view *v)
{
  if (r->all)
    return true;
  if (r->empty)
    return false;
  const slot *h =
      map_find(&r->households, v->link, v->it.link_len, hrun_link_hash(v->link, v->it.link_len));
  return !h || !h->used || h->stored;
}

static bool store_new(run *r, const item_view *v)
{
  int64_t old_record, old_result;
  bool same, same_record;
  int found = 0;
  if (may_be_stored(r, v))
    found = current_of(r, v, &old_record, &old_result, &same, &same_record);
  if (found < 0)
    return false;
  if (found && same_record)
    return store_again(r, v); /* the record it holds, given again: nothing to correct */
  sqlite3_stmt *st = r->ins_record;
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, v->household, (int)v->it.household_len, SQLITE_STATIC);
  sqlite3_bind_blob(st, 2, v->link, (int)v->it.link_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, v->it.year);
  sqlite3_bind_int64(st, 4, r->sources[v->it.input]);
  sqlite3_bind_int64(st, 5, (int64_t)v->it.line);
  sqlite3_bind_text(st, 6, v->raw, (int)v->it.raw_len, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE)
    return false;
  int64_t record = sqlite3_last_insert_rowid(r->reg->db);
  int64_t result = insert_result(r, record, v);
  if (!result)
    return false;
  if (found)
    r->stats.corrected++;
  else
    r->stats.added++;
  return point_current(r, found ? r->set_current : r->new_current, v, record, result);
}

/* A stored record evaluated again: a new result when it changed. */
static bool store_again(run *r, const item_view *v)
{
  int64_t record, result;
  bool same, same_record;
  int found = current_of(r, v, &record, &result, &same, &same_record);
  if (found <= 0)
    return false; /* it was read from `current` in this transaction */
  /* after a change of rules every result is stored again: each names the rules that
   * decided it */
  if (same && !r->all) {
    r->stats.unchanged++;
    return true;
  }
  r->stats.reevaluated++;
  result = insert_result(r, record, v);
  return result && point_current(r, r->set_current, v, record, result);
}

/* A stored record rejected while read: a rejected result, current for its household-year. */
static bool store_read_reject(run *r, const item_view *v)
{
  int64_t result = insert_result(r, v->it.record, v);
  if (!result)
    return false;
  sqlite3_stmt *st = register_prepare(r->reg, "UPDATE current SET result = ? WHERE record = ?");
  bool ok = st != NULL;
  if (ok) {
    sqlite3_bind_int64(st, 1, result);
    sqlite3_bind_int64(st, 2, v->it.record);
    ok = sqlite3_step(st) == SQLITE_DONE;
  }
  sqlite3_finalize(st);
  r->stats.reevaluated++;
  return ok;
}

/* The batch's output: results become rows; the rest goes to the caller. */
static bool sink_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  run *r = arg;
  /* the batch polls for a stop while it reads, not while it writes: the storing is long */
  if ((++r->written & 4095) == 0 && r->io->cancelled && r->io->cancelled(r->io->arg)) {
    r->canceled = true;
    return false;
  }
  item_view v;
  if (stream == ELIG_STREAM_RESULTS || stream == ELIG_STREAM_MESSAGES ||
      stream == ELIG_STREAM_REJECTS) {
    if (view_item(data, len, &v)) {
      if (!r->failed) {
        bool ok = v.it.record            ? store_read_reject(r, &v)
                  : v.it.input < r->nnew ? store_new(r, &v)
                                         : store_again(r, &v);
        if (v.it.input >= r->nnew)
          r->stored_rejected += v.it.rejected_len != 0;
        if (!ok) {
          register_db_failed(r->reg, REG_STORE_RESULTS);
          r->failed = true;
        }
      }
      size_t n = item_size(&v);
      data += n;
      len -= n;
      if (stream == ELIG_STREAM_RESULTS || len == 0)
        return !r->failed;
    } else if (stream == ELIG_STREAM_RESULTS) {
      return true; /* not reached: an add writes no result line */
    }
  }
  return r->io->write(r->io->arg, stream, data, len);
}

static bool sink_cancelled(void *arg)
{
  run *r = arg;
  return r->failed || (r->io->cancelled && r->io->cancelled(r->io->arg));
}

static void sink_progress(void *arg, const elig_batch_stats *so_far)
{
  run *r = arg;
  if (r->io->progress)
    r->io->progress(r->io->arg, so_far);
}

/* Whether a stored record could not be read back for want of memory (the batch then said
 * "cannot read", with the errno; the status is ELIG_ENOMEM all the same). */
static bool stored_nomem(const run *r)
{
  for (size_t i = 0; i < r->nstored; i++)
    if (r->stored[i].error == ENOMEM)
      return true;
  return false;
}

static void run_fini(run *r)
{
  for (size_t i = 0; i < r->nstored; i++)
    stored_fini(&r->stored[i]);
  mem_free(r->stored);
  mem_free(r->inputs);
  for (size_t i = 0; r->headers && i < r->nnew; i++)
    mem_free(r->headers[i]);
  mem_free(r->headers);
  mem_free(r->header_len);
  mem_free(r->header_done);
  mem_free(r->sources);
  map_fini(&r->households);
  finish_storing(r);
}

/* ---------------------------------------------------------------- add */

static void now_text(char *buf, size_t size)
{
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static elig_status start_add(run *r, const elig_program *P, const elig_register_add_options *o,
                             const elig_input *inputs, size_t n, const char *as_of)
{
  elig_register *reg = r->reg;
  register_row row;
  wbuf schema = {0};
  elig_status s = register_read_row(reg, &row);
  if (s != ELIG_OK)
    return s;
  register_schema_text(P, &schema);
  if (!wbuf_text(&schema)) {
    register_row_fini(&row);
    wbuf_free(&schema);
    return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  }
  char at[32];
  now_text(at, sizeof at);
  if (!row.schema) {
    sqlite3_stmt *st = register_prepare(reg, "INSERT INTO register VALUES(?,?,?)");
    bool ok = st != NULL;
    if (ok) {
      sqlite3_bind_text(st, 1, schema.p, (int)schema.len, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, P->hash, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
      ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (!ok)
      s = register_db_failed(reg, REG_WRITE);
  } else if (strcmp(row.schema, schema.p) != 0) {
    s = register_schema_differs(reg, row.schema, schema.p);
  } else {
    r->all = strcmp(row.rules, P->hash) != 0;
  }
  register_row_fini(&row);
  wbuf_free(&schema);
  if (s == ELIG_OK)
    s = register_store_rules(reg, P);
  if (s != ELIG_OK)
    return s;
  wbuf names = {0};
  for (size_t i = 0; i < n; i++)
    wbuf_printf(&names, "%s%s", i ? "\n" : "", inputs[i].name ? inputs[i].name : "-");
  sqlite3_stmt *st =
      register_prepare(reg, "INSERT INTO adds(at, by, rules, as_of, inputs) VALUES(?,?,?,?,?)");
  if (!wbuf_text(&names)) {
    sqlite3_finalize(st);
    wbuf_free(&names);
    return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  }
  bool ok = st != NULL;
  if (ok) {
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->by && o->by[0] ? o->by : "unknown", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, P->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, names.p, (int)names.len, SQLITE_STATIC);
    ok = sqlite3_step(st) == SQLITE_DONE;
  }
  sqlite3_finalize(st);
  wbuf_free(&names);
  if (!ok)
    return register_db_failed(reg, REG_WRITE);
  r->add_id = sqlite3_last_insert_rowid(reg->db);
  return ELIG_OK;
}

static elig_status finish_add(run *r, const elig_program *P, const elig_batch_stats *bs)
{
  elig_register *reg = r->reg;
  sqlite3_stmt *a = register_prepare(reg, "UPDATE adds SET records = ?, rejected = ?, added = ?,"
                                          " corrected = ?, reevaluated = ? WHERE id = ?");
  sqlite3_stmt *g = register_prepare(reg, "UPDATE register SET rules = ?");
  bool ok = a && g;
  if (ok) {
    sqlite3_bind_int64(a, 1, (int64_t)bs->records);
    sqlite3_bind_int64(a, 2, (int64_t)bs->rejected);
    sqlite3_bind_int64(a, 3, (int64_t)r->stats.added);
    sqlite3_bind_int64(a, 4, (int64_t)r->stats.corrected);
    sqlite3_bind_int64(a, 5, (int64_t)r->stats.reevaluated);
    sqlite3_bind_int64(a, 6, r->add_id);
    sqlite3_bind_text(g, 1, P->hash, -1, SQLITE_STATIC);
    ok = sqlite3_step(a) == SQLITE_DONE && sqlite3_step(g) == SQLITE_DONE;
  }
  sqlite3_finalize(a);
  sqlite3_finalize(g);
  if (!ok || !register_exec(reg, "COMMIT"))
    return register_db_failed(reg, REG_WRITE);
  return ELIG_OK;
}

/* The evaluation date: "YYYY-MM-DD" or today in UTC for NULL, as days and as text. */
static bool as_of_days(const char *text, int32_t *days, char out[16])
{
  if (!text)
    *days = (int32_t)(time(NULL) / 86400);
  else if (!date_parse(text, strlen(text), days))
    return false;
  out[date_format(*days, out)] = '\0';
  return true;
}

static bool has_history(elig_register *reg, const elig_program *P)
{
  if (P->order_field != PROG_NONE)
    return true;
  register_failed(reg, ELIG_EINVAL,
                  /* TRANSLATORS: `key hh_id per year` is rule-file syntax: keep it. */
                  _("a register follows households over the years: the rules' record must say "
                    "which field orders them (`key hh_id per year`)"));
  return false;
}

elig_status elig_register_add(elig_register *reg, const elig_ruleset *rs,
                              const elig_register_add_options *opt, const elig_input *inputs,
                              size_t ninputs, const elig_batch_io *io, elig_register_stats *stats)
{
  elig_register_add_options o = ELIG_REGISTER_ADD_OPTIONS_INIT;
  if (!reg || !rs || !io || !io->write || (!inputs && ninputs) || (opt && opt->size == 0))
    return ELIG_EINVAL;
  if (opt)
    memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
  if (stats)
    memset(stats, 0, sizeof *stats);
  reg->error[0] = '\0';
  if (!reg->writable)
    /* TRANSLATORS: %s is the register's file. */
    return register_failed(reg, ELIG_EINVAL, _("register '%s' was opened read-only"), reg->path);
  const elig_program *P = rs->P;
  if (!has_history(reg, P))
    return ELIG_EINVAL;
  batch_options bo = {.format = WRITE_CSV,
                      .threads = o.threads,
                      .show_values = o.show_values,
                      .reject_rows = o.reject_rows,
                      .chunk_bytes = o.chunk_bytes,
                      .memory_limit = o.memory_limit,
                      .undetermined = o.missing == ELIG_MISSING_UNDETERMINED};
  char as_of[16];
  if (!as_of_days(o.as_of, &bo.as_of, as_of))
    /* TRANSLATORS: %s is the evaluation date given; YYYY-MM-DD is how a date is written. */
    return register_failed(reg, ELIG_EINVAL, _("'%s' is not a date (YYYY-MM-DD)"), o.as_of);
  if (o.missing != ELIG_MISSING_REJECT && o.missing != ELIG_MISSING_UNDETERMINED)
    return ELIG_EINVAL;
  run r = {.reg = reg, .P = P, .io = io, .nnew = ninputs};
  elig_status s = ELIG_OK;
  r.headers = mem_calloc(ninputs + 1, sizeof *r.headers);
  r.header_len = mem_calloc(ninputs + 1, sizeof *r.header_len);
  r.header_done = mem_calloc(ninputs + 1, sizeof *r.header_done);
  r.sources = mem_calloc(ninputs + 1, sizeof *r.sources);
  tee *tees = mem_calloc(ninputs + 1, sizeof *tees);
  elig_input *wrapped = mem_calloc(ninputs + 1, sizeof *wrapped);
  if (!r.headers || !r.header_len || !r.header_done || !r.sources || !tees || !wrapped) {
    s = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
    goto out;
  }
  for (size_t i = 0; i < ninputs; i++) {
    tees[i] = (tee){.r = &r, .i = i, .in = &inputs[i]};
    wrapped[i] = (elig_input){.name = inputs[i].name,
                              .format = inputs[i].format,
                              .arg = &tees[i],
                              .open = tee_open,
                              .read = tee_read,
                              .close = tee_close};
  }
  /* the sources are stored once read (their headers known): more_for_add reads the names
   * through r.inputs */
  r.inputs = mem_calloc(ninputs + 1, sizeof *r.inputs);
  if (!r.inputs) {
    s = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
    goto out;
  }
  memcpy(r.inputs, inputs, ninputs * sizeof *inputs);
  if (!register_exec(reg, "BEGIN IMMEDIATE")) {
    s = register_db_failed(reg, REG_START_ADD);
    goto out;
  }
  s = start_add(&r, P, &o, inputs, ninputs, as_of);
  if (s == ELIG_OK && !prepare_storing(&r))
    s = register_db_failed(reg, REG_WRITE);
  if (s != ELIG_OK) {
    register_exec(reg, "ROLLBACK");
    goto out;
  }
  batch_hooks hooks = {.arg = &r,
                       .entries = on_entries,
                       .more = more_for_add,
                       .result = on_result,
                       .seed = seed,
                       .reject = on_reject,
                       .read_reject = on_read_reject,
                       .results_only = true,
                       .more_records = &r.more_records};
  bo.hooks = &hooks;
  r.options = &bo;
  elig_batch_io sink = {.write = sink_write,
                        .cancelled = sink_cancelled,
                        .progress = io->progress ? sink_progress : NULL,
                        .arg = &r};
  elig_batch_stats bs;
  s = batch_run(P, &bo, wrapped, ninputs, &sink, &bs);
  /* the stored records read are not the caller's, nor those a correction replaced its
   * rejections; counted as read, not as stored: a damaged register's may differ */
  bs.records -= r.more_records < bs.records ? r.more_records : bs.records;
  bs.rejected -= r.superseded < bs.rejected ? r.superseded : bs.rejected;
  bs.rejected -= r.stored_rejected < bs.rejected ? r.stored_rejected : bs.rejected;
  r.stats.records = bs.records;
  r.stats.rejected = bs.rejected;
  if (!r.failed && stored_nomem(&r)) {
    r.failed = true;
    register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  }
  if (r.failed)
    s = reg->error[0] ? (reg->error_status == ELIG_ENOMEM ? ELIG_ENOMEM : ELIG_EREGISTER)
                      : ELIG_EIO;
  if (r.canceled)
    s = ELIG_ECANCELED;
  if (r.failed && !reg->error[0])
    /* TRANSLATORS: %s is the register's file; an add is an `elig register add`. */
    register_failed(reg, s, _("register '%s': the add failed"), reg->path);
  if (s == ELIG_EREGISTER && sqlite3_errcode(reg->db) != SQLITE_OK &&
      (sqlite3_errcode(reg->db) & 0xff) != SQLITE_CORRUPT)
    s = register_db_failed(reg, REG_STORE_RESULTS);
  finish_storing(&r);
  r.ins_record = r.ins_result = r.get_current = r.set_current = r.new_current = NULL;
  if (s == ELIG_OK)
    s = finish_add(&r, P, &bs);
  if (s != ELIG_OK) {
    register_exec(reg, "ROLLBACK");
    memset(&r.stats, 0, sizeof r.stats);
    r.stats.records = bs.records;
    r.stats.rejected = bs.rejected;
  }
  if (stats)
    *stats = r.stats;
out:
  run_fini(&r);
  mem_free(tees);
  mem_free(wrapped);
  return s;
}

/* ---------------------------------------------------------------- export */

elig_status elig_register_export(elig_register *reg, const elig_register_export_options *opt,
                                 const elig_batch_io *io, elig_batch_stats *stats)
{
  elig_register_export_options o = ELIG_REGISTER_EXPORT_OPTIONS_INIT;
  elig_batch_stats none;
  if (!stats)
    stats = &none;
  memset(stats, 0, sizeof *stats);
  if (!reg || !io || !io->write || (opt && opt->size == 0))
    return ELIG_EINVAL;
  if (opt)
    memcpy(&o, opt, opt->size < sizeof o ? opt->size : sizeof o);
  reg->error[0] = '\0';
  register_row row;
  elig_status s = register_read_row(reg, &row);
  if (s != ELIG_OK)
    return s;
  if (!row.rules) {
    /* nothing added yet: no rules, no results */
    return ELIG_OK;
  }
  elig_ruleset *rs = NULL;
  if (!register_exec(reg, "BEGIN")) /* one snapshot, whatever an add does meanwhile */
    s = register_db_failed(reg, REG_READ);
  if (s == ELIG_OK)
    s = register_stored_rules(reg, row.rules, &rs);
  register_row_fini(&row);
  if (s != ELIG_OK) {
    register_exec(reg, "ROLLBACK");
    return s;
  }
  batch_options bo = {.format = o.format == ELIG_FORMAT_JSON ? WRITE_JSONL : WRITE_CSV,
                      .threads = o.threads,
                      .chunk_bytes = o.chunk_bytes,
                      .memory_limit = o.memory_limit,
                      .explain = o.explain,
                      .separate_aggregates = o.separate_aggregates,
                      .undetermined = o.missing == ELIG_MISSING_UNDETERMINED};
  if (o.missing != ELIG_MISSING_REJECT && o.missing != ELIG_MISSING_UNDETERMINED) {
    register_exec(reg, "ROLLBACK");
    return ELIG_EINVAL;
  }
  /* the results stored were computed on the evaluation date of their add: the export uses
   * the last add's, unless told otherwise */
  char as_of[16], last[16] = "";
  if (!o.as_of) {
    sqlite3_stmt *q = register_prepare(reg, "SELECT as_of FROM adds ORDER BY id DESC LIMIT 1");
    if (q && sqlite3_step(q) == SQLITE_ROW && elig_date_valid(register_col_text(q, 0)))
      snprintf(last, sizeof last, "%s", register_col_text(q, 0));
    sqlite3_finalize(q);
    if (last[0])
      o.as_of = last;
  }
  if (!as_of_days(o.as_of, &bo.as_of, as_of)) {
    register_exec(reg, "ROLLBACK");
    elig_ruleset_free(rs);
    /* TRANSLATORS: %s is the evaluation date given; YYYY-MM-DD is how a date is written. */
    return register_failed(reg, ELIG_EINVAL, _("'%s' is not a date (YYYY-MM-DD)"), o.as_of);
  }
  run r = {.reg = reg,
           .P = rs->P,
           .io = io,
           .export_only = true,
           .has_year = o.has_year,
           .year = o.year};
  batch_hooks hooks = {.arg = &r, .more = more_for_export, .seed = seed};
  bo.hooks = &hooks;
  s = batch_run(rs->P, &bo, NULL, 0, io, stats);
  if (r.failed)
    s = reg->error_status == ELIG_ENOMEM ? ELIG_ENOMEM : ELIG_EREGISTER;
  else if (stored_nomem(&r))
    s = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  register_exec(reg, "ROLLBACK");
  run_fini(&r);
  elig_ruleset_free(rs);
  return s;
}
