/*
 * serve_workbench_api.c -- the workbench's routes (`elig serve --workbench DIR`; the parts:
 * serve.h; the folder and its files: serve_workbench.c; doc/workbench.md).
 *
 *   GET  /workbench/...            the page and its scripts (no token: they hold no data,
 *                                  and a browser cannot send one when it opens a page)
 *   GET  /v1/workbench/session     the CSRF token, the root rule file, what the token may do
 *   GET  /v1/workbench/files       the rule files of DIR
 *   GET  /v1/workbench/file        ?path=  one file's text and hash
 *   POST /v1/workbench/check       ?path=  the editor's text compiled with the other files
 *                                  as on disk: the diagnostics, placed
 *   POST /v1/workbench/fmt         ?path=  the text in the canonical layout
 *   POST /v1/workbench/test        ?path=  the tests of the rules with the text: failures and
 *                                  what no test covers, placed
 *   POST /v1/workbench/save        ?path=&base=  written, only when the rules compile
 *   GET  /v1/workbench/history     ?path=  its saved versions
 *   GET  /v1/workbench/version     ?sha256=  one saved version's text
 *
 * The registers (serve_workbench_data.c) and the Impact page's job
 * (serve_workbench_impact.c) have routes of their own, which share the guards here.
 *
 * Reading needs the scope `rules` (the files are the rules /v1/rules describes); saving
 * needs `edit`.  A POST must carry X-Elig-CSRF, the token of the session route: a page of
 * another site cannot read that answer, nor send the header without a CORS preflight the
 * service never allows.  Bodies of POSTs are the editor's text as it is (text/plain).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "serve.h"

/* ---------------------------------------------------------------- guards */

/* Whether the Host header names this machine's loopback: with no authentication, a page
 * of another site whose name is made to resolve to 127.0.0.1 (DNS rebinding) would be the
 * same origin as the workbench to the browser; its requests carry that name. */
static bool host_is_loopback(const char *host)
{
  if (!host)
    return false;
  size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
  static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (n == strlen(names[i]) && strncasecmp(host, names[i], n) == 0)
      return host[n] == '\0' || host[n] == ':';
  return false;
}

/* Compares without stopping at the first difference: the time taken tells nothing of how
 * much of a guessed token was right. */
static bool same_secret(const char *a, const char *b)
{
  size_t n = strlen(b);
  if (!a || strlen(a) != n)
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < n; i++)
    diff |= (unsigned char)(a[i] ^ b[i]);
  return diff == 0;
}

static const char *header(const serve_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* Why a request to the workbench is refused, or NULL: a Host that is no loopback name when
 * nothing authenticates; for a POST, no CSRF token, or an Origin that is not this one. */
static const char *refusal(const serve_request *rq, bool post, const char **code)
{
  const serve_workbench *wb = rq->http->workbench;
  const char *host = header(rq, MHD_HTTP_HEADER_HOST);
  *code = "forbidden";
  if (wb->host_check && !host_is_loopback(host))
    return "without --tokens the workbench answers only requests to 127.0.0.1, [::1] or "
           "localhost";
  if (!post)
    return NULL;
  const char *origin = header(rq, "Origin");
  const char *sep = origin ? strstr(origin, "://") : NULL;
  if (origin && (!sep || !host || strcasecmp(sep + 3, host) != 0))
    return "the request comes from a page of another site (Origin)";
  *code = "csrf";
  if (!same_secret(header(rq, "X-Elig-CSRF"), wb->csrf))
    return "send the header X-Elig-CSRF with the token of GET /v1/workbench/session";
  return NULL;
}

/* Answers 403 when the request is refused (true); false lets it through. */
bool wb_refused(serve_request *rq, bool post, enum MHD_Result *answer)
{
  const char *code, *why = refusal(rq, post, &code);
  if (!why)
    return false;
  *answer = serve_respond_error(rq, MHD_HTTP_FORBIDDEN, code, why, NULL);
  return true;
}

/* A path parameter, checked; NULL after answering 400. */
const char *wb_path_param(serve_request *rq, const char *name, enum MHD_Result *answer)
{
  const char *path = serve_param(rq, name);
  if (wb_path_ok(path))
    return path;
  char message[300];
  if (path)
    /* TRANSLATORS: %s is a parameter's name (path, against). */
    snprintf(message, sizeof message,
             _("'%s' names a rule file inside the workbench folder: relative, ending in .rules, "
               "without '..', '.', hidden or empty parts"),
             name);
  else
    /* TRANSLATORS: %s is a parameter's name (path, against). */
    snprintf(message, sizeof message, _("parameter '%s' is needed"), name);
  *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_path", message, NULL);
  return NULL;
}

/* The guards of a POST that sends a rule file's text: refused (403), no good path (400), or
 * a text larger than a rule file may be (413, before anything compiles it).  NULL after
 * answering; the path otherwise. */
const char *wb_text_request(serve_request *rq, const serve_body *body, enum MHD_Result *answer)
{
  const char *path;
  if (wb_refused(rq, true, answer) || !(path = wb_path_param(rq, "path", answer)))
    return NULL;
  if (body->len <= (1u << 20))
    return path;
  *answer = serve_respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE, "file_too_large",
                                "a rule file may be 1 MiB at most", NULL);
  return NULL;
}

/* A failure to read or write a file of DIR: 404 when it is not there, 403 when a link or a
 * file is in the way (the path leads out, or nowhere), 413 when too large, 500 else. */
enum MHD_Result wb_file_error(serve_request *rq, int err)
{
  if (err == ENOENT)
    return serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_file",
                               "no such rule file in the workbench folder", NULL);
  if (err == ELOOP || err == ENOTDIR || err == EINVAL)
    return serve_respond_error(rq, MHD_HTTP_FORBIDDEN, "path_refused",
                               "the path goes through a link or a file, or names no regular "
                               "file: the workbench follows no link",
                               NULL);
  if (err == EFBIG)
    return serve_respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE, "file_too_large",
                               "a rule file may be 1 MiB at most", NULL);
  if (err == ENOMEM)
    return serve_respond_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", "out of memory",
                               NULL);
  char message[200];
  snprintf(message, sizeof message, "the file system said: %s", strerror(err));
  return serve_respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", message, NULL);
}

/* ---------------------------------------------------------------- compiling */

static json_t *diag_json(const elig_error *e)
{
  const char *code = elig_error_code(e), *file = elig_error_file(e), *help = elig_error_help(e);
  json_t *o = json_object();
  json_object_set_new(
      o, "severity",
      json_string(elig_error_severity(e) == ELIG_SEVERITY_ERROR ? "error" : "warning"));
  json_object_set_new(o, "code", code ? json_string(code) : json_null());
  json_object_set_new(o, "message", json_string(elig_error_message(e)));
  json_object_set_new(o, "help", help ? json_string(help) : json_null());
  json_object_set_new(o, "file", file ? json_string(file) : json_null());
  json_object_set_new(o, "line", json_integer(elig_error_line(e)));
  json_object_set_new(o, "column", json_integer(elig_error_column(e)));
  return o;
}

/* {"ok", "errors", "warnings", "diagnostics": [...]} of one compilation. */
json_t *wb_diags_doc(const elig_diags *d, bool ok)
{
  json_t *doc = json_object(), *list = json_array();
  for (size_t i = 0; i < elig_diags_count(d); i++)
    json_array_append_new(list, diag_json(elig_diags_get(d, i)));
  json_object_set_new(doc, "ok", json_boolean(ok));
  json_object_set_new(doc, "errors", json_integer((json_int_t)elig_diags_error_count(d)));
  json_object_set_new(doc, "warnings", json_integer((json_int_t)elig_diags_warning_count(d)));
  json_object_set_new(doc, "diagnostics", list);
  return doc;
}

static bool has_file(const elig_ruleset *rs, const char *path)
{
  for (size_t i = 0; i < elig_ruleset_file_count(rs); i++)
    if (strcmp(elig_ruleset_file(rs, i), path) == 0)
      return true;
  return false;
}

/* The rules of DIR with path's text as given: the root served, and when that compiles
 * without reaching the file (a file no one imports yet), the file as a root of its own.
 * *root says which; given (not NULL), it is the root compiled, whatever it reaches.  False
 * when out of memory or DIR cannot be listed (nothing compiled). */
bool wb_compile_with(const serve_workbench *wb, const char *path, const char *text, size_t len,
                     elig_ruleset **rs, elig_diags **diags, const char **root)
{
  wb_sources s;
  if (!wb_sources_read(wb->dir_fd, path, text, len, &s))
    return false;
  bool chosen = *root != NULL;
  if (!chosen)
    *root = wb->root;
  elig_options opt = ELIG_OPTIONS_INIT;
  elig_compile_sources(*root, s.files, s.n, &opt, rs, diags);
  if (*rs && !chosen && path && !has_file(*rs, path)) {
    elig_ruleset_free(*rs);
    elig_diags_free(*diags);
    *root = path;
    elig_compile_sources(*root, s.files, s.n, &opt, rs, diags);
  }
  wb_sources_free(&s);
  return *diags || *rs;
}

enum MHD_Result wb_out_of_memory(serve_request *rq)
{
  return serve_respond_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", "out of memory",
                             NULL);
}

bool wb_has_scope(serve_request *rq, unsigned scope, enum MHD_Result *answer)
{
  char name[64];
  if (serve_auth_check(rq->http->auth, header(rq, MHD_HTTP_HEADER_AUTHORIZATION), scope, name,
                       sizeof name) == AUTH_OK)
    return true;
  char message[200];
  /* TRANSLATORS: the token's name, then the scope it lacks (explain); both stay as they are. */
  snprintf(message, sizeof message, _("the token '%s' has no scope '%s' for this route"), rq->token,
           serve_scope_name(scope));
  *answer = serve_respond_error(rq, MHD_HTTP_FORBIDDEN, "forbidden", message, NULL);
  return false;
}

/* ---------------------------------------------------------------- the page */

/* Content-Security-Policy and its fellows: scripts and styles from the service alone, none
 * inline, no plug-ins, never in a frame (no click-jacking of the Save button). */
static const char *const page_headers[] = {
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options",
    "nosniff",
    "X-Frame-Options",
    "DENY",
    "Referrer-Policy",
    "no-referrer",
    "Cache-Control",
    "no-cache",
    NULL};

enum MHD_Result serve_handle_wb_page(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  if (wb_refused(rq, false, &answer))
    return answer;
  if (rq->asset[0] == '\0') { /* /workbench: the page's scripts are named relative to /workbench/ */
    static const char *const to[] = {MHD_HTTP_HEADER_LOCATION, "/workbench/", NULL};
    char *none = strdup("");
    return none ? serve_respond(rq, MHD_HTTP_PERMANENT_REDIRECT, "text/plain", none, 0, to)
                : MHD_NO;
  }
  const char *name = strcmp(rq->asset, "/") == 0 ? "index.html" : rq->asset + 1;
  size_t len;
  const char *type;
  int err;
  char *text = wb_asset(rq->http->workbench, name, &len, &type, &err);
  if (text)
    return serve_respond(rq, MHD_HTTP_OK, type, text, len, page_headers);
  if (err == ENODEV)
    return serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "workbench_not_built",
                               "the workbench's page is not installed (it was built without "
                               "npm, or --workbench-assets names no folder); its API answers",
                               NULL);
  return err == ENOMEM ? wb_out_of_memory(rq)
                       : serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "not_found",
                                             "no such file of the workbench's page", NULL);
}

/* ---------------------------------------------------------------- reading */

enum MHD_Result serve_handle_wb_session(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  if (wb_refused(rq, false, &answer))
    return answer;
  const serve_workbench *wb = rq->http->workbench;
  const char *authorization = header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
  char name[64];
  bool edit =
      serve_auth_check(rq->http->auth, authorization, SCOPE_EDIT, name, sizeof name) == AUTH_OK;
  bool explain =
      serve_auth_check(rq->http->auth, authorization, SCOPE_EXPLAIN, name, sizeof name) == AUTH_OK;
  bool impact =
      serve_auth_check(rq->http->auth, authorization, SCOPE_IMPACT, name, sizeof name) == AUTH_OK;
  /* what the Impact page may read: the data folder (when there is one) and uploads */
  json_t *doc = json_pack("{s:s, s:s, s:s, s:{s:b, s:b, s:b}, s:{s:b, s:I}}", "csrf", wb->csrf,
                          "root", wb->root, "language", rq->language, "may", "edit", edit,
                          "explain", explain, "impact", impact, "registers", "data_folder",
                          wb->data_fd >= 0, "upload_max", (json_int_t)wb->upload_max);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

enum MHD_Result serve_handle_wb_files(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  if (wb_refused(rq, false, &answer))
    return answer;
  size_t n;
  bool full;
  char **paths = wb_list(rq->http->workbench->dir_fd, &n, &full);
  if (!paths)
    return wb_out_of_memory(rq);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, json_string(paths[i]));
  wb_free_list(paths, n);
  json_t *doc = json_pack("{s:s, s:o, s:b}", "root", rq->http->workbench->root, "files", list,
                          "truncated", full);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

enum MHD_Result serve_handle_wb_file(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  const char *path;
  if (wb_refused(rq, false, &answer) || !(path = wb_path_param(rq, "path", &answer)))
    return answer;
  size_t len;
  int err;
  char *text = wb_read(rq->http->workbench->dir_fd, path, &len, &err);
  if (!text)
    return wb_file_error(rq, err);
  char hash[65];
  wb_sha256_hex(text, len, hash);
  json_t *doc = json_pack("{s:s, s:s%, s:s}", "path", path, "text", text, len, "sha256", hash);
  free(text);
  if (!doc) /* text that is not UTF-8: jansson refuses it, and so would the compiler */
    return serve_respond_error(rq, MHD_HTTP_UNPROCESSABLE_CONTENT, "not_utf8",
                               "the file is not UTF-8 text", NULL);
  return serve_respond_json(rq, MHD_HTTP_OK, doc, NULL);
}

enum MHD_Result serve_handle_wb_history(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  const char *path;
  if (wb_refused(rq, false, &answer) || !(path = wb_path_param(rq, "path", &answer)))
    return answer;
  json_t *versions = wb_history_of(rq->http->workbench->dir_fd, path);
  json_t *doc = versions ? json_pack("{s:s, s:o}", "path", path, "versions", versions) : NULL;
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

enum MHD_Result serve_handle_wb_version(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  if (wb_refused(rq, false, &answer))
    return answer;
  const char *sha = serve_param(rq, "sha256");
  if (!wb_hex64_ok(sha))
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "parameter 'sha256' takes 64 lower-case hex digits", NULL);
  size_t len;
  int err;
  char *text = wb_history_text(rq->http->workbench->dir_fd, sha, &len, &err);
  if (!text)
    return err == ENOENT ? serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_version",
                                               "no saved version has this hash", NULL)
                         : wb_file_error(rq, err);
  json_t *doc = json_pack("{s:s, s:s%}", "sha256", sha, "text", text, len);
  free(text);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

/* ---------------------------------------------------------------- checking, fmt, tests */

enum MHD_Result serve_handle_wb_check(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  const char *path = wb_text_request(rq, body, &answer);
  if (!path)
    return answer;
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  const char *root = NULL;
  if (!wb_compile_with(rq->http->workbench, path, body->text, body->len, &rs, &diags, &root))
    return wb_out_of_memory(rq);
  json_t *doc = wb_diags_doc(diags, rs != NULL);
  json_object_set_new(doc, "path", json_string(path));
  json_object_set_new(doc, "root", json_string(root));
  if (rs)
    json_object_set_new(doc, "hash", json_string(elig_ruleset_hash(rs)));
  elig_ruleset_free(rs);
  elig_diags_free(diags);
  return serve_respond_json(rq, MHD_HTTP_OK, doc, NULL);
}

enum MHD_Result serve_handle_wb_fmt(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  const char *path = wb_text_request(rq, body, &answer);
  if (!path)
    return answer;
  char *out = NULL;
  size_t len = 0;
  elig_diags *diags = NULL;
  elig_status st = elig_format_rules(path, body->text, body->len, &out, &len, &diags);
  json_t *doc;
  if (st == ELIG_OK) {
    doc = json_pack("{s:b, s:s%, s:b}", "ok", 1, "text", out, len, "changed",
                    len != body->len || memcmp(out, body->text, len) != 0);
  } else if (st == ELIG_ENOMEM) {
    doc = NULL;
  } else {
    doc = wb_diags_doc(diags, false); /* it does not parse: the editor shows where */
  }
  elig_free(out);
  elig_diags_free(diags);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

/* The lines "FILE:LINE:COL: MESSAGE" of a test report, from byte `from` on, as objects. */
static json_t *report_lines(const char *report, size_t from)
{
  json_t *list = json_array();
  for (const char *p = report + from; *p;) {
    size_t n = strcspn(p, "\n");
    char *line = strndup(p, n);
    char *c1 = line ? strchr(line, ':') : NULL, *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    if (c3) { /* rule file paths hold no ':' (wb_path_ok) */
      *c1 = *c2 = *c3 = '\0';
      json_array_append_new(list,
                            json_pack("{s:s, s:i, s:i, s:s}", "file", line, "line", atoi(c1 + 1),
                                      "column", atoi(c2 + 1), "message", c3 + 1 + (c3[1] == ' ')));
    }
    free(line);
    p += n + (p[n] == '\n');
  }
  return list;
}

/* The tests run on rs: the failures, then, in a second run with coverage, what no test
 * covered (the coverage report follows the failures of the same run, so its lines are those
 * past the first run's report). */
static json_t *run_tests(const elig_ruleset *rs)
{
  elig_test_options opt = ELIG_TEST_OPTIONS_INIT;
  char *failures = NULL, *all = NULL;
  elig_test_stats st = {0}, cov = {0};
  if (elig_test(rs, &opt, &failures, &st) != ELIG_OK) {
    elig_free(failures);
    return NULL;
  }
  opt.coverage = true;
  if (elig_test(rs, &opt, &all, &cov) != ELIG_OK) {
    elig_free(failures);
    elig_free(all);
    return NULL;
  }
  size_t n = strlen(failures);
  json_t *doc =
      json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:i}", "ok", 1, "passed", st.passed, "failed",
                st.failed, "decision_rules", cov.rules, "decision_rules_covered", cov.rules_hit,
                "flags", cov.flags, "flags_covered", cov.flags_hit);
  json_object_set_new(doc, "failures", report_lines(failures, 0));
  json_object_set_new(doc, "not_covered",
                      report_lines(all, strncmp(all, failures, n) == 0 ? n : strlen(all)));
  elig_free(failures);
  elig_free(all);
  return doc;
}

enum MHD_Result serve_handle_wb_test(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  const char *path = wb_text_request(rq, body, &answer);
  if (!path)
    return answer;
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  const char *root = NULL;
  if (!wb_compile_with(rq->http->workbench, path, body->text, body->len, &rs, &diags, &root))
    return wb_out_of_memory(rq);
  json_t *doc = rs ? run_tests(rs) : wb_diags_doc(diags, false);
  if (doc)
    json_object_set_new(doc, "root", json_string(root));
  elig_ruleset_free(rs);
  elig_diags_free(diags);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

/* ---------------------------------------------------------------- saving */

/* The file as it is on disk is still the one the editor began from (`base`: its hash;
 * "none": the file is new).  Otherwise someone else saved meanwhile: 409, nothing written. */
static bool base_matches(const serve_workbench *wb, const char *path, const char *base,
                         char *current, int *err)
{
  size_t len;
  char *text = wb_read(wb->dir_fd, path, &len, err);
  current[0] = '\0';
  if (!text) {
    bool absent = *err == ENOENT;
    if (absent)
      *err = 0;
    return absent && (!base || strcmp(base, "none") == 0);
  }
  wb_sha256_hex(text, len, current);
  free(text);
  return !base || strcmp(base, current) == 0;
}

/* Writes the text and its version; the lock held.  Before a file's first save, its text as
 * it was is kept as a version too, so that the history can always go back to it. */
static int save_locked(serve_request *rq, const char *path, const serve_body *body,
                       const char *old_hash, const char *hash, const char *rules_hash)
{
  const serve_workbench *wb = rq->http->workbench;
  json_t *before = old_hash[0] ? wb_history_of(wb->dir_fd, path) : NULL;
  int err = 0;
  if (before && json_array_size(before) == 0) {
    size_t len;
    char *old = wb_read(wb->dir_fd, path, &len, &err);
    if (old)
      err = wb_history_add(wb->dir_fd, path, old, len, old_hash, "", "(before the first save)");
    free(old);
  }
  json_decref(before);
  if (!err)
    err = wb_write(wb->dir_fd, path, body->text, body->len);
  if (!err)
    err = wb_history_add(wb->dir_fd, path, body->text, body->len, hash, rules_hash, rq->token);
  return err;
}

enum MHD_Result serve_handle_wb_save(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  const char *path = wb_text_request(rq, body, &answer);
  if (!path)
    return answer;
  const char *base = serve_param(rq, "base");
  if (base && strcmp(base, "none") != 0 && !wb_hex64_ok(base))
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "parameter 'base' takes the file's sha256 as read, or none", NULL);
  serve_workbench *wb = rq->http->workbench;
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  const char *root = NULL;
  if (!wb_compile_with(wb, path, body->text, body->len, &rs, &diags, &root))
    return wb_out_of_memory(rq);
  if (!rs) {
    json_t *doc = json_object();
    json_t *e = serve_error_object("rules_do_not_compile", NULL,
                                   "the rules do not compile with this text: nothing was saved");
    json_object_set_new(doc, "error", e);
    json_t *placed = wb_diags_doc(diags, false); /* the diagnostics, placed */
    json_object_update(e, placed);
    json_decref(placed);
    elig_diags_free(diags);
    return serve_respond_json(rq, MHD_HTTP_UNPROCESSABLE_CONTENT, doc, NULL);
  }
  char hash[65], old_hash[65], rules_hash[80];
  wb_sha256_hex(body->text, body->len, hash);
  snprintf(rules_hash, sizeof rules_hash, "%s", elig_ruleset_hash(rs));
  elig_ruleset_free(rs);
  elig_diags_free(diags);
  int err;
  pthread_mutex_lock(&wb->lock);
  bool current = base_matches(wb, path, base, old_hash, &err);
  if (current && !err)
    err = save_locked(rq, path, body, old_hash, hash, rules_hash);
  pthread_mutex_unlock(&wb->lock);
  if (err)
    return wb_file_error(rq, err);
  if (!current)
    return serve_respond_error(rq, MHD_HTTP_CONFLICT, "conflict",
                               "the file changed since it was read: read it again, then save",
                               NULL);
  json_t *doc =
      json_pack("{s:s, s:s, s:s}", "path", path, "sha256", hash, "rules_hash", rules_hash);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}
