/*
 * api.h -- what the two files of the public API share (api.c: compiling, rule sets,
 * evaluation and results; api_batch.c: batches, tests, formatting and dumps).  Internal:
 * nothing here is installed.
 */
#ifndef ELIG_API_H
#define ELIG_API_H

#include "elig.h"

#include "diag.h"
#include "program.h"

struct elig_ruleset {
  elig_program *P;
  char *csv_header; /* the header line of CSV results */
};

/* The caller's options as this library knows them: fields beyond the caller's opt->size (a
 * program built against an older header) keep their defaults.  False when size is unset. */
bool api_options_of(const elig_options *opt, elig_options *o);

/* An elig_diags that takes `list` and reads what it needs of `srcs` (which may be freed
 * afterwards).  NULL when out of memory (the list is then freed). */
elig_diags *api_diags_take(diag_list *list, const src_set *srcs);

/* Compiles the rule set whose root file is `root`, every file taken from `files` (the rules
 * a register keeps). */
elig_status api_compile_stored(const char *root, const src_set *files, elig_ruleset **out);

/* The status of a failed compilation: the gravest of its errors. */
elig_status api_compile_status(const diag_list *list);

/* Copies the `size` bytes of a caller's options struct that this library knows into `out`
 * (which holds the defaults), keeping the defaults for fields the caller's header did not
 * have.  False when `size` is too small to be an options struct. */
bool api_versioned(const void *opt, size_t size, void *out, size_t out_size);

#endif
