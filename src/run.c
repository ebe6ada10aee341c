/*
 * run.c -- the batch driver: chunks in, results in input order out.  See run.h.
 *
 * Threads: the calling thread reads chunks into a ring of jobs and writes finished jobs in
 * order; workers take jobs in sequence order, each with its own evaluation context, parsers
 * and aggregate tables.  With one thread the calling thread does everything itself.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "agg.h"
#include "compile.h"
#include "csv.h"
#include "explain.h"
#include "feed.h"
#include "jdoc.h"
#include "output.h"
#include "record.h"
#include "run.h"
#include "vm.h"

/* ---------------------------------------------------------------- jobs and workers */

typedef enum { JOB_FREE, JOB_READY, JOB_TAKEN, JOB_DONE } job_state;

typedef struct {
  job_state state;
  uint64_t seq;
  input_chunk chunk;
  size_t skip;              /* header bytes at the start of the chunk */
  uint64_t skip_lines;
  const rec_header *header; /* CSV: the mapping of this file */
  input_format fmt;
  const char *name;         /* file name for messages */
  wbuf out, rej, log;       /* results, reject lines, messages */
  uint64_t too_long_line;   /* not 0: the job is one record over the length limit, at this
                               line, which the reader skipped; it is rejected in its turn */
  char too_long_why[sizeof(input_error) + 16];
  uint64_t records, rejected;
  rec_unknown unknown;      /* JSON keys that are no field */
  bool failed;              /* out of memory */
} job;

typedef struct {
  const run_options *o;
  const elig_program *P;
  vm_ctx *ctx;
  csv_parser csv;
  jdoc json;
  agg_table *aggs;
  pthread_t thread;
  struct shared *sh;
} worker;

typedef struct shared {
  pthread_mutex_t lock;
  pthread_cond_t work;      /* a job became ready, or stop */
  pthread_cond_t done;      /* a job is done */
  job *jobs;
  uint32_t njobs;
  uint64_t next_take;       /* the next sequence number a worker takes */
  bool stop;
} shared;

static worker *worker_new(const run_options *o, shared *sh)
{
  worker *w = mem_calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->o = o;
  w->P = o->P;
  w->sh = sh;
  w->ctx = vm_ctx_new(o->P);
  w->aggs = mem_calloc(o->P->naggregates + 1, sizeof *w->aggs);
  if (!w->ctx || !w->aggs) {
    vm_ctx_free(w->ctx);
    mem_free(w->aggs);
    mem_free(w);
    return NULL;
  }
  vm_set_as_of(w->ctx, o->as_of);
  csv_parser_init(&w->csv, NULL);
  jdoc_init(&w->json, REC_JDOC_OPTIONS);
  for (uint32_t i = 0; i < o->P->naggregates; i++)
    agg_table_init(&w->aggs[i], &o->P->aggregates[i]);
  return w;
}

static void worker_free(worker *w)
{
  if (!w)
    return;
  vm_ctx_free(w->ctx);
  csv_parser_fini(&w->csv);
  jdoc_fini(&w->json);
  for (uint32_t i = 0; i < w->P->naggregates; i++)
    agg_table_fini(&w->aggs[i]);
  mem_free(w->aggs);
  mem_free(w);
}

/* ---------------------------------------------------------------- one record */

static void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}


/* Where a rejected record's key fields are read from: its CSV cells (with the file's
 * header), its JSON document, or nowhere (the record could not be read that far). */
typedef struct {
  const rec_header *header;
  const csv_record *csv;
  const jdoc *json;
} key_from;

static const key_from NO_KEY = {0};

/* Key field k of the record as given ("" when it cannot be read). */
static void key_part(const worker *w, const key_from *kf, uint32_t k, const char **text,
                     size_t *len)
{
  *text = "";
  *len = 0;
  if (kf->csv) {
    rec_csv_key_part(kf->header, w->P, kf->csv, k, text, len);
  } else if (kf->json && kf->json->nnodes && kf->json->nodes[0].kind == JDOC_OBJECT) {
    const jdoc *d = kf->json;
    const char *name = w->P->records[w->P->main_record].fields[w->P->key_fields[k]].name;
    uint32_t v = jdoc_object_get(d, 0, name, strlen(name));
    if (v != JDOC_NONE && d->nodes[v].str) {
      *text = d->nodes[v].str;
      *len = d->nodes[v].len;
    }
  }
}

/* The longest part of a key a message shows: keys are short, a field can hold 1 MiB. */
enum { KEY_PART_SHOWN = 128 };

/* A rejection: a row of the reject file (line, one column per key field, as the national
 * standard asks for hh_id apart, the reason, the record whole), or a line of the log
 * ("FILE:LINE: rejected hh_id/year: REASON"). */
static void reject(worker *w, job *j, uint64_t line, const char *raw, size_t rawlen,
                   const key_from *kf, const char *reason)
{
  char num[32];
  const char *text;
  size_t len;
  j->rejected++;
  snprintf(num, sizeof num, "%llu", (unsigned long long)line);
  if (w->o->rejects) {
    put(&j->rej, num);
    for (uint32_t k = 0; k < w->P->nkeys; k++) {
      key_part(w, kf, k, &text, &len);
      put(&j->rej, ",");
      wbuf_csv_text(&j->rej, text, len);
    }
    put(&j->rej, ",");
    wbuf_csv_text(&j->rej, reason, strlen(reason));
    put(&j->rej, ",");
    /* the record without its line end (LF or CRLF); a CR before that is its data */
    if (rawlen && raw[rawlen - 1] == '\n' && --rawlen && raw[rawlen - 1] == '\r')
      rawlen--;
    wbuf_csv_text(&j->rej, raw, rawlen);
    put(&j->rej, "\n");
    return;
  }
  put(&j->log, j->name);
  put(&j->log, ":");
  put(&j->log, num);
  put(&j->log, ": rejected");
  /* the record's key (hh_id/year): the operator's own identifier, not personal data;
   * control characters are replaced so that a key cannot forge log lines */
  bool any = false;
  for (uint32_t k = 0; k < w->P->nkeys && !any; k++) {
    key_part(w, kf, k, &text, &len);
    any = len > 0;
  }
  for (uint32_t k = 0; k < w->P->nkeys && any; k++) {
    key_part(w, kf, k, &text, &len);
    put(&j->log, k ? "/" : " ");
    wbuf_put_printable(&j->log, text, len < KEY_PART_SHOWN ? len : KEY_PART_SHOWN);
  }
  put(&j->log, ": ");
  put(&j->log, reason);
  put(&j->log, "\n");
}

/* Evaluates the typed record in w->ctx and formats its result; false with a reason when a
 * rule fails at run time. */
static bool evaluate(worker *w, job *j, uint64_t seq, char *why, size_t why_size)
{
  const elig_program *P = w->P;
  vm_ctx *ctx = w->ctx;
  vm_status st = vm_eval_record(ctx);
  /* aggregates see the record only once it has a full result */
  for (uint32_t i = 0; i < P->naggregates && st == VM_OK; i++)
    st = agg_add(&w->aggs[i], ctx, seq);
  if (st != VM_OK) {
    char where[256];
    prog_where(P, vm_error_pc(ctx), where, sizeof where);
    snprintf(why, why_size, "%s at %s", vm_status_str(st), where);
    return false;
  }
  write_record(&j->out, P, ctx, w->o->format, w->o->explain);
  return true;
}


/* Why a record was rejected, as the log says it: with the value at fault only when the
 * operator asked for values (--show-values): records hold personal data. */
static const char *why_text(const worker *w, const rec_reject *why, char *buf, size_t size)
{
  if (!w->o->show_values || !why->value[0])
    return why->message;
  snprintf(buf, size, "%s (value '%s')", why->message, why->value);
  return buf;
}

/* Past n empty lines (LF or CRLF each) at p. */
static const char *skip_blank_lines(const char *p, size_t n)
{
  for (; n; n--)
    p += *p == '\r' ? 2 : 1;
  return p;
}

static void process_csv(worker *w, job *j)
{
  const char *p = j->chunk.data + j->skip, *end = j->chunk.data + j->chunk.len;
  uint64_t line = j->chunk.first_line + j->skip_lines, index = 0;
  rec_reject why;
  char reason[sizeof(rec_reject) + 32];
  csv_record r;
  const key_from from = {.header = j->header, .csv = &r};
  while (p < end) {
    const char *next = csv_parse_record(&w->csv, p, end, &r);
    uint64_t at = line + r.blank_lines; /* the record's first line */
    const char *raw = skip_blank_lines(p, r.blank_lines);
    line += r.lines;
    p = next;
    if (r.error == CSV_OK && r.ncells == 0)
      continue; /* blank lines at the end */
    j->records++;
    uint64_t seq = j->seq << 32 | index++;
    if (j->header->refused[0]) {
      reject(w, j, at, raw, (size_t)(next - raw), &from, j->header->refused);
      continue;
    }
    if (r.error != CSV_OK) {
      rec_csv_error(j->header, w->o->P, &r, reason, sizeof reason);
      reject(w, j, at, raw, (size_t)(next - raw), &NO_KEY, reason);
      continue;
    }
    /* the key is only needed for a rejection; the cells stay valid until the next record */
    if (!rec_from_csv(j->header, w->ctx, &r, &why))
      reject(w, j, at, raw, (size_t)(next - raw), &from,
             why_text(w, &why, reason, sizeof reason));
    else if (!evaluate(w, j, seq, reason, sizeof reason))
      reject(w, j, at, raw, (size_t)(next - raw), &from, reason);
  }
}

static void process_jsonl(worker *w, job *j)
{
  const char *p = j->chunk.data, *end = j->chunk.data + j->chunk.len;
  uint64_t line = j->chunk.first_line, index = 0;
  rec_reject why;
  jdoc_error err;
  char reason[sizeof(rec_reject) + 32];
  const key_from from = {.json = &w->json};
  for (; p < end; line++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end, *raw = p;
    size_t n = (size_t)(eol - p);
    p = nl ? nl + 1 : end;
    if (n && raw[n - 1] == '\r')
      n--;
    jdoc_errcode code = jdoc_parse(&w->json, raw, n, &err);
    if (code == JDOC_EEMPTY)
      continue;
    j->records++;
    uint64_t seq = j->seq << 32 | index++;
    if (code != JDOC_OK) {
      snprintf(reason, sizeof reason, "malformed JSON at column %zu: %s", err.column,
               err.message);
      reject(w, j, line, raw, n, &NO_KEY, reason);
      continue;
    }
    uint64_t seen = j->unknown.keys;
    bool typed = rec_from_json(w->ctx, &w->json, &why, &j->unknown);
    if (seen == 0 && j->unknown.keys)
      j->unknown.first_line = line;
    if (!typed)
      reject(w, j, line, raw, n, &from, why_text(w, &why, reason, sizeof reason));
    else if (!evaluate(w, j, seq, reason, sizeof reason))
      reject(w, j, line, raw, n, &from, reason);
  }
}

static void process(worker *w, job *j)
{
  j->out.len = j->rej.len = 0; /* j->log may hold the file's header messages already */
  j->records = j->rejected = 0;
  memset(&j->unknown, 0, sizeof j->unknown);
  if (j->too_long_line) {
    /* its bytes were never kept: the reject row has an empty record */
    j->records = 1;
    reject(w, j, j->too_long_line, "", 0, &NO_KEY, j->too_long_why);
  } else if (j->chunk.len == 0) {
    /* only a message of its file */
  } else if (j->fmt == INPUT_CSV) {
    process_csv(w, j);
  } else {
    process_jsonl(w, j);
  }
  j->failed = j->out.failed || j->rej.failed || j->log.failed;
}

static void *worker_main(void *arg)
{
  worker *w = arg;
  shared *sh = w->sh;
  pthread_mutex_lock(&sh->lock);
  for (;;) {
    job *j = &sh->jobs[sh->next_take % sh->njobs];
    while (!sh->stop && !(j->state == JOB_READY && j->seq == sh->next_take)) {
      pthread_cond_wait(&sh->work, &sh->lock);
      j = &sh->jobs[sh->next_take % sh->njobs];
    }
    if (sh->stop && !(j->state == JOB_READY && j->seq == sh->next_take))
      break;
    j->state = JOB_TAKEN;
    sh->next_take++;
    pthread_mutex_unlock(&sh->lock);
    process(w, j);
    pthread_mutex_lock(&sh->lock);
    j->state = JOB_DONE;
    pthread_cond_broadcast(&sh->done);
  }
  pthread_mutex_unlock(&sh->lock);
  return NULL;
}

/* ---------------------------------------------------------------- the batch */

typedef struct {
  const run_options *o;
  FILE *log;
  output out, rej, agg;
  run_stats *stats;
  bool write_failed, read_failed;
  bool interrupted;            /* a signal asked the run to stop */
  bool heads_written;          /* the column headers of the results and rejects */
  shared sh;
  worker **workers;
  unsigned nworkers;            /* evaluation states: the calling thread's, then one per thread */
  unsigned nthreads;            /* threads started (workers[1..nthreads]) */
  uint64_t next_seq, next_write;
  double start, last_progress;
} batch;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(batch *b, bool final)
{
  double t = now();
  if (!b->o->progress || (!final && t - b->last_progress < 0.25))
    return;
  b->last_progress = t;
  if (final) {
    fputs("\r\033[K", b->log);
    return;
  }
  double rate = t > b->start ? (double)b->stats->records / (t - b->start) : 0;
  fprintf(b->log, "\relig: %llu records, %llu rejected, %.0f/s\033[K",
          (unsigned long long)b->stats->records, (unsigned long long)b->stats->rejected, rate);
  fflush(b->log);
}

/* The header lines go out with the first results, or at the end of a run that read all its
 * input: a run refused before any record (a CSV header missing a required column, say) leaves
 * standard output empty rather than a header that looks like an empty but complete result. */
static void write_heads(batch *b)
{
  if (b->heads_written)
    return;
  b->heads_written = true;
  wbuf head = {0};
  if (b->o->format == WRITE_CSV)
    write_record_header(&head, b->o->P, b->o->explain);
  out_write(&b->out, &head, &b->write_failed);
  wbuf_free(&head);
  if (b->o->rejects) {
    /* line, the key fields by name (hh_id, year), reason, record */
    const elig_program *P = b->o->P;
    wbuf rh = {0};
    put(&rh, "line");
    for (uint32_t k = 0; k < P->nkeys; k++) {
      const char *name = P->records[P->main_record].fields[P->key_fields[k]].name;
      put(&rh, ",");
      wbuf_csv_text(&rh, name, strlen(name));
    }
    put(&rh, ",reason,record\n");
    out_write(&b->rej, &rh, &b->write_failed);
    wbuf_free(&rh);
  }
}

/* Writes the finished jobs that are next in input order; call with the lock held. */
static void write_ready(batch *b)
{
  for (;;) {
    job *j = &b->sh.jobs[b->next_write % b->sh.njobs];
    if (j->state != JOB_DONE || j->seq != b->next_write)
      return;
    if (j->out.len || j->rej.len) /* not for a job that is only a message */
      write_heads(b);
    out_write(&b->out, &j->out, &b->write_failed);
    out_write(&b->rej, &j->rej, &b->write_failed);
    if (j->log.len)
      fwrite(j->log.p, 1, j->log.len, b->log);
    if (j->failed) {
      fprintf(b->log, "elig: out of memory while formatting results\n");
      b->write_failed = true;
    }
    b->stats->records += j->records;
    b->stats->rejected += j->rejected;
    b->stats->written += j->records - j->rejected;
    if (j->unknown.keys && !b->stats->unknown.keys)
      b->stats->unknown = j->unknown; /* the first one in input order */
    else {
      b->stats->unknown.keys += j->unknown.keys;
      b->stats->unknown.records += j->unknown.records;
    }
    j->state = JOB_FREE;
    b->next_write++;
    progress(b, false);
  }
}

/* A free job for the next chunk, writing finished ones while waiting. */
/* While the calling thread would wait, it processes the next ready job itself (with the
 * first worker's state): with N threads asked for, N - 1 are started and the calling thread,
 * which also reads and writes, makes the Nth.  Called with the lock held; false when there
 * was nothing to take. */
static bool help(batch *b)
{
  shared *sh = &b->sh;
  job *j = &sh->jobs[sh->next_take % sh->njobs];
  if (j->state != JOB_READY || j->seq != sh->next_take)
    return false;
  j->state = JOB_TAKEN;
  sh->next_take++;
  pthread_cond_broadcast(&sh->work); /* a worker may be waiting for the job after it */
  pthread_mutex_unlock(&sh->lock);
  process(b->workers[0], j);
  pthread_mutex_lock(&sh->lock);
  j->state = JOB_DONE;
  return true;
}

static job *free_job(batch *b)
{
  job *j = &b->sh.jobs[b->next_seq % b->sh.njobs];
  pthread_mutex_lock(&b->sh.lock);
  for (;;) {
    write_ready(b);
    if (j->state == JOB_FREE)
      break;
    if (!help(b))
      pthread_cond_wait(&b->sh.done, &b->sh.lock);
  }
  pthread_mutex_unlock(&b->sh.lock);
  return j;
}

static void submit(batch *b, job *j)
{
  j->seq = b->next_seq++;
  if (b->nworkers == 1) {
    process(b->workers[0], j);
    j->state = JOB_DONE;
    pthread_mutex_lock(&b->sh.lock);
    write_ready(b);
    pthread_mutex_unlock(&b->sh.lock);
    return;
  }
  pthread_mutex_lock(&b->sh.lock);
  j->state = JOB_READY;
  pthread_cond_broadcast(&b->sh.work);
  pthread_mutex_unlock(&b->sh.lock);
}

/* The batch's side of the reading loop (feed.h): a free job's chunk to read into, the CSV
 * header mapped onto the rule set, and each chunk submitted as a job. */
typedef struct {
  batch *b;
  const char *name;
  input_format fmt;
  rec_header *header;
  job *j;      /* the job whose chunk is being read, until it is submitted */
  bool noted;  /* j's log holds a message of the file: j must go out even without records */
} reading;

static input_chunk *reading_buffer(void *arg)
{
  reading *rd = arg;
  if (rd->j) /* noted and not yet submitted: the message stays */
    return &rd->j->chunk;
  rd->j = free_job(rd->b);
  rd->j->log.len = 0;
  rd->j->too_long_line = 0;
  rd->j->fmt = rd->fmt;
  rd->j->name = rd->name;
  rd->j->header = rd->header;
  rd->j->skip = 0;
  rd->j->skip_lines = 0;
  return &rd->j->chunk;
}

static void reading_submit(reading *rd)
{
  submit(rd->b, rd->j);
  rd->j = NULL;
  rd->noted = false;
}

/* The messages about a header go in the log of the file's first job, so that they come
 * after the rejections of the files before it. A header that cannot be used rejects every
 * record of the file (process_csv): bad input never stops the batch. */
static feed_header reading_header(void *arg, const char *name, uint64_t line,
                                  const csv_record *r)
{
  reading *rd = arg;
  const elig_program *P = rd->b->o->P;
  char error[512], unknown[512], msg[1200];
  if (!rec_header_init(rd->header, P, r, error, sizeof error, unknown, sizeof unknown)) {
    snprintf(msg, sizeof msg, "%s:%llu: error: %s; every record of the file is rejected\n",
             name, (unsigned long long)line, error);
    put(&rd->j->log, msg);
    return rd->header->first_line_is_record ? FEED_HEADER_IS_RECORD : FEED_HEADER_OK;
  }
  if (unknown[0]) {
    snprintf(msg, sizeof msg, "%s:%llu: warning: columns that are not fields of '%s' are "
             "ignored: %s\n", name, (unsigned long long)line, P->records[P->main_record].name,
             unknown);
    put(&rd->j->log, msg);
  }
  return FEED_HEADER_OK;
}

static void reading_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  (void)c;
  reading *rd = arg;
  rd->j->skip = skip;
  rd->j->skip_lines = skip_lines;
  reading_submit(rd);
}

/* A job of its own, so that the record's rejection comes in input order. */
static void reading_too_long(void *arg, input_chunk *c, uint64_t line, const char *why)
{
  (void)c;
  reading *rd = arg;
  rd->j->too_long_line = line;
  snprintf(rd->j->too_long_why, sizeof rd->j->too_long_why, "%s (not kept)", why);
  reading_submit(rd);
}

/* The file's messages go out with its first job, after the records of the files before. */
static void reading_note(void *arg, const char *text)
{
  reading *rd = arg;
  reading_buffer(rd);
  put(&rd->j->log, text);
  rd->noted = true;
}

static void read_input(batch *b, const char *name, rec_header *h)
{
  reading rd = {.b = b, .name = name, .fmt = input_format_of(name, b->o->input_format),
                .header = h};
  const feed_handler handler = {
    .arg = &rd,
    .buffer = reading_buffer,
    .header = reading_header,
    .chunk = reading_chunk,
    .too_long = reading_too_long,
    .note = reading_note,
  };
  feed_status st = feed_file(name, rd.fmt, b->o->chunk_bytes, b->o->interrupted, &handler,
                             b->log);
  if (rd.j && rd.noted) {
    /* a message and no record (an empty file, one that cannot be read): a job of its own */
    rd.j->chunk.len = 0;
    rd.j->skip = 0;
    reading_submit(&rd);
  }
  if (st == FEED_INTERRUPTED)
    b->interrupted = true;
  else if (st == FEED_REFUSED)
    b->read_failed = true;
}

static unsigned cores(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 256 ? (unsigned)n : 1;
}

static bool start_workers(batch *b)
{
  const run_options *o = b->o;
  b->nworkers = o->threads ? o->threads : cores();
  b->sh.njobs = b->nworkers == 1 ? 1 : 2 * b->nworkers + 2;
  b->sh.jobs = mem_calloc(b->sh.njobs, sizeof *b->sh.jobs);
  b->workers = mem_calloc(b->nworkers, sizeof *b->workers);
  if (!b->sh.jobs || !b->workers)
    return false;
  for (uint32_t i = 0; i < b->sh.njobs; i++)
    input_chunk_init(&b->sh.jobs[i].chunk);
  pthread_mutex_init(&b->sh.lock, NULL);
  pthread_cond_init(&b->sh.work, NULL);
  pthread_cond_init(&b->sh.done, NULL);
  for (unsigned i = 0; i < b->nworkers; i++)
    if (!(b->workers[i] = worker_new(o, &b->sh)))
      return false;
  /* workers[0] belongs to the calling thread (see help) */
  for (unsigned i = 1; b->nworkers > 1 && i < b->nworkers; i++) {
    if (pthread_create(&b->workers[i]->thread, NULL, worker_main, b->workers[i]) != 0)
      return false; /* the ones started are joined by stop_workers */
    b->nthreads = i;
  }
  return true;
}

static void stop_workers(batch *b)
{
  if (!b->workers)
    return;
  pthread_mutex_lock(&b->sh.lock);
  while (b->next_write < b->next_seq) {
    write_ready(b);
    if (b->next_write < b->next_seq && !help(b))
      pthread_cond_wait(&b->sh.done, &b->sh.lock);
  }
  b->sh.stop = true;
  pthread_cond_broadcast(&b->sh.work);
  pthread_mutex_unlock(&b->sh.lock);
  for (unsigned i = 1; i <= b->nthreads; i++)
    pthread_join(b->workers[i]->thread, NULL);
}

/* Merges every worker's groups into the first worker's and writes them. */
static bool write_aggregates(batch *b)
{
  const elig_program *P = b->o->P;
  worker *w0 = b->workers[0];
  output *dst = b->o->aggregates ? &b->agg : &b->out;
  wbuf buf = {0};
  bool ok = true;
  for (uint32_t a = 0; a < P->naggregates && ok; a++) {
    for (unsigned i = 1; i < b->nworkers; i++)
      if (!agg_merge(&w0->aggs[a], &b->workers[i]->aggs[a], 0))
        ok = false;
    buf.len = 0;
    vm_status st = agg_write(&w0->aggs[a], w0->ctx, &buf, b->o->format,
                             b->o->aggregates && a == 0);
    if (st != VM_OK) {
      char where[256];
      prog_where(P, vm_error_pc(w0->ctx), where, sizeof where);
      fprintf(b->log, "elig: aggregate '%s': %s at %s\n", P->aggregates[a].name,
              vm_status_str(st), where);
      ok = false;
    }
    if (w0->aggs[a].overflow) {
      fprintf(b->log, "elig: aggregate '%s': a sum went out of range\n", P->aggregates[a].name);
      ok = false;
    }
    out_write(dst, &buf, &b->write_failed);
  }
  wbuf_free(&buf);
  return ok;
}

/* The outputs against each other and against every input: the registers and the rule
 * files (an output named like a rule file would replace the rules with results). */
static bool check_paths(const run_options *o, FILE *log)
{
  const char *outputs[] = {o->output ? o->output : "-", o->rejects, o->aggregates};
  uint32_t nrules = src_set_count(o->P->srcs);
  const char **inputs = mem_alloc((o->ninputs + nrules + 1) * sizeof *inputs);
  if (!inputs) {
    fprintf(log, "elig: out of memory\n");
    return false;
  }
  for (uint32_t i = 0; i < o->ninputs; i++)
    inputs[i] = o->inputs[i];
  for (uint32_t i = 0; i < nrules; i++)
    inputs[o->ninputs + i] = src_file_name(o->P->srcs, i);
  bool ok = out_check_paths(outputs, 3, inputs, o->ninputs + nrules, log);
  mem_free(inputs);
  return ok;
}

int run_batch(const run_options *o, run_stats *stats, FILE *log)
{
  batch b = {.o = o, .log = log, .stats = stats};
  memset(stats, 0, sizeof *stats);
  if (!check_paths(o, log))
    return 2;
  rec_header *headers = mem_calloc(o->ninputs + 1, sizeof *headers);
  b.start = b.last_progress = now();
  bool opened = headers && out_open(&b.out, o->output, log) &&
                (!o->rejects || out_open(&b.rej, o->rejects, log)) &&
                (!o->aggregates || out_open(&b.agg, o->aggregates, log));
  bool started = opened && start_workers(&b);
  bool agg_ok = true;
  if (!started) {
    if (opened)
      fprintf(log, "elig: out of memory\n");
    b.write_failed = true;
  } else {
    /* an input that cannot be read ends the run: its outputs will not be kept anyway */
    for (uint32_t i = 0; i < o->ninputs && !b.write_failed && !b.interrupted && !b.read_failed;
         i++)
      read_input(&b, o->inputs[i], &headers[i]);
    stop_workers(&b);
    if (!b.read_failed && !b.write_failed && !b.interrupted) {
      write_heads(&b);
      agg_ok = write_aggregates(&b);
    }
  }
  progress(&b, true);
  if (b.interrupted)
    fprintf(log, "elig: interrupted: no output file was written%s\n",
            o->output && strcmp(o->output, "-") != 0
              ? "" : " (standard output has only part of the results)");
  /* every output flushed and closed, whatever the others did: no short-circuit */
  bool flushed_out = out_flush(&b.out, log), flushed_rej = out_flush(&b.rej, log);
  bool flushed = out_flush(&b.agg, log) && flushed_out && flushed_rej;
  bool keep = !b.read_failed && !b.write_failed && !b.interrupted && agg_ok && flushed;
  bool closed_out = out_close(&b.out, keep, log), closed_rej = out_close(&b.rej, keep, log);
  bool closed = out_close(&b.agg, keep, log) && closed_out && closed_rej;
  for (unsigned i = 0; b.workers && i < b.nworkers; i++)
    worker_free(b.workers[i]);
  for (uint32_t i = 0; b.sh.jobs && i < b.sh.njobs; i++) {
    input_chunk_fini(&b.sh.jobs[i].chunk);
    wbuf_free(&b.sh.jobs[i].out);
    wbuf_free(&b.sh.jobs[i].rej);
    wbuf_free(&b.sh.jobs[i].log);
  }
  if (b.workers && started) {
    pthread_mutex_destroy(&b.sh.lock);
    pthread_cond_destroy(&b.sh.work);
    pthread_cond_destroy(&b.sh.done);
  }
  mem_free(b.workers);
  mem_free(b.sh.jobs);
  for (uint32_t i = 0; headers && i < o->ninputs; i++)
    rec_header_fini(&headers[i]);
  mem_free(headers);
  stats->seconds = now() - b.start;
  if (b.read_failed || b.write_failed || b.interrupted || !closed || !agg_ok)
    return 4;
  return stats->rejected ? 3 : 0;
}

/* ---------------------------------------------------------------- explain */

/* Whether the typed record in ctx has the key asked for: the first key field's value written
 * as `id`, and, when `year` is given, a field named year with that value. */
static bool key_matches(const elig_program *P, const vm_ctx *ctx, const char *id,
                        const char *year)
{
  const prog_record *rec = &P->records[P->main_record];
  char buf[256];
  if (P->nkeys == 0)
    return false;
  uint32_t k = P->key_fields[0];
  if (strcmp(write_value_text(rec->fields[k].type, vm_field_value(ctx, k), false, buf, sizeof buf), id))
    return false;
  if (!year)
    return true;
  for (uint32_t f = 0; f < rec->nfields; f++)
    if (strcmp(rec->fields[f].name, "year") == 0)
      return strcmp(write_value_text(rec->fields[f].type, vm_field_value(ctx, f), false, buf, sizeof buf),
                    year) == 0;
  return false;
}

static void explain_one(const run_options *o, vm_ctx *ctx, const char *name, uint64_t line,
                        bool json, FILE *out, FILE *log, uint64_t *found)
{
  char where[512], key[256];
  const elig_program *P = o->P;
  write_record_key(P, ctx, key, sizeof key);
  snprintf(where, sizeof where, "%s:%llu", name, (unsigned long long)line);
  wbuf b = {0};
  if (*found && !json)
    wbuf_put(&b, "\n", 1);
  vm_status st = explain_record(P, ctx, where, key, json, &b);
  if (st != VM_OK) {
    char at[256];
    prog_where(P, vm_error_pc(ctx), at, sizeof at);
    fprintf(log, "%s: the record cannot be evaluated: %s at %s\n", where, vm_status_str(st), at);
  } else if (b.len) {
    fwrite(b.p, 1, b.len, out);
  }
  wbuf_free(&b);
  (*found)++;
}

/* explain's side of the reading loop (feed.h): every record read is typed, and explained
 * when its key is the one asked for. Records that cannot be read are passed over in
 * silence: `elig run` is the command that reports them. */
typedef struct {
  const run_options *o;
  const char *id, *year;
  bool json;
  FILE *out, *log;
  vm_ctx *ctx;
  csv_parser csv;
  jdoc doc;
  input_chunk chunk;
  rec_header header;
  const char *name;
  input_format fmt;
  uint64_t found;
} finding;

static input_chunk *finding_buffer(void *arg)
{
  return &((finding *)arg)->chunk;
}

/* explain looks a record up: a file whose header cannot be used is refused (status 4). */
static feed_header finding_header(void *arg, const char *name, uint64_t line,
                                  const csv_record *r)
{
  finding *f = arg;
  char error[512], unknown[512];
  rec_header_fini(&f->header);
  if (rec_header_init(&f->header, f->o->P, r, error, sizeof error, unknown, sizeof unknown))
    return FEED_HEADER_OK;
  fprintf(f->log, "%s:%llu: error: %s\n", name, (unsigned long long)line, error);
  return FEED_HEADER_REFUSED;
}

static void finding_record(finding *f, uint64_t line)
{
  if (key_matches(f->o->P, f->ctx, f->id, f->year))
    explain_one(f->o, f->ctx, f->name, line, f->json, f->out, f->log, &f->found);
}

static void finding_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  finding *f = arg;
  const char *p = c->data + skip, *end = c->data + c->len;
  uint64_t line = c->first_line + skip_lines;
  rec_reject why;
  while (p < end) {
    if (f->fmt == INPUT_CSV) {
      csv_record r;
      const char *next = csv_parse_record(&f->csv, p, end, &r);
      uint64_t at = line + r.blank_lines;
      line += r.lines;
      p = next;
      if (r.error == CSV_OK && r.ncells && rec_from_csv(&f->header, f->ctx, &r, &why))
        finding_record(f, at);
    } else {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = (size_t)((nl ? nl : end) - p);
      jdoc_error jerr;
      rec_unknown unknown = {0};
      if (jdoc_parse(&f->doc, p, n && p[n - 1] == '\r' ? n - 1 : n, &jerr) == JDOC_OK &&
          rec_from_json(f->ctx, &f->doc, &why, &unknown))
        finding_record(f, line);
      p = nl ? nl + 1 : end;
      line++;
    }
  }
}

int run_explain(const run_options *o, const char *id, const char *year, bool json, FILE *out,
                FILE *log)
{
  finding f = {.o = o, .id = id, .year = year, .json = json, .out = out, .log = log};
  bool failed = false;
  f.ctx = vm_ctx_new(o->P);
  if (!f.ctx) {
    fprintf(log, "elig: out of memory\n");
    return 4;
  }
  vm_set_as_of(f.ctx, o->as_of);
  csv_parser_init(&f.csv, NULL);
  jdoc_init(&f.doc, REC_JDOC_OPTIONS);
  input_chunk_init(&f.chunk);
  const feed_handler handler = {
    .arg = &f,
    .buffer = finding_buffer,
    .header = finding_header,
    .chunk = finding_chunk,
  };
  for (uint32_t i = 0; i < o->ninputs && !failed; i++) {
    f.name = o->inputs[i];
    f.fmt = input_format_of(f.name, o->input_format);
    failed = feed_file(f.name, f.fmt, 0, o->interrupted, &handler, log) != FEED_OK;
  }
  rec_header_fini(&f.header);
  input_chunk_fini(&f.chunk);
  csv_parser_fini(&f.csv);
  jdoc_fini(&f.doc);
  vm_ctx_free(f.ctx);
  uint64_t found = f.found;
  if (failed)
    return 4;
  if (!found) {
    fprintf(log, "elig: no record with key '%s'%s%s\n", id, year ? " and year " : "",
            year ? year : "");
    return 3;
  }
  return 0;
}
