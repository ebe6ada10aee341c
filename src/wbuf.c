/*
 * wbuf.c -- a growable byte buffer and safe text in it.  See wbuf.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"
#include "wbuf.h"

/* Room for n more bytes and a NUL; false (and `failed` set) when there is none. */
static bool reserve(wbuf *b, size_t n)
{
  if (b->failed)
    return false;
  if (n > SIZE_MAX / 4 - b->len) {
    b->failed = true;
    return false;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *p = mem_realloc(b->p, cap);
    if (!p) {
      b->failed = true;
      return false;
    }
    b->p = p;
    b->cap = cap;
  }
  return true;
}

void wbuf_put_grow(wbuf *b, const char *s, size_t n)
{
  if (n == 0 || !reserve(b, n))
    return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

char *wbuf_append_space(wbuf *b, size_t n)
{
  if (!reserve(b, n))
    return NULL;
  char *at = b->p + b->len;
  b->len += n;
  return at;
}

void wbuf_puts(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

void wbuf_printf(wbuf *b, const char *fmt, ...)
{
  /* Most texts fit the stack buffer; a longer one (a long file name, say) is formatted a
   * second time straight into the buffer, grown to fit, rather than cut short. */
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n <= 0)
    return;
  if ((size_t)n < sizeof buf) {
    wbuf_put(b, buf, (size_t)n);
    return;
  }
  if (!reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void wbuf_put_printable(wbuf *b, const char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t step = utf8_decode_next(s + i, n - i, &cp);
    if (step && !utf8_unsafe_on_terminal(cp))
      wbuf_put(b, s + i, step);
    else
      wbuf_put(b, "?", 1);
    i += step ? step : 1;
  }
}

void wbuf_free(wbuf *b)
{
  mem_free(b->p);
  memset(b, 0, sizeof *b);
}

static bool quoted_in_csv(char c)
{
  return c == ',' || c == '"' || c == '\n' || c == '\r';
}

/* Whether a CSV cell holding s[0..n) must be quoted.  Every result line has a few texts
 * (keys, decisions, flags): eight bytes are tested at once for a byte below '-', which each
 * of the four is and letters, digits, '_' and UTF-8 are not, and only a word that has one is
 * looked at byte by byte. */
_Static_assert(',' < '-' && '"' < '-' && '\n' < '-' && '\r' < '-',
               "needs_csv_quotes finds the bytes quoted_in_csv by their being below '-'");

static bool needs_csv_quotes(const char *s, size_t n)
{
  const uint64_t ones = 0x0101010101010101ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, sizeof w);
    if (((w - ones * '-') & ~w & (ones * 0x80)) == 0) /* no byte below '-' */
      continue;
    for (size_t j = i; j < i + 8; j++)
      if (quoted_in_csv(s[j]))
        return true;
  }
  for (; i < n; i++)
    if (quoted_in_csv(s[i]))
      return true;
  return false;
}

void wbuf_csv_text(wbuf *b, const char *s, size_t n)
{
  if (!needs_csv_quotes(s, n)) {
    wbuf_put(b, s, n);
    return;
  }
  wbuf_put(b, "\"", 1);
  for (size_t i = 0, from = 0; i <= n; i++)
    if (i == n || s[i] == '"') {
      wbuf_put(b, s + from, i - from + (i < n));
      if (i < n)
        wbuf_put(b, "\"", 1);
      from = i + 1;
    }
  wbuf_put(b, "\"", 1);
}

void wbuf_json_text(wbuf *b, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  wbuf_put(b, "\"", 1);
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch != '"' && ch != '\\')
      continue;
    wbuf_put(b, s + from, i - from);
    char esc[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
    if (ch == '"' || ch == '\\') {
      esc[1] = (char)ch;
      wbuf_put(b, esc, 2);
    } else if (ch == '\n') {
      wbuf_put(b, "\\n", 2);
    } else {
      wbuf_put(b, esc, 6);
    }
    from = i + 1;
  }
  wbuf_put(b, s + from, n - from);
  wbuf_put(b, "\"", 1);
}

const char *wbuf_text(wbuf *b)
{
  if (b->failed)
    return NULL;
  if (!b->p) {
    b->p = mem_alloc(64);
    if (!b->p) {
      b->failed = true;
      return NULL;
    }
    b->cap = 64;
  }
  b->p[b->len] = '\0';
  return b->p;
}

const char *wbuf_scratch_text(wbuf *b, wbuf *into)
{
  const char *s = wbuf_text(b);
  if (!s)
    into->failed = true;
  return s ? s : "";
}
