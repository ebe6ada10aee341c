/*
 * input.c - chunked reading of record files (see input.h for boundaries and ownership).
 *
 * Place in the pipeline: the reader thread's only job. It reads straight into the caller's
 * chunk buffer with large reads, scans the new bytes once for quotes and LFs with
 * memchr (the quote state and the line count carried across reads), cuts the chunk after the
 * last record boundary and keeps the partial record that follows in a carry buffer for the
 * next chunk. That carry copy, at most one record per chunk, is the only copying done.
 *
 * Hand-written rather than built on stdio or a CSV library because the pipeline needs chunks
 * of whole records with exact line numbers, and no allocation per record.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L /* strerror_r, O_CLOEXEC */
#endif

#include "mem.h"
#include "i18n.h"
#include "input.h"
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads while a single record exceeds the chunk size, and reads while skipping a record, are
 * at least this big so a huge record costs few system calls. */
#define MIN_READ ((size_t)64 << 10)
/* One read never asks for more than this (Linux caps reads just below 2 GiB anyway). */
#define MAX_READ ((size_t)1 << 30)
/* The BOM probe reads this much into the carry buffer. */
#define PROBE_READ ((size_t)4096)

struct input_source {
  input_read_fn read; /* where the bytes come from */
  void *read_arg;
  bool csv; /* INPUT_CSV: boundaries by csv.h's rule (quoted fields may span LFs) */
  size_t chunk_bytes;
  size_t max_record;
  size_t read_cap; /* 0 = no cap */

  char *carry; /* bytes read but not handed out: the start of the next record */
  size_t carry_len;
  size_t carry_cap;
  size_t carry_scanned;       /* prefix of carry whose quotes and LFs were already counted */
  csv_scan_state carry_quote; /* scan state at carry + carry_scanned */
  uint64_t carry_lf;          /* LFs in that scanned prefix */
  uint64_t line;              /* line and file offset of carry[0] */
  uint64_t byte;

  bool started; /* BOM probe done */
  bool bom;
  bool eof; /* the read function returned 0 */

  bool skipping;             /* discarding an over-long record, reading on to its end */
  bool skip_report;          /* the skipped record is behind us: report it on the next call */
  csv_scan_state skip_quote; /* scan state inside the skipped record */
  uint64_t skip_line;        /* where the skipped record starts */
  uint64_t skip_byte;
  uint64_t skip_lf;    /* LFs seen in it so far */
  uint64_t skip_bytes; /* bytes of it seen so far */

  input_status failed; /* INPUT_OK, or the sticky INPUT_EREAD / INPUT_ENOMEM */
  input_error fail;    /* the error to repeat */
};

/* Cached positions of the next '"' and LF at or after the scan point, so each byte is looked
 * at by memchr once; NULL = not searched yet, the range end = none left. Reset whenever the
 * buffer moves or grows. */
typedef struct scan_state {
  const char *nq;
  const char *nl;
} scan_state;

/* ===== errors ===================================================================== */

static void errtext(int errnum, char *buf, size_t n)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  const char *s = strerror_r(errnum, buf, n);
  if (s != buf)
    snprintf(buf, n, "%s", s);
#else
  if (strerror_r(errnum, buf, n) != 0)
    snprintf(buf, n, "error %d", errnum);
#endif
}

__attribute__((format(printf, 4, 5))) static void set_err(input_error *err, int errnum,
                                                          uint64_t line, const char *fmt, ...)
{
  va_list ap;

  if (!err)
    return;
  err->errnum = errnum;
  err->line = line;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* Makes the source fail for good with errnum's text (or "out of memory"). */
static void set_fail(input_source *src, input_status st, int errnum)
{
  char why[128];

  src->failed = st;
  if (st == INPUT_ENOMEM) {
    set_err(&src->fail, ENOMEM, 0, "%s", _("out of memory"));
  } else {
    errtext(errnum, why, sizeof why);
    /* TRANSLATORS: an input file could not be read: %s is the system's reason. */
    set_err(&src->fail, errnum, 0, _("read error: %s"), why);
  }
}

static input_status report_fail(const input_source *src, input_error *err)
{
  if (err)
    *err = src->fail;
  return src->failed;
}

/* ===== buffers and reads ========================================================== */

static bool reserve(char **buf, size_t *cap, size_t need)
{
  if (need <= *cap)
    return true;
  size_t ncap = *cap + *cap / 2;
  if (ncap < need)
    ncap = need;
  char *nb = mem_buffer_realloc(*buf, ncap);
  if (!nb)
    return false;
  *buf = nb;
  *cap = ncap;
  return true;
}

static bool chunk_reserve(input_chunk *c, size_t need)
{
  if (!reserve(&c->buf, &c->cap, need))
    return false;
  c->data = c->buf;
  return true;
}

/* The caller's read of at most want bytes; sets eof on 0.  A read interrupted by a signal
 * is the caller's to retry or to end (its callback decides: a signal may mean "stop"). */
static ptrdiff_t read_into(input_source *src, char *dst, size_t want)
{
  if (src->read_cap && want > src->read_cap)
    want = src->read_cap;
  if (want > MAX_READ)
    want = MAX_READ;
  errno = 0;
  ptrdiff_t n = src->read(src->read_arg, dst, want);
  if (n == 0)
    src->eof = true;
  if (n < 0 && errno == 0)
    errno = EIO;
  return n > (ptrdiff_t)want ? (errno = EIO, -1) : n;
}

/* ===== boundary scan ============================================================== */

/* Scans from s towards e and returns the position just after the first record boundary, or
 * NULL when [s, e) has none. *q is where the scan stands by csv.h's rule (a '"' opens a
 * quoted field only at a field's start; "" inside quotes is data) and *lf the LF count, both
 * carried over everything scanned.  memchr finds the next '"' and LF: a file without quotes
 * costs one memchr per line; the bytes before a '"' need no look, only the one just before
 * it (a ',' makes it a field's start). */
static const char *next_boundary(scan_state *sc, const char *s, const char *e, bool csv,
                                 csv_scan_state *q, uint64_t *lf)
{
  for (;;) {
    if (!sc->nl || sc->nl < s) {
      sc->nl = memchr(s, '\n', (size_t)(e - s));
      if (!sc->nl)
        sc->nl = e;
    }
    const char *nq = e;
    if (csv) {
      if (!sc->nq || sc->nq < s) {
        sc->nq = memchr(s, '"', (size_t)(e - s));
        if (!sc->nq)
          sc->nq = e;
      }
      nq = sc->nq;
    }
    if (*q == CSV_QUOTE_IN_QUOTES) {
      if (s == e)
        return NULL;
      if (*s == '"') { /* "" */
        *q = CSV_IN_QUOTES;
        s++;
        continue;
      }
      *q = CSV_IN_FIELD; /* it closed the field: from here on as after any byte */
    }
    if (*q == CSV_IN_QUOTES) {
      /* LFs are data until the closing quote; count them */
      while (sc->nl < nq) {
        ++*lf;
        s = sc->nl + 1;
        sc->nl = memchr(s, '\n', (size_t)(e - s));
        if (!sc->nl)
          sc->nl = e;
      }
      if (nq == e)
        return NULL;
      *q = CSV_QUOTE_IN_QUOTES;
      s = nq + 1;
      continue;
    }
    if (nq < sc->nl) {
      /* a '"' before the line's end: it opens a quoted field at a field's start only */
      bool start = nq == s ? *q == CSV_AT_FIELD_START : nq[-1] == ',';
      *q = start ? CSV_IN_QUOTES : CSV_IN_FIELD;
      s = nq + 1;
      continue;
    }
    if (sc->nl == e) {
      if (s < e)
        *q = e[-1] == ',' ? CSV_AT_FIELD_START : CSV_IN_FIELD;
      return NULL;
    }
    s = sc->nl + 1;
    ++*lf;
    *q = CSV_AT_FIELD_START;
    return s;
  }
}

/* ===== over-long records ========================================================== */

static input_status report_skip(input_source *src, input_chunk *out, input_error *err)
{
  src->skip_report = false;
  out->data = out->buf;
  out->len = 0;
  out->lines = 0;
  out->first_line = src->skip_line;
  out->first_byte = src->skip_byte;
  /* TRANSLATORS: a record of an input file is longer than the limit, %zu bytes. */
  set_err(err, 0, src->skip_line, _("record longer than %zu bytes"), src->max_record);
  if (err)
    err->limit = src->max_record;
  return INPUT_RECORD_TOO_LONG;
}

/* Reads and discards the rest of the record being skipped, up to its boundary or EOF, keeps
 * what follows in the carry and reports the record. */
static input_status finish_skip(input_source *src, input_chunk *out, input_error *err)
{
  size_t want = MIN_READ;

  src->carry_len = 0;
  src->carry_scanned = 0;
  src->carry_quote = CSV_AT_FIELD_START;
  src->carry_lf = 0;
  for (;;) {
    if (src->eof)
      break;
    if (!reserve(&src->carry, &src->carry_cap, want)) {
      set_fail(src, INPUT_ENOMEM, ENOMEM);
      return report_fail(src, err);
    }
    ptrdiff_t n = read_into(src, src->carry, want);
    if (n < 0) {
      set_fail(src, INPUT_EREAD, errno);
      return report_fail(src, err);
    }
    scan_state sc = {NULL, NULL};
    const char *b =
        next_boundary(&sc, src->carry, src->carry + n, src->csv, &src->skip_quote, &src->skip_lf);
    if (b) {
      size_t used = (size_t)(b - src->carry);
      src->skip_bytes += used;
      src->carry_len = (size_t)n - used;
      memmove(src->carry, b, src->carry_len);
      break;
    }
    src->skip_bytes += (uint64_t)n;
  }
  src->skipping = false;
  src->line = src->skip_line + src->skip_lf;
  src->byte = src->skip_byte + src->skip_bytes;
  return report_skip(src, out, err);
}

/* ===== chunks ===================================================================== */

/* Keeps [p, p + n) as the start of the next chunk; its first `scanned` bytes were scanned,
 * ending with parity q and lf LFs. On allocation failure the source fails from the next call
 * on (the chunk being handed out is still good). */
static void set_carry(input_source *src, const char *p, size_t n, size_t scanned, csv_scan_state q,
                      uint64_t lf)
{
  src->carry_len = 0;
  if (src->failed)
    return;
  if (!reserve(&src->carry, &src->carry_cap, n)) {
    set_fail(src, INPUT_ENOMEM, ENOMEM);
    return;
  }
  if (n)
    memcpy(src->carry, p, n);
  src->carry_len = n;
  src->carry_scanned = scanned;
  src->carry_quote = q;
  src->carry_lf = lf;
}

/* Hands out the first `last` bytes of the chunk buffer (lf_last LFs) and advances the
 * position of the carry to match. */
static input_status hand_over(input_source *src, input_chunk *out, size_t last, uint64_t lf_last)
{
  out->data = out->buf;
  out->len = last;
  out->lines = lf_last;
  src->line += lf_last;
  src->byte += last;
  return INPUT_OK;
}

static input_status fill(input_source *src, input_chunk *out, input_error *err)
{
  size_t len = src->carry_len;
  size_t pos = src->carry_scanned;
  csv_scan_state q = src->carry_quote;
  uint64_t lf = src->carry_lf;
  size_t last = 0; /* end of the last whole record */
  uint64_t lf_last = 0;
  scan_state sc = {NULL, NULL};
  size_t want = len < src->chunk_bytes ? src->chunk_bytes - len : MIN_READ;

  if (!chunk_reserve(out, len + want)) {
    set_fail(src, INPUT_ENOMEM, ENOMEM);
    return report_fail(src, err);
  }
  if (len)
    memcpy(out->buf, src->carry, len);
  src->carry_len = 0;

  for (;;) {
    const char *b;
    while ((b = next_boundary(&sc, out->buf + pos, out->buf + len, src->csv, &q, &lf))) {
      size_t end = (size_t)(b - out->buf);
      if (end - last > src->max_record) {
        /* A whole record over the limit: report it after the records before it and resume
         * right after it (the bytes there are not scanned yet). */
        src->skip_report = true;
        src->skip_line = src->line + lf_last;
        src->skip_byte = src->byte + last;
        set_carry(src, out->buf + end, len - end, 0, CSV_AT_FIELD_START, 0);
        hand_over(src, out, last, lf_last);
        src->line += lf - lf_last;
        src->byte += end - last;
        if (last == 0)
          return report_skip(src, out, err);
        return INPUT_OK;
      }
      last = end;
      lf_last = lf;
      pos = end;
    }
    pos = len;
    if (len - last > src->max_record) {
      /* An unfinished record already over the limit: drop what we have of it and skip the
       * rest in finish_skip, after handing out the records before it. */
      src->skipping = true;
      src->skip_line = src->line + lf_last;
      src->skip_byte = src->byte + last;
      src->skip_quote = q;
      src->skip_lf = lf - lf_last;
      src->skip_bytes = len - last;
      if (last == 0)
        return finish_skip(src, out, err);
      return hand_over(src, out, last, lf_last); /* position set by finish_skip */
    }
    if ((last > 0 && len >= src->chunk_bytes) || src->eof)
      break;

    if (len < src->chunk_bytes)
      want = src->chunk_bytes - len;
    else
      want = len / 2 > MIN_READ ? len / 2 : MIN_READ; /* geometric: few reallocs per record */
    if (!chunk_reserve(out, len + want)) {
      set_fail(src, INPUT_ENOMEM, ENOMEM);
      return report_fail(src, err);
    }
    sc.nq = sc.nl = NULL;
    ptrdiff_t n = read_into(src, out->buf + len, want);
    if (n < 0) {
      set_fail(src, INPUT_EREAD, errno);
      if (last > 0)
        break; /* deliver the whole records first; the error comes on the next call */
      return report_fail(src, err);
    }
    len += (size_t)n;
  }

  if (src->eof && !src->failed) {
    last = len; /* the final record may lack its terminator */
    lf_last = lf;
  }
  if (last == 0)
    return INPUT_EOF;
  set_carry(src, out->buf + last, len - last, len - last, q, lf - lf_last);
  return hand_over(src, out, last, lf_last);
}

/* Reads the first bytes into the carry and drops a UTF-8 BOM. */
static input_status start(input_source *src)
{
  src->started = true;
  if (!reserve(&src->carry, &src->carry_cap, PROBE_READ)) {
    set_fail(src, INPUT_ENOMEM, ENOMEM);
    return src->failed;
  }
  while (src->carry_len < 3 && !src->eof) {
    ptrdiff_t n = read_into(src, src->carry + src->carry_len, PROBE_READ - src->carry_len);
    if (n < 0) {
      set_fail(src, INPUT_EREAD, errno);
      return src->failed;
    }
    src->carry_len += (size_t)n;
  }
  if (src->carry_len >= 3 && memcmp(src->carry, "\xEF\xBB\xBF", 3) == 0) {
    src->bom = true;
    src->carry_len -= 3;
    memmove(src->carry, src->carry + 3, src->carry_len);
    src->byte = 3;
  }
  return INPUT_OK;
}

/* ===== public ===================================================================== */

void input_chunk_init(input_chunk *c)
{
  memset(c, 0, sizeof *c);
}

void input_chunk_fini(input_chunk *c)
{
  if (!c)
    return;
  mem_buffer_free(c->buf);
  input_chunk_init(c);
}

input_source *input_open(input_read_fn read, void *arg, input_format fmt, const input_options *opt,
                         input_error *err)
{
  input_source *src = mem_calloc(1, sizeof *src);
  if (!src) {
    set_err(err, ENOMEM, 0, "%s", _("out of memory"));
    return NULL;
  }
  src->read = read;
  src->read_arg = arg;
  src->csv = fmt == INPUT_CSV;
  src->chunk_bytes = opt && opt->chunk_bytes ? opt->chunk_bytes : INPUT_DEFAULT_CHUNK_BYTES;
  src->max_record =
      opt && opt->max_record_bytes ? opt->max_record_bytes : INPUT_DEFAULT_MAX_RECORD_BYTES;
  src->read_cap = opt ? opt->read_bytes : 0;
  src->line = 1;
  src->failed = INPUT_OK;
  return src;
}

input_status input_next_chunk(input_source *src, input_chunk *out, input_error *err)
{
  out->data = out->buf;
  out->len = 0;
  out->lines = 0;
  out->first_line = src->line;
  out->first_byte = src->byte;
  if (src->failed)
    return report_fail(src, err);
  if (!src->started && start(src) != INPUT_OK)
    return report_fail(src, err);
  out->first_byte = src->byte;
  if (src->skipping)
    return finish_skip(src, out, err);
  if (src->skip_report)
    return report_skip(src, out, err);
  return fill(src, out, err);
}

bool input_had_bom(const input_source *src)
{
  return src->bom;
}

void input_close(input_source *src)
{
  if (!src)
    return;
  mem_buffer_free(src->carry);
  mem_free(src);
}
