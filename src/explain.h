/*
 * explain.h -- why a record's decisions and flags came out as they did (`elig explain`).
 *
 * Pipeline: after vm.c has evaluated a record, explain.c reads the registers the compiler
 * listed for each decision rule, flag and derived value (program.h prog_names) and writes
 * them as a readable tree or as JSON.
 */
#ifndef ELIG_EXPLAIN_H
#define ELIG_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "vm.h"
#include "write.h"

/* Appends the explanation of the record typed in ctx (decisions and flags are computed here)
 * to out; `where` names the record ("data.csv:5"; NULL: not said), `key` its key.  Returns
 * VM_OK or the run-time failure that stopped the evaluation. */
vm_status explain_record(const elig_program *P, vm_ctx *ctx, const char *where, const char *key,
                         bool json, wbuf *out);
/* The same, followed by what would change the results if field `what_if` held another
 * value (whatif.h); PROG_NONE: nothing more. */
vm_status explain_record_what_if(const elig_program *P, vm_ctx *ctx, const char *where,
                                 const char *key, bool json, uint32_t what_if, wbuf *out);

/* A flag's conditions on one line, for a test's failure: when raised every one ("met: A;
 * B: ..."), else the first not met ("not met: per_capita < monitor_line: per_capita
 * 6000.00 equals monitor_line 6000.00"). */
void explain_flag_conditions(wbuf *b, vm_ctx *ctx, const prog_flag *fl);

/* " (needs net_income, size)": the note after a value that depends on the absent fields in
 * unknown mask `mask` (vm.h), in the reader's language; nothing for 0. */
void explain_needs_note(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask);

#endif
