/*
 * compile.h -- from a checked rule set to an immutable program.
 *
 * Pipeline: check.c -> compile.c -> vm.c.  The compiler numbers registers and cells,
 * converts literals to constants of the type they are used at, compiles regexes once (JIT),
 * and emits code for every derived value, parameter, decision, flag, field check and
 * aggregate, and lowers the test blocks (their given records become JSON text).  It takes
 * ownership of the arena and source set on success; program.c owns the result's lifetime.
 */
#ifndef ELIG_COMPILE_H
#define ELIG_COMPILE_H

#include "check.h"
#include "diag.h"
#include "program.h"

/* Builds the program for `chk` (which must have checked without errors).  Errors (a regex
 * PCRE2 refuses, a program too large) go to `diags`.  On success the program owns `arena`
 * and `srcs`; on failure (NULL) the caller still owns them. */
elig_program *comp_compile(chk_program *chk, ast_arena *arena, src_set *srcs, diag_list *diags);

#endif
