/*
 * diag.c -- collecting diagnostics and rendering them with a caret under the source.
 *
 * Pipeline: filled by every compiler stage through diag_add; read at the end by the CLI, the
 * library API and `elig serve` through diag_render and the accessors.  The codes come from
 * diag.def.  This is the only place that turns an elig_loc into "FILE:LINE:COL" text.
 */
#include "mem.h"
#include "diag.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* ---------------------------------------------------------------- the codes table */

static const struct diag_info {
  const char *code;
  diag_severity sev;
  const char *fmt;
  const char *help;
} diag_table[DIAG_ID_COUNT] = {
#define DIAG(id, code, sev, fmt, help) {code, DIAG_SEV_##sev, fmt, help},
#include "diag.def"
#undef DIAG
};

const char *diag_id_code(diag_id id)
{
  return (unsigned)id < DIAG_ID_COUNT ? diag_table[id].code : NULL;
}

diag_severity diag_id_severity(diag_id id)
{
  return (unsigned)id < DIAG_ID_COUNT ? diag_table[id].sev : DIAG_SEV_ERROR;
}

const char *diag_id_format(diag_id id)
{
  return (unsigned)id < DIAG_ID_COUNT ? _(diag_table[id].fmt) : NULL;
}

const char *diag_id_help(diag_id id)
{
  return (unsigned)id < DIAG_ID_COUNT ? _(diag_table[id].help) : NULL;
}

bool diag_id_from_code(const char *code, diag_id *id)
{
  if (!code)
    return false;
  for (unsigned i = 0; i < DIAG_ID_COUNT; i++)
    if (strcmp(diag_table[i].code, code) == 0) {
      if (id)
        *id = (diag_id)i;
      return true;
    }
  return false;
}

const char *diag_severity_name(diag_severity sev)
{
  switch (sev) {
  case DIAG_SEV_ERROR: return "error";
  case DIAG_SEV_WARNING: return "warning";
  case DIAG_SEV_NOTE: return "note";
  }
  return "error";
}

/* ---------------------------------------------------------------- data */

struct diag_note {
  elig_loc loc; /* may be ELIG_LOC_NONE */
  char *msg;    /* owned, sanitized */
};

struct diag {
  diag_id id;
  diag_severity sev;
  elig_loc loc;
  char *msg;               /* owned, sanitized */
  const char *help;        /* diag.def's help, or help_owned, or NULL */
  char *help_owned;        /* set by diag_add_help */
  struct diag_note *notes; /* owned array */
  size_t nnotes;
  size_t seq; /* order of addition, for a stable sort */
};

struct diag_list {
  struct diag *items;
  size_t n, cap;
  size_t nerrors;      /* errors reported, kept or not */
  size_t nwarnings;    /* warnings reported, kept or not */
  size_t nkept_errors; /* errors stored, compared with the cap */
  size_t seq;          /* next sequence number */
  unsigned max_errors; /* 0: no cap */
  bool capped;         /* E_TOO_MANY_ERRORS was added: drop everything now */
  bool oom;            /* an allocation failed */
};

/* ---------------------------------------------------------------- growing strings */

typedef struct {
  char *p;
  size_t len, cap;
  bool oom;
} strbuf;

static void sb_putn(strbuf *sb, const char *s, size_t n)
{
  if (sb->oom)
    return;
  if (n >= sb->cap - sb->len || sb->cap == 0) {
    size_t need, ncap;
    if (__builtin_add_overflow(sb->len, n, &need) || __builtin_add_overflow(need, 1, &need)) {
      sb->oom = true;
      return;
    }
    ncap = sb->cap ? sb->cap : 256;
    while (ncap < need) {
      if (__builtin_mul_overflow(ncap, 2, &ncap)) {
        ncap = need;
        break;
      }
    }
    char *np = mem_realloc(sb->p, ncap);
    if (!np) {
      sb->oom = true;
      return;
    }
    sb->p = np;
    sb->cap = ncap;
  }
  if (n > 0)
    memcpy(sb->p + sb->len, s, n);
  sb->len += n;
  sb->p[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s)
{
  sb_putn(sb, s, strlen(s));
}

static void sb_repeat(strbuf *sb, char c, size_t n)
{
  char chunk[32];
  memset(chunk, c, sizeof chunk);
  while (n > 0) {
    size_t k = n < sizeof chunk ? n : sizeof chunk;
    sb_putn(sb, chunk, k);
    n -= k;
  }
}

DIAG_PRINTF(2, 3)
static void sb_printf(strbuf *sb, const char *fmt, ...)
{
  char small[64];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->oom = true;
    return;
  }
  if ((size_t)n < sizeof small) {
    sb_putn(sb, small, (size_t)n);
    return;
  }
  char *big = mem_alloc((size_t)n + 1);
  if (!big) {
    sb->oom = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_putn(sb, big, (size_t)n);
  mem_free(big);
}

/* A malloc'd string from a printf format and a va_list; NULL when out of memory. */
DIAG_PRINTF(1, 0)
static char *vformat(const char *fmt, va_list ap)
{
  va_list ap2;
  int n;
  char *s = NULL;

  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap);
  if (n >= 0 && (s = mem_alloc((size_t)n + 1)) != NULL)
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return s;
}

/* ---------------------------------------------------------------- characters */

/* Appends s[0..n) with unsafe characters escaped: for messages and file names, where the
 * reader needs to see what the character was and nothing has to line up. */
static void sb_put_escaped(strbuf *sb, const char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t step = src_utf8_decode(s + i, n - i, &cp);
    if (cp == 0xFFFD && step == 1 && (unsigned char)s[i] >= 0x80)
      sb_printf(sb, "\\x%02X", (unsigned)(unsigned char)s[i]);
    else if (cp == '\n')
      sb_puts(sb, "\\n");
    else if (cp == '\t')
      sb_puts(sb, "\\t");
    else if (utf8_unsafe_on_terminal(cp))
      sb_printf(sb, "\\u{%X}", (unsigned)cp);
    else
      sb_putn(sb, s + i, step);
    i += step;
  }
}

/* A malloc'd escaped copy of s; NULL when out of memory. */
static char *escape_dup(const char *s)
{
  strbuf sb = {0};
  sb_put_escaped(&sb, s, strlen(s));
  sb_putn(&sb, "", 0); /* so that "" gives an allocated empty string */
  if (sb.oom) {
    mem_free(sb.p);
    return NULL;
  }
  return sb.p;
}

/* ---------------------------------------------------------------- the list */

diag_list *diag_list_new(void)
{
  diag_list *l = mem_calloc(1, sizeof *l);
  if (l)
    l->max_errors = DIAG_DEFAULT_MAX_ERRORS;
  return l;
}

static void diag_fini(struct diag *d)
{
  mem_free(d->msg);
  mem_free(d->help_owned);
  for (size_t j = 0; j < d->nnotes; j++)
    mem_free(d->notes[j].msg);
  mem_free(d->notes);
}

void diag_list_free(diag_list *list)
{
  if (!list)
    return;
  for (size_t i = 0; i < list->n; i++)
    diag_fini(&list->items[i]);
  mem_free(list->items);
  mem_free(list);
}

void diag_set_max_errors(diag_list *list, unsigned max_errors)
{
  if (list)
    list->max_errors = max_errors;
}

/* Stores a diagnostic whose message is already formatted (takes `msg`).  Returns its index or
 * DIAG_NONE. */
static int push(diag_list *l, diag_id id, elig_loc loc, char *msg)
{
  if (!msg || l->n >= (size_t)INT32_MAX) {
    mem_free(msg);
    l->oom = true;
    return DIAG_NONE;
  }
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 8;
    struct diag *ni =
        ncap <= SIZE_MAX / sizeof *ni ? mem_realloc(l->items, ncap * sizeof *ni) : NULL;
    if (!ni) {
      mem_free(msg);
      l->oom = true;
      return DIAG_NONE;
    }
    l->items = ni;
    l->cap = ncap;
  }
  struct diag *d = &l->items[l->n];
  memset(d, 0, sizeof *d);
  d->id = id;
  d->sev = diag_table[id].sev;
  d->loc = loc;
  d->msg = msg;
  d->help = _(diag_table[id].help);
  d->seq = l->seq++;
  return (int)l->n++;
}

/* Formats and escapes a message; NULL when out of memory. */
static char *make_message(const char *fmt, va_list ap)
{
  char *raw, *msg;
  /* The format is a row of diag.def, a literal chosen by id; diag.def lists the argument types
   * callers must pass, since the compiler cannot see the format at the call site. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  raw = vformat(fmt, ap);
#pragma GCC diagnostic pop
  if (!raw)
    return NULL;
  msg = escape_dup(raw);
  mem_free(raw);
  return msg;
}

const char *diag_vformat(diag_id id, char *buf, size_t size, va_list ap)
{
  if (!size)
    return buf;
  buf[0] = '\0';
  if ((unsigned)id >= DIAG_ID_COUNT)
    return buf;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  vsnprintf(buf, size, _(diag_table[id].fmt), ap);
#pragma GCC diagnostic pop
  return buf;
}

const char *diag_format(diag_id id, char *buf, size_t size, ...)
{
  va_list ap;
  va_start(ap, size);
  diag_vformat(id, buf, size, ap);
  va_end(ap);
  return buf;
}

/* push with the message formatted from diag.def, bypassing the counts and the cap. */
static int push_fmt(diag_list *l, diag_id id, elig_loc loc, ...)
{
  va_list ap;
  int idx;
  va_start(ap, loc);
  idx = push(l, id, loc, make_message(_(diag_table[id].fmt), ap));
  va_end(ap);
  return idx;
}

int diag_addv(diag_list *list, diag_id id, elig_loc loc, va_list ap)
{
  if (!list || (unsigned)id >= DIAG_ID_COUNT)
    return DIAG_NONE;
  bool is_error = diag_table[id].sev == DIAG_SEV_ERROR;
  if (is_error)
    list->nerrors++;
  else
    list->nwarnings++;
  if (list->capped)
    return DIAG_NONE;
  /* warnings are capped too: a generated file can raise thousands; they stay counted */
  if (!is_error && list->nwarnings > DIAG_MAX_WARNINGS)
    return DIAG_NONE;
  if (is_error && list->max_errors != 0 && list->nkept_errors >= list->max_errors) {
    list->capped = true;
    push_fmt(list, DIAG_E_TOO_MANY_ERRORS, ELIG_LOC_NONE, list->max_errors);
    return DIAG_NONE;
  }
  int idx = push(list, id, loc, make_message(_(diag_table[id].fmt), ap));
  if (idx != DIAG_NONE && is_error)
    list->nkept_errors++;
  return idx;
}

int diag_add(diag_list *list, diag_id id, elig_loc loc, ...)
{
  va_list ap;
  int idx;
  va_start(ap, loc);
  idx = diag_addv(list, id, loc, ap);
  va_end(ap);
  return idx;
}

static struct diag *get(const diag_list *list, size_t i)
{
  if (!list || i >= list->n)
    return NULL;
  return &list->items[i];
}

int diag_add_help(diag_list *list, int idx, const char *fmt, ...)
{
  struct diag *d = idx < 0 ? NULL : get(list, (size_t)idx);
  va_list ap;
  char *msg;

  if (!d || !fmt)
    return -1;
  va_start(ap, fmt);
  msg = make_message(_(fmt), ap); /* po/Makevars: diag_add_help:3, diag_add_note:4 */
  va_end(ap);
  if (!msg) {
    list->oom = true;
    return -1;
  }
  mem_free(d->help_owned);
  d->help_owned = msg;
  d->help = msg;
  return 0;
}

int diag_add_note(diag_list *list, int idx, elig_loc loc, const char *fmt, ...)
{
  struct diag *d = idx < 0 ? NULL : get(list, (size_t)idx);
  struct diag_note *nn;
  va_list ap;
  char *msg;

  if (!d || !fmt)
    return -1;
  va_start(ap, fmt);
  msg = make_message(_(fmt), ap); /* po/Makevars: diag_add_help:3, diag_add_note:4 */
  va_end(ap);
  if (!msg) {
    list->oom = true;
    return -1;
  }
  /* Notes are few (one or two per diagnostic), so growing by one is fine. */
  nn = d->nnotes < SIZE_MAX / sizeof *nn - 1 ? mem_realloc(d->notes, (d->nnotes + 1) * sizeof *nn)
                                             : NULL;
  if (!nn) {
    mem_free(msg);
    list->oom = true;
    return -1;
  }
  d->notes = nn;
  d->notes[d->nnotes].loc = loc;
  d->notes[d->nnotes].msg = msg;
  d->nnotes++;
  return 0;
}

size_t diag_error_count(const diag_list *list)
{
  return list ? list->nerrors : 0;
}

size_t diag_warning_count(const diag_list *list)
{
  return list ? list->nwarnings : 0;
}

bool diag_out_of_memory(const diag_list *list)
{
  return list ? list->oom : false;
}

static int cmp_diag(const void *a, const void *b)
{
  const struct diag *x = a, *y = b;
  if (x->loc.file != y->loc.file)
    return x->loc.file < y->loc.file ? -1 : 1;
  if (x->loc.file != SRC_NO_FILE && x->loc.start != y->loc.start)
    return x->loc.start < y->loc.start ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_sort(diag_list *list)
{
  if (list && list->n > 1)
    qsort(list->items, list->n, sizeof list->items[0], cmp_diag);
}

/* ---------------------------------------------------------------- accessors */

size_t diag_count(const diag_list *list)
{
  return list ? list->n : 0;
}

diag_id diag_get_id(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->id : DIAG_ID_COUNT;
}

diag_severity diag_get_severity(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->sev : DIAG_SEV_ERROR;
}

const char *diag_get_code(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? diag_table[d->id].code : NULL;
}

const char *diag_get_message(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->msg : NULL;
}

const char *diag_get_help(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->help : NULL;
}

elig_loc diag_get_loc(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->loc : ELIG_LOC_NONE;
}

int diag_get_pos(const diag_list *list, const src_set *set, size_t i, diag_pos *pos)
{
  const struct diag *d = get(list, i);
  diag_pos p = {NULL, 0, 0, 0, 0};

  if (d && d->loc.file != SRC_NO_FILE && src_file_name(set, d->loc.file)) {
    uint32_t end = d->loc.end < d->loc.start ? d->loc.start : d->loc.end;
    p.file = src_file_name(set, d->loc.file);
    src_position(set, d->loc.file, d->loc.start, &p.line, &p.col);
    src_position(set, d->loc.file, end, &p.end_line, &p.end_col);
  }
  if (pos)
    *pos = p;
  return d ? 0 : -1;
}

size_t diag_note_count(const diag_list *list, size_t i)
{
  const struct diag *d = get(list, i);
  return d ? d->nnotes : 0;
}

const char *diag_note_message(const diag_list *list, size_t i, size_t j)
{
  const struct diag *d = get(list, i);
  return d && j < d->nnotes ? d->notes[j].msg : NULL;
}

elig_loc diag_note_loc(const diag_list *list, size_t i, size_t j)
{
  const struct diag *d = get(list, i);
  return d && j < d->nnotes ? d->notes[j].loc : ELIG_LOC_NONE;
}

/* ---------------------------------------------------------------- rendering */

#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[1;31m"
#define ANSI_MAGENTA "\033[1;35m"
#define ANSI_CYAN "\033[1;36m"
#define ANSI_GREEN "\033[1;32m"
#define ANSI_RESET "\033[0m"

/* Least width of the line-number margin: GCC's, and the one the style guide shows. */
#define MIN_GUTTER 5u

#define TAB_STOP 8u

static const char *sev_color(diag_severity sev)
{
  switch (sev) {
  case DIAG_SEV_ERROR: return ANSI_RED;
  case DIAG_SEV_WARNING: return ANSI_MAGENTA;
  case DIAG_SEV_NOTE: return ANSI_CYAN;
  }
  return ANSI_RED;
}

static unsigned digits(uint32_t n)
{
  unsigned d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

/* Writes the source line, with unsafe bytes shown as U+FFFD so the terminal shows exactly one
 * cell for each, as the caret line assumes. */
static void put_source_line(strbuf *sb, const char *s, uint32_t n)
{
  uint32_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t step = src_utf8_decode(s + i, n - i, &cp);
    if (cp == '\t')
      sb_putn(sb, "\t", 1);
    else if ((cp == 0xFFFD && step == 1) || utf8_unsafe_on_terminal(cp))
      sb_puts(sb, "\xEF\xBF\xBD");
    else if (cp != 0xFEFF)
      sb_putn(sb, s + i, step);
    i += (uint32_t)step;
  }
}

/* Cells taken by one character of a source line, starting at terminal column `col`. */
static unsigned cell_width(uint32_t cp, size_t step, size_t col)
{
  if (cp == '\t')
    return TAB_STOP - (unsigned)(col % TAB_STOP);
  if ((cp == 0xFFFD && step == 1) || utf8_unsafe_on_terminal(cp))
    return 1;
  return utf8_cp_width(cp);
}

/* Renders the source line and caret line for `loc`, which must be in `set`. */
/* Source lines longer than this many bytes are shown as a window around the span. */
#define SNIPPET_MAX 200

static void render_snippet(strbuf *sb, const src_set *set, elig_loc loc, uint32_t line, bool color)
{
  const char *text;
  uint32_t len, lstart, flen;
  unsigned gw = digits(line);

  if (gw < MIN_GUTTER)
    gw = MIN_GUTTER;
  if (src_line(set, loc.file, line, &text, &len) != SRC_OK ||
      src_line_start(set, loc.file, line, &lstart) != SRC_OK)
    return;
  src_text(set, loc.file, &flen);

  /* The span in bytes of this line, clipped to it. */
  uint32_t start = loc.start > flen ? flen : loc.start;
  uint32_t end = loc.end > flen ? flen : loc.end;
  if (end < start)
    end = start;
  uint32_t s = start - lstart > len ? len : start - lstart;
  uint32_t e = end - lstart > len ? len : end - lstart;

  /* A very long line (a generated file, or one with bare CR line ends) is shown as a window
   * around the span, so that one diagnostic stays a few lines long. */
  bool cut_left = false, cut_right = false;
  if (len > SNIPPET_MAX) {
    uint32_t ws = s > SNIPPET_MAX / 2 ? s - SNIPPET_MAX / 2 : 0;
    while (ws > 0 && ((unsigned char)text[ws] & 0xC0) == 0x80)
      ws--;
    uint32_t we = ws + SNIPPET_MAX;
    if (we > len)
      we = len;
    while (we < len && ((unsigned char)text[we] & 0xC0) == 0x80)
      we++;
    cut_left = ws > 0;
    cut_right = we < len;
    text += ws;
    len = we - ws;
    s -= ws;
    e = e < ws ? 0 : e - ws > len ? len : e - ws;
  }

  sb_printf(sb, "%*u |", (int)gw, (unsigned)line);
  if (len > 0) {
    sb_putn(sb, " ", 1);
    if (cut_left)
      sb_puts(sb, "...");
    put_source_line(sb, text, len);
    if (cut_right)
      sb_puts(sb, "...");
  }
  sb_putn(sb, "\n", 1);

  sb_repeat(sb, ' ', gw);
  sb_puts(sb, cut_left ? " |    " : " | ");
  size_t col = gw + (cut_left ? 6 : 3); /* terminal column, for tab stops */
  uint32_t i = 0;
  while (i < s) {
    uint32_t cp;
    size_t step = src_utf8_decode(text + i, len - i, &cp);
    if (step > s - i)
      break; /* s is inside this character: the caret goes under it */
    unsigned w = cell_width(cp, step, col);
    if (cp == '\t')
      sb_putn(sb, "\t", 1);
    else
      sb_repeat(sb, ' ', w);
    col += w;
    i += (uint32_t)step;
  }
  if (color)
    sb_puts(sb, ANSI_GREEN);
  size_t marks = 0;
  while (i < e) {
    uint32_t cp;
    size_t step = src_utf8_decode(text + i, len - i, &cp);
    unsigned w = cell_width(cp, step, col);
    for (unsigned k = 0; k < w; k++, marks++)
      sb_putn(sb, marks == 0 ? "^" : "~", 1);
    col += w;
    i += (uint32_t)step;
  }
  if (marks == 0)
    sb_putn(sb, "^", 1);
  if (color)
    sb_puts(sb, ANSI_RESET);
  sb_putn(sb, "\n", 1);
}

/* "= help: ..." and "= note: ..." lines, indented to the margin. */
static void render_tail(strbuf *sb, unsigned gw, const char *label, const char *msg, bool color)
{
  sb_repeat(sb, ' ', gw);
  sb_puts(sb, " = ");
  if (color)
    sb_puts(sb, ANSI_BOLD);
  sb_puts(sb, label);
  sb_puts(sb, ":");
  if (color)
    sb_puts(sb, ANSI_RESET);
  sb_puts(sb, " ");
  sb_puts(sb, msg);
  sb_puts(sb, "\n");
}

/* One header line plus, when located, the snippet.  Returns the margin width used. */
static unsigned render_one(strbuf *sb, const src_set *set, elig_loc loc, diag_severity sev,
                           const char *code, const char *msg, bool color)
{
  const char *name = loc.file == SRC_NO_FILE ? NULL : src_file_name(set, loc.file);
  uint32_t line = 0, col = 0;
  unsigned gw = MIN_GUTTER;

  if (color)
    sb_puts(sb, ANSI_BOLD);
  if (name) {
    src_position(set, loc.file, loc.start, &line, &col);
    sb_put_escaped(sb, name, strlen(name));
    sb_printf(sb, ":%u:%u:", (unsigned)line, (unsigned)col);
    if (digits(line) > gw)
      gw = digits(line);
  } else {
    sb_puts(sb, "elig:");
  }
  if (color)
    sb_puts(sb, ANSI_RESET);
  sb_puts(sb, " ");
  if (color)
    sb_puts(sb, sev_color(sev));
  sb_puts(sb, diag_severity_name(sev));
  if (code) {
    sb_puts(sb, "[");
    sb_puts(sb, code);
    sb_puts(sb, "]");
  }
  sb_puts(sb, ":");
  if (color)
    sb_puts(sb, ANSI_RESET);
  sb_puts(sb, " ");
  sb_puts(sb, msg);
  sb_puts(sb, "\n");
  if (name)
    render_snippet(sb, set, loc, line, color);
  return gw;
}

char *diag_render(const diag_list *list, const src_set *set, bool color)
{
  return diag_render_range(list, set, 0, list ? list->n : 0, color);
}

char *diag_render_range(const diag_list *list, const src_set *set, size_t from, size_t to,
                        bool color)
{
  strbuf sb = {0};

  sb_putn(&sb, "", 0);
  for (size_t i = from; list && i < to && i < list->n; i++) {
    const struct diag *d = &list->items[i];
    unsigned gw = render_one(&sb, set, d->loc, d->sev, diag_table[d->id].code, d->msg, color);
    if (d->help)
      render_tail(&sb, gw, "help", d->help, color);
    for (size_t j = 0; j < d->nnotes; j++) {
      const struct diag_note *nt = &d->notes[j];
      if (nt->loc.file != SRC_NO_FILE && src_file_name(set, nt->loc.file))
        render_one(&sb, set, nt->loc, DIAG_SEV_NOTE, NULL, nt->msg, color);
      else
        render_tail(&sb, gw, "note", nt->msg, color);
    }
  }
  if (sb.oom) {
    mem_free(sb.p);
    return NULL;
  }
  return sb.p;
}
