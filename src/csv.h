/*
 * csv.h - RFC 4180 record parser, one record per call, working inside an input chunk.
 *
 * Place in the pipeline: input.c cuts the file into chunks of whole records; a worker thread
 * runs csv_parse_record over its chunk record by record and hands the cells to the typing
 * layer, which validates UTF-8 and converts values. The cells are byte ranges, not strings:
 * nothing here allocates per record, converts, or validates encoding.
 *
 * Why hand-written: household files hold millions of records and the target is 1M records/s
 * end to end. A generic CSV library allocates per record or per cell; this parser points cells
 * straight into the chunk and copies only quoted cells that contain "" escapes, into one
 * scratch buffer per parser that is reused for every record.
 *
 * Dialect: comma separator, double-quote quoting with "" as the escaped quote, records end
 * with LF or CRLF (a bare CR is data, as it is inside quotes; CR-only files are not
 * supported). A record ends at the first LF outside a quoted field, and a field is quoted
 * only when its first byte is '"' (RFC 4180): a '"' anywhere else is a stray quote, which
 * makes its record malformed but does not open anything, so the records after it are read
 * as they are.  input.c cuts chunks by the very same rule (the csv_scan_state automaton), and
 * a record with an error is skipped by it too, so chunking and parsing always agree on where
 * records end.
 *
 * Empty lines: a completely empty line (LF or CRLF alone) is not a record. csv_parse_record
 * skips it but counts it, so line numbers stay exact.
 *
 * Threading: a csv_parser is used by one thread at a time; give each worker its own.
 */
#ifndef ELIG_CSV_H
#define ELIG_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_DEFAULT_MAX_CELLS 4096
#define CSV_DEFAULT_MAX_FIELD_BYTES ((size_t)1 << 20)

typedef struct csv_options {
  size_t max_cells;       /* more cells in a record is CSV_ETOO_MANY_CELLS; 0 = default */
  size_t max_field_bytes; /* longer cell (after unescaping) is CSV_EFIELD_TOO_LONG; 0 = dflt */
} csv_options;

/* Where a scan for the end of a record stands, between two bytes: what decides whether the
 * next '"' opens a quoted field and whether the next LF ends the record. */
typedef enum csv_scan_state {
  CSV_AT_FIELD_START, /* after a ',' or at a record's start: a '"' opens a quoted field */
  CSV_IN_FIELD,       /* in an unquoted field (or after a quoted one): '"' is data, LF ends */
  CSV_IN_QUOTES,      /* in a quoted field: LF is data, '"' closes unless doubled */
  CSV_QUOTE_IN_QUOTES /* a '"' was the last byte in quotes: doubled if the next is '"' */
} csv_scan_state;

typedef enum csv_errcode {
  CSV_OK = 0,
  CSV_EQUOTE_IN_FIELD, /* '"' inside a field that did not start with one */
  CSV_EAFTER_QUOTE,    /* something other than ',' or the line end after a closing quote */
  CSV_EUNTERMINATED,   /* quoted field still open at the end of the input */
  CSV_ENUL,            /* NUL byte in the record */
  CSV_ETOO_MANY_CELLS, /* more than max_cells cells */
  CSV_EFIELD_TOO_LONG, /* a cell longer than max_field_bytes */
  CSV_ENOMEM           /* the cell array or scratch buffer could not grow */
} csv_errcode;

typedef struct csv_cell {
  const char *ptr; /* first byte: in the chunk, or in the parser's scratch if unescaped */
  size_t len;      /* bytes; cells are not NUL-terminated */
  bool quoted;     /* the cell was written in quotes ("" is an empty quoted cell) */
} csv_cell;

typedef struct csv_record {
  csv_cell *cells;     /* ncells cells, owned by the parser, valid until its next call */
  size_t ncells;       /* 0 with error == CSV_OK: only empty lines were left, no record */
  size_t lines;        /* LFs consumed by this call (blank lines + the record's own): add it
                         to the line number of p to get the line number of the return value */
  size_t blank_lines;  /* empty lines skipped before the record: its first line is line(p)+this */
  csv_errcode error;   /* CSV_OK, or why the record is rejected (ncells is then 0) */
  const char *message; /* static lower-case text for error, "" when CSV_OK */
  size_t error_line;   /* line of the error relative to the record's first line (0 = first) */
  size_t error_cell;   /* 1-based cell where the error was found (max_cells + 1 for too many) */
} csv_record;

typedef struct csv_parser {
  size_t max_cells; /* effective limits after defaults */
  size_t max_field_bytes;
  csv_cell *cells; /* grown geometrically, never shrunk */
  size_t cells_cap;
  size_t *scratch_off; /* per cell: where an unescaped cell starts in scratch (ptr is set
                             only once the record is done, as scratch may move meanwhile) */
  char *scratch;       /* unescaped quoted cells of the current record */
  size_t scratch_len;
  size_t scratch_cap;
} csv_parser;

/* Prepares ps with the given limits (opt may be NULL for defaults). Allocates nothing: the
 * buffers grow on first use. Pair with csv_parser_fini. */
void csv_parser_init(csv_parser *ps, const csv_options *opt);

/* Frees the buffers of ps (NULL-safe); ps may be re-initialised afterwards. */
void csv_parser_fini(csv_parser *ps);

/* Parses one record starting at p, reading no byte at or past end, and returns the position
 * just after it (after its line terminator, or end). Fills *rec; its cells point into
 * [p, end) or into the parser's scratch and stay valid until the next call on ps (and while
 * the input bytes live). On an error the record is still consumed, by the quote-parity rule
 * in the file comment, so the caller can reject it and go on with the returned pointer; the
 * only allocations are the geometric growth of the cell array and the scratch buffer, and
 * their failure is reported as CSV_ENOMEM in the same way. Requires p <= end; with p == end
 * returns end and a record with ncells == 0. */
const char *csv_parse_record(csv_parser *ps, const char *p, const char *end, csv_record *rec);

/* Static lower-case description of code, e.g. "unterminated quoted field". */
const char *csv_strerror(csv_errcode code);

#endif /* ELIG_CSV_H */
