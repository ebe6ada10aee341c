/*
 * ruleset.h -- from a root rule file (and everything it imports) to a compiled program.
 *
 * Pipeline: ruleset.c loads files (srcfile.c), parses each (parse.c), orders imports
 * before importers, checks the whole set (check.c) and compiles it (compile.c).  This is
 * what the command line and the library call.
 */
#ifndef ELIG_RULESET_H
#define ELIG_RULESET_H

#include "diag.h"
#include "program.h"
#include "srcfile.h"

/* Imports beyond this many files are refused: a rule set is a handful of files. */
#define RULESET_MAX_FILES 64

typedef struct {
  const char *path; /* root file to load, or NULL when text is given */
  const char *name; /* name of the text in diagnostics */
  const char *text; /* rule text (library use), with its length */
  size_t len;
  bool no_imports;       /* an import is an error (E0510): text from an untrusted source */
  const src_set *stored; /* not NULL: every file, the root (`name`) and its imports, is
                            taken from this set by name and never read from disk (the rules
                            a register keeps) */
} ruleset_source;

/* Loads, checks and compiles.  Diagnostics (errors and warnings) go to `diags`; `*srcs_out`
 * receives the source set so diagnostics can be rendered even on failure (the caller frees it
 * with src_set_free when the result is NULL; otherwise the program owns it).  Returns NULL on
 * error. */
elig_program *ruleset_compile(const ruleset_source *src, diag_list *diags, src_set **srcs_out);

/* Loads and parses the rule set, checking nothing: the syntax trees of every file, imports
 * first, each after a "; FILE" line (`elig check --dump=ast`), as far as the parser could
 * read them.  The caller frees the text with mem_free; NULL when the root file cannot be
 * read (said in diags) or out of memory. */
char *ruleset_syntax_dump(const ruleset_source *src, diag_list *diags);

#endif
