/*
 * cond.c -- conditions as formulas over atoms, and a search for a record that meets them.
 * See cond.h for what is decided and why it is sound.
 *
 * Layout: values compared (subjects) and atoms are kept once each in the context, so that
 * `x < 5` in one rule and `x >= 5` in another are one atom, true in one and false in the
 * other.  A query splits its formulas into groups that share no value (each group can be met
 * on its own), and searches each group depth-first with an explicit trail: pick an atom the
 * formula still depends on, try true then false, and after each choice ask whether the
 * value's atoms chosen so far leave it some value (consistent()).  Formulas are walked
 * recursively; their depth is the expression's, which the parser bounds.
 */
#include <string.h>

#include "cond.h"
#include "decimal.h"

#define NO_ATOM UINT32_MAX
/* Steps one query may take: a rule set's decisions need a few hundred each; a condition
 * built to make the search explode stops here, unanswered. */
#define QUERY_STEPS 200000u

enum {
  V_FALSE = 0,
  V_TRUE = 1,
  V_UNKNOWN = 2
};

typedef enum {
  F_CONST,
  F_ATOM,
  F_NOT,
  F_AND,
  F_OR
} formula_kind;

struct cond_formula {
  uint8_t kind;  /* formula_kind */
  bool value;    /* F_CONST */
  bool neg;      /* F_ATOM: the atom's negation */
  uint32_t atom; /* F_ATOM */
  uint32_t n;    /* F_NOT: 1; F_AND, F_OR: the parts */
  const cond_formula **kids;
  const uint32_t *subjects; /* a formula of cond_formula_of: its values, increasing */
  uint32_t nsubjects;
};

/* What a subject is: a number, money, a date or the difference of two (S_NUM), a text, a
 * condition taken whole, or `x is none`. */
typedef enum {
  S_NUM,
  S_TEXT,
  S_BOOL,
  S_NONE
} subject_kind;

/* The values a number can take between two bounds: every exact number, whole numbers (ints,
 * dates in days) or amounts in fen. */
typedef enum {
  G_DENSE,
  G_WHOLE,
  G_FEN
} grain;

typedef struct {
  dec_num n; /* S_NUM: the exact value (money in yuan, dates in days) */
  const char *s;
  uint32_t len; /* S_TEXT */
} cval;

/* An atom, normalised: x < k, x <= k, x = k, x in {..}, or a condition taken whole.
 * x > k is not (x <= k), x >= k not (x < k), x != k not (x = k). */
typedef enum {
  A_LT,
  A_LE,
  A_EQ,
  A_IN,
  A_BOOL
} atom_op;

typedef struct {
  uint32_t subject;
  uint8_t op; /* atom_op */
  cval k;
  const cval *set;
  uint32_t nset;
} atom;

typedef struct {
  uint8_t kind;          /* subject_kind */
  uint8_t grain;         /* S_NUM */
  const ast_expr *a, *b; /* b: the subject is a - b */
  uint32_t hash;
  const ast_field *field; /* a main-record field whose declaration bounds it, or NULL */
  cond_range range;
  const cval *allowed; /* `one of` and the default; NULL: no such list */
  uint32_t nallowed;
  uint32_t *atoms;
  uint32_t natoms, cap_atoms;
} subject;

/* A formula of a query, negated or not; true_at and true_gen: eval_group. */
typedef struct {
  const cond_formula *f;
  bool neg;
  uint32_t true_at;
  uint64_t true_gen;
} conjunct;

struct cond_ctx {
  mem_arena *arena;
  const chk_program *prog;
  uint64_t budget; /* steps left for every later query */
  uint64_t steps;  /* steps left for the query being answered */
  subject *subjects;
  uint32_t nsubjects, cap_subjects;
  atom *atoms;
  uint32_t natoms, cap_atoms;
  int8_t *val; /* per atom: -1 unchosen, 0 false, 1 true */
  uint32_t cap_val;
  /* per subject, reused by every query: a stamp says the entry is this query's */
  uint32_t *mark, *owner;
  uint32_t cap_mark, stamp;
  uint32_t *found; /* cond_formula_of: the subjects of the formula being made */
  uint32_t cap_found;
  /* the query's scratch */
  conjunct *conj, *grouped;
  uint32_t *parent, *start;
  uint32_t *trail;
  bool *flipped;
  uint64_t *gen; /* per depth of the search: the generation of the choice made there */
  uint64_t generation;
  uint32_t *level;     /* per atom: the depth at which it was chosen */
  uint32_t *atom_mark; /* per atom: a stamp, for count_atoms */
  uint32_t cap_level;
  uint64_t *levels; /* the searcher's sets of levels */
  uint32_t cap_levels;
  uint32_t cap_conj, cap_trail;
  const ast_field *ignore; /* cond_bounding_fields: the field whose declaration is left out */
};

/* ---------------------------------------------------------------- memory */

/* An array of `size`-byte items grown to hold `need`, its old items kept; *cap is updated.
 * The arena's failure point takes care of running out. */
static void *grow(cond_ctx *cx, void *p, uint32_t *cap, uint32_t need, size_t size)
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
  return cx;
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
  cx->subjects = grow(cx, cx->subjects, &cx->cap_subjects, cx->nsubjects + 1, sizeof *cx->subjects);
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

static bool same_value(const subject *s, const cval *x, const cval *y)
{
  if (s->kind == S_TEXT)
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
  return dec_num_cmp(x->n, y->n) == 0;
}

static bool in_values(const subject *s, const cval *v, const cval *set, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++)
    if (same_value(s, v, &set[i]))
      return true;
  return false;
}

static bool same_set(const subject *s, const atom *x, const cval *set, uint32_t n)
{
  if (x->nset != n)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!in_values(s, &set[i], x->set, x->nset))
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
        (op != A_IN && same_value(s, &x->k, k)))
      return s->atoms[i];
  }
  cx->atoms = grow(cx, cx->atoms, &cx->cap_atoms, cx->natoms + 1, sizeof *cx->atoms);
  atom *x = &cx->atoms[cx->natoms];
  memset(x, 0, sizeof *x);
  x->subject = si;
  x->op = (uint8_t)op;
  if (k)
    x->k = *k;
  x->set = set;
  x->nset = nset;
  s->atoms = grow(cx, s->atoms, &s->cap_atoms, s->natoms + 1, sizeof *s->atoms);
  s->atoms[s->natoms++] = cx->natoms;
  uint32_t old = cx->cap_val, cap = cx->cap_level;
  cx->level = grow(cx, cx->level, &cap, cx->natoms + 1, sizeof *cx->level);
  cap = cx->cap_level;
  cx->atom_mark = grow(cx, cx->atom_mark, &cap, cx->natoms + 1, sizeof *cx->atom_mark);
  cx->cap_level = cap;
  cx->val = grow(cx, cx->val, &cx->cap_val, cx->natoms + 1, sizeof *cx->val);
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
  return f;
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

static const cond_formula *build(cond_ctx *cx, const ast_expr *e)
{
  switch (e->kind) {
  case AST_BOOL: return constant(cx, e->ival != 0);
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

/* Room in the per-subject arrays for every subject made so far, and a new stamp. */
static void new_stamp(cond_ctx *cx)
{
  if (cx->cap_mark < cx->nsubjects + 1) {
    uint32_t cap = cx->cap_mark;
    cx->mark = grow(cx, cx->mark, &cap, cx->nsubjects + 1, sizeof *cx->mark);
    cap = cx->cap_mark;
    cx->owner = grow(cx, cx->owner, &cap, cx->nsubjects + 1, sizeof *cx->owner);
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
  new_stamp(cx);
  cx->found = grow(cx, cx->found, &cx->cap_found, cx->nsubjects + 1, sizeof *cx->found);
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

/* ---------------------------------------------------------------- one value's atoms */

/* Counts n steps against the query's budget. */
static void spend(cond_ctx *cx, uint64_t n)
{
  cx->steps = cx->steps > n ? cx->steps - n : 0;
}

/* Whether the declaration of the subject's field is taken into account. */
static bool declared(const cond_ctx *cx, const subject *s)
{
  return s->field && s->field != cx->ignore;
}

/* Whether atom x, as chosen, holds for the value v. */
static bool atom_holds(const cond_ctx *cx, const subject *s, uint32_t id, const cval *v)
{
  const atom *x = &cx->atoms[id];
  bool holds;
  switch (x->op) {
  case A_LT: holds = dec_num_cmp(v->n, x->k.n) < 0; break;
  case A_LE: holds = dec_num_cmp(v->n, x->k.n) <= 0; break;
  case A_EQ: holds = same_value(s, v, &x->k); break;
  case A_IN: holds = in_values(s, v, x->set, x->nset); break;
  default: return true;
  }
  return holds == (cx->val[id] == 1);
}

static bool on_grain(const subject *s, dec_num v)
{
  if (s->kind != S_NUM || s->grain == G_DENSE)
    return true;
  return s->grain == G_WHOLE ? v.den == 1 : 100 % v.den == 0;
}

/* Whether the value v meets every chosen atom of s and its declaration. */
static bool value_fits(const cond_ctx *cx, const subject *s, const cval *v)
{
  if (!on_grain(s, v->n))
    return false;
  if (declared(cx, s)) {
    if (s->kind == S_NUM && s->range.has_lo && dec_num_cmp(v->n, s->range.lo) < 0)
      return false;
    if (s->kind == S_NUM && s->range.has_hi && dec_num_cmp(v->n, s->range.hi) > 0)
      return false;
    if (s->allowed && !in_values(s, v, s->allowed, s->nallowed))
      return false;
  }
  for (uint32_t i = 0; i < s->natoms; i++)
    if (cx->val[s->atoms[i]] >= 0 && !atom_holds(cx, s, s->atoms[i], v))
      return false;
  return true;
}

/* A list the value must be one of, when there is one: a chosen x = k or x in {..}, or the
 * field's `one of`. */
static bool candidates(const cond_ctx *cx, const subject *s, const cval **set, uint32_t *n)
{
  for (uint32_t i = 0; i < s->natoms; i++) {
    const atom *x = &cx->atoms[s->atoms[i]];
    if (cx->val[s->atoms[i]] != 1)
      continue;
    if (x->op == A_EQ) {
      *set = &x->k;
      *n = 1;
      return true;
    }
    if (x->op == A_IN) {
      *set = x->set;
      *n = x->nset;
      return true;
    }
  }
  if (declared(cx, s) && s->allowed) {
    *set = s->allowed;
    *n = s->nallowed;
    return true;
  }
  return false;
}

/* One end of an interval. */
typedef struct {
  bool has, strict;
  dec_num v;
} bound;

/* Keeps the tighter of b and (v, strict): the higher for a lower end (up), else the lower. */
static void tighten(bound *b, dec_num v, bool strict, bool up)
{
  int c = b->has ? dec_num_cmp(v, b->v) : (up ? 1 : -1);
  if ((up ? c > 0 : c < 0) || (c == 0 && strict)) {
    b->has = true;
    b->v = v;
    b->strict = strict;
  }
}

/* The interval the chosen <, <= atoms and the declaration leave; how many points the
 * chosen = and in atoms exclude. */
static uint64_t interval(const cond_ctx *cx, const subject *s, bound *lo, bound *hi)
{
  uint64_t excluded = 0;
  if (declared(cx, s) && s->range.has_lo)
    tighten(lo, s->range.lo, false, true);
  if (declared(cx, s) && s->range.has_hi)
    tighten(hi, s->range.hi, false, false);
  for (uint32_t i = 0; i < s->natoms; i++) {
    const atom *x = &cx->atoms[s->atoms[i]];
    int8_t v = cx->val[s->atoms[i]];
    if (v < 0)
      continue;
    if (x->op == A_LT)
      tighten(v ? hi : lo, x->k.n, v == 1, v == 0); /* x < k, or x >= k */
    else if (x->op == A_LE)
      tighten(v ? hi : lo, x->k.n, v == 0, v == 0); /* x <= k, or x > k */
    else if (v == 0)
      excluded += x->op == A_EQ ? 1 : x->nset;
  }
  return excluded;
}

/* The first point of the grain at or above b (up), or at or below it, in units of the grain
 * (1 or 1/100); beyond it when strict.  False when it does not fit. */
static bool grain_point(dec_num v, int64_t scale, bool strict, bool up, int64_t *out)
{
  dec_num r;
  if (dec_num_mul(v, dec_num_from_int(scale), &r) != DEC_OK)
    return false;
  int64_t q = r.num / r.den, m = r.num % r.den;
  if (up && (m > 0 || (m == 0 && strict))) {
    if (q == INT64_MAX)
      return false;
    q++;
  } else if (!up && (m < 0 || (m == 0 && strict))) {
    if (q == INT64_MIN)
      return false;
    q--;
  }
  *out = q;
  return true;
}

/* Whether some whole number of grain units between lo and hi meets every chosen atom: at most
 * `excluded` points are excluded, so one of the first excluded + 1 points from an end does. */
static bool grain_has_value(const cond_ctx *cx, const subject *s, const bound *lo, const bound *hi,
                            uint64_t excluded)
{
  int64_t scale = s->grain == G_FEN ? 100 : 1, from, to = 0;
  if (!lo->has && !hi->has)
    return true;
  if ((lo->has && !grain_point(lo->v, scale, lo->strict, true, &from)) ||
      (hi->has && !grain_point(hi->v, scale, hi->strict, false, &to)))
    return true; /* too large to reason about: assume it can */
  int64_t step = lo->has ? 1 : -1;
  int64_t p = lo->has ? from : to;
  for (uint64_t i = 0; i <= excluded; i++) {
    if (lo->has && hi->has && p > to)
      return false;
    cval v = {0};
    if (dec_num_div(dec_num_from_int(p), dec_num_from_int(scale), &v.n) != DEC_OK ||
        value_fits(cx, s, &v))
      return true;
    if ((step > 0 && p == INT64_MAX) || (step < 0 && p == INT64_MIN))
      return true;
    p += step;
  }
  return true;
}

/* Whether some exact number between lo and hi meets every chosen atom. */
static bool dense_has_value(const cond_ctx *cx, const subject *s, const bound *lo, const bound *hi)
{
  if (!lo->has || !hi->has)
    return true;
  int c = dec_num_cmp(lo->v, hi->v);
  if (c != 0)
    return c < 0; /* infinitely many, of which finitely many are excluded */
  cval v = {.n = lo->v};
  return !lo->strict && !hi->strict && value_fits(cx, s, &v);
}

/* Whether some value of s meets every atom of it chosen so far and its declaration. */
static bool consistent(cond_ctx *cx, const subject *s)
{
  spend(cx, s->natoms);
  if (s->kind != S_NUM && s->kind != S_TEXT)
    return true;
  const cval *set;
  uint32_t n;
  if (candidates(cx, s, &set, &n)) {
    spend(cx, n);
    for (uint32_t i = 0; i < n; i++)
      if (value_fits(cx, s, &set[i]))
        return true;
    return false;
  }
  if (s->kind == S_TEXT)
    return true; /* texts are infinitely many */
  bound lo = {0}, hi = {0};
  uint64_t excluded = interval(cx, s, &lo, &hi);
  spend(cx, excluded);
  if (s->grain == G_DENSE)
    return dense_has_value(cx, s, &lo, &hi);
  return grain_has_value(cx, s, &lo, &hi, excluded);
}

/* ---------------------------------------------------------------- the search */

static int not3(int v)
{
  return v == V_UNKNOWN ? v : !v;
}

/* The value of f under the atoms chosen so far: V_UNKNOWN when it depends on one not chosen,
 * then *pick is such an atom and the value that moves f the way wanted (true when `want`):
 * atom * 2 + value.  Trying that value first satisfies the formulas of a query one after
 * the other instead of wandering. */
static int eval(cond_ctx *cx, const cond_formula *f, bool want, uint32_t *pick)
{
  if (cx->steps == 0)
    return V_UNKNOWN;
  cx->steps--;
  switch (f->kind) {
  case F_CONST: return f->value;
  case F_ATOM: {
    int8_t v = cx->val[f->atom];
    if (v < 0) {
      *pick = f->atom * 2 + (want != f->neg);
      return V_UNKNOWN;
    }
    return v ^ f->neg;
  }
  case F_NOT: return not3(eval(cx, f->kids[0], !want, pick));
  default: break;
  }
  int decides = f->kind == F_OR; /* a part of this value decides the whole */
  int res = !decides;
  uint32_t first = NO_ATOM;
  for (uint32_t i = 0; i < f->n; i++) {
    uint32_t p = NO_ATOM;
    int r = eval(cx, f->kids[i], want, &p);
    if (r == decides)
      return r;
    if (r == V_UNKNOWN && first == NO_ATOM) {
      first = p;
      res = V_UNKNOWN;
    }
  }
  if (res == V_UNKNOWN)
    *pick = first;
  return res;
}

/* The conjunction of a group's formulas, each negated or not, at `depth` choices.  A formula
 * once true stays true while the choices it was found true under stand (the value of a
 * formula only settles as atoms are chosen): it is not looked at again until one of them
 * changes, which gives the choice at its depth a new generation.  When false, *failed is the
 * formula that is. */
static int eval_group(cond_ctx *cx, conjunct *cs, uint32_t n, uint32_t depth, uint32_t *pick,
                      uint32_t *failed)
{
  int res = V_TRUE;
  uint32_t first = NO_ATOM;
  for (uint32_t i = 0; i < n; i++) {
    if (cs[i].true_at <= depth && cx->gen[cs[i].true_at] == cs[i].true_gen)
      continue;
    uint32_t p = NO_ATOM;
    int r = eval(cx, cs[i].f, !cs[i].neg, &p);
    if (cs[i].neg)
      r = not3(r);
    if (r == V_FALSE) {
      *failed = i;
      return r;
    }
    if (r == V_TRUE) {
      cs[i].true_at = depth;
      cs[i].true_gen = cx->gen[depth];
    } else if (first == NO_ATOM) {
      first = p;
      res = V_UNKNOWN;
    }
  }
  *pick = first;
  return res;
}

/* ---------------------------------------------------------------- backjumping
 * A search that has chosen atoms a1..ad and meets a conflict undoes the latest choice only if
 * the conflict depends on it: each conflict comes with the levels (depths) of the choices it
 * rests on, and the search jumps back to the highest of them, carrying the others along
 * (conflict-directed backjumping).  Choices in between, which had nothing to do with it, are
 * not tried both ways again and again.  Levels are sets of bits, one row per level. */

static void set_level(uint64_t *set, uint32_t level)
{
  set[level / 64] |= (uint64_t)1 << (level % 64);
}

/* The highest level in the set, 0 when it is empty (levels count from 1). */
static uint32_t highest(const uint64_t *set, uint32_t words)
{
  for (uint32_t w = words; w-- > 0;)
    if (set[w])
      return w * 64 + 63 - (uint32_t)__builtin_clzll(set[w]);
  return 0;
}

/* The levels of the chosen atoms of f, whose value they alone make false. */
static void formula_levels(cond_ctx *cx, const cond_formula *f, uint64_t *set)
{
  if (f->kind == F_ATOM) {
    if (cx->val[f->atom] >= 0)
      set_level(set, cx->level[f->atom]);
    return;
  }
  for (uint32_t i = 0; i < f->n; i++)
    formula_levels(cx, f->kids[i], set);
}

/* The levels of the chosen atoms of s, which together leave it no value. */
static void subject_levels(cond_ctx *cx, const subject *s, uint64_t *set)
{
  for (uint32_t i = 0; i < s->natoms; i++)
    if (cx->val[s->atoms[i]] >= 0)
      set_level(set, cx->level[s->atoms[i]]);
}

/* The distinct atoms of a group, which bound the depth of its search. */
static uint32_t count_atoms(cond_ctx *cx, const cond_formula *f, uint32_t stamp)
{
  if (f->kind == F_ATOM) {
    if (cx->atom_mark[f->atom] == stamp)
      return 0;
    cx->atom_mark[f->atom] = stamp;
    return 1;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < f->n; i++)
    n += count_atoms(cx, f->kids[i], stamp);
  return n;
}

/* One search over a group: its choices and the conflicts met. */
typedef struct {
  cond_ctx *cx;
  uint32_t depth;  /* choices made: levels 1..depth */
  uint32_t words;  /* per set of levels */
  uint64_t *rows;  /* level L's conflict set at rows + L * words */
  uint64_t *clash; /* the conflict being resolved */
} searcher;

static uint64_t *row(const searcher *z, uint32_t level)
{
  return z->rows + (size_t)level * z->words;
}

/* Chooses atom `a` = value at a new level; false when that leaves its value no room, with the
 * conflict in z->clash. */
static bool choose(searcher *z, uint32_t a, int8_t value)
{
  cond_ctx *cx = z->cx;
  uint32_t level = ++z->depth;
  cx->trail[level - 1] = a;
  cx->flipped[level - 1] = false;
  cx->val[a] = value;
  cx->level[a] = level;
  cx->gen[level] = ++cx->generation;
  memset(row(z, level), 0, z->words * sizeof *z->rows);
  const subject *s = &cx->subjects[cx->atoms[a].subject];
  if (consistent(cx, s))
    return true;
  memset(z->clash, 0, z->words * sizeof *z->clash);
  subject_levels(cx, s, z->clash);
  return false;
}

static void undo(searcher *z)
{
  z->cx->val[z->cx->trail[--z->depth]] = -1;
}

/* Resolves the conflict in z->clash: back to the highest level it rests on, whose other value
 * is tried, or further back when both failed.  False when the conflict rests on no choice:
 * nothing can meet the group. */
static bool backjump(searcher *z)
{
  cond_ctx *cx = z->cx;
  for (;;) {
    uint32_t h = highest(z->clash, z->words);
    if (h == 0)
      return false;
    while (z->depth > h)
      undo(z);
    uint64_t *r = row(z, h);
    for (uint32_t w = 0; w < z->words; w++)
      r[w] |= z->clash[w];
    r[h / 64] &= ~((uint64_t)1 << (h % 64));
    if (!cx->flipped[h - 1]) {
      uint32_t a = cx->trail[h - 1];
      cx->flipped[h - 1] = true;
      cx->val[a] = !cx->val[a];
      cx->gen[h] = ++cx->generation;
      const subject *s = &cx->subjects[cx->atoms[a].subject];
      if (consistent(cx, s))
        return true;
      memset(z->clash, 0, z->words * sizeof *z->clash);
      subject_levels(cx, s, z->clash);
      continue;
    }
    memcpy(z->clash, r, z->words * sizeof *z->clash);
    undo(z);
  }
}

/* Deepest search a group may need: more distinct atoms than this in one group is answered
 * COND_UNKNOWN (the sets of levels grow with its square). */
#define MAX_GROUP_ATOMS 4096u

/* Room for the sets of levels of a search over `natoms` atoms. */
static void room_for_levels(cond_ctx *cx, searcher *z, uint32_t natoms)
{
  z->words = natoms / 64 + 1;
  uint32_t need = (natoms + 2) * z->words;
  cx->levels = grow(cx, cx->levels, &cx->cap_levels, need, sizeof *cx->levels);
  z->clash = cx->levels;
  z->rows = cx->levels + z->words;
}

/* Whether some choice of the group's atoms makes every formula of it true (depth-first). */
static cond_result search(cond_ctx *cx, conjunct *cs, uint32_t n)
{
  uint32_t natoms = 0, stamp = ++cx->generation & 0xffffffffu;
  for (uint32_t i = 0; i < n; i++)
    natoms += count_atoms(cx, cs[i].f, stamp ? stamp : 1);
  if (natoms > MAX_GROUP_ATOMS)
    return COND_UNKNOWN;
  searcher z = {.cx = cx};
  room_for_levels(cx, &z, natoms);
  for (uint32_t i = 0; i < n; i++)
    cs[i].true_at = UINT32_MAX;
  cx->gen[0] = ++cx->generation;
  cond_result r = COND_UNKNOWN;
  bool going = true;
  while (going && cx->steps > 0) {
    uint32_t pick = NO_ATOM, failed = 0;
    int v = eval_group(cx, cs, n, z.depth, &pick, &failed);
    if (cx->steps == 0 || (v == V_UNKNOWN && pick == NO_ATOM))
      break;
    if (v == V_TRUE) {
      r = COND_SAT;
      break;
    }
    if (v == V_UNKNOWN && choose(&z, pick / 2, (int8_t)(pick % 2)))
      continue;
    if (v == V_FALSE) {
      memset(z.clash, 0, z.words * sizeof *z.clash);
      formula_levels(cx, cs[failed].f, z.clash);
    }
    going = backjump(&z);
    if (!going)
      r = COND_UNSAT;
  }
  while (z.depth > 0)
    undo(&z);
  return r;
}

static uint32_t find(uint32_t *parent, uint32_t i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

/* Puts the conjuncts that share a subject, directly or through others, in one group:
 * cx->parent ends as a forest whose roots are the groups. */
static void group_conjuncts(cond_ctx *cx, uint32_t m)
{
  new_stamp(cx);
  for (uint32_t i = 0; i < m; i++)
    cx->parent[i] = i;
  for (uint32_t i = 0; i < m; i++) {
    const cond_formula *f = cx->conj[i].f;
    for (uint32_t j = 0; j < f->nsubjects; j++) {
      uint32_t s = f->subjects[j];
      if (cx->mark[s] != cx->stamp) {
        cx->mark[s] = cx->stamp;
        cx->owner[s] = i;
      } else {
        cx->parent[find(cx->parent, i)] = find(cx->parent, cx->owner[s]);
      }
    }
  }
}

/* Makes room for a query of m formulas over every atom made so far. */
static void room_for_query(cond_ctx *cx, uint32_t m)
{
  uint32_t cap = cx->cap_conj;
  cx->conj = grow(cx, cx->conj, &cap, m + 1, sizeof *cx->conj);
  cap = cx->cap_conj;
  cx->grouped = grow(cx, cx->grouped, &cap, m + 1, sizeof *cx->grouped);
  cap = cx->cap_conj;
  cx->parent = grow(cx, cx->parent, &cap, m + 1, sizeof *cx->parent);
  cap = cx->cap_conj;
  cx->start = grow(cx, cx->start, &cap, m + 1, sizeof *cx->start);
  cx->cap_conj = cap;
  cap = cx->cap_trail;
  cx->trail = grow(cx, cx->trail, &cap, cx->natoms + 1, sizeof *cx->trail);
  cap = cx->cap_trail;
  cx->flipped = grow(cx, cx->flipped, &cap, cx->natoms + 1, sizeof *cx->flipped);
  cap = cx->cap_trail;
  cx->gen = grow(cx, cx->gen, &cap, cx->natoms + 1, sizeof *cx->gen);
  cx->cap_trail = cap;
}

/* Sorts the m conjuncts by group into cx->grouped: group g (a root of cx->parent) holds
 * grouped[start[g] .. start[g + 1]) once done; start[g] == start[g + 1] for a non-root. */
static void sort_by_group(cond_ctx *cx, uint32_t m)
{
  memset(cx->start, 0, (size_t)(m + 1) * sizeof *cx->start);
  for (uint32_t i = 0; i < m; i++) {
    cx->parent[i] = find(cx->parent, i);
    cx->start[cx->parent[i] + 1]++;
  }
  for (uint32_t g = 0; g < m; g++)
    cx->start[g + 1] += cx->start[g];
  for (uint32_t i = 0; i < m; i++)
    cx->grouped[cx->start[cx->parent[i]]++] = cx->conj[i];
  /* each start[g] now stands at the end of group g, which is where group g + 1 starts */
  for (uint32_t g = m; g > 0; g--)
    cx->start[g] = cx->start[g - 1];
  cx->start[0] = 0;
}

/* Takes in the formulas of a query, leaving out constants that do not matter; false when one
 * decides that no record can do it. */
static bool take(cond_ctx *cx, uint32_t *m, const cond_formula *const *fs, uint32_t n, bool neg)
{
  for (uint32_t i = 0; i < n; i++) {
    if (fs[i]->kind == F_CONST) {
      if (fs[i]->value == neg)
        return false;
      continue;
    }
    cx->conj[*m].f = fs[i];
    cx->conj[(*m)++].neg = neg;
  }
  return true;
}

cond_result cond_sat(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                     const cond_formula *const *no, uint32_t nno)
{
  uint32_t m = 0;
  room_for_query(cx, nyes + nno);
  if (!take(cx, &m, yes, nyes, false) || !take(cx, &m, no, nno, true))
    return COND_UNSAT;
  if (m == 0)
    return COND_SAT;
  if (cx->budget == 0)
    return COND_UNKNOWN;
  group_conjuncts(cx, m);
  sort_by_group(cx, m);
  cx->steps = cx->budget < QUERY_STEPS ? cx->budget : QUERY_STEPS;
  uint64_t start = cx->steps;
  cond_result result = COND_SAT;
  for (uint32_t g = 0; g < m && result != COND_UNSAT; g++) {
    uint32_t n = cx->start[g + 1] - cx->start[g];
    cond_result r = n ? search(cx, cx->grouped + cx->start[g], n) : COND_SAT;
    if (r != COND_SAT)
      result = r;
  }
  cx->budget -= start - cx->steps;
  return result;
}

uint32_t cond_bounding_fields(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                              const cond_formula *const *no, uint32_t nno, const ast_field **out,
                              uint32_t max)
{
  uint32_t n = 0;
  for (uint32_t i = 0; i < nyes + nno; i++) {
    const cond_formula *f = i < nyes ? yes[i] : no[i - nyes];
    for (uint32_t j = 0; j < f->nsubjects && n < max; j++) {
      const ast_field *field = cx->subjects[f->subjects[j]].field;
      bool known = !field;
      for (uint32_t k = 0; k < n && !known; k++)
        known = out[k] == field;
      if (known)
        continue;
      cx->ignore = field;
      if (cond_sat(cx, yes, nyes, no, nno) == COND_SAT)
        out[n++] = field;
      cx->ignore = NULL;
    }
  }
  return n;
}
