/*
 * spill.c -- bytes in memory, then in an unnamed temporary file.  See spill.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spill.h"

/* A reader's block: a merge reads 65 spills at once, so it stays small. */
#define READ_BLOCK ((size_t)64 << 10)

void spill_init(spill *s)
{
  memset(s, 0, sizeof *s);
  s->fd = -1;
}

void spill_fini(spill *s)
{
  if (s->fd >= 0)
    close(s->fd);
  wbuf_free(&s->mem);
  spill_init(s);
}

/* An unnamed file in $TMPDIR, or /tmp. */
static int temporary_file(void)
{
  const char *dir = getenv("TMPDIR");
  char path[4096];
  size_t n = strlen(dir && *dir ? dir : "/tmp");
  if (n + sizeof "/elig-spill-XXXXXX" > sizeof path)
    return -1;
  memcpy(path, dir && *dir ? dir : "/tmp", n);
  memcpy(path + n, "/elig-spill-XXXXXX", sizeof "/elig-spill-XXXXXX");
  int fd = mkostemp(path, O_CLOEXEC); /* not inherited by a program the caller starts */
  if (fd >= 0)
    unlink(path);
  return fd;
}

static bool write_all(spill *s, const char *p, size_t n)
{
  if (s->fd < 0 && (s->fd = temporary_file()) < 0)
    return false;
  while (n) {
    ssize_t w = pwrite(s->fd, p, n, (off_t)s->file_len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
    s->file_len += (uint64_t)w;
  }
  return true;
}

bool spill_flush(spill *s)
{
  if (!s->mem.len)
    return true;
  bool ok = write_all(s, s->mem.p, s->mem.len);
  wbuf_free(&s->mem);
  return ok;
}

bool spill_write(spill *s, const char *p, size_t n)
{
  return spill_flush(s) && write_all(s, p, n);
}

/* Reads n bytes of the file at off into p. */
static bool read_at(int fd, char *p, size_t n, uint64_t off)
{
  while (n) {
    ssize_t r = pread(fd, p, n, (off_t)off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return true;
}

bool spill_read_all(const spill *s, wbuf *out)
{
  if (s->file_len) {
    if (s->file_len > SIZE_MAX - out->len - s->mem.len)
      return false;
    size_t at = out->len;
    /* grow out by file_len bytes, then read into them */
    for (uint64_t left = s->file_len; left;) {
      static const char zeros[4096];
      size_t k = left < sizeof zeros ? (size_t)left : sizeof zeros;
      wbuf_put(out, zeros, k);
      left -= k;
    }
    if (out->failed || !read_at(s->fd, out->p + at, (size_t)s->file_len, 0))
      return false;
  }
  wbuf_put(out, s->mem.p, s->mem.len);
  return !out->failed;
}

void spill_reader_init(spill_reader *r, const spill *s)
{
  memset(r, 0, sizeof *r);
  r->s = s;
  r->direct = s->file_len == 0;
}

void spill_reader_fini(spill_reader *r)
{
  wbuf_free(&r->buf);
  memset(r, 0, sizeof *r);
}

bool spill_reader_failed(const spill_reader *r)
{
  return r->failed;
}

/* Moves what is left of buf to its start and reads up to a block more. */
static void refill(spill_reader *r, size_t need)
{
  size_t left = r->buf.len - r->pos;
  if (left)
    memmove(r->buf.p, r->buf.p + r->pos, left);
  r->buf.len = left;
  r->pos = 0;
  size_t want = need > READ_BLOCK ? need : READ_BLOCK;
  const spill *s = r->s;
  while (r->buf.len < want && !r->failed) {
    if (r->file_off < s->file_len) {
      uint64_t k = s->file_len - r->file_off;
      size_t n = k < want - r->buf.len ? (size_t)k : want - r->buf.len;
      size_t at = r->buf.len;
      static const char zeros[4096];
      for (size_t z = n; z;) {
        size_t m = z < sizeof zeros ? z : sizeof zeros;
        wbuf_put(&r->buf, zeros, m);
        z -= m;
      }
      if (r->buf.failed || !read_at(s->fd, r->buf.p + at, n, r->file_off)) {
        r->failed = true;
        return;
      }
      r->file_off += n;
    } else if (r->mem_off < s->mem.len) {
      size_t n =
          s->mem.len - r->mem_off < want - r->buf.len ? s->mem.len - r->mem_off : want - r->buf.len;
      wbuf_put(&r->buf, s->mem.p + r->mem_off, n);
      r->failed |= r->buf.failed;
      r->mem_off += n;
    } else {
      return;
    }
  }
}

const char *spill_reader_peek(spill_reader *r, size_t n)
{
  if (r->failed)
    return NULL;
  if (r->direct)
    return r->s->mem.len - r->mem_off >= n ? r->s->mem.p + r->mem_off : NULL;
  if (r->buf.len - r->pos < n)
    refill(r, n);
  return !r->failed && r->buf.len - r->pos >= n ? r->buf.p + r->pos : NULL;
}

bool spill_reader_skip(spill_reader *r, size_t n)
{
  if (r->direct) {
    r->mem_off += n;
    return true;
  }
  r->pos += n;
  return true;
}
