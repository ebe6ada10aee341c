/*
 * lint.c -- the warnings about conditions: rules that can never be chosen, conditions never
 * or always true, repeated rules and flags.  See lint.h for where this runs and why.
 *
 * Every question is put to cond.c as "can some record do this?"; a warning is given only on
 * the answer "no record can".  Notes name what the warning rests on: the earlier rules that
 * cover a rule (none of them needless: each is left out in turn), the other flag, the field
 * declarations whose bounds a never- or always-true condition rests on.  The walk over
 * expressions recurses as deep as they nest, which the parser bounds.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cond.h"
#include "i18n.h"
#include "lint.h"
#include "lint_values.h"

/* Steps (nodes of formulas looked at) every question of one rule set may take together: some
 * tens of milliseconds at most, whatever the rules; the shipped rules take a few thousand. */
#define LINT_BUDGET (1u << 24)

/* Steps the questions about one declaration may take, so that a costly one (a decision of
 * thousands of rules over many values) leaves the others theirs.  The largest decision of the
 * shipped rules takes under a thousand. */
#define DECL_ALLOWANCE (1u << 22)

/* Field declarations, and covering rules, named in the notes of one warning, at most. */
#define MAX_FIELD_NOTES 4
#define MAX_RULE_NOTES 8

typedef struct {
  chk_program *prog;
  diag_list *diags;
  mem_arena *arena;
  cond_ctx *cx;
  ast_decl **flags; /* the flags linted so far, but those never or always raised */
  const cond_formula **flag_conds;
  uint32_t nflags;
} linter;

/* ---------------------------------------------------------------- conditions */

static bool is_literal_bool(const ast_expr *e)
{
  return e->kind == AST_BOOL;
}

/* Notes at the declarations of the fields whose bounds a never- or always-true answer rests
 * on (the query that was answered: yes true, no false). */
static void note_fields(linter *L, int idx, const cond_formula *const *yes, uint32_t nyes,
                        const cond_formula *const *no, uint32_t nno)
{
  const ast_field *fields[MAX_FIELD_NOTES];
  uint32_t n = cond_bounding_fields(L->cx, yes, nyes, no, nno, fields, MAX_FIELD_NOTES);
  for (uint32_t i = 0; i < n; i++)
    diag_add_note(L->diags, idx, fields[i]->loc, "the values '%s' can take are declared here",
                  fields[i]->name);
}

/* W0010 (never true) or W0011 (always true) for the condition e, whose formula is f, with a
 * help line of its own (NULL: the code's). */
static void report_constant(linter *L, const ast_expr *e, const cond_formula *f, bool never,
                            const char *help)
{
  int idx = diag_add(L->diags, never ? DIAG_W_NEVER_TRUE : DIAG_W_ALWAYS_TRUE, e->span);
  if (help)
    diag_add_help(L->diags, idx, "%s", _(help)); /* a help marked N_() by the caller */
  if (never)
    note_fields(L, idx, &f, 1, NULL, 0);
  else
    note_fields(L, idx, NULL, 0, &f, 1);
}

static bool never_true(linter *L, const cond_formula *f)
{
  return cond_sat(L->cx, &f, 1, NULL, 0) == COND_UNSAT;
}

static bool always_true(linter *L, const cond_formula *f)
{
  return cond_sat(L->cx, NULL, 0, &f, 1) == COND_UNSAT;
}

/* Warns when f, the formula of e, is never or always true (but for a written `true` or
 * `false`); `never` and `always` are the help lines for each.  Returns the answer: 0
 * neither, -1 never, 1 always. */
static int constant_condition(linter *L, const ast_expr *e, const cond_formula *f,
                              const char *never, const char *always)
{
  if (is_literal_bool(e))
    return 0;
  int answer = never_true(L, f) ? -1 : always_true(L, f) ? 1 : 0;
  if (answer)
    report_constant(L, e, f, answer < 0, answer < 0 ? never : always);
  return answer;
}

/* The conditions of every `if` in e. */
static void walk_ifs(linter *L, const ast_expr *e)
{
  if (!e)
    return;
  if (e->kind == AST_IF)
    constant_condition(L, e->a, cond_formula_of(L->cx, e->a), N_("the 'then' branch is never used"),
                       N_("the 'else' branch is never used"));
  walk_ifs(L, e->a);
  walk_ifs(L, e->b);
  walk_ifs(L, e->c);
  for (uint32_t i = 0; i < e->list.n; i++)
    walk_ifs(L, e->list.items[i]);
}

/* Everything said about one expression besides its own condition. */
static void walk(linter *L, const ast_expr *e)
{
  walk_ifs(L, e);
  lint_units(L->prog, L->diags, e);
}

/* ---------------------------------------------------------------- decisions */

/* The rules of a decision that may be chosen so far, with their conditions. */
typedef struct {
  uint32_t *rule;
  const cond_formula **cond;
  uint32_t n;
} earlier_rules;

/* Whether rule i (condition fi, NULL for otherwise) is met by no record that the listed
 * earlier rules leave. */
static bool covered(linter *L, const cond_formula *fi, const cond_formula *const *conds, uint32_t n)
{
  return cond_sat(L->cx, fi ? &fi : NULL, fi ? 1 : 0, conds, n) == COND_UNSAT;
}

/* Earlier rules that cover rule i, none of which can be left out.  A rule that shares no
 * record with rule i is not needed; of the others each is left out in turn, the last first,
 * and stays out when the rest still cover rule i.  keep[k] says which remain. */
static uint32_t covering_rules(linter *L, const cond_formula *fi, const earlier_rules *e,
                               bool *keep)
{
  const cond_formula **sel = arena_alloc(L->arena, (size_t)(e->n + 1) * sizeof *sel);
  uint32_t kept = 0;
  for (uint32_t k = 0; k < e->n; k++) {
    const cond_formula *both[2] = {fi, e->cond[k]};
    keep[k] = !fi || cond_sat(L->cx, both, 2, NULL, 0) != COND_UNSAT;
    kept += keep[k];
  }
  for (uint32_t k = e->n; k-- > 0;) {
    if (!keep[k])
      continue;
    uint32_t m = 0;
    for (uint32_t j = 0; j < e->n; j++)
      if (keep[j] && j != k)
        sel[m++] = e->cond[j];
    if (covered(L, fi, sel, m)) {
      keep[k] = false;
      kept--;
    }
  }
  return kept;
}

/* Rule i is covered by the single earlier rule j: W0012 when they are the same rule, else W0001
 * with a note at j. */
static void report_covered_by_one(linter *L, ast_decl *d, ast_rule *r, const cond_formula *fi,
                                  ast_rule *rj, const cond_formula *fj)
{
  bool same = r->cond &&
              (cond_same_expr(rj->cond, r->cond) || cond_sat(L->cx, &fj, 1, &fi, 1) == COND_UNSAT);
  if (same && cond_same_expr(rj->value, r->value)) {
    int idx = diag_add(L->diags, DIAG_W_DUPLICATE_RULE, r->loc, d->name);
    diag_add_note(L->diags, idx, rj->loc, "the same rule is here");
    return;
  }
  int idx = diag_add(L->diags, DIAG_W_UNREACHABLE_RULE, r->loc);
  if (!r->cond)
    diag_add_help(L->diags, idx,
                  "the rule noted below matches every record: make it the 'otherwise'");
  diag_add_note(L->diags, idx, rj->loc,
                same ? "an earlier rule with the same condition is here"
                     : "this earlier rule matches every record the later one matches");
}

static void report_covered(linter *L, ast_decl *d, uint32_t i, const cond_formula *fi,
                           const earlier_rules *e)
{
  ast_rule *r = d->rules.items[i];
  bool *keep = arena_alloc(L->arena, (size_t)(e->n + 1) * sizeof *keep);
  uint32_t kept = covering_rules(L, fi, e, keep);
  for (uint32_t k = 0; kept == 1 && k < e->n; k++)
    if (keep[k]) {
      report_covered_by_one(L, d, r, fi, d->rules.items[e->rule[k]], e->cond[k]);
      return;
    }
  int idx = diag_add(L->diags, DIAG_W_UNREACHABLE_RULE, r->loc);
  diag_add_help(L->diags, idx,
                r->cond ? "the earlier rules noted below together match every record this one "
                          "matches"
                        : "the rules noted below together match every record: make the last of "
                          "them the 'otherwise'");
  uint32_t noted = 0;
  for (uint32_t k = 0; k < e->n && noted < MAX_RULE_NOTES; k++)
    if (keep[k]) {
      diag_add_note(L->diags, idx, ((ast_rule *)d->rules.items[e->rule[k]])->loc,
                    "this earlier rule matches some of them");
      noted++;
    }
  if (kept > noted)
    diag_add_note(L->diags, idx, ELIG_LOC_NONE, "and %u more earlier rules", kept - noted);
}

/* One rule of a decision, against the earlier rules that may be chosen.  The first question
 * is whether some record meets it that the earlier rules leave: usually yes, which also says
 * its condition can be true.  Only when no record does is it asked whether any record meets
 * the condition at all (W0010 rather than W0001). */
static void lint_rule(linter *L, ast_decl *d, uint32_t i, earlier_rules *e)
{
  ast_rule *r = d->rules.items[i];
  const cond_formula *fi = r->cond ? cond_formula_of(L->cx, r->cond) : NULL;
  bool written = r->cond && is_literal_bool(r->cond); /* `when true`: the checker's */
  if (!covered(L, fi, e->cond, e->n)) {
    if (fi && !written && always_true(L, fi))
      report_constant(L, r->cond, fi, false,
                      N_("every record meets it, so no later rule is ever chosen"));
    if (fi) {
      e->rule[e->n] = i;
      e->cond[e->n++] = fi;
    }
    return;
  }
  r->reachable = false;
  if (fi && (e->n == 0 || never_true(L, fi)))
    report_constant(L, r->cond, fi, true, N_("no record meets it, so this rule is never chosen"));
  else
    report_covered(L, d, i, fi, e);
}

static void lint_decision(linter *L, ast_decl *d)
{
  uint32_t n = d->rules.n;
  earlier_rules e = {arena_alloc(L->arena, (size_t)(n + 1) * sizeof *e.rule),
                     arena_alloc(L->arena, (size_t)(n + 1) * sizeof *e.cond), 0};
  for (uint32_t i = 0; i < n; i++) {
    ast_rule *r = d->rules.items[i];
    /* the checker has warned about a rule after `otherwise`, `when true` or `when false` */
    if (r->reachable)
      lint_rule(L, d, i, &e);
    if (r->cond)
      walk(L, r->cond);
    walk(L, r->value);
  }
}

/* ---------------------------------------------------------------- flags and derived values */

static bool same_condition(linter *L, const ast_expr *a, const cond_formula *fa, const ast_expr *b,
                           const cond_formula *fb)
{
  if (cond_same_expr(a, b))
    return true;
  return cond_same_values(fa, fb) && cond_sat(L->cx, &fa, 1, &fb, 1) == COND_UNSAT &&
         cond_sat(L->cx, &fb, 1, &fa, 1) == COND_UNSAT;
}

/* A flag, against the flags before it. */
static void lint_flag(linter *L, ast_decl *d)
{
  const cond_formula *f = cond_formula_of(L->cx, d->cond);
  if (constant_condition(L, d->cond, f, N_("the flag is never raised"),
                         N_("the flag is raised for every record")) != 0)
    f = NULL; /* every never-true flag is the same as every other: said once is enough */
  for (uint32_t j = 0; f && j < L->nflags; j++) {
    ast_decl *other = L->flags[j];
    if (!same_condition(L, other->cond, L->flag_conds[j], d->cond, f))
      continue;
    int idx = diag_add(L->diags, DIAG_W_SAME_FLAG, d->name_loc, d->name, other->name);
    diag_add_note(L->diags, idx, other->name_loc, "flag '%s' is declared here", other->name);
    break;
  }
  if (f) {
    L->flags[L->nflags] = d;
    L->flag_conds[L->nflags++] = f;
  }
  walk(L, d->cond);
}

/* A derived value that is a condition: never or always true is a constant in disguise. */
static void lint_let(linter *L, const ast_decl *d)
{
  if (d->type.base == TY_BOOL && !d->type.opt)
    constant_condition(L, d->expr, cond_formula_of(L->cx, d->expr),
                       N_("it is false for every record"), N_("it is true for every record"));
  walk(L, d->expr);
}

static void lint_aggregate(linter *L, const ast_decl *agg)
{
  for (uint32_t i = 0; i < agg->body.n; i++) {
    ast_decl *d = agg->body.items[i];
    if (d->kind == DECL_LET)
      lint_let(L, d);
    else if (d->kind == DECL_DECIDE)
      lint_decision(L, d);
  }
}

static void lint_decl(linter *L, ast_decl *d)
{
  cond_allow(L->cx, DECL_ALLOWANCE);
  switch (d->kind) {
  case DECL_PARAM: lint_table(L->prog, L->diags, d); break;
  case DECL_LET: lint_let(L, d); break;
  case DECL_DECIDE: lint_decision(L, d); break;
  case DECL_MONITOR: lint_flag(L, d); break;
  case DECL_AGGREGATE: lint_aggregate(L, d); break;
  default: break;
  }
}

/* ---------------------------------------------------------------- the rule set */

static void append_all(ast_decl **to, uint32_t *n, const ast_list *from)
{
  for (uint32_t i = 0; i < from->n; i++)
    to[(*n)++] = from->items[i];
}

/* By file, then by place in it: the warnings come in the order of the text. */
static int by_place(const void *x, const void *y)
{
  const ast_decl *a = *(ast_decl *const *)x, *b = *(ast_decl *const *)y;
  if (a->loc.file != b->loc.file)
    return a->loc.file < b->loc.file ? -1 : 1;
  return a->loc.start < b->loc.start ? -1 : a->loc.start > b->loc.start;
}

static void lint_all(linter *L)
{
  chk_program *p = L->prog;
  uint32_t total = p->params.n + p->lets.n + p->decisions.n + p->flags.n + p->aggregates.n, n = 0;
  ast_decl **decls = arena_alloc(L->arena, (size_t)(total + 1) * sizeof *decls);
  L->flags = arena_alloc(L->arena, (size_t)(p->flags.n + 1) * sizeof *L->flags);
  L->flag_conds = arena_alloc(L->arena, (size_t)(p->flags.n + 1) * sizeof *L->flag_conds);
  append_all(decls, &n, &p->params);
  append_all(decls, &n, &p->lets);
  append_all(decls, &n, &p->decisions);
  append_all(decls, &n, &p->flags);
  for (uint32_t i = 0; i < p->aggregates.n; i++)
    decls[n++] = ((chk_aggregate *)p->aggregates.items[i])->decl;
  qsort(decls, n, sizeof *decls, by_place);
  for (uint32_t i = 0; i < n; i++)
    lint_decl(L, decls[i]);
}

bool lint_program(chk_program *prog, diag_list *diags)
{
  mem_arena *arena = arena_new();
  if (!arena) {
    diag_add(diags, DIAG_E_NO_MEMORY, ELIG_LOC_NONE);
    return false;
  }
  jmp_buf fail;
  if (setjmp(fail)) {
    arena_free(arena);
    diag_add(diags, DIAG_E_NO_MEMORY, ELIG_LOC_NONE);
    return false;
  }
  arena_set_fail(arena, &fail);
  linter L = {.prog = prog, .diags = diags, .arena = arena};
  L.cx = cond_new(arena, prog, LINT_BUDGET);
  lint_all(&L);
  arena_free(arena);
  return true;
}
