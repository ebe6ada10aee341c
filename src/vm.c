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
#include "textfn.h"
#include "vm.h"

/* The registers hold, in order: the main record's fields, the element records' fields
 * (while their checks run), as_of, then constants, cells, temporaries and group values
 * (compile.c numbers them).  Only this file indexes them. */
struct vm_ctx {
  vm_state s;      /* first: vm.h's inline accessors read it through the pointer */
  uint32_t *done;  /* per cell: the record number it was computed for */
  uint32_t serial; /* the current record's number; never 0 */
  uint32_t *stack; /* return addresses */
  regex_matcher *matcher;
  char *scratch; /* text produced by upper/lower, reset per record */
  size_t scratch_len, scratch_cap;
  vm_val *elems; /* element records of lists, for the current record */
  uint32_t nelems, elems_cap;
  vm_status err;   /* the last failure */
  uint32_t err_pc; /* where it happened */
  vm_val *prev;    /* what the household's previous record kept, per memory slot */
  bool has_prev;   /* false: the record has no previous record (previous() is none) */
};

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
  if (!ctx->s.R || !ctx->done || !ctx->s.rule || !ctx->stack || !ctx->matcher || !ctx->prev) {
    vm_ctx_free(ctx);
    return NULL;
  }
  for (uint32_t i = 0; i < P->nconsts; i++)
    ctx->s.R[P->const_regs[i]] = P->consts[i];
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
  mem_free(ctx->elems);
  mem_free(ctx->prev);
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
  ctx->nelems = 0;
  ctx->has_prev = false;
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

/* One value of base type t: text as a 4-byte length and the bytes, numbers as a dec_num,
 * lists as their element count and stride then each element value, the rest as 8 bytes;
 * a tag byte first (0 none, 1 present). */
static void put_value(const vm_ctx *ctx, wbuf *out, ty_type t, const vm_val *v)
{
  char tag = v->none ? 0 : 1;
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
      for (uint32_t j = 0; j < v->u.l.stride && j < er->nfields; j++)
        put_value(ctx, out, er->fields[j].type,
                  &ctx->elems[v->u.l.first + (size_t)e * v->u.l.stride + j]);
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
    put_value(ctx, out, m->type, &ctx->s.R[m->reg]); /* never a list (the checker) */
  }
  return out->failed ? VM_ERR_NO_MEMORY : VM_OK;
}

void vm_image(const vm_ctx *ctx, wbuf *out)
{
  const prog_record *rec = &ctx->s.P->records[ctx->s.P->main_record];
  for (uint32_t i = 0; i < rec->nfields; i++)
    put_value(ctx, out, rec->fields[i].type, &ctx->s.R[i]);
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
  for (uint32_t i = 0; i < rec->nfields; i++)
    if (!get_value(ctx, &p, end, rec->fields[i].type, &ctx->s.R[i]))
      return false;
  return p == end;
}

/* Reads kept values (vm_remember's bytes) into out[0..nmemory), or only checks them when out
 * is NULL. */
static bool read_kept(const elig_program *P, const char *kept, size_t len, vm_val *out)
{
  const char *p = kept, *end = kept + len;
  for (uint32_t i = 0; i < P->nmemory; i++) {
    vm_val v;
    char tag;
    memset(&v, 0, sizeof v);
    if (!take(&p, end, &tag, 1) || (tag != 0 && tag != 1))
      return false;
    v.none = tag == 0;
    if (!v.none) {
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
  return kept && read_kept(P, kept, len, NULL);
}

bool vm_set_previous(vm_ctx *ctx, const char *kept, size_t len)
{
  ctx->has_prev = false;
  if (!kept)
    return true;
  if (!read_kept(ctx->s.P, kept, len, ctx->prev))
    return false;
  ctx->has_prev = true;
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
    ctx->elems_cap = cap;
  }
  vm_val *first = ctx->elems + ctx->nelems;
  *index = ctx->nelems;
  ctx->nelems = need;
  return first;
}

const char *vm_status_str(vm_status st)
{
  switch (st) {
  case VM_OK: return "ok";
  case VM_ERR_OVERFLOW: return "value out of range";
  case VM_ERR_DIV_ZERO: return "division by zero";
  case VM_ERR_REGEX_LIMIT: return "regex hit its match limit";
  case VM_ERR_REGEX: return "regex matching failed";
  case VM_ERR_NO_MEMORY: return "out of memory";
  }
  return "error";
}

/* ---------------------------------------------------------------- builtins */

static char *scratch(vm_ctx *ctx, size_t n)
{
  if (ctx->scratch_len + n > ctx->scratch_cap) {
    size_t cap = ctx->scratch_cap ? ctx->scratch_cap * 2 : 4096;
    while (cap < ctx->scratch_len + n)
      cap *= 2;
    /* Text already handed out points into the old buffer, so the buffer is never moved
     * during a record: a record that needs more than the buffer fails cleanly, and the
     * buffer grows for the next record. */
    if (ctx->scratch_len > 0) {
      ctx->scratch_cap = cap; /* grow at the next record start */
      return NULL;
    }
    char *s = mem_realloc(ctx->scratch, cap);
    if (!s)
      return NULL;
    ctx->scratch = s;
    ctx->scratch_cap = cap;
  }
  if (!ctx->scratch) {
    return NULL;
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

static bool in_text_set(const prog_set *s, const vm_val *v)
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
    VMCASE(TABI) {
      const prog_table *t = &P->tables[in.x];
      uint32_t lo = 0, hi = t->n; /* the first key > R[B] */
      while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->keys[mid] <= B->u.i)
          lo = mid + 1;
        else
          hi = mid;
      }
      *A = R[t->regs[lo ? lo - 1 : 0]];
      NEXT();
    }
    VMCASE(INS) { bool v = in_text_set(&P->sets[in.x], B); A->none = false; A->u.i = v; NEXT(); }
    VMCASE(INI) { bool v = in_int_set(&P->sets[in.x], B->u.i); A->none = false; A->u.i = v; NEXT(); }
    VMCASE(INN) {
      bool v = false;
      const prog_set *s = &P->sets[in.x];
      for (uint32_t i = 0; i < s->n && !v; i++)
        v = dec_num_cmp(s->nums[i], B->u.n) == 0;
      A->none = false;
      A->u.i = v;
      NEXT();
    }
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
