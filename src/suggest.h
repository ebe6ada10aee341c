/*
 * suggest.h -- "did you mean ...?" for unknown names.
 *
 * Pipeline: used by the resolver and checker when a name is not found (unknown field, name,
 * function): they offer the names that were in scope and attach the closest one to the
 * diagnostic with diag_add_help.  Distance is optimal-string-alignment Damerau-Levenshtein
 * (insert, delete, substitute, swap two neighbours: 1 each) over Unicode code points, so
 * Chinese identifiers are compared character by character.  A candidate equal to the word up
 * to ASCII case scores 0.5, better than any typo.  A candidate is only suggested if its
 * distance is at most max(1, n/3) and below n, where n is the word's length in code points;
 * among equally close candidates the first offered wins; a candidate identical to the word is
 * never suggested.  Nothing here allocates: words longer than SUGGEST_MAX_LEN code points get
 * no suggestion.
 */
#ifndef ELIG_SUGGEST_H
#define ELIG_SUGGEST_H

#include <stddef.h>
#include <stdint.h>

/* Longest word, in code points, for which a suggestion is looked for. */
#define SUGGEST_MAX_LEN 64

/* State of one search, for callers that walk a symbol table instead of holding an array.
 * Lives on the caller's stack; needs no cleanup.  Fields are private. */
typedef struct {
  uint32_t fold[SUGGEST_MAX_LEN]; /* the word as code points, ASCII letters lowered */
  const char *raw;                /* the word as given, to spot identical candidates */
  size_t raw_len;
  size_t n;           /* code points in word; 0 disables the search */
  unsigned best_half; /* distance of the best candidate so far, in half units */
  const char *best;   /* best candidate so far, or NULL */
  size_t best_len;    /* its length in bytes */
} suggest_state;

/* Starts a search for words close to word[0..len) (UTF-8, not necessarily NUL-terminated).
 * `word` must stay valid until the search is over. */
void suggest_init(suggest_state *st, const char *word, size_t len);

/* Offers cand[0..len) as a candidate.  If it is the closest so far, the state remembers the
 * pointer, so `cand` must stay valid until suggest_best has been read. */
void suggest_offer(suggest_state *st, const char *cand, size_t len);

/* The closest candidate offered (a pointer given to suggest_offer), with its length in bytes in
 * *len if `len` is not NULL; NULL if none was close enough. */
const char *suggest_best(const suggest_state *st, size_t *len);

/* The whole search over an array of `n` NUL-terminated candidates: returns the closest
 * (one of the array's pointers) or NULL. */
const char *suggest_closest(const char *word, size_t len, const char *const *candidates, size_t n);

/* The distance between a and b as used above, in half units (so 1 means a case-only
 * difference, 2 one edit), or UINT32_MAX if either is longer than SUGGEST_MAX_LEN code points.
 * For tests and for callers that rank in their own way. */
uint32_t suggest_distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
