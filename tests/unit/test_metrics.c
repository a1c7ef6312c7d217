/* test_metrics.c - the sample store and the query evaluator: series identity and ordering,
 * retention and memory, staleness and lookback, the Prometheus 2 vs 3 range boundary, when a
 * step in the error ratio first shows through sum(rate(...[W])), and evaluation errors.
 * Bit-exact agreement with Prometheus on many expressions is pinned by tests/promtool/, not
 * here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rsim/diag.h>

#include "metrics.h"

#define assert_near(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static bool is_nan(double v)
{
    return isnan(v) != 0;
}

static rsim_promql *parse(const char *text)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    rsim_loc loc = {.file = "test", .line = 1, .col = 1};
    if (rsim_promql_parse(text, loc, d, &q) != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    rsim_diag_free(d);
    assert_non_null(q);
    return q;
}

static rsim_metrics_series add(rsim_metrics_store *s, const char *name, const char *pod)
{
    rsim_metrics_label l[] = {{"__name__", name}, {"pod", pod}};
    rsim_metrics_series id = 0;
    assert_int_equal(rsim_metrics_series_add(s, l, 2, &id), RSIM_OK);
    return id;
}

/* Evaluates text at t; returns the number of samples (or -1 for a scalar, -2 for an error). */
static int
eval(const rsim_metrics_store *s, const char *text, rsim_time t, int major, rsim_metrics_result *r)
{
    rsim_promql *q = parse(text);
    rsim_metrics_query_opts o = {.prom_major = major};
    rsim_err err = rsim_metrics_query_eval(s, q, t, &o, r);
    rsim_promql_free(q);
    if (err != RSIM_OK) {
        assert_int_equal(r->kind, RSIM_METRICS_ERROR);
        return -2;
    }
    return r->kind == RSIM_METRICS_SCALAR ? -1 : (int)r->n_samples;
}

static void test_metrics_series_identity_and_order(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_label a[] = {{"pod", "a"}, {"__name__", "x"}, {"zone", ""}};
    rsim_metrics_label b[] = {{"__name__", "x"}, {"pod", "a"}};
    rsim_metrics_series ia = 9;
    rsim_metrics_series ib = 9;
    assert_int_equal(rsim_metrics_series_add(s, a, 3, &ia), RSIM_OK);
    assert_int_equal(rsim_metrics_series_add(s, b, 2, &ib), RSIM_OK);
    assert_int_equal(ia, ib); /* order and empty-valued labels do not matter */
    assert_int_equal(rsim_metrics_series_count(s), 1);
    size_t n;
    const rsim_metrics_label *l = rsim_metrics_series_labels(s, ia, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].name, "__name__");
    assert_string_equal(l[1].value, "a");
    rsim_metrics_label bad1[] = {{"1pod", "a"}};
    rsim_metrics_label bad2[] = {{"pod", "a"}, {"pod", "b"}};
    rsim_metrics_label bad3[] = {{"__name__", "a-b"}};
    assert_int_equal(rsim_metrics_series_add(s, bad1, 1, &ia), RSIM_EINVAL);
    assert_int_equal(rsim_metrics_series_add(s, bad2, 2, &ia), RSIM_EINVAL);
    assert_int_equal(rsim_metrics_series_add(s, bad3, 1, &ia), RSIM_EINVAL);
    assert_int_equal(rsim_metrics_series_add(s, bad1, 0, &ia), RSIM_EINVAL);
    /* Results come back sorted by label set, whatever the creation order. */
    rsim_metrics_series ic = add(s, "x", "c");
    rsim_metrics_series i0 = add(s, "x", "0");
    rsim_metrics_append(s, ib, 1000, 1);
    rsim_metrics_append(s, ic, 1000, 3);
    rsim_metrics_append(s, i0, 1000, 0);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "x", 2000, 3, &r), 3);
    assert_string_equal(rsim_metrics_labels_get(r.samples[0].labels, r.samples[0].n_labels, "pod"),
                        "0");
    assert_string_equal(rsim_metrics_labels_get(r.samples[2].labels, r.samples[2].n_labels, "pod"),
                        "c");
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

static void test_metrics_retention_bounds_memory(void **state)
{
    (void)state;
    /* One hour of 20 pods x 4 series scraped every 15 s, keeping 15 minutes. */
    rsim_metrics_store *s = rsim_metrics_store_new(RSIM_MIN(15));
    static const char *const names[] = {"requests_total", "errors_total", "lat_bucket", "up"};
    rsim_metrics_series ids[80];
    for (int p = 0; p < 20; p++) {
        char pod[16];
        snprintf(pod, sizeof(pod), "pod-%02d", p);
        for (int k = 0; k < 4; k++) {
            ids[p * 4 + k] = add(s, names[k], pod);
        }
    }
    for (rsim_time t = 0; t <= RSIM_HOUR(1); t += RSIM_SEC(15)) {
        for (int i = 0; i < 80; i++) {
            rsim_metrics_append(s, ids[i], t, (double)t / 1000);
        }
    }
    assert_int_equal(rsim_metrics_sample_count(s, ids[0]), 15 * 4 + 1);
    assert_true(rsim_metrics_store_bytes(s) < 512 * 1024);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "sum(rate(requests_total[5m]))", RSIM_HOUR(1), 3, &r), 1);
    assert_near(r.samples[0].value, 20.0, 1e-12);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

static void test_metrics_staleness_and_lookback_boundary(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_series a = add(s, "up", "a");
    rsim_metrics_series b = add(s, "up", "b");
    rsim_metrics_append(s, a, 0, 1);
    rsim_metrics_append(s, b, 0, 1);
    rsim_metrics_append(s, b, RSIM_SEC(30), 1);
    rsim_metrics_append_stale(s, b, RSIM_SEC(60));
    assert_true(rsim_metrics_is_stale(rsim_metrics_stale_value()));
    assert_false(rsim_metrics_is_stale(NAN));
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "up", RSIM_SEC(59), 2, &r), 2);
    assert_int_equal(eval(s, "up", RSIM_SEC(60), 2, &r), 1); /* b vanishes at its marker */
    /* A sample exactly 5 min old: kept by Prometheus 2, gone in 3. */
    assert_int_equal(eval(s, "up{pod=\"a\"}", RSIM_MIN(5), 2, &r), 1);
    assert_int_equal(eval(s, "up{pod=\"a\"}", RSIM_MIN(5), 3, &r), 0);
    assert_int_equal(eval(s, "up{pod=\"a\"}", RSIM_MIN(5) - 1, 3, &r), 1);
    rsim_metrics_query_opts o = {.lookback_ms = RSIM_MIN(1), .prom_major = 3};
    rsim_promql *q = parse("up");
    assert_int_equal(rsim_metrics_query_eval(s, q, RSIM_SEC(61), &o, &r), RSIM_OK);
    assert_int_equal(r.n_samples, 0);
    rsim_promql_free(q);
    assert_int_equal(eval(s, "absent(up{pod=\"b\"})", RSIM_MIN(2), 3, &r), 1);
    assert_int_equal(r.samples[0].n_labels, 1);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

static void test_metrics_prom3_range_is_left_open(void **state)
{
    (void)state;
    /* Samples at 0, 15, 30, 45, 60 s: 0, 100, 110, 120, 130. rate(x[1m]) at 60 s:
     * Prometheus 2 ([0s, 60s]): increase 130 over 60 s sampled, no extrapolation -> 130/60.
     * Prometheus 3 ((0s, 60s]): the sample at 0 s is out; increase 30 over 45 s sampled,
     * extrapolated 15 s to the start (15 < 1.1 x 15; the zero point 45*100/30 = 150 s is
     * farther) -> 30 * 60/45 / 60 = 0.6667. */
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_series id = add(s, "x", "a");
    const double v[] = {0, 100, 110, 120, 130};
    for (int i = 0; i < 5; i++) {
        rsim_metrics_append(s, id, RSIM_SEC(15 * i), v[i]);
    }
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "rate(x[1m])", RSIM_SEC(60), 2, &r), 1);
    assert_near(r.samples[0].value, 130.0 / 60, 1e-12);
    assert_int_equal(eval(s, "rate(x[1m])", RSIM_SEC(60), 3, &r), 1);
    assert_near(r.samples[0].value, 30.0 * 60 / 45 / 60, 1e-12);
    /* irate uses the last two samples in the range either way; a one-sample range has none. */
    assert_int_equal(eval(s, "irate(x[1m])", RSIM_SEC(60), 3, &r), 1);
    assert_near(r.samples[0].value, 10.0 / 15, 1e-12);
    assert_int_equal(eval(s, "rate(x[15s])", RSIM_SEC(60), 3, &r), 0);
    assert_int_equal(eval(s, "rate(x[15s])", RSIM_SEC(60), 2, &r), 1);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

/* A step of the error ratio from 0 to 5% at T0, seen through
 *   sum(rate(errors[W])) / sum(rate(total[W]))
 * with two pods scraped every S, pod a at offsets 0 + kS and pod b at 7 s + kS. A pod's errors
 * counter first differs from its previous sample at its first scrape t1 strictly after T0,
 * t1 = o + S * (floor((T0 - o) / S) + 1). Evaluated at t1, the window [t1 - W, t1] (W >= 2S)
 * holds t1 and t1 - S, so that pod's rate is > 0 and so is the ratio; before t1 every errors
 * sample in any window is 0. So the ratio first shows at T = min(t1_a, t1_b), under both
 * boundary rules. By hand, with T0 = 603 s: S = 15 s: a 615, b 607 -> 607 s; S = 30 s: a 630,
 * b 607 -> 607 s; S = 60 s: a 660, b 607 -> 607 s. With T0 = 614 s: S = 15 s: a 615, b 622
 * -> 615 s; S = 30 s: a 630, b 637 -> 630 s; S = 60 s: a 660, b 667 -> 660 s. */
static void test_metrics_error_step_first_visible(void **state)
{
    (void)state;
    static const struct {
        int s_sec, w_sec, t0_sec, expect_sec;
    } cases[] = {
        {15, 60, 603, 607},  {15, 300, 614, 615}, {30, 60, 603, 607},
        {30, 120, 614, 630}, {60, 120, 603, 607}, {60, 300, 614, 660},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (int major = 2; major <= 3; major++) {
            rsim_metrics_store *s = rsim_metrics_store_new(RSIM_MIN(30));
            rsim_metrics_series err[2] = {add(s, "errors", "a"), add(s, "errors", "b")};
            rsim_metrics_series tot[2] = {add(s, "total", "a"), add(s, "total", "b")};
            rsim_time step = RSIM_SEC(cases[c].s_sec);
            rsim_time t0 = RSIM_SEC(cases[c].t0_sec);
            for (size_t p = 0; p < 2; p++) {
                for (rsim_time t = (rsim_time)p * RSIM_SEC(7); t <= RSIM_MIN(20); t += step) {
                    double total = 100.0 * (double)t / 1000;
                    double errors = t > t0 ? 5.0 * (double)(t - t0) / 1000 : 0;
                    rsim_metrics_append(s, err[p], t, errors);
                    rsim_metrics_append(s, tot[p], t, total);
                }
            }
            char text[128];
            snprintf(text, sizeof(text), "sum(rate(errors[%ds])) / sum(rate(total[%ds]))",
                     cases[c].w_sec, cases[c].w_sec);
            rsim_promql *q = parse(text);
            rsim_metrics_result r;
            rsim_metrics_result_init(&r);
            rsim_metrics_query_opts o = {.prom_major = major};
            rsim_time seen = -1;
            for (rsim_time t = t0 - RSIM_MIN(1); t <= t0 + RSIM_MIN(2) && seen < 0; t += 1000) {
                assert_int_equal(rsim_metrics_query_eval(s, q, t, &o, &r), RSIM_OK);
                assert_int_equal(r.n_samples, 1);
                assert_false(is_nan(r.samples[0].value));
                if (r.samples[0].value > 0) {
                    seen = t;
                }
            }
            assert_int_equal(seen, RSIM_SEC(cases[c].expect_sec));
            rsim_metrics_result_fini(&r);
            rsim_promql_free(q);
            rsim_metrics_store_free(s);
        }
    }
}

static void test_metrics_evaluation_errors(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_series a = add(s, "x", "a");
    rsim_metrics_series b = add(s, "x", "b");
    rsim_metrics_series ya = add(s, "y", "a");
    rsim_metrics_append(s, a, 0, 1);
    rsim_metrics_append(s, b, 0, 2);
    rsim_metrics_append(s, ya, 0, 4);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "x / on () y", 1000, 3, &r), -2);
    assert_non_null(strstr(r.error, "multiple matches for labels"));
    assert_int_equal(eval(s, "y / on () x", 1000, 3, &r), -2);
    assert_non_null(strstr(r.error, "many-to-many matching not allowed"));
    assert_int_equal(eval(s, "-{pod=\"a\"}", 1000, 3, &r), -2);
    assert_non_null(strstr(r.error, "same labelset"));
    /* The same result may be reused after an error. */
    assert_int_equal(eval(s, "x / ignoring (__name__) y", 1000, 3, &r), 1);
    assert_near(r.samples[0].value, 0.25, 0);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

static void test_metrics_scalar_and_nan_ratio(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_series e = add(s, "errors", "a");
    rsim_metrics_series t = add(s, "total", "a");
    for (int i = 0; i <= 8; i++) {
        rsim_metrics_append(s, e, RSIM_SEC(15 * i), 0);
        rsim_metrics_append(s, t, RSIM_SEC(15 * i), 0);
    }
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "sum(rate(errors[1m])) / sum(rate(total[1m]))", RSIM_MIN(2), 2, &r),
                     1);
    assert_true(is_nan(r.samples[0].value));
    assert_int_equal(
        eval(s, "scalar(sum(rate(errors[1m])) / sum(rate(total[1m])))", RSIM_MIN(2), 2, &r), -1);
    assert_true(is_nan(r.scalar));
    assert_int_equal(eval(s, "2 ^ 10 - 24 > bool 999", 0, 2, &r), -1);
    assert_near(r.scalar, 1, 0);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

/* Matchers on labels or values no series has, as Prometheus reads them: a missing label is
 * the empty string. */
static void test_metrics_matchers_on_absent_labels_and_values(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_series a = add(s, "up", "a");
    rsim_metrics_series b = add(s, "up", "b");
    rsim_metrics_series c = add(s, "total", "a");
    rsim_metrics_append(s, a, 0, 1);
    rsim_metrics_append(s, b, 0, 2);
    rsim_metrics_append(s, c, 0, 3);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(eval(s, "up{zone=\"\"}", 0, 3, &r), 2);
    assert_int_equal(eval(s, "up{zone=\"eu\"}", 0, 3, &r), 0);
    assert_int_equal(eval(s, "up{zone!=\"eu\"}", 0, 3, &r), 2);
    assert_int_equal(eval(s, "up{zone=~\"e.*\"}", 0, 3, &r), 0);
    assert_int_equal(eval(s, "up{zone!~\"e.*\"}", 0, 3, &r), 2);
    assert_int_equal(eval(s, "up{pod=\"c\"}", 0, 3, &r), 0);
    assert_int_equal(eval(s, "up{pod!=\"c\"}", 0, 3, &r), 2);
    assert_int_equal(eval(s, "up{pod=\"b\"}", 0, 3, &r), 1);
    assert_near(r.samples[0].value, 2, 0);
    /* "total" is a value of __name__, not of pod. */
    assert_int_equal(eval(s, "up{pod=\"total\"}", 0, 3, &r), 0);
    assert_int_equal(eval(s, "{pod=\"a\"}", 0, 3, &r), 2);
    assert_int_equal(eval(s, "{__name__=\"up\",pod=\"a\"}", 0, 3, &r), 1);
    assert_int_equal(eval(s, "{__name__!=\"up\",pod=\"a\"}", 0, 3, &r), 1);
    assert_near(r.samples[0].value, 3, 0);
    assert_int_equal(eval(s, "nothing", 0, 3, &r), 0);
    rsim_metrics_result_fini(&r);
    rsim_metrics_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_series_identity_and_order),
        cmocka_unit_test(test_metrics_retention_bounds_memory),
        cmocka_unit_test(test_metrics_staleness_and_lookback_boundary),
        cmocka_unit_test(test_metrics_prom3_range_is_left_open),
        cmocka_unit_test(test_metrics_error_step_first_visible),
        cmocka_unit_test(test_metrics_evaluation_errors),
        cmocka_unit_test(test_metrics_scalar_and_nan_ratio),
        cmocka_unit_test(test_metrics_matchers_on_absent_labels_and_values),
    };
    return cmocka_run_group_tests_name("unit.metrics", tests, NULL, NULL);
}
