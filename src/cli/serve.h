/*
 * serve.h -- `elig serve`: the HTTP JSON service, in parts.
 *
 * The service is an embedder like any other: it uses the public library (elig.h) only, with
 * libmicrohttpd for HTTP and jansson for the JSON it writes itself (errors, /v1/rules, logs;
 * results come formatted from the library, exactly as `elig run --format jsonl` writes them).
 *
 *   cmd_serve.c    options, start, the signal loop (reload, stop), watching the rule files
 *   serve_rules.c  the rule set in force: compiled aside, swapped in atomically, counted by
 *                  reference so that a request finishes on the set it started with; a pool
 *                  of evaluation contexts per set
 *   serve_body.c   how a request body is cut into records: one object, JSON Lines, an array
 *   serve_http.c   routing, limits, responses
 *   serve_log.c    one JSON line per event on the log, never a record's contents
 */
#ifndef ELIG_SERVE_H
#define ELIG_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include <elig.h>

/* ---------------------------------------------------------------- the log (serve_log.c) */

typedef struct {
  pthread_mutex_t lock;  /* one line at a time, whole */
  int fd;                /* where lines go (standard error) */
} serve_log;

void serve_log_init(serve_log *log, int fd);
void serve_log_fini(serve_log *log);

/* Writes `event` as one compact JSON line, with "time" (UTC, milliseconds) put first.
 * Takes the caller's reference to `event`. */
void serve_log_write(serve_log *log, json_t *event);

/* "2026-12-05T23:01:02.345Z" for `t` into buf (at least 32 bytes). */
void serve_time_iso(const struct timespec *t, char *buf, size_t size);

/* ---------------------------------------------------------------- rule sets (serve_rules.c) */

/* One compiled rule set and what is needed to evaluate with it. */
typedef struct serve_rules {
  elig_ruleset *rs;
  atomic_uint refs;            /* the holder's while current, plus one per request */
  pthread_mutex_t pool_lock;
  elig_ctx **pool;             /* contexts not in use */
  size_t npool, pool_cap;
  char loaded_at[32];          /* when it was compiled, ISO 8601 UTC */
} serve_rules;

/* The identity of one watched file as stat(2) saw it. */
typedef struct {
  char *path;
  bool exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime, ctime;
} serve_file_stat;

typedef struct {
  serve_file_stat *files;
  size_t n;
} serve_file_sig;

/* The rule set in force, and the record of the last attempt to replace it. */
typedef struct {
  pthread_mutex_t lock;        /* guards `current` and `failure` */
  serve_rules *current;
  char *root;                  /* the root rule file, as given */
  json_t *failure;             /* the last failed reload (its time and diagnostics), or NULL
                                  once a later one succeeds */
  serve_file_sig loaded;       /* the files of the last attempt, as they were then */
  serve_file_sig seen;         /* as the last poll saw them */
  serve_log *log;
} serve_holder;

/* Compiles `root` into the holder's first rule set.  On failure prints the diagnostics
 * (rendered, with carets) to stderr and returns false. */
bool serve_holder_init(serve_holder *h, const char *root, serve_log *log);
void serve_holder_fini(serve_holder *h);

/* Compiles the rule files again, aside, and swaps the result in when it compiles; when it
 * does not, the set in force stays and the failure is logged and kept for /v1/rules.
 * `cause` ("SIGHUP", "file changed") goes into the log line.  One caller at a time (the main
 * thread).  Returns whether a new set is now in force. */
bool serve_holder_reload(serve_holder *h, const char *cause);

/* Polls the rule files: reloads once a change has held still for one poll (an editor's save
 * in two steps is not compiled half-written).  Main thread only. */
void serve_holder_poll(serve_holder *h);

/* The rule set in force, with a reference the caller gives back with serve_rules_release. */
serve_rules *serve_holder_acquire(serve_holder *h);
void serve_rules_release(serve_rules *r);

/* The last failed reload as a new JSON object (the caller's), or NULL. */
json_t *serve_holder_failure(serve_holder *h);

/* A context of r for one request, and back.  NULL when out of memory. */
elig_ctx *serve_rules_ctx_take(serve_rules *r);
void serve_rules_ctx_give(serve_rules *r, elig_ctx *ctx);

/* ---------------------------------------------------------------- request bodies (serve_body.c) */

typedef enum {
  BODY_EMPTY,    /* nothing but white space */
  BODY_ONE,      /* one JSON value: one record, answered as one */
  BODY_LINES,    /* JSON Lines: a record per non-blank line */
  BODY_ARRAY     /* a JSON array of records */
} body_shape;

typedef struct {
  const char *text;            /* one record's JSON text */
  size_t len;
  size_t number;               /* BODY_LINES: its line (from 1); BODY_ARRAY: its index (from 0) */
  size_t line;                 /* the line of the body where the text begins (from 1) */
  size_t column;               /* and its byte column there (from 1) */
} body_record;

typedef struct {
  const char *body;
  size_t len;
  body_shape shape;
  size_t pos;                  /* where the next record starts looking */
  size_t line;                 /* BODY_LINES: the line at pos; BODY_ARRAY: at `counted` */
  size_t line_start;           /* BODY_ARRAY: where that line starts */
  size_t counted;              /* BODY_ARRAY: newlines are counted up to here */
  size_t index;                /* BODY_ARRAY: records handed out */
  bool done;
  char error[160];             /* a malformed array: what is wrong, "" otherwise */
} body_reader;

/* Looks at a request body and decides its shape.  `lines` (the request said it sends JSON
 * Lines) makes any body but an empty one BODY_LINES.  Otherwise: an array is BODY_ARRAY; a
 * body whose first line holds a whole object with more records on later lines is BODY_LINES;
 * anything else is BODY_ONE (a pretty-printed object, or text the library will reject with a
 * position). */
void body_reader_init(body_reader *r, const char *body, size_t len, bool lines);

/* The next record; false at the end, or when an array turns out malformed (r->error says
 * why, with the byte offset). */
bool body_next(body_reader *r, body_record *rec);

/* ---------------------------------------------------------------- HTTP (serve_http.c) */

typedef struct {
  size_t max_body;             /* bytes of a request body */
  unsigned request_timeout;    /* seconds to receive a whole request body */
} serve_limits;

typedef struct {
  serve_holder *holder;
  serve_log *log;
  serve_limits limits;
  atomic_uint in_flight;       /* requests begun and not yet completed */
} serve_http;

/* libmicrohttpd's access handler and completion callback; cls is a serve_http. */
enum MHD_Result serve_http_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                       const char *version, const char *upload, size_t *upload_size,
                       void **req_cls);
void serve_http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe);

#endif
