/*
 * decimal.h - exact decimal arithmetic and rounding for elig.
 *
 * Place in the pipeline: used by every stage that touches a value. The lexer and the record
 * readers parse literals and fields with dec_*_parse, the checker folds constants, the VM
 * evaluates money and number expressions, and the writers and `explain` format results. Policy
 * texts state amounts in fen and thresholds as exact fractions (doc/national-standard.md,
 * section 2: 16000.02 / 4 = 4000.005 -> 4000.01), so nothing here ever uses binary floating
 * point, strtod or the locale.
 *
 * Two value kinds:
 *   dec_money  a count of fen (1/100 yuan) in an int64_t;
 *   dec_num    an exact rational num/den with int64_t parts, always normalised: den > 0,
 *              gcd(|num|, den) == 1, zero is 0/1. Percentages are numbers (3% == 3/100).
 *
 * Every fallible operation returns a dec_status and writes its result through the last
 * (out) pointer only on success; on failure *out is left untouched. Overflow is always
 * detected and reported as DEC_OVERFLOW, never wrapped. All functions are pure: no global
 * state, no allocation, safe from any thread.
 */
#ifndef ELIG_DECIMAL_H
#define ELIG_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t dec_money; /* fen; 100 == one yuan */

typedef struct {
  int64_t num; /* numerator, carries the sign */
  int64_t den; /* denominator, > 0, coprime with num */
} dec_num;

typedef enum {
  DEC_OK = 0,
  DEC_OVERFLOW,   /* result does not fit the representation */
  DEC_DIV_ZERO,   /* divisor was zero */
  DEC_SYNTAX,     /* text is not a decimal literal of the accepted form */
  DEC_TOO_PRECISE /* money text has significant digits beyond the fen */
} dec_status;

typedef enum {
  DEC_HALF_AWAY, /* ties away from zero: policy default, 2.5 -> 3, -2.5 -> -3 */
  DEC_HALF_EVEN, /* ties to even (banker's): 2.5 -> 2, 3.5 -> 4 */
  DEC_HALF_DOWN, /* ties toward zero: 2.5 -> 2, -2.5 -> -2 */
  DEC_TRUNC,     /* toward zero ("down") */
  DEC_AWAY,      /* away from zero ("up") */
  DEC_FLOOR,     /* toward -infinity */
  DEC_CEIL       /* toward +infinity ("ceiling") */
} dec_round;

/* Minimum size of every buffer given to a dec_*_format function, NUL included. The longest
 * output is a sign, 39 digits, a point and a '%'. */
#define DEC_FMT_MAX 48

/* Highest `places` accepted by dec_num_format, dec_num_format_exact and dec_num_round;
 * dec_num_format_percent accepts two fewer because it also scales by 100. */
#define DEC_MAX_PLACES 18

/* --- status and rounding-mode names ------------------------------------------------------ */

/* Map a rounding-mode name as written in rule files to a mode. `name` need not be
 * NUL-terminated; `n` is its length. Accepted (case-sensitive): "half_away", "half_even",
 * "half_down", "down" (toward zero), "up" (away from zero), "floor", "ceiling". Returns true
 * and sets *out on a match; returns false and leaves *out untouched otherwise. */
bool dec_round_parse(const char *name, size_t n, dec_round *out);

/* The rule-file name of a mode (the inverse of dec_round_parse), for dumps and messages.
 * Static string; an unknown value gives "?". */
const char *dec_round_name(dec_round mode);

/* --- parsing ------------------------------------------------------------------------------ */
/* All parsers read exactly n bytes of s (not NUL-terminated; s may be NULL when n == 0). The
 * accepted syntax is ASCII only and locale independent:
 *     [+-]? DIGIT+ ( '.' DIGIT+ )?
 * No spaces, exponents, thousands separators, leading '.' or trailing '.'. Anything else is
 * DEC_SYNTAX, which takes priority over the other errors. */

/* Parse money in yuan: "12", "-0.5", "+3.10", "16000.02". More than two decimals written
 * ("1.505", and also "1.500") gives DEC_TOO_PRECISE. A value outside
 * int64 fen gives DEC_OVERFLOW ("-92233720368547758.08" is INT64_MIN and fits). */
dec_status dec_money_parse(const char *s, size_t n, dec_money *out);

/* Parse an exact number with any number of decimals, optionally followed by '%' meaning
 * "divided by 100": "0.125" -> 1/8, "-2.50" -> -5/2, "2.5%" -> 1/40. DEC_OVERFLOW if the
 * reduced fraction does not fit int64 parts, or the literal has more than 38 significant
 * digits or 38 decimal places (after dropping trailing zeros), which no int64 fraction that
 * matters to policy needs. */
dec_status dec_num_parse(const char *s, size_t n, dec_num *out);

/* Parse an integer: [+-]? DIGIT+, in int64 range, else DEC_SYNTAX / DEC_OVERFLOW. */
dec_status dec_int_parse(const char *s, size_t n, int64_t *out);

/* --- formatting --------------------------------------------------------------------------- */
/* Each writes a NUL-terminated string into buf, which the caller owns and which must hold at
 * least DEC_FMT_MAX bytes, and returns its length (without the NUL). They cannot fail. A value
 * that rounds to zero is written without a minus sign. */

/* Money in yuan with exactly two decimals: "-0.50", "4000.01", "0.00". Any int64 works. */
size_t dec_money_format(dec_money m, char buf[static DEC_FMT_MAX]);

/* x rounded with `mode` to `places` decimals and written with exactly that many: 1/2 with 2
 * places -> "0.50", with 0 places and half_away -> "1". places is clamped to
 * 0..DEC_MAX_PLACES. */
size_t dec_num_format(dec_num x, int places, dec_round mode, char buf[static DEC_FMT_MAX]);

/* x * 100 rounded with `mode` to `places` decimals, then '%': 1/40 with 2 places ->
 * "2.50%". places is clamped to 0..DEC_MAX_PLACES-2. */
size_t dec_num_format_percent(dec_num x, int places, dec_round mode, char buf[static DEC_FMT_MAX]);

/* The shortest exact decimal for x if one exists with at most maxplaces decimals ("0.125",
 * "2", "-1.5"); otherwise x rounded half away from zero to maxplaces decimals with trailing
 * zeros dropped (1/3 with 10 -> "0.3333333333", 2/3 with 2 -> "0.67", 1/1000 with 2 -> "0").
 * maxplaces is clamped to 0..DEC_MAX_PLACES. */
size_t dec_num_format_exact(dec_num x, int maxplaces, char buf[static DEC_FMT_MAX]);

/* --- money arithmetic --------------------------------------------------------------------- */

/* *out = m * k, or DEC_OVERFLOW. */
dec_status dec_money_mul_int(dec_money m, int64_t k, dec_money *out);

/* *out = m / k rounded to the fen with `mode` (per-capita income: 16000.02 / 4 = 4000.005 ->
 * 4000.01 with DEC_HALF_AWAY). DEC_DIV_ZERO if k == 0; DEC_OVERFLOW if the quotient does not
 * fit (INT64_MIN / -1). */
dec_status dec_money_div_int(dec_money m, int64_t k, dec_round mode, dec_money *out);

/* *out = m rounded with `mode` to `places` decimals of a yuan (0: whole yuan, 1: jiao, 2: no
 * change). places is clamped to 0..2. DEC_OVERFLOW if rounding leaves the int64 range. */
dec_status dec_money_round(dec_money m, int places, dec_round mode, dec_money *out);

/* --- number arithmetic -------------------------------------------------------------------- */
/* Intermediates are 128-bit and reduced before narrowing, so DEC_OVERFLOW means the exact
 * reduced result itself does not fit int64 parts. Arguments must be normalised dec_num values
 * (as produced by this module). */

/* k as a number (k/1). */
dec_num dec_num_from_int(int64_t k);

/* m fen as a number of yuan (m/100, reduced): 150 fen -> 3/2. */
dec_num dec_num_from_money(dec_money m);

/* *out = a + b. */
dec_status dec_num_add(dec_num a, dec_num b, dec_num *out);

/* *out = a - b. */
dec_status dec_num_sub(dec_num a, dec_num b, dec_num *out);

/* *out = a * b. */
dec_status dec_num_mul(dec_num a, dec_num b, dec_num *out);

/* *out = a / b; DEC_DIV_ZERO if b is zero. */
dec_status dec_num_div(dec_num a, dec_num b, dec_num *out);

/* *out = -a; DEC_OVERFLOW only for num == INT64_MIN. */
dec_status dec_num_neg(dec_num a, dec_num *out);

/* *out = |a|; DEC_OVERFLOW only for num == INT64_MIN. */
dec_status dec_num_abs(dec_num a, dec_num *out);

/* -1, 0 or 1 as a <, ==, > b. Exact (128-bit cross products) and total. */
int dec_num_cmp(dec_num a, dec_num b);

/* --- rounding and conversion -------------------------------------------------------------- */

/* *out = x rounded with `mode` to `places` decimals (clamped to 0..DEC_MAX_PLACES), as a
 * number. DEC_OVERFLOW if the rounded value does not fit. */
dec_status dec_num_round(dec_num x, int places, dec_round mode, dec_num *out);

/* *out = x yuan rounded with `mode` to the fen. DEC_OVERFLOW if out of int64 fen. */
dec_status dec_num_to_money(dec_num x, dec_round mode, dec_money *out);

#endif /* ELIG_DECIMAL_H */
