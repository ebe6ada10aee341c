/*
 * testrun.c -- `elig test`: the rule files' own tests.  See testrun.h.
 *
 * A test's given record is written out as a JSON object and read back through the same
 * typing as any input, so a test sees exactly what a register row would: defaults, checks
 * and rejections included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "jdoc.h"
#include "record.h"
#include "step.h"
#include "testrun.h"
#include "vm.h"

static void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

/* ---------------------------------------------------------------- reporting */

static void where(wbuf *b, const elig_program *P, elig_loc loc)
{
  char buf[64];
  uint32_t line = 0, col = 0;
  src_position(P->srcs, loc.file, loc.start, &line, &col);
  put(b, src_file_name(P->srcs, loc.file));
  snprintf(buf, sizeof buf, ":%u:%u: ", line, col);
  put(b, buf);
}

/* "expected status = "exit_eligible", got status = "remain_poor" (rule 2, file:line: reason)" */
static void failure(wbuf *b, const elig_program *P, const vm_ctx *ctx, const prog_test *t,
                    uint32_t k)
{
  char buf[256];
  where(b, P, t->expect_locs[k]);
  put(b, "test \"");
  put(b, t->name);
  put(b, "\": expected ");
  put(b, t->expect_texts[k]);
  put(b, ", got ");
  for (uint32_t i = 0; i < t->nshown[k]; i++) {
    const prog_column *c = &t->shown[k][i];
    if (i)
      put(b, ", ");
    put(b, c->name);
    put(b, " = ");
    put(b, write_value_text(c->type, vm_column_value(ctx, c), true, buf, sizeof buf));
    const prog_decision *d = c->cell != UINT32_MAX ? prog_decision_of_cell(P, c->cell) : NULL;
    if (d) {
      uint32_t rule = vm_rule(ctx, c->cell), line = 0, col = 0;
      src_position(P->srcs, d->rule_locs[rule].file, d->rule_locs[rule].start, &line, &col);
      snprintf(buf, sizeof buf, " (rule %u at line %u", rule + 1, line);
      put(b, buf);
      if (d->reasons[rule]) {
        put(b, ": ");
        put(b, d->reasons[rule]);
      }
      put(b, ")");
    }
  }
  if (t->nshown[k] == 0)
    put(b, "false");
  put(b, "\n");
}

/* ---------------------------------------------------------------- running */

typedef struct {
  bool **rule_hit; /* per decision, per rule */
  bool *flag_hit;
} coverage_map;

static void evaluate_all(const elig_program *P, vm_ctx *ctx, coverage_map *cov)
{
  for (uint32_t d = 0; d < P->ndecisions; d++)
    if (vm_ensure(ctx, P->decisions[d].cell) == VM_OK && cov->rule_hit)
      cov->rule_hit[d][vm_rule(ctx, P->decisions[d].cell)] = true;
  for (uint32_t f = 0; f < P->nflags; f++)
    if (vm_ensure(ctx, P->flags[f].cell) == VM_OK && cov->flag_hit && vm_flag_raised(ctx, f))
      cov->flag_hit[f] = true;
}

typedef enum {
  TEST_PASSED,
  TEST_FAILED,
  TEST_NO_MEMORY
} test_outcome;

/* Runs test t: its given record typed as any input is (through the evaluation step), then
 * every decision and flag (for coverage) and each expectation. */
static test_outcome run_one(const elig_program *P, step *s, jdoc *doc, const prog_test *t,
                            coverage_map *cov, wbuf *report)
{
  vm_ctx *ctx = s->ctx;
  jdoc_error jerr;
  step_why why;
  rec_unknown unknown = {0};
  char buf[64];
  bool ok = true;
  jdoc_errcode jst = jdoc_parse(doc, t->given, t->given_len, &jerr);
  if (jst == JDOC_ENOMEM)
    return TEST_NO_MEMORY;
  if (jst != JDOC_OK) {
    where(report, P, t->loc);
    put(report, "test \"");
    put(report, t->name);
    put(report, "\": its given record cannot be read\n");
    return TEST_FAILED;
  }
  step_result typed = step_type_json(s, doc, &unknown, &why);
  if (typed == STEP_NO_MEMORY)
    return TEST_NO_MEMORY;
  if (typed != STEP_OK) {
    where(report, P, t->loc);
    put(report, "test \"");
    put(report, t->name);
    put(report, "\": the given record is rejected: ");
    put(report, why.reject.message);
    put(report, "\n");
    return TEST_FAILED;
  }
  evaluate_all(P, ctx, cov);
  for (uint32_t k = 0; k < t->nexpects; k++) {
    vm_status st = vm_ensure(ctx, t->expect_cells[k]);
    if (st != VM_OK) {
      uint32_t line = 0, col = 0, pc;
      const char *file;
      vm_error(ctx, &pc);
      prog_position(P, pc, &file, &line, &col);
      where(report, P, t->expect_locs[k]);
      put(report, "test \"");
      put(report, t->name);
      put(report, "\": ");
      put(report, vm_status_str(st));
      snprintf(buf, sizeof buf, " at line %u", line);
      put(report, buf);
      put(report, "\n");
      ok = false;
    } else if (!vm_cell_value(ctx, t->expect_cells[k])->u.i) {
      failure(report, P, ctx, t, k);
      ok = false;
    }
  }
  return ok ? TEST_PASSED : TEST_FAILED;
}

static void coverage_report(const elig_program *P, const coverage_map *cov, wbuf *report,
                            test_stats *st)
{
  char buf[64];
  for (uint32_t d = 0; d < P->ndecisions; d++) {
    const prog_decision *pd = &P->decisions[d];
    for (uint32_t r = 0; r < pd->nrules; r++) {
      st->rules++;
      if (cov->rule_hit[d][r]) {
        st->rules_hit++;
        continue;
      }
      where(report, P, pd->rule_locs[r]);
      snprintf(buf, sizeof buf, "not covered: rule %u of decision '", r + 1);
      put(report, buf);
      put(report, pd->name);
      put(report, "' is chosen by no test\n");
    }
  }
  for (uint32_t f = 0; f < P->nflags; f++) {
    st->flags++;
    if (cov->flag_hit[f]) {
      st->flags_hit++;
      continue;
    }
    /* the flag's cell starts at its condition: use the first instruction's location */
    elig_loc at = P->code_locs[P->cells[P->flags[f].cell].entry];
    where(report, P, at);
    put(report, "not covered: flag '");
    put(report, P->flags[f].name);
    put(report, "' is raised by no test\n");
  }
  for (uint32_t a = 0; a < P->naggregates; a++)
    for (uint32_t d = 0; d < P->aggregates[a].ndecisions; d++) {
      const prog_decision *pd = &P->aggregates[a].decisions[d];
      for (uint32_t r = 0; r < pd->nrules; r++) {
        st->rules++;
        where(report, P, pd->rule_locs[r]);
        snprintf(buf, sizeof buf, "not covered: rule %u of aggregate '", r + 1);
        put(report, buf);
        put(report, P->aggregates[a].name);
        put(report, "' decision '");
        put(report, pd->name);
        put(report, "' (tests give one record; groups are tested with elig run)\n");
      }
    }
}

bool test_run(const elig_program *P, const char *pattern, int32_t as_of, bool coverage,
              wbuf *report, test_stats *st)
{
  step s;
  jdoc doc;
  coverage_map cov = {0};
  bool ok = step_init(&s, P, as_of, false);
  memset(st, 0, sizeof *st);
  jdoc_init(&doc, REC_JDOC_OPTIONS);
  if (ok && coverage) {
    cov.rule_hit = mem_calloc(P->ndecisions + 1, sizeof *cov.rule_hit);
    cov.flag_hit = mem_calloc(P->nflags + 1, sizeof *cov.flag_hit);
    ok = cov.rule_hit && cov.flag_hit;
    for (uint32_t d = 0; ok && d < P->ndecisions; d++)
      ok =
          (cov.rule_hit[d] = mem_calloc(P->decisions[d].nrules + 1, sizeof **cov.rule_hit)) != NULL;
  }
  for (uint32_t i = 0; ok && i < P->ntests; i++) {
    const prog_test *t = &P->tests[i];
    if (pattern && !strstr(t->name, pattern)) {
      st->skipped++;
      continue;
    }
    switch (run_one(P, &s, &doc, t, &cov, report)) {
    case TEST_PASSED: st->passed++; break;
    case TEST_FAILED: st->failed++; break;
    case TEST_NO_MEMORY: ok = false; break;
    }
  }
  if (ok && coverage)
    coverage_report(P, &cov, report, st);
  for (uint32_t d = 0; cov.rule_hit && d < P->ndecisions; d++)
    mem_free(cov.rule_hit[d]);
  mem_free(cov.rule_hit);
  mem_free(cov.flag_hit);
  jdoc_fini(&doc);
  step_fini(&s);
  return ok && !report->failed;
}
