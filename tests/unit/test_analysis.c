/* test_analysis.c - AnalysisRuns against scripted fake providers: one test per rule of §16.1
 * (scheduling), §16.2 (measurement phase), §16.3 (counters), §16.4 (metric phase, each numbered
 * step), §16.5 (run phase) and §16.6 (detection-time arithmetic), plus argument resolution, dryRun
 * patterns (§23 E5), terminated Jobs (§23 I13), dry-run completion (§23 I14), one-second
 * truncation (§23 I15) and the provider helpers. Pinned: phases, counters and the instants they
 * change. Not pinned: the exact wording of condition-evaluation errors (test_expr_cond.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rsim/diag.h>

#include "analysis_int.h"

/* ---- fixtures ------------------------------------------------------------------------------ */

/* One scripted answer of the fake provider. */
typedef struct step {
    rsim_analysis_reply_kind kind;
    int n; /* VALUE: -1 scalar, else a vector of n copies of v */
    double v;
    rsim_time dur;   /* reply duration */
    rsim_time after; /* RUNNING: resume this long after now */
} step;

#define MAX_STEPS 32

typedef struct fake {
    step script[4][MAX_STEPS]; /* per metric; the last scripted step repeats */
    size_t len[4];
    size_t used[4];
    int starts[4], resumes[4], terminates[4];
    rsim_time last_now[4];
} fake;

static void answer(fake *f, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    size_t i = req->metric;
    assert_true(f->len[i] > 0);
    const step *s = &f->script[i][f->used[i] < f->len[i] ? f->used[i] : f->len[i] - 1];
    f->used[i]++;
    f->last_now[i] = req->now;
    rep->kind = s->kind;
    rep->duration = s->dur;
    if (s->kind == RSIM_ANALYSIS_REPLY_VALUE) {
        if (s->n < 0) {
            rep->value = rsim_cond_float(req->arena, s->v);
        } else {
            double v[8];
            for (int k = 0; k < s->n && k < 8; k++) {
                v[k] = s->v;
            }
            rep->value = rsim_cond_floats(req->arena, v, (size_t)s->n);
        }
    } else if (s->kind == RSIM_ANALYSIS_REPLY_ERROR) {
        snprintf(rep->message, sizeof rep->message, "connection refused");
    } else if (s->kind == RSIM_ANALYSIS_REPLY_RUNNING) {
        rep->resume_at = req->now + s->after;
    }
}

static void fake_start(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    fake *f = ctx;
    f->starts[req->metric]++;
    answer(f, req, rep);
}

static void fake_resume(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    fake *f = ctx;
    f->resumes[req->metric]++;
    answer(f, req, rep);
}

static void fake_terminate(void *ctx, const rsim_analysis_request *req)
{
    fake *f = ctx;
    f->terminates[req->metric]++;
}

static void script(fake *f, size_t metric, step s)
{
    assert_true(f->len[metric] < MAX_STEPS);
    f->script[metric][f->len[metric]++] = s;
}

static step val(double v)
{
    step s = {RSIM_ANALYSIS_REPLY_VALUE, 1, v, 0, 0};
    return s;
}

static step err_step(void)
{
    step s = {RSIM_ANALYSIS_REPLY_ERROR, 0, 0, 0, 0};
    return s;
}

static const rsim_spec_prometheus prom_up = {.address = "", .query = "vector(1)", .timeout = 30000};

/* A metric as the loader builds it; count 0 = not written. */
static rsim_spec_metric metric(const char *name, rsim_time interval, int64_t count)
{
    rsim_spec_metric m;
    memset(&m, 0, sizeof m);
    m.name = name;
    m.interval.set = interval > 0;
    m.interval.value = interval;
    m.count.set = count > 0;
    m.count.value = count;
    m.consecutive_error_limit.value = 4;
    m.provider = RSIM_SPEC_PROVIDER_PROMETHEUS;
    m.prometheus = &prom_up;
    m.loc = (rsim_loc){"t.yaml", 1, 1, 0};
    m.success_loc = m.failure_loc = m.loc;
    return m;
}

static rsim_spec_analysis_template tmpl(rsim_spec_metric *ms, size_t n)
{
    rsim_spec_analysis_template t;
    memset(&t, 0, sizeof t);
    t.name = "t";
    t.metrics = ms;
    t.n_metrics = n;
    return t;
}

static rsim_analysis_provider provider(fake *f)
{
    rsim_analysis_provider p = {fake_start, fake_resume, fake_terminate, f};
    return p;
}

static rsim_analysis_run *new_run(const rsim_spec_analysis_template *t, fake *f, bool truncate)
{
    const rsim_spec_analysis_template *ts[] = {t};
    rsim_analysis_context ctx = rsim_analysis_context_default();
    ctx.truncate_seconds = truncate;
    rsim_analysis_provider p = provider(f);
    rsim_analysis_run *run = NULL;
    char err[256];
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, NULL, 0, NULL, 0, &ctx, &p, &run, err, sizeof err),
        RSIM_OK);
    return run;
}

/* Drives the run as an owner would: first pass at t0, then at every time it asks for, until it
 * completes or `until`. Returns the completion time, -1 when still running. */
static rsim_time drive(rsim_analysis_run *run, rsim_time t0, rsim_time until)
{
    rsim_time now = t0;
    rsim_analysis_reconcile(run, now);
    for (int guard = 0; guard < 100000; guard++) {
        rsim_time t = rsim_analysis_next_time(run);
        if (t == RSIM_TIME_MAX || t > until) {
            break;
        }
        assert_true(t >= now); /* never asks for the past */
        now = t;
        rsim_analysis_reconcile(run, now);
    }
    return rsim_analysis_completed_at(run);
}

/* One measurement with the given conditions and reply: its phase. */
static rsim_analysis_phase judge_one(const char *success, const char *failure, step reply)
{
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, reply);
    rsim_spec_metric m = metric("m", 0, 0);
    m.success_condition = success;
    m.failure_condition = failure;
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, RSIM_SEC(5));
    assert_int_equal(rsim_analysis_measurement_count(run, 0), 1);
    rsim_analysis_phase p = rsim_analysis_measurement_at(run, 0, 0)->phase;
    rsim_analysis_run_free(run);
    return p;
}

/* A metric runtime with hand-set counters, for the pure §16.4 rules. */
static rsim_analysis_metric_rt rt(int64_t count, int64_t failure_limit, int64_t csl)
{
    rsim_analysis_metric_rt m;
    memset(&m, 0, sizeof m);
    m.count = count;
    m.failure_limit = failure_limit;
    m.consecutive_error_limit = 4;
    m.consecutive_success_limit = csl;
    m.st.phase = RSIM_ANALYSIS_RUNNING;
    m.has_result = true;
    return m;
}

static void push(rsim_analysis_metric_rt *m, rsim_analysis_phase p)
{
    rsim_analysis_measurement x;
    memset(&x, 0, sizeof x);
    x.phase = p;
    x.finished_at = rsim_analysis_phase_completed(p) ? 0 : -1;
    RSIM_VEC_PUSH(m->ms, x);
}

/* ---- §16.2 one measurement -> phase ------------------------------------------------------- */

static void test_analysis_16_2_provider_error_is_error(void **state)
{
    (void)state;
    assert_int_equal(judge_one("result[0] > 0", NULL, err_step()), RSIM_ANALYSIS_ERROR);
}

static void test_analysis_16_2_no_condition_is_successful(void **state)
{
    (void)state;
    assert_int_equal(judge_one(NULL, NULL, val(0.5)), RSIM_ANALYSIS_SUCCESSFUL);
}

static void test_analysis_16_2_success_only(void **state)
{
    (void)state;
    assert_int_equal(judge_one("result[0] < 1", NULL, val(0.5)), RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(judge_one("result[0] < 1", NULL, val(2)), RSIM_ANALYSIS_FAILED);
}

static void test_analysis_16_2_failure_only(void **state)
{
    (void)state;
    assert_int_equal(judge_one(NULL, "result[0] > 1", val(2)), RSIM_ANALYSIS_FAILED);
    assert_int_equal(judge_one(NULL, "result[0] > 1", val(0.5)), RSIM_ANALYSIS_SUCCESSFUL);
}

static void test_analysis_16_2_both_failure_wins_else_inconclusive(void **state)
{
    (void)state;
    /* Both true: failure wins. */
    assert_int_equal(judge_one("result[0] > 0", "result[0] > 1", val(2)), RSIM_ANALYSIS_FAILED);
    assert_int_equal(judge_one("result[0] > 0", "result[0] > 1", val(0.5)),
                     RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(judge_one("result[0] > 3", "result[0] > 1", val(0.5)),
                     RSIM_ANALYSIS_INCONCLUSIVE);
}

static void test_analysis_16_2_empty_vector_is_error(void **state)
{
    (void)state;
    step empty = {RSIM_ANALYSIS_REPLY_VALUE, 0, 0, 0, 0};
    assert_int_equal(judge_one("result[0] < 0.05", NULL, empty), RSIM_ANALYSIS_ERROR);
    assert_int_equal(judge_one("len(result) == 0 || result[0] < 0.05", NULL, empty),
                     RSIM_ANALYSIS_SUCCESSFUL);
}

/* ---- §16.3 counters ------------------------------------------------------------------------ */

static void test_analysis_16_3_counters(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    /* S S F I E E S */
    double seq[] = {0.1, 0.1, 2, 0.7};
    for (size_t i = 0; i < 4; i++) {
        script(&f, 0, val(seq[i]));
    }
    script(&f, 0, err_step());
    script(&f, 0, err_step());
    script(&f, 0, val(0.1));
    rsim_spec_metric m = metric("m", RSIM_SEC(60), 0);
    m.success_condition = "result[0] < 0.5";
    m.failure_condition = "result[0] > 1";
    m.failure_limit.value = 10;
    m.inconclusive_limit.value = 10;
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_time now = 0;
    rsim_analysis_reconcile(run, now);
    for (int i = 0; i < 4; i++) {
        now = rsim_analysis_next_time(run);
        rsim_analysis_reconcile(run, now);
    }
    const rsim_analysis_metric_status *s = rsim_analysis_metric(run, 0);
    /* after S S F I E: count 4 (errors do not count), consecutive error 1 */
    assert_int_equal(s->count, 4);
    assert_int_equal(s->successful, 2);
    assert_int_equal(s->failed, 1);
    assert_int_equal(s->inconclusive, 1);
    assert_int_equal(s->error, 1);
    assert_int_equal(s->consecutive_error, 1);
    assert_int_equal(s->consecutive_success, 0);
    now = rsim_analysis_next_time(run);
    rsim_analysis_reconcile(run, now);
    assert_int_equal(s->consecutive_error, 2);
    now = rsim_analysis_next_time(run);
    rsim_analysis_reconcile(run, now);
    /* a non-error resets consecutiveError; a success starts consecutiveSuccess */
    assert_int_equal(s->consecutive_error, 0);
    assert_int_equal(s->consecutive_success, 1);
    assert_int_equal(s->count, 5);
    assert_int_equal(s->error, 2);
    rsim_analysis_run_free(run);
}

/* ---- §16.4 metric phase ------------------------------------------------------------------- */

static void test_analysis_16_4_step1_completed_is_unchanged(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(1, 0, 0);
    m.st.phase = RSIM_ANALYSIS_FAILED;
    push(&m, RSIM_ANALYSIS_SUCCESSFUL);
    m.st.count = 1;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_FAILED);
    free(m.ms.items);
}

static void test_analysis_16_4_step2_no_measurements(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(1, 0, 0);
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_PENDING);
    assert_int_equal(rsim_analysis_assess_metric(&m, true), RSIM_ANALYSIS_SUCCESSFUL);
}

static void test_analysis_16_4_step3_latest_running(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(1, 0, 0);
    m.st.failed = 3; /* limits are not looked at while a measurement is in flight */
    push(&m, RSIM_ANALYSIS_RUNNING);
    assert_int_equal(rsim_analysis_assess_metric(&m, true), RSIM_ANALYSIS_RUNNING);
    free(m.ms.items);
}

static void test_analysis_16_4_failure_limit_is_more_than(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(0, 2, 0);
    push(&m, RSIM_ANALYSIS_FAILED);
    m.st.failed = 2;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_RUNNING);
    m.st.failed = 3;
    char msg[128];
    assert_int_equal(rsim_analysis_assess_limits(&m, msg, sizeof msg), RSIM_ANALYSIS_FAILED);
    assert_string_equal(msg, "failed (3) > failureLimit (2)");
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_FAILED);
    /* -1 disables the failure limit */
    m.failure_limit = -1;
    m.consecutive_success_limit = 5;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_RUNNING);
    free(m.ms.items);
}

static void test_analysis_16_4_step4_later_limit_overrides(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(0, 0, 0);
    push(&m, RSIM_ANALYSIS_ERROR);
    m.st.failed = 1;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_FAILED);
    m.st.inconclusive = 1; /* inconclusive is checked after failed and overrides it */
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_INCONCLUSIVE);
    m.st.consecutive_error = 5; /* error is checked last */
    char msg[128];
    assert_int_equal(rsim_analysis_assess_limits(&m, msg, sizeof msg), RSIM_ANALYSIS_ERROR);
    assert_string_equal(msg, "consecutiveErrors (5) > consecutiveErrorLimit (4)");
    m.st.consecutive_error = 4; /* 4 is not more than 4 */
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_INCONCLUSIVE);
    free(m.ms.items);
}

static void test_analysis_16_4_step5_consecutive_success_limit(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(0, -1, 3);
    push(&m, RSIM_ANALYSIS_SUCCESSFUL);
    m.st.failed = 7; /* ignored with failureLimit -1 */
    m.st.consecutive_success = 2;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_RUNNING);
    m.st.consecutive_success = 3;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_SUCCESSFUL);
    free(m.ms.items);
}

static void test_analysis_16_4_step6_count_reached(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(3, 0, 0);
    push(&m, RSIM_ANALYSIS_SUCCESSFUL);
    m.st.count = 3;
    /* only the failure limit applies: Successful */
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_SUCCESSFUL);
    /* both apply and neither was reached: Inconclusive */
    m.consecutive_success_limit = 3;
    m.st.consecutive_success = 1;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_INCONCLUSIVE);
    /* only the consecutive-success limit applies: Failed */
    m.failure_limit = -1;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_FAILED);
    free(m.ms.items);
}

static void test_analysis_16_4_step7_running_or_successful_when_terminating(void **state)
{
    (void)state;
    rsim_analysis_metric_rt m = rt(-1, 0, 0);
    push(&m, RSIM_ANALYSIS_SUCCESSFUL);
    m.st.count = 100;
    assert_int_equal(rsim_analysis_assess_metric(&m, false), RSIM_ANALYSIS_RUNNING);
    assert_int_equal(rsim_analysis_assess_metric(&m, true), RSIM_ANALYSIS_SUCCESSFUL);
    free(m.ms.items);
}

/* ---- §16.5 run phase ----------------------------------------------------------------------- */

static void test_analysis_16_5_worst_status_order(void **state)
{
    (void)state;
    const rsim_analysis_phase order[] = {RSIM_ANALYSIS_SUCCESSFUL, RSIM_ANALYSIS_RUNNING,
                                         RSIM_ANALYSIS_PENDING,    RSIM_ANALYSIS_INCONCLUSIVE,
                                         RSIM_ANALYSIS_ERROR,      RSIM_ANALYSIS_FAILED};
    for (size_t i = 0; i < 6; i++) {
        for (size_t k = 0; k < 6; k++) {
            assert_int_equal(rsim_analysis_is_worse(order[i], order[k]), k > i);
        }
    }
}

static void test_analysis_16_5_incomplete_metric_keeps_running(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    script(&f, 1, val(0.1));
    rsim_spec_metric ms[2] = {metric("once", 0, 0), metric("twice", RSIM_SEC(30), 2)};
    rsim_spec_analysis_template t = tmpl(ms, 2);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, 0);
    assert_int_equal(rsim_analysis_metric(run, 0)->phase, RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_RUNNING);
    assert_int_equal(drive(run, 0, RSIM_MIN(10)), RSIM_SEC(30) + 1);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    rsim_analysis_run_free(run);
}

static void test_analysis_16_5_terminating_at_start_of_pass(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(2)); /* fails at once */
    script(&f, 1, val(0.1));
    rsim_spec_metric ms[2] = {metric("bad", RSIM_SEC(60), 0), metric("good", RSIM_SEC(60), 0)};
    ms[0].success_condition = "result[0] < 1";
    ms[1].success_condition = "result[0] < 1";
    rsim_spec_analysis_template t = tmpl(ms, 2);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, RSIM_SEC(3));
    /* the metric failed in this pass, but the run was not terminating when it began */
    assert_int_equal(rsim_analysis_metric(run, 0)->phase, RSIM_ANALYSIS_FAILED);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_RUNNING);
    /* the status write re-queues the run at once; that pass ends it */
    assert_int_equal(rsim_analysis_next_time(run), RSIM_SEC(3));
    rsim_analysis_reconcile(run, RSIM_SEC(3));
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_FAILED);
    assert_int_equal(rsim_analysis_metric(run, 1)->phase, RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(f.starts[1], 1); /* no new measurement while terminating */
    assert_string_equal(rsim_analysis_message(run),
                        "Metric \"bad\" assessed Failed due to failed (1) > failureLimit (0)");
    rsim_analysis_run_free(run);

    /* a single metric: Failed in the same pass */
    memset(&f, 0, sizeof f);
    script(&f, 0, val(2));
    t = tmpl(ms, 1);
    run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, 0);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_FAILED);
    rsim_analysis_run_free(run);
}

static void test_analysis_16_5_terminated_before_measuring_is_successful(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    rsim_spec_metric m = metric("late", RSIM_SEC(60), 0);
    m.initial_delay.set = true;
    m.initial_delay.value = RSIM_MIN(5);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, 0);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_RUNNING);
    rsim_analysis_terminate(run, RSIM_MIN(1));
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    assert_string_equal(rsim_analysis_message(run), "Run Terminated");
    assert_int_equal(f.starts[0], 0);
    rsim_analysis_run_free(run);
}

static void test_analysis_16_5_dry_run_never_decides(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(2));
    script(&f, 1, val(0.1));
    rsim_spec_metric ms[2] = {metric("http-error-rate", 0, 0), metric("latency", 0, 0)};
    ms[0].success_condition = "result[0] < 1";
    rsim_spec_analysis_template t = tmpl(ms, 2);
    rsim_spec_metric_rule rule = {.metric_name = "error"}; /* unanchored: matches */
    const rsim_spec_analysis_template *ts[] = {&t};
    rsim_analysis_provider p = provider(&f);
    rsim_analysis_run *run = NULL;
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, &rule, 1, NULL, 0, NULL, &p, &run, NULL, 0), RSIM_OK);
    assert_true(rsim_analysis_metric(run, 0)->dry_run);
    assert_false(rsim_analysis_metric(run, 1)->dry_run);
    drive(run, 0, RSIM_MIN(5));
    assert_int_equal(rsim_analysis_metric(run, 0)->phase, RSIM_ANALYSIS_FAILED);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    rsim_analysis_run_free(run);

    /* only dry-run metrics: Successful */
    memset(&f, 0, sizeof f);
    script(&f, 0, val(2));
    t = tmpl(ms, 1);
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, &rule, 1, NULL, 0, NULL, &p, &run, NULL, 0), RSIM_OK);
    rsim_analysis_reconcile(run, 0);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    rsim_analysis_run_free(run);
}

/* ---- §16.6 detection-time arithmetic ------------------------------------------------------- */

static void test_analysis_16_6_failed_at_t0_plus_f_intervals(void **state)
{
    (void)state;
    for (int64_t F = 0; F <= 3; F++) {
        fake f;
        memset(&f, 0, sizeof f);
        script(&f, 0, val(2));
        rsim_spec_metric m = metric("m", RSIM_MIN(1), 0);
        m.success_condition = "result[0] < 1";
        m.failure_limit.value = F;
        rsim_spec_analysis_template t = tmpl(&m, 1);
        rsim_analysis_run *run = new_run(&t, &f, true);
        rsim_time t0 = RSIM_SEC(100);
        /* + 1 ms: "after" is strict, and truncation keeps it from accumulating */
        assert_int_equal(drive(run, t0, RSIM_HOUR(1)), t0 + F * RSIM_MIN(1) + (F > 0 ? 1 : 0));
        assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_FAILED);
        assert_int_equal(f.starts[0], F + 1);
        rsim_analysis_run_free(run);
    }
}

static void test_analysis_16_6_successful_at_t0_plus_c_minus_1_intervals(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    rsim_spec_metric m = metric("m", RSIM_SEC(30), 5);
    m.success_condition = "result[0] < 1";
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    assert_int_equal(drive(run, RSIM_SEC(10), RSIM_HOUR(1)), RSIM_SEC(10) + 4 * RSIM_SEC(30) + 1);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(f.starts[0], 5);
    rsim_analysis_run_free(run);
}

static void test_analysis_16_6_error_at_first_error_plus_4_retries(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, err_step());
    rsim_spec_metric m = metric("m", RSIM_MIN(5), 0);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    assert_int_equal(drive(run, RSIM_SEC(20), RSIM_HOUR(1)), RSIM_SEC(20) + 4 * RSIM_SEC(10) + 1);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_ERROR);
    assert_int_equal(f.starts[0], 5);
    assert_string_equal(rsim_analysis_message(run),
                        "Metric \"m\" assessed Error due to consecutiveErrors (5) > "
                        "consecutiveErrorLimit (4): \"Error Message: connection refused\"");
    rsim_analysis_run_free(run);
}

/* ---- §16.1 scheduling ---------------------------------------------------------------------- */

static void test_analysis_16_1_error_retries_after_10s(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, err_step());
    script(&f, 0, val(0.1));
    rsim_spec_metric m = metric("m", RSIM_MIN(10), 0);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, 0);
    /* strictly after finishedAt + 10 s, whatever the interval */
    assert_int_equal(rsim_analysis_next_time(run), RSIM_SEC(10) + 1);
    rsim_analysis_reconcile(run, RSIM_SEC(10));
    assert_int_equal(f.starts[0], 1);
    rsim_analysis_reconcile(run, RSIM_SEC(10) + 1);
    assert_int_equal(f.starts[0], 2);
    /* back to the interval after a non-error */
    assert_int_equal(rsim_analysis_next_time(run), RSIM_SEC(10) + RSIM_MIN(10) + 1);
    rsim_analysis_run_free(run);
}

static void test_analysis_16_1_initial_delay_and_count(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    script(&f, 1, val(0.1));
    rsim_spec_metric ms[2] = {metric("delayed", RSIM_SEC(20), 2), metric("now", 0, 0)};
    ms[0].initial_delay.set = true;
    ms[0].initial_delay.value = RSIM_MIN(2);
    rsim_spec_analysis_template t = tmpl(ms, 2);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, RSIM_SEC(7));
    assert_int_equal(rsim_analysis_started_at(run), RSIM_SEC(7));
    assert_int_equal(f.starts[0], 0); /* waits for startedAt + initialDelay */
    assert_int_equal(f.starts[1], 1); /* no delay: measured in the first pass */
    assert_int_equal(rsim_analysis_next_time(run), RSIM_SEC(7) + RSIM_MIN(2));
    rsim_analysis_reconcile(run, RSIM_SEC(7) + RSIM_MIN(2) - 1);
    assert_int_equal(f.starts[0], 0);
    assert_int_equal(drive(run, RSIM_SEC(7) + RSIM_MIN(2), RSIM_HOUR(1)),
                     RSIM_SEC(7) + RSIM_MIN(2) + RSIM_SEC(20) + 1);
    assert_int_equal(f.starts[0], 2); /* stops at the count */
    rsim_analysis_run_free(run);
}

static void test_analysis_i15_truncation_switch(void **state)
{
    (void)state;
    for (int on = 0; on <= 1; on++) {
        fake f;
        memset(&f, 0, sizeof f);
        step s = val(0.1);
        s.dur = 700; /* a query that takes 0.7 s */
        script(&f, 0, s);
        rsim_spec_metric m = metric("m", RSIM_SEC(30), 0);
        rsim_spec_analysis_template t = tmpl(&m, 1);
        rsim_analysis_run *run = new_run(&t, &f, on == 1);
        assert_int_equal(rsim_analysis_reconcile(run, RSIM_MS(12600)), RSIM_MS(13300));
        const rsim_analysis_measurement *x = rsim_analysis_measurement_at(run, 0, 0);
        assert_int_equal(x->started_at, on ? RSIM_SEC(12) : RSIM_MS(12600));
        assert_int_equal(x->finished_at, on ? RSIM_SEC(13) : RSIM_MS(13300));
        assert_int_equal(rsim_analysis_next_time(run),
                         (on ? RSIM_SEC(13) : RSIM_MS(13300)) + RSIM_SEC(30) + 1);
        assert_true(x->has_number);
        assert_true(fabs(x->number - 0.1) < 1e-12);
        rsim_analysis_run_free(run);
    }
}

static void test_analysis_16_1_job_resumes_then_completes(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    step running = {RSIM_ANALYSIS_REPLY_RUNNING, 0, 0, 0, RSIM_SEC(5)};
    step done = {RSIM_ANALYSIS_REPLY_FAILURE, 0, 0, 0, 0};
    script(&f, 0, running);
    script(&f, 0, running);
    script(&f, 0, done);
    rsim_spec_metric m = metric("smoke", 0, 0);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    assert_int_equal(drive(run, 0, RSIM_HOUR(1)), RSIM_SEC(10));
    assert_int_equal(f.starts[0], 1);
    assert_int_equal(f.resumes[0], 2);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_FAILED);
    /* the poll schedule: sqrt(2 * elapsed) seconds, at least one */
    assert_int_equal(rsim_analysis_job_next_poll(0, 0), RSIM_SEC(1));
    assert_int_equal(rsim_analysis_job_next_poll(0, RSIM_SEC(50)), RSIM_SEC(60));
    assert_int_equal(rsim_analysis_job_next_poll(RSIM_SEC(10), RSIM_SEC(210)), RSIM_SEC(230));
    rsim_analysis_run_free(run);
}

/* ---- §23 I13, I14 -------------------------------------------------------------------------- */

static void test_analysis_i13_terminated_job_is_inconclusive(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    step running = {RSIM_ANALYSIS_REPLY_RUNNING, 0, 0, 0, RSIM_MIN(1)};
    script(&f, 0, running);
    rsim_spec_metric m = metric("smoke", 0, 0);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_analysis_reconcile(run, 0);
    rsim_analysis_terminate(run, RSIM_SEC(20));
    assert_int_equal(f.terminates[0], 1);
    const rsim_analysis_measurement *x = rsim_analysis_measurement_at(run, 0, 0);
    assert_int_equal(x->phase, RSIM_ANALYSIS_INCONCLUSIVE);
    assert_string_equal(x->message, "Metric Terminated");
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_INCONCLUSIVE);
    assert_int_equal(rsim_analysis_next_time(run), RSIM_TIME_MAX);
    rsim_analysis_run_free(run);
}

static void test_analysis_i14_dry_run_metric_keeps_run_running(void **state)
{
    (void)state;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    script(&f, 1, val(0.1));
    rsim_spec_metric ms[2] = {metric("gate", 0, 0), metric("shadow", RSIM_MIN(1), 0)};
    rsim_spec_analysis_template t = tmpl(ms, 2);
    t.dry_run = &(rsim_spec_metric_rule){.metric_name = "^shadow$"};
    t.n_dry_run = 1;
    rsim_analysis_run *run = new_run(&t, &f, true);
    assert_int_equal(drive(run, 0, RSIM_HOUR(2)), -1);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_RUNNING);
    assert_int_equal(f.starts[1], 120); /* at 0 and k min + 1 ms, k = 1..119 */
    rsim_analysis_terminate(run, RSIM_HOUR(2) + 5);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(rsim_analysis_measurement_count(run, 1), 120); /* full history kept */
    assert_int_equal(rsim_analysis_metric(run, 1)->retention, RSIM_ANALYSIS_DEFAULT_RETENTION);
    rsim_analysis_run_free(run);
}

/* ---- §23 E5 patterns ----------------------------------------------------------------------- */

static void test_analysis_e5_dry_run_patterns(void **state)
{
    (void)state;
    char why[160];
    assert_int_equal(rsim_analysis_re_match("error", "http-error-rate", why, sizeof why), 1);
    assert_int_equal(rsim_analysis_re_match(".*", "anything", why, sizeof why), 1);
    assert_int_equal(rsim_analysis_re_match("^error$", "http-error-rate", why, sizeof why), 0);
    assert_int_equal(rsim_analysis_re_match("*", "a", why, sizeof why), 0); /* invalid in Go */
    assert_int_equal(rsim_analysis_re_match("p\\d+", "p99-latency", why, sizeof why), 1);
    assert_int_equal(rsim_analysis_re_match("(?:a|b)c", "xbc", why, sizeof why), 1);
    assert_int_equal(rsim_analysis_re_match("\\bword", "word", why, sizeof why), -1);
    assert_int_equal(rsim_analysis_re_match("(?i)ERR", "err", why, sizeof why), -1);

    /* a rule that matches nothing: Error on the first reconcile */
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    rsim_spec_metric m = metric("m", 0, 0);
    rsim_spec_analysis_template t = tmpl(&m, 1);
    rsim_spec_metric_rule rules[] = {{.metric_name = ".*"}, {.metric_name = "*"}};
    const rsim_spec_analysis_template *ts[] = {&t};
    rsim_analysis_provider p = provider(&f);
    rsim_analysis_run *run = NULL;
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, rules, 2, NULL, 0, NULL, &p, &run, NULL, 0), RSIM_OK);
    rsim_analysis_reconcile(run, 0);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_ERROR);
    assert_string_equal(rsim_analysis_message(run),
                        "Analysis spec invalid: dryRun[1]: Rule didn't match any metric name(s)");
    assert_int_equal(f.starts[0], 0);
    rsim_analysis_run_free(run);
    /* an RE2 feature POSIX cannot express is refused, not matched differently */
    rsim_spec_metric_rule lazy[] = {{.metric_name = "\\Aerr"}};
    char err[256];
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, lazy, 1, NULL, 0, NULL, &p, &run, err, sizeof err),
        RSIM_EUNSUPPORTED);
    /* measurementRetention limits */
    rsim_spec_metric_rule keep[] = {{.metric_name = "m", .limit = 3}};
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, NULL, 0, keep, 1, NULL, &p, &run, NULL, 0), RSIM_OK);
    assert_int_equal(rsim_analysis_metric(run, 0)->retention, 3);
    rsim_analysis_run_free(run);
}

/* ---- arguments ----------------------------------------------------------------------------- */

static const char *field(void *arg, const char *path)
{
    (void)arg;
    return strcmp(path, "metadata.name") == 0 ? "checkout" : NULL;
}

static void test_analysis_args_resolution(void **state)
{
    (void)state;
    rsim_spec_analysis_arg targs[] = {{.name = "service"},
                                      {.name = "hash"},
                                      {.name = "limit", .value = "0.05"},
                                      {.name = "every", .value = "30s"},
                                      {.name = "ns", .value = "default"}};
    rsim_spec_prometheus pq = prom_up;
    pq.query = "sum(rate(errors{service=\"{{args.service}}\",hash=\"{{ args.hash }}\"}[1m]))";
    rsim_spec_metric m = metric("m", 0, 0);
    m.prometheus = &pq;
    m.interval.set = true;
    m.interval.raw = "{{args.every}}";
    m.success_condition = "result < {{args.limit}}";
    rsim_spec_analysis_template t = tmpl(&m, 1);
    t.args = targs;
    t.n_args = 5;
    rsim_spec_rollout_arg rargs[] = {
        {.name = "service", .kind = RSIM_ROLLOUT_ARG_FIELD_REF, .value = "metadata.name"},
        {.name = "hash", .kind = RSIM_ROLLOUT_ARG_POD_HASH_LATEST, .value = ""},
        {.name = "limit", .kind = RSIM_ROLLOUT_ARG_VALUE, .value = "0.01"},
        {.name = "undeclared", .kind = RSIM_ROLLOUT_ARG_VALUE, .value = "x"}};
    rsim_analysis_context ctx = rsim_analysis_context_default();
    ctx.stable_hash = "6f8c9";
    ctx.latest_hash = "7d4b2";
    ctx.field = field;
    fake f;
    memset(&f, 0, sizeof f);
    step s = {RSIM_ANALYSIS_REPLY_VALUE, -1, 0.02, 0, 0};
    script(&f, 0, s);
    rsim_analysis_provider p = provider(&f);
    const rsim_spec_analysis_template *ts[] = {&t};
    rsim_analysis_run *run = NULL;
    char err[256];
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, rargs, 4, NULL, 0, NULL, 0, &ctx, &p, &run, err, sizeof err),
        RSIM_OK);
    assert_string_equal(rsim_analysis_arg(run, "service"), "checkout");
    assert_string_equal(rsim_analysis_arg(run, "hash"), "7d4b2");
    assert_string_equal(rsim_analysis_arg(run, "limit"), "0.01"); /* the Rollout's value wins */
    assert_null(rsim_analysis_arg(run, "undeclared"));
    const rsim_spec_metric *rm = rsim_analysis_metric_spec(run, 0);
    assert_string_equal(rm->prometheus->query,
                        "sum(rate(errors{service=\"checkout\",hash=\"7d4b2\"}[1m]))");
    assert_string_equal(rm->success_condition, "result < 0.01");
    assert_int_equal(rm->interval.value, RSIM_SEC(30));
    rsim_analysis_reconcile(run, 0);
    /* 0.02 is not < 0.01 */
    assert_int_equal(rsim_analysis_measurement_at(run, 0, 0)->phase, RSIM_ANALYSIS_FAILED);
    rsim_analysis_run_free(run);

    /* Stable hash; an argument without a value is an error */
    rargs[1].kind = RSIM_ROLLOUT_ARG_POD_HASH_STABLE;
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, rargs, 2, NULL, 0, NULL, 0, &ctx, &p, &run, err, sizeof err),
        RSIM_OK);
    assert_string_equal(rsim_analysis_arg(run, "hash"), "6f8c9");
    rsim_analysis_run_free(run);
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, rargs, 1, NULL, 0, NULL, 0, &ctx, &p, &run, err, sizeof err),
        RSIM_EINVAL);
    assert_string_equal(err, "args.hash was not resolved");
}

static void test_analysis_bad_condition_after_substitution(void **state)
{
    (void)state;
    rsim_spec_analysis_arg targs[] = {{.name = "op", .value = "=>"}};
    rsim_spec_metric m = metric("m", RSIM_SEC(30), 0);
    m.success_condition = "result[0] {{args.op}} 1";
    m.success_loc = (rsim_loc){"tmpl.yaml", 9, 23, 0};
    rsim_spec_analysis_template t = tmpl(&m, 1);
    t.args = targs;
    t.n_args = 1;
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(0.1));
    rsim_analysis_provider p = provider(&f);
    rsim_analysis_context ctx = rsim_analysis_context_default();
    ctx.diag = rsim_diag_new(0);
    const rsim_spec_analysis_template *ts[] = {&t};
    rsim_analysis_run *run = NULL;
    assert_int_equal(
        rsim_analysis_run_new(ts, 1, NULL, 0, NULL, 0, NULL, 0, &ctx, &p, &run, NULL, 0), RSIM_OK);
    assert_int_equal(rsim_diag_error_count(ctx.diag), 1);
    rsim_loc at = rsim_diag_loc_at(ctx.diag, 0);
    assert_string_equal(at.file, "tmpl.yaml");
    assert_int_equal(at.line, 9);
    /* every measurement is an Error, as a bad expression is in Argo: Error after 5 */
    assert_int_equal(drive(run, 0, RSIM_HOUR(1)), 4 * RSIM_SEC(10) + 1);
    assert_int_equal(rsim_analysis_phase_of(run), RSIM_ANALYSIS_ERROR);
    assert_int_equal(f.starts[0], 0); /* the provider is never asked */
    rsim_analysis_run_free(run);
    rsim_diag_free(ctx.diag);
}

/* ---- provider helpers ---------------------------------------------------------------------- */

static void test_analysis_prometheus_reply(void **state)
{
    (void)state;
    rsim_metrics_store *s = rsim_metrics_store_new(0);
    rsim_metrics_label l[] = {{"__name__", "up"}, {"pod", "a"}};
    rsim_metrics_series id = 0;
    assert_int_equal(rsim_metrics_series_add(s, l, 2, &id), RSIM_OK);
    rsim_metrics_append(s, id, RSIM_SEC(10), 1.0);
    rsim_spec_metric m = metric("m", 0, 0);
    rsim_spec_prometheus pq = prom_up;
    pq.query = "up";
    pq.timeout = RSIM_SEC(5);
    m.prometheus = &pq;
    rsim_spec_analysis_template t = tmpl(&m, 1);
    fake f;
    memset(&f, 0, sizeof f);
    script(&f, 0, val(1));
    rsim_analysis_run *run = new_run(&t, &f, true);
    rsim_arena a;
    rsim_arena_init(&a);
    rsim_analysis_request req = {.run = run,
                                 .spec = rsim_analysis_metric_spec(run, 0),
                                 .query = run->m[0].query,
                                 .now = RSIM_SEC(20),
                                 .arena = &a};
    rsim_analysis_reply rep;
    memset(&rep, 0, sizeof rep);
    rsim_analysis_prometheus_reply(s, &req, NULL, 250, false, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_VALUE);
    assert_int_equal(rep.duration, 250);
    assert_int_equal(rsim_cond_value_len(rep.value), 1);
    /* beyond the lookback the vector is empty: a list of no floats */
    req.now = RSIM_MIN(10);
    rsim_analysis_prometheus_reply(s, &req, NULL, 250, false, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_VALUE);
    assert_int_equal(rsim_cond_value_len(rep.value), 0);
    /* timeout and outage */
    rsim_analysis_prometheus_reply(s, &req, NULL, RSIM_SEC(9), false, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_ERROR);
    assert_int_equal(rep.duration, RSIM_SEC(5));
    memset(&rep, 0, sizeof rep);
    rsim_analysis_prometheus_reply(s, &req, NULL, 100, true, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_ERROR);
    rsim_arena_fini(&a);
    rsim_analysis_run_free(run);
    rsim_metrics_store_free(s);
}

static void test_analysis_web_reply(void **state)
{
    (void)state;
    rsim_spec_web w;
    memset(&w, 0, sizeof w);
    w.url = "http://smoke/run";
    w.timeout = RSIM_SEC(10);
    w.json_path = "{$.data.ok}";
    rsim_spec_metric m = metric("m", 0, 0);
    m.provider = RSIM_SPEC_PROVIDER_WEB;
    m.prometheus = NULL;
    m.web = &w;
    rsim_arena a;
    rsim_arena_init(&a);
    rsim_cond_value *body = rsim_cond_map(&a);
    rsim_cond_value *data = rsim_cond_map(&a);
    rsim_cond_map_set(&a, data, "ok", rsim_cond_bool(&a, true));
    rsim_cond_map_set(&a, body, "data", data);
    rsim_analysis_request req = {.spec = &m, .now = 0, .arena = &a};
    rsim_analysis_reply rep;
    memset(&rep, 0, sizeof rep);
    rsim_analysis_web_reply(&req, body, 300, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_VALUE);
    assert_true(rsim_cond_value_bool(rep.value));
    w.json_path = "{$.data.missing}";
    rsim_analysis_web_reply(&req, body, 300, &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_ERROR);
    w.json_path = "{$}";
    rsim_analysis_web_reply(&req, body, RSIM_SEC(11), &rep);
    assert_int_equal(rep.kind, RSIM_ANALYSIS_REPLY_ERROR);
    assert_int_equal(rep.duration, RSIM_SEC(10));
    rsim_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analysis_16_2_provider_error_is_error),
        cmocka_unit_test(test_analysis_16_2_no_condition_is_successful),
        cmocka_unit_test(test_analysis_16_2_success_only),
        cmocka_unit_test(test_analysis_16_2_failure_only),
        cmocka_unit_test(test_analysis_16_2_both_failure_wins_else_inconclusive),
        cmocka_unit_test(test_analysis_16_2_empty_vector_is_error),
        cmocka_unit_test(test_analysis_16_3_counters),
        cmocka_unit_test(test_analysis_16_4_step1_completed_is_unchanged),
        cmocka_unit_test(test_analysis_16_4_step2_no_measurements),
        cmocka_unit_test(test_analysis_16_4_step3_latest_running),
        cmocka_unit_test(test_analysis_16_4_failure_limit_is_more_than),
        cmocka_unit_test(test_analysis_16_4_step4_later_limit_overrides),
        cmocka_unit_test(test_analysis_16_4_step5_consecutive_success_limit),
        cmocka_unit_test(test_analysis_16_4_step6_count_reached),
        cmocka_unit_test(test_analysis_16_4_step7_running_or_successful_when_terminating),
        cmocka_unit_test(test_analysis_16_5_worst_status_order),
        cmocka_unit_test(test_analysis_16_5_incomplete_metric_keeps_running),
        cmocka_unit_test(test_analysis_16_5_terminating_at_start_of_pass),
        cmocka_unit_test(test_analysis_16_5_terminated_before_measuring_is_successful),
        cmocka_unit_test(test_analysis_16_5_dry_run_never_decides),
        cmocka_unit_test(test_analysis_16_6_failed_at_t0_plus_f_intervals),
        cmocka_unit_test(test_analysis_16_6_successful_at_t0_plus_c_minus_1_intervals),
        cmocka_unit_test(test_analysis_16_6_error_at_first_error_plus_4_retries),
        cmocka_unit_test(test_analysis_16_1_error_retries_after_10s),
        cmocka_unit_test(test_analysis_16_1_initial_delay_and_count),
        cmocka_unit_test(test_analysis_i15_truncation_switch),
        cmocka_unit_test(test_analysis_16_1_job_resumes_then_completes),
        cmocka_unit_test(test_analysis_i13_terminated_job_is_inconclusive),
        cmocka_unit_test(test_analysis_i14_dry_run_metric_keeps_run_running),
        cmocka_unit_test(test_analysis_e5_dry_run_patterns),
        cmocka_unit_test(test_analysis_args_resolution),
        cmocka_unit_test(test_analysis_bad_condition_after_substitution),
        cmocka_unit_test(test_analysis_prometheus_reply),
        cmocka_unit_test(test_analysis_web_reply),
    };
    return cmocka_run_group_tests_name("analysis", tests, NULL, NULL);
}
