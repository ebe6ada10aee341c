/*
 * check_checkchar.c - unit tests for checkchar.c: ISO 7064 MOD 11-2 and Luhn.
 *
 * Place in the pipeline: pins the validation of `head_id` (doc/national-standard.md,
 * section 1) and of bank card numbers that record readers and rules rely on. Expected check
 * characters were worked out by hand (one shown below) and cross-checked with an independent
 * implementation of the weight-table formula.
 *
 * Hand calculation for the GB 11643-1999 example prefix 11010519491231002:
 *   digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
 *   weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2   (2^(17-i) mod 11)
 *   products 7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4   sum 167
 *   167 mod 11 = 2; (12 - 2) mod 11 = 10, written 'X'  ->  11010519491231002X
 */
#include "checkchar.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------------------------------
 * ISO 7064 MOD 11-2
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *digits;
  char check;
} mod11_compute_cases[] = {
    {"11010519491231002", 'X'}, /* the standard's own example, see the file comment */
    {"53010219800101001", '5'},
    {"53262719900315123", '4'},
    {"44030519850715432", '1'},
    {"51010720000229000", '2'},
    {"33010219850101241", '5'},
    {"53010220051120003", '8'},
    {"00000000000000000", '1'}, /* sum 0: (12 - 0) mod 11 = 1 */
    {"99999999999999999", '3'},
    /* other lengths: the scheme is general */
    {"1", 'X'},
    {"0", '1'},
    {"12", '4'},
    /* not computable */
    {"", '\0'},
    {"1101051949123100A", '\0'},
    {"11010519491231002 ", '\0'},
    {"-1", '\0'},
};

START_TEST(test_checkchar_mod11_2_compute_table)
{
  const char *d = mod11_compute_cases[_i].digits;
  char got = checkchar_iso7064_mod11_2_compute(d, strlen(d));
  ck_assert_msg(got == mod11_compute_cases[_i].check, "'%s': got '%c' (%d)", d, got ? got : '0',
                got);
}
END_TEST

static const struct {
  const char *id;
  bool valid;
} mod11_validate_cases[] = {
    {"11010519491231002X", true},
    {"530102198001010015", true},
    {"532627199003151234", true},
    {"440305198507154321", true},
    {"510107200002290002", true},
    {"000000000000000001", true},
    {"999999999999999993", true},
    {"1X", true},
    {"01", true},
    {"124", true},
    /* lower-case x is refused: the standard prints X */
    {"11010519491231002x", false},
    /* one digit changed: always caught, every weight is non-zero mod 11 */
    {"21010519491231002X", false},
    {"11010519491231003X", false},
    {"530102198001010115", false},
    /* two adjacent digits swapped */
    {"530102189001010015", false},
    /* wrong check character */
    {"530102198001010010", false},
    {"530102198001010019", false},
    {"53010219800101001X", false},
    {"110105194912310020", false},
    /* wrong length */
    {"", false},
    {"X", false},
    {"5", false},
    /* letters, signs, spaces, X anywhere but last, full-width digits */
    {"A10105194912310021", false},
    {"1101051949123100X2", false},
    {"X1", false},
    {"XX", false},
    {"53010219800101001 5", false},
    {" 530102198001010015", false},
    {"+530102198001010015", false},
    {"５30102198001010015", false},
};

START_TEST(test_checkchar_mod11_2_validate_table)
{
  const char *id = mod11_validate_cases[_i].id;
  ck_assert_msg(checkchar_iso7064_mod11_2(id, strlen(id)) == mod11_validate_cases[_i].valid,
                "'%s' should be %s", id, mod11_validate_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

START_TEST(test_checkchar_mod11_2_every_single_change)
{
  /* Every single-character substitution of a valid ID is rejected. */
  char id[] = "11010519491231002X";
  const char alphabet[] = "0123456789Xx";
  size_t len = strlen(id);
  ck_assert(checkchar_iso7064_mod11_2(id, len));
  for (size_t pos = 0; pos < len; pos++) {
    char orig = id[pos];
    for (const char *a = alphabet; *a; a++) {
      if (*a == orig)
        continue;
      id[pos] = *a;
      ck_assert_msg(!checkchar_iso7064_mod11_2(id, len), "accepted '%s'", id);
    }
    id[pos] = orig;
  }
}
END_TEST

START_TEST(test_checkchar_mod11_2_compute_roundtrip)
{
  /* compute and validate agree on every 17-digit prefix of a walk through digit space */
  char id[19];
  memcpy(id, "53010219800101001", 17);
  for (int k = 0; k < 2000; k++) {
    id[k % 17] = (char)('0' + (id[k % 17] - '0' + 7) % 10);
    id[17] = checkchar_iso7064_mod11_2_compute(id, 17);
    ck_assert(id[17] != '\0');
    ck_assert(checkchar_iso7064_mod11_2(id, 18));
  }
}
END_TEST

START_TEST(test_checkchar_mod11_2_counted)
{
  /* the length is what counts: a valid ID followed by more bytes is judged by len */
  const char *s = "11010519491231002X99";
  ck_assert(checkchar_iso7064_mod11_2(s, 18));
  ck_assert(!checkchar_iso7064_mod11_2(s, 20));
  ck_assert(!checkchar_iso7064_mod11_2(NULL, 0));
  ck_assert(!checkchar_iso7064_mod11_2("11010519491231002\0", 18));
  ck_assert_int_eq(checkchar_iso7064_mod11_2_compute(NULL, 0), '\0');
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * Luhn
 * ---------------------------------------------------------------------------------------- */

static const struct {
  const char *digits;
  char check;
} luhn_compute_cases[] = {
    {"7992739871", '3'},
    {"411111111111111", '1'},
    {"37828224631000", '5'},
    {"622202100112345678", '9'},
    {"6222021001123456", '3'},
    {"0", '0'},
    {"1", '8'},
    {"", '\0'},
    {"79927398a1", '\0'},
};

START_TEST(test_checkchar_luhn_compute_table)
{
  const char *d = luhn_compute_cases[_i].digits;
  char got = checkchar_luhn_compute(d, strlen(d));
  ck_assert_msg(got == luhn_compute_cases[_i].check, "'%s': got %d", d, got);
}
END_TEST

static const struct {
  const char *number;
  bool valid;
} luhn_validate_cases[] = {
    {"79927398713", true},
    {"4111111111111111", true},
    {"378282246310005", true},
    {"6222021001123456789", true},
    {"62220210011234563", true},
    {"00", true},
    {"18", true},
    {"79927398710", false},
    {"79927398712", false},
    {"79927398714", false},
    {"79927398719", false},
    {"79927398703", false}, /* one digit changed */
    {"97927398713", false}, /* adjacent swap */
    {"4111111111111112", false},
    {"", false},
    {"0", false},
    {"7", false},
    {"7992 7398 713", false}, /* separators must be stripped first */
    {"7992739871X", false},
    {"-79927398713", false},
};

START_TEST(test_checkchar_luhn_validate_table)
{
  const char *n = luhn_validate_cases[_i].number;
  ck_assert_msg(checkchar_luhn(n, strlen(n)) == luhn_validate_cases[_i].valid, "'%s' should be %s",
                n, luhn_validate_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

START_TEST(test_checkchar_luhn_every_single_change)
{
  char num[] = "79927398713";
  size_t len = strlen(num);
  for (size_t pos = 0; pos < len; pos++) {
    char orig = num[pos];
    for (char d = '0'; d <= '9'; d++) {
      if (d == orig)
        continue;
      num[pos] = d;
      ck_assert_msg(!checkchar_luhn(num, len), "accepted '%s'", num);
    }
    num[pos] = orig;
  }
  ck_assert(!checkchar_luhn(NULL, 0));
  ck_assert_int_eq(checkchar_luhn_compute(NULL, 0), '\0');
}
END_TEST

START_TEST(test_checkchar_luhn_long)
{
  /* the sum is kept reduced, so any length works */
  enum {
    N = 100001
  };
  char *s = malloc(N);
  ck_assert_ptr_nonnull(s);
  memset(s, '9', N - 1);
  s[N - 1] = checkchar_luhn_compute(s, N - 1);
  ck_assert(checkchar_luhn(s, N));
  s[N - 1] = (char)('0' + (s[N - 1] - '0' + 1) % 10);
  ck_assert(!checkchar_luhn(s, N));
  free(s);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */

static Suite *checkchar_suite(void)
{
  Suite *s = suite_create("checkchar");

  TCase *tc = tcase_create("iso7064_mod11_2");
  tcase_add_loop_test(tc, test_checkchar_mod11_2_compute_table, 0, N_ELEMS(mod11_compute_cases));
  tcase_add_loop_test(tc, test_checkchar_mod11_2_validate_table, 0, N_ELEMS(mod11_validate_cases));
  tcase_add_test(tc, test_checkchar_mod11_2_every_single_change);
  tcase_add_test(tc, test_checkchar_mod11_2_compute_roundtrip);
  tcase_add_test(tc, test_checkchar_mod11_2_counted);
  suite_add_tcase(s, tc);

  tc = tcase_create("luhn");
  tcase_add_loop_test(tc, test_checkchar_luhn_compute_table, 0, N_ELEMS(luhn_compute_cases));
  tcase_add_loop_test(tc, test_checkchar_luhn_validate_table, 0, N_ELEMS(luhn_validate_cases));
  tcase_add_test(tc, test_checkchar_luhn_every_single_change);
  tcase_add_test(tc, test_checkchar_luhn_long);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(checkchar_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
