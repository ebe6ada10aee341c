/*
 * check_oom.c -- out of memory, everywhere: the library's allocation hook (elig_set_allocator)
 * fails the Nth allocation, for every N, through compiling, evaluating, explaining, batch
 * runs (one thread and two), diffs, explanations over a register, tests, formatting and the
 * dumps (SQLite's fault simulation; Lua's memcontrol).
 *
 * Each case must end cleanly: ELIG_ENOMEM (or ELIG_OK, when what failed had a fallback, as
 * PCRE2's JIT has), no crash, and no leak: the test allocator counts the blocks alive, which
 * must come back to where they were before the case, whatever failed.  A case that succeeds
 * must give what it gives with all the memory it wants.  The loop ends at the first N that
 * the case runs through without meeting the failure.
 *
 * Built on the public API alone (libelig), as an embedder is.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

/* ---------------------------------------------------------------- the failing allocator */

static atomic_long countdown;   /* the allocation that fails is the one that brings it to 0 */
static atomic_long live;        /* blocks allocated and not freed */
static atomic_bool hit_failure; /* the failure happened */

static bool fail_now(void)
{
  if (atomic_load(&countdown) <= 0)
    return false;
  if (atomic_fetch_sub(&countdown, 1) != 1)
    return false;
  atomic_store(&hit_failure, true);
  return true;
}

static void *test_malloc(void *ud, size_t size)
{
  (void)ud;
  if (fail_now())
    return NULL;
  void *p = malloc(size);
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

static void *test_realloc(void *ud, void *p, size_t size)
{
  (void)ud;
  if (fail_now())
    return NULL;
  void *q = realloc(p, size);
  if (q && !p)
    atomic_fetch_add(&live, 1);
  return q;
}

static void test_free(void *ud, void *p)
{
  (void)ud;
  if (p)
    atomic_fetch_sub(&live, 1);
  free(p);
}

static const elig_allocator failing = {test_malloc, test_realloc, test_free, NULL};

/* Fails the nth allocation from now on (0: none). */
static void fail_at(long n)
{
  atomic_store(&hit_failure, false);
  atomic_store(&countdown, n);
}

/* ---------------------------------------------------------------- fixtures */

static const char *path_of(const char *rel)
{
  static char path[4096];
  const char *srcdir = getenv("srcdir");
  snprintf(path, sizeof path, "%s/%s", srcdir && *srcdir ? srcdir : ".", rel);
  return path;
}

/* The bytes of a file of the source tree (the test's own malloc: not counted). */
static char *slurp(const char *rel, size_t *len)
{
  FILE *f = fopen(path_of(rel), "rb");
  ck_assert_ptr_nonnull(f);
  size_t cap = 1 << 20, n = 0;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  ck_assert_ptr_nonnull(buf);
  *len = n;
  return buf;
}

/* A register in memory, read through the input callback. */
typedef struct {
  const char *p;
  size_t left;
} memory_input;

static ptrdiff_t read_memory(void *arg, void *buf, size_t size)
{
  memory_input *m = arg;
  size_t n = size < m->left ? size : m->left;
  memcpy(buf, m->p, n);
  m->p += n;
  m->left -= n;
  return (ptrdiff_t)n;
}

/* What a batch wrote, all streams in one text (the test's own memory). */
typedef struct {
  char *p;
  size_t len, cap;
} sink;

static bool write_sink(void *arg, elig_stream stream, const char *data, size_t len)
{
  sink *s = arg;
  if (s->len + len + 2 > s->cap) {
    s->cap = (s->len + len + 2) * 2;
    s->p = realloc(s->p, s->cap);
    ck_assert_ptr_nonnull(s->p);
  }
  s->p[s->len++] = (char)('0' + stream);
  memcpy(s->p + s->len, data, len);
  s->len += len;
  return true;
}

static char *sample_csv, *sample_jsonl;
static size_t sample_csv_len, sample_jsonl_len;
static elig_ruleset *national, *yunnan;

static void setup(void)
{
  ck_assert_int_eq(elig_set_allocator(&failing), ELIG_OK);
  fail_at(0);
  sample_csv = slurp("data/sample.csv", &sample_csv_len);
  sample_jsonl = slurp("data/sample.jsonl", &sample_jsonl_len);
  ck_assert_int_eq(elig_compile_file(path_of("rules/national.rules"), NULL, &national, NULL),
                   ELIG_OK);
  ck_assert_int_eq(elig_compile_file(path_of("rules/provinces/yunnan.rules"), NULL, &yunnan, NULL),
                   ELIG_OK);
}

static void teardown(void)
{
  elig_ruleset_free(national);
  elig_ruleset_free(yunnan);
  free(sample_csv);
  free(sample_jsonl);
  ck_assert_int_eq(atomic_load(&live), 0);
  elig_set_allocator(NULL);
}

/* One case: does its work, frees everything it made, returns its status and, when it
 * succeeded, what it produced (the test's malloc; NULL when nothing to compare). */
typedef elig_status (*oom_case)(char **produced);

/* Runs c with the Nth allocation failing, for N = 1, 2, ... until it runs through. */
static void every_failure(oom_case c, const char *name)
{
  char *want = NULL;
  fail_at(0);
  long before = atomic_load(&live);
  ck_assert_msg(c(&want) == ELIG_OK, "%s: fails with all the memory it wants", name);
  ck_assert_msg(atomic_load(&live) == before, "%s: leaks with all the memory", name);
  long n = 1;
  for (;; n++) {
    char *got = NULL;
    fail_at(n);
    elig_status st = c(&got);
    bool hit = atomic_load(&hit_failure);
    fail_at(0);
    ck_assert_msg(st == ELIG_OK || st == ELIG_ENOMEM, "%s: allocation %ld failed: status %d", name,
                  n, st);
    ck_assert_msg(atomic_load(&live) == before, "%s: allocation %ld failed: %ld blocks leaked",
                  name, n, atomic_load(&live) - before);
    if (st == ELIG_OK && want && (!got || strcmp(got, want) != 0)) {
      /* Check cannot carry a long message: the texts go to the log, the verdict to Check */
      fprintf(stderr,
              "%s: allocation %ld failed, yet the result differs:\n%s\n--- instead of\n%s\n", name,
              n, got ? got : "(nothing)", want);
      ck_abort_msg("%s: allocation %ld failed, yet the result differs (texts above)", name, n);
    }
    free(got);
    if (!hit)
      break;
  }
  free(want);
  fprintf(stderr, "%s: %ld allocations failed in turn, each cleanly\n", name, n - 1);
}

/* A copy the test owns of a string the library handed over (then freed with elig_free). */
static char *keep(char *library_text)
{
  char *copy = library_text ? strdup(library_text) : NULL;
  elig_free(library_text);
  return copy;
}

/* ---------------------------------------------------------------- the cases */

static elig_status compile_and_dump(const char *rules, char **produced)
{
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  elig_status st = elig_compile_file(path_of(rules), NULL, &rs, &diags);
  if (st == ELIG_OK)
    st = elig_ruleset_dump_code(rs, produced) == ELIG_OK ? ELIG_OK : ELIG_ENOMEM;
  if (*produced)
    *produced = keep(*produced);
  elig_diags_free(diags);
  elig_ruleset_free(rs);
  return st;
}

static elig_status compile_national(char **produced)
{
  return compile_and_dump("rules/national.rules", produced);
}

/* A province's rules: imports, overridden parameters, tables of its own. */
static elig_status compile_yunnan(char **produced)
{
  return compile_and_dump("rules/provinces/yunnan.rules", produced);
}

/* A rule text with errors: the diagnostics are what it produces. */
static elig_status compile_errors(char **produced)
{
  static const char text[] =
      "record r key id {\n  id text required\n  n int required\n}\n"
      "let a = n + missing\nlet b: money = \"x\"\ndecide d\n  when n > 1 then \"y\"\n";
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  elig_status st = elig_compile_string("bad.rules", text, sizeof text - 1, NULL, &rs, &diags);
  char *rendered = elig_diags_render(diags, false);
  if (st == ELIG_ETYPE || st == ELIG_ESYNTAX)
    st = rendered ? ELIG_OK : ELIG_ENOMEM;
  *produced = keep(rendered);
  elig_diags_free(diags);
  elig_ruleset_free(rs);
  return st;
}

static elig_status evaluate_and_explain(char **produced)
{
  static const char record[] =
      "{\"hh_id\":\"h1\",\"village_code\":\"530621101201\",\"county_code\":\"530621\","
      "\"year\":2020,\"size\":4,\"net_income\":\"16000.04\",\"registered_poor\":true,"
      "\"food_secure\":true,\"clothing_secure\":true,\"dropout_children\":0,"
      "\"uninsured_members\":0,\"housing_grade\":\"A\",\"water_safe\":true,"
      "\"labor_members\":2}";
  elig_ctx *ctx = NULL;
  elig_status st = elig_ctx_new(national, &ctx);
  const elig_result *r = NULL;
  const char *text = NULL;
  char buf[8192] = "";
  if (st == ELIG_OK)
    st = elig_ctx_set_as_of(ctx, "2021-06-30");
  if (st == ELIG_OK) {
    elig_ctx_set_aggregate(ctx, true);
    st = elig_eval_json(ctx, record, sizeof record - 1, &r);
    if (st != ELIG_OK && st != ELIG_ENOMEM)
      fprintf(stderr, "evaluate: %s\n", elig_error_message(elig_ctx_error(ctx)));
  }
  if (st == ELIG_OK) {
    const char *line = elig_result_format(r, ELIG_FORMAT_JSON, NULL);
    st = line ? ELIG_OK : ELIG_ENOMEM;
    if (line)
      snprintf(buf, sizeof buf, "%s", line);
  }
  if (st == ELIG_OK && (st = elig_explain(ctx, ELIG_FORMAT_TEXT, &text, NULL)) == ELIG_OK)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", text);
  if (st == ELIG_OK && (st = elig_ctx_aggregates(ctx, ELIG_FORMAT_CSV, &text, NULL)) == ELIG_OK)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", text);
  elig_ctx_free(ctx);
  *produced = st == ELIG_OK ? strdup(buf) : NULL;
  return st;
}

static elig_status run_batch(char **produced, unsigned threads)
{
  memory_input in[2] = {{sample_csv, sample_csv_len}, {sample_jsonl, sample_jsonl_len}};
  elig_input inputs[2] = {
      {.name = "sample.csv", .format = ELIG_INPUT_CSV, .arg = &in[0], .read = read_memory},
      {.name = "sample.jsonl", .format = ELIG_INPUT_JSONL, .arg = &in[1], .read = read_memory}};
  sink out = {0};
  elig_batch_io io = {.write = write_sink, .arg = &out};
  elig_run_options o = ELIG_RUN_OPTIONS_INIT;
  o.as_of = "2021-06-30";
  o.threads = threads;
  o.reject_rows = true;
  o.chunk_bytes = 16384; /* several chunks, so jobs are reused */
  elig_batch_stats st;
  elig_status rc = elig_run(national, &o, inputs, 2, &io, &st);
  write_sink(&out, ELIG_STREAM_MESSAGES, "", 0);
  out.p[out.len] = '\0';
  *produced = out.p;
  return rc;
}

static elig_status run_one_thread(char **produced)
{
  return run_batch(produced, 1);
}

static elig_status run_two_threads(char **produced)
{
  return run_batch(produced, 2);
}

static elig_status diff_batch_by(char **produced, const char *by, elig_format format)
{
  memory_input in = {sample_csv, sample_csv_len};
  elig_input input = {
      .name = "sample.csv", .format = ELIG_INPUT_CSV, .arg = &in, .read = read_memory};
  sink out = {0};
  elig_batch_io io = {.write = write_sink, .arg = &out};
  elig_diff_options o = ELIG_DIFF_OPTIONS_INIT;
  o.as_of = "2021-06-30";
  o.list = true;
  o.by = by;
  o.format = format;
  elig_batch_stats st;
  elig_status rc = elig_diff(national, yunnan, &o, &input, 1, &io, &st);
  write_sink(&out, ELIG_STREAM_MESSAGES, "", 0);
  out.p[out.len] = '\0';
  *produced = out.p;
  return rc;
}

static elig_status diff_batch(char **produced)
{
  return diff_batch_by(produced, NULL, ELIG_FORMAT_TEXT);
}

/* --by county: the counts per group grow with groups and values; as CSV, the table alone */
static elig_status diff_batch_by_county(char **produced)
{
  return diff_batch_by(produced, "county", ELIG_FORMAT_CSV);
}

static elig_status explain_register(char **produced)
{
  memory_input in = {sample_csv, sample_csv_len};
  elig_input input = {
      .name = "sample.csv", .format = ELIG_INPUT_CSV, .arg = &in, .read = read_memory};
  sink out = {0};
  elig_batch_io io = {.write = write_sink, .arg = &out};
  const char *fields[] = {"hh_id"}, *values[] = {"411623101201-003"};
  elig_explain_options o = ELIG_EXPLAIN_OPTIONS_INIT;
  o.as_of = "2021-06-30";
  o.match_fields = fields;
  o.match_values = values;
  o.nmatch = 1;
  elig_batch_stats st;
  elig_status rc = elig_explain_records(national, &o, &input, 1, &io, &st);
  write_sink(&out, ELIG_STREAM_MESSAGES, "", 0);
  out.p[out.len] = '\0';
  *produced = out.p;
  return rc;
}

static elig_status run_tests(char **produced)
{
  elig_test_options o = ELIG_TEST_OPTIONS_INIT;
  o.coverage = true;
  o.as_of = "2021-06-30";
  char *report = NULL;
  elig_test_stats st;
  elig_status rc = elig_test(yunnan, &o, &report, &st);
  *produced = keep(report);
  return rc;
}

static elig_status format_rules(char **produced)
{
  size_t len;
  char *text = slurp("rules/national/household.rules", &len);
  char *out = NULL;
  size_t outlen;
  elig_status rc = elig_format_rules("household.rules", text, len, &out, &outlen, NULL);
  free(text);
  *produced = keep(out);
  return rc;
}

static elig_status dump_syntax(char **produced)
{
  char *text = NULL;
  elig_status rc = elig_dump_syntax(path_of("rules/national.rules"), NULL, &text);
  *produced = keep(text);
  return rc;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_oom_compile)
{
  every_failure(compile_national, "compile");
  every_failure(compile_yunnan, "compile a province's rules");
  every_failure(compile_errors, "compile with errors");
  every_failure(dump_syntax, "dump syntax");
}
END_TEST

START_TEST(test_oom_evaluate)
{
  every_failure(evaluate_and_explain, "evaluate and explain");
}
END_TEST

START_TEST(test_oom_batch)
{
  every_failure(run_one_thread, "run, one thread");
  every_failure(run_two_threads, "run, two threads");
}
END_TEST

START_TEST(test_oom_diff_explain_test)
{
  every_failure(diff_batch, "diff");
  every_failure(diff_batch_by_county, "diff by county");
  every_failure(explain_register, "explain over a register");
  every_failure(run_tests, "test");
  every_failure(format_rules, "fmt");
}
END_TEST

static void add_case(Suite *s, const char *name, const TTest *test)
{
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 600);
  _tcase_add_test(tc, test, 0, 0, 0, 1);
  suite_add_tcase(s, tc);
}

static Suite *oom_suite(void)
{
  Suite *s = suite_create("oom");
  add_case(s, "compile", test_oom_compile);
  add_case(s, "evaluate", test_oom_evaluate);
  add_case(s, "batch", test_oom_batch);
  add_case(s, "diff, explain, test, fmt", test_oom_diff_explain_test);
  return s;
}

int main(void)
{
  /* make distcheck runs the suite a third time, after `make check` and the sanitizer build
   * ran this: 77 is automake's "skipped" */
  const char *quick = getenv("ELIG_TEST_QUICK");
  if (quick && strcmp(quick, "1") == 0)
    return 77;
  SRunner *sr = srunner_create(oom_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
