/*
 * whatif.c -- the nearest values of a field at which each result changes.  See whatif.h.
 *
 * For each result and each direction, a binary search over the field's values (to the fen
 * for money) finds the widest interval from the record's value on which the result is
 * proved the same: the record is evaluated with the field unknown but within the interval,
 * and bounds carried through the rules decide the comparisons (vm.c, "bounds").  The value
 * just past that interval is then evaluated as an ordinary value: if the result differs
 * there, that is exactly where it changes.  If it does not, the rules are not linear in the
 * field there (a product of it with itself, a table looked up by it), the proof could not
 * reach further, and the answer says so instead of guessing.
 */
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "whatif.h"
#include "write.h"

/* How far a search goes when the field declares no bounds: 10^11 yuan in fen, 10^9 for
 * counts and days. */
#define FAR_MONEY INT64_C(10000000000000)
#define FAR_INT INT64_C(1000000000)

static void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

bool whatif_field_ok(const elig_program *P, uint32_t field)
{
  const prog_record *rec = prog_main_record(P);
  if (field >= rec->nfields)
    return false;
  for (uint32_t k = 0; k < P->nkeys; k++)
    if (P->key_fields[k] == field)
      return false;
  uint8_t b = rec->fields[field].type.base;
  return b == TY_INT || b == TY_MONEY || b == TY_DATE;
}

/* One result: a decision's cell or a flag's. */
typedef struct {
  const char *name;
  uint32_t cell;
  ty_type type; /* the decision's; bool for a flag */
  bool flag;
} result;

/* The result's value as said: "exit_eligible" quoted, a flag raised or not. */
static void say(wbuf *b, const result *r, const vm_val *v, bool json)
{
  char buf[256];
  if (r->flag) {
    put(b, json ? (v->u.i ? "true" : "false") : (v->u.i ? "raised" : "not raised"));
  } else if (json) {
    write_value_json(b, r->type, v);
  } else {
    put(b, write_value_text(r->type, v, true, buf, sizeof buf));
  }
}

static bool same(const result *r, const vm_val *a, const vm_val *b)
{
  return vm_same_value((ty_base)r->type.base, a, b);
}

/* Whether the result is proved the same as `base` for every value of the field in [lo, hi]. */
static bool proved(vm_ctx *ctx, uint32_t field, int64_t lo, int64_t hi, const result *r,
                   const vm_val *base)
{
  vm_mark_unknown_between(ctx, field, lo, hi);
  vm_cells_stale(ctx);
  if (vm_ensure(ctx, r->cell) != VM_OK)
    return false;
  const vm_val *v = vm_cell_value(ctx, r->cell);
  return !vm_unknown_of(ctx, v) && same(r, v, base);
}

/* The result with the field holding x (an ordinary evaluation); false when it fails. */
static bool at(vm_ctx *ctx, uint32_t field, const vm_val *orig, int64_t x, const result *r,
               vm_val *out)
{
  vm_val v = *orig;
  v.none = false;
  v.u.i = x;
  vm_set_field(ctx, field, &v);
  vm_cells_stale(ctx);
  if (vm_ensure(ctx, r->cell) != VM_OK || vm_unknown_of(ctx, vm_cell_value(ctx, r->cell)))
    return false;
  *out = *vm_cell_value(ctx, r->cell);
  return true;
}

/* What a search in one direction found. */
typedef enum {
  NO_CHANGE, /* the same as far as the search goes */
  CHANGES,   /* at `where`, to `becomes` */
  NOT_LINEAR /* not proved past `where`, yet the same just beyond */
} finding;

static finding search(vm_ctx *ctx, uint32_t field, const vm_val *orig, int64_t x0, int64_t far,
                      int dir, const result *r, const vm_val *base, int64_t *where, vm_val *becomes)
{
  int64_t lo = 0, hi = dir > 0 ? far - x0 : x0 - far; /* distances from x0 */
  if (hi <= 0)
    return NO_CHANGE;
#define SPAN(d) (dir > 0 ? x0 : x0 - (d)), (dir > 0 ? x0 + (d) : x0)
  if (proved(ctx, field, SPAN(hi), r, base))
    return NO_CHANGE;
  while (hi - lo > 1) { /* proved at lo, not at hi */
    int64_t mid = lo + (hi - lo) / 2;
    if (proved(ctx, field, SPAN(mid), r, base))
      lo = mid;
    else
      hi = mid;
  }
#undef SPAN
  *where = dir > 0 ? x0 + hi : x0 - hi;
  vm_set_field(ctx, field, orig);
  if (!at(ctx, field, orig, *where, r, becomes))
    return NOT_LINEAR; /* a rule fails there: nothing exact to say */
  return same(r, becomes, base) ? NOT_LINEAR : CHANGES;
}

/* The field's value x as results write it. */
static void say_field(wbuf *b, ty_type t, int64_t x)
{
  char buf[64];
  vm_val v = {0};
  v.u.i = x;
  put(b, write_value_text(t, &v, false, buf, sizeof buf));
}

static void one_direction(wbuf *b, const prog_field *f, const result *r, int dir, finding what,
                          int64_t where, const vm_val *becomes, int64_t far, bool json)
{
  if (json) {
    put(b, dir > 0 ? ", \"above\": " : ", \"below\": ");
    if (what == NO_CHANGE) {
      put(b, "null");
      return;
    }
    put(b, "{\"at\": \"");
    say_field(b, f->type, where);
    put(b, what == CHANGES ? "\", \"exact\": true, \"becomes\": " : "\", \"exact\": false");
    if (what == CHANGES)
      say(b, r, becomes, true);
    put(b, "}");
    return;
  }
  put(b, "    ");
  if (what == NO_CHANGE) {
    put(b, dir > 0 ? "the same for any higher " : "the same for any lower ");
    put(b, f->name);
    put(b, " (to ");
    say_field(b, f->type, far);
    put(b, ")\n");
  } else if (what == CHANGES) {
    put(b, "becomes ");
    say(b, r, becomes, false);
    put(b, " when ");
    put(b, f->name);
    put(b, dir > 0 ? " >= " : " <= ");
    say_field(b, f->type, where);
    put(b, "\n");
  } else {
    put(b, "not linear in ");
    put(b, f->name);
    put(b, dir > 0 ? " above " : " below ");
    say_field(b, f->type, dir > 0 ? where - 1 : where + 1);
    put(b, ": where it changes cannot be said exactly\n");
  }
}

vm_status whatif_record(const elig_program *P, vm_ctx *ctx, uint32_t field, bool json, wbuf *out)
{
  const prog_field *f = &prog_main_record(P)->fields[field];
  const vm_val orig = *vm_field_value(ctx, field);
  bool had_unknown = vm_unknown_of(ctx, vm_field_value(ctx, field)) != 0;
  if (orig.none || had_unknown) {
    put(out, json ? ", \"what_if\": {\"field\": " : "what if: ");
    if (json)
      wbuf_json_text(out, f->name, strlen(f->name));
    else
      put(out, f->name);
    put(out, json ? ", \"value\": null, \"results\": []}" : " has no value to move from\n");
    return VM_OK;
  }
  int64_t x0 = orig.u.i;
  int64_t far_lo = f->has_min ? f->min.u.i : -(f->type.base == TY_MONEY ? FAR_MONEY : FAR_INT);
  int64_t far_hi = f->has_max ? f->max.u.i : (f->type.base == TY_MONEY ? FAR_MONEY : FAR_INT);
  uint32_t n = P->ndecisions + P->nflags;
  result *rs = mem_calloc(n + 1, sizeof *rs);
  if (!rs)
    return VM_ERR_NO_MEMORY;
  for (uint32_t d = 0; d < P->ndecisions; d++)
    rs[d] = (result){P->decisions[d].name, P->decisions[d].cell, P->decisions[d].type, false};
  for (uint32_t i = 0; i < P->nflags; i++)
    rs[P->ndecisions + i] = (result){P->flags[i].name, P->flags[i].cell, ty_make(TY_BOOL), true};
  if (json) {
    put(out, ", \"what_if\": {\"field\": ");
    wbuf_json_text(out, f->name, strlen(f->name));
    put(out, ", \"value\": \"");
    say_field(out, f->type, x0);
    put(out, "\", \"results\": [");
  } else {
    put(out, "\nwhat if ");
    put(out, f->name);
    put(out, " were another value (now ");
    say_field(out, f->type, x0);
    put(out, ")\n");
  }
  vm_status st = VM_OK;
  bool first = true;
  for (uint32_t i = 0; i < n && st == VM_OK; i++) {
    const result *r = &rs[i];
    vm_set_field(ctx, field, &orig);
    vm_cells_stale(ctx);
    if ((st = vm_ensure(ctx, r->cell)) != VM_OK)
      break;
    if (vm_unknown_of(ctx, vm_cell_value(ctx, r->cell)))
      continue; /* undetermined already: another field is missing */
    vm_val base = *vm_cell_value(ctx, r->cell);
    if (json) {
      put(out, first ? "{\"name\": " : ", {\"name\": ");
      wbuf_json_text(out, r->name, strlen(r->name));
      put(out, r->flag ? ", \"raised\": " : ", \"value\": ");
      say(out, r, &base, true);
    } else {
      put(out, "  ");
      put(out, r->name);
      put(out, r->flag ? " " : " = ");
      say(out, r, &base, false);
      put(out, "\n");
    }
    for (int dir = -1; dir <= 1; dir += 2) {
      int64_t where = 0;
      vm_val becomes = {0};
      finding what =
          search(ctx, field, &orig, x0, dir > 0 ? far_hi : far_lo, dir, r, &base, &where, &becomes);
      one_direction(out, f, r, dir, what, where, &becomes, dir > 0 ? far_hi : far_lo, json);
    }
    if (json)
      put(out, "}");
    first = false;
  }
  if (json)
    put(out, "]}");
  vm_set_field(ctx, field, &orig);
  vm_cells_stale(ctx);
  mem_free(rs);
  return out->failed ? VM_ERR_NO_MEMORY : st;
}
