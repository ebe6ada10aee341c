/*
 * serve_workbench.c -- the folder the workbench may edit (`elig serve --workbench DIR`), its
 * files, their saved versions, and the workbench's own static assets (the parts: serve.h;
 * the routes are in serve_workbench_api.c; doc/workbench.md).
 *
 * Every path a client names is relative to DIR and checked twice: by its spelling first
 * (wb_path_ok: no absolute path, no "..", no "." or hidden component, a rule file's name),
 * then by how it is opened: each folder on the way with openat(O_NOFOLLOW | O_DIRECTORY)
 * from DIR's descriptor, the file itself with O_NOFOLLOW, so that no symbolic link is ever
 * followed, whether it points in or out of DIR, and a folder renamed meanwhile cannot take
 * the path elsewhere.  DIR is opened once, at start.
 *
 * Saved versions go to DIR/.elig-history/: each text under its SHA-256
 * (`<64 hex digits>.rules`, so that a text saved twice is kept once) and a line per save in
 * log.jsonl (when, which file, its hash, the rule set's hash, the token's name).  The folder
 * is hidden from the file routes by its leading dot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "cli.h"
#include "serve.h"

/* Rule files may be 1 MiB (elig_compile_sources refuses more); a folder of more files than
 * this is no rule set a person edits by hand, and bounds what one request reads. */
#define WB_MAX_FILE (1u << 20)
#define WB_MAX_FILES 1000
#define WB_MAX_DEPTH 8
#define WB_HISTORY ".elig-history"

/* ---------------------------------------------------------------- paths */

static bool component_ok(const char *c, size_t n)
{
  if (n == 0 || n > NAME_MAX || c[0] == '.') /* "", ".", "..", and hidden names */
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)c[i];
    if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == ':')
      return false;
  }
  return true;
}

static bool ends_with(const char *s, size_t len, const char *end)
{
  size_t n = strlen(end);
  return len > n && strcmp(s + len - n, end) == 0;
}

static bool rules_name(const char *name, size_t len)
{
  return ends_with(name, len, ".rules");
}

/* A register's name says its format as the command line reads it (.jsonl, .ndjson and .json
 * are JSON Lines, .csv is CSV); nothing else in the data folder is offered as a register. */
static bool register_name(const char *name, size_t len)
{
  return ends_with(name, len, ".csv") || ends_with(name, len, ".jsonl") ||
         ends_with(name, len, ".ndjson") || ends_with(name, len, ".json");
}

/* Whether s is UTF-8 text, as jansson takes it: every path is said back in a JSON answer. */
static bool utf8_ok(const char *s)
{
  json_t *probe = json_string(s);
  json_decref(probe);
  return probe != NULL;
}

/* A relative path of components component_ok takes, whose name `wanted` takes. */
static bool path_ok(const char *path, bool (*wanted)(const char *name, size_t len))
{
  size_t len = path ? strlen(path) : 0;
  if (len == 0 || len > 512 || path[0] == '/' || !wanted(path, len) || !utf8_ok(path))
    return false;
  for (const char *p = path;;) {
    size_t n = strcspn(p, "/");
    if (!component_ok(p, n))
      return false;
    if (!p[n])
      return true;
    p += n + 1;
  }
}

bool wb_path_ok(const char *path)
{
  return path_ok(path, rules_name);
}

bool wb_data_path_ok(const char *path)
{
  return path_ok(path, register_name);
}

elig_input_format wb_register_format(const char *name)
{
  size_t len = strlen(name);
  return ends_with(name, len, ".csv") || !register_name(name, len) ? ELIG_INPUT_CSV
                                                                   : ELIG_INPUT_JSONL;
}

/* Opens the folder that holds `path` beneath dir_fd, one component at a time without
 * following links; *leaf receives the file's name within it.  -1 with errno (ELOOP, ENOTDIR:
 * a link or a file on the way). */
static int open_parent(int dir_fd, const char *path, const char **leaf)
{
  int fd = dup(dir_fd);
  if (fd < 0)
    return -1;
  const char *p = path;
  for (size_t n; p[n = strcspn(p, "/")] == '/'; p += n + 1) {
    char name[NAME_MAX + 1];
    memcpy(name, p, n);
    name[n] = '\0';
    int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int saved = errno;
    close(fd);
    if (next < 0) {
      errno = saved;
      return -1;
    }
    fd = next;
  }
  *leaf = p;
  return fd;
}

/* The whole of the regular file open on fd (taken), at most `max` bytes, NUL-terminated;
 * NULL with *err (EINVAL: no regular file; EFBIG: larger than max). */
static char *read_regular(int fd, size_t max, size_t *len, int *err)
{
  struct stat st;
  char *text = NULL;
  *err = 0;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    *err = EINVAL; /* a folder, a device: no rule file */
  else if ((unsigned long long)st.st_size > max)
    *err = EFBIG;
  else if (!(text = malloc((size_t)st.st_size + 1)))
    *err = ENOMEM;
  size_t got = 0;
  while (text && !*err && got < (size_t)st.st_size) {
    ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      *err = n < 0 ? errno : EIO; /* shrunk while read: try again later */
      break;
    }
    got += (size_t)n;
  }
  close(fd);
  if (*err) {
    free(text);
    return NULL;
  }
  text[got] = '\0';
  *len = got;
  return text;
}

int wb_open_regular(int dir_fd, const char *path, uint64_t *size, int *err)
{
  const char *leaf;
  int parent = open_parent(dir_fd, path, &leaf);
  /* O_NONBLOCK: a FIFO in the folder would hold the open until someone writes to it; a
   * regular file's reads ignore the flag */
  int fd = parent < 0 ? -1 : openat(parent, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  *err = fd < 0 ? errno : 0;
  if (parent >= 0)
    close(parent);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    *err = EINVAL; /* a folder, a FIFO, a device: no register */
    close(fd);
    fd = -1;
  }
  if (fd >= 0)
    *size = (uint64_t)st.st_size;
  return fd;
}

char *wb_read(int dir_fd, const char *path, size_t *len, int *err)
{
  const char *leaf;
  int parent = open_parent(dir_fd, path, &leaf);
  /* O_NONBLOCK: as wb_open_regular's (a FIFO named x.rules is refused, not waited on) */
  int fd = parent < 0 ? -1 : openat(parent, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  *err = fd < 0 ? errno : 0;
  if (parent >= 0)
    close(parent);
  return fd < 0 ? NULL : read_regular(fd, WB_MAX_FILE, len, err);
}

bool wb_write_all(int fd, const char *text, size_t len)
{
  while (len) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    text += n;
    len -= (size_t)n;
  }
  return true;
}

/* Writes `len` bytes to `leaf` in the folder parent as a whole or not at all: a temporary
 * file beside it, synced, then renamed over it, so that the service's watcher (and a crash)
 * never sees half a file.  `mode` for a new file. */
static int write_whole(int parent, const char *leaf, const char *text, size_t len, mode_t mode)
{
  uint8_t r[6];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
    return EIO;
  char tmp[64];
  snprintf(tmp, sizeof tmp, ".elig-save-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
           r[5]);
  int fd = openat(parent, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return errno;
  bool ok = wb_write_all(fd, text, len) && fsync(fd) == 0;
  int err = ok ? 0 : errno ? errno : EIO;
  if (close(fd) != 0 && ok)
    err = errno;
  if (!err && renameat(parent, tmp, parent, leaf) != 0)
    err = errno;
  if (err)
    unlinkat(parent, tmp, 0);
  else
    fsync(parent); /* the rename itself, on disk */
  return err;
}

int wb_write(int dir_fd, const char *path, const char *text, size_t len)
{
  const char *leaf;
  int parent = open_parent(dir_fd, path, &leaf);
  if (parent < 0)
    return errno;
  /* a link in place of the file would be replaced, not followed; refused all the same, as
   * reading it is */
  struct stat st;
  int err = 0;
  mode_t mode = 0644;
  if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG(st.st_mode))
      err = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
    mode = st.st_mode & 07777;
  } else if (errno != ENOENT)
    err = errno;
  if (!err)
    err = write_whole(parent, leaf, text, len, mode);
  close(parent);
  return err;
}

/* ---------------------------------------------------------------- listing */

typedef struct {
  char **paths;
  size_t n, cap;
  bool full; /* more than WB_MAX_FILES */
  bool (*wanted)(const char *name, size_t len);
} path_list;

static bool list_add(path_list *l, const char *prefix, const char *name)
{
  if (l->n == WB_MAX_FILES) {
    l->full = true;
    return true;
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **p = realloc(l->paths, cap * sizeof *p);
    if (!p)
      return false;
    l->paths = p;
    l->cap = cap;
  }
  size_t len = strlen(prefix) + strlen(name) + 2;
  char *path = malloc(len);
  if (!path)
    return false;
  snprintf(path, len, "%s%s%s", prefix, prefix[0] ? "/" : "", name);
  l->paths[l->n++] = path;
  return true;
}

/* The files beneath fd (a folder, taken) whose name l->wanted takes, hidden entries and
 * links left out. */
static bool list_folder(int fd, const char *prefix, unsigned depth, path_list *l)
{
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return true; /* a folder that cannot be read has nothing to edit */
  }
  bool ok = true;
  for (struct dirent *e; ok && (e = readdir(d));) {
    if (e->d_name[0] == '.')
      continue;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth < WB_MAX_DEPTH) {
      int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      size_t len = strlen(prefix) + strlen(e->d_name) + 2;
      char *next = sub >= 0 ? malloc(len) : NULL;
      if (next) {
        snprintf(next, len, "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        ok = list_folder(sub, next, depth + 1, l);
      } else if (sub >= 0) {
        close(sub);
        ok = false;
      }
      free(next);
    } else if (S_ISREG(st.st_mode) && l->wanted(e->d_name, strlen(e->d_name))) {
      ok = list_add(l, prefix, e->d_name);
    }
  }
  closedir(d);
  return ok;
}

static int by_path(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_files(int dir_fd, bool (*wanted)(const char *name, size_t len), size_t *n,
                         bool *full)
{
  path_list l = {.wanted = wanted};
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || !list_folder(fd, "", 0, &l)) {
    wb_free_list(l.paths, l.n);
    return NULL;
  }
  if (!l.paths && !(l.paths = malloc(sizeof *l.paths)))
    return NULL;
  qsort(l.paths, l.n, sizeof *l.paths, by_path);
  *n = l.n;
  *full = l.full;
  return l.paths;
}

char **wb_list(int dir_fd, size_t *n, bool *full)
{
  return list_files(dir_fd, rules_name, n, full);
}

char **wb_list_registers(int data_fd, size_t *n, bool *full)
{
  return list_files(data_fd, register_name, n, full);
}

void wb_free_list(char **paths, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
}

/* ---------------------------------------------------------------- the rule set as texts */

void wb_sources_free(wb_sources *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free((char *)s->files[i].name);
    free((char *)s->files[i].text);
  }
  free(s->files);
  *s = (wb_sources){0};
}

bool wb_sources_read(int dir_fd, const char *path, const char *text, size_t len, wb_sources *s)
{
  *s = (wb_sources){0};
  size_t n;
  bool full;
  char **paths = wb_list(dir_fd, &n, &full);
  if (!paths)
    return false;
  bool ok = (s->files = calloc(n + 1, sizeof *s->files)) != NULL;
  bool given = false;
  for (size_t i = 0; ok && i < n; i++) {
    elig_source *f = &s->files[s->n];
    if (path && strcmp(paths[i], path) == 0) {
      char *copy = malloc(len + 1);
      if (!(ok = copy != NULL))
        break;
      memcpy(copy, text, len);
      *f = (elig_source){paths[i], copy, len};
      given = true;
    } else {
      int err;
      size_t flen;
      char *ftext = wb_read(dir_fd, paths[i], &flen, &err);
      if (!ftext) { /* gone, unreadable or over 1 MiB: not part of the set */
        free(paths[i]);
        paths[i] = NULL; /* wb_free_list below frees the others */
        continue;
      }
      *f = (elig_source){paths[i], ftext, flen};
    }
    paths[i] = NULL;
    s->n++;
  }
  if (ok && path && !given) { /* a new file, not yet on disk */
    char *name = strdup(path), *copy = malloc(len + 1);
    if ((ok = name && copy)) {
      memcpy(copy, text, len);
      s->files[s->n++] = (elig_source){name, copy, len};
    } else {
      free(name);
      free(copy);
    }
  }
  wb_free_list(paths, n);
  if (!ok)
    wb_sources_free(s);
  return ok;
}

/* ---------------------------------------------------------------- hashes */

void wb_sha256_hex(const char *text, size_t len, char out[65])
{
  struct sha256_ctx c;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&c);
  sha256_update(&c, len, (const uint8_t *)text);
  sha256_digest(&c, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

bool wb_hex64_ok(const char *s)
{
  if (!s || strlen(s) != 64)
    return false;
  for (size_t i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* ---------------------------------------------------------------- history */

static int history_dir(int dir_fd)
{
  if (mkdirat(dir_fd, WB_HISTORY, 0755) != 0 && errno != EEXIST)
    return -1;
  return openat(dir_fd, WB_HISTORY, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int wb_history_add(int dir_fd, const char *path, const char *text, size_t len, const char *sha256,
                   const char *rules_hash, const char *by)
{
  int hd = history_dir(dir_fd);
  if (hd < 0)
    return errno;
  char leaf[80];
  snprintf(leaf, sizeof leaf, "%s.rules", sha256);
  struct stat st;
  int err = 0;
  if (fstatat(hd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) /* kept once, however often saved */
    err = write_whole(hd, leaf, text, len, 0644);
  char when[32];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  serve_time_iso(&now, when, sizeof when);
  json_t *line =
      json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "time", when, "path", path, "sha256", sha256,
                "bytes", (json_int_t)len, "rules", rules_hash, "by", by && by[0] ? by : "");
  char *text_line = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(line);
  int fd = err || !text_line ? -1
                             : openat(hd, "log.jsonl",
                                      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (!err && !text_line)
    err = ENOMEM;
  else if (!err && fd < 0)
    err = errno;
  /* one write(2) with O_APPEND: the line goes in whole */
  if (fd >= 0) {
    size_t n = strlen(text_line);
    text_line[n] = '\n';
    if (!wb_write_all(fd, text_line, n + 1) || fsync(fd) != 0)
      err = errno ? errno : EIO;
    close(fd);
  }
  free(text_line);
  close(hd);
  return err;
}

json_t *wb_history_of(int dir_fd, const char *path)
{
  json_t *list = json_array();
  int hd = openat(dir_fd, WB_HISTORY, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int fd = hd < 0 ? -1 : openat(hd, "log.jsonl", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (hd >= 0)
    close(hd);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
  if (!f) {
    if (fd >= 0)
      close(fd);
    return list; /* nothing saved yet */
  }
  char *line = NULL;
  size_t cap = 0;
  while (list && getline(&line, &cap, f) > 0) {
    json_t *e = json_loads(line, 0, NULL);
    const char *p = json_string_value(json_object_get(e, "path"));
    if (p && strcmp(p, path) == 0)
      json_array_insert(list, 0, e); /* newest first */
    json_decref(e);
  }
  free(line);
  fclose(f);
  return list;
}

char *wb_history_text(int dir_fd, const char *sha256, size_t *len, int *err)
{
  char path[96];
  snprintf(path, sizeof path, WB_HISTORY "/%s.rules", sha256);
  /* open_parent and wb_read, not wb_path_ok: the folder's name is hidden on purpose */
  return wb_read(dir_fd, path, len, err);
}

/* ---------------------------------------------------------------- start and stop */

/* `inner` relative to `outer` (both real paths), or NULL when it is not beneath it. */
static const char *beneath(const char *outer, const char *inner)
{
  size_t n = strlen(outer);
  if (strcmp(outer, "/") == 0)
    return inner + 1;
  if (strncmp(inner, outer, n) != 0 || inner[n] != '/')
    return NULL;
  return inner + n + 1;
}

bool serve_workbench_open(serve_workbench *wb, const char *dir, const char *rules,
                          const char *assets, char *why, size_t size)
{
  *wb = (serve_workbench){
      .dir_fd = -1, .assets_fd = -1, .data_fd = -1, .upload_max = WB_UPLOAD_MAX_DEFAULT};
  pthread_mutex_init(&wb->lock, NULL);
  char *real_dir = realpath(dir, NULL);
  int dir_errno = errno; /* before the next call changes it */
  char *real_rules = realpath(rules, NULL);
  const char *rel = real_dir && real_rules ? beneath(real_dir, real_rules) : NULL;
  if (!real_dir)
    /* TRANSLATORS: %s is the folder --workbench was given, then the system's reason. */
    snprintf(why, size, _("--workbench %s: %s"), dir, strerror(dir_errno));
  else if (!rel || !wb_path_ok(rel))
    /* TRANSLATORS: the rule file (first %s) is not in the --workbench folder (second %s). */
    snprintf(why, size, _("the rule file '%s' is not a rule file inside the workbench folder '%s'"),
             rules, dir);
  else if ((wb->dir_fd = open(real_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    snprintf(why, size, _("--workbench %s: %s"), dir, strerror(errno));
  uint8_t r[32];
  if (wb->dir_fd >= 0 && getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
    snprintf(why, size, "no random bytes from the system: %s", strerror(errno));
    close(wb->dir_fd);
    wb->dir_fd = -1;
  }
  if (wb->dir_fd >= 0) {
    for (size_t i = 0; i < sizeof r; i++)
      snprintf(wb->csrf + 2 * i, 3, "%02x", r[i]);
    wb->root = strdup(rel);
    wb->dir = strdup(dir);
    wb->assets_fd = assets ? open(assets, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    wb->upload = wb_upload_new();
    wb->impact = wb_impact_new();
  }
  free(real_dir);
  free(real_rules);
  if (wb->dir_fd >= 0 && (!wb->root || !wb->dir || !wb->upload || !wb->impact)) {
    snprintf(why, size, "%s", _("out of memory"));
    serve_workbench_close(wb);
    return false;
  }
  return wb->dir_fd >= 0;
}

bool serve_workbench_open_data(serve_workbench *wb, const char *dir, char *why, size_t size)
{
  /* the folder itself may be reached through a link (/srv/registers -> /data/2025); what
   * is beneath it is walked without following any (open_parent) */
  wb->data_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (wb->data_fd < 0) {
    /* TRANSLATORS: %s is the folder --workbench-data was given, then the system's reason. */
    snprintf(why, size, _("--workbench-data %s: %s"), dir, strerror(errno));
    return false;
  }
  if (!(wb->data_dir = strdup(dir))) {
    snprintf(why, size, "%s", _("out of memory"));
    close(wb->data_fd);
    wb->data_fd = -1;
    return false;
  }
  return true;
}

void serve_workbench_close(serve_workbench *wb)
{
  wb_impact_free(wb->impact); /* first: its thread may still read an upload */
  wb_upload_free(wb->upload);
  if (wb->dir_fd >= 0)
    close(wb->dir_fd);
  if (wb->assets_fd >= 0)
    close(wb->assets_fd);
  if (wb->data_fd >= 0)
    close(wb->data_fd);
  free(wb->root);
  free(wb->dir);
  free(wb->data_dir);
  wb->dir_fd = wb->assets_fd = wb->data_fd = -1;
  wb->root = wb->dir = wb->data_dir = NULL;
  wb->impact = NULL;
  wb->upload = NULL;
  pthread_mutex_destroy(&wb->lock);
}

/* ---------------------------------------------------------------- files of no name */

int wb_tmpfile(void)
{
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
    return fd;
  /* a file system without O_TMPFILE: a named file, its name removed at once */
  size_t n = strlen(dir) + 32;
  char *name = malloc(n);
  if (!name)
    return -1;
  snprintf(name, n, "%s/elig-workbench-XXXXXX", dir);
  fd = mkostemp(name, O_CLOEXEC);
  if (fd >= 0)
    unlink(name);
  free(name);
  return fd;
}

int wb_reopen(int fd)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return open(path, O_RDONLY | O_CLOEXEC);
}

/* ---------------------------------------------------------------- static assets */

/* The content type of an asset by its name's ending; NULL: not served. */
static const char *asset_type(const char *name)
{
  static const char *const types[][2] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}, {".svg", "image/svg+xml"},
  };
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t k = strlen(types[i][0]);
    if (n > k && strcmp(name + n - k, types[i][0]) == 0)
      return types[i][1];
  }
  return NULL;
}

/* An asset's name: one component of letters, digits, '-', '_' and one '.' or more; the
 * assets folder is flat. */
static bool asset_name_ok(const char *name)
{
  if (!name[0] || name[0] == '.' || strlen(name) > 64)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_' || *p == '.'))
      return false;
  return true;
}

char *wb_asset(const serve_workbench *wb, const char *name, size_t *len, const char **type,
               int *err)
{
  *type = asset_type(name);
  if (wb->assets_fd < 0) {
    *err = ENODEV; /* not built, or not installed */
    return NULL;
  }
  if (!asset_name_ok(name) || !*type) {
    *err = ENOENT;
    return NULL;
  }
  int fd = openat(wb->assets_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *err = errno == ELOOP ? ENOENT : errno;
    return NULL;
  }
  char *text = read_regular(fd, 16u << 20, len, err);
  if (!text && *err != ENOMEM)
    *err = ENOENT;
  return text;
}
