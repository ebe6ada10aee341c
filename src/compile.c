/*
 * compile.c -- turns a checked rule set into the program vm.c runs.
 *
 * Pipeline: check.c -> compile.c -> vm.c.  Layout:
 *   - registers 0..n-1 hold the main record's fields, in declaration order;
 *   - every constant has a register of its own, filled once when a context is made;
 *   - every cell (derived value, parameter, decision, flag, group key, accumulation input,
 *     field check, aggregate value) has a register and a piece of code ending in RET;
 *   - temporaries are allocated per cell and never reused across cells, since a cell's code
 *     may call another cell (ENSURE) in the middle of an expression.
 * Literals become constants of the type they are used at (an int literal compared with money
 * becomes fen), so nothing is converted at run time that could have been converted here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

#define NO_CELL UINT32_MAX
#define MAX_REGS 65535u

typedef struct {
  elig_program *P;
  chk_program *C;
  diag_list *diags;
  bool failed;
  uint32_t cap_code, cap_consts, cap_const_regs, cap_cells, cap_sets;
  uint32_t *let_cell, *param_cell, *dec_cell, *flag_cell;
  /* while compiling an aggregate's group code */
  prog_aggregate *agg;
  uint32_t *agg_let_cell, *agg_dec_cell;
  /* while compiling code over list elements */
  uint16_t iter_reg;
  bool in_iter;
  /* while compiling a field check of an element record: its fields' registers */
  const prog_record *check_record;
  elig_loc loc;          /* the construct being compiled, for run-time errors */
  uint32_t label;        /* the latest code address a jump lands on */
  uint32_t cell_regs;    /* the first register allocated for the current cell */
  uint16_t bool_regs[2]; /* register + 1 of the constants false and true, 0 until made */
} compiler;

/* ---------------------------------------------------------------- growth */

static bool grow(compiler *c, void **p, uint32_t *cap, uint32_t need, size_t size)
{
  if (need <= *cap)
    return true;
  uint32_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *q = realloc(*p, (size_t)n * size);
  if (!q) {
    c->failed = true;
    return false;
  }
  *p = q;
  *cap = n;
  return true;
}

static uint16_t new_reg(compiler *c)
{
  if (c->P->nregs >= MAX_REGS) {
    if (!c->failed)
      diag_add(c->diags, DIAG_E_TOO_LARGE, c->loc, "registers");
    c->failed = true;
    return 0;
  }
  return (uint16_t)c->P->nregs++;
}

static uint32_t emit(compiler *c, vm_opcode op, uint32_t a, uint32_t b, uint32_t cc, uint32_t x)
{
  elig_program *P = c->P;
  uint32_t cap_locs = c->cap_code;
  if (!grow(c, (void **)&P->code, &c->cap_code, P->ncode + 1, sizeof *P->code))
    return 0;
  if (cap_locs != c->cap_code) {
    elig_loc *l = realloc(P->code_locs, (size_t)c->cap_code * sizeof *l);
    if (!l) {
      c->failed = true;
      return 0;
    }
    P->code_locs = l;
  }
  vm_ins in = {(uint16_t)op, (uint16_t)a, (uint16_t)b, (uint16_t)cc, x};
  P->code[P->ncode] = in;
  P->code_locs[P->ncode] = c->loc;
  return P->ncode++;
}

static void patch(compiler *c, uint32_t at)
{
  c->P->code[at].x = c->P->ncode;
  c->label = c->P->ncode;
}

/* Jump lists: jumps to a label not yet placed are chained through their x operand. */
#define NO_JUMP UINT32_MAX

static uint32_t jump_list(compiler *c, vm_opcode op, uint16_t a, uint32_t list)
{
  return emit(c, op, a, 0, 0, list);
}

static void patch_list(compiler *c, uint32_t list)
{
  while (list != NO_JUMP) {
    uint32_t next = c->P->code[list].x;
    patch(c, list);
    list = next;
  }
}

static uint32_t new_cell(compiler *c, cell_kind kind)
{
  elig_program *P = c->P;
  if (!grow(c, (void **)&P->cells, &c->cap_cells, P->ncells + 1, sizeof *P->cells))
    return 0;
  prog_cell *cell = &P->cells[P->ncells];
  cell->kind = (uint8_t)kind;
  cell->reg = new_reg(c);
  cell->entry = UINT32_MAX;
  return P->ncells++;
}

/* ---------------------------------------------------------------- constants */

static uint16_t const_reg(compiler *c, vm_val v)
{
  elig_program *P = c->P;
  uint16_t r = new_reg(c);
  if (!grow(c, (void **)&P->consts, &c->cap_consts, P->nconsts + 1, sizeof *P->consts))
    return r;
  P->consts[P->nconsts] = v; /* copied into register const_regs[i] when a context is made */
  if (!grow(c, (void **)&P->const_regs, &c->cap_const_regs, P->nconsts + 1,
            sizeof *P->const_regs))
    return r;
  P->const_regs[P->nconsts++] = r;
  return r;
}

static vm_val value_of(const chk_value *v)
{
  vm_val out;
  memset(&out, 0, sizeof out);
  switch (v->type) {
  case TY_NUMBER: case TY_PERCENT: out.u.n = v->n; break;
  case TY_TEXT: out.u.s.p = v->s; out.u.s.len = v->len; break;
  default: out.u.i = v->i; break;
  }
  return out;
}

/* A literal converted to `type`; the checker has already accepted it. */
static vm_val literal(compiler *c, const ast_expr *e, ty_base type)
{
  chk_value v;
  const char *why;
  if (!chk_literal(e, type, &v, &why)) {
    /* An int literal used as money or number is accepted by chk_literal; anything else
     * reaching here is a compiler bug, reported rather than crashed on. */
    diag_add(c->diags, DIAG_E_INTERNAL, e->loc, "literal conversion");
    c->failed = true;
  }
  return value_of(&v);
}

static bool is_literal(const ast_expr *e)
{
  if (e->kind == AST_UNARY && e->op == OPR_NEG)
    e = e->a;
  return e->kind == AST_INT || e->kind == AST_DECIMAL || e->kind == AST_PERCENT ||
         e->kind == AST_STRING || e->kind == AST_DATE || e->kind == AST_BOOL;
}

/* ---------------------------------------------------------------- sets */

/* A set constant of the given element type; sorted so membership is a binary search. */
static uint32_t make_set(compiler *c, const ast_expr *set, ty_base elem)
{
  elig_program *P = c->P;
  if (!grow(c, (void **)&P->sets, &c->cap_sets, P->nsets + 1, sizeof *P->sets))
    return 0;
  prog_set *s = &P->sets[P->nsets];
  memset(s, 0, sizeof *s);
  uint32_t n = set->list.n;
  s->kind = elem == TY_TEXT ? TY_TEXT : (elem == TY_NUMBER || elem == TY_PERCENT) ? TY_NUMBER
                                                                                   : TY_INT;
  if (s->kind == TY_TEXT) {
    s->items = calloc(n ? n : 1, sizeof *s->items);
    s->lens = calloc(n ? n : 1, sizeof *s->lens);
  } else if (s->kind == TY_INT) {
    s->ints = calloc(n ? n : 1, sizeof *s->ints);
  } else {
    s->nums = calloc(n ? n : 1, sizeof *s->nums);
  }
  if ((s->kind == TY_TEXT && (!s->items || !s->lens)) || (s->kind == TY_INT && !s->ints) ||
      (s->kind == TY_NUMBER && !s->nums)) {
    c->failed = true;
    return 0;
  }
  for (uint32_t i = 0; i < n; i++) {
    vm_val v = literal(c, set->list.items[i], elem);
    /* insertion sort: sets are small */
    uint32_t j = i;
    if (s->kind == TY_TEXT) {
      while (j > 0) {
        uint32_t l = s->lens[j - 1] < v.u.s.len ? s->lens[j - 1] : v.u.s.len;
        int k = memcmp(s->items[j - 1], v.u.s.p, l);
        if (k < 0 || (k == 0 && s->lens[j - 1] <= v.u.s.len))
          break;
        s->items[j] = s->items[j - 1];
        s->lens[j] = s->lens[j - 1];
        j--;
      }
      s->items[j] = v.u.s.p;
      s->lens[j] = v.u.s.len;
    } else if (s->kind == TY_INT) {
      while (j > 0 && s->ints[j - 1] > v.u.i) {
        s->ints[j] = s->ints[j - 1];
        j--;
      }
      s->ints[j] = v.u.i;
    } else {
      s->nums[i] = v.u.n; /* number sets are searched linearly */
    }
  }
  s->n = n;
  return P->nsets++;
}

/* ---------------------------------------------------------------- expressions */

static uint16_t expr(compiler *c, ast_expr *e);
static void cell_code(compiler *c, uint32_t cell, ast_expr *e, ty_base type);
static bool is_constant(const ast_expr *e);
static bool fold(compiler *c, ast_expr *e, ty_base as, vm_val *out);
static bool fold_value(compiler *c, ast_expr *e, vm_val *out);

/* The value of e, converted to `to` (int -> money or number, money -> number). */
static uint16_t expr_as(compiler *c, ast_expr *e, ty_base to)
{
  ty_base from = e->type.base;
  if (to == TY_PERCENT)
    to = TY_NUMBER;
  if (from == TY_PERCENT)
    from = TY_NUMBER;
  if (is_literal(e) && from != to && ty_is_numeric(from) && ty_is_numeric(to))
    return const_reg(c, literal(c, e, to));
  if (!is_literal(e) && is_constant(e) && ty_is_numeric(from) && ty_is_numeric(to)) {
    vm_val v;
    return fold(c, e, to, &v) ? const_reg(c, v) : 0;
  }
  uint16_t r = expr(c, e);
  if (from == to || from == TY_NONE || !ty_is_numeric(from) || !ty_is_numeric(to))
    return r;
  uint16_t t = new_reg(c);
  if (from == TY_INT && to == TY_MONEY)
    emit(c, OP_I2M, t, r, 0, 0);
  else if (from == TY_INT && to == TY_NUMBER)
    emit(c, OP_I2N, t, r, 0, 0);
  else if (from == TY_MONEY && to == TY_NUMBER)
    emit(c, OP_M2N, t, r, 0, 0);
  else
    return r;
  return t;
}

/* Which kind of comparison two operand types need. */
static ty_base compare_kind(ty_base a, ty_base b)
{
  if (a == TY_NUMBER || b == TY_NUMBER || a == TY_PERCENT || b == TY_PERCENT)
    return TY_NUMBER;
  if (a == TY_MONEY || b == TY_MONEY)
    return TY_MONEY;
  return a;
}

static uint16_t compare(compiler *c, ast_expr *e)
{
  ty_base k = compare_kind(e->a->type.base, e->b->type.base);
  uint16_t l = expr_as(c, e->a, k), r = expr_as(c, e->b, k), d = new_reg(c);
  vm_opcode eq = k == TY_NUMBER ? OP_EQN : k == TY_TEXT ? OP_EQS : OP_EQI;
  vm_opcode lt = k == TY_NUMBER ? OP_LTN : k == TY_TEXT ? OP_LTS : OP_LTI;
  vm_opcode le = k == TY_NUMBER ? OP_LEN : k == TY_TEXT ? OP_LES : OP_LEI;
  switch (e->op) {
  case OPR_EQ: emit(c, eq, d, l, r, 0); break;
  case OPR_NE: emit(c, eq, d, l, r, 0); emit(c, OP_NOT, d, d, 0, 0); break;
  case OPR_LT: emit(c, lt, d, l, r, 0); break;
  case OPR_LE: emit(c, le, d, l, r, 0); break;
  case OPR_GT: emit(c, lt, d, r, l, 0); break;
  default: emit(c, le, d, r, l, 0); break;
  }
  return d;
}

static uint16_t arith(compiler *c, ast_expr *e)
{
  ty_base t = e->type.base, a = e->a->type.base, b = e->b->type.base;
  uint16_t d = new_reg(c), l, r;
  switch (e->op) {
  case OPR_ADD: case OPR_SUB: {
    bool add = e->op == OPR_ADD;
    if (t == TY_DATE || t == TY_INT || t == TY_MONEY) {
      ty_base k = t == TY_MONEY ? TY_MONEY : TY_INT;
      l = a == TY_DATE ? expr(c, e->a) : expr_as(c, e->a, k);
      r = b == TY_DATE ? expr(c, e->b) : expr_as(c, e->b, k);
      emit(c, add ? OP_ADDI : OP_SUBI, d, l, r, 0);
    } else {
      l = expr_as(c, e->a, TY_NUMBER);
      r = expr_as(c, e->b, TY_NUMBER);
      emit(c, add ? OP_ADDN : OP_SUBN, d, l, r, 0);
    }
    return d;
  }
  case OPR_MUL:
    if (t == TY_INT || t == TY_MONEY) {
      /* money * int: fen times a count */
      emit(c, OP_MULI, d, expr(c, e->a), expr(c, e->b), 0);
    } else {
      l = expr_as(c, e->a, TY_NUMBER);
      r = expr_as(c, e->b, TY_NUMBER);
      emit(c, OP_MULN, d, l, r, 0);
    }
    return d;
  default:
    if (is_constant(e->b)) {
      /* a divisor known now must not be zero: every record would fail */
      vm_val v;
      ty_base bt = e->b->type.base;
      if (fold_value(c, e->b, &v) &&
          ((bt == TY_NUMBER || bt == TY_PERCENT) ? v.u.n.num == 0 : v.u.i == 0)) {
        diag_add(c->diags, DIAG_E_DIV_BY_ZERO, e->loc);
        c->failed = true;
      }
    }
    if (t == TY_MONEY) {
      l = expr(c, e->a);
      r = expr(c, e->b);
      emit(c, OP_DIVMI, d, l, r, 0);
    } else if (a == TY_INT && b == TY_INT) {
      l = expr(c, e->a);
      r = expr(c, e->b);
      emit(c, OP_DIVII, d, l, r, 0);
    } else {
      l = expr_as(c, e->a, TY_NUMBER);
      r = expr_as(c, e->b, TY_NUMBER);
      emit(c, OP_DIVN, d, l, r, 0);
    }
    return d;
  }
}

/* ---------------------------------------------------------------- conditions */

/* The register of the constant true or false (one each per program). */
static uint16_t bool_reg(compiler *c, bool v)
{
  if (!c->bool_regs[v]) {
    vm_val k;
    memset(&k, 0, sizeof k);
    k.u.i = v;
    c->bool_regs[v] = (uint16_t)(const_reg(c, k) + 1);
  }
  return (uint16_t)(c->bool_regs[v] - 1);
}

static uint32_t jump_unless(compiler *c, ast_expr *e, bool when, uint32_t list);

/* Emits code that jumps when e is false, adding the jump(s) to `list`; falls through when
 * true.  `and`, `or` and `not` become jumps, with no boolean ever materialised. */
static uint32_t jump_if_false(compiler *c, ast_expr *e, uint32_t list)
{
  return jump_unless(c, e, true, list);
}

static uint32_t jump_unless(compiler *c, ast_expr *e, bool when, uint32_t list)
{
  if (is_constant(e)) {
    /* a condition known now: no test, and a jump only when it always jumps */
    vm_val v;
    if (!fold(c, e, TY_BOOL, &v) || (v.u.i != 0) == when)
      return list;
    return jump_list(c, OP_JMP, 0, list);
  }
  if (e->kind == AST_UNARY && e->op == OPR_NOT)
    return jump_unless(c, e->a, !when, list);
  if (e->kind == AST_BINARY && !e->ival && (e->op == OPR_AND || e->op == OPR_OR)) {
    bool conj = (e->op == OPR_AND) == when;
    if (conj) {
      /* jump out as soon as one side fails */
      list = jump_unless(c, e->a, when, list);
      return jump_unless(c, e->b, when, list);
    }
    /* a succeeds: skip b; otherwise b decides */
    uint32_t skip = jump_unless(c, e->a, !when, NO_JUMP);
    list = jump_unless(c, e->b, when, list);
    patch_list(c, skip);
    return list;
  }
  if (e->kind == AST_BINARY && e->op >= OPR_EQ && e->op <= OPR_GE) {
    ty_base k = compare_kind(e->a->type.base, e->b->type.base);
    if (k == TY_INT || k == TY_MONEY || k == TY_DATE || k == TY_BOOL) {
      /* one fused compare-and-jump; `when` jumps on the negation */
      static const vm_opcode on_true[] = {OP_JEQI, OP_JNEI, OP_JLTI, OP_JLEI, OP_JGTI, OP_JGEI};
      static const vm_opcode on_false[] = {OP_JNEI, OP_JEQI, OP_JGEI, OP_JGTI, OP_JLEI, OP_JLTI};
      uint16_t l = expr_as(c, e->a, k), r = expr_as(c, e->b, k);
      unsigned k6 = (unsigned)(e->op - OPR_EQ);
      vm_opcode op = when ? on_false[k6] : on_true[k6];
      c->loc = e->loc;
      return emit(c, op, l, r, 0, list);
    }
  }
  uint16_t r = expr(c, e);
  return jump_list(c, when ? OP_JMPF : OP_JMPT, r, list);
}

/* and / or with short-circuit; `x or d` (ival = 1) replaces none with d. */
static uint16_t logic(compiler *c, ast_expr *e)
{
  uint16_t d = new_reg(c);
  if (e->op == OPR_OR && e->ival) {
    emit(c, OP_MOVE, d, expr(c, e->a), 0, 0);
    uint32_t j = emit(c, OP_JMPSOME, d, 0, 0, 0);
    if (e->b->kind == AST_NONE)
      emit(c, OP_LOADNONE, d, 0, 0, 0);
    else
      emit(c, OP_MOVE, d, expr_as(c, e->b, e->type.base), 0, 0);
    patch(c, j);
    return d;
  }
  uint32_t no = jump_if_false(c, e, NO_JUMP);
  emit(c, OP_MOVE, d, bool_reg(c, true), 0, 0);
  uint32_t end = emit(c, OP_JMP, 0, 0, 0, 0);
  patch_list(c, no);
  emit(c, OP_MOVE, d, bool_reg(c, false), 0, 0);
  patch(c, end);
  return d;
}

static uint16_t if_expr(compiler *c, ast_expr *e)
{
  uint16_t d = new_reg(c);
  uint32_t jelse = jump_if_false(c, e->a, NO_JUMP);
  if (e->b->kind == AST_NONE)
    emit(c, OP_LOADNONE, d, 0, 0, 0);
  else
    emit(c, OP_MOVE, d, expr_as(c, e->b, e->type.base), 0, 0);
  uint32_t jend = emit(c, OP_JMP, 0, 0, 0, 0);
  patch_list(c, jelse);
  if (e->c->kind == AST_NONE)
    emit(c, OP_LOADNONE, d, 0, 0, 0);
  else
    emit(c, OP_MOVE, d, expr_as(c, e->c, e->type.base), 0, 0);
  patch(c, jend);
  return d;
}

static uint16_t in_set(compiler *c, ast_expr *e)
{
  ty_base k = e->a->type.base;
  if (k == TY_INT && e->b->list.n && ((ast_expr *)e->b->list.items[0])->type.base != TY_INT)
    k = compare_kind(k, ((ast_expr *)e->b->list.items[0])->type.base);
  uint16_t x = expr_as(c, e->a, k), d = new_reg(c);
  uint32_t set = make_set(c, e->b, k);
  vm_opcode op = k == TY_TEXT ? OP_INS : (k == TY_NUMBER || k == TY_PERCENT) ? OP_INN : OP_INI;
  emit(c, op, d, x, 0, set);
  if (e->ival)
    emit(c, OP_NOT, d, d, 0, 0);
  return d;
}

/* The register of a name: fields are where the reader put them; cells are computed on
 * demand. */
static uint16_t name(compiler *c, ast_expr *e)
{
  uint32_t cell = NO_CELL;
  switch (e->ref) {
  case REF_FIELD:
    if (c->check_record)
      return (uint16_t)(c->check_record->first_reg + e->index);
    return (uint16_t)e->index;
  case REF_MEMBER: {
    if (c->check_record)
      return (uint16_t)(c->check_record->first_reg + e->index);
    uint16_t d = new_reg(c);
    emit(c, OP_MLOAD, d, c->iter_reg, 0, e->index);
    return d;
  }
  case REF_LET: cell = c->let_cell[e->index]; break;
  case REF_PARAM: cell = c->param_cell[e->index]; break;
  case REF_DECISION: cell = c->dec_cell[e->index]; break;
  case REF_FLAG: cell = c->flag_cell[e->index]; break;
  case REF_AGG_KEY: return (uint16_t)(c->agg->key_reg + e->index);
  case REF_AGG_LET: cell = c->agg_let_cell[e->index]; break;
  case REF_AGG_DECISION: cell = c->agg_dec_cell[e->index]; break;
  case REF_AS_OF: return c->P->as_of_reg;
  default:
    diag_add(c->diags, DIAG_E_INTERNAL, e->loc, "unresolved name");
    c->failed = true;
    return 0;
  }
  emit(c, OP_ENSURE, cell, 0, 0, 0);
  return c->P->cells[cell].reg;
}

/* ---------------------------------------------------------------- calls */

/* count/sum/min/max/any/all over the elements of a list field. */
static uint16_t list_aggregation(compiler *c, ast_expr *e)
{
  ast_expr *arg = e->list.items[0];
  ast_expr *list = arg->kind == AST_MEMBER ? arg->a : arg;
  chk_builtin f = (chk_builtin)e->index;
  ty_base t = e->type.base;
  uint16_t acc = new_reg(c), it = new_reg(c), it2 = new_reg(c);
  (void)it2; /* ITER uses it and it + 1 */
  vm_val zero;
  memset(&zero, 0, sizeof zero);
  if (f == BI_MIN || f == BI_MAX)
    emit(c, OP_LOADNONE, acc, 0, 0, 0);
  else if (f == BI_ALL) {
    zero.u.i = 1;
    emit(c, OP_MOVE, acc, const_reg(c, zero), 0, 0);
  } else {
    if (t == TY_NUMBER || t == TY_PERCENT)
      zero.u.n = dec_num_from_int(0);
    emit(c, OP_MOVE, acc, const_reg(c, zero), 0, 0);
  }
  emit(c, OP_ITER, it, expr(c, list), 0, 0);
  uint32_t loop = c->P->ncode;
  uint32_t next = emit(c, OP_NEXT, it, 0, 0, 0);
  uint16_t saved_iter = c->iter_reg;
  c->iter_reg = it;
  uint32_t skip = NO_JUMP;
  if (e->b) {
    if (f != BI_ANY && f != BI_ALL)
      skip = jump_if_false(c, e->b, NO_JUMP);
  }
  if (e->b && (f == BI_ANY || f == BI_ALL)) {
    uint16_t w = expr(c, e->b);
    {
      vm_val v;
      memset(&v, 0, sizeof v);
      v.u.i = f == BI_ANY;
      uint32_t j = emit(c, f == BI_ANY ? OP_JMPF : OP_JMPT, w, 0, 0, 0);
      emit(c, OP_MOVE, acc, const_reg(c, v), 0, 0);
      uint32_t out = emit(c, OP_JMP, 0, 0, 0, 0);
      patch(c, j);
      emit(c, OP_JMP, 0, 0, 0, loop);
      patch(c, out);
      c->P->code[next].x = c->P->ncode;
      c->iter_reg = saved_iter;
      return acc;
    }
  }
  if (f == BI_COUNT) {
    vm_val one;
    memset(&one, 0, sizeof one);
    one.u.i = 1;
    emit(c, OP_ADDI, acc, acc, const_reg(c, one), 0);
  } else {
    uint16_t v = new_reg(c);
    emit(c, OP_MLOAD, v, it, 0, arg->index);
    if (f == BI_SUM) {
      emit(c, t == TY_NUMBER || t == TY_PERCENT ? OP_ADDN : OP_ADDI, acc, acc, v, 0);
    } else {
      /* min/max: take v when acc is none or v beats acc */
      uint16_t better = new_reg(c);
      uint32_t take = emit(c, OP_JMPNONE, acc, 0, 0, 0);
      vm_opcode lt = t == TY_NUMBER || t == TY_PERCENT ? OP_LTN : OP_LTI;
      if (f == BI_MIN)
        emit(c, lt, better, v, acc, 0);
      else
        emit(c, lt, better, acc, v, 0);
      uint32_t keep = emit(c, OP_JMPF, better, 0, 0, 0);
      patch(c, take);
      emit(c, OP_MOVE, acc, v, 0, 0);
      patch(c, keep);
    }
  }
  patch_list(c, skip);
  emit(c, OP_JMP, 0, 0, 0, loop);
  c->P->code[next].x = c->P->ncode;
  c->iter_reg = saved_iter;
  return acc;
}

/* Evaluates args into fresh consecutive registers and returns the first. */
static uint16_t args_block(compiler *c, ast_expr *e, uint32_t n, const ty_base *as)
{
  uint16_t regs[3];
  for (uint32_t i = 0; i < n; i++)
    regs[i] = as ? expr_as(c, e->list.items[i], as[i]) : expr(c, e->list.items[i]);
  uint16_t first = new_reg(c);
  for (uint32_t i = 1; i < n; i++)
    new_reg(c);
  for (uint32_t i = 0; i < n; i++)
    emit(c, OP_MOVE, first + i, regs[i], 0, 0);
  return first;
}

static uint16_t call(compiler *c, ast_expr *e)
{
  chk_builtin f = (chk_builtin)e->index;
  ast_expr **a = (ast_expr **)e->list.items;
  uint16_t d;
  if (c->agg && (f == BI_COUNT || f == BI_SUM || f == BI_ANY || f == BI_ALL ||
                 f == BI_FIRST || ((f == BI_MIN || f == BI_MAX) && e->list.n == 1)))
    return (uint16_t)(c->agg->acc_reg + e->ival);
  switch (f) {
  case BI_COUNT: case BI_SUM: case BI_ANY: case BI_ALL:
    return list_aggregation(c, e);
  case BI_MIN: case BI_MAX: {
    if (e->list.n == 1)
      return list_aggregation(c, e);
    ty_base t = e->type.base;
    vm_opcode lt = t == TY_NUMBER || t == TY_PERCENT ? OP_LTN : OP_LTI;
    d = new_reg(c);
    emit(c, OP_MOVE, d, expr_as(c, a[0], t), 0, 0);
    for (uint32_t i = 1; i < e->list.n; i++) {
      uint16_t v = expr_as(c, a[i], t), better = new_reg(c);
      if (f == BI_MIN)
        emit(c, lt, better, v, d, 0);
      else
        emit(c, lt, better, d, v, 0);
      uint32_t j = emit(c, OP_JMPF, better, 0, 0, 0);
      emit(c, OP_MOVE, d, v, 0, 0);
      patch(c, j);
    }
    return d;
  }
  case BI_ROUND: {
    ty_base t = a[0]->type.base;
    uint16_t x = expr(c, a[0]);
    uint32_t places = (uint32_t)atoi(a[1]->text);
    d = new_reg(c);
    if (t == TY_MONEY)
      emit(c, OP_ROUNDM, d, x, places, (uint32_t)a[2]->ival);
    else if (t == TY_INT)
      emit(c, OP_MOVE, d, x, 0, 0);
    else
      emit(c, OP_ROUNDN, d, x, places, (uint32_t)a[2]->ival);
    return d;
  }
  case BI_MONEY: {
    ty_base t = a[0]->type.base;
    if (t == TY_MONEY || t == TY_INT)
      return expr_as(c, a[0], TY_MONEY);
    d = new_reg(c);
    emit(c, OP_N2M, d, expr(c, a[0]), 0, (uint32_t)a[1]->ival);
    return d;
  }
  case BI_ABS: {
    ty_base t = e->type.base;
    d = new_reg(c);
    emit(c, t == TY_NUMBER || t == TY_PERCENT ? OP_ABSN : OP_ABSI, d, expr(c, a[0]), 0, 0);
    return d;
  }
  default: {
    uint16_t first = args_block(c, e, e->list.n, NULL);
    d = new_reg(c);
    emit(c, OP_CALL, d, first, 0, f);
    return d;
  }
  }
}

/* ---------------------------------------------------------------- constant folding */

/* Whether e is built from literals only (so its value is known now). */
static bool is_constant(const ast_expr *e)
{
  if (is_literal(e))
    return true;
  if (e->kind == AST_UNARY)
    return is_constant(e->a);
  if (e->kind == AST_BINARY && !e->ival)
    return is_constant(e->a) && is_constant(e->b);
  return false;
}

/* v (of type `from`) as `to`, exactly as the VM's conversion instructions do. */
static bool convert(vm_val *v, ty_base from, ty_base to)
{
  if (from == TY_PERCENT)
    from = TY_NUMBER;
  if (to == TY_PERCENT)
    to = TY_NUMBER;
  if (from == to || !ty_is_numeric(from) || !ty_is_numeric(to))
    return true;
  if (from == TY_INT && to == TY_MONEY)
    return !__builtin_mul_overflow(v->u.i, 100, &v->u.i);
  if (from == TY_INT && to == TY_NUMBER)
    v->u.n = dec_num_from_int(v->u.i);
  else if (from == TY_MONEY && to == TY_NUMBER)
    v->u.n = dec_num_from_money(v->u.i);
  return true;
}

static bool fold(compiler *c, ast_expr *e, ty_base as, vm_val *out);

/* The value of a constant expression, computed with the VM's own arithmetic; false (with a
 * diagnostic) when it divides by zero or leaves the range. */
static bool fold_value(compiler *c, ast_expr *e, vm_val *out)
{
  ty_base t = e->type.base;
  vm_val a, b;
  dec_status st = DEC_OK;
  memset(out, 0, sizeof *out);
  if (is_literal(e)) {
    *out = literal(c, e, t);
    return true;
  }
  if (e->kind == AST_UNARY) {
    if (!fold(c, e->a, t == TY_BOOL ? TY_BOOL : t, &a))
      return false;
    if (e->op == OPR_NOT)
      out->u.i = !a.u.i;
    else if (t == TY_NUMBER || t == TY_PERCENT)
      st = dec_num_neg(a.u.n, &out->u.n);
    else if (a.u.i == INT64_MIN)
      st = DEC_OVERFLOW;
    else
      out->u.i = -a.u.i;
  } else if (e->op == OPR_AND || e->op == OPR_OR) {
    if (!fold(c, e->a, TY_BOOL, &a) || !fold(c, e->b, TY_BOOL, &b))
      return false;
    out->u.i = e->op == OPR_AND ? a.u.i && b.u.i : a.u.i || b.u.i;
  } else if (e->op >= OPR_EQ && e->op <= OPR_GE) {
    ty_base k = compare_kind(e->a->type.base, e->b->type.base);
    if (!fold(c, e->a, k, &a) || !fold(c, e->b, k, &b))
      return false;
    int cmp = k == TY_NUMBER || k == TY_PERCENT ? dec_num_cmp(a.u.n, b.u.n)
              : k == TY_TEXT
                  ? (a.u.s.len == b.u.s.len ? memcmp(a.u.s.p, b.u.s.p, a.u.s.len)
                                            : (a.u.s.len < b.u.s.len ? -1 : 1))
                  : (a.u.i > b.u.i) - (a.u.i < b.u.i);
    static const bool lt[] = {0, 1, 1, 1, 0, 0}, eq[] = {1, 0, 0, 1, 0, 1},
                      gt[] = {0, 1, 0, 0, 1, 1};
    unsigned o = (unsigned)(e->op - OPR_EQ);
    out->u.i = cmp < 0 ? lt[o] : cmp == 0 ? eq[o] : gt[o];
  } else {
    /* arithmetic, in the operand kinds arith() uses */
    ty_base ka = e->a->type.base, kb = e->b->type.base;
    bool num = t == TY_NUMBER || t == TY_PERCENT;
    ty_base k = num ? TY_NUMBER : t == TY_MONEY && e->op != OPR_MUL && e->op != OPR_DIV
                                      ? TY_MONEY : TY_INT;
    if (e->op == OPR_DIV && !num)
      k = TY_INT; /* money / int: keep both as they are */
    if (e->op == OPR_DIV && num && ka == TY_INT && kb == TY_INT)
      k = TY_INT;
    if (!fold(c, e->a, k == TY_INT ? (ka == TY_DATE ? TY_DATE : ka == TY_MONEY ? TY_MONEY : k) : k, &a) ||
        !fold(c, e->b, k == TY_INT ? (kb == TY_MONEY ? TY_MONEY : kb == TY_DATE ? TY_DATE : k) : k, &b))
      return false;
    switch (e->op) {
    case OPR_ADD:
      if (num) st = dec_num_add(a.u.n, b.u.n, &out->u.n);
      else if (__builtin_add_overflow(a.u.i, b.u.i, &out->u.i)) st = DEC_OVERFLOW;
      break;
    case OPR_SUB:
      if (num) st = dec_num_sub(a.u.n, b.u.n, &out->u.n);
      else if (__builtin_sub_overflow(a.u.i, b.u.i, &out->u.i)) st = DEC_OVERFLOW;
      break;
    case OPR_MUL:
      if (num) st = dec_num_mul(a.u.n, b.u.n, &out->u.n);
      else if (__builtin_mul_overflow(a.u.i, b.u.i, &out->u.i)) st = DEC_OVERFLOW;
      break;
    default:
      if (t == TY_MONEY)
        st = dec_money_div_int(a.u.i, b.u.i, DEC_HALF_AWAY, &out->u.i);
      else if (k == TY_INT)
        st = b.u.i == 0 ? DEC_DIV_ZERO
                        : dec_num_div(dec_num_from_int(a.u.i), dec_num_from_int(b.u.i), &out->u.n);
      else
        st = dec_num_div(a.u.n, b.u.n, &out->u.n);
      break;
    }
  }
  if (st != DEC_OK) {
    if (!c->failed)
      diag_add(c->diags, st == DEC_DIV_ZERO ? DIAG_E_DIV_BY_ZERO : DIAG_E_CONST_RANGE, e->loc);
    c->failed = true;
    return false;
  }
  return true;
}

/* fold_value, converted to `as`. */
static bool fold(compiler *c, ast_expr *e, ty_base as, vm_val *out)
{
  if (!fold_value(c, e, out))
    return false;
  if (!convert(out, (ty_base)e->type.base, as)) {
    if (!c->failed)
      diag_add(c->diags, DIAG_E_CONST_RANGE, e->loc);
    c->failed = true;
    return false;
  }
  return true;
}

static uint16_t expr(compiler *c, ast_expr *e)
{
  elig_loc saved = c->loc;
  uint16_t r = 0, d;
  c->loc = e->loc;
  if ((e->kind == AST_UNARY || e->kind == AST_BINARY) && !is_literal(e) && is_constant(e)) {
    /* constants are folded: 2 * 1500 is one constant, and 1 / (2 - 2) an error now */
    vm_val v;
    if (fold_value(c, e, &v))
      r = const_reg(c, v);
    c->loc = saved;
    return r;
  }
  switch (e->kind) {
  case AST_INT: case AST_DECIMAL: case AST_PERCENT: case AST_STRING: case AST_DATE:
  case AST_BOOL:
    r = const_reg(c, literal(c, e, (ty_base)e->type.base));
    break;
  case AST_NONE:
    r = new_reg(c);
    emit(c, OP_LOADNONE, r, 0, 0, 0);
    break;
  case AST_NAME:
    r = name(c, e);
    break;
  case AST_UNARY:
    if (e->op == OPR_NEG && is_literal(e)) {
      r = const_reg(c, literal(c, e, (ty_base)e->type.base));
      break;
    }
    d = new_reg(c);
    if (e->op == OPR_NOT)
      emit(c, OP_NOT, d, expr(c, e->a), 0, 0);
    else
      emit(c, e->type.base == TY_NUMBER || e->type.base == TY_PERCENT ? OP_NEGN : OP_NEGI, d,
           expr(c, e->a), 0, 0);
    r = d;
    break;
  case AST_BINARY:
    if (e->op == OPR_AND || e->op == OPR_OR)
      r = logic(c, e);
    else if (e->op >= OPR_EQ && e->op <= OPR_GE)
      r = compare(c, e);
    else
      r = arith(c, e);
    break;
  case AST_IS_NONE:
    d = new_reg(c);
    emit(c, OP_ISNONE, d, expr(c, e->a), 0, 0);
    if (e->ival)
      emit(c, OP_NOT, d, d, 0, 0);
    r = d;
    break;
  case AST_IN:
    r = in_set(c, e);
    break;
  case AST_MATCHES:
    d = new_reg(c);
    emit(c, OP_MATCH, d, expr(c, e->a), 0, e->b->index);
    r = d;
    break;
  case AST_IF:
    r = if_expr(c, e);
    break;
  case AST_CALL:
    r = call(c, e);
    break;
  default:
    diag_add(c->diags, DIAG_E_INTERNAL, e->loc, "expression kind");
    c->failed = true;
    break;
  }
  c->loc = saved;
  return r;
}

/* ---------------------------------------------------------------- cells */

static void begin_cell(compiler *c, uint32_t cell)
{
  c->P->cells[cell].entry = c->P->ncode;
  c->cell_regs = c->P->nregs;
}

/* Instructions whose only effect is to write R[A]. */
static bool writes_only_a(vm_opcode op)
{
  switch (op) {
  case OP_JMP: case OP_JMPF: case OP_JMPT: case OP_JMPNONE: case OP_JMPSOME: case OP_ENSURE:
  case OP_JLTI: case OP_JGEI: case OP_JLEI: case OP_JGTI: case OP_JEQI: case OP_JNEI:
  case OP_RET: case OP_SETRULE: case OP_ITER: case OP_NEXT: case OP_HALT: case OP__COUNT:
    return false;
  default:
    return true;
  }
}

/* Stores the cell's value and returns.  When the value is a temporary that the instruction
 * just emitted computed, and no jump lands after that instruction, the instruction writes
 * the cell's register directly instead of being followed by a MOVE. */
static void end_cell(compiler *c, uint32_t cell, uint16_t value)
{
  uint16_t reg = c->P->cells[cell].reg;
  vm_ins *last = c->P->ncode ? &c->P->code[c->P->ncode - 1] : NULL;
  if (value != reg && last && last->a == value && value >= c->cell_regs &&
      writes_only_a((vm_opcode)last->op) && c->label != c->P->ncode &&
      c->P->ncode > c->P->cells[cell].entry)
    last->a = reg;
  else if (value != reg)
    emit(c, OP_MOVE, reg, value, 0, 0);
  emit(c, OP_RET, cell, 0, 0, 0);
}

/* Conditions whose value is best computed as jumps. */
static bool is_condition(const ast_expr *e)
{
  return (e->kind == AST_BINARY && !e->ival &&
          (e->op == OPR_AND || e->op == OPR_OR || (e->op >= OPR_EQ && e->op <= OPR_GE))) ||
         (e->kind == AST_UNARY && e->op == OPR_NOT);
}

/* A cell whose value is one expression, converted to `type`. */
static void cell_code(compiler *c, uint32_t cell, ast_expr *e, ty_base type)
{
  uint16_t reg = c->P->cells[cell].reg;
  begin_cell(c, cell);
  c->loc = e->loc;
  if (e->kind == AST_NONE) {
    emit(c, OP_LOADNONE, reg, 0, 0, 0);
    emit(c, OP_RET, cell, 0, 0, 0);
    return;
  }
  if (type == TY_BOOL && is_condition(e)) {
    /* jumps to one of two returns: no boolean goes through a temporary */
    uint32_t no = jump_if_false(c, e, NO_JUMP);
    emit(c, OP_MOVE, reg, bool_reg(c, true), 0, 0);
    emit(c, OP_RET, cell, 0, 0, 0);
    patch_list(c, no);
    emit(c, OP_MOVE, reg, bool_reg(c, false), 0, 0);
    emit(c, OP_RET, cell, 0, 0, 0);
    return;
  }
  end_cell(c, cell, expr_as(c, e, type));
}

/* A year or date table of literal rows as a table constant; returns its number. */
static uint32_t year_table(compiler *c, const ast_table *t, ty_base kt, ty_base type)
{
  elig_program *P = c->P;
  prog_table *tabs = realloc(P->tables, (P->ntables + 1) * sizeof *tabs);
  if (!tabs) {
    c->failed = true;
    return 0;
  }
  P->tables = tabs;
  prog_table *tab = &tabs[P->ntables];
  tab->n = t->rows.n;
  tab->keys = calloc(tab->n + 1, sizeof *tab->keys);
  tab->regs = calloc(tab->n + 1, sizeof *tab->regs);
  if (!tab->keys || !tab->regs) {
    free(tab->keys);
    free(tab->regs);
    c->failed = true;
    return 0;
  }
  for (uint32_t i = 0; i < tab->n; i++) {
    ast_table_row *r = t->rows.items[i];
    tab->keys[i] = literal(c, r->keys.items[0], kt).u.i;
    tab->regs[i] = const_reg(c, literal(c, r->value, type));
  }
  return P->ntables++;
}

/* param NAME TYPE by KEY { k: v ... }: a chain of tests on the key, written so that the
 * first row of a year table also applies before its year. */
static void table_code(compiler *c, uint32_t cell, const ast_table *t, ty_base type)
{
  uint16_t reg = c->P->cells[cell].reg;
  if (!t->by) {
    ast_table_row *r = t->rows.items[0];
    emit(c, OP_MOVE, reg, const_reg(c, literal(c, r->value, type)), 0, 0);
    emit(c, OP_RET, cell, 0, 0, 0);
    return;
  }
  ty_base kt = t->by->type.base;
  uint16_t key = expr(c, t->by);
  bool ordered = kt == TY_INT || kt == TY_DATE, has_otherwise = false;
  bool flat = true;
  for (uint32_t i = 0; i < t->rows.n; i++)
    flat &= ((ast_table_row *)t->rows.items[i])->nested == NULL;
  if (ordered && flat) {
    /* one instruction: a binary search over the rows */
    emit(c, OP_TABI, reg, key, 0, year_table(c, t, kt, type));
    emit(c, OP_RET, cell, 0, 0, 0);
    return;
  }
  for (uint32_t n = t->rows.n, i = 0; i < n; i++) {
    /* year tables are tested from the last row back */
    ast_table_row *r = t->rows.items[ordered ? n - 1 - i : i];
    uint32_t skip = UINT32_MAX;
    if (ordered && i + 1 < n) {
      uint16_t k = const_reg(c, literal(c, r->keys.items[0], kt)), ge = new_reg(c);
      emit(c, OP_LEI, ge, k, key, 0);
      skip = emit(c, OP_JMPF, ge, 0, 0, 0);
    } else if (!ordered && r->keys.n) {
      ast_expr set = {.kind = AST_SET, .list = r->keys};
      uint16_t in = new_reg(c);
      emit(c, OP_INS, in, key, 0, make_set(c, &set, TY_TEXT));
      skip = emit(c, OP_JMPF, in, 0, 0, 0);
    } else if (!ordered) {
      has_otherwise = true;
    }
    if (r->nested)
      table_code(c, cell, r->nested, type);
    else {
      emit(c, OP_MOVE, reg, const_reg(c, literal(c, r->value, type)), 0, 0);
      emit(c, OP_RET, cell, 0, 0, 0);
    }
    if (skip != UINT32_MAX)
      patch(c, skip);
  }
  if (!ordered && !has_otherwise) {
    emit(c, OP_LOADNONE, reg, 0, 0, 0);
    emit(c, OP_RET, cell, 0, 0, 0);
  }
}

static void decision_code(compiler *c, uint32_t cell, ast_decl *d, prog_decision *pd)
{
  begin_cell(c, cell);
  pd->name = d->name;
  pd->type = d->type;
  pd->cell = cell;
  pd->nrules = d->rules.n;
  pd->reasons = calloc(d->rules.n ? d->rules.n : 1, sizeof *pd->reasons);
  pd->rule_locs = calloc(d->rules.n ? d->rules.n : 1, sizeof *pd->rule_locs);
  if (!pd->reasons || !pd->rule_locs) {
    c->failed = true;
    return;
  }
  for (uint32_t i = 0; i < d->rules.n; i++) {
    ast_rule *r = d->rules.items[i];
    pd->reasons[i] = r->reason;
    pd->rule_locs[i] = r->loc;
    c->loc = r->loc;
    uint32_t skip = NO_JUMP;
    if (r->cond)
      skip = jump_if_false(c, r->cond, NO_JUMP);
    emit(c, OP_SETRULE, cell, 0, 0, i);
    end_cell(c, cell, expr_as(c, r->value, (ty_base)d->type.base));
    if (!r->cond)
      break;
    patch_list(c, skip); /* otherwise: later rules are unreachable (and were warned about) */
  }
}

/* ---------------------------------------------------------------- records */

static void field_code(compiler *c, ast_decl *rec, prog_record *pr, uint32_t i)
{
  ast_field *f = rec->fields.items[i];
  prog_field *pf = &pr->fields[i];
  pf->name = f->name;
  pf->name_len = (uint32_t)strlen(f->name);
  pf->loc = f->loc;
  if (strcmp(f->type_name, "list") == 0) {
    pf->type = ty_make(TY_LIST);
    ast_decl *elem = NULL;
    for (uint32_t r = 0; r < c->C->records.n; r++)
      if (strcmp(((ast_decl *)c->C->records.items[r])->name, f->elem_name) == 0)
        elem = c->C->records.items[r];
    pf->type.record = elem ? (uint16_t)elem->index : 0;
  } else {
    pf->type = ty_make(ty_from_name(f->type_name));
  }
  ty_base t = (ty_base)pf->type.base;
  for (uint32_t k = 0; k < f->cons.n; k++) {
    ast_field_con *con = f->cons.items[k];
    c->loc = con->loc;
    switch (con->kind) {
    case FCON_REQUIRED: pf->required = true; break;
    case FCON_OPTIONAL: break;
    case FCON_DEFAULT: pf->has_default = true; pf->def = literal(c, con->a, t); break;
    case FCON_BETWEEN:
      pf->has_min = pf->has_max = true;
      pf->min = literal(c, con->a, t);
      pf->max = literal(c, con->b, t);
      break;
    case FCON_AT_LEAST: pf->has_min = true; pf->min = literal(c, con->a, t); break;
    case FCON_AT_MOST: pf->has_max = true; pf->max = literal(c, con->a, t); break;
    case FCON_ONE_OF: {
      ast_expr set = {.kind = AST_SET, .list = con->values};
      pf->one_of = make_set(c, &set, t) + 1;
      break;
    }
    case FCON_MATCHES: pf->regex = con->a->index + 1; break;
    case FCON_CHECK: {
      uint32_t cell = new_cell(c, CELL_CHECK);
      const prog_record *saved = c->check_record;
      c->check_record = pr;
      cell_code(c, cell, con->a, TY_BOOL);
      c->check_record = saved;
      pf->check_cell = cell + 1;
      pf->check_msg = con->message;
      break;
    }
    }
  }
  pf->type.opt = !pf->required && !pf->has_default && t != TY_LIST;
}

static void records_code(compiler *c)
{
  elig_program *P = c->P;
  P->nrecords = c->C->records.n;
  P->records = calloc(P->nrecords, sizeof *P->records);
  if (!P->records) {
    c->failed = true;
    return;
  }
  P->main_record = c->C->record->index;
  /* The main record's fields are registers 0..n-1; element records get registers of their
   * own, used while their field checks run. */
  ast_decl *main_rec = c->C->record;
  P->records[P->main_record].first_reg = 0;
  P->nregs = main_rec->fields.n;
  for (uint32_t r = 0; r < P->nrecords; r++) {
    ast_decl *rec = c->C->records.items[r];
    prog_record *pr = &P->records[r];
    pr->name = rec->name;
    pr->nfields = rec->fields.n;
    pr->fields = calloc(pr->nfields ? pr->nfields : 1, sizeof *pr->fields);
    if (!pr->fields) {
      c->failed = true;
      return;
    }
    if (rec != main_rec) {
      pr->first_reg = (uint16_t)P->nregs;
      for (uint32_t i = 0; i < rec->fields.n; i++)
        new_reg(c);
    }
  }
  P->as_of_reg = new_reg(c);
  for (uint32_t r = 0; r < P->nrecords; r++)
    for (uint32_t i = 0; i < P->records[r].nfields; i++)
      field_code(c, c->C->records.items[r], &P->records[r], i);
  P->nkeys = main_rec->keys.n;
  P->key_fields = calloc(P->nkeys ? P->nkeys : 1, sizeof *P->key_fields);
  if (!P->key_fields) {
    c->failed = true;
    return;
  }
  for (uint32_t i = 0; i < P->nkeys; i++)
    P->key_fields[i] = ((ast_expr *)main_rec->keys.items[i])->index;
}

/* ---------------------------------------------------------------- outputs */

static prog_column column_for(compiler *c, ast_expr *e)
{
  prog_column col = {.name = e->text, .type = e->type, .cell = NO_CELL, .reg = 0};
  uint32_t cell = NO_CELL;
  switch (e->ref) {
  case REF_FIELD: col.reg = (uint16_t)e->index; break;
  case REF_LET: cell = c->let_cell[e->index]; break;
  case REF_PARAM: cell = c->param_cell[e->index]; break;
  case REF_DECISION: cell = c->dec_cell[e->index]; break;
  case REF_FLAG: cell = c->flag_cell[e->index]; break;
  case REF_AGG_KEY: col.reg = (uint16_t)(c->agg->key_reg + e->index); break;
  case REF_AGG_LET: cell = c->agg_let_cell[e->index]; break;
  case REF_AGG_DECISION: cell = c->agg_dec_cell[e->index]; break;
  default: break;
  }
  if (cell != NO_CELL) {
    col.cell = cell;
    col.reg = c->P->cells[cell].reg;
  }
  return col;
}

static bool listed(const ast_list *outputs, int ref, uint32_t index)
{
  for (uint32_t i = 0; i < outputs->n; i++) {
    ast_expr *e = outputs->items[i];
    if ((int)e->ref == ref && e->index == index)
      return true;
  }
  return false;
}

/* The result columns: the declared outputs, then every decision not among them. */
static bool columns_code(compiler *c, const ast_list *outputs, uint32_t ndecisions,
                         const prog_decision *decisions, int dec_ref, prog_column **out,
                         uint32_t *nout)
{
  uint32_t n = outputs->n;
  prog_column *cols = calloc(n + ndecisions + 1, sizeof *cols);
  if (!cols)
    return false;
  for (uint32_t i = 0; i < n; i++)
    cols[i] = column_for(c, outputs->items[i]);
  for (uint32_t i = 0; i < ndecisions; i++)
    if (!listed(outputs, dec_ref, i)) {
      prog_column col = {decisions[i].name, decisions[i].type, decisions[i].cell,
                         c->P->cells[decisions[i].cell].reg};
      cols[n++] = col;
    }
  *out = cols;
  *nout = n;
  return true;
}

/* ---------------------------------------------------------------- aggregates */

static void aggregate_code(compiler *c, chk_aggregate *ca, prog_aggregate *pa)
{
  ast_decl *d = ca->decl;
  pa->name = d->name;
  pa->nkeys = ca->keys.n;
  pa->key_names = calloc(pa->nkeys + 1, sizeof *pa->key_names);
  pa->key_types = calloc(pa->nkeys + 1, sizeof *pa->key_types);
  pa->key_cells = calloc(pa->nkeys + 1, sizeof *pa->key_cells);
  pa->key_src = calloc(pa->nkeys + 1, sizeof *pa->key_src);
  pa->naccs = ca->accs.n;
  pa->accs = calloc(pa->naccs + 1, sizeof *pa->accs);
  pa->ndecisions = ca->decisions.n;
  pa->decisions = calloc(pa->ndecisions + 1, sizeof *pa->decisions);
  c->agg_let_cell = calloc(ca->lets.n + 1, sizeof *c->agg_let_cell);
  c->agg_dec_cell = calloc(ca->decisions.n + 1, sizeof *c->agg_dec_cell);
  if (!pa->key_names || !pa->key_types || !pa->key_cells || !pa->key_src || !pa->accs ||
      !pa->decisions ||
      !c->agg_let_cell || !c->agg_dec_cell) {
    c->failed = true;
    return;
  }
  /* Record side: a cell per key and per accumulation input. */
  for (uint32_t i = 0; i < pa->nkeys; i++) {
    ast_group_key *k = ca->keys.items[i];
    pa->key_names[i] = k->name;
    pa->key_types[i] = k->expr->type;
    if (k->expr->kind == AST_NAME && k->expr->ref == REF_FIELD) {
      /* a field is already in its register: no cell to run */
      pa->key_cells[i] = NO_CELL;
      pa->key_src[i] = (uint16_t)k->expr->index;
      continue;
    }
    pa->key_cells[i] = new_cell(c, CELL_KEY);
    pa->key_src[i] = c->P->cells[pa->key_cells[i]].reg;
    cell_code(c, pa->key_cells[i], k->expr, (ty_base)k->expr->type.base);
  }
  for (uint32_t i = 0; i < pa->naccs; i++) {
    chk_acc *acc = ca->accs.items[i];
    prog_acc *pacc = &pa->accs[i];
    pacc->func = acc->func;
    pacc->type = acc->call->type;
    if (acc->func == AGG_FIRST)
      pacc->first = pa->nfirsts++;
    pacc->value_cell = pacc->where_cell = NO_CELL;
    if (acc->call->list.n == 1) {
      ast_expr *v = acc->call->list.items[0];
      pacc->has_value = true;
      pacc->type = v->type;
      if (v->kind == AST_NAME && v->ref == REF_FIELD) {
        pacc->value_reg = (uint16_t)v->index;
      } else {
        pacc->value_cell = new_cell(c, CELL_ACC_VALUE);
        pacc->value_reg = c->P->cells[pacc->value_cell].reg;
        cell_code(c, pacc->value_cell, v, (ty_base)v->type.base);
      }
    }
    if (acc->call->b) {
      pacc->where_cell = new_cell(c, CELL_ACC_WHERE);
      cell_code(c, pacc->where_cell, acc->call->b, TY_BOOL);
    }
  }
  /* Group side: registers for keys and accumulators, then the group's cells. */
  pa->key_reg = (uint16_t)c->P->nregs;
  for (uint32_t i = 0; i < pa->nkeys; i++)
    new_reg(c);
  pa->acc_reg = (uint16_t)c->P->nregs;
  for (uint32_t i = 0; i < pa->naccs; i++)
    new_reg(c);
  c->agg = pa;
  for (uint32_t i = 0; i < ca->lets.n; i++)
    c->agg_let_cell[((ast_decl *)ca->lets.items[i])->index] = new_cell(c, CELL_LET);
  for (uint32_t i = 0; i < ca->decisions.n; i++)
    c->agg_dec_cell[((ast_decl *)ca->decisions.items[i])->index] = new_cell(c, CELL_DECISION);
  for (uint32_t i = 0; i < ca->lets.n; i++) {
    ast_decl *l = ca->lets.items[i];
    cell_code(c, c->agg_let_cell[l->index], l->expr, (ty_base)l->type.base);
  }
  for (uint32_t i = 0; i < ca->decisions.n; i++) {
    ast_decl *dd = ca->decisions.items[i];
    decision_code(c, c->agg_dec_cell[dd->index], dd, &pa->decisions[dd->index]);
  }
  if (!columns_code(c, &ca->outputs, pa->ndecisions, pa->decisions, REF_AGG_DECISION,
                    &pa->columns, &pa->ncolumns))
    c->failed = true;
  free(c->agg_let_cell);
  free(c->agg_dec_cell);
  c->agg_let_cell = c->agg_dec_cell = NULL;
  c->agg = NULL;
}

/* ---------------------------------------------------------------- the whole program */

static bool compile_regexes(compiler *c)
{
  elig_program *P = c->P;
  P->nregexes = c->C->regexes.n;
  P->regexes = calloc(P->nregexes + 1, sizeof *P->regexes);
  if (!P->regexes)
    return false;
  for (uint32_t i = 0; i < P->nregexes; i++) {
    ast_expr *re = c->C->regexes.items[i];
    uint32_t flags = 0;
    const char *opts = re->flags;
    for (; opts && *opts; opts++) {
      if (*opts == 'i')
        flags |= REGEX_CASELESS;
      else {
        /* the flags end the literal: point at this one */
        uint32_t off = (uint32_t)strlen(opts);
        elig_loc at = {re->loc.file, re->loc.end - off, re->loc.end - off + 1};
        diag_add(c->diags, DIAG_E_BAD_REGEX, at, "unknown flag after the regex (only 'i')");
        return false;
      }
    }
    int code;
    size_t off = 0;
    char msg[256];
    P->regexes[i] = regex_compile(re->text, re->text_len, flags, &code, &off, msg, sizeof msg);
    if (!P->regexes[i]) {
      /* point at the offending character: one past the opening '/' */
      elig_loc at = {re->loc.file, re->loc.start + 1 + (uint32_t)off,
                     re->loc.start + 2 + (uint32_t)off};
      if (at.end > re->loc.end)
        at.end = re->loc.end;
      diag_add(c->diags, DIAG_E_BAD_REGEX, at, msg);
      return false;
    }
  }
  return true;
}

static uint32_t *cells_for(compiler *c, const ast_list *decls, cell_kind kind)
{
  uint32_t *cells = calloc(decls->n + 1, sizeof *cells);
  if (!cells) {
    c->failed = true;
    return NULL;
  }
  for (uint32_t i = 0; i < decls->n; i++)
    cells[i] = new_cell(c, kind);
  return cells;
}

static void record_program(compiler *c)
{
  elig_program *P = c->P;
  chk_program *C = c->C;
  c->let_cell = cells_for(c, &C->lets, CELL_LET);
  c->param_cell = cells_for(c, &C->params, CELL_PARAM);
  c->dec_cell = cells_for(c, &C->decisions, CELL_DECISION);
  c->flag_cell = cells_for(c, &C->flags, CELL_FLAG);
  if (c->failed)
    return;
  for (uint32_t i = 0; i < C->lets.n; i++) {
    ast_decl *d = C->lets.items[i];
    cell_code(c, c->let_cell[i], d->expr, (ty_base)d->type.base);
  }
  for (uint32_t i = 0; i < C->params.n; i++) {
    ast_decl *d = C->params.items[i];
    begin_cell(c, c->param_cell[i]);
    c->loc = d->loc;
    table_code(c, c->param_cell[i], d->table, (ty_base)d->type.base);
  }
  P->ndecisions = C->decisions.n;
  P->decisions = calloc(P->ndecisions + 1, sizeof *P->decisions);
  P->nflags = C->flags.n;
  P->flags = calloc(P->nflags + 1, sizeof *P->flags);
  if (!P->decisions || !P->flags) {
    c->failed = true;
    return;
  }
  for (uint32_t i = 0; i < C->decisions.n; i++)
    decision_code(c, c->dec_cell[i], C->decisions.items[i], &P->decisions[i]);
  for (uint32_t i = 0; i < C->flags.n; i++) {
    ast_decl *d = C->flags.items[i];
    P->flags[i].name = d->name;
    P->flags[i].severity = d->severity;
    P->flags[i].reason = d->reason;
    P->flags[i].cell = c->flag_cell[i];
    cell_code(c, c->flag_cell[i], d->cond, TY_BOOL);
  }
  if (!columns_code(c, &C->outputs, P->ndecisions, P->decisions, REF_DECISION, &P->columns,
                    &P->ncolumns))
    c->failed = true;
  P->naggregates = C->aggregates.n;
  P->aggregates = calloc(P->naggregates + 1, sizeof *P->aggregates);
  if (!P->aggregates) {
    c->failed = true;
    return;
  }
  for (uint32_t i = 0; i < P->naggregates; i++)
    aggregate_code(c, C->aggregates.items[i], &P->aggregates[i]);
}

/* The record-level names an expression uses, once each, as columns to show. */
static void collect_names(compiler *c, const ast_expr *e, prog_column *out, uint32_t *n,
                          uint32_t cap)
{
  if (!e || *n >= cap)
    return;
  if (e->kind == AST_NAME && (e->ref == REF_FIELD || e->ref == REF_LET || e->ref == REF_PARAM ||
                              e->ref == REF_DECISION || e->ref == REF_FLAG)) {
    for (uint32_t i = 0; i < *n; i++)
      if (strcmp(out[i].name, e->text) == 0)
        return;
    out[(*n)++] = column_for(c, (ast_expr *)e);
    return;
  }
  collect_names(c, e->a, out, n, cap);
  collect_names(c, e->b, out, n, cap);
  collect_names(c, e->c, out, n, cap);
  for (uint32_t i = 0; i < e->list.n; i++)
    collect_names(c, e->list.items[i], out, n, cap);
}

/* The names each derived value, parameter, flag and decision rule reads, for
 * `elig explain`. */
static bool names_of(compiler *c, const ast_expr *e, const ast_expr *e2, prog_names *out)
{
  enum { MAX_NAMES = 24 };
  out->items = calloc(MAX_NAMES, sizeof *out->items);
  if (!out->items)
    return false;
  collect_names(c, e, out->items, &out->n, MAX_NAMES);
  collect_names(c, e2, out->items, &out->n, MAX_NAMES);
  return true;
}

static void explain_code(compiler *c)
{
  elig_program *P = c->P;
  chk_program *C = c->C;
  P->cell_names = calloc(P->ncells + 1, sizeof *P->cell_names);
  if (!P->cell_names) {
    c->failed = true;
    return;
  }
  bool ok = true;
  for (uint32_t i = 0; i < C->lets.n; i++)
    ok &= names_of(c, ((ast_decl *)C->lets.items[i])->expr, NULL,
                   &P->cell_names[c->let_cell[i]]);
  for (uint32_t i = 0; i < C->params.n; i++) {
    const ast_table *t = ((ast_decl *)C->params.items[i])->table;
    ok &= names_of(c, t ? t->by : NULL, NULL, &P->cell_names[c->param_cell[i]]);
  }
  for (uint32_t i = 0; i < C->flags.n; i++)
    ok &= names_of(c, ((ast_decl *)C->flags.items[i])->cond, NULL,
                   &P->cell_names[c->flag_cell[i]]);
  for (uint32_t i = 0; i < C->decisions.n; i++) {
    ast_decl *d = C->decisions.items[i];
    prog_decision *pd = &P->decisions[i];
    pd->rule_names = calloc(d->rules.n + 1, sizeof *pd->rule_names);
    ok &= pd->rule_names != NULL;
    for (uint32_t r = 0; ok && r < d->rules.n; r++) {
      ast_rule *rule = d->rules.items[r];
      ok &= names_of(c, rule->cond, rule->value, &pd->rule_names[r]);
    }
  }
  if (!ok)
    c->failed = true;
}

/* Each test's expectations become cells of the record program. */
static void tests_code(compiler *c)
{
  elig_program *P = c->P;
  P->ntests = c->C->tests.n;
  P->tests = calloc(P->ntests + 1, sizeof *P->tests);
  if (!P->tests) {
    c->failed = true;
    return;
  }
  for (uint32_t i = 0; i < P->ntests; i++) {
    ast_decl *d = c->C->tests.items[i];
    prog_test *t = &P->tests[i];
    t->name = d->text;
    t->loc = d->name_loc;
    t->decl = d;
    t->nexpects = d->expects.n;
    t->expect_cells = calloc(t->nexpects + 1, sizeof *t->expect_cells);
    t->expects = calloc(t->nexpects + 1, sizeof *t->expects);
    t->shown = calloc(t->nexpects + 1, sizeof *t->shown);
    t->nshown = calloc(t->nexpects + 1, sizeof *t->nshown);
    if (!t->expect_cells || !t->expects || !t->shown || !t->nshown) {
      c->failed = true;
      return;
    }
    for (uint32_t k = 0; k < t->nexpects; k++) {
      ast_expr *e = d->expects.items[k];
      t->expects[k] = e;
      t->expect_cells[k] = new_cell(c, CELL_EXPECT);
      cell_code(c, t->expect_cells[k], e, TY_BOOL);
      enum { MAX_SHOWN = 16 };
      t->shown[k] = calloc(MAX_SHOWN, sizeof *t->shown[k]);
      if (!t->shown[k]) {
        c->failed = true;
        return;
      }
      collect_names(c, e, t->shown[k], &t->nshown[k], MAX_SHOWN);
    }
  }
}

/* The longest chain of cell calls bounds the VM's return stack. */
static void measure_depth(elig_program *P)
{
  /* Every ENSURE can nest at most once per cell, so ncells + 1 is always enough. */
  P->max_depth = P->ncells + 1;
}

elig_program *comp_compile(chk_program *chk, ast_arena *arena, src_set *srcs,
                           diag_list *diags)
{
  compiler c = {.C = chk, .diags = diags};
  c.P = calloc(1, sizeof *c.P);
  if (!c.P)
    return NULL;
  c.loc = chk->record->loc;
  if (chk->policy) {
    c.P->policy = chk->policy->text;
    c.P->version = chk->policy->version;
  }
  if (!compile_regexes(&c))
    c.failed = true;
  if (!c.failed)
    records_code(&c);
  if (!c.failed)
    record_program(&c);
  if (!c.failed)
    tests_code(&c);
  if (!c.failed)
    explain_code(&c);
  free(c.let_cell);
  free(c.param_cell);
  free(c.dec_cell);
  free(c.flag_cell);
  if (c.failed) {
    if (diag_error_count(diags) == 0)
      diag_add(diags, DIAG_E_NO_MEMORY, c.loc);
    comp_program_free(c.P);
    return NULL;
  }
  measure_depth(c.P);
  c.P->arena = arena;
  c.P->srcs = srcs;
  return c.P;
}

static void free_decisions(prog_decision *d, uint32_t n)
{
  for (uint32_t i = 0; d && i < n; i++) {
    for (uint32_t r = 0; d[i].rule_names && r < d[i].nrules; r++)
      free(d[i].rule_names[r].items);
    free(d[i].rule_names);
    free(d[i].reasons);
    free(d[i].rule_locs);
  }
  free(d);
}

void comp_program_free(elig_program *P)
{
  if (!P)
    return;
  for (uint32_t i = 0; P->records && i < P->nrecords; i++)
    free(P->records[i].fields);
  free(P->records);
  free(P->key_fields);
  free(P->code);
  free(P->code_locs);
  free(P->consts);
  free(P->const_regs);
  for (uint32_t i = 0; P->sets && i < P->nsets; i++) {
    free(P->sets[i].items);
    free(P->sets[i].lens);
    free(P->sets[i].ints);
    free(P->sets[i].nums);
  }
  free(P->sets);
  for (uint32_t i = 0; P->tables && i < P->ntables; i++) {
    free(P->tables[i].keys);
    free(P->tables[i].regs);
  }
  free(P->tables);
  for (uint32_t i = 0; P->regexes && i < P->nregexes; i++)
    regex_free(P->regexes[i]);
  free(P->regexes);
  for (uint32_t i = 0; P->cell_names && i < P->ncells; i++)
    free(P->cell_names[i].items);
  free(P->cell_names);
  free(P->cells);
  free_decisions(P->decisions, P->ndecisions);
  free(P->flags);
  free(P->columns);
  for (uint32_t i = 0; P->aggregates && i < P->naggregates; i++) {
    prog_aggregate *a = &P->aggregates[i];
    free(a->key_names);
    free(a->key_types);
    free(a->key_cells);
    free(a->key_src);
    free(a->accs);
    free_decisions(a->decisions, a->ndecisions);
    free(a->columns);
  }
  free(P->aggregates);
  for (uint32_t i = 0; P->tests && i < P->ntests; i++) {
    for (uint32_t k = 0; P->tests[i].shown && k < P->tests[i].nexpects; k++)
      free(P->tests[i].shown[k]);
    free(P->tests[i].shown);
    free(P->tests[i].nshown);
    free(P->tests[i].expect_cells);
    free(P->tests[i].expects);
  }
  free(P->tests);
  ast_arena_free(P->arena);
  src_set_free(P->srcs);
  free(P);
}

void comp_where(const elig_program *P, uint32_t pc, char *buf, size_t size)
{
  elig_loc loc = P->code_locs[pc];
  uint32_t line = 0, col = 0;
  if (src_position(P->srcs, loc.file, loc.start, &line, &col) != SRC_OK)
    snprintf(buf, size, "the rules");
  else
    snprintf(buf, size, "%s:%u:%u", src_file_name(P->srcs, loc.file), line, col);
}

/* ---------------------------------------------------------------- disassembly */

static const char *const op_names[] = {
#define OP(name, fmt, doc) #name,
#include "ops.def"
#undef OP
};

char *comp_disasm(const elig_program *P)
{
  size_t cap = 4096 + (size_t)P->ncode * 64 + (size_t)P->ncells * 64, len = 0;
  char *out = malloc(cap);
  if (!out)
    return NULL;
#define PUT(...) (len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__))
  PUT("; %u registers, %u constants, %u cells, %u instructions\n", P->nregs, P->nconsts,
      P->ncells, P->ncode);
  for (uint32_t pc = 0; pc < P->ncode && len + 128 < cap; pc++) {
    for (uint32_t k = 0; k < P->ncells; k++)
      if (P->cells[k].entry == pc)
        PUT("cell %u (r%u):\n", k, P->cells[k].reg);
    const vm_ins *in = &P->code[pc];
    PUT("  %4u  %-8s %u %u %u %u\n", pc, op_names[in->op], in->a, in->b, in->c, in->x);
  }
#undef PUT
  return out;
}
