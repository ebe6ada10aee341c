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

#include "i18n.h"
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

/* The result's value in JSON: a decision's as results write it, a flag's true or false. */
static void say_json(wbuf *b, const result *r, const vm_val *v)
{
  if (r->flag)
    put(b, v->u.i ? "true" : "false");
  else
    write_value_json(b, r->type, v);
}

/* A result as it is, in text: "status = "remain_poor"" (the rules' notation), or a flag
 * raised or not, in words. */
static void result_line(wbuf *b, const result *r, const vm_val *v)
{
  char buf[256];
  if (!r->flag)
    wbuf_printf(b, "%s = %s", r->name, write_value_text(r->type, v, true, buf, sizeof buf));
  else if (v->u.i)
    /* TRANSLATORS: what if a field were another value: %s is a flag's name; it is raised
     * now. */
    wbuf_printf(b, _("%s raised"), r->name);
  else
    /* TRANSLATORS: the same for a flag not raised now. */
    wbuf_printf(b, _("%s not raised"), r->name);
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

/* The field's value x as results write it, into buf. */
static const char *field_text(ty_type t, int64_t x, char *buf, size_t size)
{
  vm_val v = {0};
  v.u.i = x;
  return write_value_text(t, &v, false, buf, size);
}

static void say_field(wbuf *b, ty_type t, int64_t x)
{
  char buf[64];
  put(b, field_text(t, x, buf, sizeof buf));
}

/* "becomes "exit_eligible" when net_income >= 16000.04": where a result changes, one
 * sentence in the reader's language; a flag's outcome said in words. */
static void becomes_text(wbuf *b, const prog_field *f, const result *r, int dir,
                         const vm_val *becomes, const char *at)
{
  char buf[256];
  if (!r->flag) {
    const char *value = write_value_text(r->type, becomes, true, buf, sizeof buf);
    if (dir > 0)
      /* TRANSLATORS: what if a field were higher: %1$s the value a decision takes then, as
       * results write it ("\"exit_eligible\""), %2$s the field's name, %3$s its value. */
      wbuf_printf(b, _("becomes %s when %s >= %s"), value, f->name, at);
    else
      /* TRANSLATORS: the same when the field is lower. */
      wbuf_printf(b, _("becomes %s when %s <= %s"), value, f->name, at);
  } else if (becomes->u.i) {
    if (dir > 0)
      /* TRANSLATORS: what if a field were higher: a flag is raised when %1$s (its name) is
       * at least %2$s. */
      wbuf_printf(b, _("becomes raised when %s >= %s"), f->name, at);
    else
      /* TRANSLATORS: the same when the field is at most %2$s. */
      wbuf_printf(b, _("becomes raised when %s <= %s"), f->name, at);
  } else {
    if (dir > 0)
      /* TRANSLATORS: what if a field were higher: a flag is no longer raised when %1$s (its
       * name) is at least %2$s. */
      wbuf_printf(b, _("becomes not raised when %s >= %s"), f->name, at);
    else
      /* TRANSLATORS: the same when the field is at most %2$s. */
      wbuf_printf(b, _("becomes not raised when %s <= %s"), f->name, at);
  }
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
      say_json(b, r, becomes);
    put(b, "}");
    return;
  }
  char buf[64];
  put(b, "    ");
  if (what == NO_CHANGE && dir > 0)
    /* TRANSLATORS: what if a field were higher: the result stays as it is for any value of
     * field %1$s up to %2$s, as far as the search goes. */
    wbuf_printf(b, _("the same for any higher %s (to %s)"), f->name,
                field_text(f->type, far, buf, sizeof buf));
  else if (what == NO_CHANGE)
    /* TRANSLATORS: the same for lower values of field %1$s, down to %2$s. */
    wbuf_printf(b, _("the same for any lower %s (to %s)"), f->name,
                field_text(f->type, far, buf, sizeof buf));
  else if (what == CHANGES)
    becomes_text(b, f, r, dir, becomes, field_text(f->type, where, buf, sizeof buf));
  else if (dir > 0)
    /* TRANSLATORS: the rules compute with field %1$s in a way that is not a straight line
     * (a product of it with itself, a table looked up by it) above its value %2$s, so the
     * search cannot prove where the result changes. */
    wbuf_printf(b, _("not linear in %s above %s: where it changes cannot be said exactly"), f->name,
                field_text(f->type, where - 1, buf, sizeof buf));
  else
    /* TRANSLATORS: the same below the value %2$s of field %1$s. */
    wbuf_printf(b, _("not linear in %s below %s: where it changes cannot be said exactly"), f->name,
                field_text(f->type, where + 1, buf, sizeof buf));
  put(b, "\n");
}

vm_status whatif_record(const elig_program *P, vm_ctx *ctx, uint32_t field, bool json, wbuf *out)
{
  const prog_field *f = &prog_main_record(P)->fields[field];
  const vm_val orig = *vm_field_value(ctx, field);
  bool had_unknown = vm_unknown_of(ctx, vm_field_value(ctx, field)) != 0;
  if (orig.none || had_unknown) {
    if (json) {
      put(out, ", \"what_if\": {\"field\": ");
      wbuf_json_text(out, f->name, strlen(f->name));
      put(out, ", \"value\": null, \"results\": []}");
    } else {
      /* TRANSLATORS: `explain --what-if FIELD` on a record where field %s is absent or
       * undetermined: there is no value to search from. */
      wbuf_printf(out, _("what if: %s has no value to move from"), f->name);
      put(out, "\n");
    }
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
    char buf[64];
    put(out, "\n");
    /* TRANSLATORS: the heading of `explain --what-if FIELD`: %1$s is the field's name, %2$s
     * its value in the record.  Below it, each result and where it would change. */
    wbuf_printf(out, _("what if %s were another value (now %s)"), f->name,
                field_text(f->type, x0, buf, sizeof buf));
    put(out, "\n");
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
      say_json(out, r, &base);
    } else {
      put(out, "  ");
      result_line(out, r, &base);
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
