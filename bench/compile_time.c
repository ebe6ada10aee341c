/*
 * compile_time.c -- how long compiling a rule set takes, measured inside one process (for
 * bench/run): elig_compile_file N times, the rule files read from the page cache each time,
 * as a service reloading its rules does.
 *
 *   bench/compile_time RULES [N]     prints "best MS mean MS" over N compilations (100)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <elig.h>

static double now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: compile_time RULES [N]\n");
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 100;
  if (n < 1)
    n = 1;
  double best = 0, total = 0;
  for (int i = 0; i < n; i++) {
    elig_ruleset *rs;
    double t0 = now_ms();
    elig_status st = elig_compile_file(argv[1], NULL, &rs, NULL);
    double t = now_ms() - t0;
    if (st != ELIG_OK) {
      fprintf(stderr, "compile_time: %s: %s\n", argv[1], elig_status_str(st));
      return 1;
    }
    elig_ruleset_free(rs);
    total += t;
    if (i == 0 || t < best)
      best = t;
  }
  printf("best %.2f mean %.2f\n", best, total / n);
  return 0;
}
