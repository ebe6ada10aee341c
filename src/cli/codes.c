/*
 * codes.c -- `elig check --explain [CODE...]`: what a diagnostic code means, with an example
 * that gives it and the example corrected (as `rustc --explain E0308`), or the list of every
 * code.  The texts are the library's (elig_code_explain); this file only finds and prints
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static int by_code(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every code, sorted; *n receives how many.  NULL when memory runs out (said). */
static const char **all_codes(size_t *n)
{
  size_t count = 0;
  while (elig_code_at(count))
    count++;
  const char **codes = malloc((count + 1) * sizeof *codes);
  if (!codes) {
    fputs(_("elig: out of memory\n"), stderr);
    return NULL;
  }
  for (size_t i = 0; i < count; i++)
    codes[i] = elig_code_at(i);
  qsort(codes, count, sizeof *codes, by_code);
  *n = count;
  return codes;
}

static const char *severity_word(const char *code)
{
  return elig_code_severity(code) == ELIG_SEVERITY_WARNING ? _("warning") : _("error");
}

/* The first line of an explanation, which names the problem. */
static void print_title(const char *text)
{
  const char *nl = strchr(text, '\n');
  printf("%.*s\n", (int)(nl ? nl - text : (long)strlen(text)), text);
}

static int list_codes(void)
{
  size_t n;
  const char **codes = all_codes(&n);
  if (!codes)
    return EXIT_IO;
  for (size_t i = 0; i < n; i++) {
    printf("%s  %-8s ", codes[i], severity_word(codes[i]));
    print_title(elig_code_explain(codes[i]));
  }
  free(codes);
  return EXIT_OK;
}

/* An argument that is no code: said, with the closest code when one is close. */
static void unknown_code(const char *arg)
{
  size_t n;
  const char **codes = all_codes(&n);
  const char *near = codes ? elig_suggest(arg, strlen(arg), codes, n) : NULL;
  fprintf(stderr, _("elig: unknown code '%s'"), arg);
  if (near)
    fprintf(stderr, _("; did you mean '%s'?"), near);
  fprintf(stderr, _(" ('elig check --explain' lists the codes)\n"));
  free(codes);
}

int cli_explain_codes(int n, char **args)
{
  if (n == 0)
    return list_codes();
  int status = EXIT_OK;
  bool first = true;
  for (int i = 0; i < n; i++) {
    const char *text = elig_code_explain(args[i]);
    if (!text) {
      unknown_code(args[i]);
      status = EXIT_USAGE;
      continue;
    }
    /* the code as the library writes it, whatever the case it was given in */
    const char *code = args[i];
    for (size_t k = 0; elig_code_at(k); k++)
      if (strcasecmp(elig_code_at(k), args[i]) == 0)
        code = elig_code_at(k);
    printf("%s%s (%s): %s", first ? "" : "\n", code, severity_word(code), text);
    first = false;
  }
  return status;
}
