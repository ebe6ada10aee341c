/*
 * feed.h - the reading loop of a batch: one register file read in chunks, its CSV header
 * found, and every way the file can fail said once, the same way for every command.
 *
 * Place in the pipeline: between the readers (input.h, csv.h) and the batch drivers
 * (run.c, diff.c, explain in run.c). A driver says where each chunk goes and how a header
 * maps onto its rule set(s); this file owns the loop around them: opening the file, a
 * signal that asks to stop, an empty file (a warning: it holds no record to lose), a record
 * over the length limit, a read error, a header line that is not CSV. Before it, each
 * driver had its own copy of that loop and the copies had begun to say the same failure
 * differently.
 *
 * The messages go to the driver's note() or the log stream it gives: "NAME:LINE: error:
 * ..." for what is wrong in the file, "elig: ..." for what the system refused.
 */
#ifndef ELIG_FEED_H
#define ELIG_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "input.h"

/* What the driver made of a CSV file's first line. */
typedef enum feed_header {
  FEED_HEADER_OK,        /* a header: the records follow it */
  FEED_HEADER_IS_RECORD, /* no header: the first line is a record and is handed on too */
  FEED_HEADER_REFUSED    /* the file is not read (the driver said why): FEED_REFUSED */
} feed_header;

typedef struct feed_handler {
  void *arg; /* passed to every callback */
  /* The chunk to read the next one into: it may carry a buffer from an earlier read, which
   * is reused (run: a free job's chunk; diff and explain: one chunk of their own). */
  input_chunk *(*buffer)(void *arg);
  /* The first record of a CSV file, which starts on line `line`: map it onto the rule set
   * as its header, printing any warning or error. */
  feed_header (*header)(void *arg, const char *name, uint64_t line, const csv_record *header);
  /* A chunk of whole records read into the buffer; its first `skip` bytes, `skip_lines`
   * lines, are the CSV header. */
  void (*chunk)(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines);
  /* A record longer than the limit, skipped by the reader: its first line, and why (the
   * record itself is not kept). The chunk is the one buffer() gave, holding no records.
   * NULL: passed over. */
  void (*too_long)(void *arg, input_chunk *c, uint64_t line, const char *why);
  /* Polled after each chunk: true ends the file early (a write failed, memory ran out).
   * NULL: never. */
  bool (*stop)(void *arg);
  /* A message of this file (a warning, why it cannot be read), a whole line: for a driver
   * whose record messages come out later, in input order. NULL: written to the log. */
  void (*note)(void *arg, const char *text);
} feed_handler;

typedef enum feed_status {
  FEED_OK,         /* the whole file was read (or stop() ended it) */
  FEED_REFUSED,    /* it could not be opened or read, or the driver refused it: said */
  FEED_INTERRUPTED /* *interrupted was set by a signal */
} feed_status;

/* Reads the register file `name` ("-": standard input) in format fmt, in chunks of about
 * io->chunk_bytes, handing each to h. `interrupted` (may be NULL) is polled between chunks
 * and also stops a blocked read (input_options.stop). Messages go to log. */
feed_status feed_file(const char *name, input_format fmt, size_t chunk_bytes,
                      volatile sig_atomic_t *interrupted, const feed_handler *h, FILE *log);

#endif /* ELIG_FEED_H */
