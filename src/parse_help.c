/*
 * parse_help.c -- what a syntax error can say besides what was expected: whether a comma is
 * a thousands separator (20,000), and whether a bracket is ever closed.
 *
 * Pipeline: called by grammar/parser.y's report of a syntax error and by grammar/lexer.l,
 * on the text of the file being parsed.  Both read the bytes as written, since the tokens
 * cannot tell: the lexer reads 20,000 as 20, a comma and 000, and a bracket left open is
 * seen only when the parser is lines past it.
 */
#include <string.h>

#include "parse_help.h"

/* ---------------------------------------------------------------- thousands separators */

static bool digit(char c)
{
  return c >= '0' && c <= '9';
}

/* A byte that goes on a name or a number before it: the separator is not after a number
 * then (x1,000 is a name and a number; 1.5,000 a decimal and a number). */
static bool joins(char c)
{
  return digit(c) || c == '_' || c == '.' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
         (unsigned char)c >= 0x80;
}

/* The bytes of the separator at text[at]: 1 for ',', 3 for the full-width '，', else 0. */
static uint32_t separator_at(const char *text, uint32_t len, uint32_t at)
{
  if (at < len && text[at] == ',')
    return 1;
  if (len >= 3 && at <= len - 3 && memcmp(text + at, "\xEF\xBC\x8C", 3) == 0)
    return 3;
  return 0;
}

/* Whether text[at..] is a group of three digits that ends there. */
static bool group_at(const char *text, uint32_t len, uint32_t at)
{
  return len >= 3 && at <= len - 3 && digit(text[at]) && digit(text[at + 1]) &&
         digit(text[at + 2]) && (at + 3 == len || !digit(text[at + 3]));
}

bool parse_thousands(const char *text, uint32_t len, uint32_t sep, char *out, size_t size)
{
  uint32_t start = sep, w;
  while (start > 0 && digit(text[start - 1]))
    start--;
  if (sep - start < 1 || sep - start > 3 || (start > 0 && joins(text[start - 1])) ||
      !separator_at(text, len, sep) || size == 0)
    return false;
  size_t o = 0;
  for (uint32_t i = start; i < sep && o + 1 < size; i++)
    out[o++] = text[i];
  uint32_t at = sep;
  while ((w = separator_at(text, len, at)) != 0 && group_at(text, len, at + w)) {
    for (uint32_t i = at + w; i < at + w + 3 && o + 1 < size; i++)
      out[o++] = text[i];
    at += w + 3;
  }
  if (at == sep)
    return false; /* no group after the separator */
  if (at + 1 < len && text[at] == '.' && digit(text[at + 1]))
    for (uint32_t i = at; (i == at || (i < len && digit(text[i]))) && o + 1 < size; i++)
      out[o++] = text[i]; /* the decimals: 20,000.50 */
  out[o] = '\0';
  return true;
}

/* ---------------------------------------------------------------- unclosed brackets */

/* +1 for an opener of `kind` at text[*at], -1 for its closer, 0 otherwise; *at moves past
 * the character, or past the quoted text or comment that starts there. */
static int bracket_step(const char *text, uint32_t len, char kind, uint32_t *at)
{
  static const struct {
    char kind;
    const char *open, *close, *wide_open, *wide_close;
  } pairs[] = {
      {'(', "(", ")", "\xEF\xBC\x88", "\xEF\xBC\x89"},
      {'[', "[", "]", NULL, NULL},
      {'{', "{", "}", "\xEF\xBD\x9B", "\xEF\xBD\x9D"},
  };
  char c = text[*at];
  if (c == '"' || c == '#') {
    for ((*at)++; *at < len && text[*at] != '\n' && !(c == '"' && text[*at] == '"'); (*at)++)
      if (c == '"' && text[*at] == '\\' && *at + 1 < len && text[*at + 1] != '\n')
        (*at)++;
    if (*at < len && text[*at] == '"')
      (*at)++;
    return 0;
  }
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    if (pairs[i].kind != kind)
      continue;
    if (c == pairs[i].open[0] || c == pairs[i].close[0]) {
      (*at)++;
      return c == pairs[i].open[0] ? 1 : -1;
    }
    if (pairs[i].wide_open && len - *at >= 3 && memcmp(text + *at, pairs[i].wide_open, 3) == 0) {
      *at += 3;
      return 1;
    }
    if (pairs[i].wide_close && len - *at >= 3 && memcmp(text + *at, pairs[i].wide_close, 3) == 0) {
      *at += 3;
      return -1;
    }
  }
  (*at)++;
  return 0;
}

bool parse_closed_after(const char *text, uint32_t len, char kind, uint32_t from)
{
  long depth = 1;
  for (uint32_t at = from; at < len;) {
    depth += bracket_step(text, len, kind, &at);
    if (depth == 0)
      return true;
  }
  return false;
}
