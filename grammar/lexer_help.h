/*
 * lexer_help.h -- the help lines of the lexer's diagnostics, apart from lexer.l because
 * xgettext cannot read flex: here it finds them (po/POTFILES.in).
 */
#ifndef ELIG_LEXER_HELP_H
#define ELIG_LEXER_HELP_H

#include "i18n.h"

#define HELP_AND N_("write 'and' to combine conditions")
#define HELP_OR N_("write 'or' for either condition")
#define HELP_NOT N_("write 'not' to negate a condition")
#define HELP_SINGLE_QUOTE N_("text is written in double quotes: \"...\"")
#define HELP_FULLWIDTH_SPACE N_("this is a full-width space; use an ordinary space")
/* TRANSLATORS: %s is the ASCII character meant, e.g. ( */
#define HELP_FULLWIDTH N_("this is full-width punctuation; use the ASCII '%s' instead")

#endif
