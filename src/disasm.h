/*
 * disasm.h -- a compiled program as readable text (`elig check --dump=code`).
 *
 * Place in the pipeline: reads what compile.c made; for people and golden tests only.
 */
#ifndef ELIG_DISASM_H
#define ELIG_DISASM_H

#include "program.h"

/* The whole program, one instruction a line with its cell headers and operand comments
 * (see disasm.c).  A NUL-terminated string the caller frees with mem_free, or NULL when out of
 * memory. */
char *disasm_program(const elig_program *P);

#endif
