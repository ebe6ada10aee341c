/*
 * serve_mask.c -- identifiers masked in what the decision log keeps (the parts: serve.h).
 *
 * The decision log keeps each record as received and its result, but never a clear
 * identifier: the value of each masked field becomes "hmac:" and 32 hex digits of
 * HMAC-SHA256 under a secret key.  The same household gets the same pseudonym, so it can be
 * followed through the log, and nobody without the key can tell whose it is.  A hash without
 * a key would not do: identifiers are few and enumerable (a household number is a village
 * code and a counter), and hashing them all would undo it.
 *
 * The JSON is copied as text, not parsed into values and printed again: numbers stay as the
 * client sent them and as the library wrote them (16000.02 stays 16000.02 and 2500.00 stays
 * 2500.00, not a binary neighbour or a shorter spelling), so the log shows exactly what was
 * evaluated and answered.  The copy checks the text strictly as it goes, since what it copies
 * becomes part of a log line: text that is not one JSON object is refused, never copied.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>

#include "cli.h"
#include "serve.h"

/* ---------------------------------------------------------------- text */

static bool text_reserve(serve_text *t, size_t more)
{
  if (t->nomem)
    return false;
  if (more <= t->cap - t->len)
    return true;
  size_t cap = t->cap ? t->cap : 1024;
  while (cap - t->len < more) {
    if (cap > SIZE_MAX / 2) {
      t->nomem = true;
      return false;
    }
    cap *= 2;
  }
  char *text = realloc(t->text, cap);
  if (!text) {
    t->nomem = true;
    return false;
  }
  t->text = text;
  t->cap = cap;
  return true;
}

void serve_text_add(serve_text *t, const char *s, size_t n)
{
  if (n && text_reserve(t, n)) {
    memcpy(t->text + t->len, s, n);
    t->len += n;
  }
}

/* One byte: the punctuation of the copies, thousands of times a record. */
static void add_byte(serve_text *t, char c)
{
  if (t->len < t->cap)
    t->text[t->len++] = c;
  else
    serve_text_add(t, &c, 1);
}

void serve_text_adds(serve_text *t, const char *s)
{
  serve_text_add(t, s, strlen(s));
}

/* The length of the UTF-8 sequence at p (1 to 4), or 0 when it is none: overlong forms,
 * surrogates and code points past U+10FFFF are none. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
  unsigned c = p[0];
  if (c < 0x80)
    return 1;
  size_t n;
  uint32_t cp, least;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F, least = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, least = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07, least = 0x10000;
  } else {
    return 0;
  }
  if ((size_t)(end - p) < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3F);
  }
  if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

void serve_text_add_string(serve_text *t, const char *s)
{
  const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s), *run = p;
  add_byte(t, '"');
  while (p < end) {
    size_t n = *p < 0x80 ? 1 : utf8_sequence(p, end);
    if (n && *p >= 0x20 && *p != '"' && *p != '\\') {
      p += n; /* a run of bytes that go as they are */
      continue;
    }
    serve_text_add(t, (const char *)run, (size_t)(p - run));
    char escaped[8];
    if (n == 0)
      snprintf(escaped, sizeof escaped, "\\ufffd");
    else if (*p < 0x20)
      snprintf(escaped, sizeof escaped, "\\u%04x", *p);
    else
      snprintf(escaped, sizeof escaped, "\\%c", *p);
    serve_text_adds(t, escaped);
    run = ++p;
  }
  serve_text_add(t, (const char *)run, (size_t)(p - run));
  add_byte(t, '"');
}

/* ---------------------------------------------------------------- what is masked */

typedef struct {
  char *name; /* a field of the record, or of the elements of `list` */
  size_t len; /* of name */
  char *list; /* NULL: a field of the record */
} mask_name;

struct serve_mask {
  mask_name *names; /* --mask; none when `keys` */
  size_t n;
  bool keys;                    /* the key fields of each record's rule set */
  struct hmac_sha256_ctx keyed; /* the key set: copied for each value */
};

/* A field name as --mask takes it: any bytes but the list's punctuation and spaces. */
static size_t name_length(const char *s)
{
  return strcspn(s, ",[]. \t");
}

/* One item of --mask, NAME or LIST[].NAME, into m->names[m->n]. */
static bool add_name(serve_mask *m, const char *item, size_t len, char *error, size_t size)
{
  size_t first = name_length(item);
  const char *rest = item + first;
  size_t second = 0;
  if (first < len && strncmp(rest, "[].", 3) == 0)
    second = name_length(rest + 3);
  bool plain = first == len && first > 0;
  bool element = first > 0 && second > 0 && first + 3 + second == len;
  if (!plain && !element) {
    /* TRANSLATORS: %.*s is an item of --mask; FIELD, LIST[].FIELD and members[].name are
       typed as they are. */
    snprintf(error, size,
             _("'%.*s' is no field name: give FIELD, or LIST[].FIELD for a field "
               "of a list's elements (members[].name)"),
             (int)len, item);
    return false;
  }
  mask_name *mn = &m->names[m->n];
  mn->name = element ? strndup(rest + 3, second) : strndup(item, first);
  mn->list = element ? strndup(item, first) : NULL;
  mn->len = element ? second : first;
  m->n++; /* counted now, so that serve_mask_free frees it whatever failed */
  if (!mn->name || (element && !mn->list)) {
    error[0] = '\0';
    return false;
  }
  return true;
}

serve_mask *serve_mask_new(const char *names, const unsigned char *key, size_t key_len, char *error,
                           size_t size)
{
  error[0] = '\0';
  serve_mask *m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  hmac_sha256_set_key(&m->keyed, key_len, key);
  if (!names) {
    m->keys = true;
    return m;
  }
  size_t items = 1;
  for (const char *c = names; *c; c++)
    items += *c == ',';
  m->names = calloc(items, sizeof *m->names);
  if (!m->names) {
    serve_mask_free(m);
    return NULL;
  }
  for (const char *item = names;;) {
    item += strspn(item, " \t");
    size_t len = strcspn(item, ",");
    while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
      len--;
    if (!add_name(m, item, len, error, size)) {
      serve_mask_free(m);
      return NULL;
    }
    item += strcspn(item, ",");
    if (!*item++)
      break;
  }
  return m;
}

void serve_mask_free(serve_mask *m)
{
  if (!m)
    return;
  for (size_t i = 0; i < m->n; i++) {
    free(m->names[i].name);
    free(m->names[i].list);
  }
  free(m->names);
  explicit_bzero(&m->keyed, sizeof m->keyed); /* the key, as hashed into the context */
  free(m);
}

bool serve_mask_is_default(const serve_mask *m)
{
  return m->keys;
}

/* Whether `name` is a field of rs, of type list when `list`. */
static bool has_field(const elig_ruleset *rs, const char *name, bool list)
{
  size_t i;
  return elig_ruleset_field_index(rs, name, &i) == ELIG_OK &&
         (!list || elig_ruleset_field_type(rs, i) == ELIG_TYPE_LIST);
}

const char *serve_mask_unknown(const serve_mask *m, const elig_ruleset *rs, const char **suggest)
{
  *suggest = NULL;
  for (size_t i = 0; i < m->n; i++) {
    const mask_name *mn = &m->names[i];
    const char *word = mn->list ? mn->list : mn->name;
    if (has_field(rs, word, mn->list != NULL))
      continue;
    size_t count = elig_ruleset_field_count(rs);
    const char **fields = malloc((count ? count : 1) * sizeof *fields);
    for (size_t f = 0; fields && f < count; f++)
      fields[f] = elig_ruleset_field_name(rs, f);
    if (fields)
      *suggest = elig_suggest(word, strlen(word), fields, count);
    free(fields);
    return word;
  }
  return NULL;
}

void serve_mask_describe(const serve_mask *m, const elig_ruleset *rs, serve_text *out)
{
  size_t n = m->keys ? elig_ruleset_key_count(rs) : m->n;
  for (size_t i = 0; i < n; i++) {
    if (i)
      serve_text_adds(out, ", ");
    if (m->keys) {
      serve_text_adds(out, elig_ruleset_field_name(rs, elig_ruleset_key_field(rs, i)));
      continue;
    }
    if (m->names[i].list) {
      serve_text_adds(out, m->names[i].list);
      serve_text_adds(out, "[].");
    }
    serve_text_adds(out, m->names[i].name);
  }
}

void serve_mask_pseudonym(const serve_mask *m, const char *value, size_t len,
                          char out[SERVE_PSEUDONYM_SIZE])
{
  static const char hex[] = "0123456789abcdef";
  struct hmac_sha256_ctx c = m->keyed; /* a copy: m is shared by every thread */
  uint8_t digest[SHA256_DIGEST_SIZE];
  hmac_sha256_update(&c, len, (const uint8_t *)value);
  hmac_sha256_digest(&c, sizeof digest, digest);
  memcpy(out, "hmac:", 5);
  for (size_t i = 0; i < 16; i++) {
    out[5 + 2 * i] = hex[digest[i] >> 4];
    out[6 + 2 * i] = hex[digest[i] & 15];
  }
  out[SERVE_PSEUDONYM_SIZE - 1] = '\0';
}

/* ---------------------------------------------------------------- the JSON copy */

/* Where a copy is in its text. */
typedef struct {
  const unsigned char *p, *end;
  unsigned depth;     /* objects and arrays open */
  serve_text key;     /* the key being read, unescaped: one buffer for the whole copy */
  serve_text dropped; /* the value of a key left out: checked, then forgotten */
} scanner;

#define MAX_DEPTH 64

/* How the members of an object are copied. */
typedef struct {
  const serve_mask *m;
  const elig_ruleset *rs;
  const char *list; /* the object is an element of this list field; NULL: the record */
  bool only_fields; /* leave out keys that are no field of rs */
  size_t left_out;
  size_t next_field; /* the field after the last key found: records mostly follow the schema */
} level;

static void skip_space(scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static bool take(scanner *s, char c)
{
  skip_space(s);
  if (s->p >= s->end || *s->p != (unsigned char)c)
    return false;
  s->p++;
  return true;
}

static long hex4(const unsigned char *p)
{
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int c = p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

static void add_utf8(serve_text *t, uint32_t cp)
{
  char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (char)cp, n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  }
  serve_text_add(t, b, n);
}

/* A \u escape at p (the backslash): its code point into *cp, a surrogate pair joined; the
 * bytes it takes, or 0 when it is malformed or a surrogate is alone. */
static size_t unicode_escape(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
  if (end - p < 6)
    return 0;
  long u = hex4(p + 2);
  if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF))
    return 0;
  if (u < 0xD800 || u > 0xDBFF) {
    *cp = (uint32_t)u;
    return 6;
  }
  if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
    return 0;
  long low = hex4(p + 8);
  if (low < 0xDC00 || low > 0xDFFF)
    return 0;
  *cp = 0x10000 + (uint32_t)((u - 0xD800) << 10) + (uint32_t)(low - 0xDC00);
  return 12;
}

/* The string at s->p (its opening quote), checked; its content, unescaped, appended to
 * `decoded` unless NULL.  Runs of bytes without escapes go in whole: most strings have
 * none. */
static bool scan_string(scanner *s, serve_text *decoded)
{
  static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t"; /* the letter, then the byte */
  const unsigned char *run = ++s->p;
  while (s->p < s->end) {
    unsigned c = *s->p;
    if (c >= 0x20 && c != '"' && c != '\\') {
      size_t n = c < 0x80 ? 1 : utf8_sequence(s->p, s->end);
      if (!n)
        return false;
      s->p += n;
      continue;
    }
    if (decoded && s->p > run)
      serve_text_add(decoded, (const char *)run, (size_t)(s->p - run));
    if (c == '"') {
      s->p++;
      return true;
    }
    if (c < 0x20)
      return false;
    if (s->end - s->p >= 2 && s->p[1] == 'u') {
      uint32_t cp;
      size_t n = unicode_escape(s->p, s->end, &cp);
      if (!n)
        return false;
      if (decoded)
        add_utf8(decoded, cp);
      s->p += n;
    } else {
      const char *e = s->end - s->p >= 2 && s->p[1] ? strchr(escapes, s->p[1]) : NULL;
      if (!e || (e - escapes) % 2)
        return false;
      if (decoded)
        serve_text_add(decoded, e + 1, 1);
      s->p += 2;
    }
    run = s->p;
  }
  return false;
}

static bool is_digit(const scanner *s, const unsigned char *p)
{
  return p < s->end && *p >= '0' && *p <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(scanner *s)
{
  const unsigned char *p = s->p;
  if (p < s->end && *p == '-')
    p++;
  if (!is_digit(s, p))
    return false;
  if (*p++ != '0')
    while (is_digit(s, p))
      p++;
  if (p < s->end && *p == '.') {
    if (!is_digit(s, ++p))
      return false;
    while (is_digit(s, p))
      p++;
  }
  if (p < s->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < s->end && (*p == '+' || *p == '-'))
      p++;
    if (!is_digit(s, p))
      return false;
    while (is_digit(s, p))
      p++;
  }
  s->p = p;
  return true;
}

static bool scan_literal(scanner *s, const char *word)
{
  size_t n = strlen(word);
  if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
    return false;
  s->p += n;
  return true;
}

static bool copy_object(scanner *s, serve_text *out, level *lv);
static bool copy_array(scanner *s, serve_text *out, level *elements);

/* The value at s->p (white space skipped), copied compact and unmasked. */
static bool copy_value(scanner *s, serve_text *out)
{
  skip_space(s);
  if (s->p >= s->end)
    return false;
  const unsigned char *start = s->p;
  bool ok;
  switch (*s->p) {
  case '{': return copy_object(s, out, NULL);
  case '[': return copy_array(s, out, NULL);
  case '"': ok = scan_string(s, NULL); break;
  case 't': ok = scan_literal(s, "true"); break;
  case 'f': ok = scan_literal(s, "false"); break;
  case 'n': ok = scan_literal(s, "null"); break;
  default: ok = scan_number(s); break;
  }
  if (ok)
    serve_text_add(out, (const char *)start, (size_t)(s->p - start));
  return ok;
}

/* The value at s->p as its pseudonym: of a string, its content; of anything else, its
 * compact text.  null stays null: an absent value names nobody. */
static bool copy_masked(scanner *s, serve_text *out, const serve_mask *m)
{
  skip_space(s);
  if (scan_literal(s, "null")) {
    serve_text_adds(out, "null");
    return true;
  }
  serve_text value = {0};
  bool ok = s->p < s->end && *s->p == '"' ? scan_string(s, &value) : copy_value(s, &value);
  if (ok && !value.nomem) {
    char pseudonym[SERVE_PSEUDONYM_SIZE];
    serve_mask_pseudonym(m, value.text ? value.text : "", value.len, pseudonym);
    serve_text_add(out, "\"", 1);
    serve_text_adds(out, pseudonym);
    serve_text_add(out, "\"", 1);
  }
  free(value.text);
  return ok && !value.nomem;
}

/* [A, B, ...]; each element that is an object copied as `elements` says (NULL: as is). */
static bool copy_array(scanner *s, serve_text *out, level *elements)
{
  if (++s->depth > MAX_DEPTH)
    return false;
  s->p++;
  add_byte(out, '[');
  skip_space(s);
  if (take(s, ']')) {
    add_byte(out, ']');
    s->depth--;
    return true;
  }
  for (;;) {
    skip_space(s);
    bool ok = elements && s->p < s->end && *s->p == '{' ? copy_object(s, out, elements)
                                                        : copy_value(s, out);
    if (!ok)
      return false;
    if (take(s, ',')) {
      add_byte(out, ',');
      continue;
    }
    if (!take(s, ']'))
      return false;
    add_byte(out, ']');
    s->depth--;
    return true;
  }
}

/* Whether the key (len bytes, unescaped) is a name of m at level lv. */
static bool masked(const level *lv, const char *key, size_t len)
{
  if (lv->m->keys) {
    for (size_t k = 0; !lv->list && k < elig_ruleset_key_count(lv->rs); k++) {
      const char *name = elig_ruleset_field_name(lv->rs, elig_ruleset_key_field(lv->rs, k));
      if (strlen(name) == len && memcmp(name, key, len) == 0)
        return true;
    }
    return false;
  }
  for (size_t i = 0; i < lv->m->n; i++) {
    const mask_name *mn = &lv->m->names[i];
    bool here = lv->list ? mn->list && strcmp(mn->list, lv->list) == 0 : !mn->list;
    if (here && mn->len == len && memcmp(mn->name, key, len) == 0)
      return true;
  }
  return false;
}

/* The name of the record's field `key` when m masks fields of its elements (m's own copy,
 * which outlives the key being read), or NULL. */
static const char *masks_elements(const serve_mask *m, const char *key)
{
  for (size_t i = 0; i < m->n; i++)
    if (m->names[i].list && strcmp(m->names[i].list, key) == 0)
      return m->names[i].list;
  return NULL;
}

/* The member whose key (unescaped, NUL-terminated) is `key`: its value at s->p, copied as lv
 * says.  Returns false when the text is malformed. */
static bool copy_member_value(scanner *s, serve_text *out, level *lv, const char *key, size_t len)
{
  if (masked(lv, key, len))
    return copy_masked(s, out, lv->m);
  skip_space(s);
  const char *list = !lv->list && s->p < s->end && *s->p == '[' ? masks_elements(lv->m, key) : NULL;
  if (list) {
    level elements = {lv->m, lv->rs, list, false, 0, 0};
    return copy_array(s, out, &elements);
  }
  return copy_value(s, out);
}

/* Whether the key (unescaped, NUL-terminated, len bytes) is a field of the record.  The
 * field after the last one found is tried first: a record whose keys follow the schema is
 * checked at a comparison a key. */
static bool is_field(level *lv, const char *key, size_t len)
{
  if (strlen(key) != len)
    return false; /* a NUL inside: no field has one */
  size_t field = lv->next_field;
  const char *name =
      field < elig_ruleset_field_count(lv->rs) ? elig_ruleset_field_name(lv->rs, field) : NULL;
  if ((!name || strcmp(name, key) != 0) && elig_ruleset_field_index(lv->rs, key, &field) != ELIG_OK)
    return false;
  lv->next_field = field + 1;
  return true;
}

/* {"key": value, ...} at s->p; lv NULL: copied as is. */
static bool copy_object(scanner *s, serve_text *out, level *lv)
{
  if (++s->depth > MAX_DEPTH)
    return false;
  s->p++;
  add_byte(out, '{');
  if (take(s, '}')) {
    add_byte(out, '}');
    s->depth--;
    return true;
  }
  serve_text *key = &s->key;
  bool ok = false, first = true;
  for (;;) {
    skip_space(s);
    if (s->p >= s->end || *s->p != '"')
      break;
    const unsigned char *raw = s->p;
    key->len = 0;
    if (!scan_string(s, lv ? key : NULL))
      break;
    size_t raw_len = (size_t)(s->p - raw); /* the key as sent, quotes and escapes included */
    if (!take(s, ':'))
      break;
    serve_text_add(key, "", 1); /* NUL-terminated, for the names of the library */
    if (key->nomem)
      break;                      /* a key not read is a key that might be masked */
    const char *name = key->text; /* valid until the next key: the value's come after */
    size_t len = lv ? key->len - 1 : 0;
    bool keep = true;
    if (lv && lv->only_fields)
      keep = is_field(lv, name, len);
    if (!keep) {
      lv->left_out++;
      s->dropped.len = 0;
      if (!copy_value(s, &s->dropped))
        break;
    } else {
      if (!first)
        add_byte(out, ',');
      first = false;
      serve_text_add(out, (const char *)raw, raw_len);
      add_byte(out, ':');
      if (!(lv ? copy_member_value(s, out, lv, name, len) : copy_value(s, out)))
        break;
    }
    if (take(s, ','))
      continue;
    if (take(s, '}')) {
      add_byte(out, '}');
      s->depth--;
      ok = true;
    }
    break;
  }
  return ok;
}

bool serve_mask_json(const serve_mask *m, const elig_ruleset *rs, bool only_fields,
                     const char *json, size_t len, serve_text *out, size_t *left_out)
{
  scanner s = {(const unsigned char *)json, (const unsigned char *)json + len, 0, {0}, {0}};
  if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0)
    s.p += 3; /* a byte-order mark, as serve_body.c takes it */
  level lv = {m, rs, NULL, only_fields, 0, 0};
  size_t mark = out->len;
  skip_space(&s);
  bool ok = s.p < s.end && *s.p == '{' && copy_object(&s, out, &lv);
  free(s.key.text);
  free(s.dropped.text);
  skip_space(&s);
  if (!ok || s.p != s.end || out->nomem) {
    out->len = mark;
    return false;
  }
  *left_out = lv.left_out;
  return true;
}
