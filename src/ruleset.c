/*
 * ruleset.c -- loads a root rule file and its imports, then checks and compiles them.
 *
 * Imports are resolved relative to the importing file's folder.  Files are ordered so that
 * every import comes before its importer (depth first), which is the order check.c merges
 * them in: a later file may override what an earlier one declared.  An import cycle is an
 * error that names the whole cycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "i18n.h"
#include "mem.h"
#include "check.h"
#include "compile.h"
#include "parse.h"
#include "ruleset.h"
#include "wbuf.h"

typedef struct {
  src_set *srcs;
  ast_arena *arena;
  diag_list *diags;
  ast_file *order[RULESET_MAX_FILES]; /* imports before importers */
  uint32_t norder;
  uint32_t stack[RULESET_MAX_FILES]; /* files being loaded, for cycle reports */
  uint32_t depth;
  bool done[RULESET_MAX_FILES]; /* by file id: already placed in order */
  bool no_imports;
  const src_set *stored; /* ruleset_source.stored */
} loader;

/* The path of `target` relative to the folder of `from`; malloc'd. */
static char *relative_to(const char *from, const char *target)
{
  const char *slash = strrchr(from, '/');
  size_t dir = target[0] == '/' || !slash ? 0 : (size_t)(slash - from + 1);
  size_t n = strlen(target);
  char *p = mem_alloc(dir + n + 1);
  if (p) {
    memcpy(p, from, dir);
    memcpy(p + dir, target, n + 1);
  }
  return p;
}

static void load(loader *L, uint32_t file);

/* Collapses "dir/../", "./" and empty parts of a relative path, in place, as a folder of
 * files would resolve them: "provinces/../national.rules" is "national.rules".  A ".." that
 * would climb above the first folder stays.  For a set of stored files, named without such
 * parts, where nothing on disk resolves them (a province's file imports "../national.rules").
 * The path is written over itself, never ahead of where it is read. */
static void collapse_dots(char *path)
{
  if (path[0] == '/')
    return;
  size_t len = 0, kept = 0; /* kept: components written that a ".." may take back */
  for (const char *p = path; *p; p += strcspn(p, "/"), p += *p == '/') {
    size_t n = strcspn(p, "/");
    bool up = n == 2 && p[0] == '.' && p[1] == '.';
    if (n == 0 || (n == 1 && p[0] == '.'))
      continue;
    if (up && kept) {
      while (len && path[len - 1] != '/')
        len--;
      len -= len > 0; /* and the '/' before it */
      kept--;
      continue;
    }
    if (len)
      path[len++] = '/';
    memmove(path + len, p, n);
    len += n;
    kept += !up;
  }
  path[len] = '\0';
}

/* A file of the stored set into L's, as src_set_load would read it from disk. */
static int copy_stored(loader *L, const char *path, uint32_t *id, char **err)
{
  uint32_t from, len = 0;
  *err = NULL;
  if (!src_set_find(L->stored, path, &from)) {
    /* TRANSLATORS: why a rule file cannot be read: a register's rules import it, and the
     * register does not keep it. */
    const char *reason = _("not among the stored rule files");
    size_t n = strlen(path) + strlen(reason) + 32;
    /* the words after "': " are the reason said (load_import, load_root): only they are
     * translated, the code reads the rest */
    if ((*err = mem_alloc(n)))
      snprintf(*err, n, "cannot read '%s': %s", path, reason);
    return SRC_EIO;
  }
  const char *text = src_text(L->stored, from, &len);
  return src_set_add_string(L->srcs, path, text, len, id);
}

static void import(loader *L, uint32_t from, ast_decl *d)
{
  if (L->no_imports) {
    diag_add(L->diags, DIAG_E_IMPORT_REFUSED, d->name_loc, d->text);
    return;
  }
  char *path = relative_to(src_file_name(L->srcs, from), d->text);
  uint32_t id;
  if (!path) {
    diag_add(L->diags, DIAG_E_NO_MEMORY, d->loc);
    return;
  }
  /* stored files are named as given: a name kept with its ".." (a register's, stored as a
   * compilation from disk named it) is found as it is, any other once collapsed */
  if (L->stored && !src_set_find(L->stored, path, NULL))
    collapse_dots(path);
  if (src_set_find(L->srcs, path, &id)) {
    for (uint32_t i = 0; i < L->depth; i++)
      if (L->stack[i] == id) {
        /* a -> b -> a */
        size_t len = 0, cap = 64;
        for (uint32_t j = i; j < L->depth; j++)
          cap += strlen(src_file_name(L->srcs, L->stack[j])) + 4;
        char *cycle = mem_alloc(cap + strlen(path));
        if (cycle) {
          for (uint32_t j = i; j < L->depth; j++)
            len += (size_t)snprintf(cycle + len, cap - len, "%s -> ",
                                    src_file_name(L->srcs, L->stack[j]));
          snprintf(cycle + len, cap + strlen(path) - len, "%s", path);
          diag_add(L->diags, DIAG_E_IMPORT_CYCLE, d->name_loc, cycle);
          mem_free(cycle);
        }
        mem_free(path);
        return;
      }
    mem_free(path);
    return; /* already loaded through another import */
  }
  if (src_set_count(L->srcs) >= RULESET_MAX_FILES) {
    /* TRANSLATORS: what the rules have too many of, in "the rules are too large: too many
     * %s". */
    diag_add(L->diags, DIAG_E_TOO_LARGE, d->name_loc, _("imported files"));
    mem_free(path);
    return;
  }
  char *err = NULL;
  int st = L->stored ? copy_stored(L, path, &id, &err) : src_set_load(L->srcs, path, &id, &err);
  if (st == SRC_ETOOBIG) {
    diag_add(L->diags, DIAG_E_FILE_TOO_LARGE, d->name_loc, path, (unsigned)SRC_DEFAULT_MAX_SIZE);
    mem_free(err);
    mem_free(path);
    return;
  }
  if (st == SRC_ENOMEM) {
    diag_add(L->diags, DIAG_E_NO_MEMORY, d->name_loc);
    mem_free(err);
    mem_free(path);
    return;
  }
  if (st != SRC_OK) {
    int idx = diag_add(L->diags, DIAG_E_IMPORT_NOT_FOUND, d->name_loc, d->text);
    const char *reason = err ? strstr(err, "': ") : NULL;
    if (reason)
      /* TRANSLATORS: the help of "import not found": %1$s is the file looked for, %2$s why
       * it cannot be read. */
      diag_add_help(L->diags, idx, _("looked for '%s': %s"), path, reason + 3);
    mem_free(err);
    mem_free(path);
    return;
  }
  mem_free(path);
  load(L, id);
}

static void load(loader *L, uint32_t file)
{
  ast_file *f = parse_file(L->srcs, file, L->arena, L->diags);
  if (!f) {
    diag_add(L->diags, DIAG_E_NO_MEMORY, (elig_loc){file, 0, 0});
    return;
  }
  L->stack[L->depth++] = file;
  for (uint32_t i = 0; i < f->decls.n; i++) {
    ast_decl *d = f->decls.items[i];
    if (d->kind == DECL_IMPORT)
      import(L, file, d);
  }
  L->depth--;
  if (L->norder < RULESET_MAX_FILES)
    L->order[L->norder++] = f;
}

/* SHA-256 over the files in load order, each as its length (8 bytes, little end first) and
 * its bytes: the same text gives the same hash wherever its files lie. */
static void content_hash(const loader *L, char out[72])
{
  static const char hex[] = "0123456789abcdef";
  struct sha256_ctx h;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&h);
  for (uint32_t i = 0; i < L->norder; i++) {
    uint32_t len = 0;
    const char *text = src_text(L->srcs, L->order[i]->file, &len);
    uint8_t n[8];
    for (int b = 0; b < 8; b++)
      n[b] = (uint8_t)((uint64_t)len >> (8 * b));
    sha256_update(&h, sizeof n, n);
    sha256_update(&h, len, (const uint8_t *)text);
  }
  sha256_digest(&h, sizeof digest, digest);
  memcpy(out, "sha256:", 7);
  for (size_t i = 0; i < sizeof digest; i++) {
    out[7 + 2 * i] = hex[digest[i] >> 4];
    out[8 + 2 * i] = hex[digest[i] & 15];
  }
  out[7 + 2 * SHA256_DIGEST_SIZE] = '\0';
}

/* Loads the root (path or text) and everything it imports into L, parsing each file. */
static bool load_all(loader *L, const ruleset_source *src)
{
  uint32_t root;
  if (src->path) {
    char *err = NULL;
    int st = src_set_load(L->srcs, src->path, &root, &err);
    if (st != SRC_OK) {
      /* src_set_load's message is "cannot read 'x': reason": keep the reason only */
      const char *reason = err ? strstr(err, "': ") : NULL;
      if (st == SRC_ETOOBIG)
        diag_add(L->diags, DIAG_E_FILE_TOO_LARGE, ELIG_LOC_NONE, src->path,
                 (unsigned)SRC_DEFAULT_MAX_SIZE);
      else if (st == SRC_ENOMEM)
        diag_add(L->diags, DIAG_E_NO_MEMORY, ELIG_LOC_NONE);
      else
        diag_add(L->diags, DIAG_E_CANNOT_READ, ELIG_LOC_NONE, src->path,
                 reason ? reason + 3
                 : err  ? err
                        : _("out of memory"));
      mem_free(err);
      return false;
    }
  } else if (src->stored) {
    char *err = NULL;
    int st = copy_stored(L, src->name, &root, &err);
    if (st != SRC_OK) {
      diag_add(L->diags, st == SRC_ENOMEM ? DIAG_E_NO_MEMORY : DIAG_E_CANNOT_READ, ELIG_LOC_NONE,
               /* TRANSLATORS: why a rule file a register keeps cannot be read. */
               src->name, _("not among the stored rule files"));
      mem_free(err);
      return false;
    }
  } else if (src_set_add_string(L->srcs, src->name ? src->name : "<rules>", src->text, src->len,
                                &root) != SRC_OK) {
    diag_add(L->diags, DIAG_E_NO_MEMORY, ELIG_LOC_NONE);
    return false;
  }
  load(L, root);
  return true;
}

/* The syntax trees of L's files, imports first, each after a "; FILE" line. */
static char *dump_trees(const loader *L)
{
  wbuf all = {0};
  for (uint32_t i = 0; i < L->norder; i++) {
    char *one = ast_dump(L->order[i]);
    if (!one) {
      wbuf_free(&all);
      return NULL;
    }
    wbuf_printf(&all, "; %s\n", src_file_name(L->srcs, L->order[i]->file));
    wbuf_puts(&all, one);
    mem_free(one);
  }
  const char *text = wbuf_text(&all);
  if (!text)
    wbuf_free(&all);
  return text ? all.p : NULL;
}

char *ruleset_syntax_dump(const ruleset_source *src, diag_list *diags)
{
  loader L = {.diags = diags, .no_imports = src->no_imports};
  char *text = NULL;
  L.srcs = src_set_new();
  L.arena = ast_arena_new();
  if (L.srcs && L.arena && load_all(&L, src))
    text = dump_trees(&L);
  ast_arena_free(L.arena);
  src_set_free(L.srcs);
  return text;
}

elig_program *ruleset_compile(const ruleset_source *src, diag_list *diags, src_set **srcs_out)
{
  loader L = {.diags = diags, .no_imports = src->no_imports, .stored = src->stored};
  elig_program *P = NULL;
  L.srcs = src_set_new();
  L.arena = ast_arena_new();
  *srcs_out = L.srcs;
  if (!L.srcs || !L.arena || !load_all(&L, src)) {
    ast_arena_free(L.arena);
    return NULL;
  }
  chk_program chk;
  if (diag_error_count(diags) == 0 && chk_check(L.arena, L.order, L.norder, diags, &chk) &&
      diag_error_count(diags) == 0)
    P = comp_compile(&chk, L.arena, L.srcs, diags);
  if (P)
    content_hash(&L, P->hash);
  if (!P)
    ast_arena_free(L.arena);
  return P;
}
