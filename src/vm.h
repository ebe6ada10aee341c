/*
 * vm.h -- the evaluator: runs a compiled program over one record at a time.
 *
 * Pipeline: compile.c -> vm.c.  A vm_ctx is one thread's evaluation state (registers,
 * which cells are done for the current record, the return stack, regex match data, scratch
 * for text results).  The program is never written to, so any number of contexts may share
 * it.  Nothing is allocated per record: a context's buffers grow to the largest record seen
 * and are then reused.
 */
#ifndef ELIG_VM_H
#define ELIG_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "wbuf.h"

typedef enum {
  VM_OK = 0,
  VM_ERR_OVERFLOW, /* a value out of range */
  VM_ERR_DIV_ZERO,
  VM_ERR_REGEX_LIMIT,
  VM_ERR_REGEX,
  VM_ERR_NO_MEMORY,
  VM_ERR_UNKNOWN_GROUP, /* agg_add: the record's group key is unknown (agg_table.unknown_key) */
} vm_status;

/* One thread's evaluation state.  Its layout is the VM's alone: everything else reads and
 * writes a record's values through the functions below. */
typedef struct vm_ctx vm_ctx;

/* The start of every vm_ctx, for the inline accessors below only: they run for every
 * column and flag of every record, where a call into vm.c would cost more than the read
 * (about 2% of a batch run).  No other file may name these fields. */
typedef struct vm_state {
  const elig_program *P;
  vm_val *R;      /* registers */
  uint32_t *rule; /* per cell: for decisions, the rule that decided */
  /* Three-valued evaluation (vm_set_undetermined): the absent fields of the current record
   * that stand for unknown values (vm_field_bit), 0 for a record whose every value is known;
   * and per register, when that is not 0, the absent fields its value depends on (0: the
   * value is known). */
  uint64_t unknown;
  uint64_t *taint;
} vm_state;

#define VM_STATE(ctx) ((const vm_state *)(const void *)(ctx))

/* A context for `P`, with constants loaded and the evaluation date 1970-01-01 (see
 * vm_set_as_of).  NULL when out of memory. */
vm_ctx *vm_ctx_new(const elig_program *P);
/* NULL is fine. */
void vm_ctx_free(vm_ctx *ctx);

/* The program ctx runs. */
static inline const elig_program *vm_program(const vm_ctx *ctx)
{
  return VM_STATE(ctx)->P;
}

/* Three-valued evaluation.  With `on`, a required field that a record leaves absent is an
 * unknown value instead of a reason to reject it (rec_check asks vm_undetermined), and every
 * value computed from it is unknown unless it comes out the same whatever the field holds
 * (see vm.c, "three values").  Off by default. */
void vm_set_undetermined(vm_ctx *ctx, bool on);
bool vm_undetermined(const vm_ctx *ctx);

/* Which bit of an unknown mask stands for field `field` of the main record: the field's
 * number, the 63rd bit for every field from the 63rd on (a mask then names them all, with
 * the fields of list elements from there on: vm_elem_bit), and
 * VM_PREVIOUS_BIT for values the household's previous record left undetermined. */
#define VM_PREVIOUS_BIT ((uint64_t)1 << 63)
static inline uint64_t vm_field_bit(uint32_t field)
{
  return (uint64_t)1 << (field < 62 ? field : 62);
}

/* Makes field `field` of the current record unknown (after typing has set the others):
 * within its declared bounds for an int or money field `between` two values. */
void vm_mark_unknown(vm_ctx *ctx, uint32_t field);
/* The same, known to lie between lo and hi (an int, money or date field: what-if). */
void vm_mark_unknown_between(vm_ctx *ctx, uint32_t field, int64_t lo, int64_t hi);
/* Defaults.  Typing records which fields of the current record took their schema default
 * (vm_mark_defaulted; vm_begin_record clears them); vm_defaulted gives them as a mask.  A
 * result "used" a default when it depends on one of them: vm_defaults_used says which of
 * them the record's results depend on, once step.c has worked it out (vm_set_defaults_used). */
void vm_mark_defaulted(vm_ctx *ctx, uint32_t field);
/* Whether a record's image (vm_image) keeps which fields were defaulted: 8 bytes more for
 * the records that have any, so only when the results will say so (--show-defaults). */
void vm_image_defaults(vm_ctx *ctx, bool on);
uint64_t vm_defaulted(const vm_ctx *ctx);
void vm_set_defaults_used(vm_ctx *ctx, uint64_t mask);
/* Which of the fields that took their default the typed record's results depend on: the
 * record is evaluated once with those fields unknown (three values), then they are given
 * back.  Returns the mask of those a column or flag depends on and, when not NULL, per
 * column (cols[i], for P->columns) and per flag (flags[f]) the same.  The record's cells
 * are stale afterwards: it is evaluated afresh. */
uint64_t vm_find_defaults_used(vm_ctx *ctx, uint64_t *cols, uint64_t *flags);
uint64_t vm_defaults_used(const vm_ctx *ctx);

/* List elements.  A required field absent from an element of a list of the main record is
 * unknown too: its bit is vm_elem_bit's (after the main record's fields, so that a result
 * names which element fields it needs).  The reader marks it in the element's slots
 * (vm_record_slots) while the element's checks run, then vm_take_slots copies the element,
 * values and unknowns, into element values index.. (vm_elems_reserve); false when out of
 * memory.  vm_elem_unknown_of is 0 for a known element value, else its bit. */
uint64_t vm_elem_bit(const vm_ctx *ctx, uint32_t record, uint32_t field);
void vm_mark_slot_unknown(vm_ctx *ctx, uint32_t record, uint32_t field);
bool vm_take_slots(vm_ctx *ctx, uint32_t record, uint32_t index);
uint64_t vm_elem_unknown_of(const vm_ctx *ctx, uint32_t index);

/* Makes register value v (a group's accumulator, from vm_group_accs) unknown, depending on
 * the mask `bit`. */
void vm_mark_value_unknown(vm_ctx *ctx, vm_val *v, uint64_t bit);

/* 0 when register value `v` (a pointer into the registers, as the accessors below give) is
 * known, else the mask of the absent fields it depends on. */
static inline uint64_t vm_unknown_of(const vm_ctx *ctx, const vm_val *v)
{
  const vm_state *s = VM_STATE(ctx);
  return s->unknown ? s->taint[v - s->R] : 0;
}
/* The values an unknown cell may have (its paths all gave known values: "exit_eligible",
 * "remain_poor"): *n of them, 0 when it may have any value or is known. */
const vm_val *vm_possible(const vm_ctx *ctx, uint32_t cell, uint32_t *n);

/* Whether two values of base type `base` are the same value (texts by their bytes, numbers
 * exactly; two lists never). */
bool vm_same_value(ty_base base, const vm_val *a, const vm_val *b);

/* The record's unknown mask: 0 when every value of it is known. */
static inline uint64_t vm_record_unknown(const vm_ctx *ctx)
{
  return VM_STATE(ctx)->unknown;
}

/* The evaluation date (`as_of` in rules), in days since 1970-01-01: the one way to set it. */
void vm_set_as_of(vm_ctx *ctx, int32_t days);

/* Starts a new record: every cell becomes not-done; text scratch and list elements are
 * reset. */
void vm_begin_record(vm_ctx *ctx);
/* Every cell to be computed again (the fields changed), the record's values kept. */
void vm_cells_stale(vm_ctx *ctx);

/* Where the reader types the fields of a record of type `record` (a number of
 * P->records): for the main record its field values, read by the rules; for an element
 * record the values of the element being checked (its field checks read them).  Valid until
 * the context is freed. */
vm_val *vm_record_slots(vm_ctx *ctx, uint32_t record);

/* History.  A record of a household followed over time reads, through previous(), values its
 * record of the year before kept.  After a record is evaluated, vm_remember appends what it
 * keeps (every value previous() reads, computed if need be) to `out` as bytes; before the
 * next year's record is evaluated (after its typing, which starts a new record),
 * vm_set_previous gives those bytes back, or NULL when there is no previous record.  The
 * bytes are borrowed until the record is done.  vm_set_previous returns false (and the
 * record has no previous) when the bytes are not what vm_remember writes for this program. */
vm_status vm_remember(vm_ctx *ctx, wbuf *out);

/* A typed record as bytes, to be evaluated later without typing it again: vm_image appends
 * the main record's field values (and list elements) to out; vm_load_image starts a new
 * record with them (its texts point into the image, which must outlive the record).  False
 * when the bytes are not an image of this program's record, or out of memory. */
void vm_image(const vm_ctx *ctx, wbuf *out);
bool vm_load_image(vm_ctx *ctx, const char *image, size_t len);
bool vm_set_previous(vm_ctx *ctx, const char *kept, size_t len);
/* Whether kept bytes are what vm_remember writes for P (nothing is changed). */
bool vm_kept_valid(const elig_program *P, const char *kept, size_t len);

/* Computes cell `cell` unless done for this record.  Returns VM_OK or the failure (see
 * vm_error). */
vm_status vm_ensure(vm_ctx *ctx, uint32_t cell);

/* Computes everything a result shows for the typed record: every output column (which
 * include every decision) and every flag, and what it keeps for the next year's record
 * (vm_remember).  Returns VM_OK or the first failure. */
vm_status vm_eval_record(vm_ctx *ctx);

/* Forgets that `cell` was computed, so that the next vm_ensure runs it again (field checks of
 * list elements run once per element). */
void vm_forget(vm_ctx *ctx, uint32_t cell);

/* Space for n more list element values of the current record: returns the first and sets
 * *index to its number (for vm_elem), or NULL when n is 0 or out of memory.  Reserving may
 * move the elements: pointers from vm_elem are valid until the next reservation. */
vm_val *vm_elems_reserve(vm_ctx *ctx, uint32_t n, uint32_t *index);
/* Element value number `index` of the current record. */
vm_val *vm_elem(vm_ctx *ctx, uint32_t index);

/* The values of the current record and its results. */
static inline const vm_val *vm_cell_value(const vm_ctx *ctx, uint32_t cell)
{
  return &VM_STATE(ctx)->R[VM_STATE(ctx)->P->cells[cell].reg];
}
static inline const vm_val *vm_field_value(const vm_ctx *ctx, uint32_t field)
{
  return &VM_STATE(ctx)->R[field]; /* the main record's fields are the first registers */
}
/* Sets a field of the main record (after typing; rec_check completes it): known from then
 * on, if it was unknown. */
void vm_set_field(vm_ctx *ctx, uint32_t field, const vm_val *v);
static inline const vm_val *vm_column_value(const vm_ctx *ctx, const prog_column *col)
{
  return &VM_STATE(ctx)->R[col->reg];
}
/* Whether flag f is raised (its cell must have been computed). */
static inline bool vm_flag_raised(const vm_ctx *ctx, uint32_t f)
{
  return vm_cell_value(ctx, VM_STATE(ctx)->P->flags[f].cell)->u.i != 0;
}
/* 0 when flag f's outcome is known, else the absent fields it depends on. */
static inline uint64_t vm_flag_unknown(const vm_ctx *ctx, uint32_t f)
{
  return vm_unknown_of(ctx, vm_cell_value(ctx, VM_STATE(ctx)->P->flags[f].cell));
}
/* Which rule (from 0) decided the decision computed in `cell`. */
static inline uint32_t vm_rule(const vm_ctx *ctx, uint32_t cell)
{
  return VM_STATE(ctx)->rule[cell];
}

/* Where an aggregate's group values go before its cells are computed: the group's keys and
 * its accumulators, in the aggregate's order. */
vm_val *vm_group_keys(vm_ctx *ctx, const prog_aggregate *A);
vm_val *vm_group_accs(vm_ctx *ctx, const prog_aggregate *A);

/* Matches text against regex number `regex` of the program with ctx's match data (a field's
 * `matches` check). */
regex_result vm_regex_match(vm_ctx *ctx, uint32_t regex, const char *s, size_t n);

/* The last failure on ctx and the address of the instruction that failed (for
 * prog_where / prog_position). */
vm_status vm_error(const vm_ctx *ctx, uint32_t *pc);

/* The address of the instruction of the last failure. */
uint32_t vm_error_pc(const vm_ctx *ctx);

/* A lower-case message for a status ("division by zero"). */
const char *vm_status_str(vm_status st);

/* Runs one value instruction (arithmetic, conversion, comparison, NOT: those whose FORMAT
 * in ops.def is registers only and whose effect is on R[A] alone) on the values b and c
 * into *a, exactly as the VM does: the compiler folds constant expressions with it.
 * Returns VM_OK or the failure the VM would stop on. */
vm_status vm_fold(vm_opcode op, vm_val *a, const vm_val *b, const vm_val *c);

#endif
