/*
 * allocator.c -- the library's memory through the program's own functions (elig_set_allocator):
 * here they count what the library holds and can refuse to give it more than a budget, as a
 * service might cap what one batch may take.
 *
 *   cc -std=c11 -Wall allocator.c $(pkg-config --cflags --libs elig) -o allocator
 *   ./allocator rules/national.rules data/sample.csv [BUDGET]
 *
 * Compiles the rules, runs the register through elig_run (the results on standard output, as
 * `elig run` writes them), frees everything, and says on standard error how much memory the
 * library held at most and how many blocks it still holds at the end: none.  With BUDGET
 * (bytes), the batch may take at most that much more than the compiled rules hold; beyond
 * it, an allocation fails and the batch ends with ELIG_ENOMEM, having freed all it took.
 * Exit status: 0 all good, 1 the rules do not compile, 2 bad arguments, 3 some records
 * rejected, 4 the batch failed (out of memory, say), 5 the library still held memory.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <elig.h>

/* ---------------------------------------------------------------- the allocator */

/* Every block carries its size in front, so that free knows what it gives back.  The
 * functions are called from any thread the library runs on, a batch's own included, so the
 * counts are atomic. */
typedef union {
  size_t size;
  max_align_t align; /* blocks stay aligned for any type */
} header;

static atomic_size_t in_use, peak, blocks;
static size_t budget = SIZE_MAX; /* bytes the library may hold; changed only between calls */

/* Takes `size` more bytes from the budget; false when they are not there. */
static bool take(size_t size)
{
  size_t now = atomic_load(&in_use);
  do {
    if (size > budget - now)
      return false;
  } while (!atomic_compare_exchange_weak(&in_use, &now, now + size));
  size_t was = atomic_load(&peak);
  while (now + size > was && !atomic_compare_exchange_weak(&peak, &was, now + size))
    ;
  return true;
}

static void *budget_malloc(void *ud, size_t size)
{
  (void)ud;
  if (size > SIZE_MAX - sizeof(header) || !take(size))
    return NULL; /* the library then fails with ELIG_ENOMEM, leaking nothing */
  header *h = malloc(sizeof *h + size);
  if (!h) {
    atomic_fetch_sub(&in_use, size);
    return NULL;
  }
  h->size = size;
  atomic_fetch_add(&blocks, 1);
  return h + 1;
}

static void *budget_realloc(void *ud, void *p, size_t size)
{
  if (!p)
    return budget_malloc(ud, size); /* as realloc(NULL, size) */
  header *h = (header *)p - 1;
  size_t old = h->size;
  if (size > SIZE_MAX - sizeof(header) || (size > old && !take(size - old)))
    return NULL; /* p stays as it was, as with realloc */
  header *moved = realloc(h, sizeof *h + size);
  if (!moved) {
    if (size > old)
      atomic_fetch_sub(&in_use, size - old);
    return NULL;
  }
  if (size < old)
    atomic_fetch_sub(&in_use, old - size);
  moved->size = size;
  return moved + 1;
}

static void budget_free(void *ud, void *p)
{
  (void)ud;
  if (!p)
    return;
  header *h = (header *)p - 1;
  atomic_fetch_sub(&in_use, h->size);
  atomic_fetch_sub(&blocks, 1);
  free(h);
}

/* ---------------------------------------------------------------- a batch under it */

static ptrdiff_t file_read(void *arg, void *buf, size_t size)
{
  size_t n = fread(buf, 1, size, arg);
  if (n == 0 && ferror((FILE *)arg)) {
    errno = errno ? errno : EIO;
    return -1;
  }
  return (ptrdiff_t)n;
}

static bool write_out(void *arg, elig_stream stream, const char *data, size_t len)
{
  (void)arg;
  return fwrite(data, 1, len, stream == ELIG_STREAM_RESULTS ? stdout : stderr) == len;
}

int main(int argc, char **argv)
{
  char *end = NULL;
  unsigned long long extra = argc == 4 ? strtoull(argv[3], &end, 10) : 0;
  if ((argc != 3 && argc != 4) || (end && *end)) {
    fprintf(stderr, "usage: allocator RULES REGISTER.csv [BUDGET]\n");
    return 2;
  }
  /* First of all, before any other elig_ call, from one thread: it is process-wide. */
  static const elig_allocator counting = {budget_malloc, budget_realloc, budget_free, NULL};
  if (elig_set_allocator(&counting) != ELIG_OK)
    return 2;

  int rc = 0;
  elig_ruleset *rs;
  elig_status st = elig_compile_file(argv[1], NULL, &rs, NULL);
  if (st != ELIG_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], elig_status_str(st));
    rc = 1;
  }
  FILE *f = rc == 0 ? fopen(argv[2], "rb") : NULL;
  if (rc == 0 && !f) {
    perror(argv[2]);
    rc = 2;
  }
  if (rc == 0) {
    size_t rules = atomic_load(&in_use);
    if (argc == 4)
      budget = rules + (extra < SIZE_MAX - rules ? (size_t)extra : SIZE_MAX - rules);
    elig_input input = {.name = argv[2], .format = ELIG_INPUT_CSV, .arg = f, .read = file_read};
    elig_batch_io io = {.write = write_out};
    elig_run_options opt = ELIG_RUN_OPTIONS_INIT;
    elig_batch_stats stats;
    st = elig_run(rs, &opt, &input, 1, &io, &stats);
    budget = SIZE_MAX;
    fprintf(stderr, "allocator: the rules hold %zu bytes; the batch took %zu more at most\n", rules,
            atomic_load(&peak) - rules);
    if (st != ELIG_OK)
      fprintf(stderr, "allocator: the batch failed: %s\n", elig_status_str(st));
    rc = st != ELIG_OK ? 4 : stats.rejected ? 3 : 0;
  }
  if (f)
    fclose(f);
  elig_ruleset_free(rs); /* NULL when the rules did not compile: fine */

  /* Everything freed: the library holds nothing.  Only now may the allocator change. */
  size_t left = atomic_load(&blocks);
  fprintf(stderr, "allocator: %zu blocks still held by the library\n", left);
  elig_set_allocator(NULL);
  return left ? 5 : rc;
}
