/*
 * hist.c -- a household followed over the years.  See hist.h.
 */
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "mem.h"

void hist_init(hist_chain *h)
{
  memset(h, 0, sizeof *h);
}

void hist_reset(hist_chain *h)
{
  /* the seed stays: it is the caller's, not the household's */
  h->have = false;
  h->name = h->pending_name = NULL;
  h->line = h->pending_line = 0;
  h->link.len = h->kept.len = h->scratch.len = h->next_kept.len = 0;
}

void hist_fini(hist_chain *h)
{
  wbuf_free(&h->link);
  wbuf_free(&h->kept);
  wbuf_free(&h->scratch);
  wbuf_free(&h->next_kept);
  memset(h, 0, sizeof *h);
}

/* Each linking field as a tag and its bytes: text as its length and bytes, anything else as
 * its 8 bytes, none as a tag alone, so that two households' links differ when a value does. */
void hist_link(const elig_program *P, const vm_ctx *ctx, wbuf *out)
{
  const prog_record *rec = prog_main_record(P);
  uint32_t nlink = P->order_field == PROG_NONE ? P->nkeys : P->nkeys - 1;
  for (uint32_t k = 0; k < nlink; k++) {
    uint32_t f = P->key_fields[k];
    const vm_val *v = vm_field_value(ctx, f);
    char tag = v->none ? 0 : 1;
    wbuf_put(out, &tag, 1);
    if (v->none)
      continue;
    ty_base t = (ty_base)rec->fields[f].type.base;
    if (t == TY_TEXT) {
      uint32_t len = v->u.s.len;
      wbuf_put(out, (const char *)&len, sizeof len);
      wbuf_put(out, v->u.s.p, len);
    } else if (t == TY_NUMBER || t == TY_PERCENT) {
      /* a fraction in lowest terms: numerator and denominator, equal exactly when the
       * values are */
      wbuf_put(out, (const char *)&v->u.n, sizeof v->u.n);
    } else {
      wbuf_put(out, (const char *)&v->u.i, sizeof v->u.i);
    }
  }
}

int64_t hist_year(const elig_program *P, const vm_ctx *ctx)
{
  return P->order_field == PROG_NONE ? 0 : vm_field_value(ctx, P->order_field)->u.i;
}

static bool same_household(const hist_chain *h)
{
  return h->have && h->link.len == h->scratch.len &&
         memcmp(h->link.p, h->scratch.p, h->link.len) == 0;
}

step_result hist_begin(hist_chain *h, step *s, const char *name, uint64_t line, step_why *why)
{
  const elig_program *P = s->P;
  int64_t year = hist_year(P, s->ctx);
  h->scratch.len = 0;
  hist_link(P, s->ctx, &h->scratch);
  if (h->scratch.failed) {
    /* the link is incomplete: no household could be told from another */
    wbuf_free(&h->scratch);
    return STEP_NO_MEMORY;
  }
  bool same = same_household(h);
  if (same && year == h->year) {
    const char *field = prog_main_record(P)->fields[P->key_fields[0]].name;
    char first[160] = "";
    if (h->name)
      snprintf(first, sizeof first, " (%.120s:%llu)", h->name, (unsigned long long)h->line);
    why->reject.code = DIAG_E_DUPLICATE_RECORD;
    diag_format(DIAG_E_DUPLICATE_RECORD, why->reject.message, sizeof why->reject.message, field,
                (long long)year, first);
    snprintf(why->reject.field, sizeof why->reject.field, "%s", field);
    why->reject.value[0] = '\0';
    why->reject.json_column = 0;
    return STEP_REJECTED;
  }
  bool prev = same && year == h->year + 1;
  if (!prev && !same && h->seed) {
    size_t len = 0;
    const void *kept = h->seed(h->seed_arg, h->scratch.p, h->scratch.len, year - 1, &len);
    vm_set_previous(s->ctx, kept, kept ? len : 0);
  } else {
    vm_set_previous(s->ctx, prev ? h->kept.p : NULL, prev ? h->kept.len : 0);
  }
  if (!same) {
    /* a new household: nothing of the one before may be read */
    h->have = false;
  }
  h->pending_name = name;
  h->pending_line = line;
  return STEP_OK;
}

step_result hist_accept(hist_chain *h, step *s, step_why *why)
{
  h->next_kept.len = 0;
  vm_status st = vm_remember(s->ctx, &h->next_kept);
  if (st == VM_ERR_NO_MEMORY) {
    wbuf_free(&h->next_kept);
    return STEP_NO_MEMORY;
  }
  if (st != VM_OK)
    return step_failed(s, st, why);
  wbuf t = h->kept;
  h->kept = h->next_kept;
  h->next_kept = t;
  if (!same_household(h)) {
    h->link.len = 0;
    wbuf_put(&h->link, h->scratch.p, h->scratch.len);
    if (h->link.failed) {
      wbuf_free(&h->link);
      h->have = false;
      return STEP_NO_MEMORY;
    }
  }
  h->have = true;
  h->year = hist_year(s->P, s->ctx);
  h->name = h->pending_name;
  h->line = h->pending_line;
  return STEP_OK;
}
