/*
 * parse.c -- runs the flex scanner and the bison parser over one source file.
 *
 * Pipeline: srcfile.c holds the text -> parse.c -> an ast_file for check.c, and for fmt.c
 * the same tree with the lexer's tokens and comments beside it.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "parse.h"
#include "grammar/parser.h"

/* Declared by flex's reentrant scanner (no generated header is used; see lexer.l). */
typedef void *yyscan_t;
int eligyylex_init_extra(elig_parser *extra, yyscan_t *scanner);
int eligyylex_destroy(yyscan_t scanner);
typedef struct yy_buffer_state *YY_BUFFER_STATE;
YY_BUFFER_STATE eligyy_scan_buffer(char *base, size_t size, yyscan_t scanner);

/* The parser running on this thread, for bison's stack allocations only: set around
 * eligyyparse, per thread, so that any number of threads compile at once. */
static _Thread_local elig_parser *running;

elig_parser *parse_current(void)
{
  return running;
}

/* Hands flex the text to scan: `copy`, n bytes and the two NULs flex wants after them.  Flex
 * runs out of memory by YY_FATAL_ERROR, a jump, and when that happens while it links the
 * buffer in, the buffer's state, its last block, is not yet where eligyylex_destroy finds it:
 * it is freed here.  (The text is copied by the caller, not by eligyy_scan_bytes, for the
 * same reason.)  False when memory ran out. */
static bool take_text(elig_parser *p, yyscan_t scanner, char *copy, size_t n)
{
  jmp_buf setup;
  jmp_buf *fatal = p->fatal;
  p->fatal = &setup;
  p->last_block = NULL;
  if (setjmp(setup) != 0) {
    mem_free(p->last_block);
    p->fatal = fatal;
    return false;
  }
  bool taken = eligyy_scan_buffer(copy, n + 2, scanner) != NULL;
  p->fatal = fatal;
  return taken;
}

/* Both entry points: `record` (may be NULL) receives the tokens and comments. */
static ast_file *run(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags,
                     parse_tokens *record)
{
  jmp_buf fatal;
  elig_parser p = {.arena = arena,
                   .srcs = srcs,
                   .file = file,
                   .diags = diags,
                   .fatal = &fatal,
                   .record = record,
                   .string_tail = UINT32_MAX};
  yyscan_t scanner;
  p.text = src_text(srcs, file, &p.len);
  p.out = ast_alloc(arena, sizeof *p.out);
  if (!p.out || !p.text)
    return NULL;
  p.out->file = file;
  if (eligyylex_init_extra(&p, &scanner) != 0)
    return NULL;
  /* Editors on Windows save UTF-8 with a byte order mark: skip it, keeping offsets. */
  uint32_t skip = p.len >= 3 && memcmp(p.text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  p.offset = skip;
  /* The source set keeps the text; flex scans a copy of its own, which it writes to. */
  size_t n = p.len - skip;
  char *copy = mem_alloc(n + 2);
  if (copy) {
    memcpy(copy, p.text + skip, n);
    copy[n] = copy[n + 1] = '\0';
  }
  if (!copy || !take_text(&p, scanner, copy, n)) {
    eligyylex_destroy(scanner);
    mem_free(copy);
    return NULL;
  }
  if (setjmp(fatal) != 0) {
    /* memory ran out, in the scanner or for a node of the tree: the scanner's buffers go
     * with it, the parser's stacks grown on the heap here, the nodes with the arena */
    arena_set_fail(arena, NULL);
    running = NULL;
    for (size_t i = 0; i < sizeof p.stack_blocks / sizeof p.stack_blocks[0]; i++)
      mem_free(p.stack_blocks[i]);
    eligyylex_destroy(scanner);
    mem_free(copy);
    return NULL;
  }
  arena_set_fail(arena, &fatal);
  running = &p;
  eligyyparse(scanner, &p);
  running = NULL;
  arena_set_fail(arena, NULL);
  eligyylex_destroy(scanner);
  mem_free(copy);
  return p.out;
}

ast_file *parse_file(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags)
{
  return run(srcs, file, arena, diags, NULL);
}

ast_file *parse_file_tokens(const src_set *srcs, uint32_t file, ast_arena *arena, diag_list *diags,
                            parse_tokens *tokens)
{
  if (tokens)
    *tokens = (parse_tokens){0};
  return run(srcs, file, arena, diags, tokens);
}

void *parse_stack_alloc(elig_parser *p, size_t size)
{
  for (size_t i = 0; i < sizeof p->stack_blocks / sizeof p->stack_blocks[0]; i++)
    if (!p->stack_blocks[i]) {
      p->stack_blocks[i] = mem_alloc(size);
      p->stack_no_memory |= !p->stack_blocks[i];
      return p->stack_blocks[i];
    }
  return NULL; /* bison never holds this many: it frees the old stack after copying it */
}

void parse_stack_free(elig_parser *p, void *block)
{
  for (size_t i = 0; block && i < sizeof p->stack_blocks / sizeof p->stack_blocks[0]; i++)
    if (p->stack_blocks[i] == block)
      p->stack_blocks[i] = NULL;
  mem_free(block);
}

void parse_tokens_free(parse_tokens *tokens)
{
  if (!tokens)
    return;
  mem_free(tokens->tokens);
  mem_free(tokens->comments);
  *tokens = (parse_tokens){0};
}
