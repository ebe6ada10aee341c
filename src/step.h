/*
 * step.h -- one record through one rule set: type it, evaluate it, fold it into the
 * aggregates, and say where it failed if it did.
 *
 * Place in the pipeline: split.c (a record's text, cells or JSON document) -> step.c ->
 * the writers.  This is the one evaluation step of the library: `elig run`'s workers, `elig
 * diff` (once per rule set), `elig explain` over a register, `elig test` and the public
 * API's elig_eval_json and elig_eval all go through it, so a record is typed, rejected,
 * evaluated and counted in its groups the same way everywhere.
 */
#ifndef ELIG_STEP_H
#define ELIG_STEP_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "record.h"
#include "split.h"
#include "vm.h"
#include "wbuf.h"

/* What happened to a record. */
typedef enum {
  STEP_OK,       /* typed and evaluated: its result is in the context */
  STEP_REJECTED, /* it breaks its schema or cannot be read: why */
  STEP_FAILED,   /* a rule failed on it (why, with the failing instruction's pc) */
  STEP_NO_MEMORY /* the batch cannot go on */
} step_result;

typedef struct {
  rec_reject reject; /* code, message, field, value (STEP_REJECTED and STEP_FAILED) */
  vm_status vm;      /* STEP_FAILED: the VM's failure */
  uint32_t pc;       /* STEP_FAILED: the instruction that failed */
} step_why;

/* One rule set's evaluation state for one thread. */
typedef struct {
  const elig_program *P;
  vm_ctx *ctx;
  agg_table *aggs; /* per aggregate, when folding: NULL when not */
  /* What the household's previous record kept, for the next record evaluated (the API's
   * elig_ctx_set_previous; a batch gives it through hist.c instead). */
  const char *previous;
  size_t previous_len;
  bool has_previous;
  /* Otherwise, where the record's year before is looked up (a register, for the API's
   * contexts): as hist.h's seed, given the record's link and the year before; NULL: none. */
  const void *(*seed)(void *arg, const char *link, size_t link_len, int64_t year, size_t *len);
  bool show_defaults; /* work out which defaults each record's results used */
  void *seed_arg;
  wbuf seed_link;
} step;

/* A step for P, its context's evaluation date `as_of` (days since 1970-01-01), with
 * aggregate tables when `aggregate`.  False when out of memory (step_fini cleans up). */
bool step_init(step *s, const elig_program *P, int32_t as_of, bool aggregate);
void step_fini(step *s);

/* Three-valued evaluation on (vm_set_undetermined), with aggregate tables that keep ranges;
 * before the first record. */
void step_set_undetermined(step *s, bool on);

/* Types record r and, when it is accepted, evaluates it: every result column and flag, then
 * (when aggregating) its groups, as record number `seq` in input order.  A CSV record is
 * read through its file's header h (rec_header_init; a refused header rejects it).  JSON
 * keys that are no field are counted in *unknown (with r's line for the first). */
step_result step_record(step *s, const rec_header *h, const split_record *r, uint64_t seq,
                        rec_unknown *unknown, step_why *why);

/* Only the typing of step_record: the record's fields are in the context, nothing is
 * computed yet (step_evaluate does).  For a batch that looks for some records (explain). */
step_result step_type(step *s, const rec_header *h, const split_record *r, rec_unknown *unknown,
                      step_why *why);

/* The same for a record typed already (the API's field-by-field setters, through
 * rec_check, which step_typed runs) or a parsed JSON document (unknown keys counted in
 * *unknown). */
step_result step_json(step *s, jdoc *doc, rec_unknown *unknown, uint64_t seq, step_why *why);
/* The typing alone of a JSON document (a test's given record). */
step_result step_type_json(step *s, jdoc *doc, rec_unknown *unknown, step_why *why);
step_result step_typed(step *s, uint64_t seq, step_why *why);

/* Gives the next record evaluated what its household's previous record kept (vm_remember's
 * bytes, borrowed until then; NULL: no previous record).  Once only: the record after it
 * has none unless given again. */
void step_set_previous(step *s, const char *kept, size_t len);

/* Evaluates the typed record's results and folds it into the groups; STEP_OK or
 * STEP_FAILED.  The part of every step after typing. */
step_result step_evaluate(step *s, uint64_t seq, step_why *why);

/* A rule failed on the record with status st: STEP_FAILED with why filled in, or
 * STEP_NO_MEMORY. */
step_result step_failed(step *s, vm_status st, step_why *why);

/* "division by zero at rules/x.rules:3:5": a failure as a batch's log and reject file say
 * it, into buf. */
const char *step_failure_text(const step *s, const step_why *why, char *buf, size_t size);

/* The diag.def code of a run-time failure. */
diag_id step_failure_code(vm_status st);

/* The text of key field k of record r as given: from its CSV cells through the file's
 * header, or its JSON document; "" when the record does not parse (its cells may not be
 * where the header says: what stands in a key's column may be an identity number). */
void step_key_part(const step *s, const rec_header *h, const split_record *r, uint32_t k,
                   const char **text, size_t *len);

#endif
