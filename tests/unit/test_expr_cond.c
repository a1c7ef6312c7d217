/* test_expr_cond.c - the analysis-condition language (sim/expr/cond*): every operator and
 * function of the subset, precedence, int/float rules, runtime errors with their columns, parse
 * errors with their positions, the documented Argo examples and the measurement phase table of
 * §16.2. Pinned: values, phases, messages' key phrases and columns. Not pinned: the full wording
 * of messages, which may improve. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cond.h"

/* ---- helpers ---- */

static rsim_cond *parse(const char *text)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_cond *c = NULL;
    rsim_loc base = {"test", 1, 1, 0};
    rsim_err err = rsim_cond_parse(text, base, d, &c);
    if (err != RSIM_OK) {
        print_error("parse failed: %s: %s\n", text, rsim_diag_message_at(d, 0));
    }
    assert_int_equal(err, RSIM_OK);
    rsim_diag_free(d);
    return c;
}

/* Evaluates text to a value in arena a. */
static const rsim_cond_value *val(rsim_arena *a, const char *text, const rsim_cond_value *result)
{
    rsim_cond *c = parse(text);
    const rsim_cond_value *v = NULL;
    char err[RSIM_COND_ERRMAX] = "";
    int col = 0;
    rsim_err rc = rsim_cond_eval_value(c, result, a, &v, err, sizeof(err), &col);
    if (rc != RSIM_OK) {
        print_error("eval failed: %s: %s\n", text, err);
    }
    assert_int_equal(rc, RSIM_OK);
    rsim_cond_free(c);
    return v;
}

static void expect_bool(const char *text, const rsim_cond_value *result, bool want)
{
    rsim_cond *c = parse(text);
    bool got = !want;
    char err[RSIM_COND_ERRMAX] = "";
    int col = 0;
    rsim_err rc = rsim_cond_eval(c, result, &got, err, sizeof(err), &col);
    if (rc != RSIM_OK || got != want) {
        print_error("%s: rc=%d got=%d want=%d err=%s\n", text, rc, got, want, err);
    }
    assert_int_equal(rc, RSIM_OK);
    assert_int_equal(got, want);
    rsim_cond_free(c);
}

static void expect_true(const char *text, const rsim_cond_value *result)
{
    expect_bool(text, result, true);
}

/* An evaluation error whose message contains `part`, at column `col`. */
static void
expect_eval_error(const char *text, const rsim_cond_value *result, const char *part, int col)
{
    rsim_cond *c = parse(text);
    bool got = false;
    char err[RSIM_COND_ERRMAX] = "";
    int at = 0;
    rsim_err rc = rsim_cond_eval(c, result, &got, err, sizeof(err), &at);
    if (rc != RSIM_EINVAL || !strstr(err, part) || at != col) {
        print_error("%s: rc=%d col=%d err='%s' (wanted '%s' at %d)\n", text, rc, at, err, part,
                    col);
    }
    assert_int_equal(rc, RSIM_EINVAL);
    assert_non_null(strstr(err, part));
    assert_int_equal(at, col);
    rsim_cond_free(c);
}

/* A parse error whose message contains `part`, at column `col` (base column 1). */
static void expect_parse_error(const char *text, rsim_err code, const char *part, int col)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_cond *c = NULL;
    rsim_loc base = {"cond", 1, 1, 0};
    rsim_err rc = rsim_cond_parse(text, base, d, &c);
    assert_int_not_equal(rc, RSIM_OK);
    assert_null(c);
    assert_int_equal(rsim_diag_error_count(d), 1);
    const char *msg = rsim_diag_message_at(d, 0);
    rsim_loc loc = rsim_diag_loc_at(d, 0);
    if (rc != code || !strstr(msg, part) || loc.col != col) {
        print_error("%s: rc=%d col=%d msg='%s' (wanted '%s' at %d)\n", text, rc, loc.col, msg, part,
                    col);
    }
    assert_int_equal(rc, code);
    assert_non_null(strstr(msg, part));
    assert_int_equal(loc.col, col);
    assert_int_equal(loc.line, 1);
    rsim_diag_free(d);
}

static const rsim_cond_value *floats(rsim_arena *a, size_t n, ...)
{
    double v[16];
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        v[i] = va_arg(ap, double);
    }
    va_end(ap);
    return rsim_cond_floats(a, v, n);
}

/* A web-provider style result: {"ok": true, "count": 3.0, "major": "1", "items": [1.0, 2.0],
 * "nested": {"x": 0.5}, "none": nil, "users": [{"name": "ann", "age": 31.0}, ...]}. */
static const rsim_cond_value *web_result(rsim_arena *a)
{
    rsim_cond_value *m = rsim_cond_map(a);
    rsim_cond_map_set(a, m, "ok", rsim_cond_bool(a, true));
    rsim_cond_map_set(a, m, "count", rsim_cond_float(a, 3.0));
    rsim_cond_map_set(a, m, "major", rsim_cond_string(a, "1"));
    rsim_cond_value *items = rsim_cond_array(a);
    rsim_cond_array_push(a, items, rsim_cond_float(a, 1.0));
    rsim_cond_array_push(a, items, rsim_cond_float(a, 2.0));
    rsim_cond_map_set(a, m, "items", items);
    rsim_cond_value *nested = rsim_cond_map(a);
    rsim_cond_map_set(a, nested, "x", rsim_cond_float(a, 0.5));
    rsim_cond_map_set(a, m, "nested", nested);
    rsim_cond_map_set(a, m, "none", NULL);
    rsim_cond_value *users = rsim_cond_array(a);
    const char *names[] = {"ann", "bob"};
    double ages[] = {31.0, 17.0};
    for (int i = 0; i < 2; i++) {
        rsim_cond_value *u = rsim_cond_map(a);
        rsim_cond_map_set(a, u, "name", rsim_cond_string(a, names[i]));
        rsim_cond_map_set(a, u, "age", rsim_cond_float(a, ages[i]));
        rsim_cond_array_push(a, users, u);
    }
    rsim_cond_map_set(a, m, "users", users);
    return m;
}

/* ---- tests ---- */

static void test_expr_cond_argo_examples(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    expect_true("result[0] >= 0.95", floats(&a, 1, 0.97));
    expect_bool("result[0] >= 0.95", floats(&a, 1, 0.90), false);
    expect_true("result[0] < 0.05", floats(&a, 2, 0.01, 0.2));
    expect_true("len(result) == 0 || all(result, {# < 0.01})", floats(&a, 0));
    expect_true("len(result) == 0 || all(result, {# < 0.01})", floats(&a, 2, 0.001, 0.002));
    expect_bool("len(result) == 0 || all(result, {# < 0.01})", floats(&a, 2, 0.001, 0.2), false);
    expect_true("isNaN(result) || result >= 0.95", rsim_cond_float(&a, NAN));
    expect_true("isNaN(result) || result >= 0.95", rsim_cond_float(&a, 0.99));
    expect_bool("isNaN(result) || result >= 0.95", rsim_cond_float(&a, 0.5), false);
    expect_true("result.ok == true", web_result(&a));
    expect_true("asInt(result) > 10", rsim_cond_string(&a, "11"));
    expect_true("asInt(result) > 10", rsim_cond_float(&a, 10.9 + 1));
    expect_true("default(result, 0) > 1", rsim_cond_float(&a, 2.0));
    expect_bool("default(result, 0) > 1", NULL, false);
    expect_true("any(result, {# > 0.1})", floats(&a, 3, 0.0, 0.05, 0.2));
    expect_bool("any(result, {# > 0.1})", floats(&a, 1, 0.05), false);
    expect_true("result in [1, 2]", rsim_cond_float(&a, 2.0));
    expect_bool("result in [1, 2]", rsim_cond_float(&a, 2.5), false);
    expect_true("result.major == '1'", web_result(&a));
    rsim_arena_fini(&a);
}

static void test_expr_cond_literals(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *v = val(&a, "42", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_INT);
    assert_int_equal(rsim_cond_value_int(v), 42);
    assert_int_equal(rsim_cond_value_int(val(&a, "0x2A", NULL)), 42);
    assert_int_equal(rsim_cond_value_int(val(&a, "1_000_000", NULL)), 1000000);
    v = val(&a, "2.5e-1", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_FLOAT);
    assert_true(rsim_cond_value_float(v) == 0.25);
    assert_string_equal(rsim_cond_value_str(val(&a, "'it\\'s'", NULL)), "it's");
    assert_string_equal(rsim_cond_value_str(val(&a, "\"a\\tb\\u00e9\\x41\"", NULL)), "a\tb\xc3\xa9"
                                                                                     "A");
    assert_int_equal(rsim_cond_value_kind(val(&a, "nil", NULL)), RSIM_COND_NIL);
    assert_true(rsim_cond_value_bool(val(&a, "true", NULL)));
    v = val(&a, "[1, 'x', [2.5], nil,]", NULL);
    assert_int_equal(rsim_cond_value_len(v), 4);
    assert_string_equal(rsim_cond_value_str(rsim_cond_value_at(v, 1)), "x");
    v = val(&a, "{a: 1, 'b c': 2, 3: 'three'}", NULL);
    assert_int_equal(rsim_cond_value_len(v), 3);
    assert_int_equal(rsim_cond_value_int(rsim_cond_value_get(v, "b c")), 2);
    assert_string_equal(rsim_cond_value_str(rsim_cond_value_get(v, "3")), "three");
    rsim_arena_fini(&a);
}

static void test_expr_cond_arithmetic_int_float(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *v = val(&a, "1 + 2", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_INT);
    assert_int_equal(rsim_cond_value_int(v), 3);
    v = val(&a, "1 + 2.0", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_FLOAT);
    v = val(&a, "7 / 2", NULL); /* division is always float */
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_FLOAT);
    assert_true(rsim_cond_value_float(v) == 3.5);
    v = val(&a, "7 % 3", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_INT);
    assert_int_equal(rsim_cond_value_int(v), 1);
    assert_int_equal(rsim_cond_value_int(val(&a, "-7 % 3", NULL)), -1);
    v = val(&a, "2 ** 3", NULL); /* power is always float */
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_FLOAT);
    assert_true(rsim_cond_value_float(v) == 8.0);
    assert_true(rsim_cond_value_float(val(&a, "2 ^ 0.5", NULL)) == sqrt(2.0));
    assert_int_equal(rsim_cond_value_int(val(&a, "6 * 7 - 2", NULL)), 40);
    assert_int_equal(rsim_cond_value_int(val(&a, "9223372036854775807 + 1", NULL)), INT64_MIN);
    assert_true(isinf(rsim_cond_value_float(val(&a, "1 / 0", NULL))));
    assert_true(isnan(rsim_cond_value_float(val(&a, "0 / 0", NULL))));
    assert_string_equal(rsim_cond_value_str(val(&a, "'ab' + \"cd\"", NULL)), "abcd");
    assert_int_equal(rsim_cond_value_int(val(&a, "-(3)", NULL)), -3);
    assert_true(rsim_cond_value_float(val(&a, "+result", rsim_cond_float(&a, 1.5))) == 1.5);
    expect_eval_error("7.5 % 2", NULL, "invalid operation: '%' (mismatched types float64 and int)",
                      5);
    expect_eval_error("1 % 0", NULL, "integer divide by zero", 3);
    expect_eval_error("'a' + 1", NULL, "mismatched types string and int", 5);
    expect_eval_error("-'a' == 1", NULL, "unary '-' on string", 1);
    expect_eval_error("result * 2 > 1", NULL, "mismatched types <nil> and int", 8);
    rsim_arena_fini(&a);
}

static void test_expr_cond_precedence(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    assert_int_equal(rsim_cond_value_int(val(&a, "1 + 2 * 3", NULL)), 7);
    assert_int_equal(rsim_cond_value_int(val(&a, "(1 + 2) * 3", NULL)), 9);
    assert_int_equal(rsim_cond_value_int(val(&a, "10 - 4 - 3", NULL)), 3);
    assert_true(rsim_cond_value_float(val(&a, "2 ** 3 ** 2", NULL)) == 512.0);
    assert_true(rsim_cond_value_float(val(&a, "-2 ** 2", NULL)) == -4.0);
    assert_true(rsim_cond_value_float(val(&a, "2 * 3 ** 2", NULL)) == 18.0);
    expect_true("true || false && false", NULL);
    expect_bool("(true || false) && false", NULL, false);
    expect_true("not true == false", NULL); /* not binds tighter than == in expr */
    expect_true("!false && 1 < 2", NULL);
    expect_true("1 + 1 == 2 and 2 * 2 == 4", NULL);
    expect_true("false or not false", NULL);
    expect_true("1 < 2 == true", NULL);
    assert_int_equal(rsim_cond_value_int(val(&a, "true ? 1 : 2", NULL)), 1);
    assert_int_equal(rsim_cond_value_int(val(&a, "false ? 1 : true ? 2 : 3", NULL)), 2);
    assert_int_equal(rsim_cond_value_int(val(&a, "1 > 2 ? 1 : 2 + 3", NULL)), 5);
    assert_int_equal(rsim_cond_value_int(val(&a, "1 + result ?? 2", NULL)), 3);
    expect_eval_error("1 ? 2 : 3", NULL, "non-bool int used as the condition", 3);
    rsim_arena_fini(&a);
}

static void test_expr_cond_comparisons(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    expect_true("3 == 3.0", NULL);
    expect_true("result.count == 3", web_result(&a)); /* JSON float64 against an int literal */
    expect_true("2 < 2.5 && 2.5 <= 2.5 && 3 > 2 && 3 >= 3.0", NULL);
    expect_true("'abc' < 'abd' && 'b' > 'abc' && 'a' <= 'a' && 'ab' > 'a'", NULL);
    expect_true("nil == nil && result == nil", NULL);
    expect_true("0 != nil && '' != nil && false != nil", NULL);
    expect_true("'1' != 1", NULL);
    expect_true("result != result", rsim_cond_float(&a, NAN)); /* NaN is unequal to itself */
    expect_bool("result < 1 || result >= 1", rsim_cond_float(&a, NAN), false);
    expect_true("[1, 'a'] == [1, 'a'] && {a: 1} == {a: 1}", NULL);
    expect_bool("[1] == [1.0]", NULL, false); /* reflect.DeepEqual: int is not float64 */
    expect_bool("result == [1.0]", floats(&a, 1, 1.0), false); /* []float64 vs []interface{} */
    expect_true("result[0] == 1", floats(&a, 1, 1.0));
    expect_eval_error("'a' < 1", NULL, "invalid operation: '<' (mismatched types string and int)",
                      5);
    expect_eval_error("result > 0.5", NULL, "mismatched types <nil> and float64", 8);
    expect_eval_error("result >= 0.95", floats(&a, 1, 1.0),
                      "mismatched types []float64 and float64", 8);
    rsim_arena_fini(&a);
}

static void test_expr_cond_logical(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    expect_true("true && true", NULL);
    expect_bool("true and false", NULL, false);
    expect_true("false || true", NULL);
    expect_true("not false", NULL);
    expect_true("!!true", NULL);
    /* Short-circuit: the right side is never evaluated, so its error does not happen. */
    expect_bool("false && result[5] > 1", floats(&a, 0), false);
    expect_true("true || result[5] > 1", floats(&a, 0));
    expect_true("len(result) == 0 || result[0] > 1", floats(&a, 0));
    expect_eval_error("1 && true", NULL, "'&&' needs booleans, got int", 3);
    expect_eval_error("false || 'x'", NULL, "'||' needs booleans, got string", 7);
    expect_eval_error("not 1", NULL, "not on int", 1);
    rsim_arena_fini(&a);
}

static void test_expr_cond_membership(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    expect_true("2 in [1, 2, 3]", NULL);
    expect_true("2.0 in [1, 2]", NULL);
    expect_true("4 not in [1, 2, 3]", NULL);
    expect_true("'a' in {a: 1}", NULL);
    expect_true("'b' not in {a: 1}", NULL);
    expect_true("'ok' in result", web_result(&a));
    expect_bool("1 in result", NULL, false); /* in nil: false */
    expect_true("1 in result", floats(&a, 2, 3.0, 1.0));
    expect_true("'ell' in ['hello'] == false", NULL);
    expect_true("'hello' contains 'ell' && 'hello' startsWith 'he' && 'hello' endsWith 'lo'", NULL);
    expect_true("'hello' not contains 'z' && 'hello' not startsWith 'l'", NULL);
    expect_eval_error("1 in 5", NULL, "operator \"in\" not defined on int", 3);
    expect_eval_error("1 in {a: 1}", NULL, "cannot use int as a key", 3);
    expect_eval_error("1 contains 'a'", NULL, "mismatched types int and string", 3);
    rsim_arena_fini(&a);
}

static void test_expr_cond_member_and_index(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *r = web_result(&a);
    expect_true("result.ok", r);
    expect_true("result['ok'] && result[\"count\"] == 3", r);
    expect_true("result.nested.x == 0.5 && result['nested']['x'] == 0.5", r);
    expect_true("result.missing == nil && result.none == nil", r);
    expect_true("result.items[0] == 1 && result.items[-1] == 2 && result.items[1.0] == 2", r);
    expect_true("result.users[1].name == 'bob'", r);
    expect_true("result?.a?.b == nil", NULL);
    expect_true("result?.a.b.c == nil", NULL); /* ?. ends the whole chain */
    expect_true("result.missing?.x == nil", r);
    expect_true("(result.missing ?? 7) == 7", r);
    expect_true("result.items[1:] == result.items[1:2] && len(result.items[:-1]) == 1", r);
    expect_true("len(result[5:]) == 0 && result[-9:1][0] == 1 && len(result[-9:1]) == 1",
                floats(&a, 2, 1.0, 2.0));
    expect_true("'hello'[1:3] == 'el' && 'hi'[0] == 104", NULL);
    expect_eval_error("result[0] >= 0.95", floats(&a, 0),
                      "index out of range: 0 (result has 0 elements)", 7);
    expect_eval_error("result.items[2] > 0", r, "index out of range: 2 (result.items has 2", 13);
    expect_eval_error("result.missing.x > 0", r, "cannot fetch x from <nil>", 16);
    expect_eval_error("result.a == 1", NULL, "(result is nil)", 8);
    expect_eval_error("result[0] == 1", NULL, "cannot fetch 0 from <nil>", 7);
    expect_eval_error("result.ok.x", r, "cannot fetch x from bool", 11);
    expect_eval_error("result[0.5] == 1", floats(&a, 1, 1.0), "index must be an integer", 7);
    expect_eval_error("result[1] == 1", r, "cannot use int as a key", 7);
    rsim_arena_fini(&a);
}

static void test_expr_cond_builtins(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *r = web_result(&a);
    expect_true("len('héllo') == 6 && len([1, 2]) == 2 && len({a: 1}) == 1", NULL);
    expect_true("len(result) == 7", r);
    expect_true("all([], {# > 1}) && !any([], {# > 1}) && none([], {# > 1})", NULL);
    expect_true("all(result, {# > 0.1}) && none(result, {# > 0.9})", floats(&a, 2, 0.2, 0.3));
    expect_true("one([1, 2, 3], {# == 2}) && !one([2, 2], {# == 2})", NULL);
    expect_true("filter([1, 2, 3, 4], {# % 2 == 0}) == [2, 4]", NULL);
    expect_true("map([1, 2], {# * 10}) == [10, 20]", NULL);
    expect_true("count([1, 2, 3], {# > 1}) == 2", NULL);
    expect_true("all(result.users, {.age > 10}) && any(result.users, {#.name == 'ann'})", r);
    expect_true("count(result.users, .age >= 18) == 1", r);     /* braces may be omitted */
    expect_true("all([[1, 2], [3]], {all(#, {# > 0})})", NULL); /* # is the innermost item */
    expect_true("map(filter(result, {# > 1}), {# * 2}) == [4.0, 6.0]",
                floats(&a, 3, 1.0, 2.0, 3.0));
    /* all stops at the first false item: the error in the third is never reached. */
    expect_bool("all([1, 0, 'x'], {# > 0})", NULL, false);
    expect_eval_error("all(result, {# > 0})", NULL, "all() needs a list, got <nil>", 1);
    expect_eval_error("any([1], {#})", NULL, "predicate of any() must be a boolean, got int", 1);
    expect_eval_error("len(1) > 0", NULL, "invalid argument for len (type int)", 1);
    rsim_arena_fini(&a);
}

static void test_expr_cond_argo_helpers(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *v = val(&a, "asInt('42')", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_INT);
    assert_int_equal(rsim_cond_value_int(v), 42);
    assert_int_equal(rsim_cond_value_int(val(&a, "asInt(3.9)", NULL)), 3);
    assert_int_equal(rsim_cond_value_int(val(&a, "asInt(-3.9)", NULL)), -3);
    assert_int_equal(rsim_cond_value_int(val(&a, "asInt('-17')", NULL)), -17);
    v = val(&a, "asFloat('1.5e3')", NULL);
    assert_int_equal(rsim_cond_value_kind(v), RSIM_COND_FLOAT);
    assert_true(rsim_cond_value_float(v) == 1500.0);
    assert_true(rsim_cond_value_float(val(&a, "asFloat(2)", NULL)) == 2.0);
    assert_true(isnan(rsim_cond_value_float(val(&a, "asFloat('NaN')", NULL))));
    expect_eval_error("asInt('4.5') > 1", NULL, "strconv.ParseInt: parsing \"4.5\": invalid syntax",
                      1);
    expect_eval_error("asInt(' 4') > 1", NULL, "invalid syntax", 1);
    expect_eval_error("asInt('99999999999999999999') > 1", NULL, "value out of range", 1);
    expect_eval_error("asFloat('abc') > 1", NULL,
                      "strconv.ParseFloat: parsing \"abc\": invalid syntax", 1);
    expect_eval_error("asFloat('1e999') > 1", NULL, "value out of range", 1);
    expect_eval_error("asInt(result) > 1", NULL, "asInt() not supported on <nil> nil", 1);
    expect_eval_error("asFloat(true) > 1", NULL, "asFloat() not supported on bool true", 1);
    expect_true("isNaN(result)", rsim_cond_float(&a, NAN));
    expect_true("!isNaN(result) && !isNaN(1)", rsim_cond_float(&a, 1.0));
    expect_true("isInf(result) && isInf(-result) && !isInf(1.0)", rsim_cond_float(&a, INFINITY));
    expect_eval_error("isNaN(result)", floats(&a, 0), "isNaN() needs a float64, got []float64", 1);
    expect_eval_error("isInf('x')", NULL, "isInf() needs a float64, got string", 1);
    /* isNil and default look at the whole result, whatever their first argument (§20). */
    expect_true("isNil(result)", NULL);
    expect_true("isNil(1)", NULL);
    expect_bool("isNil(nil)", rsim_cond_float(&a, 1.0), false);
    expect_true("default(result, 5) == 5", NULL);
    expect_true("default(nil, 5) == 0.25", rsim_cond_float(&a, 0.25));
    /* The first argument is still evaluated: a member of a nil result is an error. */
    expect_eval_error("default(result.x, 0) == 0", NULL, "cannot fetch x from <nil>", 16);
    rsim_arena_fini(&a);
}

static void test_expr_cond_non_boolean_is_error(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    expect_eval_error("result[0]", floats(&a, 1, 0.5), "expected bool, but got float64", 1);
    expect_eval_error("result", NULL, "expected bool, but got <nil>", 1);
    expect_eval_error("len(result)", floats(&a, 1, 0.5), "expected bool, but got int", 1);
    expect_eval_error("result.items", web_result(&a), "expected bool, but got []interface {}", 1);
    rsim_arena_fini(&a);
}

static void test_expr_cond_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("resutl[0] > 1", RSIM_EPARSE, "unknown name 'resutl'; did you mean 'result'",
                       1);
    expect_parse_error("result > foo", RSIM_EPARSE, "unknown name 'foo'", 10);
    expect_parse_error("lne(result) > 0", RSIM_EPARSE, "unknown function 'lne'; did you mean 'len'",
                       1);
    expect_parse_error("result[0] >=", RSIM_EPARSE, "expected an expression, got end", 13);
    expect_parse_error("result[0 > 1", RSIM_EPARSE, "expected ']'", 13);
    expect_parse_error("(result > 1", RSIM_EPARSE, "expected ')'", 12);
    expect_parse_error("result > 1 1", RSIM_EPARSE, "expected an operator or the end", 12);
    expect_parse_error("", RSIM_EPARSE, "empty condition", 1);
    expect_parse_error("result = 1", RSIM_EPARSE, "unexpected character '='", 8);
    expect_parse_error("result == 'abc", RSIM_EPARSE, "string not terminated", 11);
    expect_parse_error("1.5e > 1", RSIM_EPARSE, "exponent has no digits", 4);
    expect_parse_error("result matches 'a.*'", RSIM_EUNSUPPORTED, "'matches' operator", 8);
    expect_parse_error("abs(result) > 1", RSIM_EUNSUPPORTED, "not supported yet: 'abs'", 1);
    expect_parse_error("result | len()", RSIM_EUNSUPPORTED, "pipe operator", 8);
    expect_parse_error("1..3 == [1, 2, 3]", RSIM_EUNSUPPORTED, "range operator", 2);
    expect_parse_error("0 < result < 1", RSIM_EUNSUPPORTED, "chained comparison", 12);
    expect_parse_error("result ?? 0 > 1", RSIM_EPARSE, "'>' and '\?\?' cannot be mixed", 13);
    expect_parse_error("# > 1", RSIM_EPARSE, "'#' is only defined inside a predicate", 1);
    expect_parse_error("len(result, 1) > 1", RSIM_EPARSE, "too many arguments to len", 13);
    expect_parse_error("default(result) > 1", RSIM_EPARSE, "not enough arguments to default", 15);
    expect_parse_error("len > 1", RSIM_EPARSE, "'len' is a function", 1);
    expect_parse_error("result.foo() > 1", RSIM_EUNSUPPORTED, "method calls", 8);
    expect_parse_error("result. > 1", RSIM_EPARSE, "expected a member name", 9);
}

static void test_expr_cond_parse_positions_are_relative_to_base(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_cond *c = NULL;
    rsim_loc base = {"template.yaml", 14, 25, 0};
    assert_int_equal(rsim_cond_parse("result[0] >= bogus", base, d, &c), RSIM_EPARSE);
    rsim_loc loc = rsim_diag_loc_at(d, 0);
    assert_string_equal(loc.file, "template.yaml");
    assert_int_equal(loc.line, 14);
    assert_int_equal(loc.col, 25 + 13);
    assert_int_equal(loc.len, 5);
    /* On later lines of a multi-line text: the line below and the column within that line. */
    assert_int_equal(rsim_cond_parse("result[0] >= 0.95 &&\n  resutl[1] > 0", base, d, &c),
                     RSIM_EPARSE);
    loc = rsim_diag_loc_at(d, 1);
    assert_int_equal(loc.line, 15);
    assert_int_equal(loc.col, 3);
    rsim_diag_free(d);
}

static void test_expr_cond_depth_limit(void **state)
{
    (void)state;
    char text[2048];
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        text[n++] = '(';
    }
    text[n++] = '1';
    for (int i = 0; i < 300; i++) {
        text[n++] = ')';
    }
    text[n] = '\0';
    rsim_diag *d = rsim_diag_new(0);
    rsim_cond *c = NULL;
    rsim_loc base = {"x", 1, 1, 0};
    assert_int_equal(rsim_cond_parse(text, base, d, &c), RSIM_ELIMIT);
    /* Left-deep chains are built without recursion; their height is bounded too. */
    n = 0;
    for (int i = 0; i < 400; i++) {
        text[n++] = '1';
        text[n++] = '+';
    }
    text[n++] = '1';
    text[n] = '\0';
    assert_int_equal(rsim_cond_parse(text, base, d, &c), RSIM_ELIMIT);
    assert_null(c);
    assert_non_null(strstr(rsim_diag_message_at(d, 0), "nested too deeply"));
    rsim_diag_free(d);
}

/* The measurement phase table of §16.2, row by row. */
static void test_expr_cond_judge_phase_table(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    const rsim_cond_value *r = rsim_cond_float(&a, 0.5);
    rsim_cond *t = parse("result < 1");
    rsim_cond *f = parse("result > 1");
    rsim_cond *err = parse("result[0] > 1");
    rsim_cond *err2 = parse("result.x > 1");
    rsim_cond_judgement j;
    assert_int_equal(rsim_cond_judge(NULL, NULL, r, &j), RSIM_COND_SUCCESSFUL);
    assert_int_equal(rsim_cond_judge(t, NULL, r, &j), RSIM_COND_SUCCESSFUL);
    assert_true(j.success_evaluated && j.success_value && !j.failure_evaluated);
    assert_int_equal(rsim_cond_judge(f, NULL, r, &j), RSIM_COND_FAILED);
    assert_int_equal(rsim_cond_judge(NULL, t, r, &j), RSIM_COND_FAILED);
    assert_int_equal(rsim_cond_judge(NULL, f, r, &j), RSIM_COND_SUCCESSFUL);
    assert_int_equal(rsim_cond_judge(t, t, r, &j), RSIM_COND_FAILED); /* failure wins */
    assert_int_equal(rsim_cond_judge(f, t, r, &j), RSIM_COND_FAILED);
    assert_int_equal(rsim_cond_judge(t, f, r, &j), RSIM_COND_SUCCESSFUL);
    assert_int_equal(rsim_cond_judge(f, f, r, &j), RSIM_COND_INCONCLUSIVE);
    assert_int_equal(rsim_cond_judge(err, NULL, r, &j), RSIM_COND_ERROR);
    assert_int_equal(j.error_in, 1);
    assert_int_equal(j.error_col, 7);
    assert_int_equal(rsim_cond_judge(NULL, err, r, &j), RSIM_COND_ERROR);
    assert_int_equal(j.error_in, 2);
    /* The success condition is evaluated first: its error is the one reported. */
    assert_int_equal(rsim_cond_judge(err, err2, r, &j), RSIM_COND_ERROR);
    assert_int_equal(j.error_in, 1);
    assert_non_null(strstr(j.error, "cannot fetch 0"));
    assert_false(j.failure_evaluated);
    /* An error in the failure condition is an Error even when success is true. */
    assert_int_equal(rsim_cond_judge(t, err2, r, &j), RSIM_COND_ERROR);
    assert_int_equal(j.error_in, 2);
    assert_true(j.success_evaluated);
    assert_int_equal(rsim_cond_judge(t, NULL, NULL, NULL), RSIM_COND_ERROR); /* nil result */
    assert_string_equal(rsim_cond_phase_name(RSIM_COND_INCONCLUSIVE), "Inconclusive");
    rsim_cond_free(t);
    rsim_cond_free(f);
    rsim_cond_free(err);
    rsim_cond_free(err2);
    rsim_arena_fini(&a);
}

static void test_expr_cond_values(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    rsim_cond_value *m = rsim_cond_map(&a);
    rsim_cond_map_set(&a, m, "b", rsim_cond_int(&a, 1));
    rsim_cond_map_set(&a, m, "a", rsim_cond_string(&a, "x\"y"));
    rsim_cond_map_set(&a, m, "b", rsim_cond_floats(&a, (const double[]){0.5, NAN, -INFINITY}, 3));
    rsim_buf b;
    rsim_buf_init(&b, 1024);
    rsim_cond_value_format(m, &b);
    assert_string_equal(b.data, "{\"b\": [0.5, NaN, -Inf], \"a\": \"x\\\"y\"}");
    rsim_buf_reset(&b);
    rsim_cond_value_format(rsim_cond_float(&a, 0.1), &b);
    assert_string_equal(b.data, "0.1");
    rsim_buf_fini(&b);
    assert_string_equal(rsim_cond_value_type_name(m), "map[string]interface {}");
    assert_string_equal(rsim_cond_value_type_name(rsim_cond_value_get(m, "b")), "[]float64");
    assert_string_equal(rsim_cond_value_type_name(NULL), "<nil>");
    assert_null(rsim_cond_value_get(m, "zz"));
    rsim_cond *c = parse("result.b[0] == 0.5");
    assert_string_equal(rsim_cond_text(c), "result.b[0] == 0.5");
    bool v = false;
    assert_int_equal(rsim_cond_eval(c, m, &v, NULL, 0, NULL), RSIM_OK);
    assert_true(v);
    rsim_cond_free(c);
    rsim_cond_free(NULL);
    rsim_arena_fini(&a);
}

/* The shortest of %.15g..%.17g that reads back, computed the slow way. */
static void format_by_printf(double f, char *out, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        (void)snprintf(out, size, "%.*g", prec, f);
        if (strtod(out, NULL) == f) {
            return;
        }
    }
}

static void assert_float_formats_as_printf(rsim_arena *a, rsim_buf *b, double f)
{
    char want[40];
    if (isnan(f) || isinf(f)) {
        return;
    }
    format_by_printf(f, want, sizeof want);
    rsim_buf_reset(b);
    rsim_cond_value_format(rsim_cond_float(a, f), b);
    if (strcmp(b->data, want) != 0) {
        fail_msg("%a formats as %s, printf gives %s", f, b->data, want);
    }
}

static void test_expr_cond_float_format_matches_printf(void **state)
{
    (void)state;
    rsim_arena a;
    rsim_arena_init(&a);
    rsim_buf b;
    rsim_buf_init(&b, 1024);
    static const double fixed[] = {0.0,
                                   -0.0,
                                   1.0,
                                   -1.0,
                                   0.1,
                                   0.2,
                                   0.3,
                                   1.0 / 3.0,
                                   2.0 / 3.0,
                                   0.0001,
                                   0.00001,
                                   123456789012345.0,
                                   999999999999999.0,
                                   1e15,
                                   1e16,
                                   9007199254740991.0,
                                   9007199254740993.0,
                                   1e-14,
                                   1e-15,
                                   5e-324,
                                   2.2250738585072014e-308,
                                   1.7976931348623157e308,
                                   0.30000000000000004,
                                   0.9999999999999999,
                                   9.999999999999999e-05,
                                   0.5,
                                   0.25,
                                   0.125,
                                   100.0,
                                   1e21,
                                   123.456};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        assert_float_formats_as_printf(&a, &b, fixed[i]);
    }
    /* Ratios, doubles around powers of ten and two, random bit patterns. */
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
    for (int i = 0; i < 60000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double f = 0;
        switch (i % 5) {
        case 0:
            memcpy(&f, &x, sizeof f);
            break;
        case 1:
            f = (double)(x % 100000) / (double)(1 + (x >> 40) % 100000);
            break;
        case 2:
            f = ldexp((double)(x >> 11), (int)(x % 120) - 150);
            break;
        case 3:
            f = nextafter(pow(10, (int)(x % 36) - 18), (x >> 63) ? 0 : 1e300);
            break;
        default:
            f = nextafter(ldexp(1, (int)(x % 120) - 70), (x >> 63) ? 0 : 1e300);
            if ((x >> 62) & 1) {
                f = ldexp(1, (int)(x % 120) - 70);
            }
            break;
        }
        assert_float_formats_as_printf(&a, &b, (x >> 61) & 1 ? -f : f);
    }
    rsim_buf_fini(&b);
    rsim_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_cond_argo_examples),
        cmocka_unit_test(test_expr_cond_literals),
        cmocka_unit_test(test_expr_cond_arithmetic_int_float),
        cmocka_unit_test(test_expr_cond_precedence),
        cmocka_unit_test(test_expr_cond_comparisons),
        cmocka_unit_test(test_expr_cond_logical),
        cmocka_unit_test(test_expr_cond_membership),
        cmocka_unit_test(test_expr_cond_member_and_index),
        cmocka_unit_test(test_expr_cond_builtins),
        cmocka_unit_test(test_expr_cond_argo_helpers),
        cmocka_unit_test(test_expr_cond_non_boolean_is_error),
        cmocka_unit_test(test_expr_cond_parse_errors),
        cmocka_unit_test(test_expr_cond_parse_positions_are_relative_to_base),
        cmocka_unit_test(test_expr_cond_depth_limit),
        cmocka_unit_test(test_expr_cond_judge_phase_table),
        cmocka_unit_test(test_expr_cond_values),
        cmocka_unit_test(test_expr_cond_float_format_matches_printf),
    };
    return cmocka_run_group_tests_name("expr_cond", tests, NULL, NULL);
}
