/*
 * fmt.c -- `elig fmt`: one canonical layout for rule files.
 *
 * Pipeline: the text is parsed by the one front end, parse.c's parse_file_tokens, which
 * besides the syntax tree hands back every token and every comment the lexer read, each with
 * its byte span; a text that does not parse without error is refused with the first error.
 * Nothing here reads the text again as a language.  The layout walks the tree: a declaration,
 * field, constraint, table row, decision rule, list item, `given` item or expression says by
 * its byte span (ast.h; ast_expr.span for expressions) which tokens it covers, and the
 * grammar's fixed words around them (`record NAME key`, `when ... then`) are the tokens next
 * to those.  The comments are hung on the tokens: an own-line comment on the token after it,
 * an end-of-line comment on the token before it; the author's line breaks are read from the
 * text between the spans.  The tokens are printed in order, each once (checked; a surplus
 * comma of a test's `given` is passed over but its comments kept), onto lines by the rules
 * below.  Last, the result is parsed again and its syntax tree (ast_dump) compared with the
 * input's: the formatter cannot change what a file means, and a bug here refuses the file
 * rather than rewriting it.  Only whitespace changes, plus the optional commas of a test's
 * `given` (one between items, none trailing).
 *
 * The layout:
 *  - Two spaces per level.  Declarations start at column 0 (inside an aggregate, 2).
 *  - Blank lines: the author's are kept where a declaration, field, table row, decision rule,
 *    aggregate item, test line or own-line comment starts, at most one in a row; none at the
 *    start of the file, right after a `{` or before a `}`, or inside expressions.  Between
 *    two top-level declarations of which one spans several lines there is always one.
 *  - record: `record NAME key a, b {`, one field per line, `}`.  Names, types and constraints
 *    in columns: the type starts one space after the longest field name, the constraints
 *    one space after the longest type of a field that has constraints.  The author's breaks
 *    between constraints are kept; continuation lines start at the constraints column.
 *  - param: `param NAME TYPE = VALUE`, or `param NAME TYPE by EXPR {` (`extend param NAME {`)
 *    with one row per line and `}`.  A table written on one line with no comment stays on one line:
 *    `{ 2019: 100  2021: 150 }` (two spaces between rows).  Rows are `KEY, KEY: VALUE`; a
 *    break before the `:` is kept and indents it two more.
 *  - let: `let NAME = EXPR`, `let NAME: TYPE = EXPR`.  The '=' of consecutive untyped lets
 *    that each fit on one line (no blank line or comment between them) line up.
 *  - decide: `decide NAME` or `decide NAME: TYPE`, each rule on its own line two spaces in;
 *    a break before `then` or `because` is kept and indents them two more than `when`.
 *  - monitor: `monitor NAME severity LEVEL`, `when` on the next line two in; a break before
 *    `because` is kept (same column as `when`).
 *  - aggregate: `aggregate NAME by KEYS {`, its let/decide/output two in, `}`.
 *  - test: `test "NAME" {`, `given { ... }` and each `expect` two in, `}`.  Inside `given`,
 *    `{ a: 1, b: 2 }` and `[ { ... }, { ... } ]` with one space inside the brackets.
 *  - Lists (key names, output, group keys, table keys, `one of`, given items): `a, b`; a
 *    break after (or before) a comma is kept, and the next item lines up with the first.
 *  - Expressions: one space around binary operators and after commas; none inside
 *    parentheses or set braces, around `.`, after a unary minus, before a call's `(`.  Line
 *    breaks are the author's: kept where the input has one before or after a binary
 *    operator, after a comma or an opening bracket, before `then`/`else`/`where`; never
 *    added, and never before an expression's first token (it stays after `=`, `when`...).
 *    A continuation line lines up with the start of the expression, or, inside a bracket,
 *    with the first thing after it; when the bracket is followed by a line break its
 *    contents are indented two from the line that opened it and the closing bracket goes on
 *    its own line at that line's indentation.
 *  - Comments: an own-line comment stays on its own line, indented like what follows it (a
 *    comment before a `}` like the lines inside the block); a comment at the end of a line
 *    stays at the end of that line.  End-of-line comments of consecutive lines line up two
 *    spaces after the longest of those lines (widths count East Asian wide characters as
 *    two columns).  Comment text is kept as written, less trailing spaces.
 *  - Files keep their line ends (CRLF when the first line ends in CRLF) and their UTF-8
 *    byte-order mark; trailing spaces go; the file ends in exactly one line end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "ast.h"
#include "diag.h"
#include "fmt.h"
#include "parse.h"
#include "srcfile.h"
#include "utf8.h"
#include "grammar/parser.h"

/* ---------------------------------------------------------------- tokens and comments */

/* A token of the lexer's table with the comments and line breaks around it. */
typedef struct {
  int kind;            /* parse_token.kind: a TOK_* or a character; TOK_END ends the file */
  uint32_t start, end; /* bytes of the source */
  int nl;              /* line ends since the previous token or comment */
  int nl_tok;          /* line ends since the previous token */
  uint32_t lead;       /* own-line comments before it: c[lead .. lead + nlead) */
  uint32_t nlead;
  int trail; /* the comment after it on its line, or -1 */
} ftok;

typedef struct {
  uint32_t start, len; /* "# ..." without the line end and trailing spaces */
  int nl;              /* line ends since the previous token or comment */
} fcmt;

/* One output line: its text (indentation included) and its end-of-line comment. */
typedef struct {
  char *s;
  size_t n, cap;
  int width;  /* in columns */
  int cmt;    /* index into c, or -1 */
  bool blank; /* a blank line comes before it */
} fline;

/* A top-level declaration's lines, for the blank line between long ones. */
typedef struct {
  size_t first, tok, last;
} fspan;

/* An open bracket of an expression. */
typedef struct {
  int col, line_ind; /* continuation column (hanging), indentation of the opening line */
  bool block;        /* the bracket is followed by a line break */
} fframe;

/* An open parameter table, nested tables being laid out without recursion. */
typedef struct {
  const ast_table *table;
  uint32_t row;  /* the next row to print */
  size_t close;  /* its '}' */
  int line_ind;  /* indentation of the line of its '{' */
  bool one_line; /* written on one line, with no comment */
} tframe;

/* An open `{ items }` or `[ records ]` of a test's given, laid out without recursion. */
typedef struct {
  const ast_list *items; /* ast_given_item* in braces, ast_expr* records in brackets */
  bool records;          /* brackets */
  uint32_t item;         /* the next item to print */
  size_t k;              /* the next token to print */
  size_t close;          /* the closing bracket */
  int line_ind, cont;    /* indentation of the opening line; where items start */
  bool block;            /* a line break after the opening bracket */
  bool first, carry;     /* no item printed yet; a line break at a dropped comma */
} gframe;

typedef struct {
  const char *src;
  size_t len;
  ftok *t;
  size_t nt;
  fcmt *c;
  size_t nc;
  fline *l;
  size_t nl, capl;
  fspan *d;
  size_t nd, capd;
  int col, indent; /* of the current line */
  bool empty;      /* the current line holds only its indentation */
  bool need_nl;    /* an end-of-line comment was placed: the next token starts a line */
  bool noblank;    /* the next line may not be preceded by a blank line */
  int pad;         /* the next token on this line starts at this column, or -1 */
  size_t run_end;  /* lets before this token line up their '=' ... */
  int run_w;       /* ... one space after a name this wide */
  bool measuring;  /* printing only to count lines (one_line_let) */
  size_t next;     /* the token to print next (unless measuring): each once, in order */
  fframe *st;      /* the open brackets of emit_expr */
  size_t capst;
  tframe *ts; /* the open tables of emit_table */
  size_t capts;
  gframe *gs; /* the open brackets of emit_given */
  size_t capgs;
  jmp_buf jb;
  int code;
  char msg[200];
} F;

/* Abandons formatting: every allocation is owned by F and freed by the caller. */
static void fail(F *f, int code, const char *fmt, ...) DIAG_PRINTF(3, 4);

static void fail(F *f, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->msg, sizeof f->msg, fmt, ap);
  va_end(ap);
  f->code = code;
  longjmp(f->jb, 1);
}

/* `p` (of *cap elements of `size` bytes) with room for `need`, or abandons for lack of memory. */
static void *grow(F *f, void *p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return p;
  size_t n = *cap ? *cap : 16;
  while (n < need && n <= SIZE_MAX / 2 / size)
    n *= 2;
  void *q = n >= need ? mem_realloc(p, n * size) : NULL;
  if (!q)
    fail(f, FMT_ENOMEM, "%s", _("out of memory"));
  *cap = n;
  return q;
}

static int kind(F *f, size_t k)
{
  return k < f->nt ? f->t[k].kind : TOK_END;
}

/* Where byte `at` is, for the formatter's own errors. */
static void line_col(F *f, uint32_t at, unsigned *line, unsigned *col)
{
  *line = 1;
  *col = 1;
  for (uint32_t i = 0; i < at && i < f->len; i++) {
    if (f->src[i] == '\n') {
      ++*line;
      *col = 1;
    } else if (((unsigned char)f->src[i] & 0xC0) != 0x80) {
      ++*col;
    }
  }
}

/* The tree and the tokens disagree: a bug, reported rather than laid out. */
static void lost(F *f, uint32_t at)
{
  unsigned line, col;
  line_col(f, at, &line, &col);
  /* TRANSLATORS: `elig fmt` met a bug of its own: %u:%u is the line and column of the rule
   * file. */
  fail(f, FMT_EINTERNAL, _("internal error: the formatter did not expect the token at %u:%u"), line,
       col);
}

/* Checks that token k is what the grammar puts there. */
static void want(F *f, size_t k, int what)
{
  if (kind(f, k) != what)
    lost(f, k < f->nt ? f->t[k].start : (uint32_t)f->len);
}

/* The token that starts at byte `at`: how a node of the tree finds its first token. */
static size_t token_at(F *f, uint32_t at)
{
  size_t lo = 0, hi = f->nt;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->t[mid].start < at)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo >= f->nt || f->t[lo].start != at)
    lost(f, at);
  return lo;
}

/* The first token at or after byte `at` (the end of the file at the latest): the token after
 * a node that ends there. */
static size_t token_after(F *f, uint32_t at)
{
  size_t lo = 0, hi = f->nt - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->t[mid].start < at)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The last token of a node. */
static size_t last_token(F *f, elig_loc span)
{
  size_t k = token_after(f, span.end);
  if (k == 0 || f->t[k - 1].start < span.start)
    lost(f, span.start);
  return k - 1;
}

static int line_ends(const char *s, uint32_t from, uint32_t to)
{
  int n = 0;
  for (uint32_t i = from; i < to; i++)
    n += s[i] == '\n';
  return n;
}

static void *alloc_table(F *f, size_t n, size_t size)
{
  void *p = n <= SIZE_MAX / size ? mem_alloc(n * size) : NULL;
  if (!p)
    fail(f, FMT_ENOMEM, "%s", _("out of memory"));
  return p;
}

/* Builds f->t and f->c from the lexer's tables, hanging each comment on the token after it
 * (own line) or before it (end of line); a last token, TOK_END, holds the comments that end
 * the file. */
static void hang_comments(F *f, const parse_tokens *pt)
{
  f->t = alloc_table(f, pt->ntokens + 1, sizeof *f->t);
  f->c = alloc_table(f, pt->ncomments + 1, sizeof *f->c);
  size_t i = 0, j = 0; /* the next token and comment of the lexer's tables */
  uint32_t pos = 0, lead = 0;
  int nl = 0, nl_tok = 0;
  for (;;) {
    bool comment =
        j < pt->ncomments && (i >= pt->ntokens || pt->comments[j].start < pt->tokens[i].start);
    uint32_t start = comment           ? pt->comments[j].start
                     : i < pt->ntokens ? pt->tokens[i].start
                                       : (uint32_t)f->len;
    uint32_t end = comment ? pt->comments[j].end : i < pt->ntokens ? pt->tokens[i].end : start;
    if (start < pos || end < start || end > f->len)
      lost(f, start);
    int breaks = line_ends(f->src, pos, start);
    nl += breaks;
    nl_tok += breaks;
    pos = end;
    if (comment) {
      uint32_t m = end;
      while (m > start && (f->src[m - 1] == ' ' || f->src[m - 1] == '\t' || f->src[m - 1] == '\r'))
        m--;
      f->c[f->nc] = (fcmt){start, m - start, nl};
      if (f->nt > 0 && nl_tok == 0) {
        f->t[f->nt - 1].trail = (int)f->nc;
        lead = (uint32_t)f->nc + 1;
      }
      f->nc++;
      nl = 0;
      j++;
      continue;
    }
    f->t[f->nt++] = (ftok){i < pt->ntokens ? pt->tokens[i].kind : TOK_END,
                           start,
                           end,
                           nl,
                           nl_tok,
                           lead,
                           (uint32_t)f->nc - lead,
                           -1};
    if (i++ >= pt->ntokens)
      return;
    nl = nl_tok = 0;
    lead = (uint32_t)f->nc;
  }
}

/* ---------------------------------------------------------------- the printer */

/* Columns text takes on a terminal: East Asian wide and full-width characters two,
 * combining marks none (the same measure as the diagnostics' carets). */
static int text_width(const char *s, size_t n)
{
  return (int)utf8_text_width(s, n);
}

static int token_width(F *f, size_t k)
{
  return text_width(f->src + f->t[k].start, f->t[k].end - f->t[k].start);
}

static void append(F *f, fline *L, const char *s, size_t n)
{
  L->s = grow(f, L->s, &L->cap, L->n + n + 1, 1);
  memcpy(L->s + L->n, s, n);
  L->n += n;
  L->s[L->n] = '\0';
}

static void spaces(F *f, fline *L, int n)
{
  for (; n > 0; n--)
    append(f, L, " ", 1);
}

/* Starts a line indented `ind`, after a blank line if `blank` and one is allowed there. */
static void new_line(F *f, int ind, bool blank)
{
  f->l = grow(f, f->l, &f->capl, f->nl + 1, sizeof *f->l);
  fline *L = &f->l[f->nl];
  *L = (fline){NULL, 0, 0, 0, -1, blank && f->nl > 0 && !f->noblank};
  f->nl++;
  spaces(f, L, ind);
  f->col = f->indent = ind;
  f->empty = true;
  f->need_nl = f->noblank = false;
  f->pad = -1;
}

/* Appends text to the current line, `sp` spaces (or up to the pad column) after what is
 * there.  Returns the column where it starts. */
static int put(F *f, const char *s, size_t n, int sp)
{
  if (f->nl == 0)
    new_line(f, 0, false);
  fline *L = &f->l[f->nl - 1];
  if (!f->empty) {
    if (f->pad > f->col)
      sp = f->pad - f->col;
    spaces(f, L, sp);
    f->col += sp;
  }
  f->pad = -1;
  int start = f->col;
  append(f, L, s, n);
  f->col += text_width(s, n);
  L->width = f->col;
  f->empty = false;
  return start;
}

/* Token k is printed (or passed over) now: the tokens go out in order, each once, so that no
 * token and no comment hung on one is lost or doubled. */
static ftok *take(F *f, size_t k)
{
  if (k >= f->nt - 1 || (!f->measuring && k != f->next))
    lost(f, k < f->nt ? f->t[k].start : (uint32_t)f->len);
  if (!f->measuring)
    f->next++;
  return &f->t[k];
}

enum {
  JOIN,
  BREAK,
  BREAKC,
  STMT,
  CLOSE
};

/* Prints token k.  JOIN: on the current line, `sp` spaces after what is there.  BREAK: on a
 * new line at column `ind`; BREAKC: a closing bracket so, its comments one level in.  STMT:
 * on a new line, after a blank line if the author left one.  CLOSE: a closing '}' at `ind`,
 * its comments one level in.  Whatever the mode, own-line comments before the token go on
 * lines of their own and an end-of-line comment before it puts it on a new line (at `ind`).
 * Returns the column where the token starts. */
static int tok(F *f, size_t k, int mode, int ind, int sp)
{
  ftok *t = take(f, k);
  bool stmt = mode == STMT || mode == CLOSE;
  for (uint32_t j = 0; j < t->nlead; j++) {
    fcmt *c = &f->c[t->lead + j];
    new_line(f, mode == CLOSE || mode == BREAKC ? ind + 2 : ind, stmt && c->nl >= 2);
    put(f, f->src + c->start, c->len, 0);
    f->need_nl = true;
  }
  if (mode != JOIN || f->need_nl || f->nl == 0)
    new_line(f, ind, mode == STMT && t->nl >= 2);
  int start;
  if (t->kind == TOK_NOT_IN)
    start = put(f, "not in", 6, sp);
  else
    start = put(f, f->src + t->start, t->end - t->start, sp);
  if (t->trail >= 0) {
    f->l[f->nl - 1].cmt = t->trail;
    f->need_nl = true;
  }
  return start;
}

/* Passes over token k (a surplus comma of a `given`), re-placing its comments. */
static void drop(F *f, size_t k, int ind)
{
  ftok *t = take(f, k);
  for (uint32_t j = 0; j < t->nlead; j++) {
    fcmt *c = &f->c[t->lead + j];
    new_line(f, ind, false);
    put(f, f->src + c->start, c->len, 0);
    f->need_nl = true;
  }
  if (t->trail >= 0) {
    if (f->l[f->nl - 1].cmt >= 0) {
      new_line(f, ind, false);
      put(f, f->src + f->c[t->trail].start, f->c[t->trail].len, 0);
    } else {
      f->l[f->nl - 1].cmt = t->trail;
    }
    f->need_nl = true;
  }
}

/* ---------------------------------------------------------------- expressions */

static bool is_literal(int k)
{
  return k == TOK_INT || k == TOK_DECIMAL || k == TOK_PERCENT || k == TOK_STRING || k == TOK_DATE ||
         k == TOK_TRUE || k == TOK_FALSE || k == TOK_NONE;
}

static bool operand_end(int k)
{
  return is_literal(k) || k == TOK_NAME || k == TOK_REGEX || k == ')' || k == '}';
}

/* Prints the tokens of expression e: the first `sp` spaces after what is on the line (at
 * `ind` if a comment pushes it to a new line), the rest by the rules in the header.  One pass
 * over the tokens with a stack of the open brackets: no recursion, however deep the nesting. */
static void emit_expr(F *f, const ast_expr *e, int sp, int ind)
{
  size_t i = token_at(f, e->span.start), j = token_after(f, e->span.end);
  fframe *st = f->st;
  int depth = 0;
  bool carry = false;
  int base = tok(f, i, JOIN, ind, sp);
  for (size_t k = i; k < j; k++) {
    int b = f->t[k].kind;
    if (k > i) {
      int a = f->t[k - 1].kind;
      bool unary_minus = a == '-' && (k - 1 == i || !operand_end(f->t[k - 2].kind));
      int s = 1;
      if (b == ',' || b == ')' || b == '}' || b == '.' || a == '(' || a == '{' || a == '.' ||
          unary_minus || (b == '(' && a == TOK_NAME))
        s = 0;
      bool brk = f->t[k].nl_tok > 0 || carry;
      carry = false;
      if (unary_minus || a == TOK_NOT || a == TOK_IS || a == '.' || b == '.' || b == TOK_REGEX ||
          (b == '(' && a == TOK_NAME))
        brk = false;
      if (b == ',') {
        carry = brk;
        brk = false;
      }
      fframe *top = depth > 0 ? &st[depth - 1] : NULL;
      int cont = !top ? base : top->block ? top->line_ind + 2 : top->col;
      if (top && (b == ')' || b == '}')) {
        brk = top->block;
        cont = top->block ? top->line_ind : top->col;
      } else if (top && top->block && (a == '(' || a == '{')) {
        brk = true;
      }
      bool closer = top && top->block && (b == ')' || b == '}');
      tok(f, k, closer ? BREAKC : brk ? BREAK : JOIN, cont, s);
    }
    if (b == '(' || b == '{') {
      st = f->st = grow(f, f->st, &f->capst, (size_t)depth + 1, sizeof *st);
      ftok *next = &f->t[k + 1];
      bool empty = next->kind == ')' || next->kind == '}';
      st[depth++] = (fframe){f->col, f->indent, !empty && (next->nl_tok > 0 || next->nlead > 0)};
    } else if ((b == ')' || b == '}') && depth > 0) {
      depth--;
    }
  }
}

/* ---------------------------------------------------------------- lists */

/* What a list holds: names (ast_expr AST_NAME), signed literals (ast_expr) or group keys
 * (ast_group_key, `NAME` or `NAME = EXPR`). */
enum {
  L_NAME,
  L_SLIT,
  L_GKEY
};

static elig_loc item_span(int what, const void *item)
{
  return what == L_GKEY ? ((const ast_group_key *)item)->loc : ((const ast_expr *)item)->span;
}

/* Prints one list item (its first token in `mode`); returns the token after it and its start
 * column in *col. */
static size_t emit_item(F *f, const void *item, int what, int mode, int ind, int sp, int *col)
{
  elig_loc span = item_span(what, item);
  size_t k = token_at(f, span.start);
  *col = tok(f, k, mode, ind, sp);
  if (what == L_SLIT && ((const ast_expr *)item)->kind == AST_UNARY) {
    /* -LITERAL */
    size_t lit = token_at(f, ((const ast_expr *)item)->a->span.start);
    tok(f, lit, JOIN, ind, 0);
  } else if (what == L_GKEY && ((const ast_group_key *)item)->expr) {
    want(f, k + 1, '=');
    tok(f, k + 1, JOIN, ind + 2, 1);
    emit_expr(f, ((const ast_group_key *)item)->expr, 1, ind + 2);
  }
  return token_after(f, span.end);
}

/* A signed literal after what is on the line; returns the token after it. */
static size_t emit_slit(F *f, const ast_expr *e, int ind)
{
  int col;
  return emit_item(f, e, L_SLIT, JOIN, ind, 1, &col);
}

/* A comma-separated list, its first item in `mode`; breaks after (or before) a comma are
 * kept, lined up with the first item.  Returns the token after the list. */
static size_t emit_list(F *f, const ast_list *items, int what, int mode, int ind, int sp)
{
  int col = -1;
  bool carry = false;
  size_t k = 0;
  if (items->n == 0)
    lost(f, 0);
  for (uint32_t n = 0; n < items->n; n++) {
    int m = mode, c;
    if (n > 0) {
      size_t first = token_at(f, item_span(what, items->items[n]).start);
      m = f->t[first].nl_tok > 0 || carry ? BREAK : JOIN;
    }
    k = emit_item(f, items->items[n], what, m, n > 0 ? col : ind, n > 0 ? 1 : sp, &c);
    if (n == 0)
      col = c;
    if (n + 1 < items->n) {
      want(f, k, ',');
      carry = f->t[k].nl_tok > 0;
      tok(f, k, JOIN, col, 0);
    }
  }
  return k;
}

/* ---------------------------------------------------------------- declarations */

static void emit_decl(F *f, const ast_decl *d, int ind);

/* The first keyword of a declaration: on a line of its own, or after `override`. */
static void head(F *f, size_t k, bool after_override, int ind)
{
  tok(f, k, after_override ? JOIN : STMT, ind, 1);
}

/* One constraint of a field, from its keyword at the constraints column. */
static void emit_constraint(F *f, const ast_field_con *con, bool first, int cons_col)
{
  size_t k = token_at(f, con->loc.start);
  bool brk = f->t[k].nl_tok > 0;
  if (first && !brk)
    f->pad = cons_col;
  int c = cons_col + 2;
  tok(f, k, brk ? BREAK : JOIN, cons_col, 1);
  switch (con->kind) {
  case FCON_REQUIRED:
  case FCON_OPTIONAL: break;
  case FCON_DEFAULT: emit_slit(f, con->a, c); break;
  case FCON_BETWEEN: {
    size_t and = emit_slit(f, con->a, c);
    want(f, and, TOK_AND);
    tok(f, and, JOIN, c, 1);
    emit_slit(f, con->b, c);
    break;
  }
  case FCON_AT_LEAST:
  case FCON_AT_MOST:
    tok(f, k + 1, JOIN, c, 1);
    emit_slit(f, con->a, c);
    break;
  case FCON_ONE_OF:
    tok(f, k + 1, JOIN, c, 1);
    emit_list(f, &con->values, L_SLIT, JOIN, c, 1);
    break;
  case FCON_MATCHES: tok(f, k + 1, JOIN, c, 1); break;
  case FCON_CHECK: {
    emit_expr(f, con->a, 1, c);
    size_t otherwise = token_after(f, con->a->span.end);
    want(f, otherwise, TOK_ELSE);
    tok(f, otherwise, f->t[otherwise].nl_tok > 0 ? BREAK : JOIN, c, 1);
    tok(f, otherwise + 1, JOIN, c + 2, 1);
    break;
  }
  }
}

/* NAME TYPE [of NAME] constraints, in the columns of its record. */
static void emit_field(F *f, const ast_field *fl, int ind, int type_col, int cons_col)
{
  size_t k = token_at(f, fl->loc.start);
  tok(f, k, STMT, ind + 2, 0);
  f->pad = type_col;
  tok(f, k + 1, JOIN, type_col, 1);
  if (fl->elem_name) {
    want(f, k + 2, TOK_OF);
    tok(f, k + 2, JOIN, type_col, 1);
    tok(f, k + 3, JOIN, type_col, 1);
  }
  for (uint32_t i = 0; i < fl->cons.n; i++)
    emit_constraint(f, fl->cons.items[i], i == 0, cons_col);
}

/* record NAME [key a, b] { fields } */
static void emit_record(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  size_t open = k + 2, close = last_token(f, d->loc);
  if (d->keys.n > 0) {
    want(f, open, TOK_KEY);
    tok(f, open, JOIN, ind + 4, 1);
    ast_list links = d->keys; /* `key hh_id per year`: the order is the last key */
    if (d->order)
      links.n--;
    open = emit_list(f, &links, L_NAME, JOIN, ind + 4, 1);
    if (d->order) {
      want(f, open, TOK_NAME);
      tok(f, open, JOIN, ind + 4, 1);
      tok(f, open + 1, JOIN, ind + 4, 1);
      open += 2;
    }
  }
  want(f, open, '{');
  want(f, close, '}');
  tok(f, open, JOIN, ind + 4, 1);
  /* the columns */
  int name_w = 0, type_w = 0;
  for (uint32_t i = 0; i < d->fields.n; i++) {
    const ast_field *fl = d->fields.items[i];
    size_t m = token_at(f, fl->loc.start);
    int nw = token_width(f, m), tw = token_width(f, m + 1);
    if (fl->elem_name)
      tw += 4 + token_width(f, m + 3);
    name_w = nw > name_w ? nw : name_w;
    if (fl->cons.n > 0 && tw > type_w)
      type_w = tw;
  }
  int type_col = ind + 2 + name_w + 1, cons_col = type_col + type_w + 1;
  if (d->fields.n == 0 && f->t[close].nlead == 0 && !f->need_nl) {
    tok(f, close, JOIN, ind, 0); /* record NAME {} */
    return;
  }
  f->noblank = true;
  for (uint32_t i = 0; i < d->fields.n; i++)
    emit_field(f, d->fields.items[i], ind, type_col, cons_col);
  tok(f, close, CLOSE, ind, 0);
}

/* A table's `by EXPR {` (an extend's `{`): pushes it on the stack of open tables. */
static void open_table(F *f, const ast_table *table, size_t *depth, int ind)
{
  size_t open = token_at(f, table->loc.start), close = last_token(f, table->loc);
  if (table->by) {
    want(f, open, TOK_BY);
    tok(f, open, JOIN, ind, 1);
    emit_expr(f, table->by, 1, ind);
    open = token_after(f, table->by->span.end);
  } /* else the rows of an extend: `{` follows the name */
  want(f, open, '{');
  want(f, close, '}');
  bool one_line = true;
  for (size_t m = open; m < close; m++)
    if (f->t[m + 1].nl_tok > 0 || f->t[m + 1].nlead > 0 || f->t[m].trail >= 0)
      one_line = false;
  tok(f, open, JOIN, ind, 1);
  f->ts = grow(f, f->ts, &f->capts, *depth + 1, sizeof *f->ts);
  f->ts[(*depth)++] = (tframe){table, 0, close, f->indent, one_line};
  /* no blank line before the first row; a table on one line starts no row line */
  if (table->rows.n > 0 && !one_line)
    f->noblank = true;
}

/* by EXPR { rows }: on one line when written so, else a row a line.  Tables nest as deep as
 * the parser's stack allows, so the open ones are kept on a stack of their own. */
static void emit_table(F *f, const ast_table *outer, int ind)
{
  size_t depth = 0;
  open_table(f, outer, &depth, ind);
  while (depth > 0) {
    tframe *top = &f->ts[depth - 1];
    const ast_table *table = top->table;
    if (top->row == table->rows.n) {
      bool spaced = top->one_line && table->rows.n > 0;
      tok(f, top->close, top->one_line ? JOIN : CLOSE, top->line_ind, spaced ? 1 : 0);
      depth--;
      continue;
    }
    const ast_table_row *row = table->rows.items[top->row];
    int row_ind = top->line_ind + 2, mode = top->one_line ? JOIN : STMT;
    int sp = top->row++ == 0 ? 1 : 2;
    size_t colon;
    if (row->keys.n == 0) {
      size_t k = token_at(f, row->loc.start);
      want(f, k, TOK_OTHERWISE);
      tok(f, k, mode, row_ind, sp);
      colon = k + 1;
    } else {
      colon = emit_list(f, &row->keys, L_SLIT, mode, row_ind, sp);
    }
    want(f, colon, ':');
    tok(f, colon, f->t[colon].nl_tok > 0 ? BREAK : JOIN, row_ind + 2, 0);
    if (row->nested)
      open_table(f, row->nested, &depth, row_ind + 4);
    else
      emit_slit(f, row->value, row_ind + 4);
  }
}

/* param NAME TYPE = VALUE | param NAME TYPE by EXPR { rows } | extend param NAME { rows } */
static void emit_param(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  if (d->is_extend) {
    emit_table(f, d->table, ind + 4);
    return;
  }
  tok(f, k + 2, JOIN, ind + 4, 1);
  if (d->table->by) {
    emit_table(f, d->table, ind + 4);
    return;
  }
  want(f, k + 3, '=');
  tok(f, k + 3, JOIN, ind + 4, 1);
  if (d->table->rows.n != 1)
    lost(f, f->t[k + 3].end);
  emit_slit(f, ((const ast_table_row *)d->table->rows.items[0])->value, ind + 4);
}

/* NAME [: TYPE] after let and decide; returns the token after it. */
static size_t emit_typed_name(F *f, const ast_decl *d, size_t k, int ind)
{
  tok(f, k, JOIN, ind + 4, 1);
  if (d->type_name) {
    want(f, k + 1, ':');
    tok(f, k + 1, JOIN, ind + 4, 0);
    tok(f, k + 2, JOIN, ind + 4, 1);
    return k + 3;
  }
  return k + 1;
}

/* The printer's state, to print something only to see how many lines it takes. */
typedef struct {
  size_t nl, n;
  int width, cmt;
  bool blank;
  int col, indent;
  bool empty, need_nl, noblank;
  int pad;
} fsnap;

static fsnap snapshot(F *f)
{
  fsnap s = {f->nl, 0, 0, -1, false, f->col, f->indent, f->empty, f->need_nl, f->noblank, f->pad};
  if (f->nl > 0) {
    fline *L = &f->l[f->nl - 1];
    s.n = L->n;
    s.width = L->width;
    s.cmt = L->cmt;
    s.blank = L->blank;
  }
  return s;
}

static void restore(F *f, const fsnap *s)
{
  for (size_t i = s->nl; i < f->nl; i++)
    mem_free(f->l[i].s);
  f->nl = s->nl;
  if (f->nl > 0) {
    fline *L = &f->l[f->nl - 1];
    L->n = s->n;
    if (L->s)
      L->s[L->n] = '\0';
    L->width = s->width;
    L->cmt = s->cmt;
    L->blank = s->blank;
  }
  f->col = s->col;
  f->indent = s->indent;
  f->empty = s->empty;
  f->need_nl = s->need_nl;
  f->noblank = s->noblank;
  f->pad = s->pad;
}

static void emit_let(F *f, const ast_decl *d, size_t k, bool ovr, int ind);

/* The token after `let NAME = EXPR` if it prints on one line (an end-of-line comment
 * allowed), else 0: it is printed, and the printing undone. */
static size_t one_line_let(F *f, const ast_decl *d, int ind)
{
  if (d->kind != DECL_LET || d->is_override || d->type_name)
    return 0;
  size_t k = token_at(f, d->loc.start);
  fsnap s = snapshot(f);
  bool was = f->measuring;
  f->measuring = true;
  emit_let(f, d, k, false, ind);
  size_t lines = f->nl - s.nl;
  f->measuring = was;
  restore(f, &s);
  return lines == 1 + f->t[k].nlead ? token_after(f, d->loc.end) : 0;
}

/* Consecutive one-line lets, with no blank line or comment between them, line up their
 * '=': when the let decls[i] is not already in a run, finds the run it starts. */
static void let_run(F *f, const ast_list *decls, uint32_t i, int ind)
{
  const ast_decl *d = decls->items[i];
  if (d->kind != DECL_LET || d->is_override || token_at(f, d->loc.start) < f->run_end)
    return;
  size_t end = 0;
  int w = 0, n = 0;
  for (uint32_t m = i; m < decls->n; m++, n++) {
    const ast_decl *next = decls->items[m];
    size_t e = one_line_let(f, next, ind);
    if (!e)
      break;
    size_t k = token_at(f, next->loc.start);
    if (m > i && (f->t[k].nl >= 2 || f->t[k].nlead > 0))
      break;
    int nw = token_width(f, k + 1);
    w = nw > w ? nw : w;
    end = e;
  }
  f->run_end = n > 1 ? end : 0;
  f->run_w = w;
}

/* let NAME [: TYPE] = EXPR */
static void emit_let(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  bool aligned = !ovr && !f->measuring && k < f->run_end;
  head(f, k, ovr, ind);
  size_t eq = emit_typed_name(f, d, k + 1, ind);
  want(f, eq, '=');
  if (aligned)
    f->pad = ind + 4 + f->run_w + 1;
  tok(f, eq, JOIN, ind + 4, 1);
  emit_expr(f, d->expr, 1, ind + 4);
}

/* because "reason" at token k, its break kept at `ind` */
static void emit_reason(F *f, size_t k, int ind)
{
  want(f, k, TOK_BECAUSE);
  tok(f, k, f->t[k].nl_tok > 0 ? BREAK : JOIN, ind, 1);
  want(f, k + 1, TOK_STRING);
  tok(f, k + 1, JOIN, ind + 2, 1);
}

/* when E then E [because S] | otherwise E [because S] */
static void emit_rule(F *f, const ast_rule *r, int ind)
{
  tok(f, token_at(f, r->loc.start), STMT, ind + 2, 0);
  if (r->cond) {
    emit_expr(f, r->cond, 1, ind + 4);
    size_t then = token_after(f, r->cond->span.end);
    want(f, then, TOK_THEN);
    tok(f, then, f->t[then].nl_tok > 0 ? BREAK : JOIN, ind + 4, 1);
    emit_expr(f, r->value, 1, ind + 6);
  } else {
    emit_expr(f, r->value, 1, ind + 4);
  }
  if (r->reason)
    emit_reason(f, token_after(f, r->value->span.end), ind + 4);
}

/* decide NAME [: TYPE] rules */
static void emit_decide(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  emit_typed_name(f, d, k + 1, ind);
  f->noblank = true;
  for (uint32_t i = 0; i < d->rules.n; i++)
    emit_rule(f, d->rules.items[i], ind);
  f->noblank = false;
}

/* monitor NAME severity LEVEL when E [because S] */
static void emit_monitor(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, TOK_SEVERITY);
  tok(f, k + 2, JOIN, ind + 4, 1);
  tok(f, k + 3, JOIN, ind + 4, 1);
  want(f, k + 4, TOK_WHEN);
  f->noblank = true;
  tok(f, k + 4, BREAK, ind + 2, 0);
  emit_expr(f, d->cond, 1, ind + 4);
  if (d->reason)
    emit_reason(f, token_after(f, d->cond->span.end), ind + 2);
}

/* The declarations of the file or of an aggregate's body, in order. */
static void emit_body(F *f, const ast_list *decls, int ind)
{
  for (uint32_t i = 0; i < decls->n; i++) {
    let_run(f, decls, i, ind);
    emit_decl(f, decls->items[i], ind);
  }
}

/* aggregate NAME by KEY [= EXPR], ... { let | decide | output ... } */
static void emit_aggregate(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, TOK_BY);
  tok(f, k + 2, JOIN, ind + 4, 1);
  size_t open = emit_list(f, &d->group, L_GKEY, JOIN, ind + 4, 1);
  want(f, open, '{');
  tok(f, open, JOIN, ind + 4, 1);
  f->noblank = true;
  emit_body(f, &d->body, ind + 2);
  size_t close = last_token(f, d->loc);
  want(f, close, '}');
  tok(f, close, CLOSE, ind, 0);
}

/* Opens `{ items }` (records false) or `[ records ]` of a test's given at token `open`:
 * pushes it on the stack of open brackets. */
static void open_given(F *f, size_t *depth, size_t open, size_t close, const ast_list *items,
                       bool records, int mode, int ind)
{
  want(f, open, records ? '[' : '{');
  want(f, close, records ? ']' : '}');
  tok(f, open, mode, ind, 1);
  bool block = f->t[open + 1].nl_tok > 0 || f->t[open + 1].nlead > 0;
  f->gs = grow(f, f->gs, &f->capgs, *depth + 1, sizeof *f->gs);
  f->gs[(*depth)++] =
      (gframe){items, records, 0,    open + 1, close, f->indent, block ? f->indent + 2 : f->col + 1,
               block, true,    false};
}

/* Passes over the surplus commas before token `until`, keeping their comments. */
static void drop_commas(F *f, gframe *g, size_t until)
{
  for (; g->k < until; g->k++) {
    want(f, g->k, ',');
    g->carry |= f->t[g->k].nl_tok > 0;
    drop(f, g->k, g->cont);
  }
}

/* The closing bracket of a given's braces or brackets. */
static void close_given(F *f, gframe *g)
{
  drop_commas(f, g, g->close);
  if (g->first && f->t[g->close].nlead > 0)
    tok(f, g->close, CLOSE, g->line_ind, 0);
  else if (g->first)
    tok(f, g->close, JOIN, g->cont, 0);
  else if (g->block)
    tok(f, g->close, CLOSE, g->line_ind, 0);
  else
    tok(f, g->close, JOIN, g->cont, 1);
}

/* After an item of g (ending at byte `end`): one comma if another item follows. */
static void item_done(F *f, gframe *g, uint32_t end)
{
  g->first = false;
  g->k = token_after(f, end);
  if (g->item < g->items->n) {
    fline *L = &f->l[f->nl - 1];
    append(f, L, ",", 1);
    f->col++;
    L->width = f->col;
  }
}

/* { items } of a test's given: one comma between items, none trailing; a space inside the
 * brackets; the bracket rule of expressions for the breaks.  A `NAME: [ { ... }, ... ]` item
 * nests records, as deep as the parser's stack allows: the open brackets are kept on a stack
 * of their own. */
static void emit_given(F *f, size_t open, size_t close, const ast_list *items, int ind)
{
  size_t depth = 0;
  open_given(f, &depth, open, close, items, false, JOIN, ind);
  while (depth > 0) {
    gframe *g = &f->gs[depth - 1];
    if (g->item == g->items->n) {
      close_given(f, g);
      if (--depth > 0) {
        gframe *parent = &f->gs[depth - 1];
        item_done(f, parent, f->t[g->close].end);
      }
      continue;
    }
    const void *item = g->items->items[g->item++];
    elig_loc span =
        g->records ? ((const ast_expr *)item)->span : ((const ast_given_item *)item)->loc;
    size_t k = token_at(f, span.start);
    drop_commas(f, g, k);
    int m =
        (g->first && g->block) || (!g->first && (f->t[k].nl_tok > 0 || g->carry)) ? BREAK : JOIN;
    g->carry = false;
    if (g->records) {
      const ast_expr *r = item;
      open_given(f, &depth, k, last_token(f, r->span), &r->list, false, m, g->cont);
      continue;
    }
    const ast_given_item *gi = item;
    int cont = g->cont;
    want(f, k, TOK_NAME);
    tok(f, k, m, cont, 1);
    want(f, k + 1, ':');
    tok(f, k + 1, JOIN, cont + 2, 0);
    if (gi->value->kind == AST_SET) {
      const ast_expr *list = gi->value;
      open_given(f, &depth, token_at(f, list->span.start), last_token(f, list->span), &list->list,
                 true, JOIN, cont + 2);
      continue;
    }
    emit_slit(f, gi->value, cont + 2);
    item_done(f, g, span.end);
  }
}

/* The first token after step st of a test: its first expectation's `expect`, or what follows
 * its given record when it has none (`next`: the next step's `given` or the test's '}'). */
static size_t step_end(F *f, const ast_test_step *st, size_t next)
{
  size_t end = next;
  if (st->expects.list.n > 0)
    end = token_at(f, ((const ast_expr *)st->expects.list.items[0])->span.start) - 1;
  if (st->expects.word) {
    size_t r = token_at(f, st->expects.rejected_loc.start) - 1;
    end = r < end ? r : end;
  }
  return end;
}

/* test "NAME" { given { ... } expect E ... [given { ... } expect E ...] } */
static void emit_test(F *f, const ast_decl *d, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, '{');
  tok(f, k + 2, JOIN, ind + 4, 1);
  size_t close = last_token(f, d->loc);
  for (uint32_t s = 0; s < d->steps.n; s++) {
    const ast_test_step *st = d->steps.items[s];
    size_t given = token_at(f, st->loc.start);
    size_t next = s + 1 < d->steps.n
                      ? token_at(f, ((const ast_test_step *)d->steps.items[s + 1])->loc.start)
                      : close;
    want(f, given, TOK_GIVEN);
    f->noblank = s == 0;
    tok(f, given, STMT, ind + 2, 0);
    /* the given's '}' is before the step's first `expect`, or before what follows it */
    emit_given(f, given + 1, step_end(f, st, next) - 1, &st->given, ind + 4);
    for (uint32_t i = 0; i < st->expects.list.n; i++) {
      const ast_expr *e = st->expects.list.items[i];
      size_t expect = token_at(f, e->span.start) - 1;
      want(f, expect, TOK_EXPECT);
      tok(f, expect, STMT, ind + 2, 0);
      emit_expr(f, e, 1, ind + 4);
    }
    if (st->expects.word) {
      size_t expect = token_at(f, st->expects.rejected_loc.start) - 1;
      want(f, expect, TOK_EXPECT);
      tok(f, expect, STMT, ind + 2, 0);
      tok(f, expect + 1, JOIN, ind + 4, 1);
      tok(f, expect + 2, JOIN, ind + 4, 1);
    }
  }
  want(f, close, '}');
  tok(f, close, CLOSE, ind, 0);
}

static void emit_decl(F *f, const ast_decl *d, int ind)
{
  size_t k = token_at(f, d->loc.start);
  bool ovr = d->is_override || d->is_extend;
  if (ovr) {
    want(f, k, d->is_extend ? TOK_EXTEND : TOK_OVERRIDE);
    tok(f, k, STMT, ind, 0);
    k++;
  }
  switch (d->kind) {
  case DECL_POLICY:
    head(f, k, ovr, ind);
    tok(f, k + 1, JOIN, ind + 4, 1);
    if (d->version) {
      tok(f, k + 2, JOIN, ind + 4, 1);
      tok(f, k + 3, JOIN, ind + 4, 1);
    }
    break;
  case DECL_IMPORT:
    head(f, k, ovr, ind);
    tok(f, k + 1, JOIN, ind + 4, 1);
    break;
  case DECL_RECORD: emit_record(f, d, k, ovr, ind); break;
  case DECL_PARAM: emit_param(f, d, k, ovr, ind); break;
  case DECL_LET: emit_let(f, d, k, ovr, ind); break;
  case DECL_DECIDE: emit_decide(f, d, k, ovr, ind); break;
  case DECL_MONITOR: emit_monitor(f, d, k, ovr, ind); break;
  case DECL_AGGREGATE: emit_aggregate(f, d, k, ovr, ind); break;
  case DECL_OUTPUT:
    head(f, k, ovr, ind);
    emit_list(f, &d->names, L_NAME, JOIN, ind + 4, 1);
    break;
  case DECL_TEST: emit_test(f, d, k, ovr, ind); break;
  }
}

static void emit_file(F *f, const ast_file *tree)
{
  for (uint32_t i = 0; i < tree->decls.n; i++) {
    const ast_decl *decl = tree->decls.items[i];
    f->d = grow(f, f->d, &f->capd, f->nd + 1, sizeof *f->d);
    fspan *d = &f->d[f->nd++];
    d->first = f->nl;
    d->tok = f->nl + f->t[token_at(f, decl->loc.start)].nlead;
    let_run(f, &tree->decls, i, 0);
    emit_decl(f, decl, 0);
    d->last = f->nl - 1;
  }
  /* every token printed, and the comments after the last */
  if (f->next != f->nt - 1)
    lost(f, f->t[f->next].start);
  ftok *e = &f->t[f->nt - 1];
  for (uint32_t j = 0; j < e->nlead; j++) {
    fcmt *c = &f->c[e->lead + j];
    new_line(f, 0, c->nl >= 2);
    put(f, f->src + c->start, c->len, 0);
  }
  /* a blank line around every declaration of several lines */
  for (size_t i = 1; i < f->nd; i++)
    if (f->d[i - 1].last > f->d[i - 1].tok || f->d[i].last > f->d[i].tok)
      f->l[f->d[i].first].blank = true;
}

/* The lines, end-of-line comments lined up, into one text allocated through mem.h. */
static char *render(F *f, size_t *outlen)
{
  const char *eol = "\n";
  const char *nl = memchr(f->src, '\n', f->len);
  if (nl && nl > f->src && nl[-1] == '\r')
    eol = "\r\n";
  size_t eoll = strlen(eol);
  bool bom = f->len >= 3 && memcmp(f->src, "\xEF\xBB\xBF", 3) == 0;
  size_t total = bom ? 3 : 0;
  for (size_t i = 0; i < f->nl;) {
    /* a run of consecutive lines with end-of-line comments */
    size_t j = i;
    int w = 0;
    while (j < f->nl && f->l[j].cmt >= 0 && (j == i || !f->l[j].blank)) {
      w = f->l[j].width > w ? f->l[j].width : w;
      j++;
    }
    for (size_t m = i; m < j; m++) {
      fline *L = &f->l[m];
      while (L->n > 0 && L->s[L->n - 1] == ' ')
        L->n--;
      spaces(f, L, w + 2 - L->width);
      append(f, L, f->src + f->c[L->cmt].start, f->c[L->cmt].len);
    }
    if (j == i) {
      fline *L = &f->l[i];
      while (L->n > 0 && L->s[L->n - 1] == ' ')
        L->n--;
      j = i + 1;
    }
    for (; i < j; i++)
      total += f->l[i].n + eoll * (f->l[i].blank ? 2 : 1);
  }
  char *out = mem_alloc(total + 1), *p = out;
  if (!out)
    fail(f, FMT_ENOMEM, "%s", _("out of memory"));
  if (bom) {
    memcpy(p, "\xEF\xBB\xBF", 3);
    p += 3;
  }
  for (size_t i = 0; i < f->nl; i++) {
    if (f->l[i].blank) {
      memcpy(p, eol, eoll);
      p += eoll;
    }
    if (f->l[i].n)
      memcpy(p, f->l[i].s, f->l[i].n);
    p += f->l[i].n;
    memcpy(p, eol, eoll);
    p += eoll;
  }
  *p = '\0';
  *outlen = (size_t)(p - out);
  return out;
}

/* ---------------------------------------------------------------- the entry point */

static void set_err(char *err, size_t errsize, const char *msg)
{
  if (err && errsize)
    snprintf(err, errsize, "%s", msg);
}

/* One parse of a text, and everything it owns (parsed_free frees it). */
typedef struct {
  src_set *set;
  diag_list *diags;
  ast_arena *arena;
  ast_file *tree;
  parse_tokens tokens; /* filled when asked for */
  char *dump;          /* the tree as text (ast_dump) */
} parsed;

static void parsed_free(parsed *p)
{
  parse_tokens_free(&p->tokens);
  mem_free(p->dump);
  ast_arena_free(p->arena);
  diag_list_free(p->diags);
  src_set_free(p->set);
}

/* Keeps the first diagnostic of a rendering, with its help and notes: up to the next error
 * or warning. */
static void first_diagnostic(char *text)
{
  char *cut = strchr(text, '\n');
  while (cut && cut[1]) {
    size_t n = strcspn(cut + 1, "\n");
    char save = cut[1 + n];
    cut[1 + n] = '\0';
    bool next = cut[1] != ' ' && (strstr(cut + 1, ": error") || strstr(cut + 1, ": warning"));
    cut[1 + n] = save;
    if (next)
      break;
    cut = save ? cut + 1 + n : NULL;
  }
  if (cut)
    *cut = '\0';
  size_t n = strlen(text);
  while (n > 0 && text[n - 1] == '\n')
    text[--n] = '\0';
}

/* Parses the text into *p (the caller frees it with parsed_free, whatever the outcome), with
 * the lexer's tables when `tokens`; on success p->dump is its syntax tree as text.  On a
 * syntax error, err receives the first error as `elig check` renders it. */
static int parse_text(const char *name, const char *src, size_t len, bool tokens, parsed *p,
                      char *err, size_t errsize)
{
  uint32_t id;
  int rc = FMT_ENOMEM;
  *p = (parsed){.set = src_set_new(), .diags = diag_list_new(), .arena = ast_arena_new()};
  if (!p->set || !p->diags || !p->arena)
    goto done;
  int st = src_set_add_string(p->set, name, src, len, &id);
  if (st == SRC_ETOOBIG) {
    set_err(err, errsize, _("the file is too large for a rule file"));
    return FMT_EINVAL;
  }
  if (st != SRC_OK)
    goto done;
  p->tree = tokens ? parse_file_tokens(p->set, id, p->arena, p->diags, &p->tokens)
                   : parse_file(p->set, id, p->arena, p->diags);
  if (diag_error_count(p->diags) > 0) {
    diag_sort(p->diags);
    char *text = diag_render(p->diags, p->set, false);
    if (!text)
      goto done;
    first_diagnostic(text);
    set_err(err, errsize, text);
    mem_free(text);
    return FMT_ESYNTAX;
  }
  if (!p->tree || diag_out_of_memory(p->diags) || p->tokens.out_of_memory)
    goto done;
  p->dump = ast_dump(p->tree);
  rc = p->dump ? FMT_OK : FMT_ENOMEM;
done:
  if (rc == FMT_ENOMEM)
    set_err(err, errsize, _("out of memory"));
  return rc;
}

/* The layout proper; FMT_OK, or the code with which fail() abandoned it. */
static int run_layout(F *f, const parsed *in, char **text, size_t *n)
{
  if (setjmp(f->jb) != 0)
    return f->code;
  hang_comments(f, &in->tokens);
  emit_file(f, in->tree);
  *text = render(f, n);
  return FMT_OK;
}

/* Lays out the parsed input into a text allocated through mem.h; FMT_OK or the code of what stopped it,
 * with its message in err. */
static int lay_out(const char *src, size_t len, const parsed *in, char **text, size_t *n, char *err,
                   size_t errsize)
{
  F *f = mem_calloc(1, sizeof *f);
  *text = NULL;
  if (!f) {
    set_err(err, errsize, _("out of memory"));
    return FMT_ENOMEM;
  }
  f->src = src;
  f->len = len;
  int rc = run_layout(f, in, text, n);
  if (rc != FMT_OK)
    set_err(err, errsize, f->msg);
  for (size_t i = 0; i < f->nl; i++)
    mem_free(f->l[i].s);
  mem_free(f->l);
  mem_free(f->t);
  mem_free(f->c);
  mem_free(f->d);
  mem_free(f->st);
  mem_free(f->ts);
  mem_free(f->gs);
  mem_free(f);
  return rc;
}

int fmt_format_named(const char *name, const char *src, size_t len, char **out, size_t *outlen,
                     char *err, size_t errsize)
{
  if (!src || !out || !outlen) {
    /* TRANSLATORS: `elig fmt` was given nothing. */
    set_err(err, errsize, _("no text to format"));
    return FMT_EINVAL;
  }
  name = name ? name : "<input>";
  parsed before, after = {0};
  char *text = NULL;
  size_t n = 0;
  int rc = parse_text(name, src, len, true, &before, err, errsize);
  if (rc == FMT_OK)
    rc = lay_out(src, len, &before, &text, &n, err, errsize);
  if (rc == FMT_OK) {
    /* the guarantee: same tree, still parses */
    char msg[512];
    rc = parse_text(name, text, n, false, &after, msg, sizeof msg);
    if (rc == FMT_OK && strcmp(before.dump, after.dump) != 0)
      rc = FMT_EINTERNAL;
    if (rc == FMT_ESYNTAX || rc == FMT_EINTERNAL || rc == FMT_EINVAL) {
      rc = FMT_EINTERNAL;
      set_err(err, errsize,
              /* TRANSLATORS: `elig fmt` met a bug of its own and changed nothing. */
              _("internal error: the formatted text would not mean the same; the file is left "
                "as it is (please report this)"));
    } else if (rc != FMT_OK) {
      set_err(err, errsize, msg);
    }
  }
  parsed_free(&before);
  parsed_free(&after);
  if (rc != FMT_OK) {
    mem_free(text);
    return rc;
  }
  *out = text;
  *outlen = n;
  return FMT_OK;
}

int fmt_format(const char *src, size_t len, char **out, size_t *outlen, char *err, size_t errsize)
{
  return fmt_format_named(NULL, src, len, out, outlen, err, errsize);
}
