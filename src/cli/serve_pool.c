/*
 * serve_pool.c -- the threads that evaluate for `elig serve`, apart from the network threads
 * (the parts: serve.h).
 *
 * libmicrohttpd's threads each run an epoll loop over many connections; a request that
 * evaluated a 16 MiB body on one of them held up every other connection of that thread,
 * /healthz included.  Evaluation therefore runs here: the router suspends the connection,
 * hands the request over as a job, and goes back to its loop; a worker evaluates, queues the
 * response on the still-suspended connection (which libmicrohttpd allows from any thread)
 * and resumes it.
 *
 * The queue is bounded: past --queue jobs waiting, a request is answered "busy" at once
 * rather than kept waiting behind work that may take minutes, so a burst costs clients a
 * retry, not the service its memory.
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve.h"

struct serve_pool {
  pthread_mutex_t lock;
  pthread_cond_t ready; /* a job was added, or the pool is stopping */
  serve_job *jobs;      /* a ring of `cap` */
  size_t cap, head, count;
  bool stopping;
  pthread_t *threads;
  size_t nthreads;
  atomic_uint busy; /* workers running a job */
};

static void *worker(void *arg)
{
  serve_pool *p = arg;
  /* A worker yields the CPU to the network threads when both want it: theirs is the short
   * work (reading, answering /healthz, handing over), and a machine busy evaluating must
   * still answer its probes at once.  Linux keeps a nice value per thread; raising one's
   * own needs no privilege, and where it fails nothing else changes. */
  (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (!p->count && !p->stopping)
      pthread_cond_wait(&p->ready, &p->lock);
    if (!p->count) { /* stopping, and nothing left to do */
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    serve_job job = p->jobs[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
    atomic_fetch_add(&p->busy, 1);
    pthread_mutex_unlock(&p->lock);
    job.run(job.arg);
    atomic_fetch_sub(&p->busy, 1);
  }
}

serve_pool *serve_pool_start(size_t threads, size_t queue)
{
  serve_pool *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->jobs = calloc(queue, sizeof *p->jobs);
  p->threads = calloc(threads, sizeof *p->threads);
  if (!p->jobs || !p->threads) {
    free(p->jobs);
    free(p->threads);
    free(p);
    return NULL;
  }
  p->cap = queue;
  atomic_init(&p->busy, 0);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->ready, NULL);
  for (; p->nthreads < threads; p->nthreads++)
    if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0)
      break;
  if (!p->nthreads) {
    serve_pool_stop(p);
    return NULL;
  }
  return p;
}

bool serve_pool_submit(serve_pool *p, serve_job job, void (*before)(void *), void *before_arg)
{
  pthread_mutex_lock(&p->lock);
  if (p->count == p->cap || p->stopping) {
    pthread_mutex_unlock(&p->lock);
    return false;
  }
  /* under the lock, so that no worker can take the job before `before` has run: the router
   * suspends the connection there, and a worker must find it suspended */
  if (before)
    before(before_arg);
  p->jobs[(p->head + p->count) % p->cap] = job;
  p->count++;
  pthread_cond_signal(&p->ready);
  pthread_mutex_unlock(&p->lock);
  return true;
}

size_t serve_pool_waiting(serve_pool *p)
{
  pthread_mutex_lock(&p->lock);
  size_t n = p->count;
  pthread_mutex_unlock(&p->lock);
  return n;
}

size_t serve_pool_busy(serve_pool *p)
{
  return atomic_load(&p->busy);
}

size_t serve_pool_threads(const serve_pool *p)
{
  return p->nthreads;
}

void serve_pool_finish(serve_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  bool joined = p->stopping;
  p->stopping = true;
  pthread_cond_broadcast(&p->ready);
  pthread_mutex_unlock(&p->lock);
  if (joined)
    return;
  for (size_t i = 0; i < p->nthreads; i++)
    pthread_join(p->threads[i], NULL);
}

void serve_pool_stop(serve_pool *p)
{
  if (!p)
    return;
  serve_pool_finish(p);
  pthread_cond_destroy(&p->ready);
  pthread_mutex_destroy(&p->lock);
  free(p->threads);
  free(p->jobs);
  free(p);
}
