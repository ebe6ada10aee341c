/*
 * split.c -- chunks into records.  See split.h.
 */
#include <string.h>

#include "record.h"
#include "split.h"

void split_init(splitter *s)
{
  memset(s, 0, sizeof *s);
  csv_parser_init(&s->csv, NULL);
  jdoc_init(&s->json, REC_JDOC_OPTIONS);
}

void split_fini(splitter *s)
{
  csv_parser_fini(&s->csv);
  jdoc_fini(&s->json);
}

void split_begin(splitter *s, input_format fmt, const input_chunk *c, size_t skip,
                 uint64_t skip_lines)
{
  s->format = fmt;
  s->p = c->data + skip;
  s->end = c->data + c->len;
  s->line = c->first_line + skip_lines;
}

/* Past n empty lines (LF or CRLF each) at p. */
static const char *skip_blank_lines(const char *p, size_t n)
{
  for (; n; n--)
    p += *p == '\r' ? 2 : 1;
  return p;
}

/* The record without its line end (LF or CRLF); a CR before that is its data. */
static size_t without_line_end(const char *raw, size_t n)
{
  if (n && raw[n - 1] == '\n' && --n && raw[n - 1] == '\r')
    n--;
  return n;
}

static bool next_csv(splitter *s, split_record *r)
{
  while (s->p < s->end) {
    const char *next = csv_parse_record(&s->csv, s->p, s->end, &s->cells);
    const char *raw = skip_blank_lines(s->p, s->cells.blank_lines);
    uint64_t at = s->line + s->cells.blank_lines; /* the record's first line */
    s->line += s->cells.lines;
    s->p = next;
    if (s->cells.error == CSV_OK && s->cells.ncells == 0)
      continue; /* blank lines at the end */
    /* field by field: a compound literal would also clear json_at's message, per record */
    r->raw = raw;
    r->rawlen = without_line_end(raw, (size_t)(next - raw));
    r->line = at;
    r->format = INPUT_CSV;
    r->csv = &s->cells;
    r->json = NULL;
    r->json_error = JDOC_OK;
    return true;
  }
  return false;
}

static bool next_jsonl(splitter *s, split_record *r)
{
  while (s->p < s->end) {
    const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
    const char *raw = s->p;
    size_t n = (size_t)((nl ? nl : s->end) - raw);
    uint64_t at = s->line++;
    s->p = nl ? nl + 1 : s->end;
    if (n && raw[n - 1] == '\r')
      n--;
    if (n == 0)
      continue; /* what jdoc_parse says of it, without formatting that message: a register
                   reads its stored records back with up to millions of blank lines */
    r->raw = raw;
    r->rawlen = n;
    r->line = at;
    r->format = INPUT_JSONL;
    r->csv = NULL;
    r->json_error = jdoc_parse(&s->json, raw, n, &r->json_at);
    if (r->json_error == JDOC_EEMPTY)
      continue;
    r->json = r->json_error == JDOC_OK ? &s->json : NULL;
    return true;
  }
  return false;
}

bool split_next(splitter *s, split_record *r)
{
  return s->format == INPUT_CSV ? next_csv(s, r) : next_jsonl(s, r);
}
