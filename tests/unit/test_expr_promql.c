/* test_expr_promql.c - the PromQL subset parser: precedence and associativity (through the
 * canonical printer), durations, escapes, selectors, and the error for every construct outside
 * the subset with its line and column. Evaluation is pinned in test_metrics.c and against
 * promtool in tests/promtool/; this file does not evaluate. */
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rsim/diag.h>

#include "promql.h"

static const rsim_loc base = {.file = "analysis.yaml", .line = 10, .col = 20};

static void assert_formats(const char *text, const char *expected)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    rsim_err err = rsim_promql_parse(text, base, d, &q);
    if (err != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    assert_int_equal(err, RSIM_OK);
    char buf[512];
    rsim_promql_format(q, buf, sizeof(buf));
    assert_string_equal(buf, expected);
    rsim_promql_free(q);
    rsim_diag_free(d);
}

/* Parses text expecting an error; checks code, line, column and a piece of the message. */
static void assert_error(const char *text, rsim_err code, int line, int col, const char *needle)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = (rsim_promql *)&q;
    rsim_err err = rsim_promql_parse(text, base, d, &q);
    assert_int_equal(err, code);
    assert_null(q);
    assert_int_equal(rsim_diag_error_count(d), 1);
    rsim_loc loc = rsim_diag_loc_at(d, 0);
    const char *msg = rsim_diag_message_at(d, 0);
    if (!strstr(msg, needle) || loc.line != line || loc.col != col) {
        fprintf(stderr, "%s -> %d:%d %s\n", text, loc.line, loc.col, msg);
    }
    assert_string_equal(loc.file, "analysis.yaml");
    assert_int_equal(loc.line, line);
    assert_int_equal(loc.col, col);
    assert_non_null(strstr(msg, needle));
    assert_int_equal(rsim_diag_code_at(d, 0), code);
    rsim_diag_free(d);
}

static void test_expr_promql_precedence_and_associativity(void **state)
{
    (void)state;
    assert_formats("a + b * c", "(a + (b * c))");
    assert_formats("a - b - c", "((a - b) - c)");
    assert_formats("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))");
    assert_formats("-a ^ b", "-(a ^ b)");
    assert_formats("-a * b", "(-a * b)");
    assert_formats("a / b > 0.5", "((a / b) > 0.5)");
    assert_formats("a == bool b + 1", "(a == bool (b + 1))");
    assert_formats("(a + b) % c", "((a + b) % c)");
    assert_formats("-2", "-2");
    assert_formats("+x", "x");
    assert_formats("1 < bool 2 * -3", "(1 < bool (2 * -3))");
}

static void test_expr_promql_selectors_functions_aggregations(void **state)
{
    (void)state;
    assert_formats("sum by (a, b) (rate(x[5m]))", "sum by (a, b) (rate(x[5m]))");
    assert_formats("sum(rate(x[5m])) by (a,)", "sum by (a) (rate(x[5m]))");
    assert_formats("SUM WITHOUT (pod) (x)", "sum without (pod) (x)");
    assert_formats("count by () (x)", "count by () (x)");
    assert_formats("http_requests_total{code=~\"5..\", pod!=\"a\", job!~'b|c'}",
                   "http_requests_total{code=~\"5..\", pod!=\"a\", job!~\"b|c\"}");
    assert_formats("{__name__=\"up\"}", "{__name__=\"up\"}");
    assert_formats("rate(x[1h30m] offset 2m)", "rate(x[1h30m] offset 2m)");
    assert_formats("irate(x[90s])", "irate(x[1m30s])");
    assert_formats("x offset 1d", "x offset 1d");
    assert_formats("increase(x[1w])", "increase(x[7d])");
    assert_formats("histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
                   "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))");
    assert_formats("a / on (rs) b", "(a / on(rs) b)");
    assert_formats("a > bool ignoring (code, pod) b", "(a > bool ignoring(code, pod) b)");
    assert_formats("scalar(vector(1)) + absent(x) - clamp_min(x, 0) * clamp_max(x, Inf)",
                   "((scalar(vector(1)) + absent(x)) - (clamp_min(x, 0) * clamp_max(x, Inf)))");
    assert_formats("0x1f + 1e3 + .5 + NaN", "(((31 + 1000) + 0.5) + NaN)");
    assert_formats("x # a comment\n + 1", "(x + 1)");
}

static void test_expr_promql_ast_fields(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    assert_int_equal(
        rsim_promql_parse("rate(x{a=\"\\x41\\u00e9\\n\", b=`\\d`}[1h30m] offset 10s)", base, d, &q),
        RSIM_OK);
    const rsim_promql_node *n = rsim_promql_root(q);
    assert_int_equal(n->kind, RSIM_PROMQL_CALL);
    assert_int_equal(n->type, RSIM_PROMQL_VECTOR);
    assert_int_equal(n->u.call.fn, RSIM_PROMQL_FN_RATE);
    const rsim_promql_node *s = n->u.call.args[0];
    assert_int_equal(s->kind, RSIM_PROMQL_SELECTOR);
    assert_int_equal(s->type, RSIM_PROMQL_MATRIX);
    assert_int_equal(s->u.sel.range_ms, RSIM_MIN(90));
    assert_int_equal(s->u.sel.offset_ms, RSIM_SEC(10));
    assert_string_equal(s->u.sel.metric, "x");
    assert_int_equal(s->u.sel.n_matchers, 3);
    assert_string_equal(s->u.sel.matchers[1].value, "A\xc3\xa9\n");
    assert_string_equal(s->u.sel.matchers[2].value, "\\d"); /* raw string: no escapes */
    assert_int_equal(s->loc.line, 10);
    assert_int_equal(s->loc.col, 25);
    assert_int_equal(n->height, 2);
    rsim_promql_free(q);
    rsim_diag_free(d);
}

static void test_expr_promql_matchers(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    assert_int_equal(
        rsim_promql_parse("x{a=~\"5..|4.[0-9]\", b!~\"\", c!=\"v\", d=\"\"}", base, d, &q),
        RSIM_OK);
    const rsim_promql_matcher *m = rsim_promql_root(q)->u.sel.matchers;
    assert_true(rsim_promql_matcher_is_match(&m[1], "503"));
    assert_true(rsim_promql_matcher_is_match(&m[1], "429"));
    assert_false(rsim_promql_matcher_is_match(&m[1], "5030")); /* anchored at both ends */
    assert_false(rsim_promql_matcher_is_match(&m[1], "x503"));
    assert_false(m[1].matches_empty);
    assert_false(m[2].matches_empty); /* !~"" requires the label */
    assert_true(rsim_promql_matcher_is_match(&m[2], "y"));
    assert_true(m[3].matches_empty);
    assert_false(rsim_promql_matcher_is_match(&m[3], "v"));
    assert_true(m[4].matches_empty); /* d="" matches series without d */
    assert_false(rsim_promql_matcher_is_match(&m[4], "z"));
    rsim_promql_free(q);
    rsim_diag_free(d);
}

static void test_expr_promql_unsupported_is_an_error_at_its_column(void **state)
{
    (void)state;
    assert_error("predict_linear(x[5m], 60)", RSIM_EUNSUPPORTED, 10, 20,
                 "function 'predict_linear' is not supported yet: rollsim evaluates rate, irate");
    assert_error("rate(x[5m:1m])", RSIM_EUNSUPPORTED, 10, 26, "subqueries are not supported yet");
    assert_error("max_over_time(rate(x[1m])[5m:])", RSIM_EUNSUPPORTED, 10, 20, "max_over_time");
    assert_error("x @ 100", RSIM_EUNSUPPORTED, 10, 22, "the @ modifier is not supported yet");
    assert_error("x and y", RSIM_EUNSUPPORTED, 10, 22, "operator 'and' is not supported yet");
    assert_error("a / on (x) group_left b", RSIM_EUNSUPPORTED, 10, 31, "many-to-one matching");
    assert_error("topk(3, x)", RSIM_EUNSUPPORTED, 10, 20, "aggregation 'topk' is not supported");
    assert_error("x{a=~\"\\\\d+\"}", RSIM_EUNSUPPORTED, 10, 22, "regex escape '\\d'");
    assert_error("x{a=~\"(?i)b\"}", RSIM_EUNSUPPORTED, 10, 22, "(?...)");
    assert_error("x offset -5m", RSIM_EUNSUPPORTED, 10, 29, "negative offsets");
    assert_error("x[5m]", RSIM_EUNSUPPORTED, 10, 20, "a range vector cannot be the result");
    assert_error("\"text\"", RSIM_EUNSUPPORTED, 10, 20, "string literals");
}

static void test_expr_promql_syntax_and_type_errors(void **state)
{
    (void)state;
    assert_error("ratee(x[5m])", RSIM_EPARSE, 10, 20,
                 "unknown function 'ratee'; did you mean 'rate'?");
    assert_error("rate(x)", RSIM_EPARSE, 10, 25,
                 "expected type range vector in call to function 'rate', got instant vector");
    assert_error("histogram_quantile(x, y)", RSIM_EPARSE, 10, 39, "expected type scalar");
    assert_error("clamp_min(x)", RSIM_EPARSE, 10, 20, "expects 2 arguments, got 1");
    assert_error("1 > 2", RSIM_EPARSE, 10, 22, "comparisons between scalars must use the bool");
    assert_error("x + bool y", RSIM_EPARSE, 10, 24, "bool modifier can only be used on comparison");
    assert_error("1 + on (a) x", RSIM_EPARSE, 10, 22, "vector matching");
    assert_error("x[5m] + 1", RSIM_EPARSE, 10, 20, "binary expression must contain only scalar");
    assert_error("sum(x", RSIM_EPARSE, 10, 25, "unexpected end of query; expected ')'");
    assert_error("sum(1)", RSIM_EPARSE, 10, 24, "expected type instant vector in aggregation");
    assert_error("{a=\"\"}", RSIM_EPARSE, 10, 20, "at least one matcher");
    assert_error("x{__name__=\"y\"}", RSIM_EPARSE, 10, 22, "metric name must not be set twice");
    assert_error("x{a=~\"(\"}", RSIM_EPARSE, 10, 22, "invalid regular expression");
    assert_error("x{a=\"b}", RSIM_EPARSE, 10, 24, "unterminated quoted string");
    assert_error("x{a=\"\\q\"}", RSIM_EPARSE, 10, 25, "unknown escape sequence");
    assert_error("rate(x[0s])", RSIM_EPARSE, 10, 27, "range must be greater than 0");
    assert_error("rate(x[5])", RSIM_EPARSE, 10, 27, "expected a duration");
    assert_error("x + 5m", RSIM_EPARSE, 10, 24, "unexpected duration '5m'");
    assert_error("rate(x[5m])[1m]", RSIM_EPARSE, 10, 31, "ranges are only allowed after");
    assert_error("x y", RSIM_EPARSE, 10, 22, "expected an operator or the end of the query");
    assert_error("", RSIM_EPARSE, 10, 20, "empty query");
    assert_error("x $ y", RSIM_EPARSE, 10, 22, "unexpected character '$'");
    assert_error("sum by (a:b) (x)", RSIM_EPARSE, 10, 28, "invalid label name 'a:b'");
}

static void test_expr_promql_positions_across_lines(void **state)
{
    (void)state;
    /* Later lines of a multi-line query start at column 1 of the following file lines. */
    assert_error("sum(\n  rate(x[5m])\n) / holt_winters(x, 1, 1)", RSIM_EUNSUPPORTED, 12, 5,
                 "holt_winters");
    assert_error("sum(\n  rate(x[5m]", RSIM_EPARSE, 11, 13, "unexpected end of query");
}

static void test_expr_promql_depth_is_bounded(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        text[n++] = '(';
    }
    text[n++] = '1';
    for (int i = 0; i < 100; i++) {
        text[n++] = ')';
    }
    text[n] = '\0';
    assert_error(text, RSIM_ELIMIT, 10, 20 + RSIM_PROMQL_MAX_DEPTH, "nested too deeply");
    /* A long left-associative chain is deep as an AST even though it parses in a loop. */
    n = 0;
    for (int i = 0; i < 100; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%sx", i ? "+" : "");
    }
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    assert_int_equal(rsim_promql_parse(text, base, d, &q), RSIM_ELIMIT);
    assert_null(q);
    rsim_diag_free(d);
    /* 63 levels are fine. */
    n = 0;
    for (int i = 0; i < RSIM_PROMQL_MAX_DEPTH - 1; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%sx", i ? "+" : "");
    }
    assert_formats("x", "x");
    d = rsim_diag_new(0);
    assert_int_equal(rsim_promql_parse(text, base, d, &q), RSIM_OK);
    assert_int_equal(rsim_promql_root(q)->height, RSIM_PROMQL_MAX_DEPTH - 1);
    rsim_promql_free(q);
    rsim_diag_free(d);
}

static void test_expr_promql_path_prefixes_messages(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    assert_int_equal(rsim_promql_parse_path("deriv(x[5m])", base, "spec.metrics[0].query", d, &q),
                     RSIM_EUNSUPPORTED);
    assert_non_null(strstr(rsim_diag_message_at(d, 0), "spec.metrics[0].query: function 'deriv'"));
    rsim_diag_free(d);
}

/* Regexes of plain characters and '.' are answered without regexec: the answers must be
 * regexec's, for values of other lengths, cases, newlines and non-ASCII bytes too. */
static void test_expr_promql_simple_regex_matches_like_regexec(void **state)
{
    (void)state;
    static const char *const patterns[] = {"5..", "2.0", "GET", "a_b", ".", "..", "x.y", "A", "5"};
    static const char *const values[] = {"",    "500", "5",   "50",       "5000",      "200",
                                         "2x0", "GET", "get", "a_b",      "a\nb",      "\n",
                                         "x",   "xzy", "xy",  "\xc3\xa9", "5\xc3\xa9", "A"};
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        for (int negate = 0; negate < 2; negate++) {
            char text[64];
            snprintf(text, sizeof text, "x{l%s\"%s\"}", negate ? "!~" : "=~", patterns[i]);
            rsim_diag *d = rsim_diag_new(0);
            rsim_promql *q = NULL;
            assert_int_equal(rsim_promql_parse(text, base, d, &q), RSIM_OK);
            const rsim_promql_node *sel = rsim_promql_root(q);
            const rsim_promql_matcher *m = NULL;
            for (size_t k = 0; k < sel->u.sel.n_matchers; k++) {
                if (strcmp(sel->u.sel.matchers[k].name, "l") == 0) {
                    m = &sel->u.sel.matchers[k];
                }
            }
            assert_non_null(m);
            char anchored[64];
            snprintf(anchored, sizeof anchored, "^(%s)$", patterns[i]);
            regex_t re;
            assert_int_equal(regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB), 0);
            for (size_t j = 0; j < sizeof values / sizeof values[0]; j++) {
                bool want = (regexec(&re, values[j], 0, NULL, 0) == 0) != (negate == 1);
                if (rsim_promql_matcher_is_match(m, values[j]) != want) {
                    fail_msg("%s against \"%s\": expected %d", text, values[j], want);
                }
            }
            regfree(&re);
            rsim_promql_free(q);
            rsim_diag_free(d);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_promql_precedence_and_associativity),
        cmocka_unit_test(test_expr_promql_selectors_functions_aggregations),
        cmocka_unit_test(test_expr_promql_ast_fields),
        cmocka_unit_test(test_expr_promql_matchers),
        cmocka_unit_test(test_expr_promql_unsupported_is_an_error_at_its_column),
        cmocka_unit_test(test_expr_promql_syntax_and_type_errors),
        cmocka_unit_test(test_expr_promql_positions_across_lines),
        cmocka_unit_test(test_expr_promql_depth_is_bounded),
        cmocka_unit_test(test_expr_promql_path_prefixes_messages),
        cmocka_unit_test(test_expr_promql_simple_regex_matches_like_regexec),
    };
    return cmocka_run_group_tests_name("unit.expr_promql", tests, NULL, NULL);
}
