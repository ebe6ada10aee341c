/*
 * batch.h -- a batch run (`elig run`, elig_run): registers in, results, aggregates and
 * rejections out, through the caller's callbacks.
 *
 * Place in the pipeline: feed.c reads each input in chunks of whole records; worker threads
 * cut (split.c), type and evaluate (step.c) and format (write.c) each chunk into buffers of
 * their own; the calling thread hands the buffers to the caller's write callback in input
 * order.  Memory is bounded by the chunks in flight (about 2 per thread) and the aggregate
 * groups.  The shared helpers of every batch (the unknown-keys warning, the rejection line)
 * are here too.
 */
#ifndef ELIG_BATCH_H
#define ELIG_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "elig.h"

#include "hrun.h"
#include "program.h"
#include "record.h"
#include "step.h"
#include "wbuf.h"
#include "write.h"

/* What a register (register.c) changes in a run over history: it sees the records read,
 * adds its stored ones, and takes the results itself instead of result lines. */
typedef struct {
  void *arg;
  /* Each finished job's entries (hrun_entry's, `len` bytes), in input order. */
  void (*entries)(void *arg, const char *p, size_t len);
  /* Once the inputs are read: more inputs to read after them (valid until the run ends);
   * false stops the run with ELIG_EIO (the hook says why). */
  bool (*more)(void *arg, const elig_input **extra, size_t *nextra);
  /* Each result's item, instead of its line (hrun.h), and the seed of each household's
   * first record. */
  void (*result)(void *arg, const step *s, const hrun_rec *e, const char *name, const char *kept,
                 size_t len, wbuf *out);
  const void *(*seed)(void *arg, const char *link, size_t link_len, int64_t year, size_t *len);
  /* A record rejected while evaluated, instead of the batch's own text (hrun.h). */
  void (*reject)(void *arg, const step *s, const hrun_rec *e, const char *name, const rec_header *h,
                 const split_record *r, const step_why *why, bool failed, wbuf *rej, wbuf *log);
  /* A record rejected while read, from a worker thread: a mark for the register to put
   * before its message or row, into `out` (nothing: no mark). */
  void (*read_reject)(void *arg, uint32_t input, uint64_t line, const char *reason, wbuf *out);
  bool results_only; /* no header line and no aggregates on ELIG_STREAM_RESULTS */
  /* Where the batch counts the records read from the inputs `more` added (NULL: nowhere):
   * they are a register's, not the caller's, and may be more than it stored (a damaged
   * header, a record with a line break). */
  uint64_t *more_records;
} batch_hooks;

typedef struct {
  write_format format;      /* of the results */
  int32_t as_of;            /* days since 1970-01-01 */
  unsigned threads;         /* 0: one a core */
  bool reject_rows;         /* rejections as CSV rows on ELIG_STREAM_REJECTS */
  bool separate_aggregates; /* aggregates on ELIG_STREAM_AGGREGATES */
  bool explain;             /* the `why` column */
  bool undetermined;        /* three-valued evaluation of absent fields; the `needs` column */
  bool show_defaults;       /* the `defaulted` column */
  bool show_values;         /* rejection messages quote the value at fault */
  size_t chunk_bytes;       /* 0: the reader's default */
  size_t memory_limit;      /* a run over history: bytes kept in memory (0: 256 MiB) */
  bool reread;              /* the inputs may be read twice (elig_run_options.reread) */
  const batch_hooks *hooks; /* NULL but for a register's runs */
} batch_options;

/* The write.h columns beyond the outputs that options o ask for. */
static inline unsigned batch_extra_columns(const batch_options *o)
{
  return (o->explain ? WRITE_WHY : 0u) | (o->undetermined ? WRITE_NEEDS : 0u) |
         (o->show_defaults ? WRITE_DEFAULTS : 0u);
}

/* elig_run's body (elig.h says what it does and returns). */
elig_status batch_run(const elig_program *P, const batch_options *o, const elig_input *inputs,
                      size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats);

/* "elig: warning: 3 keys that name no field were ignored in 1 record; the first,
 * 'exited_yaer' in a 'household' on line 7: did you mean 'exited_year'?", appended to b, in
 * the reader's language; "ignored by the old rules" for side 0, "by the new rules" for
 * side 1 (elig diff), neither for -1.  The record type is named because the key may be in
 * a nested record (a 'member'). */
void batch_unknown_keys(wbuf *b, const elig_program *P, const rec_unknown *u, int side);

/* A rejection as a batch writes it: a row on rej (reject_rows: line, the key fields, the
 * reason, the record) or a line on log ("FILE:LINE: rejected hh_id/year: REASON").  r is the
 * record as cut from file `name` of CSV header h (NULL for a record never read), typed in s's
 * rule set. */
void batch_reject_text(const batch_options *o, const step *s, const rec_header *h, const char *name,
                       uint64_t line, const split_record *r, const char *reason, wbuf *rej,
                       wbuf *log);

/* Writes b's bytes to `stream` through io, and empties b; false when the write failed or b
 * is incomplete (out of memory: *nomem is then set). */
bool batch_write(const elig_batch_io *io, elig_stream stream, wbuf *b, bool *nomem);

#endif
