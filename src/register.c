/*
 * register.c -- a county's register in one SQLite file: opening it (and refusing what is
 * not one), the schema and rules it keeps, and a context's year before.  The runs of an add
 * and an export are in regrun.c, `elig history` in reghistory.c.  See register.h and elig.h.
 *
 * Tables (REGISTER_VERSION 1; `PRAGMA application_id` marks the file as elig's):
 *   register  one row: the record schema the register holds, its current rule set
 *   rulesets  each rule set ever used: hash, root file; rulefiles: their texts
 *   adds      each add: when, by whom, rules, as_of, inputs, counts
 *   sources   each input file of an add: name, format, CSV header
 *   records   each record ever added, as read (never changed)
 *   results   each result ever computed (never changed): its JSON line as `elig run` writes it,
 *             the rules that decided, what the year after reads (kept), or why rejected
 *   current   per household-year: its current record and result (the only table updated)
 * Records and results are only ever inserted: a correction is a new record, a re-evaluation
 * a new result, and the old ones stay for `elig history`.
 */
#include "config.h"

#define ELIG_BUILDING 1 /* elig_register_open/close/... of elig.h are exported from here */
#include "elig.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "batch.h"
#include "date.h"
#include "diag.h"
#include "hist.h"
#include "i18n.h"
#include "mem.h"
#include "register.h"
#include "ruleset.h"
#include "write.h"

#define REGISTER_APP_ID 0x454c4947 /* "ELIG" */
#define REGISTER_VERSION 1
#define DEFAULT_WAIT_MS 10000

static const char schema_sql[] =
    "CREATE TABLE register(schema TEXT NOT NULL, rules TEXT NOT NULL, created TEXT NOT NULL);\n"
    "CREATE TABLE rulesets(hash TEXT PRIMARY KEY, root TEXT NOT NULL, policy TEXT,"
    " version TEXT) WITHOUT ROWID;\n"
    "CREATE TABLE rulefiles(ruleset TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL,"
    " PRIMARY KEY(ruleset, name)) WITHOUT ROWID;\n"
    "CREATE TABLE adds(id INTEGER PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL,"
    " rules TEXT NOT NULL, as_of TEXT NOT NULL, inputs TEXT NOT NULL, records INTEGER,"
    " rejected INTEGER, added INTEGER, corrected INTEGER, reevaluated INTEGER);\n"
    "CREATE TABLE sources(id INTEGER PRIMARY KEY, add_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " format INTEGER NOT NULL, header TEXT NOT NULL);\n"
    "CREATE TABLE records(id INTEGER PRIMARY KEY, household TEXT NOT NULL, link BLOB NOT NULL,"
    " year INTEGER NOT NULL, source INTEGER NOT NULL, line INTEGER NOT NULL, raw TEXT NOT NULL);\n"
    "CREATE INDEX records_household ON records(household, year);\n"
    "CREATE TABLE results(id INTEGER PRIMARY KEY, record INTEGER NOT NULL,"
    " add_id INTEGER NOT NULL, json TEXT, why TEXT, kept BLOB, rejected TEXT);\n"
    "CREATE INDEX results_record ON results(record);\n"
    "CREATE TABLE current(link BLOB NOT NULL, year INTEGER NOT NULL, record INTEGER NOT NULL,"
    " result INTEGER NOT NULL, PRIMARY KEY(link, year)) WITHOUT ROWID;\n";

/* ---------------------------------------------------------------- errors and statements */

elig_status register_failed(elig_register *reg, elig_status st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reg->error, sizeof reg->error, fmt, ap);
  va_end(ap);
  reg->error_status = st;
  return st;
}

/* What was being done, as a phrase put in "cannot %s" and "(%s)" of the messages below:
 * translated alone, since a sentence for each of the eight with each of the three messages
 * would be two dozen near-copies. */
static const char *doing_text(register_doing doing)
{
  static const char *const texts[] = {
      /* TRANSLATORS: what elig was doing with a register when its database failed, put in
       * "register '%s': cannot %s: %s" and "register '%s' cannot be used (%s): %s"; "it"
       * is the register.  The same for the seven below. */
      [REG_CREATE_TABLES] = N_("create its tables"), [REG_READ] = N_("read it"),
      [REG_READ_RECORDS] = N_("read its records"),   [REG_READ_RULES] = N_("read its rules"),
      [REG_START_ADD] = N_("start an add"),          [REG_STORE_RESULTS] = N_("store the results"),
      [REG_STORE_RULES] = N_("store the rules"),     [REG_WRITE] = N_("write it")};
  return _(texts[doing]);
}

elig_status register_db_failed(elig_register *reg, register_doing doing)
{
  int code = sqlite3_errcode(reg->db);
  const char *why = sqlite3_errmsg(reg->db); /* SQLite's own words, in English */
  switch (code & 0xff) {
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is the register's file, %2$s what was being
                            * done ("read it"), %3$s SQLite's message. */
                           _("register '%s' is damaged or not a database (%s): %s"), reg->path,
                           doing_text(doing), why);
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return register_failed(reg, ELIG_EBUSY,
                           /* TRANSLATORS: %s is the register's file; `elig register add` is a
                            * command. */
                           _("register '%s' is being changed by another process (an `elig "
                             "register add`?): try again once it is done"),
                           reg->path);
  case SQLITE_NOMEM: return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  case SQLITE_READONLY:
    if (!reg->writable)
      return register_failed(reg, ELIG_EREGISTER,
                             /* TRANSLATORS: %1$s is the register's file, %2$s SQLite's message;
                              * WAL, -shm and -wal are SQLite's names. */
                             _("register '%s' cannot be read: %s (a register is in WAL mode: "
                               "whoever reads it needs to write its folder, for its -shm and "
                               "-wal files)"),
                             reg->path, why);
    return register_failed(reg, ELIG_EIO,
                           /* TRANSLATORS: %1$s is the register's file, %2$s what was being
                            * done ("read it"), %3$s SQLite's message. */
                           _("register '%s': cannot %s: %s"), reg->path, doing_text(doing), why);
  case SQLITE_FULL:
  case SQLITE_IOERR:
  case SQLITE_CANTOPEN:
    return register_failed(reg, ELIG_EIO, _("register '%s': cannot %s: %s"), reg->path,
                           doing_text(doing), why);
  default:
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is the register's file, %2$s what was being
                            * done ("read it"), %3$s SQLite's message. */
                           _("register '%s' cannot be used (%s): %s"), reg->path, doing_text(doing),
                           why);
  }
}

bool register_exec(elig_register *reg, const char *sql)
{
  return sqlite3_exec(reg->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

sqlite3_stmt *register_prepare(elig_register *reg, const char *sql)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

/* A column's text, "" for NULL. */
const char *register_col_text(sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

/* ---------------------------------------------------------------- opening */

int64_t register_pragma_int(elig_register *reg, const char *sql, bool *ok)
{
  sqlite3_stmt *st = register_prepare(reg, sql);
  int64_t v = 0;
  *ok = st && sqlite3_step(st) == SQLITE_ROW;
  if (*ok)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static elig_status create_tables(elig_register *reg)
{
  char sql[128];
  if (!register_exec(reg, "PRAGMA journal_mode=WAL") || !register_exec(reg, "BEGIN IMMEDIATE"))
    return register_db_failed(reg, REG_CREATE_TABLES);
  snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d", REGISTER_APP_ID,
           REGISTER_VERSION);
  /* a second process creating the same file at the same time waited on BEGIN: look again */
  bool ok;
  if (register_pragma_int(reg, "PRAGMA application_id", &ok) == REGISTER_APP_ID && ok)
    return register_exec(reg, "COMMIT") ? ELIG_OK : register_db_failed(reg, REG_CREATE_TABLES);
  if (!register_exec(reg, schema_sql) || !register_exec(reg, sql) ||
      !register_exec(reg, "COMMIT")) {
    elig_status s = register_db_failed(reg, REG_CREATE_TABLES);
    register_exec(reg, "ROLLBACK");
    return s;
  }
  return ELIG_OK;
}

/* The tables this elig reads, with the columns it reads: a file that has them is used. */
static bool tables_present(elig_register *reg)
{
  static const char *const probes[] = {
      "SELECT schema, rules, created FROM register",
      "SELECT hash, root, policy, version FROM rulesets",
      "SELECT ruleset, name, text FROM rulefiles",
      ("SELECT id, at, by, rules, as_of, inputs, records, rejected, added, corrected,"
       " reevaluated FROM adds"),
      "SELECT id, add_id, name, format, header FROM sources",
      "SELECT id, household, link, year, source, line, raw FROM records",
      "SELECT id, record, add_id, json, why, kept, rejected FROM results",
      "SELECT link, year, record, result FROM current",
  };
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    sqlite3_stmt *st = register_prepare(reg, probes[i]);
    if (!st)
      return false;
    sqlite3_finalize(st);
  }
  return true;
}

static elig_status check_file(elig_register *reg)
{
  bool ok;
  int64_t app = register_pragma_int(reg, "PRAGMA application_id", &ok);
  if (!ok)
    return register_db_failed(reg, REG_READ);
  int64_t version = register_pragma_int(reg, "PRAGMA user_version", &ok);
  int64_t tables = ok ? register_pragma_int(reg, "SELECT count(*) FROM sqlite_master", &ok) : 0;
  if (!ok)
    return register_db_failed(reg, REG_READ);
  if (app == 0 && version == 0 && tables == 0) {
    if (!reg->writable)
      return register_failed(reg, ELIG_EREGISTER,
                             /* TRANSLATORS: %s is a file given as a register;
                              * `elig register add` is a command. */
                             _("'%s' is an empty file, not a register yet: `elig register add` "
                               "makes one"),
                             reg->path);
    return create_tables(reg);
  }
  if (app != REGISTER_APP_ID)
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is a file given as a register, %2$lld the
                            * SQLite application id it has. */
                           _("'%s' is a database but not an elig register (application id "
                             "%lld); nothing was changed"),
                           reg->path, (long long)app);
  if (version > REGISTER_VERSION)
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is the register's file, %2$lld its format's
                            * version, %3$s this elig's version ("0.2.0"), %4$d the newest
                            * format it reads. */
                           _("register '%s' was written by a newer elig (register version "
                             "%lld; this elig %s reads version %d and older); nothing was "
                             "changed"),
                           reg->path, (long long)version, elig_version(), REGISTER_VERSION);
  if (version < 1 || !tables_present(reg))
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is the register's file, %2$lld its format's
                            * version. */
                           _("register '%s' is damaged: its tables are not those of an elig "
                             "register (version %lld); nothing was changed"),
                           reg->path, (long long)version);
  return ELIG_OK;
}

elig_status elig_register_open(const char *path, bool writable, elig_register **out)
{
  if (!out)
    return ELIG_EINVAL;
  *out = NULL;
  if (!path)
    return ELIG_EINVAL;
  elig_register *reg = mem_calloc(1, sizeof *reg);
  if (!reg)
    return ELIG_ENOMEM;
  *out = reg;
  reg->writable = writable;
  size_t n = strlen(path) + 1;
  if (!(reg->path = mem_alloc(n)))
    return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  memcpy(reg->path, path, n);
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  int rc = sqlite3_open_v2(path, &reg->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    return register_failed(reg, rc == SQLITE_NOMEM ? ELIG_ENOMEM : ELIG_EIO,
                           /* TRANSLATORS: %1$s is the register's file, %2$s SQLite's message. */
                           _("cannot open register '%s': %s"), path,
                           reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc));
  sqlite3_busy_timeout(reg->db, DEFAULT_WAIT_MS);
  /* an add inserts into three indexes in the order of the input, not theirs: with SQLite's
   * 2 MiB default cache every insert of a large add reads and writes pages again (1M
   * household-years, see doc/performance.md) */
  register_exec(reg, "PRAGMA cache_size = -65536");
  sqlite3_extended_result_codes(reg->db, 1);
  /* a register is one county's data: no extension, no trigger or view of someone else's
   * runs in it */
  sqlite3_db_config(reg->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
  sqlite3_db_config(reg->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
  sqlite3_db_config(reg->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config(reg->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  return check_file(reg);
}

const char *elig_register_error(const elig_register *reg)
{
  return reg ? reg->error : "";
}

void elig_register_set_wait(elig_register *reg, unsigned ms)
{
  if (reg && reg->db)
    sqlite3_busy_timeout(reg->db, (int)(ms > 3600000 ? 3600000 : ms));
}

void elig_register_close(elig_register *reg)
{
  if (!reg)
    return;
  sqlite3_finalize(reg->previous);
  sqlite3_finalize(reg->data_version);
  sqlite3_close(reg->db);
  wbuf_free(&reg->previous_link);
  wbuf_free(&reg->previous_kept);
  mem_free(reg->path);
  mem_free(reg);
}

/* ---------------------------------------------------------------- the schema and the rules */

/* The record schema as lines "field NAME TYPE required|optional" and "key NAME": what the
 * stored records were read against.  Two rule sets may share a register when these match. */
void register_schema_text(const elig_program *P, wbuf *out)
{
  char type[128];
  for (uint32_t r = 0; r < P->nrecords; r++) {
    const prog_record *rec = &P->records[r];
    for (uint32_t f = 0; f < rec->nfields; f++)
      wbuf_printf(out, "field %s.%s: %s%s\n", rec->name, rec->fields[f].name,
                  ty_name(rec->fields[f].type, type, sizeof type),
                  rec->fields[f].required ? ", required" : "");
  }
  const prog_record *rec = prog_main_record(P);
  for (uint32_t k = 0; k < P->nkeys; k++)
    wbuf_printf(out, "key %s\n", rec->fields[P->key_fields[k]].name);
  if (P->order_field != PROG_NONE)
    wbuf_printf(out, "per %s\n", rec->fields[P->order_field].name);
}

/* The first line of `a` that `b` lacks, into buf. */
static bool first_missing(const char *a, const char *b, char *buf, size_t size)
{
  for (const char *p = a; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    bool found = false;
    for (const char *q = b; *q && !found;) {
      const char *f = strchr(q, '\n');
      size_t m = f ? (size_t)(f - q) : strlen(q);
      found = m == n && memcmp(p, q, n) == 0;
      q += m + (f != NULL);
    }
    if (!found) {
      snprintf(buf, size, "%.*s", (int)(n < 200 ? n : 200), p);
      return true;
    }
    p += n + (e != NULL);
  }
  return false;
}

elig_status register_schema_differs(elig_register *reg, const char *stored, const char *given)
{
  char a[256] = "", b[256] = "";
  bool lost = first_missing(stored, given, a, sizeof a);
  bool gained = first_missing(given, stored, b, sizeof b);
  if (lost && gained)
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: %1$s is the register's file; a schema is the fields
                            * of its records, each as the register keeps it ("field
                            * household.size: int"); %2$s is one only the register has, %3$s
                            * one only the rules have. */
                           _("register '%s' holds records of another schema than these rules "
                             "read: its '%s' is not in the rules, and the rules' '%s' is not in "
                             "the register; nothing was changed (a register keeps one schema: "
                             "start a new one for these rules)"),
                           reg->path, a, b);
  if (lost)
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: as above, with only %2$s, one only the register has. */
                           _("register '%s' holds records of another schema than these rules "
                             "read: its '%s' is not in the rules; nothing was changed (a "
                             "register keeps one schema: start a new one for these rules)"),
                           reg->path, a);
  if (gained)
    return register_failed(reg, ELIG_EREGISTER,
                           /* TRANSLATORS: as above, with only %2$s, one only the rules have. */
                           _("register '%s' holds records of another schema than these rules "
                             "read: the rules' '%s' is not in the register; nothing was changed "
                             "(a register keeps one schema: start a new one for these rules)"),
                           reg->path, b);
  return register_failed(reg, ELIG_EREGISTER,
                         /* TRANSLATORS: as above, the difference not said. */
                         _("register '%s' holds records of another schema than these rules "
                           "read; nothing was changed (a register keeps one schema: start a new "
                           "one for these rules)"),
                         reg->path);
}

void register_row_fini(register_row *r)
{
  mem_free(r->schema);
  mem_free(r->rules);
}

elig_status register_read_row(elig_register *reg, register_row *row)
{
  memset(row, 0, sizeof *row);
  sqlite3_stmt *st = register_prepare(reg, "SELECT schema, rules FROM register LIMIT 1");
  if (!st)
    return register_db_failed(reg, REG_READ);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    row->schema = mem_strdup(register_col_text(st, 0));
    row->rules = mem_strdup(register_col_text(st, 1));
    if (!row->schema || !row->rules) {
      sqlite3_finalize(st);
      register_row_fini(row);
      return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return register_db_failed(reg, REG_READ);
  return ELIG_OK;
}

/* Keeps the rule set's files, so that an export can compile the rules again. */
elig_status register_store_rules(elig_register *reg, const elig_program *P)
{
  sqlite3_stmt *rs = register_prepare(reg, "INSERT OR IGNORE INTO rulesets VALUES(?,?,?,?)");
  sqlite3_stmt *f = register_prepare(reg, "INSERT OR IGNORE INTO rulefiles VALUES(?,?,?)");
  bool ok = rs && f;
  if (ok) {
    sqlite3_bind_text(rs, 1, P->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(rs, 2, src_file_name(P->srcs, 0), -1, SQLITE_STATIC);
    sqlite3_bind_text(rs, 3, P->policy ? P->policy : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(rs, 4, P->version ? P->version : "", -1, SQLITE_STATIC);
    ok = sqlite3_step(rs) == SQLITE_DONE;
  }
  for (uint32_t i = 0; ok && i < src_set_count(P->srcs); i++) {
    uint32_t len = 0;
    const char *text = src_text(P->srcs, i, &len);
    sqlite3_reset(f);
    sqlite3_bind_text(f, 1, P->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(f, 2, src_file_name(P->srcs, i), -1, SQLITE_STATIC);
    sqlite3_bind_text(f, 3, text, (int)len, SQLITE_STATIC);
    ok = sqlite3_step(f) == SQLITE_DONE;
  }
  sqlite3_finalize(rs);
  sqlite3_finalize(f);
  return ok ? ELIG_OK : register_db_failed(reg, REG_STORE_RULES);
}

/* The register's current rules, compiled again from the files it keeps. */
elig_status register_stored_rules(elig_register *reg, const char *hash, elig_ruleset **out)
{
  *out = NULL;
  sqlite3_stmt *root = register_prepare(reg, "SELECT root FROM rulesets WHERE hash = ?");
  sqlite3_stmt *files = register_prepare(reg, "SELECT name, text FROM rulefiles WHERE ruleset = ?");
  src_set *set = src_set_new();
  char *root_name = NULL;
  elig_status s = ELIG_OK;
  if (!root || !files || !set) {
    s = set ? register_db_failed(reg, REG_READ_RULES)
            : register_failed(reg, ELIG_ENOMEM, _("out of memory"));
    goto done;
  }
  sqlite3_bind_text(root, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(files, 1, hash, -1, SQLITE_STATIC);
  if (sqlite3_step(root) != SQLITE_ROW || !(root_name = mem_strdup(register_col_text(root, 0)))) {
    s = register_failed(reg, ELIG_EREGISTER,
                        /* TRANSLATORS: %1$s is the register's file, %2$s the rules' identifier
                         * (a hash). */
                        _("register '%s' is damaged: its rules %s are not kept in it"), reg->path,
                        hash);
    goto done;
  }
  int rc;
  while ((rc = sqlite3_step(files)) == SQLITE_ROW) {
    uint32_t id;
    const char *text = (const char *)sqlite3_column_blob(files, 1);
    int len = sqlite3_column_bytes(files, 1);
    int added =
        src_set_add_string(set, register_col_text(files, 0), text ? text : "", (size_t)len, &id);
    if (added == SRC_ENOMEM) {
      s = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
      goto done;
    }
    if (added != SRC_OK) {
      s = register_failed(reg, ELIG_EREGISTER,
                          /* TRANSLATORS: %s is the register's file. */
                          _("register '%s': a rule file it keeps cannot be read"), reg->path);
      goto done;
    }
  }
  if (rc != SQLITE_DONE) {
    s = register_db_failed(reg, REG_READ_RULES);
    goto done;
  }
  s = api_compile_stored(root_name, set, out);
  if (s == ELIG_OK && strcmp((*out)->P->hash, hash) != 0) {
    elig_ruleset_free(*out);
    *out = NULL;
    s = ELIG_EREGISTER;
  }
  if (s != ELIG_OK && s != ELIG_ENOMEM)
    s = register_failed(reg, ELIG_EREGISTER,
                        /* TRANSLATORS: %1$s is the register's file, %2$s the rules' identifier
                         * (a hash). */
                        _("register '%s' is damaged: the rules it keeps (%s) do not compile to "
                          "them again"),
                        reg->path, hash);
done:
  sqlite3_finalize(root);
  sqlite3_finalize(files);
  src_set_free(set);
  mem_free(root_name);
  return s;
}

/* ---------------------------------------------------------------- a context's year before */

const void *register_previous(elig_register *reg, const elig_program *P, const char *link,
                              size_t link_len, int64_t year, size_t *len)
{
  *len = 0;
  /* another process's add is seen through data_version: the rules are checked again */
  if (!reg->data_version)
    reg->data_version = register_prepare(reg, "PRAGMA data_version");
  int64_t version = -1;
  if (reg->data_version && sqlite3_step(reg->data_version) == SQLITE_ROW)
    version = sqlite3_column_int64(reg->data_version, 0);
  sqlite3_reset(reg->data_version);
  if (version != reg->seen_version) {
    reg->seen_version = version;
    reg->previous_for = NULL;
  }
  if (reg->previous_for != P) {
    register_row row;
    reg->previous_for = P;
    reg->previous_ok =
        register_read_row(reg, &row) == ELIG_OK && row.rules && strcmp(row.rules, P->hash) == 0;
    register_row_fini(&row);
    sqlite3_finalize(reg->previous);
    reg->previous = reg->previous_ok
                        ? register_prepare(reg, "SELECT res.kept FROM current c"
                                                " JOIN results res ON res.id = c.result"
                                                " WHERE c.link = ? AND c.year = ?")
                        : NULL;
  }
  if (!reg->previous)
    return NULL;
  sqlite3_reset(reg->previous);
  sqlite3_bind_blob(reg->previous, 1, link, (int)link_len, SQLITE_STATIC);
  sqlite3_bind_int64(reg->previous, 2, year);
  if (sqlite3_step(reg->previous) != SQLITE_ROW)
    return NULL;
  const char *kept = sqlite3_column_blob(reg->previous, 0);
  size_t n = (size_t)sqlite3_column_bytes(reg->previous, 0);
  if (sqlite3_column_type(reg->previous, 0) == SQLITE_NULL || !vm_kept_valid(P, n ? kept : "", n))
    return NULL;
  reg->previous_kept.len = 0;
  wbuf_put(&reg->previous_kept, n ? kept : "", n);
  sqlite3_reset(reg->previous);
  if (reg->previous_kept.failed) {
    wbuf_free(&reg->previous_kept);
    return NULL;
  }
  *len = n;
  return reg->previous_kept.p ? reg->previous_kept.p : "";
}

bool register_stale(const elig_register *reg)
{
  return reg->previous_for && !reg->previous_ok;
}

elig_status elig_register_check_rules(elig_register *reg, const elig_ruleset *rs)
{
  if (!reg || !rs)
    return ELIG_EINVAL;
  register_row row;
  elig_status s = register_read_row(reg, &row);
  if (s != ELIG_OK)
    return s;
  wbuf schema = {0};
  register_schema_text(rs->P, &schema);
  if (!wbuf_text(&schema))
    s = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  else if (!row.rules)
    /* TRANSLATORS: %s is the register's file. */
    s = register_failed(reg, ELIG_EREGISTER, _("register '%s' holds no records yet"), reg->path);
  else if (strcmp(row.schema, schema.p) != 0)
    s = register_schema_differs(reg, row.schema, schema.p);
  else if (strcmp(row.rules, rs->P->hash) != 0)
    s = register_failed(reg, ELIG_EREGISTER,
                        /* TRANSLATORS: %1$s is the register's file, %2$.19s and %3$.19s the
                         * identifiers of two rule sets; `elig register add` is a command. */
                        _("register '%s' was last evaluated with other rules (%.19s); these are "
                          "%.19s: run `elig register add` with them first, so that the years "
                          "before are theirs"),
                        reg->path, row.rules, rs->P->hash);
  register_row_fini(&row);
  wbuf_free(&schema);
  return s;
}
