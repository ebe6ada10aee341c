/*
 * cond_data.h -- the formulas, values and atoms of cond.h as its three files share them:
 * cond.c makes them from expressions, cond_values.c says whether the atoms chosen for one
 * value leave it a value, cond_search.c answers queries.  Private to those files.
 */
#ifndef ELIG_COND_DATA_H
#define ELIG_COND_DATA_H

#include "cond.h"
#include "decimal.h"

#define NO_ATOM UINT32_MAX

enum {
  V_FALSE = 0,
  V_TRUE = 1,
  V_UNKNOWN = 2
};

typedef enum {
  F_CONST,
  F_ATOM,
  F_NOT,
  F_AND,
  F_OR
} formula_kind;

struct cond_formula {
  uint8_t kind;  /* formula_kind */
  bool value;    /* F_CONST */
  bool neg;      /* F_ATOM: the atom's negation */
  uint32_t atom; /* F_ATOM */
  uint32_t n;    /* F_NOT: 1; F_AND, F_OR: the parts */
  const cond_formula **kids;
  uint32_t size;            /* nodes, counting a shared part each time: the cost of a walk */
  const uint32_t *subjects; /* a formula of cond_formula_of: its values, increasing */
  uint32_t nsubjects;
};

/* What a subject is: a number, money, a date or the difference of two (S_NUM), a text, a
 * condition taken whole, or `x is none`. */
typedef enum {
  S_NUM,
  S_TEXT,
  S_BOOL,
  S_NONE
} subject_kind;

/* The values a number can take between two bounds: every exact number, whole numbers (ints,
 * dates in days) or amounts in fen. */
typedef enum {
  G_DENSE,
  G_WHOLE,
  G_FEN
} grain;

typedef struct {
  dec_num n; /* S_NUM: the exact value (money in yuan, dates in days) */
  const char *s;
  uint32_t len; /* S_TEXT */
} cval;

/* An atom, normalised: x < k, x <= k, x = k, x in {..}, or a condition taken whole.
 * x > k is not (x <= k), x >= k not (x < k), x != k not (x = k). */
typedef enum {
  A_LT,
  A_LE,
  A_EQ,
  A_IN,
  A_BOOL
} atom_op;

typedef struct {
  uint32_t subject;
  uint8_t op; /* atom_op */
  cval k;
  const cval *set;
  uint32_t nset;
} atom;

typedef struct {
  uint8_t kind;          /* subject_kind */
  uint8_t grain;         /* S_NUM */
  const ast_expr *a, *b; /* b: the subject is a - b */
  uint32_t hash;
  const ast_field *field; /* a main-record field whose declaration bounds it, or NULL */
  cond_range range;
  const cval *allowed; /* `one of` and the default; NULL: no such list */
  uint32_t nallowed;
  uint32_t *atoms;
  uint32_t natoms, cap_atoms;
  uint32_t *chosen; /* the atoms of it chosen so far in a search, in the order chosen */
  uint32_t nchosen, cap_chosen;
} subject;

/* A formula of a query, negated or not; true_at and true_gen: eval_group. */
typedef struct {
  const cond_formula *f;
  bool neg;
  uint32_t true_at;
  uint64_t true_gen;
} conjunct;

struct cond_ctx {
  mem_arena *arena;
  const chk_program *prog;
  uint64_t budget;    /* steps left for every later query */
  uint64_t allowance; /* steps left for the queries since cond_allow */
  uint64_t steps;     /* steps left for the query being answered */
  subject *subjects;
  uint32_t nsubjects, cap_subjects;
  atom *atoms;
  uint32_t natoms, cap_atoms;
  int8_t *val; /* per atom: -1 unchosen, 0 false, 1 true */
  uint32_t cap_val;
  /* per subject, reused by every query: a stamp says the entry is this query's */
  uint32_t *mark, *owner;
  uint32_t cap_mark, stamp;
  uint32_t *found; /* cond_formula_of: the subjects of the formula being made */
  uint32_t cap_found;
  /* the query's scratch */
  conjunct *conj, *grouped;
  uint32_t *parent, *start;
  uint32_t *trail;
  bool *flipped;
  uint64_t *gen; /* per depth of the search: the generation of the choice made there */
  uint64_t generation;
  uint32_t *level;     /* per atom: the depth at which it was chosen */
  uint32_t *atom_mark; /* per atom: a stamp, for count_atoms */
  uint32_t cap_level, atom_stamp;
  uint64_t *levels; /* the searcher's sets of levels */
  uint32_t cap_levels;
  uint32_t cap_conj, cap_trail;
  const ast_field *ignore; /* cond_bounding_fields: the field whose declaration is left out */
  struct {
    const ast_decl *decl;
    const cond_formula *f;
  } * derived; /* the formulas of derived conditions seen through so far (cond.c: derived()) */
  uint32_t nderived, cap_derived, inline_depth;
};

/* An array of `size`-byte items grown to hold `need`, its old items kept; *cap is updated.
 * The arena's failure point takes care of running out. */
void *cond_grow(cond_ctx *cx, void *p, uint32_t *cap, uint32_t need, size_t size);

/* Room in the per-subject arrays for every subject made so far, and a new stamp. */
void cond_new_stamp(cond_ctx *cx);

/* Whether two values of s are equal; whether v is one of the n values of set. */
bool cond_same_value(const subject *s, const cval *x, const cval *y);
bool cond_in_values(const subject *s, const cval *v, const cval *set, uint32_t n);

/* Whether some value of s meets every atom of it chosen so far and its declaration. */
bool cond_consistent(cond_ctx *cx, const subject *s);

/* Whether atom x of s holds when the value is v. */
bool cond_atom_holds(const subject *s, const atom *x, const cval *v);

/* The chosen atom x = k of s when there is one (the value is then k), else NO_ATOM. */
uint32_t cond_point(const cond_ctx *cx, const subject *s);

/* Counts n steps against the query's budget. */
static inline void cond_spend(cond_ctx *cx, uint64_t n)
{
  cx->steps = cx->steps > n ? cx->steps - n : 0;
}

#endif
