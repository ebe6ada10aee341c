/*
 * slowclient.c -- a slowloris for the `elig serve` tests: holds many connections open while
 * sending as little as it can, so the tests can check that other clients are still answered
 * and that the server's timeouts close what they should.
 *
 *   slowclient ADDR PORT N SECONDS [headers|body] [FROM]
 *
 * Opens N connections to ADDR:PORT (from the local address FROM, default any) and for
 * SECONDS seconds trickles one byte per connection per second: in `headers` mode an endless
 * request head, in `body` mode a body that never reaches its Content-Length.  Then prints
 * "open N closed M refused R": connections still open, closed by the server, and never
 * established.  Exit status 0, or 2 on bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connect_from(const char *addr, int port, const char *from)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  if (from) {
    struct sockaddr_in local = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &local.sin_addr);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
      close(fd);
      return -1;
    }
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, addr, &to.sin_addr);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Whether the server has closed fd (or reset it); answers and other data are read and
 * dropped. */
static int closed_by_peer(int fd)
{
  struct pollfd p = {.fd = fd, .events = POLLIN};
  while (poll(&p, 1, 0) > 0) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
      return 1;
    if (n < 0)
      return 0;
  }
  return (p.revents & (POLLHUP | POLLERR)) != 0;
}

int main(int argc, char **argv)
{
  if (argc < 5) {
    fprintf(stderr, "usage: slowclient ADDR PORT N SECONDS [headers|body] [FROM]\n");
    return 2;
  }
  const char *addr = argv[1];
  int port = atoi(argv[2]);
  int n = atoi(argv[3]);
  int seconds = atoi(argv[4]);
  int body = argc > 5 && strcmp(argv[5], "body") == 0;
  const char *from = argc > 6 ? argv[6] : NULL;
  if (port <= 0 || n <= 0 || seconds < 0)
    return 2;

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
    rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int *fds = calloc((size_t)n, sizeof *fds);
  if (!fds)
    return 2;
  const char *head = body ? "POST /v1/evaluate HTTP/1.1\r\nHost: t\r\n"
                            "Content-Length: 1000\r\n\r\n{"
                          : "POST /v1/evaluate HTTP/1.1\r\nHost: t\r\n";
  int refused = 0;
  for (int i = 0; i < n; i++) {
    fds[i] = connect_from(addr, port, from);
    if (fds[i] < 0)
      refused++;
    else if (send(fds[i], head, strlen(head), MSG_NOSIGNAL) < 0) {
      close(fds[i]);
      fds[i] = -1;
    }
  }
  for (int s = 0; s < seconds; s++) {
    sleep(1);
    for (int i = 0; i < n; i++) {
      if (fds[i] < 0)
        continue;
      if (closed_by_peer(fds[i]) ||
          send(fds[i], body ? " " : "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        close(fds[i]);
        fds[i] = -2; /* closed by the server */
      }
    }
  }
  int open = 0, closed = 0;
  for (int i = 0; i < n; i++) {
    if (fds[i] >= 0 && closed_by_peer(fds[i]))
      fds[i] = (close(fds[i]), -2);
    open += fds[i] >= 0;
    closed += fds[i] == -2;
    if (fds[i] >= 0)
      close(fds[i]);
  }
  printf("open %d closed %d refused %d\n", open, closed, refused);
  free(fds);
  return 0;
}
