/*
 * date.h -- calendar dates as days since 1970-01-01 (proleptic Gregorian), for literals in
 * rule files, date fields in records, and the date functions of the language.
 */
#ifndef ELIG_DATE_H
#define ELIG_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses exactly "YYYY-MM-DD" (10 bytes) into days; false when malformed or not a real date
 * (2021-02-29 is refused). */
bool date_parse(const char *s, size_t n, int32_t *days);
/* Days since 1970-01-01 of a valid y-m-d. */
int32_t date_from_civil(int32_t y, int32_t m, int32_t d);
/* The inverse of date_from_civil. */
void date_to_civil(int32_t days, int32_t *y, int32_t *m, int32_t *d);
/* Writes "YYYY-MM-DD" and a NUL into buf (>= 11 bytes); returns 10. */
size_t date_format(int32_t days, char *buf);
/* Whole years from a to b (b's birthday-style anniversary counts): age at b of someone born
 * on a.  Negative when b is before a. */
int32_t date_years_between(int32_t a, int32_t b);

#endif
