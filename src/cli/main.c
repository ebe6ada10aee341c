/*
 * main.c -- the `elig` command: subcommands in the style of git and opa, on the public
 * library alone (elig.h).
 *
 *   elig check FILE...           compile only; every diagnostic; exit 1 on error
 *   elig run RULES DATA...       evaluate records; results, aggregates and rejects
 *   elig test FILE...            the rule files' own tests
 *   elig explain RULES DATA...   why a record's decisions came out as they did
 *   (diff, fmt and serve have files of their own)
 *
 * Exit status (cli_exit): 0 all good, 1 rule errors, 2 usage, 3 some records rejected, 4 an
 * input could not be read or an output could not be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../i18n.h"

/* The usages (cli_print_usage): each message a paragraph or a run of options. */
static const char *const usage_main[] = {
    /* TRANSLATORS: the start of `elig --help`.  Translate the descriptions; the commands,
       options and words in capitals (FILE, RULES, DATA, DB, KEY, HH_ID) are typed as they
       are; keep the descriptions in their column. */
    N_("usage: elig <command> [options] [arguments]\n"
       "\n"
       "commands:\n"
       "  check FILE...          check rule files; print every error and warning\n"
       "  run RULES DATA...      evaluate household records against a rule set\n"
       "  test FILE...           run the test blocks of rule files (and of what they import)\n"
       "  fmt FILE...            rewrite rule files in the canonical layout (--check: only say)\n"
       "  diff OLD NEW DATA...   the impact of a rule change on a register\n"
       "  explain RULES DATA... --id KEY\n"
       "                         why a record's decisions and flags came out as they did\n"
       "  serve RULES            an HTTP JSON service evaluating records with RULES\n"
       "  register add --db DB RULES DATA...\n"
       "                         evaluate records with the history a register holds, and keep\n"
       "                         them and their results in it (SQLite)\n"
       "  register export --db DB\n"
       "                         the register's current results, as `elig run` writes them\n"
       "  history --db DB --id HH_ID\n"
       "                         one household's years in a register, with every correction\n"),
    /* TRANSLATORS: the options of `elig --help`: translate the descriptions only. */
    N_("\n"
       "options:\n"
       "  -h, --help             this help; 'elig COMMAND --help' for a command's\n"
       "  -V, --version          the version\n"),
    /* TRANSLATORS: the end of `elig --help` and `elig run --help`: the exit statuses
       (numbers) a script sees. */
    N_("\n"
       "exit status: 0 all good, 1 rule errors, 2 usage, 3 some records rejected,\n"
       "4 an input could not be read or an output could not be written\n"),
    NULL};

static const char *const usage_check[] = {
    /* TRANSLATORS: the start of `elig check --help`.  The command line after "usage:" is
       typed as it is (FILE may be translated); FILE:LINE:COL is the form of a place in a
       message. */
    N_("usage: elig check [options] FILE...\n"
       "       elig check --explain [CODE...]\n"
       "\n"
       "Compiles each rule file (with everything it imports) without reading any record,\n"
       "and prints every error and warning as FILE:LINE:COL with the source line.\n"),
    /* TRANSLATORS: the options of `elig check --help`: translate the descriptions only;
       the options and their values (ast, code) are typed as they are. */
    N_("\n"
       "options:\n"
       "  --dump=ast|code        also print the syntax tree or the compiled program\n"
       "  --explain              explain each CODE given (E0201, W0001, ...): what it means,\n"
       "                         a wrong example and the right one; with no CODE, list the\n"
       "                         codes\n"
       "  -h, --help             this help\n"),
    /* TRANSLATORS: the end of `elig check --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 no errors (warnings allowed), 1 errors, 2 usage\n"),
    NULL};

static const char *const usage_run[] = {
    /* TRANSLATORS: the start of `elig run --help`.  The command line after "usage:" is typed
       as it is; '-' is typed as it is. */
    N_("usage: elig run [options] RULES DATA...\n"
       "\n"
       "Evaluates every record of DATA (CSV with a header, or JSON Lines; '-' is standard\n"
       "input) and writes one result per record, in input order, then the aggregates.\n"),
    /* TRANSLATORS: options of `elig run --help`: translate the descriptions only; the
       options, their values (csv, jsonl), file names (.jsonl), column and field names
       (line, hh_id, year, reason, record, why) and 'as_of' are typed or read as they are;
       K, M and G are size suffixes; keep the descriptions' column. */
    N_("\n"
       "options:\n"
       "  -f, --format=csv|jsonl     output format (default csv)\n"
       "      --input-format=csv|jsonl\n"
       "                             input format (default: by file name; .jsonl, .ndjson and\n"
       "                             .json are JSON Lines, anything else CSV)\n"
       "  -o, --output=FILE          results to FILE (default standard output)\n"
       "      --aggregates=FILE      aggregate results to FILE (default: after the records)\n"
       "      --rejects=FILE         rejected records to FILE as CSV: line, the key\n"
       "                             fields (hh_id,year), reason, record\n"
       "                             (default: each rejection reported on standard error)\n"
       "      --as-of=YYYY-MM-DD     the evaluation date, 'as_of' in rules (default today)\n"
       "  -j, --threads=N            worker threads (default: the cores available)\n"
       "      --memory=SIZE          rules that follow households over the years read the whole\n"
       "                             input first: keep about SIZE bytes of it in memory (K, M,\n"
       "                             G suffixes), the rest in temporary files in $TMPDIR\n"
       "                             (default 256M)\n"
       "      --progress, --no-progress\n"
       "                             progress line on standard error (default: when a terminal)\n"
       "      --explain              a last column, 'why', naming the rule that decided each\n"
       "                             decision (elig explain gives the full explanation)\n"
       "      --show-values          rejection messages quote the value at fault (records hold\n"
       "                             personal data: by default messages never do)\n"),
    CLI_MISSING_HELP,
    /* TRANSLATORS: the last options of `elig run --help`: 'defaulted' is a column name. */
    N_("      --show-defaults        a column 'defaulted': the fields a record left empty that\n"
       "                             took their default from the schema and that a result\n"
       "                             depends on\n"
       "  -h, --help                 this help\n"),
    N_("\n"
       "exit status: 0 all good, 1 rule errors, 2 usage, 3 some records rejected,\n"
       "4 an input could not be read or an output could not be written\n"),
    NULL};

static const char *const usage_test[] = {
    /* TRANSLATORS: the start of `elig test --help`.  FILE:LINE:COL: test "NAME": expected
       CONDITION, got VALUES is the form of a failure as the test report prints it, and
       'N passed, N failed' its summary: write them as your translations of those messages
       read. */
    N_("usage: elig test [options] FILE...\n"
       "\n"
       "Runs every test block in each rule file and the files it imports.  Each failure is\n"
       "printed as FILE:LINE:COL: test \"NAME\": expected CONDITION, got VALUES; then a summary\n"
       "line 'N passed, N failed'.  A rule file with errors runs no test: its errors are\n"
       "printed as by 'elig check'.\n"),
    /* TRANSLATORS: the options of `elig test --help`: translate the descriptions only;
       'as_of' is a word of the rule language. */
    N_("\n"
       "options:\n"
       "      --run=TEXT             run only the tests whose name contains TEXT\n"
       "      --coverage             also list the decision rules and flags no test exercised,\n"
       "                             and the share covered\n"
       "      --as-of=YYYY-MM-DD     the evaluation date, 'as_of' in rules (default today)\n"
       "  -h, --help                 this help\n"),
    /* TRANSLATORS: the end of `elig test --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 all tests passed, 1 a test failed or a rule file has errors, 2 usage\n"),
    NULL};

static const char *const usage_explain[] = {
    /* TRANSLATORS: the start of `elig explain --help`.  The command line after "usage:" is
       typed as it is. */
    N_("usage: elig explain [options] RULES DATA... --id KEY\n"
       "\n"
       "For each record of DATA whose key is KEY: every decision with the rule that decided, its\n"
       "reason, the values it read and the conditions it met; the rules before it that did not\n"
       "match, each with the first condition not met and by how much; every flag (raised or not)\n"
       "with its values and conditions; and what the derived values used were computed from.\n"
       "A record with that key that is rejected is explained by its rejection.\n"),
    /* TRANSLATORS: the options of `elig explain --help`: translate the descriptions only;
       the options, their values (text, json, csv, jsonl) and the field names hh_id and
       year are typed as they are; keep the descriptions' column. */
    N_("\n"
       "options:\n"
       "      --id=KEY               the record's first key field (hh_id in the national rules)\n"
       "      --year=YEAR            also require the field 'year' to be YEAR\n"
       "  -f, --format=text|json     a readable tree (default) or one JSON object per record\n"
       "      --input-format=csv|jsonl\n"
       "      --as-of=YYYY-MM-DD     the evaluation date (default today)\n"
       "      --set=FIELD=VALUE      what if: explain the record with FIELD holding VALUE (as a\n"
       "                             CSV cell writes it; empty: absent); repeat for more\n"
       "                             fields\n"
       "      --what-if=FIELD        after each explanation, for each decision and flag, the\n"
       "                             nearest values of FIELD (a number or amount) below and\n"
       "                             above the record's at which it changes, and to what\n"),
    CLI_MISSING_HELP,
    /* TRANSLATORS: the last option of a command's --help (explain, diff). */
    N_("  -h, --help                 this help\n"),
    /* TRANSLATORS: the end of `elig explain --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 explained, 1 rule errors, 2 usage, 3 no record has that key or it is\n"
       "rejected, 4 an input could not be read\n"),
    NULL};

void cli_print_usage(const char *const *usage, FILE *f)
{
  for (; *usage; usage++)
    fputs(_(*usage), f);
}

void cli_say(const char *format, ...)
{
  va_list ap;
  va_start(ap, format);
  fputs("elig: ", stderr);
  vfprintf(stderr, format, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_usage_error(const char *const *usage, const char *message, const char *arg)
{
  message = _(message);
  const char *hole = arg ? strstr(message, "%s") : NULL;
  fprintf(stderr, "elig: ");
  if (hole)
    fprintf(stderr, "%.*s%s%s", (int)(hole - message), message, arg, hole + 2);
  else
    fputs(message, stderr);
  fputc('\n', stderr);
  cli_print_usage(usage, stderr);
  return EXIT_USAGE;
}

/* An option getopt did not know: say which, suggest the closest one, and where to look. */
int cli_bad_option(const char *const *usage, char **argv, const struct option *opts)
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
  const char *best = elig_suggest(arg, len, names, n);
  if (best)
    /* TRANSLATORS: an option of the command line the command does not have, and the one
       it has that is nearest; both stay as they are. */
    cli_say(_("unknown option '%.*s'; did you mean '%s'?"), (int)len, arg, best);
  else
    cli_say(_("unknown option '%.*s'"), (int)len, arg);
  cli_print_usage(usage, stderr);
  return EXIT_USAGE;
}

void cli_say_status(elig_status st)
{
  if (st == ELIG_ENOMEM)
    cli_say(_("out of memory"));
  else if (st == ELIG_EINTERNAL)
    cli_say("%s", elig_status_str(st));
}

elig_ruleset *cli_compile(const char *path, int *failure)
{
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  elig_status st = elig_compile_file(path, NULL, &rs, &diags);
  if (elig_diags_count(diags)) {
    char *text = elig_diags_render(diags, isatty(2));
    if (text)
      fputs(text, stderr);
    elig_free(text);
  }
  if (st == ELIG_ENOMEM && !elig_diags_count(diags))
    cli_say_status(st);
  elig_diags_free(diags);
  *failure = rs ? EXIT_OK : st == ELIG_ENOMEM ? EXIT_IO : EXIT_RULES;
  return rs;
}

/* Writes text to standard output (a failure is found and said at exit: finish_stdout). */
static void print_text(const char *text)
{
  if (text)
    fputs(text, stdout);
}

static int cmd_check(int argc, char **argv)
{
  static const struct option opts[] = {{"dump", required_argument, NULL, 'd'},
                                       {"explain", no_argument, NULL, 'x'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  const char *dump = NULL;
  bool explain = false;
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (c == 'h') {
      cli_print_usage(usage_check, stdout);
      return EXIT_OK;
    }
    if (c == 'x') {
      explain = true;
      continue;
    }
    if (c == 'd' && (strcmp(optarg, "code") == 0 || strcmp(optarg, "ast") == 0)) {
      dump = optarg;
      continue;
    }
    if (c == 'd')
      /* TRANSLATORS: %s is what --dump was given; ast and code are its values. */
      return cli_usage_error(usage_check, "unknown dump '%s': use ast or code", optarg);
    if (c == ':')
      /* TRANSLATORS: %s is an option of the command line (--output), given no value. */
      return cli_usage_error(usage_check, "option '%s' needs a value", argv[optind - 1]);
    return cli_bad_option(usage_check, argv, opts);
  }
  if (explain)
    return cli_explain_codes(argc - optind, argv + optind);
  if (optind >= argc)
    return cli_usage_error(usage_check, "no rule file given", NULL);
  int status = EXIT_OK;
  for (int i = optind; i < argc; i++) {
    int failure;
    if (dump && strcmp(dump, "ast") == 0) {
      /* what the parser read, also when the rules then fail to check */
      char *tree = NULL;
      if (elig_dump_syntax(argv[i], NULL, &tree) == ELIG_OK)
        print_text(tree);
      elig_free(tree);
    }
    elig_ruleset *rs = cli_compile(argv[i], &failure);
    if (!rs)
      status = failure > status ? failure : status;
    else if (isatty(2))
      /* silence means success to a script, but a person at a terminal wants to be told */
      /* TRANSLATORS: said on a terminal when a rule file (%s) compiles without error. */
      fprintf(stderr, _("%s: no errors\n"), argv[i]);
    if (rs && dump && strcmp(dump, "code") == 0) {
      char *text = NULL;
      elig_status st = elig_ruleset_dump_code(rs, &text);
      print_text(text);
      elig_free(text);
      if (st != ELIG_OK) {
        cli_say_status(st);
        status = EXIT_IO;
      }
    }
    elig_ruleset_free(rs);
  }
  return status;
}

bool cli_parse_input_format(const char *s, int *out)
{
  if (strcmp(s, "csv") == 0)
    *out = ELIG_INPUT_CSV;
  else if (strcmp(s, "jsonl") == 0)
    *out = ELIG_INPUT_JSONL;
  else
    return false;
  return true;
}

/* The outputs of a run against each other and against every input: the registers and the
 * rule files (an output named like a rule file would replace the rules with results). */
static bool paths_usable(const char *const *outputs, size_t noutputs, char *const *data,
                         size_t ndata, const elig_ruleset *const *sets, size_t nsets)
{
  size_t n = ndata;
  for (size_t k = 0; k < nsets; k++)
    n += elig_ruleset_file_count(sets[k]);
  const char **inputs = malloc((n + 1) * sizeof *inputs);
  if (!inputs) {
    cli_say(_("out of memory"));
    return false;
  }
  n = 0;
  for (size_t i = 0; i < ndata; i++)
    inputs[n++] = data[i];
  for (size_t k = 0; k < nsets; k++)
    for (size_t i = 0; i < elig_ruleset_file_count(sets[k]); i++)
      inputs[n++] = elig_ruleset_file(sets[k], i);
  bool ok = out_check_paths(outputs, noutputs, inputs, n, stderr);
  free(inputs);
  return ok;
}

typedef struct {
  elig_run_options opt;
  int input_format;
  const char *output, *rejects, *aggregates;
  bool progress;
} run_args;

bool cli_parse_size(const char *text, size_t *bytes)
{
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (end == text || errno || text[0] == '-')
    return false;
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k')
    shift = 10;
  else if (*end == 'M' || *end == 'm')
    shift = 20;
  else if (*end == 'G' || *end == 'g')
    shift = 30;
  if (shift)
    end++;
  if (*end || n == 0 || n > (1ull << 40) >> shift)
    return false;
  *bytes = (size_t)(n << shift);
  return true;
}

static int parse_run(int argc, char **argv, run_args *a)
{
  enum {
    O_INPUT_FORMAT = 256,
    O_AGGREGATES,
    O_REJECTS,
    O_AS_OF,
    O_PROGRESS,
    O_NO_PROGRESS,
    O_EXPLAIN,
    O_SHOW_VALUES,
    O_MEMORY,
    O_MISSING,
    O_SHOW_DEFAULTS
  };
  static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                       {"input-format", required_argument, NULL, O_INPUT_FORMAT},
                                       {"output", required_argument, NULL, 'o'},
                                       {"aggregates", required_argument, NULL, O_AGGREGATES},
                                       {"rejects", required_argument, NULL, O_REJECTS},
                                       {"as-of", required_argument, NULL, O_AS_OF},
                                       {"threads", required_argument, NULL, 'j'},
                                       {"progress", no_argument, NULL, O_PROGRESS},
                                       {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                       {"explain", no_argument, NULL, O_EXPLAIN},
                                       {"show-values", no_argument, NULL, O_SHOW_VALUES},
                                       {"memory", required_argument, NULL, O_MEMORY},
                                       {"missing", required_argument, NULL, O_MISSING},
                                       {"show-defaults", no_argument, NULL, O_SHOW_DEFAULTS},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, ":f:o:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_run, stdout); return EXIT_OK;
    case O_SHOW_DEFAULTS: a->opt.show_defaults = true; break;
    case O_MISSING:
      if (!cli_parse_missing(optarg, &a->opt.missing))
        /* TRANSLATORS: an option's wrong value (%s, as given); the option and its values
           (reject, undetermined) stay as they are. */
        return cli_usage_error(usage_run, "--missing takes reject or undetermined, not '%s'",
                               optarg);
      break;
    case 'f':
      if (strcmp(optarg, "csv") == 0)
        a->opt.format = ELIG_FORMAT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        a->opt.format = ELIG_FORMAT_JSON;
      else
        return cli_usage_error(usage_run, "unknown format '%s': use csv or jsonl", optarg);
      break;
    case O_INPUT_FORMAT:
      if (!cli_parse_input_format(optarg, &a->input_format))
        return cli_usage_error(usage_run, "unknown input format '%s': use csv or jsonl", optarg);
      break;
    case 'o': a->output = optarg; break;
    case O_AGGREGATES: a->aggregates = optarg; break;
    case O_REJECTS: a->rejects = optarg; break;
    case O_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_run, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      a->opt.as_of = optarg;
      break;
    case 'j':
      if (!cli_parse_threads(optarg, &a->opt.threads))
        return cli_usage_error(usage_run, "--threads takes a number from 1 to 256, not '%s'",
                               optarg);
      break;
    case O_PROGRESS: a->progress = true; break;
    case O_NO_PROGRESS: a->progress = false; break;
    case O_EXPLAIN: a->opt.explain = true; break;
    case O_SHOW_VALUES: a->opt.show_values = true; break;
    case O_MEMORY:
      if (!cli_parse_size(optarg, &a->opt.memory_limit))
        return cli_usage_error(usage_run, "--memory takes a size such as 512M or 2G, not '%s'",
                               optarg);
      break;
    case ':': return cli_usage_error(usage_run, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_run, argv, opts);
    }
  }
  if (argc - optind < 2)
    return cli_usage_error(usage_run, "need a rule file and at least one data file", NULL);
  return -1; /* go on */
}

/* After a batch: what the person is told, and the exit status. */
static int run_status(elig_status st, const elig_batch_stats *stats, const run_args *a, bool kept)
{
  bool to_file = a->output && strcmp(a->output, "-") != 0;
  if (st == ELIG_ECANCELED) {
    if (to_file)
      cli_say(_("interrupted: no output file was written"));
    else
      cli_say(_("interrupted: no output file was written (standard output has only part of "
                "the results)"));
  }
  cli_say_status(st);
  if (st != ELIG_OK || !kept) {
    unsigned long long n = (unsigned long long)stats->records;
    if (to_file)
      cli_say(i18n_plural("stopped after %llu record; the output files were not kept",
                          "stopped after %llu records; the output files were not kept", n),
              n);
    else if (n)
      cli_say(i18n_plural("stopped after %llu record; standard output has only part of the "
                          "results",
                          "stopped after %llu records; standard output has only part of the "
                          "results",
                          n),
              n);
    else
      cli_say(i18n_plural("stopped after %llu record", "stopped after %llu records", n), n);
    return EXIT_IO;
  }
  if (stats->rejected) {
    unsigned long long n = (unsigned long long)stats->records;
    if (a->rejects)
      /* TRANSLATORS: the end of `elig run` when records were rejected: records read, results
         written, records rejected, and the file (--rejects) the rejected ones are in. */
      cli_say(i18n_plural("%llu record read, %llu written, %llu rejected (see %s)",
                          "%llu records read, %llu written, %llu rejected (see %s)", n),
              n, (unsigned long long)stats->written, (unsigned long long)stats->rejected,
              a->rejects);
    else
      /* TRANSLATORS: the end of `elig run` when records were rejected: records read, results
         written, records rejected. */
      cli_say(i18n_plural("%llu record read, %llu written, %llu rejected",
                          "%llu records read, %llu written, %llu rejected", n),
              n, (unsigned long long)stats->written, (unsigned long long)stats->rejected);
  }
  return stats->rejected ? EXIT_REJECTED : EXIT_OK;
}

static int cmd_run(int argc, char **argv)
{
  run_args a = {.opt = ELIG_RUN_OPTIONS_INIT, .input_format = -1, .progress = isatty(2)};
  int usage = parse_run(argc, argv, &a);
  if (usage >= 0)
    return usage;
  int failure;
  elig_ruleset *rs = cli_compile(argv[optind], &failure);
  if (!rs)
    return failure;
  char *const *data = argv + optind + 1;
  size_t ndata = (size_t)(argc - optind - 1);
  const char *outputs[] = {a.output ? a.output : "-", a.rejects, a.aggregates};
  const elig_ruleset *sets[] = {rs};
  if (!paths_usable(outputs, 3, data, ndata, sets, 1)) {
    elig_ruleset_free(rs);
    return EXIT_USAGE;
  }
  output results = {0}, rejects = {0}, aggregates = {0};
  cli_sink sink = {.progress = a.progress};
  elig_batch_stats stats = {0};
  elig_status st = ELIG_EIO;
  cli_file *files = calloc(ndata + 1, sizeof *files);
  elig_input *inputs = calloc(ndata + 1, sizeof *inputs);
  bool opened = files && inputs && out_open(&results, a.output, stderr) &&
                (!a.rejects || out_open(&rejects, a.rejects, stderr)) &&
                (!a.aggregates || out_open(&aggregates, a.aggregates, stderr));
  if (!files || !inputs) {
    cli_say(_("out of memory"));
  } else if (opened) {
    sink.streams[ELIG_STREAM_RESULTS] = &results;
    sink.streams[ELIG_STREAM_REJECTS] = a.rejects ? &rejects : NULL;
    sink.streams[ELIG_STREAM_AGGREGATES] = a.aggregates ? &aggregates : NULL;
    a.opt.reject_rows = a.rejects != NULL;
    a.opt.separate_aggregates = a.aggregates != NULL;
    cli_inputs(data, ndata, a.input_format, files, inputs);
    a.opt.reread = cli_inputs_rereadable(data, ndata);
    elig_batch_io io = cli_batch_io(&sink);
    cli_catch_interrupts();
    st = elig_run(rs, &a.opt, inputs, ndata, &io, &stats);
    cli_end_progress(&sink);
  }
  /* every output flushed and closed, whatever the others did: no short-circuit */
  bool flushed_out = out_flush(&results, stderr), flushed_rej = out_flush(&rejects, stderr);
  bool flushed = out_flush(&aggregates, stderr) && flushed_out && flushed_rej;
  bool keep = opened && st == ELIG_OK && flushed;
  bool closed_out = out_close(&results, keep, stderr);
  bool closed_rej = out_close(&rejects, keep, stderr);
  bool closed = out_close(&aggregates, keep, stderr) && closed_out && closed_rej;
  int status = run_status(st, &stats, &a, keep && closed);
  free(files);
  free(inputs);
  elig_ruleset_free(rs);
  return status;
}

enum {
  EXPLAIN_ID = 256,
  EXPLAIN_YEAR,
  EXPLAIN_INPUT_FORMAT,
  EXPLAIN_AS_OF,
  EXPLAIN_SET,
  EXPLAIN_MISSING,
  EXPLAIN_WHAT_IF
};

/* What cmd_explain is asked: its options, and the --set pairs (at most one an argument). */
typedef struct {
  elig_explain_options opt;
  const char *id, *year;
  int input_format;
  const char **set_fields, **set_values;
} explain_request;

/* Reads cmd_explain's options into *rq: -1 to go on, else the exit status. */
static int explain_options(int argc, char **argv, explain_request *rq)
{
  static const struct option opts[] = {
      {"id", required_argument, NULL, EXPLAIN_ID},
      {"year", required_argument, NULL, EXPLAIN_YEAR},
      {"format", required_argument, NULL, 'f'},
      {"input-format", required_argument, NULL, EXPLAIN_INPUT_FORMAT},
      {"as-of", required_argument, NULL, EXPLAIN_AS_OF},
      {"set", required_argument, NULL, EXPLAIN_SET},
      {"missing", required_argument, NULL, EXPLAIN_MISSING},
      {"what-if", required_argument, NULL, EXPLAIN_WHAT_IF},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_explain, stdout); return EXIT_OK;
    case EXPLAIN_MISSING:
      if (!cli_parse_missing(optarg, &rq->opt.missing))
        return cli_usage_error(usage_explain, "--missing takes reject or undetermined, not '%s'",
                               optarg);
      break;
    case EXPLAIN_WHAT_IF: rq->opt.what_if = optarg; break;
    case EXPLAIN_ID: rq->id = optarg; break;
    case EXPLAIN_YEAR: rq->year = optarg; break;
    case EXPLAIN_SET: {
      char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg)
        return cli_usage_error(usage_explain, "--set takes FIELD=VALUE, not '%s'", optarg);
      *eq = '\0'; /* the field's name ends there; argv's strings may be changed */
      rq->set_fields[rq->opt.nset] = optarg;
      rq->set_values[rq->opt.nset++] = eq + 1;
      break;
    }
    case 'f':
      if (strcmp(optarg, "json") == 0)
        rq->opt.format = ELIG_FORMAT_JSON;
      else if (strcmp(optarg, "text") != 0)
        return cli_usage_error(usage_explain, "unknown format '%s': use text or json", optarg);
      break;
    case EXPLAIN_INPUT_FORMAT:
      if (!cli_parse_input_format(optarg, &rq->input_format))
        return cli_usage_error(usage_explain, "unknown input format '%s': use csv or jsonl",
                               optarg);
      break;
    case EXPLAIN_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_explain, "--as-of takes a date as YYYY-MM-DD, not '%s'",
                               optarg);
      rq->opt.as_of = optarg;
      break;
    case ':': return cli_usage_error(usage_explain, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_explain, argv, opts);
    }
  }
  return -1;
}

/* The fields --set names must be fields, and not the key: 0 when they are, else the exit
 * status (said why). */
/* --what-if FIELD: a number, amount or date of the record, not a key (0), else the exit
 * status, said why. */
static int check_what_if(const elig_ruleset *rs, const char *name)
{
  size_t field;
  if (!name)
    return 0;
  if (elig_ruleset_field_index(rs, name, &field) != ELIG_OK) {
    const char *names[256];
    size_t n = elig_ruleset_field_count(rs) < 256 ? elig_ruleset_field_count(rs) : 256;
    for (size_t i = 0; i < n; i++)
      names[i] = elig_ruleset_field_name(rs, i);
    const char *near = elig_suggest(name, strlen(name), names, n);
    if (near)
      /* TRANSLATORS: --what-if names a field (the first %s) the rules' records do not have;
         the second is the field's name nearest to it.  Names stay as they are. */
      cli_say(_("--what-if: the record has no field '%s'; did you mean '%s'?"), name, near);
    else
      cli_say(_("--what-if: the record has no field '%s'"), name);
    return EXIT_USAGE;
  }
  elig_type t = elig_ruleset_field_type(rs, field);
  bool key = false;
  for (size_t k = 0; k < elig_ruleset_key_count(rs); k++)
    key |= elig_ruleset_key_field(rs, k) == field;
  if (key || (t != ELIG_TYPE_INT && t != ELIG_TYPE_MONEY && t != ELIG_TYPE_DATE)) {
    if (key)
      /* TRANSLATORS: %s is the name of the field --what-if was given. */
      cli_say(_("--what-if: '%s' is a key field: what-if moves a number, an amount or a date"),
              name);
    else
      cli_say(_("--what-if: '%s' is not a number: what-if moves a number, an amount or a date"),
              name);
    return EXIT_USAGE;
  }
  return 0;
}

static int check_set_fields(const elig_ruleset *rs, const explain_request *rq)
{
  for (size_t i = 0; i < rq->opt.nset; i++) {
    size_t field;
    if (elig_ruleset_field_index(rs, rq->set_fields[i], &field) != ELIG_OK) {
      /* TRANSLATORS: %s is the field --set=FIELD=VALUE names. */
      cli_say(_("--set: the record has no field '%s'"), rq->set_fields[i]);
      return EXIT_USAGE;
    }
    for (size_t k = 0; k < elig_ruleset_key_count(rs); k++)
      if (elig_ruleset_key_field(rs, k) == field) {
        cli_say(_("--set: '%s' is a key field: give the record to explain with --id"),
                rq->set_fields[i]);
        return EXIT_USAGE;
      }
  }
  return check_what_if(rs, rq->opt.what_if);
}

static int explain_with(int argc, char **argv, explain_request *rq);

static bool discard(void *arg, elig_stream stream, const char *data, size_t len)
{
  (void)arg, (void)stream, (void)data, (void)len;
  return true;
}

/* elig_explain_records refused the --set pairs: which one (each tried alone over no input),
 * and why it may be. */
static void say_bad_set(const elig_ruleset *rs, const elig_explain_options *all)
{
  for (size_t i = 0; i < all->nset; i++) {
    elig_explain_options one = *all;
    one.set_fields = all->set_fields + i;
    one.set_values = all->set_values + i;
    one.nset = 1;
    elig_batch_io io = {.write = discard};
    if (elig_explain_records(rs, &one, NULL, 0, &io, NULL) == ELIG_EINVAL) {
      /* TRANSLATORS: --set FIELD=VALUE as given (field name, then value). */
      cli_say(_("--set %s=%s: not a value of the field's type, or a field that cannot be set "
                "(the one that orders a household's years, or a list)"),
              all->set_fields[i], all->set_values[i]);
      return;
    }
  }
}

static int cmd_explain(int argc, char **argv)
{
  explain_request rq = {.opt = ELIG_EXPLAIN_OPTIONS_INIT, .input_format = -1};
  rq.set_fields = calloc((size_t)argc + 1, sizeof *rq.set_fields);
  rq.set_values = calloc((size_t)argc + 1, sizeof *rq.set_values);
  int status = EXIT_IO;
  if (!rq.set_fields || !rq.set_values)
    cli_say(_("out of memory"));
  else if ((status = explain_options(argc, argv, &rq)) < 0)
    status = explain_with(argc, argv, &rq);
  free(rq.set_fields);
  free(rq.set_values);
  return status;
}

/* cmd_explain once its options are read. */
static int explain_with(int argc, char **argv, explain_request *rq)
{
  elig_explain_options opt = rq->opt;
  const char *id = rq->id, *year = rq->year;
  int input_format = rq->input_format;
  opt.set_fields = rq->set_fields;
  opt.set_values = rq->set_values;
  if (argc - optind < 2)
    return cli_usage_error(usage_explain, "need a rule file and at least one data file", NULL);
  if (!id)
    return cli_usage_error(usage_explain, "which record? give its key with --id", NULL);
  int failure;
  elig_ruleset *rs = cli_compile(argv[optind], &failure);
  if (!rs)
    return failure;
  if ((failure = check_set_fields(rs, rq)) != 0) {
    elig_ruleset_free(rs);
    return failure;
  }
  char *const *data = argv + optind + 1;
  size_t ndata = (size_t)(argc - optind - 1);
  /* --id is the first key field; --year the field 'year': both must exist, or no record
   * could ever be found and "no record with key" would blame the data */
  size_t year_field;
  if (!elig_ruleset_key_count(rs) ||
      (year && elig_ruleset_field_index(rs, "year", &year_field) != ELIG_OK)) {
    if (elig_ruleset_key_count(rs))
      /* TRANSLATORS: %s is the rule file; 'year' is a field name, --year an option. */
      cli_say(_("%s: the record has no field 'year', so --year finds no record"), argv[optind]);
    else
      /* TRANSLATORS: %s is the rule file; its schema has no key field; --id is an option. */
      cli_say(_("%s: the record declares no key, so --id finds no record"), argv[optind]);
    elig_ruleset_free(rs);
    return EXIT_USAGE;
  }
  const char *fields[2] = {elig_ruleset_field_name(rs, elig_ruleset_key_field(rs, 0)), "year"};
  const char *values[2] = {id, year};
  opt.match_fields = fields;
  opt.match_values = values;
  opt.nmatch = year ? 2 : 1;
  cli_file *files = calloc(ndata + 1, sizeof *files);
  elig_input *inputs = calloc(ndata + 1, sizeof *inputs);
  cli_sink sink = {0};
  elig_batch_stats stats = {0};
  elig_status st = ELIG_ENOMEM;
  if (files && inputs) {
    cli_inputs(data, ndata, input_format, files, inputs);
    elig_batch_io io = cli_batch_io(&sink);
    st = elig_explain_records(rs, &opt, inputs, ndata, &io, &stats);
  }
  int status = EXIT_OK;
  if (st == ELIG_EINVAL && opt.nset) {
    say_bad_set(rs, &opt);
    status = EXIT_USAGE;
  } else if (st != ELIG_OK) {
    cli_say_status(st);
    status = EXIT_IO;
  } else if (!stats.written && !stats.rejected) {
    if (year)
      /* TRANSLATORS: the key (--id) and year (--year) elig explain looked for. */
      cli_say(_("no record with key '%s' and year %s"), id, year);
    else
      cli_say(_("no record with key '%s'"), id);
    status = EXIT_REJECTED;
  } else if (stats.rejected) {
    status = EXIT_REJECTED; /* said why, with the line */
  }
  free(files);
  free(inputs);
  elig_ruleset_free(rs);
  return status;
}

static int cmd_test(int argc, char **argv)
{
  enum {
    O_RUN = 256,
    O_COVERAGE,
    O_AS_OF
  };
  static const struct option opts[] = {{"run", required_argument, NULL, O_RUN},
                                       {"coverage", no_argument, NULL, O_COVERAGE},
                                       {"as-of", required_argument, NULL, O_AS_OF},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  elig_test_options opt = ELIG_TEST_OPTIONS_INIT;
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_test, stdout); return EXIT_OK;
    case O_RUN: opt.filter = optarg; break;
    case O_COVERAGE: opt.coverage = true; break;
    case O_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_test, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      opt.as_of = optarg;
      break;
    case ':': return cli_usage_error(usage_test, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_test, argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error(usage_test, "no rule file given", NULL);
  elig_test_stats total = {0};
  int status = EXIT_OK;
  bool ran = false;
  for (int i = optind; i < argc; i++) {
    int failure;
    elig_ruleset *rs = cli_compile(argv[i], &failure);
    if (!rs) {
      status = failure > status ? failure : status;
      continue;
    }
    ran = true;
    char *report = NULL;
    elig_test_stats st;
    if (elig_test(rs, &opt, &report, &st) != ELIG_OK) {
      cli_say(_("out of memory"));
      status = EXIT_IO;
    }
    print_text(report);
    elig_free(report);
    if (opt.coverage && st.rules + st.flags)
      /* TRANSLATORS: elig test --coverage: the rule file, then how many of its decision
         rules and of its flags the tests exercised, and the share of both (a percentage). */
      printf(_("%s: coverage: %u of %u decision rules and %u of %u flags exercised (%u%%)\n"),
             argv[i], st.rules_hit, st.rules, st.flags_hit, st.flags,
             (st.rules_hit + st.flags_hit) * 100 / (st.rules + st.flags));
    total.passed += st.passed;
    total.failed += st.failed;
    total.skipped += st.skipped;
    elig_ruleset_free(rs);
  }
  /* rules with errors ran no test: "0 passed, 0 failed" would read as a clean run */
  if (!ran)
    return status;
  if (total.skipped)
    /* TRANSLATORS: the last line of elig test: how many tests passed, failed and were
       skipped. */
    printf(_("%u passed, %u failed, %u skipped\n"), total.passed, total.failed, total.skipped);
  else
    /* TRANSLATORS: the last line of elig test: how many tests passed and failed. */
    printf(_("%u passed, %u failed\n"), total.passed, total.failed);
  if (total.failed && status < EXIT_RULES)
    status = EXIT_RULES;
  return status;
}

/* Descriptors 0, 1 and 2 closed by the caller (`<&-`, `>&-`) would be taken by the first
 * files elig opens, and results or messages would go into an output file. Each closed one
 * is held on /dev/null the wrong way round (standard input for writing only, the others for
 * reading only), so that using it fails as using a closed descriptor does: a register read
 * from a closed standard input, or results sent to a closed standard output, end in status
 * 4. */
static void hold_standard_descriptors(void)
{
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY); /* lowest free: fd */
      if (got > 2)
        close(got);
    }
}

/* A command's status once its standard output is flushed: output that could not be
 * written (a full disk, a closed descriptor) is no success. */
static int finish_stdout(int status)
{
  if (status == EXIT_IO || (fflush(stdout) == 0 && !ferror(stdout)))
    return status; /* (a status 4 has said why already) */
  /* TRANSLATORS: %s is the system's reason (No space left on device). */
  cli_say(_("cannot write standard output: %s"), strerror(errno ? errno : EIO));
  return status == EXIT_OK || status == EXIT_REJECTED ? EXIT_IO : status;
}

static int dispatch(int argc, char **argv)
{
  opterr = 0; /* unknown options are reported by bad_option, with a suggestion */
  if (argc < 2)
    return cli_usage_error(usage_main, "no command given", NULL);
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    cli_print_usage(usage_main, stdout);
    return EXIT_OK;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("elig %s\n", elig_version());
    return EXIT_OK;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } commands[] = {
      {"check", cmd_check}, {"run", cmd_run},           {"test", cmd_test},
      {"diff", cmd_diff},   {"fmt", cmd_fmt},           {"explain", cmd_explain},
      {"serve", cmd_serve}, {"register", cmd_register}, {"history", cmd_history},
  };
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(cmd, commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  /* TRANSLATORS: %s is the command as given (elig %s ...), not one elig has. */
  return cli_usage_error(usage_main, "unknown command '%s'", cmd);
}

int cli_main(int argc, char **argv)
{
  hold_standard_descriptors();
  i18n_use_environment();
  /* a reader gone (`| head`) is a write error like any other: status 4 and no temporary
   * file left behind, not death by SIGPIPE */
  signal(SIGPIPE, SIG_IGN);
  return finish_stdout(dispatch(argc, argv));
}
