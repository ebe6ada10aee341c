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

/* FNV-1a over the key values. */
static uint64_t hash_keys(const prog_aggregate *A, const vm_val *k)
{
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < A->nkeys; i++) {
    const unsigned char *p;
    size_t n;
    if (A->key_types[i].base == TY_TEXT) {
      p = (const unsigned char *)k[i].u.s.p;
      n = k[i].u.s.len;
    } else {
      p = (const unsigned char *)&k[i].u.i;
      n = sizeof k[i].u.i;
    }
    for (size_t j = 0; j < n; j++)
      h = (h ^ p[j]) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  /* FNV's low bits mix poorly, and the table index takes the low bits: finish with
   * MurmurHash3's 64-bit mixer. */
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

/* A new group for keys, their texts copied into its block. */
static agg_group *group_new(agg_table *t, const vm_val *keys, uint64_t hash)
{
  const prog_aggregate *A = t->A;
  size_t text = 0;
  for (uint32_t i = 0; i < A->nkeys; i++)
    if (A->key_types[i].base == TY_TEXT && !keys[i].none)
      text += keys[i].u.s.len;
  size_t size = sizeof(agg_group) + (A->nkeys + A->naccs) * sizeof(vm_val) +
                A->nfirsts * sizeof(agg_first) + text;
  if (!t->groups && !(t->groups = arena_new()))
    return NULL;
  agg_group *g = arena_alloc(t->groups, size); /* zeroed */
  if (!g)
    return NULL;
  g->hash = hash;
  vm_val *k = keys_of(g), *acc = accs_of(A, g);
  agg_first *first = firsts_of(A, g);
  char *bytes = (char *)(first + A->nfirsts);
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
  if (t->last && t->last->hash == hash && key_cmp(t->A, keys_of(t->last), keys) == 0)
    return t->last;
  /* Probing reads only the hash array: with many groups, touching each group on the way
   * would cost a cache miss per probe. */
  uint32_t j = (uint32_t)hash & (t->cap - 1);
  for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
    if (t->hashes[j] == hash && key_cmp(t->A, keys_of(t->slots[j]), keys) == 0)
      return t->last = t->slots[j];
  agg_group *g = adopt ? adopt : group_new(t, keys, hash);
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

/* Folds value v (with record order seq) into accumulator i of g. */
static bool fold(const prog_aggregate *A, agg_group *g, uint32_t i, const vm_val *v, uint64_t seq)
{
  const prog_acc *acc = &A->accs[i];
  vm_val *a = &accs_of(A, g)[i];
  switch (acc->func) {
  case ACC_COUNT: a->u.i += v ? v->u.i : 1; return true;
  case ACC_SUM:
    if (acc->type.base == TY_NUMBER || acc->type.base == TY_PERCENT) {
      dec_num s;
      if (dec_num_add(a->u.n.den ? a->u.n : dec_num_from_int(0), v->u.n, &s) != DEC_OK)
        return false;
      a->u.n = s;
    } else if (__builtin_add_overflow(a->u.i, v->u.i, &a->u.i)) {
      return false;
    }
    return true;
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

vm_status agg_add(agg_table *t, vm_ctx *ctx, uint64_t seq)
{
  const prog_aggregate *A = t->A;
  vm_val keys[16], *kp = keys, vals[64], *vp = vals;
  memset(keys, 0, sizeof keys); /* gcc cannot see that every key used is set */
  vm_status st = VM_OK;
  if (A->nkeys > 16 && !(kp = mem_alloc(A->nkeys * sizeof *kp)))
    return VM_ERR_NO_MEMORY;
  if (A->naccs > 64 && !(vp = mem_alloc(A->naccs * sizeof *vp))) {
    if (kp != keys)
      mem_free(kp);
    return VM_ERR_NO_MEMORY;
  }
  /* Compute everything first, so that a failure leaves the group untouched. */
  for (uint32_t i = 0; i < A->nkeys && st == VM_OK; i++) {
    if (A->key_cells[i] != UINT32_MAX)
      st = vm_ensure(ctx, A->key_cells[i]);
    kp[i] = A->key_cells[i] != UINT32_MAX ? *vm_cell_value(ctx, A->key_cells[i])
                                          : *vm_field_value(ctx, A->key_src[i]);
  }
  for (uint32_t i = 0; i < A->naccs && st == VM_OK; i++) {
    const prog_acc *acc = &A->accs[i];
    bool take = true;
    if (acc->where_cell != UINT32_MAX) {
      st = vm_ensure(ctx, acc->where_cell);
      take = st == VM_OK && vm_cell_value(ctx, acc->where_cell)->u.i;
    }
    memset(&vp[i], 0, sizeof vp[i]);
    vp[i].none = !take; /* none: this record does not count for accumulator i */
    if (take && st == VM_OK && acc->has_value) {
      if (acc->value_cell != UINT32_MAX)
        st = vm_ensure(ctx, acc->value_cell);
      vp[i] = acc->value_cell != UINT32_MAX ? *vm_cell_value(ctx, acc->value_cell)
                                            : *vm_field_value(ctx, acc->value_reg);
      vp[i].none = false;
    } else if (take && !acc->has_value) {
      vp[i].u.i = 1; /* count(), any(where c), all(where c) */
    }
  }
  agg_group *g = NULL;
  if (st == VM_OK) {
    /* consecutive records of one village: no hashing at all */
    if (t->last && key_cmp(A, keys_of(t->last), kp) == 0)
      g = t->last;
    else
      g = find(t, kp, hash_keys(A, kp), NULL);
    if (!g)
      st = VM_ERR_NO_MEMORY;
  }
  for (uint32_t i = 0; g && i < A->naccs; i++) {
    if (vp[i].none)
      continue;
    const prog_acc *acc = &A->accs[i];
    agg_first *f = acc->func == ACC_FIRST ? &firsts_of(A, g)[acc->first] : NULL;
    if (f && acc->type.base == TY_TEXT && seq < f->seq) {
      /* keep a copy: the record's text dies with its chunk */
      char *copy = mem_realloc(f->text, vp[i].u.s.len + 1);
      if (!copy) {
        st = VM_ERR_NO_MEMORY;
        break;
      }
      memcpy(copy, vp[i].u.s.p, vp[i].u.s.len);
      f->text = copy;
      vp[i].u.s.p = copy;
    }
    if (!fold(A, g, i, acc->func == ACC_COUNT ? NULL : &vp[i], seq))
      g->overflow = t->overflow = true;
  }
  if (kp != keys)
    mem_free(kp);
  if (vp != vals)
    mem_free(vp);
  return st;
}

/* Folds group src into dst, which has the same keys. */
static bool combine(const prog_aggregate *A, agg_group *dst, agg_group *src)
{
  bool ok = true;
  vm_val *dacc = accs_of(A, dst), *sacc = accs_of(A, src);
  for (uint32_t i = 0; i < A->naccs; i++) {
    const prog_acc *acc = &A->accs[i];
    vm_val *v = &sacc[i];
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
      if (!combine(A, d, g))
        dst->overflow = true;
      group_release(g, A);
    }
  }
  src->last = NULL;
  src->n = 0;
  dst->overflow |= src->overflow;
  return ok;
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

vm_status agg_each(agg_table *t, vm_ctx *ctx, const prog_column *cols, uint32_t ncols,
                   agg_visit visit, void *arg)
{
  const prog_aggregate *A = t->A;
  sort_entry *list = mem_alloc((t->n + 1) * sizeof *list);
  uint32_t n = 0;
  if (!list)
    return VM_ERR_NO_MEMORY;
  for (uint32_t i = 0; i < t->cap; i++)
    if (t->slots[i])
      list[n++] = (sort_entry){A, t->slots[i]};
  qsort(list, n, sizeof *list, group_order);
  vm_status st = VM_OK;
  for (uint32_t i = 0; i < n && st == VM_OK; i++) {
    agg_group *g = list[i].g;
    vm_begin_record(ctx);
    memcpy(vm_group_keys(ctx, A), keys_of(g), A->nkeys * sizeof(vm_val));
    memcpy(vm_group_accs(ctx, A), accs_of(A, g), A->naccs * sizeof(vm_val));
    for (uint32_t c = 0; c < ncols && st == VM_OK; c++)
      if (cols[c].cell != UINT32_MAX)
        st = vm_ensure(ctx, cols[c].cell);
    if (st == VM_OK && !visit(arg, ctx))
      st = VM_ERR_NO_MEMORY;
  }
  mem_free(list);
  return st;
}

typedef struct {
  wbuf *out;
  const prog_aggregate *A;
  write_format fmt;
} write_visit;

static bool write_one(void *arg, const vm_ctx *ctx)
{
  write_visit *w = arg;
  write_group(w->out, w->A, ctx, w->fmt);
  return !w->out->failed;
}

vm_status agg_write(agg_table *t, vm_ctx *ctx, wbuf *out, write_format fmt, bool first)
{
  write_visit w = {out, t->A, fmt};
  write_group_header(out, t->A, fmt, first);
  return agg_each(t, ctx, t->A->columns, t->A->ncolumns, write_one, &w);
}
