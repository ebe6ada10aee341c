/*
 * diff.h -- the impact of a rule change on a register: `elig diff OLD NEW DATA...`,
 * elig_diff.
 *
 * Pipeline: feed.c reads the inputs in chunks; split.c cuts each record once; step.c types,
 * evaluates and folds it into the aggregates once per rule set; diff.c compares the two
 * results on the spot (decisions by name as from->to counts, flags gained and lost, the
 * changed records to the list) and, at the end, the groups of every aggregate both rule
 * sets have, matched by key; diff_report.c writes the report.  One pass, one thread; nothing
 * is allocated per record once the tables hold every value seen, so memory does not grow
 * with the register (aggregate groups aside).
 */
#ifndef ELIG_DIFF_H
#define ELIG_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elig.h"

#include "program.h"

typedef struct {
  const char *old_name; /* how the report names the rule sets: their files as given */
  const char *new_name;
  bool json;          /* the report as JSON, else text (or csv) */
  bool csv;           /* with `by`: the groups' table as CSV, and nothing else */
  const char *by;     /* an aggregate both rule sets have: the counts per group of it */
  bool list;          /* the changed records as CSV on ELIG_STREAM_LIST */
  int32_t as_of;      /* days since 1970-01-01 */
  size_t chunk_bytes; /* 0: the reader's default */
  bool undetermined;  /* absent required fields are unknown values on both sides */
} diff_options;

/* Whether `name` can be given to --by: an aggregate both programs have, grouping by as many
 * keys. */
bool diff_by_valid(const elig_program *old_p, const elig_program *new_p, const char *name);

/* elig_diff's body (elig.h says what it does and returns).  Neither program is written
 * to. */
elig_status diff_run(const elig_program *old_p, const elig_program *new_p, const diff_options *o,
                     const elig_input *inputs, size_t ninputs, const elig_batch_io *io,
                     elig_batch_stats *stats);

#endif
