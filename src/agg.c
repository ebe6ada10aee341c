/*
 * agg.c -- group tables for aggregates.  See agg.h.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

struct agg_group {
  uint64_t hash;
  vm_val *keys;      /* nkeys values; text points into own storage */
  vm_val *accs;      /* naccs values */
  uint64_t *seq;     /* per accumulator: the record that set first(), or UINT64_MAX */
  bool overflow;
  char *text;        /* copies of the text keys */
  char **acc_text;   /* per accumulator: the copy of a first() text, or NULL */
};

void agg_table_init(agg_table *t, const prog_aggregate *A)
{
  memset(t, 0, sizeof *t);
  t->A = A;
}

static void group_free(agg_group *g, uint32_t naccs)
{
  if (!g)
    return;
  for (uint32_t i = 0; i < naccs; i++)
    free(g->acc_text[i]);
  free(g->text);
  free(g);
}

void agg_table_fini(agg_table *t)
{
  for (uint32_t i = 0; i < t->cap; i++)
    group_free(t->slots[i], t->A ? t->A->naccs : 0);
  free(t->slots);
  free(t->hashes);
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

/* Copies text values into one block the group owns. */
static bool own_text(agg_group *g, vm_val *vals, const ty_type *types, uint32_t n,
                     uint32_t stride)
{
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    if (types[i * stride].base == TY_TEXT && !vals[i].none)
      total += vals[i].u.s.len;
  if (!total)
    return true;
  char *p = malloc(total), *q = p;
  if (!p)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (types[i * stride].base == TY_TEXT && !vals[i].none) {
      memcpy(q, vals[i].u.s.p, vals[i].u.s.len);
      vals[i].u.s.p = q;
      q += vals[i].u.s.len;
    }
  free(g->text);
  g->text = p;
  return true;
}

static agg_group *group_new(const prog_aggregate *A, const vm_val *keys, uint64_t hash)
{
  size_t size = sizeof(agg_group) + (A->nkeys + A->naccs) * sizeof(vm_val) +
                A->naccs * (sizeof(uint64_t) + sizeof(char *));
  agg_group *g = calloc(1, size);
  if (!g)
    return NULL;
  g->hash = hash;
  g->keys = (vm_val *)(g + 1);
  g->accs = g->keys + A->nkeys;
  g->seq = (uint64_t *)(g->accs + A->naccs);
  g->acc_text = (char **)(g->seq + A->naccs);
  memcpy(g->keys, keys, A->nkeys * sizeof *keys);
  if (!own_text(g, g->keys, A->key_types, A->nkeys, 1)) {
    free(g);
    return NULL;
  }
  for (uint32_t i = 0; i < A->naccs; i++) {
    const prog_acc *acc = &A->accs[i];
    g->seq[i] = UINT64_MAX;
    g->accs[i].none = acc->func == AGG_MIN || acc->func == AGG_MAX || acc->func == AGG_FIRST;
    if (acc->func == AGG_ALL)
      g->accs[i].u.i = 1;
  }
  return g;
}

static bool grow(agg_table *t)
{
  uint32_t cap = t->cap ? t->cap * 2 : 64;
  agg_group **slots = calloc(cap, sizeof *slots);
  uint64_t *hashes = calloc(cap, sizeof *hashes);
  if (!slots || !hashes) {
    free(slots);
    free(hashes);
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
  free(t->slots);
  free(t->hashes);
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
  if (t->last && t->last->hash == hash && key_cmp(t->A, t->last->keys, keys) == 0)
    return t->last;
  /* Probing reads only the hash array: with many groups, touching each group on the way
   * would cost a cache miss per probe. */
  uint32_t j = (uint32_t)hash & (t->cap - 1);
  for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
    if (t->hashes[j] == hash && key_cmp(t->A, t->slots[j]->keys, keys) == 0)
      return t->last = t->slots[j];
  agg_group *g = adopt ? adopt : group_new(t->A, keys, hash);
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
static bool fold(agg_group *g, const prog_acc *acc, uint32_t i, const vm_val *v, uint64_t seq)
{
  vm_val *a = &g->accs[i];
  switch (acc->func) {
  case AGG_COUNT:
    a->u.i += v ? v->u.i : 1;
    return true;
  case AGG_SUM:
    if (acc->type.base == TY_NUMBER || acc->type.base == TY_PERCENT) {
      dec_num s;
      if (dec_num_add(a->u.n.den ? a->u.n : dec_num_from_int(0), v->u.n, &s) != DEC_OK)
        return false;
      a->u.n = s;
    } else if (__builtin_add_overflow(a->u.i, v->u.i, &a->u.i)) {
      return false;
    }
    return true;
  case AGG_MIN: case AGG_MAX:
    if (v->none)
      return true;
    if (a->none || (acc->func == AGG_MIN ? less(acc->type, v, a) : less(acc->type, a, v)))
      *a = *v;
    return true;
  case AGG_ANY:
    a->u.i |= v->u.i;
    return true;
  case AGG_ALL:
    a->u.i &= v->u.i;
    return true;
  case AGG_FIRST:
    if (seq < g->seq[i]) {
      *a = *v;
      g->seq[i] = seq;
    }
    return true;
  }
  return true;
}

vm_status agg_add(agg_table *t, vm_ctx *ctx, uint64_t seq)
{
  const prog_aggregate *A = t->A;
  vm_val keys[16], *kp = keys, vals[64], *vp = vals;
  memset(keys, 0, sizeof keys); /* gcc cannot see that every key used is set */
  vm_status st = VM_OK;
  if (A->nkeys > 16 && !(kp = malloc(A->nkeys * sizeof *kp)))
    return VM_ERR_NO_MEMORY;
  if (A->naccs > 64 && !(vp = malloc(A->naccs * sizeof *vp))) {
    if (kp != keys)
      free(kp);
    return VM_ERR_NO_MEMORY;
  }
  /* Compute everything first, so that a failure leaves the group untouched. */
  for (uint32_t i = 0; i < A->nkeys && st == VM_OK; i++) {
    if (A->key_cells[i] != UINT32_MAX)
      st = vm_ensure(ctx, A->key_cells[i]);
    kp[i] = ctx->R[A->key_src[i]];
  }
  for (uint32_t i = 0; i < A->naccs && st == VM_OK; i++) {
    const prog_acc *acc = &A->accs[i];
    bool take = true;
    if (acc->where_cell != UINT32_MAX) {
      st = vm_ensure(ctx, acc->where_cell);
      take = st == VM_OK && ctx->R[ctx->P->cells[acc->where_cell].reg].u.i;
    }
    memset(&vp[i], 0, sizeof vp[i]);
    vp[i].none = !take; /* none: this record does not count for accumulator i */
    if (take && st == VM_OK && acc->has_value) {
      if (acc->value_cell != UINT32_MAX)
        st = vm_ensure(ctx, acc->value_cell);
      vp[i] = ctx->R[acc->value_reg];
      vp[i].none = false;
    } else if (take && !acc->has_value) {
      vp[i].u.i = 1; /* count(), any(where c), all(where c) */
    }
  }
  agg_group *g = NULL;
  if (st == VM_OK) {
    /* consecutive records of one village: no hashing at all */
    if (t->last && key_cmp(A, t->last->keys, kp) == 0)
      g = t->last;
    else
      g = find(t, kp, hash_keys(A, kp), NULL);
    if (!g)
      st = VM_ERR_NO_MEMORY;
  }
  for (uint32_t i = 0; g && i < A->naccs; i++) {
    if (vp[i].none)
      continue;
    if (A->accs[i].func == AGG_FIRST && A->accs[i].type.base == TY_TEXT && seq < g->seq[i]) {
      /* keep a copy: the record's text dies with its chunk */
      char *copy = realloc(g->acc_text[i], vp[i].u.s.len + 1);
      if (!copy) {
        st = VM_ERR_NO_MEMORY;
        break;
      }
      memcpy(copy, vp[i].u.s.p, vp[i].u.s.len);
      g->acc_text[i] = copy;
      vp[i].u.s.p = copy;
    }
    if (!fold(g, &A->accs[i], i, A->accs[i].func == AGG_COUNT ? NULL : &vp[i], seq))
      g->overflow = t->overflow = true;
  }
  if (kp != keys)
    free(kp);
  if (vp != vals)
    free(vp);
  return st;
}

/* Folds group src into dst, which has the same keys. */
static bool combine(const prog_aggregate *A, agg_group *dst, agg_group *src)
{
  bool ok = true;
  for (uint32_t i = 0; i < A->naccs; i++) {
    const prog_acc *acc = &A->accs[i];
    vm_val *v = &src->accs[i];
    switch (acc->func) {
    case AGG_COUNT:
      ok &= !__builtin_add_overflow(dst->accs[i].u.i, v->u.i, &dst->accs[i].u.i);
      break;
    case AGG_FIRST:
      if (!v->none && src->seq[i] < dst->seq[i]) {
        dst->accs[i] = *v;
        dst->seq[i] = src->seq[i];
        if (acc->type.base == TY_TEXT) {
          /* take src's copy */
          free(dst->acc_text[i]);
          dst->acc_text[i] = src->acc_text[i];
          src->acc_text[i] = NULL;
        }
      }
      break;
    case AGG_MIN: case AGG_MAX:
      if (v->none)
        break;
      /* fall through */
    default:
      ok &= fold(dst, acc, i, v, src->seq[i]);
      break;
    }
  }
  dst->overflow |= src->overflow || !ok;
  return !dst->overflow;
}

bool agg_merge(agg_table *dst, agg_table *src, uint64_t shift)
{
  const prog_aggregate *A = dst->A;
  for (uint32_t i = 0; i < src->cap; i++) {
    agg_group *g = src->slots[i];
    if (!g)
      continue;
    for (uint32_t k = 0; shift && k < A->naccs; k++)
      if (g->seq[k] != UINT64_MAX)
        g->seq[k] += shift;
    src->slots[i] = NULL;
    src->last = NULL;
    agg_group *d = find(dst, g->keys, g->hash, g);
    if (!d) {
      group_free(g, A->naccs);
      return false;
    }
    if (d != g) {
      if (!combine(A, d, g))
        dst->overflow = true;
      group_free(g, A->naccs);
    }
  }
  dst->overflow |= src->overflow;
  src->n = 0;
  return true;
}

/* qsort has no context argument in C11, so each entry carries its aggregate. */
typedef struct {
  const prog_aggregate *A;
  agg_group *g;
} sort_entry;

static int group_order(const void *a, const void *b)
{
  const sort_entry *x = a, *y = b;
  return key_cmp(x->A, x->g->keys, y->g->keys);
}

vm_status agg_each(agg_table *t, vm_ctx *ctx, const prog_column *cols, uint32_t ncols,
                   agg_visit visit, void *arg)
{
  const prog_aggregate *A = t->A;
  sort_entry *list = malloc((t->n + 1) * sizeof *list);
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
    memcpy(&ctx->R[A->key_reg], g->keys, A->nkeys * sizeof *g->keys);
    memcpy(&ctx->R[A->acc_reg], g->accs, A->naccs * sizeof *g->accs);
    for (uint32_t c = 0; c < ncols && st == VM_OK; c++)
      if (cols[c].cell != UINT32_MAX)
        st = vm_ensure(ctx, cols[c].cell);
    if (st == VM_OK && !visit(arg, ctx))
      st = VM_ERR_NO_MEMORY;
  }
  free(list);
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
