/* test_controller_canary.c - the canary pass over many reconciles, driven by a tiny fake world:
 * after each pass the world applies the effects (RS sizes become status counts; pods are ready
 * and available at once unless a ReplicaSet is marked as never becoming available) and feeds
 * AnalysisRun phases chosen by the test.
 * Pinned: initial deploy (§19); basic canary 10 pods through setWeight 20 / pause / promote
 * (§7, §11.2, §14.3); traffic-routed canary with timed pauses (§5.3, §23 I15) and the
 * scale-down delay after promotion (§10.3); abort on a failed step analysis with one reconcile
 * of latency (§23 I9) and the abort delay (§12.2), or none with an explicit 0 (§23 E4);
 * inconclusive → pause → promote (§15.4, §14.3); retry (§14.2); promote --full (§14.4); template
 * change mid-rollout (§14.8); progress deadline with and without abort (§17.3, §17.4, §23 E6);
 * the §22 checklist items named after their number.
 * Not pinned here: blue-green, pod restarts (§14.6) and experiments (§15.8) have their own tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "controller_int.h"

/* ---- the fake world ---- */

typedef struct world {
    rsim_spec_rollout ro;
    rsim_spec_canary_step steps[8];
    rsim_ctl_state st;
    rsim_ctl_opts opts;
    rsim_ctl_effects fx;
    rsim_time now;
    char stuck_hash[RSIM_CTL_NAMEMAX]; /* pods of this RS never become available */
    int passes;
} world;

static world *world_new(int32_t n, bool tr)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->ro.name = "web";
    w->ro.replicas.value = n;
    w->ro.strategy = RSIM_STRATEGY_CANARY;
    w->ro.progress_deadline = RSIM_SEC(600);
    w->ro.revision_history_limit = 10;
    w->ro.canary.canary_service = "web-canary";
    w->ro.canary.stable_service = "web-stable";
    w->ro.canary.steps = w->steps;
    if (tr) {
        w->ro.canary.traffic_routing.set = true;
        w->ro.canary.traffic_routing.routers = RSIM_ROUTER_ISTIO;
        w->ro.canary.scale_down_delay.value = RSIM_SEC(30);
        w->ro.canary.abort_scale_down_delay.value = RSIM_SEC(30);
    }
    rsim_controller_opts_init(&w->opts);
    rsim_controller_state_init(&w->st, &w->ro, "v1", "web:1");
    return w;
}

static void add_weight(world *w, int64_t weight)
{
    rsim_spec_canary_step *s = &w->steps[w->ro.canary.n_steps++];
    s->types = s->primary = RSIM_STEP_SET_WEIGHT;
    s->set_weight = weight;
}

static void add_pause(world *w, rsim_time d)
{
    rsim_spec_canary_step *s = &w->steps[w->ro.canary.n_steps++];
    s->types = s->primary = RSIM_STEP_PAUSE;
    s->pause.set = d >= 0;
    s->pause.value = d < 0 ? 0 : d;
}

static void add_analysis(world *w)
{
    rsim_spec_canary_step *s = &w->steps[w->ro.canary.n_steps++];
    s->types = s->primary = RSIM_STEP_ANALYSIS;
    s->analysis.set = true;
}

/* The world catches up with the controller's RS sizes. */
static void apply(world *w)
{
    for (size_t i = 0; i < w->st.n_rs; i++) {
        rsim_ctl_rs *rs = &w->st.rs[i];
        rs->replicas = rs->spec_replicas;
        rs->ready = rs->available = strcmp(rs->hash, w->stuck_hash) == 0 ? 0 : rs->spec_replicas;
    }
}

static void pass(world *w)
{
    rsim_controller_reconcile(&w->st, w->now, &w->opts, &w->fx);
    assert_int_equal(w->fx.n_dropped, 0);
    w->passes++;
}

static bool fx_has(const world *w, rsim_ctl_fx_kind kind)
{
    for (size_t i = 0; i < w->fx.n; i++) {
        if (w->fx.items[i].kind == kind) {
            return true;
        }
    }
    return false;
}

static const rsim_ctl_fx *fx_event(const world *w, const char *reason)
{
    for (size_t i = 0; i < w->fx.n; i++) {
        if (w->fx.items[i].kind == RSIM_CTL_FX_EVENT &&
            strcmp(w->fx.items[i].reason, reason) == 0) {
            return &w->fx.items[i];
        }
    }
    return NULL;
}

/* Pass, apply, repeat while the pass changed anything, at most max times. */
static void settle(world *w, int max)
{
    for (int i = 0; i < max; i++) {
        pass(w);
        bool acted = w->fx.status_changed || fx_has(w, RSIM_CTL_FX_RS_SCALE) ||
                     fx_has(w, RSIM_CTL_FX_RS_CREATE) || fx_has(w, RSIM_CTL_FX_WEIGHT);
        apply(w);
        if (!acted) {
            return;
        }
    }
}

static rsim_ctl_rs *rs_of(world *w, const char *key)
{
    char h[RSIM_CTL_NAMEMAX];
    rsim_controller_template_hash(key, h);
    return rsim_controller_find_rs(&w->st, h);
}

static const char *hash_of(const char *key, char *buf)
{
    rsim_controller_template_hash(key, buf);
    return buf;
}

static rsim_ctl_ar *current_ar(world *w, rsim_ctl_ar_kind kind)
{
    for (size_t i = w->st.n_ars; i-- > 0;) {
        if (w->st.ars[i].current && w->st.ars[i].kind == kind) {
            return &w->st.ars[i];
        }
    }
    return NULL;
}

static void deploy_v1(world *w)
{
    settle(w, 20);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
}

/* ---- §19 ---- */

static void test_controller_19_initial_deploy(void **state)
{
    (void)state;
    world *w = world_new(3, false);
    add_weight(w, 20);
    add_pause(w, -1);
    char h[RSIM_CTL_NAMEMAX];
    pass(w); /* reconcile 1: RS created at 0, end */
    assert_int_equal(w->st.n_rs, 1);
    assert_int_equal(w->fx.items[0].kind, RSIM_CTL_FX_RS_CREATE);
    assert_int_equal(w->st.rs[0].spec_replicas, 0);
    assert_int_equal(w->st.rs[0].revision, 1);
    assert_string_equal(rsim_controller_find_condition(&w->st, RSIM_CTL_COND_PROGRESSING)->reason,
                        "NewReplicaSetCreated");
    apply(w);
    pass(w); /* reconcile 2: status initialised, nothing scaled */
    assert_false(fx_has(w, RSIM_CTL_FX_RS_SCALE));
    assert_string_equal(w->st.status.current_pod_hash, hash_of("v1", h));
    assert_int_equal(w->st.status.current_step_index, 0);
    apply(w);
    pass(w); /* reconcile 3: straight to N and promoted before any pod is available */
    assert_int_equal(w->st.rs[0].spec_replicas, 3);
    assert_string_equal(w->st.status.stable_rs, h);
    assert_int_equal(w->st.status.current_step_index, 2);
    const rsim_ctl_fx *e = fx_event(w, "RolloutCompleted");
    assert_non_null(e);
    assert_non_null(strstr(e->message, "Initial deploy"));
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PROGRESSING);
    assert_int_equal(w->st.status.n_pause, 0); /* steps skipped (§22.13) */
    apply(w);
    settle(w, 5);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    assert_int_equal(w->st.n_ars, 0);
    free(w);
}

/* ---- basic canary, 10 pods ---- */

static void test_controller_basic_canary_setweight_pause_promote(void **state)
{
    (void)state;
    world *w = world_new(10, false); /* surge 25% → 3, unavailable 25% → 2 */
    add_weight(w, 20);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    pass(w); /* create v2 */
    assert_int_equal(rs_of(w, "v2")->revision, 2);
    apply(w);
    pass(w); /* reset only (§14.8) */
    assert_false(fx_has(w, RSIM_CTL_FX_RS_SCALE));
    apply(w);
    pass(w); /* stable first: 10 → 8 (§7.4), then the pass ends (§10.4) */
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 8);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0);
    apply(w);
    pass(w); /* canary 0 → 2 */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 2);
    assert_int_equal(w->st.status.current_step_index, 0); /* §5.10: scaled, no step */
    apply(w);
    pass(w); /* at desired → step 1 */
    assert_int_equal(w->st.status.current_step_index, 1);
    assert_non_null(fx_event(w, "RolloutStepCompleted"));
    assert_string_equal(fx_event(w, "RolloutStepCompleted")->message,
                        "Rollout step 1/2 completed (setWeight: 20)");
    apply(w);
    settle(w, 5);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    assert_string_equal(w->st.status.message, "CanaryPauseStep");
    assert_true(w->st.status.controller_pause);
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    int32_t max_total = 0, min_avail = 100;
    for (int i = 0; i < 40; i++) {
        pass(w);
        apply(w);
        int32_t total = rs_of(w, "v1")->spec_replicas + rs_of(w, "v2")->spec_replicas;
        int32_t avail = rs_of(w, "v1")->available + rs_of(w, "v2")->available;
        max_total = total > max_total ? total : max_total;
        min_avail = avail < min_avail ? avail : min_avail;
    }
    assert_true(max_total <= 13); /* N + surge */
    assert_true(min_avail >= 8);  /* N - unavailable */
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0); /* basic canary: no delay (§22.15) */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 10);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    free(w);
}

/* ---- traffic-routed canary, timed pauses and scale-down delay ---- */

static world *tr_at_v2(int32_t n)
{
    world *w = world_new(n, true);
    add_weight(w, 25);
    add_pause(w, RSIM_SEC(30));
    add_weight(w, 50);
    add_pause(w, RSIM_SEC(10));
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    return w;
}

static void test_controller_22_3_weight_waits_for_pods(void **state)
{
    (void)state;
    world *w = tr_at_v2(4);
    w->now = RSIM_SEC(100);
    settle(w, 2); /* create + reset */
    pass(w);      /* canary to ceil(25%·4) = 1 */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 1);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4); /* §22.1 stable stays at N */
    assert_int_equal(w->st.status.weights.canary, 0);   /* no canary pod available yet */
    apply(w);
    pass(w);
    assert_int_equal(w->st.status.weights.canary, 25);
    assert_int_equal(w->st.router_canary_weight, 25);
    assert_int_equal(w->st.router_stable_weight, 75);
    assert_non_null(fx_event(w, "TrafficWeightUpdated"));
    free(w);
}

static void test_controller_5_3_timed_pause_and_10_3_scale_down_delay(void **state)
{
    (void)state;
    world *w = tr_at_v2(4);
    w->now = RSIM_SEC(100) + 700; /* a fractional second: truncated stamps (§23 I15) */
    settle(w, 10);
    const rsim_ctl_pause_cond *pc =
        rsim_controller_find_pause(&w->st.status, RSIM_CTL_PAUSE_CANARY_STEP);
    assert_non_null(pc);
    assert_int_equal(pc->start_time, RSIM_SEC(100));
    assert_int_equal(w->st.status.current_step_index, 1);
    /* due strictly after start + 30 s */
    pass(w);
    assert_int_equal(w->fx.requeue_at, RSIM_SEC(130) + 1);
    w->now = RSIM_SEC(130);
    pass(w);
    assert_int_equal(w->st.status.current_step_index, 1);
    w->now = RSIM_SEC(130) + 1;
    pass(w);
    assert_int_equal(w->st.status.current_step_index, 2);
    apply(w);
    settle(w, 10); /* setWeight 50, then pause 10 s */
    assert_int_equal(w->st.status.current_step_index, 3);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 2);
    w->now += RSIM_SEC(11);
    settle(w, 10);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    assert_int_equal(w->st.status.weights.canary, 0); /* §9 case 2 */
    rsim_ctl_rs *v1 = rs_of(w, "v1");
    assert_true(v1->scale_down_deadline > 0);
    assert_int_equal(v1->spec_replicas, 4); /* kept during the delay (§22.15) */
    rsim_time deadline = v1->scale_down_deadline;
    assert_int_equal(deadline % RSIM_SEC(1), 0);
    w->now = deadline - 1;
    settle(w, 3);
    assert_int_equal(v1->spec_replicas, 4);
    w->now = deadline; /* due once the deadline is not after now */
    settle(w, 5);
    assert_int_equal(v1->spec_replicas, 0);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    free(w);
}

/* ---- abort on a failed step analysis (§12.2, §23 I9, E4) ---- */

static world *tr_analysis(int64_t abort_delay_s, bool abort_delay_set)
{
    world *w = world_new(4, true);
    add_weight(w, 50);
    add_analysis(w);
    w->ro.canary.abort_scale_down_delay.set = abort_delay_set;
    w->ro.canary.abort_scale_down_delay.value = RSIM_SEC(abort_delay_s);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    w->now = RSIM_SEC(50);
    settle(w, 10);
    return w;
}

static void test_controller_12_2_abort_on_failed_analysis(void **state)
{
    (void)state;
    world *w = tr_analysis(30, false);
    rsim_ctl_ar *ar = current_ar(w, RSIM_CTL_AR_STEP);
    assert_non_null(ar);
    assert_int_equal(ar->step_index, 1);
    assert_int_equal(w->st.status.weights.canary, 50);
    ar->phase = RSIM_ANALYSIS_FAILED;
    strcpy(ar->message, "Metric \"errors\" assessed Failed due to failed (1) > failureLimit (0)");
    w->now = RSIM_SEC(60);
    pass(w); /* the abort is raised here but weights switch only on the next pass (I9) */
    assert_true(w->st.status.abort);
    assert_int_equal(w->st.status.weights.canary, 50);
    assert_int_equal(w->st.status.current_step_index, 0);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    assert_string_equal(w->st.status.message,
                        "RolloutAborted: Rollout aborted update to revision 2: Metric \"errors\" "
                        "assessed Failed due to failed (1) > failureLimit (0)");
    assert_int_equal(w->st.status.aborted_at, RSIM_SEC(60));
    apply(w);
    pass(w);
    assert_int_equal(w->st.status.weights.canary, 0); /* TR non-dynamic: 0 at once */
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.svc_canary, hash_of("v1", h));
    rsim_ctl_rs *v2 = rs_of(w, "v2");
    assert_int_equal(v2->spec_replicas, 2); /* kept until the deadline (§12.2) */
    assert_int_equal(v2->scale_down_deadline, RSIM_SEC(90));
    w->now = RSIM_SEC(90) + 1;
    settle(w, 5);
    assert_int_equal(v2->spec_replicas, 0);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    free(w);
}

static void test_controller_23_e4_explicit_zero_abort_delay(void **state)
{
    (void)state;
    world *w = tr_analysis(0, true);
    current_ar(w, RSIM_CTL_AR_STEP)->phase = RSIM_ANALYSIS_ERROR;
    pass(w);
    apply(w);
    pass(w); /* first post-abort pass: straight to the abort target, 0 */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0);
    assert_int_equal(rs_of(w, "v2")->scale_down_deadline, -1);
    free(w);
}

/* ---- inconclusive → pause → promote (§15.4, §14.3, §22.8) ---- */

static void test_controller_22_8_inconclusive_pauses_then_promote(void **state)
{
    (void)state;
    world *w = tr_analysis(30, false);
    rsim_ctl_ar *ar = current_ar(w, RSIM_CTL_AR_STEP);
    ar->phase = RSIM_ANALYSIS_INCONCLUSIVE;
    pass(w);
    assert_false(w->st.status.abort);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    assert_string_equal(w->st.status.message, "InconclusiveAnalysisRun");
    assert_true(w->st.status.controller_pause);
    settle(w, 5);
    assert_int_equal(w->st.status.current_step_index, 1); /* halted */
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    assert_int_equal(w->st.status.current_step_index, 2);
    settle(w, 10);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    free(w);
}

/* ---- retry (§14.2, §22.7) ---- */

static void test_controller_22_7_abort_resets_index_and_retry(void **state)
{
    (void)state;
    world *w = tr_analysis(30, false);
    rsim_ctl_ar *ar = current_ar(w, RSIM_CTL_AR_STEP);
    char first[RSIM_CTL_NAMEMAX];
    strcpy(first, ar->name);
    ar->phase = RSIM_ANALYSIS_FAILED;
    settle(w, 5);
    assert_int_equal(w->st.status.current_step_index, 0);
    rsim_controller_retry(&w->st);
    pass(w);
    assert_string_equal(rsim_controller_find_condition(&w->st, RSIM_CTL_COND_PROGRESSING)->reason,
                        "RolloutRetry");
    settle(w, 10);
    rsim_ctl_ar *again = current_ar(w, RSIM_CTL_AR_STEP);
    assert_non_null(again);
    assert_string_not_equal(again->name, first); /* a fresh run */
    assert_int_equal(w->st.status.current_step_index, 1);
    assert_int_equal(w->st.status.weights.canary, 50);
    assert_int_equal(w->st.status.aborted_at, -1);
    free(w);
}

/* ---- promote --full (§14.4) ---- */

static void test_controller_14_4_promote_full(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    add_weight(w, 25);
    add_pause(w, -1);
    add_weight(w, 50);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    rsim_controller_promote_full(&w->st);
    assert_true(w->st.status.promote_full);
    int32_t max_total = 0;
    for (int i = 0; i < 30; i++) {
        pass(w);
        apply(w);
        int32_t t = rs_of(w, "v1")->spec_replicas + rs_of(w, "v2")->spec_replicas;
        max_total = t > max_total ? t : max_total;
    }
    assert_true(max_total <= 5); /* still within surge (§7.5) */
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    assert_false(w->st.status.promote_full);
    assert_int_equal(w->st.status.current_step_index, 3);
    free(w);
}

/* ---- template change mid-rollout (§14.8) ---- */

static void test_controller_14_8_template_change_mid_rollout(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    add_weight(w, 50);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    assert_int_equal(w->st.status.current_step_index, 1);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 2);
    rsim_controller_set_template(&w->st, "v3", "web:3");
    pass(w); /* create v3: Progressing NewReplicaSetCreated */
    apply(w);
    pass(w); /* still paused: Progressing back to RolloutPaused, end (§18 step 6) */
    assert_string_equal(rsim_controller_find_condition(&w->st, RSIM_CTL_COND_PROGRESSING)->reason,
                        "RolloutPaused");
    apply(w);
    pass(w); /* reset only */
    assert_false(fx_has(w, RSIM_CTL_FX_RS_SCALE));
    assert_int_equal(w->st.status.current_step_index, 0);
    assert_int_equal(w->st.status.n_pause, 0);
    apply(w);
    settle(w, 20);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0); /* intermediate drained (§10.1) */
    assert_int_equal(rs_of(w, "v3")->revision, 3);
    assert_int_equal(w->st.status.current_step_index, 1);
    free(w);
}

/* ---- progress deadline (§17.3, §17.4, §23 E6, §22.12) ---- */

static void test_controller_17_3_progress_deadline(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    add_weight(w, 50);
    w->ro.progress_deadline = RSIM_SEC(60);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    char h[RSIM_CTL_NAMEMAX];
    strcpy(w->stuck_hash, hash_of("v2", h));
    w->now = RSIM_SEC(10);
    settle(w, 10);
    rsim_time due = w->fx.requeue_at;
    assert_true(due > RSIM_SEC(60));
    w->now = due;
    pass(w);
    const rsim_ctl_condition *c = rsim_controller_find_condition(&w->st, RSIM_CTL_COND_PROGRESSING);
    assert_string_equal(c->reason, "ProgressDeadlineExceeded");
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    assert_false(w->st.status.abort); /* keeps going */
    /* progress turns it back */
    w->stuck_hash[0] = '\0';
    apply(w);
    settle(w, 10);
    assert_int_not_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    free(w);
}

static void test_controller_17_4_progress_deadline_abort(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    add_weight(w, 50);
    w->ro.progress_deadline = RSIM_SEC(60);
    w->ro.progress_deadline_abort = true;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    char h[RSIM_CTL_NAMEMAX];
    strcpy(w->stuck_hash, hash_of("v2", h));
    w->now = RSIM_SEC(10);
    settle(w, 10);
    w->now = w->fx.requeue_at;
    pass(w);
    assert_true(w->st.status.abort);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    assert_non_null(strstr(w->st.status.message, "has timed out progressing"));
    settle(w, 10);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0); /* basic: drained at once (§22.14) */
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4);
    free(w);
}

static void test_controller_22_12_no_deadline_during_pause(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    add_weight(w, 50);
    add_pause(w, -1);
    w->ro.progress_deadline = RSIM_SEC(60);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    w->now = RSIM_SEC(3600);
    settle(w, 3);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    assert_string_equal(rsim_controller_find_condition(&w->st, RSIM_CTL_COND_PROGRESSING)->reason,
                        "RolloutPaused");
    free(w);
}

/* ---- §22 checklist ---- */

static void test_controller_22_1_tr_keeps_stable_at_n(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 100);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 4); /* 2N in total */
    free(w);
}

static void test_controller_22_4_dynamic_stable_lags_weight(void **state)
{
    (void)state;
    world *w = world_new(10, true);
    w->ro.canary.dynamic_stable_scale = true;
    add_weight(w, 30);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 3);
    /* walk until the weight is first recorded at 30 */
    int guard = 0;
    while (w->st.status.weights.canary != 30 && guard++ < 20) {
        pass(w);
        apply(w);
    }
    assert_int_equal(w->st.status.weights.canary, 30);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 10); /* not yet: persisted weight lagged */
    pass(w);
    apply(w);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 7);
    free(w);
}

static void test_controller_22_5_one_step_per_reconcile(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 25);
    add_weight(w, 25);
    add_weight(w, 25);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 2);
    int32_t last = w->st.status.current_step_index;
    for (int i = 0; i < 12; i++) {
        pass(w);
        int32_t idx = w->st.status.current_step_index;
        assert_true(idx - last <= 1);
        if (fx_has(w, RSIM_CTL_FX_RS_SCALE) && idx > last) {
            fail_msg("a scaling reconcile completed a step");
        }
        last = idx;
        apply(w);
    }
    free(w);
}

static void test_controller_22_6_pause_timer_starts_at_condition(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 25);
    add_pause(w, RSIM_SEC(30));
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    char h[RSIM_CTL_NAMEMAX];
    strcpy(w->stuck_hash, hash_of("v2", h));
    w->now = RSIM_SEC(10);
    settle(w, 10); /* canary scaled at t=10, its pods not available yet */
    assert_null(rsim_controller_find_pause(&w->st.status, RSIM_CTL_PAUSE_CANARY_STEP));
    w->stuck_hash[0] = '\0';
    w->now = RSIM_SEC(40); /* pods come up late */
    apply(w);
    settle(w, 10);
    const rsim_ctl_pause_cond *pc =
        rsim_controller_find_pause(&w->st.status, RSIM_CTL_PAUSE_CANARY_STEP);
    assert_non_null(pc);
    assert_int_equal(pc->start_time, RSIM_SEC(40));
    free(w);
}

static void test_controller_22_10_background_success_not_rerun(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 25);
    add_pause(w, -1);
    w->ro.canary.background.set = true;
    deploy_v1(w);
    assert_int_equal(w->st.n_ars, 0); /* none for the initial deploy */
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    rsim_ctl_ar *bg = current_ar(w, RSIM_CTL_AR_BACKGROUND);
    assert_non_null(bg);
    bg->phase = RSIM_ANALYSIS_SUCCESSFUL;
    size_t n = w->st.n_ars;
    settle(w, 5);
    assert_int_equal(w->st.n_ars, n);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED); /* does not gate, does not end */
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    settle(w, 10);
    assert_int_equal(w->st.n_ars, n);
    free(w);
}

static void test_controller_22_14_basic_abort_drains_within_unavailable(void **state)
{
    (void)state;
    world *w = world_new(4, false); /* surge 1, unavailable 1 */
    add_weight(w, 50);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    rsim_controller_abort(&w->st);
    int32_t min_avail = 100;
    for (int i = 0; i < 20; i++) {
        pass(w);
        apply(w);
        int32_t a = rs_of(w, "v1")->available + rs_of(w, "v2")->available;
        min_avail = a < min_avail ? a : min_avail;
    }
    assert_true(min_avail >= 3);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.svc_canary, hash_of("v1", h)); /* §12.1 */
    free(w);
}

static void test_controller_14_5_undo_to_stable_skips_steps(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 50);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 10);
    assert_true(rsim_controller_undo(&w->st, 1));
    pass(w);
    assert_non_null(fx_event(w, "SkipSteps"));
    assert_int_equal(w->st.status.current_step_index, 2);
    settle(w, 10);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v1", h));
    assert_int_equal(rs_of(w, "v1")->revision, 3); /* the reused RS takes the next revision */
    free(w);
}

static void test_controller_10_3_revision_limit(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 50);
    w->ro.canary.scale_down_delay_revision_limit.set = true;
    w->ro.canary.scale_down_delay_revision_limit.value = 1;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4); /* waiting out its delay */
    assert_int_equal(rs_of(w, "v1")->scale_down_deadline, RSIM_SEC(30));
    w->now = RSIM_SEC(5);
    rsim_controller_set_template(&w->st, "v3", "web:3");
    settle(w, 20);
    assert_string_equal(w->st.status.stable_rs, hash_of("v3", h));
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0); /* beyond the limit: at once */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 4); /* the newest old RS waits */
    assert_int_equal(rs_of(w, "v2")->scale_down_deadline, RSIM_SEC(35));
    free(w);
}

static void test_controller_12_3_dynamic_abort_walks_weight_down(void **state)
{
    (void)state;
    world *w = world_new(10, true);
    w->ro.canary.dynamic_stable_scale = true;
    add_weight(w, 20);
    add_weight(w, 60);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 30);
    assert_int_equal(w->st.status.weights.canary, 60);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4);
    rsim_controller_abort(&w->st);
    int32_t last = 60;
    char h[RSIM_CTL_NAMEMAX];
    hash_of("v1", h);
    for (int i = 0; i < 30; i++) {
        pass(w);
        int32_t cw = w->st.status.weights.canary;
        assert_true(cw <= last); /* only ever down */
        if (cw > 0) {
            assert_string_not_equal(w->st.svc_canary, h); /* switched only at 0 */
        }
        last = cw;
        apply(w);
    }
    assert_int_equal(last, 0);
    assert_string_equal(w->st.svc_canary, h);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 10);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0); /* no explicit delay: follows weight */
    free(w);
}

static void test_controller_17_3_no_deadline_while_old_rs_waits(void **state)
{
    (void)state;
    world *w = world_new(4, true);
    add_weight(w, 50);
    w->ro.progress_deadline = RSIM_SEC(10);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    assert_int_equal(rs_of(w, "v1")->scale_down_deadline, RSIM_SEC(30));
    w->now = RSIM_SEC(25); /* past the progress deadline, inside the scale-down delay */
    settle(w, 3);
    assert_int_not_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    w->now = RSIM_SEC(30);
    settle(w, 5);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    free(w);
}

/* ---- §1.7 revision-history cleanup ---- */

/* A new template rolled out to completion, then one more pass and apply so a cleanup that waits
 * for the old RS to drain has run. Returns whether any pass deleted an RS. */
static bool roll_to(world *w, const char *key, const char *image)
{
    rsim_controller_set_template(&w->st, key, image);
    bool deleted = false;
    for (int i = 0; i < 40; i++) {
        pass(w);
        deleted |= fx_has(w, RSIM_CTL_FX_RS_DELETE);
        apply(w);
    }
    return deleted;
}

static void test_controller_1_7_limit_1_keeps_newest_old(void **state)
{
    (void)state;
    world *w = world_new(3, false);
    w->ro.revision_history_limit = 1;
    deploy_v1(w);
    assert_false(roll_to(w, "v2", "web:2")); /* one old RS: within the limit */
    assert_int_equal(w->st.n_rs, 2);
    assert_true(roll_to(w, "v3", "web:3"));
    assert_true(roll_to(w, "v4", "web:4"));
    assert_int_equal(w->st.n_rs, 2);
    assert_null(rs_of(w, "v1"));
    assert_null(rs_of(w, "v2"));
    assert_int_equal(rs_of(w, "v3")->revision, 3);
    assert_int_equal(rs_of(w, "v4")->spec_replicas, 3);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v4", h));
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    free(w);
}

static void test_controller_1_7_limit_0_and_undo_of_deleted_revision(void **state)
{
    (void)state;
    world *w = world_new(3, false);
    w->ro.revision_history_limit = 0;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    bool deleted = false;
    for (int i = 0; i < 40; i++) {
        pass(w);
        for (size_t k = 0; k < w->fx.n; k++) {
            const rsim_ctl_fx *f = &w->fx.items[k];
            if (f->kind == RSIM_CTL_FX_RS_DELETE) {
                char h[RSIM_CTL_NAMEMAX];
                assert_string_equal(f->hash, hash_of("v1", h));
                assert_int_equal(f->revision, 1);
                deleted = true;
            }
        }
        apply(w);
    }
    assert_true(deleted);
    assert_true(roll_to(w, "v3", "web:3"));
    assert_int_equal(w->st.n_rs, 1);
    assert_non_null(rs_of(w, "v3"));
    /* undo --to-revision of a deleted revision: no such revision, nothing patched */
    int64_t serial = w->st.template_serial;
    assert_false(rsim_controller_undo(&w->st, 1));
    assert_false(rsim_controller_undo(&w->st, 2));
    assert_false(rsim_controller_undo(&w->st, 0)); /* no previous revision left either */
    assert_int_equal(w->st.template_serial, serial);
    assert_string_equal(w->st.template_key, "v3");
    free(w);
}

static void test_controller_1_7_stable_and_current_never_deleted(void **state)
{
    (void)state;
    world *w = world_new(4, false);
    w->ro.revision_history_limit = 0;
    add_weight(w, 50);
    add_pause(w, -1);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 30);
    assert_true(rsim_controller_has_pause(&w->st.status, RSIM_CTL_PAUSE_CANARY_STEP));
    assert_int_equal(w->st.n_rs, 2); /* stable v1 and current v2, limit 0 */
    assert_non_null(rs_of(w, "v1"));
    assert_non_null(rs_of(w, "v2"));
    /* A third template mid-rollout: v2 is neither, drains and goes; v1 stays stable. */
    roll_to(w, "v3", "web:3");
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v1", h));
    assert_null(rs_of(w, "v2"));
    assert_non_null(rs_of(w, "v1"));
    assert_non_null(rs_of(w, "v3"));
    assert_int_equal(w->st.n_rs, 2);
    free(w);
}

static void test_controller_1_7_rs_still_scaling_down_is_kept(void **state)
{
    (void)state;
    world *w = world_new(4, true); /* scaleDownDelaySeconds 30 */
    w->ro.revision_history_limit = 0;
    add_weight(w, 50);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v2", h));
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 4); /* waiting out its delay: kept */
    pass(w);
    apply(w);
    assert_non_null(rs_of(w, "v1"));
    w->now = RSIM_SEC(30);
    pass(w); /* scales v1 to 0; its pods are still there */
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0);
    assert_false(fx_has(w, RSIM_CTL_FX_RS_DELETE));
    pass(w); /* the world has not caught up: still 4 pods */
    assert_false(fx_has(w, RSIM_CTL_FX_RS_DELETE));
    assert_non_null(rs_of(w, "v1"));
    apply(w);
    pass(w);
    assert_true(fx_has(w, RSIM_CTL_FX_RS_DELETE));
    assert_null(rs_of(w, "v1"));
    assert_int_equal(w->st.n_rs, 1);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_19_initial_deploy),
        cmocka_unit_test(test_controller_basic_canary_setweight_pause_promote),
        cmocka_unit_test(test_controller_22_3_weight_waits_for_pods),
        cmocka_unit_test(test_controller_5_3_timed_pause_and_10_3_scale_down_delay),
        cmocka_unit_test(test_controller_12_2_abort_on_failed_analysis),
        cmocka_unit_test(test_controller_23_e4_explicit_zero_abort_delay),
        cmocka_unit_test(test_controller_22_8_inconclusive_pauses_then_promote),
        cmocka_unit_test(test_controller_22_7_abort_resets_index_and_retry),
        cmocka_unit_test(test_controller_14_4_promote_full),
        cmocka_unit_test(test_controller_14_8_template_change_mid_rollout),
        cmocka_unit_test(test_controller_17_3_progress_deadline),
        cmocka_unit_test(test_controller_17_4_progress_deadline_abort),
        cmocka_unit_test(test_controller_22_12_no_deadline_during_pause),
        cmocka_unit_test(test_controller_22_1_tr_keeps_stable_at_n),
        cmocka_unit_test(test_controller_22_4_dynamic_stable_lags_weight),
        cmocka_unit_test(test_controller_22_5_one_step_per_reconcile),
        cmocka_unit_test(test_controller_22_6_pause_timer_starts_at_condition),
        cmocka_unit_test(test_controller_22_10_background_success_not_rerun),
        cmocka_unit_test(test_controller_22_14_basic_abort_drains_within_unavailable),
        cmocka_unit_test(test_controller_14_5_undo_to_stable_skips_steps),
        cmocka_unit_test(test_controller_10_3_revision_limit),
        cmocka_unit_test(test_controller_17_3_no_deadline_while_old_rs_waits),
        cmocka_unit_test(test_controller_12_3_dynamic_abort_walks_weight_down),
        cmocka_unit_test(test_controller_1_7_limit_1_keeps_newest_old),
        cmocka_unit_test(test_controller_1_7_limit_0_and_undo_of_deleted_revision),
        cmocka_unit_test(test_controller_1_7_stable_and_current_never_deleted),
        cmocka_unit_test(test_controller_1_7_rs_still_scaling_down_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
