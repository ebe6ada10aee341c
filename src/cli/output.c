/*
 * output.c -- output files written aside and renamed on success.  See output.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../i18n.h"
#include "output.h"

/* "elig: " and a message (its format translated by the caller) on log, with a newline. */
__attribute__((format(printf, 2, 3))) static void say(FILE *log, const char *format, ...)
{
  va_list ap;
  va_start(ap, format);
  fputs("elig: ", log);
  vfprintf(log, format, ap);
  fputc('\n', log);
  va_end(ap);
}

enum {
  PATH_BYTES = 4096,
  MAX_LINKS = 40
};

/* Replaces path (a buffer of PATH_BYTES) by the target of the link it names, a relative
 * target taken from the link's own folder. 1: it was a link, path is its target; 0: not a
 * link (or nothing there: opening it will say why); -1: the target is too long. */
static int follow_link(char *path)
{
  char target[PATH_BYTES];
  ssize_t n = readlink(path, target, sizeof target);
  if (n < 0)
    return 0;
  if ((size_t)n == sizeof target)
    return -1;
  target[n] = '\0';
  const char *slash = strrchr(path, '/');
  size_t dir = target[0] != '/' && slash ? (size_t)(slash - path + 1) : 0;
  if (dir + (size_t)n + 1 > PATH_BYTES)
    return -1;
  memcpy(path + dir, target, (size_t)n + 1);
  return 1;
}

/* The path a chain of symbolic links ends at, whether or not that file exists yet;
 * malloc'd, NULL on failure or after MAX_LINKS links (a loop). */
static char *link_end(const char *path)
{
  char cur[PATH_BYTES];
  if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
    return NULL;
  for (int hops = 0; hops <= MAX_LINKS; hops++) {
    int step = follow_link(cur);
    if (step == 0)
      return strdup(cur);
    if (step < 0)
      return NULL;
  }
  return NULL;
}

/* Whether a path is, or leads through links to, one of the kernel's links for an open
 * descriptor (/dev/stdout, /dev/fd/N, /proc/self/fd/N): returns that descriptor of this
 * process, DESCRIPTOR_OTHER for such a link of another process (/proc/PID/fd/N), or -1.
 * Such an output is written through a duplicate of the descriptor, as the shell opened it:
 * sharing its offset with `2>&1`, appending under `>>`, failing where it was closed; its
 * "target" may not even have a name (a pipe, a memfd). */
enum {
  DESCRIPTOR_OTHER = -2
};

static int fd_number(const char *s)
{
  char *end;
  long n = strtol(s, &end, 10);
  return *s && !*end && n >= 0 && n < 65536 ? (int)n : DESCRIPTOR_OTHER;
}

static int descriptor_of(const char *path)
{
  static const char *const fixed[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
  char cur[PATH_BYTES];
  if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
    return -1;
  for (int hops = 0; hops <= MAX_LINKS; hops++) {
    for (int i = 0; i < 3; i++)
      if (strcmp(cur, fixed[i]) == 0)
        return i;
    if (strncmp(cur, "/dev/fd/", 8) == 0)
      return fd_number(cur + 8);
    if (strncmp(cur, "/proc/self/fd/", 14) == 0)
      return fd_number(cur + 14);
    if (strncmp(cur, "/proc/", 6) == 0)
      return DESCRIPTOR_OTHER;
    if (follow_link(cur) != 1)
      return -1;
  }
  return -1;
}

/* Creates the temporary beside the target: NAME.tmp-PID, or NAME.tmp-PID-K when taken (a
 * name near the 255-byte limit is shortened, and two shortened ones may meet). */
static FILE *create_temporary(output *out)
{
  const char *slash = strrchr(out->target, '/');
  size_t dir = slash ? (size_t)(slash - out->target + 1) : 0, base = strlen(out->target) - dir;
  size_t n = dir + 200 + 64;
  out->tmp = malloc(n);
  for (int k = 0; out->tmp && k < 100; k++) {
    snprintf(out->tmp, n, "%.*s%.*s.tmp-%ld%s%.0d", (int)dir, out->target,
             (int)(base > 200 ? 200 : base), out->target + dir, (long)getpid(), k ? "-" : "", k);
    int fd = open(out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      FILE *f = fdopen(fd, "w");
      if (!f) {
        close(fd);
        unlink(out->tmp);
      }
      return f;
    }
    if (errno != EEXIST)
      return NULL;
  }
  return NULL;
}

/* The file a path names, for comparing: its device and inode when it exists, else the real
 * path of its folder and its last component (after any links, dangling or not). */
typedef struct {
  bool exists;
  bool discard; /* /dev/null: any number of outputs may go there */
  bool regular; /* a regular file: one that results written to it would replace */
  dev_t dev;
  ino_t ino;
  char *name; /* when it does not exist: "REALDIR/BASE" (malloc'd) */
} file_id;

static bool is_dev_null(const struct stat *st)
{
  struct stat null;
  return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 && st->st_rdev == null.st_rdev;
}

/* "-" is the standard stream: standard output among outputs, standard input among inputs. */
static void file_id_of(const char *path, int std_fd, file_id *id)
{
  struct stat st;
  memset(id, 0, sizeof *id);
  bool std = strcmp(path, "-") == 0;
  if (std ? fstat(std_fd, &st) == 0 : stat(path, &st) == 0) {
    id->exists = true;
    id->discard = is_dev_null(&st);
    id->regular = S_ISREG(st.st_mode);
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return;
  }
  char *end = std ? NULL : link_end(path);
  const char *p = end ? end : path;
  const char *slash = strrchr(p, '/');
  char *dir = slash ? strndup(p, (size_t)(slash - p + 1)) : strdup(".");
  char *real = dir ? realpath(dir, NULL) : NULL;
  const char *base = slash ? slash + 1 : p;
  if (real && (id->name = malloc(strlen(real) + strlen(base) + 2)))
    sprintf(id->name, "%s/%s", real, base);
  free(real);
  free(dir);
  free(end);
}

static bool same_file(const file_id *a, const file_id *b)
{
  if (a->discard || b->discard)
    return false;
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
    if (!*a) {
      say(log, _("an output file name is empty"));
      return false;
    }
    file_id ia;
    file_id_of(a, STDOUT_FILENO, &ia);
    for (size_t j = i + 1; j < noutputs && ok; j++) {
      const char *b = outputs[j];
      if (!b)
        continue;
      file_id ib;
      file_id_of(b, STDOUT_FILENO, &ib);
      if (same_file(&ia, &ib)) {
        /* TRANSLATORS: two output files of the command line (--output, --rejects...) that
           are one file. */
        say(log, _("two outputs are the same file ('%s' and '%s'): give each its own"), a, b);
        ok = false;
      }
      free(ib.name);
    }
    for (size_t j = 0; j < ninputs && ok && ia.regular; j++) {
      file_id ib;
      file_id_of(inputs[j], STDIN_FILENO, &ib);
      if (same_file(&ia, &ib)) {
        /* TRANSLATORS: an output file of the command line, then the input file (a data or
           rule file, a register) it is. */
        say(log,
            _("the output '%s' is the input '%s': it would be replaced by the results; write "
              "them to another file"),
            a, inputs[j]);
        ok = false;
      }
      free(ib.name);
    }
    free(ia.name);
  }
  return ok;
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
  int fd = is_link || strncmp(path, "/dev/", 5) == 0 ? descriptor_of(path) : -1;
  if (fd >= 0) {
    /* through a duplicate of the descriptor (closed: the write fails, status 4) */
    int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    out->f = dup_fd >= 0 ? fdopen(dup_fd, "a") : NULL;
    if (!out->f) {
      /* TRANSLATORS: a file (the first %s) and the system's reason it cannot be written. */
      say(log, _("cannot write '%s': %s"), path, strerror(errno));
      if (dup_fd >= 0)
        close(dup_fd);
      return false;
    }
    return true;
  }
  bool exists = stat(path, &st) == 0; /* through a link */
  if ((exists && !S_ISREG(st.st_mode)) || fd == DESCRIPTOR_OTHER) {
    /* a device, a pipe, another process's descriptor: written in place */
    out->f = fopen(path, is_link ? "a" : "w");
    if (!out->f) {
      /* TRANSLATORS: a file (the first %s) and the system's reason it cannot be written. */
      say(log, _("cannot write '%s': %s"), path, strerror(errno));
      return false;
    }
    return true;
  }
  /* A link to a regular file, or to none yet: the file it ends at is written aside and
   * renamed into place, so that the link still finds it and a failed run leaves it be. */
  out->target = is_link ? link_end(path) : strdup(path);
  out->f = out->target ? create_temporary(out) : NULL;
  if (!out->f) {
    say(log, _("cannot write '%s': %s"), path,
        /* TRANSLATORS: why a file cannot be written: a chain of symbolic links too long, or
           a loop (as the system says it). */
        is_link && !out->target ? _("too many levels of symbolic links") : strerror(errno));
    free(out->tmp);
    free(out->target);
    out->tmp = out->target = NULL;
    return false;
  }
  /* the file replaced keeps its owner, then its permissions (a reject file holds identity
   * numbers: a 0600 file must not come back 0644; chown would clear a setgid bit set
   * before it); where not allowed, our ownership and the umask's mode stand */
  if (exists) {
    int refused = fchown(fileno(out->f), st.st_uid, st.st_gid);
    refused |= fchmod(fileno(out->f), st.st_mode & 07777);
    (void)refused;
  }
  return true;
}

bool out_write(output *out, const char *data, size_t n)
{
  return !out->f || !n || fwrite(data, 1, n, out->f) == n;
}

bool out_flush(output *out, FILE *log)
{
  if (!out->f || out->failed)
    return !out->failed;
  if (fflush(out->f) == 0 && !ferror(out->f))
    return true;
  const char *why = strerror(errno ? errno : EIO);
  if (out->path)
    say(log, _("cannot write '%s': %s"), out->path, why);
  else
    say(log, _("cannot write standard output: %s"), why);
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
  if (!ok && !out->failed) {
    const char *why = strerror(errno ? errno : EIO);
    if (out->path)
      say(log, _("cannot write '%s': %s"), out->path, why);
    else
      say(log, _("cannot write standard output: %s"), why);
  }
  if (out->tmp) {
    if (ok && keep && rename(out->tmp, out->target) != 0) {
      say(log, _("cannot write '%s': %s"), out->path, strerror(errno));
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
