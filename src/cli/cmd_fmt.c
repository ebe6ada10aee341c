/*
 * cmd_fmt.c -- `elig fmt`: rewrites rule files in the canonical layout (elig_format_rules).
 *
 *   elig fmt FILE...           rewrite each file in place (unchanged files are not touched)
 *   elig fmt --check FILE...   write nothing; list the files that are not formatted
 *   elig fmt -                 standard input to standard output
 *
 * A file that does not parse is left as it is and its first error printed.  A file is
 * replaced by writing a temporary file in the same folder and renaming it over the old one,
 * so an interrupted run never leaves half a rule file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *const usage_fmt[] = {
    /* TRANSLATORS: the start of `elig fmt --help`.  The command line after "usage:" is typed
       as it is; '-' is typed as it is. */
    N_("usage: elig fmt [options] FILE...\n"
       "\n"
       "Rewrites each rule file in the one canonical layout, keeping its comments; a file\n"
       "already formatted is not touched.  '-' reads standard input and writes the result to\n"
       "standard output.  A file that does not parse is left as it is.\n"),
    /* TRANSLATORS: the options of `elig fmt --help`: translate the descriptions only. */
    N_("\n"
       "options:\n"
       "  --check                write nothing; list the files that are not formatted\n"
       "  -h, --help             this help\n"),
    /* TRANSLATORS: the end of `elig fmt --help`: the exit statuses a script sees. */
    N_("\n"
       "exit status: 0 all formatted, 1 a file is not formatted (--check) or does not\n"
       "parse, 2 usage, 4 a file could not be read or written\n"),
    NULL};

/* Reads all of `in`; a malloc'd buffer (NUL-terminated) or NULL with errno set. */
static char *read_all(FILE *in, size_t *len)
{
  size_t cap = 8192, n = 0;
  char *buf = malloc(cap);
  if (!buf)
    return NULL;
  for (;;) {
    if (n + 1 >= cap) {
      char *b = realloc(buf, cap * 2);
      if (!b) {
        free(buf);
        errno = ENOMEM;
        return NULL;
      }
      buf = b;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, in);
    n += got;
    if (got == 0) {
      if (ferror(in)) {
        int e = errno ? errno : EIO;
        free(buf);
        errno = e;
        return NULL;
      }
      break;
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Writes `text` over `path` through a temporary file in the same folder, keeping the
 * file's permissions; a symbolic link is followed, not replaced.  0, or -1 with a message
 * printed. */
static int replace_file(const char *path, const char *text, size_t len)
{
  char *real = realpath(path, NULL);
  const char *target = real ? real : path;
  struct stat st;
  bool have_st = stat(target, &st) == 0;
  const char *slash = strrchr(target, '/');
  size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
  const char *base = slash ? slash + 1 : target;
  size_t tlen = dirlen + strlen(base) + 32;
  char *tmp = malloc(tlen);
  int rc = -1, fd = -1;
  if (!tmp) {
    cli_say(_("out of memory"));
    goto done;
  }
  snprintf(tmp, tlen, "%.*s.%s.fmt-XXXXXX", (int)dirlen, target, base);
  fd = mkstemp(tmp);
  if (fd < 0) {
    cli_say(_("cannot write '%s': %s"), path, strerror(errno));
    goto done;
  }
  if (have_st)
    (void)fchmod(fd, st.st_mode & 07777);
  const char *p = text;
  size_t left = len;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      cli_say(_("cannot write '%s': %s"), path, strerror(w < 0 ? errno : EIO));
      goto done;
    }
    p += w;
    left -= (size_t)w;
  }
  if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    cli_say(_("cannot write '%s': %s"), path, strerror(errno));
    goto done;
  }
  int c = close(fd);
  fd = -1;
  if (c != 0) {
    cli_say(_("cannot write '%s': %s"), path, strerror(errno));
    goto done;
  }
  if (rename(tmp, target) != 0) {
    /* TRANSLATORS: a rule file (the first %s) could not be replaced by its formatted text;
       the second %s is the system's reason. */
    cli_say(_("cannot replace '%s': %s"), path, strerror(errno));
    goto done;
  }
  rc = 0;
done:
  if (fd >= 0)
    close(fd);
  if (rc != 0 && tmp)
    unlink(tmp);
  free(tmp);
  free(real);
  return rc;
}

/* Formats one file (or standard input for "-").  Returns an exit status; *unformatted is
 * set when --check finds the file not formatted. */
static int fmt_one(const char *path, bool check, bool *unformatted)
{
  bool std = strcmp(path, "-") == 0;
  const char *name = std ? "<stdin>" : path;
  FILE *in = std ? stdin : fopen(path, "rb");
  if (!in) {
    /* TRANSLATORS: a file (the first %s) and the system's reason it cannot be read. */
    cli_say(_("cannot read '%s': %s"), path, strerror(errno));
    return EXIT_IO;
  }
  size_t len = 0;
  char *src = read_all(in, &len);
  int e = errno;
  if (!std)
    fclose(in);
  if (!src) {
    cli_say(_("cannot read '%s': %s"), name, strerror(e));
    return EXIT_IO;
  }
  char *out = NULL;
  size_t outlen = 0;
  elig_diags *diags = NULL;
  elig_status rc = elig_format_rules(name, src, len, &out, &outlen, &diags);
  if (rc != ELIG_OK) {
    if (rc == ELIG_ESYNTAX) {
      /* the first error, with its help and notes: the one to fix first */
      char *first = elig_diags_render_one(diags, 0, false);
      if (first)
        fputs(first, stderr);
      /* TRANSLATORS: %s is the rule file (or <stdin>) elig fmt left as it was. */
      cli_say(_("'%s' does not parse; it was not formatted"), name);
      elig_free(first);
    } else if (rc == ELIG_EINTERNAL) {
      /* TRANSLATORS: %s is the rule file elig fmt left as it was. */
      cli_say(_("%s: internal error: the formatted text would not mean the same; the file is "
                "left as it is (please report this)"),
              name);
    } else if (rc == ELIG_EINVAL) {
      cli_say(_("%s: the file is too large for a rule file"), name);
    } else {
      /* TRANSLATORS: %s is the rule file elig fmt was formatting. */
      cli_say(_("%s: out of memory"), name);
    }
    elig_diags_free(diags);
    free(src);
    return rc == ELIG_ENOMEM ? EXIT_IO : EXIT_RULES;
  }
  bool same = outlen == len && memcmp(out, src, len) == 0;
  int status = EXIT_OK;
  if (check) {
    if (!same) {
      printf("%s\n", name);
      *unformatted = true;
    }
  } else if (std) {
    if (fwrite(out, 1, outlen, stdout) != outlen || fflush(stdout) != 0) {
      cli_say(_("cannot write to standard output: %s"), strerror(errno));
      status = EXIT_IO;
    }
  } else if (!same && replace_file(path, out, outlen) != 0) {
    status = EXIT_IO;
  }
  elig_free(out);
  free(src);
  return status;
}

int cmd_fmt(int argc, char **argv)
{
  static const struct option opts[] = {
      {"check", no_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
  bool check = false;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (c == 'h') {
      cli_print_usage(usage_fmt, stdout);
      return EXIT_OK;
    }
    if (c == 'c') {
      check = true;
      continue;
    }
    /* TRANSLATORS: %s is an option of the command line elig fmt does not have. */
    return cli_usage_error(usage_fmt, "unknown option '%s'", argv[optind - 1]);
  }
  if (optind >= argc)
    return cli_usage_error(usage_fmt, "no rule file given ('-' formats standard input)", NULL);
  int status = EXIT_OK, unformatted = 0;
  for (int i = optind; i < argc; i++) {
    bool bad = false;
    int st = fmt_one(argv[i], check, &bad);
    unformatted += bad;
    if (st > status)
      status = st;
  }
  if (unformatted) {
    /* TRANSLATORS: elig fmt --check found that many files not formatted; 'elig fmt FILE...'
       is a command to type. */
    cli_say(i18n_plural("%d file is not formatted; 'elig fmt FILE...' rewrites it",
                        "%d files are not formatted; 'elig fmt FILE...' rewrites them",
                        (unsigned long)unformatted),
            unformatted);
    if (status < EXIT_RULES)
      status = EXIT_RULES;
  }
  return status;
}
