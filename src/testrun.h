/*
 * testrun.h -- runs the `test` blocks of a compiled rule set (`elig test`).
 *
 * Pipeline: compile.c turns each test's expectations into cells; testrun.c types the test's
 * given record like any JSON input (record.c), evaluates the expectations (vm.c) and reports
 * each failure at its line with the values that led there.  It also records which decision
 * rules and flags the tests exercised, for --coverage.
 */
#ifndef ELIG_TESTRUN_H
#define ELIG_TESTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "write.h"

typedef struct {
  uint32_t passed, failed, skipped; /* skipped: name did not match the pattern */
  uint32_t rules, rules_hit;        /* decision rules, and those some test chose */
  uint32_t flags, flags_hit;        /* flags, and those some test raised */
} test_stats;

/* Runs the tests of P whose name contains `pattern` (NULL: all), as of `as_of`.  Failures are
 * appended to `report` as "file:line:col: test \"name\": expected ..., got ..." lines; with
 * `coverage`, the decision rules and flags no test exercised, and every aggregate rule (record
 * tests cannot reach them), are appended after them.  Returns false when out of memory. */
bool test_run(const elig_program *P, const char *pattern, int32_t as_of, bool coverage,
              wbuf *report, test_stats *st);

#endif
