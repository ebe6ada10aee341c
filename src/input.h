/*
 * input.h - chunked reading of CSV and JSON Lines record files for the parallel pipeline.
 *
 * Place in the pipeline: the first stage. One reader thread calls input_next_chunk in a loop;
 * the bytes come from the caller's read function (the library opens no file: a program
 * reads a file, a service a request body, the PostgreSQL extension a query's rows);
 * each chunk holds whole records only and goes to a worker thread, which parses it with
 * csv_parse_record (csv.h) or jdoc_parse (jdoc.h) line by line, types the fields and
 * evaluates. Results are put back in input order by chunk sequence.
 *
 * Why hand-written: files hold millions of household records and the target is 1M records/s
 * end to end, so the reader reads straight into the chunk's buffer with large reads,
 * finds record boundaries with memchr, and copies nothing but the partial record at the end of
 * each read. Nothing is allocated per record; buffers grow and are reused.
 *
 * Record boundaries:
 *   CSV    a LF (so also CRLF) at which an even number of '"' has been seen since the record
 *          started (the rule csv.h parses by). The quote state is carried across reads and
 *          chunks. An unterminated quote runs to EOF: it ends the last chunk and the record
 *          parser reports it.
 *   JSONL  every LF.
 * The last record may lack its line terminator. A UTF-8 BOM at the very start of the file is
 * dropped (input_had_bom tells whether there was one); line 1 starts after it, byte offsets
 * still count it.
 *
 * Chunk ownership and threads (the design that lets N workers hold chunks while the reader
 * fills the next one, with no lock inside this module):
 *   - An input_chunk owns its buffer. input_next_chunk fills the chunk it is given, reusing
 *     (and growing if needed) the buffer the chunk already has, or allocating one.
 *   - The source keeps no pointer into a chunk after the call returns, so the caller may give
 *     the chunk to any thread. When the worker is done it hands the chunk back through the
 *     caller's own free list, and the reader passes it to input_next_chunk again: a pool of
 *     N + 2 chunks cycles with no allocation in steady state. input_chunk_fini frees one.
 *   - An input_source itself belongs to one thread at a time (the reader).
 */
#ifndef ELIG_INPUT_H
#define ELIG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INPUT_DEFAULT_CHUNK_BYTES ((size_t)1 << 20)       /* 1 MiB */
#define INPUT_DEFAULT_MAX_RECORD_BYTES ((size_t)64 << 20) /* 64 MiB */

typedef enum input_format {
  INPUT_CSV,  /* RFC 4180, boundaries by quote parity */
  INPUT_JSONL /* one JSON value per line */
} input_format;

typedef enum input_status {
  INPUT_OK = 0,          /* the chunk holds one or more whole records */
  INPUT_EOF,             /* no more records; the chunk is empty */
  INPUT_RECORD_TOO_LONG, /* one record over max_record_bytes was skipped; the chunk is empty
                            and its first_line/first_byte locate the record; call again */
  INPUT_EREAD,           /* the read function failed; every later call returns it again */
  INPUT_ENOMEM           /* a buffer could not grow; every later call returns it again */
} input_status;

typedef struct input_options {
  size_t chunk_bytes;      /* target chunk size, 0 = INPUT_DEFAULT_CHUNK_BYTES */
  size_t max_record_bytes; /* longest record, terminator included, 0 = default (64 MiB) */
  size_t read_bytes;       /* largest single read, 0 = no cap; tests force short reads */
} input_options;

/* Reads at most `size` bytes into buf: returns how many (0 at the end of the input), or -1
 * with errno set.  The elig_input read callback of elig.h. */
typedef ptrdiff_t (*input_read_fn)(void *arg, void *buf, size_t size);

typedef struct input_error {
  int errnum;        /* errno of the failed system call, 0 when none */
  uint64_t line;     /* 1-based line the error is about, 0 when none */
  size_t limit;      /* INPUT_RECORD_TOO_LONG: the longest record allowed, in bytes */
  char message[256]; /* NUL-terminated, lower-case text; a long path is truncated */
} input_error;

typedef struct input_chunk {
  const char *data;    /* whole records: [data, data + len); points into buf */
  size_t len;          /* bytes */
  uint64_t first_line; /* 1-based physical line of data[0] */
  uint64_t first_byte; /* file offset of data[0] (a BOM counts) */
  uint64_t lines;      /* LFs in the chunk: the next chunk starts at first_line + lines */
  char *buf;           /* owned by the chunk; reused by input_next_chunk */
  size_t cap;          /* size of buf */
} input_chunk;

typedef struct input_source input_source;

/* Makes c an empty chunk that owns nothing. Equivalent to zero-initialising it. */
void input_chunk_init(input_chunk *c);

/* Frees the buffer of c (NULL-safe) and leaves it empty, as input_chunk_init does. */
void input_chunk_fini(input_chunk *c);

/* A source of records of format fmt read through `read` (given `arg`).  opt may be NULL for
 * defaults.  Returns a new source, or NULL when out of memory (*err says so).  Nothing is
 * read yet. */
input_source *input_open(input_read_fn read, void *arg, input_format fmt, const input_options *opt,
                         input_error *err);

/* Reads the next chunk of whole records into out, which must be initialised (input_chunk_init)
 * and may carry a buffer from an earlier call, which is reused; the chunk and its buffer stay
 * the caller's. Reads until about chunk_bytes are available or the input ends.
 * Returns INPUT_OK with out filled; INPUT_EOF at the end; INPUT_RECORD_TOO_LONG with
 * out->first_line/first_byte and *err (line and message) describing a skipped over-long
 * record, after which reading continues at the next record; or INPUT_EREAD / INPUT_ENOMEM
 * with *err filled (errno and strerror text for a read error such as EIO or EISDIR). Records
 * read before a read error are still delivered first. err may be NULL. */
input_status input_next_chunk(input_source *src, input_chunk *out, input_error *err);

/* True when the input started with a UTF-8 BOM. Known once the first chunk has been read. */
bool input_had_bom(const input_source *src);

/* Frees src (the caller closes what its read function reads). NULL-safe. Chunks handed out
 * stay valid: they belong to the caller. */
void input_close(input_source *src);

#endif /* ELIG_INPUT_H */
