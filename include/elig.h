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
 *   its contexts.  Compiling, formatting and the batch functions are thread-safe too: any
 *   number of threads may compile rule sets at once (the scanner and the parser are
 *   reentrant; each compilation has its own memory), and batches over one rule set may run
 *   side by side.  The library's one piece of global state is the allocator
 *   (elig_set_allocator), set before any other call and only read afterwards.  It has no
 *   initialisation function and no dependence on the locale; it never writes to standard
 *   output or standard error and never exits the process.
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
#define ELIG_VERSION_NUMBER \
  (ELIG_VERSION_MAJOR * 10000 + ELIG_VERSION_MINOR * 100 + ELIG_VERSION_PATCH)

#if defined(__GNUC__) && defined(ELIG_BUILDING)
#define ELIG_API __attribute__((visibility("default")))
#else
#define ELIG_API
#endif

/* A function returning its argument translated: printf formats through it stay checked. */
#if defined(__GNUC__)
#define ELIG_FORMAT_ARG(n) __attribute__((format_arg(n)))
#else
#define ELIG_FORMAT_ARG(n)
#endif

/* ---------------------------------------------------------------- status and version */

typedef enum elig_status {
  ELIG_OK = 0,
  ELIG_ESYNTAX = 1,    /* the rule files do not parse */
  ELIG_ETYPE = 2,      /* the rule files parse but are wrong: unknown name, type mismatch */
  ELIG_EREJECT = 3,    /* the record breaks its schema (or is not valid JSON); not evaluated */
  ELIG_EEVAL = 4,      /* a rule failed on this record: division by zero, overflow, a regex
                         limit; no result */
  ELIG_EIO = 5,        /* an input could not be read or an output could not be written */
  ELIG_ENOMEM = 6,     /* out of memory */
  ELIG_EINVAL = 7,     /* an argument is wrong: NULL, out of range, wrong type for a field */
  ELIG_ENOTFOUND = 8,  /* no field, decision, flag or aggregate of that name */
  ELIG_ECANCELED = 9,  /* a batch stopped because its cancel callback asked it to */
  ELIG_EINTERNAL = 10, /* a bug in elig, never the caller's fault: the formatter would have
                         changed what a rule file means, say; please report it */
  ELIG_EREGISTER = 11, /* a register cannot be used: damaged, not elig's, written by a newer
                          elig, or holding records of another schema; nothing was changed */
  ELIG_EBUSY = 12      /* a register is being changed by another process, past the wait */
} elig_status;

/* A short lower-case description of a status ("the record breaks its schema"), in the
 * language of the calling thread's messages (LC_MESSAGES; English without a catalogue for
 * it); a static string, also for unknown values.  Map the status, never this text. */
ELIG_API const char *elig_status_str(elig_status status);

/* The language of the messages the library gives the calling thread from now on
 * (diagnostics, rejection reasons, explanations, test reports, elig_status_str): a
 * language as locales name it, "zh_CN", or "en" for English, the messages as written; NULL
 * or "" for the process's own (the LANG, LC_MESSAGES and LANGUAGE it was started with, as
 * set by setlocale).  A service answering each request in its reader's language calls it
 * on the thread that handles the request.  Codes (E0201) are the same in every language.
 *   Returns ELIG_OK; ELIG_EINVAL for a name that is no language; ELIG_ENOTFOUND when the
 * system has no locale for it (Debian: `localedef -i zh_CN -f UTF-8 zh_CN.UTF-8`, or the
 * locales package); ELIG_ENOMEM. */
ELIG_API elig_status elig_set_thread_language(const char *language);

/* The library's version as "MAJOR.MINOR.PATCH"; a static string. */
ELIG_API const char *elig_version(void);

/* Frees a string the library returned as the caller's (elig_diags_render, elig_test's
 * report, ...).  NULL is fine. */
ELIG_API void elig_free(void *p);

/* ---------------------------------------------------------------- memory */

/* Where the library's memory comes from: every allocation it makes (PCRE2's, the scanner's,
 * the parser's stack and the formatter's included) goes through these three functions, and
 * every block it hands the caller is freed with them (elig_free).  `ud` is passed to each
 * call.  malloc and realloc return NULL when they cannot; the library then fails with
 * ELIG_ENOMEM, leaking nothing.  realloc may be given NULL (it then allocates), free may be
 * given NULL.  A batch's threads call them at the same time: they must be thread-safe. */
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
 * reworded and translated, codes never change.  A batch (elig_run) hands its rejections
 * over as text lines or reject rows, without their codes; "E08xx" (a CSV header that cannot
 * be used) is said there too. */
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
 * `color` adds ANSI colours.  Warnings beyond the first 100 are counted, not kept: a last
 * line says how many ("elig: 24 more warnings not shown").  Returns a NUL-terminated string
 * the caller frees with elig_free ("" when there is nothing), or NULL when out of memory. */
ELIG_API char *elig_diags_render(const elig_diags *d, bool color);
/* Diagnostic i alone, rendered the same way with its help and notes; NULL when i is out of
 * range or out of memory.  The caller frees it with elig_free. */
ELIG_API char *elig_diags_render_one(const elig_diags *d, size_t i, bool color);
ELIG_API void elig_diags_free(elig_diags *d);

/* The codes themselves, as `elig check --explain` shows them.  Code i (from 0) of every
 * diagnostic, error or warning, "E0101" ... "W0020", in no particular order; NULL past the
 * last. */
ELIG_API const char *elig_code_at(size_t i);
/* The long explanation of `code` (any case: "e0201" is "E0201"): a first line naming the
 * problem, a blank line, what it means and what to do, then a wrong example and the right
 * one, in the reader's language.  A static string; NULL when there is no such code. */
ELIG_API const char *elig_code_explain(const char *code);
/* Whether `code` is an error or a warning (ELIG_SEVERITY_ERROR for an unknown code). */
ELIG_API elig_severity elig_code_severity(const char *code);

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
  size_t size;         /* sizeof(elig_options) of the header the program was built with */
  unsigned max_errors; /* errors kept before the rest are only counted; 0 = 20 */
  bool no_imports;     /* refuse `import` (text compiled from an untrusted source) */
} elig_options;

#define ELIG_OPTIONS_INIT          \
  {                                \
    sizeof(elig_options), 0, false \
  }

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

/* One rule file given as text, for elig_compile_sources. */
typedef struct elig_source {
  const char *name; /* the file's path as the rules import it ("national/schema.rules") */
  const char *text; /* its text, UTF-8, need not be NUL-terminated */
  size_t len;       /* its length in bytes */
} elig_source;

/* The same for a rule set whose files are all given as texts, by name: `root` and every file
 * it imports are taken from files[0..n) (an import is resolved relative to the importing
 * file's name, as on disk: "../national.rules" from "provinces/yunnan.rules" is
 * "national.rules"), and nothing is read from disk.  An import of a file not among
 * them is an error (E0501, import not found: "not among the stored rule files").  For rules kept where there
 * is no folder of files: a database (the PostgreSQL extension keeps them in a table), a
 * client's request.  The texts are copied.  Returns as elig_compile_file; ELIG_EINVAL also
 * when two files have the same name, a name is NULL, or a text is larger than a rule file
 * may be (1 MiB). */
ELIG_API elig_status elig_compile_sources(const char *root, const elig_source *files, size_t n,
                                          const elig_options *opt, elig_ruleset **out,
                                          elig_diags **diags);

/* Frees a rule set.  Its contexts must have been freed first.  NULL is fine. */
ELIG_API void elig_ruleset_free(elig_ruleset *rs);

/* What the compiler made of rs, as text: one instruction a line with the constants, fields
 * and computed values it reads named inline (`elig check --dump=code`; doc/language.md
 * explains it).  *text is the caller's (elig_free).  Returns ELIG_OK, ELIG_ENOMEM or
 * ELIG_EINVAL. */
ELIG_API elig_status elig_ruleset_dump_code(const elig_ruleset *rs, char **text);

/* The syntax trees of the rule file at `path` and of everything it imports, imports first,
 * as text (`elig check --dump=ast`): what the parser read, before any name or type is
 * checked, and as far as it could read a file with syntax errors.  *text is the caller's
 * (elig_free).  Returns ELIG_OK, ELIG_EIO (the root file cannot be read), ELIG_ENOMEM or
 * ELIG_EINVAL. */
ELIG_API elig_status elig_dump_syntax(const char *path, const elig_options *opt, char **text);

/* Formats `len` bytes of rule-file text in the canonical layout of `elig fmt`, comments
 * kept; `name` names it in diagnostics.  Formatting a formatted text gives it back, and the
 * result always means what the input meant: the formatter refuses rather than change it.
 *   Arguments: out, outlen  receive the formatted text (the caller's; elig_free), NUL-
 *                           terminated, and its length
 *              diags        receives the syntax errors when the text does not parse (the
 *                           caller's; elig_diags_free); may be NULL
 *   Returns:   ELIG_OK; ELIG_ESYNTAX when the text does not parse (it cannot be formatted);
 *              ELIG_EINTERNAL when the formatter would change its meaning (a bug; the text
 *              is refused); ELIG_ENOMEM; ELIG_EINVAL (NULL arguments, or a text larger than a
 *              rule file may be). */
ELIG_API elig_status elig_format_rules(const char *name, const char *text, size_t len, char **out,
                                       size_t *outlen, elig_diags **diags);

/* ---------------------------------------------------------------- what a rule set defines */

/* The value types of fields, decisions and result columns. */
typedef enum elig_type {
  ELIG_TYPE_BOOL = 0,
  ELIG_TYPE_INT = 1,
  ELIG_TYPE_MONEY = 2,   /* exact, two decimals ("4000.01") */
  ELIG_TYPE_NUMBER = 3,  /* exact decimal */
  ELIG_TYPE_PERCENT = 4, /* exact, shown as "2.50%" */
  ELIG_TYPE_TEXT = 5,
  ELIG_TYPE_DATE = 6, /* YYYY-MM-DD */
  ELIG_TYPE_LIST = 7  /* a list of records (members); given only in JSON */
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
/* File i's text as it was compiled, *len (when not NULL) its length; NULL past the last.
 * With elig_ruleset_file, what elig_compile_sources takes to compile the same rule set again
 * (the same hash) where the files are not. */
ELIG_API const char *elig_ruleset_file_text(const elig_ruleset *rs, size_t i, size_t *len);

/* The fields of the record schema, in declaration order. */
ELIG_API size_t elig_ruleset_field_count(const elig_ruleset *rs);
ELIG_API const char *elig_ruleset_field_name(const elig_ruleset *rs, size_t i);
ELIG_API elig_type elig_ruleset_field_type(const elig_ruleset *rs, size_t i);
ELIG_API bool elig_ruleset_field_required(const elig_ruleset *rs, size_t i);
/* Looks a field up by name: ELIG_OK with *index set, or ELIG_ENOTFOUND.  Do it once and
 * set fields by index. */
ELIG_API elig_status elig_ruleset_field_index(const elig_ruleset *rs, const char *name,
                                              size_t *index);

/* The key fields of the record schema (`record household key hh_id, year`), in order:
 * elig_ruleset_key_field gives key i's field number for elig_ruleset_field_name and the
 * rest (SIZE_MAX when i is out of range, which the field functions refuse). */
ELIG_API size_t elig_ruleset_key_count(const elig_ruleset *rs);
ELIG_API size_t elig_ruleset_key_field(const elig_ruleset *rs, size_t i);

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

/* ---------------------------------------------------------------- small helpers */

/* Whether `text` is a date as the library reads one: YYYY-MM-DD, a day of the calendar. */
ELIG_API bool elig_date_valid(const char *text);

/* The name among names[0..n) that `len` bytes of `word` most likely misspell (edit distance,
 * as the compiler's "did you mean"), or NULL when none is close enough.  Returns one of the
 * given pointers. */
ELIG_API const char *elig_suggest(const char *word, size_t len, const char *const *names, size_t n);

/* ---------------------------------------------------------------- evaluating */

/* What a record that leaves a required field absent gets (`--missing`). */
typedef enum {
  ELIG_MISSING_REJECT = 0,      /* rejected, as one that breaks any rule of its schema */
  ELIG_MISSING_UNDETERMINED = 1 /* evaluated with the field unknown: every result that
                                   depends on it is "undetermined" and says which absent
                                   fields would settle it (the `needs` column); key fields
                                   and lists are still required */
} elig_missing;

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
 * elig_ctx_error; the field is then absent); ELIG_EINVAL for a bad index, a list field,
 * or a setter that does not fit the field's type; ELIG_ENOMEM.  Range, `one of`, pattern and required checks
 * run in elig_eval, which returns as elig_eval_json does. */
ELIG_API void elig_ctx_clear(elig_ctx *ctx);
ELIG_API elig_status elig_ctx_set_text(elig_ctx *ctx, size_t field, const char *text, size_t len);
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
 * it is safe to print or log.  A key of a record in a list (a member's) counts too.  A
 * service can answer "key 'exited_yaer' was ignored" with it instead of ignoring a misspelt
 * field in silence. */
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

/* Whether flag i is raised (false when that is undetermined). */
ELIG_API bool elig_result_flag(const elig_result *r, size_t i);

/* Three-valued evaluation (elig_ctx_set_missing with ELIG_MISSING_UNDETERMINED): a result
 * that depends on an absent required field is undetermined unless it comes out the same
 * whatever the field holds.  An undetermined decision or column reads "undetermined"
 * (elig_result_decision, elig_result_column; its rule is 0 and its reason NULL), a flag
 * that may or may not be raised is elig_result_flag_undetermined, and elig_result_needs
 * names the absent fields that would settle the record's undetermined results, in field
 * order, separated by ';' ("net_income;food_secure"; "" when every result is determined;
 * "previous year" for values the household's previous record left undetermined).  The
 * result line (elig_result_format) gains a last column `needs`.  The default is
 * ELIG_MISSING_REJECT: such a record is rejected.  ELIG_EINVAL for another value. */
ELIG_API elig_status elig_ctx_set_missing(elig_ctx *ctx, elig_missing m);
ELIG_API bool elig_result_flag_undetermined(const elig_result *r, size_t i);
ELIG_API const char *elig_result_needs(const elig_result *r);

/* Column i of the result line as text, formatted as `elig run` writes it; "" for none. */
ELIG_API const char *elig_result_column(const elig_result *r, size_t i);

typedef enum elig_format {
  ELIG_FORMAT_JSON = 0, /* JSON: one object and a newline, as `elig run --format jsonl` */
  ELIG_FORMAT_CSV = 1,  /* one CSV line, as `elig run` (header: elig_ruleset_csv_header) */
  ELIG_FORMAT_TEXT = 2  /* a readable tree, as `elig explain`; only for elig_explain */
} elig_format;

/* The whole result as `elig run` writes it: columns, then the raised flags.  *len (when
 * not NULL) receives the length.  NULL when out of memory.  The JSON and the CSV text are
 * kept apart: asking for one does not overwrite the other. */
ELIG_API const char *elig_result_format(const elig_result *r, elig_format fmt, size_t *len);

/* History.  A rule set that follows households over the years (`key hh_id per year`) reads
 * in previous() values of the household's record of the year before.  A batch (elig_run)
 * links the records itself; a service that evaluates one record at a time keeps, with each
 * household-year it stores, what the record keeps for the next year, and gives it back
 * before evaluating the next year's record:
 *
 *   elig_result_kept(r, &kept, &n);             after evaluating year Y: store kept[0..n)
 *   elig_ctx_set_previous(ctx, kept, n);         before evaluating year Y + 1
 *
 * elig_result_kept: the bytes of r's kept values (owned by the context, valid until its next
 * evaluation); ELIG_OK, ELIG_EINVAL (r is not its context's last result), ELIG_ENOMEM.  A
 * rule set without history keeps nothing (n = 16: the header alone).  The bytes begin with
 * a header naming the rule set (its hash): they are opaque, for the same rule set and the
 * same build of the library on the same kind of machine; after a change of rules, evaluate
 * the years again in order.
 * elig_ctx_set_previous: the household's record of the year before, for the next
 * evaluation on ctx only (bytes copied); NULL and 0: it has none (the default).  ELIG_EINVAL
 * when the bytes were not kept by this rule set. */
ELIG_API elig_status elig_result_kept(const elig_result *r, const void **kept, size_t *len);
ELIG_API elig_status elig_ctx_set_previous(elig_ctx *ctx, const void *kept, size_t len);

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
ELIG_API elig_status elig_explain(elig_ctx *ctx, elig_format fmt, const char **text, size_t *len);

/* elig_explain followed by what would change the results: for each decision and flag, the
 * nearest values of `field` (an int, money or date field, not a key) below and above the
 * record's at which it changes, and to what ("status becomes exit_eligible when net_income
 * >= 16000.02"; in JSON a member "what_if").  Exact where the rules are linear in the field
 * (to the fen for money); where they are not, the answer says so instead of guessing.
 * NULL field: elig_explain.  ELIG_EINVAL for a field that cannot be moved. */
ELIG_API elig_status elig_explain_what_if(elig_ctx *ctx, const char *field, elig_format fmt,
                                          const char **text, size_t *len);

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

/* ---------------------------------------------------------------- batches: inputs and outputs */

/* A batch (elig_run, elig_diff, elig_explain_records) reads registers through callbacks and
 * writes everything it produces through one callback: the library opens no file and writes
 * no stream.  Every callback is called from the thread that called the batch function, one
 * at a time, in input order; the batch returns only once its own threads are done. */

typedef enum elig_input_format {
  ELIG_INPUT_CSV = 0,  /* RFC 4180 with a header line; UTF-8, a BOM allowed */
  ELIG_INPUT_JSONL = 1 /* one JSON object per line */
} elig_input_format;

/* One register to read.  `name` is how messages name it ("data/sample.csv:12: rejected
 * ..."). */
typedef struct elig_input {
  const char *name;
  elig_input_format format;
  void *arg; /* given to the callbacks */
  /* Called once before the first read (NULL: nothing to open).  Returns 0, or an errno
   * value: the batch then says "cannot open 'NAME': ..." and stops with ELIG_EIO. */
  int (*open)(void *arg);
  /* Reads at most `size` bytes into buf: returns how many, 0 at the end of the input, or -1
   * with errno set (the batch says "cannot read 'NAME': ..." and stops with ELIG_EIO, or
   * with ELIG_ECANCELED when its cancel callback now says so: a signal that interrupted the
   * read). */
  ptrdiff_t (*read)(void *arg, void *buf, size_t size);
  /* Called once after the last read when open succeeded (NULL: nothing to close). */
  void (*close)(void *arg);
} elig_input;

/* Where a batch's output goes.  Results, rejects, aggregates, the diff's report and list are
 * whole lines in input order; messages are whole lines for people ("FILE:LINE: rejected
 * KEY: REASON", warnings, why an input could not be read). */
typedef enum elig_stream {
  ELIG_STREAM_RESULTS = 0,    /* one line per record (CSV with its header, or JSON Lines),
                                 then the aggregates unless separate_aggregates */
  ELIG_STREAM_REJECTS = 1,    /* with reject_rows: one CSV row per rejected record */
  ELIG_STREAM_AGGREGATES = 2, /* with separate_aggregates: the aggregates' sections */
  ELIG_STREAM_MESSAGES = 3,   /* for people: rejections (without reject_rows), warnings */
  ELIG_STREAM_REPORT = 4,     /* elig_diff's report; elig_explain_records' explanations */
  ELIG_STREAM_LIST = 5        /* elig_diff's changed records, CSV (with list) */
} elig_stream;

/* What every batch function is told: where its bytes go, and how to be stopped.
 *   write      writes `len` bytes of `data` to `stream`; false when they cannot be written
 *              (the batch then stops and returns ELIG_EIO; the caller says why, it knows
 *              its files)
 *   cancelled  polled between chunks and after a read failed (and by elig_diff over rules
 *              that follow households across years, every few thousand records of its
 *              second pass, once all is read); true stops the batch with ELIG_ECANCELED
 *              (NULL: never)
 *   progress   called after each chunk of records is done (and as often as cancelled in
 *              elig_diff's second pass), with the counts so far (NULL: not called); for a
 *              progress line */
typedef struct elig_batch_stats elig_batch_stats;
typedef struct elig_batch_io {
  bool (*write)(void *arg, elig_stream stream, const char *data, size_t len);
  bool (*cancelled)(void *arg);
  void (*progress)(void *arg, const elig_batch_stats *so_far);
  void *arg; /* given to each */
} elig_batch_io;

/* The counts of a batch. */
struct elig_batch_stats {
  uint64_t records;      /* read, headers and blank lines not counted */
  uint64_t written;      /* elig_run: results written; elig_diff: records compared;
                                 elig_explain_records: records explained */
  uint64_t rejected;     /* rejected (elig_diff: by either rule set) */
  uint64_t rejected_old; /* elig_diff only: by the old rules, and by the new ones */
  uint64_t rejected_new;
  uint64_t changed; /* elig_diff only: compared records whose results change */
};

/* ---------------------------------------------------------------- elig_run */

/* How elig_run works; start from ELIG_RUN_OPTIONS_INIT (see elig_options on `size`). */
typedef struct elig_run_options {
  size_t size;
  elig_format format;       /* ELIG_FORMAT_CSV (the default) or ELIG_FORMAT_JSON lines */
  const char *as_of;        /* the evaluation date "YYYY-MM-DD"; NULL: today, in UTC */
  unsigned threads;         /* evaluating threads, the caller's included; 0: one a core */
  bool reject_rows;         /* rejected records as CSV rows on ELIG_STREAM_REJECTS (line,
                                 the key fields, reason, the record as read), instead of
                                 lines on ELIG_STREAM_MESSAGES */
  bool separate_aggregates; /* the aggregates on ELIG_STREAM_AGGREGATES */
  bool explain;             /* a last column naming the rule that decided each decision, and
                                 its reason */
  bool show_values;         /* rejections quote the value at fault (personal data: off) */
  size_t chunk_bytes;       /* bytes read at a time; 0: 1 MiB */
  size_t memory_limit;      /* a rule set following households over the years (`key hh_id
                                 per year`) is run over the whole input before any result:
                                 bytes of records and results kept in memory, the rest in
                                 unnamed temporary files in $TMPDIR (else /tmp); 0: 256 MiB */
  elig_missing missing;     /* absent required fields: ELIG_MISSING_REJECT (the default) or
                                 evaluated as unknown values */
  bool show_defaults;       /* a column `defaulted` (before `why`): the fields that took
                                 their schema default and that a result depends on */
  bool reread;              /* the inputs may be read twice (open, read, close, then again),
                                 and give the same bytes both times (regular files): a rule
                                 set following households over the years then reads them
                                 once first, and when no household comes twice evaluates
                                 each record as it reads it, without keeping any.  An input
                                 found to have changed between the two readings ends the run
                                 with ELIG_EIO. */
} elig_run_options;

#define ELIG_RUN_OPTIONS_INIT                                                             \
  {                                                                                       \
    sizeof(elig_run_options), ELIG_FORMAT_CSV, NULL, 0, false, false, false, false, 0, 0, \
        ELIG_MISSING_REJECT, false, false                                                 \
  }

/* Evaluates every record of the inputs, in order, and writes one result per record and then
 * the aggregates, as `elig run` does.  A record that breaks its schema, cannot be read, or
 * on which a rule fails is rejected (with its line, key and reason) and the batch goes on;
 * an input file whose CSV header cannot be used (a required field missing, a name given
 * twice) has each of its records rejected; one whose header is not CSV at all (an
 * unterminated quote) stops the batch with ELIG_EIO.  JSON keys that are no field are
 * counted and said in one warning at the end.  Messages about inputs name them as in
 * "elig: cannot open 'NAME': REASON".
 *   Arguments: rs       the rule set (shared: other threads may use it at the same time)
 *              opt      options, or NULL for the defaults
 *              inputs   the registers, read in order
 *              io       where the output goes, and how to stop
 *              stats    receives the counts, also on failure; may be NULL
 *   Returns:   ELIG_OK (records may have been rejected: stats->rejected); ELIG_EIO when an
 *              input could not be opened or read or io->write failed (the output is then
 *              incomplete and should not be kept); ELIG_ECANCELED; ELIG_EEVAL when an
 *              aggregate's rule failed; ELIG_ENOMEM; ELIG_EINVAL (bad options: a date that
 *              is not one, say). */
ELIG_API elig_status elig_run(const elig_ruleset *rs, const elig_run_options *opt,
                              const elig_input *inputs, size_t ninputs, const elig_batch_io *io,
                              elig_batch_stats *stats);

/* ---------------------------------------------------------------- elig_diff */

typedef struct elig_diff_options {
  size_t size;
  elig_format format;   /* the report: ELIG_FORMAT_TEXT (the default) or JSON */
  const char *old_name; /* how the report names the two rule sets (their files) */
  const char *new_name;
  bool list;         /* the changed records as CSV on ELIG_STREAM_LIST */
  const char *as_of; /* as for elig_run */
  size_t chunk_bytes;
  elig_missing missing; /* as for elig_run, on both sides: "undetermined" is then a value
                           of each decision's transitions, and a flag that may be raised
                           counts as not raised */
  const char *by;       /* an aggregate of both rule sets ("village"), or NULL: the report
                           adds, per group of it, the households by each decision's old and
                           new values, the flags gained and lost, the records rejected and
                           the group's outcome and values before and after; with it the
                           format may be ELIG_FORMAT_CSV, the groups alone as a table */
} elig_diff_options;

#define ELIG_DIFF_OPTIONS_INIT                                                                    \
  {                                                                                               \
    sizeof(elig_diff_options), ELIG_FORMAT_TEXT, NULL, NULL, false, NULL, 0, ELIG_MISSING_REJECT, \
        NULL                                                                                      \
  }

/* The impact of replacing the rules `old_rs` with `new_rs` on the records of the inputs, in
 * one pass, as `elig diff` reports it: for each decision how many records go from which
 * value to which, the flags gained and lost, and the groups of each aggregate that change
 * outcome.  The report is written to ELIG_STREAM_REPORT once every record is read.
 *   Returns as elig_run does; stats counts records compared (written), rejected by either
 *   rule set and changed.  ELIG_EINVAL also when opt->by is no aggregate of both rule sets
 *   with the same number of keys. */
ELIG_API elig_status elig_diff(const elig_ruleset *old_rs, const elig_ruleset *new_rs,
                               const elig_diff_options *opt, const elig_input *inputs,
                               size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats);

/* ---------------------------------------------------------------- elig_explain_records */

typedef struct elig_explain_options {
  size_t size;
  elig_format format;              /* ELIG_FORMAT_TEXT (the default) or JSON */
  const char *const *match_fields; /* the records to explain: those whose fields named */
  const char *const *match_values; /* here hold these values, as text ("hh_id", ...) */
  size_t nmatch;
  const char *as_of;
  const char *const *set_fields; /* what if: in the records explained, these fields */
  const char *const *set_values; /* hold these values instead, as a CSV cell writes them */
  size_t nset;                   /* (not a key field, nor the year, nor a list) */
  elig_missing missing;          /* as for elig_run: with ELIG_MISSING_UNDETERMINED a record
                                    lacking required fields is explained with them unknown:
                                    which results they leave undetermined, which rules may
                                    still decide and which conditions need them */
  const char *what_if;           /* a numeric field (int, money or date, not a key): after
                                    each explanation, for each decision and flag, the
                                    nearest values of the field below and above the
                                    record's at which it changes, and to what (exact where
                                    the rules are linear in the field, and said where not);
                                    NULL: none */
} elig_explain_options;

#define ELIG_EXPLAIN_OPTIONS_INIT                                                       \
  {                                                                                     \
    sizeof(elig_explain_options), ELIG_FORMAT_TEXT, NULL, NULL, 0, NULL, NULL, NULL, 0, \
        ELIG_MISSING_REJECT, NULL                                                       \
  }

/* Reads the inputs and explains, on ELIG_STREAM_REPORT, every record that matches, as
 * elig_explain does for one (`elig explain --id`).  A record that matches but is rejected
 * (it breaks the schema, repeats a household-year, or a rule fails on it) is explained by
 * its rejection, a line on ELIG_STREAM_MESSAGES: "FILE:LINE: the record is rejected:
 * REASON"; one that cannot be typed matches when the fields asked for are key fields whose
 * text as written is the value asked for.  Other records that cannot be read are passed
 * over; an input whose CSV header cannot be used is refused (ELIG_EIO).  stats->written
 * counts the records explained, stats->rejected those asked for and rejected: 0 is no
 * error.  io->progress is not called: a search is one pass that stops at no record.
 *   With nset, each record explained is evaluated with the fields set_fields[i] holding
 * set_values[i] instead of what the register holds (the register is not changed); a value
 * the field's type cannot hold is ELIG_EINVAL before anything is read, one its checks
 * refuse (a range, say) rejects the record.
 *   Returns ELIG_OK, ELIG_EIO, ELIG_ECANCELED, ELIG_ENOMEM, or ELIG_EINVAL (NULL arguments,
 *   a date that is not one, or a field to match that the schema does not have: look names
 *   up first with elig_ruleset_field_index). */
ELIG_API elig_status elig_explain_records(const elig_ruleset *rs, const elig_explain_options *opt,
                                          const elig_input *inputs, size_t ninputs,
                                          const elig_batch_io *io, elig_batch_stats *stats);

/* ---------------------------------------------------------------- elig_test */

typedef struct elig_test_options {
  size_t size;
  const char *filter; /* run only the tests whose name contains it; NULL: all */
  bool coverage;      /* also list the rules and flags no test exercised */
  const char *as_of;
} elig_test_options;

#define ELIG_TEST_OPTIONS_INIT                   \
  {                                              \
    sizeof(elig_test_options), NULL, false, NULL \
  }

typedef struct elig_test_stats {
  unsigned passed, failed, skipped; /* skipped: filtered out */
  unsigned rules, rules_hit;        /* decision rules, and those some test chose */
  unsigned flags, flags_hit;        /* flags, and those some test raised */
} elig_test_stats;

/* Runs the test blocks of rs (those of its imports included), as `elig test` does.  stats
 * may be NULL.
 *   report   receives the failures, one "FILE:LINE:COL: test "NAME": expected ..., got ..."
 *            line each, and with coverage the rules and flags no test exercised (the
 *            caller's; elig_free; "" when all passed)
 *   Returns ELIG_OK whether or not tests failed (see stats), ELIG_ENOMEM, or ELIG_EINVAL. */
ELIG_API elig_status elig_test(const elig_ruleset *rs, const elig_test_options *opt, char **report,
                               elig_test_stats *stats);

/* ---------------------------------------------------------------- registers */

/* A register: one county's households over the years in one SQLite file, with every record
 * and result ever added (a correction adds, it never overwrites) and who added each, when,
 * from which file, under which rules.  doc/register.md describes its tables.
 *
 *   elig_register *reg;
 *   if (elig_register_open("county.db", true, &reg) != ELIG_OK)
 *     fprintf(stderr, "elig: %s\n", elig_register_error(reg));   -- then close it
 *   elig_register_add(reg, rs, NULL, inputs, n, &io, &stats);    -- one transaction
 *   elig_register_close(reg);
 *
 * A register is one thread's at a time; several processes may open the same file (SQLite's
 * locking): readers see the last add that finished, and a second writer waits for the first
 * (up to elig_register_set_wait), then fails with ELIG_EBUSY. */
typedef struct elig_register elig_register;

/* Opens the register at `path`; `writable` creates it when the file does not exist or is
 * empty.  *out is set whenever the register could be allocated, also on failure, so that
 * elig_register_error says why; close it in every case.
 *   Returns ELIG_OK; ELIG_EREGISTER (the file is damaged, not a register, or from a newer
 *   elig: nothing was changed); ELIG_EIO (it cannot be opened: no such file, permissions);
 *   ELIG_EBUSY; ELIG_ENOMEM; ELIG_EINVAL. */
ELIG_API elig_status elig_register_open(const char *path, bool writable, elig_register **out);
/* Why the last call on reg failed, for people ("register 'county.db' is damaged ..."); ""
 * when it did not.  Valid until the next call on reg. */
ELIG_API const char *elig_register_error(const elig_register *reg);
/* How long a call waits for another process's add to finish (default 10 s). */
ELIG_API void elig_register_set_wait(elig_register *reg, unsigned milliseconds);
ELIG_API void elig_register_close(elig_register *reg);

typedef struct elig_register_add_options {
  size_t size;
  const char *by;       /* who adds, kept with each result (NULL: "unknown") */
  const char *as_of;    /* as for elig_run */
  unsigned threads;     /* as for elig_run */
  bool show_values;     /* as for elig_run */
  size_t chunk_bytes;   /* as for elig_run */
  size_t memory_limit;  /* as for elig_run */
  bool reject_rows;     /* as for elig_run: rejected records as CSV rows on
                          ELIG_STREAM_REJECTS */
  elig_missing missing; /* as for elig_run: with ELIG_MISSING_UNDETERMINED a record lacking
                           required fields is kept with its undetermined results (and the
                           fields they need); the next year's record reads them as unknown */
} elig_register_add_options;

#define ELIG_REGISTER_ADD_OPTIONS_INIT                                                        \
  {                                                                                           \
    sizeof(elig_register_add_options), NULL, NULL, 0, false, 0, 0, false, ELIG_MISSING_REJECT \
  }

typedef struct elig_register_stats {
  uint64_t records;     /* read from the inputs */
  uint64_t rejected;    /* of them, rejected (said on ELIG_STREAM_MESSAGES) */
  uint64_t added;       /* household-years the register did not hold */
  uint64_t corrected;   /* household-years it held: the new record is current, the old kept */
  uint64_t reevaluated; /* stored household-years whose results changed: later years of the
                           households added or corrected, or all after a change of rules */
  uint64_t unchanged;   /* stored household-years evaluated again to the same results */
} elig_register_stats;

/* Evaluates the records of the inputs with the history the register holds and stores them
 * and their results, in one transaction: the same results as elig_run over every current
 * record of the register and these together.  A household-year already held is a
 * correction; the years after it of that household are evaluated again.  When rs is not
 * the rule set of the last add (the same schema, other rules), every household is evaluated
 * again with rs.  Rejections go to ELIG_STREAM_MESSAGES (or with reject_rows to
 * ELIG_STREAM_REJECTS) as elig_run writes them; nothing goes to ELIG_STREAM_RESULTS.
 *   Returns ELIG_OK (records may have been rejected: stats); ELIG_EREGISTER (the register's
 *   schema is not rs's, or it is damaged: elig_register_error says which, and nothing was
 *   changed); ELIG_EBUSY; ELIG_EIO (an input could not be read, or the register not
 *   written: nothing was changed); ELIG_ECANCELED (nothing was changed); ELIG_ENOMEM;
 *   ELIG_EINVAL (rules without `key ... per ...`, a register opened read-only). */
ELIG_API elig_status elig_register_add(elig_register *reg, const elig_ruleset *rs,
                                       const elig_register_add_options *opt,
                                       const elig_input *inputs, size_t ninputs,
                                       const elig_batch_io *io, elig_register_stats *stats);

typedef struct elig_register_export_options {
  size_t size;
  elig_format format; /* ELIG_FORMAT_CSV (the default) or ELIG_FORMAT_JSON lines */
  bool has_year;      /* only the records of `year` (and aggregates over them) */
  int64_t year;
  const char *as_of;        /* as for elig_run; NULL: the evaluation date of the last add */
  unsigned threads;         /* as for elig_run */
  bool explain;             /* as for elig_run */
  bool separate_aggregates; /* as for elig_run */
  size_t chunk_bytes;       /* as for elig_run */
  size_t memory_limit;      /* as for elig_run */
  elig_missing missing;     /* as for elig_run: records added with undetermined results are
                               exported only with ELIG_MISSING_UNDETERMINED (else rejected) */
} elig_register_export_options;

#define ELIG_REGISTER_EXPORT_OPTIONS_INIT                                                         \
  {                                                                                               \
    sizeof(elig_register_export_options), ELIG_FORMAT_CSV, false, 0, NULL, 0, false, false, 0, 0, \
        ELIG_MISSING_REJECT                                                                       \
  }

/* Writes the current results of the register as elig_run writes them (results, then the
 * aggregates) with the rules of its last add, which it keeps: the same as elig_run over its
 * current records, ordered by the file and line each was read from.  With has_year, only
 * the records of that year, each with its stored year before.  Reads one snapshot: an add
 * finishing meanwhile is not seen.  Returns as elig_run does, or ELIG_EREGISTER. */
ELIG_API elig_status elig_register_export(elig_register *reg,
                                          const elig_register_export_options *opt,
                                          const elig_batch_io *io, elig_batch_stats *stats);

/* One household's years, for people (ELIG_FORMAT_TEXT) or as one JSON object and a newline
 * (ELIG_FORMAT_JSON): per year its current record and results, the inputs that changed
 * since the year before, the changes of its results, the rules that decided, and each
 * correction and re-evaluation with who, when, which file and which rules.  `household` is
 * the key fields but the year, as results show them joined by '/' ("411623101201-003").
 * *text is the caller's (elig_free).  Returns ELIG_OK, ELIG_ENOTFOUND (no such household),
 * ELIG_EREGISTER, ELIG_ENOMEM or ELIG_EINVAL. */
ELIG_API elig_status elig_register_history(elig_register *reg, const char *household,
                                           elig_format fmt, char **text);

/* Whether rs may read the register's history: the same schema and the rules of its last
 * add.  ELIG_OK, or ELIG_EREGISTER with the reason in elig_register_error. */
ELIG_API elig_status elig_register_check_rules(elig_register *reg, const elig_ruleset *rs);

/* Makes ctx read each record's year before from reg (read-only): before evaluating a record
 * of household H and year Y, the current result of H in year Y - 1, unless
 * elig_ctx_set_previous gave one.  reg is then used by ctx alone (one register handle per
 * thread); NULL stops it.  An evaluation that reads the register while it holds another
 * rule set's history (elig_register_check_rules says so; an add with other rules may come
 * at any time) fails with ELIG_EREGISTER rather than mix two rule sets.
 * Returns ELIG_OK, or ELIG_EINVAL when ctx is NULL. */
ELIG_API elig_status elig_ctx_set_register(elig_ctx *ctx, elig_register *reg);

#ifdef __cplusplus
}
#endif

#endif
