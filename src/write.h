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

/* Columns a result line may have beyond the rules' outputs and flags, or'ed together:
 * WRITE_NEEDS, under three-valued evaluation, lists the absent fields that would settle the
 * record's undetermined results ("net_income;food_secure" in CSV, an array in JSON);
 * WRITE_DEFAULTS lists the fields that took their schema default and that a result depends
 * on ("medical_expense"; see step_defaults); WRITE_WHY, last, says which rule decided each
 * decision, and its reason: "status: rule 4
 * (household.rules:35): 已脱贫: the household has exited the register". */
enum {
  WRITE_WHY = 1,
  WRITE_NEEDS = 2,
  WRITE_DEFAULTS = 4
};

/* How a result shows a value that depends on absent fields, and the absent values of the
 * household's previous record in a `needs` list. */
#define WRITE_UNDETERMINED "undetermined"
#define WRITE_PREVIOUS_NEEDS "previous year"

/* The header line of a record CSV output, with the `extra` columns. */
void write_record_header(wbuf *b, const elig_program *P, unsigned extra);
/* One result line; every column's cell must have been computed.  An unknown value is
 * written "undetermined", a flag whose outcome is unknown with a '?' after its name. */
void write_record(wbuf *b, const elig_program *P, const vm_ctx *ctx, write_format fmt,
                  unsigned extra);
/* The names of the absent fields in unknown mask `mask` (vm.h) of the record in ctx, in
 * field order, separated by sep; as JSON strings when `json`. */
void write_needs(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask, const char *sep,
                 bool json);
/* The same for the fields of mask that took their default (vm_defaulted). */
void write_defaulted(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask,
                     const char *sep, bool json);
/* The unknown mask of everything a result line shows: 0 when all of it is determined. */
uint64_t write_record_needs(const elig_program *P, const vm_ctx *ctx);

/* One value as a JSON Lines result writes it (null for none). */
void write_value_json(wbuf *b, ty_type t, const vm_val *v);

/* write_record's `why` alone: "status: rule 4 (household.rules:35): REASON; ..."; without
 * the reasons when `reasons` is false (the register keeps the rules they are in). */
void write_why(wbuf *b, const elig_program *P, const vm_ctx *ctx, bool reasons);

/* What a group's value is under three-valued evaluation: known, between lo and hi, or
 * undetermined (nothing known of it). */
typedef enum {
  AGG_EXACT,
  AGG_RANGE,
  AGG_UNDETERMINED
} agg_range_kind;

typedef struct {
  uint8_t kind; /* agg_range_kind */
  vm_val lo, hi;
} agg_range;

/* The header of an aggregate's CSV section (after a blank line unless `first`), and one
 * group's line. */
void write_group_header(wbuf *b, const prog_aggregate *a, write_format fmt, bool first);
/* A value of a group that is a range (ranges[c] for column c, NULL when all are exact) is
 * written "LOW..HIGH" in CSV and {"low":LOW,"high":HIGH} in JSON; an undetermined one as
 * "undetermined". */
void write_group(wbuf *b, const prog_aggregate *a, const vm_ctx *ctx, write_format fmt,
                 const agg_range *ranges);
/* The text of group value c as a CSV cell of write_group shows it, into buf of `size`;
 * NULL when out of memory. */
const char *write_group_text(const prog_column *c, const vm_ctx *ctx, const agg_range *r, char *buf,
                             size_t size);

/* One value as text, the way results show it ("4000.01", "2.50%", "true", "none" for an
 * absent value, text in double quotes when `quote_text`), into buf of `size` bytes (cut if
 * longer); returns buf. */
const char *write_value_text(ty_type t, const vm_val *v, bool quote_text, char *buf, size_t size);

/* A value of a type other than text or list as results print it ("4000.01", "2.50%", "true",
 * "2020-07-01"), into buf (DEC_FMT_MAX bytes); returns its length. */
size_t write_scalar(ty_type t, const vm_val *v, char *buf);

/* The record's key fields as text joined by '/' ("411623101201-003/2020"), appended to out
 * whole (a text field holds up to REC_MAX_TEXT_BYTES). */
void write_record_key(wbuf *out, const elig_program *P, const vm_ctx *ctx);

#endif
