/*
 * serve_auth.c -- who may ask `elig serve` what: bearer tokens from a file, with scopes
 * (the parts: serve.h).
 *
 * The tokens file holds, a line each, a token's name, its scopes and the SHA-256 of the
 * token, never the token itself:
 *
 *     # name          scopes             hash of the token
 *     county-portal   evaluate,explain   sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *
 * so that whoever reads the file (a backup, a configuration repository) cannot call the
 * service.  A plain SHA-256 is enough because the tokens are 256 random bits made by
 * `elig serve --new-token`: there is nothing to guess, so no salt or slow hash is needed
 * (those protect passwords people choose).  Scopes: evaluate, explain, rules, admin.
 *
 * The file is read again on SIGHUP and when it changes, like the rules; a file that does not
 * parse changes nothing (the tokens in force stay, and the log says why).  Requests look a
 * token up under a read lock; a reload swaps the whole table under the write lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#include "serve.h"

struct serve_token {
  char *name;
  unsigned scopes;
  uint8_t digest[SHA256_DIGEST_SIZE];
};

static const char *const scope_names[] = {"evaluate", "explain", "rules", "admin",
                                          "metrics",  "edit",    "impact"};
#define NSCOPES (sizeof scope_names / sizeof scope_names[0])

const char *serve_scope_name(unsigned scope)
{
  for (size_t i = 0; i < NSCOPES; i++)
    if (scope == 1u << i)
      return scope_names[i];
  return "?";
}

/* ---------------------------------------------------------------- parsing the file */

static bool parse_scopes(const char *text, size_t len, unsigned *scopes)
{
  *scopes = 0;
  while (len) {
    size_t n = 0;
    while (n < len && text[n] != ',')
      n++;
    size_t i = 0;
    while (i < NSCOPES && !(strlen(scope_names[i]) == n && !memcmp(text, scope_names[i], n)))
      i++;
    if (i == NSCOPES)
      return false;
    *scopes |= 1u << i;
    text += n;
    len -= n;
    if (len) { /* the comma; one may not end the list */
      text++;
      if (!--len)
        return false;
    }
  }
  return *scopes != 0;
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static bool parse_digest(const char *text, size_t len, uint8_t *digest)
{
  static const char prefix[] = "sha256:";
  if (len != sizeof prefix - 1 + 2 * SHA256_DIGEST_SIZE || memcmp(text, prefix, 7) != 0)
    return false;
  text += 7;
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    digest[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

/* The next word of a line: its start and length; *p moves past it. */
static size_t next_word(const char **p, const char *end, const char **word)
{
  while (*p < end && (**p == ' ' || **p == '\t'))
    (*p)++;
  *word = *p;
  while (*p < end && **p != ' ' && **p != '\t')
    (*p)++;
  return (size_t)(*p - *word);
}

static void tokens_free(serve_token_set *set)
{
  if (!set)
    return;
  for (size_t i = 0; i < set->n; i++)
    free(set->tokens[i].name);
  free(set->tokens);
  free(set);
}

/* One line of the file into set (which has room); false with why on a malformed line. */
static bool parse_line(const char *line, size_t len, serve_token_set *set, char *why, size_t size)
{
  const char *p = line, *end = line + len, *name, *scopes, *hash, *extra;
  size_t nname = next_word(&p, end, &name);
  if (!nname || *name == '#')
    return true; /* blank, or a comment */
  size_t nscopes = next_word(&p, end, &scopes);
  size_t nhash = next_word(&p, end, &hash);
  if (next_word(&p, end, &extra)) {
    snprintf(why, size, "expected NAME SCOPES sha256:HASH, found more");
    return false;
  }
  struct serve_token t = {0};
  if (!parse_scopes(scopes, nscopes, &t.scopes)) {
    snprintf(why, size,
             "scopes are a comma-separated list of evaluate, explain, rules, admin, metrics, edit, "
             "impact");
    return false;
  }
  if (!parse_digest(hash, nhash, t.digest)) {
    snprintf(why, size,
             "expected the token's hash as sha256: and 64 lower-case hex digits (elig serve "
             "--new-token writes the line)");
    return false;
  }
  for (size_t i = 0; i < set->n; i++)
    if (strlen(set->tokens[i].name) == nname && !memcmp(set->tokens[i].name, name, nname)) {
      snprintf(why, size, "the name '%.*s' is given twice", (int)(nname > 64 ? 64 : nname), name);
      return false;
    }
  t.name = strndup(name, nname);
  if (!t.name) {
    snprintf(why, size, "out of memory");
    return false;
  }
  set->tokens[set->n++] = t;
  return true;
}

serve_token_set *serve_tokens_parse(const char *text, size_t len, char *why, size_t size)
{
  size_t lines = 1;
  for (size_t i = 0; i < len; i++)
    lines += text[i] == '\n';
  serve_token_set *set = calloc(1, sizeof *set);
  if (set)
    set->tokens = calloc(lines, sizeof *set->tokens);
  if (!set || !set->tokens) {
    tokens_free(set);
    snprintf(why, size, "out of memory");
    return NULL;
  }
  size_t number = 1;
  for (const char *p = text, *end = text + len; p < end; number++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    size_t k = n && p[n - 1] == '\r' ? n - 1 : n;
    char line_why[200] = "";
    if (memchr(p, '\0', k))
      snprintf(line_why, sizeof line_why, "a NUL byte");
    if (line_why[0] || !parse_line(p, k, set, line_why, sizeof line_why)) {
      snprintf(why, size, "line %zu: %s", number, line_why);
      tokens_free(set);
      return NULL;
    }
    p += n + (nl ? 1 : 0);
  }
  return set;
}

void serve_tokens_free(serve_token_set *set)
{
  tokens_free(set);
}

/* ---------------------------------------------------------------- the tokens in force */

/* Reads the file whole; NULL with why when it cannot. */
static char *read_file(const char *path, size_t *len, char *why, size_t size)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, size, "%s", strerror(errno));
    return NULL;
  }
  char *text = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? 2 * cap : 4096;
      char *more = cap <= (16u << 20) ? realloc(text, cap) : NULL;
      if (!more) {
        snprintf(why, size, "the file is larger than 16 MiB, or out of memory");
        free(text);
        fclose(f);
        return NULL;
      }
      text = more;
    }
    size_t n = fread(text + *len, 1, cap - *len, f);
    *len += n;
    if (n == 0)
      break;
  }
  bool failed = ferror(f);
  fclose(f);
  if (failed) {
    snprintf(why, size, "cannot be read");
    free(text);
    return NULL;
  }
  return text;
}

static void stat_tokens(serve_auth *a)
{
  struct stat st;
  a->stat_ok = stat(a->path, &st) == 0;
  if (a->stat_ok) {
    a->ino = st.st_ino;
    a->size = st.st_size;
    a->mtime = st.st_mtim;
  }
}

bool serve_auth_init(serve_auth *a, const char *path, char *why, size_t size)
{
  memset(a, 0, sizeof *a);
  pthread_rwlock_init(&a->lock, NULL);
  a->path = path;
  if (!path)
    return true;
  return serve_auth_reload(a, why, size);
}

bool serve_auth_reload(serve_auth *a, char *why, size_t size)
{
  if (!a->path)
    return true;
  stat_tokens(a);
  size_t len;
  char *text = read_file(a->path, &len, why, size);
  if (!text)
    return false;
  serve_token_set *set = serve_tokens_parse(text, len, why, size);
  free(text);
  if (!set)
    return false;
  pthread_rwlock_wrlock(&a->lock);
  serve_token_set *old = a->set;
  a->set = set;
  pthread_rwlock_unlock(&a->lock);
  tokens_free(old);
  return true;
}

bool serve_auth_changed(serve_auth *a)
{
  if (!a->path)
    return false;
  struct stat st;
  bool ok = stat(a->path, &st) == 0;
  return ok != a->stat_ok ||
         (ok && (st.st_ino != a->ino || st.st_size != a->size ||
                 st.st_mtim.tv_sec != a->mtime.tv_sec || st.st_mtim.tv_nsec != a->mtime.tv_nsec));
}

void serve_auth_fini(serve_auth *a)
{
  tokens_free(a->set);
  a->set = NULL;
  pthread_rwlock_destroy(&a->lock);
}

size_t serve_auth_count(serve_auth *a)
{
  pthread_rwlock_rdlock(&a->lock);
  size_t n = a->set ? a->set->n : 0;
  pthread_rwlock_unlock(&a->lock);
  return n;
}

/* Equal digests, in a time that does not depend on where they differ. */
static bool same_digest(const uint8_t *x, const uint8_t *y)
{
  uint8_t diff = 0;
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
    diff |= x[i] ^ y[i];
  return diff == 0;
}

/* The token of an Authorization header: "Bearer TOKEN" (the scheme in any case, RFC 9110);
 * NULL when the header is of another form. */
static const char *bearer_token(const char *header, size_t *len)
{
  if (!header || strncasecmp(header, "Bearer ", 7) != 0)
    return NULL;
  const char *t = header + 7;
  while (*t == ' ')
    t++;
  size_t n = strlen(t);
  while (n && t[n - 1] == ' ')
    n--;
  *len = n;
  return n ? t : NULL;
}

serve_auth_verdict serve_auth_check(serve_auth *a, const char *authorization, unsigned scope,
                                    char *name, size_t size)
{
  name[0] = '\0';
  if (!a->path)
    return AUTH_OK;
  size_t len;
  const char *token = bearer_token(authorization, &len);
  if (!token)
    return AUTH_NO_TOKEN;
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx h;
  sha256_init(&h);
  sha256_update(&h, len, (const uint8_t *)token);
  sha256_digest(&h, sizeof digest, digest);
  serve_auth_verdict verdict = AUTH_UNKNOWN_TOKEN;
  pthread_rwlock_rdlock(&a->lock);
  for (size_t i = 0; a->set && i < a->set->n; i++) {
    const struct serve_token *t = &a->set->tokens[i];
    if (!same_digest(t->digest, digest))
      continue;
    snprintf(name, size, "%s", t->name);
    verdict = t->scopes & scope ? AUTH_OK : AUTH_NO_SCOPE;
    break;
  }
  pthread_rwlock_unlock(&a->lock);
  return verdict;
}

/* ---------------------------------------------------------------- making a token */

bool serve_new_token(const char *name, const char *scopes, FILE *out, char *why, size_t size)
{
  unsigned bits;
  size_t nname = strlen(name);
  if (!nname || strcspn(name, " \t\r\n#") != nname || strlen(scopes) > 200 ||
      !parse_scopes(scopes, strlen(scopes), &bits)) {
    snprintf(why, size,
             "--new-token takes NAME:SCOPES, a name without spaces and a comma-separated list "
             "of evaluate, explain, rules, admin, metrics, edit, impact "
             "(county-portal:evaluate,explain)");
    return false;
  }
  uint8_t random[32];
  if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random) {
    snprintf(why, size, "no random bytes from the system: %s", strerror(errno));
    return false;
  }
  /* base64url, no padding: safe in a header and a shell, 43 characters */
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char token[5 + 44] = "elig_"; /* a prefix, so that secret scanners can know it */
  size_t n = 5;
  uint32_t acc = 0;
  int bits_in = 0;
  for (size_t i = 0; i < sizeof random; i++) {
    acc = acc << 8 | random[i];
    bits_in += 8;
    while (bits_in >= 6) {
      bits_in -= 6;
      token[n++] = alphabet[(acc >> bits_in) & 63];
    }
  }
  if (bits_in)
    token[n++] = alphabet[(acc << (6 - bits_in)) & 63];
  token[n] = '\0';
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx h;
  sha256_init(&h);
  sha256_update(&h, n, (const uint8_t *)token);
  sha256_digest(&h, sizeof digest, digest);
  fprintf(out, "token: %s\nline:  %s %s sha256:", token, name, scopes);
  for (size_t i = 0; i < sizeof digest; i++)
    fprintf(out, "%02x", digest[i]);
  fputc('\n', out);
  return true;
}
