/*
 * wbuf.h -- a growable byte buffer, and text written into it safely: as a CSV cell, as a
 * JSON string, or as printable text for a message.
 *
 * Place in the pipeline: under the writers (results, aggregates, explanations, reports) and
 * the compiler (a test's given record as JSON).  Appending never fails loudly: a failed
 * allocation sets `failed` and later appends do nothing, so that a writer checks once at the
 * end instead of after every piece.
 */
#ifndef ELIG_WBUF_H
#define ELIG_WBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *p; /* the bytes; one spare byte after len, for a NUL */
  size_t len, cap;
  bool failed; /* an allocation failed; the content is incomplete */
} wbuf;

/* Appends n bytes of s. */
#include <string.h>

/* The slow path of wbuf_put: growing (or failing). */
void wbuf_put_grow(wbuf *b, const char *s, size_t n);

/* Inline: writers and record images put a few bytes at a time, millions of times a run, and
 * a call per put was a tenth of a history run. */
static inline void wbuf_put(wbuf *b, const char *s, size_t n)
{
  if (n == 0) /* s may be NULL then, which memcpy does not allow */
    return;
  if (n < b->cap - b->len && !b->failed) { /* room for the bytes and the spare one */
    memcpy(b->p + b->len, s, n);
    b->len += n;
  } else {
    wbuf_put_grow(b, s, n);
  }
}
/* Appends n bytes the caller fills, and returns where they are (valid until the next append);
 * NULL when there is no room (then `failed` is set). */
char *wbuf_append_space(wbuf *b, size_t n);
/* Appends the NUL-terminated s. */
void wbuf_puts(wbuf *b, const char *s);
/* Appends printf-formatted text, all of it (the buffer grows to fit). */
void wbuf_printf(wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) for a message or a table: unsafe characters (utf8_unsafe_on_terminal) and
 * bytes that are not UTF-8 as '?', so that what a record holds cannot forge a log line. */
void wbuf_put_printable(wbuf *b, const char *s, size_t n);
/* Appends s[0..n) as a CSV field, quoted when it must be (RFC 4180). */
void wbuf_csv_text(wbuf *b, const char *s, size_t n);
/* Appends s[0..n) as a JSON string, with escapes. */
void wbuf_json_text(wbuf *b, const char *s, size_t n);
/* The text NUL-terminated (the buffer keeps it), or NULL when an append failed. */
const char *wbuf_text(wbuf *b);
/* The text of scratch buffer b, to be formatted into `into` (a message built from parts
 * written first, each a translated whole): "" when an append to b failed, and then `into`
 * is marked failed too, its content incomplete. */
const char *wbuf_scratch_text(wbuf *b, wbuf *into);
/* Frees the bytes and empties the buffer (usable again).  A zeroed wbuf needs no init. */
void wbuf_free(wbuf *b);

#endif
