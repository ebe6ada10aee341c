/*
 * diff_by.c -- `elig diff --by GROUP`: the counts per group of one aggregate (diff_data.h
 * says what is counted and how), and, at the end, the groups of both sides matched by key.
 */
#include <stdlib.h>
#include <string.h>

#include "diff_data.h"
#include "mem.h"

/* ---------------------------------------------------------------- value numbers */

static uint64_t hash_text(vtext v)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < v.len; i++)
    h = (h ^ (unsigned char)v.p[i]) * 1099511628211ull;
  return (h ^ (v.none ? 0x1ff : 0xff)) * 1099511628211ull;
}

static bool vdict_is(const vdict *d, uint32_t id, vtext v)
{
  return vtext_eq(vdict_value(d, id), v);
}

static bool vdict_grow(vdict *d)
{
  uint32_t ns = d->nslots ? d->nslots * 2 : 16;
  uint32_t *slots = mem_calloc(ns, sizeof *slots);
  if (!slots)
    return false;
  for (uint32_t i = 0; i < d->n; i++) {
    uint32_t j = (uint32_t)hash_text(vdict_value(d, i)) & (ns - 1);
    while (slots[j])
      j = (j + 1) & (ns - 1);
    slots[j] = i + 1;
  }
  mem_free(d->slots);
  d->slots = slots;
  d->nslots = ns;
  return true;
}

static bool vdict_append(vdict *d, vtext v)
{
  if (d->n == d->cap) {
    uint32_t cap = d->cap ? d->cap * 2 : 8;
    size_t *off = mem_realloc(d->off, cap * sizeof *off);
    if (off)
      d->off = off;
    uint32_t *len = mem_realloc(d->len, cap * sizeof *len);
    if (len)
      d->len = len;
    bool *none = mem_realloc(d->none, cap * sizeof *none);
    if (none)
      d->none = none;
    if (!off || !len || !none)
      return false;
    d->cap = cap;
  }
  d->off[d->n] = d->text.len;
  d->len[d->n] = (uint32_t)v.len;
  d->none[d->n] = v.none;
  wbuf_put(&d->text, v.p, v.len);
  d->n++;
  return !d->text.failed;
}

/* v's number, given it the first time; BY_OTHER_VALUE once the dictionary is full, and
 * UINT32_MAX when out of memory. */
static uint32_t vdict_id(vdict *d, vtext v)
{
  /* a register's records mostly repeat the value before */
  if (d->last && vdict_is(d, d->last - 1, v))
    return d->last - 1;
  if ((d->n + 1) * 2 > d->nslots && d->n < BY_OTHER_VALUE && !vdict_grow(d))
    return UINT32_MAX;
  uint32_t j = (uint32_t)hash_text(v) & (d->nslots - 1);
  for (; d->slots[j]; j = (j + 1) & (d->nslots - 1))
    if (vdict_is(d, d->slots[j] - 1, v))
      return (d->last = d->slots[j]) - 1;
  if (d->n >= BY_OTHER_VALUE)
    return BY_OTHER_VALUE;
  if (!vdict_append(d, v))
    return UINT32_MAX;
  d->slots[j] = d->last = d->n;
  return d->n - 1;
}

static void vdict_fini(vdict *d)
{
  wbuf_free(&d->text);
  mem_free(d->off);
  mem_free(d->len);
  mem_free(d->none);
  mem_free(d->slots);
  memset(d, 0, sizeof *d);
}

/* ---------------------------------------------------------------- counts by key */

/* A 64-bit key's slot: Murmur's mixer, as agg.c's, for keys that differ in a few bits. */
static uint64_t mix(uint64_t h)
{
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

static bool ttable_grow(ttable *t)
{
  uint64_t cap = t->cap ? t->cap * 2 : 256;
  uint64_t *keys = mem_calloc(cap, sizeof *keys), *counts = mem_calloc(cap, sizeof *counts);
  if (!keys || !counts) {
    mem_free(keys);
    mem_free(counts);
    return false;
  }
  for (uint64_t i = 0; i < t->cap; i++) {
    if (!t->keys[i])
      continue;
    uint64_t j = mix(t->keys[i]) & (cap - 1);
    while (keys[j])
      j = (j + 1) & (cap - 1);
    keys[j] = t->keys[i];
    counts[j] = t->counts[i];
  }
  mem_free(t->keys);
  mem_free(t->counts);
  t->keys = keys;
  t->counts = counts;
  t->cap = cap;
  t->last = 0;
  return true;
}

/* Counts one under key; false when out of memory. */
static bool ttable_add(ttable *t, uint64_t key)
{
  key++;
  if (t->last && t->keys[t->last - 1] == key) {
    t->counts[t->last - 1]++;
    return true;
  }
  if ((t->n + 1) * 2 > t->cap && !ttable_grow(t))
    return false;
  uint64_t j = mix(key) & (t->cap - 1);
  while (t->keys[j] && t->keys[j] != key)
    j = (j + 1) & (t->cap - 1);
  if (!t->keys[j]) {
    t->keys[j] = key;
    t->n++;
  }
  t->counts[j]++;
  t->last = j + 1;
  return true;
}

/* (group, decision, old value, new value) as one key, and back.  The key holds groups x
 * decisions below 2^42: four million groups (a register has some hundred thousand villages)
 * of a thousand decisions. */
static uint64_t trans_key(const by_count *c, uint32_t g, uint32_t dec, uint32_t va, uint32_t vb)
{
  uint64_t gd = (uint64_t)g * c->ndecs + dec;
  return gd << (2 * BY_VALUE_BITS) | (uint64_t)va << BY_VALUE_BITS | vb;
}

static by_trans trans_of(const by_count *c, uint64_t key, uint64_t count)
{
  uint64_t mask = (1u << BY_VALUE_BITS) - 1, gd = key >> (2 * BY_VALUE_BITS);
  uint32_t dec = (uint32_t)(gd % c->ndecs);
  by_trans t = {(uint32_t)(gd / c->ndecs),
                dec,
                (uint32_t)(key >> BY_VALUE_BITS & mask),
                (uint32_t)(key & mask),
                &c->values[dec],
                count};
  return t;
}

/* ---------------------------------------------------------------- counting */

bool by_init(by_count *c, uint32_t map, const uint32_t agg[2], uint32_t ndecs, uint32_t nflags)
{
  memset(c, 0, sizeof *c);
  c->map = map;
  c->agg[0] = agg[0];
  c->agg[1] = agg[1];
  c->ndecs = ndecs;
  c->nflags = nflags;
  c->values = mem_calloc(ndecs + 1, sizeof *c->values);
  return c->values != NULL;
}

void by_fini(by_count *c)
{
  for (uint32_t i = 0; c->values && i < c->ndecs; i++)
    vdict_fini(&c->values[i]);
  mem_free(c->values);
  mem_free(c->trans.keys);
  mem_free(c->trans.counts);
  mem_free(c->compared);
  mem_free(c->rejected_new);
  mem_free(c->flags);
  mem_free(c->rejected_old);
  memset(c, 0, sizeof *c);
}

/* p grown from `from` to `to` elements of `size` bytes, the new ones zero; NULL when out of
 * memory (p is then as it was). */
static void *grow_zeroed(void *p, size_t from, size_t to, size_t size)
{
  char *q = mem_realloc(p, to * size);
  if (q)
    memset(q + from * size, 0, (to - from) * size);
  return q;
}

/* Each array of side k from `from` groups to `to`. */
static bool grow_side(by_count *c, int k, size_t from, size_t to)
{
  if (k == 1) {
    uint64_t *rejected_old = grow_zeroed(c->rejected_old, from, to, sizeof *rejected_old);
    if (rejected_old)
      c->rejected_old = rejected_old;
    return rejected_old != NULL;
  }
  uint64_t *compared = grow_zeroed(c->compared, from, to, sizeof *compared);
  if (compared)
    c->compared = compared;
  uint64_t *rejected_new = grow_zeroed(c->rejected_new, from, to, sizeof *rejected_new);
  if (rejected_new)
    c->rejected_new = rejected_new;
  /* + 1: never an allocation of 0 bytes, with no flags */
  uint64_t *flags =
      grow_zeroed(c->flags, from * c->nflags * 2, to * c->nflags * 2 + 1, sizeof *flags);
  if (flags)
    c->flags = flags;
  return compared && rejected_new && flags;
}

bool by_group_room(by_count *c, int k, uint32_t index)
{
  if (index < c->cap[k])
    return true;
  size_t from = c->cap[k], to = from ? from : 64;
  while (to <= index)
    to *= 2;
  if (!grow_side(c, k, from, to))
    return false;
  c->cap[k] = (uint32_t)to;
  return true;
}

bool by_decision(by_count *c, uint32_t g, uint32_t dec, vtext a, vtext b)
{
  uint32_t va = vdict_id(&c->values[dec], a), vb = vdict_id(&c->values[dec], b);
  if (va == UINT32_MAX || vb == UINT32_MAX)
    return false;
  return ttable_add(&c->trans, trans_key(c, g, dec, va, vb));
}

/* ---------------------------------------------------------------- the groups of both sides */

/* The groups of both sides in key order (as the aggregate's section matches them). */
static bool match_by_key(by_outcome *o, const agg_map *m)
{
  gpair *pairs = mem_alloc(((size_t)m->g[0].n + m->g[1].n + 1) * sizeof *pairs);
  o->groups = mem_calloc(m->g[0].n + m->g[1].n + 1, sizeof *o->groups);
  uint32_t n = 0;
  bool ok = pairs && o->groups && agg_map_pairs(m, pairs, &n);
  for (uint32_t i = 0; ok && i < n; i++) {
    by_group *bg = &o->groups[o->n++];
    bg->g[0] = pairs[i].g[0];
    bg->g[1] = pairs[i].g[1];
  }
  mem_free(pairs);
  return ok;
}

static int trans_order(const void *x, const void *y)
{
  const by_trans *a = x, *b = y;
  if (a->group != b->group)
    return a->group < b->group ? -1 : 1;
  if (a->dec != b->dec)
    return a->dec < b->dec ? -1 : 1;
  const vdict *d = a->vals;
  vtext u = vdict_value(d, a->va), v = vdict_value(d, b->va);
  int c = u.none != v.none ? (u.none ? 1 : -1) : text_cmp(u.p, u.len, v.p, v.len);
  if (c)
    return c;
  u = vdict_value(d, a->vb);
  v = vdict_value(d, b->vb);
  return u.none != v.none ? (u.none ? 1 : -1) : text_cmp(u.p, u.len, v.p, v.len);
}

/* The counts of each group, and its pairs of values from the table, in group order. */
static bool gather(by_outcome *o, const by_count *c, const uint32_t *const order[2])
{
  uint32_t *group_of_old = mem_alloc(((size_t)c->cap[0] + 1) * sizeof *group_of_old);
  o->trans = mem_alloc((c->trans.n + 1) * sizeof *o->trans);
  if (!group_of_old || !o->trans) {
    mem_free(group_of_old);
    return false;
  }
  for (uint32_t i = 0; i < o->n; i++) {
    by_group *bg = &o->groups[i];
    bg->old_index = bg->g[0] != NONE_IDX ? order[0][bg->g[0]] : NONE_IDX;
    uint32_t ni = bg->g[1] != NONE_IDX ? order[1][bg->g[1]] : NONE_IDX;
    if (bg->old_index < c->cap[0]) {
      group_of_old[bg->old_index] = i;
      bg->compared = c->compared[bg->old_index];
      bg->rejected_new = c->rejected_new[bg->old_index];
    }
    if (ni < c->cap[1])
      bg->rejected_old = c->rejected_old[ni];
  }
  for (uint64_t s = 0; s < c->trans.cap; s++)
    if (c->trans.keys[s]) {
      by_trans t = trans_of(c, c->trans.keys[s] - 1, c->trans.counts[s]);
      t.group = group_of_old[t.group];
      o->trans[o->ntrans++] = t;
    }
  mem_free(group_of_old);
  qsort(o->trans, o->ntrans, sizeof *o->trans, trans_order);
  for (uint32_t i = 0; i < o->ntrans; i++) {
    by_group *bg = &o->groups[o->trans[i].group];
    if (!bg->ntrans++)
      bg->trans_at = i;
  }
  return true;
}

bool by_outcome_build(by_outcome *o, const by_count *c, const agg_map *m,
                      const prog_aggregate *const A[2], const uint32_t *const order[2])
{
  memset(o, 0, sizeof *o);
  o->m = m;
  o->A[0] = A[0];
  o->A[1] = A[1];
  o->c = c;
  return match_by_key(o, m) && gather(o, c, order);
}

void by_outcome_fini(by_outcome *o)
{
  mem_free(o->groups);
  mem_free(o->trans);
  memset(o, 0, sizeof *o);
}
