/* test_controller_restart.c - pod restarts (§14.6) over a fake world: the test plays the
 * cluster, setting each ReplicaSet's observed counts and its number of pods older than
 * spec.restartAt (rsim_ctl_rs.restart_old) before each pass.
 * Pinned: the per-pass budget available - (max(N, total) - max(maxUnavailable, 1)), the
 * priority stable → new → older, the 30 s recheck, a canary pass that evicted ends early
 * (nothing scaled, status untouched), the "rollout is restarting" phase, status.restartedAt once
 * no old pod remains, a restartAt in the future (requeue at it), and a new template cancelling
 * the restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "controller_int.h"

typedef struct world {
    rsim_spec_rollout ro;
    rsim_spec_canary_step steps[4];
    rsim_ctl_state st;
    rsim_ctl_opts opts;
    rsim_ctl_effects fx;
    rsim_time now;
} world;

/* A basic canary of n pods (steps setWeight 50, pause), deployed and Healthy at t = 0. */
static world *world_new(int32_t n)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->ro.name = "web";
    w->ro.replicas.value = n;
    w->ro.strategy = RSIM_STRATEGY_CANARY;
    w->ro.progress_deadline = RSIM_SEC(600);
    w->ro.revision_history_limit = 10;
    w->ro.canary.canary_service = "";
    w->ro.canary.stable_service = "";
    w->ro.canary.steps = w->steps;
    w->steps[0].types = w->steps[0].primary = RSIM_STEP_SET_WEIGHT;
    w->steps[0].set_weight = 50;
    w->steps[1].types = w->steps[1].primary = RSIM_STEP_PAUSE;
    w->ro.canary.n_steps = 2;
    rsim_controller_opts_init(&w->opts);
    rsim_controller_state_init(&w->st, &w->ro, "v1", "web:1");
    for (int i = 0; i < 16; i++) {
        rsim_controller_reconcile(&w->st, 0, &w->opts, &w->fx);
        for (size_t k = 0; k < w->st.n_rs; k++) {
            rsim_ctl_rs *rs = &w->st.rs[k];
            rs->replicas = rs->ready = rs->available = rs->spec_replicas;
        }
        if (!w->fx.status_changed && w->fx.n == 0) {
            break;
        }
    }
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    return w;
}

static void observe(rsim_ctl_rs *rs, int32_t available, int32_t old)
{
    rs->replicas = rs->ready = rs->available = available;
    rs->restart_old = old;
}

static void pass(world *w)
{
    rsim_controller_reconcile(&w->st, w->now, &w->opts, &w->fx);
    assert_int_equal(w->fx.n_dropped, 0);
}

static size_t count(const world *w, rsim_ctl_fx_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < w->fx.n; i++) {
        n += w->fx.items[i].kind == kind;
    }
    return n;
}

static const rsim_ctl_fx *evict_at(const world *w, size_t k)
{
    for (size_t i = 0; i < w->fx.n; i++) {
        if (w->fx.items[i].kind == RSIM_CTL_FX_POD_EVICT && k-- == 0) {
            return &w->fx.items[i];
        }
    }
    return NULL;
}

/* Five pods, maxUnavailable 25 % → 1: one pod per round, each round waiting for the replacement
 * to be available; the phase says the rollout is restarting until none is left. */
static void test_controller_14_6_one_pod_at_a_time_then_restarted_at(void **state)
{
    (void)state;
    world *w = world_new(5);
    rsim_ctl_rs *rs = &w->st.rs[0];
    w->now = RSIM_SEC(60) + 400;
    rsim_controller_restart(&w->st, w->now);
    assert_int_equal(w->st.restart_at, RSIM_SEC(60));
    for (int32_t left = 5; left > 0; left--) {
        observe(rs, 5, left);
        pass(w);
        assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 1);
        const rsim_ctl_fx *f = evict_at(w, 0);
        assert_string_equal(f->hash, rs->hash);
        assert_int_equal(f->replicas, 1);
        assert_int_equal(f->deadline, RSIM_SEC(60));
        assert_int_equal(w->fx.requeue_at, w->now + RSIM_SEC(30));
        assert_false(w->fx.status_changed); /* the canary pass ended early */
        /* The evicted pod is going: 4 available, the budget is 0, the pass runs on. */
        observe(rs, 4, left - 1);
        w->now += 100;
        pass(w);
        assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 0);
        assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PROGRESSING);
        if (left > 1) {
            assert_string_equal(w->st.status.message, "rollout is restarting");
            assert_int_equal(w->fx.requeue_at, w->now + RSIM_SEC(30));
        }
        w->now += RSIM_SEC(10);
    }
    assert_int_equal(w->st.status.restarted_at, RSIM_SEC(60));
    observe(rs, 5, 0);
    pass(w);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 0);
    free(w);
}

/* Mid-canary, with maxUnavailable 3: the budget spans ReplicaSets, stable first, then new. */
static void test_controller_14_6_budget_and_priority(void **state)
{
    (void)state;
    world *w = world_new(4);
    w->ro.canary.max_unavailable.set = true;
    w->ro.canary.max_unavailable.value = 3;
    w->now = RSIM_SEC(10);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    for (int i = 0; i < 8; i++) {
        pass(w);
        for (size_t k = 0; k < w->st.n_rs; k++) {
            observe(&w->st.rs[k], w->st.rs[k].spec_replicas, 0);
        }
    }
    assert_int_equal(w->st.n_rs, 2);
    rsim_ctl_rs *stable = rsim_controller_find_rs(&w->st, w->st.status.stable_rs);
    rsim_ctl_rs *canary = stable == &w->st.rs[0] ? &w->st.rs[1] : &w->st.rs[0];
    assert_int_equal(stable->spec_replicas + canary->spec_replicas, 4);
    w->now = RSIM_SEC(60);
    rsim_controller_restart(&w->st, w->now);
    /* available 4 - (max(4, 4) - 3) = 3: all old stable pods, then the new RS's. */
    observe(stable, stable->spec_replicas, stable->spec_replicas);
    observe(canary, canary->spec_replicas, canary->spec_replicas);
    pass(w);
    assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 2);
    assert_string_equal(evict_at(w, 0)->hash, stable->hash);
    assert_int_equal(evict_at(w, 0)->replicas, 2);
    assert_string_equal(evict_at(w, 1)->hash, canary->hash);
    assert_int_equal(evict_at(w, 1)->replicas, 1);
    assert_int_equal(count(w, RSIM_CTL_FX_RS_SCALE), 0);
    free(w);
}

/* A restartAt in the future: nothing evicted, a pass is asked for at restartAt. A new template
 * while restarting cancels the restart (restartedAt = restartAt). */
static void test_controller_14_6_future_restart_at_and_template_cancel(void **state)
{
    (void)state;
    world *w = world_new(3);
    rsim_ctl_rs *rs = &w->st.rs[0];
    rsim_controller_restart(&w->st, RSIM_SEC(120));
    w->now = RSIM_SEC(60);
    observe(rs, 3, 3);
    pass(w);
    assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 0);
    assert_int_equal(w->fx.requeue_at, RSIM_SEC(120));
    assert_false(rsim_controller_needs_restart(&w->st, w->now));
    w->now = RSIM_SEC(120);
    assert_true(rsim_controller_needs_restart(&w->st, w->now));
    rsim_controller_set_template(&w->st, "v2", "web:2");
    pass(w);
    assert_int_equal(count(w, RSIM_CTL_FX_RS_CREATE), 1);
    assert_int_equal(w->st.status.restarted_at, RSIM_SEC(120));
    pass(w);
    assert_int_equal(count(w, RSIM_CTL_FX_POD_EVICT), 0);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_14_6_one_pod_at_a_time_then_restarted_at),
        cmocka_unit_test(test_controller_14_6_budget_and_priority),
        cmocka_unit_test(test_controller_14_6_future_restart_at_and_template_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
