/*
 * csv.c - RFC 4180 record parser (see csv.h for the dialect and the record-boundary rule).
 *
 * Place in the pipeline: runs in the worker threads, between input.c (which hands out chunks
 * of whole records) and the typing layer. Hand-written for speed: a generic CSV library would
 * allocate per record; here cells point into the chunk, and only quoted cells with "" escapes
 * are copied, into a scratch buffer reused for every record. The scanning loops use byte
 * class tables so the common byte costs one load and one test.
 */
#include "mem.h"
#include "csv.h"
#include "i18n.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Byte classes outside quotes: anything non-zero stops the scan of an unquoted cell. */
enum {
  U_PLAIN = 0,
  U_COMMA,
  U_LF,
  U_CR,
  U_QUOTE,
  U_NUL
};

static const unsigned char unquoted_class[256] = {
    [','] = U_COMMA, ['\n'] = U_LF, ['\r'] = U_CR, ['"'] = U_QUOTE, [0] = U_NUL,
};

/* Inside quotes only the quote, LF (for line counting) and NUL matter. */
static const unsigned char quoted_class[256] = {
    ['"'] = 1,
    ['\n'] = 1,
    [0] = 1,
};

/* Every byte of a class above is below this one ('-'): digits, letters, '-', '.' and every
 * byte of a multi-byte UTF-8 character are not, so a register's cells rarely hold one. */
#define CLASS_BYTES_BELOW 0x2D
_Static_assert(',' < CLASS_BYTES_BELOW && '"' < CLASS_BYTES_BELOW && '\n' < CLASS_BYTES_BELOW &&
                   '\r' < CLASS_BYTES_BELOW,
               "scan_plain finds the bytes of the classes by their being below CLASS_BYTES_BELOW");

/* The 0x80 bit of each byte of word w that is below CLASS_BYTES_BELOW ("hasless", Sean
 * Anderson's bit hacks).  A borrow only runs from a byte that is below into the bytes above
 * it, so the lowest bit set is always that of a byte below: the first one, in memory order,
 * on a little-endian machine. */
static inline uint64_t bytes_below(uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ull;
  return (w - ones * CLASS_BYTES_BELOW) & ~w & (ones * 0x80);
}

/* The first byte at or after s (before e) whose class is not 0.  Cells of a register are a few
 * to a few dozen bytes: eight bytes a step, each word tested at once for a byte that could
 * be of a class, which is then looked up (a space, say, is not); the loop of four table
 * look-ups a step that this replaced was half of the parser's time. */
static inline const unsigned char *scan_plain(const unsigned char *s, const unsigned char *e,
                                              const unsigned char *cls)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (e - s >= 8) {
    uint64_t w;
    memcpy(&w, s, sizeof w);
    uint64_t below = bytes_below(w);
    if (!below) {
      s += 8;
      continue;
    }
    s += __builtin_ctzll(below) / 8;
    if (cls[*s])
      return s;
    s++;
  }
#endif
  while (s < e && !cls[*s])
    s++;
  return s;
}

/* Why a record is malformed, said to people (in "malformed CSV: %s"): translated where a
 * record takes one. */
static const char *const messages[] = {
    [CSV_OK] = "",
    /* TRANSLATORS: why a CSV record is malformed, put in "malformed CSV: %s". */
    [CSV_EQUOTE_IN_FIELD] = N_("quote inside an unquoted field"),
    /* TRANSLATORS: why a CSV record is malformed, put in "malformed CSV: %s". */
    [CSV_EAFTER_QUOTE] = N_("unexpected character after closing quote"),
    /* TRANSLATORS: why a CSV record is malformed, put in "malformed CSV: %s". */
    [CSV_EUNTERMINATED] = N_("unterminated quoted field"),
    /* TRANSLATORS: why a CSV record is malformed: it holds a byte 0. */
    [CSV_ENUL] = N_("nul byte in record"),
    /* TRANSLATORS: why a CSV record is malformed, put in "malformed CSV: %s". */
    [CSV_ETOO_MANY_CELLS] = N_("too many cells in record"),
    /* TRANSLATORS: why a CSV record is malformed, put in "malformed CSV: %s". */
    [CSV_EFIELD_TOO_LONG] = N_("field too long"),
    [CSV_ENOMEM] = N_("out of memory"),
};

const char *csv_strerror(csv_errcode code)
{
  if ((unsigned)code < sizeof messages / sizeof messages[0])
    return _(messages[code]);
  return _("unknown csv error");
}

void csv_parser_init(csv_parser *ps, const csv_options *opt)
{
  memset(ps, 0, sizeof *ps);
  ps->max_cells = (opt && opt->max_cells) ? opt->max_cells : CSV_DEFAULT_MAX_CELLS;
  ps->max_field_bytes =
      (opt && opt->max_field_bytes) ? opt->max_field_bytes : CSV_DEFAULT_MAX_FIELD_BYTES;
}

void csv_parser_fini(csv_parser *ps)
{
  if (!ps)
    return;
  mem_free(ps->cells);
  mem_free(ps->scratch_off);
  mem_free(ps->scratch);
  ps->cells = NULL;
  ps->scratch_off = NULL;
  ps->scratch = NULL;
  ps->cells_cap = ps->scratch_cap = ps->scratch_len = 0;
}

/* Makes room for cell index n; both arrays grow together so scratch_off[n] exists too. */
static bool grow_cells(csv_parser *ps, size_t n)
{
  if (n < ps->cells_cap)
    return true;
  size_t cap = ps->cells_cap ? ps->cells_cap : 32;
  while (cap <= n) {
    if (cap > SIZE_MAX / 2 / sizeof(csv_cell))
      return false;
    cap *= 2;
  }
  csv_cell *cells = mem_realloc(ps->cells, cap * sizeof *cells);
  if (!cells)
    return false;
  ps->cells = cells;
  size_t *offs = mem_realloc(ps->scratch_off, cap * sizeof *offs);
  if (!offs)
    return false; /* cells_cap unchanged: the larger cells block is simply kept */
  ps->scratch_off = offs;
  ps->cells_cap = cap;
  return true;
}

static bool grow_scratch(csv_parser *ps, size_t extra)
{
  size_t need;
  if (__builtin_add_overflow(ps->scratch_len, extra, &need))
    return false;
  if (need <= ps->scratch_cap)
    return true;
  size_t cap = ps->scratch_cap ? ps->scratch_cap : 256;
  while (cap < need) {
    if (cap > SIZE_MAX / 2)
      return false;
    cap *= 2;
  }
  char *s = mem_realloc(ps->scratch, cap);
  if (!s)
    return false;
  ps->scratch = s;
  ps->scratch_cap = cap;
  return true;
}

/* Consumes the rest of a bad record and returns the position after it: the end of the record
 * by the rule of csv.h, scanning from s in state `st`, byte by byte (bad records are rare).
 * Adds the LFs it passes to *lines. */
static const unsigned char *skip_rest(const unsigned char *s, const unsigned char *e,
                                      csv_scan_state st, size_t *lines)
{
  for (; s < e; s++) {
    unsigned char c = *s;
    switch (st) {
    case CSV_AT_FIELD_START:
      if (c == '"') {
        st = CSV_IN_QUOTES;
        continue;
      }
      /* fall through */
    case CSV_IN_FIELD:
      if (c == '\n') {
        ++*lines;
        return s + 1;
      }
      st = c == ',' ? CSV_AT_FIELD_START : CSV_IN_FIELD;
      break;
    case CSV_IN_QUOTES:
      if (c == '"')
        st = CSV_QUOTE_IN_QUOTES;
      else if (c == '\n')
        ++*lines;
      break;
    case CSV_QUOTE_IN_QUOTES:
      if (c == '"') {
        st = CSV_IN_QUOTES;
        break;
      }
      if (c == '\n') {
        ++*lines;
        return s + 1;
      }
      st = c == ',' ? CSV_AT_FIELD_START : CSV_IN_FIELD;
      break;
    }
  }
  return e;
}

/* Copies the quoted content [s, e) to the scratch buffer with each "" turned into ". The
 * caller has reserved e - s bytes, an upper bound on the output. */
static size_t unescape(csv_parser *ps, const unsigned char *s, const unsigned char *e)
{
  char *out = ps->scratch + ps->scratch_len;
  char *o = out;

  while (s < e) {
    const unsigned char *q = memchr(s, '"', (size_t)(e - s));
    size_t seg = q ? (size_t)(q - s) : (size_t)(e - s);
    memcpy(o, s, seg);
    o += seg;
    if (!q)
      break;
    *o++ = '"';
    s = q + 2; /* the scan that found the field's end guarantees q[1] == '"' */
  }
  return (size_t)(o - out);
}

const char *csv_parse_record(csv_parser *ps, const char *p, const char *end, csv_record *rec)
{
  const unsigned char *s = (const unsigned char *)p;
  const unsigned char *e = (const unsigned char *)end;
  size_t blank = 0, lines = 0, n = 0;
  size_t err_line = 0;
  bool any_escaped = false;
  csv_scan_state after = CSV_IN_FIELD; /* where skip_rest starts when the record is bad */
  csv_errcode err = CSV_OK;

  rec->cells = ps->cells;
  rec->ncells = 0;
  rec->error = CSV_OK;
  rec->message = messages[CSV_OK];
  rec->error_line = 0;
  rec->error_cell = 0;

  while (s < e) {
    if (*s == '\n') {
      s++;
      blank++;
    } else if (e - s >= 2 && s[0] == '\r' && s[1] == '\n') {
      s += 2;
      blank++;
    } else {
      break;
    }
  }
  rec->blank_lines = blank;
  if (s == e) {
    rec->lines = blank;
    return end;
  }
  ps->scratch_len = 0;

  for (;;) {
    const unsigned char *start;
    size_t len, cell_line = lines;

    if (n == ps->max_cells) {
      err = CSV_ETOO_MANY_CELLS;
      err_line = lines;
      after = CSV_AT_FIELD_START;
      break;
    }
    if (!grow_cells(ps, n)) {
      err = CSV_ENOMEM;
      err_line = lines;
      after = CSV_AT_FIELD_START;
      break;
    }
    csv_cell *c = &ps->cells[n];

    if (s < e && *s == '"') {
      bool escaped = false;
      start = ++s;
      for (;;) {
        s = scan_plain(s, e, quoted_class);
        if (s == e)
          break;
        if (*s == '"') {
          if (e - s >= 2 && s[1] == '"') {
            escaped = true;
            s += 2;
            continue;
          }
          break;
        }
        if (*s == '\n') {
          lines++;
          s++;
          continue;
        }
        break; /* NUL */
      }
      if (s == e) {
        err = CSV_EUNTERMINATED;
        err_line = cell_line;
        break;
      }
      if (*s == 0) {
        err = CSV_ENUL;
        err_line = lines;
        after = CSV_IN_QUOTES;
        s++;
        break;
      }
      len = (size_t)(s - start);
      s++; /* closing quote */
      if (escaped) {
        if (!grow_scratch(ps, len)) {
          err = CSV_ENOMEM;
          err_line = cell_line;
          break;
        }
        size_t off = ps->scratch_len;
        len = unescape(ps, start, start + len);
        ps->scratch_len += len;
        ps->scratch_off[n] = off;
        c->ptr = NULL; /* fixed up below: the scratch may still move */
        any_escaped = true;
      } else {
        c->ptr = (const char *)start;
      }
      c->quoted = true;
      if (s < e && *s != ',' && *s != '\n' && !(*s == '\r' && (e - s == 1 || s[1] == '\n'))) {
        err = CSV_EAFTER_QUOTE;
        err_line = lines;
        break;
      }
    } else {
      start = s;
      for (;;) {
        s = scan_plain(s, e, unquoted_class);
        if (s == e)
          break;
        unsigned char cls = unquoted_class[*s];
        if (cls == U_COMMA || cls == U_LF)
          break;
        if (cls == U_CR) {
          if (e - s == 1 || s[1] == '\n')
            break;
          s++; /* a bare CR is data */
          continue;
        }
        if (cls == U_QUOTE) {
          err = CSV_EQUOTE_IN_FIELD; /* a stray quote: data to the record's end, opens nothing */
        } else {
          err = CSV_ENUL;
        }
        err_line = lines;
        s++;
        break;
      }
      if (err != CSV_OK)
        break;
      c->ptr = (const char *)start;
      len = (size_t)(s - start);
      c->quoted = false;
    }
    if (len > ps->max_field_bytes) {
      err = CSV_EFIELD_TOO_LONG;
      err_line = cell_line;
      break;
    }
    c->len = len;
    n++;

    if (s == e)
      break;
    if (*s == ',') {
      s++;
      continue;
    }
    if (*s == '\r')
      s++;
    if (s < e) {
      s++; /* the LF */
      lines++;
    }
    break;
  }

  if (err != CSV_OK) {
    rec->error = err;
    rec->message = _(messages[err]);
    rec->error_line = err_line;
    rec->error_cell = n + 1;
    s = skip_rest(s, e, after, &lines);
    n = 0;
  } else if (any_escaped) {
    for (size_t i = 0; i < n; i++) {
      if (!ps->cells[i].ptr)
        ps->cells[i].ptr = ps->scratch + ps->scratch_off[i];
    }
  }
  rec->cells = ps->cells;
  rec->ncells = n;
  rec->lines = blank + lines;
  return (const char *)s;
}
