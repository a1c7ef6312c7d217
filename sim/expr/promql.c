/* promql.c - PromQL AST helpers: operator and function names, and the canonical printer used by
 * tests to pin precedence and associativity. Recursion follows the AST, whose height the parser
 * bounds by RSIM_PROMQL_MAX_DEPTH. */
#include "promql.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *rsim_promql_func_name(rsim_promql_func fn)
{
    static const char *const names[RSIM_PROMQL_FN_COUNT] = {
        "rate",   "irate",  "increase",  "histogram_quantile", "scalar",
        "vector", "absent", "clamp_min", "clamp_max",
    };
    return (unsigned)fn < RSIM_PROMQL_FN_COUNT ? names[fn] : "?";
}

const char *rsim_promql_aggop_name(rsim_promql_aggop op)
{
    static const char *const names[] = {"sum", "avg", "min", "max", "count"};
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

bool rsim_promql_binop_is_comparison(rsim_promql_binop op)
{
    return op >= RSIM_PROMQL_OP_EQ;
}

static const char *binop_text(rsim_promql_binop op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="};
    return (unsigned)op < sizeof(t) / sizeof(t[0]) ? t[op] : "?";
}

static void put_duration(rsim_buf *b, rsim_time ms)
{
    static const struct {
        const char *u;
        rsim_time ms;
    } units[] = {{"d", RSIM_HOUR(24)},
                 {"h", RSIM_HOUR(1)},
                 {"m", RSIM_MIN(1)},
                 {"s", RSIM_SEC(1)},
                 {"ms", 1}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ms >= units[i].ms) {
            rsim_buf_printf(b, "%lld%s", (long long)(ms / units[i].ms), units[i].u);
            ms %= units[i].ms;
        }
    }
}

static void put_labels(rsim_buf *b, const char *const *labels, size_t n)
{
    rsim_buf_puts(b, "(");
    for (size_t i = 0; i < n; i++) {
        rsim_buf_printf(b, "%s%s", i ? ", " : "", labels[i]);
    }
    rsim_buf_puts(b, ")");
}

static void put_selector(rsim_buf *b, const rsim_promql_node *n)
{
    static const char *const ops[] = {"=", "!=", "=~", "!~"};
    bool any = false;
    if (n->u.sel.metric) {
        rsim_buf_puts(b, n->u.sel.metric);
    }
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *m = &n->u.sel.matchers[i];
        if (n->u.sel.metric && i == 0) {
            continue;
        }
        rsim_buf_printf(b, "%s%s%s\"", any ? ", " : "{", m->name, ops[m->op]);
        for (const char *c = m->value; *c; c++) {
            if (*c == '"' || *c == '\\') {
                rsim_buf_puts(b, "\\");
            }
            rsim_buf_append(b, c, 1);
        }
        rsim_buf_puts(b, "\"");
        any = true;
    }
    if (any) {
        rsim_buf_puts(b, "}");
    }
    if (n->u.sel.range_ms) {
        rsim_buf_puts(b, "[");
        put_duration(b, n->u.sel.range_ms);
        rsim_buf_puts(b, "]");
    }
    if (n->u.sel.offset_ms) {
        rsim_buf_puts(b, " offset ");
        put_duration(b, n->u.sel.offset_ms);
    }
}

/* Depth is bounded by the parser: at most RSIM_PROMQL_MAX_DEPTH levels. */
bool rsim_promql_any_selector(const rsim_promql_node *n, /* NOLINT(misc-no-recursion) */
                              bool (*fn)(void *arg, const rsim_promql_node *selector),
                              void *arg)
{
    switch (n->kind) {
    case RSIM_PROMQL_NUMBER:
        return false;
    case RSIM_PROMQL_SELECTOR:
        return fn(arg, n);
    case RSIM_PROMQL_CALL:
        for (size_t i = 0; i < n->u.call.n_args; i++) {
            if (rsim_promql_any_selector(n->u.call.args[i], fn, arg)) {
                return true;
            }
        }
        return false;
    case RSIM_PROMQL_AGG:
        return rsim_promql_any_selector(n->u.agg.arg, fn, arg);
    case RSIM_PROMQL_BINARY:
        return rsim_promql_any_selector(n->u.bin.lhs, fn, arg) ||
               rsim_promql_any_selector(n->u.bin.rhs, fn, arg);
    case RSIM_PROMQL_NEG:
        return rsim_promql_any_selector(n->u.neg.arg, fn, arg);
    }
    return false;
}

static void put_node(rsim_buf *b, const rsim_promql_node *n) /* NOLINT(misc-no-recursion) */
{
    switch (n->kind) {
    case RSIM_PROMQL_NUMBER:
        if (isnan(n->u.number)) {
            rsim_buf_puts(b, "NaN");
        } else if (isinf(n->u.number)) {
            rsim_buf_puts(b, n->u.number > 0 ? "Inf" : "-Inf");
        } else {
            /* the shortest form that reads back as the same double */
            char num[32];
            for (int prec = 15; prec <= 17; prec++) {
                snprintf(num, sizeof(num), "%.*g", prec, n->u.number);
                if (strtod(num, NULL) == n->u.number) {
                    break;
                }
            }
            rsim_buf_puts(b, num);
        }
        break;
    case RSIM_PROMQL_SELECTOR:
        put_selector(b, n);
        break;
    case RSIM_PROMQL_CALL:
        rsim_buf_printf(b, "%s(", rsim_promql_func_name(n->u.call.fn));
        for (size_t i = 0; i < n->u.call.n_args; i++) {
            if (i) {
                rsim_buf_puts(b, ", ");
            }
            put_node(b, n->u.call.args[i]);
        }
        rsim_buf_puts(b, ")");
        break;
    case RSIM_PROMQL_AGG:
        rsim_buf_puts(b, rsim_promql_aggop_name(n->u.agg.op));
        if (n->u.agg.grouped) {
            rsim_buf_puts(b, n->u.agg.without ? " without " : " by ");
            put_labels(b, n->u.agg.labels, n->u.agg.n_labels);
            rsim_buf_puts(b, " ");
        }
        rsim_buf_puts(b, "(");
        put_node(b, n->u.agg.arg);
        rsim_buf_puts(b, ")");
        break;
    case RSIM_PROMQL_BINARY:
        rsim_buf_puts(b, "(");
        put_node(b, n->u.bin.lhs);
        rsim_buf_printf(b, " %s ", binop_text(n->u.bin.op));
        if (n->u.bin.return_bool) {
            rsim_buf_puts(b, "bool ");
        }
        if (n->u.bin.on || n->u.bin.ignoring) {
            rsim_buf_puts(b, n->u.bin.on ? "on" : "ignoring");
            put_labels(b, n->u.bin.labels, n->u.bin.n_labels);
            rsim_buf_puts(b, " ");
        }
        put_node(b, n->u.bin.rhs);
        rsim_buf_puts(b, ")");
        break;
    case RSIM_PROMQL_NEG:
        rsim_buf_puts(b, "-");
        put_node(b, n->u.neg.arg);
        break;
    }
}

void rsim_promql_format(const rsim_promql *q, char *buf, size_t size)
{
    rsim_buf b;
    rsim_buf_init(&b, RSIM_PROMQL_MAX_TEXT * 4);
    put_node(&b, rsim_promql_root(q));
    if (size) {
        snprintf(buf, size, "%s", b.data ? b.data : "");
    }
    rsim_buf_fini(&b);
}
