/*
 * resolve.h -- name resolution: the files of a rule set merged into one set of declarations,
 * and what each name means where it is written.
 *
 * Pipeline: parse.c (one tree per file) -> resolve.c, driven by check.c -> compile.c.
 * chk_check (check.h) is the only entry point; it runs the resolver first (res_merge,
 * res_pick_main_record, res_index) and then asks it, while typing, what a name means
 * (res_lookup) and for "did you mean" help when it means nothing.  Data flows one way: the
 * resolver binds names and never types an expression, so it never calls the checker; the
 * checker reads its results through these functions only.
 *
 * Internal to the library: the prefix is res_.  Diagnostics go into the context's diag_list;
 * `failed` tells the checker whether any of them was an error.
 */
#ifndef ELIG_RESOLVE_H
#define ELIG_RESOLVE_H

#include "ast.h"
#include "check.h"
#include "diag.h"
#include "names.h"

/* The resolver's state for one compilation; lives inside the checker's. */
typedef struct {
  ast_arena *arena;
  diag_list *diags;
  chk_program *prog;  /* its declaration lists are filled by res_merge */
  names_index decls;  /* every top-level definition by name: records, values, decisions,
                          flags and aggregates share one namespace (tests have titles) */
  elig_loc root_loc;  /* the start of the root file, for errors about the whole set */
  int last;           /* index of the last diagnostic reported here, for help and notes */
  bool failed;        /* an error was reported here, or memory ran out */
  bool out_of_memory; /* E_NO_MEMORY has been reported, so it is not reported twice */
} res_ctx;

/* Starts a resolution that fills `prog` (which the caller has zeroed).  Allocates nothing. */
void res_init(res_ctx *r, ast_arena *arena, diag_list *diags, chk_program *prog, elig_loc root_loc);

/* Frees the indexes built by the resolver (the declarations' and every record's fields'); the
 * tree keeps every other annotation.  The field indexes are gone afterwards, so lookups must
 * not outlive the compilation's check. */
void res_fini(res_ctx *r);

/* ---------------------------------------------------------------- the whole rule set */

/* Merges the declarations of `files` (imports before importers, the root last) into the
 * context's program lists: a name may be defined once, unless the later definition says
 * `override` and replaces one of the same kind (tests are replaced by their title), or says
 * `extend param` and adds rows to a parameter table (res_extend).  An override and an
 * extension keep what they replace in ast_decl.replaces.  Reports E0204 (defined twice) and
 * E0207 (nothing to override, with "did you mean" among the names of that kind, or among
 * the tests' titles).  Aggregates go to `aggs` and the last `output` declaration to *output,
 * for the checker to take in order. */
void res_merge(res_ctx *r, ast_file *const *files, uint32_t nfiles, ast_list *aggs,
               ast_decl **output);

/* `extend param NAME { rows }` (ext) of `base`, the declaration of that name so far (NULL
 * for none): the parameter that replaces base, with its type and key, and the rows of both
 * (extend.c says how they merge).  Reports E0210 when base is no param, E0440 when it is a
 * single value, E0441 for a key given twice and E0428 for years out of order, and returns
 * NULL for the first two.  The rows of ext are marked ast_table_row.extension. */
ast_decl *res_extend(res_ctx *r, ast_decl *base, ast_decl *ext);

/* "param", "let", ...: a kind of declaration as the language writes it. */
const char *res_kind_word(ast_decl_kind k);

/* Numbers the records and picks the main one: the only record with a key, else the only one
 * no other record lists.  Reports E0405 or E0406 and returns false when there is none, after
 * which nothing else can be resolved. */
bool res_pick_main_record(res_ctx *r);

/* Once the main record is known: indexes every record's fields (E0407 for a field declared
 * twice), numbers the derived values, parameters, decisions, flags and the aggregates in
 * `aggs` in the order the compiler uses, and reports definitions named like a field of the
 * main record (E0204), since both are used by bare name. */
void res_index(res_ctx *r, ast_list *aggs);

/* Numbers the derived values and the decisions of aggregate `agg` (each from 0, in order) and
 * reports a second 'output' (E0204) and names declared twice in the block or equal to a group
 * key (E0407).  Returns the block's output declaration, or NULL for the default one. */
ast_decl *res_aggregate_names(res_ctx *r, ast_decl *agg);

/* Reports E0407 when the field given by item `i` of a test's given record was already given
 * in it. */
void res_given_name(res_ctx *r, const ast_list *given, uint32_t i);

/* Appends to `out` the names shown when the rule set has no 'output': the main record's keys.
 * The names are new AST_NAME nodes, not yet bound: the checker binds and types them. */
void res_default_outputs(res_ctx *r, ast_list *out);

/* Appends to `out` the names aggregate `agg` shows without an 'output' of its own: its keys,
 * then every derived value and decision of the block, in order; unbound, as above. */
void res_default_aggregate_outputs(res_ctx *r, const ast_decl *agg, ast_list *out);

/* ---------------------------------------------------------------- lookups */

/* Field `name` of record `rec` (NULL is fine), with its number in *index if `index` is not
 * NULL; NULL if there is none. */
ast_field *res_field(const ast_decl *rec, const char *name, uint32_t *index);

/* res_field, reporting E0201 with "did you mean" among rec's fields when there is none. */
ast_field *res_field_or_report(res_ctx *r, const ast_decl *rec, const char *name, elig_loc loc,
                               uint32_t *index);

/* The record declaration called `name`, or NULL. */
ast_decl *res_record(const res_ctx *r, const char *name);

/* Whether `d` is a definition of the rule set itself, not one inside an aggregate block. */
bool res_is_top_level(const res_ctx *r, const ast_decl *d);

/* Where a name is being used, innermost scope first.  The checker describes its position
 * with one of these for every lookup. */
typedef struct {
  const ast_decl *elem; /* the record whose fields come first (inside where / list.field /
                            a field's check: the element or the record; NULL for none) */
  const ast_decl *agg;  /* inside an aggregate block: its declaration, else NULL */
  bool in_acc;          /* inside an accumulation's argument: the record scope again */
} res_scope;

typedef enum {
  RES_UNKNOWN,      /* nothing of that name is in scope */
  RES_ELEM_FIELD,   /* a field of scope.elem: field, record (= scope.elem), index */
  RES_AGG_KEY,      /* a group key of scope.agg: key, index */
  RES_AGG_LET,      /* a derived value of scope.agg: decl */
  RES_AGG_DECISION, /* a decision of scope.agg: decl */
  RES_FIELD,        /* a field of the main record seen from the record scope: field, record,
                        index.  Inside a group it is a value of each record, not of the group */
  RES_VALUE,        /* a top-level let, param, decision or monitor (decl); as RES_FIELD */
  RES_AS_OF,        /* the built-in evaluation date */
} res_kind;

/* What a name means; the members set are those its kind lists, the others are zero. */
typedef struct {
  res_kind kind;
  ast_field *field;
  const ast_decl *record;
  ast_group_key *key;
  ast_decl *decl;
  uint32_t index;
} res_binding;

/* What `name` means in scope `s`: the element record's fields; then, in a group and outside an
 * accumulation, the group's keys, derived values and decisions; then the main record's fields
 * and the top-level values (a list element's scope skips the group); then as_of.  Reports
 * nothing and changes nothing: the checker annotates the tree from the binding. */
res_binding res_lookup(const res_ctx *r, const res_scope *s, const char *name);

/* Reports name `e` that res_lookup did not find: E0201 (unknown field) when it is looked up in
 * a list's element or its closest match is a field, else E0202, with "did you mean" among
 * every name in scope. */
void res_report_unknown(res_ctx *r, const res_scope *s, const ast_expr *e);

/* ---------------------------------------------------------------- "did you mean" */

/* Most names offered for one suggestion; more are ignored (a suggestion is a courtesy). */
#define RES_MAX_CANDIDATES 512

/* Names to choose a suggestion from; start with {.n = 0}.  Pointers are kept, not copied. */
typedef struct {
  const char *names[RES_MAX_CANDIDATES];
  size_t n;
} res_candidates;

/* Offer one name; the names of the declarations in `decls` (ast_decl*, unnamed ones
 * skipped); the names of the fields of `rec` (NULL is fine).  Past RES_MAX_CANDIDATES names,
 * the rest are dropped. */
void res_cand_add(res_candidates *cs, const char *name);
void res_cand_decls(res_candidates *cs, const ast_list *decls);
void res_cand_fields(res_candidates *cs, const ast_decl *rec);

/* Sets the help of diagnostic `idx` (DIAG_NONE is fine) to "did you mean '...'?" with the
 * candidate closest to `word` (suggest.h), when one is close enough. */
void res_suggest(diag_list *diags, int idx, const char *word, const res_candidates *cs);

#endif
