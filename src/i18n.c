/*
 * i18n.c -- the translation of messages (i18n.h), through GNU gettext (glibc's libintl).
 *
 * The library binds its own text domain on first use and never calls textdomain(): a
 * program embedding it keeps its own default domain.  The language is gettext's: the
 * LC_MESSAGES category of the calling thread's locale, then LANGUAGE (i18n_use_environment
 * sets both up for the command line; elig_set_thread_language for a service's threads).
 */
#include "config.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if ENABLE_NLS
#include <libintl.h>
#endif

#include "i18n.h"

/* i18n_english's setting, per thread: a service's threads each run their own tests */
static __thread bool english;

bool i18n_english(bool on)
{
  bool was = english;
  english = on;
  return was;
}

#if ENABLE_NLS
static pthread_once_t bound = PTHREAD_ONCE_INIT;

static void bind_domain(void)
{
  /* ELIG_LOCALEDIR: the catalogues of a build tree, for its tests (nothing is installed) */
  const char *dir = getenv("ELIG_LOCALEDIR");
  bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
  bind_textdomain_codeset(PACKAGE, "UTF-8"); /* whatever LC_CTYPE says: our output is UTF-8 */
}
#endif

const char *i18n_text(const char *msgid)
{
#if ENABLE_NLS
  if (!msgid || !*msgid)
    return msgid; /* gettext("") is the catalogue's header */
  if (english)
    return msgid;
  pthread_once(&bound, bind_domain);
  return dgettext(PACKAGE, msgid);
#else
  return msgid;
#endif
}

const char *i18n_plural(const char *singular, const char *plural, unsigned long n)
{
#if ENABLE_NLS
  if (english)
    return n == 1 ? singular : plural;
  pthread_once(&bound, bind_domain);
  return dngettext(PACKAGE, singular, plural, n);
#else
  return n == 1 ? singular : plural;
#endif
}

/* The language part of a locale name: "zh_CN" of "zh_CN.UTF-8@x", into buf. */
static void language_of(const char *locale, char *buf, size_t size)
{
  size_t n = strcspn(locale, ".@");
  if (n >= size)
    n = size - 1;
  memcpy(buf, locale, n);
  buf[n] = '\0';
}

void i18n_use_environment(void)
{
  /* LC_MESSAGES alone: numbers, character classes and collation stay C, so no parsing or
   * output of data depends on the locale */
  if (setlocale(LC_MESSAGES, ""))
    return;
  /* The locale the environment names is not installed (a fresh Debian has C.UTF-8 only).
   * Its messages can still be had: glibc's gettext reads LANGUAGE whenever LC_MESSAGES is
   * not plain C, so run in C.UTF-8 with LANGUAGE taken from the locale's name. */
  const char *name = NULL;
  static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars && !name; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v)
      name = v;
  }
  if (!setlocale(LC_MESSAGES, "C.UTF-8") || !name)
    return;
  const char *language = getenv("LANGUAGE");
  if (!language || !*language) {
    char buf[64];
    language_of(name, buf, sizeof buf);
    if (strcmp(buf, "C") != 0 && strcmp(buf, "POSIX") != 0)
      setenv("LANGUAGE", buf, 1);
  }
}
