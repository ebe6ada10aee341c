/*
 * batch.c -- a whole register through elig_run: the library reads the file through the
 * program's callbacks, evaluates the records on threads of its own, and hands every line it
 * produces back to the program, which decides where each goes.
 *
 *   cc -std=c11 -Wall batch.c $(pkg-config --cflags --libs elig) -o batch
 *   ./batch rules/national.rules data/sample.csv rejects.csv
 *
 * Writes what `elig run RULES REGISTER --rejects REJECTS` writes: a result line per record
 * and then the aggregates on standard output, the rejected records as CSV rows to REJECTS,
 * messages (warnings, why the register could not be read) on standard error.  --progress
 * (first) adds a progress line on standard error; Ctrl-C stops the batch.  Exit status, as
 * elig run's: 0 all good, 1 the rules do not compile, 2 bad arguments, 3 some records
 * rejected, 4 the register could not be read, an output could not be written or the batch
 * was stopped (REJECTS is then removed: it would be incomplete).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <elig.h>

/* ---------------------------------------------------------------- the register, read */

/* The input callbacks over a file, with stdio: the library calls open once, read until it
 * returns 0, and close once, all on the thread that called elig_run. */
typedef struct {
  const char *path;
  FILE *f;
} register_file;

static int file_open(void *arg)
{
  register_file *r = arg;
  r->f = fopen(r->path, "rb");
  return r->f ? 0 : errno ? errno : EIO; /* the library says "cannot open 'NAME': ..." */
}

static ptrdiff_t file_read(void *arg, void *buf, size_t size)
{
  register_file *r = arg;
  size_t n = fread(buf, 1, size, r->f);
  if (n == 0 && ferror(r->f)) {
    if (errno == 0)
      errno = EIO;
    return -1; /* the library says "cannot read 'NAME': ..." and stops with ELIG_EIO */
  }
  return (ptrdiff_t)n; /* 0 at the end of the file */
}

static void file_close(void *arg)
{
  register_file *r = arg;
  fclose(r->f);
}

/* ---------------------------------------------------------------- the outputs, written */

typedef struct {
  FILE *rejects;
  const char *rejects_path;
  const char *failed; /* the output that could not be written, or NULL */
  int failed_errno;
} outputs;

/* Called with whole lines (one or more, not NUL-terminated), in input order, on the calling
 * thread only.  Returning false stops the batch, which then returns ELIG_EIO. */
static bool write_out(void *arg, elig_stream stream, const char *data, size_t len)
{
  outputs *o = arg;
  switch (stream) {
  case ELIG_STREAM_RESULTS: /* results, then the aggregates */
    if (fwrite(data, 1, len, stdout) == len)
      return true;
    o->failed = "standard output";
    break;
  case ELIG_STREAM_REJECTS: /* with reject_rows: line,hh_id,year,reason,record */
    if (fwrite(data, 1, len, o->rejects) == len)
      return true;
    o->failed = o->rejects_path;
    break;
  default: /* ELIG_STREAM_MESSAGES: for people; one that cannot be shown is no reason to stop */
    fwrite(data, 1, len, stderr);
    return true;
  }
  o->failed_errno = errno;
  return false;
}

/* Set by SIGINT; polled by the library between chunks of the register. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
  (void)sig;
  interrupted = 1;
}

static bool cancelled(void *arg)
{
  (void)arg;
  return interrupted != 0;
}

/* After each chunk of records (1 MiB of the register) is written. */
static void show_progress(void *arg, const elig_batch_stats *so_far)
{
  (void)arg;
  fprintf(stderr, "batch: %llu records, %llu rejected so far\n",
          (unsigned long long)so_far->records, (unsigned long long)so_far->rejected);
}

/* ---------------------------------------------------------------- the program */

/* Compiles the rules, printing their diagnostics as `elig check` does; NULL on errors. */
static elig_ruleset *compile(const char *path)
{
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(path, NULL, &rs, &diags);
  char *text = elig_diags_render(diags, false);
  if (text)
    fputs(text, stderr);
  elig_free(text);
  elig_diags_free(diags);
  if (st != ELIG_OK)
    fprintf(stderr, "%s: %s\n", path, elig_status_str(st));
  return rs;
}

int main(int argc, char **argv)
{
  bool progress = argc > 1 && strcmp(argv[1], "--progress") == 0;
  argc -= progress;
  argv += progress;
  if (argc != 4) {
    fprintf(stderr, "usage: batch [--progress] RULES REGISTER.csv REJECTS.csv\n");
    return 2;
  }
  elig_ruleset *rs = compile(argv[1]);
  if (!rs)
    return 1;
  outputs out = {.rejects = fopen(argv[3], "wb"), .rejects_path = argv[3]};
  if (!out.rejects) {
    perror(argv[3]);
    elig_ruleset_free(rs);
    return 2;
  }

  register_file reg = {.path = argv[2]};
  elig_input input = {.name = argv[2],
                      .format = ELIG_INPUT_CSV,
                      .arg = &reg,
                      .open = file_open,
                      .read = file_read,
                      .close = file_close};
  elig_batch_io io = {.write = write_out,
                      .cancelled = cancelled,
                      .progress = progress ? show_progress : NULL,
                      .arg = &out};
  elig_run_options opt = ELIG_RUN_OPTIONS_INIT; /* CSV results, today, a thread a core */
  opt.reject_rows = true; /* rejected records as rows on ELIG_STREAM_REJECTS */
  signal(SIGINT, on_interrupt);
  elig_batch_stats stats;
  elig_status st = elig_run(rs, &opt, &input, 1, &io, &stats);

  /* Outputs that cannot be flushed were not written either. */
  if (fflush(stdout) != 0 && st == ELIG_OK) {
    out.failed = "standard output";
    out.failed_errno = errno;
    st = ELIG_EIO;
  }
  if (fclose(out.rejects) != 0 && st == ELIG_OK) {
    out.failed = argv[3];
    out.failed_errno = errno;
    st = ELIG_EIO;
  }
  int rc = 4;
  switch (st) {
  case ELIG_OK: /* every record read; the rejected ones are in REJECTS */
    rc = stats.rejected ? 3 : 0;
    if (stats.rejected)
      fprintf(stderr, "batch: %llu records read, %llu written, %llu rejected (see %s)\n",
              (unsigned long long)stats.records, (unsigned long long)stats.written,
              (unsigned long long)stats.rejected, argv[3]);
    break;
  case ELIG_EIO: /* the library has said why the register could not be read; we say why an
                    output could not be written */
    if (out.failed)
      fprintf(stderr, "batch: cannot write %s: %s\n", out.failed, strerror(out.failed_errno));
    break;
  case ELIG_ECANCELED: fprintf(stderr, "batch: interrupted\n"); break;
  default: /* ELIG_EEVAL: an aggregate's rule failed (said on the messages); ELIG_ENOMEM */
    fprintf(stderr, "batch: %s\n", elig_status_str(st));
    break;
  }
  if (rc == 4) {
    /* the outputs are incomplete: keep none of them */
    remove(argv[3]);
    fprintf(stderr, "batch: stopped after %llu records%s\n", (unsigned long long)stats.records,
            stats.written ? "; standard output has only part of the results" : "");
  }
  elig_ruleset_free(rs);
  return rc;
}
