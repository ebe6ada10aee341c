/*
 * fuzz_register.c -- a register database file through the public API, as `elig register
 * export`, `elig history`, a context reading the years before (elig_ctx_set_register) and
 * `elig register add` take it.  A register is a file that is copied, handed over, restored
 * from old backups and damaged: SQLite reads its pages, and then elig's own code reads its
 * rows, which may hold any type in any column, NULLs, ids that lead nowhere, stored rules
 * that no longer compile and kept bytes cut short.
 *
 * At start the harness makes a small valid register through the public API: 8 households of
 * the sample over 3 years in 4 adds (CSV, then JSON Lines with a correction in CSV, then the
 * Yunnan rules and the national ones again, each evaluating every household again), and
 * keeps its bytes as a template.  The input's first byte chooses the file (its low 4 bits)
 * and how the export runs (its high bits):
 *   0       mode A: the rest of the input is the file, as is
 *   1, 2    mode C: the template with the rest of the input written over it, a patch at a
 *           time (3 bytes of offset, a length, the bytes): damaged pages
 *   3..15   mode B: the template changed through SQLite by the operations the rest of the
 *           input encodes (see mutate): a value of any type in any column of any row, rows
 *           deleted or copied, the file's marks, statements that change many rows at once;
 *           its second byte and those after give a household to look up first
 * Then the file is opened read-only and exported (CSV or JSON, every year or one stored
 * year, in memory or spilled), the history of three of its households and of the fuzzed one
 * read (text and JSON), a context evaluates a record reading its year before from it, and
 * it is opened again to add a few records.  Every call must return a status: a crash, a
 * leak, undefined behaviour or a hang is a bug, and so are an ELIG_EREGISTER without a
 * reason, an output that is not whole lines, a history that is not JSON, an export whose
 * results and rejections do not add up to its records, and an add that succeeds without
 * reading its records or storing its new household.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elig.h>

#include "fuzz.h"

#define MAX_OPS 24       /* mutations per input: enough to combine, few enough to stay fast */
#define MAX_HOUSEHOLD 48 /* the fuzzed household's length */

static elig_ruleset *national, *yunnan;
static uint8_t *template;
static size_t template_len;
static char *dir, *db_path;

/* ---------------------------------------------------------------- small helpers */

typedef struct {
  char *p;
  size_t len, cap;
} buf;

static void buf_put(buf *b, const void *p, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *q = realloc(b->p, cap);
    if (!q)
      abort();
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s)
{
  buf_put(b, s, strlen(s));
}

static buf read_whole(const char *path)
{
  buf b = {0};
  FILE *f = fopen(path, "rb");
  if (!f)
    abort();
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_put(&b, chunk, n);
  fclose(f);
  return b;
}

/* A path in the harness's own folder, one per process (-fork and -jobs run several). */
static char *path_in_dir(const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p)
    abort();
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static void unlink_side_files(void)
{
  static const char *const sides[] = {"-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
    buf b = {0};
    buf_puts(&b, db_path);
    buf_puts(&b, sides[i]);
    unlink(b.p);
    free(b.p);
  }
}

/* The register file is these bytes, and nothing of the last input is left beside it. */
static void write_db(const uint8_t *p, size_t n)
{
  unlink(db_path);
  unlink_side_files();
  int fd = open(db_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    abort();
  for (size_t done = 0; done < n;) {
    ssize_t w = write(fd, p + done, n - done);
    if (w <= 0)
      abort();
    done += (size_t)w;
  }
  close(fd);
}

static void cleanup(void)
{
  unlink(db_path);
  unlink_side_files();
  rmdir(dir);
}

/* ---------------------------------------------------------------- inputs and outputs */

typedef struct {
  const char *p;
  size_t left;
} text_reader;

static ptrdiff_t read_text(void *arg, void *out, size_t size)
{
  text_reader *r = arg;
  size_t n = size < r->left ? size : r->left;
  memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
  return (ptrdiff_t)n;
}

typedef struct {
  uint64_t bytes;
  uint64_t json_results; /* JSON result lines, aggregates aside */
} sink;

static bool sink_write(void *arg, elig_stream stream, const char *data, size_t len)
{
  sink *s = arg;
  if (len == 0 || data[len - 1] != '\n')
    abort(); /* every stream is whole lines */
  s->bytes += len;
  if (stream != ELIG_STREAM_RESULTS)
    return true;
  for (const char *line = data, *end = data + len; line < end;) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    s->json_results += line[0] == '{' && strncmp(line, "{\"aggregate\":", 13) != 0;
    line = nl + 1;
  }
  return true;
}

/* A failure of a register call must say why (elig.h: elig_register_error). */
static void expect_reason(const elig_register *reg, elig_status st)
{
  if ((st == ELIG_EREGISTER || st == ELIG_EBUSY) && (!reg || !elig_register_error(reg)[0]))
    abort();
}

/* ---------------------------------------------------------------- a JSON checker */

/* Whether [*p, end) starts with one JSON value; moves *p past it.  The history's nesting is
 * a few levels deep, so a depth bound keeps this recursion small. */
static bool json_value(const char **p, const char *end, int depth);

static void json_space(const char **p, const char *end)
{
  while (*p < end && (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r'))
    (*p)++;
}

static bool json_string(const char **p, const char *end)
{
  if (*p >= end || **p != '"')
    return false;
  for ((*p)++; *p < end; (*p)++) {
    unsigned char c = (unsigned char)**p;
    if (c == '"') {
      (*p)++;
      return true;
    }
    if (c < 0x20)
      return false;
    if (c == '\\') {
      if (++*p >= end || !strchr("\"\\/bfnrtu", **p))
        return false;
      if (**p == 'u')
        for (int i = 0; i < 4; i++)
          if (++*p >= end || !strchr("0123456789abcdefABCDEF", **p))
            return false;
    }
  }
  return false;
}

static bool json_items(const char **p, const char *end, int depth, char close, bool keys)
{
  (*p)++;
  json_space(p, end);
  if (*p < end && **p == close) {
    (*p)++;
    return true;
  }
  for (;;) {
    if (keys) {
      if (!json_string(p, end))
        return false;
      json_space(p, end);
      if (*p >= end || **p != ':')
        return false;
      (*p)++;
    }
    if (!json_value(p, end, depth + 1))
      return false;
    json_space(p, end);
    if (*p < end && **p == close) {
      (*p)++;
      return true;
    }
    if (*p >= end || **p != ',')
      return false;
    (*p)++;
    json_space(p, end);
  }
}

static bool json_value(const char **p, const char *end, int depth)
{
  json_space(p, end);
  if (*p >= end || depth > 32)
    return false;
  switch (**p) {
  case '{': return json_items(p, end, depth, '}', true);
  case '[': return json_items(p, end, depth, ']', false);
  case '"': return json_string(p, end);
  default: break;
  }
  static const char *const words[] = {"true", "false", "null"};
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(end - *p) >= n && memcmp(*p, words[i], n) == 0) {
      *p += n;
      return true;
    }
  }
  const char *start = *p;
  while (*p < end && strchr("0123456789+-.eE", **p))
    (*p)++;
  return *p > start;
}

static bool is_json_line(const char *text)
{
  const char *p = text, *end = text + strlen(text);
  return json_value(&p, end, 0) && p + 1 == end && *p == '\n';
}

/* ---------------------------------------------------------------- the template */

/* 8 households of the sample, over its three years: a mix of statuses and flags. */
static const char *const households[] = {
    "411623101201-001", "411623101201-013", "411623101201-014", "411623101201-019",
    "411623101201-020", "411623101201-067", "411623101203-023", "530621101203-047",
};

static bool chosen_line(const char *line, size_t n, bool json)
{
  for (size_t i = 0; i < sizeof households / sizeof households[0]; i++) {
    const char *id = households[i];
    size_t k = strlen(id);
    if (json ? n > k + 10 && memcmp(line, "{\"hh_id\":\"", 10) == 0 &&
                   memcmp(line + 10, id, k) == 0 && line[10 + k] == '"'
             : n > k && memcmp(line, id, k) == 0 && line[k] == ',')
      return true;
  }
  return false;
}

/* The lines of the sample file of the chosen households, of 2021 or not, after its header
 * when it is CSV. */
static buf sample_lines(const char *rel, bool json, bool of_2021)
{
  buf all = read_whole(fuzz_source_path(rel)), out = {0};
  for (char *line = all.p; line && *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
    bool is_2021 = memmem(line, n, json ? "\"year\":2021" : ",2021,", json ? 11 : 6) != NULL;
    if ((line == all.p && !json) || (chosen_line(line, n, json) && is_2021 == of_2021))
      buf_put(&out, line, n);
    line = nl ? nl + 1 : NULL;
  }
  free(all.p);
  return out;
}

static elig_input input_of(const char *name, elig_input_format fmt, text_reader *r)
{
  return (elig_input){.name = name, .format = fmt, .arg = r, .read = read_text};
}

static void add_or_die(const elig_ruleset *rs, const char *by, const elig_input *in, size_t n)
{
  elig_register *reg;
  elig_status st = elig_register_open(db_path, true, &reg);
  elig_register_add_options o = ELIG_REGISTER_ADD_OPTIONS_INIT;
  o.by = by;
  o.as_of = "2021-06-30";
  o.threads = 1;
  sink s = {0};
  elig_batch_io io = {.write = sink_write, .arg = &s};
  if (st == ELIG_OK)
    st = elig_register_add(reg, rs, &o, in, n, &io, NULL);
  if (st != ELIG_OK) {
    fprintf(stderr, "fuzz_register: cannot make the template: %s\n", elig_register_error(reg));
    abort();
  }
  elig_register_close(reg);
}

/* A correction of household 001's 2020 record: a tenth of its income. */
static const char correction[] =
    "hh_id,head_id,village_code,year,size,net_income,medical_expense,education_expense,"
    "disaster_loss,food_secure,clothing_secure,water_safe,dropout_children,uninsured_members,"
    "housing_grade,labor_members,registered_poor,exited_year,dibao\n"
    "411623101201-001,411623196704071715,411623101201,2020,5,20225.85,961.10,5159.15,1080.47,"
    "1,1,1,0,0,A,3,0,,0\n";

static void make_template(void)
{
  buf early = sample_lines("data/sample.csv", false, false);
  buf later = sample_lines("data/sample.jsonl", true, true);
  text_reader r1 = {early.p, early.len}, r2 = {later.p, later.len},
              r3 = {correction, sizeof correction - 1}, none = {"", 0};
  elig_input first = input_of("villages-2019-2020.csv", ELIG_INPUT_CSV, &r1);
  elig_input second[] = {input_of("county-2021.jsonl", ELIG_INPUT_JSONL, &r2),
                         input_of("fix.csv", ELIG_INPUT_CSV, &r3)};
  elig_input empty = input_of("empty.csv", ELIG_INPUT_CSV, &none);
  add_or_die(national, "clerk-a", &first, 1);
  add_or_die(national, "clerk-b", second, 2);
  add_or_die(yunnan, "province", &empty, 1);
  none = (text_reader){"", 0};
  add_or_die(national, "county", &empty, 1);
  free(early.p);
  free(later.p);
  buf t = read_whole(db_path);
  template = (uint8_t *)t.p;
  template_len = t.len;
}

static void setup(void)
{
  if (elig_compile_file(fuzz_source_path("rules/national.rules"), NULL, &national, NULL) !=
          ELIG_OK ||
      elig_compile_file(fuzz_source_path("rules/provinces/yunnan.rules"), NULL, &yunnan, NULL) !=
          ELIG_OK)
    abort();
  const char *tmp = getenv("TMPDIR");
  buf d = {0};
  buf_puts(&d, tmp && *tmp ? tmp : "/tmp");
  buf_puts(&d, "/fuzz_register.XXXXXX");
  if (!mkdtemp(d.p))
    abort();
  dir = d.p;
  db_path = path_in_dir("register.db");
  atexit(cleanup);
  make_template();
}

/* ---------------------------------------------------------------- mode B: mutations */

typedef struct {
  const uint8_t *p;
  size_t left;
} bytes;

static uint8_t take(bytes *b)
{
  if (!b->left)
    return 0;
  b->left--;
  return *b->p++;
}

static uint64_t take_u64(bytes *b, int n)
{
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v = v << 8 | take(b);
  return v;
}

/* Up to 255 bytes of the input as a value. */
static const uint8_t *take_run(bytes *b, size_t *n)
{
  *n = take(b);
  if (*n > b->left)
    *n = b->left;
  const uint8_t *p = b->p;
  b->p += *n;
  b->left -= *n;
  return p;
}

/* The tables and columns elig reads (register.c), each with what picks one row. */
typedef struct {
  const char *name, *key;
  const char *cols[12];
} table;

static const table tables[] = {
    {"register", "rowid", {"schema", "rules", "created"}},
    {"rulesets", "hash", {"hash", "root", "policy", "version"}},
    {"rulefiles", "ruleset, name", {"ruleset", "name", "text"}},
    {"adds",
     "id",
     {"id", "at", "by", "rules", "as_of", "inputs", "records", "rejected", "added", "corrected",
      "reevaluated"}},
    {"sources", "id", {"id", "add_id", "name", "format", "header"}},
    {"records", "id", {"id", "household", "link", "year", "source", "line", "raw"}},
    {"results", "id", {"id", "record", "add_id", "json", "why", "kept", "rejected"}},
    {"current", "link, year", {"link", "year", "record", "result"}},
};
#define NTABLES (sizeof tables / sizeof tables[0])

static size_t ncols(const table *t)
{
  size_t n = 0;
  while (n < sizeof t->cols / sizeof t->cols[0] && t->cols[n])
    n++;
  return n;
}

/* "WHERE (key) IN (one row)": the row is the ?2-th, modulo the table's rows. */
static void where_row(char *sql, size_t size, const table *t)
{
  size_t n = strlen(sql);
  snprintf(sql + n, size - n,
           " WHERE (%s) IN (SELECT %s FROM %s LIMIT 1 OFFSET"
           " ?2 %% max(1, (SELECT count(*) FROM %s)))",
           t->key, t->key, t->name, t->name);
}

/* Integers at the edges: of SQLite's and C's types, of years, of ids. */
static int64_t edge_integer(uint8_t i)
{
  static const int64_t edges[] = {
      0,    1,    -1,   2,    INT64_MIN, INT64_MAX, INT32_MAX, INT32_MIN, UINT32_MAX, 1LL << 53,
      2013, 2018, 2019, 2020, 2021,      2022,      2036,      1LL << 28, 255,        65536};
  return edges[i % (sizeof edges / sizeof edges[0])];
}

/* Binds ?1 to a value the input chooses. */
static void bind_value(sqlite3_stmt *st, uint8_t kind, bytes *b)
{
  size_t n;
  const uint8_t *p;
  switch (kind % 6) {
  case 0:
    p = take_run(b, &n);
    sqlite3_bind_text(st, 1, (const char *)p, (int)n, SQLITE_TRANSIENT);
    break;
  case 1:
    p = take_run(b, &n);
    sqlite3_bind_blob(st, 1, p, (int)n, SQLITE_TRANSIENT);
    break;
  case 2: sqlite3_bind_int64(st, 1, (int64_t)take_u64(b, 8)); break;
  case 3: sqlite3_bind_int64(st, 1, edge_integer(take(b))); break;
  case 4: sqlite3_bind_null(st, 1); break;
  default: sqlite3_bind_int64(st, 1, (int8_t)take(b)); break; /* a small one, maybe negative */
  }
}

static void run_statement(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
  *out = NULL;
  sqlite3_prepare_v2(db, sql, -1, out, NULL);
}

/* One row's column: a new value, a piece of its text replaced, or another row's value. */
static void set_value(sqlite3 *db, uint8_t op, bytes *b)
{
  const table *t = &tables[take(b) % NTABLES];
  const char *col = t->cols[take(b) % ncols(t)];
  uint8_t row = take(b);
  char sql[512];
  sqlite3_stmt *st;
  if (op == 0) {
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1", t->name, col);
  } else if (op == 1) {
    /* bytes spliced in at an offset: most of the value stays, as after a bad edit */
    snprintf(sql, sizeof sql,
             "UPDATE %s SET %s = substr(%s, 1, ?3) || ?1 || substr(%s, ?3 + ?4 + 1)", t->name, col,
             col, col);
  } else {
    const table *from = &tables[take(b) % NTABLES];
    snprintf(sql, sizeof sql,
             "UPDATE %s SET %s = (SELECT %s FROM %s LIMIT 1 OFFSET ?1 %% max(1, (SELECT count(*)"
             " FROM %s)))",
             t->name, col, from->cols[take(b) % ncols(from)], from->name, from->name);
  }
  where_row(sql, sizeof sql, t);
  run_statement(db, sql, &st);
  if (op == 0)
    bind_value(st, take(b), b);
  else if (op == 1) {
    size_t n;
    const uint8_t *p = take_run(b, &n);
    sqlite3_bind_text(st, 1, (const char *)p, (int)n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (int64_t)take_u64(b, 2));
    sqlite3_bind_int64(st, 4, take(b) % 16);
  } else {
    sqlite3_bind_int64(st, 1, take(b));
  }
  sqlite3_bind_int64(st, 2, row);
  sqlite3_step(st);
  sqlite3_finalize(st);
}

/* A row deleted, or copied (a new id where the table has one). */
static void change_rows(sqlite3 *db, bool copy, bytes *b)
{
  const table *t = &tables[take(b) % NTABLES];
  char sql[1024], cols[256] = ""; /* room for cols twice and the names: never cut */
  for (size_t i = 0, n = ncols(t); i < n; i++)
    if (strcmp(t->cols[i], "id") != 0)
      snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", cols[0] ? ", " : "",
               t->cols[i]);
  if (copy)
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO %s(%s) SELECT %s FROM %s", t->name, cols, cols,
             t->name);
  else
    snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
  where_row(sql, sizeof sql, t);
  sqlite3_stmt *st;
  run_statement(db, sql, &st);
  sqlite3_bind_int64(st, 2, take(b));
  sqlite3_step(st);
  sqlite3_finalize(st);
}

/* Changes of the whole file, or of many rows at once, as a damaged or hand-edited register
 * has them. */
static void change_file(sqlite3 *db, bytes *b)
{
  static const char *const statements[] = {
      "PRAGMA journal_mode=DELETE",
      "DROP INDEX records_household",
      "DROP INDEX results_record",
      "ALTER TABLE records ADD COLUMN extra TEXT",
      "ALTER TABLE results RENAME TO results_old",
      "CREATE VIEW v AS SELECT * FROM records",
      "CREATE TRIGGER t AFTER INSERT ON records BEGIN DELETE FROM current; END",
      "UPDATE register SET rules = (SELECT hash FROM rulesets ORDER BY hash DESC LIMIT 1)",
      "UPDATE register SET rules = (SELECT hash FROM rulesets ORDER BY hash LIMIT 1)",
      "UPDATE sources SET format = 1 - format",
      "UPDATE sources SET header = ''",
      "DELETE FROM rulefiles WHERE name LIKE '%dynamic%'",
      "UPDATE records SET year = year + 1",
      "UPDATE records SET line = line * 1000003",
      "DELETE FROM current",
      "DELETE FROM register",
      "UPDATE results SET kept = NULL",
      "UPDATE results SET kept = substr(kept, 1, length(kept) / 2)",
      "UPDATE results SET kept = kept || x'00'",
      "UPDATE current SET result = (SELECT max(id) FROM results)",
      "UPDATE current SET year = -year",
      "UPDATE records SET raw = replace(raw, ',', ';')",
      "UPDATE records SET household = ''",
      "DELETE FROM adds",
      "DELETE FROM sources WHERE id % 2",
  };
  uint8_t i = take(b);
  if (i % 4 == 0) {
    /* the marks: application_id and user_version */
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA %s = %d", i & 4 ? "application_id" : "user_version",
             (int)(uint32_t)take_u64(b, 4));
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    return;
  }
  sqlite3_exec(db, statements[take(b) % (sizeof statements / sizeof statements[0])], NULL, NULL,
               NULL);
}

/* The template, changed as the input says. */
static void mutate(bytes *b)
{
  write_db(template, template_len);
  sqlite3 *db;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    abort();
  /* each change its own transaction, so that one failing leaves the others; the file is
   * thrown away after the input, so nothing need reach the disk */
  sqlite3_exec(db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
  for (int i = 0; i < MAX_OPS && b->left; i++) {
    uint8_t op = take(b);
    switch (op % 8) {
    case 0:
    case 1:
    case 2: set_value(db, 0, b); break;
    case 3: set_value(db, 1, b); break;
    case 4: set_value(db, 2, b); break;
    case 5: change_rows(db, false, b); break;
    case 6: change_rows(db, true, b); break;
    default: change_file(db, b); break;
    }
  }
  sqlite3_close(db);
}

/* Mode C: the template with patches of the input written over it. */
static void patch(bytes *b)
{
  uint8_t *copy = malloc(template_len);
  if (!copy)
    abort();
  memcpy(copy, template, template_len);
  while (b->left) {
    size_t at = (size_t)take_u64(b, 3) % template_len, n;
    const uint8_t *p = take_run(b, &n);
    if (n > template_len - at)
      n = template_len - at;
    memcpy(copy + at, p, n);
  }
  write_db(copy, template_len);
  free(copy);
}

/* ---------------------------------------------------------------- exercising the file */

typedef struct {
  char *ids[4]; /* households to look up: the fuzzed one, then up to three of the file's */
  size_t n;
  int64_t year; /* a year the file holds, for an export of one year */
  bool has_year;
} looked_up;

/* What to look up in the file: read with SQLite directly, as a user would find it. */
static void look_inside(looked_up *l)
{
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT DISTINCT household FROM records LIMIT 3", -1, &st, NULL) ==
          SQLITE_OK) {
    while (l->n < 4 && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char *t = sqlite3_column_text(st, 0);
      l->ids[l->n++] = strdup(t ? (const char *)t : "");
    }
  }
  sqlite3_finalize(st);
  st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT year FROM current LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    l->year = sqlite3_column_int64(st, 0);
    l->has_year = true;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static elig_status export_once(elig_register *reg, uint8_t flags, const looked_up *l, sink *s)
{
  elig_register_export_options o = ELIG_REGISTER_EXPORT_OPTIONS_INIT;
  o.format = flags & 0x10 ? ELIG_FORMAT_JSON : ELIG_FORMAT_CSV;
  o.has_year = (flags & 0x20) && l->has_year;
  o.year = l->year;
  o.as_of = "2022-06-30";
  o.threads = 1;
  o.memory_limit = flags & 0x40 ? 1 : 0; /* 1: every bucket spilled to a file */
  o.explain = o.separate_aggregates = flags & 0x80;
  elig_batch_io io = {.write = sink_write, .arg = s};
  elig_batch_stats stats;
  elig_status st = elig_register_export(reg, &o, &io, &stats);
  expect_reason(reg, st);
  /* every record read is written or rejected */
  if (st == ELIG_OK && o.format == ELIG_FORMAT_JSON &&
      s->json_results != stats.records - stats.rejected)
    abort();
  return st;
}

static void history(elig_register *reg, const char *id)
{
  for (int json = 0; json < 2; json++) {
    static char unset;
    char *text = &unset;
    elig_status st =
        elig_register_history(reg, id, json ? ELIG_FORMAT_JSON : ELIG_FORMAT_TEXT, &text);
    expect_reason(reg, st);
    if ((st == ELIG_OK) != (text != NULL) || (st == ELIG_OK && json && !is_json_line(text)))
      abort();
    elig_free(text);
  }
}

/* A household's next year, evaluated with its year before read from the register. */
static const char next_year[] =
    "{\"hh_id\":\"411623101201-067\",\"head_id\":\"411623193112268270\",\"village_code\":"
    "\"411623101201\",\"year\":2022,\"size\":1,\"net_income\":2400.00,\"medical_expense\":"
    "3100.50,\"food_secure\":true,\"clothing_secure\":true,\"water_safe\":true,"
    "\"housing_grade\":\"B\",\"labor_members\":0,\"registered_poor\":false,\"dibao\":false}";

static void evaluate_with(elig_register *reg)
{
  elig_ctx *ctx;
  if (elig_ctx_new(national, &ctx) != ELIG_OK)
    abort();
  elig_ctx_set_as_of(ctx, "2022-06-30");
  elig_status st = elig_ctx_set_register(ctx, reg);
  expect_reason(reg, st);
  const elig_result *res;
  if (st == ELIG_OK && elig_eval_json(ctx, next_year, sizeof next_year - 1, &res) == ELIG_OK) {
    size_t n;
    (void)elig_result_format(res, ELIG_FORMAT_JSON, &n);
  }
  elig_ctx_free(ctx);
}

static void read_only(uint8_t flags, const looked_up *l)
{
  elig_register *reg;
  elig_status st = elig_register_open(db_path, false, &reg);
  if (st != ELIG_OK && (!reg || !elig_register_error(reg)[0]))
    abort();
  if (st == ELIG_OK) {
    sink s = {0};
    export_once(reg, flags, l, &s);
    for (size_t i = 0; i < l->n; i++)
      history(reg, l->ids[i]);
    evaluate_with(reg);
  }
  elig_register_close(reg);
}

/* A correction of a stored year, a record given again as stored, a new household, and a
 * record no schema takes. */
static const char more[] =
    "hh_id,head_id,village_code,year,size,net_income,medical_expense,education_expense,"
    "disaster_loss,food_secure,clothing_secure,water_safe,dropout_children,uninsured_members,"
    "housing_grade,labor_members,registered_poor,exited_year,dibao\n"
    "411623101201-019,,411623101201,2020,3,3100.00,0.00,0.00,,1,1,1,0,0,B,1,1,,1\n"
    "411623101201-067,411623193112268270,411623101201,2019,1,3709.24,1517.76,0.00,7005.37,1,1,1,"
    "0,0,B,0,0,,0\n"
    "411623101299-001,,411623101299,2021,2,9000.00,0.00,0.00,,1,1,1,0,0,A,1,0,,0\n"
    "411623101299-002,,411623101299,twenty,2,,,,,,,,,,,,,,\n";
#define MORE_RECORDS 4

/* Adds `more`: must it fail, it says why; must it succeed, it read every record and
 * stored the new household. */
static elig_status add_more(elig_register *reg, uint8_t flags)
{
  text_reader r = {more, sizeof more - 1};
  elig_input in = input_of("more.csv", ELIG_INPUT_CSV, &r);
  elig_register_add_options o = ELIG_REGISTER_ADD_OPTIONS_INIT;
  o.by = "fuzz";
  o.as_of = "2022-06-30";
  o.threads = 1;
  o.memory_limit = flags & 0x40 ? 1 : 0;
  sink s = {0};
  elig_batch_io io = {.write = sink_write, .arg = &s};
  elig_register_stats stats;
  elig_status st = elig_register_add(reg, national, &o, &in, 1, &io, &stats);
  expect_reason(reg, st);
  if (st == ELIG_OK && stats.records != MORE_RECORDS)
    abort();
  char *text = NULL;
  if (st == ELIG_OK &&
      elig_register_history(reg, "411623101299-001", ELIG_FORMAT_TEXT, &text) == ELIG_ENOTFOUND)
    abort();
  elig_free(text);
  return st;
}

static void writable(uint8_t flags)
{
  elig_register *reg;
  elig_status st = elig_register_open(db_path, true, &reg);
  if (st != ELIG_OK && (!reg || !elig_register_error(reg)[0]))
    abort();
  if (st == ELIG_OK)
    add_more(reg, flags);
  elig_register_close(reg);
}

/* The harness tests itself on the template once: were every register refused (a change of
 * the harness, of the template's data or of the library), the fuzzer would explore nothing
 * but that refusal, with no crash to tell. */
static void self_test(void)
{
  write_db(template, template_len);
  looked_up l = {0};
  look_inside(&l);
  elig_register *reg;
  sink s = {0};
  char *text = NULL;
  if (l.n != 3 || !l.has_year || elig_register_open(db_path, false, &reg) != ELIG_OK ||
      export_once(reg, 0x10, &l, &s) != ELIG_OK || s.json_results != 24 ||
      elig_register_history(reg, l.ids[0], ELIG_FORMAT_JSON, &text) != ELIG_OK)
    abort();
  elig_free(text);
  elig_register_close(reg);
  if (elig_register_open(db_path, true, &reg) != ELIG_OK || add_more(reg, 0) != ELIG_OK)
    abort();
  elig_register_close(reg);
  for (size_t i = 0; i < l.n; i++)
    free(l.ids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!national) {
    setup();
    self_test();
  }
  if (size == 0)
    return 0;
  bytes b = {data + 1, size - 1};
  looked_up l = {0};
  uint8_t mode = data[0] & 15;
  if (mode == 0) {
    write_db(b.p, b.left);
  } else if (mode <= 2) {
    patch(&b);
  } else {
    /* the fuzzed household first: its length, then its bytes */
    size_t n = take(&b) % (MAX_HOUSEHOLD + 1);
    n = n < b.left ? n : b.left;
    l.ids[l.n] = strndup((const char *)b.p, n);
    l.n += l.ids[l.n] != NULL;
    b.p += n;
    b.left -= n;
    mutate(&b);
  }
  look_inside(&l);
  read_only(data[0], &l);
  writable(data[0]);
  for (size_t i = 0; i < l.n; i++)
    free(l.ids[i]);
  return 0;
}
