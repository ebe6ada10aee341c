/*
 * rawhttp.c -- sends bytes exactly as given to a server and prints what comes back, for the
 * `elig serve` tests of what an HTTP client library will not send: two Content-Length
 * headers, Transfer-Encoding with Content-Length, %00 in a path, a request line of HTTP/2.0.
 *
 *   rawhttp PORT [SECONDS]
 *
 * Reads the request from standard input, sends it to 127.0.0.1:PORT as it comes (what comes
 * in pieces goes in pieces), half-closes nothing
 * (a server must answer without seeing the end of the stream), and prints every byte that
 * comes back until the server closes the connection or SECONDS (default 2) pass without a
 * byte.  Then prints one last line: "<closed>" or "<open>", so that a test can tell whether
 * the server kept the connection for what followed.  Exit status 0, 2 on bad arguments or
 * when it cannot connect.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_local(int port)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: rawhttp PORT [SECONDS] < request\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int wait_ms = argc == 3 ? atoi(argv[2]) * 1000 : 2000;
  int fd = connect_local(port);
  if (fd < 0) {
    perror("rawhttp: connect");
    return 2;
  }
  char buf[65536];
  ssize_t n;
  /* read(2), not stdio: what comes in pieces (a pause between printf's) goes out in pieces */
  while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
    if (send_all(fd, buf, (size_t)n) != 0)
      break; /* the server closed early: print what it said */
  int closed = 0;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  while (poll(&p, 1, wait_ms) > 0) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r <= 0) {
      closed = 1;
      break;
    }
    fwrite(buf, 1, (size_t)r, stdout);
  }
  printf("\n%s\n", closed ? "<closed>" : "<open>");
  close(fd);
  return 0;
}
