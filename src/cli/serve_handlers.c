/*
 * serve_handlers.c -- what `elig serve` answers on each endpoint (the parts: serve.h).
 *
 *   POST /v1/evaluate   one record (a JSON object) -> its result, as one line of
 *                       `elig run --format jsonl`; several (JSON Lines, or an array) -> a
 *                       line per record in order: its result, or {"line"|"index", "error"}
 *   POST /v1/explain    one record -> why its decisions and flags came out as they did
 *   GET  /v1/rules      what the rule set in force is and defines; the last failed reload
 *   GET  /healthz       that the service answers, and with which rules
 *
 * The router (serve_route.c) calls a handler once the whole request is in, with the query
 * parameters checked; the handler reads them by name, never the URL.  Each answers with the
 * rule set the request holds, so a reload never changes the rules under a request.  Records
 * are cut from the body by serve_body.c and evaluated by the library, whose results are sent
 * as it formats them; what is shaped here is the service's own JSON: errors, /v1/rules,
 * /healthz.  An error of the library is told by its code, never by its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

/* ---------------------------------------------------------------- evaluation errors */

/* What the service makes of an error of the library: the word a client tests ("code") and
 * the status a single record answers with.  Decided by the library's stable code
 * (elig_error_code; the table is doc/language.md), never by its message, which may be
 * reworded or translated and is passed on untouched; by the status only for an error that
 * has no code (out of memory, a record that is empty). */
typedef struct {
  const char *code;
  unsigned http;
} error_kind;

/* The record is not valid JSON: its place is in the record's text (elig_error_line). */
#define CODE_MALFORMED_JSON "E0625"

static bool code_is(const char *code, const char *want)
{
  return code && strcmp(code, want) == 0;
}

static bool code_in(const char *code, const char *group)
{
  return code && strncmp(code, group, strlen(group)) == 0;
}

static error_kind error_kind_of(elig_status st, const char *code)
{
  if (code_is(code, CODE_MALFORMED_JSON))
    return (error_kind){"malformed_json", MHD_HTTP_BAD_REQUEST};
  if (code_in(code, "E06")) /* a record that breaks its schema or cannot be read */
    return (error_kind){"rejected", MHD_HTTP_BAD_REQUEST};
  if (code_in(code, "E07")) /* a rule that fails on a record, or on a group */
    return (error_kind){"rule_failed", MHD_HTTP_UNPROCESSABLE_CONTENT};
  switch (st) {
  case ELIG_EREJECT: return (error_kind){"rejected", MHD_HTTP_BAD_REQUEST};
  case ELIG_EEVAL: return (error_kind){"rule_failed", MHD_HTTP_UNPROCESSABLE_CONTENT};
  case ELIG_ENOMEM: return (error_kind){"out_of_memory", MHD_HTTP_SERVICE_UNAVAILABLE};
  case ELIG_EREGISTER: return (error_kind){"register_rules_differ", MHD_HTTP_CONFLICT};
  default: return (error_kind){"internal", MHD_HTTP_INTERNAL_SERVER_ERROR};
  }
}

/* The error of a failed evaluation as JSON: the service's code, the library's
 * ("error_code", when it has one), its message as it is, and where when known: the field
 * of a rejected record; the rule file, line and column of a rule that failed; the line and
 * column of malformed JSON, in the body when `at` is the record (NULL when the error is no
 * record's: an aggregate's, an explanation's). */
static json_t *eval_error(const elig_error *e, elig_status st, const body_record *at,
                          unsigned *http)
{
  const char *code = elig_error_code(e);
  error_kind kind = error_kind_of(st, code);
  *http = kind.http;
  json_t *o = serve_error_object(kind.code, code, elig_error_message(e));
  if (elig_error_field(e))
    json_object_set_new(o, "field", json_string(elig_error_field(e)));
  if (elig_error_file(e))
    json_object_set_new(o, "file", json_string(elig_error_file(e)));
  size_t line = elig_error_line(e), column = elig_error_column(e);
  if (line && at && code_is(code, CODE_MALFORMED_JSON))
    body_place(at, line, column, &line, &column);
  if (line) {
    json_object_set_new(o, "line", json_integer((json_int_t)line));
    json_object_set_new(o, "column", json_integer((json_int_t)column));
  }
  return o;
}

/* ---------------------------------------------------------------- /v1/evaluate, /v1/explain */

/* Today in UTC as YYYY-MM-DD: the evaluation date when the request names none. */
static void today(char *buf, size_t size)
{
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, size, "%Y-%m-%d", &tm);
}

static bool header_plain(unsigned char ch)
{
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         ch == '_' || ch == '-' || ch == '.';
}

/* The bytes of the UTF-8 character that begins at `s` (1 for a byte that begins none). */
static size_t char_bytes(const char *s)
{
  unsigned char c = (unsigned char)s[0];
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  for (size_t k = 1; k < n; k++)
    if (((unsigned char)s[k] & 0xC0) != 0x80)
      return 1;
  return n;
}

/* Percent-encodes a JSON key for a header value: keys are any UTF-8, headers are not.  A key
 * too long for `size` is cut between characters, never inside one: half a character decodes
 * to nothing a client can use. */
static void header_safe(char *out, size_t size, const char *in)
{
  size_t n = 0;
  while (in && *in) {
    size_t len = char_bytes(in), need = 0;
    for (size_t k = 0; k < len; k++)
      need += header_plain((unsigned char)in[k]) ? 1 : 3;
    if (n + need >= size)
      break;
    for (size_t k = 0; k < len; k++, in++) {
      unsigned char ch = (unsigned char)*in;
      if (header_plain(ch))
        out[n++] = (char)ch;
      else
        n += (size_t)snprintf(out + n, size - n, "%%%02X", ch);
    }
  }
  out[n] = '\0';
}

/* Evaluates one record on ctx; counts it. */
static elig_status eval_one(serve_request *rq, elig_ctx *ctx, const body_record *rec,
                            const elig_result **res, char *first_unknown, size_t size)
{
  elig_status st = elig_eval_json(ctx, rec->text, rec->len, res);
  const char *first;
  size_t unknown = elig_ctx_last_unknown_keys(ctx, &first);
  if (unknown && !rq->ignored_keys)
    header_safe(first_unknown, size, first);
  rq->ignored_keys += unknown;
  rq->records++;
  if (st != ELIG_OK)
    rq->rejected++;
  return st;
}

typedef struct {
  char records[24], rejected[24], ignored[128];
  const char *list[9];
} count_headers;

/* Elig-Records, Elig-Rejected and (when JSON keys were no field) Elig-Ignored-Keys, as
 * response headers: a client learns of a misspelt field instead of its value vanishing. */
static const char *const *counts(serve_request *rq, count_headers *h, const char *first_unknown)
{
  size_t n = 0;
  snprintf(h->records, sizeof h->records, "%zu", rq->records);
  snprintf(h->rejected, sizeof h->rejected, "%zu", rq->rejected);
  h->list[n++] = "Elig-Records";
  h->list[n++] = h->records;
  h->list[n++] = "Elig-Rejected";
  h->list[n++] = h->rejected;
  if (rq->ignored_keys) {
    snprintf(h->ignored, sizeof h->ignored, "%zu; first=%s", rq->ignored_keys, first_unknown);
    h->list[n++] = "Elig-Ignored-Keys";
    h->list[n++] = h->ignored;
  }
  h->list[n] = NULL;
  return h->list;
}

static enum MHD_Result out_of_memory(serve_request *rq)
{
  return serve_respond_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", "out of memory",
                             NULL);
}

/* Seconds since t (CLOCK_MONOTONIC). */
static double seconds_since(const struct timespec *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* The response body of /v1/evaluate as it is written, within limits.max_output. */
typedef struct {
  FILE *out;
  size_t written;
  size_t max;
} capped_output;

/* Writes n bytes; false, writing nothing, when they would take the body over its limit. */
static bool put(capped_output *o, const char *text, size_t n)
{
  if (n > o->max - o->written)
    return false;
  fwrite(text, 1, n, o->out);
  o->written += n;
  return true;
}

/* The errors of the limits of one request, with the status to answer. */
static json_t *output_too_large(const serve_limits *lim, unsigned *http)
{
  char message[200];
  snprintf(message, sizeof message,
           "the answer would be larger than %zu bytes, the limit of one response; send fewer "
           "records at a time",
           lim->max_output);
  *http = MHD_HTTP_CONTENT_TOO_LARGE;
  return serve_error_object("output_too_large", NULL, message);
}

static json_t *evaluation_timeout(const serve_limits *lim, unsigned *http)
{
  char message[200];
  snprintf(message, sizeof message,
           "the evaluation took longer than %u ms, the limit of one request; send fewer "
           "records at a time",
           lim->eval_timeout_ms);
  *http = MHD_HTTP_SERVICE_UNAVAILABLE;
  return serve_error_object("evaluation_timeout", NULL, message);
}

/* Answers with the records of the body.  One record (BODY_ONE): its result line, or its
 * error with the status that fits it.  Several: a line for each, its result or
 * {"line"|"index": N, "error": ...}, in the order given, with status 200; a rejected record
 * never stops the others.  Then, when asked, the aggregate lines of the records evaluated.
 * Limits of the service: a request of more than max_records records is refused before any
 * is evaluated; one whose answer would pass max_output bytes, or whose evaluation takes
 * longer than eval_timeout_ms, is stopped and answered with the error alone, so that
 * one request can take neither the memory nor a worker for long. */
static enum MHD_Result evaluate(serve_request *rq, elig_ctx *ctx, body_reader *br, bool aggregates)
{
  const serve_limits *lim = &rq->http->limits;
  count_headers h;
  if (body_count(br, lim->max_records) > lim->max_records) {
    char message[160];
    snprintf(message, sizeof message,
             "the request has more than %zu records, the limit of one request; send them in "
             "several",
             lim->max_records);
    return serve_respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE, "too_many_records", message, NULL);
  }
  bool single = br->shape == BODY_ONE;
  char *body = NULL;
  size_t len = 0;
  capped_output out = {open_memstream(&body, &len), 0, lim->max_output};
  if (!out.out)
    return out_of_memory(rq);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  elig_ctx_set_aggregate(ctx, aggregates);
  char first_unknown[100] = "";
  json_t *failed = NULL; /* the error of a single record, of an aggregate, or of a limit */
  unsigned http = MHD_HTTP_OK;
  body_record rec;
  while (!failed && body_next(br, &rec)) {
    if (rq->records % 64 == 63 && seconds_since(&start) * 1000 > lim->eval_timeout_ms) {
      failed = evaluation_timeout(lim, &http);
      break;
    }
    const elig_result *res;
    elig_status st = eval_one(rq, ctx, &rec, &res, first_unknown, sizeof first_unknown);
    if ((failed = serve_decision_log(rq, "/v1/evaluate", ctx, &rec, st, res, &http)))
      break; /* --decision-log-required, and the decision could not be logged */
    char *text = NULL;
    const char *line;
    size_t n;
    if (st == ELIG_OK) {
      line = elig_result_format(res, ELIG_FORMAT_JSON, &n);
      if (!line) {
        failed = serve_error_object("out_of_memory", NULL, "out of memory");
        http = MHD_HTTP_SERVICE_UNAVAILABLE;
        break;
      }
    } else {
      unsigned record_http;
      json_t *error = eval_error(elig_ctx_error(ctx), st, &rec, &record_http);
      if (single) {
        failed = error;
        http = record_http;
        break;
      }
      json_t *o = json_object();
      json_object_set_new(o, br->shape == BODY_ARRAY ? "index" : "line",
                          json_integer((json_int_t)rec.number));
      json_object_set_new(o, "error", error);
      text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
      json_decref(o);
      if (!text) {
        failed = serve_error_object("out_of_memory", NULL, "out of memory");
        http = MHD_HTTP_SERVICE_UNAVAILABLE;
        break;
      }
      n = strlen(text);
      text[n++] = '\n'; /* json_dumps leaves room for its NUL: the line end takes it */
      line = text;
    }
    if (!put(&out, line, n))
      failed = output_too_large(lim, &http);
    free(text);
  }
  if (aggregates) {
    /* also after a failure: computing the groups is what empties them for the next request */
    const char *text;
    size_t n;
    elig_status st = elig_ctx_aggregates(ctx, ELIG_FORMAT_JSON, &text, &n);
    if (st != ELIG_OK && !failed)
      failed = eval_error(elig_ctx_error(ctx), st, NULL, &http);
    else if (st == ELIG_OK && !failed && !put(&out, text, n))
      failed = output_too_large(lim, &http);
    elig_ctx_set_aggregate(ctx, false);
  }
  bool write_failed = ferror(out.out) != 0;
  if (fclose(out.out) != 0 || write_failed || !body) {
    free(body);
    json_decref(failed);
    return out_of_memory(rq);
  }
  if (failed) {
    free(body);
    json_t *doc = json_object();
    json_object_set_new(doc, "error", failed);
    return serve_respond_json(rq, http, doc, counts(rq, &h, first_unknown));
  }
  const char *type = single && !aggregates ? "application/json" : "application/x-ndjson";
  return serve_respond(rq, MHD_HTTP_OK, type, body, len, counts(rq, &h, first_unknown));
}

/* Whether field `name` can be moved by a what-if: a number, amount or date, not a key. */
static bool movable(const elig_ruleset *rs, const char *name)
{
  size_t field;
  if (elig_ruleset_field_index(rs, name, &field) != ELIG_OK)
    return false;
  for (size_t k = 0; k < elig_ruleset_key_count(rs); k++)
    if (elig_ruleset_key_field(rs, k) == field)
      return false;
  elig_type t = elig_ruleset_field_type(rs, field);
  return t == ELIG_TYPE_INT || t == ELIG_TYPE_MONEY || t == ELIG_TYPE_DATE;
}

/* One record's explanation: the tree of `elig explain` (text) or its JSON. */
static enum MHD_Result explain(serve_request *rq, elig_ctx *ctx, body_reader *br, bool text)
{
  if (br->shape != BODY_ONE)
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "not_one_record",
                               "explain takes one record: send one JSON object", NULL);
  const char *what_if = serve_param(rq, "what_if");
  if (what_if && !movable(rq->rules->rs, what_if))
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "parameter 'what_if' takes a number, amount or date field of "
                               "the record, not a key",
                               NULL);
  body_record rec;
  body_next(br, &rec);
  char first_unknown[100] = "";
  const elig_result *res;
  elig_status st = eval_one(rq, ctx, &rec, &res, first_unknown, sizeof first_unknown);
  count_headers h;
  unsigned unlogged_http;
  json_t *unlogged = serve_decision_log(rq, "/v1/explain", ctx, &rec, st, res, &unlogged_http);
  if (unlogged)
    return serve_respond_json(rq, unlogged_http, json_pack("{s:o}", "error", unlogged),
                              counts(rq, &h, first_unknown));
  if (st != ELIG_OK) {
    unsigned http;
    json_t *doc = json_object();
    json_object_set_new(doc, "error", eval_error(elig_ctx_error(ctx), st, &rec, &http));
    return serve_respond_json(rq, http, doc, counts(rq, &h, first_unknown));
  }
  const char *why;
  size_t len;
  st = elig_explain_what_if(ctx, what_if, text ? ELIG_FORMAT_TEXT : ELIG_FORMAT_JSON, &why, &len);
  if (st != ELIG_OK) {
    unsigned http;
    json_t *doc = json_object();
    json_object_set_new(doc, "error", eval_error(elig_ctx_error(ctx), st, NULL, &http));
    return serve_respond_json(rq, http, doc, counts(rq, &h, first_unknown));
  }
  char *body = malloc(len + 1);
  if (!body)
    return out_of_memory(rq);
  memcpy(body, why, len);
  return serve_respond(rq, MHD_HTTP_OK, text ? "text/plain; charset=utf-8" : "application/json",
                       body, len, counts(rq, &h, first_unknown));
}

/* POST /v1/evaluate and /v1/explain: the body's shape, a context, the evaluation date; then
 * `answer` with them and `how` (aggregates, or the text format). */
typedef enum MHD_Result records_answer(serve_request *rq, elig_ctx *ctx, body_reader *br, bool how);

static enum MHD_Result with_records(serve_request *rq, const serve_body *body,
                                    records_answer *answer, bool how)
{
  body_reader br;
  body_reader_init(&br, body->text, body->len, body->json_lines);
  if (br.error[0])
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "malformed_json", br.error, NULL);
  if (br.shape == BODY_EMPTY)
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "no_records",
                               "the request has no records: send one JSON object, JSON Lines, "
                               "or an array of objects",
                               NULL);
  elig_ctx *ctx = serve_rules_ctx_take(rq->rules);
  if (!ctx)
    return out_of_memory(rq);
  /* the router takes any text for as_of: the library, which knows dates, checks it here,
   * after the body (an empty body is said first) */
  const char *as_of = serve_param(rq, "as_of");
  char date[16];
  if (!as_of)
    today(date, sizeof date);
  serve_decisions_begin(rq, as_of ? as_of : date, br.shape == BODY_ONE);
  /* contexts are pooled: every request says how its absent fields are taken */
  const char *missing = serve_param(rq, "missing");
  elig_ctx_set_missing(ctx, missing && strcmp(missing, "undetermined") == 0
                                ? ELIG_MISSING_UNDETERMINED
                                : ELIG_MISSING_REJECT);
  enum MHD_Result ok;
  if (elig_ctx_set_as_of(ctx, as_of ? as_of : date) != ELIG_OK)
    ok = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                             "parameter 'as_of' takes a date, YYYY-MM-DD", NULL);
  else
    ok = answer(rq, ctx, &br, how);
  serve_rules_ctx_give(rq->rules, ctx);
  return ok;
}

enum MHD_Result serve_handle_evaluate(serve_request *rq, const serve_body *body)
{
  return with_records(rq, body, evaluate, serve_param_bool(rq, "aggregates"));
}

enum MHD_Result serve_handle_explain(serve_request *rq, const serve_body *body)
{
  const char *format = serve_param(rq, "format");
  return with_records(rq, body, explain, format && strcmp(format, "text") == 0);
}

/* ---------------------------------------------------------------- /v1/rules, /healthz */

static const char *type_name(elig_type t)
{
  static const char *const names[] = {"bool",    "int",  "money", "number",
                                      "percent", "text", "date",  "list"};
  return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static json_t *describe(const serve_rules *r)
{
  const elig_ruleset *rs = r->rs;
  json_t *doc = json_object();
  json_object_set_new(doc, "policy", json_string(elig_ruleset_policy(rs)));
  json_object_set_new(doc, "version", json_string(elig_ruleset_version(rs)));
  json_object_set_new(doc, "hash", json_string(elig_ruleset_hash(rs)));
  json_object_set_new(doc, "loaded_at", json_string(r->loaded_at));
  json_t *files = json_array();
  for (size_t i = 0; i < elig_ruleset_file_count(rs); i++)
    json_array_append_new(files, json_string(elig_ruleset_file(rs, i)));
  json_object_set_new(doc, "files", files);
  json_t *list = json_array();
  for (size_t i = 0; i < elig_ruleset_field_count(rs); i++)
    json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name", elig_ruleset_field_name(rs, i),
                                          "type", type_name(elig_ruleset_field_type(rs, i)),
                                          "required", elig_ruleset_field_required(rs, i)));
  json_object_set_new(doc, "fields", list);
  list = json_array();
  for (size_t i = 0; i < elig_ruleset_decision_count(rs); i++)
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", elig_ruleset_decision_name(rs, i),
                                          "type", type_name(elig_ruleset_decision_type(rs, i))));
  json_object_set_new(doc, "decisions", list);
  list = json_array();
  for (size_t i = 0; i < elig_ruleset_flag_count(rs); i++) {
    const char *reason = elig_ruleset_flag_reason(rs, i);
    json_t *f = json_pack("{s:s, s:s}", "name", elig_ruleset_flag_name(rs, i), "severity",
                          elig_ruleset_flag_severity(rs, i));
    json_object_set_new(f, "reason", reason ? json_string(reason) : json_null());
    json_array_append_new(list, f);
  }
  json_object_set_new(doc, "flags", list);
  list = json_array();
  for (size_t i = 0; i < elig_ruleset_aggregate_count(rs); i++)
    json_array_append_new(list, json_string(elig_ruleset_aggregate_name(rs, i)));
  json_object_set_new(doc, "aggregates", list);
  list = json_array();
  for (size_t i = 0; i < elig_ruleset_column_count(rs); i++)
    json_array_append_new(list, json_string(elig_ruleset_column_name(rs, i)));
  json_object_set_new(doc, "columns", list);
  return doc;
}

enum MHD_Result serve_handle_rules(serve_request *rq, const serve_body *body)
{
  (void)body;
  json_t *doc = describe(rq->rules);
  json_t *failure = serve_holder_failure(rq->http->holder);
  json_object_set_new(
      doc, "last_reload",
      failure ? failure : json_pack("{s:s, s:s}", "status", "ok", "at", rq->rules->loaded_at));
  return serve_respond_json(rq, MHD_HTTP_OK, doc, NULL);
}

enum MHD_Result serve_handle_health(serve_request *rq, const serve_body *body)
{
  (void)body;
  json_t *failure = serve_holder_failure(rq->http->holder);
  json_t *doc = json_pack("{s:s, s:s}", "status", "ok", "last_reload", failure ? "failed" : "ok");
  json_decref(failure);
  return serve_respond_json(rq, MHD_HTTP_OK, doc, NULL);
}

enum MHD_Result serve_handle_ready(serve_request *rq, const serve_body *body)
{
  (void)body;
  if (serve_holder_ready(rq->http->holder))
    return serve_respond_json(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ready"), NULL);
  json_t *failure = serve_holder_failure(rq->http->holder);
  json_t *doc = json_pack("{s:s, s:s}", "status", "not_ready", "reason",
                          "the last reload of the rules failed: the rules in force are older "
                          "than the files; fix the files, or acknowledge with POST "
                          "/v1/admin/acknowledge");
  if (failure)
    json_object_set_new(doc, "failed_at", json_incref(json_object_get(failure, "at")));
  json_decref(failure);
  return serve_respond_json(rq, MHD_HTTP_SERVICE_UNAVAILABLE, doc, NULL);
}

enum MHD_Result serve_handle_acknowledge(serve_request *rq, const serve_body *body)
{
  (void)body;
  bool had = serve_holder_acknowledge(rq->http->holder);
  json_t *e =
      json_pack("{s:s, s:b, s:s}", "event", "acknowledged", "failure", had, "token", rq->token);
  serve_log_write(rq->http->log, e);
  return serve_respond_json(rq, MHD_HTTP_OK, json_pack("{s:b}", "acknowledged", had), NULL);
}
