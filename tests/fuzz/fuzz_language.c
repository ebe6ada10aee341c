/*
 * fuzz_language.c -- an Accept-Language header of any bytes, as a client of `elig serve`
 * may send it, to the parser that picks the language of the answer (serve_language.c).
 * libmicrohttpd hands handlers a header as a NUL-terminated string, so the input is cut at
 * its first NUL.  The answer must be one of the languages offered, and the parser must read
 * nothing beyond the header's bytes (AddressSanitizer: the header is copied to a block of
 * exactly its size).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t n = strnlen((const char *)data, size);
  char *header = malloc(n + 1);
  if (!header)
    return 0;
  memcpy(header, data, n);
  header[n] = '\0';
  const char *lang = serve_answer_language(header);
  if (strcmp(lang, "en") != 0 && strcmp(lang, "zh_CN") != 0)
    abort();
  free(header);
  return 0;
}
