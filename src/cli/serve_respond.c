/*
 * serve_respond.c -- how `elig serve` queues a response (the parts: serve.h).
 *
 * The router's refusals and every handler's answers go through here, so that every response,
 * errors included, carries the hash of the rule set that produced it (Elig-Rules-Hash, and
 * "rules" in the JSON bodies that are the service's own), and so that the request records
 * what was answered for its log line.  Errors are JSON:
 * {"error": {"code", "error_code" (the library's, for an error of the library), "message",
 * and what locates it when known}, "rules"}.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve.h"

/* Queues res (the caller keeps its reference) with the headers every answer has, and notes
 * what was answered in rq for the log. */
static enum MHD_Result queue(serve_request *rq, unsigned status, const char *type,
                             struct MHD_Response *res, uint64_t len, const char *const *headers)
{
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(res, "Elig-Rules-Hash", elig_ruleset_hash(rq->rules->rs));
  if (rq->decision.header[0]) /* the decision log's id of what is answered */
    MHD_add_response_header(res, "Elig-Decision-Id", rq->decision.header);
  for (size_t i = 0; headers && headers[i]; i += 2)
    MHD_add_response_header(res, headers[i], headers[i + 1]);
  enum MHD_Result ok = MHD_queue_response(rq->conn, status, res);
  rq->responded = true;
  rq->status = status;
  rq->bytes_out = (size_t)len;
  return ok;
}

enum MHD_Result serve_respond(serve_request *rq, unsigned status, const char *type, char *body,
                              size_t len, const char *const *headers)
{
  struct MHD_Response *res = MHD_create_response_from_buffer_with_free_callback(len, body, free);
  if (!res) {
    free(body);
    return MHD_NO;
  }
  enum MHD_Result ok = queue(rq, status, type, res, len, headers);
  MHD_destroy_response(res);
  return ok;
}

enum MHD_Result serve_respond_fd(serve_request *rq, unsigned status, const char *type, int fd,
                                 uint64_t size, const char *const *headers)
{
  struct MHD_Response *res = MHD_create_response_from_fd64(size, fd);
  if (!res) {
    close(fd);
    return MHD_NO;
  }
  enum MHD_Result ok = queue(rq, status, type, res, size, headers);
  MHD_destroy_response(res);
  return ok;
}

enum MHD_Result serve_respond_json(serve_request *rq, unsigned status, json_t *doc,
                                   const char *const *headers)
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
  return serve_respond(rq, status, "application/json", body, len, headers);
}

json_t *serve_error_object(const char *code, const char *error_code, const char *message)
{
  json_t *e = json_object();
  json_object_set_new(e, "code", json_string(code));
  if (error_code)
    json_object_set_new(e, "error_code", json_string(error_code));
  json_object_set_new(e, "message", json_string(message));
  return e;
}

enum MHD_Result serve_respond_error(serve_request *rq, unsigned status, const char *code,
                                    const char *message, const char *const *headers)
{
  json_t *doc = json_object();
  json_object_set_new(doc, "error", serve_error_object(code, NULL, message));
  return serve_respond_json(rq, status, doc, headers);
}
