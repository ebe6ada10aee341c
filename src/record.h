/*
 * record.h -- typing: raw cells (CSV) or a parsed JSON object in, field registers out.
 *
 * Pipeline: input.c/csv.c/jdoc.c -> record.c -> vm.c.  Every value is parsed exactly
 * (decimal.c, never strtod), checked against its field's declaration (required, default,
 * range, one of, regex, check), and either lands in its register or the record is rejected
 * with the field and the reason.  Messages never quote the value: records hold personal data
 * and rejection messages go to logs.
 */
#ifndef ELIG_RECORD_H
#define ELIG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "diag.h"
#include "jdoc.h"
#include "program.h"
#include "vm.h"

#define REC_MAX_TEXT_BYTES ((size_t)1 << 20) /* longest text value accepted in a field */

/* How CSV columns map to fields, built once from the header. */
typedef struct {
  int32_t *field_of; /* per column: field number, or -1 for a column that is no field */
  uint32_t ncols;
  int32_t *col_of_key; /* per key field of the program: its (last) column, or -1; read for
                          every record of a run over the years, twice (once.h) */
  /* After rec_header_init refused the header: why, in a few words, for each record of the
   * file, which is rejected with it (bad input never stops a batch); and whether the first
   * line is itself such a record, the file having no header line at all. */
  char refused[256];
  diag_id refused_code; /* the code of that reason (E08xx) */
  diag_id error_code;   /* the code of rec_header_init's message (E08xx) */
  bool first_line_is_record;
  bool no_memory; /* rec_header_init failed for want of memory, not for the header */
} rec_header;

typedef struct {
  diag_id code;       /* its stable code (diag.def E06xx-E08xx); DIAG_E_NO_MEMORY when the
                           record could not be typed for want of memory (no verdict) */
  char message[512];  /* why the record was rejected; lower case; never quotes a value */
  char field[128];    /* the field it is about ("size", "members[2].age"), "" when none */
  char value[80];     /* the value at fault as given, cut short with "...", "" when none:
                           personal data, shown only when the operator asks (--show-values) */
  size_t json_column; /* malformed JSON (a key given twice): the 1-based byte of the fault
                           in the record's text, and the reason alone, for the library to
                           say as it says every other malformed JSON; 0 otherwise */
  char json_reason[112];
} rec_reject;

/* Maps a header record to fields.  Fails (false, with a message) when a required field has
 * no column or a column appears twice; unknown columns are listed in `unknown` (a message
 * suitable for a warning, empty when none).  The header owns field_of; free it with
 * rec_header_fini. */
/* Maps a CSV header record onto P's main record.  False when the header cannot be used,
 * with the full message in `error` and h->refused / h->first_line_is_record set (see
 * above).  Columns that are no field are listed in `unknown` for a warning. */
bool rec_header_init(rec_header *h, const elig_program *P, const csv_record *header, char *error,
                     size_t error_size, char *unknown, size_t unknown_size);
void rec_header_fini(rec_header *h);

/* Why a CSV record that does not parse (r->error != CSV_OK) is rejected: "malformed CSV:
 * REASON (column N)"; a cell over the length limit in a column of a field is said as a value
 * of that field is ("field 'name': text longer than 1048576 bytes").  h may be NULL (the
 * header itself). */
void rec_csv_error(const rec_header *h, const elig_program *P, const csv_record *r,
                   rec_reject *why);

/* The key fields' raw text of a CSV record, joined by '/' (an empty part stays empty: "/2020"),
 * into buf (not terminated), for a rejection; returns its length.  Nothing (0) when every part is
 * empty, or when the record has more or fewer cells than the header: its cells do not line up
 * with the columns, and what sits in a key's column may be any value, an identity number say. */
size_t rec_csv_key(const rec_header *h, const elig_program *P, const csv_record *r, char *buf,
                   size_t size);

/* Key field k (0 .. P->nkeys) of a CSV record as given: *text and *len (0 when the header
 * has no column for it, or the cells do not line up as above). */
void rec_csv_key_part(const rec_header *h, const elig_program *P, const csv_record *r, uint32_t k,
                      const char **text, size_t *len);

/* Types one CSV record into ctx's registers (calling vm_begin_record first).  Returns false
 * and fills `why` when the record breaks its schema. */
bool rec_from_csv(const rec_header *h, vm_ctx *ctx, const csv_record *r, rec_reject *why);

/* Field by field (the library's setters): parses the text of one value of the main record's
 * field `field` into *v.  Text values point into s, which must outlive their use.  False with
 * `why` when the text is no value of the field's type (range and other checks come in
 * rec_check). */
bool rec_parse_field(const elig_program *P, uint32_t field, const char *s, size_t n, vm_val *v,
                     rec_reject *why);

/* Completes a main record whose field registers (ctx->R[0 .. nfields)) hold values or none,
 * after vm_begin_record: defaults, required fields, ranges, `one of`, patterns, checks.
 * False with `why` when the record breaks its schema. */
bool rec_check(vm_ctx *ctx, rec_reject *why);

/* JSON keys that are no field: ignored, but counted and the first one kept, so that a
 * misspelt optional field does not pass unnoticed. */
typedef struct {
  uint64_t keys;         /* unknown keys seen */
  uint64_t records;      /* records that had one */
  char first[64];        /* the first unknown key (truncated), "" when none */
  uint32_t first_record; /* the record type (index in P->records) whose object had it */
  uint64_t first_line;   /* set by the caller: the line of that record */
} rec_unknown;

/* The same for one JSON document (an object; lists of records as arrays of objects).  Keys
 * that are no field are counted in *unknown and ignored; a key given twice rejects the
 * record.  The doc must have been parsed with caller_checks_keys (REC_JDOC_OPTIONS): this
 * checks the keys itself, cheaper; doc's key table is used for it. */
bool rec_from_json(vm_ctx *ctx, jdoc *doc, rec_reject *why, rec_unknown *unknown);

/* The options every jdoc read by rec_from_json is made with. */
#define REC_JDOC_OPTIONS (&(jdoc_options){.caller_checks_keys = true})

#endif
