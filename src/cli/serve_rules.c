/*
 * serve_rules.c -- the rule set `elig serve` answers with, and replacing it while it runs.
 *
 * A new set is compiled aside, on the main thread, while requests go on with the old one;
 * when it compiles it is swapped in under a lock held for two pointer moves.  Each request
 * takes a reference to the set in force when it begins and gives it back when it ends, so a
 * request finishes on the set it started with, and an old set is freed by whichever request
 * ends last on it.  A set that does not compile changes nothing but the failure shown by
 * /v1/rules and written to the log.
 *
 * A compiled elig_ruleset is immutable and shared by every thread; evaluation needs an
 * elig_ctx per thread at a time, which is expensive enough (registers, match data) to keep
 * in a pool per set rather than make per request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

/* ---------------------------------------------------------------- one rule set */

/* A context and the register handle it reads history through (one per context: a handle
 * is one thread's at a time, as a context is). */
struct serve_reg_of {
  elig_ctx *ctx;
  elig_register *reg;
};

static serve_rules *rules_new(elig_ruleset *rs, const char *register_path)
{
  serve_rules *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  r->rs = rs;
  r->register_path = register_path;
  atomic_init(&r->refs, 1);
  pthread_mutex_init(&r->pool_lock, NULL);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  serve_time_iso(&now, r->loaded_at, sizeof r->loaded_at);
  return r;
}

/* Frees ctx and closes its register. */
static void ctx_free(serve_rules *r, elig_ctx *ctx)
{
  elig_ctx_free(ctx);
  for (size_t i = 0; i < r->nregs; i++)
    if (r->regs[i].ctx == ctx) {
      elig_register_close(r->regs[i].reg);
      r->regs[i] = r->regs[--r->nregs];
      break;
    }
}

static void rules_free(serve_rules *r)
{
  for (size_t i = 0; i < r->npool; i++)
    ctx_free(r, r->pool[i]);
  for (size_t i = 0; i < r->nregs; i++) /* contexts still out: none once all are released */
    elig_register_close(r->regs[i].reg);
  free(r->regs);
  free(r->pool);
  pthread_mutex_destroy(&r->pool_lock);
  elig_ruleset_free(r->rs);
  free(r);
}

void serve_rules_release(serve_rules *r)
{
  if (r && atomic_fetch_sub(&r->refs, 1) == 1)
    rules_free(r);
}

/* Gives a new context its own read-only handle on the register; false when it cannot
 * (the request then fails as out of resources). */
static bool with_register(serve_rules *r, elig_ctx *ctx)
{
  pthread_mutex_lock(&r->pool_lock);
  bool has = false;
  for (size_t i = 0; i < r->nregs && !has; i++)
    has = r->regs[i].ctx == ctx; /* from the pool: it has one */
  pthread_mutex_unlock(&r->pool_lock);
  if (has)
    return true;
  elig_register *reg = NULL;
  bool ok = elig_register_open(r->register_path, false, &reg) == ELIG_OK &&
            elig_ctx_set_register(ctx, reg) == ELIG_OK;
  pthread_mutex_lock(&r->pool_lock);
  if (ok && r->nregs == r->regs_cap) {
    size_t cap = r->regs_cap ? 2 * r->regs_cap : 8;
    struct serve_reg_of *regs = realloc(r->regs, cap * sizeof *regs);
    if (regs) {
      r->regs = regs;
      r->regs_cap = cap;
    }
  }
  ok = ok && r->nregs < r->regs_cap;
  if (ok)
    r->regs[r->nregs++] = (struct serve_reg_of){ctx, reg};
  pthread_mutex_unlock(&r->pool_lock);
  if (!ok)
    elig_register_close(reg);
  return ok;
}

elig_ctx *serve_rules_ctx_take(serve_rules *r)
{
  elig_ctx *ctx = NULL;
  pthread_mutex_lock(&r->pool_lock);
  if (r->npool)
    ctx = r->pool[--r->npool];
  pthread_mutex_unlock(&r->pool_lock);
  if (!ctx && elig_ctx_new(r->rs, &ctx) != ELIG_OK)
    return NULL;
  if (r->register_path && !with_register(r, ctx)) {
    elig_ctx_free(ctx);
    return NULL;
  }
  return ctx;
}

void serve_rules_ctx_give(serve_rules *r, elig_ctx *ctx)
{
  if (!ctx)
    return;
  pthread_mutex_lock(&r->pool_lock);
  if (r->npool == r->pool_cap) {
    size_t cap = r->pool_cap ? 2 * r->pool_cap : 8;
    elig_ctx **pool = realloc(r->pool, cap * sizeof *pool);
    if (pool) {
      r->pool = pool;
      r->pool_cap = cap;
    }
  }
  if (r->npool < r->pool_cap) {
    r->pool[r->npool++] = ctx;
    ctx = NULL;
  }
  if (ctx) /* the pool could not grow: do without it */
    ctx_free(r, ctx);
  pthread_mutex_unlock(&r->pool_lock);
}

/* ---------------------------------------------------------------- watching the files */

static void sig_free(serve_file_sig *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->files[i].path);
  free(s->files);
  s->files = NULL;
  s->n = 0;
}

static void stat_file(serve_file_stat *f)
{
  struct stat st;
  f->exists = stat(f->path, &st) == 0;
  if (!f->exists)
    return;
  f->dev = st.st_dev;
  f->ino = st.st_ino;
  f->size = st.st_size;
  f->mtime = st.st_mtim;
  f->ctime = st.st_ctim;
}

/* The files of rule set rs (the root first), as they are now. */
static serve_file_sig sig_of(const char *root, const elig_ruleset *rs)
{
  serve_file_sig s = {0};
  size_t n = rs ? elig_ruleset_file_count(rs) : 0;
  s.files = calloc(n + 1, sizeof *s.files);
  if (!s.files)
    return s;
  s.files[s.n++].path = strdup(root);
  for (size_t i = 1; i < n; i++) /* file 0 is the root */
    s.files[s.n++].path = strdup(elig_ruleset_file(rs, i));
  for (size_t i = 0; i < s.n; i++)
    if (s.files[i].path)
      stat_file(&s.files[i]);
  return s;
}

/* The same files stat'ed again. */
static serve_file_sig sig_again(const serve_file_sig *old)
{
  serve_file_sig s = {0};
  s.files = calloc(old->n + 1, sizeof *s.files);
  if (!s.files)
    return s;
  for (size_t i = 0; i < old->n; i++) {
    s.files[s.n].path = old->files[i].path ? strdup(old->files[i].path) : NULL;
    if (s.files[s.n].path)
      stat_file(&s.files[s.n]);
    s.n++;
  }
  return s;
}

static bool same_time(struct timespec a, struct timespec b)
{
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool sig_equal(const serve_file_sig *a, const serve_file_sig *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++) {
    const serve_file_stat *x = &a->files[i], *y = &b->files[i];
    if (x->exists != y->exists)
      return false;
    if (x->exists && (x->dev != y->dev || x->ino != y->ino || x->size != y->size ||
                      !same_time(x->mtime, y->mtime) || !same_time(x->ctime, y->ctime)))
      return false;
  }
  return true;
}

/* ---------------------------------------------------------------- compiling */

/* The diagnostics of a failed compilation, for the log and /v1/rules: each with its place,
 * and all of them rendered with carets as `elig check` prints them. */
static json_t *failure_json(const char *cause, elig_status st, const elig_diags *diags)
{
  json_t *list = json_array();
  for (size_t i = 0; i < elig_diags_count(diags); i++) {
    const elig_error *e = elig_diags_get(diags, i);
    if (elig_error_severity(e) != ELIG_SEVERITY_ERROR)
      continue;
    json_t *d = json_object();
    if (elig_error_file(e))
      json_object_set_new(d, "file", json_string(elig_error_file(e)));
    if (elig_error_line(e)) {
      json_object_set_new(d, "line", json_integer(elig_error_line(e)));
      json_object_set_new(d, "column", json_integer(elig_error_column(e)));
    }
    if (elig_error_code(e))
      json_object_set_new(d, "code", json_string(elig_error_code(e)));
    json_object_set_new(d, "message", json_string(elig_error_message(e)));
    if (elig_error_help(e))
      json_object_set_new(d, "help", json_string(elig_error_help(e)));
    json_array_append_new(list, d);
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char when[32];
  serve_time_iso(&now, when, sizeof when);
  char *text = elig_diags_render(diags, false);
  json_t *f = json_object();
  json_object_set_new(f, "status", json_string("failed"));
  json_object_set_new(f, "at", json_string(when));
  json_object_set_new(f, "cause", json_string(cause));
  json_object_set_new(f, "reason", json_string(elig_status_str(st)));
  json_object_set_new(f, "errors", json_integer((json_int_t)elig_diags_error_count(diags)));
  json_object_set_new(f, "diagnostics", list);
  if (text)
    json_object_set_new(f, "rendered", json_string(text));
  elig_free(text);
  return f;
}

/* Whether rs can read the register's history (its schema, and the rules of its last add);
 * why not into buf when it cannot. */
static bool register_fits(const char *path, const elig_ruleset *rs, char *why, size_t size)
{
  elig_register *reg = NULL;
  elig_status st = elig_register_open(path, false, &reg);
  if (st == ELIG_OK)
    st = elig_register_check_rules(reg, rs);
  if (st != ELIG_OK)
    snprintf(why, size, "%s",
             reg && elig_register_error(reg)[0] ? elig_register_error(reg) : elig_status_str(st));
  elig_register_close(reg);
  return st == ELIG_OK;
}

bool serve_holder_init(serve_holder *h, const char *root, const char *register_path, serve_log *log)
{
  memset(h, 0, sizeof *h);
  pthread_mutex_init(&h->lock, NULL);
  h->log = log;
  h->register_path = register_path;
  h->root = strdup(root);
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(root, NULL, &rs, &diags);
  char *text = elig_diags_render(diags, isatty(2));
  if (text && text[0])
    fputs(text, stderr);
  elig_free(text);
  elig_diags_free(diags);
  if (st != ELIG_OK || !h->root) {
    if (st == ELIG_ENOMEM || st == ELIG_OK)
      cli_say(_("out of memory"));
    elig_ruleset_free(rs);
    return false;
  }
  char why[1200];
  if (register_path && !register_fits(register_path, rs, why, sizeof why)) {
    fprintf(stderr, "elig: --register: %s\n", why);
    elig_ruleset_free(rs);
    h->register_refused = true;
    return false;
  }
  h->current = rules_new(rs, register_path);
  if (!h->current) {
    elig_ruleset_free(rs);
    return false;
  }
  h->loaded = sig_of(root, rs);
  h->seen = sig_again(&h->loaded);
  return true;
}

void serve_holder_fini(serve_holder *h)
{
  serve_rules_release(h->current);
  json_decref(h->failure);
  sig_free(&h->loaded);
  sig_free(&h->seen);
  free(h->root);
  pthread_mutex_destroy(&h->lock);
}

serve_rules *serve_holder_acquire(serve_holder *h)
{
  pthread_mutex_lock(&h->lock);
  serve_rules *r = h->current;
  atomic_fetch_add(&r->refs, 1);
  pthread_mutex_unlock(&h->lock);
  return r;
}

json_t *serve_holder_failure(serve_holder *h)
{
  pthread_mutex_lock(&h->lock);
  json_t *f = h->failure ? json_deep_copy(h->failure) : NULL;
  pthread_mutex_unlock(&h->lock);
  return f;
}

bool serve_holder_ready(serve_holder *h)
{
  pthread_mutex_lock(&h->lock);
  bool ready = h->current && (!h->failure || h->acknowledged);
  pthread_mutex_unlock(&h->lock);
  return ready;
}

bool serve_holder_acknowledge(serve_holder *h)
{
  pthread_mutex_lock(&h->lock);
  bool had = h->failure && !h->acknowledged;
  h->acknowledged = h->failure != NULL;
  pthread_mutex_unlock(&h->lock);
  return had;
}

static void log_reload(serve_holder *h, const char *cause, const char *outcome,
                       const elig_ruleset *rs, json_t *failure)
{
  json_t *e = json_object();
  json_object_set_new(e, "event", json_string("reload"));
  json_object_set_new(e, "cause", json_string(cause));
  json_object_set_new(e, "outcome", json_string(outcome));
  if (rs)
    json_object_set_new(e, "rules", json_string(elig_ruleset_hash(rs)));
  if (failure) {
    json_object_set(e, "errors", json_object_get(failure, "errors"));
    json_object_set(e, "diagnostics", json_object_get(failure, "diagnostics"));
  }
  serve_log_write(h->log, e);
  serve_metrics_reload(h->metrics, outcome);
}

bool serve_holder_reload(serve_holder *h, const char *cause)
{
  serve_file_sig before = sig_again(&h->loaded);
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(h->root, NULL, &rs, &diags);
  if (st != ELIG_OK) {
    json_t *failure = failure_json(cause, st, diags);
    elig_diags_free(diags);
    sig_free(&h->loaded);
    h->loaded = before;
    pthread_mutex_lock(&h->lock);
    json_decref(h->failure);
    h->failure = json_incref(failure);
    h->acknowledged = false;
    serve_rules *kept = h->current;
    pthread_mutex_unlock(&h->lock);
    log_reload(h, cause, "failed; the rules in force stay", kept->rs, failure);
    json_decref(failure);
    return false;
  }
  elig_diags_free(diags);
  sig_free(&before);
  sig_free(&h->loaded);
  h->loaded = sig_of(h->root, rs);

  serve_rules *old = h->current; /* only this thread replaces it */
  if (strcmp(elig_ruleset_hash(rs), elig_ruleset_hash(old->rs)) == 0) {
    elig_ruleset_free(rs);
    pthread_mutex_lock(&h->lock);
    json_decref(h->failure);
    h->failure = NULL;
    pthread_mutex_unlock(&h->lock);
    log_reload(h, cause, "unchanged", old->rs, NULL);
    return false;
  }
  char why[1200];
  if (h->register_path && !register_fits(h->register_path, rs, why, sizeof why)) {
    elig_ruleset_free(rs);
    json_t *failure = failure_json(cause, ELIG_EREGISTER, NULL);
    json_object_set_new(failure, "message", json_string(why));
    pthread_mutex_lock(&h->lock);
    json_decref(h->failure);
    h->failure = json_incref(failure);
    h->acknowledged = false;
    pthread_mutex_unlock(&h->lock);
    log_reload(h, cause,
               "failed: the register's history is not these rules'; the rules in force stay",
               old->rs, NULL);
    json_decref(failure);
    return false;
  }
  serve_rules *fresh = rules_new(rs, h->register_path);
  if (!fresh) {
    elig_ruleset_free(rs);
    log_reload(h, cause, "failed: out of memory; the rules in force stay", old->rs, NULL);
    return false;
  }
  pthread_mutex_lock(&h->lock);
  h->current = fresh;
  json_decref(h->failure);
  h->failure = NULL;
  pthread_mutex_unlock(&h->lock);
  log_reload(h, cause, "replaced", rs, NULL);
  serve_rules_release(old); /* freed now, or by the last request still using it */
  return true;
}

void serve_holder_poll(serve_holder *h)
{
  serve_file_sig now = sig_again(&h->loaded);
  bool changed = !sig_equal(&now, &h->loaded);
  bool settled = sig_equal(&now, &h->seen);
  sig_free(&h->seen);
  h->seen = now;
  if (changed && settled)
    serve_holder_reload(h, "file changed");
}
