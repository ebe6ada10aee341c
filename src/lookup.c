/*
 * lookup.c -- explain over a register.  See lookup.h.
 *
 * A record that cannot be read is passed over, unless its key fields as written are those
 * asked for: then its rejection, with its line, is what explains it (on the messages
 * stream, as `elig run` says rejections).  A file whose CSV header cannot be used is
 * refused, since no record of it could be looked at.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "explain.h"
#include "feed.h"
#include "hist.h"
#include "hrun.h"
#include "lookup.h"
#include "i18n.h"
#include "mem.h"
#include "split.h"
#include "step.h"

#define NO_KEY UINT32_MAX

typedef struct {
  const elig_program *P;
  const lookup_options *o;
  const elig_batch_io *io;
  elig_batch_stats *stats;
  uint32_t *match;     /* per match: the field, or PROG_NONE (nothing matches) */
  uint32_t *match_key; /* per match: its field's place among the key fields, or NO_KEY */
  bool *match_written; /* per match: told as written before typing (cannot_match) */
  step step;
  splitter split;
  input_chunk chunk;
  rec_header header;
  rec_unknown unknown;
  const char *name;
  wbuf out, log, key;
  bool write_failed, nomem;
  /* A rule set following households over the years: every record is kept (hrun.c), and
   * the households of the records that match are evaluated once the register is read, each
   * record after its year before. */
  hrun *hist;
  rec_header *headers; /* per input */
  const char **names;
  uint32_t input;
  wbuf entries, wanted; /* the matching households' links, each as a length and bytes */
  uint64_t trees;       /* explanations written */
} finding;

/* Whether the typed record holds the values asked for. */
static bool matches(const finding *f)
{
  const prog_record *rec = prog_main_record(f->P);
  char buf[256];
  for (size_t i = 0; i < f->o->nmatch; i++) {
    uint32_t k = f->match[i];
    if (k == PROG_NONE)
      return false;
    const vm_val *v = vm_field_value(f->step.ctx, k);
    if (rec->fields[k].type.base == TY_TEXT && !v->none) {
      /* byte for byte: the text as written may be longer than buf, or hold a NUL */
      if (v->u.s.len != strlen(f->o->values[i]) || memcmp(v->u.s.p, f->o->values[i], v->u.s.len))
        return false;
      continue;
    }
    const char *text = write_value_text(rec->fields[k].type, v, false, buf, sizeof buf);
    if (strcmp(text, f->o->values[i]) != 0)
      return false;
  }
  return true;
}

/* The record's key as explanations head it ("411623101201-003/2020"), whole; NULL when out
 * of memory (f->nomem). */
static const char *record_key(finding *f)
{
  f->key.len = 0;
  write_record_key(&f->key, f->P, f->step.ctx);
  const char *key = wbuf_text(&f->key);
  f->nomem |= key == NULL;
  return key;
}

/* Whether a record, before it is typed, cannot be one asked for: a key field asked for, of
 * type text, holds other text as written.  Typing a text field keeps its bytes (or rejects
 * the record), so such a record could neither match nor be a rejected match.  With history
 * only the fields of the household's link count (not the year): a record whose link differs
 * from the one asked for is of another household, whose records nothing asked for needs.
 * Typing (and with history keeping) every record was nearly all of a search's time: over a
 * register of 1M households, 4.5 s and 720 MiB before, 0.14 s and 9 MiB since.
 * When the text cannot be told as written (a CSV row that does not parse, a JSON member
 * that is not a string, an empty cell a default may fill), the record is typed. */
static bool cannot_match(const finding *f, const rec_header *h, const split_record *r)
{
  const elig_program *P = f->P;
  for (size_t i = 0; i < f->o->nmatch; i++) {
    if (!f->match_written[i])
      continue;
    uint32_t field = f->match[i], k = f->match_key[i];
    const char *text = "";
    size_t len = 0;
    if (r->format == INPUT_CSV) {
      if (r->csv->error == CSV_OK)
        rec_csv_key_part(h, P, r->csv, k, &text, &len);
    } else if (r->json && r->json->nnodes && r->json->nodes[0].kind == JDOC_OBJECT) {
      const char *name = prog_main_record(P)->fields[field].name;
      uint32_t v = jdoc_object_get(r->json, 0, name, strlen(name));
      if (v != JDOC_NONE && r->json->nodes[v].kind == JDOC_STRING) {
        text = r->json->nodes[v].str;
        len = r->json->nodes[v].len;
      }
    }
    if (len && (len != strlen(f->o->values[i]) || memcmp(text, f->o->values[i], len) != 0))
      return true;
  }
  return false;
}

/* Whether a record that could not be typed is one of those asked for: each field asked
 * for must be a key field, and its text as written the value asked for (the record has no
 * typed values to compare). */
static bool rejected_matches(const finding *f, const rec_header *h, const split_record *r)
{
  for (size_t i = 0; i < f->o->nmatch; i++) {
    if (f->match_key[i] == NO_KEY)
      return false;
    const char *text;
    size_t len;
    step_key_part(&f->step, h, r, f->match_key[i], &text, &len);
    if (len != strlen(f->o->values[i]) || memcmp(text, f->o->values[i], len) != 0)
      return false;
  }
  return true;
}

/* Why a record asked for has no explanation, in the reader's language, and the line's end. */
static void say_why(wbuf *log, const char *reason, bool failed)
{
  if (failed)
    /* TRANSLATORS: a rule failed on a record asked for: %s is why and where ("division by
     * zero at household.rules:12:5"). */
    wbuf_printf(log, _("the record cannot be evaluated: %s"), reason);
  else
    /* TRANSLATORS: a record asked for breaks its schema: %s is why. */
    wbuf_printf(log, _("the record is rejected: %s"), reason);
  wbuf_puts(log, "\n");
}

/* "FILE:LINE: the record cannot be evaluated: REASON": the place as compilers write it
 * (`where`, "FILE:LINE"), for editors and scripts, then one message in the reader's
 * language. */
static void say_cannot(wbuf *log, const char *where, const char *reason, bool failed)
{
  wbuf_printf(log, "%s: ", where);
  say_why(log, reason, failed);
}

/* A run-time failure met while explaining: "FILE:LINE: the record cannot be evaluated:
 * division by zero at household.rules:12:5". */
static void say_failed(const elig_program *P, vm_ctx *ctx, wbuf *log, const char *where,
                       vm_status st)
{
  char at[256], reason[512];
  prog_where(P, vm_error_pc(ctx), at, sizeof at);
  /* TRANSLATORS: a rule failed on a record: %1$s is what went wrong ("division by zero"),
   * %2$s where, as file:line:column of the rules. */
  snprintf(reason, sizeof reason, _("%s at %s"), vm_status_str(st), at);
  say_cannot(log, where, reason, true);
}

/* A record asked for that is rejected: why, with its place. */
static void say_rejected(finding *f, wbuf *log, const char *name, uint64_t line, const char *reason,
                         bool failed)
{
  wbuf_printf(log, "%s:%llu: ", name, (unsigned long long)line);
  say_why(log, reason, failed);
  f->stats->rejected++;
}

/* What if (--set): the record asked for holds the values given instead, checked as its own
 * are (defaults, ranges, checks); false with why when a check refuses one. */
static bool apply_set(finding *f, step_why *why)
{
  if (!f->o->nset)
    return true;
  vm_ctx *ctx = f->step.ctx;
  vm_cells_stale(ctx);
  for (size_t i = 0; i < f->o->nset; i++)
    vm_set_field(ctx, f->o->set_fields[i], &f->o->set_values[i]);
  return rec_check(ctx, &why->reject);
}

static void flush(finding *f)
{
  bool ok = batch_write(f->io, ELIG_STREAM_REPORT, &f->out, &f->nomem);
  if (!batch_write(f->io, ELIG_STREAM_MESSAGES, &f->log, &f->nomem) || !ok)
    f->write_failed = !f->nomem;
}

static void explain_one(finding *f, uint64_t line)
{
  char where[512], why[600];
  step_why failure;
  wbuf one = {0};
  const char *key = record_key(f);
  if (!key)
    return;
  snprintf(where, sizeof where, "%s:%llu", f->name, (unsigned long long)line);
  if (f->stats->written && !f->o->json)
    wbuf_puts(&one, "\n"); /* between two trees; only with the second one's */
  step_result res = step_evaluate(&f->step, 0, &failure);
  vm_status st = VM_OK;
  if (res == STEP_OK)
    st = explain_record_what_if(f->P, f->step.ctx, where, key, f->o->json, f->o->what_if, &one);
  if (res == STEP_OK && st == VM_OK)
    wbuf_put(&f->out, one.p, one.len);
  f->nomem |= one.failed;
  wbuf_free(&one);
  if (res == STEP_NO_MEMORY || st == VM_ERR_NO_MEMORY) {
    f->nomem = true;
  } else if (res == STEP_FAILED) {
    say_cannot(&f->log, where, step_failure_text(&f->step, &failure, why, sizeof why), true);
  } else if (st != VM_OK) {
    say_failed(f->P, f->step.ctx, &f->log, where, st);
  }
  if (res == STEP_OK && st == VM_OK)
    f->stats->written++;
  else if (!f->nomem)
    f->stats->rejected++; /* said why on the log */
  flush(f);
}

/* ---------------------------------------------------------------- the reading loop */

static input_chunk *finding_buffer(void *arg)
{
  return &((finding *)arg)->chunk;
}

/* A file whose header cannot be used is refused (its records cannot be looked at). */
static feed_header finding_header(void *arg, const char *name, uint64_t line, const csv_record *r)
{
  finding *f = arg;
  char error[512], unknown[512];
  rec_header *h = f->hist ? &f->headers[f->input] : &f->header;
  rec_header_fini(h);
  if (rec_header_init(h, f->P, r, error, sizeof error, unknown, sizeof unknown))
    return FEED_HEADER_OK;
  if (h->no_memory)
    return FEED_HEADER_NO_MEMORY;
  wbuf_printf(&f->log, "%s:%llu: error: %s\n", name, (unsigned long long)line, error);
  return FEED_HEADER_REFUSED;
}

/* With history: the record is kept for later, and its household wanted when it matches. */
static void keep(finding *f, const split_record *r)
{
  bool wanted = matches(f);
  step_why why;
  if (wanted && !apply_set(f, &why)) {
    /* rejected as a record that breaks its schema is: not kept */
    say_rejected(f, &f->log, f->name, r->line, why.reject.message, false);
    flush(f);
    return;
  }
  hrun_entry(&f->entries, &f->step, f->stats->records, r, f->input);
  if (wanted) {
    size_t at = f->wanted.len;
    uint32_t len = 0;
    wbuf_put(&f->wanted, (const char *)&len, sizeof len);
    hist_link(f->P, f->step.ctx, &f->wanted);
    len = (uint32_t)(f->wanted.len - at - sizeof len);
    if (!f->wanted.failed)
      memcpy(f->wanted.p + at, &len, sizeof len);
  }
  f->nomem |= f->entries.failed || f->wanted.failed;
}

static void finding_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  finding *f = arg;
  split_record r;
  step_why why;
  split_begin(&f->split, f->split.format, c, skip, skip_lines);
  while (split_next(&f->split, &r) && !f->nomem && !f->write_failed) {
    f->stats->records++;
    const rec_header *h = f->hist ? &f->headers[f->input] : &f->header;
    if (cannot_match(f, h, &r))
      continue;
    step_result res = step_type(&f->step, h, &r, &f->unknown, &why);
    if (res == STEP_NO_MEMORY)
      f->nomem = true;
    else if (res == STEP_OK && f->hist)
      keep(f, &r);
    else if (res == STEP_OK && matches(f)) {
      if (apply_set(f, &why)) {
        explain_one(f, r.line);
      } else {
        say_rejected(f, &f->log, f->name, r.line, why.reject.message, false);
        flush(f);
      }
    } else if (res == STEP_REJECTED && rejected_matches(f, h, &r)) {
      say_rejected(f, &f->log, f->name, r.line, why.reject.message, false);
      flush(f);
    }
  }
}

static void finding_note(void *arg, const char *text)
{
  finding *f = arg;
  wbuf_puts(&f->log, text);
  flush(f);
}

static bool finding_stop(void *arg)
{
  finding *f = arg;
  return f->nomem || f->write_failed;
}

/* ---------------------------------------------------------------- with history */

static bool household_wanted(void *arg, const char *link, size_t len)
{
  const finding *f = arg;
  for (size_t at = 0; at < f->wanted.len;) {
    uint32_t n;
    memcpy(&n, f->wanted.p + at, sizeof n);
    if (n == len && memcmp(f->wanted.p + at + sizeof n, link, len) == 0)
      return true;
    at += sizeof n + n;
  }
  return false;
}

/* A record of a wanted household, evaluated after its year before: explained when it is one
 * of those asked for. */
static void history_explain(void *arg, const step *s, const hrun_rec *e, const char *name,
                            const char *kept, size_t len, wbuf *out)
{
  finding *f = arg;
  char where[512];
  uint64_t line = e->line;
  (void)s;
  (void)kept;
  (void)len;
  if (!matches(f))
    return;
  const char *key = record_key(f);
  if (!key)
    return;
  snprintf(where, sizeof where, "%s:%llu", name, (unsigned long long)line);
  vm_status st =
      explain_record_what_if(f->P, f->step.ctx, where, key, f->o->json, f->o->what_if, out);
  if (st == VM_ERR_NO_MEMORY) {
    f->nomem = true;
  } else if (st != VM_OK) {
    say_failed(f->P, f->step.ctx, out, where, st);
  }
  f->stats->written++;
}

static void history_rejected(void *arg, const step *s, const hrun_rec *e, const char *name,
                             const rec_header *h, const split_record *r, const step_why *why,
                             bool failed, wbuf *rej, wbuf *log)
{
  finding *f = arg;
  (void)e;
  char reason[sizeof(rec_reject) + 32];
  (void)h;
  (void)rej;
  if (!matches(f))
    return;
  if (failed)
    step_failure_text(s, why, reason, sizeof reason);
  say_rejected(f, log, name, r->line, failed ? reason : why->reject.message, failed);
}

/* The explanations come out in input order: a blank line between two trees goes before
 * every one but the first written (as explain_one does). */
static bool history_write(void *arg, elig_stream stream, const char *text, size_t len)
{
  finding *f = arg;
  if (!f->write_failed && stream == ELIG_STREAM_REPORT && !f->o->json && f->trees++ &&
      !f->io->write(f->io->arg, stream, "\n", 1))
    f->write_failed = true;
  if (!f->write_failed && len && !f->io->write(f->io->arg, stream, text, len))
    f->write_failed = true;
  return !f->write_failed;
}

/* The register read: the wanted households' records, each after its year before. */
static void explain_history(finding *f)
{
  wbuf none = {0};
  uint64_t rejected;
  step *steps[1] = {&f->step};
  hrun_format fmt = {.arg = f,
                     .result_stream = ELIG_STREAM_REPORT,
                     .wanted = household_wanted,
                     .result = history_explain,
                     .reject = history_rejected};
  if (!hrun_add(f->hist, &f->entries, &none) ||
      !hrun_evaluate(f->hist, steps, 1, f->headers, f->names, &fmt, &rejected)) {
    if (hrun_failed_io(f->hist))
      f->write_failed = true; /* a temporary file: ELIG_EIO */
    else
      f->nomem = true;
    return;
  }
  if (!hrun_write(f->hist, history_write, f) && hrun_failed_memory(f->hist))
    f->nomem = true;
}

/* The field each match names, its place among the key fields, and whether it can rule a
 * record out as written (cannot_match), looked up once. */
static bool match_fields(finding *f)
{
  const elig_program *P = f->P;
  f->match = mem_calloc(f->o->nmatch + 1, sizeof *f->match);
  f->match_key = mem_calloc(f->o->nmatch + 1, sizeof *f->match_key);
  f->match_written = mem_calloc(f->o->nmatch + 1, sizeof *f->match_written);
  if (!f->match || !f->match_key || !f->match_written)
    return false;
  for (size_t i = 0; i < f->o->nmatch; i++) {
    uint32_t field = prog_find_field(P, f->o->fields[i]), k = 0;
    while (field != PROG_NONE && k < P->nkeys && P->key_fields[k] != field)
      k++;
    f->match[i] = field;
    f->match_key[i] = field != PROG_NONE && k < P->nkeys ? k : NO_KEY;
    f->match_written[i] = f->match_key[i] != NO_KEY && field != P->order_field &&
                          prog_main_record(P)->fields[field].type.base == TY_TEXT;
  }
  return true;
}

elig_status lookup_explain(const elig_program *P, const lookup_options *o, const elig_input *inputs,
                           size_t ninputs, const elig_batch_io *io, elig_batch_stats *stats)
{
  finding f = {.P = P, .o = o, .io = io, .stats = stats};
  feed_status st = FEED_OK;
  memset(stats, 0, sizeof *stats);
  split_init(&f.split);
  input_chunk_init(&f.chunk);
  const feed_handler handler = {
      .arg = &f,
      .buffer = finding_buffer,
      .header = finding_header,
      .chunk = finding_chunk,
      .stop = finding_stop,
      .note = finding_note,
  };
  bool stepping = step_init(&f.step, P, o->as_of, false);
  if (stepping) {
    step_set_undetermined(&f.step, o->undetermined);
    vm_image_defaults(f.step.ctx, true); /* an explanation says which defaults it used */
  }
  if (!match_fields(&f) || !stepping)
    f.nomem = true;
  if (P->order_field != PROG_NONE && !f.nomem) {
    f.hist = hrun_new(P, 0);
    f.headers = mem_calloc(ninputs + 1, sizeof *f.headers);
    f.names = mem_calloc(ninputs + 1, sizeof *f.names);
    f.nomem = !f.hist || !f.headers || !f.names;
  }
  for (size_t i = 0; i < ninputs && st == FEED_OK && !f.nomem && !f.write_failed; i++) {
    f.name = inputs[i].name ? inputs[i].name : "-";
    f.input = (uint32_t)i;
    if (f.names)
      f.names[i] = f.name;
    f.split.format = feed_format(&inputs[i]);
    st = feed_input(&inputs[i], 0, io, &handler);
    flush(&f);
  }
  if (f.hist && st == FEED_OK && !f.nomem && !f.write_failed)
    explain_history(&f);
  for (size_t i = 0; f.headers && i < ninputs; i++)
    rec_header_fini(&f.headers[i]);
  mem_free(f.headers);
  mem_free(f.names);
  hrun_free(f.hist);
  wbuf_free(&f.entries);
  wbuf_free(&f.wanted);
  step_fini(&f.step);
  rec_header_fini(&f.header);
  input_chunk_fini(&f.chunk);
  split_fini(&f.split);
  wbuf_free(&f.out);
  wbuf_free(&f.log);
  wbuf_free(&f.key);
  mem_free(f.match);
  mem_free(f.match_key);
  mem_free(f.match_written);
  if (f.nomem || st == FEED_NO_MEMORY)
    return ELIG_ENOMEM;
  if (st == FEED_CANCELED)
    return ELIG_ECANCELED;
  if (st == FEED_REFUSED || f.write_failed)
    return ELIG_EIO;
  return ELIG_OK;
}
