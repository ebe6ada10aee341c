/*
 * explain.c -- why one household's decisions came out as they did, found in a register with
 * elig_explain_records.  The register is read from a file descriptor with read(2): a file,
 * standard input ("-"), a pipe or a socket are all read the same way.
 *
 *   cc -std=c11 -Wall explain.c $(pkg-config --cflags --libs elig) -o explain
 *   ./explain rules/national.rules data/sample.csv 411623101201-003 2020
 *
 * Writes what `elig explain RULES REGISTER --id KEY --year YEAR` writes: the explanation of
 * every record whose first key field is KEY (and whose year is YEAR, when given) on standard
 * output.  Exit status, as elig explain's: 0 explained, 1 the rules do not compile, 2 bad
 * arguments, 3 no record has that key, 4 the register could not be read.
 */
/* open, read and close are POSIX, not C11: ask for them (doc/api.md builds with -std=c11). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <elig.h>

/* ---------------------------------------------------------------- a descriptor, read */

typedef struct {
  const char *path; /* "-": standard input */
  int fd;
} descriptor;

static int fd_open(void *arg)
{
  descriptor *d = arg;
  d->fd = strcmp(d->path, "-") == 0 ? STDIN_FILENO : open(d->path, O_RDONLY);
  return d->fd >= 0 ? 0 : errno;
}

/* A read interrupted by a signal is tried again; a batch that should stop on a signal would
 * return -1 here instead, and its cancelled callback say so. */
static ptrdiff_t fd_read(void *arg, void *buf, size_t size)
{
  descriptor *d = arg;
  for (;;) {
    ssize_t n = read(d->fd, buf, size);
    if (n >= 0 || errno != EINTR)
      return n; /* -1 with errno set: "cannot read 'NAME': ..." and ELIG_EIO */
  }
}

static void fd_close(void *arg)
{
  descriptor *d = arg;
  if (d->fd != STDIN_FILENO)
    close(d->fd);
}

/* ---------------------------------------------------------------- the outputs */

static bool write_out(void *arg, elig_stream stream, const char *data, size_t len)
{
  (void)arg;
  if (stream == ELIG_STREAM_REPORT) /* the explanations */
    return fwrite(data, 1, len, stdout) == len;
  fwrite(data, 1, len, stderr); /* ELIG_STREAM_MESSAGES: why a file could not be read */
  return true;
}

int main(int argc, char **argv)
{
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: explain RULES REGISTER.csv KEY [YEAR]\n");
    return 2;
  }
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(argv[1], NULL, &rs, &diags);
  char *text = elig_diags_render(diags, false);
  if (text)
    fputs(text, stderr);
  elig_free(text);
  elig_diags_free(diags);
  if (st != ELIG_OK)
    return 1;
  if (elig_ruleset_key_count(rs) == 0) {
    fprintf(stderr, "%s: the record has no key\n", argv[1]);
    elig_ruleset_free(rs);
    return 1;
  }

  /* The records to explain: those whose fields hold these values, written as text. */
  const char *fields[] = {elig_ruleset_field_name(rs, elig_ruleset_key_field(rs, 0)), "year"};
  const char *values[] = {argv[3], argv[4]};
  elig_explain_options opt = ELIG_EXPLAIN_OPTIONS_INIT; /* a text tree, as of today */
  opt.match_fields = fields;
  opt.match_values = values;
  opt.nmatch = argc == 5 ? 2 : 1;

  descriptor d = {.path = argv[2], .fd = -1};
  elig_input input = {.name = argv[2],
                      .format = ELIG_INPUT_CSV,
                      .arg = &d,
                      .open = fd_open,
                      .read = fd_read,
                      .close = fd_close};
  elig_batch_io io = {.write = write_out};
  elig_batch_stats stats;
  st = elig_explain_records(rs, &opt, &input, 1, &io, &stats);
  int rc = 0;
  if (st != ELIG_OK) {
    if (st != ELIG_EIO) /* for ELIG_EIO the messages have said why */
      fprintf(stderr, "explain: %s\n", elig_status_str(st));
    rc = 4;
  } else if (stats.written == 0) {
    fprintf(stderr, "explain: no record with key '%s'\n", argv[3]);
    rc = 3;
  }
  elig_ruleset_free(rs);
  return rc;
}
