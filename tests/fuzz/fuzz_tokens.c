/*
 * fuzz_tokens.c -- a tokens file of any bytes (`elig serve --tokens`), and an Authorization
 * header checked against what it parsed (serve_auth.c).
 *
 * The input is the file up to its first NUL, then the header (cut at the next NUL, as
 * libmicrohttpd hands a header over).  A file that parses must give names and scopes the
 * checker can use; one that does not must say why with its line; the verdict for any header
 * must be one of the four, and the token's name NUL-terminated within its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  size_t file_len = strnlen(text, size);
  char *header = NULL;
  if (file_len < size) {
    size_t rest = size - file_len - 1;
    size_t n = strnlen(text + file_len + 1, rest);
    header = malloc(n + 1);
    if (!header)
      return 0;
    memcpy(header, text + file_len + 1, n);
    header[n] = '\0';
  }
  char *file = malloc(file_len ? file_len : 1); /* exactly its size, for AddressSanitizer */
  if (!file) {
    free(header);
    return 0;
  }
  memcpy(file, text, file_len);
  char why[300] = "";
  serve_token_set *set = serve_tokens_parse(file, file_len, why, sizeof why);
  if (!set && strncmp(why, "line ", 5) != 0 && strcmp(why, "out of memory") != 0)
    abort();
  if (set) {
    serve_auth auth;
    memset(&auth, 0, sizeof auth);
    pthread_rwlock_init(&auth.lock, NULL);
    auth.path = "fuzz";
    auth.set = set;
    for (unsigned scope = SCOPE_EVALUATE; scope <= SCOPE_ADMIN; scope <<= 1) {
      char name[64];
      memset(name, 'x', sizeof name);
      serve_auth_verdict v = serve_auth_check(&auth, header, scope, name, sizeof name);
      if (v != AUTH_OK && v != AUTH_NO_TOKEN && v != AUTH_UNKNOWN_TOKEN && v != AUTH_NO_SCOPE)
        abort();
      if (!memchr(name, '\0', sizeof name))
        abort();
    }
    serve_auth_fini(&auth); /* frees the set */
  }
  free(file);
  free(header);
  return 0;
}
