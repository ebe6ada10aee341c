/*
 * check_parse.c - unit tests for the front end: grammar/lexer.l and grammar/parser.y through
 * parse_file() (src/parse.h).
 *
 * Place in the pipeline: parse_file turns one source file of a src_set into a syntax tree;
 * nothing is resolved or typed yet. These tables feed small sources added with
 * src_set_add_string and compare the tree printed by ast_dump() (the stable form behind
 * `elig check --dump=ast`) with the expected text, so they pin what each declaration and
 * operator parses to: every declaration kind, precedence and associativity, UTF-8 names,
 * comments, literals (dates, percents, decimals, regexes and their flags after `matches`, a
 * division that is not a regex), string escapes, a byte-order mark. The error tables pin the
 * code and line:column of each diagnostic (diag_get_code / diag_get_pos), that several errors
 * in one file are all reported, the nesting limit PARSE_MAX_DEPTH and the lookalike operators
 * && || ! that get a hint rather than a bare syntax error.  One test pins the side tables of
 * parse_file_tokens (every token and comment, kind and bytes) and another the spans of
 * expressions (ast_expr.span) that the formatter reads.
 *
 * Left out (see /tmp/bugs/unit-01.md): dumping a test block whose `given` holds a list of
 * records (`members: [ { age: 3 } ]`) crashes ast_dump, so that row is not in decl_cases.
 * Left out (unit-02): parentheses do not count toward PARSE_MAX_DEPTH (thousands of them end in
 * bison's "memory exhausted" as E0401), so the depth tests nest other operators.
 */
#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "parse_help.h"
#include "srcfile.h"
#include "grammar/parser.h"
#include "mem.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One parse: the set, arena and diagnostics live until parsed_free. */
typedef struct {
  src_set *srcs;
  ast_arena *arena;
  diag_list *diags;
  ast_file *file;
  char *dump;
} parsed;

static void parse_text_n(parsed *p, const char *text, size_t len)
{
  uint32_t id = 0;
  memset(p, 0, sizeof *p);
  p->srcs = src_set_new();
  p->arena = ast_arena_new();
  p->diags = diag_list_new();
  ck_assert_ptr_nonnull(p->srcs);
  ck_assert_ptr_nonnull(p->arena);
  ck_assert_ptr_nonnull(p->diags);
  diag_set_max_errors(p->diags, 0);
  ck_assert_int_eq(src_set_add_string(p->srcs, "t.rules", text, len, &id), SRC_OK);
  p->file = parse_file(p->srcs, id, p->arena, p->diags);
  ck_assert_ptr_nonnull(p->file);
  p->dump = ast_dump(p->file);
  ck_assert_ptr_nonnull(p->dump);
}

static void parse_text(parsed *p, const char *text)
{
  parse_text_n(p, text, strlen(text));
}

static void parsed_free(parsed *p)
{
  mem_free(p->dump); /* the library's block: mem_free, not free (mem.c) */
  diag_list_free(p->diags);
  ast_arena_free(p->arena);
  src_set_free(p->srcs);
}

/* All diagnostics as "CODE@L:C; ..." for failure messages. */
static const char *diags_str(const parsed *p)
{
  static char buf[2048];
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < diag_count(p->diags) && n + 64 < sizeof buf; i++) {
    diag_pos pos;
    diag_get_pos(p->diags, p->srcs, i, &pos);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s@%u:%u (%s)", i ? "; " : "",
                          diag_get_code(p->diags, i), pos.line, pos.col,
                          diag_get_message(p->diags, i));
  }
  return buf;
}

/* ============================================================================================
 * Declarations: source in, ast_dump text out, no diagnostics
 * ========================================================================================== */

static const struct {
  const char *src;
  const char *dump;
} decl_cases[] = {
    {"policy \"national\" version \"2020.1\"", "(policy \"national\" version \"2020.1\")\n"},
    {"import \"base.rules\"", "(import \"base.rules\")\n"},
    {"record member { age int required between 0 and 120 }",
     "(record member\n  (field age int (required) (between 0 120)))\n"},
    {"record household key hh_id, year {\n"
     "  hh_id text required matches /^H/i\n"
     "  year int default 2020\n"
     "  g text optional one of \"A\", \"B\"\n"
     "  m money optional at least 0 at most 10 check m > 1 else \"too small\"\n"
     "  members list of member\n"
     "}",
     "(record household key hh_id year\n"
     "  (field hh_id text (required) (matches /^H/i))\n"
     "  (field year int (default 2020))\n"
     "  (field g text (optional) (one-of \"A\" \"B\"))\n"
     "  (field m money (optional) (at-least 0) (at-most 10) (check (> m 1)))\n"
     "  (field members list of member))\n"},
    {"param c money = 150", "(param c : money (=\n  (otherwise: 150)))\n"},
    {"param pl money by year { 2014: 2800 2020: 4000 }",
     "(param pl : money (by year\n  (2014: 2800)\n  (2020: 4000)))\n"},
    {"param cap percent by g { \"A\", \"B\": 3% otherwise: 2% }",
     "(param cap : percent (by g\n  (\"A\" \"B\": 3%)\n  (otherwise: 2%)))\n"},
    {"let x = 1", "(let x 1)\n"},
    {"let x: money = m or 0", "(let x : money (or m 0))\n"},
    {"decide s when x > pl then \"a\" because \"r\" otherwise \"b\"",
     "(decide s\n  (when (> x pl) then \"a\" because \"r\")\n  (otherwise \"b\"))\n"},
    {"monitor f severity high when x < 1 because \"low\"",
     "(monitor f severity high when (< x 1) because \"low\")\n"},
    {"aggregate v by g, k = prefix(hh_id, 2) { let n = count() decide e when n > 1 then \"y\" "
     "otherwise \"n\" output g, n }",
     "(aggregate v by g k=(prefix hh_id 2)\n  (let n (count))\n  (decide e\n    (when (> n 1) "
     "then \"y\")\n    (otherwise \"n\"))\n  (output g n))\n"},
    {"output hh_id, x", "(output hh_id x)\n"},
    /* several declarations on one line; line breaks mean nothing */
    {"let a = 1 let b =\n 2", "(let a 1)\n(let b 2)\n"},
    {"", ""},
    {"# only a comment\n", ""},
};

START_TEST(test_parse_declarations)
{
  parsed p;
  parse_text(&p, decl_cases[_i].src);
  ck_assert_msg(diag_count(p.diags) == 0, "'%s': %s", decl_cases[_i].src, diags_str(&p));
  ck_assert_msg(strcmp(p.dump, decl_cases[_i].dump) == 0, "'%s':\n got: %s\nwant: %s",
                decl_cases[_i].src, p.dump, decl_cases[_i].dump);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_test_block)
{
  /* Scalars only: a list of records in `given` crashes ast_dump (unit-01). */
  parsed p;
  parse_text(&p, "test \"t\" { given { hh_id: \"a\", size: 4 net_income: -5 } "
                 "expect s = \"a\" expect x > 1 }");
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  ck_assert_int_eq(p.file->decls.n, 1);
  const ast_decl *d = p.file->decls.items[0];
  ck_assert_int_eq(d->kind, DECL_TEST);
  ck_assert_uint_eq(d->given.n, 3);
  ck_assert_uint_eq(d->expects.n, 2);
  ck_assert_str_eq(((const ast_given_item *)d->given.items[2])->name, "net_income");
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_test_block_list_syntax)
{
  /* The list-of-records form parses without errors; its tree is not dumped (unit-01). */
  parsed p;
  memset(&p, 0, sizeof p);
  uint32_t id;
  const char *t = "test \"t\" { given { id: \"a\", members: [ { age: 3 }, { age: 4 } ] } "
                  "expect true }";
  p.srcs = src_set_new();
  p.arena = ast_arena_new();
  p.diags = diag_list_new();
  ck_assert_int_eq(src_set_add_string(p.srcs, "t.rules", t, strlen(t), &id), SRC_OK);
  p.file = parse_file(p.srcs, id, p.arena, p.diags);
  ck_assert_ptr_nonnull(p.file);
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  const ast_decl *d = p.file->decls.items[0];
  ck_assert_uint_eq(d->given.n, 2);
  parsed_free(&p);
}
END_TEST

/* ============================================================================================
 * Expressions: `let x = EXPR` and the dumped expression
 * ========================================================================================== */

static const struct {
  const char *expr;
  const char *dump;
} expr_cases[] = {
    /* precedence */
    {"a + b * c", "(+ a (* b c))"},
    {"a * b + c", "(+ (* a b) c)"},
    {"not a and b or c", "(or (and (not a) b) c)"},
    {"a or b and c", "(or a (and b c))"},
    {"not a = b", "(not (= a b))"},
    {"a + b < c * d", "(< (+ a b) (* c d))"},
    {"-x * y", "(* (neg x) y)"},
    {"- - x", "(neg (neg x))"},
    {"(a + b) * c", "(* (+ a b) c)"},
    {"if a then b else c + 1", "(if a b (+ c 1))"},
    {"if a then 1 else if b then 2 else 3", "(if a 1 (if b 2 3))"},
    {"a = 1 and b != 2", "(and (= a 1) (!= b 2))"},
    {"a <= 1 or b >= 2", "(or (<= a 1) (>= b 2))"},
    /* associativity */
    {"a - b - c", "(- (- a b) c)"},
    {"a / b / c", "(/ (/ a b) c)"},
    {"a and b and c", "(and (and a b) c)"},
    {"a or b or c", "(or (or a b) c)"},
    /* division is not a regex */
    {"6 / 2 / 3", "(/ (/ 6 2) 3)"},
    {"net_income / size", "(/ net_income size)"},
    {"(a) / b", "(/ a b)"},
    {"f(a) / g(b)", "(/ (f a) (g b))"},
    /* regex only after matches, with flags */
    {"t matches /a\\/b/i", "(matches t /a\\/b/i)"},
    {"t matches /^[0-9]{12}$/", "(matches t /^[0-9]{12}$/)"},
    {"t matches /x/ and a / b > 1", "(and (matches t /x/) (> (/ a b) 1))"},
    /* sets, in, none tests */
    {"x in {\"A\", \"B\"}", "(in x (set \"A\" \"B\"))"},
    {"x not in {1, 2}", "(not-in x (set 1 2))"},
    {"x in {-1, 2.5, 3%}", "(in x (set (neg 1) 2.5 3%))"},
    {"x is none", "(is-none x)"},
    {"x is not none and x > 1", "(and (is-not-none x) (> x 1))"},
    /* literals */
    {"2020-07-01", "(date 18444)"},
    {"1970-01-01", "(date 0)"},
    {"2024-02-29", "(date 19782)"},
    {"3% + 2.5%", "(+ 3% 2.5%)"},
    {"16000.02", "16000.02"},
    {"0.125", "0.125"},
    {"42", "42"},
    {"true", "true"},
    {"false", "false"},
    {"none", "none"},
    /* calls, members, where */
    {"count(members where age < 16)", "(count members where (< age 16))"},
    {"sum(members.income)", "(sum (. members income))"},
    {"count()", "(count)"},
    {"round(x, 2, half_away)", "(round x 2 half_away)"},
    /* UTF-8 names */
    {"收入 / 人口", "(/ 收入 人口)"},
    {"收入_2020 + _x", "(+ 收入_2020 _x)"},
    /* comments */
    {"a # the rest is a comment\n + b", "(+ a b)"},
    {"\"# not a comment\"", "\"# not a comment\""},
    /* string escapes; the dump shows the unescaped bytes */
    {"\"a\\\"b\"", "\"a\"b\""},
    {"\"a\\\\b\"", "\"a\\b\""},
    {"\"a\\nb\\tc\"", "\"a\nb\tc\""},
    {"\"\\u{4E2D}\"", "\"\xe4\xb8\xad\""},
    {"\"\\u{41}\\u{1F600}\"", "\"A\xf0\x9f\x98\x80\""},
    {"\"\\u{10FFFF}\"", "\"\xf4\x8f\xbf\xbf\""},
    {"\"\"", "\"\""},
};

START_TEST(test_parse_expressions)
{
  char src[512], want[512];
  snprintf(src, sizeof src, "let x = %s", expr_cases[_i].expr);
  snprintf(want, sizeof want, "(let x %s)\n", expr_cases[_i].dump);
  parsed p;
  parse_text(&p, src);
  ck_assert_msg(diag_count(p.diags) == 0, "'%s': %s", src, diags_str(&p));
  ck_assert_msg(strcmp(p.dump, want) == 0, "'%s':\n got: %s\nwant: %s", src, p.dump, want);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_regex_flags_in_node)
{
  parsed p;
  parse_text(&p, "let x = t matches /ab/i");
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  const ast_decl *d = p.file->decls.items[0];
  ck_assert_int_eq(d->expr->kind, AST_MATCHES);
  ck_assert_int_eq(d->expr->b->kind, AST_REGEX);
  ck_assert_str_eq(d->expr->b->text, "ab");
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_literal_values)
{
  parsed p;
  parse_text(&p, "let a = 42 let b = 2020-07-01 let c = \"x\\u{4E2D}\" let d = 2.5%");
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  ck_assert_uint_eq(p.file->decls.n, 4);
  const ast_expr *a = ((const ast_decl *)p.file->decls.items[0])->expr;
  const ast_expr *b = ((const ast_decl *)p.file->decls.items[1])->expr;
  const ast_expr *c = ((const ast_decl *)p.file->decls.items[2])->expr;
  const ast_expr *d = ((const ast_decl *)p.file->decls.items[3])->expr;
  ck_assert_int_eq(a->kind, AST_INT);
  ck_assert_str_eq(a->text, "42"); /* digits as written; ival is not filled for ints */
  ck_assert_int_eq(b->kind, AST_DATE);
  ck_assert_int_eq(b->ival, 18444);
  ck_assert_int_eq(c->kind, AST_STRING);
  ck_assert_uint_eq(c->text_len, 4);
  ck_assert_int_eq(memcmp(c->text, "x\xe4\xb8\xad", 4), 0);
  ck_assert_int_eq(d->kind, AST_PERCENT);
  ck_assert_str_eq(d->text, "2.5");
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_bom)
{
  /* A UTF-8 byte-order mark is skipped and does not count as a column. */
  parsed p;
  parse_text(&p, "\xef\xbb\xbflet x = 1");
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  ck_assert_str_eq(p.dump, "(let x 1)\n");
  parsed_free(&p);

  parse_text(&p, "\xef\xbb\xbflet x = $");
  ck_assert_uint_ge(diag_count(p.diags), 1);
  diag_pos pos;
  ck_assert_int_eq(diag_get_pos(p.diags, p.srcs, 0, &pos), 0);
  ck_assert_str_eq(diag_get_code(p.diags, 0), "E0104");
  ck_assert_uint_eq(pos.line, 1);
  ck_assert_uint_eq(pos.col, 9);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_crlf)
{
  parsed p;
  parse_text(&p, "let a = 1\r\nlet b = a + 2\r\n");
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  ck_assert_str_eq(p.dump, "(let a 1)\n(let b (+ a 2))\n");
  parsed_free(&p);
}
END_TEST

/* ============================================================================================
 * Errors: code and position of the first diagnostic
 * ========================================================================================== */

static const struct {
  const char *src;
  const char *code;
  unsigned line, col;
} error_cases[] = {
    /* comparisons do not associate */
    {"let a = b < c < d", "E0401", 1, 15},
    {"let a = b = c = d", "E0401", 1, 15},
    /* lookalike operators get their own code and point at the operator */
    {"let a = b && c", "E0111", 1, 11},
    {"let a = b || c", "E0111", 1, 11},
    {"let a = !b", "E0111", 1, 9},
    {"let a = b == c", "E0109", 1, 11},
    {"let a（b）", "E0111", 1, 6},
    /* lexical */
    /* where the '"' is missing, with a note at the one that opened the text */
    {"let a = \"abc", "E0102", 1, 13},
    {"let a = \"ab\ncd\"", "E0102", 1, 12},
    {"let a = \"\\q\"", "E0108", 1, 10},
    {"let a = \"\\u{D800}\"", "E0108", 1, 10},
    {"let a = \"\\u{110000}\"", "E0108", 1, 10},
    {"let a = \"\\u{}\"", "E0108", 1, 10},
    {"let a = \"\\u{0}\"", "E0108", 1, 10},
    {"let a = \"\\u4E2D\"", "E0108", 1, 10},
    {"let a = 2021-02-29", "E0106", 1, 9},
    {"let a = 2020-13-01", "E0106", 1, 9},
    {"let a = x matches /abc", "E0103", 1, 19},
    {"let a = $", "E0104", 1, 9},
    {"let a = 1\nlet 人均 = $", "E0104", 2, 10},
    {"let a = \"\xff\"", "E0101", 1, 9},
    /* syntax */
    {"let = 1", "E0401", 1, 5},
    {"let a 1", "E0401", 1, 7},
    {"decide d when x 1 otherwise 2", "E0401", 1, 17},
    {"record r { a }", "E0401", 1, 14},
    {"let a = (1 + 2", "E0401", 1, 14},
    {"let and = 1", "E0401", 1, 5},
    {"bogus x", "E0401", 1, 1},
};

START_TEST(test_parse_errors)
{
  parsed p;
  parse_text(&p, error_cases[_i].src);
  ck_assert_msg(diag_count(p.diags) >= 1 && diag_error_count(p.diags) >= 1, "'%s': no error",
                error_cases[_i].src);
  diag_pos pos;
  ck_assert_int_eq(diag_get_pos(p.diags, p.srcs, 0, &pos), 0);
  ck_assert_msg(strcmp(diag_get_code(p.diags, 0), error_cases[_i].code) == 0 &&
                    pos.line == error_cases[_i].line && pos.col == error_cases[_i].col,
                "'%s': got %s, want %s@%u:%u", error_cases[_i].src, diags_str(&p),
                error_cases[_i].code, error_cases[_i].line, error_cases[_i].col);
  parsed_free(&p);
}
END_TEST

/* parse_thousands: which commas are thousands separators, and the number meant */
static const struct {
  const char *text;
  uint32_t sep;
  const char *want; /* NULL: not a thousands separator */
} thousands_cases[] = {
    {"x > 20,000 then", 6, "20000"},
    {"1,000,000.50)", 1, "1000000.50"},
    {"20\xEF\xBC\x8C"
     "000",
     2, "20000"},
    {"(123,456", 4, "123456"},
    {"1234,000", 4, NULL}, /* four digits before: not a group */
    {"x1,000", 2, NULL},   /* a name */
    {"1.5,000", 3, NULL},  /* a decimal */
    {"20,00", 2, NULL},    /* two digits after */
    {"20,0000", 2, NULL},  /* four */
    {"max(5, 100)", 5, NULL},
    {"20,", 2, NULL},
};

START_TEST(test_parse_thousands)
{
  char out[32];
  const char *text = thousands_cases[_i].text;
  bool got =
      parse_thousands(text, (uint32_t)strlen(text), thousands_cases[_i].sep, out, sizeof out);
  if (thousands_cases[_i].want) {
    ck_assert_msg(got, "'%s': not taken for a separator", text);
    ck_assert_str_eq(out, thousands_cases[_i].want);
  } else {
    ck_assert_msg(!got, "'%s': taken for a separator", text);
  }
}
END_TEST

/* The note at a bracket left open goes with the error it explains, and only when the
 * bracket is not closed further on. */
START_TEST(test_parse_unclosed_note)
{
  parsed p;
  parse_text(&p, "let a = (1 + 2\nlet b = 3");
  ck_assert_int_eq(diag_note_count(p.diags, 0), 1);
  ck_assert_str_eq(diag_note_message(p.diags, 0, 0), "the '(' opened here is not closed");
  parsed_free(&p);
  parse_text(&p, "test \"t\" { given { a: 1 b } expect x }");
  ck_assert_int_eq(diag_note_count(p.diags, 0), 0);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_lookalike_help)
{
  /* The lookalikes say what to write instead. */
  static const char *const srcs[] = {"let a = b && c", "let a = b || c", "let a = !b"};
  static const char *const want[] = {"and", "or", "not"};
  for (int i = 0; i < 3; i++) {
    parsed p;
    parse_text(&p, srcs[i]);
    ck_assert_uint_ge(diag_count(p.diags), 1);
    const char *help = diag_get_help(p.diags, 0);
    ck_assert_msg(help && strstr(help, want[i]), "'%s': help %s", srcs[i], help ? help : "(none)");
    parsed_free(&p);
  }
}
END_TEST

START_TEST(test_parse_recovery_several_errors)
{
  /* One error per broken declaration, each at its own place; the good ones still parse. */
  parsed p;
  parse_text(&p, "let a = (1 +)\n"
                 "let ok1 = 1\n"
                 "let b = 2 +\n"
                 "let c = 3\n"
                 "decide d when x then otherwise 2\n"
                 "let ok2 = 2\n");
  ck_assert_msg(diag_error_count(p.diags) >= 3, "%s", diags_str(&p));
  diag_pos pos;
  unsigned lines[3];
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(diag_get_pos(p.diags, p.srcs, (size_t)i, &pos), 0);
    ck_assert_str_eq(diag_get_code(p.diags, (size_t)i), "E0401");
    lines[i] = pos.line;
  }
  ck_assert_msg(lines[0] == 1 && lines[1] == 4 && lines[2] == 5, "%s", diags_str(&p));
  ck_assert_msg(strstr(p.dump, "(let ok1 1)") && strstr(p.dump, "(let ok2 2)"), "%s", p.dump);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_recovery_lexical_and_syntax)
{
  parsed p;
  parse_text(&p, "let a = \"\\q\"\nlet b = $\nlet c = 2021-02-30\nlet d = 1 == 2\n");
  ck_assert_msg(diag_error_count(p.diags) >= 4, "%s", diags_str(&p));
  static const char *const codes[] = {"E0108", "E0104", "E0106", "E0109"};
  for (size_t i = 0; i < 4; i++) {
    diag_pos pos;
    ck_assert_int_eq(diag_get_pos(p.diags, p.srcs, i, &pos), 0);
    ck_assert_msg(strcmp(diag_get_code(p.diags, i), codes[i]) == 0 && pos.line == i + 1,
                  "diag %zu: %s", i, diags_str(&p));
  }
  parsed_free(&p);
}
END_TEST

/* ============================================================================================
 * Nesting limit
 * ========================================================================================== */

static char *nested(int depth, const char *open, const char *mid, const char *close)
{
  size_t n = strlen("let x = ") + (size_t)depth * (strlen(open) + strlen(close)) + strlen(mid) + 1;
  char *s = malloc(n);
  ck_assert_ptr_nonnull(s);
  strcpy(s, "let x = ");
  for (int i = 0; i < depth; i++)
    strcat(s, open);
  strcat(s, mid);
  for (int i = 0; i < depth; i++)
    strcat(s, close);
  return s;
}

START_TEST(test_parse_depth_limit)
{
  /* well within the limit: fine */
  char *s = nested(PARSE_MAX_DEPTH / 2, "(", "1", ")");
  parsed p;
  parse_text(&p, s);
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  parsed_free(&p);
  free(s);

  /* far beyond: exactly one E0504, no crash */
  static const char *const shapes[][3] = {
      /* {"(", "1", ")"} left out: parentheses do not count (unit-02) */
      {"-", "1", ""},
      {"not ", "a", ""},
      {"f(", "1", ")"},
      {"1 + (", "1", ")"},
      {"if a then 1 else ", "2", ""},
  };
  for (int k = 0; k < N_ELEMS(shapes); k++) {
    s = nested(PARSE_MAX_DEPTH * 5, shapes[k][0], shapes[k][1], shapes[k][2]);
    parse_text(&p, s);
    size_t too_deep = 0;
    for (size_t i = 0; i < diag_count(p.diags); i++)
      if (strcmp(diag_get_code(p.diags, i), "E0504") == 0)
        too_deep++;
    ck_assert_msg(too_deep == 1, "shape '%s': %s", shapes[k][0], diags_str(&p));
    parsed_free(&p);
    free(s);
  }
}
END_TEST

START_TEST(test_parse_depth_limit_boundary)
{
  /* Below PARSE_MAX_DEPTH - 5 levels nothing is said; at PARSE_MAX_DEPTH + 5, E0504.
   * (Unary minus, since parentheses do not count yet: unit-02.) */
  char *s = nested(PARSE_MAX_DEPTH - 5, "-", "1", "");
  parsed p;
  parse_text(&p, s);
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  parsed_free(&p);
  free(s);
  s = nested(PARSE_MAX_DEPTH + 5, "-", "1", "");
  parse_text(&p, s);
  ck_assert_msg(diag_count(p.diags) >= 1 && strcmp(diag_get_code(p.diags, 0), "E0504") == 0, "%s",
                diags_str(&p));
  parsed_free(&p);
  free(s);
}
END_TEST

START_TEST(test_parse_not_nul_terminated_and_nul)
{
  /* The text is copied by the set; a NUL byte inside it is an error, not the end. */
  const char t[] = "let x = 1\0let y = 2";
  parsed p;
  parse_text_n(&p, t, sizeof t - 1);
  ck_assert_uint_ge(diag_error_count(p.diags), 1);
  parsed_free(&p);
}
END_TEST

/* ============================================================================================
 * The side tables of parse_file_tokens: every token and comment, with its bytes
 * ========================================================================================== */

START_TEST(test_parse_tokens_and_comments)
{
  /* a BOM, "not in" across a line end, a '#' inside a regex and a division, CRLF */
  static const char text[] = "\xEF\xBB\xBFlet a = x not\n in {1} # c \r\n"
                             "# own\n"
                             "let b = c matches /#/i or 4 / 2 # d / e";
  static const struct {
    int kind;
    const char *text;
  } want[] = {
      {TOK_LET, "let"},
      {TOK_NAME, "a"},
      {'=', "="},
      {TOK_NAME, "x"},
      {TOK_NOT_IN, "not\n in"},
      {'{', "{"},
      {TOK_INT, "1"},
      {'}', "}"},
      {TOK_LET, "let"},
      {TOK_NAME, "b"},
      {'=', "="},
      {TOK_NAME, "c"},
      {TOK_MATCHES, "matches"},
      {TOK_REGEX, "/#/i"},
      {TOK_OR, "or"},
      {TOK_INT, "4"},
      {'/', "/"},
      {TOK_INT, "2"},
  };
  static const char *const comments[] = {"# c \r", "# own", "# d / e"};
  parsed p;
  memset(&p, 0, sizeof p);
  uint32_t id;
  parse_tokens t;
  p.srcs = src_set_new();
  p.arena = ast_arena_new();
  p.diags = diag_list_new();
  ck_assert_int_eq(src_set_add_string(p.srcs, "t.rules", text, sizeof text - 1, &id), SRC_OK);
  p.file = parse_file_tokens(p.srcs, id, p.arena, p.diags, &t);
  ck_assert_ptr_nonnull(p.file);
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  ck_assert(!t.out_of_memory);
  ck_assert_uint_eq(t.ntokens, N_ELEMS(want));
  for (int i = 0; i < N_ELEMS(want); i++) {
    const parse_token *k = &t.tokens[i];
    ck_assert_msg(k->kind == want[i].kind, "token %d: kind %d", i, k->kind);
    ck_assert_msg(k->end - k->start == strlen(want[i].text) &&
                      memcmp(text + k->start, want[i].text, k->end - k->start) == 0,
                  "token %d: '%.*s'", i, (int)(k->end - k->start), text + k->start);
  }
  ck_assert_uint_eq(t.ncomments, N_ELEMS(comments));
  for (int i = 0; i < N_ELEMS(comments); i++) {
    const parse_comment *c = &t.comments[i];
    ck_assert_msg(c->end - c->start == strlen(comments[i]) &&
                      memcmp(text + c->start, comments[i], c->end - c->start) == 0,
                  "comment %d: '%.*s'", i, (int)(c->end - c->start), text + c->start);
  }
  parse_tokens_free(&t);
  ck_assert_ptr_null(t.tokens);
  ck_assert_uint_eq(t.ntokens, 0);
  parse_tokens_free(NULL);
  parsed_free(&p);
}
END_TEST

START_TEST(test_parse_expression_spans)
{
  /* an expression's span is all of it as written, whatever node its loc points at */
  static const char *const exprs[] = {
      "a + b * c",
      "(a + b) * c",
      "((a))",
      "(a).b.c",
      "-(1)",
      "not (a or b)",
      "x in {1, 2}",
      "(x) not in {}",
      "f(x, y where z) matches /r/i",
      "a is not none",
      "if a then b else (c)",
  };
  for (int i = 0; i < N_ELEMS(exprs); i++) {
    char text[128];
    parsed p;
    snprintf(text, sizeof text, "let v = %s  # after", exprs[i]);
    parse_text(&p, text);
    ck_assert_msg(diag_count(p.diags) == 0, "%s: %s", exprs[i], diags_str(&p));
    const ast_expr *e = ((const ast_decl *)p.file->decls.items[0])->expr;
    ck_assert_msg(e->span.start == 8 && e->span.end == 8 + strlen(exprs[i]), "%s: span %.*s",
                  exprs[i], (int)(e->span.end - e->span.start), text + e->span.start);
    parsed_free(&p);
  }
  /* a test's given list of records: span from '[' to ']'; a record: loc the '{', span to '}' */
  parsed p;
  const char *t = "test \"t\" { given { m: [ { a: 1, }, {} ] } }";
  parse_text(&p, t);
  ck_assert_msg(diag_count(p.diags) == 0, "%s", diags_str(&p));
  const ast_given_item *g = ((const ast_decl *)p.file->decls.items[0])->given.items[0];
  ck_assert_str_eq(t + g->value->span.start, "[ { a: 1, }, {} ] } }");
  ck_assert_uint_eq(g->value->span.end - g->value->span.start, strlen("[ { a: 1, }, {} ]"));
  const ast_expr *r = g->value->list.items[0];
  ck_assert_uint_eq(r->loc.end - r->loc.start, 1);
  ck_assert_uint_eq(r->span.start, r->loc.start);
  ck_assert_str_eq(t + r->span.start, "{ a: 1, }, {} ] } }");
  ck_assert_uint_eq(r->span.end - r->span.start, strlen("{ a: 1, }"));
  parsed_free(&p);
}
END_TEST

static Suite *parse_suite(void)
{
  Suite *s = suite_create("parse");
  TCase *tc = tcase_create("declarations");
  tcase_add_loop_test(tc, test_parse_declarations, 0, N_ELEMS(decl_cases));
  tcase_add_test(tc, test_parse_test_block);
  tcase_add_test(tc, test_parse_test_block_list_syntax);
  suite_add_tcase(s, tc);

  tc = tcase_create("expressions");
  tcase_add_loop_test(tc, test_parse_expressions, 0, N_ELEMS(expr_cases));
  tcase_add_test(tc, test_parse_regex_flags_in_node);
  tcase_add_test(tc, test_parse_literal_values);
  tcase_add_test(tc, test_parse_bom);
  tcase_add_test(tc, test_parse_crlf);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_add_loop_test(tc, test_parse_errors, 0, N_ELEMS(error_cases));
  tcase_add_test(tc, test_parse_lookalike_help);
  tcase_add_loop_test(tc, test_parse_thousands, 0, N_ELEMS(thousands_cases));
  tcase_add_test(tc, test_parse_unclosed_note);
  tcase_add_test(tc, test_parse_recovery_several_errors);
  tcase_add_test(tc, test_parse_recovery_lexical_and_syntax);
  tcase_add_test(tc, test_parse_not_nul_terminated_and_nul);
  tcase_add_test(tc, test_parse_tokens_and_comments);
  tcase_add_test(tc, test_parse_expression_spans);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_parse_depth_limit);
  tcase_add_test(tc, test_parse_depth_limit_boundary);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(parse_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
