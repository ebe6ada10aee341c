/*
 * feed.c - the reading loop of a batch (see feed.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "i18n.h"
#include "mem.h"

/* A message about the input, to the driver's note().  One naming a long input (a path of
 * 4096 bytes, a register's stored file) is formatted again to its length: cut to a buffer,
 * it lost its end and its line end, and the next message ran on after it. */
__attribute__((format(printf, 2, 3))) static void say(const feed_handler *h, const char *fmt, ...)
{
  char small[1024], *text = small;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof small && (text = mem_alloc((size_t)n + 1)) != NULL) {
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
  } else if ((size_t)n >= sizeof small) {
    text = small; /* out of memory: cut, but still a line */
    memcpy(small + sizeof small - 5, "...\n", 5);
  }
  h->note(h->arg, text);
  if (text != small)
    mem_free(text);
}

/* A message in the reader's language, formatted at its length (a file name may be long),
 * for say() to put after what starts the line as scripts read it ("FILE:LINE: error: ",
 * "elig: "), which is never translated.  Freed by the caller; NULL when out of memory. */
__attribute__((format(printf, 1, 2))) static char *message(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *text = n >= 0 ? mem_alloc((size_t)n + 1) : NULL;
  if (text) {
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  return text;
}

input_format feed_format(const elig_input *in)
{
  return in->format == ELIG_INPUT_JSONL ? INPUT_JSONL : INPUT_CSV;
}

/* Finds the header record at the start of the first chunk of a CSV file and hands it to
 * the driver; *skip and *skip_lines receive what the chunk's records start after. */
static feed_header read_header(const char *name, const input_chunk *c, const feed_handler *h,
                               size_t *skip, uint64_t *skip_lines)
{
  csv_parser ps;
  csv_record r;
  csv_parser_init(&ps, NULL);
  const char *next = csv_parse_record(&ps, c->data, c->data + c->len, &r);
  uint64_t line = c->first_line + r.blank_lines;
  feed_header fh = FEED_HEADER_OK;
  if (r.error == CSV_ENOMEM) {
    fh = FEED_HEADER_NO_MEMORY;
  } else if (r.error != CSV_OK) {
    /* TRANSLATORS: a CSV file's header line cannot be parsed: %s says why. */
    char *m = message(_("malformed header: %s"), r.message);
    say(h, "%s:%llu: error: %s\n", name, (unsigned long long)line, m ? m : "...");
    mem_free(m);
    fh = FEED_HEADER_REFUSED;
  } else if (r.ncells == 0) {
    /* blank lines to the end of the chunk, which holds whole records: so to the end */
    say(h, "%s: warning: %s\n", name,
        /* TRANSLATORS: of a CSV file given as input. */
        _("the file holds only blank lines: no header line, no record"));
    *skip = (size_t)(next - c->data);
    *skip_lines = r.lines;
  } else {
    fh = h->header(h->arg, name, line, &r);
    if (fh == FEED_HEADER_OK) {
      *skip = (size_t)(next - c->data);
      *skip_lines = r.lines;
    }
  }
  csv_parser_fini(&ps);
  return fh;
}

static bool cancelled(const elig_batch_io *io)
{
  return io && io->cancelled && io->cancelled(io->arg);
}

/* The input's own name, or "-" when it gave none. */
static const char *name_of(const elig_input *in)
{
  return in->name ? in->name : "-";
}

static feed_status read_all(input_source *src, const elig_input *in, const elig_batch_io *io,
                            const feed_handler *h)
{
  input_format fmt = feed_format(in);
  input_error err;
  bool first = true;
  for (;;) {
    if (cancelled(io))
      return FEED_CANCELED;
    input_chunk *c = h->buffer(h->arg);
    input_status st = input_next_chunk(src, c, &err);
    if (st == INPUT_EREAD && cancelled(io))
      return FEED_CANCELED;
    if (st == INPUT_EOF) {
      if (first && fmt == INPUT_CSV)
        say(h, "%s: warning: %s\n", name_of(in),
            /* TRANSLATORS: of a CSV file given as input. */
            _("the file is empty: no header line, no record"));
      return FEED_OK;
    }
    if (st == INPUT_RECORD_TOO_LONG) {
      if (h->too_long)
        h->too_long(h->arg, c, err.line, err.limit);
      continue;
    }
    if (st == INPUT_ENOMEM)
      return FEED_NO_MEMORY;
    if (st != INPUT_OK) {
      /* TRANSLATORS: %1$s is an input file, %2$s why it cannot be read. */
      char *m = message(_("cannot read '%s': %s"), name_of(in), err.message);
      say(h, "elig: %s\n", m ? m : "...");
      mem_free(m);
      return FEED_REFUSED;
    }
    size_t skip = 0;
    uint64_t skip_lines = 0;
    if (first && fmt == INPUT_CSV) {
      feed_header fh = read_header(name_of(in), c, h, &skip, &skip_lines);
      if (fh == FEED_HEADER_NO_MEMORY)
        return FEED_NO_MEMORY;
      if (fh == FEED_HEADER_REFUSED)
        return FEED_REFUSED;
    }
    first = false;
    h->chunk(h->arg, c, skip, skip_lines);
    if (h->stop && h->stop(h->arg))
      return FEED_OK;
  }
}

feed_status feed_input(const elig_input *in, size_t chunk_bytes, const elig_batch_io *io,
                       const feed_handler *h)
{
  if (in->open) {
    int e = in->open(in->arg);
    if (e) {
      /* TRANSLATORS: %1$s is an input file, %2$s the system's reason. */
      char *m = message(_("cannot open '%s': %s"), name_of(in), strerror(e));
      say(h, "elig: %s\n", m ? m : "...");
      mem_free(m);
      return FEED_REFUSED;
    }
  }
  input_error err;
  input_options opt = {.chunk_bytes = chunk_bytes};
  input_source *src = input_open(in->read, in->arg, feed_format(in), &opt, &err);
  feed_status st = src ? read_all(src, in, io, h) : FEED_NO_MEMORY;
  input_close(src);
  if (in->close)
    in->close(in->arg);
  return st;
}
