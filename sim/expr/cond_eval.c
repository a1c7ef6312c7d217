/* cond_eval.c - evaluation of a parsed condition against a measurement's result, with expr's
 * runtime rules (int and float64 arithmetic, `/` always float, Go's == across numbers, errors
 * for index out of range, members of nil and operations between mismatched types) and Argo's
 * helpers (asInt, asFloat, isNaN, isInf, isNil, default). Everything an evaluation allocates is
 * in one arena. Recursion follows the AST, whose height the parser bounds by
 * RSIM_COND_MAX_DEPTH. Then rsim_cond_judge: one measurement's phase (§16.2). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_ast.h"

#define EVAL_POOL 16

typedef struct evaluator {
    rsim_arena *arena;
    /* rsim_cond_eval: no value outlives the evaluation, so literals are used in place, booleans
     * are two constants and the first numbers come from pool instead of the arena. */
    bool transient;
    size_t n_pool;
    rsim_cond_value pool[EVAL_POOL];
    const char *text;
    const rsim_cond_value *result;
    const rsim_cond_value *ptr[RSIM_COND_MAX_DEPTH]; /* # of the enclosing predicates */
    size_t nptr;
    bool short_nil; /* a ?. met nil: the rest of the member chain is nil */
    bool failed;
    int err_off;
    char msg[RSIM_COND_ERRMAX];
} evaluator;

static const rsim_cond_value *fail(evaluator *e, const cond_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const rsim_cond_value *fail(evaluator *e, const cond_node *at, const char *fmt, ...)
{
    if (!e->failed) {
        e->failed = true;
        e->err_off = at->offset;
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
    }
    return NULL;
}

static const char *tname(const rsim_cond_value *v)
{
    return rsim_cond_value_type_name(v);
}

/* The source text of a subexpression, from its start to `end` (exclusive), for messages. */
static void snippet(const evaluator *e, int start, int end, char *buf, size_t size)
{
    size_t n = end > start ? (size_t)(end - start) : 0;
    while (n > 0 && e->text[(size_t)start + n - 1] != '\0' &&
           strchr(" \t\r\n.?", e->text[(size_t)start + n - 1])) {
        n--;
    }
    if (n > 40) {
        (void)snprintf(buf, size, "%.37s...", e->text + start);
    } else {
        (void)snprintf(buf, size, "%.*s", (int)n, e->text + start);
    }
}

static bool is_num(const rsim_cond_value *v)
{
    return v->kind == RSIM_COND_INT || v->kind == RSIM_COND_FLOAT;
}

static double num(const rsim_cond_value *v)
{
    return v->kind == RSIM_COND_INT ? (double)v->i : v->f;
}

static const rsim_cond_value true_value = {.kind = RSIM_COND_BOOL, .b = true};
static const rsim_cond_value false_value = {.kind = RSIM_COND_BOOL, .b = false};

static const rsim_cond_value *mk_bool(evaluator *e, bool b)
{
    if (e->transient) {
        return b ? &true_value : &false_value;
    }
    return rsim_cond_bool(e->arena, b);
}

static const rsim_cond_value *mk_int(evaluator *e, int64_t i)
{
    if (e->transient && e->n_pool < EVAL_POOL) {
        rsim_cond_value *v = &e->pool[e->n_pool++];
        memset(v, 0, sizeof(*v));
        v->kind = RSIM_COND_INT;
        v->i = i;
        return v;
    }
    return rsim_cond_int(e->arena, i);
}

static const rsim_cond_value *mk_float(evaluator *e, double f)
{
    if (e->transient && e->n_pool < EVAL_POOL) {
        rsim_cond_value *v = &e->pool[e->n_pool++];
        memset(v, 0, sizeof(*v));
        v->kind = RSIM_COND_FLOAT;
        v->f = f;
        return v;
    }
    return rsim_cond_float(e->arena, f);
}

static const rsim_cond_value *eval(evaluator *e, const cond_node *n);

/* ---- operators ---- */

static const rsim_cond_value *
mismatch(evaluator *e, const cond_node *n, const rsim_cond_value *l, const rsim_cond_value *r)
{
    return fail(e, n, "invalid operation: %s (mismatched types %s and %s)",
                rsim_cond_tok_name(n->op), tname(l), tname(r));
}

static const rsim_cond_value *
arith(evaluator *e, const cond_node *n, const rsim_cond_value *l, const rsim_cond_value *r)
{
    if (n->op == TK_PLUS && l->kind == RSIM_COND_STRING && r->kind == RSIM_COND_STRING) {
        char *s = rsim_arena_alloc(e->arena, l->slen + r->slen + 1);
        memcpy(s, l->s, l->slen);
        memcpy(s + l->slen, r->s, r->slen);
        rsim_cond_value *v = rsim_cond_string_n(e->arena, "", 0);
        v->s = s;
        v->slen = l->slen + r->slen;
        return v;
    }
    if (!is_num(l) || !is_num(r)) {
        return mismatch(e, n, l, r);
    }
    bool ints = l->kind == RSIM_COND_INT && r->kind == RSIM_COND_INT;
    /* Go's int arithmetic wraps around; unsigned arithmetic gives the same bits in C. */
    uint64_t a = (uint64_t)l->i;
    uint64_t b = (uint64_t)r->i;
    switch (n->op) {
    case TK_PLUS:
        return ints ? mk_int(e, (int64_t)(a + b)) : mk_float(e, num(l) + num(r));
    case TK_MINUS:
        return ints ? mk_int(e, (int64_t)(a - b)) : mk_float(e, num(l) - num(r));
    case TK_STAR:
        return ints ? mk_int(e, (int64_t)(a * b)) : mk_float(e, num(l) * num(r));
    case TK_SLASH: /* always float64 in expr, even between ints; x/0 is ±Inf or NaN */
        return mk_float(e, num(l) / num(r));
    case TK_POW:
        return mk_float(e, pow(num(l), num(r)));
    case TK_PERCENT:
        if (!ints) {
            return mismatch(e, n, l, r);
        }
        if (r->i == 0) {
            return fail(e, n, "integer divide by zero");
        }
        /* INT64_MIN % -1 is 0 in Go and undefined in C. */
        return mk_int(e, r->i == -1 ? 0 : l->i % r->i);
    default:
        return mismatch(e, n, l, r);
    }
}

static const rsim_cond_value *
compare(evaluator *e, const cond_node *n, const rsim_cond_value *l, const rsim_cond_value *r)
{
    int c;
    if (l->kind == RSIM_COND_INT && r->kind == RSIM_COND_INT) {
        c = l->i < r->i ? -1 : l->i > r->i ? 1 : 0;
    } else if (is_num(l) && is_num(r)) {
        double a = num(l);
        double b = num(r);
        if (isnan(a) || isnan(b)) {
            return mk_bool(e, false); /* every ordering with NaN is false */
        }
        c = a < b ? -1 : a > b ? 1 : 0;
    } else if (l->kind == RSIM_COND_STRING && r->kind == RSIM_COND_STRING) {
        size_t m = l->slen < r->slen ? l->slen : r->slen;
        c = memcmp(l->s, r->s, m);
        if (c == 0) {
            c = l->slen < r->slen ? -1 : l->slen > r->slen ? 1 : 0;
        }
    } else {
        return mismatch(e, n, l, r);
    }
    switch (n->op) {
    case TK_LT:
        return mk_bool(e, c < 0);
    case TK_GT:
        return mk_bool(e, c > 0);
    case TK_LE:
        return mk_bool(e, c <= 0);
    default:
        return mk_bool(e, c >= 0);
    }
}

static const rsim_cond_value *
equal(evaluator *e, const cond_node *n, const rsim_cond_value *l, const rsim_cond_value *r)
{
    bool deep = false;
    bool eq = rsim_cond_value_equal(l, r, &deep);
    if (deep) {
        return fail(e, n, "values nested too deeply to compare (limit %d)", RSIM_COND_MAX_DEPTH);
    }
    return mk_bool(e, n->op == TK_EQ ? eq : !eq);
}

static const rsim_cond_value *member_of(evaluator *e,
                                        const cond_node *n,
                                        const rsim_cond_value *needle,
                                        const rsim_cond_value *hay)
{
    if (hay->kind == RSIM_COND_NIL) {
        return mk_bool(e, false);
    }
    if (hay->kind == RSIM_COND_ARRAY) {
        for (size_t i = 0; i < hay->n; i++) {
            bool deep = false;
            if (rsim_cond_value_equal(hay->items[i], needle, &deep)) {
                return mk_bool(e, true);
            }
            if (deep) {
                return fail(e, n, "values nested too deeply to compare (limit %d)",
                            RSIM_COND_MAX_DEPTH);
            }
        }
        return mk_bool(e, false);
    }
    if (hay->kind == RSIM_COND_MAP) {
        if (needle->kind != RSIM_COND_STRING) {
            return fail(e, n, "cannot use %s as a key of %s", tname(needle), tname(hay));
        }
        return mk_bool(e, rsim_cond_map_lookup(hay, needle->s, needle->slen) != NULL);
    }
    return fail(e, n, "operator \"in\" not defined on %s", tname(hay));
}

static const rsim_cond_value *
string_op(evaluator *e, const cond_node *n, const rsim_cond_value *l, const rsim_cond_value *r)
{
    if (l->kind != RSIM_COND_STRING || r->kind != RSIM_COND_STRING) {
        return mismatch(e, n, l, r);
    }
    bool hit = false;
    if (r->slen <= l->slen) {
        if (n->op == TK_STARTSWITH) {
            hit = memcmp(l->s, r->s, r->slen) == 0;
        } else if (n->op == TK_ENDSWITH) {
            hit = memcmp(l->s + l->slen - r->slen, r->s, r->slen) == 0;
        } else {
            for (size_t i = 0; !hit && i + r->slen <= l->slen; i++) {
                hit = memcmp(l->s + i, r->s, r->slen) == 0;
            }
        }
    }
    return mk_bool(e, hit);
}

/* && and ||: short-circuit, both sides must be booleans. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *logical(evaluator *e, const cond_node *n)
{
    const rsim_cond_value *l = eval(e, n->kids[0]);
    if (!l) {
        return NULL;
    }
    if (l->kind != RSIM_COND_BOOL) {
        return fail(e, n, "invalid operation: %s needs booleans, got %s on the left",
                    rsim_cond_tok_name(n->op), tname(l));
    }
    if ((n->op == TK_AND && !l->b) || (n->op == TK_OR && l->b)) {
        return l;
    }
    const rsim_cond_value *r = eval(e, n->kids[1]);
    if (r && r->kind != RSIM_COND_BOOL) {
        return fail(e, n, "invalid operation: %s needs booleans, got %s on the right",
                    rsim_cond_tok_name(n->op), tname(r));
    }
    return r;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *binary(evaluator *e, const cond_node *n)
{
    if (n->op == TK_AND || n->op == TK_OR) {
        return logical(e, n);
    }
    const rsim_cond_value *l = eval(e, n->kids[0]);
    if (!l) {
        return NULL;
    }
    if (n->op == TK_COALESCE) {
        return l->kind == RSIM_COND_NIL ? eval(e, n->kids[1]) : l;
    }
    const rsim_cond_value *r = eval(e, n->kids[1]);
    if (!r) {
        return NULL;
    }
    const rsim_cond_value *v = NULL;
    switch (n->op) {
    case TK_EQ:
    case TK_NE:
        return equal(e, n, l, r);
    case TK_LT:
    case TK_GT:
    case TK_LE:
    case TK_GE:
        return compare(e, n, l, r);
    case TK_IN:
        v = member_of(e, n, l, r);
        break;
    case TK_CONTAINS:
    case TK_STARTSWITH:
    case TK_ENDSWITH:
        v = string_op(e, n, l, r);
        break;
    default:
        return arith(e, n, l, r);
    }
    return v && n->negate ? mk_bool(e, !v->b) : v;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *unary(evaluator *e, const cond_node *n)
{
    const rsim_cond_value *v = eval(e, n->kids[0]);
    if (!v) {
        return NULL;
    }
    if (n->op == TK_NOT) {
        if (v->kind != RSIM_COND_BOOL) {
            return fail(e, n, "invalid operation: not on %s (needs a boolean)", tname(v));
        }
        return mk_bool(e, !v->b);
    }
    if (!is_num(v)) {
        return fail(e, n, "invalid operation: unary %s on %s", rsim_cond_tok_name(n->op), tname(v));
    }
    if (n->op == TK_PLUS) {
        return v;
    }
    return v->kind == RSIM_COND_INT ? mk_int(e, (int64_t)(0 - (uint64_t)v->i)) : mk_float(e, -v->f);
}

/* ---- member, index, slice ---- */

/* Evaluates the object of a member/index/slice node; handles ?. chains. Returns NULL on error
 * or when the chain is already nil (then *done is set and *out is nil). */
/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *chain_object(evaluator *e, const cond_node *n, bool *done)
{
    const rsim_cond_value *obj = eval(e, n->kids[0]);
    *done = false;
    if (!obj) {
        *done = true;
        return NULL;
    }
    if (e->short_nil || (obj->kind == RSIM_COND_NIL && n->optional)) {
        e->short_nil = !n->chain_end;
        *done = true;
        return rsim_cond_nil();
    }
    return obj;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *member(evaluator *e, const cond_node *n)
{
    bool done;
    const rsim_cond_value *obj = chain_object(e, n, &done);
    if (done) {
        return obj;
    }
    if (obj->kind == RSIM_COND_MAP) {
        const rsim_cond_value *v = rsim_cond_map_lookup(obj, n->sval, n->slen);
        return v ? v : rsim_cond_nil(); /* a missing key reads as nil, as in Go */
    }
    char what[48];
    snippet(e, n->kids[0]->start, n->offset, what, sizeof(what));
    return fail(e, n, "cannot fetch %s from %s (%s is %s)", n->sval, tname(obj), what,
                obj->kind == RSIM_COND_NIL ? "nil" : "not a map");
}

static bool to_index(const rsim_cond_value *v, int64_t *out)
{
    if (v->kind == RSIM_COND_INT) {
        *out = v->i;
        return true;
    }
    /* Numbers from JSON are float64; expr converts an integral one to an index. */
    if (v->kind == RSIM_COND_FLOAT && v->f == floor(v->f) && fabs(v->f) < 9.0e15) {
        *out = (int64_t)v->f;
        return true;
    }
    return false;
}

static const rsim_cond_value *index_array(evaluator *e,
                                          const cond_node *n,
                                          const rsim_cond_value *obj,
                                          const rsim_cond_value *idx)
{
    int64_t i;
    if (!to_index(idx, &i)) {
        return fail(e, n, "index must be an integer, got %s", tname(idx));
    }
    size_t len = obj->kind == RSIM_COND_STRING ? obj->slen : obj->n;
    int64_t j = i < 0 ? i + (int64_t)len : i;
    if (j < 0 || (uint64_t)j >= len) {
        char what[48];
        snippet(e, n->kids[0]->start, n->offset, what, sizeof(what));
        return fail(e, n, "index out of range: %lld (%s has %zu element%s)", (long long)i, what,
                    len, len == 1 ? "" : "s");
    }
    if (obj->kind == RSIM_COND_STRING) {
        return mk_int(e, (unsigned char)obj->s[j]); /* a byte, as in Go */
    }
    return obj->items[j];
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *index_op(evaluator *e, const cond_node *n)
{
    bool done;
    const rsim_cond_value *obj = chain_object(e, n, &done);
    if (done) {
        return obj;
    }
    const rsim_cond_value *idx = eval(e, n->kids[1]);
    if (!idx) {
        return NULL;
    }
    if (obj->kind == RSIM_COND_ARRAY || obj->kind == RSIM_COND_STRING) {
        return index_array(e, n, obj, idx);
    }
    if (obj->kind == RSIM_COND_MAP) {
        if (idx->kind != RSIM_COND_STRING) {
            return fail(e, n, "cannot use %s as a key of %s", tname(idx), tname(obj));
        }
        const rsim_cond_value *v = rsim_cond_map_lookup(obj, idx->s, idx->slen);
        return v ? v : rsim_cond_nil();
    }
    char what[48];
    snippet(e, n->kids[0]->start, n->offset, what, sizeof(what));
    rsim_buf b;
    rsim_buf_init(&b, 64);
    rsim_cond_value_format(idx, &b);
    fail(e, n, "cannot fetch %s from %s (%s is %s)", b.data ? b.data : "?", tname(obj), what,
         obj->kind == RSIM_COND_NIL ? "nil" : "not a list or a map");
    rsim_buf_fini(&b);
    return NULL;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static bool slice_bound(evaluator *e, const cond_node *b, int64_t dflt, int64_t len, int64_t *out)
{
    if (!b) {
        *out = dflt;
        return true;
    }
    const rsim_cond_value *v = eval(e, b);
    if (!v) {
        return false;
    }
    if (!to_index(v, out)) {
        fail(e, b, "slice index must be an integer, got %s", tname(v));
        return false;
    }
    if (*out < 0) {
        *out += len;
    }
    *out = *out < 0 ? 0 : *out > len ? len : *out;
    return true;
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *slice_op(evaluator *e, const cond_node *n)
{
    bool done;
    const rsim_cond_value *obj = chain_object(e, n, &done);
    if (done) {
        return obj;
    }
    if (obj->kind != RSIM_COND_ARRAY && obj->kind != RSIM_COND_STRING) {
        return fail(e, n, "cannot slice %s", tname(obj));
    }
    int64_t len = (int64_t)(obj->kind == RSIM_COND_STRING ? obj->slen : obj->n);
    int64_t from;
    int64_t to;
    if (!slice_bound(e, n->kids[1], 0, len, &from) || !slice_bound(e, n->kids[2], len, len, &to)) {
        return NULL;
    }
    if (from > to) {
        from = to;
    }
    if (obj->kind == RSIM_COND_STRING) {
        return rsim_cond_string_n(e->arena, obj->s + from, (size_t)(to - from));
    }
    rsim_cond_value *v = rsim_cond_array_sized(e->arena, (size_t)(to - from));
    v->atype = obj->atype;
    for (int64_t i = from; i < to; i++) {
        v->items[v->n++] = obj->items[i];
    }
    return v;
}

/* ---- calls ---- */

/* all, any, none, one, filter, map, count over a list with # bound to each item. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *iterate(evaluator *e, const cond_node *n)
{
    static const char *const names[] = {"len", "all",    "any", "none",
                                        "one", "filter", "map", "count"};
    const rsim_cond_value *arr = eval(e, n->kids[0]);
    if (!arr) {
        return NULL;
    }
    if (arr->kind != RSIM_COND_ARRAY) {
        return fail(e, n, "%s() needs a list, got %s", names[n->fn], tname(arr));
    }
    RSIM_ASSERT(e->nptr < RSIM_COND_MAX_DEPTH);
    rsim_cond_value *out = NULL;
    if (n->fn == FN_FILTER || n->fn == FN_MAP) {
        out = rsim_cond_array_sized(e->arena, arr->n);
    }
    int64_t hits = 0;
    for (size_t i = 0; i < arr->n; i++) {
        e->ptr[e->nptr++] = arr->items[i];
        const rsim_cond_value *v = eval(e, n->kids[1]);
        e->nptr--;
        if (!v) {
            return NULL;
        }
        if (n->fn == FN_MAP) {
            out->items[out->n++] = v;
            continue;
        }
        if (v->kind != RSIM_COND_BOOL) {
            return fail(e, n, "the predicate of %s() must be a boolean, got %s", names[n->fn],
                        tname(v));
        }
        /* all, any and none stop at the first item that decides, as expr's loops do. */
        if (n->fn == FN_ALL && !v->b) {
            return mk_bool(e, false);
        }
        if ((n->fn == FN_ANY || n->fn == FN_NONE) && v->b) {
            return mk_bool(e, n->fn == FN_ANY);
        }
        if (v->b) {
            hits++;
            if (out) {
                out->items[out->n++] = arr->items[i];
            }
        }
    }
    switch (n->fn) {
    case FN_ALL:
    case FN_NONE:
        return mk_bool(e, true);
    case FN_ANY:
        return mk_bool(e, false);
    case FN_ONE:
        return mk_bool(e, hits == 1);
    case FN_COUNT:
        return mk_int(e, hits);
    default:
        return out;
    }
}

/* Go's int64(f): truncation; NaN and out-of-range values give the amd64 result, INT64_MIN. */
static int64_t go_trunc(double f)
{
    if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
        return INT64_MIN;
    }
    return (int64_t)f;
}

static const rsim_cond_value *
conversion_error(evaluator *e, const cond_node *n, const rsim_cond_value *v)
{
    rsim_buf b;
    rsim_buf_init(&b, 128);
    rsim_cond_value_format(v, &b);
    fail(e, n, "%s() not supported on %s %s", n->fn == FN_ASINT ? "asInt" : "asFloat", tname(v),
         b.data ? b.data : "");
    rsim_buf_fini(&b);
    return NULL;
}

/* strconv.ParseInt(s, 10, 64) and strconv.ParseFloat(s, 64). */
static const rsim_cond_value *
parse_number(evaluator *e, const cond_node *n, const rsim_cond_value *v)
{
    bool as_int = n->fn == FN_ASINT;
    const char *s = v->s;
    bool bad = v->slen == 0 || strlen(s) != v->slen || strchr(" \t\n\r\v\f", s[0]) != NULL;
    if (!bad && as_int) {
        size_t k = s[0] == '+' || s[0] == '-' ? 1 : 0;
        bad = s[k] == '\0' || strspn(s + k, "0123456789") != strlen(s + k);
    }
    if (!bad && !as_int) {
        /* strtod also reads "nan(...)" and "0x10" forms that Go refuses. */
        bad = strchr(s, '(') != NULL || strpbrk(s, "_") != NULL;
    }
    errno = 0;
    char *end = NULL;
    long long iv = 0;
    double fv = 0.0;
    if (!bad) {
        if (as_int) {
            iv = strtoll(s, &end, 10);
        } else {
            fv = strtod(s, &end);
        }
        bad = !end || *end != '\0';
    }
    const char *fn = as_int ? "strconv.ParseInt" : "strconv.ParseFloat";
    if (bad) {
        return fail(e, n, "%s: parsing \"%s\": invalid syntax", fn, s);
    }
    if (errno == ERANGE && (as_int || isinf(fv))) {
        return fail(e, n, "%s: parsing \"%s\": value out of range", fn, s);
    }
    return as_int ? mk_int(e, (int64_t)iv) : mk_float(e, fv);
}

static const rsim_cond_value *convert(evaluator *e, const cond_node *n, const rsim_cond_value *v)
{
    switch (v->kind) {
    case RSIM_COND_INT:
        return n->fn == FN_ASINT ? v : mk_float(e, (double)v->i);
    case RSIM_COND_FLOAT:
        return n->fn == FN_ASINT ? mk_int(e, go_trunc(v->f)) : v;
    case RSIM_COND_STRING:
        return parse_number(e, n, v);
    default:
        return conversion_error(e, n, v);
    }
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *call(evaluator *e, const cond_node *n)
{
    if (n->fn >= FN_ALL && n->fn <= FN_COUNT) {
        return iterate(e, n);
    }
    const rsim_cond_value *arg = eval(e, n->kids[0]);
    if (!arg) {
        return NULL;
    }
    const rsim_cond_value *res = e->result ? e->result : rsim_cond_nil();
    switch (n->fn) {
    case FN_LEN:
        if (arg->kind == RSIM_COND_STRING) {
            return mk_int(e, (int64_t)arg->slen);
        }
        if (arg->kind == RSIM_COND_ARRAY || arg->kind == RSIM_COND_MAP) {
            return mk_int(e, (int64_t)arg->n);
        }
        return fail(e, n, "invalid argument for len (type %s)", tname(arg));
    case FN_ASINT:
    case FN_ASFLOAT:
        return convert(e, n, arg);
    case FN_ISNAN:
    case FN_ISINF:
        if (!is_num(arg)) {
            return fail(e, n, "%s() needs a float64, got %s", n->fn == FN_ISNAN ? "isNaN" : "isInf",
                        tname(arg));
        }
        return mk_bool(e, n->fn == FN_ISNAN ? isnan(num(arg)) : isinf(num(arg)));
    case FN_ISNIL:
        /* Argo binds isNil and default to the whole result and ignores the argument (§20). */
        return mk_bool(e, res->kind == RSIM_COND_NIL);
    case FN_DEFAULT: {
        const rsim_cond_value *d = eval(e, n->kids[1]);
        if (!d) {
            return NULL;
        }
        return res->kind == RSIM_COND_NIL ? d : res;
    }
    default:
        return fail(e, n, "internal error: unknown function");
    }
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *literal_list(evaluator *e, const cond_node *n)
{
    if (n->kind == NODE_ARRAY) {
        rsim_cond_value *v = rsim_cond_array_sized(e->arena, n->nkids);
        for (size_t i = 0; i < n->nkids; i++) {
            const rsim_cond_value *item = eval(e, n->kids[i]);
            if (!item) {
                return NULL;
            }
            v->items[v->n++] = item;
        }
        return v;
    }
    rsim_cond_value *m = rsim_cond_map(e->arena);
    for (size_t i = 0; i < n->nkids; i++) {
        const rsim_cond_value *item = eval(e, n->kids[i]);
        if (!item) {
            return NULL;
        }
        rsim_cond_map_set(e->arena, m, n->keys[i], item);
    }
    return m;
}

/* A copy of a literal in the evaluation's arena, so that a value handed out by
 * rsim_cond_eval_value never points into the condition. */
static const rsim_cond_value *literal(evaluator *e, const cond_node *n)
{
    const rsim_cond_value *lit = n->value;
    if (e->transient) {
        return lit;
    }
    switch (lit->kind) {
    case RSIM_COND_BOOL:
        return mk_bool(e, lit->b);
    case RSIM_COND_INT:
        return mk_int(e, lit->i);
    case RSIM_COND_FLOAT:
        return mk_float(e, lit->f);
    case RSIM_COND_STRING:
        return rsim_cond_string_n(e->arena, lit->s, lit->slen);
    default:
        return rsim_cond_nil();
    }
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *ternary(evaluator *e, const cond_node *n)
{
    const rsim_cond_value *c = eval(e, n->kids[0]);
    if (!c) {
        return NULL;
    }
    if (c->kind != RSIM_COND_BOOL) {
        return fail(e, n, "non-bool %s used as the condition of '?:'", tname(c));
    }
    return eval(e, n->kids[c->b ? 1 : 2]);
}

/* NOLINTNEXTLINE(misc-no-recursion) */
static const rsim_cond_value *eval(evaluator *e, const cond_node *n)
{
    switch (n->kind) {
    case NODE_NIL:
    case NODE_BOOL:
    case NODE_INT:
    case NODE_FLOAT:
    case NODE_STRING:
        return literal(e, n);
    case NODE_RESULT:
        return e->result ? e->result : rsim_cond_nil();
    case NODE_POINTER:
        RSIM_ASSERT(e->nptr > 0);
        return e->ptr[e->nptr - 1];
    case NODE_ARRAY:
    case NODE_MAP:
        return literal_list(e, n);
    case NODE_UNARY:
        return unary(e, n);
    case NODE_BINARY:
        return binary(e, n);
    case NODE_TERNARY:
        return ternary(e, n);
    case NODE_MEMBER:
        return member(e, n);
    case NODE_INDEX:
        return index_op(e, n);
    case NODE_SLICE:
        return slice_op(e, n);
    case NODE_CALL:
        return call(e, n);
    }
    return fail(e, n, "internal error: unknown node");
}

/* ---- entry points ---- */

static int column_of(const char *text, int off)
{
    int line_start = 0;
    for (int i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            line_start = i + 1;
        }
    }
    return off - line_start + 1;
}

static void
report(const evaluator *e, const rsim_cond *c, char *errbuf, size_t errsize, int *err_col)
{
    if (errbuf && errsize) {
        (void)snprintf(errbuf, errsize, "%s", e->msg);
    }
    if (err_col) {
        *err_col = column_of(c->text, e->err_off);
    }
}

/* Evaluates c with e's arena and mode; *out points into e when e->transient. */
static rsim_err evaluate(evaluator *e,
                         const rsim_cond *c,
                         const rsim_cond_value *result,
                         const rsim_cond_value **out,
                         char *errbuf,
                         size_t errsize,
                         int *err_col)
{
    e->text = c->text;
    e->result = result;
    const rsim_cond_value *v = eval(e, c->root);
    if (!v || e->failed) {
        report(e, c, errbuf, errsize, err_col);
        return RSIM_EINVAL;
    }
    *out = v;
    return RSIM_OK;
}

rsim_err rsim_cond_eval_value(const rsim_cond *c,
                              const rsim_cond_value *result,
                              rsim_arena *arena,
                              const rsim_cond_value **out,
                              char *errbuf,
                              size_t errsize,
                              int *err_col)
{
    evaluator e = {0};
    e.arena = arena;
    return evaluate(&e, c, result, out, errbuf, errsize, err_col);
}

rsim_err rsim_cond_eval(const rsim_cond *c,
                        const rsim_cond_value *result,
                        bool *verdict,
                        char *errbuf,
                        size_t errsize,
                        int *err_col)
{
    rsim_arena arena; /* allocates only when the pool does not suffice */
    rsim_arena_init(&arena);
    evaluator e; /* the pool and the stacks are written before they are read */
    e.arena = &arena;
    e.transient = true;
    e.n_pool = 0;
    e.nptr = 0;
    e.short_nil = false;
    e.failed = false;
    e.err_off = 0;
    e.msg[0] = '\0';
    const rsim_cond_value *v = NULL;
    rsim_err err = evaluate(&e, c, result, &v, errbuf, errsize, err_col);
    if (err == RSIM_OK && v->kind != RSIM_COND_BOOL) {
        /* Argo's own check after expr.Run (evaluate.go). */
        if (errbuf && errsize) {
            (void)snprintf(errbuf, errsize, "expected bool, but got %s", tname(v));
        }
        if (err_col) {
            *err_col = 1;
        }
        err = RSIM_EINVAL;
    } else if (err == RSIM_OK) {
        *verdict = v->b;
    }
    rsim_arena_fini(&arena);
    return err;
}

rsim_cond_phase rsim_cond_judge(const rsim_cond *success,
                                const rsim_cond *failure,
                                const rsim_cond_value *result,
                                rsim_cond_judgement *j)
{
    rsim_cond_judgement local;
    if (!j) {
        j = &local;
    }
    memset(j, 0, sizeof(*j));
    /* EvaluateResult evaluates the success condition first and returns Error on its error
     * without evaluating the failure condition (§16.2). */
    const rsim_cond *conds[2] = {success, failure};
    bool vals[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        if (!conds[i]) {
            continue;
        }
        if (rsim_cond_eval(conds[i], result, &vals[i], j->error, sizeof(j->error), &j->error_col) !=
            RSIM_OK) {
            j->error_in = i + 1;
            j->phase = RSIM_COND_ERROR;
            return j->phase;
        }
        if (i == 0) {
            j->success_evaluated = true;
            j->success_value = vals[0];
        } else {
            j->failure_evaluated = true;
            j->failure_value = vals[1];
        }
    }
    bool ok = vals[0];
    bool bad = vals[1];
    if (!success && !failure) {
        j->phase = RSIM_COND_SUCCESSFUL;
        return j->phase;
    }
    if (success && !failure) {
        bad = !ok;
    } else if (!success && failure) {
        ok = !bad;
    }
    if (bad) {
        j->phase = RSIM_COND_FAILED;
    } else if (!ok) {
        j->phase = RSIM_COND_INCONCLUSIVE;
    } else {
        j->phase = RSIM_COND_SUCCESSFUL;
    }
    return j->phase;
}

const char *rsim_cond_phase_name(rsim_cond_phase phase)
{
    switch (phase) {
    case RSIM_COND_SUCCESSFUL:
        return "Successful";
    case RSIM_COND_FAILED:
        return "Failed";
    case RSIM_COND_INCONCLUSIVE:
        return "Inconclusive";
    case RSIM_COND_ERROR:
        return "Error";
    }
    return "Error";
}
