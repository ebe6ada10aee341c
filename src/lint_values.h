/*
 * lint_values.h -- the warnings of lint.h about values rather than conditions: comparisons of
 * different units (W0014) and rows of parameter tables no record reaches (W0015).
 *
 * Pipeline: check.c -> lint.c, which calls these on the checked program.
 */
#ifndef ELIG_LINT_VALUES_H
#define ELIG_LINT_VALUES_H

#include "check.h"
#include "diag.h"

/* W0014 for every comparison in e that sets an amount of money, a percentage and a whole
 * number read from the record against one another, or a percentage against a whole number
 * written as 2 or more (3 where 3% was meant). */
void lint_units(const chk_program *prog, diag_list *diags, const ast_expr *e);

/* W0015 for every row of the parameter's table (and nested tables) keyed by a field of the
 * main record whose declaration bounds it (`year int between 2014 and 2035`), when no value
 * in those bounds falls where the row applies. */
void lint_table(const chk_program *prog, diag_list *diags, const ast_decl *param);

#endif
