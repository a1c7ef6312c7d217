/* ynode.c - libyaml events to a tree of rsim_ynode with 1-based byte positions.
 * Owns the event loop (an explicit stack, never recursion), anchors and aliases, duplicate and
 * merge keys, the depth and size limits, and YAML 1.1 plain-scalar resolution as Kubernetes'
 * reader (go-yaml v2 behind sigs.k8s.io/yaml) does it. Start at rsim_ynode_parse. */
#include "ynode.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* Hostile input protection: nesting deeper than this, or more nodes than this in one file
 * (counting every alias as the size of what it expands to, so "billion laughs" documents are
 * refused before a checker walks them), stops the file. */
#define YNODE_MAX_DEPTH 64
#define YNODE_MAX_NODES ((size_t)1000000)

typedef struct frame {
    rsim_ynode *node;
    RSIM_VEC(rsim_ynode *) keys;  /* map: keys so far (NULL for a dropped pair) */
    RSIM_VEC(rsim_ynode *) items; /* map: values; seq: items */
    size_t weight;                /* nodes in this subtree, aliases expanded */
    size_t anchor;                /* index+1 into the anchor table, 0 when not anchored */
} frame;

typedef struct anchor {
    const char *name; /* borrowed from the arena */
    rsim_ynode *node;
    size_t weight;
    bool complete; /* false while the anchored collection is still open */
} anchor;

typedef struct parse_state {
    rsim_arena *arena;
    rsim_diag *diag;
    const char *path; /* arena copy */
    const char *text; /* arena copy */
    size_t len;
    size_t bom;                   /* 3 when the text starts with a UTF-8 byte order mark */
    RSIM_VEC(size_t) line_starts; /* byte offset of each line ('\n'-separated) */
    size_t cur_char;              /* position cache for char index -> byte offset */
    size_t cur_byte;
    frame stack[YNODE_MAX_DEPTH + 1];
    size_t depth;
    RSIM_VEC(anchor) anchors; /* per document */
    RSIM_VEC(rsim_ydoc) docs;
    size_t n_nodes; /* expanded node count of the whole file */
    size_t n_errors;
    rsim_ynode *root;
} parse_state;

/* ---- positions ---- */

static void index_lines(parse_state *st)
{
    RSIM_VEC_PUSH(st->line_starts, (size_t)0);
    for (size_t i = 0; i < st->len; i++) {
        if (st->text[i] == '\n') {
            RSIM_VEC_PUSH(st->line_starts, i + 1);
        }
    }
}

/* libyaml counts characters (after the BOM); the caret printer counts bytes. Walks from a cached
 * position because consecutive marks are close to each other. */
static size_t char_to_byte(parse_state *st, size_t ch)
{
    const unsigned char *t = (const unsigned char *)st->text;
    while (st->cur_char < ch && st->cur_byte < st->len) {
        st->cur_byte++;
        while (st->cur_byte < st->len && (t[st->cur_byte] & 0xC0) == 0x80) {
            st->cur_byte++;
        }
        st->cur_char++;
    }
    while (st->cur_char > ch && st->cur_byte > st->bom) {
        st->cur_byte--;
        while (st->cur_byte > st->bom && (t[st->cur_byte] & 0xC0) == 0x80) {
            st->cur_byte--;
        }
        st->cur_char--;
    }
    return st->cur_byte;
}

static size_t line_of(const parse_state *st, size_t off)
{
    size_t lo = 0;
    size_t hi = st->line_starts.n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->line_starts.items[mid] <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int clamp_int(size_t v)
{
    return v > (size_t)INT32_MAX ? INT32_MAX : (int)v;
}

static rsim_loc loc_at_byte(const parse_state *st, size_t off)
{
    if (off > st->len) {
        off = st->len;
    }
    size_t line = line_of(st, off);
    size_t start = st->line_starts.items[line];
    if (line == 0 && off >= st->bom) {
        start = st->bom;
    }
    rsim_loc loc = {st->path, clamp_int(line + 1), clamp_int(off - start + 1), 0};
    return loc;
}

/* The location of a node from its libyaml marks; len spans the source text on the first line. */
static rsim_loc loc_of(parse_state *st, yaml_mark_t start, yaml_mark_t end)
{
    size_t b0 = char_to_byte(st, start.index);
    rsim_loc loc = loc_at_byte(st, b0);
    size_t b1 = char_to_byte(st, end.index);
    size_t line = line_of(st, b0);
    size_t line_end = line + 1 < st->line_starts.n ? st->line_starts.items[line + 1] : st->len;
    if (b1 > line_end) {
        b1 = line_end;
    }
    while (b1 > b0 && (st->text[b1 - 1] == '\n' || st->text[b1 - 1] == '\r' ||
                       st->text[b1 - 1] == ' ' || st->text[b1 - 1] == '\t')) {
        b1--;
    }
    loc.len = b1 > b0 ? clamp_int(b1 - b0) : 1;
    return loc;
}

static void error_at(parse_state *st, rsim_loc loc, rsim_err code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error_at(parse_state *st, rsim_loc loc, rsim_err code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rsim_diag_add(st->diag, RSIM_SEV_ERROR, code, loc, NULL, "%s", msg);
    st->n_errors++;
}

/* ---- building ---- */

static const char *record_tag(parse_state *st, const yaml_char_t *tag)
{
    static const char core[] = "tag:yaml.org,2002:";
    if (!tag) {
        return NULL;
    }
    const char *t = (const char *)tag;
    if (strncmp(t, core, sizeof(core) - 1) == 0) {
        return rsim_arena_printf(st->arena, "!!%s", t + sizeof(core) - 1);
    }
    return rsim_arena_strdup(st->arena, t);
}

static size_t add_anchor(parse_state *st, const yaml_char_t *name, rsim_ynode *node, bool complete)
{
    if (!name) {
        return 0;
    }
    anchor a = {rsim_arena_strdup(st->arena, (const char *)name), node, 1, complete};
    RSIM_VEC_PUSH(st->anchors, a);
    return st->anchors.n;
}

static const anchor *find_anchor(const parse_state *st, const char *name)
{
    /* The latest definition wins: YAML allows an anchor name to be redefined. */
    for (size_t i = st->anchors.n; i > 0; i--) {
        if (strcmp(st->anchors.items[i - 1].name, name) == 0) {
            return &st->anchors.items[i - 1];
        }
    }
    return NULL;
}

static rsim_ynode *null_node(parse_state *st, rsim_loc loc)
{
    rsim_ynode *n = rsim_arena_alloc(st->arena, sizeof(*n));
    n->kind = RSIM_YNODE_SCALAR;
    n->loc = loc;
    n->str = "";
    n->style = RSIM_YSCALAR_PLAIN;
    return n;
}

static bool is_merge_key(const rsim_ynode *k)
{
    return k->kind == RSIM_YNODE_SCALAR && k->style == RSIM_YSCALAR_PLAIN && !k->tag &&
           k->len == 2 && memcmp(k->str, "<<", 2) == 0;
}

/* Attaches a finished node to the open collection (or makes it the document root). */
static void attach(parse_state *st, rsim_ynode *node, size_t weight)
{
    if (st->depth == 0) {
        st->root = node;
        return;
    }
    frame *f = &st->stack[st->depth - 1];
    f->weight += weight;
    if (f->node->kind == RSIM_YNODE_SEQ) {
        RSIM_VEC_PUSH(f->items, node); /* NOLINT(bugprone-sizeof-expression) */
        return;
    }
    if (f->keys.n == f->items.n) {
        if (node->kind != RSIM_YNODE_SCALAR) {
            error_at(st, node->loc, RSIM_EPARSE,
                     "a mapping key must be a scalar, not %s (Kubernetes objects use string keys)",
                     rsim_ynode_describe(node));
            node = NULL;
        } else if (is_merge_key(node)) {
            error_at(st, node->loc, RSIM_EUNSUPPORTED,
                     "not supported yet: merge keys ('<<'); write the fields out, or use an "
                     "anchor and alias for a whole value");
            node = NULL;
        }
        RSIM_VEC_PUSH(f->keys, node); /* NOLINT(bugprone-sizeof-expression) */
    } else {
        RSIM_VEC_PUSH(f->items, node); /* NOLINT(bugprone-sizeof-expression) */
    }
}

typedef struct key_ref {
    const rsim_ynode *key;
    size_t idx;
} key_ref;

static int key_ref_cmp(const void *pa, const void *pb)
{
    const key_ref *a = pa;
    const key_ref *b = pb;
    size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
    int c = memcmp(a->key->str, b->key->str, n);
    if (c != 0) {
        return c;
    }
    if (a->key->len != b->key->len) {
        return a->key->len < b->key->len ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : (a->idx > b->idx ? 1 : 0);
}

/* Duplicate keys are an error at each later key, as Kubernetes' strict decoding has it. Sorting
 * (stable through the index) keeps this O(n log n) for hostile maps with many keys. */
static void check_duplicates(parse_state *st, frame *f)
{
    if (f->keys.n < 2) {
        return;
    }
    key_ref *refs = rsim_xmalloc(f->keys.n * sizeof(*refs));
    size_t n = 0;
    for (size_t i = 0; i < f->keys.n; i++) {
        if (f->keys.items[i]) {
            refs[n].key = f->keys.items[i];
            refs[n].idx = i;
            n++;
        }
    }
    qsort(refs, n, sizeof(*refs), key_ref_cmp);
    size_t first = 0;
    for (size_t i = 1; i < n; i++) {
        const rsim_ynode *a = refs[first].key;
        const rsim_ynode *b = refs[i].key;
        if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) {
            error_at(st, b->loc, RSIM_EPARSE, "duplicate key '%s' (first at line %d)", b->str,
                     a->loc.line);
        } else {
            first = i;
        }
    }
    free(refs);
}

static void close_collection(parse_state *st)
{
    frame *f = &st->stack[--st->depth];
    rsim_ynode *node = f->node;
    if (node->kind == RSIM_YNODE_MAP) {
        if (f->items.n < f->keys.n) {
            /* Cannot happen with a well-formed event stream; keep the arrays parallel. */
            rsim_ynode *filler = null_node(st, node->loc);
            RSIM_VEC_PUSH(f->items, filler); /* NOLINT(bugprone-sizeof-expression) */
        }
        check_duplicates(st, f);
        size_t n = 0;
        for (size_t i = 0; i < f->keys.n; i++) {
            n += f->keys.items[i] != NULL;
        }
        size_t bytes = (n ? n : 1) * sizeof(rsim_ynode *); /* NOLINT(bugprone-sizeof-expression) */
        node->keys = rsim_arena_alloc(st->arena, bytes);
        node->items = rsim_arena_alloc(st->arena, bytes);
        size_t j = 0;
        for (size_t i = 0; i < f->keys.n; i++) {
            if (f->keys.items[i]) {
                node->keys[j] = f->keys.items[i];
                node->items[j] = f->items.items[i];
                j++;
            }
        }
        node->n = n;
    } else {
        node->n = f->items.n;
        node->items = rsim_arena_alloc(st->arena, (f->items.n ? f->items.n : 1) * sizeof(void *));
        if (f->items.n) {
            memcpy(node->items, f->items.items, f->items.n * sizeof(void *));
        }
    }
    if (f->anchor) {
        anchor *a = &st->anchors.items[f->anchor - 1];
        a->weight = f->weight;
        a->complete = true;
    }
    size_t weight = f->weight;
    f->keys.n = 0;
    f->items.n = 0;
    attach(st, node, weight);
}

/* Returns false when the file must stop (limit exceeded). */
static bool count_nodes(parse_state *st, size_t n, rsim_loc loc)
{
    if (n > YNODE_MAX_NODES || st->n_nodes > YNODE_MAX_NODES - n) {
        error_at(st, loc, RSIM_EPARSE,
                 "too many nodes: more than %zu after expanding aliases; rollsim stops reading "
                 "this file",
                 YNODE_MAX_NODES);
        return false;
    }
    st->n_nodes += n;
    return true;
}

static bool on_scalar(parse_state *st, const yaml_event_t *ev)
{
    rsim_ynode *n = rsim_arena_alloc(st->arena, sizeof(*n));
    n->kind = RSIM_YNODE_SCALAR;
    n->loc = loc_of(st, ev->start_mark, ev->end_mark);
    n->tag = record_tag(st, ev->data.scalar.tag);
    n->str =
        rsim_arena_strndup(st->arena, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->len = ev->data.scalar.length;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = RSIM_YSCALAR_QUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = RSIM_YSCALAR_BLOCK;
        break;
    default:
        n->style = RSIM_YSCALAR_PLAIN;
        break;
    }
    add_anchor(st, ev->data.scalar.anchor, n, true);
    if (!count_nodes(st, 1, n->loc)) {
        return false;
    }
    attach(st, n, 1);
    return true;
}

static bool on_alias(parse_state *st, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    rsim_loc loc = loc_of(st, ev->start_mark, ev->end_mark);
    const anchor *a = find_anchor(st, name);
    if (!a) {
        error_at(st, loc, RSIM_EPARSE, "alias '*%s' refers to an unknown anchor '&%s'", name, name);
        attach(st, null_node(st, loc), 1);
        return true;
    }
    if (!a->complete) {
        /* A recursive structure would make every walk over the tree endless. */
        error_at(st, loc, RSIM_EPARSE, "alias '*%s' refers to a node that contains it", name);
        attach(st, null_node(st, loc), 1);
        return true;
    }
    rsim_ynode *node = a->node;
    size_t weight = a->weight;
    if (!count_nodes(st, weight, loc)) {
        return false;
    }
    attach(st, node, weight);
    return true;
}

static bool on_collection_start(parse_state *st, const yaml_event_t *ev, rsim_ynode_kind kind)
{
    rsim_ynode *n = rsim_arena_alloc(st->arena, sizeof(*n));
    n->kind = kind;
    n->loc = loc_of(st, ev->start_mark, ev->start_mark);
    n->loc.len = 1;
    const yaml_char_t *tag =
        kind == RSIM_YNODE_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *anc =
        kind == RSIM_YNODE_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    n->tag = record_tag(st, tag);
    if (st->depth >= YNODE_MAX_DEPTH) {
        error_at(st, n->loc, RSIM_EPARSE,
                 "nesting deeper than %d levels; rollsim stops reading this file", YNODE_MAX_DEPTH);
        return false;
    }
    if (!count_nodes(st, 1, n->loc)) {
        return false;
    }
    frame *f = &st->stack[st->depth++];
    f->node = n;
    f->keys.n = 0;
    f->items.n = 0;
    f->weight = 1;
    f->anchor = add_anchor(st, anc, n, false);
    return true;
}

static void on_document_end(parse_state *st, rsim_loc doc_loc)
{
    rsim_ydoc d = {st->root, doc_loc};
    /* An empty document ("---" alone) reads as an empty plain scalar: no root at all. */
    if (d.root && d.root->kind == RSIM_YNODE_SCALAR && d.root->style == RSIM_YSCALAR_PLAIN &&
        !d.root->tag && d.root->len == 0) {
        d.root = NULL;
    }
    RSIM_VEC_PUSH(st->docs, d);
    st->root = NULL;
    st->anchors.n = 0;
}

static void report_yaml_error(parse_state *st, const yaml_parser_t *p)
{
    rsim_loc loc;
    if (p->error == YAML_READER_ERROR) {
        loc = loc_at_byte(st, p->problem_offset);
        loc.len = 1;
        error_at(st, loc, RSIM_EPARSE, "%s", p->problem ? p->problem : "cannot read the text");
        return;
    }
    loc = loc_at_byte(st, char_to_byte(st, p->problem_mark.index));
    loc.len = 1;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    size_t at = char_to_byte(st, p->problem_mark.index);
    if (at < st->len && st->text[at] == '\t') {
        error_at(st, loc, RSIM_EPARSE, "%s: a tab; YAML indents with spaces only", problem);
        return;
    }
    if (p->context && at >= st->len) {
        /* At the end of the text the problem's position says nothing: point at what was left
         * open instead ("while scanning a quoted scalar" -> the opening quote). */
        rsim_loc cl = loc_at_byte(st, char_to_byte(st, p->context_mark.index));
        cl.len = 1;
        error_at(st, cl, RSIM_EPARSE, "%s %s that starts here", problem, p->context);
        return;
    }
    if (p->context && p->context_mark.line != p->problem_mark.line) {
        rsim_loc cl = loc_at_byte(st, char_to_byte(st, p->context_mark.index));
        error_at(st, loc, RSIM_EPARSE, "%s (%s at line %d)", problem, p->context, cl.line);
    } else {
        error_at(st, loc, RSIM_EPARSE, "%s", problem);
    }
}

/* The event loop. Returns when the stream ends or an error stops the file. */
static void run_events(parse_state *st, yaml_parser_t *p)
{
    rsim_loc doc_loc = {st->path, 1, 1, 1};
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev)) {
            report_yaml_error(st, p);
            return;
        }
        bool go_on = true;
        bool done = false;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            doc_loc = loc_of(st, ev.start_mark, ev.start_mark);
            doc_loc.len = 1;
            st->root = NULL;
            break;
        case YAML_DOCUMENT_END_EVENT:
            on_document_end(st, doc_loc);
            break;
        case YAML_SCALAR_EVENT:
            go_on = on_scalar(st, &ev);
            break;
        case YAML_ALIAS_EVENT:
            go_on = on_alias(st, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            go_on = on_collection_start(st, &ev, RSIM_YNODE_SEQ);
            break;
        case YAML_MAPPING_START_EVENT:
            go_on = on_collection_start(st, &ev, RSIM_YNODE_MAP);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (st->depth > 0) {
                close_collection(st);
            }
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!go_on || done) {
            return;
        }
    }
}

rsim_err rsim_ynode_parse(rsim_arena *arena,
                          const char *path,
                          const char *text,
                          size_t len,
                          rsim_diag *diag,
                          rsim_yfile **out)
{
    *out = NULL;
    parse_state st;
    memset(&st, 0, sizeof(st));
    st.arena = arena;
    st.diag = diag;
    st.path = rsim_arena_strdup(arena, path);
    st.text = rsim_arena_strndup(arena, text, len);
    st.len = len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        st.bom = 3;
    }
    st.cur_byte = st.bom;
    index_lines(&st);
    rsim_diag_add_source(diag, st.path, st.text, len);

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        rsim_panic("yaml_parser_initialize failed (out of memory)");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)st.text, len);
    run_events(&st, &parser);
    yaml_parser_delete(&parser);

    for (size_t i = 0; i <= YNODE_MAX_DEPTH; i++) {
        free(st.stack[i].keys.items);
        free(st.stack[i].items.items);
    }
    free(st.anchors.items);
    free(st.line_starts.items);
    if (st.n_errors > 0) {
        free(st.docs.items);
        return RSIM_EPARSE;
    }
    rsim_yfile *f = rsim_arena_alloc(arena, sizeof(*f));
    f->path = st.path;
    f->text = st.text;
    f->len = len;
    f->n_docs = st.docs.n;
    f->docs = rsim_arena_alloc(arena, (st.docs.n ? st.docs.n : 1) * sizeof(rsim_ydoc));
    if (st.docs.n) {
        memcpy(f->docs, st.docs.items, st.docs.n * sizeof(rsim_ydoc));
    }
    free(st.docs.items);
    *out = f;
    return RSIM_OK;
}

/* ---- queries ---- */

static const rsim_ynode *find_pair(const rsim_ynode *map, const char *key, bool want_key)
{
    if (!map || map->kind != RSIM_YNODE_MAP) {
        return NULL;
    }
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        const rsim_ynode *k = map->keys[i];
        if (k->len == klen && memcmp(k->str, key, klen) == 0) {
            return want_key ? k : map->items[i];
        }
    }
    return NULL;
}

const rsim_ynode *rsim_ynode_get(const rsim_ynode *map, const char *key)
{
    return find_pair(map, key, false);
}

const rsim_ynode *rsim_ynode_key(const rsim_ynode *map, const char *key)
{
    return find_pair(map, key, true);
}

/* ---- plain-scalar resolution (go-yaml v2, resolve.go) ----
 * What go-yaml v2 does, and so what Kubernetes sees:
 *  - null: "", "~", "null", "Null", "NULL".
 *  - bool: y Y yes Yes YES true True TRUE on On ON, and n N no No NO false False FALSE off Off
 *    OFF. Only these case forms: "yEs" is a string.
 *  - int: every "_" is removed first (so "1_000" is 1000), then Go's strconv.ParseInt with base
 *    0: optional sign, decimal, 0x/0X hex, 0o/0O octal, 0b/0B binary, and a leading 0 means
 *    octal ("010" is 8). Values beyond int64 but within uint64 are integers in Go; here they
 *    read as numbers (doubles), as no field of rollsim takes them.
 *  - float: after "_" removal, ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ parsed with
 *    ParseFloat, which refuses overflow ("1e400" stays a string); ".inf", "-.Inf", "+.INF",
 *    ".nan" and their listed case forms. "09" is therefore the float 9.
 *  - a string otherwise, and always for quoted and block scalars and explicit !!str.
 *  Only scalars whose first character is a sign, a digit, '.', '~' or one of yYnNtTfFoO are
 *  resolved at all (go-yaml's resolveTable hint), which the lists above already imply. */

typedef enum rtype {
    R_STR,
    R_NULL,
    R_BOOL,
    R_INT,
    R_FLOAT,
} rtype;

typedef struct resolved {
    rtype type;
    bool b;
    int64_t i;
    double f;
} resolved;

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(s, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

/* strconv.ParseInt(s, 0, 64) on a string without underscores. */
static bool parse_go_int(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s += 2;
    } else if (s[0] == '0' && s[1] != '\0') {
        base = 8;
        s += 1;
    }
    if (*s == '\0') {
        return false;
    }
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        int d = digit_value(*s);
        if (d >= base) {
            return false;
        }
        if (v > (limit - (uint64_t)d) / (uint64_t)base) {
            return false;
        }
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (neg) {
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        *out = (int64_t)v;
    }
    return true;
}

static bool match_yaml_float(const char *s)
{
    if (*s == '+' || *s == '-') {
        s++;
    }
    size_t int_digits = 0;
    while (*s >= '0' && *s <= '9') {
        s++;
        int_digits++;
    }
    size_t frac_digits = 0;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            frac_digits++;
        }
    } else if (int_digits == 0) {
        return false;
    }
    if (int_digits == 0 && frac_digits == 0) {
        return false;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            s++;
        }
        if (!(*s >= '0' && *s <= '9')) {
            return false;
        }
        while (*s >= '0' && *s <= '9') {
            s++;
        }
    }
    return *s == '\0';
}

static bool parse_go_float(const char *s, double *out)
{
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0') {
        return false;
    }
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
        return false;
    }
    *out = v;
    return true;
}

static bool is_str_tag(const char *tag)
{
    return tag && (strcmp(tag, "!!str") == 0 || strcmp(tag, "!") == 0);
}

/* Ints and floats, for scalars starting with a digit, a sign or '.'. */
static void resolve_number(const char *s, resolved *r)
{
    char plain[72];
    size_t j = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '_') {
            plain[j++] = s[i];
        }
    }
    plain[j] = '\0';
    if (*s == '.') {
        /* go-yaml hands a leading '.' straight to ParseFloat, without the underscore step. */
        if (match_yaml_float(s) && parse_go_float(s, &r->f)) {
            r->type = R_FLOAT;
        }
    } else if (parse_go_int(plain, &r->i)) {
        r->type = R_INT;
    } else if (match_yaml_float(plain) && parse_go_float(plain, &r->f)) {
        r->type = R_FLOAT;
    } else {
        /* Beyond int64 (Go's ParseUint case) it is still a number. */
        const char *d = plain[0] == '+' ? plain + 1 : plain;
        bool digits = *d != '\0';
        for (const char *p = d; *p; p++) {
            digits = digits && *p >= '0' && *p <= '9';
        }
        if (digits && parse_go_float(d, &r->f)) {
            r->type = R_FLOAT;
        }
    }
}

static resolved resolve(const rsim_ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                        "True", "TRUE", "on",  "On",  "ON",  NULL};
    static const char *const falses[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                         "False", "FALSE", "off", "Off", "OFF", NULL};
    static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    resolved r = {R_STR, false, 0, 0.0};
    if (!n || n->kind != RSIM_YNODE_SCALAR || n->style != RSIM_YSCALAR_PLAIN ||
        is_str_tag(n->tag) || strlen(n->str) != n->len || n->len > 64) {
        /* Long or NUL-containing plain scalars are strings; no number is 64 characters long. */
        if (n && n->kind == RSIM_YNODE_SCALAR && n->style == RSIM_YSCALAR_PLAIN &&
            !is_str_tag(n->tag) && n->len == 0) {
            r.type = R_NULL;
        }
        return r;
    }
    const char *s = n->str;
    if (in_list(s, nulls)) {
        r.type = R_NULL;
    } else if (in_list(s, trues) || in_list(s, falses)) {
        r.type = R_BOOL;
        r.b = in_list(s, trues);
    } else if (in_list(s, pinf) || in_list(s, ninf)) {
        r.type = R_FLOAT;
        r.f = in_list(s, pinf) ? HUGE_VAL : -HUGE_VAL;
    } else if (in_list(s, nans)) {
        r.type = R_FLOAT;
        r.f = (double)NAN;
    } else if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.') {
        resolve_number(s, &r);
    }
    return r;
}

bool rsim_ynode_is_null(const rsim_ynode *n)
{
    return n && resolve(n).type == R_NULL;
}

bool rsim_ynode_is_bool(const rsim_ynode *n)
{
    return n && resolve(n).type == R_BOOL;
}

bool rsim_ynode_is_int(const rsim_ynode *n)
{
    return n && resolve(n).type == R_INT;
}

bool rsim_ynode_is_number(const rsim_ynode *n)
{
    if (!n) {
        return false;
    }
    rtype t = resolve(n).type;
    return t == R_INT || t == R_FLOAT;
}

bool rsim_ynode_is_string(const rsim_ynode *n)
{
    return n && n->kind == RSIM_YNODE_SCALAR && resolve(n).type == R_STR;
}

bool rsim_ynode_bool(const rsim_ynode *n)
{
    return resolve(n).b;
}

int64_t rsim_ynode_int(const rsim_ynode *n)
{
    return resolve(n).i;
}

double rsim_ynode_number(const rsim_ynode *n)
{
    resolved r = resolve(n);
    return r.type == R_INT ? (double)r.i : r.f;
}

const char *rsim_ynode_describe(const rsim_ynode *n)
{
    if (!n) {
        return "nothing";
    }
    switch (n->kind) {
    case RSIM_YNODE_MAP:
        return "a mapping";
    case RSIM_YNODE_SEQ:
        return "a list";
    case RSIM_YNODE_SCALAR:
        break;
    }
    switch (resolve(n).type) {
    case R_NULL:
        return "null";
    case R_BOOL:
        return "a boolean";
    case R_INT:
    case R_FLOAT:
        return "a number";
    case R_STR:
        break;
    }
    return "a string";
}
