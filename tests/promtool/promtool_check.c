/* promtool_check.c - cross-checks rollsim's PromQL evaluator against Prometheus' own.
 * Reads a case file (series in promtool's expanding notation and expressions with evaluation
 * times), evaluates every expression with rsim_metrics_query_eval under Prometheus 2 semantics,
 * and writes a `promtool test rules` file whose exp_samples are rollsim's answers: promtool
 * passes it only if Prometheus computes the same values, compared exactly.
 * Case file lines:  interval <d>  |  series <selector> <values...>  |  eval <time> <expr>
 * An `interval` line starts a new test group (series and evals after it belong to it). */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rsim/diag.h>

#include "expr.h"
#include "metrics.h"
#include "util.h"

typedef struct series_line {
    char *selector;
    char *values;
} series_line;

typedef struct eval_line {
    char *time_text;
    rsim_time t;
    char *expr;
    int line;
} eval_line;

typedef struct group {
    char *interval_text;
    rsim_time interval;
    RSIM_VEC(series_line) series;
    RSIM_VEC(eval_line) evals;
} group;

static bool parse_go_duration(const char *s, rsim_time *out)
{
    static const struct {
        const char *u;
        rsim_time ms;
    } units[] = {{"ms", 1}, {"h", RSIM_HOUR(1)}, {"m", RSIM_MIN(1)}, {"s", RSIM_SEC(1)}};
    rsim_time total = 0;
    if (!*s) {
        return false;
    }
    while (*s) {
        char *end;
        long long n = strtoll(s, &end, 10);
        if (end == s || n < 0) {
            return false;
        }
        s = end;
        size_t k = 0;
        for (; k < 4; k++) {
            size_t l = strlen(units[k].u);
            if (strncmp(s, units[k].u, l) == 0) {
                break;
            }
        }
        if (k == 4) {
            return false;
        }
        total += (rsim_time)n * units[k].ms;
        s += strlen(units[k].u);
    }
    *out = total;
    return true;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

/* Splits off the first token of s; a token ends at whitespace outside braces and quotes. */
static char *split_token(char *s, char **rest)
{
    int depth = 0;
    char quote = 0;
    char *p = s;
    for (; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1]) {
                p++;
            } else if (*p == quote) {
                quote = 0;
            }
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}') {
            depth--;
        } else if ((*p == ' ' || *p == '\t') && depth == 0) {
            break;
        }
    }
    if (*p) {
        *p++ = '\0';
    }
    *rest = trim(p);
    return s;
}

typedef RSIM_VEC(group) group_vec;

static bool load_cases(const char *path, group_vec *groups)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return false;
    }
    char buf[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(buf, sizeof(buf), f)) {
        lineno++;
        char *line = trim(buf);
        if (!*line || *line == '#') {
            continue;
        }
        char *rest;
        char *kw = split_token(line, &rest);
        if (strcmp(kw, "interval") == 0) {
            group g = {.interval_text = rsim_xstrdup(rest)};
            ok = parse_go_duration(rest, &g.interval) && g.interval > 0;
            RSIM_VEC_PUSH(*groups, g);
        } else if (!groups->n) {
            ok = false;
        } else if (strcmp(kw, "series") == 0) {
            char *values;
            char *sel = split_token(rest, &values);
            series_line s = {rsim_xstrdup(sel), rsim_xstrdup(values)};
            RSIM_VEC_PUSH(groups->items[groups->n - 1].series, s);
        } else if (strcmp(kw, "eval") == 0) {
            char *expr;
            char *tt = split_token(rest, &expr);
            eval_line e = {
                .time_text = rsim_xstrdup(tt), .expr = rsim_xstrdup(expr), .line = lineno};
            ok = parse_go_duration(tt, &e.t) && *expr;
            RSIM_VEC_PUSH(groups->items[groups->n - 1].evals, e);
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "%s:%d: cannot read this line\n", path, lineno);
        }
    }
    fclose(f);
    return ok;
}

/* A decimal number (no hex: "0x20" is 0 repeated 20 more times in this notation). */
static bool parse_decimal(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf) || memchr(s, 'x', n) || memchr(s, 'X', n)) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0';
}

/* One item: a, a+bxn, a-bxn or axn. */
static bool parse_item(const char *tok, double *a, double *b, long long *reps)
{
    const char *x = strrchr(tok, 'x');
    size_t n = x ? (size_t)(x - tok) : strlen(tok);
    if (x) {
        char *end;
        *reps = strtoll(x + 1, &end, 10);
        if (end == x + 1 || *end || *reps < 0) {
            return false;
        }
    }
    /* the sign that separates a from b: not the leading one, not an exponent's */
    size_t k = 1;
    while (k < n && !((tok[k] == '+' || tok[k] == '-') && tok[k - 1] != 'e' && tok[k - 1] != 'E')) {
        k++;
    }
    if (k < n) {
        return x && parse_decimal(tok, k, a) && parse_decimal(tok + k, n - k, b);
    }
    return parse_decimal(tok, n, a);
}

/* Loads one series in promtool's notation: a, a+bxn, a-bxn, axn, _, _xn, stale. */
static bool
load_series(rsim_metrics_store *st, const group *g, const series_line *sl, rsim_diag *diag)
{
    rsim_promql *q = NULL;
    rsim_loc loc = {.file = "series", .line = 1, .col = 1};
    if (rsim_promql_parse(sl->selector, loc, diag, &q) != RSIM_OK) {
        return false;
    }
    const rsim_promql_node *n = rsim_promql_root(q);
    rsim_metrics_label labels[32];
    size_t nl = 0;
    bool ok = n->kind == RSIM_PROMQL_SELECTOR && n->u.sel.n_matchers <= 32;
    for (size_t i = 0; ok && i < n->u.sel.n_matchers; i++) {
        ok = n->u.sel.matchers[i].op == RSIM_PROMQL_MATCH_EQ;
        labels[nl++] = (rsim_metrics_label){n->u.sel.matchers[i].name, n->u.sel.matchers[i].value};
    }
    rsim_metrics_series id = 0;
    ok = ok && rsim_metrics_series_add(st, labels, nl, &id) == RSIM_OK;
    rsim_promql_free(q);
    if (!ok) {
        fprintf(stderr, "bad series selector %s\n", sl->selector);
        return false;
    }
    char *copy = rsim_xstrdup(sl->values);
    rsim_time step = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, " \t", &save); tok && ok; tok = strtok_r(NULL, " \t", &save)) {
        if (strcmp(tok, "stale") == 0) {
            rsim_metrics_append_stale(st, id, step++ * g->interval);
            continue;
        }
        if (tok[0] == '_') {
            step += tok[1] == 'x' ? strtoll(tok + 2, NULL, 10) : 1;
            continue;
        }
        double a = 0;
        double b = 0;
        long long reps = 0;
        ok = parse_item(tok, &a, &b, &reps);
        rsim_metrics_append(st, id, step++ * g->interval, a);
        for (long long i = 0; ok && i < reps; i++) {
            a += b; /* iterative, as promtool's series expansion */
            rsim_metrics_append(st, id, step++ * g->interval, a);
        }
    }
    free(copy);
    if (!ok) {
        fprintf(stderr, "bad series values '%s'\n", sl->values);
    }
    return ok;
}

static void put_yaml_quoted(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'') {
            fputc('\'', out);
        }
        fputc(*s, out);
    }
    fputc('\'', out);
}

static void put_value(FILE *out, double v)
{
    if (isinf(v)) {
        fputs(v > 0 ? ".inf" : "-.inf", out);
    } else {
        fprintf(out, "%.17g", v);
    }
}

static void put_labels(FILE *out, const rsim_metrics_sample *s)
{
    char buf[2048];
    size_t off = 0;
    const char *name = rsim_metrics_labels_get(s->labels, s->n_labels, "__name__");
    off += (size_t)snprintf(buf, sizeof(buf), "%s{", name);
    bool first = true;
    for (size_t i = 0; i < s->n_labels && off < sizeof(buf); i++) {
        if (strcmp(s->labels[i].name, "__name__") == 0) {
            continue;
        }
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=\"", first ? "" : ", ",
                                s->labels[i].name);
        for (const char *c = s->labels[i].value; *c && off + 4 < sizeof(buf); c++) {
            if (*c == '"' || *c == '\\') {
                buf[off++] = '\\';
            }
            buf[off++] = *c;
        }
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "\"");
        first = false;
    }
    if (off < sizeof(buf)) {
        snprintf(buf + off, sizeof(buf) - off, "}");
    }
    put_yaml_quoted(out, buf);
}

static bool has_nan(const rsim_metrics_result *r)
{
    if (r->kind == RSIM_METRICS_SCALAR) {
        return isnan(r->scalar);
    }
    for (size_t i = 0; i < r->n_samples; i++) {
        if (isnan(r->samples[i].value)) {
            return true;
        }
    }
    return false;
}

static bool write_test(FILE *out,
                       const char *expr,
                       const eval_line *e,
                       const rsim_metrics_result *r,
                       rsim_err err,
                       bool *nan);

/* Evaluates expr at t and writes one promql_expr_test entry with our answer. */
static bool emit_test(FILE *out,
                      const rsim_metrics_store *st,
                      const char *expr,
                      const eval_line *e,
                      rsim_metrics_result *r,
                      rsim_diag *diag,
                      bool *nan)
{
    rsim_promql *q = NULL;
    rsim_loc loc = {.file = "case", .line = e->line, .col = 1};
    if (rsim_promql_parse(expr, loc, diag, &q) != RSIM_OK) {
        return false;
    }
    rsim_metrics_query_opts opts = {.prom_major = 2};
    rsim_err err = rsim_metrics_query_eval(st, q, e->t, &opts, r);
    /* the result borrows label strings from the query (absent()): keep q until written */
    bool ok = write_test(out, expr, e, r, err, nan);
    rsim_promql_free(q);
    return ok;
}

static bool write_test(FILE *out,
                       const char *expr,
                       const eval_line *e,
                       const rsim_metrics_result *r,
                       rsim_err err,
                       bool *nan)
{
    if (err != RSIM_OK) {
        fprintf(stderr, "line %d: %s: evaluation failed: %s\n", e->line, expr, r->error);
        return false;
    }
    *nan = has_nan(r);
    if (*nan) {
        return true;
    }
    printf("  at %-6s %s  =>", e->time_text, expr);
    fputs("      - expr: ", out);
    put_yaml_quoted(out, expr);
    fprintf(out, "\n        eval_time: %s\n", e->time_text);
    if (r->kind == RSIM_METRICS_SCALAR) {
        fputs("        exp_samples:\n          - labels: '{}'\n            value: ", out);
        put_value(out, r->scalar);
        fputs("\n", out);
        printf(" %.17g\n", r->scalar);
        return true;
    }
    fputs(r->n_samples ? "        exp_samples:\n" : "        exp_samples: []\n", out);
    for (size_t i = 0; i < r->n_samples; i++) {
        fputs("          - labels: ", out);
        put_labels(out, &r->samples[i]);
        fputs("\n            value: ", out);
        put_value(out, r->samples[i].value);
        fputs("\n", out);
        printf(" %.17g", r->samples[i].value);
    }
    printf("%s\n", r->n_samples ? "" : " (empty)");
    return true;
}

/* promtool cannot compare NaN (NaN != NaN), so an answer containing NaN is checked through
 * two derived expressions: where the NaNs are ((E) != bool (E) is 1 exactly there) and the
 * other values ((E) == (E) drops the NaNs). */
static bool emit_eval(FILE *out,
                      const rsim_metrics_store *st,
                      const eval_line *e,
                      rsim_metrics_result *r,
                      rsim_diag *diag)
{
    bool nan = false;
    if (!emit_test(out, st, e->expr, e, r, diag, &nan)) {
        return false;
    }
    if (!nan) {
        return true;
    }
    size_t n = strlen(e->expr) * 2 + 32;
    char *derived = rsim_xmalloc(n);
    bool scalar = r->kind == RSIM_METRICS_SCALAR;
    snprintf(derived, n, "(%s) != bool (%s)", e->expr, e->expr);
    bool ok = emit_test(out, st, derived, e, r, diag, &nan) && !nan;
    if (ok && !scalar) {
        snprintf(derived, n, "(%s) == (%s)", e->expr, e->expr);
        ok = emit_test(out, st, derived, e, r, diag, &nan) && !nan;
    }
    free(derived);
    return ok;
}

static bool run_group(FILE *out, const group *g, rsim_diag *diag)
{
    rsim_metrics_store *st = rsim_metrics_store_new(0);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    bool ok = true;
    fprintf(out, "  - interval: %s\n    input_series:\n", g->interval_text);
    printf("group: scrape interval %s\n", g->interval_text);
    for (size_t i = 0; i < g->series.n && ok; i++) {
        ok = load_series(st, g, &g->series.items[i], diag);
        fputs("      - series: ", out);
        put_yaml_quoted(out, g->series.items[i].selector);
        fputs("\n        values: ", out);
        put_yaml_quoted(out, g->series.items[i].values);
        fputs("\n", out);
    }
    fputs("    promql_expr_test:\n", out);
    for (size_t i = 0; i < g->evals.n && ok; i++) {
        ok = emit_eval(out, st, &g->evals.items[i], &r, diag);
    }
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(st);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CASE_FILE OUT.yaml\n", argv[0]);
        return 2;
    }
    group_vec groups = {0};
    if (!load_cases(argv[1], &groups)) {
        return 2;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "%s: cannot write\n", argv[2]);
        return 2;
    }
    rsim_diag *diag = rsim_diag_new(0);
    fprintf(out,
            "# Written by promtool_check from %s: the expected samples are rollsim's.\n"
            "evaluation_interval: 1m\ntests:\n",
            argv[1]);
    bool ok = true;
    for (size_t i = 0; i < groups.n && ok; i++) {
        ok = run_group(out, &groups.items[i], diag);
    }
    rsim_diag_print(diag, stderr);
    rsim_diag_free(diag);
    if (fclose(out) != 0) {
        ok = false;
    }
    for (size_t i = 0; i < groups.n; i++) {
        group *g = &groups.items[i];
        for (size_t k = 0; k < g->series.n; k++) {
            free(g->series.items[k].selector);
            free(g->series.items[k].values);
        }
        for (size_t k = 0; k < g->evals.n; k++) {
            free(g->evals.items[k].time_text);
            free(g->evals.items[k].expr);
        }
        free(g->series.items);
        free(g->evals.items);
        free(g->interval_text);
    }
    free(groups.items);
    return ok ? 0 : 1;
}
