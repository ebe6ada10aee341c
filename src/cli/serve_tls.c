/*
 * serve_tls.c -- `elig serve` over HTTPS (the parts: serve.h).
 *
 * libmicrohttpd speaks TLS through GnuTLS.  Given the certificate and key as PEM text
 * (MHD_OPTION_HTTPS_MEM_CERT and _KEY) it loads them once, as the daemon starts, and a
 * running daemon cannot take others: a renewed certificate would need a restart, and a
 * mistake in the files would only make the daemon fail to start, saying little.  So the
 * service reads and checks the files itself, and hands the pair to GnuTLS at each handshake
 * (MHD_OPTION_HTTPS_CERT_CALLBACK): a start-up error names the file and what is wrong with
 * it, and SIGHUP swaps a renewed pair in for the handshakes that follow while the
 * connections already open go on with theirs.  A pair once in force is kept until the
 * service stops, for the sessions that still point to it (GnuTLS does not copy it); only a
 * pair that differs from the one in force is kept, so a SIGHUP for the rules costs nothing.
 *
 * Client certificates (--tls-client-ca): given the CAs (MHD_OPTION_HTTPS_MEM_TRUST),
 * libmicrohttpd asks for a certificate in each handshake but lets a client without one
 * through.  Each request is checked here before it is routed, and one without a certificate
 * that verifies is answered 403 with a JSON error that says what is wrong: a refused
 * handshake would tell the client nothing it can act on.  The 403 closes the connection, so
 * that trying again costs the client a handshake.  A connection's certificate cannot change
 * (libmicrohttpd allows no renegotiation and no post-handshake authentication), but nothing
 * of ours is kept per connection: a chain that verified is remembered for a while instead
 * (see verified_chain), which spares the signature checks on every request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cli.h"
#include "serve.h"

/* A PEM file larger than this holds no certificate chain or key: a wrong path (a log,
 * /dev/zero) is not read into memory whole. */
#define MAX_PEM (1u << 20)

/* A certificate chain and its key, as GnuTLS takes them from give_certificate. */
typedef struct tls_pair {
  gnutls_pcert_st *chain; /* the server's certificate first, then its issuers */
  unsigned chain_len;
  gnutls_privkey_t key;
  struct tls_pair *older; /* the pair in force before this one, kept (see above) */
} tls_pair;

struct serve_tls {
  serve_tls_options opt; /* priorities filled in with the default */
  serve_log *log;
  char *client_ca_pem;         /* for libmicrohttpd, NUL-terminated; NULL: none asked for */
  _Atomic(tls_pair *) current; /* handshakes take this one */
};

/* The service's TLS, for give_certificate: GnuTLS passes that callback no pointer of ours. */
static serve_tls *in_force;

/* ---------------------------------------------------------------- failures */

/* Why the files cannot be used: at start a message on standard error in the reader's
 * language, at a reload a log line in English. */
typedef struct {
  bool translated;
  int status;    /* the exit status it gives at start */
  char *message; /* the first failure; NULL when out of memory */
  bool failed;
} tls_failure;

__attribute__((format(printf, 3, 4))) static void fail(tls_failure *f, int status, const char *fmt,
                                                       ...)
{
  if (f->failed)
    return; /* the first reason stands */
  f->failed = true;
  f->status = status;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&f->message, fmt, ap) < 0)
    f->message = NULL;
  va_end(ap);
}

/* FMT is marked N_() where FAIL is used, so that xgettext finds it. */
#define FAIL(f, status, fmt, ...) fail((f), (status), (f)->translated ? _(fmt) : (fmt), __VA_ARGS__)

static const char *failure_text(const tls_failure *f)
{
  return f->message ? f->message : "out of memory";
}

/* ---------------------------------------------------------------- reading the files */

/* Reads the file at `path` whole, NUL-terminated (libmicrohttpd takes PEM text as a C
 * string); *mode, unless NULL, receives its type and permissions. */
static bool read_pem(const char *option, const char *path, gnutls_datum_t *out, mode_t *mode,
                     tls_failure *f)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    /* TRANSLATORS: the option (--tls-cert), its file, and the system's reason. */
    FAIL(f, EXIT_IO, N_("%s: cannot read '%s': %s"), option, path, strerror(e));
    return false;
  }
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  int error = buf ? 0 : ENOMEM;
  while (!error) {
    if (len + 1 == cap) {
      char *bigger = cap < MAX_PEM ? realloc(buf, cap * 2) : NULL;
      if (!bigger) {
        error = cap < MAX_PEM ? ENOMEM : EFBIG;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - 1 - len);
    if (n > 0)
      len += (size_t)n;
    else if (n == 0)
      break;
    else if (errno != EINTR)
      error = errno;
  }
  close(fd);
  if (error) {
    free(buf);
    FAIL(f, EXIT_IO, N_("%s: cannot read '%s': %s"), option, path, strerror(error));
    return false;
  }
  buf[len] = '\0';
  out->data = (unsigned char *)buf;
  out->size = (unsigned)len;
  if (mode)
    *mode = st.st_mode;
  return true;
}

/* Frees what read_pem read; a key is wiped first, so that no copy of it is left in freed
 * memory. */
static void free_pem(gnutls_datum_t *pem, bool secret)
{
  if (pem->data && secret)
    explicit_bzero(pem->data, pem->size);
  free(pem->data);
  pem->data = NULL;
}

/* The certificates of a PEM file; `chain`: the server's, its own first and then each one's
 * issuer. */
static bool import_certs(const char *option, const char *path, const gnutls_datum_t *pem,
                         bool chain, gnutls_x509_crt_t **crts, unsigned *n, tls_failure *f)
{
  int rc = gnutls_x509_crt_list_import2(crts, n, pem, GNUTLS_X509_FMT_PEM,
                                        chain ? GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED : 0);
  if (rc == GNUTLS_E_CERTIFICATE_LIST_UNSORTED)
    /* TRANSLATORS: the first %s is the option (--tls-cert), the second its file. */
    FAIL(f, EXIT_USAGE,
         N_("%s: the certificates in '%s' are out of order: the server's own comes first, "
            "then each one's issuer"),
         option, path);
  else if (rc < 0)
    /* TRANSLATORS: the option (--tls-cert), its file, and GnuTLS's reason. */
    FAIL(f, EXIT_USAGE, N_("%s: '%s' holds no certificate in PEM form (%s)"), option, path,
         gnutls_strerror(rc));
  else if (*n == 0)
    FAIL(f, EXIT_USAGE, N_("%s: '%s' holds no certificate in PEM form (%s)"), option, path,
         "-----BEGIN CERTIFICATE-----");
  if (rc < 0 || *n == 0) {
    if (rc >= 0)
      gnutls_free(*crts);
    *crts = NULL;
    *n = 0;
    return false;
  }
  return true;
}

static void free_certs(gnutls_x509_crt_t *crts, unsigned n)
{
  for (unsigned i = 0; i < n; i++)
    gnutls_x509_crt_deinit(crts[i]);
  gnutls_free(crts);
}

static gnutls_privkey_t import_key(const char *path, const gnutls_datum_t *pem, tls_failure *f)
{
  if (strstr((const char *)pem->data, "ENCRYPTED")) {
    FAIL(f, EXIT_USAGE,
         N_("--tls-key: the key in '%s' is encrypted; give it unencrypted, in a file only the "
            "service's user can read"),
         path);
    return NULL;
  }
  gnutls_privkey_t key = NULL;
  int rc = gnutls_privkey_init(&key);
  if (rc == 0)
    rc = gnutls_privkey_import_x509_raw(key, pem, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (rc == 0)
    return key;
  if (key)
    gnutls_privkey_deinit(key);
  /* TRANSLATORS: the file of --tls-key, and GnuTLS's reason. */
  FAIL(f, EXIT_USAGE, N_("--tls-key: '%s' holds no private key in PEM form (%s)"), path,
       gnutls_strerror(rc));
  return NULL;
}

/* Whether `key` is the private half of the public key `crt` certifies. */
static bool key_fits(gnutls_privkey_t key, gnutls_x509_crt_t crt)
{
  unsigned char have[64], want[64];
  size_t have_len = sizeof have, want_len = sizeof want;
  gnutls_pubkey_t pub;
  if (gnutls_pubkey_init(&pub) != 0)
    return false;
  bool fits = gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
              gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, have, &have_len) == 0 &&
              gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, want, &want_len) == 0 &&
              have_len == want_len && memcmp(have, want, want_len) == 0;
  gnutls_pubkey_deinit(pub);
  return fits;
}

/* ---------------------------------------------------------------- the pair in force */

static void pair_free(tls_pair *p)
{
  for (unsigned i = 0; i < p->chain_len; i++)
    gnutls_pcert_deinit(&p->chain[i]);
  free(p->chain);
  if (p->key)
    gnutls_privkey_deinit(p->key);
  free(p);
}

static bool same_chain(const tls_pair *a, const tls_pair *b)
{
  if (a->chain_len != b->chain_len)
    return false;
  for (unsigned i = 0; i < a->chain_len; i++) {
    const gnutls_datum_t *x = &a->chain[i].cert, *y = &b->chain[i].cert;
    if (x->size != y->size || memcmp(x->data, y->data, x->size) != 0)
      return false;
  }
  return true;
}

static void log_warning(serve_log *log, const char *message, const char *file)
{
  serve_log_write(
      log, json_pack("{s:s, s:s, s:s}", "event", "warning", "message", message, "file", file));
}

/* Adds what the log says of the certificate to `event` (its subject and validity), and
 * warns of one that is not valid now. */
static void describe(gnutls_x509_crt_t crt, const char *path, serve_log *log, json_t *event)
{
  gnutls_datum_t dn = {NULL, 0};
  if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0)
    json_object_set_new(event, "subject", json_stringn((const char *)dn.data, dn.size));
  gnutls_free(dn.data);
  time_t now = time(NULL);
  time_t not_before = gnutls_x509_crt_get_activation_time(crt);
  time_t not_after = gnutls_x509_crt_get_expiration_time(crt);
  char when[32];
  serve_time_iso(&(struct timespec){not_after, 0}, when, sizeof when);
  json_object_set_new(event, "not_after", json_string(when));
  if (not_after != (time_t)-1 && not_after < now)
    log_warning(log, "the certificate has expired", path);
  else if (not_before != (time_t)-1 && not_before > now)
    log_warning(log, "the certificate is not valid yet", path);
}

/* Reads the certificate and key of `o` into a new pair; NULL and f says why when they do
 * not do.  Warnings go to the log, and what the log says of the certificate into `event`. */
static tls_pair *load_pair(const serve_tls_options *o, serve_log *log, tls_failure *f,
                           json_t *event)
{
  gnutls_datum_t cert_pem = {NULL, 0}, key_pem = {NULL, 0};
  gnutls_x509_crt_t *crts = NULL;
  unsigned ncrts = 0;
  mode_t key_mode = 0;
  tls_pair *p = calloc(1, sizeof *p);
  if (!p || !read_pem("--tls-cert", o->cert, &cert_pem, NULL, f) ||
      !import_certs("--tls-cert", o->cert, &cert_pem, true, &crts, &ncrts, f) ||
      !read_pem("--tls-key", o->key, &key_pem, &key_mode, f) ||
      !(p->key = import_key(o->key, &key_pem, f)))
    goto failed;
  if (!key_fits(p->key, crts[0])) {
    /* TRANSLATORS: the files of --tls-key and --tls-cert. */
    FAIL(f, EXIT_USAGE, N_("--tls-key: the key in '%s' does not belong to the certificate in '%s'"),
         o->key, o->cert);
    goto failed;
  }
  p->chain = calloc(ncrts, sizeof *p->chain);
  p->chain_len = ncrts;
  int rc = p->chain ? gnutls_pcert_import_x509_list(p->chain, crts, &p->chain_len, 0)
                    : GNUTLS_E_MEMORY_ERROR;
  if (rc < 0) {
    p->chain_len = 0;
    FAIL(f, EXIT_USAGE, N_("%s: '%s' holds no certificate in PEM form (%s)"), "--tls-cert", o->cert,
         gnutls_strerror(rc));
    goto failed;
  }
  if (S_ISREG(key_mode) && (key_mode & (S_IRGRP | S_IROTH)))
    log_warning(log, "the private key can be read by others than its owner: chmod 600 it", o->key);
  describe(crts[0], o->cert, log, event);
  free_certs(crts, ncrts);
  free_pem(&cert_pem, false);
  free_pem(&key_pem, true);
  return p;

failed:
  if (p)
    pair_free(p);
  free_certs(crts, ncrts);
  free_pem(&cert_pem, false);
  free_pem(&key_pem, true);
  if (!f->failed)
    fail(f, EXIT_IO, "%s", f->translated ? _("out of memory") : "out of memory");
  return NULL;
}

/* GnuTLS's call in each handshake for the certificate to show (MHD_OPTION_HTTPS_CERT_CALLBACK):
 * the pair in force. */
static int give_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                            const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                            gnutls_pcert_st **pcert, unsigned int *pcert_length,
                            gnutls_privkey_t *privkey)
{
  (void)session, (void)req_ca_rdn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
  tls_pair *p = atomic_load(&in_force->current);
  *pcert = p->chain;
  *pcert_length = p->chain_len;
  *privkey = p->key;
  return 0;
}

/* ---------------------------------------------------------------- options and start */

const char *serve_tls_options_error(const serve_tls_options *o)
{
  if (!o->cert != !o->key)
    return N_("--tls-cert and --tls-key go together: give both, or neither");
  if (!o->cert && (o->client_ca || o->priorities))
    return N_("--tls-client-ca and --tls-priorities need --tls-cert and --tls-key");
  return NULL;
}

static bool priorities_ok(const char *priorities, tls_failure *f)
{
  gnutls_priority_t cache;
  const char *at = NULL;
  int rc = gnutls_priority_init(&cache, priorities, &at);
  if (rc == 0) {
    gnutls_priority_deinit(cache);
    return true;
  }
  /* TRANSLATORS: the string given with --tls-priorities, GnuTLS's reason, and the part of
     the string where GnuTLS stopped. */
  FAIL(f, EXIT_USAGE, N_("--tls-priorities: GnuTLS does not take '%s' (%s, at '%s')"), priorities,
       gnutls_strerror(rc), at ? at : "");
  return false;
}

/* Reads the client CAs: libmicrohttpd takes their PEM text, checked here to hold some. */
static bool read_client_ca(serve_tls *tls, tls_failure *f)
{
  gnutls_datum_t pem = {NULL, 0};
  gnutls_x509_crt_t *crts = NULL;
  unsigned n = 0;
  if (!read_pem("--tls-client-ca", tls->opt.client_ca, &pem, NULL, f))
    return false;
  if (!import_certs("--tls-client-ca", tls->opt.client_ca, &pem, false, &crts, &n, f)) {
    free_pem(&pem, false);
    return false;
  }
  free_certs(crts, n);
  tls->client_ca_pem = (char *)pem.data;
  return true;
}

int serve_tls_start(const serve_tls_options *o, serve_log *log, serve_tls **out)
{
  *out = NULL;
  if (!o->cert)
    return EXIT_OK;
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
      MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES) {
    cli_say("%s", _("--tls-cert: this libmicrohttpd was built without TLS"));
    return EXIT_USAGE;
  }
  tls_failure f = {.translated = true};
  serve_tls *tls = calloc(1, sizeof *tls);
  json_t *event =
      json_pack("{s:s, s:s, s:s}", "event", "tls", "cause", "start", "outcome", "loaded");
  tls_pair *p = NULL;
  if (tls && event) {
    tls->opt = *o;
    tls->log = log;
    if (!tls->opt.priorities)
      tls->opt.priorities = SERVE_TLS_PRIORITIES;
    if (priorities_ok(tls->opt.priorities, &f) && (!o->client_ca || read_client_ca(tls, &f)))
      p = load_pair(o, log, &f, event);
  }
  if (!p) {
    cli_say("%s", f.failed ? failure_text(&f) : _("out of memory"));
    free(f.message);
    json_decref(event);
    if (tls)
      free(tls->client_ca_pem);
    free(tls);
    return f.failed ? f.status : EXIT_IO;
  }
  atomic_init(&tls->current, p);
  in_force = tls;
  json_object_set_new(event, "client_ca", o->client_ca ? json_string(o->client_ca) : json_null());
  json_object_set_new(event, "priorities", json_string(tls->opt.priorities));
  serve_log_write(log, event);
  *out = tls;
  return EXIT_OK;
}

unsigned serve_tls_daemon_flags(const serve_tls *tls)
{
  return tls ? MHD_USE_TLS : 0;
}

void serve_tls_daemon_options(const serve_tls *tls, struct MHD_OptionItem *items)
{
  size_t n = 0;
  if (tls) {
    items[n++] =
        (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)give_certificate};
    items[n++] =
        (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)tls->opt.priorities};
    if (tls->client_ca_pem)
      items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, tls->client_ca_pem};
  }
  items[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}

/* ---------------------------------------------------------------- reload and stop */

void serve_tls_reload(serve_tls *tls, const char *cause)
{
  if (!tls)
    return;
  tls_failure f = {.translated = false};
  json_t *described = json_object();
  tls_pair *fresh = load_pair(&tls->opt, tls->log, &f, described);
  tls_pair *current = atomic_load(&tls->current);
  const char *outcome = "replaced";
  if (!fresh)
    outcome = "failed; the certificate in force stays";
  else if (same_chain(fresh, current))
    outcome = "unchanged";
  json_t *event = json_pack("{s:s, s:s, s:s}", "event", "tls", "cause", cause, "outcome", outcome);
  json_object_update(event, described);
  json_decref(described);
  if (!fresh) {
    json_object_set_new(event, "error", json_string(failure_text(&f)));
  } else if (same_chain(fresh, current)) {
    pair_free(fresh);
  } else {
    fresh->older = current;
    atomic_store(&tls->current, fresh);
  }
  free(f.message);
  serve_log_write(tls->log, event);
}

void serve_tls_stop(serve_tls *tls)
{
  if (!tls)
    return;
  in_force = NULL;
  for (tls_pair *p = atomic_load(&tls->current), *older; p; p = older) {
    older = p->older;
    pair_free(p);
  }
  free(tls->client_ca_pem);
  free(tls);
}

/* ---------------------------------------------------------------- client certificates */

/* Chains that verified lately, per thread.  Verifying one costs a signature check per
 * certificate (0.4 ms for ECDSA P-256 on the test machine), many times what answering a
 * request does, and a client shows the same chain on each of its connections.  A chain is
 * known by a SHA-256 of its certificates; what it is verified against (the client CAs and
 * the purpose) stays the same while the service runs, and only time changes the outcome:
 * an entry holds for a minute, never past the client certificate's expiry.  Only chains
 * that verified are kept. */
#define VERIFIED_SLOTS 8
#define VERIFIED_SECONDS 60

typedef struct {
  unsigned char digest[32];
  time_t until; /* 0: an empty slot */
} verified_chain;

static _Thread_local verified_chain verified[VERIFIED_SLOTS];
static _Thread_local unsigned verified_next; /* the slot to fill next */

/* The SHA-256 of the certificates, each after its length so that no two chains run
 * together into the same bytes. */
static bool chain_digest(const gnutls_datum_t *certs, unsigned n, unsigned char digest[32])
{
  gnutls_hash_hd_t h;
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
    return false;
  for (unsigned i = 0; i < n; i++) {
    unsigned char len[4] = {(unsigned char)(certs[i].size >> 24),
                            (unsigned char)(certs[i].size >> 16),
                            (unsigned char)(certs[i].size >> 8), (unsigned char)certs[i].size};
    gnutls_hash(h, len, sizeof len);
    gnutls_hash(h, certs[i].data, certs[i].size);
  }
  gnutls_hash_deinit(h, digest);
  return true;
}

static bool verified_lately(const unsigned char digest[32], time_t now)
{
  for (unsigned i = 0; i < VERIFIED_SLOTS; i++)
    if (verified[i].until > now && memcmp(verified[i].digest, digest, 32) == 0)
      return true;
  return false;
}

static void remember_verified(const unsigned char digest[32], const gnutls_datum_t *leaf,
                              time_t now)
{
  time_t until = now + VERIFIED_SECONDS;
  gnutls_x509_crt_t crt;
  if (gnutls_x509_crt_init(&crt) != 0)
    return;
  if (gnutls_x509_crt_import(crt, leaf, GNUTLS_X509_FMT_DER) == 0) {
    time_t expires = gnutls_x509_crt_get_expiration_time(crt);
    if (expires != (time_t)-1 && expires < until)
      until = expires;
    verified_chain *slot = &verified[verified_next++ % VERIFIED_SLOTS];
    memcpy(slot->digest, digest, 32);
    slot->until = until;
  }
  gnutls_x509_crt_deinit(crt);
}

/* What is wrong with a client certificate, from GnuTLS's verification status, into out. */
static void why_invalid(unsigned status, char *out, size_t size)
{
  static const struct {
    unsigned flag;
    const char *why;
  } reasons[] = {
      {GNUTLS_CERT_SIGNER_NOT_FOUND, "it is not issued by a CA of the service's client CAs"},
      {GNUTLS_CERT_SIGNER_NOT_CA, "its issuer is no CA"},
      {GNUTLS_CERT_EXPIRED, "it has expired"},
      {GNUTLS_CERT_NOT_ACTIVATED, "it is not valid yet"},
      {GNUTLS_CERT_REVOKED, "it is revoked"},
      {GNUTLS_CERT_SIGNATURE_FAILURE, "its signature does not verify"},
      {GNUTLS_CERT_INSECURE_ALGORITHM, "it is signed with an insecure algorithm"},
      {GNUTLS_CERT_PURPOSE_MISMATCH, "it is not meant for TLS clients (its extended key usage)"},
  };
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
    if ((status & reasons[i].flag) && used < size)
      used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "; " : "", reasons[i].why);
  if (!out[0])
    snprintf(out, size, "it does not verify against the service's client CAs");
}

/* Queues the 403, and closes the connection after it: a client without a certificate that
 * verifies has no use for it, and must make a new handshake to try again. */
static bool refuse(serve_request *rq, const char *code, const char *message,
                   enum MHD_Result *answer)
{
  static const char *const close[] = {MHD_HTTP_HEADER_CONNECTION, "close", NULL};
  *answer = serve_respond_error(rq, MHD_HTTP_FORBIDDEN, code, message, close);
  return true;
}

bool serve_tls_refuses(serve_request *rq, enum MHD_Result *answer)
{
  const serve_tls *tls = rq->http->tls;
  if (!tls || !tls->client_ca_pem)
    return false;
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  gnutls_session_t session = info ? info->tls_session : NULL;
  unsigned presented = 0;
  const gnutls_datum_t *chain = session ? gnutls_certificate_get_peers(session, &presented) : NULL;
  if (!chain || presented == 0)
    return refuse(rq, "client_certificate_required",
                  "this service answers clients with a certificate of its client CAs only, "
                  "and this connection presented none",
                  answer);
  time_t now = time(NULL);
  unsigned char digest[32];
  bool known = chain_digest(chain, presented, digest);
  if (known && verified_lately(digest, now))
    return false;
  gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                   (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
  unsigned status = 0;
  int rc = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
  if (rc == 0 && status == 0) {
    if (known)
      remember_verified(digest, &chain[0], now);
    return false;
  }
  char why[300], message[400];
  if (rc != 0)
    snprintf(why, sizeof why, "it cannot be verified (%s)", gnutls_strerror(rc));
  else
    why_invalid(status, why, sizeof why);
  snprintf(message, sizeof message, "the client certificate is not accepted: %s", why);
  return refuse(rq, "client_certificate_invalid", message, answer);
}
