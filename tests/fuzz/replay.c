/*
 * replay.c -- runs a fuzz target over files instead of under libFuzzer: every file named,
 * and every file in every folder named.  make check replays tests/fuzz/corpus this way, with
 * the sanitizers when the build has them, so that every input that once crashed stays fixed.
 *
 *   replay_TARGET FILE|FOLDER...      exit 0 when every input ran, 1 when a file is unreadable
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *grown = realloc(buf, cap *= 2);
      if (!grown) {
        free(buf);
        buf = NULL;
      }
      buf = grown;
    }
  }
  fclose(f);
  if (!buf)
    return 1;
  /* an exact-size copy, so that ASan sees a read past the end of the input */
  uint8_t *exact = malloc(len ? len : 1);
  if (exact) {
    memcpy(exact, buf, len);
    LLVMFuzzerTestOneInput(exact, len);
  }
  free(exact);
  free(buf);
  return exact ? 0 : 1;
}

static int run_path(const char *path, unsigned *count)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    (*count)++;
    return run_file(path);
  }
  DIR *d = opendir(path);
  if (!d) {
    perror(path);
    return 1;
  }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char child[4096];
    snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    rc |= run_path(child, count);
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv)
{
  unsigned count = 0;
  int rc = 0;
  for (int i = 1; i < argc; i++)
    rc |= run_path(argv[i], &count);
  printf("%s: %u inputs replayed\n", argv[0], count);
  return rc;
}
