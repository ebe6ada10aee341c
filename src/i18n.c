/*
 * i18n.c -- the translation of messages (i18n.h).
 */
#include "i18n.h"

const char *i18n_text(const char *msgid)
{
  return msgid; /* until the catalogues land: English */
}
