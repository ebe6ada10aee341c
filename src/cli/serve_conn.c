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
 * The front door (serve_front.c) accepts the connections and holds each until its first
 * request head is in; it asks here whether a new one may be taken, and the connections it
 * holds count against the limits (as "waiting at the door") until it hands them to
 * libmicrohttpd (as "handed over" until libmicrohttpd's notification, on its own thread a
 * moment later, counts them as open: never uncounted in between).  --max-per-client is
 * counted here too, per address, from the door to the close: libmicrohttpd does not apply
 * its own limit to the connections it is handed.
 *
 * The table is guarded by one lock, taken by libmicrohttpd's callbacks on its threads, by the
 * front door and by the sweep: a connection's descriptor is shut down only under the lock,
 * and libmicrohttpd tells us a connection closed (under the same lock) before it closes the
 * descriptor, so the sweep never touches a descriptor that has been reused.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "serve.h"

struct serve_conn {
  struct serve_conn *prev, *next;
  struct MHD_Connection *mhd;
  int fd;
  bool in_request;       /* its request head is in; the request is not yet answered */
  struct timespec since; /* waiting for a request head since */
  serve_client client;   /* its address, as counted against --max-per-client */
};

/* ---------------------------------------------------------------- connections per client
 * An open-addressing hash of the addresses with at least one connection, and how many: a
 * slot per connection allowed, twice over, so that it never fills (linear probing; a slot
 * freed is filled by moving later ones back, so that no tombstones pile up). */

struct serve_client_slot {
  serve_client key;
  unsigned count; /* 0: the slot is free */
};

serve_client serve_client_of(const struct sockaddr *addr)
{
  serve_client c = {0};
  if (!addr)
    return c;
  c.family = (unsigned char)addr->sa_family;
  if (addr->sa_family == AF_INET)
    memcpy(c.bytes, &((const struct sockaddr_in *)addr)->sin_addr, 4);
  else if (addr->sa_family == AF_INET6)
    memcpy(c.bytes, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
  return c;
}

static size_t client_hash(const serve_client *c, size_t mask)
{
  uint64_t h = 1469598103934665603ULL ^ c->family; /* FNV-1a */
  for (size_t i = 0; i < sizeof c->bytes; i++)
    h = (h ^ c->bytes[i]) * 1099511628211ULL;
  return (size_t)h & mask;
}

static bool same_client(const serve_client *a, const serve_client *b)
{
  return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* The slot of c: its own, or the free one where it would go. */
static size_t client_slot(const serve_conns *t, const serve_client *c)
{
  size_t i = client_hash(c, t->clients_mask);
  while (t->clients[i].count && !same_client(&t->clients[i].key, c))
    i = (i + 1) & t->clients_mask;
  return i;
}

static unsigned client_count(const serve_conns *t, const serve_client *c)
{
  return t->clients ? t->clients[client_slot(t, c)].count : 0;
}

static void client_add(serve_conns *t, const serve_client *c)
{
  if (!t->clients)
    return;
  struct serve_client_slot *s = &t->clients[client_slot(t, c)];
  s->key = *c;
  s->count++;
}

static void client_remove(serve_conns *t, const serve_client *c)
{
  if (!t->clients)
    return;
  size_t i = client_slot(t, c);
  if (!t->clients[i].count || --t->clients[i].count)
    return;
  /* the slot is free: move back the entries after it that belong before it */
  for (size_t j = (i + 1) & t->clients_mask; t->clients[j].count; j = (j + 1) & t->clients_mask) {
    size_t home = client_hash(&t->clients[j].key, t->clients_mask);
    if (((j - home) & t->clients_mask) >= ((j - i) & t->clients_mask)) {
      t->clients[i] = t->clients[j];
      t->clients[j].count = 0;
      i = j;
    }
  }
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void serve_conns_init(serve_conns *t, unsigned max, unsigned max_per_client,
                      unsigned header_timeout)
{
  *t =
      (serve_conns){.max = max, .max_per_client = max_per_client, .header_timeout = header_timeout};
  size_t slots = 16;
  while (slots < 2 * ((size_t)max + 64))
    slots *= 2;
  t->clients = calloc(slots, sizeof *t->clients); /* NULL: per-client counts are not kept */
  t->clients_mask = slots - 1;
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
  free(t->clients);
  t->clients = NULL;
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

serve_conns_verdict serve_conns_take(serve_conns *t, const serve_client *client)
{
  pthread_mutex_lock(&t->lock);
  serve_conns_verdict v = SERVE_CONNS_TAKEN;
  if (t->max_per_client && client_count(t, client) >= t->max_per_client) {
    v = SERVE_CONNS_CLIENT_FULL;
  } else if (t->open + t->at_door + t->handed >= t->max) {
    struct serve_conn *slow = longest_waiting(t);
    if (slow) {
      shutdown(slow->fd, SHUT_RDWR);
      slow->fd = -1; /* closed by libmicrohttpd soon; counted until then */
      t->evicted++;
    } else {
      v = SERVE_CONNS_FULL;
    }
  }
  if (v == SERVE_CONNS_TAKEN) {
    t->at_door++;
    client_add(t, client);
  } else if (v == SERVE_CONNS_CLIENT_FULL) {
    t->refused++;
  }
  pthread_mutex_unlock(&t->lock);
  return v;
}

void serve_conns_leave_door(serve_conns *t, const serve_client *client, serve_conns_event why)
{
  pthread_mutex_lock(&t->lock);
  t->at_door--;
  if (why == SERVE_CONNS_HANDED_OVER)
    t->handed++; /* still counted, with its client, until libmicrohttpd says it started */
  else
    client_remove(t, client);
  if (why == SERVE_CONNS_EVICTED)
    t->evicted++;
  else if (why == SERVE_CONNS_TIMED_OUT)
    t->timed_out++;
  pthread_mutex_unlock(&t->lock);
}

void serve_conns_handover_failed(serve_conns *t, const serve_client *client)
{
  pthread_mutex_lock(&t->lock);
  t->handed--;
  client_remove(t, client);
  pthread_mutex_unlock(&t->lock);
}

void serve_conns_refused(serve_conns *t)
{
  pthread_mutex_lock(&t->lock);
  t->refused++;
  pthread_mutex_unlock(&t->lock);
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
    const union MHD_ConnectionInfo *from =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    c->mhd = mhd;
    c->fd = info ? info->connect_fd : -1;
    c->client = serve_client_of(from ? from->client_addr : NULL);
    clock_gettime(CLOCK_MONOTONIC, &c->since);
    pthread_mutex_lock(&t->lock);
    /* counted since the door took it (its client too): now as open.  A connection handed
     * over by another way than the door (the fuzz harness's) was never counted at the door:
     * its client is not counted, and its end takes nothing from a count of 0 */
    if (t->handed)
      t->handed--;
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
  client_remove(t, &c->client);
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
  serve_conns_tally tally = {.open = t->open + t->at_door + t->handed,
                             .timed_out = t->timed_out,
                             .refused = t->refused,
                             .evicted = t->evicted};
  for (struct serve_conn *c = t->head; c; c = c->next)
    if (!c->in_request && c->fd >= 0 && seconds_between(&c->since, &now) > t->header_timeout) {
      shutdown(c->fd, SHUT_RDWR);
      c->fd = -1;
      tally.timed_out++;
    }
  t->refused = 0;
  t->evicted = 0;
  t->timed_out = 0;
  pthread_mutex_unlock(&t->lock);
  return tally;
}

unsigned serve_conns_open(serve_conns *t)
{
  pthread_mutex_lock(&t->lock);
  unsigned n = t->open + t->at_door + t->handed;
  pthread_mutex_unlock(&t->lock);
  return n;
}
