/*
 * hrun.h -- a batch run over households followed through the years: every record evaluated
 * after its household's record of the year before, whatever the order of the input, and the
 * results written in input order.
 *
 * Place in the pipeline: batch.c reads and types the input as for any run (feed.c, split.c,
 * step.c, in parallel), but a record of a rule set with `key hh_id per year` is not
 * evaluated as it comes: its household and year (hist_link, hist_year), input line and raw
 * text become an entry here, and a rejection an item (its place in input order, its stream,
 * its text).  Once the whole input is read, hrun_evaluate orders the entries by household
 * and year, and evaluates each household's records in turn through a history chain (hist.c):
 * the record is cut and typed again from its raw text, evaluated with what its previous
 * record kept, and its result line becomes an item.  hrun_write then hands every item to
 * the caller in input order.
 *
 * Memory: about a budget; past it, the entries and results go to temporary files (spill.h);
 * doc/performance.md gives the figures.
 */
#ifndef ELIG_HRUN_H
#define ELIG_HRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "elig.h"
#include "record.h"
#include "step.h"
#include "wbuf.h"

typedef struct hrun hrun;

/* An entry as hrun_entry writes it: this header, then the link and the raw text; entries
 * follow each other in a buffer, `size` bytes apart (a multiple of 8). */
typedef struct {
  uint32_t size;     /* the whole entry, header, link and raw text, rounded up to 8 */
  uint32_t link_len; /* bytes of the link after the header */
  uint64_t hash;     /* of the link: most comparisons stop there */
  int64_t year;
  uint64_t ord; /* its place in input order */
  uint64_t line;
  uint32_t input;
  uint32_t raw_len;
  uint32_t format;    /* input_format */
  uint32_t image_len; /* bytes of the typed record (vm_image) after the link */
} hrun_rec;

static inline const char *hrun_rec_link(const hrun_rec *e)
{
  return (const char *)(e + 1);
}
static inline const char *hrun_rec_raw(const hrun_rec *e)
{
  return hrun_rec_link(e) + e->link_len + e->image_len;
}

/* How a result or a rejection is written (batch.c's formats, which hrun does not know). */
typedef struct {
  void *arg;
  elig_stream result_stream; /* where results go (ELIG_STREAM_RESULTS for a run) */
  /* Whether the household whose link (hist_link) is given is evaluated at all; NULL: all. */
  bool (*wanted)(void *arg, const char *link, size_t len);
  /* The result of the record evaluated in s (entry e, of file `name`), appended to out;
   * `kept` is what it keeps for the next year (len bytes). */
  void (*result)(void *arg, const step *s, const hrun_rec *e, const char *name, const char *kept,
                 size_t len, wbuf *out);
  /* Where a household's first record finds its year before when the caller keeps it (hist.h:
   * the chain's seed); NULL: nowhere. */
  const void *(*seed)(void *arg, const char *link, size_t link_len, int64_t year, size_t *len);
  /* A record rejected while evaluated (a duplicate, a rule that failed): its reject row on
   * rej or its message on log.  name and h are its file's; failed: a rule failed (why->vm),
   * else why->reject says why. */
  void (*reject)(void *arg, const step *s, const hrun_rec *e, const char *name, const rec_header *h,
                 const split_record *r, const step_why *why, bool failed, wbuf *rej, wbuf *log);
} hrun_format;

/* The hash of a household's link (hist_link) that an entry carries (hrun_rec.hash): for
 * the buckets here, and for whoever keeps households by link beside a run (register.c). */
uint64_t hrun_link_hash(const char *link, size_t len);

/* A run for P keeping about `budget` bytes in memory (0: 256 MiB), the rest in temporary
 * files. */
hrun *hrun_new(const elig_program *P, size_t budget);
void hrun_free(hrun *h);

/* Appends to out the entry of the record typed in s: its place in input order (ord), line,
 * input number and format, its typed values (evaluated later without typing it again) and
 * its raw text (for a rejection's row). */
void hrun_entry(wbuf *out, const step *s, uint64_t ord, const split_record *r, uint32_t input);

/* Appends to out an item: `len` bytes for `stream` at place ord of the input order (a
 * rejection, a message). */
void hrun_item(wbuf *out, uint64_t ord, elig_stream stream, const char *text, size_t len);

/* Takes the entries and items of a job (buffers of hrun_entry and hrun_item calls), which
 * are emptied.  False when out of memory. */
bool hrun_add(hrun *h, wbuf *entries, wbuf *items);

/* Evaluates every entry after its household's record of the year before, with the steps of
 * `nsteps` threads (each with its own splitter), headers and names per input.  A rule that
 * fails and a duplicate household-year become rejections.  Returns false when out of memory;
 * *rejected counts the records rejected here. */
bool hrun_evaluate(hrun *h, step *const *steps, unsigned nsteps, const rec_header *headers,
                   const char *const *names, const hrun_format *fmt, uint64_t *rejected);

/* Hands every item to write(arg, stream, text, len) in input order; stops at the first false
 * it returns (and returns false).  Before hrun_evaluate (a run that stopped), only the items
 * of the reading: its messages and rejections. */
bool hrun_write(hrun *h, bool (*write)(void *arg, elig_stream s, const char *text, size_t len),
                void *arg);

/* Whether a temporary file could not be made, written or read (the run's outputs are
 * incomplete: ELIG_EIO). */
bool hrun_failed_io(const hrun *h);
/* The errno of that failure. */
int hrun_io_errno(const hrun *h);
/* Whether memory ran out (also while writing). */
bool hrun_failed_memory(const hrun *h);

#endif
