/*
 * program.h -- the compiled form of a rule set: immutable, shared by any number of threads.
 *
 * Pipeline: check.c -> compile.c builds this -> vm.c runs it, one elig_ctx per thread.
 * Every name is gone from the code: fields, derived values, parameters, decisions and flags
 * are numbered cells with a register each; regexes are compiled once; constants are in a
 * pool.  The names that remain are for people (results, explanations, test reports).
 *
 * The program knows nothing of the syntax tree or the checker: it is the boundary between
 * the compiler and everything that runs rules.  program.c owns its lifetime and the lookups
 * every runner needs; only vm.c reads the register numbers it holds.
 */
#ifndef ELIG_PROGRAM_H
#define ELIG_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "decimal.h"
#include "regex.h"
#include "srcfile.h"
#include "types.h"

typedef enum {
#define OP(name, fmt, doc) OP_##name,
#include "ops.def"
#undef OP
  OP__COUNT
} vm_opcode;

typedef struct {
  uint16_t op; /* vm_opcode */
  uint16_t a;
  uint16_t b;
  uint16_t c;
  uint32_t x; /* immediate: jump target, set, regex, builtin, rule or field number */
} vm_ins;

/* A value in a register.  Which member is live is known statically from the type. */
typedef struct {
  union {
    int64_t i; /* int, money (fen), date (days), bool (0/1) */
    dec_num n; /* number, percent */
    struct {
      const char *p;
      uint32_t len; /* bytes */
    } s;            /* text */
    struct {
      uint32_t first;  /* index of the first element's first value in vm_ctx.elems */
      uint32_t count;  /* elements */
      uint32_t stride; /* values per element */
    } l;               /* list of records */
  } u;
  bool none; /* absent */
} vm_val;

/* A cell: something computed at most once per record, on demand. */
typedef enum {
  CELL_LET,
  CELL_PARAM,
  CELL_DECISION,
  CELL_FLAG,
  CELL_KEY,
  CELL_ACC_VALUE,
  CELL_ACC_WHERE,
  CELL_CHECK,
  CELL_EXPECT,
  CELL_PREVIOUS,
  CELL_COND /* a condition of a rule or flag, or one of its sides: explain.c's only */
} cell_kind;

typedef struct {
  uint32_t entry; /* code address of its computation */
  uint16_t reg;   /* where its value lives */
  uint8_t kind;   /* cell_kind */
  uint8_t base;   /* its value's ty_base (three-valued evaluation compares values) */
} prog_cell;

/* One field of a record and how raw input becomes its value. */
typedef struct {
  const char *name;
  uint32_t name_len; /* strlen(name): JSON keys are matched against it per record */
  ty_type type;
  bool required;
  bool has_default;
  vm_val def;            /* the default */
  bool has_min, has_max; /* between / at least / at most */
  vm_val min, max;
  uint32_t one_of;     /* set number + 1, 0 when none */
  uint32_t regex;      /* regex number + 1, 0 when none */
  uint32_t check_cell; /* cell number + 1 of a `check` condition, 0 when none */
  const char *check_msg;
  elig_loc loc;
} prog_field;

typedef struct {
  const char *name;
  prog_field *fields;
  uint32_t nfields;
  uint16_t first_reg; /* element records: registers used while checking an element */
} prog_record;

/* The record-level names an expression reads, for explanations. */
typedef struct {
  struct prog_column *items;
  uint32_t n;
} prog_names;

/* One condition of a rule or a flag (an operand of its `when`'s top-level `and`), for
 * explanations: a cell of its own, which an evaluation never runs (only explain.c does),
 * and for a comparison of two numbers, amounts or dates, a cell for each side, so that the
 * margin can be said. */
typedef struct {
  uint32_t cell;                             /* the condition's value (bool) */
  uint32_t left, right;                      /* a comparison's sides, or UINT32_MAX */
  uint8_t op;                                /* a comparison's ast_operator */
  bool left_literal, right_literal;          /* a side written as a value: said once */
  ty_type left_type, right_type;             /* the sides' types */
  const char *text, *left_text, *right_text; /* as written, on one line each */
} prog_cond;

typedef struct {
  prog_cond *items; /* in the program's strings */
  uint32_t n;
} prog_conds;

typedef struct {
  const char *name;
  ty_type type;
  uint32_t cell;
  uint32_t nrules;
  const char **reasons; /* per rule, may be NULL */
  elig_loc *rule_locs;
  prog_names *rule_names; /* per rule: the names its condition and outcome read */
  prog_conds *rule_conds; /* per rule: its conditions (none for `otherwise`) */
} prog_decision;

typedef struct {
  const char *name;
  const char *severity;
  const char *reason;
  uint32_t cell;
  prog_conds conds; /* its conditions */
} prog_flag;

/* What appears in a result line: a register of a given type. */
typedef struct prog_column {
  const char *name;
  ty_type type;
  uint32_t cell; /* cell to compute first, or UINT32_MAX for a field */
  uint16_t reg;
} prog_column;

/* What an accumulator of an aggregate computes over its group's records. */
typedef enum {
  ACC_COUNT,
  ACC_SUM,
  ACC_MIN,
  ACC_MAX,
  ACC_ANY,
  ACC_ALL,
  ACC_FIRST
} prog_acc_func;

typedef struct {
  prog_acc_func func;
  ty_type type;        /* of the accumulated value */
  uint32_t value_cell; /* UINT32_MAX for count, or when the value is a field */
  uint16_t value_reg;  /* where the value is for a record (cell or field register) */
  bool has_value;      /* count() and any/all(where c) have none */
  uint32_t where_cell; /* UINT32_MAX when unconditional */
  uint32_t first;      /* first(): its number among the aggregate's first()s */
} prog_acc;

/* A group-level program: the driver loads a group's keys and accumulators into their
 * registers, then computes the group's cells (derived values, decisions). */
typedef struct {
  const char *name;
  uint32_t nkeys;
  const char **key_names;
  ty_type *key_types;
  uint32_t *key_cells; /* record-level cells giving each key, UINT32_MAX for a field */
  uint16_t *key_src;   /* the register holding each key's value for a record */
  uint32_t naccs;
  prog_acc *accs;
  uint32_t nfirsts; /* accumulators that are first(): they keep which record gave them */
  uint16_t key_reg; /* first key register */
  uint16_t acc_reg; /* first accumulator register */
  prog_decision *decisions;
  uint32_t ndecisions;
  prog_column *columns;
  uint32_t ncolumns;
  prog_column *key_columns;      /* each key, and each decision, as a column: what a group */
  prog_column *decision_columns; /* shows besides its outputs (elig diff shows all three) */
} prog_aggregate;

typedef struct {
  const char **items; /* sorted for binary search */
  uint32_t *lens;
  int64_t *ints; /* int sets, sorted */
  dec_num *nums;
  uint32_t n;
  uint8_t kind; /* TY_TEXT, TY_INT or TY_NUMBER */
} prog_set;

/* One record of a test block, lowered at compile time: the record it gives as JSON text
 * (typed like any input when the test runs), and a cell per expectation with what a failure
 * report shows; or the text its rejection must contain. */
/* A name in `expect needs` (ast_need): a field of the main record, or a field of an element
 * (from 0) of one of its lists. */
typedef struct {
  uint32_t field;
  uint32_t element; /* UINT32_MAX: the field itself */
  uint32_t element_field;
} prog_need;

typedef struct {
  elig_loc loc;      /* its `given` */
  const char *given; /* the given record as one JSON object */
  uint32_t given_len;
  const char *rejected; /* `expect rejected "text"`: the reason contains text; else NULL */
  elig_loc rejected_loc;
  uint32_t nexpects;
  uint32_t *expect_cells;
  elig_loc *expect_locs;     /* where each expectation starts (its operand, not its operator) */
  const char **expect_texts; /* each expectation as written, on one line */
  prog_column **shown;       /* per expectation: the values it names, shown when it fails */
  uint32_t *nshown;
  /* Three-valued evaluation: `expect X = undetermined` (a cell computing each X) and
   * `expect needs = "a, b"`; with either, the given record is evaluated with its absent
   * required fields unknown. */
  bool three_valued;
  uint32_t nundetermined;
  uint32_t *undetermined_cells;
  elig_loc *undetermined_locs;
  const char **undetermined_texts; /* X as written */
  const char *needs;               /* the fields as written, or NULL */
  prog_need *needs_fields;         /* ... as fields of the main record and its elements */
  uint32_t nneeds;
  elig_loc needs_loc;
} prog_test_step;

/* A test block: one record, or a household's records of several years (steps, in the
 * order written; they are evaluated in the order of their years). */
typedef struct {
  const char *name;
  elig_loc loc; /* the test's name */
  prog_test_step *steps;
  uint32_t nsteps;
} prog_test;

/* A value the next year's record of the household reads through previous(): kept for
 * each record (vm_remember) and given back to the next (vm_set_previous). */
typedef struct {
  const char *name;
  ty_type type;
  uint32_t cell;      /* what computes it, UINT32_MAX for a field */
  uint16_t reg;       /* where it is once computed */
  uint32_t prev_cell; /* the cell previous(name) reads it through */
} prog_memory;

/* A parameter table keyed by year or date: the row of the last key not after the lookup key
 * (the first row also applies before its key). */
typedef struct {
  int64_t *keys;  /* ascending */
  uint16_t *regs; /* the register holding each row's value */
  uint32_t n;
} prog_table;

/* A parameter, kept for comparing two rule sets (`elig diff` says when the records hold none
 * of the years whose parameters differ).  Names are gone from the code, so this is the
 * parameter as declared, after overrides and extends. */
typedef struct {
  const char *name;
  ty_type type;
  uint32_t by_field; /* a table of single rows keyed by an int field of the main record (the
                        year): that field; PROG_NONE for any other parameter */
  uint32_t table;    /* then its rows: a prog_table */
  const char *text;  /* the whole table as `elig check --dump=ast` writes it: equal texts,
                        equal parameters */
} prog_param;

typedef struct elig_program {
  mem_arena *strings; /* owns every name and string below (the syntax tree's arena) */
  src_set *srcs;      /* the rule files, for diagnostics and explanations */
  const char *policy, *version;
  char hash[72]; /* "sha256:" and 64 hex digits of the rule files' contents */
  prog_record *records;
  uint32_t nrecords;
  uint32_t main_record;
  uint32_t *key_fields; /* the main record's key fields */
  uint32_t nkeys;
  uint32_t order_field; /* `key hh_id per year`: the field ordering a household's records
                           (the last key; the keys before it link them), or PROG_NONE */
  prog_memory *memory;  /* what previous() reads, per slot */
  uint32_t nmemory;
  vm_ins *code;
  elig_loc *code_locs; /* source of each instruction, for run-time errors */
  uint32_t ncode;
  vm_val *consts;
  uint16_t *const_regs; /* the register each constant is loaded into */
  uint8_t *const_types; /* each constant's ty_base, for the code dump */
  uint32_t nconsts;
  prog_set *sets;
  uint32_t nsets;
  prog_table *tables;
  uint32_t ntables;
  prog_param *params;
  uint32_t nparams;
  regex_code **regexes;
  const char **regex_sources; /* each regex as written, for the code dump */
  uint32_t nregexes;
  prog_cell *cells;
  const char **cell_labels; /* per cell, for the code dump: "let per_capita" */
  uint32_t ncells;
  prog_decision *decisions;
  uint32_t ndecisions;
  prog_flag *flags;
  uint32_t nflags;
  prog_column *columns; /* outputs, then decisions not listed */
  uint32_t ncolumns;
  uint32_t flags_at; /* the raised flags come before column flags_at (ncolumns: last) */
  prog_aggregate *aggregates;
  uint32_t naggregates;
  prog_test *tests;
  uint32_t ntests;
  prog_names *cell_names; /* per cell: the names a derived value, parameter or flag reads */
  uint32_t nregs;         /* registers of the record program */
  uint16_t as_of_reg;     /* the evaluation date */
  uint32_t max_depth;     /* deepest chain of cell calls */
} elig_program;

/* An empty program owning `strings` (the arena its names come from) and `srcs`, or NULL
 * when out of memory (the caller keeps both). */
elig_program *prog_new(mem_arena *strings, src_set *srcs);

/* Frees a program and everything it owns.  NULL is fine. */
void prog_free(elig_program *P);

/* The main record (the one with a key: the household). */
const prog_record *prog_main_record(const elig_program *P);

/* Looks a decision, flag or aggregate up by name: its number, or PROG_NONE. */
#define PROG_NONE UINT32_MAX
uint32_t prog_find_decision(const elig_program *P, const char *name);
uint32_t prog_find_flag(const elig_program *P, const char *name);
uint32_t prog_find_aggregate(const elig_program *P, const char *name);
uint32_t prog_find_field(const elig_program *P, const char *name);

/* The decision whose cell is `cell`, or NULL. */
const prog_decision *prog_decision_of_cell(const elig_program *P, uint32_t cell);

/* Where the instruction at pc comes from: its rule file, 1-based line and column.  False
 * when the program has no source position for it. */
bool prog_position(const elig_program *P, uint32_t pc, const char **file, uint32_t *line,
                   uint32_t *column);

/* "rules/x.rules:12:5" (or "the rules"), for run-time errors: into buf of `size` bytes. */
void prog_where(const elig_program *P, uint32_t pc, char *buf, size_t size);

#endif
