/*
 * diag_explain.c -- the long explanation of each diagnostic code (explain_codes.def), shown
 * by `elig check --explain CODE`.
 *
 * Pipeline: read by api.c's elig_code_explain for the program; nothing in the compiler uses
 * it.  The texts are stored as written (N_) and translated when asked for (_).
 */
#include "diag.h"
#include "i18n.h"

/* By diag_id, so that an ID without a text is a NULL the unit tests find, and an ID with
 * two a compile error. */
static const char *const explanations[DIAG_ID_COUNT] = {
#define EXPLAIN(id, text) [DIAG_##id] = text,
#include "explain_codes.def"
#undef EXPLAIN
};

const char *diag_id_explanation(diag_id id)
{
  if ((unsigned)id >= DIAG_ID_COUNT || !explanations[id])
    return NULL;
  return _(explanations[id]);
}
