/*
 * check_api.c -- the public API (include/elig.h) as an embedder uses it: linked against the
 * installed library's exports only, never against internals.
 *
 * Covers compiling from files and text with every failure status and its error object,
 * evaluation from JSON and field by field, results, explanations and aggregates, and
 * concurrent evaluation from several threads checked against one thread's results.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig.h"

/* ---------------------------------------------------------------- helpers */

static char *path_of(const char *rel)
{
  const char *srcdir = getenv("srcdir");
  static char buf[4][1024];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", srcdir ? srcdir : ".", rel);
  return p;
}

static elig_ruleset *national(void)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_file(path_of("rules/national.rules"), NULL, &rs, &d);
  ck_assert_int_eq(st, ELIG_OK);
  ck_assert_ptr_nonnull(rs);
  ck_assert_uint_eq(elig_diags_error_count(d), 0);
  elig_diags_free(d);
  return rs;
}

static elig_ruleset *from_text(const char *text)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_string("t.rules", text, strlen(text), NULL, &rs, &d);
  if (st != ELIG_OK) {
    char *r = elig_diags_render(d, false);
    fprintf(stderr, "%s", r);
    elig_free(r);
  }
  ck_assert_int_eq(st, ELIG_OK);
  elig_diags_free(d);
  return rs;
}

static size_t index_of(size_t (*count)(const elig_ruleset *),
                       const char *(*name)(const elig_ruleset *, size_t), const elig_ruleset *rs,
                       const char *want)
{
  for (size_t i = 0; i < count(rs); i++)
    if (strcmp(name(rs, i), want) == 0)
      return i;
  ck_abort_msg("no '%s'", want);
  return 0;
}

/* A national record with every required field; `extra` is spliced in before the '}'. */
static char *household(char *buf, size_t size, const char *income, int size_, const char *extra)
{
  snprintf(buf, size,
           "{\"hh_id\":\"t1\",\"village_code\":\"411623101201\",\"year\":2020,\"size\":%d,"
           "\"net_income\":%s,\"food_secure\":true,\"clothing_secure\":true,"
           "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":2,"
           "\"registered_poor\":true%s}",
           size_, income, extra ? extra : "");
  return buf;
}

/* ---------------------------------------------------------------- compiling */

START_TEST(test_api_compile_file)
{
  elig_ruleset *rs = national();
  ck_assert_str_eq(elig_ruleset_policy(rs), "national");
  ck_assert_str_eq(elig_ruleset_version(rs), "2020.1");
  const char *hash = elig_ruleset_hash(rs);
  ck_assert_uint_eq(strlen(hash), 7 + 64);
  ck_assert(strncmp(hash, "sha256:", 7) == 0);
  ck_assert_uint_eq(elig_ruleset_file_count(rs), 7);
  ck_assert_ptr_nonnull(strstr(elig_ruleset_file(rs, 0), "national.rules"));
  ck_assert_ptr_null(elig_ruleset_file(rs, 7));
  size_t i;
  ck_assert_int_eq(elig_ruleset_decision_index(rs, "status", &i), ELIG_OK);
  ck_assert_str_eq(elig_ruleset_decision_name(rs, i), "status");
  ck_assert_int_eq(elig_ruleset_decision_type(rs, i), ELIG_TYPE_TEXT);
  ck_assert_int_eq(elig_ruleset_decision_index(rs, "statut", &i), ELIG_ENOTFOUND);
  ck_assert_uint_eq(elig_ruleset_flag_count(rs), 6);
  ck_assert_str_eq(elig_ruleset_flag_name(rs, 0), "unstable_exited");
  ck_assert_str_eq(elig_ruleset_flag_severity(rs, 0), "high");
  ck_assert_ptr_nonnull(elig_ruleset_flag_reason(rs, 0));
  ck_assert_int_eq(elig_ruleset_field_index(rs, "net_income", &i), ELIG_OK);
  ck_assert_int_eq(elig_ruleset_field_type(rs, i), ELIG_TYPE_MONEY);
  ck_assert(elig_ruleset_field_required(rs, i));
  ck_assert_int_eq(elig_ruleset_field_index(rs, "members", &i), ELIG_OK);
  ck_assert_int_eq(elig_ruleset_field_type(rs, i), ELIG_TYPE_LIST);
  ck_assert_uint_eq(elig_ruleset_aggregate_count(rs), 2);
  ck_assert_str_eq(elig_ruleset_aggregate_name(rs, 0), "village");
  ck_assert_str_eq(elig_ruleset_column_name(rs, 2), "per_capita");
  ck_assert_int_eq(elig_ruleset_column_type(rs, 2), ELIG_TYPE_MONEY);
  ck_assert_str_eq(elig_ruleset_csv_header(rs), "hh_id,year,per_capita,status,flags,monitoring\n");
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_hash_is_of_content)
{
  const char *a = "record r key id { id text required }\ndecide d otherwise \"x\"\n";
  const char *b = "record r key id { id text required }\ndecide d otherwise \"y\"\n";
  elig_ruleset *r1 = from_text(a), *r2 = from_text(a), *r3 = from_text(b);
  elig_ruleset *r4 = NULL;
  ck_assert_int_eq(elig_compile_string("elsewhere/other.rules", a, strlen(a), NULL, &r4, NULL),
                   ELIG_OK);
  ck_assert_str_eq(elig_ruleset_hash(r1), elig_ruleset_hash(r2));
  ck_assert_str_eq(elig_ruleset_hash(r1), elig_ruleset_hash(r4)); /* names do not count */
  ck_assert_str_ne(elig_ruleset_hash(r1), elig_ruleset_hash(r3));
  elig_ruleset_free(r1);
  elig_ruleset_free(r2);
  elig_ruleset_free(r3);
  elig_ruleset_free(r4);
}
END_TEST

/* The national rules compiled again from their own texts, by name, as the PostgreSQL
 * extension keeps them: the same hash, and no file read. */
START_TEST(test_api_compile_sources)
{
  elig_ruleset *rs = national();
  size_t n = elig_ruleset_file_count(rs);
  elig_source files[17];
  ck_assert_uint_le(n, 16);
  for (size_t i = 0; i < n; i++) {
    files[i].name = elig_ruleset_file(rs, i);
    files[i].text = elig_ruleset_file_text(rs, i, &files[i].len);
    ck_assert_ptr_nonnull(files[i].text);
  }
  ck_assert_ptr_null(elig_ruleset_file_text(rs, n, NULL));
  elig_ruleset *again = NULL;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_sources(files[0].name, files, n, NULL, &again, &d), ELIG_OK);
  ck_assert_str_eq(elig_ruleset_hash(again), elig_ruleset_hash(rs));
  elig_diags_free(d);
  elig_ruleset_free(again);
  /* an import not given: an error naming it (as a file that cannot be read), not a read
   * from disk */
  ck_assert_int_eq(elig_compile_sources(files[0].name, files, n - 1, NULL, &again, &d), ELIG_EIO);
  ck_assert_ptr_null(again);
  ck_assert_uint_ge(elig_diags_error_count(d), 1);
  ck_assert_str_eq(elig_error_code(elig_diags_get(d, 0)), "E0501");
  elig_diags_free(d);
  /* a name given twice */
  elig_source twice[2] = {files[1], files[1]};
  ck_assert_int_eq(elig_compile_sources(files[1].name, twice, 2, NULL, &again, NULL), ELIG_EINVAL);
  /* the root not among them */
  ck_assert_int_ne(elig_compile_sources("nowhere.rules", files, n, NULL, &again, NULL), ELIG_OK);
  ck_assert_ptr_null(again);
  /* named as in a folder, with a province's file that imports "../national.rules": found as
   * a folder would resolve it (the workbench compiles DIR's files this way) */
  char *names[17];
  for (size_t i = 0; i < n; i++) {
    const char *rel = strstr(files[i].name, "rules/");
    ck_assert_ptr_nonnull(rel);
    names[i] = strdup(rel + strlen("rules/"));
    files[i].name = names[i];
  }
  FILE *f = fopen(path_of("rules/provinces/yunnan.rules"), "rb");
  ck_assert_ptr_nonnull(f);
  static char province[1 << 16];
  size_t len = fread(province, 1, sizeof province, f);
  fclose(f);
  files[n] = (elig_source){"provinces/yunnan.rules", province, len};
  ck_assert_int_eq(elig_compile_sources("provinces/yunnan.rules", files, n + 1, NULL, &again, &d),
                   ELIG_OK);
  ck_assert_str_eq(elig_ruleset_policy(again), "yunnan");
  elig_diags_free(d);
  elig_ruleset_free(again);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_syntax_error)
{
  const char *text = "record r key id {\n  id text required\n}\ndecide d\n  when id = \"a\" \"b\"\n"
                     "  otherwise \"c\"\n";
  elig_ruleset *rs = (elig_ruleset *)1;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_string("bad.rules", text, strlen(text), NULL, &rs, &d),
                   ELIG_ESYNTAX);
  ck_assert_ptr_null(rs);
  ck_assert_uint_ge(elig_diags_count(d), 1);
  const elig_error *e = elig_diags_get(d, 0);
  ck_assert_int_eq(elig_error_severity(e), ELIG_SEVERITY_ERROR);
  ck_assert_int_eq(elig_error_status(e), ELIG_ESYNTAX);
  ck_assert_str_eq(elig_error_file(e), "bad.rules");
  ck_assert_uint_eq(elig_error_line(e), 5);
  ck_assert_uint_eq(elig_error_column(e), 17);
  ck_assert_ptr_nonnull(elig_error_code(e));
  char *r = elig_diags_render(d, false);
  ck_assert_ptr_nonnull(strstr(r, "bad.rules:5:17: error["));
  ck_assert_ptr_nonnull(strstr(r, "^"));
  elig_free(r);
  ck_assert_ptr_null(elig_diags_get(d, 99));
  elig_diags_free(d);
}
END_TEST

START_TEST(test_api_type_error_with_help)
{
  const char *text = "record r key id {\n  id text required\n  net_income money required\n}\n"
                     "let x = net_incme * 2\n";
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_string("t.rules", text, strlen(text), NULL, &rs, &d), ELIG_ETYPE);
  const elig_error *e = elig_diags_get(d, 0);
  ck_assert_str_eq(elig_error_code(e), "E0201");
  ck_assert_str_eq(elig_error_message(e), "unknown field 'net_incme'");
  ck_assert_str_eq(elig_error_help(e), "did you mean 'net_income'?");
  ck_assert_uint_eq(elig_error_line(e), 5);
  ck_assert_uint_eq(elig_error_column(e), 9);
  elig_diags_free(d);
}
END_TEST

START_TEST(test_api_missing_file)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_file("/nonexistent/x.rules", NULL, &rs, &d), ELIG_EIO);
  ck_assert_ptr_null(rs);
  ck_assert_int_eq(elig_error_status(elig_diags_get(d, 0)), ELIG_EIO);
  elig_diags_free(d);
  /* diagnostics are optional */
  ck_assert_int_eq(elig_compile_file("/nonexistent/x.rules", NULL, &rs, NULL), ELIG_EIO);
}
END_TEST

START_TEST(test_api_warnings_on_success)
{
  const char *text = "record r key id { id text required }\nlet unused = 1\n"
                     "decide d otherwise \"x\" because \"always\"\n";
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_string("w.rules", text, strlen(text), NULL, &rs, &d), ELIG_OK);
  ck_assert_ptr_nonnull(rs);
  ck_assert_uint_eq(elig_diags_warning_count(d), 1);
  ck_assert_int_eq(elig_error_severity(elig_diags_get(d, 0)), ELIG_SEVERITY_WARNING);
  ck_assert_int_eq(elig_error_status(elig_diags_get(d, 0)), ELIG_OK);
  elig_ruleset_free(rs); /* the diagnostics do not depend on the rule set */
  ck_assert_str_eq(elig_error_file(elig_diags_get(d, 0)), "w.rules");
  char *r = elig_diags_render(d, false);
  ck_assert_ptr_nonnull(strstr(r, "warning[W0002]"));
  elig_free(r);
  elig_diags_free(d);
}
END_TEST

START_TEST(test_api_no_imports)
{
  const char *text = "import \"national.rules\"\n";
  elig_options opt = ELIG_OPTIONS_INIT;
  opt.no_imports = true;
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  ck_assert_int_eq(elig_compile_string(path_of("rules/x.rules"), text, strlen(text), &opt, &rs, &d),
                   ELIG_ETYPE);
  ck_assert_str_eq(elig_error_code(elig_diags_get(d, 0)), "E0510");
  elig_diags_free(d);
  /* options from an older header (only the fields it had) and options without a size */
  struct {
    size_t size;
    unsigned max_errors;
  } old = {sizeof old, 1};
  ck_assert_int_eq(
      elig_compile_string("o.rules", "let x = \n", 10, (const elig_options *)&old, &rs, &d),
      ELIG_ESYNTAX);
  elig_diags_free(d);
  elig_options unset = {0};
  ck_assert_int_eq(elig_compile_string("o.rules", "", 0, &unset, &rs, NULL), ELIG_EINVAL);
  ck_assert_ptr_null(rs);
  /* the same text with imports allowed finds the national rules beside it */
  ck_assert_int_eq(
      elig_compile_string(path_of("rules/x.rules"), text, strlen(text), NULL, &rs, NULL), ELIG_OK);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_bad_arguments)
{
  elig_ruleset *rs = NULL;
  elig_ctx *ctx = (elig_ctx *)1;
  ck_assert_int_eq(elig_compile_file(NULL, NULL, &rs, NULL), ELIG_EINVAL);
  ck_assert_int_eq(elig_compile_file("x", NULL, NULL, NULL), ELIG_EINVAL);
  ck_assert_int_eq(elig_compile_string("x", NULL, 3, NULL, &rs, NULL), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_new(NULL, &ctx), ELIG_EINVAL);
  ck_assert_ptr_null(ctx);
  ck_assert_int_eq(elig_eval_json(NULL, "{}", 2, NULL), ELIG_EINVAL);
  /* every _free and accessor takes NULL */
  elig_ruleset_free(NULL);
  elig_ctx_free(NULL);
  elig_diags_free(NULL);
  elig_free(NULL);
  ck_assert_uint_eq(elig_diags_count(NULL), 0);
  ck_assert_ptr_null(elig_error_message(NULL));
  ck_assert_ptr_null(elig_ctx_error(NULL));
  ck_assert_str_eq(elig_result_decision(NULL, 0), "");
  ck_assert_str_eq(elig_status_str(ELIG_EREJECT), "the record breaks its schema");
  ck_assert_str_eq(elig_status_str((elig_status)99), "unknown status");
  char version[32];
  snprintf(version, sizeof version, "%d.%d.%d", ELIG_VERSION_MAJOR, ELIG_VERSION_MINOR,
           ELIG_VERSION_PATCH);
  ck_assert_str_eq(elig_version(), version); /* the header and the library agree */
}
END_TEST

/* ---------------------------------------------------------------- evaluating JSON */

/* History: a service keeps what each household-year kept and gives it back the year after;
 * the results are those of elig_run over both years. */
START_TEST(test_api_history)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  const elig_result *r;
  const void *kept;
  size_t n;
  static const char y2020[] =
      "{\"hh_id\":\"h\",\"village_code\":\"110101001001\",\"year\":2020,\"size\":1,"
      "\"net_income\":5000,\"food_secure\":true,\"clothing_secure\":true,"
      "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
      "\"registered_poor\":false}";
  static const char y2021[] =
      "{\"hh_id\":\"h\",\"village_code\":\"110101001001\",\"year\":2021,\"size\":1,"
      "\"net_income\":5500,\"food_secure\":true,\"clothing_secure\":true,"
      "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
      "\"registered_poor\":false}";
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  size_t mon = index_of(elig_ruleset_decision_count, elig_ruleset_decision_name, rs, "monitoring");
  ck_assert_int_eq(elig_eval_json(ctx, y2020, strlen(y2020), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, mon), "entered");
  ck_assert_int_eq(elig_result_kept(r, &kept, &n), ELIG_OK);
  ck_assert_uint_gt(n, 16);
  char *copy = malloc(n);
  memcpy(copy, kept, n);
  /* without the year before: entered again; with it: monitored */
  ck_assert_int_eq(elig_eval_json(ctx, y2021, strlen(y2021), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, mon), "entered");
  ck_assert_int_eq(elig_ctx_set_previous(ctx, copy, n), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, y2021, strlen(y2021), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, mon), "monitored");
  /* given for one evaluation only */
  ck_assert_int_eq(elig_eval_json(ctx, y2021, strlen(y2021), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, mon), "entered");
  /* bytes of another rule set, or cut short, are refused */
  copy[9] ^= 1;
  ck_assert_int_eq(elig_ctx_set_previous(ctx, copy, n), ELIG_EINVAL);
  copy[9] ^= 1;
  ck_assert_int_eq(elig_ctx_set_previous(ctx, copy, n - 1), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_previous(ctx, NULL, 0), ELIG_OK);
  free(copy);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- registers */

/* An input over a string, and an output into a buffer. */
typedef struct {
  const char *text;
  size_t at;
} text_input;

static ptrdiff_t text_read(void *arg, void *buf, size_t size)
{
  text_input *t = arg;
  size_t n = strlen(t->text + t->at);
  if (n > size)
    n = size;
  memcpy(buf, t->text + t->at, n);
  t->at += n;
  return (ptrdiff_t)n;
}

typedef struct {
  char results[8192];
  size_t len;
  unsigned messages;
} text_output;

static bool text_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  text_output *o = arg;
  if (stream == ELIG_STREAM_MESSAGES) {
    o->messages++;
    return true;
  }
  if (o->len + len >= sizeof o->results)
    return false;
  memcpy(o->results + o->len, data, len);
  o->len += len;
  o->results[o->len] = '\0';
  return true;
}

/* elig_diff over rules that follow households across years reads every record first and
 * compares them in a second pass; its progress and cancel callbacks are heard there too
 * (the workbench's Impact page shows that pass and can stop it). */
typedef struct {
  unsigned calls;         /* progress callbacks */
  uint64_t most;          /* the most records counted */
  bool stop_once_counted; /* cancel once records are counted: in the second pass only */
  bool stopped;
} diff_watch;

static void diff_progress(void *arg, const elig_batch_stats *so_far)
{
  diff_watch *w = arg;
  w->calls++;
  if (so_far->records > w->most)
    w->most = so_far->records;
}

static bool diff_cancelled(void *arg)
{
  diff_watch *w = arg;
  w->stopped = w->stop_once_counted && w->most > 0;
  return w->stopped;
}

static bool diff_discard(void *arg, elig_stream stream, const char *data, size_t len)
{
  (void)arg, (void)stream, (void)data, (void)len;
  return true;
}

/* 20,000 households of one year, as CSV: more than one stride of the second pass. */
static char *many_households(void)
{
  static const char header[] = "hh_id,village_code,year,size,net_income,food_secure,"
                               "clothing_secure,water_safe,housing_grade,labor_members,"
                               "registered_poor\n";
  size_t cap = sizeof header + 20000 * 64;
  char *csv = malloc(cap);
  ck_assert_ptr_nonnull(csv);
  size_t n = (size_t)snprintf(csv, cap, "%s", header);
  for (int i = 0; i < 20000; i++)
    n += (size_t)snprintf(csv + n, cap - n, "h%05d,110101001001,2020,2,%d.00,1,1,1,A,1,0\n", i,
                          5000 + i % 5000);
  return csv;
}

START_TEST(test_api_diff_second_pass)
{
  elig_ruleset *rs = national();
  char *csv = many_households();
  for (int stop = 0; stop < 2; stop++) {
    text_input t = {.text = csv};
    elig_input in = {.name = "many.csv", .format = ELIG_INPUT_CSV, .arg = &t, .read = text_read};
    diff_watch w = {.stop_once_counted = stop};
    elig_batch_io io = {
        .write = diff_discard, .cancelled = diff_cancelled, .progress = diff_progress, .arg = &w};
    elig_batch_stats st;
    elig_status rc = elig_diff(rs, rs, NULL, &in, 1, &io, &st);
    if (stop) {
      ck_assert_int_eq(rc, ELIG_ECANCELED);
      ck_assert(w.stopped);
      ck_assert_uint_lt(st.records, 20000);
    } else {
      ck_assert_int_eq(rc, ELIG_OK);
      ck_assert_uint_eq(st.records, 20000);
      /* records are counted as the second pass compares them, not only at its end */
      ck_assert_uint_gt(w.most, 0);
      ck_assert_uint_gt(w.calls, 2);
    }
  }
  free(csv);
  elig_ruleset_free(rs);
}
END_TEST

static elig_status add_text(elig_register *reg, const elig_ruleset *rs, const char *name,
                            const char *csv, elig_register_stats *stats)
{
  text_input t = {.text = csv};
  text_output o = {.len = 0};
  elig_input in = {.name = name, .format = ELIG_INPUT_CSV, .arg = &t, .read = text_read};
  elig_batch_io io = {.write = text_write, .arg = &o};
  elig_register_add_options opt = ELIG_REGISTER_ADD_OPTIONS_INIT;
  opt.by = "check_api";
  opt.threads = 1;
  return elig_register_add(reg, rs, &opt, &in, 1, &io, stats);
}

#define REG_HEADER                                                                  \
  "hh_id,village_code,year,size,net_income,food_secure,clothing_secure,water_safe," \
  "housing_grade,labor_members,registered_poor\n"

/* ---------------------------------------------------------------- reading twice */

/* An input that can be opened again (elig_run_options.reread); `later` is what the
 * second opening reads, when it is not NULL (a file written to between the readings). */
typedef struct {
  const char *text, *later;
  size_t at;
  unsigned opened;
} reopened_input;

static int reopened_open(void *arg)
{
  reopened_input *t = arg;
  if (t->opened++ && t->later)
    t->text = t->later;
  t->at = 0;
  return 0;
}

static ptrdiff_t reopened_read(void *arg, void *buf, size_t size)
{
  reopened_input *t = arg;
  size_t n = strlen(t->text + t->at);
  if (n > size)
    n = size;
  memcpy(buf, t->text + t->at, n);
  t->at += n;
  return (ptrdiff_t)n;
}

/* Every stream apart (a batch may write a stream's text in pieces of any size), then all of
 * them in one text to compare. */
typedef struct {
  char stream[ELIG_STREAM_LIST + 1][4096];
  size_t len[ELIG_STREAM_LIST + 1];
  char text[5 * 4096 + 64];
} all_output;

static bool all_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  all_output *o = arg;
  if ((unsigned)stream > ELIG_STREAM_LIST || o->len[stream] + len >= sizeof o->stream[stream])
    return false;
  memcpy(o->stream[stream] + o->len[stream], data, len);
  o->len[stream] += len;
  o->stream[stream][o->len[stream]] = '\0';
  return true;
}

static void all_join(all_output *o)
{
  size_t n = 0;
  for (int i = 0; i <= ELIG_STREAM_LIST; i++)
    n += (size_t)snprintf(o->text + n, sizeof o->text - n, "-- %d\n%s", i, o->stream[i]);
}

static elig_status run_text(const elig_ruleset *rs, const char *csv, const char *later, bool reread,
                            unsigned threads, all_output *out, unsigned *opened)
{
  reopened_input t = {.text = csv, .later = later};
  elig_input in = {.name = "y.csv",
                   .format = ELIG_INPUT_CSV,
                   .arg = &t,
                   .open = reopened_open,
                   .read = reopened_read};
  elig_batch_io io = {.write = all_write, .arg = out};
  elig_run_options o = ELIG_RUN_OPTIONS_INIT;
  o.as_of = "2021-06-30";
  o.threads = threads;
  o.reject_rows = true;
  o.separate_aggregates = true;
  o.explain = true;
  o.chunk_bytes = 64; /* a job a record or two */
  o.reread = reread;
  memset(out, 0, sizeof *out);
  elig_status st = elig_run(rs, &o, &in, 1, &io, NULL);
  all_join(out);
  *opened = t.opened;
  return st;
}

/* Over one year where every household comes once, reading the input twice evaluates each
 * record as it is read: the output is that of the two passes, rejections and aggregates
 * included.  A household twice goes to the two passes; an input that changed between the
 * readings ends the run. */
START_TEST(test_api_run_reread)
{
  static const char once[] = REG_HEADER "a,110101001001,2020,1,5000,1,1,1,A,1,0\n"
                                        "b,110101001001,2020,2,3000,1,1,1,A,1,1\n"
                                        "c,110101001002,2020,x,3000,1,1,1,A,1,1\n"
                                        "d,110101001002,2020,3,3000,1,1,1,\"B\",1,0\n"
                                        "e,110101001002,2020,0,3000,1,1,1,A,1,0\n";
  static const char twice[] = REG_HEADER "a,110101001001,2020,1,5000,1,1,1,A,1,0\n"
                                         "b,110101001001,2020,2,3000,1,1,1,A,1,1\n"
                                         "a,110101001001,2020,1,7000,1,1,1,A,1,0\n";
  elig_ruleset *rs = national();
  all_output *two_passes = calloc(1, sizeof *two_passes), *got = calloc(1, sizeof *got);
  unsigned opened;
  const char *inputs[] = {once, twice};
  for (size_t i = 0; i < 2; i++) {
    for (unsigned threads = 1; threads <= 2; threads++) {
      elig_status want = run_text(rs, inputs[i], NULL, false, threads, two_passes, &opened);
      ck_assert_uint_eq(opened, 1);
      ck_assert_int_eq(run_text(rs, inputs[i], NULL, true, threads, got, &opened), want);
      ck_assert_uint_eq(opened, 2);
      ck_assert_str_eq(got->text, two_passes->text);
    }
  }
  ck_assert_ptr_nonnull(
      strstr(two_passes->text, "duplicate: the household already has a record")); /* E0630 */
  /* a household added between the readings: the run stops, and says why */
  ck_assert_int_eq(run_text(rs, once, twice, true, 1, got, &opened), ELIG_EIO);
  ck_assert_ptr_nonnull(strstr(got->text, "the inputs changed while they were read"));
  free(two_passes);
  free(got);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_register)
{
  char dir[] = "/tmp/check_api_register_XXXXXX", path[256], bad[256];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/county.db", dir);
  snprintf(bad, sizeof bad, "%s/bad.db", dir);
  elig_ruleset *rs = national();
  elig_register *reg = NULL;
  elig_register_stats st;
  ck_assert_int_eq(elig_register_open(path, true, &reg), ELIG_OK);
  ck_assert_int_eq(
      add_text(reg, rs, "y2020.csv", REG_HEADER "h,110101001001,2020,1,5000,1,1,1,A,1,0\n", &st),
      ELIG_OK);
  ck_assert_uint_eq(st.added, 1);
  /* the next year reads the year before from the register: still monitored */
  ck_assert_int_eq(
      add_text(reg, rs, "y2021.csv", REG_HEADER "h,110101001001,2021,1,5500,1,1,1,A,1,0\n", &st),
      ELIG_OK);
  text_output o = {.len = 0};
  elig_batch_io io = {.write = text_write, .arg = &o};
  elig_register_export_options eo = ELIG_REGISTER_EXPORT_OPTIONS_INIT;
  eo.has_year = true;
  eo.year = 2021;
  ck_assert_int_eq(elig_register_export(reg, &eo, &io, NULL), ELIG_OK);
  ck_assert_ptr_nonnull(strstr(o.results, "h,2021,5500.00,"));
  ck_assert_ptr_nonnull(strstr(o.results, ",monitored\n"));
  /* a correction of 2020 (income far above every line) re-evaluates 2021 */
  ck_assert_int_eq(
      add_text(reg, rs, "fix.csv", REG_HEADER "h,110101001001,2020,1,90000,1,1,1,A,1,0\n", &st),
      ELIG_OK);
  ck_assert_uint_eq(st.corrected, 1);
  ck_assert_uint_eq(st.reevaluated, 1);
  char *text = NULL;
  ck_assert_int_eq(elig_register_history(reg, "h", ELIG_FORMAT_TEXT, &text), ELIG_OK);
  ck_assert_ptr_nonnull(strstr(text, "corrected by fix.csv:2"));
  ck_assert_ptr_nonnull(strstr(text, "by check_api"));
  elig_free(text);
  ck_assert_int_eq(elig_register_history(reg, "nobody", ELIG_FORMAT_JSON, &text), ELIG_ENOTFOUND);
  ck_assert_ptr_null(text);
  elig_register_close(reg);
  /* a service's context reads the year before from the register, read-only */
  ck_assert_int_eq(elig_register_open(path, false, &reg), ELIG_OK);
  ck_assert_int_eq(elig_register_check_rules(reg, rs), ELIG_OK);
  elig_ctx *ctx = NULL;
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_register(ctx, reg), ELIG_OK);
  static const char y2022[] =
      "{\"hh_id\":\"h\",\"village_code\":\"110101001001\",\"year\":2022,\"size\":1,"
      "\"net_income\":5000,\"food_secure\":true,\"clothing_secure\":true,"
      "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
      "\"registered_poor\":false}";
  size_t mon = index_of(elig_ruleset_decision_count, elig_ruleset_decision_name, rs, "monitoring");
  ck_assert_int_eq(elig_eval_json(ctx, y2022, strlen(y2022), &r), ELIG_OK);
  const char *with_history = elig_result_decision(r, mon);
  ck_assert_str_ne(with_history, "");
  ck_assert_int_eq(add_text(reg, rs, "x.csv", REG_HEADER, &st), ELIG_EINVAL); /* read-only */
  elig_ctx_free(ctx);
  elig_register_close(reg);
  /* not a database: refused, and said */
  FILE *f = fopen(bad, "w");
  ck_assert_ptr_nonnull(f);
  fputs("this is no database, and is long enough to be read as a header of one\n", f);
  fclose(f);
  ck_assert_int_eq(elig_register_open(bad, true, &reg), ELIG_EREGISTER);
  ck_assert_ptr_nonnull(strstr(elig_register_error(reg), "damaged or not a database"));
  elig_register_close(reg);
  /* rules of another schema */
  elig_ruleset *other = from_text("record r key id per year {\n  id text required\n"
                                  "  year int required\n}\noutput id, year\n");
  ck_assert_int_eq(elig_register_open(path, true, &reg), ELIG_OK);
  ck_assert_int_eq(add_text(reg, other, "o.csv", "id,year\na,2020\n", &st), ELIG_EREGISTER);
  ck_assert_ptr_nonnull(strstr(elig_register_error(reg), "another schema"));
  elig_register_close(reg);
  elig_ruleset_free(other);
  elig_ruleset_free(rs);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A record asked for that cannot be typed is explained by its rejection, with its line; a
 * key not in the register is no error, and counted nowhere. */
START_TEST(test_api_explain_rejected)
{
  elig_ruleset *rs = national();
  const char *csv = REG_HEADER "h,110101001001,2020,abc,5000,1,1,1,A,1,0\n"
                               "h,110101001001,2021,1,5500,1,1,1,A,1,0\n"
                               "g,110101001001,2021,1,5500,1,1,1,A,1,0\n";
  const char *fields[] = {"hh_id"}, *who[] = {"h", "nobody"};
  for (int k = 0; k < 2; k++) {
    text_input t = {.text = csv};
    text_output o = {.len = 0};
    elig_input in = {.name = "r.csv", .format = ELIG_INPUT_CSV, .arg = &t, .read = text_read};
    elig_batch_io io = {.write = text_write, .arg = &o};
    elig_explain_options opt = ELIG_EXPLAIN_OPTIONS_INIT;
    const char *values[] = {who[k]};
    opt.match_fields = fields;
    opt.match_values = values;
    opt.nmatch = 1;
    elig_batch_stats st;
    ck_assert_int_eq(elig_explain_records(rs, &opt, &in, 1, &io, &st), ELIG_OK);
    ck_assert_uint_eq(st.written, k == 0 ? 1 : 0);  /* h's 2021 */
    ck_assert_uint_eq(st.rejected, k == 0 ? 1 : 0); /* h's 2020 */
    ck_assert_uint_eq(o.messages, k == 0 ? 1 : 0);
    ck_assert(k == 1 || strstr(o.results, "record h/2021 (r.csv:3)") != NULL);
  }
  elig_ruleset_free(rs);
}
END_TEST

/* What if: the records explained hold the values set, checked as their own; a value the
 * field's type cannot hold, a key field or an unknown one is refused before reading. */
START_TEST(test_api_explain_set)
{
  elig_ruleset *rs = national();
  const char *csv = REG_HEADER "h,110101001001,2021,1,5500,1,1,1,A,1,0\n";
  const char *fields[] = {"hh_id"}, *values[] = {"h"};
  const char *set_fields[] = {"net_income", "size", "hh_id", "nothing"};
  const char *set_values[] = {"123.45", "abc", "g", "1"};
  for (int k = 0; k < 4; k++) {
    text_input t = {.text = csv};
    text_output o = {.len = 0};
    elig_input in = {.name = "r.csv", .format = ELIG_INPUT_CSV, .arg = &t, .read = text_read};
    elig_batch_io io = {.write = text_write, .arg = &o};
    elig_explain_options opt = ELIG_EXPLAIN_OPTIONS_INIT;
    opt.match_fields = fields;
    opt.match_values = values;
    opt.nmatch = 1;
    opt.set_fields = set_fields + k;
    opt.set_values = set_values + k;
    opt.nset = 1;
    elig_batch_stats st;
    elig_status rc = elig_explain_records(rs, &opt, &in, 1, &io, &st);
    ck_assert_int_eq(rc, k == 0 ? ELIG_OK : ELIG_EINVAL);
    ck_assert(k > 0 || strstr(o.results, "net_income = 123.45") != NULL);
    ck_assert(k > 0 || st.written == 1);
  }
  elig_ruleset_free(rs);
}
END_TEST

/* what_if: a numeric field, exact to the fen where the rules are linear in it; a key or a
 * text is refused. */
START_TEST(test_api_explain_what_if)
{
  elig_ruleset *rs = national();
  /* 2021, one person: edge household below the monitoring line of 6000 */
  const char *csv = REG_HEADER "h,110101001001,2021,1,5500,1,1,1,A,1,0\n";
  const char *fields[] = {"hh_id"}, *values[] = {"h"};
  const char *what[] = {"net_income", "hh_id", "housing_grade", "nothing"};
  for (int k = 0; k < 4; k++) {
    text_input t = {.text = csv};
    text_output o = {.len = 0};
    elig_input in = {.name = "r.csv", .format = ELIG_INPUT_CSV, .arg = &t, .read = text_read};
    elig_batch_io io = {.write = text_write, .arg = &o};
    elig_explain_options opt = ELIG_EXPLAIN_OPTIONS_INIT;
    opt.match_fields = fields;
    opt.match_values = values;
    opt.nmatch = 1;
    opt.what_if = what[k];
    elig_status rc = elig_explain_records(rs, &opt, &in, 1, &io, NULL);
    ck_assert_int_eq(rc, k == 0 ? ELIG_OK : ELIG_EINVAL);
    /* per_capita < 6000 until the income is 6000.00: the flag goes down there, exactly */
    ck_assert(k > 0 || strstr(o.results, "edge_household raised\n    the same for any lower "
                                         "net_income (to -100000000000.00)\n    becomes not "
                                         "raised when net_income >= 6000.00\n") != NULL);
  }
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_eval_json)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  char buf[1024];
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  /* 16000.02 / 4 = 4000.005 -> 4000.01, above the 2020 line of 4000 */
  household(buf, sizeof buf, "16000.02", 4, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_ptr_null(elig_ctx_error(ctx));
  size_t status = index_of(elig_ruleset_decision_count, elig_ruleset_decision_name, rs, "status");
  ck_assert_str_eq(elig_result_decision(r, status), "exit_eligible");
  ck_assert_uint_eq(elig_result_decision_rule(r, status), 1);
  ck_assert_ptr_nonnull(elig_result_decision_reason(r, status));
  ck_assert_str_eq(elig_result_column(r, 2), "4000.01");
  ck_assert_str_eq(elig_result_key(r), "t1/2020");
  ck_assert_str_eq(elig_result_format(r, ELIG_FORMAT_JSON, NULL),
                   "{\"hh_id\":\"t1\",\"year\":2020,\"per_capita\":4000.01,"
                   "\"status\":\"exit_eligible\",\"flags\":[],\"monitoring\":\"not_monitored\"}\n");
  ck_assert_str_eq(elig_result_format(r, ELIG_FORMAT_CSV, NULL),
                   "t1,2020,4000.01,exit_eligible,,not_monitored\n");
  /* 16000.01 / 4 -> 4000.00, not above the line; the household stays poor */
  household(buf, sizeof buf, "\"16000.01\"", 4, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, status), "remain_poor");
  ck_assert_uint_eq(elig_result_decision_rule(r, status), 2);
  size_t gap = index_of(elig_ruleset_flag_count, elig_ruleset_flag_name, rs, "guarantee_gap");
  ck_assert(!elig_result_flag(r, gap));
  household(buf, sizeof buf, "1000", 1, ",\"water_safe\":null,\"unknown_key\":1");
  /* water_safe twice: the JSON has a duplicate key */
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_ptr_null(r);
  ck_assert_ptr_nonnull(
      strstr(elig_error_message(elig_ctx_error(ctx)), "duplicate key 'water_safe'"));
  /* ... and a key that is no field, given twice */
  household(buf, sizeof buf, "1000", 1, ",\"note\":1,\"note\":2");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_ptr_nonnull(strstr(elig_error_message(elig_ctx_error(ctx)), "duplicate key 'note'"));
  /* ... and a member's field given twice */
  household(buf, sizeof buf, "1000", 1, ",\"members\":[{\"age\":3},{\"age\":4,\"age\":5}]");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_ptr_nonnull(strstr(elig_error_message(elig_ctx_error(ctx)), "duplicate key 'age'"));
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_unknown_keys)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  char buf[1024];
  const elig_result *r;
  const char *first = "untouched";
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_uint_eq(elig_ctx_last_unknown_keys(ctx, &first), 0);
  ck_assert_ptr_null(first);
  household(buf, sizeof buf, "16000.02", 4, ",\"exited_yaer\":2019,\"x\":1");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_uint_eq(elig_ctx_last_unknown_keys(ctx, &first), 2);
  ck_assert_str_eq(first, "exited_yaer");
  /* the next record has none: the count is of the last evaluation, the total goes on */
  household(buf, sizeof buf, "16000.02", 4, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_uint_eq(elig_ctx_last_unknown_keys(ctx, &first), 0);
  ck_assert_ptr_null(first);
  ck_assert_uint_eq(elig_ctx_unknown_keys(ctx), 2);
  /* a record rejected after it was read (size out of range) still names them */
  household(buf, sizeof buf, "16000.02", 31, ",\"sise\":4");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_uint_eq(elig_ctx_last_unknown_keys(ctx, NULL), 1);
  ck_assert_uint_eq(elig_ctx_unknown_keys(ctx), 3);
  ck_assert_uint_eq(elig_ctx_last_unknown_keys(NULL, &first), 0);
  ck_assert_ptr_null(first);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* A result read as JSON and as CSV keeps both; a setter's wrong argument is the context's
 * error, not an older failure; aggregates of nothing are "", not out of memory. */
START_TEST(test_api_result_texts_and_errors)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  char buf[1024];
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  household(buf, sizeof buf, "16000.02", 4, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  const char *json = elig_result_format(r, ELIG_FORMAT_JSON, NULL);
  const char *csv = elig_result_format(r, ELIG_FORMAT_CSV, NULL);
  ck_assert_str_eq(json,
                   "{\"hh_id\":\"t1\",\"year\":2020,\"per_capita\":4000.01,"
                   "\"status\":\"exit_eligible\",\"flags\":[],\"monitoring\":\"not_monitored\"}\n");
  ck_assert_str_eq(csv, "t1,2020,4000.01,exit_eligible,,not_monitored\n");

  ck_assert_int_eq(elig_eval_json(ctx, "{", 1, &r), ELIG_EREJECT);
  size_t members, dibao;
  ck_assert_int_eq(elig_ruleset_field_index(rs, "members", &members), ELIG_OK);
  ck_assert_int_eq(elig_ruleset_field_index(rs, "dibao", &dibao), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, members, "x", 1), ELIG_EINVAL);
  ck_assert_int_eq(elig_error_status(elig_ctx_error(ctx)), ELIG_EINVAL);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "members");
  ck_assert_int_eq(elig_ctx_set_int(ctx, dibao, 1), ELIG_EINVAL);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "dibao");
  ck_assert_int_eq(elig_ctx_set_bool(ctx, 9999, true), ELIG_EINVAL);
  ck_assert_int_eq(elig_error_status(elig_ctx_error(ctx)), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_bool(ctx, dibao, true), ELIG_OK);
  ck_assert_ptr_null(elig_ctx_error(ctx));

  const char *text = NULL;
  size_t len = 99;
  elig_ctx_set_aggregate(ctx, true);
  ck_assert_int_eq(elig_ctx_aggregates(ctx, ELIG_FORMAT_JSON, &text, &len), ELIG_OK);
  ck_assert_str_eq(text, "");
  ck_assert_uint_eq(len, 0);

  size_t village;
  ck_assert_int_eq(elig_ruleset_aggregate_index(rs, "village", &village), ELIG_OK);
  ck_assert_str_eq(elig_ruleset_aggregate_name(rs, village), "village");
  ck_assert_int_eq(elig_ruleset_aggregate_index(rs, "province", &village), ELIG_ENOTFOUND);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_eval_json_rejects)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  char buf[1024];
  const elig_result *r;
  const elig_error *e;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  /* an empty record as the context's first: its copy of the text was never allocated */
  ck_assert_int_eq(elig_eval_json(ctx, "", 0, &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_code(elig_ctx_error(ctx)), "E0624");
  /* malformed JSON: the column of the offending byte */
  ck_assert_int_eq(elig_eval_json(ctx, "{\"hh_id\" \"x\"}", 13, &r), ELIG_EREJECT);
  e = elig_ctx_error(ctx);
  ck_assert_int_eq(elig_error_status(e), ELIG_EREJECT);
  ck_assert_uint_eq(elig_error_line(e), 1);
  ck_assert_uint_eq(elig_error_column(e), 10);
  /* the place is in line and column, not in the words: a service says it in its own */
  ck_assert_str_eq(elig_error_code(e), "E0625");
  ck_assert_ptr_nonnull(strstr(elig_error_message(e), "malformed JSON: "));
  ck_assert_ptr_null(strstr(elig_error_message(e), "column"));
  ck_assert_ptr_null(elig_error_field(e));
  /* pretty-printed over lines: the line and the column within it */
  static const char pretty[] = "{\n  \"hh_id\": \"x\",\n  \"year\" 2020\n}";
  ck_assert_int_eq(elig_eval_json(ctx, pretty, strlen(pretty), &r), ELIG_EREJECT);
  e = elig_ctx_error(ctx);
  ck_assert_uint_eq(elig_error_line(e), 3);
  ck_assert_uint_eq(elig_error_column(e), 10);
  ck_assert_ptr_nonnull(strstr(elig_error_message(e), "malformed JSON: "));
  /* not an object */
  ck_assert_int_eq(elig_eval_json(ctx, "[1]", 3, &r), ELIG_EREJECT);
  ck_assert_ptr_nonnull(strstr(elig_error_message(elig_ctx_error(ctx)), "JSON object"));
  ck_assert_int_eq(elig_eval_json(ctx, "  ", 2, &r), ELIG_EREJECT);
  /* out of range: the field is named, the value never quoted */
  household(buf, sizeof buf, "1000", 31, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  e = elig_ctx_error(ctx);
  ck_assert_str_eq(elig_error_field(e), "size");
  ck_assert_str_eq(elig_error_message(e), "field 'size': not between 1 and 30");
  /* wrong type */
  household(buf, sizeof buf, "true", 3, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "net_income");
  /* three decimals */
  household(buf, sizeof buf, "1000.001", 3, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_message(elig_ctx_error(ctx)),
                   "field 'net_income': more than two decimal places");
  /* a member field of the wrong type (the national rules set no range on members): the
   * path counts elements from 0 */
  household(buf, sizeof buf, "1000", 2, ",\"members\":[{\"age\":30},{\"age\":\"old\"}]");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "members[1].age");
  /* a required field missing */
  ck_assert_int_eq(elig_eval_json(ctx, "{\"hh_id\":\"x\"}", 13, &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "village_code");
  /* and the context still works */
  household(buf, sizeof buf, "1000", 2, ",\"surplus\":1");
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_uint_eq(elig_ctx_unknown_keys(ctx), 1);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_result_outlives_input)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  const elig_result *r;
  char *buf = malloc(1024);
  household(buf, 1024, "5000", 1, NULL);
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  memset(buf, 'x', strlen(buf));
  free(buf);
  ck_assert_str_eq(elig_result_column(r, 0), "t1");
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_eval_failure_located)
{
  elig_ruleset *rs = from_text("record r key id {\n  id text required\n  n int required\n}\n"
                               "let q = 10 / n\ndecide d\n  when q > 1 then \"big\"\n"
                               "  otherwise \"small\"\n");
  elig_ctx *ctx = NULL;
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, "{\"id\":\"a\",\"n\":0}", 16, &r), ELIG_EEVAL);
  const elig_error *e = elig_ctx_error(ctx);
  ck_assert_str_eq(elig_error_message(e), "division by zero");
  ck_assert_str_eq(elig_error_file(e), "t.rules");
  ck_assert_uint_eq(elig_error_line(e), 5);
  ck_assert_uint_gt(elig_error_column(e), 0);
  /* no result to read or explain */
  const char *text;
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_TEXT, &text, NULL), ELIG_EINVAL);
  ck_assert_int_eq(elig_eval_json(ctx, "{\"id\":\"a\",\"n\":2}", 16, &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, 0), "big");
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- field by field */

START_TEST(test_api_field_by_field)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  size_t f[16];
  const char *names[] = {
      "hh_id",           "village_code",    "year",       "size",          "net_income",
      "food_secure",     "clothing_secure", "water_safe", "housing_grade", "labor_members",
      "registered_poor", "members"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    ck_assert_int_eq(elig_ruleset_field_index(rs, names[i], &f[i]), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[0], "f1", 2), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[1], "530102001001", 12), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[2], 2020), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[3], 4), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[4], "16000.02", 8), ELIG_OK);
  for (size_t i = 5; i <= 7; i++)
    ck_assert_int_eq(elig_ctx_set_bool(ctx, f[i], true), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[8], "A", 1), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[9], 2), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[10], "1", 1), ELIG_OK);
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, 0), "exit_eligible");
  ck_assert_str_eq(elig_result_column(r, 2), "4000.01");
  /* change one field and evaluate again: whole yuan through set_int */
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[4], 16000), ELIG_OK);
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_OK);
  ck_assert_str_eq(elig_result_column(r, 2), "4000.00");
  ck_assert_str_eq(elig_result_decision(r, 0), "remain_poor");
  /* wrong setters and bad text */
  ck_assert_int_eq(elig_ctx_set_bool(ctx, f[4], true), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[0], 1), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[11], "x", 1), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_text(ctx, 999, "x", 1), ELIG_EINVAL);
  ck_assert_int_eq(elig_ctx_set_text(ctx, f[3], "four", 4), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "size");
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[4], INT64_MAX / 10), ELIG_EREJECT);
  /* the bad text left size absent: the record is rejected as incomplete */
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_message(elig_ctx_error(ctx)), "field 'size' is required");
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[3], 31), ELIG_OK); /* ranges are checked in eval */
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_message(elig_ctx_error(ctx)), "field 'size': not between 1 and 30");
  ck_assert_int_eq(elig_ctx_set_int(ctx, f[3], 4), ELIG_OK);
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_EREJECT); /* the overflowing income left it absent */
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "net_income");
  elig_ctx_clear(ctx);
  ck_assert_int_eq(elig_eval(ctx, &r), ELIG_EREJECT);
  ck_assert_str_eq(elig_error_field(elig_ctx_error(ctx)), "hh_id");
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_api_as_of)
{
  elig_ruleset *rs = from_text("record r key id { id text required }\n"
                               "decide d\n  when as_of >= 2021-01-01 then \"after\"\n"
                               "  otherwise \"before\"\n");
  elig_ctx *ctx = NULL;
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_as_of(ctx, "2020-12-31"), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, "{\"id\":\"a\"}", 10, &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, 0), "before");
  ck_assert_int_eq(elig_ctx_set_as_of(ctx, "2021-01-01"), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, "{\"id\":\"a\"}", 10, &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, 0), "after");
  ck_assert_int_eq(elig_ctx_set_as_of(ctx, "2021-02-30"), ELIG_EINVAL);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- explain, aggregates */

START_TEST(test_api_explain)
{
  elig_ruleset *rs = national();
  elig_ctx *ctx = NULL;
  const elig_result *r;
  const char *text;
  size_t len;
  char buf[1024];
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_TEXT, &text, &len), ELIG_EINVAL);
  household(buf, sizeof buf, "16000.02", 4, NULL);
  ck_assert_int_eq(elig_eval_json(ctx, buf, strlen(buf), &r), ELIG_OK);
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_TEXT, &text, &len), ELIG_OK);
  ck_assert_uint_eq(strlen(text), len);
  ck_assert(strncmp(text, "record t1/2020\n", 15) == 0);
  ck_assert_ptr_nonnull(strstr(text, "status = \"exit_eligible\""));
  ck_assert_ptr_nonnull(strstr(text, "per_capita = 4000.01"));
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_JSON, &text, &len), ELIG_OK);
  ck_assert(strncmp(text, "{\"record\": \"t1/2020\", \"decisions\": [", 36) == 0);
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_CSV, &text, &len), ELIG_EINVAL);
  /* the result is still readable after explaining it */
  ck_assert_str_eq(elig_result_decision(r, 0), "exit_eligible");
  /* a key longer than any buffer of the library's: whole in the result and the explanation
   * (they used to stop at 511 and 255 bytes) */
  char id[701], json[2048], want[720];
  memset(id, 'k', sizeof id - 1);
  id[sizeof id - 1] = '\0';
  household(buf, sizeof buf, "16000.02", 4, NULL);
  snprintf(json, sizeof json, "{\"hh_id\":\"%s\"%s", id, strchr(buf, ','));
  ck_assert_int_eq(elig_eval_json(ctx, json, strlen(json), &r), ELIG_OK);
  snprintf(want, sizeof want, "%s/2020", id);
  ck_assert_str_eq(elig_result_key(r), want);
  ck_assert_int_eq(elig_explain(ctx, ELIG_FORMAT_TEXT, &text, &len), ELIG_OK);
  ck_assert(strncmp(text + strlen("record "), want, strlen(want)) == 0);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* Reads data/sample.jsonl into lines. */
static char **sample_lines(size_t *n)
{
  FILE *f = fopen(path_of("data/sample.jsonl"), "r");
  ck_assert_ptr_nonnull(f);
  size_t cap = 512;
  char **lines = malloc(cap * sizeof *lines), buf[1 << 16];
  *n = 0;
  while (fgets(buf, sizeof buf, f)) {
    if (*n == cap)
      lines = realloc(lines, (cap *= 2) * sizeof *lines);
    lines[(*n)++] = strdup(buf);
  }
  fclose(f);
  return lines;
}

static void free_lines(char **lines, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(lines[i]);
  free(lines);
}

START_TEST(test_api_aggregates_merge)
{
  elig_ruleset *rs = national();
  elig_ctx *all = NULL, *a = NULL, *b = NULL;
  const elig_result *r;
  size_t n;
  char **lines = sample_lines(&n);
  ck_assert_int_eq(elig_ctx_new(rs, &all), ELIG_OK);
  ck_assert_int_eq(elig_ctx_new(rs, &a), ELIG_OK);
  ck_assert_int_eq(elig_ctx_new(rs, &b), ELIG_OK);
  elig_ctx_set_aggregate(all, true);
  elig_ctx_set_aggregate(a, true);
  elig_ctx_set_aggregate(b, true);
  size_t ok = 0;
  for (size_t i = 0; i < n; i++) {
    ok += elig_eval_json(all, lines[i], strlen(lines[i]), &r) == ELIG_OK;
    elig_eval_json(i % 2 ? a : b, lines[i], strlen(lines[i]), &r);
  }
  ck_assert_uint_eq(ok, n - 7); /* the sample's seven bad rows */
  const char *text, *merged;
  size_t len, mlen;
  ck_assert_int_eq(elig_ctx_aggregates(all, ELIG_FORMAT_JSON, &text, &len), ELIG_OK);
  ck_assert_ptr_nonnull(strstr(text, "{\"aggregate\":\"village\""));
  ck_assert_ptr_nonnull(strstr(text, "{\"aggregate\":\"county\""));
  ck_assert_int_eq(elig_ctx_merge_aggregates(a, b), ELIG_OK);
  ck_assert_int_eq(elig_ctx_aggregates(a, ELIG_FORMAT_JSON, &merged, &mlen), ELIG_OK);
  ck_assert_uint_eq(len, mlen);
  ck_assert_str_eq(text, merged);
  /* reading the groups empties them */
  ck_assert_int_eq(elig_ctx_aggregates(all, ELIG_FORMAT_CSV, &text, &len), ELIG_OK);
  ck_assert_str_eq(text, "# aggregate village\nvillage_code,year,households,population,"
                         "poor_population,incidence,exit,monitored\n\n# aggregate county\n"
                         "county_code,year,households,population,poor_population,incidence,exit,"
                         "monitored\n");
  ck_assert_int_eq(elig_ctx_merge_aggregates(a, a), ELIG_EINVAL);
  elig_ctx_free(all);
  elig_ctx_free(a);
  elig_ctx_free(b);
  free_lines(lines, n);
  elig_ruleset_free(rs);
}
END_TEST

/* Merged contexts count `into`'s records first: first() keeps input order across shares. */
START_TEST(test_api_merge_keeps_first_in_order)
{
  elig_ruleset *rs = from_text("record r key id {\n  id text required\n  g text required\n}\n"
                               "aggregate grp by g {\n  let first_id = first(id)\n}\n");
  elig_ctx *a = NULL, *b = NULL;
  const elig_result *r;
  ck_assert_int_eq(elig_ctx_new(rs, &a), ELIG_OK);
  ck_assert_int_eq(elig_ctx_new(rs, &b), ELIG_OK);
  elig_ctx_set_aggregate(a, true);
  elig_ctx_set_aggregate(b, true);
  /* the first share, records 1 and 2; the second, record 3 */
  ck_assert_int_eq(elig_eval_json(a, "{\"id\":\"r1\",\"g\":\"x\"}", 19, &r), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(a, "{\"id\":\"r2\",\"g\":\"y\"}", 19, &r), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(b, "{\"id\":\"r3\",\"g\":\"y\"}", 19, &r), ELIG_OK);
  ck_assert_int_eq(elig_ctx_merge_aggregates(a, b), ELIG_OK);
  const char *text;
  ck_assert_int_eq(elig_ctx_aggregates(a, ELIG_FORMAT_CSV, &text, NULL), ELIG_OK);
  ck_assert_str_eq(text, "# aggregate grp\ng,first_id\nx,r1\ny,r2\n");
  elig_ctx_free(a);
  elig_ctx_free(b);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- threads */

typedef struct {
  const elig_ruleset *rs;
  char **lines;
  size_t n;
  char **out; /* per line: the JSON result or the error message */
  int rounds;
} thread_job;

static char *result_or_error(elig_ctx *ctx, const char *line)
{
  const elig_result *r;
  if (elig_eval_json(ctx, line, strlen(line), &r) == ELIG_OK)
    return strdup(elig_result_format(r, ELIG_FORMAT_JSON, NULL));
  return strdup(elig_error_message(elig_ctx_error(ctx)));
}

static void *evaluate_all(void *arg)
{
  thread_job *j = arg;
  elig_ctx *ctx = NULL;
  if (elig_ctx_new(j->rs, &ctx) != ELIG_OK)
    return NULL;
  for (int round = 0; round < j->rounds; round++)
    for (size_t i = 0; i < j->n; i++) {
      char *s = result_or_error(ctx, j->lines[i]);
      if (round == 0)
        j->out[i] = s;
      else if (strcmp(s, j->out[i]) != 0) {
        free(j->out[i]);
        j->out[i] = strdup("diverged between rounds");
        free(s);
      } else
        free(s);
    }
  elig_ctx_free(ctx);
  return j;
}

START_TEST(test_api_threads_agree)
{
  enum {
    THREADS = 4
  };
  elig_ruleset *rs = national();
  size_t n;
  char **lines = sample_lines(&n);
  thread_job single = {rs, lines, n, calloc(n, sizeof(char *)), 1};
  ck_assert_ptr_eq(evaluate_all(&single), &single);
  thread_job jobs[THREADS];
  pthread_t th[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (thread_job){rs, lines, n, calloc(n, sizeof(char *)), 5};
    ck_assert_int_eq(pthread_create(&th[t], NULL, evaluate_all, &jobs[t]), 0);
  }
  for (int t = 0; t < THREADS; t++) {
    void *ret;
    pthread_join(th[t], &ret);
    ck_assert_ptr_eq(ret, &jobs[t]);
    for (size_t i = 0; i < n; i++) {
      ck_assert_msg(strcmp(jobs[t].out[i], single.out[i]) == 0, "thread %d, line %zu: %s vs %s", t,
                    i + 1, jobs[t].out[i], single.out[i]);
      free(jobs[t].out[i]);
    }
    free(jobs[t].out);
  }
  for (size_t i = 0; i < n; i++)
    free(single.out[i]);
  free(single.out);
  free_lines(lines, n);
  elig_ruleset_free(rs);
}
END_TEST

/* Compiling from several threads at once: no shared state in the compiler. */
static void *compile_national(void *arg)
{
  const char *path = arg;
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  const char *bad = "record r key id { id text required }\nlet x = id + 1\n";
  for (int i = 0; i < 10; i++) {
    if (elig_compile_file(path, NULL, &rs, NULL) != ELIG_OK)
      return NULL;
    elig_ruleset_free(rs);
    if (elig_compile_string("bad.rules", bad, strlen(bad), NULL, &rs, &d) != ELIG_ETYPE)
      return NULL;
    char *text = elig_diags_render(d, false);
    bool same = strstr(text, "cannot apply '+' to text and int") != NULL;
    elig_free(text);
    elig_diags_free(d);
    if (!same)
      return NULL;
  }
  return arg;
}

START_TEST(test_api_threads_compile)
{
  pthread_t th[4];
  char path[4][1024];
  for (int t = 0; t < 4; t++) {
    snprintf(path[t], sizeof path[t], "%s", path_of("rules/national.rules"));
    ck_assert_int_eq(pthread_create(&th[t], NULL, compile_national, path[t]), 0);
  }
  for (int t = 0; t < 4; t++) {
    void *ret;
    pthread_join(th[t], &ret);
    ck_assert_ptr_eq(ret, path[t]);
  }
}
END_TEST

/* ---------------------------------------------------------------- languages */

static const char unknown_field_rules[] = "record r key id {\n  id text required\n}\noutput idd\n";

/* The message of the first diagnostic of unknown_field_rules, compiled on this thread. */
static char *first_message(void)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  ck_assert_int_ne(elig_compile_string("t.rules", unknown_field_rules,
                                       sizeof unknown_field_rules - 1, NULL, &rs, &d),
                   ELIG_OK);
  ck_assert_uint_ge(elig_diags_count(d), 1);
  char *m = strdup(elig_error_message(elig_diags_get(d, 0)));
  ck_assert_str_eq(elig_error_code(elig_diags_get(d, 0)), "E0201"); /* codes never change */
  elig_diags_free(d);
  return m;
}

static void *english_thread(void *arg)
{
  (void)arg;
  return first_message();
}

/* Each thread its own language: a service answering a Chinese reader and an English one at
 * once.  Needs the zh_CN locale (CI's bootstrap makes it); without it the library says so. */
START_TEST(test_api_thread_language)
{
  ck_assert_int_eq(elig_set_thread_language("../../etc/passwd"), ELIG_EINVAL);
  ck_assert_int_eq(elig_set_thread_language("xx_ZZ"), ELIG_ENOTFOUND);
  ck_assert_int_eq(elig_set_thread_language("en"), ELIG_OK);
  char *english = first_message();
  ck_assert_str_eq(english, "unknown field 'idd'");
  elig_status st = elig_set_thread_language("zh_CN");
  if (st == ELIG_ENOTFOUND) {
    fprintf(stderr, "check_api: no zh_CN locale on this system: per-thread Chinese not tried "
                    "(localedef -i zh_CN -f UTF-8 zh_CN.UTF-8)\n");
    free(english);
    ck_assert_int_eq(elig_set_thread_language(NULL), ELIG_OK);
    return;
  }
  ck_assert_int_eq(st, ELIG_OK);
  char *chinese = first_message();
  ck_assert_str_ne(chinese, english);
  ck_assert_ptr_nonnull(strstr(chinese, "'idd'")); /* names stay as written */
  pthread_t t;
  void *other;
  ck_assert_int_eq(pthread_create(&t, NULL, english_thread, NULL), 0);
  pthread_join(t, &other);
  ck_assert_str_eq((char *)other, english); /* another thread: the process's own (C) */
  ck_assert_int_eq(elig_set_thread_language(NULL), ELIG_OK);
  char *again = first_message();
  ck_assert_str_eq(again, english);
  free(other);
  free(again);
  free(chinese);
  free(english);
}
END_TEST

static Suite *api_suite(void)
{
  Suite *s = suite_create("api");
  TCase *tc = tcase_create("compile");
  tcase_add_test(tc, test_api_compile_file);
  tcase_add_test(tc, test_api_compile_sources);
  tcase_add_test(tc, test_api_explain_rejected);
  tcase_add_test(tc, test_api_explain_set);
  tcase_add_test(tc, test_api_explain_what_if);
  tcase_add_test(tc, test_api_hash_is_of_content);
  tcase_add_test(tc, test_api_syntax_error);
  tcase_add_test(tc, test_api_type_error_with_help);
  tcase_add_test(tc, test_api_missing_file);
  tcase_add_test(tc, test_api_warnings_on_success);
  tcase_add_test(tc, test_api_no_imports);
  tcase_add_test(tc, test_api_bad_arguments);
  suite_add_tcase(s, tc);
  tc = tcase_create("evaluate");
  tcase_add_test(tc, test_api_eval_json);
  tcase_add_test(tc, test_api_history);
  tcase_add_test(tc, test_api_register);
  tcase_add_test(tc, test_api_run_reread);
  tcase_add_test(tc, test_api_eval_json_rejects);
  tcase_add_test(tc, test_api_unknown_keys);
  tcase_add_test(tc, test_api_result_texts_and_errors);
  tcase_add_test(tc, test_api_result_outlives_input);
  tcase_add_test(tc, test_api_eval_failure_located);
  tcase_add_test(tc, test_api_field_by_field);
  tcase_add_test(tc, test_api_as_of);
  tcase_add_test(tc, test_api_explain);
  tcase_add_test(tc, test_api_aggregates_merge);
  tcase_add_test(tc, test_api_merge_keeps_first_in_order);
  tcase_add_test(tc, test_api_diff_second_pass);
  suite_add_tcase(s, tc);
  tc = tcase_create("threads");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_api_threads_agree);
  tcase_add_test(tc, test_api_threads_compile);
  tcase_add_test(tc, test_api_thread_language);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(api_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
