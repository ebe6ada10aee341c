/*
 * split.h -- a chunk of a register cut into records: each with its raw text, its line, and
 * its CSV cells or parsed JSON document, or why it could not be parsed.
 *
 * Place in the pipeline: input.c (chunks of whole records) -> split.c -> step.c (typing and
 * evaluation, once per rule set) -> the writers.  Every batch (run, diff, explain over a
 * register) cuts records here, so blank lines, CRLF, the CSV header at the start of a file and
 * what a record's "raw text" is are decided once.  Nothing here knows a rule set: a diff
 * parses each record once and types it twice.
 */
#ifndef ELIG_SPLIT_H
#define ELIG_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "input.h"
#include "jdoc.h"

/* One record of a chunk. */
typedef struct {
  const char *raw; /* the record as read, without its line end (LF or CRLF); a CR
                            before that is its data */
  size_t rawlen;
  uint64_t line; /* its first line in the file */
  input_format format;
  const csv_record *csv;   /* CSV: its cells (csv->error != CSV_OK: it does not parse) */
  jdoc *json;              /* JSON Lines, when it parses: the document */
  jdoc_errcode json_error; /* JSON Lines: JDOC_OK, or why it does not parse (json_at) */
  jdoc_error json_at;
} split_record;

/* The cutting state of one thread: the parsers and where it stands in a chunk. */
typedef struct {
  input_format format;
  csv_parser csv;
  csv_record cells;
  jdoc json;
  const char *p, *end; /* what is left of the chunk */
  uint64_t line;       /* the line p starts on */
} splitter;

/* A splitter with empty parsers (they grow to the largest record and are reused). */
void split_init(splitter *s);
void split_fini(splitter *s);

/* Starts on chunk c of a file of format fmt, `skip` bytes and `skip_lines` lines of which
 * are its CSV header. */
void split_begin(splitter *s, input_format fmt, const input_chunk *c, size_t skip,
                 uint64_t skip_lines);

/* The next record of the chunk into *r (valid until the next call on s), or false at its
 * end.  Blank lines and empty JSON lines are no records and are passed over. */
bool split_next(splitter *s, split_record *r);

#endif
