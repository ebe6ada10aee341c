/*
 * check_undetermined.c -- three-valued evaluation is sound: whenever a record with absent
 * required fields gets a determined answer, every way of filling those fields gives that
 * same answer.
 *
 * Exhaustive on small cases, through the public API as an embedder uses it: for each base
 * record and each set of one or two of its required fields left absent, the record is
 * evaluated with ELIG_MISSING_UNDETERMINED; then each filling of the absent fields, drawn
 * around every threshold of the rules (each poverty and monitoring line times the household
 * size, one fen either side, the rigid expenses added, every value of a small field), is
 * evaluated as an ordinary record, and every column, decision and flag the first evaluation
 * determined must come out the same.  The test also fails when nothing was determined or
 * nothing undetermined, so that it cannot pass by saying "undetermined" everywhere or
 * never.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig.h"

static char *path_of(const char *rel)
{
  const char *srcdir = getenv("srcdir");
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/%s", srcdir ? srcdir : ".", rel);
  return buf;
}

static elig_ruleset *compile(const char *path, const char *text)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = path ? elig_compile_file(path, NULL, &rs, &d)
                        : elig_compile_string("t.rules", text, strlen(text), NULL, &rs, &d);
  if (st != ELIG_OK) {
    char *r = elig_diags_render(d, false);
    fprintf(stderr, "%s", r);
    elig_free(r);
  }
  ck_assert_int_eq(st, ELIG_OK);
  elig_diags_free(d);
  return rs;
}

/* ---------------------------------------------------------------- values as text */

/* A growing list of value texts. */
typedef struct {
  char **v;
  size_t n, cap;
} texts;

static void add(texts *t, const char *s)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->v[i], s) == 0)
      return;
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->v = realloc(t->v, t->cap * sizeof *t->v);
    ck_assert_ptr_nonnull(t->v);
  }
  t->v[t->n++] = strdup(s);
}

static void add_fen(texts *t, long long fen)
{
  char buf[40];
  long long a = fen < 0 ? -fen : fen;
  snprintf(buf, sizeof buf, "%s%lld.%02lld", fen < 0 ? "-" : "", a / 100, a % 100);
  add(t, buf);
}

static void texts_free(texts *t)
{
  for (size_t i = 0; i < t->n; i++)
    free(t->v[i]);
  free(t->v);
  memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- one evaluation */

/* What a result shows: each column and decision as text, each flag 0 (not raised),
 * 1 (raised) or 2 (undetermined). */
typedef struct {
  bool ok;
  char **cols, **decs;
  int *flags;
} outcome;

static void outcome_free(const elig_ruleset *rs, outcome *o)
{
  for (size_t i = 0; o->cols && i < elig_ruleset_column_count(rs); i++)
    free(o->cols[i]);
  for (size_t i = 0; o->decs && i < elig_ruleset_decision_count(rs); i++)
    free(o->decs[i]);
  free(o->cols);
  free(o->decs);
  free(o->flags);
  memset(o, 0, sizeof *o);
}

typedef struct {
  const elig_ruleset *rs;
  elig_ctx *ctx;
  const void *kept; /* the household's year before, or NULL */
  size_t kept_len;
} evaluator;

/* What result r shows, copied (the result lives until the context's next evaluation). */
static outcome outcome_of(const elig_ruleset *rs, const elig_result *r)
{
  outcome o = {0};
  o.ok = true;
  o.cols = calloc(elig_ruleset_column_count(rs) + 1, sizeof *o.cols);
  o.decs = calloc(elig_ruleset_decision_count(rs) + 1, sizeof *o.decs);
  o.flags = calloc(elig_ruleset_flag_count(rs) + 1, sizeof *o.flags);
  for (size_t i = 0; i < elig_ruleset_column_count(rs); i++)
    o.cols[i] = strdup(elig_result_column(r, i));
  for (size_t i = 0; i < elig_ruleset_decision_count(rs); i++)
    o.decs[i] = strdup(elig_result_decision(r, i));
  for (size_t i = 0; i < elig_ruleset_flag_count(rs); i++)
    o.flags[i] = elig_result_flag_undetermined(r, i) ? 2 : elig_result_flag(r, i);
  return o;
}

/* Evaluates the record whose field i holds values[i] (NULL: absent). */
static outcome evaluate(evaluator *e, const char *const *values, elig_missing missing)
{
  const elig_ruleset *rs = e->rs;
  outcome o = {0};
  ck_assert_int_eq(elig_ctx_set_missing(e->ctx, missing), ELIG_OK);
  elig_ctx_clear(e->ctx);
  for (size_t i = 0; i < elig_ruleset_field_count(rs); i++)
    if (values[i] && elig_ctx_set_text(e->ctx, i, values[i], strlen(values[i])) != ELIG_OK)
      return o;
  if (e->kept)
    ck_assert_int_eq(elig_ctx_set_previous(e->ctx, e->kept, e->kept_len), ELIG_OK);
  const elig_result *r = NULL;
  if (elig_eval(e->ctx, &r) != ELIG_OK)
    return o;
  return outcome_of(rs, r);
}

/* ---------------------------------------------------------------- the check */

typedef struct {
  unsigned long fillings;     /* ordinary evaluations compared */
  unsigned long determined;   /* results determined although the record lacked a field */
  unsigned long undetermined; /* results undetermined */
} tally;

/* Checks that every filling agrees with what `u` determined; counts into *t. */
static void compare(const elig_ruleset *rs, const outcome *u, const outcome *f, const char *what,
                    tally *t)
{
  t->fillings++;
  for (size_t i = 0; i < elig_ruleset_column_count(rs); i++)
    if (strcmp(u->cols[i], "undetermined") != 0)
      ck_assert_msg(strcmp(u->cols[i], f->cols[i]) == 0,
                    "%s: column %s determined as '%s' but a filling gives '%s'", what,
                    elig_ruleset_column_name(rs, i), u->cols[i], f->cols[i]);
  for (size_t i = 0; i < elig_ruleset_decision_count(rs); i++)
    if (strcmp(u->decs[i], "undetermined") != 0)
      ck_assert_msg(strcmp(u->decs[i], f->decs[i]) == 0,
                    "%s: decision %s determined as '%s' but a filling gives '%s'", what,
                    elig_ruleset_decision_name(rs, i), u->decs[i], f->decs[i]);
  for (size_t i = 0; i < elig_ruleset_flag_count(rs); i++) {
    ck_assert_int_ne(f->flags[i], 2);
    if (u->flags[i] != 2)
      ck_assert_msg(u->flags[i] == f->flags[i], "%s: flag %s determined %s but a filling gives %s",
                    what, elig_ruleset_flag_name(rs, i), u->flags[i] ? "raised" : "not raised",
                    f->flags[i] ? "raised" : "not raised");
  }
}

static void count(const elig_ruleset *rs, const outcome *u, tally *t)
{
  for (size_t i = 0; i < elig_ruleset_decision_count(rs); i++)
    strcmp(u->decs[i], "undetermined") == 0 ? t->undetermined++ : t->determined++;
  for (size_t i = 0; i < elig_ruleset_flag_count(rs); i++)
    u->flags[i] == 2 ? t->undetermined++ : t->determined++;
}

/* The candidate values of field f for a record, given which fields are unknown: provided by
 * each test. */
typedef void (*candidates_fn)(const elig_ruleset *rs, size_t f, const char *const *base,
                              const bool *unknown, texts *out);

/* Every filling of the unknown fields u[0..nu) from their candidates, depth first. */
static void fill(evaluator *e, const char **values, const size_t *u, size_t nu, texts *cands,
                 const outcome *undet, const char *what, tally *t)
{
  if (nu == 0) {
    outcome f = evaluate(e, values, ELIG_MISSING_REJECT);
    if (f.ok) /* a filling outside the schema (a check) is no record */
      compare(e->rs, undet, &f, what, t);
    outcome_free(e->rs, &f);
    return;
  }
  for (size_t i = 0; i < cands[0].n; i++) {
    values[u[0]] = cands[0].v[i];
    fill(e, values, u + 1, nu - 1, cands + 1, undet, what, t);
  }
  values[u[0]] = NULL;
}

/* For one base record: every set of one or two of the `optional_ok` fields left absent. */
static void check_base(evaluator *e, const char *const *base, const bool *may_lack,
                       candidates_fn cand, const char *name, tally *t)
{
  const elig_ruleset *rs = e->rs;
  size_t n = elig_ruleset_field_count(rs);
  const char **values = calloc(n + 1, sizeof *values);
  bool *unknown = calloc(n + 1, sizeof *unknown);
  ck_assert(values && unknown);
  for (size_t a = 0; a < n; a++)
    for (size_t b = a; b < n; b++) {
      if (!may_lack[a] || !may_lack[b])
        continue;
      size_t u[2] = {a, b}, nu = a == b ? 1 : 2;
      memcpy(values, base, n * sizeof *values);
      memset(unknown, 0, n * sizeof *unknown);
      for (size_t k = 0; k < nu; k++) {
        values[u[k]] = NULL;
        unknown[u[k]] = true;
      }
      outcome undet = evaluate(e, values, ELIG_MISSING_UNDETERMINED);
      ck_assert_msg(undet.ok, "%s without %s%s%s: not evaluated", name,
                    elig_ruleset_field_name(rs, a), nu == 2 ? " and " : "",
                    nu == 2 ? elig_ruleset_field_name(rs, b) : "");
      count(rs, &undet, t);
      texts cands[2] = {{0}, {0}};
      for (size_t k = 0; k < nu; k++)
        cand(rs, u[k], base, unknown, &cands[k]);
      char what[256];
      snprintf(what, sizeof what, "%s without %s%s%s", name, elig_ruleset_field_name(rs, a),
               nu == 2 ? " and " : "", nu == 2 ? elig_ruleset_field_name(rs, b) : "");
      fill(e, values, u, nu, cands, &undet, what, t);
      for (size_t k = 0; k < nu; k++)
        texts_free(&cands[k]);
      outcome_free(rs, &undet);
    }
  free(values);
  free(unknown);
}

/* ---------------------------------------------------------------- the national rules */

static const char *field_value(const elig_ruleset *rs, const char *const *rec, const char *name)
{
  size_t i;
  ck_assert_int_eq(elig_ruleset_field_index(rs, name, &i), ELIG_OK);
  return rec[i];
}

/* "12000" or "-3.5" in fen: exact, as money is. */
static long long fen_of(const char *s)
{
  if (!s)
    return 0;
  bool neg = *s == '-';
  long long yuan = 0, fen = 0;
  s += neg;
  for (; *s >= '0' && *s <= '9'; s++)
    yuan = yuan * 10 + (*s - '0');
  if (*s == '.') {
    fen = s[1] >= '0' && s[1] <= '9' ? (s[1] - '0') * 10 : 0;
    fen += s[1] && s[2] >= '0' && s[2] <= '9' ? s[2] - '0' : 0;
  }
  return (neg ? -1 : 1) * (yuan * 100 + fen);
}

static void national_candidates(const elig_ruleset *rs, size_t f, const char *const *base,
                                const bool *unknown, texts *out)
{
  const char *name = elig_ruleset_field_name(rs, f);
  size_t size_field;
  ck_assert_int_eq(elig_ruleset_field_index(rs, "size", &size_field), ELIG_OK);
  static const int few_sizes[] = {1, 2, 3, 5, 8, 30};
  if (strcmp(name, "net_income") == 0) {
    /* every line of the rules, per person, times each size the household may have, with
     * the rigid expenses added (sudden hardship) or doubled */
    static const long long lines[] = {2800, 2855, 2952, 2995,  3218,  4000,  6000,  6300,
                                      6600, 6900, 7200, 12000, 12600, 13200, 13800, 14400};
    long long rigid = fen_of(field_value(rs, base, "medical_expense")) +
                      fen_of(field_value(rs, base, "education_expense")) +
                      fen_of(field_value(rs, base, "disaster_loss"));
    for (size_t k = 0; k < sizeof few_sizes / sizeof *few_sizes + 1; k++) {
      long long s =
          k < sizeof few_sizes / sizeof *few_sizes ? few_sizes[k] : atoll(base[size_field]);
      if (!unknown[size_field] && s != atoll(base[size_field]))
        continue;
      for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
        long long at = lines[l] * 100 * s;
        const long long d[] = {-2 * s, -1, 0, 1, 2 * s};
        for (size_t j = 0; j < 5; j++) {
          add_fen(out, at + d[j]);
          add_fen(out, at + rigid + d[j]);
        }
      }
    }
    for (long long d = -1; d <= 1; d++)
      add_fen(out, 2 * rigid + d);
    add_fen(out, -500000);
    add_fen(out, 0);
    add_fen(out, 100000000);
  } else if (strcmp(name, "size") == 0) {
    /* with the income unknown too, a few sizes: the product is already large */
    char buf[8];
    size_t income;
    ck_assert_int_eq(elig_ruleset_field_index(rs, "net_income", &income), ELIG_OK);
    bool few = unknown[income];
    for (int s = 1; s <= 30; s++) {
      bool listed = false;
      for (size_t k = 0; k < sizeof few_sizes / sizeof *few_sizes; k++)
        listed |= few_sizes[k] == s;
      if (few && !listed)
        continue;
      snprintf(buf, sizeof buf, "%d", s);
      add(out, buf);
    }
  } else if (elig_ruleset_field_type(rs, f) == ELIG_TYPE_BOOL) {
    add(out, "true");
    add(out, "false");
  } else if (strcmp(name, "housing_grade") == 0) {
    add(out, "A");
    add(out, "B");
    add(out, "C");
    add(out, "D");
  } else if (strcmp(name, "labor_members") == 0) {
    add(out, "0");
    add(out, "1");
    add(out, "3");
  } else if (strcmp(name, "village_code") == 0) {
    add(out, "110101001001"); /* 2% */
    add(out, "530102001001"); /* 3% */
  } else {
    ck_abort_msg("no candidates for %s", name);
  }
}

/* A household: field=value pairs; the others absent. */
typedef struct {
  const char *name;
  const char *pairs;    /* "field=value;field=value" */
  const char *previous; /* the year before, the same way, or NULL */
} household;

static const char **record_of(const elig_ruleset *rs, const char *pairs)
{
  size_t n = elig_ruleset_field_count(rs);
  const char **v = calloc(n + 1, sizeof *v);
  char *copy = strdup(pairs), *save = NULL;
  ck_assert(v && copy);
  for (char *p = strtok_r(copy, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(p, '=');
    ck_assert_ptr_nonnull(eq);
    *eq = '\0';
    size_t i;
    ck_assert_msg(elig_ruleset_field_index(rs, p, &i) == ELIG_OK, "no field %s", p);
    v[i] = strdup(eq + 1);
  }
  free(copy);
  return v;
}

static void record_free(const elig_ruleset *rs, const char **v)
{
  for (size_t i = 0; i < elig_ruleset_field_count(rs); i++)
    free((char *)v[i]);
  free(v);
}

#define SECURE "food_secure=true;clothing_secure=true;water_safe=true;housing_grade=A;"

static const household households[] = {
    {"registered, just above the 2020 line",
     "hh_id=h1;village_code=110101001001;year=2020;size=4;net_income=16000.04;" SECURE
     "labor_members=1;registered_poor=true",
     NULL},
    {"registered, below the line, unsafe housing",
     "hh_id=h2;village_code=530102001001;year=2019;size=3;net_income=9000;food_secure=true;"
     "clothing_secure=true;water_safe=true;housing_grade=C;labor_members=2;registered_poor=true",
     NULL},
    {"not registered, income far above every line",
     "hh_id=h3;village_code=110101001001;year=2020;size=2;net_income=90000;" SECURE
     "labor_members=2;registered_poor=false",
     NULL},
    {"not registered, at the line",
     "hh_id=h4;village_code=110101001001;year=2020;size=5;net_income=20000;" SECURE
     "labor_members=2;registered_poor=false",
     NULL},
    {"exited, below the monitoring line",
     "hh_id=h5;village_code=530102001001;year=2020;size=3;net_income=15000;" SECURE
     "labor_members=1;registered_poor=false;exited_year=2018",
     NULL},
    {"no labour, no dibao, 2023",
     "hh_id=h6;village_code=110101001001;year=2023;size=1;net_income=6599.99;" SECURE
     "labor_members=0;registered_poor=false;dibao=false",
     NULL},
    {"heavy medical costs, 2021",
     "hh_id=h7;village_code=110101001001;year=2021;size=2;net_income=20000;medical_expense="
     "12000;" SECURE "labor_members=1;registered_poor=false",
     NULL},
    {"monitored the year before, above the line two years, 2022",
     "hh_id=h8;village_code=110101001001;year=2022;size=2;net_income=13000;" SECURE
     "labor_members=1;registered_poor=false",
     "hh_id=h8;village_code=110101001001;year=2021;size=2;net_income=11000;" SECURE
     "labor_members=1;registered_poor=false"},
    {"income fell by more than 30%, 2021",
     "hh_id=h9;village_code=110101001001;year=2021;size=3;net_income=15000;" SECURE
     "labor_members=1;registered_poor=false",
     "hh_id=h9;village_code=110101001001;year=2020;size=3;net_income=30000;" SECURE
     "labor_members=1;registered_poor=false"},
};

START_TEST(test_national_sound)
{
  elig_ruleset *rs = compile(path_of("rules/national.rules"), NULL);
  evaluator e = {rs, NULL, NULL, 0};
  ck_assert_int_eq(elig_ctx_new(rs, &e.ctx), ELIG_OK);
  size_t n = elig_ruleset_field_count(rs);
  bool *may_lack = calloc(n + 1, sizeof *may_lack);
  for (size_t i = 0; i < n; i++) {
    const char *name = elig_ruleset_field_name(rs, i);
    may_lack[i] = elig_ruleset_field_required(rs, i) && strcmp(name, "hh_id") != 0 &&
                  strcmp(name, "year") != 0;
  }
  tally t = {0};
  const household *h = &households[_i];
  const char **base = record_of(rs, h->pairs);
  void *kept = NULL;
  if (h->previous) {
    /* the year before, fully known: what it keeps is given to every evaluation */
    const char **prev = record_of(rs, h->previous);
    outcome o = evaluate(&e, prev, ELIG_MISSING_REJECT);
    ck_assert(o.ok);
    outcome_free(rs, &o);
    const elig_result *r = NULL;
    ck_assert_int_eq(elig_eval(e.ctx, &r), ELIG_OK);
    const void *k;
    ck_assert_int_eq(elig_result_kept(r, &k, &e.kept_len), ELIG_OK);
    kept = malloc(e.kept_len);
    memcpy(kept, k, e.kept_len);
    e.kept = kept;
    record_free(rs, prev);
  }
  check_base(&e, base, may_lack, national_candidates, h->name, &t);
  fprintf(stderr, "%s: %lu fillings compared, %lu results determined, %lu undetermined\n", h->name,
          t.fillings, t.determined, t.undetermined);
  ck_assert_uint_gt(t.fillings, 100);
  ck_assert_uint_gt(t.determined, 0);
  ck_assert_uint_gt(t.undetermined, 0);
  free(kept);
  record_free(rs, base);
  free(may_lack);
  elig_ctx_free(e.ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* The year before undetermined: a household's 2021 record lacks its income, so what it
 * keeps for 2022 (its monitoring state, whether it was above the line) is partly unknown;
 * the 2022 record, complete, reads it through previous().  Every 2022 result given as
 * known must be what each filling of the 2021 income gives, and `needs` names the year
 * before when a 2022 result depends on it. */
START_TEST(test_previous_year_sound)
{
  elig_ruleset *rs = compile(path_of("rules/national.rules"), NULL);
  elig_ctx *ctx = NULL;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
#define BEFORE                                                                                 \
  "{\"hh_id\":\"p\",\"village_code\":\"110101001001\",\"year\":2021,\"size\":2,%s"             \
  "\"food_secure\":true,\"clothing_secure\":true,\"water_safe\":true,\"housing_grade\":\"A\"," \
  "\"labor_members\":1,\"registered_poor\":false}"

#define NOW                                                                              \
  "{\"hh_id\":\"p\",\"village_code\":\"110101001001\",\"year\":2022,\"size\":2,"         \
  "\"net_income\":%s,\"food_secure\":true,\"clothing_secure\":true,\"water_safe\":true," \
  "\"housing_grade\":\"A\",\"labor_members\":1,\"registered_poor\":false}"
  /* this year's incomes: below, at and above twice the 2022 line (6300), and far above */
  static const char *const incomes[] = {"9000", "12600", "12600.02", "13000", "40000"};
  /* last year's, filled in: around twice the 2021 line (6000) and the drop tests */
  static const long long fills[] = {0,       500000,  1199998, 1199999, 1200000, 1200001,
                                    1300000, 1714285, 1714286, 1857142, 1857143, 5000000};
  unsigned long compared = 0, determined = 0, previous_needed = 0;
  char rec[1024], money[32];
  for (size_t i = 0; i < sizeof incomes / sizeof *incomes; i++) {
    /* last year unknown */
    const elig_result *r;
    ck_assert_int_eq(elig_ctx_set_missing(ctx, ELIG_MISSING_UNDETERMINED), ELIG_OK);
    snprintf(rec, sizeof rec, BEFORE, "");
    ck_assert_int_eq(elig_eval_json(ctx, rec, strlen(rec), &r), ELIG_OK);
    const void *k;
    size_t klen;
    ck_assert_int_eq(elig_result_kept(r, &k, &klen), ELIG_OK);
    void *kept = malloc(klen);
    memcpy(kept, k, klen);
    ck_assert_int_eq(elig_ctx_set_previous(ctx, kept, klen), ELIG_OK);
    snprintf(rec, sizeof rec, NOW, incomes[i]);
    ck_assert_int_eq(elig_eval_json(ctx, rec, strlen(rec), &r), ELIG_OK);
    size_t nd = elig_ruleset_decision_count(rs), nf = elig_ruleset_flag_count(rs);
    char *decs[8];
    int flags[16];
    ck_assert(nd <= 8 && nf <= 16);
    for (size_t d = 0; d < nd; d++)
      decs[d] = strdup(elig_result_decision(r, d));
    for (size_t f = 0; f < nf; f++)
      flags[f] = elig_result_flag_undetermined(r, f) ? 2 : elig_result_flag(r, f);
    previous_needed += strstr(elig_result_needs(r), "previous year") != NULL;
    /* every filling of last year's income */
    ck_assert_int_eq(elig_ctx_set_missing(ctx, ELIG_MISSING_REJECT), ELIG_OK);
    for (size_t f = 0; f < sizeof fills / sizeof *fills; f++) {
      char field[64];
      snprintf(money, sizeof money, "%lld.%02lld", fills[f] / 100, fills[f] % 100);
      snprintf(field, sizeof field, "\"net_income\":%s,", money);
      snprintf(rec, sizeof rec, BEFORE, field);
      ck_assert_int_eq(elig_eval_json(ctx, rec, strlen(rec), &r), ELIG_OK);
      ck_assert_int_eq(elig_result_kept(r, &k, &klen), ELIG_OK);
      void *filled = malloc(klen);
      memcpy(filled, k, klen);
      ck_assert_int_eq(elig_ctx_set_previous(ctx, filled, klen), ELIG_OK);
      snprintf(rec, sizeof rec, NOW, incomes[i]);
      ck_assert_int_eq(elig_eval_json(ctx, rec, strlen(rec), &r), ELIG_OK);
      for (size_t d = 0; d < nd; d++)
        if (strcmp(decs[d], "undetermined") != 0)
          ck_assert_msg(strcmp(decs[d], elig_result_decision(r, d)) == 0,
                        "2022 income %s, 2021 income %s: %s determined as %s, filled gives %s",
                        incomes[i], money, elig_ruleset_decision_name(rs, d), decs[d],
                        elig_result_decision(r, d));
      for (size_t g = 0; g < nf; g++)
        if (flags[g] != 2)
          ck_assert_msg(flags[g] == elig_result_flag(r, g),
                        "2022 income %s, 2021 income %s: flag %s", incomes[i], money,
                        elig_ruleset_flag_name(rs, g));
      compared++;
      free(filled);
    }
    for (size_t d = 0; d < nd; d++) {
      determined += strcmp(decs[d], "undetermined") != 0;
      free(decs[d]);
    }
    free(kept);
  }
  fprintf(stderr,
          "previous year undetermined: %lu fillings compared, %lu decisions determined, "
          "%lu records needing the year before\n",
          compared, determined, previous_needed);
  ck_assert_uint_gt(determined, 0);
  ck_assert_uint_gt(previous_needed, 0);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- the logic itself */

/* Small rules with `or`, `not`, `if`, arithmetic and comparisons across unknowns, over
 * every value of every field. */
static const char synthetic_rules[] =
    "record r key id {\n"
    "  id text required\n"
    "  a  int  required between 0 and 10\n"
    "  b  bool required\n"
    "  c  bool required\n"
    "  m  money required\n"
    "  n  money optional\n"
    "}\n"
    "let x = if b then a * 2 else a + 1\n"
    "let share = m / (a + 1)\n"
    "decide d\n"
    "  when not b or c then \"one\" because \"1\"\n"
    "  when x > 5 and m >= 100 then \"two\" because \"2\"\n"
    "  when share > 50 and not (a = 3) then \"three\" because \"3\"\n"
    "  otherwise \"four\" because \"4\"\n"
    "monitor f severity high\n"
    "  when (a > 3 or b) and not (c and m < 50)\n"
    "  because \"f\"\n"
    "monitor g severity low\n"
    "  when (n or 0) + m > 75 or a * a < 10\n"
    "  because \"g\"\n"
    "monitor h severity low\n"
    "  when b or not b\n"
    "  because \"h\"\n"
    "output id, x, share, d, flags\n";

static void synthetic_candidates(const elig_ruleset *rs, size_t f, const char *const *base,
                                 const bool *unknown, texts *out)
{
  (void)base;
  (void)unknown;
  const char *name = elig_ruleset_field_name(rs, f);
  if (strcmp(name, "a") == 0) {
    for (int a = 0; a <= 10; a++) {
      char buf[8];
      snprintf(buf, sizeof buf, "%d", a);
      add(out, buf);
    }
  } else if (strcmp(name, "m") == 0) {
    static const long long fen[] = {0,    4999,  5000,  5001,  7499,  7500,  7501,
                                    9999, 10000, 10001, 20000, 55000, 60000, 1000000};
    for (size_t i = 0; i < sizeof fen / sizeof *fen; i++)
      add_fen(out, fen[i]);
  } else {
    add(out, "true");
    add(out, "false");
  }
}

START_TEST(test_synthetic_sound)
{
  elig_ruleset *rs = compile(NULL, synthetic_rules);
  evaluator e = {rs, NULL, NULL, 0};
  ck_assert_int_eq(elig_ctx_new(rs, &e.ctx), ELIG_OK);
  static const char *const bases[] = {
      "id=1;a=3;b=true;c=false;m=100", "id=2;a=0;b=false;c=false;m=49.99",
      "id=3;a=10;b=true;c=true;m=600;n=1", "id=4;a=5;b=false;c=true;m=75"};
  size_t n = elig_ruleset_field_count(rs);
  bool *may_lack = calloc(n + 1, sizeof *may_lack);
  for (size_t i = 0; i < n; i++)
    may_lack[i] = elig_ruleset_field_required(rs, i) && i != 0;
  tally t = {0};
  for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
    const char **base = record_of(rs, bases[b]);
    check_base(&e, base, may_lack, synthetic_candidates, bases[b], &t);
    record_free(rs, base);
  }
  ck_assert_uint_gt(t.fillings, 1000);
  ck_assert_uint_gt(t.determined, 0);
  ck_assert_uint_gt(t.undetermined, 0);
  free(may_lack);
  elig_ctx_free(e.ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* ---------------------------------------------------------------- list elements */

/* Members whose fields may be absent: counts, sums and any() over them, and decisions and
 * flags on the results, with a field of the household beside. */
static const char member_rules[] =
    "record person {\n"
    "  age      int   required between 0 and 100\n"
    "  disabled bool  required\n"
    "  income   money required\n"
    "}\n"
    "record h key id {\n"
    "  id      text  required\n"
    "  size    int   required between 1 and 9\n"
    "  members list of person\n"
    "}\n"
    "let workers = count(members where age >= 16 and age < 60 and not disabled)\n"
    "let earned = sum(members.income where not disabled)\n"
    "let per_person = earned / size\n"
    "decide d\n"
    "  when workers = 0 and any(members where age >= 65) then \"elder\" because \"1\"\n"
    "  when workers = 0 then \"none\" because \"2\"\n"
    "  when per_person < 1000 then \"low\" because \"3\"\n"
    "  otherwise \"ok\" because \"4\"\n"
    "monitor child severity low\n"
    "  when any(members where age < 16)\n"
    "  because \"c\"\n"
    "monitor all_disabled severity high\n"
    "  when all(members where disabled) and count(members) > 0\n"
    "  because \"a\"\n"
    "output id, workers, earned, per_person, d, flags\n";

enum {
  MEMBER_FIELDS = 3,
  MAX_MEMBERS = 3
};
static const char *const member_field_names[MEMBER_FIELDS] = {"age", "disabled", "income"};

/* The candidates of member field k: around every threshold of member_rules. */
static const char *const member_candidates[MEMBER_FIELDS][10] = {
    {"0", "15", "16", "30", "59", "60", "64", "65", "100", NULL},
    {"true", "false", NULL},
    {"\"0\"", "\"999.99\"", "\"1000\"", "\"1999.99\"", "\"2000\"", "\"2000.01\"", "\"5000\"",
     NULL}};

typedef struct {
  const char *size;
  unsigned nmembers;
  const char *v[MAX_MEMBERS][MEMBER_FIELDS]; /* as JSON; NULL: absent */
} member_household;

static void member_json(const member_household *h, char *buf, size_t size)
{
  size_t n = (size_t)snprintf(buf, size, "{\"id\":\"m\",\"size\":%s,\"members\":[", h->size);
  for (unsigned m = 0; m < h->nmembers; m++) {
    n += (size_t)snprintf(buf + n, size - n, "%s{", m ? "," : "");
    bool first = true;
    for (unsigned k = 0; k < MEMBER_FIELDS; k++)
      if (h->v[m][k]) {
        n += (size_t)snprintf(buf + n, size - n, "%s\"%s\":%s", first ? "" : ",",
                              member_field_names[k], h->v[m][k]);
        first = false;
      }
    n += (size_t)snprintf(buf + n, size - n, "}");
  }
  snprintf(buf + n, size - n, "]}");
}

/* The outcome of one household (json) under `missing`. */
static outcome member_outcome(const elig_ruleset *rs, elig_ctx *ctx, const char *json,
                              elig_missing missing)
{
  outcome o = {0};
  const elig_result *r = NULL;
  ck_assert_int_eq(elig_ctx_set_missing(ctx, missing), ELIG_OK);
  if (elig_eval_json(ctx, json, strlen(json), &r) != ELIG_OK)
    return o;
  return outcome_of(rs, r);
}

/* Every filling of the absent member fields at[0..n) (member * MEMBER_FIELDS + field). */
static void member_fill(const elig_ruleset *rs, elig_ctx *ctx, member_household *h,
                        const unsigned *at, unsigned n, const outcome *undet, const char *what,
                        tally *t)
{
  if (n == 0) {
    char json[1024];
    member_json(h, json, sizeof json);
    outcome f = member_outcome(rs, ctx, json, ELIG_MISSING_REJECT);
    ck_assert_msg(f.ok, "%s: a filling rejected", what);
    compare(rs, undet, &f, what, t);
    outcome_free(rs, &f);
    return;
  }
  unsigned m = at[0] / MEMBER_FIELDS, k = at[0] % MEMBER_FIELDS;
  for (const char *const *c = member_candidates[k]; *c; c++) {
    h->v[m][k] = *c;
    member_fill(rs, ctx, h, at + 1, n - 1, undet, what, t);
  }
  h->v[m][k] = NULL;
}

START_TEST(test_members_sound)
{
  elig_ruleset *rs = compile(NULL, member_rules);
  elig_ctx *ctx = NULL;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  static const member_household bases[] = {
      {"2", 2, {{"30", "false", "\"1500\""}, {"70", "false", "\"0\""}}},
      {"3", 3, {{"10", "false", "\"0\""}, {"40", "true", "\"900\""}, {"66", "false", "\"2500\""}}},
      {"1", 1, {{"59", "false", "\"999.99\""}}},
      {"4", 2, {{"16", "true", "\"3000\""}, {"65", "true", "\"3000\""}}},
  };
  tally t = {0};
  unsigned needs_named = 0;
  for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
    unsigned nvalues = bases[b].nmembers * MEMBER_FIELDS;
    for (unsigned x = 0; x < nvalues; x++)
      for (unsigned y = x; y < nvalues; y++) {
        member_household h = bases[b];
        unsigned at[2] = {x, y}, n = x == y ? 1 : 2;
        for (unsigned i = 0; i < n; i++)
          h.v[at[i] / MEMBER_FIELDS][at[i] % MEMBER_FIELDS] = NULL;
        char json[1024], what[96];
        member_json(&h, json, sizeof json);
        snprintf(what, sizeof what, "household %zu without member values %u and %u", b, x, y);
        outcome undet = member_outcome(rs, ctx, json, ELIG_MISSING_UNDETERMINED);
        ck_assert_msg(undet.ok, "%s: not evaluated", what);
        count(rs, &undet, &t);
        /* what the result needs is among what was left out, named as members[K].field */
        const elig_result *r = NULL;
        ck_assert_int_eq(elig_eval_json(ctx, json, strlen(json), &r), ELIG_OK);
        const char *needs = elig_result_needs(r);
        for (unsigned i = 0; i < n; i++) {
          char name[48];
          snprintf(name, sizeof name, "members[%u].%s", at[i] / MEMBER_FIELDS,
                   member_field_names[at[i] % MEMBER_FIELDS]);
          needs_named += strstr(needs, name) != NULL;
        }
        ck_assert_msg(!*needs || strstr(needs, "members["), "%s: needs '%s'", what, needs);
        member_fill(rs, ctx, &h, at, n, &undet, what, &t);
        outcome_free(rs, &undet);
      }
  }
  fprintf(stderr,
          "members: %lu fillings compared, %lu results determined and %lu undetermined, "
          "%u absent values named in needs\n",
          t.fillings, t.determined, t.undetermined, needs_named);
  ck_assert_uint_gt(t.fillings, 1000);
  ck_assert_uint_gt(t.determined, 0);
  ck_assert_uint_gt(t.undetermined, 0);
  ck_assert_uint_gt(needs_named, 0);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

/* The example of the standard: a household that is not registered and has an income far
 * above every line is not_poor whether or not food_secure is known; and an absent required
 * field is reported as needed only when the result depends on it. */
START_TEST(test_needs)
{
  elig_ruleset *rs = compile(path_of("rules/national.rules"), NULL);
  elig_ctx *ctx = NULL;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_missing(ctx, ELIG_MISSING_UNDETERMINED), ELIG_OK);
  ck_assert_int_eq(elig_ctx_set_missing(ctx, (elig_missing)7), ELIG_EINVAL);
  const char rich[] = "{\"hh_id\":\"x\",\"village_code\":\"110101001001\",\"year\":2020,"
                      "\"size\":2,\"net_income\":90000,\"clothing_secure\":true,"
                      "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
                      "\"registered_poor\":false}";
  const elig_result *r = NULL;
  ck_assert_int_eq(elig_eval_json(ctx, rich, strlen(rich), &r), ELIG_OK);
  size_t status, guarantee;
  ck_assert_int_eq(elig_ruleset_decision_index(rs, "status", &status), ELIG_OK);
  ck_assert_int_eq(elig_ruleset_flag_index(rs, "guarantee_gap", &guarantee), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, status), "not_poor");
  /* food_secure decides guarantee_gap, and so the record needs it */
  ck_assert(elig_result_flag_undetermined(r, guarantee));
  ck_assert_str_eq(elig_result_needs(r), "food_secure");
  const char poor[] = "{\"hh_id\":\"y\",\"village_code\":\"110101001001\",\"year\":2019,"
                      "\"size\":2,\"food_secure\":true,\"clothing_secure\":true,"
                      "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
                      "\"registered_poor\":true}";
  ck_assert_int_eq(elig_eval_json(ctx, poor, strlen(poor), &r), ELIG_OK);
  ck_assert_str_eq(elig_result_decision(r, status), "undetermined");
  ck_assert_uint_eq(elig_result_decision_rule(r, status), 0);
  ck_assert_ptr_null(elig_result_decision_reason(r, status));
  ck_assert_str_eq(elig_result_needs(r), "net_income");
  /* the default rejects it */
  ck_assert_int_eq(elig_ctx_set_missing(ctx, ELIG_MISSING_REJECT), ELIG_OK);
  ck_assert_int_eq(elig_eval_json(ctx, poor, strlen(poor), &r), ELIG_EREJECT);
  /* a key is never unknown */
  ck_assert_int_eq(elig_ctx_set_missing(ctx, ELIG_MISSING_UNDETERMINED), ELIG_OK);
  const char nokey[] = "{\"village_code\":\"110101001001\",\"year\":2019,\"size\":2,"
                       "\"net_income\":1,\"food_secure\":true,\"clothing_secure\":true,"
                       "\"water_safe\":true,\"housing_grade\":\"A\",\"labor_members\":1,"
                       "\"registered_poor\":true}";
  ck_assert_int_eq(elig_eval_json(ctx, nokey, strlen(nokey), &r), ELIG_EREJECT);
  /* a malformed value still rejects */
  const char bad[] = "{\"hh_id\":\"z\",\"village_code\":\"110101001001\",\"year\":2019,"
                     "\"size\":\"two\"}";
  ck_assert_int_eq(elig_eval_json(ctx, bad, strlen(bad), &r), ELIG_EREJECT);
  elig_ctx_free(ctx);
  elig_ruleset_free(rs);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("undetermined");
  TCase *tc = tcase_create("sound");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_needs);
  tcase_add_test(tc, test_synthetic_sound);
  tcase_add_test(tc, test_members_sound);
  tcase_add_test(tc, test_previous_year_sound);
  tcase_add_loop_test(tc, test_national_sound, 0, sizeof households / sizeof *households);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
