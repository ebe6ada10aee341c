/*
 * lookup.c -- explain over a register.  See lookup.h.
 *
 * Records that cannot be read are passed over in silence: `elig run` is the command that
 * reports them.  A file whose CSV header cannot be used is refused, since no record of it
 * could be looked at.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "explain.h"
#include "feed.h"
#include "lookup.h"
#include "mem.h"
#include "split.h"
#include "step.h"

typedef struct {
  const elig_program *P;
  const lookup_options *o;
  const elig_batch_io *io;
  elig_batch_stats *stats;
  uint32_t *match; /* per match: the field, or PROG_NONE (nothing matches) */
  step step;
  splitter split;
  input_chunk chunk;
  rec_header header;
  rec_unknown unknown;
  const char *name;
  wbuf out, log;
  bool write_failed, nomem;
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
    const char *text = write_value_text(rec->fields[k].type, vm_field_value(f->step.ctx, k), false,
                                        buf, sizeof buf);
    if (strcmp(text, f->o->values[i]) != 0)
      return false;
  }
  return true;
}

static void flush(finding *f)
{
  bool ok = batch_write(f->io, ELIG_STREAM_REPORT, &f->out, &f->nomem);
  if (!batch_write(f->io, ELIG_STREAM_MESSAGES, &f->log, &f->nomem) || !ok)
    f->write_failed = !f->nomem;
}

static void explain_one(finding *f, uint64_t line)
{
  char where[512], key[256], why[600];
  step_why failure;
  wbuf one = {0};
  write_record_key(f->P, f->step.ctx, key, sizeof key);
  snprintf(where, sizeof where, "%s:%llu", f->name, (unsigned long long)line);
  if (f->stats->written && !f->o->json)
    wbuf_puts(&one, "\n"); /* between two trees; only with the second one's */
  step_result res = step_evaluate(&f->step, 0, &failure);
  vm_status st = VM_OK;
  if (res == STEP_OK)
    st = explain_record(f->P, f->step.ctx, where, key, f->o->json, &one);
  if (res == STEP_OK && st == VM_OK)
    wbuf_put(&f->out, one.p, one.len);
  f->nomem |= one.failed;
  wbuf_free(&one);
  if (res == STEP_NO_MEMORY || st == VM_ERR_NO_MEMORY) {
    f->nomem = true;
  } else if (res == STEP_FAILED) {
    wbuf_printf(&f->log, "%s: the record cannot be evaluated: %s\n", where,
                step_failure_text(&f->step, &failure, why, sizeof why));
  } else if (st != VM_OK) {
    char at[256];
    prog_where(f->P, vm_error_pc(f->step.ctx), at, sizeof at);
    wbuf_printf(&f->log, "%s: the record cannot be evaluated: %s at %s\n", where, vm_status_str(st),
                at);
  }
  f->stats->written++;
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
  rec_header_fini(&f->header);
  if (rec_header_init(&f->header, f->P, r, error, sizeof error, unknown, sizeof unknown))
    return FEED_HEADER_OK;
  if (f->header.no_memory)
    return FEED_HEADER_NO_MEMORY;
  wbuf_printf(&f->log, "%s:%llu: error: %s\n", name, (unsigned long long)line, error);
  return FEED_HEADER_REFUSED;
}

static void finding_chunk(void *arg, input_chunk *c, size_t skip, uint64_t skip_lines)
{
  finding *f = arg;
  split_record r;
  step_why why;
  split_begin(&f->split, f->split.format, c, skip, skip_lines);
  while (split_next(&f->split, &r) && !f->nomem && !f->write_failed) {
    f->stats->records++;
    step_result res = step_type(&f->step, &f->header, &r, &f->unknown, &why);
    if (res == STEP_NO_MEMORY)
      f->nomem = true;
    else if (res == STEP_OK && matches(f))
      explain_one(f, r.line);
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

/* The field each match names, looked up once. */
static bool match_fields(finding *f)
{
  f->match = mem_calloc(f->o->nmatch + 1, sizeof *f->match);
  if (!f->match)
    return false;
  for (size_t i = 0; i < f->o->nmatch; i++)
    f->match[i] = prog_find_field(f->P, f->o->fields[i]);
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
  if (!match_fields(&f) || !step_init(&f.step, P, o->as_of, false))
    f.nomem = true;
  for (size_t i = 0; i < ninputs && st == FEED_OK && !f.nomem && !f.write_failed; i++) {
    f.name = inputs[i].name ? inputs[i].name : "-";
    f.split.format = feed_format(&inputs[i]);
    st = feed_input(&inputs[i], 0, io, &handler);
    flush(&f);
  }
  step_fini(&f.step);
  rec_header_fini(&f.header);
  input_chunk_fini(&f.chunk);
  split_fini(&f.split);
  wbuf_free(&f.out);
  wbuf_free(&f.log);
  mem_free(f.match);
  if (f.nomem || st == FEED_NO_MEMORY)
    return ELIG_ENOMEM;
  if (st == FEED_CANCELED)
    return ELIG_ECANCELED;
  if (st == FEED_REFUSED || f.write_failed)
    return ELIG_EIO;
  return ELIG_OK;
}
