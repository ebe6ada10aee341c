/*
 * check_serve_metrics.c -- what `elig serve` counts for /metrics (serve_metrics.c), below the
 * HTTP layer that tests/cli/metrics.sh drives: a duration on a bucket's bound falls in that
 * bucket; counts from many threads at once add up exactly, each endpoint in one series;
 * endpoints past the table's room, unknown methods and statuses fall back to "other" and
 * "none"; reload outcomes; the gauges as given; label values escaped.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

/* The handler's helpers, which these tests never reach (serve_metrics.c is compiled in
 * alone, without the rest of the service). */
enum MHD_Result serve_respond(serve_request *rq, unsigned status, const char *type, char *body,
                              size_t len, const char *const *headers)
{
  (void)rq, (void)status, (void)type, (void)len, (void)headers;
  free(body);
  return MHD_NO;
}

enum MHD_Result serve_respond_error(serve_request *rq, unsigned status, const char *code,
                                    const char *message, const char *const *headers)
{
  (void)rq, (void)status, (void)code, (void)message, (void)headers;
  return MHD_NO;
}

json_t *serve_holder_failure(serve_holder *h)
{
  (void)h;
  return NULL;
}

unsigned serve_conns_open(serve_conns *t)
{
  (void)t;
  return 0;
}

size_t serve_pool_waiting(serve_pool *p)
{
  (void)p;
  return 0;
}

size_t serve_pool_busy(serve_pool *p)
{
  (void)p;
  return 0;
}

size_t serve_pool_threads(const serve_pool *p)
{
  (void)p;
  return 0;
}

static const serve_gauges no_gauges = {.in_flight = 1};

static elig_ruleset *rules(const char *policy_line)
{
  char text[512];
  snprintf(text, sizeof text, "%s\nrecord r key id {\n  id text required\n}\n", policy_line);
  elig_ruleset *rs = NULL;
  ck_assert_int_eq(elig_compile_string("t.rules", text, strlen(text), NULL, &rs, NULL), ELIG_OK);
  return rs;
}

/* The text of m with a small rule set (the caller frees it). */
static char *render(const serve_metrics *m)
{
  elig_ruleset *rs = rules("policy \"p\" version \"1\"");
  size_t len;
  char *text = serve_metrics_render(m, rs, "2026-12-05T23:01:02.345Z", false, &no_gauges, &len);
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_eq(strlen(text), len);
  elig_ruleset_free(rs);
  return text;
}

/* The value of `series` (name and labels, exactly) in text; -1 when it is not there. */
static long long value_of(const char *text, const char *series)
{
  size_t n = strlen(series);
  for (const char *line = text; *line;) {
    if (strncmp(line, series, n) == 0 && line[n] == ' ')
      return strtoll(line + n + 1, NULL, 10);
    const char *end = strchr(line, '\n');
    line = end ? end + 1 : line + strlen(line);
  }
  return -1;
}

static long long bucket(const char *text, const char *endpoint, const char *le)
{
  char series[200];
  snprintf(series, sizeof series,
           "elig_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%s\"}", endpoint, le);
  return value_of(text, series);
}

/* NULL metrics (--no-metrics): every call does nothing. */
START_TEST(test_metrics_null)
{
  serve_metrics_request(NULL, "/x", "GET", 200, 1, 1, 1);
  serve_metrics_reload(NULL, "replaced");
  serve_metrics_free(NULL);
}
END_TEST

/* A duration on a bound is in that bucket (le: less or equal); just above it, in the next;
 * above the last bound, in +Inf only.  Buckets are cumulative. */
START_TEST(test_metrics_bucket_bounds)
{
  serve_metrics *m = serve_metrics_new();
  ck_assert_ptr_nonnull(m);
  const double seconds[] = {0, -1, 0.0005, 0.0005001, 0.001, 2.5, 10, 10.001, 3600};
  for (size_t i = 0; i < sizeof seconds / sizeof *seconds; i++)
    serve_metrics_request(m, "/e", "GET", 200, seconds[i], 0, 0);
  char *text = render(m);
  ck_assert_int_eq(bucket(text, "/e", "0.0005"), 3); /* 0, -1 (taken as 0), 0.0005 */
  ck_assert_int_eq(bucket(text, "/e", "0.001"), 5);
  ck_assert_int_eq(bucket(text, "/e", "1"), 5);
  ck_assert_int_eq(bucket(text, "/e", "2.5"), 6);
  ck_assert_int_eq(bucket(text, "/e", "5"), 6);
  ck_assert_int_eq(bucket(text, "/e", "10"), 7);
  ck_assert_int_eq(bucket(text, "/e", "+Inf"), 9);
  ck_assert_int_eq(value_of(text, "elig_http_request_duration_seconds_count{endpoint=\"/e\"}"), 9);
  ck_assert_ptr_nonnull(
      strstr(text, "elig_http_request_duration_seconds_sum{endpoint=\"/e\"} 3622.50"));
  free(text);
  serve_metrics_free(m);
}
END_TEST

#define THREADS 4
#define PER_THREAD 50000

/* Paths that are equal but not the same pointer: each endpoint is still one series. */
static char path_a[] = "/a", path_a_copy[] = "/a", path_b[] = "/b";

static void *hammer(void *arg)
{
  serve_metrics *m = arg;
  for (int i = 0; i < PER_THREAD; i++) {
    serve_metrics_request(m, i % 2 ? path_a : path_a_copy, "POST", 200, 0.0001, 3, 1);
    serve_metrics_request(m, path_b, "GET", 404, 0.2, 0, 0);
  }
  return NULL;
}

START_TEST(test_metrics_threads_exact)
{
  serve_metrics *m = serve_metrics_new();
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, m), 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  char *text = render(m);
  const long long n = (long long)THREADS * PER_THREAD;
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"/a\",method=\"POST\",status=\"200\"}"),
      n);
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"/b\",method=\"GET\",status=\"404\"}"), n);
  ck_assert_int_eq(bucket(text, "/a", "0.0005"), n);
  ck_assert_int_eq(bucket(text, "/b", "0.1"), 0);
  ck_assert_int_eq(bucket(text, "/b", "0.25"), n);
  ck_assert_int_eq(value_of(text, "elig_records_evaluated_total"), 3 * n);
  ck_assert_int_eq(value_of(text, "elig_records_rejected_total"), n);
  /* one series per endpoint: "/a" once, though given through two pointers */
  const char *first = strstr(text, "{endpoint=\"/a\",method");
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_null(strstr(first + 1, "{endpoint=\"/a\",method"));
  free(text);
  serve_metrics_free(m);
}
END_TEST

/* More endpoints than the table holds: the rest count as "other", with unknown paths. */
START_TEST(test_metrics_endpoints_overflow)
{
  serve_metrics *m = serve_metrics_new();
  static char paths[32][8]; /* the table holds 24 (MAX_ENDPOINTS) */
  for (int i = 0; i < 32; i++) {
    snprintf(paths[i], sizeof paths[i], "/p%d", i);
    serve_metrics_request(m, paths[i], "GET", 200, 0, 0, 0);
  }
  serve_metrics_request(m, NULL, "GET", 200, 0, 0, 0);
  char *text = render(m);
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"/p23\",method=\"GET\",status=\"200\"}"),
      1);
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"/p24\",method=\"GET\",status=\"200\"}"),
      -1);
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"other\",method=\"GET\",status=\"200\"}"),
      9);
  free(text);
  serve_metrics_free(m);
}
END_TEST

/* A method nobody knows is "other"; no status (0), or one out of range, is "none". */
START_TEST(test_metrics_method_status)
{
  serve_metrics *m = serve_metrics_new();
  serve_metrics_request(m, "/e", "BREW", 405, 0, 0, 0);
  serve_metrics_request(m, "/e", "get", 405, 0, 0, 0); /* methods are case-sensitive */
  serve_metrics_request(m, "/e", "OPTIONS", 0, 0, 0, 0);
  serve_metrics_request(m, "/e", "OPTIONS", 1000, 0, 0, 0);
  char *text = render(m);
  ck_assert_int_eq(
      value_of(text, "elig_http_requests_total{endpoint=\"/e\",method=\"other\",status=\"405\"}"),
      2);
  ck_assert_int_eq(
      value_of(text,
               "elig_http_requests_total{endpoint=\"/e\",method=\"OPTIONS\",status=\"none\"}"),
      2);
  free(text);
  serve_metrics_free(m);
}
END_TEST

/* Reload outcomes as the log says them; every outcome shown, also at 0. */
START_TEST(test_metrics_reloads)
{
  serve_metrics *m = serve_metrics_new();
  char *text = render(m);
  ck_assert_int_eq(value_of(text, "elig_rules_reloads_total{outcome=\"failed\"}"), 0);
  free(text);
  serve_metrics_reload(m, "replaced");
  serve_metrics_reload(m, "unchanged");
  serve_metrics_reload(m, "unchanged");
  serve_metrics_reload(m, "failed; the rules in force stay");
  serve_metrics_reload(m, "failed: out of memory; the rules in force stay");
  serve_metrics_reload(m, "failed: the register's history is not these rules'; the rules in "
                          "force stay");
  text = render(m);
  ck_assert_int_eq(value_of(text, "elig_rules_reloads_total{outcome=\"replaced\"}"), 1);
  ck_assert_int_eq(value_of(text, "elig_rules_reloads_total{outcome=\"unchanged\"}"), 2);
  ck_assert_int_eq(value_of(text, "elig_rules_reloads_total{outcome=\"failed\"}"), 3);
  ck_assert_int_eq(value_of(text, "elig_rules_loaded_timestamp_seconds"), 1796511662);
  free(text);
  serve_metrics_free(m);
}
END_TEST

/* The gauges are shown as the connection table and the worker pool tell them. */
START_TEST(test_metrics_gauges)
{
  serve_metrics *m = serve_metrics_new();
  elig_ruleset *rs = rules("policy \"p\" version \"1\"");
  serve_gauges g = {.connections = 7, .in_flight = 5, .queue = 3, .busy = 2, .workers = 4};
  size_t len;
  char *text = serve_metrics_render(m, rs, NULL, false, &g, &len);
  ck_assert_int_eq(value_of(text, "elig_http_connections_open"), 7);
  ck_assert_int_eq(value_of(text, "elig_http_requests_in_flight"), 5);
  ck_assert_int_eq(value_of(text, "elig_queue_depth"), 3);
  ck_assert_int_eq(value_of(text, "elig_workers_busy"), 2);
  ck_assert_int_eq(value_of(text, "elig_workers"), 4);
  free(text);
  elig_ruleset_free(rs);
  serve_metrics_free(m);
}
END_TEST

/* The rule set's policy and version may hold anything: backslash, quote and line feed are
 * escaped, other characters (UTF-8 included) pass as they are.  Endpoints are escaped too,
 * should a route ever have such a path. */
START_TEST(test_metrics_label_escapes)
{
  serve_metrics *m = serve_metrics_new();
  serve_metrics_request(m, "/q\"\\", "GET", 200, 0, 0, 0);
  elig_ruleset *rs = rules("policy \"国家 \\\"标准\\\" a\\\\b\" version \"1\\n2\"");
  size_t len;
  char *text = serve_metrics_render(m, rs, NULL, true, &no_gauges, &len);
  ck_assert_ptr_nonnull(
      strstr(text, "\",policy=\"国家 \\\"标准\\\" a\\\\b\",version=\"1\\n2\"} 1\n"));
  ck_assert_int_eq(value_of(text, "elig_rules_last_reload_failed"), 1);
  ck_assert_int_eq(
      value_of(text, "elig_http_request_duration_seconds_count{endpoint=\"/q\\\"\\\\\"}"), 1);
  ck_assert_int_eq(value_of(text, "elig_rules_loaded_timestamp_seconds"), 0); /* unknown */
  free(text);
  elig_ruleset_free(rs);
  serve_metrics_free(m);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("serve_metrics");
  TCase *tc = tcase_create("metrics");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_metrics_null);
  tcase_add_test(tc, test_metrics_bucket_bounds);
  tcase_add_test(tc, test_metrics_threads_exact);
  tcase_add_test(tc, test_metrics_endpoints_overflow);
  tcase_add_test(tc, test_metrics_method_status);
  tcase_add_test(tc, test_metrics_reloads);
  tcase_add_test(tc, test_metrics_gauges);
  tcase_add_test(tc, test_metrics_label_escapes);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
