/*
 * output.c -- output files written aside and renamed on success.  See output.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

bool out_open(output *out, const char *path, FILE *log)
{
  memset(out, 0, sizeof *out);
  if (!path || strcmp(path, "-") == 0) {
    out->f = stdout;
    return true;
  }
  struct stat st;
  out->path = path;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    out->f = fopen(path, "w");
    if (!out->f) {
      fprintf(log, "elig: cannot write '%s': %s\n", path, strerror(errno));
      return false;
    }
    return true;
  }
  size_t n = strlen(path) + 32;
  out->tmp = malloc(n);
  if (!out->tmp) {
    fprintf(log, "elig: out of memory\n");
    return false;
  }
  snprintf(out->tmp, n, "%s.tmp-%ld", path, (long)getpid());
  out->f = fopen(out->tmp, "w");
  if (!out->f) {
    fprintf(log, "elig: cannot write '%s': %s\n", path, strerror(errno));
    free(out->tmp);
    out->tmp = NULL;
    return false;
  }
  return true;
}

void out_write(output *out, const wbuf *b, bool *failed)
{
  if (b->failed)
    *failed = true;
  if (out->f && b->len && fwrite(b->p, 1, b->len, out->f) != b->len)
    *failed = true;
}

bool out_flush(output *out, FILE *log)
{
  if (!out->f || out->failed)
    return !out->failed;
  if (fflush(out->f) == 0 && !ferror(out->f))
    return true;
  fprintf(log, "elig: cannot write '%s': %s\n", out->path ? out->path : "standard output",
          strerror(errno ? errno : EIO));
  out->failed = true; /* said once */
  return false;
}

bool out_close(output *out, bool keep, FILE *log)
{
  bool ok = !out->failed;
  if (!out->f)
    return ok;
  if (!out->failed && (fflush(out->f) != 0 || ferror(out->f)))
    ok = false;
  if (out->f != stdout && fclose(out->f) != 0)
    ok = false;
  if (!ok && !out->failed)
    fprintf(log, "elig: cannot write '%s': %s\n", out->path ? out->path : "standard output",
            strerror(errno ? errno : EIO));
  if (out->tmp) {
    if (ok && keep && rename(out->tmp, out->path) != 0) {
      fprintf(log, "elig: cannot write '%s': %s\n", out->path, strerror(errno));
      ok = false;
    }
    if (!ok || !keep)
      unlink(out->tmp);
    free(out->tmp);
  }
  out->f = NULL;
  return ok;
}
