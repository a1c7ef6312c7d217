/* prometheus.c - the Prometheus model over the world's pods: a scrape target per running pod,
 * or with spec.metrics.targets: services per (Service, running pod it selects) pair, fed by the
 * traffic model's per-pod counters through deferred reads (docs/modules/metrics.md "Deferred
 * scrapes"); the Services' selectors as the controller sets them; crash-looping pods whose
 * scrapes fail and whose new containers count from zero. observe.c's AnalysisRuns query the
 * store it fills. Start at rsim_observe_prom_init and ask. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe_priv.h"

/* A scrape asks the traffic model for the pod's counters at its instant; the model answers
 * when it settles the piece around that instant (pod_answer), without cutting a piece for it
 * (docs/modules/traffic.md "Reads inside a piece"), or, as lazy reads are on, only when a query
 * may select one of the ReplicaSet's targets (prom_sync), before the pods change, or never
 * (docs/modules/traffic.md "Deferred ReplicaSets"): the samples of a ReplicaSet no query
 * looks at need no split over its pods. Answers come in the order asked for each pod, so the
 * store gets each series' samples in order; the tag of a read carries what the answer needs:
 * its target (a pod, or a (Service, pod) pair with targets: services), whether the exporter
 * was down at the scrape, and the pod's process then. A scrape of a pod whose container does
 * not run (crash back-off, or a restart not started yet), or whose app is still initialising
 * after a restart, fails when the exporter is the app's own process (preset app; an Istio
 * sidecar or an ingress controller answers on); it still goes through the model so that its
 * target's answers stay in order. */
#define TAG_DOWN ((uint64_t)1 << 63)

static void ask(struct rsim_observe *o, uint32_t target, uint32_t pod_id, rsim_time now)
{
    const rsim_pod *pod = rsim_cluster_pod(o->e->cluster, pod_id);
    bool down =
        pod == NULL ||
        (o->in_app && (pod->running_at < 0 || pod->running_at > now || pod->app_up_at > now));
    uint32_t generation = pod != NULL && o->in_app ? pod->restarts : 0;
    uint64_t tag =
        (uint64_t)target | (uint64_t)(generation & 0x7fffffffu) << 32 | (down ? TAG_DOWN : 0);
    rsim_traffic_read_at(o->e->traffic, pod_id, now, tag);
}

/* A scrape of gateway target g: its counters are the router's, read at once after settling
 * traffic up to the scrape (a piece is cut there: the sides' counts have no split by instant;
 * docs/modules/metrics.md "The callers' side"). The gateway never goes down. */
static void gateway_scrape(struct rsim_observe *o, uint32_t g, rsim_time now)
{
    rsim_traffic *t = o->e->traffic;
    rsim_traffic_observe(t, now);
    uint64_t requests = 0, failures = 0;
    const int sides[2] = {RSIM_TRAFFIC_STABLE_SIDE, RSIM_TRAFFIC_CANARY_SIDE};
    const bool on[2] = {o->gateways[g].stable, o->gateways[g].canary};
    for (int i = 0; i < 2; i++) {
        uint64_t r = 0, f = 0;
        if (on[i]) {
            rsim_traffic_side_counts(t, sides[i], &r, &f);
        }
        requests += r;
        failures += f;
    }
    rsim_metrics_counters c = {requests - failures, failures, NULL, 0.0, 0};
    rsim_metrics_scraper_deliver(o->scraper, g, now, &c);
}

/* The scraper's request for target's counters: a gateway's at once, a pod's through the
 * traffic model (its pod: the target's pair with targets: services, else id - n_gateways). */
static void target_request(void *arg, uint32_t target, rsim_time now)
{
    struct rsim_observe *o = arg;
    if (target < o->n_gateways) {
        gateway_scrape(o, target, now);
        return;
    }
    ask(o, target, o->by_service ? o->targets.items[target].pod : target - o->n_gateways, now);
}

/* Visitor: whether the selector has a matcher on the label named arg. */
static bool tests_label(void *arg, const rsim_promql_node *n)
{
    const char *const *label = arg;
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        if (strcmp(n->u.sel.matchers[i].name, *label) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether query may select a series of a target of ReplicaSet rs's pods. Pod targets of one
 * ReplicaSet differ only in their pod label: when no selector tests it, one pod answers for
 * all. */
static bool rs_selected(struct rsim_observe *o, uint32_t rs, const rsim_promql *query)
{
    if (query == NULL) {
        return true;
    }
    if (o->by_service) {
        for (uint32_t k = 0; k < o->targets.n; k++) {
            const rsim_pod *pod = rsim_cluster_pod(o->e->cluster, o->targets.items[k].pod);
            if (pod != NULL && pod->rs == rs &&
                rsim_metrics_scraper_may_select(o->scraper, k, query)) {
                return true;
            }
        }
        return false;
    }
    const rsim_pod *const *pods = NULL;
    size_t n = rsim_cluster_pods(o->e->cluster, rs, &pods);
    const char *pod_label = o->e->world->metrics.series.pod_label;
    bool by_pod = pod_label != NULL && pod_label[0] &&
                  rsim_promql_any_selector(rsim_promql_root(query), tests_label, &pod_label);
    for (size_t i = 0; i < n; i++) {
        uint32_t id = pods[i]->id + o->n_gateways;
        if (rsim_metrics_scraper_offset(o->scraper, id) < 0) {
            continue; /* never scraped: no series of it */
        }
        if (rsim_metrics_scraper_may_select(o->scraper, id, query)) {
            return true;
        }
        if (!by_pod) {
            return false;
        }
    }
    return false;
}

/* Every scrape at or before now that query may select is stored (NULL: every scrape). */
void rsim_observe_prom_sync(struct rsim_observe *o, rsim_time now, const rsim_promql *query)
{
    rsim_traffic *t = o->e->traffic;
    rsim_traffic_observe(t, now);
    for (uint32_t rs = 0; rs < rsim_cluster_rs_count(o->e->cluster); rs++) {
        if (rsim_traffic_reads_deferred(t, rs) > 0 && rs_selected(o, rs, query)) {
            rsim_traffic_reads_flush(t, rs);
        }
    }
}

/* The scraper's sync (before recording rules): every scrape. */
static void scrapes_sync(void *arg, rsim_time now)
{
    rsim_observe_prom_sync(arg, now, NULL);
}

static void
pod_answer(void *arg, uint32_t pod, rsim_time at, uint64_t tag, const rsim_traffic_pod *c)
{
    struct rsim_observe *o = arg;
    uint32_t target = (uint32_t)(tag & 0xffffffffu);
    RSIM_ASSERT(!o->by_service || o->targets.items[target].pod == pod);
    if (tag & TAG_DOWN) {
        rsim_metrics_scraper_deliver(o->scraper, target, at, NULL);
        return;
    }
    uint32_t generation = (uint32_t)(tag >> 32) & 0x7fffffffu;
    rsim_metrics_counters out = {c->ok, c->err, c->buckets, c->latency_sum_ms, generation};
    if (pod < o->base.n && o->base.items[pod].set) {
        const obs_baseline *b = &o->base.items[pod];
        size_t nb = o->e->world->metrics.series.n_buckets;
        out.ok -= b->ok;
        out.err -= b->err;
        out.latency_sum_ms -= b->sum;
        for (size_t i = 0; i <= nb; i++) {
            o->scratch_b[i] = c->buckets[i] - b->b[i];
        }
        out.buckets = o->scratch_b;
    }
    rsim_metrics_scraper_deliver(o->scraper, target, at, &out);
}

/* Pod id's baseline: its counters c. */
static void set_baseline(struct rsim_observe *o, uint32_t id, const rsim_traffic_pod *c)
{
    size_t nb = o->e->world->metrics.series.n_buckets;
    while (o->base.n <= id) {
        obs_baseline none = {0};
        RSIM_VEC_PUSH(o->base, none);
    }
    obs_baseline *b = &o->base.items[id];
    if (b->b == NULL) {
        b->b = rsim_xcalloc(nb + 1, sizeof *b->b);
    }
    b->set = true;
    b->ok = c->ok;
    b->err = c->err;
    b->sum = c->latency_sum_ms;
    memcpy(b->b, c->buckets, (nb + 1) * sizeof *b->b);
}

/* A crash moves the exporter's zero (app preset): the next process starts from zero, so the
 * baseline becomes the pod's counters while no container runs. Nothing reaches the pod from the
 * crash until it serves again (it refuses what is routed to it until its endpoint is withdrawn,
 * and it is in no pod tree meanwhile), so those are the old process's totals, read without a
 * draw; every read before the crash was answered by the traffic model's settle before it. */
static void note_pod_change(struct rsim_observe *o, const rsim_pod *pod, rsim_time now)
{
    bool crashed = o->in_app && pod->id < o->is_target.n && o->is_target.items[pod->id] &&
                   (pod->running_at < 0 || pod->running_at > now) && pod->state != RSIM_POD_GONE;
    if (crashed) {
        rsim_traffic_pod c = rsim_traffic_pod_counters(o->e->traffic, pod->id);
        set_baseline(o, pod->id, &c);
    }
}

static bool pod_running(rsim_pod_state s)
{
    return s == RSIM_POD_NOT_READY || s == RSIM_POD_READY || s == RSIM_POD_AVAILABLE ||
           s == RSIM_POD_TERMINATING;
}

static const char *target_namespace(const struct rsim_observe *o)
{
    return o->e->rollout && o->e->rollout->namespace_[0] ? o->e->rollout->namespace_ : "default";
}

/* The pods' workload, as Istio names it: the owner's name without the pod-template hash, so
 * the Rollout's name for every revision. */
static const char *workload(const struct rsim_observe *o)
{
    return o->e->rollout ? o->e->rollout->name : "";
}

/* Whether Service sv selects the pod: its manifest selector against the pod's labels (the
 * Rollout template's labels and rollouts-pod-template-hash), and the hash the controller set. */
static bool
service_selects(const struct rsim_observe *o, const obs_service *sv, const rsim_pod *pod)
{
    static const char hash_key[] = "rollouts-pod-template-hash";
    const char *hash = rsim_cluster_rs_at(o->e->cluster, pod->rs)->hash;
    const rsim_spec_labels *sel = &sv->spec->selector;
    if (sel->n == 0 || (sv->hash[0] != '\0' && strcmp(sv->hash, hash) != 0)) {
        return false; /* a Service without a selector gets no endpoints from pods */
    }
    for (size_t i = 0; i < sel->n; i++) {
        const char *v = strcmp(sel->items[i].key, hash_key) == 0
                            ? hash
                            : (o->e->rollout ? rsim_spec_labels_get(&o->e->rollout->template.labels,
                                                                    sel->items[i].key)
                                             : NULL);
        if (v == NULL || strcmp(v, sel->items[i].value) != 0) {
            return false;
        }
    }
    return true;
}

/* Makes the pair (Service k, pod) a target or not: a removed pair's series go stale, a pair
 * selected again comes back under its old number (same labels, same offset). */
static void
set_service_target(struct rsim_observe *o, size_t k, const rsim_pod *pod, bool want, rsim_time now)
{
    obs_service *sv = &o->services.items[k];
    while (sv->target.n <= pod->id) {
        pod_target none = {NO_TARGET};
        RSIM_VEC_PUSH(sv->target, none);
    }
    uint32_t id = sv->target.items[pod->id].id;
    if (!want) {
        if (id != NO_TARGET && o->targets.items[id].active) {
            /* Its scrapes so far are stored before its staleness markers are written. */
            rsim_traffic_observe(o->e->traffic, now);
            rsim_traffic_reads_flush(o->e->traffic, pod->rs);
            rsim_metrics_scraper_remove_target(o->scraper, id, now);
            o->targets.items[id].active = false;
        }
        return;
    }
    if (id != NO_TARGET && o->targets.items[id].active) {
        return;
    }
    if (id == NO_TARGET) {
        id = (uint32_t)o->targets.n;
        obs_target t = {pod->id, (uint32_t)k, false};
        RSIM_VEC_PUSH(o->targets, t);
        sv->target.items[pod->id].id = id;
    }
    const rsim_cluster_rs *r = rsim_cluster_rs_at(o->e->cluster, pod->rs);
    rsim_metrics_target t = {.id = id,
                             .pod = pod->name,
                             .hash = r->hash,
                             .namespace_ = target_namespace(o),
                             .service = sv->spec->name,
                             .workload = workload(o)};
    rsim_metrics_scraper_add_target(o->scraper, &t, now);
    o->targets.items[id].active = true;
}

/* A pod is a target from when its container runs (it exports) until it is gone: one target
 * with targets: pods, one per Service selecting it with targets: services. */
static void track_pod(struct rsim_observe *o, const rsim_pod *pod, rsim_time now)
{
    while (o->is_target.n <= pod->id) {
        RSIM_VEC_PUSH(o->is_target, false);
    }
    if (pod->state == RSIM_POD_GONE && o->is_target.items[pod->id]) {
        o->is_target.items[pod->id] = false;
        if (!o->by_service) {
            rsim_metrics_scraper_remove_target(o->scraper, pod->id + o->n_gateways, now);
        }
        for (size_t k = 0; o->by_service && k < o->services.n; k++) {
            set_service_target(o, k, pod, false, now);
        }
    } else if (pod_running(pod->state) && !o->is_target.items[pod->id]) {
        o->is_target.items[pod->id] = true;
        if (!o->by_service) {
            const rsim_cluster_rs *r = rsim_cluster_rs_at(o->e->cluster, pod->rs);
            rsim_metrics_target t = {.id = pod->id + o->n_gateways,
                                     .pod = pod->name,
                                     .hash = r->hash,
                                     .namespace_ = target_namespace(o),
                                     .workload = workload(o)};
            rsim_metrics_scraper_add_target(o->scraper, &t, now);
        }
        for (size_t k = 0; o->by_service && k < o->services.n; k++) {
            set_service_target(o, k, pod, service_selects(o, &o->services.items[k], pod), now);
        }
    }
}

/* The Services a ServiceMonitor matches: those spec.metrics.scrapeServices names, or every
 * loaded Service selecting the Rollout's pods; each starts with the hash the controller's
 * steady state at t = 0 set on it. */
static void init_services(struct rsim_observe *o)
{
    rsim_engine *e = o->e;
    const rsim_spec_metrics *m = &e->world->metrics;
    static const rsim_spec_labels no_labels = {0, NULL};
    const rsim_spec_labels *labels = e->rollout ? &e->rollout->template.labels : &no_labels;
    for (size_t i = 0; i < e->spec->n_services; i++) {
        const rsim_spec_service *svc = &e->spec->services[i];
        bool match = !m->scrape_services_set && rsim_spec_service_selects(svc, labels);
        for (size_t k = 0; k < m->n_scrape_services && !match; k++) {
            match = strcmp(m->scrape_services[k].name, svc->name) == 0;
        }
        if (!match) {
            continue;
        }
        obs_service sv;
        memset(&sv, 0, sizeof sv);
        sv.spec = svc;
        snprintf(sv.hash, sizeof sv.hash, "%s", rsim_engine_control_service_hash(e, svc->name));
        RSIM_VEC_PUSH(o->services, sv);
    }
}

/* The Service the controller's effect names: blue-green names the role ("active",
 * "preview"), a canary the Service itself (its canaryService or stableService). */
static obs_service *service_of_effect(struct rsim_observe *o, const char *name)
{
    const rsim_spec_rollout *r = o->e->rollout;
    if (r != NULL && r->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        if (strcmp(name, "active") == 0) {
            name = r->blue_green.active_service;
        } else if (strcmp(name, "preview") == 0) {
            name = r->blue_green.preview_service;
        }
    }
    for (size_t k = 0; k < o->services.n; k++) {
        if (strcmp(o->services.items[k].spec->name, name) == 0) {
            return &o->services.items[k];
        }
    }
    return NULL;
}

void rsim_engine_observe_service_select(rsim_engine *e,
                                        const char *service,
                                        const char *hash,
                                        rsim_time now)
{
    struct rsim_observe *o = e->observe;
    if (o == NULL || !o->by_service) {
        return;
    }
    obs_service *sv = service_of_effect(o, service);
    if (sv == NULL || strcmp(sv->hash, hash) == 0) {
        return;
    }
    snprintf(sv->hash, sizeof sv->hash, "%s", hash);
    size_t k = (size_t)(sv - o->services.items);
    /* Pods in id order: those it no longer selects go, those it now selects come. */
    for (uint32_t id = 0; id < o->is_target.n; id++) {
        if (o->is_target.items[id]) {
            const rsim_pod *pod = rsim_cluster_pod(e->cluster, id);
            set_service_target(o, k, pod, service_selects(o, sv, pod), now);
        }
    }
}

static void on_pod(void *arg, const rsim_pod *pod, bool after, rsim_time now)
{
    struct rsim_observe *o = arg;
    if (!after) {
        return;
    }
    note_pod_change(o, pod, now);
    track_pod(o, pod, now);
}

/* What some query of the run may select: every Prometheus query of every template loaded (any
 * of them may be started, with arguments known only then), the recording rules and the alert
 * rules. Nothing is written from the raw series, so leaving the rest out changes no output. */
static rsim_metrics_needs scenario_needs(const rsim_engine *e)
{
    const rsim_spec_metrics *m = &e->world->metrics;
    rsim_metrics_needs needs = {false, false, false};
    for (size_t i = 0; i < e->spec->n_templates; i++) {
        const rsim_spec_analysis_template *tp = &e->spec->templates[i];
        for (size_t k = 0; k < tp->n_metrics; k++) {
            if (tp->metrics[k].prometheus) {
                rsim_metrics_needs_add_text(&needs, &m->series, tp->metrics[k].prometheus->query);
            }
        }
    }
    for (size_t i = 0; i < m->n_recording_rules; i++) {
        rsim_metrics_needs_add_text(&needs, &m->series, m->recording_rules[i].expr);
    }
    for (size_t i = 0; i < m->n_alert_rules; i++) {
        rsim_metrics_needs_add_text(&needs, &m->series, m->alert_rules[i].expr);
    }
    return needs;
}

/* The ingress gateway's targets, one per Service the router sends to (rsim_spec_gateway_services),
 * with ids 0, 1 before every other target; scraped from the start, never removed. */
static void init_gateways(struct rsim_observe *o)
{
    rsim_engine *e = o->e;
    const char *names[2];
    size_t n = rsim_spec_gateway_services(e->world, e->rollout, names);
    static const rsim_metrics_label source[] = {{"reporter", "source"}};
    for (size_t g = 0; g < n; g++) {
        const rsim_spec_canary *c = &e->rollout->canary;
        bool is_stable = c->stable_service != NULL && strcmp(names[g], c->stable_service) == 0;
        bool is_canary = c->canary_service != NULL && strcmp(names[g], c->canary_service) == 0;
        /* One Service for both sides (only one named): it takes every request. */
        o->gateways[g] = (obs_gateway){names[g], is_stable || n == 1, is_canary || n == 1};
        if (o->by_service) {
            obs_target none = {UINT32_MAX, UINT32_MAX, true};
            RSIM_VEC_PUSH(o->targets, none);
        }
        rsim_metrics_target t = {.id = (uint32_t)g,
                                 .pod = "istio-ingressgateway",
                                 .namespace_ = "istio-system",
                                 .service = names[g],
                                 .workload = e->rollout->name,
                                 .destination_namespace = target_namespace(o),
                                 .overrides = source,
                                 .n_overrides = 1};
        rsim_metrics_scraper_add_target(o->scraper, &t, 0);
    }
    o->n_gateways = (uint32_t)n;
}

void rsim_observe_prom_init(struct rsim_observe *o)
{
    rsim_engine *e = o->e;
    const rsim_spec_world *w = e->world;
    /* Every sample is kept: a run's queries may look back over any window. */
    o->store = rsim_metrics_store_new(0);
    o->scratch_b = rsim_xcalloc(w->metrics.series.n_buckets + 1, sizeof *o->scratch_b);
    o->by_service = w->metrics.targets == RSIM_SCRAPE_TARGETS_SERVICES;
    o->in_app = w->metrics.series.preset == RSIM_SERIES_APP;
    if (o->by_service) {
        init_services(o);
    }
    rsim_metrics_source src = {.arg = o, .request = target_request, .sync = scrapes_sync};
    rsim_traffic_set_reader(e->traffic, pod_answer, o);
    rsim_traffic_set_lazy_reads(e->traffic, true);
    /* A sidecar or an ingress answers for a crashed app with 503s, counted in its series. */
    rsim_traffic_set_refused_counted(e->traffic, !o->in_app);
    o->scraper =
        rsim_metrics_scraper_new(o->store, &w->metrics, e->q, e->seed, e->replication, &src);
    init_gateways(o);
    rsim_metrics_needs needs = scenario_needs(e);
    rsim_metrics_scraper_set_needs(o->scraper, &needs);
    /* No query reads a pod's histogram: pod reads need not draw latency at all. */
    rsim_traffic_set_pod_latency(e->traffic, needs.latency);
    o->opts.lookback_ms = w->metrics.lookback_delta;
    o->opts.prom_major = w->metrics.prometheus_major;
}

/* Pods already running (the stable revision at t = 0) are targets from the start; then the
 * cluster tells of every change. */
void rsim_observe_prom_watch(struct rsim_observe *o)
{
    rsim_engine *e = o->e;
    for (uint32_t rs = 0; rs < rsim_cluster_rs_count(e->cluster); rs++) {
        const rsim_pod *const *pods = NULL;
        size_t n = rsim_cluster_pods(e->cluster, rs, &pods);
        for (size_t i = 0; i < n; i++) {
            track_pod(o, pods[i], 0);
        }
    }
    rsim_cluster_watch(e->cluster, on_pod, o);
}

void rsim_observe_prom_fini(struct rsim_observe *o)
{
    free(o->is_target.items);
    for (size_t k = 0; k < o->services.n; k++) {
        free(o->services.items[k].target.items);
    }
    free(o->services.items);
    free(o->targets.items);
    for (size_t i = 0; i < o->base.n; i++) {
        free(o->base.items[i].b);
    }
    free(o->base.items);
    free(o->scratch_b);
    rsim_metrics_scraper_free(o->scraper);
    rsim_metrics_store_free(o->store);
}
