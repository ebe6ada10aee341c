/*
 * backdate.h -- W0020, the back-dating trap of `override param`.
 *
 * Pipeline: check.c calls it for each parameter once the parameters are checked.
 */
#ifndef ELIG_BACKDATE_H
#define ELIG_BACKDATE_H

#include "ast.h"
#include "diag.h"

/* Warns (W0020) when `param`, an override of a table by year, starts later than the table it
 * replaces (param->replaces) and so gives the years before its first row that row's value,
 * where the replaced table gave them others.  Does nothing for any other parameter, or when
 * a table has rows that are not one year and one written value. */
void chk_warn_backdating(diag_list *diags, const ast_decl *param);

#endif
