/*
 * agg.h -- aggregates: groups of records (a village, a county) and their accumulators.
 *
 * Pipeline: after vm.c has evaluated a record, agg.c computes the record's group keys and
 * folds the record into its group's accumulators (count, sum, min, max, any, all, first).
 * Each thread keeps its own tables; they are merged at the end, and each group's derived
 * values and decisions are computed once, in key order.  Memory grows with the number of
 * groups, not of records.
 */
#ifndef ELIG_AGG_H
#define ELIG_AGG_H

#include <stdint.h>

#include "arena.h"
#include "program.h"
#include "vm.h"
#include "write.h"

typedef struct agg_group agg_group;

typedef struct {
  const prog_aggregate *A;
  mem_arena *groups; /* where the groups live: one block for thousands of villages, not an
                          allocation each (a register has tens of thousands of groups) */
  agg_group **slots; /* open-addressing hash table */
  uint64_t *hashes;  /* the hash of each slot's group */
  agg_group *last;   /* the group found last */
  uint32_t cap;      /* slots (a power of two) */
  uint32_t n;        /* groups */
  bool overflow;     /* a sum went out of range in some group */
  /* Three-valued evaluation (agg_table_ranges): each group keeps the lowest and the highest
   * each count and sum can be, given its records' undetermined results and unknown values,
   * and its values come out as ranges (see agg.c). */
  bool ranges;
  uint64_t unknown_key; /* after VM_ERR_UNKNOWN_GROUP: the unknown mask of the key */
} agg_table;

void agg_table_init(agg_table *t, const prog_aggregate *A);
/* Makes an empty table keep ranges (three-valued evaluation). */
void agg_table_ranges(agg_table *t);
void agg_table_fini(agg_table *t);

/* Folds the record just evaluated in ctx into its group; `seq` orders records (for first()).
 * Returns VM_OK, a run-time failure of a key or accumulator cell (the record is then
 * rejected by the caller, and the group is unchanged), or VM_ERR_NO_MEMORY. */
vm_status agg_add(agg_table *t, vm_ctx *ctx, uint64_t seq);

/* The number of the group the last record was folded into (agg_add returned VM_OK): groups
 * are numbered 0, 1, ... in the order they were made, so that a caller can keep its own
 * counts per group in an array (elig diff --by) without hashing the keys again.
 * UINT32_MAX when no record was folded.  Meaningless in a table that merged another. */
uint32_t agg_last_index(const agg_table *t);
/* That group's key values (A->nkeys of them), or NULL. */
const vm_val *agg_last_keys(const agg_table *t);

/* The numbers of the table's groups (as agg_last_index gives them) in the order agg_each
 * visits them, into out[0 .. t->n).  False when out of memory. */
bool agg_indexes_in_key_order(const agg_table *t, uint32_t *out);

/* Moves every group of src into dst (src is left empty).  `shift` is added to src's record
 * orders first: 0 when both were numbered in one sequence (run.c), the number of records
 * dst saw when each was numbered on its own, so that src's records count as coming after
 * dst's (the library's contexts).  False when out of memory. */
bool agg_merge(agg_table *dst, agg_table *src, uint64_t shift);

/* Called once per group by agg_each, with the group's keys, accumulators and the requested
 * columns computed in ctx's registers, and, when some of them are not exact (a table that
 * keeps ranges), ranges[c] for each requested column c (else NULL); false stops the walk
 * (out of memory). */
typedef bool (*agg_visit)(void *arg, const vm_ctx *ctx, const agg_range *ranges);

/* Visits every group in key order, computing the cells of `cols` first.  Returns VM_OK or
 * the first failure (with ctx->err_pc); VM_ERR_NO_MEMORY when a visit returned false. */
vm_status agg_each(agg_table *t, vm_ctx *ctx, const prog_column *cols, uint32_t ncols,
                   agg_visit visit, void *arg);

/* Computes each group's values and appends one line per group, sorted by key, to out, after
 * a section header (`first`: the first thing in its file, so no blank line before it).
 * Returns VM_OK or the first failure (with ctx->err_pc). */
vm_status agg_write(agg_table *t, vm_ctx *ctx, wbuf *out, write_format fmt, bool first);

#endif
