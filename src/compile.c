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
#include <setjmp.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "i18n.h"
#include "mem.h"
#include "compile.h"
#include "vm.h"
#include "date.h"
#include "wbuf.h"

#define NO_CELL UINT32_MAX
#define MAX_REGS 65535u

typedef struct {
  elig_program *P;
  chk_program *C;
  ast_arena *arena;    /* the syntax tree's, where lowered tests keep their texts */
  const src_set *srcs; /* the rule files' text */
  diag_list *diags;
  bool failed;
  jmp_buf *no_memory; /* where an allocation that fails leaves to (comp_compile) */
  wbuf text;          /* scratch text for the lowered tests */
  uint32_t cap_code, cap_consts, cap_const_regs, cap_cells, cap_sets;
  uint32_t *let_cell, *param_cell, *dec_cell, *flag_cell;
  uint32_t *prev_cell; /* per memory slot: the cell previous() reads it through */
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

/* Every allocation of the compiler either succeeds or leaves through comp_compile's one door;
 * what it allocated is already attached to the program, which prog_free frees. */
static noreturn void out_of_memory(compiler *c)
{
  longjmp(*c->no_memory, 1);
}

static void *comp_calloc(compiler *c, size_t n, size_t size)
{
  void *p = mem_calloc(n, size);
  if (!p)
    out_of_memory(c);
  return p;
}

static void *comp_realloc(compiler *c, void *p, size_t size)
{
  void *q = mem_realloc(p, size);
  if (!q)
    out_of_memory(c);
  return q;
}

static bool grow(compiler *c, void **p, uint32_t *cap, uint32_t need, size_t size)
{
  if (need <= *cap)
    return true;
  uint32_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  *p = comp_realloc(c, *p, (size_t)n * size);
  *cap = n;
  return true;
}

static uint16_t new_reg(compiler *c)
{
  if (c->P->nregs >= MAX_REGS) {
    if (!c->failed)
      /* TRANSLATORS: what the rules have too many of, in "the rules are too large: too many
       * %s": the compiled program's registers (places for values). */
      diag_add(c->diags, DIAG_E_TOO_LARGE, c->loc, _("registers"));
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
  if (cap_locs != c->cap_code)
    P->code_locs = comp_realloc(c, P->code_locs, (size_t)c->cap_code * sizeof *P->code_locs);
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

/* A new cell named `label` in code dumps ("let per_capita"); `name` may be NULL. */
static uint32_t new_cell_named(compiler *c, cell_kind kind, const char *label, const char *name)
{
  elig_program *P = c->P;
  uint32_t cap = c->cap_cells;
  if (!grow(c, (void **)&P->cells, &c->cap_cells, P->ncells + 1, sizeof *P->cells))
    return 0;
  if (cap != c->cap_cells)
    P->cell_labels = comp_realloc(c, P->cell_labels, c->cap_cells * sizeof *P->cell_labels);
  char text[160];
  snprintf(text, sizeof text, "%s%s%s", label, name ? " " : "", name ? name : "");
  P->cell_labels[P->ncells] = arena_strdup(c->arena, text, strlen(text));
  prog_cell *cell = &P->cells[P->ncells];
  cell->kind = (uint8_t)kind;
  cell->reg = new_reg(c);
  cell->entry = UINT32_MAX;
  return P->ncells++;
}

static uint32_t new_cell(compiler *c, cell_kind kind)
{
  static const char *const words[] = {[CELL_LET] = "let",
                                      [CELL_PARAM] = "param",
                                      [CELL_DECISION] = "decide",
                                      [CELL_FLAG] = "monitor",
                                      [CELL_KEY] = "group key",
                                      [CELL_ACC_VALUE] = "accumulated value",
                                      [CELL_ACC_WHERE] = "accumulation condition",
                                      [CELL_CHECK] = "check of field",
                                      [CELL_EXPECT] = "expectation",
                                      [CELL_PREVIOUS] = "previous",
                                      [CELL_COND] = "condition"};
  return new_cell_named(c, kind, words[kind], NULL);
}

/* ---------------------------------------------------------------- constants */

/* A register holding the constant v of type `type` (kept for the code dump). */
static uint16_t const_reg(compiler *c, vm_val v, ty_base type)
{
  elig_program *P = c->P;
  uint16_t r = new_reg(c);
  uint32_t cap = c->cap_consts;
  if (!grow(c, (void **)&P->consts, &c->cap_consts, P->nconsts + 1, sizeof *P->consts))
    return r;
  P->consts[P->nconsts] = v; /* copied into register const_regs[i] when a context is made */
  if (!grow(c, (void **)&P->const_regs, &c->cap_const_regs, P->nconsts + 1, sizeof *P->const_regs))
    return r;
  if (cap != c->cap_consts)
    P->const_types = comp_realloc(c, P->const_types, c->cap_consts * sizeof *P->const_types);
  P->const_types[P->nconsts] = (uint8_t)type;
  P->const_regs[P->nconsts++] = r;
  return r;
}

static vm_val value_of(const chk_value *v)
{
  vm_val out;
  memset(&out, 0, sizeof out);
  switch (v->type) {
  case TY_NUMBER:
  case TY_PERCENT: out.u.n = v->n; break;
  case TY_TEXT:
    out.u.s.p = v->s;
    out.u.s.len = v->len;
    break;
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
  uint32_t index = P->nsets++; /* attached, so that prog_free frees what it gets */
  prog_set *s = &P->sets[index];
  memset(s, 0, sizeof *s);
  uint32_t n = set->list.n;
  s->kind = elem == TY_TEXT                             ? TY_TEXT
            : (elem == TY_NUMBER || elem == TY_PERCENT) ? TY_NUMBER
                                                        : TY_INT;
  if (s->kind == TY_TEXT) {
    s->items = comp_calloc(c, n ? n : 1, sizeof *s->items);
    s->lens = comp_calloc(c, n ? n : 1, sizeof *s->lens);
  } else if (s->kind == TY_INT) {
    s->ints = comp_calloc(c, n ? n : 1, sizeof *s->ints);
  } else {
    s->nums = comp_calloc(c, n ? n : 1, sizeof *s->nums);
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
  return index;
}

/* ---------------------------------------------------------------- expressions */

static uint16_t expr(compiler *c, ast_expr *e);
static void cell_code(compiler *c, uint32_t cell, ast_expr *e, ty_base type);
static bool is_constant(const ast_expr *e);
static bool fold(compiler *c, ast_expr *e, ty_base as, vm_val *out);
static bool fold_value(compiler *c, ast_expr *e, vm_val *out);

/* The instruction that converts a value of type `from` to `to` (int -> money or number,
 * money -> number), or OP__COUNT when none is needed. */
static vm_opcode conversion_op(ty_base from, ty_base to)
{
  if (from == TY_PERCENT)
    from = TY_NUMBER;
  if (to == TY_PERCENT)
    to = TY_NUMBER;
  if (from == TY_INT && to == TY_MONEY)
    return OP_I2M;
  if (from == TY_INT && to == TY_NUMBER)
    return OP_I2N;
  if (from == TY_MONEY && to == TY_NUMBER)
    return OP_M2N;
  return OP__COUNT;
}

/* The value of e, converted to `to` (int -> money or number, money -> number). */
static uint16_t expr_as(compiler *c, ast_expr *e, ty_base to)
{
  ty_base from = e->type.base;
  if (to == TY_PERCENT)
    to = TY_NUMBER;
  if (from == TY_PERCENT)
    from = TY_NUMBER;
  if (is_literal(e) && from != to && ty_is_numeric(from) && ty_is_numeric(to))
    return const_reg(c, literal(c, e, to), to);
  if (!is_literal(e) && is_constant(e) && ty_is_numeric(from) && ty_is_numeric(to)) {
    vm_val v;
    return fold(c, e, to, &v) ? const_reg(c, v, to) : 0;
  }
  uint16_t r = expr(c, e);
  vm_opcode op = conversion_op(from, to);
  if (from == TY_NONE || op == OP__COUNT)
    return r;
  uint16_t t = new_reg(c);
  emit(c, op, t, r, 0, 0);
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

/* How a binary operator is computed: the instruction, what each operand is converted to
 * first, and the fix-ups around it.  Both the code emitted for an expression and the
 * folding of a constant one follow this one plan, so a constant folds to exactly what the
 * VM would compute. */
typedef struct {
  vm_opcode op;
  ty_base as_a, as_b; /* conversion of each operand first; TY_NONE: as it is */
  bool swap;          /* operands exchanged: a > b is b < a */
  bool negate;        /* the result negated: a != b is not (a = b) */
} op_plan;

static op_plan plan_compare(const ast_expr *e)
{
  ty_base k = compare_kind(e->a->type.base, e->b->type.base);
  vm_opcode eq = k == TY_NUMBER ? OP_EQN : k == TY_TEXT ? OP_EQS : OP_EQI;
  vm_opcode lt = k == TY_NUMBER ? OP_LTN : k == TY_TEXT ? OP_LTS : OP_LTI;
  vm_opcode le = k == TY_NUMBER ? OP_LEN : k == TY_TEXT ? OP_LES : OP_LEI;
  switch (e->op) {
  case OPR_EQ: return (op_plan){eq, k, k, false, false};
  case OPR_NE: return (op_plan){eq, k, k, false, true};
  case OPR_LT: return (op_plan){lt, k, k, false, false};
  case OPR_LE: return (op_plan){le, k, k, false, false};
  case OPR_GT: return (op_plan){lt, k, k, true, false};
  default: return (op_plan){le, k, k, true, false};
  }
}

static op_plan plan_arith(const ast_expr *e)
{
  ty_base t = e->type.base, a = e->a->type.base, b = e->b->type.base;
  switch (e->op) {
  case OPR_ADD:
  case OPR_SUB: {
    bool add = e->op == OPR_ADD;
    if (t == TY_DATE || t == TY_INT || t == TY_MONEY) {
      /* dates stay days; an int added to money becomes fen first */
      ty_base k = t == TY_MONEY ? TY_MONEY : TY_INT;
      return (op_plan){add ? OP_ADDI : OP_SUBI, a == TY_DATE ? TY_NONE : k,
                       b == TY_DATE ? TY_NONE : k, false, false};
    }
    return (op_plan){add ? OP_ADDN : OP_SUBN, TY_NUMBER, TY_NUMBER, false, false};
  }
  case OPR_MUL:
    if (t == TY_INT || t == TY_MONEY) /* money * int: fen times a count */
      return (op_plan){OP_MULI, TY_NONE, TY_NONE, false, false};
    return (op_plan){OP_MULN, TY_NUMBER, TY_NUMBER, false, false};
  default:
    if (t == TY_MONEY)
      return (op_plan){OP_DIVMI, TY_NONE, TY_NONE, false, false};
    if (a == TY_INT && b == TY_INT)
      return (op_plan){OP_DIVII, TY_NONE, TY_NONE, false, false};
    return (op_plan){OP_DIVN, TY_NUMBER, TY_NUMBER, false, false};
  }
}

static op_plan plan_binary(const ast_expr *e)
{
  return e->op >= OPR_EQ && e->op <= OPR_GE ? plan_compare(e) : plan_arith(e);
}

static uint16_t operand(compiler *c, ast_expr *e, ty_base as)
{
  return as == TY_NONE ? expr(c, e) : expr_as(c, e, as);
}

/* A comparison or an arithmetic operator, as its plan says. */
static uint16_t binary(compiler *c, ast_expr *e)
{
  op_plan p = plan_binary(e);
  if (e->op == OPR_DIV && is_constant(e->b)) {
    /* a divisor known now must not be zero: every record would fail */
    vm_val v;
    ty_base bt = e->b->type.base;
    if (fold_value(c, e->b, &v) &&
        ((bt == TY_NUMBER || bt == TY_PERCENT) ? v.u.n.num == 0 : v.u.i == 0)) {
      diag_add(c->diags, DIAG_E_DIV_BY_ZERO, e->loc);
      c->failed = true;
    }
  }
  uint16_t l = operand(c, e->a, p.as_a), r = operand(c, e->b, p.as_b), d = new_reg(c);
  emit(c, p.op, d, p.swap ? r : l, p.swap ? l : r, 0);
  if (p.negate)
    emit(c, OP_NOT, d, d, 0, 0);
  return d;
}

/* ---------------------------------------------------------------- conditions */

/* The register of the constant true or false (one each per program). */
static uint16_t bool_reg(compiler *c, bool v)
{
  if (!c->bool_regs[v]) {
    vm_val k;
    memset(&k, 0, sizeof k);
    k.u.i = v;
    c->bool_regs[v] = (uint16_t)(const_reg(c, k, TY_BOOL) + 1);
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
    emit(c, OP_MOVE, acc, const_reg(c, zero, TY_BOOL), 0, 0);
  } else {
    if (t == TY_NUMBER || t == TY_PERCENT)
      zero.u.n = dec_num_from_int(0);
    emit(c, OP_MOVE, acc, const_reg(c, zero, f == BI_ANY ? TY_BOOL : t), 0, 0);
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
      emit(c, OP_MOVE, acc, const_reg(c, v, TY_BOOL), 0, 0);
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
    emit(c, OP_ADDI, acc, acc, const_reg(c, one, TY_INT), 0);
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
  if (c->agg && (f == BI_COUNT || f == BI_SUM || f == BI_ANY || f == BI_ALL || f == BI_FIRST ||
                 ((f == BI_MIN || f == BI_MAX) && e->list.n == 1)))
    return (uint16_t)(c->agg->acc_reg + e->ival);
  switch (f) {
  case BI_PREVIOUS:
    emit(c, OP_ENSURE, c->prev_cell[e->ival], 0, 0, 0);
    return c->P->cells[c->prev_cell[e->ival]].reg;
  case BI_COUNT:
  case BI_SUM:
  case BI_ANY:
  case BI_ALL: return list_aggregation(c, e);
  case BI_MIN:
  case BI_MAX: {
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

/* A constant expression's failure, reported where it is: dividing by zero, or a value out of
 * range. */
static bool fold_failed(compiler *c, ast_expr *e, vm_status st)
{
  if (!c->failed)
    diag_add(c->diags, st == VM_ERR_DIV_ZERO ? DIAG_E_DIV_BY_ZERO : DIAG_E_CONST_RANGE, e->loc);
  c->failed = true;
  return false;
}

/* The value of a constant expression, computed by the VM's own instructions (vm_fold) in
 * the order the code for it would run them; false (with a diagnostic) when it divides by
 * zero or leaves the range. */
static bool fold_value(compiler *c, ast_expr *e, vm_val *out)
{
  ty_base t = e->type.base;
  vm_val a, b;
  memset(out, 0, sizeof *out);
  if (is_literal(e)) {
    *out = literal(c, e, t);
    return true;
  }
  if (e->kind == AST_UNARY) {
    if (!fold(c, e->a, t, &a))
      return false;
    vm_opcode op = e->op == OPR_NOT                    ? OP_NOT
                   : t == TY_NUMBER || t == TY_PERCENT ? OP_NEGN
                                                       : OP_NEGI;
    vm_status st = vm_fold(op, out, &a, NULL);
    return st == VM_OK || fold_failed(c, e, st);
  }
  if (e->op == OPR_AND || e->op == OPR_OR) {
    /* the VM has no instruction for these: they are jumps */
    if (!fold(c, e->a, TY_BOOL, &a) || !fold(c, e->b, TY_BOOL, &b))
      return false;
    out->u.i = e->op == OPR_AND ? a.u.i && b.u.i : a.u.i || b.u.i;
    return true;
  }
  op_plan p = plan_binary(e);
  if (!fold(c, e->a, p.as_a == TY_NONE ? (ty_base)e->a->type.base : p.as_a, &a) ||
      !fold(c, e->b, p.as_b == TY_NONE ? (ty_base)e->b->type.base : p.as_b, &b))
    return false;
  vm_status st = vm_fold(p.op, out, p.swap ? &b : &a, p.swap ? &a : &b);
  if (st == VM_OK && p.negate)
    st = vm_fold(OP_NOT, out, out, NULL);
  return st == VM_OK || fold_failed(c, e, st);
}

/* fold_value, converted to `as` by the instruction the VM would use. */
static bool fold(compiler *c, ast_expr *e, ty_base as, vm_val *out)
{
  if (!fold_value(c, e, out))
    return false;
  vm_opcode op = conversion_op((ty_base)e->type.base, as);
  if (op == OP__COUNT)
    return true;
  vm_val v = *out;
  vm_status st = vm_fold(op, out, &v, NULL);
  return st == VM_OK || fold_failed(c, e, st);
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
      r = const_reg(c, v, (ty_base)e->type.base);
    c->loc = saved;
    return r;
  }
  switch (e->kind) {
  case AST_INT:
  case AST_DECIMAL:
  case AST_PERCENT:
  case AST_STRING:
  case AST_DATE:
  case AST_BOOL:
    r = const_reg(c, literal(c, e, (ty_base)e->type.base), (ty_base)e->type.base);
    break;
  case AST_NONE:
    r = new_reg(c);
    emit(c, OP_LOADNONE, r, 0, 0, 0);
    break;
  case AST_NAME: r = name(c, e); break;
  case AST_UNARY:
    if (e->op == OPR_NEG && is_literal(e)) {
      r = const_reg(c, literal(c, e, (ty_base)e->type.base), (ty_base)e->type.base);
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
    else
      r = binary(c, e);
    break;
  case AST_IS_NONE:
    d = new_reg(c);
    emit(c, OP_ISNONE, d, expr(c, e->a), 0, 0);
    if (e->ival)
      emit(c, OP_NOT, d, d, 0, 0);
    r = d;
    break;
  case AST_IN: r = in_set(c, e); break;
  case AST_MATCHES:
    d = new_reg(c);
    emit(c, OP_MATCH, d, expr(c, e->a), 0, e->b->index);
    r = d;
    break;
  case AST_IF: r = if_expr(c, e); break;
  case AST_CALL: r = call(c, e); break;
  default:
    diag_add(c->diags, DIAG_E_INTERNAL, e->loc, "expression kind");
    c->failed = true;
    break;
  }
  c->loc = saved;
  return r;
}

/* ---------------------------------------------------------------- cells */

static void begin_cell(compiler *c, uint32_t cell, ty_base base)
{
  c->P->cells[cell].entry = c->P->ncode;
  c->P->cells[cell].base = (uint8_t)base;
  c->cell_regs = c->P->nregs;
}

/* Instructions whose only effect is to write R[A]. */
static bool writes_only_a(vm_opcode op)
{
  switch (op) {
  case OP_JMP:
  case OP_JMPF:
  case OP_JMPT:
  case OP_JMPNONE:
  case OP_JMPSOME:
  case OP_ENSURE:
  case OP_JLTI:
  case OP_JGEI:
  case OP_JLEI:
  case OP_JGTI:
  case OP_JEQI:
  case OP_JNEI:
  case OP_RET:
  case OP_SETRULE:
  case OP_ITER:
  case OP_NEXT:
  case OP_HALT:
  case OP__COUNT: return false;
  default: return true;
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
  begin_cell(c, cell, type);
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
  P->tables = comp_realloc(c, P->tables, (P->ntables + 1) * sizeof *P->tables);
  uint32_t index = P->ntables++; /* attached, so that prog_free frees what it gets */
  prog_table *tab = &P->tables[index];
  memset(tab, 0, sizeof *tab);
  tab->keys = comp_calloc(c, t->rows.n + 1, sizeof *tab->keys);
  tab->regs = comp_calloc(c, t->rows.n + 1, sizeof *tab->regs);
  tab->n = t->rows.n;
  for (uint32_t i = 0; i < tab->n; i++) {
    ast_table_row *r = t->rows.items[i];
    tab->keys[i] = literal(c, r->keys.items[0], kt).u.i;
    tab->regs[i] = const_reg(c, literal(c, r->value, type), type);
  }
  return index;
}

/* param NAME TYPE by KEY { k: v ... }: a chain of tests on the key, written so that the
 * first row of a year table also applies before its year. */
static void table_code(compiler *c, uint32_t cell, const ast_table *t, ty_base type)
{
  uint16_t reg = c->P->cells[cell].reg;
  if (!t->by) {
    ast_table_row *r = t->rows.items[0];
    emit(c, OP_MOVE, reg, const_reg(c, literal(c, r->value, type), type), 0, 0);
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
      uint16_t k = const_reg(c, literal(c, r->keys.items[0], kt), kt), ge = new_reg(c);
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
      emit(c, OP_MOVE, reg, const_reg(c, literal(c, r->value, type), type), 0, 0);
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

/* What `elig diff` compares of parameter d, whose code made the tables from number `tables`
 * on. */
static void param_info(compiler *c, prog_param *p, const ast_decl *d, uint32_t tables)
{
  const ast_table *t = d->table;
  bool flat = t->by != NULL;
  for (uint32_t i = 0; flat && i < t->rows.n; i++)
    flat = ((ast_table_row *)t->rows.items[i])->nested == NULL;
  p->name = d->name;
  p->type = d->type;
  p->by_field = p->table = PROG_NONE;
  /* a table by a field made one prog_table (year_table) when it is flat and ordered */
  if (flat && t->by->kind == AST_NAME && t->by->ref == REF_FIELD && t->by->type.base == TY_INT &&
      c->P->ntables == tables + 1) {
    p->by_field = t->by->index;
    p->table = tables;
  }
  char *text = ast_dump_table(t);
  if (!text)
    out_of_memory(c);
  p->text = arena_strdup(c->arena, text, strlen(text));
  mem_free(text);
  if (!p->text)
    out_of_memory(c);
}

static void decision_code(compiler *c, uint32_t cell, ast_decl *d, prog_decision *pd)
{
  begin_cell(c, cell, (ty_base)d->type.base);
  pd->name = d->name;
  pd->type = d->type;
  pd->cell = cell;
  pd->nrules = d->rules.n;
  pd->reasons = comp_calloc(c, d->rules.n ? d->rules.n : 1, sizeof *pd->reasons);
  pd->rule_locs = comp_calloc(c, d->rules.n ? d->rules.n : 1, sizeof *pd->rule_locs);
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
    case FCON_DEFAULT:
      pf->has_default = true;
      pf->def = literal(c, con->a, t);
      break;
    case FCON_BETWEEN:
      pf->has_min = pf->has_max = true;
      pf->min = literal(c, con->a, t);
      pf->max = literal(c, con->b, t);
      break;
    case FCON_AT_LEAST:
      pf->has_min = true;
      pf->min = literal(c, con->a, t);
      break;
    case FCON_AT_MOST:
      pf->has_max = true;
      pf->max = literal(c, con->a, t);
      break;
    case FCON_ONE_OF: {
      ast_expr set = {.kind = AST_SET, .list = con->values};
      pf->one_of = make_set(c, &set, t) + 1;
      break;
    }
    case FCON_MATCHES: pf->regex = con->a->index + 1; break;
    case FCON_CHECK: {
      uint32_t cell = new_cell_named(c, CELL_CHECK, "check of field", f->name);
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
  P->records = comp_calloc(c, P->nrecords, sizeof *P->records);
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
    pr->fields = comp_calloc(c, pr->nfields ? pr->nfields : 1, sizeof *pr->fields);
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
  P->key_fields = comp_calloc(c, P->nkeys ? P->nkeys : 1, sizeof *P->key_fields);
  for (uint32_t i = 0; i < P->nkeys; i++)
    P->key_fields[i] = ((ast_expr *)main_rec->keys.items[i])->index;
  P->order_field = main_rec->order ? main_rec->order->index : PROG_NONE;
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
static void columns_code(compiler *c, const ast_list *outputs, uint32_t ndecisions,
                         const prog_decision *decisions, int dec_ref, prog_column **out,
                         uint32_t *nout, uint32_t *flags_at)
{
  uint32_t n = outputs->n;
  prog_column *cols = comp_calloc(c, n + ndecisions + 1, sizeof *cols);
  *out = cols;
  /* decisions not listed go where the flags are not: before them, or after the outputs */
  uint32_t before = flags_at ? *flags_at : n;
  if (before > n)
    before = n;
  for (uint32_t i = 0; i < before; i++)
    cols[i] = column_for(c, outputs->items[i]);
  uint32_t k = before;
  for (uint32_t i = 0; i < ndecisions; i++)
    if (!listed(outputs, dec_ref, i)) {
      prog_column col = {decisions[i].name, decisions[i].type, decisions[i].cell,
                         c->P->cells[decisions[i].cell].reg};
      cols[k++] = col;
    }
  if (flags_at)
    *flags_at = k;
  for (uint32_t i = before; i < n; i++)
    cols[k++] = column_for(c, outputs->items[i]);
  *nout = k;
}

/* ---------------------------------------------------------------- aggregates */

/* The program's name for what the checker found an accumulation computes. */
static prog_acc_func acc_func(int f)
{
  switch ((chk_agg_func)f) {
  case AGG_COUNT: return ACC_COUNT;
  case AGG_SUM: return ACC_SUM;
  case AGG_MIN: return ACC_MIN;
  case AGG_MAX: return ACC_MAX;
  case AGG_ANY: return ACC_ANY;
  case AGG_ALL: return ACC_ALL;
  case AGG_FIRST: break;
  }
  return ACC_FIRST;
}

static void aggregate_code(compiler *c, chk_aggregate *ca, prog_aggregate *pa)
{
  ast_decl *d = ca->decl;
  pa->name = d->name;
  pa->nkeys = ca->keys.n;
  pa->key_names = comp_calloc(c, pa->nkeys + 1, sizeof *pa->key_names);
  pa->key_types = comp_calloc(c, pa->nkeys + 1, sizeof *pa->key_types);
  pa->key_cells = comp_calloc(c, pa->nkeys + 1, sizeof *pa->key_cells);
  pa->key_src = comp_calloc(c, pa->nkeys + 1, sizeof *pa->key_src);
  pa->naccs = ca->accs.n;
  pa->accs = comp_calloc(c, pa->naccs + 1, sizeof *pa->accs);
  pa->ndecisions = ca->decisions.n;
  pa->decisions = comp_calloc(c, pa->ndecisions + 1, sizeof *pa->decisions);
  c->agg_let_cell = comp_calloc(c, ca->lets.n + 1, sizeof *c->agg_let_cell);
  c->agg_dec_cell = comp_calloc(c, ca->decisions.n + 1, sizeof *c->agg_dec_cell);
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
    pa->key_cells[i] = new_cell_named(c, CELL_KEY, "group key", k->name);
    pa->key_src[i] = c->P->cells[pa->key_cells[i]].reg;
    cell_code(c, pa->key_cells[i], k->expr, (ty_base)k->expr->type.base);
  }
  for (uint32_t i = 0; i < pa->naccs; i++) {
    chk_acc *acc = ca->accs.items[i];
    prog_acc *pacc = &pa->accs[i];
    pacc->func = acc_func(acc->func);
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
    c->agg_let_cell[((ast_decl *)ca->lets.items[i])->index] =
        new_cell_named(c, CELL_LET, "let", ((ast_decl *)ca->lets.items[i])->name);
  for (uint32_t i = 0; i < ca->decisions.n; i++)
    c->agg_dec_cell[((ast_decl *)ca->decisions.items[i])->index] =
        new_cell_named(c, CELL_DECISION, "decide", ((ast_decl *)ca->decisions.items[i])->name);
  for (uint32_t i = 0; i < ca->lets.n; i++) {
    ast_decl *l = ca->lets.items[i];
    cell_code(c, c->agg_let_cell[l->index], l->expr, (ty_base)l->type.base);
  }
  for (uint32_t i = 0; i < ca->decisions.n; i++) {
    ast_decl *dd = ca->decisions.items[i];
    decision_code(c, c->agg_dec_cell[dd->index], dd, &pa->decisions[dd->index]);
  }
  columns_code(c, &ca->outputs, pa->ndecisions, pa->decisions, REF_AGG_DECISION, &pa->columns,
               &pa->ncolumns, NULL);
  pa->key_columns = comp_calloc(c, pa->nkeys + 1, sizeof *pa->key_columns);
  pa->decision_columns = comp_calloc(c, pa->ndecisions + 1, sizeof *pa->decision_columns);
  for (uint32_t i = 0; i < pa->nkeys; i++)
    pa->key_columns[i] =
        (prog_column){pa->key_names[i], pa->key_types[i], NO_CELL, (uint16_t)(pa->key_reg + i)};
  for (uint32_t i = 0; i < pa->ndecisions; i++)
    pa->decision_columns[i] =
        (prog_column){pa->decisions[i].name, pa->decisions[i].type, pa->decisions[i].cell,
                      c->P->cells[pa->decisions[i].cell].reg};
  mem_free(c->agg_let_cell);
  mem_free(c->agg_dec_cell);
  c->agg_let_cell = c->agg_dec_cell = NULL;
  c->agg = NULL;
}

/* ---------------------------------------------------------------- the whole program */

static bool compile_regexes(compiler *c)
{
  elig_program *P = c->P;
  P->nregexes = c->C->regexes.n;
  P->regexes = comp_calloc(c, P->nregexes + 1, sizeof *P->regexes);
  P->regex_sources = comp_calloc(c, P->nregexes + 1, sizeof *P->regex_sources);
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
        /* TRANSLATORS: why a regex is invalid, put in "invalid regex: %s"; 'i' is written as
         * it is. */
        diag_add(c->diags, DIAG_E_BAD_REGEX, at, _("unknown flag after the regex (only 'i')"));
        return false;
      }
    }
    int code;
    size_t off = 0;
    char msg[256];
    P->regex_sources[i] = re->text;
    P->regexes[i] = regex_compile(re->text, re->text_len, flags, &code, &off, msg, sizeof msg);
    if (!P->regexes[i] && code == REGEX_NO_MEMORY) {
      diag_add(c->diags, DIAG_E_NO_MEMORY, re->loc);
      return false;
    }
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

/* A cell for each declaration; *cells is set first, so that the compiler frees it even when
 * memory runs out while the cells are made. */
static void cells_for(compiler *c, const ast_list *decls, cell_kind kind, uint32_t **out)
{
  uint32_t *cells = *out = comp_calloc(c, decls->n + 1, sizeof *cells);
  for (uint32_t i = 0; i < decls->n; i++)
    cells[i] = new_cell_named(c, kind,
                              kind == CELL_LET        ? "let"
                              : kind == CELL_PARAM    ? "param"
                              : kind == CELL_DECISION ? "decide"
                                                      : "monitor",
                              ((ast_decl *)decls->items[i])->name);
}

/* A cell per value previous() reads, loading it from what the household's previous record
 * kept; the values themselves are kept by vm_remember from where they are computed. */
static void memory_code(compiler *c)
{
  elig_program *P = c->P;
  const ast_list *m = &c->C->memory;
  P->nmemory = m->n;
  P->memory = comp_calloc(c, m->n + 1, sizeof *P->memory);
  c->prev_cell = comp_calloc(c, m->n + 1, sizeof *c->prev_cell);
  for (uint32_t i = 0; i < m->n; i++) {
    ast_expr *x = m->items[i];
    prog_column src = column_for(c, x);
    prog_memory *pm = &P->memory[i];
    pm->name = x->text;
    pm->type = x->type;
    pm->type.opt = true;
    pm->cell = src.cell;
    pm->reg = src.reg;
    char label[128];
    snprintf(label, sizeof label, "previous(%s)", x->text);
    pm->prev_cell = c->prev_cell[i] = new_cell_named(c, CELL_PREVIOUS, label, NULL);
    begin_cell(c, pm->prev_cell, (ty_base)x->type.base);
    c->loc = x->loc; /* the first previous() of the name */
    emit(c, OP_PREV, P->cells[pm->prev_cell].reg, 0, 0, i);
    emit(c, OP_RET, pm->prev_cell, 0, 0, 0);
  }
}

static void record_program(compiler *c)
{
  elig_program *P = c->P;
  chk_program *C = c->C;
  cells_for(c, &C->lets, CELL_LET, &c->let_cell);
  cells_for(c, &C->params, CELL_PARAM, &c->param_cell);
  cells_for(c, &C->decisions, CELL_DECISION, &c->dec_cell);
  cells_for(c, &C->flags, CELL_FLAG, &c->flag_cell);
  if (c->failed)
    return;
  memory_code(c);
  for (uint32_t i = 0; i < C->lets.n; i++) {
    ast_decl *d = C->lets.items[i];
    cell_code(c, c->let_cell[i], d->expr, (ty_base)d->type.base);
  }
  P->params = comp_calloc(c, C->params.n + 1, sizeof *P->params);
  for (uint32_t i = 0; i < C->params.n; i++) {
    ast_decl *d = C->params.items[i];
    begin_cell(c, c->param_cell[i], (ty_base)d->type.base);
    c->loc = d->loc;
    uint32_t tables = P->ntables;
    table_code(c, c->param_cell[i], d->table, (ty_base)d->type.base);
    param_info(c, &P->params[P->nparams++], d, tables);
  }
  P->ndecisions = C->decisions.n;
  P->decisions = comp_calloc(c, P->ndecisions + 1, sizeof *P->decisions);
  P->nflags = C->flags.n;
  P->flags = comp_calloc(c, P->nflags + 1, sizeof *P->flags);
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
  P->flags_at = C->flags_at;
  columns_code(c, &C->outputs, P->ndecisions, P->decisions, REF_DECISION, &P->columns, &P->ncolumns,
               &P->flags_at);
  P->naggregates = C->aggregates.n;
  P->aggregates = comp_calloc(c, P->naggregates + 1, sizeof *P->aggregates);
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
  if (e->kind == AST_CALL && e->index == BI_PREVIOUS && c->prev_cell) {
    /* shown as "previous(income) = 1200.00" */
    uint32_t cell = c->prev_cell[e->ival];
    const char *label = c->P->cell_labels[cell];
    for (uint32_t i = 0; i < *n; i++)
      if (strcmp(out[i].name, label) == 0)
        return;
    prog_column col = {.name = label, .type = e->type, .cell = cell, .reg = c->P->cells[cell].reg};
    col.type.opt = true;
    out[(*n)++] = col;
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
static void names_of(compiler *c, const ast_expr *e, const ast_expr *e2, prog_names *out)
{
  enum {
    MAX_NAMES = 24
  };
  out->items = comp_calloc(c, MAX_NAMES, sizeof *out->items);
  collect_names(c, e, out->items, &out->n, MAX_NAMES);
  collect_names(c, e2, out->items, &out->n, MAX_NAMES);
}

static void explain_code(compiler *c)
{
  elig_program *P = c->P;
  chk_program *C = c->C;
  P->cell_names = comp_calloc(c, P->ncells + 1, sizeof *P->cell_names);
  for (uint32_t i = 0; i < C->lets.n; i++)
    names_of(c, ((ast_decl *)C->lets.items[i])->expr, NULL, &P->cell_names[c->let_cell[i]]);
  for (uint32_t i = 0; i < C->params.n; i++) {
    const ast_table *t = ((ast_decl *)C->params.items[i])->table;
    names_of(c, t ? t->by : NULL, NULL, &P->cell_names[c->param_cell[i]]);
  }
  for (uint32_t i = 0; i < C->flags.n; i++)
    names_of(c, ((ast_decl *)C->flags.items[i])->cond, NULL, &P->cell_names[c->flag_cell[i]]);
  for (uint32_t i = 0; i < C->decisions.n; i++) {
    ast_decl *d = C->decisions.items[i];
    prog_decision *pd = &P->decisions[i];
    pd->rule_names = comp_calloc(c, d->rules.n + 1, sizeof *pd->rule_names);
    for (uint32_t r = 0; r < d->rules.n; r++) {
      ast_rule *rule = d->rules.items[r];
      names_of(c, rule->cond, rule->value, &pd->rule_names[r]);
    }
  }
}

/* ---------------------------------------------------------------- tests */

static void given_value(wbuf *b, const ast_expr *v);

static void given_object(wbuf *b, const ast_list *items)
{
  wbuf_puts(b, "{");
  for (uint32_t i = 0; i < items->n; i++) {
    const ast_given_item *g = items->items[i];
    if (i)
      wbuf_puts(b, ",");
    wbuf_json_text(b, g->name, strlen(g->name));
    wbuf_puts(b, ":");
    given_value(b, g->value);
  }
  wbuf_puts(b, "}");
}

/* A literal as JSON: numbers keep their text (exact), dates become strings.  The test's
 * record is then typed like any JSON input when the test runs, defaults and checks
 * included. */
static void given_value(wbuf *b, const ast_expr *v)
{
  char buf[16];
  const ast_expr *lit = v;
  if (v->kind == AST_UNARY) {
    wbuf_puts(b, "-");
    lit = v->a;
  }
  switch (lit->kind) {
  case AST_INT:
  case AST_DECIMAL: wbuf_put(b, lit->text, lit->text_len); break;
  case AST_PERCENT:
    wbuf_puts(b, "\"");
    wbuf_put(b, lit->text, lit->text_len);
    wbuf_puts(b, "%\"");
    break;
  case AST_STRING: wbuf_json_text(b, lit->text, lit->text_len); break;
  case AST_DATE:
    date_format((int32_t)lit->ival, buf);
    wbuf_json_text(b, buf, 10);
    break;
  case AST_BOOL: wbuf_puts(b, lit->ival ? "true" : "false"); break;
  case AST_SET:
    /* [ {record}, {record} ] */
    wbuf_puts(b, "[");
    for (uint32_t i = 0; i < lit->list.n; i++) {
      if (i)
        wbuf_puts(b, ",");
      given_object(b, &((const ast_expr *)lit->list.items[i])->list);
    }
    wbuf_puts(b, "]");
    break;
  default: wbuf_puts(b, "null"); break;
  }
}

/* The span of a whole expression (a binary node's own location is its operator).  Bounded:
 * the parser refuses expressions nested deeper than PARSE_MAX_DEPTH. */
static void span(const ast_expr *e, uint32_t *start, uint32_t *end)
{
  if (!e)
    return;
  if (e->loc.start < *start)
    *start = e->loc.start;
  if (e->loc.end > *end)
    *end = e->loc.end;
  span(e->a, start, end);
  span(e->b, start, end);
  span(e->c, start, end);
  for (uint32_t i = 0; i < e->list.n; i++)
    span(e->list.items[i], start, end);
}

/* '(' minus ')' in text[start, end), outside quoted texts. */
static int32_t paren_balance(const char *text, uint32_t start, uint32_t end)
{
  int32_t depth = 0;
  bool quoted = false;
  for (uint32_t i = start; i < end; i++) {
    if (text[i] == '"' && (i == start || text[i - 1] != '\\'))
      quoted = !quoted;
    else if (!quoted && text[i] == '(')
      depth++;
    else if (!quoted && text[i] == ')')
      depth--;
  }
  return depth;
}

static bool is_blank(char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* [*start, *end) widened over the brackets its operands' spans leave out: parentheses make
 * no node, so `x * (10 - x)` ends at the last x, and `(a + b) * c` starts at the a. */
static void take_brackets(const char *text, uint32_t len, uint32_t *start, uint32_t *end)
{
  int32_t depth = paren_balance(text, *start, *end);
  for (uint32_t i = *end; depth > 0 && i < len; i++) {
    if (is_blank(text[i]))
      continue;
    if (text[i] != ')')
      break;
    depth--;
    *end = i + 1;
  }
  for (uint32_t i = *start; depth < 0 && i > 0; i--) {
    if (is_blank(text[i - 1]))
      continue;
    if (text[i - 1] != '(')
      break;
    depth++;
    *start = i - 1;
  }
}

/* Where an expectation starts (its operand, not its operator). */
static elig_loc expect_loc(const src_set *srcs, const ast_expr *e)
{
  uint32_t start = e->loc.start, end = e->loc.end, len;
  span(e, &start, &end);
  const char *text = src_text(srcs, e->loc.file, &len);
  if (text && end <= len)
    take_brackets(text, len, &start, &end);
  elig_loc at = {e->loc.file, start, end};
  return at;
}

/* An expectation as written, on one line: newlines and runs of spaces become one space. */
static void expression_text(wbuf *b, const src_set *srcs, const ast_expr *e)
{
  elig_loc at = expect_loc(srcs, e);
  uint32_t len;
  const char *text = src_text(srcs, at.file, &len);
  uint32_t end = at.end > len ? len : at.end;
  bool space = false;
  for (uint32_t i = at.start; text && i < end; i++) {
    char ch = text[i];
    if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t') {
      space = true;
      continue;
    }
    if (space)
      wbuf_puts(b, " ");
    space = false;
    wbuf_put(b, &ch, 1);
  }
}

/* b's text copied into the program's strings. */
static const char *keep_text(compiler *c, wbuf *b, uint32_t *len)
{
  const char *text = wbuf_text(b);
  if (!text)
    out_of_memory(c);
  char *kept = arena_strdup(c->arena, text, b->len);
  if (len)
    *len = (uint32_t)b->len;
  b->len = 0;
  return kept;
}

/* One record of a test lowered: its given record as JSON text, a cell per expectation, and
 * what a failure report shows (where each expectation is, its text, the values it names). */
static void test_step_code(compiler *c, const prog_test *t, const ast_test_step *ast,
                           prog_test_step *st, wbuf *b)
{
  enum {
    MAX_SHOWN = 16
  };
  st->loc = ast->loc;
  given_object(b, &ast->given);
  st->given = keep_text(c, b, &st->given_len);
  st->rejected = ast->expects.rejected;
  st->rejected_loc = ast->expects.rejected_loc;
  st->nexpects = ast->expects.list.n;
  st->expect_cells = comp_calloc(c, st->nexpects + 1, sizeof *st->expect_cells);
  st->expect_locs = comp_calloc(c, st->nexpects + 1, sizeof *st->expect_locs);
  st->expect_texts = comp_calloc(c, st->nexpects + 1, sizeof *st->expect_texts);
  st->shown = comp_calloc(c, st->nexpects + 1, sizeof *st->shown);
  st->nshown = comp_calloc(c, st->nexpects + 1, sizeof *st->nshown);
  for (uint32_t k = 0; k < st->nexpects && !c->failed; k++) {
    ast_expr *e = ast->expects.list.items[k];
    st->expect_locs[k] = expect_loc(c->srcs, e);
    expression_text(b, c->srcs, e);
    st->expect_texts[k] = keep_text(c, b, NULL);
    st->expect_cells[k] = new_cell_named(c, CELL_EXPECT, "expectation of test", t->name);
    cell_code(c, st->expect_cells[k], e, TY_BOOL);
    st->shown[k] = comp_calloc(c, MAX_SHOWN, sizeof *st->shown[k]);
    collect_names(c, e, st->shown[k], &st->nshown[k], MAX_SHOWN);
  }
  const ast_expects *ex = &ast->expects;
  st->three_valued = ex->undetermined.n || ex->needs;
  st->nundetermined = ex->undetermined.n;
  st->undetermined_cells = comp_calloc(c, ex->undetermined.n + 1, sizeof *st->undetermined_cells);
  st->undetermined_locs = comp_calloc(c, ex->undetermined.n + 1, sizeof *st->undetermined_locs);
  st->undetermined_texts = comp_calloc(c, ex->undetermined.n + 1, sizeof *st->undetermined_texts);
  for (uint32_t k = 0; k < ex->undetermined.n && !c->failed; k++) {
    ast_expr *e = ex->undetermined.items[k];
    st->undetermined_locs[k] = expect_loc(c->srcs, e);
    expression_text(b, c->srcs, e);
    st->undetermined_texts[k] = keep_text(c, b, NULL);
    st->undetermined_cells[k] = new_cell_named(c, CELL_EXPECT, "expectation of test", t->name);
    cell_code(c, st->undetermined_cells[k], e, (ty_base)e->type.base);
  }
  if (ex->needs) {
    st->needs = ex->needs->text;
    st->needs_loc = ex->needs->loc;
    st->nneeds = ex->nneeds;
    st->needs_fields = comp_calloc(c, ex->nneeds + 1, sizeof *st->needs_fields);
    for (uint32_t k = 0; k < ex->nneeds; k++)
      st->needs_fields[k] = (prog_need){ex->needs_fields[k].field, ex->needs_fields[k].element,
                                        ex->needs_fields[k].element_field};
  }
}

static void test_code(compiler *c, ast_decl *d, prog_test *t, wbuf *b)
{
  t->name = d->text;
  t->loc = d->name_loc;
  t->nsteps = d->steps.n;
  t->steps = comp_calloc(c, t->nsteps + 1, sizeof *t->steps);
  for (uint32_t i = 0; i < t->nsteps && !c->failed; i++)
    test_step_code(c, t, d->steps.items[i], &t->steps[i], b);
}

static void tests_code(compiler *c)
{
  elig_program *P = c->P;
  P->ntests = c->C->tests.n;
  P->tests = comp_calloc(c, P->ntests + 1, sizeof *P->tests);
  for (uint32_t i = 0; i < P->ntests && !c->failed; i++)
    test_code(c, c->C->tests.items[i], &P->tests[i], &c->text);
}

/* ---------------------------------------------------------------- conditions, for explain */

static bool is_comparison(const ast_expr *e)
{
  return e->kind == AST_BINARY && (e->op == OPR_EQ || e->op == OPR_NE || e->op == OPR_LT ||
                                   e->op == OPR_LE || e->op == OPR_GT || e->op == OPR_GE);
}

/* Sides whose difference says something: numbers, amounts, counts, dates. */
static bool has_margin(ty_type t)
{
  return t.base == TY_INT || t.base == TY_MONEY || t.base == TY_NUMBER || t.base == TY_PERCENT ||
         t.base == TY_DATE;
}

/* A number written out that is an exact amount: a whole number, or at most two decimals. */
static bool is_amount_literal(const ast_expr *e)
{
  if (e->kind == AST_UNARY && e->op == OPR_NEG)
    e = e->a;
  if (e->kind == AST_INT)
    return true;
  if (e->kind != AST_DECIMAL)
    return false;
  const char *dot = memchr(e->text, '.', e->text_len);
  return !dot || (size_t)(e->text + e->text_len - dot - 1) <= 2;
}

/* The operands of e's top-level `and`s, left to right, into out (NULL: only counted). */
static uint32_t conjuncts(ast_expr *e, ast_expr **out)
{
  /* `and` is left-associative: walk down the left spine, so that depth costs no stack */
  uint32_t count = 1;
  for (const ast_expr *x = e; x->kind == AST_BINARY && x->op == OPR_AND; x = x->a)
    count++;
  ast_expr *x = e;
  for (uint32_t k = count; out && k > 1; x = x->a)
    out[--k] = x->b;
  if (out)
    out[0] = x;
  return count;
}

static const char *text_of(compiler *c, const ast_expr *e)
{
  expression_text(&c->text, c->srcs, e);
  return keep_text(c, &c->text, NULL);
}

/* The conditions of `cond` (NULL: none), each compiled into cells of its own. */
static void conds_of(compiler *c, ast_expr *cond, const char *label, prog_conds *out)
{
  out->n = 0;
  out->items = NULL;
  if (!cond)
    return;
  uint32_t n = conjuncts(cond, NULL);
  ast_expr **parts = arena_alloc(c->arena, n * sizeof *parts); /* no leak on a long jump */
  conjuncts(cond, parts);
  out->items = arena_alloc(c->arena, n * sizeof *out->items);
  out->n = n;
  for (uint32_t k = 0; k < n && !c->failed; k++) {
    ast_expr *e = parts[k];
    prog_cond *pc = &out->items[k];
    pc->left = pc->right = UINT32_MAX;
    pc->text = text_of(c, e);
    pc->cell = new_cell_named(c, CELL_COND, "condition of", label);
    cell_code(c, pc->cell, e, TY_BOOL);
    if (!is_comparison(e) || !has_margin(e->a->type) || !has_margin(e->b->type))
      continue;
    /* an amount against a number written out (`rigid_expense > 500.00`): the number is an
     * amount too, as the comparison takes it */
    ty_base lb = e->a->type.base, rb = e->b->type.base;
    if (lb == TY_MONEY && rb != TY_MONEY && is_amount_literal(e->b))
      rb = TY_MONEY;
    else if (rb == TY_MONEY && lb != TY_MONEY && is_amount_literal(e->a))
      lb = TY_MONEY;
    if (lb != rb)
      continue;
    pc->op = (uint8_t)e->op;
    pc->left_type = ty_make(lb);
    pc->right_type = ty_make(rb);
    pc->left_text = text_of(c, e->a);
    pc->right_text = text_of(c, e->b);
    pc->left_literal = is_constant(e->a);
    pc->right_literal = is_constant(e->b);
    pc->left = new_cell_named(c, CELL_COND, "side of a condition of", label);
    cell_code(c, pc->left, e->a, lb);
    pc->right = new_cell_named(c, CELL_COND, "side of a condition of", label);
    cell_code(c, pc->right, e->b, rb);
  }
}

static void conds_code(compiler *c)
{
  elig_program *P = c->P;
  chk_program *C = c->C;
  for (uint32_t i = 0; i < C->flags.n && !c->failed; i++)
    conds_of(c, ((ast_decl *)C->flags.items[i])->cond, P->flags[i].name, &P->flags[i].conds);
  for (uint32_t i = 0; i < C->decisions.n && !c->failed; i++) {
    ast_decl *d = C->decisions.items[i];
    prog_decision *pd = &P->decisions[i];
    pd->rule_conds = comp_calloc(c, d->rules.n + 1, sizeof *pd->rule_conds);
    for (uint32_t r = 0; r < d->rules.n && !c->failed; r++)
      conds_of(c, ((ast_rule *)d->rules.items[r])->cond, pd->name, &pd->rule_conds[r]);
  }
}

/* The longest chain of cell calls bounds the VM's return stack. */
static void measure_depth(elig_program *P)
{
  /* Every ENSURE can nest at most once per cell, so ncells + 1 is always enough. */
  P->max_depth = P->ncells + 1;
}

/* The compilation proper.  An allocation that fails anywhere below jumps back here
 * (out_of_memory, and the arena's failure point for the strings the program keeps): the
 * half-built program is freed by the caller, and no stage has to test each allocation and
 * then carry on with half its data.  Nothing this function reads after the jump is changed
 * between setjmp and longjmp. */
static bool compile_guarded(compiler *c)
{
  jmp_buf fail;
  if (setjmp(fail)) {
    arena_set_fail(c->arena, NULL);
    c->no_memory = NULL;
    return false;
  }
  c->no_memory = &fail;
  arena_set_fail(c->arena, &fail);
  if (!compile_regexes(c))
    c->failed = true;
  if (!c->failed)
    records_code(c);
  if (!c->failed)
    record_program(c);
  if (!c->failed)
    tests_code(c);
  if (!c->failed)
    conds_code(c);
  if (!c->failed)
    explain_code(c);
  arena_set_fail(c->arena, NULL);
  c->no_memory = NULL;
  return true;
}

elig_program *comp_compile(chk_program *chk, ast_arena *arena, src_set *srcs, diag_list *diags)
{
  compiler c = {.C = chk, .arena = arena, .srcs = srcs, .diags = diags};
  c.loc = chk->record->loc;
  c.P = prog_new(NULL, NULL); /* takes the arena and the files only once it succeeds */
  if (!c.P) {
    diag_add(diags, DIAG_E_NO_MEMORY, c.loc);
    return NULL;
  }
  if (chk->policy) {
    c.P->policy = chk->policy->text;
    c.P->version = chk->policy->version;
  }
  bool enough_memory = compile_guarded(&c);
  mem_free(c.let_cell);
  mem_free(c.param_cell);
  mem_free(c.dec_cell);
  mem_free(c.flag_cell);
  mem_free(c.prev_cell);
  mem_free(c.agg_let_cell);
  mem_free(c.agg_dec_cell);
  wbuf_free(&c.text);
  if (!enough_memory)
    diag_add(diags, DIAG_E_NO_MEMORY, c.loc);
  if (!enough_memory || c.failed) {
    prog_free(c.P);
    return NULL;
  }
  measure_depth(c.P);
  c.P->strings = arena;
  c.P->srcs = srcs;
  return c.P;
}
