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

/* The notes and words of the parser's syntax errors (grammar/parser.y, which xgettext does
 * not read whole) */
/* TRANSLATORS: a note at a bracket: %c is the bracket, ( [ or { */
#define NOTE_NOT_CLOSED N_("the '%c' opened here is not closed")
#define NOTE_TEXT_STARTS N_("the text starts here")
/* TRANSLATORS: what a syntax error expected or found: kinds of token of the rule language */
#define WORD_END_OF_FILE N_("the end of the file")
#define WORD_NAME N_("a name")
#define WORD_NUMBER N_("a number")
#define WORD_PERCENTAGE N_("a percentage")
#define WORD_QUOTED_TEXT N_("quoted text")
#define WORD_DATE N_("a date")
#define WORD_REGEX N_("a regex")

#endif
