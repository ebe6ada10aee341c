/*
 * serve_http.c -- what `elig serve` answers: routing, limits, evaluation, responses, and the
 * access log line of every request.
 *
 *   POST /v1/evaluate   one record (a JSON object) -> its result, as one line of
 *                       `elig run --format jsonl`; several (JSON Lines, or an array) -> a
 *                       line per record in order: its result, or {"line"|"index", "error"}
 *   POST /v1/explain    one record -> why its decisions and flags came out as they did
 *   GET  /v1/rules      what the rule set in force is and defines; the last failed reload
 *   GET  /healthz       that the service answers, and with which rules
 *
 * Every response carries the hash of the rule set that produced it (Elig-Rules-Hash, and
 * "rules" in JSON bodies that are the service's own).  A request holds its rule set from its
 * first byte to its last, so a reload never changes the rules under a request.  Errors are
 * JSON: {"error": {"code", "message", and "field", "line", "column" when known}}.
 *
 * libmicrohttpd calls serve_http_request once when the headers are in, then once per piece
 * of the body, then once more with no data: the answer is made on that last call.
 */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "serve.h"

/* ---------------------------------------------------------------- routes and requests */

typedef enum { ROUTE_EVALUATE, ROUTE_EXPLAIN, ROUTE_RULES, ROUTE_HEALTH } route_id;

typedef struct {
  const char *path;
  route_id id;
  const char *method;    /* POST, or GET (which also answers HEAD) */
  const char *params[3];  /* the query parameters it takes */
} route;

static const route routes[] = {
  {"/v1/evaluate", ROUTE_EVALUATE, "POST", {"as_of", "aggregates"}},
  {"/v1/explain", ROUTE_EXPLAIN, "POST", {"as_of", "format"}},
  {"/v1/rules", ROUTE_RULES, "GET", {NULL}},
  {"/healthz", ROUTE_HEALTH, "GET", {NULL}},
};
#define NROUTES (sizeof routes / sizeof routes[0])

typedef struct {
  serve_http *http;
  serve_rules *rules;          /* the set this request is answered with; a reference */
  const route *route;          /* NULL: no such path, or a method it does not take */
  char method[16];             /* as the log shows them: printable ASCII, cut short */
  char path[128];
  char client[64];
  struct timespec start;
  char *body;
  size_t len, cap;
  bool responded;
  unsigned refused;            /* an answer decided before the body is in (404, 405, 400,
                                  413): the body is dropped and this status answered at the
                                  end, so that the connection stays open for the next request */
  const char *refused_code;
  const char *allow;           /* the Allow header of a 405 */
  char refused_message[300];
  size_t dropped;              /* bytes of body dropped */
  unsigned status;
  size_t bytes_out;
  size_t records, rejected, ignored_keys;
} request;

/* ---------------------------------------------------------------- small helpers */

static double seconds_since(const struct timespec *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Text from the network as the log and error messages may show it: printable ASCII only
 * (anything else becomes '?'), at most size - 1 bytes. */
static void printable(char *out, size_t size, const char *in)
{
  size_t n = 0;
  for (; in && in[n] && n + 1 < size; n++)
    out[n] = in[n] >= 0x20 && in[n] < 0x7f ? in[n] : '?';
  out[n] = '\0';
}

static void client_address(struct MHD_Connection *c, char *out, size_t size)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(out, size, "?");
  if (!info || !info->client_addr)
    return;
  socklen_t len = info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in);
  getnameinfo(info->client_addr, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
}

/* The request's query parameter `name`, or NULL. */
static const char *param(struct MHD_Connection *c, const char *name)
{
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* Looks for a query parameter the route does not take: `unknown` receives the first. */
typedef struct {
  const route *route;
  char unknown[64];
} param_check;

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
  (void)kind;
  (void)value;
  param_check *pc = cls;
  for (size_t i = 0; i < 3 && pc->route->params[i]; i++)
    if (strcmp(key, pc->route->params[i]) == 0)
      return MHD_YES;
  printable(pc->unknown, sizeof pc->unknown, key);
  return MHD_NO;
}

/* A yes/no parameter: absent is no; given bare (?aggregates), empty, true, 1 or yes is yes;
 * false, 0 or no is no; -1 for anything else. */
static int param_bool(struct MHD_Connection *c, const char *name)
{
  const char *v = NULL;
  if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, NULL) !=
      MHD_YES)
    return 0;
  if (!v || !v[0] || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
    return 1;
  if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"))
    return 0;
  return -1;
}

/* Whether the request says its body is JSON Lines. */
static bool sends_json_lines(struct MHD_Connection *c)
{
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  if (!type)
    return false;
  static const char *const lines[] = {"application/x-ndjson", "application/jsonl",
                                      "application/x-jsonlines", "application/json-lines"};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    if (strncasecmp(type, lines[i], strlen(lines[i])) == 0)
      return true;
  return false;
}

/* ---------------------------------------------------------------- responses */

/* Queues `body` (malloc'd; taken) with the rule-set hash and any extra headers (name, value
 * pairs, NULL-terminated). */
static enum MHD_Result respond(request *rq, struct MHD_Connection *c, unsigned status,
                               const char *type, char *body, size_t len,
                               const char *const *headers)
{
  struct MHD_Response *res =
    MHD_create_response_from_buffer_with_free_callback(len, body, free);
  if (!res) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(res, "Elig-Rules-Hash", elig_ruleset_hash(rq->rules->rs));
  for (size_t i = 0; headers && headers[i]; i += 2)
    MHD_add_response_header(res, headers[i], headers[i + 1]);
  enum MHD_Result ok = MHD_queue_response(c, status, res);
  MHD_destroy_response(res);
  rq->responded = true;
  rq->status = status;
  rq->bytes_out = len;
  return ok;
}

/* Queues `doc` (taken) as a JSON body, with "rules" added. */
static enum MHD_Result respond_json(request *rq, struct MHD_Connection *c, unsigned status,
                                    json_t *doc, const char *const *headers)
{
  json_object_set_new(doc, "rules", json_string(elig_ruleset_hash(rq->rules->rs)));
  char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (!text)
    return MHD_NO;
  size_t len = strlen(text);
  char *body = realloc(text, len + 2);
  if (!body) {
    free(text);
    return MHD_NO;
  }
  body[len++] = '\n';
  body[len] = '\0';
  return respond(rq, c, status, "application/json", body, len, headers);
}

static json_t *error_object(const char *code, const char *message)
{
  json_t *e = json_object();
  json_object_set_new(e, "code", json_string(code));
  json_object_set_new(e, "message", json_string(message));
  return e;
}

/* {"error": {"code": CODE, "message": MESSAGE}} with status. */
static enum MHD_Result respond_error(request *rq, struct MHD_Connection *c, unsigned status,
                                     const char *code, const char *message,
                                     const char *const *headers)
{
  json_t *doc = json_object();
  json_object_set_new(doc, "error", error_object(code, message));
  return respond_json(rq, c, status, doc, headers);
}

/* ---------------------------------------------------------------- evaluation errors */

/* What the library said of a record that failed: its status as a word a client can test,
 * and the HTTP status a single record answers with. */
static const char *error_code(elig_status st, unsigned *http)
{
  switch (st) {
  case ELIG_EREJECT:
    *http = MHD_HTTP_BAD_REQUEST;
    return "rejected";
  case ELIG_EEVAL:
    *http = MHD_HTTP_UNPROCESSABLE_CONTENT;
    return "rule_failed";
  case ELIG_ENOMEM:
    *http = MHD_HTTP_SERVICE_UNAVAILABLE;
    return "out_of_memory";
  default:
    *http = MHD_HTTP_INTERNAL_SERVER_ERROR;
    return "internal";
  }
}

/* The error of a failed evaluation as JSON: code, message, and where when known (the field
 * of a rejected record; the rule file, line and column of a rule that failed; the line and
 * column of malformed JSON in the body, from where the record's text begins there; NULL
 * `at` when the error is no record's). */
static json_t *eval_error(const elig_error *e, elig_status st, const body_record *at,
                          unsigned *http)
{
  const char *code = error_code(st, http);
  bool bad_json = st == ELIG_EREJECT && !elig_error_field(e) && !elig_error_file(e) &&
                  elig_error_line(e);
  const char *message = elig_error_message(e);
  size_t line = elig_error_line(e), column = elig_error_column(e);
  char moved[300];
  if (bad_json && at) {
    /* the library counts from the record's text; the client wants the body's place */
    column += line == 1 ? at->column - 1 : 0;
    line += at->line - 1;
    const char *reason = strstr(message, ": ");
    snprintf(moved, sizeof moved, "malformed JSON at line %zu, column %zu: %s", line, column,
             reason ? reason + 2 : message);
    message = moved;
  }
  json_t *o = error_object(bad_json ? "malformed_json" : code, message);
  if (elig_error_field(e))
    json_object_set_new(o, "field", json_string(elig_error_field(e)));
  if (elig_error_file(e))
    json_object_set_new(o, "file", json_string(elig_error_file(e)));
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

/* Percent-encodes a JSON key for a header value: keys are any UTF-8, headers are not. */
static void header_safe(char *out, size_t size, const char *in)
{
  size_t n = 0;
  for (; in && *in && n + 4 < size; in++) {
    unsigned char ch = (unsigned char)*in;
    if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        ch == '_' || ch == '-' || ch == '.')
      out[n++] = (char)ch;
    else
      n += (size_t)snprintf(out + n, size - n, "%%%02X", ch);
  }
  out[n] = '\0';
}

/* Evaluates one record on ctx; counts it. */
static elig_status eval_one(request *rq, elig_ctx *ctx, const body_record *rec,
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
static const char *const *counts(request *rq, count_headers *h, const char *first_unknown)
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

static enum MHD_Result out_of_memory(request *rq, struct MHD_Connection *c)
{
  return respond_error(rq, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", "out of memory",
                       NULL);
}

/* Answers with the records of the body.  One record (BODY_ONE): its result line, or its
 * error with the status that fits it.  Several: a line for each, its result or
 * {"line"|"index": N, "error": ...}, in the order given, with status 200; a rejected record
 * never stops the others.  Then, when asked, the aggregate lines of the records evaluated. */
static enum MHD_Result evaluate(request *rq, struct MHD_Connection *c, elig_ctx *ctx,
                                body_reader *br, bool aggregates)
{
  bool single = br->shape == BODY_ONE;
  char *body = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&body, &len);
  if (!out)
    return out_of_memory(rq, c);
  elig_ctx_set_aggregate(ctx, aggregates);
  char first_unknown[100] = "";
  json_t *failed = NULL;  /* the error of a single record, or of an aggregate */
  unsigned http = MHD_HTTP_OK;
  body_record rec;
  while (!failed && body_next(br, &rec)) {
    const elig_result *res;
    elig_status st = eval_one(rq, ctx, &rec, &res, first_unknown, sizeof first_unknown);
    if (st == ELIG_OK) {
      size_t n;
      const char *line = elig_result_format(res, ELIG_FORMAT_JSON, &n);
      if (line) {
        fwrite(line, 1, n, out);
      } else {
        failed = error_object("out_of_memory", "out of memory");
        http = MHD_HTTP_SERVICE_UNAVAILABLE;
      }
      continue;
    }
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
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text)
      fprintf(out, "%s\n", text);
    free(text);
  }
  if (aggregates) {
    /* also after a failure: computing the groups is what empties them for the next request */
    const char *text;
    size_t n;
    elig_status st = elig_ctx_aggregates(ctx, ELIG_FORMAT_JSON, &text, &n);
    if (st == ELIG_OK)
      fwrite(text, 1, n, out);
    else if (!failed)
      failed = eval_error(elig_ctx_error(ctx), st, NULL, &http);
    elig_ctx_set_aggregate(ctx, false);
  }
  bool write_failed = ferror(out) != 0;
  if (fclose(out) != 0 || write_failed || !body) {
    free(body);
    json_decref(failed);
    return out_of_memory(rq, c);
  }
  count_headers h;
  if (failed) {
    free(body);
    json_t *doc = json_object();
    json_object_set_new(doc, "error", failed);
    return respond_json(rq, c, http, doc, counts(rq, &h, first_unknown));
  }
  const char *type = single && !aggregates ? "application/json" : "application/x-ndjson";
  return respond(rq, c, MHD_HTTP_OK, type, body, len, counts(rq, &h, first_unknown));
}

/* One record's explanation: the tree of `elig explain` (text) or its JSON. */
static enum MHD_Result explain(request *rq, struct MHD_Connection *c, elig_ctx *ctx,
                               body_reader *br, bool text)
{
  if (br->shape != BODY_ONE)
    return respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "not_one_record",
                         "explain takes one record: send one JSON object", NULL);
  body_record rec;
  body_next(br, &rec);
  char first_unknown[100] = "";
  const elig_result *res;
  elig_status st = eval_one(rq, ctx, &rec, &res, first_unknown, sizeof first_unknown);
  count_headers h;
  if (st != ELIG_OK) {
    unsigned http;
    json_t *doc = json_object();
    json_object_set_new(doc, "error", eval_error(elig_ctx_error(ctx), st, &rec, &http));
    return respond_json(rq, c, http, doc, counts(rq, &h, first_unknown));
  }
  const char *why;
  size_t len;
  st = elig_explain(ctx, text ? ELIG_FORMAT_TEXT : ELIG_FORMAT_JSON, &why, &len);
  if (st != ELIG_OK) {
    unsigned http;
    json_t *doc = json_object();
    json_object_set_new(doc, "error", eval_error(elig_ctx_error(ctx), st, NULL, &http));
    return respond_json(rq, c, http, doc, counts(rq, &h, first_unknown));
  }
  char *body = malloc(len + 1);
  if (!body)
    return out_of_memory(rq, c);
  memcpy(body, why, len);
  return respond(rq, c, MHD_HTTP_OK, text ? "text/plain; charset=utf-8" : "application/json",
                 body, len, counts(rq, &h, first_unknown));
}

/* POST /v1/evaluate and /v1/explain: the parameters, the body's shape, a context. */
static enum MHD_Result answer_records(request *rq, struct MHD_Connection *c)
{
  const char *as_of = param(c, "as_of");
  int aggregates = 0, text = 0;
  if (rq->route->id == ROUTE_EVALUATE) {
    aggregates = param_bool(c, "aggregates");
    if (aggregates < 0)
      return respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                           "parameter 'aggregates' takes true or false", NULL);
  } else {
    const char *format = param(c, "format");
    text = format && strcmp(format, "text") == 0;
    if (format && !text && strcmp(format, "json") != 0)
      return respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                           "parameter 'format' takes json or text", NULL);
  }
  body_reader br;
  body_reader_init(&br, rq->body ? rq->body : "", rq->len, sends_json_lines(c));
  if (br.error[0])
    return respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "malformed_json", br.error, NULL);
  if (br.shape == BODY_EMPTY)
    return respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "no_records",
                         "the request has no records: send one JSON object, JSON Lines, or an "
                         "array of objects",
                         NULL);
  elig_ctx *ctx = serve_rules_ctx_take(rq->rules);
  if (!ctx)
    return out_of_memory(rq, c);
  char date[16];
  if (!as_of)
    today(date, sizeof date);
  enum MHD_Result ok;
  if (elig_ctx_set_as_of(ctx, as_of ? as_of : date) != ELIG_OK)
    ok = respond_error(rq, c, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                       "parameter 'as_of' takes a date, YYYY-MM-DD", NULL);
  else if (rq->route->id == ROUTE_EVALUATE)
    ok = evaluate(rq, c, ctx, &br, aggregates);
  else
    ok = explain(rq, c, ctx, &br, text);
  serve_rules_ctx_give(rq->rules, ctx);
  return ok;
}

/* ---------------------------------------------------------------- /v1/rules, /healthz */

static const char *type_name(elig_type t)
{
  static const char *const names[] = {"bool", "int", "money", "number",
                                      "percent", "text", "date", "list"};
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
    json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name",
                                          elig_ruleset_field_name(rs, i), "type",
                                          type_name(elig_ruleset_field_type(rs, i)), "required",
                                          elig_ruleset_field_required(rs, i)));
  json_object_set_new(doc, "fields", list);
  list = json_array();
  for (size_t i = 0; i < elig_ruleset_decision_count(rs); i++)
    json_array_append_new(list, json_pack("{s:s, s:s}", "name",
                                          elig_ruleset_decision_name(rs, i), "type",
                                          type_name(elig_ruleset_decision_type(rs, i))));
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

static enum MHD_Result answer_rules(request *rq, struct MHD_Connection *c)
{
  json_t *doc = describe(rq->rules);
  json_t *failure = serve_holder_failure(rq->http->holder);
  json_object_set_new(doc, "last_reload",
                      failure ? failure : json_pack("{s:s, s:s}", "status", "ok", "at",
                                                    rq->rules->loaded_at));
  return respond_json(rq, c, MHD_HTTP_OK, doc, NULL);
}

static enum MHD_Result answer_health(request *rq, struct MHD_Connection *c)
{
  json_t *failure = serve_holder_failure(rq->http->holder);
  json_t *doc = json_pack("{s:s, s:s}", "status", "ok", "last_reload", failure ? "failed" : "ok");
  json_decref(failure);
  return respond_json(rq, c, MHD_HTTP_OK, doc, NULL);
}

/* ---------------------------------------------------------------- libmicrohttpd's callbacks */

/* Decides the answer before the body is in: the body is then dropped as it comes and the
 * refusal answered when the request is complete (see `refused`). */
__attribute__((format(printf, 4, 5))) static void refuse(request *rq, unsigned status,
                                                          const char *code, const char *fmt,
                                                          ...)
{
  if (rq->refused)
    return; /* the first reason stands */
  rq->refused = status;
  rq->refused_code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rq->refused_message, sizeof rq->refused_message, fmt, ap);
  va_end(ap);
}

static enum MHD_Result answer_refusal(request *rq, struct MHD_Connection *c)
{
  const char *allow[] = {MHD_HTTP_HEADER_ALLOW, rq->allow, NULL};
  return respond_error(rq, c, rq->refused, rq->refused_code, rq->refused_message,
                       rq->allow ? allow : NULL);
}

/* The route of path and method; refused with 404 or 405 when there is none, 400 when a query
 * parameter is not one it takes. */
static void route_request(request *rq, struct MHD_Connection *c, const char *url,
                          const char *method)
{
  for (size_t i = 0; i < NROUTES; i++) {
    if (strcmp(url, routes[i].path) != 0)
      continue;
    bool get = strcmp(routes[i].method, "GET") == 0;
    if (strcmp(method, routes[i].method) != 0 && !(get && strcmp(method, "HEAD") == 0)) {
      rq->allow = get ? "GET, HEAD" : "POST";
      refuse(rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "%s takes %s, not %s",
             rq->path, rq->allow, rq->method);
      return;
    }
    rq->route = &routes[i];
    param_check pc = {&routes[i], ""};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &pc);
    const char *const *known = routes[i].params;
    if (pc.unknown[0] && !known[0])
      refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter", "unknown parameter '%s'; %s takes none",
             pc.unknown, rq->path);
    else if (pc.unknown[0])
      refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
             "unknown parameter '%s'; %s takes '%s'%s%s%s", pc.unknown, rq->path, known[0],
             known[1] ? " and '" : "", known[1] ? known[1] : "", known[1] ? "'" : "");
    return;
  }
  refuse(rq, MHD_HTTP_NOT_FOUND, "not_found",
         "no endpoint '%s'; there are POST /v1/evaluate, POST /v1/explain, GET /v1/rules and "
         "GET /healthz",
         rq->path);
}

static void refuse_too_large(request *rq)
{
  refuse(rq, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
         "the request body is larger than the limit of %zu bytes", rq->http->limits.max_body);
}

/* The headers are in: a request begins, on the rule set in force now. */
static enum MHD_Result begin(serve_http *http, struct MHD_Connection *c, const char *url,
                             const char *method, void **req_cls)
{
  request *rq = calloc(1, sizeof *rq);
  if (!rq)
    return MHD_NO;
  *req_cls = rq;
  atomic_fetch_add(&http->in_flight, 1);
  rq->http = http;
  rq->rules = serve_holder_acquire(http->holder);
  clock_gettime(CLOCK_MONOTONIC, &rq->start);
  printable(rq->method, sizeof rq->method, method);
  printable(rq->path, sizeof rq->path, url);
  client_address(c, rq->client, sizeof rq->client);
  route_request(rq, c, url, method);
  const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if (length && strtoull(length, NULL, 10) > http->limits.max_body) {
    /* answered now, the body never read: reading it only to drop it costs more than the
     * connection is worth (libmicrohttpd closes it) */
    refuse_too_large(rq);
    return answer_refusal(rq, c);
  }
  return MHD_YES; /* answered on the last call, when the whole request is in */
}

/* A piece of the body: kept, within the size and time limits.  libmicrohttpd cannot answer
 * while a body is still coming in, so a body refused, or found too large only once it
 * streams in (chunked, without a Content-Length), is read to its end and dropped, and the
 * refusal answered then; one that takes too long is cut off by closing the connection. */
static enum MHD_Result receive(request *rq, const char *data, size_t n)
{
  const serve_limits *lim = &rq->http->limits;
  if (seconds_since(&rq->start) > lim->request_timeout) {
    rq->status = MHD_HTTP_REQUEST_TIMEOUT; /* for the log: the client hears only the close */
    return MHD_NO;
  }
  if (!rq->refused && n > lim->max_body - rq->len)
    refuse_too_large(rq);
  if (rq->refused) {
    rq->dropped += n;
    return MHD_YES;
  }
  if (rq->len + n > rq->cap) {
    size_t cap = rq->cap ? rq->cap : 4096;
    while (cap < rq->len + n)
      cap *= 2;
    char *body = realloc(rq->body, cap);
    if (!body)
      return MHD_NO;
    rq->body = body;
    rq->cap = cap;
  }
  memcpy(rq->body + rq->len, data, n);
  rq->len += n;
  return MHD_YES;
}

enum MHD_Result serve_http_request(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **req_cls)
{
  (void)version;
  request *rq = *req_cls;
  if (!rq)
    return begin(cls, c, url, method, req_cls);
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    return rq->responded ? MHD_YES : receive(rq, upload, n);
  }
  if (rq->responded)
    return MHD_YES;
  if (rq->refused)
    return answer_refusal(rq, c);
  switch (rq->route->id) {
  case ROUTE_RULES: return answer_rules(rq, c);
  case ROUTE_HEALTH: return answer_health(rq, c);
  case ROUTE_EVALUATE:
  case ROUTE_EXPLAIN: break;
  }
  return answer_records(rq, c);
}

static const char *termination(enum MHD_RequestTerminationCode toe)
{
  switch (toe) {
  case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "completed";
  case MHD_REQUEST_TERMINATED_WITH_ERROR: return "error";
  case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
  case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
  case MHD_REQUEST_TERMINATED_READ_ERROR: return "client closed";
  case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client closed";
  }
  return "other";
}

void serve_http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
  (void)c;
  serve_http *http = cls;
  request *rq = *req_cls;
  if (!rq)
    return;
  *req_cls = NULL;
  json_t *e = json_object();
  json_object_set_new(e, "event", json_string("request"));
  json_object_set_new(e, "client", json_string(rq->client));
  json_object_set_new(e, "method", json_string(rq->method));
  json_object_set_new(e, "path", json_string(rq->path));
  json_object_set_new(e, "status", rq->status ? json_integer(rq->status) : json_null());
  json_object_set_new(e, "end", json_string(termination(toe)));
  json_object_set_new(e, "us", json_integer((json_int_t)(seconds_since(&rq->start) * 1e6)));
  json_object_set_new(e, "bytes_in", json_integer((json_int_t)(rq->len + rq->dropped)));
  json_object_set_new(e, "bytes_out", json_integer((json_int_t)rq->bytes_out));
  if (rq->records) {
    json_object_set_new(e, "records", json_integer((json_int_t)rq->records));
    json_object_set_new(e, "rejected", json_integer((json_int_t)rq->rejected));
  }
  if (rq->ignored_keys)
    json_object_set_new(e, "ignored_keys", json_integer((json_int_t)rq->ignored_keys));
  json_object_set_new(e, "rules", json_string(elig_ruleset_hash(rq->rules->rs)));
  serve_log_write(http->log, e);
  serve_rules_release(rq->rules);
  free(rq->body);
  free(rq);
  atomic_fetch_sub(&http->in_flight, 1);
}
