/*
 * feed.c - the reading loop of a batch (see feed.h).
 */
#include "feed.h"

#include <stdarg.h>

/* A message about the file: to the driver's note(), which keeps it in input order among
 * the messages of the records before it, or else straight to the log. */
__attribute__((format(printf, 3, 4))) static void say(const feed_handler *h, FILE *log,
                                                      const char *fmt, ...)
{
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (h->note)
    h->note(h->arg, text);
  else
    fputs(text, log);
}

/* Finds the header record at the start of the first chunk of a CSV file and hands it to
 * the driver; *skip and *skip_lines receive what the chunk's records start after. */
static bool read_header(const char *name, const input_chunk *c, const feed_handler *h,
                        FILE *log, size_t *skip, uint64_t *skip_lines)
{
  csv_parser ps;
  csv_record r;
  csv_parser_init(&ps, NULL);
  const char *next = csv_parse_record(&ps, c->data, c->data + c->len, &r);
  uint64_t line = c->first_line + r.blank_lines;
  bool ok = false;
  if (r.error != CSV_OK) {
    say(h, log, "%s:%llu: error: malformed header: %s\n", name, (unsigned long long)line,
        r.message);
  } else if (r.ncells == 0) {
    /* blank lines to the end of the chunk, which holds whole records: so to the end */
    say(h, log, "%s: warning: the file holds only blank lines: no header line, no record\n",
        name);
    *skip = (size_t)(next - c->data);
    *skip_lines = r.lines;
    ok = true;
  } else {
    feed_header fh = h->header(h->arg, name, line, &r);
    if (fh == FEED_HEADER_OK) {
      *skip = (size_t)(next - c->data);
      *skip_lines = r.lines;
    }
    ok = fh != FEED_HEADER_REFUSED;
  }
  csv_parser_fini(&ps);
  return ok;
}

static bool interrupted_now(volatile sig_atomic_t *interrupted)
{
  return interrupted && *interrupted;
}

feed_status feed_file(const char *name, input_format fmt, size_t chunk_bytes,
                      volatile sig_atomic_t *interrupted, const feed_handler *h, FILE *log)
{
  input_error err;
  input_options io = {.chunk_bytes = chunk_bytes, .stop = interrupted};
  input_source *src = input_open(name, fmt, &io, &err);
  if (!src) {
    say(h, log, "elig: %s\n", err.message);
    return FEED_REFUSED;
  }
  feed_status status = FEED_OK;
  bool first = true;
  for (;;) {
    if (interrupted_now(interrupted)) {
      status = FEED_INTERRUPTED;
      break;
    }
    input_chunk *c = h->buffer(h->arg);
    input_status st = input_next_chunk(src, c, &err);
    if (st == INPUT_EREAD && interrupted_now(interrupted)) {
      status = FEED_INTERRUPTED;
      break;
    }
    if (st == INPUT_EOF) {
      if (first && fmt == INPUT_CSV)
        say(h, log, "%s: warning: the file is empty: no header line, no record\n", name);
      break;
    }
    if (st == INPUT_RECORD_TOO_LONG) {
      if (h->too_long)
        h->too_long(h->arg, c, err.line, err.message);
      continue;
    }
    if (st != INPUT_OK) {
      say(h, log, "elig: cannot read '%s': %s\n", name, err.message);
      status = FEED_REFUSED;
      break;
    }
    size_t skip = 0;
    uint64_t skip_lines = 0;
    if (first && fmt == INPUT_CSV && !read_header(name, c, h, log, &skip, &skip_lines)) {
      status = FEED_REFUSED;
      break;
    }
    first = false;
    h->chunk(h->arg, c, skip, skip_lines);
    if (h->stop && h->stop(h->arg))
      break;
  }
  input_close(src);
  return status;
}
