/* test_controller_experiment.c - the canary `experiment` step (§5.5) and the Experiments it
 * creates (§15.8), over a fake world: after each pass the world applies the effects (RS sizes
 * become status counts, pods available at once unless the Experiment's are held back) and feeds
 * the AnalysisRun phases chosen by the test.
 * Pinned: one ReplicaSet per template with the canary or stable image and default 1 replica;
 * duration counted from availableAt; analyses started once the templates are available, with
 * {{templates.<name>.podTemplateHash}} / {{templates.<name>.replicaset.name}} resolved;
 * requiredForCompletion ends the Experiment; without duration nor required analysis it runs on;
 * Failed → abort, Inconclusive → InconclusiveExperiment pause; Successful completes the step;
 * the 30 s scale-down delay; termination on abort.
 * Not pinned: template weights (rejected by the loader), the AnalysisRuns' own evaluation. */
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
    rsim_spec_canary_step steps[4];
    rsim_spec_experiment_template tpls[2];
    rsim_spec_experiment_analysis ans[2];
    rsim_spec_rollout_arg args[2];
    rsim_ctl_state st;
    rsim_ctl_opts opts;
    rsim_ctl_effects fx;
    rsim_time now;
    bool exp_held; /* the Experiment's pods are not available yet */
} world;

/* Steps: setWeight 20, experiment (baseline from stable, canary from canary with 2 replicas,
 * analyses as the test sets them), pause. Traffic-routed, 4 pods. */
static world *world_new(rsim_time duration, size_t n_analyses)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->ro.name = "web";
    w->ro.replicas.value = 4;
    w->ro.strategy = RSIM_STRATEGY_CANARY;
    w->ro.progress_deadline = RSIM_SEC(600);
    w->ro.revision_history_limit = 10;
    w->ro.canary.canary_service = "web-canary";
    w->ro.canary.stable_service = "web-stable";
    w->ro.canary.traffic_routing.set = true;
    w->ro.canary.traffic_routing.routers = RSIM_ROUTER_ISTIO;
    w->ro.canary.scale_down_delay.value = RSIM_SEC(30);
    w->ro.canary.abort_scale_down_delay.value = RSIM_SEC(30);
    w->ro.canary.steps = w->steps;
    w->ro.canary.n_steps = 3;
    w->steps[0].types = w->steps[0].primary = RSIM_STEP_SET_WEIGHT;
    w->steps[0].set_weight = 20;
    w->steps[2].types = w->steps[2].primary = RSIM_STEP_PAUSE; /* pause: {} holds index 2 */
    rsim_spec_canary_step *s = &w->steps[1];
    s->types = s->primary = RSIM_STEP_EXPERIMENT;
    s->experiment.duration.set = duration >= 0;
    s->experiment.duration.value = duration < 0 ? 0 : duration;
    w->tpls[0].name = "baseline";
    w->tpls[0].spec_ref = RSIM_SPEC_REF_STABLE;
    w->tpls[1].name = "canary";
    w->tpls[1].spec_ref = RSIM_SPEC_REF_CANARY;
    w->tpls[1].replicas.set = true;
    w->tpls[1].replicas.value = 2;
    s->experiment.templates = w->tpls;
    s->experiment.n_templates = 2;
    w->ans[0].name = "compare";
    w->ans[0].template_ref.template_name = "compare";
    w->ans[1].name = "smoke";
    w->ans[1].template_ref.template_name = "smoke";
    s->experiment.analyses = w->ans;
    s->experiment.n_analyses = n_analyses;
    rsim_controller_opts_init(&w->opts);
    rsim_controller_state_init(&w->st, &w->ro, "v1", "web:1");
    return w;
}

static void apply(world *w)
{
    for (size_t i = 0; i < w->st.n_rs; i++) {
        rsim_ctl_rs *rs = &w->st.rs[i];
        rs->replicas = rs->ready = rs->available = rs->spec_replicas;
    }
    for (size_t i = 0; i < w->st.n_exps; i++) {
        rsim_ctl_experiment *ex = &w->st.exps[i];
        for (size_t k = 0; k < ex->n_rs; k++) {
            rsim_ctl_exp_rs *rs = &ex->rs[k];
            rs->replicas = rs->spec_replicas;
            rs->ready = rs->available = w->exp_held ? 0 : rs->spec_replicas;
        }
    }
}

static void pass(world *w)
{
    rsim_controller_reconcile(&w->st, w->now, &w->opts, &w->fx);
    assert_int_equal(w->fx.n_dropped, 0);
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

/* Pass and apply while something happens at this instant. */
static void settle(world *w)
{
    for (int i = 0; i < 30; i++) {
        pass(w);
        bool acted = w->fx.status_changed || w->fx.requeue_at == w->now ||
                     fx_has(w, RSIM_CTL_FX_RS_SCALE) || fx_has(w, RSIM_CTL_FX_RS_CREATE) ||
                     fx_has(w, RSIM_CTL_FX_WEIGHT) || fx_has(w, RSIM_CTL_FX_AR_CREATE);
        apply(w);
        if (!acted) {
            return;
        }
    }
    fail_msg("the state does not settle");
}

static void at(world *w, rsim_time t)
{
    w->now = t;
    settle(w);
}

static rsim_ctl_experiment *experiment(world *w)
{
    return rsim_controller_current_exp(&w->st, 1);
}

/* v1 deployed, v2 set, settled at the experiment step (index 1) at t = 10 s. */
static world *at_experiment(rsim_time duration, size_t n_analyses)
{
    world *w = world_new(duration, n_analyses);
    settle(w);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_HEALTHY);
    w->now = RSIM_SEC(10);
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w);
    assert_int_equal(w->st.status.current_step_index, 1);
    assert_non_null(experiment(w));
    return w;
}

/* ---- §15.8 ---- */

static void test_controller_15_8_each_template_is_its_own_rs(void **state)
{
    (void)state;
    world *w = at_experiment(RSIM_SEC(60), 0);
    rsim_ctl_experiment *ex = experiment(w);
    assert_string_equal(ex->name, w->st.exps[0].name);
    assert_int_equal(ex->n_rs, 2);
    assert_string_equal(ex->rs[0].image, "web:1"); /* specRef: stable */
    assert_int_equal(ex->rs[0].spec_replicas, 1);  /* replicas default 1 */
    assert_string_equal(ex->rs[1].image, "web:2"); /* specRef: canary */
    assert_int_equal(ex->rs[1].spec_replicas, 2);
    assert_string_not_equal(ex->rs[0].hash, ex->rs[1].hash);
    assert_null(rsim_controller_find_rs(&w->st, ex->rs[0].hash)); /* not a rollout RS */
    assert_ptr_equal(rsim_controller_find_exp_rs(&w->st, ex->rs[1].hash), &ex->rs[1]);
    assert_int_equal(w->st.n_rs, 2); /* the Rollout's own RSs: v1 and v2 only */
    free(w);
}

static void test_controller_15_8_duration_counts_from_available_at(void **state)
{
    (void)state;
    world *w = world_new(RSIM_SEC(60), 0);
    settle(w);
    w->now = RSIM_SEC(10);
    w->exp_held = true;
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w);
    rsim_ctl_experiment *ex = experiment(w);
    assert_non_null(ex);
    assert_int_equal(ex->phase, RSIM_ANALYSIS_PENDING);
    at(w, RSIM_SEC(100)); /* templates still not available: the clock has not started */
    assert_int_equal(ex->available_at, -1);
    assert_int_equal(w->st.status.current_step_index, 1);
    w->exp_held = false;
    apply(w);
    at(w, RSIM_MS(120500));
    assert_int_equal(ex->available_at, RSIM_SEC(120)); /* truncated (§23 I15) */
    assert_int_equal(ex->phase, RSIM_ANALYSIS_RUNNING);
    at(w, RSIM_SEC(179));
    assert_int_equal(w->st.status.current_step_index, 1);
    at(w, RSIM_SEC(180)); /* availableAt + duration */
    assert_int_equal(ex->phase, RSIM_ANALYSIS_SUCCESSFUL);
    assert_int_equal(w->st.status.current_step_index, 2); /* Successful completes the step */
    /* Scaled down after the Experiment's 30 s delay. */
    assert_int_equal(ex->rs[1].spec_replicas, 2);
    at(w, RSIM_SEC(209));
    assert_int_equal(ex->rs[1].spec_replicas, 2);
    at(w, RSIM_SEC(210));
    assert_int_equal(ex->rs[0].spec_replicas, 0);
    assert_int_equal(ex->rs[1].spec_replicas, 0);
    free(w);
}

static void test_controller_15_8_analyses_start_once_available(void **state)
{
    (void)state;
    world *w = world_new(-1, 1);
    w->args[0].name = "baseline-hash";
    w->args[0].value = "{{ templates.baseline.podTemplateHash }}";
    w->args[1].name = "canary-rs";
    w->args[1].value = "rs={{templates.canary.replicaset.name}}, {{templates.other.x}}";
    w->ans[0].args = w->args;
    w->ans[0].n_args = 2;
    settle(w);
    w->now = RSIM_SEC(10);
    w->exp_held = true;
    rsim_controller_set_template(&w->st, "v2", "web:2");
    settle(w);
    rsim_ctl_experiment *ex = experiment(w);
    assert_false(ex->ars[0].started);
    w->exp_held = false;
    apply(w);
    w->now = RSIM_SEC(20);
    pass(w);
    assert_true(ex->ars[0].started);
    const rsim_ctl_fx *f = NULL;
    for (size_t i = 0; i < w->fx.n; i++) {
        f = w->fx.items[i].kind == RSIM_CTL_FX_AR_CREATE ? &w->fx.items[i] : f;
    }
    assert_non_null(f);
    if (f == NULL) {
        return; /* for the analyzer: assert_non_null has ended the test */
    }
    assert_string_equal(f->name, ex->ars[0].name);
    assert_string_equal(f->hash, w->st.status.current_pod_hash); /* Latest */
    assert_string_equal(f->stable_hash, w->st.status.stable_rs); /* Stable */
    assert_int_equal(f->analysis->n_templates, 1);
    assert_string_equal(f->analysis->templates[0].template_name, "compare");
    /* Upstream's experiment argument placeholders resolve to the template ReplicaSets. */
    assert_int_equal(f->analysis->n_args, 2);
    assert_string_equal(f->analysis->args[0].value, ex->rs[0].hash);
    char want[2 * RSIM_CTL_NAMEMAX + 32];
    snprintf(want, sizeof want, "rs=%s, {{templates.other.x}}", ex->rs[1].name);
    assert_string_equal(f->analysis->args[1].value, want);
    free(w);
}

static void test_controller_15_8_required_analysis_completes_it(void **state)
{
    (void)state;
    world *w = at_experiment(-1, 2);
    w->ans[0].required_for_completion = true;
    rsim_ctl_experiment *ex = experiment(w);
    ex->ars[0].phase = ex->ars[1].phase = RSIM_ANALYSIS_RUNNING;
    at(w, RSIM_SEC(60));
    assert_int_equal(w->st.status.current_step_index, 1);
    ex->ars[0].phase = RSIM_ANALYSIS_SUCCESSFUL;
    w->now = RSIM_SEC(70);
    pass(w);
    assert_int_equal(ex->phase, RSIM_ANALYSIS_SUCCESSFUL);
    assert_true(ex->ars[1].terminate); /* the other analysis is terminated */
    assert_true(fx_has(w, RSIM_CTL_FX_AR_TERMINATE));
    apply(w);
    settle(w);
    assert_int_equal(w->st.status.current_step_index, 2);
    free(w);
}

static void test_controller_15_8_no_duration_nor_required_runs_on(void **state)
{
    (void)state;
    world *w = at_experiment(-1, 1);
    rsim_ctl_experiment *ex = experiment(w);
    ex->ars[0].phase = RSIM_ANALYSIS_SUCCESSFUL; /* not required: does not end it */
    at(w, RSIM_SEC(3600));
    assert_int_equal(ex->phase, RSIM_ANALYSIS_RUNNING);
    assert_int_equal(w->st.status.current_step_index, 1);
    free(w);
}

static void test_controller_15_8_failed_analysis_aborts(void **state)
{
    (void)state;
    world *w = at_experiment(RSIM_SEC(600), 1);
    rsim_ctl_experiment *ex = experiment(w);
    ex->ars[0].phase = RSIM_ANALYSIS_FAILED;
    rsim_controller_copy(ex->ars[0].message, sizeof ex->ars[0].message, "Metric \"x\" failed");
    at(w, RSIM_SEC(30));
    assert_int_equal(ex->phase, RSIM_ANALYSIS_FAILED);
    assert_true(w->st.status.abort);
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_DEGRADED);
    assert_non_null(strstr(w->st.status.message, "Metric \"x\" failed"));
    assert_false(ex->current);
    at(w, RSIM_SEC(60));
    assert_int_equal(ex->rs[0].spec_replicas, 0); /* 30 s after it ended */
    free(w);
}

static void test_controller_15_8_inconclusive_pauses(void **state)
{
    (void)state;
    world *w = at_experiment(RSIM_SEC(600), 1);
    rsim_ctl_experiment *ex = experiment(w);
    ex->ars[0].phase = RSIM_ANALYSIS_INCONCLUSIVE;
    at(w, RSIM_SEC(30));
    assert_int_equal(ex->phase, RSIM_ANALYSIS_INCONCLUSIVE);
    assert_false(w->st.status.abort);
    assert_true(rsim_controller_has_pause(&w->st.status, RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT));
    assert_int_equal(w->st.status.phase, RSIM_CTL_PHASE_PAUSED);
    assert_int_equal(w->st.status.current_step_index, 1);
    free(w);
}

static void test_controller_15_8_terminated_on_abort(void **state)
{
    (void)state;
    world *w = at_experiment(-1, 1);
    rsim_ctl_experiment *ex = experiment(w);
    ex->ars[0].phase = RSIM_ANALYSIS_RUNNING;
    rsim_controller_abort(&w->st);
    w->now = RSIM_SEC(40);
    pass(w);
    assert_true(ex->terminate);
    assert_false(ex->current);
    assert_true(ex->ars[0].terminate);
    assert_true(fx_has(w, RSIM_CTL_FX_AR_TERMINATE));
    apply(w);
    at(w, RSIM_SEC(70));
    assert_int_equal(ex->rs[1].spec_replicas, 0);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_15_8_each_template_is_its_own_rs),
        cmocka_unit_test(test_controller_15_8_duration_counts_from_available_at),
        cmocka_unit_test(test_controller_15_8_analyses_start_once_available),
        cmocka_unit_test(test_controller_15_8_required_analysis_completes_it),
        cmocka_unit_test(test_controller_15_8_no_duration_nor_required_runs_on),
        cmocka_unit_test(test_controller_15_8_failed_analysis_aborts),
        cmocka_unit_test(test_controller_15_8_inconclusive_pauses),
        cmocka_unit_test(test_controller_15_8_terminated_on_abort),
    };
    return cmocka_run_group_tests_name("controller_experiment", tests, NULL, NULL);
}
