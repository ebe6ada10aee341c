/*
 * resolve.c -- name resolution: merges the files of a rule set (imports, `override`), indexes
 * the declarations and every record's fields, numbers what the compiler numbers, says what a
 * name means in its scope, and finds "did you mean" candidates for names that mean nothing.
 *
 * Pipeline: parse.c (one tree per file) -> resolve.c, driven by check.c's chk_check ->
 * compile.c.  The merge, the main record and the indexes come first, before any expression is
 * typed; then the checker calls res_lookup for every name it meets, because what a derived
 * value's name means must be known before its type is (and types are computed on demand, in
 * the order values use each other).  Nothing here types an expression or calls the checker.
 *
 * Namespaces.  The main record's fields and the top-level records, derived values, parameters,
 * decisions, flags and aggregates share one: a bare name must mean one thing everywhere.
 * Tests are known by their title.  An aggregate block's keys, derived values and decisions
 * form a namespace of their own in front of the rule set's; a list element's fields come
 * before everything (see res_lookup for the order).
 *
 * Diagnostics are reported in the order the checker meets the problems, which is also the
 * order the user reads them: nothing here sorts or defers a report.
 */
#include <stdarg.h>
#include <string.h>

#include "i18n.h"
#include "resolve.h"
#include "suggest.h"

/* Reports a diagnostic; returns its index for help and notes (DIAG_NONE when dropped). */
static int report(res_ctx *r, diag_id id, elig_loc loc, ...)
{
  va_list ap;
  va_start(ap, loc);
  int idx = diag_addv(r->diags, id, loc, ap);
  va_end(ap);
  if (diag_id_severity(id) == DIAG_SEV_ERROR)
    r->failed = true;
  r->last = idx;
  return idx;
}

/* Memory ran out for an index: the names cannot all be bound, and the person is told why
 * instead of being given "unknown name" errors that are not theirs. */
static void no_memory(res_ctx *r)
{
  if (!r->out_of_memory)
    report(r, DIAG_E_NO_MEMORY, r->root_loc);
  r->out_of_memory = true;
}

void res_init(res_ctx *r, ast_arena *arena, diag_list *diags, chk_program *prog, elig_loc root_loc)
{
  memset(r, 0, sizeof *r);
  r->arena = arena;
  r->diags = diags;
  r->prog = prog;
  r->root_loc = root_loc;
  r->last = DIAG_NONE;
  names_init(&r->decls);
}

void res_fini(res_ctx *r)
{
  for (uint32_t i = 0; i < r->prog->records.n; i++) {
    ast_decl *rec = r->prog->records.items[i];
    if (rec->fields_index)
      names_fini(rec->fields_index);
    rec->fields_index = NULL;
  }
  names_fini(&r->decls);
}

/* ---------------------------------------------------------------- "did you mean" */

void res_cand_add(res_candidates *cs, const char *name)
{
  if (cs->n < RES_MAX_CANDIDATES)
    cs->names[cs->n++] = name;
}

void res_cand_decls(res_candidates *cs, const ast_list *decls)
{
  for (uint32_t i = 0; i < decls->n && cs->n < RES_MAX_CANDIDATES; i++) {
    ast_decl *d = decls->items[i];
    if (d->name)
      cs->names[cs->n++] = d->name;
  }
}

void res_cand_fields(res_candidates *cs, const ast_decl *rec)
{
  for (uint32_t i = 0; rec && i < rec->fields.n && cs->n < RES_MAX_CANDIDATES; i++)
    cs->names[cs->n++] = ((ast_field *)rec->fields.items[i])->name;
}

void res_suggest(diag_list *diags, int idx, const char *word, const res_candidates *cs)
{
  const char *best = suggest_closest(word, strlen(word), cs->names, cs->n);
  if (best)
    /* TRANSLATORS: the help of a diagnostic: %s is a name in the rules close to one that
     * is unknown. */
    diag_add_help(diags, idx, _("did you mean '%s'?"), best);
}

/* The bytes of the first `max` code points of s. */
static size_t prefix_bytes(const char *s, size_t max)
{
  size_t len = strlen(s), at = 0;
  for (size_t n = 0; at < len && n < max; n++) {
    uint32_t cp;
    at += src_utf8_decode(s + at, len - at, &cp);
  }
  return at;
}

/* The title among `tests` closest to `title`, as res_suggest chooses a name, or NULL.  Titles
 * are long ("mon_path: entered, monitored while at risk, ..."), longer than suggest.c
 * compares, so they are compared on their first SUGGEST_MAX_LEN code points, where a typo
 * usually is; two titles that begin alike are then one edit apart at most. */
static const char *closest_title(const ast_list *tests, const char *title)
{
  size_t wlen = prefix_bytes(title, SUGGEST_MAX_LEN), n = 0;
  for (size_t at = 0; at < wlen; n++) {
    uint32_t cp;
    at += src_utf8_decode(title + at, wlen - at, &cp);
  }
  size_t edits = n / 3 > 1 ? n / 3 : 1;
  uint32_t best_half = (uint32_t)(2 * edits + 1);
  const char *best = NULL;
  for (uint32_t i = 0; i < tests->n; i++) {
    const char *cand = ((ast_decl *)tests->items[i])->text;
    if (strcmp(cand, title) == 0)
      continue;
    uint32_t d = suggest_distance(title, wlen, cand, prefix_bytes(cand, SUGGEST_MAX_LEN));
    if (d < best_half && d < 2 * n) {
      best_half = d;
      best = cand;
    }
  }
  return best;
}

/* ---------------------------------------------------------------- lookups */

/* The first declaration of `l` called `name`; a linear search, for the short lists of an
 * aggregate block. */
static ast_decl *find_decl(const ast_list *l, const char *name)
{
  for (uint32_t i = 0; i < l->n; i++) {
    ast_decl *d = l->items[i];
    if (d->name && strcmp(d->name, name) == 0)
      return d;
  }
  return NULL;
}

ast_field *res_field(const ast_decl *rec, const char *name, uint32_t *index)
{
  if (rec && rec->fields_index) {
    ast_field *f = names_get(rec->fields_index, name);
    if (!f)
      return NULL;
    if (index)
      *index = f->index;
    return f;
  }
  /* before res_index, or when memory ran out while indexing: the first field of that name */
  for (uint32_t i = 0; rec && i < rec->fields.n; i++) {
    ast_field *f = rec->fields.items[i];
    if (strcmp(f->name, name) == 0) {
      if (index)
        *index = i;
      return f;
    }
  }
  return NULL;
}

ast_field *res_field_or_report(res_ctx *r, const ast_decl *rec, const char *name, elig_loc loc,
                               uint32_t *index)
{
  ast_field *f = res_field(rec, name, index);
  if (!f) {
    report(r, DIAG_E_UNKNOWN_FIELD, loc, name);
    res_candidates cs = {.n = 0};
    res_cand_fields(&cs, rec);
    res_suggest(r->diags, r->last, name, &cs);
  }
  return f;
}

ast_decl *res_record(const res_ctx *r, const char *name)
{
  ast_decl *d = names_get(&r->decls, name);
  return d && d->kind == DECL_RECORD ? d : NULL;
}

bool res_is_top_level(const res_ctx *r, const ast_decl *d)
{
  return d->name && names_get(&r->decls, d->name) == d;
}

/* A top-level derived value, parameter, decision or flag called name. */
static ast_decl *value_decl(const res_ctx *r, const char *name)
{
  ast_decl *d = names_get(&r->decls, name);
  return d && (d->kind == DECL_LET || d->kind == DECL_PARAM || d->kind == DECL_DECIDE ||
               d->kind == DECL_MONITOR)
             ? d
             : NULL;
}

res_binding res_lookup(const res_ctx *r, const res_scope *s, const char *name)
{
  const ast_decl *main = r->prog->record;
  res_binding b = {.kind = RES_UNKNOWN};
  ast_field *f;
  uint32_t idx;

  if (s->elem && (f = res_field(s->elem, name, &idx))) {
    b.kind = RES_ELEM_FIELD;
    b.field = f;
    b.record = s->elem;
    b.index = idx;
    return b;
  }
  /* an element scope sees the record scope but not the group around it: inside sum(members.x
   * where ...) a name is a member's or the household's */
  bool group = s->agg && !s->in_acc && !(s->elem && s->elem != main);
  if (group) {
    for (uint32_t i = 0; i < s->agg->group.n; i++) {
      ast_group_key *k = s->agg->group.items[i];
      if (strcmp(k->name, name) == 0) {
        b.kind = RES_AGG_KEY;
        b.key = k;
        b.index = i;
        return b;
      }
    }
    ast_decl *d = find_decl(&s->agg->body, name);
    if (d && (d->kind == DECL_LET || d->kind == DECL_DECIDE)) {
      b.kind = d->kind == DECL_LET ? RES_AGG_LET : RES_AGG_DECISION;
      b.decl = d;
      return b;
    }
  }
  if ((f = res_field(main, name, &idx))) {
    b.kind = RES_FIELD;
    b.field = f;
    b.record = main;
    b.index = idx;
    return b;
  }
  if ((b.decl = value_decl(r, name))) {
    b.kind = RES_VALUE;
    return b;
  }
  /* as_of comes last: a rule set may call a value as_of, as it may any other name */
  if (strcmp(name, "as_of") == 0)
    b.kind = RES_AS_OF;
  return b;
}

void res_report_unknown(res_ctx *r, const res_scope *s, const ast_expr *e)
{
  const chk_program *p = r->prog;
  const char *name = e->text;
  res_candidates cs = {.n = 0};
  if (s->elem)
    res_cand_fields(&cs, s->elem);
  if (s->agg && !s->in_acc)
    res_cand_decls(&cs, &s->agg->body);
  res_cand_fields(&cs, p->record);
  res_cand_decls(&cs, &p->lets);
  res_cand_decls(&cs, &p->params);
  res_cand_decls(&cs, &p->decisions);
  res_cand_decls(&cs, &p->flags);
  /* "unknown field" when the name looks meant for a field (or is looked up in a list
   * element), "unknown name" otherwise */
  const char *best = suggest_closest(name, strlen(name), cs.names, cs.n);
  bool field = (s->elem && s->elem != p->record) ||
               (best && res_field(s->elem ? s->elem : p->record, best, NULL));
  report(r, field ? DIAG_E_UNKNOWN_FIELD : DIAG_E_UNKNOWN_NAME, e->loc, name);
  if (best)
    diag_add_help(r->diags, r->last, _("did you mean '%s'?"), best);
}

/* ---------------------------------------------------------------- merging files */

static ast_list *list_for(chk_program *p, ast_decl_kind k)
{
  switch (k) {
  case DECL_RECORD: return &p->records;
  case DECL_LET: return &p->lets;
  case DECL_PARAM: return &p->params;
  case DECL_DECIDE: return &p->decisions;
  case DECL_MONITOR: return &p->flags;
  case DECL_TEST: return &p->tests;
  default: return NULL;
  }
}

const char *res_kind_word(ast_decl_kind k)
{
  static const char *const words[] = {"policy", "import",  "record",    "param",  "let",
                                      "decide", "monitor", "aggregate", "output", "test"};
  return words[k];
}

/* Puts `d` in the place of `old`, in list l and for its name. */
static void replace(res_ctx *r, ast_list *l, const ast_decl *old, ast_decl *d)
{
  for (uint32_t j = 0; j < l->n; j++)
    if (l->items[j] == old)
      l->items[j] = d;
  if (!names_put(&r->decls, d->name, d))
    no_memory(r);
}

void res_merge(res_ctx *r, ast_file *const *files, uint32_t nfiles, ast_list *aggs,
               ast_decl **output)
{
  chk_program *p = r->prog;
  for (uint32_t f = 0; f < nfiles; f++) {
    ast_decl *file_output = NULL;
    for (uint32_t i = 0; i < files[f]->decls.n; i++) {
      ast_decl *d = files[f]->decls.items[i];
      if (d->kind == DECL_IMPORT)
        continue;
      if (d->kind == DECL_POLICY) {
        p->policy = d;
        continue;
      }
      if (d->kind == DECL_OUTPUT) {
        if (file_output)
          report(r, DIAG_E_DUPLICATE, d->loc, "output");
        file_output = *output = d;
        continue;
      }
      if (d->kind == DECL_TEST) {
        /* override test "name" replaces the imported test of that name (a province whose
         * figures differ keeps the national test's intent with its own numbers) */
        bool replaced = false;
        for (uint32_t j = 0; d->is_override && j < p->tests.n; j++)
          if (strcmp(((ast_decl *)p->tests.items[j])->text, d->text) == 0) {
            p->tests.items[j] = d;
            replaced = true;
          }
        if (d->is_override && !replaced) {
          report(r, DIAG_E_NOTHING_TO_OVERRIDE, d->name_loc, "test", d->text);
          const char *near = closest_title(&p->tests, d->text);
          if (near)
            diag_add_help(r->diags, r->last, "did you mean \"%s\"?", near);
        } else if (!replaced)
          ast_list_append(r->arena, &p->tests, d);
        continue;
      }
      ast_list *l = d->kind == DECL_AGGREGATE ? aggs : list_for(p, d->kind);
      ast_decl *old = names_get(&r->decls, d->name);
      if (d->is_extend) {
        ast_decl *merged = res_extend(r, old, d);
        if (merged)
          replace(r, l, old, merged);
        continue;
      }
      if (d->is_override) {
        if (!old || old->kind != d->kind) {
          report(r, DIAG_E_NOTHING_TO_OVERRIDE, d->name_loc, res_kind_word(d->kind), d->name);
          res_candidates cs = {.n = 0};
          res_cand_decls(&cs, l);
          res_suggest(r->diags, r->last, d->name, &cs);
          continue;
        }
        d->replaces = old;
        replace(r, l, old, d);
        continue;
      }
      if (old) {
        report(r, DIAG_E_DUPLICATE, d->name_loc, d->name);
        /* TRANSLATORS: a note under a diagnostic, pointing at the source. */
        diag_add_note(r->diags, r->last, old->name_loc, "%s", _("previous definition is here"));
        continue;
      }
      ast_list_append(r->arena, l, d);
      if (!names_put(&r->decls, d->name, d))
        no_memory(r);
    }
  }
}

/* ---------------------------------------------------------------- the main record, indexes */

bool res_pick_main_record(res_ctx *r)
{
  chk_program *p = r->prog;
  ast_decl *keyed = NULL, *unused = NULL;
  int nkeyed = 0, nunused = 0;
  for (uint32_t i = 0; i < p->records.n; i++) {
    ast_decl *rec = p->records.items[i];
    rec->index = i;
    bool is_elem = false;
    for (uint32_t j = 0; j < p->records.n; j++) {
      ast_decl *o = p->records.items[j];
      for (uint32_t k = 0; k < o->fields.n; k++) {
        ast_field *f = o->fields.items[k];
        is_elem |= f->elem_name && strcmp(f->elem_name, rec->name) == 0;
      }
    }
    if (rec->keys.n) {
      keyed = rec;
      nkeyed++;
    }
    if (!is_elem) {
      unused = rec;
      nunused++;
    }
  }
  p->record = nkeyed == 1 ? keyed : nunused == 1 ? unused : NULL;
  if (!p->record) {
    if (p->records.n)
      report(r, DIAG_E_MAIN_RECORD, ((ast_decl *)p->records.items[0])->name_loc);
    else
      report(r, DIAG_E_NO_RECORD, r->root_loc);
    return false;
  }
  return true;
}

/* Every record's fields by name (duplicates reported here, the first one kept). */
static void index_fields(res_ctx *r)
{
  for (uint32_t i = 0; i < r->prog->records.n; i++) {
    ast_decl *rec = r->prog->records.items[i];
    rec->fields_index = ast_alloc(r->arena, sizeof *rec->fields_index);
    if (!rec->fields_index) {
      no_memory(r);
      return;
    }
    names_init(rec->fields_index);
    for (uint32_t j = 0; j < rec->fields.n; j++) {
      ast_field *f = rec->fields.items[j];
      ast_field *first = names_get(rec->fields_index, f->name);
      f->index = j;
      if (first) {
        report(r, DIAG_E_DUPLICATE_FIELD, f->loc, f->name);
        /* TRANSLATORS: a note under a diagnostic, pointing at the source. */
        diag_add_note(r->diags, r->last, first->loc, "%s", _("first declared here"));
      } else if (!names_put(rec->fields_index, f->name, f)) {
        no_memory(r);
      }
    }
  }
}

/* Fields of the main record share the namespace of derived values. */
static void check_field_names(res_ctx *r)
{
  const ast_decl *main = r->prog->record;
  for (uint32_t i = 0; i < main->fields.n; i++) {
    ast_field *f = main->fields.items[i];
    ast_decl *d = names_get(&r->decls, f->name);
    if (d && d->kind != DECL_RECORD) {
      d->used = true; /* reported here; no "never used" on top */
      report(r, DIAG_E_DUPLICATE, d->name_loc, d->name);
      /* TRANSLATORS: a note under a diagnostic, pointing at the source. */
      diag_add_note(r->diags, r->last, f->loc, "%s", _("the field is declared here"));
    }
  }
}

/* The compiler's numbering: declarations of one kind from 0, in merged order. */
static void number(ast_list *l)
{
  for (uint32_t i = 0; i < l->n; i++)
    ((ast_decl *)l->items[i])->index = i;
}

void res_index(res_ctx *r, ast_list *aggs)
{
  index_fields(r);
  number(&r->prog->lets);
  number(&r->prog->params);
  number(&r->prog->decisions);
  number(&r->prog->flags);
  number(aggs);
  check_field_names(r);
}

/* ---------------------------------------------------------------- aggregates, tests, output */

ast_decl *res_aggregate_names(res_ctx *r, ast_decl *agg)
{
  uint32_t nlets = 0, ndecisions = 0;
  ast_decl *output = NULL;
  for (uint32_t i = 0; i < agg->body.n; i++) {
    ast_decl *b = agg->body.items[i];
    if (b->kind == DECL_OUTPUT) {
      if (output)
        report(r, DIAG_E_DUPLICATE, b->loc, "output");
      output = b;
      continue;
    }
    for (uint32_t j = 0; j < i; j++) {
      ast_decl *o = agg->body.items[j];
      if (o->name && strcmp(o->name, b->name) == 0) {
        report(r, DIAG_E_DUPLICATE_FIELD, b->name_loc, b->name);
        diag_add_note(r->diags, r->last, o->name_loc, "%s", _("first declared here"));
      }
    }
    for (uint32_t j = 0; j < agg->group.n; j++) {
      ast_group_key *k = agg->group.items[j];
      if (strcmp(k->name, b->name) == 0) {
        report(r, DIAG_E_DUPLICATE_FIELD, b->name_loc, b->name);
        /* TRANSLATORS: a note under a diagnostic, pointing at the source. */
        diag_add_note(r->diags, r->last, k->loc, "%s", _("the group key is declared here"));
      }
    }
    b->index = b->kind == DECL_LET ? nlets++ : ndecisions++;
  }
  return output;
}

void res_given_name(res_ctx *r, const ast_list *given, uint32_t i)
{
  const ast_given_item *g = given->items[i];
  for (uint32_t j = 0; j < i; j++)
    if (strcmp(((ast_given_item *)given->items[j])->name, g->name) == 0)
      report(r, DIAG_E_DUPLICATE_FIELD, g->loc, g->name);
}

void res_default_outputs(res_ctx *r, ast_list *out)
{
  const ast_decl *main = r->prog->record;
  for (uint32_t i = 0; i < main->keys.n; i++) {
    ast_expr *k = main->keys.items[i];
    ast_list_append(r->arena, out, ast_name(r->arena, k->text, k->loc));
  }
}

void res_default_aggregate_outputs(res_ctx *r, const ast_decl *agg, ast_list *out)
{
  for (uint32_t i = 0; i < agg->group.n; i++) {
    ast_group_key *k = agg->group.items[i];
    ast_list_append(r->arena, out, ast_name(r->arena, k->name, k->loc));
  }
  for (uint32_t i = 0; i < agg->body.n; i++) {
    ast_decl *b = agg->body.items[i];
    ast_list_append(r->arena, out, ast_name(r->arena, b->name, b->name_loc));
  }
}
