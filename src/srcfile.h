/*
 * srcfile.h -- the rule source files of one compilation, and locations in them.
 *
 * Pipeline: the driver loads every file (the main one, then its imports) into a src_set before
 * lexing.  Each file is kept whole in memory, NUL-terminated, with a line-start map built once
 * at load time.  Every later stage refers to source text only by an elig_loc (file id plus a
 * byte span); diag.c turns a location into line:column when, and only when, it is reported.
 * Once loading is finished a src_set is never modified, so any number of threads may read it.
 */
#ifndef ELIG_SRCFILE_H
#define ELIG_SRCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A span of source text: bytes [start, end) of file `file`.  A location that points at no file
 * (a diagnostic about the command line, a limit, ...) has file == SRC_NO_FILE. */
typedef struct {
  uint32_t file;  /* file id from src_set_load or src_set_add_string */
  uint32_t start; /* byte offset of the first byte */
  uint32_t end;   /* byte offset one past the last byte; end == start is an empty span */
} elig_loc;

#define SRC_NO_FILE UINT32_MAX
#define ELIG_LOC_NONE ((elig_loc){SRC_NO_FILE, 0, 0})

/* Default largest source file accepted, in bytes. */
#define SRC_DEFAULT_MAX_SIZE ((size_t)1 << 20)

/* Status codes returned by the functions below. */
enum {
  SRC_OK = 0,
  SRC_ENOMEM,  /* an allocation failed */
  SRC_EIO,     /* the file could not be opened or read */
  SRC_ETOOBIG, /* the file is larger than the set's size limit */
  SRC_EINVAL   /* bad argument: unknown file id, line out of range, NULL pointer */
};

typedef struct src_set src_set;

/* Creates an empty set with the default size limit.  The caller owns the result and frees it
 * with src_set_free.  Returns NULL when out of memory. */
src_set *src_set_new(void);

/* Frees the set, its file names and texts.  Pointers obtained from src_text, src_line and
 * src_file_name die with it.  NULL is fine. */
void src_set_free(src_set *set);

/* Sets the largest file, in bytes, that later src_set_load / src_set_add_string calls accept.
 * 0 restores SRC_DEFAULT_MAX_SIZE.  Values above UINT32_MAX - 2 are lowered to it, because
 * locations hold 32-bit offsets.  NULL `set` is ignored. */
void src_set_set_max_size(src_set *set, size_t max_size);

/* Reads the whole file at `path` into the set.  The name recorded is `path` exactly as given
 * (copied).  On success stores the new file's id in *file_id and returns SRC_OK.  On failure
 * returns SRC_EIO, SRC_ETOOBIG or SRC_ENOMEM, leaves the set as it was and, if `errmsg` is not
 * NULL, stores in *errmsg a message allocated through mem.h such as "cannot read 'x.rules': No such file or
 * directory", which the caller frees (*errmsg is NULL when even that message could not be
 * allocated).  Files that are not regular (pipes, /dev/stdin) are read to their end too. */
int src_set_load(src_set *set, const char *path, uint32_t *file_id, char **errmsg);

/* Adds `len` bytes at `text` as a file called `name` (both copied; `text` need not be
 * NUL-terminated and may contain NUL bytes).  For rules handed to the library as a string.
 * Returns SRC_OK and the id in *file_id, or SRC_ETOOBIG / SRC_ENOMEM / SRC_EINVAL with the set
 * unchanged. */
int src_set_add_string(src_set *set, const char *name, const char *text, size_t len,
                       uint32_t *file_id);

/* Looks a file up by the name it was added under (exact byte comparison; no path
 * normalisation).  Returns true and its id in *file_id if found. */
bool src_set_find(const src_set *set, const char *name, uint32_t *file_id);

/* Number of files in the set; ids run from 0 to this minus one. */
uint32_t src_set_count(const src_set *set);

/* The name a file was added under, owned by the set; NULL for an unknown id. */
const char *src_file_name(const src_set *set, uint32_t file);

/* The contents of a file, NUL-terminated, owned by the set; its length in bytes (without the
 * terminator) goes to *len if `len` is not NULL.  NULL for an unknown id. */
const char *src_text(const src_set *set, uint32_t file, uint32_t *len);

/* Number of lines of a file.  A file ending in a newline has one more, empty, line after it,
 * where end-of-file positions fall.  0 for an unknown id. */
uint32_t src_line_count(const src_set *set, uint32_t file);

/* Converts a byte offset into a 1-based line and a 1-based column counted in Unicode code
 * points (each byte that is not part of valid UTF-8 counts as one; a UTF-8 byte-order mark at
 * the start of the file counts as none).  Offsets past the end of the file are taken as the end.
 * An offset inside a multi-byte character gives that character's column.  Returns SRC_OK, or
 * SRC_EINVAL (with *line and *col set to 0) for an unknown file. */
int src_position(const src_set *set, uint32_t file, uint32_t offset, uint32_t *line, uint32_t *col);

/* The text of 1-based line `line`, without its "\n" or "\r\n" terminator: *ptr points into the
 * set's copy (not NUL-terminated at *len), *len is its length in bytes.  Returns SRC_OK, or
 * SRC_EINVAL for an unknown file or a line out of range. */
int src_line(const src_set *set, uint32_t file, uint32_t line, const char **ptr, uint32_t *len);

/* Byte offset where 1-based line `line` starts; SRC_EINVAL if out of range. */
int src_line_start(const src_set *set, uint32_t file, uint32_t line, uint32_t *offset);

/* Decodes one UTF-8 character from s[0..len), len >= 1.  Stores its code point in *cp and
 * returns the number of bytes it takes (1-4).  A byte that does not start a valid, shortest-form
 * sequence of a code point other than a surrogate is taken alone: *cp = 0xFFFD and 1 is
 * returned.  Shared by the column counter, the renderer and suggest.c, so that all of them
 * agree on what a "character" is. */
size_t src_utf8_decode(const char *s, size_t len, uint32_t *cp);

#endif
