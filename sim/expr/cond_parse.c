/* cond_parse.c - the parser of the condition language: precedence climbing with expr's operator
 * table (or 10, and 15, comparisons and `in` 20, + - 30, * / % 60, ** ^ 100 right-associative,
 * ?? 500; unary not/! 50, -/+ 90), then postfix member, index and slice, then `?:`. Checks
 * names, functions and arity, so that everything outside the supported subset fails here, at
 * its position, instead of at every measurement. Recursion depth is bounded by
 * RSIM_COND_MAX_DEPTH. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_ast.h"

typedef struct parser {
    rsim_arena *arena;
    const char *text;
    cond_token *toks;
    size_t pos;
    int depth;         /* nesting of parse_expr calls */
    int closure_depth; /* > 0 inside a predicate, where # is defined */
    bool failed;
    rsim_err code;
    int err_off;
    int err_len;
    char msg[RSIM_COND_ERRMAX];
} parser;

static void fail_at(parser *p, const cond_token *t, rsim_err code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(parser *p, const cond_token *t, rsim_err code, const char *fmt, ...)
{
    if (p->failed) {
        return;
    }
    p->failed = true;
    p->code = code;
    p->err_off = t->offset;
    p->err_len = t->len;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
}

static const cond_token *cur(const parser *p)
{
    return &p->toks[p->pos];
}

static const cond_token *peek(const parser *p)
{
    return p->toks[p->pos].kind == TK_EOF ? &p->toks[p->pos] : &p->toks[p->pos + 1];
}

static void advance(parser *p)
{
    if (p->toks[p->pos].kind != TK_EOF) {
        p->pos++;
    }
}

static void unexpected(parser *p, const char *wanted)
{
    const cond_token *t = cur(p);
    if (t->kind == TK_IDENT || t->kind == TK_INT || t->kind == TK_FLOAT) {
        fail_at(p, t, RSIM_EPARSE, "expected %s, got '%.*s'", wanted, t->len, p->text + t->offset);
    } else {
        fail_at(p, t, RSIM_EPARSE, "expected %s, got %s", wanted, rsim_cond_tok_name(t->kind));
    }
}

static bool expect(parser *p, cond_tok kind, const char *wanted)
{
    if (cur(p)->kind == kind) {
        advance(p);
        return true;
    }
    unexpected(p, wanted);
    return false;
}

static cond_node *new_node(parser *p, cond_node_kind kind, const cond_token *at)
{
    cond_node *n = rsim_arena_alloc(p->arena, sizeof(*n));
    n->kind = kind;
    n->offset = at->offset;
    n->start = at->offset;
    n->len = at->len;
    n->height = 1;
    return n;
}

/* Attaches the children and checks the height of the tree, which bounds the evaluator's
 * recursion: left-deep chains (`a + b + c ...`, `x.a.b.c ...`) are built by loops, so the
 * parser's own depth limit does not cover them. */
static void set_kids(parser *p, cond_node *n, cond_node *const *kids, size_t count)
{
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    n->kids = rsim_arena_alloc(p->arena, (count ? count : 1) * sizeof(*n->kids));
    int height = 0;
    for (size_t i = 0; i < count; i++) {
        n->kids[i] = kids[i];
        if (kids[i] && kids[i]->height > height) {
            height = kids[i]->height;
        }
    }
    n->nkids = count;
    n->height = height + 1;
    if (count > 0 && kids[0] && n->kind != NODE_UNARY && n->kind != NODE_CALL &&
        n->kind != NODE_ARRAY && n->kind != NODE_MAP) {
        n->start = kids[0]->start;
    }
    if (n->height > RSIM_COND_MAX_DEPTH) {
        cond_token at = {.offset = n->offset, .len = n->len};
        fail_at(p, &at, RSIM_ELIMIT, "expression nested too deeply (limit %d)",
                RSIM_COND_MAX_DEPTH);
    }
}

/* ---- operator table (expr v1.15, parser/operator) ---- */

typedef struct binop {
    int prec;
    bool right;
} binop;

static bool binop_info(cond_tok kind, binop *out)
{
    static const struct {
        cond_tok kind;
        binop op;
    } table[] = {
        {TK_PIPE, {0, false}},        {TK_OR, {10, false}},       {TK_AND, {15, false}},
        {TK_EQ, {20, false}},         {TK_NE, {20, false}},       {TK_LT, {20, false}},
        {TK_GT, {20, false}},         {TK_LE, {20, false}},       {TK_GE, {20, false}},
        {TK_IN, {20, false}},         {TK_MATCHES, {20, false}},  {TK_CONTAINS, {20, false}},
        {TK_STARTSWITH, {20, false}}, {TK_ENDSWITH, {20, false}}, {TK_RANGE, {25, false}},
        {TK_PLUS, {30, false}},       {TK_MINUS, {30, false}},    {TK_STAR, {60, false}},
        {TK_SLASH, {60, false}},      {TK_PERCENT, {60, false}},  {TK_POW, {100, true}},
        {TK_COALESCE, {500, false}},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].kind == kind) {
            *out = table[i].op;
            return true;
        }
    }
    return false;
}

static bool is_ordering(cond_tok kind)
{
    return kind == TK_LT || kind == TK_GT || kind == TK_LE || kind == TK_GE;
}

static bool negatable(cond_tok kind)
{
    return kind == TK_IN || kind == TK_CONTAINS || kind == TK_STARTSWITH || kind == TK_ENDSWITH ||
           kind == TK_MATCHES;
}

static cond_node *parse_expr(parser *p, int min_prec);

/* Operators expr has but rollsim does not evaluate: a precise message instead of a wrong answer. */
static bool reject_unsupported(parser *p, const cond_token *t)
{
    switch (t->kind) {
    case TK_MATCHES:
        fail_at(p, t, RSIM_EUNSUPPORTED,
                "not supported yet: the 'matches' operator (regular expressions)");
        return true;
    case TK_RANGE:
        fail_at(p, t, RSIM_EUNSUPPORTED, "not supported yet: the range operator '..'");
        return true;
    case TK_PIPE:
        fail_at(p, t, RSIM_EUNSUPPORTED, "not supported yet: the pipe operator '|'");
        return true;
    default:
        return false;
    }
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_ternary(parser *p, cond_node *cond)
{
    while (!p->failed && cur(p)->kind == TK_QUESTION) {
        const cond_token *q = cur(p);
        advance(p);
        cond_node *kids[3] = {cond, NULL, NULL};
        kids[1] = parse_expr(p, 0);
        if (!expect(p, TK_COLON, "':' of the conditional 'c ? a : b'")) {
            return cond;
        }
        kids[2] = parse_expr(p, 0);
        cond_node *n = new_node(p, NODE_TERNARY, q);
        set_kids(p, n, kids, 3);
        cond = n;
    }
    return cond;
}

static cond_node *parse_primary(parser *p);

/* Precedence climbing, as expr's parseExpression. Recursion: each level consumes a token, and
 * p->depth stops it at RSIM_COND_MAX_DEPTH. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_expr(parser *p, int min_prec)
{
    if (++p->depth > RSIM_COND_MAX_DEPTH) {
        fail_at(p, cur(p), RSIM_ELIMIT, "expression nested too deeply (limit %d)",
                RSIM_COND_MAX_DEPTH);
        p->depth--;
        return NULL;
    }
    cond_node *left = parse_primary(p);
    cond_tok prev = TK_EOF;
    while (!p->failed) {
        const cond_token *op = cur(p);
        bool negate = false;
        if (op->kind == TK_NOT && negatable(peek(p)->kind)) {
            negate = true;
            op = peek(p);
        }
        binop info;
        if (!binop_info(op->kind, &info) || info.prec < min_prec) {
            break;
        }
        if (reject_unsupported(p, op)) {
            break;
        }
        if (prev == TK_COALESCE && op->kind != TK_COALESCE) {
            fail_at(p, op, RSIM_EPARSE, "operator %s and '\?\?' cannot be mixed; add parentheses",
                    rsim_cond_tok_name(op->kind));
            break;
        }
        if (is_ordering(prev) && is_ordering(op->kind)) {
            fail_at(p, op, RSIM_EUNSUPPORTED,
                    "not supported yet: chained comparison; write 'a < b && b < c'");
            break;
        }
        if (negate) {
            advance(p);
        }
        advance(p);
        cond_node *kids[2] = {left, parse_expr(p, info.right ? info.prec : info.prec + 1)};
        cond_node *n = new_node(p, NODE_BINARY, op);
        n->op = op->kind;
        n->negate = negate;
        set_kids(p, n, kids, 2);
        left = n;
        prev = op->kind;
    }
    if (min_prec == 0) {
        left = parse_ternary(p, left);
    }
    p->depth--;
    return left;
}

/* ---- postfix: .name ?.name [i] [a:b] ---- */

static bool is_name_token(cond_tok kind)
{
    /* Word operators are valid member names (`result.in`), as in expr. */
    return kind == TK_IDENT || kind == TK_AND || kind == TK_OR || kind == TK_NOT || kind == TK_IN ||
           kind == TK_CONTAINS || kind == TK_STARTSWITH || kind == TK_ENDSWITH ||
           kind == TK_MATCHES;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_index(parser *p, cond_node *obj)
{
    const cond_token *br = cur(p);
    advance(p); /* [ */
    cond_node *from = NULL;
    if (cur(p)->kind != TK_COLON) {
        from = parse_expr(p, 0);
    }
    if (cur(p)->kind == TK_COLON) {
        advance(p);
        cond_node *to = NULL;
        if (cur(p)->kind != TK_RBRACK) {
            to = parse_expr(p, 0);
        }
        cond_node *n = new_node(p, NODE_SLICE, br);
        cond_node *kids[3] = {obj, from, to};
        set_kids(p, n, kids, 3);
        (void)expect(p, TK_RBRACK, "']'");
        return n;
    }
    cond_node *n = new_node(p, NODE_INDEX, br);
    cond_node *kids[2] = {obj, from};
    set_kids(p, n, kids, 2);
    (void)expect(p, TK_RBRACK, "']'");
    return n;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_postfix(parser *p, cond_node *node)
{
    cond_node *last = NULL;
    while (!p->failed) {
        const cond_token *t = cur(p);
        if (t->kind == TK_DOT || t->kind == TK_QDOT) {
            advance(p);
            const cond_token *name = cur(p);
            if (!is_name_token(name->kind)) {
                unexpected(p, "a member name after '.'");
                break;
            }
            advance(p);
            if (cur(p)->kind == TK_LPAREN) {
                fail_at(p, name, RSIM_EUNSUPPORTED, "not supported yet: method calls ('%.*s()')",
                        name->len, p->text + name->offset);
                break;
            }
            cond_node *n = new_node(p, NODE_MEMBER, name);
            n->optional = t->kind == TK_QDOT;
            n->sval = rsim_arena_strndup(p->arena, p->text + name->offset, (size_t)name->len);
            n->slen = (size_t)name->len;
            set_kids(p, n, &node, 1);
            node = last = n;
        } else if (t->kind == TK_LBRACK) {
            node = last = parse_index(p, node);
        } else {
            break;
        }
    }
    if (last) {
        last->chain_end = true;
    }
    return node;
}

/* ---- names and calls ---- */

static const struct {
    const char *name;
    cond_fn fn;
    int arity;
    bool predicate; /* second argument is a predicate where # is bound */
} functions[] = {
    {"len", FN_LEN, 1, false},     {"all", FN_ALL, 2, true},
    {"any", FN_ANY, 2, true},      {"none", FN_NONE, 2, true},
    {"one", FN_ONE, 2, true},      {"filter", FN_FILTER, 2, true},
    {"map", FN_MAP, 2, true},      {"count", FN_COUNT, 2, true},
    {"asInt", FN_ASINT, 1, false}, {"asFloat", FN_ASFLOAT, 1, false},
    {"isNaN", FN_ISNAN, 1, false}, {"isInf", FN_ISINF, 1, false},
    {"isNil", FN_ISNIL, 1, false}, {"default", FN_DEFAULT, 2, false},
};
#define N_FUNCTIONS (sizeof(functions) / sizeof(functions[0]))

/* Built-ins of expr v1.15 outside rollsim's subset, named so that the message says so. */
static const char *const other_builtins[] = {
    "abs",      "int",           "float",      "string",     "trim",     "trimPrefix", "trimSuffix",
    "upper",    "lower",         "split",      "splitAfter", "replace",  "repeat",     "join",
    "indexOf",  "lastIndexOf",   "hasPrefix",  "hasSuffix",  "max",      "min",        "toJSON",
    "fromJSON", "toBase64",      "fromBase64", "now",        "duration", "date",       "first",
    "last",     "get",           "keys",       "values",     "type",     "find",       "findIndex",
    "findLast", "findLastIndex", "groupBy",    "sum",        "mean",     "median",     "ceil",
    "floor",    "round",         "sort",       "sortBy",     "reduce",   "toPairs",    "fromPairs",
    "take",     "bitand",        "bitor",      "bitxor",     "bitnand",  "bitnot",     "bitshl",
    "bitshr",   "bitushr",       "let",        "$env",
};

static void unknown_name(parser *p, const cond_token *t, bool call)
{
    const char *name = t->sval;
    for (size_t i = 0; i < sizeof(other_builtins) / sizeof(other_builtins[0]); i++) {
        if (strcmp(name, other_builtins[i]) == 0) {
            fail_at(p, t, RSIM_EUNSUPPORTED,
                    "not supported yet: '%s' (conditions may use result, len, all, any, none, "
                    "one, filter, map, count, asInt, asFloat, isNaN, isInf, isNil, default)",
                    name);
            return;
        }
    }
    const char *cands[N_FUNCTIONS + 1];
    size_t nc = 0;
    if (!call) {
        cands[nc++] = "result";
    }
    for (size_t i = 0; i < N_FUNCTIONS; i++) {
        cands[nc++] = functions[i].name;
    }
    const char *near = rsim_util_nearest(name, cands, nc);
    if (near) {
        fail_at(p, t, RSIM_EPARSE, "unknown %s '%s'; did you mean '%s'?",
                call ? "function" : "name", name, near);
    } else if (call) {
        fail_at(p, t, RSIM_EPARSE, "unknown function '%s'", name);
    } else {
        fail_at(p, t, RSIM_EPARSE, "unknown name '%s' (the measurement's value is 'result')", name);
    }
}

/* A predicate: `{ expr }` or, as expr also accepts, a bare expression; # is bound inside. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_predicate(parser *p)
{
    bool braces = cur(p)->kind == TK_LBRACE;
    if (braces) {
        advance(p);
    }
    p->closure_depth++;
    cond_node *body = parse_expr(p, 0);
    p->closure_depth--;
    if (braces) {
        (void)expect(p, TK_RBRACE, "'}' closing the predicate");
    }
    return body;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_call(parser *p, const cond_token *name)
{
    size_t fi = 0;
    while (fi < N_FUNCTIONS && strcmp(functions[fi].name, name->sval) != 0) {
        fi++;
    }
    if (fi == N_FUNCTIONS) {
        unknown_name(p, name, true);
        return NULL;
    }
    advance(p); /* ( */
    cond_node *args[2] = {NULL, NULL};
    int n = 0;
    while (!p->failed && cur(p)->kind != TK_RPAREN) {
        if (n > 0 && !expect(p, TK_COMMA, "',' or ')'")) {
            break;
        }
        if (n >= functions[fi].arity) {
            fail_at(p, cur(p), RSIM_EPARSE, "too many arguments to %s (it takes %d)",
                    functions[fi].name, functions[fi].arity);
            break;
        }
        args[n] = n == 1 && functions[fi].predicate ? parse_predicate(p) : parse_expr(p, 0);
        n++;
    }
    if (!p->failed && n < functions[fi].arity) {
        fail_at(p, cur(p), RSIM_EPARSE, "not enough arguments to %s (it takes %d)",
                functions[fi].name, functions[fi].arity);
    }
    (void)expect(p, TK_RPAREN, "')'");
    cond_node *call = new_node(p, NODE_CALL, name);
    call->fn = functions[fi].fn;
    set_kids(p, call, args, (size_t)n);
    return call;
}

/* ---- literals ---- */

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_array(parser *p)
{
    cond_node *n = new_node(p, NODE_ARRAY, cur(p));
    advance(p); /* [ */
    RSIM_VEC(cond_node *) items = {0};
    while (!p->failed && cur(p)->kind != TK_RBRACK) {
        if (items.n > 0) {
            if (!expect(p, TK_COMMA, "',' or ']'")) {
                break;
            }
            if (cur(p)->kind == TK_RBRACK) {
                break; /* trailing comma */
            }
        }
        cond_node *e = parse_expr(p, 0);
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        RSIM_VEC_PUSH(items, e);
    }
    (void)expect(p, TK_RBRACK, "']'");
    set_kids(p, n, items.items, items.n);
    free(items.items);
    return n;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_map(parser *p)
{
    cond_node *n = new_node(p, NODE_MAP, cur(p));
    advance(p); /* { */
    RSIM_VEC(cond_node *) vals = {0};
    RSIM_VEC(const char *) keys = {0};
    while (!p->failed && cur(p)->kind != TK_RBRACE) {
        if (vals.n > 0) {
            if (!expect(p, TK_COMMA, "',' or '}'")) {
                break;
            }
            if (cur(p)->kind == TK_RBRACE) {
                break;
            }
        }
        const cond_token *k = cur(p);
        const char *key = NULL;
        if (k->kind == TK_STRING) {
            key = k->sval;
        } else if (k->kind == TK_INT || k->kind == TK_FLOAT || is_name_token(k->kind)) {
            key = rsim_arena_strndup(p->arena, p->text + k->offset, (size_t)k->len);
        } else {
            unexpected(p, "a map key (a name, a quoted string or a number)");
            break;
        }
        advance(p);
        if (!expect(p, TK_COLON, "':' after the map key")) {
            break;
        }
        cond_node *v = parse_expr(p, 0);
        RSIM_VEC_PUSH(keys, key);
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        RSIM_VEC_PUSH(vals, v);
    }
    (void)expect(p, TK_RBRACE, "'}'");
    set_kids(p, n, vals.items, vals.n);
    n->keys = rsim_arena_alloc(p->arena, (keys.n ? keys.n : 1) * sizeof(*n->keys));
    for (size_t i = 0; i < keys.n; i++) {
        n->keys[i] = keys.items[i];
    }
    free(vals.items);
    free((void *)keys.items);
    return n;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_ident(parser *p)
{
    const cond_token *t = cur(p);
    advance(p);
    if (cur(p)->kind == TK_LPAREN) {
        return parse_call(p, t);
    }
    cond_node *n = NULL;
    if (strcmp(t->sval, "true") == 0 || strcmp(t->sval, "false") == 0) {
        n = new_node(p, NODE_BOOL, t);
        n->value = rsim_cond_bool(p->arena, t->sval[0] == 't');
    } else if (strcmp(t->sval, "nil") == 0) {
        n = new_node(p, NODE_NIL, t);
        n->value = rsim_cond_nil();
    } else if (strcmp(t->sval, "result") == 0) {
        n = new_node(p, NODE_RESULT, t);
    } else {
        for (size_t i = 0; i < N_FUNCTIONS; i++) {
            if (strcmp(t->sval, functions[i].name) == 0) {
                fail_at(p, t, RSIM_EPARSE, "'%s' is a function: call it as %s(...)", t->sval,
                        t->sval);
                return NULL;
            }
        }
        unknown_name(p, t, false);
        return NULL;
    }
    return n;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_operand(parser *p)
{
    const cond_token *t = cur(p);
    cond_node *n = NULL;
    switch (t->kind) {
    case TK_INT:
        n = new_node(p, NODE_INT, t);
        n->value = rsim_cond_int(p->arena, t->ival);
        advance(p);
        return n;
    case TK_FLOAT:
        n = new_node(p, NODE_FLOAT, t);
        n->value = rsim_cond_float(p->arena, t->fval);
        advance(p);
        return n;
    case TK_STRING:
        n = new_node(p, NODE_STRING, t);
        n->value = rsim_cond_string_n(p->arena, t->sval, t->slen);
        advance(p);
        return n;
    case TK_IDENT:
        return parse_ident(p);
    case TK_LBRACK:
        return parse_array(p);
    case TK_LBRACE:
        return parse_map(p);
    default:
        if (!reject_unsupported(p, t)) {
            unexpected(p, "an expression");
        }
        return NULL;
    }
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static cond_node *parse_primary(parser *p)
{
    const cond_token *t = cur(p);
    if (t->kind == TK_NOT || t->kind == TK_MINUS || t->kind == TK_PLUS) {
        advance(p);
        cond_node *operand = parse_expr(p, t->kind == TK_NOT ? 50 : 90);
        cond_node *n = new_node(p, NODE_UNARY, t);
        n->op = t->kind;
        set_kids(p, n, &operand, 1);
        return parse_postfix(p, n);
    }
    if (t->kind == TK_LPAREN) {
        advance(p);
        cond_node *inner = parse_expr(p, 0);
        (void)expect(p, TK_RPAREN, "')'");
        return parse_postfix(p, inner);
    }
    if (t->kind == TK_HASH || (t->kind == TK_DOT && p->closure_depth > 0)) {
        if (p->closure_depth == 0) {
            fail_at(p, t, RSIM_EPARSE,
                    "'#' is only defined inside a predicate, as in all(result, {# > 0.9})");
            return NULL;
        }
        if (t->kind == TK_HASH) {
            advance(p);
        }
        /* `.name` inside a predicate is `#.name`: the postfix parser reads the '.'. */
        return parse_postfix(p, new_node(p, NODE_POINTER, t));
    }
    cond_node *n = parse_operand(p);
    return p->failed ? n : parse_postfix(p, n);
}

/* ---- entry points ---- */

static rsim_loc loc_of(const char *text, rsim_loc base, int off, int len)
{
    rsim_loc loc = base;
    int line_start = 0;
    int line = 0;
    for (int i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    if (base.line > 0) {
        loc.line = base.line + line;
    }
    int col_in_line = off - line_start + 1;
    if (line == 0 && base.col > 0) {
        loc.col = base.col + off;
    } else {
        loc.col = col_in_line;
    }
    loc.len = len > 0 ? len : 1;
    return loc;
}

rsim_err rsim_cond_parse(const char *text, rsim_loc base, rsim_diag *diag, rsim_cond **out)
{
    rsim_cond *c = rsim_xcalloc(1, sizeof(*c));
    rsim_arena_init(&c->arena);
    c->text = rsim_arena_strdup(&c->arena, text);
    parser p = {0};
    p.arena = &c->arena;
    p.text = c->text;
    size_t ntok = 0;
    rsim_err err =
        rsim_cond_lex(&c->arena, c->text, &p.toks, &ntok, p.msg, sizeof(p.msg), &p.err_off);
    if (err != RSIM_OK) {
        p.failed = true;
        p.code = err;
        p.err_len = 1;
    } else if (p.toks[0].kind == TK_EOF) {
        fail_at(&p, &p.toks[0], RSIM_EPARSE, "empty condition: expected an expression");
    } else {
        c->root = parse_expr(&p, 0);
        if (!p.failed && cur(&p)->kind != TK_EOF) {
            unexpected(&p, "an operator or the end of the expression");
        }
    }
    if (p.failed) {
        if (diag) {
            rsim_diag_add(diag, RSIM_SEV_ERROR, p.code, loc_of(c->text, base, p.err_off, p.err_len),
                          NULL, "%s", p.msg);
        }
        rsim_cond_free(c);
        return p.code;
    }
    *out = c;
    return RSIM_OK;
}

void rsim_cond_free(rsim_cond *c)
{
    if (!c) {
        return;
    }
    rsim_arena_fini(&c->arena);
    free(c);
}

const char *rsim_cond_text(const rsim_cond *c)
{
    return c->text;
}
