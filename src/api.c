/*
 * api.c -- every elig_* definition of the public header: argument checks, the mapping from
 * internal status codes to public ones, and the objects the header keeps opaque.
 *
 * Pipeline: the caller's text or file -> ruleset.c (load, parse, check, compile) -> an
 * elig_ruleset wrapping the immutable program; then per thread an elig_ctx wrapping a
 * vm_ctx: jdoc.c or the setters -> record.c (schema) -> vm.c (evaluation) -> write.c and
 * explain.c (results as text).  Nothing here prints, exits or keeps global state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"
#include "config.h"

#define ELIG_BUILDING 1
#include "elig.h"

#include "api.h"
#include "i18n.h"
#include "register.h"

#include "agg.h"
#include "step.h"
#include "compile.h"
#include "date.h"
#include "diag.h"
#include "explain.h"
#include "i18n.h"
#include "whatif.h"
#include "jdoc.h"
#include "record.h"
#include "ruleset.h"
#include "vm.h"
#include "write.h"

/* ---------------------------------------------------------------- the opaque objects */

struct elig_error {
  elig_status status;
  elig_severity severity;
  const char *code; /* diag.def's code: compile diagnostics, rejections, failures */
  const char *message;
  const char *help;
  const char *file;
  const char *field; /* rejections only */
  unsigned line, column;
};

struct elig_diags {
  diag_list *list; /* owns code, message and help strings */
  elig_error *items;
  size_t n;
  char **files;                  /* per item: its copied file name, or NULL */
  char *plain, *color;           /* rendered once, while the sources were still at hand */
  char **one_plain, **one_color; /* per item, rendered alone */
};

/* The NUL-terminated text of one value of the current result, formatted when first asked
 * for and kept until the next evaluation. */
typedef struct {
  char *p;
  size_t cap;
  uint64_t serial; /* the result it belongs to */
} text_slot;

/* Room for `size` bytes in the slot; false when out of memory (the slot as it was). */
static bool grow_slot(text_slot *s, size_t size)
{
  if (size <= s->cap)
    return true;
  char *p = mem_realloc(s->p, size);
  if (!p)
    return false;
  s->p = p;
  s->cap = size;
  return true;
}

struct elig_result {
  elig_ctx *ctx;
};

struct elig_ctx {
  const elig_ruleset *rs;
  step step; /* the one evaluation step (step.c): typing, VM, aggregates */
  jdoc json;
  wbuf input;             /* a copy of the JSON text: results may point into it */
  vm_val *staged;         /* field by field: the values set, per main-record field */
  text_slot *staged_text; /* the copies of their texts */
  elig_result result;
  uint64_t serial;                 /* counts evaluations; text slots of older ones are stale */
  bool have_result;                /* the last evaluation succeeded */
  text_slot *texts;                /* per column, then per decision, then the key */
  wbuf line[2], explain, aggs_out; /* result lines as JSON and as CSV, explanation, groups */
  wbuf needs;                      /* elig_result_needs's text */
  elig_error err;
  bool has_err;
  char err_message[600];
  char err_field[128];
  rec_unknown unknown;      /* JSON keys that were no field, over every evaluation */
  rec_unknown last_unknown; /* ... and over the last one */
  agg_table *aggs;          /* per aggregate, once aggregating was turned on; the step folds
                             into them while it is on */
  bool aggs_lost;           /* aggregating was asked for but its tables could not be made:
                             the groups read next are incomplete (ELIG_ENOMEM) */
  uint64_t seq;             /* records folded, for first() */
  wbuf kept;                /* elig_result_kept's bytes */
  wbuf pending;             /* elig_ctx_set_previous's copy, for the next evaluation */
  bool has_pending;
  wbuf previous;      /* the copy the last evaluation read (its texts point into it) */
  elig_register *reg; /* elig_ctx_set_register's: where the years before are */
};

/* ---------------------------------------------------------------- status, version, memory */

const char *elig_status_str(elig_status status)
{
  switch (status) {
  /* TRANSLATORS: the statuses of the library's functions, said to the people who run a
   * program built on it (the command line, a service): short, lower case. */
  case ELIG_OK: return _("success");
  case ELIG_ESYNTAX: return _("the rules have syntax errors");
  case ELIG_ETYPE: return _("the rules have errors");
  case ELIG_EREJECT: return _("the record breaks its schema");
  case ELIG_EEVAL: return _("a rule failed on the record");
  case ELIG_EIO: return _("a file could not be read");
  case ELIG_ENOMEM: return _("out of memory");
  case ELIG_EINVAL: return _("invalid argument");
  case ELIG_ENOTFOUND: return _("no such name");
  case ELIG_ECANCELED: return _("stopped as asked");
  case ELIG_EINTERNAL: return _("an internal error of elig");
  case ELIG_EREGISTER: return _("the register cannot be used");
  case ELIG_EBUSY: return _("the register is being changed by another process");
  }
  return _("unknown status");
}

elig_status elig_set_thread_language(const char *language)
{
  switch (i18n_set_thread_language(language)) {
  case 0: return ELIG_OK;
  case EINVAL: return ELIG_EINVAL;
  case ENOENT: return ELIG_ENOTFOUND;
  default: return ELIG_ENOMEM;
  }
}

const char *elig_code_at(size_t i)
{
  return i < DIAG_ID_COUNT ? diag_id_code((diag_id)i) : NULL;
}

/* The id of a code in any case ("e0201"); false when there is none. */
static bool code_id(const char *code, diag_id *id)
{
  char upper[8];
  size_t n = code ? strlen(code) : 0;
  if (n == 0 || n >= sizeof upper)
    return false;
  for (size_t i = 0; i <= n; i++)
    upper[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];
  return diag_id_from_code(upper, id);
}

const char *elig_code_explain(const char *code)
{
  diag_id id;
  return code_id(code, &id) ? diag_id_explanation(id) : NULL;
}

elig_severity elig_code_severity(const char *code)
{
  diag_id id;
  return code_id(code, &id) && diag_id_severity(id) == DIAG_SEV_WARNING ? ELIG_SEVERITY_WARNING
                                                                        : ELIG_SEVERITY_ERROR;
}

const char *elig_version(void)
{
  return PACKAGE_VERSION;
}

void elig_free(void *p)
{
  mem_free(p);
}

/* ---------------------------------------------------------------- errors */

elig_status elig_error_status(const elig_error *e)
{
  return e ? e->status : ELIG_OK;
}

elig_severity elig_error_severity(const elig_error *e)
{
  return e ? e->severity : ELIG_SEVERITY_ERROR;
}

const char *elig_error_code(const elig_error *e)
{
  return e ? e->code : NULL;
}

const char *elig_error_message(const elig_error *e)
{
  return e ? e->message : NULL;
}

const char *elig_error_help(const elig_error *e)
{
  return e ? e->help : NULL;
}

const char *elig_error_file(const elig_error *e)
{
  return e ? e->file : NULL;
}

unsigned elig_error_line(const elig_error *e)
{
  return e ? e->line : 0;
}

unsigned elig_error_column(const elig_error *e)
{
  return e ? e->column : 0;
}

const char *elig_error_field(const elig_error *e)
{
  return e ? e->field : NULL;
}

/* ---------------------------------------------------------------- diagnostics */

/* What a compile diagnostic means for the caller, by its code's group (diag.def). */
static elig_status diag_status(diag_id id)
{
  const char *code = diag_id_code(id);
  if (id == DIAG_E_NO_MEMORY)
    return ELIG_ENOMEM;
  if (id == DIAG_E_CANNOT_READ || id == DIAG_E_IMPORT_NOT_FOUND)
    return ELIG_EIO;
  if (code &&
      (strncmp(code, "E01", 3) == 0 || id == DIAG_E_SYNTAX || id == DIAG_E_WHEN_NEEDS_THEN ||
       id == DIAG_E_ELSE_IN_DECISION || id == DIAG_E_TOO_DEEP))
    return ELIG_ESYNTAX;
  return ELIG_ETYPE;
}

/* The status of a failed compilation: the gravest of its errors. */
elig_status api_compile_status(const diag_list *list)
{
  static const elig_status order[] = {ELIG_ENOMEM, ELIG_EIO, ELIG_ESYNTAX, ELIG_ETYPE};
  if (diag_out_of_memory(list))
    return ELIG_ENOMEM;
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    for (size_t i = 0; i < diag_count(list); i++)
      if (diag_get_severity(list, i) == DIAG_SEV_ERROR &&
          diag_status(diag_get_id(list, i)) == order[k])
        return order[k];
  return diag_error_count(list) ? ELIG_ETYPE : ELIG_ENOMEM;
}

void elig_diags_free(elig_diags *d)
{
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    mem_free(d->files[i]);
    mem_free(d->one_plain[i]);
    mem_free(d->one_color[i]);
  }
  mem_free(d->files);
  mem_free(d->one_plain);
  mem_free(d->one_color);
  mem_free(d->items);
  mem_free(d->plain);
  mem_free(d->color);
  diag_list_free(d->list);
  mem_free(d);
}

/* Takes `list` and reads what it needs of `srcs` (which may be freed afterwards).  NULL when
 * out of memory (the list is then freed). */
/* text, and a last line saying how many warnings beyond the kept ones were only counted
 * (a rule file with thousands of unused values must not bury its errors); NULL when out of
 * memory (text is freed). */
static char *with_dropped_warnings(const diag_list *list, char *text)
{
  size_t warnings = diag_warning_count(list);
  if (!text || warnings <= DIAG_MAX_WARNINGS)
    return text;
  char said[160], line[192];
  /* TRANSLATORS: after the warnings of the rules shown, how many more there are (counted,
   * not shown). */
  snprintf(said, sizeof said, _("%zu more warnings not shown"), warnings - DIAG_MAX_WARNINGS);
  /* "elig: " names the program, as its every line on the terminal starts */
  snprintf(line, sizeof line, "elig: %s\n", said);
  char *all = mem_realloc(text, strlen(text) + strlen(line) + 1);
  if (!all) {
    mem_free(text);
    return NULL;
  }
  strcat(all, line);
  return all;
}

elig_diags *api_diags_take(diag_list *list, const src_set *srcs)
{
  elig_diags *d = mem_calloc(1, sizeof *d);
  size_t n = diag_count(list);
  if (d) {
    d->list = list;
    d->items = mem_calloc(n + 1, sizeof *d->items);
    d->files = mem_calloc(n + 1, sizeof *d->files);
    d->one_plain = mem_calloc(n + 1, sizeof *d->one_plain);
    d->one_color = mem_calloc(n + 1, sizeof *d->one_color);
    d->plain = with_dropped_warnings(list, diag_render(list, srcs, false));
    d->color = with_dropped_warnings(list, diag_render(list, srcs, true));
  }
  if (!d || !d->items || !d->files || !d->one_plain || !d->one_color || !d->plain || !d->color) {
    if (d)
      elig_diags_free(d);
    else
      diag_list_free(list);
    return NULL;
  }
  d->n = n;
  for (size_t i = 0; i < n; i++) {
    elig_error *e = &d->items[i];
    diag_pos pos = {0};
    diag_id id = diag_get_id(list, i);
    e->severity =
        diag_get_severity(list, i) == DIAG_SEV_ERROR ? ELIG_SEVERITY_ERROR : ELIG_SEVERITY_WARNING;
    e->status = e->severity == ELIG_SEVERITY_ERROR ? diag_status(id) : ELIG_OK;
    e->code = diag_get_code(list, i);
    e->message = diag_get_message(list, i);
    e->help = diag_get_help(list, i);
    if (diag_get_pos(list, srcs, i, &pos) == 0 && pos.file) {
      d->files[i] = mem_strdup(pos.file);
      e->file = d->files[i];
      e->line = pos.line;
      e->column = pos.col;
    }
    d->one_plain[i] = diag_render_range(list, srcs, i, i + 1, false);
    d->one_color[i] = diag_render_range(list, srcs, i, i + 1, true);
    if ((pos.file && !d->files[i]) || !d->one_plain[i] || !d->one_color[i]) {
      elig_diags_free(d);
      return NULL;
    }
  }
  return d;
}

size_t elig_diags_count(const elig_diags *d)
{
  return d ? d->n : 0;
}

const elig_error *elig_diags_get(const elig_diags *d, size_t i)
{
  return d && i < d->n ? &d->items[i] : NULL;
}

size_t elig_diags_error_count(const elig_diags *d)
{
  return d ? diag_error_count(d->list) : 0;
}

size_t elig_diags_warning_count(const elig_diags *d)
{
  return d ? diag_warning_count(d->list) : 0;
}

char *elig_diags_render(const elig_diags *d, bool color)
{
  return mem_strdup(!d ? "" : color ? d->color : d->plain);
}

char *elig_diags_render_one(const elig_diags *d, size_t i, bool color)
{
  if (!d || i >= d->n)
    return NULL;
  return mem_strdup(color ? d->one_color[i] : d->one_plain[i]);
}

/* ---------------------------------------------------------------- compiling */

static char *csv_header(const elig_program *P)
{
  wbuf b = {0};
  write_record_header(&b, P, false);
  if (b.failed || !b.p) {
    wbuf_free(&b);
    return NULL;
  }
  b.p[b.len] = '\0';
  return b.p;
}

/* The caller's options as this library knows them: fields beyond the caller's opt->size (a
 * program built against an older header) keep their defaults.  False when size is unset. */
bool api_versioned(const void *opt, size_t size, void *out, size_t out_size)
{
  if (!opt)
    return true;
  if (size < sizeof(size_t))
    return false;
  memcpy(out, opt, size < out_size ? size : out_size);
  *(size_t *)out = out_size; /* every options struct starts with its size */
  return true;
}

bool api_options_of(const elig_options *opt, elig_options *o)
{
  *o = (elig_options)ELIG_OPTIONS_INIT;
  return api_versioned(opt, opt ? opt->size : 0, o, sizeof *o);
}

static elig_status compile(const ruleset_source *src, const elig_options *opt, elig_ruleset **out,
                           elig_diags **diags_out)
{
  diag_list *list = diag_list_new();
  src_set *srcs = NULL;
  elig_ruleset *rs = NULL;
  elig_status st = ELIG_OK;
  if (!list)
    return ELIG_ENOMEM;
  if (opt->max_errors)
    diag_set_max_errors(list, opt->max_errors);
  elig_program *P = ruleset_compile(src, list, &srcs);
  if (P && diag_error_count(list) == 0) {
    rs = mem_calloc(1, sizeof *rs);
    if (rs && !(rs->csv_header = csv_header(P))) {
      mem_free(rs);
      rs = NULL;
    }
    if (!rs)
      st = ELIG_ENOMEM;
    else
      rs->P = P;
  } else {
    st = api_compile_status(list);
  }
  if (diags_out) {
    *diags_out = api_diags_take(list, srcs);
    if (!*diags_out)
      st = ELIG_ENOMEM; /* the errors could not be handed over: say why, not "no errors" */
  } else {
    diag_list_free(list);
  }
  if (st != ELIG_OK) {
    if (rs)
      mem_free(rs->csv_header);
    mem_free(rs);
    rs = NULL;
    if (P)
      prog_free(P);
    else
      src_set_free(srcs);
  }
  *out = rs;
  return st;
}

elig_status elig_compile_file(const char *path, const elig_options *opt, elig_ruleset **out,
                              elig_diags **diags)
{
  if (diags)
    *diags = NULL;
  if (!out)
    return ELIG_EINVAL;
  *out = NULL;
  if (!path)
    return ELIG_EINVAL;
  elig_options o;
  if (!api_options_of(opt, &o))
    return ELIG_EINVAL;
  ruleset_source src = {.path = path, .no_imports = o.no_imports};
  return compile(&src, &o, out, diags);
}

elig_status api_compile_stored(const char *root, const src_set *files, elig_ruleset **out)
{
  elig_options o = ELIG_OPTIONS_INIT;
  ruleset_source src = {.name = root, .stored = files};
  *out = NULL;
  return compile(&src, &o, out, NULL);
}

elig_status elig_compile_sources(const char *root, const elig_source *files, size_t n,
                                 const elig_options *opt, elig_ruleset **out, elig_diags **diags)
{
  if (diags)
    *diags = NULL;
  if (!out)
    return ELIG_EINVAL;
  *out = NULL;
  elig_options o;
  if (!root || (!files && n) || !api_options_of(opt, &o))
    return ELIG_EINVAL;
  src_set *set = src_set_new();
  if (!set)
    return ELIG_ENOMEM;
  elig_status st = ELIG_OK;
  int src;
  for (size_t i = 0; i < n && st == ELIG_OK; i++) {
    uint32_t id;
    if (!files[i].name || (!files[i].text && files[i].len) || src_set_find(set, files[i].name, &id))
      st = ELIG_EINVAL;
    else if ((src = src_set_add_string(set, files[i].name, files[i].text ? files[i].text : "",
                                       files[i].len, &id)) != SRC_OK)
      st = src == SRC_ENOMEM ? ELIG_ENOMEM : ELIG_EINVAL; /* larger than a rule file may be */
  }
  if (st == ELIG_OK) {
    ruleset_source from = {.name = root, .stored = set, .no_imports = o.no_imports};
    st = compile(&from, &o, out, diags);
  }
  src_set_free(set);
  return st;
}

elig_status elig_compile_string(const char *name, const char *text, size_t len,
                                const elig_options *opt, elig_ruleset **out, elig_diags **diags)
{
  if (diags)
    *diags = NULL;
  if (!out)
    return ELIG_EINVAL;
  *out = NULL;
  if (!text && len)
    return ELIG_EINVAL;
  elig_options o;
  if (!api_options_of(opt, &o))
    return ELIG_EINVAL;
  ruleset_source src = {.name = name ? name : "<rules>",
                        .text = text ? text : "",
                        .len = len,
                        .no_imports = o.no_imports};
  return compile(&src, &o, out, diags);
}

void elig_ruleset_free(elig_ruleset *rs)
{
  if (!rs)
    return;
  prog_free(rs->P);
  mem_free(rs->csv_header);
  mem_free(rs);
}

/* ---------------------------------------------------------------- what a rule set defines */

static elig_type public_type(ty_type t)
{
  switch (t.base) {
  case TY_BOOL: return ELIG_TYPE_BOOL;
  case TY_INT: return ELIG_TYPE_INT;
  case TY_MONEY: return ELIG_TYPE_MONEY;
  case TY_NUMBER: return ELIG_TYPE_NUMBER;
  case TY_PERCENT: return ELIG_TYPE_PERCENT;
  case TY_DATE: return ELIG_TYPE_DATE;
  case TY_LIST: return ELIG_TYPE_LIST;
  default: return ELIG_TYPE_TEXT;
  }
}

static const prog_record *main_record(const elig_ruleset *rs)
{
  return &rs->P->records[rs->P->main_record];
}

const char *elig_ruleset_policy(const elig_ruleset *rs)
{
  return rs && rs->P->policy ? rs->P->policy : "";
}

const char *elig_ruleset_version(const elig_ruleset *rs)
{
  return rs && rs->P->version ? rs->P->version : "";
}

const char *elig_ruleset_hash(const elig_ruleset *rs)
{
  return rs ? rs->P->hash : "";
}

size_t elig_ruleset_file_count(const elig_ruleset *rs)
{
  return rs ? src_set_count(rs->P->srcs) : 0;
}

const char *elig_ruleset_file(const elig_ruleset *rs, size_t i)
{
  return rs && i < src_set_count(rs->P->srcs) ? src_file_name(rs->P->srcs, (uint32_t)i) : NULL;
}

const char *elig_ruleset_file_text(const elig_ruleset *rs, size_t i, size_t *len)
{
  uint32_t n = 0;
  const char *text =
      rs && i < src_set_count(rs->P->srcs) ? src_text(rs->P->srcs, (uint32_t)i, &n) : NULL;
  if (len)
    *len = text ? n : 0;
  return text;
}

size_t elig_ruleset_field_count(const elig_ruleset *rs)
{
  return rs ? main_record(rs)->nfields : 0;
}

const char *elig_ruleset_field_name(const elig_ruleset *rs, size_t i)
{
  return rs && i < main_record(rs)->nfields ? main_record(rs)->fields[i].name : NULL;
}

elig_type elig_ruleset_field_type(const elig_ruleset *rs, size_t i)
{
  return rs && i < main_record(rs)->nfields ? public_type(main_record(rs)->fields[i].type)
                                            : ELIG_TYPE_TEXT;
}

bool elig_ruleset_field_required(const elig_ruleset *rs, size_t i)
{
  return rs && i < main_record(rs)->nfields && main_record(rs)->fields[i].required;
}

/* Index lookups: names are few (tens), and callers look each one up once. */
#define FIND(n, name_of)                \
  do {                                  \
    if (!rs || !name || !index)         \
      return ELIG_EINVAL;               \
    for (size_t i = 0; i < (n); i++)    \
      if (strcmp(name_of, name) == 0) { \
        *index = i;                     \
        return ELIG_OK;                 \
      }                                 \
    return ELIG_ENOTFOUND;              \
  } while (0)

elig_status elig_ruleset_field_index(const elig_ruleset *rs, const char *name, size_t *index)
{
  FIND(main_record(rs)->nfields, main_record(rs)->fields[i].name);
}

size_t elig_ruleset_decision_count(const elig_ruleset *rs)
{
  return rs ? rs->P->ndecisions : 0;
}

const char *elig_ruleset_decision_name(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->ndecisions ? rs->P->decisions[i].name : NULL;
}

elig_type elig_ruleset_decision_type(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->ndecisions ? public_type(rs->P->decisions[i].type) : ELIG_TYPE_TEXT;
}

elig_status elig_ruleset_decision_index(const elig_ruleset *rs, const char *name, size_t *index)
{
  FIND(rs->P->ndecisions, rs->P->decisions[i].name);
}

size_t elig_ruleset_flag_count(const elig_ruleset *rs)
{
  return rs ? rs->P->nflags : 0;
}

const char *elig_ruleset_flag_name(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->nflags ? rs->P->flags[i].name : NULL;
}

const char *elig_ruleset_flag_severity(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->nflags ? rs->P->flags[i].severity : NULL;
}

const char *elig_ruleset_flag_reason(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->nflags ? rs->P->flags[i].reason : NULL;
}

elig_status elig_ruleset_flag_index(const elig_ruleset *rs, const char *name, size_t *index)
{
  FIND(rs->P->nflags, rs->P->flags[i].name);
}

size_t elig_ruleset_column_count(const elig_ruleset *rs)
{
  return rs ? rs->P->ncolumns : 0;
}

const char *elig_ruleset_column_name(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->ncolumns ? rs->P->columns[i].name : NULL;
}

elig_type elig_ruleset_column_type(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->ncolumns ? public_type(rs->P->columns[i].type) : ELIG_TYPE_TEXT;
}

size_t elig_ruleset_aggregate_count(const elig_ruleset *rs)
{
  return rs ? rs->P->naggregates : 0;
}

const char *elig_ruleset_aggregate_name(const elig_ruleset *rs, size_t i)
{
  return rs && i < rs->P->naggregates ? rs->P->aggregates[i].name : NULL;
}

elig_status elig_ruleset_aggregate_index(const elig_ruleset *rs, const char *name, size_t *index)
{
  FIND(rs->P->naggregates, rs->P->aggregates[i].name);
}

const char *elig_ruleset_csv_header(const elig_ruleset *rs)
{
  return rs ? rs->csv_header : NULL;
}

/* ---------------------------------------------------------------- contexts */

static void clear_staged(elig_ctx *ctx)
{
  for (uint32_t i = 0; i < main_record(ctx->rs)->nfields; i++) {
    memset(&ctx->staged[i], 0, sizeof ctx->staged[i]);
    ctx->staged[i].none = true;
  }
}

elig_status elig_ctx_new(const elig_ruleset *rs, elig_ctx **out)
{
  if (!out)
    return ELIG_EINVAL;
  *out = NULL;
  if (!rs)
    return ELIG_EINVAL;
  const elig_program *P = rs->P;
  uint32_t nfields = main_record(rs)->nfields;
  elig_ctx *ctx = mem_calloc(1, sizeof *ctx);
  if (!ctx)
    return ELIG_ENOMEM;
  ctx->rs = rs;
  ctx->result.ctx = ctx;
  jdoc_init(&ctx->json, REC_JDOC_OPTIONS);
  bool stepping = step_init(&ctx->step, P, (int32_t)(time(NULL) / 86400), false);
  ctx->staged = mem_calloc(nfields + 1, sizeof *ctx->staged);
  ctx->staged_text = mem_calloc(nfields + 1, sizeof *ctx->staged_text);
  ctx->texts = mem_calloc(P->ncolumns + P->ndecisions + 1, sizeof *ctx->texts);
  if (!stepping || !ctx->staged || !ctx->staged_text || !ctx->texts) {
    elig_ctx_free(ctx);
    return ELIG_ENOMEM;
  }
  clear_staged(ctx);
  *out = ctx;
  return ELIG_OK;
}

static void aggs_free(elig_ctx *ctx)
{
  for (uint32_t a = 0; ctx->aggs && a < ctx->rs->P->naggregates; a++)
    agg_table_fini(&ctx->aggs[a]);
  mem_free(ctx->aggs);
  ctx->aggs = NULL;
}

void elig_ctx_free(elig_ctx *ctx)
{
  if (!ctx)
    return;
  const elig_program *P = ctx->rs->P;
  ctx->step.aggs = NULL; /* the context's own tables, freed below */
  step_fini(&ctx->step);
  jdoc_fini(&ctx->json);
  wbuf_free(&ctx->input);
  for (uint32_t i = 0; ctx->staged_text && i < main_record(ctx->rs)->nfields; i++)
    mem_free(ctx->staged_text[i].p);
  mem_free(ctx->staged_text);
  mem_free(ctx->staged);
  for (uint32_t i = 0; ctx->texts && i < P->ncolumns + P->ndecisions + 1; i++)
    mem_free(ctx->texts[i].p);
  mem_free(ctx->texts);
  wbuf_free(&ctx->line[0]);
  wbuf_free(&ctx->line[1]);
  wbuf_free(&ctx->explain);
  wbuf_free(&ctx->aggs_out);
  wbuf_free(&ctx->needs);
  wbuf_free(&ctx->kept);
  wbuf_free(&ctx->pending);
  wbuf_free(&ctx->previous);
  aggs_free(ctx);
  mem_free(ctx);
}

elig_status elig_ctx_set_as_of(elig_ctx *ctx, const char *date)
{
  int32_t days;
  if (!ctx || !date || !date_parse(date, strlen(date), &days))
    return ELIG_EINVAL;
  vm_set_as_of(ctx->step.ctx, days);
  return ELIG_OK;
}

const elig_error *elig_ctx_error(const elig_ctx *ctx)
{
  return ctx && ctx->has_err ? &ctx->err : NULL;
}

uint64_t elig_ctx_unknown_keys(const elig_ctx *ctx)
{
  return ctx ? ctx->unknown.keys : 0;
}

size_t elig_ctx_last_unknown_keys(const elig_ctx *ctx, const char **first)
{
  if (first)
    *first = ctx && ctx->last_unknown.keys ? ctx->last_unknown.first : NULL;
  return ctx ? (size_t)ctx->last_unknown.keys : 0;
}

/* Adds the last evaluation's unknown keys to the running count. */
static void count_unknown(elig_ctx *ctx)
{
  const rec_unknown *last = &ctx->last_unknown;
  if (!last->keys)
    return;
  if (!ctx->unknown.first[0]) {
    memcpy(ctx->unknown.first, last->first, sizeof last->first);
    ctx->unknown.first_record = last->first_record;
  }
  ctx->unknown.keys += last->keys;
  ctx->unknown.records++;
}

/* ---------------------------------------------------------------- evaluation */

static void start(elig_ctx *ctx)
{
  ctx->has_err = false;
  ctx->have_result = false;
  ctx->serial++;
  memset(&ctx->last_unknown, 0, sizeof ctx->last_unknown);
  ctx->step.has_previous = false;
}

/* An evaluation starts: the year before, when one was given for it (and only for it). */
static void start_evaluation(elig_ctx *ctx)
{
  start(ctx);
  if (ctx->has_pending) {
    wbuf t = ctx->previous;
    ctx->previous = ctx->pending;
    ctx->pending = t;
    ctx->has_pending = false;
    step_set_previous(&ctx->step, ctx->previous.p ? ctx->previous.p : "", ctx->previous.len);
  }
}

static elig_status fail(elig_ctx *ctx, elig_status st, const char *message, const char *field)
{
  memset(&ctx->err, 0, sizeof ctx->err);
  snprintf(ctx->err_message, sizeof ctx->err_message, "%s", message);
  ctx->err.status = st;
  ctx->err.message = ctx->err_message;
  if (field && field[0]) {
    snprintf(ctx->err_field, sizeof ctx->err_field, "%s", field);
    ctx->err.field = ctx->err_field;
  }
  ctx->has_err = true;
  return st;
}

static elig_status malformed_json(elig_ctx *ctx, const jdoc_error *jerr);

static elig_status reject(elig_ctx *ctx, const rec_reject *why)
{
  if (why->code == DIAG_E_MALFORMED_JSON && why->json_column) {
    jdoc_error jerr = {.code = JDOC_ESYNTAX, .column = why->json_column};
    snprintf(jerr.message, sizeof jerr.message, "%s", why->json_reason);
    return malformed_json(ctx, &jerr);
  }
  fail(ctx, ELIG_EREJECT, why->message, why->field);
  ctx->err.code = diag_id_code(why->code);
  return ELIG_EREJECT;
}

/* A run-time failure of the rules, located at the instruction that failed. */
static elig_status eval_failure(elig_ctx *ctx, vm_status st, uint32_t pc)
{
  const elig_program *P = ctx->rs->P;
  if (st == VM_ERR_NO_MEMORY)
    return fail(ctx, ELIG_ENOMEM, vm_status_str(st), NULL);
  fail(ctx, ELIG_EEVAL, vm_status_str(st), NULL);
  ctx->err.code = diag_id_code(step_failure_code(st));
  uint32_t line = 0, col = 0;
  const char *file;
  if (prog_position(P, pc, &file, &line, &col)) {
    ctx->err.file = file;
    ctx->err.line = line;
    ctx->err.column = col;
  }
  return ELIG_EEVAL;
}

/* What the evaluation step made of the record: its result, or the error. */
static elig_status stepped(elig_ctx *ctx, step_result res, const step_why *why,
                           const elig_result **out)
{
  ctx->step.has_previous = false; /* given for one evaluation, whatever became of it */
  if (ctx->reg && register_stale(ctx->reg) && res == STEP_OK) {
    /* its years before are another rule set's: a result read from them would be wrong */
    fail(ctx, ELIG_EREGISTER,
         /* TRANSLATORS: `elig register add` is a command, as typed. */
         _("the register was evaluated with other rules since these were loaded: run `elig "
           "register add` with these rules, or reload the rules the register holds"),
         NULL);
    return ELIG_EREGISTER;
  }
  switch (res) {
  case STEP_OK:
    ctx->seq++;
    ctx->have_result = true;
    *out = &ctx->result;
    return ELIG_OK;
  case STEP_REJECTED: return reject(ctx, &why->reject);
  case STEP_FAILED: return eval_failure(ctx, why->vm, why->pc);
  case STEP_NO_MEMORY: break;
  }
  return fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
}

/* JSON that does not parse: where, as a line and a byte column (a record given to the API
 * may be pretty-printed over several lines). */
static elig_status malformed_json(elig_ctx *ctx, const jdoc_error *jerr)
{
  size_t offset = jerr->column ? jerr->column - 1 : 0, line = 1, line_start = 0;
  for (size_t i = 0; i < offset && i < ctx->input.len; i++)
    if (ctx->input.p[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  size_t column = offset - line_start + 1;
  char msg[256];
  /* the place is the error's line and column, not words of the message: a service says it
   * in the coordinates of its request body */
  /* TRANSLATORS: a record given to the library is not valid JSON: %s says what is wrong
   * (the line and column are given apart). */
  snprintf(msg, sizeof msg, _("malformed JSON: %s"), jerr->message);
  fail(ctx, ELIG_EREJECT, msg, NULL);
  ctx->err.code = diag_id_code(DIAG_E_MALFORMED_JSON);
  ctx->err.line = (unsigned)line;
  ctx->err.column = (unsigned)column;
  return ELIG_EREJECT;
}

elig_status elig_eval_json(elig_ctx *ctx, const char *json, size_t len, const elig_result **out)
{
  if (out)
    *out = NULL;
  if (!ctx || !out || (!json && len))
    return ELIG_EINVAL;
  start_evaluation(ctx);
  /* results may point into the record's text: keep a copy the caller cannot free */
  ctx->input.len = 0;
  wbuf_put(&ctx->input, json ? json : "", len);
  if (ctx->input.failed) {
    ctx->input.failed = false;
    return fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
  }
  jdoc_error jerr;
  jdoc_errcode code = jdoc_parse(&ctx->json, ctx->input.p, len, &jerr);
  if (code == JDOC_ENOMEM)
    return fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
  if (code == JDOC_EEMPTY) {
    fail(ctx, ELIG_EREJECT, _("the record is empty: expected a JSON object"), NULL);
    ctx->err.code = diag_id_code(DIAG_E_NOT_OBJECT); /* every rejection has its code */
    return ELIG_EREJECT;
  }
  if (code != JDOC_OK)
    return malformed_json(ctx, &jerr);
  step_why why;
  step_result res = step_json(&ctx->step, &ctx->json, &ctx->last_unknown, ctx->seq, &why);
  count_unknown(ctx);
  return stepped(ctx, res, &why, out);
}

void elig_ctx_clear(elig_ctx *ctx)
{
  if (ctx)
    clear_staged(ctx);
}

/* The field a setter may set, or NULL (a bad index or a list, which only JSON can give). */
/* The field a setter may set, or NULL: then the context's error says why (EINVAL), so that
 * elig_ctx_error never shows an older failure after a setter failed. */
static const prog_field *settable(elig_ctx *ctx, size_t field)
{
  if (!ctx)
    return NULL;
  if (field >= main_record(ctx->rs)->nfields) {
    /* TRANSLATORS: a program set a field of a record by a number that is no field's. */
    fail(ctx, ELIG_EINVAL, _("no field has that index"), NULL);
    return NULL;
  }
  const prog_field *f = &main_record(ctx->rs)->fields[field];
  if (f->type.base == TY_LIST) {
    /* TRANSLATORS: a program set a field that holds a list of records one value at a
     * time; such a field can be given only in a record's JSON. */
    fail(ctx, ELIG_EINVAL, _("a list of records is given only in JSON"), f->name);
    return NULL;
  }
  return f;
}

/* A setter that does not fit the field's type. */
static elig_status wrong_setter(elig_ctx *ctx, const prog_field *f)
{
  /* TRANSLATORS: a program set a field with a function for another type (a number for a
   * date, say). */
  return fail(ctx, ELIG_EINVAL, _("this setter does not fit the field's type"), f->name);
}

elig_status elig_ctx_set_text(elig_ctx *ctx, size_t field, const char *text, size_t len)
{
  if (!settable(ctx, field))
    return ELIG_EINVAL;
  if (!text && len)
    return fail(ctx, ELIG_EINVAL, _("no text given"), NULL);
  ctx->has_err = false;
  vm_val *v = &ctx->staged[field];
  if (len == 0)
    return elig_ctx_set_none(ctx, field);
  text_slot *t = &ctx->staged_text[field];
  if (!grow_slot(t, len + 1))
    return fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
  memcpy(t->p, text, len);
  t->p[len] = '\0';
  rec_reject why;
  if (!rec_parse_field(ctx->rs->P, (uint32_t)field, t->p, len, v, &why)) {
    memset(v, 0, sizeof *v);
    v->none = true;
    return reject(ctx, &why);
  }
  v->none = false;
  return ELIG_OK;
}

elig_status elig_ctx_set_int(elig_ctx *ctx, size_t field, int64_t value)
{
  const prog_field *f = settable(ctx, field);
  vm_val v = {0};
  if (!f)
    return ELIG_EINVAL;
  ctx->has_err = false;
  switch (f->type.base) {
  case TY_INT: v.u.i = value; break;
  case TY_MONEY:
    if (dec_money_mul_int(100, value, &v.u.i) != DEC_OK) {
      rec_reject why = {.message = ""};
      diag_format(DIAG_E_VALUE_RANGE, why.message, sizeof why.message, f->name);
      snprintf(why.field, sizeof why.field, "%s", f->name);
      elig_ctx_set_none(ctx, field);
      return reject(ctx, &why);
    }
    break;
  case TY_NUMBER: v.u.n = dec_num_from_int(value); break;
  default: return wrong_setter(ctx, f);
  }
  ctx->staged[field] = v;
  return ELIG_OK;
}

elig_status elig_ctx_set_bool(elig_ctx *ctx, size_t field, bool value)
{
  const prog_field *f = settable(ctx, field);
  if (!f)
    return ELIG_EINVAL;
  if (f->type.base != TY_BOOL)
    return wrong_setter(ctx, f);
  ctx->has_err = false;
  memset(&ctx->staged[field], 0, sizeof ctx->staged[field]);
  ctx->staged[field].u.i = value;
  return ELIG_OK;
}

elig_status elig_ctx_set_none(elig_ctx *ctx, size_t field)
{
  if (!settable(ctx, field))
    return ELIG_EINVAL;
  ctx->has_err = false;
  memset(&ctx->staged[field], 0, sizeof ctx->staged[field]);
  ctx->staged[field].none = true;
  return ELIG_OK;
}

elig_status elig_eval(elig_ctx *ctx, const elig_result **out)
{
  if (out)
    *out = NULL;
  if (!ctx || !out)
    return ELIG_EINVAL;
  start_evaluation(ctx);
  vm_begin_record(ctx->step.ctx);
  memcpy(vm_record_slots(ctx->step.ctx, ctx->rs->P->main_record), ctx->staged,
         main_record(ctx->rs)->nfields * sizeof *ctx->staged);
  step_why why;
  return stepped(ctx, step_typed(&ctx->step, ctx->seq, &why), &why, out);
}

/* ---------------------------------------------------------------- reading a result */

/* The text of value `v` of type `t` in slot `i` of the current result ("" for none). */
static const char *value_text(elig_ctx *ctx, size_t i, ty_type t, const vm_val *v)
{
  text_slot *s = &ctx->texts[i];
  char buf[DEC_FMT_MAX];
  const char *p = buf;
  size_t n;
  if (s->serial == ctx->serial && s->p)
    return s->p;
  if (vm_unknown_of(ctx->step.ctx, v)) {
    p = WRITE_UNDETERMINED;
    n = strlen(p);
  } else if (v->none || t.base == TY_LIST) {
    n = 0;
  } else if (t.base == TY_TEXT) {
    p = v->u.s.p;
    n = v->u.s.len;
  } else {
    n = write_scalar(t, v, buf);
  }
  if (!grow_slot(s, n + 1))
    return "";
  memcpy(s->p, p, n);
  s->p[n] = '\0';
  s->serial = ctx->serial;
  return s->p;
}

/* The result's context, when it still holds that result. */
static elig_ctx *live(const elig_result *r)
{
  return r && r->ctx->have_result ? r->ctx : NULL;
}

const char *elig_result_key(const elig_result *r)
{
  elig_ctx *ctx = live(r);
  if (!ctx)
    return "";
  const elig_program *P = ctx->rs->P;
  text_slot *s = &ctx->texts[P->ncolumns + P->ndecisions];
  if (s->serial == ctx->serial && s->p)
    return s->p;
  wbuf key = {0};
  write_record_key(&key, P, ctx->step.ctx);
  size_t n = key.len;
  if (key.failed || !grow_slot(s, n + 1)) {
    wbuf_free(&key);
    return "";
  }
  if (n)
    memcpy(s->p, key.p, n);
  s->p[n] = '\0';
  wbuf_free(&key);
  s->serial = ctx->serial;
  return s->p;
}

const char *elig_result_decision(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->ndecisions)
    return "";
  const elig_program *P = ctx->rs->P;
  const prog_decision *d = &P->decisions[i];
  return value_text(ctx, P->ncolumns + i, d->type, vm_cell_value(ctx->step.ctx, d->cell));
}

unsigned elig_result_decision_rule(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->ndecisions)
    return 0;
  uint32_t cell = ctx->rs->P->decisions[i].cell;
  if (vm_unknown_of(ctx->step.ctx, vm_cell_value(ctx->step.ctx, cell)))
    return 0;
  return vm_rule(ctx->step.ctx, cell) + 1;
}

const char *elig_result_decision_reason(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->ndecisions)
    return NULL;
  const prog_decision *d = &ctx->rs->P->decisions[i];
  uint32_t rule = vm_rule(ctx->step.ctx, d->cell);
  if (vm_unknown_of(ctx->step.ctx, vm_cell_value(ctx->step.ctx, d->cell)))
    return NULL;
  return rule < d->nrules ? d->reasons[rule] : NULL;
}

bool elig_result_flag(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->nflags)
    return false;
  return vm_flag_raised(ctx->step.ctx, (uint32_t)i) && !vm_flag_unknown(ctx->step.ctx, (uint32_t)i);
}

static const char *finish_text(wbuf *b, size_t *len);

bool elig_result_flag_undetermined(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->nflags)
    return false;
  return vm_flag_unknown(ctx->step.ctx, (uint32_t)i) != 0;
}

const char *elig_result_needs(const elig_result *r)
{
  elig_ctx *ctx = live(r);
  if (!ctx)
    return "";
  wbuf *b = &ctx->needs;
  b->len = 0;
  uint64_t mask = write_record_needs(ctx->rs->P, ctx->step.ctx);
  if (mask)
    write_needs(b, ctx->rs->P, ctx->step.ctx, mask, ";", false);
  const char *text = finish_text(b, NULL);
  return text ? text : "";
}

elig_status elig_ctx_set_missing(elig_ctx *ctx, elig_missing m)
{
  if (!ctx || (m != ELIG_MISSING_REJECT && m != ELIG_MISSING_UNDETERMINED))
    return ELIG_EINVAL;
  vm_set_undetermined(ctx->step.ctx, m == ELIG_MISSING_UNDETERMINED);
  return ELIG_OK;
}

const char *elig_result_column(const elig_result *r, size_t i)
{
  elig_ctx *ctx = live(r);
  if (!ctx || i >= ctx->rs->P->ncolumns)
    return "";
  const prog_column *c = &ctx->rs->P->columns[i];
  return value_text(ctx, i, c->type, vm_column_value(ctx->step.ctx, c));
}

/* b's text with a NUL after it, or NULL when b could not grow. */
/* The text of b, NUL-terminated; "" when nothing was ever written; NULL when writing it
 * ran out of memory. */
static const char *finish_text(wbuf *b, size_t *len)
{
  if (b->failed) {
    b->failed = false;
    b->len = 0;
    return NULL;
  }
  if (!b->p) {
    if (len)
      *len = 0;
    return "";
  }
  b->p[b->len] = '\0';
  if (len)
    *len = b->len;
  return b->p;
}

/* The header of kept bytes: a mark with the byte order of the machine, and the first 8
 * bytes of the rule set's hash (after "sha256:"). */
enum {
  KEPT_HEADER = 16
};

static void kept_header(const elig_ruleset *rs, char *h)
{
  const uint32_t mark = 0x656c6967; /* "elig", in the machine's order */
  const uint32_t version = 1;
  memcpy(h, &mark, 4);
  memcpy(h + 4, &version, 4);
  memcpy(h + 8, rs->P->hash + 7, 8);
}

elig_status elig_result_kept(const elig_result *r, const void **kept, size_t *len)
{
  elig_ctx *ctx = live(r);
  if (!ctx || !kept || !len)
    return ELIG_EINVAL;
  char header[KEPT_HEADER];
  kept_header(ctx->rs, header);
  ctx->kept.len = 0;
  wbuf_put(&ctx->kept, header, sizeof header);
  if (vm_remember(ctx->step.ctx, &ctx->kept) != VM_OK || ctx->kept.failed) {
    wbuf_free(&ctx->kept);
    return ELIG_ENOMEM;
  }
  *kept = ctx->kept.p;
  *len = ctx->kept.len;
  return ELIG_OK;
}

static const void *register_seed(void *arg, const char *link, size_t link_len, int64_t year,
                                 size_t *len)
{
  elig_ctx *ctx = arg;
  return register_previous(ctx->reg, ctx->rs->P, link, link_len, year, len);
}

elig_status elig_ctx_set_register(elig_ctx *ctx, elig_register *reg)
{
  if (!ctx)
    return ELIG_EINVAL;
  /* the register's rules are checked at each evaluation that reads it (register_stale): an
   * add with other rules may come at any time */
  ctx->reg = reg;
  ctx->step.seed = reg ? register_seed : NULL;
  ctx->step.seed_arg = ctx;
  return ELIG_OK;
}

elig_status elig_ctx_set_previous(elig_ctx *ctx, const void *kept, size_t len)
{
  char header[KEPT_HEADER];
  if (!ctx || (!kept && len))
    return ELIG_EINVAL;
  ctx->has_pending = false; /* whatever was given before, unless this is taken */
  if (!kept)
    return ELIG_OK;
  kept_header(ctx->rs, header);
  const char *body = (const char *)kept + sizeof header;
  if (len < sizeof header || memcmp(kept, header, sizeof header) != 0 ||
      !vm_kept_valid(ctx->rs->P, len > sizeof header ? body : "", len - sizeof header))
    return ELIG_EINVAL;
  /* kept apart until the next evaluation starts: the last result may read the bytes the
   * evaluation before it was given */
  ctx->pending.len = 0;
  wbuf_put(&ctx->pending, body, len - sizeof header);
  if (ctx->pending.failed) {
    wbuf_free(&ctx->pending);
    return ELIG_ENOMEM;
  }
  ctx->has_pending = true;
  return ELIG_OK;
}

const char *elig_result_format(const elig_result *r, elig_format fmt, size_t *len)
{
  elig_ctx *ctx = live(r);
  if (!ctx || (fmt != ELIG_FORMAT_JSON && fmt != ELIG_FORMAT_CSV))
    return NULL;
  wbuf *line = &ctx->line[fmt == ELIG_FORMAT_JSON ? 0 : 1];
  line->len = 0;
  write_record(line, ctx->rs->P, ctx->step.ctx, fmt == ELIG_FORMAT_JSON ? WRITE_JSONL : WRITE_CSV,
               vm_undetermined(ctx->step.ctx) ? WRITE_NEEDS : 0);
  return finish_text(line, len);
}

elig_status elig_explain(elig_ctx *ctx, elig_format fmt, const char **text, size_t *len)
{
  return elig_explain_what_if(ctx, NULL, fmt, text, len);
}

elig_status elig_explain_what_if(elig_ctx *ctx, const char *field, elig_format fmt,
                                 const char **text, size_t *len)
{
  if (text)
    *text = NULL;
  uint32_t what_if = PROG_NONE;
  if (!ctx || !text || !ctx->have_result || fmt == ELIG_FORMAT_CSV ||
      (fmt != ELIG_FORMAT_JSON && fmt != ELIG_FORMAT_TEXT) ||
      (field && ((what_if = prog_find_field(ctx->rs->P, field)) == PROG_NONE ||
                 !whatif_field_ok(ctx->rs->P, what_if))))
    return ELIG_EINVAL;
  wbuf key = {0};
  write_record_key(&key, ctx->rs->P, ctx->step.ctx);
  if (!wbuf_text(&key)) {
    wbuf_free(&key);
    return ELIG_ENOMEM;
  }
  ctx->explain.len = 0;
  vm_status st = explain_record_what_if(ctx->rs->P, ctx->step.ctx, NULL, key.p,
                                        fmt == ELIG_FORMAT_JSON, what_if, &ctx->explain);
  wbuf_free(&key);
  if (st != VM_OK)
    return eval_failure(ctx, st, vm_error_pc(ctx->step.ctx));
  *text = finish_text(&ctx->explain, len);
  return *text ? ELIG_OK : ELIG_ENOMEM;
}

/* ---------------------------------------------------------------- aggregates */

static bool aggs_init(elig_ctx *ctx)
{
  const elig_program *P = ctx->rs->P;
  if (ctx->aggs)
    return true;
  ctx->aggs = mem_calloc(P->naggregates + 1, sizeof *ctx->aggs);
  for (uint32_t a = 0; ctx->aggs && a < P->naggregates; a++) {
    agg_table_init(&ctx->aggs[a], &P->aggregates[a]);
    agg_table_ranges(&ctx->aggs[a]); /* exact records keep lowest = highest */
  }
  return ctx->aggs != NULL;
}

void elig_ctx_set_aggregate(elig_ctx *ctx, bool on)
{
  if (!ctx)
    return;
  /* the tables are made when first needed; a failure shows when they are read.  The step
   * folds into them while aggregating is on */
  bool made = on && aggs_init(ctx);
  ctx->aggs_lost |= on && !made;
  ctx->step.aggs = made ? ctx->aggs : NULL;
}

elig_status elig_ctx_aggregates(elig_ctx *ctx, elig_format fmt, const char **text, size_t *len)
{
  if (text)
    *text = NULL;
  if (!ctx || !text || (fmt != ELIG_FORMAT_JSON && fmt != ELIG_FORMAT_CSV))
    return ELIG_EINVAL;
  const elig_program *P = ctx->rs->P;
  start(ctx); /* computing groups reuses the registers: the last record's result is gone */
  if (ctx->aggs_lost || !aggs_init(ctx)) {
    ctx->aggs_lost = false;
    return fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
  }
  ctx->aggs_out.len = 0;
  elig_status st = ELIG_OK;
  for (uint32_t a = 0; a < P->naggregates && st == ELIG_OK; a++) {
    vm_status vs = agg_write(&ctx->aggs[a], ctx->step.ctx, &ctx->aggs_out,
                             fmt == ELIG_FORMAT_JSON ? WRITE_JSONL : WRITE_CSV, a == 0);
    if (vs != VM_OK)
      st = eval_failure(ctx, vs, vm_error_pc(ctx->step.ctx));
    else if (ctx->aggs[a].overflow) {
      st = fail(ctx, ELIG_EEVAL, diag_id_format(DIAG_E_RUN_SUM_RANGE), NULL);
      ctx->err.code = diag_id_code(DIAG_E_RUN_SUM_RANGE);
    }
  }
  for (uint32_t a = 0; a < P->naggregates; a++) {
    agg_table_fini(&ctx->aggs[a]);
    agg_table_init(&ctx->aggs[a], &P->aggregates[a]);
    agg_table_ranges(&ctx->aggs[a]); /* exact records keep lowest = highest */
  }
  ctx->seq = 0;
  if (st != ELIG_OK)
    return st;
  *text = finish_text(&ctx->aggs_out, len);
  if (!*text && P->naggregates == 0) {
    *text = "";
    if (len)
      *len = 0;
  }
  return *text ? ELIG_OK : fail(ctx, ELIG_ENOMEM, _("out of memory"), NULL);
}

elig_status elig_ctx_merge_aggregates(elig_ctx *into, elig_ctx *from)
{
  if (!into || !from || into == from || into->rs != from->rs)
    return ELIG_EINVAL;
  if (!from->aggs)
    return ELIG_OK;
  if (!aggs_init(into))
    return ELIG_ENOMEM;
  /* from's records count as coming after into's: first() keeps input order when contexts
   * that took consecutive shares are merged in order */
  for (uint32_t a = 0; a < into->rs->P->naggregates; a++)
    if (!agg_merge(&into->aggs[a], &from->aggs[a], into->seq))
      return ELIG_ENOMEM;
  into->seq += from->seq;
  from->seq = 0;
  return ELIG_OK;
}
