/*
 * cond_values.c -- whether the atoms chosen for one value leave it some value.  See cond.h.
 *
 * The atoms of a value are x < k, x <= k, x = k and x in {..}, each chosen true or false.
 * Together with the value's type (ints and dates whole, money in fen, numbers exact) and
 * its field's declaration they leave it a list of candidates (an = or an in chosen true, or
 * `one of`), each checked in turn, or an interval with finitely many points excluded, which
 * has a value when it holds more points of the type than are excluded.
 */
#include "cond_data.h"

/* ---------------------------------------------------------------- one value's atoms */

/* Whether the declaration of the subject's field is taken into account. */
static bool declared(const cond_ctx *cx, const subject *s)
{
  return s->field && s->field != cx->ignore;
}

bool cond_atom_holds(const subject *s, const atom *x, const cval *v)
{
  switch (x->op) {
  case A_LT: return dec_num_cmp(v->n, x->k.n) < 0;
  case A_LE: return dec_num_cmp(v->n, x->k.n) <= 0;
  case A_EQ: return cond_same_value(s, v, &x->k);
  case A_IN: return cond_in_values(s, v, x->set, x->nset);
  default: return true;
  }
}

uint32_t cond_point(const cond_ctx *cx, const subject *s)
{
  for (uint32_t i = 0; i < s->nchosen; i++)
    if (cx->val[s->chosen[i]] == 1 && cx->atoms[s->chosen[i]].op == A_EQ)
      return s->chosen[i];
  return NO_ATOM;
}

static bool on_grain(const subject *s, dec_num v)
{
  if (s->kind != S_NUM || s->grain == G_DENSE)
    return true;
  return s->grain == G_WHOLE ? v.den == 1 : 100 % v.den == 0;
}

/* Whether the value v meets every chosen atom of s and its declaration. */
static bool value_fits(const cond_ctx *cx, const subject *s, const cval *v)
{
  if (!on_grain(s, v->n))
    return false;
  if (declared(cx, s)) {
    if (s->kind == S_NUM && s->range.has_lo && dec_num_cmp(v->n, s->range.lo) < 0)
      return false;
    if (s->kind == S_NUM && s->range.has_hi && dec_num_cmp(v->n, s->range.hi) > 0)
      return false;
    if (s->allowed && !cond_in_values(s, v, s->allowed, s->nallowed))
      return false;
  }
  for (uint32_t i = 0; i < s->nchosen; i++) {
    uint32_t id = s->chosen[i];
    if (cond_atom_holds(s, &cx->atoms[id], v) != (cx->val[id] == 1))
      return false;
  }
  return true;
}

/* A list the value must be one of, when there is one: a chosen x = k or x in {..}, or the
 * field's `one of`. */
static bool candidates(const cond_ctx *cx, const subject *s, const cval **set, uint32_t *n)
{
  for (uint32_t i = 0; i < s->nchosen; i++) {
    const atom *x = &cx->atoms[s->chosen[i]];
    if (cx->val[s->chosen[i]] != 1)
      continue;
    if (x->op == A_EQ) {
      *set = &x->k;
      *n = 1;
      return true;
    }
    if (x->op == A_IN) {
      *set = x->set;
      *n = x->nset;
      return true;
    }
  }
  if (declared(cx, s) && s->allowed) {
    *set = s->allowed;
    *n = s->nallowed;
    return true;
  }
  return false;
}

/* One end of an interval. */
typedef struct {
  bool has, strict;
  dec_num v;
} bound;

/* Keeps the tighter of b and (v, strict): the higher for a lower end (up), else the lower. */
static void tighten(bound *b, dec_num v, bool strict, bool up)
{
  int c = b->has ? dec_num_cmp(v, b->v) : (up ? 1 : -1);
  if ((up ? c > 0 : c < 0) || (c == 0 && strict)) {
    b->has = true;
    b->v = v;
    b->strict = strict;
  }
}

/* The interval the chosen <, <= atoms and the declaration leave; how many points the
 * chosen = and in atoms exclude. */
static uint64_t interval(const cond_ctx *cx, const subject *s, bound *lo, bound *hi)
{
  uint64_t excluded = 0;
  if (declared(cx, s) && s->range.has_lo)
    tighten(lo, s->range.lo, false, true);
  if (declared(cx, s) && s->range.has_hi)
    tighten(hi, s->range.hi, false, false);
  for (uint32_t i = 0; i < s->nchosen; i++) {
    const atom *x = &cx->atoms[s->chosen[i]];
    int8_t v = cx->val[s->chosen[i]];
    if (x->op == A_LT)
      tighten(v ? hi : lo, x->k.n, v == 1, v == 0); /* x < k, or x >= k */
    else if (x->op == A_LE)
      tighten(v ? hi : lo, x->k.n, v == 0, v == 0); /* x <= k, or x > k */
    else if (v == 0)
      excluded += x->op == A_EQ ? 1 : x->nset;
  }
  return excluded;
}

/* The first point of the grain at or above b (up), or at or below it, in units of the grain
 * (1 or 1/100); beyond it when strict.  False when it does not fit. */
static bool grain_point(dec_num v, int64_t scale, bool strict, bool up, int64_t *out)
{
  dec_num r;
  if (dec_num_mul(v, dec_num_from_int(scale), &r) != DEC_OK)
    return false;
  int64_t q = r.num / r.den, m = r.num % r.den;
  if (up && (m > 0 || (m == 0 && strict))) {
    if (q == INT64_MAX)
      return false;
    q++;
  } else if (!up && (m < 0 || (m == 0 && strict))) {
    if (q == INT64_MIN)
      return false;
    q--;
  }
  *out = q;
  return true;
}

/* Whether some whole number of grain units between lo and hi meets every chosen atom: at most
 * `excluded` points are excluded, so one of the first excluded + 1 points from an end does. */
static bool grain_has_value(const cond_ctx *cx, const subject *s, const bound *lo, const bound *hi,
                            uint64_t excluded)
{
  int64_t scale = s->grain == G_FEN ? 100 : 1, from, to = 0;
  if (!lo->has && !hi->has)
    return true;
  if ((lo->has && !grain_point(lo->v, scale, lo->strict, true, &from)) ||
      (hi->has && !grain_point(hi->v, scale, hi->strict, false, &to)))
    return true; /* too large to reason about: assume it can */
  int64_t step = lo->has ? 1 : -1;
  int64_t p = lo->has ? from : to;
  for (uint64_t i = 0; i <= excluded; i++) {
    if (lo->has && hi->has && p > to)
      return false;
    cval v = {0};
    if (dec_num_div(dec_num_from_int(p), dec_num_from_int(scale), &v.n) != DEC_OK ||
        value_fits(cx, s, &v))
      return true;
    if ((step > 0 && p == INT64_MAX) || (step < 0 && p == INT64_MIN))
      return true;
    p += step;
  }
  return true;
}

/* Whether some exact number between lo and hi meets every chosen atom. */
static bool dense_has_value(const cond_ctx *cx, const subject *s, const bound *lo, const bound *hi)
{
  if (!lo->has || !hi->has)
    return true;
  int c = dec_num_cmp(lo->v, hi->v);
  if (c != 0)
    return c < 0; /* infinitely many, of which finitely many are excluded */
  cval v = {.n = lo->v};
  return !lo->strict && !hi->strict && value_fits(cx, s, &v);
}

bool cond_consistent(cond_ctx *cx, const subject *s)
{
  cond_spend(cx, s->nchosen);
  if (s->kind != S_NUM && s->kind != S_TEXT)
    return true;
  const cval *set;
  uint32_t n;
  if (candidates(cx, s, &set, &n)) {
    cond_spend(cx, n);
    for (uint32_t i = 0; i < n; i++)
      if (value_fits(cx, s, &set[i]))
        return true;
    return false;
  }
  if (s->kind == S_TEXT)
    return true; /* texts are infinitely many */
  bound lo = {0}, hi = {0};
  uint64_t excluded = interval(cx, s, &lo, &hi);
  cond_spend(cx, excluded);
  if (s->grain == G_DENSE)
    return dense_has_value(cx, s, &lo, &hi);
  return grain_has_value(cx, s, &lo, &hi, excluded);
}
