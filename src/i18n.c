/*
 * i18n.c -- the translation of messages (i18n.h), through GNU gettext (glibc's libintl).
 *
 * The library binds its own text domain on first use and never calls textdomain(): a
 * program embedding it keeps its own default domain.  The language is gettext's: the
 * LC_MESSAGES category of the calling thread's locale, then LANGUAGE (i18n_use_environment
 * sets both up for the command line; elig_set_thread_language for a service's threads).
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  int saved = errno; /* printf(_("cannot read '%s': %s"), path, strerror(errno)) */
  pthread_once(&bound, bind_domain);
  const char *text = dgettext(PACKAGE, msgid);
  errno = saved;
  return text;
#else
  return msgid;
#endif
}

const char *i18n_plural(const char *singular, const char *plural, unsigned long n)
{
#if ENABLE_NLS
  if (english)
    return n == 1 ? singular : plural;
  int saved = errno;
  pthread_once(&bound, bind_domain);
  const char *text = dngettext(PACKAGE, singular, plural, n);
  errno = saved;
  return text;
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

/* A program run from its build tree (./elig before `make install`) has the catalogues made
 * there (Makefile.am: locale/), beside its own file or one folder up (libtool's .libs/): it
 * uses them, for the installed ones may be missing or another version's.  An installed
 * program has no locale/ beside it.  Said through ELIG_LOCALEDIR, which the library's own
 * lookup reads too; one the environment sets already wins. */
static void use_build_catalogues(void)
{
  const char *set = getenv("ELIG_LOCALEDIR");
  if (set && *set)
    return;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash)
    return;
  *slash = '\0';
  static const char *const beside[] = {"/locale", "/../locale"};
  for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
    char dir[4200], mo[4300];
    snprintf(dir, sizeof dir, "%s%s", exe, beside[i]);
    /* zh_CN: the one catalogue every build makes (po/LINGUAS) */
    snprintf(mo, sizeof mo, "%s/zh_CN/LC_MESSAGES/%s.mo", dir, PACKAGE);
    if (access(mo, R_OK) == 0) {
      setenv("ELIG_LOCALEDIR", dir, 1);
      return;
    }
  }
}

void i18n_use_environment(void)
{
  use_build_catalogues();
  /* LC_MESSAGES, and UTF-8 characters (C.UTF-8): numbers, character classes of ASCII and
   * collation stay C, so no parsing or output of data depends on the locale; the C library's
   * own messages (strerror) come in the language too, and UTF-8 rather than as '?' */
  setlocale(LC_CTYPE, "C.UTF-8");
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

/* The locales of the languages threads have asked for, made once each and shared: a thread
 * uses one (uselocale) for as long as it likes, and a service's threads, which come and go,
 * neither allocate per request nor leave a locale behind when they end.  A process asks for
 * a handful of languages; past MAX_LANGUAGES a new one is refused (ENOMEM). */
enum {
  MAX_LANGUAGES = 32
};
static struct {
  char name[48];
  locale_t locale;
} languages[MAX_LANGUAGES];
static size_t nlanguages;
static pthread_mutex_t languages_lock = PTHREAD_MUTEX_INITIALIZER;

/* l with UTF-8 characters, so that the C library's own messages (strerror) in the thread's
 * language come as UTF-8 rather than as '?'; l itself when C.UTF-8 is missing. */
static locale_t with_utf8(locale_t l)
{
  locale_t u = newlocale(LC_CTYPE_MASK, "C.UTF-8", l);
  return u ? u : l;
}

/* A locale whose LC_MESSAGES is `language`'s, under the names a system may have it by. */
static locale_t messages_locale(const char *language)
{
  static const char *const suffixes[] = {".UTF-8", ".utf8", ""};
  char name[80];
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    snprintf(name, sizeof name, "%s%s", language, suffixes[i]);
    locale_t l = newlocale(LC_MESSAGES_MASK, name, (locale_t)0);
    if (l)
      return with_utf8(l);
  }
  return (locale_t)0;
}

/* A language name as locales spell it: "zh_CN", "en", "zh_CN@x"; letters, digits, '_', '-',
 * '@', at most 40 bytes (never a path). */
static bool language_name_ok(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 40)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '@';
    if (!ok)
      return false;
  }
  return true;
}

/* The shared locale of `language` (a checked name), made on first use; *error when none. */
static locale_t language_locale(const char *language, int *error)
{
  locale_t l = (locale_t)0;
  pthread_mutex_lock(&languages_lock);
  for (size_t i = 0; i < nlanguages && !l; i++)
    if (strcmp(languages[i].name, language) == 0)
      l = languages[i].locale;
  if (!l && nlanguages == MAX_LANGUAGES) {
    *error = ENOMEM;
  } else if (!l) {
    /* English is the messages as written: the C locale's, which gettext never translates */
    bool is_english = strcmp(language, "en") == 0 || strncmp(language, "en_", 3) == 0 ||
                      strcmp(language, "C") == 0;
    l = is_english ? with_utf8(newlocale(LC_MESSAGES_MASK, "C", (locale_t)0))
                   : messages_locale(language);
    if (l) {
      snprintf(languages[nlanguages].name, sizeof languages[nlanguages].name, "%s", language);
      languages[nlanguages++].locale = l;
    } else {
      *error = is_english ? ENOMEM : ENOENT;
    }
  }
  pthread_mutex_unlock(&languages_lock);
  return l;
}

int i18n_set_thread_language(const char *language)
{
  if (!language || !*language) {
    uselocale(LC_GLOBAL_LOCALE);
    return 0;
  }
  if (!language_name_ok(language))
    return EINVAL;
  int error = 0;
  locale_t l = language_locale(language, &error);
  if (!l)
    return error;
  uselocale(l);
  return 0;
}
