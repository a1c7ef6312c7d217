/* test_traffic.c - the traffic model against closed forms and statistical bounds.
 * Pinned: load integrals; Poisson arrivals per tick (sample mean and variance within 5 sigma of
 * their sampling distribution); weight split (binomial z within 5 and a per-tick chi-square
 * within 5 sigma of its mean); service split by serving pods; router propagation delay; header
 * routes send the cohort and only it; mirror copies count for pods but not for users; distinct
 * users against U(1 - (1 - 1/U)^K) for U up to 1e7 (5 sigma of the mean over replications);
 * onset after first traffic; the exact average of a ramp; the M/M/c/K blocking probability and
 * overload share; zero traffic gives zeros; sticky flag users; per-pod counters add up; one pod's
 * share of requests and of errors between reads is binomial (chi-square and mean over reads);
 * reads at instants inside a piece are answered without a cut, in order, and a pod's counts
 * between two such reads are Poisson (chi-square and mean), cut under an error ramp instead;
 * requests to a crashed pod whose endpoint is still published are refused (fault-caused);
 * determinism and common random numbers across observation patterns.
 * Not pinned: which exact counts a seed gives (only their distribution), latency sums beyond
 * their conditional means, the cost (measured by tests/bench/bench_traffic.c, never timed here).
 * Every bound is 5 sigma, so a correct model fails one check in about 1.7 million. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rng.h"
#include "traffic.h"
#include "traffic_int.h"

/* cmocka 1.1's assert_float_equal compares floats; these need doubles. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (double)(eps))

/* ---- fixture ---- */

typedef struct fixture {
    rsim_spec_world w;
    rsim_spec_rollout ro;
    rsim_spec_container ctr;
    rsim_spec_version v[2]; /* web:1 healthy, web:2 (faults per test) */
    rsim_spec_fault fault[2];
    rsim_spec_cohort cohorts[2];
    double buckets[4];
    rsim_evq *q;
    rsim_cluster *c;
    rsim_traffic *t;
} fixture;

static rsim_spec_dist fixed(rsim_time v)
{
    rsim_spec_dist d = {.kind = RSIM_DIST_FIXED, .value = v};
    return d;
}

static void setup(fixture *f, double rps)
{
    memset(f, 0, sizeof *f);
    f->w.tick = 1000;
    f->w.duration = RSIM_HOUR(100);
    f->w.seed = 7;
    f->w.traffic.load.kind = RSIM_LOAD_CONSTANT;
    f->w.traffic.load.rps = rps;
    f->w.traffic.load.poisson = true;
    f->w.traffic.users = 10000;
    f->w.traffic.router.service = 1000;
    f->w.traffic.router.istio = 2500;
    f->w.cluster.start_containers = fixed(1000);
    f->w.cluster.image_pull = fixed(0);
    f->w.cluster.app_init = fixed(0);
    f->w.cluster.readiness.period = 1000;
    f->w.cluster.readiness.timeout = 1000;
    f->w.cluster.readiness.success_threshold = 1;
    f->w.cluster.readiness.failure_threshold = 3;
    f->w.cluster.readiness.aligned = true;
    f->w.cluster.crash_backoff.initial = 10000;
    f->w.cluster.crash_backoff.factor = 2;
    f->w.cluster.crash_backoff.max = 300000;
    f->w.cluster.crash_backoff.reset_after = 600000;
    f->w.cluster.endpoint_propagation = 1000;
    f->buckets[0] = 25;
    f->buckets[1] = 50;
    f->buckets[2] = 100;
    f->buckets[3] = 1000;
    f->w.metrics.series.latency_ms = true;
    f->w.metrics.series.n_buckets = 4;
    f->w.metrics.series.buckets = f->buckets;
    for (size_t i = 0; i < 2; i++) {
        rsim_spec_version *v = &f->v[i];
        v->error_ratio = 0.0;
        v->latency.kind = RSIM_DIST_LOGNORMAL;
        v->latency.median = 40;
        v->latency.sigma = 0.5;
        v->capacity.workers = 1000;
        v->capacity.service_time = 1;
        v->capacity.queue = 0;
        v->cached = true;
        v->app_init = fixed(0);
    }
    f->v[0].image = "web:1";
    f->v[1].image = "web:2";
    f->w.version_defaults = f->v[0];
    f->w.n_versions = 2;
    f->w.versions = f->v;
    for (size_t i = 0; i < 2; i++) {
        f->fault[i].duration = RSIM_TIME_MAX;
        f->fault[i].onset_kind = RSIM_ONSET_AT;
    }
    f->ctr.name = "web";
    f->ctr.image = "web:1";
    f->ro.name = "web";
    f->ro.template.n_containers = 1;
    f->ro.template.containers = &f->ctr;
    f->ro.template.termination_grace = RSIM_SEC(30);
    f->ro.n_containers = 1;
    f->ro.containers = &f->ctr;
    f->ro.strategy = RSIM_STRATEGY_CANARY;
}

/* Starts the model with `pods0` ready pods of web:1 (ReplicaSet 0) and `pods1` of web:2. */
static void start(fixture *f, int64_t pods0, int64_t pods1)
{
    f->q = rsim_evq_new();
    f->c = rsim_cluster_new(&f->w, &f->ro, f->q, f->w.seed, 0);
    f->t = rsim_traffic_new(&f->w, &f->ro, f->c, f->q, f->w.seed, 0);
    uint32_t a = rsim_cluster_add_rs(f->c, "web:1", 1, "aaaa");
    uint32_t b = rsim_cluster_add_rs(f->c, "web:2", 2, "bbbb");
    rsim_cluster_scale_rs_ready(f->c, a, pods0);
    rsim_cluster_scale_rs_ready(f->c, b, pods1);
}

static void run_to(fixture *f, rsim_time t)
{
    rsim_evq_run_until(f->q, t);
    rsim_traffic_observe(f->t, t);
}

static void finish(fixture *f)
{
    rsim_evq_free(f->q);
    rsim_traffic_free(f->t);
    rsim_cluster_free(f->c);
}

static void set_fault(fixture *f, size_t i, rsim_fault_kind k, double ratio)
{
    f->fault[i].kind = k;
    f->fault[i].error_ratio = ratio;
    f->v[1].faults = f->fault;
    f->v[1].n_faults = i + 1 > f->v[1].n_faults ? i + 1 : f->v[1].n_faults;
}

/* ---- load integrals ---- */

static void test_traffic_load_integrals(void **state)
{
    (void)state;
    rsim_spec_load_point pts[2] = {{.at = 1000, .rps = 10}, {.at = 3000, .rps = 30}};
    rsim_spec_load l = {.kind = RSIM_LOAD_STEPS, .n_points = 2, .points = pts};
    assert_near(rsim_traffic_load_integral(&l, 0, 4000), 10 * 2 + 30 * 1, 1e-9);
    l.kind = RSIM_LOAD_TABLE;
    l.interpolate = true; /* 10 held before 1 s, linear 10->30 over [1,3) s, 30 after */
    assert_near(rsim_traffic_load_integral(&l, 0, 4000), 10 + 40 + 30, 1e-9);
    assert_near(rsim_traffic_load_integral(&l, 1000, 2000), 15, 1e-9);
    l.kind = RSIM_LOAD_SPIKES;
    l.rps = 100;
    rsim_spec_load_point sp = {.at = 500, .duration = 1000, .factor = 3};
    l.points = &sp;
    l.n_points = 1;
    assert_near(rsim_traffic_load_integral(&l, 0, 1000), 100 + 200 * 0.5, 1e-9);
    /* Diurnal: closed form against a fine midpoint sum. */
    rsim_spec_load d = {.kind = RSIM_LOAD_DIURNAL,
                        .rps = 50,
                        .amplitude = 0.8,
                        .period = RSIM_HOUR(24),
                        .peak_at = RSIM_HOUR(3)};
    double sum = 0.0;
    for (rsim_time t = RSIM_HOUR(1); t < RSIM_HOUR(7); t += 1000) {
        double x = (double)(t + 500 - d.peak_at) / (double)d.period;
        sum += 50.0 * (1.0 + 0.8 * cos(6.283185307179586 * x));
    }
    assert_near(rsim_traffic_load_integral(&d, RSIM_HOUR(1), RSIM_HOUR(7)), sum, 1e-6 * sum);
}

/* ---- arrivals ---- */

static void test_traffic_arrivals_poisson_mean_variance(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 100.0);
    start(&f, 2, 0);
    const size_t n = 20000;
    double s1 = 0.0;
    double s2 = 0.0;
    uint64_t prev = 0;
    for (size_t i = 1; i <= n; i++) {
        /* Mid-tick observations must not change the per-tick law. */
        run_to(&f, (rsim_time)i * 1000 - 700);
        run_to(&f, (rsim_time)i * 1000);
        uint64_t now = rsim_traffic_requests(f.t);
        double x = (double)(now - prev);
        prev = now;
        s1 += x;
        s2 += x * x;
    }
    double mean = s1 / (double)n;
    double var = (s2 - s1 * s1 / (double)n) / (double)(n - 1);
    /* Sample mean: sd sqrt(lambda/n). Sample variance of Poisson: sd ~ sqrt((lambda +
     * 2 lambda^2)/n). */
    assert_true(fabs(mean - 100.0) < 5.0 * sqrt(100.0 / (double)n));
    assert_true(fabs(var - 100.0) < 5.0 * sqrt((100.0 + 2.0 * 100.0 * 100.0) / (double)n));
    finish(&f);
}

/* ---- routing ---- */

static void test_traffic_weight_split(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 500.0);
    start(&f, 4, 4);
    rsim_traffic_set_weight(f.t, 0, 1, 20, 0);
    run_to(&f, 2000); /* past the Service delay (no trafficRouting here) */
    uint64_t c0 = rsim_traffic_rev_at(f.t, 1)->requests;
    uint64_t r0 = rsim_traffic_requests(f.t);
    const size_t ticks = 5000;
    double chi = 0.0;
    uint64_t pc = c0;
    uint64_t pr = r0;
    for (size_t i = 1; i <= ticks; i++) {
        run_to(&f, 2000 + (rsim_time)i * 1000);
        uint64_t c = rsim_traffic_rev_at(f.t, 1)->requests;
        uint64_t r = rsim_traffic_requests(f.t);
        double n = (double)(r - pr);
        double k = (double)(c - pc);
        chi += (k - 0.2 * n) * (k - 0.2 * n) / (n * 0.16);
        pc = c;
        pr = r;
    }
    double n = (double)(pr - r0);
    double k = (double)(pc - c0);
    /* Binomial z of the whole run, and a chi-square with `ticks` degrees of freedom. */
    assert_true(fabs(k - 0.2 * n) / sqrt(n * 0.16) < 5.0);
    assert_true(fabs(chi - (double)ticks) < 5.0 * sqrt(2.0 * (double)ticks));
    assert_near(rsim_traffic_share(f.t, 1), 0.2, 1e-12);
    finish(&f);
}

static void test_traffic_service_split_by_pods(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    start(&f, 3, 1);
    run_to(&f, RSIM_SEC(1000));
    double n = (double)rsim_traffic_requests(f.t);
    double k = (double)rsim_traffic_rev_at(f.t, 1)->requests;
    assert_true(fabs(k - 0.25 * n) / sqrt(n * 0.25 * 0.75) < 5.0);
    assert_int_equal(rsim_traffic_rev_at(f.t, 0)->requests + (uint64_t)k, (uint64_t)n);
    finish(&f);
}

static void test_traffic_weight_propagation_delay(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.ro.canary.traffic_routing.set = true;
    f.ro.canary.traffic_routing.routers = RSIM_ROUTER_ISTIO;
    start(&f, 2, 2);
    assert_int_equal(rsim_traffic_router_delay(f.t), 2500);
    rsim_traffic_set_weight(f.t, 0, 1, 0, 0);
    run_to(&f, 10000);
    rsim_traffic_set_weight(f.t, 0, 1, 100, 10000);
    uint64_t canary_before = rsim_traffic_rev_at(f.t, 1)->requests;
    run_to(&f, 12500);
    assert_int_equal(rsim_traffic_rev_at(f.t, 1)->requests, canary_before);
    uint64_t stable_at = rsim_traffic_rev_at(f.t, 0)->requests;
    run_to(&f, 14000);
    assert_int_equal(rsim_traffic_rev_at(f.t, 0)->requests, stable_at);
    assert_true(rsim_traffic_rev_at(f.t, 1)->requests > canary_before + 1000);
    finish(&f);
}

static void test_traffic_header_route_sends_cohort_only(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.cohorts[0] = (rsim_spec_cohort){
        .name = "beta", .share = 0.1, .header_name = "X-Beta", .header_value = "1"};
    f.w.traffic.n_cohorts = 1;
    f.w.traffic.cohorts = f.cohorts;
    start(&f, 2, 2);
    rsim_spec_header_match m = {.header = "x-beta", .value = {RSIM_MATCH_EXACT, "1"}};
    uint64_t mask = rsim_traffic_match_headers(f.t, 1, &m);
    assert_int_equal(mask, 1);
    m.value.value = "2";
    assert_int_equal(rsim_traffic_match_headers(f.t, 1, &m), 0);
    m.value = (rsim_spec_string_match){RSIM_MATCH_REGEX, "[0-9]+"};
    assert_int_equal(rsim_traffic_match_headers(f.t, 1, &m), 1);
    rsim_traffic_set_weight(f.t, 0, 1, 0, 0);
    rsim_traffic_set_header_route(f.t, mask, 1, 0);
    run_to(&f, RSIM_SEC(300));
    const rsim_traffic_cohort *beta = rsim_traffic_cohort_at(f.t, 0);
    const rsim_traffic_cohort *rest = rsim_traffic_cohort_at(f.t, 1);
    uint64_t canary = rsim_traffic_rev_at(f.t, 1)->requests;
    /* After the 1 s delay, exactly the cohort's requests go to the canary. */
    uint64_t before = rsim_traffic_requests(f.t);
    assert_true(canary > 0);
    run_to(&f, RSIM_SEC(600));
    uint64_t canary_now = rsim_traffic_rev_at(f.t, 1)->requests;
    assert_true(beta->requests >= canary_now - canary);
    assert_true(rest->requests > 0);
    double n = (double)(rsim_traffic_requests(f.t) - before);
    double k = (double)(canary_now - canary);
    assert_true(fabs(k - 0.1 * n) / sqrt(n * 0.09) < 5.0);
    finish(&f);
}

static void test_traffic_header_route_exact_counts(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.cohorts[0] = (rsim_spec_cohort){
        .name = "beta", .share = 0.2, .header_name = "x-beta", .header_value = "yes"};
    f.w.traffic.n_cohorts = 1;
    f.w.traffic.cohorts = f.cohorts;
    f.w.traffic.router.service = 0; /* no delay: every request of the run is routed by it */
    start(&f, 2, 2);
    rsim_traffic_set_weight(f.t, 0, 1, 0, 0);
    rsim_traffic_set_header_route(f.t, 1, 1, 0);
    run_to(&f, RSIM_SEC(200));
    assert_int_equal(rsim_traffic_rev_at(f.t, 1)->requests,
                     rsim_traffic_cohort_at(f.t, 0)->requests);
    assert_int_equal(rsim_traffic_rev_at(f.t, 0)->requests,
                     rsim_traffic_cohort_at(f.t, 1)->requests);
    finish(&f);
}

static void test_traffic_mirror_not_counted_for_users(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.w.traffic.router.service = 0;
    set_fault(&f, 0, RSIM_FAULT_ERROR_STEP, 1.0);
    start(&f, 2, 2);
    rsim_traffic_set_weight(f.t, 0, 1, 0, 0);
    rsim_traffic_set_mirror_route(f.t, UINT64_MAX, 1, 0.5, 0);
    run_to(&f, RSIM_SEC(100));
    const rsim_traffic_rev *c = rsim_traffic_rev_at(f.t, 1);
    assert_int_equal(c->requests, 0);
    assert_int_equal(c->fault_failures, 0);
    assert_int_equal(rsim_traffic_users_hit(f.t), 0);
    assert_true(c->mirrored > 0);
    assert_int_equal(c->mirrored_failures, c->mirrored);
    /* The canary's pods saw and failed the copies. */
    const rsim_pod *const *pods = NULL;
    size_t np = rsim_cluster_pods(f.c, 1, &pods);
    uint64_t err = 0;
    for (size_t i = 0; i < np; i++) {
        err += rsim_traffic_pod_counters(f.t, pods[i]->id).err;
    }
    assert_int_equal(err, c->mirrored);
    double n = (double)rsim_traffic_requests(f.t);
    assert_true(fabs((double)c->mirrored - 0.5 * n) < 5.0 * sqrt(n * 0.25));
    finish(&f);
}

/* ---- users ---- */

static void test_traffic_distinct_users_occupancy(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(3, 0, "test/users");
    const uint64_t us[3] = {1000, 100000, 10000000};
    const uint64_t ks[3] = {700, 150000, 25000000};
    for (size_t c = 0; c < 3; c++) {
        double u = (double)us[c];
        double k = (double)ks[c];
        double q = pow(1.0 - 1.0 / u, k);
        double mean = u * (1.0 - q);
        double var = u * (u - 1.0) * pow(1.0 - 2.0 / u, k) + u * q - u * u * q * q;
        const size_t reps = c == 2 ? 3 : 200;
        double sum = 0.0;
        for (size_t i = 0; i < reps; i++) {
            rsim_traffic_users tr;
            rsim_traffic_users_init(&tr, us[c]);
            /* In several batches, as pieces deliver them, and over two segments. */
            rsim_traffic_users_cut(&tr, r, us[c] / 3);
            uint64_t left = ks[c];
            uint64_t got = 0;
            while (left > 0) {
                uint64_t b = left / 2 + 1;
                got += rsim_traffic_users_add_hits(&tr, r, 0, us[c], b);
                left -= b;
            }
            assert_int_equal(got, tr.hit);
            /* At most one run step per new user, plus the collisions handled by inversion. */
            assert_true(tr.draws <= tr.hit + ks[c] / 4 + 64);
            sum += (double)got;
            rsim_traffic_users_fini(&tr);
        }
        double m = sum / (double)reps;
        assert_true(fabs(m - mean) < 5.0 * sqrt(var / (double)reps) + 1e-9);
    }
    rsim_rng_free(r);
}

/* Many small batches on a large population, as a busy fault delivers them tick by tick: the
 * law is still U(1 - (1 - 1/U)^K), and the cost stays near one step per batch and segment,
 * whatever the batch size (about k^2 / 2U collisions per batch). */
static void test_traffic_distinct_users_cost_per_batch(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(5, 0, "test/users-batches");
    const double u = 1e7;
    const uint64_t batch = 2000;
    const size_t n_batch = 400;
    const size_t reps = 40;
    double k = (double)batch * (double)n_batch;
    double q = pow(1.0 - 1.0 / u, k);
    double mean = u * (1.0 - q);
    double var = u * (u - 1.0) * pow(1.0 - 2.0 / u, k) + u * q - u * u * q * q;
    double sum = 0.0;
    for (size_t i = 0; i < reps; i++) {
        rsim_traffic_users tr;
        rsim_traffic_users_init(&tr, (uint64_t)u);
        rsim_traffic_users_cut(&tr, r, (uint64_t)u / 4);
        for (size_t b = 0; b < n_batch; b++) {
            rsim_traffic_users_add_hits(&tr, r, 0, (uint64_t)u, batch);
        }
        /* Two segments: two occupancy calls per batch, plus 0.2 expected collisions. */
        assert_true(tr.draws <= 3 * n_batch);
        sum += (double)tr.hit;
        rsim_traffic_users_fini(&tr);
    }
    double m = sum / (double)reps;
    assert_true(fabs(m - mean) < 5.0 * sqrt(var / (double)reps));
    rsim_rng_free(r);
}

static void test_traffic_distinct_users_end_to_end(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 50.0);
    f.w.traffic.users = 5000;
    f.w.traffic.router.service = 0;
    set_fault(&f, 0, RSIM_FAULT_ERROR_STEP, 1.0);
    start(&f, 2, 2);
    rsim_traffic_set_weight(f.t, 0, 1, 100, 0);
    run_to(&f, RSIM_SEC(100));
    const rsim_traffic_rev *c = rsim_traffic_rev_at(f.t, 1);
    assert_int_equal(c->fault_failures, c->requests);
    double u = 5000.0;
    double k = (double)c->fault_failures;
    double q = pow(1.0 - 1.0 / u, k);
    double var = u * (u - 1.0) * pow(1.0 - 2.0 / u, k) + u * q - u * u * q * q;
    double hit = (double)rsim_traffic_users_hit(f.t);
    assert_true(fabs(hit - u * (1.0 - q)) < 5.0 * sqrt(var));
    finish(&f);
}

static void test_traffic_flag_users_sticky(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 2000.0);
    f.w.traffic.users = 1000;
    set_fault(&f, 0, RSIM_FAULT_ERROR_STEP, 1.0);
    start(&f, 4, 0);
    rsim_traffic_set_flag(f.t, &f.v[1], 0.3, 0);
    run_to(&f, RSIM_SEC(60));
    /* Every flagged user (300 of 1000) has failed by now, and nobody else. */
    assert_int_equal(rsim_traffic_users_hit(f.t), 300);
    const rsim_traffic_rev *fl = rsim_traffic_flag_rev(f.t);
    assert_int_equal(fl->fault_failures, fl->requests);
    rsim_traffic_set_flag(f.t, &f.v[1], 0.5, RSIM_SEC(60));
    run_to(&f, RSIM_SEC(120));
    assert_int_equal(rsim_traffic_users_hit(f.t), 500);
    finish(&f);
}

/* ---- faults ---- */

static void test_traffic_fault_onset_after_first_traffic(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.fault[0].onset_kind = RSIM_ONSET_AFTER_FIRST_TRAFFIC;
    f.fault[0].onset = 10000;
    f.w.traffic.router.service = 0;
    set_fault(&f, 0, RSIM_FAULT_ERROR_STEP, 1.0);
    start(&f, 2, 2);
    rsim_traffic_set_weight(f.t, 0, 1, 0, 0);
    run_to(&f, 30000);
    assert_int_equal(rsim_traffic_fault_at(f.t, 0)->onset, -1);
    rsim_traffic_set_weight(f.t, 0, 1, 50, 30000);
    run_to(&f, 32000);
    const rsim_traffic_rev *c = rsim_traffic_rev_at(f.t, 1);
    assert_true(c->first_request >= 30000 && c->first_request < 30100);
    rsim_time onset = rsim_traffic_fault_at(f.t, 0)->onset;
    assert_int_equal(onset, c->first_request + 10000);
    run_to(&f, onset);
    assert_int_equal(c->fault_failures, 0);
    run_to(&f, onset + 2000);
    assert_true(c->fault_failures > 500);
    assert_int_equal(rsim_traffic_fault_at(f.t, 0)->exposed_at >= onset, true);
    assert_true(rsim_traffic_fault_at(f.t, 0)->exposed_at < onset + 100);
    finish(&f);
}

static void test_traffic_ramp_exact_average(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 2000.0);
    f.fault[0].over = RSIM_SEC(100);
    f.fault[0].onset = 0;
    set_fault(&f, 0, RSIM_FAULT_ERROR_RAMP, 0.5);
    f.w.traffic.router.service = 0;
    start(&f, 0, 4);
    run_to(&f, RSIM_SEC(100)); /* one observation: the pieces are the ticks */
    const rsim_traffic_rev *c = rsim_traffic_rev_at(f.t, 1);
    double n = (double)c->requests;
    double k = (double)c->fault_failures;
    /* Ratio 0 -> 0.5 linearly: the average is 0.25. The variance of a sum of binomials with
     * varying p is below n * 0.25 * 0.75. */
    assert_true(fabs(k / n - 0.25) < 5.0 * sqrt(0.25 * 0.75 / n));
    uint64_t n0 = c->requests;
    uint64_t k0 = c->fault_failures;
    run_to(&f, RSIM_SEC(200));
    n = (double)(c->requests - n0);
    k = (double)(c->fault_failures - k0);
    assert_true(fabs(k / n - 0.5) < 5.0 * sqrt(0.25 / n));
    finish(&f);
}

static void test_traffic_cohort_errors_only_cohort(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1000.0);
    f.cohorts[0] = (rsim_spec_cohort){.name = "eu", .share = 0.25};
    f.w.traffic.n_cohorts = 1;
    f.w.traffic.cohorts = f.cohorts;
    f.fault[0].cohort_index = 0;
    set_fault(&f, 0, RSIM_FAULT_COHORT_ERRORS, 1.0);
    start(&f, 0, 2);
    run_to(&f, RSIM_SEC(50));
    assert_int_equal(rsim_traffic_cohort_at(f.t, 0)->fault_failures,
                     rsim_traffic_cohort_at(f.t, 0)->requests);
    assert_int_equal(rsim_traffic_cohort_at(f.t, 1)->fault_failures, 0);
    assert_true(rsim_traffic_cohort_at(f.t, 1)->requests > 0);
    finish(&f);
}

/* ---- overload ---- */

/* pi_K by the textbook formula, computed independently. */
static double mmck_block(double lambda, int c, double s, int k)
{
    double a = lambda * s;
    double norm = 0.0;
    double pk = 0.0;
    for (int n = 0; n <= k; n++) {
        double p =
            n <= c ? pow(a, n) / tgamma(n + 1.0) : pow(a, c) / tgamma(c + 1.0) * pow(a / c, n - c);
        norm += p;
        if (n == k) {
            pk = p;
        }
    }
    return pk / norm;
}

static void test_traffic_overload_mmck(void **state)
{
    (void)state;
    rsim_traffic_mmck m = rsim_traffic_mmck_eval(150.0, 10, 50.0, 5);
    assert_near(m.block, mmck_block(150.0, 10, 0.05, 15), 1e-12);
    /* Erlang B for c = 1, q = 0: a / (1 + a); M/M/1/1 sojourn is exactly S. */
    m = rsim_traffic_mmck_eval(10.0, 1, 100.0, 0);
    assert_near(m.block, 0.5, 1e-12);
    assert_near(m.wait, 1.0, 1e-12);
    /* Far beyond capacity: the pod sheds 1 - mu/lambda. */
    m = rsim_traffic_mmck_eval(20000.0, 10, 50.0, 5);
    assert_near(m.block, 1.0 - 200.0 / 20000.0, 1e-3);
    m = rsim_traffic_mmck_eval(0.0, 10, 50.0, 5);
    assert_near(m.block, 0.0, 0.0);

    fixture f;
    setup(&f, 400.0);
    f.v[0].capacity.workers = 10;
    f.v[0].capacity.service_time = 50;
    f.v[0].capacity.queue = 5;
    start(&f, 1, 0);
    run_to(&f, RSIM_SEC(500));
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    double p = mmck_block(400.0, 10, 0.05, 15);
    double n = (double)r->requests;
    assert_true(fabs((double)r->overload_failures / n - p) < 5.0 * sqrt(p * (1 - p) / n));
    assert_int_equal(r->fault_failures, 0);
    /* Queueing lengthens latency: the median is above the unloaded 40 ms by the W/S factor. */
    double med = rsim_traffic_latency_quantile(f.t, 0, 0.5);
    double w = rsim_traffic_mmck_eval(400.0, 10, 50.0, 5).wait;
    assert_true(w > 1.1);
    assert_true(fabs(med / (40.0 * w) - 1.0) < 0.1);
    finish(&f);
}

/* ---- edge cases, pods, determinism ---- */

static void test_traffic_zero_traffic_counts_zero(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 0.0);
    start(&f, 2, 0);
    run_to(&f, RSIM_SEC(100));
    assert_int_equal(rsim_traffic_requests(f.t), 0);
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    assert_int_equal(r->requests, 0);
    assert_int_equal(r->failures, 0);
    rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, 0);
    assert_int_equal(p.ok + p.err, 0);
    assert_true(isnan(p.latency_sum_ms) == 0);
    /* A quantile over no requests is NaN, as histogram_quantile says. */
    assert_true(isnan(rsim_traffic_latency_quantile(f.t, 0, 0.99)) != 0);
    finish(&f);
}

static void test_traffic_pod_counters_add_up(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 300.0);
    f.v[0].error_ratio = 0.1;
    start(&f, 5, 0);
    run_to(&f, RSIM_SEC(30));
    rsim_cluster_scale_rs(f.c, 0, 3); /* the serving set changes: counts split before */
    run_to(&f, RSIM_SEC(120));
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    uint64_t ok = 0;
    uint64_t err = 0;
    uint64_t obs = 0;
    double sum = 0.0;
    for (uint32_t id = 0; id < 5; id++) {
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, id);
        ok += p.ok;
        err += p.err;
        for (size_t j = 0; j < 5; j++) {
            obs += p.buckets[j];
        }
        sum += p.latency_sum_ms;
    }
    assert_int_equal(ok + err, r->requests);
    assert_int_equal(err, r->failures);
    assert_int_equal(obs, r->requests - r->overload_failures);
    /* Mean latency of a lognormal (median 40, sigma 0.5) is 40 e^(1/8) = 45.3 ms. */
    assert_true(fabs(sum / (double)obs - 40.0 * exp(0.125)) < 1.0);
    double p50 = rsim_traffic_latency_quantile(f.t, 0, 0.5);
    assert_true(fabs(p50 / 40.0 - 1.0) < 0.0905);
    finish(&f);
}

/* Without pod histograms a read splits only the statuses: the pods still add up to the
 * revision, their histograms stay empty, and the revision's latency is drawn all the same. */
static void test_traffic_pod_counters_without_latency(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 300.0);
    f.v[0].error_ratio = 0.1;
    start(&f, 5, 0);
    rsim_traffic_set_pod_latency(f.t, false);
    for (rsim_time at = RSIM_SEC(1); at <= RSIM_SEC(30); at += RSIM_SEC(1)) {
        run_to(&f, at);
        (void)rsim_traffic_pod_counters(f.t, (uint32_t)(at / 1000) % 5);
    }
    rsim_cluster_scale_rs(f.c, 0, 3);
    run_to(&f, RSIM_SEC(120));
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    uint64_t ok = 0;
    uint64_t err = 0;
    for (uint32_t id = 0; id < 5; id++) {
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, id);
        ok += p.ok;
        err += p.err;
        for (size_t j = 0; j < 5; j++) {
            assert_int_equal(p.buckets[j], 0);
        }
        assert_true(p.latency_sum_ms == 0.0);
    }
    assert_true(r->requests > 30000);
    assert_int_equal(ok + err, r->requests);
    assert_int_equal(err, r->failures);
    double p50 = rsim_traffic_latency_quantile(f.t, 0, 0.5);
    assert_true(fabs(p50 / 40.0 - 1.0) < 0.0905);
    finish(&f);
}

/* Running sums for one pod's increments x ~ Binomial(n, q) between two of its reads. */
typedef struct share_check {
    double chi, chi_var; /* sum of (x - nq)^2 / (nq(1-q)); its exact variance */
    double dev, dev_var; /* sum of x - nq; its variance */
    size_t k;            /* reads with n > 0 */
} share_check;

static void share_add(share_check *c, uint64_t x, uint64_t n, double q)
{
    if (n == 0) {
        return;
    }
    double nq = (double)n * q;
    double v = nq * (1.0 - q);
    c->chi += ((double)x - nq) * ((double)x - nq) / v;
    /* E[(X - nq)^4] = v (1 + 3 (n - 2) q (1 - q)), so the term's variance is 2 - 6/n + 1/v. */
    c->chi_var += 2.0 - 6.0 / (double)n + 1.0 / v;
    c->dev += (double)x - nq;
    c->dev_var += v;
    c->k++;
}

static void share_assert(const share_check *c)
{
    assert_true(c->k > 100);
    assert_true(fabs(c->chi - (double)c->k) < 5.0 * sqrt(c->chi_var));
    assert_true(fabs(c->dev) < 5.0 * sqrt(c->dev_var));
}

/* A pod's counts between two of its reads are Binomial(the revision's new counts, 1/m), for
 * requests and for errors: the first and the last leaf of a 7-pod tree (uneven halves), read
 * alternately, with a middle pod read now and then so that its pushes feed the others' paths. */
static void check_pod_share_binomial(double error_ratio)
{
    fixture f;
    setup(&f, 150.0);
    f.v[0].error_ratio = error_ratio;
    start(&f, 7, 0);
    run_to(&f, RSIM_SEC(5));
    const rsim_pod *const *pods = NULL;
    assert_int_equal(rsim_cluster_pods(f.c, 0, &pods), 7);
    uint32_t ids[2] = {pods[0]->id, pods[6]->id};
    uint32_t mid = pods[3]->id;
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    uint64_t last_req[2] = {r->requests, r->requests};
    uint64_t last_err[2] = {r->failures, r->failures};
    uint64_t pod_req[2];
    uint64_t pod_err[2];
    for (size_t w = 0; w < 2; w++) {
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, ids[w]);
        pod_req[w] = p.ok + p.err;
        pod_err[w] = p.err;
    }
    share_check req[2] = {{0}};
    share_check err[2] = {{0}};
    for (int i = 1; i <= 1600; i++) {
        run_to(&f, RSIM_SEC(5) + (rsim_time)i * 500);
        if (i % 3 == 0) {
            (void)rsim_traffic_pod_counters(f.t, mid);
        }
        size_t w = (size_t)i % 2;
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, ids[w]);
        share_add(&req[w], p.ok + p.err - pod_req[w], r->requests - last_req[w], 1.0 / 7.0);
        share_add(&err[w], p.err - pod_err[w], r->failures - last_err[w], 1.0 / 7.0);
        pod_req[w] = p.ok + p.err;
        pod_err[w] = p.err;
        last_req[w] = r->requests;
        last_err[w] = r->failures;
    }
    for (size_t w = 0; w < 2; w++) {
        share_assert(&req[w]);
        share_assert(&err[w]);
    }
    finish(&f);
}

/* Errors at 20 %: many per read, split down the tree's paths. At 0.5 %: a read's new errors
 * are mostly one or two, which go straight to uniform leaves (pools.c tree_add). */
static void test_traffic_pod_share_binomial(void **state)
{
    (void)state;
    check_pod_share_binomial(0.2);
    check_pod_share_binomial(0.005);
}

/* The router's sides (what an Istio gateway reports per destination Service): under weighted
 * routing the canary side is the canary ReplicaSet's requests, the stable side the stable
 * one's, failures included, and together every user request; with no pod left in the canary
 * the canary side's requests all fail (503, no healthy upstream), which no pod counts. */
static void test_traffic_side_counts(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 500.0);
    f.v[1].error_ratio = 0.3;
    start(&f, 4, 2);
    rsim_traffic_set_weight(f.t, 0, 1, 20, 0);
    /* Before the weight takes effect (the Service delay) the Service splits by pods: all of it
     * is the stable side's. */
    run_to(&f, RSIM_SEC(5));
    uint64_t sr0, sf0, cr0, cf0;
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_STABLE_SIDE, &sr0, &sf0);
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_CANARY_SIDE, &cr0, &cf0);
    assert_int_equal(sr0 + cr0, rsim_traffic_requests(f.t));
    uint64_t s_req0 = rsim_traffic_rev_at(f.t, 0)->requests;
    uint64_t s_fail0 = rsim_traffic_rev_at(f.t, 0)->failures;
    uint64_t c_req0 = rsim_traffic_rev_at(f.t, 1)->requests;
    uint64_t c_fail0 = rsim_traffic_rev_at(f.t, 1)->failures;
    run_to(&f, RSIM_SEC(120));
    uint64_t sr, sf, cr, cf;
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_STABLE_SIDE, &sr, &sf);
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_CANARY_SIDE, &cr, &cf);
    assert_int_equal(sr + cr, rsim_traffic_requests(f.t));
    assert_int_equal(cr - cr0, rsim_traffic_rev_at(f.t, 1)->requests - c_req0);
    assert_int_equal(cf - cf0, rsim_traffic_rev_at(f.t, 1)->failures - c_fail0);
    assert_int_equal(sr - sr0, rsim_traffic_rev_at(f.t, 0)->requests - s_req0);
    assert_int_equal(sf - sf0, rsim_traffic_rev_at(f.t, 0)->failures - s_fail0);
    assert_true(cr > cr0 && cf - cf0 > 0.2 * (double)(cr - cr0));
    /* No canary pod left: the canary side still gets its share, and every one of them fails. */
    rsim_cluster_scale_rs(f.c, 1, 0);
    run_to(&f, RSIM_SEC(200));
    uint64_t cr2, cf2;
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_CANARY_SIDE, &cr2, &cf2);
    run_to(&f, RSIM_SEC(300));
    uint64_t cr3, cf3;
    rsim_traffic_side_counts(f.t, RSIM_TRAFFIC_CANARY_SIDE, &cr3, &cf3);
    assert_true(cr3 - cr2 > 1000); /* about 20 % of 500 requests/s for 100 s */
    assert_int_equal(cf3 - cf2, cr3 - cr2);
    finish(&f);
}

/* ---- deferred reads (reads.c) ---- */

/* Answers collected by a reader: per pod, its counters at each answered read. */
typedef struct reads_log {
    size_t n;
    uint32_t pod[4096];
    rsim_time at[4096];
    uint64_t ok[4096], err[4096];
} reads_log;

static void log_read(void *arg, uint32_t pod, rsim_time at, uint64_t tag, const rsim_traffic_pod *c)
{
    reads_log *l = arg;
    (void)tag;
    assert_true(l->n < 4096);
    for (size_t k = l->n; k-- > 0;) {
        if (l->pod[k] == pod) {
            assert_true(l->at[k] <= at); /* each pod's in the order asked */
            break;
        }
    }
    l->pod[l->n] = pod;
    l->at[l->n] = at;
    l->ok[l->n] = c->ok;
    l->err[l->n] = c->err;
    l->n++;
}

/* Poisson check of counts: sum of (x - mu)^2 / mu has mean k and variance k (2 + 1/mu). */
typedef struct poisson_check {
    double chi, chi_var, dev, dev_var;
    size_t k;
} poisson_check;

static void poisson_add(poisson_check *c, uint64_t x, double mu)
{
    c->chi += ((double)x - mu) * ((double)x - mu) / mu;
    c->chi_var += 2.0 + 1.0 / mu;
    c->dev += (double)x - mu;
    c->dev_var += mu;
    c->k++;
}

static void poisson_assert(const poisson_check *c)
{
    assert_true(c->k > 100);
    assert_true(fabs(c->chi - (double)c->k) < 5.0 * sqrt(c->chi_var));
    assert_true(fabs(c->dev) < 5.0 * sqrt(c->dev_var));
}

/* Reads at instants inside ticks are answered without cutting a piece, in order, and each
 * pod's counts between two of its reads are Poisson(rate x length / pods) for requests and for
 * errors (arrivals are Poisson and each request's pod is uniform): 5 pods, each read once every
 * 3 s at a moving millisecond, never on a tick. */
static void test_traffic_reads_inside_a_piece_are_exact(void **state)
{
    (void)state;
    static reads_log log;
    memset(&log, 0, sizeof log);
    fixture f;
    const double rps = 2000.0;
    setup(&f, rps);
    f.v[0].error_ratio = 0.2;
    start(&f, 5, 0);
    rsim_traffic_set_pod_latency(f.t, false);
    rsim_traffic_set_reader(f.t, log_read, &log);
    const rsim_time every = RSIM_SEC(3);
    uint64_t lcg = 12345;
    for (rsim_time base = RSIM_SEC(3); base < RSIM_SEC(2400); base += every) {
        /* Each pod once per 3 s, at an instant that moves from round to round (so that a
         * wrong share of a piece does not cancel between two reads of a pod), never on a
         * tick, asked in time order. */
        rsim_time at[5];
        uint32_t pod[5];
        for (uint32_t i = 0; i < 5; i++) {
            lcg = lcg * 6364136223846793005u + 1442695040888963407u;
            rsim_time x = base + (rsim_time)((lcg >> 33) % 3000);
            x += x % 1000 == 0 ? 1 : 0;
            size_t j = i;
            while (j > 0 && at[j - 1] > x) {
                at[j] = at[j - 1];
                pod[j] = pod[j - 1];
                j--;
            }
            at[j] = x;
            pod[j] = i;
        }
        for (size_t i = 0; i < 5; i++) {
            rsim_evq_run_until(f.q, at[i]);
            rsim_traffic_read_at(f.t, pod[i], at[i], 0);
        }
        run_to(&f, base + every); /* settles whole ticks only: every read is inside one */
    }
    run_to(&f, RSIM_SEC(2410));
    assert_int_equal(rsim_traffic_reads_pending(f.t), 0);
    rsim_traffic_stats st = rsim_traffic_get_stats(f.t);
    assert_int_equal(st.read_cuts, 0);
    assert_int_equal(st.reads_in_piece, log.n);
    assert_int_equal(st.pieces, 2410); /* one per tick: no read cut a piece */
    poisson_check req = {0}, err = {0};
    for (uint32_t i = 0; i < 5; i++) {
        uint64_t last_ok = 0, last_err = 0;
        rsim_time last_at = -1;
        for (size_t k = 0; k < log.n; k++) {
            if (log.pod[k] != i) {
                continue;
            }
            if (last_at >= 0) {
                double len = (double)(log.at[k] - last_at) / 1000.0;
                uint64_t x = log.ok[k] + log.err[k] - last_ok - last_err;
                poisson_add(&req, x, rps * len / 5.0);
                poisson_add(&err, log.err[k] - last_err, 0.2 * rps * len / 5.0);
            }
            last_ok = log.ok[k];
            last_err = log.err[k];
            last_at = log.at[k];
        }
    }
    poisson_assert(&req);
    poisson_assert(&err);
    /* Nothing lost or made up: the pods add up to the revision. */
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    uint64_t ok = 0, e = 0;
    for (uint32_t id = 0; id < 5; id++) {
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, id);
        ok += p.ok;
        e += p.err;
    }
    assert_int_equal(ok + e, r->requests);
    assert_int_equal(e, r->failures);
    finish(&f);
}

/* A read at an instant already settled is answered at once; pending reads are answered by the
 * settle that passes them, even one cut short by a change of the serving set; with histograms
 * the pods' buckets add up to the revision's admitted requests; an active error ramp makes the
 * settle cut the piece at the read instead (its ratio moves inside the piece). */
static void test_traffic_reads_answered_in_order_and_cut_under_a_ramp(void **state)
{
    (void)state;
    static reads_log log;
    memset(&log, 0, sizeof log);
    fixture f;
    setup(&f, 300.0);
    f.v[0].error_ratio = 0.1;
    start(&f, 4, 0);
    rsim_traffic_set_reader(f.t, log_read, &log);
    run_to(&f, RSIM_SEC(2));
    rsim_traffic_read_at(f.t, 0, RSIM_SEC(2), 0);
    assert_int_equal(log.n, 1); /* settled through 2 s already */
    rsim_evq_run_until(f.q, RSIM_MS(2400));
    rsim_traffic_read_at(f.t, 1, RSIM_MS(2400), 0);
    rsim_traffic_read_at(f.t, 2, RSIM_MS(2400), 0);
    rsim_evq_run_until(f.q, RSIM_MS(2700));
    rsim_traffic_read_at(f.t, 3, RSIM_MS(2700), 0);
    assert_int_equal(log.n, 1);
    assert_int_equal(rsim_traffic_reads_pending(f.t), 3);
    rsim_cluster_scale_rs(f.c, 0, 2); /* before the change: traffic settles, reads answered */
    assert_int_equal(rsim_traffic_reads_pending(f.t), 0);
    assert_int_equal(log.n, 4);
    assert_int_equal(log.at[3], RSIM_MS(2700));
    run_to(&f, RSIM_SEC(60));
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 0);
    uint64_t n = 0, obs = 0;
    for (uint32_t id = 0; id < 4; id++) {
        rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, id);
        n += p.ok + p.err;
        for (size_t j = 0; j < 5; j++) {
            obs += p.buckets[j];
        }
    }
    assert_int_equal(n, r->requests);
    assert_int_equal(obs, r->requests - r->overload_failures);
    finish(&f);

    /* Under a ramp of the read pod's version, the read cuts the piece. */
    memset(&log, 0, sizeof log);
    setup(&f, 300.0);
    set_fault(&f, 0, RSIM_FAULT_ERROR_RAMP, 0.5);
    f.fault[0].onset = RSIM_SEC(1);
    f.fault[0].over = RSIM_SEC(100);
    start(&f, 0, 2);
    rsim_traffic_set_reader(f.t, log_read, &log);
    run_to(&f, RSIM_SEC(5));
    rsim_evq_run_until(f.q, RSIM_MS(5500));
    rsim_traffic_read_at(f.t, 0, RSIM_MS(5500), 0);
    run_to(&f, RSIM_SEC(6));
    rsim_traffic_stats st = rsim_traffic_get_stats(f.t);
    assert_int_equal(st.read_cuts, 1);
    assert_int_equal(st.reads_in_piece, 0);
    assert_int_equal(log.n, 1);
    finish(&f);
}

/* Asks the reads of one round of test_traffic_lazy_reads_answer_what_immediate_reads_do: each
 * of n pods once in [base, base + 3 s), at instants that move from round to round. */
static void ask_round(fixture *f, uint32_t n, rsim_time base, uint64_t *lcg)
{
    rsim_time at[8];
    uint32_t pod[8];
    for (uint32_t i = 0; i < n; i++) {
        *lcg = *lcg * 6364136223846793005u + 1442695040888963407u;
        rsim_time x = base + (rsim_time)((*lcg >> 33) % 3000);
        size_t j = i;
        while (j > 0 && at[j - 1] > x) {
            at[j] = at[j - 1];
            pod[j] = pod[j - 1];
            j--;
        }
        at[j] = x;
        pod[j] = i;
    }
    for (uint32_t i = 0; i < n; i++) {
        rsim_evq_run_until(f->q, at[i]);
        rsim_traffic_read_at(f->t, pod[i], at[i], 1000u * (uint64_t)at[i] + pod[i]);
    }
}

/* Whether the answers of one pod are the same in two logs, in the same order (tags included:
 * the log keeps at and the tag encodes it). */
static void assert_same_answers(const reads_log *a, const reads_log *b, uint32_t pod)
{
    size_t i = 0, j = 0, n = 0;
    for (;;) {
        while (i < a->n && a->pod[i] != pod) {
            i++;
        }
        while (j < b->n && b->pod[j] != pod) {
            j++;
        }
        if (i == a->n || j == b->n) {
            break;
        }
        assert_int_equal(a->at[i], b->at[j]);
        assert_int_equal(a->ok[i], b->ok[j]);
        assert_int_equal(a->err[i], b->err[j]);
        i++, j++, n++;
    }
    assert_int_equal(i, a->n);
    assert_int_equal(j, b->n);
    assert_true(n > 100);
}

/* Lazy reads (reads.c "Deferred ReplicaSets") give every pod the answers immediate reads give,
 * only later: two ReplicaSets (4 and 3 pods, errors 10 % and 30 %), each pod read once every
 * 3 s; the lazy model flushes the second ReplicaSet now and then and the first only when its
 * pods change (a scale-down at 300 s) and at the end. Until flushed, the first costs no split
 * over its pods. */
static void test_traffic_lazy_reads_answer_what_immediate_reads_do(void **state)
{
    (void)state;
    static reads_log now_log, lazy_log;
    memset(&now_log, 0, sizeof now_log);
    memset(&lazy_log, 0, sizeof lazy_log);
    fixture fn, fl;
    fixture *fs[2] = {&fn, &fl};
    reads_log *logs[2] = {&now_log, &lazy_log};
    for (int k = 0; k < 2; k++) {
        setup(fs[k], 1000.0);
        fs[k]->v[0].error_ratio = 0.1;
        fs[k]->v[1].error_ratio = 0.3;
        start(fs[k], 4, 3);
        rsim_traffic_set_pod_latency(fs[k]->t, false);
        rsim_traffic_set_reader(fs[k]->t, log_read, logs[k]);
    }
    rsim_traffic_set_lazy_reads(fl.t, true);
    for (int k = 0; k < 2; k++) {
        uint64_t lcg = 99;
        for (rsim_time base = RSIM_SEC(3); base < RSIM_SEC(600); base += RSIM_SEC(3)) {
            if (base == RSIM_SEC(300)) {
                rsim_cluster_scale_rs(fs[k]->c, 0, 3);
            }
            ask_round(fs[k], 7, base, &lcg);
            run_to(fs[k], base + RSIM_SEC(3));
            if (k == 1 && base % RSIM_SEC(21) == 0) {
                rsim_traffic_reads_flush(fl.t, 1);
            }
            if (k == 1 && base == RSIM_SEC(297)) {
                assert_true(rsim_traffic_reads_deferred(fl.t, 0) > 300);
                assert_true(rsim_traffic_get_stats(fl.t).pod_splits <
                            rsim_traffic_get_stats(fn.t).pod_splits / 2);
            }
        }
    }
    assert_true(rsim_traffic_reads_deferred(fl.t, 0) > 0);
    rsim_traffic_reads_flush(fl.t, RSIM_TRAFFIC_NO_RS);
    assert_int_equal(rsim_traffic_reads_pending(fl.t), 0);
    assert_int_equal(rsim_traffic_reads_pending(fn.t), 0);
    assert_int_equal(now_log.n, lazy_log.n);
    for (uint32_t pod = 0; pod < 7; pod++) {
        assert_same_answers(&now_log, &lazy_log, pod);
    }
    assert_int_equal(rsim_traffic_get_stats(fl.t).pod_splits,
                     rsim_traffic_get_stats(fn.t).pod_splits);
    finish(&fn);
    finish(&fl);
}

/* A serving pod whose container exits (a crash loop) keeps its endpoint for the propagation
 * delay: what is routed to it then is refused, fault-caused, counted as unrouted, and reaches
 * no exporter; once the endpoint is withdrawn the other pods take everything. */
static void test_traffic_crashed_pod_refuses_until_its_endpoint_goes(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 300.0);
    set_fault(&f, 0, RSIM_FAULT_CRASH_LOOP, 0.0);
    f.fault[0].crash_after = RSIM_SEC(10);
    start(&f, 2, 1); /* 2 pods of web:1, 1 of web:2: a third of the requests each */
    run_to(&f, RSIM_SEC(10));
    const rsim_traffic_rev *r = rsim_traffic_rev_at(f.t, 1);
    uint64_t req0 = r->requests, fail0 = r->failures;
    assert_int_equal(fail0, 0);
    assert_true(req0 > 700);
    run_to(&f, RSIM_MS(10999)); /* the crash at 10 s; the endpoint goes at 11 s */
    const rsim_cluster_rs *crs = rsim_cluster_rs_at(f.c, 1);
    assert_int_equal(crs->n_serving, 1);
    assert_int_equal(crs->n_serving_down, 1);
    uint64_t refused = r->requests - req0;
    assert_true(refused > 50); /* about 100 */
    assert_int_equal(r->failures - fail0, refused);
    assert_int_equal(r->fault_failures, refused);
    assert_int_equal(r->unrouted, refused);
    assert_int_equal(rsim_traffic_fault_at(f.t, 0)->failures, refused);
    /* The pod's exporter counted only what it served before the crash. */
    const rsim_pod *const *pods = NULL;
    assert_int_equal(rsim_cluster_pods(f.c, 1, &pods), 1);
    rsim_traffic_pod p = rsim_traffic_pod_counters(f.t, pods[0]->id);
    assert_int_equal(p.ok + p.err, req0);
    run_to(&f, RSIM_MS(11100)); /* withdrawn at 11 s; the restarted pod is not ready yet */
    assert_int_equal(crs->n_serving, 0);
    assert_int_equal(crs->n_serving_down, 0);
    uint64_t req1 = r->requests;
    run_to(&f, RSIM_MS(11900));
    assert_int_equal(r->requests, req1); /* web:2 gets nothing without a serving pod */
    finish(&f);
}

static void test_traffic_determinism_and_common_numbers(void **state)
{
    (void)state;
    uint64_t totals[2][50];
    uint64_t canary[2];
    for (int run = 0; run < 2; run++) {
        fixture f;
        setup(&f, 137.0);
        set_fault(&f, 0, RSIM_FAULT_ERROR_STEP, 0.2);
        start(&f, 3, 1);
        rsim_traffic_set_weight(f.t, 0, 1, 30, 0);
        for (int i = 0; i < 50; i++) {
            if (run == 1) { /* a different observation pattern inside each tick */
                run_to(&f, (rsim_time)i * 1000 + 123);
                run_to(&f, (rsim_time)i * 1000 + 877);
            }
            run_to(&f, (rsim_time)(i + 1) * 1000);
            totals[run][i] = rsim_traffic_requests(f.t);
        }
        canary[run] = rsim_traffic_rev_at(f.t, 1)->requests;
        finish(&f);
    }
    /* The same arrivals per tick whatever the observation pattern (common random numbers). */
    for (int i = 0; i < 50; i++) {
        assert_int_equal(totals[0][i], totals[1][i]);
    }
    assert_true(canary[0] > 0 && canary[1] > 0);
    /* Same seed, same pattern: identical. */
    fixture g;
    uint64_t again = 0;
    setup(&g, 137.0);
    set_fault(&g, 0, RSIM_FAULT_ERROR_STEP, 0.2);
    start(&g, 3, 1);
    rsim_traffic_set_weight(g.t, 0, 1, 30, 0);
    for (int i = 0; i < 50; i++) {
        run_to(&g, (rsim_time)(i + 1) * 1000);
    }
    again = rsim_traffic_rev_at(g.t, 1)->requests;
    finish(&g);
    assert_int_equal(again, canary[0]);
}

static void test_traffic_no_traffic_fault_empties_revision(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 500.0);
    f.fault[0].onset = RSIM_SEC(10);
    set_fault(&f, 0, RSIM_FAULT_NO_TRAFFIC, 0.0);
    start(&f, 2, 2);
    run_to(&f, RSIM_SEC(10));
    uint64_t before = rsim_traffic_rev_at(f.t, 1)->requests;
    assert_true(before > 0);
    run_to(&f, RSIM_SEC(60));
    /* Service mode: the revision's pods get nothing, the others take all. */
    assert_int_equal(rsim_traffic_rev_at(f.t, 1)->requests, before);
    assert_int_equal(rsim_traffic_unrouted(f.t), 0);
    /* Weighted to it: the requests fail, caused by the fault. */
    rsim_traffic_set_weight(f.t, 0, 1, 100, RSIM_SEC(60));
    run_to(&f, RSIM_SEC(70));
    const rsim_traffic_rev *c = rsim_traffic_rev_at(f.t, 1);
    assert_true(c->unrouted > 0);
    assert_int_equal(c->fault_failures, c->unrouted);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traffic_load_integrals),
        cmocka_unit_test(test_traffic_arrivals_poisson_mean_variance),
        cmocka_unit_test(test_traffic_weight_split),
        cmocka_unit_test(test_traffic_service_split_by_pods),
        cmocka_unit_test(test_traffic_weight_propagation_delay),
        cmocka_unit_test(test_traffic_header_route_sends_cohort_only),
        cmocka_unit_test(test_traffic_header_route_exact_counts),
        cmocka_unit_test(test_traffic_mirror_not_counted_for_users),
        cmocka_unit_test(test_traffic_distinct_users_occupancy),
        cmocka_unit_test(test_traffic_distinct_users_cost_per_batch),
        cmocka_unit_test(test_traffic_distinct_users_end_to_end),
        cmocka_unit_test(test_traffic_flag_users_sticky),
        cmocka_unit_test(test_traffic_fault_onset_after_first_traffic),
        cmocka_unit_test(test_traffic_ramp_exact_average),
        cmocka_unit_test(test_traffic_cohort_errors_only_cohort),
        cmocka_unit_test(test_traffic_overload_mmck),
        cmocka_unit_test(test_traffic_zero_traffic_counts_zero),
        cmocka_unit_test(test_traffic_pod_counters_add_up),
        cmocka_unit_test(test_traffic_pod_counters_without_latency),
        cmocka_unit_test(test_traffic_pod_share_binomial),
        cmocka_unit_test(test_traffic_side_counts),
        cmocka_unit_test(test_traffic_reads_inside_a_piece_are_exact),
        cmocka_unit_test(test_traffic_reads_answered_in_order_and_cut_under_a_ramp),
        cmocka_unit_test(test_traffic_lazy_reads_answer_what_immediate_reads_do),
        cmocka_unit_test(test_traffic_crashed_pod_refuses_until_its_endpoint_goes),
        cmocka_unit_test(test_traffic_determinism_and_common_numbers),
        cmocka_unit_test(test_traffic_no_traffic_fault_empties_revision),
    };
    return cmocka_run_group_tests_name("traffic", tests, NULL, NULL);
}
