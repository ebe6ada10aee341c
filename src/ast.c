/*
 * ast.c -- the arena that holds a compilation's syntax tree, the node constructors the
 * grammar calls (one per action), and the tree printer behind `elig check --dump=ast`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ast.h"

/* ---------------------------------------------------------------- arena */

/* The tree lives in a generic arena (arena.c), which the compiled program takes over. */

ast_arena *ast_arena_new(void)
{
  return arena_new();
}

void ast_arena_free(ast_arena *a)
{
  arena_free(a);
}

void *ast_alloc(ast_arena *a, size_t size)
{
  return arena_alloc(a, size);
}

char *ast_strdup(ast_arena *a, const char *s, size_t n)
{
  return arena_strdup(a, s, n);
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
    e->span = loc;
    e->depth = 1;
  }
  return e;
}

/* The span of a node grows over its operands': a binary operator's loc is only the operator. */
static void widen(ast_expr *e, const ast_expr *part)
{
  if (!part)
    return;
  if (part->span.start < e->span.start)
    e->span.start = part->span.start;
  if (part->span.end > e->span.end)
    e->span.end = part->span.end;
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
    widen(e, x);
    widen(e, y);
    widen(e, z);
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

ast_expr *ast_parens(ast_expr *e, elig_loc parens)
{
  if (e)
    e->span = parens;
  return e;
}

ast_expr *ast_given_records(ast_arena *a, ast_list records, elig_loc loc, elig_loc open,
                            elig_loc close)
{
  ast_expr *e = ast_expr_new(a, AST_SET, loc);
  if (e) {
    e->list = records;
    e->span = (elig_loc){open.file, open.start, close.end};
  }
  return e;
}

ast_expr *ast_given_record(ast_arena *a, ast_list items, elig_loc open, elig_loc close)
{
  ast_expr *e = ast_expr_new(a, AST_SET, open);
  if (e) {
    e->list = items;
    e->ival = 1;
    e->span.end = close.end;
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

ast_table *ast_table_new(ast_arena *a, elig_loc loc, ast_expr *by, ast_list rows)
{
  ast_table *t = ast_alloc(a, sizeof *t);
  if (!t)
    return NULL;
  t->loc = loc;
  t->by = by;
  t->rows = rows;
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

void ast_test_step_first(ast_decl *test)
{
  const ast_test_step *first = test->steps.n ? test->steps.items[0] : NULL;
  if (first) {
    test->given = first->given;
    test->expects = first->expects.list;
  }
}

ast_test_step *ast_test_step_new(ast_arena *a, elig_loc loc, ast_list given,
                                 const ast_expects *expects)
{
  ast_test_step *st = ast_alloc(a, sizeof *st);
  if (st) {
    st->loc = loc;
    st->given = given;
    st->expects = *expects;
  }
  return st;
}

/* ---------------------------------------------------------------- dump */

typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
} dump_buf;

static void emitf(dump_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emitf(dump_buf *b, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    size_t room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = true;
      return;
    }
    if (b->p && (size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + (size_t)n + 1)
      cap *= 2;
    char *q = mem_realloc(b->p, cap);
    if (!q) {
      b->failed = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

static const char *const op_text[] = {"+",  "-", "*",  "/",   "=",  "!=",  "<",
                                      "<=", ">", ">=", "and", "or", "neg", "not"};

/* Recursion is bounded: the parser refuses expressions deeper than PARSE_MAX_DEPTH. */
static void dump_expr(dump_buf *b, const ast_expr *e)
{
  if (!e) {
    emitf(b, "?");
    return;
  }
  switch (e->kind) {
  case AST_INT:
  case AST_DECIMAL: emitf(b, "%s", e->text); break;
  case AST_PERCENT: emitf(b, "%s%%", e->text); break;
  case AST_STRING: emitf(b, "\"%s\"", e->text); break;
  case AST_DATE: emitf(b, "(date %lld)", (long long)e->ival); break;
  case AST_BOOL: emitf(b, "%s", e->ival ? "true" : "false"); break;
  case AST_NONE: emitf(b, "none"); break;
  case AST_REGEX: emitf(b, "/%s/%s", e->text, e->flags ? e->flags : ""); break;
  case AST_NAME: emitf(b, "%s", e->text); break;
  case AST_MEMBER:
    emitf(b, "(. ");
    dump_expr(b, e->a);
    emitf(b, " %s)", e->text);
    break;
  case AST_SET:
  case AST_CALL:
    if (e->kind == AST_SET && e->ival == 1) {
      /* a record in a test's given: its items are ast_given_item, not expressions */
      emitf(b, "(record");
      for (uint32_t i = 0; i < e->list.n; i++) {
        const ast_given_item *g = e->list.items[i];
        emitf(b, " %s: ", g->name);
        dump_expr(b, g->value);
      }
      emitf(b, ")");
      break;
    }
    emitf(b, e->kind == AST_SET ? "(set" : "(%s", e->text);
    for (uint32_t i = 0; i < e->list.n; i++) {
      emitf(b, " ");
      dump_expr(b, e->list.items[i]);
    }
    if (e->kind == AST_CALL && e->b) {
      emitf(b, " where ");
      dump_expr(b, e->b);
    }
    emitf(b, ")");
    break;
  case AST_UNARY:
  case AST_BINARY:
    emitf(b, "(%s ", op_text[e->op]);
    dump_expr(b, e->a);
    if (e->b) {
      emitf(b, " ");
      dump_expr(b, e->b);
    }
    emitf(b, ")");
    break;
  case AST_IS_NONE:
    emitf(b, e->ival ? "(is-not-none " : "(is-none ");
    dump_expr(b, e->a);
    emitf(b, ")");
    break;
  case AST_IN:
  case AST_MATCHES:
    emitf(b, e->kind == AST_MATCHES ? "(matches " : e->ival ? "(not-in " : "(in ");
    dump_expr(b, e->a);
    emitf(b, " ");
    dump_expr(b, e->b);
    emitf(b, ")");
    break;
  case AST_IF:
    emitf(b, "(if ");
    dump_expr(b, e->a);
    emitf(b, " ");
    dump_expr(b, e->b);
    emitf(b, " ");
    dump_expr(b, e->c);
    emitf(b, ")");
    break;
  }
}

static void dump_table(dump_buf *b, const ast_table *t, int indent)
{
  if (!t)
    return;
  if (t->by) {
    emitf(b, "(by ");
    dump_expr(b, t->by);
  } else {
    emitf(b, "(="); /* a constant, or the rows of an extend */
  }
  for (uint32_t i = 0; i < t->rows.n; i++) {
    const ast_table_row *r = t->rows.items[i];
    emitf(b, "\n%*s(", indent + 2, "");
    if (!r->keys.n)
      emitf(b, "otherwise");
    for (uint32_t k = 0; k < r->keys.n; k++) {
      emitf(b, k ? " " : "");
      dump_expr(b, r->keys.items[k]);
    }
    emitf(b, ": ");
    if (r->nested)
      dump_table(b, r->nested, indent + 2);
    else
      dump_expr(b, r->value);
    emitf(b, ")");
  }
  emitf(b, ")");
}

/* One given record of a test and its expectations (a test of several years has several). */
static void dump_step(dump_buf *b, const ast_test_step *st, int indent)
{
  for (uint32_t i = 0; i < st->given.n; i++) {
    const ast_given_item *g = st->given.items[i];
    emitf(b, "\n%*s(given %s ", indent + 2, "", g->name);
    dump_expr(b, g->value);
    emitf(b, ")");
  }
  for (uint32_t i = 0; i < st->expects.list.n; i++) {
    emitf(b, "\n%*s(expect ", indent + 2, "");
    dump_expr(b, st->expects.list.items[i]);
    emitf(b, ")");
  }
  if (st->expects.rejected)
    emitf(b, "\n%*s(expect %s \"%s\")", indent + 2, "", st->expects.word, st->expects.rejected);
}

static void dump_decl(dump_buf *b, const ast_decl *d, int indent)
{
  static const char *const con_names[] = {"required", "optional", "default", "between", "at-least",
                                          "at-most",  "one-of",   "matches", "check"};
  emitf(b, "%*s(%s%s", indent, "",
        d->is_override ? "override "
        : d->is_extend ? "extend "
                       : "",
        (const char *[]){"policy", "import", "record", "param", "let", "decide", "monitor",
                         "aggregate", "output", "test"}[d->kind]);
  if (d->name)
    emitf(b, " %s", d->name);
  if (d->text)
    emitf(b, " \"%s\"", d->text);
  if (d->version)
    emitf(b, " version \"%s\"", d->version);
  if (d->type_name)
    emitf(b, " : %s", d->type_name);
  for (uint32_t i = 0; i < d->keys.n; i++)
    emitf(b,
          d->order && d->keys.items[i] == d->order ? " per %s"
          : i                                      ? " %s"
                                                   : " key %s",
          ((ast_expr *)d->keys.items[i])->text);
  for (uint32_t i = 0; i < d->fields.n; i++) {
    const ast_field *f = d->fields.items[i];
    emitf(b, "\n%*s(field %s %s%s%s", indent + 2, "", f->name, f->type_name,
          f->elem_name ? " of " : "", f->elem_name ? f->elem_name : "");
    for (uint32_t k = 0; k < f->cons.n; k++) {
      const ast_field_con *con = f->cons.items[k];
      emitf(b, " (%s", con_names[con->kind]);
      if (con->a) {
        emitf(b, " ");
        dump_expr(b, con->a);
      }
      if (con->b) {
        emitf(b, " ");
        dump_expr(b, con->b);
      }
      for (uint32_t v = 0; v < con->values.n; v++) {
        emitf(b, " ");
        dump_expr(b, con->values.items[v]);
      }
      emitf(b, ")");
    }
    emitf(b, ")");
  }
  if (d->table) {
    emitf(b, " ");
    dump_table(b, d->table, indent);
  }
  if (d->expr) {
    emitf(b, " ");
    dump_expr(b, d->expr);
  }
  for (uint32_t i = 0; i < d->rules.n; i++) {
    const ast_rule *r = d->rules.items[i];
    emitf(b, "\n%*s(%s ", indent + 2, "", r->cond ? "when" : "otherwise");
    if (r->cond) {
      dump_expr(b, r->cond);
      emitf(b, " then ");
    }
    dump_expr(b, r->value);
    if (r->reason)
      emitf(b, " because \"%s\"", r->reason);
    emitf(b, ")");
  }
  if (d->kind == DECL_MONITOR) {
    emitf(b, " severity %s when ", d->severity);
    dump_expr(b, d->cond);
    if (d->reason)
      emitf(b, " because \"%s\"", d->reason);
  }
  for (uint32_t i = 0; i < d->group.n; i++) {
    const ast_group_key *k = d->group.items[i];
    emitf(b, i ? " %s" : " by %s", k->name);
    if (k->expr) {
      emitf(b, "=");
      dump_expr(b, k->expr);
    }
  }
  for (uint32_t i = 0; i < d->body.n; i++) {
    emitf(b, "\n");
    dump_decl(b, d->body.items[i], indent + 2);
  }
  for (uint32_t i = 0; i < d->names.n; i++)
    emitf(b, " %s", ((ast_expr *)d->names.items[i])->text);
  for (uint32_t s = 0; s < d->steps.n; s++)
    dump_step(b, d->steps.items[s], indent);
  emitf(b, ")");
}

char *ast_dump_table(const ast_table *t)
{
  dump_buf b = {0};
  dump_table(&b, t, 0);
  if (b.failed || !b.p) {
    mem_free(b.p);
    return NULL;
  }
  return b.p;
}

char *ast_dump(const ast_file *f)
{
  dump_buf b = {0};
  for (uint32_t i = 0; f && i < f->decls.n; i++) {
    dump_decl(&b, f->decls.items[i], 0);
    emitf(&b, "\n");
  }
  if (b.failed) {
    mem_free(b.p);
    return NULL;
  }
  if (!b.p)
    return mem_calloc(1, 1);
  return b.p;
}
