/* test_controller_bluegreen.c - the blue-green pass over many reconciles, driven by a tiny fake
 * world: after each pass the world applies the effects (RS sizes become status counts; pods are
 * ready and available at once unless a ReplicaSet is marked as never becoming available) and
 * feeds AnalysisRun phases chosen by the test.
 * Pinned: initial deploy (§19); preview switch and auto-promotion with the old RS kept for
 * scaleDownDelaySeconds (§13.1, §13.5, §13.6, §10.3); manual promotion (§13.3); the
 * autoPromotionSeconds wait, and a plain promote during it restarting the wait (§23 I11);
 * previewReplicaCount and the scale-up checkpoint (§13.2); pre-promotion analysis success and
 * failure with the abort delay of the preview RS (§13.4, §12.4); post-promotion analysis started
 * only after the switch, gating promotion and the old RS scale-down (§13.5, §23 I12, §10.3);
 * spec.paused halting the service switches but not the scaling (§23 I10); status counts from
 * the active RS (§13.8); explicit scaleDownDelaySeconds 0 keeping the old RS (§23 I7).
 * Not pinned: pod restarts (§14.6), ALB target verification (not modelled). */
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
    rsim_spec_container container;
    rsim_spec_template_ref tref;
    rsim_ctl_state st;
    rsim_ctl_opts opts;
    rsim_ctl_effects fx;
    rsim_time now;
    char stuck_hash[RSIM_CTL_NAMEMAX]; /* pods of this RS never become available */
} world;

static world *world_new(int32_t n)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->container.name = "web";
    w->container.image = "web:1";
    w->tref.template_name = "smoke";
    w->ro.name = "web";
    w->ro.replicas.value = n;
    w->ro.n_containers = 1;
    w->ro.containers = &w->container;
    w->ro.strategy = RSIM_STRATEGY_BLUE_GREEN;
    w->ro.progress_deadline = RSIM_SEC(600);
    w->ro.revision_history_limit = 10;
    rsim_spec_blue_green *bg = &w->ro.blue_green;
    bg->active_service = "web-active";
    bg->preview_service = "web-preview";
    bg->auto_promotion_enabled = true;
    bg->scale_down_delay.value = RSIM_SEC(30);
    bg->abort_scale_down_delay.value = RSIM_SEC(30);
    rsim_controller_opts_init(&w->opts);
    rsim_controller_state_init(&w->st, &w->ro, "v1", "web:1");
    w->now = RSIM_SEC(1000);
    return w;
}

static void set_analysis(world *w, rsim_spec_rollout_analysis *a)
{
    a->set = true;
    a->n_templates = 1;
    a->templates = &w->tref;
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

static bool fx_has(const world *w, rsim_ctl_fx_kind kind)
{
    for (size_t i = 0; i < w->fx.n; i++) {
        if (w->fx.items[i].kind == kind) {
            return true;
        }
    }
    return false;
}

static const rsim_ctl_fx *fx_find(const world *w, rsim_ctl_fx_kind kind, const char *name)
{
    for (size_t i = 0; i < w->fx.n; i++) {
        const rsim_ctl_fx *f = &w->fx.items[i];
        if (f->kind == kind && (name == NULL || strcmp(f->name, name) == 0 ||
                                (kind == RSIM_CTL_FX_EVENT && strcmp(f->reason, name) == 0))) {
            return f;
        }
    }
    return NULL;
}

static void pass(world *w)
{
    rsim_controller_reconcile(&w->st, w->now, &w->opts, &w->fx);
    assert_int_equal(w->fx.n_dropped, 0);
}

/* Pass, apply, repeat (one simulated second apart) while the pass changed anything. */
static void settle(world *w, int max)
{
    for (int i = 0; i < max; i++) {
        pass(w);
        bool acted = w->fx.status_changed || fx_has(w, RSIM_CTL_FX_RS_SCALE) ||
                     fx_has(w, RSIM_CTL_FX_RS_CREATE) || fx_has(w, RSIM_CTL_FX_SERVICE_SELECT) ||
                     fx_has(w, RSIM_CTL_FX_AR_CREATE);
        apply(w);
        w->now += RSIM_SEC(1);
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

static const char *hash_of(const char *key, char h[RSIM_CTL_NAMEMAX])
{
    rsim_controller_template_hash(key, h);
    return h;
}

/* v1 deployed and healthy. */
static void deploy_v1(world *w)
{
    settle(w, 20);
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v1", h));
    assert_string_equal(w->st.svc_active, h);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
}

static rsim_ctl_ar *run_of(world *w, rsim_ctl_ar_kind kind)
{
    return rsim_controller_current_ar(&w->st, kind, -1);
}

/* ---- tests ---- */

static void test_controller_bluegreen_initial_deploy_19(void **state)
{
    (void)state;
    world *w = world_new(3);
    pass(w); /* §18.4: the RS is created at 0 and the pass ends */
    assert_true(fx_has(w, RSIM_CTL_FX_RS_CREATE));
    assert_int_equal(w->st.n_rs, 1);
    assert_int_equal(w->st.rs[0].spec_replicas, 0);
    pass(w); /* the template is new to the status: reset, and promoted at once (§19) */
    char h[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.status.stable_rs, hash_of("v1", h));
    assert_string_equal(w->st.svc_active, "");
    deploy_v1(w);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 3);
    assert_string_equal(w->st.svc_preview, h);
    free(w);
}

static void test_controller_bluegreen_auto_promotion_and_delay_13_5_13_6(void **state)
{
    (void)state;
    world *w = world_new(3);
    deploy_v1(w);
    char h1[RSIM_CTL_NAMEMAX];
    char h2[RSIM_CTL_NAMEMAX];
    hash_of("v1", h1);
    hash_of("v2", h2);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    pass(w);
    apply(w); /* created */
    pass(w);  /* §13.1: the preview service follows the new RS at once */
    assert_string_equal(w->st.svc_preview, h2);
    assert_string_equal(w->st.svc_active, h1);
    pass(w); /* scaled to N; the active RS stays at N */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 3);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 3);
    assert_string_equal(w->st.svc_active, h1); /* not yet available */
    apply(w);
    w->now += RSIM_SEC(1);
    pass(w); /* saturated, no pause by default: switch and promote in the same pass */
    assert_string_equal(w->st.svc_active, h2);
    assert_string_equal(w->st.status.stable_rs, h2);
    assert_int_equal(w->st.status.n_pause, 0);
    assert_non_null(fx_find(w, RSIM_CTL_FX_EVENT, "RolloutCompleted"));
    /* §13.6: the old active RS is annotated on the next pass and kept at N for 30 s. */
    apply(w);
    w->now += RSIM_SEC(1);
    pass(w);
    rsim_ctl_rs *old = rs_of(w, "v1");
    assert_true(old->scale_down_deadline > w->now);
    assert_int_equal(old->spec_replicas, 3);
    rsim_time deadline = old->scale_down_deadline;
    assert_int_equal(w->fx.requeue_at, deadline);
    w->now = deadline - 1;
    pass(w);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 3);
    w->now = deadline; /* no time left before the deadline: scaled down */
    pass(w);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0);
    free(w);
}

static void test_controller_bluegreen_manual_promotion_13_3(void **state)
{
    (void)state;
    world *w = world_new(2);
    w->ro.blue_green.auto_promotion_enabled = false;
    deploy_v1(w); /* the initial deploy is fast-tracked: no pause */
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    char h1[RSIM_CTL_NAMEMAX];
    char h2[RSIM_CTL_NAMEMAX];
    hash_of("v1", h1);
    hash_of("v2", h2);
    assert_true(rsim_controller_has_pause(&w->st.status, RSIM_CTL_PAUSE_BLUE_GREEN));
    assert_true(w->st.status.controller_pause);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    assert_string_equal(w->st.status.message, "BlueGreenPause");
    assert_string_equal(w->st.svc_active, h1);
    assert_string_equal(w->st.svc_preview, h2);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 2);
    w->now += RSIM_MIN(60); /* no timer: it waits for a human */
    settle(w, 5);
    assert_string_equal(w->st.svc_active, h1);
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    settle(w, 20);
    assert_string_equal(w->st.svc_active, h2);
    assert_string_equal(w->st.status.stable_rs, h2);
    assert_int_equal(w->st.status.n_pause, 0);
    free(w);
}

static void test_controller_bluegreen_auto_promotion_seconds_i11(void **state)
{
    (void)state;
    world *w = world_new(2);
    w->ro.blue_green.auto_promotion_delay = RSIM_SEC(60);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    char h1[RSIM_CTL_NAMEMAX];
    char h2[RSIM_CTL_NAMEMAX];
    hash_of("v1", h1);
    hash_of("v2", h2);
    const rsim_ctl_pause_cond *pc =
        rsim_controller_find_pause(&w->st.status, RSIM_CTL_PAUSE_BLUE_GREEN);
    assert_non_null(pc);
    rsim_time start = pc->start_time;
    /* A plain promote clears the condition but does not complete the pause: the wait restarts
     * (§23 I11). */
    w->now = start + RSIM_SEC(30);
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    settle(w, 20);
    assert_string_equal(w->st.svc_active, h1);
    pc = rsim_controller_find_pause(&w->st.status, RSIM_CTL_PAUSE_BLUE_GREEN);
    assert_non_null(pc);
    assert_true(pc->start_time > start);
    start = pc->start_time;
    /* Completion is strictly after start + 60 s. */
    w->now = start + RSIM_SEC(60);
    pass(w);
    assert_string_equal(w->st.svc_active, h1);
    w->now = start + RSIM_SEC(61);
    settle(w, 10);
    assert_string_equal(w->st.svc_active, h2);
    assert_string_equal(w->st.status.stable_rs, h2);
    free(w);
}

static void test_controller_bluegreen_preview_replica_count_13_2(void **state)
{
    (void)state;
    world *w = world_new(4);
    w->ro.blue_green.auto_promotion_enabled = false;
    w->ro.blue_green.preview_replica_count.set = true;
    w->ro.blue_green.preview_replica_count.value = 1;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 1);
    assert_true(rsim_controller_has_pause(&w->st.status, RSIM_CTL_PAUSE_BLUE_GREEN));
    assert_false(w->st.status.blue_green.scale_up_preview_check_point);
    rsim_controller_promote(&w->st, RSIM_CTL_PROMOTE);
    pass(w); /* §18 step 6: this pass only records RolloutResumed */
    assert_false(w->st.status.blue_green.scale_up_preview_check_point);
    pass(w); /* the pause is complete: the checkpoint flips, the RS keeps its size this pass */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 1);
    assert_true(w->st.status.blue_green.scale_up_preview_check_point);
    settle(w, 20);
    char h2[RSIM_CTL_NAMEMAX];
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 4);
    assert_string_equal(w->st.svc_active, hash_of("v2", h2));
    assert_string_equal(w->st.status.stable_rs, h2);
    assert_false(w->st.status.blue_green.scale_up_preview_check_point);
    free(w);
}

static void test_controller_bluegreen_pre_promotion_success_13_4(void **state)
{
    (void)state;
    world *w = world_new(2);
    set_analysis(w, &w->ro.blue_green.pre_promotion);
    deploy_v1(w);
    assert_int_equal(w->st.n_ars, 0); /* no analysis for the initial deploy */
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    rsim_ctl_ar *pre = run_of(w, RSIM_CTL_AR_PRE);
    assert_non_null(pre);
    char h1[RSIM_CTL_NAMEMAX];
    char h2[RSIM_CTL_NAMEMAX];
    assert_string_equal(pre->pod_hash, hash_of("v2", h2));
    assert_string_equal(w->st.svc_active, hash_of("v1", h1)); /* waits for the run */
    pre->phase = RSIM_ANALYSIS_RUNNING;
    settle(w, 5);
    assert_string_equal(w->st.svc_active, h1);
    run_of(w, RSIM_CTL_AR_PRE)->phase = RSIM_ANALYSIS_SUCCESSFUL;
    settle(w, 20);
    assert_string_equal(w->st.svc_active, h2);
    assert_string_equal(w->st.status.stable_rs, h2);
    free(w);
}

static void test_controller_bluegreen_pre_promotion_failure_aborts_12_4(void **state)
{
    (void)state;
    world *w = world_new(2);
    set_analysis(w, &w->ro.blue_green.pre_promotion);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    rsim_ctl_ar *pre = run_of(w, RSIM_CTL_AR_PRE);
    assert_non_null(pre);
    pre->phase = RSIM_ANALYSIS_FAILED;
    rsim_controller_copy(pre->message, sizeof pre->message, "Metric \"smoke\" assessed Failed");
    pass(w); /* the failure is found and persisted at the end of the pass (§23 I9) */
    assert_true(w->st.status.abort);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    apply(w);
    w->now += RSIM_SEC(1);
    pass(w); /* stable fully available: the preview RS gets the abort deadline, keeps its size */
    char h1[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.svc_active, hash_of("v1", h1));
    assert_string_equal(w->st.status.stable_rs, h1);
    rsim_ctl_rs *v2 = rs_of(w, "v2");
    assert_true(v2->scale_down_deadline > w->now);
    assert_int_equal(v2->spec_replicas, 2);
    rsim_time deadline = v2->scale_down_deadline;
    w->now = deadline + 1;
    pass(w);
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 0);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 2);
    free(w);
}

static void test_controller_bluegreen_post_promotion_i12(void **state)
{
    (void)state;
    world *w = world_new(2);
    set_analysis(w, &w->ro.blue_green.post_promotion);
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    char h1[RSIM_CTL_NAMEMAX];
    char h2[RSIM_CTL_NAMEMAX];
    hash_of("v1", h1);
    hash_of("v2", h2);
    /* Run pass by pass until the active service switches. */
    for (int i = 0; i < 20 && strcmp(w->st.svc_active, h2) != 0; i++) {
        pass(w);
        apply(w);
        w->now += RSIM_SEC(1);
    }
    assert_string_equal(w->st.svc_active, h2);
    assert_null(run_of(w, RSIM_CTL_AR_POST)); /* not in the switching pass (§23 I12) */
    assert_string_equal(w->st.status.stable_rs, h1);
    pass(w);
    rsim_ctl_ar *post = run_of(w, RSIM_CTL_AR_POST);
    assert_non_null(post);
    post->phase = RSIM_ANALYSIS_RUNNING;
    w->now += RSIM_MIN(10);
    settle(w, 5);
    /* No explicit scaleDownDelaySeconds: the old RS waits for the run (§10.3). */
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 2);
    assert_string_equal(w->st.status.stable_rs, h1);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PROGRESSING);
    run_of(w, RSIM_CTL_AR_POST)->phase = RSIM_ANALYSIS_SUCCESSFUL;
    settle(w, 5);
    assert_string_equal(w->st.status.stable_rs, h2);
    rsim_ctl_rs *old = rs_of(w, "v1");
    assert_true(old->scale_down_deadline >= 0);
    w->now = old->scale_down_deadline + 1;
    settle(w, 5);
    assert_int_equal(rs_of(w, "v1")->spec_replicas, 0);
    free(w);
}

static void test_controller_bluegreen_spec_paused_i10(void **state)
{
    (void)state;
    world *w = world_new(2);
    deploy_v1(w);
    rsim_controller_pause(&w->st);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    char h1[RSIM_CTL_NAMEMAX];
    hash_of("v1", h1);
    /* Scaling goes on; the preview and active switches do not. */
    assert_int_equal(rs_of(w, "v2")->spec_replicas, 2);
    assert_string_equal(w->st.svc_preview, h1);
    assert_string_equal(w->st.svc_active, h1);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    rsim_controller_resume(&w->st);
    settle(w, 20);
    char h2[RSIM_CTL_NAMEMAX];
    assert_string_equal(w->st.svc_active, hash_of("v2", h2));
    free(w);
}

static void test_controller_bluegreen_status_counts_13_8(void **state)
{
    (void)state;
    world *w = world_new(3);
    w->ro.blue_green.auto_promotion_enabled = false;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    /* Both RSs run 3 pods; available and ready count the active RS only. */
    assert_int_equal(w->st.status.replicas, 6);
    assert_int_equal(w->st.status.updated_replicas, 3);
    assert_int_equal(w->st.status.available_replicas, 3);
    assert_int_equal(w->st.status.ready_replicas, 3);
    free(w);
}

static void test_controller_bluegreen_zero_delay_keeps_old_i7(void **state)
{
    (void)state;
    world *w = world_new(2);
    w->ro.blue_green.scale_down_delay.set = true;
    w->ro.blue_green.scale_down_delay.value = 0;
    deploy_v1(w);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w, 20);
    w->now += RSIM_MIN(30);
    settle(w, 5);
    rsim_ctl_rs *old = rs_of(w, "v1");
    assert_int_equal(old->spec_replicas, 2);
    assert_int_equal(old->scale_down_deadline, -1);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_bluegreen_initial_deploy_19),
        cmocka_unit_test(test_controller_bluegreen_auto_promotion_and_delay_13_5_13_6),
        cmocka_unit_test(test_controller_bluegreen_manual_promotion_13_3),
        cmocka_unit_test(test_controller_bluegreen_auto_promotion_seconds_i11),
        cmocka_unit_test(test_controller_bluegreen_preview_replica_count_13_2),
        cmocka_unit_test(test_controller_bluegreen_pre_promotion_success_13_4),
        cmocka_unit_test(test_controller_bluegreen_pre_promotion_failure_aborts_12_4),
        cmocka_unit_test(test_controller_bluegreen_post_promotion_i12),
        cmocka_unit_test(test_controller_bluegreen_spec_paused_i10),
        cmocka_unit_test(test_controller_bluegreen_status_counts_13_8),
        cmocka_unit_test(test_controller_bluegreen_zero_delay_keeps_old_i7),
    };
    return cmocka_run_group_tests_name("controller_bluegreen", tests, NULL, NULL);
}
