/* test_controller_replicas.c - the replica and weight arithmetic of reference §6-§10.
 * Pinned: every row of upstream's TestCalculateReplicaCountsForCanary (basic and traffic-routed,
 * driven through §6's GetCanaryReplicasOrWeight on a one-step Rollout),
 * TestApproximateWeightedNewStableReplicaCounts, TestCalculateReplicaCountsForNewDeployment /
 * StableRSdEdgeCases, the dynamic-scale tests, TestTrafficWeightToReplicas; §7.1 fenceposts; the
 * §7.5 worked properties; §6.2-§6.4 walks; the §9 abort formula and guard; §7.6 "at desired";
 * §10 budgets (basic partial, traffic-routed straight to 0 gated by budget, §23 E3).
 * Not pinned here: anything that needs a pass (see test_controller_canary.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "controller_int.h"

static rsim_spec_int_or_pct ival(int64_t v)
{
    rsim_spec_int_or_pct x = {.set = true, .pct = false, .value = v};
    return x;
}

static rsim_spec_int_or_pct pval(int64_t v)
{
    rsim_spec_int_or_pct x = {.set = true, .pct = true, .value = v};
    return x;
}

/* ---- §7.1 ---- */

static void test_controller_7_1_fenceposts(void **state)
{
    (void)state;
    int32_t s, u;
    rsim_spec_int_or_pct d = {0}; /* unset = 25% */
    rsim_controller_canary_surge_unavailable(&d, &d, 10, &s, &u);
    assert_int_equal(s, 3); /* 2.5 up */
    assert_int_equal(u, 2); /* 2.5 down */
    rsim_controller_canary_surge_unavailable(&d, &d, 3, &s, &u);
    assert_int_equal(s, 1);
    assert_int_equal(u, 0);
    rsim_controller_canary_surge_unavailable(&d, &d, 1, &s, &u);
    assert_int_equal(s, 1);
    assert_int_equal(u, 0);
    rsim_spec_int_or_pct z = pval(0);
    rsim_controller_canary_surge_unavailable(&z, &z, 10, &s, &u);
    assert_int_equal(s, 0);
    assert_int_equal(u, 1); /* both 0 -> unavailable 1 */
    rsim_spec_int_or_pct big = ival(50);
    rsim_controller_canary_surge_unavailable(&z, &big, 10, &s, &u);
    assert_int_equal(u, 10); /* capped at N */
    rsim_controller_canary_surge_unavailable(&z, &z, 0, &s, &u);
    assert_int_equal(u, 0); /* N = 0 */
    /* blue-green: no fencepost */
    assert_int_equal(rsim_controller_bg_max_unavailable(&z, 10), 0);
    assert_int_equal(rsim_controller_bg_max_unavailable(&d, 10), 2);
}

/* ---- §7.2: TestApproximateWeightedNewStableReplicaCounts, every row ---- */

static void test_controller_7_2_candidate_order(void **state)
{
    (void)state;
    static const int32_t rows[][5] = {
        {0, 0, 0, 0, 0},     {0, 50, 0, 0, 0},  {0, 100, 0, 0, 0},   {0, 0, 1, 0, 0},
        {0, 50, 1, 0, 0},    {0, 100, 1, 0, 0}, {1, 0, 0, 0, 1},     {1, 1, 0, 0, 1},
        {1, 49, 0, 0, 1},    {1, 50, 0, 1, 0},  {1, 99, 0, 1, 0},    {1, 100, 0, 1, 0},
        {1, 0, 1, 0, 1},     {1, 1, 1, 1, 1},   {1, 49, 1, 1, 1},    {1, 50, 1, 1, 1},
        {1, 99, 1, 1, 1},    {1, 100, 1, 1, 0}, {2, 0, 0, 0, 2},     {2, 1, 0, 1, 1},
        {2, 50, 0, 1, 1},    {2, 99, 0, 1, 1},  {2, 100, 0, 2, 0},   {2, 0, 1, 0, 2},
        {2, 1, 1, 1, 2},     {2, 50, 1, 1, 1},  {2, 99, 1, 2, 1},    {2, 100, 1, 2, 0},
        {3, 10, 0, 1, 2},    {3, 25, 0, 1, 2},  {3, 33, 0, 1, 2},    {3, 34, 0, 1, 2},
        {3, 49, 0, 1, 2},    {3, 50, 0, 2, 1},  {3, 10, 1, 1, 3},    {3, 25, 1, 1, 3},
        {3, 33, 1, 1, 2},    {3, 34, 1, 1, 2},  {3, 49, 1, 2, 2},    {3, 50, 1, 2, 2},
        {10, 0, 1, 0, 10},   {10, 1, 0, 1, 9},  {10, 14, 0, 1, 9},   {10, 15, 0, 2, 8},
        {10, 16, 0, 2, 8},   {10, 99, 0, 9, 1}, {10, 100, 1, 10, 0}, {10, 0, 1, 0, 10},
        {10, 1, 1, 1, 10},   {10, 18, 1, 2, 9}, {10, 19, 1, 2, 9},   {10, 20, 1, 2, 8},
        {10, 23, 1, 2, 8},   {10, 24, 1, 3, 8}, {10, 25, 1, 3, 8},   {10, 99, 1, 10, 1},
        {10, 100, 1, 10, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int32_t c, s;
        rsim_controller_approx_split(rows[i][0], rows[i][1], 100, rows[i][2], &c, &s);
        if (c != rows[i][3] || s != rows[i][4]) {
            fail_msg("row %zu: n=%d w=%d surge=%d: got (%d,%d), want (%d,%d)", i, rows[i][0],
                     rows[i][1], rows[i][2], c, s, rows[i][3], rows[i][4]);
        }
    }
}

/* ---- TestCalculateReplicaCountsForCanary, every row ---- */

typedef struct row {
    const char *name;
    int32_t n, w;
    rsim_spec_int_or_pct surge, unav;
    bool promote_full;
    int32_t st_spec, st_avail, c_spec, c_avail;
    int32_t exp_stable, exp_canary;
    bool older;
    int32_t older_spec, older_avail;
    bool scs; /* setCanaryScale on the step */
    rsim_spec_set_canary_scale scs_v;
    bool tr;
    bool abort_delay_set;
    int64_t abort_delay_s;
    bool abort;
    int32_t min_pods;
} row;

static rsim_spec_set_canary_scale scs_of(int64_t replicas, int64_t weight, bool match)
{
    rsim_spec_set_canary_scale s = {0};
    if (replicas >= 0) {
        s.replicas.set = true;
        s.replicas.value = replicas;
    }
    if (weight >= 0) {
        s.weight.set = true;
        s.weight.value = weight;
    }
    s.match_traffic_weight = match;
    return s;
}

static void run_row(const row *r)
{
    rsim_spec_canary_step step = {0};
    step.types = RSIM_STEP_SET_WEIGHT;
    step.set_weight = r->w;
    if (r->scs) {
        step.types |= RSIM_STEP_SET_CANARY_SCALE;
        step.set_canary_scale = r->scs_v;
    }
    rsim_spec_rollout ro = {0};
    ro.strategy = RSIM_STRATEGY_CANARY;
    ro.replicas.value = r->n;
    ro.canary.n_steps = 1;
    ro.canary.steps = &step;
    ro.canary.max_surge = r->surge;
    ro.canary.max_unavailable = r->unav;
    ro.canary.traffic_routing.set = r->tr;
    ro.canary.abort_scale_down_delay.set = r->abort_delay_set;
    ro.canary.abort_scale_down_delay.value = RSIM_SEC(r->abort_delay_s);
    if (r->min_pods > 0) {
        ro.canary.min_pods_per_replica_set.set = true;
        ro.canary.min_pods_per_replica_set.value = r->min_pods;
    }
    rsim_ctl_status st = {0};
    st.current_step_index = 0;
    strcpy(st.current_pod_hash, "canary");
    strcpy(st.stable_rs, "stable");
    st.promote_full = r->promote_full;
    st.abort = r->abort;
    rsim_ctl_desired d = rsim_controller_canary_replicas_or_weight(&ro, &st);
    int32_t c, s;
    if (r->tr) {
        rsim_ctl_tr_in in = {.n = r->n,
                             .wmax = 100,
                             .has_scale_replicas = d.has_replicas,
                             .scale_replicas = d.replicas,
                             .weight = d.weight,
                             .abort = r->abort,
                             .min_pods = r->min_pods};
        rsim_controller_tr_counts(&in, &c, &s);
    } else {
        rsim_ctl_basic_in in = {0};
        in.n = r->n;
        in.weight = d.weight;
        in.wmax = 100;
        rsim_controller_canary_surge_unavailable(&r->surge, &r->unav, r->n, &in.surge,
                                                 &in.unavailable);
        in.canary = (rsim_ctl_rsn){true, r->c_spec, r->c_avail, r->c_spec};
        in.stable = (rsim_ctl_rsn){true, r->st_spec, r->st_avail, r->st_spec};
        in.older_spec = r->older ? r->older_spec : 0;
        rsim_controller_basic_counts(&in, &c, &s);
    }
    if (c != r->exp_canary || s != r->exp_stable) {
        fail_msg("%s: got canary %d stable %d, want canary %d stable %d", r->name, c, s,
                 r->exp_canary, r->exp_stable);
    }
}

static void test_controller_7_upstream_calculate_replica_counts(void **state)
{
    (void)state;
/* Rows list fields positionally, like upstream's table; trailing fields default to zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
    const row rows[] = {
        {"Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas", 10, 100,
         ival(3), ival(0), false, 7, 8, 6, 3, 7, 6},
        {"Use max surge int to scale up canary", 10, 20, ival(2), ival(0), false, 10, 10, 0, 0, 10,
         2},
        {"Use max surge percentage to scale up canary", 10, 20, pval(20), ival(0), false, 10, 10, 0,
         0, 10, 2},
        {"Scale down extra stable replicas", 10, 20, pval(20), ival(0), false, 10, 10, 2, 2, 8, 2},
        {"Do not go past max surge", 10, 30, ival(2), ival(0), false, 10, 10, 0, 0, 10, 2},
        {"Use max unavailable int to scale down stableRS", 10, 20, ival(0), ival(2), false, 10, 10,
         0, 0, 8, 0},
        {"Use max surge percentage to scale down stableRS", 10, 20, ival(0), pval(20), false, 10,
         10, 0, 0, 8, 0},
        {"Do not go past max unavailable", 10, 30, ival(0), ival(2), false, 10, 10, 0, 0, 8, 0},
        {"Use Max Surge and Max Unavailable", 10, 50, ival(2), ival(1), false, 10, 10, 0, 0, 9, 2},
        {"Scale canaryRS to zero on setWeight of 0%", 10, 0, ival(1), ival(1), false, 10, 10, 1, 1,
         10, 0},
        {"Scale stable to zero on setWeight of 100%", 10, 100, ival(1), ival(1), false, 1, 1, 10,
         10, 0, 10},
        {"Do not scale canaryRS down to zero on non-zero weight", 1, 20, ival(1), ival(0), false, 1,
         1, 0, 0, 1, 1},
        {"Do not scale canaryRS down to zero on non-100 weight", 1, 90, ival(1), ival(0), false, 1,
         1, 0, 0, 1, 1},
        {"Scale canaryRS to zero on <50 weight without surge", 1, 49, ival(0), ival(1), false, 1, 1,
         0, 0, 1, 0},
        {"Scale stableRS down to zero on >=50 weight without surge", 1, 51, ival(0), ival(1), false,
         1, 1, 0, 0, 0, 0},
        {"Scale canaryRS to one on >=50 weight without surge and stable replicas", 1, 51, ival(0),
         ival(1), false, 0, 0, 0, 0, 0, 1},
        {"Scale up Stable before canaryRS", 10, 30, ival(1), ival(0), false, 1, 1, 0, 0, 7, 1, true,
         3, 3},
        {"Scale down canaryRS and stable", 10, 30, ival(0), ival(3), false, 8, 5, 4, 4, 7, 3},
        {"Scale down stable and canary available", 10, 100, ival(1), ival(0), false, 10, 2, 10, 8,
         2, 9},
        {"Do not scale down canaryRS or stable when older RS count >= scaleDownCount", 10, 30,
         ival(0), ival(1), false, 8, 6, 4, 2, 8, 4, true, 3, 3},
        {"Do not round past maxSurge with uneven setWeight divisor", 10, 5, ival(0), ival(1), false,
         10, 10, 0, 0, 9, 0},
        {"Do not round past maxSurge with uneven setWeight divisor (part 2)", 10, 5, ival(0),
         ival(1), false, 9, 9, 0, 0, 9, 1},
        {"Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0", 10,
         10, pval(0), pval(0), false, 10, 10, 0, 0, 9, 0},
        {"setCanaryScale.replicas with trafficRouting ignores setWeight", 1, 100, ival(0), ival(0),
         false, 1, 1, 0, 0, 1, 9, false, 0, 0, true, scs_of(9, -1, false), true},
        {"setCanaryScale.weight with trafficRouting ignores setWeight", 4, 100, ival(0), ival(0),
         false, 4, 4, 0, 0, 4, 8, false, 0, 0, true, scs_of(-1, 200, false), true},
        {"Ignore setCanaryScale replicas/weight when matchTrafficWeight is true", 10, 20, pval(20),
         ival(0), false, 10, 10, 0, 0, 10, 2, false, 0, 0, true, scs_of(9, 100, true), true},
        {"Ignore setCanaryScale when trafficRouting is missing", 10, 20, pval(20), ival(0), false,
         10, 10, 0, 0, 10, 2, false, 0, 0, true, scs_of(9, 100, false), false},
        {"honor maxSurge during scale up when stableRS unavailable", 4, 100, ival(1), ival(0),
         false, 4, 1, 0, 0, 4, 1},
        {"scale down to maxunavailable without exceeding maxSurge", 3, 99, ival(0), ival(2), false,
         3, 3, 0, 0, 1, 0},
        {"scale down to maxunavailable without exceeding maxSurge (part 2)", 3, 99, ival(0),
         ival(2), false, 1, 1, 0, 0, 1, 2},
        {"honor maxUnavailable during scale down stableRS unavailable", 4, 100, ival(1), ival(0),
         false, 4, 1, 1, 1, 3, 1},
        {"honor maxUnavailable when aborting or reducing weight part 1", 4, 0, ival(1), ival(0),
         false, 0, 0, 4, 4, 1, 4},
        {"honor maxUnavailable when aborting or reducing weight part 2", 4, 0, ival(1), ival(0),
         false, 1, 0, 4, 4, 1, 4},
        {"honor maxUnavailable when aborting or reducing weight part 3", 4, 0, ival(1), ival(0),
         false, 1, 1, 4, 4, 1, 3},
        {"promote full does not consider weight", 4, 1, ival(4), ival(4), true, 4, 4, 0, 0, 0, 4},
        {"promote full still honors maxSurge/maxUnavailable", 4, 1, ival(3), ival(0), true, 4, 4, 0,
         0, 4, 3},
        {"aborted with abortScaleDownDelaySeconds:0 and setCanaryScale",
         1,
         0,
         ival(0),
         ival(0),
         false,
         1,
         1,
         1,
         1,
         1,
         1,
         false,
         0,
         0,
         true,
         scs_of(1, -1, false),
         true,
         true,
         0,
         true},
        {"aborted with abortScaleDownDelaySeconds>0 and setCanaryScale",
         1,
         0,
         ival(0),
         ival(0),
         false,
         1,
         1,
         1,
         1,
         1,
         0,
         false,
         0,
         0,
         true,
         scs_of(1, -1, false),
         true,
         true,
         30,
         true},
        {"Honor MinPodsPerReplicaSet when using trafficRouting and starting canary",
         10,
         5,
         ival(0),
         ival(0),
         false,
         10,
         10,
         0,
         0,
         10,
         2,
         false,
         0,
         0,
         false,
         scs_of(-1, -1, false),
         true,
         false,
         0,
         false,
         2},
    };
#pragma GCC diagnostic pop
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        run_row(&rows[i]);
    }
}

/* TestCalculateReplicaCountsForNewDeployment and ...StableRSdEdgeCases: no distinct stable RS →
 * the new RS goes to N. */
static void test_controller_7_3_no_stable_goes_to_n(void **state)
{
    (void)state;
    rsim_ctl_basic_in in = {0};
    in.n = 10;
    in.weight = 10;
    in.wmax = 100;
    in.surge = 0;
    in.unavailable = 1;
    in.canary = (rsim_ctl_rsn){true, 10, 0, 10};
    int32_t c, s;
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 10);
    assert_int_equal(s, 0);
    in.canary = (rsim_ctl_rsn){true, 9, 9, 9};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 10);
    assert_int_equal(s, 0);
}

/* §7.5 worked properties, played as successive passes. */
static void test_controller_7_5_worked_properties(void **state)
{
    (void)state;
    int32_t c, s;
    rsim_ctl_basic_in in = {.n = 10, .weight = 20, .wmax = 100, .surge = 2, .unavailable = 0};
    in.canary = (rsim_ctl_rsn){true, 0, 0, 0};
    in.stable = (rsim_ctl_rsn){true, 10, 10, 10};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 2);
    assert_int_equal(s, 10);
    in.canary = (rsim_ctl_rsn){true, 2, 2, 2};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(s, 8);
    /* surge 0, unavailable 2: stable first drops to 8, canary waits */
    in = (rsim_ctl_basic_in){.n = 10, .weight = 20, .wmax = 100, .surge = 0, .unavailable = 2};
    in.canary = (rsim_ctl_rsn){true, 0, 0, 0};
    in.stable = (rsim_ctl_rsn){true, 10, 10, 10};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 0);
    assert_int_equal(s, 8);
    in.stable = (rsim_ctl_rsn){true, 8, 8, 8};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 2); /* pods freed */
    /* abort N=4 surge 1: stable 1 first, canary drops to 3 once it is available */
    in = (rsim_ctl_basic_in){.n = 4, .weight = 0, .wmax = 100, .surge = 1, .unavailable = 0};
    in.canary = (rsim_ctl_rsn){true, 4, 4, 4};
    in.stable = (rsim_ctl_rsn){true, 0, 0, 0};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(s, 1);
    assert_int_equal(c, 4);
    in.stable = (rsim_ctl_rsn){true, 1, 1, 1};
    rsim_controller_basic_counts(&in, &c, &s);
    assert_int_equal(c, 3);
}

/* ---- §8 ---- */

static void test_controller_8_1_weight_to_pods(void **state)
{
    (void)state;
    assert_int_equal(rsim_controller_weight_to_pods(10, 0, 100), 0);
    assert_int_equal(rsim_controller_weight_to_pods(10, 20, 100), 2);
    assert_int_equal(rsim_controller_weight_to_pods(10, 25, 100), 3);
    assert_int_equal(rsim_controller_weight_to_pods(10, 33, 100), 4);
    assert_int_equal(rsim_controller_weight_to_pods(10, 99, 100), 10);
    assert_int_equal(rsim_controller_weight_to_pods(10, 100, 100), 10);
    /* W_max 1000 (maxTrafficWeight) */
    assert_int_equal(rsim_controller_weight_to_pods(10, 250, 1000), 3);
}

static void test_controller_8_2_min_pods(void **state)
{
    (void)state;
    assert_int_equal(rsim_controller_min_pods(0, 3, 10), 0);
    assert_int_equal(rsim_controller_min_pods(1, 3, 10), 3);
    assert_int_equal(rsim_controller_min_pods(5, 3, 10), 5);
    assert_int_equal(rsim_controller_min_pods(1, 30, 10), 10); /* min capped at N */
    /* non-dynamic TR: stable stays at N (§22.1) */
    rsim_ctl_tr_in in = {.n = 10, .wmax = 100, .weight = 10};
    int32_t c, s;
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 1);
    assert_int_equal(s, 10);
}

/* TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale, all four blocks. */
static void test_controller_8_3_dynamic_stable_scale(void **state)
{
    (void)state;
    int32_t c, s;
    rsim_ctl_tr_in in = {.n = 10,
                         .wmax = 100,
                         .weight = 10,
                         .dynamic = true,
                         .has_weights = true,
                         .recorded_canary = 10,
                         .recorded_stable = 90};
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 1);
    assert_int_equal(s, 9);
    in.weight = 20; /* desired canary 20 > actual 10: stable waits for traffic (§8.4) */
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 2);
    assert_int_equal(s, 9);
    in.weight = 0; /* abort: canary follows the recorded weight */
    in.abort = true;
    in.recorded_canary = 20;
    in.recorded_stable = 80;
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 2);
    assert_int_equal(s, 10);
    in.recorded_canary = 10;
    in.recorded_stable = 90;
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 1);
    assert_int_equal(s, 10);
    /* §23 I4: replicas override keeps the stable at N under dynamic scale */
    in = (rsim_ctl_tr_in){.n = 10,
                          .wmax = 100,
                          .has_scale_replicas = true,
                          .scale_replicas = 3,
                          .weight = 0,
                          .dynamic = true};
    rsim_controller_tr_counts(&in, &c, &s);
    assert_int_equal(c, 3);
    assert_int_equal(s, 10);
}

/* ---- §6 ---- */

static void test_controller_6_2_current_set_weight(void **state)
{
    (void)state;
    rsim_spec_canary_step steps[4] = {{0}};
    steps[0].types = RSIM_STEP_PAUSE;
    steps[1].types = RSIM_STEP_SET_WEIGHT;
    steps[1].set_weight = 20;
    steps[2].types = RSIM_STEP_PAUSE;
    steps[3].types = RSIM_STEP_SET_WEIGHT;
    steps[3].set_weight = 60;
    rsim_spec_rollout ro = {0};
    ro.replicas.value = 10;
    ro.canary.n_steps = 4;
    ro.canary.steps = steps;
    rsim_ctl_status st = {0};
    strcpy(st.current_pod_hash, "b");
    strcpy(st.stable_rs, "a");
    st.current_step_index = 0;
    assert_int_equal(rsim_controller_current_set_weight(&ro, &st), 0); /* first step a pause */
    st.current_step_index = 2;
    assert_int_equal(rsim_controller_current_set_weight(&ro, &st), 20);
    st.current_step_index = 4;
    assert_int_equal(rsim_controller_current_set_weight(&ro, &st), 100); /* past the end */
    st.current_step_index = -1;
    assert_int_equal(rsim_controller_current_set_weight(&ro, &st), 0); /* unset = 0 */
    st.current_step_index = 3;
    st.abort = true;
    assert_int_equal(rsim_controller_current_set_weight(&ro, &st), 0);
    /* §6.1 short-circuits */
    st.abort = false;
    st.promote_full = true;
    assert_int_equal(rsim_controller_canary_replicas_or_weight(&ro, &st).weight, 100);
    st.promote_full = false;
    st.stable_rs[0] = '\0';
    assert_int_equal(rsim_controller_canary_replicas_or_weight(&ro, &st).weight, 100);
    strcpy(st.stable_rs, "b");
    assert_int_equal(rsim_controller_canary_replicas_or_weight(&ro, &st).weight, 100);
}

static void test_controller_6_3_set_canary_scale_persists(void **state)
{
    (void)state;
    rsim_spec_canary_step steps[4] = {{0}};
    steps[0].types = RSIM_STEP_SET_CANARY_SCALE;
    steps[0].set_canary_scale = scs_of(2, -1, false);
    steps[1].types = RSIM_STEP_SET_WEIGHT;
    steps[1].set_weight = 50;
    steps[2].types = RSIM_STEP_SET_CANARY_SCALE;
    steps[2].set_canary_scale = scs_of(-1, -1, true);
    steps[3].types = RSIM_STEP_SET_WEIGHT;
    steps[3].set_weight = 70;
    rsim_spec_rollout ro = {0};
    ro.replicas.value = 10;
    ro.canary.n_steps = 4;
    ro.canary.steps = steps;
    ro.canary.traffic_routing.set = true;
    rsim_ctl_status st = {0};
    strcpy(st.current_pod_hash, "b");
    strcpy(st.stable_rs, "a");
    st.current_step_index = 1;
    rsim_ctl_desired d = rsim_controller_canary_replicas_or_weight(&ro, &st);
    assert_true(d.has_replicas);
    assert_int_equal(d.replicas, 2); /* persists across the later setWeight */
    st.current_step_index = 3;
    d = rsim_controller_canary_replicas_or_weight(&ro, &st);
    assert_false(d.has_replicas); /* matchTrafficWeight ends it */
    assert_int_equal(d.weight, 70);
    /* abort drops it, unless abortScaleDownDelaySeconds is explicitly 0 */
    st.current_step_index = 0;
    st.abort = true;
    assert_false(rsim_controller_canary_replicas_or_weight(&ro, &st).has_replicas);
    ro.canary.abort_scale_down_delay.set = true;
    ro.canary.abort_scale_down_delay.value = 0;
    assert_true(rsim_controller_canary_replicas_or_weight(&ro, &st).has_replicas);
    /* basic canary ignores it */
    ro.canary.traffic_routing.set = false;
    assert_false(rsim_controller_canary_replicas_or_weight(&ro, &st).has_replicas);
}

static void test_controller_6_4_abort_walk_down(void **state)
{
    (void)state;
    rsim_spec_canary_step steps[3] = {{0}};
    steps[0].types = RSIM_STEP_SET_WEIGHT;
    steps[0].set_weight = 10;
    steps[1].types = RSIM_STEP_SET_WEIGHT;
    steps[1].set_weight = 40;
    steps[2].types = RSIM_STEP_SET_WEIGHT;
    steps[2].set_weight = 80;
    rsim_spec_rollout ro = {0};
    ro.replicas.value = 10;
    ro.canary.n_steps = 3;
    ro.canary.steps = steps;
    ro.canary.traffic_routing.set = true;
    /* stable has 2 available: 8 canary pods still needed → 40 (4 pods < 8) */
    assert_int_equal(rsim_controller_abort_walk_weight(&ro, 10, 2, 8, false), 40);
    /* stable 7 available: 3 needed, canary still 8 available → max(3, 8) = 8 → 40 */
    assert_int_equal(rsim_controller_abort_walk_weight(&ro, 10, 7, 8, false), 40);
    /* explicit delay: only expectedCanary counts → 3 → 10 (1 pod < 3) */
    assert_int_equal(rsim_controller_abort_walk_weight(&ro, 10, 7, 8, true), 10);
    /* stable fully available: nothing needed → 0 */
    assert_int_equal(rsim_controller_abort_walk_weight(&ro, 10, 10, 0, false), 0);
}

/* ---- §9 ---- */

static void test_controller_9_abort_formula(void **state)
{
    (void)state;
    /* nothing recorded → max(expected, desired) */
    assert_int_equal(rsim_controller_abort_weight(100, 10, 40, 8, false, 0), 40);
    assert_int_equal(rsim_controller_abort_weight(100, 10, 10, 5, false, 0), 50);
    /* desired <= 0 → min(expected, cur) */
    assert_int_equal(rsim_controller_abort_weight(100, 10, 0, 7, true, 50), 30);
    assert_int_equal(rsim_controller_abort_weight(100, 10, 0, 10, true, 50), 0);
    /* stable share 50 < 100 - 40 → keep cur */
    assert_int_equal(rsim_controller_abort_weight(100, 10, 40, 5, true, 80), 80);
    /* stable share 60 >= 60 → min(desired, cur) */
    assert_int_equal(rsim_controller_abort_weight(100, 10, 40, 6, true, 80), 40);
}

static void test_controller_9_guard(void **state)
{
    (void)state;
    /* weight 30 of N=10 needs floor(70·10/100) = 7 stable available */
    assert_false(rsim_controller_weight_guard_ok(NULL, 100, 10, 30, 6));
    assert_true(rsim_controller_weight_guard_ok(NULL, 100, 10, 30, 7));
    /* floor: weight 25 with N=3 needs floor(2.25) = 2 */
    assert_true(rsim_controller_weight_guard_ok(NULL, 100, 3, 25, 2));
    rsim_spec_canary c = {0};
    c.has_replica_progress_threshold = true;
    c.replica_progress_type = RSIM_PROGRESS_PERCENT;
    c.replica_progress_value = 80;
    assert_true(rsim_controller_weight_guard_ok(&c, 100, 10, 0, 8)); /* 8/10 = 80% */
    assert_false(rsim_controller_weight_guard_ok(&c, 100, 10, 0, 7));
}

/* ---- §7.6 ---- */

static void test_controller_7_6_at_desired(void **state)
{
    (void)state;
    rsim_ctl_rsn c = {true, 2, 2, 2};
    rsim_ctl_rsn s = {true, 8, 3, 8}; /* stable availability not checked */
    assert_true(rsim_controller_at_desired(false, false, NULL, &c, 2, &s, 8, 0));
    assert_false(rsim_controller_at_desired(false, false, NULL, &c, 2, &s, 8, 1)); /* older */
    assert_true(rsim_controller_at_desired(true, false, NULL, &c, 2, &s, 8, 1));
    rsim_ctl_rsn c1 = {true, 2, 1, 2};
    assert_false(rsim_controller_at_desired(true, false, NULL, &c1, 2, &s, 8, 0));
    rsim_ctl_rsn s2 = {true, 8, 8, 9}; /* status.replicas must equal desired */
    assert_false(rsim_controller_at_desired(true, false, NULL, &c, 2, &s2, 8, 0));
    assert_true(rsim_controller_at_desired(true, true, NULL, &c, 2, &s2, 8, 0)); /* dynamic */
    rsim_spec_canary th = {0};
    th.has_replica_progress_threshold = true;
    th.replica_progress_type = RSIM_PROGRESS_PODS;
    th.replica_progress_value = 1;
    assert_true(rsim_controller_at_desired(true, false, &th, &c1, 2, &s, 8, 0));
    th.replica_progress_type = RSIM_PROGRESS_PERCENT;
    th.replica_progress_value = 60;
    assert_false(rsim_controller_at_desired(true, false, &th, &c1, 2, &s, 8, 0)); /* 50% */
    th.replica_progress_value = -1; /* negative: default rule */
    assert_false(rsim_controller_at_desired(true, false, &th, &c1, 2, &s, 8, 0));
}

/* ---- §10 ---- */

static void test_controller_10_1_basic_budget(void **state)
{
    (void)state;
    /* N=10, maxUnavailable 2, available: new 8 + stable 0 + olds 4+3 = 15 → budget 7 */
    rsim_ctl_rsn olds[2] = {{true, 5, 4, 5}, {true, 3, 3, 3}};
    int32_t k = rsim_controller_scale_down_old(10, 2, 15, 2, olds, NULL, NULL, NULL);
    assert_int_equal(olds[0].spec, 0); /* unhealthy 1 removed first, then 4 of budget 7 */
    assert_int_equal(olds[1].spec, 0); /* then 3 of the remaining 3 */
    assert_int_equal(k, 8);
    /* budget smaller than the RS: partial */
    rsim_ctl_rsn o2[1] = {{true, 5, 5, 5}};
    rsim_controller_scale_down_old(10, 2, 11, 1, o2, NULL, NULL, NULL);
    assert_int_equal(o2[0].spec, 2);
    /* no budget: only the unhealthy cleanup */
    rsim_ctl_rsn o3[1] = {{true, 5, 3, 5}};
    rsim_controller_scale_down_old(10, 0, 10, 1, o3, NULL, NULL, NULL);
    assert_int_equal(o3[0].spec, 3);
}

static int32_t to_zero(void *arg, size_t i)
{
    (void)arg;
    (void)i;
    return 0;
}

static void test_controller_23_e3_tr_straight_to_zero(void **state)
{
    (void)state;
    /* budget 1 only gates: the first RS goes to 0 whole, the budget goes negative, stop */
    rsim_ctl_rsn olds[2] = {{true, 5, 5, 5}, {true, 4, 4, 4}};
    rsim_controller_scale_down_old(10, 0, 11, 2, olds, NULL, to_zero, NULL);
    assert_int_equal(olds[0].spec, 0);
    assert_int_equal(olds[1].spec, 4);
    /* referenced RSs are skipped */
    rsim_ctl_rsn o2[2] = {{true, 5, 5, 5}, {true, 4, 4, 4}};
    bool skip[2] = {true, false};
    rsim_controller_scale_down_old(10, 0, 11, 2, o2, skip, to_zero, NULL);
    assert_int_equal(o2[0].spec, 5);
    assert_int_equal(o2[1].spec, 0);
    /* budget <= 0: nothing */
    rsim_ctl_rsn o3[1] = {{true, 5, 5, 5}};
    rsim_controller_scale_down_old(10, 0, 10, 1, o3, NULL, to_zero, NULL);
    assert_int_equal(o3[0].spec, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_7_1_fenceposts),
        cmocka_unit_test(test_controller_7_2_candidate_order),
        cmocka_unit_test(test_controller_7_upstream_calculate_replica_counts),
        cmocka_unit_test(test_controller_7_3_no_stable_goes_to_n),
        cmocka_unit_test(test_controller_7_5_worked_properties),
        cmocka_unit_test(test_controller_7_6_at_desired),
        cmocka_unit_test(test_controller_8_1_weight_to_pods),
        cmocka_unit_test(test_controller_8_2_min_pods),
        cmocka_unit_test(test_controller_8_3_dynamic_stable_scale),
        cmocka_unit_test(test_controller_6_2_current_set_weight),
        cmocka_unit_test(test_controller_6_3_set_canary_scale_persists),
        cmocka_unit_test(test_controller_6_4_abort_walk_down),
        cmocka_unit_test(test_controller_9_abort_formula),
        cmocka_unit_test(test_controller_9_guard),
        cmocka_unit_test(test_controller_10_1_basic_budget),
        cmocka_unit_test(test_controller_23_e3_tr_straight_to_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
