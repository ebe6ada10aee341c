/*
 * serve_workbench_impact.c -- the Impact page's job: what a rule change does to a register,
 * village by village (the parts: serve.h; doc/workbench.md, section 2.5):
 *
 *   POST /v1/workbench/impact         ?path=&data=|upload=&baseline=&against=|sha256=&by=
 *                                     &as_of=  the editor's text for `path` (the body) is
 *                                     compiled with DIR's other files, the baseline too,
 *                                     and the job started: 202
 *   GET  /v1/workbench/impact         ?job=  how far it is: bytes read of the register,
 *                                     records, and the outcome once it is over
 *   POST /v1/workbench/impact/cancel  ?job=  stops it
 *   GET  /v1/workbench/impact/report  ?job=  the report, exactly as `elig diff --by BY
 *                                     --format json OLD NEW REGISTER` prints it
 *   GET  /v1/workbench/impact/list    ?job=  the changed households, as `elig diff --list`
 *                                     writes them (CSV)
 *
 * The diff is the library's (elig_diff): this file compiles, starts, watches and keeps.
 * One job at a time for the whole service, on a thread of its own: a register of a million
 * households takes seconds and two cores of a county's server are not to be shared by
 * several at once; a second start while one runs is answered 409 job_running.  What the
 * job writes goes to files of no name (wb_tmpfile), not to memory: the list of a register
 * where everything changes is as large as the register.  What stays in memory is the
 * library's own (the groups, and with rules that follow households over the years the
 * records themselves until the second pass: elig diff's own figure) and the first messages.
 * The job holds copies of all it needs, so it outlives the request that started it; the
 * service's stop cancels it and waits for it (wb_impact_free).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

/* The first lines of messages a job keeps for the page (its rejections, which name the
 * household and the line; and the warnings, which come last) and how long each may be. */
#define KEPT_REJECTIONS 20
#define KEPT_NOTES 10
#define KEPT_LINE 600

typedef enum {
  JOB_NONE,
  JOB_RUNNING,
  JOB_DONE,
  JOB_FAILED,
  JOB_CANCELLED
} job_state;
static const char *const state_names[] = {"none", "running", "done", "failed", "cancelled"};

/* Where a running job is: reading the register (its first pass), comparing households
 * followed over the years once all is read (the second), or writing the report. */
typedef enum {
  PHASE_READING,
  PHASE_COMPARING,
  PHASE_REPORT
} job_phase;
static const char *const phase_names[] = {"reading", "comparing", "report"};

/* A line of text kept, cut to KEPT_LINE bytes. */
typedef struct {
  char **lines;
  size_t n, max;
} kept_lines;

struct wb_impact {
  pthread_mutex_t lock; /* guards what is below but the atomics */
  pthread_t thread;
  bool joinable; /* a thread was started and not yet joined */
  job_state state;
  char id[33];             /* 128 random bits, hex: a client asks after its own job */
  json_t *asked;           /* what was asked: path, register, baseline, by, as_of, by whom */
  const char *language;    /* of the request that started it: the messages' */
  char when[32];           /* started, ISO 8601 UTC */
  struct timespec started; /* CLOCK_MONOTONIC */
  double seconds;          /* once over: how long it took */
  uint64_t bytes_total;    /* of the register */
  atomic_uint_fast64_t bytes_read, records, compared, changed, rejected, rejected_old, rejected_new;
  atomic_int phase;
  atomic_bool cancel;
  /* the job's own: rule sets and register, taken by the thread */
  elig_ruleset *old_rs, *new_rs;
  int input_fd;
  elig_input_format format;
  char register_name[WB_REGISTER_NAME];
  char old_name[WB_RULES_NAME], new_name[WB_RULES_NAME], by[64], as_of[16];
  /* what it produced: files of no name, their sizes; the messages kept */
  int report_fd, list_fd;
  uint64_t report_bytes, list_bytes, list_rows, message_lines;
  kept_lines rejections, notes;
  int write_errno; /* why the report or the list could not be written; 0 */
  json_t *error;   /* {"code", "message"} when it failed */
};

/* ---------------------------------------------------------------- making and freeing */

static void kept_free(kept_lines *k)
{
  for (size_t i = 0; i < k->n; i++)
    free(k->lines[i]);
  free(k->lines);
  k->lines = NULL;
  k->n = 0;
}

static void close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* Drops what the last job made and held; the lock held, no thread running. */
static void job_clear(struct wb_impact *j)
{
  elig_ruleset_free(j->old_rs);
  elig_ruleset_free(j->new_rs);
  j->old_rs = j->new_rs = NULL;
  close_fd(&j->input_fd);
  close_fd(&j->report_fd);
  close_fd(&j->list_fd);
  kept_free(&j->rejections);
  kept_free(&j->notes);
  json_decref(j->asked);
  json_decref(j->error);
  j->asked = j->error = NULL;
  j->report_bytes = j->list_bytes = j->list_rows = j->message_lines = 0;
  j->write_errno = 0;
}

struct wb_impact *wb_impact_new(void)
{
  struct wb_impact *j = calloc(1, sizeof *j);
  if (!j)
    return NULL;
  pthread_mutex_init(&j->lock, NULL);
  j->input_fd = j->report_fd = j->list_fd = -1;
  j->rejections.max = KEPT_REJECTIONS;
  j->notes.max = KEPT_NOTES;
  return j;
}

void wb_impact_free(struct wb_impact *j)
{
  if (!j)
    return;
  atomic_store(&j->cancel, true);
  if (j->joinable)
    pthread_join(j->thread, NULL);
  job_clear(j);
  pthread_mutex_destroy(&j->lock);
  free(j);
}

bool wb_impact_running(struct wb_impact *j)
{
  pthread_mutex_lock(&j->lock);
  bool running = j->state == JOB_RUNNING;
  pthread_mutex_unlock(&j->lock);
  return running;
}

/* ---------------------------------------------------------------- the job's callbacks */

static ptrdiff_t job_read(void *arg, void *buf, size_t size)
{
  struct wb_impact *j = arg;
  for (;;) {
    ssize_t n = read(j->input_fd, buf, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n > 0)
      atomic_fetch_add(&j->bytes_read, (uint_fast64_t)n);
    else if (n == 0) /* all read: with history, the second pass follows */
      atomic_store(&j->phase, PHASE_COMPARING);
    return n;
  }
}

/* A rejection names the register and its line first ("county.csv:12: rejected ..."). */
static bool is_rejection(const struct wb_impact *j, const char *line, size_t n)
{
  size_t k = strlen(j->register_name);
  return n > k + 1 && memcmp(line, j->register_name, k) == 0 && line[k] == ':' &&
         line[k + 1] >= '0' && line[k + 1] <= '9';
}

static void keep_line(kept_lines *k, const char *line, size_t n)
{
  if (k->n == k->max)
    return;
  if (!k->lines && !(k->lines = calloc(k->max, sizeof *k->lines)))
    return;
  if (n > KEPT_LINE) { /* cut between UTF-8 characters, never inside one */
    n = KEPT_LINE;
    while (n && ((unsigned char)line[n] & 0xc0) == 0x80)
      n--;
  }
  char *copy = strndup(line, n);
  if (copy)
    k->lines[k->n++] = copy;
}

static void keep_messages(struct wb_impact *j, const char *data, size_t len)
{
  pthread_mutex_lock(&j->lock);
  for (const char *p = data, *end = data + len; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n) {
      j->message_lines++;
      keep_line(is_rejection(j, p, n) ? &j->rejections : &j->notes, p, n);
    }
    p += n + 1;
  }
  pthread_mutex_unlock(&j->lock);
}

static bool job_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  struct wb_impact *j = arg;
  if (stream == ELIG_STREAM_MESSAGES) {
    keep_messages(j, data, len);
    return true;
  }
  bool report = stream == ELIG_STREAM_REPORT;
  if (report)
    atomic_store(&j->phase, PHASE_REPORT);
  int fd = report ? j->report_fd : j->list_fd;
  if (!wb_write_all(fd, data, len)) {
    j->write_errno = errno ? errno : EIO; /* the job's thread alone reads it */
    return false;
  }
  pthread_mutex_lock(&j->lock);
  if (report) {
    j->report_bytes += len;
  } else {
    j->list_bytes += len;
    for (const char *p = data; (p = memchr(p, '\n', len - (size_t)(p - data))); p++)
      j->list_rows++;
  }
  pthread_mutex_unlock(&j->lock);
  return true;
}

static bool job_cancelled(void *arg)
{
  struct wb_impact *j = arg;
  return atomic_load(&j->cancel);
}

static void job_progress(void *arg, const elig_batch_stats *so_far)
{
  struct wb_impact *j = arg;
  atomic_store(&j->records, so_far->records);
  atomic_store(&j->compared, so_far->written);
  atomic_store(&j->changed, so_far->changed);
  atomic_store(&j->rejected, so_far->rejected);
  atomic_store(&j->rejected_old, so_far->rejected_old);
  atomic_store(&j->rejected_new, so_far->rejected_new);
}

static double seconds_since(const struct timespec *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* What a job that did not finish says: {"code", "message"}, translated. */
static json_t *failure(elig_status rc, int write_errno, const char *by)
{
  char message[300];
  const char *code;
  if (rc == ELIG_ENOMEM) {
    code = "out_of_memory";
    snprintf(message, sizeof message, "%s", _("out of memory"));
  } else if (write_errno) {
    code = "io_error";
    snprintf(message, sizeof message, _("the report or the list could not be written: %s"),
             strerror(write_errno));
  } else if (rc == ELIG_EIO) {
    code = "register_unreadable";
    snprintf(message, sizeof message, "%s",
             _("the register cannot be read: its header or a line is not CSV (or JSON Lines)"));
  } else if (rc == ELIG_EINVAL) {
    code = "bad_by";
    /* TRANSLATORS: %s is the aggregate (village, county) the impact is counted by. */
    snprintf(message, sizeof message,
             _("aggregate '%s' groups records by different keys in the old and the new rules; "
               "its groups cannot be matched"),
             by);
  } else if (rc == ELIG_EEVAL) {
    code = "rule_failed";
    snprintf(message, sizeof message, "%s",
             _("a rule of an aggregate failed on a group: the messages say which"));
  } else {
    code = "internal";
    snprintf(message, sizeof message, "%s", elig_status_str(rc));
  }
  return json_pack("{s:s, s:s}", "code", code, "message", message);
}

static void *job_main(void *arg)
{
  struct wb_impact *j = arg;
  if (elig_set_thread_language(j->language) != ELIG_OK)
    elig_set_thread_language("en");
  elig_diff_options o = ELIG_DIFF_OPTIONS_INIT;
  o.format = ELIG_FORMAT_JSON;
  o.by = j->by;
  o.list = true;
  o.old_name = j->old_name;
  o.new_name = j->new_name;
  o.as_of = j->as_of[0] ? j->as_of : NULL;
  elig_input in = {.name = j->register_name, .format = j->format, .arg = j, .read = job_read};
  elig_batch_io io = {
      .write = job_write, .cancelled = job_cancelled, .progress = job_progress, .arg = j};
  elig_batch_stats st = {0};
  elig_status rc = elig_diff(j->old_rs, j->new_rs, &o, &in, 1, &io, &st);
  job_progress(j, &st);
  pthread_mutex_lock(&j->lock);
  j->seconds = seconds_since(&j->started);
  if (rc == ELIG_OK)
    j->state = JOB_DONE;
  else if (rc == ELIG_ECANCELED)
    j->state = JOB_CANCELLED;
  else {
    j->state = JOB_FAILED;
    j->error = failure(rc, j->write_errno, j->by);
  }
  elig_ruleset_free(j->old_rs);
  elig_ruleset_free(j->new_rs);
  j->old_rs = j->new_rs = NULL;
  close_fd(&j->input_fd);
  pthread_mutex_unlock(&j->lock);
  return NULL;
}

/* ---------------------------------------------------------------- the status */

static json_t *kept_json(const kept_lines *k)
{
  json_t *a = json_array();
  for (size_t i = 0; i < k->n; i++)
    json_array_append_new(a, json_string(k->lines[i]));
  return a;
}

/* The job as the status route tells it; the lock held. */
static json_t *job_json(const struct wb_impact *j)
{
  if (j->state == JOB_NONE)
    return json_pack("{s:s}", "state", "none");
  bool running = j->state == JOB_RUNNING;
  json_t *o = json_pack(
      "{s:s, s:s, s:O, s:s, s:f, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:I}",
      "id", j->id, "state", state_names[j->state], "asked", j->asked, "started", j->when, "seconds",
      running ? seconds_since(&j->started) : j->seconds, "bytes", "read",
      (json_int_t)atomic_load(&j->bytes_read), "total", (json_int_t)j->bytes_total, "records",
      "read", (json_int_t)atomic_load(&j->records), "compared",
      (json_int_t)atomic_load(&j->compared), "changed", (json_int_t)atomic_load(&j->changed),
      "rejected", (json_int_t)atomic_load(&j->rejected), "rejected_old",
      (json_int_t)atomic_load(&j->rejected_old), "rejected_new",
      (json_int_t)atomic_load(&j->rejected_new), "rejections", kept_json(&j->rejections), "notes",
      kept_json(&j->notes), "message_lines", (json_int_t)j->message_lines);
  if (!o)
    return NULL;
  if (running) {
    json_object_set_new(o, "phase", json_string(phase_names[atomic_load(&j->phase)]));
    json_object_set_new(o, "cancelling", json_boolean(atomic_load(&j->cancel)));
  }
  if (j->state == JOB_DONE)
    json_object_set_new(o, "outcome",
                        json_pack("{s:I, s:I, s:I}", "report_bytes", (json_int_t)j->report_bytes,
                                  "list_bytes", (json_int_t)j->list_bytes, "list_rows",
                                  (json_int_t)(j->list_rows ? j->list_rows - 1 : 0)));
  if (j->error)
    json_object_set_new(o, "error", json_incref(j->error));
  return o;
}

/* The job a request asks after (?job=, or the last one): true, the lock taken; false after
 * answering 404 for an id that is not the last job's. */
static bool lock_job(serve_request *rq, struct wb_impact *j, enum MHD_Result *answer)
{
  const char *id = serve_param(rq, "job");
  pthread_mutex_lock(&j->lock);
  if (!id || (j->state != JOB_NONE && strcmp(id, j->id) == 0))
    return true;
  pthread_mutex_unlock(&j->lock);
  *answer = serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_job",
                                _("no such impact job: another has been started since"), NULL);
  return false;
}

static enum MHD_Result answer_job(serve_request *rq, struct wb_impact *j, unsigned status)
{
  json_t *job = job_json(j);
  pthread_mutex_unlock(&j->lock);
  json_t *doc = job ? json_pack("{s:o}", "job", job) : NULL;
  return doc ? serve_respond_json(rq, status, doc, NULL) : wb_out_of_memory(rq);
}

enum MHD_Result serve_handle_wb_impact_status(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  struct wb_impact *j = rq->http->workbench->impact;
  if (wb_refused(rq, false, &answer) || !lock_job(rq, j, &answer))
    return answer;
  return answer_job(rq, j, MHD_HTTP_OK);
}

enum MHD_Result serve_handle_wb_impact_cancel(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  struct wb_impact *j = rq->http->workbench->impact;
  if (wb_refused(rq, true, &answer) || !lock_job(rq, j, &answer))
    return answer;
  if (j->state != JOB_RUNNING) {
    pthread_mutex_unlock(&j->lock);
    return serve_respond_error(rq, MHD_HTTP_CONFLICT, "not_running", _("no impact job is running"),
                               NULL);
  }
  atomic_store(&j->cancel, true); /* heard between chunks: within a second */
  return answer_job(rq, j, MHD_HTTP_ACCEPTED);
}

/* The report or the list of a job that is done, read from its file as it is sent. */
static enum MHD_Result answer_file(serve_request *rq, bool report)
{
  enum MHD_Result answer;
  struct wb_impact *j = rq->http->workbench->impact;
  if (wb_refused(rq, false, &answer) || !lock_job(rq, j, &answer))
    return answer;
  if (j->state != JOB_DONE) {
    pthread_mutex_unlock(&j->lock);
    return serve_respond_error(rq, MHD_HTTP_CONFLICT, "not_done",
                               _("the impact job has not finished (GET /v1/workbench/impact "
                                 "says how far it is)"),
                               NULL);
  }
  int fd = wb_reopen(report ? j->report_fd : j->list_fd);
  uint64_t size = report ? j->report_bytes : j->list_bytes;
  pthread_mutex_unlock(&j->lock);
  if (fd < 0)
    return wb_file_error(rq, errno);
  static const char *const report_headers[] = {"Cache-Control", "no-store", NULL};
  static const char *const list_headers[] = {"Content-Disposition",
                                             "attachment; filename=\"impact-households.csv\"",
                                             "Cache-Control", "no-store", NULL};
  return report
             ? serve_respond_fd(rq, MHD_HTTP_OK, "application/json", fd, size, report_headers)
             : serve_respond_fd(rq, MHD_HTTP_OK, "text/csv; charset=utf-8", fd, size, list_headers);
}

enum MHD_Result serve_handle_wb_impact_report(serve_request *rq, const serve_body *body)
{
  (void)body;
  return answer_file(rq, true);
}

enum MHD_Result serve_handle_wb_impact_list(serve_request *rq, const serve_body *body)
{
  (void)body;
  return answer_file(rq, false);
}

/* ---------------------------------------------------------------- starting one */

/* What the start route makes before the job may run: both rule sets, the register. */
typedef struct {
  elig_ruleset *old_rs, *new_rs;
  int fd;
  uint64_t size;
  elig_input_format format;
  char register_name[WB_REGISTER_NAME];
  char old_name[WB_RULES_NAME], new_name[WB_RULES_NAME];
  json_t *asked;
} job_inputs;

static void inputs_free(job_inputs *in)
{
  elig_ruleset_free(in->old_rs);
  elig_ruleset_free(in->new_rs);
  if (in->fd >= 0)
    close(in->fd);
  json_decref(in->asked);
}

/* 422 with the diagnostics of a rule set that does not compile: `code` says which. */
static enum MHD_Result not_compiled(serve_request *rq, const char *code, const char *message,
                                    elig_diags *diags)
{
  json_t *doc = json_object();
  json_t *e = serve_error_object(code, NULL, message);
  json_object_set_new(doc, "error", e);
  json_t *placed = wb_diags_doc(diags, false);
  json_object_update(e, placed);
  json_decref(placed);
  elig_diags_free(diags);
  return serve_respond_json(rq, MHD_HTTP_UNPROCESSABLE_CONTENT, doc, NULL);
}

/* The baseline's rule set: the rules as saved (the same root as the new side), a saved
 * version of path in its place, or another rule file of DIR as a root.  NULL after
 * answering. */
static elig_ruleset *compile_baseline(serve_request *rq, const char *path, const char *root,
                                      job_inputs *in, enum MHD_Result *answer)
{
  const serve_workbench *wb = rq->http->workbench;
  const char *baseline = serve_param(rq, "baseline");
  const char *against = NULL, *sha = NULL;
  char *version = NULL;
  size_t vlen = 0;
  if (baseline && strcmp(baseline, "file") == 0) {
    if (!(against = wb_path_param(rq, "against", answer)))
      return NULL;
    root = against;
    snprintf(in->old_name, sizeof in->old_name, "%s", against);
  } else if (baseline && strcmp(baseline, "version") == 0) {
    int err;
    sha = serve_param(rq, "sha256");
    if (!wb_hex64_ok(sha)) {
      *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                    _("baseline=version takes 'sha256', a saved version's 64 "
                                      "lower-case hex digits"),
                                    NULL);
      return NULL;
    }
    if (!(version = wb_history_text(wb->dir_fd, sha, &vlen, &err))) {
      *answer = err == ENOENT ? serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_version",
                                                    _("no saved version has this hash"), NULL)
                              : wb_file_error(rq, err);
      return NULL;
    }
    /* TRANSLATORS: how an impact report names its baseline: the root rule file, the file
       being edited, the first 12 digits of the saved version's hash. */
    snprintf(in->old_name, sizeof in->old_name, _("%s (%s, saved version %.12s)"), root, path, sha);
  } else {
    /* TRANSLATORS: how an impact report names its baseline: the root rule file as saved. */
    snprintf(in->old_name, sizeof in->old_name, _("%s (as saved)"), root);
  }
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  bool read = wb_compile_with(wb, version ? path : NULL, version, vlen, &rs, &diags, &root);
  free(version);
  json_object_set_new(in->asked, "baseline",
                      json_pack("{s:s, s:s?, s:s?}", "kind", baseline ? baseline : "saved",
                                "against", against, "sha256", sha));
  if (!read)
    *answer = wb_out_of_memory(rq);
  else if (!rs)
    *answer = not_compiled(rq, "baseline_does_not_compile",
                           _("the baseline rules do not compile: nothing was run"), diags);
  else
    elig_diags_free(diags);
  return rs;
}

/* `by` names an aggregate both rule sets have (village unless said); NULL after answering
 * 400 with the closest name. */
static const char *by_param(serve_request *rq, const job_inputs *in, enum MHD_Result *answer)
{
  const char *by = serve_param(rq, "by");
  if (!by)
    by = "village";
  size_t io, inew;
  if (strlen(by) < 64 && elig_ruleset_aggregate_index(in->old_rs, by, &io) == ELIG_OK &&
      elig_ruleset_aggregate_index(in->new_rs, by, &inew) == ELIG_OK)
    return by;
  size_t n = elig_ruleset_aggregate_count(in->new_rs);
  const char **names = malloc((n + 1) * sizeof *names);
  const char *near = NULL;
  for (size_t i = 0; names && i < n; i++)
    names[i] = elig_ruleset_aggregate_name(in->new_rs, i);
  if (names)
    near = elig_suggest(by, strlen(by), names, n);
  char message[300];
  if (near)
    /* TRANSLATORS: 'by' names no aggregate of both rule sets (the first %s); the second is
       the closest aggregate's name.  Names stay as they are. */
    snprintf(message, sizeof message,
             _("'by' names no aggregate both rule sets have: '%s'; did you mean '%s'?"), by, near);
  else
    snprintf(message, sizeof message, _("'by' names no aggregate both rule sets have: '%s'"), by);
  free(names);
  *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_by", message, NULL);
  return NULL;
}

/* Starts the job with what `in` holds (taken); the lock held, no job running. */
static bool job_start(serve_request *rq, struct wb_impact *j, job_inputs *in, const char *by,
                      const char *as_of)
{
  uint8_t r[16];
  int report_fd = wb_tmpfile(), list_fd = report_fd >= 0 ? wb_tmpfile() : -1;
  if (list_fd < 0 || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
    if (report_fd >= 0)
      close(report_fd);
    if (list_fd >= 0)
      close(list_fd);
    return false;
  }
  if (j->joinable)
    pthread_join(j->thread, NULL); /* over already: its state is not running */
  j->joinable = false;
  job_clear(j);
  for (size_t i = 0; i < sizeof r; i++)
    snprintf(j->id + 2 * i, 3, "%02x", r[i]);
  j->state = JOB_RUNNING;
  j->old_rs = in->old_rs;
  j->new_rs = in->new_rs;
  j->input_fd = in->fd;
  j->format = in->format;
  j->asked = in->asked;
  in->old_rs = in->new_rs = NULL;
  in->fd = -1;
  in->asked = NULL;
  j->report_fd = report_fd;
  j->list_fd = list_fd;
  j->bytes_total = in->size;
  snprintf(j->register_name, sizeof j->register_name, "%s", in->register_name);
  snprintf(j->old_name, sizeof j->old_name, "%s", in->old_name);
  snprintf(j->new_name, sizeof j->new_name, "%s", in->new_name);
  snprintf(j->by, sizeof j->by, "%s", by);
  snprintf(j->as_of, sizeof j->as_of, "%s", as_of ? as_of : "");
  j->language = rq->language; /* a literal of serve_language.c's, for the life of the service */
  atomic_store(&j->bytes_read, 0);
  atomic_store(&j->records, 0);
  atomic_store(&j->compared, 0);
  atomic_store(&j->changed, 0);
  atomic_store(&j->rejected, 0);
  atomic_store(&j->rejected_old, 0);
  atomic_store(&j->rejected_new, 0);
  atomic_store(&j->phase, PHASE_READING);
  atomic_store(&j->cancel, false);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  serve_time_iso(&now, j->when, sizeof j->when);
  clock_gettime(CLOCK_MONOTONIC, &j->started);
  if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
    j->state = JOB_FAILED;
    j->error = json_pack("{s:s, s:s}", "code", "internal", "message", strerror(errno));
    return true;
  }
  j->joinable = true;
  return true;
}

/* 409 when a job runs: one at a time (the lock taken when none runs). */
static bool job_free_to_start(serve_request *rq, struct wb_impact *j, enum MHD_Result *answer)
{
  pthread_mutex_lock(&j->lock);
  if (j->state != JOB_RUNNING)
    return true;
  pthread_mutex_unlock(&j->lock);
  *answer = serve_respond_error(rq, MHD_HTTP_CONFLICT, "job_running",
                                _("an impact job is running: wait for it, or cancel it"), NULL);
  return false;
}

/* Everything the job needs, made and checked: the register, the new rules (the body as
 * path's text), the baseline, the aggregate; false after answering. */
static bool prepare(serve_request *rq, const serve_body *body, const char *path, job_inputs *in,
                    const char **by, enum MHD_Result *answer)
{
  const serve_workbench *wb = rq->http->workbench;
  const char *as_of = serve_param(rq, "as_of");
  if (as_of && !elig_date_valid(as_of)) {
    *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                  _("parameter 'as_of' takes a date as YYYY-MM-DD"), NULL);
    return false;
  }
  in->fd = wb_register_param(rq, &in->size, &in->format, in->register_name,
                             sizeof in->register_name, answer);
  if (in->fd < 0)
    return false;
  in->asked = json_pack("{s:s, s:s, s:s?, s:s}", "path", path, "register", in->register_name,
                        "as_of", as_of, "by", rq->token);
  elig_diags *diags = NULL;
  const char *root = NULL;
  if (!in->asked || !wb_compile_with(wb, path, body->text, body->len, &in->new_rs, &diags, &root)) {
    *answer = wb_out_of_memory(rq);
    elig_diags_free(diags);
    return false;
  }
  if (!in->new_rs) {
    *answer = not_compiled(rq, "rules_do_not_compile",
                           _("the rules do not compile with this text: nothing was run"), diags);
    return false;
  }
  elig_diags_free(diags);
  /* TRANSLATORS: how an impact report names the rules compared: the root rule file, then
     the file whose text in the editor (not saved) is compiled with it. */
  snprintf(in->new_name, sizeof in->new_name, _("%s (%s as in the editor)"), root, path);
  if (!(in->old_rs = compile_baseline(rq, path, root, in, answer)))
    return false;
  if (!(*by = by_param(rq, in, answer)))
    return false;
  json_object_set_new(in->asked, "aggregate", json_string(*by));
  return true;
}

enum MHD_Result serve_handle_wb_impact_start(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  struct wb_impact *j = rq->http->workbench->impact;
  const char *path = wb_text_request(rq, body, &answer);
  if (!path)
    return answer;
  if (!job_free_to_start(rq, j, &answer)) /* before compiling: a refusal costs nothing */
    return answer;
  pthread_mutex_unlock(&j->lock);
  job_inputs in = {.fd = -1};
  const char *by = NULL;
  if (!prepare(rq, body, path, &in, &by, &answer)) {
    inputs_free(&in);
    return answer;
  }
  if (!job_free_to_start(rq, j, &answer)) { /* another started while this one compiled */
    inputs_free(&in);
    return answer;
  }
  bool started = job_start(rq, j, &in, by, serve_param(rq, "as_of"));
  inputs_free(&in);
  if (!started) {
    pthread_mutex_unlock(&j->lock);
    char message[200];
    snprintf(message, sizeof message, _("the job's files could not be made: %s"), strerror(errno));
    return serve_respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", message, NULL);
  }
  return answer_job(rq, j, MHD_HTTP_ACCEPTED);
}
