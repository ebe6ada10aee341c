/*
 * explain.c -- the explanation of one record: each decision with the rule that decided, its
 * reason and the values it read; the rules before it that did not match and why; each flag,
 * raised or not, with its values; and, one level down, what the derived values read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "explain.h"
#include "whatif.h"

static void put(wbuf *b, const char *s)
{
  wbuf_put(b, s, strlen(s));
}

static void at(wbuf *b, const elig_program *P, elig_loc loc)
{
  char buf[32];
  uint32_t line = 0, col = 0;
  src_position(P->srcs, loc.file, loc.start, &line, &col);
  put(b, src_file_name(P->srcs, loc.file));
  snprintf(buf, sizeof buf, ":%u", line);
  put(b, buf);
}

/* A value of the record as text: "undetermined" when it depends on absent fields. */
static const char *value_text(const vm_ctx *ctx, ty_type t, const vm_val *v, bool quote, char *buf,
                              size_t size)
{
  if (vm_unknown_of(ctx, v))
    return WRITE_UNDETERMINED;
  return write_value_text(t, v, quote, buf, size);
}

/* The same in JSON, as a JSON Lines result writes it. */
static void value_json(wbuf *b, const vm_ctx *ctx, ty_type t, const vm_val *v)
{
  if (vm_unknown_of(ctx, v))
    put(b, "\"" WRITE_UNDETERMINED "\"");
  else
    write_value_json(b, t, v);
}

/* " (needs net_income, size)" for an unknown value, nothing for a known one; in JSON
 * ", \"needs\": [...]". */
static void needs(wbuf *b, const elig_program *P, const vm_ctx *ctx, const vm_val *v, bool json)
{
  uint64_t mask = vm_unknown_of(ctx, v);
  if (!mask)
    return;
  put(b, json ? ", \"needs\": [" : " (needs ");
  write_needs(b, P, ctx, mask, json ? ", " : ", ", json);
  put(b, json ? "]" : ")");
}

/* An undetermined decision's possible outcomes: " (one of "a", "b")" in text, ",
 * \"possible\": [...]" in JSON; nothing when any value is possible. */
static void possible(wbuf *b, const vm_ctx *ctx, const prog_decision *d, bool json)
{
  char buf[256];
  uint32_t n;
  const vm_val *v = vm_possible(ctx, d->cell, &n);
  if (!n)
    return;
  put(b, json ? ", \"possible\": [" : ": one of ");
  for (uint32_t i = 0; i < n; i++) {
    put(b, i ? ", " : "");
    if (json)
      write_value_json(b, d->type, &v[i]);
    else
      put(b, write_value_text(d->type, &v[i], true, buf, sizeof buf));
  }
  put(b, json ? "]" : "");
}

/* The defaults a result depends on: " (defaulted: a, b)" in text,
 * ", \"defaulted\": [...]" in JSON, or nothing. */
static void defaulted(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask, bool json)
{
  if (!mask)
    return;
  put(b, json ? ", \"defaulted\": [" : " (defaulted: ");
  write_defaulted(b, P, ctx, mask, ", ", json);
  put(b, json ? "]" : ")");
}

/* name = value, ... (text) or "name": value, ... (JSON), computing each value first. */
static void values(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_names *names, bool json)
{
  char buf[256];
  for (uint32_t i = 0; names && i < names->n; i++) {
    const prog_column *c = &names->items[i];
    if (c->cell != UINT32_MAX && vm_ensure(ctx, c->cell) != VM_OK)
      continue;
    const vm_val *v = vm_column_value(ctx, c);
    put(b, i ? ", " : "");
    if (json) {
      wbuf_json_text(b, c->name, strlen(c->name));
      put(b, ": ");
      value_json(b, ctx, c->type, v); /* as a JSON Lines result writes it */
    } else {
      put(b, c->name);
      put(b, " = ");
      put(b, value_text(ctx, c->type, v, true, buf, sizeof buf));
    }
  }
  (void)P;
}

/* The derived values and parameters that `names` reads, each with what it reads in turn. */
static void derived(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_names *names,
                    bool *shown, bool json, bool *first)
{
  char buf[256];
  for (uint32_t i = 0; names && i < names->n; i++) {
    const prog_column *c = &names->items[i];
    if (c->cell == UINT32_MAX || shown[c->cell])
      continue;
    uint8_t kind = P->cells[c->cell].kind;
    if (kind != CELL_LET && kind != CELL_PARAM)
      continue;
    shown[c->cell] = true;
    if (vm_ensure(ctx, c->cell) != VM_OK)
      continue;
    const prog_names *inputs = &P->cell_names[c->cell];
    if (json) {
      put(b, *first ? "" : ", ");
      wbuf_json_text(b, c->name, strlen(c->name));
      put(b, ": {\"value\": ");
      prog_names one = {(prog_column *)c, 1};
      put(b, "{");
      values(b, P, ctx, &one, true);
      put(b, "}, \"reads\": {");
      values(b, P, ctx, inputs, true);
      put(b, "}}");
    } else {
      put(b, "    ");
      put(b, c->name);
      put(b, " = ");
      put(b, value_text(ctx, c->type, vm_column_value(ctx, c), true, buf, sizeof buf));
      if (inputs->n) {
        put(b, kind == CELL_PARAM ? "   (parameter, by " : "   <- ");
        values(b, P, ctx, inputs, false);
        if (kind == CELL_PARAM)
          put(b, ")");
      } else if (kind == CELL_PARAM) {
        put(b, "   (parameter)");
      }
      put(b, "\n");
    }
    *first = false;
  }
}

/* ---------------------------------------------------------------- conditions and margins */

/* How far the left side is from the right: *margin (a value of the sides' type, or days for
 * dates) and the sign of left - right; false when it cannot be said (none, overflow). */
static bool margin_of(const prog_cond *pc, const vm_val *l, const vm_val *r, vm_val *margin,
                      int *sign)
{
  memset(margin, 0, sizeof *margin);
  if (l->none || r->none)
    return false;
  if (pc->left_type.base == TY_NUMBER || pc->left_type.base == TY_PERCENT) {
    *sign = dec_num_cmp(l->u.n, r->u.n);
    dec_num d;
    if ((*sign >= 0 ? dec_num_sub(l->u.n, r->u.n, &d) : dec_num_sub(r->u.n, l->u.n, &d)) != DEC_OK)
      return false;
    margin->u.n = d;
    return true;
  }
  *sign = l->u.i < r->u.i ? -1 : l->u.i > r->u.i;
  int64_t d;
  if (*sign >= 0 ? __builtin_sub_overflow(l->u.i, r->u.i, &d)
                 : __builtin_sub_overflow(r->u.i, l->u.i, &d))
    return false;
  margin->u.i = d;
  return true;
}

/* A side named by its text and its value; a value written out (`2021`, `4000`) only by its
 * value, as the comparison takes it (4000.00). */
static void side_text(wbuf *b, const vm_ctx *ctx, const char *text, bool literal, ty_type t,
                      const vm_val *v)
{
  char buf[256];
  if (!literal) {
    put(b, text);
    put(b, " ");
  }
  put(b, value_text(ctx, t, v, true, buf, sizeof buf));
}

/* "per_capita 3950.00 is 50.00 below poverty_line 4000.00" */
static void comparison_text(wbuf *b, const vm_ctx *ctx, const prog_cond *pc, const vm_val *l,
                            const vm_val *r)
{
  char buf[256];
  vm_val m;
  int sign;
  side_text(b, ctx, pc->left_text, pc->left_literal, pc->left_type, l);
  if (vm_unknown_of(ctx, l) || vm_unknown_of(ctx, r) || !margin_of(pc, l, r, &m, &sign)) {
    put(b, ", ");
    side_text(b, ctx, pc->right_text, pc->right_literal, pc->right_type, r);
    return;
  }
  if (sign == 0) {
    put(b, " equals ");
  } else {
    ty_type mt = pc->left_type.base == TY_DATE ? ty_make(TY_INT) : pc->left_type;
    put(b, " is ");
    put(b, write_value_text(mt, &m, false, buf, sizeof buf));
    put(b, pc->left_type.base == TY_DATE ? (m.u.i == 1 ? " day" : " days") : "");
    put(b, sign < 0 ? (pc->left_type.base == TY_DATE ? " before " : " below ")
                    : (pc->left_type.base == TY_DATE ? " after " : " above "));
  }
  side_text(b, ctx, pc->right_text, pc->right_literal, pc->right_type, r);
}

/* Evaluates condition pc: 1 holds, 0 does not, COND_UNKNOWN it depends on absent fields, -1
 * cannot be said (a rule failing on it). */
enum {
  COND_UNKNOWN = 2
};
static int cond_holds(vm_ctx *ctx, const prog_cond *pc)
{
  if (vm_ensure(ctx, pc->cell) != VM_OK)
    return -1;
  const vm_val *v = vm_cell_value(ctx, pc->cell);
  if (vm_unknown_of(ctx, v))
    return COND_UNKNOWN;
  return v->none ? -1 : v->u.i != 0;
}

/* A condition as written, and for a comparison where its sides stand:
 * "per_capita > poverty_line: per_capita 3950.00 is 50.00 below poverty_line 4000.00". */
static void cond_detail(wbuf *b, vm_ctx *ctx, const prog_cond *pc)
{
  put(b, pc->text);
  if (pc->left != UINT32_MAX && vm_ensure(ctx, pc->left) == VM_OK &&
      vm_ensure(ctx, pc->right) == VM_OK) {
    put(b, ": ");
    comparison_text(b, ctx, pc, vm_cell_value(ctx, pc->left), vm_cell_value(ctx, pc->right));
  }
  if (cond_holds(ctx, pc) == COND_UNKNOWN)
    needs(b, vm_program(ctx), ctx, vm_cell_value(ctx, pc->cell), false);
}

/* One condition, on a line of the tree: "met: per_capita > poverty_line: ..." */
static void cond_text(wbuf *b, vm_ctx *ctx, const prog_cond *pc, const char *label)
{
  put(b, "    ");
  put(b, label);
  cond_detail(b, ctx, pc);
  put(b, "\n");
}

/* One condition in JSON: {"condition": ..., "holds": ..., "left": ..., "right": ...,
 * "margin": ..., "side": "below"|"above"|"equal"}. */
static void cond_json(wbuf *b, vm_ctx *ctx, const prog_cond *pc, int holds)
{
  put(b, "{\"condition\": ");
  wbuf_json_text(b, pc->text, strlen(pc->text));
  put(b, holds < 0 || holds == COND_UNKNOWN ? ", \"holds\": null"
         : holds                            ? ", \"holds\": true"
                                            : ", \"holds\": false");
  if (holds == COND_UNKNOWN)
    needs(b, vm_program(ctx), ctx, vm_cell_value(ctx, pc->cell), true);
  if (pc->left != UINT32_MAX && vm_ensure(ctx, pc->left) == VM_OK &&
      vm_ensure(ctx, pc->right) == VM_OK) {
    const vm_val *l = vm_cell_value(ctx, pc->left), *r = vm_cell_value(ctx, pc->right);
    put(b, ", \"left\": {\"text\": ");
    wbuf_json_text(b, pc->left_text, strlen(pc->left_text));
    put(b, ", \"value\": ");
    value_json(b, ctx, pc->left_type, l);
    put(b, "}, \"right\": {\"text\": ");
    wbuf_json_text(b, pc->right_text, strlen(pc->right_text));
    put(b, ", \"value\": ");
    value_json(b, ctx, pc->right_type, r);
    put(b, "}");
    vm_val m;
    int sign;
    if (!vm_unknown_of(ctx, l) && !vm_unknown_of(ctx, r) && margin_of(pc, l, r, &m, &sign)) {
      ty_type mt = pc->left_type.base == TY_DATE ? ty_make(TY_INT) : pc->left_type;
      put(b, ", \"margin\": ");
      write_value_json(b, mt, &m);
      put(b, sign < 0   ? ", \"side\": \"below\""
             : sign > 0 ? ", \"side\": \"above\""
                        : ", \"side\": \"equal\"");
    }
  }
  put(b, "}");
}

/* The conditions of a rule or flag: when it matched (held), every one; else the first that
 * did not hold, which is why it did not match. */
/* How a rule's conditions come out together: 1 all hold, 0 one does not, COND_UNKNOWN none
 * fails but some depend on absent fields, -1 one cannot be evaluated. */
static int rule_holds(vm_ctx *ctx, const prog_conds *cs)
{
  int all = 1;
  for (uint32_t k = 0; k < cs->n; k++) {
    int h = cond_holds(ctx, &cs->items[k]);
    if (h == 0 || h < 0)
      return h;
    if (h == COND_UNKNOWN)
      all = COND_UNKNOWN;
  }
  return all;
}

/* The conditions of a rule or flag: when it matched (held), every one; else the first that
 * did not hold, which is why it did not match; when none failed but some depend on absent
 * fields, those. */
static void conds_text(wbuf *b, vm_ctx *ctx, const prog_conds *cs, bool matched)
{
  int state = matched ? 1 : rule_holds(ctx, cs);
  for (uint32_t k = 0; k < cs->n; k++) {
    int holds = cond_holds(ctx, &cs->items[k]);
    if (holds == COND_UNKNOWN && state != 0) {
      cond_text(b, ctx, &cs->items[k], "undetermined: ");
    } else if (matched) {
      cond_text(b, ctx, &cs->items[k], "met: ");
    } else if (holds == 0) {
      cond_text(b, ctx, &cs->items[k], "not met: ");
      return;
    } else if (holds < 0) {
      return; /* a condition that cannot be evaluated: the rule failed, said elsewhere */
    }
  }
}

static void conds_json(wbuf *b, vm_ctx *ctx, const prog_conds *cs, bool matched)
{
  int state = matched ? 1 : rule_holds(ctx, cs);
  bool all = matched || state == COND_UNKNOWN;
  put(b, all ? ", \"conditions\": [" : ", \"failed\": ");
  bool any = false;
  for (uint32_t k = 0; k < cs->n; k++) {
    int holds = cond_holds(ctx, &cs->items[k]);
    if (all) {
      put(b, k ? ", " : "");
      cond_json(b, ctx, &cs->items[k], holds);
    } else if (holds <= 0) {
      if (holds == 0) {
        cond_json(b, ctx, &cs->items[k], holds);
        any = true;
      }
      break;
    }
  }
  if (all)
    put(b, "]");
  else if (!any)
    put(b, "null");
}

void explain_flag_conditions(wbuf *b, vm_ctx *ctx, const prog_flag *fl)
{
  bool raised = vm_cell_value(ctx, fl->cell)->u.i != 0;
  const prog_conds *cs = &fl->conds;
  bool first = true;
  for (uint32_t k = 0; k < cs->n; k++) {
    const prog_cond *pc = &cs->items[k];
    int holds = cond_holds(ctx, pc);
    if (holds < 0 || (!raised && holds))
      continue;
    put(b, first ? (raised ? "met: " : "not met: ") : "; ");
    first = false;
    cond_detail(b, ctx, pc);
    if (!raised)
      return;
  }
}

/* The rule of an undetermined decision where the explanation stops: the first whose
 * conditions all hold (it decides unless one before it does), else the last. */
static uint32_t last_rule_shown(vm_ctx *ctx, const prog_decision *d)
{
  for (uint32_t r = 0; r < d->nrules; r++)
    if (!d->rule_conds || rule_holds(ctx, &d->rule_conds[r]) == 1)
      return r;
  return d->nrules ? d->nrules - 1 : 0;
}

/* The last rule of decision d an explanation shows. */
static uint32_t shown_upto(vm_ctx *ctx, const prog_decision *d)
{
  return vm_unknown_of(ctx, vm_cell_value(ctx, d->cell)) ? last_rule_shown(ctx, d)
                                                         : vm_rule(ctx, d->cell);
}

/* How rule r of decision d came out, in words; *decides: it decided or may decide. */
static const char *rule_word(vm_ctx *ctx, const prog_decision *d, uint32_t r, uint32_t rule,
                             bool unknown, bool *decides)
{
  int h = !unknown ? (r == rule) : d->rule_conds ? rule_holds(ctx, &d->rule_conds[r]) : 1;
  *decides = h != 0;
  if (!unknown)
    return r == rule ? ") decided" : ") did not match";
  return h == 1   ? ") decides unless a rule before it does"
         : h == 0 ? ") did not match"
                  : ") may decide";
}

static void decision_text(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_decision *d,
                          bool *shown, uint64_t defaults)
{
  char buf[256];
  const vm_val *value = vm_cell_value(ctx, d->cell);
  bool unknown = vm_unknown_of(ctx, value) != 0;
  uint32_t rule = unknown ? last_rule_shown(ctx, d) : vm_rule(ctx, d->cell);
  put(b, d->name);
  put(b, " = ");
  put(b, value_text(ctx, d->type, value, true, buf, sizeof buf));
  possible(b, ctx, d, false);
  needs(b, P, ctx, value, false);
  defaulted(b, P, ctx, defaults, false);
  put(b, "\n");
  for (uint32_t r = 0; r <= rule && r < d->nrules; r++) {
    snprintf(buf, sizeof buf, "  rule %u (", r + 1);
    put(b, buf);
    at(b, P, d->rule_locs[r]);
    bool decides;
    put(b, rule_word(ctx, d, r, rule, unknown, &decides));
    if (decides && d->reasons[r]) {
      put(b, ": ");
      put(b, d->reasons[r]);
    }
    put(b, "\n");
    if (d->rule_names[r].n) {
      put(b, "    ");
      values(b, P, ctx, &d->rule_names[r], false);
      put(b, "\n");
    }
    if (d->rule_conds)
      conds_text(b, ctx, &d->rule_conds[r], !unknown && r == rule);
  }
  bool first = true;
  size_t before = b->len;
  put(b, "  derived values used:\n");
  for (uint32_t r = 0; r <= rule && r < d->nrules; r++)
    derived(b, P, ctx, &d->rule_names[r], shown, false, &first);
  if (first)
    b->len = before; /* none */
}

static void decision_json(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_decision *d,
                          uint64_t defaults)
{
  char buf[256];
  const vm_val *value = vm_cell_value(ctx, d->cell);
  bool unknown = vm_unknown_of(ctx, value) != 0;
  uint32_t rule = unknown ? last_rule_shown(ctx, d) : vm_rule(ctx, d->cell);
  put(b, "{\"name\": ");
  wbuf_json_text(b, d->name, strlen(d->name));
  put(b, ", \"value\": ");
  const char *shown = value_text(ctx, d->type, value, false, buf, sizeof buf);
  wbuf_json_text(b, shown, strlen(shown));
  possible(b, ctx, d, true);
  needs(b, P, ctx, value, true);
  defaulted(b, P, ctx, defaults, true);
  if (unknown) {
    put(b, ", \"rule\": null, \"at\": null, \"reason\": null");
  } else {
    snprintf(buf, sizeof buf, ", \"rule\": %u, \"at\": \"", rule + 1);
    put(b, buf);
    at(b, P, d->rule_locs[rule]);
    put(b, "\", \"reason\": ");
    if (d->reasons[rule])
      wbuf_json_text(b, d->reasons[rule], strlen(d->reasons[rule]));
    else
      put(b, "null");
  }
  put(b, ", \"rules\": [");
  for (uint32_t r = 0; r <= rule && r < d->nrules; r++) {
    int h = unknown && d->rule_conds ? rule_holds(ctx, &d->rule_conds[r]) : 1;
    const char *matched = !unknown ? (r == rule ? "true" : "false")
                          : h == 1 ? "true"
                          : h == 0 ? "false"
                                   : "null";
    snprintf(buf, sizeof buf, "%s{\"rule\": %u, \"matched\": %s, \"values\": {", r ? ", " : "",
             r + 1, matched);
    put(b, buf);
    values(b, P, ctx, &d->rule_names[r], true);
    put(b, "}");
    if (d->rule_conds)
      conds_json(b, ctx, &d->rule_conds[r], !unknown && r == rule);
    put(b, "}");
  }
  put(b, "]}");
}

/* The mask of defaults decision d depends on, from the masks per column. */
static uint64_t decision_defaults(const elig_program *P, const prog_decision *d,
                                  const uint64_t *cols)
{
  for (uint32_t i = 0; cols && i < P->ncolumns; i++)
    if (P->columns[i].cell == d->cell)
      return cols[i];
  return 0;
}

vm_status explain_record(const elig_program *P, vm_ctx *ctx, const char *where, const char *key,
                         bool json, wbuf *out)
{
  return explain_record_what_if(P, ctx, where, key, json, PROG_NONE, out);
}

vm_status explain_record_what_if(const elig_program *P, vm_ctx *ctx, const char *where,
                                 const char *key, bool json, uint32_t what_if, wbuf *out)
{
  vm_status st = VM_OK;
  /* which defaults each result depends on, before the evaluation explained */
  uint64_t *cols = NULL, *flag_defaults = NULL;
  if (vm_defaulted(ctx)) {
    cols = mem_calloc(P->ncolumns + 1, sizeof *cols);
    flag_defaults = mem_calloc(P->nflags + 1, sizeof *flag_defaults);
    if (!cols || !flag_defaults) {
      mem_free(cols);
      mem_free(flag_defaults);
      return VM_ERR_NO_MEMORY;
    }
    vm_find_defaults_used(ctx, cols, flag_defaults);
  }
  for (uint32_t d = 0; d < P->ndecisions && st == VM_OK; d++)
    st = vm_ensure(ctx, P->decisions[d].cell);
  for (uint32_t f = 0; f < P->nflags && st == VM_OK; f++)
    st = vm_ensure(ctx, P->flags[f].cell);
  /* which derived values were shown already: each once */
  bool *shown = st == VM_OK ? mem_calloc(P->ncells + 1, sizeof *shown) : NULL;
  if (st == VM_OK && !shown)
    st = VM_ERR_NO_MEMORY;
  if (st != VM_OK) {
    mem_free(cols);
    mem_free(flag_defaults);
    return st;
  }
  if (json) {
    put(out, "{\"record\": ");
    wbuf_json_text(out, key, strlen(key));
    if (where) {
      put(out, ", \"at\": ");
      wbuf_json_text(out, where, strlen(where));
    }
    put(out, ", \"decisions\": [");
    for (uint32_t d = 0; d < P->ndecisions; d++) {
      put(out, d ? ", " : "");
      decision_json(out, P, ctx, &P->decisions[d], decision_defaults(P, &P->decisions[d], cols));
    }
    put(out, "], \"flags\": [");
    for (uint32_t f = 0; f < P->nflags; f++) {
      const prog_flag *fl = &P->flags[f];
      put(out, f ? ", {\"name\": " : "{\"name\": ");
      wbuf_json_text(out, fl->name, strlen(fl->name));
      put(out, ", \"severity\": ");
      wbuf_json_text(out, fl->severity, strlen(fl->severity));
      const vm_val *fv = vm_cell_value(ctx, fl->cell);
      put(out, vm_unknown_of(ctx, fv) ? ", \"raised\": null"
               : fv->u.i              ? ", \"raised\": true"
                                      : ", \"raised\": false");
      needs(out, P, ctx, fv, true);
      defaulted(out, P, ctx, flag_defaults ? flag_defaults[f] : 0, true);
      put(out, ", \"reason\": ");
      if (fl->reason)
        wbuf_json_text(out, fl->reason, strlen(fl->reason));
      else
        put(out, "null");
      put(out, ", \"values\": {");
      values(out, P, ctx, &P->cell_names[fl->cell], true);
      put(out, "}");
      conds_json(out, ctx, &fl->conds, fv->u.i != 0 && !vm_unknown_of(ctx, fv));
      put(out, "}");
    }
    put(out, "], \"derived\": {");
    bool first = true;
    for (uint32_t d = 0; d < P->ndecisions; d++)
      for (uint32_t r = 0, last = shown_upto(ctx, &P->decisions[d]);
           r < P->decisions[d].nrules && r <= last; r++)
        derived(out, P, ctx, &P->decisions[d].rule_names[r], shown, true, &first);
    for (uint32_t f = 0; f < P->nflags; f++)
      derived(out, P, ctx, &P->cell_names[P->flags[f].cell], shown, true, &first);
    put(out, "}");
    if (what_if != PROG_NONE)
      st = whatif_record(P, ctx, what_if, true, out);
    put(out, "}\n");
    mem_free(shown);
    mem_free(cols);
    mem_free(flag_defaults);
    return st;
  }
  put(out, "record ");
  put(out, key);
  if (where) {
    put(out, " (");
    put(out, where);
    put(out, ")");
  }
  put(out, "\n\n");
  for (uint32_t d = 0; d < P->ndecisions; d++) {
    decision_text(out, P, ctx, &P->decisions[d], shown,
                  decision_defaults(P, &P->decisions[d], cols));
    put(out, "\n");
  }
  put(out, "flags\n");
  for (uint32_t f = 0; f < P->nflags; f++) {
    const prog_flag *fl = &P->flags[f];
    const vm_val *fv = vm_cell_value(ctx, fl->cell);
    bool unknown = vm_unknown_of(ctx, fv) != 0;
    bool raised = fv->u.i != 0 && !unknown;
    put(out, "  ");
    put(out, fl->name);
    put(out, " (");
    put(out, fl->severity);
    put(out, unknown ? "): undetermined" : raised ? "): raised" : "): not raised");
    needs(out, P, ctx, fv, false);
    defaulted(out, P, ctx, flag_defaults ? flag_defaults[f] : 0, false);
    if ((raised || unknown) && fl->reason) {
      put(out, ": ");
      put(out, fl->reason);
    }
    put(out, "\n    ");
    values(out, P, ctx, &P->cell_names[fl->cell], false);
    put(out, "\n");
    conds_text(out, ctx, &fl->conds, raised);
    bool first = true;
    derived(out, P, ctx, &P->cell_names[fl->cell], shown, false, &first);
  }
  if (what_if != PROG_NONE)
    st = whatif_record(P, ctx, what_if, false, out);
  mem_free(shown);
  mem_free(cols);
  mem_free(flag_defaults);
  return st;
}
