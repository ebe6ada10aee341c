/*
 * fmt.h -- the canonical layout of rule files (`elig fmt`).
 *
 * Pipeline: source text -> parse.c (must parse without error, else refused), which also
 * hands back the lexer's tokens and comments -> laid out along the syntax tree by the rules
 * in fmt.c's header -> re-parsed and compared with the input's syntax tree (ast_dump) before
 * it is returned.  Pure: no file, no terminal, no global state; any number of threads may
 * call it.
 */
#ifndef ELIG_FMT_H
#define ELIG_FMT_H

#include <stddef.h>

/* Return values of fmt_format and fmt_format_named. */
enum {
  FMT_OK = 0,
  FMT_ESYNTAX,   /* the input does not parse: err holds the first error, rendered */
  FMT_ENOMEM,    /* out of memory */
  FMT_EINTERNAL, /* a bug in the formatter: its output would not mean the same; refused */
  FMT_EINVAL     /* NULL argument, or the input is larger than a rule file may be */
};

/* Formats `len` bytes of rule-file text at `src` (need not be NUL-terminated).
 *
 * Arguments:
 *   src, len      the rule file's contents
 *   out, outlen   on FMT_OK: a NUL-terminated formatted text (the caller frees it with
 *                 mem_free) and its length without the NUL; untouched otherwise
 *   err, errsize  on failure: a message, NUL-terminated and cut to fit (may be NULL/0)
 * Returns FMT_OK, or one of the FMT_E* codes above.  Never changes the meaning: the result
 * parses to the same syntax tree as the input, and formatting it again gives it back. */
int fmt_format(const char *src, size_t len, char **out, size_t *outlen, char *err, size_t errsize);

/* fmt_format with the name under which the input is reported in a syntax error
 * ("rules/x.rules:3:7: error[E0401]: ..."); fmt_format uses "<input>". */
int fmt_format_named(const char *name, const char *src, size_t len, char **out, size_t *outlen,
                     char *err, size_t errsize);

#endif
