/*
 * vm.c -- the evaluator's dispatch loop and the built-in functions.
 *
 * Pipeline: compile.c emits the code, vm.c runs it.  The checker has typed every
 * instruction's operands, so the loop never looks at a value's type: each instruction knows
 * what its registers hold.  Failures (overflow, division by zero, a regex limit) stop the
 * record with the instruction's address; the caller turns that into a rejection with the
 * rule's source location.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "builtins.h"
#include "checkchar.h"
#include "date.h"
#include "i18n.h"
#include "textfn.h"
#include "vm.h"

/* The registers hold, in order: the main record's fields, the element records' fields
 * (while their checks run), as_of, then constants, cells, temporaries and group values
 * (compile.c numbers them).  Only this file indexes them. */
#define VM3_MAX_VALUES 8 /* possible values an unknown cell keeps (vm_possible) */

struct vm_ctx {
  vm_state s;      /* first: vm.h's inline accessors read it through the pointer */
  uint32_t *done;  /* per cell: the record number it was computed for */
  uint32_t serial; /* the current record's number; never 0 */
  uint32_t *stack; /* return addresses */
  regex_matcher *matcher;
  char *scratch; /* text produced by upper/lower, reset per record */
  size_t scratch_len, scratch_cap;
  char **scratch_old; /* blocks filled earlier in the record: their texts are still in use */
  uint32_t nscratch_old, scratch_old_cap;
  vm_val *elems; /* element records of lists, for the current record */
  uint32_t nelems, elems_cap;
  /* Three values in list elements: per element value, the bit of its absent field (0: known),
   * allocated at the first absent one and kept as long as elems; and the record's mask of
   * them, 0 when every element value is known (then elem_taint is not read). */
  uint64_t *elem_taint;
  uint64_t elem_unknown;
  uint32_t *elem_bit;     /* per record: the unknown-mask bit of its field 0 (vm_elem_bit) */
  vm_status err;          /* the last failure */
  uint32_t err_pc;        /* where it happened */
  vm_val *prev;           /* what the household's previous record kept, per memory slot */
  bool has_prev;          /* false: the record has no previous record (previous() is none) */
  bool undetermined;      /* vm_set_undetermined */
  bool *prev_unknown;     /* per memory slot: the previous record left it undetermined */
  bool *stable;           /* per register: a field's or a cell's, never rewritten in a record */
  uint64_t defaulted;     /* fields of the record that took their default (vm_field_bit) */
  uint64_t defaults_used; /* those the results depend on, as step.c found */
  bool image_defaults;    /* images carry `defaulted` (vm_image_defaults) */
  vm_val *possible;       /* per cell, VM3_MAX_VALUES: the values an unknown cell may have */
  uint8_t *npossible;     /* per cell: how many (0: any value) */
  int64_t *lo, *hi;       /* per register: the bounds of an unknown int, money or date value */
  bool *bounded;          /* per register: lo and hi hold for its unknown value */
  /* The main record's fields by the slot a flat image gives them (put_flat): those of 8 bytes,
   * then numbers, texts and lists, so many of each. */
  uint32_t *flat_fields;
  uint32_t nflat[4];
  size_t image_slots; /* bytes of a flat image's slots, one per field (vm_image) */
};

static bool init_flat_image(vm_ctx *ctx);

vm_ctx *vm_ctx_new(const elig_program *P)
{
  vm_ctx *ctx = mem_calloc(1, sizeof *ctx);
  if (!ctx)
    return NULL;
  ctx->s.P = P;
  ctx->s.R = mem_calloc(P->nregs + 1, sizeof *ctx->s.R);
  ctx->done = mem_calloc(P->ncells + 1, sizeof *ctx->done);
  ctx->s.rule = mem_calloc(P->ncells + 1, sizeof *ctx->s.rule);
  ctx->stack = mem_calloc(P->max_depth + 1, sizeof *ctx->stack);
  ctx->matcher = regex_matcher_new(0, 0);
  ctx->prev = mem_calloc(P->nmemory + 1, sizeof *ctx->prev);
  ctx->prev_unknown = mem_calloc(P->nmemory + 1, sizeof *ctx->prev_unknown);
  ctx->s.taint = mem_calloc(P->nregs + 1, sizeof *ctx->s.taint);
  ctx->stable = mem_calloc(P->nregs + 1, sizeof *ctx->stable);
  ctx->possible = mem_calloc((size_t)(P->ncells + 1) * VM3_MAX_VALUES, sizeof *ctx->possible);
  ctx->npossible = mem_calloc(P->ncells + 1, sizeof *ctx->npossible);
  ctx->lo = mem_calloc(P->nregs + 1, sizeof *ctx->lo);
  ctx->hi = mem_calloc(P->nregs + 1, sizeof *ctx->hi);
  ctx->bounded = mem_calloc(P->nregs + 1, sizeof *ctx->bounded);
  ctx->elem_bit = mem_calloc(P->nrecords + 1, sizeof *ctx->elem_bit);
  if (!ctx->elem_bit || !ctx->lo || !ctx->hi || !ctx->bounded || !ctx->possible ||
      !ctx->npossible || !ctx->s.R || !ctx->done || !ctx->s.rule || !ctx->stack || !ctx->matcher ||
      !ctx->prev || !ctx->prev_unknown || !ctx->s.taint || !ctx->stable) {
    vm_ctx_free(ctx);
    return NULL;
  }
  for (uint32_t i = 0; i < P->records[P->main_record].nfields; i++)
    ctx->stable[i] = true;
  for (uint32_t i = 0; i < P->ncells; i++)
    ctx->stable[P->cells[i].reg] = true;
  for (uint32_t i = 0; i < P->nconsts; i++)
    ctx->s.R[P->const_regs[i]] = P->consts[i];
  if (!init_flat_image(ctx)) {
    vm_ctx_free(ctx);
    return NULL;
  }
  /* element fields take the bits after the main record's fields, record after record */
  uint32_t next = P->records[P->main_record].nfields;
  for (uint32_t r = 0; r < P->nrecords; r++) {
    if (r == P->main_record)
      continue;
    ctx->elem_bit[r] = next;
    next += P->records[r].nfields;
  }
  return ctx;
}

void vm_ctx_free(vm_ctx *ctx)
{
  if (!ctx)
    return;
  mem_free(ctx->s.R);
  mem_free(ctx->done);
  mem_free(ctx->s.rule);
  mem_free(ctx->stack);
  regex_matcher_free(ctx->matcher);
  mem_free(ctx->scratch);
  for (uint32_t i = 0; i < ctx->nscratch_old; i++)
    mem_free(ctx->scratch_old[i]);
  mem_free(ctx->scratch_old);
  mem_free(ctx->elems);
  mem_free(ctx->elem_taint);
  mem_free(ctx->elem_bit);
  mem_free(ctx->prev);
  mem_free(ctx->prev_unknown);
  mem_free(ctx->s.taint);
  mem_free(ctx->stable);
  mem_free(ctx->possible);
  mem_free(ctx->npossible);
  mem_free(ctx->lo);
  mem_free(ctx->hi);
  mem_free(ctx->bounded);
  mem_free(ctx->flat_fields);
  mem_free(ctx);
}

void vm_begin_record(vm_ctx *ctx)
{
  if (++ctx->serial == 0) {
    /* after 2^32 records the serial wraps: clear so no stale cell looks done */
    memset(ctx->done, 0, (ctx->s.P->ncells + 1) * sizeof *ctx->done);
    ctx->serial = 1;
  }
  ctx->scratch_len = 0;
  for (uint32_t i = 0; i < ctx->nscratch_old; i++)
    mem_free(ctx->scratch_old[i]);
  ctx->nscratch_old = 0;
  ctx->nelems = 0;
  ctx->has_prev = false;
  ctx->s.unknown = 0;
  ctx->elem_unknown = 0;
  ctx->defaulted = 0;
  ctx->defaults_used = 0;
}

void vm_mark_defaulted(vm_ctx *ctx, uint32_t field)
{
  ctx->defaulted |= vm_field_bit(field);
}

uint64_t vm_defaulted(const vm_ctx *ctx)
{
  return ctx->defaulted;
}

uint64_t vm_find_defaults_used(vm_ctx *ctx, uint64_t *cols, uint64_t *flags)
{
  const elig_program *P = ctx->s.P;
  uint64_t defaulted = vm_defaulted(ctx), used = 0;
  const prog_record *rec = prog_main_record(P);
  if (!defaulted)
    return 0;
  vm_val saved[64];
  uint32_t fields[64], n = 0;
  for (uint32_t i = 0; i < rec->nfields && n < 64; i++)
    if ((defaulted & vm_field_bit(i)) && !vm_unknown_of(ctx, vm_field_value(ctx, i))) {
      fields[n] = i;
      saved[n++] = *vm_field_value(ctx, i);
      vm_mark_unknown(ctx, i);
    }
  vm_cells_stale(ctx);
  vm_eval_record(ctx); /* a rule failing here fails the evaluation that follows too */
  for (uint32_t i = 0; i < P->ncolumns; i++) {
    uint64_t m = vm_unknown_of(ctx, vm_column_value(ctx, &P->columns[i])) & defaulted;
    used |= m;
    if (cols)
      cols[i] = m;
  }
  for (uint32_t f = 0; f < P->nflags; f++) {
    uint64_t m = vm_flag_unknown(ctx, f) & defaulted;
    used |= m;
    if (flags)
      flags[f] = m;
  }
  for (uint32_t k = 0; k < n; k++)
    vm_set_field(ctx, fields[k], &saved[k]);
  vm_cells_stale(ctx);
  /* vm_set_field forgot that they were defaulted */
  for (uint32_t k = 0; k < n; k++)
    vm_mark_defaulted(ctx, fields[k]);
  return used;
}

void vm_image_defaults(vm_ctx *ctx, bool on)
{
  ctx->image_defaults = on;
}

void vm_set_defaults_used(vm_ctx *ctx, uint64_t mask)
{
  ctx->defaults_used = mask;
}

uint64_t vm_defaults_used(const vm_ctx *ctx)
{
  return ctx->defaults_used;
}

const vm_val *vm_possible(const vm_ctx *ctx, uint32_t cell, uint32_t *n)
{
  bool unknown = vm_unknown_of(ctx, vm_cell_value(ctx, cell)) != 0;
  *n = unknown ? ctx->npossible[cell] : 0;
  return &ctx->possible[(size_t)cell * VM3_MAX_VALUES];
}

void vm_set_undetermined(vm_ctx *ctx, bool on)
{
  ctx->undetermined = on;
}

bool vm_undetermined(const vm_ctx *ctx)
{
  return ctx->undetermined;
}

/* The first unknown of a record: every register known until its evaluation says otherwise
 * (the taints of the record before are stale). */
static void begin_unknown(vm_ctx *ctx)
{
  if (!ctx->s.unknown)
    memset(ctx->s.taint, 0, (ctx->s.P->nregs + 1) * sizeof *ctx->s.taint);
}

void vm_set_field(vm_ctx *ctx, uint32_t field, const vm_val *v)
{
  ctx->s.R[field] = *v;
  if (field < 62)
    ctx->defaulted &= ~vm_field_bit(field); /* given, not defaulted */
  if (!ctx->s.unknown || !ctx->s.taint[field])
    return;
  ctx->s.taint[field] = 0;
  /* what is still unknown: the other fields, list elements, and the year before's values */
  uint64_t left = (ctx->s.unknown & VM_PREVIOUS_BIT) | ctx->elem_unknown;
  for (uint32_t i = 0; i < ctx->s.P->records[ctx->s.P->main_record].nfields; i++)
    left |= ctx->s.taint[i];
  if (!left) {
    ctx->s.unknown = 0;
    return;
  }
  ctx->s.unknown = left;
}

void vm_mark_value_unknown(vm_ctx *ctx, vm_val *v, uint64_t bit)
{
  begin_unknown(ctx);
  ctx->s.unknown |= bit;
  ctx->s.taint[v - ctx->s.R] = bit;
  ctx->bounded[v - ctx->s.R] = false;
  memset(v, 0, sizeof *v);
}

void vm_mark_unknown(vm_ctx *ctx, uint32_t field)
{
  begin_unknown(ctx);
  uint64_t bit = vm_field_bit(field);
  ctx->s.unknown |= bit;
  ctx->s.taint[field] = bit;
  memset(&ctx->s.R[field], 0, sizeof ctx->s.R[field]);
  /* an int or money field declared between two values is unknown within them */
  const prog_field *f = &ctx->s.P->records[ctx->s.P->main_record].fields[field];
  bool ints = f->type.base == TY_INT || f->type.base == TY_MONEY || f->type.base == TY_DATE;
  ctx->bounded[field] = ints && f->has_min && f->has_max;
  if (ctx->bounded[field]) {
    ctx->lo[field] = f->min.u.i;
    ctx->hi[field] = f->max.u.i;
  }
}

void vm_mark_unknown_between(vm_ctx *ctx, uint32_t field, int64_t lo, int64_t hi)
{
  vm_mark_unknown(ctx, field);
  ctx->bounded[field] = true;
  ctx->lo[field] = lo;
  ctx->hi[field] = hi;
}

uint64_t vm_elem_bit(const vm_ctx *ctx, uint32_t record, uint32_t field)
{
  uint32_t bit = ctx->elem_bit[record] + field;
  return (uint64_t)1 << (bit < 62 ? bit : 62);
}

void vm_mark_slot_unknown(vm_ctx *ctx, uint32_t record, uint32_t field)
{
  uint32_t reg = ctx->s.P->records[record].first_reg + field;
  uint64_t bit = vm_elem_bit(ctx, record, field);
  begin_unknown(ctx);
  ctx->s.unknown |= bit;
  ctx->s.taint[reg] = bit;
  ctx->bounded[reg] = false;
  memset(&ctx->s.R[reg], 0, sizeof ctx->s.R[reg]);
}

/* Makes element value `index` unknown, depending on `bit`; false when out of memory. */
static bool mark_elem_unknown(vm_ctx *ctx, uint32_t index, uint64_t bit)
{
  if (!ctx->elem_taint) {
    ctx->elem_taint = mem_calloc(ctx->elems_cap, sizeof *ctx->elem_taint);
    if (!ctx->elem_taint)
      return false;
  }
  begin_unknown(ctx);
  ctx->s.unknown |= bit;
  ctx->elem_unknown |= bit;
  ctx->elem_taint[index] = bit;
  memset(&ctx->elems[index], 0, sizeof ctx->elems[index]);
  return true;
}

bool vm_take_slots(vm_ctx *ctx, uint32_t record, uint32_t index)
{
  const prog_record *rec = &ctx->s.P->records[record];
  uint32_t first = rec->first_reg;
  memcpy(&ctx->elems[index], &ctx->s.R[first], rec->nfields * sizeof *ctx->elems);
  if (!ctx->s.unknown)
    return true;
  for (uint32_t j = 0; j < rec->nfields; j++) {
    uint64_t t = ctx->s.taint[first + j];
    if (!t)
      continue;
    ctx->s.taint[first + j] = 0; /* the next element's start known */
    if (!mark_elem_unknown(ctx, index + j, t))
      return false;
  }
  return true;
}

uint64_t vm_elem_unknown_of(const vm_ctx *ctx, uint32_t index)
{
  return ctx->elem_unknown ? ctx->elem_taint[index] : 0;
}

void vm_cells_stale(vm_ctx *ctx)
{
  if (++ctx->serial == 0) {
    memset(ctx->done, 0, (ctx->s.P->ncells + 1) * sizeof *ctx->done);
    ctx->serial = 1;
  }
}

/* ---------------------------------------------------------------- history */

/* ---------------------------------------------------------------- record images */

enum {
  TAG_NONE,
  TAG_PRESENT,
  TAG_UNKNOWN
};

/* An unknown value (three-valued evaluation): its tag alone.  Apart from put_value, which
 * runs for every field of every record of a history run. */
static void put_unknown(wbuf *out)
{
  char tag = TAG_UNKNOWN;
  wbuf_put(out, &tag, 1);
}

/* One value of base type t: text as a 4-byte length and the bytes, numbers as a dec_num,
 * lists as their element count and stride then each element value, the rest as 8 bytes;
 * a tag byte first (0 none, 1 present, 2 unknown: nothing follows). */
static void put_value(const vm_ctx *ctx, wbuf *out, ty_type t, const vm_val *v)
{
  char tag = v->none ? TAG_NONE : TAG_PRESENT;
  wbuf_put(out, &tag, 1);
  if (v->none)
    return;
  switch (t.base) {
  case TY_TEXT:
    wbuf_put(out, (const char *)&v->u.s.len, sizeof v->u.s.len);
    wbuf_put(out, v->u.s.p, v->u.s.len);
    break;
  case TY_NUMBER:
  case TY_PERCENT: wbuf_put(out, (const char *)&v->u.n, sizeof v->u.n); break;
  case TY_LIST: {
    const prog_record *er = &ctx->s.P->records[t.record];
    wbuf_put(out, (const char *)&v->u.l.count, sizeof v->u.l.count);
    wbuf_put(out, (const char *)&v->u.l.stride, sizeof v->u.l.stride);
    for (uint32_t e = 0; e < v->u.l.count; e++)
      for (uint32_t j = 0; j < v->u.l.stride && j < er->nfields; j++) {
        uint32_t at = v->u.l.first + e * v->u.l.stride + j;
        if (vm_elem_unknown_of(ctx, at))
          put_unknown(out);
        else
          put_value(ctx, out, er->fields[j].type, &ctx->elems[at]);
      }
    break;
  }
  default: wbuf_put(out, (const char *)&v->u.i, sizeof v->u.i); break;
  }
}

/* What a record keeps for the next year's, as bytes: per memory slot a tag (0 none, 1
 * present) and the value (8 bytes for int, money, date and bool; a dec_num for numbers and
 * percentages; a 4-byte length and the bytes for text), in native byte order: the bytes never
 * leave the process that made them. */
vm_status vm_remember(vm_ctx *ctx, wbuf *out)
{
  const elig_program *P = ctx->s.P;
  for (uint32_t i = 0; i < P->nmemory; i++) {
    const prog_memory *m = &P->memory[i];
    if (m->cell != UINT32_MAX) {
      vm_status st = vm_ensure(ctx, m->cell);
      if (st != VM_OK)
        return st;
    }
    const vm_val *v = &ctx->s.R[m->reg];
    if (vm_unknown_of(ctx, v))
      put_unknown(out);
    else
      put_value(ctx, out, m->type, v); /* never a list (the checker) */
  }
  return out->failed ? VM_ERR_NO_MEMORY : VM_OK;
}

/* The head byte of an image. */
enum {
  IMAGE_UNKNOWNS = 1,  /* some field is unknown: a tag per field, put_unknown's for those */
  IMAGE_DEFAULTED = 2, /* the mask of defaulted fields follows the head */
  IMAGE_FLAT = 4       /* the flat layout (put_flat) */
};

/* The slots of a flat image, in this order; a text's bytes come after all the slots. */
enum {
  SLOT_WORD, /* 8 bytes: int, money, date, bool */
  SLOT_NUM,  /* a dec_num: number, percent */
  SLOT_TEXT, /* a text's 4-byte length */
  SLOT_LIST, /* no bytes: lists are always absent in a flat image */
  NSLOTKINDS
};

static int slot_kind(ty_type t)
{
  switch (t.base) {
  case TY_TEXT: return SLOT_TEXT;
  case TY_LIST: return SLOT_LIST;
  case TY_NUMBER:
  case TY_PERCENT: return SLOT_NUM;
  default: return SLOT_WORD;
  }
}

static bool init_flat_image(vm_ctx *ctx)
{
  static const size_t slot_bytes[NSLOTKINDS] = {sizeof(int64_t), sizeof(dec_num), sizeof(uint32_t),
                                                0};
  const prog_record *rec = &ctx->s.P->records[ctx->s.P->main_record];
  ctx->flat_fields = mem_calloc(rec->nfields + 1, sizeof *ctx->flat_fields);
  if (!ctx->flat_fields)
    return false;
  uint32_t n = 0;
  for (int kind = 0; kind < NSLOTKINDS; kind++)
    for (uint32_t i = 0; i < rec->nfields; i++)
      if (slot_kind(rec->fields[i].type) == kind) {
        ctx->flat_fields[n++] = i;
        ctx->nflat[kind]++;
        ctx->image_slots += slot_bytes[kind];
      }
  return true;
}

/* The fields of one kind of slot in flat_fields. */
static const uint32_t *flat_fields_of(const vm_ctx *ctx, int kind, uint32_t *n)
{
  const uint32_t *f = ctx->flat_fields;
  for (int k = 0; k < kind; k++)
    f += ctx->nflat[k];
  *n = ctx->nflat[kind];
  return f;
}

/* Whether the record may take the flat layout: no unknown field, and no list (a CSV record's
 * lists are always absent). */
static bool may_be_flat(const vm_ctx *ctx)
{
  if (ctx->s.unknown)
    return false;
  uint32_t n;
  const uint32_t *lists = flat_fields_of(ctx, SLOT_LIST, &n);
  for (uint32_t k = 0; k < n; k++)
    if (!ctx->s.R[lists[k]].none)
      return false;
  return true;
}

static void set_bit(char *bits, uint32_t i, bool on)
{
  bits[i / 8] = (char)(bits[i / 8] | on << (i % 8));
}

static bool bit(const char *bits, uint32_t i)
{
  return (unsigned char)bits[i / 8] >> (i % 8) & 1;
}

/* The flat layout, for a record with no unknown field and no list (may_be_flat: every record
 * of a CSV register): a bitmap of the absent fields, a slot per field at a place the program
 * fixes (all 8-byte values first, then numbers, then texts' lengths; an absent field's slot
 * is zero), then the bytes of the present texts.  Written with one reservation of room and
 * read with one check of it, a loop per kind of slot with no test of types: put_value and
 * get_value, which tag, check and append value by value, were 15% of a history run. */
static void put_flat(const vm_ctx *ctx, wbuf *out)
{
  const vm_val *R = ctx->s.R;
  size_t nbits = (ctx->s.P->records[ctx->s.P->main_record].nfields + 7) / 8;
  uint32_t nw, nn, nt, nl;
  const uint32_t *words = flat_fields_of(ctx, SLOT_WORD, &nw);
  const uint32_t *nums = flat_fields_of(ctx, SLOT_NUM, &nn);
  const uint32_t *texts = flat_fields_of(ctx, SLOT_TEXT, &nt);
  const uint32_t *lists = flat_fields_of(ctx, SLOT_LIST, &nl);
  size_t text_bytes = 0;
  for (uint32_t k = 0; k < nt; k++)
    text_bytes += R[texts[k]].none ? 0 : R[texts[k]].u.s.len;
  char *at = wbuf_append_space(out, nbits + ctx->image_slots + text_bytes);
  if (!at)
    return;
  memset(at, 0, nbits);
  char *slot = at + nbits, *text = slot + ctx->image_slots;
  for (uint32_t k = 0; k < nw; k++, slot += sizeof(int64_t)) {
    const vm_val *v = &R[words[k]];
    int64_t x = v->none ? 0 : v->u.i;
    set_bit(at, words[k], v->none);
    memcpy(slot, &x, sizeof x);
  }
  for (uint32_t k = 0; k < nn; k++, slot += sizeof(dec_num)) {
    const vm_val *v = &R[nums[k]];
    dec_num x = v->none ? (dec_num){0, 0} : v->u.n;
    set_bit(at, nums[k], v->none);
    memcpy(slot, &x, sizeof x);
  }
  for (uint32_t k = 0; k < nt; k++, slot += sizeof(uint32_t)) {
    const vm_val *v = &R[texts[k]];
    uint32_t len = v->none ? 0 : v->u.s.len;
    set_bit(at, texts[k], v->none);
    memcpy(slot, &len, sizeof len);
    if (len) /* never NULL then */
      memcpy(text, v->u.s.p, len);
    text += len;
  }
  for (uint32_t k = 0; k < nl; k++)
    set_bit(at, lists[k], true);
}

/* Reads put_flat's bytes into the field registers, each as get_value leaves it; false when
 * they are not a flat image of this program's record. */
static bool get_flat(vm_ctx *ctx, const char *p, const char *end)
{
  vm_val *R = ctx->s.R;
  size_t nbits = (ctx->s.P->records[ctx->s.P->main_record].nfields + 7) / 8;
  if ((size_t)(end - p) < nbits + ctx->image_slots)
    return false;
  uint32_t nw, nn, nt, nl;
  const uint32_t *words = flat_fields_of(ctx, SLOT_WORD, &nw);
  const uint32_t *nums = flat_fields_of(ctx, SLOT_NUM, &nn);
  const uint32_t *texts = flat_fields_of(ctx, SLOT_TEXT, &nt);
  const uint32_t *lists = flat_fields_of(ctx, SLOT_LIST, &nl);
  const char *slot = p + nbits, *text = slot + ctx->image_slots;
  /* an absent field's slot is zero: copied, it leaves the value zero as memset would */
  for (uint32_t k = 0; k < nw; k++, slot += sizeof(int64_t)) {
    vm_val *v = &R[words[k]];
    memset(v, 0, sizeof *v);
    v->none = bit(p, words[k]);
    memcpy(&v->u.i, slot, sizeof v->u.i);
  }
  for (uint32_t k = 0; k < nn; k++, slot += sizeof(dec_num)) {
    vm_val *v = &R[nums[k]];
    memset(v, 0, sizeof *v);
    v->none = bit(p, nums[k]);
    memcpy(&v->u.n, slot, sizeof v->u.n);
  }
  for (uint32_t k = 0; k < nt; k++, slot += sizeof(uint32_t)) {
    vm_val *v = &R[texts[k]];
    memset(v, 0, sizeof *v);
    v->none = bit(p, texts[k]);
    memcpy(&v->u.s.len, slot, sizeof v->u.s.len);
    if ((size_t)(end - text) < v->u.s.len || (v->none && v->u.s.len))
      return false;
    if (!v->none)
      v->u.s.p = text;
    text += v->u.s.len;
  }
  for (uint32_t k = 0; k < nl; k++) {
    vm_val *v = &R[lists[k]];
    memset(v, 0, sizeof *v);
    v->none = true;
    if (!bit(p, lists[k]))
      return false; /* put_flat writes none but absent lists */
  }
  return text == end;
}

/* An image starts with a byte saying whether the record has unknown fields: a history run
 * images every record, and only those with unknowns pay for looking at each field's. */
void vm_image(const vm_ctx *ctx, wbuf *out)
{
  const prog_record *rec = &ctx->s.P->records[ctx->s.P->main_record];
  bool unknowns = ctx->s.unknown != 0;
  bool flat = may_be_flat(ctx);
  char head = (char)((unknowns ? IMAGE_UNKNOWNS : 0) |
                     (ctx->image_defaults && ctx->defaulted ? IMAGE_DEFAULTED : 0) |
                     (flat ? IMAGE_FLAT : 0));
  wbuf_put(out, &head, 1);
  if (head & IMAGE_DEFAULTED)
    wbuf_put(out, (const char *)&ctx->defaulted, sizeof ctx->defaulted);
  if (flat) {
    put_flat(ctx, out);
    return;
  }
  if (!unknowns) {
    for (uint32_t i = 0; i < rec->nfields; i++)
      put_value(ctx, out, rec->fields[i].type, &ctx->s.R[i]);
    return;
  }
  for (uint32_t i = 0; i < rec->nfields; i++) {
    if (ctx->s.taint[i])
      put_unknown(out);
    else
      put_value(ctx, out, rec->fields[i].type, &ctx->s.R[i]);
  }
}

/* Reads n bytes at *p if they are there. */
static bool take(const char **p, const char *end, void *dst, size_t n)
{
  if ((size_t)(end - *p) < n)
    return false;
  memcpy(dst, *p, n);
  *p += n;
  return true;
}

/* Reads one value written by put_value into *v; texts point into the image. */
static bool get_value(vm_ctx *ctx, const char **p, const char *end, ty_type t, vm_val *v)
{
  char tag;
  memset(v, 0, sizeof *v);
  if (!take(p, end, &tag, 1) || (tag != 0 && tag != 1))
    return false;
  v->none = tag == 0;
  if (v->none)
    return true;
  switch (t.base) {
  case TY_TEXT:
    if (!take(p, end, &v->u.s.len, sizeof v->u.s.len) || (size_t)(end - *p) < v->u.s.len)
      return false;
    v->u.s.p = *p;
    *p += v->u.s.len;
    return true;
  case TY_NUMBER:
  case TY_PERCENT: return take(p, end, &v->u.n, sizeof v->u.n);
  case TY_LIST: {
    const prog_record *er = &ctx->s.P->records[t.record];
    uint32_t count, stride, first = 0;
    if (!take(p, end, &count, sizeof count) || !take(p, end, &stride, sizeof stride) ||
        stride != er->nfields || (stride && count > (UINT32_MAX - ctx->nelems) / stride))
      return false;
    if (count && stride && !vm_elems_reserve(ctx, count * stride, &first))
      return false;
    for (uint32_t k = 0; k < count * stride; k++) {
      /* into a local first: a list inside an element reserves elements too, which may move
       * the array */
      vm_val e;
      if (*p < end && **p == TAG_UNKNOWN) { /* put_unknown's: an absent element field */
        ++*p;
        if (!mark_elem_unknown(ctx, first + k, vm_elem_bit(ctx, t.record, k % stride)))
          return false;
        continue;
      }
      if (!get_value(ctx, p, end, er->fields[k % stride].type, &e))
        return false;
      ctx->elems[first + k] = e;
    }
    v->u.l.first = first;
    v->u.l.count = count;
    v->u.l.stride = stride;
    return true;
  }
  default: return take(p, end, &v->u.i, sizeof v->u.i);
  }
}

bool vm_load_image(vm_ctx *ctx, const char *image, size_t len)
{
  const prog_record *rec = &ctx->s.P->records[ctx->s.P->main_record];
  const char *p = image, *end = image + len;
  vm_begin_record(ctx);
  if (p == end || (unsigned char)*p > (IMAGE_UNKNOWNS | IMAGE_DEFAULTED | IMAGE_FLAT))
    return false;
  char head = *p++;
  if ((head & IMAGE_DEFAULTED) && !take(&p, end, &ctx->defaulted, sizeof ctx->defaulted))
    return false;
  if (head & IMAGE_FLAT)
    return !(head & IMAGE_UNKNOWNS) && get_flat(ctx, p, end);
  if (!(head & IMAGE_UNKNOWNS)) {
    for (uint32_t i = 0; i < rec->nfields; i++)
      if (!get_value(ctx, &p, end, rec->fields[i].type, &ctx->s.R[i]))
        return false;
    return p == end;
  }
  for (uint32_t i = 0; i < rec->nfields; i++) {
    if (p < end && *p == TAG_UNKNOWN) { /* put_unknown's */
      p++;
      vm_mark_unknown(ctx, i);
    } else if (!get_value(ctx, &p, end, rec->fields[i].type, &ctx->s.R[i])) {
      return false;
    }
  }
  return p == end;
}

/* Reads kept values (vm_remember's bytes) into out[0..nmemory) and whether each was
 * undetermined into unknown[], or only checks them when out is NULL. */
static bool read_kept(const elig_program *P, const char *kept, size_t len, vm_val *out,
                      bool *unknown)
{
  const char *p = kept, *end = kept + len;
  for (uint32_t i = 0; i < P->nmemory; i++) {
    vm_val v;
    char tag;
    memset(&v, 0, sizeof v);
    if (!take(&p, end, &tag, 1) || tag > TAG_UNKNOWN)
      return false;
    v.none = tag == TAG_NONE;
    if (unknown)
      unknown[i] = tag == TAG_UNKNOWN;
    if (tag == TAG_PRESENT) {
      switch (P->memory[i].type.base) {
      case TY_TEXT:
        if (!take(&p, end, &v.u.s.len, sizeof v.u.s.len) || (size_t)(end - p) < v.u.s.len)
          return false;
        v.u.s.p = p;
        p += v.u.s.len;
        break;
      case TY_NUMBER:
      case TY_PERCENT:
        if (!take(&p, end, &v.u.n, sizeof v.u.n))
          return false;
        break;
      default:
        if (!take(&p, end, &v.u.i, sizeof v.u.i))
          return false;
        break;
      }
    }
    if (out)
      out[i] = v;
  }
  return p == end;
}

bool vm_kept_valid(const elig_program *P, const char *kept, size_t len)
{
  return kept && read_kept(P, kept, len, NULL, NULL);
}

bool vm_set_previous(vm_ctx *ctx, const char *kept, size_t len)
{
  ctx->has_prev = false;
  if (!kept)
    return true;
  if (!read_kept(ctx->s.P, kept, len, ctx->prev, ctx->prev_unknown))
    return false;
  ctx->has_prev = true;
  for (uint32_t i = 0; i < ctx->s.P->nmemory; i++)
    if (ctx->prev_unknown[i]) {
      /* this year's record has unknowns too: what depends on last year's may be unknown */
      begin_unknown(ctx);
      ctx->s.unknown |= VM_PREVIOUS_BIT;
      break;
    }
  return true;
}

vm_status vm_eval_record(vm_ctx *ctx)
{
  const elig_program *P = ctx->s.P;
  vm_status st = VM_OK;
  for (uint32_t i = 0; i < P->ncolumns && st == VM_OK; i++)
    if (P->columns[i].cell != UINT32_MAX)
      st = vm_ensure(ctx, P->columns[i].cell);
  for (uint32_t i = 0; i < P->nflags && st == VM_OK; i++)
    st = vm_ensure(ctx, P->flags[i].cell);
  /* what the next year's record reads: a failure there fails this record, before the
   * aggregates count it */
  for (uint32_t i = 0; i < P->nmemory && st == VM_OK; i++)
    if (P->memory[i].cell != UINT32_MAX)
      st = vm_ensure(ctx, P->memory[i].cell);
  return st;
}

void vm_forget(vm_ctx *ctx, uint32_t cell)
{
  ctx->done[cell] = 0;
}

void vm_set_as_of(vm_ctx *ctx, int32_t days)
{
  ctx->s.R[ctx->s.P->as_of_reg].none = false;
  ctx->s.R[ctx->s.P->as_of_reg].u.i = days;
}

vm_val *vm_record_slots(vm_ctx *ctx, uint32_t record)
{
  return &ctx->s.R[ctx->s.P->records[record].first_reg];
}

vm_val *vm_group_keys(vm_ctx *ctx, const prog_aggregate *A)
{
  return &ctx->s.R[A->key_reg];
}

vm_val *vm_group_accs(vm_ctx *ctx, const prog_aggregate *A)
{
  return &ctx->s.R[A->acc_reg];
}

vm_status vm_error(const vm_ctx *ctx, uint32_t *pc)
{
  if (pc)
    *pc = ctx->err_pc;
  return ctx->err;
}

regex_result vm_regex_match(vm_ctx *ctx, uint32_t regex, const char *s, size_t n)
{
  return regex_match(ctx->s.P->regexes[regex], ctx->matcher, s, n);
}

uint32_t vm_error_pc(const vm_ctx *ctx)
{
  return ctx->err_pc;
}

vm_val *vm_elem(vm_ctx *ctx, uint32_t index)
{
  return &ctx->elems[index];
}

vm_val *vm_elems_reserve(vm_ctx *ctx, uint32_t n, uint32_t *index)
{
  if (n == 0 || n > UINT32_MAX - ctx->nelems)
    return NULL; /* nothing to reserve: no pointer, not even one past a NULL array */
  uint32_t need = ctx->nelems + n;
  if (need > ctx->elems_cap) {
    uint32_t cap = ctx->elems_cap ? ctx->elems_cap : 256;
    while (cap < need)
      cap = cap > UINT32_MAX / 2 ? need : cap * 2;
    vm_val *e = mem_realloc(ctx->elems, (size_t)cap * sizeof *e);
    if (!e)
      return NULL;
    ctx->elems = e;
    if (ctx->elem_taint) {
      uint64_t *t = mem_realloc(ctx->elem_taint, (size_t)cap * sizeof *t);
      if (!t)
        return NULL; /* elems grew but elems_cap did not: the next try grows it again */
      ctx->elem_taint = t;
    }
    ctx->elems_cap = cap;
  }
  if (ctx->elem_taint) /* what an earlier record left there */
    memset(ctx->elem_taint + ctx->nelems, 0, (size_t)n * sizeof *ctx->elem_taint);
  vm_val *first = ctx->elems + ctx->nelems;
  *index = ctx->nelems;
  ctx->nelems = need;
  return first;
}

const char *vm_status_str(vm_status st)
{
  /* said to people: why a rule failed on a record, in their language (the same words as
   * diag.def's E07xx) */
  switch (st) {
  case VM_OK: return "ok"; /* never said */
  case VM_ERR_OVERFLOW: return _("value out of range");
  case VM_ERR_DIV_ZERO: return _("division by zero");
  case VM_ERR_REGEX_LIMIT: return _("regex hit its match limit");
  case VM_ERR_REGEX: return _("regex matching failed");
  case VM_ERR_NO_MEMORY: return _("out of memory");
  case VM_ERR_UNKNOWN_GROUP: return _("the record's group is undetermined");
  }
  return "error"; /* never said: every status has its words above */
}

/* ---------------------------------------------------------------- builtins */

/* n bytes for a text a builtin makes (upper, lower), valid until the next record.  Texts
 * handed out point into the block, so a full block is never moved: it is kept aside until
 * the record ends and a larger one takes its place (NULL only when memory runs out). */
static char *scratch(vm_ctx *ctx, size_t n)
{
  if (ctx->scratch_len + n > ctx->scratch_cap) {
    size_t cap = ctx->scratch_cap ? ctx->scratch_cap * 2 : 4096;
    while (cap < n)
      cap *= 2;
    if (ctx->scratch_len > 0) { /* in use: keep it aside, start a new block */
      if (ctx->nscratch_old == ctx->scratch_old_cap) {
        uint32_t c = ctx->scratch_old_cap ? ctx->scratch_old_cap * 2 : 4;
        char **old = mem_realloc(ctx->scratch_old, c * sizeof *old);
        if (!old)
          return NULL;
        ctx->scratch_old = old;
        ctx->scratch_old_cap = c;
      }
      char *block = mem_alloc(cap);
      if (!block)
        return NULL;
      ctx->scratch_old[ctx->nscratch_old++] = ctx->scratch;
      ctx->scratch = block;
    } else {
      char *block = mem_realloc(ctx->scratch, cap);
      if (!block)
        return NULL;
      ctx->scratch = block;
    }
    ctx->scratch_cap = cap;
    ctx->scratch_len = 0;
  }
  char *p = ctx->scratch + ctx->scratch_len;
  ctx->scratch_len += n;
  return p;
}

static vm_status builtin(vm_ctx *ctx, uint32_t f, vm_val *d, const vm_val *a)
{
  memset(d, 0, sizeof *d);
  switch ((builtin_id)f) {
  case BI_LENGTH: d->u.i = (int64_t)textfn_length(a[0].u.s.p, a[0].u.s.len); return VM_OK;
  case BI_PREFIX:
    d->u.s.p = a[0].u.s.p;
    d->u.s.len = (uint32_t)textfn_prefix(a[0].u.s.p, a[0].u.s.len, a[1].u.i);
    return VM_OK;
  case BI_SUBSTR: {
    textfn_span sp = textfn_substr(a[0].u.s.p, a[0].u.s.len, a[1].u.i, a[2].u.i);
    d->u.s.p = a[0].u.s.p + sp.off;
    d->u.s.len = (uint32_t)sp.len;
    return VM_OK;
  }
  case BI_UPPER:
  case BI_LOWER: {
    /* case mapping never makes text longer (textfn.h) */
    char *out = scratch(ctx, a[0].u.s.len + 1);
    if (!out)
      return VM_ERR_NO_MEMORY;
    size_t n = f == BI_UPPER ? textfn_upper(a[0].u.s.p, a[0].u.s.len, out, a[0].u.s.len + 1)
                             : textfn_lower(a[0].u.s.p, a[0].u.s.len, out, a[0].u.s.len + 1);
    d->u.s.p = out;
    d->u.s.len = (uint32_t)n;
    return VM_OK;
  }
  case BI_MOD11_2: d->u.i = checkchar_iso7064_mod11_2(a[0].u.s.p, a[0].u.s.len); return VM_OK;
  case BI_LUHN: d->u.i = checkchar_luhn(a[0].u.s.p, a[0].u.s.len); return VM_OK;
  case BI_YEAR:
  case BI_MONTH:
  case BI_DAY: {
    int32_t y, m, dd;
    date_to_civil((int32_t)a[0].u.i, &y, &m, &dd);
    d->u.i = f == BI_YEAR ? y : f == BI_MONTH ? m : dd;
    return VM_OK;
  }
  case BI_DAYS_BETWEEN: d->u.i = a[1].u.i - a[0].u.i; return VM_OK;
  case BI_YEARS_BETWEEN:
    d->u.i = date_years_between((int32_t)a[0].u.i, (int32_t)a[1].u.i);
    return VM_OK;
  default: return VM_ERR_OVERFLOW;
  }
}

static vm_status dec_err(dec_status st)
{
  return st == DEC_DIV_ZERO ? VM_ERR_DIV_ZERO : VM_ERR_OVERFLOW;
}

/* Byte comparison of short texts without a call into libc: set members, statuses and codes
 * are a few bytes long, and memcmp's call costs more than the comparison. */
static inline int short_cmp(const char *a, const char *b, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
  return 0;
}

/* Sets of at most this many texts are scanned rather than searched (in_text_set). */
#define SCANNED_TEXT_SET 8

/* Binary search of a larger set's sorted members. */
static bool in_sorted_text_set(const prog_set *s, const vm_val *v)
{
  uint32_t lo = 0, hi = s->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t l = s->lens[mid] < v->u.s.len ? s->lens[mid] : v->u.s.len;
    int k = l <= 16 ? short_cmp(s->items[mid], v->u.s.p, l) : memcmp(s->items[mid], v->u.s.p, l);
    if (k == 0)
      k = s->lens[mid] < v->u.s.len ? -1 : s->lens[mid] > v->u.s.len;
    if (k == 0)
      return true;
    if (k < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

/* A few members (statuses, grades: the usual set) are scanned by length first, inline in the
 * loop: most differ from the value in length, so a member costs one comparison, where the
 * binary search, a call, compared bytes at every step. */
static inline __attribute__((always_inline)) bool in_text_set(const prog_set *s, const vm_val *v)
{
  if (s->n > SCANNED_TEXT_SET)
    return in_sorted_text_set(s, v);
  for (uint32_t i = 0; i < s->n; i++)
    if (s->lens[i] == v->u.s.len &&
        (v->u.s.len <= 16 ? short_cmp(s->items[i], v->u.s.p, v->u.s.len)
                          : memcmp(s->items[i], v->u.s.p, v->u.s.len)) == 0)
      return true;
  return false;
}

static bool in_int_set(const prog_set *s, int64_t v)
{
  uint32_t lo = 0, hi = s->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (s->ints[mid] == v)
      return true;
    if (s->ints[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

static inline bool in_num_set(const prog_set *s, const vm_val *v)
{
  for (uint32_t i = 0; i < s->n; i++)
    if (dec_num_cmp(s->nums[i], v->u.n) == 0)
      return true;
  return false;
}

/* The register of table t's row for key: the last key not after it, else the first. */
static inline uint16_t table_row(const prog_table *t, int64_t key)
{
  uint32_t lo = 0, hi = t->n; /* the first key > key */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (t->keys[mid] <= key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return t->regs[lo ? lo - 1 : 0];
}

static int text_cmp(const vm_val *a, const vm_val *b)
{
  uint32_t l = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
  int k = l <= 16 ? short_cmp(a->u.s.p, b->u.s.p, l) : memcmp(a->u.s.p, b->u.s.p, l);
  if (k)
    return k;
  return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

/* ---------------------------------------------------------------- value instructions */

/* R[A] := op(R[B], R[C]) for the instructions that compute a value from values: the one
 * definition of their arithmetic, used by the dispatch loop (where `op` is a constant, so
 * the switch folds away) and by vm_fold (the compiler's constant folding). */
static inline __attribute__((always_inline)) vm_status value_op(vm_opcode op, vm_val *a,
                                                                const vm_val *b, const vm_val *c)
{
  int64_t v = 0;
  dec_num n;
  dec_status st = DEC_OK;
  switch (op) {
  case OP_NOT: v = !b->u.i; break;
  case OP_ADDI:
    if (__builtin_add_overflow(b->u.i, c->u.i, &v))
      return VM_ERR_OVERFLOW;
    break;
  case OP_SUBI:
    if (__builtin_sub_overflow(b->u.i, c->u.i, &v))
      return VM_ERR_OVERFLOW;
    break;
  case OP_MULI:
    if (__builtin_mul_overflow(b->u.i, c->u.i, &v))
      return VM_ERR_OVERFLOW;
    break;
  case OP_NEGI:
  case OP_ABSI:
    v = b->u.i;
    if (op == OP_NEGI || v < 0) {
      if (v == INT64_MIN)
        return VM_ERR_OVERFLOW;
      v = -v;
    }
    break;
  case OP_DIVII:
    if (c->u.i == 0)
      return VM_ERR_DIV_ZERO;
    st = dec_num_div(dec_num_from_int(b->u.i), dec_num_from_int(c->u.i), &n);
    goto number;
  case OP_DIVMI: st = dec_money_div_int(b->u.i, c->u.i, DEC_HALF_AWAY, &v); break;
  case OP_I2M:
    if (__builtin_mul_overflow(b->u.i, 100, &v))
      return VM_ERR_OVERFLOW;
    break;
  case OP_I2N: n = dec_num_from_int(b->u.i); goto number;
  case OP_M2N: n = dec_num_from_money(b->u.i); goto number;
  case OP_ADDN: st = dec_num_add(b->u.n, c->u.n, &n); goto number;
  case OP_SUBN: st = dec_num_sub(b->u.n, c->u.n, &n); goto number;
  case OP_MULN: st = dec_num_mul(b->u.n, c->u.n, &n); goto number;
  case OP_DIVN: st = dec_num_div(b->u.n, c->u.n, &n); goto number;
  case OP_NEGN: st = dec_num_neg(b->u.n, &n); goto number;
  case OP_ABSN: st = dec_num_abs(b->u.n, &n); goto number;
  case OP_EQI: v = b->u.i == c->u.i; break;
  case OP_LTI: v = b->u.i < c->u.i; break;
  case OP_LEI: v = b->u.i <= c->u.i; break;
  case OP_EQN: v = dec_num_cmp(b->u.n, c->u.n) == 0; break;
  case OP_LTN: v = dec_num_cmp(b->u.n, c->u.n) < 0; break;
  case OP_LEN: v = dec_num_cmp(b->u.n, c->u.n) <= 0; break;
  case OP_EQS: v = text_cmp(b, c) == 0; break;
  case OP_LTS: v = text_cmp(b, c) < 0; break;
  case OP_LES: v = text_cmp(b, c) <= 0; break;
  default: return VM_ERR_OVERFLOW; /* not a value instruction: vm_fold's caller erred */
  }
  if (st != DEC_OK)
    return dec_err(st);
  a->none = false;
  a->u.i = v;
  return VM_OK;
number:
  if (st != DEC_OK)
    return dec_err(st);
  a->none = false;
  a->u.n = n;
  return VM_OK;
}

vm_status vm_fold(vm_opcode op, vm_val *a, const vm_val *b, const vm_val *c)
{
  static const vm_val none = {.none = true};
  return value_op(op, a, b, c ? c : &none);
}

static vm_status ensure3(vm_ctx *ctx, uint32_t cell);

/* R[A] := f(R[B], ...) for the instructions that look a value up or convert it with a
 * rounding mode (sets, regexes, builtins, rounding), for the three-valued loop.  The main
 * loop keeps its own copies of these few lines: through this function it ran 1.2% more
 * instructions on the national rules (callgrind), the compiler laying the loop out worse. */
static vm_status lookup_op(vm_ctx *ctx, const elig_program *P, vm_opcode op, const vm_ins *ip,
                           vm_val *R)
{
  vm_val *a = &R[ip->a];
  const vm_val *b = &R[ip->b];
  dec_status st = DEC_OK;
  switch (op) {
  case OP_INS: {
    bool in = in_text_set(&P->sets[ip->x], b);
    a->none = false;
    a->u.i = in;
    return VM_OK;
  }
  case OP_INI: {
    bool in = in_int_set(&P->sets[ip->x], b->u.i);
    a->none = false;
    a->u.i = in;
    return VM_OK;
  }
  case OP_INN: {
    bool in = in_num_set(&P->sets[ip->x], b);
    a->none = false;
    a->u.i = in;
    return VM_OK;
  }
  case OP_MATCH: {
    regex_result r = regex_match(P->regexes[ip->x], ctx->matcher, b->u.s.p, b->u.s.len);
    if (r == REGEX_LIMIT)
      return VM_ERR_REGEX_LIMIT;
    if (r == REGEX_ERROR)
      return VM_ERR_REGEX;
    a->u.i = r == REGEX_MATCH;
    break;
  }
  case OP_CALL: {
    vm_val v;
    vm_status vs = builtin(ctx, ip->x, &v, b);
    if (vs != VM_OK)
      return vs;
    *a = v;
    return VM_OK;
  }
  case OP_ROUNDM: {
    dec_money v;
    if ((st = dec_money_round(b->u.i, ip->c, (dec_round)ip->x, &v)) == DEC_OK)
      a->u.i = v;
    break;
  }
  case OP_ROUNDN: {
    dec_num v;
    st = dec_num_round(b->u.n, ip->c, (dec_round)ip->x, &v);
    if (st == DEC_OK)
      a->u.n = v;
    break;
  }
  case OP_N2M: {
    dec_money v;
    if ((st = dec_num_to_money(b->u.n, (dec_round)ip->x, &v)) == DEC_OK)
      a->u.i = v;
    break;
  }
  default: return VM_ERR_OVERFLOW; /* not one of them */
  }
  if (st != DEC_OK)
    return dec_err(st);
  a->none = false;
  return VM_OK;
}

/* Whether value instruction op reads R[C] (ops.def: its FORMAT's third letter is R). */
static bool value_reads_c(vm_opcode op)
{
  static const char *const formats[] = {
#define OP(name, fmt, doc) fmt,
#include "ops.def"
#undef OP
  };
  return op < OP__COUNT && formats[op][2] == 'R';
}

/* ---------------------------------------------------------------- the loop */

/* Dispatch: with GCC and Clang each instruction jumps straight to the next one's handler
 * through a table of label addresses (one indirect branch per instruction, which the
 * branch predictor learns per site); elsewhere it is an ordinary switch.  Handlers name
 * their operands through RA/RB/RC, so each decodes only what it uses. */
#if defined(__GNUC__) && !defined(ELIG_NO_COMPUTED_GOTO)
#define VM_COMPUTED_GOTO 1
#define VMCASE(name) L_##name:
#define DISPATCH()            \
  do {                        \
    goto *jump_table[ip->op]; \
  } while (0)
#define VM_SWITCH
#else
#define VM_COMPUTED_GOTO 0
#define VMCASE(name) case OP_##name:
#define DISPATCH() goto dispatch
#define VM_SWITCH \
  dispatch:       \
  switch ((vm_opcode)ip->op)
#endif
#define NEXT()  \
  do {          \
    ip++;       \
    DISPATCH(); \
  } while (0)
/* The instruction pointer walks the code array itself: the loop keeps one pointer live
 * instead of an index and the array, and a jump's target is one addition. */
#define PC() ((uint32_t)(ip - code))
#define A (&R[in.a])
#define B (&R[in.b])
#define C (&R[in.c])

#define FAIL(st)        \
  do {                  \
    ctx->err = (st);    \
    ctx->err_pc = PC(); \
    return ctx->err;    \
  } while (0)

vm_status vm_ensure(vm_ctx *ctx, uint32_t cell)
{
  const elig_program *P = ctx->s.P;
  const vm_ins *code = P->code;
  vm_val *R = ctx->s.R;
  uint32_t sp = 0;
  if (ctx->done[cell] == ctx->serial)
    return VM_OK;
  if (ctx->s.unknown)
    return ensure3(ctx, cell);
  const vm_ins *ip = code + P->cells[cell].entry;
  /* `in` is the current instruction, read in place: a handler loads only the operands it
   * uses, and no copy of the other fields ties up registers across the loop */
#define in (*ip)
#if VM_COMPUTED_GOTO
  static const void *const jump_table[] = {
#define OP(name, fmt, doc) &&L_##name,
#include "ops.def"
#undef OP
  };
#endif
  /* The handlers are laid out as a table of cases, which clang-format cannot see through
   * the label macros. */
  /* clang-format off */
  DISPATCH();
  VM_SWITCH {
    VMCASE(LOADK)
      *A = P->consts[in.b];
      NEXT();
    VMCASE(LOADNONE)
      memset(A, 0, sizeof *A);
      A->none = true;
      NEXT();
    VMCASE(MOVE)
      *A = *B;
      NEXT();
    VMCASE(ENSURE)
      if (ctx->done[in.a] != ctx->serial) {
        if (sp >= P->max_depth) /* only a cycle could do this, and the checker forbids them */
          FAIL(VM_ERR_OVERFLOW);
        ctx->stack[sp++] = PC() + 1;
        ip = code + P->cells[in.a].entry;
        DISPATCH();
      }
      NEXT();
    VMCASE(RET)
      ctx->done[in.a] = ctx->serial;
      if (sp == 0)
        return VM_OK;
      ip = code + ctx->stack[--sp];
      DISPATCH();
    VMCASE(JMP)
      ip = code + in.x;
      DISPATCH();
    VMCASE(JMPF)
      if (!A->u.i) {
        ip = code + in.x;
        DISPATCH();
      }
      NEXT();
    VMCASE(JMPT)
      if (A->u.i) {
        ip = code + in.x;
        DISPATCH();
      }
      NEXT();
    VMCASE(JMPNONE)
      if (A->none) {
        ip = code + in.x;
        DISPATCH();
      }
      NEXT();
    VMCASE(JMPSOME)
      if (!A->none) {
        ip = code + in.x;
        DISPATCH();
      }
      NEXT();
    VMCASE(JLTI) if (A->u.i < B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(JGEI) if (A->u.i >= B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(JLEI) if (A->u.i <= B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(JGTI) if (A->u.i > B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(JEQI) if (A->u.i == B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(JNEI) if (A->u.i != B->u.i) { ip = code + in.x; DISPATCH(); } NEXT();
    VMCASE(ISNONE) {
      bool none = B->none;
      A->none = false;
      A->u.i = none;
      NEXT();
    }
#define VALUE(name)                                   \
    VMCASE(name) {                                    \
      vm_status st = value_op(OP_##name, A, B, C);    \
      if (st != VM_OK)                                \
        FAIL(st);                                     \
      NEXT();                                         \
    }
    VALUE(NOT) VALUE(ADDI) VALUE(SUBI) VALUE(MULI) VALUE(NEGI) VALUE(ABSI) VALUE(DIVII)
    VALUE(DIVMI) VALUE(I2M) VALUE(I2N) VALUE(M2N) VALUE(ADDN) VALUE(SUBN) VALUE(MULN)
    VALUE(DIVN) VALUE(NEGN) VALUE(ABSN) VALUE(EQI) VALUE(LTI) VALUE(LEI) VALUE(EQN)
    VALUE(LTN) VALUE(LEN) VALUE(EQS) VALUE(LTS) VALUE(LES)
#undef VALUE
    VMCASE(TABI)
      *A = R[table_row(&P->tables[in.x], B->u.i)];
      NEXT();
    VMCASE(INS) { bool v = in_text_set(&P->sets[in.x], B); A->none = false; A->u.i = v; NEXT(); }
    VMCASE(INI) { bool v = in_int_set(&P->sets[in.x], B->u.i); A->none = false; A->u.i = v; NEXT(); }
    VMCASE(INN) { bool v = in_num_set(&P->sets[in.x], B); A->none = false; A->u.i = v; NEXT(); }
    VMCASE(MATCH) {
      regex_result r = regex_match(P->regexes[in.x], ctx->matcher, B->u.s.p, B->u.s.len);
      if (r == REGEX_LIMIT)
        FAIL(VM_ERR_REGEX_LIMIT);
      if (r == REGEX_ERROR)
        FAIL(VM_ERR_REGEX);
      A->none = false;
      A->u.i = r == REGEX_MATCH;
      NEXT();
    }
    VMCASE(CALL) {
      vm_val v;
      vm_status st = builtin(ctx, in.x, &v, B);
      if (st != VM_OK)
        FAIL(st);
      *A = v;
      NEXT();
    }
    VMCASE(ROUNDM) {
      dec_money v;
      dec_status st = dec_money_round(B->u.i, in.c, (dec_round)in.x, &v);
      if (st != DEC_OK)
        FAIL(dec_err(st));
      A->none = false;
      A->u.i = v;
      NEXT();
    }
    VMCASE(ROUNDN) {
      dec_num v;
      dec_status st = dec_num_round(B->u.n, in.c, (dec_round)in.x, &v);
      if (st != DEC_OK)
        FAIL(dec_err(st));
      A->none = false;
      A->u.n = v;
      NEXT();
    }
    VMCASE(N2M) {
      dec_money v;
      dec_status st = dec_num_to_money(B->u.n, (dec_round)in.x, &v);
      if (st != DEC_OK)
        FAIL(dec_err(st));
      A->none = false;
      A->u.i = v;
      NEXT();
    }
    VMCASE(SETRULE)
      ctx->s.rule[in.a] = in.x;
      NEXT();
    VMCASE(ITER)
      A->none = false;
      A->u.i = 0;
      R[in.a + 1] = *B;
      NEXT();
    VMCASE(NEXT)
      if (A->u.i >= (int64_t)R[in.a + 1].u.l.count) {
        ip = code + in.x;
        DISPATCH();
      }
      A->u.i++;
      NEXT();
    VMCASE(MLOAD) {
      const vm_val *list = &R[in.b + 1];
      uint64_t at = (uint64_t)list->u.l.first + (uint64_t)(B->u.i - 1) * list->u.l.stride + in.x;
      *A = ctx->elems[at];
      NEXT();
    }
    VMCASE(PREV)
      if (ctx->has_prev) {
        *A = ctx->prev[in.x];
      } else {
        memset(A, 0, sizeof *A);
        A->none = true;
      }
      NEXT();
    VMCASE(HALT)
#if !VM_COMPUTED_GOTO
    case OP__COUNT:
#endif
      return VM_OK;
  }
  return VM_OK; /* not reached: every handler dispatches or returns */
  /* clang-format on */
}
#undef in

/* ---------------------------------------------------------------- three values */

/* A record with unknown values (vm_set_undetermined) runs here instead of the loop above.
 * Each register carries, beside its value, the absent fields it depends on (its taint: 0
 * for a known value).  An instruction that reads an unknown value gives an unknown value
 * depending on the union of what it read, without computing anything (so an unknown divisor
 * divides nothing by zero).  A jump on an unknown condition is where the truth splits: the
 * cell is run once per way the unknown conditions can go (each run replays the choices of
 * the one before and changes the last open one, depth first), and its value is known only
 * when every run gives the same known value.  That is Kleene's logic for `and`, `or` and
 * `not` (compiled as jumps: `false and x` never reads x), and more: `x or not x` is still
 * undetermined, but a decision whose every possible rule gives the same outcome is known.
 *
 * Sound: every filling of the unknowns runs the cell along one of the explored paths, with
 * the same known values on it, so a value said known is the value under every filling.  A
 * path that meets a failure (division by zero) after a split may be one no filling takes:
 * it counts as an unknown outcome, not a failure of the record.  A cell with more than
 * VM3_MAX_PATHS paths, or more than VM3_MAX_SPLITS splits on one, is unknown and depends
 * on every unknown of the record.
 *
 * A condition read twice on one path (registered_poor in rule 1 and rule 2) is taken the
 * same way the second time when its register is a field's or another cell's (set once per
 * record, before the cell reads it): the path remembers what it assumed.
 *
 * A cell whose paths all give known values, but not the same one, keeps them (up to
 * VM3_MAX_VALUES): status is "exit_eligible" or "remain_poor".  A cell that reads it splits
 * once per value, with the value known on each path, so that `status = "not_poor"` is
 * false on every path, and a flag that needs it is not raised, rather than undetermined.
 * The value is put in the register for the path alone, and taken back out around the
 * computation of another cell (which must hold whatever the path assumed) and at its end. */

#define VM3_MAX_SPLITS 48
#define VM3_MAX_PATHS 4096
#define VM3_NO_REG UINT16_MAX /* a split on no register (a comparison) */

typedef struct {
  uint8_t choice[VM3_MAX_SPLITS]; /* how each split of the path is taken (replayed) */
  uint8_t ways[VM3_MAX_SPLITS];   /* how many ways each can go */
  uint32_t nchoices;
  uint32_t k;    /* splits met so far on this run */
  uint64_t cond; /* the taints of the conditions the path split on */
  uint32_t rule; /* the decision's rule on this path */
  uint16_t assumed_reg[VM3_MAX_SPLITS];
  uint8_t assumed[VM3_MAX_SPLITS];
  uint32_t nassumed;
  uint16_t own; /* the cell's own register: written on the path, so never assumed */
  /* the cells' registers given one of their possible values on this path: what they held */
  uint16_t put_reg[VM3_MAX_SPLITS];
  vm_val put_saved[VM3_MAX_SPLITS];
  uint64_t put_taint[VM3_MAX_SPLITS];
  uint8_t put_choice[VM3_MAX_SPLITS];
  uint32_t nput;
} vm3_path;

enum {
  VM3_TOO_MANY = -1
};

/* Which of `ways` ways an unknown value in register reg (taint t) goes on this path: from
 * 0, or VM3_TOO_MANY. */
static int split_ways(const vm_ctx *ctx, vm3_path *p, uint16_t reg, uint64_t t, uint8_t ways)
{
  bool remember = reg != VM3_NO_REG && reg != p->own && ctx->stable[reg];
  p->cond |= t;
  if (remember)
    for (uint32_t i = 0; i < p->nassumed; i++)
      if (p->assumed_reg[i] == reg)
        return p->assumed[i];
  if (p->k == p->nchoices) {
    if (p->nchoices == VM3_MAX_SPLITS || p->nassumed == VM3_MAX_SPLITS)
      return VM3_TOO_MANY;
    p->ways[p->nchoices] = ways;
    p->choice[p->nchoices++] = 0;
  }
  int c = p->choice[p->k++];
  if (remember) {
    p->assumed_reg[p->nassumed] = reg;
    p->assumed[p->nassumed++] = (uint8_t)c;
  }
  return c;
}

/* A condition: 1 it holds on this path, 0 it does not. */
static int split(const vm_ctx *ctx, vm3_path *p, uint16_t reg, uint64_t t)
{
  int c = split_ways(ctx, p, reg, t, 2);
  return c == VM3_TOO_MANY ? c : !c; /* the first way: the condition holds */
}

/* The next path's choices: the last open split taken the next way.  False when every path
 * has been run. */
static bool next_path(vm3_path *p)
{
  while (p->nchoices && p->choice[p->nchoices - 1] + 1 >= p->ways[p->nchoices - 1])
    p->nchoices--;
  if (!p->nchoices)
    return false;
  p->choice[p->nchoices - 1]++;
  return true;
}

/* Swaps the possible values this path put in cells' registers with what the registers held
 * before: once takes them out (the path ends, or another cell is to be computed, which must
 * not see them), twice puts them back.  A register is put at most once on a path. */
static void swap_possible(vm_ctx *ctx, vm3_path *p)
{
  for (uint32_t i = p->nput; i-- > 0;) {
    uint16_t reg = p->put_reg[i];
    vm_val keep = ctx->s.R[reg];
    uint64_t keep_taint = ctx->s.taint[reg];
    ctx->s.R[reg] = p->put_saved[i];
    ctx->s.taint[reg] = p->put_taint[i];
    p->put_saved[i] = keep;
    p->put_taint[i] = keep_taint;
  }
}

/* After ENSURE of `cell` on a path: when its value is one of a few possible ones, the path
 * splits over them and holds the one it takes.  VM_OK or VM3_TOO_MANY. */
static int take_possible(vm_ctx *ctx, vm3_path *p, uint32_t cell)
{
  uint16_t reg = ctx->s.P->cells[cell].reg;
  uint8_t n = ctx->npossible[cell];
  if (!n || !ctx->s.taint[reg] || reg == p->own)
    return VM_OK;
  if (p->nput == VM3_MAX_SPLITS)
    return VM3_TOO_MANY;
  int c = split_ways(ctx, p, reg, ctx->s.taint[reg], n);
  if (c == VM3_TOO_MANY)
    return c;
  p->put_reg[p->nput] = reg;
  p->put_saved[p->nput] = ctx->s.R[reg];
  p->put_taint[p->nput] = ctx->s.taint[reg];
  p->put_choice[p->nput++] = (uint8_t)c;
  ctx->s.R[reg] = ctx->possible[(size_t)cell * VM3_MAX_VALUES + (uint32_t)c];
  ctx->s.taint[reg] = 0;
  return VM_OK;
}

bool vm_same_value(ty_base base, const vm_val *a, const vm_val *b)
{
  if (a->none || b->none)
    return a->none == b->none;
  switch (base) {
  case TY_TEXT: return text_cmp(a, b) == 0;
  case TY_NUMBER:
  case TY_PERCENT: return dec_num_cmp(a->u.n, b->u.n) == 0;
  case TY_LIST: return false;
  default: return a->u.i == b->u.i;
  }
}

/* The value R[A] of an instruction that read unknown values (taint t). */
static void unknown_result(vm_ctx *ctx, uint16_t a, uint64_t t)
{
  memset(&ctx->s.R[a], 0, sizeof ctx->s.R[a]);
  ctx->s.taint[a] = t;
  ctx->bounded[a] = false;
}

/* ---- bounds.  An unknown int, money or date value may carry bounds (a field `between`
 * two values, a what-if's interval), which instructions that are monotone in their
 * operands carry on: adding, subtracting, multiplying, dividing money by a count with its
 * rounding, converting.  A comparison whose operands' bounds do not overlap is decided
 * without a split; so a what-if over an interval of incomes is exact wherever the rules are
 * linear in the income. */

/* The bounds of int register r: its value when known. */
static bool bounds(const vm_ctx *ctx, uint16_t r, int64_t *lo, int64_t *hi)
{
  if (!ctx->s.taint[r]) {
    *lo = *hi = ctx->s.R[r].u.i;
    return true;
  }
  if (!ctx->bounded[r])
    return false;
  *lo = ctx->lo[r];
  *hi = ctx->hi[r];
  return true;
}

static void bounded_result(vm_ctx *ctx, uint16_t a, uint64_t t, int64_t lo, int64_t hi)
{
  unknown_result(ctx, a, t);
  if (lo == hi) { /* one value: known */
    ctx->s.R[a].u.i = lo;
    ctx->s.taint[a] = 0;
    return;
  }
  ctx->bounded[a] = true;
  ctx->lo[a] = lo;
  ctx->hi[a] = hi;
}

/* The least and greatest of op over the corners of the operands' bounds; false when a
 * corner fails (overflow, division by zero). */
static bool corners(vm_opcode op, const int64_t *b, const int64_t *c, int64_t *lo, int64_t *hi)
{
  bool first = true;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      vm_val x = {0}, y = {0}, r = {0};
      x.u.i = b[i];
      y.u.i = c[j];
      if (value_op(op, &r, &x, &y) != VM_OK)
        return false;
      if (first || r.u.i < *lo)
        *lo = r.u.i;
      if (first || r.u.i > *hi)
        *hi = r.u.i;
      first = false;
    }
  return true;
}

/* Whether comparison `op` (LTI, LEI, EQI, or a J*I jump) of bounds b and c is decided:
 * *holds then says how. */
static bool decided(vm_opcode op, const int64_t *b, const int64_t *c, int *holds)
{
  bool lt = b[1]<c[0], ge = b[0] >= c[1], le = b[1] <= c[0], gt = b[0]> c[1];
  bool eq = b[0] == b[1] && c[0] == c[1] && b[0] == c[0], ne = b[1] < c[0] || c[1] < b[0];
  switch (op) {
  case OP_LTI:
  case OP_JLTI: return lt ? (*holds = 1) : ge ? !(*holds = 0) : false;
  case OP_JGEI: return ge ? (*holds = 1) : lt ? !(*holds = 0) : false;
  case OP_LEI:
  case OP_JLEI: return le ? (*holds = 1) : gt ? !(*holds = 0) : false;
  case OP_JGTI: return gt ? (*holds = 1) : le ? !(*holds = 0) : false;
  case OP_EQI:
  case OP_JEQI: return eq ? (*holds = 1) : ne ? !(*holds = 0) : false;
  case OP_JNEI: return ne ? (*holds = 1) : eq ? !(*holds = 0) : false;
  default: return false;
  }
}

/* A value instruction on unknown operands (taint t) with bounds: its result's bounds, or a
 * comparison decided.  False when it cannot say (the result is then simply unknown). */
static bool bounded_op(vm_ctx *ctx, const vm_ins *in, uint64_t t)
{
  int64_t b[2], c[2] = {0, 0}, lo, hi;
  vm_opcode op = (vm_opcode)in->op;
  if (!bounds(ctx, in->b, &b[0], &b[1]))
    return false;
  switch (op) {
  case OP_NEGI:
  case OP_I2M:
    if (!corners(op, b, c, &lo, &hi))
      return false;
    bounded_result(ctx, in->a, t, lo, hi);
    return true;
  case OP_ADDI:
  case OP_SUBI:
  case OP_MULI:
  case OP_DIVMI:
    if (!bounds(ctx, in->c, &c[0], &c[1]) || (op == OP_DIVMI && c[0] <= 0 && c[1] >= 0) ||
        !corners(op, b, c, &lo, &hi))
      return false;
    bounded_result(ctx, in->a, t, lo, hi);
    return true;
  case OP_LTI:
  case OP_LEI:
  case OP_EQI: {
    int holds;
    if (!bounds(ctx, in->c, &c[0], &c[1]) || !decided(op, b, c, &holds))
      return false;
    unknown_result(ctx, in->a, 0);
    ctx->s.R[in->a].u.i = holds;
    return true;
  }
  default: return false;
  }
}

/* Runs one path of cell `cell` to its return.  VM_OK, a failure, or VM3_TOO_MANY (as a
 * status). */
static int run_path_body(vm_ctx *ctx, uint32_t cell, vm3_path *p);
static int run_path(vm_ctx *ctx, uint32_t cell, vm3_path *p)
{
  p->k = 0;
  p->cond = 0;
  p->rule = UINT32_MAX;
  p->nassumed = 0;
  p->nput = 0;
  int st = run_path_body(ctx, cell, p);
  swap_possible(ctx, p); /* the cells' registers as they were */
  p->nput = 0;
  return st;
}

static int run_path_body(vm_ctx *ctx, uint32_t cell, vm3_path *p)
{
  const elig_program *P = ctx->s.P;
  const vm_ins *code = P->code;
  vm_val *R = ctx->s.R;
  uint64_t *T = ctx->s.taint;
  uint32_t nfields = P->records[P->main_record].nfields;
  const vm_ins *ip = code + P->cells[cell].entry;
  for (;;) {
    const vm_ins in = *ip;
    uint32_t pc = (uint32_t)(ip - code);
    int take = -2; /* a conditional jump: taken (1), not (0), or not one (-2) */
    uint64_t t = 0;
    vm_status st = VM_OK;
    switch ((vm_opcode)in.op) {
    case OP_LOADK:
      R[in.a] = P->consts[in.b];
      T[in.a] = 0;
      break;
    case OP_LOADNONE:
      memset(&R[in.a], 0, sizeof R[in.a]);
      R[in.a].none = true;
      T[in.a] = 0;
      break;
    case OP_MOVE:
      R[in.a] = R[in.b];
      T[in.a] = T[in.b];
      if (T[in.b]) { /* with its bounds, or none: what the register held before is stale */
        ctx->bounded[in.a] = ctx->bounded[in.b];
        ctx->lo[in.a] = ctx->lo[in.b];
        ctx->hi[in.a] = ctx->hi[in.b];
      }
      break;
    case OP_ENSURE:
      if (ctx->done[in.a] != ctx->serial) {
        swap_possible(ctx, p); /* the other cell holds whatever this path assumed */
        st = ensure3(ctx, in.a);
        swap_possible(ctx, p);
      }
      if (st == VM_OK && take_possible(ctx, p, in.a) == VM3_TOO_MANY)
        return VM3_TOO_MANY;
      break;
    case OP_RET: return VM_OK; /* a cell's code returns only from itself */
    case OP_JMP: take = 1; break;
    case OP_JMPF:
    case OP_JMPT:
      if ((t = T[in.a])) {
        int c = split(ctx, p, in.a, t); /* c: the condition is true */
        if (c == VM3_TOO_MANY)
          return VM3_TOO_MANY;
        take = in.op == OP_JMPT ? c : !c;
      } else {
        take = in.op == OP_JMPT ? R[in.a].u.i != 0 : R[in.a].u.i == 0;
      }
      break;
    case OP_JMPNONE:
    case OP_JMPSOME: {
      int none;
      if ((t = T[in.a]) && in.a >= nfields) {
        if ((none = split(ctx, p, in.a, t)) == VM3_TOO_MANY)
          return VM3_TOO_MANY;
      } else {
        none = t ? 0 : R[in.a].none; /* an unknown field is a value nobody gave yet */
      }
      take = in.op == OP_JMPNONE ? none : !none;
      break;
    }
    case OP_JLTI:
    case OP_JGEI:
    case OP_JLEI:
    case OP_JGTI:
    case OP_JEQI:
    case OP_JNEI: {
      int64_t a = R[in.a].u.i, b = R[in.b].u.i, ba[2], bb[2];
      int holds;
      if ((t = T[in.a] | T[in.b]) && bounds(ctx, in.a, &ba[0], &ba[1]) &&
          bounds(ctx, in.b, &bb[0], &bb[1]) && decided((vm_opcode)in.op, ba, bb, &holds)) {
        p->cond |= t; /* decided by the bounds, which depend on t */
      } else if (t) {
        /* a comparison is no register of its own: nothing to remember it by */
        if ((holds = split(ctx, p, VM3_NO_REG, t)) == VM3_TOO_MANY)
          return VM3_TOO_MANY;
      } else {
        switch ((vm_opcode)in.op) {
        case OP_JLTI: holds = a < b; break;
        case OP_JGEI: holds = a >= b; break;
        case OP_JLEI: holds = a <= b; break;
        case OP_JGTI: holds = a > b; break;
        case OP_JEQI: holds = a == b; break;
        default: holds = a != b; break;
        }
      }
      take = holds;
      break;
    }
    case OP_ISNONE:
      if (T[in.b] && in.b >= nfields) {
        unknown_result(ctx, in.a, T[in.b]);
      } else {
        bool none = !T[in.b] && R[in.b].none;
        R[in.a].none = false;
        R[in.a].u.i = none;
        T[in.a] = 0;
      }
      break;
    case OP_TABI:
      if ((t = T[in.b]))
        unknown_result(ctx, in.a, t);
      else
        R[in.a] = R[table_row(&P->tables[in.x], R[in.b].u.i)], T[in.a] = 0;
      break;
    case OP_INS:
    case OP_INI:
    case OP_INN:
    case OP_MATCH:
    case OP_ROUNDM:
    case OP_ROUNDN:
    case OP_N2M:
    case OP_CALL: {
      t = T[in.b];
      if (in.op == OP_CALL)
        for (uint32_t i = 1; i < builtin_get((builtin_id)in.x)->min_args; i++)
          t |= T[in.b + i];
      if (t) {
        unknown_result(ctx, in.a, t);
        break;
      }
      st = lookup_op(ctx, P, (vm_opcode)in.op, ip, R);
      T[in.a] = 0;
      break;
    }
    case OP_SETRULE: p->rule = in.x; break;
    case OP_ITER:
      R[in.a].none = false;
      R[in.a].u.i = 0;
      R[in.a + 1] = R[in.b];
      T[in.a] = 0;
      T[in.a + 1] = T[in.b];
      break;
    case OP_NEXT:
      take = R[in.a].u.i >= (int64_t)R[in.a + 1].u.l.count;
      if (!take)
        R[in.a].u.i++;
      break;
    case OP_MLOAD: {
      const vm_val *list = &R[in.b + 1];
      uint64_t at =
          (uint64_t)list->u.l.first + (uint64_t)(R[in.b].u.i - 1) * list->u.l.stride + in.x;
      if ((t = ctx->elem_unknown ? ctx->elem_taint[at] : 0)) {
        unknown_result(ctx, in.a, t);
        break;
      }
      R[in.a] = ctx->elems[at];
      T[in.a] = 0;
      break;
    }
    case OP_PREV:
      if (ctx->has_prev && ctx->prev_unknown[in.x]) {
        unknown_result(ctx, in.a, VM_PREVIOUS_BIT);
      } else {
        if (ctx->has_prev) {
          R[in.a] = ctx->prev[in.x];
        } else {
          memset(&R[in.a], 0, sizeof R[in.a]);
          R[in.a].none = true;
        }
        T[in.a] = 0;
      }
      break;
    case OP_HALT:
    case OP__COUNT: return VM_OK;
    default: /* the value instructions */
      if ((t = T[in.b] | (value_reads_c((vm_opcode)in.op) ? T[in.c] : 0))) {
        if (!bounded_op(ctx, &in, t))
          unknown_result(ctx, in.a, t);
      } else {
        st = value_op((vm_opcode)in.op, &R[in.a], &R[in.b], &R[in.c]);
        T[in.a] = 0;
      }
      break;
    }
    if (st != VM_OK) {
      if (st != VM_ERR_NO_MEMORY) {
        ctx->err = st;
        ctx->err_pc = pc;
      }
      return st;
    }
    ip = take == 1 ? code + in.x : ip + 1;
  }
}

/* Computes cell `cell` of a record with unknowns: every path, merged (see above). */
static vm_status ensure3(vm_ctx *ctx, uint32_t cell)
{
  if (ctx->done[cell] == ctx->serial)
    return VM_OK;
  const prog_cell *pc = &ctx->s.P->cells[cell];
  vm_val *R = ctx->s.R;
  uint64_t *T = ctx->s.taint;
  vm_val *values = &ctx->possible[(size_t)cell * VM3_MAX_VALUES];
  vm3_path p;
  uint32_t rule = UINT32_MAX, paths = 0, nvalues = 0;
  uint64_t depends = 0;
  bool known = true, listed = true; /* listed: every path gave a known value, kept */
  /* an int, money or date cell: the bounds of what every path gave */
  bool ints = pc->base == TY_INT || pc->base == TY_MONEY || pc->base == TY_DATE, first = true;
  int64_t blo = 0, bhi = 0;
  memset(&p, 0, sizeof p);
  p.own = pc->reg;
  do {
    int st = run_path(ctx, cell, &p);
    if (st == VM3_TOO_MANY || ++paths > VM3_MAX_PATHS) {
      known = listed = false;
      depends = ctx->s.unknown;
      break;
    }
    if (st != VM_OK) {
      /* a failure on a path that split on nothing is met whatever the unknowns are */
      if (st == VM_ERR_NO_MEMORY || !p.cond)
        return (vm_status)st;
      known = listed = false;
      depends |= p.cond;
      continue;
    }
    const vm_val *v = &R[pc->reg];
    depends |= T[pc->reg] | p.cond;
    int64_t lo, hi;
    if (ints && !v->none && bounds(ctx, pc->reg, &lo, &hi)) {
      blo = first || lo < blo ? lo : blo;
      bhi = first || hi > bhi ? hi : bhi;
      first = false;
    } else {
      ints = false;
    }
    if (T[pc->reg]) {
      known = listed = false;
      continue;
    }
    uint32_t i = 0;
    while (i < nvalues && !vm_same_value((ty_base)pc->base, &values[i], v))
      i++;
    if (i == nvalues) { /* a value no path gave before */
      if (nvalues == VM3_MAX_VALUES)
        listed = false;
      else
        values[nvalues++] = *v;
    }
    known = known && nvalues == 1;
    if (i == 0 && p.rule < rule)
      rule = p.rule; /* the same outcome by several rules: the first of them says why */
  } while (next_path(&p));
  if (known) {
    R[pc->reg] = values[0];
    T[pc->reg] = 0;
  } else if (ints && !first) {
    bounded_result(ctx, pc->reg, depends ? depends : ctx->s.unknown, blo, bhi);
  } else {
    unknown_result(ctx, pc->reg, depends ? depends : ctx->s.unknown);
  }
  ctx->npossible[cell] = (uint8_t)(!known && listed ? nvalues : 0);
  ctx->s.rule[cell] = rule;
  ctx->done[cell] = ctx->serial;
  return VM_OK;
}
