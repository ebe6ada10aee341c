/*
 * fuzz_http.c -- any bytes sent to `elig serve` as they come off a connection: request lines,
 * headers, framing, bodies, pipelined requests, with the service's own router, limits,
 * tokens, worker pool and handlers behind libmicrohttpd (the program's sources, built in).
 *
 * A daemon without a listening socket is started once, with small limits (64 KiB bodies,
 * 100 records, 64 KiB answers, 100 ms of evaluation) and the shipped national rules.  Each
 * input is written to one end of a socket pair whose other end is handed to the daemon
 * (MHD_add_connection); the writing end is then half-closed and everything the service
 * answers is read until it closes.  The first byte chooses whether bearer tokens are needed
 * (its low bit; the one token known, "elig_fuzz", is in the dictionary of the corpus) and
 * whether the body is given whole or in small writes (next bit).  Sanitizers are the
 * oracle; the harness also checks that an answer begins with a status line.
 * FUZZ_HTTP_SHOW=1 prints each answer's first bytes (replay_http over a corpus, to look).
 *
 * The workbench's routes (--workbench) are on, over a copy of the national rules in a
 * temporary folder (saves write there, never into the sources), with the CSRF token
 * "elig_fuzz" so that inputs can reach its POSTs; its page has no assets folder.  Its data
 * folder (--workbench-data) holds the sample register as r.csv, and uploads take 64 KiB:
 * an impact job runs on a thread of its own, and an input is over once it is too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "serve.h"

static serve_log log_;
static serve_holder holder;
static serve_auth auth;
static serve_conns conns;
static serve_http http;
static struct MHD_Daemon *daemon_;
static serve_workbench workbench;
static char workbench_dir[] = "/tmp/elig-fuzz-workbench-XXXXXX";
static char data_dir[] = "/tmp/elig-fuzz-data-XXXXXX";

static void remove_workbench(void)
{
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s' '%s'", workbench_dir, data_dir);
  if (system(command) != 0)
    fprintf(stderr, "fuzz_http: could not remove %s\n", workbench_dir);
}

/* The workbench over a copy of the shipped rules, the sample as its register. */
static void setup_workbench(void)
{
  char command[8400], root[128], why[600];
  if (!mkdtemp(workbench_dir) || !mkdtemp(data_dir))
    abort();
  atexit(remove_workbench);
  char rules[4096]; /* fuzz_source_path's answer lasts until its next call */
  snprintf(rules, sizeof rules, "%s", fuzz_source_path("rules"));
  snprintf(command, sizeof command, "cp -R '%s/.' '%s/' && cp '%s' '%s/r.csv'", rules,
           workbench_dir, fuzz_source_path("data/sample.csv"), data_dir);
  snprintf(root, sizeof root, "%s/national.rules", workbench_dir);
  if (system(command) != 0 ||
      !serve_workbench_open(&workbench, workbench_dir, root, NULL, why, sizeof why) ||
      !serve_workbench_open_data(&workbench, data_dir, why, sizeof why))
    abort();
  snprintf(workbench.csrf, sizeof workbench.csrf, "elig_fuzz");
  workbench.upload_max = 64 << 10;
  http.workbench = &workbench;
}

static void setup(void)
{
  int devnull = open("/dev/null", O_WRONLY);
  serve_log_init(&log_, devnull);
  /* "elig_fuzz" hashed: sha256 of the 9 bytes */
  static const char tokens[] =
      "fuzz evaluate,explain,rules,admin,edit,impact "
      "sha256:239752892f6ddafe37d56d4b6972bd28b12167cbcd7f0667c375dd068975ae8a\n";
  char why[300];
  serve_auth_init(&auth, NULL, why, sizeof why);
  auth.set = serve_tokens_parse(tokens, sizeof tokens - 1, why, sizeof why);
  if (!auth.set ||
      !serve_holder_init(&holder, fuzz_source_path("rules/national.rules"), NULL, &log_))
    abort();
  serve_conns_init(&conns, 64, 0, 10);
  http = (serve_http){.holder = &holder,
                      .log = &log_,
                      .limits = {.max_body = 64 << 10,
                                 .request_timeout = 5,
                                 .max_records = 100,
                                 .max_output = 64 << 10,
                                 .eval_timeout_ms = 100,
                                 .max_buffered = 1 << 20},
                      .conns = &conns,
                      .auth = &auth,
                      .rules_endpoint = true};
  atomic_init(&http.in_flight, 0);
  atomic_init(&http.buffered, 0);
  http.pool = serve_pool_start(1, 4);
  setup_workbench();
  daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET,
                             0, NULL, NULL, serve_http_request, &http, MHD_OPTION_NOTIFY_CONNECTION,
                             serve_conns_notify, &conns, MHD_OPTION_CONNECTION_TIMEOUT, 2u,
                             MHD_OPTION_NOTIFY_COMPLETED, serve_http_completed, &http,
                             MHD_OPTION_URI_LOG_CALLBACK, serve_http_uri, &http, MHD_OPTION_END);
  if (!http.pool || !daemon_)
    abort();
}

/* Reads what has come in on fd, keeping the answer's first bytes in head; false at the end
 * of the stream. */
static bool drain(int fd, char *head, size_t head_size, size_t *got)
{
  char buf[65536];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
    return false;
  for (ssize_t i = 0; i < n && *got + 1 < head_size; i++)
    head[(*got)++] = buf[i];
  return true;
}

/* Whether the service may still be answering: a request waits for or is on a worker, or an
 * impact job runs. */
static bool working(void)
{
  return serve_pool_waiting(http.pool) + serve_pool_busy(http.pool) > 0 ||
         wb_impact_running(workbench.impact);
}

/* Sends data in pieces without blocking, reading the answer meanwhile so that neither side
 * waits on the other; once all is sent, waits while the service is working on it (a client
 * that half-closes is taken for gone), then half-closes and reads until the service closes.
 * The answer's first bytes go to head. */
static void exchange(int fd, const uint8_t *data, size_t size, size_t piece, char *head,
                     size_t head_size)
{
  size_t sent = 0, got = 0;
  int quiet = 0;
  /* 200 µs polls: most inputs are requests never completed, for which only these quiet
   * polls pass before the half-close; milliseconds of them would leave the fuzzer idle */
  const struct timespec tick = {0, 200 * 1000};
  while (sent < size || quiet < 5) {
    struct pollfd p = {.fd = fd, .events = POLLIN | (sent < size ? POLLOUT : 0)};
    int ready = ppoll(&p, 1, &tick, NULL);
    if (ready > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!drain(fd, head, head_size, &got))
        goto done;
      quiet = 0;
    } else if (sent == size) {
      quiet = working() ? 0 : quiet + 1;
    }
    if (ready > 0 && (p.revents & POLLOUT) && sent < size) {
      size_t n = size - sent < piece ? size - sent : piece;
      ssize_t w = send(fd, data + sent, n, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN)
        break;
      if (w > 0)
        sent += (size_t)w;
    }
  }
  shutdown(fd, SHUT_WR);
  for (int idle = 0; idle < 200;) { /* 2 s without a byte: the service is stuck */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 10) <= 0) {
      idle++;
      continue;
    }
    if (!drain(fd, head, head_size, &got))
      break;
  }
done:
  head[got] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!daemon_)
    setup();
  if (size < 1)
    return 0;
  auth.path = data[0] & 1 ? "fuzz" : NULL;
  size_t piece = data[0] & 2 ? 7 : 65536;
  data++, size--;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 0;
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
    close(sv[0]);
    close(sv[1]);
    return 0;
  }
  char head[16];
  exchange(sv[1], data, size, piece, head, sizeof head);
  close(sv[1]);
  if (getenv("FUZZ_HTTP_SHOW"))
    fprintf(stderr, "answer: %s\n", head);
  if (head[0] && strncmp(head, "HTTP/1.", 7) != 0)
    abort(); /* whatever was answered is HTTP */
  /* the next input starts with no request of this one left, nor its job */
  for (int i = 0; i < 500 && (atomic_load(&http.in_flight) > 0 || working()); i++)
    usleep(1000);
  return 0;
}
