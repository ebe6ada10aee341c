/*
 * check_textfn.c - unit tests for textfn.c, the rule language's text functions.
 *
 * Place in the pipeline: pins what `length`, `prefix`, `substr`, `upper` and `lower` return
 * for rule authors, in code points over UTF-8 (Chinese text first), including the edges: empty text, positions before 1 or past
 * the end, huge counts, and invalid UTF-8 bytes counted one code point each.
 */
#include "textfn.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------------------------------
 * length
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *s;
  size_t want;
} length_cases[] = {
    {"", 0},
    {"abc", 3},
    {"云南省昆明市", 6},
    {"云南省 Kunming", 11},
    {"ü", 1},
    {"\xf0\x9f\x98\x80", 1}, /* U+1F600, 4 bytes */
    {"\xe3\x80\x80", 1},     /* U+3000 */
    /* invalid UTF-8: one code point per offending byte */
    {"\xff", 1},
    {"a\xe4\xba"
     "b",
     4},                         /* truncated 3-byte sequence */
    {"\xc0\x80", 2},             /* overlong NUL */
    {"\xe0\x80\xaf", 3},         /* overlong '/' */
    {"\xed\xa0\x80", 3},         /* surrogate U+D800 */
    {"\xf4\x90\x80\x80", 4},     /* above U+10FFFF */
    {"\x80\x80", 2},             /* stray continuation bytes */
    {"\xe4\xba\x91\xe4\xba", 3}, /* 云 then a truncated character at the end */
};

START_TEST(test_textfn_length_table)
{
  const char *s = length_cases[_i].s;
  ck_assert_uint_eq(textfn_length(s, strlen(s)), length_cases[_i].want);
}
END_TEST

START_TEST(test_textfn_length_counted)
{
  ck_assert_uint_eq(textfn_length(NULL, 0), 0);
  ck_assert_uint_eq(textfn_length("a\0b", 3), 3);
  /* a length that cuts a character in half leaves invalid bytes */
  ck_assert_uint_eq(textfn_length("云南", 4), 2);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * prefix
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *s;
  int64_t n;
  const char *want;
} prefix_cases[] = {
    {"云南省昆明市", 2, "云南"},
    {"云南省昆明市", 0, ""},
    {"云南省昆明市", -1, ""},
    {"云南省昆明市", INT64_MIN, ""},
    {"云南省昆明市", 6, "云南省昆明市"},
    {"云南省昆明市", 7, "云南省昆明市"},
    {"云南省昆明市", INT64_MAX, "云南省昆明市"},
    {"530102001001", 6, "530102"},
    {"a云b", 2, "a云"},
    {"", 3, ""},
    {"\xff\xfe"
     "ab",
     3,
     "\xff\xfe"
     "a"},
};

START_TEST(test_textfn_prefix_table)
{
  const char *s = prefix_cases[_i].s;
  const char *want = prefix_cases[_i].want;
  size_t got = textfn_prefix(s, strlen(s), prefix_cases[_i].n);
  ck_assert_uint_eq(got, strlen(want));
  ck_assert_int_eq(memcmp(s, want, got), 0);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * substr (SQL SUBSTRING semantics, positions from 1)
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *name;
  const char *s;
  int64_t start, count;
  const char *want;
  size_t want_off;
} substr_cases[] = {
    {"substr-1", "云南省昆明市", 1, 3, "云南省", 0},
    {"substr-2", "云南省昆明市", 4, 2, "昆明", 9},
    {"substr-3", "云南省昆明市", 6, 1, "市", 15},
    {"substr-4", "云南省昆明市", 4, 99, "昆明市", 9},
    {"substr-5", "云南省昆明市", 7, 1, "", 18},
    {"substr-6", "云南省昆明市", 100, 5, "", 18},
    {"substr-7", "云南省昆明市", 2, 0, "", 3},
    {"substr-8", "云南省昆明市", 2, -3, "", 3},
    /* a start before 1 still consumes count: positions 0 and 1, only 1 exists */
    {"substr-9", "云南省昆明市", 0, 2, "云", 0},
    {"substr-10", "云南省昆明市", 0, 1, "", 0},
    {"substr-11", "云南省昆明市", -2, 5, "云南", 0},
    {"substr-12", "云南省昆明市", -5, 2, "", 0},
    {"substr-13", "云南省昆明市", INT64_MIN, INT64_MAX, "", 0},
    {"substr-14", "云南省昆明市", INT64_MIN, 1, "", 0},
    /* start + count overflows: saturates to "up to the end" */
    {"substr-15", "云南省昆明市", 3, INT64_MAX, "省昆明市", 6},
    {"substr-16", "云南省昆明市", INT64_MAX, INT64_MAX, "", 18},
    {"substr-17", "530102001001", 1, 6, "530102", 0},
    {"substr-18", "530102001001", 10, 3, "001", 9},
    {"substr-19", "", 1, 1, "", 0},
    {"substr-20", "", 0, 5, "", 0},
    {"substr-21",
     "a\xff"
     "b",
     2, 1, "\xff", 1},
    {"substr-22", "ab", 3, INT64_MAX, "", 2},
};

START_TEST(test_textfn_substr_table)
{
  const char *s = substr_cases[_i].s;
  const char *want = substr_cases[_i].want;
  textfn_span r = textfn_substr(s, strlen(s), substr_cases[_i].start, substr_cases[_i].count);
  ck_assert_msg(r.len == strlen(want) && memcmp(s + r.off, want, r.len) == 0,
                "%s: got off %zu len %zu", substr_cases[_i].name, r.off, r.len);
  ck_assert_msg(r.off == substr_cases[_i].want_off, "%s: off %zu, want %zu", substr_cases[_i].name,
                r.off, substr_cases[_i].want_off);
  ck_assert_uint_le(r.off + r.len, strlen(s));
}
END_TEST

START_TEST(test_textfn_substr_null_empty)
{
  textfn_span r = textfn_substr(NULL, 0, 1, 10);
  ck_assert_uint_eq(r.off, 0);
  ck_assert_uint_eq(r.len, 0);
  ck_assert_uint_eq(textfn_prefix(NULL, 0, 5), 0);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * upper / lower
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *s;
  const char *upper;
  const char *lower;
} case_cases[] = {
    {"", "", ""},
    {"Hello, World 123", "HELLO, WORLD 123", "hello, world 123"},
    {"云南省昆明市", "云南省昆明市", "云南省昆明市"}, /* CJK has no case */
    {"x云y", "X云Y", "x云y"},
    {"àéîõüçñÿ", "ÀÉÎÕÜÇÑŸ", "àéîõüçñÿ"}, /* Latin-1, ÿ -> U+0178 */
    {"ÀÉÎÕÜÇÑ", "ÀÉÎÕÜÇÑ", "àéîõüçñ"},
    {"×÷", "×÷", "×÷"},     /* signs, not letters */
    {"ß", "ß", "ß"},        /* no simple upper case */
    {"µ", "\xce\x9c", "µ"}, /* micro -> capital mu */
    {"āăąćčďēğīıłńőœřśšţűźżžſ", "ĀĂĄĆČĎĒĞĪIŁŃŐŒŘŚŠŢŰŹŻŽS",
     "āăąćčďēğīıłńőœřśšţűźżžſ"}, /* Latin Extended-A */
    {"İĲĿŸ", "İĲĿŸ", "iĳŀÿ"},
    {"ĸŉ", "ĸŉ", "ĸŉ"}, /* no case partner */
    {"αβγδεζηθικλμνξοπρστυφχψω", "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", "αβγδεζηθικλμνξοπρστυφχψω"},
    {"ΆΈΉΊΌΎΏΪΫ", "ΆΈΉΊΌΎΏΪΫ", "άέήίόύώϊϋ"},
    {"ς", "Σ", "ς"}, /* final sigma */
    {"ΐΰ", "ΐΰ", "ΐΰ"},
    {"привет, Мир", "ПРИВЕТ, МИР", "привет, мир"},
    {"ёђѕіїјљњћќўџ", "ЁЂЅІЇЈЉЊЋЌЎЏ", "ёђѕіїјљњћќўџ"},
    {"ＡＢＣｘｙｚ１", "ＡＢＣＸＹＺ１", "ａｂｃｘｙｚ１"}, /* fullwidth */
    {"ǅǆ", "ǅǆ", "ǅǆ"},                                     /* outside the mapped blocks */
    {"a\xff"
     "b\xe4\xba"
     "c",
     "A\xff"
     "B\xe4\xba"
     "C",
     "a\xff"
     "b\xe4\xba"
     "c"},
    {"\xc3\x80\xc3", "\xc3\x80\xc3", "\xc3\xa0\xc3"}, /* À then a truncated byte */
};

START_TEST(test_textfn_case_table)
{
  const char *s = case_cases[_i].s;
  size_t len = strlen(s);
  char out[128];

  size_t n = textfn_upper(s, len, out, sizeof out);
  ck_assert_uint_le(n, len);
  ck_assert_msg(n == strlen(case_cases[_i].upper) && memcmp(out, case_cases[_i].upper, n) == 0,
                "upper row %d: got '%.*s'", _i, (int)n, out);

  n = textfn_lower(s, len, out, sizeof out);
  ck_assert_uint_le(n, len);
  ck_assert_msg(n == strlen(case_cases[_i].lower) && memcmp(out, case_cases[_i].lower, n) == 0,
                "lower row %d: got '%.*s'", _i, (int)n, out);
}
END_TEST

START_TEST(test_textfn_case_shrinks)
{
  /* ı (2 bytes) -> I, ſ (2 bytes) -> S, İ (2 bytes) -> i: the result is shorter */
  char out[16];
  ck_assert_uint_eq(textfn_upper("ıſ", 4, out, sizeof out), 2);
  ck_assert_int_eq(memcmp(out, "IS", 2), 0);
  ck_assert_uint_eq(textfn_lower("İx", 3, out, sizeof out), 2);
  ck_assert_int_eq(memcmp(out, "ix", 2), 0);
}
END_TEST

START_TEST(test_textfn_case_small_buffer)
{
  const char *s = "abc云d";
  size_t len = strlen(s);
  char out[16];

  /* size query */
  ck_assert_uint_eq(textfn_upper(s, len, NULL, 0), len);

  /* a short buffer gets a prefix of whole characters and is never overrun */
  memset(out, '#', sizeof out);
  ck_assert_uint_eq(textfn_upper(s, len, out, 5), len);
  ck_assert_int_eq(memcmp(out, "ABC", 3), 0);
  for (size_t k = 5; k < sizeof out; k++)
    ck_assert_int_eq(out[k], '#');

  /* exactly enough */
  ck_assert_uint_eq(textfn_upper(s, len, out, len), len);
  ck_assert_int_eq(memcmp(out, "ABC云D", len), 0);
}
END_TEST

START_TEST(test_textfn_case_in_place)
{
  char buf[] = "Iİıſ云Ab";
  size_t len = strlen(buf);
  size_t n = textfn_lower(buf, len, buf, len);
  ck_assert_uint_eq(n, strlen("iiıſ云ab"));
  ck_assert_int_eq(memcmp(buf, "iiıſ云ab", n), 0);

  char buf2[] = "ıſ云ab";
  len = strlen(buf2);
  n = textfn_upper(buf2, len, buf2, len);
  ck_assert_uint_eq(n, strlen("IS云AB"));
  ck_assert_int_eq(memcmp(buf2, "IS云AB", n), 0);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */

static Suite *textfn_suite(void)
{
  Suite *s = suite_create("textfn");

  TCase *tc = tcase_create("length");
  tcase_add_loop_test(tc, test_textfn_length_table, 0, N_ELEMS(length_cases));
  tcase_add_test(tc, test_textfn_length_counted);
  tcase_add_loop_test(tc, test_textfn_prefix_table, 0, N_ELEMS(prefix_cases));
  tcase_add_loop_test(tc, test_textfn_substr_table, 0, N_ELEMS(substr_cases));
  tcase_add_test(tc, test_textfn_substr_null_empty);
  suite_add_tcase(s, tc);

  tc = tcase_create("case");
  tcase_add_loop_test(tc, test_textfn_case_table, 0, N_ELEMS(case_cases));
  tcase_add_test(tc, test_textfn_case_shrinks);
  tcase_add_test(tc, test_textfn_case_small_buffer);
  tcase_add_test(tc, test_textfn_case_in_place);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(textfn_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
