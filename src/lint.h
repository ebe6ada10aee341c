/*
 * lint.h -- warnings about rules that compile but cannot be what their author meant.
 *
 * Pipeline: parse.c -> resolve.c + check.c -> lint.c -> compile.c.  chk_check calls
 * lint_program last, once every name is resolved and every expression typed without error:
 * the questions asked here (can this rule ever be chosen?) need the type of each value
 * (whole numbers, money in fen, dates) and what each name refers to, and an answer about a
 * rule set that has errors would be about rules that are not the ones the author will run.
 *
 * The warnings (diag.def): W0001 for a decision rule that earlier rules cover (the checker
 * itself warns about a rule after `otherwise` or `when true`; this adds coverage proved by
 * reasoning over the values compared, and names the covering rules in notes), W0010 a
 * condition never true, W0011 one always true (decision rules, flags, derived conditions,
 * `if`), W0012 a rule repeated with the same outcome, W0013 two flags raised for the same
 * records, W0014 an amount, a percentage and a count compared with one another, W0015 a row of
 * a parameter table by year or date that no record reaches.  Each is certain for every record
 * (cond.h), so a warning is never a guess; a question too costly to answer within the budget
 * gives no warning.
 */
#ifndef ELIG_LINT_H
#define ELIG_LINT_H

#include "check.h"
#include "diag.h"

/* Reports the warnings of a checked program into diags, and marks the rules it proves can
 * never be chosen (ast_rule.reachable).  Returns false, with E0509 reported, only when memory
 * ran out. */
bool lint_program(chk_program *prog, diag_list *diags);

#endif
