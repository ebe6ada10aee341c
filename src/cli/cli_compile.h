/*
 * cli_compile.h -- what the batch commands (check, run, test, explain, diff) share beyond
 * cli.h: compiling a rule file with its diagnostics printed, and the warning about JSON keys
 * that are no field.  These reach into the core (program.h, record.h); `elig serve` does not.
 */
#ifndef ELIG_CLI_COMPILE_H
#define ELIG_CLI_COMPILE_H

#include <signal.h>
#include <stdbool.h>

#include "program.h"
#include "record.h"

/* Set by the first SIGINT or SIGTERM once cli_catch_interrupts has run: the batch commands
 * hand it to run_batch and diff_batch, which stop, keep no output and return 4. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupts(void);

/* Compiles `path` (and its imports), printing its diagnostics (and its syntax tree when
 * asked); NULL on error, with *had_errors set. */
elig_program *cli_compile(const char *path, bool *had_errors, bool dump_ast);

/* "elig: warning: 3 keys that are no field of 'household' were ignored[WHICH] in 1 record;
 * the first, 'exited_yaer' on line 7: did you mean 'exited_year'?" */
void cli_report_unknown_keys(const elig_program *P, const rec_unknown *u, const char *which);

#endif
