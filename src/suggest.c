/*
 * suggest.c -- "did you mean ...?": the closest known name to an unknown one.
 *
 * Pipeline: called by the resolver and checker while reporting an unknown name; the result
 * goes into a diagnostic's help line.  See suggest.h for the scoring rules.  The dynamic
 * programme keeps three rows indexed by the word (at most SUGGEST_MAX_LEN + 1 entries, on the
 * stack) and walks the candidate one code point at a time, so candidates are never copied and
 * may be any length; a candidate is abandoned as soon as a whole row exceeds the distance that
 * could still win.
 */
#include "suggest.h"

#include <stdbool.h>
#include <string.h>

#include "srcfile.h"

static uint32_t fold(uint32_t cp)
{
  return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

static size_t min2(size_t a, size_t b)
{
  return a < b ? a : b;
}

/* Optimal-string-alignment distance between the folded word w[0..n) and the folded code
 * points of cand[0..len).  Gives up and returns bound + 1 once the distance must exceed
 * `bound` (bound < SIZE_MAX). */
static size_t osa(const uint32_t *w, size_t n, const char *cand, size_t len, size_t bound)
{
  size_t rows[3][SUGGEST_MAX_LEN + 1];
  size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  uint32_t prev_c = 0;
  size_t j = 0, pos = 0;

  for (size_t i = 0; i <= n; i++)
    prev[i] = i;
  while (pos < len) {
    uint32_t c;
    pos += src_utf8_decode(cand + pos, len - pos, &c);
    c = fold(c);
    j++;
    cur[0] = j;
    size_t row_min = j;
    for (size_t i = 1; i <= n; i++) {
      size_t v = min2(min2(prev[i], cur[i - 1]) + 1, prev[i - 1] + (w[i - 1] == c ? 0 : 1));
      if (i > 1 && j > 1 && w[i - 1] == prev_c && w[i - 2] == c)
        v = min2(v, prev2[i - 2] + 1);
      cur[i] = v;
      row_min = min2(row_min, v);
    }
    /* A row's minimum never decreases further down, transpositions included. */
    if (row_min > bound)
      return bound + 1;
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
    prev_c = c;
  }
  return prev[n];
}

/* Decodes s[0..len) into w (folded); returns the number of code points, or SIZE_MAX if more
 * than SUGGEST_MAX_LEN. */
static size_t decode_word(const char *s, size_t len, uint32_t *w)
{
  size_t n = 0, pos = 0;
  while (pos < len) {
    uint32_t c;
    if (n == SUGGEST_MAX_LEN)
      return SIZE_MAX;
    pos += src_utf8_decode(s + pos, len - pos, &c);
    w[n++] = fold(c);
  }
  return n;
}

void suggest_init(suggest_state *st, const char *word, size_t len)
{
  memset(st, 0, sizeof *st);
  if (!word)
    return;
  size_t n = decode_word(word, len, st->fold);
  st->n = n == SIZE_MAX ? 0 : n;
  st->raw = word;
  st->raw_len = len;
  if (st->n == 0)
    return;
  /* Accept at most max(1, n/3) edits, and fewer than n (half units: limit < 2n). */
  size_t maxd = st->n / 3 > 1 ? st->n / 3 : 1;
  size_t limit = min2(2 * maxd, 2 * st->n - 1);
  st->best_half = (unsigned)limit + 1; /* limit <= 2 * SUGGEST_MAX_LEN */
}

void suggest_offer(suggest_state *st, const char *cand, size_t len)
{
  if (st->n == 0 || !cand)
    return;
  if (len == st->raw_len && memcmp(cand, st->raw, len) == 0)
    return; /* the word itself: not a suggestion */
  /* To win, 2d (+1 if d == 0) must be below best_half. */
  size_t bound = (st->best_half - 1) / 2;
  size_t d = osa(st->fold, st->n, cand, len, bound);
  if (d > bound)
    return;
  size_t half = d == 0 ? 1 : 2 * d;
  if (half < st->best_half) {
    st->best_half = (unsigned)half;
    st->best = cand;
    st->best_len = len;
  }
}

const char *suggest_best(const suggest_state *st, size_t *len)
{
  if (len)
    *len = st->best ? st->best_len : 0;
  return st->best;
}

const char *suggest_closest(const char *word, size_t len, const char *const *candidates, size_t n)
{
  suggest_state st;
  suggest_init(&st, word, len);
  for (size_t i = 0; candidates && i < n; i++)
    if (candidates[i])
      suggest_offer(&st, candidates[i], strlen(candidates[i]));
  return suggest_best(&st, NULL);
}

uint32_t suggest_distance(const char *a, size_t alen, const char *b, size_t blen)
{
  uint32_t w[SUGGEST_MAX_LEN];
  size_t n = decode_word(a, alen, w);
  if (n == SIZE_MAX)
    return UINT32_MAX;
  if (alen == blen && memcmp(a, b, alen) == 0)
    return 0;
  size_t d = osa(w, n, b, blen, SIZE_MAX - 1);
  if (d == 0)
    return 1;
  return d > UINT32_MAX / 2 ? UINT32_MAX : (uint32_t)(2 * d);
}
