/*
 * check_json.c - unit tests for the JSON Lines record parser (src/jdoc.c) and the UTF-8
 * helpers it is built on (src/utf8.c).
 *
 * Good documents are checked by re-serialising the node array canonically (no spaces, keys in
 * input order, numbers as their original text) and comparing with the expected text; bad
 * ones by error code and 1-based byte column.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jdoc.h"
#include "utf8.h"

typedef struct outbuf {
  char *p;
  size_t len, cap;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
  ck_assert(o->len + n < o->cap);
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = '\0';
}

static void put_str(outbuf *o, const char *s, size_t n)
{
  put(o, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      put(o, esc, 2);
    } else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(o, esc, 6);
    } else {
      put(o, (const char *)&c, 1);
    }
  }
  put(o, "\"", 1);
}

/* Canonical text of node i; recursion here is test code over depth-limited documents. */
static void serialise(const jdoc *doc, uint32_t i, outbuf *o)
{
  const jdoc_node *nd = &doc->nodes[i];
  uint32_t seen = 0;

  switch (nd->kind) {
  case JDOC_NULL: put(o, "null", 4); break;
  case JDOC_TRUE: put(o, "true", 4); break;
  case JDOC_FALSE: put(o, "false", 5); break;
  case JDOC_NUMBER: put(o, nd->str, nd->len); break;
  case JDOC_STRING: put_str(o, nd->str, nd->len); break;
  case JDOC_ARRAY:
  case JDOC_OBJECT:
    put(o, nd->kind == JDOC_ARRAY ? "[" : "{", 1);
    for (uint32_t c = nd->first_child; c != JDOC_NONE; c = doc->nodes[c].next_sibling) {
      if (seen++)
        put(o, ",", 1);
      if (nd->kind == JDOC_OBJECT) {
        ck_assert_ptr_nonnull(doc->nodes[c].key);
        put_str(o, doc->nodes[c].key, doc->nodes[c].key_len);
        put(o, ":", 1);
      } else {
        ck_assert_ptr_null(doc->nodes[c].key);
      }
      serialise(doc, c, o);
    }
    ck_assert_uint_eq(seen, nd->count);
    put(o, nd->kind == JDOC_ARRAY ? "]" : "}", 1);
    break;
  }
}

#define S(lit) lit, sizeof(lit) - 1

/* ===== good documents ============================================================= */

static const struct {
  const char *in;
  size_t len;
  const char *want;
} good[] = {
    {S("null"), "null"},
    {S(" true "), "true"},
    {S("false\r\n"), "false"},
    {S("0"), "0"},
    {S("-0"), "-0"},
    {S("-12.50e+10"), "-12.50e+10"},
    {S("0.1"), "0.1"},
    {S("1E-7"), "1E-7"},
    /* huge numbers stay exact text: never a double */
    {S("1e999"), "1e999"},
    {S("123456789012345678901234567890"), "123456789012345678901234567890"},
    {S("[16000.02, -0.005]"), "[16000.02,-0.005]"},
    {S("\"abc\""), "\"abc\""},
    {S("\"\""), "\"\""},
    {S("\"a\\\"b\\\\c\\/d\""), "\"a\\\"b\\\\c/d\""},
    {S("\"\\b\\f\\n\\r\\t\""), "\"\\u0008\\u000c\\u000a\\u000d\\u0009\""},
    {S("\"\\u00e9\\u4E2D\""), "\"\xc3\xa9\xe4\xb8\xad\""},
    {S("\"\\ud83d\\ude00\""), "\"\xf0\x9f\x98\x80\""},
    {S("\"\\u0000x\""), "\"\\u0000x\""},
    {S("\"\xe5\xae\xb6\xe5\xba\xad \xf0\x9f\x98\x80\""),
     "\"\xe5\xae\xb6\xe5\xba\xad \xf0\x9f\x98\x80\""},
    {S("\"\x7f\""), "\"\x7f\""},
    {S("[]"), "[]"},
    {S("{}"), "{}"},
    {S("[ ]"), "[]"},
    {S("{ }"), "{}"},
    {S("[1,[2,[3]],{\"a\":[]}]"), "[1,[2,[3]],{\"a\":[]}]"},
    {S(" { \"a\" : 1 , \"b\" : [ true , null ] } "), "{\"a\":1,\"b\":[true,null]}"},
    {S("{\"a\\u0062\":1}"), "{\"ab\":1}"},
    {S("{\"a\":{\"a\":1},\"b\":{\"a\":2}}"), "{\"a\":{\"a\":1},\"b\":{\"a\":2}}"},
    {S("[\"a\\n\",\"b\\t\",{\"k\\\"\":\"v\\\\\"}]"),
     "[\"a\\u000a\",\"b\\u0009\",{\"k\\\"\":\"v\\\\\"}]"},
    {S("{\"hh_id\":\"h1\",\"size\":3,\"members\":[{\"age\":7,\"enrolled\":true},"
       "{\"age\":40,\"income\":\"1200.50\"}]}"),
     "{\"hh_id\":\"h1\",\"size\":3,\"members\":[{\"age\":7,\"enrolled\":true},"
     "{\"age\":40,\"income\":\"1200.50\"}]}"},
};

START_TEST(test_jdoc_good)
{
  jdoc doc;
  jdoc_error err;
  char buf[512];
  outbuf o = {buf, 0, sizeof buf};

  jdoc_init(&doc, NULL);
  jdoc_errcode rc = jdoc_parse(&doc, good[_i].in, good[_i].len, &err);
  ck_assert_msg(rc == JDOC_OK, "case %d: error %d at %zu: %s", _i, rc, err.column, err.message);
  buf[0] = '\0';
  serialise(&doc, 0, &o);
  ck_assert_msg(strcmp(buf, good[_i].want) == 0, "case %d: got %s", _i, buf);
  jdoc_fini(&doc);
}
END_TEST

/* ===== bad documents ============================================================== */

static const struct {
  const char *in;
  size_t len;
  jdoc_errcode code;
  size_t column;
  const char *message; /* NULL = not checked */
} bad[] = {
    {S(""), JDOC_EEMPTY, 1, "empty line"},
    {S("  \t\r\n"), JDOC_EEMPTY, 6, "empty line"},
    {S("[1,]"), JDOC_ESYNTAX, 4, "unexpected character ']', expected a value"},
    {S("[1 2]"), JDOC_ESYNTAX, 4, "unexpected character '2', expected ',' or ']'"},
    {S("{\"a\" 1}"), JDOC_ESYNTAX, 6, "unexpected character '1', expected ':' after key"},
    {S("{\"a\":1,}"), JDOC_ESYNTAX, 8, "unexpected character '}', expected a string key"},
    {S("{a:1}"), JDOC_ESYNTAX, 2, NULL},
    {S("{\"a\":1 \"b\":2}"), JDOC_ESYNTAX, 8, "unexpected character '\"', expected ',' or '}'"},
    {S("[1}"), JDOC_ESYNTAX, 3, NULL},
    {S(".5"), JDOC_ESYNTAX, 1, NULL},
    {S("+1"), JDOC_ESYNTAX, 1, NULL},
    {S("nul"), JDOC_ESYNTAX, 1, NULL},
    {S("truex"), JDOC_ESYNTAX, 1, NULL},
    {S("True"), JDOC_ESYNTAX, 1, NULL},
    {S("\xef\xbb\xbf{}"), JDOC_ESYNTAX, 1, "unexpected byte 0xef, expected a value"},
    {S("01"), JDOC_ENUMBER, 1, "invalid number"},
    {S("1."), JDOC_ENUMBER, 1, NULL},
    {S("1.e5"), JDOC_ENUMBER, 1, NULL},
    {S("-"), JDOC_ENUMBER, 1, NULL},
    {S("[-a]"), JDOC_ENUMBER, 2, NULL},
    {S("1e"), JDOC_ENUMBER, 1, NULL},
    {S("1e+"), JDOC_ENUMBER, 1, NULL},
    {S("[1.2.3]"), JDOC_ENUMBER, 2, NULL},
    {S("12abc"), JDOC_ENUMBER, 1, NULL},
    {S("\"abc"), JDOC_EEOF, 1, "unterminated string"},
    {S("\"abc\\"), JDOC_EEOF, 1, NULL},
    {S("[1"), JDOC_EEOF, 3, NULL},
    {S("{\"a\":"), JDOC_EEOF, 6, NULL},
    {S("{"), JDOC_EEOF, 2, NULL},
    {S("\"a\nb\""), JDOC_ECONTROL, 3, "unescaped control character 0x0a in string"},
    {S("\"a\tb\""), JDOC_ECONTROL, 3, NULL},
    {S("\"\\q\""), JDOC_EESCAPE, 2, "invalid escape '\\q'"},
    {S("\"\\u12\""), JDOC_EESCAPE, 2, "invalid \\u escape"},
    {S("\"\\u12g4\""), JDOC_EESCAPE, 2, NULL},
    {S("\"\\ud800\""), JDOC_ESURROGATE, 2, "lone surrogate \\ud800"},
    {S("\"\\udc00\""), JDOC_ESURROGATE, 2, "lone surrogate \\udc00"},
    {S("\"x\\ud800\\u0041\""), JDOC_ESURROGATE, 3, NULL},
    {S("\"\\ud800\\ud800\""), JDOC_ESURROGATE, 2, NULL},
    {S("\"\xff\""), JDOC_EUTF8, 2, "invalid utf-8 in string"},
    {S("\"ok\xc0\xaf\""), JDOC_EUTF8, 4, NULL},
    {S("\"\xed\xa0\x80\""), JDOC_EUTF8, 2, NULL},
    {S("\"\xe4\xb8\""), JDOC_EUTF8, 2, NULL},
    {S("\"\xf4\x90\x80\x80\""), JDOC_EUTF8, 2, NULL},
    {S("{\"\xff\":1}"), JDOC_EUTF8, 3, NULL},
    {S("{\"a\":1,\"a\":2}"), JDOC_EDUPKEY, 8, "duplicate key 'a'"},
    {S("{\"ab\":1,\"a\\u0062\":2}"), JDOC_EDUPKEY, 9, "duplicate key 'ab'"},
    {S("[{\"m\":[{\"x\":1,\"y\":2,\"x\":3}]}]"), JDOC_EDUPKEY, 21, "duplicate key 'x'"},
    {S("1 2"), JDOC_ETRAILING, 3, "unexpected data after the value"},
    {S("{} x"), JDOC_ETRAILING, 4, NULL},
    {S("[]]"), JDOC_ETRAILING, 3, NULL},
    {S("\"a\"\"b\""), JDOC_ETRAILING, 4, NULL},
};

START_TEST(test_jdoc_bad)
{
  jdoc doc;
  jdoc_error err;

  jdoc_init(&doc, NULL);
  jdoc_errcode rc = jdoc_parse(&doc, bad[_i].in, bad[_i].len, &err);
  ck_assert_msg(rc == bad[_i].code, "case %d: got code %d (%s), want %d", _i, rc, err.message,
                bad[_i].code);
  ck_assert_int_eq(err.code, rc);
  ck_assert_msg(err.column == bad[_i].column, "case %d: column %zu, want %zu", _i, err.column,
                bad[_i].column);
  if (bad[_i].message)
    ck_assert_str_eq(err.message, bad[_i].message);
  ck_assert(err.message[0] >= 'a' && err.message[0] <= 'z');
  /* The doc stays usable after an error. */
  ck_assert_int_eq(jdoc_parse(&doc, S("[1]"), &err), JDOC_OK);
  jdoc_fini(&doc);
}
END_TEST

/* No text at all: a NULL pointer with a length of 0 is an empty line, not NULL + 0. */
START_TEST(test_jdoc_null_empty)
{
  jdoc doc;
  jdoc_error err;

  jdoc_init(&doc, NULL);
  ck_assert_int_eq(jdoc_parse(&doc, NULL, 0, &err), JDOC_EEMPTY);
  ck_assert_uint_eq(err.column, 1);
  ck_assert_str_eq(err.message, "empty line");
  jdoc_fini(&doc);
}
END_TEST

/* ===== depth ====================================================================== */

static char *nested(size_t depth, size_t *len)
{
  char *s = malloc(2 * depth + 2);
  ck_assert_ptr_nonnull(s);
  for (size_t i = 0; i < depth; i++) {
    s[i] = '[';
    s[2 * depth - 1 - i] = ']';
  }
  *len = 2 * depth;
  return s;
}

START_TEST(test_jdoc_depth_limit)
{
  jdoc doc;
  jdoc_error err;
  size_t len;
  char *s;

  jdoc_init(&doc, NULL);
  s = nested(64, &len);
  ck_assert_int_eq(jdoc_parse(&doc, s, len, &err), JDOC_OK);
  ck_assert_uint_eq(doc.nnodes, 64);
  free(s);
  s = nested(65, &len);
  ck_assert_int_eq(jdoc_parse(&doc, s, len, &err), JDOC_EDEPTH);
  ck_assert_str_eq(err.message, "nesting deeper than 64");
  ck_assert_uint_eq(err.column, 65);
  free(s);
  /* 100000 levels: no recursion, so no stack overflow, just the error. */
  s = nested(100000, &len);
  ck_assert_int_eq(jdoc_parse(&doc, s, len, &err), JDOC_EDEPTH);
  free(s);
  jdoc_fini(&doc);

  jdoc_init(&doc, &(jdoc_options){.max_depth = 3});
  ck_assert_int_eq(jdoc_parse(&doc, S("{\"a\":[{}]}"), &err), JDOC_OK);
  ck_assert_int_eq(jdoc_parse(&doc, S("{\"a\":[{\"b\":[]}]}"), &err), JDOC_EDEPTH);
  ck_assert_str_eq(err.message, "nesting deeper than 3");
  ck_assert_uint_eq(err.column, 12);
  jdoc_fini(&doc);
}
END_TEST

/* ===== structure and lifetimes ==================================================== */

START_TEST(test_jdoc_navigation)
{
  static const char line[] =
      "{\"hh_id\":\"h\\u0031\",\"net_income\":16000.04,\"members\":[{\"age\":7},{\"age\":40}]}\n";
  jdoc doc;
  jdoc_error err;

  jdoc_init(&doc, NULL);
  ck_assert_int_eq(jdoc_parse(&doc, line, sizeof line - 1, &err), JDOC_OK);
  ck_assert_int_eq(doc.nodes[0].kind, JDOC_OBJECT);
  ck_assert_uint_eq(doc.nodes[0].count, 3);

  uint32_t id = jdoc_object_get(&doc, 0, "hh_id", 5);
  ck_assert_uint_ne(id, JDOC_NONE);
  ck_assert_int_eq(doc.nodes[id].kind, JDOC_STRING);
  ck_assert_uint_eq(doc.nodes[id].len, 2);
  ck_assert_int_eq(memcmp(doc.nodes[id].str, "h1", 2), 0);
  ck_assert_uint_eq(doc.nodes[id].pos, 9);

  uint32_t inc = jdoc_object_get(&doc, 0, "net_income", 10);
  ck_assert_int_eq(doc.nodes[inc].kind, JDOC_NUMBER);
  /* Number text points into the input: exact, and no copy. */
  ck_assert_ptr_eq(doc.nodes[inc].str, line + doc.nodes[inc].pos);
  ck_assert_uint_eq(doc.nodes[inc].len, 8);

  uint32_t mem = jdoc_object_get(&doc, 0, "members", 7);
  ck_assert_int_eq(doc.nodes[mem].kind, JDOC_ARRAY);
  ck_assert_uint_eq(doc.nodes[mem].count, 2);
  uint32_t m2 = doc.nodes[doc.nodes[mem].first_child].next_sibling;
  uint32_t age = jdoc_object_get(&doc, m2, "age", 3);
  ck_assert_int_eq(memcmp(doc.nodes[age].str, "40", 2), 0);
  ck_assert_uint_eq(doc.nodes[m2].next_sibling, JDOC_NONE);

  ck_assert_uint_eq(jdoc_object_get(&doc, 0, "nope", 4), JDOC_NONE);
  ck_assert_uint_eq(jdoc_object_get(&doc, mem, "age", 3), JDOC_NONE); /* not an object */
  ck_assert_uint_eq(jdoc_object_get(&doc, 9999, "age", 3), JDOC_NONE);
  jdoc_fini(&doc);
}
END_TEST

/* Objects with many keys exercise the growth of the duplicate-key table. */
START_TEST(test_jdoc_many_keys)
{
  enum {
    NKEYS = 3000
  };
  size_t cap = NKEYS * 40 + 64, n = 0;
  char *s = malloc(cap);
  jdoc doc;
  jdoc_error err;

  ck_assert_ptr_nonnull(s);
  s[n++] = '{';
  for (int k = 0; k < NKEYS; k++)
    n += (size_t)snprintf(s + n, cap - n, "%s\"key%d\":{\"key%d\":%d}", k ? "," : "", k, k, k);
  s[n++] = '}';
  jdoc_init(&doc, NULL);
  ck_assert_int_eq(jdoc_parse(&doc, s, n, &err), JDOC_OK);
  ck_assert_uint_eq(doc.nodes[0].count, NKEYS);
  ck_assert_uint_eq(doc.nnodes, 1 + 2 * NKEYS);
  uint32_t last = jdoc_object_get(&doc, 0, "key2999", 7);
  ck_assert_uint_ne(last, JDOC_NONE);

  /* The same object with its last key equal to the first. */
  n -= 1;
  n += (size_t)snprintf(s + n, cap - n, ",\"key0\":1}");
  ck_assert_int_eq(jdoc_parse(&doc, s, n, &err), JDOC_EDUPKEY);
  ck_assert_str_eq(err.message, "duplicate key 'key0'");

  /* Reuse: many parses on one doc, buffers do not keep growing. */
  size_t nodes_cap = doc.nodes_cap, keys_cap = doc.keys_cap;
  for (int r = 0; r < 1000; r++)
    ck_assert_int_eq(jdoc_parse(&doc, S("{\"a\":\"x\\ny\",\"b\":[1,2,{\"c\":null}]}"), &err),
                     JDOC_OK);
  ck_assert_uint_eq(doc.nodes_cap, nodes_cap);
  ck_assert_uint_eq(doc.keys_cap, keys_cap);
  jdoc_fini(&doc);
  free(s);
}
END_TEST

START_TEST(test_jdoc_long_duplicate_key_message)
{
  char s[256];
  jdoc doc;
  jdoc_error err;
  int n = snprintf(s, sizeof s, "{\"%s\":1,\"%s\":2}",
                   "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                   "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                   "\xe4\xb8\xad\xe4\xb8\xad",
                   "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                   "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                   "\xe4\xb8\xad\xe4\xb8\xad");

  jdoc_init(&doc, NULL);
  ck_assert_int_eq(jdoc_parse(&doc, s, (size_t)n, &err), JDOC_EDUPKEY);
  /* 14 three-byte characters = 42 bytes: cut to 13 whole characters (39 bytes) plus "...". */
  size_t mlen = strlen(err.message);
  ck_assert(utf8_valid(err.message, mlen));
  ck_assert_str_eq(err.message + mlen - 4, "'...");
  ck_assert_uint_eq(mlen, strlen("duplicate key ''...") + 39);
  jdoc_fini(&doc);
}
END_TEST

/* With caller_checks_keys the parse takes duplicates; jdoc_check_keys finds them per object,
 * at the column of the second value. */
START_TEST(test_jdoc_caller_checks_keys)
{
  jdoc doc;
  jdoc_error err;
  jdoc_init(&doc, &(jdoc_options){.caller_checks_keys = true});
  ck_assert_int_eq(jdoc_parse(&doc, S("{\"a\":1,\"b\":{\"x\":1,\"x\":2},\"a\":3}"), &err), JDOC_OK);
  ck_assert_int_eq(jdoc_check_keys(&doc, 0, &err), JDOC_EDUPKEY);
  ck_assert_str_eq(err.message, "duplicate key 'a'");
  ck_assert_uint_eq(err.column, 30);
  uint32_t b = jdoc_object_get(&doc, 0, "b", 1);
  ck_assert_int_eq(jdoc_check_keys(&doc, b, &err), JDOC_EDUPKEY);
  ck_assert_str_eq(err.message, "duplicate key 'x'");
  ck_assert_uint_eq(err.column, 23);
  /* the same key in two objects is no duplicate; a check of a non-object is no error */
  ck_assert_int_eq(jdoc_parse(&doc, S("[{\"a\":1},{\"a\":2}]"), &err), JDOC_OK);
  ck_assert_int_eq(jdoc_check_keys(&doc, 1, &err), JDOC_OK);
  ck_assert_int_eq(jdoc_check_keys(&doc, 3, &err), JDOC_OK);
  ck_assert_int_eq(jdoc_check_keys(&doc, 0, &err), JDOC_OK);
  ck_assert_int_eq(jdoc_check_keys(&doc, 99, NULL), JDOC_OK);
  jdoc_fini(&doc);
}
END_TEST

START_TEST(test_jdoc_null_err_and_fini)
{
  jdoc doc;
  jdoc_init(&doc, NULL);
  ck_assert_int_eq(jdoc_parse(&doc, S("[1,"), NULL), JDOC_EEOF);
  ck_assert_int_eq(jdoc_parse(&doc, S("[1]"), NULL), JDOC_OK);
  jdoc_fini(&doc);
  jdoc_fini(&doc);
  jdoc_fini(NULL);
}
END_TEST

/* ===== utf8 ======================================================================= */

static const struct {
  const char *in;
  size_t len;
  bool valid;
  size_t count; /* code points when valid */
} utf8_cases[] = {
    {S(""), true, 0},
    {S("plain ascii text, long enough for the word loop"), true, 47},
    {S("a\0b"), true, 3},
    {S("\xc3\xa9"), true, 1},
    {S("\xe4\xb8\xad\xe6\x96\x87"), true, 2},
    {S("\xf0\x9f\x98\x80"), true, 1},
    {S("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), true, 2}, /* U+FFFF, U+10FFFF */
    {S("12345678\xe4\xb8\xad"
       "12345678"),
     true, 17},                        /* multibyte straddling the word loop */
    {S("\x80"), false, 0},             /* lone continuation */
    {S("\xc0\x80"), false, 0},         /* overlong NUL */
    {S("\xc1\xbf"), false, 0},         /* overlong */
    {S("\xe0\x9f\xbf"), false, 0},     /* overlong 3-byte */
    {S("\xf0\x8f\xbf\xbf"), false, 0}, /* overlong 4-byte */
    {S("\xed\xa0\x80"), false, 0},     /* U+D800 */
    {S("\xed\xbf\xbf"), false, 0},     /* U+DFFF */
    {S("\xf4\x90\x80\x80"), false, 0}, /* U+110000 */
    {S("\xf5\x80\x80\x80"), false, 0},
    {S("\xff"), false, 0},
    {S("abcdefgh\xe4\xb8"), false, 0}, /* truncated at the end */
    {S("\xe4\x41\xad"), false, 0},     /* bad continuation */
};

START_TEST(test_utf8_valid)
{
  ck_assert_msg(utf8_valid(utf8_cases[_i].in, utf8_cases[_i].len) == utf8_cases[_i].valid,
                "case %d", _i);
  if (utf8_cases[_i].valid)
    ck_assert_uint_eq(utf8_codepoint_count(utf8_cases[_i].in, utf8_cases[_i].len),
                      utf8_cases[_i].count);
}
END_TEST

START_TEST(test_utf8_roundtrip)
{
  static const uint32_t cps[] = {0,      0x41,   0x7F,   0x80,    0x7FF,   0x800,
                                 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
    char b[UTF8_MAX_LEN];
    uint32_t cp = 0xFFFFFFFF;
    size_t n = utf8_encode(cps[i], b);
    ck_assert_uint_gt(n, 0);
    ck_assert(utf8_valid(b, n));
    ck_assert_uint_eq(utf8_decode_next(b, n, &cp), n);
    ck_assert_uint_eq(cp, cps[i]);
    ck_assert_uint_eq(utf8_decode_next(b, n - 1, &cp), 0); /* truncated */
  }
  char b[UTF8_MAX_LEN];
  ck_assert_uint_eq(utf8_encode(0xD800, b), 0);
  ck_assert_uint_eq(utf8_encode(0xDFFF, b), 0);
  ck_assert_uint_eq(utf8_encode(0x110000, b), 0);
  uint32_t cp = 7;
  ck_assert_uint_eq(utf8_decode_next("\xc0\x80", 2, &cp), 0);
  ck_assert_uint_eq(cp, 7);
}
END_TEST

static Suite *jdoc_suite(void)
{
  Suite *s = suite_create("json");
  TCase *tc = tcase_create("parse");

  tcase_add_loop_test(tc, test_jdoc_good, 0, (int)(sizeof good / sizeof good[0]));
  tcase_add_loop_test(tc, test_jdoc_bad, 0, (int)(sizeof bad / sizeof bad[0]));
  tcase_add_test(tc, test_jdoc_null_empty);
  tcase_add_test(tc, test_jdoc_depth_limit);
  tcase_add_test(tc, test_jdoc_navigation);
  tcase_add_test(tc, test_jdoc_many_keys);
  tcase_add_test(tc, test_jdoc_long_duplicate_key_message);
  tcase_add_test(tc, test_jdoc_caller_checks_keys);
  tcase_add_test(tc, test_jdoc_null_err_and_fini);
  suite_add_tcase(s, tc);

  tc = tcase_create("utf8");
  tcase_add_loop_test(tc, test_utf8_valid, 0, (int)(sizeof utf8_cases / sizeof utf8_cases[0]));
  tcase_add_test(tc, test_utf8_roundtrip);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(jdoc_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
