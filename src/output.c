/*
 * output.c -- output files written aside and renamed on success.  See output.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

/* The file a path names, for comparing: its device and inode when it exists, else its
 * directory's real path and its last component. Buffers are malloc'd; NULL on failure. */
typedef struct {
  bool exists;
  bool special; /* a device or a pipe: written in place, and may well be shared */
  dev_t dev;
  ino_t ino;
  char *name; /* when it does not exist: "REALDIR/BASE" */
} file_id;

static void file_id_of(const char *path, file_id *id)
{
  struct stat st;
  memset(id, 0, sizeof *id);
  if (stat(path, &st) == 0) {
    id->exists = true;
    id->special = !S_ISREG(st.st_mode);
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return;
  }
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup(".");
  char *real = dir ? realpath(dir, NULL) : NULL;
  const char *base = slash ? slash + 1 : path;
  if (real && (id->name = malloc(strlen(real) + strlen(base) + 2)))
    sprintf(id->name, "%s/%s", real, base);
  free(real);
  free(dir);
}

static bool same_file(const file_id *a, const file_id *b)
{
  if (a->special || b->special)
    return false; /* -o /dev/null --rejects /dev/null discards both */
  if (a->exists || b->exists)
    return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
  return a->name && b->name && strcmp(a->name, b->name) == 0;
}

bool out_check_paths(const char *const *outputs, size_t noutputs, const char *const *inputs,
                     size_t ninputs, FILE *log)
{
  bool ok = true;
  for (size_t i = 0; i < noutputs && ok; i++) {
    const char *a = outputs[i];
    if (!a)
      continue;
    bool a_std = strcmp(a, "-") == 0;
    file_id ia;
    file_id_of(a, &ia);
    for (size_t j = i + 1; j < noutputs && ok; j++) {
      const char *b = outputs[j];
      if (!b || a_std != (strcmp(b, "-") == 0))
        continue;
      file_id ib;
      file_id_of(b, &ib);
      if (a_std || same_file(&ia, &ib)) {
        fprintf(log, "elig: two outputs are the same file ('%s' and '%s'): give each its own\n",
                a_std ? "-" : a, b);
        ok = false;
      }
      free(ib.name);
    }
    for (size_t j = 0; j < ninputs && ok && !a_std && ia.exists; j++) {
      if (strcmp(inputs[j], "-") == 0)
        continue;
      file_id ib;
      file_id_of(inputs[j], &ib);
      if (same_file(&ia, &ib)) {
        fprintf(log, "elig: the output '%s' is the input '%s': it would be replaced by the "
                     "results; write them to another file\n", a, inputs[j]);
        ok = false;
      }
      free(ib.name);
    }
    free(ia.name);
  }
  return ok;
}

/* Whether a link is one of the kernel's (/dev/stdout, /dev/fd/N, /proc/self/fd/N), which
 * stands for an open descriptor rather than a file: it is written through, in place, as the
 * shell that opened the descriptor expects; its "target" may not even have a name. */
static bool descriptor_link(const char *path)
{
  char target[64];
  ssize_t n = readlink(path, target, sizeof target - 1);
  target[n > 0 ? n : 0] = '\0';
  return strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0 ||
         strncmp(target, "/dev/", 5) == 0 || strncmp(target, "/proc/", 6) == 0;
}

bool out_open(output *out, const char *path, FILE *log)
{
  memset(out, 0, sizeof *out);
  if (!path || strcmp(path, "-") == 0) {
    out->f = stdout;
    return true;
  }
  struct stat st;
  out->path = path;
  bool is_link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
  bool exists = stat(path, &st) == 0; /* through a link */
  if ((exists && !S_ISREG(st.st_mode)) || (is_link && (!exists || descriptor_link(path)))) {
    /* a device, a pipe, a descriptor, or a link to nothing yet (which creates its target,
     * as the shell would): written in place */
    out->f = fopen(path, "w");
    if (!out->f) {
      fprintf(log, "elig: cannot write '%s': %s\n", path, strerror(errno));
      return false;
    }
    return true;
  }
  /* a link to a regular file: its target is replaced, so that the link still finds it */
  out->target = is_link ? realpath(path, NULL) : strdup(path);
  size_t n = out->target ? strlen(out->target) + 32 : 0;
  out->tmp = out->target ? malloc(n) : NULL;
  if (!out->tmp) {
    fprintf(log, "elig: cannot write '%s': %s\n", path, strerror(errno ? errno : ENOMEM));
    free(out->target);
    out->target = NULL;
    return false;
  }
  snprintf(out->tmp, n, "%s.tmp-%ld", out->target, (long)getpid());
  out->f = fopen(out->tmp, "w");
  if (!out->f) {
    fprintf(log, "elig: cannot write '%s': %s\n", path, strerror(errno));
    free(out->tmp);
    free(out->target);
    out->tmp = out->target = NULL;
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
    if (ok && keep && rename(out->tmp, out->target) != 0) {
      fprintf(log, "elig: cannot write '%s': %s\n", out->path, strerror(errno));
      ok = false;
    }
    if (!ok || !keep)
      unlink(out->tmp);
    free(out->tmp);
    free(out->target);
  }
  out->f = NULL;
  return ok;
}
