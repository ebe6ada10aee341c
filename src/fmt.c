/*
 * fmt.c -- `elig fmt`: one canonical layout for rule files.
 *
 * Pipeline: the text must first parse without error (parse.c; otherwise it is refused with
 * the first error).  Then a tokenizer of its own, which mirrors grammar/lexer.l but also
 * keeps comments and line breaks, feeds a recursive descent that mirrors grammar/parser.y
 * and lays the tokens out on lines.  Last, the result is parsed again and its syntax tree
 * (ast_dump) compared with the input's: the formatter cannot change what a file means, and
 * a bug here refuses the file rather than rewriting it.  Only whitespace changes, plus the
 * optional commas of a test's `given` (one between items, none trailing).
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
 *  - param: `param NAME TYPE = VALUE`, or `param NAME TYPE by EXPR {` with one row per line
 *    and `}`.  A table written on one line with no comment stays on one line:
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
 *    added, and never before an expression's first token (it stays after `=`, `when`...).  A continuation line lines up with the start of the expression, or, inside a
 *    bracket, with the first thing after it; when the bracket is followed by a line break
 *    its contents are indented two from the line that opened it and the closing bracket
 *    goes on its own line at that line's indentation.
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

#include "ast.h"
#include "diag.h"
#include "fmt.h"
#include "parse.h"
#include "srcfile.h"
#include "utf8.h"

/* ---------------------------------------------------------------- tokens */

/* Single-character tokens are their character; the rest: */
enum {
  T_EOF = 256, T_NAME, T_INT, T_DEC, T_PCT, T_STR, T_DATE, T_REGEX, T_NE, T_LE, T_GE,
  T_NOTIN,
  K_AGGREGATE, K_AND, K_AT, K_BECAUSE, K_BETWEEN, K_BY, K_CHECK, K_DECIDE, K_DEFAULT, K_ELSE,
  K_EXPECT, K_FALSE, K_GIVEN, K_IF, K_IMPORT, K_IN, K_IS, K_KEY, K_LEAST, K_LET, K_MATCHES,
  K_MONITOR, K_MOST, K_NONE, K_NOT, K_OF, K_ONE, K_OPTIONAL, K_OR, K_OTHERWISE, K_OUTPUT,
  K_OVERRIDE, K_PARAM, K_POLICY, K_RECORD, K_REQUIRED, K_SEVERITY, K_TEST, K_THEN, K_TRUE,
  K_VERSION, K_WHEN, K_WHERE
};

/* lexer.l's keywords, in the order of the K_ values. */
static const char *const keywords[] = {
  "aggregate", "and", "at", "because", "between", "by", "check", "decide", "default", "else",
  "expect", "false", "given", "if", "import", "in", "is", "key", "least", "let", "matches",
  "monitor", "most", "none", "not", "of", "one", "optional", "or", "otherwise", "output",
  "override", "param", "policy", "record", "required", "severity", "test", "then", "true",
  "version", "when", "where"
};

typedef struct {
  int kind;
  uint32_t start, end; /* bytes of the source */
  int nl;              /* line ends since the previous token or comment */
  int nl_tok;          /* line ends since the previous token */
  uint32_t lead;       /* own-line comments before it: c[lead .. lead + nlead) */
  uint32_t nlead;
  int trail;           /* the comment after it on its line, or -1 */
} ftok;

typedef struct {
  uint32_t start, len; /* "# ..." without the line end and trailing spaces */
  int nl;              /* line ends since the previous token or comment */
} fcmt;

/* One output line: its text (indentation included) and its end-of-line comment. */
typedef struct {
  char *s;
  size_t n, cap;
  int width; /* in columns */
  int cmt;   /* index into c, or -1 */
  bool blank; /* a blank line comes before it */
} fline;

/* A top-level declaration's lines, for the blank line between long ones. */
typedef struct {
  size_t first, tok, last;
} fspan;

typedef struct {
  int col, line_ind; /* continuation column (hanging), indentation of the opening line */
  bool block;        /* the bracket is followed by a line break */
} fframe;

typedef struct {
  const char *src;
  size_t len;
  ftok *t;
  size_t nt, capt;
  fcmt *c;
  size_t nc, capc;
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
  fframe *st;      /* the open brackets of emit_expr (which never nests) */
  size_t capst;
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

static void *grow(F *f, void *p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return p;
  size_t n = *cap ? *cap * 2 : 16;
  while (n < need)
    n *= 2;
  void *q = realloc(p, n * size);
  if (!q)
    fail(f, FMT_ENOMEM, "out of memory");
  *cap = n;
  return q;
}

static int kind(F *f, size_t k)
{
  return k < f->nt ? f->t[k].kind : T_EOF;
}

/* Where a token is, for the formatter's own errors. */
static void line_col(F *f, size_t k, unsigned *line, unsigned *col)
{
  uint32_t at = k < f->nt ? f->t[k].start : (uint32_t)f->len;
  *line = 1;
  *col = 1;
  for (uint32_t i = 0; i < at; i++) {
    if (f->src[i] == '\n') {
      ++*line;
      *col = 1;
    } else if (((unsigned char)f->src[i] & 0xC0) != 0x80) {
      ++*col;
    }
  }
}

static void want(F *f, size_t k, int what)
{
  if (kind(f, k) != what) {
    unsigned line, col;
    line_col(f, k, &line, &col);
    fail(f, FMT_EINTERNAL, "internal error: the formatter did not expect the token at %u:%u",
         line, col);
  }
}

static bool is_idstart(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool is_idchar(unsigned char c)
{
  return is_idstart(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

/* Splits the source into tokens as lexer.l does (the input is known to lex without error),
 * hanging each comment on the token after it (own line) or before it (end of line). */
static void tokenize(F *f)
{
  const char *s = f->src;
  size_t n = f->len, i = 0;
  int nl = 0, nl_tok = 0;
  uint32_t lead = 0;
  bool expect_regex = false;
  if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
      if (s[i] == '\n') {
        nl++;
        nl_tok++;
      }
      i++;
    }
    if (i < n && s[i] == '#') {
      size_t e = i;
      while (e < n && s[e] != '\n')
        e++;
      size_t m = e;
      while (m > i && (s[m - 1] == ' ' || s[m - 1] == '\t' || s[m - 1] == '\r'))
        m--;
      f->c = grow(f, f->c, &f->capc, f->nc + 1, sizeof *f->c);
      f->c[f->nc] = (fcmt){(uint32_t)i, (uint32_t)(m - i), nl};
      if (f->nt > 0 && nl_tok == 0) {
        f->t[f->nt - 1].trail = (int)f->nc;
        lead = (uint32_t)f->nc + 1;
      }
      f->nc++;
      nl = 0;
      i = e;
      continue;
    }
    f->t = grow(f, f->t, &f->capt, f->nt + 1, sizeof *f->t);
    ftok *t = &f->t[f->nt];
    *t = (ftok){T_EOF, (uint32_t)i, (uint32_t)i, nl, nl_tok, lead,
                (uint32_t)f->nc - lead, -1};
    if (i >= n) {
      f->nt++;
      return;
    }
    unsigned char c = (unsigned char)s[i];
    size_t e = i + 1;
    int k = c;
    if (c == '/' && expect_regex) {
      while (e < n && s[e] != '/' && s[e] != '\n')
        e += s[e] == '\\' && e + 1 < n ? 2 : 1;
      e++;
      while (e < n && s[e] >= 'a' && s[e] <= 'z')
        e++;
      k = T_REGEX;
    } else if (c == '"') {
      while (e < n && s[e] != '"' && s[e] != '\n')
        e += s[e] == '\\' && e + 1 < n ? 2 : 1;
      e++;
      k = T_STR;
    } else if ((c == '!' || c == '<' || c == '>') && i + 1 < n && s[i + 1] == '=') {
      e = i + 2;
      k = c == '!' ? T_NE : c == '<' ? T_LE : T_GE;
    } else if (strchr("-+*/=<>(){}[],:.", c)) {
      k = c;
    } else if (is_digit(c)) {
      if (i + 10 <= n && is_digit(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 3]) &&
          s[i + 4] == '-' && is_digit(s[i + 5]) && is_digit(s[i + 6]) && s[i + 7] == '-' &&
          is_digit(s[i + 8]) && is_digit(s[i + 9])) {
        e = i + 10;
        k = T_DATE;
      } else {
        while (e < n && is_digit(s[e]))
          e++;
        k = T_INT;
        if (e + 1 < n && s[e] == '.' && is_digit(s[e + 1])) {
          for (e++; e < n && is_digit(s[e]); e++)
            ;
          k = T_DEC;
        }
        if (e < n && s[e] == '%') {
          e++;
          k = T_PCT;
        }
      }
    } else if (is_idstart(c)) {
      while (e < n && is_idchar((unsigned char)s[e]))
        e++;
      k = T_NAME;
      for (size_t w = 0; w < sizeof keywords / sizeof keywords[0]; w++)
        if (strlen(keywords[w]) == e - i && memcmp(keywords[w], s + i, e - i) == 0)
          k = K_AGGREGATE + (int)w;
      if (k == K_NOT) {
        /* "not in" is one token when "in" ends there ("not inx" is not) */
        size_t j = e;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
          j++;
        if (j > e && j + 2 < n && s[j] == 'i' && s[j + 1] == 'n' &&
            !is_idchar((unsigned char)s[j + 2])) {
          e = j + 2;
          k = T_NOTIN;
        }
      }
    } else {
      unsigned line, col;
      f->nt++;
      line_col(f, f->nt - 1, &line, &col);
      fail(f, FMT_EINTERNAL, "internal error: the formatter cannot read the character at %u:%u",
           line, col);
    }
    if (e > n)
      e = n;
    t->kind = k;
    t->end = (uint32_t)e;
    expect_regex = k == K_MATCHES;
    f->nt++;
    i = e;
    nl = nl_tok = 0;
    lead = (uint32_t)f->nc;
  }
}

/* ---------------------------------------------------------------- the extent of things */

/* The token after the bracket that closes the one at k. */
static size_t after_match(F *f, size_t k)
{
  int depth = 0;
  for (; k < f->nt; k++) {
    int c = f->t[k].kind;
    if (c == '(' || c == '{' || c == '[')
      depth++;
    else if (c == ')' || c == '}' || c == ']') {
      if (--depth == 0)
        return k + 1;
    }
  }
  want(f, k, ')');
  return k;
}

static bool is_binop(int k)
{
  switch (k) {
  case '+': case '-': case '*': case '/': case '=': case '<': case '>':
  case T_NE: case T_LE: case T_GE: case K_AND: case K_OR: case K_IN: case T_NOTIN:
    return true;
  default:
    return false;
  }
}

static bool is_literal(int k)
{
  return k == T_INT || k == T_DEC || k == T_PCT || k == T_STR || k == T_DATE || k == K_TRUE ||
         k == K_FALSE || k == K_NONE;
}

static size_t x_expr(F *f, size_t k);

/* primary: literal | NAME | NAME(...) | {...} | (...) | if E then E else E, then any .NAME */
static size_t x_primary(F *f, size_t k)
{
  int c = kind(f, k);
  if (c == K_IF) {
    k = x_expr(f, k + 1);
    want(f, k, K_THEN);
    k = x_expr(f, k + 1);
    want(f, k, K_ELSE);
    return x_expr(f, k + 1);
  }
  if (is_literal(c))
    k++;
  else if (c == T_NAME)
    k = kind(f, k + 1) == '(' ? after_match(f, k + 1) : k + 1;
  else if (c == '(' || c == '{')
    k = after_match(f, k);
  else
    want(f, k, T_NAME);
  while (kind(f, k) == '.') {
    want(f, k + 1, T_NAME);
    k += 2;
  }
  return k;
}

/* The token after the expression that starts at k (parser.y's expr). */
static size_t x_expr(F *f, size_t k)
{
  for (;;) {
    while (kind(f, k) == '-' || kind(f, k) == K_NOT)
      k++;
    k = x_primary(f, k);
    for (;;) {
      int c = kind(f, k);
      if (c == K_IS) {
        k += kind(f, k + 1) == K_NOT ? 2 : 1;
        want(f, k, K_NONE);
        k++;
      } else if (c == K_MATCHES) {
        want(f, k + 1, T_REGEX);
        k += 2;
      } else {
        break;
      }
    }
    if (!is_binop(kind(f, k)))
      return k;
    k++;
  }
}

static size_t x_slit(F *f, size_t k)
{
  if (kind(f, k) == '-')
    k++;
  if (!is_literal(kind(f, k)))
    want(f, k, T_INT);
  return k + 1;
}

static bool is_constraint(int k)
{
  return k == K_REQUIRED || k == K_OPTIONAL || k == K_DEFAULT || k == K_BETWEEN || k == K_AT ||
         k == K_ONE || k == K_MATCHES || k == K_CHECK;
}

static size_t x_constraint(F *f, size_t k)
{
  switch (kind(f, k)) {
  case K_REQUIRED: case K_OPTIONAL: return k + 1;
  case K_DEFAULT: return x_slit(f, k + 1);
  case K_BETWEEN:
    k = x_slit(f, k + 1);
    want(f, k, K_AND);
    return x_slit(f, k + 1);
  case K_AT: return x_slit(f, k + 2);
  case K_ONE:
    k = x_slit(f, k + 2);
    while (kind(f, k) == ',')
      k = x_slit(f, k + 1);
    return k;
  case K_MATCHES: return k + 2;
  default:
    k = x_expr(f, k + 1);
    want(f, k, K_ELSE);
    want(f, k + 1, T_STR);
    return k + 2;
  }
}

/* ---------------------------------------------------------------- the printer */

/* Columns text takes on a terminal: East Asian wide and full-width characters two,
 * combining marks none (the same measure as the diagnostics' carets). */
static int text_width(const char *s, size_t n)
{
  return (int)utf8_text_width(s, n);
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

enum { JOIN, BREAK, BREAKC, STMT, CLOSE };

/* Prints token k.  JOIN: on the current line, `sp` spaces after what is there.  BREAK: on a
 * new line at column `ind`; BREAKC: a closing bracket so, its comments one level in.  STMT:
 * on a new line, after a blank line if the author left one.  CLOSE: a closing '}' at `ind`,
 * its comments one level in.  Whatever the mode, own-line
 * comments before the token go on lines of their own and an end-of-line comment before it
 * puts it on a new line (at `ind`).  Returns the column where the token starts. */
static int tok(F *f, size_t k, int mode, int ind, int sp)
{
  ftok *t = &f->t[k];
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
  if (t->kind == T_NOTIN)
    start = put(f, "not in", 6, sp);
  else
    start = put(f, f->src + t->start, t->end - t->start, sp);
  if (t->trail >= 0) {
    f->l[f->nl - 1].cmt = t->trail;
    f->need_nl = true;
  }
  return start;
}

/* Re-places the comments of a token that is not printed (a surplus comma of a `given`). */
static void drop(F *f, size_t k, int ind)
{
  ftok *t = &f->t[k];
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

static bool operand_end(int k)
{
  return is_literal(k) || k == T_NAME || k == T_REGEX || k == ')' || k == '}';
}

/* Prints the expression [i, j): the first token `sp` spaces after what is on the line (at
 * `ind` if a comment pushes it to a new line), the rest by the rules in the header. */
static void emit_expr(F *f, size_t i, size_t j, int sp, int ind)
{
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
          unary_minus || (b == '(' && a == T_NAME))
        s = 0;
      bool brk = f->t[k].nl_tok > 0 || carry;
      carry = false;
      if (unary_minus || a == K_NOT || a == K_IS || a == '.' || b == '.' || b == T_REGEX ||
          (b == '(' && a == T_NAME))
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
      size_t have = f->capst;
      st = f->st = grow(f, f->st, &have, (size_t)depth + 1, sizeof *st);
      f->capst = have;
      ftok *next = &f->t[k + 1];
      bool empty = next->kind == ')' || next->kind == '}';
      st[depth++] = (fframe){f->col, f->indent, !empty && (next->nl_tok > 0 || next->nlead > 0)};
    } else if ((b == ')' || b == '}') && depth > 0) {
      depth--;
    }
  }
}

/* ---------------------------------------------------------------- lists */

enum { L_NAME, L_SLIT, L_GKEY };

/* Prints one list item at k (the first token in `mode`); returns the token after it and its
 * start column in *col. */
static size_t emit_item(F *f, size_t k, int what, int mode, int ind, int sp, int *col)
{
  if (what == L_SLIT && kind(f, k) == '-') {
    *col = tok(f, k, mode, ind, sp);
    tok(f, k + 1, JOIN, ind, 0);
    return k + 2;
  }
  *col = tok(f, k, mode, ind, sp);
  if (what == L_GKEY && kind(f, k + 1) == '=') {
    tok(f, k + 1, JOIN, ind + 2, 1);
    size_t e = x_expr(f, k + 2);
    emit_expr(f, k + 2, e, 1, ind + 2);
    return e;
  }
  return k + 1;
}

/* A comma-separated list; breaks after (or before) a comma are kept, lined up with the
 * first item. */
static size_t emit_list(F *f, size_t k, int what, int mode, int ind, int sp)
{
  int col = -1;
  bool carry = false;
  for (;;) {
    int m = mode, c;
    if (col >= 0)
      m = f->t[k].nl_tok > 0 || carry ? BREAK : JOIN;
    k = emit_item(f, k, what, m, col >= 0 ? col : ind, col >= 0 ? 1 : sp, &c);
    if (col < 0)
      col = c;
    if (kind(f, k) != ',')
      return k;
    carry = f->t[k].nl_tok > 0;
    tok(f, k, JOIN, col, 0);
    k++;
  }
}

/* ---------------------------------------------------------------- declarations */

static size_t emit_decl(F *f, size_t k, int ind);

/* The first keyword of a declaration: on a line of its own, or after `override`. */
static void head(F *f, size_t k, bool after_override, int ind)
{
  tok(f, k, after_override ? JOIN : STMT, ind, 1);
}

static size_t emit_slit(F *f, size_t k, int ind)
{
  int col;
  return emit_item(f, k, L_SLIT, JOIN, ind, 1, &col);
}

/* record NAME [key a, b] { fields } */
static size_t emit_record(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  k += 2;
  if (kind(f, k) == K_KEY) {
    tok(f, k, JOIN, ind + 4, 1);
    k = emit_list(f, k + 1, L_NAME, JOIN, ind + 4, 1);
  }
  want(f, k, '{');
  tok(f, k, JOIN, ind + 4, 1);
  k++;
  /* the columns */
  int name_w = 0, type_w = 0;
  for (size_t m = k; kind(f, m) != '}';) {
    want(f, m, T_NAME);
    want(f, m + 1, T_NAME);
    int nw = text_width(f->src + f->t[m].start, f->t[m].end - f->t[m].start);
    int tw = text_width(f->src + f->t[m + 1].start, f->t[m + 1].end - f->t[m + 1].start);
    m += 2;
    if (kind(f, m) == K_OF) {
      want(f, m + 1, T_NAME);
      tw += 4 + text_width(f->src + f->t[m + 1].start, f->t[m + 1].end - f->t[m + 1].start);
      m += 2;
    }
    name_w = nw > name_w ? nw : name_w;
    if (is_constraint(kind(f, m)) && tw > type_w)
      type_w = tw;
    while (is_constraint(kind(f, m)))
      m = x_constraint(f, m);
  }
  int type_col = ind + 2 + name_w + 1, cons_col = type_col + type_w + 1;
  if (kind(f, k) == '}' && f->t[k].nlead == 0 && !f->need_nl) {
    tok(f, k, JOIN, ind, 0); /* record NAME {} */
    return k + 1;
  }
  f->noblank = true;
  while (kind(f, k) != '}') {
    tok(f, k, STMT, ind + 2, 0);
    f->pad = type_col;
    tok(f, k + 1, JOIN, type_col, 1);
    k += 2;
    if (kind(f, k) == K_OF) {
      tok(f, k, JOIN, type_col, 1);
      tok(f, k + 1, JOIN, type_col, 1);
      k += 2;
    }
    for (bool first = true; is_constraint(kind(f, k)); first = false) {
      bool brk = f->t[k].nl_tok > 0;
      if (first && !brk)
        f->pad = cons_col;
      int c = cons_col + 2;
      size_t e = x_constraint(f, k);
      tok(f, k, brk ? BREAK : JOIN, cons_col, 1);
      switch (kind(f, k)) {
      case K_DEFAULT: emit_slit(f, k + 1, c); break;
      case K_BETWEEN: {
        size_t m = emit_slit(f, k + 1, c);
        tok(f, m, JOIN, c, 1);
        emit_slit(f, m + 1, c);
        break;
      }
      case K_AT:
        tok(f, k + 1, JOIN, c, 1);
        emit_slit(f, k + 2, c);
        break;
      case K_ONE:
        tok(f, k + 1, JOIN, c, 1);
        emit_list(f, k + 2, L_SLIT, JOIN, c, 1);
        break;
      case K_MATCHES: tok(f, k + 1, JOIN, c, 1); break;
      case K_CHECK: {
        emit_expr(f, k + 1, e - 2, 1, c);
        tok(f, e - 2, f->t[e - 2].nl_tok > 0 ? BREAK : JOIN, c, 1);
        tok(f, e - 1, JOIN, c + 2, 1);
        break;
      }
      default: break;
      }
      k = e;
    }
  }
  tok(f, k, CLOSE, ind, 0);
  return k + 1;
}

/* by EXPR { rows }: on one line when written so, else a row a line. */
static size_t emit_table(F *f, size_t k, int ind)
{
  want(f, k, K_BY);
  tok(f, k, JOIN, ind, 1);
  size_t open = x_expr(f, k + 1);
  emit_expr(f, k + 1, open, 1, ind);
  want(f, open, '{');
  size_t close = after_match(f, open) - 1;
  bool one_line = true;
  for (size_t m = open; m < close; m++)
    if (f->t[m + 1].nl_tok > 0 || f->t[m + 1].nlead > 0 || f->t[m].trail >= 0)
      one_line = false;
  tok(f, open, JOIN, ind, 1);
  int line_ind = f->indent;
  if (open + 1 == close) {
    tok(f, close, one_line ? JOIN : CLOSE, line_ind, 0);
    return close + 1;
  }
  f->noblank = true;
  for (k = open + 1; k < close;) {
    int row_ind = line_ind + 2, col;
    int mode = one_line ? JOIN : STMT, sp = k == open + 1 ? 1 : 2;
    if (kind(f, k) == K_OTHERWISE) {
      tok(f, k, mode, row_ind, sp);
      k++;
    } else {
      k = emit_list(f, k, L_SLIT, mode, row_ind, sp);
    }
    want(f, k, ':');
    tok(f, k, f->t[k].nl_tok > 0 ? BREAK : JOIN, row_ind + 2, 0);
    k++;
    if (kind(f, k) == K_BY)
      k = emit_table(f, k, row_ind + 4);
    else
      k = emit_item(f, k, L_SLIT, JOIN, row_ind + 4, 1, &col);
  }
  tok(f, close, one_line ? JOIN : CLOSE, line_ind, one_line ? 1 : 0);
  return close + 1;
}

/* param NAME TYPE = VALUE | param NAME TYPE by EXPR { rows } */
static size_t emit_param(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  tok(f, k + 2, JOIN, ind + 4, 1);
  k += 3;
  if (kind(f, k) == '=') {
    tok(f, k, JOIN, ind + 4, 1);
    return emit_slit(f, k + 1, ind + 4);
  }
  return emit_table(f, k, ind + 4);
}

/* NAME [: TYPE] after let and decide */
static size_t emit_typed_name(F *f, size_t k, int ind)
{
  tok(f, k, JOIN, ind + 4, 1);
  if (kind(f, k + 1) == ':') {
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
  fsnap s = {f->nl, 0, 0, -1, false, f->col, f->indent, f->empty, f->need_nl, f->noblank,
             f->pad};
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
    free(f->l[i].s);
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

static size_t emit_let(F *f, size_t k, bool ovr, int ind);

/* The token after `let NAME = EXPR` at k if it prints on one line (an end-of-line comment
 * allowed), else 0: it is printed, and the printing undone. */
static size_t one_line_let(F *f, size_t k, int ind)
{
  if (kind(f, k) != K_LET || kind(f, k + 1) != T_NAME || kind(f, k + 2) != '=')
    return 0;
  fsnap s = snapshot(f);
  bool was = f->measuring;
  f->measuring = true;
  size_t e = emit_let(f, k, false, ind);
  size_t lines = f->nl - s.nl;
  f->measuring = was;
  restore(f, &s);
  return lines == 1 + f->t[k].nlead ? e : 0;
}

/* Consecutive one-line lets, with no blank line or comment between them, line up their
 * '=': finds the run that starts at k. */
static void let_run(F *f, size_t k, int ind)
{
  size_t e, end = k;
  int w = 0, n = 0;
  for (size_t m = k; (e = one_line_let(f, m, ind)) != 0; m = e, n++) {
    if (m > k && (f->t[m].nl >= 2 || f->t[m].nlead > 0))
      break;
    int nw = text_width(f->src + f->t[m + 1].start, f->t[m + 1].end - f->t[m + 1].start);
    w = nw > w ? nw : w;
    end = e;
  }
  f->run_end = n > 1 ? end : 0;
  f->run_w = w;
}

/* let NAME [: TYPE] = EXPR */
static size_t emit_let(F *f, size_t k, bool ovr, int ind)
{
  if (!ovr && !f->measuring && k >= f->run_end)
    let_run(f, k, ind);
  bool aligned = !ovr && !f->measuring && k < f->run_end;
  head(f, k, ovr, ind);
  k = emit_typed_name(f, k + 1, ind);
  want(f, k, '=');
  if (aligned)
    f->pad = ind + 4 + f->run_w + 1;
  tok(f, k, JOIN, ind + 4, 1);
  size_t e = x_expr(f, k + 1);
  emit_expr(f, k + 1, e, 1, ind + 4);
  return e;
}

/* [because "reason"], its break kept at `ind` */
static size_t emit_reason(F *f, size_t k, int ind)
{
  if (kind(f, k) != K_BECAUSE)
    return k;
  tok(f, k, f->t[k].nl_tok > 0 ? BREAK : JOIN, ind, 1);
  want(f, k + 1, T_STR);
  tok(f, k + 1, JOIN, ind + 2, 1);
  return k + 2;
}

/* decide NAME [: TYPE]  (when E then E [because S] | otherwise E [because S])* */
static size_t emit_decide(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  k = emit_typed_name(f, k + 1, ind);
  f->noblank = true;
  for (;;) {
    int c = kind(f, k);
    if (c != K_WHEN && c != K_OTHERWISE) {
      f->noblank = false;
      return k;
    }
    tok(f, k, STMT, ind + 2, 0);
    size_t e = x_expr(f, k + 1);
    emit_expr(f, k + 1, e, 1, ind + 4);
    k = e;
    if (c == K_WHEN) {
      want(f, k, K_THEN);
      tok(f, k, f->t[k].nl_tok > 0 ? BREAK : JOIN, ind + 4, 1);
      e = x_expr(f, k + 1);
      emit_expr(f, k + 1, e, 1, ind + 6);
      k = e;
    }
    k = emit_reason(f, k, ind + 4);
  }
}

/* monitor NAME severity LEVEL when E [because S] */
static size_t emit_monitor(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, K_SEVERITY);
  tok(f, k + 2, JOIN, ind + 4, 1);
  tok(f, k + 3, JOIN, ind + 4, 1);
  k += 4;
  want(f, k, K_WHEN);
  f->noblank = true;
  tok(f, k, BREAK, ind + 2, 0);
  size_t e = x_expr(f, k + 1);
  emit_expr(f, k + 1, e, 1, ind + 4);
  return emit_reason(f, e, ind + 2);
}

/* aggregate NAME by KEY [= EXPR], ... { let | decide | output ... } */
static size_t emit_aggregate(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, K_BY);
  tok(f, k + 2, JOIN, ind + 4, 1);
  k = emit_list(f, k + 3, L_GKEY, JOIN, ind + 4, 1);
  want(f, k, '{');
  tok(f, k, JOIN, ind + 4, 1);
  k++;
  f->noblank = true;
  while (kind(f, k) != '}')
    k = emit_decl(f, k, ind + 2);
  tok(f, k, CLOSE, ind, 0);
  return k + 1;
}

static size_t emit_given(F *f, size_t open, int mode, int ind);

/* NAME: VALUE or NAME: [ {...}, ... ] */
static size_t emit_given_item(F *f, size_t k, int mode, int ind, bool records)
{
  if (records) {
    want(f, k, '{');
    return emit_given(f, k, mode, ind);
  }
  want(f, k, T_NAME);
  tok(f, k, mode, ind, 1);
  want(f, k + 1, ':');
  tok(f, k + 1, JOIN, ind + 2, 0);
  if (kind(f, k + 2) == '[')
    return emit_given(f, k + 2, JOIN, ind + 2);
  return emit_slit(f, k + 2, ind + 2);
}

/* { items } or [ records ] of a test's given: one comma between items, none trailing; a
 * space inside the brackets; the bracket rule of expressions for the breaks. */
static size_t emit_given(F *f, size_t open, int mode, int ind)
{
  bool records = kind(f, open) == '[';
  tok(f, open, mode, ind, 1);
  size_t close = after_match(f, open) - 1;
  int line_ind = f->indent;
  bool block = f->t[open + 1].nl_tok > 0 || f->t[open + 1].nlead > 0;
  int cont = block ? line_ind + 2 : f->col + 1;
  size_t k = open + 1;
  bool first = true, carry = false;
  for (;;) {
    while (k < close && kind(f, k) == ',') {
      carry |= f->t[k].nl_tok > 0;
      drop(f, k, cont);
      k++;
    }
    if (k >= close)
      break;
    int m = JOIN;
    if ((first && block) || (!first && (f->t[k].nl_tok > 0 || carry)))
      m = BREAK;
    carry = false;
    k = emit_given_item(f, k, m, cont, records);
    first = false;
    size_t next = k;
    while (next < close && kind(f, next) == ',')
      next++;
    if (next < close) {
      fline *L = &f->l[f->nl - 1];
      append(f, L, ",", 1);
      f->col++;
      L->width = f->col;
    }
  }
  if (first && f->t[close].nlead > 0)
    tok(f, close, CLOSE, line_ind, 0);
  else if (first)
    tok(f, close, JOIN, cont, 0);
  else if (block)
    tok(f, close, CLOSE, line_ind, 0);
  else
    tok(f, close, JOIN, cont, 1);
  return close + 1;
}

/* test "NAME" { given { ... } expect E ... } */
static size_t emit_test(F *f, size_t k, bool ovr, int ind)
{
  head(f, k, ovr, ind);
  tok(f, k + 1, JOIN, ind + 4, 1);
  want(f, k + 2, '{');
  tok(f, k + 2, JOIN, ind + 4, 1);
  want(f, k + 3, K_GIVEN);
  f->noblank = true;
  tok(f, k + 3, STMT, ind + 2, 0);
  want(f, k + 4, '{');
  k = emit_given(f, k + 4, JOIN, ind + 4);
  while (kind(f, k) == K_EXPECT) {
    tok(f, k, STMT, ind + 2, 0);
    size_t e = x_expr(f, k + 1);
    emit_expr(f, k + 1, e, 1, ind + 4);
    k = e;
  }
  want(f, k, '}');
  tok(f, k, CLOSE, ind, 0);
  return k + 1;
}

static size_t emit_decl(F *f, size_t k, int ind)
{
  bool ovr = kind(f, k) == K_OVERRIDE;
  if (ovr) {
    tok(f, k, STMT, ind, 0);
    k++;
  }
  switch (kind(f, k)) {
  case K_POLICY:
    head(f, k, ovr, ind);
    tok(f, k + 1, JOIN, ind + 4, 1);
    if (kind(f, k + 2) == K_VERSION) {
      tok(f, k + 2, JOIN, ind + 4, 1);
      tok(f, k + 3, JOIN, ind + 4, 1);
      return k + 4;
    }
    return k + 2;
  case K_IMPORT:
    head(f, k, ovr, ind);
    tok(f, k + 1, JOIN, ind + 4, 1);
    return k + 2;
  case K_RECORD: return emit_record(f, k, ovr, ind);
  case K_PARAM: return emit_param(f, k, ovr, ind);
  case K_LET: return emit_let(f, k, ovr, ind);
  case K_DECIDE: return emit_decide(f, k, ovr, ind);
  case K_MONITOR: return emit_monitor(f, k, ovr, ind);
  case K_AGGREGATE: return emit_aggregate(f, k, ovr, ind);
  case K_OUTPUT:
    head(f, k, ovr, ind);
    return emit_list(f, k + 1, L_NAME, JOIN, ind + 4, 1);
  case K_TEST: return emit_test(f, k, ovr, ind);
  default: want(f, k, K_LET); return k;
  }
}

static void emit_file(F *f)
{
  size_t k = 0;
  while (kind(f, k) != T_EOF) {
    f->d = grow(f, f->d, &f->capd, f->nd + 1, sizeof *f->d);
    fspan *d = &f->d[f->nd++];
    d->first = f->nl;
    d->tok = f->nl + f->t[k].nlead;
    k = emit_decl(f, k, 0);
    d->last = f->nl - 1;
  }
  ftok *e = &f->t[k];
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

/* The lines, end-of-line comments lined up, into one malloc'd text. */
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
  char *out = malloc(total + 1), *p = out;
  if (!out)
    fail(f, FMT_ENOMEM, "out of memory");
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

/* Parses the text; on success *dump is its syntax tree as text.  On a syntax error, err
 * receives the first error as `elig check` renders it. */
static int parse_dump(const char *name, const char *src, size_t len, char **dump, char *err,
                      size_t errsize)
{
  src_set *set = src_set_new();
  diag_list *diags = diag_list_new();
  ast_arena *arena = ast_arena_new();
  uint32_t id;
  int rc = FMT_ENOMEM;
  *dump = NULL;
  if (!set || !diags || !arena)
    goto done;
  int st = src_set_add_string(set, name, src, len, &id);
  if (st == SRC_ETOOBIG) {
    rc = FMT_EINVAL;
    set_err(err, errsize, "the file is too large for a rule file");
    goto done;
  }
  if (st != SRC_OK)
    goto done;
  ast_file *tree = parse_file(set, id, arena, diags);
  if (diag_error_count(diags) > 0) {
    diag_sort(diags);
    char *text = diag_render(diags, set, false);
    if (!text)
      goto done;
    /* the first diagnostic, with its help and notes: up to the next error or warning */
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
    set_err(err, errsize, text);
    free(text);
    rc = FMT_ESYNTAX;
    goto done;
  }
  if (!tree || diag_out_of_memory(diags))
    goto done;
  *dump = ast_dump(tree);
  rc = *dump ? FMT_OK : FMT_ENOMEM;
done:
  if (rc == FMT_ENOMEM)
    set_err(err, errsize, "out of memory");
  ast_arena_free(arena);
  diag_list_free(diags);
  src_set_free(set);
  return rc;
}

int fmt_format_named(const char *name, const char *src, size_t len, char **out,
                     size_t *outlen, char *err, size_t errsize)
{
  if (!src || !out || !outlen) {
    set_err(err, errsize, "no text to format");
    return FMT_EINVAL;
  }
  char *before = NULL, *after = NULL;
  int rc = parse_dump(name ? name : "<input>", src, len, &before, err, errsize);
  if (rc != FMT_OK)
    return rc;
  F *f = calloc(1, sizeof *f);
  char *text = NULL;
  size_t n = 0;
  if (!f) {
    free(before);
    set_err(err, errsize, "out of memory");
    return FMT_ENOMEM;
  }
  f->src = src;
  f->len = len;
  if (setjmp(f->jb) == 0) {
    tokenize(f);
    emit_file(f);
    text = render(f, &n);
  } else {
    rc = f->code;
    set_err(err, errsize, f->msg);
  }
  if (rc == FMT_OK) {
    /* the guarantee: same tree, still parses */
    char msg[512];
    rc = parse_dump(name ? name : "<input>", text, n, &after, msg, sizeof msg);
    if (rc == FMT_OK && strcmp(before, after) != 0)
      rc = FMT_EINTERNAL;
    if (rc == FMT_ESYNTAX || rc == FMT_EINTERNAL || rc == FMT_EINVAL) {
      rc = FMT_EINTERNAL;
      set_err(err, errsize,
              "internal error: the formatted text would not mean the same; the file is left "
              "as it is (please report this)");
    } else if (rc != FMT_OK) {
      set_err(err, errsize, msg);
    }
  }
  for (size_t i = 0; i < f->nl; i++)
    free(f->l[i].s);
  free(f->l);
  free(f->t);
  free(f->c);
  free(f->d);
  free(f->st);
  free(f);
  free(before);
  free(after);
  if (rc != FMT_OK) {
    free(text);
    return rc;
  }
  *out = text;
  *outlen = n;
  return FMT_OK;
}

int fmt_format(const char *src, size_t len, char **out, size_t *outlen, char *err,
               size_t errsize)
{
  return fmt_format_named(NULL, src, len, out, outlen, err, errsize);
}
