/*
 * check_csv.c - unit tests for the RFC 4180 record parser (src/csv.c).
 *
 * Most cases are a table: an input text and the expected "dump" of every record parsed from
 * it, written as LINE#NCELLS[cell|cell] for a record (LINE = its first physical line),
 * E<code>@LINE c<cell> for a rejected one, and a final L<n> = the line number after the input.
 * That one string pins cells, unescaping, error kinds, error positions and line counting.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Parses all of [in, in + n) and writes the dump described above to out. */
static void dump(const char *in, size_t n, const csv_options *opt, char *out, size_t cap)
{
  csv_parser ps;
  csv_record rec;
  const char *p = in, *end = in + n;
  size_t line = 1, used = 0;

  csv_parser_init(&ps, opt);
  out[0] = '\0';
  while (p < end) {
    const char *next = csv_parse_record(&ps, p, end, &rec);
    ck_assert_ptr_ne(next, p); /* every call makes progress */
    ck_assert(next <= end);
    size_t first = line + rec.blank_lines;
    if (rec.error != CSV_OK) {
      ck_assert_uint_eq(rec.ncells, 0);
      ck_assert_str_ne(rec.message, "");
      used += (size_t)snprintf(out + used, cap - used, "E%d@%zuc%zu ", (int)rec.error,
                               first + rec.error_line, rec.error_cell);
    } else if (rec.ncells > 0) {
      used += (size_t)snprintf(out + used, cap - used, "%zu#%zu[", first, rec.ncells);
      for (size_t i = 0; i < rec.ncells; i++) {
        used += (size_t)snprintf(out + used, cap - used, "%s%.*s", i ? "|" : "",
                                 (int)rec.cells[i].len, rec.cells[i].ptr);
      }
      used += (size_t)snprintf(out + used, cap - used, "] ");
    }
    ck_assert(used < cap);
    line += rec.lines;
    p = next;
  }
  snprintf(out + used, cap - used, "L%zu", line);
  csv_parser_fini(&ps);
}

#define S(lit) lit, sizeof(lit) - 1

static const struct {
  const char *in;
  size_t len;
  size_t max_cells, max_field;
  const char *want;
} cases[] = {
    /* plain records, terminators */
    {S("a,b,c\n"), 0, 0, "1#3[a|b|c] L2"},
    {S("a,b,c"), 0, 0, "1#3[a|b|c] L1"},
    {S("a,b\r\nc,d\r\n"), 0, 0, "1#2[a|b] 2#2[c|d] L3"},
    {S("a,b\r"), 0, 0, "1#2[a|b] L1"},
    {S("a\rb,c\n"), 0, 0, "1#2[a\rb|c] L2"},
    {S(" \n"), 0, 0, "1#1[ ] L2"},
    {S("\xe5\x90\x8d\xe5\xad\x97,\xe5\x80\xbc\n"), 0, 0,
     "1#2[\xe5\x90\x8d\xe5\xad\x97|\xe5\x80\xbc] L2"},
    /* empty cells, trailing comma */
    {S(",,\n"), 0, 0, "1#3[||] L2"},
    {S("a,\n"), 0, 0, "1#2[a|] L2"},
    {S("a,"), 0, 0, "1#2[a|] L1"},
    {S("\"\"\n"), 0, 0, "1#1[] L2"},
    {S("\"\",\"\"\n"), 0, 0, "1#2[|] L2"},
    /* quotes and "" escapes */
    {S("\"a,b\",\"c\"\"d\"\n"), 0, 0, "1#2[a,b|c\"d] L2"},
    {S("\"\"\"\"\n"), 0, 0, "1#1[\"] L2"},
    {S("\"\"\"a\"\"\",b\n"), 0, 0, "1#2[\"a\"|b] L2"},
    {S("\"a\""), 0, 0, "1#1[a] L1"},
    {S("\"a\"\r\n\"b\"\r"), 0, 0, "1#1[a] 2#1[b] L2"},
    /* embedded newlines and line counting */
    {S("\"line1\nline2\",x\ny\n"), 0, 0, "1#2[line1\nline2|x] 3#1[y] L4"},
    {S("\"a\r\nb\"\r\n"), 0, 0, "1#1[a\r\nb] L3"},
    {S("\"\n\n\n\"\nz"), 0, 0, "1#1[\n\n\n] 5#1[z] L5"},
    /* empty lines are skipped but counted */
    {S(""), 0, 0, "L1"},
    {S("\n\n"), 0, 0, "L3"},
    {S("\n\na\n\r\n\nb"), 0, 0, "3#1[a] 6#1[b] L6"},
    {S("a\n\r\nb\n"), 0, 0, "1#1[a] 3#1[b] L4"},
    /* error: quote inside an unquoted field (a stray quote opens nothing: its record ends at
   * its line's end, and the records after it are read) */
    {S("a\"b,c\nd\n"), 0, 0, "E1@1c1 2#1[d] L3"},
    {S("a\"b\"c,d\ne\n"), 0, 0, "E1@1c1 2#1[e] L3"},
    {S("x,a\"\nb\"\nc\n"), 0, 0, "E1@1c2 E1@2c1 3#1[c] L4"},
    {S("x,a\"b\ny,\"q\nr\"\nz\n"), 0, 0, "E1@1c2 2#2[y|q\nr] 4#1[z] L5"},
    /* error: characters after the closing quote */
    {S("\"ab\"x,c\nd\n"), 0, 0, "E2@1c1 2#1[d] L3"},
    {S("\"x\ny\",\"z\"w\nq\n"), 0, 0, "E2@2c2 3#1[q] L4"},
    {S("\"ab\" \n"), 0, 0, "E2@1c1 L2"},
    /* error: unterminated quoted field (reported at the line the quote opened) */
    {S("a,\"bc\nd\n"), 0, 0, "E3@1c2 L3"},
    {S("ok\n\"a\"\""), 0, 0, "1#1[ok] E3@2c1 L2"},
    {S("\""), 0, 0, "E3@1c1 L1"},
    /* error: NUL byte, outside and inside quotes */
    {S("a,b\0c\nd\n"), 0, 0, "E4@1c2 2#1[d] L3"},
    {S("\"a\nb\0\"\nc\n"), 0, 0, "E4@2c1 3#1[c] L4"},
    {S("\0"), 0, 0, "E4@1c1 L1"},
    /* error: too many cells */
    {S("a,b,c\n"), 3, 0, "1#3[a|b|c] L2"},
    {S("a,b,c,d\ne\n"), 3, 0, "E5@1c4 2#1[e] L3"},
    {S("a,b,c,\"d\ne\"\nf\n"), 3, 0, "E5@1c4 3#1[f] L4"},
    /* error: field too long (after unescaping) */
    {S("abc\n"), 0, 3, "1#1[abc] L2"},
    {S("\"a\"\"b\"\n"), 0, 3, "1#1[a\"b] L2"},
    {S("abcd,x\ny\n"), 0, 3, "E6@1c1 2#1[y] L3"},
    {S("x,\"a\nbcd\"\ny\n"), 0, 3, "E6@1c2 3#1[y] L4"},
    /* a bad record between good ones leaves its neighbours and the line numbers intact */
    {S("a\n\"b\"c\n\nd,e\n"), 0, 0, "1#1[a] E2@2c1 4#2[d|e] L5"},
};

START_TEST(test_csv_table)
{
  char out[1024];
  csv_options opt = {cases[_i].max_cells, cases[_i].max_field};

  dump(cases[_i].in, cases[_i].len, &opt, out, sizeof out);
  ck_assert_msg(strcmp(out, cases[_i].want) == 0, "case %d: got '%s', want '%s'", _i, out,
                cases[_i].want);
}
END_TEST

START_TEST(test_csv_quoted_flag)
{
  csv_parser ps;
  csv_record rec;
  const char in[] = "a,\"b\",\"\",\"c\"\"\"\n";

  csv_parser_init(&ps, NULL);
  csv_parse_record(&ps, in, in + sizeof in - 1, &rec);
  ck_assert_uint_eq(rec.ncells, 4);
  ck_assert(!rec.cells[0].quoted);
  ck_assert(rec.cells[1].quoted);
  ck_assert(rec.cells[2].quoted);
  ck_assert_uint_eq(rec.cells[2].len, 0);
  ck_assert(rec.cells[3].quoted);
  /* Cells without escapes point into the input: no copy. */
  ck_assert_ptr_eq(rec.cells[0].ptr, in);
  ck_assert_ptr_eq(rec.cells[1].ptr, in + 3);
  ck_assert_int_eq(memcmp(rec.cells[3].ptr, "c\"", 2), 0);
  csv_parser_fini(&ps);
}
END_TEST

/* Many escaped cells in one record make the scratch buffer move several times; every cell
 * must still point at its own text afterwards. */
START_TEST(test_csv_escaped_cells_survive_scratch_growth)
{
  enum {
    NCELL = 60,
    CELL = 150
  };
  size_t cap = NCELL * (2 * CELL + 4) + 2, n = 0;
  char *in = malloc(cap);
  csv_parser ps;
  csv_record rec;

  ck_assert_ptr_nonnull(in);
  for (int c = 0; c < NCELL; c++) {
    in[n++] = '"';
    for (int k = 0; k < CELL; k++) {
      if (k % 10 == 0) {
        in[n++] = '"';
        in[n++] = '"';
      } else {
        in[n++] = (char)('A' + c % 26);
      }
    }
    in[n++] = '"';
    in[n++] = c == NCELL - 1 ? '\n' : ',';
  }
  csv_parser_init(&ps, NULL);
  const char *end = csv_parse_record(&ps, in, in + n, &rec);
  ck_assert_ptr_eq(end, in + n);
  ck_assert_int_eq(rec.error, CSV_OK);
  ck_assert_uint_eq(rec.ncells, NCELL);
  for (int c = 0; c < NCELL; c++) {
    ck_assert_uint_eq(rec.cells[c].len, CELL);
    for (int k = 0; k < CELL; k++)
      ck_assert_int_eq(rec.cells[c].ptr[k], k % 10 == 0 ? '"' : 'A' + c % 26);
  }
  /* The same parser parses the next record with its buffers reused. */
  const char two[] = "\"x\"\"\",y\n";
  csv_parse_record(&ps, two, two + sizeof two - 1, &rec);
  ck_assert_uint_eq(rec.ncells, 2);
  ck_assert_int_eq(memcmp(rec.cells[0].ptr, "x\"", 2), 0);
  csv_parser_fini(&ps);
  free(in);
}
END_TEST

/* A 2 MB field: over the 1 MiB default, accepted with a raised limit, and the limit is exact. */
static const struct {
  size_t field;     /* bytes in the big cell */
  bool quoted;      /* written in quotes with embedded newlines */
  size_t max_field; /* 0 = default */
  csv_errcode want;
} big_cases[] = {
    {2000000, false, 0, CSV_EFIELD_TOO_LONG},
    {2000000, true, 0, CSV_EFIELD_TOO_LONG},
    {2000000, false, 4u << 20, CSV_OK},
    {2000000, true, 4u << 20, CSV_OK},
    {2000000, false, 2000000, CSV_OK},
    {2000000, false, 1999999, CSV_EFIELD_TOO_LONG},
    {CSV_DEFAULT_MAX_FIELD_BYTES, false, 0, CSV_OK},
    {CSV_DEFAULT_MAX_FIELD_BYTES + 1, true, 0, CSV_EFIELD_TOO_LONG},
};

START_TEST(test_csv_big_field)
{
  size_t field = big_cases[_i].field, n = 0;
  char *in = malloc(field + 16);
  csv_options opt = {0, big_cases[_i].max_field};
  csv_parser ps;
  csv_record rec;
  size_t nl = 0;

  ck_assert_ptr_nonnull(in);
  memcpy(in, "id,", 3);
  n = 3;
  if (big_cases[_i].quoted)
    in[n++] = '"';
  for (size_t k = 0; k < field; k++) {
    char ch = (char)('a' + k % 26);
    if (big_cases[_i].quoted && k % 100000 == 99999) {
      ch = '\n';
      nl++;
    }
    in[n++] = ch;
  }
  if (big_cases[_i].quoted)
    in[n++] = '"';
  memcpy(in + n, "\nnext\n", 6);
  n += 6;

  csv_parser_init(&ps, &opt);
  const char *p = csv_parse_record(&ps, in, in + n, &rec);
  ck_assert_int_eq(rec.error, big_cases[_i].want);
  ck_assert_uint_eq(rec.lines, nl + 1);
  if (rec.error == CSV_OK) {
    ck_assert_uint_eq(rec.ncells, 2);
    ck_assert_uint_eq(rec.cells[1].len, field);
  } else {
    ck_assert_uint_eq(rec.error_cell, 2);
    ck_assert_uint_eq(rec.error_line, 0);
  }
  p = csv_parse_record(&ps, p, in + n, &rec);
  ck_assert_int_eq(rec.error, CSV_OK);
  ck_assert_uint_eq(rec.ncells, 1);
  ck_assert_int_eq(memcmp(rec.cells[0].ptr, "next", 4), 0);
  ck_assert_ptr_eq(p, in + n);
  csv_parser_fini(&ps);
  free(in);
}
END_TEST

START_TEST(test_csv_default_cell_limit)
{
  size_t ncells = CSV_DEFAULT_MAX_CELLS + _i; /* exactly the limit, then one over */
  char *in = malloc(2 * ncells + 1);
  csv_parser ps;
  csv_record rec;

  ck_assert_ptr_nonnull(in);
  for (size_t k = 0; k < ncells; k++) {
    in[2 * k] = 'x';
    in[2 * k + 1] = k + 1 == ncells ? '\n' : ',';
  }
  csv_parser_init(&ps, NULL);
  const char *p = csv_parse_record(&ps, in, in + 2 * ncells, &rec);
  ck_assert_ptr_eq(p, in + 2 * ncells);
  if (_i == 0) {
    ck_assert_int_eq(rec.error, CSV_OK);
    ck_assert_uint_eq(rec.ncells, ncells);
  } else {
    ck_assert_int_eq(rec.error, CSV_ETOO_MANY_CELLS);
    ck_assert_uint_eq(rec.error_cell, CSV_DEFAULT_MAX_CELLS + 1);
  }
  csv_parser_fini(&ps);
  free(in);
}
END_TEST

START_TEST(test_csv_messages)
{
  for (int c = CSV_OK + 1; c <= CSV_ENOMEM; c++) {
    const char *m = csv_strerror((csv_errcode)c);
    ck_assert(m[0] >= 'a' && m[0] <= 'z');
    ck_assert(m[strlen(m) - 1] != '.');
  }
  ck_assert_str_eq(csv_strerror(CSV_EUNTERMINATED), "unterminated quoted field");
  ck_assert_str_eq(csv_strerror(CSV_OK), "");
}
END_TEST

START_TEST(test_csv_fini_is_null_safe)
{
  csv_parser ps;
  csv_parser_fini(NULL);
  csv_parser_init(&ps, NULL);
  csv_parser_fini(&ps);
  csv_parser_fini(&ps);
}
END_TEST

static Suite *csv_suite(void)
{
  Suite *s = suite_create("csv");
  TCase *tc = tcase_create("records");

  tcase_add_loop_test(tc, test_csv_table, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(tc, test_csv_quoted_flag);
  tcase_add_test(tc, test_csv_escaped_cells_survive_scratch_growth);
  tcase_add_test(tc, test_csv_messages);
  tcase_add_test(tc, test_csv_fini_is_null_safe);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_set_timeout(tc, 30);
  tcase_add_loop_test(tc, test_csv_big_field, 0, (int)(sizeof big_cases / sizeof big_cases[0]));
  tcase_add_loop_test(tc, test_csv_default_cell_limit, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(csv_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
