/*
 * fuzz_eval.c -- fuzzed records evaluated against a fixed rule set (eval.rules, which uses
 * nearly every kind of field, check and function), through the public API: as JSON
 * (elig_eval_json), and field by field (elig_ctx_set_text, one line of the input per field
 * in declaration order), each result formatted, explained and folded into the aggregates;
 * with absent required fields rejected or, when the first byte is odd, unknown (three-valued
 * evaluation, aggregate ranges).
 */
#include <stdlib.h>
#include <string.h>

#include <elig.h>

#include "fuzz.h"

static elig_ruleset *rules;
static elig_ctx *ctx;

static void setup(void)
{
  if (elig_compile_file(fuzz_source_path("tests/fuzz/eval.rules"), NULL, &rules, NULL) != ELIG_OK ||
      elig_ctx_new(rules, &ctx) != ELIG_OK)
    abort();
  elig_ctx_set_as_of(ctx, "2021-01-01");
}

/* Reads all there is to read of a result: any pointer the library hands out is touched. */
static void read_result(const elig_result *res)
{
  size_t n;
  (void)elig_result_key(res);
  for (size_t i = 0; i < elig_ruleset_decision_count(rules); i++) {
    (void)elig_result_decision(res, i);
    (void)elig_result_decision_reason(res, i);
  }
  for (size_t i = 0; i < elig_ruleset_column_count(rules); i++)
    (void)elig_result_column(res, i);
  for (size_t i = 0; i < elig_ruleset_flag_count(rules); i++) {
    (void)elig_result_flag(res, i);
    (void)elig_result_flag_undetermined(res, i);
  }
  (void)elig_result_needs(res);
  (void)elig_result_format(res, ELIG_FORMAT_JSON, &n);
  (void)elig_result_format(res, ELIG_FORMAT_CSV, &n);
  const char *why;
  (void)elig_explain(ctx, ELIG_FORMAT_JSON, &why, &n);
  (void)elig_explain(ctx, ELIG_FORMAT_TEXT, &why, &n);
}

/* What would change the result, for one record in eight (a what-if evaluates the record a
 * few hundred times). */
static void read_what_if(const uint8_t *data, size_t size)
{
  const char *why;
  size_t n;
  if (size && (data[size - 1] & 7) == 0) {
    (void)elig_explain_what_if(ctx, "income", ELIG_FORMAT_JSON, &why, &n);
    (void)elig_explain_what_if(ctx, "size", ELIG_FORMAT_TEXT, &why, &n);
  }
}

static void read_failure(void)
{
  const elig_error *e = elig_ctx_error(ctx);
  (void)elig_error_message(e);
  (void)elig_error_field(e);
  (void)elig_error_file(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!rules)
    setup();
  const elig_result *res;
  elig_ctx_set_aggregate(ctx, true);
  /* absent required fields rejected, or unknown (three values), as the first byte says */
  elig_ctx_set_missing(ctx,
                       size && (data[0] & 1) ? ELIG_MISSING_UNDETERMINED : ELIG_MISSING_REJECT);
  if (elig_eval_json(ctx, (const char *)data, size, &res) == ELIG_OK) {
    read_result(res);
    read_what_if(data, size);
  } else
    read_failure();

  /* the same bytes as field values, a line each */
  elig_ctx_clear(ctx);
  const char *p = (const char *)data, *end = p + size;
  for (size_t f = 0; p < end && f < elig_ruleset_field_count(rules); f++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (elig_ctx_set_text(ctx, f, p, len) != ELIG_OK)
      read_failure();
    p += len + (nl != NULL);
  }
  if (elig_eval(ctx, &res) == ELIG_OK)
    read_result(res);
  else
    read_failure();

  const char *groups;
  size_t n;
  (void)elig_ctx_aggregates(ctx, size % 2 ? ELIG_FORMAT_JSON : ELIG_FORMAT_CSV, &groups, &n);
  elig_ctx_set_aggregate(ctx, false);
  return 0;
}
