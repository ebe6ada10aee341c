/*
 * check_srcfile.c -- unit tests for srcfile.c: loading, the line map, offset -> line:column.
 *
 * Columns are what editors show and what every diagnostic golden depends on, so they are tested
 * as a table over ASCII, CJK, tabs, CRLF, a missing final newline, a byte-order mark and bytes
 * that are not UTF-8.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srcfile.h"
#include "mem.h"

/* ---------------------------------------------------------------- positions */

static const struct {
  const char *text;
  uint32_t offset;
  uint32_t line, col;
} positions[] = {
    /* ASCII */
    {"let x = 1\nlet y = 2\n", 0, 1, 1},
    {"let x = 1\nlet y = 2\n", 4, 1, 5},
    {"let x = 1\nlet y = 2\n", 9, 1, 10}, /* the newline itself */
    {"let x = 1\nlet y = 2\n", 10, 2, 1},
    {"let x = 1\nlet y = 2\n", 14, 2, 5},
    {"let x = 1\nlet y = 2\n", 20, 3, 1},  /* end of file after a final newline */
    {"let x = 1\nlet y = 2\n", 999, 3, 1}, /* past the end: taken as the end */
    /* CJK identifiers: 3 bytes, one column each */
    {"let 人均收入 = 收入 / 人数", 4, 1, 5},
    {"let 人均收入 = 收入 / 人数", 7, 1, 6},
    {"let 人均收入 = 收入 / 人数", 17, 1, 10},
    {"let 人均收入 = 收入 / 人数", 19, 1, 12},
    {"人x", 1, 1, 1}, /* inside a character: that character's column */
    {"人x", 3, 1, 2},
    {"# 注释\nlet 收入 = 1\n", 13, 2, 5},
    /* tabs count as one column, as in GCC */
    {"\tlet x", 1, 1, 2},
    {"\t\tx", 2, 1, 3},
    /* CRLF */
    {"a\r\nbc\r\nd", 1, 1, 2}, /* the '\r' */
    {"a\r\nbc\r\nd", 3, 2, 1},
    {"a\r\nbc\r\nd", 4, 2, 2},
    {"a\r\nbc\r\nd", 7, 3, 1},
    {"a\r\nbc\r\nd", 8, 3, 2},
    /* last line without a newline */
    {"a\nbc", 4, 2, 3},
    {"a\nbc", 2, 2, 1},
    /* empty file */
    {"", 0, 1, 1},
    /* byte-order mark: invisible in editors, so no column */
    {"\xEF\xBB\xBFlet", 0, 1, 1},
    {"\xEF\xBB\xBFlet", 3, 1, 1},
    {"\xEF\xBB\xBFlet", 4, 1, 2},
    /* invalid UTF-8: one column per bad byte */
    {"\xFF\xFEx", 2, 1, 3},
    {"\xE4\xBDx", 2, 1, 3}, /* truncated sequence */
};

START_TEST(test_srcfile_position)
{
  src_set *set = src_set_new();
  uint32_t id, line = 99, col = 99;
  ck_assert_ptr_nonnull(set);
  ck_assert_int_eq(
      src_set_add_string(set, "t.rules", positions[_i].text, strlen(positions[_i].text), &id),
      SRC_OK);
  ck_assert_int_eq(src_position(set, id, positions[_i].offset, &line, &col), SRC_OK);
  ck_assert_msg(line == positions[_i].line && col == positions[_i].col,
                "case %d: offset %u: got %u:%u, want %u:%u", _i, positions[_i].offset, line, col,
                positions[_i].line, positions[_i].col);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_position_bad_file)
{
  src_set *set = src_set_new();
  uint32_t line = 7, col = 7;
  ck_assert_int_eq(src_position(set, 0, 0, &line, &col), SRC_EINVAL);
  ck_assert_uint_eq(line, 0);
  ck_assert_uint_eq(col, 0);
  ck_assert_int_eq(src_position(set, SRC_NO_FILE, 0, &line, &col), SRC_EINVAL);
  src_set_free(set);
}
END_TEST

/* ---------------------------------------------------------------- lines */

START_TEST(test_srcfile_line_terminators)
{
  static const char text[] = "first\r\nsecond\nthird\r\n\nlast";
  src_set *set = src_set_new();
  const char *p;
  uint32_t id, len;

  ck_assert_int_eq(src_set_add_string(set, "t", text, sizeof text - 1, &id), SRC_OK);
  ck_assert_uint_eq(src_line_count(set, id), 5);
  ck_assert_int_eq(src_line(set, id, 1, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 5);
  ck_assert(memcmp(p, "first", 5) == 0);
  ck_assert_int_eq(src_line(set, id, 2, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 6);
  ck_assert(memcmp(p, "second", 6) == 0);
  ck_assert_int_eq(src_line(set, id, 3, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 5);
  ck_assert(memcmp(p, "third", 5) == 0);
  ck_assert_int_eq(src_line(set, id, 4, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 0);
  ck_assert_int_eq(src_line(set, id, 5, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 4);
  ck_assert(memcmp(p, "last", 4) == 0);
  ck_assert_int_eq(src_line(set, id, 0, &p, &len), SRC_EINVAL);
  ck_assert_int_eq(src_line(set, id, 6, &p, &len), SRC_EINVAL);

  uint32_t off;
  ck_assert_int_eq(src_line_start(set, id, 2, &off), SRC_OK);
  ck_assert_uint_eq(off, 7);
  ck_assert_int_eq(src_line_start(set, id, 6, &off), SRC_EINVAL);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_line_final_newline)
{
  src_set *set = src_set_new();
  const char *p;
  uint32_t id, len;

  ck_assert_int_eq(src_set_add_string(set, "t", "a\nb\n", 4, &id), SRC_OK);
  ck_assert_uint_eq(src_line_count(set, id), 3);
  ck_assert_int_eq(src_line(set, id, 3, &p, &len), SRC_OK);
  ck_assert_uint_eq(len, 0);
  src_set_free(set);
}
END_TEST

/* A file of many lines, to exercise the binary search at every boundary. */
START_TEST(test_srcfile_many_lines)
{
  enum {
    N = 1000
  };
  char *text = malloc(N * 4 + 1);
  src_set *set = src_set_new();
  uint32_t id, line, col;

  ck_assert_ptr_nonnull(text);
  for (int i = 0; i < N; i++)
    memcpy(text + 4 * i, i % 2 ? "人\n" : "ab\n\n", 4);
  ck_assert_int_eq(src_set_add_string(set, "t", text, N * 4, &id), SRC_OK);
  uint32_t expect_line = 1;
  for (uint32_t off = 0; off < N * 4; off += 4) {
    ck_assert_int_eq(src_position(set, id, off, &line, &col), SRC_OK);
    ck_assert_uint_eq(line, expect_line);
    ck_assert_uint_eq(col, 1);
    expect_line += (off / 4) % 2 ? 1 : 2;
  }
  src_set_free(set);
  free(text);
}
END_TEST

/* ---------------------------------------------------------------- loading */

/* Writes `len` bytes to a fresh temporary file; returns its malloc'd path. */
static char *temp_file(const char *data, size_t len)
{
  char *path = strdup("/tmp/check_srcfile_XXXXXX");
  ck_assert_ptr_nonnull(path);
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert(write(fd, data, len) == (ssize_t)len);
  close(fd);
  return path;
}

START_TEST(test_srcfile_load)
{
  static const char text[] = "policy \"t\"\nlet 收入 = 1\n";
  char *path = temp_file(text, sizeof text - 1);
  src_set *set = src_set_new();
  char dummy = 0;
  char *err = &dummy;
  uint32_t id = 99, len;

  ck_assert_int_eq(src_set_load(set, path, &id, &err), SRC_OK);
  ck_assert_ptr_null(err);
  ck_assert_uint_eq(id, 0);
  ck_assert_str_eq(src_file_name(set, id), path);
  const char *t = src_text(set, id, &len);
  ck_assert_uint_eq(len, sizeof text - 1);
  ck_assert_str_eq(t, text);
  ck_assert_uint_eq(src_set_count(set), 1);

  uint32_t found;
  ck_assert(src_set_find(set, path, &found));
  ck_assert_uint_eq(found, id);
  ck_assert(!src_set_find(set, "other", &found));

  unlink(path);
  free(path);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_load_missing)
{
  src_set *set = src_set_new();
  char *err = NULL;
  uint32_t id;

  ck_assert_int_eq(src_set_load(set, "/nonexistent/dir/x.rules", &id, &err), SRC_EIO);
  ck_assert_ptr_nonnull(err);
  ck_assert_str_eq(err, "cannot read '/nonexistent/dir/x.rules': No such file or directory");
  ck_assert_uint_eq(src_set_count(set), 0);
  mem_free(err);
  /* errmsg is optional */
  ck_assert_int_eq(src_set_load(set, "/nonexistent/dir/x.rules", &id, NULL), SRC_EIO);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_load_directory)
{
  src_set *set = src_set_new();
  char *err = NULL;
  uint32_t id;

  ck_assert_int_eq(src_set_load(set, "/tmp", &id, &err), SRC_EIO);
  ck_assert_ptr_nonnull(err);
  ck_assert_str_eq(err, "cannot read '/tmp': Is a directory");
  mem_free(err);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_load_size_limit)
{
  char data[20000];
  memset(data, 'x', sizeof data);
  char *path = temp_file(data, sizeof data);
  src_set *set = src_set_new();
  char *err = NULL;
  uint32_t id, len;

  src_set_set_max_size(set, sizeof data - 1);
  ck_assert_int_eq(src_set_load(set, path, &id, &err), SRC_ETOOBIG);
  ck_assert_ptr_nonnull(err);
  ck_assert_ptr_nonnull(strstr(err, "is larger than the limit of 19999 bytes"));
  mem_free(err);
  err = NULL;

  /* exactly at the limit is fine, and the buffer growth reaches it */
  src_set_set_max_size(set, sizeof data);
  ck_assert_int_eq(src_set_load(set, path, &id, &err), SRC_OK);
  ck_assert_ptr_null(err);
  src_text(set, id, &len);
  ck_assert_uint_eq(len, sizeof data);

  /* the same limit applies to strings */
  ck_assert_int_eq(src_set_add_string(set, "s", data, sizeof data + 0, &id), SRC_OK);
  src_set_set_max_size(set, 10);
  ck_assert_int_eq(src_set_add_string(set, "s", data, 11, &id), SRC_ETOOBIG);
  ck_assert_uint_eq(src_set_count(set), 2);

  unlink(path);
  free(path);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_load_empty)
{
  char *path = temp_file("", 0);
  src_set *set = src_set_new();
  uint32_t id, len, line, col;

  ck_assert_int_eq(src_set_load(set, path, &id, NULL), SRC_OK);
  ck_assert_str_eq(src_text(set, id, &len), "");
  ck_assert_uint_eq(len, 0);
  ck_assert_uint_eq(src_line_count(set, id), 1);
  ck_assert_int_eq(src_position(set, id, 0, &line, &col), SRC_OK);
  ck_assert_uint_eq(line, 1);
  ck_assert_uint_eq(col, 1);
  unlink(path);
  free(path);
  src_set_free(set);
}
END_TEST

START_TEST(test_srcfile_add_string)
{
  src_set *set = src_set_new();
  uint32_t a, b, len;

  ck_assert_int_eq(src_set_add_string(set, "<string>", "x\0y", 3, &a), SRC_OK);
  ck_assert_int_eq(src_set_add_string(set, "second", "", 0, &b), SRC_OK);
  ck_assert_uint_eq(a, 0);
  ck_assert_uint_eq(b, 1);
  const char *t = src_text(set, a, &len);
  ck_assert_uint_eq(len, 3);
  ck_assert(memcmp(t, "x\0y", 4) == 0); /* NUL-terminated after the embedded NUL */
  ck_assert_str_eq(src_file_name(set, b), "second");
  ck_assert_ptr_null(src_file_name(set, 2));
  ck_assert_ptr_null(src_text(set, 2, &len));
  ck_assert_int_eq(src_set_add_string(set, NULL, "x", 1, &a), SRC_EINVAL);
  ck_assert_int_eq(src_set_add_string(NULL, "n", "x", 1, &a), SRC_EINVAL);
  /* many files: the array grows */
  for (int i = 0; i < 50; i++)
    ck_assert_int_eq(src_set_add_string(set, "more", "z", 1, &a), SRC_OK);
  ck_assert_uint_eq(a, 51);
  ck_assert_str_eq(src_file_name(set, 0), "<string>");
  src_set_free(set);
  src_set_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------- UTF-8 */

static const struct {
  const char *bytes;
  size_t len;
  uint32_t cp;
  size_t step;
} utf8_cases[] = {
    {"a", 1, 'a', 1},
    {"\xC3\xA9", 2, 0xE9, 2},
    {"\xE4\xBA\xBA", 3, 0x4EBA, 3},      /* 人 */
    {"\xF0\x9F\x98\x80", 4, 0x1F600, 4}, /* emoji */
    {"\xF0\xA0\x80\x80", 4, 0x20000, 4}, /* CJK extension B */
    {"\xC0\x80", 2, 0xFFFD, 1},          /* overlong NUL */
    {"\xE0\x80\xAF", 3, 0xFFFD, 1},      /* overlong '/' */
    {"\xED\xA0\x80", 3, 0xFFFD, 1},      /* surrogate */
    {"\xF4\x90\x80\x80", 4, 0xFFFD, 1},  /* past U+10FFFF */
    {"\xE4\xBA", 2, 0xFFFD, 1},          /* truncated by the length */
    {"\xE4\x41\x41", 3, 0xFFFD, 1},      /* bad continuation */
    {"\x80", 1, 0xFFFD, 1},              /* lone continuation */
    {"\xFF", 1, 0xFFFD, 1},
};

START_TEST(test_srcfile_utf8_decode)
{
  uint32_t cp = 0;
  size_t step = src_utf8_decode(utf8_cases[_i].bytes, utf8_cases[_i].len, &cp);
  ck_assert_msg(cp == utf8_cases[_i].cp && step == utf8_cases[_i].step, "case %d: got U+%04X/%zu",
                _i, (unsigned)cp, step);
}
END_TEST

static Suite *srcfile_suite(void)
{
  Suite *s = suite_create("srcfile");
  TCase *tc;

  tc = tcase_create("position");
  tcase_add_loop_test(tc, test_srcfile_position, 0, sizeof positions / sizeof positions[0]);
  tcase_add_test(tc, test_srcfile_position_bad_file);
  tcase_add_test(tc, test_srcfile_many_lines);
  suite_add_tcase(s, tc);

  tc = tcase_create("lines");
  tcase_add_test(tc, test_srcfile_line_terminators);
  tcase_add_test(tc, test_srcfile_line_final_newline);
  suite_add_tcase(s, tc);

  tc = tcase_create("load");
  tcase_add_test(tc, test_srcfile_load);
  tcase_add_test(tc, test_srcfile_load_missing);
  tcase_add_test(tc, test_srcfile_load_directory);
  tcase_add_test(tc, test_srcfile_load_size_limit);
  tcase_add_test(tc, test_srcfile_load_empty);
  tcase_add_test(tc, test_srcfile_add_string);
  suite_add_tcase(s, tc);

  tc = tcase_create("utf8");
  tcase_add_loop_test(tc, test_srcfile_utf8_decode, 0, sizeof utf8_cases / sizeof utf8_cases[0]);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(srcfile_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
