/*
 * extend.c -- `extend param NAME { rows }`: the rows of a parameter table added to, or changed
 * in, the table declared before it, without restating the table.
 *
 * Pipeline: parser.y reads the declaration (a DECL_PARAM with is_extend, its rows in a table
 * without `by`); res_merge (resolve.c) meets it in the merged order of the files and calls
 * res_extend, which builds the parameter that replaces the earlier one: that one's type and
 * key, its rows, and the extension's rows merged in.  The checker then checks the result as
 * any other parameter (check.c), and tells an extension's rows by ast_table_row.extension.
 *
 * Why here, before any type is known: a key is a literal, so which rows an extension replaces
 * is plain from the literals themselves (2026 is 2026; "53" is "53").  A key of another kind
 * than the table's matches no row; it is added, and the checker reports it (E0338).
 *
 * Merging.  In a table by year or date (its first key an integer or a date) a row of the
 * extension replaces the row of the same key or goes in its place in the order of keys, so
 * the result stays ordered.  In a table by text a key names at most one row: a key of the
 * extension is taken out of the row that had it (a row left with no key goes), and the
 * extension's row goes where the first of its keys was, else before `otherwise`; the
 * extension's `otherwise` replaces the table's.  A row of the extension replaces a whole row,
 * a nested table included.
 */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "decimal.h"
#include "resolve.h"
#include "suggest.h"

/* What a key literal is, as far as merging is concerned. */
typedef enum {
  KEY_OTHER,
  KEY_INT,
  KEY_DATE,
  KEY_TEXT
} key_kind;

typedef struct {
  key_kind kind;
  int64_t num;      /* KEY_INT, KEY_DATE */
  const char *text; /* KEY_TEXT */
  uint32_t len;
} key_value;

static key_value key_of(const ast_expr *e)
{
  key_value k = {.kind = KEY_OTHER};
  bool neg = e && e->kind == AST_UNARY && e->op == OPR_NEG;
  const ast_expr *lit = neg ? e->a : e;
  if (!lit)
    return k;
  if (lit->kind == AST_INT && dec_int_parse(lit->text, lit->text_len, &k.num) == DEC_OK) {
    k.kind = KEY_INT;
    k.num = neg ? -k.num : k.num;
  } else if (lit->kind == AST_DATE && !neg) {
    k.kind = KEY_DATE;
    k.num = lit->ival;
  } else if (lit->kind == AST_STRING && !neg) {
    k.kind = KEY_TEXT;
    k.text = lit->text;
    k.len = lit->text_len;
  }
  return k;
}

static bool same_key(key_value a, key_value b)
{
  if (a.kind != b.kind || a.kind == KEY_OTHER)
    return false;
  if (a.kind == KEY_TEXT)
    return a.len == b.len && memcmp(a.text, b.text, a.len) == 0;
  return a.num == b.num;
}

/* The key as written, for messages: 2026, 2026-01-01 or "53". */
static const char *key_text(res_ctx *r, key_value k)
{
  char buf[32];
  switch (k.kind) {
  case KEY_INT: snprintf(buf, sizeof buf, "%lld", (long long)k.num); break;
  case KEY_DATE: date_format((int32_t)k.num, buf); break;
  case KEY_TEXT: {
    char *s = ast_alloc(r->arena, (size_t)k.len + 3);
    s[0] = '"';
    memcpy(s + 1, k.text, k.len);
    memcpy(s + 1 + k.len, "\"", 2);
    return s;
  }
  case KEY_OTHER: return "this key";
  }
  return ast_strdup(r->arena, buf, strlen(buf));
}

/* The kind of the table's keys: that of its first key (KEY_OTHER for no key). */
static key_kind table_kind(const ast_table *t)
{
  for (uint32_t i = 0; i < t->rows.n; i++) {
    const ast_table_row *row = t->rows.items[i];
    if (row->keys.n)
      return key_of(row->keys.items[0]).kind;
  }
  return KEY_OTHER;
}

static void list_insert(ast_arena *a, ast_list *l, uint32_t at, void *item)
{
  if (!ast_list_append(a, l, item))
    return;
  memmove(l->items + at + 1, l->items + at, (l->n - 1 - at) * sizeof *l->items);
  l->items[at] = item;
}

static void list_remove(ast_list *l, uint32_t at)
{
  memmove(l->items + at, l->items + at + 1, (l->n - 1 - at) * sizeof *l->items);
  l->n--;
}

/* The index of the `otherwise` row of `rows`, or rows->n. */
static uint32_t otherwise_at(const ast_list *rows)
{
  for (uint32_t i = 0; i < rows->n; i++)
    if (((ast_table_row *)rows->items[i])->keys.n == 0)
      return i;
  return rows->n;
}

/* A row of a table by year or date: replaces the row of its key, or goes in key order. */
static void merge_ordered(res_ctx *r, ast_list *rows, ast_table_row *x, key_kind kind)
{
  key_value k = x->keys.n ? key_of(x->keys.items[0]) : (key_value){.kind = KEY_OTHER};
  if (k.kind != kind) {
    ast_list_append(r->arena, rows, x); /* the checker says what is wrong with it */
    return;
  }
  for (uint32_t i = 0; i < rows->n; i++) {
    ast_table_row *row = rows->items[i];
    key_value rk = row->keys.n ? key_of(row->keys.items[0]) : (key_value){.kind = KEY_OTHER};
    if (same_key(rk, k)) {
      rows->items[i] = x;
      return;
    }
    if (rk.kind == kind && rk.num > k.num) {
      list_insert(r->arena, rows, i, x);
      return;
    }
  }
  ast_list_append(r->arena, rows, x);
}

/* `row` without the key equal to k: a copy (the earlier table's tree stays as written), or
 * NULL when k was its only key. */
static ast_table_row *without_key(res_ctx *r, const ast_table_row *row, key_value k)
{
  ast_table_row *rest = ast_alloc(r->arena, sizeof *rest);
  *rest = *row;
  rest->keys = (ast_list){0};
  for (uint32_t i = 0; i < row->keys.n; i++)
    if (!same_key(key_of(row->keys.items[i]), k))
      ast_list_append(r->arena, &rest->keys, row->keys.items[i]);
  return rest->keys.n ? rest : NULL;
}

/* A row of a table by text: its keys taken from the rows that had them; it goes where the
 * first of them was, else before `otherwise`.  The extension's `otherwise` replaces the
 * table's. */
static void merge_text(res_ctx *r, ast_list *rows, ast_table_row *x)
{
  uint32_t at = UINT32_MAX;
  if (x->keys.n == 0) {
    at = otherwise_at(rows);
    if (at < rows->n)
      rows->items[at] = x;
    else
      ast_list_append(r->arena, rows, x);
    return;
  }
  for (uint32_t j = 0; j < x->keys.n; j++) {
    key_value k = key_of(x->keys.items[j]);
    for (uint32_t i = 0; i < rows->n; i++) {
      ast_table_row *row = rows->items[i];
      bool has = false;
      for (uint32_t m = 0; m < row->keys.n; m++)
        has |= same_key(key_of(row->keys.items[m]), k);
      if (!has)
        continue;
      ast_table_row *rest = without_key(r, row, k);
      if (rest) {
        rows->items[i] = rest;
      } else {
        list_remove(rows, i);
        at = at != UINT32_MAX && at > i ? at - 1 : at;
      }
      at = at == UINT32_MAX || i < at ? i : at;
      break;
    }
  }
  list_insert(r->arena, rows, at == UINT32_MAX ? otherwise_at(rows) : at, x);
}

/* Reports a key the extension gives twice (E0441), and keys of a table by year or date out
 * of order (E0428).  False when the row is not to be merged. */
static bool row_keys_ok(res_ctx *r, const ast_table *ext, uint32_t i, key_kind kind)
{
  const ast_table_row *x = ext->rows.items[i];
  for (uint32_t j = 0; j < x->keys.n; j++) {
    key_value k = key_of(x->keys.items[j]);
    for (uint32_t p = 0; p <= i; p++) {
      const ast_table_row *before = ext->rows.items[p];
      for (uint32_t m = 0; m < (p == i ? j : before->keys.n); m++) {
        const ast_expr *first = before->keys.items[m];
        if (!same_key(key_of(first), k))
          continue;
        const ast_expr *again = x->keys.items[j];
        int idx = diag_add(r->diags, DIAG_E_KEY_TWICE, again->loc, key_text(r, k));
        diag_add_note(r->diags, idx, first->loc, "first given here");
        r->failed = true;
        return false;
      }
    }
  }
  if ((kind == KEY_INT || kind == KEY_DATE) && i > 0 && x->keys.n) {
    const ast_table_row *prev = ext->rows.items[i - 1];
    key_value k = key_of(x->keys.items[0]);
    key_value pk = prev->keys.n ? key_of(prev->keys.items[0]) : (key_value){.kind = KEY_OTHER};
    if (k.kind == kind && pk.kind == kind && k.num < pk.num) {
      diag_add(r->diags, DIAG_E_TABLE_ORDER, ((ast_expr *)x->keys.items[0])->loc);
      r->failed = true;
    }
  }
  return true;
}

/* E0210 for an extend of nothing, or of something that is not a parameter. */
static void nothing_to_extend(res_ctx *r, const ast_decl *base, const ast_decl *ext)
{
  int idx = diag_add(r->diags, DIAG_E_NOTHING_TO_EXTEND, ext->name_loc, ext->name);
  r->failed = true;
  if (base) {
    diag_add_help(r->diags, idx, "'%s' is a %s, not a param: only a parameter table has rows",
                  ext->name, res_kind_word(base->kind));
    diag_add_note(r->diags, idx, base->name_loc, "'%s' is declared here", base->name);
    return;
  }
  res_candidates cs = {.n = 0};
  res_cand_decls(&cs, &r->prog->params);
  res_suggest(r->diags, idx, ext->name, &cs);
}

ast_decl *res_extend(res_ctx *r, ast_decl *base, ast_decl *ext)
{
  if (!base || base->kind != DECL_PARAM) {
    nothing_to_extend(r, base, ext);
    return NULL;
  }
  if (!base->table || !base->table->by) {
    int idx = diag_add(r->diags, DIAG_E_EXTEND_CONSTANT, ext->name_loc, ext->name);
    diag_add_help(r->diags, idx, "give it another value with 'override param %s %s = ...'",
                  base->name, base->type_name ? base->type_name : "TYPE");
    diag_add_note(r->diags, idx, base->name_loc, "'%s' is declared here", base->name);
    r->failed = true;
    return NULL;
  }
  key_kind kind = table_kind(base->table);
  ast_list rows = {0};
  for (uint32_t i = 0; i < base->table->rows.n; i++)
    ast_list_append(r->arena, &rows, base->table->rows.items[i]);
  for (uint32_t i = 0; i < ext->table->rows.n; i++) {
    ast_table_row *x = ext->table->rows.items[i];
    x->extension = true;
    if (!row_keys_ok(r, ext->table, i, kind))
      continue;
    if (kind == KEY_INT || kind == KEY_DATE)
      merge_ordered(r, &rows, x, kind);
    else
      merge_text(r, &rows, x);
  }
  ast_decl *merged = ast_alloc(r->arena, sizeof *merged);
  *merged = *base;
  merged->loc = ext->loc;
  merged->name_loc = ext->name_loc;
  merged->file = ext->file;
  merged->is_override = false;
  merged->is_extend = true;
  merged->replaces = base;
  merged->table = ast_table_new(r->arena, ext->table->loc, base->table->by, rows);
  return merged;
}
