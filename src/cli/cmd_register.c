/*
 * cmd_register.c -- `elig register add|export` and `elig history`: a county's register in
 * one SQLite file (the library's elig_register_*; doc/register.md).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const usage_register[] = {
    /* TRANSLATORS: the start of `elig register --help`.  The command lines after "usage:"
       are typed as they are. */
    N_("usage: elig register add [options] --db FILE RULES DATA...\n"
       "       elig register export [options] --db FILE\n"
       "\n"
       "A register keeps a county's households over the years in one SQLite file: every\n"
       "record and result ever added, with who added it, when, from which file and under\n"
       "which rules.  Nothing is overwritten: a correction is a new record.\n"),
    /* TRANSLATORS: `elig register --help`: what `elig register add` does, and its options.
       "add:" names the command (keep it); translate the descriptions only, the options and
       their values (csv, jsonl, reject, undetermined) and 'as_of' are typed as they are;
       keep the descriptions' column. */
    N_("\n"
       "add: evaluates the records of DATA with the years before that the register holds\n"
       "and stores them with their results, in one transaction (all or nothing).  A\n"
       "household-year the register holds already is a correction: the later years of the\n"
       "household are evaluated again.  Rules other than the last add's (the same schema)\n"
       "evaluate every household again.\n"
       "  --db=FILE                the register (made when it does not exist)\n"
       "  --by=NAME                who adds (default: the login name)\n"
       "  --input-format=csv|jsonl input format (default: by file name)\n"
       "  --as-of=YYYY-MM-DD       the evaluation date, 'as_of' in rules (default today)\n"
       "  -j, --threads=N          worker threads (default: the cores available)\n"
       "  --memory=SIZE            as for `elig run`\n"
       "  --wait=SECONDS           how long to wait for another add to finish (default 10)\n"
       "  --progress, --no-progress\n"
       "  --show-values            rejection messages quote the value at fault\n"
       "  --rejects=FILE           rejected records to FILE as CSV, as `elig run` writes them\n"
       "  --missing=reject|undetermined\n"
       "                           a record without a required field: rejected (default), or\n"
       "                           kept with the results it leaves undetermined\n"),
    /* TRANSLATORS: `elig register --help`: what `elig register export` does, and its
       options.  "export:" names the command (keep it); translate the descriptions only;
       keep the descriptions' column. */
    N_("\n"
       "export: writes the current results as `elig run` writes them (records, then the\n"
       "aggregates), with the rules of the last add, which the register keeps.\n"
       "  --db=FILE                the register\n"
       "  --year=YEAR              only the records of YEAR, and aggregates over them\n"
       "  -f, --format=csv|jsonl   output format (default csv)\n"
       "  -o, --output=FILE        results to FILE (default standard output)\n"
       "  --as-of=YYYY-MM-DD       the evaluation date (default: the last add's)\n"
       "  -j, --threads=N          worker threads\n"
       "  --explain                a last column naming the rule that decided each decision\n"
       "  --missing=reject|undetermined\n"
       "                           as for add: records kept with undetermined results are\n"
       "                           exported only with undetermined\n"),
    /* TRANSLATORS: the end of `elig register --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 all good, 1 rule errors, 2 usage, or the register cannot be used\n"
       "(damaged, not a register, newer, another schema, busy): nothing was changed,\n"
       "3 some records rejected (the others were added), 4 an input could not be read or\n"
       "an output written (nothing was changed)\n"),
    NULL};

static const char *const usage_history[] = {
    /* TRANSLATORS: the start of `elig history --help`.  The command line after "usage:" is
       typed as it is. */
    N_("usage: elig history --db FILE --id HH_ID [-f text|json]\n"
       "\n"
       "One household's years in a register: per year the record and its results, the\n"
       "inputs and results that changed since the year before, the rules that decided,\n"
       "and every correction and re-evaluation with who, when, which file and which rules.\n"),
    /* TRANSLATORS: the end of `elig history --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 all good, 2 usage or the register cannot be used, 3 no such\n"
       "household, 4 memory ran out\n"),
    NULL};

/* The status of a register call that failed, said on standard error. */
static int register_status(elig_register *reg, elig_status st)
{
  const char *why = elig_register_error(reg);
  if (why && why[0])
    cli_say("%s", why);
  else if (st == ELIG_ENOMEM || st == ELIG_EINTERNAL)
    cli_say_status(st);
  else if (st != ELIG_EIO)
    cli_say("%s", elig_status_str(st));
  switch (st) {
  case ELIG_EREGISTER:
  case ELIG_EBUSY:
  case ELIG_EINVAL: return EXIT_USAGE;
  case ELIG_ENOTFOUND: return EXIT_REJECTED;
  default: return EXIT_IO;
  }
}

static elig_register *open_register(const char *path, bool writable, unsigned wait_ms, int *status)
{
  elig_register *reg = NULL;
  if (!writable && access(path, F_OK) != 0) {
    /* TRANSLATORS: a register file (the first %s) and the system's reason. */
    cli_say(_("cannot open register '%s': %s"), path, strerror(errno));
    *status = EXIT_USAGE;
    return NULL;
  }
  elig_status st = elig_register_open(path, writable, &reg);
  if (st == ELIG_OK) {
    elig_register_set_wait(reg, wait_ms);
    return reg;
  }
  *status = register_status(reg, st);
  elig_register_close(reg);
  return NULL;
}

static const char *login_name(void)
{
  const char *name = getenv("LOGNAME");
  if (name && name[0])
    return name;
  name = getenv("USER");
  if (name && name[0])
    return name;
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_name ? pw->pw_name : "unknown";
}

/* ---------------------------------------------------------------- add */

/* The files of a register that was made for nothing: itself, its -wal and -shm. */
static void remove_register(const char *path)
{
  size_t n = strlen(path) + 8;
  char *aside = malloc(n);
  unlink(path);
  if (!aside)
    return;
  snprintf(aside, n, "%s-wal", path);
  unlink(aside);
  snprintf(aside, n, "%s-shm", path);
  unlink(aside);
  free(aside);
}

typedef struct {
  const char *db, *by, *rejects;
  elig_register_add_options opt;
  int input_format;
  unsigned wait_ms;
  bool progress;
} add_args;

static int parse_add(int argc, char **argv, add_args *a)
{
  enum {
    O_DB = 256,
    O_BY,
    O_INPUT_FORMAT,
    O_AS_OF,
    O_MEMORY,
    O_WAIT,
    O_PROGRESS,
    O_NO_PROGRESS,
    O_SHOW_VALUES,
    O_REJECTS,
    O_MISSING
  };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"by", required_argument, NULL, O_BY},
                                       {"input-format", required_argument, NULL, O_INPUT_FORMAT},
                                       {"as-of", required_argument, NULL, O_AS_OF},
                                       {"threads", required_argument, NULL, 'j'},
                                       {"memory", required_argument, NULL, O_MEMORY},
                                       {"wait", required_argument, NULL, O_WAIT},
                                       {"progress", no_argument, NULL, O_PROGRESS},
                                       {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                       {"show-values", no_argument, NULL, O_SHOW_VALUES},
                                       {"rejects", required_argument, NULL, O_REJECTS},
                                       {"missing", required_argument, NULL, O_MISSING},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, ":j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_register, stdout); return EXIT_OK;
    case O_MISSING:
      if (!cli_parse_missing(optarg, &a->opt.missing))
        return cli_usage_error(usage_register, "--missing takes reject or undetermined, not '%s'",
                               optarg);
      break;
    case O_DB: a->db = optarg; break;
    case O_BY: a->by = optarg; break;
    case O_INPUT_FORMAT:
      if (!cli_parse_input_format(optarg, &a->input_format))
        return cli_usage_error(usage_register, "unknown input format '%s': use csv or jsonl",
                               optarg);
      break;
    case O_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_register, "--as-of takes a date as YYYY-MM-DD, not '%s'",
                               optarg);
      a->opt.as_of = optarg;
      break;
    case 'j':
      if (!cli_parse_threads(optarg, &a->opt.threads))
        return cli_usage_error(usage_register, "--threads takes 1 to 256, not '%s'", optarg);
      break;
    case O_MEMORY:
      if (!cli_parse_size(optarg, &a->opt.memory_limit))
        return cli_usage_error(usage_register, "--memory takes a size (64M, 2G), not '%s'", optarg);
      break;
    case O_WAIT: {
      char *end;
      errno = 0;
      unsigned long s = strtoul(optarg, &end, 10);
      if (end == optarg || *end || errno || s > 3600 || optarg[0] == '-')
        return cli_usage_error(usage_register, "--wait takes 0 to 3600 seconds, not '%s'", optarg);
      a->wait_ms = (unsigned)s * 1000;
      break;
    }
    case O_PROGRESS: a->progress = true; break;
    case O_NO_PROGRESS: a->progress = false; break;
    case O_SHOW_VALUES: a->opt.show_values = true; break;
    case O_REJECTS: a->rejects = optarg; break;
    case ':': return cli_usage_error(usage_register, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_register, argv, opts);
    }
  }
  if (!a->db)
    return cli_usage_error(usage_register, "which register? give its file with --db", NULL);
  if (argc - optind < 2)
    return cli_usage_error(usage_register, "need a rule file and at least one data file", NULL);
  return -1;
}

/* --rejects against every file the add reads or writes: the register, the data, the rules. */
static bool rejects_usable(const char *rejects, const char *db, char *const *data, size_t ndata,
                           const elig_ruleset *rs)
{
  size_t nrules = elig_ruleset_file_count(rs), n = 0;
  const char **inputs = malloc((ndata + nrules + 2) * sizeof *inputs);
  if (!inputs) {
    cli_say(_("out of memory"));
    return false;
  }
  inputs[n++] = db;
  for (size_t i = 0; i < ndata; i++)
    inputs[n++] = data[i];
  for (size_t i = 0; i < nrules; i++)
    inputs[n++] = elig_ruleset_file(rs, i);
  const char *outputs[] = {rejects};
  bool ok = out_check_paths(outputs, 1, inputs, n, stderr);
  free(inputs);
  return ok;
}

static int register_add(int argc, char **argv)
{
  add_args a = {.opt = ELIG_REGISTER_ADD_OPTIONS_INIT,
                .input_format = -1,
                .wait_ms = 10000,
                .progress = isatty(2)};
  int usage = parse_add(argc, argv, &a);
  if (usage >= 0)
    return usage;
  a.opt.by = a.by ? a.by : login_name();
  int status;
  elig_ruleset *rs = cli_compile(argv[optind], &status);
  if (!rs)
    return status;
  if (a.rejects &&
      !rejects_usable(a.rejects, a.db, argv + optind + 1, (size_t)(argc - optind - 1), rs)) {
    elig_ruleset_free(rs);
    return EXIT_USAGE;
  }
  /* a register this add makes and that ends with nothing added is not left behind */
  bool made = access(a.db, F_OK) != 0;
  elig_register *reg = open_register(a.db, true, a.wait_ms, &status);
  if (!reg) {
    elig_ruleset_free(rs);
    return status;
  }
  char *const *data = argv + optind + 1;
  size_t ndata = (size_t)(argc - optind - 1);
  cli_file *files = calloc(ndata + 1, sizeof *files);
  elig_input *inputs = calloc(ndata + 1, sizeof *inputs);
  cli_sink sink = {.progress = a.progress};
  elig_register_stats stats = {0};
  elig_status st = ELIG_ENOMEM;
  output rejects = {0};
  bool opened = !a.rejects || out_open(&rejects, a.rejects, stderr);
  sink.streams[ELIG_STREAM_REJECTS] = a.rejects ? &rejects : NULL;
  a.opt.reject_rows = a.rejects != NULL;
  if (!opened) {
    st = ELIG_EIO;
  } else if (files && inputs) {
    cli_inputs(data, ndata, a.input_format, files, inputs);
    elig_batch_io io = cli_batch_io(&sink);
    cli_catch_interrupts();
    st = elig_register_add(reg, rs, &a.opt, inputs, ndata, &io, &stats);
    cli_end_progress(&sink);
  }
  /* the reject file is kept when the add is: it says what was left out of it */
  bool flushed = out_flush(&rejects, stderr);
  if (!out_close(&rejects, st == ELIG_OK && flushed, stderr) && st == ELIG_OK)
    /* TRANSLATORS: %s is the file of rejected records (--rejects). */
    cli_say(_("the records were added, but '%s' could not be written"), a.rejects);
  if (st == ELIG_OK) {
    unsigned long long n = (unsigned long long)stats.records;
    /* TRANSLATORS: the end of `elig register add`: the register file, records read and
       rejected, household-years added (new) and corrected (held already), later years
       evaluated again, and of those how many came out the same. */
    cli_say(i18n_plural("%s: %llu record read, %llu rejected; %llu household-years added, "
                        "%llu corrected, %llu later years re-evaluated (%llu unchanged)",
                        "%s: %llu records read, %llu rejected; %llu household-years added, "
                        "%llu corrected, %llu later years re-evaluated (%llu unchanged)",
                        n),
            a.db, n, (unsigned long long)stats.rejected, (unsigned long long)stats.added,
            (unsigned long long)stats.corrected, (unsigned long long)stats.reevaluated,
            (unsigned long long)stats.unchanged);
    status = stats.rejected ? EXIT_REJECTED : EXIT_OK;
  } else if (st == ELIG_ECANCELED) {
    /* TRANSLATORS: %s is the register file. */
    cli_say(_("interrupted: nothing was added to '%s'"), a.db);
    status = EXIT_IO;
  } else {
    status = register_status(reg, st);
    if (st == ELIG_EIO || st == ELIG_ENOMEM)
      cli_say(_("nothing was added to '%s'"), a.db);
  }
  free(files);
  free(inputs);
  elig_register_close(reg);
  elig_ruleset_free(rs);
  if (made && st != ELIG_OK)
    remove_register(a.db);
  return status;
}

/* ---------------------------------------------------------------- export */

static int parse_export(int argc, char **argv, elig_register_export_options *opt, const char **db,
                        const char **output_path)
{
  enum {
    O_DB = 256,
    O_YEAR,
    O_AS_OF,
    O_EXPLAIN,
    O_MISSING
  };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"year", required_argument, NULL, O_YEAR},
                                       {"format", required_argument, NULL, 'f'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"as-of", required_argument, NULL, O_AS_OF},
                                       {"threads", required_argument, NULL, 'j'},
                                       {"explain", no_argument, NULL, O_EXPLAIN},
                                       {"missing", required_argument, NULL, O_MISSING},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, ":f:o:j:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_register, stdout); return EXIT_OK;
    case O_MISSING:
      if (!cli_parse_missing(optarg, &opt->missing))
        return cli_usage_error(usage_register, "--missing takes reject or undetermined, not '%s'",
                               optarg);
      break;
    case O_DB: *db = optarg; break;
    case 'o': *output_path = optarg; break;
    case O_YEAR: {
      char *end;
      errno = 0;
      long long y = strtoll(optarg, &end, 10);
      if (end == optarg || *end || errno || y < -9999 || y > 9999)
        return cli_usage_error(usage_register, "--year takes a year, not '%s'", optarg);
      opt->has_year = true;
      opt->year = y;
      break;
    }
    case 'f':
      if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
        opt->format = ELIG_FORMAT_JSON;
      else if (strcmp(optarg, "csv") != 0)
        return cli_usage_error(usage_register, "unknown format '%s': use csv or jsonl", optarg);
      break;
    case O_AS_OF:
      if (!elig_date_valid(optarg))
        return cli_usage_error(usage_register, "--as-of takes a date as YYYY-MM-DD, not '%s'",
                               optarg);
      opt->as_of = optarg;
      break;
    case 'j':
      if (!cli_parse_threads(optarg, &opt->threads))
        return cli_usage_error(usage_register, "--threads takes 1 to 256, not '%s'", optarg);
      break;
    case O_EXPLAIN: opt->explain = true; break;
    case ':': return cli_usage_error(usage_register, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_register, argv, opts);
    }
  }
  if (!*db)
    return cli_usage_error(usage_register, "which register? give its file with --db", NULL);
  if (optind < argc)
    /* TRANSLATORS: %s is an argument of the command line the command takes none of. */
    return cli_usage_error(usage_register, "unexpected argument '%s'", argv[optind]);
  return -1;
}

static int register_export(int argc, char **argv)
{
  elig_register_export_options opt = ELIG_REGISTER_EXPORT_OPTIONS_INIT;
  const char *db = NULL, *output_path = NULL;
  int usage = parse_export(argc, argv, &opt, &db, &output_path);
  if (usage >= 0)
    return usage;
  const char *outputs[] = {output_path ? output_path : "-"};
  char *inputs[] = {(char *)db};
  if (!out_check_paths(outputs, 1, (const char *const *)inputs, 1, stderr))
    return EXIT_USAGE;
  int status;
  elig_register *reg = open_register(db, false, 10000, &status);
  if (!reg)
    return status;
  output results = {0};
  cli_sink sink = {0};
  elig_batch_stats stats = {0};
  elig_status st = ELIG_EIO;
  bool opened = out_open(&results, output_path, stderr);
  if (opened) {
    sink.streams[ELIG_STREAM_RESULTS] = &results;
    elig_batch_io io = cli_batch_io(&sink);
    cli_catch_interrupts();
    st = elig_register_export(reg, &opt, &io, &stats);
  }
  bool flushed = out_flush(&results, stderr);
  bool keep = opened && st == ELIG_OK && flushed;
  bool closed = out_close(&results, keep, stderr);
  if (st == ELIG_OK && !stats.records && !stats.rejected)
    /* TRANSLATORS: %s is the register file. */
    cli_say(_("register '%s' holds no records yet"), db);
  if (st == ELIG_OK)
    status = !closed ? EXIT_IO : stats.rejected ? EXIT_REJECTED : EXIT_OK;
  else if (st == ELIG_ECANCELED)
    status = EXIT_IO;
  else
    status = opened ? register_status(reg, st) : EXIT_IO;
  elig_register_close(reg);
  return status;
}

int cmd_register(int argc, char **argv)
{
  if (argc < 2)
    /* TRANSLATORS: add and export are the commands of elig register (typed as they are). */
    return cli_usage_error(usage_register, "register what? add or export", NULL);
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    cli_print_usage(usage_register, stdout);
    return EXIT_OK;
  }
  if (strcmp(argv[1], "add") == 0)
    return register_add(argc - 1, argv + 1);
  if (strcmp(argv[1], "export") == 0)
    return register_export(argc - 1, argv + 1);
  return cli_usage_error(usage_register, "unknown register command '%s': use add or export",
                         argv[1]);
}

/* ---------------------------------------------------------------- history */

int cmd_history(int argc, char **argv)
{
  enum {
    O_DB = 256,
    O_ID
  };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"id", required_argument, NULL, O_ID},
                                       {"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0, 0, 0, 0}};
  const char *db = NULL, *id = NULL;
  elig_format fmt = ELIG_FORMAT_TEXT;
  int c;
  while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': cli_print_usage(usage_history, stdout); return EXIT_OK;
    case O_DB: db = optarg; break;
    case O_ID: id = optarg; break;
    case 'f':
      if (strcmp(optarg, "json") == 0)
        fmt = ELIG_FORMAT_JSON;
      else if (strcmp(optarg, "text") != 0)
        return cli_usage_error(usage_history, "unknown format '%s': use text or json", optarg);
      break;
    case ':': return cli_usage_error(usage_history, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_bad_option(usage_history, argv, opts);
    }
  }
  if (!db)
    return cli_usage_error(usage_history, "which register? give its file with --db", NULL);
  if (!id)
    return cli_usage_error(usage_history, "which household? give its key with --id", NULL);
  if (optind < argc)
    return cli_usage_error(usage_history, "unexpected argument '%s'", argv[optind]);
  int status;
  elig_register *reg = open_register(db, false, 10000, &status);
  if (!reg)
    return status;
  char *text = NULL;
  elig_status st = elig_register_history(reg, id, fmt, &text);
  if (st == ELIG_OK) {
    fputs(text, stdout);
    status = EXIT_OK;
  } else {
    status = register_status(reg, st);
  }
  elig_free(text);
  elig_register_close(reg);
  return status;
}
