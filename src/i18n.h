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

#include <stdbool.h>

/* msgid in the current language: itself when there is no translation. */
const char *i18n_text(const char *msgid) __attribute__((format_arg(1)));

/* The form of a message that fits the number n (gettext's plurals): singular or plural in
 * English, one form in Chinese, as the language's catalogue says.  Only n chooses; the
 * message formats n itself wherever it shows it. */
const char *i18n_plural(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));

/* While `on`, the calling thread's messages are their msgids, the English ones, whatever
 * its language: for words matched against text written in English (a test's `expect
 * rejected "..."`).  Returns the setting before, to put back. */
bool i18n_english(bool on);

/* For a program (the command line): messages in the language the environment names
 * (LC_ALL, LC_MESSAGES, LANG, LANGUAGE), even when that locale is not installed. */
void i18n_use_environment(void);

/* For a library's caller: the calling thread's messages in `language` ("zh_CN"; "en" for
 * the messages as written; NULL or "" for the process's own) from now on.  0, EINVAL for a
 * name that is no language, ENOENT when the system has no locale for it, ENOMEM. */
int i18n_set_thread_language(const char *language);

#define _(s) i18n_text(s)
#define N_(s) (s)

#endif
