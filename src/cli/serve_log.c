/*
 * serve_log.c -- `elig serve`'s log: one compact JSON object a line, each with its time.
 *
 * Lines are written whole, one write(2) under a lock, so that lines of concurrent requests
 * never interleave and a log shipper can read the file as JSON Lines.  What goes in is
 * decided by the callers, who never put a record's contents there: records hold identity
 * numbers and incomes, and logs are kept and shipped where records must not go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve.h"

void serve_log_init(serve_log *log, int fd)
{
  pthread_mutex_init(&log->lock, NULL);
  log->fd = fd;
}

void serve_log_fini(serve_log *log)
{
  pthread_mutex_destroy(&log->lock);
}

void serve_time_iso(const struct timespec *t, char *buf, size_t size)
{
  struct tm tm;
  gmtime_r(&t->tv_sec, &tm);
  size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, size - n, ".%03dZ", (int)(t->tv_nsec / 1000000) % 1000);
}

/* Writes all of buf, going on after signals and short writes. */
static void write_all(int fd, const char *buf, size_t len)
{
  while (len) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; /* a log that cannot be written must not stop the service */
    buf += n;
    len -= (size_t)n;
  }
}

void serve_log_write(serve_log *log, json_t *event)
{
  if (!event)
    return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char when[32];
  serve_time_iso(&now, when, sizeof when);
  json_t *line = json_object();
  json_object_set_new(line, "time", json_string(when));
  json_object_update(line, event);
  json_decref(event);
  char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(line);
  if (!text)
    return;
  size_t len = strlen(text);
  text[len] = '\n'; /* json_dumps leaves room: replace the NUL, write len + 1 bytes */
  pthread_mutex_lock(&log->lock);
  write_all(log->fd, text, len + 1);
  pthread_mutex_unlock(&log->lock);
  free(text);
}
