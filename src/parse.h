/*
 * parse.h -- the entry point of the front end: one source file in, one syntax tree out.
 *
 * grammar/lexer.l and grammar/parser.y share the elig_parser state declared here.  The
 * parser reports every syntax error it can recover from into the diagnostics list and
 * returns whatever tree it could build; the caller looks at the error count.
 *
 * The formatter (fmt.c) also asks for what the lexer read: every token and every comment with
 * its byte span, in the order of the file (parse_file_tokens).  Everyone else pays nothing
 * for it: the lexer records only when elig_parser.record is set.
 */
#ifndef ELIG_PARSE_H
#define ELIG_PARSE_H

#include <setjmp.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "srcfile.h"

/* Expressions nested deeper than this are refused, so that no later pass can recurse without
 * bound on a hostile rule file. */
#define PARSE_MAX_DEPTH 200

/* Brackets kept open at once, for "the '(' opened here is not closed"; deeper ones are
 * counted, not kept (the parser refuses such nesting anyway). */
#define PARSE_MAX_OPEN PARSE_MAX_DEPTH

/* An opening bracket the lexer returned and no closer has matched yet. */
typedef struct {
  char kind;     /* '(', '[' or '{' */
  uint32_t at;   /* its byte offset */
  uint32_t size; /* its bytes: 1, or 3 for a full-width one */
} parse_open;

/* One token as the lexer returned it to the parser. */
typedef struct {
  int kind;       /* a TOK_* of grammar/parser.h, or the character of a one-character token */
  uint32_t start; /* its bytes [start, end) in the file; "not in" may hold a line break */
  uint32_t end;
} parse_token;

/* One comment: '#' up to the end of its line, the line end not included (a CR before it is). */
typedef struct {
  uint32_t start;
  uint32_t end;
} parse_comment;

/* The side tables of one parse, in the order of the file.  Line breaks and blank lines are
 * what the text holds between these spans. */
typedef struct {
  parse_token *tokens; /* mem.h's; the end of the file is not a token here */
  size_t ntokens, tokens_cap;
  parse_comment *comments; /* mem.h's */
  size_t ncomments, comments_cap;
  bool out_of_memory; /* a table could not grow: the tables are incomplete */
} parse_tokens;

typedef struct elig_parser {
  ast_arena *arena;      /* where nodes go */
  const src_set *srcs;   /* the loaded files */
  uint32_t file;         /* the file being parsed */
  const char *text;      /* its contents */
  uint32_t len;          /* its length */
  uint32_t offset;       /* byte offset of the lexer's next token */
  diag_list *diags;      /* where errors go */
  ast_file *out;         /* the tree being built */
  bool expect_regex;     /* the last token was 'matches': a '/' starts a regex */
  int depth;             /* current expression nesting */
  bool too_deep;         /* depth error already reported */
  jmp_buf *fatal;        /* where the scanner, and the arena while parsing, jump when memory
                          runs out */
  void *stack_blocks[4]; /* the parser's stacks grown on the heap (parse_stack_alloc), freed
                          when it leaves by that jump */
  bool stack_no_memory;  /* growing a parser stack failed: bison's "memory exhausted" is that,
                          not a nesting too deep */
  void *last_block;      /* the scanner's last allocation, for parse.c to free if flex fails
                          before it has linked it in */
  parse_tokens *record;  /* when not NULL, the lexer appends every token and comment here */
  parse_open open[PARSE_MAX_OPEN]; /* brackets not yet closed, innermost last */
  uint32_t nopen;                  /* how many are open; may exceed PARSE_MAX_OPEN */
  uint32_t string_tail; /* where a text left open on the line before seems to end: its '"'
                            starts no text of its own */
} elig_parser;

/* Parses file `file` of `srcs` into a tree allocated from `arena`.  Errors go to `diags`.
 * Returns the tree (never NULL unless out of memory); it may be partial when errors were
 * reported. */
ast_file *parse_file(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags);

/* parse_file that also fills *tokens (overwritten, not freed) with every token and comment the
 * lexer read, in the order of the file, for the formatter.  The tables are the caller's, to be
 * freed with parse_tokens_free whatever the outcome.  Running out of memory while filling them
 * sets tokens->out_of_memory (and leaves the tree as parse_file would); a syntax error leaves
 * them holding what was read, which may stop short of the end of the file. */
ast_file *parse_file_tokens(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags,
                            parse_tokens *tokens);

/* Frees the tables of parse_file_tokens and empties *tokens.  NULL is fine. */
void parse_tokens_free(parse_tokens *tokens);

/* The parser's stack allocator (bison's YYMALLOC and YYFREE): through mem.h, and each block
 * kept in p so that a jump out of the parse frees it.  parse_current is the parser running on
 * this thread (bison's allocation calls come from functions without the parser). */
elig_parser *parse_current(void);
void *parse_stack_alloc(elig_parser *p, size_t size);
void parse_stack_free(elig_parser *p, void *block);

#endif
