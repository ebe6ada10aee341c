/*
 * check_regex.c - unit tests for regex.c, the PCRE2 wrapper behind `matches /regex/`.
 *
 * Place in the pipeline: guards the contract the checker and VM rely on: compile errors carry
 * PCRE2's byte offset and message, matching is an unanchored UTF-8 search, invalid UTF-8
 * subjects are harmless, limits are reported as REGEX_LIMIT (never as "no match") on both
 * the JIT and the interpreter path, and one compiled regex can be shared between threads.
 */
#include "regex.h"

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Both matching paths are run for every table row: even loop indexes use the JIT (when the
   PCRE2 build has it), odd ones the interpreter. */
static uint32_t path_flags(int i)
{
  return (i % 2) ? REGEX_NO_JIT : 0u;
}

static regex_code *compile_ok(const char *pattern, uint32_t flags)
{
  int code = 0;
  size_t off = 0;
  char msg[128];
  regex_code *rc = regex_compile(pattern, strlen(pattern), flags, &code, &off, msg, sizeof msg);
  ck_assert_msg(rc != NULL, "compile '%s' failed: %d at %zu: %s", pattern, code, off, msg);
  return rc;
}

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------
 * Matching semantics
 * ---------------------------------------------------------------------------------------- */

struct match_case {
  const char *pattern;
  uint32_t flags;
  const char *subject;
  size_t subject_len; /* 0 means strlen(subject) */
  regex_result want;
};

static const struct match_case match_cases[] = {
    /* unanchored search by default, ^...$ anchors */
    {"abc", 0, "xxabcxx", 0, REGEX_MATCH},
    {"^abc$", 0, "xxabcxx", 0, REGEX_NOMATCH},
    {"^abc$", 0, "abc", 0, REGEX_MATCH},
    {"^[0-9]{12}$", 0, "530102001001", 0, REGEX_MATCH},
    {"^[0-9]{12}$", 0, "53010200100", 0, REGEX_NOMATCH},
    {"^\\d{17}[\\dX]$", 0, "11010519491231002X", 0, REGEX_MATCH},
    {"^\\d{17}[\\dX]$", 0, "11010519491231002x", 0, REGEX_NOMATCH},
    /* UTF-8: Chinese subject, '.' is one code point, not one byte */
    {"云南", 0, "云南省昆明市", 0, REGEX_MATCH},
    {"^云南省", 0, "云南省昆明市", 0, REGEX_MATCH},
    {"昆明市$", 0, "云南省昆明市", 0, REGEX_MATCH},
    {"^.{6}$", 0, "云南省昆明市", 0, REGEX_MATCH},
    {"^.{18}$", 0, "云南省昆明市", 0, REGEX_NOMATCH},
    {"^[\\x{4e00}-\\x{9fff}]+$", 0, "云南省昆明市", 0, REGEX_MATCH},
    {"贵州", 0, "云南省昆明市", 0, REGEX_NOMATCH},
    /* case-insensitive flag, including non-ASCII case folding */
    {"^abc$", 0, "ABC", 0, REGEX_NOMATCH},
    {"^abc$", REGEX_CASELESS, "ABC", 0, REGEX_MATCH},
    {"^abc$", REGEX_CASELESS, "aBc", 0, REGEX_MATCH},
    {"straße", REGEX_CASELESS, "STRAßE", 0, REGEX_MATCH},
    {"^ä$", REGEX_CASELESS, "Ä", 0, REGEX_MATCH},
    {"^ä$", 0, "Ä", 0, REGEX_NOMATCH},
    /* invalid UTF-8 in the subject: never matched by any item, never an error */
    {"a", 0,
     "\xff\xfe"
     "a",
     0, REGEX_MATCH},
    {"云", 0,
     "\xe4\xba"
     "云",
     0, REGEX_MATCH},
    {"^.*$", 0,
     "a\xff"
     "b",
     0, REGEX_NOMATCH},
    {"^a.b$", 0,
     "a\xff"
     "b",
     0, REGEX_NOMATCH},
    {"^a\\x{ff}b$", 0,
     "a\xff"
     "b",
     0, REGEX_NOMATCH},
    {"b$", 0,
     "a\xc0\x80"
     "b",
     0, REGEX_MATCH},
    {"x", 0, "\xed\xa0\x80\xf4\x90\x80\x80", 0, REGEX_NOMATCH},
    /* the subject is counted, not NUL-terminated */
    {"^a\\x{0}b$", 0, "a\0b", 3, REGEX_MATCH},
    {"b", 0, "a\0b", 3, REGEX_MATCH},
    /* the empty subject and the empty pattern */
    {"", 0, "", 0, REGEX_MATCH},
    {"^$", 0, "", 0, REGEX_MATCH},
    {"a", 0, "", 0, REGEX_NOMATCH},
};

START_TEST(test_regex_match_table)
{
  const struct match_case *c = &match_cases[_i / 2];
  regex_code *rc = compile_ok(c->pattern, c->flags | path_flags(_i));
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  size_t len = c->subject_len ? c->subject_len : strlen(c->subject);
  regex_result got = regex_match(rc, m, c->subject, len);
  ck_assert_msg(got == c->want, "row %d (%s): /%s/ got %d, want %d", _i / 2,
                (_i % 2) ? "interpreter" : "jit", c->pattern, (int)got, (int)c->want);
  ck_assert_str_eq(regex_matcher_error(m), "");
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

/* regex.c matches patterns of a fixed shape (/^[0-9]{17}[0-9X]$/) without PCRE2.  Each such
 * pattern, and patterns that only look like one, must answer as PCRE2 does: the same pattern
 * wrapped as ^(?:...)$, which the fast path never takes, is the reference.  Every subject is
 * also tried with each of its bytes replaced by bytes at the edges of the classes, invalid
 * UTF-8, a NUL and a newline, and cut short and made longer. */
static const char *const fixed_patterns[] = {
    "^[0-9]{17}[0-9X]$",
    "^[0-9]{12}$",
    "^abc$",
    "^[A-Za-z0-9]{3}x[a-c]{2}$",
    "^$",
    "^[0-9X]$",
    "^[a-f0-9]{8}$",
    "^Z{3}$",
    "^a{1}b{10}$",
    "^[0-9]{0}$",
    "^[0-9]{1,2}$",
    "^[a-]$",
    "^[]a]$",
    "^a*$",
    "^[^0-9]{2}$",
    "^a{01}$",
    "^[A-z]{2}$",
    "^[0-9]{12}",
    "[0-9]{12}$",
};

static const char *const fixed_subjects[] = {
    "",
    "0",
    "X",
    "x",
    "12345678901234567X",
    "123456789012345678",
    "530102001001",
    "53010200100",
    "5301020010011",
    "abc",
    "ABC",
    "abcx",
    "AbCxab",
    "9z9xbc",
    "Z",
    "ZZZ",
    "ZZZZ",
    "0123abcd",
    "0123ABCD",
    "abbbbbbbbbb",
    "ab",
    "\xe4\xb8\xad",
    "a_",
    "a-",
    "]",
};

static regex_result reference_match(const char *pattern, uint32_t flags, regex_matcher *m,
                                    const char *subject, size_t len)
{
  char wrapped[256];
  size_t n = strlen(pattern);
  bool anchored = n >= 2 && pattern[0] == '^' && pattern[n - 1] == '$';
  if (anchored)
    snprintf(wrapped, sizeof wrapped, "^(?:%.*s)$", (int)(n - 2), pattern + 1);
  else
    snprintf(wrapped, sizeof wrapped, "(?:%s)", pattern);
  regex_code *rc = compile_ok(wrapped, flags);
  regex_result r = regex_match(rc, m, subject, len);
  regex_free(rc);
  return r;
}

static void check_fixed(const char *pattern, regex_code *rc, uint32_t flags, regex_matcher *m,
                        const char *subject, size_t len)
{
  regex_result got = regex_match(rc, m, subject, len);
  regex_result want = reference_match(pattern, flags, m, subject, len);
  ck_assert_msg(got == want, "/%s/ on \"%.*s\" (%zu bytes): got %d, want %d", pattern, (int)len,
                subject, len, (int)got, (int)want);
}

START_TEST(test_regex_fixed_patterns_as_pcre2)
{
  static const char probes[] = {'0', '9', 'X',  'x',  'a',        'f',        'g',       'z',
                                'A', 'Z', '/',  ':',  '@',        '[',        '`',       '{',
                                '-', ']', '\0', '\n', (char)0x80, (char)0xe4, (char)0xff};
  const char *pattern = fixed_patterns[_i / 2];
  uint32_t flags = path_flags(_i);
  regex_code *rc = compile_ok(pattern, flags);
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  char buf[64];
  for (size_t s = 0; s < sizeof fixed_subjects / sizeof *fixed_subjects; s++) {
    const char *subject = fixed_subjects[s];
    size_t len = strlen(subject);
    check_fixed(pattern, rc, flags, m, subject, len);
    for (size_t at = 0; at < len; at++)
      for (size_t p = 0; p < sizeof probes; p++) {
        memcpy(buf, subject, len);
        buf[at] = probes[p];
        check_fixed(pattern, rc, flags, m, buf, len);
      }
    if (len > 0)
      check_fixed(pattern, rc, flags, m, subject, len - 1);
    for (size_t p = 0; p < sizeof probes; p++) {
      memcpy(buf, subject, len);
      buf[len] = probes[p];
      check_fixed(pattern, rc, flags, m, buf, len + 1);
    }
  }
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

START_TEST(test_regex_jit_flag_selects_path)
{
  regex_code *interp = compile_ok("a+b", REGEX_NO_JIT);
  ck_assert_int_eq(regex_uses_jit(interp), 0);
  regex_code *jit = compile_ok("a+b", 0);
  /* The JIT may legitimately be missing from the PCRE2 build; then both paths coincide. */
  if (!regex_uses_jit(jit))
    fprintf(stderr, "note: PCRE2 JIT unavailable, JIT rows run the interpreter\n");
  ck_assert_int_eq(regex_uses_jit(NULL), 0);
  regex_free(interp);
  regex_free(jit);
}
END_TEST

START_TEST(test_regex_null_subject_empty)
{
  regex_code *rc = compile_ok("^$", 0);
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(regex_match(rc, m, NULL, 0), REGEX_MATCH);
  ck_assert_int_eq(regex_match(rc, m, NULL, 1), REGEX_ERROR);
  ck_assert_str_ne(regex_matcher_error(m), "");
  ck_assert_int_eq(regex_match(NULL, m, "x", 1), REGEX_ERROR);
  ck_assert_int_eq(regex_match(rc, NULL, "x", 1), REGEX_ERROR);
  ck_assert_str_eq(regex_matcher_error(NULL), "");
  /* a successful call clears the previous message */
  ck_assert_int_eq(regex_match(rc, m, "", 0), REGEX_MATCH);
  ck_assert_str_eq(regex_matcher_error(m), "");
  regex_matcher_free(m);
  regex_free(rc);
  regex_free(NULL);
  regex_matcher_free(NULL);
}
END_TEST

START_TEST(test_regex_one_matcher_many_codes)
{
  regex_code *a = compile_ok("^a+$", 0);
  regex_code *b = compile_ok("(x)(y)(z)(w)", REGEX_NO_JIT);
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  for (int k = 0; k < 3; k++) {
    ck_assert_int_eq(regex_match(a, m, "aaa", 3), REGEX_MATCH);
    /* more captures than the matcher's ovector holds: still a match */
    ck_assert_int_eq(regex_match(b, m, "..xyzw..", 8), REGEX_MATCH);
    ck_assert_int_eq(regex_match(a, m, "aab", 3), REGEX_NOMATCH);
  }
  regex_matcher_free(m);
  regex_free(a);
  regex_free(b);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * Compile errors
 * ---------------------------------------------------------------------------------------- */

struct error_case {
  const char *pattern;
  size_t want_offset;   /* bytes into the pattern */
  int pattern_bad_utf8; /* 1 if the error is PCRE2's UTF-8 check of the pattern */
};

static const struct error_case error_cases[] = {
    {"a(b", 3, 0},    /* missing ) detected at the end */
    {"ab)", 2, 0},    /* unmatched ) */
    {"[z-a]", 3, 0},  /* range out of order, at the upper bound */
    {"a{2,1}", 5, 0}, /* numbers out of order */
    {"x*+*", 3, 0},   /* quantifier does not follow a repeatable item */
    {"\xff"
     "abc",
     0, 1},                    /* invalid UTF-8 in the pattern itself */
    {"ab\xe4\xba", 2, 1},      /* truncated UTF-8 character */
    {"a\\Cb", 3, 0},           /* \C is locked out: it splits UTF-8 characters */
    {"云(南", 7, 0},           /* offsets are bytes, not code points */
    {"(?<n>a)(?<n>b)", 12, 0}, /* duplicate group name */
};

START_TEST(test_regex_compile_error_offset)
{
  const struct error_case *c = &error_cases[_i / 2];
  int code = 0;
  size_t off = 99;
  char msg[128] = "unset";
  regex_code *rc =
      regex_compile(c->pattern, strlen(c->pattern), path_flags(_i), &code, &off, msg, sizeof msg);
  ck_assert_ptr_null(rc);
  /* PCRE2 compile errors are 101 and up; a pattern that is not valid UTF-8 gets one of the
     negative UTF-8 error codes instead */
  ck_assert_int_ne(code, 0);
  ck_assert_int_eq(code < 0, c->pattern_bad_utf8);
  ck_assert_msg(off == c->want_offset, "row %d: offset %zu, want %zu (%s)", _i / 2, off,
                c->want_offset, msg);
  ck_assert_uint_gt(strlen(msg), 0);
  ck_assert_str_ne(msg, "unset");
}
END_TEST

START_TEST(test_regex_compile_error_details)
{
  int code = 0;
  size_t off = 0;
  char msg[128];
  ck_assert_ptr_null(regex_compile("a(b", 3, 0, &code, &off, msg, sizeof msg));
  ck_assert_str_eq(msg, "missing closing parenthesis");
  ck_assert_uint_eq(off, 3);

  /* a tiny buffer truncates and still terminates */
  char tiny[8];
  memset(tiny, 'z', sizeof tiny);
  ck_assert_ptr_null(regex_compile("a(b", 3, 0, &code, &off, tiny, sizeof tiny));
  ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
  ck_assert_int_eq(memcmp(tiny, "missing", 7), 0);

  /* every output is optional */
  ck_assert_ptr_null(regex_compile("a(b", 3, 0, NULL, NULL, NULL, 0));
  ck_assert_ptr_null(regex_compile("a(b", 3, 0, &code, NULL, msg, 0));

  /* unknown flags are refused with PCRE2's own "bad options" error */
  off = 42;
  ck_assert_ptr_null(regex_compile("a", 1, 0x80u, &code, &off, msg, sizeof msg));
  ck_assert_int_eq(code, 117);
  ck_assert_uint_eq(off, 0);

  /* a NULL pattern is only valid when empty */
  ck_assert_ptr_null(regex_compile(NULL, 1, 0, &code, &off, msg, sizeof msg));
  regex_code *rc = regex_compile(NULL, 0, 0, &code, &off, msg, sizeof msg);
  ck_assert_ptr_nonnull(rc);
  regex_free(rc);
}
END_TEST

START_TEST(test_regex_compile_counted_pattern)
{
  /* the pattern is counted, so the bytes after len are ignored */
  regex_code *rc = regex_compile("abc(((", 3, 0, NULL, NULL, NULL, 0);
  ck_assert_ptr_nonnull(rc);
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(regex_match(rc, m, "zabcz", 5), REGEX_MATCH);
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * Limits: never reported as "no match"
 * ---------------------------------------------------------------------------------------- */

#define CATASTROPHIC_LEN 5000

/* "aaa...ab": each of the 2^n ways to split the a's is tried before failing */
static char *catastrophic_subject(void)
{
  char *s = malloc(CATASTROPHIC_LEN);
  ck_assert_ptr_nonnull(s);
  memset(s, 'a', CATASTROPHIC_LEN - 1);
  s[CATASTROPHIC_LEN - 1] = 'b';
  return s;
}

static const char *const catastrophic_patterns[] = {
    "^(a+)+$", "^(a|aa)+$", "^(a|a?)+$",
    "(?:a+)+$", /* unanchored: every start position is retried */
};

START_TEST(test_regex_limit_default)
{
  const char *pat = catastrophic_patterns[_i / 2];
  regex_code *rc = compile_ok(pat, path_flags(_i));
  regex_matcher *m = regex_matcher_new(REGEX_DEFAULT_MATCH_LIMIT, REGEX_DEFAULT_DEPTH_LIMIT);
  ck_assert_ptr_nonnull(m);
  char *s = catastrophic_subject();

  double t0 = now_seconds();
  regex_result got = regex_match(rc, m, s, CATASTROPHIC_LEN);
  double dt = now_seconds() - t0;

  ck_assert_msg(got == REGEX_LIMIT, "/%s/ (%s): got %d, want REGEX_LIMIT", pat,
                regex_uses_jit(rc) ? "jit" : "interpreter", (int)got);
  ck_assert_uint_gt(strlen(regex_matcher_error(m)), 0);
  ck_assert_msg(dt < 1.0, "/%s/ took %.3f s", pat, dt);

  /* the matcher stays usable after a limit */
  ck_assert_int_eq(regex_match(rc, m, "aaaa", 4), REGEX_MATCH);
  ck_assert_str_eq(regex_matcher_error(m), "");
  free(s);
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

START_TEST(test_regex_limit_small_match_limit)
{
  /* A tiny match limit stops even a modest backtracking search. */
  regex_code *rc = compile_ok("^(a+)+$", path_flags(_i));
  regex_matcher *m = regex_matcher_new(50, 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(regex_match(rc, m, "aaaaaaaaaaaaaaaaaaaab", 21), REGEX_LIMIT);
  regex_matcher_free(m);

  /* the same search with default limits completes and is a genuine "no match" */
  m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(regex_match(rc, m, "aaaaaaaaaaab", 12), REGEX_NOMATCH);
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

START_TEST(test_regex_limit_depth_interpreter)
{
  /* Each repetition of a group with alternatives nests one backtracking frame in the
     interpreter, so a long subject exceeds a small depth limit although the match would
     succeed. (The JIT has no depth limit; its stack limit plays that role.) */
  regex_code *rc = compile_ok("^(?:a|b)*$", REGEX_NO_JIT);
  regex_matcher *m = regex_matcher_new(0, 100);
  ck_assert_ptr_nonnull(m);
  char s[1000];
  memset(s, 'a', sizeof s);
  ck_assert_int_eq(regex_match(rc, m, s, sizeof s), REGEX_LIMIT);
  ck_assert_int_eq(regex_match(rc, m, s, 10), REGEX_MATCH);
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

START_TEST(test_regex_limit_long_subject)
{
  /* A legitimate match whose backtracking state grows with the subject: the interpreter
     reaches its depth limit and the JIT its stack limit (REGEX_JIT_STACK_MAX). Either way the
     answer is REGEX_LIMIT, not a guess. */
  enum {
    N = 200000
  };
  regex_code *rc = compile_ok("^(a|b)*$", path_flags(_i));
  regex_matcher *m = regex_matcher_new(0, 0);
  ck_assert_ptr_nonnull(m);
  char *s = malloc(N);
  ck_assert_ptr_nonnull(s);
  memset(s, 'a', N);
  ck_assert_int_eq(regex_match(rc, m, s, N), REGEX_LIMIT);
  ck_assert_uint_gt(strlen(regex_matcher_error(m)), 0);
  ck_assert_int_eq(regex_match(rc, m, s, 100), REGEX_MATCH);
  free(s);
  regex_matcher_free(m);
  regex_free(rc);
}
END_TEST

/* ------------------------------------------------------------------------------------------
 * Threads: one shared regex_code, one matcher per thread
 * ---------------------------------------------------------------------------------------- */

#define N_THREADS 4
#define N_ROUNDS 2000

struct thread_arg {
  const regex_code *code; /* shared, read-only */
  int failures;           /* written only by the owning thread */
};

static void *thread_main(void *p)
{
  struct thread_arg *a = p;
  static const struct {
    const char *s;
    regex_result want;
  } subjects[] = {
      {"530102001001", REGEX_MATCH},  {"云南省昆明市530102001001", REGEX_NOMATCH},
      {"53010200100", REGEX_NOMATCH}, {"5301020010019", REGEX_NOMATCH},
      {"\xff\xfe", REGEX_NOMATCH},
  };
  regex_matcher *m = regex_matcher_new(0, 0);
  if (m == NULL) {
    a->failures = -1;
    return NULL;
  }
  for (int r = 0; r < N_ROUNDS; r++) {
    for (size_t k = 0; k < sizeof subjects / sizeof subjects[0]; k++) {
      if (regex_match(a->code, m, subjects[k].s, strlen(subjects[k].s)) != subjects[k].want)
        a->failures++;
    }
  }
  regex_matcher_free(m);
  return NULL;
}

START_TEST(test_regex_threads_share_code)
{
  regex_code *rc = compile_ok("^[0-9]{12}$", path_flags(_i));
  pthread_t tid[N_THREADS];
  struct thread_arg args[N_THREADS];
  for (int t = 0; t < N_THREADS; t++) {
    args[t].code = rc;
    args[t].failures = 0;
    ck_assert_int_eq(pthread_create(&tid[t], NULL, thread_main, &args[t]), 0);
  }
  for (int t = 0; t < N_THREADS; t++) {
    ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    ck_assert_int_eq(args[t].failures, 0);
  }
  regex_free(rc);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *regex_suite(void)
{
  Suite *s = suite_create("regex");

  TCase *tc = tcase_create("match");
  tcase_add_loop_test(tc, test_regex_match_table, 0, 2 * N_ELEMS(match_cases));
  tcase_add_loop_test(tc, test_regex_fixed_patterns_as_pcre2, 0, 2 * N_ELEMS(fixed_patterns));
  tcase_add_test(tc, test_regex_jit_flag_selects_path);
  tcase_add_test(tc, test_regex_null_subject_empty);
  tcase_add_test(tc, test_regex_one_matcher_many_codes);
  suite_add_tcase(s, tc);

  tc = tcase_create("compile");
  tcase_add_loop_test(tc, test_regex_compile_error_offset, 0, 2 * N_ELEMS(error_cases));
  tcase_add_test(tc, test_regex_compile_error_details);
  tcase_add_test(tc, test_regex_compile_counted_pattern);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_set_timeout(tc, 20);
  tcase_add_loop_test(tc, test_regex_limit_default, 0, 2 * N_ELEMS(catastrophic_patterns));
  tcase_add_loop_test(tc, test_regex_limit_small_match_limit, 0, 2);
  tcase_add_test(tc, test_regex_limit_depth_interpreter);
  tcase_add_loop_test(tc, test_regex_limit_long_subject, 0, 2);
  suite_add_tcase(s, tc);

  tc = tcase_create("threads");
  tcase_set_timeout(tc, 30);
  tcase_add_loop_test(tc, test_regex_threads_share_code, 0, 2);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(regex_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
