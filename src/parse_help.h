/*
 * parse_help.h -- what a syntax error can say besides what was expected (parse_help.c).
 */
#ifndef ELIG_PARSE_HELP_H
#define ELIG_PARSE_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the separator at byte `sep` of text[0..len) (',' or the full-width '，') is a
 * thousands separator: 1 to 3 digits before it, at the start of a number, and 3 after it
 * that end the group.  If so, writes the number as it should be written (20,000.50 ->
 * 20000.50) into out, cut to `size` bytes. */
bool parse_thousands(const char *text, uint32_t len, uint32_t sep, char *out, size_t size);

/* Whether a `kind` bracket ('(', '[' or '{') open before byte `from` of text[0..len) is
 * closed at or after it: its closers and openers counted from there (the full-width forms
 * too), skipping quoted text and comments.  A bracket that is never closed leaves the count
 * short to the end of the file, however many blocks follow. */
bool parse_closed_after(const char *text, uint32_t len, char kind, uint32_t from);

#endif
