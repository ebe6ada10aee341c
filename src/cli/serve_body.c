/*
 * serve_body.c -- cutting a request body into records for `elig serve`.
 *
 * A client sends one record as a JSON object (on one line or pretty-printed), many as JSON
 * Lines, or many as a JSON array.  This file only finds where each record's text begins and
 * ends; the library parses and checks each one (elig_eval_json), so malformed JSON inside a
 * record is reported by the same code, with the same words, as in `elig run`, at a place in
 * the record's text that body_place turns into one in the body.
 *
 * The scan counts brackets outside strings and never recurses, so deep nesting costs
 * nothing here (the library limits it per record).
 */
#include <stdio.h>
#include <string.h>

#include "serve.h"

#define NOT_FOUND ((size_t)-1)

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *p, size_t len, size_t i)
{
  while (i < len && is_space(p[i]))
    i++;
  return i;
}

/* Walks JSON text from i, skipping strings and counting brackets.  With `to_separator`,
 * stops at the first ',' or ']' outside the brackets opened after i and returns its offset;
 * otherwise i is at a '{' or '[' and the walk returns the offset just past the bracket that
 * closes it.  NOT_FOUND when the text ends first. */
static size_t scan(const char *p, size_t len, size_t i, bool to_separator)
{
  size_t depth = 0;
  bool in_string = false;
  for (; i < len; i++) {
    char c = p[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0 && !to_separator)
        return i + 1;
    } else if ((c == ',' || c == ']') && depth == 0 && to_separator) {
      return i;
    }
  }
  return NOT_FOUND;
}

static bool has_newline(const char *p, size_t from, size_t to)
{
  return memchr(p + from, '\n', to - from) != NULL;
}

/* Moves the array reader's line count to offset `to` (never backwards), so that lines and
 * columns cost one pass over the body in all. */
static void advance(body_reader *r, size_t to)
{
  for (const char *q = r->body + r->counted; (q = memchr(q, '\n', (size_t)(r->body + to - q)));
       q++) {
    r->line++;
    r->line_start = (size_t)(q - r->body) + 1;
  }
  r->counted = to;
}

/* BODY_LINES: the next non-blank line, without its line end. */
static bool next_line(body_reader *r, body_record *rec)
{
  while (r->pos < r->len) {
    const char *p = r->body + r->pos;
    const char *nl = memchr(p, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - p) : r->len - r->pos;
    size_t line = r->line++;
    r->pos += n + (nl ? 1 : 0);
    if (skip_space(p, n, 0) == n)
      continue;
    while (is_space(p[n - 1]))
      n--;
    rec->text = p; /* from the line's start, so that a column in an error is the line's */
    rec->len = n;
    rec->number = line;
    rec->line = line;
    rec->column = 1;
    return true;
  }
  r->done = true;
  return false;
}

static bool array_error(body_reader *r, const char *what, size_t at)
{
  snprintf(r->error, sizeof r->error, "malformed JSON array at byte %zu: %s", at + 1, what);
  r->done = true;
  return false;
}

/* BODY_ARRAY: the next element, up to the ',' or ']' that ends it at the array's level. */
static bool next_element(body_reader *r, body_record *rec)
{
  const char *p = r->body;
  size_t i = skip_space(p, r->len, r->pos);
  bool found = false;
  if (r->index == 0 && i < r->len && p[i] == ']') {
    r->pos = i + 1; /* [] holds no record */
  } else {
    size_t sep = scan(p, r->len, i, true);
    if (sep == NOT_FOUND)
      return array_error(r, "the array is not closed with ']'", r->len - 1);
    size_t end = sep;
    while (end > i && is_space(p[end - 1]))
      end--;
    if (end == i)
      return array_error(r, "an element is missing", sep);
    rec->text = p + i;
    rec->len = end - i;
    rec->number = r->index++;
    advance(r, i);
    rec->line = r->line;
    rec->column = i - r->line_start + 1;
    r->pos = sep + 1;
    found = true;
    if (p[sep] == ',')
      return true;
  }
  r->done = true;
  size_t rest = skip_space(p, r->len, r->pos);
  if (rest != r->len)
    return array_error(r, "text after the closing ']'", rest);
  return found;
}

/* Walks a whole array once, so that a malformed one is refused before any record of it is
 * evaluated. */
static void check_array(body_reader *r)
{
  body_reader dry = *r;
  body_record rec;
  while (!dry.done)
    (void)next_element(&dry, &rec);
  memcpy(r->error, dry.error, sizeof r->error);
  r->done = r->error[0] != '\0';
}

void body_reader_init(body_reader *r, const char *body, size_t len, bool lines)
{
  memset(r, 0, sizeof *r);
  r->body = body;
  r->len = len;
  r->line = 1;
  size_t start = 0;
  if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
    start = 3; /* a UTF-8 byte order mark, as some Windows tools write */
  r->pos = start;
  size_t i = skip_space(body, len, start);
  if (i == len) {
    r->shape = BODY_EMPTY;
    r->done = true;
    return;
  }
  if (lines) {
    r->shape = BODY_LINES;
    return;
  }
  if (body[i] == '[') {
    r->shape = BODY_ARRAY;
    r->pos = i + 1;
    check_array(r);
    return;
  }
  r->shape = BODY_ONE; /* from `start`, so that positions in errors are the body's */
  if (body[i] != '{')
    return;
  size_t end = scan(body, len, i, false);
  if (end == NOT_FOUND || skip_space(body, len, end) == len)
    return;
  /* more after the first object: JSON Lines if that object sat on a line of its own */
  if (!has_newline(body, i, end) && has_newline(body, end, len)) {
    r->shape = BODY_LINES;
    r->pos = start;
  }
}

bool body_next(body_reader *r, body_record *rec)
{
  if (r->done)
    return false;
  switch (r->shape) {
  case BODY_EMPTY: return false;
  case BODY_ONE:
    rec->text = r->body + r->pos;
    rec->len = r->len - r->pos;
    rec->number = 1;
    rec->line = 1;
    rec->column = 1;
    r->done = true;
    return true;
  case BODY_LINES: return next_line(r, rec);
  case BODY_ARRAY: return next_element(r, rec);
  }
  return false;
}

size_t body_count(const body_reader *r, size_t limit)
{
  body_reader dry = *r;
  body_record rec;
  size_t n = 0;
  while (n <= limit && body_next(&dry, &rec))
    n++;
  return n;
}

void body_place(const body_record *rec, size_t line, size_t column, size_t *body_line,
                size_t *body_column)
{
  /* the record's first line begins at its column of the body; its later lines at the
   * starts of the body's lines */
  *body_line = rec->line + line - 1;
  *body_column = line == 1 ? rec->column + column - 1 : column;
}
