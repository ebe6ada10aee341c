/*
 * ast.h -- the syntax tree of a rule file.
 *
 * Pipeline: lexer.l -> parser.y builds these nodes -> check.c resolves names and types
 * (filling the "checker" fields) -> compile.c emits the program.  The parser only builds
 * syntax; no name or type is looked at before check.c.  All nodes live in an arena owned by
 * the compilation and are freed in one call.
 */
#ifndef ELIG_AST_H
#define ELIG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "srcfile.h"
#include "types.h"

/* ---------------------------------------------------------------- arena */

typedef mem_arena ast_arena; /* the generic arena (arena.h) */

ast_arena *ast_arena_new(void);
/* Frees the arena and every node and string allocated from it.  NULL is fine. */
void ast_arena_free(ast_arena *a);
/* Zeroed memory from the arena; NULL when out of memory. */
void *ast_alloc(ast_arena *a, size_t size);
/* A NUL-terminated copy of [s, s+n) in the arena. */
char *ast_strdup(ast_arena *a, const char *s, size_t n);

/* ---------------------------------------------------------------- lists */

typedef struct {
  void **items; /* arena-owned array */
  uint32_t n;   /* items in use */
  uint32_t cap; /* allocated items */
} ast_list;

/* Appends item; returns false when out of memory. */
bool ast_list_append(ast_arena *a, ast_list *l, void *item);

/* ---------------------------------------------------------------- expressions */

typedef enum {
  AST_INT,     /* 42                       ival */
  AST_DECIMAL, /* 16000.02                 text (digits as written) */
  AST_PERCENT, /* 3% or 2.5%               text (without the %) */
  AST_STRING,  /* "A"                      text (unescaped) */
  AST_DATE,    /* 2020-07-01               ival = days since 1970-01-01 */
  AST_BOOL,    /* true | false             ival */
  AST_NONE,    /* none */
  AST_REGEX,   /* /^[0-9]{12}$/i           text = pattern, flags = "i" */
  AST_NAME,    /* per_capita               text */
  AST_MEMBER,  /* members.income           a = list expression, text = member field */
  AST_SET,     /* {"A", "B"}               list */
  AST_UNARY,   /* -x | not x               op, a */
  AST_BINARY,  /* x + y, x and y, x < y    op, a, b */
  AST_IS_NONE, /* x is none | x is not none  a, ival = 1 when negated */
  AST_IN,      /* x in S | x not in S      a, b, ival = 1 when negated */
  AST_MATCHES, /* x matches /re/           a, b (AST_REGEX) */
  AST_IF,      /* if a then b else c */
  AST_CALL,    /* f(args) | f(list where cond)   text, list, b = where-condition or NULL */
} ast_expr_kind;

typedef enum {
  OPR_ADD,
  OPR_SUB,
  OPR_MUL,
  OPR_DIV,
  OPR_EQ,
  OPR_NE,
  OPR_LT,
  OPR_LE,
  OPR_GT,
  OPR_GE,
  OPR_AND,
  OPR_OR,
  OPR_NEG,
  OPR_NOT,
} ast_operator;

/* What a name refers to, set by the checker. */
typedef enum {
  REF_NONE,         /* unresolved */
  REF_FIELD,        /* a field of the main record:  index = field number */
  REF_MEMBER,       /* a field of the list element being iterated: index = field number */
  REF_LET,          /* a derived value:             index = let number */
  REF_PARAM,        /* a parameter:                 index = param number */
  REF_DECISION,     /* a decision's outcome:        index = decision number */
  REF_FLAG,         /* a monitoring flag (bool):    index = flag number */
  REF_AGG_KEY,      /* a group key inside an aggregate:  index = key number */
  REF_AGG_LET,      /* a derived value inside an aggregate: index = let number */
  REF_AGG_DECISION, /* a decision inside an aggregate: index */
  REF_AS_OF,        /* the built-in evaluation date */
  REF_PREVIOUS,     /* no name: a previous(x) proved present (narrowing), index = its slot */
} ast_ref_kind;

typedef struct ast_expr ast_expr;
struct ast_expr {
  ast_expr_kind kind;
  elig_loc loc;        /* what diagnostics point at: for an operator, often only the operator */
  elig_loc span;       /* the whole expression as written, operands and parentheses included
                           (what fmt.c lays out; diagnostics keep to loc) */
  int op;              /* ast_operator for UNARY/BINARY */
  ast_expr *a, *b, *c; /* operands */
  ast_list list;       /* SET elements, CALL arguments */
  const char *text;    /* names, strings, decimal digits, regex patterns (arena) */
  uint32_t text_len;   /* bytes in text */
  const char *flags;   /* AST_REGEX: the letters after the closing '/' (arena) */
  int64_t ival;        /* ints, dates, bools, flags */
  uint32_t depth;      /* nesting depth of this subtree, bounded by the parser */
  /* Filled by the checker. */
  ty_type type;     /* the expression's type */
  ast_ref_kind ref; /* for AST_NAME and AST_MEMBER */
  uint32_t index;   /* ref target, builtin number for calls, regex number */
  void *decl;       /* for REF_LET/REF_PARAM/..: the ast_decl referred to */
};

/* ---------------------------------------------------------------- declarations */

typedef enum {
  DECL_POLICY,
  DECL_IMPORT,
  DECL_RECORD,
  DECL_PARAM,
  DECL_LET,
  DECL_DECIDE,
  DECL_MONITOR,
  DECL_AGGREGATE,
  DECL_OUTPUT,
  DECL_TEST,
} ast_decl_kind;

/* One constraint on a record field. */
typedef enum {
  FCON_REQUIRED,
  FCON_OPTIONAL,
  FCON_DEFAULT,
  FCON_BETWEEN,
  FCON_AT_LEAST,
  FCON_AT_MOST,
  FCON_ONE_OF,
  FCON_MATCHES,
  FCON_CHECK,
} ast_field_con_kind;

typedef struct {
  ast_field_con_kind kind;
  elig_loc loc;
  ast_expr *a, *b;     /* DEFAULT a; BETWEEN a b; AT_LEAST/AT_MOST a; MATCHES a; CHECK a */
  ast_list values;     /* ONE_OF: literal expressions */
  const char *message; /* CHECK ... else "message" */
} ast_field_con;

typedef struct {
  const char *name;
  elig_loc loc;
  const char *type_name; /* "int", "money", ..., or "list" */
  elig_loc type_loc;
  const char *elem_name; /* for list of R */
  ast_list cons;         /* ast_field_con* */
  bool used;             /* set by the checker */
  uint32_t index;        /* position in its record, set by the checker */
} ast_field;

/* One row of a parameter table: keys: value. */
typedef struct ast_table ast_table;
typedef struct {
  elig_loc loc;
  ast_list keys;     /* literal expressions; empty for "otherwise" */
  ast_expr *value;   /* a literal, or NULL when nested */
  ast_table *nested; /* a nested "by" table */
  bool extension;    /* set by the resolver: the row comes from an `extend param` */
} ast_table_row;

struct ast_table {
  elig_loc loc;
  ast_expr *by;  /* the key expression; NULL for a plain "= value" */
  ast_list rows; /* ast_table_row* */
};

typedef struct {
  elig_loc loc;
  ast_expr *cond; /* NULL for otherwise */
  ast_expr *value;
  const char *reason; /* may be NULL */
  bool reachable;     /* set by the checker */
} ast_rule;

typedef struct {
  elig_loc loc;
  const char *name; /* key name */
  ast_expr *expr;   /* NULL when the key is a plain field name */
} ast_group_key;

typedef struct {
  elig_loc loc;
  const char *name;
  ast_expr *value;
} ast_given_item;

/* A name in `expect needs`: a field of the record, or (element from 0) a field of one
 * element of a list of it, `members[2].age`. */
typedef struct {
  uint32_t field;
  uint32_t element; /* UINT32_MAX: the field itself */
  uint32_t element_field;
} ast_need;

/* A test's expectations of one given record: conditions, or `expect rejected "text"`. */
typedef struct {
  ast_list list;         /* ast_expr* */
  const char *word;      /* the word after `expect` before a quoted text ("rejected") */
  const char *rejected;  /* the text a rejection's reason must contain, or NULL */
  elig_loc rejected_loc; /* the word */
  /* Set by the checker, taken out of `list`: `expect X = undetermined` (each X), and
   * `expect needs = "a, b"` (the text as written, NULL when none).  Either makes the given
   * record evaluated with its absent required fields unknown. */
  ast_list undetermined;  /* ast_expr* */
  ast_expr *needs;        /* the string */
  ast_need *needs_fields; /* what it names */
  uint32_t nneeds;
} ast_expects;

/* One record of a test and what is expected of it (a test follows a household over the
 * years with a step per year). */
typedef struct {
  elig_loc loc;   /* the `given` */
  ast_list given; /* ast_given_item* */
  ast_expects expects;
} ast_test_step;

typedef struct ast_decl ast_decl;
struct ast_decl {
  ast_decl_kind kind;
  elig_loc loc; /* the whole declaration's start */
  elig_loc name_loc;
  const char *name; /* NULL for import/output/policy */
  bool is_override; /* "override let ..." */
  bool is_extend;   /* "extend param NAME { rows }": no type, a table without `by` */
  bool used;        /* set by the checker (lets) */
  /* policy / import */
  const char *text; /* policy name, import path; record: the word before its order ("per") */
  const char *version;
  /* record */
  ast_list fields;                  /* ast_field* */
  struct names_index *fields_index; /* the fields by name, built by the checker */
  ast_list keys;                    /* record key names: ast_expr* (AST_NAME) */
  ast_expr *order;                  /* `key hh_id per year`: the field ordering a household's
                                       records (the last of keys), or NULL */
  /* param */
  const char *type_name; /* declared type of a param or let (NULL: inferred) */
  elig_loc type_loc;
  ast_table *table;
  /* let */
  ast_expr *expr;
  /* decide / monitor */
  ast_list rules;       /* ast_rule* (decide) */
  const char *severity; /* monitor */
  elig_loc severity_loc;
  ast_expr *cond;     /* monitor */
  const char *reason; /* monitor */
  /* aggregate */
  ast_list group; /* ast_group_key* */
  ast_list body;  /* ast_decl* (LET, DECIDE, OUTPUT) */
  /* output */
  ast_list names; /* ast_expr* (AST_NAME) */
  /* test */
  ast_list steps;   /* ast_test_step*, at least one */
  ast_list given;   /* the first step's given items (ast_given_item*) */
  ast_list expects; /* the first step's expectations (ast_expr*) */
  /* Filled by the resolver: for an override, the declaration it replaces; for the param an
   * `extend` makes, the one it extends (NULL otherwise). */
  ast_decl *replaces;
  /* Filled by the checker. */
  ty_type type;
  uint32_t index; /* number of the let/param/decision/flag/aggregate */
  uint32_t file;  /* which source file */
  int visiting;   /* cycle detection state */
};

typedef struct {
  ast_list decls; /* ast_decl* in source order */
  uint32_t file;
} ast_file;

/* ---------------------------------------------------------------- constructors (parser.y) */

ast_expr *ast_expr_new(ast_arena *a, ast_expr_kind kind, elig_loc loc);
ast_expr *ast_binary(ast_arena *a, int op, ast_expr *l, ast_expr *r, elig_loc loc);
ast_expr *ast_unary(ast_arena *a, int op, ast_expr *x, elig_loc loc);
ast_decl *ast_decl_new(ast_arena *a, ast_decl_kind kind, elig_loc loc);
ast_expr *ast_name(ast_arena *a, const char *name, elig_loc loc);
ast_expr *ast_bool(ast_arena *a, bool value, elig_loc loc);
ast_expr *ast_member(ast_arena *a, ast_expr *list, const char *field, elig_loc loc);
ast_expr *ast_set(ast_arena *a, ast_list items, elig_loc loc);
ast_expr *ast_in(ast_arena *a, ast_expr *x, ast_expr *set, bool negated, elig_loc loc);
ast_expr *ast_is_none(ast_arena *a, ast_expr *x, bool negated, elig_loc loc);
ast_expr *ast_matches(ast_arena *a, ast_expr *x, ast_expr *regex, elig_loc loc);
ast_expr *ast_if(ast_arena *a, ast_expr *c, ast_expr *t, ast_expr *e, elig_loc loc);
ast_expr *ast_call(ast_arena *a, const char *name, ast_list args, ast_expr *where, elig_loc loc);
/* '(' e ')': widens e's span over the parentheses (they make no node); returns e. */
ast_expr *ast_parens(ast_expr *e, elig_loc parens);
/* A test's `given` list of records, `[ records ]`: an AST_SET of them whose loc is the records
 * and whose span runs from the '[' to the ']'. */
ast_expr *ast_given_records(ast_arena *a, ast_list records, elig_loc loc, elig_loc open,
                            elig_loc close);
/* One record of that list, `{ items }`: an AST_SET marked ival = 1 whose loc is the '{' and
 * whose span runs to the '}'. */
ast_expr *ast_given_record(ast_arena *a, ast_list items, elig_loc open, elig_loc close);
ast_field_con *ast_field_con_new(ast_arena *a, ast_field_con_kind kind, elig_loc loc);
ast_table *ast_table_const(ast_arena *a, ast_expr *value);
/* A table `by` KEY (NULL: the rows of an `extend`, keyed like the table extended). */
ast_table *ast_table_new(ast_arena *a, elig_loc loc, ast_expr *by, ast_list rows);
ast_table_row *ast_table_row_new(ast_arena *a, elig_loc loc, ast_list keys, ast_expr *value,
                                 ast_table *nested);
ast_rule *ast_rule_new(ast_arena *a, elig_loc loc, ast_expr *cond, ast_expr *value,
                       const char *reason);
ast_group_key *ast_group_key_new(ast_arena *a, elig_loc loc, const char *name, ast_expr *e);
ast_given_item *ast_given_new(ast_arena *a, elig_loc loc, const char *name, ast_expr *value);
/* Sets a test's given and expects from its first step. */
void ast_test_step_first(ast_decl *test);
ast_test_step *ast_test_step_new(ast_arena *a, elig_loc loc, ast_list given,
                                 const ast_expects *expects);

/* Prints the tree in an indented, stable form for --dump=ast; returns a string allocated through mem.h (mem_free). */
char *ast_dump(const ast_file *f);
/* A parameter's table (its key and rows) in the same form: equal texts, equal tables.  NULL
 * when out of memory; else mem_free it. */
char *ast_dump_table(const ast_table *t);

#endif
