/*
 * feed.h - the reading loop of a batch: one register read in chunks, its CSV header found,
 * and every way the input can fail said once, the same way for every batch.
 *
 * Place in the pipeline: between the readers (input.h, csv.h) and the batch drivers
 * (batch.c, diff.c, lookup.c).  A driver says where each chunk goes and how a header maps
 * onto its rule set(s); this file owns the loop around them: opening the input through its
 * callbacks, a cancellation, an empty file (a warning: it holds no record to lose), a record
 * over the length limit, a read error, a header line that is not CSV.
 *
 * Messages go to the driver's note(): "NAME:LINE: error: ..." for what is wrong in the
 * file, "elig: ..." for what the system refused.  The driver decides where and when they
 * come out, so that they keep their place among the messages about records.
 */
#ifndef ELIG_FEED_H
#define ELIG_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "elig.h"

#include "csv.h"
#include "input.h"

/* What the driver made of a CSV file's first line. */
typedef enum feed_header {
  FEED_HEADER_OK,        /* a header: the records follow it */
  FEED_HEADER_IS_RECORD, /* no header: the first line is a record and is handed on too */
  FEED_HEADER_REFUSED,   /* the file is not read (the driver said why): FEED_REFUSED */
  FEED_HEADER_NO_MEMORY  /* FEED_NO_MEMORY */
} feed_header;

typedef struct feed_handler {
  void *arg; /* passed to every callback */
  /* The chunk to read the next one into: it may carry a buffer from an earlier read, which
   * is reused (run: a free job's chunk; diff and explain: one chunk of their own). */
  input_chunk *(*buffer)(void *arg);
  /* The first record of a CSV file, which starts on line `line`: map it onto the rule set
   * as its header, noting any warning or error. */
  feed_header (*header)(void *arg, const char *name, uint64_t line, const csv_record *header);
  /* A chunk of whole records read into the buffer; its first `skip` bytes, `skip_lines`
   * lines, are the CSV header. */
  void (*chunk)(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines);
  /* A record longer than the limit, skipped by the reader: its first line and the limit
   * (the record itself is not kept).  The chunk is the one buffer() gave, holding no
   * records.  NULL: passed over. */
  void (*too_long)(void *arg, input_chunk *c, uint64_t line, size_t limit);
  /* Polled after each chunk: true ends the input early (a write failed, memory ran out).
   * NULL: never. */
  bool (*stop)(void *arg);
  /* A message about this input, a whole line. */
  void (*note)(void *arg, const char *text);
} feed_handler;

typedef enum feed_status {
  FEED_OK,       /* the whole input was read (or stop() ended it) */
  FEED_REFUSED,  /* it could not be opened or read, or the driver refused it: noted */
  FEED_CANCELED, /* the batch's cancel callback said so */
  FEED_NO_MEMORY
} feed_status;

/* Reads register `in` in chunks of about chunk_bytes, handing each to h.  io->cancelled
 * (may be NULL) is polled between chunks and when a read fails. */
feed_status feed_input(const elig_input *in, size_t chunk_bytes, const elig_batch_io *io,
                       const feed_handler *h);

/* The input format of the library's public elig_input. */
input_format feed_format(const elig_input *in);

#endif /* ELIG_FEED_H */
