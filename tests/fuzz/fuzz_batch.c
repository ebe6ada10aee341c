/*
 * fuzz_batch.c -- a register file through the whole batch path of elig run: the chunked
 * reader (record boundaries, quotes across chunks, line counting), the CSV or JSON Lines
 * parser, typing against the national schema, evaluation, aggregates, the writers and the
 * reject file.  Built twice: FUZZ_FORMAT is INPUT_CSV (fuzz_csv) or INPUT_JSONL
 * (fuzz_jsonl).
 *
 * The first byte of the input picks the chunk size (16 bytes to 4 KiB), so that record
 * boundaries fall everywhere, and one thread or two; the rest is the file.  A run must
 * neither crash nor lose a record: the result lines written are counted against the
 * records read less those rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "input.h"
#include "ruleset.h"
#include "run.h"

static elig_program *national;
static FILE *log_sink;

static void setup(void)
{
  diag_list *diags = diag_list_new();
  src_set *srcs = NULL;
  ruleset_source src = {.path = fuzz_source_path("rules/national.rules")};
  national = diags ? ruleset_compile(&src, diags, &srcs) : NULL;
  log_sink = fopen("/dev/null", "w");
  if (!national || diag_error_count(diags) || !log_sink)
    abort();
  diag_list_free(diags);
}

/* Result lines in the JSON Lines output of fd, aggregates aside. */
static uint64_t result_lines(int fd)
{
  off_t len = lseek(fd, 0, SEEK_END);
  if (len <= 0)
    return 0;
  char *p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    abort();
  uint64_t n = 0;
  for (char *line = p, *end = p + len; line < end;) {
    char *nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl)
      abort(); /* every line the writer writes ends */
    n += strncmp(line, "{\"aggregate\":", 13) != 0;
    line = nl + 1;
  }
  munmap(p, (size_t)len);
  return n;
}

/* Runs the batch over data[1..size) (data[0] picks the chunk size and threads) and checks
 * that no record is lost; returns the exit status and, in *written, the result lines. */
static int run_file(const uint8_t *data, size_t size, size_t *written)
{
  size_t chunk = (size_t)16 << (data[0] % 9);
  int in = memfd_create("register", 0), out = memfd_create("results", 0);
  if (in < 0 || out < 0)
    abort();
  if (size > 1 && write(in, data + 1, size - 1) != (ssize_t)(size - 1))
    abort();
  char in_path[64], out_path[64];
  snprintf(in_path, sizeof in_path, "/proc/self/fd/%d", in);
  snprintf(out_path, sizeof out_path, "/proc/self/fd/%d", out);
  const char *inputs[] = {in_path};
  run_options o = {
    .P = national,
    .inputs = inputs,
    .ninputs = 1,
    .input_format = FUZZ_FORMAT,
    .format = WRITE_JSONL,
    .output = out_path,
    .rejects = "/dev/null",
    .threads = 1 + (data[0] >> 7), /* one thread or two */
    .as_of = 18628, /* 2021-01-01 */
    .chunk_bytes = chunk,
  };
  run_stats st;
  int rc = run_batch(&o, &st, log_sink);
  *written = result_lines(out);
  /* every record read is written or rejected: count what was written */
  if (rc != 4 && *written != st.records - st.rejected)
    abort();
  close(in);
  close(out);
  return rc;
}

/* The harness tests itself on the sample register once: a change that made every run
 * refuse its input (an output path the batch will not open, say) would leave the fuzzer
 * exploring nothing but that refusal, with no crash to tell. */
static void self_test(void)
{
  const char *path = fuzz_source_path(FUZZ_FORMAT == INPUT_CSV ? "data/sample.csv"
                                                                : "data/sample.jsonl");
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(1 << 20);
  if (!f || !buf)
    abort();
  buf[0] = 8; /* 4 KiB chunks, one thread */
  size_t n = fread(buf + 1, 1, (1 << 20) - 1, f);
  fclose(f);
  size_t written;
  if (run_file(buf, n + 1, &written) == 4 || written == 0)
    abort();
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!national) {
    setup();
    self_test();
  }
  if (size == 0)
    return 0;
  size_t written;
  run_file(data, size, &written);
  return 0;
}
