/*
 * lookup.h -- `elig explain` over a register (elig_explain_records): finds the records
 * whose fields hold given values and explains each one.
 *
 * Place in the pipeline: feed.c reads the inputs one chunk at a time; split.c cuts the
 * records; step.c types each one and, when it matches, evaluates it; explain.c writes the
 * explanation.  One thread: a lookup reads the register once and explains a handful.
 */
#ifndef ELIG_LOOKUP_H
#define ELIG_LOOKUP_H

#include "elig.h"

#include "program.h"

typedef struct {
  bool json;                 /* explanations as JSON objects, else readable trees */
  int32_t as_of;             /* days since 1970-01-01 */
  const char *const *fields; /* a record matches when each field named here */
  const char *const *values; /* holds this value, written as results write it */
  size_t nmatch;
  const uint32_t *set_fields; /* the records explained hold these fields' values ... */
  const vm_val *set_values;   /* ... instead (texts point into the caller's strings) */
  size_t nset;
  bool undetermined; /* absent required fields are unknown values (--missing undetermined) */
  uint32_t what_if;  /* a field to say what other values of would change, or PROG_NONE */
} lookup_options;

/* elig_explain_records' body (elig.h says what it does and returns). */
elig_status lookup_explain(const elig_program *P, const lookup_options *o, const elig_input *inputs,
                           size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats);

#endif
