/*
 * output.h -- the files a command writes (results, rejects, aggregates, lists), written so
 * that a failed or interrupted run never leaves one that looks complete.
 *
 * A regular file (or a new one) is written under a temporary name beside it and renamed into
 * place only when everything succeeded; anything else (/dev/null, a pipe, a symbolic link) is
 * written in place, since renaming over it would replace it with a regular file.
 */
#ifndef ELIG_OUTPUT_H
#define ELIG_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "write.h"

typedef struct {
  const char *path;  /* as given; NULL for standard output */
  char *tmp;         /* where we write until everything succeeded (owned), or NULL */
  FILE *f;
  bool failed;       /* out_flush found it cannot be written (and said so) */
} output;

/* Opens path ("-" or NULL: standard output) for writing; false with a message on `log`. */
bool out_open(output *out, const char *path, FILE *log);

/* Writes b's contents; sets *failed on a write error or when b itself is incomplete. */
void out_write(output *out, const wbuf *b, bool *failed);

/* Flushes what is buffered: false (with a message on `log`) when it cannot be written.  A
 * command flushes every output before it closes any, so that a failure of one (a full disk
 * under the rejects file) keeps the others from being renamed into place. */
bool out_flush(output *out, FILE *log);

/* Flushes and closes; renames into place when `keep`, removes the temporary otherwise.
 * False (with a message on `log`) when anything could not be written. */
bool out_close(output *out, bool keep, FILE *log);

#endif
