/*
 * pg_record.c -- rows and jsonb to and from the library (pg_elig.h).
 *
 * A row is read by column name: each field of the rule set takes the attribute of the same
 * name, if the row type has one.  Integers go to int, money and number fields as integers
 * and booleans to bool fields as such; every other value goes as text, the way a CSV cell
 * gives it (numeric as numeric_out writes it, exactly: money is never a double; a date as
 * YYYY-MM-DD), and the library checks and converts it as it does a CSV cell.  A value the
 * field cannot take rejects the row, as in `elig run`.
 *
 * A result goes out as the jsonb object of `elig run --format jsonl`, or as a row of the
 * caller's composite type whose attributes are named after the rule set's columns (plus
 * "flags", text[], and the rejection's "error_code", "error_field", "error_reason"): each
 * column's text through the attribute type's input function.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "pg_elig.h"

/* ---------------------------------------------------------------- rows in */

typedef enum {
  AS_INT,
  AS_BOOL,
  AS_TEXT,
  AS_NUMERIC,
  AS_DATE,
  AS_OUTPUT
} how_read;

typedef struct {
  size_t field; /* the rule set's */
  int attr;     /* the row type's, 0-based */
  how_read how;
  FmgrInfo output; /* AS_OUTPUT: the type's output function */
} field_source;

struct pgelig_row_map {
  TupleDesc desc;
  int nsources;
  field_source *sources;
  Datum *values; /* room for one row's attributes */
  bool *nulls;
};

static how_read how_to_read(Oid type, elig_type field_type)
{
  bool numeric_field = field_type == ELIG_TYPE_INT || field_type == ELIG_TYPE_MONEY ||
                       field_type == ELIG_TYPE_NUMBER;
  switch (type) {
  case INT2OID:
  case INT4OID:
  case INT8OID: return numeric_field ? AS_INT : AS_OUTPUT;
  case BOOLOID: return field_type == ELIG_TYPE_BOOL ? AS_BOOL : AS_OUTPUT;
  case TEXTOID:
  case VARCHAROID: return AS_TEXT;
  case NUMERICOID: return AS_NUMERIC;
  case DATEOID: return AS_DATE;
  default: return AS_OUTPUT;
  }
}

pgelig_row_map *pgelig_row_map_new(const elig_ruleset *rs, Oid typid, int32 typmod,
                                   MemoryContext mcxt)
{
  MemoryContext old = MemoryContextSwitchTo(mcxt);
  TupleDesc desc = lookup_rowtype_tupdesc_copy(typid, typmod);
  pgelig_row_map *map = palloc0(sizeof *map);
  map->desc = desc;
  map->sources = palloc0(elig_ruleset_field_count(rs) * sizeof *map->sources);
  map->values = palloc(desc->natts * sizeof(Datum));
  map->nulls = palloc(desc->natts * sizeof(bool));
  for (size_t f = 0; f < elig_ruleset_field_count(rs); f++) {
    elig_type type = elig_ruleset_field_type(rs, f);
    if (type == ELIG_TYPE_LIST)
      continue; /* lists come in jsonb documents */
    const char *name = elig_ruleset_field_name(rs, f);
    for (int a = 0; a < desc->natts; a++) {
      Form_pg_attribute att = TupleDescAttr(desc, a);
      if (att->attisdropped || strcmp(NameStr(att->attname), name) != 0)
        continue;
      field_source *s = &map->sources[map->nsources++];
      s->field = f;
      s->attr = a;
      s->how = how_to_read(att->atttypid, type);
      if (s->how == AS_OUTPUT) {
        Oid out;
        bool varlena;
        getTypeOutputInfo(att->atttypid, &out, &varlena);
        fmgr_info_cxt(out, &s->output, mcxt);
      }
      break;
    }
  }
  MemoryContextSwitchTo(old);
  return map;
}

/* A date as the library reads one: YYYY-MM-DD (years 1 to 9999; others go as text and are
 * refused by the library). */
static bool set_date(elig_ctx *ctx, size_t field, DateADT d)
{
  int y, m, day;
  j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
  char text[16];
  int n = snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, day);
  return elig_ctx_set_text(ctx, field, text, (size_t)n) == ELIG_OK;
}

static bool set_one(elig_ctx *ctx, const field_source *s, Datum v)
{
  switch (s->how) {
  case AS_INT: return elig_ctx_set_int(ctx, s->field, DatumGetInt64(v)) == ELIG_OK;
  case AS_BOOL: return elig_ctx_set_bool(ctx, s->field, DatumGetBool(v)) == ELIG_OK;
  case AS_TEXT: {
    text *t = DatumGetTextPP(v);
    return elig_ctx_set_text(ctx, s->field, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) == ELIG_OK;
  }
  case AS_NUMERIC: {
    char *text = DatumGetCString(DirectFunctionCall1(numeric_out, v));
    bool ok = elig_ctx_set_text(ctx, s->field, text, strlen(text)) == ELIG_OK;
    pfree(text);
    return ok;
  }
  case AS_DATE: return set_date(ctx, s->field, DatumGetDateADT(v));
  case AS_OUTPUT: {
    char *text = OutputFunctionCall((FmgrInfo *)&s->output, v);
    bool ok = elig_ctx_set_text(ctx, s->field, text, strlen(text)) == ELIG_OK;
    pfree(text);
    return ok;
  }
  }
  return false;
}

bool pgelig_set_row(elig_ctx *ctx, const pgelig_row_map *map, Datum rec)
{
  HeapTupleHeader th = DatumGetHeapTupleHeader(rec);
  HeapTupleData tuple = {.t_len = HeapTupleHeaderGetDatumLength(th), .t_data = th};
  ItemPointerSetInvalid(&tuple.t_self);
  tuple.t_tableOid = InvalidOid;
  heap_deform_tuple(&tuple, map->desc, map->values, map->nulls);
  elig_ctx_clear(ctx);
  for (int i = 0; i < map->nsources; i++) {
    const field_source *s = &map->sources[i];
    Datum v = map->values[s->attr];
    if (s->how == AS_INT) {
      /* int2 and int4 are not int8 Datums: widen by the attribute's type */
      Oid type = TupleDescAttr(map->desc, s->attr)->atttypid;
      if (!map->nulls[s->attr])
        v = Int64GetDatum(type == INT2OID   ? (int64)DatumGetInt16(v)
                          : type == INT4OID ? (int64)DatumGetInt32(v)
                                            : DatumGetInt64(v));
    }
    if (map->nulls[s->attr] ? elig_ctx_set_none(ctx, s->field) != ELIG_OK : !set_one(ctx, s, v))
      return false;
  }
  return true;
}

char *pgelig_row_text(const pgelig_row_map *map, size_t field)
{
  for (int i = 0; i < map->nsources; i++) {
    const field_source *s = &map->sources[i];
    if (s->field != field)
      continue;
    if (map->nulls[s->attr])
      return NULL;
    Datum v = map->values[s->attr];
    switch (TupleDescAttr(map->desc, s->attr)->atttypid) {
    case INT2OID: return psprintf("%d", (int)DatumGetInt16(v));
    case INT4OID: return psprintf("%d", (int)DatumGetInt32(v));
    case INT8OID: return psprintf(INT64_FORMAT, DatumGetInt64(v));
    default:
      return s->how == AS_TEXT      ? TextDatumGetCString(v)
             : s->how == AS_NUMERIC ? DatumGetCString(DirectFunctionCall1(numeric_out, v))
             : s->how == AS_OUTPUT  ? OutputFunctionCall((FmgrInfo *)&s->output, v)
             : s->how == AS_BOOL    ? pstrdup(DatumGetBool(v) ? "true" : "false")
                                    : NULL;
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- results out */

static Jsonb *jsonb_of_text(const char *text, size_t len)
{
  char *copy = pnstrdup(text, len);
  Jsonb *j = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
  pfree(copy);
  return j;
}

Jsonb *pgelig_result_jsonb(const elig_result *r)
{
  size_t len = 0;
  const char *text = elig_result_format(r, ELIG_FORMAT_JSON, &len);
  if (!text)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("elig: out of memory")));
  return jsonb_of_text(text, len);
}

void pgelig_error_text(StringInfo s, const elig_error *e)
{
  appendStringInfoString(s, "{\"error\": {\"code\": ");
  escape_json(s, e ? elig_error_code(e) : "out_of_memory");
  appendStringInfoString(s, ", \"field\": ");
  if (e && elig_error_field(e))
    escape_json(s, elig_error_field(e));
  else
    appendStringInfoString(s, "null");
  appendStringInfoString(s, ", \"reason\": ");
  escape_json(s, e ? elig_error_message(e) : "out of memory");
  appendStringInfoString(s, "}}");
}

Jsonb *pgelig_error_jsonb(const elig_error *e)
{
  StringInfoData s;
  initStringInfo(&s);
  pgelig_error_text(&s, e);
  return jsonb_of_text(s.data, (size_t)s.len);
}

void pgelig_raise(const elig_error *e, const char *what)
{
  const char *field = e ? elig_error_field(e) : NULL;
  ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                  errmsg("elig: %s: %s", what, e ? elig_error_message(e) : "out of memory"),
                  errdetail("code %s%s%s", e ? elig_error_code(e) : "-", field ? ", field " : "",
                            field ? field : "")));
}

typedef enum {
  TAKE_COLUMN,
  TAKE_FLAGS,
  TAKE_CODE,
  TAKE_FIELD,
  TAKE_REASON
} take_what;

typedef struct {
  take_what what;
  size_t column;
  bool is_text;
  FmgrInfo input;
  Oid ioparam;
  int32 typmod;
} result_source;

struct pgelig_result_map {
  TupleDesc desc;
  result_source *sources; /* by attribute */
};

pgelig_result_map *pgelig_result_map_new(const elig_ruleset *rs, Oid typid, MemoryContext mcxt)
{
  MemoryContext old = MemoryContextSwitchTo(mcxt);
  TupleDesc desc = lookup_rowtype_tupdesc_copy(typid, -1);
  BlessTupleDesc(desc);
  pgelig_result_map *map = palloc0(sizeof *map);
  map->desc = desc;
  map->sources = palloc0(desc->natts * sizeof *map->sources);
  for (int a = 0; a < desc->natts; a++) {
    Form_pg_attribute att = TupleDescAttr(desc, a);
    const char *name = NameStr(att->attname);
    result_source *s = &map->sources[a];
    if (att->attisdropped)
      continue;
    size_t c = 0;
    while (c < elig_ruleset_column_count(rs) && strcmp(elig_ruleset_column_name(rs, c), name))
      c++;
    if (strcmp(name, "flags") == 0) {
      s->what = TAKE_FLAGS;
      if (att->atttypid != TEXTARRAYOID)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("elig: the result attribute \"flags\" must be text[]")));
      continue;
    } else if (strcmp(name, "error_code") == 0) {
      s->what = TAKE_CODE;
    } else if (strcmp(name, "error_field") == 0) {
      s->what = TAKE_FIELD;
    } else if (strcmp(name, "error_reason") == 0) {
      s->what = TAKE_REASON;
    } else if (c < elig_ruleset_column_count(rs)) {
      s->what = TAKE_COLUMN;
      s->column = c;
    } else {
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                      errmsg("elig: the result type's attribute \"%s\" is no column of the "
                             "rule set",
                             name),
                      errhint("elig.create_result_type() makes a type with every column.")));
    }
    s->is_text = att->atttypid == TEXTOID;
    if (!s->is_text) {
      Oid in;
      getTypeInputInfo(att->atttypid, &in, &s->ioparam);
      fmgr_info_cxt(in, &s->input, mcxt);
      s->typmod = att->atttypmod;
    }
  }
  MemoryContextSwitchTo(old);
  return map;
}

static Datum flags_array(const elig_ruleset *rs, const elig_result *r)
{
  size_t n = elig_ruleset_flag_count(rs), raised = 0;
  Datum *names = palloc((n ? n : 1) * sizeof(Datum));
  for (size_t i = 0; i < n; i++)
    if (elig_result_flag(r, i))
      names[raised++] = CStringGetTextDatum(elig_ruleset_flag_name(rs, i));
  return PointerGetDatum(construct_array(names, (int)raised, TEXTOID, -1, false, TYPALIGN_INT));
}

/* A text into an attribute: as text, or through its type's input function. */
static Datum typed(const result_source *s, const char *text)
{
  if (s->is_text)
    return CStringGetTextDatum(text);
  return InputFunctionCall((FmgrInfo *)&s->input, (char *)text, s->ioparam, s->typmod);
}

Datum pgelig_result_row(const pgelig_result_map *map, const elig_ruleset *rs, const elig_result *r,
                        const elig_error *e)
{
  int natts = map->desc->natts;
  Datum *values = palloc0(natts * sizeof(Datum));
  bool *nulls = palloc(natts * sizeof(bool));
  for (int a = 0; a < natts; a++) {
    const result_source *s = &map->sources[a];
    const char *text = NULL;
    nulls[a] = true;
    if (TupleDescAttr(map->desc, a)->attisdropped)
      continue;
    switch (s->what) {
    case TAKE_COLUMN: text = r ? elig_result_column(r, s->column) : NULL; break;
    case TAKE_CODE: text = !r && e ? elig_error_code(e) : NULL; break;
    case TAKE_FIELD: text = !r && e ? elig_error_field(e) : NULL; break;
    case TAKE_REASON: text = !r && e ? elig_error_message(e) : NULL; break;
    case TAKE_FLAGS:
      if (r) {
        values[a] = flags_array(rs, r);
        nulls[a] = false;
      }
      continue;
    }
    if (text && *text) {
      values[a] = typed(s, text);
      nulls[a] = false;
    }
  }
  HeapTuple t = heap_form_tuple(map->desc, values, nulls);
  return HeapTupleGetDatum(t);
}
