/*
 * regex.h - the `matches /regex/` operator of elig, a thin wrapper over PCRE2 (libpcre2-8).
 *
 * Place in the pipeline: the checker calls regex_compile once per regex literal at rule
 * compile time and reports a failure at the literal's start plus the error offset (style.md
 * 7.6); the compiled regex_code then lives, immutable, in the ruleset. Each evaluation context
 * (one per thread) owns a regex_matcher, and the VM calls regex_match for every `matches`.
 *
 * Threading follows PCRE2's own model (pcre2api "MULTITHREADING"): a regex_code is never
 * modified after regex_compile returns, so any number of threads may use it at once; a
 * regex_matcher holds the mutable state (match data, match context with limits, JIT stack)
 * and must be used by one thread at a time.
 *
 * Matching is an unanchored search, as PCRE2's default: a rule author who wants the whole
 * field to match writes ^...$. Patterns and subjects are UTF-8. Subjects come from untrusted
 * records, so patterns are compiled with PCRE2_MATCH_INVALID_UTF: invalid UTF-8 in a subject
 * can never crash or error, it simply never matches any pattern item.
 *
 * Resource limits make matching total: a catastrophic pattern reports REGEX_LIMIT, never a
 * wrong "no match", so the caller can reject the record instead of deciding on it.
 */
#ifndef ELIG_REGEX_H
#define ELIG_REGEX_H

#include <stddef.h>
#include <stdint.h>

/* Flags for regex_compile. */
/* REGEX_NO_JIT skips JIT compilation so that the interpreter is always used; it exists so
 * tests can exercise both matching paths. */
#define REGEX_CASELESS 0x1u /* case-insensitive, with Unicode case folding (PCRE2_CASELESS) */
#define REGEX_NO_JIT 0x2u   /* never JIT-compile */

/* regex_compile's *err_code when memory ran out (PCRE2_ERROR_HEAP_FAILED), so that callers
 * who do not include pcre2.h can tell "out of memory" from a bad pattern. */
#define REGEX_NO_MEMORY 121

/* Default limits for regex_matcher_new; both are far above what any sane eligibility rule
 * needs and small enough that a catastrophic pattern fails in milliseconds. */
#define REGEX_DEFAULT_MATCH_LIMIT 1000000u /* pcre2_set_match_limit: backtracking steps */
#define REGEX_DEFAULT_DEPTH_LIMIT 10000u   /* pcre2_set_depth_limit: interpreter nesting */

/* Heap limit of every matcher, in KiB (pcre2_set_heap_limit). The interpreter's backtracking
 * frames grow with the capture count, so without this a pattern with many groups could use
 * gigabytes before reaching the depth limit. */
#define REGEX_HEAP_LIMIT_KIB 20480u

/* Smallest and largest size of a matcher's JIT stack, in bytes. */
#define REGEX_JIT_STACK_MIN (32u * 1024u)
#define REGEX_JIT_STACK_MAX (1024u * 1024u)

typedef struct regex_code regex_code;       /* compiled pattern; immutable, shareable */
typedef struct regex_matcher regex_matcher; /* per-thread match state */

typedef enum {
  REGEX_MATCH,   /* the pattern matched somewhere in the subject */
  REGEX_NOMATCH, /* the search completed and found no match */
  REGEX_LIMIT,   /* a match, depth, heap or JIT-stack limit stopped the search: the answer
                    is unknown and must not be treated as REGEX_NOMATCH */
  REGEX_ERROR    /* any other failure (e.g. out of memory); see regex_matcher_error */
} regex_result;

/* Compile `len` bytes of UTF-8 at `pattern` (no NUL terminator needed; NULL is allowed when
 * len is 0). `flags` is a combination of REGEX_CASELESS and REGEX_NO_JIT. The pattern is
 * compiled with PCRE2_UTF, PCRE2_MATCH_INVALID_UTF and PCRE2_NEVER_BACKSLASH_C (\C would match
 * a single byte inside a UTF-8 character), then JIT-compiled when the PCRE2 build supports it;
 * if JIT compilation fails for any reason the interpreter is used instead, without notice.
 *
 * Returns a new regex_code owned by the caller (free with regex_free), or NULL on failure.
 * On failure, each of the optional outputs that is not NULL is set: *err_code to PCRE2's
 * compile error number (above 100; PCRE2_ERROR_BAD_OPTIONS for unknown flags,
 * PCRE2_ERROR_HEAP_FAILED when memory runs out) or, when the pattern itself is not valid
 * UTF-8, to one of PCRE2's negative UTF-8 error codes; *err_offset to the byte offset within
 * the pattern where the error was detected; and err_msg to PCRE2's message text, truncated to
 * err_msg_size bytes and always NUL-terminated when err_msg_size > 0. On success the outputs
 * are left untouched. */
regex_code *regex_compile(const char *pattern, size_t len, uint32_t flags, int *err_code,
                          size_t *err_offset, char *err_msg, size_t err_msg_size);

/* Free a compiled pattern. NULL is a no-op. No matcher may be using it concurrently. */
void regex_free(regex_code *code);

/* Return 1 if `code` will be matched by the JIT, 0 if by the interpreter (no JIT support in
 * this PCRE2 build, REGEX_NO_JIT given, or JIT compilation failed). */
int regex_uses_jit(const regex_code *code);

/* Create the per-thread state for regex_match. `match_limit` and `depth_limit` are PCRE2's
 * match and depth limits; 0 selects REGEX_DEFAULT_MATCH_LIMIT / REGEX_DEFAULT_DEPTH_LIMIT.
 * The JIT ignores the depth limit and is bounded instead by its stack (REGEX_JIT_STACK_MAX),
 * so the JIT and the interpreter may differ on whether a search hits a limit; they never
 * differ between REGEX_MATCH and REGEX_NOMATCH.
 * A matcher serves any number of regex_code objects, but only one thread at a time.
 *
 * Returns a new matcher owned by the caller (free with regex_matcher_free), or NULL when
 * memory runs out. */
regex_matcher *regex_matcher_new(uint32_t match_limit, uint32_t depth_limit);

/* Free a matcher. NULL is a no-op. */
void regex_matcher_free(regex_matcher *m);

/* Search `len` bytes at `subject` (NUL bytes are ordinary characters; NULL is allowed when
 * len is 0) for `code`, using the state in `m`. Nothing is allocated for the caller; the
 * matcher may grow its internal backtracking memory, bounded by REGEX_HEAP_LIMIT_KIB.
 *
 * Returns REGEX_MATCH or REGEX_NOMATCH when the search completed; REGEX_LIMIT when the match,
 * depth, heap or JIT stack limit was reached; REGEX_ERROR for any other failure, including
 * NULL code or matcher. After REGEX_LIMIT or REGEX_ERROR, regex_matcher_error(m) describes
 * the failure. */
regex_result regex_match(const regex_code *code, regex_matcher *m, const char *subject, size_t len);

/* Message describing the last REGEX_LIMIT or REGEX_ERROR result of `m` (PCRE2's text), or ""
 * if the last call succeeded. The string is owned by the matcher and valid until the next
 * regex_match on it or regex_matcher_free. Returns "" for a NULL matcher. */
const char *regex_matcher_error(const regex_matcher *m);

#endif /* ELIG_REGEX_H */
