/*
 * run.h -- the batch driver behind `elig run`: inputs in, results, aggregates and rejects out.
 *
 * Pipeline: input.c cuts files into chunks of whole records; worker threads type
 * (record.c), evaluate (vm.c), fold into aggregates (agg.c) and format (write.c) each chunk
 * into its own buffer; the calling thread writes the buffers in input order.  Memory is
 * bounded by the number of chunks in flight (about 2 per thread) and the aggregate groups.
 */
#ifndef ELIG_RUN_H
#define ELIG_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "input.h"
#include "record.h"
#include "program.h"
#include "write.h"

typedef struct {
  const elig_program *P;
  const char *const *inputs;   /* paths, "-" for standard input */
  uint32_t ninputs;
  int input_format;            /* -1: by file name (.jsonl/.ndjson/.json = JSON Lines), else
                                  an input_format */
  write_format format;
  const char *output;          /* NULL or "-" for standard output */
  const char *rejects;         /* NULL: each rejection is reported on the log */
  const char *aggregates;      /* NULL: after the records in the same output */
  unsigned threads;            /* 0: one per available core */
  int32_t as_of;               /* days since 1970-01-01 */
  bool progress;               /* a progress line on the log */
  bool explain;                /* a last column saying which rule decided each decision */
  bool show_values;            /* rejection messages quote the value at fault */
  volatile sig_atomic_t *interrupted; /* set by a signal handler: stop reading, keep no
                                  output, return 4; NULL when not watched */
  size_t chunk_bytes;          /* 0: default */
} run_options;

typedef struct {
  uint64_t records;            /* read, not counting headers and blank lines */
  uint64_t written;            /* results written */
  uint64_t rejected;
  rec_unknown unknown;         /* JSON keys that are no field, ignored */
  double seconds;
} run_stats;

/* Runs the batch; diagnostics for people go to `log`.  Returns the exit status the command
 * line uses: 0 all good, 2 two outputs are one file or an output is an input (nothing is
 * opened), 3 some records rejected, 4 an input could not be read or an output could not be
 * written (outputs are then removed, never left looking complete). */
int run_batch(const run_options *o, run_stats *stats, FILE *log);

/* `elig explain`: reads the inputs one record after the other and explains every record whose
 * first key field is `id` (and whose field `year` is `year`, when given), as text or JSON on
 * `out`.  Returns 0, 3 when no record matched (said on `log`), 4 when an input could not be
 * read. */
int run_explain(const run_options *o, const char *id, const char *year, bool json, FILE *out,
                FILE *log);

#endif
