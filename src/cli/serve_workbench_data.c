/*
 * serve_workbench_data.c -- the registers the workbench may read (the parts: serve.h;
 * doc/workbench.md, sections 2.5 and 2.6):
 *
 *   GET  /v1/workbench/data        the registers of the data folder (--workbench-data)
 *   POST /v1/workbench/upload      ?name=  a register sent from the browser, kept until the
 *                                  next upload (--workbench-upload-max)
 *   GET  /v1/workbench/household   ?data=|upload=, id=, year=, as_of=  one household of a
 *                                  register explained as `elig explain --id --year
 *                                  --format json` explains it, with its record as written
 *
 * Registers hold personal data: these routes need the scope `impact`, and the household
 * `explain` as well.  A register of the data folder is named and opened as a rule file of
 * DIR is (serve_workbench.c: a relative path, each folder on the way opened without
 * following a link), and must end in .csv, .jsonl, .ndjson or .json.  An upload is written
 * to a file of no name in $TMPDIR: nothing else on the machine sees it, and it is gone when
 * the next upload replaces it or the service stops.  One upload is kept for the whole
 * service, under a random id the uploader is given: a job that names an upload since
 * replaced is told so rather than given another person's register.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

/* A household's explanations are a few kilobytes a year: a lookup stops keeping them past
 * this, and past this many lines of messages (its rejections). */
#define MAX_EXPLAINED (8u << 20)
#define MAX_MESSAGES 20
/* A record's text and the CSV header a form is filled from (its record limit is the
 * library's chunk, 1 MiB). */
#define MAX_RECORD_TEXT (1u << 20)

/* ---------------------------------------------------------------- the upload */

struct wb_upload {
  pthread_mutex_t lock;
  int fd;         /* the register uploaded last, a file of no name; -1 */
  char id[33];    /* 128 random bits, hex */
  char name[128]; /* as the uploader named it, for messages */
  uint64_t bytes;
};

struct wb_upload *wb_upload_new(void)
{
  struct wb_upload *u = calloc(1, sizeof *u);
  if (!u)
    return NULL;
  pthread_mutex_init(&u->lock, NULL);
  u->fd = -1;
  return u;
}

void wb_upload_free(struct wb_upload *u)
{
  if (!u)
    return;
  if (u->fd >= 0)
    close(u->fd);
  pthread_mutex_destroy(&u->lock);
  free(u);
}

/* Text a client gives that answers say back: UTF-8 (jansson takes it), no control
 * character. */
static bool text_ok(const char *s)
{
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return false;
  json_t *probe = json_string(s);
  json_decref(probe);
  return probe != NULL;
}

/* An uploader's name for the register: what messages call it.  Not a path: no '/' or '\',
 * not hidden, 100 bytes at most. */
static bool upload_name_ok(const char *name)
{
  size_t n = name ? strlen(name) : 0;
  return n > 0 && n <= 100 && name[0] != '.' && !strpbrk(name, "/\\") && text_ok(name);
}

enum MHD_Result serve_handle_wb_upload(serve_request *rq, const serve_body *body)
{
  enum MHD_Result answer;
  if (wb_refused(rq, true, &answer))
    return answer;
  const char *name = serve_param(rq, "name");
  if (!upload_name_ok(name))
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               _("parameter 'name' gives the register's file name (county.csv, "
                                 "county.jsonl): no '/', no control character"),
                               NULL);
  if (body->len == 0)
    return serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "empty_register",
                               _("the register uploaded is empty"), NULL);
  uint8_t r[16];
  int fd = wb_tmpfile();
  if (fd < 0 || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r ||
      !wb_write_all(fd, body->text, body->len)) {
    char message[200];
    snprintf(message, sizeof message, _("the register could not be kept: %s"), strerror(errno));
    if (fd >= 0)
      close(fd);
    return serve_respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", message, NULL);
  }
  struct wb_upload *u = rq->http->workbench->upload;
  pthread_mutex_lock(&u->lock);
  if (u->fd >= 0)
    close(u->fd); /* a job reading it has a descriptor of its own (wb_reopen) */
  u->fd = fd;
  for (size_t i = 0; i < sizeof r; i++)
    snprintf(u->id + 2 * i, 3, "%02x", r[i]);
  snprintf(u->name, sizeof u->name, "%s", name);
  u->bytes = body->len;
  json_t *doc = json_pack("{s:{s:s, s:s, s:I, s:s}}", "upload", "id", u->id, "name", u->name,
                          "bytes", (json_int_t)u->bytes, "format",
                          wb_register_format(u->name) == ELIG_INPUT_CSV ? "csv" : "jsonl");
  pthread_mutex_unlock(&u->lock);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

/* The upload `id` opened anew for a reader; -1 when it is not the one kept. */
static int upload_open(struct wb_upload *u, const char *id, uint64_t *size, char *name,
                       size_t name_size)
{
  pthread_mutex_lock(&u->lock);
  int fd = u->fd >= 0 && strcmp(id, u->id) == 0 ? wb_reopen(u->fd) : -1;
  if (fd >= 0) {
    *size = u->bytes;
    snprintf(name, name_size, "upload:%s", u->name);
  }
  pthread_mutex_unlock(&u->lock);
  return fd;
}

/* ---------------------------------------------------------------- which register */

/* A failure to open a register of the data folder, answered. */
static enum MHD_Result register_error(serve_request *rq, int err)
{
  if (err == ENOENT)
    return serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_register",
                               _("no such register in the data folder"), NULL);
  if (err == ELOOP || err == ENOTDIR || err == EINVAL)
    return serve_respond_error(rq, MHD_HTTP_FORBIDDEN, "path_refused",
                               _("the path goes through a link or a file, or names no regular "
                                 "file: the workbench follows no link"),
                               NULL);
  return wb_file_error(rq, err);
}

int wb_register_param(serve_request *rq, uint64_t *size, elig_input_format *format, char *name,
                      size_t name_size, enum MHD_Result *answer)
{
  const serve_workbench *wb = rq->http->workbench;
  const char *data = serve_param(rq, "data"), *upload = serve_param(rq, "upload");
  if (!data == !upload) {
    *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                  _("name the register: 'data' (a file of the data folder) or "
                                    "'upload' (the id of an upload), one of them"),
                                  NULL);
    return -1;
  }
  if (upload) {
    int fd = upload_open(wb->upload, upload, size, name, name_size);
    if (fd < 0)
      *answer = serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_upload",
                                    _("no such upload: another has replaced it, or the service "
                                      "has restarted; upload the register again"),
                                    NULL);
    else
      *format = wb_register_format(name);
    return fd;
  }
  if (wb->data_fd < 0) {
    *answer = serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_data_folder",
                                  _("the service has no data folder (--workbench-data)"), NULL);
    return -1;
  }
  if (!wb_data_path_ok(data)) {
    *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_path",
                                  _("'data' names a register inside the data folder: relative, "
                                    "ending in .csv, .jsonl, .ndjson or .json, without '..', "
                                    "'.', hidden or empty parts"),
                                  NULL);
    return -1;
  }
  int err;
  int fd = wb_open_regular(wb->data_fd, data, size, &err);
  if (fd < 0) {
    *answer = register_error(rq, err);
    return -1;
  }
  snprintf(name, name_size, "%s", data);
  *format = wb_register_format(data);
  return fd;
}

/* ---------------------------------------------------------------- the data folder */

enum MHD_Result serve_handle_wb_data(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  if (wb_refused(rq, false, &answer))
    return answer;
  const serve_workbench *wb = rq->http->workbench;
  json_t *list = json_array();
  bool full = false;
  if (wb->data_fd >= 0) {
    size_t n;
    char **paths = wb_list_registers(wb->data_fd, &n, &full);
    if (!paths) {
      json_decref(list);
      return wb_out_of_memory(rq);
    }
    for (size_t i = 0; i < n; i++) {
      uint64_t size;
      int err, fd = wb_open_regular(wb->data_fd, paths[i], &size, &err);
      if (fd < 0)
        continue; /* gone since listed */
      close(fd);
      json_array_append_new(list,
                            json_pack("{s:s, s:I}", "path", paths[i], "bytes", (json_int_t)size));
    }
    wb_free_list(paths, n);
  }
  json_t *doc = json_pack("{s:b, s:o, s:b, s:I}", "data_folder", wb->data_fd >= 0, "registers",
                          list, "truncated", full, "upload_max", (json_int_t)wb->upload_max);
  return doc ? serve_respond_json(rq, MHD_HTTP_OK, doc, NULL) : wb_out_of_memory(rq);
}

/* ---------------------------------------------------------------- a household */

/* A register read from a descriptor, for the library. */
typedef struct {
  int fd;
} fd_input;

static ptrdiff_t fd_read(void *arg, void *buf, size_t size)
{
  fd_input *in = arg;
  for (;;) {
    ssize_t n = read(in->fd, buf, size);
    if (n >= 0 || errno != EINTR)
      return n;
  }
}

/* What elig_explain_records says of the household: its explanations (one JSON object a
 * line, kept as written: amounts keep their digits, "4000.00") and its messages. */
typedef struct {
  serve_text explained;
  json_t *messages;
  bool too_much;
} lookup_out;

static bool lookup_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  lookup_out *o = arg;
  if (stream == ELIG_STREAM_REPORT) {
    if (o->explained.len + len > MAX_EXPLAINED) {
      o->too_much = true;
      return false;
    }
    serve_text_add(&o->explained, data, len);
    return !o->explained.nomem;
  }
  for (const char *p = data, *end = data + len; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n && json_array_size(o->messages) < MAX_MESSAGES)
      json_array_append_new(o->messages, json_stringn(p, n));
    p += n + 1;
  }
  return true;
}

/* The line of the record an explanation explains: the end of its "at", "NAME:LINE"; 0 when
 * it has none. */
static uint64_t line_explained(const char *json_line, size_t len)
{
  json_t *e = json_loadb(json_line, len, 0, NULL);
  const char *at = json_string_value(json_object_get(e, "at"));
  const char *colon = at ? strrchr(at, ':') : NULL;
  uint64_t line = colon && colon[1] >= '1' && colon[1] <= '9' ? strtoull(colon + 1, NULL, 10) : 0;
  json_decref(e);
  return line;
}

/* Whether c ends the record being read: a line end, outside quotes in CSV. */
static bool record_ends(char c, elig_input_format format, bool *quoted)
{
  if (c == '"' && format == ELIG_INPUT_CSV)
    *quoted = !*quoted;
  return c == '\n' && !*quoted;
}

/* Reads the register on fd from its start: its first line into header, and the record that
 * begins on `line` into record (a CSV record may go on over quoted line ends); line ends
 * outside quotes left out.  False when the line is not there or either text is longer than
 * MAX_RECORD_TEXT. */
static bool record_text(int fd, elig_input_format format, uint64_t line, serve_text *header,
                        serve_text *record)
{
  if (lseek(fd, 0, SEEK_SET) != 0)
    return false;
  char buf[65536];
  uint64_t at = 1; /* the line of the next byte */
  bool quoted = false;
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
    for (ssize_t i = 0; i < n; i++) {
      char c = buf[i];
      if (at == line) {
        if (record_ends(c, format, &quoted))
          return !record->nomem && record->len > 0;
        if (c != '\r' || quoted)
          serve_text_add(record, &c, 1);
      } else if (at == 1 && c != '\n' && c != '\r') {
        serve_text_add(header, &c, 1);
      }
      if (c == '\n' && at != line)
        at++;
      if (header->len > MAX_RECORD_TEXT || record->len > MAX_RECORD_TEXT)
        return false;
    }
  }
  return at == line && !record->nomem && record->len > 0; /* the last line, without its end */
}

/* The record explained last (of a household's years, the latest), as written, for the page
 * to fill its form with: {"format", "header" (CSV: the first line, a byte order mark left
 * out), "text"}; NULL when it cannot be had. */
static json_t *record_of(int fd, elig_input_format format, const serve_text *explained)
{
  size_t end = explained->len, start;
  while (end && explained->text[end - 1] == '\n')
    end--;
  for (start = end; start && explained->text[start - 1] != '\n';)
    start--;
  uint64_t line = line_explained(explained->text + start, end - start);
  serve_text header = {0}, record = {0};
  json_t *o = NULL;
  if (line && record_text(fd, format, line, &header, &record) && !header.nomem) {
    size_t bom = header.len >= 3 && memcmp(header.text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    o = json_pack("{s:s, s:s%}", "format", format == ELIG_INPUT_CSV ? "csv" : "jsonl", "text",
                  record.text, record.len);
    if (o && format == ELIG_INPUT_CSV)
      json_object_set_new(o, "header",
                          json_stringn(header.text ? header.text + bom : "", header.len - bom));
  }
  free(header.text);
  free(record.text);
  return o;
}

/* The lookup's answer: {"register", "id", "year", "explanations": [...as written...],
 * "messages", "record"}, made as text so that the explanations keep their numbers' digits. */
static enum MHD_Result household_answer(serve_request *rq, const char *name, const char *id,
                                        const char *year, lookup_out *o, json_t *record)
{
  json_t *head =
      json_pack("{s:s, s:s, s:s?, s:o, s:o, s:s}", "register", name, "id", id, "year", year,
                "messages", json_incref(o->messages), "record", record ? record : json_null(),
                "rules", elig_ruleset_hash(rq->rules->rs));
  char *text = head ? json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(head);
  if (!text)
    return wb_out_of_memory(rq);
  serve_text out = {0};
  serve_text_add(&out, text, strlen(text) - 1); /* without its closing brace */
  free(text);
  serve_text_adds(&out, ",\"explanations\":[");
  size_t count = 0;
  for (size_t at = 0; at < o->explained.len;) {
    const char *nl = memchr(o->explained.text + at, '\n', o->explained.len - at);
    size_t n = nl ? (size_t)(nl - o->explained.text - at) : o->explained.len - at;
    if (n) {
      serve_text_adds(&out, count++ ? "," : "");
      serve_text_add(&out, o->explained.text + at, n);
    }
    at += n + 1;
  }
  serve_text_adds(&out, "]}\n");
  if (out.nomem) {
    free(out.text);
    return wb_out_of_memory(rq);
  }
  return serve_respond(rq, MHD_HTTP_OK, "application/json", out.text, out.len, NULL);
}

/* What a request asks for: a household by its key and year (NULL: every year), as of. */
typedef struct {
  const char *id, *year, *as_of;
} household_query;

/* The query checked, against the rules too; false after answering 400 (422 when the rules'
 * record has no key to find a household by). */
static bool household_query_ok(serve_request *rq, const elig_ruleset *rs, household_query *q,
                               enum MHD_Result *answer)
{
  q->id = serve_param(rq, "id");
  q->year = serve_param(rq, "year");
  q->as_of = serve_param(rq, "as_of");
  const char *wrong = NULL;
  if (!q->id || !*q->id || strlen(q->id) > 200 || !text_ok(q->id))
    wrong = _("parameter 'id' gives the household's key (hh_id)");
  else if (q->year &&
           (!*q->year || strspn(q->year, "0123456789") != strlen(q->year) || strlen(q->year) > 9))
    wrong = _("parameter 'year' takes a year (2020)");
  else if (q->as_of && !elig_date_valid(q->as_of))
    wrong = _("parameter 'as_of' takes a date as YYYY-MM-DD");
  if (wrong) {
    *answer = serve_respond_error(rq, MHD_HTTP_BAD_REQUEST, "bad_parameter", wrong, NULL);
    return false;
  }
  size_t year_field;
  if (elig_ruleset_key_count(rs) &&
      (!q->year || elig_ruleset_field_index(rs, "year", &year_field) == ELIG_OK))
    return true;
  *answer = serve_respond_error(rq, MHD_HTTP_UNPROCESSABLE_CONTENT, "no_key",
                                _("the rules' record has no key (or no field 'year'): no "
                                  "household can be found by it"),
                                NULL);
  return false;
}

/* `elig explain --id ID [--year YEAR] --format json` over the register on fd, into o. */
static elig_status explain_household(const elig_ruleset *rs, const household_query *q, int fd,
                                     elig_input_format format, const char *name, lookup_out *o,
                                     elig_batch_stats *st)
{
  const char *fields[2] = {elig_ruleset_field_name(rs, elig_ruleset_key_field(rs, 0)), "year"};
  const char *values[2] = {q->id, q->year};
  elig_explain_options opt = ELIG_EXPLAIN_OPTIONS_INIT;
  opt.format = ELIG_FORMAT_JSON;
  opt.match_fields = fields;
  opt.match_values = values;
  opt.nmatch = q->year ? 2 : 1;
  opt.as_of = q->as_of;
  fd_input in_arg = {fd};
  elig_input in = {.name = name, .format = format, .arg = &in_arg, .read = fd_read};
  elig_batch_io io = {.write = lookup_write, .arg = o};
  return elig_explain_records(rs, &opt, &in, 1, &io, st);
}

enum MHD_Result serve_handle_wb_household(serve_request *rq, const serve_body *body)
{
  (void)body;
  enum MHD_Result answer;
  const elig_ruleset *rs = rq->rules->rs;
  household_query q;
  if (wb_refused(rq, false, &answer) || !wb_has_scope(rq, SCOPE_EXPLAIN, &answer) ||
      !household_query_ok(rq, rs, &q, &answer))
    return answer;
  uint64_t size;
  elig_input_format format;
  char name[WB_REGISTER_NAME];
  int fd = wb_register_param(rq, &size, &format, name, sizeof name, &answer);
  if (fd < 0)
    return answer;
  lookup_out o = {.messages = json_array()};
  elig_batch_stats st;
  elig_status rc = o.messages ? explain_household(rs, &q, fd, format, name, &o, &st) : ELIG_ENOMEM;
  if (rc == ELIG_OK && !st.written && !st.rejected)
    answer = serve_respond_error(rq, MHD_HTTP_NOT_FOUND, "no_such_household",
                                 _("no record of the register has this key (and year)"), NULL);
  else if (rc == ELIG_OK)
    answer = household_answer(rq, name, q.id, q.year, &o,
                              o.explained.len ? record_of(fd, format, &o.explained) : NULL);
  else if (rc == ELIG_ENOMEM || o.explained.nomem)
    answer = wb_out_of_memory(rq);
  else if (o.too_much)
    answer = serve_respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE, "too_many_records",
                                 _("the key matches more records than one answer may hold: "
                                   "give the year"),
                                 NULL);
  else
    answer = serve_respond_error(rq, MHD_HTTP_UNPROCESSABLE_CONTENT, "register_unreadable",
                                 _("the register cannot be read: its header or a line is not "
                                   "CSV (or JSON Lines)"),
                                 NULL);
  close(fd);
  free(o.explained.text);
  json_decref(o.messages);
  return answer;
}
