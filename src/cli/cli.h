/*
 * cli.h -- what every `elig` command shares (src/cli/main.c): usage errors and unknown
 * options with a suggestion.  Only standard headers: `elig serve` is built on the public
 * library alone and includes this too.
 */
#ifndef ELIG_CLI_H
#define ELIG_CLI_H

#include <getopt.h>

/* Prints "elig: MESSAGE" (MESSAGE with '%s' replaced by arg) and the usage; returns 2. */
int cli_usage_error(const char *usage, const char *message, const char *arg);

/* An option getopt did not know: names it, suggests the closest one, prints the usage;
 * returns 2. */
int cli_bad_option(const char *usage, char **argv, const struct option *opts);

/* The commands in files of their own, each given argv from its name on ("diff", ...);
 * each returns the exit status: 0 all good, 1 rule errors, 2 usage, 3 records rejected,
 * 4 an input could not be read or an output could not be written. */
int cmd_diff(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
