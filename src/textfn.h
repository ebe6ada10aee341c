/*
 * textfn.h - the text functions of the rule language (length, prefix, substr, upper, lower)
 * as pure functions over UTF-8.
 *
 * Place in the pipeline: the VM calls these when evaluating text expressions. Text is always a counted (pointer, length) pair, not
 * NUL-terminated, and positions and lengths seen by the rule author count Unicode code points
 * ("云南省昆明市" has length 6), never bytes. Nothing here allocates: results are byte spans of
 * the input (textfn_span) or are written into a caller-provided buffer. All functions are
 * pure and thread-safe. A NULL pointer is accepted wherever its length is 0.
 *
 * Invalid UTF-8: records are validated before evaluation, but these functions still give a
 * defined answer for any bytes. Decoding is strict (no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequences); every byte that does not begin a well-formed
 * sequence counts as one code point of its own and is copied through unchanged by the case
 * mappings. So "a\xE4\xBAb" (a truncated 3-byte sequence) has length 4.
 */
#ifndef ELIG_TEXTFN_H
#define ELIG_TEXTFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A part of an input text, as a byte offset and byte length within it. */
typedef struct {
  size_t off; /* first byte, relative to the start of the input */
  size_t len; /* number of bytes */
} textfn_span;

/* Number of code points in the `len` bytes at `s`. */
size_t textfn_length(const char *s, size_t len);

/* Byte length of the first `n` code points of `s`: 0 when n <= 0, all of `len` when the text
 * has fewer than n code points. prefix("云南省昆明市", 2) is 6 bytes, "云南". */
size_t textfn_prefix(const char *s, size_t len, int64_t n);

/* The substring of `count` code points starting at code point `start`, counted from 1, with
 * the SQL standard's SUBSTRING semantics: the result is every code point whose position p
 * satisfies start <= p < start + count and 1 <= p <= length. Hence a start before 1 eats into
 * the count (substr("abc", 0, 2) == "a", substr("abc", -5, 2) == ""), a window reaching past
 * the end is cut there (substr("abc", 2, 99) == "bc"), a start beyond the end or a count <= 0
 * gives the empty text. Never fails; positions never overflow (start + count saturates). An
 * empty result has off == the byte offset where it would begin (0 or `len` at the edges). */
textfn_span textfn_substr(const char *s, size_t len, int64_t start, int64_t count);

/* Upper-case (textfn_upper) or lower-case (textfn_lower) `s` into `out`, using Unicode's
 * simple (one code point to one code point, context-free, locale-free) case mapping, i.e.
 * UnicodeData.txt fields 12 and 13, for code points in these blocks only:
 *   U+0000..U+007F  Basic Latin: a-z <-> A-Z;
 *   U+0080..U+00FF  Latin-1 Supplement: U+00E0..U+00FE <-> U+00C0..U+00DE except U+00F7 and
 *                   U+00D7 (which are signs); upper: U+00B5 MICRO SIGN -> U+039C, U+00FF ÿ ->
 *                   U+0178 Ÿ; U+00DF ß has no simple upper case and is kept;
 *   U+0100..U+017F  Latin Extended-A: all case pairs, including U+0130 İ -> i (lower),
 *                   U+0131 ı -> I and U+017F ſ -> S (upper), U+0178 Ÿ -> ÿ (lower);
 *                   U+0138 ĸ and U+0149 ŉ are kept;
 *   U+0386..U+03CE  Greek letters with and without tonos, and final sigma U+03C2 -> U+03A3
 *                   (upper); U+0390 ΐ and U+03B0 ΰ have no simple upper case and are kept;
 *   U+0400..U+045F  basic Cyrillic: U+0430..U+044F <-> U+0410..U+042F and
 *                   U+0450..U+045F <-> U+0400..U+040F;
 *   U+FF21..U+FF5A  fullwidth Latin letters Ａ-Ｚ <-> ａ-ｚ (common in Chinese input).
 * Every other code point, CJK included, and every invalid byte is copied unchanged. No
 * mapping depends on the locale, and none is a full mapping: "ß" stays "ß", not "SS".
 *
 * Returns the number of bytes the result needs. The result is never longer than the input
 * (every mapping keeps or shrinks the UTF-8 length, e.g. ı (2 bytes) -> I (1 byte)), so
 * cap >= len always suffices. When the result needs more than `cap` bytes, `out` receives an
 * unspecified prefix of at most `cap` bytes and the caller should retry with a larger
 * buffer. `out` is not NUL-terminated, may be NULL when cap is 0, and must not overlap `s`
 * unless out == s (in-place mapping is safe because output never runs ahead of input). */
size_t textfn_upper(const char *s, size_t len, char *out, size_t cap);
size_t textfn_lower(const char *s, size_t len, char *out, size_t cap);

#endif /* ELIG_TEXTFN_H */
