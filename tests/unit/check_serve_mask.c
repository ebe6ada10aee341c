/*
 * check_serve_mask.c -- what the decision log keeps of a record (serve_mask.c): the masked
 * fields' values replaced by their keyed pseudonyms, inside lists too, keys that are no field
 * left out, everything else byte for byte (numbers as written) without the white space; text
 * that is not one strict JSON object refused; the pseudonym itself against a published
 * HMAC-SHA256 vector; --mask lists that are malformed or name no field.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"

/* The program's message lookup is not linked in: the messages are their msgids. */
const char *i18n_text(const char *msgid)
{
  return msgid;
}

static const char rules[] = "record member {\n"
                            "  name text optional\n"
                            "  age  int  optional\n"
                            "}\n"
                            "record household key hh_id {\n"
                            "  hh_id      text required\n"
                            "  head_id    text optional\n"
                            "  net_income money required\n"
                            "  members    list of member\n"
                            "}\n"
                            "let poor = net_income < 4000\n"
                            "output hh_id, poor\n";

static elig_ruleset *compiled(void)
{
  elig_ruleset *rs = NULL;
  ck_assert_int_eq(elig_compile_string("mask.rules", rules, strlen(rules), NULL, &rs, NULL),
                   ELIG_OK);
  return rs;
}

static serve_mask *mask_of(const char *names)
{
  char error[300];
  const char *key = "0123456789abcdef-test-key";
  serve_mask *m =
      serve_mask_new(names, (const unsigned char *)key, strlen(key), error, sizeof error);
  ck_assert_msg(m != NULL, "mask '%s': %s", names ? names : "(keys)", error);
  return m;
}

/* Two at a time may be in use, as the arguments of one call. */
static const char *pseudonym(const serve_mask *m, const char *value)
{
  static char out[2][SERVE_PSEUDONYM_SIZE];
  static int next;
  next = !next;
  serve_mask_pseudonym(m, value, strlen(value), out[next]);
  return out[next];
}

/* The masked copy of json, or NULL when refused; *left_out the keys left out. */
static char *masked(const serve_mask *m, bool only_fields, const char *json, size_t *left_out)
{
  elig_ruleset *rs = compiled();
  serve_text t = {0};
  serve_text_adds(&t, "<"); /* what was there before must stay, also on a refusal */
  *left_out = 99;
  bool ok = serve_mask_json(m, rs, only_fields, json, strlen(json), &t, left_out);
  serve_text_add(&t, "", 1);
  ck_assert(!t.nomem);
  elig_ruleset_free(rs);
  if (!ok) {
    ck_assert_str_eq(t.text, "<");
    ck_assert_int_eq(*left_out, 99);
    free(t.text);
    return NULL;
  }
  char *copy = strdup(t.text + 1);
  free(t.text);
  return copy;
}

START_TEST(test_serve_mask_pseudonym_vector)
{
  /* RFC 4231-style vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
   * = f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8 */
  char error[300];
  serve_mask *m = serve_mask_new(NULL, (const unsigned char *)"key", 3, error, sizeof error);
  ck_assert_str_eq(pseudonym(m, "The quick brown fox jumps over the lazy dog"),
                   "hmac:f7bc83f430538424b13298e6aa6fb143");
  serve_mask_free(m);
}
END_TEST

START_TEST(test_serve_mask_copy)
{
  serve_mask *m = mask_of("hh_id, head_id,members[].name");
  char want[1000];
  size_t left_out;

  /* numbers as written, white space gone, masked values replaced, null kept */
  char *got = masked(m, true,
                     " {\n  \"hh_id\" : \"h-001\",\n  \"net_income\": 2500.00, \"head_id\": null,\n"
                     "  \"members\": [ {\"name\": \"张三\", \"age\": 7}, {\"age\": 1e1} ] }\r\n",
                     &left_out);
  snprintf(want, sizeof want,
           "{\"hh_id\":\"%s\",\"net_income\":2500.00,\"head_id\":null,\"members\":[{\"name\":"
           "\"%s\",\"age\":7},{\"age\":1e1}]}",
           pseudonym(m, "h-001"), pseudonym(m, "张三"));
  ck_assert_str_eq(got, want);
  ck_assert_int_eq(left_out, 0);
  free(got);

  /* a value spelt with escapes is the same value; a number's pseudonym is its text's */
  got = masked(m, true, "{\"hh\\u005fid\":\"h-\\u0030\\u00301\",\"head_id\":530101}", &left_out);
  snprintf(want, sizeof want, "{\"hh\\u005fid\":\"%s\",\"head_id\":\"%s\"}", pseudonym(m, "h-001"),
           pseudonym(m, "530101"));
  ck_assert_str_eq(got, want);
  free(got);

  /* keys that are no field are left out of a record, and counted; kept in a result */
  got = masked(m, true, "{\"name_of_head\":\"张三\",\"net_income\":-0.5,\"x\":[{\"a\":[]}]}",
               &left_out);
  ck_assert_str_eq(got, "{\"net_income\":-0.5}");
  ck_assert_int_eq(left_out, 2);
  free(got);
  got = masked(m, false, "{\"hh_id\":\"h\",\"poor\":true,\"flags\":[\"a\\\"b\"]}", &left_out);
  snprintf(want, sizeof want, "{\"hh_id\":\"%s\",\"poor\":true,\"flags\":[\"a\\\"b\"]}",
           pseudonym(m, "h"));
  ck_assert_str_eq(got, want);
  free(got);

  /* a masked object or list is masked whole: its compact text */
  serve_mask *whole = mask_of("members");
  got = masked(whole, true, "{\"members\": [ {\"name\":\"a\"} ]}", &left_out);
  snprintf(want, sizeof want, "{\"members\":\"%s\"}", pseudonym(whole, "[{\"name\":\"a\"}]"));
  ck_assert_str_eq(got, want);
  free(got);
  serve_mask_free(whole);
  serve_mask_free(m);
}
END_TEST

START_TEST(test_serve_mask_default_is_keys)
{
  serve_mask *m = mask_of(NULL);
  size_t left_out;
  char *got = masked(m, true, "{\"hh_id\":\"h\",\"head_id\":\"x\",\"members\":[{\"name\":\"n\"}]}",
                     &left_out);
  char want[300];
  snprintf(want, sizeof want, "{\"hh_id\":\"%s\",\"head_id\":\"x\",\"members\":[{\"name\":\"n\"}]}",
           pseudonym(m, "h"));
  ck_assert_str_eq(got, want);
  free(got);
  elig_ruleset *rs = compiled();
  serve_text t = {0};
  serve_mask_describe(m, rs, &t);
  serve_text_add(&t, "", 1);
  ck_assert_str_eq(t.text, "hh_id");
  free(t.text);
  elig_ruleset_free(rs);
  serve_mask_free(m);
}
END_TEST

/* Text that is not one strict JSON object: refused, never copied. */
static const char *const refused[] = {
    "",
    "   ",
    "[]",
    "\"hh_id\"",
    "{\"hh_id\":\"a\"} {}",
    "{\"hh_id\":\"a\",}",
    "{\"hh_id\":\"a\"",
    "{\"hh_id\" \"a\"}",
    "{hh_id:\"a\"}",
    "{\"net_income\":01}",
    "{\"net_income\":1.}",
    "{\"net_income\":.5}",
    "{\"net_income\":1e}",
    "{\"net_income\":+1}",
    "{\"net_income\":NaN}",
    "{\"net_income\":tru}",
    "{\"hh_id\":\"a\nb\"}",
    "{\"hh_id\":\"a\\x\"}",
    "{\"hh_id\":\"\\u12\"}",
    "{\"hh_id\":\"\\ud800\"}",
    "{\"hh_id\":\"\\udc00\\ud800\"}",
    "{\"hh_id\":\"\xff\"}",
    "{\"hh_id\":\"\xc0\xaf\"}",
    "{\"hh_id\":\"\xed\xa0\x80\"}",
    "{\"x\":[1,]}",
    "{\"x\":[1 2]}",
    "{\"members\":[{\"name\":\"a\",}]}",
};

START_TEST(test_serve_mask_refused)
{
  serve_mask *m = mask_of("hh_id,members[].name");
  size_t left_out;
  char *got = masked(m, true, refused[_i], &left_out);
  ck_assert_msg(got == NULL, "case %d copied: %s", _i, got);
  serve_mask_free(m);
}
END_TEST

START_TEST(test_serve_mask_depth)
{
  serve_mask *m = mask_of("hh_id");
  char text[400];
  size_t left_out;
  for (int depth = 63; depth <= 65; depth++) {
    /* the record, then depth - 1 arrays: depth levels open */
    int n = snprintf(text, sizeof text, "{\"x\":");
    for (int i = 0; i < depth - 1; i++)
      text[n++] = '[';
    for (int i = 0; i < depth - 1; i++)
      text[n++] = ']';
    snprintf(text + n, sizeof text - (size_t)n, "}");
    char *got = masked(m, false, text, &left_out);
    ck_assert_msg((got != NULL) == (depth <= 64), "depth %d", depth);
    free(got);
  }
  memset(text, '[', 300);
  memcpy(text, "{\"x\":", 5);
  text[300] = '\0';
  ck_assert_ptr_null(masked(m, false, text, &left_out));
  serve_mask_free(m);
}
END_TEST

START_TEST(test_serve_mask_names)
{
  static const char *const bad[] = {"",     ",",    "hh_id,", "a,,b",      "a[]",
                                    "a[].", "[].b", "a.b",    "a[].b[].c", "a b"};
  char error[300];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    serve_mask *m = serve_mask_new(bad[i], (const unsigned char *)"k", 1, error, sizeof error);
    ck_assert_msg(m == NULL, "'%s' taken", bad[i]);
    ck_assert_msg(strstr(error, "is no field name") != NULL, "'%s': %s", bad[i], error);
  }
  elig_ruleset *rs = compiled();
  const char *suggest;
  serve_mask *m = mask_of("hh_id,members[].name,hh_idd");
  ck_assert_str_eq(serve_mask_unknown(m, rs, &suggest), "hh_idd");
  ck_assert_str_eq(suggest, "hh_id");
  serve_mask_free(m);
  m = mask_of("head_id[].name"); /* a field, but no list */
  ck_assert_str_eq(serve_mask_unknown(m, rs, &suggest), "head_id");
  serve_mask_free(m);
  m = mask_of("hh_id,members[].anything"); /* the elements' fields are not known */
  ck_assert_ptr_null(serve_mask_unknown(m, rs, &suggest));
  serve_text t = {0};
  serve_mask_describe(m, rs, &t);
  serve_text_add(&t, "", 1);
  ck_assert_str_eq(t.text, "hh_id, members[].anything");
  free(t.text);
  serve_mask_free(m);
  elig_ruleset_free(rs);
}
END_TEST

START_TEST(test_serve_text_string)
{
  serve_text t = {0};
  serve_text_add_string(&t, "a\"b\\c\n\x01\xff 中");
  serve_text_add(&t, "", 1);
  ck_assert_str_eq(t.text, "\"a\\\"b\\\\c\\u000a\\u0001\\ufffd 中\"");
  free(t.text);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("serve_mask");
  TCase *tc = tcase_create("mask");
  tcase_add_test(tc, test_serve_mask_pseudonym_vector);
  tcase_add_test(tc, test_serve_mask_copy);
  tcase_add_test(tc, test_serve_mask_default_is_keys);
  tcase_add_loop_test(tc, test_serve_mask_refused, 0, (int)(sizeof refused / sizeof refused[0]));
  tcase_add_test(tc, test_serve_mask_depth);
  tcase_add_test(tc, test_serve_mask_names);
  tcase_add_test(tc, test_serve_text_string);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
