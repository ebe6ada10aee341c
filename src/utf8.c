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
  case 1: *cp = s[0]; break;
  case 2: *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (uint32_t)(s[1] & 0x3F); break;
  case 3:
    *cp =
        ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (uint32_t)(s[2] & 0x3F);
    break;
  case 4:
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (uint32_t)(s[3] & 0x3F);
    break;
  default: break;
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

/* ---------------------------------------------------------------- display */

typedef struct {
  uint32_t lo, hi;
} cp_range;

/* Combining marks and other characters that take no cell. */
static const cp_range zero_width[] = {
    {0x0300, 0x036F}, /* combining diacritical marks */
    {0x0483, 0x0489}, /* Cyrillic combining */
    {0x0591, 0x05BD}, /* Hebrew points */
    {0x0610, 0x061A}, /* Arabic marks */
    {0x064B, 0x065F}, /* Arabic vowel marks */
    {0x1AB0, 0x1AFF}, /* combining diacritical marks extended */
    {0x1DC0, 0x1DFF}, /* combining diacritical marks supplement */
    {0x200B, 0x200F}, /* zero-width space, joiners, direction marks */
    {0x20D0, 0x20FF}, /* combining marks for symbols */
    {0x302A, 0x302F}, /* ideographic tone marks */
    {0x3099, 0x309A}, /* combining kana voiced sound marks */
    {0xFE00, 0xFE0F}, /* variation selectors */
    {0xFE20, 0xFE2F}, /* combining half marks */
    {0xFEFF, 0xFEFF}, /* zero-width no-break space, byte-order mark */
};

/* East Asian Wide and Fullwidth characters of the common blocks: two cells. */
static const cp_range wide[] = {
    {0x1100, 0x115F},   /* Hangul Jamo initial consonants */
    {0x2E80, 0x303E},   /* CJK radicals, Kangxi radicals, CJK symbols and punctuation */
    {0x3041, 0x33FF},   /* Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun,
                         enclosed CJK letters, CJK compatibility */
    {0x3400, 0x4DBF},   /* CJK unified ideographs extension A */
    {0x4E00, 0x9FFF},   /* CJK unified ideographs */
    {0xA000, 0xA4CF},   /* Yi */
    {0xA960, 0xA97F},   /* Hangul Jamo extended A */
    {0xAC00, 0xD7A3},   /* Hangul syllables */
    {0xF900, 0xFAFF},   /* CJK compatibility ideographs */
    {0xFE10, 0xFE19},   /* vertical forms */
    {0xFE30, 0xFE6F},   /* CJK compatibility forms, small form variants */
    {0xFF00, 0xFF60},   /* fullwidth forms */
    {0xFFE0, 0xFFE6},   /* fullwidth signs */
    {0x1F300, 0x1F64F}, /* pictographs, emoticons */
    {0x1F900, 0x1F9FF}, /* supplemental symbols and pictographs */
    {0x20000, 0x2FFFD}, /* CJK extensions B-F, compatibility supplement */
    {0x30000, 0x3FFFD}, /* CJK extension G and later */
};

static bool in_ranges(uint32_t cp, const cp_range *r, size_t n)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < r[mid].lo)
      hi = mid;
    else if (cp > r[mid].hi)
      lo = mid + 1;
    else
      return true;
  }
  return false;
}

unsigned utf8_cp_width(uint32_t cp)
{
  if (cp < 0x300)
    return 1;
  if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
    return 0;
  if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
    return 2;
  return 1;
}

size_t utf8_text_width(const char *s, size_t n)
{
  size_t w = 0, i = 0;
  while (i < n) {
    uint32_t cp;
    size_t step = utf8_decode_next(s + i, n - i, &cp);
    w += step == 0 || utf8_unsafe_on_terminal(cp) ? 1 : utf8_cp_width(cp);
    i += step ? step : 1;
  }
  return w;
}

size_t utf8_printable_copy(char *dst, size_t size, const char *s, size_t n)
{
  size_t cap = size - 4, i = 0, out = 0;
  while (i < n) {
    uint32_t cp;
    size_t step = utf8_decode_next(s + i, n - i, &cp);
    bool shown = step && !utf8_unsafe_on_terminal(cp);
    size_t put = shown ? step : 1;
    if (out + put > cap)
      break;
    if (shown)
      memcpy(dst + out, s + i, step);
    else
      dst[out] = '?';
    out += put;
    i += step ? step : 1;
  }
  if (i < n) {
    memcpy(dst + out, "...", 3);
    out += 3;
  }
  dst[out] = '\0';
  return out;
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
  if (n <= max)
    return n;
  size_t k = max;
  /* back over continuation bytes (10xxxxxx) to the start of the character cut */
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
    k--;
  return k;
}
