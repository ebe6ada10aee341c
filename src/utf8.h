/*
 * utf8.h - strict UTF-8 validation, decoding and encoding.
 *
 * Place in the pipeline: shared by the input layer and the typing layer. The JSON reader
 * (jdoc.c) checks every raw string byte with it, the typing layer validates CSV cells (csv.c
 * deliberately does not, so a cell that is never used costs nothing) and the diagnostics
 * renderer counts code points for columns.
 *
 * "Valid" means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF. All functions are pure: no allocation, no global state, safe from any thread.
 */
#ifndef ELIG_UTF8_H
#define ELIG_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest encoding of one code point. */
#define UTF8_MAX_LEN 4

/* True when the n bytes at p are well-formed UTF-8 (n == 0 is valid; p may then be NULL).
 * Embedded NUL bytes are valid UTF-8 and are accepted: callers that forbid them check
 * separately. Runs an 8-bytes-at-a-time ASCII fast path, so plain ASCII costs ~1 cycle/byte. */
bool utf8_valid(const char *p, size_t n);

/* Decodes the code point that starts at p, reading at most n bytes. On success stores it in
 * *cp and returns its length in bytes (1..4). Returns 0 when n == 0 or the bytes at p are not
 * a complete, well-formed sequence (then *cp is left untouched); a caller that wants to skip
 * a bad byte advances by one. */
size_t utf8_decode_next(const char *p, size_t n, uint32_t *cp);

/* Number of code points in the n bytes at p. The input is assumed valid (check with
 * utf8_valid first); on invalid input the result counts every byte that is not a
 * continuation byte, which is still bounded by n and never reads past p + n. */
size_t utf8_codepoint_count(const char *p, size_t n);

/* Whether code point cp would corrupt a terminal or reorder text on it (Trojan Source): C0
 * and C1 controls, DEL, and the bidirectional embedding, override and isolate controls.
 * Messages show such characters escaped or replaced, never raw. */
static inline bool utf8_unsafe_on_terminal(uint32_t cp)
{
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

/* Terminal columns a printable code point takes: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide and fullwidth ones (the common blocks), else 1. */
unsigned utf8_cp_width(uint32_t cp);

/* Columns n bytes of text take as shown in a table or under a caret: a byte that is not
 * UTF-8, or an unsafe character (shown as one '?'), counts one. */
size_t utf8_text_width(const char *s, size_t n);

/* Copies s[0..n) into dst (size >= 4 bytes, always NUL-terminated) for a message: cut on a
 * character boundary with "..." when it does not fit, unsafe characters
 * (utf8_unsafe_on_terminal) and bytes that are not UTF-8 as '?'. Returns the length. Text
 * from a record or a file is untrusted: a line end or a terminal escape in it must not
 * forge a log line or repaint the operator's terminal. */
size_t utf8_printable_copy(char *dst, size_t size, const char *s, size_t n);

/* Writes the UTF-8 encoding of cp to out (room for UTF8_MAX_LEN bytes, no NUL added) and
 * returns its length. Returns 0 and writes nothing for a surrogate or a value above
 * U+10FFFF. */
size_t utf8_encode(uint32_t cp, char *out);

/* The longest prefix of s[0..n) of at most max bytes that does not cut a character in two
 * (a message cut short to fit stays valid UTF-8: a Chinese character is 3 bytes). */
size_t utf8_cut(const char *s, size_t n, size_t max);

#endif /* ELIG_UTF8_H */
