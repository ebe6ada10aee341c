/*
 * threads.c -- one compiled rule set shared by several threads, each evaluating with its own
 * context; results kept in input order and aggregates (villages, counties) merged at the end.
 *
 *   cc -std=c11 -Wall threads.c $(pkg-config --cflags --libs elig) -o threads
 *   ./threads rules/national.rules register.jsonl 4
 *
 * Prints exactly what `elig run --format jsonl` prints for the same file: a result line per
 * record in input order, then the aggregate lines; rejected records go to standard error.
 * The rule set is immutable and needs no lock; a context belongs to one thread at a time.
 */
/* getline and open_memstream are POSIX, not C11: ask for them (doc/api.md builds with
 * -std=c11, which hides what the C standard does not name). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

typedef struct {
  const elig_ruleset *rs; /* shared by every thread */
  elig_ctx *ctx;          /* this thread's own */
  char **lines;           /* its share of the records: lines[first .. last) */
  size_t first, last;
  char *out; /* its result lines, in order */
  size_t out_len;
  long rejected;
} share;

static void *work(void *arg)
{
  share *s = arg;
  FILE *out = open_memstream(&s->out, &s->out_len);
  if (!out)
    return NULL;
  elig_ctx_set_aggregate(s->ctx, true); /* fold each record into its groups */
  for (size_t i = s->first; i < s->last; i++) {
    const elig_result *res;
    if (elig_eval_json(s->ctx, s->lines[i], strlen(s->lines[i]), &res) == ELIG_OK) {
      size_t n;
      const char *text = elig_result_format(res, ELIG_FORMAT_JSON, &n);
      fwrite(text, 1, n, out);
    } else {
      /* stderr takes whole lines from each thread; their order may vary */
      fprintf(stderr, "line %zu: %s\n", i + 1, elig_error_message(elig_ctx_error(s->ctx)));
      s->rejected++;
    }
  }
  fclose(out);
  return NULL;
}

/* The lines of a file, NUL-terminated each; NULL when it cannot be read. */
static char **read_lines(const char *path, size_t *count)
{
  FILE *in = fopen(path, "r");
  if (!in)
    return NULL;
  char **lines = NULL, *line = NULL;
  size_t n = 0, cap = 0, len = 0;
  while (getline(&line, &len, in) > 0) {
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      char **grown = realloc(lines, cap * sizeof *lines);
      if (!grown)
        break;
      lines = grown;
    }
    lines[n++] = line;
    line = NULL;
    len = 0;
  }
  free(line);
  fclose(in);
  *count = n;
  return lines ? lines : calloc(1, sizeof *lines);
}

int main(int argc, char **argv)
{
  int nthreads = argc == 4 ? atoi(argv[3]) : 0;
  if (nthreads < 1 || nthreads > 64) {
    fprintf(stderr, "usage: threads RULES RECORDS.jsonl THREADS (1 to 64)\n");
    return 2;
  }
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(argv[1], NULL, &rs, &diags);
  if (st != ELIG_OK) {
    char *text = elig_diags_render(diags, false);
    fputs(text ? text : elig_status_str(st), stderr);
    elig_free(text);
    elig_diags_free(diags);
    return 1;
  }
  elig_diags_free(diags);
  size_t nlines;
  char **lines = read_lines(argv[2], &nlines);
  if (!lines) {
    perror(argv[2]);
    elig_ruleset_free(rs);
    return 2;
  }

  /* Each thread takes a contiguous share, so that concatenating the shares' output keeps
   * the input order, and merging their groups in share order keeps first() the first. */
  share shares[64] = {{0}};
  pthread_t threads[64];
  int rc = 0, started = 0;
  for (int t = 0; t < nthreads && rc == 0; t++) {
    shares[t] = (share){.rs = rs,
                        .lines = lines,
                        .first = nlines * (size_t)t / (size_t)nthreads,
                        .last = nlines * (size_t)(t + 1) / (size_t)nthreads};
    if (elig_ctx_new(rs, &shares[t].ctx) != ELIG_OK)
      rc = 1;
  }
  for (int t = 0; t < nthreads && rc == 0; t++, started++)
    if (pthread_create(&threads[t], NULL, work, &shares[t]) != 0)
      rc = 1;
  for (int t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  if (rc != 0)
    nthreads = 0; /* nothing to print: free what was made */

  for (int t = 0; t < nthreads; t++) {
    fwrite(shares[t].out, 1, shares[t].out_len, stdout);
    if (shares[t].rejected)
      rc = 3;
    if (t > 0 && elig_ctx_merge_aggregates(shares[0].ctx, shares[t].ctx) != ELIG_OK)
      rc = 1;
  }
  const char *aggregates;
  size_t len;
  if (nthreads &&
      elig_ctx_aggregates(shares[0].ctx, ELIG_FORMAT_JSON, &aggregates, &len) == ELIG_OK)
    fwrite(aggregates, 1, len, stdout);
  else
    rc = 1;

  for (int t = 0; t < 64; t++) {
    free(shares[t].out);
    elig_ctx_free(shares[t].ctx);
  }
  for (size_t i = 0; i < nlines; i++)
    free(lines[i]);
  free(lines);
  elig_ruleset_free(rs);
  return rc;
}
