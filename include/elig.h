/*
 * elig.h -- the public interface of libelig, a rule engine for social-assistance eligibility.
 *
 * OVERVIEW
 *
 *   A rule set (a root .rules file and everything it imports) is compiled once into an
 *   elig_ruleset.  Records are evaluated against it through an elig_ctx, one per thread:
 *
 *     elig_ruleset *rs;
 *     elig_diags *diags;
 *     if (elig_compile_file("rules/national.rules", NULL, &rs, &diags) != ELIG_OK) {
 *       char *text = elig_diags_render(diags, false);   -- FILE:LINE:COL with a caret
 *       ...; elig_free(text); elig_diags_free(diags); return;
 *     }
 *     elig_diags_free(diags);                            -- warnings, if any
 *     elig_ctx *ctx;
 *     elig_ctx_new(rs, &ctx);
 *     const elig_result *res;
 *     if (elig_eval_json(ctx, json, len, &res) == ELIG_OK)
 *       printf("%s\n", elig_result_decision(res, 0));   -- "exit_eligible"
 *     else
 *       printf("%s\n", elig_error_message(elig_ctx_error(ctx)));
 *     elig_ctx_free(ctx);
 *     elig_ruleset_free(rs);
 *
 *   A record is given either as JSON text (one object; lists of records as arrays of
 *   objects) or field by field (elig_ctx_clear, elig_ctx_set..., elig_eval).  Either way it
 *   is checked against the rule set's record schema before it is evaluated: a record that
 *   breaks it gives ELIG_EREJECT and an error naming the field and the reason.
 *
 * OWNERSHIP
 *
 *   Whatever a function returns through a `T **out` argument is the caller's, to be freed
 *   with the matching _free function (elig_ruleset_free, elig_ctx_free, elig_diags_free) or,
 *   for a `char *`, with elig_free.  Every other pointer returned (names, texts, results,
 *   errors) is borrowed: it belongs to the object it came from and stays valid as the
 *   function's comment says.  Never free library memory with libc's free.  Every _free
 *   function accepts NULL.  On failure an output handle is set to NULL.
 *
 * THREADS
 *
 *   This is PCRE2's model.  A compiled elig_ruleset is immutable: any number of threads may
 *   use it at once (create contexts, read its names) with no locking.  An elig_ctx holds the
 *   mutable state of one evaluation (registers, match data, the last result and error) and
 *   must be used by one thread at a time; give each thread its own.  A ruleset must outlive
 *   its contexts.  The library has no global mutable state, no initialisation function, and
 *   no dependence on the locale; it never writes to standard output or standard error and
 *   never exits the process.
 *
 * ERRORS
 *
 *   Every function that can fail returns an elig_status; ELIG_OK is 0.  Compilation reports
 *   its errors and warnings in an elig_diags list, evaluation the last failure in its
 *   context (elig_ctx_error); both hand out elig_error objects read through accessors:
 *   message, file, line, column, and for a rejected record the field.
 *
 * VERSIONS
 *
 *   ELIG_VERSION_* give the version of this header, elig_version() that of the library
 *   loaded.  The shared library is versioned with libtool's -version-info; functions are
 *   only ever added, never changed, within one major version.
 */
#ifndef ELIG_H
#define ELIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ELIG_VERSION_MAJOR 0
#define ELIG_VERSION_MINOR 2
#define ELIG_VERSION_PATCH 0
#define ELIG_VERSION_NUMBER (ELIG_VERSION_MAJOR * 10000 + ELIG_VERSION_MINOR * 100 + ELIG_VERSION_PATCH)

#if defined(__GNUC__) && defined(ELIG_BUILDING)
#define ELIG_API __attribute__((visibility("default")))
#else
#define ELIG_API
#endif

/* ---------------------------------------------------------------- status and version */

typedef enum elig_status {
  ELIG_OK = 0,
  ELIG_ESYNTAX = 1,   /* the rule files do not parse */
  ELIG_ETYPE = 2,     /* the rule files parse but are wrong: unknown name, type mismatch */
  ELIG_EREJECT = 3,   /* the record breaks its schema (or is not valid JSON); not evaluated */
  ELIG_EEVAL = 4,     /* a rule failed on this record: division by zero, overflow, a regex
                         limit; no result */
  ELIG_EIO = 5,       /* a file could not be read */
  ELIG_ENOMEM = 6,    /* out of memory */
  ELIG_EINVAL = 7,    /* an argument is wrong: NULL, out of range, wrong type for a field */
  ELIG_ENOTFOUND = 8, /* no field, decision, flag or aggregate of that name */
  ELIG_ECANCELED = 9, /* a batch stopped because its cancel callback asked it to */
  ELIG_EINTERNAL = 10 /* a bug in elig, never the caller's fault: the formatter would have
                         changed what a rule file means, say; please report it */
} elig_status;

/* A short lower-case description of a status ("the record breaks its schema"); a static
 * string, also for unknown values. */
ELIG_API const char *elig_status_str(elig_status status);

/* The library's version as "MAJOR.MINOR.PATCH"; a static string. */
ELIG_API const char *elig_version(void);

/* Frees a string the library returned as the caller's (elig_diags_render, elig_test's
 * report, ...).  NULL is fine. */
ELIG_API void elig_free(void *p);

/* ---------------------------------------------------------------- memory */

/* Where the library's memory comes from: every allocation it makes (PCRE2's, the scanner's
 * and the parser's included) goes through these three functions, and every block it hands
 * the caller is freed with them (elig_free).  `ud` is passed to each call.  malloc and
 * realloc return NULL when they cannot; the library then fails with ELIG_ENOMEM, leaking
 * nothing. */
typedef struct elig_allocator {
  void *(*malloc)(void *ud, size_t size);
  void *(*realloc)(void *ud, void *p, size_t size);
  void (*free)(void *ud, void *p);
  void *ud;
} elig_allocator;

/* Installs `a` (copied) for the whole process, or the C library's functions again when `a`
 * is NULL.  Call it before any other elig_ function, from one thread, and never while a rule
 * set, context or string of the library is alive: it is the library's one piece of global
 * state (sqlite3_config's rule).
 *   Returns ELIG_OK, or ELIG_EINVAL when a function is missing. */
ELIG_API elig_status elig_set_allocator(const elig_allocator *a);

/* ---------------------------------------------------------------- errors and diagnostics */

typedef struct elig_error elig_error; /* one error or warning; read through accessors */
typedef struct elig_diags elig_diags; /* the diagnostics of one compilation */

typedef enum elig_severity {
  ELIG_SEVERITY_ERROR = 0,
  ELIG_SEVERITY_WARNING = 1
} elig_severity;

/* Accessors of an error.  Strings belong to the object the error came from (its elig_diags,
 * or its elig_ctx until the next evaluation there).  A NULL error gives ELIG_OK, NULL and
 * 0. */
ELIG_API elig_status elig_error_status(const elig_error *e);
ELIG_API elig_severity elig_error_severity(const elig_error *e);
/* The stable code of an error, documented in doc/language.md: "E0201" for a compile
 * diagnostic (E01xx-E05xx, warnings W0xxx), "E06xx" for a record that breaks its schema or
 * cannot be read, "E07xx" for a rule that fails on a record; NULL for an error of the
 * caller (ELIG_EINVAL) or out of memory.  Map codes, never message texts: messages may be
 * reworded and translated, codes never change. */
ELIG_API const char *elig_error_code(const elig_error *e);
/* What is wrong, lower case, without the location: "unknown field 'net_incme'",
 * "field 'size': not between 1 and 30", "division by zero".  Never quotes a record's
 * values (records hold personal data). */
ELIG_API const char *elig_error_message(const elig_error *e);
/* A suggestion ("did you mean 'net_income'?"), or NULL. */
ELIG_API const char *elig_error_help(const elig_error *e);
/* Where: the rule file and 1-based line and column (in code points) of a compile diagnostic
 * or of the rule that failed at run time; for malformed JSON the file is NULL, and the line
 * (from 1) and byte column are those of the offending byte in the text given.  NULL and 0
 * when there is no location. */
ELIG_API const char *elig_error_file(const elig_error *e);
ELIG_API unsigned elig_error_line(const elig_error *e);
ELIG_API unsigned elig_error_column(const elig_error *e);
/* A rejected record: the field the reason is about, "size" or "members[0].age" (elements
 * counted from 0); NULL when the reason is about no single field. */
ELIG_API const char *elig_error_field(const elig_error *e);

/* Number of diagnostics kept (errors beyond 20 are counted, not kept); 0 for NULL. */
ELIG_API size_t elig_diags_count(const elig_diags *d);
/* Diagnostic i (0 <= i < count), or NULL; valid until elig_diags_free. */
ELIG_API const elig_error *elig_diags_get(const elig_diags *d, size_t i);
/* Errors and warnings reported, including those beyond the cap. */
ELIG_API size_t elig_diags_error_count(const elig_diags *d);
ELIG_API size_t elig_diags_warning_count(const elig_diags *d);
/* Every diagnostic in GNU style, each with its source line and a caret:
 *
 *   rules/national.rules:14:20: error[E0201]: unknown field 'net_incme'
 *      14 |   let per_capita = net_incme / size
 *         |                    ^~~~~~~~~
 *         = help: did you mean 'net_income'?
 *
 * `color` adds ANSI colours.  Returns a NUL-terminated string the caller frees with
 * elig_free ("" when there is nothing), or NULL when out of memory. */
ELIG_API char *elig_diags_render(const elig_diags *d, bool color);
ELIG_API void elig_diags_free(elig_diags *d);

/* ---------------------------------------------------------------- compiling */

typedef struct elig_ruleset elig_ruleset;

/* Compile options, or NULL for the defaults.  Start from ELIG_OPTIONS_INIT, which sets
 * `size`: later versions may add fields at the end, and a library reads only the fields the
 * program was built with, so a program built against this header keeps working with them.
 *
 *   elig_options opt = ELIG_OPTIONS_INIT;
 *   opt.no_imports = true;
 */
typedef struct elig_options {
  size_t size;             /* sizeof(elig_options) of the header the program was built with */
  unsigned max_errors;     /* errors kept before the rest are only counted; 0 = 20 */
  bool no_imports;         /* refuse `import` (text compiled from an untrusted source) */
} elig_options;

#define ELIG_OPTIONS_INIT {sizeof(elig_options), 0, false}

/* Compiles the rule file at `path` and everything it imports (relative to the importing
 * file's folder).
 *   Arguments: path   the root rule file
 *              opt    options, or NULL for the defaults
 *              out    receives the compiled rule set (the caller's; elig_ruleset_free),
 *                     NULL on failure
 *              diags  receives the errors and warnings, also on success (the caller's;
 *                     elig_diags_free); may be NULL when the caller does not want them
 *   Returns:   ELIG_OK (possibly with warnings); ELIG_EIO when a file cannot be read;
 *              ELIG_ESYNTAX or ELIG_ETYPE when the rules have errors; ELIG_ENOMEM;
 *              ELIG_EINVAL when path or out is NULL, or opt->size is not set. */
ELIG_API elig_status elig_compile_file(const char *path, const elig_options *opt,
                                       elig_ruleset **out, elig_diags **diags);

/* The same for `len` bytes of rule text at `text` (UTF-8, need not be NUL-terminated),
 * called `name` in diagnostics (NULL: "<rules>").  Imports are looked for relative to the
 * folder of `name`, unless opt->no_imports.  The text is copied. */
ELIG_API elig_status elig_compile_string(const char *name, const char *text, size_t len,
                                         const elig_options *opt, elig_ruleset **out,
                                         elig_diags **diags);

/* Frees a rule set.  Its contexts must have been freed first.  NULL is fine. */
ELIG_API void elig_ruleset_free(elig_ruleset *rs);

/* ---------------------------------------------------------------- what a rule set defines */

/* The value types of fields, decisions and result columns. */
typedef enum elig_type {
  ELIG_TYPE_BOOL = 0,
  ELIG_TYPE_INT = 1,
  ELIG_TYPE_MONEY = 2,     /* exact, two decimals ("4000.01") */
  ELIG_TYPE_NUMBER = 3,    /* exact decimal */
  ELIG_TYPE_PERCENT = 4,   /* exact, shown as "2.50%" */
  ELIG_TYPE_TEXT = 5,
  ELIG_TYPE_DATE = 6,      /* YYYY-MM-DD */
  ELIG_TYPE_LIST = 7       /* a list of records (members); given only in JSON */
} elig_type;

/* The `policy "NAME" version "V"` line; "" when the rules have none.  Valid while rs is. */
ELIG_API const char *elig_ruleset_policy(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_version(const elig_ruleset *rs);
/* "sha256:" and 64 hex digits: the SHA-256 of the rule files' contents, in load order
 * (imports first), each preceded by its length.  Identifies the rules whatever their
 * paths; equal text gives an equal hash. */
ELIG_API const char *elig_ruleset_hash(const elig_ruleset *rs);

/* The rule files, in the order they were read (the root first), as their paths were
 * opened; for a rule set compiled from text, the first is its name. */
ELIG_API size_t elig_ruleset_file_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_file(const elig_ruleset *rs, size_t i);

/* The fields of the record schema, in declaration order. */
ELIG_API size_t elig_ruleset_field_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_field_name(const elig_ruleset *rs, size_t i);
ELIG_API elig_type elig_ruleset_field_type(const elig_ruleset *rs, size_t i);
ELIG_API bool elig_ruleset_field_required(const elig_ruleset *rs, size_t i);
/* Looks a field up by name: ELIG_OK with *index set, or ELIG_ENOTFOUND.  Do it once and
 * set fields by index. */
ELIG_API elig_status elig_ruleset_field_index(const elig_ruleset *rs, const char *name,
                                              size_t *index);

/* The decisions (`decide NAME`), in declaration order. */
ELIG_API size_t elig_ruleset_decision_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_decision_name(const elig_ruleset *rs, size_t i);
ELIG_API elig_type elig_ruleset_decision_type(const elig_ruleset *rs, size_t i);
ELIG_API elig_status elig_ruleset_decision_index(const elig_ruleset *rs, const char *name,
                                                 size_t *index);

/* The monitoring flags (`monitor NAME severity S`), in declaration order, with their
 * severity and reason (NULL when none). */
ELIG_API size_t elig_ruleset_flag_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_flag_name(const elig_ruleset *rs, size_t i);
ELIG_API const char *elig_ruleset_flag_severity(const elig_ruleset *rs, size_t i);
ELIG_API const char *elig_ruleset_flag_reason(const elig_ruleset *rs, size_t i);
ELIG_API elig_status elig_ruleset_flag_index(const elig_ruleset *rs, const char *name,
                                             size_t *index);

/* The columns of a result line (`output` and then the decisions), in order. */
ELIG_API size_t elig_ruleset_column_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_column_name(const elig_ruleset *rs, size_t i);
ELIG_API elig_type elig_ruleset_column_type(const elig_ruleset *rs, size_t i);

/* The aggregates (`aggregate NAME by ...`), in declaration order. */
ELIG_API size_t elig_ruleset_aggregate_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_aggregate_name(const elig_ruleset *rs, size_t i);
ELIG_API elig_status elig_ruleset_aggregate_index(const elig_ruleset *rs, const char *name,
                                                  size_t *index);

/* ---------------------------------------------------------------- evaluating */

typedef struct elig_ctx elig_ctx;       /* one thread's evaluation state */
typedef struct elig_result elig_result; /* the result of the last evaluation on a ctx */

/* Creates a context for rs (the caller's; elig_ctx_free).  Its evaluation date (`as_of` in
 * rules) is today, in UTC, until elig_ctx_set_as_of changes it.
 *   Returns: ELIG_OK, ELIG_ENOMEM, or ELIG_EINVAL when rs or out is NULL. */
ELIG_API elig_status elig_ctx_new(const elig_ruleset *rs, elig_ctx **out);
ELIG_API void elig_ctx_free(elig_ctx *ctx);

/* Sets the evaluation date from "YYYY-MM-DD".  ELIG_EINVAL when it is no date. */
ELIG_API elig_status elig_ctx_set_as_of(elig_ctx *ctx, const char *date);

/* Evaluates one record given as JSON: `len` bytes at `json`, one object whose keys are
 * field names; money may be a number or a string ("4000.01") and is read exactly; null
 * is an absent value; lists of records are arrays of objects.  Keys that are no field are
 * ignored (elig_ctx_unknown_keys counts them).
 *   out     receives the result, valid until the next evaluation or elig_ctx_free on ctx
 *           (NULL on failure)
 *   Returns: ELIG_OK; ELIG_EREJECT (not JSON, or the record breaks its schema: see
 *           elig_ctx_error); ELIG_EEVAL (a rule failed on it); ELIG_ENOMEM; ELIG_EINVAL. */
ELIG_API elig_status elig_eval_json(elig_ctx *ctx, const char *json, size_t len,
                                    const elig_result **out);

/* Field by field: elig_ctx_clear makes every field absent; the setters give field `field`
 * (an index from elig_ruleset_field_index) a value; elig_eval checks and evaluates the
 * record so set.  The values stay set after elig_eval, so a caller may change one field
 * and evaluate again.
 *   elig_ctx_set_text  the value as text, as a CSV cell writes it ("4000.01", "true",
 *                      "2020-07-01", "A"); copied.  An empty text is an absent value.
 *   elig_ctx_set_int   an int, money (whole yuan) or number field
 *   elig_ctx_set_bool  a bool field
 *   elig_ctx_set_none  absent (its default applies, or the record is rejected when the
 *                      field is required)
 * Setters return ELIG_OK; ELIG_EREJECT when the value is not one of the field's type (see
 * elig_ctx_error; the field is then absent); ELIG_EINVAL for a bad index, a list field, or a setter that does
 * not fit the field's type; ELIG_ENOMEM.  Range, `one of`, pattern and required checks
 * run in elig_eval, which returns as elig_eval_json does. */
ELIG_API void elig_ctx_clear(elig_ctx *ctx);
ELIG_API elig_status elig_ctx_set_text(elig_ctx *ctx, size_t field, const char *text,
                                       size_t len);
ELIG_API elig_status elig_ctx_set_int(elig_ctx *ctx, size_t field, int64_t value);
ELIG_API elig_status elig_ctx_set_bool(elig_ctx *ctx, size_t field, bool value);
ELIG_API elig_status elig_ctx_set_none(elig_ctx *ctx, size_t field);
ELIG_API elig_status elig_eval(elig_ctx *ctx, const elig_result **out);

/* The failure of the last evaluation or setter on ctx, or NULL after a success.  Valid until
 * the next call on ctx. */
ELIG_API const elig_error *elig_ctx_error(const elig_ctx *ctx);

/* JSON keys that were no field, over every elig_eval_json on ctx so far. */
ELIG_API uint64_t elig_ctx_unknown_keys(const elig_ctx *ctx);

/* The same for the last evaluation on ctx alone: how many keys were no field; *first (when
 * `first` is not NULL) receives the first of them, or NULL when none, valid until the next
 * call on ctx: cut to 60 bytes with "...", control and bidirectional characters as '?', so
 * it is safe to print or log.  A key of a record in a list (a member's) counts too.  A service can answer "key 'exited_yaer' was ignored"
 * with it instead of ignoring a misspelt field in silence. */
ELIG_API size_t elig_ctx_last_unknown_keys(const elig_ctx *ctx, const char **first);

/* ---------------------------------------------------------------- reading a result */

/* Every pointer below is valid until the next evaluation on the result's context. */

/* The record's key fields (hh_id, year) as text joined by '/': "411623101201-003/2020". */
ELIG_API const char *elig_result_key(const elig_result *r);

/* Decision i (an index of elig_ruleset_decision_*): its value as text ("exit_eligible",
 * "4000.01"; "" when the outcome is none), the number of the rule that decided (1-based,
 * in source order; the `otherwise` counts last) and that rule's reason (NULL when none). */
ELIG_API const char *elig_result_decision(const elig_result *r, size_t i);
ELIG_API unsigned elig_result_decision_rule(const elig_result *r, size_t i);
ELIG_API const char *elig_result_decision_reason(const elig_result *r, size_t i);

/* Whether flag i is raised. */
ELIG_API bool elig_result_flag(const elig_result *r, size_t i);

/* Column i of the result line as text, formatted as `elig run` writes it; "" for none. */
ELIG_API const char *elig_result_column(const elig_result *r, size_t i);

typedef enum elig_format {
  ELIG_FORMAT_JSON = 0,  /* JSON: one object and a newline, as `elig run --format jsonl` */
  ELIG_FORMAT_CSV = 1,   /* one CSV line, as `elig run` (header: elig_ruleset_csv_header) */
  ELIG_FORMAT_TEXT = 2   /* a readable tree, as `elig explain`; only for elig_explain */
} elig_format;

/* The whole result as `elig run` writes it: columns, then the raised flags.  *len (when
 * not NULL) receives the length.  NULL when out of memory.  The JSON and the CSV text are
 * kept apart: asking for one does not overwrite the other. */
ELIG_API const char *elig_result_format(const elig_result *r, elig_format fmt, size_t *len);

/* The CSV header line matching ELIG_FORMAT_CSV results, with its newline; valid while rs
 * is. */
ELIG_API const char *elig_ruleset_csv_header(const elig_ruleset *rs);

/* Why the last evaluated record's decisions and flags came out as they did: each decision
 * with the rule that decided, its reason and the values it read, the rules before it that
 * did not match, every flag with its values, and the derived values used.
 * ELIG_FORMAT_TEXT gives the readable tree of `elig explain`, ELIG_FORMAT_JSON one object
 * and a newline (the shape of `elig explain --format json`).
 *   Returns ELIG_OK with *text (valid until the next call on ctx) and *len (when not
 *   NULL); ELIG_EINVAL when the last evaluation on ctx did not succeed or fmt is CSV;
 *   ELIG_EEVAL when a value the explanation shows (one the decisions did not need) fails
 *   to compute (elig_ctx_error says where); ELIG_ENOMEM. */
ELIG_API elig_status elig_explain(elig_ctx *ctx, elig_format fmt, const char **text,
                                  size_t *len);

/* ---------------------------------------------------------------- aggregates */

/* With aggregation on, every record evaluated on ctx without failure is folded into its
 * groups (village, county, ...).  elig_ctx_aggregates then computes every group's values
 * and decisions and formats them as `elig run` does (JSON: one object a line with an
 * "aggregate" key; CSV: a "# aggregate NAME" section each), sorted by key, and empties the
 * groups.  elig_ctx_merge_aggregates moves the groups of `from` into `into` (two contexts
 * of one rule set), so that threads can each aggregate their share and combine at the end;
 * `from`'s records count as coming after `into`'s, so merging the contexts of consecutive
 * shares in their order makes first() take the first record in input order.
 *   Returns ELIG_OK (*text valid until the next call on ctx), ELIG_EEVAL when a group's
 *   rule failed (elig_ctx_error), ELIG_ENOMEM, ELIG_EINVAL. */
ELIG_API void elig_ctx_set_aggregate(elig_ctx *ctx, bool on);
ELIG_API elig_status elig_ctx_aggregates(elig_ctx *ctx, elig_format fmt, const char **text,
                                         size_t *len);
ELIG_API elig_status elig_ctx_merge_aggregates(elig_ctx *into, elig_ctx *from);

#ifdef __cplusplus
}
#endif

#endif
