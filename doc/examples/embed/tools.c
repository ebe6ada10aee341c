/*
 * tools.c -- what an editor plugin or a CI job needs besides evaluating: the rule files' own
 * tests, the canonical layout, the dumps of what the parser read and the compiler made, and
 * the small helpers (a date check, "did you mean").
 *
 *   cc -std=c11 -Wall tools.c $(pkg-config --cflags --libs elig) -o tools
 *   ./tools test rules/national.rules [YYYY-MM-DD]   as `elig test --coverage [--as-of]`
 *   ./tools fmt rules/national/household.rules        as `elig fmt - < FILE`
 *   ./tools ast rules/national.rules                  as `elig check --dump=ast`
 *   ./tools code rules/national.rules                 as `elig check --dump=code`
 *   ./tools field rules/national.rules net_incme      the field's number, or a suggestion
 *
 * Exit status: 0 all good, 1 a test failed, the rules have errors, the text does not parse or
 * there is no such field, 2 bad arguments or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

/* Compiles the rules, printing their diagnostics; NULL on errors. */
static elig_ruleset *compile(const char *path)
{
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(path, NULL, &rs, &diags);
  char *text = elig_diags_render(diags, false);
  if (text)
    fputs(text, stderr);
  elig_free(text);
  elig_diags_free(diags);
  if (st != ELIG_OK)
    fprintf(stderr, "%s: %s\n", path, elig_status_str(st));
  return rs;
}

/* The test blocks of the rule files, with the rules and flags no test exercised. */
static int run_tests(const char *path, const char *as_of)
{
  if (as_of && !elig_date_valid(as_of)) { /* check it before anything else is done */
    fprintf(stderr, "not a date as YYYY-MM-DD: '%s'\n", as_of);
    return 2;
  }
  elig_ruleset *rs = compile(path);
  if (!rs)
    return 1;
  elig_test_options opt = ELIG_TEST_OPTIONS_INIT;
  opt.coverage = true;
  opt.as_of = as_of; /* NULL: today */
  char *report;      /* ours: elig_free */
  elig_test_stats st;
  if (elig_test(rs, &opt, &report, &st) != ELIG_OK) {
    fprintf(stderr, "out of memory\n");
    elig_ruleset_free(rs);
    return 2;
  }
  fputs(report, stdout); /* a line per failure, then the rules and flags not covered */
  elig_free(report);
  if (st.rules + st.flags)
    printf("%s: coverage: %u of %u decision rules and %u of %u flags exercised (%u%%)\n", path,
           st.rules_hit, st.rules, st.flags_hit, st.flags,
           (st.rules_hit + st.flags_hit) * 100 / (st.rules + st.flags));
  printf("%u passed, %u failed\n", st.passed, st.failed);
  elig_ruleset_free(rs);
  return st.failed ? 1 : 0;
}

/* The bytes of a file (malloc'd; the caller frees them), or NULL. */
static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *grown = realloc(buf, cap *= 2);
    if (!grown)
      free(buf);
    buf = grown;
  }
  fclose(f);
  *len = n;
  return buf;
}

/* The file in the canonical layout, on standard output; the first syntax error if any. */
static int format(const char *path)
{
  size_t len;
  char *text = slurp(path, &len);
  if (!text) {
    perror(path);
    return 2;
  }
  char *out; /* ours: elig_free */
  size_t outlen;
  elig_diags *diags; /* ours: elig_diags_free; NULL unless ELIG_ESYNTAX */
  elig_status st = elig_format_rules(path, text, len, &out, &outlen, &diags);
  free(text);
  if (st == ELIG_OK) {
    fwrite(out, 1, outlen, stdout);
    elig_free(out);
    return 0;
  }
  if (st == ELIG_ESYNTAX) { /* the first error is the one to fix first */
    char *first = elig_diags_render_one(diags, 0, false);
    fputs(first ? first : "", stderr);
    elig_free(first);
  }
  fprintf(stderr, "%s: not formatted: %s\n", path, elig_status_str(st));
  elig_diags_free(diags);
  return st == ELIG_ESYNTAX || st == ELIG_EINTERNAL ? 1 : 2;
}

/* What the parser read (also from files with errors), or what the compiler made. */
static int dump(const char *path, bool code)
{
  char *text = NULL; /* ours: elig_free */
  elig_status st;
  if (code) {
    elig_ruleset *rs = compile(path);
    if (!rs)
      return 1;
    st = elig_ruleset_dump_code(rs, &text);
    elig_ruleset_free(rs);
  } else {
    st = elig_dump_syntax(path, NULL, &text);
  }
  if (text)
    fputs(text, stdout);
  elig_free(text);
  if (st != ELIG_OK)
    fprintf(stderr, "%s: %s\n", path, elig_status_str(st));
  return st == ELIG_OK ? 0 : st == ELIG_EIO ? 2 : 1;
}

/* A field by name, as a form or a query would name it: its number, or the closest name. */
static int field(const char *path, const char *name)
{
  elig_ruleset *rs = compile(path);
  if (!rs)
    return 1;
  size_t i, n = elig_ruleset_field_count(rs);
  int rc = 0;
  if (elig_ruleset_field_index(rs, name, &i) == ELIG_OK) {
    printf("field %zu: %s%s\n", i, elig_ruleset_field_name(rs, i),
           elig_ruleset_field_required(rs, i) ? " (required)" : "");
  } else {
    const char **names = malloc((n ? n : 1) * sizeof *names);
    for (size_t k = 0; names && k < n; k++)
      names[k] = elig_ruleset_field_name(rs, k);
    const char *best = names ? elig_suggest(name, strlen(name), names, n) : NULL;
    printf("no field '%s'", name);
    if (best)
      printf("; did you mean '%s'?", best);
    printf("\n");
    free(names);
    rc = 1;
  }
  elig_ruleset_free(rs);
  return rc;
}

int main(int argc, char **argv)
{
  const char *cmd = argc > 2 ? argv[1] : "";
  if (strcmp(cmd, "test") == 0 && argc <= 4)
    return run_tests(argv[2], argc == 4 ? argv[3] : NULL);
  if (strcmp(cmd, "fmt") == 0 && argc == 3)
    return format(argv[2]);
  if ((strcmp(cmd, "ast") == 0 || strcmp(cmd, "code") == 0) && argc == 3)
    return dump(argv[2], strcmp(cmd, "code") == 0);
  if (strcmp(cmd, "field") == 0 && argc == 4)
    return field(argv[2], argv[3]);
  fprintf(stderr, "usage: tools test RULES [YYYY-MM-DD] | fmt FILE | ast RULES | code RULES |"
                  " field RULES NAME\n");
  return 2;
}
