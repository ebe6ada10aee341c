/*
 * serve_front.c -- the front door of `elig serve`: where connections are accepted, counted,
 * and their first request head read before libmicrohttpd takes them (the parts: serve.h).
 *
 * libmicrohttpd answers some malformed requests itself, in HTML, without the rule-set hash,
 * and offers no way to answer them otherwise.  So the service listens itself and holds each
 * new plain-HTTP connection until its first request head is in, looking at the bytes without
 * taking them (MSG_PEEK): a head serve_head.c finds wrong is answered here, in JSON with the
 * hash, logged and counted like any other request, and the connection closed; a good one is
 * handed, bytes untouched, to libmicrohttpd (MHD_add_connection), which reads it as if it had
 * accepted the connection itself.  Later requests on a kept-alive connection, HTTPS
 * connections (their bytes are ciphertext here) and errors in a chunked body are
 * libmicrohttpd's to judge; what it answers itself is still logged (serve_route.c).
 *
 * Looking is cheap but not free: every look copies what has come so far.  A client that
 * sends its head a byte at a time must not make the door copy a growing head at every byte,
 * so after a look that found no whole head the next waits until the bytes waiting have
 * doubled (FIONREAD, no copy) or a short delay, doubling up to a quarter second, has passed:
 * some dozens of looks per connection, whatever the client does.  A head cut in two packets
 * costs at most one tick (10 ms) more.
 *
 * One thread does all of it, with epoll: the listening socket, the connections at the door
 * (edge-triggered: a wake-up per arrival, not per byte waiting), and a pipe to stop it.
 * Limits are the connection table's (serve_conn.c): --max-connections and --max-per-client
 * count the connections at the door too, --header-timeout applies from the accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve.h"

enum {
  MAX_HEAD = 16 * 1024,  /* bytes of a first request head; libmicrohttpd holds 32 KiB */
  MAX_TARGET = 8 * 1024, /* bytes of its target */
  MAX_FIELDS = 100,      /* header lines; each costs libmicrohttpd some bytes of its 32 KiB */
  TICK_MS = 10,          /* how often the connections at the door are looked over */
  LINGER_MS = 1000,      /* how long an answered connection is read to its end */
  ACCEPTS_PER_WAKE = 256,
};

/* A connection at the door. */
typedef struct {
  int fd;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  serve_client client;
  long since_ms;         /* accepted at */
  struct timespec since; /* the same, finer, for the log */
  size_t seen;           /* bytes there at the last look */
  unsigned looks;        /* looks that found no whole head */
  long next_look_ms;     /* not looked at again before, unless the bytes have doubled */
  bool closing;          /* answered: read to its end, then closed */
  bool hung_up;          /* the client has sent all it will (EPOLLRDHUP) */
  long close_by_ms;
  size_t index; /* in the door's array */
} waiting;

struct serve_front {
  int listen_fd, epoll_fd, stop_pipe[2];
  pthread_t thread;
  struct MHD_Daemon *daemon;
  serve_http *http;
  bool screen; /* plain HTTP: the first head is read here */
  serve_head_limits limits;
  long header_timeout_ms;
  long accept_paused_until_ms; /* out of descriptors: accepting again at */
  waiting **at_door;
  size_t count, cap;
  char *buf; /* MAX_HEAD bytes, where heads are looked at */
};

/* What epoll carries for the two descriptors that are no connection. */
static char listen_mark, stop_mark;

static long now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int serve_front_listen(const struct sockaddr_storage *addr)
{
  int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (addr->ss_family == AF_INET6) /* the address given, not IPv4 as well */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  socklen_t len =
      addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (bind(fd, (const struct sockaddr *)addr, len) != 0 || listen(fd, 1024) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

unsigned serve_front_port(int listen_fd)
{
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  if (getsockname(listen_fd, (struct sockaddr *)&a, &len) != 0)
    return 0;
  return ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
                                       : ((struct sockaddr_in *)&a)->sin_port);
}

/* ---------------------------------------------------------------- the connections at the door */

/* Takes w out of the door's array and frees it. */
static void forget(serve_front *f, waiting *w)
{
  waiting *last = f->at_door[--f->count];
  f->at_door[w->index] = last;
  last->index = w->index;
  free(w);
}

/* Closes a connection at the door; `why` is counted. */
static void drop(serve_front *f, waiting *w, serve_conns_event why)
{
  epoll_ctl(f->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
  close(w->fd);
  serve_conns_leave_door(f->http->conns, &w->client, why);
  forget(f, w);
}

/* Gives a connection with a good head (or any, for HTTPS) to libmicrohttpd, bytes untouched. */
static void hand_over(serve_front *f, waiting *w)
{
  epoll_ctl(f->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
  serve_conns_leave_door(f->http->conns, &w->client, SERVE_CONNS_HANDED_OVER);
  /* on failure libmicrohttpd closes the descriptor itself, and says why on the log */
  if (MHD_add_connection(f->daemon, w->fd, (struct sockaddr *)&w->addr, w->addrlen) != MHD_YES)
    serve_conns_handover_failed(f->http->conns, &w->client);
  forget(f, w);
}

static const char *reason_phrase(unsigned status)
{
  switch (status) {
  case 400: return "Bad Request";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 431: return "Request Header Fields Too Large";
  case 505: return "HTTP Version Not Supported";
  }
  return "Error";
}

/* The whole answer to a refused head, headers and JSON body, as the service's other errors
 * are (serve_respond.c); malloc'd, NULL when out of memory. */
static char *error_answer(const serve_head_verdict *v, const char *hash, size_t *len)
{
  json_t *doc = json_pack("{s:{s:s, s:s}, s:s}", "error", "code", v->code, "message", v->message,
                          "rules", hash);
  char *body = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  if (!body)
    return NULL;
  char date[64];
  time_t now = time(NULL);
  struct tm tm;
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
  char *out = NULL;
  int n = asprintf(&out,
                   "HTTP/1.1 %u %s\r\nConnection: close\r\nContent-Length: %zu\r\n"
                   "Content-Type: application/json\r\nElig-Rules-Hash: %s\r\nDate: %s\r\n\r\n"
                   "%s\n",
                   v->status, reason_phrase(v->status), strlen(body) + 1, hash, date, body);
  free(body);
  if (n < 0)
    return NULL;
  *len = (size_t)n;
  return out;
}

/* The log line and the metrics of a head answered at the door, as serve_route.c writes those
 * of other requests: never the target as sent. */
static void log_answer(serve_front *f, const waiting *w, const serve_head_verdict *v,
                       const char *hash, size_t bytes_in, size_t bytes_out)
{
  char client[64] = "?";
  getnameinfo((const struct sockaddr *)&w->addr, w->addrlen, client, sizeof client, NULL, 0,
              NI_NUMERICHOST);
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  double seconds =
      (double)(t.tv_sec - w->since.tv_sec) + (double)(t.tv_nsec - w->since.tv_nsec) / 1e9;
  json_t *e = json_pack("{s:s, s:s, s:s, s:n, s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "event",
                        "request", "client", client, "method", v->method, "path", "status",
                        (int)v->status, "error", v->code, "answered_by", "front door", "end",
                        "closed", "us", (json_int_t)(seconds * 1e6), "bytes_in",
                        (json_int_t)bytes_in, "bytes_out", (json_int_t)bytes_out, "rules", hash);
  serve_log_write(f->http->log, e);
  serve_metrics_request(f->http->metrics, NULL, v->method, v->status, seconds, 0, 0);
}

/* Answers a refused head and starts closing: the client's bytes are read to their end (or a
 * second), so that the kernel does not reset the connection under the answer. */
static void answer(serve_front *f, waiting *w, const serve_head_verdict *v, size_t bytes_in)
{
  serve_rules *rules = serve_holder_acquire(f->http->holder);
  const char *hash = elig_ruleset_hash(rules->rs);
  size_t len = 0;
  char *text = error_answer(v, hash, &len);
  ssize_t sent = text ? send(w->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT) : -1;
  log_answer(f, w, v, hash, bytes_in, sent > 0 ? (size_t)sent : 0);
  serve_rules_release(rules);
  free(text);
  shutdown(w->fd, SHUT_WR);
  w->closing = true;
  w->close_by_ms = now_ms() + LINGER_MS;
}

/* Reads and drops what an answered client still sends; closes at its end or at the deadline. */
static void linger(serve_front *f, waiting *w, long now)
{
  for (;;) {
    ssize_t n = recv(w->fd, f->buf, MAX_HEAD, MSG_DONTWAIT);
    if (n > 0)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now < w->close_by_ms)
      return;
    drop(f, w, SERVE_CONNS_CLOSED);
    return;
  }
}

/* Looks at what a connection has sent so far (`woken`: more has come); hands it over, answers
 * it, or waits for more. */
static void look(serve_front *f, waiting *w, bool woken, long now)
{
  if (w->closing) {
    linger(f, w, now);
    return;
  }
  int waiting_bytes = 0;
  if (ioctl(w->fd, FIONREAD, &waiting_bytes) != 0)
    waiting_bytes = 0;
  size_t have = waiting_bytes > 0 ? (size_t)waiting_bytes : 0;
  if (have && have == w->seen && !woken && !w->hung_up)
    return; /* nothing new */
  if (have && w->looks && have < 2 * w->seen && have < MAX_HEAD && now < w->next_look_ms &&
      !w->hung_up)
    return; /* not enough new to look again yet */
  ssize_t n = recv(w->fd, f->buf, MAX_HEAD, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    drop(f, w, SERVE_CONNS_CLOSED); /* gone before a whole head */
    return;
  }
  if (n < 0)
    return;
  serve_head_verdict v;
  if (!serve_head_check(f->buf, (size_t)n, &f->limits, &v)) {
    if (w->hung_up) {
      drop(f, w, SERVE_CONNS_CLOSED); /* gone for good with half a head */
      return;
    }
    w->seen = (size_t)n;
    w->looks++;
    long delay = TICK_MS << (w->looks < 5 ? w->looks - 1 : 4);
    w->next_look_ms = now + (delay < 250 ? delay : 250);
    return;
  }
  if (v.status == 0)
    hand_over(f, w);
  else
    answer(f, w, &v, (size_t)n);
}

/* Closes the connection at the door waiting longest for its head, a second at least, to make
 * room; false when there is none. */
static bool evict_one(serve_front *f, long now)
{
  waiting *oldest = NULL;
  for (size_t i = 0; i < f->count; i++) {
    waiting *w = f->at_door[i];
    if (!w->closing && now - w->since_ms >= 1000 && (!oldest || w->since_ms < oldest->since_ms))
      oldest = w;
  }
  if (!oldest)
    return false;
  drop(f, oldest, SERVE_CONNS_EVICTED);
  return true;
}

/* Takes one accepted connection in, if the limits allow. */
static void take(serve_front *f, int fd, const struct sockaddr_storage *addr, socklen_t len,
                 long now)
{
  serve_client client = serve_client_of((const struct sockaddr *)addr);
  serve_conns_verdict v = serve_conns_take(f->http->conns, &client);
  if (v == SERVE_CONNS_FULL && evict_one(f, now))
    v = serve_conns_take(f->http->conns, &client);
  if (v == SERVE_CONNS_FULL)
    serve_conns_refused(f->http->conns);
  waiting *w = v == SERVE_CONNS_TAKEN ? calloc(1, sizeof *w) : NULL;
  if (w && f->count == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 64;
    waiting **grown = realloc(f->at_door, cap * sizeof *grown);
    if (grown) {
      f->at_door = grown;
      f->cap = cap;
    } else {
      free(w);
      w = NULL;
    }
  }
  if (!w) {
    if (v == SERVE_CONNS_TAKEN)
      serve_conns_leave_door(f->http->conns, &client, SERVE_CONNS_CLOSED);
    close(fd);
    return;
  }
  *w = (waiting){.fd = fd,
                 .addr = *addr,
                 .addrlen = len,
                 .client = client,
                 .since_ms = now,
                 .index = f->count};
  clock_gettime(CLOCK_MONOTONIC, &w->since);
  f->at_door[f->count++] = w;
  if (!f->screen) {
    hand_over(f, w);
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = w};
  if (epoll_ctl(f->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
    drop(f, w, SERVE_CONNS_CLOSED);
}

static void accept_some(serve_front *f, long now)
{
  for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept4(f->listen_fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      take(f, fd, &addr, len, now);
      continue;
    }
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      /* out of descriptors or memory: the listening socket would wake us at once again */
      struct epoll_event ev = {.events = 0, .data.ptr = &listen_mark};
      epoll_ctl(f->epoll_fd, EPOLL_CTL_MOD, f->listen_fd, &ev);
      f->accept_paused_until_ms = now + 100;
    }
    return; /* EAGAIN, or an error of that one connection (ECONNABORTED...) */
  }
}

/* Every tick: the deadlines of the connections at the door, and looks put off. */
static void tick(serve_front *f, long now)
{
  if (f->accept_paused_until_ms && now >= f->accept_paused_until_ms) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listen_mark};
    epoll_ctl(f->epoll_fd, EPOLL_CTL_MOD, f->listen_fd, &ev);
    f->accept_paused_until_ms = 0;
  }
  for (size_t i = f->count; i-- > 0;) {
    if (i >= f->count)
      continue; /* the array shrank under a drop */
    waiting *w = f->at_door[i];
    if (!w->closing && now - w->since_ms > f->header_timeout_ms)
      drop(f, w, SERVE_CONNS_TIMED_OUT);
    else if (w->closing || (w->looks && now >= w->next_look_ms))
      look(f, w, false, now);
  }
}

static void *front_thread(void *arg)
{
  serve_front *f = arg;
  struct epoll_event events[64];
  long last_tick = now_ms();
  for (;;) {
    int n = epoll_wait(f->epoll_fd, events, 64, f->count ? TICK_MS : 1000);
    long now = now_ms();
    for (int i = 0; i < n; i++) {
      void *p = events[i].data.ptr;
      if (p == &stop_mark)
        return NULL;
      if (p == &listen_mark) {
        accept_some(f, now);
      } else {
        waiting *w = p;
        if (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
          w->hung_up = true;
        look(f, w, true, now);
      }
    }
    if (now - last_tick >= TICK_MS) {
      tick(f, now);
      last_tick = now;
    }
  }
}

serve_front *serve_front_start(int listen_fd, struct MHD_Daemon *d, serve_http *http, bool screen)
{
  serve_front *f = calloc(1, sizeof *f);
  if (!f) {
    close(listen_fd);
    return NULL;
  }
  *f = (serve_front){
      .listen_fd = listen_fd,
      .epoll_fd = epoll_create1(EPOLL_CLOEXEC),
      .stop_pipe = {-1, -1},
      .daemon = d,
      .http = http,
      .screen = screen,
      .limits = {.max_head = MAX_HEAD, .max_target = MAX_TARGET, .max_fields = MAX_FIELDS},
      .header_timeout_ms = (long)http->conns->header_timeout * 1000L,
      .buf = malloc(MAX_HEAD)};
  struct epoll_event on_listen = {.events = EPOLLIN, .data.ptr = &listen_mark};
  struct epoll_event on_stop = {.events = EPOLLIN, .data.ptr = &stop_mark};
  if (f->epoll_fd < 0 || !f->buf || pipe2(f->stop_pipe, O_CLOEXEC) != 0 ||
      epoll_ctl(f->epoll_fd, EPOLL_CTL_ADD, listen_fd, &on_listen) != 0 ||
      epoll_ctl(f->epoll_fd, EPOLL_CTL_ADD, f->stop_pipe[0], &on_stop) != 0 ||
      pthread_create(&f->thread, NULL, front_thread, f) != 0) {
    for (int i = 0; i < 2; i++)
      if (f->stop_pipe[i] >= 0)
        close(f->stop_pipe[i]);
    if (f->epoll_fd >= 0)
      close(f->epoll_fd);
    close(listen_fd);
    free(f->buf);
    free(f);
    return NULL;
  }
  return f;
}

void serve_front_stop(serve_front *f)
{
  if (!f)
    return;
  ssize_t w = write(f->stop_pipe[1], "x", 1);
  (void)w; /* a pipe just made holds one byte */
  pthread_join(f->thread, NULL);
  while (f->count)
    drop(f, f->at_door[f->count - 1], SERVE_CONNS_CLOSED);
  close(f->listen_fd);
  close(f->stop_pipe[0]);
  close(f->stop_pipe[1]);
  close(f->epoll_fd);
  free(f->at_door);
  free(f->buf);
  free(f);
}
