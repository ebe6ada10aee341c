/*
 * jdoc.h - parser for one JSON Lines record into a flat, reusable node array.
 *
 * Place in the pipeline: input.c hands a worker a chunk of whole lines; the worker calls
 * jdoc_parse on each line and the typing layer walks the nodes (fields, and `members` as a
 * nested array of objects) into typed slots.
 *
 * Why hand-written rather than jansson (which `elig serve` uses for the JSON it writes):
 * jansson turns every number into a double, which loses exact money (0.1 + 0.2), and
 * allocates one object per value. Here numbers are kept as their text, checked against
 * RFC 8259 syntax and converted later by decimal.c; nodes, the unescaped-string arena and the
 * duplicate-key table all live in the jdoc and are reused, so after the first few records
 * no parse allocates.
 *
 * Document shape: doc->nodes[0] is the root; nodes are stored in document order (pre-order),
 * each container's children linked by first_child / next_sibling. Object members are value
 * nodes whose key is set. Strings are unescaped UTF-8 and may contain NUL (from \u0000):
 * use their length. A string without escapes points straight into the input text; one with
 * escapes points into the doc's arena. So node strings are valid while the input text is and
 * until the next jdoc_parse or jdoc_fini on the doc.
 *
 * Threading: one jdoc per thread.
 */
#ifndef ELIG_JDOC_H
#define ELIG_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JDOC_NONE UINT32_MAX /* "no node" in first_child / next_sibling / lookups */
#define JDOC_DEFAULT_MAX_DEPTH 64

typedef enum jdoc_kind {
  JDOC_NULL,
  JDOC_TRUE,
  JDOC_FALSE,
  JDOC_NUMBER, /* str/len = the number's text exactly as written, e.g. "1e999" */
  JDOC_STRING, /* str/len = unescaped UTF-8 */
  JDOC_ARRAY,
  JDOC_OBJECT
} jdoc_kind;

typedef enum jdoc_errcode {
  JDOC_OK = 0,
  JDOC_EEMPTY,     /* the line is empty or only whitespace: callers usually skip it */
  JDOC_ESYNTAX,    /* unexpected character, missing ',' ':' '}' ']' */
  JDOC_EEOF,       /* the text ends inside a value */
  JDOC_ENUMBER,    /* a number that breaks RFC 8259 syntax (01, 1., .5, -, 1e) */
  JDOC_ECONTROL,   /* raw control character (< 0x20) inside a string */
  JDOC_EESCAPE,    /* unknown escape or malformed \uXXXX */
  JDOC_ESURROGATE, /* \uD800..\uDFFF not forming a surrogate pair */
  JDOC_EUTF8,      /* a string holds invalid UTF-8 */
  JDOC_EDUPKEY,    /* the same key twice in one object */
  JDOC_EDEPTH,     /* arrays/objects nested deeper than max_depth */
  JDOC_ETRAILING,  /* something after the value other than whitespace */
  JDOC_ETOO_BIG,   /* more nodes than a 32-bit index holds */
  JDOC_ENOMEM      /* a buffer of the doc could not grow */
} jdoc_errcode;

typedef struct jdoc_node {
  jdoc_kind kind;
  uint32_t first_child;  /* first element or member, JDOC_NONE if empty or not a container */
  uint32_t next_sibling; /* next element or member of the parent, JDOC_NONE if last */
  uint32_t count;        /* number of elements or members, 0 for scalars */
  const char *str;       /* JDOC_NUMBER and JDOC_STRING: bytes (not NUL-terminated), else NULL */
  size_t len;
  const char *key; /* object members: the unescaped key, else NULL */
  size_t key_len;
  size_t pos;   /* byte offset of the value in the input (column - 1) */
  bool has_nul; /* JDOC_STRING: it holds a NUL (from \u0000) */
} jdoc_node;

typedef struct jdoc_error {
  jdoc_errcode code;
  size_t column;     /* 1-based byte column of the offending byte */
  char message[112]; /* lower-case, NUL-terminated, e.g. "duplicate key 'size'" */
} jdoc_error;

typedef struct jdoc_options {
  size_t max_depth;        /* deepest nesting of arrays and objects allowed, 0 = default (64) */
  bool caller_checks_keys; /* jdoc_parse does not look for duplicate keys: the caller calls
                              jdoc_check_keys on the objects it needs to (record.c catches a
                              known field given twice for nothing, and checks the rest) */
} jdoc_options;

struct jdoc_frame;   /* open container during a parse (jdoc.c) */
struct jdoc_keyslot; /* duplicate-key hash table entry (jdoc.c) */

typedef struct jdoc {
  jdoc_node *nodes; /* the parsed document, nodes[0] is the root */
  uint32_t nnodes;
  size_t nodes_cap;
  char *arena; /* unescaped strings of the current document */
  size_t arena_len;
  size_t arena_cap;
  size_t max_depth;
  struct jdoc_frame *stack;  /* max_depth frames, allocated on first use */
  struct jdoc_keyslot *keys; /* open-addressing table, power-of-two size */
  size_t keys_cap;
  size_t keys_used;
  uint32_t epoch;  /* entries of earlier parses are stale: no clearing per parse */
  uint64_t seed;   /* of the key hash, chosen on first use; 0 until then */
  bool check_keys; /* jdoc_parse rejects duplicate keys (!caller_checks_keys) */
} jdoc;

/* Prepares doc with the given options (opt may be NULL). Allocates nothing; buffers grow on
 * first use. Pair with jdoc_fini. */
void jdoc_init(jdoc *doc, const jdoc_options *opt);

/* Frees the buffers of doc (NULL-safe). The doc may be initialised again afterwards. */
void jdoc_fini(jdoc *doc);

/* Parses the n bytes at text (one JSONL line; a trailing CR/LF is whitespace) into doc,
 * replacing its previous content. text is borrowed and must outlive the use of the nodes;
 * it may be NULL when n is 0 (JDOC_EEMPTY).
 * Returns JDOC_OK, or an error code with *err (may be NULL) giving the code, a message and the
 * 1-based byte column; after an error the doc's content is unspecified but it stays usable.
 * The only allocations are growth of the doc's buffers; their failure is JDOC_ENOMEM. */
jdoc_errcode jdoc_parse(jdoc *doc, const char *text, size_t n, jdoc_error *err);

/* Looks for a key given twice in object node obj of the last parse: JDOC_OK, or
 * JDOC_EDUPKEY with *err (may be NULL) naming it at the column of its second value, or
 * JDOC_ENOMEM.  Linear in the number of members.  For callers that parse with
 * caller_checks_keys. */
jdoc_errcode jdoc_check_keys(jdoc *doc, uint32_t obj, jdoc_error *err);

/* Index of the member of object node obj whose key is the len bytes at key, or JDOC_NONE
 * (also when obj is not an object). Linear in the number of members. */
uint32_t jdoc_object_get(const jdoc *doc, uint32_t obj, const char *key, size_t len);

#endif /* ELIG_JDOC_H */
