/*
 * once.h -- whether every household of a run's inputs comes once in them.
 *
 * A rule set that follows households over the years (`key hh_id per year`) is run in two
 * passes (hrun.h): every record is typed and kept, then each household's records are
 * evaluated in the order of their years.  When no household has two records in the inputs,
 * that order changes nothing: every previous() is none and no household-year repeats, so
 * each record can be evaluated as it is read, as for a rule set without history, and
 * nothing need be kept.  That is the usual case of a run over one year's register, and the
 * two passes cost it about as much as the evaluation itself.
 *
 * Place in the pipeline: before batch.c reads its inputs, when the caller says they can be
 * read twice (elig_run_options.reread).  once_scan reads them through the same reader, CSV
 * parser and header mapping as the run itself and keeps only a 64-bit hash of each record's
 * household link (its key cells but the year, as written).  Two households whose hashes
 * collide count as one household twice, which only sends the run to the two passes: the
 * answer "each once" is exact.
 *
 * Only for a rule set whose linking fields are all text: a text value is the CSV cell as
 * written, or the JSON string unescaped, so two records of one household have the same key
 * texts.  (An int key would let "007" and "7" be one household.)
 */
#ifndef ELIG_ONCE_H
#define ELIG_ONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elig.h"
#include "program.h"
#include "record.h"
#include "split.h"

typedef enum {
  ONCE_EACH,      /* every household comes once */
  ONCE_NOT,       /* some household comes twice, or the inputs could not all be read */
  ONCE_CANCELED,  /* the batch's cancel callback said so */
  ONCE_NO_MEMORY, /* out of memory */
} once_result;

/* What the records' keys add up to: the same in both readings when the inputs did not
 * change between them. */
typedef struct {
  uint64_t records;
  uint64_t sum; /* of once_key_hash over the records */
} once_sum;

/* Whether once_scan can answer for P: it follows households linked by text fields. */
bool once_applies(const elig_program *P);

/* Reads the inputs (each opened, read and closed) in chunks of chunk_bytes (0: the
 * default).  The hashes are kept in a table of at most 16 MiB (or memory_limit bytes, if
 * less), then dealt into partitions in temporary files and each partition looked at alone
 * at the end, so memory stays a few MiB whatever the number of households; ONCE_NOT when a
 * partition's table would take more than memory_limit or a temporary file fails (the run
 * then takes the two passes).  *sum receives what the keys of the records read add up to. */
once_result once_scan(const elig_program *P, const elig_input *inputs, size_t ninputs,
                      size_t chunk_bytes, size_t memory_limit, const elig_batch_io *io,
                      once_sum *sum);

/* The hash of record r's household link as written (its key cells but the order field),
 * under header h.  The same for two records of one household. */
uint64_t once_key_hash(const elig_program *P, const rec_header *h, const split_record *r);

#endif
