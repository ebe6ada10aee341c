/*
 * write.h -- results to text: one line per record (CSV or JSON Lines) and one per group.
 *
 * Pipeline: vm.c computes registers -> write.c formats them into a growable buffer that the
 * run driver hands to the output in input order.
 */
#ifndef ELIG_WRITE_H
#define ELIG_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"
#include "vm.h"
#include "wbuf.h"

typedef enum {
  WRITE_CSV,
  WRITE_JSONL
} write_format;

/* The header line of a record CSV output; `why` adds the column of write_record's `why`. */
void write_record_header(wbuf *b, const elig_program *P, bool why);
/* One result line; every column's cell must have been computed.  With `why`, a last column
 * says which rule decided each decision, and its reason: "status: rule 4
 * (household.rules:35): 已脱贫: the household has exited the register". */
void write_record(wbuf *b, const elig_program *P, const vm_ctx *ctx, write_format fmt, bool why);

/* One value as a JSON Lines result writes it (null for none). */
void write_value_json(wbuf *b, ty_type t, const vm_val *v);

/* write_record's `why` alone: "status: rule 4 (household.rules:35): REASON; ..."; without
 * the reasons when `reasons` is false (the register keeps the rules they are in). */
void write_why(wbuf *b, const elig_program *P, const vm_ctx *ctx, bool reasons);

/* The header of an aggregate's CSV section (after a blank line unless `first`), and one
 * group's line. */
void write_group_header(wbuf *b, const prog_aggregate *a, write_format fmt, bool first);
void write_group(wbuf *b, const prog_aggregate *a, const vm_ctx *ctx, write_format fmt);

/* One value as text, the way results show it ("4000.01", "2.50%", "true", "none" for an
 * absent value, text in double quotes when `quote_text`), into buf of `size` bytes (cut if
 * longer); returns buf. */
const char *write_value_text(ty_type t, const vm_val *v, bool quote_text, char *buf, size_t size);

/* A value of a type other than text or list as results print it ("4000.01", "2.50%", "true",
 * "2020-07-01"), into buf (DEC_FMT_MAX bytes); returns its length. */
size_t write_scalar(ty_type t, const vm_val *v, char *buf);

/* The record's key fields as text joined by '/' ("411623101201-003/2020"), into buf of
 * `size` bytes (cut if longer); returns the length. */
size_t write_record_key(const elig_program *P, const vm_ctx *ctx, char *buf, size_t size);

#endif
