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

/* Cell `col` of group `group`. */
static inline vtext glist_cell(const glist *g, uint32_t group, uint32_t col)
{
  size_t i = (size_t)group * g->ncols + col;
  vtext v = {g->text.p ? g->text.p + g->off[i] : "", g->len[i], false};
  return v;
}

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
} diff_outcome;

/* The report as text or as one JSON object.  False when out of memory. */
bool diff_text_report(const diff_outcome *d, wbuf *b);
bool diff_json_report(const diff_outcome *d, wbuf *b);

#endif
