/*
 * check_diag.c -- unit tests for diag.c (collection, cap, caret rendering) and suggest.c
 * ("did you mean").
 *
 * The rendering tests are goldens: the exact text a user sees, so that any change to the layout
 * shows up here first.  The suggestion tests are one table of word, candidates, answer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "srcfile.h"
#include "suggest.h"
#include "mem.h"

/* A set holding one file `name` with `text`; its id is 0. */
static src_set *one_file(const char *name, const char *text)
{
  src_set *set = src_set_new();
  uint32_t id;
  ck_assert_ptr_nonnull(set);
  ck_assert_int_eq(src_set_add_string(set, name, text, strlen(text), &id), SRC_OK);
  ck_assert_uint_eq(id, 0);
  return set;
}

/* The location of the first occurrence of `needle` (after `from`) in file 0 of `set`. */
static elig_loc find_loc(const src_set *set, const char *needle, uint32_t from)
{
  const char *text = src_text(set, 0, NULL);
  const char *p = strstr(text + from, needle);
  ck_assert_ptr_nonnull(p);
  elig_loc loc = {0, (uint32_t)(p - text), (uint32_t)(p - text + strlen(needle))};
  return loc;
}

/* Renders without colour and compares with the golden text. */
static void assert_render(const diag_list *l, const src_set *set, const char *want)
{
  char *got = diag_render(l, set, false);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, want);
  mem_free(got); /* the library's block: mem_free, not free (mem.c) */
}

/* ---------------------------------------------------------------- the codes table */

START_TEST(test_diag_table_codes)
{
  for (unsigned i = 0; i < DIAG_ID_COUNT; i++) {
    const char *code = diag_id_code((diag_id)i);
    ck_assert_ptr_nonnull(code);
    ck_assert_uint_eq(strlen(code), 5);
    ck_assert_int_eq(code[0], diag_id_severity((diag_id)i) == DIAG_SEV_ERROR ? 'E' : 'W');
    for (int k = 1; k < 5; k++)
      ck_assert(code[k] >= '0' && code[k] <= '9');
    ck_assert_ptr_nonnull(diag_id_format((diag_id)i));
    /* a message is defined here, not built by its caller: only the parser's syntax errors,
     * which name the tokens bison expected, take their whole text as an argument */
    ck_assert_msg(strcmp(diag_id_format((diag_id)i), "%s") != 0 || i == DIAG_E_SYNTAX,
                  "%s has no message of its own", code);
    for (unsigned j = 0; j < i; j++)
      ck_assert_msg(strcmp(code, diag_id_code((diag_id)j)) != 0, "code %s used twice", code);
    diag_id back;
    ck_assert(diag_id_from_code(code, &back));
    ck_assert_int_eq(back, (diag_id)i);
  }
  ck_assert(!diag_id_from_code("E9999", NULL));
  ck_assert_ptr_null(diag_id_code(DIAG_ID_COUNT));
  ck_assert_str_eq(diag_id_code(DIAG_E_UNKNOWN_FIELD), "E0201");
  ck_assert_str_eq(diag_severity_name(DIAG_SEV_WARNING), "warning");
}
END_TEST

/* Every code has its explanation for `elig check --explain` (explain_codes.def): a first
 * line naming the problem, a blank line, a text of its own, and lines that fit a terminal. */
START_TEST(test_diag_every_code_explained)
{
  for (unsigned i = 0; i < DIAG_ID_COUNT; i++) {
    const char *code = diag_id_code((diag_id)i), *text = diag_id_explanation((diag_id)i);
    ck_assert_msg(text != NULL, "%s has no explanation in src/explain_codes.def", code);
    const char *nl = strchr(text, '\n');
    ck_assert_msg(nl && nl > text && nl[1] == '\n' && nl[2] != '\0' && nl[2] != '\n',
                  "%s: the explanation starts with a title line, then a blank line", code);
    ck_assert_msg(text[strlen(text) - 1] == '\n', "%s: the explanation ends its last line", code);
    for (const char *line = text; *line;) {
      const char *end = strchr(line, '\n');
      size_t columns = 0;
      for (const char *c = line; c < end; c++)
        columns += ((unsigned char)*c & 0xC0) != 0x80; /* code points */
      ck_assert_msg(columns <= 80, "%s: a line of %zu columns: %.*s", code, columns,
                    (int)(end - line), line);
      line = end + 1;
    }
    for (unsigned j = 0; j < i; j++)
      ck_assert_msg(strcmp(text, diag_id_explanation((diag_id)j)) != 0,
                    "%s and %s have the same explanation", code, diag_id_code((diag_id)j));
  }
  ck_assert_ptr_null(diag_id_explanation(DIAG_ID_COUNT));
}
END_TEST

/* ---------------------------------------------------------------- rendering goldens */

/* The example of style.md 7.6, to the byte. */
START_TEST(test_diag_render_ascii_span)
{
  src_set *set = one_file("rules/national.rules", "\n\n\n\n\n\n\n\n\n\n\n\n\n"
                                                  "  let per_capita = net_incme / size\n");
  diag_list *l = diag_list_new();
  int i = diag_add(l, DIAG_E_UNKNOWN_FIELD, find_loc(set, "net_incme", 0), "net_incme");
  ck_assert_int_eq(i, 0);
  ck_assert_int_eq(diag_add_help(l, i, "did you mean '%s'?", "net_income"), 0);
  assert_render(l, set,
                "rules/national.rules:14:20: error[E0201]: unknown field 'net_incme'\n"
                "   14 |   let per_capita = net_incme / size\n"
                "      |                    ^~~~~~~~~\n"
                "      = help: did you mean 'net_income'?\n");
  ck_assert_uint_eq(diag_error_count(l), 1);
  ck_assert_uint_eq(diag_warning_count(l), 0);
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* Each CJK character is one column but two cells: the caret moves 2 cells per character. */
START_TEST(test_diag_render_after_cjk)
{
  src_set *set = one_file("cn.rules", "  let 人均收入 = 纯收入 / 人口\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "纯收入", 0), "纯收入");
  assert_render(l, set,
                "cn.rules:1:14: error[E0202]: unknown name '纯收入'\n"
                "    1 |   let 人均收入 = 纯收入 / 人口\n"
                "      |                  ^~~~~~\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* Fullwidth forms and a combining accent: 2 cells and 0 cells. */
START_TEST(test_diag_render_fullwidth_combining)
{
  src_set *set = one_file("w.rules", "\"ＡＢ\" e\xCC\x81 x\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "x", 0), "x");
  assert_render(l, set,
                "w.rules:1:9: error[E0202]: unknown name 'x'\n"
                "    1 | \"ＡＢ\" e\xCC\x81 x\n"
                "      |          ^\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* Tabs are copied, so the terminal moves the caret exactly as it moved the text. */
START_TEST(test_diag_render_tab_indent)
{
  src_set *set = one_file("t.rules", "decide s\n\twhen x then \"a\"\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "x", 0), "x");
  assert_render(l, set,
                "t.rules:2:7: error[E0202]: unknown name 'x'\n"
                "    2 | \twhen x then \"a\"\n"
                "      | \t     ^\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* A tab inside the span is underlined up to the next tab stop (8 cells, margin included). */
START_TEST(test_diag_render_tab_in_span)
{
  src_set *set = one_file("t.rules", "a\tb\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_SYNTAX, find_loc(set, "a\tb", 0), "odd");
  assert_render(l, set,
                "t.rules:1:1: error[E0401]: odd\n"
                "    1 | a\tb\n"
                "      | ^~~~~~~~~\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* A span on the newline, an empty span at the end of a line, and an empty span at the end of a
 * file without a final newline: one caret just after the last character. */
START_TEST(test_diag_render_end_of_line)
{
  src_set *set = one_file("e.rules", "let s = \"abc\r\nlet t = 1");
  diag_list *l = diag_list_new();
  elig_loc nl = find_loc(set, "\r\n", 0);
  diag_add(l, DIAG_E_UNTERMINATED_STRING, nl);
  elig_loc empty = {0, nl.start, nl.start};
  diag_add(l, DIAG_E_SYNTAX, empty, "expected '\"'");
  uint32_t len;
  src_text(set, 0, &len);
  elig_loc eof = {0, len, len};
  diag_add(l, DIAG_E_SYNTAX, eof, "unexpected end of file");
  assert_render(l, set,
                "e.rules:1:13: error[E0102]: unterminated string\n"
                "    1 | let s = \"abc\n"
                "      |             ^\n"
                "      = help: close the string with '\"' before the end of the line\n"
                "e.rules:1:13: error[E0401]: expected '\"'\n"
                "    1 | let s = \"abc\n"
                "      |             ^\n"
                "e.rules:2:10: error[E0401]: unexpected end of file\n"
                "    2 | let t = 1\n"
                "      |          ^\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* A span over several lines is underlined to the end of its first line. */
START_TEST(test_diag_render_multiline_span)
{
  src_set *set = one_file("m.rules", "let x = if a\n  then 1\n  else 2\n");
  diag_list *l = diag_list_new();
  elig_loc span = find_loc(set, "if", 0);
  span.end = find_loc(set, "2", 0).end;
  diag_add(l, DIAG_E_IF_BRANCHES, span, "int", "money");
  assert_render(l, set,
                "m.rules:1:9: error[E0325]: the branches of 'if' differ: int and money\n"
                "    1 | let x = if a\n"
                "      |         ^~~~\n"
                "      = help: give 'then' and 'else' values of one type, such as two amounts or "
                "two texts\n");
  diag_pos pos;
  ck_assert_int_eq(diag_get_pos(l, set, 0, &pos), 0);
  ck_assert_str_eq(pos.file, "m.rules");
  ck_assert_uint_eq(pos.line, 1);
  ck_assert_uint_eq(pos.col, 9);
  ck_assert_uint_eq(pos.end_line, 3);
  ck_assert_uint_eq(pos.end_col, 9);
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* Help replaces the table's help; located notes get their own snippet, others a "= note:". */
START_TEST(test_diag_render_help_and_note)
{
  src_set *set = one_file("d.rules", "let x = 1\nlet y = 2\nlet x = 3\n");
  diag_list *l = diag_list_new();
  elig_loc first = find_loc(set, "x", 0);
  elig_loc second = find_loc(set, "x", first.end);
  int i = diag_add(l, DIAG_E_DUPLICATE, second, "x");
  ck_assert_str_eq(diag_get_help(l, 0), diag_id_help(DIAG_E_DUPLICATE));
  ck_assert_int_eq(diag_add_help(l, i, "rename one of them"), 0);
  ck_assert_int_eq(diag_add_note(l, i, first, "previous definition of '%s' is here", "x"), 0);
  ck_assert_int_eq(diag_add_note(l, i, ELIG_LOC_NONE, "names share one scope per file"), 0);
  assert_render(l, set,
                "d.rules:3:5: error[E0204]: 'x' is defined more than once\n"
                "    3 | let x = 3\n"
                "      |     ^\n"
                "      = help: rename one of them\n"
                "d.rules:1:5: note: previous definition of 'x' is here\n"
                "    1 | let x = 1\n"
                "      |     ^\n"
                "      = note: names share one scope per file\n");
  ck_assert_uint_eq(diag_note_count(l, 0), 2);
  ck_assert_str_eq(diag_note_message(l, 0, 0), "previous definition of 'x' is here");
  ck_assert_uint_eq(diag_note_loc(l, 0, 0).start, first.start);
  ck_assert_ptr_null(diag_note_message(l, 0, 2));
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* After the cap: one "too many errors", nothing else stored, everything counted. */
START_TEST(test_diag_render_too_many_errors)
{
  src_set *set = one_file("c.rules", "a b c d\n");
  diag_list *l = diag_list_new();
  diag_set_max_errors(l, 2);
  ck_assert_int_eq(diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "a", 0), "a"), 0);
  ck_assert_int_eq(diag_add(l, DIAG_W_UNUSED_LET, find_loc(set, "b", 0), "b"), 1);
  ck_assert_int_eq(diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "c", 0), "c"), 2);
  int dropped = diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "d", 0), "d");
  ck_assert_int_eq(dropped, DIAG_NONE);
  /* harmless on a dropped diagnostic */
  ck_assert_int_eq(diag_add_help(l, dropped, "x"), -1);
  ck_assert_int_eq(diag_add_note(l, dropped, ELIG_LOC_NONE, "x"), -1);
  ck_assert_int_eq(diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "a", 0), "a"), DIAG_NONE);
  ck_assert_int_eq(diag_add(l, DIAG_W_UNUSED_LET, find_loc(set, "a", 0), "a"), DIAG_NONE);
  assert_render(l, set,
                "c.rules:1:1: error[E0202]: unknown name 'a'\n"
                "    1 | a b c d\n"
                "      | ^\n"
                "c.rules:1:3: warning[W0002]: derived value 'b' is never used\n"
                "    1 | a b c d\n"
                "      |   ^\n"
                "      = help: remove it, or use it in a decision, a flag or the output\n"
                "c.rules:1:5: error[E0202]: unknown name 'c'\n"
                "    1 | a b c d\n"
                "      |     ^\n"
                "elig: error[E0503]: too many errors, only the first 2 are shown\n");
  ck_assert_uint_eq(diag_count(l), 4);
  ck_assert_uint_eq(diag_error_count(l), 4);
  ck_assert_uint_eq(diag_warning_count(l), 2);
  ck_assert_int_eq(diag_get_id(l, 3), DIAG_E_TOO_MANY_ERRORS);
  ck_assert(!diag_out_of_memory(l));
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

START_TEST(test_diag_default_cap)
{
  diag_list *l = diag_list_new();
  for (int k = 0; k < 25; k++)
    diag_add(l, DIAG_E_SYNTAX, ELIG_LOC_NONE, "e");
  ck_assert_uint_eq(diag_count(l), DIAG_DEFAULT_MAX_ERRORS + 1);
  ck_assert_uint_eq(diag_error_count(l), 25);
  diag_set_max_errors(l, 0); /* no cap: but the list already gave up */
  diag_list_free(l);

  l = diag_list_new();
  diag_set_max_errors(l, 0);
  for (int k = 0; k < 100; k++)
    diag_add(l, DIAG_E_SYNTAX, ELIG_LOC_NONE, "e");
  ck_assert_uint_eq(diag_count(l), 100);
  diag_list_free(l);
}
END_TEST

START_TEST(test_diag_render_no_location)
{
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_IMPORT_NOT_FOUND, ELIG_LOC_NONE, "province.rules");
  diag_add(l, DIAG_E_FILE_TOO_LARGE, ELIG_LOC_NONE, "big.rules", 1048576u);
  assert_render(l, NULL,
                "elig: error[E0501]: cannot find import 'province.rules'\n"
                "elig: error[E0505]: 'big.rules' is larger than the limit of 1048576 bytes\n");
  diag_pos pos;
  ck_assert_int_eq(diag_get_pos(l, NULL, 0, &pos), 0);
  ck_assert_ptr_null(pos.file);
  ck_assert_uint_eq(pos.line, 0);
  ck_assert_int_eq(diag_get_pos(l, NULL, 5, &pos), -1);
  diag_list_free(l);
}
END_TEST

START_TEST(test_diag_render_empty)
{
  diag_list *l = diag_list_new();
  assert_render(l, NULL, "");
  assert_render(NULL, NULL, "");
  diag_list_free(l);
  diag_list_free(NULL);
}
END_TEST

/* Line numbers of six digits widen the margin. */
START_TEST(test_diag_render_wide_gutter)
{
  enum {
    LINES = 123456
  };
  char *text = malloc(LINES + 8);
  ck_assert_ptr_nonnull(text);
  memset(text, '\n', LINES - 1);
  strcpy(text + LINES - 1, "oops\n");
  src_set *set = one_file("big.rules", text);
  diag_list *l = diag_list_new();
  int i = diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "oops", 0), "oops");
  diag_add_help(l, i, "h");
  assert_render(l, set,
                "big.rules:123456:1: error[E0202]: unknown name 'oops'\n"
                "123456 | oops\n"
                "       | ^~~~\n"
                "       = help: h\n");
  diag_list_free(l);
  src_set_free(set);
  free(text);
}
END_TEST

/* Control characters and invalid UTF-8 in the source line become one U+FFFD cell each, and a
 * bidi override cannot reorder the line; in messages and names they are escaped. */
START_TEST(test_diag_render_sanitized)
{
  src_set *set = one_file("s\x1b[31m.rules", "a\x01\xFF\xE2\x80\xAE x\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_BAD_CHAR, find_loc(set, "\x01", 0), 1);
  diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "x", 0), "x\n\xFF");
  assert_render(l, set,
                "s\\u{1B}[31m.rules:1:2: error[E0104]: invalid character '\\u{1}'\n"
                "    1 | a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD x\n"
                "      |  ^\n"
                "s\\u{1B}[31m.rules:1:6: error[E0202]: unknown name 'x\\n\\xFF'\n"
                "    1 | a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD x\n"
                "      |      ^\n");
  ck_assert_str_eq(diag_get_message(l, 1), "unknown name 'x\\n\\xFF'");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

START_TEST(test_diag_render_color)
{
  src_set *set = one_file("k.rules", "let x = y\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_W_UNUSED_LET, find_loc(set, "x", 0), "x");
  char *got = diag_render(l, set, true);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, "\033[1mk.rules:1:5:\033[0m \033[1;35mwarning[W0002]:\033[0m derived value "
                        "'x' is never used\n"
                        "    1 | let x = y\n"
                        "      |     \033[1;32m^\033[0m\n"
                        "      = \033[1mhelp:\033[0m remove it, or use it in a decision, a flag "
                        "or the output\n");
  mem_free(got);
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* A location in a file the set does not know renders as if it had none. */
START_TEST(test_diag_render_unknown_file)
{
  src_set *set = one_file("k.rules", "x\n");
  diag_list *l = diag_list_new();
  elig_loc bad = {7, 0, 1};
  diag_add(l, DIAG_E_UNKNOWN_NAME, bad, "x");
  assert_render(l, set, "elig: error[E0202]: unknown name 'x'\n");
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

/* ---------------------------------------------------------------- accessors and sorting */

START_TEST(test_diag_accessors)
{
  src_set *set = one_file("a.rules", "let 收入 = 人均\n");
  diag_list *l = diag_list_new();
  diag_add(l, DIAG_E_UNKNOWN_NAME, find_loc(set, "人均", 0), "人均");
  ck_assert_uint_eq(diag_count(l), 1);
  ck_assert_int_eq(diag_get_id(l, 0), DIAG_E_UNKNOWN_NAME);
  ck_assert_int_eq(diag_get_severity(l, 0), DIAG_SEV_ERROR);
  ck_assert_str_eq(diag_get_code(l, 0), "E0202");
  ck_assert_str_eq(diag_get_message(l, 0), "unknown name '人均'");
  ck_assert_ptr_null(diag_get_help(l, 0));
  diag_pos pos;
  ck_assert_int_eq(diag_get_pos(l, set, 0, &pos), 0);
  ck_assert_str_eq(pos.file, "a.rules");
  ck_assert_uint_eq(pos.line, 1);
  ck_assert_uint_eq(pos.col, 10);
  ck_assert_uint_eq(pos.end_line, 1);
  ck_assert_uint_eq(pos.end_col, 12);
  /* out of range */
  ck_assert_int_eq(diag_get_id(l, 1), DIAG_ID_COUNT);
  ck_assert_ptr_null(diag_get_code(l, 1));
  ck_assert_ptr_null(diag_get_message(l, 1));
  ck_assert_uint_eq(diag_get_loc(l, 1).file, SRC_NO_FILE);
  ck_assert_uint_eq(diag_note_count(l, 1), 0);
  diag_list_free(l);
  src_set_free(set);
}
END_TEST

START_TEST(test_diag_sort)
{
  diag_list *l = diag_list_new();
  elig_loc f1a = {1, 5, 6}, f0b = {0, 9, 9}, f0a = {0, 2, 3};
  diag_add(l, DIAG_E_SYNTAX, ELIG_LOC_NONE, "nowhere");
  diag_add(l, DIAG_E_SYNTAX, f1a, "f1 5");
  diag_add(l, DIAG_E_SYNTAX, f0b, "f0 9");
  diag_add(l, DIAG_E_SYNTAX, f0a, "f0 2 first");
  diag_add(l, DIAG_E_SYNTAX, f0a, "f0 2 second");
  diag_sort(l);
  ck_assert_str_eq(diag_get_message(l, 0), "f0 2 first");
  ck_assert_str_eq(diag_get_message(l, 1), "f0 2 second");
  ck_assert_str_eq(diag_get_message(l, 2), "f0 9");
  ck_assert_str_eq(diag_get_message(l, 3), "f1 5");
  ck_assert_str_eq(diag_get_message(l, 4), "nowhere");
  diag_list_free(l);
}
END_TEST

/* ---------------------------------------------------------------- suggestions */

static const struct {
  const char *word;
  const char *candidates[6]; /* NULL-terminated */
  const char *want;          /* NULL: no suggestion */
} suggest_cases[] = {
    {"net_incme", {"size", "net_income", "per_capita", NULL}, "net_income"},
    {"povrty_line", {"monitor_line", "poverty_line", NULL}, "poverty_line"},
    {"szie", {"sex", "size", NULL}, "size"},                  /* transposition */
    {"ab", {"ba", NULL}, "ba"},                               /* transposition, short word */
    {"人均收人", {"家庭人口", "人均收入", NULL}, "人均收入"}, /* CJK: one character off */
    {"收入", {"人口", "收", NULL}, "收"},                     /* CJK deletion */
    {"xyz", {"net_income", "size", NULL}, NULL},              /* nothing close */
    {"Size", {"sise", "size", NULL}, "size"},                 /* case-only wins over a typo */
    {"NET_INCOME", {"net_income", NULL}, "net_income"},       /* case-only, long */
    {"cat", {"bat", "hat", NULL}, "bat"},                     /* tie: first */
    {"size", {"size", "sizes", NULL}, "sizes"},               /* the word itself is skipped */
    {"a", {"b", NULL}, NULL},                                 /* distance must be < length */
    {"a", {"A", NULL}, "A"},
    {"income", {"incomes_of_members", NULL}, NULL}, /* too far */
    {"registerd_poor", {"registered", "registered_poor", NULL}, "registered_poor"},
    {"", {"a", NULL}, NULL},
};

START_TEST(test_suggest_closest)
{
  const char *const *c = suggest_cases[_i].candidates;
  size_t n = 0;
  while (c[n])
    n++;
  const char *got = suggest_closest(suggest_cases[_i].word, strlen(suggest_cases[_i].word), c, n);
  if (suggest_cases[_i].want == NULL)
    ck_assert_msg(got == NULL, "case %d: '%s' got '%s'", _i, suggest_cases[_i].word, got);
  else
    ck_assert_msg(got && strcmp(got, suggest_cases[_i].want) == 0, "case %d: '%s' got '%s'", _i,
                  suggest_cases[_i].word, got ? got : "(null)");
}
END_TEST

/* Candidates that are spans of a buffer, not NUL-terminated strings. */
START_TEST(test_suggest_incremental)
{
  static const char names[] = "agesizenet_incomehh_id";
  suggest_state st;
  size_t len = 0;
  suggest_init(&st, "net_incom", 9);
  suggest_offer(&st, names, 3);
  suggest_offer(&st, names + 3, 4);
  suggest_offer(&st, names + 7, 10);
  suggest_offer(&st, names + 17, 5);
  const char *best = suggest_best(&st, &len);
  ck_assert_ptr_eq(best, names + 7);
  ck_assert_uint_eq(len, 10);

  suggest_init(&st, "zzzz", 4);
  suggest_offer(&st, names, 3);
  ck_assert_ptr_null(suggest_best(&st, &len));
  ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_suggest_long_word)
{
  char word[SUGGEST_MAX_LEN + 2], cand[SUGGEST_MAX_LEN + 2];
  memset(word, 'a', sizeof word - 1);
  word[sizeof word - 1] = '\0';
  memcpy(cand, word, sizeof cand);
  cand[0] = 'b';
  const char *cands[] = {cand};
  /* 65 code points: beyond the cap, no suggestion (and no allocation) */
  ck_assert_ptr_null(suggest_closest(word, strlen(word), cands, 1));
  /* 64 is fine */
  ck_assert_ptr_eq(suggest_closest(word + 1, strlen(word + 1), (const char *const[]){cand + 1}, 1),
                   NULL); /* identical after the first byte: skipped */
  word[1] = 'c';
  ck_assert_ptr_nonnull(
      suggest_closest(word + 1, strlen(word + 1), (const char *const[]){cand + 1}, 1));
  /* a very long candidate is abandoned early, not a problem */
  char *huge = malloc(100000);
  ck_assert_ptr_nonnull(huge);
  memset(huge, 'a', 99999);
  huge[99999] = '\0';
  ck_assert_ptr_null(suggest_closest("aaaa", 4, (const char *const[]){huge}, 1));
  free(huge);
}
END_TEST

START_TEST(test_suggest_distance)
{
  ck_assert_uint_eq(suggest_distance("size", 4, "size", 4), 0);
  ck_assert_uint_eq(suggest_distance("Size", 4, "size", 4), 1);
  ck_assert_uint_eq(suggest_distance("szie", 4, "size", 4), 2);
  ck_assert_uint_eq(suggest_distance("abc", 3, "ca", 2), 6); /* OSA, not full Damerau: 3 */
  ck_assert_uint_eq(suggest_distance("收入", 6, "人口", 6), 4);
  ck_assert_uint_eq(suggest_distance("", 0, "abc", 3), 6);
  ck_assert_uint_eq(suggest_distance("kitten", 6, "sitting", 7), 6);
}
END_TEST

static Suite *diag_suite(void)
{
  Suite *s = suite_create("diag");
  TCase *tc;

  tc = tcase_create("table");
  tcase_add_test(tc, test_diag_table_codes);
  tcase_add_test(tc, test_diag_every_code_explained);
  suite_add_tcase(s, tc);

  tc = tcase_create("render");
  tcase_add_test(tc, test_diag_render_ascii_span);
  tcase_add_test(tc, test_diag_render_after_cjk);
  tcase_add_test(tc, test_diag_render_fullwidth_combining);
  tcase_add_test(tc, test_diag_render_tab_indent);
  tcase_add_test(tc, test_diag_render_tab_in_span);
  tcase_add_test(tc, test_diag_render_end_of_line);
  tcase_add_test(tc, test_diag_render_multiline_span);
  tcase_add_test(tc, test_diag_render_help_and_note);
  tcase_add_test(tc, test_diag_render_too_many_errors);
  tcase_add_test(tc, test_diag_default_cap);
  tcase_add_test(tc, test_diag_render_no_location);
  tcase_add_test(tc, test_diag_render_empty);
  tcase_add_test(tc, test_diag_render_wide_gutter);
  tcase_add_test(tc, test_diag_render_sanitized);
  tcase_add_test(tc, test_diag_render_color);
  tcase_add_test(tc, test_diag_render_unknown_file);
  suite_add_tcase(s, tc);

  tc = tcase_create("list");
  tcase_add_test(tc, test_diag_accessors);
  tcase_add_test(tc, test_diag_sort);
  suite_add_tcase(s, tc);

  tc = tcase_create("suggest");
  tcase_add_loop_test(tc, test_suggest_closest, 0, sizeof suggest_cases / sizeof suggest_cases[0]);
  tcase_add_test(tc, test_suggest_incremental);
  tcase_add_test(tc, test_suggest_long_word);
  tcase_add_test(tc, test_suggest_distance);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(diag_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
