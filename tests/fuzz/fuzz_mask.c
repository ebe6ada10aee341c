/*
 * fuzz_mask.c -- a record's text of any bytes to the decision log's masking (serve_mask.c),
 * which scans request bodies with a JSON reader of its own (to keep every byte of the values
 * as they were sent) and writes a copy with identifiers replaced by pseudonyms.
 *
 * The first byte chooses whether keys that are no field are left out.  Whatever the masking
 * accepts, and jansson reads as an object too, must come out as an object jansson reads;
 * whatever the masking refuses must leave the output as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve.h"

static elig_ruleset *rules;
static serve_mask *mask;

static void setup(void)
{
  static const unsigned char key[] = "fuzzing key of 32 bytes, no more";
  char error[200];
  if (elig_compile_file(fuzz_source_path("rules/national.rules"), NULL, &rules, NULL) != ELIG_OK)
    abort();
  mask = serve_mask_new("hh_id,head_id,members[].name", key, sizeof key - 1, error, sizeof error);
  if (!mask)
    abort();
}

/* Whether jansson reads text as one JSON object. */
static bool reads_as_object(const char *text, size_t len)
{
  json_error_t e;
  json_t *v = json_loadb(text, len, 0, &e);
  bool ok = json_is_object(v);
  json_decref(v);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!rules)
    setup();
  if (size < 1)
    return 0;
  bool only_fields = data[0] & 1;
  char *text = malloc(size - 1 ? size - 1 : 1); /* exactly its size, for AddressSanitizer */
  if (!text)
    return 0;
  memcpy(text, data + 1, size - 1);
  serve_text out = {0};
  serve_text_adds(&out, "x");
  size_t left_out = 0;
  bool ok = serve_mask_json(mask, rules, only_fields, text, size - 1, &out, &left_out);
  if (!out.nomem) {
    if (!ok && (out.len != 1 || out.text[0] != 'x'))
      abort(); /* refused, but written to */
    if (ok && reads_as_object(text, size - 1)) {
      /* jansson has limits of its own (a number too large for a double): its word counts
       * only for records it reads */
      json_error_t e;
      /* duplicate keys pass: the masking copies a record as it came, the library refuses it */
      json_t *copy = json_loadb(out.text + 1, out.len - 1, 0, &e);
      if (!json_is_object(copy)) { /* accepted, but its copy is no JSON object */
        fprintf(stderr, "fuzz_mask: the copy is no JSON object (%s at %d):\n%.*s\n", e.text,
                e.position, (int)(out.len - 1), out.text + 1);
        abort();
      }
      json_decref(copy);
    }
  }
  free(out.text);
  free(text);
  return 0;
}
