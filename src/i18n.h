/*
 * i18n.h -- messages in the reader's language (GNU gettext; the catalogues are in po/).
 *
 * Every text a person reads goes through _(): diagnostics, rejection reasons, usage, progress,
 * test, explain and diff reports.  A text that is only stored where it is written (a table
 * of messages) is marked N_() there, and translated by _() where it is shown.  Codes
 * (E0201), field names, keywords and anything a program parses stay as they are.
 */
#ifndef ELIG_I18N_H
#define ELIG_I18N_H

/* msgid in the current language: itself when there is no translation. */
const char *i18n_text(const char *msgid) __attribute__((format_arg(1)));

/* The form of a message for the count n, in the current language: ngettext.  English has
 * two (singular for 1, plural otherwise); a translation has as many as its language (one in
 * Chinese).  A sentence with a count is one message in two forms, never "record%s". */
const char *i18n_plural(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1), format_arg(2)));

/* For a program (the command line): messages in the language the environment names
 * (LC_ALL, LC_MESSAGES, LANG, LANGUAGE), even when that locale is not installed. */
void i18n_use_environment(void);

/* For a library's caller: the calling thread's messages in `language` ("zh_CN"; "en" for
 * the messages as written; NULL or "" for the process's own) from now on.  0, EINVAL for a
 * name that is no language, ENOENT when the system has no locale for it, ENOMEM. */
int i18n_set_thread_language(const char *language);

/* Messages in English on the calling thread between enter and leave (given enter's
 * result), whatever its language: for comparing a message with English text a rule file
 * holds (`expect rejected "duplicate"`).  Nests; NULL from enter when out of memory (leave
 * then does nothing, and messages stay in the thread's language). */
void *i18n_english_enter(void);
void i18n_english_leave(void *before);

#define _(s) i18n_text(s)
#define N_(s) (s)

#endif
