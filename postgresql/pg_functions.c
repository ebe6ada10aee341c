/*
 * pg_functions.c -- the SQL functions of the extension (pg_elig.h; elig--1.0.sql declares
 * them, doc/postgresql.md tells how to use them).
 *
 * A call site keeps what it needs from its first row to the end of the query in fn_extra:
 * the rule set (a reference into the backend's cache), one evaluation context, and the maps
 * of its row and result types.  The context is the library's memory, not the query's, so a
 * callback on the query's memory frees it whenever that memory goes, an error included:
 * nothing stays behind from one query to the next.  Per row, the library is called on that
 * context only; each row's datums are the caller's per-row memory.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "pg_elig.h"

PG_FUNCTION_INFO_V1(pgelig_evaluate);
PG_FUNCTION_INFO_V1(pgelig_evaluate_at);
PG_FUNCTION_INFO_V1(pgelig_evaluate_as);
PG_FUNCTION_INFO_V1(pgelig_evaluate_fields);
PG_FUNCTION_INFO_V1(pgelig_evaluate_jsonb);
PG_FUNCTION_INFO_V1(pgelig_explain);
PG_FUNCTION_INFO_V1(pgelig_agg_step);
PG_FUNCTION_INFO_V1(pgelig_agg_final);
PG_FUNCTION_INFO_V1(pgelig_history);
PG_FUNCTION_INFO_V1(pgelig_columns);

/* What a call site keeps for its query. */
typedef struct {
  char *ref; /* the rule set as named in the call */
  pgelig_rules *rules;
  elig_ctx *ctx;
  DateADT as_of; /* the context's evaluation date */
  bool as_of_set;
  Oid row_type; /* the row type the map is for */
  int32 row_typmod;
  pgelig_row_map *row_map;
  Oid result_type;
  pgelig_result_map *result_map;
  ArrayType *names; /* evaluate_fields: the names the map below is for (a copy) */
  int nnames;
  long *field_of_name; /* by position in names: the field, or -1 (not read) */
  int key_pos[8];      /* by key field: its position in names, or -1 */
  MemoryContextCallback cleanup;
} call_state;

static void free_call_state(void *arg)
{
  call_state *cs = arg;
  elig_ctx_free(cs->ctx);
  cs->ctx = NULL;
  pgelig_rules_release(cs->rules);
  cs->rules = NULL;
}

/* Rejection reasons and explanations in the language of the session's lc_messages:
 * Chinese for zh_* (zh_CN.UTF-8), English otherwise; English too when the machine has no
 * Chinese locale. */
static void set_language(void)
{
  const char *lc = GetConfigOption("lc_messages", true, false);
  if (elig_set_thread_language(lc && strncmp(lc, "zh", 2) == 0 ? "zh_CN" : "en") != ELIG_OK)
    elig_set_thread_language("en");
}

/* The call site's state for rule set `ref`, made at its first row (in `mcxt`, which the
 * state lives and dies with). */
static call_state *state_of(FmgrInfo *flinfo, MemoryContext mcxt, const char *ref, bool hash_only,
                            void **slot)
{
  call_state *cs = *slot;
  if (cs && strcmp(cs->ref, ref) == 0)
    return cs;
  if (cs) /* another rule set from one row to the next: start again */
    free_call_state(cs);
  else {
    cs = MemoryContextAllocZero(mcxt, sizeof *cs);
    cs->cleanup.func = free_call_state;
    cs->cleanup.arg = cs;
    MemoryContextRegisterResetCallback(mcxt, &cs->cleanup);
    *slot = cs;
  }
  (void)flinfo;
  cs->ref = MemoryContextStrdup(mcxt, ref);
  cs->row_map = NULL;
  cs->result_map = NULL;
  cs->as_of_set = false;
  cs->rules = pgelig_rules_get(ref, hash_only);
  set_language();
  if (elig_ctx_new(pgelig_ruleset(cs->rules), &cs->ctx) != ELIG_OK)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("elig: out of memory")));
  return cs;
}

static call_state *call_site(FunctionCallInfo fcinfo, bool hash_only)
{
  if (PG_ARGISNULL(0))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the rule set is NULL")));
  char *ref = text_to_cstring(PG_GETARG_TEXT_PP(0));
  return state_of(fcinfo->flinfo, fcinfo->flinfo->fn_mcxt, ref, hash_only,
                  &fcinfo->flinfo->fn_extra);
}

static void set_as_of_date(call_state *cs, DateADT d)
{
  if (cs->as_of_set && cs->as_of == d)
    return;
  int y, m, day;
  j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
  char text[16];
  snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, day);
  if (elig_ctx_set_as_of(cs->ctx, text) != ELIG_OK)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("elig: %s cannot be an evaluation date", text)));
  cs->as_of = d;
  cs->as_of_set = true;
}

/* Sets the evaluation date from argument `arg` (NULL: today, as current_date says). */
static void set_as_of(call_state *cs, FunctionCallInfo fcinfo, int arg)
{
  set_as_of_date(cs, PG_NARGS() > arg && !PG_ARGISNULL(arg) ? PG_GETARG_DATEADT(arg)
                                                            : GetSQLCurrentDate());
}

/* The row argument's map, made for its type at the first row. */
static const pgelig_row_map *row_map_of(call_state *cs, FunctionCallInfo fcinfo, Datum rec)
{
  HeapTupleHeader th = DatumGetHeapTupleHeader(rec);
  Oid type = HeapTupleHeaderGetTypeId(th);
  int32 typmod = HeapTupleHeaderGetTypMod(th);
  if (!cs->row_map || cs->row_type != type || cs->row_typmod != typmod) {
    cs->row_map =
        pgelig_row_map_new(pgelig_ruleset(cs->rules), type, typmod, fcinfo->flinfo->fn_mcxt);
    cs->row_type = type;
    cs->row_typmod = typmod;
  }
  return cs->row_map;
}

/* Evaluates the row argument `arg`: the result, or NULL with the rejection or failure. */
static const elig_result *evaluate_row(call_state *cs, FunctionCallInfo fcinfo, int arg)
{
  if (PG_ARGISNULL(arg))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the row is NULL")));
  Datum rec = PG_GETARG_DATUM(arg);
  const pgelig_row_map *map = row_map_of(cs, fcinfo, rec);
  const elig_result *r = NULL;
  if (!pgelig_set_row(cs->ctx, map, rec))
    return NULL;
  elig_status st = elig_eval(cs->ctx, &r);
  return st == ELIG_OK ? r : NULL;
}

static bool raise_asked(FunctionCallInfo fcinfo, int arg)
{
  return PG_NARGS() > arg && !PG_ARGISNULL(arg) && PG_GETARG_BOOL(arg);
}

/* The jsonb answer for a row: its result, or its rejection (or an ERROR when asked). */
static Datum jsonb_answer(call_state *cs, const elig_result *r, bool raise)
{
  if (r)
    PG_RETURN_JSONB_P(pgelig_result_jsonb(r));
  const elig_error *e = elig_ctx_error(cs->ctx);
  if (raise)
    pgelig_raise(e, "the row is rejected");
  PG_RETURN_JSONB_P(pgelig_error_jsonb(e));
}

/* elig.evaluate(rules text, rec record, as_of date, raise bool) returns jsonb */
Datum pgelig_evaluate(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, false);
  set_as_of(cs, fcinfo, 2);
  const elig_result *r = evaluate_row(cs, fcinfo, 1);
  return jsonb_answer(cs, r, raise_asked(fcinfo, 3));
}

/* elig.evaluate_at(hash text, rec record, as_of date, raise bool) returns jsonb: the same,
 * IMMUTABLE, for a hash only (what a foreign server is sent). */
Datum pgelig_evaluate_at(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, true);
  if (PG_ARGISNULL(2))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("elig: evaluate_at needs its evaluation date")));
  set_as_of(cs, fcinfo, 2);
  const elig_result *r = evaluate_row(cs, fcinfo, 1);
  return jsonb_answer(cs, r, raise_asked(fcinfo, 3));
}

/* elig.evaluate_as(rules text, rec record, shape anyelement, as_of date, raise bool)
 * returns anyelement: the result as a row of shape's composite type. */
Datum pgelig_evaluate_as(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, false);
  Oid type = get_fn_expr_argtype(fcinfo->flinfo, 2);
  if (!type_is_rowtype(type))
    ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                    errmsg("elig: the shape of the result must be a composite type"),
                    errhint("NULL::my_result, a type made by elig.create_result_type().")));
  if (!cs->result_map || cs->result_type != type) {
    cs->result_map =
        pgelig_result_map_new(pgelig_ruleset(cs->rules), type, fcinfo->flinfo->fn_mcxt);
    cs->result_type = type;
  }
  set_as_of(cs, fcinfo, 3);
  const elig_result *r = evaluate_row(cs, fcinfo, 1);
  const elig_error *e = r ? NULL : elig_ctx_error(cs->ctx);
  if (!r && raise_asked(fcinfo, 4))
    pgelig_raise(e, "the row is rejected");
  PG_RETURN_DATUM(pgelig_result_row(cs->result_map, pgelig_ruleset(cs->rules), r, e));
}

/* The fields of evaluate_fields' names, made when the names change (once per query). */
static void map_names(call_state *cs, ArrayType *names, MemoryContext mcxt)
{
  if (cs->names && VARSIZE(cs->names) == VARSIZE(names) &&
      memcmp(cs->names, names, VARSIZE(names)) == 0)
    return;
  Datum *elems;
  bool *nulls;
  int n;
  deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
  const elig_ruleset *rs = pgelig_ruleset(cs->rules);
  MemoryContext old = MemoryContextSwitchTo(mcxt);
  cs->names = (ArrayType *)palloc(VARSIZE(names));
  memcpy(cs->names, names, VARSIZE(names));
  cs->field_of_name = palloc(Max(n, 1) * sizeof(long));
  cs->nnames = n;
  MemoryContextSwitchTo(old);
  for (int i = 0; i < n; i++) {
    size_t f;
    cs->field_of_name[i] = -1;
    if (!nulls[i] && elig_ruleset_field_index(rs, TextDatumGetCString(elems[i]), &f) == ELIG_OK &&
        elig_ruleset_field_type(rs, f) != ELIG_TYPE_LIST)
      cs->field_of_name[i] = (long)f;
  }
  for (size_t k = 0; k < 8; k++) {
    cs->key_pos[k] = -1;
    for (int i = 0; i < n && k < elig_ruleset_key_count(rs); i++)
      if (cs->field_of_name[i] == (long)elig_ruleset_key_field(rs, k))
        cs->key_pos[k] = i;
  }
}

/* Sets cs's context from the values of evaluate_fields' names (NULL: absent).  False when a
 * value is refused by its field (elig_ctx_error says why).  The household and year of the
 * record into link and *year, *keyed false when a key is absent or the year no integer. */
static bool set_fields(call_state *cs, ArrayType *vals_array, StringInfo link, bool *keyed,
                       int64 *year)
{
  Datum *vals;
  bool *nulls;
  int n;
  deconstruct_array(vals_array, TEXTOID, -1, false, TYPALIGN_INT, &vals, &nulls, &n);
  if (n != cs->nnames)
    ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                    errmsg("elig: %d names for %d values", cs->nnames, n)));
  elig_ctx_clear(cs->ctx);
  for (int i = 0; i < n; i++) {
    if (cs->field_of_name[i] < 0)
      continue;
    size_t f = (size_t)cs->field_of_name[i];
    text *t = nulls[i] ? NULL : DatumGetTextPP(vals[i]);
    if ((t ? elig_ctx_set_text(cs->ctx, f, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))
           : elig_ctx_set_none(cs->ctx, f)) != ELIG_OK)
      return false;
  }
  const elig_ruleset *rs = pgelig_ruleset(cs->rules);
  size_t keys = elig_ruleset_key_count(rs);
  *keyed = keys >= 2 && keys <= 8;
  for (size_t k = 0; *keyed && k < keys; k++) {
    int i = cs->key_pos[k];
    if (i < 0 || nulls[i]) {
      *keyed = false;
      break;
    }
    char *v = TextDatumGetCString(vals[i]);
    if (k + 1 < keys) {
      appendStringInfoString(link, v);
      appendStringInfoChar(link, '\x1f');
    } else {
      char *end;
      long long y = strtoll(v, &end, 10);
      *keyed = end != v && *end == '\0';
      *year = y;
    }
  }
  return true;
}

/* elig.evaluate_fields(rules_hash text, names text[], vals text[], as_of date, raise bool)
 * returns jsonb: the record given as the fields' names and their values as text (as CSV
 * cells give them; NULL: absent), IMMUTABLE and by hash.  What postgres_fdw can send to the
 * server that holds the rows: arrays of columns are shippable where a whole row is not. */
Datum pgelig_evaluate_fields(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, true);
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("elig: evaluate_fields needs names, values and an evaluation date")));
  map_names(cs, PG_GETARG_ARRAYTYPE_P(1), fcinfo->flinfo->fn_mcxt);
  set_as_of(cs, fcinfo, 3);
  StringInfoData link;
  initStringInfo(&link);
  bool keyed;
  int64 year;
  const elig_result *r = NULL;
  if (set_fields(cs, PG_GETARG_ARRAYTYPE_P(2), &link, &keyed, &year) &&
      elig_eval(cs->ctx, &r) != ELIG_OK)
    r = NULL;
  return jsonb_answer(cs, r, raise_asked(fcinfo, 4));
}

/* elig.evaluate(rules text, doc jsonb, as_of date, raise bool) returns jsonb: a document
 * whose keys are the fields, lists included. */
Datum pgelig_evaluate_jsonb(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, false);
  set_as_of(cs, fcinfo, 2);
  if (PG_ARGISNULL(1))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the document is NULL")));
  Jsonb *doc = PG_GETARG_JSONB_P(1);
  char *text = JsonbToCString(NULL, &doc->root, VARSIZE(doc));
  const elig_result *r = NULL;
  elig_status st = elig_eval_json(cs->ctx, text, strlen(text), &r);
  pfree(text);
  return jsonb_answer(cs, st == ELIG_OK ? r : NULL, raise_asked(fcinfo, 3));
}

/* elig.explain(rules text, rec record, as_of date, format text) returns text */
Datum pgelig_explain(PG_FUNCTION_ARGS)
{
  call_state *cs = call_site(fcinfo, false);
  set_as_of(cs, fcinfo, 2);
  char *format = PG_ARGISNULL(3) ? "text" : text_to_cstring(PG_GETARG_TEXT_PP(3));
  elig_format fmt;
  if (strcmp(format, "text") == 0)
    fmt = ELIG_FORMAT_TEXT;
  else if (strcmp(format, "json") == 0)
    fmt = ELIG_FORMAT_JSON;
  else
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("elig: no explanation format \"%s\"", format), errhint("'text' or 'json'.")));
  const elig_result *r = evaluate_row(cs, fcinfo, 1);
  if (!r)
    pgelig_raise(elig_ctx_error(cs->ctx), "the row is rejected, nothing to explain");
  const char *text = NULL;
  size_t len = 0;
  elig_status st = elig_explain(cs->ctx, fmt, &text, &len);
  if (st != ELIG_OK)
    pgelig_raise(elig_ctx_error(cs->ctx), "the explanation failed");
  PG_RETURN_TEXT_P(cstring_to_text_with_len(text, (int)len));
}

/* ---------------------------------------------------------------- history */

/* A household followed from row to row, as `elig run` links its records (hist.c): the last
 * record accepted, its household (the key fields but the year, as text), its year, and what
 * it keeps for the year after (elig_result_kept).  Rows must come ordered by household, then
 * year. */
typedef struct {
  bool have;
  int64 year;
  char *link;
  void *kept;
  size_t kept_len, kept_cap;
  MemoryContext mcxt; /* where link and kept live */
} chain;

typedef enum {
  CHAIN_OK,
  CHAIN_REJECTED,
  CHAIN_DUPLICATE
} chain_outcome;

/* The household of the row just set (key fields but the last, joined by US), and its year;
 * false when a key is absent or the year no integer (the evaluation rejects the row). */
static bool household_of(const elig_ruleset *rs, const pgelig_row_map *map, StringInfo link,
                         int64 *year)
{
  size_t keys = elig_ruleset_key_count(rs);
  for (size_t k = 0; k + 1 < keys; k++) {
    char *v = pgelig_row_text(map, elig_ruleset_key_field(rs, k));
    if (!v)
      return false;
    appendStringInfoString(link, v);
    appendStringInfoChar(link, '\x1f');
  }
  char *y = pgelig_row_text(map, elig_ruleset_key_field(rs, keys - 1));
  char *end;
  long long v = y ? strtoll(y, &end, 10) : 0;
  if (!y || end == y || *end)
    return false;
  *year = v;
  return true;
}

/* Evaluates the row set on cs's context with its household's year before, and makes it the
 * household's last record when accepted. */
static chain_outcome chain_eval_keyed(chain *h, call_state *cs, const char *link, int64 year,
                                      const elig_result **r, int64 *dup_year)
{
  if (!link) { /* a key absent, or the year no integer: the evaluation rejects the row */
    elig_ctx_set_previous(cs->ctx, NULL, 0);
    return elig_eval(cs->ctx, r) == ELIG_OK ? CHAIN_OK : CHAIN_REJECTED;
  }
  bool same = h->have && strcmp(h->link, link) == 0;
  if (same && year == h->year) {
    *dup_year = year;
    return CHAIN_DUPLICATE;
  }
  if (same && year < h->year)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("elig: the rows of a household must come in the order of their "
                           "years (%lld after %lld)",
                           (long long)year, (long long)h->year),
                    errhint("ORDER BY the household's key, then the year.")));
  bool prev = same && year == h->year + 1;
  elig_ctx_set_previous(cs->ctx, prev ? h->kept : NULL, prev ? h->kept_len : 0);
  if (elig_eval(cs->ctx, r) != ELIG_OK)
    return CHAIN_REJECTED;
  const void *kept;
  size_t len;
  if (elig_result_kept(*r, &kept, &len) != ELIG_OK)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("elig: out of memory")));
  if (len > h->kept_cap) {
    h->kept = h->kept ? repalloc(h->kept, len) : MemoryContextAlloc(h->mcxt, len);
    h->kept_cap = len;
  }
  memcpy(h->kept, kept, len);
  h->kept_len = len;
  if (!same) {
    if (h->link)
      pfree(h->link);
    h->link = MemoryContextStrdup(h->mcxt, link);
  }
  h->have = true;
  h->year = year;
  return CHAIN_OK;
}

/* chain_eval_keyed for the row just set from a row map. */
static chain_outcome chain_eval(chain *h, call_state *cs, const pgelig_row_map *map,
                                const elig_result **r, int64 *dup_year)
{
  StringInfoData link;
  initStringInfo(&link);
  int64 year = 0;
  bool keyed = household_of(pgelig_ruleset(cs->rules), map, &link, &year);
  return chain_eval_keyed(h, cs, keyed ? link.data : NULL, year, r, dup_year);
}

/* The rejection of a second record for a household-year, as `elig run` words it. */
static Jsonb *duplicate_jsonb(const elig_ruleset *rs, int64 year)
{
  StringInfoData s;
  initStringInfo(&s);
  const char *field = elig_ruleset_field_name(rs, elig_ruleset_key_field(rs, 0));
  char message[200];
  snprintf(message, sizeof message,
           "field '%s': duplicate: the household already has a record for %lld", field,
           (long long)year);
  appendStringInfoString(&s, "{\"error\": {\"code\": \"E0630\", \"field\": ");
  escape_json(&s, field);
  appendStringInfoString(&s, ", \"reason\": ");
  escape_json(&s, message);
  appendStringInfoString(&s, "}}");
  return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

static void require_history(const call_state *cs)
{
  if (elig_ruleset_key_count(pgelig_ruleset(cs->rules)) < 2)
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("elig: the rule set \"%s\" follows no household over the years", cs->ref),
             errhint("Its record needs `key ... per year`; elig.evaluate() is for it.")));
}

/* elig.evaluate_history(rules text, rec record, as_of date, raise bool) returns jsonb,
 * a window function over one household's rows in the order of their years (PARTITION BY the
 * household ORDER BY the year): each row evaluated with the household's record of the year
 * before, as `elig run` does; a second row for a year already given is rejected (E0630). */
Datum pgelig_history(PG_FUNCTION_ARGS)
{
  WindowObject win = PG_WINDOW_OBJECT();
  bool isnull;
  Datum ref_datum = WinGetFuncArgCurrent(win, 0, &isnull);
  if (isnull)
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the rule set is NULL")));
  char *ref = text_to_cstring(DatumGetTextPP(ref_datum));
  call_state *cs =
      state_of(fcinfo->flinfo, fcinfo->flinfo->fn_mcxt, ref, false, &fcinfo->flinfo->fn_extra);
  require_history(cs);
  Datum as_of = WinGetFuncArgCurrent(win, 2, &isnull);
  set_as_of_date(cs, isnull ? GetSQLCurrentDate() : DatumGetDateADT(as_of));
  Datum raise_datum = WinGetFuncArgCurrent(win, 3, &isnull);
  bool raise = !isnull && DatumGetBool(raise_datum);
  Datum rec = WinGetFuncArgCurrent(win, 1, &isnull);
  if (isnull)
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the row is NULL")));
  chain *h = WinGetPartitionLocalMemory(win, sizeof *h);
  if (!h->mcxt)
    h->mcxt = GetMemoryChunkContext(h);
  const pgelig_row_map *map = row_map_of(cs, fcinfo, rec);
  const elig_result *r = NULL;
  int64 dup = 0;
  /* a value its field cannot take: rejected by the setter, whose error stands */
  chain_outcome out =
      pgelig_set_row(cs->ctx, map, rec) ? chain_eval(h, cs, map, &r, &dup) : CHAIN_REJECTED;
  if (out == CHAIN_DUPLICATE) {
    if (raise)
      ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                      errmsg("elig: the row is rejected: the household already has a record "
                             "for %lld",
                             (long long)dup),
                      errdetail("code E0630")));
    PG_RETURN_JSONB_P(duplicate_jsonb(pgelig_ruleset(cs->rules), dup));
  }
  return jsonb_answer(cs, out == CHAIN_OK ? r : NULL, raise);
}

/* ---------------------------------------------------------------- aggregates */

/* elig.aggregates(rules text, rec record, as_of date): the aggregate's state is a call
 * state of its own, in the aggregate's memory, with aggregation on; a rejected row is not
 * folded, as in `elig run`.  A rule set that follows households over the years links each
 * row to its household's year before, so the rows must come ORDER BY household, year (the
 * monitoring decisions the groups count depend on it), as in elig.evaluate_history. */
typedef struct {
  call_state *cs;
  chain h;
  bool history;
} agg_state;

Datum pgelig_agg_step(PG_FUNCTION_ARGS)
{
  MemoryContext aggcxt;
  if (!AggCheckCallContext(fcinfo, &aggcxt))
    elog(ERROR, "elig: elig_agg_step called outside an aggregate");
  CHECK_FOR_INTERRUPTS();
  agg_state *st = PG_ARGISNULL(0) ? NULL : (agg_state *)PG_GETARG_POINTER(0);
  if (PG_ARGISNULL(1))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("elig: the rule set is NULL")));
  char *ref = text_to_cstring(PG_GETARG_TEXT_PP(1));
  if (!st) {
    st = MemoryContextAllocZero(aggcxt, sizeof *st);
    void *slot = NULL;
    st->cs = state_of(fcinfo->flinfo, aggcxt, ref, false, &slot);
    st->h.mcxt = aggcxt;
    st->history = elig_ruleset_key_count(pgelig_ruleset(st->cs->rules)) >= 2;
    elig_ctx_set_aggregate(st->cs->ctx, true);
  } else if (strcmp(st->cs->ref, ref) != 0) {
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("elig: one aggregate over two rule sets (\"%s\", \"%s\")", st->cs->ref, ref)));
  }
  call_state *cs = st->cs;
  set_as_of(cs, fcinfo, 3);
  if (!PG_ARGISNULL(2)) {
    Datum rec = PG_GETARG_DATUM(2);
    const pgelig_row_map *map = row_map_of(cs, fcinfo, rec);
    const elig_result *r = NULL;
    int64 dup;
    if (pgelig_set_row(cs->ctx, map, rec)) {
      if (st->history)
        (void)chain_eval(&st->h, cs, map, &r, &dup); /* folded when accepted */
      else
        (void)elig_eval(cs->ctx, &r);
    }
  }
  PG_RETURN_POINTER(st);
}

/* The groups' values and decisions as a jsonb array of the objects `elig run` writes. */
Datum pgelig_agg_final(PG_FUNCTION_ARGS)
{
  if (PG_ARGISNULL(0))
    PG_RETURN_NULL();
  call_state *cs = ((agg_state *)PG_GETARG_POINTER(0))->cs;
  const char *text = NULL;
  size_t len = 0;
  elig_status st = elig_ctx_aggregates(cs->ctx, ELIG_FORMAT_JSON, &text, &len);
  if (st != ELIG_OK)
    pgelig_raise(elig_ctx_error(cs->ctx), "an aggregate's rule failed");
  StringInfoData s;
  initStringInfo(&s);
  appendStringInfoChar(&s, '[');
  for (const char *p = text, *end = text + len; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n) {
      if (s.len > 1)
        appendStringInfoChar(&s, ',');
      appendBinaryStringInfo(&s, p, (int)n);
    }
    p += n + 1;
  }
  appendStringInfoChar(&s, ']');
  PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* elig.evaluate_years(rules_hash text, names text[], vals text[], as_of date ORDER BY year):
 * a household's years, given as evaluate_fields takes a record, evaluated in order with
 * history; a jsonb array of their results (or rejections), one per row in the aggregate's
 * order.  An aggregate, so that postgres_fdw ships it whole to the server that holds the
 * household's rows (GROUP BY the partition key and the household). */
typedef struct {
  call_state *cs;
  chain h;
  StringInfoData out;
} years_state;

PG_FUNCTION_INFO_V1(pgelig_years_step);
PG_FUNCTION_INFO_V1(pgelig_years_final);

Datum pgelig_years_step(PG_FUNCTION_ARGS)
{
  MemoryContext aggcxt;
  if (!AggCheckCallContext(fcinfo, &aggcxt))
    elog(ERROR, "elig: elig_years_step called outside an aggregate");
  CHECK_FOR_INTERRUPTS();
  years_state *st = PG_ARGISNULL(0) ? NULL : (years_state *)PG_GETARG_POINTER(0);
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("elig: evaluate_years needs a hash, names, values and a date")));
  if (!st) {
    /* one household a group: the groups share the call site's context (it keeps nothing
     * from one evaluation to the next; each group's year before is in its chain) */
    st = MemoryContextAllocZero(aggcxt, sizeof *st);
    st->cs = state_of(fcinfo->flinfo, fcinfo->flinfo->fn_mcxt,
                      text_to_cstring(PG_GETARG_TEXT_PP(1)), true, &fcinfo->flinfo->fn_extra);
    st->h.mcxt = aggcxt;
    /* a household's few results: 256 bytes to start with, not initStringInfo's 1 KiB, so
     * that a shard grouping half a million households stays within its memory for them */
    st->out.maxlen = 256;
    st->out.data = MemoryContextAlloc(aggcxt, (Size)st->out.maxlen);
    resetStringInfo(&st->out);
    appendStringInfoChar(&st->out, '[');
  }
  call_state *cs = st->cs;
  map_names(cs, PG_GETARG_ARRAYTYPE_P(2), fcinfo->flinfo->fn_mcxt);
  set_as_of(cs, fcinfo, 4);
  StringInfoData link;
  initStringInfo(&link);
  bool keyed = false;
  int64 year = 0, dup = 0;
  const elig_result *r = NULL;
  chain_outcome out = set_fields(cs, PG_GETARG_ARRAYTYPE_P(3), &link, &keyed, &year)
                          ? chain_eval_keyed(&st->h, cs, keyed ? link.data : NULL, year, &r, &dup)
                          : CHAIN_REJECTED;
  /* the answers go into the array as the JSON text they are, parsed once at the end */
  if (st->out.len > 1)
    appendStringInfoChar(&st->out, ',');
  if (out == CHAIN_OK) {
    size_t len = 0;
    const char *text = elig_result_format(r, ELIG_FORMAT_JSON, &len);
    if (!text)
      ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("elig: out of memory")));
    while (len && (text[len - 1] == '\n'))
      len--;
    appendBinaryStringInfo(&st->out, text, (int)len);
  } else if (out == CHAIN_DUPLICATE) {
    Jsonb *j = duplicate_jsonb(pgelig_ruleset(cs->rules), dup);
    appendStringInfoString(&st->out, JsonbToCString(NULL, &j->root, VARSIZE(j)));
  } else {
    pgelig_error_text(&st->out, elig_ctx_error(cs->ctx));
  }
  PG_RETURN_POINTER(st);
}

Datum pgelig_years_final(PG_FUNCTION_ARGS)
{
  if (PG_ARGISNULL(0))
    PG_RETURN_NULL();
  years_state *st = (years_state *)PG_GETARG_POINTER(0);
  StringInfoData s;
  initStringInfo(&s);
  appendBinaryStringInfo(&s, st->out.data, st->out.len);
  appendStringInfoChar(&s, ']');
  PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* ---------------------------------------------------------------- describing */

static const char *sql_type(elig_type t)
{
  switch (t) {
  case ELIG_TYPE_BOOL: return "boolean";
  case ELIG_TYPE_INT: return "bigint";
  case ELIG_TYPE_MONEY: return "numeric";
  case ELIG_TYPE_NUMBER: return "numeric";
  case ELIG_TYPE_PERCENT: return "numeric";
  case ELIG_TYPE_DATE: return "date";
  default: return "text";
  }
}

/* elig.columns(rules text) returns setof (ordinal, name, type): the rule set's output
 * columns (those of `elig run`, flags aside) with the SQL type that holds each exactly. */
Datum pgelig_columns(PG_FUNCTION_ARGS)
{
  char *ref = text_to_cstring(PG_GETARG_TEXT_PP(0));
  pgelig_rules *rules = pgelig_rules_get(ref, false);
  const elig_ruleset *rs = pgelig_ruleset(rules);
  InitMaterializedSRF(fcinfo, 0);
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  for (size_t i = 0, pos = 1; i < elig_ruleset_column_count(rs); i++) {
    const char *name = elig_ruleset_column_name(rs, i);
    if (strcmp(name, "flags") == 0)
      continue; /* text[] of its own, always there */
    Datum values[3] = {Int32GetDatum((int32)pos++), CStringGetTextDatum(name),
                       CStringGetTextDatum(sql_type(elig_ruleset_column_type(rs, i)))};
    bool nulls[3] = {false, false, false};
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
  }
  pgelig_rules_release(rules);
  return (Datum)0;
}
