/*
 * fuzz_head.c -- the first bytes of a connection as `elig serve`'s front door judges them
 * (serve_head.c), before libmicrohttpd sees them.
 *
 * The input is what a client sent, judged whole and at every length a look could see it at
 * (each prefix, as bytes come in).  Small limits (a 64-byte target, a 256-byte head, 4 header
 * lines) reach every refusal with short inputs.  Besides the sanitizers, the oracle: with no
 * verdict the head must be shorter than its limit; a good head must hold its empty line and
 * begin (after empty lines) with a method, a space, and a target; a refusal has a status,
 * a code and a message; the method said is token characters, NUL-terminated; and a good
 * head stays good with anything after it (libmicrohttpd reads what follows as the body or
 * the next request).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve.h"

static const serve_head_limits limits = {.max_head = 256, .max_target = 64, .max_fields = 4};

static void check_verdict(const char *buf, size_t len, bool made, const serve_head_verdict *v)
{
  if (!made && len >= limits.max_head)
    abort(); /* a full buffer always gets a verdict */
  if (strnlen(v->method, sizeof v->method) == sizeof v->method)
    abort();
  if (!made)
    return;
  if (v->status) {
    if (!v->code || !v->message[0])
      abort();
    if (v->status != 400 && v->status != 413 && v->status != 414 && v->status != 431 &&
        v->status != 505)
      abort();
    return;
  }
  const char *end = NULL;
  for (size_t i = 0; i + 1 < len && !end; i++)
    if (buf[i] == '\n' &&
        (buf[i + 1] == '\n' || (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')))
      end = buf + i;
  if (!end || strcmp(v->method, "?") == 0)
    abort(); /* good, yet no empty line or no method */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 4 * limits.max_head)
    return 0;
  char *buf = malloc(size ? size : 1); /* exactly its size, for AddressSanitizer */
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  serve_head_verdict whole;
  bool whole_made = serve_head_check(buf, size, &limits, &whole);
  check_verdict(buf, size, whole_made, &whole);
  for (size_t n = 0; n < size; n++) {
    serve_head_verdict v;
    bool made = serve_head_check(buf, n, &limits, &v);
    check_verdict(buf, n, made, &v);
    if (made && v.status == 0 && !(whole_made && whole.status == 0))
      abort(); /* what followed a good head changed its verdict */
  }
  free(buf);
  return 0;
}
