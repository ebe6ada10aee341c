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

typedef enum {
  VM_OK = 0,
  VM_ERR_OVERFLOW,   /* a value out of range */
  VM_ERR_DIV_ZERO,
  VM_ERR_REGEX_LIMIT,
  VM_ERR_REGEX,
  VM_ERR_NO_MEMORY,
} vm_status;

typedef struct vm_ctx {
  const elig_program *P;
  vm_val *R;            /* registers */
  uint32_t *done;       /* per cell: the record number it was computed for */
  uint32_t *rule;       /* per cell: for decisions, the rule that decided */
  uint32_t serial;      /* the current record's number; never 0 */
  uint32_t *stack;      /* return addresses */
  regex_matcher *matcher;
  char *scratch;        /* text produced by upper/lower, reset per record */
  size_t scratch_len, scratch_cap;
  vm_val *elems;        /* element records of lists, for the current record */
  uint32_t nelems, elems_cap;
  vm_status err;        /* the last failure */
  uint32_t err_pc;      /* where it happened */
} vm_ctx;

/* A context for `P`, with constants loaded.  NULL when out of memory. */
vm_ctx *vm_ctx_new(const elig_program *P);
/* NULL is fine. */
void vm_ctx_free(vm_ctx *ctx);

/* Starts a new record: every cell becomes not-done; text scratch is reset. */
void vm_begin_record(vm_ctx *ctx);

/* Computes cell `cell` unless done for this record.  Returns VM_OK or the failure (also in
 * ctx->err, with ctx->err_pc). */
vm_status vm_ensure(vm_ctx *ctx, uint32_t cell);

/* Computes everything a result shows for the typed record: every output column (which
 * include every decision) and every flag.  Returns VM_OK or the first failure (also in
 * ctx->err, with ctx->err_pc). */
vm_status vm_eval_record(vm_ctx *ctx);

/* Forgets that `cell` was computed, so that the next vm_ensure runs it again (field checks of
 * list elements run once per element). */
void vm_forget(vm_ctx *ctx, uint32_t cell);

/* Space for n more element values; returns the first, or NULL when n is 0 or out of
 * memory. */
vm_val *vm_elems_reserve(vm_ctx *ctx, uint32_t n);

/* A lower-case message for a status ("division by zero"). */
const char *vm_status_str(vm_status st);

#endif
