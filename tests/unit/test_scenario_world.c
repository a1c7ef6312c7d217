/* test_scenario_world.c - the Scenario document: schema, typed model, defaults, cross-field
 * rules, timeline order and references to the other documents.
 * Pinned: every section builds from YAML into the values and defaults docs/scenario-format.md
 * states; every rule between values rejects its failing case with its message; actions are
 * sorted by time and stable. Not pinned here: the exact diagnostic text with carets
 * (tests/errors/world-*.expected) and how later modules use the values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario_int.h"

typedef struct fx {
    rsim_arena arena;
    rsim_diag *diag;
    rsim_spec_world w;
} fx;

static void fx_init(fx *f)
{
    rsim_arena_init(&f->arena);
    f->diag = rsim_diag_new(0);
    memset(&f->w, 0, sizeof f->w);
}

static void fx_fini(fx *f)
{
    rsim_diag_free(f->diag);
    rsim_arena_fini(&f->arena);
}

/* Parses text, checks its first document against the Scenario schema and builds it. */
static bool build_text(fx *f, const char *text)
{
    rsim_yfile *yf = NULL;
    rsim_build_ctx ctx;

    fx_init(f);
    if (rsim_ynode_parse(&f->arena, "t.yaml", text, strlen(text), f->diag, &yf) != RSIM_OK) {
        return false;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.sc.diag = f->diag;
    ctx.sc.file = "t.yaml";
    ctx.arena = &f->arena;
    ctx.dir = ".";
    for (size_t i = 0; i < yf->n_docs; i++) {
        const rsim_ynode *doc = yf->docs[i].root;
        const rsim_ynode *kind = rsim_ynode_get(doc, "kind");
        if (kind == NULL || strcmp(kind->str, "Scenario") != 0) {
            continue;
        }
        if (!rsim_schema_check(&ctx.sc, doc, &rsim_schema_world, "")) {
            return false;
        }
        return rsim_scenario_build_world(&ctx, doc, &f->w);
    }
    return false;
}

#define HEAD "apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata:\n  name: t\nspec:\n"

static bool has_message(fx *f, const char *needle)
{
    for (size_t i = 0; i < rsim_diag_count(f->diag); i++) {
        if (strstr(rsim_diag_message_at(f->diag, i), needle) != NULL) {
            return true;
        }
    }
    return false;
}

static void dump(fx *f)
{
    rsim_diag_print(f->diag, stderr);
}

static void test_scenario_world_defaults(void **state)
{
    fx f;
    (void)state;
    assert_true(build_text(&f, HEAD "  description: d\n"));
    assert_string_equal(f.w.name, "t");
    assert_string_equal(f.w.description, "d");
    assert_int_equal(f.w.duration, RSIM_HOUR(1));
    assert_int_equal(f.w.seed, 1);
    assert_int_equal(f.w.tick, RSIM_SEC(1));
    assert_null(f.w.rollout);
    assert_int_equal(f.w.n_actions, 0);
    assert_int_equal(f.w.cluster.hop_delay, 100);
    assert_true(f.w.cluster.slow_start_batches);
    assert_int_equal(f.w.cluster.start_containers.kind, RSIM_DIST_LOGNORMAL);
    assert_int_equal(f.w.cluster.start_containers.median, 2000);
    assert_true(fabs(f.w.cluster.start_containers.sigma - log(2.5) / 2.3263478740408408) < 1e-9);
    assert_int_equal(f.w.cluster.image_pull.median, 15000);
    assert_int_equal(f.w.cluster.app_init.kind, RSIM_DIST_FIXED);
    assert_int_equal(f.w.cluster.app_init.value, 5000);
    assert_int_equal(f.w.cluster.readiness.period, 10000);
    assert_int_equal(f.w.cluster.readiness.failure_threshold, 3);
    assert_false(f.w.cluster.readiness.aligned);
    assert_int_equal(f.w.cluster.crash_backoff.initial, 10000);
    assert_int_equal(f.w.cluster.crash_backoff.max, 300000);
    assert_int_equal(f.w.cluster.endpoint_propagation, 1000);
    assert_int_equal(f.w.cluster.pod_slots, 0);
    assert_int_equal(f.w.traffic.load.kind, RSIM_LOAD_CONSTANT);
    assert_true(f.w.traffic.load.rps == 1000);
    assert_true(f.w.traffic.load.poisson);
    assert_int_equal(f.w.traffic.users, 10000);
    assert_int_equal(f.w.traffic.router.alb, 10000);
    assert_int_equal(f.w.traffic.router.istio, 1000);
    assert_true(f.w.version_defaults.error_ratio == 0.001);
    assert_true(fabs(f.w.version_defaults.capacity.capacity_rps - 200) < 1e-9);
    assert_int_equal(f.w.version_defaults.capacity.queue, 5);
    assert_int_equal(f.w.metrics.scrape_interval, 30000);
    assert_int_equal(f.w.metrics.evaluation_interval, 30000);
    assert_int_equal(f.w.metrics.prometheus_major, 3);
    assert_string_equal(f.w.metrics.series.requests, "http_requests_total");
    assert_string_equal(f.w.metrics.series.hash_label, "rollouts_pod_template_hash");
    assert_int_equal(f.w.metrics.series.n_buckets, 11);
    assert_int_equal(f.w.metrics.group_interval, RSIM_MIN(5));
    assert_int_equal(f.w.analysis.job_run_time.value, 30000);
    assert_int_equal(f.w.controller.resync_period, RSIM_MIN(15));
    assert_false(f.w.on_call.enabled);
    assert_int_equal(f.w.on_call.reaction_time, RSIM_MIN(5));
    assert_true(f.w.slo.objective == 0.999);
    assert_false(f.w.flags.poll);
    assert_int_equal(f.w.flags.delay, 200);
    fx_fini(&f);
}

static void test_scenario_world_cluster_and_distributions(void **state)
{
    fx f;
    (void)state;
    assert_true(build_text(
        &f, HEAD "  run: {duration: 30m, seed: 42, tick: 500ms}\n"
                 "  cluster:\n"
                 "    controlPlane: {hopDelay: 0s, replicaSetSlowStart: false}\n"
                 "    podStartup:\n"
                 "      startContainers: {distribution: uniform, min: 1s, max: 3s}\n"
                 "      imagePull: {distribution: lognormal, median: 10s, p95: 20s}\n"
                 "      appInit: {distribution: empirical, samples: [3s, 1s, 2s]}\n"
                 "    readinessProbe: {periodSeconds: 5, failureThreshold: 1, phase: aligned}\n"
                 "    crashLoopBackOff: {initial: 1s, factor: 1.5, max: 1m}\n"
                 "    endpointPropagation: 2s\n"
                 "    podSlots: 12\n"));
    assert_int_equal(f.w.duration, RSIM_MIN(30));
    assert_int_equal(f.w.seed, 42);
    assert_int_equal(f.w.tick, 500);
    assert_int_equal(f.w.cluster.hop_delay, 0);
    assert_false(f.w.cluster.slow_start_batches);
    assert_int_equal(f.w.cluster.start_containers.kind, RSIM_DIST_UNIFORM);
    assert_int_equal(f.w.cluster.start_containers.min, 1000);
    assert_int_equal(f.w.cluster.start_containers.max, 3000);
    assert_true(fabs(f.w.cluster.image_pull.sigma - log(2.0) / 1.6448536269514722) < 1e-9);
    assert_int_equal(f.w.cluster.app_init.kind, RSIM_DIST_EMPIRICAL);
    assert_int_equal(f.w.cluster.app_init.n_samples, 3);
    assert_int_equal(f.w.cluster.app_init.samples[0], 1000);
    assert_int_equal(f.w.cluster.app_init.samples[2], 3000);
    assert_int_equal(f.w.cluster.app_init.loc.line, 12);
    assert_int_equal(f.w.cluster.readiness.period, 5000);
    assert_int_equal(f.w.cluster.readiness.timeout, 1000); /* default kept */
    assert_int_equal(f.w.cluster.readiness.failure_threshold, 1);
    assert_true(f.w.cluster.readiness.aligned);
    assert_true(f.w.cluster.crash_backoff.factor == 1.5);
    assert_int_equal(f.w.cluster.crash_backoff.reset_after, RSIM_MIN(10));
    assert_int_equal(f.w.cluster.endpoint_propagation, 2000);
    assert_int_equal(f.w.cluster.pod_slots, 12);
    /* the versions inherit the cluster's appInit */
    assert_int_equal(f.w.version_defaults.app_init.kind, RSIM_DIST_EMPIRICAL);
    fx_fini(&f);
}

static void test_scenario_world_traffic(void **state)
{
    fx f;
    (void)state;
    assert_true(build_text(
        &f, HEAD "  traffic:\n"
                 "    load:\n"
                 "      steps: [{at: 0s, rps: 10}, {at: 5m, rps: 20.5}]\n"
                 "      arrivals: uniform\n"
                 "    users:\n"
                 "      population: 500\n"
                 "      cohorts:\n"
                 "        - {name: beta, share: 0.25, header: {name: X-Beta, value: 'on'}}\n"
                 "        - {name: staff, share: 0.75, cookie: {name: staff, value: '1'}}\n"
                 "    router:\n"
                 "      propagationDelay: {istio: 3s, gatewayAPI: 250ms}\n"
                 "      albVerifyRetry: 5s\n"));
    assert_int_equal(f.w.traffic.load.kind, RSIM_LOAD_STEPS);
    assert_false(f.w.traffic.load.poisson);
    assert_int_equal(f.w.traffic.load.n_points, 2);
    assert_int_equal(f.w.traffic.load.points[1].at, RSIM_MIN(5));
    assert_true(f.w.traffic.load.points[1].rps == 20.5);
    assert_int_equal(f.w.traffic.users, 500);
    assert_int_equal(f.w.traffic.n_cohorts, 2);
    assert_string_equal(f.w.traffic.cohorts[0].header_name, "X-Beta");
    assert_string_equal(f.w.traffic.cohorts[0].header_value, "on");
    assert_null(f.w.traffic.cohorts[0].cookie_name);
    assert_string_equal(f.w.traffic.cohorts[1].cookie_name, "staff");
    assert_int_equal(f.w.traffic.router.istio, 3000);
    assert_int_equal(f.w.traffic.router.gateway_api, 250);
    assert_int_equal(f.w.traffic.router.nginx, 1000);
    assert_int_equal(f.w.traffic.router.alb_verify_retry, 5000);
    fx_fini(&f);

    assert_true(build_text(&f,
                           HEAD "  traffic:\n    load:\n"
                                "      diurnal: {meanRps: 300, amplitude: 0.2, peakAt: 14h}\n"));
    assert_int_equal(f.w.traffic.load.kind, RSIM_LOAD_DIURNAL);
    assert_true(f.w.traffic.load.rps == 300);
    assert_true(f.w.traffic.load.amplitude == 0.2);
    assert_int_equal(f.w.traffic.load.period, RSIM_HOUR(24));
    assert_int_equal(f.w.traffic.load.peak_at, RSIM_HOUR(14));
    fx_fini(&f);

    assert_true(build_text(
        &f, HEAD "  traffic:\n    load:\n"
                 "      spikes: {baseRps: 100, spikes: [{at: 10m, duration: 1m, factor: 3}]}\n"));
    assert_int_equal(f.w.traffic.load.kind, RSIM_LOAD_SPIKES);
    assert_true(f.w.traffic.load.rps == 100);
    assert_int_equal(f.w.traffic.load.points[0].duration, RSIM_MIN(1));
    assert_true(f.w.traffic.load.points[0].factor == 3);
    fx_fini(&f);

    assert_true(build_text(&f, HEAD "  traffic:\n    load:\n      table:\n"
                                    "        interpolation: step\n"
                                    "        points: [{at: 0s, rps: 1}, {at: 1h, rps: 2}]\n"));
    assert_int_equal(f.w.traffic.load.kind, RSIM_LOAD_TABLE);
    assert_false(f.w.traffic.load.interpolate);
    assert_int_equal(f.w.traffic.load.n_points, 2);
    fx_fini(&f);
}

static void test_scenario_world_versions_and_faults(void **state)
{
    fx f;
    const rsim_spec_version *v;
    (void)state;
    assert_true(build_text(&f, HEAD
                           "  traffic:\n    users:\n      cohorts: [{name: beta, share: 0.1}]\n"
                           "  versionDefaults:\n"
                           "    errorRatio: 0.002\n"
                           "    capacity: {workers: 4, serviceTime: 20ms}\n"
                           "  versions:\n"
                           "    - image: app:v1\n"
                           "      cached: true\n"
                           "    - image: app:v2\n"
                           "      errorRatio: 0.01\n"
                           "      latency: {distribution: fixed, value: 80ms}\n"
                           "      faults:\n"
                           "        - errorStep: {errorRatio: 0.05}\n"
                           "        - {name: ramp, onset: {at: 10m}, duration: 5m,\n"
                           "           errorRamp: {errorRatio: 0.2, over: 2m}}\n"
                           "        - errorBursts: {errorRatio: 0.5, every: 1m, burst: 10s}\n"
                           "        - latency: {add: 30ms}\n"
                           "        - crashLoop: {after: 20s}\n"
                           "        - noTraffic: {}\n"
                           "        - cohortErrors: {cohort: beta, errorRatio: 1}\n"
                           "        - slowStart: {warmup: 2m}\n"));
    assert_int_equal(f.w.n_versions, 2);
    v = rsim_spec_world_find_version(&f.w, "app:v1");
    assert_non_null(v);
    assert_true(v->cached);
    assert_true(v->error_ratio == 0.002);
    assert_int_equal(v->capacity.workers, 4);
    assert_int_equal(v->capacity.queue, 5);
    assert_true(fabs(v->capacity.capacity_rps - 200) < 1e-9);
    assert_int_equal(v->latency.kind, RSIM_DIST_LOGNORMAL);
    v = rsim_spec_world_find_version(&f.w, "app:v2");
    assert_non_null(v);
    assert_false(v->cached);
    assert_true(v->error_ratio == 0.01);
    assert_int_equal(v->latency.value, 80);
    assert_null(rsim_spec_world_find_version(&f.w, "app:v3"));
    assert_int_equal(v->n_faults, 8);
    assert_string_equal(v->faults[0].name, "app:v2#0");
    assert_int_equal(v->faults[0].kind, RSIM_FAULT_ERROR_STEP);
    assert_int_equal(v->faults[0].onset_kind, RSIM_ONSET_AFTER_FIRST_TRAFFIC);
    assert_int_equal(v->faults[0].onset, 0);
    assert_int_equal(v->faults[0].duration, RSIM_TIME_MAX);
    assert_true(v->faults[0].error_ratio == 0.05);
    assert_string_equal(v->faults[1].name, "ramp");
    assert_int_equal(v->faults[1].onset_kind, RSIM_ONSET_AT);
    assert_int_equal(v->faults[1].onset, RSIM_MIN(10));
    assert_int_equal(v->faults[1].duration, RSIM_MIN(5));
    assert_int_equal(v->faults[1].over, RSIM_MIN(2));
    assert_int_equal(v->faults[2].every, RSIM_MIN(1));
    assert_int_equal(v->faults[2].burst, RSIM_SEC(10));
    assert_int_equal(v->faults[3].kind, RSIM_FAULT_LATENCY);
    assert_true(v->faults[3].latency_factor == 1);
    assert_int_equal(v->faults[3].latency_add, 30);
    assert_int_equal(v->faults[4].crash_after, RSIM_SEC(20));
    assert_int_equal(v->faults[5].kind, RSIM_FAULT_NO_TRAFFIC);
    assert_int_equal(v->faults[6].cohort_index, 0);
    assert_int_equal(v->faults[7].warmup, RSIM_MIN(2));
    assert_true(v->faults[7].start_capacity == 0.1);
    fx_fini(&f);
}

static void test_scenario_world_metrics(void **state)
{
    fx f;
    const rsim_spec_metrics *m;
    (void)state;
    assert_true(build_text(&f,
                           HEAD "  metrics:\n"
                                "    scrapeInterval: 15s\n"
                                "    scrapeTimeout: 5s\n"
                                "    evaluationInterval: 1m\n"
                                "    scrapeOffset: aligned\n"
                                "    prometheusVersion: 2\n"
                                "    series:\n"
                                "      preset: istio\n"
                                "      labels: {pod: ''}\n"
                                "      constantLabels: {job: demo}\n"
                                "    recordingRules:\n"
                                "      - {record: 'job:errors:rate5m', expr: 'sum(rate(x[5m]))'}\n"
                                "    alertRules:\n"
                                "      - {alert: Burn, expr: 'x > 1', for: 2m}\n"
                                "    alertmanager: {groupWait: 10s}\n"
                                "    outages: [{at: 5m, duration: 1m}, {at: 6m, duration: 1m}]\n"));
    m = &f.w.metrics;
    assert_int_equal(m->scrape_interval, 15000);
    assert_int_equal(m->scrape_timeout, 5000);
    assert_int_equal(m->evaluation_interval, 60000);
    assert_true(m->scrape_aligned);
    assert_int_equal(m->prometheus_major, 2);
    assert_int_equal(m->series.preset, RSIM_SERIES_ISTIO);
    assert_string_equal(m->series.requests, "istio_requests_total");
    assert_true(m->series.latency_ms);
    assert_string_equal(m->series.status_label, "response_code");
    assert_null(m->series.hash_label);
    assert_null(m->series.pod_label);
    /* The scenario's constant labels, then the preset's (the sidecars' reporter). */
    assert_int_equal(m->series.n_labels, 2);
    assert_string_equal(m->series.labels[0].name, "job");
    assert_string_equal(m->series.labels[1].name, "reporter");
    assert_string_equal(m->series.labels[1].value, "destination");
    assert_true(m->series.labels[1].preset);
    assert_string_equal(m->series.workload_label, "destination_workload");
    assert_string_equal(m->series.workload_namespace_label, "destination_workload_namespace");
    assert_int_equal(m->n_recording_rules, 1);
    assert_string_equal(m->recording_rules[0].name, "job:errors:rate5m");
    assert_int_equal(m->n_alert_rules, 1);
    assert_int_equal(m->alert_rules[0].for_, RSIM_MIN(2));
    assert_int_equal(m->group_wait, 10000);
    assert_int_equal(m->group_interval, RSIM_MIN(5));
    assert_int_equal(m->n_outages, 2); /* back to back is allowed */
    fx_fini(&f);
}

static void test_scenario_world_other_sections(void **state)
{
    fx f;
    (void)state;
    assert_true(build_text(&f, HEAD
                           "  metrics:\n    alertRules: [{alert: Burn, expr: 'x > 1'}]\n"
                           "  analysis:\n"
                           "    web: [{url: 'http://smoke/', target: stable}]\n"
                           "    job: {runTime: {distribution: fixed, value: 1m}, requests: 3}\n"
                           "  controller: {processingDelay: 250ms}\n"
                           "  onCall: {reactionTime: 10m, alerts: [Burn]}\n"
                           "  slo: {objective: 0.99, window: 168h, latencyThreshold: 500ms}\n"
                           "  featureFlags: {sdk: unleash}\n"
                           "  manifests: [a.yaml, dir/b.yaml]\n"
                           "  rollout: demo\n") ||
                (dump(&f), false));
    assert_int_equal(f.w.analysis.n_web, 1);
    assert_int_equal(f.w.analysis.web[0].target, RSIM_WEB_TARGET_STABLE);
    assert_int_equal(f.w.analysis.web[0].latency.value, 50);
    assert_int_equal(f.w.analysis.job_run_time.value, 60000);
    assert_int_equal(f.w.analysis.job_requests, 3);
    assert_int_equal(f.w.controller.processing_delay, 250);
    assert_true(f.w.on_call.enabled);
    assert_int_equal(f.w.on_call.reaction_time, RSIM_MIN(10));
    assert_int_equal(f.w.on_call.n_alerts, 1);
    assert_true(f.w.slo.objective == 0.99);
    assert_int_equal(f.w.slo.latency_threshold, 500);
    assert_true(f.w.flags.poll);
    assert_int_equal(f.w.flags.interval, RSIM_SEC(15));
    assert_int_equal(f.w.n_manifests, 2);
    assert_string_equal(f.w.manifests[1], "dir/b.yaml");
    assert_string_equal(f.w.rollout, "demo");
    fx_fini(&f);
}

static void test_scenario_world_operator_sorted_stable(void **state)
{
    fx f;
    const rsim_spec_action *a;
    (void)state;
    assert_true(build_text(
        &f, HEAD "  operator:\n"
                 "    - {at: 9m, abort: {}}\n"
                 "    - {at: 2m, name: release, setImage: {image: 'app:v2', container: app}}\n"
                 "    - {at: 6m, promote: {skipCurrentStep: true}}\n"
                 "    - {at: 6m, promote: {skipAllSteps: true}}\n"
                 "    - {at: 6m, promoteFull: {}}\n"
                 "    - {at: 10m, retry: {}}\n"
                 "    - {at: 11m, pause: {}}\n"
                 "    - {at: 12m, resume: {}}\n"
                 "    - {at: 13m, restart: {}}\n"
                 "    - {at: 14m, undo: {toRevision: 1}}\n"));
    assert_int_equal(f.w.n_actions, 10);
    a = f.w.actions;
    for (size_t i = 1; i < f.w.n_actions; i++) {
        assert_true(a[i - 1].at <= a[i].at);
    }
    assert_int_equal(a[0].kind, RSIM_OP_SET_IMAGE);
    assert_int_equal(a[0].at, RSIM_MIN(2));
    assert_string_equal(a[0].image, "app:v2");
    assert_string_equal(a[0].container, "app");
    assert_string_equal(a[0].name, "release");
    assert_int_equal(a[0].index, 1);
    assert_int_equal(a[0].loc.line, 8);
    /* the three actions at 6m keep their file order */
    assert_int_equal(a[1].kind, RSIM_OP_PROMOTE);
    assert_true(a[1].skip_current_step);
    assert_false(a[1].skip_all_steps);
    assert_int_equal(a[2].kind, RSIM_OP_PROMOTE);
    assert_true(a[2].skip_all_steps);
    assert_int_equal(a[3].kind, RSIM_OP_PROMOTE_FULL);
    assert_int_equal(a[4].kind, RSIM_OP_ABORT);
    assert_int_equal(a[4].index, 0);
    assert_int_equal(a[5].kind, RSIM_OP_RETRY);
    assert_int_equal(a[6].kind, RSIM_OP_PAUSE);
    assert_int_equal(a[7].kind, RSIM_OP_RESUME);
    assert_int_equal(a[8].kind, RSIM_OP_RESTART);
    assert_int_equal(a[9].kind, RSIM_OP_UNDO);
    assert_int_equal(a[9].to_revision, 1);
    assert_null(a[9].image);
    for (int k = 0; k < RSIM_OP_COUNT; k++) {
        assert_string_not_equal(rsim_spec_op_name((rsim_op_kind)k), "?");
    }
    assert_string_equal(rsim_spec_op_name(RSIM_OP_PROMOTE_FULL), "promoteFull");
    fx_fini(&f);
}

static void test_scenario_world_operator_bounds(void **state)
{
    fx f;
    (void)state;
    assert_false(
        build_text(&f, HEAD "  run: {duration: 1h}\n  operator: [{at: 70m, abort: {}}]\n"));
    assert_true(has_message(&f, "spec.operator[0].at: 1h10m is after the end of the run (1h)"));
    fx_fini(&f);
    assert_false(build_text(&f, HEAD "  run: {duration: 1h}\n  operator: [{at: 1h, abort: {}}]\n"));
    assert_true(has_message(&f, "is the end of the run"));
    fx_fini(&f);
    assert_true(
        build_text(&f, HEAD "  run: {duration: 1h}\n  operator: [{at: 59m59s, abort: {}}]\n"));
    fx_fini(&f);
    assert_false(build_text(&f, HEAD "  operator: [{abort: {}}]\n"));
    assert_true(has_message(&f, "missing required field 'at'"));
    fx_fini(&f);
}

static void test_scenario_world_expectations(void **state)
{
    fx f;
    const rsim_spec_expectation *e;
    (void)state;
    assert_true(build_text(&f, HEAD
                           "  versions:\n"
                           "    - {image: a}\n"
                           "    - {image: b, faults: [{name: boom, errorStep: {errorRatio: 1}}]}\n"
                           "  operator:\n"
                           "    - {at: 5m, name: second, setImage: {image: a}}\n"
                           "    - {at: 1m, setImage: {image: b}}\n"
                           "  expectations:\n"
                           "    - phase: Degraded\n"
                           "    - abortedWithin: 3m\n"
                           "    - {promotedWithin: 20m, after: second, name: fast}\n"
                           "    - {detectedWithin: 1m, fault: boom}\n"
                           "    - faultFailuresBelow: 500\n"));
    e = f.w.expectations;
    assert_int_equal(f.w.n_expectations, 5);
    assert_int_equal(e[0].kind, RSIM_EXPECT_PHASE);
    assert_int_equal(e[0].phase, RSIM_PHASE_NAME_DEGRADED);
    assert_string_equal(e[0].name, "phase Degraded");
    assert_int_equal(e[1].kind, RSIM_EXPECT_ABORTED_WITHIN);
    assert_int_equal(e[1].within, RSIM_MIN(3));
    assert_int_equal(e[1].after_action, 0); /* the first setImage in time: at 1m */
    assert_int_equal(f.w.actions[0].at, RSIM_MIN(1));
    assert_string_equal(e[2].name, "fast");
    assert_int_equal(e[2].after_action, 1);
    assert_int_equal(e[3].fault_version, 1);
    assert_int_equal(e[3].fault_index, 0);
    assert_int_equal(e[4].below, 500);
    assert_null(e[4].fault);
    assert_int_equal(e[4].fault_version, RSIM_SPEC_NONE);
    assert_string_equal(rsim_spec_phase_name(e[0].phase), "Degraded");
    fx_fini(&f);
}

/* Each rule between values, with a case that breaks it. */
static const struct rule_case {
    const char *yaml;
    const char *message;
} cases[] = {
    {"  run: {duration: 1h, tick: 2h}\n", "spec.run.tick: must not be longer than the run"},
    {"  run: {duration: 0s}\n", "spec.run.duration: must be greater than 0s"},
    {"  cluster: {podStartup: {appInit: {distribution: uniform, min: 2s, max: 1s}}}\n",
     "uniform needs min <= max, got min 2s and max 1s"},
    {"  cluster: {podStartup: {appInit: {distribution: lognormal, median: 2s, p90: 1s}}}\n",
     "p90 (1s) must be greater than the median (2s)"},
    {"  cluster: {podStartup: {appInit: {distribution: lognormal, median: 2s}}}\n",
     "expected one quantile"},
    {"  cluster: {podStartup: {appInit: {distribution: lognormal, median: 2s, p90: 3s, "
     "p99: 4s}}}\n",
     "'p90' and 'p99' exclude each other"},
    {"  cluster: {podStartup: {appInit: {distribution: fixed, value: 1s, median: 1s}}}\n",
     "'median' does not apply to a fixed distribution"},
    {"  cluster: {crashLoopBackOff: {initial: 1m, max: 10s}}\n",
     "max (10s) must not be shorter than initial (1m)"},
    {"  traffic: {load: {steps: [{at: 5m, rps: 1}, {at: 5m, rps: 2}]}}\n",
     "must be in time order: 5m is not after 5m"},
    {"  traffic: {load: {table: {points: [{at: 5m, rps: 1}, {at: 1m, rps: 2}]}}}\n",
     "spec.traffic.load.table.points[1].at: must be in time order"},
    {"  traffic: {load: {constant: {rps: 1}, steps: [{at: 0s, rps: 1}]}}\n",
     "'constant' and 'steps' exclude each other"},
    {"  traffic: {users: {cohorts: [{name: a, share: 0.6}, {name: b, share: 0.6}]}}\n",
     "shares add up to 1.2"},
    {"  traffic: {users: {cohorts: [{name: a, share: 0.1}, {name: a, share: 0.1}]}}\n",
     "duplicate cohort 'a'"},
    {"  versions: [{image: a}, {image: a}]\n", "duplicate image 'a'"},
    {"  versions: [{image: a, faults: [{errorBursts: {errorRatio: 1, every: 1m, burst: "
     "1m}}]}]\n",
     "burst (1m) must be shorter than every (1m)"},
    {"  versions: [{image: a, faults: [{cohortErrors: {cohort: x, errorRatio: 1}}]}]\n",
     "no cohort named 'x'"},
    {"  versions: [{image: a, faults: [{onset: {at: 1m}}]}]\n", "expected one fault shape"},
    {"  versions: [{image: a, faults: [{latency: {}}]}]\n", "expected 'factor', 'add' or both"},
    {"  run: {duration: 10m}\n  versions: [{image: a, faults: [{onset: {afterFirstTraffic: "
     "10m}, noTraffic: {}}]}]\n",
     "onset.afterFirstTraffic: 10m is the end of the run"},
    {"  versions: [{image: a, faults: [{name: x, noTraffic: {}}]}, {image: b, faults: "
     "[{name: x, noTraffic: {}}]}]\n",
     "duplicate fault name 'x'"},
    {"  metrics: {scrapeInterval: 10s, scrapeTimeout: 11s}\n",
     "scrapeTimeout (11s) must not be longer than scrapeInterval (10s)"},
    {"  metrics: {series: {buckets: [1, 1]}}\n", "buckets must be in increasing order"},
    {"  metrics: {outages: [{at: 1m, duration: 2m}, {at: 2m, duration: 1m}]}\n",
     "must not overlap"},
    {"  run: {duration: 10m}\n  metrics: {outages: [{at: 11m, duration: 1m}]}\n",
     "11m is after the end of the run (10m)"},
    {"  onCall: {}\n", "an on-call human needs an alert"},
    {"  metrics: {alertRules: [{alert: A, expr: x}]}\n  onCall: {alerts: [B]}\n",
     "no alert named 'B'"},
    {"  slo: {objective: 0}\n", "must be above 0 and below 1"},
    {"  featureFlags: {delivery: poll}\n", "poll delivery needs an interval"},
    {"  analysis: {web: [{url: u}, {url: u}]}\n", "duplicate url 'u'"},
    {"  operator: [{at: 1m, promote: {skipCurrentStep: true, skipAllSteps: true}}]\n",
     "skipCurrentStep and skipAllSteps exclude each other"},
    {"  operator: [{at: 1m, abort: {}, retry: {}}]\n", "'abort' and 'retry' exclude each other"},
    {"  operator: [{at: 1m}]\n", "expected one action"},
    {"  operator: [{at: 1m, name: nm, abort: {}}, {at: 2m, name: nm, retry: {}}]\n",
     "duplicate action name 'nm'"},
    {"  expectations: [{abortedWithin: 1m}]\n", "counts from the first setImage action"},
    {"  operator: [{at: 1m, name: go, setImage: {image: a}}]\n  expectations: "
     "[{abortedWithin: 1m, after: og}]\n",
     "no operator action named 'og'"},
    {"  expectations: [{detectedWithin: 1m, fault: f}]\n", "no fault named 'f'"},
    {"  expectations: [{phase: Healthy, after: x}]\n", "'after' applies only to"},
    {"  expectations: [{phase: Healthy, fault: x}]\n", "'fault' applies only to"},
    {"  expectations: [{name: nothing}]\n", "expected one expectation"},
    {"  manifests: ['']\n", "spec.manifests[0]: must not be empty"},
    {"  cluster: {nodes: 3}\n", "not supported yet"},
};

static void test_scenario_world_rules_reject(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        fx f;
        snprintf(text, sizeof text, HEAD "%s", cases[i].yaml);
        if (build_text(&f, text) || !has_message(&f, cases[i].message)) {
            dump(&f);
            fail_msg("case %zu: expected '%s'", i, cases[i].message);
        }
        fx_fini(&f);
    }
}

/* Runs the reference checks of a built world against hand-made Rollouts. */
static size_t refs_errors(fx *f, const rsim_spec_rollout *rollouts, size_t n, rsim_scenario_mode m)
{
    rsim_spec spec;
    rsim_build_ctx ctx;

    memset(&spec, 0, sizeof spec);
    spec.world = &f->w;
    spec.rollouts = rollouts;
    spec.n_rollouts = n;
    memset(&ctx, 0, sizeof ctx);
    ctx.sc.diag = f->diag;
    ctx.sc.file = "t.yaml";
    ctx.arena = &f->arena;
    ctx.dir = ".";
    if (rsim_scenario_check_world_refs(&ctx, &spec, m)) {
        assert_int_equal(ctx.sc.n_errors, 0);
    }
    return ctx.sc.n_errors;
}

/* targets and scrapeServices, and the service label of each preset ("" leaves it out). */
static void test_scenario_world_metrics_service_targets(void **state)
{
    fx f;
    const rsim_spec_metrics *m;
    (void)state;
    assert_true(build_text(&f, HEAD "  metrics: {}\n"));
    m = &f.w.metrics;
    assert_int_equal(m->targets, RSIM_SCRAPE_TARGETS_PODS);
    assert_false(m->scrape_services_set);
    assert_string_equal(m->series.service_label, "service");
    fx_fini(&f);

    assert_true(build_text(&f, HEAD "  metrics:\n"
                                    "    targets: services\n"
                                    "    scrapeServices: [app-canary, app-stable]\n"
                                    "    series: {preset: istio}\n"));
    m = &f.w.metrics;
    assert_int_equal(m->targets, RSIM_SCRAPE_TARGETS_SERVICES);
    assert_true(m->scrape_services_set);
    assert_int_equal(m->n_scrape_services, 2);
    assert_string_equal(m->scrape_services[1].name, "app-stable");
    assert_int_equal(m->scrape_services[1].loc.line, 8);
    assert_string_equal(m->series.service_label, "destination_service_name");
    fx_fini(&f);

    assert_true(build_text(&f, HEAD "  metrics:\n"
                                    "    targets: services\n"
                                    "    scrapeServices: [app-canary]\n"
                                    "    series: {preset: nginx, labels: {service: ''}}\n"));
    assert_null(f.w.metrics.series.service_label);
    fx_fini(&f);

    assert_true(build_text(&f, HEAD "  metrics:\n"
                                    "    series: {labels: {service: svc}}\n"));
    assert_string_equal(f.w.metrics.series.service_label, "svc");
    fx_fini(&f);

    /* Two Services and no label to tell their targets apart; a list without services. */
    assert_false(build_text(&f, HEAD "  metrics:\n"
                                     "    targets: services\n"
                                     "    series: {labels: {service: ''}}\n"));
    assert_true(has_message(&f, "targets: services needs a service label"));
    fx_fini(&f);
    assert_false(build_text(&f, HEAD "  metrics:\n"
                                     "    scrapeServices: [app]\n"));
    assert_true(has_message(&f, "scrapeServices needs targets: services"));
    fx_fini(&f);
}

static void test_scenario_world_refs(void **state)
{
    static const rsim_spec_container app = {.name = "app", .image = "app:v1"};
    rsim_spec_rollout rs[2];
    fx f;
    (void)state;

    memset(rs, 0, sizeof rs);
    rs[0].name = "demo";
    rs[0].template.n_containers = 1;
    rs[0].template.containers = &app;
    rs[1] = rs[0];
    rs[1].name = "other";

    assert_true(build_text(&f, HEAD "  versions: [{image: 'app:v1'}, {image: 'app:v2'}]\n"
                                    "  operator: [{at: 1m, setImage: {image: 'app:v2'}}]\n"));
    assert_int_equal(refs_errors(&f, rs, 1, RSIM_SCENARIO_RUN), 0);
    assert_int_equal(refs_errors(&f, rs, 0, RSIM_SCENARIO_LINT), 0);
    assert_int_equal(refs_errors(&f, rs, 0, RSIM_SCENARIO_RUN), 1);
    assert_true(has_message(&f, "no Rollout to simulate"));
    assert_int_equal(refs_errors(&f, rs, 2, RSIM_SCENARIO_RUN), 1);
    assert_true(has_message(&f, "2 Rollouts are loaded; name the one to simulate in spec.rollout"));
    fx_fini(&f);

    assert_true(build_text(&f, HEAD "  rollout: other\n  versions: [{image: 'app:v1'}]\n"));
    assert_int_equal(refs_errors(&f, rs, 2, RSIM_SCENARIO_RUN), 0);
    fx_fini(&f);
    assert_true(build_text(&f, HEAD "  rollout: dmeo\n  versions: [{image: 'app:v1'}]\n"));
    assert_int_equal(refs_errors(&f, rs, 2, RSIM_SCENARIO_RUN), 1);
    assert_true(has_message(&f, "no Rollout named 'dmeo' among the loaded documents; did you mean "
                                "'demo'?"));
    fx_fini(&f);

    /* images without a versions entry: the template's and a setImage's; a missing container */
    assert_true(build_text(&f, HEAD "  versions: [{image: 'app:v2'}]\n"
                                    "  operator: [{at: 1m, setImage: {image: 'zzz:9', container: "
                                    "side}}]\n"));
    assert_int_equal(refs_errors(&f, rs, 1, RSIM_SCENARIO_RUN), 3);
    assert_true(has_message(&f, "image 'app:v1' has no entry in spec.versions; did you mean "
                                "'app:v2'?"));
    assert_true(has_message(&f, "spec.operator[0].setImage.image: image 'zzz:9' has no entry in "
                                "spec.versions describing its behaviour"));
    assert_true(has_message(&f, "the Rollout 'demo' has no container named 'side'"));
    fx_fini(&f);
}

static void check_example_world(const rsim_spec_world *w)
{
    assert_int_equal(w->duration, RSIM_HOUR(1));
    assert_true(w->traffic.load.kind == RSIM_LOAD_CONSTANT && w->traffic.load.rps == 1000);
    assert_int_equal(w->metrics.scrape_interval, RSIM_SEC(15));
    assert_int_equal(w->metrics.evaluation_interval, RSIM_SEC(30));
    assert_int_equal(w->n_actions, 1);
    assert_int_equal(w->actions[0].kind, RSIM_OP_SET_IMAGE);
    assert_int_equal(w->actions[0].at, RSIM_MIN(2));
    assert_int_equal(w->n_versions, 2);
    assert_true(w->versions[0].cached);
    assert_int_equal(w->versions[1].n_faults, 1);
}

static void test_scenario_world_default_scenario(void **state)
{
    fx f;
    (void)state;
    assert_true(build_text(&f, rsim_scenario_default_text) || (dump(&f), false));
    check_example_world(&f.w);
    assert_string_equal(f.w.name, "default");
    assert_int_equal(f.w.versions[1].faults[0].kind, RSIM_FAULT_ERROR_STEP);
    assert_true(f.w.versions[1].faults[0].error_ratio == 0.05);
    fx_fini(&f);
}

static void test_scenario_world_bad_release_example(void **state)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_buf b;
    fx f;
    (void)state;
    rsim_buf_init(&b, 1u << 20);
    assert_int_equal(
        rsim_buf_read_file(&b, RSIM_SOURCE_DIR "/scenarios/canary-bad-release.yaml", d), RSIM_OK);
    assert_true(build_text(&f, b.data) || (dump(&f), false));
    check_example_world(&f.w);
    assert_int_equal(f.w.versions[1].faults[0].kind, RSIM_FAULT_ERROR_RAMP);
    assert_int_equal(f.w.n_expectations, 4);
    assert_int_equal(f.w.expectations[1].after_action, 0);
    assert_int_equal(f.w.expectations[2].fault_version, 1);
    fx_fini(&f);
    rsim_buf_fini(&b);
    rsim_diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_world_defaults),
        cmocka_unit_test(test_scenario_world_cluster_and_distributions),
        cmocka_unit_test(test_scenario_world_traffic),
        cmocka_unit_test(test_scenario_world_versions_and_faults),
        cmocka_unit_test(test_scenario_world_metrics),
        cmocka_unit_test(test_scenario_world_other_sections),
        cmocka_unit_test(test_scenario_world_operator_sorted_stable),
        cmocka_unit_test(test_scenario_world_operator_bounds),
        cmocka_unit_test(test_scenario_world_expectations),
        cmocka_unit_test(test_scenario_world_rules_reject),
        cmocka_unit_test(test_scenario_world_metrics_service_targets),
        cmocka_unit_test(test_scenario_world_refs),
        cmocka_unit_test(test_scenario_world_default_scenario),
        cmocka_unit_test(test_scenario_world_bad_release_example),
    };
    return cmocka_run_group_tests_name("scenario_world", tests, NULL, NULL);
}
