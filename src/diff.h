/*
 * diff.h -- the impact of a rule change on a register: `elig diff OLD NEW DATA...`.
 *
 * Pipeline: input.c cuts the files into chunks; each record is parsed once (csv.c or
 * jdoc.c), typed twice (record.c, once per program: each has its own schema and header
 * mapping), evaluated twice (vm.c, one context per program) and folded into both programs'
 * aggregate tables (agg.c).  The two results are compared on the spot: decisions by name
 * (from->to counts), flags by name (gained and lost), and the changed records go to the list
 * file.  At the end the groups of every aggregate the two programs share are matched by key
 * and those whose decisions change are reported.  One pass, one thread; nothing is allocated
 * per record once the tables hold every value seen, so memory does not grow with the register
 * (aggregate groups aside).
 */
#ifndef ELIG_DIFF_H
#define ELIG_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "program.h"
#include "record.h"

typedef enum { DIFF_TEXT, DIFF_JSON } diff_format;

typedef struct {
  const elig_program *old_p;   /* the rules in force */
  const elig_program *new_p;   /* the proposed rules */
  const char *old_name;        /* how the report names them: the rule files as given */
  const char *new_name;
  const char *const *inputs;   /* paths, "-" for standard input */
  uint32_t ninputs;
  int input_format;            /* -1: by file name (.jsonl/.ndjson/.json = JSON Lines), else
                                  an input_format */
  diff_format format;          /* of the report */
  FILE *out;                   /* the report; NULL for standard output */
  const char *list;            /* NULL: no list; else the changed records as CSV (not
                                  standard output, where the report goes) */
  int32_t as_of;               /* days since 1970-01-01 */
  bool progress;               /* a progress line on the log */
  size_t chunk_bytes;          /* 0: default */
  volatile sig_atomic_t *interrupted; /* set by a signal handler: stop, write nothing,
                                  return 4; NULL when not watched */
} diff_options;

typedef struct {
  uint64_t records;            /* read, not counting headers and blank lines */
  uint64_t compared;           /* accepted by both rule sets */
  uint64_t rejected;           /* rejected by either */
  uint64_t rejected_old;       /* rejected by the old rules (malformed records count here */
  uint64_t rejected_new;       /*   and in rejected_new) */
  uint64_t changed;            /* compared records whose decisions or flags change */
  uint64_t flags_changed;      /* compared records whose flags change */
  uint64_t groups_changed;     /* groups whose decisions change, or on one side only */
  rec_unknown unknown_old;     /* JSON keys that are no field of either program's record */
  rec_unknown unknown_new;
  double seconds;
} diff_stats;

/* Runs the diff and writes the report to o->out (and the changed records to o->list).
 * Rejections, warnings and the progress line go to `log`, as `elig run` writes them. Neither
 * program is written to.  Returns the exit status the command line uses: 0 all good (whether
 * or not anything changes), 2 the list file is an input or the report's standard output
 * (nothing is read), 3 some records were rejected by either rule set, 4 an input could not be
 * read, an output (the list or the report) could not be written, or an aggregate failed (the
 * list file is then removed, never left looking complete). */
int diff_batch(const diff_options *o, diff_stats *st, FILE *log);

#endif
