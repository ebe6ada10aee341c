/*
 * serve_head.c -- the first request head of a connection, read before libmicrohttpd sees
 * it (the parts: serve.h; the caller: serve_front.c).
 *
 * libmicrohttpd answers some malformed requests itself, with a page of HTML, no rule-set
 * hash, and no way for the service to change it: a request line that is not
 * "METHOD TARGET HTTP/d.d", a version other than 1.x, a target or head too large for its
 * buffer, a Content-Length beyond 64 bits.  Here the same bytes are judged first, by the
 * rules of RFC 9112 (sections 2.2, 3 and 5) and no looser than the library's, so that the
 * service answers them in JSON instead: whatever this lets pass, libmicrohttpd takes.
 *
 * Nothing is copied: the bytes are looked at where they lie, each at most once per call,
 * and only within len.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

/* RFC 9110, 5.6.2: the characters of a token (a method, a field name). */
static bool is_tchar(unsigned char c)
{
  if (c >= '0' && c <= '9')
    return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
    return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A control character, which no request line or field value may hold (HT aside, in values). */
static bool is_ctl(unsigned char c)
{
  return c < 0x20 || c == 0x7f;
}

/* Makes the verdict: answer `status` with `code` and a message that may say one size. */
__attribute__((format(printf, 4, 5))) static bool refuse(serve_head_verdict *v, unsigned status,
                                                         const char *code, const char *fmt, ...)
{
  v->status = status;
  v->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->message, sizeof v->message, fmt, ap);
  va_end(ap);
  return true;
}

static bool bad(serve_head_verdict *v, const char *message)
{
  return refuse(v, 400, "bad_request", "%s", message);
}

/* The end of the line that begins at p (the offset of its '\n'), or len when it has not
 * all come yet. */
static size_t line_end(const char *buf, size_t p, size_t len)
{
  const char *nl = memchr(buf + p, '\n', len - p);
  return nl ? (size_t)(nl - buf) : len;
}

/* The line [p, end) without its CR; false (and the verdict) when a CR stands elsewhere. */
static bool strip_cr(const char *buf, size_t p, size_t *end, serve_head_verdict *v)
{
  if (*end > p && buf[*end - 1] == '\r')
    (*end)--;
  if (memchr(buf + p, '\r', *end - p))
    return !bad(v, "a carriage return stands alone in the request head");
  return true;
}

/* The method that begins at p, for the log, when a space ends it before end; its end. */
static size_t read_method(const char *buf, size_t p, size_t end, serve_head_verdict *v)
{
  size_t m = p;
  while (m < end && is_tchar((unsigned char)buf[m]))
    m++;
  if (m > p && m < end && buf[m] == ' ') {
    size_t n = m - p < sizeof v->method ? m - p : sizeof v->method - 1;
    memcpy(v->method, buf + p, n);
    v->method[n] = '\0';
  }
  return m;
}

/* The request line [p, end): METHOD SP TARGET SP HTTP/d.d.  True when a verdict is made
 * (an error); false when the line is good. */
static bool check_request_line(const char *buf, size_t p, size_t end, const serve_head_limits *lim,
                               serve_head_verdict *v)
{
  size_t m = read_method(buf, p, end, v);
  if (m == p || m == end || buf[m] != ' ')
    return bad(v, "the request line is not METHOD TARGET HTTP/1.1");
  size_t t = m + 1, te = t;
  while (te < end && buf[te] != ' ') {
    if (is_ctl((unsigned char)buf[te]))
      return bad(v, "the request target holds a control character");
    te++;
  }
  if (te == t)
    return bad(v, "the request line is not METHOD TARGET HTTP/1.1");
  if (te - t > lim->max_target)
    return refuse(v, 414, "uri_too_long", "the request target is longer than %zu bytes",
                  lim->max_target);
  if (te == end)
    return bad(v, "the request line has no HTTP version");
  const char *h = buf + te + 1;
  if (end - (te + 1) != 8 || memcmp(h, "HTTP/", 5) != 0 || h[5] < '0' || h[5] > '9' ||
      h[6] != '.' || h[7] < '0' || h[7] > '9')
    return bad(v, "the request line does not end in an HTTP version such as HTTP/1.1");
  if (h[5] != '1')
    return refuse(v, 505, "http_version_not_supported",
                  "HTTP/%c is not supported: the service speaks HTTP/1.1 and HTTP/1.0", h[5]);
  return false;
}

/* Content-Length's value [p, end), spaces and tabs around it allowed: 1*DIGIT that fits 63
 * bits.  True when a verdict is made. */
static bool check_content_length(const char *buf, size_t p, size_t end, serve_head_verdict *v)
{
  while (p < end && (buf[p] == ' ' || buf[p] == '\t'))
    p++;
  while (end > p && (buf[end - 1] == ' ' || buf[end - 1] == '\t'))
    end--;
  if (p == end)
    return bad(v, "Content-Length is empty");
  unsigned long long n = 0;
  for (size_t i = p; i < end; i++) {
    if (buf[i] < '0' || buf[i] > '9')
      return bad(v, "Content-Length is not a number of bytes");
    unsigned d = (unsigned)(buf[i] - '0');
    if (n > (0x7fffffffffffffffULL - d) / 10)
      return refuse(v, 413, "body_too_large",
                    "Content-Length is larger than any body the service can take");
    n = n * 10 + d;
  }
  return false;
}

/* A field line [p, end): NAME ":" VALUE.  True when a verdict is made. */
static bool check_field(const char *buf, size_t p, size_t end, serve_head_verdict *v)
{
  if (buf[p] == ' ' || buf[p] == '\t')
    return bad(v, "a header line is folded onto the next (obsolete line folding)");
  size_t c = p;
  while (c < end && is_tchar((unsigned char)buf[c]))
    c++;
  if (c == p || c == end || buf[c] != ':')
    return bad(v, "a header line is not NAME: VALUE (no space may stand before the colon)");
  for (size_t i = c + 1; i < end; i++)
    if (is_ctl((unsigned char)buf[i]) && buf[i] != '\t')
      return bad(v, "a header value holds a control character");
  if (c - p == 14 && strncasecmp(buf + p, "Content-Length", 14) == 0)
    return check_content_length(buf, c + 1, end, v);
  return false;
}

bool serve_head_check(const char *buf, size_t len, const serve_head_limits *lim,
                      serve_head_verdict *v)
{
  *v = (serve_head_verdict){.method = "?"};
  size_t p = 0;
  /* RFC 9112, 2.2: empty lines before the request line are ignored */
  while (p < len && (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')))
    p += buf[p] == '\r' ? 2 : 1;
  size_t end = line_end(buf, p, len);
  if (end == len) {
    read_method(buf, p, len, v);
    if (len - p > lim->max_target + 32 || len >= lim->max_head)
      return refuse(v, 414, "uri_too_long", "the request target is longer than %zu bytes",
                    lim->max_target);
    return false;
  }
  size_t next = end + 1;
  if (!strip_cr(buf, p, &end, v) || check_request_line(buf, p, end, lim, v))
    return true;
  for (unsigned fields = 0;; fields++) {
    p = next;
    end = line_end(buf, p, len);
    if (end == len)
      break;
    next = end + 1;
    if (!strip_cr(buf, p, &end, v))
      return true;
    if (end == p)
      return true; /* the empty line: a whole head, good */
    if (fields == lim->max_fields)
      return refuse(v, 431, "headers_too_large", "the request has more than %u header lines",
                    lim->max_fields);
    if (check_field(buf, p, end, v))
      return true;
  }
  if (len >= lim->max_head)
    return refuse(v, 431, "headers_too_large", "the request head is longer than %zu bytes",
                  lim->max_head);
  return false;
}
