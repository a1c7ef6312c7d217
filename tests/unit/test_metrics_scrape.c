/* test_metrics_scrape.c - the scrape model against a fake exporter: each target on its own
 * offset grid (aligned or drawn per pod, deterministic), the first scrape at the first grid
 * point after the target appears, exporter series with the configured names and labels (status
 * children only once used, cumulative le buckets), end-of-run staleness of a removed target,
 * recording rules on the evaluation grid (with staleness of vanished output), and outages
 * (no scrapes, no rules), the series exported only when some query can select them, and a
 * deferred source (answers later, before rules run) storing exactly what a synchronous one does,
 * and a ServiceMonitor's targets (a service label, an offset per pod and Service, a target
 * that comes back when its Service selects the pod again).
 * What queries compute from the samples is pinned by test_metrics.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rsim/diag.h>

#include "evq.h"
#include "metrics.h"

#define assert_near(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

/* A fake exporter: every target serves 10 requests/s, of which err_per_s fail from err_from
 * on; latency observations all land in the second bucket. Counts scrapes per target. */
typedef struct fake {
    double err_per_s;
    rsim_time err_from;
    uint64_t buckets[8][4];
    int reads[8];
    rsim_time last_read[8];
} fake;

static bool fake_read(void *arg, uint32_t target, rsim_time now, rsim_metrics_counters *out)
{
    fake *f = arg;
    uint64_t total = (uint64_t)(now / 100);
    uint64_t err =
        now > f->err_from ? (uint64_t)(f->err_per_s * (double)(now - f->err_from) / 1000.0) : 0;
    out->ok = total - err;
    out->err = err;
    memset(f->buckets[target], 0, sizeof f->buckets[target]);
    f->buckets[target][1] = total;
    out->buckets = f->buckets[target];
    out->latency_sum_ms = 20.0 * (double)total;
    f->reads[target]++;
    f->last_read[target] = now;
    return true;
}

static const double bounds_s[] = {0.01, 0.025, 0.1};

static rsim_spec_metrics base_spec(void)
{
    rsim_spec_metrics m;
    memset(&m, 0, sizeof m);
    m.scrape_interval = RSIM_SEC(15);
    m.scrape_timeout = RSIM_SEC(10);
    m.evaluation_interval = RSIM_SEC(30);
    m.scrape_aligned = true;
    m.prometheus_major = 3;
    m.series.requests = "http_requests_total";
    m.series.latency = "http_request_duration_seconds";
    m.series.n_buckets = 3;
    m.series.buckets = bounds_s;
    m.series.status_label = "code";
    m.series.hash_label = "rollouts_pod_template_hash";
    m.series.pod_label = "pod";
    m.series.namespace_label = "namespace";
    return m;
}

static rsim_promql *parse(const char *text)
{
    rsim_diag *d = rsim_diag_new(0);
    rsim_promql *q = NULL;
    rsim_loc loc = {.file = "test", .line = 1, .col = 1};
    if (rsim_promql_parse(text, loc, d, &q) != RSIM_OK) {
        rsim_diag_print(d, stderr);
    }
    rsim_diag_free(d);
    assert_non_null(q);
    return q;
}

/* The instant query's vector size, and its first value in *v. */
static size_t query(const rsim_metrics_store *s, const char *text, rsim_time t, double *v)
{
    rsim_promql *q = parse(text);
    rsim_metrics_result r;
    rsim_metrics_result_init(&r);
    assert_int_equal(rsim_metrics_query_eval(s, q, t, NULL, &r), RSIM_OK);
    size_t n = 0;
    if (r.kind == RSIM_METRICS_SCALAR) {
        n = 1;
        *v = r.scalar;
    } else {
        n = r.n_samples;
        *v = n ? r.samples[0].value : (double)NAN;
    }
    rsim_metrics_result_fini(&r);
    rsim_promql_free(q);
    return n;
}

typedef struct world {
    rsim_evq *q;
    rsim_metrics_store *store;
    rsim_metrics_scraper *scraper;
    fake f;
} world;

static void world_init(world *w, const rsim_spec_metrics *m, uint64_t seed)
{
    memset(&w->f, 0, sizeof w->f);
    w->f.err_from = RSIM_TIME_MAX;
    w->q = rsim_evq_new();
    w->store = rsim_metrics_store_new(0);
    rsim_metrics_source src = {.read = fake_read, .arg = &w->f};
    w->scraper = rsim_metrics_scraper_new(w->store, m, w->q, seed, 0, &src);
}

static void world_fini(world *w)
{
    rsim_evq_free(w->q);
    rsim_metrics_scraper_free(w->scraper);
    rsim_metrics_store_free(w->store);
}

static void add_pod(world *w, uint32_t id, const char *pod, const char *hash, rsim_time now)
{
    rsim_metrics_target t = {.id = id,
                             .pod = pod,
                             .hash = hash,
                             .namespace_ = "shop",
                             .service = NULL,
                             .workload = "shop"};
    rsim_metrics_scraper_add_target(w->scraper, &t, now);
}

static void test_metrics_scrape_aligned_targets_share_the_grid(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "h1", 0);
    add_pod(&w, 1, "shop-b", "h1", RSIM_SEC(20)); /* first scrape at 30 s, not 20 s */
    rsim_evq_run_until(w.q, RSIM_SEC(60));
    assert_int_equal(w.f.reads[0], 5); /* 0, 15, 30, 45, 60 */
    assert_int_equal(w.f.reads[1], 3); /* 30, 45, 60 */
    assert_int_equal(w.f.last_read[1], RSIM_SEC(60));
    assert_int_equal(rsim_metrics_scraper_offset(w.scraper, 1), 0);
    world_fini(&w);
}

static void test_metrics_scrape_random_offsets_are_per_pod_and_deterministic(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.scrape_aligned = false;
    world a;
    world b;
    world_init(&a, &m, 5);
    world_init(&b, &m, 5);
    char name[32];
    bool differ = false;
    for (uint32_t i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "shop-%u", (unsigned)i);
        add_pod(&a, i, name, "h1", 0);
        add_pod(&b, 7 - i, name, "h1", 0); /* other ids, other order: same pod, same offset */
    }
    for (uint32_t i = 0; i < 8; i++) {
        rsim_time off = rsim_metrics_scraper_offset(a.scraper, i);
        assert_true(off >= 0 && off < m.scrape_interval);
        assert_int_equal(off, rsim_metrics_scraper_offset(b.scraper, 7 - i));
        differ = differ || off != rsim_metrics_scraper_offset(a.scraper, 0);
    }
    assert_true(differ);
    /* Each target is scraped on its own grid: the last scrape before 100 s is on it. */
    rsim_evq_run_until(a.q, RSIM_SEC(100));
    for (uint32_t i = 0; i < 8; i++) {
        rsim_time off = rsim_metrics_scraper_offset(a.scraper, i);
        assert_int_equal((a.f.last_read[i] - off) % m.scrape_interval, 0);
        assert_true(RSIM_SEC(100) - a.f.last_read[i] < m.scrape_interval);
    }
    world_fini(&a);
    world_fini(&b);
}

static void test_metrics_scrape_series_carry_the_configured_labels(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    world w;
    world_init(&w, &m, 1);
    w.f.err_per_s = 1.0;
    w.f.err_from = RSIM_SEC(30);
    add_pod(&w, 0, "shop-a", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    double v = 0;
    /* No failure yet: the code="500" child does not exist. */
    assert_int_equal(query(w.store, "http_requests_total{code=\"500\"}", RSIM_SEC(30), &v), 0);
    assert_int_equal(query(w.store,
                           "http_requests_total{code=\"200\",pod=\"shop-a\",namespace=\"shop\","
                           "rollouts_pod_template_hash=\"h1\"}",
                           RSIM_SEC(30), &v),
                     1);
    assert_near(v, 300, 1e-9);
    rsim_evq_run_until(w.q, RSIM_SEC(60));
    assert_int_equal(query(w.store, "http_requests_total{code=\"500\"}", RSIM_SEC(60), &v), 1);
    assert_near(v, 30, 1e-9);
    /* Histogram: cumulative buckets with Prometheus' le text, seconds for the sum. */
    assert_int_equal(
        query(w.store, "http_request_duration_seconds_bucket{le=\"0.01\"}", RSIM_SEC(60), &v), 1);
    assert_near(v, 0, 1e-9);
    assert_int_equal(
        query(w.store, "http_request_duration_seconds_bucket{le=\"0.025\"}", RSIM_SEC(60), &v), 1);
    assert_near(v, 600, 1e-9);
    assert_int_equal(
        query(w.store, "http_request_duration_seconds_bucket{le=\"+Inf\"}", RSIM_SEC(60), &v), 1);
    assert_near(v, 600, 1e-9);
    assert_int_equal(query(w.store, "http_request_duration_seconds_sum", RSIM_SEC(60), &v), 1);
    assert_near(v, 12.0, 1e-9);
    world_fini(&w);
}

/* What a query text can select, under base_spec's names. */
static rsim_metrics_needs needs_of(const char *text)
{
    rsim_spec_metrics m = base_spec();
    rsim_metrics_needs n = {false, false, false};
    rsim_metrics_needs_add_text(&n, &m.series, text);
    return n;
}

static void test_metrics_scrape_needs_follow_the_selectors(void **state)
{
    (void)state;
    rsim_metrics_needs n = needs_of("sum(rate(http_requests_total{code=~\"5..\","
                                    "rollouts_pod_template_hash=\"{{args.hash}}\"}[1m]))");
    assert_true(n.requests);
    assert_false(n.latency);
    n = needs_of("histogram_quantile(0.9, sum by (le) (rate("
                 "http_request_duration_seconds_bucket[5m])))");
    assert_false(n.requests);
    assert_true(n.latency);
    n = needs_of("http_request_duration_seconds_count / http_request_duration_seconds_sum");
    assert_false(n.requests);
    assert_true(n.latency);
    /* Other metrics (a recording rule's output, another exporter) select nothing of ours. */
    n = needs_of("job:errors:ratio5m > 0.1 + scalar(vector(1))");
    assert_false(n.requests);
    assert_false(n.latency);
    assert_false(n.up);
    /* `up` is Prometheus' own series of each target, and only it. */
    n = needs_of("up");
    assert_false(n.requests || n.latency);
    assert_true(n.up);
    /* A base name without a histogram suffix is not the histogram. */
    n = needs_of("http_request_duration_seconds");
    assert_false(n.requests || n.latency);
    /* No metric name, a __name__ matcher, or text that does not parse: anything. */
    n = needs_of("sum(rate({job=\"shop\"}[1m]))");
    assert_true(n.requests && n.latency && n.up);
    n = needs_of("{__name__=~\"http_.*\"}");
    assert_true(n.requests && n.latency);
    n = needs_of("http_requests_total{__name__=~\"http_.*\"}");
    assert_true(n.requests && n.latency);
    n = needs_of("rate(http_requests_total[{{args.window}}])");
    assert_true(n.requests && n.latency);
    /* NULL adds nothing. */
    rsim_spec_metrics m = base_spec();
    rsim_metrics_needs none = {false, false, false};
    rsim_metrics_needs_add_text(&none, &m.series, NULL);
    assert_false(none.requests || none.latency);
}

static void test_metrics_scrape_exports_only_what_is_needed(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    world w;
    world_init(&w, &m, 1);
    rsim_metrics_needs only_requests = {true, false, false};
    rsim_metrics_scraper_set_needs(w.scraper, &only_requests);
    add_pod(&w, 0, "shop-a", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    double v = 0;
    assert_int_equal(query(w.store, "http_requests_total{code=\"200\"}", RSIM_SEC(30), &v), 1);
    assert_near(v, 300, 1e-9);
    assert_int_equal(query(w.store, "http_request_duration_seconds_count", RSIM_SEC(30), &v), 0);
    assert_int_equal(rsim_metrics_series_count(w.store), 1);
    world_fini(&w);

    /* Nothing needed: the exporter is not even read, and no series exists. */
    world_init(&w, &m, 1);
    rsim_metrics_needs nothing = {false, false, false};
    rsim_metrics_scraper_set_needs(w.scraper, &nothing);
    add_pod(&w, 0, "shop-a", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    assert_int_equal(w.f.reads[0], 0);
    assert_int_equal(rsim_metrics_series_count(w.store), 0);
    assert_int_equal(rsim_metrics_scraper_stats(w.scraper).scrapes, 3);
    world_fini(&w);

    /* Only the histogram: no request counter. */
    world_init(&w, &m, 1);
    rsim_metrics_needs only_latency = {false, true, false};
    rsim_metrics_scraper_set_needs(w.scraper, &only_latency);
    add_pod(&w, 0, "shop-a", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    assert_int_equal(query(w.store, "http_requests_total", RSIM_SEC(30), &v), 0);
    assert_int_equal(query(w.store, "http_request_duration_seconds_count", RSIM_SEC(30), &v), 1);
    assert_near(v, 300, 1e-9);
    world_fini(&w);
}

static void test_metrics_scrape_removed_target_goes_stale_after_the_next_scrape(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "h1", 0);
    add_pod(&w, 1, "shop-b", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(50));
    rsim_metrics_scraper_remove_target(w.scraper, 0, RSIM_SEC(50));
    /* Stamped at 60 s (the scrape that did not happen), written at 60 + 15 + 1.5 s. */
    rsim_evq_run_until(w.q, RSIM_SEC(76));
    double v = 0;
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(70), &v), 1);
    rsim_evq_run_until(w.q, RSIM_MS(76500));
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(59), &v), 1);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(60), &v), 0);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(200), &v), 0);
    assert_int_equal(query(w.store, "http_request_duration_seconds_count", RSIM_SEC(76), &v), 1);
    assert_int_equal(w.f.reads[0], 4); /* 0, 15, 30, 45: none after the removal */
    world_fini(&w);
}

static void
add_service_target(world *w, uint32_t id, const char *pod, const char *service, rsim_time now)
{
    rsim_metrics_target t = {.id = id,
                             .pod = pod,
                             .hash = "h1",
                             .namespace_ = "shop",
                             .service = service,
                             .workload = "shop"};
    rsim_metrics_scraper_add_target(w->scraper, &t, now);
}

/* A ServiceMonitor's targets: one per (Service, pod), each labelled with its Service; a pod
 * behind two Services is two targets with the pod's whole counters each, so a sum over both
 * counts its requests twice. A pod target (no Service) has no such label. */
static void test_metrics_scrape_service_targets_carry_the_service_label(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.series.service_label = "service";
    world w;
    world_init(&w, &m, 1);
    add_service_target(&w, 0, "shop-a", "shop-canary", 0);
    add_service_target(&w, 1, "shop-a", "shop", 0);
    add_service_target(&w, 2, "shop-b", NULL, 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    double v = 0;
    assert_int_equal(
        query(w.store, "http_requests_total{service=\"shop-canary\"}", RSIM_SEC(30), &v), 1);
    assert_near(v, 300, 1e-9);
    assert_int_equal(
        query(w.store, "http_requests_total{service=\"shop\",pod=\"shop-a\"}", RSIM_SEC(30), &v),
        1);
    assert_int_equal(query(w.store, "http_requests_total{service=\"\"}", RSIM_SEC(30), &v), 1);
    assert_int_equal(
        query(w.store, "http_requests_total{pod=\"shop-b\",service!=\"\"}", RSIM_SEC(30), &v), 0);
    assert_int_equal(query(w.store, "sum(http_requests_total{pod=\"shop-a\"})", RSIM_SEC(30), &v),
                     1);
    assert_near(v, 600, 1e-9); /* twice the pod's 300 requests */
    assert_int_equal(
        query(w.store, "http_request_duration_seconds_count{service=\"shop\"}", RSIM_SEC(30), &v),
        1);
    world_fini(&w);
}

/* An empty label name leaves the label out even for a target with a Service. */
static void test_metrics_scrape_service_label_left_out_when_unnamed(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.series.service_label = "";
    world w;
    world_init(&w, &m, 1);
    add_service_target(&w, 0, "shop-a", "shop-canary", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    double v = 0;
    assert_int_equal(
        query(w.store, "http_requests_total{service=\"shop-canary\"}", RSIM_SEC(30), &v), 0);
    assert_int_equal(
        query(w.store, "http_requests_total{pod=\"shop-a\",service=\"\"}", RSIM_SEC(30), &v), 1);
    world_fini(&w);
}

/* Istio's labels of the server side: the workload (the Rollout) and its namespace on every
 * series of the target, and the preset's constant reporter="destination". */
static void test_metrics_scrape_workload_labels(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    static const rsim_spec_world_label reporter[] = {{"reporter", "destination", true}};
    m.series.workload_label = "destination_workload";
    m.series.workload_namespace_label = "destination_workload_namespace";
    m.series.labels = reporter;
    m.series.n_labels = 1;
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "aaaa", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(30));
    double v = 0;
    assert_int_equal(query(w.store,
                           "http_requests_total{reporter=\"destination\","
                           "destination_workload=\"shop\",destination_workload_namespace=\"shop\"}",
                           RSIM_SEC(30), &v),
                     1);
    assert_int_equal(query(w.store, "up{destination_workload=\"shop\"}", RSIM_SEC(30), &v), 1);
    assert_int_equal(query(w.store, "http_requests_total{reporter=\"source\"}", RSIM_SEC(30), &v),
                     0);
    world_fini(&w);
}

/* rsim_metrics_scraper_may_select: whether a query may select some series of a target, tried
 * on the target's labels (what the engine asks before answering a ReplicaSet's deferred reads).
 * Every query that selects a series of the target is a yes; a no is only ever given when a
 * matcher fails on a label every series of the target carries. */
static void test_metrics_scrape_may_select_tries_matchers_on_the_target(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.series.service_label = "service";
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "aaaa", 0);
    add_service_target(&w, 1, "shop-b", "shop-canary", 0);
    static const struct {
        const char *query;
        bool pod0, target1;
    } cases[] = {
        {"sum(rate(http_requests_total[1m]))", true, true},
        {"http_requests_total{rollouts_pod_template_hash=\"aaaa\"}", true, false},
        {"http_requests_total{rollouts_pod_template_hash!=\"aaaa\"}", false, true},
        {"http_requests_total{pod=~\"shop-.\",code=~\"5..\"}", true, true},
        {"http_requests_total{pod=\"shop-b\"}", false, true},
        {"http_requests_total{service=\"shop-canary\"}", false, true},
        {"http_requests_total{service=\"\"}", true, false},
        {"http_request_duration_seconds_bucket{le=\"0.1\",namespace=\"shop\"}", true, true},
        {"up{namespace=\"other\"}", false, false},
        {"other_metric", false, false},
        {"{__name__=~\"http_.*\",pod=\"shop-a\"}", true, false},
        {"absent(nope) + scalar(http_requests_total{pod=\"shop-a\"})", true, false},
        {"2 * 3", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rsim_promql *q = parse(cases[i].query);
        if (rsim_metrics_scraper_may_select(w.scraper, 0, q) != cases[i].pod0 ||
            rsim_metrics_scraper_may_select(w.scraper, 1, q) != cases[i].target1) {
            fail_msg("may_select of %s", cases[i].query);
        }
        assert_false(rsim_metrics_scraper_may_select(w.scraper, 7, q)); /* no such target */
        rsim_promql_free(q);
    }
    assert_true(rsim_metrics_scraper_may_select(w.scraper, 0, NULL));
    world_fini(&w);
}

/* Offsets of Service targets come from "metrics/scrape-offset/<pod>/<service>": the same pod
 * behind two Services is scraped on two grids, reproducibly. */
static void test_metrics_scrape_service_targets_draw_their_own_offsets(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.scrape_aligned = false;
    m.series.service_label = "service";
    world a;
    world b;
    world_init(&a, &m, 5);
    world_init(&b, &m, 5);
    char svc[32];
    for (uint32_t i = 0; i < 6; i++) {
        snprintf(svc, sizeof svc, "svc-%u", (unsigned)i);
        add_service_target(&a, i, "shop-a", svc, 0);
        add_service_target(&b, 5 - i, "shop-a", svc, 0);
    }
    add_pod(&a, 6, "shop-a", "h1", 0);
    bool differ = false;
    for (uint32_t i = 0; i < 6; i++) {
        rsim_time off = rsim_metrics_scraper_offset(a.scraper, i);
        assert_int_equal(off, rsim_metrics_scraper_offset(b.scraper, 5 - i));
        differ = differ || off != rsim_metrics_scraper_offset(a.scraper, 6);
    }
    assert_true(differ);
    world_fini(&a);
    world_fini(&b);
}

/* A target removed and added again (its Service selects the pod again) keeps its series: back
 * before the markers would be written, they are dropped; back later, they stay, and the
 * series holds samples again after them. */
static void test_metrics_scrape_readded_target_resumes_its_series(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.series.service_label = "service";
    world w;
    world_init(&w, &m, 1);
    add_service_target(&w, 0, "shop-a", "shop-canary", 0);
    add_service_target(&w, 1, "shop-b", "shop-canary", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(50));
    rsim_metrics_scraper_remove_target(w.scraper, 0, RSIM_SEC(50));
    rsim_metrics_scraper_remove_target(w.scraper, 1, RSIM_SEC(50));
    /* Markers stamped 60 s, due at 76.5 s: target 0 is back at 70 s (first scrape 75 s). */
    rsim_evq_run_until(w.q, RSIM_SEC(70));
    add_service_target(&w, 0, "shop-a", "shop-canary", RSIM_SEC(70));
    rsim_evq_run_until(w.q, RSIM_SEC(100));
    /* Target 1 is back at 100 s, after its markers were written. */
    add_service_target(&w, 1, "shop-b", "shop-canary", RSIM_SEC(100));
    rsim_evq_run_until(w.q, RSIM_SEC(120));
    double v = 0;
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(65), &v), 1);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(90), &v), 1);
    assert_near(v, 900, 1e-9); /* the 90 s scrape */
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-b\"}", RSIM_SEC(65), &v), 0);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-b\"}", RSIM_SEC(99), &v), 0);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-b\"}", RSIM_SEC(105), &v), 1);
    assert_near(v, 1050, 1e-9);
    assert_int_equal(w.f.reads[0], 4 + 4); /* 0..45, then 75, 90, 105, 120 */
    assert_int_equal(w.f.reads[1], 4 + 2); /* 0..45, then 105, 120 */
    /* Gone, back and gone again before a scrape: stale from the scrape that did not come. */
    rsim_metrics_scraper_remove_target(w.scraper, 0, RSIM_SEC(120));
    add_service_target(&w, 0, "shop-a", "shop-canary", RSIM_SEC(121));
    rsim_metrics_scraper_remove_target(w.scraper, 0, RSIM_SEC(122));
    rsim_evq_run_until(w.q, RSIM_SEC(200));
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(134), &v), 1);
    assert_int_equal(query(w.store, "http_requests_total{pod=\"shop-a\"}", RSIM_SEC(135), &v), 0);
    assert_int_equal(w.f.reads[0], 8);
    world_fini(&w);
}

static void test_metrics_scrape_recording_rules_run_on_the_evaluation_grid(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    rsim_spec_prom_rule rules[2];
    memset(rules, 0, sizeof rules);
    rules[0].name = "pod:requests:rate1m";
    rules[0].expr = "sum by (pod) (rate(http_requests_total[1m]))";
    rules[1].name = "job:requests:rate1m";
    rules[1].expr = "sum(pod:requests:rate1m)"; /* sees rule 0's output of the same instant */
    m.recording_rules = rules;
    m.n_recording_rules = 2;
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "h1", 0);
    add_pod(&w, 1, "shop-b", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(29));
    double v = 0;
    assert_int_equal(query(w.store, "pod:requests:rate1m", RSIM_SEC(29), &v), 0);
    rsim_evq_run_until(w.q, RSIM_SEC(90));
    assert_int_equal(query(w.store, "pod:requests:rate1m", RSIM_SEC(90), &v), 2);
    assert_near(v, 10.0, 1e-9);
    assert_int_equal(query(w.store, "job:requests:rate1m", RSIM_SEC(90), &v), 1);
    assert_near(v, 20.0, 1e-9);
    rsim_metrics_scrape_stats st = rsim_metrics_scraper_stats(w.scraper);
    assert_int_equal(st.rule_evals, 6); /* 30, 60, 90 s; two rules */
    assert_int_equal(st.bad_rules, 0);
    /* shop-b goes: once its samples leave the 1m window its rule series is marked stale. */
    rsim_metrics_scraper_remove_target(w.scraper, 1, RSIM_SEC(90));
    rsim_evq_run_until(w.q, RSIM_SEC(240));
    assert_int_equal(query(w.store, "pod:requests:rate1m", RSIM_SEC(240), &v), 1);
    world_fini(&w);
}

static void test_metrics_scrape_outage_stops_scrapes_and_rules(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    rsim_spec_outage outage = {.at = RSIM_SEC(20), .duration = RSIM_SEC(40)};
    rsim_spec_prom_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.name = "total";
    rule.expr = "sum(http_requests_total)";
    m.outages = &outage;
    m.n_outages = 1;
    m.recording_rules = &rule;
    m.n_recording_rules = 1;
    world w;
    world_init(&w, &m, 1);
    add_pod(&w, 0, "shop-a", "h1", 0);
    rsim_evq_run_until(w.q, RSIM_SEC(90));
    assert_false(rsim_metrics_scraper_down(w.scraper, RSIM_SEC(19)));
    assert_true(rsim_metrics_scraper_down(w.scraper, RSIM_SEC(20)));
    assert_true(rsim_metrics_scraper_down(w.scraper, RSIM_MS(59999)));
    assert_false(rsim_metrics_scraper_down(w.scraper, RSIM_SEC(60)));
    /* Scrapes at 0, 15, 60, 75, 90; 30 and 45 fell in the outage. */
    assert_int_equal(w.f.reads[0], 5);
    rsim_metrics_scrape_stats st = rsim_metrics_scraper_stats(w.scraper);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(st.scrapes, 5);
    assert_int_equal(st.rule_evals, 2); /* 60, 90 (30 s was down) */
    double v = 0;
    assert_int_equal(query(w.store, "total", RSIM_SEC(59), &v), 0);
    world_fini(&w);
}

/* A deferred source: scrapes queue requests; sync answers every request at or before its
 * instant with the fake's counters at the request's instant. */
typedef struct deferred {
    fake f;
    rsim_evq *q;
    rsim_metrics_store *store;
    rsim_metrics_scraper *scraper;
    uint32_t target[64];
    rsim_time at[64];
    size_t n, head;
    size_t syncs;
} deferred;

static void deferred_request(void *arg, uint32_t target, rsim_time now)
{
    deferred *d = arg;
    assert_true(d->n < 64);
    d->target[d->n] = target;
    d->at[d->n] = now;
    d->n++;
}

static void deferred_sync(void *arg, rsim_time now)
{
    deferred *d = arg;
    d->syncs++;
    while (d->head < d->n && d->at[d->head] <= now) {
        rsim_metrics_counters c;
        memset(&c, 0, sizeof c);
        fake_read(&d->f, d->target[d->head], d->at[d->head], &c);
        rsim_metrics_scraper_deliver(d->scraper, d->target[d->head], d->at[d->head], &c);
        d->head++;
    }
}

/* A scraper with the deferred source d over its own queue and store. */
static void deferred_init(deferred *d, const rsim_spec_metrics *m, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->q = rsim_evq_new();
    d->store = rsim_metrics_store_new(0);
    rsim_metrics_source src = {.arg = d, .request = deferred_request, .sync = deferred_sync};
    d->scraper = rsim_metrics_scraper_new(d->store, m, d->q, seed, 0, &src);
}

static void deferred_fini(deferred *d)
{
    rsim_evq_free(d->q);
    rsim_metrics_scraper_free(d->scraper);
    rsim_metrics_store_free(d->store);
}

static void test_metrics_scrape_deferred_source_stores_what_a_synchronous_one_does(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    m.scrape_aligned = false;
    rsim_spec_prom_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.name = "total:rate1m";
    rule.expr = "sum(rate(http_requests_total[1m]))";
    m.recording_rules = &rule;
    m.n_recording_rules = 1;
    world w; /* synchronous */
    world_init(&w, &m, 3);
    deferred d;
    deferred_init(&d, &m, 3);
    d.f.err_from = w.f.err_from = RSIM_SEC(20);
    d.f.err_per_s = w.f.err_per_s = 2.0;
    rsim_evq *q = d.q;
    rsim_metrics_store *store = d.store;
    rsim_metrics_target t0 = {.id = 0,
                              .pod = "shop-a",
                              .hash = "h1",
                              .namespace_ = "shop",
                              .service = NULL,
                              .workload = "shop"};
    rsim_metrics_target t1 = {.id = 1,
                              .pod = "shop-b",
                              .hash = "h1",
                              .namespace_ = "shop",
                              .service = NULL,
                              .workload = "shop"};
    add_pod(&w, 0, "shop-a", "h1", 0);
    add_pod(&w, 1, "shop-b", "h1", 0);
    rsim_metrics_scraper_add_target(d.scraper, &t0, 0);
    rsim_metrics_scraper_add_target(d.scraper, &t1, 0);
    /* Before any rule: scrapes were asked for, nothing is stored yet. */
    rsim_evq_run_until(q, RSIM_SEC(29));
    rsim_evq_run_until(w.q, RSIM_SEC(29));
    assert_true(d.n >= 2);
    assert_int_equal(d.head, 0);
    assert_int_equal(rsim_metrics_series_count(store), 0);
    assert_int_equal(rsim_metrics_scraper_stats(d.scraper).scrapes,
                     rsim_metrics_scraper_stats(w.scraper).scrapes);
    /* The rule at 30 s syncs first, so it sees every scrape at or before 30 s. */
    rsim_evq_run_until(q, RSIM_SEC(120));
    rsim_evq_run_until(w.q, RSIM_SEC(120));
    assert_int_equal(d.syncs, 4); /* 30, 60, 90, 120 s */
    deferred_sync(&d, RSIM_SEC(120));
    const char *queries[] = {"total:rate1m", "sum(http_requests_total)",
                             "sum(rate(http_requests_total{code=\"500\"}[1m]))",
                             "sum(http_request_duration_seconds_bucket{le=\"0.025\"})"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        for (rsim_time at = RSIM_SEC(30); at <= RSIM_SEC(120); at += RSIM_SEC(30)) {
            double a = 0, b = 0;
            assert_int_equal(query(store, queries[i], at, &a), query(w.store, queries[i], at, &b));
            assert_true(a == b || (isnan(a) && isnan(b)));
        }
    }
    assert_int_equal(rsim_metrics_series_count(store), rsim_metrics_series_count(w.store));
    assert_int_equal(rsim_metrics_scraper_stats(d.scraper).samples,
                     rsim_metrics_scraper_stats(w.scraper).samples);
    deferred_fini(&d);
    world_fini(&w);
}

/* A deferred source's answers: a failed scrape (NULL) marks every series the target returned
 * stale at its instant; a new process (generation) exports a family only once used, so a
 * family still at zero goes stale, and a used one restarts from its new, lower count. */
static void test_metrics_scrape_failed_scrapes_and_new_processes(void **state)
{
    (void)state;
    rsim_spec_metrics m = base_spec();
    deferred d;
    deferred_init(&d, &m, 1);
    rsim_metrics_store *store = d.store;
    rsim_metrics_target tg = {.id = 0,
                              .pod = "shop-a",
                              .hash = "h1",
                              .namespace_ = "shop",
                              .service = NULL,
                              .workload = "shop"};
    rsim_metrics_scraper_add_target(d.scraper, &tg, 0);
    uint64_t b[4] = {0, 7, 0, 0};
    rsim_metrics_counters c = {.ok = 100, .err = 5, .buckets = b, .latency_sum_ms = 140.0};
    rsim_metrics_scraper_deliver(d.scraper, 0, RSIM_SEC(15), &c);
    double v = 0;
    assert_int_equal(query(store, "count(http_requests_total)", RSIM_SEC(20), &v), 1);
    assert_near(v, 2.0, 0);
    assert_int_equal(query(store, "http_request_duration_seconds_count", RSIM_SEC(20), &v), 1);
    /* The container is down at 30 s: every series goes stale there. */
    rsim_metrics_scraper_deliver(d.scraper, 0, RSIM_SEC(30), NULL);
    assert_int_equal(query(store, "count(http_requests_total)", RSIM_SEC(29), &v), 1);
    assert_int_equal(query(store, "http_requests_total", RSIM_SEC(31), &v), 0);
    assert_int_equal(query(store, "http_request_duration_seconds_count", RSIM_SEC(31), &v), 0);
    assert_int_equal(rsim_metrics_scraper_stats(d.scraper).failed, 1);
    /* up: 1 after the answered scrape, 0 after the failed one. */
    assert_int_equal(query(store, "up{pod=\"shop-a\"}", RSIM_SEC(20), &v), 1);
    assert_near(v, 1.0, 0);
    assert_int_equal(query(store, "up", RSIM_SEC(31), &v), 1);
    assert_near(v, 0.0, 0);
    /* The next process has answered 12 requests, none failed, none timed: only its 2xx child. */
    uint64_t b2[4] = {0, 0, 0, 0};
    rsim_metrics_counters c2 = {.ok = 12, .buckets = b2, .generation = 1};
    rsim_metrics_scraper_deliver(d.scraper, 0, RSIM_SEC(45), &c2);
    assert_int_equal(query(store, "http_requests_total", RSIM_SEC(46), &v), 1);
    assert_near(v, 12.0, 0);
    assert_int_equal(query(store, "http_requests_total{code=\"500\"}", RSIM_SEC(46), &v), 0);
    /* rate() over the restart counts the reset: (12 + 100 - 100) in the window, not negative. */
    assert_int_equal(
        query(store, "increase(http_requests_total{code=\"200\"}[40s])", RSIM_SEC(46), &v), 1);
    assert_true(v > 0);
    /* A new process without a failed scrape in between (a fast restart): a family at zero
     * goes stale at once. */
    rsim_metrics_counters c3 = {.ok = 0, .buckets = b2, .generation = 2};
    rsim_metrics_scraper_deliver(d.scraper, 0, RSIM_SEC(60), &c3);
    assert_int_equal(query(store, "http_requests_total", RSIM_SEC(61), &v), 0);
    deferred_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_scrape_aligned_targets_share_the_grid),
        cmocka_unit_test(test_metrics_scrape_random_offsets_are_per_pod_and_deterministic),
        cmocka_unit_test(test_metrics_scrape_series_carry_the_configured_labels),
        cmocka_unit_test(test_metrics_scrape_needs_follow_the_selectors),
        cmocka_unit_test(test_metrics_scrape_exports_only_what_is_needed),
        cmocka_unit_test(test_metrics_scrape_removed_target_goes_stale_after_the_next_scrape),
        cmocka_unit_test(test_metrics_scrape_recording_rules_run_on_the_evaluation_grid),
        cmocka_unit_test(test_metrics_scrape_outage_stops_scrapes_and_rules),
        cmocka_unit_test(test_metrics_scrape_deferred_source_stores_what_a_synchronous_one_does),
        cmocka_unit_test(test_metrics_scrape_failed_scrapes_and_new_processes),
        cmocka_unit_test(test_metrics_scrape_service_targets_carry_the_service_label),
        cmocka_unit_test(test_metrics_scrape_service_label_left_out_when_unnamed),
        cmocka_unit_test(test_metrics_scrape_may_select_tries_matchers_on_the_target),
        cmocka_unit_test(test_metrics_scrape_workload_labels),
        cmocka_unit_test(test_metrics_scrape_service_targets_draw_their_own_offsets),
        cmocka_unit_test(test_metrics_scrape_readded_target_resumes_its_series),
    };
    return cmocka_run_group_tests_name("metrics_scrape", tests, NULL, NULL);
}
