/* test_scenario.c - the scenario loader core: the YAML tree (positions, tags, YAML 1.1 plain
 * scalar resolution as go-yaml v2 does it, aliases, duplicate and merge keys, limits), the value
 * syntaxes (Go durations, quantities, int-or-percent) against answers of the Go and Kubernetes
 * code, the schema checker on a small table covering every field type, and document loading
 * (multi-document files, skipped kinds, kind: List, manifests, RUN/LINT rules).
 * Not pinned here: the Argo tables and builders (their own tests) and the printed layout of
 * diagnostics (tests/errors). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scenario_int.h"

/* ---- helpers ---- */

typedef struct fixture {
    rsim_arena arena;
    rsim_diag *diag;
    rsim_yfile *file;
    rsim_err err;
} fixture;

static void parse(fixture *f, const char *text)
{
    rsim_arena_init(&f->arena);
    f->diag = rsim_diag_new(0);
    f->file = NULL;
    f->err = rsim_ynode_parse(&f->arena, "t.yaml", text, strlen(text), f->diag, &f->file);
}

static void done(fixture *f)
{
    rsim_diag_free(f->diag);
    rsim_arena_fini(&f->arena);
}

/* Every entry of a sink as "L:C: message" lines, in the sink's sorted order. */
static char *messages(rsim_diag *d)
{
    rsim_buf b;
    rsim_buf_init(&b, 1 << 20);
    (void)rsim_buf_puts(&b, "");
    for (size_t i = 0; i < rsim_diag_count(d); i++) {
        rsim_loc loc = rsim_diag_loc_at(d, i);
        (void)rsim_buf_printf(&b, "%d:%d: %s\n", loc.line, loc.col, rsim_diag_message_at(d, i));
    }
    return b.data;
}

static void assert_messages(rsim_diag *d, const char *expected)
{
    char *got = messages(d);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "expected:\n%s\ngot:\n%s\n", expected, got);
    }
    assert_string_equal(got, expected);
    free(got);
}

static const rsim_ynode *root(const fixture *f, size_t doc)
{
    assert_non_null(f->file);
    assert_true(doc < f->file->n_docs);
    return f->file->docs[doc].root;
}

/* ---- ynode ---- */

static void test_scenario_ynode_positions(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "a: 1\nb:\n  c: \"hello\"\n  d: [x, yy]\n");
    assert_int_equal(f.err, RSIM_OK);
    const rsim_ynode *r = root(&f, 0);
    assert_int_equal(r->kind, RSIM_YNODE_MAP);
    assert_int_equal(r->loc.line, 1);
    assert_int_equal(r->loc.col, 1);
    const rsim_ynode *kb = rsim_ynode_key(r, "b");
    assert_int_equal(kb->loc.line, 2);
    assert_int_equal(kb->loc.col, 1);
    const rsim_ynode *c = rsim_ynode_get(rsim_ynode_get(r, "b"), "c");
    assert_string_equal(c->str, "hello");
    assert_int_equal(c->style, RSIM_YSCALAR_QUOTED);
    assert_int_equal(c->loc.line, 3);
    assert_int_equal(c->loc.col, 6);
    assert_int_equal(c->loc.len, 7); /* the quotes are part of the source span */
    const rsim_ynode *d = rsim_ynode_get(rsim_ynode_get(r, "b"), "d");
    assert_int_equal(d->kind, RSIM_YNODE_SEQ);
    assert_int_equal(d->n, 2);
    assert_int_equal(d->items[1]->loc.col, 10);
    assert_int_equal(d->items[1]->loc.len, 2);
    assert_string_equal(f.file->path, "t.yaml");
    done(&f);
}

static void test_scenario_ynode_bom_crlf_utf8_columns(void **state)
{
    (void)state;
    fixture f;
    /* Columns are bytes (the caret printer counts bytes), after a BOM on line 1. */
    parse(&f, "\xEF\xBB\xBFk: \xC3\xA9\xC3\xA9 x\r\nb: 1\r\n");
    assert_int_equal(f.err, RSIM_OK);
    const rsim_ynode *r = root(&f, 0);
    assert_int_equal(rsim_ynode_key(r, "k")->loc.col, 1);
    const rsim_ynode *k = rsim_ynode_get(r, "k");
    assert_string_equal(k->str, "\xC3\xA9\xC3\xA9 x");
    assert_int_equal(k->loc.col, 4);
    assert_int_equal(k->loc.len, 6);
    const rsim_ynode *b = rsim_ynode_get(r, "b");
    assert_int_equal(b->loc.line, 2);
    assert_int_equal(b->loc.col, 4);
    assert_int_equal(b->loc.len, 1);
    done(&f);
}

static void test_scenario_ynode_multi_document(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "a: 1\n---\n---\n# only a comment\nb: 2\n");
    assert_int_equal(f.err, RSIM_OK);
    assert_int_equal(f.file->n_docs, 3);
    assert_non_null(root(&f, 0));
    assert_null(root(&f, 1));
    assert_non_null(rsim_ynode_get(root(&f, 2), "b"));
    assert_int_equal(f.file->docs[2].loc.line, 3);
    done(&f);
    parse(&f, "");
    assert_int_equal(f.err, RSIM_OK);
    assert_int_equal(f.file->n_docs, 0);
    done(&f);
}

static void test_scenario_ynode_tags(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "a: !!str 123\nb: !custom x\nc: 123\nd: !!int 7\n");
    assert_int_equal(f.err, RSIM_OK);
    const rsim_ynode *r = root(&f, 0);
    const rsim_ynode *a = rsim_ynode_get(r, "a");
    assert_string_equal(a->tag, "!!str");
    assert_true(rsim_ynode_is_string(a));
    assert_false(rsim_ynode_is_int(a));
    assert_string_equal(rsim_ynode_get(r, "b")->tag, "!custom");
    assert_null(rsim_ynode_get(r, "c")->tag);
    assert_true(rsim_ynode_is_int(rsim_ynode_get(r, "c")));
    assert_string_equal(rsim_ynode_get(r, "d")->tag, "!!int");
    assert_int_equal(rsim_ynode_int(rsim_ynode_get(r, "d")), 7);
    done(&f);
}

typedef enum rkind { K_NULL, K_BOOL, K_INT, K_FLOAT, K_STR } rkind;

typedef struct rcase {
    const char *text;
    rkind kind;
    int64_t i;
    double f;
    bool b;
} rcase;

static void test_scenario_ynode_resolution_table(void **state)
{
    (void)state;
    /* Expected values: what go-yaml v2 (resolve.go) gives for each plain scalar. */
    static const rcase cases[] = {
        {"~", K_NULL, 0, 0, false},
        {"null", K_NULL, 0, 0, false},
        {"Null", K_NULL, 0, 0, false},
        {"NULL", K_NULL, 0, 0, false},
        {"nULL", K_STR, 0, 0, false},
        {"true", K_BOOL, 0, 0, true},
        {"True", K_BOOL, 0, 0, true},
        {"TRUE", K_BOOL, 0, 0, true},
        {"yes", K_BOOL, 0, 0, true},
        {"Yes", K_BOOL, 0, 0, true},
        {"on", K_BOOL, 0, 0, true},
        {"ON", K_BOOL, 0, 0, true},
        {"y", K_BOOL, 0, 0, true},
        {"n", K_BOOL, 0, 0, false},
        {"no", K_BOOL, 0, 0, false},
        {"off", K_BOOL, 0, 0, false},
        {"False", K_BOOL, 0, 0, false},
        {"yEs", K_STR, 0, 0, false},
        {"tRUE", K_STR, 0, 0, false},
        {"0", K_INT, 0, 0, false},
        {"123", K_INT, 123, 0, false},
        {"-17", K_INT, -17, 0, false},
        {"+5", K_INT, 5, 0, false},
        {"1_000", K_INT, 1000, 0, false},
        {"0x1F", K_INT, 31, 0, false},
        {"0X1f", K_INT, 31, 0, false},
        {"0o17", K_INT, 15, 0, false},
        {"010", K_INT, 8, 0, false},
        {"0b101", K_INT, 5, 0, false},
        {"-0x10", K_INT, -16, 0, false},
        {"9223372036854775807", K_INT, INT64_MAX, 0, false},
        {"-9223372036854775808", K_INT, INT64_MIN, 0, false},
        {"9223372036854775808", K_FLOAT, 0, 9223372036854775808.0, false},
        {"09", K_FLOAT, 0, 9.0, false},
        {"1.5", K_FLOAT, 0, 1.5, false},
        {"1.", K_FLOAT, 0, 1.0, false},
        {".5", K_FLOAT, 0, 0.5, false},
        {"-.5", K_FLOAT, 0, -0.5, false},
        {"1e3", K_FLOAT, 0, 1000.0, false},
        {"1E-2", K_FLOAT, 0, 0.01, false},
        {"6.02e+23", K_FLOAT, 0, 6.02e23, false},
        {"1e400", K_STR, 0, 0, false},
        {".inf", K_FLOAT, 0, HUGE_VAL, false},
        {"-.Inf", K_FLOAT, 0, -HUGE_VAL, false},
        {"+.INF", K_FLOAT, 0, HUGE_VAL, false},
        {".nan", K_FLOAT, 0, 0, false},
        {"0x", K_STR, 0, 0, false},
        {"0xG", K_STR, 0, 0, false},
        {"1.2.3", K_STR, 0, 0, false},
        {"30s", K_STR, 0, 0, false},
        {"25%", K_STR, 0, 0, false},
        {"1e", K_STR, 0, 0, false},
        {".", K_STR, 0, 0, false},
        {"+", K_STR, 0, 0, false},
        {"2001-12-14", K_STR, 0, 0, false},
        {"hello", K_STR, 0, 0, false},
        {"_1", K_STR, 0, 0, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rcase *c = &cases[i];
        char text[128];
        snprintf(text, sizeof(text), "v: %s\nq: \"%s\"\n", c->text, c->text);
        fixture f;
        parse(&f, text);
        if (f.err != RSIM_OK) {
            print_error("case '%s' did not parse\n", c->text);
        }
        assert_int_equal(f.err, RSIM_OK);
        const rsim_ynode *v = rsim_ynode_get(root(&f, 0), "v");
        bool ok = rsim_ynode_is_null(v) == (c->kind == K_NULL) &&
                  rsim_ynode_is_bool(v) == (c->kind == K_BOOL) &&
                  rsim_ynode_is_int(v) == (c->kind == K_INT) &&
                  rsim_ynode_is_number(v) == (c->kind == K_INT || c->kind == K_FLOAT) &&
                  rsim_ynode_is_string(v) == (c->kind == K_STR);
        if (!ok) {
            print_error("case '%s': wrong type (%s)\n", c->text, rsim_ynode_describe(v));
        }
        assert_true(ok);
        if (c->kind == K_INT) {
            assert_true(rsim_ynode_int(v) == c->i);
        } else if (c->kind == K_BOOL) {
            assert_true(rsim_ynode_bool(v) == c->b);
        } else if (c->kind == K_FLOAT && strcmp(c->text, ".nan") == 0) {
            assert_true(isnan(rsim_ynode_number(v)));
        } else if (c->kind == K_FLOAT) {
            assert_true(rsim_ynode_number(v) == c->f);
        }
        /* Quoted, it is always a string. */
        assert_true(rsim_ynode_is_string(rsim_ynode_get(root(&f, 0), "q")));
        done(&f);
    }
    fixture f;
    parse(&f, "a:\nb: |\n  123\n");
    assert_true(rsim_ynode_is_null(rsim_ynode_get(root(&f, 0), "a")));
    assert_true(rsim_ynode_is_string(rsim_ynode_get(root(&f, 0), "b")));
    assert_string_equal(rsim_ynode_describe(rsim_ynode_get(root(&f, 0), "a")), "null");
    assert_string_equal(rsim_ynode_describe(root(&f, 0)), "a mapping");
    done(&f);
}

static void test_scenario_ynode_aliases(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "a: &x {k: 1}\nb: *x\nc: &s v\nd: *s\n");
    assert_int_equal(f.err, RSIM_OK);
    const rsim_ynode *r = root(&f, 0);
    assert_ptr_equal(rsim_ynode_get(r, "a"), rsim_ynode_get(r, "b"));
    assert_ptr_equal(rsim_ynode_get(r, "c"), rsim_ynode_get(r, "d"));
    done(&f);

    parse(&f, "a: 1\nb: *nope\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_null(f.file);
    assert_messages(f.diag, "2:4: alias '*nope' refers to an unknown anchor '&nope'\n");
    done(&f);

    /* Anchors do not cross documents. */
    parse(&f, "a: &x 1\n---\nb: *x\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    done(&f);

    parse(&f, "a: &r [1, *r]\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_messages(f.diag, "1:11: alias '*r' refers to a node that contains it\n");
    done(&f);
}

static void test_scenario_ynode_duplicate_and_merge_keys(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "spec:\n  replicas: 1\n  x: 2\n  replicas: 3\n  replicas: 4\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_messages(f.diag, "4:3: duplicate key 'replicas' (first at line 2)\n"
                            "5:3: duplicate key 'replicas' (first at line 2)\n");
    done(&f);

    parse(&f, "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_int_equal(rsim_diag_code_at(f.diag, 0), RSIM_EUNSUPPORTED);
    assert_messages(f.diag, "3:3: not supported yet: merge keys ('<<'); write the fields out, "
                            "or use an anchor and alias for a whole value\n");
    done(&f);

    parse(&f, "? [a, b]\n: 1\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_int_equal(rsim_diag_error_count(f.diag), 1);
    done(&f);
}

static void test_scenario_ynode_syntax_errors(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "a: 1\n\tb: 2\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_int_equal(rsim_diag_error_count(f.diag), 1);
    assert_int_equal(rsim_diag_loc_at(f.diag, 0).line, 2);
    done(&f);

    parse(&f, "a: 'open\nb: 2\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_non_null(strstr(rsim_diag_message_at(f.diag, 0), "found unexpected end of stream"));
    done(&f);

    parse(&f, "a:\n  b: 1\n c: 2\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_messages(f.diag, "3:2: did not find expected key (while parsing a block mapping at "
                            "line 1)\n");
    done(&f);

    /* Invalid UTF-8 is a reader error with a byte position. */
    parse(&f, "a: 1\nb: \xff\n");
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_int_equal(rsim_diag_loc_at(f.diag, 0).line, 2);
    assert_int_equal(rsim_diag_loc_at(f.diag, 0).col, 4);
    done(&f);
}

static void test_scenario_ynode_depth_and_size_limits(void **state)
{
    (void)state;
    char deep[300];
    size_t n = 0;
    for (int i = 0; i < 70; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < 70; i++) {
        deep[n++] = ']';
    }
    deep[n] = '\0';
    fixture f;
    parse(&f, deep);
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_int_equal(rsim_diag_error_count(f.diag), 1);
    assert_int_equal(rsim_diag_loc_at(f.diag, 0).col, 65);
    assert_non_null(strstr(rsim_diag_message_at(f.diag, 0), "nesting deeper than 64 levels"));
    done(&f);

    /* 64 levels are fine. */
    n = 0;
    for (int i = 0; i < 64; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < 64; i++) {
        deep[n++] = ']';
    }
    deep[n] = '\0';
    parse(&f, deep);
    assert_int_equal(f.err, RSIM_OK);
    done(&f);

    /* "Billion laughs": each level doubles, aliases counted as what they expand to. */
    rsim_buf b;
    rsim_buf_init(&b, 1 << 20);
    (void)rsim_buf_puts(&b, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
        (void)rsim_buf_printf(&b, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i,
                              i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    }
    parse(&f, b.data);
    assert_int_equal(f.err, RSIM_EPARSE);
    assert_non_null(strstr(rsim_diag_message_at(f.diag, 0), "too many nodes"));
    done(&f);
    rsim_buf_fini(&b);
}

/* ---- values ---- */

static void test_scenario_values_go_durations(void **state)
{
    (void)state;
    /* Answers of Go's time.ParseDuration, truncated to ms. */
    static const struct {
        const char *s;
        rsim_time ms;
    } good[] = {
        {"0", 0},
        {"+0", 0},
        {"-0", 0},
        {"0s", 0},
        {"30s", 30000},
        {"1h30m", 5400000},
        {"1.5s", 1500},
        {"-2m", -120000},
        {"+5s", 5000},
        {"1.s", 1000},
        {".5s", 500},
        {"1h1m1s1ms", 3661001},
        {"1m30.5s", 90500},
        {"300ms", 300},
        {"1500us", 1},
        {"1500\xC2\xB5s", 1},
        {"2000\xCE\xBCs", 2},
        {"999999ns", 0},
        {"1000000ns", 1},
        {"0.5h", 1800000},
        {"1.0000000001h", 3600000},
        {"2h45m0.5s", 9900500},
        {"2562047h", 9223369200000},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        rsim_time t = -42;
        bool ok = rsim_values_parse_duration(good[i].s, &t);
        if (!ok || t != good[i].ms) {
            print_error("duration '%s': ok=%d t=%lld\n", good[i].s, ok, (long long)t);
        }
        assert_true(ok);
        assert_true(t == good[i].ms);
    }
    static const char *const bad[] = {
        "",      "1",  "1d",   ".s",       "s",           "-",     "+",     "1 s",  " 1s",  "1s ",
        "1h-1m", "1S", "1sec", "2562048h", "9223372037s", "1..5s", "1.5.s", "--1s", "1e3s",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rsim_time t = -42;
        if (rsim_values_parse_duration(bad[i], &t)) {
            print_error("duration '%s' was accepted\n", bad[i]);
        }
        assert_false(rsim_values_parse_duration(bad[i], &t));
        assert_true(t == -42);
    }
}

static void test_scenario_values_format_duration(void **state)
{
    (void)state;
    static const struct {
        rsim_time ms;
        const char *s;
    } cases[] = {
        {0, "0s"},           {250, "250ms"},          {1000, "1s"},        {1500, "1.5s"},
        {60000, "1m"},       {5400000, "1h30m"},      {3600500, "1h0.5s"}, {-60000, "-1m"},
        {90050, "1m30.05s"}, {3661001, "1h1m1.001s"}, {-1, "-1ms"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        rsim_values_format_duration(cases[i].ms, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].s);
        rsim_time back = 0;
        assert_true(rsim_values_parse_duration(buf, &back));
        assert_true(back == cases[i].ms);
    }
    char small[4];
    rsim_values_format_duration(5400000, small, sizeof(small));
    assert_string_equal(small, "1h3");
}

static void test_scenario_values_quantities(void **state)
{
    (void)state;
    /* resource.MustParse(...).AsApproximateFloat64() */
    static const struct {
        const char *s;
        double v;
    } good[] = {
        {"0", 0.0},
        {"2", 2.0},
        {"0.5", 0.5},
        {"1.", 1.0},
        {".5", 0.5},
        {"+1", 1.0},
        {"-1", -1.0},
        {"500m", 0.5},
        {"100n", 100e-9},
        {"7u", 7e-6},
        {"1k", 1e3},
        {"1M", 1e6},
        {"1G", 1e9},
        {"1T", 1e12},
        {"1P", 1e15},
        {"1E", 1e18},
        {"1Ki", 1024.0},
        {"128Mi", 134217728.0},
        {"2Gi", 2147483648.0},
        {"1Ti", 1099511627776.0},
        {"1Pi", 1125899906842624.0},
        {"1Ei", 1152921504606846976.0},
        {"1e3", 1e3},
        {"1E3", 1e3},
        {"1e-3", 1e-3},
        {"1e+3", 1e3},
        {"1.5Gi", 1610612736.0},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        double v = -42.0;
        bool ok = rsim_values_parse_quantity(good[i].s, &v);
        if (!ok) {
            print_error("quantity '%s' was rejected\n", good[i].s);
        }
        assert_true(ok);
        assert_true(fabs(v - good[i].v) <= fabs(good[i].v) * 1e-12);
    }
    static const char *const bad[] = {
        "",  "1.5.3", "Mi", "10 Mi", "1mi",  "1K",   "1e",  "1e3.5", ".",
        "+", "abc",   " 1", "1 ",    "1Mib", "0x10", "1..", "--1",   "1ki",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v = -42.0;
        if (rsim_values_parse_quantity(bad[i], &v)) {
            print_error("quantity '%s' was accepted\n", bad[i]);
        }
        assert_false(rsim_values_parse_quantity(bad[i], &v));
        assert_true(v == -42.0);
    }
}

static void test_scenario_values_int_or_percent_and_seconds(void **state)
{
    (void)state;
    bool pct = false;
    int64_t v = 0;
    assert_true(rsim_values_parse_int_or_percent("25%", &pct, &v));
    assert_true(pct);
    assert_int_equal(v, 25);
    assert_true(rsim_values_parse_int_or_percent("3", &pct, &v));
    assert_false(pct);
    assert_int_equal(v, 3);
    assert_true(rsim_values_parse_int_or_percent("0%", &pct, &v));
    assert_int_equal(v, 0);
    static const char *const bad[] = {"", "%", "-1", "-5%", "2.5%", "abc", "25 %", "%25", "1e2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pct = true;
        v = -42;
        assert_false(rsim_values_parse_int_or_percent(bad[i], &pct, &v));
        assert_true(pct);
        assert_int_equal(v, -42);
    }
    int64_t s = 0;
    assert_true(rsim_values_parse_seconds("30", &s));
    assert_int_equal(s, 30);
    assert_false(rsim_values_parse_seconds("30s", &s));
    assert_false(rsim_values_parse_seconds("-1", &s));
    assert_false(rsim_values_parse_seconds("", &s));
    assert_false(rsim_values_parse_seconds("99999999999999999999", &s));
    assert_int_equal(s, 30);
}

/* ---- schema ---- */

static const char *const colors[] = {"red", "green", "blue", NULL};

static void test_hook(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    int *calls = ctx->user;
    (*calls)++;
    if (rsim_ynode_get(map, "a") && rsim_ynode_get(map, "b")) {
        rsim_schema_error(ctx, map, path, "at most one of a, b");
    }
}

static const rsim_schema_field item_fields[] = {
    {"name", RSIM_FT_STRING, 0, NULL, RSIM_F_REQUIRED, 0, 0, NULL, NULL},
    {"a", RSIM_FT_INT, 0, NULL, 0, 0, 0, NULL, NULL},
    {"b", RSIM_FT_INT, 0, NULL, 0, 0, 0, NULL, NULL},
};
static const rsim_schema item_schema = {"Test.item", RSIM_SCHEMA_FIELDS(item_fields), test_hook,
                                        false};

static const rsim_schema_field test_fields[] = {
    {"name", RSIM_FT_STRING, 0, NULL, RSIM_F_REQUIRED | RSIM_F_NONEMPTY, 0, 0, NULL, NULL},
    {"replicas", RSIM_FT_INT, 0, NULL, 0, 0, 100, NULL, NULL},
    {"count", RSIM_FT_INT, 0, NULL, 0, 1, INT64_MAX, NULL, NULL},
    {"ratio", RSIM_FT_NUMBER, 0, NULL, 0, 0, 1, NULL, NULL},
    {"enabled", RSIM_FT_BOOL, 0, NULL, 0, 0, 0, NULL, NULL},
    {"interval", RSIM_FT_DURATION, 0, NULL, 0, 0, 0, NULL, NULL},
    {"pause", RSIM_FT_INT_OR_DURATION, 0, NULL, 0, 0, 0, NULL, NULL},
    {"maxSurge", RSIM_FT_INT_OR_PERCENT, 0, NULL, 0, 0, 0, NULL, NULL},
    {"port", RSIM_FT_INT_OR_STRING, 0, NULL, 0, 0, 0, NULL, NULL},
    {"memory", RSIM_FT_QUANTITY, 0, NULL, 0, 0, 0, NULL, NULL},
    {"color", RSIM_FT_STRING, 0, NULL, 0, 0, 0, colors, NULL},
    {"labels", RSIM_FT_STRING_MAP, 0, NULL, 0, 0, 0, NULL, NULL},
    {"opaque", RSIM_FT_ANY, 0, NULL, 0, 0, 0, NULL, NULL},
    {"item", RSIM_FT_OBJECT, 0, &item_schema, 0, 0, 0, NULL, NULL},
    {"items", RSIM_FT_LIST, RSIM_FT_OBJECT, &item_schema, RSIM_F_NONEMPTY, 0, 0, NULL, NULL},
    {"tags", RSIM_FT_LIST, RSIM_FT_STRING, NULL, 0, 0, 0, NULL, NULL},
    {"workloadRef", RSIM_FT_ANY, 0, NULL, RSIM_F_UNSUPPORTED, 0, 0, NULL,
     "referencing a Deployment (§14.7)"},
    {"selector", RSIM_FT_STRING_MAP, 0, NULL, RSIM_F_REQUIRED, 0, 0, NULL, NULL},
};
static const rsim_schema test_schema = {"Test", RSIM_SCHEMA_FIELDS(test_fields), test_hook, false};

static bool check_text(const char *text, fixture *f, int *calls)
{
    parse(f, text);
    assert_int_equal(f->err, RSIM_OK);
    rsim_schema_ctx ctx = {f->diag, "t.yaml", 0, calls};
    bool ok = rsim_schema_check(&ctx, root(f, 0), &test_schema, "spec");
    assert_int_equal(ok, ctx.n_errors == 0);
    return ok;
}

static void test_scenario_schema_valid_document(void **state)
{
    (void)state;
    fixture f;
    int calls = 0;
    bool ok = check_text("name: web\nreplicas: 5\ncount: 9\nratio: 0.5\nenabled: yes\n"
                         "interval: 1m30s\npause: 30\nmaxSurge: 25%\nport: http\nmemory: 128Mi\n"
                         "color: red\nlabels: {app: web, tier: \"1\"}\nopaque: {any: [1, 2]}\n"
                         "item: {name: i}\nitems: [{name: x, a: 1}]\ntags: [a, b]\n"
                         "workloadRef: null\nselector: {app: web}\n",
                         &f, &calls);
    assert_messages(f.diag, "");
    assert_true(ok);
    assert_int_equal(calls, 3); /* the document, item, items[0] */
    done(&f);

    /* Other accepted forms of the union types; null optional fields count as absent. */
    calls = 0;
    ok = check_text("name: web\nselector: {}\npause: \"1h\"\nmaxSurge: 3\nport: 8080\nmemory: 2\n"
                    "replicas: ~\ninterval: null\nitem:\n",
                    &f, &calls);
    assert_messages(f.diag, "");
    assert_true(ok);
    done(&f);
}

static void test_scenario_schema_every_error_reported(void **state)
{
    (void)state;
    fixture f;
    int calls = 0;
    bool ok = check_text("name: \"\"\n"
                         "replica: 1\n"
                         "zzzzzz: 1\n"
                         "replicas: 150\n"
                         "count: 0\n"
                         "ratio: 2.5\n"
                         "enabled: 1\n"
                         "interval: 1d\n"
                         "pause: -1s\n"
                         "maxSurge: \"3\"\n"
                         "port: true\n"
                         "memory: 10 Mi\n"
                         "color: gren\n"
                         "labels: {version: 2}\n"
                         "item: [1]\n"
                         "items:\n"
                         "  - {a: 1, b: 2}\n"
                         "  - name: ok\n"
                         "    a: x\n"
                         "tags: [a, 3, {}]\n"
                         "workloadRef: {name: web}\n",
                         &f, &calls);
    assert_false(ok);
    assert_messages(
        f.diag,
        "1:1: spec: missing required field 'selector'\n"
        "1:7: spec.name: must not be empty\n"
        "2:1: spec: unknown field 'replica'; did you mean 'replicas'?\n"
        "3:1: spec: unknown field 'zzzzzz'\n"
        "4:11: spec.replicas: must be 0..100, got 150\n"
        "5:8: spec.count: must be at least 1, got 0\n"
        "6:8: spec.ratio: must be 0..1, got 2.5\n"
        "7:10: spec.enabled: expected a boolean, got a number\n"
        "8:11: spec.interval: expected a duration such as \"30s\" or \"1h30m\", got '1d'\n"
        "9:8: spec.pause: must not be negative, got '-1s'\n"
        "10:11: spec.maxSurge: expected an integer or a percentage such as \"25%\", got '3'\n"
        "11:7: spec.port: expected an integer or a string, got a boolean\n"
        "12:9: spec.memory: expected a resource quantity such as \"128Mi\" or \"500m\", got "
        "'10 Mi'\n"
        "13:8: spec.color: must be one of: red, green, blue; got 'gren'; did you mean 'green'?\n"
        "14:19: spec.labels.version: expected a string, got a number (quote it)\n"
        "15:7: spec.item: expected a mapping, got a list\n"
        "17:5: spec.items[0]: missing required field 'name'\n"
        "17:5: spec.items[0]: at most one of a, b\n"
        "19:8: spec.items[1].a: expected an integer, got a string\n"
        "20:11: spec.tags[1]: expected a string, got a number\n"
        "20:14: spec.tags[2]: expected a string, got a mapping\n"
        "21:1: spec.workloadRef: not supported yet: referencing a Deployment (§14.7)\n");
    assert_int_equal(calls, 3);
    done(&f);
}

static void test_scenario_schema_codes_and_shapes(void **state)
{
    (void)state;
    fixture f;
    int calls = 0;
    bool ok = check_text("name: x\nselector: {}\nworkloadRef: {name: web}\n", &f, &calls);
    assert_false(ok);
    assert_int_equal(rsim_diag_code_at(f.diag, 0), RSIM_EUNSUPPORTED);
    done(&f);

    ok = check_text("name: x\nselector: {}\nitems: []\ncolor: purple\n", &f, &calls);
    assert_false(ok);
    assert_messages(f.diag, "3:8: spec.items: must not be empty\n"
                            "4:8: spec.color: must be one of: red, green, blue; got 'purple'\n");
    assert_int_equal(rsim_diag_code_at(f.diag, 0), RSIM_ESCHEMA);
    done(&f);

    /* A required field given as null is reported at its value. */
    ok = check_text("name: ~\nselector: {}\n", &f, &calls);
    assert_false(ok);
    assert_messages(f.diag, "1:7: spec.name: expected a string, got null\n");
    done(&f);

    /* The document itself must be a mapping. */
    parse(&f, "- 1\n");
    rsim_schema_ctx ctx = {f.diag, "t.yaml", 0, &calls};
    assert_false(rsim_schema_check(&ctx, root(&f, 0), &test_schema, ""));
    assert_messages(f.diag, "1:1: expected a mapping, got a list\n");
    done(&f);
}

/* ---- load ---- */

static rsim_err
load_text(const char *text, rsim_scenario_mode mode, rsim_diag *d, rsim_scenario **out)
{
    return rsim_scenario_load_string("in.yaml", text, strlen(text), mode, d, out);
}

static void test_scenario_load_skipped_kinds_are_notes(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err err = load_text("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
                             "  name: web\n---\n---\napiVersion: v1\nkind: ConfigMap\n",
                             RSIM_SCENARIO_LINT, d, &s);
    assert_int_equal(err, RSIM_OK);
    assert_non_null(s);
    assert_false(rsim_diag_has_errors(d));
    assert_messages(d, "2:7: skipped Ingress 'web': rollsim does not model this kind\n"
                       "8:7: skipped ConfigMap: rollsim does not model this kind\n");
    assert_int_equal(rsim_diag_severity_at(d, 0), RSIM_SEV_NOTE);
    assert_int_equal(rsim_scenario_document_count(s), 0);
    const rsim_spec *spec = &s->spec;
    assert_int_equal(spec->n_skipped, 2);
    assert_string_equal(spec->skipped[0].kind, "Ingress");
    assert_string_equal(spec->skipped[0].name, "web");
    assert_string_equal(spec->skipped[1].name, "");
    assert_int_equal(spec->n_files, 1);
    assert_string_equal(spec->files[0], "in.yaml");
    assert_string_equal(rsim_scenario_name(s), "");
    assert_true(rsim_scenario_seed(s) == 0);
    rsim_scenario_free(s);
    rsim_diag_free(d);
}

static void test_scenario_load_document_shape_errors(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err err = load_text("- 1\n---\nkind: Rollout\n---\napiVersion: 1\nkind: [x]\n---\n"
                             "apiVersion: argoproj.io/v1\nkind: Rollout\n---\n"
                             "apiVersion: v1\nkind: List\nitems:\n"
                             "  - apiVersion: apps/v1\n    kind: Deployment\n"
                             "    metadata: {name: d}\n"
                             "  - 7\n",
                             RSIM_SCENARIO_LINT, d, &s);
    assert_int_equal(err, RSIM_ESCHEMA);
    assert_null(s);
    assert_messages(
        d, "1:1: expected a Kubernetes object (a mapping with apiVersion and kind), got a list\n"
           "3:1: missing required field 'apiVersion'\n"
           "5:13: apiVersion: expected a string, got a number\n"
           "6:7: kind: expected a string, got a list\n"
           "8:13: apiVersion: expected 'argoproj.io/v1alpha1' for kind Rollout, got "
           "'argoproj.io/v1'\n"
           "15:11: skipped Deployment 'd': rollsim does not model this kind\n"
           "17:5: items[1]: expected a Kubernetes object (a mapping with apiVersion and kind), "
           "got a number\n");
    rsim_diag_free(d);
}

static void test_scenario_load_run_needs_one_scenario(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err err = load_text("apiVersion: v1\nkind: ConfigMap\n", RSIM_SCENARIO_RUN, d, &s);
    assert_int_equal(err, RSIM_ESCHEMA);
    assert_null(s);
    assert_messages(d, "0:0: no Scenario document (kind: Scenario); `rollsim validate` checks "
                       "Argo objects alone\n"
                       "2:7: skipped ConfigMap: rollsim does not model this kind\n");
    rsim_diag_free(d);

    d = rsim_diag_new(0);
    err = load_text("apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata: {name: a}\n---\n"
                    "apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata: {name: b}\n",
                    RSIM_SCENARIO_LINT, d, &s);
    assert_int_equal(err, RSIM_ESCHEMA);
    assert_null(s);
    assert_int_equal(rsim_diag_error_count(d), 1);
    assert_string_equal(rsim_diag_message_at(d, 0),
                        "a second Scenario document (first at line 2); rollsim runs exactly one");
    assert_int_equal(rsim_diag_loc_at(d, 0).line, 6);
    rsim_diag_free(d);
}

static void test_scenario_load_syntax_error_code(void **state)
{
    (void)state;
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    assert_int_equal(load_text("a: 'x\n", RSIM_SCENARIO_LINT, d, &s), RSIM_EPARSE);
    assert_null(s);
    rsim_diag_free(d);

    d = rsim_diag_new(0);
    const char *paths[] = {"/nonexistent/dir/x.yaml"};
    assert_int_equal(rsim_scenario_load_files(paths, 1, RSIM_SCENARIO_LINT, d, &s), RSIM_EIO);
    assert_null(s);
    rsim_diag_free(d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_scenario_load_manifests_relative_to_scenario(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/rsim_test_scenario_XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/m", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(dir, "scn.yaml",
               "apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata: {name: demo}\n"
               "spec:\n  manifests:\n    - ./m\n    - m/b.yaml\n    - missing.yaml\n");
    write_file(sub, "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
    write_file(sub, "a.yml", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n");
    write_file(sub, "c.txt", "not yaml: [\n");
    char scn[512];
    snprintf(scn, sizeof(scn), "%s/scn.yaml", dir);

    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    const char *paths[] = {scn, scn};
    rsim_err err = rsim_scenario_load_files(paths, 2, RSIM_SCENARIO_LINT, d, &s);
    assert_int_equal(err, RSIM_ESCHEMA);
    assert_null(s);
    char expected[2048];
    snprintf(expected, sizeof(expected),
             "%s:8:7: spec.manifests[2]: no such file or folder '%s/missing.yaml'\n", scn, dir);
    char *got = messages(d);
    assert_non_null(strstr(got, "spec.manifests[2]: no such file or folder"));
    rsim_diag_free(d);
    free(got);

    /* Without the missing file: both manifests read once each, sorted by name. */
    write_file(dir, "missing.yaml", "");
    d = rsim_diag_new(0);
    err = rsim_scenario_load_files(paths, 2, RSIM_SCENARIO_LINT, d, &s);
    if (err != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    assert_int_equal(err, RSIM_OK);
    const rsim_spec *spec = &s->spec;
    assert_int_equal(spec->n_files, 4);
    assert_string_equal(spec->files[0], scn);
    char want[512];
    snprintf(want, sizeof(want), "%s/m/a.yml", dir);
    assert_string_equal(spec->files[1], want);
    snprintf(want, sizeof(want), "%s/m/b.yaml", dir);
    assert_string_equal(spec->files[2], want);
    assert_int_equal(spec->n_skipped, 2);
    assert_string_equal(spec->skipped[0].kind, "Secret");
    assert_string_equal(spec->skipped[1].kind, "ConfigMap");
    assert_string_equal(spec->skipped[1].loc.file, want);
    assert_string_equal(rsim_scenario_name(s), "demo");
    rsim_scenario_free(s);
    rsim_diag_free(d);

    /* Relative to the current directory, paths read as typed ("m/b.yaml", no "./"). */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    d = rsim_diag_new(0);
    const char *rel[] = {"scn.yaml"};
    err = rsim_scenario_load_files(rel, 1, RSIM_SCENARIO_LINT, d, &s);
    assert_int_equal(err, RSIM_OK);
    assert_string_equal(s->spec.files[1], "m/a.yml");
    assert_string_equal(s->spec.files[2], "m/b.yaml");
    rsim_scenario_free(s);
    rsim_diag_free(d);
    assert_int_equal(chdir(cwd), 0);

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_scenario_load_default(void **state)
{
    (void)state;
    size_t len = 0;
    const char *text = rsim_scenario_default_source(&len);
    assert_non_null(text);
    assert_true(len > 0);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "kind: Scenario"));

    /* The built-in scenario must load in RUN mode, with no diagnostics at all. */
    rsim_diag *d = rsim_diag_new(0);
    rsim_scenario *s = NULL;
    rsim_err err = rsim_scenario_load_default(d, &s);
    if (err != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    assert_int_equal(err, RSIM_OK);
    assert_non_null(s);
    assert_int_equal(rsim_diag_error_count(d), 0);
    assert_non_null(s->spec.world);
    assert_string_equal(rsim_scenario_name(s), s->spec.world->name);
    assert_true(rsim_scenario_duration(s) == s->spec.world->duration);
    rsim_scenario_free(s);
    rsim_diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_ynode_positions),
        cmocka_unit_test(test_scenario_ynode_bom_crlf_utf8_columns),
        cmocka_unit_test(test_scenario_ynode_multi_document),
        cmocka_unit_test(test_scenario_ynode_tags),
        cmocka_unit_test(test_scenario_ynode_resolution_table),
        cmocka_unit_test(test_scenario_ynode_aliases),
        cmocka_unit_test(test_scenario_ynode_duplicate_and_merge_keys),
        cmocka_unit_test(test_scenario_ynode_syntax_errors),
        cmocka_unit_test(test_scenario_ynode_depth_and_size_limits),
        cmocka_unit_test(test_scenario_values_go_durations),
        cmocka_unit_test(test_scenario_values_format_duration),
        cmocka_unit_test(test_scenario_values_quantities),
        cmocka_unit_test(test_scenario_values_int_or_percent_and_seconds),
        cmocka_unit_test(test_scenario_schema_valid_document),
        cmocka_unit_test(test_scenario_schema_every_error_reported),
        cmocka_unit_test(test_scenario_schema_codes_and_shapes),
        cmocka_unit_test(test_scenario_load_skipped_kinds_are_notes),
        cmocka_unit_test(test_scenario_load_document_shape_errors),
        cmocka_unit_test(test_scenario_load_run_needs_one_scenario),
        cmocka_unit_test(test_scenario_load_syntax_error_code),
        cmocka_unit_test(test_scenario_load_manifests_relative_to_scenario),
        cmocka_unit_test(test_scenario_load_default),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
