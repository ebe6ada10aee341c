/*
 * pg_elig.h -- the PostgreSQL extension of elig, in parts (postgresql/README.md).
 *
 *   pg_alloc.c      the library's memory in a memory context of its own; _PG_init
 *   pg_rules.c      rule sets: loaded into elig.rulesets and elig.rule_files, checked,
 *                   compiled once per backend and kept by hash
 *   pg_record.c     a row (any composite) or a jsonb document given to an evaluation
 *                   context, and a result made into a row of the caller's type or jsonb
 *   pg_functions.c  the SQL functions: evaluate, explain, aggregates, history
 *
 * The library is used through elig.h only.  It never calls PostgreSQL, and PostgreSQL's
 * errors (a longjmp) are never raised while a library call is on the stack: every call
 * returns first, and only then may ereport(ERROR) run.
 */
#ifndef PG_ELIG_H
#define PG_ELIG_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include <elig.h>

/* ---------------------------------------------------------------- pg_alloc.c */

/* The memory context every allocation of the library goes to (a child of
 * TopMemoryContext, "elig"), made at load. */
extern MemoryContext pgelig_memory;

/* ---------------------------------------------------------------- pg_rules.c */

/* A rule set in the backend's cache, counted by reference: a query holds it from its first
 * row to its end. */
typedef struct pgelig_rules pgelig_rules;

/* The rule set `ref` names: a hash ("sha256:...") of a rule set loaded into this database,
 * or the name it was loaded under (elig.rulesets).  Compiled at its first use in the
 * backend, then kept.  ereports when there is none.  The reference is the caller's
 * (pgelig_rules_release). */
pgelig_rules *pgelig_rules_get(const char *ref, bool hash_only);
void pgelig_rules_release(pgelig_rules *r);
const elig_ruleset *pgelig_ruleset(const pgelig_rules *r);

/* ---------------------------------------------------------------- pg_record.c */

/* How the attributes of one row type map to the fields of one rule set, made at the first
 * row and kept for the query. */
typedef struct pgelig_row_map pgelig_row_map;

/* The map for rows of type `typid`/`typmod` to rs's fields; palloc'd in `mcxt`.  Attributes
 * that are no field are not read (counted, for a NOTICE); a field of a type no attribute
 * can give (a list) is absent. */
pgelig_row_map *pgelig_row_map_new(const elig_ruleset *rs, Oid typid, int32 typmod,
                                   MemoryContext mcxt);

/* Sets ctx's fields from the row `rec` (a composite Datum of the map's type).  False with
 * the rejection (elig_ctx_error) when a value is not one of its field's type. */
bool pgelig_set_row(elig_ctx *ctx, const pgelig_row_map *map, Datum rec);

/* The value the last row set (pgelig_set_row) gave `field`, as text (palloc'd); NULL when
 * absent or of a type given otherwise (a date). */
char *pgelig_row_text(const pgelig_row_map *map, size_t field);

/* The result of the last evaluation as jsonb: the object `elig run --format jsonl` writes. */
Jsonb *pgelig_result_jsonb(const elig_result *r);

/* A rejection or failure (elig_ctx_error) as jsonb: {"error": {code, field, reason}}. */
Jsonb *pgelig_error_jsonb(const elig_error *e);

/* The same as JSON text, appended to s. */
void pgelig_error_text(StringInfo s, const elig_error *e);

/* How a result row type (the caller's, given by a value of it) takes a rule set's results:
 * by attribute name, a column of the rule set, "flags" (text[]: the flags raised),
 * "error_code", "error_field", "error_reason" (a rejection; NULL otherwise). */
typedef struct pgelig_result_map pgelig_result_map;
pgelig_result_map *pgelig_result_map_new(const elig_ruleset *rs, Oid typid, MemoryContext mcxt);

/* The row of the map's type for a result, or for a rejection (r NULL, e the error). */
Datum pgelig_result_row(const pgelig_result_map *map, const elig_ruleset *rs, const elig_result *r,
                        const elig_error *e);

/* ereports ERROR with the library's message, its code and field, when asked to raise. */
void pgelig_raise(const elig_error *e, const char *what) pg_attribute_noreturn();

#endif
