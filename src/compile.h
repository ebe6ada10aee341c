/*
 * compile.h -- from a checked rule set to an immutable program.
 *
 * Pipeline: check.c -> compile.c -> vm.c.  The compiler numbers registers and cells,
 * converts literals to constants of the type they are used at, compiles regexes once (JIT),
 * and emits code for every derived value, parameter, decision, flag, field check and
 * aggregate.  It takes ownership of the arena and source set on success.
 */
#ifndef ELIG_COMPILE_H
#define ELIG_COMPILE_H

#include "check.h"
#include "diag.h"
#include "program.h"

/* Builds the program for `chk` (which must have checked without errors).  Errors (a regex
 * PCRE2 refuses, a program too large) go to `diags`.  On success the program owns `arena`
 * and `srcs`; on failure (NULL) the caller still owns them. */
elig_program *comp_compile(chk_program *chk, ast_arena *arena, src_set *srcs,
                           diag_list *diags);

/* Frees a program and everything it owns.  NULL is fine. */
void comp_program_free(elig_program *p);

/* "rules/x.rules:12:5": where the instruction at pc comes from, for run-time errors. */
void comp_where(const elig_program *P, uint32_t pc, char *buf, size_t size);

/* Writes the program's code in a readable form (for --dump=code); malloc'd string. */
char *comp_disasm(const elig_program *p);

#endif
