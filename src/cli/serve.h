/*
 * serve.h -- `elig serve`: the HTTP JSON service, in parts.
 *
 * The service is an embedder like any other: it uses the public library (elig.h) only, with
 * libmicrohttpd for HTTP and jansson for the JSON it writes itself (errors, /v1/rules, logs;
 * results come formatted from the library, exactly as `elig run --format jsonl` writes them).
 *
 *   cmd_serve.c       options, start, the signal loop (reload, stop), watching the rule files
 *   serve_rules.c     the rule set in force: compiled aside, swapped in atomically, counted by
 *                     reference so that a request finishes on the set it started with; a
 *                     pool of evaluation contexts per set
 *   serve_route.c     the route table, and a request's life in libmicrohttpd: its method,
 *                     path and query parameters checked, its body taken in within the limits,
 *                     refusals, its handler called, its log line
 *   serve_handlers.c  what each endpoint answers: records evaluated or explained, the rule
 *                     set described, health; the library's errors as JSON, told by codes
 *   serve_respond.c   a response queued, with the rule-set hash; JSON bodies, error objects
 *   serve_body.c      how a request body is cut into records: one object, JSON Lines, an array
 *   serve_log.c       one JSON line per event on the log, never a record's contents
 *   serve_auth.c      bearer tokens from a file, with scopes; reloaded like the rules
 *   serve_front.c     the front door: accepts connections, holds each until its first
 *                     request head is in, answers a malformed one in JSON, hands the others
 *                     to libmicrohttpd
 *   serve_head.c      how that first head is judged (RFC 9112), at no cost of a copy
 *   serve_conn.c      the connections held open: refused past the limit (in all and per
 *                     client), the slowest waiting closed first, and closed when a request
 *                     head is too slow
 *   serve_pool.c      the worker threads that evaluate, apart from the network threads, and
 *                     their bounded queue
 *   serve_tls.c       HTTPS: the certificate and key (read again on SIGHUP), client
 *                     certificates checked before a request is routed
 *   serve_metrics.c   counters for GET /metrics (requests, durations, records, reloads)
 *                     and their Prometheus text
 *   serve_workbench.c the folder --workbench may edit: paths checked, files read and
 *                     written whole, saved versions, the workbench's static assets
 *   serve_workbench_api.c
 *                     the workbench's routes: its page, files, checks as one types, fmt,
 *                     tests with coverage, saves (doc/workbench.md)
 *   serve_workbench_data.c
 *                     the registers the workbench may read (--workbench-data, uploads):
 *                     listed, uploaded, a household picked from one and explained
 *   serve_workbench_impact.c
 *                     the Impact page's job: elig_diff of two rule sets over a register on
 *                     a thread of its own, its progress, cancel, report and list
 *
 * A request goes serve_route.c -> a handler of serve_handlers.c -> serve_respond.c.  The
 * router knows routes, not what their handlers do; a handler gets a request and its body,
 * with the query parameters already checked, and never looks at the URL or the method.
 */
#ifndef ELIG_SERVE_H
#define ELIG_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include <elig.h>

/* ---------------------------------------------------------------- the log (serve_log.c) */

typedef struct {
  pthread_mutex_t lock; /* one line at a time, whole */
  int fd;               /* where lines go (standard error) */
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
  atomic_uint refs; /* the holder's while current, plus one per request */
  pthread_mutex_t pool_lock;
  elig_ctx **pool; /* contexts not in use */
  size_t npool, pool_cap;
  const char *register_path; /* --register: each context reads history from it */
  struct serve_reg_of *regs; /* every context made, with its register handle */
  size_t nregs, regs_cap;
  char loaded_at[32]; /* when it was compiled, ISO 8601 UTC */
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
  pthread_mutex_t lock; /* guards `current` and `failure` */
  serve_rules *current;
  char *root;            /* the root rule file, as given */
  json_t *failure;       /* the last failed reload (its time and diagnostics), or NULL
                                  once a later one succeeds */
  bool acknowledged;     /* an operator has seen `failure` (POST /v1/admin/acknowledge) */
  serve_file_sig loaded; /* the files of the last attempt, as they were then */
  serve_file_sig seen;   /* as the last poll saw them */
  serve_log *log;
  const char *register_path; /* --register, or NULL */
  bool register_refused;     /* serve_holder_init failed: the register does not fit */
  /* what counts the reloads, or NULL */
  struct serve_metrics *metrics;
} serve_holder;

/* Compiles `root` into the holder's first rule set.  On failure prints the diagnostics
 * (rendered, with carets) to stderr and returns false. */
bool serve_holder_init(serve_holder *h, const char *root, const char *register_path,
                       serve_log *log);
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

/* Whether the service is ready: no reload has failed since the last that succeeded, or an
 * operator has acknowledged the failure. */
bool serve_holder_ready(serve_holder *h);

/* Acknowledges the last failed reload; false when there is none. */
bool serve_holder_acknowledge(serve_holder *h);

/* A context of r for one request, and back.  NULL when out of memory. */
elig_ctx *serve_rules_ctx_take(serve_rules *r);
void serve_rules_ctx_give(serve_rules *r, elig_ctx *ctx);

/* ---------------------------------------------------------------- request bodies (serve_body.c) */

typedef enum {
  BODY_EMPTY, /* nothing but white space */
  BODY_ONE,   /* one JSON value: one record, answered as one */
  BODY_LINES, /* JSON Lines: a record per non-blank line */
  BODY_ARRAY  /* a JSON array of records */
} body_shape;

typedef struct {
  const char *text; /* one record's JSON text */
  size_t len;
  size_t number; /* BODY_LINES: its line (from 1); BODY_ARRAY: its index (from 0) */
  size_t line;   /* the line of the body where the text begins (from 1) */
  size_t column; /* and its byte column there (from 1) */
} body_record;

typedef struct {
  const char *body;
  size_t len;
  body_shape shape;
  size_t pos;        /* where the next record starts looking */
  size_t line;       /* BODY_LINES: the line at pos; BODY_ARRAY: at `counted` */
  size_t line_start; /* BODY_ARRAY: where that line starts */
  size_t counted;    /* BODY_ARRAY: newlines are counted up to here */
  size_t index;      /* BODY_ARRAY: records handed out */
  bool done;
  char error[160]; /* a malformed array: what is wrong, "" otherwise */
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

/* How many records r has left to hand out, counted up to limit + 1 (a reader copy walks
 * them; r is not moved). */
size_t body_count(const body_reader *r, size_t limit);

/* Where a place in a record's text (line and byte column, from 1: the library's place of
 * malformed JSON) is in the body the record was cut from, into *body_line and
 * *body_column: a client wants the place in what it sent, not in a piece of it. */
void body_place(const body_record *rec, size_t line, size_t column, size_t *body_line,
                size_t *body_column);

/* ---------------------------------------------------------------- languages (serve_language.c) */

/* The language to answer in ("zh_CN" or "en", for elig_set_thread_language) from an
 * Accept-Language header (NULL: none): the offered language the client rates highest, the
 * first of equals; English when it names none of them or rates them all q=0. */
const char *serve_answer_language(const char *accept_language);

/* ---------------------------------------------------------------- workers (serve_pool.c) */

typedef struct serve_pool serve_pool;

typedef struct {
  void (*run)(void *arg);
  void *arg;
} serve_job;

/* Starts `threads` workers with room for `queue` jobs waiting; NULL when it cannot. */
serve_pool *serve_pool_start(size_t threads, size_t queue);

/* Adds a job; false when `queue` jobs already wait (or the pool stops).  `before(before_arg)`
 * runs, when the job is taken, before any worker can see it. */
bool serve_pool_submit(serve_pool *p, serve_job job, void (*before)(void *), void *before_arg);

/* Jobs waiting, workers running one, workers in all. */
size_t serve_pool_waiting(serve_pool *p);
size_t serve_pool_busy(serve_pool *p);
size_t serve_pool_threads(const serve_pool *p);

/* Takes no more jobs (serve_pool_submit says false: the request is answered busy), lets the
 * workers finish those queued, and joins them; the pool stays valid to ask. */
void serve_pool_finish(serve_pool *p);

/* serve_pool_finish, then frees the pool. */
void serve_pool_stop(serve_pool *p);

/* ---------------------------------------------------------------- tokens (serve_auth.c) */

/* What a token may do; a route needs one of them (or none: /healthz, /readyz). */
enum {
  SCOPE_EVALUATE = 1u << 0,
  SCOPE_EXPLAIN = 1u << 1,
  SCOPE_RULES = 1u << 2,
  SCOPE_ADMIN = 1u << 3,
  SCOPE_METRICS = 1u << 4, /* /metrics alone: what a Prometheus scraper needs, no more */
  SCOPE_EDIT = 1u << 5,    /* the workbench's saves: reading the rules is `rules` */
  SCOPE_IMPACT = 1u << 6,  /* the workbench's registers (--workbench-data, uploads): Impact,
                              its list of households, a household picked for Explain.  They
                              hold personal data, which `rules` and `edit` never show */
};
#define SCOPE_LAST SCOPE_IMPACT

typedef struct {
  struct serve_token *tokens;
  size_t n;
} serve_token_set;

typedef struct {
  pthread_rwlock_t lock; /* guards `set` */
  const char *path;      /* --tokens, or NULL: no authentication */
  serve_token_set *set;
  bool stat_ok; /* the file as the last reload saw it */
  ino_t ino;
  off_t size;
  struct timespec mtime;
} serve_auth;

typedef enum {
  AUTH_OK,            /* a token that has the scope, or no --tokens */
  AUTH_NO_TOKEN,      /* no Authorization: Bearer header */
  AUTH_UNKNOWN_TOKEN, /* a token the file does not hold */
  AUTH_NO_SCOPE       /* a known token without the scope */
} serve_auth_verdict;

/* Parses the text of a tokens file; NULL with why ("line N: ...") when it does not parse. */
serve_token_set *serve_tokens_parse(const char *text, size_t len, char *why, size_t size);
void serve_tokens_free(serve_token_set *set);

/* Reads `path` (NULL: no authentication); false with why when it cannot be read or parsed. */
bool serve_auth_init(serve_auth *a, const char *path, char *why, size_t size);
/* Reads the file again: the new tokens are in force, or (false, why) the old ones stay. */
bool serve_auth_reload(serve_auth *a, char *why, size_t size);
/* Whether the file is not as the last reload saw it. */
bool serve_auth_changed(serve_auth *a);
void serve_auth_fini(serve_auth *a);
size_t serve_auth_count(serve_auth *a);

/* Whether the Authorization header (NULL: none) carries a token with `scope`; the token's
 * name into `name` when it is known. */
serve_auth_verdict serve_auth_check(serve_auth *a, const char *authorization, unsigned scope,
                                    char *name, size_t size);

/* "evaluate", ... for one SCOPE_ bit. */
const char *serve_scope_name(unsigned scope);

/* Makes a random token for NAME with SCOPES (a comma-separated list) and writes it and its
 * line of the tokens file to out; false with why on a bad name or scope list. */
bool serve_new_token(const char *name, const char *scopes, FILE *out, char *why, size_t size);

/* ---------------------------------------------------------------- connections (serve_conn.c) */

/* A client's address as connections are counted per client: the family and the address
 * bytes (4 for IPv4, 16 for IPv6), without the port. */
typedef struct {
  unsigned char family;
  unsigned char bytes[16];
} serve_client;

serve_client serve_client_of(const struct sockaddr *addr);

typedef struct {
  pthread_mutex_t lock;
  struct serve_conn *head;           /* the connections libmicrohttpd holds */
  unsigned open;                     /* how many */
  unsigned at_door;                  /* connections the front door holds (serve_front.c) */
  unsigned handed;                   /* handed to libmicrohttpd, not yet started there */
  unsigned max;                      /* --max-connections, over both */
  unsigned max_per_client;           /* --max-per-client, over both; 0: no limit */
  unsigned header_timeout;           /* --header-timeout, seconds */
  struct serve_client_slot *clients; /* connections per address */
  size_t clients_mask;
  unsigned refused, evicted, timed_out; /* since the last sweep */
} serve_conns;

/* What a sweep saw and did. */
typedef struct {
  unsigned open;      /* connections open */
  unsigned timed_out; /* closed: no whole request head in time */
  unsigned refused;   /* refused since the last sweep: the limit, no slow one to close */
  unsigned evicted;   /* closed since the last sweep to make room: waiting for a head */
} serve_conns_tally;

void serve_conns_init(serve_conns *t, unsigned max, unsigned max_per_client,
                      unsigned header_timeout);
void serve_conns_fini(serve_conns *t);

typedef enum {
  SERVE_CONNS_TAKEN,       /* counted as at the door */
  SERVE_CONNS_FULL,        /* --max-connections, and no connection of libmicrohttpd's has
                              waited a second for its head (the door may close one of its own
                              and ask again) */
  SERVE_CONNS_CLIENT_FULL, /* --max-per-client (counted as refused) */
} serve_conns_verdict;

/* The front door asks whether it may take a new connection from client; when the table is
 * full, the connection of libmicrohttpd's waiting longest for its head (a second at least)
 * is closed to make room. */
serve_conns_verdict serve_conns_take(serve_conns *t, const serve_client *client);

typedef enum {
  SERVE_CONNS_HANDED_OVER,
  SERVE_CONNS_CLOSED,
  SERVE_CONNS_EVICTED,
  SERVE_CONNS_TIMED_OUT
} serve_conns_event;

/* A connection taken leaves the door: handed to libmicrohttpd (counted until it starts
 * there), or closed (and why). */
void serve_conns_leave_door(serve_conns *t, const serve_client *client, serve_conns_event why);

/* libmicrohttpd refused a connection handed over (it closed it): uncounted. */
void serve_conns_handover_failed(serve_conns *t, const serve_client *client);

/* A connection the door refused (the table full). */
void serve_conns_refused(serve_conns *t);

/* libmicrohttpd's connection notification; cls is the table. */
void serve_conns_notify(void *cls, struct MHD_Connection *mhd, void **socket_context,
                        enum MHD_ConnectionNotificationCode code);

/* A request's head is in on mhd (begins), or its request is over (the clock for the next
 * head starts). */
void serve_conns_request(serve_conns *t, struct MHD_Connection *mhd, bool begins);

/* Closes the connections whose request head is overdue; main thread, every quarter second.
 * Counts also what the door did since the last sweep. */
serve_conns_tally serve_conns_sweep(serve_conns *t);

/* Connections open, at the door included. */
unsigned serve_conns_open(serve_conns *t);

/* ---------------------------------------------------------------- the first request head
 * (serve_head.c) */

typedef struct {
  size_t max_head;     /* bytes of a whole head, its empty line included */
  size_t max_target;   /* bytes of the request target */
  unsigned max_fields; /* header lines */
} serve_head_limits;

typedef struct {
  unsigned status;   /* 0: a good head, for libmicrohttpd; else the status to answer */
  const char *code;  /* the error's code, as the service's other errors have them */
  char message[128]; /* what is wrong, in English */
  char method[16];   /* the method as sent (token characters only, cut), "?" when none */
} serve_head_verdict;

/* Judges the bytes [0, len) a connection sent first.  False: no verdict yet, the head is not
 * all in and may be with more bytes.  True: the verdict, good (status 0) or the error to
 * answer; once len reaches lim->max_head there is always one. */
bool serve_head_check(const char *buf, size_t len, const serve_head_limits *lim,
                      serve_head_verdict *v);

/* ---------------------------------------------------------------- metrics (serve_metrics.c) */

/* What /metrics counts, since the start: requests by endpoint, method and status, their
 * durations, records, reloads.  The counting side is lock-free (relaxed atomics, no
 * allocation) and may be called from any thread; every function below takes a NULL
 * serve_metrics (--no-metrics) and then does nothing. */
typedef struct serve_metrics serve_metrics;

/* NULL when out of memory. */
serve_metrics *serve_metrics_new(void);
void serve_metrics_free(serve_metrics *m);

/* A request is over: `endpoint` is its route's path, a string that lives as long as the
 * service (the route table's), or NULL for a path that is no route ("other"); `method` as
 * sent; `status` as answered, 0 when nothing was; `seconds` from its headers to its end;
 * the records it evaluated and how many of them were rejected. */
void serve_metrics_request(serve_metrics *m, const char *endpoint, const char *method,
                           unsigned status, double seconds, size_t records, size_t rejected);

/* A reload is over; `outcome` as its log line says it: "replaced", "unchanged", or a text
 * that begins with "failed". */
void serve_metrics_reload(serve_metrics *m, const char *outcome);

/* The gauges of a scrape, as the connection table and the worker pool tell them. */
typedef struct {
  unsigned long long connections, in_flight, queue, busy, workers;
} serve_gauges;

/* What the counters say now, with the rule set `rs` (loaded at `loaded_at`, as serve_rules
 * has it), whether the last reload failed, and the gauges, in the Prometheus text format
 * 0.0.4; the text is malloc'd, *len its length; NULL when out of memory. */
char *serve_metrics_render(const serve_metrics *m, const elig_ruleset *rs, const char *loaded_at,
                           bool last_reload_failed, const serve_gauges *gauges, size_t *len);

/* ---------------------------------------------------------------- a request's decisions
 * (serve_decisions.c; the functions are at the end, with the other parts of the decision log) */

/* What a request needs to log its decisions: all zero (off) unless --decision-log is given. */
typedef struct {
  bool on;             /* its decisions are logged */
  bool one;            /* the body is one record: Elig-Decision-Id names its decision */
  size_t count;        /* decisions made so far: the next is REQUEST-(count + 1) */
  char request_id[33]; /* 32 hex digits: 128 random bits */
  char header[48];     /* Elig-Decision-Id, "" until the first decision */
  char as_of[16];      /* the evaluation date the records are evaluated on */
  char client[64];     /* the client's address */
} serve_decision_req;

/* ---------------------------------------------------------------- routing (serve_route.c) */

typedef struct {
  size_t max_body;          /* bytes of a request body */
  unsigned request_timeout; /* seconds to receive a whole request body */
  size_t max_records;       /* records in one request */
  size_t max_output;        /* bytes of one response body */
  unsigned eval_timeout_ms; /* milliseconds of evaluation for one request */
  size_t max_buffered;      /* bytes of request bodies held at once, over all requests */
  size_t inline_body;       /* bodies up to this are evaluated on the network thread */
} serve_limits;

/* The service, as every request sees it. */
typedef struct {
  serve_holder *holder;
  serve_log *log;
  serve_limits limits;
  serve_pool *pool;       /* where evaluation runs */
  serve_conns *conns;     /* the connections open */
  serve_auth *auth;       /* who may ask what */
  bool rules_endpoint;    /* GET /v1/rules answers (--no-rules-endpoint: 404) */
  atomic_uint in_flight;  /* requests begun and not yet completed */
  atomic_size_t buffered; /* bytes of request bodies held now (limits.max_buffered) */
  struct serve_tls *tls;  /* HTTPS (serve_tls.c), or NULL: plain HTTP */

  struct serve_decisions *decisions; /* --decision-log, or NULL (serve_decisions.c) */
  /* what GET /metrics tells; NULL with --no-metrics */
  serve_metrics *metrics;
  struct serve_workbench *workbench; /* --workbench DIR, or NULL: its routes answer 404 */
} serve_http;

/* ---------------------------------------------------------------- the front door
 * (serve_front.c) */

typedef struct serve_front serve_front;

/* A listening socket on addr; -1 with errno when it cannot be had. */
int serve_front_listen(const struct sockaddr_storage *addr);

/* The port a listening socket is bound to (the one picked, for port 0). */
unsigned serve_front_port(int listen_fd);

/* Starts the thread that accepts on listen_fd (which it then owns), counts each connection
 * in http->conns, reads the first request head of each when `screen` (plain HTTP) and
 * answers a malformed one itself, in JSON; hands the others to d.  NULL when out of memory
 * (listen_fd closed). */
serve_front *serve_front_start(int listen_fd, struct MHD_Daemon *d, serve_http *http, bool screen);

/* Stops accepting, closes the connections still at the door and the listening socket. */
void serve_front_stop(serve_front *f);

/* One request as a handler and the response helpers see it.  The router makes it when the
 * headers are in and frees it once the request is completed, after writing its log line from
 * what is here; everything else about the request (its path, its body as it comes in, a
 * refusal) is the router's own. */
typedef struct {
  serve_http *http;
  serve_rules *rules;          /* the set this request is answered with, from its first byte
                                  to its last: the router holds the reference */
  struct MHD_Connection *conn; /* where the response goes */
  bool responded;              /* a response is queued (set by serve_respond) */
  unsigned status;             /* its status, for the log (408: the body came too slowly) */
  size_t bytes_out;            /* the length of its body */
  size_t records, rejected;    /* records evaluated, and those that failed (the handlers
                                  count them; the log says them) */
  size_t ignored_keys;         /* JSON keys that were no field, over all the records */
  const char *language;        /* what its messages are in (Accept-Language), for a worker */
  char token[64];              /* the name of the token it came with, "" without */
  char asset[72];              /* GET /workbench/NAME: NAME, as sent ("" for the page) */
  serve_decision_req decision; /* its decisions' ids, for the decision log */
} serve_request;

/* A request's body, whole, as a handler gets it. */
typedef struct {
  const char *text; /* "" when there is none; not NUL-terminated */
  size_t len;
  bool json_lines; /* the Content-Type says JSON Lines (application/x-ndjson...) */
} serve_body;

/* What answers a route: queues a response (serve_respond...) and returns what that returned;
 * MHD_NO makes libmicrohttpd close the connection. */
typedef enum MHD_Result serve_handler(serve_request *rq, const serve_body *body);

/* libmicrohttpd's access handler and completion callback; cls is a serve_http. */
enum MHD_Result serve_http_request(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **req_cls);
void serve_http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe);

/* The client's address of connection c, numeric ("127.0.0.1", "::1"), or "?". */
void serve_client_address(struct MHD_Connection *c, char *out, size_t size);

/* libmicrohttpd's URI log callback: the request line is in; returns the request's state. */
void *serve_http_uri(void *cls, const char *uri, struct MHD_Connection *c);

/* Notes that libmicrohttpd has itself answered a request on this thread with `status` (its
 * error log says so): that request's log line shows it. */
void serve_http_library_error(unsigned status);

/* A query parameter of the request's route, for its handler.  The router has checked, before
 * calling the handler, that the request names no other parameter and that each value is one
 * its kind takes (route table, serve_route.c), so these cannot fail.
 *   serve_param       the value as given (borrowed, valid for the request), or NULL when the
 *                     parameter is absent or given without '='
 *   serve_param_bool  a yes/no parameter: false when absent */
const char *serve_param(const serve_request *rq, const char *name);
bool serve_param_bool(const serve_request *rq, const char *name);

/* ---------------------------------------------------------------- responses (serve_respond.c) */

/* Queues `body` (malloc'd; taken, also on failure) with status, Content-Type `type`, the
 * rule-set hash (Elig-Rules-Hash) and any extra headers (name, value pairs, NULL-terminated;
 * NULL for none), and notes it in rq for the log.  Returns MHD_NO when it cannot (out of
 * memory): libmicrohttpd then closes the connection. */
enum MHD_Result serve_respond(serve_request *rq, unsigned status, const char *type, char *body,
                              size_t len, const char *const *headers);

/* Queues the `size` bytes of the regular file open on fd (taken, also on failure) as the
 * body, as serve_respond does a buffer; the file is read as it is sent. */
enum MHD_Result serve_respond_fd(serve_request *rq, unsigned status, const char *type, int fd,
                                 uint64_t size, const char *const *headers);

/* Queues `doc` (taken) as an application/json body, indented, with "rules" (the hash) added
 * and a final newline. */
enum MHD_Result serve_respond_json(serve_request *rq, unsigned status, json_t *doc,
                                   const char *const *headers);

/* {"code": CODE, "error_code": ERROR_CODE, "message": MESSAGE}, a new object (the
 * caller's), for the members that locate an error to be added to.  CODE is the service's
 * word for the error; ERROR_CODE the library's stable code (elig_error_code), or NULL for an
 * error that is the service's own or has none (then left out). */
json_t *serve_error_object(const char *code, const char *error_code, const char *message);

/* Queues {"error": {"code": CODE, "message": MESSAGE}, "rules": HASH} with status. */
enum MHD_Result serve_respond_error(serve_request *rq, unsigned status, const char *code,
                                    const char *message, const char *const *headers);

/* ---------------------------------------------------------------- handlers (serve_handlers.c) */

/* POST /v1/evaluate (as_of, aggregates), POST /v1/explain (as_of, format), GET /v1/rules,
 * GET /healthz: each answers rq, whatever it finds wrong included. */
enum MHD_Result serve_handle_evaluate(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_explain(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_rules(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_health(serve_request *rq, const serve_body *body);
/* GET /readyz: 200 ready, or 503 with the reason; POST /v1/admin/acknowledge. */
enum MHD_Result serve_handle_ready(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_acknowledge(serve_request *rq, const serve_body *body);

/* GET /metrics (serve_metrics.c): the counters in the Prometheus text format. */
enum MHD_Result serve_handle_metrics(serve_request *rq, const serve_body *body);

/* ---------------------------------------------------------------- the workbench
 * (serve_workbench.c: the folder and its files; serve_workbench_api.c: the routes) */

/* The default of --workbench-upload-max: a county's register of some 300,000 households as
 * CSV; a larger one goes in the data folder. */
#define WB_UPLOAD_MAX_DEFAULT (32u << 20)

typedef struct serve_workbench {
  int dir_fd;               /* DIR, opened once: every path is opened beneath it */
  char *dir;                /* DIR as given, for messages */
  char *root;               /* the rule file served, relative to DIR: what a check compiles */
  int assets_fd;            /* the folder of the page and its scripts, or -1: not built */
  bool host_check;          /* no authentication: only loopback Host names (DNS rebinding) */
  char csrf[65];            /* the token POSTs must carry in X-Elig-CSRF: 256 random bits, hex */
  pthread_mutex_t lock;     /* one save at a time */
  int data_fd;              /* --workbench-data: the registers Impact and Explain may read, opened
                           once as DIR is; -1 without */
  char *data_dir;           /* as given, for the log */
  size_t upload_max;        /* --workbench-upload-max: bytes of an uploaded register; 0: none */
  struct wb_upload *upload; /* the register uploaded last (serve_workbench_data.c) */
  struct wb_impact *impact; /* the impact job (serve_workbench_impact.c) */
} serve_workbench;

/* Opens DIR for the workbench, with `rules` (the rule file served) inside it and the
 * assets folder (NULL or absent: the page answers 404 workbench_not_built); false with why
 * (translated) when DIR cannot be opened or the rule file is not in it. */
bool serve_workbench_open(serve_workbench *wb, const char *dir, const char *rules,
                          const char *assets, char *why, size_t size);
/* Opens the data folder (--workbench-data) as DIR is opened; false with why (translated). */
bool serve_workbench_open_data(serve_workbench *wb, const char *dir, char *why, size_t size);
/* Stops the impact job (cancelled, waited for) and closes it all. */
void serve_workbench_close(serve_workbench *wb);

/* Whether a path a client names may be a rule file of DIR: UTF-8, relative, no "." or ".."
 * component, no hidden one, no control character, ending in ".rules". */
bool wb_path_ok(const char *path);
/* The same for a register of the data folder: ending in .csv, .jsonl, .ndjson or .json. */
bool wb_data_path_ok(const char *path);
/* A register's format by its name, as the command line says it (JSON Lines for .jsonl,
 * .ndjson and .json; CSV otherwise). */
elig_input_format wb_register_format(const char *name);
/* The regular file `path` opened for reading beneath dir_fd without following any link, its
 * size in *size; -1 with *err an errno value (ELOOP: a link on the way; EINVAL: no regular
 * file). */
int wb_open_regular(int dir_fd, const char *path, uint64_t *size, int *err);
/* The file's text (malloc'd, NUL-terminated; at most 1 MiB) opened beneath dir_fd without
 * following any link; NULL with *err an errno value (ELOOP: a link on the way). */
char *wb_read(int dir_fd, const char *path, size_t *len, int *err);
/* Writes all len bytes to fd, again after a signal; false (errno set) when it cannot. */
bool wb_write_all(int fd, const char *text, size_t len);
/* Replaces (or makes) the file with the text, whole (a temporary file renamed over it);
 * 0 or an errno value.  The file's folder must exist. */
int wb_write(int dir_fd, const char *path, const char *text, size_t len);
/* The rule files beneath dir_fd, sorted, hidden entries and links left out; *full when there
 * are more than the 1000 listed.  NULL when out of memory.  Free with wb_free_list. */
char **wb_list(int dir_fd, size_t *n, bool *full);
/* The same for the registers beneath the data folder. */
char **wb_list_registers(int data_fd, size_t *n, bool *full);
void wb_free_list(char **paths, size_t n);

/* Every rule file of DIR as texts for elig_compile_sources, with `path`'s replaced by
 * `text` (the editor's, not yet saved; added when the file is new).  path NULL: as on disk. */
typedef struct {
  elig_source *files;
  size_t n;
} wb_sources;
bool wb_sources_read(int dir_fd, const char *path, const char *text, size_t len, wb_sources *s);
void wb_sources_free(wb_sources *s);

/* The SHA-256 of text as 64 hex digits; whether s is such a hash. */
void wb_sha256_hex(const char *text, size_t len, char out[65]);
bool wb_hex64_ok(const char *s);

/* Saved versions (DIR/.elig-history): adds one (0 or an errno value); the saves of path,
 * newest first (a new array); the text of one by its hash (as wb_read). */
int wb_history_add(int dir_fd, const char *path, const char *text, size_t len, const char *sha256,
                   const char *rules_hash, const char *by);
json_t *wb_history_of(int dir_fd, const char *path);
char *wb_history_text(int dir_fd, const char *sha256, size_t *len, int *err);

/* An asset of the page by its name, its content type in *type; NULL with *err (ENODEV: no
 * assets folder; ENOENT: no such asset). */
char *wb_asset(const serve_workbench *wb, const char *name, size_t *len, const char **type,
               int *err);

/* What the routes of the workbench share (serve_workbench_api.c):
 *   wb_refused       answers 403 when the request is refused: a Host that is no loopback
 *                    name without authentication; for a POST (`post`), no CSRF token or an
 *                    Origin of another site
 *   wb_path_param    the parameter `name` checked as a rule file's path; NULL after
 *                    answering 400 bad_path
 *   wb_text_request  the guards of a POST that sends a rule file's text (the two above, and
 *                    413 beyond 1 MiB); the path, or NULL after answering
 *   wb_file_error    a failure to read or write a file of DIR, answered (404, 403, 413, 503,
 *                    500)
 *   wb_diags_doc     {"ok", "errors", "warnings", "diagnostics"} of one compilation
 *   wb_compile_with  the rules of DIR with path's text as given (see serve_workbench_api.c);
 *                    `root` NULL: the served root, or path when that does not reach it;
 *                    *root says which.  False when out of memory or DIR cannot be listed
 *   wb_out_of_memory 503 out_of_memory
 *   wb_has_scope     whether the request's token has `scope` as well (a route that needs
 *                    two); 403 forbidden answered when not */
bool wb_refused(serve_request *rq, bool post, enum MHD_Result *answer);
const char *wb_path_param(serve_request *rq, const char *name, enum MHD_Result *answer);
const char *wb_text_request(serve_request *rq, const serve_body *body, enum MHD_Result *answer);
enum MHD_Result wb_file_error(serve_request *rq, int err);
json_t *wb_diags_doc(const elig_diags *d, bool ok);
bool wb_compile_with(const serve_workbench *wb, const char *path, const char *text, size_t len,
                     elig_ruleset **rs, elig_diags **diags, const char **root);
enum MHD_Result wb_out_of_memory(serve_request *rq);
bool wb_has_scope(serve_request *rq, unsigned scope, enum MHD_Result *answer);

/* An unnamed file for reading and writing in $TMPDIR (else /tmp), gone once closed; -1 with
 * errno.  wb_reopen: the same file opened again, with an offset of its own (a download and
 * the job that replaces the file can read it at once). */
int wb_tmpfile(void);
int wb_reopen(int fd);

/* How long a register's name may be: a path of the data folder (512 bytes, wb_path_ok), or
 * "upload:" and an uploader's name (100). */
#define WB_REGISTER_NAME 520
/* How long a rule set's name in an impact report may be: a root and the path edited, with
 * words around them (translated) and a hash. */
#define WB_RULES_NAME 1200

/* The register uploaded last (serve_workbench_data.c): made at start, freed at the close. */
struct wb_upload *wb_upload_new(void);
void wb_upload_free(struct wb_upload *u);
/* The register a request names, opened for the job or the lookup that reads it: `data`
 * (a register of the data folder) or `upload` (the id POST /v1/workbench/upload gave).  The
 * descriptor (the caller's), its size, format and name for messages (into name); -1 after
 * answering the error. */
int wb_register_param(serve_request *rq, uint64_t *size, elig_input_format *format, char *name,
                      size_t name_size, enum MHD_Result *answer);

/* The impact job (serve_workbench_impact.c): made at start; the free cancels a job that
 * runs and waits for it. */
struct wb_impact *wb_impact_new(void);
void wb_impact_free(struct wb_impact *j);
/* Whether a job runs now (the fuzz harness waits for it before its next input). */
bool wb_impact_running(struct wb_impact *j);

/* The workbench's routes (serve_workbench_api.c, serve_workbench_data.c,
 * serve_workbench_impact.c). */
enum MHD_Result serve_handle_wb_page(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_session(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_files(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_file(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_check(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_fmt(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_test(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_save(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_history(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_version(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_data(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_upload(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_household(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_impact_start(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_impact_status(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_impact_cancel(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_impact_report(serve_request *rq, const serve_body *body);
enum MHD_Result serve_handle_wb_impact_list(serve_request *rq, const serve_body *body);

/* ---------------------------------------------------------------- TLS (serve_tls.c) */

/* The TLS options as given; without cert and key the service speaks plain HTTP. */
typedef struct {
  const char *cert;       /* --tls-cert: PEM, the server's certificate, then its chain */
  const char *key;        /* --tls-key: PEM, its private key, unencrypted */
  const char *client_ca;  /* --tls-client-ca: PEM, the CAs a client certificate must chain
                             to; NULL: none is asked for */
  const char *priorities; /* --tls-priorities: a GnuTLS priority string; NULL: the default */
} serve_tls_options;

/* The default of --tls-priorities: GnuTLS's own choice of algorithms, over TLS 1.3 and 1.2
 * only (1.0 and 1.1 are deprecated, RFC 8996). */
#define SERVE_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

typedef struct serve_tls serve_tls;

/* What is wrong with the TLS options taken together, as a message for cli_usage_error (a
 * literal marked N_), or NULL when nothing is. */
const char *serve_tls_options_error(const serve_tls_options *o);

/* Reads and checks the files the options name, writes a "tls" line (and any warning: a key
 * others may read) on the log, and sets *tls: NULL for plain HTTP.  When a file cannot be
 * used, says which and why on standard error and returns the exit status (EXIT_IO: it cannot
 * be read; EXIT_USAGE: it holds no certificate or key, or they do not belong together);
 * EXIT_OK otherwise.  One per process (GnuTLS calls back into it). */
int serve_tls_start(const serve_tls_options *o, serve_log *log, serve_tls **tls);

/* What libmicrohttpd needs for HTTPS: the daemon's flag (MHD_USE_TLS, or 0 for plain HTTP),
 * and its options, written into items (room for SERVE_TLS_MHD_OPTIONS) for MHD_OPTION_ARRAY,
 * ended by MHD_OPTION_END. */
#define SERVE_TLS_MHD_OPTIONS 4
unsigned serve_tls_daemon_flags(const serve_tls *tls);
void serve_tls_daemon_options(const serve_tls *tls, struct MHD_OptionItem *items);

/* Reads the certificate and key again (SIGHUP: a renewed certificate): handshakes from now
 * on use the new pair, connections open keep theirs.  When the files do not do, the pair in
 * force stays and the log says why.  Main thread only; nothing for plain HTTP. */
void serve_tls_reload(serve_tls *tls, const char *cause);

/* Frees it all, once the daemon has stopped.  NULL: nothing. */
void serve_tls_stop(serve_tls *tls);

/* Whether --tls-client-ca refuses the request rq just begun: no client certificate, or one
 * that does not verify.  Then a 403 is queued (client_certificate_required or
 * client_certificate_invalid) and *answer receives what to return to libmicrohttpd. */
bool serve_tls_refuses(serve_request *rq, enum MHD_Result *answer);

/* ---------------------------------------------------------------- the decision log
 * (serve_decisions.c: the file, its lines, its rotation; serve_mask.c: identifiers masked) */

/* --decision-log and the options that go with it, as given. */
typedef struct {
  const char *path;            /* --decision-log FILE; NULL: no decision log */
  unsigned long long max_size; /* --decision-log-max (0: 100M): a line that would take the
                                  file past it goes to a new one */
  unsigned keep;               /* --decision-log-keep (0: 10): the full files kept, FILE.1 to
                                  FILE.keep */
  bool required;               /* --decision-log-required: a decision not logged is not answered */
  const char *mask;            /* --mask FIELDS; NULL: the rule set's key fields */
  const char *key_path;        /* --mask-key FILE */
} serve_decision_options;

/* The codes getopt_long returns for the options, past every letter. */
enum {
  SERVE_OPT_DECISION_LOG = 0x100,
  SERVE_OPT_DECISION_LOG_MAX,
  SERVE_OPT_DECISION_LOG_KEEP,
  SERVE_OPT_DECISION_LOG_REQUIRED,
  SERVE_OPT_MASK,
  SERVE_OPT_MASK_KEY,
  SERVE_OPT_WORKBENCH,
  SERVE_OPT_WORKBENCH_ASSETS,
  SERVE_OPT_WORKBENCH_DATA,
  SERVE_OPT_WORKBENCH_UPLOAD_MAX
};

/* What is wrong with the options taken together (a message for cli_usage_error, without
 * "%s"), or NULL. */
const char *serve_decision_options_wrong(const serve_decision_options *o);

typedef struct serve_decisions serve_decisions;

/* Reads the mask key (refused when others may read it), checks the --mask names against the
 * rule set in force and opens the log (O_APPEND, created 0600).  On failure says why on
 * standard error and returns EXIT_USAGE or EXIT_IO with *out NULL; EXIT_OK otherwise.  A
 * start without --mask is noted on the log, naming the fields that are masked. */
int serve_decisions_open(const serve_decision_options *o, serve_holder *h, serve_log *log,
                         serve_decisions **out);

/* Flushes the file to disk, notes the failures not yet reported on the log, and frees d
 * (NULL: nothing). */
void serve_decisions_close(serve_decisions *d);

/* A request about to evaluate its records on `as_of` (`one`: its body is one record): from
 * here its decisions are logged, under a new request id.  Nothing when the log is off. */
void serve_decisions_begin(serve_request *rq, const char *as_of, bool one);

/* Logs the decision of one record just evaluated on ctx (st, and res when st is ELIG_OK) for
 * `endpoint`, and names it in Elig-Decision-Id.  Returns NULL, or, with
 * --decision-log-required when the line could not be written, the error to answer instead
 * (a new object, the caller's) with its status in *http.  Nothing when the log is off. */
json_t *serve_decision_log(serve_request *rq, const char *endpoint, elig_ctx *ctx,
                           const body_record *rec, elig_status st, const elig_result *res,
                           unsigned *http);

/* Text being built: the log's lines.  `nomem` once an allocation failed (the text is then
 * incomplete and must not be used). */
typedef struct {
  char *text;
  size_t len, cap;
  bool nomem;
} serve_text;

void serve_text_add(serve_text *t, const char *s, size_t n);
void serve_text_adds(serve_text *t, const char *s);
/* `s` as a JSON string, quoted and escaped (bytes that are not UTF-8 as U+FFFD). */
void serve_text_add_string(serve_text *t, const char *s);

/* The fields to mask and the key of their pseudonyms. */
typedef struct serve_mask serve_mask;

/* From --mask's list ("hh_id,head_id,members[].name"; NULL: the key fields of whatever rule
 * set a record is evaluated with) and the key.  NULL when the list is malformed (error says
 * why) or memory runs out (error is ""). */
serve_mask *serve_mask_new(const char *names, const unsigned char *key, size_t key_len, char *error,
                           size_t size);
void serve_mask_free(serve_mask *m);

/* The first name of --mask that rs does not have as a field (or, for LIST[].NAME, as a list
 * field), and the closest name rs has in *suggest (NULL when none is close); NULL when rs
 * has them all or the mask is the key fields. */
const char *serve_mask_unknown(const serve_mask *m, const elig_ruleset *rs, const char **suggest);

/* Whether m is the default (the key fields); the names masked in rs, comma-separated. */
bool serve_mask_is_default(const serve_mask *m);
void serve_mask_describe(const serve_mask *m, const elig_ruleset *rs, serve_text *out);

/* "hmac:" and the first 32 hex digits of HMAC-SHA256(key, value): 37 bytes and a NUL. */
#define SERVE_PSEUDONYM_SIZE 38
void serve_mask_pseudonym(const serve_mask *m, const char *value, size_t len,
                          char out[SERVE_PSEUDONYM_SIZE]);

/* Appends the JSON object of `len` bytes at `json` to out, compact (white space between
 * tokens left out), every other byte as it was, but the value of each masked key replaced by
 * its pseudonym (null stays null).  `only_fields` (a record as received): keys that are no
 * field of rs are left out, and counted in *left_out.  Returns false, out as it was, when the
 * text is not one JSON object (strict RFC 8259, UTF-8, nested at most 64 deep). */
bool serve_mask_json(const serve_mask *m, const elig_ruleset *rs, bool only_fields,
                     const char *json, size_t len, serve_text *out, size_t *left_out);

#endif
