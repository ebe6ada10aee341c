/*
 * cli.h -- what the commands of the `elig` program share.
 *
 * The program is built on the public library alone, as lua.c is on lua.h and the sqlite3
 * shell on sqlite3.h: the files of src/cli/ include <elig.h>, system headers and the
 * headers of src/cli/, nothing else (tests/cli/boundary.sh checks it).  What the library
 * does not do is here: options and usage, files (opening registers, writing outputs aside
 * and renaming them into place), signals, the progress line, exit statuses.
 */
#ifndef ELIG_CLI_H
#define ELIG_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <elig.h>

#include "../i18n.h"
#include "output.h"

/* The exit status of every command. */
typedef enum {
  EXIT_OK = 0,       /* all good */
  EXIT_RULES = 1,    /* the rules have errors, a test failed, a file is not formatted */
  EXIT_USAGE = 2,    /* the command line is wrong (also: two outputs are one file) */
  EXIT_REJECTED = 3, /* some records were rejected (explain: no record has that key) */
  EXIT_IO = 4        /* an input could not be read or an output written, the run was
                        interrupted, memory ran out */
} cli_exit;

/* The whole program: main() calls it (src/cli/elig.c), and so does the test program that
 * runs it under an allocator that fails (tests/cli/oom_main.c). */
int cli_main(int argc, char **argv);

/* ---------------------------------------------------------------- usage (main.c) */

/* A command's usage (its --help) is a NULL-terminated list of messages marked N_(), each a
 * paragraph or a run of options, printed one after the other in the reader's language: a
 * translator has pieces of a screen or less, and a new option changes one of them. */
void cli_print_usage(const char *const *usage, FILE *f);

/* Prints "elig: MESSAGE" (MESSAGE translated, its one '%s' replaced by arg; no arg for a
 * message without one) and the usage; EXIT_USAGE.  MESSAGE is a literal: po/Makevars has
 * xgettext take it. */
int cli_usage_error(const char *const *usage, const char *message, const char *arg);

/* An option getopt did not know: names it, suggests the closest one, prints the usage;
 * EXIT_USAGE. */
int cli_bad_option(const char *const *usage, char **argv, const struct option *opts);

/* "elig: " and a message on standard error, with a newline: the format is translated by
 * the caller, cli_say(_("cannot read '%s': %s"), ...).  The prefix is the program's name,
 * the same in every language (a script or a person searching a log looks for it). */
void cli_say(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The commands in files of their own, each given argv from its name on ("diff", ...). */
int cmd_diff(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_history(int argc, char **argv);

/* `elig check --explain CODE...` (codes.c): each code's explanation on standard output, or
 * with no code the list of codes and what each names.  EXIT_USAGE when a code is unknown
 * (said on standard error, with the closest code). */
int cli_explain_codes(int n, char **codes);

/* Compiles `path` (and its imports), printing its diagnostics on standard error as `elig
 * check` does; NULL on error, and *failure receives the exit status to give for it
 * (EXIT_RULES, or EXIT_IO when memory ran out); EXIT_OK on success. */
elig_ruleset *cli_compile(const char *path, int *failure);

/* "out of memory" and the like for a library status, on standard error. */
void cli_say_status(elig_status st);

/* ---------------------------------------------------------------- batches (cli_io.c) */

/* Set by the first SIGINT or SIGTERM once cli_catch_interrupts has run: a batch then stops,
 * keeps no output and exits EXIT_IO; a second signal ends the process at once. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupts(void);

/* A register file given on the command line, read through the library's callbacks: "-" is
 * standard input.  The format is forced (an elig_input_format), or by the name when
 * `forced` is -1: .jsonl, .ndjson and .json are JSON Lines, anything else CSV. */
typedef struct {
  const char *path;
  int fd;
  bool own;
} cli_file;

/* Fills inputs[i] (and files[i], which must outlive the batch) for each path. */
void cli_inputs(char *const *paths, size_t n, int forced, cli_file *files, elig_input *inputs);
/* Whether every path is a regular file, which a batch may read twice
 * (elig_run_options.reread): not standard input, a pipe or a device. */
bool cli_inputs_rereadable(char *const *paths, size_t n);

/* Where a batch's streams go: results, rejects, aggregates and the list to output files (or
 * standard output), the report to standard output, messages to standard error. */
typedef struct {
  output *streams[6]; /* by elig_stream; NULL: standard output for results and the
                                report, nothing else may be written there */
  bool progress;      /* a progress line on standard error */
  bool diff_progress; /* its diff wording */
  double start, last; /* when the batch started, when the line was last written */
  bool shown;         /* a progress line is on the terminal */
  bool report_failed; /* standard output refused the report */
} cli_sink;

/* The callbacks of a batch writing to `sink`. */
elig_batch_io cli_batch_io(cli_sink *sink);

/* Clears the progress line if one was shown. */
void cli_end_progress(cli_sink *sink);

/* --input-format: "csv" or "jsonl" as an elig_input_format. */
bool cli_parse_input_format(const char *s, int *out);

/* --memory: "4096", "64K", "512M", "2G": bytes, at least 1 and at most 1 TiB. */
bool cli_parse_size(const char *text, size_t *bytes);

/* Parses --threads: 1 to 256. */
bool cli_parse_threads(const char *s, unsigned *out);
/* --missing=reject|undetermined */
bool cli_parse_missing(const char *s, elig_missing *out);
/* Its help, one of the usage messages of run, explain and diff (cli_print_usage). */
/* TRANSLATORS: an option in the --help of elig run, explain and diff: translate the
   description only; the option and its values are typed as they are (undetermined and needs
   are a result and a column name); keep the description's column. */
#define CLI_MISSING_HELP                                                                       \
  N_("      --missing=reject|undetermined\n"                                                   \
     "                             a record without a required field: rejected (default),\n"   \
     "                             or evaluated with it unknown: results that depend on it\n"  \
     "                             are 'undetermined' and a 'needs' column names the absent\n" \
     "                             fields that would settle them\n")

#endif
