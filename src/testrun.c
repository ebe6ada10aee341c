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
#include "explain.h"
#include "hist.h"
#include "i18n.h"
#include "jdoc.h"
#include "record.h"
#include "step.h"
#include "testrun.h"
#include "vm.h"

/* ---------------------------------------------------------------- reporting */

/* Each line of the report is "file:line:col: " (as compilers write it, for editors and
 * scripts: never translated) and then one whole translated sentence, "test "NAME": ...",
 * formatted at once so that a translator can order its parts. */
static void where(wbuf *b, const elig_program *P, elig_loc loc)
{
  uint32_t line = 0, col = 0;
  src_position(P->srcs, loc.file, loc.start, &line, &col);
  wbuf_printf(b, "%s:%u:%u: ", src_file_name(P->srcs, loc.file), line, col);
}

/* "file:line:col: test "NAME": expected EXPECTATION, got WHAT" */
static void expected_got(wbuf *b, const elig_program *P, elig_loc loc, const prog_test *t,
                         const char *expectation, const char *got)
{
  where(b, P, loc);
  /* TRANSLATORS: a test that failed.  %1$s is the test's name, %2$s what it expects as
   * the test writes it (status = "exited"), %3$s the values it got (status = "remain_poor"
   * (rule 2 at file:line: reason)); names and values stay as they are. */
  wbuf_printf(b, _("test \"%s\": expected %s, got %s"), t->name, expectation, got);
  wbuf_puts(b, "\n");
}

/* " (rule 2 at household.rules:27: reason)": the rule that gave column c its value. */
static void rule_note(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_column *c)
{
  const prog_decision *d = c->cell != UINT32_MAX ? prog_decision_of_cell(P, c->cell) : NULL;
  if (!d)
    return;
  uint32_t rule = vm_rule(ctx, c->cell), line = 0, col = 0;
  src_position(P->srcs, d->rule_locs[rule].file, d->rule_locs[rule].start, &line, &col);
  /* the rule's file by its base name: a test often sits in another file than the rule */
  const char *file = src_file_name(P->srcs, d->rule_locs[rule].file);
  const char *base = strrchr(file, '/');
  wbuf_puts(b, " ");
  if (d->reasons[rule])
    /* TRANSLATORS: after a value a test got: the rule that decided it.  %1$u is the rule's
     * number in its decision, %2$s:%3$u its file and line, %4$s its reason as the rules
     * write it. */
    wbuf_printf(b, _("(rule %u at %s:%u: %s)"), rule + 1, base ? base + 1 : file, line,
                d->reasons[rule]);
  else
    /* TRANSLATORS: the same without a reason. */
    wbuf_printf(b, _("(rule %u at %s:%u)"), rule + 1, base ? base + 1 : file, line);
}

/* What the columns an expectation reads hold: "status = "remain_poor" (rule 2 at file:line:
 * reason), per_capita = 3950.00"; "false" when it reads none. */
static void got_values(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_test_step *st,
                       uint32_t k)
{
  char buf[256];
  for (uint32_t i = 0; i < st->nshown[k]; i++) {
    const prog_column *c = &st->shown[k][i];
    /* "name = value": the rules' own notation, as results write it */
    wbuf_printf(b, "%s%s = ", i ? ", " : "", c->name);
    const vm_val *v = vm_column_value(ctx, c);
    if (vm_unknown_of(ctx, v)) { /* and nothing decided it */
      wbuf_puts(b, WRITE_UNDETERMINED);
      explain_needs_note(b, P, ctx, vm_unknown_of(ctx, v));
      continue;
    }
    wbuf_puts(b, write_value_text(c->type, v, true, buf, sizeof buf));
    rule_note(b, P, ctx, c);
    for (uint32_t f = 0; c->cell != UINT32_MAX && f < P->nflags; f++)
      if (P->flags[f].cell == c->cell && P->flags[f].conds.n) {
        /* which condition raised it, or kept it down, and by how much */
        wbuf_puts(b, " (");
        explain_flag_conditions(b, ctx, &P->flags[f]);
        wbuf_puts(b, ")");
      }
  }
  if (st->nshown[k] == 0)
    wbuf_puts(b, "false"); /* a value, as the rules write it */
}

/* "expected status = "exit_eligible", got status = "remain_poor" (rule 2, file:line: reason)" */
static void failure(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_test *t,
                    const prog_test_step *st, uint32_t k)
{
  wbuf got = {0};
  got_values(&got, P, ctx, st, k);
  expected_got(b, P, st->expect_locs[k], t, st->expect_texts[k], wbuf_scratch_text(&got, b));
  wbuf_free(&got);
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

/* The state of one test's run: its steps' typed keys, for the order of the years. */
typedef struct {
  const elig_program *P;
  step *s;
  jdoc *doc;
  const prog_test *t;
  coverage_map *cov;
  wbuf *report;
  wbuf links;      /* each step's link (hist_link), one after the other */
  uint32_t *order; /* the steps in the order they are evaluated */
  size_t *link_at; /* per step: where its link starts in links, and its length */
  size_t *link_len;
  int64_t *years;
  bool *typed;      /* per step: its record was typed (else it is rejected whatever the order) */
  hist_chain chain; /* the household followed; its buffers kept from test to test */
} test_run_state;

/* Types step i's given record into the context (a test's record is typed like any input). */
static step_result type_given(test_run_state *r, uint32_t i, step_why *why)
{
  const prog_test_step *st = &r->t->steps[i];
  jdoc_error jerr;
  rec_unknown unknown = {0};
  vm_set_undetermined(r->s->ctx, st->three_valued);
  jdoc_errcode jst = jdoc_parse(r->doc, st->given, st->given_len, &jerr);
  if (jst == JDOC_ENOMEM)
    return STEP_NO_MEMORY;
  if (jst != JDOC_OK) {
    /* TRANSLATORS: why a test's record is rejected: the JSON the test's `given` was
     * written to cannot be parsed. */
    const char *message = _("its given record cannot be read");
    snprintf(why->reject.message, sizeof why->reject.message, "%s", message);
    why->reject.code = DIAG_E_MALFORMED_JSON;
    return STEP_REJECTED;
  }
  return step_type_json(r->s, r->doc, &unknown, why);
}

/* Whether field i is among those mask names for the record in ctx (write_needs' list). */
static bool needed(const vm_ctx *ctx, uint64_t mask, uint32_t i)
{
  return (mask & vm_field_bit(i)) && vm_unknown_of(ctx, vm_field_value(ctx, i));
}

/* How many element values of list field i mask names, and whether field j of element e is one
 * of them (*named; e UINT32_MAX: none asked). */
static uint32_t elements_needed(const elig_program *P, const vm_ctx *ctx, uint64_t mask, uint32_t i,
                                uint32_t e, uint32_t j, bool *named)
{
  const prog_field *f = &prog_main_record(P)->fields[i];
  const vm_val *list = vm_field_value(ctx, i);
  uint32_t n = 0;
  if (f->type.base != TY_LIST || list->none || vm_unknown_of(ctx, list))
    return 0;
  uint32_t nfields = P->records[f->type.record].nfields;
  for (uint32_t k = 0; k < list->u.l.count; k++)
    for (uint32_t m = 0; m < nfields; m++) {
      bool is = (vm_elem_unknown_of(ctx, list->u.l.first + k * list->u.l.stride + m) & mask) != 0;
      n += is;
      if (is && k == e && m == j)
        *named = true;
    }
  return n;
}

/* Whether what `expect needs` named is what mask names, in any order. */
static bool same_needs(const elig_program *P, const vm_ctx *ctx, const prog_test_step *st,
                       uint64_t mask)
{
  const prog_record *rec = prog_main_record(P);
  uint32_t nneeded = 0;
  bool unused;
  for (uint32_t i = 0; i < rec->nfields; i++)
    nneeded += needed(ctx, mask, i) + elements_needed(P, ctx, mask, i, UINT32_MAX, 0, &unused);
  for (uint32_t k = 0; k < st->nneeds; k++) {
    const prog_need *n = &st->needs_fields[k];
    bool named = false;
    if (n->element == UINT32_MAX)
      named = needed(ctx, mask, n->field);
    else
      elements_needed(P, ctx, mask, n->field, n->element, n->element_field, &named);
    if (!named)
      return false;
  }
  return st->nneeds == nneeded && !(mask & VM_PREVIOUS_BIT);
}

/* `expect X = undetermined` and `expect needs = "..."` of a step evaluated with its absent
 * fields unknown. */
static bool check_three_valued(test_run_state *r, const prog_test_step *st)
{
  const elig_program *P = r->P;
  vm_ctx *ctx = r->s->ctx;
  char buf[256];
  bool ok = true;
  for (uint32_t k = 0; k < st->nundetermined; k++) {
    if (vm_ensure(ctx, st->undetermined_cells[k]) != VM_OK)
      continue; /* a rule failing on the record: said with the other expectations */
    const vm_val *v = vm_cell_value(ctx, st->undetermined_cells[k]);
    if (vm_unknown_of(ctx, v))
      continue;
    const prog_cell *cell = &P->cells[st->undetermined_cells[k]];
    ty_type t = ty_make((ty_base)cell->base);
    /* the expectation as the test writes it: `expect status = undetermined` */
    wbuf expectation = {0};
    wbuf_printf(&expectation, "%s = %s", st->undetermined_texts[k], WRITE_UNDETERMINED);
    expected_got(r->report, P, st->undetermined_locs[k], r->t,
                 wbuf_scratch_text(&expectation, r->report),
                 write_value_text(t, v, true, buf, sizeof buf));
    wbuf_free(&expectation);
    ok = false;
  }
  if (st->needs) {
    uint64_t mask = write_record_needs(P, ctx);
    if (!same_needs(P, ctx, st, mask)) {
      /* as the test writes it, `expect needs = "income, size"`, and what it got likewise */
      wbuf expectation = {0}, got = {0};
      wbuf_printf(&expectation, "needs = \"%s\"", st->needs);
      wbuf_puts(&got, "\"");
      write_needs(&got, P, ctx, mask, ", ", false);
      wbuf_puts(&got, "\"");
      expected_got(r->report, P, st->needs_loc, r->t, wbuf_scratch_text(&expectation, r->report),
                   wbuf_scratch_text(&got, r->report));
      wbuf_free(&expectation);
      wbuf_free(&got);
      ok = false;
    }
  }
  return ok;
}

/* The expectations of step i, whose record was accepted and is in the context. */
static bool check_expectations(test_run_state *r, const prog_test_step *st)
{
  const elig_program *P = r->P;
  vm_ctx *ctx = r->s->ctx;
  bool ok = true;
  for (uint32_t k = 0; k < st->nexpects; k++) {
    vm_status vs = vm_ensure(ctx, st->expect_cells[k]);
    if (vs != VM_OK) {
      uint32_t line = 0, col = 0, pc;
      const char *file;
      vm_error(ctx, &pc);
      prog_position(P, pc, &file, &line, &col);
      where(r->report, P, st->expect_locs[k]);
      /* TRANSLATORS: a rule failed while a test's expectation was evaluated.  %1$s is the
       * test's name, %2$s what went wrong ("division by zero"), %3$u the line of the rule
       * file where it did. */
      wbuf_printf(r->report, _("test \"%s\": %s at line %u"), r->t->name, vm_status_str(vs), line);
      wbuf_puts(r->report, "\n");
      ok = false;
    } else if (!vm_cell_value(ctx, st->expect_cells[k])->u.i ||
               vm_unknown_of(ctx, vm_cell_value(ctx, st->expect_cells[k]))) {
      failure(r->report, P, ctx, r->t, st, k);
      ok = false;
    }
  }
  return check_three_valued(r, st) && ok;
}

/* Whether a rejection is the one `expect rejected "text"` names: text is part of the reason
 * (in English, as run_steps has it given) or the reason's code ("E0630"). */
static bool rejected_as_expected(const char *text, const step_why *why)
{
  const char *code = diag_id_code(why->reject.code);
  return strstr(why->reject.message, text) || (code && strcmp(code, text) == 0);
}

/* Why step i's record was rejected, in the reader's language, for the report: run_steps
 * had it said in English.  A rejection of its typing is made again, a rule's failure said
 * again from its status; one the household's history made (a year given twice) is said as
 * it was. */
static const char *reason_said(test_run_state *r, uint32_t i, step_result res, const step_why *why,
                               step_why *again)
{
  if (res == STEP_FAILED)
    return vm_status_str(why->vm);
  if (type_given(r, i, again) == STEP_REJECTED)
    return again->reject.message;
  return why->reject.message;
}

/* What happened to step i's record against what the test expects of it.  `why` is in
 * English (run_steps), as the words of `expect rejected "..."` are written. */
static bool verdict(test_run_state *r, uint32_t i, step_result res, const step_why *why)
{
  const elig_program *P = r->P;
  const prog_test_step *st = &r->t->steps[i];
  step_why again;
  if (res == STEP_OK && !st->rejected)
    return check_expectations(r, st);
  if (res != STEP_OK && st->rejected && rejected_as_expected(st->rejected, why))
    return true;
  if (res == STEP_OK) {
    where(r->report, P, st->rejected_loc);
    wbuf_printf(r->report,
                /* TRANSLATORS: %s is the test's name. */
                _("test \"%s\": expected the record to be rejected, but it was accepted"),
                r->t->name);
  } else if (st->rejected) {
    where(r->report, P, st->rejected_loc);
    /* TRANSLATORS: %1$s is the test's name, %2$s the words of the rejection it expects, as
     * the test writes them, %3$s why the record was rejected. */
    wbuf_printf(r->report, _("test \"%s\": expected a rejection for \"%s\", got: %s"), r->t->name,
                st->rejected, reason_said(r, i, res, why, &again));
  } else {
    /* a test of one record is reported at its name, one of several at the record's given */
    where(r->report, P, r->t->nsteps == 1 ? r->t->loc : st->loc);
    /* TRANSLATORS: %1$s is the test's name, %2$s why its record was rejected. */
    wbuf_printf(r->report, _("test \"%s\": the given record is rejected: %s"), r->t->name,
                reason_said(r, i, res, why, &again));
  }
  wbuf_puts(r->report, "\n");
  return false;
}

/* Whether typed step a comes before b: by household, then year (as written otherwise). */
static bool before(const test_run_state *r, uint32_t a, uint32_t b)
{
  size_t la = r->link_len[a], lb = r->link_len[b];
  int c = memcmp(r->links.p + r->link_at[a], r->links.p + r->link_at[b], la < lb ? la : lb);
  if (c != 0 || la != lb)
    return c < 0 || (c == 0 && la < lb);
  return r->years[a] < r->years[b];
}

/* The typed records in the order of household and year (an insertion sort: a test has a
 * few records), then those that could not be typed, which no history reads. */
static void order_steps(test_run_state *r)
{
  uint32_t n = r->t->nsteps, m = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!r->typed[i])
      continue;
    uint32_t j = m++;
    for (; j > 0 && before(r, i, r->order[j - 1]); j--)
      r->order[j] = r->order[j - 1];
    r->order[j] = i;
  }
  for (uint32_t i = 0; i < n; i++)
    if (!r->typed[i])
      r->order[m++] = i;
}

/* Runs test t: its records typed as any input is, in the order of their years through a
 * household's history, then every decision and flag (for coverage) and the expectations of
 * each record. */
static test_outcome run_steps(test_run_state *r)
{
  const prog_test *t = r->t;
  step_why why;
  uint32_t n = t->nsteps;
  for (uint32_t i = 0; i < n; i++) {
    step_result res = type_given(r, i, &why);
    if (res == STEP_NO_MEMORY)
      return TEST_NO_MEMORY;
    r->typed[i] = res == STEP_OK;
    r->link_at[i] = r->links.len;
    if (r->typed[i]) {
      hist_link(r->P, r->s->ctx, &r->links);
      r->years[i] = hist_year(r->P, r->s->ctx);
    }
    r->link_len[i] = r->links.len - r->link_at[i];
  }
  if (r->links.failed)
    return TEST_NO_MEMORY;
  order_steps(r);
  hist_chain *h = &r->chain;
  hist_reset(h);
  bool ok = true;
  test_outcome out = TEST_PASSED;
  for (uint32_t k = 0; k < n && out != TEST_NO_MEMORY; k++) {
    uint32_t i = r->order[k];
    /* a rejection's reason in English, whatever the reader's language: a test's `expect
     * rejected "..."` is written against the English words, as rule files are */
    bool was = i18n_english(true);
    why.reject.code = (diag_id)DIAG_NONE; /* until a rejection says which */
    step_result res = type_given(r, i, &why);
    if (res == STEP_OK)
      res = hist_begin(h, r->s, NULL, 0, &why);
    if (res == STEP_OK)
      res = step_evaluate(r->s, 0, &why);
    if (res == STEP_OK)
      res = hist_accept(h, r->s, &why);
    i18n_english(was);
    if (res == STEP_NO_MEMORY) {
      out = TEST_NO_MEMORY;
      break;
    }
    if (res == STEP_OK)
      evaluate_all(r->P, r->s->ctx, r->cov);
    ok &= verdict(r, i, res, &why);
  }
  if (out == TEST_NO_MEMORY)
    return out;
  return ok ? TEST_PASSED : TEST_FAILED;
}

/* The per-record arrays of a test run, made once for the test with the most records (a
 * rule set has dozens of tests, most of one record). */
static bool arrays_init(test_run_state *r, const elig_program *P)
{
  uint32_t n = 0;
  for (uint32_t i = 0; i < P->ntests; i++)
    n = P->tests[i].nsteps > n ? P->tests[i].nsteps : n;
  r->order = mem_calloc(n + 1, sizeof *r->order);
  r->link_at = mem_calloc(n + 1, sizeof *r->link_at);
  r->link_len = mem_calloc(n + 1, sizeof *r->link_len);
  r->years = mem_calloc(n + 1, sizeof *r->years);
  r->typed = mem_calloc(n + 1, sizeof *r->typed);
  return r->order && r->link_at && r->link_len && r->years && r->typed;
}

static void arrays_fini(test_run_state *r)
{
  hist_fini(&r->chain);
  wbuf_free(&r->links);
  mem_free(r->order);
  mem_free(r->link_at);
  mem_free(r->link_len);
  mem_free(r->years);
  mem_free(r->typed);
}

static test_outcome run_one(test_run_state *r, const prog_test *t)
{
  r->t = t;
  r->links.len = 0;
  return run_steps(r);
}

static void coverage_report(const elig_program *P, const coverage_map *cov, wbuf *report,
                            test_stats *st)
{
  for (uint32_t d = 0; d < P->ndecisions; d++) {
    const prog_decision *pd = &P->decisions[d];
    for (uint32_t r = 0; r < pd->nrules; r++) {
      st->rules++;
      if (cov->rule_hit[d][r]) {
        st->rules_hit++;
        continue;
      }
      where(report, P, pd->rule_locs[r]);
      /* TRANSLATORS: %1$u is the rule's number in decision %2$s (a name in the rules). */
      wbuf_printf(report, _("not covered: rule %u of decision '%s' is chosen by no test"), r + 1,
                  pd->name);
      wbuf_puts(report, "\n");
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
    /* TRANSLATORS: %s is the flag's name in the rules. */
    wbuf_printf(report, _("not covered: flag '%s' is raised by no test"), P->flags[f].name);
    wbuf_puts(report, "\n");
  }
  for (uint32_t a = 0; a < P->naggregates; a++)
    for (uint32_t d = 0; d < P->aggregates[a].ndecisions; d++) {
      const prog_decision *pd = &P->aggregates[a].decisions[d];
      for (uint32_t r = 0; r < pd->nrules; r++) {
        st->rules++;
        where(report, P, pd->rule_locs[r]);
        wbuf_printf(report,
                    /* TRANSLATORS: %1$u is the rule's number, %2$s the aggregate's name and %3$s
                     * its decision's, as the rules write them; `elig run` is a command. */
                    _("not covered: rule %u of aggregate '%s' decision '%s' (tests give one "
                      "record; groups are tested with elig run)"),
                    r + 1, P->aggregates[a].name, pd->name);
        wbuf_puts(report, "\n");
      }
    }
}

bool test_run(const elig_program *P, const char *pattern, int32_t as_of, bool coverage,
              wbuf *report, test_stats *st)
{
  step s;
  jdoc doc;
  coverage_map cov = {0};
  test_run_state run = {.P = P, .s = &s, .doc = &doc, .cov = &cov, .report = report};
  bool ok = step_init(&s, P, as_of, false) && arrays_init(&run, P);
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
    switch (run_one(&run, t)) {
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
  arrays_fini(&run);
  jdoc_fini(&doc);
  step_fini(&s);
  return ok && !report->failed;
}
