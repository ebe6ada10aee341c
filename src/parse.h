/*
 * parse.h -- the entry point of the front end: one source file in, one syntax tree out.
 *
 * grammar/lexer.l and grammar/parser.y share the elig_parser state declared here.  The
 * parser reports every syntax error it can recover from into the diagnostics list and
 * returns whatever tree it could build; the caller looks at the error count.
 */
#ifndef ELIG_PARSE_H
#define ELIG_PARSE_H

#include <setjmp.h>

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "srcfile.h"

/* Expressions nested deeper than this are refused, so that no later pass can recurse without
 * bound on a hostile rule file. */
#define PARSE_MAX_DEPTH 200

typedef struct elig_parser {
  ast_arena *arena;    /* where nodes go */
  const src_set *srcs; /* the loaded files */
  uint32_t file;       /* the file being parsed */
  const char *text;    /* its contents */
  uint32_t len;        /* its length */
  uint32_t offset;     /* byte offset of the lexer's next token */
  diag_list *diags;    /* where errors go */
  ast_file *out;       /* the tree being built */
  bool expect_regex;   /* the last token was 'matches': a '/' starts a regex */
  int depth;           /* current expression nesting */
  bool too_deep;       /* depth error already reported */
  jmp_buf *fatal;      /* where the scanner jumps when it runs out of memory */
} elig_parser;

/* Parses file `file` of `srcs` into a tree allocated from `arena`.  Errors go to `diags`.
 * Returns the tree (never NULL unless out of memory); it may be partial when errors were
 * reported. */
ast_file *parse_file(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags);

#endif
