/*
 * fuzz_sources.c -- a rule set given as texts by name (elig_compile_sources), as the
 * PostgreSQL extension's elig.load(name, root, files jsonb) and elig.check(root, files)
 * give it: imports among the texts, nothing read from disk.
 *
 * The input is cut at NUL bytes into up to 8 pairs NAME, TEXT; the first name is the root.
 * Names are whatever the bytes are ("../x.rules", "", the same name twice).  Besides the
 * sanitizers, the oracle: a rule set that compiles gives back its files' names and texts
 * (elig_ruleset_file, elig_ruleset_file_text), and those compile again to the same hash,
 * as a database that stored them would; a failure renders its diagnostics.
 */
#include <stdlib.h>
#include <string.h>

#include <elig.h>

#include "fuzz.h"

enum {
  MAX_FILES = 8
};

static void recompile(const elig_ruleset *rs)
{
  size_t n = elig_ruleset_file_count(rs);
  elig_source files[64];
  if (n == 0 || n > 64)
    abort(); /* a rule set has its root, and at most 64 files */
  for (size_t i = 0; i < n; i++) {
    files[i].name = elig_ruleset_file(rs, i);
    files[i].text = elig_ruleset_file_text(rs, i, &files[i].len);
    if (!files[i].name || !files[i].text)
      abort();
  }
  elig_ruleset *again = NULL;
  elig_status st = elig_compile_sources(files[0].name, files, n, NULL, &again, NULL);
  if (st == ELIG_ENOMEM)
    return;
  if (st != ELIG_OK || strcmp(elig_ruleset_hash(again), elig_ruleset_hash(rs)) != 0)
    abort(); /* stored and compiled again, the rules must be the same */
  elig_ruleset_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  elig_source files[MAX_FILES];
  size_t n = 0;
  const char *p = (const char *)data, *end = p + size;
  char *names[MAX_FILES] = {0};
  while (p < end && n < MAX_FILES) {
    const char *nul = memchr(p, '\0', (size_t)(end - p));
    if (!nul)
      break;
    size_t name_len = (size_t)(nul - p);
    names[n] = malloc(name_len + 1);
    if (!names[n])
      break;
    memcpy(names[n], p, name_len);
    names[n][name_len] = '\0';
    p = nul + 1;
    const char *text_end = memchr(p, '\0', (size_t)(end - p));
    if (!text_end)
      text_end = end;
    files[n].name = names[n];
    files[n].text = p;
    files[n].len = (size_t)(text_end - p);
    n++;
    p = text_end < end ? text_end + 1 : end;
  }
  if (n > 0) {
    elig_ruleset *rs = NULL;
    elig_diags *diags = NULL;
    elig_compile_sources(files[0].name, files, n, NULL, &rs, &diags);
    elig_free(elig_diags_render(diags, false));
    elig_diags_free(diags);
    if (rs)
      recompile(rs);
    elig_ruleset_free(rs);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  return 0;
}
