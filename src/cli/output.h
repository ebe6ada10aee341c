/*
 * output.h -- the files a command writes (results, rejects, aggregates, lists), written so
 * that a failed or interrupted run never leaves one that looks complete.
 *
 * A regular file (or a new one, or the regular file a symbolic link points to) is written
 * under a temporary name beside it and renamed into place only when everything succeeded;
 * anything else (/dev/null, a pipe, a terminal) is written in place, since renaming over it
 * would replace it with a regular file.
 */
#ifndef ELIG_OUTPUT_H
#define ELIG_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
  const char *path; /* as given; NULL for standard output */
  char *target;     /* the file renamed into (owned): path, or a link's target */
  char *tmp;        /* where we write until everything succeeded (owned), or NULL */
  FILE *f;
  bool failed; /* out_flush found it cannot be written (and said so) */
} output;

/* Whether the outputs of a run can be written as asked: false, having said why on `log`,
 * when two outputs name the same file (both would be written aside under one temporary
 * name, one renamed over the other), or an output is one of the inputs (the register would
 * be replaced by its results). Names are compared as files: through symbolic links, and
 * "./a" is "a". NULL outputs are skipped; "-" is standard output, or standard input among
 * the inputs. Called before anything is opened. */
bool out_check_paths(const char *const *outputs, size_t noutputs, const char *const *inputs,
                     size_t ninputs, FILE *log);

/* Opens path ("-" or NULL: standard output) for writing; false with a message on `log`.
 * A symbolic link to a regular file is followed: its target is written aside and replaced,
 * the link stays. */
bool out_open(output *out, const char *path, FILE *log);

/* Writes n bytes of data; false on a write error (said when the output is flushed or
 * closed, where stdio's buffering lets the error show). */
bool out_write(output *out, const char *data, size_t n);

/* Flushes what is buffered: false (with a message on `log`) when it cannot be written.  A
 * command flushes every output before it closes any, so that a failure of one (a full disk
 * under the rejects file) keeps the others from being renamed into place. */
bool out_flush(output *out, FILE *log);

/* Flushes and closes; renames into place when `keep`, removes the temporary otherwise.
 * False (with a message on `log`) when anything could not be written. */
bool out_close(output *out, bool keep, FILE *log);

#endif
