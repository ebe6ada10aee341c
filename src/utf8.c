/*
 * utf8.c - strict UTF-8 validation, decoding and encoding (see utf8.h).
 *
 * Place in the pipeline: below the readers and the typing layer; called for every string in
 * every record, so the common case (ASCII) is checked eight bytes per step.
 */
#include "utf8.h"

#include <string.h>

#define HIGH_BITS UINT64_C(0x8080808080808080)

/* Length of the well-formed sequence at s (n > 0 bytes available), 0 when malformed.
 * The second-byte ranges are the ones in RFC 3629's table: they exclude overlongs (E0, F0),
 * surrogates (ED) and code points above U+10FFFF (F4) in one test each. */
static size_t seq_len(const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  unsigned char lo = 0x80, hi = 0xBF;
  size_t len;

  if (c < 0x80)
    return 1;
  if (c < 0xC2)
    return 0; /* continuation byte or overlong 2-byte lead */
  if (c < 0xE0) {
    len = 2;
  } else if (c < 0xF0) {
    len = 3;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c < 0xF5) {
    len = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  }
  return len;
}

bool utf8_valid(const char *p, size_t n)
{
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;

  while (i < n) {
    if (n - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if ((w & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t len = seq_len(s + i, n - i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

size_t utf8_decode_next(const char *p, size_t n, uint32_t *cp)
{
  const unsigned char *s = (const unsigned char *)p;

  if (n == 0)
    return 0;
  size_t len = seq_len(s, n);
  switch (len) {
  case 1:
    *cp = s[0];
    break;
  case 2:
    *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (uint32_t)(s[1] & 0x3F);
    break;
  case 3:
    *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
          (uint32_t)(s[2] & 0x3F);
    break;
  case 4:
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (uint32_t)(s[3] & 0x3F);
    break;
  default:
    break;
  }
  return len;
}

size_t utf8_codepoint_count(const char *p, size_t n)
{
  const unsigned char *s = (const unsigned char *)p;
  size_t count = 0;

  for (size_t i = 0; i < n; i++)
    count += (s[i] & 0xC0) != 0x80;
  return count;
}

size_t utf8_encode(uint32_t cp, char *out)
{
  unsigned char *o = (unsigned char *)out;

  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return 0;
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  if (cp <= 0x10FFFF) {
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
  }
  return 0;
}
