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
#include "i18n.h"
#include "whatif.h"

/*
 * The text is for people and translated (i18n.h), a whole line or a whole note at a time so
 * that a translator can order its parts; what the rules write stays as they write it: names,
 * values ("remain_poor", 4000.00, true, and undetermined where it stands as a value after
 * "name = "), conditions, reasons, severities, and the notation "name = value" and "<-".
 * The JSON is for programs and never translated.
 */

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

void explain_needs_note(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask)
{
  if (!mask)
    return;
  wbuf list = {0};
  write_needs(&list, P, ctx, mask, ", ", false);
  wbuf_puts(b, " ");
  /* TRANSLATORS: after a value that depends on fields the record does not give: %s names
   * them as the rules do ("net_income, size"; "previous year" for the household's record of
   * the year before, as results write it). */
  wbuf_printf(b, _("(needs %s)"), wbuf_scratch_text(&list, b));
  wbuf_free(&list);
}

/* " (needs net_income, size)" for an unknown value, nothing for a known one; in JSON
 * ", \"needs\": [...]". */
static void needs(wbuf *b, const elig_program *P, const vm_ctx *ctx, const vm_val *v, bool json)
{
  uint64_t mask = vm_unknown_of(ctx, v);
  if (!mask)
    return;
  if (!json) {
    explain_needs_note(b, P, ctx, mask);
    return;
  }
  put(b, ", \"needs\": [");
  write_needs(b, P, ctx, mask, ", ", true);
  put(b, "]");
}

/* An undetermined decision's possible outcomes: "\"a\", \"b\"" in text, ", \"possible\": [...]"
 * in JSON; nothing (false) when any value is possible. */
static bool possible(wbuf *b, const vm_ctx *ctx, const prog_decision *d, bool json)
{
  char buf[256];
  uint32_t n;
  const vm_val *v = vm_possible(ctx, d->cell, &n);
  if (!n)
    return false;
  put(b, json ? ", \"possible\": [" : "");
  for (uint32_t i = 0; i < n; i++) {
    put(b, i ? ", " : "");
    if (json)
      write_value_json(b, d->type, &v[i]);
    else
      put(b, write_value_text(d->type, &v[i], true, buf, sizeof buf));
  }
  put(b, json ? "]" : "");
  return true;
}

/* The defaults a result depends on: " (defaulted: a, b)" in text,
 * ", \"defaulted\": [...]" in JSON, or nothing. */
static void defaulted(wbuf *b, const elig_program *P, const vm_ctx *ctx, uint64_t mask, bool json)
{
  if (!mask)
    return;
  if (json) {
    put(b, ", \"defaulted\": [");
    write_defaulted(b, P, ctx, mask, ", ", true);
    put(b, "]");
    return;
  }
  wbuf list = {0};
  write_defaulted(&list, P, ctx, mask, ", ", false);
  wbuf_puts(b, " ");
  /* TRANSLATORS: after a result: %s names the fields the record did not give that took the
   * default the rules declare for them ("disaster_loss, dibao"). */
  wbuf_printf(b, _("(defaulted: %s)"), wbuf_scratch_text(&list, b));
  wbuf_free(&list);
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
      if (inputs->n && kind != CELL_PARAM) {
        put(b, "   <- "); /* what it is computed from: notation */
        values(b, P, ctx, inputs, false);
      } else if (inputs->n) {
        wbuf by = {0};
        values(&by, P, ctx, inputs, false);
        put(b, "   ");
        /* TRANSLATORS: after a parameter's value: %s is what its table was looked up by,
         * as the rules write it ("year = 2020"). */
        wbuf_printf(b, _("(parameter, by %s)"), wbuf_scratch_text(&by, b));
        wbuf_free(&by);
      } else if (kind == CELL_PARAM) {
        put(b, "   ");
        /* TRANSLATORS: after the value of a parameter that has one value. */
        put(b, _("(parameter)"));
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

/* A side named by its text and its value ("per_capita 3950.00"); a value written out
 * (`2021`, `4000`) only by its value, as the comparison takes it (4000.00). */
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

/* "per_capita 3950.00 is 50.00 below poverty_line 4000.00": one sentence with the sides in
 * it, each "expression value" as the rules write them. */
static void comparison_text(wbuf *b, const vm_ctx *ctx, const prog_cond *pc, const vm_val *l,
                            const vm_val *r)
{
  char buf[256];
  vm_val m;
  int sign;
  wbuf lw = {0}, rw = {0};
  side_text(&lw, ctx, pc->left_text, pc->left_literal, pc->left_type, l);
  side_text(&rw, ctx, pc->right_text, pc->right_literal, pc->right_type, r);
  const char *ls = wbuf_scratch_text(&lw, b), *rs = wbuf_scratch_text(&rw, b);
  bool date = pc->left_type.base == TY_DATE;
  if (vm_unknown_of(ctx, l) || vm_unknown_of(ctx, r) || !margin_of(pc, l, r, &m, &sign)) {
    wbuf_printf(b, "%s, %s", ls, rs); /* no margin to say: the two sides, as a list */
  } else if (sign == 0) {
    /* TRANSLATORS: the two sides of a comparison, each an expression and its value as the
     * rules write them ("per_capita 4000.00"), or a value alone. */
    wbuf_printf(b, _("%s equals %s"), ls, rs);
  } else if (date) {
    /* a margin of days, as a count */
    const char *days = write_value_text(ty_make(TY_INT), &m, false, buf, sizeof buf);
    unsigned long n = (unsigned long)m.u.i;
    if (sign < 0)
      /* TRANSLATORS: %1$s and %3$s are the sides of a comparison of dates, each an
       * expression and its value ("birth_date 2003-05-01"), %2$s how many days apart. */
      wbuf_printf(b, i18n_plural("%s is %s day before %s", "%s is %s days before %s", n), ls, days,
                  rs);
    else
      /* TRANSLATORS: as "%s is %s day before %s". */
      wbuf_printf(b, i18n_plural("%s is %s day after %s", "%s is %s days after %s", n), ls, days,
                  rs);
  } else {
    const char *by = write_value_text(pc->left_type, &m, false, buf, sizeof buf);
    if (sign < 0)
      /* TRANSLATORS: %1$s and %3$s are the sides of a comparison, each an expression and
       * its value as the rules write them ("per_capita 3950.00", "poverty_line 4000.00"),
       * or a value alone; %2$s how far apart they are ("50.00"). */
      wbuf_printf(b, _("%s is %s below %s"), ls, by, rs);
    else
      /* TRANSLATORS: as "%s is %s below %s". */
      wbuf_printf(b, _("%s is %s above %s"), ls, by, rs);
  }
  wbuf_free(&lw);
  wbuf_free(&rw);
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

/* How a condition came out, as the label of its line or note. */
typedef enum {
  LABEL_MET,
  LABEL_NOT_MET,
  LABEL_UNDETERMINED
} cond_label_kind;

/* "met: DETAIL" in the reader's language: DETAIL is the condition as written and where its
 * sides stand (cond_detail), or several of them joined by "; ". */
static void cond_label(wbuf *b, cond_label_kind state, const char *detail)
{
  switch (state) {
  case LABEL_MET:
    /* TRANSLATORS: a condition that holds: %s is the condition as the rules write it, then
     * where its sides stand ("per_capita < poverty_line: per_capita 3950.00 is 50.00 below
     * poverty_line 4000.00"). */
    wbuf_printf(b, _("met: %s"), detail);
    break;
  case LABEL_NOT_MET:
    /* TRANSLATORS: a condition that does not hold; %s as in "met: %s". */
    wbuf_printf(b, _("not met: %s"), detail);
    break;
  case LABEL_UNDETERMINED:
    /* TRANSLATORS: a condition that depends on fields the record does not give; %s as in
     * "met: %s", ending with what it needs. */
    wbuf_printf(b, _("undetermined: %s"), detail);
    break;
  }
}

/* One condition, on a line of the tree: "met: per_capita > poverty_line: ..." */
static void cond_text(wbuf *b, vm_ctx *ctx, const prog_cond *pc, cond_label_kind state)
{
  wbuf detail = {0};
  cond_detail(&detail, ctx, pc);
  put(b, "    ");
  cond_label(b, state, wbuf_scratch_text(&detail, b));
  put(b, "\n");
  wbuf_free(&detail);
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
      cond_text(b, ctx, &cs->items[k], LABEL_UNDETERMINED);
    } else if (matched) {
      cond_text(b, ctx, &cs->items[k], LABEL_MET);
    } else if (holds == 0) {
      cond_text(b, ctx, &cs->items[k], LABEL_NOT_MET);
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
  wbuf details = {0};
  bool first = true;
  for (uint32_t k = 0; k < cs->n; k++) {
    const prog_cond *pc = &cs->items[k];
    int holds = cond_holds(ctx, pc);
    if (holds < 0 || (!raised && holds))
      continue;
    put(&details, first ? "" : "; ");
    first = false;
    cond_detail(&details, ctx, pc);
    if (!raised)
      break;
  }
  if (!first)
    cond_label(b, raised ? LABEL_MET : LABEL_NOT_MET, wbuf_scratch_text(&details, b));
  wbuf_free(&details);
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

/* The line of rule r of decision d: how it came out, and the reason of one that decided or
 * may decide: "rule 4 (household.rules:35) decided: REASON".  `rule` is the last rule shown
 * (the one that decided, when the decision is known). */
static void rule_line(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_decision *d,
                      uint32_t r, uint32_t rule, bool unknown)
{
  int h = !unknown ? (r == rule) : d->rule_conds ? rule_holds(ctx, &d->rule_conds[r]) : 1;
  const char *reason = h != 0 ? d->reasons[r] : NULL;
  uint32_t line = 0, col = 0;
  src_position(P->srcs, d->rule_locs[r].file, d->rule_locs[r].start, &line, &col);
  const char *file = src_file_name(P->srcs, d->rule_locs[r].file);
  if (h == 0)
    /* TRANSLATORS: a rule of a decision, on its line: %1$u its number in the decision,
     * %2$s:%3$u its file and line. */
    wbuf_printf(b, _("rule %u (%s:%u) did not match"), r + 1, file, line);
  else if (!unknown && reason)
    /* TRANSLATORS: the rule that decided: %1$u its number in the decision, %2$s:%3$u its
     * file and line, %4$s its reason as the rules write it. */
    wbuf_printf(b, _("rule %u (%s:%u) decided: %s"), r + 1, file, line, reason);
  else if (!unknown)
    /* TRANSLATORS: the rule that decided, one without a reason: %1$u its number in the
     * decision, %2$s:%3$u its file and line. */
    wbuf_printf(b, _("rule %u (%s:%u) decided"), r + 1, file, line);
  else if (h == 1 && reason)
    /* TRANSLATORS: in an undetermined decision, a rule whose conditions all hold: it decides
     * unless a rule before it, which depends on absent fields, matches.  %1$u its number,
     * %2$s:%3$u its file and line, %4$s its reason as the rules write it. */
    wbuf_printf(b, _("rule %u (%s:%u) decides unless a rule before it does: %s"), r + 1, file, line,
                reason);
  else if (h == 1)
    /* TRANSLATORS: the same for a rule without a reason. */
    wbuf_printf(b, _("rule %u (%s:%u) decides unless a rule before it does"), r + 1, file, line);
  else if (reason)
    /* TRANSLATORS: in an undetermined decision, a rule whose match depends on absent fields.
     * %1$u its number, %2$s:%3$u its file and line, %4$s its reason as the rules write it. */
    wbuf_printf(b, _("rule %u (%s:%u) may decide: %s"), r + 1, file, line, reason);
  else
    /* TRANSLATORS: the same for a rule without a reason. */
    wbuf_printf(b, _("rule %u (%s:%u) may decide"), r + 1, file, line);
}

static void decision_text(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_decision *d,
                          bool *shown, uint64_t defaults)
{
  char buf[256];
  const vm_val *value = vm_cell_value(ctx, d->cell);
  bool unknown = vm_unknown_of(ctx, value) != 0;
  uint32_t rule = unknown ? last_rule_shown(ctx, d) : vm_rule(ctx, d->cell);
  const char *shown_value = value_text(ctx, d->type, value, true, buf, sizeof buf);
  wbuf outcomes = {0};
  if (possible(&outcomes, ctx, d, false))
    /* TRANSLATORS: an undetermined decision: %1$s = %2$s is its name and value (undetermined)
     * as results write them, %3$s the values it can still take ("\"poor\", \"comfortable\""). */
    wbuf_printf(b, _("%s = %s: one of %s"), d->name, shown_value, wbuf_scratch_text(&outcomes, b));
  else
    wbuf_printf(b, "%s = %s", d->name, shown_value); /* the rules' notation */
  wbuf_free(&outcomes);
  needs(b, P, ctx, value, false);
  defaulted(b, P, ctx, defaults, false);
  put(b, "\n");
  for (uint32_t r = 0; r <= rule && r < d->nrules; r++) {
    put(b, "  ");
    rule_line(b, P, ctx, d, r, rule, unknown);
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
  put(b, "  ");
  /* TRANSLATORS: the heading of the values a decision's rules computed from the record's
   * fields, one "name = value   <- what it is computed from" a line below it. */
  put(b, _("derived values used:"));
  put(b, "\n");
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

/* A flag's line: "unstable_exited (high): raised (defaulted: disaster_loss): REASON"; the
 * reason of one raised or undetermined. */
static void flag_line(wbuf *b, const elig_program *P, vm_ctx *ctx, const prog_flag *fl,
                      const vm_val *fv, uint64_t defaults, bool raised, bool unknown)
{
  wbuf notes = {0}; /* " (needs ...)", " (defaulted: ...)", each translated, or nothing */
  needs(&notes, P, ctx, fv, false);
  defaulted(&notes, P, ctx, defaults, false);
  const char *n = wbuf_scratch_text(&notes, b), *reason = fl->reason;
  if (unknown && reason)
    /* TRANSLATORS: a flag whose outcome depends on absent fields: %1$s its name, %2$s its
     * severity as the rules write it ("high"), %3$s notes " (needs ...)" and " (defaulted:
     * ...)", each with a space before it, %4$s its reason as the rules write it. */
    wbuf_printf(b, _("%s (%s): undetermined%s: %s"), fl->name, fl->severity, n, reason);
  else if (unknown)
    /* TRANSLATORS: the same for a flag without a reason. */
    wbuf_printf(b, _("%s (%s): undetermined%s"), fl->name, fl->severity, n);
  else if (raised && reason)
    /* TRANSLATORS: a raised flag: %1$s its name, %2$s its severity as the rules write it
     * ("high"), %3$s a note " (defaulted: ...)" with a space before it, or nothing, %4$s its
     * reason as the rules write it. */
    wbuf_printf(b, _("%s (%s): raised%s: %s"), fl->name, fl->severity, n, reason);
  else if (raised)
    /* TRANSLATORS: the same for a flag without a reason. */
    wbuf_printf(b, _("%s (%s): raised%s"), fl->name, fl->severity, n);
  else
    /* TRANSLATORS: a flag not raised: %1$s its name, %2$s its severity as the rules write it
     * ("high"), %3$s a note " (defaulted: ...)" with a space before it, or nothing. */
    wbuf_printf(b, _("%s (%s): not raised%s"), fl->name, fl->severity, n);
  wbuf_free(&notes);
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
  if (where)
    /* TRANSLATORS: the first line of an explanation: %1$s is the record's key as the data
     * gives it ("411623101201-003/2020"), %2$s where it was read ("sample.csv:404"). */
    wbuf_printf(out, _("record %s (%s)"), key, where);
  else
    /* TRANSLATORS: %s is the record's key, as the data gives it. */
    wbuf_printf(out, _("record %s"), key);
  put(out, "\n\n");
  for (uint32_t d = 0; d < P->ndecisions; d++) {
    decision_text(out, P, ctx, &P->decisions[d], shown,
                  decision_defaults(P, &P->decisions[d], cols));
    put(out, "\n");
  }
  /* TRANSLATORS: the heading of the flags section of an explanation, the flags one a
   * line below it. */
  put(out, _("flags"));
  put(out, "\n");
  for (uint32_t f = 0; f < P->nflags; f++) {
    const prog_flag *fl = &P->flags[f];
    const vm_val *fv = vm_cell_value(ctx, fl->cell);
    bool unknown = vm_unknown_of(ctx, fv) != 0;
    bool raised = fv->u.i != 0 && !unknown;
    put(out, "  ");
    flag_line(out, P, ctx, fl, fv, flag_defaults ? flag_defaults[f] : 0, raised, unknown);
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
