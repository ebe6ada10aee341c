/*
 * pg_rules.c -- rule sets in the database (pg_elig.h).
 *
 * A rule set is loaded under a name: its files (the root and every import, their paths as
 * the rules name them, their texts) go to elig.rule_files under the rule set's hash, and the
 * name to elig.rulesets.  Evaluating looks the name up once per query, and compiles the
 * files kept under the hash once per backend (elig_compile_sources: nothing read from disk,
 * the same hash again).  A hash names the texts exactly, so a hash given instead of a name
 * means the same rules on every server that has them: that is what the IMMUTABLE functions
 * take (pg_functions.c), and what foreign servers are sent.
 *
 * Loading from the server's disk (elig.load(name, path)) reads files as the server's user:
 * allowed to superusers and members of pg_read_server_files only.
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "pg_elig.h"

PG_FUNCTION_INFO_V1(pgelig_load_file);
PG_FUNCTION_INFO_V1(pgelig_load_sources);
PG_FUNCTION_INFO_V1(pgelig_check_file);
PG_FUNCTION_INFO_V1(pgelig_check_sources);
PG_FUNCTION_INFO_V1(pgelig_hash);

/* ---------------------------------------------------------------- the backend's cache */

struct pgelig_rules {
  char hash[72];
  elig_ruleset *rs;
  int refs;
  pgelig_rules *next;
};

static pgelig_rules *cache; /* few: a backend uses a rule set or two */

const elig_ruleset *pgelig_ruleset(const pgelig_rules *r)
{
  return r->rs;
}

void pgelig_rules_release(pgelig_rules *r)
{
  if (r)
    r->refs--;
}

static bool is_hash(const char *ref)
{
  return strncmp(ref, "sha256:", 7) == 0;
}

/* The names of the rule sets loaded, for an error's hint ("a, b"). */
static char *loaded_names(void)
{
  int st = SPI_execute("SELECT coalesce(string_agg(name, ', ' ORDER BY name), '(none)') "
                       "FROM elig.rulesets",
                       true, 1);
  if (st != SPI_OK_SELECT || SPI_processed != 1)
    return pstrdup("(unknown)");
  return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* The hash `name` is loaded under; ereports when there is none.  Inside SPI. */
static char *hash_of_name(const char *name)
{
  Oid types[1] = {TEXTOID};
  Datum args[1] = {CStringGetTextDatum(name)};
  int st = SPI_execute_with_args("SELECT hash FROM elig.rulesets WHERE name = $1", 1, types, args,
                                 NULL, true, 1);
  if (st != SPI_OK_SELECT)
    elog(ERROR, "elig: cannot read elig.rulesets");
  if (SPI_processed == 0)
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("elig: no rule set is loaded under the name \"%s\"", name),
                    errhint("Loaded: %s.  Load one with elig.load('%s', '/path/to/rules.rules').",
                            loaded_names(), name)));
  return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Compiles the files kept under `hash`; ereports when there are none or they do not
 * compile (a library other than the one that loaded them).  Inside SPI. */
static elig_ruleset *compile_stored(const char *hash)
{
  Oid types[1] = {TEXTOID};
  Datum args[1] = {CStringGetTextDatum(hash)};
  int st = SPI_execute_with_args(
      "SELECT path, body FROM elig.rule_files WHERE hash = $1 ORDER BY ordinal", 1, types, args,
      NULL, true, 0);
  if (st != SPI_OK_SELECT)
    elog(ERROR, "elig: cannot read elig.rule_files");
  if (SPI_processed == 0)
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("elig: no rule set with the hash %s is loaded in this database", hash),
                    errhint("Load the same rule files here with elig.load(): a hash names "
                            "their texts exactly.")));
  size_t n = SPI_processed;
  elig_source *files = palloc(n * sizeof *files);
  for (size_t i = 0; i < n; i++) {
    HeapTuple t = SPI_tuptable->vals[i];
    files[i].name = SPI_getvalue(t, SPI_tuptable->tupdesc, 1);
    files[i].text = SPI_getvalue(t, SPI_tuptable->tupdesc, 2);
    files[i].len = strlen(files[i].text);
  }
  elig_ruleset *rs = NULL;
  elig_status s = elig_compile_sources(files[0].name, files, n, NULL, &rs, NULL);
  if (s != ELIG_OK)
    ereport(ERROR, (errmsg("elig: the rule set %s kept in elig.rule_files does not compile: %s",
                           hash, elig_status_str(s))));
  if (strcmp(elig_ruleset_hash(rs), hash) != 0) {
    char *got = pstrdup(elig_ruleset_hash(rs));
    elig_ruleset_free(rs);
    ereport(ERROR, (errmsg("elig: the files kept under %s compile to %s", hash, got),
                    errhint("elig.rule_files was changed by hand; load the rule set again.")));
  }
  return rs;
}

pgelig_rules *pgelig_rules_get(const char *ref, bool hash_only)
{
  if (hash_only && !is_hash(ref))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("elig: this function takes a rule set's hash, not \"%s\"", ref),
                    errhint("Give elig.hash('%s'): a name can be loaded again with other rules, "
                            "a hash always means the same ones.",
                            ref)));
  for (pgelig_rules *r = cache; r; r = r->next)
    if (strcmp(r->hash, ref) == 0) {
      r->refs++;
      return r;
    }
  SPI_connect();
  char *hash = is_hash(ref) ? pstrdup(ref) : hash_of_name(ref);
  pgelig_rules *r = NULL;
  for (pgelig_rules *c = cache; c && !r; c = c->next)
    if (strcmp(c->hash, hash) == 0)
      r = c;
  if (!r) {
    elig_ruleset *rs = compile_stored(hash);
    r = MemoryContextAllocZero(pgelig_memory, sizeof *r);
    strlcpy(r->hash, hash, sizeof r->hash);
    r->rs = rs;
    r->next = cache;
    cache = r;
  }
  SPI_finish();
  r->refs++;
  return r;
}

/* ---------------------------------------------------------------- loading */

/* The diagnostics as text, as `elig check` prints them, for an error's detail. */
static char *rendered(const elig_diags *d)
{
  char *text = elig_diags_render(d, false);
  char *copy = pstrdup(text ? text : "(out of memory)");
  elig_free(text);
  return copy;
}

/* Stores rs's files and `name` -> its hash; returns the hash (text). */
static Datum store(const char *name, const elig_ruleset *rs)
{
  const char *hash = elig_ruleset_hash(rs);
  SPI_connect();
  Oid file_types[4] = {TEXTOID, INT4OID, TEXTOID, TEXTOID};
  for (size_t i = 0; i < elig_ruleset_file_count(rs); i++) {
    size_t len;
    const char *text = elig_ruleset_file_text(rs, i, &len);
    Datum args[4] = {CStringGetTextDatum(hash), Int32GetDatum((int32)i),
                     CStringGetTextDatum(elig_ruleset_file(rs, i)),
                     PointerGetDatum(cstring_to_text_with_len(text, (int)len))};
    if (SPI_execute_with_args("INSERT INTO elig.rule_files (hash, ordinal, path, body) "
                              "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                              4, file_types, args, NULL, false, 0) != SPI_OK_INSERT)
      elog(ERROR, "elig: cannot write elig.rule_files");
  }
  Oid set_types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
  Datum args[5] = {CStringGetTextDatum(name), CStringGetTextDatum(hash),
                   CStringGetTextDatum(elig_ruleset_file(rs, 0)),
                   CStringGetTextDatum(elig_ruleset_policy(rs)),
                   CStringGetTextDatum(elig_ruleset_version(rs))};
  if (SPI_execute_with_args(
          "INSERT INTO elig.rulesets (name, hash, root, policy, version) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET hash = $2, root = $3, "
          "policy = $4, version = $5, loaded_at = now(), loaded_by = current_user",
          5, set_types, args, NULL, false, 0) != SPI_OK_INSERT)
    elog(ERROR, "elig: cannot write elig.rulesets");
  SPI_finish();
  return CStringGetTextDatum(hash);
}

/* Loads a compiled (or failed) rule set: ERROR with the diagnostics when it has errors,
 * its warnings as a NOTICE; stored under `name` otherwise. */
static Datum load(const char *name, elig_status st, elig_ruleset *rs, elig_diags *d,
                  const char *what)
{
  if (is_hash(name) || !*name) {
    elig_ruleset_free(rs);
    elig_diags_free(d);
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("elig: \"%s\" cannot name a rule set", name),
                    errhint("A name is not empty and does not begin with \"sha256:\".")));
  }
  if (st != ELIG_OK) {
    char *detail = d ? rendered(d) : pstrdup(elig_status_str(st));
    size_t errors = d ? elig_diags_error_count(d) : 0;
    elig_diags_free(d);
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("elig: the rule set %s does not compile (%zu error%s); nothing loaded", what,
                    errors, errors == 1 ? "" : "s"),
             errdetail("%s", detail), errhint("elig.check() lists the diagnostics as rows.")));
  }
  if (d && elig_diags_warning_count(d))
    ereport(NOTICE, (errmsg("elig: %zu warning(s) in %s", elig_diags_warning_count(d), what),
                     errdetail("%s", rendered(d))));
  elig_diags_free(d);
  Datum hash = (Datum)0;
  PG_TRY();
  {
    hash = store(name, rs);
  }
  PG_CATCH();
  {
    elig_ruleset_free(rs);
    PG_RE_THROW();
  }
  PG_END_TRY();
  elig_ruleset_free(rs);
  return hash;
}

static void require_file_access(void)
{
  if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("elig: reading rule files from the server's disk needs "
                           "pg_read_server_files"),
                    errhint("Give the files' texts instead: elig.load(name, root, files "
                            "jsonb).")));
}

/* elig.load(name text, path text) returns text */
Datum pgelig_load_file(PG_FUNCTION_ARGS)
{
  char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
  char *path = text_to_cstring(PG_GETARG_TEXT_PP(1));
  require_file_access();
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_file(path, NULL, &rs, &d);
  PG_RETURN_DATUM(load(name, st, rs, d, path));
}

/* The files of a jsonb object {"path": "text", ...} as sources (the jsonb's strings). */
static elig_source *sources_of(Jsonb *files, size_t *n)
{
  if (!JB_ROOT_IS_OBJECT(files))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("elig: the files are a jsonb object of path: text")));
  elig_source *out = palloc0((JB_ROOT_COUNT(files) + 1) * sizeof *out);
  JsonbIterator *it = JsonbIteratorInit(&files->root);
  JsonbValue v;
  JsonbIteratorToken tok;
  size_t count = 0;
  char *key = NULL;
  while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
    if (tok == WJB_KEY) {
      key = pnstrdup(v.val.string.val, v.val.string.len);
    } else if (tok == WJB_VALUE) {
      if (v.type != jbvString)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("elig: the file \"%s\" is not given as a string", key)));
      out[count].name = key;
      out[count].text = pnstrdup(v.val.string.val, v.val.string.len);
      out[count].len = (size_t)v.val.string.len;
      count++;
    }
  }
  *n = count;
  return out;
}

/* elig.load(name text, root text, files jsonb) returns text */
Datum pgelig_load_sources(PG_FUNCTION_ARGS)
{
  char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
  char *root = text_to_cstring(PG_GETARG_TEXT_PP(1));
  size_t n;
  elig_source *files = sources_of(PG_GETARG_JSONB_P(2), &n);
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_sources(root, files, n, NULL, &rs, &d);
  if (st == ELIG_EINVAL)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("elig: a file is larger than 1 MiB or named twice")));
  PG_RETURN_DATUM(load(name, st, rs, d, root));
}

/* elig.hash(name text) returns text: the hash a name is loaded under. */
Datum pgelig_hash(PG_FUNCTION_ARGS)
{
  char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
  SPI_connect();
  char *hash = hash_of_name(name);
  Datum out = CStringGetTextDatum(hash);
  SPI_finish();
  PG_RETURN_DATUM(out);
}

/* ---------------------------------------------------------------- checking */

static const char *severity_name(elig_severity s)
{
  return s == ELIG_SEVERITY_ERROR ? "error" : s == ELIG_SEVERITY_WARNING ? "warning" : "note";
}

/* The diagnostics as rows: file, line, column, severity, code, message, help. */
static void diagnostics_rows(FunctionCallInfo fcinfo, elig_status st, elig_ruleset *rs,
                             elig_diags *d)
{
  InitMaterializedSRF(fcinfo, 0);
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  for (size_t i = 0; d && i < elig_diags_count(d); i++) {
    const elig_error *e = elig_diags_get(d, i);
    Datum values[7];
    bool nulls[7] = {false};
    const char *file = elig_error_file(e);
    const char *help = elig_error_help(e);
    values[0] = file ? CStringGetTextDatum(file) : (Datum)0;
    nulls[0] = !file;
    values[1] = Int32GetDatum((int32)elig_error_line(e));
    values[2] = Int32GetDatum((int32)elig_error_column(e));
    nulls[1] = nulls[2] = elig_error_line(e) == 0;
    values[3] = CStringGetTextDatum(severity_name(elig_error_severity(e)));
    values[4] = CStringGetTextDatum(elig_error_code(e));
    values[5] = CStringGetTextDatum(elig_error_message(e));
    values[6] = help ? CStringGetTextDatum(help) : (Datum)0;
    nulls[6] = !help;
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
  }
  if (st != ELIG_OK && (!d || elig_diags_count(d) == 0)) {
    Datum values[7] = {0,
                       0,
                       0,
                       CStringGetTextDatum("error"),
                       CStringGetTextDatum("-"),
                       CStringGetTextDatum(elig_status_str(st)),
                       0};
    bool nulls[7] = {true, true, true, false, false, false, true};
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
  }
  elig_ruleset_free(rs);
  elig_diags_free(d);
}

/* elig.check(path text) returns setof (file, line, col, severity, code, message, help) */
Datum pgelig_check_file(PG_FUNCTION_ARGS)
{
  char *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
  require_file_access();
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_file(path, NULL, &rs, &d);
  diagnostics_rows(fcinfo, st, rs, d);
  return (Datum)0;
}

/* elig.check(root text, files jsonb) returns the same */
Datum pgelig_check_sources(PG_FUNCTION_ARGS)
{
  char *root = text_to_cstring(PG_GETARG_TEXT_PP(0));
  size_t n;
  elig_source *files = sources_of(PG_GETARG_JSONB_P(1), &n);
  elig_ruleset *rs = NULL;
  elig_diags *d = NULL;
  elig_status st = elig_compile_sources(root, files, n, NULL, &rs, &d);
  diagnostics_rows(fcinfo, st, rs, d);
  return (Datum)0;
}
