/*
 * cond_search.c -- the queries of cond.h: whether some record meets some formulas and fails
 * others.
 *
 * A query splits its formulas into groups that share no value (each group can be met on its
 * own), and searches each group depth-first: pick an atom the formulas still depend on, try
 * the value that moves them the way wanted, then the other, and after each choice ask
 * whether the value's atoms chosen so far leave it some value (cond_values.c).  A conflict
 * jumps back to the latest choice it depends on.  Every formula looked at is a step counted
 * against the query's budget and the context's.
 */
#include <string.h>

#include "cond_data.h"

/* Steps one query may take: a rule set's decisions need a few hundred each; a condition
 * built to make the search explode stops here, unanswered. */
#define QUERY_STEPS 200000u

/* ---------------------------------------------------------------- the search */

static int not3(int v)
{
  return v == V_UNKNOWN ? v : !v;
}

/* The value of an atom not chosen when its value is settled: another atom of its subject,
 * x = k, was chosen true, so x is k (no choice is made for it, and a long list of x = 1,
 * x = 2, ... is not searched through).  *by, when not NULL, receives that atom. */
static int implied(const cond_ctx *cx, uint32_t a, uint32_t *by)
{
  const atom *x = &cx->atoms[a];
  const subject *s = &cx->subjects[x->subject];
  uint32_t point = s->nchosen ? cond_point(cx, s) : NO_ATOM;
  if (point == NO_ATOM)
    return V_UNKNOWN;
  if (by)
    *by = point;
  return cond_atom_holds(s, x, &cx->atoms[point].k);
}

/* The value of f under the atoms chosen so far: V_UNKNOWN when it depends on one not chosen,
 * then *pick is such an atom and the value that moves f the way wanted (true when `want`):
 * atom * 2 + value.  Trying that value first satisfies the formulas of a query one after
 * the other instead of wandering. */
static int eval(cond_ctx *cx, const cond_formula *f, bool want, uint32_t *pick)
{
  if (cx->steps == 0)
    return V_UNKNOWN;
  cx->steps--;
  switch (f->kind) {
  case F_CONST: return f->value;
  case F_ATOM: {
    int v = cx->val[f->atom] >= 0 ? cx->val[f->atom] : implied(cx, f->atom, NULL);
    if (v == V_UNKNOWN) {
      *pick = f->atom * 2 + (want != f->neg);
      return V_UNKNOWN;
    }
    return v ^ f->neg;
  }
  case F_NOT: return not3(eval(cx, f->kids[0], !want, pick));
  default: break;
  }
  int decides = f->kind == F_OR; /* a part of this value decides the whole */
  int res = !decides;
  uint32_t first = NO_ATOM;
  for (uint32_t i = 0; i < f->n; i++) {
    uint32_t p = NO_ATOM;
    int r = eval(cx, f->kids[i], want, &p);
    if (r == decides)
      return r;
    if (r == V_UNKNOWN && first == NO_ATOM) {
      first = p;
      res = V_UNKNOWN;
    }
  }
  if (res == V_UNKNOWN)
    *pick = first;
  return res;
}

/* The conjunction of a group's formulas, each negated or not, at `depth` choices.  A formula
 * once true stays true while the choices it was found true under stand (the value of a
 * formula only settles as atoms are chosen): it is not looked at again until one of them
 * changes, which gives the choice at its depth a new generation.  When false, *failed is the
 * formula that is. */
static int eval_group(cond_ctx *cx, conjunct *cs, uint32_t n, uint32_t depth, uint32_t *pick,
                      uint32_t *failed)
{
  int res = V_TRUE;
  uint32_t first = NO_ATOM;
  for (uint32_t i = 0; i < n; i++) {
    if (cs[i].true_at <= depth && cx->gen[cs[i].true_at] == cs[i].true_gen)
      continue;
    uint32_t p = NO_ATOM;
    int r = eval(cx, cs[i].f, !cs[i].neg, &p);
    if (cs[i].neg)
      r = not3(r);
    if (r == V_FALSE) {
      *failed = i;
      return r;
    }
    if (r == V_TRUE) {
      cs[i].true_at = depth;
      cs[i].true_gen = cx->gen[depth];
    } else if (first == NO_ATOM) {
      first = p;
      res = V_UNKNOWN;
    }
  }
  *pick = first;
  return res;
}

/* ---------------------------------------------------------------- backjumping
 * A search that has chosen atoms a1..ad and meets a conflict undoes the latest choice only if
 * the conflict depends on it: each conflict comes with the levels (depths) of the choices it
 * rests on, and the search jumps back to the highest of them, carrying the others along
 * (conflict-directed backjumping).  Choices in between, which had nothing to do with it, are
 * not tried both ways again and again.  Levels are sets of bits, one row per level. */

static void set_level(uint64_t *set, uint32_t level)
{
  set[level / 64] |= (uint64_t)1 << (level % 64);
}

/* The highest level in the set, 0 when it is empty (levels count from 1). */
static uint32_t highest(const uint64_t *set, uint32_t words)
{
  for (uint32_t w = words; w-- > 0;) {
    if (!set[w])
      continue;
    uint32_t bit = 63;
    while (!(set[w] >> bit & 1))
      bit--;
    return w * 64 + bit;
  }
  return 0;
}

/* The levels of the chosen atoms of f, whose value they alone make false (an atom whose
 * value a chosen x = k settles counts as that one). */
static void formula_levels(cond_ctx *cx, const cond_formula *f, uint64_t *set)
{
  if (f->kind == F_ATOM) {
    uint32_t by;
    if (cx->val[f->atom] >= 0)
      set_level(set, cx->level[f->atom]);
    else if (implied(cx, f->atom, &by) != V_UNKNOWN)
      set_level(set, cx->level[by]);
    return;
  }
  for (uint32_t i = 0; i < f->n; i++)
    formula_levels(cx, f->kids[i], set);
}

/* The levels of the chosen atoms of s, which together leave it no value. */
static void subject_levels(cond_ctx *cx, const subject *s, uint64_t *set)
{
  for (uint32_t i = 0; i < s->nchosen; i++)
    set_level(set, cx->level[s->chosen[i]]);
}

/* The distinct atoms of a group, which bound the depth of its search. */
static uint32_t count_atoms(cond_ctx *cx, const cond_formula *f, uint32_t stamp)
{
  if (f->kind == F_ATOM) {
    if (cx->atom_mark[f->atom] == stamp)
      return 0;
    cx->atom_mark[f->atom] = stamp;
    return 1;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < f->n; i++)
    n += count_atoms(cx, f->kids[i], stamp);
  return n;
}

/* One search over a group: its choices and the conflicts met. */
typedef struct {
  cond_ctx *cx;
  uint32_t depth;  /* choices made: levels 1..depth */
  uint32_t words;  /* per set of levels */
  uint64_t *rows;  /* level L's conflict set at rows + L * words */
  uint64_t *clash; /* the conflict being resolved */
} searcher;

static uint64_t *row(const searcher *z, uint32_t level)
{
  return z->rows + (size_t)level * z->words;
}

/* Chooses atom `a` = value at a new level; false when that leaves its value no room, with the
 * conflict in z->clash. */
static bool choose(searcher *z, uint32_t a, int8_t value)
{
  cond_ctx *cx = z->cx;
  uint32_t level = ++z->depth;
  cx->trail[level - 1] = a;
  cx->flipped[level - 1] = false;
  cx->val[a] = value;
  cx->level[a] = level;
  cx->gen[level] = ++cx->generation;
  memset(row(z, level), 0, z->words * sizeof *z->rows);
  subject *s = &cx->subjects[cx->atoms[a].subject];
  s->chosen[s->nchosen++] = a;
  if (cond_consistent(cx, s))
    return true;
  memset(z->clash, 0, z->words * sizeof *z->clash);
  subject_levels(cx, s, z->clash);
  return false;
}

/* Takes back the latest choice; choices are taken back in the reverse order they were made,
 * so it is the latest of its subject too. */
static void undo(searcher *z)
{
  cond_ctx *cx = z->cx;
  uint32_t a = cx->trail[--z->depth];
  cx->val[a] = -1;
  cx->subjects[cx->atoms[a].subject].nchosen--;
}

/* Resolves the conflict in z->clash: back to the highest level it rests on, whose other value
 * is tried, or further back when both failed.  False when the conflict rests on no choice:
 * nothing can meet the group. */
static bool backjump(searcher *z)
{
  cond_ctx *cx = z->cx;
  for (;;) {
    uint32_t h = highest(z->clash, z->words);
    if (h == 0)
      return false;
    while (z->depth > h)
      undo(z);
    uint64_t *r = row(z, h);
    for (uint32_t w = 0; w < z->words; w++)
      r[w] |= z->clash[w];
    r[h / 64] &= ~((uint64_t)1 << (h % 64));
    if (!cx->flipped[h - 1]) {
      uint32_t a = cx->trail[h - 1];
      cx->flipped[h - 1] = true;
      cx->val[a] = !cx->val[a];
      cx->gen[h] = ++cx->generation;
      const subject *s = &cx->subjects[cx->atoms[a].subject];
      if (cond_consistent(cx, s))
        return true;
      memset(z->clash, 0, z->words * sizeof *z->clash);
      subject_levels(cx, s, z->clash);
      continue;
    }
    memcpy(z->clash, r, z->words * sizeof *z->clash);
    undo(z);
  }
}

/* Deepest search a group may need: more distinct atoms than this in one group is answered
 * COND_UNKNOWN (the sets of levels grow with its square). */
#define MAX_GROUP_ATOMS 4096u

/* Room for the sets of levels of a search over `natoms` atoms. */
static void room_for_levels(cond_ctx *cx, searcher *z, uint32_t natoms)
{
  z->words = natoms / 64 + 1;
  uint32_t need = (natoms + 2) * z->words;
  cx->levels = cond_grow(cx, cx->levels, &cx->cap_levels, need, sizeof *cx->levels);
  z->clash = cx->levels;
  z->rows = cx->levels + z->words;
}

/* Whether some choice of the group's atoms makes every formula of it true (depth-first). */
static cond_result search(cond_ctx *cx, conjunct *cs, uint32_t n)
{
  uint32_t natoms = 0;
  if (++cx->atom_stamp == 0) {
    memset(cx->atom_mark, 0, (size_t)cx->cap_level * sizeof *cx->atom_mark);
    cx->atom_stamp = 1;
  }
  for (uint32_t i = 0; i < n; i++)
    natoms += count_atoms(cx, cs[i].f, cx->atom_stamp);
  if (natoms > MAX_GROUP_ATOMS)
    return COND_UNKNOWN;
  searcher z = {.cx = cx};
  room_for_levels(cx, &z, natoms);
  for (uint32_t i = 0; i < n; i++)
    cs[i].true_at = UINT32_MAX;
  cx->gen[0] = ++cx->generation;
  cond_result r = COND_UNKNOWN;
  bool going = true;
  while (going && cx->steps > 0) {
    uint32_t pick = NO_ATOM, failed = 0;
    int v = eval_group(cx, cs, n, z.depth, &pick, &failed);
    if (cx->steps == 0 || (v == V_UNKNOWN && pick == NO_ATOM))
      break;
    if (v == V_TRUE) {
      r = COND_SAT;
      break;
    }
    if (v == V_UNKNOWN && choose(&z, pick / 2, (int8_t)(pick % 2)))
      continue;
    if (v == V_FALSE) {
      memset(z.clash, 0, z.words * sizeof *z.clash);
      formula_levels(cx, cs[failed].f, z.clash);
    }
    going = backjump(&z);
    if (!going)
      r = COND_UNSAT;
  }
  while (z.depth > 0)
    undo(&z);
  return r;
}

static uint32_t find(uint32_t *parent, uint32_t i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

/* Puts the conjuncts that share a subject, directly or through others, in one group:
 * cx->parent ends as a forest whose roots are the groups. */
static void group_conjuncts(cond_ctx *cx, uint32_t m)
{
  cond_new_stamp(cx);
  for (uint32_t i = 0; i < m; i++)
    cx->parent[i] = i;
  for (uint32_t i = 0; i < m; i++) {
    const cond_formula *f = cx->conj[i].f;
    for (uint32_t j = 0; j < f->nsubjects; j++) {
      uint32_t s = f->subjects[j];
      if (cx->mark[s] != cx->stamp) {
        cx->mark[s] = cx->stamp;
        cx->owner[s] = i;
      } else {
        cx->parent[find(cx->parent, i)] = find(cx->parent, cx->owner[s]);
      }
    }
  }
}

/* Makes room for a query of m formulas over every atom made so far. */
static void room_for_query(cond_ctx *cx, uint32_t m)
{
  uint32_t cap = cx->cap_conj;
  cx->conj = cond_grow(cx, cx->conj, &cap, m + 1, sizeof *cx->conj);
  cap = cx->cap_conj;
  cx->grouped = cond_grow(cx, cx->grouped, &cap, m + 1, sizeof *cx->grouped);
  cap = cx->cap_conj;
  cx->parent = cond_grow(cx, cx->parent, &cap, m + 1, sizeof *cx->parent);
  cap = cx->cap_conj;
  cx->start = cond_grow(cx, cx->start, &cap, m + 1, sizeof *cx->start);
  cx->cap_conj = cap;
  cap = cx->cap_trail;
  cx->trail = cond_grow(cx, cx->trail, &cap, cx->natoms + 1, sizeof *cx->trail);
  cap = cx->cap_trail;
  cx->flipped = cond_grow(cx, cx->flipped, &cap, cx->natoms + 1, sizeof *cx->flipped);
  cap = cx->cap_trail;
  cx->gen = cond_grow(cx, cx->gen, &cap, cx->natoms + 1, sizeof *cx->gen);
  cx->cap_trail = cap;
}

/* Sorts the m conjuncts by group into cx->grouped: group g (a root of cx->parent) holds
 * grouped[start[g] .. start[g + 1]) once done; start[g] == start[g + 1] for a non-root. */
static void sort_by_group(cond_ctx *cx, uint32_t m)
{
  memset(cx->start, 0, (size_t)(m + 1) * sizeof *cx->start);
  for (uint32_t i = 0; i < m; i++) {
    cx->parent[i] = find(cx->parent, i);
    cx->start[cx->parent[i] + 1]++;
  }
  for (uint32_t g = 0; g < m; g++)
    cx->start[g + 1] += cx->start[g];
  for (uint32_t i = 0; i < m; i++)
    cx->grouped[cx->start[cx->parent[i]]++] = cx->conj[i];
  /* each start[g] now stands at the end of group g, which is where group g + 1 starts */
  for (uint32_t g = m; g > 0; g--)
    cx->start[g] = cx->start[g - 1];
  cx->start[0] = 0;
}

/* Takes in the formulas of a query, leaving out constants that do not matter; false when one
 * decides that no record can do it. */
static bool take(cond_ctx *cx, uint32_t *m, const cond_formula *const *fs, uint32_t n, bool neg)
{
  for (uint32_t i = 0; i < n; i++) {
    if (fs[i]->kind == F_CONST) {
      if (fs[i]->value == neg)
        return false;
      continue;
    }
    cx->conj[*m].f = fs[i];
    cx->conj[(*m)++].neg = neg;
  }
  return true;
}

cond_result cond_sat(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                     const cond_formula *const *no, uint32_t nno)
{
  uint32_t m = 0;
  room_for_query(cx, nyes + nno);
  if (!take(cx, &m, yes, nyes, false) || !take(cx, &m, no, nno, true))
    return COND_UNSAT;
  if (m == 0)
    return COND_SAT;
  uint64_t left = cx->budget < cx->allowance ? cx->budget : cx->allowance;
  if (left == 0)
    return COND_UNKNOWN;
  group_conjuncts(cx, m);
  sort_by_group(cx, m);
  cx->steps = left < QUERY_STEPS ? left : QUERY_STEPS;
  uint64_t start = cx->steps;
  cond_result result = COND_SAT;
  for (uint32_t g = 0; g < m && result != COND_UNSAT; g++) {
    uint32_t n = cx->start[g + 1] - cx->start[g];
    cond_result r = n ? search(cx, cx->grouped + cx->start[g], n) : COND_SAT;
    if (r != COND_SAT)
      result = r;
  }
  cx->budget -= start - cx->steps;
  cx->allowance -= start - cx->steps;
  return result;
}

uint32_t cond_bounding_fields(cond_ctx *cx, const cond_formula *const *yes, uint32_t nyes,
                              const cond_formula *const *no, uint32_t nno, const ast_field **out,
                              uint32_t max)
{
  uint32_t n = 0;
  for (uint32_t i = 0; i < nyes + nno; i++) {
    const cond_formula *f = i < nyes ? yes[i] : no[i - nyes];
    for (uint32_t j = 0; j < f->nsubjects && n < max; j++) {
      const ast_field *field = cx->subjects[f->subjects[j]].field;
      bool known = !field;
      for (uint32_t k = 0; k < n && !known; k++)
        known = out[k] == field;
      if (known)
        continue;
      cx->ignore = field;
      if (cond_sat(cx, yes, nyes, no, nno) == COND_SAT)
        out[n++] = field;
      cx->ignore = NULL;
    }
  }
  return n;
}
