/*
 * cmd_serve.c -- `elig serve RULES`: the HTTP JSON service (the parts: serve.h).
 *
 * The main thread parses the options, compiles the rules, starts libmicrohttpd's worker
 * threads and then only waits for signals: SIGHUP reloads the rules, SIGINT and SIGTERM stop
 * the service once the requests in flight are answered, and between signals it polls the
 * rule files so that a saved edit goes live without one.  The signals are blocked in every
 * thread and taken with sigtimedwait, so no handler runs in the middle of a request.
 *
 * libmicrohttpd runs an epoll loop in each worker thread: a connection that is open but
 * idle or trickling costs a file descriptor, not a thread, and limits on connections (in
 * total and per client address), idle time and body size keep such clients from crowding
 * out the others.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

static const char *const usage_serve[] = {
    /* TRANSLATORS: the start of `elig serve --help`.  The command line after "usage:", the
       requests (POST /v1/evaluate), their parameters (?as_of=YYYY-MM-DD), the header
       Elig-Rules-Hash and the signal names are typed or sent as they are; keep the
       descriptions' column. */
    N_("usage: elig serve [options] RULES\n"
       "\n"
       "Answers HTTP requests with the rule set RULES (and what it imports):\n"
       "  POST /v1/evaluate   one record as a JSON object, or many as JSON Lines or an array;\n"
       "                      results as 'elig run --format jsonl' writes them\n"
       "                      (?as_of=YYYY-MM-DD, ?aggregates=true, ?missing=undetermined)\n"
       "  POST /v1/explain    one record: why its decisions came out so (?format=json|text)\n"
       "  GET  /v1/rules      the rule set in force: policy, version, hash, what it defines,\n"
       "                      and the last reload that failed\n"
       "  GET  /healthz       that the service answers (liveness)\n"
       "  GET  /readyz        that it is ready: 503 after a reload failed, until fixed or\n"
       "                      acknowledged by POST /v1/admin/acknowledge\n"
       "  GET  /metrics       counters for Prometheus: requests, latency, records, reloads\n"
       "Every response names the hash of the rule set that produced it (Elig-Rules-Hash).\n"
       "The rules are compiled again on SIGHUP and when a rule file changes; when they do not\n"
       "compile, the rules in force stay.  The log (standard error) has one JSON line per\n"
       "request, without the records' contents.\n"),
    /* TRANSLATORS: the options of `elig serve --help`: translate the descriptions only; the
       options, addresses (127.0.0.1:8080, [::1]:PORT) and size suffixes (K, M, G) stay as
       they are; keep the descriptions' column. */
    N_("\n"
       "options:\n"
       "  -l, --listen=ADDR:PORT     where to listen (default 127.0.0.1:8080); ':PORT' for every\n"
       "                             IPv4 address, '[::1]:PORT' for IPv6, port 0 for a free one\n"
       "  -j, --threads=N            network threads, each serving many connections\n"
       "                             (default: the cores available)\n"
       "      --max-body=BYTES       largest request body (default 16M; suffixes K, M, G)\n"
       "      --max-connections=N    open connections at once, in all (default 4096)\n"
       "      --max-per-client=N     open connections at once from one address (default 64)\n"
       "      --timeout=SECONDS      close a connection idle this long (default 30)\n"
       "      --header-timeout=SECONDS\n"
       "                             time allowed to send a whole request head, from the\n"
       "                             connection's start or its previous answer (default 10)\n"
       "      --request-timeout=SECONDS\n"
       "                             time allowed to send a whole request body (default 60)\n"
       "      --watch=MS             look at the rule files every MS milliseconds and reload\n"
       "                             them when they change (default 1000; 0: on SIGHUP only)\n"
       "      --register=FILE        evaluate each record with its household's year before as\n"
       "                             the register FILE holds it (read-only; `elig register add`\n"
       "                             with the same rules must have made it)\n"
       "      --no-metrics           do not answer GET /metrics, and count nothing\n"
       "  -h, --help                 this help\n"),
    /* TRANSLATORS: the access options of `elig serve --help`; translate the descriptions
       only (scope names, NAME:SCOPES and the example stay as they are). */
    N_("\n"
       "access:\n"
       "      --tokens=FILE          let in only requests with a bearer token of FILE (lines\n"
       "                             NAME SCOPES sha256:HASH; scopes evaluate, explain, rules,\n"
       "                             admin, metrics, edit); read again on SIGHUP and when it\n"
       "                             changes\n"
       "      --new-token=NAME:SCOPES\n"
       "                             make a token, print it and its line for FILE, and stop\n"
       "                             (county-portal:evaluate,explain)\n"
       "      --insecure-no-auth     listen on an address other machines reach without\n"
       "                             --tokens (only behind a proxy that authenticates)\n"
       "      --no-rules-endpoint    do not answer GET /v1/rules (file paths, what the rules\n"
       "                             define)\n"),
    /* TRANSLATORS: more options of `elig serve --help`, the limits that keep one request
       from taking the service; translate the descriptions only. */
    N_("\n"
       "limits (what passes them is answered with a JSON error):\n"
       "      --workers=N            threads that evaluate (default: the cores available)\n"
       "      --queue=N              requests waiting for a worker; more are answered 503\n"
       "                             busy (default 256)\n"
       "      --max-records=N        records in one request (default 100000)\n"
       "      --max-output=BYTES     size of one response (default 64M)\n"
       "      --eval-timeout=SECONDS evaluation time of one request (default 30; 250ms)\n"
       "      --max-buffered=BYTES   request bodies held at once, in all; past it requests\n"
       "                             are answered 503 busy (default 256M)\n"
       "      --inline-body=BYTES    bodies up to this are evaluated on the network thread,\n"
       "                             cheaper than a hand-over (default 4K; 0: none)\n"),
    /* TRANSLATORS: the TLS options of `elig serve --help`: translate the descriptions only;
       the options, SIGHUP, 403 and the GnuTLS priority string stay as they are; keep the
       descriptions' column. */
    N_("\n"
       "HTTPS (all PEM files):\n"
       "      --tls-cert=FILE        answer over HTTPS with the certificate FILE (the\n"
       "                             server's own first, then its chain); read again on SIGHUP\n"
       "      --tls-key=FILE         the certificate's private key, unencrypted (chmod 600)\n"
       "      --tls-client-ca=FILE   answer only clients whose certificate a CA in FILE issued;\n"
       "                             others get 403\n"
       "      --tls-priorities=STRING\n"
       "                             the GnuTLS priority string (default\n"
       "                             NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2)\n"),
    /* TRANSLATORS: the decision log's options in `elig serve --help`: translate the
       descriptions only; options, FILE.1, the header Elig-Decision-Id, hh_id,head_id,
       members[].name and the size suffixes stay as they are; keep the descriptions' column. */
    N_("\n"
       "the decision log (an audit record of each decision):\n"
       "      --decision-log=FILE    write a JSON line per record evaluated or explained to\n"
       "                             FILE: its decision id (also in the response header\n"
       "                             Elig-Decision-Id), time, rules, result and input, with\n"
       "                             identifiers masked; needs --mask-key\n"
       "      --decision-log-max=BYTES\n"
       "                             begin a new file rather than pass this size (default\n"
       "                             100M; suffixes K, M, G): FILE becomes FILE.1, FILE.1\n"
       "                             becomes FILE.2, and so on\n"
       "      --decision-log-keep=N  full files kept, FILE.1 to FILE.N (default 10)\n"
       "      --decision-log-required\n"
       "                             answer 503 rather than a decision that cannot be logged\n"
       "                             (default: answer it, and report the failure on the log)\n"
       "      --mask=FIELDS          the fields whose values the log replaces by a pseudonym\n"
       "                             (hh_id,head_id,members[].name; default: the key fields)\n"
       "      --mask-key=FILE        the pseudonyms' secret key, 16 bytes or more, in a file\n"
       "                             its owner alone may read\n"),
    /* TRANSLATORS: the workbench's options in `elig serve --help`: translate the
       descriptions only; options, paths and /workbench/ stay as they are. */
    N_("\n"
       "the workbench (doc/workbench.md):\n"
       "      --workbench=DIR        serve the workbench at /workbench/: edit, check, format,\n"
       "                             test and save the rule files of DIR, which must hold\n"
       "                             RULES; nothing outside DIR is read or written\n"
       "      --workbench-assets=DIR the folder of the workbench's page (default: where\n"
       "                             `make install` puts it)\n"
       "      --workbench-data=DIR   the registers (.csv, .jsonl) the Impact and Explain pages\n"
       "                             may read; nothing outside DIR is read\n"
       "      --workbench-upload-max=BYTES\n"
       "                             largest register a page may upload (default 32M;\n"
       "                             suffixes K, M, G; 0: no uploads)\n"),
    /* TRANSLATORS: the end of `elig serve --help`: the exit statuses a script sees; SIGINT
       and SIGTERM are signal names. */
    N_("\n"
       "exit status: 0 stopped by SIGINT or SIGTERM, 1 rule errors, 2 usage,\n"
       "4 the address cannot be listened on or a TLS file read, or the decision log or its\n"
       "key opened\n"),
    NULL};

typedef struct {
  const char *rules;
  const char *register_path; /* --register */
  const char *listen;
  struct sockaddr_storage addr; /* listen, resolved */
  socklen_t addr_len;
  unsigned threads;
  size_t max_body;
  unsigned max_connections;
  unsigned max_per_client;
  unsigned timeout;
  unsigned request_timeout;
  unsigned header_timeout;
  unsigned watch_ms;
  unsigned workers;
  unsigned queue;
  const char *tokens;           /* --tokens */
  bool insecure_no_auth;        /* --insecure-no-auth */
  bool no_rules_endpoint;       /* --no-rules-endpoint */
  bool no_metrics;              /* --no-metrics */
  const char *new_token;        /* --new-token NAME:SCOPES: make one and stop */
  const char *workbench;        /* --workbench DIR */
  const char *workbench_assets; /* --workbench-assets DIR */
  const char *workbench_data;   /* --workbench-data DIR */
  size_t workbench_upload_max;  /* --workbench-upload-max BYTES */
  bool workbench_upload_given;  /* and whether it was given */
  serve_limits limits;
  serve_tls_options tls; /* --tls-* (serve_tls.c) */

  serve_decision_options decisions; /* --decision-log and the options that go with it */
} serve_options;

/* ---------------------------------------------------------------- options */

/* A whole number in [lo, hi], with an optional K/M/G suffix when `sized`. */
static bool parse_number(const char *s, unsigned long long lo, unsigned long long hi, bool sized,
                         unsigned long long *out)
{
  if (!s || *s < '0' || *s > '9')
    return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  unsigned long long scale = 1;
  if (sized && *end) {
    const char *units = "KMG";
    const char *u = strchr(units, *end == 'k' ? 'K' : *end);
    if (!u || end[1])
      return false;
    scale = 1ULL << (10 * (u - units + 1));
    end++;
  }
  if (errno || *end || v > hi / scale || v * scale < lo)
    return false;
  *out = v * scale;
  return true;
}

/* SECONDS (1 to 86400), or "Nms" (1 to 86400000), as milliseconds. */
static bool parse_duration_ms(const char *s, unsigned long long *ms)
{
  size_t n = strlen(s);
  if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
    char digits[16];
    if (n - 2 >= sizeof digits)
      return false;
    memcpy(digits, s, n - 2);
    digits[n - 2] = '\0';
    return parse_number(digits, 1, 86400000, false, ms);
  }
  if (!parse_number(s, 1, 86400, false, ms))
    return false;
  *ms *= 1000;
  return true;
}

/* Splits "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" and resolves it. */
static bool resolve_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len,
                           char *error, size_t size)
{
  char host[256] = "127.0.0.1";
  const char *port = spec;
  const char *colon = strrchr(spec, ':');
  if (colon) {
    size_t n = (size_t)(colon - spec);
    if (n >= sizeof host) {
      snprintf(error, size, "%s", _("address too long"));
      return false;
    }
    memcpy(host, spec, n);
    host[n] = '\0';
    if (n == 0)
      strcpy(host, "0.0.0.0");
    if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
      memmove(host, host + 1, n - 2);
      host[n - 2] = '\0';
    }
    port = colon + 1;
  }
  unsigned long long p;
  if (!parse_number(port, 0, 65535, false, &p)) {
    /* TRANSLATORS: %s is the port given with --listen=ADDR:PORT. */
    snprintf(error, size, _("'%s' is no port (0 to 65535)"), port);
    return false;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0 || !res) {
    /* TRANSLATORS: a host name given with --listen (the first %s) and the system's
       reason it has no address. */
    snprintf(error, size, _("cannot resolve '%s': %s"), host, gai_strerror(rc));
    return false;
  }
  memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

/* Whether addr is a loopback address, reachable from this machine only. */
static bool is_loopback(const struct sockaddr_storage *addr)
{
  if (addr->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
  if (addr->ss_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)addr)->sin6_addr);
  return false;
}

/* Whether addr is every address of the machine (0.0.0.0, ::). */
static bool is_wildcard(const struct sockaddr_storage *addr)
{
  if (addr->ss_family == AF_INET)
    return ((const struct sockaddr_in *)addr)->sin_addr.s_addr == htonl(INADDR_ANY);
  if (addr->ss_family == AF_INET6)
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)addr)->sin6_addr);
  return false;
}

static int parse_options(int argc, char **argv, serve_options *o)
{
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"threads", required_argument, NULL, 'j'},
      {"max-body", required_argument, NULL, 'B'},
      {"max-connections", required_argument, NULL, 'C'},
      {"max-per-client", required_argument, NULL, 'P'},
      {"timeout", required_argument, NULL, 'T'},
      {"request-timeout", required_argument, NULL, 'R'},
      {"watch", required_argument, NULL, 'W'},
      {"register", required_argument, NULL, 'G'},
      {"header-timeout", required_argument, NULL, 'H'},
      {"tokens", required_argument, NULL, 't'},
      {"insecure-no-auth", no_argument, NULL, 'I'},
      {"no-rules-endpoint", no_argument, NULL, 'N'},
      {"no-metrics", no_argument, NULL, 'M'},
      {"new-token", required_argument, NULL, 'k'},
      {"workers", required_argument, NULL, 'w'},
      {"queue", required_argument, NULL, 'q'},
      {"max-records", required_argument, NULL, 'r'},
      {"max-output", required_argument, NULL, 'o'},
      {"eval-timeout", required_argument, NULL, 'e'},
      {"max-buffered", required_argument, NULL, 'b'},
      {"inline-body", required_argument, NULL, 'i'},
      {"tls-cert", required_argument, NULL, 'E'},
      {"tls-key", required_argument, NULL, 'K'},
      {"tls-client-ca", required_argument, NULL, 'A'},
      {"tls-priorities", required_argument, NULL, 'Y'},
      {"decision-log", required_argument, NULL, SERVE_OPT_DECISION_LOG},
      {"decision-log-max", required_argument, NULL, SERVE_OPT_DECISION_LOG_MAX},
      {"decision-log-keep", required_argument, NULL, SERVE_OPT_DECISION_LOG_KEEP},
      {"decision-log-required", no_argument, NULL, SERVE_OPT_DECISION_LOG_REQUIRED},
      {"mask", required_argument, NULL, SERVE_OPT_MASK},
      {"mask-key", required_argument, NULL, SERVE_OPT_MASK_KEY},
      {"workbench", required_argument, NULL, SERVE_OPT_WORKBENCH},
      {"workbench-assets", required_argument, NULL, SERVE_OPT_WORKBENCH_ASSETS},
      {"workbench-data", required_argument, NULL, SERVE_OPT_WORKBENCH_DATA},
      {"workbench-upload-max", required_argument, NULL, SERVE_OPT_WORKBENCH_UPLOAD_MAX},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  *o = (serve_options){
      .listen = "127.0.0.1:8080",
      .threads = cores > 0 ? (unsigned)cores : 1,
      .max_body = 16u << 20,
      .max_connections = 4096,
      .max_per_client = 64,
      .timeout = 30,
      .request_timeout = 60,
      .header_timeout = 10,
      .watch_ms = 1000,
      .workers = cores > 0 ? (unsigned)cores : 1,
      .queue = 256,
      .workbench_upload_max = WB_UPLOAD_MAX_DEFAULT,
      .limits = {.max_records = 100000,
                 .max_output = 64u << 20,
                 .eval_timeout_ms = 30000,
                 .max_buffered = 256u << 20,
                 .inline_body = 4096},
  };
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":l:j:h", opts, NULL)) != -1) {
    unsigned long long v = 0;
    switch (c) {
    case 'l': o->listen = optarg; continue;
    case 'G': o->register_path = optarg; continue;
    case 't': o->tokens = optarg; continue;
    case 'I': o->insecure_no_auth = true; continue;
    case 'N': o->no_rules_endpoint = true; continue;
    case 'M': o->no_metrics = true; continue;
    case 'k': o->new_token = optarg; continue;
    case SERVE_OPT_WORKBENCH: o->workbench = optarg; continue;
    case SERVE_OPT_WORKBENCH_ASSETS: o->workbench_assets = optarg; continue;
    case SERVE_OPT_WORKBENCH_DATA: o->workbench_data = optarg; continue;
    case SERVE_OPT_WORKBENCH_UPLOAD_MAX:
      if (!parse_number(optarg, 0, (unsigned long long)1 << 40, true, &v))
        return cli_usage_error(usage_serve,
                               "--workbench-upload-max takes bytes (32M, 512K; 0: no uploads), "
                               "not '%s'",
                               optarg);
      o->workbench_upload_max = (size_t)v;
      o->workbench_upload_given = true;
      continue;
    case 'E': o->tls.cert = optarg; continue;
    case 'K': o->tls.key = optarg; continue;
    case 'A': o->tls.client_ca = optarg; continue;
    case 'Y': o->tls.priorities = optarg; continue;
    case 'h': cli_print_usage(usage_serve, stdout); return -1;
    case ':': return cli_usage_error(usage_serve, "option '%s' needs a value", argv[optind - 1]);
    case '?': return cli_bad_option(usage_serve, argv, opts);
    case 'j':
      if (!parse_number(optarg, 1, 1024, false, &v))
        return cli_usage_error(usage_serve, "--threads takes 1 to 1024, not '%s'", optarg);
      o->threads = (unsigned)v;
      continue;
    case 'B':
      if (!parse_number(optarg, 1, (unsigned long long)1 << 32, true, &v))
        return cli_usage_error(usage_serve, "--max-body takes bytes (16M, 512K), not '%s'", optarg);
      o->max_body = (size_t)v;
      continue;
    case 'C':
    case 'P':
      if (!parse_number(optarg, 1, 1000000, false, &v))
        return cli_usage_error(usage_serve, "connection limits take 1 to 1000000, not '%s'",
                               optarg);
      *(c == 'C' ? &o->max_connections : &o->max_per_client) = (unsigned)v;
      continue;
    case 'T':
    case 'R':
    case 'H':
      if (!parse_number(optarg, 1, 86400, false, &v))
        return cli_usage_error(usage_serve, "timeouts take 1 to 86400 seconds, not '%s'", optarg);
      *(c == 'T' ? &o->timeout : c == 'R' ? &o->request_timeout : &o->header_timeout) = (unsigned)v;
      continue;
    case 'w':
    case 'q':
      if (!parse_number(optarg, 1, c == 'w' ? 1024 : 1000000, false, &v))
        return cli_usage_error(usage_serve,
                               "--workers and --queue take a whole number from 1, "
                               "not '%s'",
                               optarg);
      *(c == 'w' ? &o->workers : &o->queue) = (unsigned)v;
      continue;
    case 'r':
      if (!parse_number(optarg, 1, 1000000000, false, &v))
        return cli_usage_error(usage_serve, "--max-records takes a whole number from 1, not '%s'",
                               optarg);
      o->limits.max_records = (size_t)v;
      continue;
    case 'o':
    case 'b':
      if (!parse_number(optarg, 1024, (unsigned long long)1 << 40, true, &v))
        return cli_usage_error(usage_serve,
                               "--max-output and --max-buffered take bytes from 1K "
                               "(64M, 512K), not '%s'",
                               optarg);
      *(c == 'o' ? &o->limits.max_output : &o->limits.max_buffered) = (size_t)v;
      continue;
    case 'i':
      if (!parse_number(optarg, 0, 1u << 20, true, &v))
        return cli_usage_error(usage_serve, "--inline-body takes bytes from 0 to 1M, not '%s'",
                               optarg);
      o->limits.inline_body = (size_t)v;
      continue;
    case 'e':
      if (!parse_duration_ms(optarg, &v))
        return cli_usage_error(usage_serve,
                               "--eval-timeout takes 1 to 86400 seconds, or milliseconds with "
                               "'ms' (250ms), not '%s'",
                               optarg);
      o->limits.eval_timeout_ms = (unsigned)v;
      continue;
    case 'W':
      if (!parse_number(optarg, 0, 3600000, false, &v))
        return cli_usage_error(usage_serve, "--watch takes milliseconds, not '%s'", optarg);
      o->watch_ms = (unsigned)v;
      continue;
    case SERVE_OPT_DECISION_LOG: o->decisions.path = optarg; continue;
    case SERVE_OPT_DECISION_LOG_REQUIRED: o->decisions.required = true; continue;
    case SERVE_OPT_MASK: o->decisions.mask = optarg; continue;
    case SERVE_OPT_MASK_KEY: o->decisions.key_path = optarg; continue;
    case SERVE_OPT_DECISION_LOG_MAX:
      if (!parse_number(optarg, 1, 1ULL << 50, true, &o->decisions.max_size))
        return cli_usage_error(usage_serve, "--decision-log-max takes bytes (100M, 1G), not '%s'",
                               optarg);
      continue;
    case SERVE_OPT_DECISION_LOG_KEEP:
      if (!parse_number(optarg, 1, 1000, false, &v))
        return cli_usage_error(usage_serve, "--decision-log-keep takes 1 to 1000, not '%s'",
                               optarg);
      o->decisions.keep = (unsigned)v;
      continue;
    }
  }
  if (o->new_token)
    return EXIT_OK;
  const char *wrong = serve_decision_options_wrong(&o->decisions);
  if (wrong)
    return cli_usage_error(usage_serve, wrong, NULL);
  if (argc - optind < 1)
    return cli_usage_error(usage_serve, "no rule file given", NULL);
  if (argc - optind > 1)
    return cli_usage_error(usage_serve, "give one rule file", NULL);
  o->rules = argv[optind];
  if (!o->workbench && (o->workbench_data || o->workbench_assets))
    return cli_usage_error(usage_serve, "the options --workbench-... need --workbench DIR", NULL);
  /* an upload is a request body held whole until written to a file: within the bodies the
   * service holds at once (the default upload limit is lowered to fit a small budget) */
  if (o->workbench_upload_max > o->limits.max_buffered && o->workbench_upload_given)
    return cli_usage_error(usage_serve,
                           "--workbench-upload-max may not be more than --max-buffered "
                           "(default 256M): no upload could be held",
                           NULL);
  if (o->workbench_upload_max > o->limits.max_buffered)
    o->workbench_upload_max = o->limits.max_buffered;
  const char *tls_error = serve_tls_options_error(&o->tls);
  if (tls_error)
    return cli_usage_error(usage_serve, tls_error, NULL);
  char error[300];
  if (!resolve_listen(o->listen, &o->addr, &o->addr_len, error, sizeof error))
    /* TRANSLATORS: %s says what is wrong with the address --listen was given. */
    return cli_usage_error(usage_serve, "--listen: %s", error);
  /* a client certificate authenticates as well as a token does */
  if (!o->tokens && !o->tls.client_ca && !o->insecure_no_auth && !is_loopback(&o->addr))
    return cli_usage_error(usage_serve,
                           "--listen '%s' is reachable from other machines: give --tokens FILE "
                           "or --tls-client-ca FILE (or, behind a proxy that authenticates, "
                           "--insecure-no-auth)",
                           o->listen);
  return EXIT_OK;
}

/* ---------------------------------------------------------------- start and stop */

/* Raises the open-file limit as far as allowed; lowers the connection limit to fit it. */
static void fit_file_limit(serve_options *o, serve_log *log)
{
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return;
  rlim_t want = (rlim_t)o->max_connections + 64;
  if (rl.rlim_cur < want) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    unsigned fit = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
    serve_log_write(log, json_pack("{s:s, s:s, s:i, s:i}", "event", "warning", "message",
                                   "the open-file limit lowers --max-connections", "asked",
                                   (int)o->max_connections, "now", (int)fit));
    o->max_connections = fit;
  }
}

/* What libmicrohttpd says goes to the log, but one line a second per message: a client
 * opening a thousand connections over the limit must not write a thousand lines.  The count
 * of repeats not written goes out with the next message, or at the end (http_log_flush). */
typedef struct {
  serve_log *log;
  pthread_mutex_t lock;
  char last[256]; /* the last message written */
  time_t last_at;
  unsigned dropped; /* repeats of it dropped since */
} http_log;

__attribute__((format(printf, 2, 0))) static void http_logger(void *cls, const char *fmt,
                                                              va_list ap)
{
  http_log *hl = cls;
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
    msg[--n] = '\0';
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] >= 0x7f)
      msg[i] = '?'; /* keep the line valid JSON text whatever the library says */
  unsigned status = 0;
  if (sscanf(msg, "Error processing request (HTTP response code is %u", &status) == 1)
    serve_http_library_error(status);
  else
    status = 0;
  time_t now = time(NULL);
  pthread_mutex_lock(&hl->lock);
  if (now == hl->last_at && strcmp(msg, hl->last) == 0) {
    hl->dropped++;
    pthread_mutex_unlock(&hl->lock);
    return;
  }
  json_t *repeats = NULL; /* how often the last message came again, unwritten */
  if (hl->dropped)
    repeats = json_pack("{s:s, s:s, s:i}", "event", "http", "message", hl->last, "repeated",
                        (int)hl->dropped);
  memcpy(hl->last, msg, sizeof msg);
  hl->last_at = now;
  hl->dropped = 0;
  pthread_mutex_unlock(&hl->lock);
  serve_log_write(hl->log, repeats);
  json_t *e = json_pack("{s:s, s:s}", "event", "http", "message", msg);
  if (status) /* an answer of its own: on a later request of a kept-alive connection, this
                 line may be all there is of it (serve_route.c logs those it sees begin) */
    json_object_set_new(e, "status", json_integer(status));
  serve_log_write(hl->log, e);
}

/* Writes how often the last message came again unwritten, if it did. */
static void http_log_flush(http_log *hl)
{
  pthread_mutex_lock(&hl->lock);
  json_t *repeats = NULL;
  if (hl->dropped)
    repeats = json_pack("{s:s, s:s, s:i}", "event", "http", "message", hl->last, "repeated",
                        (int)hl->dropped);
  hl->dropped = 0;
  pthread_mutex_unlock(&hl->lock);
  serve_log_write(hl->log, repeats);
}

/* Binds --listen; -1 when it cannot, having said why. */
static int listen_on(const serve_options *o)
{
  int fd = serve_front_listen(&o->addr);
  if (fd < 0)
    /* TRANSLATORS: the address of --listen (the first %s) and the system's reason. */
    cli_say(_("cannot listen on '%s': %s"), o->listen, strerror(errno));
  return fd;
}

/* libmicrohttpd, without a listening socket of its own: the front door (serve_front.c)
 * accepts, counts and screens the connections and hands it the good ones.  poll(2), not
 * epoll: with epoll, libmicrohttpd 0.9.75 stops watching some of the connections it is
 * handed (MHD_add_connection) once their first bytes are read -- five clients that send a
 * head, then a byte a second, then close, left three requests open until the idle timeout
 * -- and poll does not; over the connections of one network thread its cost did not show
 * (doc/reliability.md). */
static struct MHD_Daemon *start_daemon(const serve_options *o, serve_http *http, http_log *log)
{
  unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
  /* The worker pool only when there is more than one worker: libmicrohttpd warns about a
   * pool of one, and one internal thread is the same thing. */
  struct MHD_OptionItem pool[] = {
      {o->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, o->threads, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  flags |= serve_tls_daemon_flags(http->tls);
  struct MHD_OptionItem tls[SERVE_TLS_MHD_OPTIONS];
  serve_tls_daemon_options(http->tls, tls);
  /* libmicrohttpd's own limit is per network thread: set out of the way, the connection
   * table (serve_conn.c) counts them all */
  unsigned mhd_limit = o->max_connections * (o->threads > 1 ? o->threads : 1);
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, serve_http_request, http, MHD_OPTION_EXTERNAL_LOGGER, http_logger,
      log, /* first, to catch what the others say */
      MHD_OPTION_CONNECTION_LIMIT, mhd_limit, MHD_OPTION_NOTIFY_CONNECTION, serve_conns_notify,
      http->conns, MHD_OPTION_CONNECTION_TIMEOUT, o->timeout, MHD_OPTION_NOTIFY_COMPLETED,
      serve_http_completed, http, MHD_OPTION_URI_LOG_CALLBACK, serve_http_uri, http,
      MHD_OPTION_ARRAY, pool, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
  if (!d)
    cli_say(_("cannot start the HTTP service: %s"), errno ? strerror(errno) : "libmicrohttpd");
  return d;
}

/* Stops taking connections, waits for the requests in flight (as long as one may evaluate,
 * and ten seconds more to send), lets the workers finish what they hold, and stops.  The
 * workers go first: each resumes the connection it answered, and libmicrohttpd must not be
 * stopped with a connection suspended. */
static void stop_daemon(struct MHD_Daemon *d, serve_front *front, serve_http *http)
{
  serve_front_stop(front);
  unsigned waits = http->limits.eval_timeout_ms / 10 + 1000;
  for (unsigned i = 0; i < waits && atomic_load(&http->in_flight) > 0; i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  serve_pool_finish(http->pool); /* kept-alive connections may still ask: answered busy */
  MHD_stop_daemon(d);
  serve_pool_stop(http->pool);
  http->pool = NULL;
}

/* Who may call, for the log at start: the authentication, and a warning when anyone on the
 * machine (no --tokens), or anyone at all (--insecure-no-auth), may; or when the service
 * listens on every address. */
static void log_access(serve_log *log, const serve_options *o, serve_auth *auth)
{
  json_t *e = json_pack("{s:s, s:s, s:b}", "event", "access", "authentication",
                        o->tokens ? "tokens" : "none", "every_address", is_wildcard(&o->addr));
  if (o->tokens)
    json_object_set_new(e, "tokens", json_integer((json_int_t)serve_auth_count(auth)));
  if (!o->tokens)
    json_object_set_new(e, "warning",
                        json_string(is_loopback(&o->addr)
                                        ? "no --tokens: any program on this machine may call"
                                        : "--insecure-no-auth: anyone who reaches the address "
                                          "may call"));
  else if (is_wildcard(&o->addr))
    json_object_set_new(e, "warning", json_string("listening on every address"));
  serve_log_write(log, e);
}

/* Reads the tokens file again when asked (SIGHUP) or when it changed; logs the outcome. */
static void reload_tokens(serve_auth *auth, serve_log *log, const char *cause)
{
  char why[300];
  bool ok = serve_auth_reload(auth, why, sizeof why);
  json_t *e = json_pack("{s:s, s:s, s:s}", "event", "tokens", "cause", cause, "outcome",
                        ok ? "replaced" : "failed; the tokens in force stay");
  if (ok)
    json_object_set_new(e, "tokens", json_integer((json_int_t)serve_auth_count(auth)));
  else
    json_object_set_new(e, "error", json_string(why));
  serve_log_write(log, e);
}

static long ms_since(const struct timespec *t)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

/* Writes what the sweeps did to connections, at most once a second: a flood of slow or
 * surplus connections must not flood the log. */
static void log_connections(serve_log *log, serve_conns_tally *sum, struct timespec *logged)
{
  if (!(sum->timed_out || sum->refused || sum->evicted) || ms_since(logged) < 1000)
    return;
  serve_log_write(log, json_pack("{s:s, s:i, s:i, s:i, s:i}", "event", "connections", "open",
                                 (int)sum->open, "header_timeout", (int)sum->timed_out, "refused",
                                 (int)sum->refused, "evicted", (int)sum->evicted));
  *sum = (serve_conns_tally){0};
  clock_gettime(CLOCK_MONOTONIC, logged);
}

/* Takes signals until SIGINT or SIGTERM and returns that signal; meanwhile, four times a
 * second, closes the connections whose request head is overdue, and every watch_ms looks at
 * the rule files. */
static int signal_loop(serve_holder *holder, serve_http *http, const sigset_t *signals,
                       unsigned watch_ms)
{
  struct timespec polled, logged = {0};
  clock_gettime(CLOCK_MONOTONIC, &polled);
  serve_conns_tally sum = {0};
  for (;;) {
    int sig = sigtimedwait(signals, NULL, &(struct timespec){0, 250L * 1000 * 1000});
    if (sig == SIGHUP) {
      serve_holder_reload(holder, "SIGHUP");
      serve_tls_reload(http->tls, "SIGHUP"); /* a renewed certificate (serve_tls.c) */
      if (http->auth->path)
        reload_tokens(http->auth, http->log, "SIGHUP");
    } else if (sig == SIGINT || sig == SIGTERM) {
      return sig;
    }
    serve_conns_tally t = serve_conns_sweep(http->conns);
    sum.open = t.open;
    sum.timed_out += t.timed_out;
    sum.refused += t.refused;
    sum.evicted += t.evicted;
    log_connections(http->log, &sum, &logged);
    if (watch_ms && ms_since(&polled) >= (long)watch_ms) {
      serve_holder_poll(holder);
      if (serve_auth_changed(http->auth))
        reload_tokens(http->auth, http->log, "file changed");
      clock_gettime(CLOCK_MONOTONIC, &polled);
    }
  }
}

/* --new-token NAME:SCOPES: the token on one line, its line of the tokens file on the next. */
static int new_token(const char *spec)
{
  const char *colon = strchr(spec, ':');
  char name[128], why[300];
  size_t n = colon ? (size_t)(colon - spec) : 0;
  if (!colon || n >= sizeof name)
    return cli_usage_error(usage_serve, "--new-token takes NAME:SCOPES, not '%s'", spec);
  memcpy(name, spec, n);
  name[n] = '\0';
  if (!serve_new_token(name, colon + 1, stdout, why, sizeof why))
    return cli_usage_error(usage_serve, "%s", why);
  return EXIT_OK;
}

/* Where the workbench's page is when --workbench-assets does not say: where `make install`
 * put it. */
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/elig"
#endif
#define WORKBENCH_ASSETS PKGDATADIR "/workbench"

/* Opens --workbench DIR (serve_workbench.c); false after saying why. */
static bool open_workbench(const serve_options *o, serve_workbench *wb)
{
  char why[600];
  const char *assets = o->workbench_assets ? o->workbench_assets : WORKBENCH_ASSETS;
  if (!serve_workbench_open(wb, o->workbench, o->rules, assets, why, sizeof why)) {
    cli_say("%s", why);
    return false;
  }
  if (o->workbench_assets && wb->assets_fd < 0) {
    /* TRANSLATORS: %s is the folder --workbench-assets was given. */
    cli_say(_("--workbench-assets %s: no such folder"), o->workbench_assets);
    serve_workbench_close(wb);
    return false;
  }
  if (o->workbench_data && !serve_workbench_open_data(wb, o->workbench_data, why, sizeof why)) {
    cli_say("%s", why);
    serve_workbench_close(wb);
    return false;
  }
  wb->upload_max = o->workbench_upload_max;
  /* what the browser may not do without a token (serve_workbench_api.c: DNS rebinding) */
  wb->host_check = !o->tokens && !o->tls.client_ca && !o->insecure_no_auth;
  return true;
}

static void log_workbench(serve_log *log, const serve_workbench *wb)
{
  json_t *e =
      json_pack("{s:s, s:s, s:s, s:b, s:I}", "event", "workbench", "dir", wb->dir, "root", wb->root,
                "page", wb->assets_fd >= 0, "upload_max", (json_int_t)wb->upload_max);
  if (wb->data_dir) /* the folder's name only: what is in it is personal data */
    json_object_set_new(e, "data", json_string(wb->data_dir));
  serve_log_write(log, e);
}

static int run(serve_options o, serve_workbench *wb);

int cmd_serve(int argc, char **argv)
{
  serve_options o;
  int rc = parse_options(argc, argv, &o);
  if (rc)
    return rc < 0 ? EXIT_OK : rc; /* -1: --help was answered */
  if (o.new_token)
    return new_token(o.new_token);
  serve_workbench wb;
  if (o.workbench && !open_workbench(&o, &wb))
    return EXIT_USAGE;
  rc = run(o, o.workbench ? &wb : NULL);
  if (o.workbench)
    serve_workbench_close(&wb);
  return rc;
}

/* The service, from its start to its stop; its exit status. */
static int run(serve_options o, serve_workbench *wb)
{
  int rc;
  /* Blocked before any thread starts, so that every thread inherits the mask and only
   * sigtimedwait below takes these signals. */
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  serve_log log;
  serve_log_init(&log, STDERR_FILENO);
  serve_auth auth;
  char why[300];
  if (!serve_auth_init(&auth, o.tokens, why, sizeof why)) {
    /* TRANSLATORS: the tokens file (first %s) and what is wrong with it ("line 3: ..."). */
    cli_say(_("--tokens %s: %s"), o.tokens, why);
    serve_auth_fini(&auth);
    serve_log_fini(&log);
    return EXIT_USAGE;
  }
  serve_holder holder;
  if (!serve_holder_init(&holder, o.rules, o.register_path, &log)) {
    serve_auth_fini(&auth);
    serve_holder_fini(&holder);
    serve_log_fini(&log);
    return holder.register_refused ? EXIT_USAGE : EXIT_RULES;
  }
  serve_decisions *decisions = NULL;
  if (o.decisions.path && (rc = serve_decisions_open(&o.decisions, &holder, &log, &decisions))) {
    serve_auth_fini(&auth);
    serve_holder_fini(&holder);
    serve_log_fini(&log);
    return rc;
  }
  fit_file_limit(&o, &log);
  serve_tls *tls;
  if ((rc = serve_tls_start(&o.tls, &log, &tls)) != EXIT_OK) {
    serve_decisions_close(decisions);
    serve_auth_fini(&auth);
    serve_holder_fini(&holder);
    serve_log_fini(&log);
    return rc;
  }
  serve_limits limits = o.limits;
  limits.max_body = o.max_body;
  limits.request_timeout = o.request_timeout;
  serve_conns conns;
  serve_conns_init(&conns, o.max_connections, o.max_per_client, o.header_timeout);
  serve_http http = {.holder = &holder,
                     .log = &log,
                     .limits = limits,
                     .conns = &conns,
                     .auth = &auth,
                     .rules_endpoint = !o.no_rules_endpoint};
  http.tls = tls;
  http.decisions = decisions;
  http.workbench = wb;
  atomic_init(&http.in_flight, 0);
  atomic_init(&http.buffered, 0);
  http.metrics = o.no_metrics ? NULL : serve_metrics_new();
  holder.metrics = http.metrics;
  http.pool = serve_pool_start(o.workers, o.queue);
  if (!http.pool || (!http.metrics && !o.no_metrics)) {
    serve_pool_stop(http.pool);
    serve_metrics_free(http.metrics);
    serve_decisions_close(decisions);
    serve_conns_fini(&conns);
    serve_auth_fini(&auth);
    serve_tls_stop(tls);
    cli_say(_("out of memory"));
    serve_holder_fini(&holder);
    serve_log_fini(&log);
    return EXIT_IO;
  }
  http_log hlog = {.log = &log};
  pthread_mutex_init(&hlog.lock, NULL);
  int listen_fd = listen_on(&o);
  struct MHD_Daemon *d = listen_fd >= 0 ? start_daemon(&o, &http, &hlog) : NULL;
  serve_front *front = d ? serve_front_start(listen_fd, d, &http, tls == NULL) : NULL;
  if (!front) {
    if (d)
      cli_say(_("out of memory"));
    if (d)
      MHD_stop_daemon(d);
    else if (listen_fd >= 0)
      close(listen_fd);
    serve_pool_stop(http.pool);
    serve_metrics_free(http.metrics);
    serve_conns_fini(&conns);
    serve_auth_fini(&auth);
    serve_decisions_close(decisions);
    pthread_mutex_destroy(&hlog.lock);
    serve_tls_stop(tls);
    serve_holder_fini(&holder);
    serve_log_fini(&log);
    return EXIT_IO;
  }
  log_access(&log, &o, &auth);
  if (wb)
    log_workbench(&log, wb);
  serve_rules *r = serve_holder_acquire(&holder);
  serve_log_write(&log,
                  json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:i}", "event", "listening",
                            "listen", o.listen, "port", (int)serve_front_port(listen_fd), "policy",
                            elig_ruleset_policy(r->rs), "version", elig_ruleset_version(r->rs),
                            "rules", elig_ruleset_hash(r->rs), "threads", (int)o.threads, "workers",
                            (int)serve_pool_threads(http.pool)));
  serve_rules_release(r);

  int sig = signal_loop(&holder, &http, &signals, o.watch_ms);
  serve_log_write(&log, json_pack("{s:s, s:s, s:i}", "event", "stopping", "signal",
                                  sig == SIGINT ? "SIGINT" : "SIGTERM", "in_flight",
                                  (int)atomic_load(&http.in_flight)));
  stop_daemon(d, front, &http);
  serve_metrics_free(http.metrics);
  serve_conns_fini(&conns);
  serve_auth_fini(&auth);
  serve_tls_stop(tls);
  http_log_flush(&hlog);
  serve_decisions_close(decisions);
  pthread_mutex_destroy(&hlog.lock);
  serve_holder_fini(&holder);
  serve_log_write(&log, json_pack("{s:s}", "event", "stopped"));
  serve_log_fini(&log);
  return EXIT_OK;
}
