/*
 * step.c -- one record through one rule set.  See step.h.
 */
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "i18n.h"
#include "mem.h"
#include "step.h"

bool step_init(step *s, const elig_program *P, int32_t as_of, bool aggregate)
{
  memset(s, 0, sizeof *s);
  s->P = P;
  s->ctx = vm_ctx_new(P);
  if (!s->ctx)
    return false;
  vm_set_as_of(s->ctx, as_of);
  if (!aggregate)
    return true;
  s->aggs = mem_calloc(P->naggregates + 1, sizeof *s->aggs);
  if (!s->aggs)
    return false;
  for (uint32_t i = 0; i < P->naggregates; i++)
    agg_table_init(&s->aggs[i], &P->aggregates[i]);
  return true;
}

void step_fini(step *s)
{
  vm_ctx_free(s->ctx);
  for (uint32_t i = 0; s->aggs && i < s->P->naggregates; i++)
    agg_table_fini(&s->aggs[i]);
  mem_free(s->aggs);
  wbuf_free(&s->seed_link);
  memset(s, 0, sizeof *s);
}

void step_set_undetermined(step *s, bool on)
{
  vm_set_undetermined(s->ctx, on);
  for (uint32_t i = 0; on && s->aggs && i < s->P->naggregates; i++)
    agg_table_ranges(&s->aggs[i]);
}

/* A record whose group in aggregate `t` an absent field would decide: rejected, naming the
 * field (the first of them). */
static step_result group_unknown(step *s, const agg_table *t, step_why *why)
{
  const prog_record *rec = prog_main_record(s->P);
  const char *field = "";
  for (uint32_t i = 0; i < rec->nfields && !field[0]; i++)
    if ((t->unknown_key & vm_field_bit(i)) && vm_unknown_of(s->ctx, vm_field_value(s->ctx, i)))
      field = rec->fields[i].name;
  why->reject.code = DIAG_E_GROUP_UNKNOWN;
  diag_format(DIAG_E_GROUP_UNKNOWN, why->reject.message, sizeof why->reject.message, field,
              t->A->name);
  snprintf(why->reject.field, sizeof why->reject.field, "%s", field);
  why->reject.value[0] = '\0';
  why->reject.json_column = 0;
  return STEP_REJECTED;
}

diag_id step_failure_code(vm_status st)
{
  switch (st) {
  case VM_ERR_DIV_ZERO: return DIAG_E_RUN_DIV_ZERO;
  case VM_ERR_REGEX_LIMIT: return DIAG_E_RUN_REGEX_LIMIT;
  case VM_ERR_REGEX: return DIAG_E_RUN_REGEX;
  case VM_ERR_NO_MEMORY: return DIAG_E_NO_MEMORY;
  default: return DIAG_E_RUN_OVERFLOW;
  }
}

step_result step_failed(step *s, vm_status st, step_why *why)
{
  if (st == VM_ERR_NO_MEMORY)
    return STEP_NO_MEMORY;
  vm_error(s->ctx, &why->pc); /* agg_add's failure is a cell's too, with its pc */
  why->vm = st;
  why->reject.code = step_failure_code(st);
  snprintf(why->reject.message, sizeof why->reject.message, "%s", vm_status_str(st));
  why->reject.field[0] = why->reject.value[0] = '\0';
  why->reject.json_column = 0;
  return STEP_FAILED;
}

void step_set_previous(step *s, const char *kept, size_t len)
{
  s->previous = kept;
  s->previous_len = len;
  s->has_previous = true;
}

step_result step_evaluate(step *s, uint64_t seq, step_why *why)
{
  if (s->has_previous) {
    /* checked when it was given: bytes of this program's kept values */
    vm_set_previous(s->ctx, s->previous, s->previous_len);
    s->has_previous = false;
  } else if (s->seed && s->P->order_field != PROG_NONE) {
    s->seed_link.len = 0;
    hist_link(s->P, s->ctx, &s->seed_link);
    if (s->seed_link.failed) {
      wbuf_free(&s->seed_link);
      return STEP_NO_MEMORY;
    }
    size_t len = 0;
    const char *kept = s->seed(s->seed_arg, s->seed_link.p ? s->seed_link.p : "", s->seed_link.len,
                               hist_year(s->P, s->ctx) - 1, &len);
    vm_set_previous(s->ctx, kept, kept ? len : 0);
  }
  if (s->show_defaults && vm_defaulted(s->ctx))
    vm_set_defaults_used(s->ctx, vm_find_defaults_used(s->ctx, NULL, NULL));
  vm_status st = vm_eval_record(s->ctx);
  /* aggregates see the record only once it has a full result */
  uint32_t i = 0;
  for (; s->aggs && i < s->P->naggregates && st == VM_OK; i++)
    st = agg_add(&s->aggs[i], s->ctx, seq);
  if (st == VM_OK)
    return STEP_OK;
  if (st == VM_ERR_UNKNOWN_GROUP)
    return group_unknown(s, &s->aggs[i - 1], why);
  return step_failed(s, st, why);
}

const char *step_failure_text(const step *s, const step_why *why, char *buf, size_t size)
{
  char where[256];
  prog_where(s->P, why->pc, where, sizeof where);
  /* TRANSLATORS: a rule failed on a record: %1$s is what went wrong ("division by zero"),
   * %2$s where, as file:line:column of the rules. */
  snprintf(buf, size, _("%s at %s"), vm_status_str(why->vm), where);
  return buf;
}

/* What a typing that returned ok made of the record. */
static step_result typed(bool ok, const step_why *why)
{
  if (ok)
    return STEP_OK;
  return why->reject.code == DIAG_E_NO_MEMORY ? STEP_NO_MEMORY : STEP_REJECTED;
}

step_result step_typed(step *s, uint64_t seq, step_why *why)
{
  step_result res = typed(rec_check(s->ctx, &why->reject), why);
  return res == STEP_OK ? step_evaluate(s, seq, why) : res;
}

step_result step_type_json(step *s, jdoc *doc, rec_unknown *unknown, step_why *why)
{
  return typed(rec_from_json(s->ctx, doc, &why->reject, unknown), why);
}

step_result step_json(step *s, jdoc *doc, rec_unknown *unknown, uint64_t seq, step_why *why)
{
  step_result res = step_type_json(s, doc, unknown, why);
  return res == STEP_OK ? step_evaluate(s, seq, why) : res;
}

static step_result csv_type(step *s, const rec_header *h, const split_record *r, step_why *why)
{
  if (h->refused[0]) {
    why->reject.code = h->refused_code;
    snprintf(why->reject.message, sizeof why->reject.message, "%s", h->refused);
    why->reject.field[0] = why->reject.value[0] = '\0';
    why->reject.json_column = 0;
    return STEP_REJECTED;
  }
  if (r->csv->error == CSV_ENOMEM)
    return STEP_NO_MEMORY;
  if (r->csv->error != CSV_OK) {
    rec_csv_error(h, s->P, r->csv, &why->reject);
    return STEP_REJECTED;
  }
  return typed(rec_from_csv(h, s->ctx, r->csv, &why->reject), why);
}

step_result step_type(step *s, const rec_header *h, const split_record *r, rec_unknown *unknown,
                      step_why *why)
{
  if (r->format == INPUT_CSV)
    return csv_type(s, h, r, why);
  if (r->json_error == JDOC_ENOMEM)
    return STEP_NO_MEMORY;
  if (r->json_error != JDOC_OK) {
    why->reject.code = DIAG_E_MALFORMED_JSON;
    diag_format(DIAG_E_MALFORMED_JSON, why->reject.message, sizeof why->reject.message,
                r->json_at.column, r->json_at.message);
    why->reject.field[0] = why->reject.value[0] = '\0';
    why->reject.json_column = 0;
    return STEP_REJECTED;
  }
  uint64_t seen = unknown->keys;
  step_result res = step_type_json(s, r->json, unknown, why);
  if (seen == 0 && unknown->keys)
    unknown->first_line = r->line;
  return res;
}

step_result step_record(step *s, const rec_header *h, const split_record *r, uint64_t seq,
                        rec_unknown *unknown, step_why *why)
{
  step_result res = step_type(s, h, r, unknown, why);
  return res == STEP_OK ? step_evaluate(s, seq, why) : res;
}

void step_key_part(const step *s, const rec_header *h, const split_record *r, uint32_t k,
                   const char **text, size_t *len)
{
  *text = "";
  *len = 0;
  if (r->format == INPUT_CSV) {
    /* a record that does not parse has no key: its cells may not be where the header says */
    if (r->csv->error == CSV_OK)
      rec_csv_key_part(h, s->P, r->csv, k, text, len);
    return;
  }
  const jdoc *d = r->json;
  if (!d || !d->nnodes || d->nodes[0].kind != JDOC_OBJECT)
    return;
  const char *name = prog_main_record(s->P)->fields[s->P->key_fields[k]].name;
  uint32_t v = jdoc_object_get(d, 0, name, strlen(name));
  if (v != JDOC_NONE && d->nodes[v].str) {
    *text = d->nodes[v].str;
    *len = d->nodes[v].len;
  }
}
