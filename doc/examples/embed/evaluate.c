/*
 * evaluate.c -- embedding libelig in a C program: compile a rule set once, evaluate records
 * given as JSON, read decisions and flags, build a record field by field, explain a result.
 *
 *   cc -std=c11 -Wall evaluate.c $(pkg-config --cflags --libs elig) -o evaluate
 *   ./evaluate rules/national.rules households.jsonl
 *
 * For each line of the JSON Lines file it prints the result line (as `elig run --format
 * jsonl` writes it) or why the record was rejected; then it evaluates one household set
 * field by field and prints the explanation of its status.  Exit status: 0, 1 when the rules
 * do not compile, 2 on bad arguments or an unreadable file, 3 when a record was rejected.
 */
/* getline and open_memstream are POSIX, not C11: ask for them (doc/api.md builds with
 * -std=c11, which hides what the C standard does not name). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elig.h>

/* Compiles the rules, printing their diagnostics as `elig check` does; NULL on errors. */
static elig_ruleset *compile(const char *path)
{
  elig_ruleset *rs;
  elig_diags *diags;
  elig_status st = elig_compile_file(path, NULL, &rs, &diags);
  char *text = elig_diags_render(diags, false); /* ours to free, with elig_free */
  if (text)
    fputs(text, stderr);
  elig_free(text);
  elig_diags_free(diags); /* warnings come on success too */
  if (st != ELIG_OK)
    fprintf(stderr, "%s: %s\n", path, elig_status_str(st));
  return rs;
}

/* Prints why the last evaluation on ctx failed: the field of a rejected record, or the rule
 * (file:line:col) that failed on it. */
static void print_failure(const elig_ctx *ctx, long line)
{
  const elig_error *e = elig_ctx_error(ctx); /* the context's, until its next call */
  fprintf(stderr, "line %ld: %s: %s", line, elig_status_str(elig_error_status(e)),
          elig_error_message(e));
  if (elig_error_file(e))
    fprintf(stderr, " at %s:%u:%u", elig_error_file(e), elig_error_line(e), elig_error_column(e));
  fputc('\n', stderr);
}

/* Every line of `path` through elig_eval_json.  Returns the number rejected, or -1 when the
 * file cannot be read. */
static long evaluate_file(elig_ctx *ctx, const char *path, size_t status)
{
  FILE *in = fopen(path, "r");
  if (!in)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long lineno = 0, rejected = 0, exits = 0;
  while ((n = getline(&line, &cap, in)) > 0) {
    lineno++;
    const elig_result *res; /* the context's, until its next evaluation */
    if (elig_eval_json(ctx, line, (size_t)n, &res) != ELIG_OK) {
      print_failure(ctx, lineno);
      rejected++;
      continue;
    }
    fputs(elig_result_format(res, ELIG_FORMAT_JSON, NULL), stdout);
    if (strcmp(elig_result_decision(res, status), "exit_eligible") == 0)
      exits++;
  }
  free(line);
  fclose(in);
  printf("# %ld records, %ld rejected, %ld eligible to exit\n", lineno, rejected, exits);
  return rejected;
}

/* Sets one field by name; the index would be looked up once in a real program. */
static void set(elig_ctx *ctx, const elig_ruleset *rs, const char *field, const char *value)
{
  size_t i;
  if (elig_ruleset_field_index(rs, field, &i) != ELIG_OK ||
      elig_ctx_set_text(ctx, i, value, strlen(value)) != ELIG_OK)
    fprintf(stderr, "cannot set %s\n", field);
}

/* One household given field by field, as a form or a database row would give it. */
static int evaluate_fields(elig_ctx *ctx, const elig_ruleset *rs)
{
  elig_ctx_clear(ctx);
  set(ctx, rs, "hh_id", "form-1");
  set(ctx, rs, "village_code", "530621101201");
  set(ctx, rs, "year", "2020");
  set(ctx, rs, "size", "4");
  set(ctx, rs, "net_income", "16000.02"); /* 4000.005 a head: rounds to 4000.01 */
  set(ctx, rs, "food_secure", "true");
  set(ctx, rs, "clothing_secure", "true");
  set(ctx, rs, "water_safe", "true");
  set(ctx, rs, "housing_grade", "B");
  set(ctx, rs, "labor_members", "2");
  set(ctx, rs, "registered_poor", "true");
  const elig_result *res;
  if (elig_eval(ctx, &res) != ELIG_OK) {
    print_failure(ctx, 0);
    return 3;
  }
  printf("\n# field by field: %s", elig_result_format(res, ELIG_FORMAT_JSON, NULL));
  const char *why;
  if (elig_explain(ctx, ELIG_FORMAT_TEXT, &why, NULL) == ELIG_OK)
    fputs(why, stdout);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: evaluate RULES RECORDS.jsonl\n");
    return 2;
  }
  elig_ruleset *rs = compile(argv[1]);
  if (!rs)
    return 1;
  printf("# %s %s (%s), %s\n", elig_ruleset_policy(rs), elig_ruleset_version(rs),
         elig_ruleset_hash(rs), elig_version());
  size_t status;
  if (elig_ruleset_decision_index(rs, "status", &status) != ELIG_OK) {
    fprintf(stderr, "%s decides no 'status'\n", argv[1]);
    elig_ruleset_free(rs);
    return 1;
  }
  elig_ctx *ctx;
  if (elig_ctx_new(rs, &ctx) != ELIG_OK) {
    elig_ruleset_free(rs);
    return 1;
  }
  elig_ctx_set_as_of(ctx, "2021-01-01"); /* the evaluation date rules see as `as_of` */
  long rejected = evaluate_file(ctx, argv[2], status);
  int rc = rejected < 0 ? 2 : rejected > 0 ? 3 : 0;
  if (rejected < 0)
    perror(argv[2]);
  else if (evaluate_fields(ctx, rs) != 0)
    rc = 3;
  elig_ctx_free(ctx);    /* contexts first, */
  elig_ruleset_free(rs); /* then the rule set they use */
  return rc;
}
