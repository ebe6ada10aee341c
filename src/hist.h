/*
 * hist.h -- a household followed over the years: which record is the previous of which,
 * which repeats a household-year, and what each record keeps for the next.
 *
 * Place in the pipeline: between the typing and the evaluation of step.c, for a rule set
 * whose record is `key hh_id per year`.  The caller brings a household's records together
 * and in the order of their years (a test's givens, the sorted runs of a batch, a register's
 * rows); a chain follows one household at a time: the record of year Y reads what the
 * household's accepted record of year Y - 1 kept, when there is one.  A rejected record
 * keeps nothing, so the year after it has no previous record; a second record of a
 * household-year already accepted is rejected (E0630).
 */
#ifndef ELIG_HIST_H
#define ELIG_HIST_H

#include <stdbool.h>
#include <stdint.h>

#include "step.h"
#include "wbuf.h"

typedef struct {
  wbuf link;                /* the linking fields of the household followed (hist_link) */
  int64_t year;             /* the year of its last accepted record */
  const char *name;         /* where that record is (its file and line), for a duplicate's */
  uint64_t line;            /* message; name NULL: not said */
  const char *pending_name; /* the same for the record between hist_begin and hist_accept */
  uint64_t pending_line;
  bool have;    /* a record of the household was accepted */
  wbuf kept;    /* what that record kept (vm_remember) */
  wbuf scratch; /* the link of the record being looked at; the next kept values */
  wbuf next_kept;
  /* Where a household's first record in this chain finds its year before when the caller
   * holds it elsewhere (a register's stored years): the kept bytes of the household whose
   * link is given, for `year`, or NULL (*len 0) when there are none.  NULL: nowhere. */
  const void *(*seed)(void *arg, const char *link, size_t link_len, int64_t year, size_t *len);
  void *seed_arg;
} hist_chain;

void hist_init(hist_chain *h);
void hist_fini(hist_chain *h);
/* Follows no household any more, keeping the buffers (for the next of many short chains). */
void hist_reset(hist_chain *h);

/* The linking fields of the typed record in ctx as bytes that are equal exactly when the
 * values are (the household), appended to out; its year.  For sorting and grouping. */
void hist_link(const elig_program *P, const vm_ctx *ctx, wbuf *out);
int64_t hist_year(const elig_program *P, const vm_ctx *ctx);

/* Before evaluating the record typed in s (at `line` of file `name`, which must outlive the
 * chain; NULL: not said):
 * STEP_REJECTED when it repeats the household-year last accepted (why says so: E0630);
 * otherwise STEP_OK, the context given what the household's record of the year before kept,
 * or no previous record; STEP_NO_MEMORY. */
step_result hist_begin(hist_chain *h, step *s, const char *name, uint64_t line, step_why *why);

/* After the record was evaluated: it is the household's last accepted record, and keeps
 * its values for the next year's.  STEP_OK, STEP_FAILED (a value it keeps failed: the record
 * is rejected after all and keeps nothing) or STEP_NO_MEMORY. */
step_result hist_accept(hist_chain *h, step *s, step_why *why);

#endif
