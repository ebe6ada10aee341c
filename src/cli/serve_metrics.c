/*
 * serve_metrics.c -- what `elig serve` counts for GET /metrics, and the Prometheus text of it
 * (the parts: serve.h).
 *
 * Counting happens on every request, in libmicrohttpd's threads, so it takes no lock and
 * allocates nothing: each counter is an atomic added to with relaxed order (a scrape needs
 * each number to be right, not a snapshot of them all at one instant).  The counters of a
 * request live in a table indexed by endpoint, method and status, allocated once; the
 * endpoints are claimed in the table as they are first seen, so this file does not know the
 * route table.  Labels never carry what a client chose freely: an unknown path counts as
 * "other", an unknown method as "other", so that a scanner cannot grow the series without
 * end (and a path, which may hold an identifier, never reaches the metrics).
 *
 * A histogram's buckets are counted one by one (one atomic add per request) and made
 * cumulative when rendered, its _count being their sum: the +Inf bucket always equals
 * _count, however the scrape interleaves with requests.  The gauges (connections, queue,
 * busy workers) are not counted here: a scrape reads them from the connection table
 * (serve_conn.c) and the worker pool (serve_pool.c), which keep them anyway.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "serve.h"

/* ---------------------------------------------------------------- the counters */

/* Methods get a label of their own; anything else is "other" (the last). */
static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
#define METHODS (sizeof methods / sizeof methods[0] + 1)

/* Statuses by their number; 0 is "none" (the request ended unanswered). */
#define STATUSES 600

/* The upper bounds of the duration histogram, in nanoseconds, and as the `le` label says
 * them; above the last is the +Inf bucket. */
static const struct {
  uint64_t ns;
  const char *le;
} bounds[] = {
    {500000, "0.0005"},  {1000000, "0.001"},  {2500000, "0.0025"}, {5000000, "0.005"},
    {10000000, "0.01"},  {25000000, "0.025"}, {50000000, "0.05"},  {100000000, "0.1"},
    {250000000, "0.25"}, {500000000, "0.5"},  {1000000000, "1"},   {2500000000, "2.5"},
    {5000000000, "5"},   {10000000000, "10"},
};
#define BOUNDS (sizeof bounds / sizeof bounds[0])

/* Endpoints that can be told apart; more than this count as "other".  The route table has
 * 17 with the workbench's (serve_route.c). */
#define MAX_ENDPOINTS 24

typedef atomic_uint_fast64_t counter;

typedef struct {
  counter requests[METHODS][STATUSES];
  counter buckets[BOUNDS + 1]; /* requests in each bucket alone; the last: above all bounds */
  counter sum_ns;              /* their durations added up */
} endpoint_counters;

enum {
  RELOAD_REPLACED,
  RELOAD_UNCHANGED,
  RELOAD_FAILED,
  RELOAD_OUTCOMES
};
static const char *const outcomes[RELOAD_OUTCOMES] = {"replaced", "unchanged", "failed"};

struct serve_metrics {
  /* The path of each endpoint, claimed in order by the first request to it and never
   * released; a NULL ends them.  Index MAX_ENDPOINTS of `endpoints` is "other". */
  _Atomic(const char *) paths[MAX_ENDPOINTS];
  endpoint_counters endpoints[MAX_ENDPOINTS + 1];
  counter records, rejected;
  counter reloads[RELOAD_OUTCOMES];
  double start_time; /* the process's, in seconds since the epoch; 0 when unknown */
};

/* ---------------------------------------------------------------- the process, from /proc */

/* The fields of /proc/self/stat after the command name (the first is field 3, the state):
 * the name, in parentheses, may hold spaces and parentheses itself, so the fields are counted
 * from the last ')'.  False when the file cannot be read. */
typedef struct {
  unsigned long long utime, stime; /* fields 14 and 15, in clock ticks */
  unsigned long long starttime;    /* field 22, clock ticks after boot */
  unsigned long long rss;          /* field 24, in pages */
} proc_stat;

static bool read_proc_stat(proc_stat *ps)
{
  FILE *f = fopen("/proc/self/stat", "r");
  if (!f)
    return false;
  char *line = NULL;
  size_t cap = 0;
  bool ok = getline(&line, &cap, f) > 0;
  fclose(f);
  const char *p = ok ? strrchr(line, ')') : NULL;
  ok = p != NULL;
  for (int field = 3; ok && field <= 24; field++) {
    while (*p && *p != ' ')
      p++;
    if (*p != ' ') {
      ok = false;
      break;
    }
    p++;
    unsigned long long v = strtoull(p, NULL, 10);
    if (field == 14)
      ps->utime = v;
    else if (field == 15)
      ps->stime = v;
    else if (field == 22)
      ps->starttime = v;
    else if (field == 24)
      ps->rss = v;
  }
  free(line);
  return ok;
}

/* The system's boot time in seconds since the epoch (the btime line of /proc/stat); 0 when
 * unknown. */
static unsigned long long boot_time(void)
{
  FILE *f = fopen("/proc/stat", "r");
  if (!f)
    return 0;
  char *line = NULL;
  size_t cap = 0;
  unsigned long long btime = 0;
  while (getline(&line, &cap, f) > 0)
    if (sscanf(line, "btime %llu", &btime) == 1)
      break;
  free(line);
  fclose(f);
  return btime;
}

static double process_start_time(void)
{
  proc_stat ps;
  long ticks = sysconf(_SC_CLK_TCK);
  unsigned long long btime = boot_time();
  if (!btime || ticks <= 0 || !read_proc_stat(&ps))
    return 0;
  return (double)btime + (double)ps.starttime / (double)ticks;
}

/* Descriptors open, less the one that reads the list; -1 when unknown. */
static long open_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return -1;
  long n = 0;
  const struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1;
}

/* ---------------------------------------------------------------- counting */

serve_metrics *serve_metrics_new(void)
{
  /* calloc: a zero atomic integer is an initialized one, and the table's pages that no
   * request touches are never made resident */
  serve_metrics *m = calloc(1, sizeof *m);
  if (m)
    m->start_time = process_start_time();
  return m;
}

void serve_metrics_free(serve_metrics *m)
{
  free(m);
}

static void add(counter *c, uint_fast64_t n)
{
  atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint_fast64_t get(const counter *c)
{
  return atomic_load_explicit((counter *)c, memory_order_relaxed);
}

/* The counters of `path`: its slot, claimed if it has none yet.  Every caller looks at the
 * slots in the same order and claims only the first free one, so a path never gets two. */
static endpoint_counters *endpoint(serve_metrics *m, const char *path)
{
  if (!path)
    return &m->endpoints[MAX_ENDPOINTS];
  for (size_t i = 0; i < MAX_ENDPOINTS; i++) {
    const char *slot = atomic_load_explicit(&m->paths[i], memory_order_acquire);
    if (!slot && atomic_compare_exchange_strong_explicit(
                     &m->paths[i], &slot, path, memory_order_acq_rel, memory_order_acquire))
      return &m->endpoints[i];
    if (slot == path || strcmp(slot, path) == 0) /* slot: the path another thread claimed */
      return &m->endpoints[i];
  }
  return &m->endpoints[MAX_ENDPOINTS];
}

static size_t method_index(const char *method)
{
  size_t i = 0;
  while (i < METHODS - 1 && strcmp(method, methods[i]) != 0)
    i++;
  return i;
}

void serve_metrics_request(serve_metrics *m, const char *endpoint_path, const char *method,
                           unsigned status, double seconds, size_t records, size_t rejected)
{
  if (!m)
    return;
  endpoint_counters *e = endpoint(m, endpoint_path);
  add(&e->requests[method_index(method)][status < STATUSES ? status : 0], 1);
  uint64_t ns = seconds > 0 ? (uint64_t)(seconds * 1e9) : 0;
  size_t b = 0;
  while (b < BOUNDS && ns > bounds[b].ns)
    b++;
  add(&e->buckets[b], 1);
  add(&e->sum_ns, ns);
  if (records)
    add(&m->records, records);
  if (rejected)
    add(&m->rejected, rejected);
}

void serve_metrics_reload(serve_metrics *m, const char *outcome)
{
  if (!m)
    return;
  if (strcmp(outcome, "replaced") == 0)
    add(&m->reloads[RELOAD_REPLACED], 1);
  else if (strcmp(outcome, "unchanged") == 0)
    add(&m->reloads[RELOAD_UNCHANGED], 1);
  else
    add(&m->reloads[RELOAD_FAILED], 1);
}

/* ---------------------------------------------------------------- the text */

/* A label's value between its quotes: backslash, double quote and line feed escaped, as the
 * format wants (the rule set's policy and version are whatever its author wrote). */
static void label_value(FILE *out, const char *s)
{
  for (; *s; s++) {
    if (*s == '\\')
      fputs("\\\\", out);
    else if (*s == '"')
      fputs("\\\"", out);
    else if (*s == '\n')
      fputs("\\n", out);
    else
      fputc(*s, out);
  }
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
  fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample of a family without labels. */
static void sample(FILE *out, const char *name, const char *type, const char *help,
                   unsigned long long value)
{
  family(out, name, type, help);
  fprintf(out, "%s %llu\n", name, value);
}

static const char *endpoint_name(const serve_metrics *m, size_t i)
{
  return i == MAX_ENDPOINTS ? "other" : atomic_load((_Atomic(const char *) *)&m->paths[i]);
}

/* The endpoints that have counters, their slots in order, "other" last; how many. */
static size_t endpoints_seen(const serve_metrics *m, size_t *slots)
{
  size_t n = 0;
  for (size_t i = 0; i < MAX_ENDPOINTS && endpoint_name(m, i); i++)
    slots[n++] = i;
  slots[n++] = MAX_ENDPOINTS;
  return n;
}

/* `metric{endpoint="PATH"`, the labels left open for more. */
static void with_endpoint(FILE *out, const char *metric, const char *path)
{
  fprintf(out, "%s{endpoint=\"", metric);
  label_value(out, path);
  fputc('"', out);
}

static void render_requests(FILE *out, const serve_metrics *m, const size_t *slots, size_t n)
{
  family(out, "elig_http_requests_total", "counter",
         "Requests ended, by endpoint (the route's path, or other), method and status "
         "(none: ended unanswered).");
  for (size_t k = 0; k < n; k++) {
    const endpoint_counters *e = &m->endpoints[slots[k]];
    for (size_t mi = 0; mi < METHODS; mi++)
      for (unsigned s = 0; s < STATUSES; s++) {
        uint_fast64_t v = get(&e->requests[mi][s]);
        if (!v)
          continue;
        with_endpoint(out, "elig_http_requests_total", endpoint_name(m, slots[k]));
        fprintf(out, ",method=\"%s\",status=\"", mi < METHODS - 1 ? methods[mi] : "other");
        if (s)
          fprintf(out, "%u\"} %llu\n", s, (unsigned long long)v);
        else
          fprintf(out, "none\"} %llu\n", (unsigned long long)v);
      }
  }
}

static void render_durations(FILE *out, const serve_metrics *m, const size_t *slots, size_t n)
{
  family(out, "elig_http_request_duration_seconds", "histogram",
         "Time from a request's headers to its end, by endpoint (the route's path, or other).");
  for (size_t k = 0; k < n; k++) {
    const endpoint_counters *e = &m->endpoints[slots[k]];
    const char *path = endpoint_name(m, slots[k]);
    unsigned long long below = 0; /* cumulative */
    for (size_t b = 0; b <= BOUNDS; b++)
      below += get(&e->buckets[b]);
    if (!below)
      continue;
    below = 0;
    for (size_t b = 0; b <= BOUNDS; b++) {
      below += get(&e->buckets[b]);
      with_endpoint(out, "elig_http_request_duration_seconds_bucket", path);
      fprintf(out, ",le=\"%s\"} %llu\n", b < BOUNDS ? bounds[b].le : "+Inf", below);
    }
    unsigned long long ns = get(&e->sum_ns);
    with_endpoint(out, "elig_http_request_duration_seconds_sum", path);
    fprintf(out, "} %llu.%09llu\n", ns / 1000000000ULL, ns % 1000000000ULL);
    with_endpoint(out, "elig_http_request_duration_seconds_count", path);
    fprintf(out, "} %llu\n", below);
  }
}

/* "2026-12-05T23:01:02.345Z" (serve_time_iso) in seconds since the epoch; 0 when it is not. */
static double iso_seconds(const char *iso)
{
  struct tm tm = {0};
  int ms = 0;
  if (!iso || sscanf(iso, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (double)timegm(&tm) + ms / 1000.0;
}

static void render_rules(FILE *out, const serve_metrics *m, const elig_ruleset *rs,
                         const char *loaded_at, bool last_reload_failed)
{
  family(out, "elig_rules_reloads_total", "counter",
         "Reloads of the rules (SIGHUP, a file changed), by outcome.");
  for (size_t i = 0; i < RELOAD_OUTCOMES; i++)
    fprintf(out, "elig_rules_reloads_total{outcome=\"%s\"} %llu\n", outcomes[i],
            (unsigned long long)get(&m->reloads[i]));
  family(out, "elig_rules_info", "gauge", "The rule set in force: its hash, policy and version.");
  fputs("elig_rules_info{hash=\"", out);
  label_value(out, elig_ruleset_hash(rs));
  fputs("\",policy=\"", out);
  label_value(out, elig_ruleset_policy(rs));
  fputs("\",version=\"", out);
  label_value(out, elig_ruleset_version(rs));
  fputs("\"} 1\n", out);
  family(out, "elig_rules_loaded_timestamp_seconds", "gauge",
         "When the rule set in force was compiled, in seconds since the epoch.");
  fprintf(out, "elig_rules_loaded_timestamp_seconds %.3f\n", iso_seconds(loaded_at));
  sample(out, "elig_rules_last_reload_failed", "gauge",
         "1 while the last reload has failed (the rules before it still answer), 0 otherwise.",
         last_reload_failed);
}

static void render_gauges(FILE *out, const serve_gauges *g)
{
  sample(out, "elig_http_connections_open", "gauge", "Connections open.", g->connections);
  sample(out, "elig_http_requests_in_flight", "gauge", "Requests begun and not yet ended.",
         g->in_flight);
  sample(out, "elig_queue_depth", "gauge", "Requests waiting for a worker.", g->queue);
  sample(out, "elig_workers_busy", "gauge", "Workers evaluating a request.", g->busy);
  sample(out, "elig_workers", "gauge", "Workers in all.", g->workers);
}

/* The process's metrics under the names every Prometheus client library gives them; those
 * /proc cannot tell are left out. */
static void render_process(FILE *out, const serve_metrics *m)
{
  proc_stat ps;
  long ticks = sysconf(_SC_CLK_TCK);
  long page = sysconf(_SC_PAGESIZE);
  if (read_proc_stat(&ps) && ticks > 0 && page > 0) {
    family(out, "process_cpu_seconds_total", "counter", "CPU time used, user and system.");
    fprintf(out, "process_cpu_seconds_total %.2f\n", (double)(ps.utime + ps.stime) / (double)ticks);
    sample(out, "process_resident_memory_bytes", "gauge", "Resident memory.",
           ps.rss * (unsigned long long)page);
  }
  long fds = open_fds();
  if (fds >= 0)
    sample(out, "process_open_fds", "gauge", "File descriptors open.", (unsigned long long)fds);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    sample(out, "process_max_fds", "gauge", "The limit of file descriptors open.",
           (unsigned long long)rl.rlim_cur);
  if (m->start_time > 0) {
    family(out, "process_start_time_seconds", "gauge",
           "When the process started, in seconds since the epoch.");
    fprintf(out, "process_start_time_seconds %.2f\n", m->start_time);
  }
}

char *serve_metrics_render(const serve_metrics *m, const elig_ruleset *rs, const char *loaded_at,
                           bool last_reload_failed, const serve_gauges *gauges, size_t *len)
{
  char *text = NULL;
  *len = 0;
  FILE *out = open_memstream(&text, len);
  if (!out)
    return NULL;
  size_t slots[MAX_ENDPOINTS + 1];
  size_t n = endpoints_seen(m, slots);
  render_requests(out, m, slots, n);
  render_durations(out, m, slots, n);
  sample(out, "elig_records_evaluated_total", "counter",
         "Records evaluated (POST /v1/evaluate and /v1/explain), rejected ones included.",
         (unsigned long long)get(&m->records));
  sample(out, "elig_records_rejected_total", "counter",
         "Records rejected: their JSON or a field was wrong, or a rule failed on them.",
         (unsigned long long)get(&m->rejected));
  render_rules(out, m, rs, loaded_at, last_reload_failed);
  render_gauges(out, gauges);
  render_process(out, m);
  family(out, "elig_build_info", "gauge", "The version of elig.");
  fputs("elig_build_info{version=\"", out);
  label_value(out, elig_version());
  fputs("\"} 1\n", out);
  bool failed = ferror(out) != 0;
  if (fclose(out) != 0 || failed || !text) {
    free(text);
    return NULL;
  }
  return text;
}

/* ---------------------------------------------------------------- GET /metrics */

enum MHD_Result serve_handle_metrics(serve_request *rq, const serve_body *body)
{
  (void)body;
  serve_http *http = rq->http;
  if (!http->metrics) /* the router does not route here then (--no-metrics); to be safe */
    return serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "not_found",
                               "no endpoint '/metrics': the service runs with --no-metrics", NULL);
  json_t *failure = serve_holder_failure(http->holder);
  serve_pool *pool = http->pool; /* NULL once stopping */
  serve_gauges gauges = {
      .connections = serve_conns_open(http->conns),
      .in_flight = atomic_load(&http->in_flight),
      .queue = pool ? serve_pool_waiting(pool) : 0,
      .busy = pool ? serve_pool_busy(pool) : 0,
      .workers = pool ? serve_pool_threads(pool) : 0,
  };
  size_t len;
  char *text = serve_metrics_render(http->metrics, rq->rules->rs, rq->rules->loaded_at,
                                    failure != NULL, &gauges, &len);
  json_decref(failure);
  if (!text)
    return serve_respond_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", "out of memory",
                               NULL);
  return serve_respond(rq, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len,
                       NULL);
}
