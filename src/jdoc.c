/*
 * jdoc.c - JSON Lines record parser (see jdoc.h for the document shape and lifetimes).
 *
 * Place in the pipeline: worker threads, between input.c's chunks and the typing layer.
 * Hand-written for speed and exactness: numbers stay text (no double ever), strings without
 * escapes are not copied, and every buffer lives in the jdoc and is reused.
 *
 * The parser is an explicit state machine over a stack of open containers (at most max_depth
 * frames), so nesting in the input never becomes recursion in C.
 */
#include "mem.h"
#include "i18n.h"
#include "jdoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "utf8.h"

struct jdoc_frame {
  uint32_t node; /* the open array or object */
  uint32_t last; /* its last child so far, JDOC_NONE if none */
};

struct jdoc_keyslot {
  uint32_t epoch; /* parse that wrote the slot; 0 = never used */
  uint32_t obj;   /* object node the key belongs to */
  uint32_t node;  /* member node holding the key */
  uint32_t hash;
};

/* Bytes a string can hold without a closer look: printable ASCII except '"' and '\\'. */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* ===== parse state ================================================================ */

typedef struct parser {
  jdoc *doc;
  const unsigned char *text; /* start of the input, for columns */
  const unsigned char *s;    /* cursor */
  const unsigned char *e;    /* end of the input */
  size_t n;                  /* input length: bounds the unescaped output */
  bool arena_ready;          /* arena holds n bytes for this parse */
  bool saw_nul;              /* the last string parsed held a \u0000 */
  jdoc_error *err;
  jdoc_errcode code;
} parser;

static jdoc_errcode fail(parser *ps, jdoc_errcode code, const unsigned char *at, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

static jdoc_errcode fail(parser *ps, jdoc_errcode code, const unsigned char *at, const char *fmt,
                         ...)
{
  ps->code = code;
  if (ps->err) {
    va_list ap;
    ps->err->code = code;
    ps->err->column = (size_t)(at - ps->text) + 1;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* What stands at `at` where `what` (marked N_, "expected a value") was expected: the two
 * clauses are each translated, the second put in the first. */
static jdoc_errcode fail_char(parser *ps, const unsigned char *at, const char *what)
{
  what = _(what);
  if (at >= ps->e)
    /* TRANSLATORS: JSON that does not parse: %s says what was expected ("expected a
     * value"). */
    return fail(ps, JDOC_EEOF, at, _("unexpected end of input, %s"), what);
  if (*at >= 0x21 && *at < 0x7F)
    /* TRANSLATORS: JSON that does not parse: %1$c is the character found, %2$s says what
     * was expected ("expected a value"). */
    return fail(ps, JDOC_ESYNTAX, at, _("unexpected character '%c', %s"), *at, what);
  /* TRANSLATORS: JSON that does not parse: %1$02x is the byte found, in hexadecimal, %2$s
   * says what was expected ("expected a value"). */
  return fail(ps, JDOC_ESYNTAX, at, _("unexpected byte 0x%02x, %s"), *at, what);
}

static void skip_ws_run(parser *ps)
{
  const unsigned char *s = ps->s, *e = ps->e;
  while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
    s++;
  ps->s = s;
}

/* Inline, one comparison in the usual case: JSON Lines hold next to no white space. */
static inline void skip_ws(parser *ps)
{
  if (ps->s<ps->e && * ps->s> ' ')
    return;
  skip_ws_run(ps);
}

/* ===== doc buffers ================================================================ */

/* A seed for the key hash that a sender of records cannot guess, so that no line can be
 * made of keys that all collide (which would make checking them quadratic).  Hash values
 * are never seen outside this file: the seed changes nothing a caller can observe. */
static uint64_t hash_seed(const jdoc *doc)
{
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    seed = (uint64_t)(uintptr_t)doc ^ ((uint64_t)t.tv_nsec << 17) ^ (uint64_t)t.tv_sec;
  }
  return seed | 1;
}

void jdoc_init(jdoc *doc, const jdoc_options *opt)
{
  memset(doc, 0, sizeof *doc);
  doc->max_depth = opt && opt->max_depth ? opt->max_depth : JDOC_DEFAULT_MAX_DEPTH;
  doc->check_keys = !(opt && opt->caller_checks_keys);
}

void jdoc_fini(jdoc *doc)
{
  if (!doc)
    return;
  mem_free(doc->nodes);
  mem_free(doc->arena);
  mem_free(doc->stack);
  mem_free(doc->keys);
  jdoc_init(doc, &(jdoc_options){doc->max_depth, !doc->check_keys});
}

static jdoc_errcode new_node(parser *ps, jdoc_kind kind, uint32_t *idx)
{
  jdoc *doc = ps->doc;

  if (doc->nnodes == JDOC_NONE - 1)
    return fail(ps, JDOC_ETOO_BIG, ps->s, _("document too large"));
  if (doc->nnodes == doc->nodes_cap) {
    size_t cap = doc->nodes_cap ? doc->nodes_cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(jdoc_node))
      return fail(ps, JDOC_ENOMEM, ps->s, _("out of memory"));
    jdoc_node *nodes = mem_realloc(doc->nodes, cap * sizeof *nodes);
    if (!nodes)
      return fail(ps, JDOC_ENOMEM, ps->s, _("out of memory"));
    doc->nodes = nodes;
    doc->nodes_cap = cap;
  }
  *idx = doc->nnodes++;
  jdoc_node *nd = &doc->nodes[*idx];
  nd->kind = kind;
  nd->first_child = JDOC_NONE;
  nd->next_sibling = JDOC_NONE;
  nd->count = 0;
  nd->str = NULL;
  nd->len = 0;
  nd->key = NULL;
  nd->key_len = 0;
  nd->pos = (size_t)(ps->s - ps->text);
  nd->has_nul = false;
  return JDOC_OK;
}

/* The unescaped output of all strings of one line is never longer than the line, so one
 * reservation of n bytes per parse means the arena never moves while pointers into it live. */
static jdoc_errcode arena_ready(parser *ps)
{
  jdoc *doc = ps->doc;

  if (ps->arena_ready)
    return JDOC_OK;
  if (doc->arena_cap < ps->n) {
    char *a = mem_realloc(doc->arena, ps->n);
    if (!a)
      return fail(ps, JDOC_ENOMEM, ps->s, _("out of memory"));
    doc->arena = a;
    doc->arena_cap = ps->n;
  }
  doc->arena_len = 0;
  ps->arena_ready = true;
  return JDOC_OK;
}

/* ===== duplicate keys ============================================================= */

/* Eight bytes at a time, mixed with multiply and shift, from a secret seed (hash_seed). */
static uint32_t key_hash(const char *k, size_t n, uint32_t obj, uint64_t seed)
{
  const uint64_t m = 0xBF58476D1CE4E5B9u;
  uint64_t h = seed ^ ((uint64_t)obj << 32) ^ n;
  for (; n >= 8; k += 8, n -= 8) {
    uint64_t w;
    memcpy(&w, k, 8);
    h = (h ^ w) * m;
    h ^= h >> 31;
  }
  if (n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
      w |= (uint64_t)(unsigned char)k[i] << (8 * i);
    h = (h ^ w) * m;
  }
  h ^= h >> 29;
  h *= 0x94D049BB133111EBu;
  return (uint32_t)(h ^ (h >> 32));
}

static bool keys_grow(jdoc *doc)
{
  size_t cap = doc->keys_cap ? doc->keys_cap * 2 : 64;
  if (cap > SIZE_MAX / sizeof(struct jdoc_keyslot))
    return false;
  struct jdoc_keyslot *t = mem_calloc(cap, sizeof *t);
  if (!t)
    return false;
  for (size_t i = 0; i < doc->keys_cap; i++) {
    struct jdoc_keyslot *k = &doc->keys[i];
    if (k->epoch != doc->epoch)
      continue;
    size_t j = k->hash & (cap - 1);
    while (t[j].epoch)
      j = (j + 1) & (cap - 1);
    t[j] = *k;
  }
  mem_free(doc->keys);
  doc->keys = t;
  doc->keys_cap = cap;
  return true;
}

/* Records that member node `node` of object `obj` has the given key, or finds the member that
 * already has it. Returns JDOC_OK, JDOC_EDUPKEY or JDOC_ENOMEM. */
static jdoc_errcode key_insert(parser *ps, uint32_t obj, uint32_t node, const char *k, size_t n,
                               const unsigned char *at)
{
  jdoc *doc = ps->doc;

  if ((doc->keys_used + 1) * 2 > doc->keys_cap && !keys_grow(doc))
    return fail(ps, JDOC_ENOMEM, at, _("out of memory"));
  if (!doc->seed)
    doc->seed = hash_seed(doc);
  uint32_t h = key_hash(k, n, obj, doc->seed);
  size_t mask = doc->keys_cap - 1;
  for (size_t j = h & mask;; j = (j + 1) & mask) {
    struct jdoc_keyslot *slot = &doc->keys[j];
    if (slot->epoch != doc->epoch) {
      slot->epoch = doc->epoch;
      slot->obj = obj;
      slot->node = node;
      slot->hash = h;
      doc->keys_used++;
      return JDOC_OK;
    }
    const jdoc_node *m = &doc->nodes[slot->node];
    if (slot->hash == h && slot->obj == obj && m->key_len == n && memcmp(m->key, k, n) == 0) {
      /* Show at most 40 bytes of the key, not cutting a UTF-8 sequence in two. */
      int shown = n > 40 ? 40 : (int)n;
      while (shown > 0 && shown < (int)n && ((unsigned char)k[shown] & 0xC0) == 0x80)
        shown--;
      /* TRANSLATORS: a JSON object names a key twice: %.*s is the key (its first 40 bytes),
       * the %s after it "..." when it was cut. */
      return fail(ps, JDOC_EDUPKEY, at, _("duplicate key '%.*s'%s"), shown, k,
                  (size_t)shown < n ? "..." : "");
    }
  }
}

/* ===== scalars ==================================================================== */

static int hexval(unsigned char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits after "\u" at s; -1 if malformed. */
static long hex4(const unsigned char *s, const unsigned char *e)
{
  long v = 0;
  if (e - s < 4)
    return -1;
  for (int i = 0; i < 4; i++) {
    int d = hexval(s[i]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The bytes of w (eight of the input, the first in the low byte) that need a closer look:
 * '"', '\\', a control character, or part of a multi-byte character; the lowest flagged
 * byte is exact (borrows only ever flag bytes above a flagged one). */
static uint64_t special_bytes(uint64_t w)
{
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | (w - ones * 0x20) | w) &
         highs;
}

/* Skips plain bytes eight at a time; the byte loop after it finishes the job. */
static const unsigned char *skip_plain(const unsigned char *s, const unsigned char *e)
{
  while (e - s >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    uint64_t special = special_bytes(w);
    if (special)
      return s + (__builtin_ctzll(special) >> 3);
    s += 8;
  }
  return s;
}
#else
static const unsigned char *skip_plain(const unsigned char *s, const unsigned char *e)
{
  (void)e;
  return s;
}
#endif

/* Parses the string whose opening quote is at ps->s; leaves ps->s after the closing quote. */
static jdoc_errcode parse_string(parser *ps, const char **out, size_t *out_len)
{
  const unsigned char *open = ps->s;
  const unsigned char *s = open + 1, *e = ps->e;
  const unsigned char *start = s;
  char *o = NULL; /* non-NULL once copying into the arena */
  char *obase = NULL;

  for (;;) {
    const unsigned char *run = s;
    s = skip_plain(s, e);
    while (s < e && plain[*s])
      s++;
    if (o) {
      memcpy(o, run, (size_t)(s - run));
      o += s - run;
    }
    if (s == e)
      return fail(ps, JDOC_EEOF, open, _("unterminated string"));
    unsigned char c = *s;
    if (c == '"') {
      if (o) {
        *out = obase;
        *out_len = (size_t)(o - obase);
        ps->doc->arena_len += *out_len;
      } else {
        *out = (const char *)start;
        *out_len = (size_t)(s - start);
      }
      ps->s = s + 1;
      return JDOC_OK;
    }
    if (c >= 0x80) {
      uint32_t cp;
      size_t len = utf8_decode_next((const char *)s, (size_t)(e - s), &cp);
      if (len == 0)
        return fail(ps, JDOC_EUTF8, s, _("invalid utf-8 in string"));
      if (o) {
        memcpy(o, s, len);
        o += len;
      }
      s += len;
      continue;
    }
    if (c < 0x20)
      return fail(ps, JDOC_ECONTROL, s, _("unescaped control character 0x%02x in string"), c);

    /* A backslash: from here on the string is built in the arena. */
    if (!o) {
      if (arena_ready(ps) != JDOC_OK)
        return ps->code;
      obase = o = ps->doc->arena + ps->doc->arena_len;
      memcpy(o, start, (size_t)(s - start));
      o += s - start;
    }
    const unsigned char *esc = s++;
    if (s == e)
      return fail(ps, JDOC_EEOF, open, _("unterminated string"));
    switch (*s++) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '/': *o++ = '/'; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
      long v = hex4(s, e);
      if (v < 0)
        return fail(ps, JDOC_EESCAPE, esc, _("invalid \\u escape"));
      s += 4;
      uint32_t cp = (uint32_t)v;
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(ps, JDOC_ESURROGATE, esc, _("lone surrogate \\u%04lx"), v);
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = (e - s >= 2 && s[0] == '\\' && s[1] == 'u') ? hex4(s + 2, e) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
          return fail(ps, JDOC_ESURROGATE, esc, _("lone surrogate \\u%04lx"), v);
        s += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
      }
      ps->saw_nul |= cp == 0;
      o += utf8_encode(cp, o);
      break;
    }
    default:
      if (s[-1] >= 0x21 && s[-1] < 0x7F)
        return fail(ps, JDOC_EESCAPE, esc, _("invalid escape '\\%c'"), s[-1]);
      return fail(ps, JDOC_EESCAPE, esc, _("invalid escape"));
    }
  }
}

static bool is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? , kept as text. */
static jdoc_errcode parse_number(parser *ps, jdoc_node *nd)
{
  const unsigned char *start = ps->s, *s = start, *e = ps->e;

  if (s < e && *s == '-')
    s++;
  if (s < e && *s == '0') {
    s++;
  } else if (s < e && *s >= '1' && *s <= '9') {
    while (s < e && is_digit(*s))
      s++;
  } else {
    return fail(ps, JDOC_ENUMBER, start, _("invalid number"));
  }
  if (s < e && *s == '.') {
    s++;
    if (s == e || !is_digit(*s))
      return fail(ps, JDOC_ENUMBER, start, _("invalid number"));
    while (s < e && is_digit(*s))
      s++;
  }
  if (s < e && (*s == 'e' || *s == 'E')) {
    s++;
    if (s < e && (*s == '+' || *s == '-'))
      s++;
    if (s == e || !is_digit(*s))
      return fail(ps, JDOC_ENUMBER, start, _("invalid number"));
    while (s < e && is_digit(*s))
      s++;
  }
  /* "01", "1.2.3", "12abc": report the number, not the byte after it. */
  if (s < e && (is_digit(*s) || *s == '.' || *s == '+' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
                (*s >= 'A' && *s <= 'Z')))
    return fail(ps, JDOC_ENUMBER, start, _("invalid number"));
  nd->str = (const char *)start;
  nd->len = (size_t)(s - start);
  ps->s = s;
  return JDOC_OK;
}

/* ===== the parser ================================================================= */

/* Adds node idx as the next child of the open container f. */
static void link_child(jdoc *doc, struct jdoc_frame *f, uint32_t idx)
{
  jdoc_node *parent = &doc->nodes[f->node];
  if (f->last == JDOC_NONE)
    parent->first_child = idx;
  else
    doc->nodes[f->last].next_sibling = idx;
  parent->count++;
  f->last = idx;
}

/* Parses `"key" :` at ps->s (after whitespace), leaving ps->s at the value. */
static jdoc_errcode parse_key(parser *ps, const char **key, size_t *key_len,
                              const unsigned char **key_at)
{
  skip_ws(ps);
  if (ps->s == ps->e || *ps->s != '"')
    /* TRANSLATORS: what a JSON parser expected, put in "unexpected character '%c', %s" and
     * the like; the same for the expected things below. */
    return fail_char(ps, ps->s, N_("expected a string key"));
  *key_at = ps->s;
  if (parse_string(ps, key, key_len) != JDOC_OK)
    return ps->code;
  skip_ws(ps);
  if (ps->s == ps->e || *ps->s != ':')
    return fail_char(ps, ps->s, N_("expected ':' after key"));
  ps->s++;
  return JDOC_OK;
}

static jdoc_kind literal(const unsigned char *s, const unsigned char *e, size_t *len)
{
  static const struct {
    const char *text;
    size_t len;
    jdoc_kind kind;
  } lits[] = {{"null", 4, JDOC_NULL}, {"true", 4, JDOC_TRUE}, {"false", 5, JDOC_FALSE}};

  int i = *s == 'n' ? 0 : *s == 't' ? 1 : *s == 'f' ? 2 : -1;
  size_t n = i >= 0 ? lits[i].len : 0;
  if (i >= 0 && (size_t)(e - s) >= n && memcmp(s, lits[i].text, n) == 0 &&
      ((size_t)(e - s) == n || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                                 is_digit(s[n]) || s[n] == '_'))) {
    *len = n;
    return lits[i].kind;
  }
  *len = 0;
  return JDOC_NULL;
}

static jdoc_errcode parse_doc(parser *ps)
{
  jdoc *doc = ps->doc;
  struct jdoc_frame *stack = doc->stack;
  size_t depth = 0;
  const char *key = NULL; /* key for the next value, inside an object */
  size_t key_len = 0;
  const unsigned char *key_at = NULL;

  for (;;) {
    /* A value is expected at ps->s. */
    uint32_t idx = 0;
    skip_ws(ps);
    if (ps->s == ps->e)
      return fail(ps, JDOC_EEOF, ps->s, _("unexpected end of input, expected a value"));
    unsigned char c = *ps->s;
    jdoc_kind kind;
    size_t litlen = 0;
    if (c == '{')
      kind = JDOC_OBJECT;
    else if (c == '[')
      kind = JDOC_ARRAY;
    else if (c == '"')
      kind = JDOC_STRING;
    else if (c == '-' || is_digit(c))
      kind = JDOC_NUMBER;
    else {
      kind = literal(ps->s, ps->e, &litlen);
      if (litlen == 0)
        return fail_char(ps, ps->s, N_("expected a value"));
    }

    if (new_node(ps, kind, &idx) != JDOC_OK)
      return ps->code;
    if (depth > 0) {
      struct jdoc_frame *f = &stack[depth - 1];
      if (key) {
        if (doc->check_keys && key_insert(ps, f->node, idx, key, key_len, key_at) != JDOC_OK)
          return ps->code;
        doc->nodes[idx].key = key;
        doc->nodes[idx].key_len = key_len;
        key = NULL;
      }
      link_child(doc, f, idx);
    }

    bool opened = false;
    switch (kind) {
    case JDOC_OBJECT:
    case JDOC_ARRAY:
      if (depth == doc->max_depth)
        /* TRANSLATORS: JSON arrays and objects nested more than %zu deep. */
        return fail(ps, JDOC_EDEPTH, ps->s, _("nesting deeper than %zu"), doc->max_depth);
      stack[depth].node = idx;
      stack[depth].last = JDOC_NONE;
      depth++;
      ps->s++;
      skip_ws(ps);
      if (ps->s < ps->e && *ps->s == (kind == JDOC_OBJECT ? '}' : ']')) {
        ps->s++;
        depth--;
      } else {
        opened = true;
      }
      break;
    case JDOC_STRING: {
      const char *str;
      size_t len;
      ps->saw_nul = false;
      if (parse_string(ps, &str, &len) != JDOC_OK)
        return ps->code;
      doc->nodes[idx].str = str;
      doc->nodes[idx].len = len;
      doc->nodes[idx].has_nul = ps->saw_nul;
      break;
    }
    case JDOC_NUMBER:
      if (parse_number(ps, &doc->nodes[idx]) != JDOC_OK)
        return ps->code;
      break;
    default: ps->s += litlen; break;
    }

    if (opened) {
      if (kind == JDOC_OBJECT && parse_key(ps, &key, &key_len, &key_at) != JDOC_OK)
        return ps->code;
      continue;
    }

    /* A value is complete: close containers until one wants another element. */
    for (;;) {
      if (depth == 0) {
        skip_ws(ps);
        if (ps->s != ps->e)
          return fail(ps, JDOC_ETRAILING, ps->s, _("unexpected data after the value"));
        return JDOC_OK;
      }
      struct jdoc_frame *f = &stack[depth - 1];
      bool obj = doc->nodes[f->node].kind == JDOC_OBJECT;
      skip_ws(ps);
      if (ps->s < ps->e && *ps->s == ',') {
        ps->s++;
        if (obj && parse_key(ps, &key, &key_len, &key_at) != JDOC_OK)
          return ps->code;
        break;
      }
      if (ps->s < ps->e && *ps->s == (obj ? '}' : ']')) {
        ps->s++;
        depth--;
        continue;
      }
      return fail_char(ps, ps->s, obj ? N_("expected ',' or '}'") : N_("expected ',' or ']'"));
    }
  }
}

jdoc_errcode jdoc_parse(jdoc *doc, const char *text, size_t n, jdoc_error *err)
{
  /* An empty text may come as NULL (a buffer never filled, as elig_eval_json's copy of an
   * empty record): NULL + 0 is undefined, so the parser never sees it. */
  if (n == 0)
    text = "";
  parser ps = {
      .doc = doc,
      .text = (const unsigned char *)text,
      .s = (const unsigned char *)text,
      .e = (const unsigned char *)text + n,
      .n = n,
      .err = err,
  };

  doc->nnodes = 0;
  doc->arena_len = 0;
  doc->keys_used = 0;
  if (++doc->epoch == 0) {
    if (doc->keys)
      memset(doc->keys, 0, doc->keys_cap * sizeof *doc->keys);
    doc->epoch = 1;
  }
  if (err) {
    err->code = JDOC_OK;
    err->column = 0;
    err->message[0] = '\0';
  }
  skip_ws(&ps);
  if (ps.s == ps.e)
    /* TRANSLATORS: a line of JSON Lines input that holds no record. */
    return fail(&ps, JDOC_EEMPTY, ps.s, _("empty line"));
  if (!doc->stack) {
    if (doc->max_depth > SIZE_MAX / sizeof *doc->stack)
      return fail(&ps, JDOC_ENOMEM, ps.s, _("out of memory"));
    doc->stack = mem_alloc(doc->max_depth * sizeof *doc->stack);
    if (!doc->stack)
      return fail(&ps, JDOC_ENOMEM, ps.s, _("out of memory"));
  }
  return parse_doc(&ps);
}

jdoc_errcode jdoc_check_keys(jdoc *doc, uint32_t obj, jdoc_error *err)
{
  static const unsigned char nowhere[1];
  parser ps = {.doc = doc, .text = nowhere, .err = err}; /* columns are set from the nodes */
  if (obj >= doc->nnodes || doc->nodes[obj].kind != JDOC_OBJECT)
    return JDOC_OK;
  /* a new epoch: the table's entries from the parse, or from other objects, are stale */
  doc->keys_used = 0;
  if (++doc->epoch == 0) {
    if (doc->keys)
      memset(doc->keys, 0, doc->keys_cap * sizeof *doc->keys);
    doc->epoch = 1;
  }
  for (uint32_t m = doc->nodes[obj].first_child; m != JDOC_NONE; m = doc->nodes[m].next_sibling) {
    const jdoc_node *n = &doc->nodes[m];
    if (key_insert(&ps, obj, m, n->key, n->key_len, nowhere) != JDOC_OK) {
      if (err)
        err->column = n->pos + 1;
      return ps.code;
    }
  }
  return JDOC_OK;
}

uint32_t jdoc_object_get(const jdoc *doc, uint32_t obj, const char *key, size_t len)
{
  if (obj >= doc->nnodes || doc->nodes[obj].kind != JDOC_OBJECT)
    return JDOC_NONE;
  for (uint32_t i = doc->nodes[obj].first_child; i != JDOC_NONE; i = doc->nodes[i].next_sibling) {
    const jdoc_node *m = &doc->nodes[i];
    if (m->key_len == len && memcmp(m->key, key, len) == 0)
      return i;
  }
  return JDOC_NONE;
}
