/*
 * serve_decisions.c -- `elig serve --decision-log FILE`: the audit record of every decision
 * (the parts: serve.h; the masking of identifiers: serve_mask.c).
 *
 * One JSON line per record evaluated by /v1/evaluate or /v1/explain: its decision id, time,
 * rule set, parameters, client, result (or why it was rejected), and the record as received
 * with its identifiers masked.  Each line is written whole, with one write(2) on a file opened
 * O_APPEND, under a lock that also covers rotation: lines of concurrent requests never
 * interleave, and a new file is begun only between two lines.  A line that cannot be
 * written is taken back off the file (ftruncate), so the file holds whole lines only.
 *
 * A log that cannot be written does not stop the service, but is never silent: the failures
 * are counted and reported on the main log once a second, and the recovery too; with
 * --decision-log-required a decision that cannot be logged is not answered (503).
 *
 * Decision ids are the request's id, 128 random bits in hex, then "-" and the record's rank in
 * the request (from 1).  Random rather than a time and a counter: ids stay unique across
 * restarts, instances behind one proxy and clocks set back, without coordination, and say
 * nothing of the service's volume; the lines carry their time for ordering.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

#define DEFAULT_MAX_SIZE (100ULL << 20)
#define DEFAULT_KEEP 10
#define KEY_MIN 16   /* bytes of --mask-key: 128 bits at the least */
#define KEY_MAX 4096 /* more is no key but the wrong file */

struct serve_decisions {
  serve_log *log; /* the main log: failures, warnings */
  serve_mask *mask;
  char *path;
  unsigned long long max_size;
  unsigned keep;
  bool required;
  pthread_mutex_t lock; /* the file: one line at a time, and rotation between two */
  int fd;
  unsigned long long size; /* of the file, as written through fd */
  time_t rotate_after;     /* a rotation failed: not tried again before then */
  /* failures, under the lock too */
  unsigned long long unwritten; /* lines not written, since the start */
  unsigned long long reported;  /* of them, told on the main log */
  time_t reported_at;           /* when last told */
  bool failing;                 /* the last line was not written */
  char checked[80];             /* the hash of the rule set the mask was last checked against */
};

/* ---------------------------------------------------------------- options and start */

const char *serve_decision_options_wrong(const serve_decision_options *o)
{
  if (!o->path && (o->mask || o->key_path || o->required || o->max_size || o->keep))
    return N_("--mask, --mask-key and the other --decision-log-* options go with "
              "--decision-log FILE");
  if (o->path && !o->key_path)
    return N_("--decision-log needs --mask-key FILE: the secret key of the pseudonyms that "
              "stand for identifiers in the log (make one with: openssl rand -hex 32)");
  return NULL;
}

/* The secret key of the pseudonyms: the bytes of the file, its final line break left out
 * (a key written by `openssl rand -hex 32 > FILE` is its 64 characters).  Refused when
 * anyone but its owner may read or change it: with the key, anyone who reads the log can
 * name every household in it. */
static int read_key(const char *path, unsigned char *key, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    /* TRANSLATORS: the file of --mask-key, and the system's reason. */
    cli_say(_("cannot read the mask key '%s': %s"), path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return EXIT_IO;
  }
  int rc = EXIT_USAGE;
  ssize_t n = 0;
  if (!S_ISREG(st.st_mode)) {
    cli_say(_("the mask key '%s' is not a regular file"), path);
  } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    /* TRANSLATORS: the file of --mask-key (twice) and its permissions in octal. */
    cli_say(_("the mask key '%s' may be read or changed by others (mode %04o): let its owner "
              "alone read it (chmod 600 '%s'), and keep it like a password"),
            path, (unsigned)(st.st_mode & 07777), path);
  } else if ((n = read(fd, key, KEY_MAX + 1)) < 0) {
    cli_say(_("cannot read the mask key '%s': %s"), path, strerror(errno));
    rc = EXIT_IO;
  } else {
    *len = (size_t)n;
    if (*len && key[*len - 1] == '\n')
      --*len;
    if (*len && key[*len - 1] == '\r')
      --*len;
    if (*len >= KEY_MIN && *len <= KEY_MAX)
      rc = EXIT_OK;
    else
      /* TRANSLATORS: the file of --mask-key, its size in bytes, the least and the most it
         may have; `openssl rand -hex 32` is a command, typed as it is. */
      cli_say(_("the mask key '%s' has %zu bytes: it needs %d to %d (make one with: openssl "
                "rand -hex 32)"),
              path, *len, KEY_MIN, KEY_MAX);
  }
  close(fd);
  return rc;
}

/* The mask from --mask and the key, checked against the rule set in force. */
static int make_mask(const serve_decision_options *o, const elig_ruleset *rs, serve_mask **out)
{
  unsigned char key[KEY_MAX + 1];
  size_t key_len = 0;
  int rc = read_key(o->key_path, key, &key_len);
  char error[300];
  *out = rc ? NULL : serve_mask_new(o->mask, key, key_len, error, sizeof error);
  explicit_bzero(key, sizeof key);
  if (rc)
    return rc;
  if (!*out) {
    if (!error[0])
      cli_say_status(ELIG_ENOMEM);
    else
      cli_say("--mask: %s", error);
    return error[0] ? EXIT_USAGE : EXIT_IO;
  }
  const char *suggest;
  const char *unknown = serve_mask_unknown(*out, rs, &suggest);
  if (!unknown)
    return EXIT_OK;
  if (suggest)
    /* TRANSLATORS: a name given with --mask, and the field it likely misspells. */
    cli_say(_("--mask: '%s' is no field of the rules; did you mean '%s'?"), unknown, suggest);
  else
    /* TRANSLATORS: a name given with --mask.  LIST[].FIELD is typed as it is. */
    cli_say(_("--mask: '%s' is no field of the rules (or, before [], no list of records)"),
            unknown);
  serve_mask_free(*out);
  *out = NULL;
  return EXIT_USAGE;
}

/* Opens the log file for appending; its size into *size.  -1 (errno set) when it cannot be. */
static int open_log(const char *path, unsigned long long *size)
{
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = fd < 0 ? errno : EINVAL; /* a pipe or a device cannot be rotated */
    if (fd >= 0)
      close(fd);
    errno = err;
    return -1;
  }
  *size = (unsigned long long)st.st_size;
  return fd;
}

/* The masked fields on the main log, when they are the rules' key fields (the default) or
 * when a name of --mask is not a field of `rs`: once per rule set (h: its hash). */
static void check_rules(serve_decisions *d, const elig_ruleset *rs)
{
  const char *hash = elig_ruleset_hash(rs);
  pthread_mutex_lock(&d->lock);
  bool seen = strcmp(d->checked, hash) == 0;
  snprintf(d->checked, sizeof d->checked, "%s", hash);
  pthread_mutex_unlock(&d->lock);
  if (seen)
    return;
  if (serve_mask_is_default(d->mask)) {
    serve_text masked = {0};
    serve_mask_describe(d->mask, rs, &masked);
    serve_text_add(&masked, "", 1);
    if (!masked.nomem)
      serve_log_write(d->log, json_pack("{s:s, s:s, s:s, s:s}", "event", "warning", "message",
                                        "the decision log masks the rules' key fields only: name "
                                        "every identifying field with --mask",
                                        "masked", masked.text, "rules", hash));
    free(masked.text);
    return;
  }
  const char *suggest;
  const char *unknown = serve_mask_unknown(d->mask, rs, &suggest);
  if (unknown)
    serve_log_write(d->log, json_pack("{s:s, s:s, s:s, s:s}", "event", "warning", "message",
                                      "--mask names a field the rules in force do not have: "
                                      "check that every identifying field is still masked",
                                      "field", unknown, "rules", hash));
}

int serve_decisions_open(const serve_decision_options *o, serve_holder *h, serve_log *log,
                         serve_decisions **out)
{
  *out = NULL;
  serve_rules *r = serve_holder_acquire(h);
  serve_mask *mask;
  int rc = make_mask(o, r->rs, &mask);
  serve_decisions *d = rc ? NULL : calloc(1, sizeof *d);
  if (!rc && (!d || !(d->path = strdup(o->path)))) {
    cli_say_status(ELIG_ENOMEM);
    rc = EXIT_IO;
  }
  if (!rc && (d->fd = open_log(o->path, &d->size)) < 0) {
    /* TRANSLATORS: the file of --decision-log, and the system's reason. */
    cli_say(_("cannot open the decision log '%s': %s"), o->path,
            errno == EINVAL ? _("not a regular file") : strerror(errno));
    rc = EXIT_IO;
  }
  if (rc) {
    serve_rules_release(r);
    serve_mask_free(mask);
    if (d)
      free(d->path);
    free(d);
    return rc;
  }
  d->log = log;
  d->mask = mask;
  d->max_size = o->max_size ? o->max_size : DEFAULT_MAX_SIZE;
  d->keep = o->keep ? o->keep : DEFAULT_KEEP;
  d->required = o->required;
  pthread_mutex_init(&d->lock, NULL);
  /* past a file size limit (ulimit -f) a write fails, to be counted, instead of killing */
  signal(SIGXFSZ, SIG_IGN);
  serve_text masked = {0};
  serve_mask_describe(mask, r->rs, &masked);
  serve_text_add(&masked, "", 1);
  serve_log_write(log, json_pack("{s:s, s:s, s:s?, s:b, s:I, s:i}", "event", "decision_log", "path",
                                 d->path, "masked", masked.nomem ? NULL : masked.text, "required",
                                 d->required, "max_bytes", (json_int_t)d->max_size, "keep",
                                 (int)d->keep));
  free(masked.text);
  check_rules(d, r->rs);
  serve_rules_release(r);
  *out = d;
  return EXIT_OK;
}

/* ---------------------------------------------------------------- failures */

/* Notes on the main log how many lines could not be written, with the cause (NULL: none to tell): at
 * most once a second while they go on, unless `now` (lines written again, or the end). */
static void report(serve_decisions *d, const char *event_name, const char *cause, int err,
                   bool now_anyway)
{
  json_t *event = NULL;
  time_t now = time(NULL);
  pthread_mutex_lock(&d->lock);
  if (now_anyway || now != d->reported_at) {
    event = json_pack("{s:s, s:s, s:I, s:I}", "event", event_name, "path", d->path,
                      "lines_unwritten", (json_int_t)d->unwritten, "lines_unwritten_since_last",
                      (json_int_t)(d->unwritten - d->reported));
    if (event && cause)
      json_object_set_new(event, "error",
                          json_sprintf("%s: %s", cause, err ? strerror(err) : "out of memory"));
    d->reported = d->unwritten;
    d->reported_at = now;
  }
  pthread_mutex_unlock(&d->lock);
  serve_log_write(d->log, event);
}

/* ---------------------------------------------------------------- the file */

/* FILE.keep-1 becomes FILE.keep (the oldest goes), ..., FILE becomes FILE.1, and a new FILE
 * is opened.  Under the lock.  Returns the descriptor of the full file, for the caller to
 * flush and close outside the lock, or -1: nothing moved or no new file, and the lines go
 * on into the file they were going to (none lost); *err says why. */
static int rotate(serve_decisions *d, int *err)
{
  size_t size = strlen(d->path) + 16;
  char *from = malloc(size), *to = malloc(size);
  int old = -1;
  *err = ENOMEM;
  for (unsigned i = d->keep; from && to; i--) {
    snprintf(from, size, i > 1 ? "%s.%u" : "%s", d->path, i - 1);
    snprintf(to, size, "%s.%u", d->path, i);
    /* a rename that fails stops the rest: going on would write over a kept file */
    if (rename(from, to) != 0 && errno != ENOENT) {
      *err = errno;
      break;
    }
    if (i > 1)
      continue;
    unsigned long long size_new;
    int fd = open_log(d->path, &size_new);
    if (fd < 0) {
      *err = errno;
      break;
    }
    old = d->fd;
    d->fd = fd;
    d->size = size_new;
    *err = 0;
    break;
  }
  free(from);
  free(to);
  if (old < 0)
    d->rotate_after = time(NULL) + 1; /* not at every line while the cause lasts */
  return old;
}

/* Appends the line, with one write(2) unless the system writes less (a file size limit, a
 * full disk): then the rest, still under the lock, so that the line stays whole.  A line
 * that cannot be written whole is taken back, so that the file holds whole lines only.
 * Under the lock.  0, or the errno. */
static int append(serve_decisions *d, const char *text, size_t len)
{
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(d->fd, text + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      if (done && ftruncate(d->fd, (off_t)d->size) != 0) {
        d->size += done; /* it cannot be taken back: ended, so the next line stands alone */
        if (write(d->fd, "\n", 1) == 1)
          d->size++;
      }
      return err;
    }
    done += (size_t)n;
  }
  d->size += len;
  return 0;
}

/* Writes one line (its final newline included) into the log, in a new file when it would
 * take this one past the limit.  Whether it was written. */
static bool write_line(serve_decisions *d, const char *text, size_t len)
{
  int rotate_err = 0;
  int full = -1;
  pthread_mutex_lock(&d->lock);
  if (d->size && d->size + len > d->max_size && time(NULL) >= d->rotate_after)
    full = rotate(d, &rotate_err);
  int err = append(d, text, len);
  d->unwritten += err != 0;
  bool recovered = !err && d->failing;
  d->failing = err != 0;
  pthread_mutex_unlock(&d->lock);
  if (full >= 0) {
    fdatasync(full); /* the full file complete on disk before it is shipped */
    close(full);
  }
  if (rotate_err)
    report(d, "decision_log_failed", "rotation", rotate_err, false);
  if (err)
    report(d, "decision_log_failed", "write", err, false);
  else if (recovered)
    report(d, "decision_log_recovered", NULL, 0, true);
  return !err;
}

void serve_decisions_close(serve_decisions *d)
{
  if (!d)
    return;
  fdatasync(d->fd);
  close(d->fd);
  if (d->unwritten != d->reported)
    report(d, "decision_log_failed", NULL, 0, true); /* those of the last second */
  pthread_mutex_destroy(&d->lock);
  serve_mask_free(d->mask);
  free(d->path);
  free(d);
}

/* ---------------------------------------------------------------- a request's decisions */

/* 128 random bits in hex.  Should the system have no random bits to give, the time, the
 * process and a counter: unique still, on this machine. */
static void new_request_id(char out[33])
{
  static atomic_uint counter;
  unsigned char bits[16];
  if (getrandom(bits, sizeof bits, 0) != (ssize_t)sizeof bits) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t t = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    uint32_t pid = (uint32_t)getpid(), n = atomic_fetch_add(&counter, 1);
    for (int i = 0; i < 8; i++)
      bits[i] = (unsigned char)(t >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) {
      bits[8 + i] = (unsigned char)(pid >> (24 - 8 * i));
      bits[12 + i] = (unsigned char)(n >> (24 - 8 * i));
    }
  }
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", bits[i]);
}

/* The name of the bearer token the request came with (--tokens), never the token itself;
 * NULL (null in the log) without one. */
static const char *token_name(const serve_request *rq)
{
  return rq->token[0] ? rq->token : NULL;
}

void serve_decisions_begin(serve_request *rq, const char *as_of, bool one)
{
  serve_decisions *d = rq->http->decisions;
  if (!d)
    return; /* off: nothing is done for it */
  serve_decision_req *q = &rq->decision;
  *q = (serve_decision_req){.on = true, .one = one};
  snprintf(q->as_of, sizeof q->as_of, "%s", as_of);
  new_request_id(q->request_id);
  serve_client_address(rq->conn, q->client, sizeof q->client);
  check_rules(d, rq->rules->rs);
}

static void add_member(serve_text *t, const char *name, const char *value)
{
  serve_text_add(t, ",\"", 2);
  serve_text_adds(t, name);
  serve_text_add(t, "\":", 2);
  if (value)
    serve_text_add_string(t, value);
  else
    serve_text_adds(t, "null");
}

/* The line of one decision, into t. */
static void decision_line(serve_decisions *d, const serve_request *rq, const char *endpoint,
                          elig_ctx *ctx, const body_record *rec, elig_status st,
                          const elig_result *res, serve_text *t)
{
  const serve_decision_req *q = &rq->decision;
  const elig_ruleset *rs = rq->rules->rs;
  char id[64], when[32];
  snprintf(id, sizeof id, "%s-%zu", q->request_id, q->count);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  serve_time_iso(&now, when, sizeof when);
  const char *missing = serve_param(rq, "missing");
  serve_text_adds(t, "{\"decision\":\"");
  serve_text_adds(t, id);
  serve_text_add(t, "\"", 1);
  add_member(t, "time", when);
  add_member(t, "rules", elig_ruleset_hash(rs));
  add_member(t, "policy", elig_ruleset_policy(rs));
  add_member(t, "version", elig_ruleset_version(rs));
  add_member(t, "endpoint", endpoint);
  add_member(t, "as_of", q->as_of);
  add_member(t, "missing",
             missing && strcmp(missing, "undetermined") == 0 ? "undetermined" : "reject");
  add_member(t, "client", q->client);
  add_member(t, "token", token_name(rq));
  size_t ignored = 0;
  if (st == ELIG_OK) {
    size_t n;
    const char *result = elig_result_format(res, ELIG_FORMAT_JSON, &n);
    serve_text_adds(t, ",\"result\":");
    if (!result)
      t->nomem = true;
    else if (!serve_mask_json(d->mask, rs, false, result, n, t, &ignored))
      serve_text_adds(t, "null"); /* the library's own line is JSON: only out of memory */
  } else {
    const elig_error *e = elig_ctx_error(ctx);
    serve_text_adds(t, ",\"rejected\":{\"error_code\":");
    const char *code = e ? elig_error_code(e) : NULL;
    if (code)
      serve_text_add_string(t, code);
    else
      serve_text_adds(t, "null");
    if (e && elig_error_field(e))
      add_member(t, "field", elig_error_field(e));
    serve_text_add(t, "}", 1);
  }
  serve_text_adds(t, ",\"input\":");
  size_t left_out = 0;
  if (!serve_mask_json(d->mask, rs, true, rec->text, rec->len, t, &left_out))
    serve_text_adds(t, "null"); /* not one JSON object: nothing of it can be kept safely */
  if (left_out) {
    char n[48];
    snprintf(n, sizeof n, ",\"ignored_keys\":%zu", left_out);
    serve_text_adds(t, n);
  }
  serve_text_add(t, "}\n", 2);
}

json_t *serve_decision_log(serve_request *rq, const char *endpoint, elig_ctx *ctx,
                           const body_record *rec, elig_status st, const elig_result *res,
                           unsigned *http)
{
  serve_decision_req *q = &rq->decision;
  if (!q->on)
    return NULL;
  serve_decisions *d = rq->http->decisions;
  q->count++;
  if (!q->header[0])
    snprintf(q->header, sizeof q->header, "%s%s", q->request_id, q->one ? "-1" : "");
  serve_text line = {0};
  decision_line(d, rq, endpoint, ctx, rec, st, res, &line);
  bool written = line.nomem ? false : write_line(d, line.text, line.len);
  free(line.text);
  if (line.nomem) {
    pthread_mutex_lock(&d->lock);
    d->unwritten++;
    d->failing = true;
    pthread_mutex_unlock(&d->lock);
    report(d, "decision_log_failed", "making the line", 0, false);
  }
  if (written || !d->required)
    return NULL;
  *http = MHD_HTTP_SERVICE_UNAVAILABLE;
  return serve_error_object("decision_log_unavailable", NULL,
                            "the decision could not be written to the decision log, and the "
                            "service answers no decision it has not logged "
                            "(--decision-log-required)");
}
