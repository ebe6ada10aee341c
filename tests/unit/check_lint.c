/*
 * check_lint.c -- the warnings of src/lint.c are never wrong, checked against every record.
 *
 * A schema whose fields can take only a few values each (ints and money between small bounds,
 * a text `one of`, bools, dates between two days, optional fields that may be none, an int
 * whose default lies outside its range) has a few thousand records in all.  Random decisions
 * and flags over it (naming derived conditions too) are compiled, and every record is
 * evaluated through the public API:
 *   sound     a rule warned never chosen (W0001, W0010, W0012) is chosen for no record; a
 *             flag warned never raised (W0010) is raised for none, one warned always raised
 *             (W0011) for all, one warned the same as another (W0013) for exactly the records
 *             an earlier flag is;
 *   complete  with conditions only over what cond.c reasons about fully (comparisons with
 *             constants, sets, none tests and bools on fields), the converse too: a rule
 *             chosen for no record is warned about, and so is a flag raised for none or for
 *             all, or one whose condition is written as an earlier flag's.  (Two flags that
 *             are the same but compare different values, `p` and `p or (a = 1 and a != 1)`,
 *             are not looked for: lint.c compares only flags that read the same values.)
 * The random texts are drawn from a fixed seed, so a failure can be replayed; it prints the
 * rule text.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig.h"

#define TRIALS 60
#define MAX_LINES 64
#define MAX_RECORDS 30000

/* ---------------------------------------------------------------- random rule texts */

static unsigned long long seed;

static unsigned draw(unsigned n)
{
  seed = seed * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)((seed >> 33) % n);
}

static const char *pick(const char *const *v, unsigned n)
{
  return v[draw(n)];
}

#define PICK(v) pick(v, sizeof v / sizeof *v)

typedef struct {
  char text[16384];
  size_t len;
  unsigned line; /* the line being written, from 1 */
} rules_text;

static void put(rules_text *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->text + t->len, sizeof t->text - t->len, fmt, ap);
  va_end(ap);
  ck_assert(n >= 0 && (size_t)n < sizeof t->text - t->len);
  for (int i = 0; i < n; i++)
    t->line += t->text[t->len + i] == '\n';
  t->len += (size_t)n;
}

static const char *const ops[] = {"<", "<=", ">", ">=", "=", "!="};

/* Derived conditions l0, l1, ... written so far, which later conditions may name. */
static unsigned lets_visible;

/* One comparison, set test, none test or bool; `complete`: only what cond.c reasons about
 * fully. */
static void atom(rules_text *t, bool complete)
{
  static const char *const ints[] = {"-1", "0", "1", "2", "3", "4", "1.5"};
  static const char *const fens[] = {"0", "0.01", "0.015", "0.02", "0.03", "-0.01", "1"};
  static const char *const texts[] = {"\"A\"", "\"B\"", "\"C\"", "\"D\""};
  static const char *const sets[] = {"{\"A\", \"C\"}", "{\"B\"}", "{}", "{\"A\", \"B\", \"C\"}"};
  static const char *const int_sets[] = {"{1, 3}", "{0}", "{0, 1, 2, 3}", "{5}"};
  static const char *const days[] = {"2019-12-31", "2020-01-01", "2020-01-02", "2020-01-03"};
  /* g appears only as `g or 1`: once `g is not none` narrowed it, `or` would be a condition */
  unsigned kinds = complete ? 9 : 14;
  if (lets_visible && draw(5) == 0) {
    put(t, "%sl%u", draw(2) ? "not " : "", draw(lets_visible));
    return;
  }
  switch (draw(kinds)) {
  case 0: put(t, "a %s %s", PICK(ops), PICK(ints)); break;
  case 1: put(t, "(b is not none and b %s %s)", PICK(ops), PICK(ints)); break;
  case 2: put(t, "b is %snone", draw(2) ? "not " : ""); break;
  case 3: put(t, "c %s %s", PICK(ops), PICK(fens)); break;
  case 4: put(t, "t %s %s", draw(2) ? "=" : "!=", PICK(texts)); break;
  case 5: put(t, "t %sin %s", draw(2) ? "not " : "", PICK(sets)); break;
  case 6: put(t, "%s", PICK(((const char *const[]){"p", "not p", "p = true", "p != true"}))); break;
  case 7: put(t, "d %s %s", PICK(ops), PICK(days)); break;
  case 8: put(t, "a %sin %s", draw(2) ? "not " : "", PICK(int_sets)); break;
  /* reasoned about soundly but not fully: a default outside the range, a number, pairs,
   * `or` defaults */
  case 9:
    put(t, "e %s %s", PICK(ops), PICK(((const char *const[]){"0", "2", "3", "9", "10"})));
    break;
  case 10:
    put(t, "a / 2 %s %s", PICK(ops), PICK(((const char *const[]){"0.5", "1", "1.5"})));
    break;
  case 11: put(t, "a %s e", PICK(ops)); break;
  case 12: put(t, "(g or 1) %s %s", PICK(ops), PICK(ints)); break;
  default: put(t, "%s", PICK(((const char *const[]){"(q or false)", "q is none", "c < a"}))); break;
  }
}

static void condition(rules_text *t, bool complete, unsigned depth)
{
  unsigned k = depth ? draw(6) : 0;
  if (k == 0 || k > 3) {
    atom(t, complete);
    return;
  }
  if (k == 3) {
    put(t, "not (");
    condition(t, complete, depth - 1);
    put(t, ")");
    return;
  }
  put(t, "(");
  condition(t, complete, depth - 1);
  put(t, k == 1 ? " and " : " or ");
  condition(t, complete, depth - 1);
  put(t, ")");
}

/* What each line of the text is: rule r of decision d (r from 1, the otherwise last), or
 * flag f (from 0). */
typedef struct {
  int decision, rule, flag;
} line_use;

typedef struct {
  rules_text t;
  line_use use[MAX_LINES + 1];
  unsigned ndecisions, rules[4], nflags;
  char flag_cond[8][512];
  int copy_of[8]; /* the earlier flag whose condition a flag's copies, or -1 */
} trial;

static const char schema[] = "record h key id {\n"
                             "  id text required\n"
                             "  a int required between 0 and 3\n"
                             "  b int optional between 0 and 3\n"
                             "  c money required between 0 and 0.02\n"
                             "  t text required one of \"A\", \"B\", \"C\"\n"
                             "  p bool required\n"
                             "  q bool optional\n"
                             "  d date required between 2020-01-01 and 2020-01-02\n"
                             "  e int default 9 between 0 and 2\n"
                             "  g int optional between 0 and 1\n"
                             "}\n";

static void mark(trial *x, int decision, int rule, int flag)
{
  ck_assert(x->t.line <= MAX_LINES);
  x->use[x->t.line] = (line_use){decision, rule, flag};
}

static void make_trial(trial *x, bool complete)
{
  memset(x, 0, sizeof *x);
  x->t.line = 1;
  put(&x->t, "%s", schema);
  /* derived conditions, each seen through where it is named */
  lets_visible = 0;
  unsigned nlets = draw(3);
  for (unsigned l = 0; l < nlets; l++) {
    put(&x->t, "let l%u = ", l);
    condition(&x->t, complete, 2);
    put(&x->t, "\n");
    lets_visible++;
  }
  x->ndecisions = 1 + draw(2);
  for (unsigned d = 0; d < x->ndecisions; d++) {
    x->rules[d] = 2 + draw(5);
    put(&x->t, "decide s%u\n", d);
    for (unsigned r = 1; r <= x->rules[d]; r++) {
      mark(x, (int)d, (int)r, -1);
      put(&x->t, "  when ");
      condition(&x->t, complete, 2);
      /* now and then the same outcome as the rule before, for W0012 */
      put(&x->t, " then \"r%u\" because \"x\"\n", r > 1 && draw(4) == 0 ? r - 1 : r);
    }
    mark(x, (int)d, (int)x->rules[d] + 1, -1);
    put(&x->t, "  otherwise \"z\" because \"x\"\n");
  }
  x->nflags = 2 + draw(4);
  for (unsigned f = 0; f < x->nflags; f++) {
    mark(x, -1, 0, (int)f);
    put(&x->t, "monitor f%u severity high when ", f);
    size_t from = x->t.len;
    x->copy_of[f] = f > 0 && draw(4) == 0 ? (int)draw(f) : -1;
    if (x->copy_of[f] >= 0)
      put(&x->t, "%s", x->flag_cond[x->copy_of[f]]); /* the same as an earlier flag */
    else
      condition(&x->t, complete, 2);
    size_t n = x->t.len - from;
    ck_assert_uint_lt(n, sizeof x->flag_cond[f]);
    memcpy(x->flag_cond[f], x->t.text + from, n);
    x->flag_cond[f][n] = '\0';
    put(&x->t, " because \"x\"\n");
  }
}

/* ---------------------------------------------------------------- every record */

/* Each field's values as the setters take them; NULL is absent. */
static const char *const a_values[] = {"0", "1", "2", "3"};
static const char *const b_values[] = {NULL, "0", "1", "2", "3"};
static const char *const c_values[] = {"0.00", "0.01", "0.02"};
static const char *const t_values[] = {"A", "B", "C"};
static const char *const p_values[] = {"false", "true"};
static const char *const q_values[] = {NULL, "false", "true"};
static const char *const d_values[] = {"2020-01-01", "2020-01-02"};
static const char *const e_values[] = {NULL, "0", "1", "2"};
static const char *const g_values[] = {NULL, "0", "1"};

typedef struct {
  const char *name;
  const char *const *values;
  unsigned n;
} field_values;

#define FIELD(name, v)            \
  {                               \
    name, v, sizeof v / sizeof *v \
  }
static const field_values fields[] = {
    FIELD("a", a_values), FIELD("b", b_values), FIELD("c", c_values),
    FIELD("t", t_values), FIELD("p", p_values), FIELD("q", q_values),
    FIELD("d", d_values), FIELD("e", e_values), FIELD("g", g_values),
};
#define NFIELDS (sizeof fields / sizeof *fields)

/* What the records did: which rules were chosen, and each flag for each record. */
typedef struct {
  bool chosen[4][16];
  unsigned char raised[8][MAX_RECORDS];
  unsigned nrecords;
} outcomes;

/* (The loop over records asserts only on failure: each ck_assert writes to a file, which
 * would cost more than the evaluation.) */
static void set_field(elig_ctx *ctx, size_t index, const char *value)
{
  elig_status st =
      value ? elig_ctx_set_text(ctx, index, value, strlen(value)) : elig_ctx_set_none(ctx, index);
  if (st != ELIG_OK)
    ck_abort_msg("setting a field: %s", elig_status_str(st));
}

static void evaluate_all(const elig_ruleset *rs, const trial *x, outcomes *o)
{
  elig_ctx *ctx;
  size_t index[NFIELDS], id;
  ck_assert_int_eq(elig_ctx_new(rs, &ctx), ELIG_OK);
  ck_assert_int_eq(elig_ruleset_field_index(rs, "id", &id), ELIG_OK);
  for (size_t f = 0; f < NFIELDS; f++)
    ck_assert_int_eq(elig_ruleset_field_index(rs, fields[f].name, &index[f]), ELIG_OK);
  unsigned pos[NFIELDS] = {0};
  memset(o, 0, sizeof *o);
  for (;;) {
    elig_ctx_clear(ctx);
    set_field(ctx, id, "x");
    for (size_t f = 0; f < NFIELDS; f++)
      set_field(ctx, index[f], fields[f].values[pos[f]]);
    const elig_result *r;
    if (elig_eval(ctx, &r) != ELIG_OK || o->nrecords == MAX_RECORDS)
      ck_abort_msg("record %u not evaluated:\n%s", o->nrecords, x->t.text);
    for (unsigned d = 0; d < x->ndecisions; d++)
      o->chosen[d][elig_result_decision_rule(r, d)] = true;
    for (unsigned f = 0; f < x->nflags; f++)
      o->raised[f][o->nrecords] = elig_result_flag(r, f);
    o->nrecords++;
    size_t f = 0;
    while (f < NFIELDS && ++pos[f] == fields[f].n)
      pos[f++] = 0;
    if (f == NFIELDS)
      break;
  }
  elig_ctx_free(ctx);
}

/* ---------------------------------------------------------------- the warnings */

/* The warnings at each line: bit k for code W00kk (W0001 .. W0013). */
typedef struct {
  unsigned codes[MAX_LINES + 1];
} warned;

static elig_ruleset *compile_trial(const trial *x, warned *w)
{
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_string("t.rules", x->t.text, x->t.len, NULL, &rs, &d);
  ck_assert_msg(st == ELIG_OK, "%s", x->t.text);
  memset(w, 0, sizeof *w);
  for (size_t i = 0; i < elig_diags_count(d); i++) {
    const elig_error *e = elig_diags_get(d, i);
    const char *code = elig_error_code(e);
    unsigned line = elig_error_line(e), k = (unsigned)atoi(code + 1);
    if (code[0] == 'W' && line <= MAX_LINES && k < 32)
      w->codes[line] |= 1u << k;
  }
  elig_diags_free(d);
  return rs;
}

static bool same_raised(const outcomes *o, unsigned f, unsigned g)
{
  return memcmp(o->raised[f], o->raised[g], o->nrecords) == 0;
}

static unsigned count_raised(const outcomes *o, unsigned f)
{
  unsigned n = 0;
  for (unsigned i = 0; i < o->nrecords; i++)
    n += o->raised[f][i];
  return n;
}

#define NEVER_CHOSEN ((1u << 1) | (1u << 10) | (1u << 12))

static void check_rule(const trial *x, const warned *w, const outcomes *o, unsigned line,
                       bool complete)
{
  const line_use *u = &x->use[line];
  bool chosen = o->chosen[u->decision][u->rule];
  bool said = (w->codes[line] & NEVER_CHOSEN) != 0;
  ck_assert_msg(!said || !chosen, "line %u: warned never chosen, but chosen:\n%s", line, x->t.text);
  ck_assert_msg(!complete || said || chosen, "line %u: never chosen, not warned:\n%s", line,
                x->t.text);
}

static void check_flag(const trial *x, const warned *w, const outcomes *o, unsigned line,
                       bool complete)
{
  unsigned f = (unsigned)x->use[line].flag, n = count_raised(o, f), codes = w->codes[line];
  bool never = n == 0, always = n == o->nrecords;
  ck_assert_msg(!(codes & (1u << 10)) || never, "line %u: W0010 but raised:\n%s", line, x->t.text);
  ck_assert_msg(!(codes & (1u << 11)) || always, "line %u: W0011 but not always:\n%s", line,
                x->t.text);
  bool same_as_earlier = false;
  for (unsigned g = 0; g < f; g++)
    same_as_earlier |= same_raised(o, f, g);
  ck_assert_msg(!(codes & (1u << 13)) || same_as_earlier, "line %u: W0013 wrongly:\n%s", line,
                x->t.text);
  if (!complete)
    return;
  ck_assert_msg(!never || (codes & (1u << 10)), "line %u: never raised, no W0010:\n%s", line,
                x->t.text);
  ck_assert_msg(!always || (codes & (1u << 11)), "line %u: always raised, no W0011:\n%s", line,
                x->t.text);
  bool copy = x->copy_of[f] >= 0 && count_raised(o, (unsigned)x->copy_of[f]) != 0 &&
              count_raised(o, (unsigned)x->copy_of[f]) != o->nrecords;
  ck_assert_msg(never || always || !copy || (codes & (1u << 13)),
                "line %u: the same as an earlier flag, no W0013:\n%s", line, x->t.text);
}

static void run_trials(bool complete, unsigned long long first_seed)
{
  static trial x;
  static outcomes o;
  unsigned warnings = 0;
  seed = first_seed;
  for (unsigned i = 0; i < TRIALS; i++) {
    warned w;
    make_trial(&x, complete);
    elig_ruleset *rs = compile_trial(&x, &w);
    evaluate_all(rs, &x, &o);
    for (unsigned line = 1; line <= MAX_LINES; line++) {
      warnings += w.codes[line] != 0;
      if (x.use[line].rule)
        check_rule(&x, &w, &o, line, complete);
      else if (x.use[line].flag >= 0 && x.use[line].decision < 0)
        check_flag(&x, &w, &o, line, complete);
    }
    elig_ruleset_free(rs);
  }
  /* the trials must exercise the warnings, not pass by never giving one */
  ck_assert_uint_gt(warnings, TRIALS / 2);
}

START_TEST(test_lint_sound)
{
  run_trials(false, 20250101);
}
END_TEST

START_TEST(test_lint_complete)
{
  run_trials(true, 42);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("lint");
  TCase *tc = tcase_create("every record");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_lint_sound);
  tcase_add_test(tc, test_lint_complete);
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
