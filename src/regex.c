/*
 * regex.c - PCRE2 wrapper behind the `matches /regex/` operator.
 *
 * Place in the pipeline: compiled by the checker at rule compile time (regex_compile), owned
 * by the immutable ruleset, and run by the VM through a per-context regex_matcher. See
 * regex.h for the threading contract and the meaning of each result.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "mem.h"
#include "regex.h"

#include <pcre2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Big enough for every PCRE2 error message (the longest is about 120 bytes); longer ones are
 * truncated by pcre2_get_error_message, never overrun. */
#define REGEX_ERRMSG_SIZE 256

/* A run of a fixed pattern (see fixed_runs): `count` bytes, each one `allowed`. */
typedef struct {
  bool allowed[256]; /* by byte: a table, one load a byte where a bit set took four steps */
  uint32_t count;
} fixed_run;

struct regex_code {
  pcre2_code *code; /* compiled pattern, JIT data attached when jit is 1 */
  int jit;          /* 1 if pcre2_jit_compile succeeded */
  fixed_run *runs;  /* a fixed pattern's runs, matched without PCRE2; NULL for any other */
  uint32_t nruns;
  size_t fixed_len; /* the bytes of a subject a fixed pattern matches */
};

struct regex_matcher {
  pcre2_match_data *md;           /* one ovector pair: only match/no match is wanted */
  pcre2_match_context *mctx;      /* limits and JIT stack */
  pcre2_jit_stack *jstack;        /* NULL when this PCRE2 has no JIT */
  char errmsg[REGEX_ERRMSG_SIZE]; /* text for the last REGEX_LIMIT / REGEX_ERROR */
};

static const uint32_t known_flags = REGEX_CASELESS | REGEX_NO_JIT;

_Static_assert(REGEX_NO_MEMORY == PCRE2_ERROR_HEAP_FAILED, "regex.h's REGEX_NO_MEMORY");

static void set_compile_error(int code, size_t offset, int *err_code, size_t *err_offset,
                              char *err_msg, size_t err_msg_size)
{
  if (err_code)
    *err_code = code;
  if (err_offset)
    *err_offset = offset;
  if (err_msg && err_msg_size > 0) {
    /* A negative return only means the message was truncated or the code unknown; in the
       latter case PCRE2 writes nothing, so start from an empty string. */
    err_msg[0] = '\0';
    (void)pcre2_get_error_message(code, (PCRE2_UCHAR *)err_msg, err_msg_size);
  }
}

/* ---------------------------------------------------------------- fixed patterns */

/* The schemas check identity numbers and division codes on every record with patterns such
 * as /^[0-9]{17}[0-9X]$/ and /^[0-9]{12}$/, and a call of PCRE2's JIT code cost about 300
 * instructions for 18 bytes.  A pattern of that shape -- anchored at both ends (the end as
 * DOLLAR_ENDONLY makes `$`), each item an ASCII letter or digit or a class of them and of
 * ranges between them, each once or {n} times, and not caseless -- matches exactly the
 * subjects of its length in bytes whose every byte is in its item's set: in UTF mode an
 * ASCII class matches one ASCII character, which is one byte, and no byte of another
 * character (nor any invalid byte) is ASCII.  Such a pattern is matched here; every other,
 * and anything this parser is unsure of, goes to PCRE2, which compiled all of them anyway. */

static bool ascii_alnum(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Whether c and d are in one of 0-9, A-Z and a-z, with c <= d: a range PCRE2 reads as the
 * bytes from c to d. */
static bool same_alnum_range(unsigned char c, unsigned char d)
{
  return ascii_alnum(c) && ascii_alnum(d) && c <= d &&
         ((c >= '0' && d <= '9') || (c >= 'A' && d <= 'Z') || (c >= 'a' && d <= 'z'));
}

static void allow(fixed_run *r, unsigned char lo, unsigned char hi)
{
  for (unsigned c = lo; c <= hi; c++)
    r->allowed[c] = true;
}

/* The class whose '[' is at p[*i], into r; false when it is not a plain class of letters,
 * digits and ranges between them. */
static bool parse_class(const unsigned char *p, size_t end, size_t *i, fixed_run *r)
{
  size_t k = *i + 1;
  bool any = false;
  while (k < end && p[k] != ']') {
    if (!ascii_alnum(p[k]))
      return false;
    if (k + 2 < end && p[k + 1] == '-' && p[k + 2] != ']') {
      if (!same_alnum_range(p[k], p[k + 2]))
        return false;
      allow(r, p[k], p[k + 2]);
      k += 3;
    } else {
      allow(r, p[k], p[k]);
      k++;
    }
    any = true;
  }
  if (k >= end || !any)
    return false;
  *i = k + 1;
  return true;
}

/* A quantifier {n} at p[*i] (1 <= n <= 999, no leading zero) into *count; none there: 1. */
static bool parse_count(const unsigned char *p, size_t end, size_t *i, uint32_t *count)
{
  *count = 1;
  if (*i >= end || p[*i] != '{')
    return true;
  size_t k = *i + 1;
  uint32_t n = 0;
  for (; k < end && p[k] >= '0' && p[k] <= '9' && k - *i <= 3; k++)
    n = n * 10 + (uint32_t)(p[k] - '0');
  if (k >= end || p[k] != '}' || k == *i + 1 || p[*i + 1] == '0')
    return false;
  *count = n;
  *i = k + 1;
  return true;
}

/* The runs of a fixed pattern into code; false (and nothing kept) when the pattern is not
 * one, or memory runs out: PCRE2 matches it then. */
static bool fixed_runs(regex_code *rc, const char *pattern, size_t len, uint32_t flags)
{
  const unsigned char *p = (const unsigned char *)pattern;
  if ((flags & REGEX_CASELESS) || len < 2 || p[0] != '^' || p[len - 1] != '$')
    return false;
  size_t end = len - 1;
  fixed_run *runs = mem_calloc(len, sizeof *runs); /* at most an item a byte */
  if (!runs)
    return false;
  uint32_t n = 0;
  size_t total = 0;
  for (size_t i = 1; i < end; n++) {
    if (ascii_alnum(p[i])) {
      allow(&runs[n], p[i], p[i]);
      i++;
    } else if (p[i] != '[' || !parse_class(p, end, &i, &runs[n])) {
      mem_free(runs);
      return false;
    }
    if (!parse_count(p, end, &i, &runs[n].count)) {
      mem_free(runs);
      return false;
    }
    total += runs[n].count;
  }
  rc->runs = runs;
  rc->nruns = n;
  rc->fixed_len = total;
  return true;
}

static regex_result match_fixed(const regex_code *code, const char *subject, size_t len)
{
  if (len != code->fixed_len)
    return REGEX_NOMATCH;
  const unsigned char *s = (const unsigned char *)subject;
  for (uint32_t r = 0; r < code->nruns; r++) {
    const fixed_run *run = &code->runs[r];
    for (uint32_t k = 0; k < run->count; k++, s++)
      if (!run->allowed[*s])
        return REGEX_NOMATCH;
  }
  return REGEX_MATCH;
}

/* ---------------------------------------------------------------- PCRE2 */

regex_code *regex_compile(const char *pattern, size_t len, uint32_t flags, int *err_code,
                          size_t *err_offset, char *err_msg, size_t err_msg_size)
{
  if (flags & ~known_flags) {
    set_compile_error(PCRE2_ERROR_BAD_OPTIONS, 0, err_code, err_offset, err_msg, err_msg_size);
    return NULL;
  }
  if (pattern == NULL) {
    if (len != 0) {
      set_compile_error(PCRE2_ERROR_NULL_PATTERN, 0, err_code, err_offset, err_msg, err_msg_size);
      return NULL;
    }
    /* Older PCRE2 releases reject a NULL pattern even with length 0. */
    pattern = "";
  }

  regex_code *rc = mem_calloc(1, sizeof *rc);
  if (rc == NULL) {
    set_compile_error(PCRE2_ERROR_HEAP_FAILED, 0, err_code, err_offset, err_msg, err_msg_size);
    return NULL;
  }

  /* DOLLAR_ENDONLY: policy staff who write /^[0-9]{12}$/ mean the whole value; PCRE2's
   * default lets $ match before a final newline, which would accept "530101001001\n". */
  uint32_t options =
      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C | PCRE2_DOLLAR_ENDONLY;
  if (flags & REGEX_CASELESS)
    options |= PCRE2_CASELESS;

  /* PCRE2 allocates through the library's hook (mem.h): the compiled code keeps the
   * functions, so its JIT data, its match data and its freeing use them too. */
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_general_context *gc = pcre2_general_context_create(mem_pcre2_alloc, mem_pcre2_free, NULL);
  pcre2_compile_context *cc = gc ? pcre2_compile_context_create(gc) : NULL;
  if (cc)
    rc->code = pcre2_compile((PCRE2_SPTR)pattern, len, options, &code, &offset, cc);
  else
    rc->code = NULL, code = PCRE2_ERROR_HEAP_FAILED;
  pcre2_compile_context_free(cc);
  pcre2_general_context_free(gc);
  if (rc->code == NULL) {
    mem_free(rc);
    set_compile_error(code, offset, err_code, err_offset, err_msg, err_msg_size);
    return NULL;
  }

  /* Any JIT failure (unsupported build, no executable memory, out of memory) leaves the code
     usable by the interpreter, which is slower but gives the same answers. */
  rc->jit = 0;
  if (!(flags & REGEX_NO_JIT) && pcre2_jit_compile(rc->code, PCRE2_JIT_COMPLETE) == 0)
    rc->jit = 1;
  fixed_runs(rc, pattern, len, flags);
  return rc;
}

void regex_free(regex_code *code)
{
  if (code == NULL)
    return;
  pcre2_code_free(code->code);
  mem_free(code->runs);
  mem_free(code);
}

int regex_uses_jit(const regex_code *code)
{
  return code != NULL && code->jit;
}

regex_matcher *regex_matcher_new(uint32_t match_limit, uint32_t depth_limit)
{
  uint32_t have_jit = 0;
  regex_matcher *m = mem_calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;

  pcre2_general_context *gc = pcre2_general_context_create(mem_pcre2_alloc, mem_pcre2_free, NULL);
  if (gc == NULL)
    goto fail;
  m->md = pcre2_match_data_create(1, gc);
  m->mctx = pcre2_match_context_create(gc);
  if (m->md == NULL || m->mctx == NULL) {
    pcre2_general_context_free(gc);
    goto fail;
  }

  /* pcre2_jit_stack_create returns NULL both when JIT is not compiled in and when memory runs
     out; only the second is a failure. Without JIT the interpreter never needs the stack. */
  if (pcre2_config(PCRE2_CONFIG_JIT, &have_jit) < 0)
    have_jit = 0;
  if (have_jit) {
    m->jstack = pcre2_jit_stack_create(REGEX_JIT_STACK_MIN, REGEX_JIT_STACK_MAX, gc);
    if (m->jstack == NULL) {
      pcre2_general_context_free(gc);
      goto fail;
    }
    pcre2_jit_stack_assign(m->mctx, NULL, m->jstack);
  }
  pcre2_general_context_free(gc); /* each object keeps the functions it was made with */

  if (pcre2_set_match_limit(m->mctx, match_limit ? match_limit : REGEX_DEFAULT_MATCH_LIMIT) != 0 ||
      pcre2_set_depth_limit(m->mctx, depth_limit ? depth_limit : REGEX_DEFAULT_DEPTH_LIMIT) != 0 ||
      pcre2_set_heap_limit(m->mctx, REGEX_HEAP_LIMIT_KIB) != 0)
    goto fail;
  return m;

fail:
  regex_matcher_free(m);
  return NULL;
}

void regex_matcher_free(regex_matcher *m)
{
  if (m == NULL)
    return;
  pcre2_match_data_free(m->md);
  pcre2_match_context_free(m->mctx);
  pcre2_jit_stack_free(m->jstack);
  mem_free(m);
}

static void set_match_error(regex_matcher *m, int rc)
{
  m->errmsg[0] = '\0';
  (void)pcre2_get_error_message(rc, (PCRE2_UCHAR *)m->errmsg, sizeof m->errmsg);
}

regex_result regex_match(const regex_code *code, regex_matcher *m, const char *subject, size_t len)
{
  if (m == NULL)
    return REGEX_ERROR;
  m->errmsg[0] = '\0';
  if (code == NULL) {
    set_match_error(m, PCRE2_ERROR_NULL);
    return REGEX_ERROR;
  }
  if (subject == NULL) {
    if (len != 0) {
      set_match_error(m, PCRE2_ERROR_NULL);
      return REGEX_ERROR;
    }
    subject = "";
  }
  if (code->runs)
    return match_fixed(code, subject, len);

  /* An ovector too small for all captures makes pcre2_match return 0, which is still a
     match; so any rc >= 0 means REGEX_MATCH. */
  /* pcre2_jit_match is the documented fast path for JIT-compiled code: it skips
     pcre2_match's argument checks (half the cost of matching a short field).  The pattern
     was compiled with MATCH_INVALID_UTF, so unchecked subjects are still safe. */
  int rc = code->jit ? pcre2_jit_match(code->code, (PCRE2_SPTR)subject, len, 0, 0, m->md, m->mctx)
                     : pcre2_match(code->code, (PCRE2_SPTR)subject, len, 0, 0, m->md, m->mctx);
  if (rc >= 0)
    return REGEX_MATCH;
  switch (rc) {
  case PCRE2_ERROR_NOMATCH: return REGEX_NOMATCH;
  case PCRE2_ERROR_MATCHLIMIT:
  case PCRE2_ERROR_DEPTHLIMIT:
  case PCRE2_ERROR_HEAPLIMIT:
  case PCRE2_ERROR_JIT_STACKLIMIT: set_match_error(m, rc); return REGEX_LIMIT;
  default: set_match_error(m, rc); return REGEX_ERROR;
  }
}

const char *regex_matcher_error(const regex_matcher *m)
{
  return m == NULL ? "" : m->errmsg;
}
