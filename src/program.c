/*
 * program.c -- the lifetime of a compiled program and the lookups every runner of it needs.
 *
 * Place in the pipeline: compile.c fills an elig_program made here; the VM, the readers, the
 * writers, explain, test, diff and the library read it; prog_free ends it.  A program is
 * never written to once compiled, so these functions are safe from any number of threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "program.h"

elig_program *prog_new(mem_arena *strings, src_set *srcs)
{
  elig_program *P = mem_calloc(1, sizeof *P);
  if (!P)
    return NULL;
  P->strings = strings;
  P->srcs = srcs;
  P->order_field = PROG_NONE;
  return P;
}

static void free_decisions(prog_decision *d, uint32_t n)
{
  for (uint32_t i = 0; d && i < n; i++) {
    for (uint32_t r = 0; d[i].rule_names && r < d[i].nrules; r++)
      mem_free(d[i].rule_names[r].items);
    mem_free(d[i].rule_names);
    mem_free(d[i].rule_conds);
    mem_free(d[i].reasons);
    mem_free(d[i].rule_locs);
  }
  mem_free(d);
}

static void free_aggregates(prog_aggregate *aggs, uint32_t n)
{
  for (uint32_t i = 0; aggs && i < n; i++) {
    prog_aggregate *a = &aggs[i];
    mem_free(a->key_names);
    mem_free(a->key_types);
    mem_free(a->key_cells);
    mem_free(a->key_src);
    mem_free(a->accs);
    free_decisions(a->decisions, a->ndecisions);
    mem_free(a->columns);
    mem_free(a->key_columns);
    mem_free(a->decision_columns);
  }
  mem_free(aggs);
}

static void free_tests(prog_test *tests, uint32_t n)
{
  for (uint32_t i = 0; tests && i < n; i++) {
    for (uint32_t j = 0; tests[i].steps && j < tests[i].nsteps; j++) {
      prog_test_step *st = &tests[i].steps[j];
      for (uint32_t k = 0; st->shown && k < st->nexpects; k++)
        mem_free(st->shown[k]);
      mem_free(st->shown);
      mem_free(st->nshown);
      mem_free(st->expect_cells);
      mem_free(st->expect_locs);
      mem_free(st->expect_texts);
      mem_free(st->undetermined_cells);
      mem_free(st->undetermined_locs);
      mem_free(st->undetermined_texts);
      mem_free(st->needs_fields);
    }
    mem_free(tests[i].steps);
  }
  mem_free(tests);
}

void prog_free(elig_program *P)
{
  if (!P)
    return;
  for (uint32_t i = 0; P->records && i < P->nrecords; i++)
    mem_free(P->records[i].fields);
  mem_free(P->records);
  mem_free(P->key_fields);
  mem_free(P->memory);
  mem_free(P->code);
  mem_free(P->code_locs);
  mem_free(P->consts);
  mem_free(P->const_regs);
  mem_free(P->const_types);
  for (uint32_t i = 0; P->sets && i < P->nsets; i++) {
    mem_free(P->sets[i].items);
    mem_free(P->sets[i].lens);
    mem_free(P->sets[i].ints);
    mem_free(P->sets[i].nums);
  }
  mem_free(P->sets);
  for (uint32_t i = 0; P->tables && i < P->ntables; i++) {
    mem_free(P->tables[i].keys);
    mem_free(P->tables[i].regs);
  }
  mem_free(P->tables);
  mem_free(P->params);
  for (uint32_t i = 0; P->regexes && i < P->nregexes; i++)
    regex_free(P->regexes[i]);
  mem_free(P->regexes);
  mem_free(P->regex_sources);
  for (uint32_t i = 0; P->cell_names && i < P->ncells; i++)
    mem_free(P->cell_names[i].items);
  mem_free(P->cell_names);
  mem_free(P->cells);
  mem_free(P->cell_labels);
  free_decisions(P->decisions, P->ndecisions);
  mem_free(P->flags);
  mem_free(P->columns);
  free_aggregates(P->aggregates, P->naggregates);
  free_tests(P->tests, P->ntests);
  arena_free(P->strings);
  src_set_free(P->srcs);
  mem_free(P);
}

const prog_record *prog_main_record(const elig_program *P)
{
  return &P->records[P->main_record];
}

/* Names are few (tens) and looked up once per run or per request, so a linear search. */
uint32_t prog_find_decision(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->ndecisions; i++)
    if (strcmp(P->decisions[i].name, name) == 0)
      return i;
  return PROG_NONE;
}

uint32_t prog_find_flag(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->nflags; i++)
    if (strcmp(P->flags[i].name, name) == 0)
      return i;
  return PROG_NONE;
}

uint32_t prog_find_aggregate(const elig_program *P, const char *name)
{
  for (uint32_t i = 0; i < P->naggregates; i++)
    if (strcmp(P->aggregates[i].name, name) == 0)
      return i;
  return PROG_NONE;
}

uint32_t prog_find_field(const elig_program *P, const char *name)
{
  const prog_record *rec = prog_main_record(P);
  for (uint32_t i = 0; i < rec->nfields; i++)
    if (strcmp(rec->fields[i].name, name) == 0)
      return i;
  return PROG_NONE;
}

const prog_decision *prog_decision_of_cell(const elig_program *P, uint32_t cell)
{
  for (uint32_t d = 0; d < P->ndecisions; d++)
    if (P->decisions[d].cell == cell)
      return &P->decisions[d];
  return NULL;
}

bool prog_position(const elig_program *P, uint32_t pc, const char **file, uint32_t *line,
                   uint32_t *column)
{
  if (pc >= P->ncode)
    return false;
  elig_loc loc = P->code_locs[pc];
  if (src_position(P->srcs, loc.file, loc.start, line, column) != SRC_OK)
    return false;
  *file = src_file_name(P->srcs, loc.file);
  return true;
}

void prog_where(const elig_program *P, uint32_t pc, char *buf, size_t size)
{
  const char *file;
  uint32_t line = 0, col = 0;
  if (!prog_position(P, pc, &file, &line, &col))
    /* TRANSLATORS: where a rule failed, when the place in the rule files is not known:
     * in "division by zero at the rules". */
    snprintf(buf, size, "%s", _("the rules"));
  else
    snprintf(buf, size, "%s:%u:%u", file, line, col);
}
