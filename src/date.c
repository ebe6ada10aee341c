/*
 * date.c -- civil dates <-> day numbers, after Howard Hinnant's public-domain algorithms
 * ("chrono-compatible low-level date algorithms"), which need no tables and no libc time
 * functions (so no time zone or locale can change a result).
 */
#include <stdio.h>

#include "date.h"

int32_t date_from_civil(int32_t y, int32_t m, int32_t d)
{
  y -= m <= 2;
  int32_t era = (y >= 0 ? y : y - 399) / 400;
  int32_t yoe = y - era * 400;
  int32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void date_to_civil(int32_t z, int32_t *y, int32_t *m, int32_t *d)
{
  z += 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int32_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int32_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_parse(const char *s, size_t n, int32_t *days)
{
  static const int8_t mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (n != 10 || s[4] != '-' || s[7] != '-')
    return false;
  int32_t v[3] = {0, 0, 0};
  static const int8_t from[] = {0, 5, 8}, len[] = {4, 2, 2};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < len[k]; i++) {
      char c = s[from[k] + i];
      if (c < '0' || c > '9')
        return false;
      v[k] = v[k] * 10 + (c - '0');
    }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1])
    return false;
  if (v[1] == 2 && v[2] == 29 && !is_leap(v[0]))
    return false;
  *days = date_from_civil(v[0], v[1], v[2]);
  return true;
}

size_t date_format(int32_t days, char *buf)
{
  int32_t y, m, d;
  date_to_civil(days, &y, &m, &d);
  snprintf(buf, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
  return 10;
}

int32_t date_years_between(int32_t a, int32_t b)
{
  int32_t ya, ma, da, yb, mb, db;
  if (b < a)
    return -date_years_between(b, a);
  date_to_civil(a, &ya, &ma, &da);
  date_to_civil(b, &yb, &mb, &db);
  int32_t years = yb - ya;
  if (mb < ma || (mb == ma && db < da))
    years--;
  return years;
}
