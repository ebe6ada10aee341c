/*
 * api_batch.c -- the public functions beyond one record: batches over registers (run, diff,
 * explain), the rule files' tests, formatting, the dumps, and small helpers.  Argument
 * checks and option versions here; the work in batch.c, diff.c, lookup.c, testrun.c,
 * fmt.c, disasm.c and ruleset.c.  Nothing here prints or opens a register: bytes come and
 * go through the caller's callbacks (elig.h, "batches").
 */
#include <string.h>
#include <time.h>

#include "config.h"

#define ELIG_BUILDING 1
#include "elig.h"

#include "api.h"
#include "batch.h"
#include "date.h"
#include "diff.h"
#include "disasm.h"
#include "fmt.h"
#include "lookup.h"
#include "whatif.h"
#include "mem.h"
#include "parse.h"
#include "record.h"
#include "ruleset.h"
#include "suggest.h"
#include "testrun.h"

/* ---------------------------------------------------------------- helpers */

bool elig_date_valid(const char *text)
{
  int32_t days;
  return text && date_parse(text, strlen(text), &days);
}

const char *elig_suggest(const char *word, size_t len, const char *const *names, size_t n)
{
  if (!word || (!names && n))
    return NULL;
  return suggest_closest(word, len, names, n);
}

size_t elig_ruleset_key_count(const elig_ruleset *rs)
{
  return rs ? rs->P->nkeys : 0;
}

size_t elig_ruleset_key_field(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->nkeys ? rs->P->key_fields[i] : SIZE_MAX;
}

/* The evaluation date: "YYYY-MM-DD", or today in UTC for NULL. */
static bool as_of_days(const char *text, int32_t *days)
{
  if (!text) {
    *days = (int32_t)(time(NULL) / 86400);
    return true;
  }
  return date_parse(text, strlen(text), days);
}

static bool missing_ok(elig_missing m)
{
  return m == ELIG_MISSING_REJECT || m == ELIG_MISSING_UNDETERMINED;
}

static bool io_ok(const elig_batch_io *io)
{
  return io && io->write;
}

/* ---------------------------------------------------------------- batches */

elig_status elig_run(const elig_ruleset *rs, const elig_run_options *opt, const elig_input *inputs,
                     size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats)
{
  elig_batch_stats ignored;
  elig_run_options o = ELIG_RUN_OPTIONS_INIT;
  batch_options b = {0};
  if (!stats)
    stats = &ignored;
  memset(stats, 0, sizeof *stats);
  if (!rs || !io_ok(io) || (!inputs && ninputs) ||
      !api_versioned(opt, opt ? opt->size : 0, &o, sizeof o) ||
      (o.format != ELIG_FORMAT_CSV && o.format != ELIG_FORMAT_JSON) ||
      !as_of_days(o.as_of, &b.as_of) || o.threads > 256 || !missing_ok(o.missing))
    return ELIG_EINVAL;
  for (size_t i = 0; i < ninputs; i++)
    if (!inputs[i].read)
      return ELIG_EINVAL;
  b.format = o.format == ELIG_FORMAT_JSON ? WRITE_JSONL : WRITE_CSV;
  b.threads = o.threads;
  b.reject_rows = o.reject_rows;
  b.separate_aggregates = o.separate_aggregates;
  b.explain = o.explain;
  b.undetermined = o.missing == ELIG_MISSING_UNDETERMINED;
  b.show_defaults = o.show_defaults;
  b.show_values = o.show_values;
  b.chunk_bytes = o.chunk_bytes;
  b.memory_limit = o.memory_limit;
  b.reread = o.reread;
  return batch_run(rs->P, &b, inputs, ninputs, io, stats);
}

elig_status elig_diff(const elig_ruleset *old_rs, const elig_ruleset *new_rs,
                      const elig_diff_options *opt, const elig_input *inputs, size_t ninputs,
                      const elig_batch_io *io, elig_batch_stats *stats)
{
  elig_batch_stats ignored;
  elig_diff_options o = ELIG_DIFF_OPTIONS_INIT;
  diff_options d = {0};
  if (!stats)
    stats = &ignored;
  memset(stats, 0, sizeof *stats);
  if (!old_rs || !new_rs || !io_ok(io) || (!inputs && ninputs) ||
      !api_versioned(opt, opt ? opt->size : 0, &o, sizeof o) ||
      (o.format != ELIG_FORMAT_TEXT && o.format != ELIG_FORMAT_JSON &&
       (o.format != ELIG_FORMAT_CSV || !o.by)) ||
      (o.by && !diff_by_valid(old_rs->P, new_rs->P, o.by)) || !as_of_days(o.as_of, &d.as_of) ||
      !missing_ok(o.missing))
    return ELIG_EINVAL;
  for (size_t i = 0; i < ninputs; i++)
    if (!inputs[i].read)
      return ELIG_EINVAL;
  d.by = o.by;
  d.csv = o.format == ELIG_FORMAT_CSV;
  d.old_name = o.old_name ? o.old_name : "old";
  d.new_name = o.new_name ? o.new_name : "new";
  d.json = o.format == ELIG_FORMAT_JSON;
  d.list = o.list;
  d.chunk_bytes = o.chunk_bytes;
  d.undetermined = o.missing == ELIG_MISSING_UNDETERMINED;
  return diff_run(old_rs->P, new_rs->P, &d, inputs, ninputs, io, stats);
}

/* A field an explanation may set (a field of the main record, not a key, not the year that
 * orders a household's records, not a list), and its value parsed; false when not. */
static bool settable(const elig_program *P, const char *name, const char *value, uint32_t *field,
                     vm_val *v)
{
  if (!name || !value || (*field = prog_find_field(P, name)) == PROG_NONE)
    return false;
  for (uint32_t k = 0; k < P->nkeys; k++)
    if (P->key_fields[k] == *field)
      return false;
  if (*field == P->order_field || prog_main_record(P)->fields[*field].type.base == TY_LIST)
    return false;
  rec_reject why;
  if (!*value) {
    memset(v, 0, sizeof *v);
    v->none = true; /* an empty cell: the field is absent */
    return true;
  }
  return rec_parse_field(P, *field, value, strlen(value), v, &why);
}

elig_status elig_explain_records(const elig_ruleset *rs, const elig_explain_options *opt,
                                 const elig_input *inputs, size_t ninputs, const elig_batch_io *io,
                                 elig_batch_stats *stats)
{
  elig_batch_stats ignored;
  elig_explain_options o = ELIG_EXPLAIN_OPTIONS_INIT;
  lookup_options l = {0};
  if (!stats)
    stats = &ignored;
  memset(stats, 0, sizeof *stats);
  if (!rs || !io_ok(io) || (!inputs && ninputs) ||
      !api_versioned(opt, opt ? opt->size : 0, &o, sizeof o) ||
      (o.format != ELIG_FORMAT_TEXT && o.format != ELIG_FORMAT_JSON) ||
      (o.nmatch && (!o.match_fields || !o.match_values)) || !as_of_days(o.as_of, &l.as_of) ||
      !missing_ok(o.missing))
    return ELIG_EINVAL;
  for (size_t i = 0; i < o.nmatch; i++)
    if (!o.match_fields[i] || !o.match_values[i] ||
        prog_find_field(rs->P, o.match_fields[i]) == PROG_NONE)
      return ELIG_EINVAL; /* a field the schema lacks would match nothing, silently */
  for (size_t i = 0; i < ninputs; i++)
    if (!inputs[i].read)
      return ELIG_EINVAL;
  l.json = o.format == ELIG_FORMAT_JSON;
  l.undetermined = o.missing == ELIG_MISSING_UNDETERMINED;
  l.what_if = PROG_NONE;
  if (o.what_if && ((l.what_if = prog_find_field(rs->P, o.what_if)) == PROG_NONE ||
                    !whatif_field_ok(rs->P, l.what_if)))
    return ELIG_EINVAL;
  l.fields = o.match_fields;
  l.values = o.match_values;
  l.nmatch = o.nmatch;
  if (o.nset && (!o.set_fields || !o.set_values))
    return ELIG_EINVAL;
  uint32_t *set_fields = mem_calloc(o.nset + 1, sizeof *set_fields);
  vm_val *set_values = mem_calloc(o.nset + 1, sizeof *set_values);
  elig_status st = set_fields && set_values ? ELIG_OK : ELIG_ENOMEM;
  for (size_t i = 0; i < o.nset && st == ELIG_OK; i++)
    if (!settable(rs->P, o.set_fields[i], o.set_values[i], &set_fields[i], &set_values[i]))
      st = ELIG_EINVAL;
  l.set_fields = set_fields;
  l.set_values = set_values;
  l.nset = o.nset;
  if (st == ELIG_OK)
    st = lookup_explain(rs->P, &l, inputs, ninputs, io, stats);
  mem_free(set_fields);
  mem_free(set_values);
  return st;
}

/* ---------------------------------------------------------------- tests */

elig_status elig_test(const elig_ruleset *rs, const elig_test_options *opt, char **report,
                      elig_test_stats *stats)
{
  elig_test_options o = ELIG_TEST_OPTIONS_INIT;
  int32_t as_of;
  if (report)
    *report = NULL;
  if (stats)
    memset(stats, 0, sizeof *stats);
  if (!rs || !report || !api_versioned(opt, opt ? opt->size : 0, &o, sizeof o) ||
      !as_of_days(o.as_of, &as_of))
    return ELIG_EINVAL;
  wbuf text = {0};
  test_stats st;
  bool ok = test_run(rs->P, o.filter, as_of, o.coverage, &text, &st) && wbuf_text(&text);
  if (!ok) {
    wbuf_free(&text);
    return ELIG_ENOMEM;
  }
  *report = text.p;
  if (stats)
    *stats = (elig_test_stats){st.passed,    st.failed, st.skipped,  st.rules,
                               st.rules_hit, st.flags,  st.flags_hit};
  return ELIG_OK;
}

/* ---------------------------------------------------------------- formatting and dumps */

/* The syntax errors of `len` bytes of text called `name`, in source order. */
static elig_diags *syntax_errors(const char *name, const char *text, size_t len)
{
  src_set *srcs = src_set_new();
  diag_list *list = diag_list_new();
  ast_arena *arena = ast_arena_new();
  elig_diags *d = NULL;
  uint32_t id;
  if (srcs && list && arena && src_set_add_string(srcs, name, text, len, &id) == SRC_OK &&
      parse_file(srcs, id, arena, list)) {
    diag_sort(list);
    d = api_diags_take(list, srcs);
    list = NULL; /* taken, or freed by the failure */
  }
  diag_list_free(list);
  ast_arena_free(arena);
  src_set_free(srcs);
  return d;
}

elig_status elig_format_rules(const char *name, const char *text, size_t len, char **out,
                              size_t *outlen, elig_diags **diags)
{
  char err[256];
  if (out)
    *out = NULL;
  if (diags)
    *diags = NULL;
  if (!text || !out || !outlen)
    return ELIG_EINVAL;
  name = name ? name : "<input>";
  switch (fmt_format_named(name, text, len, out, outlen, err, sizeof err)) {
  case FMT_OK: return ELIG_OK;
  case FMT_ESYNTAX:
    if (diags && !(*diags = syntax_errors(name, text, len)))
      return ELIG_ENOMEM;
    return ELIG_ESYNTAX;
  case FMT_ENOMEM: return ELIG_ENOMEM;
  case FMT_EINTERNAL: return ELIG_EINTERNAL;
  default: return ELIG_EINVAL;
  }
}

elig_status elig_ruleset_dump_code(const elig_ruleset *rs, char **text)
{
  if (text)
    *text = NULL;
  if (!rs || !text)
    return ELIG_EINVAL;
  *text = disasm_program(rs->P);
  return *text ? ELIG_OK : ELIG_ENOMEM;
}

elig_status elig_dump_syntax(const char *path, const elig_options *opt, char **text)
{
  elig_options o;
  if (text)
    *text = NULL;
  if (!path || !text || !api_options_of(opt, &o))
    return ELIG_EINVAL;
  diag_list *list = diag_list_new();
  if (!list)
    return ELIG_ENOMEM;
  ruleset_source src = {.path = path, .no_imports = o.no_imports};
  *text = ruleset_syntax_dump(&src, list);
  /* A syntax error still leaves a tree to show; running out of memory does not */
  elig_status st = diag_count(list) ? api_compile_status(list) : ELIG_OK;
  if (st == ELIG_ENOMEM || !*text) {
    elig_free(*text);
    *text = NULL;
    st = st == ELIG_OK ? ELIG_ENOMEM : st;
  } else {
    st = ELIG_OK;
  }
  diag_list_free(list);
  return st;
}
