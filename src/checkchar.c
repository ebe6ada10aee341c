/*
 * checkchar.c - ISO 7064 MOD 11-2 and Luhn check characters.
 *
 * Place in the pipeline: used by record validation and by rule predicates to verify
 * identification numbers before any rule relies on them. See checkchar.h.
 */
#include "checkchar.h"

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* ------------------------------------------------------------------------------------------
 * ISO 7064 MOD 11-2
 *
 * With the check character at position 1 and digit a_i at position i (counted from the
 * right), the weights are w_i = 2^(i-1) mod 11 and a valid string satisfies
 * sum(a_i * w_i) == 1 (mod 11). So the check value is (12 - sum mod 11) mod 11 over the
 * digits alone, the 18-digit ID's weights being 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
 * Horner's rule computes the same sum one digit at a time from the left, p = (p + d) * 2
 * mod 11, which needs no weight table and works for any length.
 * ---------------------------------------------------------------------------------------- */

char checkchar_iso7064_mod11_2_compute(const char *digits, size_t n)
{
  unsigned p = 0;
  if (n == 0)
    return '\0';
  /* p only needs to be right modulo 11: reduce it when it grows large, not every digit (an
   * identity number is checked on every record of a register) */
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(digits[i]))
      return '\0';
    p = (p + (unsigned)(digits[i] - '0')) * 2;
    if (p >= 1u << 28)
      p %= 11;
  }
  p %= 11;
  unsigned check = (12 - p) % 11;
  return check == 10 ? 'X' : (char)('0' + check);
}

bool checkchar_iso7064_mod11_2(const char *s, size_t len)
{
  if (len < 2)
    return false;
  char want = checkchar_iso7064_mod11_2_compute(s, len - 1);
  /* Only upper-case 'X': GB 11643-1999 prints the value 10 as the Roman numeral X, and the
     identity card and the national population register always carry it upper-case. A
     lower-case 'x' in a record is a transcription error that should be corrected at the
     source, not silently accepted, or the same person would have two different IDs. */
  return want != '\0' && s[len - 1] == want;
}

/* ------------------------------------------------------------------------------------------
 * Luhn: from the right, every second digit of the payload (starting with the rightmost
 * payload digit) is doubled, with 9 subtracted from a two-digit product, and the check digit
 * makes the total a multiple of 10.
 * ---------------------------------------------------------------------------------------- */

/* Luhn sum mod 10 of the n digits at s, the rightmost of which is doubled when
   `double_last` is set; -1 when a character is not a digit. */
static int luhn_sum(const char *s, size_t n, bool double_last)
{
  unsigned sum = 0;
  bool dbl = double_last;
  for (size_t i = n; i-- > 0;) {
    if (!is_digit(s[i]))
      return -1;
    unsigned d = (unsigned)(s[i] - '0');
    if (dbl) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum = (sum + d) % 10;
    dbl = !dbl;
  }
  return (int)sum;
}

char checkchar_luhn_compute(const char *digits, size_t n)
{
  if (n == 0)
    return '\0';
  int sum = luhn_sum(digits, n, true);
  if (sum < 0)
    return '\0';
  return (char)('0' + (10 - sum) % 10);
}

bool checkchar_luhn(const char *s, size_t len)
{
  if (len < 2)
    return false;
  return luhn_sum(s, len, false) == 0;
}
