/*
 * decimal.c - exact decimal arithmetic and rounding (money in fen, numbers as int64
 * fractions).
 *
 * Place in the pipeline: a leaf module under the lexer, record readers, checker, VM and
 * writers; see decimal.h for the contract. Every intermediate that could exceed int64 is done
 * in 128 bits: the product of two int64 values always fits a signed __int128, so cross
 * multiplication and comparison are exact, and results are reduced by their gcd before being
 * narrowed back, so DEC_OVERFLOW is reported only when the true result does not fit.
 */
#include "decimal.h"

#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* 10^38 is the largest power of ten below 2^128; the parser bounds its scale by it. */
#define MAX_POW10_U128 38

/* ============================================================================================
 * Status and mode names
 * ========================================================================================== */

/* One table serves both directions so the names cannot drift apart. */
static const struct {
  const char *name;
  dec_round mode;
} round_names[] = {
    {"half_away", DEC_HALF_AWAY},
    {"half_even", DEC_HALF_EVEN},
    {"half_down", DEC_HALF_DOWN},
    {"down", DEC_TRUNC},
    {"up", DEC_AWAY},
    {"floor", DEC_FLOOR},
    {"ceiling", DEC_CEIL},
};

bool dec_round_parse(const char *name, size_t n, dec_round *out)
{
  if (name == NULL)
    return false;
  for (size_t i = 0; i < sizeof round_names / sizeof round_names[0]; i++) {
    if (strlen(round_names[i].name) == n && memcmp(round_names[i].name, name, n) == 0) {
      *out = round_names[i].mode;
      return true;
    }
  }
  return false;
}

const char *dec_round_name(dec_round mode)
{
  for (size_t i = 0; i < sizeof round_names / sizeof round_names[0]; i++) {
    if (round_names[i].mode == mode)
      return round_names[i].name;
  }
  return "?";
}

/* ============================================================================================
 * 128-bit helpers
 * ========================================================================================== */

static u128 pow10_u128(int k)
{
  u128 p = 1;
  for (int i = 0; i < k; i++)
    p *= 10;
  return p;
}

/* Magnitude without the UB of negating the most negative value. */
static u128 mag128(i128 v)
{
  return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

static u128 gcd128(u128 a, u128 b)
{
  while (b != 0) {
    u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int clamp_places(int places, int hi)
{
  return places < 0 ? 0 : places > hi ? hi : places;
}

/* Reduce sign*n/d (d > 0) and narrow it into *out; the single place where a rational result is
 * checked against int64, so every operation overflows under the same rule. */
static dec_status narrow(bool neg, u128 n, u128 d, dec_num *out)
{
  if (n == 0) {
    out->num = 0;
    out->den = 1;
    return DEC_OK;
  }
  u128 g = gcd128(n, d);
  n /= g;
  d /= g;
  if (d > (u128)INT64_MAX)
    return DEC_OVERFLOW;
  if (neg) {
    if (n > (u128)INT64_MAX + 1)
      return DEC_OVERFLOW;
    /* n - 1 fits int64, so this spells -n without overflowing at INT64_MIN. */
    out->num = -(int64_t)(n - 1) - 1;
  } else {
    if (n > (u128)INT64_MAX)
      return DEC_OVERFLOW;
    out->num = (int64_t)n;
  }
  out->den = (int64_t)d;
  return DEC_OK;
}

/* n/d as a normalised number; d != 0. */
static dec_status make_num(i128 n, i128 d, dec_num *out)
{
  return narrow((n < 0) != (d < 0), mag128(n), mag128(d), out);
}

/* n / d rounded to an integer with `mode`. Requires d > 0 and |n| well inside i128 (callers'
 * operands are at most about 2^126), so q +/- 1 cannot overflow. */
static i128 div_round(i128 n, i128 d, dec_round mode)
{
  i128 q = n / d; /* C truncates toward zero */
  i128 r = n % d; /* same sign as n */
  if (r == 0)
    return q;
  int sign = n < 0 ? -1 : 1;
  u128 twice_r = mag128(r) * 2; /* |r| < d, so this fits */
  u128 ud = (u128)d;
  /* DEC_HALF_AWAY's answer doubles as the policy default should a corrupt mode arrive. */
  bool away = twice_r >= ud;
  switch (mode) {
  case DEC_HALF_AWAY: break;
  case DEC_HALF_EVEN: away = twice_r > ud || (twice_r == ud && (q & 1) != 0); break;
  case DEC_HALF_DOWN: away = twice_r > ud; break;
  case DEC_TRUNC: away = false; break;
  case DEC_AWAY: away = true; break;
  case DEC_FLOOR: away = sign < 0; break;
  case DEC_CEIL: away = sign > 0; break;
  }
  return away ? q + sign : q;
}

static bool fits_int64(i128 v)
{
  return v >= INT64_MIN && v <= INT64_MAX;
}

/* ============================================================================================
 * Parsing
 * ========================================================================================== */

/* Spans of one literal, [+-]? int ('.' frac)? '%'?, found before any value is computed so that
 * a syntax error always wins over overflow or precision. */
typedef struct {
  bool neg;      /* a leading '-' */
  size_t ib, ie; /* integer digits [ib, ie) */
  size_t fb, fe; /* fraction digits [fb, fe); empty without a '.' */
  bool pct;      /* a trailing '%' */
} lit_spans;

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static dec_status scan_literal(const char *s, size_t n, bool allow_frac, bool allow_pct,
                               lit_spans *sp)
{
  size_t i = 0;
  if (s == NULL || n == 0)
    return DEC_SYNTAX;
  sp->neg = false;
  sp->pct = false;
  if (s[0] == '-' || s[0] == '+') {
    sp->neg = s[0] == '-';
    i++;
  }
  sp->ib = i;
  while (i < n && is_digit(s[i]))
    i++;
  sp->ie = i;
  if (sp->ie == sp->ib)
    return DEC_SYNTAX;
  sp->fb = sp->fe = i;
  if (allow_frac && i < n && s[i] == '.') {
    i++;
    sp->fb = i;
    while (i < n && is_digit(s[i]))
      i++;
    sp->fe = i;
    if (sp->fe == sp->fb)
      return DEC_SYNTAX;
  }
  if (allow_pct && i < n && s[i] == '%') {
    sp->pct = true;
    i++;
  }
  return i == n ? DEC_OK : DEC_SYNTAX;
}

/* Accumulate digits as a negative int64, the side with room for INT64_MIN, then flip. */
static dec_status acc_digit(int64_t *acc, char c)
{
  if (__builtin_mul_overflow(*acc, 10, acc) || __builtin_sub_overflow(*acc, c - '0', acc))
    return DEC_OVERFLOW;
  return DEC_OK;
}

static dec_status finish_neg_acc(int64_t acc, bool neg, int64_t *out)
{
  if (!neg) {
    if (acc == INT64_MIN)
      return DEC_OVERFLOW;
    acc = -acc;
  }
  *out = acc;
  return DEC_OK;
}

/* The common shapes, "1234", "-56", "1234.5", "1234.56", with at most 15 integer digits (so
 * nothing can overflow), parsed in one pass; false sends anything else to the full parser.
 * Registers have millions of such values, and this is most of the cost of reading them. */
static bool fast_fixed(const char *s, size_t n, int places, int64_t *out)
{
  size_t i = 0, digits = 0;
  bool neg = false;
  int64_t v = 0;
  if (n > 0 && s[0] == '-') {
    neg = true;
    i = 1;
  }
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    if (++digits > 15)
      return false; /* stop before anything can overflow: the full parser decides */
    v = v * 10 + (s[i] - '0');
  }
  if (digits == 0)
    return false;
  int frac = 0;
  if (i < n) {
    if (s[i] != '.' || places == 0)
      return false;
    for (i++; i < n && frac < places && s[i] >= '0' && s[i] <= '9'; i++, frac++)
      v = v * 10 + (s[i] - '0');
    if (i != n || frac == 0)
      return false;
  }
  for (; frac < places; frac++)
    v *= 10;
  *out = neg ? -v : v;
  return true;
}

dec_status dec_money_parse(const char *s, size_t n, dec_money *out)
{
  if (fast_fixed(s, n, 2, out))
    return DEC_OK;
  lit_spans sp;
  dec_status st = scan_literal(s, n, true, false, &sp);
  if (st != DEC_OK)
    return st;
  /* The standard's "at most two decimals" is about what is written: "1.500" has three and
   * is refused like "1.505", not read as 1.50 (nothing is coerced). */
  if (sp.fe - sp.fb > 2)
    return DEC_TOO_PRECISE;
  int64_t acc = 0;
  for (size_t i = sp.ib; i < sp.ie; i++) {
    if (acc_digit(&acc, s[i]) != DEC_OK)
      return DEC_OVERFLOW;
  }
  /* Exactly two fen digits, padding "0.5" to 50 fen. */
  for (size_t k = 0; k < 2; k++) {
    char c = sp.fb + k < sp.fe ? s[sp.fb + k] : '0';
    if (acc_digit(&acc, c) != DEC_OK)
      return DEC_OVERFLOW;
  }
  return finish_neg_acc(acc, sp.neg, out);
}

/* mag = mag * 10^(e-b) + digits s[b, e), unsigned so that 38 significant digits fit. */
static dec_status acc_digits_u128(u128 *mag, const char *s, size_t b, size_t e)
{
  const u128 limit = ~(u128)0;
  for (size_t i = b; i < e; i++) {
    unsigned d = (unsigned)(s[i] - '0');
    if (*mag > (limit - d) / 10)
      return DEC_OVERFLOW;
    *mag = *mag * 10 + d;
  }
  return DEC_OK;
}

dec_status dec_num_parse(const char *s, size_t n, dec_num *out)
{
  lit_spans sp;
  dec_status st = scan_literal(s, n, true, true, &sp);
  if (st != DEC_OK)
    return st;
  /* Trailing fraction zeros change nothing but the scale; dropping them keeps "0.5000...0"
   * from overflowing the accumulator. */
  while (sp.fe > sp.fb && s[sp.fe - 1] == '0')
    sp.fe--;
  u128 mag = 0;
  if (acc_digits_u128(&mag, s, sp.ib, sp.ie) != DEC_OK ||
      acc_digits_u128(&mag, s, sp.fb, sp.fe) != DEC_OK)
    return DEC_OVERFLOW;
  size_t scale = (sp.fe - sp.fb) + (sp.pct ? 2 : 0);
  if (mag == 0)
    return narrow(false, 0, 1, out);
  if (scale > MAX_POW10_U128)
    return DEC_OVERFLOW;
  return narrow(sp.neg, mag, pow10_u128((int)scale), out);
}

dec_status dec_int_parse(const char *s, size_t n, int64_t *out)
{
  if (fast_fixed(s, n, 0, out))
    return DEC_OK;
  lit_spans sp;
  dec_status st = scan_literal(s, n, false, false, &sp);
  if (st != DEC_OK)
    return st;
  int64_t acc = 0;
  for (size_t i = sp.ib; i < sp.ie; i++) {
    if (acc_digit(&acc, s[i]) != DEC_OK)
      return DEC_OVERFLOW;
  }
  return finish_neg_acc(acc, sp.neg, out);
}

/* ============================================================================================
 * Formatting
 * ========================================================================================== */

/* Write v / 10^places with exactly `places` decimals, then `suffix` if not NUL. |v| < 2^127
 * has at most 39 digits, so with sign, point, suffix and NUL this needs at most 43 bytes. */
static size_t fmt_scaled(i128 v, int places, char suffix, char *buf)
{
  char digits[48]; /* least significant first */
  int nd = 0;
  u128 m = mag128(v);
  if (m <= UINT64_MAX) {
    /* the common case, money among it: 64-bit division is many times cheaper than 128-bit */
    uint64_t s = (uint64_t)m;
    do {
      digits[nd++] = (char)('0' + (int)(s % 10));
      s /= 10;
    } while (s != 0);
  } else {
    do {
      digits[nd++] = (char)('0' + (int)(m % 10));
      m /= 10;
    } while (m != 0);
  }
  while (nd < places + 1)
    digits[nd++] = '0';
  size_t len = 0;
  if (v < 0)
    buf[len++] = '-';
  for (int i = nd - 1; i >= 0; i--) {
    if (i == places - 1)
      buf[len++] = '.';
    buf[len++] = digits[i];
  }
  if (suffix != '\0')
    buf[len++] = suffix;
  buf[len] = '\0';
  return len;
}

size_t dec_money_format(dec_money m, char buf[static DEC_FMT_MAX])
{
  return fmt_scaled(m, 2, '\0', buf);
}

size_t dec_num_format(dec_num x, int places, dec_round mode, char buf[static DEC_FMT_MAX])
{
  places = clamp_places(places, DEC_MAX_PLACES);
  i128 v = div_round((i128)x.num * (i128)pow10_u128(places), x.den, mode);
  return fmt_scaled(v, places, '\0', buf);
}

size_t dec_num_format_percent(dec_num x, int places, dec_round mode, char buf[static DEC_FMT_MAX])
{
  places = clamp_places(places, DEC_MAX_PLACES - 2);
  i128 v = div_round((i128)x.num * (i128)pow10_u128(places + 2), x.den, mode);
  return fmt_scaled(v, places, '%', buf);
}

size_t dec_num_format_exact(dec_num x, int maxplaces, char buf[static DEC_FMT_MAX])
{
  /* A terminating decimal with p <= maxplaces places survives rounding to maxplaces
   * unchanged, so trimming zeros afterwards yields exactly its shortest form; only values
   * that do not terminate in time are actually rounded. */
  size_t len = dec_num_format(x, maxplaces, DEC_HALF_AWAY, buf);
  if (memchr(buf, '.', len) == NULL)
    return len;
  while (buf[len - 1] == '0')
    len--;
  if (buf[len - 1] == '.')
    len--;
  buf[len] = '\0';
  return len;
}

/* ============================================================================================
 * Money arithmetic
 * ========================================================================================== */

dec_status dec_money_mul_int(dec_money m, int64_t k, dec_money *out)
{
  dec_money r;
  if (__builtin_mul_overflow(m, k, &r))
    return DEC_OVERFLOW;
  *out = r;
  return DEC_OK;
}

dec_status dec_money_div_int(dec_money m, int64_t k, dec_round mode, dec_money *out)
{
  if (k == 0)
    return DEC_DIV_ZERO;
  i128 n = m, d = k;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  i128 q = div_round(n, d, mode);
  if (!fits_int64(q))
    return DEC_OVERFLOW;
  *out = (dec_money)q;
  return DEC_OK;
}

dec_status dec_money_round(dec_money m, int places, dec_round mode, dec_money *out)
{
  places = clamp_places(places, 2);
  i128 unit = (i128)pow10_u128(2 - places);
  i128 q = div_round(m, unit, mode) * unit;
  if (!fits_int64(q))
    return DEC_OVERFLOW;
  *out = (dec_money)q;
  return DEC_OK;
}

/* ============================================================================================
 * Number arithmetic
 * ========================================================================================== */
/* Bounds: each cross product is below 2^126 in magnitude, so a sum of two is below 2^127 and
 * fits i128; products of denominators are below 2^126. */

dec_num dec_num_from_int(int64_t k)
{
  dec_num r = {k, 1};
  return r;
}

dec_num dec_num_from_money(dec_money m)
{
  dec_num r;
  /* Cannot fail: reducing m/100 only shrinks both parts. */
  (void)make_num(m, 100, &r);
  return r;
}

dec_status dec_num_add(dec_num a, dec_num b, dec_num *out)
{
  return make_num((i128)a.num * b.den + (i128)b.num * a.den, (i128)a.den * b.den, out);
}

dec_status dec_num_sub(dec_num a, dec_num b, dec_num *out)
{
  return make_num((i128)a.num * b.den - (i128)b.num * a.den, (i128)a.den * b.den, out);
}

dec_status dec_num_mul(dec_num a, dec_num b, dec_num *out)
{
  return make_num((i128)a.num * b.num, (i128)a.den * b.den, out);
}

dec_status dec_num_div(dec_num a, dec_num b, dec_num *out)
{
  if (b.num == 0)
    return DEC_DIV_ZERO;
  return make_num((i128)a.num * b.den, (i128)a.den * b.num, out);
}

dec_status dec_num_neg(dec_num a, dec_num *out)
{
  if (a.num == INT64_MIN)
    return DEC_OVERFLOW;
  out->num = -a.num;
  out->den = a.den;
  return DEC_OK;
}

dec_status dec_num_abs(dec_num a, dec_num *out)
{
  if (a.num == INT64_MIN)
    return DEC_OVERFLOW;
  out->num = a.num < 0 ? -a.num : a.num;
  out->den = a.den;
  return DEC_OK;
}

static int cmp128(i128 l, i128 r)
{
  return (l > r) - (l < r);
}

int dec_num_cmp(dec_num a, dec_num b)
{
  return cmp128((i128)a.num * b.den, (i128)b.num * a.den);
}

/* ============================================================================================
 * Rounding and conversion
 * ========================================================================================== */

dec_status dec_num_round(dec_num x, int places, dec_round mode, dec_num *out)
{
  places = clamp_places(places, DEC_MAX_PLACES);
  i128 scale = (i128)pow10_u128(places);
  return make_num(div_round((i128)x.num * scale, x.den, mode), scale, out);
}

dec_status dec_num_to_money(dec_num x, dec_round mode, dec_money *out)
{
  i128 q = div_round((i128)x.num * 100, x.den, mode);
  if (!fits_int64(q))
    return DEC_OVERFLOW;
  *out = (dec_money)q;
  return DEC_OK;
}
