/*
 * check_input.c - unit tests for chunked reading (src/input.c), with the CSV parser
 * (src/csv.c) checking that every chunk holds whole records and every line number is exact.
 *
 * The main check reads a file in chunks under many chunk and read(2) sizes (down to one byte,
 * which splits every record across reads) and compares the records found chunk by chunk with
 * those found by parsing the whole file at once. Records are dumped as in check_csv.c:
 * LINE#NCELLS[cell|cell], E<code>@LINE for a parse error, X@LINE for a record the reader
 * skipped as too long, and L<n> for the line after the end. JSON Lines are dumped LINE:text.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "input.h"

/* ===== helpers ==================================================================== */

typedef struct buf {
  char *p;
  size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    b->p = realloc(b->p, cap);
    ck_assert_ptr_nonnull(b->p);
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_printf(buf *b, const char *fmt, ...)
{
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  ck_assert(n >= 0 && (size_t)n < sizeof tmp);
  buf_add(b, tmp, (size_t)n);
}

static char *tmp_write(const char *data, size_t n)
{
  char *path = strdup("/tmp/check_input_XXXXXX");
  ck_assert_ptr_nonnull(path);
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    ck_assert_int_gt(w, 0);
    data += w;
    n -= (size_t)w;
  }
  close(fd);
  return path;
}

static void tmp_remove(char *path)
{
  unlink(path);
  free(path);
}

/* Appends the records of [p, end), whose first line is *line, to the dump. */
static void dump_records(input_format fmt, const char *p, const char *end, uint64_t *line, buf *d)
{
  if (fmt == INPUT_JSONL) {
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      const char *stop = nl ? nl : end;
      buf_printf(d, "%llu:", (unsigned long long)*line);
      buf_add(d, p, (size_t)(stop - p));
      buf_add(d, " ", 1);
      if (!nl)
        break;
      ++*line;
      p = nl + 1;
    }
    return;
  }
  csv_parser ps;
  csv_record rec;
  csv_parser_init(&ps, NULL);
  while (p < end) {
    const char *next = csv_parse_record(&ps, p, end, &rec);
    ck_assert(next > p && next <= end);
    unsigned long long first = *line + rec.blank_lines;
    if (rec.error != CSV_OK) {
      buf_printf(d, "E%d@%llu ", (int)rec.error, first + rec.error_line);
    } else if (rec.ncells) {
      buf_printf(d, "%llu#%zu[", first, rec.ncells);
      for (size_t i = 0; i < rec.ncells; i++) {
        if (i)
          buf_add(d, "|", 1);
        buf_add(d, rec.cells[i].ptr, rec.cells[i].len);
      }
      buf_add(d, "] ", 2);
    }
    *line += rec.lines;
    p = next;
  }
  csv_parser_fini(&ps);
}

/* The dump of a whole in-memory text, as reference. */
static void dump_whole(input_format fmt, const char *text, size_t n, buf *d)
{
  uint64_t line = 1;
  dump_records(fmt, text, text + n, &line, d);
  buf_printf(d, "L%llu", (unsigned long long)line);
}

static size_t count_lf(const char *p, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += p[i] == '\n';
  return k;
}

/* Reads src to the end, checking every chunk's invariants; dumps the records and
 * concatenates the chunk bytes. */
static void dump_source(input_source *src, input_format fmt, uint64_t first_byte, buf *d, buf *all)
{
  input_chunk c;
  input_error err;
  uint64_t line = 1, byte = first_byte;
  bool ended_without_lf = false;
  int guard = 0;

  input_chunk_init(&c);
  for (;;) {
    ck_assert_int_lt(++guard, 10000000);
    input_status st = input_next_chunk(src, &c, &err);
    if (st == INPUT_EOF) {
      ck_assert_uint_eq(c.len, 0);
      if (line != 0)
        ck_assert_uint_eq(c.first_line, line);
      line = c.first_line;
      break;
    }
    if (st == INPUT_RECORD_TOO_LONG) {
      ck_assert_uint_eq(c.len, 0);
      ck_assert_uint_eq(err.line, c.first_line);
      ck_assert(strncmp(err.message, "record longer than", 18) == 0);
      buf_printf(d, "X@%llu ", (unsigned long long)c.first_line);
      line = 0; /* the next chunk's position is checked by its records, not by continuity */
      continue;
    }
    ck_assert_msg(st == INPUT_OK, "status %d: %s", st, err.message);
    ck_assert(!ended_without_lf); /* only the last chunk may lack a final LF */
    ck_assert_uint_gt(c.len, 0);
    ck_assert_ptr_eq(c.data, c.buf);
    if (line != 0) {
      ck_assert_uint_eq(c.first_line, line);
      ck_assert_uint_eq(c.first_byte, byte);
    }
    ck_assert_uint_eq(c.lines, count_lf(c.data, c.len));
    ended_without_lf = c.data[c.len - 1] != '\n';
    line = c.first_line;
    byte = c.first_byte + c.len;
    dump_records(fmt, c.data, c.data + c.len, &line, d);
    ck_assert_uint_eq(line, c.first_line + c.lines);
    buf_add(all, c.data, c.len);
  }
  /* EOF is sticky. */
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_EOF);
  buf_printf(d, "L%llu", (unsigned long long)line);
  input_chunk_fini(&c);
}

/* Deterministic test data: CSV with every feature that makes boundaries hard. */
static char *gen_csv(unsigned seed, int nrec, size_t *len)
{
  buf b = {0};
  unsigned x = seed;

  for (int r = 0; r < nrec; r++) {
    x = x * 1103515245u + 12345u;
    switch ((x >> 16) % 12) {
    case 0: buf_printf(&b, "id%d,plain,123\n", r); break;
    case 1: buf_printf(&b, "id%d,crlf,\"q\"\r\n", r); break;
    case 2: buf_printf(&b, "id%d,\"multi\nline\n\",x\n", r); break;
    case 3: buf_printf(&b, "id%d,\"esc \"\"quoted\"\"\",\"\"\n", r); break;
    case 4: buf_printf(&b, "\n\r\nid%d,after blank lines\n", r); break;
    case 5: buf_printf(&b, "id%d,\"\r\n\"\",\n\"\r\n", r); break;
    case 6: buf_printf(&b, "id%d,bad\"quote,z\n", r); break;        /* a stray quote: error */
    case 8: buf_printf(&b, "id%d,5\" disk\",\"a\nb\"\n", r); break; /* two stray, then quoted */
    case 9: buf_printf(&b, "id%d,\"ab\"x\"y,\"\"\n", r); break;     /* text after a closing quote */
    case 10: buf_printf(&b, "\"id%d\"\"\",\"\"\"\",x\"\n", r); break; /* "" at both ends, stray */
    case 7: {
      buf_printf(&b, "id%d,\"", r);
      for (int k = 0; k < 3000; k++)
        buf_add(&b, k % 97 == 96 ? "\n" : (k % 50 == 49 ? "\"\"" : "w"), k % 50 == 49 ? 2 : 1);
      buf_add(&b, "\"\n", 2);
      break;
    }
    default: buf_printf(&b, "id%d,\xe5\xae\xb6,%d,,\n", r, r * 7); break;
    }
  }
  buf_add(&b, "last,no,newline", 15);
  *len = b.len;
  return b.p;
}

static char *gen_jsonl(int nrec, size_t *len)
{
  buf b = {0};
  for (int r = 0; r < nrec; r++) {
    if (r % 11 == 0)
      buf_add(&b, "\n", 1);
    if (r % 7 == 0)
      buf_printf(&b, "{\"id\":\"odd quote \\\" %d\"}\r\n", r); /* one unbalanced raw quote */
    else
      buf_printf(&b, "{\"id\":%d,\"members\":[{\"age\":%d}]}\n", r, r % 90);
  }
  buf_add(&b, "{\"last\":true}", 13);
  *len = b.len;
  return b.p;
}

/* ===== sources: files and pipes read through the library's read callback ============ */

/* The library opens nothing: a source reads through a callback, here read(2) on a descriptor
 * as the program's is.  These keep the descriptor of each open source to close it after. */
typedef struct {
  input_source *src;
  int fd;
  bool own;
} open_source;

static open_source sources[8];

static ptrdiff_t fd_read(void *arg, void *into, size_t size)
{
  const open_source *o = arg;
  for (;;) {
    ssize_t n = read(o->fd, into, size);
    if (n >= 0 || errno != EINTR)
      return n;
  }
}

static input_source *open_fd(int fd, bool own, input_format fmt, const input_options *opt,
                             input_error *err)
{
  for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
    if (!sources[i].src) {
      sources[i] = (open_source){NULL, fd, own};
      sources[i].src = input_open(fd_read, &sources[i], fmt, opt, err);
      return sources[i].src;
    }
  return NULL;
}

static input_source *open_path(const char *path, input_format fmt, const input_options *opt,
                               input_error *err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ck_assert_int_ge(fd, 0);
  return open_fd(fd, true, fmt, opt, err);
}

static void close_source(input_source *src)
{
  for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
    if (src && sources[i].src == src) {
      input_close(src);
      if (sources[i].own)
        close(sources[i].fd);
      sources[i].src = NULL;
    }
}

/* ===== chunking under every chunk and read size ==================================== */

static const struct {
  size_t chunk, read;
} configs[] = {
    {1, 1},    {1, 0},      {7, 3},       {64, 1}, {64, 17},
    {1000, 0}, {1000, 333}, {4096, 4096}, {0, 0},  {0, 1000},
};

START_TEST(test_input_chunking_csv)
{
  size_t n;
  char *text = gen_csv(42, 1500, &n);
  char *path = tmp_write(text, n);
  buf want = {0}, got = {0}, all = {0};
  input_options opt = {
      .chunk_bytes = configs[_i].chunk, .max_record_bytes = 0, .read_bytes = configs[_i].read};
  input_error err;

  dump_whole(INPUT_CSV, text, n, &want);
  input_source *src = open_path(path, INPUT_CSV, &opt, &err);
  ck_assert_ptr_nonnull(src);
  dump_source(src, INPUT_CSV, 0, &got, &all);
  ck_assert(!input_had_bom(src));
  close_source(src);
  ck_assert_uint_eq(all.len, n);
  ck_assert(memcmp(all.p, text, n) == 0);
  ck_assert_uint_eq(got.len, want.len);
  ck_assert(strcmp(got.p, want.p) == 0);
  free(want.p);
  free(got.p);
  free(all.p);
  free(text);
  tmp_remove(path);
}
END_TEST

START_TEST(test_input_chunking_jsonl)
{
  size_t n;
  char *text = gen_jsonl(2000, &n);
  char *path = tmp_write(text, n);
  buf want = {0}, got = {0}, all = {0};
  input_options opt = {
      .chunk_bytes = configs[_i].chunk, .max_record_bytes = 0, .read_bytes = configs[_i].read};
  input_error err;

  dump_whole(INPUT_JSONL, text, n, &want);
  input_source *src = open_path(path, INPUT_JSONL, &opt, &err);
  ck_assert_ptr_nonnull(src);
  dump_source(src, INPUT_JSONL, 0, &got, &all);
  close_source(src);
  ck_assert_uint_eq(all.len, n);
  ck_assert(memcmp(all.p, text, n) == 0);
  ck_assert(strcmp(got.p, want.p) == 0);
  free(want.p);
  free(got.p);
  free(all.p);
  free(text);
  tmp_remove(path);
}
END_TEST

/* ===== small files: BOM, last line, unterminated quote ============================== */

#define S(lit) lit, sizeof(lit) - 1

static const struct {
  const char *in;
  size_t len;
  input_format fmt;
  bool bom;
  const char *want;
} small[] = {
    {S(""), INPUT_CSV, false, "L1"},
    {S("\xef\xbb\xbf"), INPUT_CSV, true, "L1"},
    {S("\xef\xbb\xbf"
       "a,b\r\n"),
     INPUT_CSV, true, "1#2[a|b] L2"},
    {S("\xef\xbb\xbf\xef\xbb\xbf"
       "a\n"),
     INPUT_CSV, true,
     "1#1[\xef\xbb\xbf"
     "a] L2"},
    {S("\xef\xbb"), INPUT_CSV, false, "1#1[\xef\xbb] L1"},
    {S("a\xef\xbb\xbf\n"), INPUT_CSV, false, "1#1[a\xef\xbb\xbf] L2"},
    {S("a\nb"), INPUT_CSV, false, "1#1[a] 2#1[b] L2"},
    {S("a\n\"b\nc\n"), INPUT_CSV, false, "1#1[a] E3@2 L4"},
    {S("\n\n\n"), INPUT_CSV, false, "L4"},
    {S("\xef\xbb\xbf{\"a\":1}\n"), INPUT_JSONL, true, "1:{\"a\":1} L2"},
    {S("{\"a\":\"\"\"}\n[]"), INPUT_JSONL, false, "1:{\"a\":\"\"\"} 2:[] L2"},
};

START_TEST(test_input_small_files)
{
  size_t skip = small[_i].bom ? 3 : 0;
  char *path = tmp_write(small[_i].in, small[_i].len);
  buf got = {0}, all = {0};
  input_error err;

  for (size_t rd = 0; rd < 3; rd++) { /* whole reads, 1-byte reads, 2-byte reads */
    input_options opt = {.chunk_bytes = 0, .max_record_bytes = 0, .read_bytes = rd};
    got.len = all.len = 0;
    input_source *src = open_path(path, small[_i].fmt, &opt, &err);
    ck_assert_ptr_nonnull(src);
    dump_source(src, small[_i].fmt, skip, &got, &all);
    ck_assert_int_eq(input_had_bom(src), small[_i].bom);
    close_source(src);
    ck_assert_msg(strcmp(got.p, small[_i].want) == 0, "case %d read %zu: got '%s'", _i, rd, got.p);
    ck_assert_uint_eq(all.len, small[_i].len - skip);
    ck_assert(all.len == 0 || memcmp(all.p, small[_i].in + skip, all.len) == 0);
  }
  free(got.p);
  free(all.p);
  tmp_remove(path);
}
END_TEST

START_TEST(test_input_bom_offsets)
{
  char *path = tmp_write(S("\xef\xbb\xbf"
                           "a\nb\n"));
  /* 2-byte reads: one record per chunk */
  input_options opt = {.chunk_bytes = 1, .max_record_bytes = 0, .read_bytes = 2};
  input_chunk c;
  input_error err;
  input_source *src = open_path(path, INPUT_CSV, &opt, &err);

  input_chunk_init(&c);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_OK);
  ck_assert_uint_eq(c.first_byte, 3);
  ck_assert_uint_eq(c.first_line, 1);
  ck_assert_uint_eq(c.len, 2);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_OK);
  ck_assert_uint_eq(c.first_byte, 5);
  ck_assert_uint_eq(c.first_line, 2);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_EOF);
  input_chunk_fini(&c);
  close_source(src);
  tmp_remove(path);
}
END_TEST

/* ===== records over the limit ===================================================== */

static const struct {
  const char *in;
  size_t len;
  input_format fmt;
  const char *want;
} too_long[] = {
    /* limit 20 bytes, line terminator included */
    {S("a\n\"xxxxxxxxxxxxxxxxxxxx\nxxxxxxxxxxxxxxxxxxxx\"\nb\n"), INPUT_CSV,
     "1#1[a] X@2 4#1[b] L5"},
    {S("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\nb\n"), INPUT_CSV, "X@1 2#1[b] L3"},
    {S("a\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), INPUT_CSV, "1#1[a] X@2 L2"},
    {S("kkkkkkkkkkkkkkkkkkk\nkkkkkkkkkkkkkkkkkkkk\ne\n"), INPUT_CSV,
     "1#1[kkkkkkkkkkkkkkkkkkk] X@2 3#1[e] L4"},
    {S("ppppppppppppppppppppppppp\nqqqqqqqqqqqqqqqqqqqqqqqqq\nr\n"), INPUT_CSV,
     "X@1 X@2 3#1[r] L4"},
    {S("\"aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\"\nend\n"), INPUT_CSV, "X@1 4#1[end] L5"},
    {S("ok\n\"unterminated and long\nxxxxxxxxxxxxxxxxxx\nyyy\n"), INPUT_CSV, "1#1[ok] X@2 L5"},
    {S("{}\njjjjjjjjjjjjjjjjjjjjjjjjjjjjjj\n{\"a\":1}\n"), INPUT_JSONL, "1:{} X@2 3:{\"a\":1} L4"},
    {S("{\"a\":\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"}\n{}\n"), INPUT_JSONL, "X@1 2:{} L3"},
};

static const struct {
  size_t chunk, read;
} too_long_configs[] = {
    {4096, 0}, {4096, 5}, {4096, 1}, {1, 0}, {1, 3}, {16, 7}, {25, 0}, {21, 21},
};

START_TEST(test_input_record_too_long)
{
  char *path = tmp_write(too_long[_i].in, too_long[_i].len);
  buf got = {0}, all = {0};
  input_error err;

  for (size_t k = 0; k < sizeof too_long_configs / sizeof too_long_configs[0]; k++) {
    input_options opt = {.chunk_bytes = too_long_configs[k].chunk,
                         .max_record_bytes = 20,
                         .read_bytes = too_long_configs[k].read};
    got.len = all.len = 0;
    input_source *src = open_path(path, too_long[_i].fmt, &opt, &err);
    ck_assert_ptr_nonnull(src);
    dump_source(src, too_long[_i].fmt, 0, &got, &all);
    close_source(src);
    ck_assert_msg(strcmp(got.p, too_long[_i].want) == 0, "case %d config %zu: got '%s'", _i, k,
                  got.p);
  }
  free(got.p);
  free(all.p);
  tmp_remove(path);
}
END_TEST

/* A 3 MB record (quoted, with embedded newlines) under the default limit, cut into 1000-byte
 * reads with a 4 KiB chunk target: the chunk grows to hold it and the lines stay exact. */
START_TEST(test_input_huge_record)
{
  buf b = {0};
  buf_add(&b, "first\n\"", 7);
  for (int k = 0; k < 3000000; k++)
    buf_add(&b, k % 100000 == 99999 ? "\n" : "h", 1);
  buf_add(&b, "\",tail\nafter\n", 13);
  char *path = tmp_write(b.p, b.len);
  buf want = {0}, got = {0}, all = {0};
  input_options opt = {.chunk_bytes = 4096, .max_record_bytes = 0, .read_bytes = 1000};
  input_error err;

  dump_whole(INPUT_CSV, b.p, b.len, &want);
  input_source *src = open_path(path, INPUT_CSV, &opt, &err);
  dump_source(src, INPUT_CSV, 0, &got, &all);
  close_source(src);
  ck_assert(strcmp(got.p, want.p) == 0);
  ck_assert(strstr(got.p, "33#1[after] L34") != NULL);
  free(want.p);
  free(got.p);
  free(all.p);
  free(b.p);
  tmp_remove(path);
}
END_TEST

/* ===== pipes and stdin ============================================================ */

typedef struct writer_arg {
  int fd;
  const char *data;
  size_t len;
} writer_arg;

/* Writes in uneven small pieces so reads end at arbitrary points. */
static void *writer(void *p)
{
  writer_arg *w = p;
  size_t off = 0, step = 1;
  while (off < w->len) {
    size_t n = step < w->len - off ? step : w->len - off;
    ssize_t k = write(w->fd, w->data + off, n);
    if (k <= 0)
      break;
    off += (size_t)k;
    step = step % 13 + 1;
    if (off % 7 == 0)
      usleep(10);
  }
  close(w->fd);
  return NULL;
}

static void run_pipe(bool via_stdin)
{
  size_t n;
  char *text = gen_csv(7, 400, &n);
  buf want = {0}, got = {0}, all = {0};
  int fds[2];
  pthread_t th;
  input_options opt = {.chunk_bytes = 100, .max_record_bytes = 0, .read_bytes = 0};
  input_error err;
  input_source *src;
  int saved = -1;

  dump_whole(INPUT_CSV, text, n, &want);
  ck_assert_int_eq(pipe(fds), 0);
  writer_arg w = {fds[1], text, n};
  if (via_stdin) {
    saved = dup(STDIN_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fds[0], STDIN_FILENO), 0);
    close(fds[0]);
    src = open_fd(STDIN_FILENO, false, INPUT_CSV, &opt, &err);
  } else {
    src = open_fd(fds[0], true, INPUT_CSV, &opt, &err);
  }
  ck_assert_ptr_nonnull(src);
  ck_assert_int_eq(pthread_create(&th, NULL, writer, &w), 0);
  dump_source(src, INPUT_CSV, 0, &got, &all);
  close_source(src);
  pthread_join(th, NULL);
  if (via_stdin) {
    ck_assert_int_ge(dup2(saved, STDIN_FILENO), 0); /* input_close left stdin open */
    close(saved);
  }
  ck_assert_uint_eq(all.len, n);
  ck_assert(strcmp(got.p, want.p) == 0);
  free(want.p);
  free(got.p);
  free(all.p);
  free(text);
}

START_TEST(test_input_pipe)
{
  run_pipe(false);
}
END_TEST

START_TEST(test_input_stdin)
{
  run_pipe(true);
}
END_TEST

/* ===== errors ===================================================================== */

START_TEST(test_input_read_error_is_sticky)
{
  input_error err;
  input_chunk c;
  input_source *src = open_path("/", INPUT_CSV, NULL, &err);

  ck_assert_ptr_nonnull(src); /* open(2) of a directory succeeds; read(2) fails */
  input_chunk_init(&c);
  for (int k = 0; k < 2; k++) {
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_EREAD);
    ck_assert_int_eq(err.errnum, EISDIR);
    ck_assert_str_eq(err.message, "read error: Is a directory");
  }
  input_chunk_fini(&c);
  close_source(src);
}
END_TEST

/* Records read before a read error are delivered first, then the error. The error is made
 * by swapping the pipe's descriptor for a directory while the reader waits for more. */
typedef struct swap_arg {
  int rfd, wfd;
} swap_arg;

static void *swapper(void *p)
{
  swap_arg *a = p;
  ck_assert_int_eq(write(a->wfd, "a,b\n", 4), 4);
  usleep(200000); /* let the reader consume it and block in read(2) */
  int dir = open("/", O_RDONLY | O_DIRECTORY);
  ck_assert_int_ge(dir, 0);
  ck_assert_int_ge(dup2(dir, a->rfd), 0);
  close(dir);
  /* Wakes a reader blocked on the pipe; its next read(2) then meets the directory. */
  ck_assert_int_eq(write(a->wfd, "c", 1), 1);
  return NULL;
}

START_TEST(test_input_error_after_records)
{
  int fds[2];
  input_error err;
  input_chunk c;
  input_options opt = {.chunk_bytes = 4096, .max_record_bytes = 0, .read_bytes = 4};
  pthread_t th;

  ck_assert_int_eq(pipe(fds), 0);
  int keep = dup(fds[0]); /* keeps the pipe readable after the swap, so no SIGPIPE */
  swap_arg a = {fds[0], fds[1]};
  input_source *src = open_fd(fds[0], true, INPUT_CSV, &opt, &err);
  ck_assert_int_eq(pthread_create(&th, NULL, swapper, &a), 0);
  input_chunk_init(&c);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_OK);
  ck_assert_uint_eq(c.len, 4);
  ck_assert(memcmp(c.data, "a,b\n", 4) == 0);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_EREAD);
  ck_assert_int_eq(err.errnum, EISDIR);
  ck_assert_int_eq(input_next_chunk(src, &c, &err), INPUT_EREAD);
  pthread_join(th, NULL);
  input_chunk_fini(&c);
  close_source(src);
  close(keep);
  close(fds[1]);
}
END_TEST

/* ===== ownership: chunks held concurrently, buffers reused ========================= */

START_TEST(test_input_chunks_are_independent)
{
  buf b = {0};
  for (int r = 0; r < 4000; r++)
    buf_printf(&b, "%06d,\"multi\nline\",x\n", r);
  char *path = tmp_write(b.p, b.len);
  input_options opt = {.chunk_bytes = 1000, .max_record_bytes = 0, .read_bytes = 0};
  input_error err;
  input_source *src = open_path(path, INPUT_CSV, &opt, &err);
  enum {
    POOL = 4
  };
  input_chunk pool[POOL];
  char *copy[POOL] = {NULL};
  size_t caps[POOL] = {0};
  size_t total = 0, k = 0;
  int reallocs = 0;

  for (int i = 0; i < POOL; i++)
    input_chunk_init(&pool[i]);
  /* Round-robin over a pool, as a reader does with chunks workers give back: the chunks still
   * held must not change while later ones are read, and the buffers settle at one size. */
  for (;; k++) {
    input_chunk *c = &pool[k % POOL];
    input_status st = input_next_chunk(src, c, &err);
    if (st == INPUT_EOF)
      break;
    ck_assert_int_eq(st, INPUT_OK);
    if (c->cap != caps[k % POOL] && k >= POOL)
      reallocs++;
    caps[k % POOL] = c->cap;
    total += c->len;
    free(copy[k % POOL]);
    copy[k % POOL] = malloc(c->len);
    memcpy(copy[k % POOL], c->data, c->len);
    for (int i = 0; i < POOL; i++) {
      if (copy[i] && (size_t)i != k % POOL)
        ck_assert(memcmp(copy[i], pool[i].data, pool[i].len) == 0);
    }
  }
  ck_assert_uint_eq(total, b.len);
  ck_assert_int_eq(reallocs, 0);
  ck_assert_uint_gt(k, 50);
  for (int i = 0; i < POOL; i++) {
    input_chunk_fini(&pool[i]);
    free(copy[i]);
  }
  close_source(src);
  free(b.p);
  tmp_remove(path);
}
END_TEST

static Suite *input_suite(void)
{
  Suite *s = suite_create("input");
  TCase *tc = tcase_create("chunking");

  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_input_chunking_csv, 0, (int)(sizeof configs / sizeof configs[0]));
  tcase_add_loop_test(tc, test_input_chunking_jsonl, 0, (int)(sizeof configs / sizeof configs[0]));
  tcase_add_loop_test(tc, test_input_small_files, 0, (int)(sizeof small / sizeof small[0]));
  tcase_add_test(tc, test_input_bom_offsets);
  tcase_add_loop_test(tc, test_input_record_too_long, 0,
                      (int)(sizeof too_long / sizeof too_long[0]));
  tcase_add_test(tc, test_input_huge_record);
  tcase_add_test(tc, test_input_pipe);
  tcase_add_test(tc, test_input_stdin);
  tcase_add_test(tc, test_input_chunks_are_independent);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_add_test(tc, test_input_read_error_is_sticky);
  tcase_add_test(tc, test_input_error_after_records);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(input_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
