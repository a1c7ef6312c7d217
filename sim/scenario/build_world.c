/* build_world.c - the Scenario document into rsim_spec_world: defaults applied, values typed,
 * rules between values checked (the schema in schema_world.c has checked types and ranges).
 * Every default is in one place, default_world(), with its source; docs/scenario-format.md
 * repeats them. Start at rsim_scenario_build_world at the bottom. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"
#include "scenario_int.h"

#define PATH_MAX_LEN 256

/* The state of one build: where to report and whether anything was reported. */
typedef struct bw {
    rsim_build_ctx *ctx;
    rsim_time duration; /* the run's duration, for "inside the run" rules */
    bool ok;
} bw;

static void err(bw *b, const rsim_ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void err(bw *b, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rsim_schema_error(&b->ctx->sc, at, path, "%s", msg);
    b->ok = false;
}

/* path + "." + key, or path + "[i]" when key is NULL. */
static const char *sub(char *buf, const char *path, const char *key, size_t i)
{
    /* A path longer than the buffer is cut; checking the length tells the compiler so. */
    int n;
    if (key != NULL) {
        n = snprintf(buf, PATH_MAX_LEN, "%s%s%s", path, path[0] != '\0' ? "." : "", key);
    } else {
        n = snprintf(buf, PATH_MAX_LEN, "%s[%zu]", path, i);
    }
    if (n < 0) {
        buf[0] = '\0';
    }
    return buf;
}

typedef struct dur_text {
    char s[32];
} dur_text;

static dur_text fmt_dur(rsim_time t)
{
    dur_text d;
    rsim_values_format_duration(t, d.s, sizeof d.s);
    return d;
}

/* ---- scalar getters: the schema has checked the types, so a mismatch only keeps def ---- */

static const char *get_str(bw *b, const rsim_ynode *map, const char *key, const char *def)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (n == NULL || n->kind != RSIM_YNODE_SCALAR || rsim_ynode_is_null(n)) {
        return def;
    }
    return rsim_arena_strndup(b->ctx->arena, n->str, n->len);
}

static int64_t get_int(const rsim_ynode *map, const char *key, int64_t def)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n != NULL && rsim_ynode_is_int(n) ? rsim_ynode_int(n) : def;
}

static double get_num(const rsim_ynode *map, const char *key, double def)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n != NULL && rsim_ynode_is_number(n) ? rsim_ynode_number(n) : def;
}

static bool get_bool(const rsim_ynode *map, const char *key, bool def)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n != NULL && rsim_ynode_is_bool(n) ? rsim_ynode_bool(n) : def;
}

/* Index of the value of an enum field in vals (NULL-terminated), or def. */
static int get_enum(const rsim_ynode *map, const char *key, const char *const *vals, int def)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (n == NULL || n->kind != RSIM_YNODE_SCALAR) {
        return def;
    }
    for (int i = 0; vals[i] != NULL; i++) {
        if (strcmp(vals[i], n->str) == 0) {
            return i;
        }
    }
    return def;
}

enum dur_rule { DUR_NONNEG, DUR_POSITIVE };

/* A duration scalar (already known to be one), checked against rule. */
static rsim_time
dur_value(bw *b, const rsim_ynode *n, const char *path, enum dur_rule rule, rsim_time def)
{
    rsim_time t;
    if (n->kind != RSIM_YNODE_SCALAR || !rsim_values_parse_duration(n->str, &t)) {
        return def; /* reported by the schema check */
    }
    if (t < 0) {
        return def; /* reported by the schema check */
    }
    if (t == 0 && rule == DUR_POSITIVE) {
        err(b, n, path, "must be greater than 0s, got %s", n->str);
        return def;
    }
    return t;
}

static rsim_time get_dur(bw *b,
                         const rsim_ynode *map,
                         const char *key,
                         const char *path,
                         enum dur_rule rule,
                         rsim_time def)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (n == NULL) {
        return def;
    }
    return dur_value(b, n, sub(p, path, key, 0), rule, def);
}

static const rsim_ynode *get_map(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n != NULL && n->kind == RSIM_YNODE_MAP ? n : NULL;
}

static const rsim_ynode *get_seq(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n != NULL && n->kind == RSIM_YNODE_SEQ ? n : NULL;
}

/* The error message wording for "inside the run" rules. */
static void check_inside_run(bw *b, const rsim_ynode *at, const char *path, rsim_time t)
{
    if (t > b->duration) {
        err(b, at, path, "%s is after the end of the run (%s)", fmt_dur(t).s,
            fmt_dur(b->duration).s);
    } else if (t == b->duration) {
        err(b, at, path, "%s is the end of the run: it must come before it", fmt_dur(t).s);
    }
}

/* ---- defaults (docs/scenario-format.md cites each; grades from world-defaults) ---- */

static rsim_spec_dist dist_fixed(rsim_time v)
{
    rsim_spec_dist d = {.kind = RSIM_DIST_FIXED, .value = v};
    return d;
}

/* z-scores of the quantiles a lognormal may be given by. */
#define Z_P90 1.2815515655446004
#define Z_P95 1.6448536269514722
#define Z_P99 2.3263478740408408

static rsim_spec_dist dist_lognormal(rsim_time median, rsim_time q, double z)
{
    rsim_spec_dist d = {.kind = RSIM_DIST_LOGNORMAL, .median = median};
    d.sigma = log((double)q / (double)median) / z;
    return d;
}

static const double default_buckets_s[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static const double istio_buckets_ms[] = {1,     5,     10,     25,     50,      100,
                                          250,   500,   1000,   2500,   5000,    10000,
                                          30000, 60000, 300000, 600000, 1800000, 3600000};

/* The pods' sidecars export the server side of each request (Istio's standard metrics). */
static const rsim_spec_world_label istio_labels[] = {{"reporter", "destination", true}};

static rsim_spec_series series_preset(rsim_series_preset p)
{
    rsim_spec_series s = {.preset = p};
    switch (p) {
    case RSIM_SERIES_APP:
        s.requests = "http_requests_total";
        s.latency = "http_request_duration_seconds";
        s.status_label = "code";
        s.hash_label = "rollouts_pod_template_hash";
        s.pod_label = "pod";
        s.namespace_label = "namespace";
        s.service_label = "service"; /* the target label a ServiceMonitor adds */
        break;
    case RSIM_SERIES_ISTIO:
        s.requests = "istio_requests_total";
        s.latency = "istio_request_duration_milliseconds";
        s.latency_ms = true;
        s.status_label = "response_code";
        s.pod_label = "pod";
        s.namespace_label = "namespace";
        s.service_label = "destination_service_name";
        s.service_fqdn_label = "destination_service";
        s.workload_label = "destination_workload";
        s.workload_namespace_label = "destination_workload_namespace";
        s.n_labels = sizeof istio_labels / sizeof istio_labels[0];
        s.labels = istio_labels;
        break;
    case RSIM_SERIES_NGINX:
        s.requests = "nginx_ingress_controller_requests";
        s.latency = "nginx_ingress_controller_request_duration_seconds";
        s.status_label = "status";
        s.namespace_label = "namespace";
        s.service_label = "service";
        break;
    }
    if (s.latency_ms) {
        s.n_buckets = sizeof istio_buckets_ms / sizeof istio_buckets_ms[0];
        s.buckets = istio_buckets_ms;
    } else {
        s.n_buckets = sizeof default_buckets_s / sizeof default_buckets_s[0];
        s.buckets = default_buckets_s;
    }
    return s;
}

static void default_world(rsim_spec_world *w)
{
    rsim_spec_cluster *c = &w->cluster;
    rsim_spec_version *v = &w->version_defaults;

    w->seed = 1;
    w->duration = RSIM_HOUR(1);
    w->tick = RSIM_SEC(1);

    c->hop_delay = RSIM_MS(100);  /* SLO p99 <= 1 s; scheduling mean 12 ms [A ceiling, D] */
    c->slow_start_batches = true; /* controller_utils.go SlowStartInitialBatchSize [A] */
    c->start_containers = dist_lognormal(RSIM_SEC(2), RSIM_SEC(5), Z_P99); /* SLO [A] */
    c->image_pull = dist_lognormal(RSIM_SEC(15), RSIM_SEC(45), Z_P90);     /* Borg [B/C] */
    c->app_init = dist_fixed(RSIM_SEC(5));                                 /* [D] */
    c->readiness.period = RSIM_SEC(10); /* Kubernetes probe defaults [A] */
    c->readiness.timeout = RSIM_SEC(1);
    c->readiness.success_threshold = 1;
    c->readiness.failure_threshold = 3;
    c->crash_backoff.initial = RSIM_SEC(10); /* pod-lifecycle.md [A] */
    c->crash_backoff.factor = 2;
    c->crash_backoff.max = RSIM_SEC(300);
    c->crash_backoff.reset_after = RSIM_MIN(10);
    c->endpoint_propagation = RSIM_SEC(1); /* no slice batching + kube-proxy 1 s [C] */

    w->traffic.load.kind = RSIM_LOAD_CONSTANT;
    w->traffic.load.rps = 1000; /* [D] */
    w->traffic.load.poisson = true;
    w->traffic.load.interpolate = true;
    w->traffic.load.amplitude = 0.5;
    w->traffic.load.period = RSIM_HOUR(24);
    w->traffic.users = 10000;                /* [D] */
    w->traffic.router.service = RSIM_SEC(1); /* world-defaults §2 */
    w->traffic.router.istio = RSIM_SEC(1);
    w->traffic.router.nginx = RSIM_SEC(1);
    w->traffic.router.alb = RSIM_SEC(10);
    w->traffic.router.smi = RSIM_SEC(1);
    w->traffic.router.gateway_api = RSIM_SEC(1);
    w->traffic.router.other = RSIM_SEC(1);
    w->traffic.router.alb_verify_retry = RSIM_SEC(10);

    v->error_ratio = 0.001; /* 99.9 % SLO of the SRE Workbook examples [D] */
    v->latency = dist_lognormal(RSIM_MS(50), RSIM_MS(250), Z_P99); /* [D] */
    v->capacity.workers = 10;                                      /* [D] */
    v->capacity.service_time = RSIM_MS(50);                        /* [D] */
    v->capacity.queue = 5; /* 50 % of workers, SRE book ch. 22 [A rule] */
    v->app_init = c->app_init;
    v->capacity.capacity_rps =
        (double)v->capacity.workers * 1000.0 / (double)v->capacity.service_time;

    w->metrics.scrape_interval = RSIM_SEC(30); /* prometheus-operator default [A] */
    w->metrics.scrape_timeout = RSIM_SEC(10);
    w->metrics.evaluation_interval = RSIM_SEC(30);
    w->metrics.lookback_delta = RSIM_MIN(5);
    w->metrics.prometheus_major = 3;
    w->metrics.series = series_preset(RSIM_SERIES_APP);
    w->metrics.alert_resend_delay = RSIM_MIN(1); /* Prometheus / Alertmanager defaults [A] */
    w->metrics.group_wait = RSIM_SEC(30);
    w->metrics.group_interval = RSIM_MIN(5);
    w->metrics.repeat_interval = RSIM_HOUR(4);

    w->analysis.job_run_time = dist_fixed(RSIM_SEC(30)); /* [D] */
    w->analysis.job_requests = 10;                       /* [D] */

    w->controller.enabled = true;
    w->controller.resync_period = RSIM_MIN(15); /* argo-rollouts controller.go [A] */
    w->on_call.reaction_time = RSIM_MIN(5);     /* SRE book ch. 11 [A] */
    w->slo.objective = 0.999;                   /* [D] */
    w->slo.window = RSIM_HOUR(24 * 30);         /* SRE Workbook [A] */
    w->flags.delay = RSIM_MS(200);              /* LaunchDarkly streaming [C] */
}

/* ---- distributions ---- */

static int cmp_time(const void *a, const void *b)
{
    rsim_time x = *(const rsim_time *)a;
    rsim_time y = *(const rsim_time *)b;
    return (x > y) - (x < y);
}

static void build_lognormal(bw *b, const rsim_ynode *n, const char *path, rsim_spec_dist *d)
{
    static const char *const qs[] = {"p90", "p95", "p99"};
    static const double zs[] = {Z_P90, Z_P95, Z_P99};
    char p[PATH_MAX_LEN];

    d->median = get_dur(b, n, "median", path, DUR_POSITIVE, 0);
    for (size_t i = 0; i < 3; i++) {
        const rsim_ynode *qn = rsim_ynode_get(n, qs[i]);
        rsim_time q;
        if (qn == NULL) {
            continue;
        }
        q = dur_value(b, qn, sub(p, path, qs[i], 0), DUR_POSITIVE, 0);
        if (q == 0 || d->median == 0) {
            return;
        }
        if (q <= d->median) {
            err(b, qn, p, "%s (%s) must be greater than the median (%s)", qs[i], fmt_dur(q).s,
                fmt_dur(d->median).s);
            return;
        }
        d->sigma = log((double)q / (double)d->median) / zs[i];
        return;
    }
}

static void build_empirical(bw *b, const rsim_ynode *n, const char *path, rsim_spec_dist *d)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *list = get_seq(n, "samples");
    rsim_time *s;

    if (list == NULL) {
        return;
    }
    s = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *s);
    sub(p, path, "samples", 0);
    for (size_t i = 0; i < list->n; i++) {
        s[i] = dur_value(b, list->items[i], sub(q, p, NULL, i), DUR_NONNEG, 0);
    }
    qsort(s, list->n, sizeof *s, cmp_time);
    d->n_samples = list->n;
    d->samples = s;
}

/* A distribution node into *d; *d keeps def when n is NULL. */
static void build_dist(
    bw *b, const rsim_ynode *n, const char *path, const rsim_spec_dist *def, rsim_spec_dist *d)
{
    static const char *const kinds[] = {"fixed", "uniform", "lognormal", "empirical", NULL};

    *d = *def;
    if (n == NULL || n->kind != RSIM_YNODE_MAP) {
        return;
    }
    memset(d, 0, sizeof *d);
    d->loc = n->loc;
    d->kind = (rsim_dist_kind)get_enum(n, "distribution", kinds, RSIM_DIST_FIXED);
    switch (d->kind) {
    case RSIM_DIST_FIXED:
        d->value = get_dur(b, n, "value", path, DUR_NONNEG, 0);
        break;
    case RSIM_DIST_UNIFORM:
        d->min = get_dur(b, n, "min", path, DUR_NONNEG, 0);
        d->max = get_dur(b, n, "max", path, DUR_NONNEG, 0);
        if (d->min > d->max) {
            err(b, n, path, "uniform needs min <= max, got min %s and max %s", fmt_dur(d->min).s,
                fmt_dur(d->max).s);
        }
        break;
    case RSIM_DIST_LOGNORMAL:
        build_lognormal(b, n, path, d);
        break;
    case RSIM_DIST_EMPIRICAL:
        build_empirical(b, n, path, d);
        break;
    }
}

/* ---- run settings and cluster ---- */

static void build_run(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *run = get_map(spec, "run");
    const char *path = "spec.run";

    if (run == NULL) {
        return;
    }
    w->duration = get_dur(b, run, "duration", path, DUR_POSITIVE, w->duration);
    w->seed = (uint64_t)get_int(run, "seed", (int64_t)w->seed);
    w->tick = get_dur(b, run, "tick", path, DUR_POSITIVE, w->tick);
    if (w->tick > w->duration) {
        err(b, rsim_ynode_get(run, "tick"), "spec.run.tick",
            "must not be longer than the run (%s), got %s", fmt_dur(w->duration).s,
            fmt_dur(w->tick).s);
    } else if (w->tick > 0 && w->duration / w->tick > RSIM_SPEC_MAX_SERIES_ROWS) {
        /* The time series is kept in memory until the run ends (one row per tick). */
        rsim_time least = (w->duration + RSIM_SPEC_MAX_SERIES_ROWS - 1) / RSIM_SPEC_MAX_SERIES_ROWS;
        const rsim_ynode *at = rsim_ynode_get(run, "tick");
        err(b, at ? at : run, "spec.run.tick",
            "%s over a run of %s gives %lld time-series rows, and at most %d fit in memory: "
            "use a tick of at least %s",
            fmt_dur(w->tick).s, fmt_dur(w->duration).s, (long long)(w->duration / w->tick),
            RSIM_SPEC_MAX_SERIES_ROWS, fmt_dur(least).s);
    }
}

static void build_cluster(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    static const char *const phases[] = {"random", "aligned", NULL};
    const rsim_ynode *c = get_map(spec, "cluster");
    const rsim_ynode *n;
    rsim_spec_cluster *o = &w->cluster;
    char p[PATH_MAX_LEN];

    if (c == NULL) {
        return;
    }
    if ((n = get_map(c, "controlPlane")) != NULL) {
        o->hop_delay =
            get_dur(b, n, "hopDelay", "spec.cluster.controlPlane", DUR_NONNEG, o->hop_delay);
        o->slow_start_batches = get_bool(n, "replicaSetSlowStart", o->slow_start_batches);
    }
    if ((n = get_map(c, "podStartup")) != NULL) {
        const char *ps = "spec.cluster.podStartup";
        build_dist(b, get_map(n, "startContainers"), sub(p, ps, "startContainers", 0),
                   &o->start_containers, &o->start_containers);
        build_dist(b, get_map(n, "imagePull"), sub(p, ps, "imagePull", 0), &o->image_pull,
                   &o->image_pull);
        build_dist(b, get_map(n, "appInit"), sub(p, ps, "appInit", 0), &o->app_init, &o->app_init);
    }
    if ((n = get_map(c, "readinessProbe")) != NULL) {
        rsim_spec_world_probe *r = &o->readiness;
        r->initial_delay = RSIM_SEC(get_int(n, "initialDelaySeconds", r->initial_delay / 1000));
        r->period = RSIM_SEC(get_int(n, "periodSeconds", r->period / 1000));
        r->timeout = RSIM_SEC(get_int(n, "timeoutSeconds", r->timeout / 1000));
        r->success_threshold = get_int(n, "successThreshold", r->success_threshold);
        r->failure_threshold = get_int(n, "failureThreshold", r->failure_threshold);
        r->aligned = get_enum(n, "phase", phases, 0) == 1;
    }
    if ((n = get_map(c, "crashLoopBackOff")) != NULL) {
        rsim_spec_backoff *k = &o->crash_backoff;
        const char *bp = "spec.cluster.crashLoopBackOff";
        k->initial = get_dur(b, n, "initial", bp, DUR_NONNEG, k->initial);
        k->factor = get_num(n, "factor", k->factor);
        k->max = get_dur(b, n, "max", bp, DUR_NONNEG, k->max);
        k->reset_after = get_dur(b, n, "resetAfter", bp, DUR_POSITIVE, k->reset_after);
        if (k->max < k->initial) {
            err(b, n, bp, "max (%s) must not be shorter than initial (%s)", fmt_dur(k->max).s,
                fmt_dur(k->initial).s);
        }
    }
    o->endpoint_propagation =
        get_dur(b, c, "endpointPropagation", "spec.cluster", DUR_NONNEG, o->endpoint_propagation);
    o->pod_slots = get_int(c, "podSlots", o->pod_slots);
}

/* ---- traffic ---- */

/* Points of steps/table/spikes: `at` strictly increasing. */
static void
build_points(bw *b, const rsim_ynode *list, const char *path, rsim_spec_load *l, bool spikes)
{
    rsim_spec_load_point *pts;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    pts = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *pts);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        sub(p, path, NULL, i);
        pts[i].loc = it->loc;
        pts[i].at = get_dur(b, it, "at", p, DUR_NONNEG, 0);
        pts[i].rps = get_num(it, "rps", 0);
        if (spikes) {
            pts[i].duration = get_dur(b, it, "duration", p, DUR_POSITIVE, 0);
            pts[i].factor = get_num(it, "factor", 1);
        }
        if (i > 0 && pts[i].at <= pts[i - 1].at) {
            err(b, rsim_ynode_get(it, "at"), sub(q, p, "at", 0),
                "must be in time order: %s is not after %s (the previous entry)",
                fmt_dur(pts[i].at).s, fmt_dur(pts[i - 1].at).s);
        }
    }
    l->n_points = list->n;
    l->points = pts;
}

static void build_load(bw *b, const rsim_ynode *n, rsim_spec_load *l)
{
    static const char *const arrivals[] = {"poisson", "uniform", NULL};
    static const char *const interp[] = {"linear", "step", NULL};
    const rsim_ynode *k;

    l->loc = n->loc;
    l->poisson = get_enum(n, "arrivals", arrivals, 0) == 0;
    if ((k = get_map(n, "constant")) != NULL) {
        l->kind = RSIM_LOAD_CONSTANT;
        l->rps = get_num(k, "rps", l->rps);
    } else if ((k = get_seq(n, "steps")) != NULL) {
        l->kind = RSIM_LOAD_STEPS;
        build_points(b, k, "spec.traffic.load.steps", l, false);
    } else if ((k = get_map(n, "diurnal")) != NULL) {
        l->kind = RSIM_LOAD_DIURNAL;
        l->rps = get_num(k, "meanRps", l->rps);
        l->amplitude = get_num(k, "amplitude", l->amplitude);
        l->period = get_dur(b, k, "period", "spec.traffic.load.diurnal", DUR_POSITIVE, l->period);
        l->peak_at = get_dur(b, k, "peakAt", "spec.traffic.load.diurnal", DUR_NONNEG, l->peak_at);
    } else if ((k = get_map(n, "spikes")) != NULL) {
        l->kind = RSIM_LOAD_SPIKES;
        l->rps = get_num(k, "baseRps", l->rps);
        build_points(b, get_seq(k, "spikes"), "spec.traffic.load.spikes.spikes", l, true);
    } else if ((k = get_map(n, "table")) != NULL) {
        l->kind = RSIM_LOAD_TABLE;
        l->interpolate = get_enum(k, "interpolation", interp, 0) == 0;
        build_points(b, get_seq(k, "points"), "spec.traffic.load.table.points", l, false);
    }
}

static void build_cohorts(bw *b, const rsim_ynode *list, rsim_spec_traffic *t)
{
    rsim_spec_cohort *cs;
    double sum = 0;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    cs = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *cs);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        const rsim_ynode *h = get_map(it, "header");
        const rsim_ynode *c = get_map(it, "cookie");
        sub(p, "spec.traffic.users.cohorts", NULL, i);
        cs[i].loc = it->loc;
        cs[i].name = get_str(b, it, "name", "");
        cs[i].share = get_num(it, "share", 0);
        sum += cs[i].share;
        if (h != NULL) {
            cs[i].header_name = get_str(b, h, "name", NULL);
            cs[i].header_value = get_str(b, h, "value", "");
        }
        if (c != NULL) {
            cs[i].cookie_name = get_str(b, c, "name", NULL);
            cs[i].cookie_value = get_str(b, c, "value", "");
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cs[j].name, cs[i].name) == 0) {
                err(b, rsim_ynode_get(it, "name"), sub(q, p, "name", 0),
                    "duplicate cohort '%s' (first at line %d)", cs[i].name, cs[j].loc.line);
            }
        }
    }
    if (sum > 1.0 + 1e-9) {
        err(b, list, "spec.traffic.users.cohorts",
            "shares add up to %g; they must not exceed 1 (the whole population)", sum);
    }
    t->n_cohorts = list->n;
    t->cohorts = cs;
}

static void build_traffic(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *t = get_map(spec, "traffic");
    const rsim_ynode *n;
    rsim_spec_router *r = &w->traffic.router;

    if (t == NULL) {
        return;
    }
    if ((n = get_map(t, "load")) != NULL) {
        build_load(b, n, &w->traffic.load);
    }
    if ((n = get_map(t, "users")) != NULL) {
        w->traffic.users = get_int(n, "population", w->traffic.users);
        build_cohorts(b, get_seq(n, "cohorts"), &w->traffic);
    }
    if ((n = get_map(t, "router")) != NULL) {
        const rsim_ynode *d = get_map(n, "propagationDelay");
        const char *dp = "spec.traffic.router.propagationDelay";
        if (d != NULL) {
            r->service = get_dur(b, d, "service", dp, DUR_NONNEG, r->service);
            r->istio = get_dur(b, d, "istio", dp, DUR_NONNEG, r->istio);
            r->nginx = get_dur(b, d, "nginx", dp, DUR_NONNEG, r->nginx);
            r->alb = get_dur(b, d, "alb", dp, DUR_NONNEG, r->alb);
            r->smi = get_dur(b, d, "smi", dp, DUR_NONNEG, r->smi);
            r->gateway_api = get_dur(b, d, "gatewayAPI", dp, DUR_NONNEG, r->gateway_api);
            r->other = get_dur(b, d, "other", dp, DUR_NONNEG, r->other);
        }
        r->alb_verify_retry = get_dur(b, n, "albVerifyRetry", "spec.traffic.router", DUR_POSITIVE,
                                      r->alb_verify_retry);
    }
}

/* ---- versions and faults ---- */

static void build_onset(bw *b, const rsim_ynode *n, const char *path, rsim_spec_fault *f)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *at = rsim_ynode_get(n, "at");
    const rsim_ynode *after = rsim_ynode_get(n, "afterFirstTraffic");

    if (at != NULL) {
        f->onset_kind = RSIM_ONSET_AT;
        f->onset = dur_value(b, at, sub(p, path, "at", 0), DUR_NONNEG, 0);
        check_inside_run(b, at, p, f->onset);
    } else if (after != NULL) {
        f->onset_kind = RSIM_ONSET_AFTER_FIRST_TRAFFIC;
        f->onset = dur_value(b, after, sub(p, path, "afterFirstTraffic", 0), DUR_NONNEG, 0);
        check_inside_run(b, after, p, f->onset);
    }
}

/* The shape-specific parameters of one fault; kind is found from the key present. */
static void build_shape(bw *b, const rsim_ynode *it, const char *path, rsim_spec_fault *f)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *s = NULL;
    int k;

    for (k = 0; k < RSIM_FAULT_KIND_COUNT; k++) {
        s = rsim_ynode_get(it, rsim_spec_fault_name((rsim_fault_kind)k));
        if (s != NULL) {
            break;
        }
    }
    if (s == NULL) {
        return;
    }
    /* `noTraffic:` with no value is null, which reads as an empty mapping here. */
    f->kind = (rsim_fault_kind)k;
    sub(p, path, rsim_spec_fault_name(f->kind), 0);
    f->error_ratio = get_num(s, "errorRatio", 0);
    switch (f->kind) {
    case RSIM_FAULT_ERROR_RAMP:
        f->over = get_dur(b, s, "over", p, DUR_POSITIVE, RSIM_SEC(1));
        break;
    case RSIM_FAULT_ERROR_BURSTS:
        f->every = get_dur(b, s, "every", p, DUR_POSITIVE, RSIM_SEC(2));
        f->burst = get_dur(b, s, "burst", p, DUR_POSITIVE, RSIM_SEC(1));
        if (f->burst >= f->every) {
            err(b, s, p, "burst (%s) must be shorter than every (%s)", fmt_dur(f->burst).s,
                fmt_dur(f->every).s);
        }
        break;
    case RSIM_FAULT_LATENCY:
        f->latency_factor = get_num(s, "factor", 1);
        f->latency_add = get_dur(b, s, "add", p, DUR_NONNEG, 0);
        break;
    case RSIM_FAULT_CRASH_LOOP:
        f->crash_after = get_dur(b, s, "after", p, DUR_NONNEG, 0);
        break;
    case RSIM_FAULT_COHORT_ERRORS:
        f->cohort = get_str(b, s, "cohort", "");
        break;
    case RSIM_FAULT_SLOW_START:
        f->warmup = get_dur(b, s, "warmup", p, DUR_POSITIVE, RSIM_SEC(1));
        f->start_capacity = get_num(s, "startCapacity", 0.1);
        break;
    case RSIM_FAULT_ERROR_STEP:
    case RSIM_FAULT_NO_TRAFFIC:
        break;
    }
}

/* Resolves a cohortErrors fault's cohort against the traffic section. */
static void resolve_cohort(
    bw *b, const rsim_ynode *it, const char *path, const rsim_spec_world *w, rsim_spec_fault *f)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    f->cohort_index = RSIM_SPEC_NONE;
    if (f->kind != RSIM_FAULT_COHORT_ERRORS) {
        return;
    }
    for (size_t i = 0; i < w->traffic.n_cohorts; i++) {
        if (strcmp(w->traffic.cohorts[i].name, f->cohort) == 0) {
            f->cohort_index = i;
            return;
        }
    }
    sub(q, sub(p, path, "cohortErrors", 0), "cohort", 0);
    err(b, rsim_ynode_get(rsim_ynode_get(it, "cohortErrors"), "cohort"), q,
        "no cohort named '%s' in spec.traffic.users.cohorts", f->cohort);
}

/* Fault names are unique across every version, so expectations can name one: reports fault
 * (vi, fi) when an earlier fault has its name. */
static void check_fault_name(bw *b,
                             const rsim_ynode *it,
                             const char *path,
                             const rsim_spec_version *vs,
                             size_t vi,
                             size_t fi)
{
    char p[PATH_MAX_LEN];
    const rsim_spec_fault *f = &vs[vi].faults[fi];

    for (size_t i = 0; i <= vi; i++) {
        size_t n = i == vi ? fi : vs[i].n_faults;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(vs[i].faults[j].name, f->name) == 0) {
                const rsim_ynode *at = rsim_ynode_get(it, "name");
                err(b, at != NULL ? at : it, sub(p, path, "name", 0),
                    "duplicate fault name '%s' (first at line %d)", f->name,
                    vs[i].faults[j].loc.line);
                return;
            }
        }
    }
}

static void build_faults(
    bw *b, const rsim_ynode *list, const char *path, rsim_spec_world *w, rsim_spec_version *v)
{
    rsim_spec_fault *fs;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    fs = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *fs);
    v->faults = fs;
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        const rsim_ynode *onset = get_map(it, "onset");
        rsim_spec_fault *f = &fs[i];
        sub(p, path, NULL, i);
        f->loc = it->loc;
        f->name = get_str(b, it, "name", NULL);
        if (f->name == NULL) {
            f->name = rsim_arena_printf(b->ctx->arena, "%s#%zu", v->image, i);
        }
        f->onset_kind = RSIM_ONSET_AFTER_FIRST_TRAFFIC;
        if (onset != NULL) {
            build_onset(b, onset, sub(q, p, "onset", 0), f);
        }
        f->duration = get_dur(b, it, "duration", p, DUR_POSITIVE, RSIM_TIME_MAX);
        build_shape(b, it, p, f);
        resolve_cohort(b, it, p, w, f);
        v->n_faults = i + 1;
    }
}

static void build_version_common(bw *b,
                                 const rsim_ynode *n,
                                 const char *path,
                                 const rsim_spec_version *def,
                                 rsim_spec_version *v)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *c = get_map(n, "capacity");

    v->error_ratio = get_num(n, "errorRatio", def->error_ratio);
    build_dist(b, get_map(n, "latency"), sub(p, path, "latency", 0), &def->latency, &v->latency);
    v->capacity = def->capacity;
    if (c != NULL) {
        sub(p, path, "capacity", 0);
        v->capacity.workers = get_int(c, "workers", v->capacity.workers);
        v->capacity.service_time =
            get_dur(b, c, "serviceTime", p, DUR_POSITIVE, v->capacity.service_time);
        v->capacity.queue = get_int(c, "queue", v->capacity.queue);
    }
    v->capacity.capacity_rps =
        (double)v->capacity.workers * 1000.0 / (double)v->capacity.service_time;
    v->cached = get_bool(n, "cached", def->cached);
    build_dist(b, get_map(n, "appInit"), sub(p, path, "appInit", 0), &def->app_init, &v->app_init);
}

static void build_versions(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *d = get_map(spec, "versionDefaults");
    const rsim_ynode *list = get_seq(spec, "versions");
    rsim_spec_version *vs;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    w->version_defaults.app_init = w->cluster.app_init;
    if (d != NULL) {
        rsim_spec_version def = w->version_defaults;
        build_version_common(b, d, "spec.versionDefaults", &def, &w->version_defaults);
        w->version_defaults.loc = d->loc;
    }
    if (list == NULL) {
        return;
    }
    vs = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *vs);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        rsim_spec_version *v = &vs[i];
        sub(p, "spec.versions", NULL, i);
        v->loc = it->loc;
        v->image = get_str(b, it, "image", "");
        v->description = get_str(b, it, "description", NULL);
        build_version_common(b, it, p, &w->version_defaults, v);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(vs[j].image, v->image) == 0) {
                err(b, rsim_ynode_get(it, "image"), sub(q, p, "image", 0),
                    "duplicate image '%s' (first at line %d)", v->image, vs[j].loc.line);
            }
        }
        build_faults(b, get_seq(it, "faults"), sub(q, p, "faults", 0), w, v);
    }
    w->n_versions = list->n;
    w->versions = vs;
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *faults = get_seq(list->items[i], "faults");
        for (size_t j = 0; j < vs[i].n_faults; j++) {
            sub(q, sub(p, "spec.versions", NULL, i), "faults", 0);
            check_fault_name(b, faults->items[j], sub(p, q, NULL, j), vs, i, j);
        }
    }
}

/* ---- metrics ---- */

static void build_series(bw *b, const rsim_ynode *n, rsim_spec_series *s)
{
    static const char *const presets[] = {"app", "istio", "nginx", NULL};
    static const char *const units[] = {"seconds", "milliseconds", NULL};
    const rsim_ynode *labels = get_map(n, "labels");
    const rsim_ynode *buckets = get_seq(n, "buckets");
    const rsim_ynode *constant = get_map(n, "constantLabels");
    char p[PATH_MAX_LEN];

    *s = series_preset((rsim_series_preset)get_enum(n, "preset", presets, 0));
    s->requests = get_str(b, n, "requests", s->requests);
    s->latency = get_str(b, n, "latency", s->latency);
    s->latency_ms = get_enum(n, "latencyUnit", units, s->latency_ms ? 1 : 0) == 1;
    if (labels != NULL) {
        /* An empty string says "this series has no such label". */
        const char *h = get_str(b, labels, "podTemplateHash", s->hash_label);
        const char *pod = get_str(b, labels, "pod", s->pod_label);
        const char *ns = get_str(b, labels, "namespace", s->namespace_label);
        const char *svc = get_str(b, labels, "service", s->service_label);
        const char *fq = get_str(b, labels, "serviceFqdn", s->service_fqdn_label);
        const char *wl = get_str(b, labels, "workload", s->workload_label);
        const char *wns = get_str(b, labels, "workloadNamespace", s->workload_namespace_label);
        s->status_label = get_str(b, labels, "statusCode", s->status_label);
        s->hash_label = h != NULL && h[0] != '\0' ? h : NULL;
        s->pod_label = pod != NULL && pod[0] != '\0' ? pod : NULL;
        s->namespace_label = ns != NULL && ns[0] != '\0' ? ns : NULL;
        s->service_label = svc != NULL && svc[0] != '\0' ? svc : NULL;
        s->service_fqdn_label = fq != NULL && fq[0] != '\0' ? fq : NULL;
        s->workload_label = wl != NULL && wl[0] != '\0' ? wl : NULL;
        s->workload_namespace_label = wns != NULL && wns[0] != '\0' ? wns : NULL;
    }
    if (buckets != NULL) {
        double *v = rsim_arena_alloc(b->ctx->arena, (buckets->n + 1) * sizeof *v);
        for (size_t i = 0; i < buckets->n; i++) {
            const rsim_ynode *it = buckets->items[i];
            v[i] = rsim_ynode_is_number(it) ? rsim_ynode_number(it) : 0;
            if (!(v[i] > 0)) {
                err(b, it, sub(p, "spec.metrics.series.buckets", NULL, i),
                    "must be greater than 0, got %s", it->str);
            } else if (i > 0 && v[i] <= v[i - 1]) {
                err(b, it, sub(p, "spec.metrics.series.buckets", NULL, i),
                    "buckets must be in increasing order: %g is not above %g", v[i], v[i - 1]);
            }
        }
        s->n_buckets = buckets->n;
        s->buckets = v;
    }
    if (constant != NULL) {
        /* The scenario's constant labels, then the preset's it does not name. */
        size_t cap = constant->n + s->n_labels + 1;
        rsim_spec_world_label *l = rsim_arena_alloc(b->ctx->arena, cap * sizeof *l);
        size_t used = 0;
        for (size_t i = 0; i < constant->n; i++) {
            l[used].name = rsim_arena_strdup(b->ctx->arena, constant->keys[i]->str);
            l[used].value = rsim_arena_strdup(b->ctx->arena, constant->items[i]->str);
            used++;
        }
        for (size_t k = 0; k < s->n_labels; k++) {
            bool named = false;
            for (size_t i = 0; i < constant->n; i++) {
                named = named || strcmp(constant->keys[i]->str, s->labels[k].name) == 0;
            }
            if (!named) {
                l[used++] = s->labels[k];
            }
        }
        s->n_labels = used;
        s->labels = l;
    }
}

/* A rule's expression must parse now (Prometheus refuses a rule file that does not): errors
 * point into the expression. A block scalar's later lines keep the parser's columns. */
static void check_rule_expr(bw *b, const rsim_ynode *n, const char *path, const char *text)
{
    rsim_loc base = n->loc;
    rsim_promql *query = NULL;
    base.len = 0;
    if (n->style == RSIM_YSCALAR_QUOTED) {
        base.col++;
    } else if (n->style == RSIM_YSCALAR_BLOCK) {
        base.line++;
    }
    size_t before = rsim_diag_count(b->ctx->sc.diag);
    if (rsim_promql_parse_path(text, base, path, b->ctx->sc.diag, &query) != RSIM_OK) {
        b->ctx->sc.n_errors += rsim_diag_count(b->ctx->sc.diag) - before;
        b->ok = false;
    }
    rsim_promql_free(query);
}

static void build_rules(bw *b,
                        const rsim_ynode *list,
                        const char *path,
                        bool alert,
                        size_t *n_out,
                        const rsim_spec_prom_rule **out)
{
    rsim_spec_prom_rule *rs;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    rs = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *rs);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        const rsim_ynode *expr = rsim_ynode_get(it, "expr");
        sub(p, path, NULL, i);
        rs[i].loc = it->loc;
        rs[i].name = get_str(b, it, alert ? "alert" : "record", "");
        rs[i].expr = get_str(b, it, "expr", "");
        rs[i].expr_loc = expr != NULL ? expr->loc : it->loc;
        if (expr != NULL && expr->kind == RSIM_YNODE_SCALAR) {
            check_rule_expr(b, expr, sub(q, p, "expr", 0), rs[i].expr);
        }
        if (alert) {
            rs[i].for_ = get_dur(b, it, "for", p, DUR_NONNEG, 0);
            rs[i].keep_firing_for = get_dur(b, it, "keepFiringFor", p, DUR_NONNEG, 0);
        }
    }
    *n_out = list->n;
    *out = rs;
}

static void build_outages(bw *b, const rsim_ynode *list, rsim_spec_metrics *m)
{
    rsim_spec_outage *os;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    os = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *os);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        const rsim_ynode *at = rsim_ynode_get(it, "at");
        sub(p, "spec.metrics.outages", NULL, i);
        os[i].loc = it->loc;
        os[i].at = get_dur(b, it, "at", p, DUR_NONNEG, 0);
        os[i].duration = get_dur(b, it, "duration", p, DUR_POSITIVE, 1);
        if (at != NULL) {
            check_inside_run(b, at, sub(q, p, "at", 0), os[i].at);
        }
        if (i > 0 && os[i].at < os[i - 1].at + os[i - 1].duration) {
            err(b, at != NULL ? at : it, sub(q, p, "at", 0),
                "outages must be in time order and must not overlap: %s is before the end of "
                "the previous one (%s)",
                fmt_dur(os[i].at).s, fmt_dur(os[i - 1].at + os[i - 1].duration).s);
        }
    }
    m->n_outages = list->n;
    m->outages = os;
}

/* spec.metrics.scrapeServices: which Services a ServiceMonitor matches, only with
 * `targets: services`. That each name is a loaded Service is checked with the other documents
 * (check_world.c). */
static void build_scrape_services(bw *b, const rsim_ynode *n, rsim_spec_metrics *m)
{
    const rsim_ynode *list = get_seq(n, "scrapeServices");
    rsim_spec_scrape_service *ss;
    char p[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    if (m->targets != RSIM_SCRAPE_TARGETS_SERVICES) {
        err(b, rsim_ynode_key(n, "scrapeServices"), "spec.metrics.scrapeServices",
            "scrapeServices needs targets: services (with targets: pods every running pod is "
            "a target)");
        return;
    }
    ss = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *ss);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        ss[i].name = rsim_arena_strndup(b->ctx->arena, it->str, it->len);
        ss[i].loc = it->loc;
        sub(p, "spec.metrics.scrapeServices", NULL, i);
        if (ss[i].name[0] == '\0') {
            err(b, it, p, "must not be empty");
        }
        for (size_t j = 0; j < i; j++) {
            if (ss[i].name[0] != '\0' && strcmp(ss[j].name, ss[i].name) == 0) {
                err(b, it, p, "Service '%s' is already listed at line %d", ss[i].name,
                    ss[j].loc.line);
                break;
            }
        }
    }
    m->scrape_services_set = true;
    m->n_scrape_services = list->n;
    m->scrape_services = ss;
}

static void build_metrics(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    static const char *const offsets[] = {"random", "aligned", NULL};
    static const char *const target_kinds[] = {"pods", "services", NULL};
    const rsim_ynode *n = get_map(spec, "metrics");
    const rsim_ynode *am;
    rsim_spec_metrics *m = &w->metrics;
    const char *path = "spec.metrics";

    if (n == NULL) {
        return;
    }
    m->scrape_interval = get_dur(b, n, "scrapeInterval", path, DUR_POSITIVE, m->scrape_interval);
    m->scrape_timeout = get_dur(b, n, "scrapeTimeout", path, DUR_POSITIVE, m->scrape_timeout);
    m->evaluation_interval =
        get_dur(b, n, "evaluationInterval", path, DUR_POSITIVE, m->evaluation_interval);
    m->scrape_aligned = get_enum(n, "scrapeOffset", offsets, 0) == 1;
    m->lookback_delta = get_dur(b, n, "lookbackDelta", path, DUR_POSITIVE, m->lookback_delta);
    m->prometheus_major = (int)get_int(n, "prometheusVersion", m->prometheus_major);
    m->query_latency = get_dur(b, n, "queryLatency", path, DUR_NONNEG, m->query_latency);
    if (m->scrape_timeout > m->scrape_interval) {
        /* Prometheus refuses such a configuration. */
        const rsim_ynode *at = rsim_ynode_get(n, "scrapeTimeout");
        err(b, at != NULL ? at : n, at != NULL ? "spec.metrics.scrapeTimeout" : path,
            "scrapeTimeout (%s) must not be longer than scrapeInterval (%s)",
            fmt_dur(m->scrape_timeout).s, fmt_dur(m->scrape_interval).s);
    }
    if (get_map(n, "series") != NULL) {
        build_series(b, get_map(n, "series"), &m->series);
    }
    m->targets = (rsim_scrape_targets)get_enum(n, "targets", target_kinds, 0);
    m->targets_loc =
        rsim_ynode_get(n, "targets") != NULL ? rsim_ynode_get(n, "targets")->loc : n->loc;
    build_scrape_services(b, n, m);
    if (m->targets == RSIM_SCRAPE_TARGETS_SERVICES && m->series.service_label == NULL &&
        !(m->scrape_services_set && m->n_scrape_services == 1)) {
        /* Two Services selecting one pod would be two targets writing one series. */
        const rsim_ynode *at = rsim_ynode_get(n, "targets");
        err(b, at != NULL ? at : n, "spec.metrics.targets",
            "targets: services needs a service label to tell a pod's targets apart: set "
            "series.labels.service, or name a single Service in scrapeServices");
    }
    build_rules(b, get_seq(n, "recordingRules"), "spec.metrics.recordingRules", false,
                &m->n_recording_rules, &m->recording_rules);
    build_rules(b, get_seq(n, "alertRules"), "spec.metrics.alertRules", true, &m->n_alert_rules,
                &m->alert_rules);
    if (rsim_ynode_key(n, "alertRules") != NULL) {
        m->alert_rules_loc = rsim_ynode_key(n, "alertRules")->loc;
    }
    if ((am = get_map(n, "alertmanager")) != NULL) {
        const char *ap = "spec.metrics.alertmanager";
        m->group_wait = get_dur(b, am, "groupWait", ap, DUR_NONNEG, m->group_wait);
        m->group_interval = get_dur(b, am, "groupInterval", ap, DUR_POSITIVE, m->group_interval);
        m->repeat_interval = get_dur(b, am, "repeatInterval", ap, DUR_POSITIVE, m->repeat_interval);
        m->alert_resend_delay =
            get_dur(b, am, "resendDelay", ap, DUR_POSITIVE, m->alert_resend_delay);
    }
    build_outages(b, get_seq(n, "outages"), m);
}

/* ---- analysis, controller, on-call, SLO, feature flags ---- */

static void build_analysis(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    static const char *const targets[] = {"canary", "stable", NULL};
    const rsim_ynode *n = get_map(spec, "analysis");
    const rsim_ynode *web = get_seq(n, "web");
    const rsim_ynode *job = get_map(n, "job");
    const rsim_spec_dist web_latency = dist_fixed(RSIM_MS(50)); /* [D] */
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (web != NULL) {
        rsim_spec_web_endpoint *es = rsim_arena_alloc(b->ctx->arena, (web->n + 1) * sizeof *es);
        for (size_t i = 0; i < web->n; i++) {
            const rsim_ynode *it = web->items[i];
            sub(p, "spec.analysis.web", NULL, i);
            es[i].loc = it->loc;
            es[i].url = get_str(b, it, "url", "");
            es[i].target = (rsim_web_target)get_enum(it, "target", targets, 0);
            build_dist(b, get_map(it, "latency"), sub(q, p, "latency", 0), &web_latency,
                       &es[i].latency);
            for (size_t j = 0; j < i; j++) {
                if (strcmp(es[j].url, es[i].url) == 0) {
                    err(b, rsim_ynode_get(it, "url"), sub(q, p, "url", 0),
                        "duplicate url '%s' (first at line %d)", es[i].url, es[j].loc.line);
                }
            }
        }
        w->analysis.n_web = web->n;
        w->analysis.web = es;
    }
    if (job != NULL) {
        build_dist(b, get_map(job, "runTime"), "spec.analysis.job.runTime",
                   &w->analysis.job_run_time, &w->analysis.job_run_time);
        w->analysis.job_requests = get_int(job, "requests", w->analysis.job_requests);
    }
}

static void build_on_call(bw *b, const rsim_ynode *n, rsim_spec_world *w)
{
    const rsim_ynode *alerts = get_seq(n, "alerts");
    const char **names;
    char p[PATH_MAX_LEN];

    w->on_call.enabled = true;
    w->on_call.reaction_time =
        get_dur(b, n, "reactionTime", "spec.onCall", DUR_NONNEG, w->on_call.reaction_time);
    if (w->metrics.n_alert_rules == 0) {
        err(b, n, "spec.onCall",
            "an on-call human needs an alert: add a rule to spec.metrics.alertRules");
    }
    if (alerts == NULL) {
        return;
    }
    names = rsim_arena_alloc(b->ctx->arena, (alerts->n + 1) * sizeof *names);
    for (size_t i = 0; i < alerts->n; i++) {
        const rsim_ynode *it = alerts->items[i];
        bool found = false;
        names[i] = rsim_arena_strndup(b->ctx->arena, it->str, it->len);
        for (size_t j = 0; j < w->metrics.n_alert_rules; j++) {
            found = found || strcmp(w->metrics.alert_rules[j].name, names[i]) == 0;
        }
        if (!found && w->metrics.n_alert_rules > 0) {
            err(b, it, sub(p, "spec.onCall.alerts", NULL, i),
                "no alert named '%s' in spec.metrics.alertRules", names[i]);
        }
    }
    w->on_call.n_alerts = alerts->n;
    w->on_call.alerts = names;
}

/* Feature-flag SDK profiles, world-defaults §5. */
static void flags_profile(int sdk, rsim_spec_flags *f)
{
    static const struct {
        rsim_time delay, interval;
        bool poll;
        bool aligned;
    } profiles[] = {
        {RSIM_MS(200), 0, false, false}, /* launchdarkly-streaming [C] */
        {0, RSIM_SEC(30), true, false},  /* launchdarkly-polling [A] */
        {0, RSIM_SEC(15), true, false},  /* unleash [A] */
        {0, RSIM_SEC(60), true, false},  /* flagsmith-local [A] */
        {0, 0, false, false},            /* flagd-grpc [A] */
        {0, RSIM_SEC(5), true, true},    /* flagd-http [A] */
        {0, RSIM_SEC(60), true, false},  /* configmap-volume [A] */
    };
    f->poll = profiles[sdk].poll;
    f->delay = profiles[sdk].delay;
    f->interval = profiles[sdk].interval;
    f->aligned = profiles[sdk].aligned;
}

static void build_misc(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    static const char *const sdks[] = {"launchdarkly-streaming",
                                       "launchdarkly-polling",
                                       "unleash",
                                       "flagsmith-local",
                                       "flagd-grpc",
                                       "flagd-http",
                                       "configmap-volume",
                                       NULL};
    static const char *const deliveries[] = {"push", "poll", NULL};
    static const char *const phases[] = {"perPod", "aligned", NULL};
    const rsim_ynode *n;

    if ((n = get_map(spec, "controller")) != NULL) {
        rsim_spec_controller *c = &w->controller;
        c->enabled = get_bool(n, "enabled", c->enabled);
        c->processing_delay =
            get_dur(b, n, "processingDelay", "spec.controller", DUR_NONNEG, c->processing_delay);
        c->resync_period =
            get_dur(b, n, "resyncPeriod", "spec.controller", DUR_POSITIVE, c->resync_period);
    }
    if ((n = get_map(spec, "onCall")) != NULL) {
        build_on_call(b, n, w);
        w->on_call.loc = rsim_ynode_key(spec, "onCall")->loc;
    }
    if ((n = get_map(spec, "slo")) != NULL) {
        const rsim_ynode *o = rsim_ynode_get(n, "objective");
        w->slo.objective = get_num(n, "objective", w->slo.objective);
        if (o != NULL && !(w->slo.objective > 0 && w->slo.objective < 1)) {
            err(b, o, "spec.slo.objective", "must be above 0 and below 1, got %s", o->str);
        }
        w->slo.window = get_dur(b, n, "window", "spec.slo", DUR_POSITIVE, w->slo.window);
        w->slo.latency_threshold =
            get_dur(b, n, "latencyThreshold", "spec.slo", DUR_NONNEG, w->slo.latency_threshold);
        if (rsim_ynode_key(n, "latencyThreshold") != NULL) {
            w->slo.latency_threshold_loc = rsim_ynode_key(n, "latencyThreshold")->loc;
        }
    }
    if ((n = get_map(spec, "featureFlags")) != NULL) {
        rsim_spec_flags *f = &w->flags;
        f->set = true;
        f->loc = rsim_ynode_key(spec, "featureFlags")->loc;
        flags_profile(get_enum(n, "sdk", sdks, 0), f);
        f->poll = get_enum(n, "delivery", deliveries, f->poll ? 1 : 0) == 1;
        f->delay = get_dur(b, n, "delay", "spec.featureFlags", DUR_NONNEG, f->delay);
        f->interval = get_dur(b, n, "interval", "spec.featureFlags", DUR_POSITIVE, f->interval);
        f->aligned = get_enum(n, "phase", phases, f->aligned ? 1 : 0) == 1;
        if (f->poll && f->interval == 0) {
            err(b, n, "spec.featureFlags", "poll delivery needs an interval");
        }
    }
}

/* ---- operator timeline ---- */

/* startAnalysis: the templates and the arguments, shaped as a Rollout's analysis block. */
static void build_start_analysis(bw *b, const rsim_ynode *k, rsim_spec_action *a)
{
    const rsim_ynode *ts = get_seq(k, "templates");
    const rsim_ynode *as = get_seq(k, "args");

    if (ts != NULL) {
        rsim_spec_template_ref *refs = rsim_arena_alloc(b->ctx->arena, (ts->n + 1) * sizeof *refs);
        for (size_t i = 0; i < ts->n; i++) {
            const rsim_ynode *name = rsim_ynode_get(ts->items[i], "templateName");
            refs[i].template_name = get_str(b, ts->items[i], "templateName", "");
            refs[i].cluster_scope = get_bool(ts->items[i], "clusterScope", false);
            refs[i].loc = name != NULL ? name->loc : ts->items[i]->loc;
        }
        a->n_templates = ts->n;
        a->templates = refs;
    }
    if (as != NULL) {
        rsim_spec_rollout_arg *args = rsim_arena_alloc(b->ctx->arena, (as->n + 1) * sizeof *args);
        for (size_t i = 0; i < as->n; i++) {
            const rsim_ynode *it = as->items[i];
            const char *hash = get_str(b, get_map(it, "valueFrom"), "podTemplateHashValue", NULL);
            args[i].name = get_str(b, it, "name", "");
            args[i].loc = it->loc;
            args[i].kind = RSIM_ROLLOUT_ARG_VALUE;
            args[i].value = get_str(b, it, "value", "");
            if (hash != NULL) {
                args[i].kind = strcmp(hash, "Stable") == 0 ? RSIM_ROLLOUT_ARG_POD_HASH_STABLE
                                                           : RSIM_ROLLOUT_ARG_POD_HASH_LATEST;
                args[i].value = "";
            }
        }
        a->n_args = as->n;
        a->args = args;
    }
}

static void
build_action(bw *b, const rsim_ynode *it, const char *path, size_t index, rsim_spec_action *a)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *at = rsim_ynode_get(it, "at");
    const rsim_ynode *k = NULL;
    int kind;

    a->loc = it->loc;
    a->index = index;
    a->name = get_str(b, it, "name", NULL);
    if (at != NULL) {
        a->at = dur_value(b, at, sub(p, path, "at", 0), DUR_NONNEG, 0);
        check_inside_run(b, at, p, a->at);
    }
    for (kind = 0; kind < RSIM_OP_COUNT; kind++) {
        k = rsim_ynode_get(it, rsim_spec_op_name((rsim_op_kind)kind));
        if (k != NULL) {
            break;
        }
    }
    a->kind = (rsim_op_kind)(kind < RSIM_OP_COUNT ? kind : 0);
    if (k == NULL) {
        return;
    }
    switch (a->kind) {
    case RSIM_OP_SET_IMAGE:
        a->image = get_str(b, k, "image", "");
        a->container = get_str(b, k, "container", NULL);
        a->image_loc =
            rsim_ynode_get(k, "image") != NULL ? rsim_ynode_get(k, "image")->loc : k->loc;
        if (a->container != NULL) {
            a->container_loc = rsim_ynode_get(k, "container")->loc;
        }
        break;
    case RSIM_OP_PROMOTE:
        a->skip_current_step = get_bool(k, "skipCurrentStep", false);
        a->skip_all_steps = get_bool(k, "skipAllSteps", false);
        break;
    case RSIM_OP_UNDO:
        a->to_revision = get_int(k, "toRevision", 0);
        break;
    case RSIM_OP_SCALE:
    case RSIM_OP_SET_WEIGHT:
        a->image = get_str(b, k, "image", "");
        a->image_loc =
            rsim_ynode_get(k, "image") != NULL ? rsim_ynode_get(k, "image")->loc : k->loc;
        a->replicas = get_int(k, "replicas", 0);
        a->weight = get_int(k, "weight", 0);
        break;
    case RSIM_OP_START_ANALYSIS:
    case RSIM_OP_STOP_ANALYSIS:
        a->analysis = get_str(b, k, "name", "");
        a->analysis_loc =
            rsim_ynode_get(k, "name") != NULL ? rsim_ynode_get(k, "name")->loc : k->loc;
        if (a->kind == RSIM_OP_START_ANALYSIS) {
            build_start_analysis(b, k, a);
        }
        break;
    case RSIM_OP_PROMOTE_FULL:
    case RSIM_OP_ABORT:
    case RSIM_OP_RETRY:
    case RSIM_OP_PAUSE:
    case RSIM_OP_RESUME:
    case RSIM_OP_RESTART:
        break;
    }
}

static void build_operator(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *list = get_seq(spec, "operator");
    rsim_spec_action *as;
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    as = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *as);
    for (size_t i = 0; i < list->n; i++) {
        build_action(b, list->items[i], sub(p, "spec.operator", NULL, i), i, &as[i]);
        for (size_t j = 0; as[i].name != NULL && j < i; j++) {
            if (as[j].name != NULL && strcmp(as[j].name, as[i].name) == 0) {
                err(b, rsim_ynode_get(list->items[i], "name"), sub(q, p, "name", 0),
                    "duplicate action name '%s' (first at line %d)", as[i].name, as[j].loc.line);
            }
        }
    }
    /* Stable insertion sort by `at`: entries at the same instant keep their file order, which
     * is the order the run loop plays them in. */
    for (size_t i = 1; i < list->n; i++) {
        rsim_spec_action a = as[i];
        size_t j = i;
        while (j > 0 && as[j - 1].at > a.at) {
            as[j] = as[j - 1];
            j--;
        }
        as[j] = a;
    }
    w->n_actions = list->n;
    w->actions = as;
}

/* ---- expectations ---- */

static void resolve_after(bw *b,
                          const rsim_ynode *it,
                          const char *path,
                          const rsim_spec_world *w,
                          rsim_spec_expectation *e)
{
    char p[PATH_MAX_LEN];

    e->after_action = RSIM_SPEC_NONE;
    for (size_t i = 0; i < w->n_actions; i++) {
        const rsim_spec_action *a = &w->actions[i];
        if (e->after != NULL ? a->name != NULL && strcmp(a->name, e->after) == 0
                             : a->kind == RSIM_OP_SET_IMAGE) {
            e->after_action = i;
            return;
        }
    }
    if (e->after != NULL) {
        err(b, rsim_ynode_get(it, "after"), sub(p, path, "after", 0),
            "no operator action named '%s' in spec.operator", e->after);
    } else {
        err(b, it, path,
            "%s counts from the first setImage action, and spec.operator has none; add one "
            "or name an action with 'after'",
            e->kind == RSIM_EXPECT_ABORTED_WITHIN ? "abortedWithin" : "promotedWithin");
    }
}

static void resolve_fault(bw *b,
                          const rsim_ynode *it,
                          const char *path,
                          const rsim_spec_world *w,
                          rsim_spec_expectation *e)
{
    char p[PATH_MAX_LEN];

    e->fault_version = RSIM_SPEC_NONE;
    e->fault_index = RSIM_SPEC_NONE;
    if (e->fault == NULL) {
        return;
    }
    for (size_t i = 0; i < w->n_versions; i++) {
        for (size_t j = 0; j < w->versions[i].n_faults; j++) {
            if (strcmp(w->versions[i].faults[j].name, e->fault) == 0) {
                e->fault_version = i;
                e->fault_index = j;
                return;
            }
        }
    }
    err(b, rsim_ynode_get(it, "fault"), sub(p, path, "fault", 0),
        "no fault named '%s' in spec.versions", e->fault);
}

static void build_expectation(bw *b,
                              const rsim_ynode *it,
                              const char *path,
                              const rsim_spec_world *w,
                              rsim_spec_expectation *e)
{
    static const char *const phases[] = {"Healthy", "Progressing", "Paused", "Degraded", NULL};
    static const char *const keys[] = {"phase",          "abortedWithin",      "promotedWithin",
                                       "detectedWithin", "faultFailuresBelow", NULL};
    const rsim_ynode *v = NULL;
    int k;

    e->loc = it->loc;
    for (k = 0; keys[k] != NULL; k++) {
        if ((v = rsim_ynode_get(it, keys[k])) != NULL) {
            break;
        }
    }
    if (v == NULL) {
        return;
    }
    e->kind = (rsim_expect_kind)k;
    e->name = get_str(b, it, "name", NULL);
    if (e->name == NULL) {
        e->name = rsim_arena_printf(b->ctx->arena, "%s %.*s", keys[k], (int)v->len, v->str);
    }
    e->after = get_str(b, it, "after", NULL);
    e->fault = get_str(b, it, "fault", NULL);
    e->after_action = RSIM_SPEC_NONE;
    switch (e->kind) {
    case RSIM_EXPECT_PHASE:
        e->phase = (rsim_phase_name)get_enum(it, "phase", phases, 0);
        break;
    case RSIM_EXPECT_ABORTED_WITHIN:
    case RSIM_EXPECT_PROMOTED_WITHIN:
        e->within = get_dur(b, it, keys[k], path, DUR_POSITIVE, 1);
        resolve_after(b, it, path, w, e);
        break;
    case RSIM_EXPECT_DETECTED_WITHIN:
        e->within = get_dur(b, it, keys[k], path, DUR_POSITIVE, 1);
        break;
    case RSIM_EXPECT_FAULT_FAILURES_BELOW:
        e->below = get_int(it, keys[k], 1);
        break;
    }
    resolve_fault(b, it, path, w, e);
}

static void build_expectations(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *list = get_seq(spec, "expectations");
    rsim_spec_expectation *es;
    char p[PATH_MAX_LEN];

    if (list == NULL) {
        return;
    }
    es = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *es);
    for (size_t i = 0; i < list->n; i++) {
        build_expectation(b, list->items[i], sub(p, "spec.expectations", NULL, i), w, &es[i]);
    }
    w->n_expectations = list->n;
    w->expectations = es;
}

/* ---- the document ---- */

static void build_manifests(bw *b, const rsim_ynode *spec, rsim_spec_world *w)
{
    const rsim_ynode *list = get_seq(spec, "manifests");
    const char **m;

    if (list == NULL) {
        return;
    }
    m = rsim_arena_alloc(b->ctx->arena, (list->n + 1) * sizeof *m);
    for (size_t i = 0; i < list->n; i++) {
        m[i] = rsim_arena_strndup(b->ctx->arena, list->items[i]->str, list->items[i]->len);
    }
    w->n_manifests = list->n;
    w->manifests = m;
}

bool rsim_scenario_build_world(rsim_build_ctx *ctx, const rsim_ynode *doc, rsim_spec_world *out)
{
    bw b = {.ctx = ctx, .ok = true};
    const rsim_ynode *spec = get_map(doc, "spec");
    rsim_spec_world w;

    memset(&w, 0, sizeof w);
    default_world(&w);
    w.loc = doc->loc;
    w.name = get_str(&b, get_map(doc, "metadata"), "name", "");
    /* An empty mapping stands in for a missing spec, so every default still applies. */
    if (spec != NULL) {
        w.description = get_str(&b, spec, "description", NULL);
        w.rollout = get_str(&b, spec, "rollout", NULL);
        if (w.rollout != NULL) {
            w.rollout_loc = rsim_ynode_get(spec, "rollout")->loc;
        }
        build_manifests(&b, spec, &w);
        build_run(&b, spec, &w); /* first: the duration bounds the times below */
        b.duration = w.duration;
        build_cluster(&b, spec, &w);
        build_traffic(&b, spec, &w);
        build_versions(&b, spec, &w);
        build_metrics(&b, spec, &w);
        build_analysis(&b, spec, &w);
        build_misc(&b, spec, &w);
        build_operator(&b, spec, &w);
        build_expectations(&b, spec, &w);
    }
    *out = w;
    return b.ok;
}
