/*
 * textfn.c - the rule language's text functions over counted UTF-8 text.
 *
 * Place in the pipeline: called by the VM for text expressions and by the checker for
 * constant folding. Self-contained on purpose: its small strict UTF-8 decoder is private so
 * these functions do not depend on the diagnostics-oriented utf8.c. See textfn.h for the
 * semantics of each function and for the treatment of invalid UTF-8.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem: linear time, unlike a naive search over untrusted text */
#endif

#include "textfn.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------
 * UTF-8 decoding and encoding
 * ---------------------------------------------------------------------------------------- */

/* Marks a byte that does not begin a well-formed sequence; never a valid code point. */
#define INVALID_CP 0xFFFFFFFFu

/* Decode one code point from the n >= 1 bytes at p, following the well-formed byte sequences
 * of Unicode (table 3-7), which excludes overlong forms, surrogates and values above
 * U+10FFFF. Returns the number of bytes used; an invalid byte uses 1 and gives INVALID_CP. */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp)
{
  unsigned b = p[0];
  size_t need;
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  uint32_t c;

  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if (b >= 0xC2 && b <= 0xDF) {
    need = 2;
    c = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 3;
    c = b & 0x0F;
    if (b == 0xE0)
      lo = 0xA0; /* overlong below */
    else if (b == 0xED)
      hi = 0x9F; /* surrogates above */
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 4;
    c = b & 0x07;
    if (b == 0xF0)
      lo = 0x90; /* overlong below */
    else if (b == 0xF4)
      hi = 0x8F; /* beyond U+10FFFF above */
  } else {
    *cp = INVALID_CP;
    return 1;
  }

  if (n < need || p[1] < lo || p[1] > hi) {
    *cp = INVALID_CP;
    return 1;
  }
  c = (c << 6) | (p[1] & 0x3Fu);
  for (size_t k = 2; k < need; k++) {
    if ((p[k] & 0xC0u) != 0x80u) {
      *cp = INVALID_CP;
      return 1;
    }
    c = (c << 6) | (p[k] & 0x3Fu);
  }
  *cp = c;
  return need;
}

/* Encode a valid code point into buf (4 bytes); returns the byte count. */
static size_t encode(uint32_t c, unsigned char *buf)
{
  if (c < 0x80) {
    buf[0] = (unsigned char)c;
    return 1;
  } else if (c < 0x800) {
    buf[0] = (unsigned char)(0xC0 | (c >> 6));
    buf[1] = (unsigned char)(0x80 | (c & 0x3F));
    return 2;
  } else if (c < 0x10000) {
    buf[0] = (unsigned char)(0xE0 | (c >> 12));
    buf[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    buf[2] = (unsigned char)(0x80 | (c & 0x3F));
    return 3;
  }
  buf[0] = (unsigned char)(0xF0 | (c >> 18));
  buf[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
  buf[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
  buf[3] = (unsigned char)(0x80 | (c & 0x3F));
  return 4;
}

/* Offset reached by stepping over n code points from offset `from` of the len bytes at s,
   stopping at len. Never forms s + from unless from < len, so s may be NULL when len is 0. */
static size_t skip_code_points(const char *s, size_t len, size_t from, int64_t n)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = from;
  uint32_t cp;
  while (n > 0 && i < len) {
    i += decode(p + i, len - i, &cp);
    n--;
  }
  return i;
}

/* ------------------------------------------------------------------------------------------
 * Length, prefix, substring
 * ---------------------------------------------------------------------------------------- */

size_t textfn_length(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, count = 0;
  uint32_t cp;
  while (i < len) {
    i += decode(p + i, len - i, &cp);
    count++;
  }
  return count;
}

size_t textfn_prefix(const char *s, size_t len, int64_t n)
{
  return skip_code_points(s, len, 0, n);
}

textfn_span textfn_substr(const char *s, size_t len, int64_t start, int64_t count)
{
  textfn_span r;
  int64_t lo = start < 1 ? 1 : start; /* first position taken */
  int64_t hi;                         /* one past the last position in the window */

  if (count <= 0)
    hi = start; /* empty window */
  else if (__builtin_add_overflow(start, count, &hi))
    hi = INT64_MAX; /* count > 0, so only positive overflow is possible */

  r.off = skip_code_points(s, len, 0, lo - 1);
  r.len = hi > lo ? skip_code_points(s, len, r.off, hi - lo) - r.off : 0;
  return r;
}

/* ------------------------------------------------------------------------------------------
 * Case mapping: Unicode simple case mapping for the blocks listed in textfn.h
 * ---------------------------------------------------------------------------------------- */

/* In Latin Extended-A the case pairs are adjacent code points, in runs where the capital is
   at the even code point and runs where it is at the odd one. */
static int in_pair_run(uint32_t c, uint32_t first, uint32_t last)
{
  return c >= first && c <= last;
}

static uint32_t map_upper(uint32_t c)
{
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
  if (c < 0x100) {
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
      return c - 0x20;
    if (c == 0xB5)
      return 0x39C; /* MICRO SIGN -> GREEK CAPITAL MU */
    if (c == 0xFF)
      return 0x178;
    return c;
  }
  if (c < 0x180) {
    if (c == 0x131)
      return 'I'; /* dotless i */
    if (c == 0x17F)
      return 'S'; /* long s */
    /* runs with the capital at the even code point */
    if ((in_pair_run(c, 0x100, 0x12F) || in_pair_run(c, 0x132, 0x137) ||
         in_pair_run(c, 0x14A, 0x177)) &&
        (c & 1))
      return c - 1;
    /* runs with the capital at the odd code point */
    if ((in_pair_run(c, 0x139, 0x148) || in_pair_run(c, 0x179, 0x17E)) && !(c & 1))
      return c - 1;
    return c;
  }
  if (c >= 0x3AC && c <= 0x3CE) {
    if (c == 0x3AC)
      return 0x386;
    if (c <= 0x3AF)
      return c - 37; /* έ ή ί -> Έ Ή Ί */
    if (c == 0x3B0)
      return c; /* ΰ: no simple upper case */
    if (c == 0x3C2)
      return 0x3A3; /* final sigma */
    if (c <= 0x3CB)
      return c - 0x20;
    if (c == 0x3CC)
      return 0x38C;
    return c - 63; /* ύ ώ -> Ύ Ώ */
  }
  if (c >= 0x430 && c <= 0x44F)
    return c - 0x20;
  if (c >= 0x450 && c <= 0x45F)
    return c - 0x50;
  if (c >= 0xFF41 && c <= 0xFF5A)
    return c - 0x20;
  return c;
}

static uint32_t map_lower(uint32_t c)
{
  if (c < 0x80)
    return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
  if (c < 0x100)
    return (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c;
  if (c < 0x180) {
    if (c == 0x130)
      return 'i'; /* dotted capital I; the full mapping would add U+0307 */
    if (c == 0x178)
      return 0xFF;
    if ((in_pair_run(c, 0x100, 0x12F) || in_pair_run(c, 0x132, 0x137) ||
         in_pair_run(c, 0x14A, 0x177)) &&
        !(c & 1))
      return c + 1;
    if ((in_pair_run(c, 0x139, 0x148) || in_pair_run(c, 0x179, 0x17E)) && (c & 1))
      return c + 1;
    return c;
  }
  if (c >= 0x386 && c <= 0x3AB) {
    if (c == 0x386)
      return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
      return c + 37;
    if (c == 0x38C)
      return 0x3CC;
    if (c == 0x38E || c == 0x38F)
      return c + 63;
    if ((c >= 0x391 && c <= 0x3A1) || c >= 0x3A3)
      return c + 0x20;
    return c; /* U+0387, U+0390 and the unassigned U+038B, U+038D, U+03A2 */
  }
  if (c >= 0x410 && c <= 0x42F)
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F)
    return c + 0x50;
  if (c >= 0xFF21 && c <= 0xFF3A)
    return c + 0x20;
  return c;
}

/* Shared loop of textfn_upper/lower. Each character is fully decoded before its mapping is
   written, and a mapping never lengthens a character, so out == s is safe. */
static size_t map_case(const char *s, size_t len, char *out, size_t cap, int upper)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, o = 0;
  int writing = 1; /* cleared once something did not fit, so out holds a clean prefix */

  while (i < len) {
    uint32_t cp;
    size_t n = decode(p + i, len - i, &cp);
    unsigned char buf[4];
    size_t m;

    if (cp == INVALID_CP) {
      buf[0] = p[i];
      m = 1;
    } else {
      m = encode(upper ? map_upper(cp) : map_lower(cp), buf);
    }
    i += n;
    if (writing && cap - o >= m)
      memcpy(out + o, buf, m);
    else
      writing = 0;
    o += m; /* o <= i <= len, so no overflow */
  }
  return o;
}

size_t textfn_upper(const char *s, size_t len, char *out, size_t cap)
{
  return map_case(s, len, out, cap, 1);
}

size_t textfn_lower(const char *s, size_t len, char *out, size_t cap)
{
  return map_case(s, len, out, cap, 0);
}
