/*
 * cond.c -- conditions as formulas over atoms: what cond.h's queries are asked about.
 * See cond.h for what is decided and why it is sound.
 *
 * Values compared (subjects) and atoms are kept once each in the context, so that `x < 5` in
 * one rule and `x >= 5` in another are one atom, true in one and false in the other.  A
 * subject is found again by a hash of how it is written.  Formulas are built recursively;
 * their depth is the expression's, which the parser bounds.  cond_values.c and
 * cond_search.c answer the queries.
 */
#include <string.h>

#include "cond_data.h"

/* Derived conditions named inside derived conditions are seen through this deep, and when
 * their formula has at most this many nodes (derived()). */
#define MAX_INLINE_DEPTH 8
#define MAX_INLINE_SIZE 256u

/* ---------------------------------------------------------------- memory */

void *cond_grow(cond_ctx *cx, void *p, uint32_t *cap, uint32_t need, size_t size)
{
  if (need <= *cap)
    return p;
  uint32_t n = *cap ? *cap : 8;
  while (n < need)
    n *= 2;
  void *q = arena_alloc(cx->arena, (size_t)n * size);
  if (p && *cap)
    memcpy(q, p, (size_t)*cap * size);
  *cap = n;
  return q;
}

cond_ctx *cond_new(mem_arena *arena, const chk_program *prog, uint64_t budget)
{
  cond_ctx *cx = arena_alloc(arena, sizeof *cx);
  cx->arena = arena;
  cx->prog = prog;
  cx->budget = budget;
  cx->allowance = budget;
  return cx;
}

void cond_allow(cond_ctx *cx, uint64_t steps)
{
  cx->allowance = steps;
}

/* ---------------------------------------------------------------- expressions */

bool cond_same_expr(const ast_expr *a, const ast_expr *b)
{
  if (!a || !b)
    return a == b;
  if (a->kind != b->kind || a->op != b->op || a->ival != b->ival || a->list.n != b->list.n)
    return false;
  if ((a->text || b->text) && (!a->text || !b->text || a->text_len != b->text_len ||
                               memcmp(a->text, b->text, a->text_len) != 0))
    return false;
  if ((a->flags || b->flags) && (!a->flags || !b->flags || strcmp(a->flags, b->flags) != 0))
    return false;
  for (uint32_t i = 0; i < a->list.n; i++)
    if (!cond_same_expr(a->list.items[i], b->list.items[i]))
      return false;
  return cond_same_expr(a->a, b->a) && cond_same_expr(a->b, b->b) && cond_same_expr(a->c, b->c);
}

/* A hash that agrees with cond_same_expr. */
static uint32_t expr_hash(const ast_expr *e)
{
  if (!e)
    return 0x9e3779b9u;
  uint32_t h = 2166136261u;
  h = (h ^ (uint32_t)e->kind) * 16777619u;
  h = (h ^ (uint32_t)e->op) * 16777619u;
  h = (h ^ (uint32_t)e->ival) * 16777619u;
  for (uint32_t i = 0; e->text && i < e->text_len; i++)
    h = (h ^ (unsigned char)e->text[i]) * 16777619u;
  for (uint32_t i = 0; i < e->list.n; i++)
    h = (h ^ expr_hash(e->list.items[i])) * 16777619u;
  h = (h ^ expr_hash(e->a)) * 16777619u;
  h = (h ^ expr_hash(e->b)) * 16777619u;
  return (h ^ expr_hash(e->c)) * 16777619u;
}

/* A written constant: a number, a percentage, a text, a date or a bool, or a negated number. */
static bool is_literal(const ast_expr *e)
{
  if (e->kind == AST_UNARY && e->op == OPR_NEG)
    e = e->a;
  return e->kind == AST_INT || e->kind == AST_DECIMAL || e->kind == AST_PERCENT ||
         e->kind == AST_STRING || e->kind == AST_DATE || e->kind == AST_BOOL;
}

static bool is_number_type(ty_base t)
{
  return t == TY_INT || t == TY_MONEY || t == TY_NUMBER || t == TY_PERCENT || t == TY_DATE;
}

/* A literal value as an exact number (money in yuan, dates in days). */
static bool value_number(const chk_value *v, dec_num *out)
{
  switch (v->type) {
  case TY_INT:
  case TY_DATE: *out = dec_num_from_int(v->i); return true;
  case TY_MONEY: *out = dec_num_from_money(v->i); return true;
  case TY_NUMBER:
  case TY_PERCENT: *out = v->n; return true;
  default: return false;
  }
}

/* The exact value of literal k compared with a value of type t; false when it is not a
 * constant this module reads the way the compiled rules do. */
static bool literal_number(const ast_expr *k, ty_base t, dec_num *out)
{
  chk_value v;
  const char *why;
  const ast_expr *lit = k->kind == AST_UNARY ? k->a : k;
  if (t == TY_DATE)
    return lit->kind == AST_DATE && chk_literal(k, TY_DATE, &v, &why) && value_number(&v, out);
  if (lit->kind != AST_INT && lit->kind != AST_DECIMAL && lit->kind != AST_PERCENT)
    return false;
  return chk_literal(k, TY_NUMBER, &v, &why) && value_number(&v, out);
}

/* ---------------------------------------------------------------- field declarations */

static const ast_field *main_field(const cond_ctx *cx, const ast_expr *e)
{
  if (!e || e->kind != AST_NAME || e->ref != REF_FIELD || !cx->prog || !cx->prog->record)
    return NULL;
  const ast_list *fields = &cx->prog->record->fields;
  return e->index < fields->n ? fields->items[e->index] : NULL;
}

static const ast_field_con *field_con(const ast_field *f, ast_field_con_kind kind)
{
  for (uint32_t i = 0; i < f->cons.n; i++) {
    const ast_field_con *k = f->cons.items[i];
    if (k->kind == kind)
      return k;
  }
  return NULL;
}

static bool con_number(const ast_expr *e, ty_base t, dec_num *out)
{
  chk_value v;
  const char *why;
  return e && chk_literal(e, t, &v, &why) && value_number(&v, out);
}

bool cond_field_range(const ast_field *f, cond_range *out)
{
  memset(out, 0, sizeof *out);
  ty_base t = ty_from_name(f->type_name);
  if (!is_number_type(t))
    return false;
  const ast_field_con *between = field_con(f, FCON_BETWEEN);
  const ast_field_con *least = field_con(f, FCON_AT_LEAST), *most = field_con(f, FCON_AT_MOST);
  if (between) {
    out->has_lo = con_number(between->a, t, &out->lo);
    out->has_hi = con_number(between->b, t, &out->hi);
  }
  if (least && !out->has_lo)
    out->has_lo = con_number(least->a, t, &out->lo);
  if (most && !out->has_hi)
    out->has_hi = con_number(most->a, t, &out->hi);
  const ast_field_con *def = field_con(f, FCON_DEFAULT);
  dec_num d;
  if (def && (out->has_lo || out->has_hi)) {
    if (!con_number(def->a, t, &d))
      out->has_lo = out->has_hi = false;
    if (out->has_lo && dec_num_cmp(d, out->lo) < 0)
      out->lo = d;
    if (out->has_hi && dec_num_cmp(d, out->hi) > 0)
      out->hi = d;
  }
  return out->has_lo || out->has_hi;
}

/* The values of a field's `one of`, with its default; false when it has none. */
static bool field_allowed(cond_ctx *cx, const ast_field *f, subject *s)
{
  const ast_field_con *one = field_con(f, FCON_ONE_OF), *def = field_con(f, FCON_DEFAULT);
  if (!one)
    return false;
  ty_base t = ty_from_name(f->type_name);
  uint32_t n = one->values.n + (def != NULL);
  cval *vals = arena_alloc(cx->arena, (size_t)n * sizeof *vals);
  for (uint32_t i = 0; i < n; i++) {
    const ast_expr *e = i < one->values.n ? one->values.items[i] : def->a;
    chk_value v;
    const char *why;
    if (!chk_literal(e, t, &v, &why))
      return false;
    if (t == TY_TEXT) {
      vals[i].s = v.s;
      vals[i].len = v.len;
    } else if (!value_number(&v, &vals[i].n)) {
      return false;
    }
  }
  s->allowed = vals;
  s->nallowed = n;
  return true;
}

/* Whether a field never holds none: required, with a default, or a list. */
static bool never_none(const ast_field *f)
{
  return strcmp(f->type_name, "list") == 0 || field_con(f, FCON_REQUIRED) ||
         field_con(f, FCON_DEFAULT);
}

/* ---------------------------------------------------------------- subjects and atoms */

static grain grain_of(ty_base t)
{
  return t == TY_INT || t == TY_DATE ? G_WHOLE : t == TY_MONEY ? G_FEN : G_DENSE;
}

/* a - b: whole when both are, else in fen when neither is a number, else any number. */
static grain grain_of_pair(const ast_expr *a, const ast_expr *b)
{
  grain ga = grain_of(a->type.base), gb = grain_of(b->type.base);
  if (ga == G_DENSE || gb == G_DENSE)
    return G_DENSE;
  return ga == G_FEN || gb == G_FEN ? G_FEN : G_WHOLE;
}

static void bound_by_declaration(cond_ctx *cx, subject *s)
{
  const ast_field *f = s->b ? NULL : main_field(cx, s->a);
  if (!f || (s->kind != S_NUM && s->kind != S_TEXT))
    return;
  bool ranged = s->kind == S_NUM && cond_field_range(f, &s->range);
  bool listed = field_allowed(cx, f, s);
  if (ranged || listed)
    s->field = f;
}

/* The subject (kind, a - b), made when new; *swapped when it is known as b - a. */
static uint32_t subject_of(cond_ctx *cx, subject_kind kind, const ast_expr *a, const ast_expr *b,
                           bool *swapped)
{
  /* symmetric, so that a - b and b - a meet */
  uint32_t h = (expr_hash(a) ^ (b ? expr_hash(b) : 0)) + (uint32_t)kind;
  *swapped = false;
  for (uint32_t i = 0; i < cx->nsubjects; i++) {
    const subject *s = &cx->subjects[i];
    if (s->hash != h || s->kind != kind)
      continue;
    if (cond_same_expr(s->a, a) && cond_same_expr(s->b, b))
      return i;
    if (b && s->b && cond_same_expr(s->a, b) && cond_same_expr(s->b, a)) {
      *swapped = true;
      return i;
    }
  }
  cx->subjects =
      cond_grow(cx, cx->subjects, &cx->cap_subjects, cx->nsubjects + 1, sizeof *cx->subjects);
  subject *s = &cx->subjects[cx->nsubjects];
  memset(s, 0, sizeof *s);
  s->kind = (uint8_t)kind;
  s->a = a;
  s->b = b;
  s->hash = h;
  s->grain = (uint8_t)(b ? grain_of_pair(a, b) : grain_of(a->type.base));
  bound_by_declaration(cx, s);
  return cx->nsubjects++;
}

bool cond_same_value(const subject *s, const cval *x, const cval *y)
{
  if (s->kind == S_TEXT)
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
  return dec_num_cmp(x->n, y->n) == 0;
}

bool cond_in_values(const subject *s, const cval *v, const cval *set, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++)
    if (cond_same_value(s, v, &set[i]))
      return true;
  return false;
}

static bool same_set(const subject *s, const atom *x, const cval *set, uint32_t n)
{
  if (x->nset != n)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!cond_in_values(s, &set[i], x->set, x->nset))
      return false;
  return true;
}

/* The atom (subject op k) or (subject in set), made when new. */
static uint32_t atom_of(cond_ctx *cx, uint32_t si, atom_op op, const cval *k, const cval *set,
                        uint32_t nset)
{
  subject *s = &cx->subjects[si];
  for (uint32_t i = 0; i < s->natoms; i++) {
    const atom *x = &cx->atoms[s->atoms[i]];
    if (x->op != op)
      continue;
    if (op == A_BOOL || (op == A_IN && same_set(s, x, set, nset)) ||
        (op != A_IN && cond_same_value(s, &x->k, k)))
      return s->atoms[i];
  }
  cx->atoms = cond_grow(cx, cx->atoms, &cx->cap_atoms, cx->natoms + 1, sizeof *cx->atoms);
  atom *x = &cx->atoms[cx->natoms];
  memset(x, 0, sizeof *x);
  x->subject = si;
  x->op = (uint8_t)op;
  if (k)
    x->k = *k;
  x->set = set;
  x->nset = nset;
  s->atoms = cond_grow(cx, s->atoms, &s->cap_atoms, s->natoms + 1, sizeof *s->atoms);
  s->atoms[s->natoms++] = cx->natoms;
  s->chosen = cond_grow(cx, s->chosen, &s->cap_chosen, s->natoms, sizeof *s->chosen);
  uint32_t old = cx->cap_val, cap = cx->cap_level;
  cx->level = cond_grow(cx, cx->level, &cap, cx->natoms + 1, sizeof *cx->level);
  cap = cx->cap_level;
  cx->atom_mark = cond_grow(cx, cx->atom_mark, &cap, cx->natoms + 1, sizeof *cx->atom_mark);
  cx->cap_level = cap;
  cx->val = cond_grow(cx, cx->val, &cx->cap_val, cx->natoms + 1, sizeof *cx->val);
  for (uint32_t i = old; i < cx->cap_val; i++)
    cx->val[i] = -1;
  return cx->natoms++;
}

/* ---------------------------------------------------------------- building formulas */

static const cond_formula *build(cond_ctx *cx, const ast_expr *e);

static cond_formula *node(cond_ctx *cx, formula_kind kind)
{
  cond_formula *f = arena_alloc(cx->arena, sizeof *f);
  f->kind = (uint8_t)kind;
  f->size = 1;
  return f;
}

/* a + b, stopping at the largest size */
static uint32_t add_size(uint32_t a, uint32_t b)
{
  return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static const cond_formula *constant(cond_ctx *cx, bool value)
{
  cond_formula *f = node(cx, F_CONST);
  f->value = value;
  return f;
}

static const cond_formula *atom_node(cond_ctx *cx, uint32_t a, bool neg)
{
  cond_formula *f = node(cx, F_ATOM);
  f->atom = a;
  f->neg = neg;
  return f;
}

static const cond_formula *negate(cond_ctx *cx, const cond_formula *x)
{
  if (x->kind == F_CONST)
    return constant(cx, !x->value);
  if (x->kind == F_ATOM)
    return atom_node(cx, x->atom, !x->neg);
  if (x->kind == F_NOT)
    return x->kids[0];
  cond_formula *f = node(cx, F_NOT);
  f->size = add_size(1, x->size);
  f->n = 1;
  f->kids = arena_alloc(cx->arena, sizeof *f->kids);
  f->kids[0] = x;
  return f;
}

/* x and y (kind F_AND) or x or y (F_OR), with the parts of a part of the same kind taken in
 * (a and b and c is one node of three) and constants folded. */
static const cond_formula *junction(cond_ctx *cx, formula_kind kind, const cond_formula *x,
                                    const cond_formula *y)
{
  bool absorbing = kind == F_OR; /* the constant that decides: false for and, true for or */
  const cond_formula *parts[2] = {x, y};
  uint32_t n = 0;
  for (int i = 0; i < 2; i++) {
    if (parts[i]->kind == F_CONST && parts[i]->value == absorbing)
      return parts[i];
    n += parts[i]->kind == kind ? parts[i]->n : parts[i]->kind == F_CONST ? 0 : 1;
  }
  if (n == 0)
    return constant(cx, !absorbing);
  cond_formula *f = node(cx, kind);
  f->kids = arena_alloc(cx->arena, (size_t)n * sizeof *f->kids);
  for (int i = 0; i < 2; i++) {
    if (parts[i]->kind == kind)
      for (uint32_t j = 0; j < parts[i]->n; j++)
        f->kids[f->n++] = parts[i]->kids[j];
    else if (parts[i]->kind != F_CONST)
      f->kids[f->n++] = parts[i];
  }
  for (uint32_t i = 0; i < f->n; i++)
    f->size = add_size(f->size, f->kids[i]->size);
  return f->n == 1 ? f->kids[0] : f;
}

/* A condition taken whole: an atom of its own. */
static const cond_formula *whole(cond_ctx *cx, const ast_expr *e)
{
  bool swapped;
  uint32_t s = subject_of(cx, S_BOOL, e, NULL, &swapped);
  return atom_node(cx, atom_of(cx, s, A_BOOL, NULL, NULL, 0), false);
}

static int mirror(int op)
{
  switch (op) {
  case OPR_LT: return OPR_GT;
  case OPR_LE: return OPR_GE;
  case OPR_GT: return OPR_LT;
  case OPR_GE: return OPR_LE;
  default: return op;
  }
}

/* subject op k, normalised to <, <= or =, negated or not. */
static const cond_formula *ordered(cond_ctx *cx, uint32_t s, int op, const cval *k)
{
  switch (op) {
  case OPR_LT: return atom_node(cx, atom_of(cx, s, A_LT, k, NULL, 0), false);
  case OPR_LE: return atom_node(cx, atom_of(cx, s, A_LE, k, NULL, 0), false);
  case OPR_GT: return atom_node(cx, atom_of(cx, s, A_LE, k, NULL, 0), true);
  case OPR_GE: return atom_node(cx, atom_of(cx, s, A_LT, k, NULL, 0), true);
  case OPR_EQ: return atom_node(cx, atom_of(cx, s, A_EQ, k, NULL, 0), false);
  default: return atom_node(cx, atom_of(cx, s, A_EQ, k, NULL, 0), true);
  }
}

/* x op literal k. */
static const cond_formula *against_literal(cond_ctx *cx, const ast_expr *e, const ast_expr *x,
                                           int op, const ast_expr *k)
{
  ty_base t = (ty_base)x->type.base;
  bool swapped;
  cval v = {0};
  if (t == TY_BOOL && k->kind == AST_BOOL) {
    const cond_formula *f = build(cx, x);
    return (op == OPR_EQ) == (k->ival != 0) ? f : negate(cx, f);
  }
  if (t == TY_TEXT && k->kind == AST_STRING && (op == OPR_EQ || op == OPR_NE)) {
    v.s = k->text;
    v.len = k->text_len;
    return ordered(cx, subject_of(cx, S_TEXT, x, NULL, &swapped), op, &v);
  }
  if (is_number_type(t) && literal_number(k, t, &v.n))
    return ordered(cx, subject_of(cx, S_NUM, x, NULL, &swapped), op, &v);
  return whole(cx, e);
}

static const cond_formula *comparison(cond_ctx *cx, const ast_expr *e)
{
  const ast_expr *x = e->a, *y = e->b;
  int op = e->op;
  if (is_literal(x) && is_literal(y))
    return whole(cx, e);
  if (is_literal(x)) {
    x = e->b;
    y = e->a;
    op = mirror(op);
  }
  if (is_literal(y))
    return against_literal(cx, e, x, op, y);
  ty_base tx = (ty_base)x->type.base, ty = (ty_base)y->type.base;
  bool dates = tx == TY_DATE && ty == TY_DATE;
  if (!dates && (tx == TY_DATE || ty == TY_DATE || !is_number_type(tx) || !is_number_type(ty)))
    return whole(cx, e);
  /* x op y is x - y op 0 */
  bool swapped;
  uint32_t s = subject_of(cx, S_NUM, x, y, &swapped);
  cval zero = {.n = dec_num_from_int(0)};
  return ordered(cx, s, swapped ? mirror(op) : op, &zero);
}

/* The values of set, as compared with x: false when the compiled rules would read one of them
 * otherwise than exactly (an int set holding 2.5). */
static bool set_values(cond_ctx *cx, const ast_expr *x, const ast_expr *set, cval **out)
{
  ty_base t = (ty_base)x->type.base;
  uint32_t n = set->list.n;
  cval *vals = arena_alloc(cx->arena, (size_t)(n ? n : 1) * sizeof *vals);
  bool int_set = t == TY_INT && n && ((const ast_expr *)set->list.items[0])->kind == AST_INT;
  for (uint32_t i = 0; i < n; i++) {
    const ast_expr *k = set->list.items[i];
    const ast_expr *lit = k->kind == AST_UNARY ? k->a : k;
    chk_value v;
    const char *why;
    if (t == TY_TEXT) {
      if (k->kind != AST_STRING)
        return false;
      vals[i].s = k->text;
      vals[i].len = k->text_len;
    } else if (t == TY_MONEY || int_set) {
      if (!chk_literal(k, t, &v, &why) || !value_number(&v, &vals[i].n))
        return false;
    } else if (t == TY_DATE || lit->kind == AST_DATE) {
      if (t != TY_DATE || !literal_number(k, t, &vals[i].n))
        return false;
    } else if (!literal_number(k, t, &vals[i].n)) {
      return false;
    }
  }
  *out = vals;
  return true;
}

static const cond_formula *membership(cond_ctx *cx, const ast_expr *e)
{
  const ast_expr *x = e->a;
  ty_base t = (ty_base)x->type.base;
  cval *vals;
  if (is_literal(x) || e->b->kind != AST_SET || (t != TY_TEXT && !is_number_type(t)) ||
      !set_values(cx, x, e->b, &vals))
    return whole(cx, e);
  bool swapped;
  uint32_t s = subject_of(cx, t == TY_TEXT ? S_TEXT : S_NUM, x, NULL, &swapped);
  uint32_t n = e->b->list.n;
  uint32_t a =
      n == 1 ? atom_of(cx, s, A_EQ, &vals[0], NULL, 0) : atom_of(cx, s, A_IN, NULL, vals, n);
  return atom_node(cx, a, e->ival != 0);
}

/* x is none (ival 0) or x is not none (ival 1). */
static const cond_formula *none_test(cond_ctx *cx, const ast_expr *e)
{
  bool is_not = e->ival != 0;
  if (e->a->kind == AST_NONE)
    return constant(cx, !is_not);
  const ast_field *f = main_field(cx, e->a);
  if (f && never_none(f))
    return constant(cx, is_not);
  bool swapped;
  uint32_t s = subject_of(cx, S_NONE, e->a, NULL, &swapped);
  return atom_node(cx, atom_of(cx, s, A_BOOL, NULL, NULL, 0), is_not);
}

/* A derived condition used by name (let monitored_year = year >= 2020): its own formula, so
 * that `monitored_year and year < 2020` is seen through.  A derived value is the same for
 * one record wherever it is named, so its formula is made once and shared.  Not when it may
 * be none, nests deeper than MAX_INLINE_DEPTH, or is larger than MAX_INLINE_SIZE (every
 * formula naming it would grow by as much): then it is a condition taken whole. */
static const cond_formula *derived(cond_ctx *cx, const ast_expr *e)
{
  const ast_decl *d = e->decl;
  if ((e->ref != REF_LET && e->ref != REF_AGG_LET) || !d || d->kind != DECL_LET || !d->expr ||
      d->type.base != TY_BOOL || d->type.opt)
    return NULL;
  const cond_formula *f = NULL;
  for (uint32_t i = 0; i < cx->nderived && !f; i++)
    if (cx->derived[i].decl == d)
      f = cx->derived[i].f;
  if (!f) {
    if (cx->inline_depth >= MAX_INLINE_DEPTH)
      return NULL;
    cx->inline_depth++;
    f = build(cx, d->expr);
    cx->inline_depth--;
    cx->derived =
        cond_grow(cx, cx->derived, &cx->cap_derived, cx->nderived + 1, sizeof *cx->derived);
    cx->derived[cx->nderived].decl = d;
    cx->derived[cx->nderived++].f = f;
  }
  return f->size <= MAX_INLINE_SIZE ? f : NULL;
}

static const cond_formula *build(cond_ctx *cx, const ast_expr *e)
{
  switch (e->kind) {
  case AST_BOOL: return constant(cx, e->ival != 0);
  case AST_NAME: {
    const cond_formula *f = derived(cx, e);
    if (f)
      return f;
    break;
  }
  case AST_UNARY:
    if (e->op == OPR_NOT)
      return negate(cx, build(cx, e->a));
    break;
  case AST_BINARY:
    if (e->op == OPR_AND)
      return junction(cx, F_AND, build(cx, e->a), build(cx, e->b));
    if (e->op == OPR_OR && e->ival == 0) /* ival 1: `x or default` */
      return junction(cx, F_OR, build(cx, e->a), build(cx, e->b));
    if (e->op >= OPR_EQ && e->op <= OPR_GE)
      return comparison(cx, e);
    break;
  case AST_IN: return membership(cx, e);
  case AST_IS_NONE: return none_test(cx, e);
  default: break;
  }
  return whole(cx, e);
}

/* The subjects a formula reads, each once, into the list. */
static void collect_subjects(cond_ctx *cx, const cond_formula *f, uint32_t *list, uint32_t *n)
{
  if (f->kind == F_ATOM) {
    uint32_t s = cx->atoms[f->atom].subject;
    if (cx->mark[s] != cx->stamp) {
      cx->mark[s] = cx->stamp;
      list[(*n)++] = s;
    }
    return;
  }
  for (uint32_t i = 0; i < f->n; i++)
    collect_subjects(cx, f->kids[i], list, n);
}

void cond_new_stamp(cond_ctx *cx)
{
  if (cx->cap_mark < cx->nsubjects + 1) {
    uint32_t cap = cx->cap_mark;
    cx->mark = cond_grow(cx, cx->mark, &cap, cx->nsubjects + 1, sizeof *cx->mark);
    cap = cx->cap_mark;
    cx->owner = cond_grow(cx, cx->owner, &cap, cx->nsubjects + 1, sizeof *cx->owner);
    cx->cap_mark = cap;
  }
  if (++cx->stamp == 0) {
    memset(cx->mark, 0, (size_t)cx->cap_mark * sizeof *cx->mark);
    cx->stamp = 1;
  }
}

const cond_formula *cond_formula_of(cond_ctx *cx, const ast_expr *e)
{
  cond_formula *top = node(cx, F_AND);
  const cond_formula *f = build(cx, e);
  *top = *f; /* a copy of its own, to hold the subjects */
  cond_new_stamp(cx);
  cx->found = cond_grow(cx, cx->found, &cx->cap_found, cx->nsubjects + 1, sizeof *cx->found);
  uint32_t *list = cx->found, n = 0;
  collect_subjects(cx, top, list, &n);
  for (uint32_t i = 1; i < n; i++) /* few: insertion sort */
    for (uint32_t j = i; j > 0 && list[j - 1] > list[j]; j--) {
      uint32_t t = list[j];
      list[j] = list[j - 1];
      list[j - 1] = t;
    }
  uint32_t *kept = arena_alloc(cx->arena, (size_t)(n + 1) * sizeof *kept);
  memcpy(kept, list, (size_t)n * sizeof *kept);
  top->subjects = kept;
  top->nsubjects = n;
  return top;
}

bool cond_same_values(const cond_formula *a, const cond_formula *b)
{
  if (a->nsubjects != b->nsubjects)
    return false;
  return a->nsubjects == 0 ||
         memcmp(a->subjects, b->subjects, a->nsubjects * sizeof *a->subjects) == 0;
}
