/*
 * serve_conn.c -- the connections `elig serve` holds open, and which of them it closes
 * (the parts: serve.h).
 *
 * libmicrohttpd counts connections against its limit per network thread and, at the limit,
 * stops accepting: new clients then wait in the kernel's queue, unanswered, instead of being
 * refused.  And its timeout is for idleness only, so a client that sends its request head
 * one byte every few seconds keeps a connection for ever; some thousands of those from a
 * few dozen addresses locked every other client out.  So the service keeps its own table:
 *
 *   - a connection past --max-connections is refused at once (closed), unless one of the
 *     connections held is still waiting for its request head after a second: then the one
 *     waiting longest is closed and the newcomer taken, so that slow clients cannot keep
 *     the place of quick ones;
 *   - a connection must send a whole request head within --header-timeout of being opened
 *     or of its previous answer; the main thread sweeps the table and closes those that did
 *     not (shutdown(2): libmicrohttpd sees the end of the stream and cleans up as usual).
 *
 * The table is guarded by one lock, taken by libmicrohttpd's callbacks on its threads and by
 * the sweep: a connection's descriptor is shut down only under the lock, and libmicrohttpd
 * tells us a connection closed (under the same lock) before it closes the descriptor, so the
 * sweep never touches a descriptor that has been reused.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include "serve.h"

struct serve_conn {
  struct serve_conn *prev, *next;
  struct MHD_Connection *mhd;
  int fd;
  bool in_request;       /* its request head is in; the request is not yet answered */
  struct timespec since; /* waiting for a request head since */
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void serve_conns_init(serve_conns *t, unsigned max, unsigned header_timeout)
{
  *t = (serve_conns){.max = max, .header_timeout = header_timeout};
  pthread_mutex_init(&t->lock, NULL);
}

void serve_conns_fini(serve_conns *t)
{
  pthread_mutex_lock(&t->lock);
  for (struct serve_conn *c = t->head, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  t->head = NULL;
  pthread_mutex_unlock(&t->lock);
  pthread_mutex_destroy(&t->lock);
}

/* The connection waiting for its request head the longest, at least a second; NULL if none. */
static struct serve_conn *longest_waiting(serve_conns *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct serve_conn *oldest = NULL;
  for (struct serve_conn *c = t->head; c; c = c->next)
    if (!c->in_request && c->fd >= 0 && seconds_between(&c->since, &now) >= 1.0 &&
        (!oldest || seconds_between(&c->since, &oldest->since) > 0))
      oldest = c;
  return oldest;
}

enum MHD_Result serve_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
  (void)addr;
  (void)len;
  serve_conns *t = cls;
  pthread_mutex_lock(&t->lock);
  bool ok = t->open < t->max;
  if (!ok) {
    struct serve_conn *slow = longest_waiting(t);
    if (slow) {
      shutdown(slow->fd, SHUT_RDWR);
      slow->fd = -1; /* closed by libmicrohttpd soon; counted until then */
      t->evicted++;
      ok = true;
    } else {
      t->refused++;
    }
  }
  pthread_mutex_unlock(&t->lock);
  return ok ? MHD_YES : MHD_NO;
}

void serve_conns_notify(void *cls, struct MHD_Connection *mhd, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
  serve_conns *t = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    struct serve_conn *c = calloc(1, sizeof *c);
    *socket_context = c;
    if (!c)
      return; /* not tracked: only the limits of libmicrohttpd apply to it */
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
    c->mhd = mhd;
    c->fd = info ? info->connect_fd : -1;
    clock_gettime(CLOCK_MONOTONIC, &c->since);
    pthread_mutex_lock(&t->lock);
    c->next = t->head;
    if (t->head)
      t->head->prev = c;
    t->head = c;
    t->open++;
    pthread_mutex_unlock(&t->lock);
    return;
  }
  struct serve_conn *c = *socket_context;
  if (!c)
    return;
  pthread_mutex_lock(&t->lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    t->head = c->next;
  if (c->next)
    c->next->prev = c->prev;
  t->open--;
  pthread_mutex_unlock(&t->lock);
  free(c);
  *socket_context = NULL;
}

static struct serve_conn *conn_of(struct MHD_Connection *mhd)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? info->socket_context : NULL;
}

void serve_conns_request(serve_conns *t, struct MHD_Connection *mhd, bool begins)
{
  struct serve_conn *c = conn_of(mhd);
  if (!c)
    return;
  pthread_mutex_lock(&t->lock);
  c->in_request = begins;
  if (!begins)
    clock_gettime(CLOCK_MONOTONIC, &c->since);
  pthread_mutex_unlock(&t->lock);
}

serve_conns_tally serve_conns_sweep(serve_conns *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  pthread_mutex_lock(&t->lock);
  serve_conns_tally tally = {.open = t->open, .refused = t->refused, .evicted = t->evicted};
  for (struct serve_conn *c = t->head; c; c = c->next)
    if (!c->in_request && c->fd >= 0 && seconds_between(&c->since, &now) > t->header_timeout) {
      shutdown(c->fd, SHUT_RDWR);
      c->fd = -1;
      tally.timed_out++;
    }
  t->refused = 0;
  t->evicted = 0;
  pthread_mutex_unlock(&t->lock);
  return tally;
}

unsigned serve_conns_open(serve_conns *t)
{
  pthread_mutex_lock(&t->lock);
  unsigned n = t->open;
  pthread_mutex_unlock(&t->lock);
  return n;
}
