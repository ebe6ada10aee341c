/*
 * serve_route.c -- `elig serve`'s router: which handler answers a request, and the request's
 * life in libmicrohttpd around it (the parts: serve.h).
 *
 * libmicrohttpd calls serve_http_request once when the headers are in, then once per piece
 * of the body, then once more with no data; serve_http_completed when the request is over,
 * answered or not.  Here:
 *
 *   begin      the request takes the rule set in force, for all of its life; its path,
 *              method and query parameters are matched against the route table
 *   receive    the body is kept, within --max-body and --request-timeout
 *   dispatch   on the last call: a refusal decided earlier is answered, the values of the
 *              query parameters are checked, and the route's handler gets the request and
 *              its body (serve_handlers.c)
 *   completed  the access log line, and the request is freed
 *
 * What is wrong with the path, the method or a parameter's name is decided before the body
 * is in (a refusal: 404, 405, 400, 413), and then answered once the body is read and dropped,
 * so that the connection stays open for the next request.  The router knows each route's
 * method, path, parameters and handler, and nothing of what the handler does.
 */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "serve.h"

/* ---------------------------------------------------------------- the route table */

/* What values a query parameter takes; the router checks them before the handler runs. */
typedef enum {
  PARAM_TEXT,  /* any: the handler passes it on (as_of: the library checks the date, and
                    its handler answers for it) */
  PARAM_BOOL,  /* yes or no: see param_bool */
  PARAM_CHOICE /* one of `choices`; absent (or bare) lets the handler take its default */
} param_kind;

typedef struct {
  const char *name;
  param_kind kind;
  const char *choices[4]; /* PARAM_CHOICE: the values, NULL-terminated */
} route_param;

#define MAX_PARAMS 8

/* Where a route is answered. */
typedef enum {
  ON_NETWORK,      /* the network thread: it is quick */
  ON_WORKER,       /* a worker thread (serve_pool.c) when its body is larger than --inline-body:
                 it evaluates what it is sent */
  ON_WORKER_ALWAYS /* a worker thread whatever its body: it compiles rule sets or reads a
                      register */
} route_thread;

typedef struct {
  const char *method; /* POST, or GET (which also answers HEAD) */
  const char *path;   /* exact; for the workbench's page, a prefix (route_matches) */
  serve_handler *handler;
  route_thread on;
  unsigned scope;                 /* what a token needs to be let in (serve_auth.c); 0: anyone */
  route_param params[MAX_PARAMS]; /* the query parameters it takes; a NULL name ends them */
} route;

static const route routes[] = {
    {"POST",
     "/v1/evaluate",
     serve_handle_evaluate,
     ON_WORKER,
     SCOPE_EVALUATE,
     {{"as_of", PARAM_TEXT, {NULL}},
      {"aggregates", PARAM_BOOL, {NULL}},
      {"missing", PARAM_CHOICE, {"reject", "undetermined", NULL}}}},
    {"POST",
     "/v1/explain",
     serve_handle_explain,
     ON_WORKER,
     SCOPE_EXPLAIN,
     {{"as_of", PARAM_TEXT, {NULL}},
      {"format", PARAM_CHOICE, {"json", "text", NULL}},
      {"missing", PARAM_CHOICE, {"reject", "undetermined", NULL}},
      {"what_if", PARAM_TEXT, {NULL}}}},
    {"GET", "/v1/rules", serve_handle_rules, ON_NETWORK, SCOPE_RULES, {{NULL, PARAM_TEXT, {NULL}}}},
    {"POST",
     "/v1/admin/acknowledge",
     serve_handle_acknowledge,
     ON_NETWORK,
     SCOPE_ADMIN,
     {{NULL, PARAM_TEXT, {NULL}}}},
    {"GET", "/healthz", serve_handle_health, ON_NETWORK, 0, {{NULL, PARAM_TEXT, {NULL}}}},
    {"GET", "/readyz", serve_handle_ready, ON_NETWORK, 0, {{NULL, PARAM_TEXT, {NULL}}}},
    /* metrics or admin: a scraper's token need not be able to acknowledge a failed reload */
    {"GET",
     "/metrics",
     serve_handle_metrics,
     ON_NETWORK,
     SCOPE_METRICS | SCOPE_ADMIN,
     {{NULL, PARAM_TEXT, {NULL}}}},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* The workbench (--workbench): its routes answer only with it, and the 404 of an unknown
 * path lists its page alone; reading needs `rules`, saving `edit`, reading registers
 * `impact`. */
static const route wb_routes[] = {
    {"GET", "/workbench", serve_handle_wb_page, ON_NETWORK, 0, {{NULL, PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/session",
     serve_handle_wb_session,
     ON_NETWORK,
     SCOPE_RULES,
     {{NULL, PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/files",
     serve_handle_wb_files,
     ON_NETWORK,
     SCOPE_RULES,
     {{NULL, PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/file",
     serve_handle_wb_file,
     ON_NETWORK,
     SCOPE_RULES,
     {{"path", PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/history",
     serve_handle_wb_history,
     ON_NETWORK,
     SCOPE_RULES,
     {{"path", PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/version",
     serve_handle_wb_version,
     ON_NETWORK,
     SCOPE_RULES,
     {{"sha256", PARAM_TEXT, {NULL}}}},
    /* these compile, and tests run: on a worker, as evaluations are */
    {"POST",
     "/v1/workbench/check",
     serve_handle_wb_check,
     ON_WORKER,
     SCOPE_RULES,
     {{"path", PARAM_TEXT, {NULL}}}},
    {"POST",
     "/v1/workbench/fmt",
     serve_handle_wb_fmt,
     ON_WORKER,
     SCOPE_RULES,
     {{"path", PARAM_TEXT, {NULL}}}},
    {"POST",
     "/v1/workbench/test",
     serve_handle_wb_test,
     ON_WORKER,
     SCOPE_RULES,
     {{"path", PARAM_TEXT, {NULL}}}},
    {"POST",
     "/v1/workbench/save",
     serve_handle_wb_save,
     ON_WORKER,
     SCOPE_EDIT,
     {{"path", PARAM_TEXT, {NULL}}, {"base", PARAM_TEXT, {NULL}}}},
    /* the registers (--workbench-data, uploads) hold personal data: `impact` */
    {"GET",
     "/v1/workbench/data",
     serve_handle_wb_data,
     ON_NETWORK,
     SCOPE_IMPACT,
     {{NULL, PARAM_TEXT, {NULL}}}},
    /* a body up to --workbench-upload-max (body_limit), written to a file */
    {"POST",
     "/v1/workbench/upload",
     serve_handle_wb_upload,
     ON_WORKER_ALWAYS,
     SCOPE_IMPACT,
     {{"name", PARAM_TEXT, {NULL}}}},
    /* reads a register through; its handler asks for `explain` as well */
    {"GET",
     "/v1/workbench/household",
     serve_handle_wb_household,
     ON_WORKER_ALWAYS,
     SCOPE_IMPACT,
     {{"data", PARAM_TEXT, {NULL}},
      {"upload", PARAM_TEXT, {NULL}},
      {"id", PARAM_TEXT, {NULL}},
      {"year", PARAM_TEXT, {NULL}},
      {"as_of", PARAM_TEXT, {NULL}}}},
    /* compiles both rule sets, then starts the job on a thread of its own */
    {"POST",
     "/v1/workbench/impact",
     serve_handle_wb_impact_start,
     ON_WORKER_ALWAYS,
     SCOPE_IMPACT,
     {{"path", PARAM_TEXT, {NULL}},
      {"data", PARAM_TEXT, {NULL}},
      {"upload", PARAM_TEXT, {NULL}},
      {"baseline", PARAM_CHOICE, {"saved", "file", "version", NULL}},
      {"against", PARAM_TEXT, {NULL}},
      {"sha256", PARAM_TEXT, {NULL}},
      {"by", PARAM_TEXT, {NULL}},
      {"as_of", PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/impact",
     serve_handle_wb_impact_status,
     ON_NETWORK,
     SCOPE_IMPACT,
     {{"job", PARAM_TEXT, {NULL}}}},
    {"POST",
     "/v1/workbench/impact/cancel",
     serve_handle_wb_impact_cancel,
     ON_NETWORK,
     SCOPE_IMPACT,
     {{"job", PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/impact/report",
     serve_handle_wb_impact_report,
     ON_NETWORK,
     SCOPE_IMPACT,
     {{"job", PARAM_TEXT, {NULL}}}},
    {"GET",
     "/v1/workbench/impact/list",
     serve_handle_wb_impact_list,
     ON_NETWORK,
     SCOPE_IMPACT,
     {{"job", PARAM_TEXT, {NULL}}}},
};
#define NWB_ROUTES (sizeof wb_routes / sizeof wb_routes[0])
#define WB_PAGE (&wb_routes[0])

/* Route i of both tables, the service's first. */
static const route *route_at(size_t i)
{
  return i < NROUTES ? &routes[i] : &wb_routes[i - NROUTES];
}
#define ALL_ROUTES (NROUTES + NWB_ROUTES)

/* ---------------------------------------------------------------- a request */

typedef struct {
  serve_request pub;  /* what the handler and the response helpers see */
  const route *route; /* NULL: no such path, or a method it does not take */
  char method[16];    /* as the log shows them: printable ASCII, cut short */
  char path[128];
  char client[64];
  struct timespec start;
  char *body;
  size_t len, cap;
  unsigned refused; /* an answer decided before the body is in (404, 405, 400,
                                  413): the body is dropped and this status answered at the
                                  end, so that the connection stays open for the next request */
  const char *refused_code;
  const char *allow;             /* the Allow header of a 405 */
  bool retry_after;              /* a refusal for want of room: "Retry-After: 1" */
  enum MHD_Result worker_result; /* what the handler returned on its worker */
  char refused_message[300];
  size_t dropped;    /* bytes of body dropped */
  bool on_worker;    /* handed to a worker (dispatch) */
  bool begun;        /* the headers are in (begin) */
  bool hidden_bytes; /* the target as sent holds %00 or a control character */
  bool close;        /* the answer closes the connection */
  bool authenticate; /* a 401: the answer says how (WWW-Authenticate) */
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

void serve_client_address(struct MHD_Connection *c, char *out, size_t size)
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

/* Appends `word` to the list in out as the n-th of `count` ("a", "a and b", "a, b and c"),
 * with `open` and `close` around it and `last` ("and", "or") before the last. */
static void append_listed(char *out, size_t size, size_t n, size_t count, const char *last,
                          const char *open, const char *word, const char *close)
{
  size_t used = strlen(out);
  const char *sep = n == 0 ? "" : n + 1 < count ? ", " : NULL;
  snprintf(out + used, size - used, "%s%s%s%s%s%s", sep ? sep : " ", sep ? "" : last,
           sep ? "" : " ", open, word, close);
}

/* ---------------------------------------------------------------- query parameters */

/* A yes/no value: absent is no; given bare (?aggregates), empty, true, 1 or yes is yes;
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

const char *serve_param(const serve_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool serve_param_bool(const serve_request *rq, const char *name)
{
  return param_bool(rq->conn, name) == 1;
}

/* Looks for a query parameter the route does not take (`unknown` receives the first), and
 * for one given twice (`repeated`): which of two values was meant is not for the service to
 * guess, and a proxy that checks the first while the service read the last is a way round
 * it. */
typedef struct {
  const route *route;
  unsigned seen[MAX_PARAMS];
  char unknown[64];
  char repeated[64];
} param_check;

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
  (void)kind;
  (void)value;
  param_check *pc = cls;
  for (size_t i = 0; i < MAX_PARAMS && pc->route->params[i].name; i++)
    if (strcmp(key, pc->route->params[i].name) == 0) {
      if (pc->seen[i]++ == 0)
        return MHD_YES;
      printable(pc->repeated, sizeof pc->repeated, key);
      return MHD_NO;
    }
  printable(pc->unknown, sizeof pc->unknown, key);
  return MHD_NO;
}

/* Whether every parameter of the route that is given has a value of its kind; when one has
 * not, `message` says what it takes. */
static bool param_values_ok(const request *rq, char *message, size_t size)
{
  struct MHD_Connection *c = rq->pub.conn;
  for (size_t i = 0; i < MAX_PARAMS && rq->route->params[i].name; i++) {
    const route_param *p = &rq->route->params[i];
    if (p->kind == PARAM_BOOL && param_bool(c, p->name) < 0) {
      snprintf(message, size, "parameter '%s' takes true or false", p->name);
      return false;
    }
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, p->name);
    if (p->kind != PARAM_CHOICE || !v)
      continue;
    size_t n = 0, count = 0;
    while (p->choices[count])
      count++;
    while (n < count && strcmp(v, p->choices[n]) != 0)
      n++;
    if (n < count)
      continue;
    snprintf(message, size, "parameter '%s' takes ", p->name);
    for (n = 0; n < count; n++)
      append_listed(message, size, n, count, "or", "", p->choices[n], "");
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------- refusals */

/* Decides the answer before the body is in: the body is then dropped as it comes and the
 * refusal answered when the request is complete (see `refused`). */
__attribute__((format(printf, 4, 5))) static void refuse(request *rq, unsigned status,
                                                         const char *code, const char *fmt, ...)
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

static enum MHD_Result answer_refusal(request *rq)
{
  const char *headers[9], **h = headers;
  if (rq->authenticate) {
    *h++ = MHD_HTTP_HEADER_WWW_AUTHENTICATE;
    *h++ = "Bearer realm=\"elig\"";
  }
  if (rq->close) { /* libmicrohttpd then closes the connection once the answer is sent */
    *h++ = MHD_HTTP_HEADER_CONNECTION;
    *h++ = "close";
  }
  if (rq->allow) {
    *h++ = MHD_HTTP_HEADER_ALLOW;
    *h++ = rq->allow;
  }
  if (rq->retry_after) {
    *h++ = MHD_HTTP_HEADER_RETRY_AFTER;
    *h++ = "1";
  }
  *h = NULL;
  return serve_respond_error(&rq->pub, rq->refused, rq->refused_code, rq->refused_message, headers);
}

/* The largest body a request may send: --max-body, but an upload of a register to the
 * workbench, --workbench-upload-max. */
static size_t body_limit(const request *rq)
{
  const serve_http *http = rq->pub.http;
  if (rq->route && rq->route->handler == serve_handle_wb_upload)
    return http->workbench->upload_max;
  return http->limits.max_body;
}

static void refuse_too_large(request *rq)
{
  refuse(rq, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
         "the request body is larger than the limit of %zu bytes", body_limit(rq));
}

/* Whether a route answers: /v1/rules and /metrics can be turned off (--no-rules-endpoint,
 * --no-metrics), the workbench's upload of registers too (--workbench-upload-max 0). */
static bool route_on(const serve_http *http, const route *r)
{
  if (r >= wb_routes && r < wb_routes + NWB_ROUTES)
    return http->workbench != NULL &&
           (r->handler != serve_handle_wb_upload || http->workbench->upload_max > 0);
  if (r->handler == serve_handle_metrics)
    return http->metrics != NULL;
  return r->handler != serve_handle_rules || http->rules_endpoint;
}

/* The route of path and method; refused with 404 or 405 when there is none, 400 when a query
 * parameter is not one it takes. */
/* Whether url is r's path; the workbench's page also takes /workbench/NAME, NAME (as sent,
 * and no deeper: its folder is flat) into the request for its handler. */
static bool route_matches(request *rq, const route *r, const char *url)
{
  if (r != WB_PAGE)
    return strcmp(url, r->path) == 0;
  size_t n = strlen(r->path);
  const char *rest = url + n;
  if (strncmp(url, r->path, n) != 0 || (rest[0] && rest[0] != '/') ||
      strlen(rest) >= sizeof rq->pub.asset || (rest[0] && strchr(rest + 1, '/')))
    return false;
  snprintf(rq->pub.asset, sizeof rq->pub.asset, "%s", rest);
  return true;
}

/* The route of url that takes method (a GET route answers HEAD too), or NULL; *allow says
 * which methods the path takes when some route has it (a path may have a GET and a POST
 * route), NULL when none has. */
static const route *find_route(request *rq, const char *url, const char *method, const char **allow)
{
  bool get = false, post = false;
  for (size_t i = 0; i < ALL_ROUTES; i++) {
    const route *r = route_at(i);
    if (!route_matches(rq, r, url) || !route_on(rq->pub.http, r))
      continue;
    bool is_get = strcmp(r->method, "GET") == 0;
    if (strcmp(method, r->method) == 0 || (is_get && strcmp(method, "HEAD") == 0))
      return r;
    get |= is_get;
    post |= !is_get;
  }
  *allow = get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : post ? "POST" : NULL;
  return NULL;
}

/* Refuses a query parameter the route does not take, or one given twice. */
static void refuse_bad_params(request *rq, struct MHD_Connection *c, const route *r)
{
  param_check pc = {.route = r};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &pc);
  if (pc.repeated[0]) {
    refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter", "parameter '%s' is given more than once",
           pc.repeated);
    return;
  }
  if (!pc.unknown[0])
    return;
  const route_param *known = r->params;
  char takes[200] = "";
  size_t n = 0;
  while (n < MAX_PARAMS && known[n].name)
    n++;
  for (size_t k = 0; k < n; k++)
    append_listed(takes, sizeof takes, k, n, "and", "'", known[k].name, "'");
  refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter", "unknown parameter '%s'; %s takes %s",
         pc.unknown, rq->path, n ? takes : "none");
}

static void route_request(request *rq, struct MHD_Connection *c, const char *url,
                          const char *method)
{
  const char *allow = NULL;
  const route *r = find_route(rq, url, method, &allow);
  if (r) {
    rq->route = r;
    refuse_bad_params(rq, c, r);
    return;
  }
  if (allow) {
    rq->allow = allow;
    refuse(rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "%s takes %s, not %s", rq->path,
           rq->allow, rq->method);
    return;
  }
  char all[400] = "";
  size_t on = 0, k = 0;
  for (size_t i = 0; i <= NROUTES; i++)
    on += route_on(rq->pub.http, route_at(i));
  for (size_t i = 0; i <= NROUTES; i++) { /* the workbench's page, not its API */
    if (!route_on(rq->pub.http, route_at(i)))
      continue;
    char one[64];
    snprintf(one, sizeof one, "%s %s%s", route_at(i)->method, route_at(i)->path,
             i == NROUTES ? "/" : "");
    append_listed(all, sizeof all, k++, on, "and", "", one, "");
  }
  refuse(rq, MHD_HTTP_NOT_FOUND, "not_found", "no endpoint '%s'; there are %s", rq->path, all);
}

/* ---------------------------------------------------------------- framing */

/* The headers that say where a request ends, counted: two parties that read them
 * differently (a proxy takes the first Content-Length, the service the last; one takes the
 * length, the other the chunks) see two different requests in the same bytes, and the second
 * one was never checked by the first (request smuggling). */
typedef struct {
  unsigned lengths, encodings, hosts;
  const char *encoding;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
  (void)kind;
  framing *f = cls;
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
    f->lengths++;
  else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
    f->encodings++;
    f->encoding = value;
  } else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
    f->hosts++;
  return MHD_YES;
}

/* Whether `value` is the one word `word`, in any case, with white space around it. */
static bool is_only(const char *value, const char *word)
{
  value += strspn(value, " \t");
  size_t n = strlen(word);
  return strncasecmp(value, word, n) == 0 && value[n + strspn(value + n, " \t")] == '\0';
}

/* Refuses a request whose end cannot be told for certain, or that HTTP/1.1 forbids: more
 * than one Content-Length, Content-Length with Transfer-Encoding, a transfer coding other
 * than chunked alone, no Host or more than one.  Such a request is answered at once and its
 * connection closed: nothing after it on the connection can be trusted to be a request. */
static bool refuse_framing(request *rq, struct MHD_Connection *c, const char *version)
{
  framing f = {0};
  MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
  if (f.lengths > 1)
    refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_request",
           "the request has more than one Content-Length header");
  else if (f.lengths && f.encodings)
    refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_request",
           "the request has both Content-Length and Transfer-Encoding: send one of them");
  else if (f.encodings > 1 || (f.encodings && !is_only(f.encoding, "chunked"))) {
    rq->refused = 0; /* this one stands over a route's refusal: the body cannot be read */
    refuse(rq, MHD_HTTP_NOT_IMPLEMENTED, "unsupported_transfer_encoding",
           "Transfer-Encoding takes 'chunked' alone; send the body plain with Content-Length, "
           "or chunked");
  } else if (f.hosts > 1 || (!f.hosts && strcmp(version, MHD_HTTP_VERSION_1_1) == 0))
    refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_request",
           "an HTTP/1.1 request has exactly one Host header");
  else
    return false;
  rq->close = true;
  return true;
}

/* A NUL (%00) or a control character anywhere in the target as sent: libmicrohttpd decodes
 * the path and the parameters into C strings, where "/v1/rules%00x" would read "/v1/rules",
 * a path a proxy's exact-path rule never matched. */
static bool target_hides_bytes(const char *uri)
{
  for (const char *p = uri; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return true;
    if (p[0] == '%' && p[1] == '0' && p[2] == '0')
      return true;
  }
  return false;
}

/* ---------------------------------------------------------------- tokens */

/* Refuses a request to a route that needs a scope its token lacks: 401 with no token or one
 * the tokens file does not hold (WWW-Authenticate says how to send one), 403 with a token
 * that lacks the scope. */
static bool refuse_unauthorized(request *rq, struct MHD_Connection *c)
{
  if (rq->refused || !rq->route || !rq->route->scope)
    return false;
  const char *authorization =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  serve_auth_verdict v = serve_auth_check(rq->pub.http->auth, authorization, rq->route->scope,
                                          rq->pub.token, sizeof rq->pub.token);
  if (v == AUTH_OK)
    return false;
  if (v == AUTH_NO_SCOPE) {
    char scopes[64] = ""; /* "metrics' or 'admin": the scopes that would let it in */
    for (unsigned bit = SCOPE_LAST; bit; bit >>= 1)
      if (rq->route->scope & bit) {
        size_t used = strlen(scopes);
        snprintf(scopes + used, sizeof scopes - used, "%s%s", used ? "' or '" : "",
                 serve_scope_name(bit));
      }
    refuse(rq, MHD_HTTP_FORBIDDEN, "forbidden", "the token '%s' has no scope '%s' for %s",
           rq->pub.token, scopes, rq->route->path);
    return true;
  }
  rq->authenticate = true;
  refuse(rq, MHD_HTTP_UNAUTHORIZED, "unauthorized", "%s",
         v == AUTH_NO_TOKEN ? "this service needs a token: send 'Authorization: Bearer TOKEN'"
                            : "the token is not one this service knows");
  return true;
}

/* ---------------------------------------------------------------- libmicrohttpd's callbacks */

/* The request line is in (libmicrohttpd's URI log callback, before the headers and before
 * it decodes the target): the request is made here, so that a request libmicrohttpd itself
 * answers with an error later on is still logged when it completes. */
void *serve_http_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  (void)cls;
  (void)c;
  request *rq = calloc(1, sizeof *rq);
  if (!rq)
    return NULL; /* begin() tries again */
  clock_gettime(CLOCK_MONOTONIC, &rq->start);
  rq->hidden_bytes = target_hides_bytes(uri);
  return rq;
}

/* The headers are in: a request begins, on the rule set in force now. */
static enum MHD_Result begin(serve_http *http, struct MHD_Connection *c, request *rq,
                             const char *url, const char *method, const char *version,
                             void **req_cls)
{
  if (!rq) {
    rq = calloc(1, sizeof *rq);
    if (!rq)
      return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &rq->start);
  }
  *req_cls = rq;
  rq->begun = true;
  serve_conns_request(http->conns, c, true);
  atomic_fetch_add(&http->in_flight, 1);
  rq->pub.http = http;
  rq->pub.rules = serve_holder_acquire(http->holder);
  rq->pub.conn = c;
  printable(rq->method, sizeof rq->method, method);
  printable(rq->path, sizeof rq->path, url);
  serve_client_address(c, rq->client, sizeof rq->client);
  enum MHD_Result refused_answer;
  if (serve_tls_refuses(&rq->pub, &refused_answer))
    return refused_answer; /* --tls-client-ca: no valid client certificate (serve_tls.c) */
  if (rq->hidden_bytes) {
    refuse(rq, MHD_HTTP_BAD_REQUEST, "bad_request",
           "the request target holds a NUL (%%00) or a control character");
    rq->close = true;
    return answer_refusal(rq);
  }
  if (refuse_framing(rq, c, version))
    return answer_refusal(rq);
  route_request(rq, c, url, method);
  if (refuse_unauthorized(rq, c))
    return answer_refusal(rq); /* at once: a client without a token may not send a body */
  const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if (length && strtoull(length, NULL, 10) > body_limit(rq)) {
    /* answered now, the body never read: reading it only to drop it costs more than the
     * connection is worth.  A refusal decided already (no such path, no token) stands. */
    refuse_too_large(rq);
    rq->close = true;
    return answer_refusal(rq);
  }
  return MHD_YES; /* answered on the last call, when the whole request is in */
}

/* Takes `grow` more bytes from the service's budget for request bodies (limits.max_buffered):
 * false when that would go over it. */
static bool budget_take(serve_http *http, size_t grow)
{
  size_t before = atomic_fetch_add(&http->buffered, grow);
  if (before + grow <= http->limits.max_buffered)
    return true;
  atomic_fetch_sub(&http->buffered, grow);
  return false;
}

/* A piece of the body: kept, within the size and time limits.  libmicrohttpd cannot answer
 * while a body is still coming in, so a body refused, or found too large only once it
 * streams in (chunked, without a Content-Length), is read to its end and dropped, and the
 * refusal answered then; one that takes too long is cut off by closing the connection.
 * Bodies held at once share one budget, so that many large requests together cannot take
 * the machine's memory: past it, a request is answered "busy". */
static enum MHD_Result receive(request *rq, const char *data, size_t n)
{
  serve_http *http = rq->pub.http;
  const serve_limits *lim = &http->limits;
  if (seconds_since(&rq->start) > lim->request_timeout) {
    rq->pub.status = MHD_HTTP_REQUEST_TIMEOUT; /* for the log: the client hears only the close */
    return MHD_NO;
  }
  size_t limit = body_limit(rq);
  if (!rq->refused && n > limit - rq->len)
    refuse_too_large(rq);
  if (!rq->refused && rq->len + n > rq->cap) {
    size_t cap = rq->cap ? rq->cap : 4096;
    while (cap < rq->len + n)
      cap *= 2;
    if (cap > limit)
      cap = limit;
    char *body = NULL;
    if (!budget_take(http, cap - rq->cap)) {
      rq->retry_after = true;
      refuse(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
             "the service holds as many request bodies as it may at once; try again shortly");
    } else if (!(body = realloc(rq->body, cap))) {
      atomic_fetch_sub(&http->buffered, cap - rq->cap);
      return MHD_NO;
    } else {
      rq->body = body;
      rq->cap = cap;
    }
  }
  if (rq->refused) {
    rq->dropped += n;
    return MHD_YES;
  }
  memcpy(rq->body + rq->len, data, n);
  rq->len += n;
  return MHD_YES;
}

/* Whether the request says its body is JSON Lines. */
static bool sends_json_lines(struct MHD_Connection *c)
{
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  if (!type)
    return false;
  static const char *const lines[] = {"application/x-ndjson", "application/jsonl",
                                      "application/x-jsonlines", "application/json-lines"};
  size_t n = strcspn(type, "; \t"); /* the media type, without its parameters */
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    if (n == strlen(lines[i]) && strncasecmp(type, lines[i], n) == 0)
      return true;
  return false;
}

/* Calls the route's handler with the body, with the thread speaking the client's language. */
static enum MHD_Result run_handler(request *rq)
{
  serve_body body = {rq->body ? rq->body : "", rq->len, sends_json_lines(rq->pub.conn)};
  if (elig_set_thread_language(rq->pub.language) != ELIG_OK)
    elig_set_thread_language("en");
  enum MHD_Result r = rq->route->handler(&rq->pub, &body);
  elig_set_thread_language("en"); /* the thread's next request starts from English */
  return r;
}

/* A worker's job: the handler queues its response on the suspended connection (allowed from
 * any thread while it is suspended), then the connection goes back to its network thread. */
static void run_on_worker(void *arg)
{
  request *rq = arg;
  rq->worker_result = run_handler(rq);
  MHD_resume_connection(rq->pub.conn);
}

static void suspend(void *arg)
{
  request *rq = arg;
  MHD_suspend_connection(rq->pub.conn);
}

/* The whole request is in: its refusal, or its handler's answer, whose messages (rejection
 * reasons, explanations, the rules' diagnostics) are in the client's language
 * (Accept-Language) when the system has its locale; in English otherwise.  A route that
 * evaluates is answered on a worker, so that this network thread goes on serving its other
 * connections; when every worker is busy and the queue is full, at once with "busy". */
static enum MHD_Result dispatch(request *rq)
{
  if (rq->refused)
    return answer_refusal(rq);
  char message[200];
  if (!param_values_ok(rq, message, sizeof message))
    return serve_respond_error(&rq->pub, MHD_HTTP_BAD_REQUEST, "bad_parameter", message, NULL);
  rq->pub.language = serve_answer_language(
      MHD_lookup_connection_value(rq->pub.conn, MHD_HEADER_KIND, "Accept-Language"));
  /* a small body costs less to evaluate than to hand over (tens of microseconds): the
   * network thread answers it; only a larger one could hold its other connections up */
  if (rq->route->on == ON_NETWORK ||
      (rq->route->on == ON_WORKER && rq->len <= rq->pub.http->limits.inline_body))
    return run_handler(rq);
  rq->worker_result = MHD_YES;
  rq->on_worker = true;
  if (serve_pool_submit(rq->pub.http->pool, (serve_job){run_on_worker, rq}, suspend, rq))
    return MHD_YES;
  rq->on_worker = false;
  rq->retry_after = true;
  refuse(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
         "every worker is busy and the queue is full; try again shortly");
  return answer_refusal(rq);
}

enum MHD_Result serve_http_request(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **req_cls)
{
  request *rq = *req_cls;
  if (!rq || !rq->begun)
    return begin(cls, c, rq, url, method, version, req_cls);
  rq->pub.conn = c;
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    return rq->pub.responded ? MHD_YES : receive(rq, upload, n);
  }
  if (rq->on_worker) /* back from its worker, which could not queue a response */
    return rq->pub.responded ? MHD_YES : rq->worker_result;
  if (rq->pub.responded)
    return MHD_YES;
  return dispatch(rq);
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

/* The status of the error libmicrohttpd answered last on this thread (serve_http_library_error):
 * it answers some malformed requests itself, before or instead of the service, and the log
 * line of such a request is written on the same thread just after. */
static _Thread_local unsigned library_status;

void serve_http_library_error(unsigned status)
{
  library_status = status;
}

/* The route path a request counts under in the metrics, also when its method was refused
 * (405); NULL for a path that is no route, which the metrics never see. */
static const char *metrics_endpoint(const request *rq)
{
  if (rq->route)
    return rq->route->path;
  for (size_t i = 0; rq->begun && i < NROUTES; i++)
    if (strcmp(rq->path, routes[i].path) == 0 && route_on(rq->pub.http, &routes[i]))
      return routes[i].path;
  return NULL;
}

void serve_http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
  serve_http *http = cls;
  request *rq = *req_cls;
  unsigned by_library = library_status;
  library_status = 0;
  if (!rq)
    return;
  *req_cls = NULL;
  const serve_request *pub = &rq->pub;
  serve_rules *rules = rq->begun ? pub->rules : serve_holder_acquire(http->holder);
  json_t *e = json_object();
  json_object_set_new(e, "event", json_string("request"));
  if (!rq->begun)
    serve_client_address(c, rq->client, sizeof rq->client);
  json_object_set_new(e, "client", json_string(rq->client));
  json_object_set_new(e, "method", json_string(rq->begun ? rq->method : "?"));
  /* the route's path, never the path as sent: a path can hold an identifier */
  json_object_set_new(e, "path", rq->route ? json_string(rq->route->path) : json_null());
  unsigned status = pub->status ? pub->status : by_library;
  json_object_set_new(e, "status", status ? json_integer(status) : json_null());
  if (!pub->status && by_library)
    json_object_set_new(e, "answered_by", json_string("libmicrohttpd"));
  json_object_set_new(e, "end", json_string(termination(toe)));
  json_object_set_new(e, "us", json_integer((json_int_t)(seconds_since(&rq->start) * 1e6)));
  json_object_set_new(e, "bytes_in", json_integer((json_int_t)(rq->len + rq->dropped)));
  json_object_set_new(e, "bytes_out", json_integer((json_int_t)pub->bytes_out));
  if (pub->records) {
    json_object_set_new(e, "records", json_integer((json_int_t)pub->records));
    json_object_set_new(e, "rejected", json_integer((json_int_t)pub->rejected));
  }
  if (pub->ignored_keys)
    json_object_set_new(e, "ignored_keys", json_integer((json_int_t)pub->ignored_keys));
  if (pub->token[0])
    json_object_set_new(e, "token", json_string(pub->token));
  json_object_set_new(e, "rules", json_string(elig_ruleset_hash(rules->rs)));
  if (pub->decision.header[0]) /* its decisions are REQUEST_ID-N in the decision log */
    json_object_set_new(e, "request_id", json_string(pub->decision.request_id));
  serve_log_write(http->log, e);
  serve_metrics_request(http->metrics, metrics_endpoint(rq), rq->begun ? rq->method : "?", status,
                        seconds_since(&rq->start), pub->records, pub->rejected);
  if (rq->begun)
    serve_conns_request(http->conns, c, false);
  serve_rules_release(rules);
  atomic_fetch_sub(&http->buffered, rq->cap);
  bool begun = rq->begun;
  free(rq->body);
  free(rq);
  if (begun)
    atomic_fetch_sub(&http->in_flight, 1);
}
