/* cond_ast.h - private to the condition language (sim/expr/cond*.c): tokens, the AST, the value
 * layout and the helpers the lexer, parser, evaluator and value code share. Not a front header:
 * other modules include cond.h (through expr.h). */
#ifndef RSIM_COND_AST_H
#define RSIM_COND_AST_H

#include "cond.h"

/* ---- values ---- */

typedef enum cond_array_type {
    COND_ARRAY_ANY,     /* []interface{} (JSON lists, literals, filter/map results) */
    COND_ARRAY_FLOAT64, /* []float64 (Prometheus vectors) */
} cond_array_type;

struct rsim_cond_value {
    rsim_cond_kind kind;
    bool b;
    int64_t i;
    double f;
    const char *s; /* string bytes, NUL-terminated, in the arena */
    size_t slen;
    const rsim_cond_value **items; /* array items, or map values; in the arena */
    const char **keys;             /* map keys, parallel to items */
    size_t n;
    size_t cap;
    cond_array_type atype;
};

/* ---- tokens ---- */

typedef enum cond_tok {
    TK_EOF,
    TK_INT,
    TK_FLOAT,
    TK_STRING,
    TK_IDENT,
    /* punctuation */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACK,
    TK_RBRACK,
    TK_LBRACE,
    TK_RBRACE,
    TK_COMMA,
    TK_COLON,
    TK_DOT,
    TK_QDOT, /* ?. */
    TK_QUESTION,
    TK_HASH,
    /* operators */
    TK_PLUS,
    TK_MINUS,
    TK_STAR,
    TK_SLASH,
    TK_PERCENT,
    TK_POW, /* ** or ^ */
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_GT,
    TK_LE,
    TK_GE,
    TK_AND, /* && or and */
    TK_OR,  /* || or or */
    TK_NOT, /* ! or not */
    TK_IN,
    TK_CONTAINS,
    TK_STARTSWITH,
    TK_ENDSWITH,
    TK_COALESCE, /* ?? */
    /* recognised so that they get a precise "not supported" message */
    TK_MATCHES,
    TK_RANGE, /* .. */
    TK_PIPE,  /* | */
} cond_tok;

typedef struct cond_token {
    cond_tok kind;
    int offset; /* byte offset in the text */
    int len;    /* bytes */
    int64_t ival;
    double fval;
    const char *sval; /* identifiers and decoded strings, in the condition's arena */
    size_t slen;
} cond_token;

/* ---- AST ---- */

typedef enum cond_node_kind {
    NODE_NIL,
    NODE_BOOL,
    NODE_INT,
    NODE_FLOAT,
    NODE_STRING,
    NODE_RESULT,  /* the variable `result` */
    NODE_POINTER, /* # inside a predicate */
    NODE_ARRAY,   /* kids: elements */
    NODE_MAP,     /* kids: values; keys: names */
    NODE_UNARY,   /* op: TK_NOT, TK_MINUS, TK_PLUS; kids[0] */
    NODE_BINARY,  /* op; kids[0], kids[1]; negate for `not in` & co */
    NODE_TERNARY, /* kids: cond, then, else */
    NODE_MEMBER,  /* kids[0].name */
    NODE_INDEX,   /* kids[0][kids[1]] */
    NODE_SLICE,   /* kids[0][kids[1]:kids[2]], either bound may be NULL */
    NODE_CALL,    /* fn; kids: arguments (the predicate last for the iterating builtins) */
} cond_node_kind;

typedef enum cond_fn {
    FN_LEN,
    FN_ALL,
    FN_ANY,
    FN_NONE,
    FN_ONE,
    FN_FILTER,
    FN_MAP,
    FN_COUNT,
    FN_ASINT,
    FN_ASFLOAT,
    FN_ISNAN,
    FN_ISINF,
    FN_ISNIL,
    FN_DEFAULT,
} cond_fn;

typedef struct cond_node cond_node;
struct cond_node {
    cond_node_kind kind;
    int offset; /* byte offset of the token that errors point at */
    int len;    /* its width */
    int start;  /* byte offset where the whole subexpression starts, for messages */
    int height; /* levels of nodes below and including this one */
    cond_tok op;
    cond_fn fn;
    bool negate;      /* `not in`, `not contains`, ... */
    bool optional;    /* ?. */
    bool chain_end;   /* outermost node of a member/index chain (where ?. stops) */
    const char *sval; /* member names, in the arena */
    size_t slen;
    const char **keys;            /* map literal keys */
    const rsim_cond_value *value; /* literals: the value, built at parse time */
    cond_node **kids;
    size_t nkids;
};

struct rsim_cond {
    rsim_arena arena; /* owns the text copy, tokens' strings and every node */
    const char *text;
    cond_node *root;
};

/* ---- shared helpers ---- */

/* Tokenises text into a NULL-free array in the arena. On a lexical error returns RSIM_EPARSE
 * with the message in err and the byte offset in *err_off. */
rsim_err rsim_cond_lex(rsim_arena *a,
                       const char *text,
                       cond_token **out,
                       size_t *n_out,
                       char *err,
                       size_t errsize,
                       int *err_off);

/* The printable spelling of a token kind ("'&&'", "a number", "end of expression"). */
const char *rsim_cond_tok_name(cond_tok kind);

/* Go's == between two values (numbers across int/float, deep equality for lists and maps).
 * Returns false when values nest deeper than RSIM_COND_MAX_DEPTH (*too_deep set). */
bool rsim_cond_value_equal(const rsim_cond_value *x, const rsim_cond_value *y, bool *too_deep);

/* Map lookup; NULL when the key is absent. */
const rsim_cond_value *
rsim_cond_map_lookup(const rsim_cond_value *map, const char *key, size_t klen);

/* A string value of klen bytes (copied). */
rsim_cond_value *rsim_cond_string_n(rsim_arena *a, const char *s, size_t len);

/* An array with room for n items (n may be 0). */
rsim_cond_value *rsim_cond_array_sized(rsim_arena *a, size_t n);

#endif
