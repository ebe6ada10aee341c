/*
 * reghistory.c -- one household's years as a register holds them: `elig history`.
 *
 * Everything comes from the register's rows, not from rules: the records as read (cut again
 * with their file's CSV header, or parsed as JSON) and the results as stored (their JSON
 * lines).  So a report can be made of a register whose rules are long gone, and it shows
 * what was decided then, not what today's rules would say.
 */
#include "config.h"

#define ELIG_BUILDING 1 /* the elig_register_* of elig.h are exported from here */
#include "elig.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "jdoc.h"
#include "i18n.h"
#include "mem.h"
#include "register.h"

/* ---------------------------------------------------------------- names and values */

/* A record or result as pairs of a name and its value as text, in their order. */
typedef struct {
  wbuf text;  /* names and values, each NUL-terminated */
  size_t *at; /* per pair: where its name starts in text (the value follows it) */
  size_t n, cap;
  bool nomem;
} pairs;

static void pairs_fini(pairs *p)
{
  wbuf_free(&p->text);
  mem_free(p->at);
  memset(p, 0, sizeof *p);
}

static void pairs_add(pairs *p, const char *name, size_t nlen, const char *value, size_t vlen)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 32;
    size_t *at = mem_realloc(p->at, cap * sizeof *at);
    if (!at) {
      p->nomem = true;
      return;
    }
    p->at = at;
    p->cap = cap;
  }
  p->at[p->n++] = p->text.len;
  wbuf_put(&p->text, name, nlen);
  wbuf_put(&p->text, "", 1);
  wbuf_put(&p->text, value, vlen);
  wbuf_put(&p->text, "", 1);
  p->nomem |= p->text.failed;
}

static const char *pair_name(const pairs *p, size_t i)
{
  return p->text.p + p->at[i];
}

static const char *pair_value(const pairs *p, size_t i)
{
  const char *name = pair_name(p, i);
  return name + strlen(name) + 1;
}

static const char *pairs_get(const pairs *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(pair_name(p, i), name) == 0)
      return pair_value(p, i);
  return NULL;
}

/* A JSON value as compact text: scalars as written, lists and records in brackets.  The
 * depth is bounded by the parser's (JDOC_DEFAULT_MAX_DEPTH). */
static void json_value(const jdoc *doc, uint32_t n, wbuf *out)
{
  const jdoc_node *node = &doc->nodes[n];
  switch (node->kind) {
  case JDOC_NULL: break; /* absent */
  case JDOC_TRUE: wbuf_puts(out, "true"); break;
  case JDOC_FALSE: wbuf_puts(out, "false"); break;
  case JDOC_NUMBER:
  case JDOC_STRING: wbuf_put_printable(out, node->str, node->len); break;
  case JDOC_ARRAY:
  case JDOC_OBJECT:
    wbuf_puts(out, node->kind == JDOC_ARRAY ? "[" : "{");
    for (uint32_t c = node->first_child; c != JDOC_NONE; c = doc->nodes[c].next_sibling) {
      if (c != node->first_child)
        wbuf_puts(out, node->kind == JDOC_ARRAY ? ", " : ", ");
      if (node->kind == JDOC_OBJECT) {
        wbuf_put_printable(out, doc->nodes[c].key, doc->nodes[c].key_len);
        wbuf_puts(out, ": ");
      }
      json_value(doc, c, out);
    }
    wbuf_puts(out, node->kind == JDOC_ARRAY ? "]" : "}");
    break;
  }
}

/* The members of a JSON object line; false when it is none. */
static bool json_pairs(const char *text, size_t len, pairs *p, bool flags_as_list)
{
  jdoc doc;
  jdoc_init(&doc, NULL);
  bool ok = jdoc_parse(&doc, text, len, NULL) == JDOC_OK && doc.nodes[0].kind == JDOC_OBJECT;
  wbuf v = {0};
  for (uint32_t c = ok ? doc.nodes[0].first_child : JDOC_NONE; c != JDOC_NONE;
       c = doc.nodes[c].next_sibling) {
    const jdoc_node *m = &doc.nodes[c];
    v.len = 0;
    if (flags_as_list && m->kind == JDOC_ARRAY) {
      /* a result's flags: "a;b" as `elig run` writes them in CSV */
      for (uint32_t e = m->first_child; e != JDOC_NONE; e = doc.nodes[e].next_sibling) {
        if (e != m->first_child)
          wbuf_puts(&v, ";");
        json_value(&doc, e, &v);
      }
    } else {
      json_value(&doc, c, &v);
    }
    pairs_add(p, m->key, m->key_len, v.p ? v.p : "", v.len);
  }
  p->nomem |= v.failed;
  wbuf_free(&v);
  jdoc_fini(&doc);
  return ok;
}

/* A CSV record cut with its file's header. */
static bool csv_pairs(const char *header, const char *raw, size_t len, pairs *p)
{
  csv_parser ps;
  csv_record names, values;
  csv_parser_init(&ps, NULL);
  size_t hlen = strlen(header);
  if (hlen >= 3 && memcmp(header, "\xEF\xBB\xBF", 3) == 0) {
    header += 3;
    hlen -= 3;
  }
  /* the header's cells are copied before the parser is used again */
  csv_parse_record(&ps, header, header + hlen, &names);
  pairs head = {0};
  for (size_t i = 0; names.error == CSV_OK && i < names.ncells; i++)
    pairs_add(&head, names.cells[i].ptr, names.cells[i].len, "", 0);
  csv_parse_record(&ps, raw, raw + len, &values);
  bool ok = names.error == CSV_OK && values.error == CSV_OK && !head.nomem;
  for (size_t i = 0; ok && i < values.ncells && i < head.n; i++)
    pairs_add(p, pair_name(&head, i), strlen(pair_name(&head, i)), values.cells[i].ptr,
              values.cells[i].len);
  pairs_fini(&head);
  csv_parser_fini(&ps);
  return ok;
}

static bool record_pairs(int format, const char *header, const char *raw, size_t len, pairs *p)
{
  return format == ELIG_INPUT_JSONL ? json_pairs(raw, len, p, false)
                                    : csv_pairs(header, raw, len, p);
}

/* ---------------------------------------------------------------- the report */

typedef struct {
  elig_register *reg;
  elig_format fmt;
  pairs keys; /* the key fields' names (the register's schema): not repeated per year */
  wbuf out;
  sqlite3_stmt *results;
  int64_t current_record, current_result; /* of the year being written */
} report;

/* "a 1 -> 2; b 3 -> (absent)": what changed from `was` to `now` (names of now, then those
 * only in was); "" when nothing did. */
static void changes_text(const pairs *keys, const pairs *was, const pairs *now, wbuf *out,
                         bool json)
{
  bool any = false;
  for (int pass = 0; pass < 2; pass++) {
    const pairs *a = pass ? was : now, *b = pass ? now : was;
    for (size_t i = 0; i < a->n; i++) {
      const char *name = pair_name(a, i), *v = pair_value(a, i), *w = pairs_get(b, name);
      if ((pass && w) || pairs_get(keys, name))
        continue; /* said in the first pass; a key field changes with the year */
      const char *old = pass ? v : (w ? w : ""), *new = pass ? "" : v;
      if (strcmp(old, new) == 0)
        continue;
      if (json) {
        wbuf_puts(out, any ? "," : "");
        wbuf_json_text(out, name, strlen(name));
        wbuf_puts(out, ":[");
        wbuf_json_text(out, old, strlen(old));
        wbuf_puts(out, ",");
        wbuf_json_text(out, new, strlen(new));
        wbuf_puts(out, "]");
      } else {
        /* TRANSLATORS: a value a record does not have, in "net_income (none) -> 4000.00". */
        const char *none = _("(none)");
        wbuf_printf(out, "%s%s %s -> %s", any ? "; " : "", name, old[0] ? old : none,
                    new[0] ? new : none);
      }
      any = true;
    }
  }
}

static void json_key(wbuf *out, const char *key, const char *value)
{
  wbuf_printf(out, ",\"%s\":", key);
  wbuf_json_text(out, value, strlen(value));
}

/* "    result: add 3, 2021-05-04 10:00 by clerk, rules 3f9a... (current)": a
 * stored result, the first of its record or one evaluated again after. */
static void result_heading(wbuf *o, bool first, bool current, int64_t add, const char *at,
                           const char *by, const char *rules)
{
  long long n = (long long)add;
  wbuf_puts(o, "    ");
  if (first && current)
    /* TRANSLATORS: in a household's history, a record's result: %1$lld the number of the
     * add (`elig register add`) that evaluated it, %2$s when, %3$s by whom, %4$.19s the
     * identifier of the rules it was evaluated with. */
    wbuf_printf(o, _("result: add %lld, %s by %s, rules %.19s (current)"), n, at, by, rules);
  else if (first)
    /* TRANSLATORS: the same for a result no longer current. */
    wbuf_printf(o, _("result: add %lld, %s by %s, rules %.19s"), n, at, by, rules);
  else if (current)
    /* TRANSLATORS: the same for a later result of the record (evaluated again, as a year
     * before it changed). */
    wbuf_printf(o, _("evaluated again: add %lld, %s by %s, rules %.19s (current)"), n, at, by,
                rules);
  else
    /* TRANSLATORS: the same, not current. */
    wbuf_printf(o, _("evaluated again: add %lld, %s by %s, rules %.19s"), n, at, by, rules);
  wbuf_puts(o, "\n");
}

/* One stored result of a record. */
static void write_result(report *rp, sqlite3_stmt *st, const pairs *values, const pairs *before,
                         bool first)
{
  wbuf *o = &rp->out;
  int64_t id = sqlite3_column_int64(st, 0);
  const char *why = (const char *)sqlite3_column_text(st, 2);
  const char *rejected = (const char *)sqlite3_column_text(st, 3);
  const char *at = (const char *)sqlite3_column_text(st, 5);
  const char *by = (const char *)sqlite3_column_text(st, 6);
  const char *rules = (const char *)sqlite3_column_text(st, 7);
  bool current = id == rp->current_result;
  if (rp->fmt == ELIG_FORMAT_JSON) {
    wbuf_printf(o, "%s{\"add\":%lld", first ? "" : ",", (long long)sqlite3_column_int64(st, 4));
    json_key(o, "at", at ? at : "");
    json_key(o, "by", by ? by : "");
    json_key(o, "rules", rules ? rules : "");
    wbuf_printf(o, ",\"current\":%s", current ? "true" : "false");
    if (rejected) {
      json_key(o, "rejected", rejected);
    } else {
      wbuf_puts(o, ",\"results\":{");
      for (size_t i = 0; i < values->n; i++) {
        wbuf_puts(o, i ? "," : "");
        wbuf_json_text(o, pair_name(values, i), strlen(pair_name(values, i)));
        wbuf_puts(o, ":");
        wbuf_json_text(o, pair_value(values, i), strlen(pair_value(values, i)));
      }
      wbuf_puts(o, "}");
      json_key(o, "decided_by", why ? why : "");
      if (before) {
        wbuf_puts(o, ",\"changed_since_year_before\":{");
        changes_text(&rp->keys, before, values, o, true);
        wbuf_puts(o, "}");
      }
    }
    wbuf_puts(o, "}");
    return;
  }
  result_heading(o, first, current, sqlite3_column_int64(st, 4), at ? at : "?", by ? by : "?",
                 rules ? rules : "?");
  if (rejected) {
    wbuf reason = {0};
    wbuf_put_printable(&reason, rejected, strlen(rejected));
    wbuf_puts(o, "      ");
    /* TRANSLATORS: in a household's history, why its record was rejected when it was
     * evaluated (as it was said then). */
    wbuf_printf(o, _("rejected: %s"), wbuf_scratch_text(&reason, o));
    wbuf_puts(o, "\n");
    wbuf_free(&reason);
    return;
  }
  wbuf_puts(o, "      ");
  bool any = false;
  for (size_t i = 0; i < values->n; i++) {
    if (pairs_get(&rp->keys, pair_name(values, i)))
      continue;
    wbuf_printf(o, "%s%s %s", any ? ", " : "", pair_name(values, i),
                pair_value(values, i)[0] ? pair_value(values, i) : "-");
    any = true;
  }
  wbuf_puts(o, "\n");
  if (before && before->n) {
    wbuf changes = {0};
    changes_text(&rp->keys, before, values, &changes, false);
    if (changes.len) {
      wbuf_puts(o, "      ");
      /* TRANSLATORS: in a household's history, the results that differ from the year
       * before: %s is "status \"poor\" -> \"exited\"; ...", names and values as stored. */
      wbuf_printf(o, _("changed since the year before: %s"), wbuf_scratch_text(&changes, o));
      wbuf_puts(o, "\n");
    }
    wbuf_free(&changes);
  }
  if (why && why[0]) {
    wbuf decided = {0};
    wbuf_put_printable(&decided, why, strlen(why));
    wbuf_puts(o, "      ");
    /* TRANSLATORS: in a household's history, the rules that decided the results, as they
     * were said when the record was evaluated ("status: rule 4 (household.rules:35): ..."). */
    wbuf_printf(o, _("decided by %s"), wbuf_scratch_text(&decided, o));
    wbuf_puts(o, "\n");
    wbuf_free(&decided);
  }
}

/* The results of record `id`; *current receives the values of its current result. */
static bool write_results(report *rp, int64_t id, const pairs *year_before, pairs *current)
{
  sqlite3_stmt *st = rp->results;
  sqlite3_reset(st);
  sqlite3_bind_int64(st, 1, id);
  int rc;
  bool first = true;
  if (rp->fmt == ELIG_FORMAT_JSON)
    wbuf_puts(&rp->out, ",\"results\":[");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    pairs values = {0};
    const char *json = (const char *)sqlite3_column_blob(st, 1);
    if (json)
      json_pairs(json, (size_t)sqlite3_column_bytes(st, 1), &values, true);
    /* the change since the year before is that of the results current now: an earlier
     * result read the year before as it was then */
    bool is_current = sqlite3_column_int64(st, 0) == rp->current_result;
    write_result(rp, st, &values, is_current ? year_before : NULL, first);
    first = false;
    if (sqlite3_column_int64(st, 0) == rp->current_result && json) {
      pairs_fini(current);
      *current = values;
    } else {
      pairs_fini(&values);
    }
  }
  if (rp->fmt == ELIG_FORMAT_JSON)
    wbuf_puts(&rp->out, "]");
  return rc == SQLITE_DONE;
}

typedef struct {
  int64_t year;
  pairs inputs, results; /* of the year's current record and result */
  bool have;
} year_state;

static void year_fini(year_state *y)
{
  pairs_fini(&y->inputs);
  pairs_fini(&y->results);
}

/* "  record y2021.csv:12, add 2, 2021-05-04 10:00 by clerk (current)": a record of the
 * year, the first or one that corrects it. */
static void record_heading(wbuf *o, bool first_of_year, bool current, const char *file,
                           int64_t line, int64_t add, const char *at, const char *by)
{
  long long l = (long long)line, n = (long long)add;
  wbuf_puts(o, "  ");
  if (first_of_year && current)
    /* TRANSLATORS: in a household's history, a record of a year: %1$s:%2$lld the file and
     * line it was read from, %3$lld the number of the add (`elig register add`), %4$s when,
     * %5$s by whom. */
    wbuf_printf(o, _("record %s:%lld, add %lld, %s by %s (current)"), file, l, n, at, by);
  else if (first_of_year)
    /* TRANSLATORS: the same for a record a later one corrects. */
    wbuf_printf(o, _("record %s:%lld, add %lld, %s by %s"), file, l, n, at, by);
  else if (current)
    /* TRANSLATORS: the same for a record that corrects the year's records before it. */
    wbuf_printf(o, _("corrected by %s:%lld, add %lld, %s by %s (current)"), file, l, n, at, by);
  else
    /* TRANSLATORS: the same, corrected again later. */
    wbuf_printf(o, _("corrected by %s:%lld, add %lld, %s by %s"), file, l, n, at, by);
  wbuf_puts(o, "\n");
}

/* One record of the household (a row of the records query). */
static bool write_record_of(report *rp, sqlite3_stmt *st, year_state *now, const year_state *before,
                            pairs *replaced, bool first_of_year)
{
  wbuf *o = &rp->out;
  int64_t id = sqlite3_column_int64(st, 0);
  const char *raw = (const char *)sqlite3_column_blob(st, 2);
  size_t raw_len = (size_t)sqlite3_column_bytes(st, 2);
  pairs inputs = {0};
  record_pairs(sqlite3_column_int(st, 4), (const char *)sqlite3_column_text(st, 5), raw ? raw : "",
               raw_len, &inputs);
  const char *file = (const char *)sqlite3_column_text(st, 3);
  const char *at = (const char *)sqlite3_column_text(st, 8);
  const char *by = (const char *)sqlite3_column_text(st, 9);
  bool current = id == rp->current_record;
  const pairs *prev_inputs = before->have && before->year == now->year - 1 ? &before->inputs : NULL;
  const pairs *prev_results =
      before->have && before->year == now->year - 1 ? &before->results : NULL;
  if (rp->fmt == ELIG_FORMAT_JSON) {
    wbuf_printf(o, "%s{\"record\":%lld", first_of_year ? "" : ",", (long long)id);
    json_key(o, "file", file ? file : "");
    wbuf_printf(o, ",\"line\":%lld,\"add\":%lld", (long long)sqlite3_column_int64(st, 6),
                (long long)sqlite3_column_int64(st, 7));
    json_key(o, "at", at ? at : "");
    json_key(o, "by", by ? by : "");
    wbuf_printf(o, ",\"current\":%s,\"correction\":%s", current ? "true" : "false",
                first_of_year ? "false" : "true");
    wbuf_puts(o, ",\"inputs_changed\":{");
    if (!first_of_year)
      changes_text(&rp->keys, replaced, &inputs, o, true);
    else if (prev_inputs)
      changes_text(&rp->keys, prev_inputs, &inputs, o, true);
    wbuf_puts(o, "}");
  } else {
    record_heading(o, first_of_year, current, file ? file : "?", sqlite3_column_int64(st, 6),
                   sqlite3_column_int64(st, 7), at ? at : "?", by ? by : "?");
    wbuf changes = {0};
    if (!first_of_year)
      changes_text(&rp->keys, replaced, &inputs, &changes, false);
    else if (prev_inputs)
      changes_text(&rp->keys, prev_inputs, &inputs, &changes, false);
    if (changes.len) {
      wbuf_puts(o, "    ");
      if (first_of_year)
        /* TRANSLATORS: in a household's history, the record's fields that differ from the
         * year before: %s is "net_income 3000.00 -> 4000.00; ...", names and values as
         * given. */
        wbuf_printf(o, _("inputs changed since the year before: %s"),
                    wbuf_scratch_text(&changes, o));
      else
        /* TRANSLATORS: the same against the record this one corrects. */
        wbuf_printf(o, _("inputs changed by the correction: %s"), wbuf_scratch_text(&changes, o));
      wbuf_puts(o, "\n");
    }
    wbuf_free(&changes);
  }
  pairs results = {0};
  bool ok = write_results(rp, id, prev_results, &results);
  if (rp->fmt == ELIG_FORMAT_JSON)
    wbuf_puts(o, "}");
  if (current) {
    year_fini(now);
    now->inputs = inputs;
    now->results = results;
    now->have = true;
  } else {
    pairs_fini(&results);
  }
  pairs_fini(replaced);
  *replaced = current ? (pairs){0} : inputs;
  if (current) {
    /* the next correction of the year compares with this record: copy it */
    for (size_t i = 0; i < now->inputs.n; i++)
      pairs_add(replaced, pair_name(&now->inputs, i), strlen(pair_name(&now->inputs, i)),
                pair_value(&now->inputs, i), strlen(pair_value(&now->inputs, i)));
  }
  return ok && !replaced->nomem;
}

static int64_t current_of_year(elig_register *reg, int64_t record, int64_t *result)
{
  sqlite3_stmt *st = NULL;
  int64_t rec = 0;
  *result = 0;
  if (sqlite3_prepare_v2(reg->db,
                         "SELECT c.record, c.result FROM current c JOIN records r"
                         " ON r.link = c.link AND r.year = c.year WHERE r.id = ?",
                         -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, record);
    if (sqlite3_step(st) == SQLITE_ROW) {
      rec = sqlite3_column_int64(st, 0);
      *result = sqlite3_column_int64(st, 1);
    }
  }
  sqlite3_finalize(st);
  return rec;
}

static elig_status history_rows(report *rp, const char *household, uint64_t *nrecords)
{
  elig_register *reg = rp->reg;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(reg->db,
                         "SELECT r.id, r.year, r.raw, s.name, s.format, s.header, r.line, a.id,"
                         " a.at, a.by FROM records r JOIN sources s ON s.id = r.source"
                         " JOIN adds a ON a.id = s.add_id WHERE r.household = ?"
                         " ORDER BY r.year, r.id",
                         -1, &st, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(reg->db,
                         "SELECT res.id, res.json, res.why, res.rejected, a.id, a.at, a.by,"
                         " a.rules FROM results res JOIN adds a ON a.id = res.add_id"
                         " WHERE res.record = ? ORDER BY res.id",
                         -1, &rp->results, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return register_db_failed(reg, REG_READ);
  }
  sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
  year_state now = {.year = INT64_MIN}, before = {.year = INT64_MIN};
  pairs replaced = {0};
  int rc;
  bool ok = true, first_year = true;
  while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t year = sqlite3_column_int64(st, 1);
    bool new_year = year != now.year || first_year;
    if (new_year) {
      if (!first_year) {
        year_fini(&before);
        before = now;
        now = (year_state){0};
        if (rp->fmt == ELIG_FORMAT_JSON)
          wbuf_puts(&rp->out, "]}");
      }
      now.year = year;
      now.have = false;
      rp->current_record = current_of_year(reg, sqlite3_column_int64(st, 0), &rp->current_result);
      if (rp->fmt == ELIG_FORMAT_JSON)
        wbuf_printf(&rp->out, "%s{\"year\":%lld,\"records\":[", first_year ? "" : ",",
                    (long long)year);
      else
        wbuf_printf(&rp->out, "\n%lld\n", (long long)year);
      first_year = false;
    }
    ok = write_record_of(rp, st, &now, &before, &replaced, new_year);
    (*nrecords)++;
  }
  if (!first_year && rp->fmt == ELIG_FORMAT_JSON)
    wbuf_puts(&rp->out, "]}");
  year_fini(&now);
  year_fini(&before);
  pairs_fini(&replaced);
  sqlite3_finalize(st);
  sqlite3_finalize(rp->results);
  if (!ok || rp->out.failed)
    return register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  if (rc != SQLITE_DONE)
    return register_db_failed(reg, REG_READ);
  return ELIG_OK;
}

/* The key fields' names, from the schema the register keeps ("key hh_id", "per year"). */
static elig_status read_keys(report *rp)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(rp->reg->db, "SELECT schema FROM register", -1, &st, NULL) != SQLITE_OK)
    return register_db_failed(rp->reg, REG_READ);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *p = (const char *)sqlite3_column_text(st, 0);
    while (p && *p) {
      const char *e = strchr(p, '\n');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      if (n > 4 && memcmp(p, "key ", 4) == 0)
        pairs_add(&rp->keys, p + 4, n - 4, "", 0);
      p += n + (e != NULL);
    }
  }
  sqlite3_finalize(st);
  return rp->keys.nomem ? register_failed(rp->reg, ELIG_ENOMEM, _("out of memory")) : ELIG_OK;
}

elig_status elig_register_history(elig_register *reg, const char *household, elig_format fmt,
                                  char **text)
{
  if (!text)
    return ELIG_EINVAL;
  *text = NULL;
  if (!reg || !household || (fmt != ELIG_FORMAT_TEXT && fmt != ELIG_FORMAT_JSON))
    return ELIG_EINVAL;
  reg->error[0] = '\0';
  report rp = {.reg = reg, .fmt = fmt};
  if (sqlite3_exec(reg->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return register_db_failed(reg, REG_READ);
  if (fmt == ELIG_FORMAT_JSON) {
    wbuf_puts(&rp.out, "{\"household\":");
    wbuf_json_text(&rp.out, household, strlen(household));
    wbuf_puts(&rp.out, ",\"years\":[");
  } else {
    wbuf key = {0};
    wbuf_put_printable(&key, household, strlen(household));
    /* TRANSLATORS: the first line of a household's history: %1$s is its key as the data
     * gives it, %2$s the register's file. */
    wbuf_printf(&rp.out, _("household %s in %s"), wbuf_scratch_text(&key, &rp.out), reg->path);
    wbuf_puts(&rp.out, "\n");
    wbuf_free(&key);
  }
  uint64_t n = 0;
  elig_status st = read_keys(&rp);
  if (st == ELIG_OK)
    st = history_rows(&rp, household, &n);
  pairs_fini(&rp.keys);
  sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
  if (st == ELIG_OK && n == 0) {
    /* TRANSLATORS: %1$s is the register's file, %2$s a household's key as given. */
    st = register_failed(reg, ELIG_ENOTFOUND, _("register '%s' holds no household '%.200s'"),
                         reg->path, household);
  }
  if (st == ELIG_OK) {
    wbuf_puts(&rp.out, fmt == ELIG_FORMAT_JSON ? "]}\n" : "");
    if (!wbuf_text(&rp.out))
      st = register_failed(reg, ELIG_ENOMEM, _("out of memory"));
  }
  if (st != ELIG_OK) {
    wbuf_free(&rp.out);
    return st;
  }
  *text = rp.out.p;
  return ELIG_OK;
}
