/*
 * cmd_diff.c -- `elig diff OLD NEW DATA...`: the impact of a rule change on a register.
 *
 * Compiles both rule sets (printing their diagnostics as `elig check` does), then hands them
 * to elig_diff, which evaluates both over the records in one pass and writes the report.
 * Exit status: 0 all good (with or without changes), 1 a rule set does not compile, 2 usage,
 * 3 some records rejected by either rule set, 4 an input could not be read or an output
 * could not be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const usage_diff[] = {
    /* TRANSLATORS: the start of `elig diff --help`.  The command line after "usage:" is
       typed as it is; '-' is typed as it is. */
    N_("usage: elig diff [options] OLD NEW DATA...\n"
       "\n"
       "Evaluates the rule sets OLD (in force) and NEW (proposed) over the same records of DATA\n"
       "(CSV with a header, or JSON Lines; '-' is standard input) in one pass, and reports the\n"
       "impact of the change: for each decision how many records go from which value to which,\n"
       "how many records gain or lose each flag, and which groups of each aggregate (villages,\n"
       "counties) change outcome.\n"
       "\n"
       "With --by GROUP, the report also shows each group of the aggregate GROUP (a village,\n"
       "a county): its households by each decision's value before -> after, the flags gained\n"
       "and lost, the records rejected, and the group's values (its incidence) and outcome\n"
       "(its exit) before and after.  --format csv then writes that table alone, a row per\n"
       "group.\n"),
    /* TRANSLATORS: the options of `elig diff --help`: translate the descriptions only; the
       options, their values (text, json, csv, jsonl), file names (.jsonl) and 'as_of' are
       typed as they are; keep the descriptions' column. */
    N_("\n"
       "options:\n"
       "      --format=text|json|csv report format (default text; csv only with --by)\n"
       "      --by=GROUP             the impact per group of the aggregate GROUP (village,\n"
       "                             county, or any aggregate both rule sets define)\n"
       "      --list=FILE            the changed records to FILE as CSV: line, each key field\n"
       "                             (hh_id, year), each group's key (village_code, ...),\n"
       "                             each decision's old and new value, old and new flags\n"
       "      --input-format=csv|jsonl\n"
       "                             input format (default: by file name; .jsonl, .ndjson and\n"
       "                             .json are JSON Lines, anything else CSV)\n"
       "      --as-of=YYYY-MM-DD     the evaluation date, 'as_of' in rules (default today)\n"
       "      --progress, --no-progress\n"
       "                             progress line on standard error (default: when a terminal)\n"),
    CLI_MISSING_HELP, N_("  -h, --help                 this help\n"),
    /* TRANSLATORS: the end of `elig diff --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 all good (whether or not anything changes), 1 rule errors, 2 usage,\n"
       "3 some records rejected by either rule set, 4 an input could not be read or an output\n"
       "could not be written\n"),
    NULL};

typedef struct {
  elig_diff_options opt;
  bool csv; /* --format csv, which needs --by */
  int input_format;
  const char *list;
  bool progress;
} diff_args;

static int parse_diff(int argc, char **argv, diff_args *a)
{
  enum {
    O_FORMAT = 256,
    O_BY,
    O_LIST,
    O_INPUT_FORMAT,
    O_AS_OF,
    O_PROGRESS,
    O_NO_PROGRESS,
    O_MISSING
  };
  static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
                                       {"by", required_argument, NULL, O_BY},
                                       {"list", required_argument, NULL, O_LIST},
                                       {"input-format", required_argument, NULL, O_INPUT_FORMAT},
                                       {"as-of", required_argument, NULL, O_AS_OF},
                                       {"progress", no_argument, NULL, O_PROGRESS},
                                       {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                       {"missing", required_argument, NULL, O_MISSING},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_diff, stdout); return EXIT_OK;
    case O_FORMAT:
      if (strcmp(optarg, "text") == 0)
        a->opt.format = ELIG_FORMAT_TEXT;
      else if (strcmp(optarg, "json") == 0)
        a->opt.format = ELIG_FORMAT_JSON;
      else if (strcmp(optarg, "csv") == 0)
        a->opt.format = ELIG_FORMAT_CSV;
      else
        return cli_usage_error(usage_diff, "unknown format '%s': use text, json or csv", optarg);
      break;
    case O_BY: a->opt.by = optarg; break;
    case O_LIST: a->list = optarg; break;
    case O_INPUT_FORMAT:
      if (strcmp(optarg, "csv") == 0)
        a->input_format = ELIG_INPUT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        a->input_format = ELIG_INPUT_JSONL;
      else
        return cli_usage_error(usage_diff, "unknown input format '%s': use csv or jsonl", optarg);
      break;
    case O_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_diff, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      a->opt.as_of = optarg;
      break;
    case O_PROGRESS: a->progress = true; break;
    case O_NO_PROGRESS: a->progress = false; break;
    case O_MISSING:
      if (!cli_parse_missing(optarg, &a->opt.missing))
        return cli_usage_error(usage_diff, "--missing takes reject or undetermined, not '%s'",
                               optarg);
      break;
    case ':': return cli_usage_error(usage_diff, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_diff, argv, opts);
    }
  }
  if (a->opt.format == ELIG_FORMAT_CSV && !a->opt.by)
    return cli_usage_error(usage_diff, "--format csv is the table of groups: it needs --by", NULL);
  if (argc - optind < 2)
    return cli_usage_error(usage_diff, "need two rule files and at least one data file", NULL);
  if (argc - optind < 3)
    return cli_usage_error(usage_diff, "need at least one data file after the two rule files",
                           NULL);
  return -1; /* go on */
}

/* The list file against every input, the registers and both rule sets' files; the report
 * goes to standard output, so the list may not go there too. */
static bool list_usable(const char *list, char *const *data, size_t ndata,
                        const elig_ruleset *old_rs, const elig_ruleset *new_rs)
{
  if (!list)
    return true;
  size_t n = ndata + elig_ruleset_file_count(old_rs) + elig_ruleset_file_count(new_rs);
  const char **inputs = malloc((n + 1) * sizeof *inputs);
  if (!inputs) {
    cli_say(_("out of memory"));
    return false;
  }
  n = 0;
  for (size_t i = 0; i < ndata; i++)
    inputs[n++] = data[i];
  for (size_t i = 0; i < elig_ruleset_file_count(old_rs); i++)
    inputs[n++] = elig_ruleset_file(old_rs, i);
  for (size_t i = 0; i < elig_ruleset_file_count(new_rs); i++)
    inputs[n++] = elig_ruleset_file(new_rs, i);
  const char *outputs[] = {"-", list};
  bool ok = out_check_paths(outputs, 2, inputs, n, stderr);
  free(inputs);
  return ok;
}

/* --by names an aggregate both rule sets have, grouping by as many keys: else a usage error
 * that names the closest aggregate. */
static bool by_usable(const char *by, const elig_ruleset *old_rs, const elig_ruleset *new_rs)
{
  size_t io, in;
  bool in_old = elig_ruleset_aggregate_index(old_rs, by, &io) == ELIG_OK;
  bool in_new = elig_ruleset_aggregate_index(new_rs, by, &in) == ELIG_OK;
  if (in_old && in_new)
    return true;
  size_t n = elig_ruleset_aggregate_count(old_rs);
  const char **names = malloc((n + 1) * sizeof *names);
  const char *near = NULL;
  if (names) {
    for (size_t i = 0; i < n; i++)
      names[i] = elig_ruleset_aggregate_name(old_rs, i);
    near = elig_suggest(by, strlen(by), names, n);
  }
  if (in_old)
    /* TRANSLATORS: --by names an aggregate (%s) that only the old rules have. */
    cli_say(_("--by: only the old rules have an aggregate '%s'"), by);
  else if (in_new)
    /* TRANSLATORS: --by names an aggregate (%s) that only the new rules have. */
    cli_say(_("--by: only the new rules have an aggregate '%s'"), by);
  else if (near)
    /* TRANSLATORS: --by names no aggregate of the rules (the first %s); the second is the
       closest aggregate's name.  Names stay as they are. */
    cli_say(_("--by: the rules have no aggregate '%s'; did you mean '%s'?"), by, near);
  else
    cli_say(_("--by: the rules have no aggregate '%s'"), by);
  free(names);
  return false;
}

static int diff_status(elig_status st, const elig_batch_stats *s)
{
  if (st == ELIG_ECANCELED)
    cli_say(_("interrupted: no report and no list file were written"));
  cli_say_status(st);
  if (s->rejected) {
    unsigned long long n = (unsigned long long)s->records;
    /* TRANSLATORS: the end of `elig diff` when records were rejected: records read, records
       compared, records rejected, and of those how many by the old and by the new rules. */
    cli_say(i18n_plural("%llu record read, %llu compared, %llu rejected (%llu by the old rules, "
                        "%llu by the new rules)",
                        "%llu records read, %llu compared, %llu rejected (%llu by the old rules, "
                        "%llu by the new rules)",
                        n),
            n, (unsigned long long)s->written, (unsigned long long)s->rejected,
            (unsigned long long)s->rejected_old, (unsigned long long)s->rejected_new);
  }
  if (st != ELIG_OK)
    return EXIT_IO;
  return s->rejected ? EXIT_REJECTED : EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
  diff_args a = {.opt = ELIG_DIFF_OPTIONS_INIT, .input_format = -1, .progress = isatty(2)};
  int usage = parse_diff(argc, argv, &a);
  if (usage >= 0)
    return usage;
  /* both are compiled, so that every error of both is shown at once */
  int old_failure, new_failure;
  elig_ruleset *old_rs = cli_compile(argv[optind], &old_failure);
  elig_ruleset *new_rs = cli_compile(argv[optind + 1], &new_failure);
  char *const *data = argv + optind + 2;
  size_t ndata = (size_t)(argc - optind - 2);
  if (!old_rs || !new_rs || !list_usable(a.list, data, ndata, old_rs, new_rs) ||
      (a.opt.by && !by_usable(a.opt.by, old_rs, new_rs))) {
    int status = old_rs && new_rs            ? EXIT_USAGE
                 : old_failure > new_failure ? old_failure
                                             : new_failure;
    elig_ruleset_free(old_rs);
    elig_ruleset_free(new_rs);
    return status;
  }
  a.opt.old_name = argv[optind];
  a.opt.new_name = argv[optind + 1];
  a.opt.list = a.list != NULL;
  output list = {0};
  cli_sink sink = {.progress = a.progress, .diff_progress = true};
  elig_batch_stats stats = {0};
  elig_status st = ELIG_EIO;
  cli_file *files = calloc(ndata + 1, sizeof *files);
  elig_input *inputs = calloc(ndata + 1, sizeof *inputs);
  bool opened = files && inputs && (!a.list || out_open(&list, a.list, stderr));
  if (!files || !inputs) {
    st = ELIG_ENOMEM;
  } else if (opened) {
    sink.streams[ELIG_STREAM_LIST] = a.list ? &list : NULL;
    cli_inputs(data, ndata, a.input_format, files, inputs);
    elig_batch_io io = cli_batch_io(&sink);
    cli_catch_interrupts();
    st = elig_diff(old_rs, new_rs, &a.opt, inputs, ndata, &io, &stats);
    cli_end_progress(&sink);
  }
  /* the one invalid option left once both rule sets have the aggregate */
  bool by_mismatch = st == ELIG_EINVAL && a.opt.by;
  if (by_mismatch)
    /* TRANSLATORS: --by names an aggregate (%s) that groups records by different keys in the
       old and the new rules. */
    cli_say(_("--by: aggregate '%s' groups records by different keys in the old and the new "
              "rules; its groups cannot be matched"),
            a.opt.by);
  /* the list is kept only when the report could be written too (the report comes last) */
  bool keep = opened && st == ELIG_OK && out_flush(&list, stderr);
  bool closed = out_close(&list, keep, stderr);
  int status = by_mismatch ? EXIT_USAGE : diff_status(st, &stats);
  if (status != EXIT_IO && !closed)
    status = EXIT_IO;
  free(files);
  free(inputs);
  elig_ruleset_free(old_rs);
  elig_ruleset_free(new_rs);
  return status;
}
