/*
 * whatif.h -- what would change a record's results: for one numeric field, the nearest values
 * at which each decision and flag comes out otherwise, and what it becomes.
 *
 * Place in the pipeline: beside explain.c, on a record already typed and evaluated; it runs
 * the record again through the VM's three-valued evaluation with the field known only to lie
 * in an interval (vm_mark_unknown_between), which is exact where the rules are linear in the
 * field, and says so where it cannot be.
 */
#ifndef ELIG_WHATIF_H
#define ELIG_WHATIF_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "vm.h"
#include "wbuf.h"

/* Whether field `field` of the main record can be moved: an int, money or date field, not a
 * key. */
bool whatif_field_ok(const elig_program *P, uint32_t field);

/* Appends to out, as text lines or (json) as `"what_if": {...}` (a member of the explanation's
 * object, with its leading comma), for each decision and flag of the record in ctx, the
 * nearest value of `field` below and above the record's at which it changes and to what.
 * The record is left as it was (its cells stale).  VM_OK or VM_ERR_NO_MEMORY. */
vm_status whatif_record(const elig_program *P, vm_ctx *ctx, uint32_t field, bool json, wbuf *out);

#endif
