/*
 * spill.h -- bytes kept in memory until they are too many, then in an unnamed temporary
 * file: the buckets and runs of a run over history (hrun.c).
 *
 * A spill is a stream of bytes: those written to its file first, then those still in
 * memory.  The file is made on the first flush in $TMPDIR (else /tmp) and unlinked at once,
 * so nothing is left behind, whatever happens to the process.  Reads and writes are plain
 * pread/pwrite on the file descriptor: the library keeps to no stdio stream.
 */
#ifndef ELIG_SPILL_H
#define ELIG_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wbuf.h"

typedef struct {
  wbuf mem;          /* bytes not yet written to the file */
  int fd;            /* -1 until the first flush */
  uint64_t file_len; /* bytes in the file */
} spill;

void spill_init(spill *s);
/* Closes the file (which disappears) and frees the memory; s is empty again. */
void spill_fini(spill *s);

/* Writes what memory holds to the file; false when the file cannot be made or written. */
bool spill_flush(spill *s);
/* Writes n bytes straight to the file (after what memory holds). */
bool spill_write(spill *s, const char *p, size_t n);

/* Appends the whole stream to out; false when the file cannot be read (or out of memory). */
bool spill_read_all(const spill *s, wbuf *out);

/* Reading a spill from its start, a few bytes at a time. */
typedef struct {
  const spill *s;
  uint64_t file_off; /* the next byte of the file to read */
  size_t mem_off;    /* the next byte of memory to read */
  wbuf buf;          /* bytes read and not yet passed */
  size_t pos;        /* where in buf the stream stands */
  bool direct;       /* no file: buf is not used, the bytes are read in place */
  bool failed;
} spill_reader;

void spill_reader_init(spill_reader *r, const spill *s);
void spill_reader_fini(spill_reader *r);
/* The next n bytes, contiguous, or NULL when fewer are left (or reading failed). */
const char *spill_reader_peek(spill_reader *r, size_t n);
/* Passes n bytes (which a peek has shown). */
bool spill_reader_skip(spill_reader *r, size_t n);
bool spill_reader_failed(const spill_reader *r);

#endif
