/*
 * fuzz_compile.c -- the rule compiler on any text: lex, parse, check, compile, render the
 * diagnostics (plain and coloured), and format the text as elig fmt does.  Nothing may crash,
 * hang, leak or read out of bounds, whatever the text; imports are refused so that an input
 * cannot make the target read files.
 */
#include <stdlib.h>

#include <elig.h>

#include "fmt.h"
#include "fuzz.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  elig_options opt = ELIG_OPTIONS_INIT;
  opt.no_imports = true;
  elig_ruleset *rs = NULL;
  elig_diags *diags = NULL;
  elig_compile_string("fuzz.rules", (const char *)data, size, &opt, &rs, &diags);
  elig_free(elig_diags_render(diags, false));
  elig_free(elig_diags_render(diags, true));
  for (size_t i = 0; i < elig_diags_count(diags); i++) {
    const elig_error *e = elig_diags_get(diags, i);
    (void)elig_error_line(e);
    (void)elig_error_help(e);
  }
  elig_diags_free(diags);
  if (rs) {
    /* a set that compiles evaluates an empty record: every field absent */
    elig_ctx *ctx;
    if (elig_ctx_new(rs, &ctx) == ELIG_OK) {
      const elig_result *res;
      if (elig_eval(ctx, &res) == ELIG_OK) {
        (void)elig_result_format(res, ELIG_FORMAT_JSON, NULL);
        const char *why;
        (void)elig_explain(ctx, ELIG_FORMAT_TEXT, &why, NULL);
      }
      elig_ctx_free(ctx);
    }
    elig_ruleset_free(rs);
  }
  char *out = NULL, err[256];
  size_t outlen;
  fmt_format((const char *)data, size, &out, &outlen, err, sizeof err);
  mem_free(out);
  return 0;
}
