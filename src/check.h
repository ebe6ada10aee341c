/*
 * check.h -- name resolution and type checking: syntax trees in, one checked program
 * description out.
 *
 * Pipeline: parse.c (one tree per file) -> resolve.c + check.c -> compile.c.  chk_check merges
 * the files of a rule set (imports first, overrides replacing what they name) and resolves
 * every name with the resolver (resolve.h, internal), types every expression, and reports
 * every problem it can find before any record is read.  It writes its findings into the tree
 * (ast_expr.type, .ref, .index) and into chk_program, which lists the declarations in the
 * order the compiler numbers them.
 */
#ifndef ELIG_CHECK_H
#define ELIG_CHECK_H

#include "ast.h"
#include "builtins.h"
#include "decimal.h"
#include "diag.h"

/* One aggregation inside an aggregate block: sum(size where ...), count(), first(x). */
typedef struct {
  ast_expr *call; /* the AST_CALL node; call->ival is this accumulator's number */
  int func;       /* chk_agg_func */
} chk_acc;

typedef enum {
  AGG_COUNT,
  AGG_SUM,
  AGG_MIN,
  AGG_MAX,
  AGG_ANY,
  AGG_ALL,
  AGG_FIRST,
} chk_agg_func;

typedef struct {
  ast_decl *decl;     /* the aggregate declaration */
  ast_list keys;      /* ast_group_key*; key->expr is set (a name key gets an AST_NAME) */
  ast_list accs;      /* chk_acc* */
  ast_list lets;      /* ast_decl* (DECL_LET) in dependency order */
  ast_list decisions; /* ast_decl* (DECL_DECIDE) */
  ast_list outputs;   /* ast_expr* naming keys, lets, decisions, in output order */
} chk_aggregate;

typedef struct {
  ast_decl *policy; /* may be NULL */
  ast_decl *record; /* the main record */
  ast_list records; /* every record declaration; index = ast_decl.index */
  ast_list lets;    /* record-level lets */
  ast_list params;
  ast_list decisions;
  ast_list flags;      /* monitor declarations, in order */
  ast_list aggregates; /* chk_aggregate* */
  ast_list outputs;    /* ast_expr* naming fields/lets/params/decisions shown per record */
  ast_list tests;      /* test declarations */
  ast_list regexes;    /* AST_REGEX nodes; node->index is the regex number */
  ast_list memory;     /* what previous() reads: the AST_NAME of each distinct name, whose
                          slot number is the previous() call's ival */
  uint32_t flags_at;   /* where `flags` stands among outputs, UINT32_MAX when not listed */
} chk_program;

/* Checks the merged declarations of `files` (nfiles trees, imports before importers, the root
 * file last).  Fills `out` with arena-allocated lists.  Returns false when an error was
 * reported; warnings alone return true. */
bool chk_check(ast_arena *arena, ast_file *const *files, uint32_t nfiles, diag_list *diags,
               chk_program *out);

/* The value of a literal, for field constraints, defaults and parameter tables. */
typedef struct {
  ty_base type;
  int64_t i;     /* int, money (fen), date, bool */
  dec_num n;     /* number, percent */
  const char *s; /* text (arena) */
  uint32_t len;
} chk_value;

/* Converts a literal (possibly negated) to a value of type `want`.  On failure sets *why to
 * "mismatch", "out of range" or a sentence, and returns false. */
bool chk_literal(const ast_expr *e, ty_base want, chk_value *out, const char **why);

/* Builtin functions, by number (builtins.def). */
typedef builtin_id chk_builtin;

#endif
