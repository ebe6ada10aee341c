/*
 * check_decimal.c - unit tests for decimal.c, the exact money and number arithmetic.
 *
 * Place in the pipeline: decimal.c sits under the lexer, readers, checker and VM, so these
 * tables pin the behaviour they all rely on: the literal syntax, every rounding mode on both
 * signs, the per-capita example of doc/national-standard.md section 2 (16000.02 / 4 ->
 * 4000.01), exact percentage comparisons, and overflow at the int64 edges. Each table row is
 * one loop iteration, and failure messages name the row's input.
 */
#include "decimal.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static dec_num mk(int64_t num, int64_t den)
{
  dec_num x = {num, den};
  return x;
}

/* ============================================================================================
 * Parsing
 * ========================================================================================== */

static const struct {
  const char *text;
  dec_status st;
  dec_money fen; /* meaningful when st == DEC_OK */
} money_parse_cases[] = {
    {"12", DEC_OK, 1200},
    {"-0.5", DEC_OK, -50},
    {"16000.02", DEC_OK, 1600002},
    {"+3.10", DEC_OK, 310},
    {"0", DEC_OK, 0},
    {"-0", DEC_OK, 0},
    {"-0.00", DEC_OK, 0},
    {"007.5", DEC_OK, 750},
    {"1.500", DEC_TOO_PRECISE, 0}, /* three decimals written, even if zero */
    {"1.50000000000000000000000000000", DEC_TOO_PRECISE, 0},
    {"1.50", DEC_OK, 150},
    {"92233720368547758.07", DEC_OK, INT64_MAX},
    {"-92233720368547758.08", DEC_OK, INT64_MIN},
    {"92233720368547758.08", DEC_OVERFLOW, 0},
    {"-92233720368547758.09", DEC_OVERFLOW, 0},
    {"100000000000000000000", DEC_OVERFLOW, 0},
    {"1.005", DEC_TOO_PRECISE, 0},
    {"1.0050", DEC_TOO_PRECISE, 0},
    {"0.001", DEC_TOO_PRECISE, 0},
    {"", DEC_SYNTAX, 0},
    {" 1", DEC_SYNTAX, 0},
    {"1 ", DEC_SYNTAX, 0},
    {"1.", DEC_SYNTAX, 0},
    {".5", DEC_SYNTAX, 0},
    {"-.5", DEC_SYNTAX, 0},
    {"1e3", DEC_SYNTAX, 0},
    {"1,000", DEC_SYNTAX, 0},
    {"--1", DEC_SYNTAX, 0},
    {"+-1", DEC_SYNTAX, 0},
    {"-", DEC_SYNTAX, 0},
    {"+", DEC_SYNTAX, 0},
    {"1.2.3", DEC_SYNTAX, 0},
    {"3%", DEC_SYNTAX, 0},
    {"\xef\xbc\x91", DEC_SYNTAX, 0}, /* U+FF11 FULLWIDTH DIGIT ONE */
    {"\xd9\xa1", DEC_SYNTAX, 0},     /* U+0661 ARABIC-INDIC DIGIT ONE */
    {"1.005x", DEC_SYNTAX, 0},       /* syntax wins over precision */
};

START_TEST(test_dec_money_parse)
{
  const char *t = money_parse_cases[_i].text;
  dec_money m = 4242;
  dec_status st = dec_money_parse(t, strlen(t), &m);
  ck_assert_msg(st == money_parse_cases[_i].st, "'%s': status %d, want %d", t, st,
                money_parse_cases[_i].st);
  if (st == DEC_OK)
    ck_assert_msg(m == money_parse_cases[_i].fen, "'%s': %lld fen", t, (long long)m);
  else
    ck_assert_msg(m == 4242, "'%s': out written on failure", t);
}
END_TEST

START_TEST(test_dec_money_parse_not_nul_terminated)
{
  /* The lexer hands out spans into the source; bytes after n must not be read. */
  const char src[] = "16000.0234";
  dec_money m = 0;
  ck_assert_int_eq(dec_money_parse(src, 8, &m), DEC_OK);
  ck_assert_int_eq(m, 1600002);
  ck_assert_int_eq(dec_money_parse(src, 9, &m), DEC_TOO_PRECISE);
  ck_assert_int_eq(dec_money_parse(NULL, 0, &m), DEC_SYNTAX);
  const char nul[] = {'1', '\0', '2'};
  ck_assert_int_eq(dec_money_parse(nul, 3, &m), DEC_SYNTAX);
}
END_TEST

static const struct {
  const char *text;
  dec_status st;
  int64_t num, den; /* meaningful when st == DEC_OK */
} num_parse_cases[] = {
    {"0.125", DEC_OK, 1, 8},
    {"3", DEC_OK, 3, 1},
    {"-2.50", DEC_OK, -5, 2},
    {"+0.5", DEC_OK, 1, 2},
    {"3%", DEC_OK, 3, 100},
    {"2.5%", DEC_OK, 1, 40},
    {"-50%", DEC_OK, -1, 2},
    {"100%", DEC_OK, 1, 1},
    {"0%", DEC_OK, 0, 1},
    {"-0.000", DEC_OK, 0, 1},
    {"0.2", DEC_OK, 1, 5},
    {"2", DEC_OK, 2, 1},
    {"0.000000000000000001", DEC_OK, 1, 1000000000000000000},
    {"0.5000000000000000000000000000000000000000000000", DEC_OK, 1, 2},
    {"9223372036854775807", DEC_OK, INT64_MAX, 1},
    {"-9223372036854775808", DEC_OK, INT64_MIN, 1},
    {"9223372036854775808", DEC_OVERFLOW, 0, 0},
    {"0.0000000000000000001", DEC_OVERFLOW, 0, 0}, /* den 10^19 */
    {"0.00000000000000000000000000000000000000001", DEC_OVERFLOW, 0, 0},
    {"123456789012345678901234567890123456789012", DEC_OVERFLOW, 0, 0},
    {"0.00000000000000000000000000000000000000000000000000000000000000000001%", DEC_OVERFLOW, 0, 0},
    {"", DEC_SYNTAX, 0, 0},
    {"%", DEC_SYNTAX, 0, 0},
    {"3 %", DEC_SYNTAX, 0, 0},
    {"3%%", DEC_SYNTAX, 0, 0},
    {"%3", DEC_SYNTAX, 0, 0},
    {"1.", DEC_SYNTAX, 0, 0},
    {".5", DEC_SYNTAX, 0, 0},
    {"1e-3", DEC_SYNTAX, 0, 0},
    {"1_000", DEC_SYNTAX, 0, 0},
    {"--1", DEC_SYNTAX, 0, 0},
    {"0x10", DEC_SYNTAX, 0, 0},
    {"\xef\xbc\x93", DEC_SYNTAX, 0, 0}, /* fullwidth 3 */
};

START_TEST(test_dec_num_parse)
{
  const char *t = num_parse_cases[_i].text;
  dec_num x = mk(42, 42);
  dec_status st = dec_num_parse(t, strlen(t), &x);
  ck_assert_msg(st == num_parse_cases[_i].st, "'%s': status %d, want %d", t, st,
                num_parse_cases[_i].st);
  if (st == DEC_OK)
    ck_assert_msg(x.num == num_parse_cases[_i].num && x.den == num_parse_cases[_i].den,
                  "'%s': got %lld/%lld", t, (long long)x.num, (long long)x.den);
  else
    ck_assert_msg(x.num == 42 && x.den == 42, "'%s': out written on failure", t);
}
END_TEST

static const struct {
  const char *text;
  dec_status st;
  int64_t v;
} int_parse_cases[] = {
    {"0", DEC_OK, 0},
    {"42", DEC_OK, 42},
    {"-7", DEC_OK, -7},
    {"+7", DEC_OK, 7},
    {"0030", DEC_OK, 30},
    {"9223372036854775807", DEC_OK, INT64_MAX},
    {"-9223372036854775808", DEC_OK, INT64_MIN},
    {"9223372036854775808", DEC_OVERFLOW, 0},
    {"-9223372036854775809", DEC_OVERFLOW, 0},
    {"99999999999999999999999", DEC_OVERFLOW, 0},
    {"1.0", DEC_SYNTAX, 0},
    {"1%", DEC_SYNTAX, 0},
    {"", DEC_SYNTAX, 0},
    {"-", DEC_SYNTAX, 0},
    {" 3", DEC_SYNTAX, 0},
    {"3a", DEC_SYNTAX, 0},
};

START_TEST(test_dec_int_parse)
{
  const char *t = int_parse_cases[_i].text;
  int64_t v = 4242;
  dec_status st = dec_int_parse(t, strlen(t), &v);
  ck_assert_msg(st == int_parse_cases[_i].st, "'%s': status %d, want %d", t, st,
                int_parse_cases[_i].st);
  if (st == DEC_OK)
    ck_assert_msg(v == int_parse_cases[_i].v, "'%s': got %lld", t, (long long)v);
  else
    ck_assert_msg(v == 4242, "'%s': out written on failure", t);
}
END_TEST

/* ============================================================================================
 * Names
 * ========================================================================================== */

static const struct {
  const char *name;
  bool ok;
  dec_round mode;
} round_name_cases[] = {
    {"half_away", true, DEC_HALF_AWAY},
    {"half_even", true, DEC_HALF_EVEN},
    {"half_down", true, DEC_HALF_DOWN},
    {"down", true, DEC_TRUNC},
    {"up", true, DEC_AWAY},
    {"floor", true, DEC_FLOOR},
    {"ceiling", true, DEC_CEIL},
    {"ceil", false, DEC_HALF_AWAY},
    {"Half_Away", false, DEC_HALF_AWAY},
    {"half_away ", false, DEC_HALF_AWAY},
    {"half", false, DEC_HALF_AWAY},
    {"", false, DEC_HALF_AWAY},
};

START_TEST(test_dec_round_parse)
{
  const char *t = round_name_cases[_i].name;
  dec_round mode = (dec_round)99;
  bool ok = dec_round_parse(t, strlen(t), &mode);
  ck_assert_msg(ok == round_name_cases[_i].ok, "'%s'", t);
  if (ok) {
    ck_assert_msg(mode == round_name_cases[_i].mode, "'%s': mode %d", t, mode);
    ck_assert_str_eq(dec_round_name(mode), t);
  } else {
    ck_assert_msg(mode == (dec_round)99, "'%s': out written on failure", t);
  }
}
END_TEST

START_TEST(test_dec_round_parse_span)
{
  dec_round mode = DEC_HALF_AWAY;
  ck_assert(dec_round_parse("floor)", 5, &mode));
  ck_assert_int_eq(mode, DEC_FLOOR);
  ck_assert(!dec_round_parse("up", 1, &mode));
  ck_assert(!dec_round_parse(NULL, 0, &mode));
  ck_assert_str_eq(dec_round_name((dec_round)99), "?");
}
END_TEST

/* ============================================================================================
 * Formatting
 * ========================================================================================== */

static const struct {
  dec_money m;
  const char *text;
} money_fmt_cases[] = {
    {0, "0.00"},
    {-50, "-0.50"},
    {400001, "4000.01"},
    {5, "0.05"},
    {-5, "-0.05"},
    {100, "1.00"},
    {-123456, "-1234.56"},
    {INT64_MAX, "92233720368547758.07"},
    {INT64_MIN, "-92233720368547758.08"},
};

START_TEST(test_dec_money_format)
{
  char buf[DEC_FMT_MAX];
  size_t len = dec_money_format(money_fmt_cases[_i].m, buf);
  ck_assert_str_eq(buf, money_fmt_cases[_i].text);
  ck_assert_uint_eq(len, strlen(money_fmt_cases[_i].text));
}
END_TEST

START_TEST(test_dec_money_format_roundtrip)
{
  /* Whatever we print, we must read back to the same fen. */
  static const dec_money vals[] = {0, 1, -1, 99, -101, 1600002, INT64_MAX, INT64_MIN};
  for (int i = 0; i < N_ELEMS(vals); i++) {
    char buf[DEC_FMT_MAX];
    dec_money back = 0;
    size_t len = dec_money_format(vals[i], buf);
    ck_assert_int_eq(dec_money_parse(buf, len, &back), DEC_OK);
    ck_assert_int_eq(back, vals[i]);
  }
}
END_TEST

enum fmt_kind {
  FMT_PLAIN,
  FMT_PERCENT,
  FMT_EXACT
};

static const struct {
  enum fmt_kind kind;
  int64_t num, den;
  int places;
  dec_round mode; /* ignored by FMT_EXACT */
  const char *text;
} num_fmt_cases[] = {
    {FMT_PLAIN, 1, 2, 2, DEC_HALF_AWAY, "0.50"},
    {FMT_PLAIN, 1, 2, 0, DEC_HALF_AWAY, "1"},
    {FMT_PLAIN, 1, 2, 0, DEC_HALF_EVEN, "0"},
    {FMT_PLAIN, -1, 2, 0, DEC_HALF_AWAY, "-1"},
    {FMT_PLAIN, -1, 3, 2, DEC_HALF_AWAY, "-0.33"},
    {FMT_PLAIN, 2, 3, 2, DEC_TRUNC, "0.66"},
    {FMT_PLAIN, 2, 3, 2, DEC_HALF_AWAY, "0.67"},
    {FMT_PLAIN, -1, 1000, 2, DEC_HALF_AWAY, "0.00"}, /* no "-0.00" */
    {FMT_PLAIN, -1, 1000, 2, DEC_FLOOR, "-0.01"},
    {FMT_PLAIN, 800001, 200, 2, DEC_HALF_AWAY, "4000.01"},
    {FMT_PLAIN, 800001, 200, 2, DEC_HALF_EVEN, "4000.00"},
    {FMT_PLAIN, 5, 1, 3, DEC_HALF_AWAY, "5.000"},
    {FMT_PLAIN, 1, 3, 18, DEC_HALF_AWAY, "0.333333333333333333"},
    {FMT_PLAIN, 1, 3, 99, DEC_HALF_AWAY, "0.333333333333333333"}, /* clamped */
    {FMT_PLAIN, 7, 4, -3, DEC_HALF_AWAY, "2"},                    /* clamped */
    {FMT_PLAIN, INT64_MIN, 1, 18, DEC_HALF_AWAY, "-9223372036854775808.000000000000000000"},
    {FMT_PLAIN, INT64_MAX, INT64_MAX - 1, 18, DEC_CEIL, "1.000000000000000001"},
    {FMT_PERCENT, 1, 40, 2, DEC_HALF_AWAY, "2.50%"},
    {FMT_PERCENT, 3, 100, 0, DEC_HALF_AWAY, "3%"},
    {FMT_PERCENT, 2, 3, 2, DEC_HALF_AWAY, "66.67%"},
    {FMT_PERCENT, -2, 3, 1, DEC_HALF_AWAY, "-66.7%"},
    {FMT_PERCENT, 299, 10000, 1, DEC_HALF_AWAY, "3.0%"},
    {FMT_PERCENT, 299, 10000, 1, DEC_TRUNC, "2.9%"},
    {FMT_PERCENT, 1, 3, 99, DEC_HALF_AWAY, "33.3333333333333333%"}, /* clamped to 16 */
    {FMT_PERCENT, INT64_MIN, 1, 16, DEC_HALF_AWAY, "-922337203685477580800.0000000000000000%"},
    {FMT_EXACT, 1, 8, 10, DEC_HALF_AWAY, "0.125"},
    {FMT_EXACT, 1, 3, 10, DEC_HALF_AWAY, "0.3333333333"},
    {FMT_EXACT, 2, 1, 10, DEC_HALF_AWAY, "2"},
    {FMT_EXACT, -3, 2, 10, DEC_HALF_AWAY, "-1.5"},
    {FMT_EXACT, 0, 1, 10, DEC_HALF_AWAY, "0"},
    {FMT_EXACT, 2, 3, 2, DEC_HALF_AWAY, "0.67"},
    {FMT_EXACT, 1, 1000, 2, DEC_HALF_AWAY, "0"},
    {FMT_EXACT, -1, 1000, 2, DEC_HALF_AWAY, "0"},
    {FMT_EXACT, 1, 8, 2, DEC_HALF_AWAY, "0.13"},
    {FMT_EXACT, 1, 8, 0, DEC_HALF_AWAY, "0"},
    {FMT_EXACT, 1, 1024, 18, DEC_HALF_AWAY, "0.0009765625"},
    {FMT_EXACT, 199, 200, 2, DEC_HALF_AWAY, "1"},
    {FMT_EXACT, 1, 1000000000000000000, 18, DEC_HALF_AWAY, "0.000000000000000001"},
};

START_TEST(test_dec_num_format)
{
  char buf[DEC_FMT_MAX];
  dec_num x = mk(num_fmt_cases[_i].num, num_fmt_cases[_i].den);
  int places = num_fmt_cases[_i].places;
  dec_round mode = num_fmt_cases[_i].mode;
  size_t len = 0;
  switch (num_fmt_cases[_i].kind) {
  case FMT_PLAIN: len = dec_num_format(x, places, mode, buf); break;
  case FMT_PERCENT: len = dec_num_format_percent(x, places, mode, buf); break;
  case FMT_EXACT: len = dec_num_format_exact(x, places, buf); break;
  }
  ck_assert_msg(strcmp(buf, num_fmt_cases[_i].text) == 0, "%lld/%lld places %d: '%s', want '%s'",
                (long long)x.num, (long long)x.den, places, buf, num_fmt_cases[_i].text);
  ck_assert_uint_eq(len, strlen(buf));
  ck_assert_uint_lt(len, DEC_FMT_MAX);
}
END_TEST

/* ============================================================================================
 * Rounding modes
 * ========================================================================================== */

/* One row per value, one column per mode in enum order: the whole semantics of dec_round. */
static const struct {
  const char *text;
  int64_t want[7]; /* HALF_AWAY HALF_EVEN HALF_DOWN TRUNC AWAY FLOOR CEIL */
} round_mode_cases[] = {
    {"2.5", {3, 2, 2, 2, 3, 2, 3}},    {"-2.5", {-3, -2, -2, -2, -3, -3, -2}},
    {"3.5", {4, 4, 3, 3, 4, 3, 4}},    {"-3.5", {-4, -4, -3, -3, -4, -4, -3}},
    {"2.4999", {2, 2, 2, 2, 3, 2, 3}}, {"-2.4999", {-2, -2, -2, -2, -3, -3, -2}},
    {"2.5001", {3, 3, 3, 2, 3, 2, 3}}, {"-2.5001", {-3, -3, -3, -2, -3, -3, -2}},
    {"2.6", {3, 3, 3, 2, 3, 2, 3}},    {"-2.6", {-3, -3, -3, -2, -3, -3, -2}},
    {"0.5", {1, 0, 0, 0, 1, 0, 1}},    {"-0.5", {-1, 0, 0, 0, -1, -1, 0}},
    {"2", {2, 2, 2, 2, 2, 2, 2}},      {"-2", {-2, -2, -2, -2, -2, -2, -2}},
    {"0", {0, 0, 0, 0, 0, 0, 0}},
};

START_TEST(test_dec_round_modes)
{
  const char *t = round_mode_cases[_i].text;
  dec_num x;
  ck_assert_int_eq(dec_num_parse(t, strlen(t), &x), DEC_OK);
  for (int mode = DEC_HALF_AWAY; mode <= DEC_CEIL; mode++) {
    dec_num r;
    ck_assert_int_eq(dec_num_round(x, 0, (dec_round)mode, &r), DEC_OK);
    ck_assert_int_eq(r.den, 1);
    int64_t got = r.num;
    ck_assert_msg(got == round_mode_cases[_i].want[mode], "'%s' %s: got %lld, want %lld", t,
                  dec_round_name((dec_round)mode), (long long)got,
                  (long long)round_mode_cases[_i].want[mode]);
  }
}
END_TEST

/* ============================================================================================
 * Money arithmetic
 * ========================================================================================== */

static const struct {
  dec_money m;
  int64_t k;
  dec_round mode;
  dec_status st;
  dec_money want;
} money_div_cases[] = {
    /* doc/national-standard.md section 2: per_capita = net_income / size, half away from zero */
    {1600002, 4, DEC_HALF_AWAY, DEC_OK, 400001},   /* 4000.005 -> 4000.01 */
    {1600001, 4, DEC_HALF_AWAY, DEC_OK, 400000},   /* 4000.0025 -> 4000.00 */
    {-1600002, 4, DEC_HALF_AWAY, DEC_OK, -400001}, /* farm losses round the same way */
    {1600002, -4, DEC_HALF_AWAY, DEC_OK, -400001},
    {-1600002, -4, DEC_HALF_AWAY, DEC_OK, 400001},
    {1600002, 4, DEC_HALF_EVEN, DEC_OK, 400000},
    {1600006, 4, DEC_HALF_EVEN, DEC_OK, 400002},
    {1600002, 4, DEC_HALF_DOWN, DEC_OK, 400000},
    {1600003, 4, DEC_HALF_DOWN, DEC_OK, 400001},
    {-1600001, 4, DEC_TRUNC, DEC_OK, -400000},
    {-1600001, 4, DEC_AWAY, DEC_OK, -400001},
    {-1600001, 4, DEC_FLOOR, DEC_OK, -400001},
    {-1600001, 4, DEC_CEIL, DEC_OK, -400000},
    {100, 3, DEC_HALF_AWAY, DEC_OK, 33},
    {200, 3, DEC_HALF_AWAY, DEC_OK, 67},
    {1, 2, DEC_HALF_AWAY, DEC_OK, 1},
    {-1, 2, DEC_HALF_AWAY, DEC_OK, -1},
    {0, 7, DEC_HALF_AWAY, DEC_OK, 0},
    {INT64_MIN, 1, DEC_HALF_AWAY, DEC_OK, INT64_MIN},
    {INT64_MIN, 2, DEC_HALF_AWAY, DEC_OK, INT64_MIN / 2},
    {INT64_MAX, -1, DEC_HALF_AWAY, DEC_OK, -INT64_MAX},
    {INT64_MAX, INT64_MIN, DEC_HALF_AWAY, DEC_OK, -1},
    {INT64_MIN, INT64_MIN, DEC_HALF_AWAY, DEC_OK, 1},
    {INT64_MIN, -1, DEC_HALF_AWAY, DEC_OVERFLOW, 0},
    {INT64_MIN, -1, DEC_TRUNC, DEC_OVERFLOW, 0},
    {100, 0, DEC_HALF_AWAY, DEC_DIV_ZERO, 0},
    {0, 0, DEC_HALF_AWAY, DEC_DIV_ZERO, 0},
};

START_TEST(test_dec_money_div_int)
{
  dec_money out = 4242;
  dec_status st = dec_money_div_int(money_div_cases[_i].m, money_div_cases[_i].k,
                                    money_div_cases[_i].mode, &out);
  ck_assert_msg(st == money_div_cases[_i].st, "%lld / %lld: status %d",
                (long long)money_div_cases[_i].m, (long long)money_div_cases[_i].k, st);
  ck_assert_int_eq(out, st == DEC_OK ? money_div_cases[_i].want : 4242);
}
END_TEST

START_TEST(test_dec_money_div_policy_text)
{
  /* The policy example end to end, as the VM runs it: parse, divide, format. */
  static const struct {
    const char *income, *per_capita;
  } rows[] = {
      {"16000.02", "4000.01"},
      {"16000.01", "4000.00"},
      {"-16000.02", "-4000.01"},
  };
  for (int i = 0; i < N_ELEMS(rows); i++) {
    dec_money income, pc;
    char buf[DEC_FMT_MAX];
    ck_assert_int_eq(dec_money_parse(rows[i].income, strlen(rows[i].income), &income), DEC_OK);
    ck_assert_int_eq(dec_money_div_int(income, 4, DEC_HALF_AWAY, &pc), DEC_OK);
    dec_money_format(pc, buf);
    ck_assert_str_eq(buf, rows[i].per_capita);
  }
}
END_TEST

static const struct {
  dec_money m;
  int places;
  dec_round mode;
  dec_status st;
  dec_money want;
} money_round_cases[] = {
    {250, 0, DEC_HALF_AWAY, DEC_OK, 300},
    {250, 0, DEC_HALF_EVEN, DEC_OK, 200},
    {350, 0, DEC_HALF_EVEN, DEC_OK, 400},
    {-250, 0, DEC_HALF_AWAY, DEC_OK, -300},
    {-250, 0, DEC_HALF_DOWN, DEC_OK, -200},
    {249, 0, DEC_HALF_AWAY, DEC_OK, 200},
    {201, 0, DEC_CEIL, DEC_OK, 300},
    {-201, 0, DEC_CEIL, DEC_OK, -200},
    {-201, 0, DEC_FLOOR, DEC_OK, -300},
    {299, 0, DEC_TRUNC, DEC_OK, 200},
    {201, 0, DEC_AWAY, DEC_OK, 300},
    {125, 1, DEC_HALF_AWAY, DEC_OK, 130},
    {125, 1, DEC_HALF_EVEN, DEC_OK, 120},
    {-125, 1, DEC_HALF_AWAY, DEC_OK, -130},
    {123, 2, DEC_AWAY, DEC_OK, 123},
    {123, 7, DEC_AWAY, DEC_OK, 123},   /* clamped to 2 */
    {150, -1, DEC_TRUNC, DEC_OK, 100}, /* clamped to 0 */
    {INT64_MAX, 0, DEC_HALF_AWAY, DEC_OK, INT64_MAX - 7},
    {INT64_MAX, 0, DEC_AWAY, DEC_OVERFLOW, 0},
    {INT64_MAX, 0, DEC_TRUNC, DEC_OK, INT64_MAX - 7},
    {INT64_MIN, 1, DEC_FLOOR, DEC_OVERFLOW, 0},
    {INT64_MIN, 1, DEC_CEIL, DEC_OK, INT64_MIN + 8},
};

START_TEST(test_dec_money_round)
{
  dec_money out = 4242;
  dec_status st = dec_money_round(money_round_cases[_i].m, money_round_cases[_i].places,
                                  money_round_cases[_i].mode, &out);
  ck_assert_msg(st == money_round_cases[_i].st, "%lld places %d: status %d",
                (long long)money_round_cases[_i].m, money_round_cases[_i].places, st);
  ck_assert_int_eq(out, st == DEC_OK ? money_round_cases[_i].want : 4242);
}
END_TEST

static const struct {
  dec_money a;
  int64_t b;
  dec_status st;
  dec_money want;
} money_op_cases[] = {
    {1250, 12, DEC_OK, 15000},
    {-1250, 3, DEC_OK, -3750},
    {INT64_MIN, -1, DEC_OVERFLOW, 0},
    {INT64_MIN, 1, DEC_OK, INT64_MIN},
    {INT64_MAX / 2 + 1, 2, DEC_OVERFLOW, 0},
    {4611686018427387904, -2, DEC_OK, INT64_MIN},
};

START_TEST(test_dec_money_mul_int)
{
  dec_money out = 4242;
  dec_status st = DEC_OK;
  dec_money a = money_op_cases[_i].a;
  int64_t b = money_op_cases[_i].b;
  st = dec_money_mul_int(a, b, &out);
  ck_assert_msg(st == money_op_cases[_i].st, "row %d: status %d", _i, st);
  ck_assert_int_eq(out, st == DEC_OK ? money_op_cases[_i].want : 4242);
}
END_TEST

/* ============================================================================================
 * Number arithmetic
 * ========================================================================================== */

enum num_op {
  N_ADD,
  N_SUB,
  N_MUL,
  N_DIV,
  N_NEG,
  N_ABS
};

static const struct {
  enum num_op op;
  int64_t an, ad, bn, bd;
  dec_status st;
  int64_t num, den;
} num_op_cases[] = {
    {N_ADD, 1, 3, 1, 6, DEC_OK, 1, 2},
    {N_ADD, 1, 2, -1, 2, DEC_OK, 0, 1},
    {N_ADD, -7, 10, 1, 5, DEC_OK, -1, 2},
    {N_ADD, INT64_MAX, 1, 1, 1, DEC_OVERFLOW, 0, 0},
    {N_ADD, INT64_MAX, 1, -1, 1, DEC_OK, INT64_MAX - 1, 1},
    {N_ADD, INT64_MIN, 1, INT64_MIN, 1, DEC_OVERFLOW, 0, 0},
    {N_ADD, 1, INT64_MAX, 1, INT64_MAX, DEC_OK, 2, INT64_MAX},
    {N_ADD, 1, INT64_MAX, 1, INT64_MAX - 1, DEC_OVERFLOW, 0, 0},
    {N_ADD, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, DEC_OVERFLOW, 0, 0},
    {N_SUB, 1, 2, 1, 3, DEC_OK, 1, 6},
    {N_SUB, 1, 3, 1, 2, DEC_OK, -1, 6},
    {N_SUB, 0, 1, INT64_MIN, 1, DEC_OVERFLOW, 0, 0},
    {N_SUB, -1, 1, INT64_MAX, 1, DEC_OK, INT64_MIN, 1},
    {N_SUB, INT64_MIN, 1, INT64_MIN, 1, DEC_OK, 0, 1},
    {N_MUL, 2, 3, 3, 4, DEC_OK, 1, 2},
    {N_MUL, -2, 3, 3, 2, DEC_OK, -1, 1},
    {N_MUL, INT64_MIN, 1, -1, 1, DEC_OVERFLOW, 0, 0},
    {N_MUL, INT64_MIN, 3, 3, INT64_MAX, DEC_OK, INT64_MIN,
     INT64_MAX}, /* reduced before narrowing */
    {N_MUL, INT64_MIN, 1, INT64_MIN, 1, DEC_OVERFLOW, 0, 0},
    {N_MUL, 4294967296, 1, 2147483648, 1, DEC_OVERFLOW, 0, 0}, /* 2^63 */
    {N_MUL, 4294967296, 1, -2147483648, 1, DEC_OK, INT64_MIN, 1},
    {N_MUL, INT64_MAX, 1, 0, 1, DEC_OK, 0, 1},
    {N_DIV, 1, 2, 1, 4, DEC_OK, 2, 1},
    {N_DIV, 1, 2, -3, 4, DEC_OK, -2, 3},
    {N_DIV, -1, 2, -3, 4, DEC_OK, 2, 3},
    {N_DIV, 1, 2, 0, 1, DEC_DIV_ZERO, 0, 0},
    {N_DIV, INT64_MIN, 1, -1, 1, DEC_OVERFLOW, 0, 0},
    {N_DIV, INT64_MIN, 1, 1, 1, DEC_OK, INT64_MIN, 1},
    {N_DIV, 2, 1, INT64_MIN, 1, DEC_OK, -1, 4611686018427387904},
    {N_DIV, 1, 1, INT64_MIN, 1, DEC_OVERFLOW, 0, 0}, /* -1/2^63 */
    {N_DIV, 1, 2, INT64_MIN, 1, DEC_OVERFLOW, 0, 0}, /* -1/2^64 */
    {N_DIV, 1, INT64_MAX, 2, 1, DEC_OVERFLOW, 0, 0},
    {N_NEG, 1, 3, 0, 0, DEC_OK, -1, 3},
    {N_NEG, 0, 1, 0, 0, DEC_OK, 0, 1},
    {N_NEG, INT64_MAX, 7, 0, 0, DEC_OK, -INT64_MAX, 7},
    {N_NEG, INT64_MIN, 1, 0, 0, DEC_OVERFLOW, 0, 0},
    {N_ABS, -5, 2, 0, 0, DEC_OK, 5, 2},
    {N_ABS, 5, 2, 0, 0, DEC_OK, 5, 2},
    {N_ABS, INT64_MIN, 3, 0, 0, DEC_OVERFLOW, 0, 0},
};

START_TEST(test_dec_num_ops)
{
  dec_num a = mk(num_op_cases[_i].an, num_op_cases[_i].ad);
  dec_num b = mk(num_op_cases[_i].bn, num_op_cases[_i].bd);
  dec_num out = mk(42, 42);
  dec_status st = DEC_OK;
  switch (num_op_cases[_i].op) {
  case N_ADD: st = dec_num_add(a, b, &out); break;
  case N_SUB: st = dec_num_sub(a, b, &out); break;
  case N_MUL: st = dec_num_mul(a, b, &out); break;
  case N_DIV: st = dec_num_div(a, b, &out); break;
  case N_NEG: st = dec_num_neg(a, &out); break;
  case N_ABS: st = dec_num_abs(a, &out); break;
  }
  ck_assert_msg(st == num_op_cases[_i].st, "row %d: status %d, want %d", _i, st,
                num_op_cases[_i].st);
  if (st == DEC_OK)
    ck_assert_msg(out.num == num_op_cases[_i].num && out.den == num_op_cases[_i].den,
                  "row %d: got %lld/%lld", _i, (long long)out.num, (long long)out.den);
  else
    ck_assert_msg(out.num == 42 && out.den == 42, "row %d: out written on failure", _i);
}
END_TEST

START_TEST(test_dec_num_from)
{
  dec_num x = dec_num_from_int(-7);
  ck_assert(x.num == -7 && x.den == 1);
  x = dec_num_from_int(INT64_MIN);
  ck_assert(x.num == INT64_MIN && x.den == 1);
  x = dec_num_from_money(150);
  ck_assert(x.num == 3 && x.den == 2);
  x = dec_num_from_money(-1600002);
  ck_assert(x.num == -800001 && x.den == 50);
  x = dec_num_from_money(0);
  ck_assert(x.num == 0 && x.den == 1);
  x = dec_num_from_money(INT64_MIN);
  ck_assert(x.num == INT64_MIN / 4 && x.den == 25);
  x = dec_num_from_money(INT64_MAX);
  ck_assert(x.num == INT64_MAX && x.den == 100);
}
END_TEST

/* ============================================================================================
 * Comparison
 * ========================================================================================== */

static const struct {
  const char *a, *b;
  int want;
} num_cmp_cases[] = {
    {"0.02", "2%", 0}, /* incidence 2/100 is exactly the 2% line */
    {"0.0299", "3%", -1},
    {"0.03", "3%", 0},
    {"0.0301", "3%", 1},
    {"1", "100%", 0},
    {"-0.5", "0.25", -1},
    {"-0.5", "-0.75", 1},
    {"9223372036854775807", "9223372036854775806", 1},
    {"0.999999999999999999", "1", -1},
    {"-9223372036854775808", "-9223372036854775807", -1},
    {"0.000000000000000001", "0", 1},
    {"0", "-0", 0},
};

START_TEST(test_dec_num_cmp)
{
  const char *ta = num_cmp_cases[_i].a, *tb = num_cmp_cases[_i].b;
  dec_num a, b;
  ck_assert_int_eq(dec_num_parse(ta, strlen(ta), &a), DEC_OK);
  ck_assert_int_eq(dec_num_parse(tb, strlen(tb), &b), DEC_OK);
  ck_assert_msg(dec_num_cmp(a, b) == num_cmp_cases[_i].want, "%s vs %s", ta, tb);
  ck_assert_msg(dec_num_cmp(b, a) == -num_cmp_cases[_i].want, "%s vs %s", tb, ta);
}
END_TEST

START_TEST(test_dec_num_cmp_extremes)
{
  /* Cross products near 2^126 must not overflow or lose order. */
  dec_num big = mk(INT64_MAX, 1), tiny = mk(1, INT64_MAX), nbig = mk(INT64_MIN, 1);
  dec_num near = mk(INT64_MAX - 1, INT64_MAX), nearer = mk(INT64_MAX - 2, INT64_MAX - 1);
  ck_assert_int_eq(dec_num_cmp(big, tiny), 1);
  ck_assert_int_eq(dec_num_cmp(nbig, big), -1);
  ck_assert_int_eq(dec_num_cmp(nbig, nbig), 0);
  ck_assert_int_eq(dec_num_cmp(near, nearer), 1);
}
END_TEST

/* ============================================================================================
 * Rounding numbers
 * ========================================================================================== */

static const struct {
  int64_t num, den;
  int places;
  dec_round mode;
  dec_status st;
  int64_t rn, rd;
} num_round_cases[] = {
    {1, 3, 2, DEC_HALF_AWAY, DEC_OK, 33, 100},
    {2, 3, 2, DEC_HALF_AWAY, DEC_OK, 67, 100},
    {-2, 3, 2, DEC_HALF_AWAY, DEC_OK, -67, 100},
    {1, 8, 2, DEC_HALF_EVEN, DEC_OK, 3, 25},  /* 0.125 -> 0.12 */
    {3, 8, 2, DEC_HALF_EVEN, DEC_OK, 19, 50}, /* 0.375 -> 0.38 */
    {1, 8, 2, DEC_HALF_AWAY, DEC_OK, 13, 100},
    {-1, 8, 2, DEC_HALF_DOWN, DEC_OK, -3, 25},
    {5, 2, 0, DEC_HALF_AWAY, DEC_OK, 3, 1},
    {1, 2, 5, DEC_TRUNC, DEC_OK, 1, 2},
    {1, 3, 18, DEC_FLOOR, DEC_OK, 333333333333333333, 1000000000000000000},
    {1, 3, 40, DEC_FLOOR, DEC_OK, 333333333333333333, 1000000000000000000}, /* clamped */
    {INT64_MAX, 2, 0, DEC_HALF_AWAY, DEC_OK, 4611686018427387904, 1},
    {INT64_MAX, 1, 18, DEC_HALF_AWAY, DEC_OK, INT64_MAX, 1},
    {INT64_MIN, 1, 18, DEC_HALF_AWAY, DEC_OK, INT64_MIN, 1},
    {INT64_MAX - 1, INT64_MAX, 18, DEC_HALF_AWAY, DEC_OK, 1, 1},
    {-1, 1000, 2, DEC_HALF_AWAY, DEC_OK, 0, 1},
};

START_TEST(test_dec_num_round)
{
  dec_num out = mk(42, 42);
  dec_status st = dec_num_round(mk(num_round_cases[_i].num, num_round_cases[_i].den),
                                num_round_cases[_i].places, num_round_cases[_i].mode, &out);
  ck_assert_msg(st == num_round_cases[_i].st, "row %d: status %d", _i, st);
  ck_assert_msg(out.num == num_round_cases[_i].rn && out.den == num_round_cases[_i].rd,
                "row %d: got %lld/%lld", _i, (long long)out.num, (long long)out.den);
}
END_TEST

static const struct {
  int64_t num, den;
  dec_round mode;
  dec_status st;
  int64_t fen; /* what dec_num_to_money gives; -1 when it overflows */
} num_convert_cases[] = {
    {800001, 200, DEC_HALF_AWAY, DEC_OK, 400001}, /* 4000.005 */
    {-800001, 200, DEC_HALF_AWAY, DEC_OK, -400001},
    {800001, 200, DEC_HALF_EVEN, DEC_OK, 400000},
    {1, 3, DEC_CEIL, DEC_OK, 34},
    {-1, 3, DEC_FLOOR, DEC_OK, -34},
    {-1, 3, DEC_CEIL, DEC_OK, -33},
    {INT64_MAX, 100, DEC_HALF_AWAY, DEC_OK, INT64_MAX},
    {INT64_MIN / 4, 25, DEC_HALF_AWAY, DEC_OK, INT64_MIN},
    {INT64_MAX, 1, DEC_HALF_AWAY, DEC_OVERFLOW, -1},
    {INT64_MIN, 1, DEC_HALF_AWAY, DEC_OVERFLOW, -1},
};

START_TEST(test_dec_num_convert)
{
  dec_num x = mk(num_convert_cases[_i].num, num_convert_cases[_i].den);
  dec_round mode = num_convert_cases[_i].mode;
  dec_money fen = 4242;
  dec_status st = dec_num_to_money(x, mode, &fen);
  ck_assert_msg(st == num_convert_cases[_i].st, "row %d: to_money status %d", _i, st);
  ck_assert_int_eq(fen, st == DEC_OK ? num_convert_cases[_i].fen : 4242);
}
END_TEST

START_TEST(test_dec_num_to_money_rounding_edge)
{
  /* x is INT64_MAX fen plus 7/99 of a fen: the integer part fits, rounding away does not. */
  dec_num x = mk(9131138316486228049, 99);
  dec_money m = 4242;
  ck_assert_int_eq(dec_num_to_money(x, DEC_TRUNC, &m), DEC_OK);
  ck_assert_int_eq(m, INT64_MAX);
  ck_assert_int_eq(dec_num_to_money(x, DEC_HALF_AWAY, &m), DEC_OK);
  ck_assert_int_eq(m, INT64_MAX);
  ck_assert_int_eq(dec_num_to_money(x, DEC_AWAY, &m), DEC_OVERFLOW);
  ck_assert_int_eq(dec_num_to_money(x, DEC_CEIL, &m), DEC_OVERFLOW);
  ck_assert_int_eq(m, INT64_MAX);
}
END_TEST

/* ============================================================================================
 * Suite
 * ========================================================================================== */

static Suite *decimal_suite(void)
{
  Suite *s = suite_create("decimal");

  TCase *tc = tcase_create("parse");
  tcase_add_loop_test(tc, test_dec_money_parse, 0, N_ELEMS(money_parse_cases));
  tcase_add_test(tc, test_dec_money_parse_not_nul_terminated);
  tcase_add_loop_test(tc, test_dec_num_parse, 0, N_ELEMS(num_parse_cases));
  tcase_add_loop_test(tc, test_dec_int_parse, 0, N_ELEMS(int_parse_cases));
  suite_add_tcase(s, tc);

  tc = tcase_create("names");
  tcase_add_loop_test(tc, test_dec_round_parse, 0, N_ELEMS(round_name_cases));
  tcase_add_test(tc, test_dec_round_parse_span);
  suite_add_tcase(s, tc);

  tc = tcase_create("format");
  tcase_add_loop_test(tc, test_dec_money_format, 0, N_ELEMS(money_fmt_cases));
  tcase_add_test(tc, test_dec_money_format_roundtrip);
  tcase_add_loop_test(tc, test_dec_num_format, 0, N_ELEMS(num_fmt_cases));
  suite_add_tcase(s, tc);

  tc = tcase_create("rounding");
  tcase_add_loop_test(tc, test_dec_round_modes, 0, N_ELEMS(round_mode_cases));
  tcase_add_loop_test(tc, test_dec_num_round, 0, N_ELEMS(num_round_cases));
  tcase_add_loop_test(tc, test_dec_num_convert, 0, N_ELEMS(num_convert_cases));
  tcase_add_test(tc, test_dec_num_to_money_rounding_edge);
  suite_add_tcase(s, tc);

  tc = tcase_create("money");
  tcase_add_loop_test(tc, test_dec_money_div_int, 0, N_ELEMS(money_div_cases));
  tcase_add_test(tc, test_dec_money_div_policy_text);
  tcase_add_loop_test(tc, test_dec_money_round, 0, N_ELEMS(money_round_cases));
  tcase_add_loop_test(tc, test_dec_money_mul_int, 0, N_ELEMS(money_op_cases));
  suite_add_tcase(s, tc);

  tc = tcase_create("number");
  tcase_add_loop_test(tc, test_dec_num_ops, 0, N_ELEMS(num_op_cases));
  tcase_add_test(tc, test_dec_num_from);
  tcase_add_loop_test(tc, test_dec_num_cmp, 0, N_ELEMS(num_cmp_cases));
  tcase_add_test(tc, test_dec_num_cmp_extremes);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(decimal_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
