/*
 * srcfile.c -- loading rule source files and mapping byte offsets to line:column.
 *
 * Pipeline: first thing a compilation does (driver -> src_set_load -> lexer).  Files are read
 * whole; the line-start map is built at load time so that lookups later are a binary search
 * and the set is read-only (thread-safe) afterwards.  See srcfile.h for the contracts.
 */
/* strerror_r is POSIX; builds that do not ask for GNU extensions get the XSI one. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "mem.h"
#include "srcfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct src_file {
  char *name;      /* as given by the caller */
  char *text;      /* len bytes plus a NUL */
  uint32_t len;    /* bytes of text, without the NUL */
  uint32_t *lines; /* byte offset where each line starts; lines[0] == 0 */
  uint32_t nlines; /* entries in lines; at least 1 */
};

struct src_set {
  struct src_file *files; /* files[id] */
  uint32_t n;             /* files in use */
  uint32_t cap;           /* files allocated */
  size_t max_size;        /* largest file accepted, in bytes */
};

/* Locations hold 32-bit offsets, an offset equal to the length must still fit, and the reader
 * needs limit + 2 bytes of buffer without overflowing a 32-bit size_t. */
#define SRC_HARD_MAX_SIZE ((size_t)UINT32_MAX - 2)

/* ---------------------------------------------------------------- UTF-8 */

size_t src_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
  const unsigned char *u = (const unsigned char *)s;
  unsigned char b = u[0];
  uint32_t c, min;
  size_t n;

  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
    c = b & 0x1F;
    min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    c = b & 0x0F;
    min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    c = b & 0x07;
    min = 0x10000;
  } else {
    goto bad;
  }
  if (len < n)
    goto bad;
  for (size_t i = 1; i < n; i++) {
    if ((u[i] & 0xC0) != 0x80)
      goto bad;
    c = (c << 6) | (u[i] & 0x3F);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are not characters. */
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    goto bad;
  *cp = c;
  return n;
bad:
  *cp = 0xFFFD;
  return 1;
}

/* ---------------------------------------------------------------- set */

src_set *src_set_new(void)
{
  src_set *set = mem_calloc(1, sizeof *set);
  if (set)
    set->max_size = SRC_DEFAULT_MAX_SIZE;
  return set;
}

void src_set_free(src_set *set)
{
  if (!set)
    return;
  for (uint32_t i = 0; i < set->n; i++) {
    mem_free(set->files[i].name);
    mem_free(set->files[i].text);
    mem_free(set->files[i].lines);
  }
  mem_free(set->files);
  mem_free(set);
}

void src_set_set_max_size(src_set *set, size_t max_size)
{
  if (!set)
    return;
  if (max_size == 0)
    max_size = SRC_DEFAULT_MAX_SIZE;
  set->max_size = max_size > SRC_HARD_MAX_SIZE ? SRC_HARD_MAX_SIZE : max_size;
}

/* Builds the line-start map of f->text.  Returns SRC_OK or SRC_ENOMEM. */
static int build_lines(struct src_file *f)
{
  uint32_t n = 1;
  for (uint32_t i = 0; i < f->len; i++)
    if (f->text[i] == '\n')
      n++; /* cannot overflow: n <= len + 1 <= UINT32_MAX */
  size_t bytes;
  if (__builtin_mul_overflow((size_t)n, sizeof *f->lines, &bytes))
    return SRC_ENOMEM;
  f->lines = mem_alloc(bytes);
  if (!f->lines)
    return SRC_ENOMEM;
  f->lines[0] = 0;
  f->nlines = 1;
  for (uint32_t i = 0; i < f->len; i++)
    if (f->text[i] == '\n')
      f->lines[f->nlines++] = i + 1;
  return SRC_OK;
}

/* Appends a file, taking ownership of `text` (len bytes plus NUL) whether or not it succeeds. */
static int add_file(src_set *set, const char *name, char *text, uint32_t len, uint32_t *file_id)
{
  struct src_file f = {0};
  int rc;

  /* Id SRC_NO_FILE is reserved. */
  if (set->n >= SRC_NO_FILE - 1) {
    mem_free(text);
    return SRC_ENOMEM;
  }
  if (set->n == set->cap) {
    uint32_t ncap = set->cap ? set->cap * 2 : 4;
    if (ncap < set->cap || ncap > SRC_NO_FILE - 1)
      ncap = SRC_NO_FILE - 1;
    size_t bytes;
    struct src_file *nf = NULL;
    if (!__builtin_mul_overflow((size_t)ncap, sizeof *nf, &bytes))
      nf = mem_realloc(set->files, bytes);
    if (!nf) {
      mem_free(text);
      return SRC_ENOMEM;
    }
    set->files = nf;
    set->cap = ncap;
  }
  f.text = text;
  f.len = len;
  size_t nlen = strlen(name);
  f.name = mem_alloc(nlen + 1);
  if (!f.name) {
    mem_free(text);
    return SRC_ENOMEM;
  }
  memcpy(f.name, name, nlen + 1);
  rc = build_lines(&f);
  if (rc != SRC_OK) {
    mem_free(f.name);
    mem_free(text);
    return rc;
  }
  set->files[set->n] = f;
  if (file_id)
    *file_id = set->n;
  set->n++;
  return SRC_OK;
}

int src_set_add_string(src_set *set, const char *name, const char *text, size_t len,
                       uint32_t *file_id)
{
  char *copy;

  if (!set || !name || (!text && len > 0))
    return SRC_EINVAL;
  if (len > set->max_size)
    return SRC_ETOOBIG;
  copy = mem_alloc(len + 1);
  if (!copy)
    return SRC_ENOMEM;
  if (len > 0)
    memcpy(copy, text, len);
  copy[len] = '\0';
  return add_file(set, name, copy, (uint32_t)len, file_id);
}

/* Stores a formatted, malloc'd message in *errmsg if the caller wants one. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
set_errmsg(char **errmsg, const char *fmt, ...)
{
  va_list ap, ap2;
  int n;
  char *s;

  if (!errmsg)
    return;
  *errmsg = NULL;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n >= 0 && (s = mem_alloc((size_t)n + 1)) != NULL) {
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    *errmsg = s;
  }
  va_end(ap2);
}

/* strerror is not required to be thread-safe; the GNU and XSI strerror_r differ in type. */
static const char *error_text(int err, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(err, buf, size);
#else
  if (strerror_r(err, buf, size) != 0)
    snprintf(buf, size, "error %d", err);
  return buf;
#endif
}

int src_set_load(src_set *set, const char *path, uint32_t *file_id, char **errmsg)
{
  char ebuf[128];
  char *buf = NULL;
  size_t len = 0, cap = 0;
  FILE *fp;

  if (errmsg)
    *errmsg = NULL;
  if (!set || !path)
    return SRC_EINVAL;
  fp = fopen(path, "rb");
  if (!fp) {
    int err = errno;
    set_errmsg(errmsg, "cannot read '%s': %s", path, error_text(err, ebuf, sizeof ebuf));
    return SRC_EIO;
  }
  /* Read up to one byte past the limit, so that "too large" needs no stat and works on pipes.
   * The buffer never needs more than limit + 1 bytes plus the NUL. */
  const size_t most = set->max_size + 2;
  for (;;) {
    if (cap - len < 2) {
      size_t ncap = cap == 0 ? 8192 : cap > most / 2 ? most : cap * 2;
      if (ncap > most)
        ncap = most;
      char *nb = mem_realloc(buf, ncap);
      if (!nb) {
        fclose(fp);
        mem_free(buf);
        set_errmsg(errmsg, "cannot read '%s': out of memory", path);
        return SRC_ENOMEM;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - 1 - len, fp);
    len += got;
    if (len > set->max_size) {
      fclose(fp);
      mem_free(buf);
      set_errmsg(errmsg, "'%s' is larger than the limit of %zu bytes", path, set->max_size);
      return SRC_ETOOBIG;
    }
    if (ferror(fp)) {
      int err = errno;
      fclose(fp);
      mem_free(buf);
      set_errmsg(errmsg, "cannot read '%s': %s", path, error_text(err, ebuf, sizeof ebuf));
      return SRC_EIO;
    }
    if (feof(fp))
      break;
  }
  fclose(fp);
  buf[len] = '\0';
  int rc = add_file(set, path, buf, (uint32_t)len, file_id);
  if (rc != SRC_OK)
    set_errmsg(errmsg, "cannot read '%s': out of memory", path);
  return rc;
}

/* ---------------------------------------------------------------- queries */

static const struct src_file *get_file(const src_set *set, uint32_t file)
{
  if (!set || file >= set->n)
    return NULL;
  return &set->files[file];
}

bool src_set_find(const src_set *set, const char *name, uint32_t *file_id)
{
  if (!set || !name)
    return false;
  for (uint32_t i = 0; i < set->n; i++)
    if (strcmp(set->files[i].name, name) == 0) {
      if (file_id)
        *file_id = i;
      return true;
    }
  return false;
}

uint32_t src_set_count(const src_set *set)
{
  return set ? set->n : 0;
}

const char *src_file_name(const src_set *set, uint32_t file)
{
  const struct src_file *f = get_file(set, file);
  return f ? f->name : NULL;
}

const char *src_text(const src_set *set, uint32_t file, uint32_t *len)
{
  const struct src_file *f = get_file(set, file);
  if (len)
    *len = f ? f->len : 0;
  return f ? f->text : NULL;
}

uint32_t src_line_count(const src_set *set, uint32_t file)
{
  const struct src_file *f = get_file(set, file);
  return f ? f->nlines : 0;
}

/* Index (0-based) of the line holding byte `offset`: the last line start <= offset. */
static uint32_t line_index(const struct src_file *f, uint32_t offset)
{
  uint32_t lo = 0, hi = f->nlines; /* answer in [lo, hi) */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (f->lines[mid] <= offset)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

int src_position(const src_set *set, uint32_t file, uint32_t offset, uint32_t *line, uint32_t *col)
{
  const struct src_file *f = get_file(set, file);
  uint32_t li, pos, n = 0;

  if (!f || !line || !col) {
    if (line)
      *line = 0;
    if (col)
      *col = 0;
    return SRC_EINVAL;
  }
  if (offset > f->len)
    offset = f->len;
  li = line_index(f, offset);
  pos = f->lines[li];
  /* Editors do not show a byte-order mark, so it must not shift the columns of line 1. */
  if (pos == 0 && f->len >= 3 && memcmp(f->text, "\xEF\xBB\xBF", 3) == 0 && offset >= 3)
    pos = 3;
  while (pos < offset) {
    uint32_t cp;
    uint32_t step = (uint32_t)src_utf8_decode(f->text + pos, f->len - pos, &cp);
    if (step > offset - pos)
      break; /* offset is inside this character */
    pos += step;
    n++;
  }
  *line = li + 1;
  *col = n + 1;
  return SRC_OK;
}

int src_line(const src_set *set, uint32_t file, uint32_t line, const char **ptr, uint32_t *len)
{
  const struct src_file *f = get_file(set, file);
  uint32_t start, end;

  if (!f || line == 0 || line > f->nlines || !ptr || !len)
    return SRC_EINVAL;
  start = f->lines[line - 1];
  end = line < f->nlines ? f->lines[line] - 1 : f->len; /* at the '\n', or end of file */
  if (end > start && f->text[end - 1] == '\r' && line < f->nlines)
    end--;
  *ptr = f->text + start;
  *len = end - start;
  return SRC_OK;
}

int src_line_start(const src_set *set, uint32_t file, uint32_t line, uint32_t *offset)
{
  const struct src_file *f = get_file(set, file);
  if (!f || line == 0 || line > f->nlines || !offset)
    return SRC_EINVAL;
  *offset = f->lines[line - 1];
  return SRC_OK;
}
