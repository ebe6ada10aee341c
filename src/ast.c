/*
 * ast.c -- the arena that holds a compilation's syntax tree, the node constructors the
 * grammar calls (one per action), and the tree printer behind `elig check --dump=ast`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

/* ---------------------------------------------------------------- arena */

/* Blocks of at least 64 KiB, bump-allocated; freed together. */
typedef struct block {
  struct block *next;
  size_t used, size;
  max_align_t data[];
} block;

struct ast_arena {
  block *head;
};

ast_arena *ast_arena_new(void)
{
  return calloc(1, sizeof(ast_arena));
}

void ast_arena_free(ast_arena *a)
{
  if (!a)
    return;
  for (block *b = a->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(a);
}

void *ast_alloc(ast_arena *a, size_t size)
{
  size_t align = sizeof(max_align_t);
  size = (size + align - 1) / align * align;
  if (!a->head || a->head->size - a->head->used < size) {
    size_t cap = size > 65536 ? size : 65536;
    block *b = malloc(sizeof *b + cap);
    if (!b)
      return NULL;
    b->next = a->head;
    b->used = 0;
    b->size = cap;
    a->head = b;
  }
  void *p = (char *)a->head->data + a->head->used;
  a->head->used += size;
  memset(p, 0, size);
  return p;
}

char *ast_strdup(ast_arena *a, const char *s, size_t n)
{
  char *d = ast_alloc(a, n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

bool ast_list_append(ast_arena *a, ast_list *l, void *item)
{
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? l->cap * 2 : 4;
    void **items = ast_alloc(a, cap * sizeof *items);
    if (!items)
      return false;
    if (l->n)
      memcpy(items, l->items, l->n * sizeof *items);
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = item;
  return true;
}

/* ---------------------------------------------------------------- constructors */

/* The parser treats a NULL node (out of memory) like any other node; check.c stops at the
 * out-of-memory diagnostic before looking at the tree. */
static uint32_t depth_of(const ast_expr *e)
{
  return e ? e->depth : 0;
}

static uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
  uint32_t m = a > b ? a : b;
  return m > c ? m : c;
}

ast_expr *ast_expr_new(ast_arena *a, ast_expr_kind kind, elig_loc loc)
{
  ast_expr *e = ast_alloc(a, sizeof *e);
  if (e) {
    e->kind = kind;
    e->loc = loc;
    e->depth = 1;
  }
  return e;
}

static ast_expr *node3(ast_arena *a, ast_expr_kind kind, elig_loc loc, ast_expr *x, ast_expr *y,
                       ast_expr *z)
{
  ast_expr *e = ast_expr_new(a, kind, loc);
  if (e) {
    e->a = x;
    e->b = y;
    e->c = z;
    e->depth = 1 + max3(depth_of(x), depth_of(y), depth_of(z));
  }
  return e;
}

ast_expr *ast_binary(ast_arena *a, int op, ast_expr *l, ast_expr *r, elig_loc loc)
{
  ast_expr *e = node3(a, AST_BINARY, loc, l, r, NULL);
  if (e)
    e->op = op;
  return e;
}

ast_expr *ast_unary(ast_arena *a, int op, ast_expr *x, elig_loc loc)
{
  ast_expr *e = node3(a, AST_UNARY, loc, x, NULL, NULL);
  if (e)
    e->op = op;
  return e;
}

ast_expr *ast_name(ast_arena *a, const char *name, elig_loc loc)
{
  ast_expr *e = ast_expr_new(a, AST_NAME, loc);
  if (e) {
    e->text = name;
    e->text_len = name ? (uint32_t)strlen(name) : 0;
  }
  return e;
}

ast_expr *ast_bool(ast_arena *a, bool value, elig_loc loc)
{
  ast_expr *e = ast_expr_new(a, AST_BOOL, loc);
  if (e)
    e->ival = value;
  return e;
}

ast_expr *ast_member(ast_arena *a, ast_expr *list, const char *field, elig_loc loc)
{
  ast_expr *e = node3(a, AST_MEMBER, loc, list, NULL, NULL);
  if (e) {
    e->text = field;
    e->text_len = field ? (uint32_t)strlen(field) : 0;
  }
  return e;
}

static uint32_t list_depth(const ast_list *l)
{
  uint32_t d = 0;
  for (uint32_t i = 0; i < l->n; i++)
    d = max3(d, depth_of(l->items[i]), 0);
  return d;
}

ast_expr *ast_set(ast_arena *a, ast_list items, elig_loc loc)
{
  ast_expr *e = ast_expr_new(a, AST_SET, loc);
  if (e) {
    e->list = items;
    e->depth = 1 + list_depth(&items);
  }
  return e;
}

ast_expr *ast_in(ast_arena *a, ast_expr *x, ast_expr *set, bool negated, elig_loc loc)
{
  ast_expr *e = node3(a, AST_IN, loc, x, set, NULL);
  if (e)
    e->ival = negated;
  return e;
}

ast_expr *ast_is_none(ast_arena *a, ast_expr *x, bool negated, elig_loc loc)
{
  ast_expr *e = node3(a, AST_IS_NONE, loc, x, NULL, NULL);
  if (e)
    e->ival = negated;
  return e;
}

ast_expr *ast_matches(ast_arena *a, ast_expr *x, ast_expr *regex, elig_loc loc)
{
  return node3(a, AST_MATCHES, loc, x, regex, NULL);
}

ast_expr *ast_if(ast_arena *a, ast_expr *c, ast_expr *t, ast_expr *e, elig_loc loc)
{
  return node3(a, AST_IF, loc, c, t, e);
}

ast_expr *ast_call(ast_arena *a, const char *name, ast_list args, ast_expr *where, elig_loc loc)
{
  ast_expr *e = node3(a, AST_CALL, loc, NULL, where, NULL);
  if (e) {
    e->text = name;
    e->text_len = name ? (uint32_t)strlen(name) : 0;
    e->list = args;
    e->depth = 1 + max3(list_depth(&args), depth_of(where), 0);
  }
  return e;
}

ast_decl *ast_decl_new(ast_arena *a, ast_decl_kind kind, elig_loc loc)
{
  ast_decl *d = ast_alloc(a, sizeof *d);
  if (d) {
    d->kind = kind;
    d->loc = loc;
    d->file = loc.file;
  }
  return d;
}

ast_field_con *ast_field_con_new(ast_arena *a, ast_field_con_kind kind, elig_loc loc)
{
  ast_field_con *c = ast_alloc(a, sizeof *c);
  if (c) {
    c->kind = kind;
    c->loc = loc;
  }
  return c;
}

ast_table *ast_table_const(ast_arena *a, ast_expr *value)
{
  ast_table *t = ast_alloc(a, sizeof *t);
  ast_table_row *r = ast_alloc(a, sizeof *r);
  if (!t || !r || !value)
    return t;
  t->loc = value->loc;
  r->loc = value->loc;
  r->value = value;
  ast_list_append(a, &t->rows, r);
  return t;
}

ast_table_row *ast_table_row_new(ast_arena *a, elig_loc loc, ast_list keys, ast_expr *value,
                                 ast_table *nested)
{
  ast_table_row *r = ast_alloc(a, sizeof *r);
  if (r) {
    r->loc = loc;
    r->keys = keys;
    r->value = value;
    r->nested = nested;
  }
  return r;
}

ast_rule *ast_rule_new(ast_arena *a, elig_loc loc, ast_expr *cond, ast_expr *value,
                       const char *reason)
{
  ast_rule *r = ast_alloc(a, sizeof *r);
  if (r) {
    r->loc = loc;
    r->cond = cond;
    r->value = value;
    r->reason = reason;
  }
  return r;
}

ast_group_key *ast_group_key_new(ast_arena *a, elig_loc loc, const char *name, ast_expr *e)
{
  ast_group_key *k = ast_alloc(a, sizeof *k);
  if (k) {
    k->loc = loc;
    k->name = name;
    k->expr = e;
  }
  return k;
}

ast_given_item *ast_given_new(ast_arena *a, elig_loc loc, const char *name, ast_expr *value)
{
  ast_given_item *g = ast_alloc(a, sizeof *g);
  if (g) {
    g->loc = loc;
    g->name = name;
    g->value = value;
  }
  return g;
}
