/*
 * fuzz_batch.c -- a register through the whole batch path of elig_run, as `elig run` drives
 * it: the chunked reader (record boundaries, quotes across chunks, line counting), the CSV or
 * JSON Lines parser, typing against the national schema, evaluation, aggregates, the writers
 * and the reject rows.  Built twice: FUZZ_FORMAT is ELIG_INPUT_CSV (fuzz_csv) or
 * ELIG_INPUT_JSONL (fuzz_jsonl).
 *
 * The first byte of the input picks the chunk size (16 bytes to 4 KiB), so that record
 * boundaries fall everywhere, how many bytes each read returns, and one thread or two; the
 * rest is the register.  A run must neither crash nor lose a record: the result lines
 * written are counted against the records read less those rejected, and every write ends a
 * line.  Each register runs twice: read once, and read twice (elig_run_options.reread,
 * where a register in which every household comes once is evaluated as it is read, not in
 * two passes, and half the time within a memory budget of 1 KiB, so that the first reading
 * deals its hashes into partitions and the two passes spill): both must write the same
 * bytes on every stream and count the same.
 *
 * Then the household of the first result line is looked up as `elig explain --id` does
 * (elig_explain_records, which reads each record's key as written and types only the records
 * of the household asked for): it must explain exactly as many records as the run wrote
 * result lines for that household.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

#include "fuzz.h"

static elig_ruleset *national;

typedef struct {
  const uint8_t *start;
  size_t size;
  const uint8_t *p;
  size_t left, step;
} reader;

static int open_bytes(void *arg)
{
  reader *r = arg;
  r->p = r->start;
  r->left = r->size;
  return 0;
}

static ptrdiff_t read_bytes(void *arg, void *buf, size_t size)
{
  reader *r = arg;
  size_t n = size < r->left ? size : r->left;
  if (n > r->step)
    n = r->step; /* short reads, as a pipe gives */
  memcpy(buf, r->p, n);
  r->p += n;
  r->left -= n;
  return (ptrdiff_t)n;
}

typedef struct {
  uint64_t results;                 /* result lines, aggregates aside */
  char *text[ELIG_STREAM_LIST + 1]; /* what each stream was given */
  size_t len[ELIG_STREAM_LIST + 1];
} counter;

static void keep(counter *c, elig_stream stream, const char *data, size_t len)
{
  char *t = realloc(c->text[stream], c->len[stream] + len + 1);
  if (!t)
    abort();
  memcpy(t + c->len[stream], data, len);
  c->text[stream] = t;
  c->len[stream] += len;
}

static void forget(counter *c)
{
  for (int i = 0; i <= ELIG_STREAM_LIST; i++)
    free(c->text[i]);
}

static bool count_lines(void *arg, elig_stream stream, const char *data, size_t len)
{
  counter *c = arg;
  if (len == 0 || data[len - 1] != '\n')
    abort(); /* the batch writes whole lines */
  if ((unsigned)stream > ELIG_STREAM_LIST)
    abort();
  keep(c, stream, data, len);
  if (stream != ELIG_STREAM_RESULTS)
    return true;
  for (const char *line = data, *end = data + len; line < end;) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    c->results += strncmp(line, "{\"aggregate\":", 13) != 0;
    line = nl + 1;
  }
  return true;
}

static void setup(void)
{
  if (elig_compile_file(fuzz_source_path("rules/national.rules"), NULL, &national, NULL) != ELIG_OK)
    abort();
}

/* Runs the batch over data[1..size) (data[0] picks the chunk size, the read size and the
 * threads), the input read once or twice, and checks that no record is lost; returns the
 * status and the result lines, and what was written in c (forget(c) after). */
static elig_status run_once(const uint8_t *data, size_t size, bool reread, counter *c,
                            elig_batch_stats *st)
{
  reader r = {data + 1, size - 1, data + 1, size - 1, (size_t)7 << (data[0] % 5 * 3)};
  elig_input in = {
      .name = "fuzz", .format = FUZZ_FORMAT, .arg = &r, .open = open_bytes, .read = read_bytes};
  elig_batch_io io = {.write = count_lines, .arg = c};
  elig_run_options o = ELIG_RUN_OPTIONS_INIT;
  o.format = ELIG_FORMAT_JSON;
  o.reject_rows = true;
  o.threads = 1 + (data[0] >> 7); /* one thread or two */
  o.as_of = "2021-01-01";
  o.chunk_bytes = (size_t)16 << (data[0] % 9);
  o.reread = reread;
  /* read twice, half the time within 1 KiB: the first reading's households go to its
   * partitions from the first (once.c), and a run in two passes spills every bucket */
  o.memory_limit = reread && (data[0] & 0x40) ? 1024 : 0;
  elig_status rc = elig_run(national, &o, &in, 1, &io, st);
  /* every record read is written or rejected */
  if (rc == ELIG_OK && c->results != st->records - st->rejected)
    abort();
  return rc;
}

static bool count_explained(void *arg, elig_stream stream, const char *data, size_t len)
{
  (void)arg;
  (void)stream;
  (void)data;
  (void)len;
  return true;
}

/* The household of the first result line, explained over the same register: as many
 * records explained as result lines of that household. */
static void explain_first(const uint8_t *data, size_t size, const counter *c)
{
  static const char head[] = "{\"hh_id\":\"";
  const char *text = c->text[ELIG_STREAM_RESULTS];
  size_t len = c->len[ELIG_STREAM_RESULTS];
  if (!text || len < sizeof head || memcmp(text, head, sizeof head - 1) != 0)
    return;
  const char *id = text + sizeof head - 1, *end = memchr(id, '"', len - (sizeof head - 1));
  if (!end || memchr(id, '\\', (size_t)(end - id)))
    return; /* an id with escapes: its text as written is not at hand */
  char *want = malloc((size_t)(end - id) + 1), *prefix = malloc((size_t)(end - text) + 3);
  if (!want || !prefix)
    abort();
  memcpy(want, id, (size_t)(end - id));
  want[end - id] = '\0';
  size_t plen = (size_t)(end - text) + 2;
  memcpy(prefix, text, plen); /* {"hh_id":"X", */
  uint64_t lines = 0;
  for (const char *line = text; line < text + len;) {
    const char *nl = memchr(line, '\n', (size_t)(text + len - line));
    lines += (size_t)(nl - line) >= plen && memcmp(line, prefix, plen) == 0;
    line = nl + 1;
  }
  reader r = {data + 1, size - 1, data + 1, size - 1, (size_t)7 << (data[0] % 5 * 3)};
  elig_input in = {
      .name = "fuzz", .format = FUZZ_FORMAT, .arg = &r, .open = open_bytes, .read = read_bytes};
  elig_batch_io io = {.write = count_explained};
  const char *field = "hh_id";
  const char *value = want;
  elig_explain_options o = ELIG_EXPLAIN_OPTIONS_INIT;
  o.match_fields = &field;
  o.match_values = &value;
  o.nmatch = 1;
  o.as_of = "2021-01-01";
  elig_batch_stats st;
  elig_status rc = elig_explain_records(national, &o, &in, 1, &io, &st);
  if (rc == ELIG_OK && st.written != lines)
    abort(); /* the search found other records than the run evaluated */
  free(want);
  free(prefix);
}

static elig_status run_register(const uint8_t *data, size_t size, uint64_t *written)
{
  counter once = {0}, twice = {0};
  elig_batch_stats st_once, st_twice;
  elig_status rc = run_once(data, size, false, &once, &st_once);
  if (run_once(data, size, true, &twice, &st_twice) != rc || st_once.records != st_twice.records ||
      st_once.rejected != st_twice.rejected)
    abort();
  for (int i = 0; i <= ELIG_STREAM_LIST; i++)
    if (once.len[i] != twice.len[i] ||
        (once.len[i] && memcmp(once.text[i], twice.text[i], once.len[i])))
      abort(); /* reading twice changed what was written */
  *written = once.results;
  if (rc == ELIG_OK)
    explain_first(data, size, &once);
  forget(&once);
  forget(&twice);
  return rc;
}

/* The harness tests itself on the sample register once: a change that made every run
 * refuse its input would leave the fuzzer exploring nothing but that refusal, with no crash
 * to tell. */
static void self_test(void)
{
  const char *path =
      fuzz_source_path(FUZZ_FORMAT == ELIG_INPUT_CSV ? "data/sample.csv" : "data/sample.jsonl");
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(1 << 20);
  if (!f || !buf)
    abort();
  buf[0] = 8; /* 4 KiB chunks, one thread */
  size_t n = fread(buf + 1, 1, (1 << 20) - 1, f);
  fclose(f);
  uint64_t written;
  if (run_register(buf, n + 1, &written) != ELIG_OK || written == 0)
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
  uint64_t written;
  run_register(data, size, &written);
  return 0;
}
