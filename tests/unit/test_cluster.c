/* test_cluster.c - pods' lifecycle against hand-computed timelines.
 * Pinned: exact transition times with fixed distributions (hop, pull, start, init, probe tick,
 * successThreshold, initialDelay, minReadySeconds, endpoint propagation); slow-start batches and
 * their cancellation; slots (Pending until one frees, first come first served); Kubernetes'
 * deletion order; termination (idle after propagation, or killed at the end of the grace
 * period); the crash-loop back-off 0, 10, 20, 40, ... 300 s, its reset, the end of a crash
 * fault and an onset after first traffic; start-up draws against their distributions
 * (Kolmogorov-Smirnov at the 1% level, chi-square for empirical); watcher before/after pairing;
 * determinism and per-pod stream independence; the event count of a quiet hour.
 * Not pinned: pod-name suffixes (only their form and stability), which uniformly random probe
 * phase a given pod draws, the order of pods whose deletion rank ties (Kubernetes breaks those
 * ties by UID). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "cluster.h"

/* ---- fixture: a world with fixed distributions, one Rollout, an event queue ---- */

typedef struct call {
    uint32_t id;
    bool after;
    rsim_pod_state state;
    bool serving;
    rsim_time t;
} call;

typedef struct fixture {
    rsim_spec_world w;
    rsim_spec_rollout ro;
    rsim_spec_container ctr;
    rsim_spec_version versions[3]; /* web:1 (cached), web:2 (pulled), web:bad (crash loop) */
    rsim_spec_fault crash;
    rsim_evq *q;
    rsim_cluster *c;
    call calls[4096];
    size_t n_calls;
} fixture;

static rsim_spec_dist fixed(rsim_time v)
{
    rsim_spec_dist d = {.kind = RSIM_DIST_FIXED, .value = v};
    return d;
}

static void record(void *arg, const rsim_pod *pod, bool after, rsim_time now)
{
    fixture *f = arg;
    if (f->n_calls < sizeof f->calls / sizeof f->calls[0]) {
        call k = {pod->id, after, pod->state, pod->serving, now};
        f->calls[f->n_calls++] = k;
    }
}

static void setup_world(fixture *f)
{
    memset(f, 0, sizeof *f);
    rsim_spec_cluster *cl = &f->w.cluster;
    cl->hop_delay = 100;
    cl->slow_start_batches = false;
    cl->start_containers = fixed(2000);
    cl->image_pull = fixed(15000);
    cl->app_init = fixed(5000);
    cl->readiness.period = 10000;
    cl->readiness.timeout = 1000;
    cl->readiness.success_threshold = 1;
    cl->readiness.failure_threshold = 3;
    cl->readiness.aligned = true;
    cl->crash_backoff.initial = RSIM_SEC(10);
    cl->crash_backoff.factor = 2.0;
    cl->crash_backoff.max = RSIM_MIN(5);
    cl->crash_backoff.reset_after = RSIM_MIN(10);
    cl->endpoint_propagation = 1000;
    cl->pod_slots = 0;
    f->w.version_defaults.app_init = fixed(5000);
    for (size_t i = 0; i < 3; i++) {
        f->versions[i].app_init = fixed(5000);
    }
    f->versions[0].image = "web:1";
    f->versions[0].cached = true;
    f->versions[1].image = "web:2";
    f->versions[2].image = "web:bad";
    f->versions[2].cached = true;
    f->crash.kind = RSIM_FAULT_CRASH_LOOP;
    f->crash.onset_kind = RSIM_ONSET_AT;
    f->crash.onset = 0;
    f->crash.duration = RSIM_TIME_MAX;
    f->crash.crash_after = 1000;
    f->versions[2].n_faults = 1;
    f->versions[2].faults = &f->crash;
    f->w.n_versions = 3;
    f->w.versions = f->versions;
    f->ctr.name = "web";
    f->ctr.image = "web:1";
    f->ro.name = "web";
    f->ro.template.n_containers = 1;
    f->ro.template.containers = &f->ctr;
    f->ro.template.termination_grace = RSIM_SEC(30);
    f->ro.n_containers = 1;
    f->ro.containers = &f->ctr;
}

static void start(fixture *f, uint64_t seed)
{
    f->q = rsim_evq_new();
    f->c = rsim_cluster_new(&f->w, &f->ro, f->q, seed, 0);
    rsim_cluster_watch(f->c, record, f);
}

static void finish(fixture *f)
{
    rsim_cluster_free(f->c);
    rsim_evq_free(f->q);
    f->c = NULL;
    f->q = NULL;
}

/* The time of the first after-call at or after `from` that put pod `id` in `state` (-1 when
 * none). */
static rsim_time t_state_from(const fixture *f, uint32_t id, rsim_pod_state state, rsim_time from)
{
    for (size_t i = 0; i < f->n_calls; i++) {
        const call *k = &f->calls[i];
        if (k->id == id && k->after && k->state == state && k->t >= from &&
            (i == 0 || f->calls[i - 1].state != state)) {
            return k->t;
        }
    }
    return -1;
}

static rsim_time t_state(const fixture *f, uint32_t id, rsim_pod_state state)
{
    return t_state_from(f, id, state, 0);
}

/* The time pod `id` first got serving == on (-1 when never). */
static rsim_time t_serving(const fixture *f, uint32_t id, bool on)
{
    for (size_t i = 0; i < f->n_calls; i++) {
        const call *k = &f->calls[i];
        if (k->id == id && k->after && k->serving == on && i > 0 && f->calls[i - 1].serving != on) {
            return k->t;
        }
    }
    return -1;
}

static const rsim_pod *pod(const fixture *f, uint32_t id)
{
    const rsim_pod *p = rsim_cluster_pod(f->c, id);
    assert_non_null(p);
    return p;
}

/* ---- lifecycle with exact times ---- */

static void test_cluster_lifecycle_exact_times(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.ro.min_ready = 3000;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:2", 2, "abc123");
    rsim_cluster_scale_rs(f.c, rs, 1);
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_creating, 1);
    rsim_evq_run_until(f.q, RSIM_MIN(2));
    /* created at 0 + hop; bound one hop later; pull 15 s + start 2 s -> running at 17.2 s; app
     * up at 22.2 s; probe ticks 0.2 s + k * 10 s -> ready at 30.2 s; available 3 s later;
     * serving after 1 s of endpoint propagation. */
    assert_int_equal(t_state(&f, 0, RSIM_POD_PENDING), 100);
    assert_int_equal(t_state(&f, 0, RSIM_POD_STARTING), 200);
    assert_int_equal(pod(&f, 0)->running_at, 17200);
    assert_int_equal(t_state(&f, 0, RSIM_POD_NOT_READY), 22200);
    assert_int_equal(t_state(&f, 0, RSIM_POD_READY), 30200);
    assert_int_equal(pod(&f, 0)->ready_at, 30200);
    assert_int_equal(t_state(&f, 0, RSIM_POD_AVAILABLE), 33200);
    assert_int_equal(t_serving(&f, 0, true), 31200);
    assert_int_equal(pod(&f, 0)->serving_since, 31200);
    const rsim_cluster_rs *r = rsim_cluster_rs_at(f.c, rs);
    assert_int_equal(r->n_by_state[RSIM_POD_AVAILABLE], 1);
    assert_int_equal(r->n_serving, 1);
    assert_int_equal(r->n_creating, 0);
    assert_string_equal(r->image, "web:2");
    assert_ptr_equal(r->version, &f.versions[1]);
    /* "<rollout>-<hash>-<5 chars>" */
    const char *name = pod(&f, 0)->name;
    assert_int_equal(strncmp(name, "web-abc123-", 11), 0);
    assert_int_equal(strlen(name), 16);
    finish(&f);
}

static void test_cluster_lifecycle_cached_threshold_delay_no_min_ready(void **state)
{
    (void)state;
    static fixture f;
    /* cached image, minReadySeconds 0: ready (and available at once) at the first tick after
     * the app is up: running 2.2 s, up 7.2 s, tick 10.2 s. */
    setup_world(&f);
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h1");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, RSIM_MIN(1));
    assert_int_equal(pod(&f, 0)->running_at, 2200);
    assert_int_equal(t_state(&f, 0, RSIM_POD_NOT_READY), 7200);
    assert_int_equal(t_state(&f, 0, RSIM_POD_READY), -1);
    assert_int_equal(t_state(&f, 0, RSIM_POD_AVAILABLE), 10200);
    assert_int_equal(t_serving(&f, 0, true), 11200);
    finish(&f);

    /* successThreshold 2 and initialDelaySeconds 20 s from the container's own probe: the
     * first passing tick is at or after max(7.2 s, 2.2 s + 20 s) = 22.2 s -> 30.2 s, the
     * second 40.2 s. An unknown image behaves as versionDefaults (pulled). */
    setup_world(&f);
    f.ctr.readiness.set = true;
    f.ctr.readiness.period = 10000;
    f.ctr.readiness.timeout = 1000;
    f.ctr.readiness.initial_delay = 20000;
    f.ctr.readiness.success_threshold = 2;
    f.ctr.readiness.failure_threshold = 3;
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h1");
    rsim_cluster_scale_rs(f.c, rs, 1);
    uint32_t other = rsim_cluster_add_rs(f.c, "web:unknown", 2, "h2");
    assert_ptr_equal(rsim_cluster_rs_at(f.c, other)->version, &f.w.version_defaults);
    rsim_evq_run_until(f.q, RSIM_MIN(1));
    assert_int_equal(t_state(&f, 0, RSIM_POD_AVAILABLE), 40200);
    finish(&f);
}

static void test_cluster_slow_start_batches_and_cancel(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.w.cluster.slow_start_batches = true;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h1");
    rsim_cluster_scale_rs(f.c, rs, 7);
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_creating, 7);
    rsim_evq_run_until(f.q, 1000);
    /* batches of 1, 2, 4, each one hop after the previous */
    rsim_time want[7] = {100, 200, 200, 300, 300, 300, 300};
    for (uint32_t i = 0; i < 7; i++) {
        assert_int_equal(pod(&f, i)->created, want[i]);
    }
    finish(&f);

    /* Scaling down while creations are in flight takes back the newest first. */
    setup_world(&f);
    f.w.cluster.slow_start_batches = true;
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h1");
    rsim_cluster_scale_rs(f.c, rs, 7);
    rsim_evq_run_until(f.q, 150);
    rsim_cluster_scale_rs(f.c, rs, 2);
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_creating, 1);
    rsim_evq_run_until(f.q, RSIM_MIN(1));
    const rsim_pod *const *pods;
    assert_int_equal(rsim_cluster_pods(f.c, rs, &pods), 2);
    assert_int_equal(pods[0]->created, 100);
    assert_int_equal(pods[1]->created, 200);
    assert_int_equal(rsim_cluster_get_stats(f.c).pods_created, 2);
    finish(&f);
}

/* ---- slots ---- */

static void test_cluster_slots_pending_until_free_fifo(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.w.cluster.pod_slots = 1;
    start(&f, 1);
    uint32_t a = rsim_cluster_add_rs(f.c, "web:1", 1, "a");
    uint32_t b = rsim_cluster_add_rs(f.c, "web:1", 2, "b");
    uint32_t c = rsim_cluster_add_rs(f.c, "web:1", 3, "c");
    rsim_cluster_scale_rs_ready(f.c, a, 1); /* pod 0: running, holds the only slot */
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_AVAILABLE);
    assert_true(pod(&f, 0)->serving);
    rsim_cluster_scale_rs(f.c, b, 1); /* pod 1: created 0.1 s, waits from 0.2 s */
    rsim_evq_run_until(f.q, 50);
    rsim_cluster_scale_rs(f.c, c, 1); /* pod 2: created 0.15 s, waits from 0.25 s */
    rsim_evq_run_until(f.q, 1000);
    assert_int_equal(pod(&f, 1)->state, RSIM_POD_PENDING);
    assert_int_equal(pod(&f, 2)->state, RSIM_POD_PENDING);
    rsim_cluster_stats st = rsim_cluster_get_stats(f.c);
    assert_int_equal(st.pods_pending, 2);
    assert_int_equal(st.slots_used, 1);
    /* Pod 0 deleted at 1 s: idle once its endpoint removal propagated (2 s), gone; pod 1,
     * first in line, binds one hop later; pod 2 still waits. */
    rsim_cluster_scale_rs(f.c, a, 0);
    rsim_evq_run_until(f.q, 3000);
    assert_int_equal(t_state(&f, 0, RSIM_POD_GONE), 2000);
    assert_int_equal(t_state(&f, 1, RSIM_POD_STARTING), 2100);
    assert_int_equal(pod(&f, 1)->scheduled_at, 2100);
    assert_int_equal(pod(&f, 2)->state, RSIM_POD_PENDING);
    /* Pod 1 (starting, serves nothing) deleted at 3 s: gone at once, pod 2 binds at 3.1 s. */
    rsim_cluster_scale_rs(f.c, b, 0);
    rsim_evq_run_until(f.q, 4000);
    assert_int_equal(t_state(&f, 1, RSIM_POD_GONE), 3000);
    assert_int_equal(t_state(&f, 2, RSIM_POD_STARTING), 3100);
    st = rsim_cluster_get_stats(f.c);
    assert_int_equal(st.pods_pending, 0);
    assert_int_equal(st.slots_used, 1);
    assert_int_equal(st.peak_slots_used, 1);
    /* one slot held from 0 to 4 s without a gap longer than the hop: 2.0-2.1 and 3.0-3.1 are
     * reserved for the next pod */
    assert_int_equal(st.pod_ms, 4000);
    finish(&f);
}

static void test_cluster_deleted_waiting_pod_leaves_queue(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.w.cluster.pod_slots = 1;
    start(&f, 1);
    uint32_t a = rsim_cluster_add_rs(f.c, "web:1", 1, "a");
    uint32_t b = rsim_cluster_add_rs(f.c, "web:1", 2, "b");
    rsim_cluster_scale_rs_ready(f.c, a, 1);
    rsim_cluster_scale_rs(f.c, b, 2);
    rsim_evq_run_until(f.q, 1000);
    rsim_cluster_scale_rs(f.c, b, 0); /* both waiting pods: gone at once, never bound */
    rsim_evq_run_until(f.q, 2000);
    assert_int_equal(t_state(&f, 1, RSIM_POD_GONE), 1000);
    assert_int_equal(t_state(&f, 2, RSIM_POD_GONE), 1000);
    assert_int_equal(t_state(&f, 1, RSIM_POD_STARTING), -1);
    assert_int_equal(rsim_cluster_get_stats(f.c).pods_pending, 0);
    rsim_cluster_scale_rs(f.c, a, 0);
    rsim_evq_run_until(f.q, 5000);
    assert_int_equal(rsim_cluster_get_stats(f.c).slots_used, 0);
    finish(&f);
}

/* ---- deletion order ---- */

static void test_cluster_deletion_order(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.w.cluster.pod_slots = 4;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs(f.c, rs, 1); /* pod 0 ready at 10.2 s */
    rsim_evq_run_until(f.q, 100000);
    rsim_cluster_scale_rs(f.c, rs, 2); /* pod 1 ready at 110.2 s */
    rsim_evq_run_until(f.q, 198000);
    rsim_cluster_scale_rs(f.c, rs, 3); /* pod 2 up at 205.2 s, not ready until 208.2 s */
    rsim_evq_run_until(f.q, 205000);
    rsim_cluster_scale_rs(f.c, rs, 4); /* pod 3 bound at 205.2 s, running at 207.2 s */
    rsim_evq_run_until(f.q, 205500);
    rsim_cluster_scale_rs(f.c, rs, 5); /* pod 4: no slot left, unassigned */
    rsim_evq_run_until(f.q, 206000);
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_AVAILABLE);
    assert_int_equal(pod(&f, 1)->state, RSIM_POD_AVAILABLE);
    assert_int_equal(pod(&f, 2)->state, RSIM_POD_NOT_READY);
    assert_int_equal(pod(&f, 3)->state, RSIM_POD_STARTING);
    assert_int_equal(pod(&f, 4)->state, RSIM_POD_PENDING);
    /* unassigned < Pending phase < not ready < ready for less time (96 s: log2 rank 36) <
     * longer (196 s: rank 37) */
    rsim_time now = rsim_evq_now(f.q);
    uint32_t order[5] = {4, 3, 2, 1, 0};
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = 0; j < 5; j++) {
            bool before = rsim_cluster_deletes_before(pod(&f, order[i]), pod(&f, order[j]), now);
            assert_int_equal(before, i < j);
        }
    }
    rsim_cluster_scale_rs(f.c, rs, 2);
    for (uint32_t i = 0; i < 5; i++) {
        bool kept = i <= 1;
        assert_int_equal(pod(&f, i)->state == RSIM_POD_TERMINATING, !kept);
    }
    rsim_cluster_scale_rs(f.c, rs, 1);
    assert_int_equal(pod(&f, 1)->state, RSIM_POD_TERMINATING);
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_AVAILABLE);
    finish(&f);
}

static void test_cluster_deletion_order_restarts_then_age(void **state)
{
    (void)state;
    static fixture f;
    /* Two not-ready pods of a crash-looping version, same phase: more restarts first; with
     * equal restarts the newer one first (creation 100 s apart at 10 s and 110 s ago). */
    setup_world(&f);
    f.crash.crash_after = 500;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:bad", 1, "bad");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, 100000);
    rsim_cluster_scale_rs(f.c, rs, 2);
    rsim_evq_run_until(f.q, 110000);
    rsim_time now = rsim_evq_now(f.q);
    const rsim_pod *old = pod(&f, 0);
    const rsim_pod *young = pod(&f, 1);
    assert_true(old->restarts > young->restarts);
    assert_int_equal(young->state, RSIM_POD_NOT_READY);
    assert_true(rsim_cluster_deletes_before(old, young, now));
    assert_false(rsim_cluster_deletes_before(young, old, now));
    finish(&f);

    /* Pulling (phase Pending) before running; among two pulling pods, the newer (created 4.9 s
     * ago, log2 rank 32) before the older (9.9 s ago, rank 33). */
    setup_world(&f);
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:2", 2, "h2");
    uint32_t rs1 = rsim_cluster_add_rs(f.c, "web:1", 1, "h1");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_cluster_scale_rs(f.c, rs1, 1);
    rsim_evq_run_until(f.q, 5000);
    rsim_cluster_scale_rs(f.c, rs, 2);
    rsim_evq_run_until(f.q, 10000);
    now = rsim_evq_now(f.q);
    const rsim_pod *pulling = pod(&f, 0);
    const rsim_pod *running = pod(&f, 1);
    const rsim_pod *newer = pod(&f, 2);
    assert_int_equal(pulling->state, RSIM_POD_STARTING);
    assert_int_equal(running->state, RSIM_POD_NOT_READY);
    assert_int_equal(newer->state, RSIM_POD_STARTING);
    assert_true(rsim_cluster_deletes_before(pulling, running, now));
    assert_false(rsim_cluster_deletes_before(running, pulling, now));
    assert_true(rsim_cluster_deletes_before(newer, pulling, now));
    assert_false(rsim_cluster_deletes_before(pulling, newer, now));
    finish(&f);
}

/* ---- termination ---- */

static void test_cluster_grace_period(void **state)
{
    (void)state;
    static fixture f;
    /* Serving pod, grace 30 s > propagation 1 s: TERMINATING at once, stops serving and is
     * gone after the propagation (idle). */
    setup_world(&f);
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs_ready(f.c, rs, 1);
    rsim_evq_run_until(f.q, 5000);
    rsim_cluster_scale_rs(f.c, rs, 0);
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_TERMINATING);
    assert_int_equal(pod(&f, 0)->deleted_at, 5000);
    assert_true(pod(&f, 0)->serving);
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_by_state[RSIM_POD_TERMINATING], 1);
    rsim_evq_run_until(f.q, 60000);
    assert_int_equal(t_serving(&f, 0, false), 6000);
    assert_int_equal(t_state(&f, 0, RSIM_POD_GONE), 6000);
    const rsim_pod *const *pods;
    assert_int_equal(rsim_cluster_pods(f.c, rs, &pods), 0);
    assert_int_equal(rsim_cluster_pod(f.c, 0)->state, RSIM_POD_GONE);
    finish(&f);

    /* Grace 0.5 s < propagation: killed while still receiving requests. */
    setup_world(&f);
    f.ro.template.termination_grace = 500;
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs_ready(f.c, rs, 1);
    rsim_evq_run_until(f.q, 5000);
    rsim_cluster_scale_rs(f.c, rs, 0);
    rsim_evq_run_until(f.q, 60000);
    assert_int_equal(t_serving(&f, 0, false), 5500);
    assert_int_equal(t_state(&f, 0, RSIM_POD_GONE), 5500);
    finish(&f);

    /* Deleted before its readiness has propagated: serving(t) is the endpoint's readiness at
     * t - 1 s, so it serves from 11.2 s (ready at 10.2 s) to 11.5 s (deleted at 10.5 s), and
     * is idle, hence gone, then. */
    setup_world(&f);
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, 10500);
    rsim_cluster_scale_rs(f.c, rs, 0);
    rsim_evq_run_until(f.q, 60000);
    assert_int_equal(t_serving(&f, 0, true), 11200);
    assert_int_equal(t_serving(&f, 0, false), 11500);
    assert_int_equal(t_state(&f, 0, RSIM_POD_GONE), 11500);
    finish(&f);
}

/* rsim_cluster_delete_pod: the pod terminates as in a scale-down and the ReplicaSet, short of
 * spec.replicas, creates a replacement one hop later (an eviction, §14.6). */
static void test_cluster_delete_pod_is_replaced(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs_ready(f.c, rs, 2);
    rsim_evq_run_until(f.q, 5000);
    assert_true(rsim_cluster_delete_pod(f.c, 0));
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_TERMINATING);
    assert_int_equal(pod(&f, 0)->deleted_at, 5000);
    assert_false(rsim_cluster_delete_pod(f.c, 0));  /* already being deleted */
    assert_false(rsim_cluster_delete_pod(f.c, 99)); /* no such pod */
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_creating, 1);
    rsim_evq_run_until(f.q, 60000);
    assert_int_equal(t_state(&f, 0, RSIM_POD_GONE), 6000);
    assert_int_equal(pod(&f, 2)->created, 5100);
    assert_int_equal(pod(&f, 2)->state, RSIM_POD_AVAILABLE);
    assert_int_equal(pod(&f, 1)->state, RSIM_POD_AVAILABLE);
    assert_int_equal(rsim_cluster_rs_at(f.c, rs)->n_by_state[RSIM_POD_AVAILABLE], 2);
    assert_int_equal(rsim_cluster_get_stats(f.c).pods_created, 3);
    finish(&f);
}

/* ---- crash loops ---- */

/* Runs the queue event by event up to `until`, noting when pod 0's restart count grows. */
static size_t restart_times(fixture *f, rsim_time until, rsim_time *out, size_t max)
{
    size_t n = 0;
    uint32_t seen = 0;
    while (rsim_evq_next_time(f->q) <= until && rsim_evq_step(f->q)) {
        const rsim_pod *p = rsim_cluster_pod(f->c, 0);
        if (p != NULL && p->restarts != seen && n < max) {
            seen = p->restarts;
            out[n++] = rsim_evq_now(f->q);
        }
    }
    return n;
}

static void test_cluster_crash_loop_backoff_sequence(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:bad", 1, "bad");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_time t[16] = {0};
    size_t n = restart_times(&f, RSIM_HOUR(1), t, 16);
    /* Each container starts 2 s after its (re)start and exits 1 s later; the waits between an
     * exit and the next restart are 0, 10, 20, 40, 80, 160, 300, 300 ... s. */
    rsim_time waits[] = {0, 10, 20, 40, 80, 160, 300, 300, 300};
    rsim_time crash = 200 + 2000 + 1000;
    assert_true(n >= 9);
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(t[i], crash + RSIM_SEC(waits[i]));
        crash = t[i] + 3000;
    }
    const rsim_pod *p = pod(&f, 0);
    assert_int_equal(p->state, RSIM_POD_NOT_READY);
    assert_int_equal(p->ready_at, -1);
    assert_int_equal(t_state(&f, 0, RSIM_POD_READY), -1);
    assert_int_equal(rsim_cluster_get_stats(f.c).restarts, p->restarts);
    finish(&f);
}

static void test_cluster_crash_loop_reset_and_fault_end(void **state)
{
    (void)state;
    static fixture f;
    /* Runs of 11 min (longer than reset_after, 10 min): every restart is immediate, and the pod
     * is ready in between, leaving the endpoints at once on each exit. */
    setup_world(&f);
    f.crash.crash_after = RSIM_MIN(11);
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:bad", 1, "bad");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_time t[8] = {0};
    size_t n = restart_times(&f, RSIM_HOUR(1), t, 8);
    assert_true(n >= 4);
    rsim_time running = 2200;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(t[i], running + RSIM_MIN(11));
        running = t[i] + 2000;
    }
    assert_int_equal(t_serving(&f, 0, true), 11200);
    assert_int_equal(t_serving(&f, 0, false), 2200 + RSIM_MIN(11) + 1000);
    finish(&f);

    /* A crash fault lasting 60 s: the container restarted at 82.2 s runs past its end, so it
     * becomes ready at the next probe tick after its app is up (84.2 + 5 = 89.2 -> 90.2 s). */
    setup_world(&f);
    f.crash.duration = RSIM_SEC(60);
    start(&f, 1);
    rs = rsim_cluster_add_rs(f.c, "web:bad", 1, "bad");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, RSIM_MIN(5));
    assert_int_equal(pod(&f, 0)->restarts, 4);
    assert_int_equal(t_state(&f, 0, RSIM_POD_AVAILABLE), 90200);
    finish(&f);
}

static void test_cluster_crash_onset_after_first_traffic(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.crash.onset_kind = RSIM_ONSET_AFTER_FIRST_TRAFFIC;
    f.crash.onset = 5000;
    f.crash.crash_after = 0;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:bad", 1, "bad");
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, 40000);
    assert_int_equal(pod(&f, 0)->state, RSIM_POD_AVAILABLE); /* no traffic yet: healthy */
    rsim_cluster_note_first_traffic(f.c, rsim_cluster_rs_at(f.c, rs)->version, 39000);
    rsim_cluster_note_first_traffic(f.c, rsim_cluster_rs_at(f.c, rs)->version, 40000);
    rsim_evq_run_until(f.q, 50000);
    assert_int_equal(t_state_from(&f, 0, RSIM_POD_NOT_READY, 40000), 44000);
    assert_int_equal(t_serving(&f, 0, false), 45000);
    finish(&f);
}

/* ---- start-up distributions ---- */

static int cmp_time(const void *a, const void *b)
{
    rsim_time x = *(const rsim_time *)a;
    rsim_time y = *(const rsim_time *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic of sorted x against cdf. */
static double
ks_stat(const rsim_time *x, size_t n, double (*cdf)(double, const void *), const void *arg)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf((double)x[i], arg);
        double lo = f - (double)i / (double)n;
        double hi = (double)(i + 1) / (double)n - f;
        d = fmax(d, fmax(lo, hi));
    }
    return d;
}

static double uniform_cdf(double x, const void *arg)
{
    const rsim_spec_dist *d = arg;
    double lo = (double)d->min; /* whole ms in [min, max] */
    double hi = (double)d->max + 1;
    return x < lo ? 0 : (x >= hi ? 1 : (x + 1 - lo) / (hi - lo));
}

static double lognormal_cdf(double x, const void *arg)
{
    const rsim_spec_dist *d = arg;
    return x <= 0 ? 0 : gsl_cdf_lognormal_P(x + 0.5, log((double)d->median), d->sigma);
}

enum { N_STARTUP = 4000 };

/* Start-up (container start) durations of N_STARTUP pods created at once. */
static void startup_sample(fixture *f, rsim_time *out)
{
    f->w.cluster.hop_delay = 0;
    start(f, 77);
    uint32_t rs = rsim_cluster_add_rs(f->c, "web:1", 1, "h");
    rsim_cluster_scale_rs(f->c, rs, N_STARTUP);
    rsim_evq_run_until(f->q, 0);
    for (uint32_t i = 0; i < N_STARTUP; i++) {
        const rsim_pod *p = rsim_cluster_pod(f->c, i);
        out[i] = p->running_at - p->scheduled_at;
    }
    qsort(out, N_STARTUP, sizeof *out, cmp_time);
    finish(f);
}

static void test_cluster_startup_matches_distribution(void **state)
{
    (void)state;
    static fixture f;
    static rsim_time x[N_STARTUP];
    /* KS at the 1% level: reject when D > 1.628 / sqrt(n) = 0.0257 for n = 4000. The
     * whole-millisecond rounding moves the CDF by at most 1/8000 (uniform) or about 1e-4
     * (lognormal), far below the bound. */
    double crit = 1.628 / sqrt((double)N_STARTUP);

    setup_world(&f);
    rsim_spec_dist u = {.kind = RSIM_DIST_UNIFORM, .min = 1000, .max = 9000};
    f.w.cluster.start_containers = u;
    startup_sample(&f, x);
    double d = ks_stat(x, N_STARTUP, uniform_cdf, &u);
    printf("uniform[1s,9s]: KS D = %.4f (1%% critical %.4f)\n", d, crit);
    assert_true(d < crit);
    assert_true(x[0] >= 1000 && x[N_STARTUP - 1] <= 9000);

    /* lognormal median 2 s, p99 5 s: sigma = ln(2.5) / 2.3263 */
    setup_world(&f);
    rsim_spec_dist ln = {.kind = RSIM_DIST_LOGNORMAL, .median = 2000, .sigma = log(2.5) / 2.3263};
    f.w.cluster.start_containers = ln;
    startup_sample(&f, x);
    d = ks_stat(x, N_STARTUP, lognormal_cdf, &ln);
    printf("lognormal(2s, p99 5s): KS D = %.4f (1%% critical %.4f)\n", d, crit);
    assert_true(d < crit);
    /* the wrong median must be rejected: the test has power */
    rsim_spec_dist wrong = ln;
    wrong.median = 2200;
    assert_true(ks_stat(x, N_STARTUP, lognormal_cdf, &wrong) > crit);

    /* empirical: each of 4 samples equally likely; chi-square, 3 degrees of freedom, 1% level:
     * 11.345 */
    setup_world(&f);
    static const rsim_time samples[4] = {1000, 2000, 3000, 8000};
    rsim_spec_dist e = {.kind = RSIM_DIST_EMPIRICAL, .n_samples = 4, .samples = samples};
    f.w.cluster.start_containers = e;
    startup_sample(&f, x);
    double counts[4] = {0};
    for (size_t i = 0; i < N_STARTUP; i++) {
        size_t k = 0;
        while (k < 4 && samples[k] != x[i]) {
            k++;
        }
        assert_true(k < 4);
        counts[k]++;
    }
    double chi2 = 0;
    double expect = N_STARTUP / 4.0;
    for (size_t k = 0; k < 4; k++) {
        chi2 += (counts[k] - expect) * (counts[k] - expect) / expect;
    }
    printf("empirical{1,2,3,8 s}: chi2 = %.3f (1%% critical 11.345)\n", chi2);
    assert_true(chi2 < 11.345);
}

static void test_cluster_probe_phase_uniform(void **state)
{
    (void)state;
    static fixture f;
    static rsim_time x[N_STARTUP];
    /* Random probe phase: readiness comes U[0, period) after the app is up (app up at
     * bind + 7 s; period 10 s). KS at 1% against the discrete uniform on [0, 9999] ms. */
    setup_world(&f);
    f.w.cluster.readiness.aligned = false;
    f.w.cluster.hop_delay = 0;
    start(&f, 5);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs(f.c, rs, N_STARTUP);
    rsim_evq_run_until(f.q, RSIM_MIN(1));
    for (uint32_t i = 0; i < N_STARTUP; i++) {
        const rsim_pod *p = rsim_cluster_pod(f.c, i);
        x[i] = p->ready_at - (p->scheduled_at + 7000);
        assert_true(x[i] >= 0 && x[i] < 10000);
    }
    finish(&f);
    qsort(x, N_STARTUP, sizeof *x, cmp_time);
    rsim_spec_dist u = {.kind = RSIM_DIST_UNIFORM, .min = 0, .max = 9999};
    double d = ks_stat(x, N_STARTUP, uniform_cdf, &u);
    printf("probe phase U[0,10s): KS D = %.4f\n", d);
    assert_true(d < 1.628 / sqrt((double)N_STARTUP));
}

/* ---- watchers ---- */

static void test_cluster_watcher_before_after_pairs(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    f.ro.min_ready = 3000;
    start(&f, 1);
    uint32_t rs = rsim_cluster_add_rs(f.c, "web:1", 1, "h");
    rsim_cluster_scale_rs(f.c, rs, 2);
    rsim_evq_run_until(f.q, RSIM_MIN(1));
    rsim_cluster_scale_rs(f.c, rs, 1);
    rsim_evq_run_until(f.q, RSIM_MIN(2));
    /* Every change: a before call (old state) immediately followed by an after call for the
     * same pod at the same time; creation: one after call in PENDING. */
    rsim_pod_state last[2] = {RSIM_POD_STATE_COUNT, RSIM_POD_STATE_COUNT};
    bool last_serving[2] = {false, false};
    size_t i = 0;
    size_t changes = 0;
    while (i < f.n_calls) {
        const call *k = &f.calls[i];
        assert_true(k->id < 2);
        if (k->after) {
            assert_int_equal(last[k->id], RSIM_POD_STATE_COUNT); /* creation */
            assert_int_equal(k->state, RSIM_POD_PENDING);
            last[k->id] = k->state;
            i++;
            continue;
        }
        assert_true(i + 1 < f.n_calls);
        const call *a = &f.calls[i + 1];
        assert_true(a->after);
        assert_int_equal(a->id, k->id);
        assert_int_equal(a->t, k->t);
        assert_int_equal(k->state, last[k->id]);
        assert_int_equal(k->serving, last_serving[k->id]);
        assert_true(a->state != k->state || a->serving != k->serving);
        last[k->id] = a->state;
        last_serving[k->id] = a->serving;
        changes++;
        i += 2;
    }
    /* two pods: Starting, NotReady, Ready, serving, Available; one: Terminating, not serving,
     * Gone */
    assert_int_equal(changes, 2 * 5 + 3);
    assert_int_equal(last[0] == RSIM_POD_GONE || last[1] == RSIM_POD_GONE, true);
    finish(&f);
}

/* ---- determinism ---- */

static void run_random(fixture *f, uint64_t seed, int64_t n)
{
    setup_world(f);
    rsim_spec_dist u = {.kind = RSIM_DIST_UNIFORM, .min = 1000, .max = 9000};
    rsim_spec_dist ln = {.kind = RSIM_DIST_LOGNORMAL, .median = 15000, .sigma = 0.85};
    f->w.cluster.start_containers = u;
    f->w.cluster.image_pull = ln;
    f->w.cluster.readiness.aligned = false;
    start(f, seed);
    uint32_t rs = rsim_cluster_add_rs(f->c, "web:2", 2, "h");
    rsim_cluster_scale_rs(f->c, rs, n);
    rsim_evq_run_until(f->q, RSIM_MIN(10));
}

static void test_cluster_determinism_and_stream_independence(void **state)
{
    (void)state;
    static fixture a;
    static fixture b;
    run_random(&a, 9, 5);
    run_random(&b, 9, 5);
    assert_int_equal(a.n_calls, b.n_calls);
    for (size_t i = 0; i < a.n_calls; i++) {
        assert_int_equal(a.calls[i].id, b.calls[i].id);
        assert_int_equal(a.calls[i].after, b.calls[i].after);
        assert_int_equal(a.calls[i].state, b.calls[i].state);
        assert_int_equal(a.calls[i].serving, b.calls[i].serving);
        assert_int_equal(a.calls[i].t, b.calls[i].t);
    }
    finish(&b);
    /* Ten pods instead of five: the first five draw exactly the same. */
    run_random(&b, 9, 10);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(pod(&a, i)->running_at, pod(&b, i)->running_at);
        assert_int_equal(pod(&a, i)->ready_at, pod(&b, i)->ready_at);
        assert_string_equal(pod(&a, i)->name, pod(&b, i)->name);
    }
    finish(&b);
    /* Another seed: other times (names do not depend on the seed). */
    run_random(&b, 10, 5);
    bool differ = false;
    for (uint32_t i = 0; i < 5; i++) {
        differ = differ || pod(&a, i)->ready_at != pod(&b, i)->ready_at;
        assert_string_equal(pod(&a, i)->name, pod(&b, i)->name);
    }
    assert_true(differ);
    finish(&a);
    finish(&b);
}

/* ---- cost ---- */

static void test_cluster_quiet_hour_is_cheap(void **state)
{
    (void)state;
    static fixture f;
    setup_world(&f);
    struct timespec t0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    start(&f, 3);
    uint32_t stable = rsim_cluster_add_rs(f.c, "web:1", 1, "s");
    uint32_t canary = rsim_cluster_add_rs(f.c, "web:2", 2, "c");
    rsim_cluster_scale_rs_ready(f.c, stable, 20);
    rsim_cluster_scale_rs(f.c, canary, 20);
    rsim_evq_run_until(f.q, RSIM_MIN(30));
    rsim_cluster_scale_rs(f.c, stable, 0);
    rsim_evq_run_until(f.q, RSIM_HOUR(1));
    rsim_cluster_stats st = rsim_cluster_get_stats(f.c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    printf("1 h, 20 stable + 20 new pods: %llu cluster events, %.1f us\n",
           (unsigned long long)st.events, us);
    /* per new pod: create, bind, app up, ready, serve; per old pod: serve off, gone */
    assert_true(st.events <= 20 * 5 + 20 * 2 + 1);
    assert_int_equal(st.pods_created, 40);
    /* pod-time: 20 pods for 30 min + 1 s, 20 pods from 0.2 s to the end */
    assert_int_equal(st.pod_ms, 20 * (RSIM_MIN(30) + 1000) + 20 * (RSIM_HOUR(1) - 200));
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_lifecycle_exact_times),
        cmocka_unit_test(test_cluster_lifecycle_cached_threshold_delay_no_min_ready),
        cmocka_unit_test(test_cluster_slow_start_batches_and_cancel),
        cmocka_unit_test(test_cluster_slots_pending_until_free_fifo),
        cmocka_unit_test(test_cluster_deleted_waiting_pod_leaves_queue),
        cmocka_unit_test(test_cluster_deletion_order),
        cmocka_unit_test(test_cluster_deletion_order_restarts_then_age),
        cmocka_unit_test(test_cluster_grace_period),
        cmocka_unit_test(test_cluster_crash_loop_backoff_sequence),
        cmocka_unit_test(test_cluster_crash_loop_reset_and_fault_end),
        cmocka_unit_test(test_cluster_crash_onset_after_first_traffic),
        cmocka_unit_test(test_cluster_startup_matches_distribution),
        cmocka_unit_test(test_cluster_probe_phase_uniform),
        cmocka_unit_test(test_cluster_watcher_before_after_pairs),
        cmocka_unit_test(test_cluster_delete_pod_is_replaced),
        cmocka_unit_test(test_cluster_determinism_and_stream_independence),
        cmocka_unit_test(test_cluster_quiet_hour_is_cheap),
    };
    return cmocka_run_group_tests_name("cluster", tests, NULL, NULL);
}
