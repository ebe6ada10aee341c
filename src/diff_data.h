/*
 * diff_data.h -- what `elig diff` finds, as the comparison (diff.c) leaves it for the report
 * writers (diff_report.c).  Private to those two files.
 *
 * Values are compared as they print (as `elig run` writes them), which is also what a
 * reader of the report sees.
 */
#ifndef ELIG_DIFF_DATA_H
#define ELIG_DIFF_DATA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "elig.h"

#include "program.h"
#include "vm.h"
#include "wbuf.h"

#define NONE_IDX UINT32_MAX
#define TEXT_ROWS 50 /* rows of a table the text report shows; JSON shows all */

/* A value as text. */
typedef struct {
  const char *p;
  size_t len;
  bool none; /* absent: prints as "(none)", an empty cell or null */
} vtext;

static inline bool vtext_eq(vtext a, vtext b)
{
  return a.none == b.none && a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Bytes compared as unsigned, the shorter first when one is a prefix of the other. */
static inline int text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an < bn ? -1 : an > bn);
}

/* ---------------------------------------------------------------- counts */

typedef struct {
  char *a, *b; /* copies of the values, one block (a's) */
  uint32_t alen, blen;
  bool anone, bnone;
  uint64_t count;
  uint64_t hash;
} row;

/* Counts of value pairs (old, new), or of single values (b unused, none). */
typedef struct {
  row *rows;
  uint32_t n, cap;
  uint32_t *slots; /* row index + 1, 0 for empty; a power of two of them */
  uint32_t nslots;
  uint32_t last;  /* row index + 1 of the row found last */
  uint64_t other; /* counted beyond MAX_ROWS distinct rows */
  uint64_t same;  /* pairs whose two values are equal (not in rows) */
  uint64_t total; /* everything added */
} ctable;

typedef struct {
  const char *name;
  uint32_t idx[2]; /* decision number in each program, NONE_IDX when absent */
  ctable t;        /* both: old -> new changes; one: the values it takes */
} dec_map;

typedef struct {
  const char *name;
  uint32_t idx[2]; /* flag number in each program, NONE_IDX when absent */
  uint64_t gained, lost;
} flag_map;

/* ---------------------------------------------------------------- groups */

/* One aggregate's groups as printed: per group, ncols cells. */
typedef struct {
  wbuf text;   /* the cells' bytes, back to back */
  size_t *off; /* per group and column: where the cell starts in text */
  uint32_t *len;
  uint32_t n, cap, ncols;
  uint32_t nkeys, ndec; /* columns: keys, decisions, then the declared outputs */
} glist;

typedef struct {
  uint32_t g[2]; /* group number on each side, NONE_IDX when absent */
} gpair;

typedef struct {
  const char *name;
  uint32_t idx[2]; /* aggregate number in each program */
  glist g[2];
  bool comparable;  /* the same number of keys */
  uint32_t matched; /* groups on both sides */
  gpair *changed;   /* groups on both sides whose decisions differ */
  uint32_t nchanged;
  gpair *only; /* groups on one side */
  uint32_t nonly;
  uint32_t (*dcol)[2]; /* decisions of both, by name: the column on each side */
  uint32_t ndcol;
  uint32_t (*vcol)[2]; /* other outputs of both, by name */
  uint32_t nvcol;
} agg_map;

/* The groups of both sides of an aggregate in key order: each side's rows sorted by key
 * text, merged; a group of one side only has NONE_IDX on the other.  `pairs` has room for
 * both sides' groups.  False: out of memory. */
bool agg_map_pairs(const agg_map *m, gpair *pairs, uint32_t *n);

/* Report values (diff_report.c): a literal as a value, and a value for people: "(none)"
 * when absent, "(empty)" for empty text. */
vtext diff_lit(const char *s);
vtext diff_shown(vtext v);

/* Cell `col` of group `group`. */
static inline vtext glist_cell(const glist *g, uint32_t group, uint32_t col)
{
  size_t i = (size_t)group * g->ncols + col;
  vtext v = {g->text.p ? g->text.p + g->off[i] : "", g->len[i], false};
  return v;
}

/* ---------------------------------------------------------------- by group (--by) */

/*
 * `elig diff --by GROUP` counts, per group of the aggregate GROUP, what the records of the
 * group do: each decision's old -> new values (unchanged pairs included: the households by
 * status before and after), the flags gained and lost, the records rejected.  A record
 * counts in the group the old rules put it in (where the household is now); one only the
 * new rules accept, in the new rules' group.  Groups are the aggregate's, numbered on each
 * side as agg_last_index gives them, so counting is an array index per record, no hashing
 * of keys.  Decision values are numbered per decision (vdict) and the counts kept in one
 * table of (group, decision, old value, new value) (ttable): nothing is allocated per record
 * once every group and value is seen.
 */

/* Value numbers: a decision's values beyond BY_OTHER_VALUE distinct ones count as "other". */
#define BY_VALUE_BITS 11
#define BY_OTHER_VALUE ((1u << BY_VALUE_BITS) - 1)

/* The values one decision takes, numbered in the order they are first seen. */
typedef struct {
  wbuf text;   /* their bytes, back to back */
  size_t *off; /* per value: where it starts in text */
  uint32_t *len;
  bool *none;
  uint32_t n, cap;
  uint32_t *slots; /* value number + 1, 0 for empty; a power of two of them */
  uint32_t nslots;
  uint32_t last; /* value number + 1 of the value found last */
} vdict;

/* Counts by a 64-bit key (stored + 1, 0 for an empty slot). */
typedef struct {
  uint64_t *keys, *counts;
  uint64_t n, cap; /* cap: a power of two */
  uint64_t last;   /* slot + 1 of the key found last */
} ttable;

/* The counting, as diff.c does it record by record. */
typedef struct {
  uint32_t map;    /* the agg_map grouped by */
  uint32_t agg[2]; /* the aggregate's number in each program */
  uint32_t ndecs;  /* as diff_outcome's, and flags */
  uint32_t nflags;
  vdict *values;          /* per decision */
  ttable trans;           /* (old group, decision, old value, new value) -> households */
  uint64_t *compared;     /* per old group: records both rule sets accepted */
  uint64_t *rejected_new; /* per old group: accepted by the old rules, rejected by the new */
  uint64_t *flags;        /* per old group and flag: gained, lost */
  uint64_t *rejected_old; /* per new group: accepted by the new rules, rejected by the old */
  uint32_t cap[2];        /* groups the arrays hold on each side */
  uint64_t unplaced;      /* rejected by both rule sets: in no group */
} by_count;

/* One decision's old -> new pair in one group. */
typedef struct {
  uint32_t group;    /* by_outcome's group */
  uint32_t dec;      /* diff_outcome's decision */
  uint32_t va, vb;   /* value numbers in its vdict */
  const vdict *vals; /* that vdict: qsort's comparisons need it, and C11's qsort takes no
                        context (a static one would race between two elig_diff threads) */
  uint64_t households;
} by_trans;

/* A group as the report shows it: matched by key text across the two sides. */
typedef struct {
  uint32_t g[2];      /* its row in the agg_map's glist on each side, NONE_IDX: not made */
  uint32_t old_index; /* its number on the old side (agg_last_index), NONE_IDX */
  uint64_t compared, rejected_old, rejected_new;
  uint32_t trans_at, ntrans; /* its rows of by_outcome.trans */
} by_group;

typedef struct {
  const agg_map *m;
  const prog_aggregate *A[2];
  const by_count *c;
  by_group *groups; /* in key order */
  uint32_t n;
  by_trans *trans; /* by group, decision, old value, new value */
  uint32_t ntrans;
} by_outcome;

static inline vtext vdict_value(const vdict *v, uint32_t id)
{
  if (id >= v->n)
    /* not in the dictionary: the values beyond BY_OTHER_VALUE */
    return (vtext){"...", 3, false};
  return (vtext){v->text.p ? v->text.p + v->off[id] : "", v->len[id], v->none[id]};
}

/* ---------------------------------------------------------------- parameters by year */

/* Which years the two rule sets' parameters differ in (diff_params.c says how it is told). */
typedef struct {
  int64_t lo, hi; /* INT64_MIN, INT64_MAX: open */
} year_span;

typedef struct {
  year_span *spans; /* ascending, apart from each other */
  uint32_t n;
  uint32_t field[2]; /* the year field in each program */
  bool everywhere;   /* a parameter differs otherwise than by year: nothing to say */
  bool seen;         /* a record of one of the spans was read */
} param_years;

/* False when out of memory. */
bool param_years_init(param_years *y, const elig_program *O, const elig_program *N);
void param_years_fini(param_years *y);
/* Whether records still need looking at: some years differ and none was seen yet. */
static inline bool param_years_wanted(const param_years *y)
{
  return y->n && !y->everywhere && !y->seen;
}
/* Notes the year of the record side k (0 old, 1 new) accepted, evaluated in ctx. */
void param_years_note(param_years *y, int k, const vm_ctx *ctx);
/* The warning, when it is due, into log. */
void param_years_warn(const param_years *y, wbuf *log, const char *old_name, const char *new_name);

/* ---------------------------------------------------------------- the whole finding */

typedef struct {
  const char *name[2]; /* the two rule sets, as the report names them */
  const elig_program *P[2];
  const elig_batch_stats *stats;
  uint64_t flags_changed;  /* compared records whose flags change */
  uint64_t groups_changed; /* groups whose decisions change, or on one side only */
  dec_map *decs;           /* the union of both programs' decisions, flags, aggregates: */
  uint32_t ndecs;          /* the old program's in its order, then the new program's */
  flag_map *flags;         /* that the old one lacks */
  uint32_t nflags;
  agg_map *aggs;
  uint32_t naggs;
  const by_outcome *by; /* --by: the groups' counts; NULL without */
} diff_outcome;

/* The report as text or as one JSON object.  False when out of memory. */
bool diff_text_report(const diff_outcome *d, wbuf *b);
bool diff_json_report(const diff_outcome *d, wbuf *b);

/* --by: the groups' section of each (diff_by_report.c), and the CSV table of the groups. */
void diff_by_text(const diff_outcome *d, wbuf *b);
void diff_by_json(const diff_outcome *d, wbuf *b);
bool diff_by_csv(const diff_outcome *d, wbuf *b);

/* --by: the counting (diff_by.c).  by_init before the first record (false when out of
 * memory); by_group_room makes room for group `index` on side k; by_decision, by_flag and
 * by_compared count a record both rule sets accepted, in old group g; by_outcome_build
 * matches the groups once the aggregates' glists are built. */
bool by_init(by_count *c, uint32_t map, const uint32_t agg[2], uint32_t ndecs, uint32_t nflags);
void by_fini(by_count *c);
bool by_group_room(by_count *c, int k, uint32_t index);
bool by_decision(by_count *c, uint32_t g, uint32_t dec, vtext a, vtext b);
bool by_outcome_build(by_outcome *o, const by_count *c, const agg_map *m,
                      const prog_aggregate *const A[2], const uint32_t *const order[2]);
void by_outcome_fini(by_outcome *o);

static inline void by_flag(by_count *c, uint32_t g, uint32_t flag, bool lost)
{
  c->flags[((size_t)g * c->nflags + flag) * 2 + lost]++;
}

#endif
