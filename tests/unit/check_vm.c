/*
 * check_vm.c - end-to-end unit tests of the evaluator (src/vm.c) and the code the compiler
 * (src/compile.c) emits for it, in memory.
 *
 * Place in the pipeline: ruleset_compile -> vm_ctx_new -> per record: jdoc_parse,
 * rec_from_json (which starts the record), then vm_ensure on the cell of every output column
 * and flag, as src/run.c evaluate() does, and the registers are read. The tables pin results
 * the specification fixes: the money rounding examples of doc/national-standard.md section 2
 * (16000.02 / 4 -> 4000.01 > 4000; 16000.01 / 4 -> 4000.00), exact fractions, exact percent
 * comparisons, first-match decisions and the rule that decided (vm_rule), flags,
 * parameters by year (the first row also before its key), by text with and without otherwise,
 * nested; none handling, aggregations over a list of members, text functions, the regex limit,
 * division by zero and overflow as vm_status values, and that one context evaluates many
 * records with nothing stale carried over.
 */
#include "compile.h"
#include "diag.h"
#include "jdoc.h"
#include "record.h"
#include "ruleset.h"
#include "vm.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ============================================================================================
 * Fixture
 * ========================================================================================== */

typedef struct {
  elig_program *P;
  vm_ctx *ctx;
  jdoc doc;
  rec_reject why;
  char buf[512];
} fixture;

static void fx_init(fixture *f, const char *rules)
{
  ruleset_source src = {0};
  src.name = "t.rules";
  src.text = rules;
  src.len = strlen(rules);
  diag_list *d = diag_list_new();
  src_set *s = NULL;
  memset(f, 0, sizeof *f);
  f->P = ruleset_compile(&src, d, &s);
  if (!f->P) {
    char *text = diag_render(d, s, false);
    ck_abort_msg("rules do not compile:\n%s\n%s", rules, text ? text : "");
  }
  diag_list_free(d);
  f->ctx = vm_ctx_new(f->P);
  ck_assert_ptr_nonnull(f->ctx);
  vm_set_as_of(f->ctx, 18808); /* 2021-06-30 */
  jdoc_init(&f->doc, NULL);
}

static void fx_fini(fixture *f)
{
  jdoc_fini(&f->doc);
  vm_ctx_free(f->ctx);
  prog_free(f->P);
}

/* Types one JSON record (false: rejected, reason in f->why). */
static bool fx_load(fixture *f, const char *json)
{
  jdoc_error err;
  ck_assert_msg(jdoc_parse(&f->doc, json, strlen(json), &err) == JDOC_OK, "%s: %s", json,
                err.message);
  rec_unknown unknown = {0};
  return rec_from_json(f->ctx, &f->doc, &f->why, &unknown);
}

/* Loads and evaluates a record like run.c evaluate(): every column's cell, then every flag. */
static vm_status fx_eval(fixture *f, const char *json)
{
  ck_assert_msg(fx_load(f, json), "%s rejected: %s", json, f->why.message);
  vm_status st = VM_OK;
  for (uint32_t i = 0; i < f->P->ncolumns && st == VM_OK; i++)
    if (f->P->columns[i].cell != UINT32_MAX)
      st = vm_ensure(f->ctx, f->P->columns[i].cell);
  for (uint32_t i = 0; i < f->P->nflags && st == VM_OK; i++)
    st = vm_ensure(f->ctx, f->P->flags[i].cell);
  return st;
}

static const prog_column *fx_column(const fixture *f, const char *name)
{
  for (uint32_t i = 0; i < f->P->ncolumns; i++)
    if (strcmp(f->P->columns[i].name, name) == 0)
      return &f->P->columns[i];
  ck_abort_msg("no column '%s'", name);
  return NULL;
}

static void fmt_num(char *buf, size_t size, dec_num n)
{
  if (n.den == 1)
    snprintf(buf, size, "%" PRId64, n.num);
  else
    snprintf(buf, size, "%" PRId64 "/%" PRId64, n.num, n.den);
}

/* A column's value as text: money "4000.01", number/percent "7/4", bool "true", text as is,
 * absent "none". */
static const char *fx_get(fixture *f, const char *name)
{
  const prog_column *c = fx_column(f, name);
  const vm_val *v = vm_column_value(f->ctx, c);
  if (v->none) {
    snprintf(f->buf, sizeof f->buf, "none");
    return f->buf;
  }
  switch (c->type.base) {
  case TY_MONEY: {
    int64_t fen = v->u.i;
    uint64_t a = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(f->buf, sizeof f->buf, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100,
             a % 100);
    break;
  }
  case TY_INT:
  case TY_DATE: snprintf(f->buf, sizeof f->buf, "%" PRId64, v->u.i); break;
  case TY_BOOL: snprintf(f->buf, sizeof f->buf, "%s", v->u.i ? "true" : "false"); break;
  case TY_NUMBER:
  case TY_PERCENT: fmt_num(f->buf, sizeof f->buf, v->u.n); break;
  case TY_TEXT: snprintf(f->buf, sizeof f->buf, "%.*s", (int)v->u.s.len, v->u.s.p); break;
  default: snprintf(f->buf, sizeof f->buf, "?type %d", c->type.base); break;
  }
  return f->buf;
}

static bool fx_flag(const fixture *f, const char *name)
{
  for (uint32_t i = 0; i < f->P->nflags; i++)
    if (strcmp(f->P->flags[i].name, name) == 0)
      return vm_flag_raised(f->ctx, i);
  ck_abort_msg("no flag '%s'", name);
  return false;
}

/* Index of the rule that decided decision `name` for the current record. */
static uint32_t fx_rule(const fixture *f, const char *name)
{
  for (uint32_t i = 0; i < f->P->ndecisions; i++)
    if (strcmp(f->P->decisions[i].name, name) == 0)
      return vm_rule(f->ctx, f->P->decisions[i].cell);
  ck_abort_msg("no decision '%s'", name);
  return UINT32_MAX;
}

#define ASSERT_COL(f, json, name, want)                                                    \
  do {                                                                                     \
    const char *got_ = fx_get((f), (name));                                                \
    ck_assert_msg(strcmp(got_, (want)) == 0, "%s: %s = %s, want %s", (json), (name), got_, \
                  (want));                                                                 \
  } while (0)

/* ============================================================================================
 * Table: one rule text, many records, one column each
 * ========================================================================================== */

static const char money_rules[] = "record household key hh_id {\n"
                                  "  hh_id text required\n"
                                  "  size int required\n"
                                  "  net_income money required\n"
                                  "}\n"
                                  "param poverty_line money = 4000\n"
                                  "let per_capita = net_income / size\n"
                                  "decide status\n"
                                  "  when per_capita > poverty_line then \"above_line\"\n"
                                  "  otherwise \"below_line\"\n"
                                  "output hh_id, per_capita\n";

static const struct {
  const char *json;
  const char *per_capita, *status;
} money_cases[] = {
    /* doc/national-standard.md section 2 */
    {"{\"hh_id\":\"h1\",\"size\":4,\"net_income\":16000.02}", "4000.01", "above_line"},
    {"{\"hh_id\":\"h2\",\"size\":4,\"net_income\":16000.01}", "4000.00", "below_line"},
    {"{\"hh_id\":\"h3\",\"size\":4,\"net_income\":\"16000.02\"}", "4000.01", "above_line"},
    {"{\"hh_id\":\"h4\",\"size\":3,\"net_income\":9000}", "3000.00", "below_line"},
    {"{\"hh_id\":\"h5\",\"size\":3,\"net_income\":100}", "33.33", "below_line"},
    {"{\"hh_id\":\"h6\",\"size\":3,\"net_income\":200}", "66.67", "below_line"},
    /* half away from zero on negatives too */
    {"{\"hh_id\":\"h7\",\"size\":6,\"net_income\":-0.03}", "-0.01", "below_line"},
    {"{\"hh_id\":\"h8\",\"size\":4,\"net_income\":-16000.02}", "-4000.01", "below_line"},
    {"{\"hh_id\":\"h9\",\"size\":1,\"net_income\":4000.01}", "4000.01", "above_line"},
    {"{\"hh_id\":\"h10\",\"size\":1,\"net_income\":4000}", "4000.00", "below_line"},
    {"{\"hh_id\":\"h11\",\"size\":8,\"net_income\":0.04}", "0.01", "below_line"},
    {"{\"hh_id\":\"h12\",\"size\":8,\"net_income\":0.03}", "0.00", "below_line"},
};

START_TEST(test_vm_money_rounding)
{
  fixture f;
  fx_init(&f, money_rules);
  const char *j = money_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "per_capita", money_cases[_i].per_capita);
  ASSERT_COL(&f, j, "status", money_cases[_i].status);
  fx_fini(&f);
}
END_TEST

static const char exact_rules[] =
    "record r key id {\n"
    "  id text required\n"
    "  n int required\n"
    "  a number required\n"
    "  b number required\n"
    "  m money required\n"
    "  e money required\n"
    "  p percent required\n"
    "}\n"
    "let seven_by = 7 / n\n"
    "let sum_ab = a + b\n"
    "let exact_sum = a + b = 0.3\n"
    "let third_times = (1 / n) * n\n"
    "let ratio = e / m\n"
    "let half = m * 50%\n"
    "let heavy = e > m * 50%\n"
    "let below3 = p < 3%\n"
    "let at3 = p <= 3% and p >= 3%\n"
    "let share = p + 5%\n"
    "let thirty = money(m * 30%, half_away)\n"
    "let m_plus = m + 1\n"
    "let m_less = m - 0.01\n"
    "let twice = m * 2\n"
    "let days = 2021-03-01 - 2021-02-01\n"
    "output id, seven_by, sum_ab, exact_sum, third_times, ratio, half, heavy, below3, at3, share,"
    " thirty, m_plus, m_less, twice, days\n";

static const struct {
  const char *json;
  const char *col, *want;
} exact_cases[] = {
#define R1 "{\"id\":\"x\",\"n\":4,\"a\":0.1,\"b\":0.2,\"m\":16000.02,\"e\":8000.01,\"p\":\"2.99%\"}"
#define R2 "{\"id\":\"y\",\"n\":3,\"a\":\"0.125\",\"b\":-1,\"m\":-0.03,\"e\":0,\"p\":\"3%\"}"
#define R3 "{\"id\":\"z\",\"n\":3,\"a\":1,\"b\":2,\"m\":100,\"e\":50,\"p\":0.03}"
    {R1, "seven_by", "7/4"},    {R1, "sum_ab", "3/10"},     {R1, "exact_sum", "true"},
    {R1, "third_times", "1"},   {R1, "ratio", "1/2"},   /* 8000.01 / 16000.02 */
    {R1, "half", "800001/100"}, {R1, "heavy", "false"}, /* 8000.01 is not > 8000.01 */
    {R1, "below3", "true"},                             /* 2.99% < 3% */
    {R1, "at3", "false"},       {R1, "share", "799/10000"}, {R1, "thirty", "4800.01"},
    {R1, "m_plus", "16001.02"}, {R1, "m_less", "16000.01"}, {R1, "twice", "32000.04"},
    {R1, "days", "28"},         {R2, "seven_by", "7/3"},    {R2, "sum_ab", "-7/8"},
    {R2, "exact_sum", "false"}, {R2, "third_times", "1"},   {R2, "heavy", "true"}, /* 0 > -0.015 */
    {R2, "half", "-3/200"},     {R2, "below3", "false"}, /* 3% is not < 3% */
    {R2, "at3", "true"},        {R2, "thirty", "-0.01"}, /* -0.009 half away */
    {R2, "m_less", "-0.04"},    {R3, "below3", "false"}, /* 0.03 is 3% */
    {R3, "at3", "true"},        {R3, "ratio", "1/2"},       {R3, "share", "2/25"},
    {R3, "seven_by", "7/3"},
};

START_TEST(test_vm_exact)
{
  fixture f;
  fx_init(&f, exact_rules);
  const char *j = exact_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, exact_cases[_i].col, exact_cases[_i].want);
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * Decisions and flags
 * ========================================================================================== */

static const char decide_rules[] =
    "record household key hh_id {\n"
    "  hh_id text required\n"
    "  size int required\n"
    "  net_income money required\n"
    "  registered_poor bool required\n"
    "  medical money default 0\n"
    "}\n"
    "param poverty_line money = 4000\n"
    "param monitor_line money = 6000\n"
    "let per_capita = net_income / size\n"
    "decide status\n"
    "  when registered_poor and per_capita > poverty_line then \"exit_eligible\"\n"
    "  when registered_poor then \"remain_poor\"\n"
    "  when per_capita <= poverty_line then \"newly_identified\"\n"
    "  otherwise \"not_poor\"\n"
    "decide top_up: money\n"
    "  when status in {\"remain_poor\", \"newly_identified\"} then (poverty_line - per_capita) * "
    "size\n"
    "  otherwise 0\n"
    "monitor edge_household severity high\n"
    "  when status = \"not_poor\" and per_capita < monitor_line\n"
    "monitor heavy_medical severity medium\n"
    "  when medical > net_income * 50%\n"
    "output hh_id, per_capita, status\n";

static const struct {
  const char *json;
  const char *status;
  uint32_t rule;
  const char *top_up;
  bool edge, heavy;
} decide_cases[] = {
    {"{\"hh_id\":\"d1\",\"size\":4,\"net_income\":16000.04,\"registered_poor\":true}",
     "exit_eligible", 0, "0.00", false, false},
    {"{\"hh_id\":\"d2\",\"size\":4,\"net_income\":12000,\"registered_poor\":true}", "remain_poor",
     1, "4000.00", false, false},
    {"{\"hh_id\":\"d3\",\"size\":2,\"net_income\":10000,\"registered_poor\":false,"
     "\"medical\":6000}",
     "not_poor", 3, "0.00", true, true},
    {"{\"hh_id\":\"d4\",\"size\":1,\"net_income\":9000,\"registered_poor\":false}", "not_poor", 3,
     "0.00", false, false},
    {"{\"hh_id\":\"d5\",\"size\":2,\"net_income\":8000,\"registered_poor\":false}",
     "newly_identified", 2, "0.00", false, false},
    {"{\"hh_id\":\"d6\",\"size\":3,\"net_income\":9000.01,\"registered_poor\":false,"
     "\"medical\":4500}",
     "newly_identified", 2, "3000.00", false, false},
    {"{\"hh_id\":\"d7\",\"size\":4,\"net_income\":16000.01,\"registered_poor\":true,"
     "\"medical\":8000.01}",
     "remain_poor", 1, "0.00", false, true},
};

START_TEST(test_vm_decisions_and_flags)
{
  fixture f;
  fx_init(&f, decide_rules);
  const char *j = decide_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "status", decide_cases[_i].status);
  ck_assert_msg(fx_rule(&f, "status") == decide_cases[_i].rule, "%s: rule %u, want %u", j,
                fx_rule(&f, "status"), decide_cases[_i].rule);
  ASSERT_COL(&f, j, "top_up", decide_cases[_i].top_up);
  ck_assert_msg(fx_rule(&f, "top_up") ==
                    (strcmp(decide_cases[_i].status, "remain_poor") == 0 ||
                             strcmp(decide_cases[_i].status, "newly_identified") == 0
                         ? 0u
                         : 1u),
                "%s: top_up rule %u", j, fx_rule(&f, "top_up"));
  ck_assert_msg(fx_flag(&f, "edge_household") == decide_cases[_i].edge, "%s: edge", j);
  ck_assert_msg(fx_flag(&f, "heavy_medical") == decide_cases[_i].heavy, "%s: heavy", j);
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_decision_columns)
{
  /* Columns: the output names, then the decisions not listed. */
  fixture f;
  fx_init(&f, decide_rules);
  ck_assert_uint_eq(f.P->ncolumns, 4);
  ck_assert_str_eq(f.P->columns[0].name, "hh_id");
  ck_assert_str_eq(f.P->columns[1].name, "per_capita");
  ck_assert_str_eq(f.P->columns[2].name, "status");
  ck_assert_str_eq(f.P->columns[3].name, "top_up");
  ck_assert_uint_eq(f.P->nflags, 2);
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * Parameters
 * ========================================================================================== */

static const char param_rules[] =
    "record household key hh_id {\n"
    "  hh_id text required\n"
    "  province text required\n"
    "  year int required\n"
    "  size int required\n"
    "}\n"
    "param monthly_allowance money = 150\n"
    "param poverty_line money by year {\n"
    "  2014: 2800\n"
    "  2016: 2952\n"
    "  2020: 4000\n"
    "}\n"
    "param incidence_cap percent by province {\n"
    "  \"52\", \"53\", \"62\": 3%\n"
    "  otherwise: 2%\n"
    "}\n"
    "param label text by province { \"53\": \"yunnan\" }\n"
    "param child_bonus money by province {\n"
    "  \"53\": by year { 2019: 100  2021: 150 }\n"
    "  otherwise: 80\n"
    "}\n"
    "param rate_table number by as_of {\n"
    "  2020-01-01: 1.5\n"
    "  2021-07-01: 1.75\n"
    "}\n"
    "let line_for_household = poverty_line * size\n"
    "let label_or = label or \"-\"\n"
    "output hh_id, year, poverty_line, line_for_household, incidence_cap, child_bonus, "
    "rate_table, monthly_allowance, label, label_or\n";

static const struct {
  const char *json;
  const char *line, *household, *cap, *bonus, *label, *label_or;
} param_cases[] = {
    {"{\"hh_id\":\"h1\",\"province\":\"53\",\"year\":2012,\"size\":2}", "2800.00", "5600.00",
     "3/100", "100.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h2\",\"province\":\"53\",\"year\":2015,\"size\":2}", "2800.00", "5600.00",
     "3/100", "100.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h3\",\"province\":\"11\",\"year\":2020,\"size\":3}", "4000.00", "12000.00",
     "1/50", "80.00", "none", "-"},
    {"{\"hh_id\":\"h4\",\"province\":\"53\",\"year\":2020,\"size\":1}", "4000.00", "4000.00",
     "3/100", "100.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h5\",\"province\":\"53\",\"year\":2022,\"size\":1}", "4000.00", "4000.00",
     "3/100", "150.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h6\",\"province\":\"62\",\"year\":2016,\"size\":1}", "2952.00", "2952.00",
     "3/100", "80.00", "none", "-"},
    {"{\"hh_id\":\"h7\",\"province\":\"53\",\"year\":2019,\"size\":1}", "2952.00", "2952.00",
     "3/100", "100.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h8\",\"province\":\"53\",\"year\":2021,\"size\":1}", "4000.00", "4000.00",
     "3/100", "150.00", "yunnan", "yunnan"},
    {"{\"hh_id\":\"h9\",\"province\":\"53\",\"year\":1900,\"size\":1}", "2800.00", "2800.00",
     "3/100", "100.00", "yunnan", "yunnan"},
};

START_TEST(test_vm_params)
{
  fixture f;
  fx_init(&f, param_rules);
  const char *j = param_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "poverty_line", param_cases[_i].line);
  ASSERT_COL(&f, j, "line_for_household", param_cases[_i].household);
  ASSERT_COL(&f, j, "incidence_cap", param_cases[_i].cap);
  ASSERT_COL(&f, j, "child_bonus", param_cases[_i].bonus);
  ASSERT_COL(&f, j, "label", param_cases[_i].label);
  ASSERT_COL(&f, j, "label_or", param_cases[_i].label_or);
  ASSERT_COL(&f, j, "monthly_allowance", "150.00");
  ASSERT_COL(&f, j, "rate_table", "3/2"); /* as_of 2021-06-30 */
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_param_by_as_of)
{
  fixture f;
  fx_init(&f, param_rules);
  const char *j = "{\"hh_id\":\"h1\",\"province\":\"53\",\"year\":2012,\"size\":2}";
  vm_set_as_of(f.ctx, 18809); /* 2021-07-01 */
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "rate_table", "7/4");
  vm_set_as_of(f.ctx, 17000); /* 2016-07-18: before the first row */
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "rate_table", "3/2");
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * none
 * ========================================================================================== */

static const char none_rules[] =
    "record household key hh_id {\n"
    "  hh_id text required\n"
    "  net_income money required\n"
    "  exited_year int optional\n"
    "  pension money optional\n"
    "  flag bool optional\n"
    "}\n"
    "let pension_or_zero = pension or 0\n"
    "let total_income = net_income + pension_or_zero\n"
    "let exited_recently = exited_year is not none and exited_year >= 2019\n"
    "let never_exited_or_old = exited_year is none or exited_year < 2016\n"
    "let years_since_exit = if exited_year is none then none else 2021 - exited_year\n"
    "let years_shown = years_since_exit or -1\n"
    "let flag_default = flag or true\n"
    "decide d when exited_year is not none then exited_year + 1 otherwise 0\n"
    "output hh_id, total_income, exited_recently, never_exited_or_old, years_since_exit, "
    "years_shown, flag_default, pension\n";

static const struct {
  const char *json;
  const char *total, *recent, *never_old, *since, *shown, *flag, *pension, *d;
} none_cases[] = {
    {"{\"hh_id\":\"n1\",\"net_income\":5000,\"exited_year\":2019,\"pension\":1200}", "6200.00",
     "true", "false", "2", "2", "true", "1200.00", "2020"},
    {"{\"hh_id\":\"n2\",\"net_income\":5000}", "5000.00", "false", "true", "none", "-1", "true",
     "none", "0"},
    {"{\"hh_id\":\"n3\",\"net_income\":3000,\"exited_year\":2015,\"pension\":null,"
     "\"flag\":false}",
     "3000.00", "false", "true", "6", "6", "false", "none", "2016"},
};

START_TEST(test_vm_none)
{
  fixture f;
  fx_init(&f, none_rules);
  const char *j = none_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "total_income", none_cases[_i].total);
  ASSERT_COL(&f, j, "exited_recently", none_cases[_i].recent);
  ASSERT_COL(&f, j, "never_exited_or_old", none_cases[_i].never_old);
  ASSERT_COL(&f, j, "years_since_exit", none_cases[_i].since);
  ASSERT_COL(&f, j, "years_shown", none_cases[_i].shown);
  ASSERT_COL(&f, j, "flag_default", none_cases[_i].flag);
  ASSERT_COL(&f, j, "pension", none_cases[_i].pension);
  ASSERT_COL(&f, j, "d", none_cases[_i].d);
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * Lists of members
 * ========================================================================================== */

static const char members_rules[] =
    "record member {\n"
    "  name text required\n"
    "  age int required between 0 and 120\n"
    "  income money default 0\n"
    "  enrolled bool default false\n"
    "  insured bool required\n"
    "}\n"
    "record household key hh_id {\n"
    "  hh_id text required\n"
    "  min_age int default 18\n"
    "  members list of member\n"
    "}\n"
    "let size = count(members)\n"
    "let dropouts = count(members where age >= 6 and age < 16 and not enrolled)\n"
    "let member_income = sum(members.income)\n"
    "let adult_income = sum(members.income where age >= min_age)\n"
    "let all_insured = all(members where insured)\n"
    "let has_child = any(members where age < 16)\n"
    "let oldest = max(members.age)\n"
    "let youngest_adult = min(members.age where age >= 18)\n"
    "let highest_income = max(members.income) or 0\n"
    "let larger_of = max(member_income, 1000, adult_income)\n"
    "output hh_id, size, dropouts, member_income, adult_income, all_insured, has_child, oldest,"
    " youngest_adult, highest_income, larger_of\n";

static const struct {
  const char *json;
  const char *size, *dropouts, *income, *adult, *all_ins, *child, *oldest, *youngest, *highest,
      *larger;
} members_cases[] = {
    {"{\"hh_id\":\"m1\",\"members\":[{\"name\":\"张伟\",\"age\":45,\"income\":12000.50,"
     "\"insured\":true},{\"name\":\"李娜\",\"age\":43,\"income\":\"8000\",\"insured\":true},"
     "{\"name\":\"张小\",\"age\":12,\"insured\":false}]}",
     "3", "1", "20000.50", "20000.50", "false", "true", "45", "43", "12000.50", "20000.50"},
    {"{\"hh_id\":\"m2\",\"members\":[{\"name\":\"王芳\",\"age\":70,\"income\":600,"
     "\"insured\":true}]}",
     "1", "0", "600.00", "600.00", "true", "false", "70", "70", "600.00", "1000.00"},
    {"{\"hh_id\":\"m3\",\"members\":[]}", "0", "0", "0.00", "0.00", "true", "false", "none", "none",
     "0.00", "1000.00"},
    {"{\"hh_id\":\"m4\"}", "0", "0", "0.00", "0.00", "true", "false", "none", "none", "0.00",
     "1000.00"},
    /* a record-level field (min_age) inside where */
    {"{\"hh_id\":\"m5\",\"min_age\":10,\"members\":[{\"name\":\"a\",\"age\":12,\"income\":5,"
     "\"insured\":true,\"enrolled\":true},{\"name\":\"b\",\"age\":9,\"income\":7,"
     "\"insured\":true}]}",
     "2", "1", "12.00", "5.00", "true", "true", "12", "none", "7.00", "1000.00"},
};

START_TEST(test_vm_members)
{
  fixture f;
  fx_init(&f, members_rules);
  const char *j = members_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, "size", members_cases[_i].size);
  ASSERT_COL(&f, j, "dropouts", members_cases[_i].dropouts);
  ASSERT_COL(&f, j, "member_income", members_cases[_i].income);
  ASSERT_COL(&f, j, "adult_income", members_cases[_i].adult);
  ASSERT_COL(&f, j, "all_insured", members_cases[_i].all_ins);
  ASSERT_COL(&f, j, "has_child", members_cases[_i].child);
  ASSERT_COL(&f, j, "oldest", members_cases[_i].oldest);
  ASSERT_COL(&f, j, "youngest_adult", members_cases[_i].youngest);
  ASSERT_COL(&f, j, "highest_income", members_cases[_i].highest);
  ASSERT_COL(&f, j, "larger_of", members_cases[_i].larger);
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_member_rejected)
{
  fixture f;
  fx_init(&f, members_rules);
  ck_assert(!fx_load(&f, "{\"hh_id\":\"m\",\"members\":[{\"name\":\"a\",\"age\":200,"
                         "\"insured\":true}]}"));
  ck_assert_msg(strstr(f.why.message, "age") != NULL, "%s", f.why.message);
  ck_assert(!fx_load(&f, "{\"hh_id\":\"m\",\"members\":[{\"name\":\"a\",\"age\":20}]}"));
  ck_assert_msg(strstr(f.why.message, "insured") != NULL, "%s", f.why.message);
  /* and a good one afterwards */
  ck_assert_int_eq(fx_eval(&f, "{\"hh_id\":\"m\",\"members\":[{\"name\":\"a\",\"age\":20,"
                               "\"insured\":true}]}"),
                   VM_OK);
  ASSERT_COL(&f, "m", "size", "1");
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * Text functions
 * ========================================================================================== */

static const char text_rules[] =
    "record household key hh_id {\n"
    "  hh_id text required\n"
    "  village_code text required\n"
    "  housing_grade text required\n"
    "  name text required\n"
    "  head_id text required\n"
    "  card text optional\n"
    "}\n"
    "let safe_housing = housing_grade in {\"A\", \"B\"}\n"
    "let unsafe_housing = housing_grade not in {\"A\", \"B\"}\n"
    "let province = prefix(village_code, 2)\n"
    "let county = substr(village_code, 1, 6)\n"
    "let mid = substr(village_code, 0, 3)\n"
    "let past = substr(village_code, 20, 3)\n"
    "let western = province in {\"52\", \"53\", \"62\"}\n"
    "let is_demo = name matches /^demo/i\n"
    "let name_length = length(name)\n"
    "let name_upper = upper(name)\n"
    "let name_lower = lower(name)\n"
    "let name2 = prefix(name, 2)\n"
    "let id_valid = mod11_2(head_id)\n"
    "let card_valid = card is not none and luhn(card)\n"
    "output hh_id, safe_housing, unsafe_housing, province, county, mid, past, western, is_demo,"
    " name_length, name_upper, name_lower, name2, id_valid, card_valid\n";

static const struct {
  const char *json;
  const char *col, *want;
} text_cases[] = {
#define T1                                                                       \
  "{\"hh_id\":\"t1\",\"village_code\":\"530101001001\",\"housing_grade\":\"A\"," \
  "\"name\":\"Demo Family\",\"head_id\":\"11010519491231002X\",\"card\":\"79927398713\"}"
#define T2                                                                       \
  "{\"hh_id\":\"t2\",\"village_code\":\"110101001001\",\"housing_grade\":\"C\"," \
  "\"name\":\"王小明\",\"head_id\":\"110105194912310021\",\"card\":\"79927398710\"}"
#define T3                                                             \
  "{\"hh_id\":\"t3\",\"village_code\":\"62\",\"housing_grade\":\"B\"," \
  "\"name\":\"ÉCOLE ß\",\"head_id\":\"X\"}"
    {T1, "safe_housing", "true"},
    {T1, "unsafe_housing", "false"},
    {T1, "province", "53"},
    {T1, "county", "530101"},
    {T1, "mid", "53"}, /* start 0 uses up one of the count */
    {T1, "past", ""},
    {T1, "western", "true"},
    {T1, "is_demo", "true"},
    {T1, "name_length", "11"},
    {T1, "name_upper", "DEMO FAMILY"},
    {T1, "name_lower", "demo family"},
    {T1, "name2", "De"},
    {T1, "id_valid", "true"},
    {T1, "card_valid", "true"},
    {T2, "safe_housing", "false"},
    {T2, "unsafe_housing", "true"},
    {T2, "province", "11"},
    {T2, "western", "false"},
    {T2, "is_demo", "false"},
    {T2, "name_length", "3"},
    {T2, "name_upper", "王小明"},
    {T2, "name2", "王小"},
    {T2, "id_valid", "false"},
    {T2, "card_valid", "false"},
    {T3, "province", "62"},
    {T3, "county", "62"},
    {T3, "western", "true"},
    {T3, "name_lower", "école ß"},
    {T3, "name_upper", "ÉCOLE ß"},
    {T3, "name_length", "7"},
    {T3, "id_valid", "false"},
    {T3, "card_valid", "false"},
};

START_TEST(test_vm_text)
{
  fixture f;
  fx_init(&f, text_rules);
  const char *j = text_cases[_i].json;
  ck_assert_int_eq(fx_eval(&f, j), VM_OK);
  ASSERT_COL(&f, j, text_cases[_i].col, text_cases[_i].want);
  fx_fini(&f);
}
END_TEST

/* ============================================================================================
 * Run-time failures
 * ========================================================================================== */

static const char fail_rules[] = "record r key id {\n"
                                 "  id text required\n"
                                 "  n int required\n"
                                 "  k int required\n"
                                 "  m money required\n"
                                 "  x number required\n"
                                 "  t text required\n"
                                 "}\n"
                                 "let per = m / n\n"
                                 "let ratio = m / m\n"
                                 "let q = 7 / n\n"
                                 "let xq = x / k\n"
                                 "let prod = n * k\n"
                                 "let total = n + k\n"
                                 "let mm = m * k\n"
                                 "let neg = -n\n"
                                 "let xx = x * x\n"
                                 "let re = t matches /^(a+)+$/\n"
                                 "output id, per, ratio, q, xq, prod, total, mm, neg, xx, re\n";

static const struct {
  const char *json;
  vm_status st;
} fail_cases[] = {
    {"{\"id\":\"ok\",\"n\":2,\"k\":3,\"m\":10,\"x\":1.5,\"t\":\"aaa\"}", VM_OK},
    {"{\"id\":\"z1\",\"n\":0,\"k\":3,\"m\":10,\"x\":1.5,\"t\":\"a\"}", VM_ERR_DIV_ZERO},
    {"{\"id\":\"z2\",\"n\":2,\"k\":3,\"m\":0,\"x\":1.5,\"t\":\"a\"}", VM_ERR_DIV_ZERO},
    {"{\"id\":\"z3\",\"n\":2,\"k\":0,\"m\":1,\"x\":1.5,\"t\":\"a\"}", VM_ERR_DIV_ZERO},
    {"{\"id\":\"o1\",\"n\":4611686018427387904,\"k\":2,\"m\":1,\"x\":1,\"t\":\"a\"}",
     VM_ERR_OVERFLOW},
    {"{\"id\":\"o2\",\"n\":9223372036854775807,\"k\":1,\"m\":1,\"x\":1,\"t\":\"a\"}",
     VM_ERR_OVERFLOW},
    {"{\"id\":\"o3\",\"n\":1,\"k\":3,\"m\":92233720368547758.07,\"x\":1,\"t\":\"a\"}",
     VM_ERR_OVERFLOW},
    /* 7 / -2^63 needs a denominator of 2^63 */
    {"{\"id\":\"o4\",\"n\":-9223372036854775808,\"k\":1,\"m\":1,\"x\":1,\"t\":\"a\"}",
     VM_ERR_OVERFLOW},
    {"{\"id\":\"o5\",\"n\":1,\"k\":1,\"m\":1,\"x\":0.0000000001,\"t\":\"a\"}", VM_ERR_OVERFLOW},
    {"{\"id\":\"o6\",\"n\":1,\"k\":1,\"m\":1,\"x\":0.000000001,\"t\":\"a\"}", VM_OK},
};

START_TEST(test_vm_runtime_errors)
{
  fixture f;
  fx_init(&f, fail_rules);
  const char *j = fail_cases[_i].json;
  vm_status st = fx_eval(&f, j);
  ck_assert_msg(st == fail_cases[_i].st, "%s: status %d (%s), want %d (%s)", j, st,
                vm_status_str(st), fail_cases[_i].st, vm_status_str(fail_cases[_i].st));
  if (st != VM_OK) {
    ck_assert_int_eq(vm_error(f.ctx, NULL), st);
    ck_assert_uint_lt(vm_error_pc(f.ctx), f.P->ncode);
  }
  /* the context stays usable */
  const char *ok = "{\"id\":\"ok\",\"n\":2,\"k\":3,\"m\":10,\"x\":1.5,\"t\":\"aaa\"}";
  ck_assert_int_eq(fx_eval(&f, ok), VM_OK);
  ASSERT_COL(&f, ok, "per", "5.00");
  ASSERT_COL(&f, ok, "prod", "6");
  ASSERT_COL(&f, ok, "xx", "9/4");
  ASSERT_COL(&f, ok, "re", "true");
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_regex_limit)
{
  fixture f;
  fx_init(&f, fail_rules);
  char json[6000];
  int n = snprintf(json, sizeof json, "{\"id\":\"r\",\"n\":1,\"k\":1,\"m\":1,\"x\":1,\"t\":\"");
  memset(json + n, 'a', 4000);
  n += 4000;
  snprintf(json + n, sizeof json - (size_t)n, "b\"}");
  vm_status st = fx_eval(&f, json);
  ck_assert_msg(st == VM_ERR_REGEX_LIMIT, "status %d (%s)", st, vm_status_str(st));
  ck_assert_str_eq(vm_status_str(VM_ERR_REGEX_LIMIT), vm_status_str(st));
  /* afterwards a harmless subject matches again */
  ck_assert_int_eq(fx_eval(&f, "{\"id\":\"ok\",\"n\":2,\"k\":3,\"m\":10,\"x\":1.5,\"t\":\"aaa\"}"),
                   VM_OK);
  ASSERT_COL(&f, "ok", "re", "true");
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_status_strings)
{
  ck_assert_str_eq(vm_status_str(VM_ERR_DIV_ZERO), "division by zero");
  ck_assert_str_eq(vm_status_str(VM_ERR_OVERFLOW), "value out of range");
  ck_assert_uint_gt(strlen(vm_status_str(VM_ERR_REGEX_LIMIT)), 0);
}
END_TEST

/* ============================================================================================
 * One context, many records
 * ========================================================================================== */

START_TEST(test_vm_context_reuse)
{
  fixture f;
  fx_init(&f, money_rules);
  static const struct {
    const char *json, *pc, *status;
  } seq[] = {
      {"{\"hh_id\":\"a\",\"size\":4,\"net_income\":16000.02}", "4000.01", "above_line"},
      {"{\"hh_id\":\"b\",\"size\":4,\"net_income\":16000.01}", "4000.00", "below_line"},
      {"{\"hh_id\":\"c\",\"size\":1,\"net_income\":99999}", "99999.00", "above_line"},
      {"{\"hh_id\":\"d\",\"size\":2,\"net_income\":1}", "0.50", "below_line"},
  };
  for (int round = 0; round < 50; round++)
    for (int i = 0; i < N_ELEMS(seq); i++) {
      ck_assert_int_eq(fx_eval(&f, seq[i].json), VM_OK);
      ASSERT_COL(&f, seq[i].json, "per_capita", seq[i].pc);
      ASSERT_COL(&f, seq[i].json, "status", seq[i].status);
      ASSERT_COL(&f, seq[i].json, "hh_id", i == 0 ? "a" : i == 1 ? "b" : i == 2 ? "c" : "d");
    }
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_context_reuse_lazy)
{
  /* A derived value computed on demand: after a new record, vm_ensure computes it again even
   * though the cell was done for the previous record. */
  fixture f;
  fx_init(&f, none_rules);
  const prog_column *c = fx_column(&f, "total_income");
  ck_assert(fx_load(&f, "{\"hh_id\":\"a\",\"net_income\":1,\"pension\":2}"));
  ck_assert_int_eq(vm_ensure(f.ctx, c->cell), VM_OK);
  ASSERT_COL(&f, "a", "total_income", "3.00");
  ck_assert(fx_load(&f, "{\"hh_id\":\"b\",\"net_income\":10}"));
  ck_assert_int_eq(vm_ensure(f.ctx, c->cell), VM_OK);
  ASSERT_COL(&f, "b", "total_income", "10.00");
  ck_assert_int_eq(vm_ensure(f.ctx, c->cell), VM_OK); /* twice in one record: same value */
  ASSERT_COL(&f, "b", "total_income", "10.00");
  /* members: the element storage is reused; no element of an earlier record leaks */
  fx_fini(&f);

  fx_init(&f, members_rules);
  for (int i = 0; i < 20; i++) {
    ck_assert_int_eq(fx_eval(&f, members_cases[0].json), VM_OK);
    ASSERT_COL(&f, "m1", "size", "3");
    ASSERT_COL(&f, "m1", "member_income", "20000.50");
    ck_assert_int_eq(fx_eval(&f, members_cases[2].json), VM_OK);
    ASSERT_COL(&f, "m3", "size", "0");
    ASSERT_COL(&f, "m3", "oldest", "none");
    ck_assert_int_eq(fx_eval(&f, members_cases[1].json), VM_OK);
    ASSERT_COL(&f, "m2", "oldest", "70");
    ASSERT_COL(&f, "m2", "dropouts", "0");
  }
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_context_reuse_after_error)
{
  /* A record that fails half way leaves no half-computed value for the next one. */
  fixture f;
  fx_init(&f, money_rules);
  ck_assert_int_eq(fx_eval(&f, "{\"hh_id\":\"z\",\"size\":0,\"net_income\":5}"), VM_ERR_DIV_ZERO);
  ck_assert_int_eq(fx_eval(&f, "{\"hh_id\":\"b\",\"size\":4,\"net_income\":16000.01}"), VM_OK);
  ASSERT_COL(&f, "b", "per_capita", "4000.00");
  ASSERT_COL(&f, "b", "status", "below_line");
  ck_assert_uint_eq(fx_rule(&f, "status"), 1);
  fx_fini(&f);
}
END_TEST

START_TEST(test_vm_two_contexts_one_program)
{
  fixture f;
  fx_init(&f, money_rules);
  vm_ctx *other = vm_ctx_new(f.P);
  ck_assert_ptr_nonnull(other);
  jdoc d2;
  jdoc_init(&d2, NULL);
  const char *j2 = "{\"hh_id\":\"b\",\"size\":4,\"net_income\":16000.01}";
  ck_assert_int_eq(jdoc_parse(&d2, j2, strlen(j2), NULL), JDOC_OK);
  rec_reject why;
  rec_unknown unk = {0};
  ck_assert(rec_from_json(other, &d2, &why, &unk));
  ck_assert_int_eq(fx_eval(&f, "{\"hh_id\":\"a\",\"size\":4,\"net_income\":16000.02}"), VM_OK);
  const prog_column *c = fx_column(&f, "per_capita");
  ck_assert_int_eq(vm_ensure(other, c->cell), VM_OK);
  ck_assert_int_eq(vm_column_value(other, c)->u.i, 400000);
  ck_assert_int_eq(vm_column_value(f.ctx, c)->u.i, 400001);
  jdoc_fini(&d2);
  vm_ctx_free(other);
  fx_fini(&f);
}
END_TEST

static Suite *vm_suite(void)
{
  Suite *s = suite_create("vm");
  TCase *tc = tcase_create("values");
  tcase_add_loop_test(tc, test_vm_money_rounding, 0, N_ELEMS(money_cases));
  tcase_add_loop_test(tc, test_vm_exact, 0, N_ELEMS(exact_cases));
  tcase_add_loop_test(tc, test_vm_none, 0, N_ELEMS(none_cases));
  tcase_add_loop_test(tc, test_vm_text, 0, N_ELEMS(text_cases));
  suite_add_tcase(s, tc);

  tc = tcase_create("decisions");
  tcase_add_loop_test(tc, test_vm_decisions_and_flags, 0, N_ELEMS(decide_cases));
  tcase_add_test(tc, test_vm_decision_columns);
  tcase_add_loop_test(tc, test_vm_params, 0, N_ELEMS(param_cases));
  tcase_add_test(tc, test_vm_param_by_as_of);
  suite_add_tcase(s, tc);

  tc = tcase_create("lists");
  tcase_add_loop_test(tc, test_vm_members, 0, N_ELEMS(members_cases));
  tcase_add_test(tc, test_vm_member_rejected);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, 30);
  tcase_add_loop_test(tc, test_vm_runtime_errors, 0, N_ELEMS(fail_cases));
  tcase_add_test(tc, test_vm_regex_limit);
  tcase_add_test(tc, test_vm_status_strings);
  suite_add_tcase(s, tc);

  tc = tcase_create("reuse");
  tcase_add_test(tc, test_vm_context_reuse);
  tcase_add_test(tc, test_vm_context_reuse_lazy);
  tcase_add_test(tc, test_vm_context_reuse_after_error);
  tcase_add_test(tc, test_vm_two_contexts_one_program);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(vm_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
