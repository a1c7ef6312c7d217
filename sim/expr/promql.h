/* promql.h - the PromQL subset rollsim evaluates: lexer and parser to an AST with positions.
 * Ownership: rsim_promql_parse returns an rsim_promql the caller frees with rsim_promql_free; it
 * owns every node, string and compiled regex of the AST (one arena). The query text is copied.
 * Nodes are read-only after parsing, so one parsed query may be evaluated from several threads.
 * Anything outside the subset is a parse error at its line and column, never a wrong answer.
 * Language reference and pitfalls: docs/modules/expr.md ("Metric queries"). */
#ifndef RSIM_PROMQL_H
#define RSIM_PROMQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>
#include <rsim/diag.h>

/* Deepest AST a query may have (nesting of calls, parentheses and operator chains). The parser
 * and the evaluator recurse at most this deep. */
#define RSIM_PROMQL_MAX_DEPTH 64
/* Longest query text accepted, in bytes. */
#define RSIM_PROMQL_MAX_TEXT 65536

/* The type of an expression's value, as PromQL types it. */
typedef enum rsim_promql_type {
    RSIM_PROMQL_SCALAR,
    RSIM_PROMQL_VECTOR, /* instant vector */
    RSIM_PROMQL_MATRIX, /* range vector: only as the argument of rate, irate, increase */
} rsim_promql_type;

typedef enum rsim_promql_kind {
    RSIM_PROMQL_NUMBER,   /* number literal */
    RSIM_PROMQL_SELECTOR, /* instant or range vector selector */
    RSIM_PROMQL_CALL,     /* function call */
    RSIM_PROMQL_AGG,      /* aggregation */
    RSIM_PROMQL_BINARY,   /* binary operator */
    RSIM_PROMQL_NEG,      /* unary minus */
} rsim_promql_kind;

typedef enum rsim_promql_match {
    RSIM_PROMQL_MATCH_EQ,  /* = */
    RSIM_PROMQL_MATCH_NE,  /* != */
    RSIM_PROMQL_MATCH_RE,  /* =~ (fully anchored) */
    RSIM_PROMQL_MATCH_NRE, /* !~ (fully anchored) */
} rsim_promql_match;

typedef enum rsim_promql_func {
    RSIM_PROMQL_FN_RATE,
    RSIM_PROMQL_FN_IRATE,
    RSIM_PROMQL_FN_INCREASE,
    RSIM_PROMQL_FN_HISTOGRAM_QUANTILE,
    RSIM_PROMQL_FN_SCALAR,
    RSIM_PROMQL_FN_VECTOR,
    RSIM_PROMQL_FN_ABSENT,
    RSIM_PROMQL_FN_CLAMP_MIN,
    RSIM_PROMQL_FN_CLAMP_MAX,
    RSIM_PROMQL_FN_COUNT
} rsim_promql_func;

typedef enum rsim_promql_aggop {
    RSIM_PROMQL_AGG_SUM,
    RSIM_PROMQL_AGG_AVG,
    RSIM_PROMQL_AGG_MIN,
    RSIM_PROMQL_AGG_MAX,
    RSIM_PROMQL_AGG_COUNT,
} rsim_promql_aggop;

/* Binary operators; the comparisons follow the arithmetic ones. */
typedef enum rsim_promql_binop {
    RSIM_PROMQL_OP_ADD,
    RSIM_PROMQL_OP_SUB,
    RSIM_PROMQL_OP_MUL,
    RSIM_PROMQL_OP_DIV,
    RSIM_PROMQL_OP_MOD,
    RSIM_PROMQL_OP_POW,
    RSIM_PROMQL_OP_EQ,
    RSIM_PROMQL_OP_NE,
    RSIM_PROMQL_OP_GT,
    RSIM_PROMQL_OP_LT,
    RSIM_PROMQL_OP_GE,
    RSIM_PROMQL_OP_LE,
} rsim_promql_binop;

/* One label matcher of a selector. The metric name is a matcher on "__name__". */
typedef struct rsim_promql_matcher {
    const char *name;     /* label name, owned by the query */
    const char *value;    /* unescaped value (or regex source), owned by the query */
    rsim_promql_match op; /* how value is compared */
    const void *re;       /* compiled anchored regex for RE/NRE, else NULL; owned */
    bool matches_empty;   /* whether a missing label (value "") satisfies the matcher */
} rsim_promql_matcher;

typedef struct rsim_promql_node rsim_promql_node;
struct rsim_promql_node {
    rsim_promql_kind kind;
    rsim_promql_type type; /* type of the value this node produces */
    rsim_loc loc;          /* where it starts (binary: the operator) in the source file */
    int height;            /* height of this subtree, 1 for a leaf; <= RSIM_PROMQL_MAX_DEPTH */
    union {
        double number; /* NUMBER */
        struct {
            const char *metric;                  /* metric name or NULL; also a matcher */
            const rsim_promql_matcher *matchers; /* owned array, metric name included */
            size_t n_matchers;
            rsim_time range_ms;  /* > 0 for a range selector [range], 0 for instant */
            rsim_time offset_ms; /* offset modifier, 0 when absent */
        } sel;
        struct {
            rsim_promql_func fn;
            const rsim_promql_node *args[2]; /* owned */
            size_t n_args;
        } call;
        struct {
            rsim_promql_aggop op;
            bool without;              /* without (...) rather than by (...) */
            bool grouped;              /* a by/without clause was written */
            const char *const *labels; /* owned array of label names */
            size_t n_labels;
            const rsim_promql_node *arg; /* owned */
        } agg;
        struct {
            rsim_promql_binop op;
            bool return_bool;          /* the bool modifier of a comparison */
            bool on;                   /* on (...) was written */
            bool ignoring;             /* ignoring (...) was written */
            const char *const *labels; /* owned array of the on/ignoring label names */
            size_t n_labels;
            const rsim_promql_node *lhs, *rhs; /* owned */
        } bin;
        struct {
            const rsim_promql_node *arg; /* owned */
        } neg;
    } u;
};

typedef struct rsim_promql rsim_promql;

/* Parses a query. text is the query after placeholder substitution; base is where the text
 * starts in its source file (columns and lines of the errors are relative to it: the first line
 * starts at base.col, later lines at column 1). On success returns RSIM_OK and sets *out; on
 * failure reports every error to diag (RSIM_EPARSE for syntax, RSIM_EUNSUPPORTED for PromQL
 * outside the subset) and returns that code, leaving *out NULL. */
rsim_err rsim_promql_parse(const char *text, rsim_loc base, rsim_diag *diag, rsim_promql **out);
/* As rsim_promql_parse, with the YAML path of the query ("spec.metrics[0].provider...query")
 * prefixed to every message; path may be NULL and is copied. */
rsim_err rsim_promql_parse_path(
    const char *text, rsim_loc base, const char *path, rsim_diag *diag, rsim_promql **out);
/* Frees a query and its whole AST. NULL is a no-op. */
void rsim_promql_free(rsim_promql *q);

/* The root of the AST, borrowed from q. Its type is SCALAR or VECTOR. */
const rsim_promql_node *rsim_promql_root(const rsim_promql *q);
/* The query text as given, borrowed from q. */
const char *rsim_promql_text(const rsim_promql *q);

/* Whether a label value satisfies a matcher (a missing label is the empty string). */
bool rsim_promql_matcher_is_match(const rsim_promql_matcher *m, const char *value);

/* Calls fn on each selector of the subtree n, left to right, until fn returns true; returns
 * whether one did. */
bool rsim_promql_any_selector(const rsim_promql_node *n,
                              bool (*fn)(void *arg, const rsim_promql_node *selector),
                              void *arg);

/* The function's PromQL name ("rate") and the aggregation's ("sum"); static strings. */
const char *rsim_promql_func_name(rsim_promql_func fn);
const char *rsim_promql_aggop_name(rsim_promql_aggop op);
/* Whether op is a comparison (==, !=, >, <, >=, <=). */
bool rsim_promql_binop_is_comparison(rsim_promql_binop op);

/* Writes the AST in a canonical fully parenthesised form ("(a + (b * 2))", "sum by (x) (...)")
 * into buf (NUL-terminated, truncated to size). For tests and debugging. */
void rsim_promql_format(const rsim_promql *q, char *buf, size_t size);

#endif
