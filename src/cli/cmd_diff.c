/*
 * cmd_diff.c -- `elig diff OLD NEW DATA...`: the impact of a rule change on a register.
 *
 * Compiles both rule sets (printing their diagnostics as `elig check` does), then hands them
 * to diff_batch (src/diff.c), which evaluates both over the records in one pass and writes
 * the report.  Exit status: 0 all good (with or without changes), 1 a rule set does not
 * compile, 2 usage, 3 some records rejected by either rule set, 4 an input could not be read
 * or an output could not be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "date.h"
#include "diag.h"
#include "cli.h"
#include "cli_compile.h"
#include "diff.h"
#include "input.h"
#include "ruleset.h"
#include "suggest.h"

enum { EXIT_RULES = 1, EXIT_USAGE = 2 };

static const char usage_diff[] =
  "usage: elig diff [options] OLD NEW DATA...\n"
  "\n"
  "Evaluates the rule sets OLD (in force) and NEW (proposed) over the same records of DATA\n"
  "(CSV with a header, or JSON Lines; '-' is standard input) in one pass, and reports the\n"
  "impact of the change: for each decision how many records go from which value to which,\n"
  "how many records gain or lose each flag, and which groups of each aggregate (villages,\n"
  "counties) change outcome.\n"
  "\n"
  "options:\n"
  "      --format=text|json     report format (default text)\n"
  "      --list=FILE            the changed records to FILE as CSV: line, key, each\n"
  "                             decision's old and new value, old and new flags\n"
  "      --input-format=csv|jsonl\n"
  "                             input format (default: by file name; .jsonl, .ndjson and\n"
  "                             .json are JSON Lines, anything else CSV)\n"
  "      --as-of=YYYY-MM-DD     the evaluation date, 'as_of' in rules (default today)\n"
  "      --progress, --no-progress\n"
  "                             progress line on standard error (default: when a terminal)\n"
  "  -h, --help                 this help\n"
  "\n"
  "exit status: 0 all good (whether or not anything changes), 1 rule errors, 2 usage,\n"
  "3 some records rejected by either rule set, 4 an input could not be read or an output\n"
  "could not be written\n";

/* Prints "elig: MESSAGE" (MESSAGE with '%s' replaced by arg) and the usage. */
/* Whether both rule sets ignored the same keys, so that one warning says it for both. */
static bool same_unknown(const elig_program *pa, const rec_unknown *a, const elig_program *pb,
                         const rec_unknown *b)
{
  return a->keys == b->keys && a->records == b->records && a->first_line == b->first_line &&
         strcmp(a->first, b->first) == 0 &&
         (!a->keys || strcmp(pa->records[a->first_record].name,
                             pb->records[b->first_record].name) == 0);
}

int cmd_diff(int argc, char **argv)
{
  enum { O_FORMAT = 256, O_LIST, O_INPUT_FORMAT, O_AS_OF, O_PROGRESS, O_NO_PROGRESS };
  static const struct option opts[] = {
    {"format", required_argument, NULL, O_FORMAT},
    {"list", required_argument, NULL, O_LIST},
    {"input-format", required_argument, NULL, O_INPUT_FORMAT},
    {"as-of", required_argument, NULL, O_AS_OF},
    {"progress", no_argument, NULL, O_PROGRESS},
    {"no-progress", no_argument, NULL, O_NO_PROGRESS},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0}};
  diff_options o = {.input_format = -1, .format = DIFF_TEXT, .progress = isatty(2),
                    .interrupted = &cli_interrupted};
  o.as_of = (int32_t)(time(NULL) / 86400);
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': fputs(usage_diff, stdout); return 0;
    case O_FORMAT:
      if (strcmp(optarg, "text") == 0)
        o.format = DIFF_TEXT;
      else if (strcmp(optarg, "json") == 0)
        o.format = DIFF_JSON;
      else
        return cli_usage_error(usage_diff, "unknown format '%s': use text or json", optarg);
      break;
    case O_LIST: o.list = optarg; break;
    case O_INPUT_FORMAT:
      if (strcmp(optarg, "csv") == 0)
        o.input_format = INPUT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        o.input_format = INPUT_JSONL;
      else
        return cli_usage_error(usage_diff, "unknown input format '%s': use csv or jsonl", optarg);
      break;
    case O_AS_OF:
      if (!date_parse(optarg, strlen(optarg), &o.as_of))
        return cli_usage_error(usage_diff, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      break;
    case O_PROGRESS: o.progress = true; break;
    case O_NO_PROGRESS: o.progress = false; break;
    case ':': return cli_usage_error(usage_diff, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_diff, argv, opts);
    }
  }
  if (argc - optind < 3)
    return cli_usage_error(usage_diff, "%s", argc - optind < 2 ? "need two rule files and at least one data file"
                                               : "need at least one data file after the two "
                                                 "rule files");
  /* both are compiled, so that every error of both is shown at once */
  bool compile_errors;
  elig_program *old_p = cli_compile(argv[optind], &compile_errors, false);
  elig_program *new_p = cli_compile(argv[optind + 1], &compile_errors, false);
  if (!old_p || !new_p) {
    prog_free(old_p);
    prog_free(new_p);
    return EXIT_RULES;
  }
  o.old_p = old_p;
  o.new_p = new_p;
  o.old_name = argv[optind];
  o.new_name = argv[optind + 1];
  o.inputs = (const char *const *)argv + optind + 2;
  o.ninputs = (uint32_t)(argc - optind - 2);
  diff_stats st;
  cli_catch_interrupts();
  int status = diff_batch(&o, &st, stderr);
  bool same = same_unknown(old_p, &st.unknown_old, new_p, &st.unknown_new);
  if (st.unknown_old.keys)
    cli_report_unknown_keys(old_p, &st.unknown_old, same ? "" : " by the old rules");
  if (st.unknown_new.keys && !same)
    cli_report_unknown_keys(new_p, &st.unknown_new, " by the new rules");
  if (st.rejected)
    fprintf(stderr,
            "elig: %llu record%s read, %llu compared, %llu rejected (%llu by the old rules, "
            "%llu by the new rules)\n",
            (unsigned long long)st.records, st.records == 1 ? "" : "s",
            (unsigned long long)st.compared, (unsigned long long)st.rejected,
            (unsigned long long)st.rejected_old, (unsigned long long)st.rejected_new);
  prog_free(old_p);
  prog_free(new_p);
  return status;
}
