/*
 * check_serve_body.c -- how `elig serve` cuts a request body into records (serve_body.c):
 * the shape it decides and the records it hands out, for each shape and its edge cases, and
 * where a place in a record's text is in the body.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "serve.h"

/* The records of `body` as "number@line.column:text|...", and the shape. */
static const char *cut(const char *body, bool lines, body_shape *shape, char *out, size_t size)
{
  body_reader r;
  body_reader_init(&r, body, strlen(body), lines);
  *shape = r.shape;
  size_t n = 0;
  out[0] = '\0';
  body_record rec;
  while (body_next(&r, &rec) && n < size)
    n += (size_t)snprintf(out + n, size - n, "%zu@%zu.%zu:%.*s|", rec.number, rec.line, rec.column,
                          (int)rec.len, rec.text);
  if (r.error[0] && n < size)
    snprintf(out + n, size - n, "ERROR %s", r.error);
  return out;
}

typedef struct {
  const char *body;
  bool lines; /* the request said JSON Lines */
  body_shape shape;
  const char *records; /* number@line.column:text| for each record, then any error */
} body_case;

static const body_case cases[] = {
    /* one object, on a line or pretty-printed, with or without white space and a BOM */
    {"{\"a\":1}", false, BODY_ONE, "1@1.1:{\"a\":1}|"},
    {"  {\"a\":1}\n\n", false, BODY_ONE, "1@1.1:  {\"a\":1}\n\n|"},
    {"\xEF\xBB\xBF{\"a\":1}", false, BODY_ONE, "1@1.1:{\"a\":1}|"},
    {"{\n \"a\": 1,\n \"b\": [1, 2]\n}\n", false, BODY_ONE,
     "1@1.1:{\n \"a\": 1,\n \"b\": [1, 2]\n}\n|"},
    /* what is not an object is one record too, for the library to refuse with a position */
    {"\"text\"", false, BODY_ONE, "1@1.1:\"text\"|"},
    {"{\"a\":", false, BODY_ONE, "1@1.1:{\"a\":|"},
    /* brackets and quotes inside strings do not count */
    {"{\"a\":\"}{\\\"\"}", false, BODY_ONE, "1@1.1:{\"a\":\"}{\\\"\"}|"},
    /* JSON Lines: each non-blank line, with its line number; CRLF and blank lines */
    {"{\"a\":1}\n{\"a\":2}\n", false, BODY_LINES, "1@1.1:{\"a\":1}|2@2.1:{\"a\":2}|"},
    {"{\"a\":1}\r\n\r\n  \n{\"a\":2}\r\n", false, BODY_LINES, "1@1.1:{\"a\":1}|4@4.1:{\"a\":2}|"},
    {"{\"a\":1}\n{\"a\":", false, BODY_LINES, "1@1.1:{\"a\":1}|2@2.1:{\"a\":|"},
    /* a line keeps its leading white space, so that columns in errors are the line's */
    {"  {\"a\":1}\n\t{\"a\":2}", false, BODY_LINES, "1@1.1:  {\"a\":1}|2@2.1:\t{\"a\":2}|"},
    /* a pretty-printed first object followed by more is one (bad) record, not lines */
    {"{\n\"a\":1}\n{\"a\":2}", false, BODY_ONE, "1@1.1:{\n\"a\":1}\n{\"a\":2}|"},
    /* the request said JSON Lines: one line is still a batch */
    {"{\"a\":1}", true, BODY_LINES, "1@1.1:{\"a\":1}|"},
    {"\n\n", true, BODY_EMPTY, ""},
    /* empty */
    {"", false, BODY_EMPTY, ""},
    {" \r\n\t", false, BODY_EMPTY, ""},
    /* arrays: elements by index, nested brackets, lines where each begins */
    {"[{\"a\":1},{\"a\":[2,{\"b\":3}]}]", false, BODY_ARRAY,
     "0@1.2:{\"a\":1}|1@1.10:{\"a\":[2,{\"b\":3}]}|"},
    {"[\n {\"a\":1},\n {\"a\":\"],\"}\n]\n", false, BODY_ARRAY,
     "0@2.2:{\"a\":1}|1@3.2:{\"a\":\"],\"}|"},
    {"[ ]", false, BODY_ARRAY, ""},
    {"[1]", false, BODY_ARRAY, "0@1.2:1|"},
    /* malformed arrays are refused whole, before any element */
    {"[{\"a\":1},]", false, BODY_ARRAY,
     "ERROR malformed JSON array at byte 10: an element is missing"},
    {"[{\"a\":1}", false, BODY_ARRAY,
     "ERROR malformed JSON array at byte 8: the array is not closed with ']'"},
    {"[{\"a\":1}] x", false, BODY_ARRAY,
     "ERROR malformed JSON array at byte 11: text after the closing ']'"},
    {"[,]", false, BODY_ARRAY, "ERROR malformed JSON array at byte 2: an element is missing"},
    {"[\"unterminated]", false, BODY_ARRAY,
     "ERROR malformed JSON array at byte 15: the array is not closed with ']'"},
};

START_TEST(test_serve_body_cases)
{
  const body_case *c = &cases[_i];
  body_shape shape;
  char got[512];
  cut(c->body, c->lines, &shape, got, sizeof got);
  ck_assert_msg(shape == c->shape, "case %d: shape %d, expected %d", _i, shape, c->shape);
  ck_assert_msg(strcmp(got, c->records) == 0, "case %d: got '%s', expected '%s'", _i, got,
                c->records);
}
END_TEST

/* Deep nesting costs nothing: the scan counts brackets, it does not recurse. */
START_TEST(test_serve_body_deep_nesting)
{
  enum {
    DEPTH = 200000
  };
  static char body[2 * DEPTH + 3];
  body[0] = '[';
  memset(body + 1, '[', DEPTH);
  memset(body + 1 + DEPTH, ']', DEPTH);
  body[1 + 2 * DEPTH] = ']';
  body_reader r;
  body_reader_init(&r, body, 2 * DEPTH + 2, false);
  ck_assert_int_eq(r.shape, BODY_ARRAY);
  ck_assert_str_eq(r.error, "");
  body_record rec;
  ck_assert(body_next(&r, &rec));
  ck_assert_uint_eq(rec.len, 2 * DEPTH);
  ck_assert(!body_next(&r, &rec));
}
END_TEST

/* Lines and columns are counted once over the body: a million elements on one line (which
 * a column found by looking back from each would make quadratic) pass within the test's
 * time limit. */
START_TEST(test_serve_body_many_elements)
{
  enum {
    N = 1000000
  };
  static char body[2 * N + 2];
  body[0] = '[';
  for (size_t i = 0; i < N; i++) {
    body[1 + 2 * i] = '1';
    body[2 + 2 * i] = i + 1 < N ? ',' : ']';
  }
  body_reader r;
  body_reader_init(&r, body, 2 * N + 1, false);
  ck_assert_str_eq(r.error, "");
  body_record rec;
  size_t n = 0;
  while (body_next(&r, &rec))
    n++;
  ck_assert_uint_eq(n, N);
  ck_assert_uint_eq(rec.line, 1);
  ck_assert_uint_eq(rec.column, 2 * N);
}
END_TEST

/* A place the library gives in a record's text (line.column) is said in the body's: the
 * first line of a record is shifted by where the record begins, later lines are not. */
typedef struct {
  const char *body;
  size_t index;        /* the record, counted from 0 */
  size_t line, column; /* the place in its text */
  size_t body_line, body_column;
} place_case;

static const place_case places[] = {
    /* one record: its text is the body's from the start */
    {"{\"a\":\n", 0, 2, 1, 2, 1},
    {"{\"a\" 1}", 0, 1, 6, 1, 6},
    /* JSON Lines: a line's text starts at column 1 of its body line, blank lines counted */
    {"{\"a\":1}\n\n  {\"a\" 2}", 1, 1, 8, 3, 8},
    /* array elements: the first line shifted by the element's column */
    {"[{\"a\":1}, {\"a\" 2}]", 1, 1, 6, 1, 16},
    {"[\n {\"a\":1},\n {\"a\" 2}\n]", 1, 1, 6, 3, 7},
    {"[{\"a\":\n 1 x}]", 0, 2, 4, 2, 4},
};

START_TEST(test_serve_body_place)
{
  const place_case *c = &places[_i];
  body_reader r;
  body_reader_init(&r, c->body, strlen(c->body), false);
  body_record rec;
  for (size_t i = 0; i <= c->index; i++)
    ck_assert_msg(body_next(&r, &rec), "case %d: no record %zu", _i, i);
  size_t line, column;
  body_place(&rec, c->line, c->column, &line, &column);
  ck_assert_msg(line == c->body_line && column == c->body_column,
                "case %d: %zu.%zu went to %zu.%zu, expected %zu.%zu", _i, c->line, c->column, line,
                column, c->body_line, c->body_column);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("serve_body");
  TCase *tc = tcase_create("cut");
  tcase_add_loop_test(tc, test_serve_body_cases, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(tc, test_serve_body_deep_nesting);
  tcase_add_test(tc, test_serve_body_many_elements);
  tcase_add_loop_test(tc, test_serve_body_place, 0, (int)(sizeof places / sizeof places[0]));
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
