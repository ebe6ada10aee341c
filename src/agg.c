/*
 * agg.c -- group tables for aggregates.  See agg.h.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "agg.h"

/* What a first() keeps besides its value: the record that gave it, and a copy of its text
 * (the record's own dies with its chunk). */
typedef struct {
  uint64_t seq; /* UINT64_MAX until a record gives a value */
  char *text;   /* a text value's copy, or NULL */
} agg_first;

/* A group is one block: this header, then its keys (nkeys values), its accumulators (naccs
 * values), an agg_first per first(), and the bytes of its text keys.  A register holds
 * hundreds of thousands of villages: every pointer a group does without is memory the run
 * does not need (doc/performance.md). */
struct agg_group {
  uint64_t hash;
  bool overflow;
  uint32_t index; /* the table's groups numbered in the order they were made (agg_last_index);
                     in the padding after overflow, so a group is no bigger for it */
};

static vm_val *keys_of(const agg_group *g)
{
  return (vm_val *)(g + 1);
}

static vm_val *accs_of(const prog_aggregate *A, const agg_group *g)
{
  return keys_of(g) + A->nkeys;
}

static agg_first *firsts_of(const prog_aggregate *A, const agg_group *g)
{
  return (agg_first *)(accs_of(A, g) + A->naccs);
}

void agg_table_init(agg_table *t, const prog_aggregate *A)
{
  memset(t, 0, sizeof *t);
  t->A = A;
}

void agg_table_ranges(agg_table *t)
{
  t->ranges = true;
}

/* Three values.  A table that keeps ranges gives each group, after its first()s, the
 * highest value of each accumulator (the accumulator itself holds the lowest) and a byte
 * per accumulator: BOUNDED while both are known, UNBOUNDED once a record gave it something
 * with no bound (an unknown value of a let, say), or, for min, max, any, all and first(),
 * anything uncertain at all.  A record whose `where` is undetermined counts in the highest
 * count and not in the lowest; an unknown field summed counts with its declared bounds
 * (`size between 1 and 30`). */
enum {
  BOUNDED,
  UNBOUNDED
};

static vm_val *his_of(const prog_aggregate *A, const agg_group *g)
{
  return (vm_val *)(firsts_of(A, g) + A->nfirsts);
}

static uint8_t *states_of(const prog_aggregate *A, const agg_group *g)
{
  return (uint8_t *)(his_of(A, g) + A->naccs);
}

/* What a group holds beyond its block (which its table's arena frees): first() texts. */
static void group_release(agg_group *g, const prog_aggregate *A)
{
  if (!g)
    return;
  for (uint32_t i = 0; i < A->nfirsts; i++) {
    mem_free(firsts_of(A, g)[i].text);
    firsts_of(A, g)[i].text = NULL;
  }
}

void agg_table_fini(agg_table *t)
{
  for (uint32_t i = 0; i < t->cap; i++)
    group_release(t->slots[i], t->A);
  mem_free(t->slots);
  mem_free(t->hashes);
  arena_free(t->groups);
  memset(t, 0, sizeof *t);
}

/* The 8-byte words of the n bytes at p, the last one padded with zero bytes, folded into h. */
static inline uint64_t hash_words(uint64_t h, const char *p, uint32_t n)
{
  uint32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    uint64_t w;
    memcpy(&w, p + j, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  if (j < n) {
    uint64_t w = 0;
    memcpy(&w, p + j, n - j);
    h = (h ^ w) * 1099511628211ull;
  }
  return h;
}

/* The key values a word at a time (FNV-1a's prime over words, and each text's length), then
 * mixed.  Every record of a register in household order hashes its village's and county's
 * keys: byte by byte, that was a hundred instructions a key.  Which hash makes no
 * difference to the output: groups are written in the order of their keys. */
static uint64_t hash_keys(const prog_aggregate *A, const vm_val *k)
{
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < A->nkeys; i++) {
    if (A->key_types[i].base == TY_TEXT)
      h = hash_words((h ^ k[i].u.s.len) * 1099511628211ull, k[i].u.s.p, k[i].u.s.len);
    else
      h = (h ^ (uint64_t)k[i].u.i) * 1099511628211ull;
  }
  /* the table index takes the low bits, which the multiplications mix poorly: finish with
   * MurmurHash3's 64-bit mixer */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

static int key_cmp(const prog_aggregate *A, const vm_val *a, const vm_val *b)
{
  for (uint32_t i = 0; i < A->nkeys; i++) {
    int c;
    if (A->key_types[i].base == TY_TEXT) {
      uint32_t l = a[i].u.s.len < b[i].u.s.len ? a[i].u.s.len : b[i].u.s.len;
      c = memcmp(a[i].u.s.p, b[i].u.s.p, l);
      if (!c)
        c = a[i].u.s.len < b[i].u.s.len ? -1 : a[i].u.s.len > b[i].u.s.len;
    } else {
      c = a[i].u.i < b[i].u.i ? -1 : a[i].u.i > b[i].u.i;
    }
    if (c)
      return c;
  }
  return 0;
}

/* Whether the n bytes at a and b are the same: a word at a time, the last word overlapping
 * the one before (keys are a few bytes: a village code has 12, a county's 6). */
static inline bool same_bytes(const char *a, const char *b, uint32_t n)
{
  if (n >= 8) {
    uint64_t x, y;
    for (uint32_t j = 0; j + 8 < n; j += 8) {
      memcpy(&x, a + j, 8);
      memcpy(&y, b + j, 8);
      if (x != y)
        return false;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x0, y0, x1, y1;
    memcpy(&x0, a, 4);
    memcpy(&y0, b, 4);
    memcpy(&x1, a + n - 4, 4);
    memcpy(&y1, b + n - 4, 4);
    return x0 == y0 && x1 == y1;
  }
  for (uint32_t j = 0; j < n; j++)
    if (a[j] != b[j])
      return false;
  return true;
}

/* Whether key_cmp would say 0, without its call to memcmp: every record finds its group by
 * comparing keys of a few bytes (a village code, a year), where the call cost more than the
 * comparison. */
static bool key_equal(const prog_aggregate *A, const vm_val *a, const vm_val *b)
{
  for (uint32_t i = 0; i < A->nkeys; i++) {
    if (A->key_types[i].base != TY_TEXT
            ? a[i].u.i != b[i].u.i
            : a[i].u.s.len != b[i].u.s.len || !same_bytes(a[i].u.s.p, b[i].u.s.p, a[i].u.s.len))
      return false;
  }
  return true;
}

/* A new group for keys, their texts copied into its block. */
static agg_group *group_new(agg_table *t, const vm_val *keys, uint64_t hash)
{
  const prog_aggregate *A = t->A;
  size_t text = 0;
  for (uint32_t i = 0; i < A->nkeys; i++)
    if (A->key_types[i].base == TY_TEXT && !keys[i].none)
      text += keys[i].u.s.len;
  size_t ranges = t->ranges ? A->naccs * (sizeof(vm_val) + 1) : 0;
  size_t size = sizeof(agg_group) + (A->nkeys + A->naccs) * sizeof(vm_val) +
                A->nfirsts * sizeof(agg_first) + ranges + text;
  if (!t->groups && !(t->groups = arena_new()))
    return NULL;
  agg_group *g = arena_alloc(t->groups, size); /* zeroed */
  if (!g)
    return NULL;
  g->hash = hash;
  vm_val *k = keys_of(g), *acc = accs_of(A, g);
  agg_first *first = firsts_of(A, g);
  char *bytes = (char *)(first + A->nfirsts) + ranges;
  memcpy(k, keys, A->nkeys * sizeof *keys);
  for (uint32_t i = 0; i < A->nkeys; i++)
    if (A->key_types[i].base == TY_TEXT && !k[i].none) {
      memcpy(bytes, k[i].u.s.p, k[i].u.s.len);
      k[i].u.s.p = bytes;
      bytes += k[i].u.s.len;
    }
  for (uint32_t i = 0; i < A->naccs; i++) {
    int func = A->accs[i].func;
    acc[i].none = func == ACC_MIN || func == ACC_MAX || func == ACC_FIRST;
    if (func == ACC_ALL)
      acc[i].u.i = 1;
  }
  for (uint32_t i = 0; i < A->nfirsts; i++)
    first[i].seq = UINT64_MAX;
  if (t->ranges)
    memcpy(his_of(A, g), acc, A->naccs * sizeof *acc);
  return g;
}

static bool grow(agg_table *t)
{
  uint32_t cap = t->cap ? t->cap * 2 : 64;
  agg_group **slots = mem_calloc(cap, sizeof *slots);
  uint64_t *hashes = mem_calloc(cap, sizeof *hashes);
  if (!slots || !hashes) {
    mem_free(slots);
    mem_free(hashes);
    return false;
  }
  for (uint32_t i = 0; i < t->cap; i++) {
    agg_group *g = t->slots[i];
    if (!g)
      continue;
    uint32_t j = (uint32_t)g->hash & (cap - 1);
    while (slots[j])
      j = (j + 1) & (cap - 1);
    slots[j] = g;
    hashes[j] = g->hash;
  }
  mem_free(t->slots);
  mem_free(t->hashes);
  t->slots = slots;
  t->hashes = hashes;
  t->cap = cap;
  return true;
}

/* The group for keys, created when new; NULL when out of memory. */
static agg_group *find(agg_table *t, const vm_val *keys, uint64_t hash, agg_group *adopt)
{
  if ((t->n + 1) * 4 > t->cap * 3 && !grow(t))
    return NULL;
  /* Registers come sorted by place more often than not: consecutive records of one village
   * find their group without probing. */
  if (t->last && t->last->hash == hash && key_equal(t->A, keys_of(t->last), keys))
    return t->last;
  /* Probing reads only the hash array: with many groups, touching each group on the way
   * would cost a cache miss per probe. */
  uint32_t j = (uint32_t)hash & (t->cap - 1);
  for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
    if (t->hashes[j] == hash && key_equal(t->A, keys_of(t->slots[j]), keys))
      return t->last = t->slots[j];
  agg_group *g = adopt ? adopt : group_new(t, keys, hash);
  if (g && !adopt)
    g->index = t->n;
  if (g) {
    t->slots[j] = g;
    t->hashes[j] = hash;
    t->n++;
    t->last = g;
  }
  return g;
}

static bool less(ty_type t, const vm_val *a, const vm_val *b)
{
  if (t.base == TY_NUMBER || t.base == TY_PERCENT)
    return dec_num_cmp(a->u.n, b->u.n) < 0;
  return a->u.i < b->u.i;
}

/* Adds v to a count or sum a (NULL: one record); false on overflow. */
static inline __attribute__((always_inline)) bool add_to(const prog_acc *acc, vm_val *a,
                                                         const vm_val *v)
{
  if (acc->func == ACC_COUNT)
    return !__builtin_add_overflow(a->u.i, v ? v->u.i : 1, &a->u.i);
  if (acc->type.base == TY_NUMBER || acc->type.base == TY_PERCENT) {
    dec_num s;
    if (dec_num_add(a->u.n.den ? a->u.n : dec_num_from_int(0), v->u.n, &s) != DEC_OK)
      return false;
    a->u.n = s;
    return true;
  }
  return !__builtin_add_overflow(a->u.i, v->u.i, &a->u.i);
}

/* Folds value v (with record order seq) into accumulator i of g. */
static inline __attribute__((always_inline)) bool fold(const prog_aggregate *A, agg_group *g,
                                                       uint32_t i, const vm_val *v, uint64_t seq)
{
  const prog_acc *acc = &A->accs[i];
  vm_val *a = &accs_of(A, g)[i];
  switch (acc->func) {
  case ACC_COUNT:
  case ACC_SUM: return add_to(acc, a, v);
  case ACC_MIN:
  case ACC_MAX:
    if (v->none)
      return true;
    if (a->none || (acc->func == ACC_MIN ? less(acc->type, v, a) : less(acc->type, a, v)))
      *a = *v;
    return true;
  case ACC_ANY: a->u.i |= v->u.i; return true;
  case ACC_ALL: a->u.i &= v->u.i; return true;
  case ACC_FIRST: {
    agg_first *f = &firsts_of(A, g)[acc->first];
    if (seq < f->seq) {
      *a = *v;
      f->seq = seq;
    }
    return true;
  }
  }
  return true;
}

/* What a record gives accumulator i: its value, whether it counts (0 no, 1 yes, 2 maybe:
 * its `where` is undetermined) and whether its value is unknown. */
typedef struct {
  vm_val v;
  uint8_t take;
  bool unknown;
} acc_in;

/* The bounds an unknown value of accumulator acc can take: those its field declares (an
 * int or money field `between` two values).  False when it has none. */
static bool value_bounds(const elig_program *P, const prog_acc *acc, vm_val *lo, vm_val *hi)
{
  const prog_record *rec = prog_main_record(P);
  if (acc->value_cell != UINT32_MAX || acc->value_reg >= rec->nfields)
    return false;
  const prog_field *f = &rec->fields[acc->value_reg];
  if (!f->has_min || !f->has_max || (f->type.base != TY_INT && f->type.base != TY_MONEY))
    return false;
  *lo = f->min;
  *hi = f->max;
  return true;
}

/* Folds a doubtful contribution (a `where` undetermined, or an unknown value) into the
 * range of accumulator i of g: its lowest and highest.  False on overflow. */
static bool fold_doubt(const elig_program *P, const prog_aggregate *A, agg_group *g, uint32_t i,
                       const acc_in *in)
{
  const prog_acc *acc = &A->accs[i];
  vm_val *lo = &accs_of(A, g)[i], *hi = &his_of(A, g)[i];
  uint8_t *state = &states_of(A, g)[i];
  if (acc->func == ACC_COUNT) /* a record that may count */
    return add_to(acc, hi, NULL);
  if (acc->func != ACC_SUM) {
    *state = UNBOUNDED;
    return true;
  }
  vm_val vlo = in->v, vhi = in->v;
  bool number = acc->type.base == TY_NUMBER || acc->type.base == TY_PERCENT;
  if (in->unknown && (number || !value_bounds(P, acc, &vlo, &vhi))) {
    *state = UNBOUNDED;
    return true;
  }
  if (in->take == 2) { /* counted or not: the range takes in 0 */
    if (number) {
      dec_num zero = dec_num_from_int(0);
      if (dec_num_cmp(vlo.u.n, zero) > 0)
        vlo.u.n = zero;
      if (dec_num_cmp(vhi.u.n, zero) < 0)
        vhi.u.n = zero;
    } else {
      vlo.u.i = vlo.u.i < 0 ? vlo.u.i : 0;
      vhi.u.i = vhi.u.i > 0 ? vhi.u.i : 0;
    }
  }
  return add_to(acc, lo, &vlo) && add_to(acc, hi, &vhi);
}

vm_status agg_add(agg_table *t, vm_ctx *ctx, uint64_t seq)
{
  const prog_aggregate *A = t->A;
  vm_val keys[16], *kp = keys;
  acc_in ins[64], *ip = ins;
  vm_status st = VM_OK;
  if (A->nkeys > 16 && !(kp = mem_alloc(A->nkeys * sizeof *kp)))
    return VM_ERR_NO_MEMORY;
  if (A->naccs > 64 && !(ip = mem_alloc(A->naccs * sizeof *ip))) {
    if (kp != keys)
      mem_free(kp);
    return VM_ERR_NO_MEMORY;
  }
  /* Compute everything first, so that a failure leaves the group untouched. */
  for (uint32_t i = 0; i < A->nkeys && st == VM_OK; i++) {
    if (A->key_cells[i] != UINT32_MAX)
      st = vm_ensure(ctx, A->key_cells[i]);
    const vm_val *k = A->key_cells[i] != UINT32_MAX ? vm_cell_value(ctx, A->key_cells[i])
                                                    : vm_field_value(ctx, A->key_src[i]);
    kp[i] = *k;
    if (st == VM_OK && (t->unknown_key = vm_unknown_of(ctx, k)))
      st = VM_ERR_UNKNOWN_GROUP; /* a record cannot be counted in a group it may not be in */
  }
  /* three values, and this record has unknowns: only a table that keeps ranges can count it
   * (step_set_undetermined and the library's contexts make theirs so) */
  bool doubt = vm_record_unknown(ctx) != 0;
  if (doubt && !t->ranges) {
    t->unknown_key = vm_record_unknown(ctx);
    return VM_ERR_UNKNOWN_GROUP;
  }
  for (uint32_t i = 0; i < A->naccs && st == VM_OK; i++) {
    const prog_acc *acc = &A->accs[i];
    acc_in *in = &ip[i];
    memset(in, 0, sizeof *in);
    in->take = 1;
    if (acc->where_cell != UINT32_MAX) {
      st = vm_ensure(ctx, acc->where_cell);
      const vm_val *w = vm_cell_value(ctx, acc->where_cell);
      in->take = st != VM_OK ? 0 : doubt && vm_unknown_of(ctx, w) ? 2 : w->u.i != 0;
    }
    in->v.none = !in->take; /* none: this record does not count for accumulator i */
    if (in->take && st == VM_OK && acc->has_value) {
      if (acc->value_cell != UINT32_MAX)
        st = vm_ensure(ctx, acc->value_cell);
      const vm_val *v = acc->value_cell != UINT32_MAX ? vm_cell_value(ctx, acc->value_cell)
                                                      : vm_field_value(ctx, acc->value_reg);
      in->v = *v;
      in->v.none = false;
      in->unknown = doubt && vm_unknown_of(ctx, v) != 0;
    } else if (in->take && !acc->has_value) {
      in->v.u.i = 1; /* count(), any(where c), all(where c) */
    }
  }
  agg_group *g = NULL;
  if (st == VM_OK) {
    /* consecutive records of one village: no hashing at all */
    if (t->last && key_equal(A, keys_of(t->last), kp))
      g = t->last;
    else
      g = find(t, kp, hash_keys(A, kp), NULL);
    if (!g)
      st = VM_ERR_NO_MEMORY;
  }
  for (uint32_t i = 0; g && i < A->naccs; i++) {
    acc_in *in = &ip[i];
    if (!in->take)
      continue;
    const prog_acc *acc = &A->accs[i];
    if (doubt && (in->take == 2 || in->unknown)) {
      if (!fold_doubt(vm_program(ctx), A, g, i, in))
        g->overflow = t->overflow = true;
      continue;
    }
    agg_first *f = acc->func == ACC_FIRST ? &firsts_of(A, g)[acc->first] : NULL;
    if (f && acc->type.base == TY_TEXT && seq < f->seq) {
      /* keep a copy: the record's text dies with its chunk */
      char *copy = mem_realloc(f->text, in->v.u.s.len + 1);
      if (!copy) {
        st = VM_ERR_NO_MEMORY;
        break;
      }
      memcpy(copy, in->v.u.s.p, in->v.u.s.len);
      f->text = copy;
      in->v.u.s.p = copy;
    }
    const vm_val *v = acc->func == ACC_COUNT ? NULL : &in->v;
    if (!fold(A, g, i, v, seq) || (t->ranges && (acc->func == ACC_COUNT || acc->func == ACC_SUM) &&
                                   !add_to(acc, &his_of(A, g)[i], v)))
      g->overflow = t->overflow = true;
  }
  if (kp != keys)
    mem_free(kp);
  if (ip != ins)
    mem_free(ip);
  return st;
}

/* Folds group src into dst, which has the same keys. */
static bool combine(const agg_table *t, agg_group *dst, agg_group *src)
{
  const prog_aggregate *A = t->A;
  bool ok = true;
  vm_val *dacc = accs_of(A, dst), *sacc = accs_of(A, src);
  for (uint32_t i = 0; i < A->naccs; i++) {
    const prog_acc *acc = &A->accs[i];
    vm_val *v = &sacc[i];
    if (t->ranges) {
      states_of(A, dst)[i] |= states_of(A, src)[i];
      if (acc->func == ACC_COUNT || acc->func == ACC_SUM)
        ok &= add_to(acc, &his_of(A, dst)[i], &his_of(A, src)[i]);
    }
    switch (acc->func) {
    case ACC_COUNT: ok &= !__builtin_add_overflow(dacc[i].u.i, v->u.i, &dacc[i].u.i); break;
    case ACC_FIRST: {
      agg_first *d = &firsts_of(A, dst)[acc->first], *s = &firsts_of(A, src)[acc->first];
      if (!v->none && s->seq < d->seq) {
        dacc[i] = *v;
        d->seq = s->seq;
        if (acc->type.base == TY_TEXT) {
          /* take src's copy */
          mem_free(d->text);
          d->text = s->text;
          s->text = NULL;
        }
      }
      break;
    }
    case ACC_MIN:
    case ACC_MAX:
      if (v->none)
        break;
      /* fall through */
    default: ok &= fold(A, dst, i, v, 0); break;
    }
  }
  dst->overflow |= src->overflow || !ok;
  return !dst->overflow;
}

bool agg_merge(agg_table *dst, agg_table *src, uint64_t shift)
{
  const prog_aggregate *A = dst->A;
  /* dst adopts some of src's groups as they are: it takes over the arena they live in */
  if (src->groups && !dst->groups) {
    dst->groups = src->groups;
    src->groups = NULL;
  } else if (src->groups) {
    arena_adopt(dst->groups, src->groups);
  }
  bool ok = true;
  for (uint32_t i = 0; i < src->cap; i++) {
    agg_group *g = src->slots[i];
    if (!g)
      continue;
    src->slots[i] = NULL;
    if (!ok) { /* out of memory already: what is left is only released */
      group_release(g, A);
      continue;
    }
    for (uint32_t k = 0; shift && k < A->nfirsts; k++)
      if (firsts_of(A, g)[k].seq != UINT64_MAX)
        firsts_of(A, g)[k].seq += shift;
    agg_group *d = find(dst, keys_of(g), g->hash, g);
    if (!d) {
      group_release(g, A);
      ok = false;
    } else if (d != g) {
      if (!combine(dst, d, g))
        dst->overflow = true;
      group_release(g, A);
    }
  }
  src->last = NULL;
  src->n = 0;
  dst->overflow |= src->overflow;
  return ok;
}

uint32_t agg_last_index(const agg_table *t)
{
  return t->last ? t->last->index : UINT32_MAX;
}

const vm_val *agg_last_keys(const agg_table *t)
{
  return t->last ? keys_of(t->last) : NULL;
}

/* qsort has no context argument in C11, so each entry carries its aggregate. */
typedef struct {
  const prog_aggregate *A;
  agg_group *g;
} sort_entry;

static int group_order(const void *a, const void *b)
{
  const sort_entry *x = a, *y = b;
  return key_cmp(x->A, keys_of(x->g), keys_of(y->g));
}

/* A group's values under three values.  The group's own values (incidence, exit) are
 * computed at each corner of the box its uncertain accumulators span (each count and sum at
 * its lowest or its highest): a value is a range from the least to the greatest it takes
 * there, and a decision or a text is undetermined unless it is the same at every corner.
 * That is exact for values that grow or shrink with each count and sum, as shares such as
 * poor_population / population and the tests on them do; an accumulator with no bound
 * (UNBOUNDED) is an unknown value in the group's evaluation.  At most AGG_MAX_CORNER_ACCS
 * accumulators span corners: any more are unknown too. */
#define AGG_MAX_CORNER_ACCS 10

static int range_cmp(ty_type t, const vm_val *a, const vm_val *b)
{
  if (a->none || b->none)
    return a->none == b->none ? 0 : a->none ? -1 : 1;
  switch (t.base) {
  case TY_NUMBER:
  case TY_PERCENT: return dec_num_cmp(a->u.n, b->u.n);
  case TY_TEXT: {
    uint32_t l = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.p, b->u.s.p, l);
    return c ? c : a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
  }
  default: return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
  }
}

/* Takes in the value of column c at one corner. */
static void range_add(agg_range *r, const prog_column *c, const vm_ctx *ctx, bool first)
{
  const vm_val *v = vm_column_value(ctx, c);
  if (r->kind == AGG_UNDETERMINED)
    return;
  if (vm_unknown_of(ctx, v)) {
    r->kind = AGG_UNDETERMINED;
    return;
  }
  if (first) {
    r->kind = AGG_EXACT;
    r->lo = r->hi = *v;
    return;
  }
  bool ordered = c->type.base != TY_TEXT && c->type.base != TY_BOOL && c->type.base != TY_LIST;
  if (range_cmp(c->type, v, &r->lo) < 0)
    r->lo = *v;
  else if (range_cmp(c->type, v, &r->hi) > 0)
    r->hi = *v;
  else
    return;
  r->kind = ordered && !r->lo.none && !r->hi.none ? AGG_RANGE : AGG_UNDETERMINED;
}

/* Computes the columns of group g into ctx and, when any of its accumulators is uncertain,
 * their ranges into ranges[] (returns true); false when it is exact. */
static vm_status group_values(agg_table *t, agg_group *g, vm_ctx *ctx, const prog_column *cols,
                              uint32_t ncols, agg_range *ranges, bool *ranged)
{
  const prog_aggregate *A = t->A;
  uint32_t corner[AGG_MAX_CORNER_ACCS], ncorner = 0;
  bool unbounded = false;
  *ranged = false;
  for (uint32_t i = 0; t->ranges && i < A->naccs; i++) {
    bool spans = (A->accs[i].func == ACC_COUNT || A->accs[i].func == ACC_SUM) &&
                 range_cmp(A->accs[i].type, &accs_of(A, g)[i], &his_of(A, g)[i]) != 0;
    if (states_of(A, g)[i] == UNBOUNDED || (spans && ncorner == AGG_MAX_CORNER_ACCS))
      unbounded = true;
    else if (spans)
      corner[ncorner++] = i;
  }
  *ranged = unbounded || ncorner;
  vm_status st = VM_OK;
  for (uint32_t m = 0; m < (1u << ncorner) && st == VM_OK; m++) {
    vm_begin_record(ctx);
    memcpy(vm_group_keys(ctx, A), keys_of(g), A->nkeys * sizeof(vm_val));
    vm_val *accs = vm_group_accs(ctx, A);
    memcpy(accs, accs_of(A, g), A->naccs * sizeof(vm_val));
    for (uint32_t k = 0; k < ncorner; k++)
      if (m & (1u << k))
        accs[corner[k]] = his_of(A, g)[corner[k]];
    for (uint32_t i = 0; unbounded && i < A->naccs; i++) {
      bool spans = (A->accs[i].func == ACC_COUNT || A->accs[i].func == ACC_SUM) &&
                   range_cmp(A->accs[i].type, &accs_of(A, g)[i], &his_of(A, g)[i]) != 0;
      bool cornered = false;
      for (uint32_t k = 0; k < ncorner; k++)
        cornered |= corner[k] == i;
      if (states_of(A, g)[i] == UNBOUNDED || (spans && !cornered))
        vm_mark_value_unknown(ctx, &accs[i], VM_PREVIOUS_BIT);
    }
    for (uint32_t c = 0; c < ncols && st == VM_OK; c++)
      if (cols[c].cell != UINT32_MAX)
        st = vm_ensure(ctx, cols[c].cell);
    for (uint32_t c = 0; *ranged && c < ncols && st == VM_OK; c++)
      range_add(&ranges[c], &cols[c], ctx, m == 0);
  }
  return st;
}

vm_status agg_each(agg_table *t, vm_ctx *ctx, const prog_column *cols, uint32_t ncols,
                   agg_visit visit, void *arg)
{
  const prog_aggregate *A = t->A;
  sort_entry *list = mem_alloc((t->n + 1) * sizeof *list);
  agg_range *ranges = t->ranges ? mem_calloc(ncols + 1, sizeof *ranges) : NULL;
  uint32_t n = 0;
  if (!list || (t->ranges && !ranges)) {
    mem_free(list);
    mem_free(ranges);
    return VM_ERR_NO_MEMORY;
  }
  for (uint32_t i = 0; i < t->cap; i++)
    if (t->slots[i])
      list[n++] = (sort_entry){A, t->slots[i]};
  qsort(list, n, sizeof *list, group_order);
  vm_status st = VM_OK;
  for (uint32_t i = 0; i < n && st == VM_OK; i++) {
    bool ranged;
    st = group_values(t, list[i].g, ctx, cols, ncols, ranges, &ranged);
    if (st == VM_OK && !visit(arg, ctx, ranged ? ranges : NULL))
      st = VM_ERR_NO_MEMORY;
  }
  mem_free(list);
  mem_free(ranges);
  return st;
}

bool agg_indexes_in_key_order(const agg_table *t, uint32_t *out)
{
  sort_entry *list = mem_alloc((t->n + 1) * sizeof *list);
  uint32_t n = 0;
  if (!list)
    return false;
  for (uint32_t i = 0; i < t->cap; i++)
    if (t->slots[i])
      list[n++] = (sort_entry){t->A, t->slots[i]};
  qsort(list, n, sizeof *list, group_order); /* as agg_each visits them */
  for (uint32_t i = 0; i < n; i++)
    out[i] = list[i].g->index;
  mem_free(list);
  return true;
}

typedef struct {
  wbuf *out;
  const prog_aggregate *A;
  write_format fmt;
} write_visit;

static bool write_one(void *arg, const vm_ctx *ctx, const agg_range *ranges)
{
  write_visit *w = arg;
  write_group(w->out, w->A, ctx, w->fmt, ranges);
  return !w->out->failed;
}

vm_status agg_write(agg_table *t, vm_ctx *ctx, wbuf *out, write_format fmt, bool first)
{
  write_visit w = {out, t->A, fmt};
  write_group_header(out, t->A, fmt, first);
  return agg_each(t, ctx, t->A->columns, t->A->ncolumns, write_one, &w);
}
