/* life.c - building and freeing the traffic model, watching the cluster, and the queries.
 * The fine latency grid is built here: 8 log-spaced bounds per doubling from 0.05 ms to beyond
 * 10^7 ms, merged with the metrics' bucket bounds so that every metrics bucket is a union of
 * fine buckets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "traffic_priv.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static void build_grid(rsim_traffic *t)
{
    const rsim_spec_series *s = &t->w->metrics.series;
    double unit = s->latency_ms ? 1.0 : 1000.0;
    t->n_coarse = s->n_buckets + 1;
    t->coarse_b = rsim_xcalloc(t->n_coarse, sizeof(double));
    for (size_t i = 0; i < s->n_buckets; i++) {
        t->coarse_b[i] = s->buckets[i] * unit;
    }
    t->coarse_b[s->n_buckets] = INFINITY;
    size_t cap = 256 + t->n_coarse;
    double *b = rsim_xcalloc(cap, sizeof(double));
    size_t n = 0;
    double step = pow(2.0, 1.0 / RSIM_TRAFFIC_FINE_PER_DOUBLING);
    for (double g = 0.05; g < 2e7 && n < 240; g *= step) {
        b[n++] = g;
    }
    for (size_t i = 0; i < s->n_buckets; i++) {
        b[n++] = t->coarse_b[i];
    }
    qsort(b, n, sizeof(double), cmp_double);
    /* Drop log-grid bounds too close to a metrics bound (keep the metrics bound itself). */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && b[i] <= b[m - 1] * (1.0 + 1e-9)) {
            b[m - 1] = b[i];
            continue;
        }
        b[m++] = b[i];
    }
    b[m++] = INFINITY;
    t->n_fine = m;
    t->fine_b = b;
    t->fine_to_c = rsim_xcalloc(m, sizeof(size_t));
    size_t j = 0;
    for (size_t i = 0; i < m; i++) {
        while (j + 1 < t->n_coarse && b[i] > t->coarse_b[j]) {
            j++;
        }
        t->fine_to_c[i] = j;
    }
    t->scratch = rsim_xcalloc(m, sizeof(double));
    t->scratch2 = rsim_xcalloc(m, sizeof(double));
    t->scratch_n = rsim_xcalloc(m, sizeof(uint64_t));
}

static void build_classes(rsim_traffic *t)
{
    const rsim_spec_traffic *tr = &t->w->traffic;
    uint64_t total = tr->users > 0 ? (uint64_t)tr->users : 1;
    if (tr->n_cohorts + 1 > RSIM_TRAFFIC_MAX_CLASS) {
        rsim_panic("at most %d cohorts", RSIM_TRAFFIC_MAX_CLASS - 1);
    }
    t->n_class = tr->n_cohorts + 1;
    t->cls = rsim_xcalloc(t->n_class, sizeof(*t->cls));
    t->class_p = rsim_xcalloc(t->n_class, sizeof(double));
    uint64_t used = 0;
    for (size_t k = 0; k < t->n_class; k++) {
        uint64_t u = 0;
        if (k < tr->n_cohorts) {
            u = (uint64_t)llround(tr->cohorts[k].share * (double)total);
            u = u > total - used ? total - used : u;
        } else {
            u = total - used;
        }
        used += u;
        rsim_traffic_users_init(&t->cls[k].users, u);
        t->cls[k].pub.users = u;
        t->cls[k].share = (double)u / (double)total;
        t->class_p[k] = t->cls[k].share;
    }
}

static void build_faults(rsim_traffic *t)
{
    const rsim_spec_world *w = t->w;
    t->vers = rsim_xcalloc(w->n_versions + 1, sizeof(*t->vers));
    size_t n = 0;
    for (size_t v = 0; v < w->n_versions; v++) {
        n += w->versions[v].n_faults;
    }
    t->faults = rsim_xcalloc(n > 0 ? n : 1, sizeof(*t->faults));
    t->n_faults = n;
    size_t i = 0;
    for (size_t v = 0; v <= w->n_versions; v++) {
        version_state *vs = &t->vers[v];
        vs->first = -1;
        vs->fault0 = i;
        vs->n_faults = v < w->n_versions ? w->versions[v].n_faults : 0;
        for (size_t j = 0; j < vs->n_faults; j++, i++) {
            fault_state *f = &t->faults[i];
            f->vi = v;
            f->pub.spec = &w->versions[v].faults[j];
            f->pub.onset = -1;
            f->pub.exposed_at = -1;
        }
    }
}

static rsim_time pick_router_delay(const rsim_spec_world *w, const rsim_spec_rollout *ro)
{
    const rsim_spec_router *d = &w->traffic.router;
    if (ro == NULL || ro->strategy != RSIM_STRATEGY_CANARY || !ro->canary.traffic_routing.set) {
        return d->service;
    }
    unsigned r = ro->canary.traffic_routing.routers;
    if (r & RSIM_ROUTER_ISTIO) {
        return d->istio;
    }
    if (r & RSIM_ROUTER_NGINX) {
        return d->nginx;
    }
    if (r & RSIM_ROUTER_ALB) {
        return d->alb;
    }
    if (r & RSIM_ROUTER_SMI) {
        return d->smi;
    }
    return d->other;
}

static void on_pod(void *arg, const rsim_pod *pod, bool after, rsim_time now)
{
    rsim_traffic *t = arg;
    if (after) {
        rsim_traffic_observe(t, now); /* registers a new ReplicaSet; settles nothing new */
        return;
    }
    rsim_traffic_observe(t, now);
    /* The serving set may change: split what the old set served before it does. */
    rsim_traffic_pods_flush(t, pod->rs);
}

rsim_traffic *rsim_traffic_new(const rsim_spec_world *w,
                               const rsim_spec_rollout *ro,
                               rsim_cluster *c,
                               rsim_evq *q,
                               uint64_t seed,
                               uint64_t replication)
{
    rsim_traffic *t = rsim_xcalloc(1, sizeof(*t));
    t->settled = q != NULL ? rsim_evq_now(q) : 0;
    t->w = w;
    t->c = c;
    t->q = q;
    t->seed = seed;
    t->replication = replication;
    t->tick = w->tick > 0 ? w->tick : RSIM_SEC(1);
    t->router_delay = pick_router_delay(w, ro);
    t->max_weight = 100;
    if (ro != NULL && ro->strategy == RSIM_STRATEGY_CANARY &&
        ro->canary.traffic_routing.max_weight.value > 0) {
        t->max_weight = ro->canary.traffic_routing.max_weight.value;
    }
    t->tick_open = -1;
    t->cur.mode = RSIM_TRAFFIC_SERVICE;
    t->cur.stable_rs = t->cur.canary_rs = t->cur.active_rs = RSIM_TRAFFIC_NO_RS;
    t->rng_arrivals = rsim_rng_new(seed, replication, "traffic/arrivals");
    t->rng_split = rsim_rng_new(seed, replication, "traffic/split");
    t->rng_users = rsim_rng_new(seed, replication, "traffic/users");
    t->rng_latency = rsim_rng_new(seed, replication, "traffic/latency");
    t->rng_flags = rsim_rng_new(seed, replication, "traffic/flags");
    build_grid(t);
    t->pod_latency = true;
    build_classes(t);
    build_faults(t);
    memset(&t->flag, 0, sizeof(t->flag));
    t->flag.rev.first_request = -1;
    t->flag.rng = rsim_rng_new(seed, replication, "traffic/outcomes/flag");
    t->flag.fine = rsim_xcalloc(t->n_fine, sizeof(uint64_t));
    if (w->flags.poll && w->flags.interval > 0) {
        t->flag_phase = (rsim_time)rsim_rng_uniform_int(t->rng_flags, (uint64_t)w->flags.interval);
    }
    for (size_t i = 0; i < t->n_faults; i++) {
        if (t->faults[i].pub.spec->onset_kind == RSIM_ONSET_AT) {
            rsim_traffic_fault_onset(t, i, t->faults[i].pub.spec->onset);
        }
    }
    rsim_cluster_watch(c, on_pod, t);
    return t;
}

void rsim_traffic_free(rsim_traffic *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_rs; i++) {
        rsim_traffic_account_fini(&t->rs[i].acct);
        free(t->rs[i].pend_b);
        free(t->rs[i].pend_bsum);
        free(t->rs[i].cut_b);
        free(t->rs[i].cut_bsum);
        rsim_traffic_pod_tree_fini(&t->rs[i].tree);
        rsim_rng_free(t->rs[i].rng_pods);
        rsim_rng_free(t->rs[i].rng_refused);
        rsim_traffic_lazy_fini(&t->rs[i]);
    }
    free(t->rs);
    rsim_traffic_account_fini(&t->flag);
    for (size_t i = 0; i < t->pods.n; i++) {
        free(t->pods.items[i].b);
    }
    free(t->pods.items);
    for (size_t k = 0; k < t->n_class; k++) {
        rsim_traffic_users_fini(&t->cls[k].users);
    }
    free(t->cls);
    free(t->class_p);
    free(t->vers);
    free(t->faults);
    free(t->coarse_b);
    free(t->fine_b);
    free(t->fine_to_c);
    free(t->dst);
    free(t->cnt);
    free(t->key_usable);
    free(t->rs_share);
    free(t->prob);
    free(t->scratch);
    free(t->scratch2);
    free(t->scratch_n);
    free(t->pend.items);
    free(t->reads.items);
    rsim_rng_free(t->rng_arrivals);
    rsim_rng_free(t->rng_split);
    rsim_rng_free(t->rng_users);
    rsim_rng_free(t->rng_latency);
    rsim_rng_free(t->rng_flags);
    free(t);
}

/* ---- queries ---- */

const rsim_traffic_rev *rsim_traffic_rev_at(rsim_traffic *t, uint32_t rs)
{
    static const rsim_traffic_rev none = {.first_request = -1};
    rsim_traffic_sync_rs(t);
    return rs < t->n_rs ? &t->rs[rs].acct.rev : &none;
}

const rsim_traffic_rev *rsim_traffic_flag_rev(const rsim_traffic *t)
{
    return &t->flag.rev;
}

uint64_t rsim_traffic_unrouted(const rsim_traffic *t)
{
    return t->unrouted;
}

uint64_t rsim_traffic_requests(const rsim_traffic *t)
{
    return t->requests;
}

size_t rsim_traffic_cohort_count(const rsim_traffic *t)
{
    return t->n_class;
}

const rsim_traffic_cohort *rsim_traffic_cohort_at(const rsim_traffic *t, size_t i)
{
    return i < t->n_class ? &t->cls[i].pub : NULL;
}

uint64_t rsim_traffic_users_hit(const rsim_traffic *t)
{
    uint64_t n = 0;
    for (size_t k = 0; k < t->n_class; k++) {
        n += t->cls[k].pub.users_hit;
    }
    return n;
}

size_t rsim_traffic_fault_count(const rsim_traffic *t)
{
    return t->n_faults;
}

const rsim_traffic_fault *rsim_traffic_fault_at(const rsim_traffic *t, size_t i)
{
    return i < t->n_faults ? &t->faults[i].pub : NULL;
}

size_t rsim_traffic_bucket_bounds(const rsim_traffic *t, const double **bounds_ms)
{
    *bounds_ms = t->coarse_b;
    return t->n_coarse - 1;
}

void rsim_traffic_side_counts(const rsim_traffic *t,
                              int side,
                              uint64_t *requests,
                              uint64_t *failures)
{
    int s = side == RSIM_TRAFFIC_CANARY_SIDE ? 1 : 0;
    *requests = t->side_requests[s];
    *failures = t->side_failures[s];
}

rsim_traffic_stats rsim_traffic_get_stats(const rsim_traffic *t)
{
    rsim_traffic_stats s = t->stats;
    for (size_t k = 0; k < t->n_class; k++) {
        s.user_draws += t->cls[k].users.draws;
    }
    return s;
}
