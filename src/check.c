/*
 * check.c -- the type checker: types every expression of a rule set, once the resolver has
 * said what each name means, and enforces the rules about absent values.
 *
 * Pipeline: parse.c -> resolve.c + check.c -> compile.c.  chk_check (check.h) is the entry
 * point of both.  It runs the resolver over the whole rule set first (merge of the files,
 * main record, indexes, numbering: resolve.h), then types the records, parameters, derived
 * values, decisions, flags, aggregates, tests and output, asking the resolver what each name
 * means where it meets it (res_lookup).  Output: the tree annotated (types; ref, index and
 * decl of each name, from the resolver's binding) and a chk_program listing declarations in
 * compile order.  Every error is reported here or in the resolver, before any record is read,
 * with its own code from diag.def; the compiler can then assume a well-typed program.
 *
 * Derived values, parameters and decisions are typed on demand, when a name first uses them,
 * so a name may be used before its declaration; meeting one again while it is being typed is a
 * cycle (E0403).
 *
 * Absent values: an optional field, or a derived value that may be none, cannot be used by an
 * operator until it is tested.  `x is not none and <uses x>`, `if x is none then .. else
 * <uses x>` and `x is none or <uses x>` narrow x; `x or d` replaces none with d.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "backdate.h"
#include "check.h"
#include "decimal.h"
#include "lint.h"
#include "resolve.h"

/* ---------------------------------------------------------------- state */

/* Derived values that use one another may nest this deep (a -> b -> ... ). */
#define CHECK_MAX_CHAIN 1000

/* A name that has been proved present in the current context. */
typedef struct narrow {
  const struct narrow *next;
  int ref;
  uint32_t index;
} narrow;

typedef struct {
  ast_arena *arena;
  diag_list *diags;
  chk_program *prog;
  bool failed;
  /* The scope being checked. */
  ast_decl *elem_record; /* inside where / list.field: the element record */
  chk_aggregate *agg;    /* inside an aggregate block */
  bool in_acc;           /* inside an accumulation's argument: record scope again */
  bool in_field_check;   /* inside a field's `check` (typing a record: it has no history) */
  int last;              /* index of the last diagnostic, for help and notes */
  res_ctx res;           /* the names: what each one means (resolve.h) */
  ast_decl *chain[64];   /* derived values being checked, for cycle reports */
  uint32_t depth;        /* how many are being checked, one inside the other */
  bool chain_reported;
  char tybuf1[64], tybuf2[64]; /* type names for messages: per checker, so that threads can
                                 compile at once */
} checker;

static int error(checker *c, diag_id id, elig_loc loc, ...);

/* ---------------------------------------------------------------- helpers */

/* Reports a diagnostic; returns its index for help and notes (DIAG_NONE when dropped). */
static int error(checker *c, diag_id id, elig_loc loc, ...)
{
  va_list ap;
  va_start(ap, loc);
  int idx = diag_addv(c->diags, id, loc, ap);
  va_end(ap);
  if (diag_id_severity(id) == DIAG_SEV_ERROR)
    c->failed = true;
  c->last = idx;
  return idx;
}

static const char *tn(ty_type t, char *buf)
{
  return ty_name(t, buf, 64);
}

static ty_type T(ty_base b)
{
  return ty_make(b);
}

static ty_type opt_of(ty_type t, bool opt)
{
  t.opt = opt;
  return t;
}

/* The scope the checker is in, for the resolver. */
static res_scope scope(const checker *c)
{
  res_scope sc = {c->elem_record, c->agg ? c->agg->decl : NULL, c->in_acc};
  return sc;
}

/* ---------------------------------------------------------------- literals */

/* Why a literal is not a value of the type wanted; one diagnostic each. */
typedef enum {
  LIT_OK,
  LIT_MISMATCH,     /* E0301: text where an int is wanted, ... */
  LIT_OUT_OF_RANGE, /* E0107 */
  LIT_MONEY_PLACES, /* E0306: 8700.005 as money */
} lit_status;

/* chk_literal, saying why in a way the checker can report with a code. */
static lit_status literal(const ast_expr *e, ty_base want, chk_value *out)
{
  bool neg = false;
  const ast_expr *lit = e;
  if (e->kind == AST_UNARY && e->op == OPR_NEG) {
    neg = true;
    lit = e->a;
  }
  memset(out, 0, sizeof *out);
  out->type = want;
  dec_status st = DEC_OK;
  switch (lit->kind) {
  case AST_INT:
  case AST_DECIMAL:
    /* 12 may be an int, money or a number; 12.5 money (if it fits the fen) or a number */
    if (want == TY_INT && lit->kind == AST_INT) {
      st = dec_int_parse(lit->text, lit->text_len, &out->i);
      if (neg)
        out->i = -out->i;
    } else if (want == TY_MONEY) {
      st = dec_money_parse(lit->text, lit->text_len, &out->i);
      if (neg)
        out->i = -out->i;
    } else if (want == TY_NUMBER || want == TY_PERCENT) {
      st = dec_num_parse(lit->text, lit->text_len, &out->n);
      if (neg)
        out->n.num = -out->n.num;
    } else
      goto mismatch;
    break;
  case AST_PERCENT: {
    if (want != TY_PERCENT && want != TY_NUMBER)
      goto mismatch;
    dec_num hundred = dec_num_from_int(100);
    st = dec_num_parse(lit->text, lit->text_len, &out->n);
    if (st == DEC_OK)
      st = dec_num_div(out->n, hundred, &out->n);
    if (neg)
      out->n.num = -out->n.num;
    break;
  }
  case AST_STRING:
    if (want != TY_TEXT || neg)
      goto mismatch;
    out->s = lit->text;
    out->len = lit->text_len;
    break;
  case AST_DATE:
    if (want != TY_DATE || neg)
      goto mismatch;
    out->i = lit->ival;
    break;
  case AST_BOOL:
    if (want != TY_BOOL || neg)
      goto mismatch;
    out->i = lit->ival;
    break;
  default: goto mismatch;
  }
  if (st == DEC_TOO_PRECISE)
    return LIT_MONEY_PLACES;
  if (st != DEC_OK)
    return LIT_OUT_OF_RANGE;
  return LIT_OK;
mismatch:
  return LIT_MISMATCH;
}

bool chk_literal(const ast_expr *e, ty_base want, chk_value *out, const char **why)
{
  switch (literal(e, want, out)) {
  case LIT_OK: return true;
  case LIT_MISMATCH: *why = "mismatch"; break;
  case LIT_OUT_OF_RANGE: *why = "out of range"; break;
  case LIT_MONEY_PLACES: *why = "money has at most two decimal places"; break;
  }
  return false;
}

/* What a literal is, in words: "a whole number", "text", ... */
static const char *literal_word(const ast_expr *e)
{
  static const char *const found[] = {
      [AST_INT] = "a whole number", [AST_DECIMAL] = "a decimal", [AST_PERCENT] = "a percentage",
      [AST_STRING] = "text",        [AST_DATE] = "a date",       [AST_BOOL] = "true or false",
      [AST_NONE] = "none"};
  const ast_expr *lit = e->kind == AST_UNARY ? e->a : e;
  return lit->kind <= AST_NONE && found[lit->kind] ? found[lit->kind] : "another kind";
}

/* chk_literal with diagnostics. */
static bool literal_value(checker *c, ast_expr *e, ty_base want, chk_value *out)
{
  switch (literal(e, want, out)) {
  case LIT_OK: e->type = T(want); return true;
  case LIT_MISMATCH:
    error(c, DIAG_E_TYPE_MISMATCH, e->loc, ty_base_name(want), literal_word(e));
    break;
  case LIT_OUT_OF_RANGE:
    error(c, DIAG_E_OUT_OF_RANGE, e->loc,
          e->text              ? e->text
          : e->a && e->a->text ? e->a->text
                               : "?");
    break;
  case LIT_MONEY_PLACES: error(c, DIAG_E_MONEY_DECIMALS, e->loc); break;
  }
  return false;
}

/* ---------------------------------------------------------------- names */

static ty_type check_expr(checker *c, ast_expr *e, const narrow *nw);
static void check_let(checker *c, ast_decl *d);
static void check_agg_let(checker *c, ast_decl *d);
static void check_decision(checker *c, ast_decl *d);
static void check_param(checker *c, ast_decl *d);
static ty_type field_type(checker *c, const ast_field *f);

static bool is_narrowed(const narrow *nw, int ref, uint32_t index)
{
  for (; nw; nw = nw->next)
    if (nw->ref == ref && nw->index == index)
      return true;
  return false;
}

/* Whether a checked expression reads anything of the record (a field, or a value computed
 * from fields); as_of and constants do not. */
static bool uses_record(const ast_expr *e)
{
  if (!e)
    return false;
  if (e->kind == AST_NAME)
    return e->ref != REF_AS_OF && e->ref != REF_NONE;
  if (uses_record(e->a) || uses_record(e->b) || uses_record(e->c))
    return true;
  for (uint32_t i = 0; i < e->list.n; i++)
    if (uses_record(e->list.items[i]))
      return true;
  return false;
}

static bool table_uses_record(const ast_table *t)
{
  if (!t)
    return false;
  if (uses_record(t->by))
    return true;
  for (uint32_t i = 0; i < t->rows.n; i++)
    if (table_uses_record(((ast_table_row *)t->rows.items[i])->nested))
      return true;
  return false;
}

/* Types an AST_NAME.  The resolver says what the name means in the current scope; this sets
 * ref, index, decl and type, checking a derived value, parameter or decision first when that
 * has not been done yet (a name may be used before its declaration). */
static ty_type check_name(checker *c, ast_expr *e, const narrow *nw)
{
  chk_program *p = c->prog;
  res_scope sc = scope(c);
  res_binding b = res_lookup(&c->res, &sc, e->text);
  ast_decl *d = b.decl;
  switch (b.kind) {
  case RES_ELEM_FIELD:
    e->ref = b.record == p->record ? REF_FIELD : REF_MEMBER;
    e->index = b.index;
    b.field->used = true;
    e->type = field_type(c, b.field);
    break;
  case RES_AGG_KEY:
    e->ref = REF_AGG_KEY;
    e->index = b.index;
    e->type = b.key->expr->type;
    return e->type;
  case RES_AGG_LET:
    check_agg_let(c, d);
    e->ref = REF_AGG_LET;
    e->index = d->index;
    e->decl = d;
    d->used = true;
    e->type = d->type;
    break;
  case RES_AGG_DECISION:
    e->ref = REF_AGG_DECISION;
    e->index = d->index;
    e->decl = d;
    e->type = d->type;
    return e->type;
  case RES_FIELD:
  case RES_VALUE:
    if (c->agg && !c->in_acc) {
      /* a parameter that depends on no field (a constant, or by as_of) is the same for the
       * whole group; anything else of the record scope differs from record to record */
      if (b.kind == RES_VALUE && d->kind == DECL_PARAM) {
        check_param(c, d);
        if (!table_uses_record(d->table)) {
          e->ref = REF_PARAM;
          e->decl = d;
          e->index = d->index;
          d->used = true;
          e->type = d->type;
          return e->type;
        }
      }
      error(c, DIAG_E_RECORD_VALUE_IN_GROUP, e->loc, e->text);
      diag_add_help(c->diags, c->last,
                    "use an aggregation such as sum(%s), count(where ...) or first(%s)", e->text,
                    e->text);
      e->type = T(TY_ERROR);
      return e->type;
    }
    if (b.kind == RES_FIELD) {
      e->ref = REF_FIELD;
      e->index = b.index;
      b.field->used = true;
      e->type = field_type(c, b.field);
      break;
    }
    e->decl = d;
    e->index = d->index;
    d->used = true;
    switch (d->kind) {
    case DECL_LET:
      e->ref = REF_LET;
      check_let(c, d);
      break;
    case DECL_PARAM:
      e->ref = REF_PARAM;
      check_param(c, d);
      break;
    case DECL_DECIDE:
      e->ref = REF_DECISION;
      check_decision(c, d);
      break;
    default:
      e->ref = REF_FLAG;
      d->type = T(TY_BOOL);
      break;
    }
    e->type = d->type;
    break;
  case RES_AS_OF:
    e->ref = REF_AS_OF;
    e->type = T(TY_DATE);
    return e->type;
  case RES_UNKNOWN:
    res_report_unknown(&c->res, &sc, e);
    e->type = T(TY_ERROR);
    return e->type;
  }
  if (e->type.opt && is_narrowed(nw, (int)e->ref, e->index))
    e->type.opt = false;
  return e->type;
}

/* ---------------------------------------------------------------- narrowing */

/* A checked call of previous(), whose ival is the slot it reads. */
static bool is_previous(const ast_expr *e)
{
  return e->kind == AST_CALL && e->index == BI_PREVIOUS && e->type.base != TY_ERROR;
}

/* Names proved present when `e` is true (when_true) or false. */
static const narrow *facts(checker *c, const ast_expr *e, bool when_true, const narrow *nw)
{
  if (!e)
    return nw;
  if (e->kind == AST_IS_NONE && e->a && (e->ival != 0) == when_true &&
      (e->a->kind == AST_NAME || is_previous(e->a))) {
    narrow *n = ast_alloc(c->arena, sizeof *n);
    if (!n)
      return nw;
    n->next = nw;
    n->ref = e->a->kind == AST_NAME ? (int)e->a->ref : REF_PREVIOUS;
    n->index = e->a->kind == AST_NAME ? e->a->index : (uint32_t)e->a->ival;
    return n;
  }
  if (e->kind == AST_UNARY && e->op == OPR_NOT)
    return facts(c, e->a, !when_true, nw);
  if (e->kind == AST_BINARY && e->op == (when_true ? OPR_AND : OPR_OR))
    return facts(c, e->b, when_true, facts(c, e->a, when_true, nw));
  return nw;
}

/* ---------------------------------------------------------------- expressions */

static const char *describe(const ast_expr *e)
{
  return e->kind == AST_NAME || e->kind == AST_MEMBER ? e->text : "this value";
}

/* Checks an operand that must be present. */
static ty_type use(checker *c, ast_expr *e, const narrow *nw)
{
  ty_type t = check_expr(c, e, nw);
  if (t.opt && is_previous(e)) {
    const char *x = ((const ast_expr *)e->list.items[0])->text;
    snprintf(c->tybuf2, sizeof c->tybuf2, "previous(%s)", x);
    error(c, DIAG_E_NONE_UNHANDLED, e->loc, c->tybuf2);
    diag_add_help(c->diags, c->last,
                  "the household may have no record of the year before: test it first "
                  "('previous(%s) is not none and ...') or give a default ('previous(%s) or ...')",
                  x, x);
    t.opt = false;
    return t;
  }
  if (t.opt) {
    error(c, DIAG_E_NONE_UNHANDLED, e->loc, describe(e));
    if (e->kind == AST_NAME) {
      static const char *const defaults[] = {
          [TY_BOOL] = "false", [TY_INT] = "0",     [TY_MONEY] = "0",        [TY_NUMBER] = "0",
          [TY_PERCENT] = "0%", [TY_TEXT] = "\"\"", [TY_DATE] = "2020-01-01"};
      const char *d = t.base <= TY_DATE && defaults[t.base] ? defaults[t.base] : "...";
      diag_add_help(c->diags, c->last,
                    "test it first ('%s is not none and ...') or give a default ('%s or %s')",
                    e->text, e->text, d);
    }
    t.opt = false;
  }
  return t;
}

static bool is_error(ty_type t)
{
  return t.base == TY_ERROR;
}

/* The common type of two numeric operands for a comparison or if-branches. */
static ty_base numeric_join(ty_base a, ty_base b)
{
  if (a == b)
    return a;
  if (a == TY_NUMBER || b == TY_NUMBER || a == TY_PERCENT || b == TY_PERCENT)
    return TY_NUMBER;
  return TY_MONEY; /* int with money */
}

/* 0, 0.00, 0%: a divisor that fails every record. */
static bool is_zero_literal(const ast_expr *e)
{
  if (e->kind == AST_UNARY && e->op == OPR_NEG)
    e = e->a;
  if (e->kind != AST_INT && e->kind != AST_DECIMAL && e->kind != AST_PERCENT)
    return false;
  for (uint32_t i = 0; i < e->text_len; i++)
    if (e->text[i] != '0' && e->text[i] != '.')
      return false;
  return true;
}

/* A literal that is an exact amount of money: 12, 0.5, -1200.50. */
static bool money_literal(const ast_expr *e)
{
  dec_money m;
  if (e->kind == AST_UNARY && e->op == OPR_NEG)
    e = e->a;
  return (e->kind == AST_DECIMAL || e->kind == AST_INT) &&
         dec_money_parse(e->text, e->text_len, &m) == DEC_OK;
}

/* numeric_join, except that money with a literal amount stays money: net_income - 0.01. */
static ty_base join(const ast_expr *le, ty_base a, const ast_expr *re, ty_base b)
{
  if (a == TY_MONEY && b == TY_NUMBER && money_literal(re))
    return TY_MONEY;
  if (b == TY_MONEY && a == TY_NUMBER && money_literal(le))
    return TY_MONEY;
  return numeric_join(a, b);
}

static ty_type check_arith(checker *c, ast_expr *e, ty_type l, ty_type r)
{
  ty_base a = l.base, b = r.base;
  if (is_error(l) || is_error(r))
    return T(TY_ERROR);
  if (e->op == OPR_ADD || e->op == OPR_SUB) {
    if (a == TY_DATE && b == TY_INT)
      return T(TY_DATE);
    if (a == TY_DATE && b == TY_DATE && e->op == OPR_SUB)
      return T(TY_INT);
    if (ty_is_numeric(a) && ty_is_numeric(b)) {
      if (a == TY_PERCENT && b == TY_PERCENT)
        return T(TY_PERCENT);
      return T(join(e->a, a, e->b, b));
    }
  } else if (e->op == OPR_MUL) {
    if (ty_is_numeric(a) && ty_is_numeric(b)) {
      if (a == TY_MONEY && b == TY_MONEY) {
        error(c, DIAG_E_MONEY_TIMES_MONEY, e->loc);
        return T(TY_ERROR);
      }
      if (a == TY_INT && b == TY_INT)
        return T(TY_INT);
      if ((a == TY_MONEY && b == TY_INT) || (a == TY_INT && b == TY_MONEY))
        return T(TY_MONEY);
      return T(TY_NUMBER);
    }
  } else if (e->op == OPR_DIV) {
    if (is_zero_literal(e->b)) {
      error(c, DIAG_E_DIV_BY_ZERO, e->loc);
      return T(TY_ERROR);
    }
    if (ty_is_numeric(a) && ty_is_numeric(b)) {
      /* money / int is money rounded to the fen, half away from zero: the policy's rule for
       * per-capita amounts.  Every other quotient is an exact number. */
      if (a == TY_MONEY && b == TY_INT)
        return T(TY_MONEY);
      return T(TY_NUMBER);
    }
  }
  static const char *const opname[] = {"+", "-", "*", "/"};
  error(c, DIAG_E_OPERATOR_TYPES, e->loc, opname[e->op], tn(l, c->tybuf1), tn(r, c->tybuf2));
  return T(TY_ERROR);
}

/* A string literal compared with a decision's text outcome must be one of its outcomes:
 * catches status = "not_por". */
static void check_outcome_literal(checker *c, const ast_expr *named, const ast_expr *lit)
{
  if (!named || !lit || lit->kind != AST_STRING || !named->decl)
    return;
  if (named->ref != REF_DECISION && named->ref != REF_AGG_DECISION)
    return;
  ast_decl *d = named->decl;
  res_candidates cs = {.n = 0};
  for (uint32_t i = 0; i < d->rules.n; i++) {
    ast_rule *r = d->rules.items[i];
    if (!r->value || r->value->kind != AST_STRING)
      return;
    if (strcmp(r->value->text, lit->text) == 0)
      return;
    res_cand_add(&cs, r->value->text);
  }
  error(c, DIAG_E_UNKNOWN_OUTCOME, lit->loc, d->name, lit->text);
  res_suggest(c->diags, c->last, lit->text, &cs);
}

static ty_type check_compare(checker *c, ast_expr *e, ty_type l, ty_type r)
{
  ty_base a = l.base, b = r.base;
  if (is_error(l) || is_error(r))
    return T(TY_BOOL);
  bool eq = e->op == OPR_EQ || e->op == OPR_NE;
  if ((ty_is_numeric(a) && ty_is_numeric(b)) || (a == b && (a == TY_TEXT || a == TY_DATE)) ||
      (eq && a == TY_BOOL && b == TY_BOOL)) {
    check_outcome_literal(c, e->a, e->b);
    check_outcome_literal(c, e->b, e->a);
    return T(TY_BOOL);
  }
  error(c, DIAG_E_COMPARE_TYPES, e->loc, tn(l, c->tybuf1), tn(r, c->tybuf2));
  return T(TY_BOOL);
}

static ty_type check_set(checker *c, ast_expr *e, const narrow *nw)
{
  ty_base elem = TY_ERROR;
  for (uint32_t i = 0; i < e->list.n; i++) {
    ast_expr *x = e->list.items[i];
    ty_type t = use(c, x, nw);
    if (x->kind != AST_STRING && x->kind != AST_INT && x->kind != AST_DATE &&
        x->kind != AST_DECIMAL && x->kind != AST_PERCENT &&
        !(x->kind == AST_UNARY && x->op == OPR_NEG)) {
      error(c, DIAG_E_SET_NOT_LITERAL, x->loc);
      continue;
    }
    if (elem == TY_ERROR)
      elem = t.base;
    else if (t.base != elem && !(ty_is_numeric(t.base) && ty_is_numeric(elem)))
      error(c, DIAG_E_SET_TYPES, x->loc, ty_base_name(elem), ty_base_name(t.base));
    else if (ty_is_numeric(t.base))
      elem = numeric_join(elem, t.base);
  }
  ty_type st = T(TY_SET);
  st.elem = elem == TY_ERROR ? TY_TEXT : (uint8_t)elem;
  return st;
}

static ty_type check_in(checker *c, ast_expr *e, const narrow *nw)
{
  ty_type l = use(c, e->a, nw);
  if (e->b->kind != AST_SET) {
    error(c, DIAG_E_IN_NEEDS_SET, e->b->loc);
    return T(TY_BOOL);
  }
  ty_type s = check_set(c, e->b, nw);
  if (!is_error(l) && e->b->list.n > 0 && l.base != s.elem &&
      !(ty_is_numeric(l.base) && ty_is_numeric(s.elem)))
    error(c, DIAG_E_IN_TYPES, e->loc, tn(l, c->tybuf1), ty_base_name(s.elem));
  for (uint32_t i = 0; i < e->b->list.n; i++)
    check_outcome_literal(c, e->a, e->b->list.items[i]);
  return T(TY_BOOL);
}

/* ---------------------------------------------------------------- calls */

/* The functions, their names and argument counts: builtins.def, shared with the compiler
 * and the VM. */
typedef builtin_info builtin;

static bool want(checker *c, ast_expr *e, ty_type t, ty_base b, const char *fn)
{
  if (is_error(t) || t.base == b || (b == TY_NUMBER && ty_is_numeric(t.base)))
    return true;
  error(c, DIAG_E_OPERAND_TYPE, e->loc, fn, ty_base_name(b), tn(t, c->tybuf1));
  if (b == TY_BOOL)
    diag_add_help(c->diags, c->last,
                  "a condition is a comparison or a yes-or-no value, such as %s > 0",
                  e->kind == AST_NAME ? e->text : "size");
  return false;
}

/* count(list [where c]), sum(list.field [where c]), min/max(list.field), any/all(list where c)
 * over the element records of a list field. */
static ty_type check_list_aggregation(checker *c, ast_expr *e, const builtin *bi, const narrow *nw)
{
  ast_expr *arg = e->list.items[0];
  ast_expr *list = arg->kind == AST_MEMBER ? arg->a : arg;
  ty_type lt = use(c, list, nw);
  if (is_error(lt))
    return T(TY_ERROR);
  if (lt.base != TY_LIST) {
    error(c, DIAG_E_NOT_A_LIST, list->loc, bi->name, tn(lt, c->tybuf1));
    return T(TY_ERROR);
  }
  if (c->elem_record && c->elem_record != c->prog->record) {
    error(c, DIAG_E_NESTED_LIST, e->loc);
    return T(TY_ERROR);
  }
  ast_decl *saved = c->elem_record;
  c->elem_record = c->prog->records.items[lt.record];
  ty_type vt = T(TY_INT);
  if (arg->kind == AST_MEMBER) {
    ast_field *f = res_field_or_report(&c->res, c->elem_record, arg->text, arg->loc, &arg->index);
    if (!f) {
      vt = T(TY_ERROR);
    } else {
      f->used = true;
      arg->ref = REF_MEMBER;
      vt = field_type(c, f);
      arg->type = vt;
    }
  }
  if (e->b) {
    ty_type wt = use(c, e->b, NULL);
    want(c, e->b, wt, TY_BOOL, "where");
  }
  c->elem_record = saved;
  if (is_error(vt))
    return vt;
  switch (bi->id) {
  case BI_COUNT:
    if (arg->kind == AST_MEMBER)
      error(c, DIAG_E_COUNT_OF_FIELD, arg->loc, list->text);
    return T(TY_INT);
  case BI_ANY:
  case BI_ALL:
    if (!e->b)
      error(c, DIAG_E_LIST_NEEDS_CONDITION, e->loc, bi->name, bi->name, list->text);
    return T(TY_BOOL);
  case BI_SUM:
  case BI_MIN:
  case BI_MAX:
    if (arg->kind != AST_MEMBER) {
      error(c, DIAG_E_NEEDS_LIST_FIELD, arg->loc, bi->name, bi->name, list->text);
      return T(TY_ERROR);
    }
    if (vt.opt) {
      error(c, DIAG_E_NONE_UNHANDLED, arg->loc, arg->text);
      return T(TY_ERROR);
    }
    if (!ty_is_numeric(vt.base) && !(bi->id != BI_SUM && vt.base == TY_DATE)) {
      error(c, DIAG_E_LIST_VALUES_TYPE, arg->loc, bi->name, tn(vt, c->tybuf1));
      return T(TY_ERROR);
    }
    /* min and max of an empty list are none */
    return opt_of(vt, bi->id != BI_SUM);
  default:
    /* check_call sends only the functions above here */
    error(c, DIAG_E_INTERNAL, e->loc, "a function over a list that the checker does not know");
    return T(TY_ERROR);
  }
}

/* Aggregations inside an aggregate block: count(), count(where c), sum(x [where c]), min(x),
 * max(x), any(c), all(c), first(x).  Their arguments are values of each record. */
static ty_type check_accumulation(checker *c, ast_expr *e, const builtin *bi)
{
  bool saved = c->in_acc;
  ty_type vt = T(TY_INT);
  c->in_acc = true;
  if (e->list.n == 1)
    vt = use(c, e->list.items[0], NULL);
  if (e->b)
    want(c, e->b, use(c, e->b, NULL), TY_BOOL, "where");
  c->in_acc = saved;
  chk_acc *acc = ast_alloc(c->arena, sizeof *acc);
  if (!acc)
    return T(TY_ERROR);
  acc->call = e;
  e->ival = c->agg->accs.n; /* e->index stays the builtin */
  ast_list_append(c->arena, &c->agg->accs, acc);
  if (is_error(vt))
    return vt;
  switch (bi->id) {
  case BI_COUNT:
    acc->func = AGG_COUNT;
    if (e->list.n == 1) {
      error(c, DIAG_E_ACC_COUNT_ARG, e->loc);
      return T(TY_ERROR);
    }
    return T(TY_INT);
  case BI_SUM:
    acc->func = AGG_SUM;
    if (e->list.n != 1 || !ty_is_numeric(vt.base) || vt.base == TY_NUMBER ||
        vt.base == TY_PERCENT) {
      error(c, DIAG_E_SUM_TYPE, e->loc, tn(vt, c->tybuf1));
      return T(TY_ERROR);
    }
    return vt;
  case BI_MIN:
  case BI_MAX:
    /* with a condition, a group may have no record that meets it */
    acc->func = bi->id == BI_MIN ? AGG_MIN : AGG_MAX;
    return opt_of(vt, e->b != NULL);
  case BI_ANY:
  case BI_ALL:
    acc->func = bi->id == BI_ANY ? AGG_ANY : AGG_ALL;
    if (e->list.n == 1 && vt.base != TY_BOOL)
      error(c, DIAG_E_ACC_NEEDS_CONDITION, e->loc, bi->name);
    return T(TY_BOOL);
  case BI_FIRST: acc->func = AGG_FIRST; return opt_of(vt, e->b != NULL);
  default:
    /* check_call sends only the aggregations above here */
    error(c, DIAG_E_INTERNAL, e->loc, "an aggregation that the checker does not know");
    return T(TY_ERROR);
  }
}

static bool round_mode(checker *c, ast_expr *e)
{
  dec_round mode;
  if (e->kind == AST_NAME && dec_round_parse(e->text, e->text_len, &mode)) {
    e->ival = mode;
    e->type = T(TY_INT);
    return true;
  }
  error(c, DIAG_E_ROUNDING_MODE, e->loc);
  return false;
}

/* The type of a value read through previous() inside its own definition (monitoring reads
 * its own last value): it cannot come from the definition being typed, so it is the declared
 * type, or for a decision whose outcomes are all quoted texts, text. */
static ty_type own_type(checker *c, ast_decl *d, ast_expr *x)
{
  ty_base t = d->type_name ? ty_from_name(d->type_name) : TY_ERROR;
  bool all_text = d->kind == DECL_DECIDE && d->rules.n > 0;
  for (uint32_t i = 0; all_text && i < d->rules.n; i++) {
    const ast_rule *r = d->rules.items[i];
    all_text = r->value && r->value->kind == AST_STRING;
  }
  if (t == TY_ERROR && all_text)
    t = TY_TEXT;
  if (t == TY_ERROR) {
    error(c, DIAG_E_PREVIOUS_OWN_TYPE, x->loc, x->text);
    diag_add_help(c->diags, c->last,
                  d->kind == DECL_DECIDE ? "write 'decide %s: TYPE'" : "write 'let %s: TYPE = ...'",
                  d->name);
    return T(TY_ERROR);
  }
  x->ref = d->kind == DECL_DECIDE ? REF_DECISION : d->kind == DECL_LET ? REF_LET : REF_PARAM;
  x->index = d->index;
  x->decl = d;
  d->used = true;
  x->type = T(t);
  return x->type;
}

/* Whether own_type knows d's type without checking it. */
static bool known_type(const ast_decl *d)
{
  if (d->type_name)
    return ty_from_name(d->type_name) != TY_ERROR;
  bool all_text = d->kind == DECL_DECIDE && d->rules.n > 0;
  for (uint32_t i = 0; all_text && i < d->rules.n; i++) {
    const ast_rule *r = d->rules.items[i];
    all_text = r->value && r->value->kind == AST_STRING;
  }
  return all_text;
}

/* The memory slot of the value x names (a slot per distinct name). */
static uint32_t memory_slot(checker *c, ast_expr *x)
{
  ast_list *m = &c->prog->memory;
  for (uint32_t i = 0; i < m->n; i++) {
    const ast_expr *y = m->items[i];
    if (y->ref == x->ref && y->index == x->index)
      return i;
  }
  ast_list_append(c->arena, m, x);
  return m->n - 1;
}

/* previous(x): x as the household's record of the year before had it, or none when there is
 * no such record or it was rejected.  Only a name of the household's record: a value of the
 * year before is kept per name, not recomputed. */
static ty_type check_previous(checker *c, ast_expr *e, const narrow *nw)
{
  ast_expr *x = e->list.items[0];
  if (!c->prog->record || !c->prog->record->order) {
    error(c, DIAG_E_NO_HISTORY, e->loc);
    return T(TY_ERROR);
  }
  if (c->in_field_check || (c->agg && !c->in_acc)) {
    error(c, DIAG_E_PREVIOUS_PLACE, e->loc,
          c->in_field_check ? "a field check" : "an aggregate's group values");
    return T(TY_ERROR);
  }
  if (x->kind != AST_NAME) {
    error(c, DIAG_E_PREVIOUS_ARG, x->loc);
    return T(TY_ERROR);
  }
  res_scope sc = scope(c);
  res_binding b = res_lookup(&c->res, &sc, x->text);
  /* Reading last year's value is no dependency of this year's: a value whose type is written
   * down (or a decision of quoted texts) is not checked from here, so that monitoring may
   * read its own previous value through a derived value it uses itself. */
  ty_type t;
  ast_decl *d = b.kind == RES_VALUE ? b.decl : NULL;
  if (d && d->visiting != 2 &&
      (d->kind == DECL_LET || d->kind == DECL_DECIDE || d->kind == DECL_PARAM) &&
      (d->visiting == 1 || known_type(d)))
    t = own_type(c, d, x);
  else
    t = check_name(c, x, NULL);
  if (is_error(t))
    return t;
  const char *what = NULL;
  if (x->ref != REF_FIELD && x->ref != REF_LET && x->ref != REF_PARAM && x->ref != REF_DECISION &&
      x->ref != REF_FLAG)
    what = x->ref == REF_AS_OF ? "the evaluation date" : "not a value of the household's record";
  else if (t.base == TY_LIST)
    what = "a list";
  if (what) {
    error(c, DIAG_E_PREVIOUS_OF, x->loc, x->text, what);
    return T(TY_ERROR);
  }
  e->ival = memory_slot(c, x);
  t.opt = !is_narrowed(nw, REF_PREVIOUS, (uint32_t)e->ival);
  return t;
}

static ty_type check_call(checker *c, ast_expr *e, const narrow *nw)
{
  const builtin *bi = builtin_find(e->text);
  if (!bi) {
    error(c, DIAG_E_UNKNOWN_FUNCTION, e->loc, e->text);
    res_candidates cs = {.n = 0};
    for (int i = 0; i < BI__COUNT; i++)
      res_cand_add(&cs, builtin_get((builtin_id)i)->name);
    res_suggest(c->diags, c->last, e->text, &cs);
    return T(TY_ERROR);
  }
  e->index = (uint32_t)bi->id;
  if (e->list.n < bi->min_args || e->list.n > bi->max_args) {
    char expected[32];
    if (bi->min_args == bi->max_args)
      snprintf(expected, sizeof expected, "%u", (unsigned)bi->min_args);
    else
      snprintf(expected, sizeof expected, "%u to %u", (unsigned)bi->min_args,
               (unsigned)bi->max_args);
    error(c, DIAG_E_ARG_COUNT, e->loc, bi->name, expected, e->list.n);
    diag_add_help(c->diags, c->last, "%s", bi->doc);
    return T(TY_ERROR);
  }
  if (bi->id == BI_PREVIOUS && !e->b)
    return check_previous(c, e, nw);
  bool aggregation = bi->id == BI_COUNT || bi->id == BI_SUM || bi->id == BI_ANY ||
                     bi->id == BI_ALL || bi->id == BI_FIRST ||
                     ((bi->id == BI_MIN || bi->id == BI_MAX) && e->list.n == 1);
  if (c->agg && !c->in_acc && aggregation)
    return check_accumulation(c, e, bi);
  if (aggregation && bi->id != BI_FIRST && e->list.n == 1)
    return check_list_aggregation(c, e, bi, nw);
  if (aggregation) {
    error(c, DIAG_E_AGG_OUTSIDE, e->loc, bi->name);
    return T(TY_ERROR);
  }
  if (e->b) {
    error(c, DIAG_E_WHERE_MISPLACED, e->b->loc);
    return T(TY_ERROR);
  }
  ast_expr **a = (ast_expr **)e->list.items;
  ty_type t0 = bi->id == BI_ROUND ? use(c, a[0], nw) : T(TY_ERROR);
  switch (bi->id) {
  case BI_LENGTH: want(c, a[0], use(c, a[0], nw), TY_TEXT, bi->name); return T(TY_INT);
  case BI_PREFIX:
    want(c, a[0], use(c, a[0], nw), TY_TEXT, bi->name);
    want(c, a[1], use(c, a[1], nw), TY_INT, bi->name);
    return T(TY_TEXT);
  case BI_SUBSTR:
    want(c, a[0], use(c, a[0], nw), TY_TEXT, bi->name);
    want(c, a[1], use(c, a[1], nw), TY_INT, bi->name);
    want(c, a[2], use(c, a[2], nw), TY_INT, bi->name);
    return T(TY_TEXT);
  case BI_UPPER:
  case BI_LOWER: want(c, a[0], use(c, a[0], nw), TY_TEXT, bi->name); return T(TY_TEXT);
  case BI_MOD11_2:
  case BI_LUHN: want(c, a[0], use(c, a[0], nw), TY_TEXT, bi->name); return T(TY_BOOL);
  case BI_ROUND: {
    ty_type pt = use(c, a[1], nw);
    want(c, a[1], pt, TY_INT, bi->name);
    int64_t places = -1;
    if (a[1]->kind != AST_INT || dec_int_parse(a[1]->text, a[1]->text_len, &places) != DEC_OK)
      error(c, DIAG_E_PLACES_NOT_LITERAL, a[1]->loc);
    else if (t0.base == TY_MONEY && places > 2)
      error(c, DIAG_E_MONEY_DECIMALS, a[1]->loc);
    else if (places > DEC_MAX_PLACES)
      error(c, DIAG_E_TOO_MANY_PLACES, a[1]->loc, DEC_MAX_PLACES);
    round_mode(c, a[2]);
    if (!is_error(t0) && !ty_is_numeric(t0.base))
      error(c, DIAG_E_NEEDS_NUMBER, a[0]->loc, "round", tn(t0, c->tybuf1));
    return t0;
  }
  case BI_MONEY: {
    /* money(x, mode): an exact number rounded to the fen */
    ty_type t = use(c, a[0], nw);
    if (!is_error(t) && !ty_is_numeric(t.base))
      error(c, DIAG_E_NEEDS_NUMBER, a[0]->loc, "money", tn(t, c->tybuf1));
    round_mode(c, a[1]);
    return T(TY_MONEY);
  }
  case BI_ABS: {
    ty_type t = use(c, a[0], nw);
    if (!is_error(t) && !ty_is_numeric(t.base))
      error(c, DIAG_E_NEEDS_NUMBER, a[0]->loc, "abs", tn(t, c->tybuf1));
    return t;
  }
  case BI_MIN:
  case BI_MAX: {
    ty_type t = use(c, a[0], nw);
    for (uint32_t i = 1; i < e->list.n; i++) {
      ty_type u = use(c, a[i], nw);
      if (is_error(t) || is_error(u))
        t = T(TY_ERROR);
      else if (ty_is_numeric(t.base) && ty_is_numeric(u.base))
        t = T(numeric_join(t.base, u.base));
      else if (t.base != u.base || t.base != TY_DATE) {
        error(c, DIAG_E_MIN_MAX_TYPES, a[i]->loc, bi->name, tn(t, c->tybuf1), tn(u, c->tybuf2));
        t = T(TY_ERROR);
      }
    }
    return t;
  }
  case BI_YEAR:
  case BI_MONTH:
  case BI_DAY: want(c, a[0], use(c, a[0], nw), TY_DATE, bi->name); return T(TY_INT);
  case BI_DAYS_BETWEEN:
  case BI_YEARS_BETWEEN:
    want(c, a[0], use(c, a[0], nw), TY_DATE, bi->name);
    want(c, a[1], use(c, a[1], nw), TY_DATE, bi->name);
    return T(TY_INT);
  default: return T(TY_ERROR);
  }
}

/* ---------------------------------------------------------------- the expression walk */

static ty_type check_expr_inner(checker *c, ast_expr *e, const narrow *nw)
{
  switch (e->kind) {
  case AST_INT: {
    chk_value v;
    return literal_value(c, e, TY_INT, &v) ? T(TY_INT) : T(TY_ERROR);
  }
  case AST_DECIMAL: {
    chk_value v;
    return literal_value(c, e, TY_NUMBER, &v) ? T(TY_NUMBER) : T(TY_ERROR);
  }
  case AST_PERCENT: {
    chk_value v;
    return literal_value(c, e, TY_PERCENT, &v) ? T(TY_PERCENT) : T(TY_ERROR);
  }
  case AST_STRING: return T(TY_TEXT);
  case AST_DATE: return T(TY_DATE);
  case AST_BOOL: return T(TY_BOOL);
  case AST_NONE: return opt_of(T(TY_NONE), true);
  case AST_REGEX:
    /* the parser reads a regex only after 'matches', which takes it without this walk */
    error(c, DIAG_E_INTERNAL, e->loc, "a regex outside 'matches'");
    return T(TY_ERROR);
  case AST_NAME: return check_name(c, e, nw);
  case AST_MEMBER: {
    /* a member field outside count/sum/...: name it correctly first */
    ty_type lt = check_expr(c, e->a, nw);
    if (lt.base == TY_LIST) {
      ast_decl *elem = c->prog->records.items[lt.record];
      if (!res_field_or_report(&c->res, elem, e->text, e->loc, NULL))
        return T(TY_ERROR);
    }
    error(c, DIAG_E_LIST_AS_VALUE, e->loc, e->text);
    return T(TY_ERROR);
  }
  case AST_SET: error(c, DIAG_E_SET_MISPLACED, e->loc); return T(TY_ERROR);
  case AST_UNARY: {
    ty_type t = use(c, e->a, nw);
    if (e->op == OPR_NOT) {
      want(c, e->a, t, TY_BOOL, "not");
      return T(TY_BOOL);
    }
    if (!is_error(t) && !ty_is_numeric(t.base)) {
      error(c, DIAG_E_NEGATE_TYPE, e->loc, tn(t, c->tybuf1));
      return T(TY_ERROR);
    }
    return t;
  }
  case AST_BINARY: {
    if (e->op == OPR_OR) {
      ty_type l = check_expr(c, e->a, nw);
      if (is_error(l)) {
        /* x was reported: whether `or` meant a default or a condition is not known */
        check_expr(c, e->b, nw);
        return T(TY_ERROR);
      }
      if (l.opt) {
        /* x or default: the value of x, or the default when x is none */
        e->ival = 1;
        ty_type r = check_expr(c, e->b, nw);
        if (is_error(l) || is_error(r))
          return T(TY_ERROR);
        if (l.base == TY_NONE)
          return r;
        if (l.base == r.base || (ty_is_numeric(l.base) && ty_is_numeric(r.base) &&
                                 join(e->a, l.base, e->b, r.base) == l.base))
          return opt_of(l, r.opt && r.base != TY_NONE ? true : r.opt);
        error(c, DIAG_E_DEFAULT_TYPE, e->loc, tn(l, c->tybuf1), tn(r, c->tybuf2));
        return T(TY_ERROR);
      }
      want(c, e->a, l, TY_BOOL, "or");
      want(c, e->b, use(c, e->b, facts(c, e->a, false, nw)), TY_BOOL, "or");
      return T(TY_BOOL);
    }
    if (e->op == OPR_AND) {
      want(c, e->a, use(c, e->a, nw), TY_BOOL, "and");
      want(c, e->b, use(c, e->b, facts(c, e->a, true, nw)), TY_BOOL, "and");
      return T(TY_BOOL);
    }
    if (e->op >= OPR_EQ && e->op <= OPR_GE) {
      if (e->b->kind == AST_NONE || e->a->kind == AST_NONE) {
        error(c, DIAG_E_COMPARE_NONE, e->loc);
        return T(TY_BOOL);
      }
      ty_type l = use(c, e->a, nw);
      ty_type r = use(c, e->b, nw);
      return check_compare(c, e, l, r);
    }
    ty_type l = use(c, e->a, nw);
    ty_type r = use(c, e->b, nw);
    return check_arith(c, e, l, r);
  }
  case AST_IS_NONE: check_expr(c, e->a, nw); return T(TY_BOOL);
  case AST_IN: return check_in(c, e, nw);
  case AST_MATCHES: {
    ty_type t = use(c, e->a, nw);
    want(c, e->a, t, TY_TEXT, "matches");
    e->b->index = c->prog->regexes.n;
    ast_list_append(c->arena, &c->prog->regexes, e->b);
    e->b->type = T(TY_REGEX);
    return T(TY_BOOL);
  }
  case AST_IF: {
    want(c, e->a, use(c, e->a, nw), TY_BOOL, "if");
    ty_type t = check_expr(c, e->b, facts(c, e->a, true, nw));
    ty_type f = check_expr(c, e->c, facts(c, e->a, false, nw));
    if (is_error(t) || is_error(f))
      return T(TY_ERROR);
    if (t.base == TY_NONE)
      return opt_of(f, true);
    if (f.base == TY_NONE)
      return opt_of(t, true);
    if (t.base == f.base && t.base != TY_SET && t.base != TY_LIST)
      return opt_of(t, t.opt || f.opt);
    if (ty_is_numeric(t.base) && ty_is_numeric(f.base))
      return opt_of(T(join(e->b, t.base, e->c, f.base)), t.opt || f.opt);
    error(c, DIAG_E_IF_BRANCHES, e->loc, tn(t, c->tybuf1), tn(f, c->tybuf2));
    return T(TY_ERROR);
  }
  case AST_CALL: return check_call(c, e, nw);
  }
  return T(TY_ERROR);
}

static ty_type check_expr(checker *c, ast_expr *e, const narrow *nw)
{
  if (!e)
    return T(TY_ERROR);
  e->type = check_expr_inner(c, e, nw);
  return e->type;
}

/* ---------------------------------------------------------------- records */

static ty_type field_type(checker *c, const ast_field *f)
{
  ty_type t;
  if (strcmp(f->type_name, "list") == 0) {
    t = T(TY_LIST);
    ast_decl *elem = f->elem_name ? res_record(&c->res, f->elem_name) : NULL;
    t.record = elem ? (uint16_t)elem->index : 0;
    if (!elem)
      t = T(TY_ERROR);
  } else {
    t = T(ty_from_name(f->type_name));
  }
  bool required = false, has_default = false;
  for (uint32_t i = 0; i < f->cons.n; i++) {
    ast_field_con *k = f->cons.items[i];
    required |= k->kind == FCON_REQUIRED;
    has_default |= k->kind == FCON_DEFAULT;
  }
  t.opt = !required && !has_default && t.base != TY_LIST;
  return t;
}

static void unknown_type(checker *c, elig_loc loc, const char *name)
{
  static const char *const names[] = {"text", "int", "money", "number", "percent", "bool", "date"};
  error(c, DIAG_E_UNKNOWN_TYPE, loc, name);
  res_candidates cs = {.n = 0};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    res_cand_add(&cs, names[i]);
  res_suggest(c->diags, c->last, name, &cs);
}

static void check_field(checker *c, ast_decl *rec, ast_field *f)
{
  ty_type t = field_type(c, f);
  bool required = false, optional = false, has_default = false;
  if (strcmp(f->type_name, "list") == 0) {
    ast_decl *elem = f->elem_name ? res_record(&c->res, f->elem_name) : NULL;
    if (!f->elem_name)
      error(c, DIAG_E_LIST_NEEDS_RECORD, f->type_loc);
    else if (!elem)
      error(c, DIAG_E_UNKNOWN_RECORD, f->type_loc, f->elem_name);
    else if (elem == rec || elem == c->prog->record)
      error(c, DIAG_E_LIST_OF_SELF, f->type_loc);
  } else if (t.base == TY_ERROR) {
    error(c, DIAG_E_UNKNOWN_TYPE, f->type_loc, f->type_name);
    res_candidates cs = {.n = 0};
    static const char *const names[] = {"text",    "int",  "money", "number",
                                        "percent", "bool", "date",  "list"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      res_cand_add(&cs, names[i]);
    res_suggest(c->diags, c->last, f->type_name, &cs);
    return;
  } else if (f->elem_name) {
    error(c, DIAG_E_OF_WITHOUT_LIST, f->type_loc);
  }
  for (uint32_t i = 0; i < f->cons.n; i++) {
    ast_field_con *k = f->cons.items[i];
    chk_value v;
    switch (k->kind) {
    case FCON_REQUIRED: required = true; break;
    case FCON_OPTIONAL: optional = true; break;
    case FCON_DEFAULT:
      has_default = true;
      literal_value(c, k->a, (ty_base)t.base, &v);
      break;
    case FCON_BETWEEN:
    case FCON_AT_LEAST:
    case FCON_AT_MOST:
      if (!ty_is_numeric(t.base) && t.base != TY_DATE) {
        error(c, DIAG_E_RANGE_TYPE, k->loc, f->name, tn(t, c->tybuf1));
        break;
      }
      literal_value(c, k->a, (ty_base)t.base, &v);
      if (k->b)
        literal_value(c, k->b, (ty_base)t.base, &v);
      break;
    case FCON_ONE_OF:
      if (t.base != TY_TEXT && t.base != TY_INT) {
        error(c, DIAG_E_ONE_OF_TYPE, k->loc);
        break;
      }
      for (uint32_t j = 0; j < k->values.n; j++)
        literal_value(c, k->values.items[j], (ty_base)t.base, &v);
      break;
    case FCON_MATCHES:
      if (t.base != TY_TEXT)
        error(c, DIAG_E_MATCHES_FIELD_TYPE, k->loc);
      k->a->index = c->prog->regexes.n;
      k->a->type = T(TY_REGEX);
      ast_list_append(c->arena, &c->prog->regexes, k->a);
      break;
    case FCON_CHECK: {
      /* The check runs only when the field is present, so the field itself is narrowed. */
      ast_decl *saved = c->elem_record;
      narrow self = {NULL, rec == c->prog->record ? REF_FIELD : REF_MEMBER, 0};
      res_field(rec, f->name, &self.index);
      c->elem_record = rec;
      c->in_field_check = true;
      want(c, k->a, use(c, k->a, &self), TY_BOOL, "check");
      c->in_field_check = false;
      c->elem_record = saved;
      break;
    }
    }
  }
  if (required && (optional || has_default))
    error(c, optional ? DIAG_E_REQUIRED_AND_OPTIONAL : DIAG_E_REQUIRED_AND_DEFAULT, f->loc,
          f->name);
}

static void check_record(checker *c, ast_decl *rec)
{
  if (rec->order && strcmp(rec->text, "per") != 0)
    error(c, DIAG_E_KEY_WORD, ((ast_expr *)rec->keys.items[rec->keys.n - 2])->loc, rec->text);
  for (uint32_t i = 0; i < rec->fields.n; i++) {
    ast_field *f = rec->fields.items[i];
    check_field(c, rec, f);
  }
  for (uint32_t i = 0; i < rec->keys.n; i++) {
    ast_expr *k = rec->keys.items[i];
    ast_field *f = res_field_or_report(&c->res, rec, k->text, k->loc, &k->index);
    if (f) {
      k->ref = REF_FIELD;
      k->type = field_type(c, f);
    }
    /* the year a record is for: every record has one, and the year before is one less */
    if (f && k == rec->order && (k->type.base != TY_INT || k->type.opt))
      error(c, DIAG_E_ORDER_FIELD, k->loc, k->text,
            k->type.opt ? "an optional value" : tn(k->type, c->tybuf1));
  }
}

/* ---------------------------------------------------------------- derived values */

/* Starts checking a derived value; *skip when it is done or being checked (a cycle, which
 * is reported with its path: a -> b -> c -> a). */
static void begin(checker *c, ast_decl *d, bool *skip)
{
  *skip = d->visiting != 0;
  if (d->visiting == 1) {
    char path[512];
    size_t len = 0;
    uint32_t from = 0;
    for (uint32_t i = 0; i < c->depth && i < 64; i++)
      if (c->chain[i] == d)
        from = i;
    for (uint32_t i = from; i < c->depth && i < 64 && len < sizeof path; i++)
      len += (size_t)snprintf(path + len, sizeof path - len, "%s -> ", c->chain[i]->name);
    if (len < sizeof path)
      snprintf(path + len, sizeof path - len, "%s", d->name);
    error(c, DIAG_E_CYCLE, d->name_loc, d->name);
    diag_add_help(c->diags, c->last, "the values use each other in a circle: %s", path);
    d->type = T(TY_ERROR);
  }
  if (!*skip && c->depth >= CHECK_MAX_CHAIN) {
    /* each level recurses through the checker: refuse before the stack runs out */
    if (!c->chain_reported)
      error(c, DIAG_E_TOO_DEEP, d->name_loc, CHECK_MAX_CHAIN);
    c->chain_reported = true;
    d->type = T(TY_ERROR);
    *skip = true;
  }
  if (!*skip) {
    d->visiting = 1;
    if (c->depth < 64)
      c->chain[c->depth] = d;
    c->depth++;
  }
}

static void end_visit(checker *c, ast_decl *d)
{
  d->visiting = 2;
  c->depth--;
}

static void check_let(checker *c, ast_decl *d)
{
  bool skip;
  begin(c, d, &skip);
  if (skip)
    return;
  chk_aggregate *agg = c->agg;
  ast_decl *elem = c->elem_record;
  bool in_acc = c->in_acc;
  c->agg = NULL;
  c->elem_record = c->prog->record;
  c->in_acc = false;
  ty_type t = check_expr(c, d->expr, NULL);
  if (d->type_name) {
    ty_base declared = ty_from_name(d->type_name);
    if (declared == TY_ERROR)
      unknown_type(c, d->type_loc, d->type_name);
    else if (!is_error(t) && declared != t.base &&
             !(declared == TY_PERCENT && t.base == TY_NUMBER) &&
             !(declared == TY_NUMBER && ty_is_numeric(t.base) && t.base != TY_MONEY))
      error(c, DIAG_E_DECLARED_TYPE, d->expr->loc, d->name, d->type_name, tn(t, c->tybuf1));
    else
      t.base = (uint8_t)declared;
  }
  d->type = t;
  end_visit(c, d);
  c->agg = agg;
  c->elem_record = elem;
  c->in_acc = in_acc;
}

static void check_agg_let(checker *c, ast_decl *d)
{
  bool skip;
  begin(c, d, &skip);
  if (skip)
    return;
  ty_type t = check_expr(c, d->expr, NULL);
  if (d->type_name) {
    ty_base declared = ty_from_name(d->type_name);
    if (declared == TY_PERCENT && (t.base == TY_NUMBER || t.base == TY_PERCENT))
      t.base = TY_PERCENT;
    else if (declared != t.base && !is_error(t))
      error(c, DIAG_E_DECLARED_TYPE, d->expr->loc, d->name, d->type_name, tn(t, c->tybuf1));
  }
  d->type = t;
  end_visit(c, d);
}

static bool is_const_bool(const ast_expr *e, bool v)
{
  return e && e->kind == AST_BOOL && e->ival == v;
}

/* decide NAME: TYPE -- every outcome must be of TYPE; int literals and literal amounts are
 * money when TYPE is money. */
static ty_type declared_outcome(checker *c, ast_decl *d)
{
  ty_base want_base = ty_from_name(d->type_name);
  if (want_base == TY_ERROR) {
    unknown_type(c, d->type_loc, d->type_name);
    return T(TY_ERROR);
  }
  for (uint32_t i = 0; i < d->rules.n; i++) {
    ast_rule *r = d->rules.items[i];
    if (!r->value || is_error(r->value->type))
      continue;
    ty_base t = r->value->type.base;
    bool ok =
        t == want_base || (want_base == TY_MONEY && (t == TY_INT || money_literal(r->value))) ||
        ((want_base == TY_NUMBER || want_base == TY_PERCENT) && ty_is_numeric(t) && t != TY_MONEY);
    if (!ok)
      error(c, DIAG_E_OUTCOME_DECLARED_TYPE, r->value->loc, d->name, d->type_name,
            tn(r->value->type, c->tybuf1));
  }
  return T(want_base);
}

static void check_decision(checker *c, ast_decl *d)
{
  bool skip;
  begin(c, d, &skip);
  if (skip)
    return;
  chk_aggregate *agg = c->agg;
  bool at_record_level = res_is_top_level(&c->res, d);
  if (at_record_level)
    c->agg = NULL;
  ty_type out = T(TY_ERROR);
  bool seen_otherwise = false, always = false;
  for (uint32_t i = 0; i < d->rules.n; i++) {
    ast_rule *r = d->rules.items[i];
    if (r->cond)
      want(c, r->cond, use(c, r->cond, NULL), TY_BOOL, "when");
    ty_type t =
        r->value ? use(c, r->value, r->cond ? facts(c, r->cond, true, NULL) : NULL) : T(TY_ERROR);
    /* a rule that earlier rules cover otherwise is found once the rules are typed (lint.c) */
    r->reachable = !seen_otherwise && !always && !is_const_bool(r->cond, false);
    if (!r->reachable) {
      error(c, DIAG_W_UNREACHABLE_RULE, r->loc);
      if (is_const_bool(r->cond, false) && !seen_otherwise && !always)
        diag_add_help(c->diags, c->last, "its condition is always false");
      else if (seen_otherwise)
        diag_add_help(c->diags, c->last, "it comes after 'otherwise', which matches every record");
    } else if (!r->reason && at_record_level)
      error(c, DIAG_W_NO_REASON, r->loc);
    if (!r->cond)
      seen_otherwise = true;
    if (is_const_bool(r->cond, true))
      always = true;
    if (is_error(t) || is_error(out)) {
      if (is_error(out))
        out = t;
      continue;
    }
    if (t.base == out.base && t.base != TY_SET && t.base != TY_LIST)
      continue;
    if (ty_is_numeric(t.base) && ty_is_numeric(out.base)) {
      out = T(numeric_join(t.base, out.base));
      continue;
    }
    if (!d->type_name)
      error(c, DIAG_E_OUTCOME_TYPES, r->value->loc, d->name, tn(out, c->tybuf1), tn(t, c->tybuf2));
  }
  if (!seen_otherwise)
    error(c, DIAG_E_NO_OTHERWISE, d->name_loc, d->name);
  if (d->type_name)
    out = declared_outcome(c, d);
  out.opt = false;
  d->type = out;
  end_visit(c, d);
  c->agg = agg;
}

/* ---------------------------------------------------------------- parameters */

/* A key of an `extend param` row must be of the kind of the table it extends: E0338, with a
 * note at that table's key, when it is not.  True when it is. */
static bool extension_key(checker *c, const ast_decl *d, const ast_expr *k, ty_base kt)
{
  chk_value v;
  if (literal(k, kt, &v) != LIT_MISMATCH)
    return true;
  error(c, DIAG_E_EXTEND_KEY_TYPE, k->loc, d->name, ty_base_name(kt), literal_word(k));
  if (d->replaces && d->replaces->table && d->replaces->table->by)
    diag_add_note(c->diags, c->last, d->replaces->table->by->loc,
                  "the table it extends is keyed by this");
  return false;
}

static bool check_table(checker *c, ast_decl *d, ast_table *t, ty_base type)
{
  ty_type kt = T(TY_ERROR);
  bool total = true;
  if (t->by) {
    kt = use(c, t->by, NULL);
    if (!is_error(kt) && kt.base != TY_INT && kt.base != TY_DATE && kt.base != TY_TEXT) {
      error(c, DIAG_E_TABLE_KEY_TYPE, t->by->loc, tn(kt, c->tybuf1));
      kt = T(TY_ERROR);
    }
  }
  bool ordered = kt.base == TY_INT || kt.base == TY_DATE, has_otherwise = false;
  int64_t last = INT64_MIN;
  for (uint32_t i = 0; i < t->rows.n; i++) {
    ast_table_row *r = t->rows.items[i];
    chk_value v;
    if (r->keys.n == 0)
      has_otherwise = true;
    if (ordered && r->keys.n == 0)
      error(c, DIAG_E_TABLE_OTHERWISE, r->loc);
    for (uint32_t j = 0; t->by && !is_error(kt) && j < r->keys.n; j++) {
      ast_expr *k = r->keys.items[j];
      if ((r->extension && !extension_key(c, d, k, (ty_base)kt.base)) ||
          !literal_value(c, k, (ty_base)kt.base, &v))
        continue;
      if (ordered && r->keys.n > 1)
        error(c, DIAG_E_TABLE_ONE_KEY, k->loc);
      if (ordered && v.i <= last)
        error(c, DIAG_E_TABLE_ORDER, k->loc);
      last = v.i;
    }
    if (r->value) {
      bool ok = literal_value(c, r->value, type, &v);
      /* the type is written where the extended parameter is declared, not in the extension */
      if (!ok && r->extension && diag_get_id(c->diags, (size_t)c->last) == DIAG_E_TYPE_MISMATCH)
        diag_add_note(c->diags, c->last, d->type_loc, "'%s' is declared %s here", d->name,
                      d->type_name);
    } else if (r->nested)
      total &= check_table(c, d, r->nested, type);
  }
  if (kt.base == TY_TEXT && !has_otherwise)
    total = false;
  return total;
}

static void check_param(checker *c, ast_decl *d)
{
  bool skip;
  begin(c, d, &skip);
  if (skip)
    return;
  ty_base type = ty_from_name(d->type_name);
  chk_aggregate *agg = c->agg;
  c->agg = NULL;
  if (type == TY_ERROR) {
    unknown_type(c, d->type_loc, d->type_name);
    d->type = T(TY_ERROR);
  } else {
    bool total = check_table(c, d, d->table, type);
    d->type = opt_of(T(type), !total);
  }
  end_visit(c, d);
  c->agg = agg;
}

/* ---------------------------------------------------------------- flags, aggregates, output */

static void check_monitor(checker *c, ast_decl *d)
{
  static const char *const severities[] = {"low", "medium", "high", "critical"};
  bool known = false;
  for (size_t i = 0; i < 4; i++)
    known |= strcmp(d->severity, severities[i]) == 0;
  if (!known) {
    error(c, DIAG_E_UNKNOWN_SEVERITY, d->severity_loc, d->severity);
    res_candidates cs = {.names = {"low", "medium", "high", "critical"}, .n = 4};
    res_suggest(c->diags, c->last, d->severity, &cs);
  }
  c->elem_record = c->prog->record;
  want(c, d->cond, use(c, d->cond, NULL), TY_BOOL, "when");
  if (!d->reason)
    error(c, DIAG_W_NO_REASON, d->loc);
  d->type = T(TY_BOOL);
}

/* Types the names of an 'output' declaration and appends them to `out`.  A list or as_of is not
 * a column, and flags have their own; both need the name's meaning and type, so this is the
 * checker's part of the output (the resolver's is the default lists). */
static void check_outputs(checker *c, ast_list *names, ast_list *out, uint32_t *flags_at)
{
  for (uint32_t i = 0; i < names->n; i++) {
    ast_expr *e = names->items[i];
    /* `flags` places the raised flags among a record's columns (monitoring after them) */
    res_scope sc = scope(c);
    if (flags_at && strcmp(e->text, "flags") == 0 &&
        res_lookup(&c->res, &sc, e->text).kind == RES_UNKNOWN) {
      *flags_at = out->n;
      continue;
    }
    ty_type t = check_expr(c, e, NULL);
    if (!is_error(t) && (t.base == TY_LIST || e->ref == REF_AS_OF))
      error(c, DIAG_E_NOT_SHOWN, e->loc, e->text);
    if (e->ref == REF_FLAG)
      error(c, DIAG_E_FLAG_IN_OUTPUT, e->loc, e->text);
    ast_list_append(c->arena, out, e);
  }
}

static void check_aggregate(checker *c, chk_aggregate *agg)
{
  ast_decl *d = agg->decl;
  c->agg = NULL;
  c->elem_record = c->prog->record;
  for (uint32_t i = 0; i < d->group.n; i++) {
    ast_group_key *k = d->group.items[i];
    if (!k->expr)
      k->expr = ast_name(c->arena, k->name, k->loc);
    ty_type t = use(c, k->expr, NULL);
    if (!is_error(t) && t.base != TY_TEXT && t.base != TY_INT && t.base != TY_DATE &&
        t.base != TY_BOOL)
      error(c, DIAG_E_GROUP_KEY_TYPE, k->loc, tn(t, c->tybuf1));
    ast_list_append(c->arena, &agg->keys, k);
  }
  c->agg = agg;
  c->elem_record = NULL;
  ast_decl *output = res_aggregate_names(&c->res, d);
  for (uint32_t i = 0; i < d->body.n; i++) {
    ast_decl *b = d->body.items[i];
    if (b->kind == DECL_LET) {
      check_agg_let(c, b);
      ast_list_append(c->arena, &agg->lets, b);
    } else if (b->kind == DECL_DECIDE) {
      check_decision(c, b);
      ast_list_append(c->arena, &agg->decisions, b);
    }
  }
  if (output) {
    check_outputs(c, &output->names, &agg->outputs, NULL);
  } else {
    res_default_aggregate_outputs(&c->res, d, &agg->outputs);
    for (uint32_t i = 0; i < agg->outputs.n; i++)
      check_expr(c, agg->outputs.items[i], NULL);
  }
  c->agg = NULL;
}

/* ---------------------------------------------------------------- tests */

/* One given value: a literal of the field's type, none, or for a list of records, records. */
static void check_given_value(checker *c, ast_decl *rec, ast_given_item *g)
{
  ast_field *f = res_field_or_report(&c->res, rec, g->name, g->loc, NULL);
  if (!f)
    return;
  ty_type t = field_type(c, f);
  ast_expr *v = g->value;
  if (v->kind == AST_NONE)
    return;
  if (t.base == TY_LIST) {
    if (v->kind != AST_SET) {
      error(c, DIAG_E_GIVEN_LIST, v->loc, g->name);
      return;
    }
    ast_decl *elem = c->prog->records.items[t.record];
    for (uint32_t i = 0; i < v->list.n; i++) {
      ast_expr *r = v->list.items[i];
      for (uint32_t k = 0; k < r->list.n; k++)
        check_given_value(c, elem, r->list.items[k]);
    }
    return;
  }
  chk_value cv;
  literal_value(c, v, (ty_base)t.base, &cv);
}

/* Whether e is the bare name `word`. */
static bool is_word(const ast_expr *e, const char *word)
{
  return e->kind == AST_NAME && strcmp(e->text, word) == 0;
}

/* One name of `expect needs`, `name` (n bytes): a field of the record, or list[N].field (a
 * field of element N of a list of it) into *need; false, reported, when it names neither. */
static bool need_name(checker *c, const char *name, size_t n, elig_loc loc, ast_need *need)
{
  const char *open = memchr(name, '[', n);
  char *field = ast_alloc(c->arena, n + 1);
  snprintf(field, n + 1, "%.*s", (int)(open ? open - name : (ptrdiff_t)n), name);
  need->element = UINT32_MAX;
  if (!open) {
    return res_field_or_report(&c->res, c->prog->record, field, loc, &need->field) != NULL;
  }
  const char *p = open + 1, *end = name + n;
  uint64_t element = 0;
  bool digits = false;
  for (; p < end && *p >= '0' && *p <= '9' && element < UINT32_MAX; p++, digits = true)
    element = element * 10 + (uint64_t)(*p - '0');
  ast_field *list = res_field_or_report(&c->res, c->prog->record, field, loc, &need->field);
  if (!list)
    return false;
  ast_decl *elem = list->elem_name ? res_record(&c->res, list->elem_name) : NULL;
  char *whole = ast_alloc(c->arena, n + 1);
  snprintf(whole, n + 1, "%.*s", (int)n, name);
  if (!digits || element >= UINT32_MAX || end - p < 3 || p[0] != ']' || p[1] != '.' || !elem) {
    error(c, DIAG_E_NEEDS_NOT_ELEMENT, loc, whole);
    return false;
  }
  need->element = (uint32_t)element;
  snprintf(field, n + 1, "%.*s", (int)(end - p - 2), p + 2);
  return res_field_or_report(&c->res, elem, field, loc, &need->element_field) != NULL;
}

/* `expect needs = "a, b"`: each name a field of the record, or list[N].field (else E0201,
 * E0439), kept for the test runner, which compares them with the record's needs. */
static void check_needs(checker *c, ast_expects *ex)
{
  const char *text = ex->needs->text;
  ex->nneeds = 0;
  ex->needs_fields = ast_alloc(c->arena, (strlen(text) / 2 + 1) * sizeof *ex->needs_fields);
  for (const char *p = text; *p;) {
    while (*p == ' ' || *p == ',')
      p++;
    const char *start = p;
    while (*p && *p != ',' && *p != ' ')
      p++;
    if (p != start &&
        need_name(c, start, (size_t)(p - start), ex->needs->loc, &ex->needs_fields[ex->nneeds]))
      ex->nneeds++;
  }
}

/* Takes the expectations of three-valued evaluation out of the conditions:
 * `expect X = undetermined` and `expect needs = "field, field"`. */
static void take_three_valued(checker *c, ast_expects *ex)
{
  uint32_t kept = 0;
  for (uint32_t i = 0; i < ex->list.n; i++) {
    ast_expr *e = ex->list.items[i];
    bool eq = e->kind == AST_BINARY && e->op == OPR_EQ;
    if (eq && is_word(e->b, "undetermined")) {
      ast_list_append(c->arena, &ex->undetermined, e->a);
    } else if (eq && is_word(e->a, "needs") && e->b->kind == AST_STRING) {
      if (ex->needs)
        error(c, DIAG_E_EXPECT_NEEDS_TWICE, e->loc);
      ex->needs = e->b;
      check_needs(c, ex);
    } else {
      ex->list.items[kept++] = e;
    }
  }
  ex->list.n = kept;
}

/* test "name" { given { field: value ... } expect condition ... }, with a given per year of a
 * household followed over time; `expect rejected "reason"` instead of conditions. */
static void check_test(checker *c, ast_decl *d)
{
  if (d->steps.n > 1 && !c->prog->record->order)
    error(c, DIAG_E_TEST_NO_HISTORY, ((ast_test_step *)d->steps.items[1])->loc);
  for (uint32_t s = 0; s < d->steps.n; s++) {
    ast_test_step *st = d->steps.items[s];
    for (uint32_t i = 0; i < st->given.n; i++) {
      res_given_name(&c->res, &st->given, i);
      check_given_value(c, c->prog->record, st->given.items[i]);
    }
    c->agg = NULL;
    c->elem_record = c->prog->record;
    take_three_valued(c, &st->expects);
    for (uint32_t i = 0; i < st->expects.list.n; i++) {
      ast_expr *e = st->expects.list.items[i];
      want(c, e, use(c, e, NULL), TY_BOOL, "expect");
    }
    for (uint32_t i = 0; i < st->expects.undetermined.n; i++)
      use(c, st->expects.undetermined.items[i], NULL);
    if (st->expects.word && strcmp(st->expects.word, "rejected") != 0) {
      error(c, DIAG_E_EXPECT_WORD, st->expects.rejected_loc, st->expects.word);
    } else if (st->expects.rejected &&
               (st->expects.list.n || st->expects.undetermined.n || st->expects.needs)) {
      error(c, DIAG_E_EXPECT_REJECTED_AND, st->expects.rejected_loc);
    }
  }
}

/* ---------------------------------------------------------------- the rule set */

static bool check_all(checker *c, ast_list *aggsp, ast_decl *output);
static bool check_guarded(checker *c, ast_file *const *files, uint32_t nfiles);

bool chk_check(ast_arena *arena, ast_file *const *files, uint32_t nfiles, diag_list *diags,
               chk_program *out)
{
  checker c = {.arena = arena, .diags = diags, .prog = out};
  memset(out, 0, sizeof *out);
  res_init(&c.res, arena, diags, out,
           (elig_loc){nfiles ? files[nfiles - 1]->file : SRC_NO_FILE, 0, 0});
  bool ok = check_guarded(&c, files, nfiles);
  res_fini(&c.res);
  /* the warnings that need every value's type: lint.h */
  return ok && !c.failed && !c.res.failed && lint_program(out, diags);
}

/* The resolver and the checker annotate the tree with nodes from its arena at hundreds of
 * places.  Rather than test each allocation, the arena jumps back here when one fails: the
 * half-annotated tree is abandoned (the caller frees the arena), the resolver's indexes are
 * freed by res_fini in every case, and the person is told that memory ran out instead of
 * being shown errors that are not theirs.  Nothing this function reads after the jump is
 * changed between setjmp and longjmp. */
static bool check_guarded(checker *c, ast_file *const *files, uint32_t nfiles)
{
  jmp_buf fail;
  if (setjmp(fail)) {
    arena_set_fail(c->arena, NULL);
    if (!c->res.out_of_memory)
      error(c, DIAG_E_NO_MEMORY, c->res.root_loc);
    c->failed = true;
    return false;
  }
  arena_set_fail(c->arena, &fail);
  ast_list aggs = {0};
  ast_decl *output = NULL;
  res_merge(&c->res, files, nfiles, &aggs, &output);
  bool ok = res_pick_main_record(&c->res) && check_all(c, &aggs, output);
  arena_set_fail(c->arena, NULL);
  return ok;
}

/* Everything after the merge, once the main record is known. */
static bool check_all(checker *c, ast_list *aggsp, ast_decl *output)
{
  chk_program *out = c->prog;
  ast_arena *arena = c->arena;
  ast_list aggs = *aggsp;
  out->flags_at = UINT32_MAX;
  res_index(&c->res, &aggs);
  for (uint32_t i = 0; i < out->records.n; i++)
    check_record(c, out->records.items[i]);
  c->elem_record = out->record;
  for (uint32_t i = 0; i < out->params.n; i++)
    check_param(c, out->params.items[i]);
  for (uint32_t i = 0; i < out->params.n; i++)
    chk_warn_backdating(c->diags, out->params.items[i]);
  for (uint32_t i = 0; i < out->lets.n; i++)
    check_let(c, out->lets.items[i]);
  for (uint32_t i = 0; i < out->decisions.n; i++)
    check_decision(c, out->decisions.items[i]);
  for (uint32_t i = 0; i < out->flags.n; i++)
    check_monitor(c, out->flags.items[i]);
  for (uint32_t i = 0; i < aggs.n; i++) {
    chk_aggregate *agg = ast_alloc(arena, sizeof *agg);
    if (!agg)
      return false;
    agg->decl = aggs.items[i];
    check_aggregate(c, agg);
    ast_list_append(arena, &out->aggregates, agg);
  }
  c->elem_record = out->record;
  for (uint32_t i = 0; i < out->tests.n; i++)
    check_test(c, out->tests.items[i]);
  if (output) {
    check_outputs(c, &output->names, &out->outputs, &out->flags_at);
  } else {
    res_default_outputs(&c->res, &out->outputs);
    for (uint32_t i = 0; i < out->outputs.n; i++)
      check_expr(c, out->outputs.items[i], NULL);
  }
  for (uint32_t i = 0; i < out->lets.n; i++) {
    ast_decl *d = out->lets.items[i];
    if (!d->used)
      error(c, DIAG_W_UNUSED_LET, d->name_loc, d->name);
  }
  return !c->failed && !c->res.failed;
}
