/*
 * cond.h -- what is certain about conditions for every record: whether one can be true,
 * whether it is always true, whether some conditions together leave room for a record.
 *
 * Pipeline: check.c types a rule set -> lint.c asks this module about its conditions ->
 * compile.c.  A checked boolean expression becomes a formula over atoms: a comparison of a
 * value with a written constant (`per_capita < 6000`, `year >= 2021`), of two values
 * (`per_capita < poverty_line`, read as per_capita - poverty_line < 0), membership in a set
 * (`grade in {"C", "D"}`), `x is none`, or any other condition taken whole (`registered_poor`,
 * `hh_id matches /.../`, `(previous(x) or false)`); a derived condition named in it is read as
 * its definition.  Two values are the same value when they are written the same way.  A query asks whether some record makes a list of formulas true
 * and another list false; it is answered by a search over the atoms' truth values that keeps,
 * for each value compared, only what one value can satisfy at once: an interval on the values
 * of its type (ints and dates whole, money in fen, numbers and percentages exact), minus the
 * points excluded, within the set it must belong to.  A field of the main record is bounded
 * by its declaration (`between`, `at least`, `at most`, `one of`, widened by its `default`,
 * which the reader does not check).
 *
 * Sound: COND_UNSAT is said only when no record can do it.  Whatever is not understood is an
 * atom free to be true or false, a value may take any value of its type, and a value that may
 * be none is free too (a comparison that reads it is evaluated only once it is present, so
 * its outcome for a none value never matters).  A search that runs out of its budget answers
 * COND_UNKNOWN; the budget bounds the time whatever the input.
 *
 * Every allocation comes from the arena given to cond_new, which must have a failure point
 * (arena_set_fail): running out of memory leaves through it.
 */
#ifndef ELIG_COND_H
#define ELIG_COND_H

#include "arena.h"
#include "ast.h"
#include "check.h"

typedef struct cond_ctx cond_ctx;
typedef struct cond_formula cond_formula;

typedef enum {
  COND_SAT,    /* some record does it (or nothing proves otherwise) */
  COND_UNSAT,  /* no record can do it */
  COND_UNKNOWN /* the budget ran out first */
} cond_result;

/* A context for the conditions of one checked rule set.  `prog` gives the main record whose
 * field declarations bound its fields (NULL: no bounds); `budget` is how many steps every
 * query together may take (a step is a node of a formula looked at). */
cond_ctx *cond_new(mem_arena *arena, const chk_program *prog, uint64_t budget);

/* From now on the queries may take at most `steps` more steps together (besides the budget
 * of cond_new, which bounds them all): a caller asking about many declarations gives each its
 * own allowance, so that one costly declaration leaves the others theirs. */
void cond_allow(cond_ctx *cx, uint64_t steps);

/* The formula of a checked boolean expression. */
const cond_formula *cond_formula_of(cond_ctx *cx, const ast_expr *e);

/* Whether some record makes every formula of `yes` true and every formula of `no` false. */
cond_result cond_sat(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                     const cond_formula *const *no, uint32_t nno);

/* After cond_sat answered COND_UNSAT: the fields whose declarations that answer needs (without
 * the bounds of each, some record would do it), at most `max` of them, into out; returns
 * how many. */
uint32_t cond_bounding_fields(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                              const cond_formula *const *no, uint32_t nno, const ast_field **out,
                              uint32_t max);

/* Whether the two formulas compare exactly the same values (a cheap test before asking
 * whether they are the same condition). */
bool cond_same_values(const cond_formula *a, const cond_formula *b);

/* Two expressions written the same way (names, operators, literals as written). */
bool cond_same_expr(const ast_expr *a, const ast_expr *b);

/* The values a field of the main record can take by its declaration: an interval (either end
 * may be open) for ints, money, numbers, percentages and dates, in exact numbers (money in
 * yuan, dates in days); `default` widens it, since the reader does not check a default. */
typedef struct {
  bool has_lo, has_hi;
  dec_num lo, hi;
} cond_range;
bool cond_field_range(const ast_field *f, cond_range *out);

#endif
