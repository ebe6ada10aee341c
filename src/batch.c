/*
 * batch.c -- the batch run: chunks in, results in input order out.  See batch.h.
 *
 * Threads: the calling thread reads chunks into a ring of jobs and writes finished jobs in
 * order; workers take jobs in sequence order, each with its own evaluation step and
 * splitter.  With one thread the calling thread does everything itself; with N, N - 1 are
 * started and the calling thread, which also reads and writes, makes the Nth whenever it
 * would wait.  Callbacks run only on the calling thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "batch.h"
#include "feed.h"
#include "hrun.h"
#include "once.h"
#include "i18n.h"
#include "mem.h"
#include "split.h"
#include "step.h"
#include "suggest.h"

/* ---------------------------------------------------------------- shared by every batch */

bool batch_write(const elig_batch_io *io, elig_stream stream, wbuf *b, bool *nomem)
{
  bool ok = true;
  if (b->failed) {
    *nomem = true;
    ok = false;
  } else if (b->len) {
    ok = io->write(io->arg, stream, b->p, b->len);
  }
  b->len = 0;
  b->failed = false;
  return ok;
}

/* "3 keys that name no field were ignored by the old rules in 2 records": two counts, where
 * one plural follows one, so the records' count is a phrase of its own put in the keys'
 * sentence, each a plural by its number. */
static void keys_ignored(wbuf *b, const rec_unknown *u, int side)
{
  unsigned long long keys = u->keys;
  char records[64];
  snprintf(records, sizeof records,
           /* TRANSLATORS: how many records held keys that name no field, put in "... were
            * ignored in %s". */
           i18n_plural("%llu record", "%llu records", u->records), (unsigned long long)u->records);
  if (side == 0)
    wbuf_printf(b,
                /* TRANSLATORS: keys of a JSON record that are no field of the old rules'
                 * record; %2$s is how many records held them ("2 records"). */
                i18n_plural("%llu key that names no field was ignored by the old rules in %s",
                            "%llu keys that name no field were ignored by the old rules in %s",
                            keys),
                keys, records);
  else if (side == 1)
    wbuf_printf(b,
                /* TRANSLATORS: the same for the new rules. */
                i18n_plural("%llu key that names no field was ignored by the new rules in %s",
                            "%llu keys that name no field were ignored by the new rules in %s",
                            keys),
                keys, records);
  else
    wbuf_printf(b,
                /* TRANSLATORS: keys of a JSON record that are no field of the rules' record;
                 * %2$s is how many records held them ("2 records"). */
                i18n_plural("%llu key that names no field was ignored in %s",
                            "%llu keys that name no field were ignored in %s", keys),
                keys, records);
}

void batch_unknown_keys(wbuf *b, const elig_program *P, const rec_unknown *u, int side)
{
  const prog_record *rec = &P->records[u->first_record];
  const char **names = mem_alloc((rec->nfields ? rec->nfields : 1) * sizeof *names);
  const char *best = NULL;
  if (names) {
    for (uint32_t i = 0; i < rec->nfields; i++)
      names[i] = rec->fields[i].name;
    best = suggest_closest(u->first, strlen(u->first), names, rec->nfields);
  }
  wbuf ignored = {0};
  keys_ignored(&ignored, u, side);
  const char *said = wbuf_text(&ignored);
  if (!said)
    b->failed = true;
  unsigned long long line = u->first_line;
  /* "elig: warning: " starts the line as the program's warnings do, for people and scripts */
  wbuf_puts(b, "elig: warning: ");
  if (best)
    /* TRANSLATORS: %1$s says how many keys were ignored in how many records ("3 keys that
     * name no field were ignored in 2 records"); then the first such key %2$s, the record
     * type %3$s it was in (as the rules name it), the line %4$llu of the input, and %5$s a
     * field of that name's spelling. */
    wbuf_printf(b, _("%s; the first, '%s' in a '%s' on line %llu: did you mean '%s'?"),
                said ? said : "", u->first, rec->name, line, best);
  else
    /* TRANSLATORS: the same without a field whose name is close. */
    wbuf_printf(b, _("%s; the first, '%s' in a '%s' on line %llu"), said ? said : "", u->first,
                rec->name, line);
  wbuf_puts(b, "\n");
  wbuf_free(&ignored);
  mem_free(names);
}

/* ---------------------------------------------------------------- jobs and workers */

typedef enum {
  JOB_FREE,
  JOB_READY,
  JOB_TAKEN,
  JOB_DONE
} job_state;

typedef struct {
  job_state state;
  uint64_t seq;
  input_chunk chunk;
  size_t skip; /* header bytes at the start of the chunk */
  uint64_t skip_lines;
  const rec_header *header; /* CSV: the mapping of this file */
  input_format fmt;
  const char *name;       /* file name for messages */
  uint32_t input;         /* which input */
  wbuf out, rej, log;     /* results, reject rows, messages */
  uint64_t too_long_line; /* not 0: the job is one record over the length limit, at this
                               line, which the reader skipped; it is rejected in its turn */
  size_t too_long_limit;
  uint64_t records, rejected;
  once_sum keys;       /* with `once`: what the job's records' keys add up to */
  rec_unknown unknown; /* JSON keys that are no field */
  bool nomem;          /* out of memory: the batch cannot go on */
} job;

typedef struct shared shared;

typedef struct {
  const batch_options *o;
  const elig_program *P;
  step step;
  splitter split;
  pthread_t thread;
  shared *sh;
  bool history;          /* records are typed and kept for hrun.c, not evaluated as they come */
  bool once;             /* over history, every household comes once (once.h): each record is
                            evaluated as it comes, as the only one of its household */
  wbuf kept;             /* with `once`: what a record keeps for the next year (discarded) */
  wbuf tmp_rej, tmp_log; /* with history: a rejection's text before it becomes an item */
  wbuf tmp_mark;         /* ... after a register's mark (batch_hooks.read_reject) */
} worker;

struct shared {
  pthread_mutex_t lock;
  pthread_cond_t work; /* a job became ready, or stop */
  pthread_cond_t done; /* a job is done */
  job *jobs;
  uint32_t njobs;
  uint64_t next_take; /* the next sequence number a worker takes */
  bool stop;
};

static worker *worker_new(const elig_program *P, const batch_options *o, shared *sh)
{
  worker *w = mem_calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->o = o;
  w->P = P;
  w->sh = sh;
  split_init(&w->split);
  if (!step_init(&w->step, P, o->as_of, true)) {
    step_fini(&w->step);
    split_fini(&w->split);
    mem_free(w);
    return NULL;
  }
  step_set_undetermined(&w->step, o->undetermined);
  w->step.show_defaults = o->show_defaults;
  vm_image_defaults(w->step.ctx, o->show_defaults);
  return w;
}

static void worker_free(worker *w)
{
  if (!w)
    return;
  wbuf_free(&w->tmp_rej);
  wbuf_free(&w->tmp_mark);
  wbuf_free(&w->tmp_log);
  wbuf_free(&w->kept);
  step_fini(&w->step);
  split_fini(&w->split);
  mem_free(w);
}

/* ---------------------------------------------------------------- one record */

/* The longest part of a key a message shows: keys are short, a field can hold 1 MiB. */
enum {
  KEY_PART_SHOWN = 128
};

/* A rejection: a row of the reject file (line, one column per key field, as the national
 * standard asks for hh_id apart, the reason, the record whole) on rej, or a line of the log
 * ("FILE:LINE: rejected hh_id/year: REASON") on log.  r is NULL for a record never read. */
void batch_reject_text(const batch_options *o, const step *s, const rec_header *h, const char *name,
                       uint64_t line, const split_record *r, const char *reason, wbuf *rej,
                       wbuf *log)
{
  const elig_program *P = s->P;
  const char *text = "";
  size_t len = 0;
  if (o->reject_rows) {
    wbuf_printf(rej, "%llu", (unsigned long long)line);
    for (uint32_t k = 0; k < P->nkeys; k++) {
      if (r)
        step_key_part(s, h, r, k, &text, &len);
      wbuf_puts(rej, ",");
      wbuf_csv_text(rej, text, len);
    }
    wbuf_puts(rej, ",");
    wbuf_csv_text(rej, reason, strlen(reason));
    wbuf_puts(rej, ",");
    wbuf_csv_text(rej, r ? r->raw : "", r ? r->rawlen : 0);
    wbuf_puts(rej, "\n");
    return;
  }
  wbuf_printf(log, "%s:%llu: rejected", name, (unsigned long long)line);
  /* the record's key (hh_id/year): the operator's own identifier, not personal data;
   * control characters are replaced so that a key cannot forge log lines */
  bool any = false;
  for (uint32_t k = 0; k < P->nkeys && !any && r; k++) {
    step_key_part(s, h, r, k, &text, &len);
    any = len > 0;
  }
  for (uint32_t k = 0; k < P->nkeys && any; k++) {
    step_key_part(s, h, r, k, &text, &len);
    wbuf_puts(log, k ? "/" : " ");
    wbuf_put_printable(log, text, len < KEY_PART_SHOWN ? len : KEY_PART_SHOWN);
  }
  wbuf_puts(log, ": ");
  wbuf_puts(log, reason);
  wbuf_puts(log, "\n");
}

/* A rejection of a record of job j (the record number `index` of its chunk).  With history,
 * as an item at the record's place in input order, so that it merges with the rejections of
 * the evaluation (hrun.c). */
static void reject(worker *w, job *j, uint64_t index, uint64_t line, const split_record *r,
                   const char *reason)
{
  j->rejected++;
  if (!w->history) {
    batch_reject_text(w->o, &w->step, j->header, j->name, line, r, reason, &j->rej, &j->log);
    return;
  }
  w->tmp_rej.len = w->tmp_log.len = 0;
  batch_reject_text(w->o, &w->step, j->header, j->name, line, r, reason, &w->tmp_rej, &w->tmp_log);
  bool row = w->tmp_rej.len > 0;
  const wbuf *text = row ? &w->tmp_rej : &w->tmp_log;
  const batch_hooks *hk = w->o->hooks;
  if (hk && hk->read_reject) {
    w->tmp_mark.len = 0;
    hk->read_reject(hk->arg, j->input, line, reason, &w->tmp_mark);
    if (w->tmp_mark.len) {
      wbuf_put(&w->tmp_mark, text->p, text->len);
      text = &w->tmp_mark;
    }
  }
  hrun_item(&j->rej, j->seq << 32 | (index + 1), row ? ELIG_STREAM_REJECTS : ELIG_STREAM_MESSAGES,
            text->p, text->len);
  j->rej.failed |= w->tmp_rej.failed || w->tmp_log.failed || w->tmp_mark.failed;
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

/* A record typed in w's step, of a household that has no other record in the inputs (once.h):
 * evaluated as hrun.c evaluates a household's first record (hist_begin, hist_accept) with no
 * year before it, at its place in input order: so a value it keeps for the next year failing
 * rejects it here too.  A rejection here is said as hrun.c says it (history_reject), without
 * the value at fault. */
static step_result evaluate_alone(worker *w, job *j, uint64_t index, const split_record *r,
                                  step_why *why)
{
  vm_set_previous(w->step.ctx, NULL, 0);
  step_result res = step_evaluate(&w->step, j->seq << 32 | (index + 1), why);
  if (res == STEP_OK) {
    w->kept.len = 0;
    vm_status st = vm_remember(w->step.ctx, &w->kept);
    if (st == VM_ERR_NO_MEMORY || w->kept.failed)
      res = STEP_NO_MEMORY;
    else if (st != VM_OK)
      res = step_failed(&w->step, st, why);
  }
  if (res == STEP_REJECTED) {
    j->rejected++;
    batch_reject_text(w->o, &w->step, j->header, j->name, r->line, r, why->reject.message, &j->rej,
                      &j->log);
  }
  return res;
}

static void process_records(worker *w, job *j)
{
  split_record r;
  step_why why;
  char reason[sizeof(rec_reject) + 32];
  uint64_t index = 0;
  split_begin(&w->split, j->fmt, &j->chunk, j->skip, j->skip_lines);
  while (split_next(&w->split, &r) && !j->nomem) {
    j->records++;
    uint64_t seq = j->seq << 32 | index;
    step_result res;
    if (w->once) {
      uint64_t h = once_key_hash(w->P, j->header, &r);
      j->keys.records++;
      j->keys.sum += h;
      res = step_type(&w->step, j->header, &r, &j->unknown, &why);
      if (res == STEP_OK && (res = evaluate_alone(w, j, index, &r, &why)) == STEP_REJECTED) {
        index++;
        continue;
      }
    } else {
      res = w->history ? step_type(&w->step, j->header, &r, &j->unknown, &why)
                       : step_record(&w->step, j->header, &r, seq, &j->unknown, &why);
    }
    switch (res) {
    case STEP_OK:
      if (w->history) /* its place: after the job's messages, which take place 0 */
        hrun_entry(&j->out, &w->step, j->seq << 32 | (index + 1), &r, j->input);
      else
        write_record(&j->out, w->P, w->step.ctx, w->o->format, batch_extra_columns(w->o));
      break;
    case STEP_REJECTED:
      reject(w, j, index, r.line, &r, why_text(w, &why.reject, reason, sizeof reason));
      break;
    case STEP_FAILED:
      reject(w, j, index, r.line, &r, step_failure_text(&w->step, &why, reason, sizeof reason));
      break;
    case STEP_NO_MEMORY: j->nomem = true; break;
    }
    index++;
  }
}

static void process(worker *w, job *j)
{
  j->out.len = j->rej.len = 0; /* j->log may hold the file's header messages already */
  j->records = j->rejected = 0;
  memset(&j->keys, 0, sizeof j->keys);
  memset(&j->unknown, 0, sizeof j->unknown);
  if (j->too_long_line) {
    /* its bytes were never kept: the reject row has an empty record */
    char reason[128];
    j->records = 1;
    diag_format(DIAG_E_RECORD_TOO_LONG, reason, sizeof reason, j->too_long_limit);
    reject(w, j, 0, j->too_long_line, NULL, reason);
  } else if (j->chunk.len) {
    process_records(w, j);
  }
  j->nomem |= j->out.failed || j->rej.failed || j->log.failed;
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
  const elig_program *P;
  const batch_options *o;
  const elig_batch_io *io;
  elig_batch_stats *stats;
  rec_unknown unknown;                      /* over the whole run, the first in input order */
  bool stream_failed[ELIG_STREAM_LIST + 1]; /* nothing more is written to it */
  bool write_failed, read_failed, canceled, nomem;
  bool heads_written; /* the column headers of the results and rejects */
  shared sh;
  worker **workers;
  unsigned nworkers; /* evaluation states: the calling thread's, then one per thread */
  unsigned nthreads; /* threads started (workers[1..nthreads]) */
  uint64_t next_seq, next_write;
  uint32_t given;    /* the inputs given; a register's stored ones follow (read_more) */
  hrun *hist;        /* a rule set following households over the years: what is read is kept here */
  bool spill_failed; /* a temporary file of hist failed */
  /* Over the years, but every household comes once (once.h): no hist, and each record is
   * evaluated as it is read.  What the keys of the first reading added up to, and of this
   * one. */
  bool once;
  once_sum scanned, keys;
} batch;

static bool stopped(const batch *b)
{
  return b->write_failed || b->read_failed || b->canceled || b->nomem || b->spill_failed;
}

/* Writes w to `stream` and empties it.  A stream that failed gets nothing more; the others
 * go on (the messages about records already read still come out). */
static void emit(batch *b, elig_stream stream, wbuf *w)
{
  if (!b->stream_failed[stream] && !batch_write(b->io, stream, w, &b->nomem) && !b->nomem)
    b->stream_failed[stream] = b->write_failed = true;
  w->len = 0;
  w->failed = false;
}

/* The header lines go out with the first results, or at the end of a run that read all its
 * input: a run refused before any record (a CSV header missing a required column, say) leaves
 * the results empty rather than a header that looks like an empty but complete result. */
static void write_heads(batch *b)
{
  if (b->heads_written)
    return;
  b->heads_written = true;
  wbuf head = {0};
  if (b->o->format == WRITE_CSV && !(b->o->hooks && b->o->hooks->results_only))
    write_record_header(&head, b->P, batch_extra_columns(b->o));
  emit(b, ELIG_STREAM_RESULTS, &head);
  if (b->o->reject_rows) {
    /* line, the key fields by name (hh_id, year), reason, record */
    const elig_program *P = b->P;
    wbuf_puts(&head, "line");
    for (uint32_t k = 0; k < P->nkeys; k++) {
      const char *name = prog_main_record(P)->fields[P->key_fields[k]].name;
      wbuf_puts(&head, ",");
      wbuf_csv_text(&head, name, strlen(name));
    }
    wbuf_puts(&head, ",reason,record\n");
    emit(b, ELIG_STREAM_REJECTS, &head);
  }
  wbuf_free(&head);
}

/* The first unknown key in input order; the counts over all. */
static void add_unknown(rec_unknown *total, const rec_unknown *u)
{
  if (u->keys && !total->keys) {
    *total = *u;
    return;
  }
  total->keys += u->keys;
  total->records += u->records;
}

/* With history, a finished job's records and rejections go to hrun.c, its messages first
 * (they come before its records in input order). */
static void collect(batch *b, job *j)
{
  wbuf none = {0}, messages = {0};
  if (j->log.len)
    hrun_item(&messages, j->seq << 32, ELIG_STREAM_MESSAGES, j->log.p, j->log.len);
  const batch_hooks *hk = b->o->hooks;
  if (hk && hk->entries && j->out.len)
    hk->entries(hk->arg, j->out.p, j->out.len);
  if (messages.failed || !hrun_add(b->hist, &none, &messages) ||
      !hrun_add(b->hist, &j->out, &j->rej)) {
    if (hrun_failed_io(b->hist))
      b->spill_failed = true; /* said once the reading is over */
    else
      b->nomem = true;
  }
  wbuf_free(&messages);
  j->log.len = j->out.len = j->rej.len = 0;
}

/* Writes the finished jobs that are next in input order; call with the lock held. */
static void write_ready(batch *b)
{
  for (;;) {
    job *j = &b->sh.jobs[b->next_write % b->sh.njobs];
    if (j->state != JOB_DONE || j->seq != b->next_write)
      return;
    if (j->nomem)
      b->nomem = true;
    if (b->hist) {
      collect(b, j);
      b->stats->records += j->records;
      b->stats->rejected += j->rejected;
      if (b->o->hooks && b->o->hooks->more_records && j->input >= b->given)
        *b->o->hooks->more_records += j->records;
      add_unknown(&b->unknown, &j->unknown);
      j->state = JOB_FREE;
      b->next_write++;
      if (b->io->progress)
        b->io->progress(b->io->arg, b->stats);
      continue;
    }
    if (j->out.len || j->rej.len) /* not for a job that is only a message */
      write_heads(b);
    emit(b, ELIG_STREAM_RESULTS, &j->out);
    emit(b, ELIG_STREAM_REJECTS, &j->rej);
    emit(b, ELIG_STREAM_MESSAGES, &j->log);
    b->stats->records += j->records;
    b->stats->rejected += j->rejected;
    b->stats->written += j->records - j->rejected;
    b->keys.records += j->keys.records;
    b->keys.sum += j->keys.sum;
    add_unknown(&b->unknown, &j->unknown);
    j->state = JOB_FREE;
    b->next_write++;
    if (b->io->progress)
      b->io->progress(b->io->arg, b->stats);
  }
}

/* While the calling thread would wait, it processes the next ready job itself (with the
 * first worker's state).  Called with the lock held; false when there was nothing to take. */
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

/* A free job for the next chunk, writing finished ones while waiting. */
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

/* ---------------------------------------------------------------- reading */

/* The batch's side of the reading loop (feed.h): a free job's chunk to read into, the CSV
 * header mapped onto the rule set, and each chunk submitted as a job. */
typedef struct {
  batch *b;
  const char *name;
  uint32_t input;
  input_format fmt;
  rec_header *header;
  job *j;     /* the job whose chunk is being read, until it is submitted */
  bool noted; /* j's log holds a message of the file: j must go out even without records */
} reading;

static input_chunk *reading_buffer(void *arg)
{
  reading *rd = arg;
  if (rd->j) /* noted and not yet submitted: the message stays */
    return &rd->j->chunk;
  rd->j = free_job(rd->b);
  rd->j->log.len = 0;
  rd->j->too_long_line = 0;
  rd->j->nomem = false;
  rd->j->fmt = rd->fmt;
  rd->j->name = rd->name;
  rd->j->input = rd->input;
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
 * record of the file (step.c): bad input never stops the batch. */
static feed_header reading_header(void *arg, const char *name, uint64_t line, const csv_record *r)
{
  reading *rd = arg;
  const elig_program *P = rd->b->P;
  char error[512], unknown[512];
  if (!rec_header_init(rd->header, P, r, error, sizeof error, unknown, sizeof unknown)) {
    if (rd->header->no_memory)
      return FEED_HEADER_NO_MEMORY;
    /* "FILE:LINE: error: " as compilers start a line, for editors and scripts */
    wbuf_printf(&rd->j->log, "%s:%llu: error: ", name, (unsigned long long)line);
    /* TRANSLATORS: a CSV file's header line cannot be used: %s says why. */
    wbuf_printf(&rd->j->log, _("%s; every record of the file is rejected"), error);
    wbuf_puts(&rd->j->log, "\n");
    return rd->header->first_line_is_record ? FEED_HEADER_IS_RECORD : FEED_HEADER_OK;
  }
  if (unknown[0]) {
    wbuf_printf(&rd->j->log, "%s:%llu: warning: ", name, (unsigned long long)line);
    /* TRANSLATORS: %1$s is the record type the rules read (as they name it), %2$s the
     * columns of the CSV header that are none of its fields, as the file names them. */
    wbuf_printf(&rd->j->log, _("columns that are not fields of '%s' are ignored: %s"),
                prog_main_record(P)->name, unknown);
    wbuf_puts(&rd->j->log, "\n");
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
static void reading_too_long(void *arg, input_chunk *c, uint64_t line, size_t limit)
{
  (void)c;
  reading *rd = arg;
  rd->j->too_long_line = line;
  rd->j->too_long_limit = limit;
  rd->j->chunk.len = 0;
  reading_submit(rd);
}

/* The file's messages go out with its first job, after the records of the files before. */
static void reading_note(void *arg, const char *text)
{
  reading *rd = arg;
  reading_buffer(rd);
  wbuf_puts(&rd->j->log, text);
  rd->noted = true;
}

static bool reading_stop(void *arg)
{
  return stopped(((reading *)arg)->b);
}

static void read_input(batch *b, const elig_input *in, uint32_t input, rec_header *h)
{
  reading rd = {.b = b,
                .name = in->name ? in->name : "-",
                .input = input,
                .fmt = feed_format(in),
                .header = h};
  const feed_handler handler = {
      .arg = &rd,
      .buffer = reading_buffer,
      .header = reading_header,
      .chunk = reading_chunk,
      .too_long = reading_too_long,
      .stop = reading_stop,
      .note = reading_note,
  };
  feed_status st = feed_input(in, b->o->chunk_bytes, b->io, &handler);
  if (rd.j && rd.noted) {
    /* a message and no record (an empty file, one that cannot be read): a job of its own */
    rd.j->chunk.len = 0;
    rd.j->skip = 0;
    reading_submit(&rd);
  }
  if (st == FEED_CANCELED)
    b->canceled = true;
  else if (st == FEED_REFUSED)
    b->read_failed = true;
  else if (st == FEED_NO_MEMORY)
    b->nomem = true;
}

/* ---------------------------------------------------------------- threads */

static unsigned cores(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 256 ? (unsigned)n : 1;
}

static bool start_workers(batch *b)
{
  b->nworkers = b->o->threads ? b->o->threads : cores();
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
  for (unsigned i = 0; i < b->nworkers; i++) {
    if (!(b->workers[i] = worker_new(b->P, b->o, &b->sh)))
      return false;
    b->workers[i]->history = b->hist != NULL;
    b->workers[i]->once = b->once;
  }
  /* workers[0] belongs to the calling thread (see help) */
  for (unsigned i = 1; b->nworkers > 1 && i < b->nworkers; i++) {
    if (pthread_create(&b->workers[i]->thread, NULL, worker_main, b->workers[i]) != 0)
      return false; /* the ones started are joined by stop_workers */
    b->nthreads = i;
  }
  return true;
}

/* Waits until every job read so far is written (with history: collected); call with the
 * lock held. */
static void drain(batch *b)
{
  while (b->next_write < b->next_seq) {
    write_ready(b);
    if (b->next_write < b->next_seq && !help(b))
      pthread_cond_wait(&b->sh.done, &b->sh.lock);
  }
}

static void stop_workers(batch *b)
{
  pthread_mutex_lock(&b->sh.lock);
  drain(b);
  b->sh.stop = true;
  pthread_cond_broadcast(&b->sh.work);
  pthread_mutex_unlock(&b->sh.lock);
  for (unsigned i = 1; i <= b->nthreads; i++)
    pthread_join(b->workers[i]->thread, NULL);
}

static void free_workers(batch *b, bool started)
{
  for (unsigned i = 0; b->workers && i < b->nworkers; i++)
    worker_free(b->workers[i]);
  for (uint32_t i = 0; b->sh.jobs && i < b->sh.njobs; i++) {
    input_chunk_fini(&b->sh.jobs[i].chunk);
    wbuf_free(&b->sh.jobs[i].out);
    wbuf_free(&b->sh.jobs[i].rej);
    wbuf_free(&b->sh.jobs[i].log);
  }
  if (started) {
    pthread_mutex_destroy(&b->sh.lock);
    pthread_cond_destroy(&b->sh.work);
    pthread_cond_destroy(&b->sh.done);
  }
  mem_free(b->workers);
  mem_free(b->sh.jobs);
}

/* ---------------------------------------------------------------- the end */

/* Merges every worker's groups into the first worker's and writes them; false (said on the
 * messages) when a group's rule failed or a sum went out of range. */
static bool write_aggregates(batch *b)
{
  const elig_program *P = b->P;
  worker *w0 = b->workers[0];
  elig_stream dst = b->o->separate_aggregates ? ELIG_STREAM_AGGREGATES : ELIG_STREAM_RESULTS;
  wbuf buf = {0};
  bool ok = true;
  for (uint32_t a = 0; a < P->naggregates && ok && !stopped(b); a++) {
    for (unsigned i = 1; i < b->nworkers; i++)
      if (!agg_merge(&w0->step.aggs[a], &b->workers[i]->step.aggs[a], 0))
        b->nomem = true;
    vm_status st = b->nomem ? VM_OK
                            : agg_write(&w0->step.aggs[a], w0->step.ctx, &buf, b->o->format,
                                        b->o->separate_aggregates && a == 0);
    if (st == VM_ERR_NO_MEMORY) {
      b->nomem = true;
    } else if (st != VM_OK) {
      char where[256];
      prog_where(P, vm_error_pc(w0->step.ctx), where, sizeof where);
      buf.len = 0;
      wbuf_puts(&buf, "elig: ");
      /* TRANSLATORS: a rule failed while an aggregate's groups were written: %1$s is the
       * aggregate's name, %2$s what went wrong ("division by zero"), %3$s where in the
       * rules (file:line:column). */
      wbuf_printf(&buf, _("aggregate '%s': %s at %s"), P->aggregates[a].name, vm_status_str(st),
                  where);
      wbuf_puts(&buf, "\n");
      emit(b, ELIG_STREAM_MESSAGES, &buf);
      ok = false;
    } else if (w0->step.aggs[a].overflow) {
      buf.len = 0;
      wbuf_puts(&buf, "elig: ");
      /* TRANSLATORS: %s is an aggregate's name: one of its sums is beyond what a value
       * holds. */
      wbuf_printf(&buf, _("aggregate '%s': a sum went out of range"), P->aggregates[a].name);
      wbuf_puts(&buf, "\n");
      emit(b, ELIG_STREAM_MESSAGES, &buf);
      ok = false;
    }
    if (ok)
      emit(b, dst, &buf);
  }
  wbuf_free(&buf);
  return ok;
}

/* ---------------------------------------------------------------- history */

static void history_result(void *arg, const step *s, const hrun_rec *e, const char *name,
                           const char *kept, size_t len, wbuf *out)
{
  const batch *b = arg;
  (void)e;
  (void)name;
  (void)kept;
  (void)len;
  write_record(out, b->P, s->ctx, b->o->format, batch_extra_columns(b->o));
}

static void history_reject(void *arg, const step *s, const hrun_rec *e, const char *name,
                           const rec_header *h, const split_record *r, const step_why *why,
                           bool failed, wbuf *rej, wbuf *log)
{
  const batch *b = arg;
  const batch_hooks *hk = b->o->hooks;
  if (hk && hk->reject) {
    hk->reject(hk->arg, s, e, name, h, r, why, failed, rej, log);
    return;
  }
  char reason[sizeof(rec_reject) + 32];
  if (failed)
    step_failure_text(s, why, reason, sizeof reason);
  else
    snprintf(reason, sizeof reason, "%s", why->reject.message);
  batch_reject_text(b->o, s, h, name, r->line, r, reason, rej, log);
}

/* A register's own results and seeds (batch_hooks). */
static void hook_result(void *arg, const step *s, const hrun_rec *e, const char *name,
                        const char *kept, size_t len, wbuf *out)
{
  const batch_hooks *hk = ((const batch *)arg)->o->hooks;
  hk->result(hk->arg, s, e, name, kept, len, out);
}

static const void *hook_seed(void *arg, const char *link, size_t link_len, int64_t year,
                             size_t *len)
{
  const batch_hooks *hk = ((const batch *)arg)->o->hooks;
  return hk->seed(hk->arg, link, link_len, year, len);
}

/* An item of the history run, written where emit() writes. */
static bool history_write(void *arg, elig_stream stream, const char *text, size_t len)
{
  batch *b = arg;
  if (len && !b->stream_failed[stream] && !b->io->write(b->io->arg, stream, text, len))
    b->stream_failed[stream] = b->write_failed = true;
  return true;
}

/* A temporary file of the run could not be made, written or read (a full disk): the run's
 * outputs are incomplete. */
static void spill_failed(batch *b)
{
  wbuf w = {0};
  wbuf_puts(&w, "elig: ");
  /* TRANSLATORS: a run that follows households over the years keeps its records in a
   * temporary file; TMPDIR is an environment variable.  %s is the system's reason. */
  wbuf_printf(&w, _("cannot keep the records in a temporary file (TMPDIR, else /tmp): %s"),
              strerror(hrun_io_errno(b->hist)));
  wbuf_puts(&w, "\n");
  emit(b, ELIG_STREAM_MESSAGES, &w);
  wbuf_free(&w);
  b->write_failed = true;
}

/* Each household's records evaluated in the order of their years (hrun.h); false when the
 * run cannot go on. */
static bool evaluate_households(batch *b, const elig_input *inputs, size_t ninputs,
                                const rec_header *headers, uint64_t *rejected)
{
  step **steps = mem_calloc(b->nworkers, sizeof *steps);
  const char **names = mem_calloc(ninputs + 1, sizeof *names);
  const batch_hooks *hk = b->o->hooks;
  hrun_format fmt = {.arg = b,
                     .result_stream = ELIG_STREAM_RESULTS,
                     .result = history_result,
                     .reject = history_reject};
  if (hk && hk->result)
    fmt.result = hook_result;
  if (hk && hk->seed)
    fmt.seed = hook_seed;
  bool ok = steps && names;
  for (unsigned i = 0; ok && i < b->nworkers; i++)
    steps[i] = &b->workers[i]->step;
  for (size_t i = 0; ok && i < ninputs; i++)
    names[i] = inputs[i].name ? inputs[i].name : "-";
  ok = ok && hrun_evaluate(b->hist, steps, b->nworkers, headers, names, &fmt, rejected);
  if (!ok && !hrun_failed_io(b->hist))
    b->nomem = true;
  mem_free(steps);
  mem_free(names);
  return ok;
}

/* The whole input read and typed: each household's records evaluated in the order of their
 * years, and everything written in input order (hrun.h). */
static void evaluate_history(batch *b, const elig_input *inputs, size_t ninputs,
                             const rec_header *headers)
{
  uint64_t rejected = 0;
  if (evaluate_households(b, inputs, ninputs, headers, &rejected)) {
    b->stats->rejected += rejected;
    b->stats->written = b->stats->records - b->stats->rejected;
    write_heads(b);
    hrun_write(b->hist, history_write, b);
  }
  if (hrun_failed_memory(b->hist))
    b->nomem = true;
  else if (hrun_failed_io(b->hist))
    spill_failed(b);
  else if (b->io->progress && !b->nomem)
    b->io->progress(b->io->arg, b->stats);
}

/* A register's stored records, read once the inputs are (batch_hooks.more): they follow the
 * inputs, which *inputs and *ninputs then include (in *all, the caller's to free). */
static void read_more(batch *b, const elig_input **inputs, size_t *ninputs, elig_input **all,
                      rec_header **headers)
{
  pthread_mutex_lock(&b->sh.lock);
  drain(b); /* the hook sees every entry read */
  pthread_mutex_unlock(&b->sh.lock);
  if (stopped(b))
    return;
  const elig_input *extra = NULL;
  size_t nextra = 0;
  if (!b->o->hooks->more(b->o->hooks->arg, &extra, &nextra)) {
    b->read_failed = true;
    return;
  }
  if (nextra == 0)
    return;
  size_t n = *ninputs + nextra;
  elig_input *in = mem_calloc(n, sizeof *in);
  rec_header *h = mem_realloc(*headers, (n + 1) * sizeof *h);
  if (h)
    *headers = h;
  if (!in || !h) {
    mem_free(in);
    b->nomem = true;
    return;
  }
  memset(h + *ninputs, 0, (nextra + 1) * sizeof *h);
  if (*ninputs) /* an export has none: memcpy from NULL is undefined, even of 0 bytes */
    memcpy(in, *inputs, *ninputs * sizeof *in);
  memcpy(in + *ninputs, extra, nextra * sizeof *in);
  for (size_t i = *ninputs; i < n && !stopped(b); i++)
    read_input(b, &in[i], (uint32_t)i, &h[i]);
  *all = in;
  *inputs = in;
  *ninputs = n;
}

/* A rule set following households over the years: two passes (hrun.h), unless the inputs
 * can be read twice and a first reading finds every household once (once.h). */
static void over_the_years(batch *b, const elig_input *inputs, size_t ninputs)
{
  const batch_options *o = b->o;
  if (o->reread && !o->hooks && once_applies(b->P)) {
    switch (once_scan(b->P, inputs, ninputs, o->chunk_bytes, o->memory_limit, b->io, &b->scanned)) {
    case ONCE_EACH: b->once = true; return;
    case ONCE_NOT: break;
    case ONCE_CANCELED: b->canceled = true; return;
    case ONCE_NO_MEMORY: b->nomem = true; return;
    }
  }
  if (!(b->hist = hrun_new(b->P, o->memory_limit)))
    b->nomem = true;
}

/* With `once`: the second reading must have met the records of the first, or a household
 * may have come twice after all (a file written to while the run read it). */
static void check_same_keys(batch *b)
{
  if (b->scanned.records == b->keys.records && b->scanned.sum == b->keys.sum)
    return;
  wbuf w = {0};
  wbuf_puts(&w, "elig: ");
  /* TRANSLATORS: a run over the years reads its inputs twice (once to see whether any
   * household comes twice); they changed in between, so its results cannot be trusted. */
  wbuf_puts(&w,
            _("the inputs changed while they were read; run again once nothing writes to them"));
  wbuf_puts(&w, "\n");
  emit(b, ELIG_STREAM_MESSAGES, &w);
  wbuf_free(&w);
  b->read_failed = true;
}

elig_status batch_run(const elig_program *P, const batch_options *o, const elig_input *inputs,
                      size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats)
{
  batch b = {.P = P, .o = o, .io = io, .stats = stats, .given = (uint32_t)ninputs};
  memset(stats, 0, sizeof *stats);
  rec_header *headers = mem_calloc(ninputs + 1, sizeof *headers);
  elig_input *all = NULL; /* the inputs and a register's stored records (read_more) */
  if (P->order_field != PROG_NONE)
    over_the_years(&b, inputs, ninputs);
  bool started = headers && !b.nomem && start_workers(&b);
  bool agg_ok = true;
  if (!started) {
    b.nomem = true;
  } else {
    /* an input that cannot be read ends the run: its outputs will not be kept anyway */
    for (size_t i = 0; i < ninputs && !stopped(&b); i++)
      read_input(&b, &inputs[i], (uint32_t)i, &headers[i]);
    if (b.hist && o->hooks && o->hooks->more && !stopped(&b))
      read_more(&b, &inputs, &ninputs, &all, &headers);
    stop_workers(&b);
    if (b.once && !stopped(&b))
      check_same_keys(&b);
    if (b.hist && !stopped(&b))
      evaluate_history(&b, inputs, ninputs, headers);
    else if (b.hist && !b.nomem && !hrun_write(b.hist, history_write, &b) &&
             hrun_failed_memory(b.hist))
      b.nomem = true; /* the messages of a run that stopped */
    if (b.spill_failed)
      spill_failed(&b);
    if (!stopped(&b)) {
      write_heads(&b);
      if (!(o->hooks && o->hooks->results_only))
        agg_ok = write_aggregates(&b);
    }
  }
  if (!b.nomem && b.unknown.keys) {
    wbuf w = {0};
    batch_unknown_keys(&w, P, &b.unknown, -1);
    emit(&b, ELIG_STREAM_MESSAGES, &w);
    wbuf_free(&w);
  }
  free_workers(&b, b.workers != NULL && b.sh.jobs != NULL);
  hrun_free(b.hist);
  for (size_t i = 0; headers && i < ninputs; i++)
    rec_header_fini(&headers[i]);
  mem_free(headers);
  mem_free(all);
  if (b.nomem)
    return ELIG_ENOMEM;
  if (b.canceled)
    return ELIG_ECANCELED;
  if (b.read_failed || b.write_failed)
    return ELIG_EIO;
  return agg_ok ? ELIG_OK : ELIG_EEVAL;
}
