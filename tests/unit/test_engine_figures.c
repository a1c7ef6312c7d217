/* test_engine_figures.c - the figures of a run (docs/figures.md) on small runs: each figure is
 * recomputed here from the result's raw series, log and counters and compared, and the edge
 * cases (not exposed, not detected, promoted, no controller) give their stated values. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_int.h"

typedef struct run {
    rsim_diag *diag;
    rsim_scenario *scn;
    rsim_engine *eng;
    const rsim_result *res;
} run;

static void run_file(run *r, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RSIM_SOURCE_DIR, name);
    const char *paths[] = {path};
    r->diag = rsim_diag_new(10);
    assert_int_equal(rsim_scenario_load_files(paths, 1, RSIM_SCENARIO_RUN, r->diag, &r->scn),
                     RSIM_OK);
    assert_int_equal(rsim_engine_new(r->scn, NULL, r->diag, &r->eng), RSIM_OK);
    rsim_engine_run(r->eng);
    r->res = rsim_engine_result(r->eng);
}

static void run_free(run *r)
{
    rsim_engine_free(r->eng);
    rsim_scenario_free(r->scn);
    rsim_diag_free(r->diag);
}

/* A bad release caught: exposure from the fault, detection at the first Failed run, rollback
 * tick-aligned and after detection, blast radius equal to the ground truth. */
static void test_detected(void **state)
{
    (void)state;
    run r;
    run_file(&r, "scenarios/canary-bad-release.yaml");
    rsim_figures f;
    rsim_result_figures(r.res, &f);
    const rsim_engine *e = r.eng;
    const rsim_traffic_fault *tf = rsim_traffic_fault_at(e->traffic, 0);
    assert_int_equal(f.exposed_at, tf->exposed_at);
    assert_int_equal(f.fault_failures, tf->failures);
    rsim_time first_failed = -1;
    for (size_t i = 0; i < r.res->log.n; i++) {
        const rsim_log_entry *l = &r.res->log.items[i];
        if (l->kind == RSIM_LOG_ANALYSIS && l->phase && strcmp(l->phase, "Failed") == 0) {
            first_failed = l->t;
            break;
        }
    }
    assert_true(first_failed > 0);
    assert_int_equal(f.detected_at, first_failed);
    assert_int_equal(f.detection_ms, first_failed - f.exposed_at);
    assert_null(f.not_detected);
    assert_true(f.rollback_traffic_ms >= 0 && f.rollback_traffic_ms <= e->world->tick);
    assert_int_equal((f.traffic_restored_at % e->world->tick), 0);
    assert_true(f.rollback_pods_ms >= f.rollback_traffic_ms);
    assert_true(f.rollback_errors_ms >= 0);
    assert_true(f.peak_share > 0.0 && f.peak_share <= 1.0);
    assert_true(fabs(f.fault_failure_share - (double)f.fault_failures / (double)f.requests) <
                1e-12);
    /* budget = (1 - objective) x requests x window / duration */
    double budget = (1 - 0.999) * (double)f.requests * (720.0 * 3600 * 1000) / 3600000.0;
    assert_true(fabs(f.budget_failures - budget) < 1e-6 * budget);
    assert_true(fabs(f.budget_consumed - (double)f.fault_failures / budget) < 1e-12);
    assert_int_equal(f.promoted_at, RSIM_FIGURE_NONE);
    assert_string_equal(f.final_phase, "Degraded");
    assert_int_equal(f.n_reconciles, r.res->recs.n);
    /* One fault: its own figures are the run's. */
    rsim_figures g;
    assert_int_equal(rsim_result_fault_figures(r.res, "error-ramp", &g), RSIM_OK);
    assert_int_equal(g.detected_at, f.detected_at);
    assert_int_equal(rsim_result_fault_figures(r.res, "nope", &g), RSIM_EINVAL);
    for (size_t i = 0; i < rsim_result_expectation_count(r.res); i++) {
        rsim_expect_outcome o;
        rsim_result_expectation_check(r.res, i, &o);
        assert_true(o.passed);
    }
    run_free(&r);
}

/* A healthy canary: nothing exposed, promotion time = the first Healthy phase after the
 * release, extra pod-seconds = sum over ticks of pods above spec.replicas. */
static void test_healthy(void **state)
{
    (void)state;
    run r;
    run_file(&r, "scenarios/canary-basic.yaml");
    rsim_figures f;
    rsim_result_figures(r.res, &f);
    assert_int_equal(f.n_faults, 0);
    assert_int_equal(f.exposed_at, RSIM_FIGURE_NONE);
    assert_int_equal(f.detected_at, RSIM_FIGURE_NONE);
    assert_string_equal(f.not_detected, "not exposed");
    assert_int_equal(f.release_at, RSIM_MIN(1));
    rsim_time healthy = -1;
    for (size_t i = 0; i < r.res->phases.n; i++) {
        const rsim_phase_change *pc = &r.res->phases.items[i];
        if (pc->t > f.release_at && pc->phase == RSIM_CTL_PHASE_HEALTHY) {
            healthy = pc->t;
        }
    }
    assert_int_equal(f.promoted_at, healthy);
    assert_int_equal(f.promotion_ms, healthy - RSIM_MIN(1));
    int64_t extra = 0;
    rsim_time prev = 0;
    for (size_t i = 0; i < r.res->rows.n; i++) {
        const rsim_series_row *row = &r.res->rows.items[i];
        int64_t pods = 0;
        for (size_t c = 0; c < row->n_cells; c++) {
            for (int s = 0; s < RSIM_POD_GONE; s++) {
                pods += r.res->cells.items[row->first_cell + c].pods[s];
            }
        }
        extra += pods > 5 ? (pods - 5) * (row->t - prev) : 0;
        prev = row->t;
    }
    assert_true(fabs(f.extra_pod_seconds - (double)extra / 1000.0) < 1e-9);
    assert_true(f.pod_seconds >= 5.0 * 12 * 60);
    run_free(&r);
}

/* No controller: the fault is exposed, nothing fails an AnalysisRun, the run ends. */
static void test_not_detected(void **state)
{
    (void)state;
    run r;
    run_file(&r, "scenarios/canary-by-hand.yaml");
    rsim_figures f;
    rsim_result_figures(r.res, &f);
    assert_true(f.exposed_at > 0);
    assert_int_equal(f.detected_at, RSIM_FIGURE_NONE);
    assert_int_equal(f.detection_ms, RSIM_FIGURE_NONE);
    assert_string_equal(f.not_detected, "run ended");
    assert_int_equal(f.rollback_traffic_ms, RSIM_FIGURE_NONE);
    assert_null(f.final_phase);
    assert_int_equal(f.n_reconciles, 0);
    run_free(&r);
}

/* summary.json carries the schema and is the same twice. */
static void test_summary_json(void **state)
{
    (void)state;
    run r;
    run_file(&r, "scenarios/guarded-canary.yaml");
    char *a = NULL;
    char *b = NULL;
    size_t na = 0;
    size_t nb = 0;
    FILE *fa = open_memstream(&a, &na);
    FILE *fb = open_memstream(&b, &nb);
    assert_int_equal(rsim_result_write_summary_json(r.res, fa), RSIM_OK);
    assert_int_equal(rsim_result_write_summary_json(r.res, fb), RSIM_OK);
    fclose(fa);
    fclose(fb);
    assert_non_null(strstr(a, "\"schema\":\t\"rollsim.summary/v1\""));
    assert_non_null(strstr(a, "\"usersHit\""));
    assert_string_equal(a, b);
    free(a);
    free(b);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detected),
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_not_detected),
        cmocka_unit_test(test_summary_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
