/*
 * record.c -- turns raw input into typed field registers, enforcing the record schema.
 *
 * Pipeline: csv.c / jdoc.c -> record.c -> vm.c.  See record.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "date.h"
#include "i18n.h"
#include "record.h"
#include "utf8.h"
#include "write.h"

/* A rejection with code `id` (diag.def, E06xx-E08xx) and its message's arguments. */
static bool reject(rec_reject *why, diag_id id, ...)
{
  va_list ap;
  va_start(ap, id);
  diag_vformat(id, why->message, sizeof why->message, ap);
  va_end(ap);
  why->code = id;
  why->field[0] = '\0';
  why->value[0] = '\0';
  why->json_column = 0;
  return false;
}

/* Keeps the value at fault, for --show-values, so that it fits one log line. */
static void keep_value(rec_reject *why, const char *s, size_t n)
{
  utf8_printable_copy(why->value, sizeof why->value, s, n);
}

/* A rejection about field f: the message's arguments start with the field's name (every
 * such row of diag.def starts "field '%s'"); why->field names it. */
static bool reject_field(rec_reject *why, const prog_field *f, diag_id id, ...)
{
  va_list ap;
  va_start(ap, id);
  diag_vformat(id, why->message, sizeof why->message, ap);
  va_end(ap);
  why->code = id;
  snprintf(why->field, sizeof why->field, "%s", f->name);
  why->value[0] = '\0';
  return false;
}

/* ---------------------------------------------------------------- values */

static bool parse_bool(const char *s, size_t n, int64_t *out)
{
  if ((n == 1 && s[0] == '1') || (n == 4 && memcmp(s, "true", 4) == 0))
    *out = 1;
  else if ((n == 1 && s[0] == '0') || (n == 5 && memcmp(s, "false", 5) == 0))
    *out = 0;
  else
    return false;
  return true;
}

/* Parses the text of one value of field f into *v. */
static bool parse_text(const prog_field *f, const char *s, size_t n, vm_val *v, rec_reject *why);

/* Types the text s of field f into v; on failure why says why and keeps the text. */
static bool parse_value(const prog_field *f, const char *s, size_t n, vm_val *v, rec_reject *why)
{
  if (parse_text(f, s, n, v, why))
    return true;
  keep_value(why, s, n);
  return false;
}

static bool parse_text(const prog_field *f, const char *s, size_t n, vm_val *v, rec_reject *why)
{
  dec_status st = DEC_OK;
  memset(v, 0, sizeof *v);
  switch (f->type.base) {
  case TY_TEXT:
    if (n > REC_MAX_TEXT_BYTES)
      return reject_field(why, f, DIAG_E_TEXT_TOO_LONG, f->name, REC_MAX_TEXT_BYTES);
    if (!utf8_valid(s, n))
      return reject_field(why, f, DIAG_E_NOT_UTF8, f->name);
    v->u.s.p = s;
    v->u.s.len = (uint32_t)n;
    return true;
  case TY_INT:
    st = dec_int_parse(s, n, &v->u.i);
    if (st == DEC_SYNTAX)
      return reject_field(why, f, DIAG_E_NOT_INT, f->name);
    break;
  case TY_MONEY:
    st = dec_money_parse(s, n, &v->u.i);
    if (st == DEC_SYNTAX)
      return reject_field(why, f, DIAG_E_NOT_MONEY, f->name);
    if (st == DEC_TOO_PRECISE)
      return reject_field(why, f, DIAG_E_TOO_PRECISE, f->name);
    break;
  case TY_NUMBER:
  case TY_PERCENT:
    st = dec_num_parse(s, n, &v->u.n);
    if (st == DEC_SYNTAX)
      return reject_field(why, f, DIAG_E_NOT_NUMBER, f->name);
    break;
  case TY_BOOL:
    if (!parse_bool(s, n, &v->u.i))
      return reject_field(why, f, DIAG_E_NOT_BOOL, f->name);
    return true;
  case TY_DATE: {
    int32_t d;
    if (!date_parse(s, n, &d))
      return reject_field(why, f, DIAG_E_NOT_DATE, f->name);
    v->u.i = d;
    return true;
  }
  default: return reject_field(why, f, DIAG_E_LIST_IN_CSV, f->name);
  }
  if (st == DEC_OVERFLOW)
    return reject_field(why, f, DIAG_E_VALUE_RANGE, f->name);
  return true;
}

static int compare(const prog_field *f, const vm_val *a, const vm_val *b)
{
  if (f->type.base == TY_NUMBER || f->type.base == TY_PERCENT)
    return dec_num_cmp(a->u.n, b->u.n);
  return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
}

static void format_bound(const prog_field *f, const vm_val *v, char *buf)
{
  switch (f->type.base) {
  case TY_MONEY: dec_money_format(v->u.i, buf); break;
  case TY_NUMBER: dec_num_format_exact(v->u.n, 6, buf); break;
  case TY_PERCENT: dec_num_format_percent(v->u.n, 2, DEC_HALF_AWAY, buf); break;
  case TY_DATE: date_format((int32_t)v->u.i, buf); break;
  default: snprintf(buf, DEC_FMT_MAX, "%lld", (long long)v->u.i); break;
  }
}

static bool in_set(const prog_set *s, const vm_val *v)
{
  for (uint32_t i = 0; i < s->n; i++) {
    if (s->kind == TY_TEXT) {
      if (s->lens[i] == v->u.s.len && memcmp(s->items[i], v->u.s.p, v->u.s.len) == 0)
        return true;
    } else if (s->ints[i] == v->u.i) {
      return true;
    }
  }
  return false;
}

static bool check_declared(vm_ctx *ctx, const prog_field *f, const vm_val *v, rec_reject *why);

/* The declaration's checks on a present value (not `check`, which sees all fields); on
 * failure why keeps the value, written as elig writes values. */
static bool check_value(vm_ctx *ctx, const prog_field *f, const vm_val *v, rec_reject *why)
{
  if (check_declared(ctx, f, v, why))
    return true;
  char buf[96];
  const char *text = write_value_text(f->type, v, false, buf, sizeof buf);
  keep_value(why, text, strlen(text));
  return false;
}

static bool check_declared(vm_ctx *ctx, const prog_field *f, const vm_val *v, rec_reject *why)
{
  const elig_program *P = vm_program(ctx);
  char lo[DEC_FMT_MAX], hi[DEC_FMT_MAX];
  bool below = f->has_min && compare(f, v, &f->min) < 0;
  bool above = f->has_max && compare(f, v, &f->max) > 0;
  if (below || above) {
    if (f->has_min)
      format_bound(f, &f->min, lo);
    if (f->has_max)
      format_bound(f, &f->max, hi);
    if (f->has_min && f->has_max)
      return reject_field(why, f, DIAG_E_NOT_BETWEEN, f->name, lo, hi);
    if (f->has_min)
      return reject_field(why, f, DIAG_E_LESS_THAN, f->name, lo);
    return reject_field(why, f, DIAG_E_MORE_THAN, f->name, hi);
  }
  if (f->one_of && !in_set(&P->sets[f->one_of - 1], v))
    return reject_field(why, f, DIAG_E_NOT_ONE_OF, f->name);
  if (f->regex) {
    regex_result r = vm_regex_match(ctx, f->regex - 1, v->u.s.p, v->u.s.len);
    if (r == REGEX_LIMIT)
      return reject_field(why, f, DIAG_E_PATTERN_LIMIT, f->name);
    if (r != REGEX_MATCH)
      return reject_field(why, f, DIAG_E_NO_MATCH, f->name);
  }
  return true;
}

/* Whether an absent required field i of rec is an unknown value rather than a reason to
 * reject: under three-valued evaluation, a field that is not a list, of the main record but
 * not one of its keys (a record nobody can name is nobody's result), or of an element of a
 * list of the main record (`top`: a result names it as members[2].age; deeper lists are not
 * named, so their elements' fields stay required). */
static bool may_be_unknown(const vm_ctx *ctx, const prog_record *rec, bool top, uint32_t i)
{
  const elig_program *P = vm_program(ctx);
  if (!vm_undetermined(ctx) || !top || rec->fields[i].type.base == TY_LIST)
    return false;
  if (rec != prog_main_record(P))
    return true;
  for (uint32_t k = 0; k < P->nkeys; k++)
    if (P->key_fields[k] == i)
      return false;
  return true;
}

/* Marks absent field i of rec unknown: a main record's in its register, an element's in
 * the element's slots (vm_take_slots carries it into the list). */
static void mark_unknown(vm_ctx *ctx, const prog_record *rec, uint32_t i)
{
  const elig_program *P = vm_program(ctx);
  if (rec == prog_main_record(P))
    vm_mark_unknown(ctx, i);
  else
    vm_mark_slot_unknown(ctx, (uint32_t)(rec - P->records), i);
}

/* After every field of a record has its value or is absent: defaults, required, checks.
 * Problems are reported in declaration order; `bad` is a field whose value could not be
 * read (its message is already in `why`), UINT32_MAX when none.  `top`: rec is the main
 * record or an element of one of its lists (may_be_unknown). */
static bool finish(vm_ctx *ctx, const prog_record *rec, bool top, vm_val *regs, rec_reject *why,
                   uint32_t bad)
{
  for (uint32_t i = 0; i < rec->nfields; i++) {
    const prog_field *f = &rec->fields[i];
    vm_val *v = &regs[i];
    if (i == bad)
      return false;
    if (v->none) {
      if (f->required && may_be_unknown(ctx, rec, top, i)) {
        mark_unknown(ctx, rec, i);
        continue;
      }
      if (f->required)
        return reject_field(why, f, DIAG_E_REQUIRED, f->name);
      if (f->has_default) {
        *v = f->def;
        if (rec == prog_main_record(vm_program(ctx)))
          vm_mark_defaulted(ctx, i);
      }
      continue;
    }
    if (f->type.base != TY_LIST && !check_value(ctx, f, v, why))
      return false;
  }
  for (uint32_t i = 0; i < rec->nfields; i++) {
    const prog_field *f = &rec->fields[i];
    if (!f->check_cell || regs[i].none || vm_unknown_of(ctx, &regs[i]))
      continue;
    uint32_t cell = f->check_cell - 1;
    vm_forget(ctx, cell);
    vm_status st = vm_ensure(ctx, cell);
    if (st == VM_ERR_NO_MEMORY)
      return reject(why, DIAG_E_NO_MEMORY); /* no verdict on the record */
    if (st != VM_OK)
      return reject_field(why, f, DIAG_E_CHECK_ERROR, f->name, vm_status_str(st));
    /* a check that reads unknown fields and could go either way rejects nothing */
    if (!vm_cell_value(ctx, cell)->u.i && !vm_unknown_of(ctx, vm_cell_value(ctx, cell))) {
      reject_field(why, f, DIAG_E_CHECK_FAILED, f->name,
                   /* TRANSLATORS: why a record is rejected when a field's check, which the
                    * rules give no message of their own, does not hold. */
                   f->check_msg ? f->check_msg : _("check failed"));
      char buf[96];
      const char *text = write_value_text(f->type, &regs[i], false, buf, sizeof buf);
      keep_value(why, text, strlen(text));
      return false;
    }
  }
  return true;
}

static void clear(vm_val *regs, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    memset(&regs[i], 0, sizeof regs[i]);
    regs[i].none = true;
  }
}

/* ---------------------------------------------------------------- CSV */

void rec_csv_error(const rec_header *h, const elig_program *P, const csv_record *r, rec_reject *why)
{
  size_t col = r->error_cell; /* from 1; 0 when the error is about no cell */
  bool field = h && h->field_of && col >= 1 && col <= h->ncols && h->field_of[col - 1] >= 0;
  if (r->error == CSV_EFIELD_TOO_LONG && field) {
    const prog_field *f = &prog_main_record(P)->fields[h->field_of[col - 1]];
    reject_field(why, f, DIAG_E_TEXT_TOO_LONG, f->name, CSV_DEFAULT_MAX_FIELD_BYTES);
  } else if (col >= 1 && r->error != CSV_ETOO_MANY_CELLS && r->error != CSV_ENOMEM) {
    reject(why, DIAG_E_MALFORMED_CSV_AT, r->message, col);
  } else {
    reject(why, DIAG_E_MALFORMED_CSV, r->message);
  }
}

void rec_csv_key_part(const rec_header *h, const elig_program *P, const csv_record *r, uint32_t k,
                      const char **text, size_t *len)
{
  *text = "";
  *len = 0;
  (void)P; /* the header mapped P's keys to their columns */
  if (!h->col_of_key || r->ncells != h->ncols || h->col_of_key[k] < 0)
    return;
  *text = r->cells[h->col_of_key[k]].ptr;
  *len = r->cells[h->col_of_key[k]].len;
}

size_t rec_csv_key(const rec_header *h, const elig_program *P, const csv_record *r, char *buf,
                   size_t size)
{
  size_t n = 0;
  for (uint32_t k = 0; k < P->nkeys; k++) {
    const char *text;
    size_t len;
    if (k && n + 1 < size)
      buf[n++] = '/';
    rec_csv_key_part(h, P, r, k, &text, &len);
    if (n + len + 1 < size) {
      memcpy(buf + n, text, len);
      n += len;
    }
  }
  return P->nkeys && n == P->nkeys - 1 ? 0 : n; /* no part at all ("/"): no key */
}

/* The header cannot be used: the message for the file's log line (code `id`, E08xx), kept
 * as the reason of every record unless a shorter one was set. */
static bool refuse(rec_header *h, char *error, size_t error_size, diag_id id, ...)
{
  va_list ap;
  va_start(ap, id);
  diag_vformat(id, error, error_size, ap);
  va_end(ap);
  h->error_code = id;
  return false;
}

/* The first line is itself a record: the file has no usable header line at all. */
static void refuse_records(rec_header *h, diag_id id)
{
  h->refused_code = id;
  diag_format(id, h->refused, sizeof h->refused);
  h->first_line_is_record = true;
}

static bool header_out_of_memory(rec_header *h, char *error, size_t error_size)
{
  h->no_memory = true;
  snprintf(error, error_size, "%s", _("out of memory"));
  return false;
}

bool rec_header_init(rec_header *h, const elig_program *P, const csv_record *header, char *error,
                     size_t error_size, char *unknown, size_t unknown_size)
{
  const prog_record *rec = prog_main_record(P);
  size_t ulen = 0;
  h->refused[0] = '\0';
  h->first_line_is_record = false;
  h->no_memory = false;
  h->ncols = (uint32_t)header->ncells;
  h->field_of = mem_alloc((header->ncells + 1) * sizeof *h->field_of);
  unknown[0] = '\0';
  if (!h->field_of)
    return header_out_of_memory(h, error, error_size);
  for (size_t c = 0; c < header->ncells; c++)
    h->field_of[c] = -1; /* a refused header is still read (for keys and messages) */
  bool *seen = mem_calloc(rec->nfields + 1, sizeof *seen);
  if (!seen)
    return header_out_of_memory(h, error, error_size);
  bool ok = true;
  size_t matched = 0;
  /* A CR in a header cell ends no line: the file's lines end in CR alone (classic Mac
   * OS), so the whole file reads as one header line and its cells are records' values,
   * which must not be listed as unknown columns. */
  for (size_t c = 0; c < header->ncells && ok; c++)
    if (memchr(header->cells[c].ptr, '\r', header->cells[c].len)) {
      ok = refuse(h, error, error_size, DIAG_E_CR_LINE_ENDS);
      refuse_records(h, DIAG_E_CR_LINE_ENDS_SHORT);
    }
  /* Every column is mapped even after an error, the first of which is kept: the records of
   * a refused header are still reported under their keys. */
  for (size_t c = 0; c < header->ncells && !h->first_line_is_record; c++) {
    const csv_cell *cell = &header->cells[c];
    for (uint32_t i = 0; i < rec->nfields; i++) {
      const char *name = rec->fields[i].name;
      if (strlen(name) == cell->len && memcmp(name, cell->ptr, cell->len) == 0) {
        if (seen[i] && ok)
          ok = refuse(h, error, error_size, DIAG_E_COLUMN_TWICE, name);
        seen[i] = true;
        h->field_of[c] = (int32_t)i;
        matched++;
        if (rec->fields[i].type.base == TY_LIST && ok)
          ok = refuse(h, error, error_size, DIAG_E_LIST_COLUMN, name);
      }
    }
    if (h->field_of[c] < 0) {
      char name[80];
      size_t len = utf8_printable_copy(name, sizeof name, cell->ptr, cell->len);
      if (ulen + len + 8 < unknown_size)
        ulen +=
            (size_t)snprintf(unknown + ulen, unknown_size - ulen, "%s'%s'", ulen ? ", " : "", name);
    }
  }
  /* No column named after a field: the first line is data, not a header. Reading on would
   * take a record for the header and read every other as all-absent, and listing the
   * "unknown columns" would print a record's values (identity numbers) in the log. */
  if (ok && matched == 0 && rec->nfields > 0) {
    ok = refuse(h, error, error_size, DIAG_E_NO_HEADER, rec->name, rec->fields[0].name);
    refuse_records(h, DIAG_E_NO_HEADER_SHORT);
    unknown[0] = '\0';
  }
  for (uint32_t i = 0; i < rec->nfields && ok; i++)
    if (!seen[i] && rec->fields[i].required)
      ok = refuse(h, error, error_size, DIAG_E_MISSING_COLUMN, rec->fields[i].name);
  /* a column that is no field, twice, is ambiguous too: which one did the export mean? */
  for (size_t c = 0; c < header->ncells && ok; c++)
    for (size_t d = 0; d < c && ok && h->field_of[c] < 0; d++) {
      const csv_cell *x = &header->cells[c], *y = &header->cells[d];
      if (h->field_of[d] < 0 && x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0) {
        char name[80];
        utf8_printable_copy(name, sizeof name, x->ptr, x->len);
        ok = refuse(h, error, error_size, DIAG_E_COLUMN_TWICE, name);
      }
    }
  mem_free(seen);
  if (!(h->col_of_key = mem_alloc((P->nkeys + 1) * sizeof *h->col_of_key)))
    return header_out_of_memory(h, error, error_size);
  for (uint32_t k = 0; k < P->nkeys; k++) {
    h->col_of_key[k] = -1;
    for (uint32_t c = 0; c < h->ncols; c++)
      if (h->field_of[c] == (int32_t)P->key_fields[k])
        h->col_of_key[k] = (int32_t)c;
  }
  if (!ok && !h->refused[0]) {
    snprintf(h->refused, sizeof h->refused, "%s", error);
    h->refused_code = h->error_code;
  }
  return ok;
}

void rec_header_fini(rec_header *h)
{
  mem_free(h->field_of);
  mem_free(h->col_of_key);
  h->field_of = NULL;
  h->col_of_key = NULL;
}

bool rec_from_csv(const rec_header *h, vm_ctx *ctx, const csv_record *r, rec_reject *why)
{
  const elig_program *P = vm_program(ctx);
  const prog_record *rec = prog_main_record(P);
  vm_val *R = vm_record_slots(ctx, P->main_record);
  vm_begin_record(ctx);
  clear(R, rec->nfields);
  if (r->ncells != h->ncols)
    return reject(why, DIAG_E_CELL_COUNT, r->ncells, r->ncells == 1 ? "" : "s", h->ncols,
                  h->ncols == 1 ? "" : "s");
  uint32_t bad = UINT32_MAX;
  for (uint32_t c = 0; c < h->ncols; c++) {
    int32_t f = h->field_of[c];
    const csv_cell *cell = &r->cells[c];
    if (f < 0 || cell->len == 0 || (uint32_t)f > bad)
      continue; /* an empty cell is an absent value */
    rec_reject tmp;
    if (!parse_value(&rec->fields[f], cell->ptr, cell->len, &R[f], &tmp)) {
      /* keep the first field in declaration order, whatever the column order */
      bad = (uint32_t)f;
      *why = tmp;
      R[f].none = true;
    }
  }
  return finish(ctx, rec, true, R, why, bad);
}

/* ---------------------------------------------------------------- field by field */

/* A text holding NUL (JSON's \u0000, or bytes given to the API) rejects its record: it would
 * cut the text short in every program that reads the results.  CSV refuses NUL already. */
static bool no_nul(const prog_field *f, const char *s, size_t n, rec_reject *why)
{
  if (!memchr(s, 0, n))
    return true;
  reject_field(why, f, DIAG_E_HAS_NUL, f->name);
  keep_value(why, s, n);
  return false;
}

bool rec_parse_field(const elig_program *P, uint32_t field, const char *s, size_t n, vm_val *v,
                     rec_reject *why)
{
  const prog_field *f = &P->records[P->main_record].fields[field];
  return no_nul(f, s, n, why) && parse_value(f, s, n, v, why);
}

bool rec_check(vm_ctx *ctx, rec_reject *why)
{
  const elig_program *P = vm_program(ctx);
  return finish(ctx, prog_main_record(P), true, vm_record_slots(ctx, P->main_record), why,
                UINT32_MAX);
}

/* ---------------------------------------------------------------- JSON */

static bool json_record(vm_ctx *ctx, jdoc *doc, rec_reject *why, rec_unknown *unknown_keys);

/* What a JSON value is, as a rejection says it: null, true and false as JSON writes them
 * (values, never translated: they are also kept as the value at fault), the others in
 * words of the reader's language. */
static const char *json_kind_name(jdoc_kind k)
{
  static const char *const names[] = {
      "null", "true", "false",
      /* TRANSLATORS: what a JSON value is, in "field 'x': expected a number, found a
       * string" and "a record must be a JSON object, found an array". */
      N_("a number"), N_("a string"), N_("an array"), N_("an object")};
  return k == JDOC_NULL || k == JDOC_TRUE || k == JDOC_FALSE ? names[k] : _(names[k]);
}

static bool json_value(vm_ctx *ctx, jdoc *doc, const prog_field *f, const jdoc_node *n, vm_val *v,
                       rec_reject *why, rec_unknown *unknown);

/* The field of rec named key, or rec->nfields when none is.  The records of one file come
 * with their keys in one order, mostly the schema's: the field after the last one found
 * (*next) is tried first, so a known key usually costs one comparison. */
static uint32_t field_named(const prog_record *rec, const char *key, size_t len, uint32_t *next)
{
  uint32_t n = rec->nfields;
  for (uint32_t k = 0, i = *next; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
    const prog_field *f = &rec->fields[i];
    if (f->name_len == len && memcmp(f->name, key, len) == 0) {
      *next = i + 1 == n ? 0 : i + 1;
      return i;
    }
  }
  return n;
}

/* A key given twice makes a record ambiguous: it is refused as malformed JSON.  The parse
 * leaves that check to this file (caller_checks_keys), which does it for the price of a bit
 * per known field, and in full (jdoc_check_keys) only for an object that has a key that is
 * no field, or a field given twice, or more fields than the bits. */
enum {
  FIELD_BITS = 512
};

static bool keys_once(jdoc *doc, const jdoc_node *obj, rec_reject *why)
{
  jdoc_error err;
  jdoc_errcode st = jdoc_check_keys(doc, (uint32_t)(obj - doc->nodes), &err);
  if (st == JDOC_OK)
    return true;
  if (st == JDOC_ENOMEM)
    return reject(why, DIAG_E_NO_MEMORY); /* no verdict on the record: the caller gives up */
  reject(why, DIAG_E_MALFORMED_JSON, err.column, err.message);
  why->json_column = err.column;
  snprintf(why->json_reason, sizeof why->json_reason, "%s", err.message);
  return false;
}

static bool json_object(vm_ctx *ctx, jdoc *doc, const prog_record *rec, const jdoc_node *obj,
                        vm_val *regs, rec_reject *why, rec_unknown *unknown)
{
  clear(regs, rec->nfields);
  uint32_t next = 0;
  uint64_t given[FIELD_BITS / 64] = {0};
  bool check_all = rec->nfields > FIELD_BITS;
  for (uint32_t m = obj->first_child; m != JDOC_NONE; m = doc->nodes[m].next_sibling) {
    const jdoc_node *n = &doc->nodes[m];
    uint32_t i = field_named(rec, n->key, n->key_len, &next);
    if (i == rec->nfields) {
      if (unknown->keys++ == 0 || !unknown->first[0]) {
        utf8_printable_copy(unknown->first, sizeof unknown->first, n->key, n->key_len);
        unknown->first_record = (uint32_t)(rec - vm_program(ctx)->records);
      }
      check_all = true;
      continue;
    }
    if (i < FIELD_BITS) {
      uint64_t bit = (uint64_t)1 << (i % 64);
      if (given[i / 64] & bit)
        return keys_once(doc, obj, why);
      given[i / 64] |= bit;
    }
    if (n->kind == JDOC_NULL)
      continue;
    if (!json_value(ctx, doc, &rec->fields[i], n, &regs[i], why, unknown))
      return false;
  }
  return !check_all || keys_once(doc, obj, why);
}

static bool json_list(vm_ctx *ctx, jdoc *doc, const prog_field *f, const jdoc_node *arr, vm_val *v,
                      rec_reject *why, rec_unknown *unknown)
{
  const prog_record *main = prog_main_record(vm_program(ctx));
  const prog_record *elem = &vm_program(ctx)->records[f->type.record];
  vm_val *slots = vm_record_slots(ctx, f->type.record);
  bool top = f >= main->fields && f < main->fields + main->nfields; /* a list of the main record */
  uint32_t stride = elem->nfields ? elem->nfields : 1;
  if ((uint64_t)arr->count * stride > UINT32_MAX / 2)
    return reject_field(why, f, DIAG_E_TOO_MANY_ELEMENTS, f->name);
  uint32_t base = 0, k = 0;
  vm_val *first = vm_elems_reserve(ctx, arr->count * stride, &base);
  if (!first && arr->count)
    return reject(why, DIAG_E_NO_MEMORY);
  /* An element is typed into values of its own, not into the elements: a list inside it
   * reserves elements too, which may move them. */
  vm_val *regs = arr->count ? mem_alloc(stride * sizeof *regs) : NULL;
  if (!regs && arr->count)
    return reject(why, DIAG_E_NO_MEMORY);
  for (uint32_t e = arr->first_child; e != JDOC_NONE; e = doc->nodes[e].next_sibling, k++) {
    const jdoc_node *n = &doc->nodes[e];
    memset(regs, 0, stride * sizeof *regs);
    if (n->kind != JDOC_OBJECT) {
      mem_free(regs);
      return reject_field(why, f, DIAG_E_ELEMENT_NOT_OBJECT, f->name, k + 1,
                          json_kind_name(n->kind));
    }
    /* Element checks run on a copy in the element's own registers.  The message counts
     * elements from 1, for people; the field path from 0, as JSON tools index arrays. */
    bool ok = json_object(ctx, doc, elem, n, regs, why, unknown);
    if (ok)
      memcpy(slots, regs, elem->nfields * sizeof *regs);
    if (!ok || !finish(ctx, elem, top, slots, why, UINT32_MAX)) {
      mem_free(regs);
      rec_reject inner = *why;
      /* the element's own reason, under its code, said of the element */
      size_t inner_len = strlen(inner.message), field_len = strlen(inner.field);
      /* TRANSLATORS: a rejection of a list's element: the list (members), the element's
       * place counted from 1, and the element's own reason */
      snprintf(why->message, sizeof why->message, _("%s element %u: %.*s"), f->name, k + 1,
               (int)utf8_cut(inner.message, inner_len, 400), inner.message);
      why->code = inner.code;
      memcpy(why->value, inner.value, sizeof why->value);
      if (inner.field[0])
        snprintf(why->field, sizeof why->field, "%s[%u].%.*s", f->name, k,
                 (int)utf8_cut(inner.field, field_len, 60), inner.field);
      else
        snprintf(why->field, sizeof why->field, "%s[%u]", f->name, k);
      return false;
    }
    if (!vm_take_slots(ctx, f->type.record, base + k * stride)) {
      mem_free(regs);
      return reject(why, DIAG_E_NO_MEMORY);
    }
  }
  mem_free(regs);
  memset(v, 0, sizeof *v);
  v->u.l.first = base;
  v->u.l.count = arr->count;
  v->u.l.stride = stride;
  return true;
}

static bool json_typed(vm_ctx *ctx, jdoc *doc, const prog_field *f, const jdoc_node *n, vm_val *v,
                       rec_reject *why, rec_unknown *unknown);

/* Types JSON node n into field f's value; a value of the wrong JSON kind keeps its text (or
 * "true", "false", "null") for --show-values. */
static bool json_value(vm_ctx *ctx, jdoc *doc, const prog_field *f, const jdoc_node *n, vm_val *v,
                       rec_reject *why, rec_unknown *unknown)
{
  if (json_typed(ctx, doc, f, n, v, why, unknown))
    return true;
  if (!why->value[0] && (n->kind == JDOC_STRING || n->kind == JDOC_NUMBER))
    keep_value(why, n->str, n->len);
  else if (!why->value[0] && n->kind != JDOC_ARRAY && n->kind != JDOC_OBJECT)
    keep_value(why, json_kind_name(n->kind), strlen(json_kind_name(n->kind)));
  return false;
}

static bool json_typed(vm_ctx *ctx, jdoc *doc, const prog_field *f, const jdoc_node *n, vm_val *v,
                       rec_reject *why, rec_unknown *unknown)
{
  switch (f->type.base) {
  case TY_LIST:
    if (n->kind != JDOC_ARRAY)
      return reject_field(why, f, DIAG_E_JSON_TYPE, f->name, json_kind_name(JDOC_ARRAY),
                          json_kind_name(n->kind));
    return json_list(ctx, doc, f, n, v, why, unknown);
  case TY_BOOL: {
    /* The number 1 or 0, written just so, as in CSV: registers exported from databases
     * write booleans as numbers, and the national standard allows 1/0 whatever the format.
     * Any other number (2, 1.0, 1e0) is no boolean. */
    bool one = n->kind == JDOC_NUMBER && n->len == 1 && n->str[0] == '1';
    bool zero = n->kind == JDOC_NUMBER && n->len == 1 && n->str[0] == '0';
    if (n->kind != JDOC_TRUE && n->kind != JDOC_FALSE && !one && !zero)
      return reject_field(why, f, DIAG_E_JSON_TYPE, f->name,
                          /* TRANSLATORS: what a yes/no field takes in JSON, in "field 'x':
                           * expected %s, found a string": true, false, 1 and 0 are values as
                           * written, keep them. */
                          _("true, false, 1 or 0"), json_kind_name(n->kind));
    memset(v, 0, sizeof *v);
    v->u.i = n->kind == JDOC_TRUE || one;
    return true;
  }
  case TY_INT:
  case TY_MONEY:
  case TY_NUMBER:
  case TY_PERCENT:
    /* Money may come as a number or as a decimal string; both are read exactly. */
    if (n->kind != JDOC_NUMBER && !(n->kind == JDOC_STRING && f->type.base != TY_INT))
      return reject_field(why, f, DIAG_E_JSON_TYPE, f->name, json_kind_name(JDOC_NUMBER),
                          json_kind_name(n->kind));
    return parse_value(f, n->str, n->len, v, why);
  default:
    if (n->kind != JDOC_STRING)
      return reject_field(why, f, DIAG_E_JSON_TYPE, f->name, json_kind_name(JDOC_STRING),
                          json_kind_name(n->kind));
    if (n->has_nul)
      return no_nul(f, n->str, n->len, why);
    return parse_value(f, n->str, n->len, v, why);
  }
}

bool rec_from_json(vm_ctx *ctx, jdoc *doc, rec_reject *why, rec_unknown *unknown_keys)
{
  uint64_t before = unknown_keys->keys;
  bool ok = json_record(ctx, doc, why, unknown_keys);
  if (unknown_keys->keys != before)
    unknown_keys->records++;
  return ok;
}

static bool json_record(vm_ctx *ctx, jdoc *doc, rec_reject *why, rec_unknown *unknown_keys)
{
  const elig_program *P = vm_program(ctx);
  const prog_record *rec = prog_main_record(P);
  vm_val *R = vm_record_slots(ctx, P->main_record);
  vm_begin_record(ctx);
  if (doc->nodes[0].kind != JDOC_OBJECT) {
    clear(R, rec->nfields);
    return reject(why, DIAG_E_NOT_OBJECT, json_kind_name(doc->nodes[0].kind));
  }
  if (!json_object(ctx, doc, rec, &doc->nodes[0], R, why, unknown_keys))
    return false;
  return finish(ctx, rec, true, R, why, UINT32_MAX);
}
