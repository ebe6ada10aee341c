/*
 * cli_io.c -- the program's side of a batch: register files opened and read for the
 * library, its output streams routed to files and terminals, signals, the progress line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ---------------------------------------------------------------- signals */

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

/* ---------------------------------------------------------------- inputs */

static int file_open(void *arg)
{
  cli_file *f = arg;
  if (strcmp(f->path, "-") == 0) {
    f->fd = STDIN_FILENO;
    f->own = false;
    return 0;
  }
  f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
  f->own = f->fd >= 0;
  return f->fd >= 0 ? 0 : errno;
}

/* A read interrupted by a signal is retried, unless the signal asked the batch to stop:
 * then the read fails, and the library, asking cli_cancelled, stops. */
static ptrdiff_t file_read(void *arg, void *buf, size_t size)
{
  cli_file *f = arg;
  for (;;) {
    ssize_t n = read(f->fd, buf, size);
    if (n >= 0 || errno != EINTR || cli_interrupted)
      return n;
  }
}

static void file_close(void *arg)
{
  cli_file *f = arg;
  if (f->own)
    close(f->fd);
  f->own = false;
}

static elig_input_format format_of(const char *path, int forced)
{
  if (forced >= 0)
    return (elig_input_format)forced;
  const char *dot = strrchr(path, '.');
  if (dot &&
      (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".json") == 0))
    return ELIG_INPUT_JSONL;
  return ELIG_INPUT_CSV;
}

void cli_inputs(char *const *paths, size_t n, int forced, cli_file *files, elig_input *inputs)
{
  for (size_t i = 0; i < n; i++) {
    files[i] = (cli_file){.path = paths[i], .fd = -1};
    inputs[i] = (elig_input){.name = paths[i],
                             .format = format_of(paths[i], forced),
                             .arg = &files[i],
                             .open = file_open,
                             .read = file_read,
                             .close = file_close};
  }
}

bool cli_inputs_rereadable(char *const *paths, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
      return false;
  }
  return true;
}

/* ---------------------------------------------------------------- outputs */

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The report goes to standard output as soon as it is whole; when that fails the list file
 * must not be kept, and the person is told why here, where errno is still the reason. */
static bool write_report(cli_sink *s, const char *data, size_t len)
{
  /* the list first: a list that cannot be written leaves no report that looks complete */
  output *list = s->streams[ELIG_STREAM_LIST];
  if (list && !out_flush(list, stderr))
    return false;
  if (fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0)
    return true;
  const char *why = strerror(errno ? errno : EIO);
  if (s->streams[ELIG_STREAM_LIST])
    /* TRANSLATORS: the report of elig diff could not be written to standard output (%s:
       the system's reason), so the file of changed records (--list) was removed. */
    cli_say(_("cannot write the report: %s; the list file was not kept"), why);
  else
    cli_say(_("cannot write the report: %s"), why);
  s->report_failed = true;
  return false;
}

static bool sink_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  cli_sink *s = arg;
  if (stream == ELIG_STREAM_MESSAGES) {
    /* a message that cannot be shown is no reason to lose the results */
    if (s->shown)
      fputs("\r\033[K", stderr);
    s->shown = false;
    fwrite(data, 1, len, stderr);
    return true;
  }
  if (stream == ELIG_STREAM_REPORT)
    return write_report(s, data, len);
  return s->streams[stream] && out_write(s->streams[stream], data, len);
}

static bool sink_cancelled(void *arg)
{
  (void)arg;
  return cli_interrupted != 0;
}

static void sink_progress(void *arg, const elig_batch_stats *st)
{
  cli_sink *s = arg;
  double t = now();
  if (!s->progress || t - s->last < 0.25)
    return;
  s->last = t;
  double rate = t > s->start ? (double)st->records / (t - s->start) : 0;
  unsigned long long n = (unsigned long long)st->records;
  fputs("\relig: ", stderr);
  if (s->diff_progress)
    /* TRANSLATORS: the progress line of elig diff on a terminal: records read so far, how
       many of them changed, how many were rejected, and records a second (/s). */
    fprintf(stderr,
            i18n_plural("%llu record, %llu changed, %llu rejected, %.0f/s",
                        "%llu records, %llu changed, %llu rejected, %.0f/s", n),
            n, (unsigned long long)st->changed, (unsigned long long)st->rejected, rate);
  else
    /* TRANSLATORS: the progress line of elig run and elig register add on a terminal:
       records read so far, how many were rejected, and records a second (/s). */
    fprintf(
        stderr,
        i18n_plural("%llu record, %llu rejected, %.0f/s", "%llu records, %llu rejected, %.0f/s", n),
        n, (unsigned long long)st->rejected, rate);
  fputs("\033[K", stderr);
  fflush(stderr);
  s->shown = true;
}

elig_batch_io cli_batch_io(cli_sink *sink)
{
  sink->start = sink->last = now();
  return (elig_batch_io){
      .write = sink_write, .cancelled = sink_cancelled, .progress = sink_progress, .arg = sink};
}

void cli_end_progress(cli_sink *sink)
{
  if (sink->progress)
    fputs("\r\033[K", stderr);
  sink->shown = false;
}

bool cli_parse_missing(const char *s, elig_missing *out)
{
  if (strcmp(s, "reject") == 0)
    *out = ELIG_MISSING_REJECT;
  else if (strcmp(s, "undetermined") == 0)
    *out = ELIG_MISSING_UNDETERMINED;
  else
    return false;
  return true;
}

bool cli_parse_threads(const char *s, unsigned *out)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 1 || v > 256)
    return false;
  *out = (unsigned)v;
  return true;
}
