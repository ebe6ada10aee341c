/*
 * impact.c -- the impact of a rule change on a register already in memory, with elig_diff:
 * how many households would change status, gain or lose a flag, and which villages and
 * counties would change outcome.
 *
 *   cc -std=c11 -Wall impact.c $(pkg-config --cflags --libs elig) -o impact
 *   ./impact rules/national.rules rules/provinces/yunnan.rules data/sample.csv changed.csv
 *
 * Writes what `elig diff OLD NEW REGISTER --list LIST` writes: the report on standard output,
 * the changed records as CSV to LIST (when given), the rejected records on standard error.
 * The register is read into memory first, as a service would hold an upload, and handed to
 * the library through a read callback over that memory.  Exit status, as elig diff's: 0 all
 * good (whether or not anything changes), 1 a rule set does not compile, 2 bad arguments or
 * an unreadable register, 3 some records rejected by either rule set, 4 an output could not
 * be written (LIST is then removed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

/* ---------------------------------------------------------------- a register in memory */

typedef struct {
  const char *p;
  size_t left;
} memory;

/* The only callback a memory input needs: no open, no close. */
static ptrdiff_t memory_read(void *arg, void *buf, size_t size)
{
  memory *m = arg;
  size_t n = size < m->left ? size : m->left;
  memcpy(buf, m->p, n);
  m->p += n;
  m->left -= n;
  return (ptrdiff_t)n; /* 0 once all is read */
}

/* The bytes of a file (malloc'd; the caller frees them), or NULL. */
static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *grown = realloc(buf, cap *= 2);
    if (!grown)
      free(buf);
    buf = grown;
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = n;
  return buf;
}

/* ---------------------------------------------------------------- the outputs */

typedef struct {
  FILE *list;
  const char *failed; /* the output that could not be written, or NULL */
} outputs;

static bool write_out(void *arg, elig_stream stream, const char *data, size_t len)
{
  outputs *o = arg;
  FILE *to = stream == ELIG_STREAM_REPORT ? stdout
             : stream == ELIG_STREAM_LIST ? o->list
                                          : stderr; /* ELIG_STREAM_MESSAGES */
  if (fwrite(data, 1, len, to) == len || to == stderr)
    return true;
  o->failed = to == stdout ? "standard output" : "the list";
  return false; /* the batch stops: ELIG_EIO */
}

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
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: impact OLD.rules NEW.rules REGISTER.csv [LIST.csv]\n");
    return 2;
  }
  /* both are compiled, so that the errors of both are shown at once */
  elig_ruleset *old_rs = compile(argv[1]), *new_rs = compile(argv[2]);
  size_t len = 0;
  char *data = old_rs && new_rs ? slurp(argv[3], &len) : NULL;
  outputs out = {.list = data && argc == 5 ? fopen(argv[4], "wb") : NULL};
  int rc = !old_rs || !new_rs ? 1 : 2;
  if (!data && rc == 2)
    fprintf(stderr, "cannot read %s: %s\n", argv[3], strerror(errno));
  else if (data && argc == 5 && !out.list)
    perror(argv[4]);
  if (!data || (argc == 5 && !out.list)) {
    free(data);
    elig_ruleset_free(old_rs);
    elig_ruleset_free(new_rs);
    return rc;
  }

  memory m = {data, len};
  elig_input input = {.name = argv[3], .format = ELIG_INPUT_CSV, .arg = &m, .read = memory_read};
  elig_batch_io io = {.write = write_out, .arg = &out};
  elig_diff_options opt = ELIG_DIFF_OPTIONS_INIT; /* a text report, as of today */
  opt.old_name = argv[1];                         /* how the report names the rule sets */
  opt.new_name = argv[2];
  opt.list = out.list != NULL;
  elig_batch_stats stats;
  elig_status st = elig_diff(old_rs, new_rs, &opt, &input, 1, &io, &stats);
  if (fflush(stdout) != 0 && st == ELIG_OK) {
    out.failed = "standard output";
    st = ELIG_EIO;
  }
  if (out.list && fclose(out.list) != 0 && st == ELIG_OK) {
    out.failed = "the list";
    st = ELIG_EIO;
  }

  if (stats.rejected)
    fprintf(stderr,
            "impact: %llu records read, %llu compared, %llu rejected (%llu by the old "
            "rules, %llu by the new rules)\n",
            (unsigned long long)stats.records, (unsigned long long)stats.written,
            (unsigned long long)stats.rejected, (unsigned long long)stats.rejected_old,
            (unsigned long long)stats.rejected_new);
  rc = st == ELIG_OK ? (stats.rejected ? 3 : 0) : 4;
  if (st != ELIG_OK) {
    /* no report, or an incomplete one: the list alone would mislead */
    if (out.failed)
      fprintf(stderr, "impact: cannot write %s\n", out.failed);
    else
      fprintf(stderr, "impact: %s\n", elig_status_str(st));
    if (argc == 5)
      remove(argv[4]);
  }
  free(data);
  elig_ruleset_free(old_rs);
  elig_ruleset_free(new_rs);
  return rc;
}
