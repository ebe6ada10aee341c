/*
 * check_serve_language.c -- the language `elig serve` answers in, from Accept-Language
 * (serve_language.c): qualities, the first of equals, Chinese scripts and regions, and
 * headers that do not parse.
 */
#include <check.h>
#include <string.h>

#include "serve.h"

typedef struct {
  const char *header;
  const char *want;
} language_case;

static const language_case cases[] = {
    {NULL, "en"},
    {"", "en"},
    {"zh-CN", "zh_CN"},
    {"zh", "zh_CN"},
    {"ZH-cn", "zh_CN"},
    {"zh-Hans-CN", "zh_CN"},
    {"zh-SG", "zh_CN"},
    {"zh-TW", "en"},
    {"zh-HK, zh-Hant;q=0.9", "en"},
    {"zh-Hant-TW", "en"},
    {"zhx", "en"},
    {"en-GB", "en"},
    {"fr, de;q=0.5", "en"},
    {"fr, zh;q=0.5", "zh_CN"},
    {"en;q=0.8, zh-CN", "zh_CN"},
    {"zh-CN;q=0.8, en;q=0.9", "en"},
    {"zh;q=0.5, en;q=0.5", "zh_CN"}, /* equals: the first */
    {"zh;q=0", "en"},                /* not acceptable */
    {"zh;q=1.5", "en"},              /* out of range: does not parse */
    {"zh;q=x", "en"},
    {"zh;q=", "en"},
    {"zh-CN;q=1.000, en;q=0.999", "zh_CN"},
    {"  zh-CN  ,en", "zh_CN"},
    {",,,", "en"},
    {";q=1", "en"},
    {"*", "en"},
    {"zh-CN;level=1;q=0.7, en;q=0.6", "zh_CN"},
};

START_TEST(test_serve_language_cases)
{
  const language_case *c = &cases[_i];
  const char *got = serve_answer_language(c->header);
  ck_assert_msg(strcmp(got, c->want) == 0, "Accept-Language: %s: got %s, expected %s",
                c->header ? c->header : "(none)", got, c->want);
}
END_TEST

/* A long header of many entries is read to its end, within its bytes. */
START_TEST(test_serve_language_long)
{
  static char header[64 * 1024];
  size_t n = 0;
  while (n + 16 < sizeof header) {
    memcpy(header + n, "fr;q=0.1, ", 10);
    n += 10;
  }
  memcpy(header + n, "zh", 3);
  ck_assert_str_eq(serve_answer_language(header), "zh_CN");
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("serve_language");
  TCase *tc = tcase_create("accept_language");
  tcase_add_loop_test(tc, test_serve_language_cases, 0, sizeof cases / sizeof *cases);
  tcase_add_test(tc, test_serve_language_long);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
