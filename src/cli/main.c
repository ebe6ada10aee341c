/*
 * main.c -- the `elig` command: subcommands in the style of git and opa.
 *
 *   elig check FILE...           compile only; every diagnostic; exit 1 on error
 *   elig run RULES DATA...       evaluate records; results, aggregates and rejects
 *
 * Exit status: 0 all good, 1 rule errors, 2 usage, 3 some records rejected, 4 an input could
 * not be read or an output could not be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ast.h"
#include "compile.h"
#include "disasm.h"
#include "date.h"
#include "diag.h"
#include "diff.h"
#include "fmt.h"
#include "cli.h"
#include "cli_compile.h"
#include "ruleset.h"
#include "run.h"
#include "suggest.h"
#include "testrun.h"

enum { EXIT_RULES = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
  "usage: elig <command> [options] [arguments]\n"
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
  "\n"
  "options:\n"
  "  -h, --help             this help; 'elig COMMAND --help' for a command's\n"
  "  -V, --version          the version\n"
  "\n"
  "exit status: 0 all good, 1 rule errors, 2 usage, 3 some records rejected,\n"
  "4 an input could not be read or an output could not be written\n";

static const char usage_check[] =
  "usage: elig check [options] FILE...\n"
  "\n"
  "Compiles each rule file (with everything it imports) without reading any record,\n"
  "and prints every error and warning as FILE:LINE:COL with the source line.\n"
  "\n"
  "options:\n"
  "  --dump=ast|code        also print the syntax tree or the compiled program\n"
  "  -h, --help             this help\n"
  "\n"
  "exit status: 0 no errors (warnings allowed), 1 errors, 2 usage\n";

static const char usage_run[] =
  "usage: elig run [options] RULES DATA...\n"
  "\n"
  "Evaluates every record of DATA (CSV with a header, or JSON Lines; '-' is standard\n"
  "input) and writes one result per record, in input order, then the aggregates.\n"
  "\n"
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
  "      --progress, --no-progress\n"
  "                             progress line on standard error (default: when a terminal)\n"
  "      --explain              a last column, 'why', naming the rule that decided each\n"
  "                             decision (elig explain gives the full explanation)\n"
  "      --show-values          rejection messages quote the value at fault (records hold\n"
  "                             personal data: by default messages never do)\n"
  "  -h, --help                 this help\n"
  "\n"
  "exit status: 0 all good, 1 rule errors, 2 usage, 3 some records rejected,\n"
  "4 an input could not be read or an output could not be written\n";

/* Prints "elig: MESSAGE" (MESSAGE with '%s' replaced by arg) and the usage. */
static const char usage_test[] =
  "usage: elig test [options] FILE...\n"
  "\n"
  "Runs every test block in each rule file and the files it imports.  Each failure is\n"
  "printed as FILE:LINE:COL: test \"NAME\": expected CONDITION, got VALUES; then a summary\n"
  "line 'N passed, N failed'.\n"
  "\n"
  "options:\n"
  "      --run=TEXT             run only the tests whose name contains TEXT\n"
  "      --coverage             also list the decision rules and flags no test exercised,\n"
  "                             and the share covered\n"
  "      --as-of=YYYY-MM-DD     the evaluation date, 'as_of' in rules (default today)\n"
  "  -h, --help                 this help\n"
  "\n"
  "exit status: 0 all tests passed, 1 a test failed or a rule file has errors, 2 usage\n";

static const char usage_explain[] =
  "usage: elig explain [options] RULES DATA... --id KEY\n"
  "\n"
  "For each record of DATA whose key is KEY: every decision with the rule that decided, its\n"
  "reason and the values it read, the rules before it that did not match, every flag (raised\n"
  "or not) with its values, and what the derived values used were computed from.\n"
  "\n"
  "options:\n"
  "      --id=KEY               the record's first key field (hh_id in the national rules)\n"
  "      --year=YEAR            also require the field 'year' to be YEAR\n"
  "  -f, --format=text|json     a readable tree (default) or one JSON object per record\n"
  "      --input-format=csv|jsonl\n"
  "      --as-of=YYYY-MM-DD     the evaluation date (default today)\n"
  "  -h, --help                 this help\n"
  "\n"
  "exit status: 0 explained, 1 rule errors, 2 usage, 3 no record has that key,\n"
  "4 an input could not be read\n";

volatile sig_atomic_t cli_interrupted;

/* The first SIGINT or SIGTERM asks the batch to stop (it then removes what it was writing
 * and exits 4); a second one ends the process at once, as the signal would by default. */
static void on_interrupt(int sig)
{
  if (cli_interrupted) {
    signal(sig, SIG_DFL);
    raise(sig);
  }
  cli_interrupted = 1;
}

void cli_catch_interrupts(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a read waiting on a pipe returns at once */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int cli_usage_error(const char *usage, const char *message, const char *arg)
{
  const char *hole = strstr(message, "%s");
  fprintf(stderr, "elig: ");
  if (hole)
    fprintf(stderr, "%.*s%s%s", (int)(hole - message), message, arg, hole + 2);
  else
    fputs(message, stderr);
  fprintf(stderr, "\n%s", usage);
  return EXIT_USAGE;
}

/* Compiles `path`, printing its diagnostics (and its syntax tree when asked); NULL on
 * error. */
elig_program *cli_compile(const char *path, bool *had_errors, bool dump_ast)
{
  diag_list *diags = diag_list_new();
  src_set *srcs = NULL;
  char *tree = NULL;
  ruleset_source src = {.path = path, .ast_dump = dump_ast ? &tree : NULL};
  if (!diags) {
    fprintf(stderr, "elig: out of memory\n");
    *had_errors = true;
    return NULL;
  }
  elig_program *P = ruleset_compile(&src, diags, &srcs);
  if (tree)
    fputs(tree, stdout);
  free(tree);
  if (diag_count(diags)) {
    char *text = diag_render(diags, srcs, isatty(2));
    if (text)
      fputs(text, stderr);
    free(text);
    if (diag_warning_count(diags) > DIAG_MAX_WARNINGS)
      fprintf(stderr, "elig: %zu more warnings not shown\n",
              diag_warning_count(diags) - DIAG_MAX_WARNINGS);
  }
  *had_errors = !P || diag_error_count(diags) > 0;
  if (!P)
    src_set_free(srcs);
  diag_list_free(diags);
  return P;
}

/* An option getopt did not know: say which, suggest the closest one, and where to look. */
int cli_bad_option(const char *usage, char **argv, const struct option *opts)
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
  fprintf(stderr, "\n%s", usage);
  return EXIT_USAGE;
}

static int cmd_check(int argc, char **argv)
{
  static const struct option opts[] = {
    {"dump", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
  const char *dump = NULL;
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage_check, stdout);
      return 0;
    }
    if (c == 'd' && (strcmp(optarg, "code") == 0 || strcmp(optarg, "ast") == 0)) {
      dump = optarg;
      continue;
    }
    if (c == 'd')
      return cli_usage_error(usage_check, "unknown dump '%s': use ast or code", optarg);
    if (c == ':')
      return cli_usage_error(usage_check, "option '%s' needs a value", argv[optind - 1]);
    return cli_bad_option(usage_check, argv, opts);
  }
  if (optind >= argc)
    return cli_usage_error(usage_check, "%s", "no rule file given");
  int status = 0;
  for (int i = optind; i < argc; i++) {
    bool errors;
    elig_program *P = cli_compile(argv[i], &errors, dump && strcmp(dump, "ast") == 0);
    if (errors)
      status = EXIT_RULES;
    else if (isatty(2))
      /* silence means success to a script, but a person at a terminal wants to be told */
      fprintf(stderr, "%s: no errors\n", argv[i]);
    if (P && dump && strcmp(dump, "code") == 0) {
      char *text = disasm_program(P);
      if (text)
        fputs(text, stdout);
      free(text);
    }
    prog_free(P);
  }
  return status;
}

/* "elig: warning: 3 keys that name no field were ignored in 1 record; the first, 'exited_yaer'
 * in a 'household' on line 7: did you mean 'exited_year'?"  The record type is named because
 * the key may be in a nested record (a 'member' of a household's list). */
void cli_report_unknown_keys(const elig_program *P, const rec_unknown *u, const char *which)
{
  const prog_record *rec = &P->records[u->first_record];
  const char **names = malloc((rec->nfields ? rec->nfields : 1) * sizeof *names);
  const char *best = NULL;
  if (names) {
    for (uint32_t i = 0; i < rec->nfields; i++)
      names[i] = rec->fields[i].name;
    best = suggest_closest(u->first, strlen(u->first), names, rec->nfields);
  }
  fprintf(stderr,
          "elig: warning: %llu key%s that name%s no field %s ignored%s in %llu record%s; "
          "the first, '%s' in a '%s' on line %llu",
          (unsigned long long)u->keys, u->keys == 1 ? "" : "s", u->keys == 1 ? "s" : "",
          u->keys == 1 ? "was" : "were", which, (unsigned long long)u->records,
          u->records == 1 ? "" : "s", u->first, rec->name, (unsigned long long)u->first_line);
  if (best)
    fprintf(stderr, ": did you mean '%s'?", best);
  fputc('\n', stderr);
  free(names);
}

static bool parse_threads(const char *s, unsigned *out)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 1 || v > 256)
    return false;
  *out = (unsigned)v;
  return true;
}

static int cmd_run(int argc, char **argv)
{
  enum { O_INPUT_FORMAT = 256, O_AGGREGATES, O_REJECTS, O_AS_OF, O_PROGRESS, O_NO_PROGRESS,
         O_EXPLAIN, O_SHOW_VALUES };
  static const struct option opts[] = {
    {"format", required_argument, NULL, 'f'},
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
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0}};
  run_options o = {.input_format = -1, .format = WRITE_CSV, .progress = isatty(2),
                   .interrupted = &cli_interrupted};
  o.as_of = (int32_t)(time(NULL) / 86400);
  int c;
  while ((c = getopt_long(argc, argv, ":f:o:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': fputs(usage_run, stdout); return 0;
    case 'f':
      if (strcmp(optarg, "csv") == 0)
        o.format = WRITE_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        o.format = WRITE_JSONL;
      else
        return cli_usage_error(usage_run, "unknown format '%s': use csv or jsonl", optarg);
      break;
    case O_INPUT_FORMAT:
      if (strcmp(optarg, "csv") == 0)
        o.input_format = INPUT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        o.input_format = INPUT_JSONL;
      else
        return cli_usage_error(usage_run, "unknown input format '%s': use csv or jsonl", optarg);
      break;
    case 'o': o.output = optarg; break;
    case O_AGGREGATES: o.aggregates = optarg; break;
    case O_REJECTS: o.rejects = optarg; break;
    case O_AS_OF:
      if (!date_parse(optarg, strlen(optarg), &o.as_of))
        return cli_usage_error(usage_run, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      break;
    case 'j':
      if (!parse_threads(optarg, &o.threads))
        return cli_usage_error(usage_run, "--threads takes a number from 1 to 256, not '%s'",
                           optarg);
      break;
    case O_PROGRESS: o.progress = true; break;
    case O_NO_PROGRESS: o.progress = false; break;
    case O_EXPLAIN: o.explain = true; break;
    case O_SHOW_VALUES: o.show_values = true; break;
    case ':': return cli_usage_error(usage_run, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_run, argv, opts);
    }
  }
  if (argc - optind < 2)
    return cli_usage_error(usage_run, "%s", "need a rule file and at least one data file");
  bool errors;
  elig_program *P = cli_compile(argv[optind], &errors, false);
  if (!P)
    return EXIT_RULES;
  o.P = P;
  o.inputs = (const char *const *)argv + optind + 1;
  o.ninputs = (uint32_t)(argc - optind - 1);
  run_stats st;
  cli_catch_interrupts();
  int status = run_batch(&o, &st, stderr);
  if (st.unknown.keys)
    cli_report_unknown_keys(P, &st.unknown, "");
  if (status == 4)
    fprintf(stderr, "elig: stopped after %llu record%s%s\n", (unsigned long long)st.records,
            st.records == 1 ? "" : "s",
            o.output && strcmp(o.output, "-") != 0
              ? "; the output files were not kept"
              : st.records ? "; standard output has only part of the results" : "");
  else if (st.rejected)
    fprintf(stderr, "elig: %llu record%s read, %llu written, %llu rejected%s%s%s\n",
            (unsigned long long)st.records, st.records == 1 ? "" : "s",
            (unsigned long long)st.written,
            (unsigned long long)st.rejected, st.rejected && o.rejects ? " (see " : "",
            st.rejected && o.rejects ? o.rejects : "", st.rejected && o.rejects ? ")" : "");
  prog_free(P);
  return status;
}

static int cmd_explain(int argc, char **argv)
{
  enum { O_ID = 256, O_YEAR, O_INPUT_FORMAT, O_AS_OF };
  static const struct option opts[] = {
    {"id", required_argument, NULL, O_ID}, {"year", required_argument, NULL, O_YEAR},
    {"format", required_argument, NULL, 'f'},
    {"input-format", required_argument, NULL, O_INPUT_FORMAT},
    {"as-of", required_argument, NULL, O_AS_OF}, {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0}};
  run_options o = {.input_format = -1};
  const char *id = NULL, *year = NULL;
  bool json = false;
  int c;
  o.as_of = (int32_t)(time(NULL) / 86400);
  while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': fputs(usage_explain, stdout); return 0;
    case O_ID: id = optarg; break;
    case O_YEAR: year = optarg; break;
    case 'f':
      if (strcmp(optarg, "json") == 0)
        json = true;
      else if (strcmp(optarg, "text") != 0)
        return cli_usage_error(usage_explain, "unknown format '%s': use text or json", optarg);
      break;
    case O_INPUT_FORMAT:
      if (strcmp(optarg, "csv") == 0)
        o.input_format = INPUT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        o.input_format = INPUT_JSONL;
      else
        return cli_usage_error(usage_explain, "unknown input format '%s': use csv or jsonl",
                           optarg);
      break;
    case O_AS_OF:
      if (!date_parse(optarg, strlen(optarg), &o.as_of))
        return cli_usage_error(usage_explain, "--as-of takes a date as YYYY-MM-DD, not '%s'",
                           optarg);
      break;
    case ':': return cli_usage_error(usage_explain, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_explain, argv, opts);
    }
  }
  if (argc - optind < 2)
    return cli_usage_error(usage_explain, "%s", "need a rule file and at least one data file");
  if (!id)
    return cli_usage_error(usage_explain, "%s", "which record? give its key with --id");
  bool errors;
  elig_program *P = cli_compile(argv[optind], &errors, false);
  if (!P)
    return EXIT_RULES;
  o.P = P;
  o.inputs = (const char *const *)argv + optind + 1;
  o.ninputs = (uint32_t)(argc - optind - 1);
  int status = run_explain(&o, id, year, json, stdout, stderr);
  prog_free(P);
  return status;
}

static int cmd_test(int argc, char **argv)
{
  enum { O_RUN = 256, O_COVERAGE, O_AS_OF };
  static const struct option opts[] = {
    {"run", required_argument, NULL, O_RUN}, {"coverage", no_argument, NULL, O_COVERAGE},
    {"as-of", required_argument, NULL, O_AS_OF}, {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0}};
  const char *pattern = NULL;
  bool coverage = false;
  int32_t as_of = (int32_t)(time(NULL) / 86400);
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': fputs(usage_test, stdout); return 0;
    case O_RUN: pattern = optarg; break;
    case O_COVERAGE: coverage = true; break;
    case O_AS_OF:
      if (!date_parse(optarg, strlen(optarg), &as_of))
        return cli_usage_error(usage_test, "--as-of takes a date as YYYY-MM-DD, not '%s'", optarg);
      break;
    case ':': return cli_usage_error(usage_test, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_test, argv, opts);
    }
  }
  if (optind >= argc)
    return cli_usage_error(usage_test, "%s", "no rule file given");
  test_stats total = {0};
  int status = 0;
  for (int i = optind; i < argc; i++) {
    bool errors;
    elig_program *P = cli_compile(argv[i], &errors, false);
    if (!P) {
      status = EXIT_RULES;
      continue;
    }
    wbuf report = {0};
    test_stats st;
    if (!test_run(P, pattern, as_of, coverage, &report, &st)) {
      fprintf(stderr, "elig: out of memory\n");
      status = EXIT_RULES;
    }
    if (report.len)
      fwrite(report.p, 1, report.len, stdout);
    wbuf_free(&report);
    if (coverage && st.rules + st.flags)
      printf("%s: coverage: %u of %u decision rules and %u of %u flags exercised (%u%%)\n",
             argv[i], st.rules_hit, st.rules, st.flags_hit, st.flags,
             (st.rules_hit + st.flags_hit) * 100 / (st.rules + st.flags));
    total.passed += st.passed;
    total.failed += st.failed;
    total.skipped += st.skipped;
    prog_free(P);
  }
  printf("%u passed, %u failed", total.passed, total.failed);
  if (total.skipped)
    printf(", %u skipped", total.skipped);
  printf("\n");
  if (total.failed)
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
  if (status == 4 || (fflush(stdout) == 0 && !ferror(stdout)))
    return status; /* (a status 4 has said why already) */
  fprintf(stderr, "elig: cannot write standard output: %s\n", strerror(errno ? errno : EIO));
  return status == 0 || status == 3 ? 4 : status;
}

static int dispatch(int argc, char **argv)
{
  opterr = 0; /* unknown options are reported by bad_option, with a suggestion */
  if (argc < 2)
    return cli_usage_error(usage_main, "%s", "no command given");
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("elig %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (strcmp(cmd, "check") == 0)
    return cmd_check(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0)
    return cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "test") == 0)
    return cmd_test(argc - 1, argv + 1);
  if (strcmp(cmd, "diff") == 0)
    return cmd_diff(argc - 1, argv + 1);
  if (strcmp(cmd, "fmt") == 0)
    return cmd_fmt(argc - 1, argv + 1);
  if (strcmp(cmd, "explain") == 0)
    return cmd_explain(argc - 1, argv + 1);
  if (strcmp(cmd, "serve") == 0)
    return cmd_serve(argc - 1, argv + 1);
  return cli_usage_error(usage_main, "unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
  hold_standard_descriptors();
  /* a reader gone (`| head`) is a write error like any other: status 4 and no temporary
   * file left behind, not death by SIGPIPE */
  signal(SIGPIPE, SIG_IGN);
  return finish_stdout(dispatch(argc, argv));
}
