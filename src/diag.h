/*
 * diag.h -- diagnostics: the codes table, the list a compilation fills, and the renderer.
 *
 * Pipeline: every compiler stage (lexer, parser, resolver, checker, compiler) reports into one
 * diag_list with diag_add, giving a code from diag.def, an elig_loc and the format's arguments.
 * Nothing is printed there.  At the end the CLI, the library (elig_diags_render) and `elig
 * serve` turn the list into text with diag_render, which is the only place where locations
 * become FILE:LINE:COL and a caret line.  A list is not thread-safe; a compilation owns one.
 */
#ifndef ELIG_DIAG_H
#define ELIG_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srcfile.h"

#if defined(__GNUC__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

/* One value per row of diag.def: DIAG_E_UNKNOWN_FIELD, DIAG_W_UNUSED_LET, ... */
typedef enum {
#define DIAG(id, code, sev, fmt, help) DIAG_##id,
#include "diag.def"
#undef DIAG
  DIAG_ID_COUNT /* number of codes; not a code */
} diag_id;

typedef enum {
  DIAG_SEV_ERROR,   /* the rules cannot be compiled */
  DIAG_SEV_WARNING, /* compiled, but probably not what the author meant */
  DIAG_SEV_NOTE     /* only as an attachment to another diagnostic */
} diag_severity;

/* Errors kept before the rest are counted but dropped (the "too many errors" cap). */
#define DIAG_DEFAULT_MAX_ERRORS 20u

/* Returned by diag_add when the diagnostic was not stored. */
#define DIAG_NONE (-1)

/* Warnings kept in a list; later ones are counted only (diag_warning_count). */
#define DIAG_MAX_WARNINGS 100

typedef struct diag_list diag_list;

/* Where a diagnostic points, as users count: see diag_get_pos. */
typedef struct {
  const char *file;  /* file name, owned by the src_set; NULL when there is no location */
  uint32_t line;     /* 1-based line of the first byte; 0 when there is no location */
  uint32_t col;      /* 1-based column in code points */
  uint32_t end_line; /* line and column of the end of the span (one past its last character) */
  uint32_t end_col;
} diag_pos;

/* ---------------------------------------------------------------- the codes table */

/* The stable code of a diagnostic, e.g. "E0201"; a static string.  NULL if `id` is invalid. */
const char *diag_id_code(diag_id id);

/* The severity a code always has (DIAG_SEV_ERROR for an invalid id). */
diag_severity diag_id_severity(diag_id id);

/* The printf format of a code's message, and its fixed help line (NULL if none); static
 * strings, NULL for an invalid id. */
const char *diag_id_format(diag_id id);
const char *diag_id_help(diag_id id);

/* Formats the message of `id` (diag.def's format and the arguments it lists) into buf, cut
 * to `size` bytes and NUL-terminated; returns buf.  For the messages that are not about a
 * rule file: rejected records (E06xx), failed rules (E07xx), register files (E08xx). */
const char *diag_format(diag_id id, char *buf, size_t size, ...);
const char *diag_vformat(diag_id id, char *buf, size_t size, va_list ap);

/* The long explanation of a code (explain_codes.def, diag_explain.c) in the reader's
 * language: a first line naming the problem, a blank line, what it means, and a wrong and a
 * right example; a static string, NULL for an invalid id. */
const char *diag_id_explanation(diag_id id);

/* Finds the id of a code such as "E0201".  Returns false if there is no such code. */
bool diag_id_from_code(const char *code, diag_id *id);

/* "error", "warning" or "note"; a static string. */
const char *diag_severity_name(diag_severity sev);

/* ---------------------------------------------------------------- the list */

/* Creates an empty list with the default cap of DIAG_DEFAULT_MAX_ERRORS errors.  The caller
 * owns it and frees it with diag_list_free.  Returns NULL when out of memory. */
diag_list *diag_list_new(void);

/* Frees the list and every string in it.  NULL is fine. */
void diag_list_free(diag_list *list);

/* Sets how many errors are kept; 0 means no cap.  Takes effect for later diag_add calls. */
void diag_set_max_errors(diag_list *list, unsigned max_errors);

/* Reports diagnostic `id` at `loc` (ELIG_LOC_NONE for none).  The message is diag.def's format
 * for `id` applied to the remaining arguments, which must match it (the types are listed in
 * diag.def; the compiler cannot check them).  Strings are copied; control characters and bytes
 * that are not UTF-8 in the message are escaped (\n, \x80, \u{202E}) so that output stays
 * intact.
 * Once the list holds its cap of errors, the next error adds one E_TOO_MANY_ERRORS diagnostic
 * (without a location, not counted as an error) and this and every later diagnostic, error or
 * warning, is dropped but still counted by diag_error_count / diag_warning_count.
 * Returns the new diagnostic's index, for diag_add_help and diag_add_note, or DIAG_NONE when it
 * was dropped or memory ran out (see diag_out_of_memory).  Passing DIAG_NONE on to those
 * functions is harmless, so callers need not check. */
int diag_add(diag_list *list, diag_id id, elig_loc loc, ...);

/* diag_add with the format arguments in a va_list, which it may consume. */
int diag_addv(diag_list *list, diag_id id, elig_loc loc, va_list ap);

/* Replaces the help line of diagnostic `idx` (diag.def's fixed help, if any) with a formatted
 * one, e.g. "did you mean '%s'?": the format is translated (i18n.h) before it is used, as a
 * note's is; pass a literal, which po/Makevars extracts.  Returns 0, or -1 if idx is DIAG_NONE or out of range, or if
 * memory ran out (the old help stays). */
int diag_add_help(diag_list *list, int idx, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* Attaches a note to diagnostic `idx`, at `loc` (may be ELIG_LOC_NONE), e.g. "previous
 * definition is here".  Notes are rendered after their diagnostic, in the order added.
 * Returns 0, or -1 if idx is DIAG_NONE or out of range, or if memory ran out. */
int diag_add_note(diag_list *list, int idx, elig_loc loc, const char *fmt, ...) DIAG_PRINTF(4, 5);

/* Errors and warnings reported so far, including those dropped by the cap.  The
 * E_TOO_MANY_ERRORS diagnostic itself is not counted. */
size_t diag_error_count(const diag_list *list);
size_t diag_warning_count(const diag_list *list);

/* True once an allocation inside the list failed: some diagnostic or note may be missing.
 * The compilation should then fail with "out of memory". */
bool diag_out_of_memory(const diag_list *list);

/* Sorts the diagnostics by file id, then start offset; equal keys keep the order in which
 * they were added, and diagnostics without a location go last.  Indexes change. */
void diag_sort(diag_list *list);

/* ---------------------------------------------------------------- reading a list */

/* Number of diagnostics stored (the cap's dropped ones are not stored). */
size_t diag_count(const diag_list *list);

/* Properties of diagnostic `i` (0 <= i < diag_count).  Strings belong to the list and live
 * until it is freed or sorted.  For an out-of-range index: DIAG_ID_COUNT, DIAG_SEV_ERROR, NULL,
 * ELIG_LOC_NONE. */
diag_id diag_get_id(const diag_list *list, size_t i);
diag_severity diag_get_severity(const diag_list *list, size_t i);
const char *diag_get_code(const diag_list *list, size_t i);
const char *diag_get_message(const diag_list *list, size_t i);
const char *diag_get_help(const diag_list *list, size_t i); /* NULL if none */
elig_loc diag_get_loc(const diag_list *list, size_t i);

/* Fills *pos with where diagnostic `i` points, using `set` (which must be the set its
 * locations refer to).  A diagnostic without a location, or whose file is not in `set`, gives
 * {NULL, 0, 0, 0, 0}.  Returns 0, or -1 for an out-of-range index (pos zeroed). */
int diag_get_pos(const diag_list *list, const src_set *set, size_t i, diag_pos *pos);

/* Notes attached to diagnostic `i`: their number, and note `j`'s message and location.  NULL /
 * ELIG_LOC_NONE when out of range. */
size_t diag_note_count(const diag_list *list, size_t i);
const char *diag_note_message(const diag_list *list, size_t i, size_t j);
elig_loc diag_note_loc(const diag_list *list, size_t i, size_t j);

/* ---------------------------------------------------------------- rendering */

/* Renders every diagnostic, in list order, in GNU style:
 *
 *   rules/national.rules:14:20: error[E0201]: unknown field 'net_incme'
 *      14 |   let per_capita = net_incme / size
 *         |                    ^~~~~~~~~
 *         = help: did you mean 'net_income'?
 *
 * Columns count code points.  The caret line copies the tabs of the source line and pads other
 * characters by their display width (2 cells for CJK and fullwidth, 0 for combining marks), so
 * the caret sits under the span on a terminal with tab stops every 8 cells.  A span is
 * underlined up to the end of its first line; an empty span, or one at the end of a line, gets a
 * single '^'.  The line number margin is at least 5 wide (GCC's choice) and grows for longer
 * numbers.  Invalid UTF-8 and control characters of the source line show as U+FFFD.  A
 * diagnostic without a location is one line, "elig: error[E0503]: ...".  Notes follow their
 * diagnostic, as "FILE:LINE:COL: note: ..." with their own source line, or "= note: ...".
 * `color` adds ANSI escapes (bold location, red errors, magenta warnings, green caret).
 * `set` may be NULL, in which case no diagnostic has a location.
 * Returns a NUL-terminated string ("" for an empty list) that the caller frees, or
 * NULL when out of memory. */
char *diag_render(const diag_list *list, const src_set *set, bool color);
/* The same for diagnostics from .. to-1 only (each with its help and notes). */
char *diag_render_range(const diag_list *list, const src_set *set, size_t from, size_t to,
                        bool color);

#endif
