/*
 * serve_language.c -- which language `elig serve` answers a request in, from its
 * Accept-Language header (RFC 9110, section 12.5.4): the offered language the client rates
 * highest.  A header is client input: read within its bytes, never more, whatever it holds.
 */
#include <string.h>
#include <strings.h>

#include "serve.h"

/* The language of one Accept-Language entry the service answers in ("zh_CN", "en"), or
 * NULL: Simplified Chinese (zh, zh-CN, zh-Hans...; not zh-TW, zh-HK or zh-Hant) or
 * English. */
static const char *offered_language(const char *tag, size_t n)
{
  if (n >= 2 && strncasecmp(tag, "en", 2) == 0 && (n == 2 || tag[2] == '-'))
    return "en";
  if (n < 2 || strncasecmp(tag, "zh", 2) != 0 || (n > 2 && tag[2] != '-'))
    return NULL;
  static const char *const traditional[] = {"-tw", "-hk", "-mo", "-hant"};
  for (size_t i = 0; i < sizeof traditional / sizeof *traditional; i++) {
    size_t k = strlen(traditional[i]);
    if (n >= 2 + k && strncasecmp(tag + 2, traditional[i], k) == 0)
      return NULL;
  }
  return "zh_CN";
}

/* The quality of an entry's parameters ";q=0.5" in thousandths; 1000 when not given, 0 for
 * one that does not parse (RFC 9110: q is 0 to 1 with up to three decimals). */
static int entry_quality(const char *p, const char *end)
{
  const char *q = NULL;
  for (const char *s = p; s + 2 < end && !q; s++)
    if (*s == ';' && (s[1] == 'q' || s[1] == 'Q') && s[2] == '=')
      q = s + 3;
  if (!q)
    return 1000;
  if (q >= end || (*q != '0' && *q != '1'))
    return 0;
  int value = (*q++ - '0') * 1000, scale = 100;
  if (q < end && *q == '.')
    for (q++; q < end && *q >= '0' && *q <= '9' && scale; q++, scale /= 10)
      value += (*q - '0') * scale;
  return value > 1000 ? 0 : value;
}

const char *serve_answer_language(const char *header)
{
  const char *best = "en";
  int best_q = 0;
  for (const char *p = header; p && *p;) {
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
    size_t n = strcspn(p, ";, \t");
    const char *lang = offered_language(p, n < (size_t)(end - p) ? n : (size_t)(end - p));
    int q = entry_quality(p, end);
    if (lang && q > best_q) {
      best = lang;
      best_q = q;
    }
    p = *end ? end + 1 : end;
  }
  return best;
}
