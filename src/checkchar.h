/*
 * checkchar.h - check characters of identification numbers: ISO 7064 MOD 11-2 (the Chinese
 * resident identity number) and Luhn (bank card numbers).
 *
 * Place in the pipeline: the record readers call the validators when a schema field is
 * declared with a check character (doc/national-standard.md, section 1: `head_id` must carry
 * a valid ISO 7064 MOD 11-2 check character), and the VM exposes them as predicates to
 * rules. Pure functions over counted ASCII text: no allocation, no global state, thread-safe,
 * any length (no overflow: sums are kept reduced). A NULL pointer is accepted when its
 * length is 0.
 */
#ifndef ELIG_CHECKCHAR_H
#define ELIG_CHECKCHAR_H

#include <stdbool.h>
#include <stddef.h>

/* True when `s` is one or more decimal digits followed by their ISO 7064 MOD 11-2 check
 * character ('0'..'9' or upper-case 'X' for 10). This is the scheme of GB 11643-1999, where the
 * 18-character resident identity number is 17 digits plus the check character, but any
 * length >= 2 is accepted; length rules belong to the schema. False for len < 2, for any
 * non-digit before the last character, and for a wrong check character, including a
 * lower-case 'x' (see checkchar.c for why). */
bool checkchar_iso7064_mod11_2(const char *s, size_t len);

/* The ISO 7064 MOD 11-2 check character for the `n` digits at `digits`: '0'..'9' or 'X'.
 * Returns '\0' when n is 0 or any of the n characters is not a decimal digit. */
char checkchar_iso7064_mod11_2_compute(const char *digits, size_t n);

/* True when `s` is two or more decimal digits whose last digit is the Luhn (ISO/IEC 7812-1
 * annex B, "mod 10") check digit of the others, as on bank card numbers. False for len < 2,
 * for any non-digit (spaces included: strip separators before calling) and for a wrong
 * check digit. */
bool checkchar_luhn(const char *s, size_t len);

/* The Luhn check digit ('0'..'9') to append to the `n` digits at `digits`. Returns '\0'
 * when n is 0 or any of the n characters is not a decimal digit. */
char checkchar_luhn_compute(const char *digits, size_t n);

#endif /* ELIG_CHECKCHAR_H */
