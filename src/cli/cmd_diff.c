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
static int usage_error(const char *message, const char *arg)
{
  const char *hole = strstr(message, "%s");
  fprintf(stderr, "elig: ");
  if (hole)
    fprintf(stderr, "%.*s%s%s", (int)(hole - message), message, arg, hole + 2);
  else
    fputs(message, stderr);
  fprintf(stderr, "\n%s", usage_diff);
  return EXIT_USAGE;
}

/* An option getopt did not know: say which, suggest the closest one, and where to look. */
static int bad_option(char **argv, const struct option *opts)
{
  const char *arg = argv[optind - 1];
  const char *names[32];
  char buf[32][40];
  size_t n = 0;
  for (; opts->name && n < 32; opts++, n++) {
    snprintf(buf[n], sizeof buf[n], "--%s", opts->name);
    names[n] = buf[n];
  }
  const char *eq = strchr(arg, '=');
  size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
  const char *best = suggest_closest(arg, len, names, n);
  fprintf(stderr, "elig: unknown option '%.*s'", (int)len, arg);
  if (best)
    fprintf(stderr, "; did you mean '%s'?", best);
  fprintf(stderr, "\n%s", usage_diff);
  return EXIT_USAGE;
}

/* Compiles `path`, printing its diagnostics as `elig check` does; NULL on error. */
static elig_program *compile_file(const char *path)
{
  diag_list *diags = diag_list_new();
  src_set *srcs = NULL;
  ruleset_source src = {.path = path};
  if (!diags) {
    fprintf(stderr, "elig: out of memory\n");
    return NULL;
  }
  elig_program *P = ruleset_compile(&src, diags, &srcs);
  if (diag_count(diags)) {
    char *text = diag_render(diags, srcs, isatty(2));
    if (text)
      fputs(text, stderr);
    free(text);
    if (diag_warning_count(diags) > DIAG_MAX_WARNINGS)
      fprintf(stderr, "elig: %zu more warnings not shown\n",
              diag_warning_count(diags) - DIAG_MAX_WARNINGS);
  }
  if (P && diag_error_count(diags) > 0) {
    comp_program_free(P);
    P = NULL;
  }
  if (!P)
    src_set_free(srcs);
  diag_list_free(diags);
  return P;
}

/* "elig: warning: 3 keys that are no field of 'household' were ignored by the new rules in 1
 * record; the first, 'exited_yaer' on line 7: did you mean 'exited_year'?" */
static void report_unknown_keys(const elig_program *P, const rec_unknown *u, const char *which)
{
  const prog_record *rec = &P->records[P->main_record];
  const char *names[512];
  size_t n = 0;
  for (uint32_t i = 0; i < rec->nfields && n < 512; i++)
    names[n++] = rec->fields[i].name;
  const char *best = suggest_closest(u->first, strlen(u->first), names, n);
  fprintf(stderr,
          "elig: warning: %llu key%s that %s no field of '%s' %s ignored%s in %llu record%s; "
          "the first, '%s' on line %llu",
          (unsigned long long)u->keys, u->keys == 1 ? "" : "s", u->keys == 1 ? "is" : "are",
          rec->name, u->keys == 1 ? "was" : "were", which, (unsigned long long)u->records,
          u->records == 1 ? "" : "s", u->first, (unsigned long long)u->first_line);
  if (best)
    fprintf(stderr, ": did you mean '%s'?", best);
  fputc('\n', stderr);
}

static bool same_unknown(const rec_unknown *a, const rec_unknown *b)
{
  return a->keys == b->keys && a->records == b->records && a->first_line == b->first_line &&
         strcmp(a->first, b->first) == 0;
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
  diff_options o = {.input_format = -1, .format = DIFF_TEXT, .progress = isatty(2)};
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
        return usage_error("unknown format '%s': use text or json", optarg);
      break;
    case O_LIST: o.list = optarg; break;
    case O_INPUT_FORMAT:
      if (strcmp(optarg, "csv") == 0)
        o.input_format = INPUT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        o.input_format = INPUT_JSONL;
      else
        return usage_error("unknown input format '%s': use csv or jsonl", optarg);
      break;
    case O_AS_OF:
      if (!date_parse(optarg, strlen(optarg), &o.as_of))
        return usage_error("--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      break;
    case O_PROGRESS: o.progress = true; break;
    case O_NO_PROGRESS: o.progress = false; break;
    case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
    default: return bad_option(argv, opts);
    }
  }
  if (argc - optind < 3)
    return usage_error("%s", argc - optind < 2 ? "need two rule files and at least one data file"
                                               : "need at least one data file after the two "
                                                 "rule files");
  /* both are compiled, so that every error of both is shown at once */
  elig_program *old_p = compile_file(argv[optind]);
  elig_program *new_p = compile_file(argv[optind + 1]);
  if (!old_p || !new_p) {
    comp_program_free(old_p);
    comp_program_free(new_p);
    return EXIT_RULES;
  }
  o.old_p = old_p;
  o.new_p = new_p;
  o.old_name = argv[optind];
  o.new_name = argv[optind + 1];
  o.inputs = (const char *const *)argv + optind + 2;
  o.ninputs = (uint32_t)(argc - optind - 2);
  diff_stats st;
  int status = diff_batch(&o, &st, stderr);
  bool same = same_unknown(&st.unknown_old, &st.unknown_new);
  if (st.unknown_old.keys)
    report_unknown_keys(old_p, &st.unknown_old, same ? "" : " by the old rules");
  if (st.unknown_new.keys && !same)
    report_unknown_keys(new_p, &st.unknown_new, " by the new rules");
  if (st.rejected)
    fprintf(stderr,
            "elig: %llu record%s read, %llu compared, %llu rejected (%llu by the old rules, "
            "%llu by the new rules)\n",
            (unsigned long long)st.records, st.records == 1 ? "" : "s",
            (unsigned long long)st.compared, (unsigned long long)st.rejected,
            (unsigned long long)st.rejected_old, (unsigned long long)st.rejected_new);
  comp_program_free(old_p);
  comp_program_free(new_p);
  return status;
}
