/*
 * write.c -- formats results: CSV (RFC 4180) and JSON Lines.
 *
 * Values print exactly: money with two decimals, numbers as exact decimals (rounded half
 * away from zero at 6 places when they do not terminate), percentages with two decimals
 * and a '%', dates as YYYY-MM-DD, absent values as an empty cell or JSON null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "utf8.h"
#include "write.h"

/* Inline: most of what is put is a literal ("," per column of every result line), whose
 * length the compiler then knows; a call and strlen each cost more than the byte. */
static inline __attribute__((always_inline)) void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

/* The text of a value, for both formats; *is_text says whether JSON must quote it. */
/* An int in decimal; snprintf costs ten times as much and this runs per record. */
static size_t format_int(int64_t v, char *buf)
{
  char tmp[24];
  size_t n = 0, len = 0;
  uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + m % 10);
    m /= 10;
  } while (m);
  if (v < 0)
    buf[len++] = '-';
  while (n)
    buf[len++] = tmp[--n];
  buf[len] = '\0';
  return len;
}

static size_t format_value(ty_type t, const vm_val *v, char *buf, bool *is_text)
{
  *is_text = false;
  switch (t.base) {
  case TY_INT: return format_int(v->u.i, buf);
  case TY_MONEY: return dec_money_format(v->u.i, buf);
  case TY_NUMBER: return dec_num_format_exact(v->u.n, 6, buf);
  case TY_PERCENT: *is_text = true; return dec_num_format_percent(v->u.n, 2, DEC_HALF_AWAY, buf);
  case TY_BOOL: return (size_t)snprintf(buf, DEC_FMT_MAX, "%s", v->u.i ? "true" : "false");
  case TY_DATE: *is_text = true; return date_format((int32_t)v->u.i, buf);
  default: buf[0] = '\0'; return 0;
  }
}

size_t write_scalar(ty_type t, const vm_val *v, char *buf)
{
  bool is_text;
  return format_value(t, v, buf, &is_text);
}

const char *write_value_text(ty_type t, const vm_val *v, bool quote_text, char *buf, size_t size)
{
  char tmp[DEC_FMT_MAX];
  bool is_text;
  if (v->none)
    snprintf(buf, size, "none");
  else if (t.base == TY_TEXT)
    snprintf(buf, size, quote_text ? "\"%.*s\"" : "%.*s", (int)v->u.s.len, v->u.s.p);
  else if (t.base == TY_LIST)
    snprintf(buf, size, "a list of %u", v->u.l.count);
  else {
    format_value(t, v, tmp, &is_text);
    snprintf(buf, size, "%s", tmp);
  }
  return buf;
}

void write_record_key(wbuf *out, const elig_program *P, const vm_ctx *ctx)
{
  const prog_record *rec = &P->records[P->main_record];
  char buf[DEC_FMT_MAX + 8];
  for (uint32_t k = 0; k < P->nkeys; k++) {
    uint32_t f = P->key_fields[k];
    const vm_val *v = vm_field_value(ctx, f);
    if (k)
      wbuf_put(out, "/", 1);
    if (rec->fields[f].type.base == TY_TEXT && !v->none)
      wbuf_put(out, v->u.s.p, v->u.s.len);
    else
      wbuf_puts(out, write_value_text(rec->fields[f].type, v, false, buf, sizeof buf));
  }
}

static void value(wbuf *b, ty_type t, const vm_val *v, write_format fmt)
{
  char buf[DEC_FMT_MAX];
  bool is_text;
  if (v->none) {
    if (fmt == WRITE_JSONL)
      put(b, "null");
    return;
  }
  if (t.base == TY_TEXT) {
    if (fmt == WRITE_CSV)
      wbuf_csv_text(b, v->u.s.p, v->u.s.len);
    else
      wbuf_json_text(b, v->u.s.p, v->u.s.len);
    return;
  }
  if (t.base == TY_LIST) { /* a list explain shows as read: its size, not its elements */
    wbuf_printf(b, fmt == WRITE_JSONL ? "{\"count\": %u}" : "%u", v->u.l.count);
    return;
  }
  size_t n = format_value(t, v, buf, &is_text);
  if (fmt == WRITE_JSONL && is_text)
    wbuf_json_text(b, buf, n);
  else
    wbuf_put(b, buf, n);
}

void write_value_json(wbuf *b, ty_type t, const vm_val *v)
{
  value(b, t, v, WRITE_JSONL);
}

/* A value of the record in ctx: "undetermined" when it is unknown. */
static void record_value(wbuf *b, const vm_ctx *ctx, ty_type t, const vm_val *v, write_format fmt)
{
  if (vm_unknown_of(ctx, v))
    put(b, fmt == WRITE_JSONL ? "\"" WRITE_UNDETERMINED "\"" : WRITE_UNDETERMINED);
  else
    value(b, t, v, fmt);
}

/* The names of the fields of `mask` for which `pick` holds, separated by sep. */
static bool list_fields(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask,
                        const char *sep, bool json, bool (*pick)(const vm_ctx *, uint32_t))
{
  const prog_record *rec = prog_main_record(P);
  bool any = false;
  for (uint32_t i = 0; i < rec->nfields; i++) {
    /* fields from the 63rd on share a bit: name those of them `pick` holds for */
    if (!(mask & vm_field_bit(i)) || !pick(ctx, i))
      continue;
    if (any)
      put(b, sep);
    if (json)
      wbuf_json_text(b, rec->fields[i].name, strlen(rec->fields[i].name));
    else
      put(b, rec->fields[i].name);
    any = true;
  }
  return any;
}

static bool is_unknown(const vm_ctx *ctx, uint32_t i)
{
  return vm_unknown_of(ctx, vm_field_value(ctx, i)) != 0;
}

static bool is_defaulted(const vm_ctx *ctx, uint32_t i)
{
  return (vm_defaulted(ctx) & vm_field_bit(i)) != 0;
}

/* The unknown values of list elements mask names, as members[2].age (elements counted from 0,
 * as in a rejection's field path), after what `any` says was written before. */
static bool list_element_fields(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask,
                                const char *sep, bool json, bool any)
{
  const prog_record *rec = prog_main_record(P);
  for (uint32_t i = 0; i < rec->nfields; i++) {
    const vm_val *list = vm_field_value(ctx, i);
    if (rec->fields[i].type.base != TY_LIST || list->none || vm_unknown_of(ctx, list))
      continue;
    const prog_record *er = &P->records[rec->fields[i].type.record];
    for (uint32_t e = 0; e < list->u.l.count; e++)
      for (uint32_t j = 0; j < er->nfields; j++) {
        if (!(vm_elem_unknown_of(ctx, list->u.l.first + e * list->u.l.stride + j) & mask))
          continue;
        if (any)
          put(b, sep);
        /* names are identifiers: nothing in them for JSON to escape */
        wbuf_printf(b, json ? "\"%s[%u].%s\"" : "%s[%u].%s", rec->fields[i].name, e,
                    er->fields[j].name);
        any = true;
      }
  }
  return any;
}

void write_needs(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask, const char *sep,
                 bool json)
{
  bool any = list_fields(b, P, ctx, mask, sep, json, is_unknown);
  any = list_element_fields(b, P, ctx, mask, sep, json, any);
  if (mask & VM_PREVIOUS_BIT) {
    if (any)
      put(b, sep);
    put(b, json ? "\"" WRITE_PREVIOUS_NEEDS "\"" : WRITE_PREVIOUS_NEEDS);
  }
}

void write_defaulted(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask,
                     const char *sep, bool json)
{
  list_fields(b, P, ctx, mask, sep, json, is_defaulted);
}

uint64_t write_record_needs(const elig_program *P, const vm_ctx *ctx)
{
  uint64_t mask = 0;
  for (uint32_t i = 0; i < P->ncolumns; i++)
    mask |= vm_unknown_of(ctx, vm_column_value(ctx, &P->columns[i]));
  for (uint32_t f = 0; f < P->nflags; f++)
    mask |= vm_flag_unknown(ctx, f);
  return mask;
}

static void key(wbuf *b, const char *name, bool first)
{
  if (!first)
    put(b, ",");
  wbuf_json_text(b, name, strlen(name));
  put(b, ":");
}

void write_record_header(wbuf *b, const elig_program *P, unsigned extra)
{
  for (uint32_t i = 0; i <= P->ncolumns; i++) {
    if (i == P->flags_at)
      put(b, i ? ",flags" : "flags");
    if (i < P->ncolumns) {
      if (i || P->flags_at == 0)
        put(b, ",");
      wbuf_csv_text(b, P->columns[i].name, strlen(P->columns[i].name));
    }
  }
  if (extra & WRITE_NEEDS)
    put(b, ",needs");
  if (extra & WRITE_DEFAULTS)
    put(b, ",defaulted");
  put(b, extra & WRITE_WHY ? ",why\n" : "\n");
}

/* "status: rule 4 (household.rules:35): 已脱贫: the household has exited the register; ..."
 * -- the file's base name keeps it compact; with `reasons` false, no reason. */
void write_why(wbuf *b, const elig_program *P, const vm_ctx *ctx, bool reasons)
{
  char buf[256];
  for (uint32_t d = 0; d < P->ndecisions; d++) {
    const prog_decision *pd = &P->decisions[d];
    uint64_t unknown = vm_unknown_of(ctx, vm_cell_value(ctx, pd->cell));
    if (unknown) {
      put(b, d ? "; " : "");
      put(b, pd->name);
      put(b, ": " WRITE_UNDETERMINED ", needs ");
      write_needs(b, P, ctx, unknown, ", ", false);
      continue;
    }
    uint32_t rule = vm_rule(ctx, pd->cell), line = 0, col = 0;
    const char *file = src_file_name(P->srcs, pd->rule_locs[rule].file);
    const char *base = strrchr(file, '/');
    src_position(P->srcs, pd->rule_locs[rule].file, pd->rule_locs[rule].start, &line, &col);
    snprintf(buf, sizeof buf, "%s%s: rule %u (%s:%u)", d ? "; " : "", pd->name, rule + 1,
             base ? base + 1 : file, line);
    put(b, buf);
    if (reasons && pd->reasons[rule]) {
      put(b, ": ");
      put(b, pd->reasons[rule]);
    }
  }
}

/* The raised flags, in their order: "a;b" in CSV, ["a","b"] in JSON; a flag that may or
 * may not be raised (its outcome is unknown) with a question mark: "a;b?". */
static void flags(wbuf *b, const elig_program *P, const vm_ctx *ctx, write_format fmt)
{
  bool any = false, unknowns = vm_record_unknown(ctx) != 0;
  if (fmt == WRITE_JSONL)
    put(b, "[");
  for (uint32_t f = 0; f < P->nflags; f++) {
    bool unknown = unknowns && vm_flag_unknown(ctx, f) != 0;
    if (!unknown && !vm_flag_raised(ctx, f))
      continue;
    if (any)
      put(b, fmt == WRITE_JSONL ? "," : ";");
    if (fmt == WRITE_JSONL) {
      wbuf_json_text(b, P->flags[f].name, strlen(P->flags[f].name));
      if (unknown && !b->failed) {
        b->len--; /* the closing quote: the mark goes inside the string */
        put(b, "?\"");
      }
    } else {
      put(b, P->flags[f].name);
      if (unknown)
        put(b, "?");
    }
    any = true;
  }
  if (fmt == WRITE_JSONL)
    put(b, "]");
}

void write_record(wbuf *b, const elig_program *P, const vm_ctx *ctx, write_format fmt,
                  unsigned extra)
{
  bool unknowns = vm_record_unknown(ctx) != 0;
  if (fmt == WRITE_JSONL)
    put(b, "{");
  for (uint32_t i = 0; i <= P->ncolumns; i++) {
    if (i == P->flags_at) {
      if (fmt == WRITE_JSONL)
        key(b, "flags", i == 0);
      else if (i)
        put(b, ",");
      flags(b, P, ctx, fmt);
    }
    if (i == P->ncolumns)
      break;
    const prog_column *c = &P->columns[i];
    if (fmt == WRITE_JSONL)
      key(b, c->name, i == 0 && P->flags_at != 0);
    else if (i || P->flags_at == 0)
      put(b, ",");
    if (unknowns)
      record_value(b, ctx, c->type, vm_column_value(ctx, c), fmt);
    else
      value(b, c->type, vm_column_value(ctx, c), fmt);
  }
  if (extra & WRITE_NEEDS) {
    uint64_t needs = vm_record_unknown(ctx) ? write_record_needs(P, ctx) : 0;
    if (fmt == WRITE_JSONL) {
      put(b, ",\"needs\":[");
      write_needs(b, P, ctx, needs, ",", true);
      put(b, "]");
    } else {
      put(b, ",");
      write_needs(b, P, ctx, needs, ";", false); /* names: nothing a CSV cell must quote */
    }
  }
  if (extra & WRITE_DEFAULTS) {
    put(b, fmt == WRITE_JSONL ? ",\"defaulted\":[" : ",");
    write_defaulted(b, P, ctx, vm_defaults_used(ctx), fmt == WRITE_JSONL ? "," : ";",
                    fmt == WRITE_JSONL);
    if (fmt == WRITE_JSONL)
      put(b, "]");
  }
  if (extra & WRITE_WHY) {
    wbuf w = {0};
    write_why(&w, P, ctx, true);
    if (fmt == WRITE_JSONL) {
      put(b, ",\"why\":");
      wbuf_json_text(b, w.p ? w.p : "", w.len);
      put(b, "}\n");
    } else {
      put(b, ",");
      wbuf_csv_text(b, w.p ? w.p : "", w.len);
      put(b, "\n");
    }
    wbuf_free(&w);
    return;
  }
  put(b, fmt == WRITE_JSONL ? "}\n" : "\n");
}

void write_group_header(wbuf *b, const prog_aggregate *a, write_format fmt, bool first)
{
  if (fmt == WRITE_JSONL)
    return;
  put(b, first ? "# aggregate " : "\n# aggregate ");
  put(b, a->name);
  put(b, "\n");
  for (uint32_t i = 0; i < a->ncolumns; i++) {
    if (i)
      put(b, ",");
    wbuf_csv_text(b, a->columns[i].name, strlen(a->columns[i].name));
  }
  put(b, "\n");
}

/* A group's value that may be a range. */
static void group_value(wbuf *b, const prog_column *c, const vm_ctx *ctx, const agg_range *r,
                        write_format fmt)
{
  if (!r || r->kind == AGG_EXACT) {
    record_value(b, ctx, c->type, vm_column_value(ctx, c), fmt);
  } else if (r->kind == AGG_UNDETERMINED) {
    put(b, fmt == WRITE_JSONL ? "\"" WRITE_UNDETERMINED "\"" : WRITE_UNDETERMINED);
  } else if (fmt == WRITE_JSONL) {
    put(b, "{\"low\":");
    value(b, c->type, &r->lo, fmt);
    put(b, ",\"high\":");
    value(b, c->type, &r->hi, fmt);
    put(b, "}");
  } else {
    value(b, c->type, &r->lo, fmt);
    put(b, "..");
    value(b, c->type, &r->hi, fmt);
  }
}

const char *write_group_text(const prog_column *c, const vm_ctx *ctx, const agg_range *r, char *buf,
                             size_t size)
{
  wbuf w = {0};
  group_value(&w, c, ctx, r, WRITE_CSV);
  if (w.failed) {
    wbuf_free(&w);
    return NULL;
  }
  snprintf(buf, size, "%.*s", w.p ? (int)w.len : 0, w.p ? w.p : "");
  wbuf_free(&w);
  return buf;
}

void write_group(wbuf *b, const prog_aggregate *a, const vm_ctx *ctx, write_format fmt,
                 const agg_range *ranges)
{
  if (fmt == WRITE_JSONL) {
    put(b, "{\"aggregate\":");
    wbuf_json_text(b, a->name, strlen(a->name));
  }
  for (uint32_t i = 0; i < a->ncolumns; i++) {
    const prog_column *c = &a->columns[i];
    if (fmt == WRITE_JSONL)
      key(b, c->name, false);
    else if (i)
      put(b, ",");
    group_value(b, c, ctx, ranges ? &ranges[i] : NULL, fmt);
  }
  put(b, fmt == WRITE_JSONL ? "}\n" : "\n");
}
