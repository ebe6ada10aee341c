/*
 * register.h -- a county's register: every household-year's records and results in one
 * SQLite file, with who added each, when, from which file and under which rules (elig.h's
 * elig_register_*; doc/register.md describes the tables).
 *
 * Place in the pipeline: beside batch.c, which it drives.  An add is one batch run over the
 * new records (batch_hooks): the register sees each record read, adds after them the stored
 * records of the same households that must be evaluated again (the years from the earliest
 * new one on), gives each household's first year what its stored year before kept, and takes
 * the results to store them, in one transaction.  An export is a batch over the current
 * records with the register's own rules; a context given a register (a service) reads the
 * year before of each record it evaluates from it.
 */
#ifndef ELIG_REGISTER_H
#define ELIG_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "elig.h"
#include "program.h"
#include "wbuf.h"

struct elig_register {
  sqlite3 *db;
  char *path;
  bool writable;
  char error[1024];         /* said for people, in their language */
  elig_status error_status; /* the status that went with it, for the code to test */
  /* register_previous's */
  sqlite3_stmt *previous;
  wbuf previous_link, previous_kept;
  const elig_program *previous_for; /* the rules checked against the register's */
  bool previous_ok;
  sqlite3_stmt *data_version; /* PRAGMA data_version: has another process written? */
  int64_t seen_version;
};

/* Says why reg's last call failed (elig_register_error; fmt in the reader's language) and
 * returns st, which reg->error_status keeps. */
elig_status register_failed(elig_register *reg, elig_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a register was being used for when SQLite failed: said in the message. */
typedef enum {
  REG_CREATE_TABLES,
  REG_READ,
  REG_READ_RECORDS,
  REG_READ_RULES,
  REG_START_ADD,
  REG_STORE_RESULTS,
  REG_STORE_RULES,
  REG_WRITE
} register_doing;

/* The same for a failure of SQLite, said for people: a damaged file, a full disk. */
elig_status register_db_failed(elig_register *reg, register_doing doing);

/* What register.c gives regrun.c (the runs of an add and an export). */
bool register_exec(elig_register *reg, const char *sql);
/* A prepared statement, or NULL (sqlite3_errmsg says why). */
sqlite3_stmt *register_prepare(elig_register *reg, const char *sql);
/* A column's text, "" for NULL. */
const char *register_col_text(sqlite3_stmt *st, int i);
/* The integer of the first column of the first row of sql; *ok false when there is none. */
int64_t register_pragma_int(elig_register *reg, const char *sql, bool *ok);

/* The register's row: its schema and current rules (NULL texts when it has none yet). */
typedef struct {
  char *schema, *rules;
} register_row;
elig_status register_read_row(elig_register *reg, register_row *row);
void register_row_fini(register_row *r);

/* The record schema of P as the register keeps it; the failure of a register whose schema
 * (`stored`) is not the rules' (`given`). */
void register_schema_text(const elig_program *P, wbuf *out);
elig_status register_schema_differs(elig_register *reg, const char *stored, const char *given);

/* Keeps P's rule files in the register; compiles those of the rules `hash` again. */
elig_status register_store_rules(elig_register *reg, const elig_program *P);
elig_status register_stored_rules(elig_register *reg, const char *hash, elig_ruleset **out);

/* What the register keeps for the household whose link (hist_link) is given, for `year`
 * (its current result's vm_remember bytes), checked against P, or NULL (*len 0) when it holds
 * no accepted record of that year.  For a context's evaluation (api.c); one thread at a
 * time per register.  The bytes stay valid until the next call. */
/* Whether the last register_previous found the register evaluated with other rules than
 * P's (an add with other rules since): its years before are not these rules'. */
bool register_stale(const elig_register *reg);

const void *register_previous(elig_register *reg, const elig_program *P, const char *link,
                              size_t link_len, int64_t year, size_t *len);

#endif
