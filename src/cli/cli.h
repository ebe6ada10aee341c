/*
 * cli.h -- what the `elig` commands share (src/cli/main.c): usage errors, unknown options
 * with a suggestion, compiling a rule file with its diagnostics printed, and the warning
 * about JSON keys that are no field.
 */
#ifndef ELIG_CLI_H
#define ELIG_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "program.h"
#include "record.h"

/* Prints "elig: MESSAGE" (MESSAGE with '%s' replaced by arg) and the usage; returns 2. */
int cli_usage_error(const char *usage, const char *message, const char *arg);

/* An option getopt did not know: names it, suggests the closest one, prints the usage;
 * returns 2. */
int cli_bad_option(const char *usage, char **argv, const struct option *opts);

/* Compiles `path` (and its imports), printing its diagnostics (and its syntax tree when
 * asked); NULL on error, with *had_errors set. */
elig_program *cli_compile(const char *path, bool *had_errors, bool dump_ast);

/* "elig: warning: 3 keys that are no field of 'household' were ignored[WHICH] in 1 record;
 * the first, 'exited_yaer' on line 7: did you mean 'exited_year'?" */
void cli_report_unknown_keys(const elig_program *P, const rec_unknown *u, const char *which);

#endif
