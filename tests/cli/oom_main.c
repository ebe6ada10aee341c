/*
 * oom_main.c -- the `elig` program with an allocator that fails: for tests/cli/oom.sh.
 *
 * The program is cli_main (src/cli/main.c) unchanged; before it runs, the library's
 * allocation hook (elig_set_allocator) is set to fail allocation number $ELIG_FAIL_AT
 * (counted from 1; unset or 0: none fails).  When the failure happened, the file
 * $ELIG_FAIL_HIT (when set) is created at exit, so that the test knows when N has gone past
 * the last allocation of the command; $ELIG_FAIL_COUNT (when set) receives the number of
 * allocations made, so that the test can tell how many a stage (compiling) takes.  No test code is in the program itself: this is a
 * second main linked with the same sources.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static atomic_long countdown;
static atomic_long made;
static atomic_bool hit;

static bool fail_now(void)
{
  atomic_fetch_add(&made, 1);
  if (atomic_load(&countdown) <= 0 || atomic_fetch_sub(&countdown, 1) != 1)
    return false;
  atomic_store(&hit, true);
  return true;
}

static void *fail_malloc(void *ud, size_t size)
{
  (void)ud;
  return fail_now() ? NULL : malloc(size);
}

static void *fail_realloc(void *ud, void *p, size_t size)
{
  (void)ud;
  return fail_now() ? NULL : realloc(p, size);
}

static void fail_free(void *ud, void *p)
{
  (void)ud;
  free(p);
}

static void say_hit(void)
{
  const char *path = getenv("ELIG_FAIL_HIT");
  if (atomic_load(&hit) && path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0)
      close(fd);
  }
  path = getenv("ELIG_FAIL_COUNT");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (f) {
    fprintf(f, "%ld\n", atomic_load(&made));
    fclose(f);
  }
}

int main(int argc, char **argv)
{
  const char *at = getenv("ELIG_FAIL_AT");
  atomic_store(&countdown, at ? atol(at) : 0);
  static const elig_allocator failing = {fail_malloc, fail_realloc, fail_free, NULL};
  if (elig_set_allocator(&failing) != ELIG_OK)
    return 99;
  atexit(say_hit);
  return cli_main(argc, argv);
}
