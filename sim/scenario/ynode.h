/* ynode.h - the YAML document tree with source positions, built from libyaml events.
 * Ownership: every node and string lives in the arena passed to the parser and dies with it.
 * Aliases resolve to the anchored node (the same pointer may appear twice in a tree). */
#ifndef RSIM_YNODE_H
#define RSIM_YNODE_H

#include <rsim/common.h>
#include <rsim/diag.h>

#include "util.h"

typedef enum rsim_ynode_kind {
    RSIM_YNODE_SCALAR,
    RSIM_YNODE_MAP,
    RSIM_YNODE_SEQ,
} rsim_ynode_kind;

/* How a scalar was written: a plain scalar is subject to YAML 1.1 type resolution (as Kubernetes'
 * YAML reader does: 123 is a number, true/yes/on are booleans, ~ and null are null); a quoted or
 * block scalar is always a string. */
typedef enum rsim_yscalar_style {
    RSIM_YSCALAR_PLAIN,
    RSIM_YSCALAR_QUOTED,
    RSIM_YSCALAR_BLOCK,
} rsim_yscalar_style;

typedef struct rsim_ynode rsim_ynode;
struct rsim_ynode {
    rsim_ynode_kind kind;
    rsim_loc loc;    /* where the node starts; loc.len spans a scalar's source text */
    const char *tag; /* explicit tag as written ("!!str"), or NULL */
    const char *str; /* scalar: the value, NUL-terminated (may contain NULs; see len) */
    size_t len;      /* scalar: length of str in bytes */
    rsim_yscalar_style style;
    size_t n;           /* map: number of pairs; seq: number of items */
    rsim_ynode **keys;  /* map: key nodes (always scalars), in source order */
    rsim_ynode **items; /* map: value nodes (parallel to keys); seq: the items */
};

/* One YAML document of a file. */
typedef struct rsim_ydoc {
    rsim_ynode *root; /* NULL for an empty document */
    rsim_loc loc;     /* where the document starts */
} rsim_ydoc;

typedef struct rsim_yfile {
    const char *path; /* arena copy of the path as given */
    const char *text; /* arena copy of the whole text */
    size_t len;
    size_t n_docs;
    rsim_ydoc *docs;
} rsim_yfile;

/* Parses every document of a YAML text into trees. Syntax errors, duplicate keys, non-scalar
 * keys and unsupported constructs (merge keys "<<") are reported to diag with their position;
 * parsing continues with the next document where libyaml allows, so several errors can be
 * reported. Registers the text with diag for caret printing. Returns RSIM_OK, or RSIM_EPARSE
 * with *out set to NULL. */
rsim_err rsim_ynode_parse(rsim_arena *arena,
                          const char *path,
                          const char *text,
                          size_t len,
                          rsim_diag *diag,
                          rsim_yfile **out);

/* Map lookup by key; NULL when absent or when map is not a map. */
const rsim_ynode *rsim_ynode_get(const rsim_ynode *map, const char *key);
/* The key node of a map entry, for locating "unknown field" errors; NULL when absent. */
const rsim_ynode *rsim_ynode_key(const rsim_ynode *map, const char *key);

/* Plain-scalar type resolution, YAML 1.1 as Kubernetes reads it. */
bool rsim_ynode_is_null(const rsim_ynode *n);   /* ~, null, Null, NULL, empty plain */
bool rsim_ynode_is_bool(const rsim_ynode *n);   /* true/false/yes/no/on/off, any case form */
bool rsim_ynode_is_int(const rsim_ynode *n);    /* decimal, 0x hex, 0o/0 octal, +/- */
bool rsim_ynode_is_number(const rsim_ynode *n); /* int or float (.5, 1e3, .inf, .nan) */
bool rsim_ynode_is_string(const rsim_ynode *n); /* quoted/block, or plain that is none of above */
/* Values of resolved scalars; callers check the predicate first. */
bool rsim_ynode_bool(const rsim_ynode *n);
int64_t rsim_ynode_int(const rsim_ynode *n);
double rsim_ynode_number(const rsim_ynode *n);

/* A short English name of what a node is, for messages: "a string", "a number", "a boolean",
 * "null", "a mapping", "a list". */
const char *rsim_ynode_describe(const rsim_ynode *n);

#endif
