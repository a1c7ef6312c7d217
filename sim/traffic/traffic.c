/* traffic.c - settling traffic piece by piece: the router, outcomes, ground truth.
 * rsim_traffic_observe cuts [settled, now) into pieces inside which every parameter is constant
 * (cut at tick boundaries, routing changes taking effect, fault onsets, ends, ramp ends and
 * burst edges) and draws each piece's counts at once: arrivals (a Poisson total per tick, split
 * over the tick's pieces binomially, so every strategy meets the same arrivals per tick), a
 * multinomial over cohorts, one over the routes of each cohort, then per route overload,
 * fault-caused and base failures (binomials, in that order). Latency and per-pod counters are
 * drawn later still, when read (see pools.c). Start at rsim_traffic_observe. */
#include "traffic.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "traffic_priv.h"

/* ---- small helpers ---- */

static uint64_t class_mask_all(const rsim_traffic *t)
{
    return t->n_class >= 64 ? UINT64_MAX : ((uint64_t)1 << t->n_class) - 1;
}

size_t rsim_traffic_version_index(const rsim_traffic *t, const rsim_spec_version *v)
{
    const rsim_spec_world *w = t->w;
    if (v != NULL && v >= w->versions && v < w->versions + w->n_versions) {
        return (size_t)(v - w->versions);
    }
    return w->n_versions; /* versionDefaults: no faults */
}

static rsim_time add_sat(rsim_time a, rsim_time d)
{
    return d > RSIM_TIME_MAX - a ? RSIM_TIME_MAX : a + d;
}

/* ---- faults ---- */

static rsim_time fault_end(const fault_state *f)
{
    return f->pub.onset < 0 ? RSIM_TIME_MAX : add_sat(f->pub.onset, f->pub.spec->duration);
}

/* Whether fault f is active over the whole piece starting at x (pieces never straddle a fault
 * boundary, so the start decides). */
static bool fault_active(const fault_state *f, rsim_time x)
{
    const rsim_spec_fault *s = f->pub.spec;
    if (f->pub.onset < 0 || x < f->pub.onset || x >= fault_end(f)) {
        return false;
    }
    if (s->kind == RSIM_FAULT_ERROR_BURSTS) {
        return (x - f->pub.onset) % s->every < s->burst;
    }
    return true;
}

/* The next fault boundary after x (onset, end, ramp end, burst edge). */
static rsim_time fault_next_edge(const fault_state *f, rsim_time x)
{
    const rsim_spec_fault *s = f->pub.spec;
    rsim_time on = f->pub.onset;
    if (on < 0) {
        return RSIM_TIME_MAX;
    }
    if (x < on) {
        return on;
    }
    rsim_time end = fault_end(f);
    if (x >= end) {
        return RSIM_TIME_MAX;
    }
    rsim_time e = end;
    if (s->kind == RSIM_FAULT_ERROR_RAMP && s->over > x - on) {
        e = RSIM_MIN_T(e, on + s->over);
    } else if (s->kind == RSIM_FAULT_ERROR_BURSTS) {
        rsim_time ph = (x - on) % s->every;
        e = RSIM_MIN_T(e, ph < s->burst ? x - ph + s->burst : x - ph + s->every);
    }
    return e;
}

/* The fault-caused failure probability of an admitted request over [x, y): the share that
 * lifts the version's error ratio from its base b to the fault's ratio r, (r - b) / (1 - b), so
 * that fault-caused then base failures give r in total. A ramp's r is its exact average over
 * the piece (linear inside it: the midpoint). */
static double fault_ratio(const fault_state *f, double base, rsim_time x, rsim_time y)
{
    const rsim_spec_fault *s = f->pub.spec;
    double r = s->error_ratio;
    if (s->kind == RSIM_FAULT_ERROR_RAMP) {
        double mid = 0.5 * (double)(x + y) - (double)f->pub.onset;
        double u = mid / (double)s->over;
        r = base + (s->error_ratio - base) * (u < 1.0 ? u : 1.0);
    }
    if (!(r > base) || base >= 1.0) {
        return 0.0;
    }
    double p = (r - base) / (1.0 - base);
    return p < 1.0 ? p : 1.0;
}

static bool version_has_active(const rsim_traffic *t, size_t vi, rsim_fault_kind kind, rsim_time x)
{
    const version_state *vs = &t->vers[vi];
    for (size_t i = 0; i < vs->n_faults; i++) {
        const fault_state *f = &t->faults[vs->fault0 + i];
        if (f->pub.spec->kind == kind && fault_active(f, x)) {
            return true;
        }
    }
    return false;
}

static void on_event(rsim_evq *q, void *arg)
{
    rsim_traffic *t = arg;
    rsim_traffic_observe(t, rsim_evq_now(q));
}

/* A known instant where the state changes: settle there, so observers at that instant see it. */
static void schedule_settle(rsim_traffic *t, rsim_time at)
{
    if (t->q != NULL && at != RSIM_TIME_MAX && at >= rsim_evq_now(t->q) && at <= t->w->duration) {
        rsim_evq_schedule(t->q, at, RSIM_PHASE_TRAFFIC, on_event, t);
    }
}

static void fault_set_onset(rsim_traffic *t, fault_state *f, rsim_time onset)
{
    f->pub.onset = onset;
    schedule_settle(t, onset);
    schedule_settle(t, fault_end(f));
}

void rsim_traffic_fault_onset(rsim_traffic *t, size_t i, rsim_time onset)
{
    fault_set_onset(t, &t->faults[i], onset);
}

/* ---- ReplicaSets and accounts ---- */

static void account_init(rsim_traffic *t, account *a, const char *stream)
{
    memset(a, 0, sizeof(*a));
    a->rev.first_request = -1;
    a->rng = rsim_rng_new(t->seed, t->replication, stream);
    a->fine = rsim_xcalloc(t->n_fine, sizeof(*a->fine));
}

void rsim_traffic_account_fini(account *a)
{
    rsim_rng_free(a->rng);
    free(a->fine);
    for (size_t i = 0; i < a->pools.n; i++) {
        free(a->pools.items[i].coarse);
        free(a->pools.items[i].c_prob);
        free(a->pools.items[i].c_mean);
    }
    free(a->pools.items);
}

/* Makes sure every ReplicaSet the cluster has made has its state. */
void rsim_traffic_sync_rs(rsim_traffic *t)
{
    size_t n = rsim_cluster_rs_count(t->c);
    if (n <= t->n_rs) {
        return;
    }
    t->rs = rsim_xrealloc(t->rs, n * sizeof(*t->rs));
    for (size_t i = t->n_rs; i < n; i++) {
        const rsim_cluster_rs *crs = rsim_cluster_rs_at(t->c, (uint32_t)i);
        rs_state *r = &t->rs[i];
        memset(r, 0, sizeof(*r));
        char name[160];
        snprintf(name, sizeof(name), "traffic/outcomes/%s", crs->hash);
        account_init(t, &r->acct, name);
        /* Its own stream: a ReplicaSet's pod counts do not depend on when another one's
         * deferred reads are answered (reads.c). */
        snprintf(name, sizeof(name), "traffic/pods/%s", crs->hash);
        r->rng_pods = rsim_rng_new(t->seed, t->replication, name);
        snprintf(name, sizeof(name), "traffic/refused/%s", crs->hash);
        r->rng_refused = rsim_rng_new(t->seed, t->replication, name);
        r->crs = crs;
        r->vi = rsim_traffic_version_index(t, crs->version);
        r->pend_b = rsim_xcalloc(t->n_coarse, sizeof(*r->pend_b));
        r->pend_bsum = rsim_xcalloc(t->n_coarse, sizeof(*r->pend_bsum));
        r->cut_b = rsim_xcalloc(t->n_coarse, sizeof(*r->cut_b));
        r->cut_bsum = rsim_xcalloc(t->n_coarse, sizeof(*r->cut_bsum));
    }
    t->n_rs = n;
}

/* Serving pods that can receive requests: none while a noTraffic fault is active. */
static int64_t usable_pods(const rsim_traffic *t, uint32_t rs, rsim_time x)
{
    if (rs >= t->n_rs) {
        return 0;
    }
    const rs_state *r = &t->rs[rs];
    if (version_has_active(t, r->vi, RSIM_FAULT_NO_TRAFFIC, x)) {
        return 0;
    }
    return r->crs->n_serving;
}

/* ---- routing ---- */

static void add_dest(rsim_traffic *t, dest *d, size_t *n, const dest *proto)
{
    (void)t;
    d[*n] = *proto;
    (*n)++;
}

/* Routes of class k under state st at x: every ReplicaSet with usable pods by pod count. */
static void
routes_by_pods(rsim_traffic *t, const route_state *st, size_t k, rsim_time x, dest *d, size_t *n)
{
    int64_t total = 0;
    for (uint32_t r = 0; r < t->n_rs; r++) {
        total += usable_pods(t, r, x);
    }
    if (total == 0) {
        dest u = {.acct = NULL, .rs = RSIM_TRAFFIC_NO_RS, .vi = t->w->n_versions, .p = 1.0};
        u.hi = t->cls[k].users.size;
        add_dest(t, d, n, &u);
        return;
    }
    bool flag = st->mode == RSIM_TRAFFIC_FLAG && st->flag_on != NULL && st->flag_share > 0.0;
    uint64_t cut = flag ? t->cls[k].flag_cut : 0;
    double on = t->cls[k].users.size > 0 ? (double)cut / (double)t->cls[k].users.size : 0.0;
    for (uint32_t r = 0; r < t->n_rs; r++) {
        int64_t m = usable_pods(t, r, x);
        if (m == 0) {
            continue;
        }
        double p = (double)m / (double)total;
        if (flag && on > 0.0) {
            dest f = {.acct = &t->flag,
                      .rs = r,
                      .vi = rsim_traffic_version_index(t, st->flag_on),
                      .lo = 0,
                      .hi = cut,
                      .p = p * on};
            add_dest(t, d, n, &f);
        }
        if (on < 1.0) {
            dest o = {.acct = &t->rs[r].acct,
                      .rs = r,
                      .vi = t->rs[r].vi,
                      .lo = cut,
                      .hi = t->cls[k].users.size,
                      .p = p * (1.0 - on)};
            add_dest(t, d, n, &o);
        }
    }
}

/* One ReplicaSet takes share p of class k (unrouted when it has no usable pod). */
static void
route_to(rsim_traffic *t, uint32_t rs, double p, size_t k, rsim_time x, dest *d, size_t *n)
{
    if (!(p > 0.0)) {
        return;
    }
    dest e = {.acct = NULL,
              .rs = rs,
              .vi = t->w->n_versions,
              .lo = 0,
              .hi = t->cls[k].users.size,
              .p = p};
    if (rs < t->n_rs) {
        e.acct = &t->rs[rs].acct;
        e.vi = t->rs[rs].vi;
        e.unrouted = usable_pods(t, rs, x) == 0;
    } else {
        e.rs = RSIM_TRAFFIC_NO_RS;
        e.unrouted = true;
    }
    add_dest(t, d, n, &e);
}

static void
build_routes(rsim_traffic *t, const route_state *st, size_t k, rsim_time x, dest *d, size_t *n)
{
    *n = 0;
    switch (st->mode) {
    case RSIM_TRAFFIC_SERVICE:
    case RSIM_TRAFFIC_FLAG:
        routes_by_pods(t, st, k, x, d, n);
        return;
    case RSIM_TRAFFIC_ACTIVE:
        route_to(t, st->active_rs, 1.0, k, x, d, n);
        return;
    case RSIM_TRAFFIC_WEIGHTED:
        break;
    }
    for (size_t i = 0; i < st->n_header; i++) {
        if (st->header[i].mask & ((uint64_t)1 << k)) {
            route_to(t, st->header[i].rs, 1.0, k, x, d, n);
            d[*n - 1].side = RSIM_TRAFFIC_CANARY_SIDE; /* a header route names the canary */
            return;
        }
    }
    double c = st->canary_rs == st->stable_rs ? 0.0 : st->canary_share;
    size_t before = *n;
    route_to(t, st->canary_rs, c, k, x, d, n);
    if (*n > before) {
        d[before].side = RSIM_TRAFFIC_CANARY_SIDE;
    }
    route_to(t, st->stable_rs, 1.0 - c, k, x, d, n);
}

/* ---- outcomes ---- */

/* Overload of ReplicaSet r's pods over a piece: M/M/c/K at the expected per-pod rate. */
static void eval_overload(rsim_traffic *t, rs_state *r, double rate, rsim_time x)
{
    const rsim_spec_capacity *cap = &r->crs->version->capacity;
    int64_t pods = r->crs->n_serving;
    double s = (double)cap->service_time;
    const version_state *vs = &t->vers[r->vi];
    for (size_t i = 0; i < vs->n_faults; i++) {
        const fault_state *f = &t->faults[vs->fault0 + i];
        if (f->pub.spec->kind == RSIM_FAULT_SLOW_START && fault_active(f, x)) {
            s /= rsim_traffic_slow_start_factor(t, r, f->pub.spec, x);
        }
    }
    double lambda = pods > 0 ? rate / (double)pods : 0.0;
    /* An unchanged load read over pieces of other lengths differs in the last bits of its rate
     * (mass / length): keep the queue's answer, which costs O(workers + queue), for those. */
    if (fabs(lambda - r->lambda) > 1e-12 * lambda || s != r->service_ms) {
        r->lambda = lambda;
        r->service_ms = s;
        r->mm = rsim_traffic_mmck_eval(lambda, cap->workers, s, cap->queue);
        /* The latency multiplier is kept on a 0.1 % grid so that an unchanged load keeps one
         * latency pool (docs/modules/traffic.md §Latency). */
        double g = log(r->mm.wait) / log(1.001);
        r->wait_q = exp(round(g) * log(1.001));
    }
}

static void cohort_fail(rsim_traffic *t, size_t k, const dest *d, uint64_t fault, uint64_t other)
{
    cls_state *c = &t->cls[k];
    c->pub.failures += fault + other;
    c->pub.fault_failures += fault;
    if (fault > 0) {
        c->pub.users_hit +=
            rsim_traffic_users_add_hits(&c->users, t->rng_users, d->lo, d->hi, fault);
    }
}

static void note_exposure(rsim_traffic *t, size_t vi, rsim_time x)
{
    version_state *vs = &t->vers[vi];
    rsim_time first = vs->piece_first > x ? vs->piece_first : x;
    for (size_t i = 0; i < vs->n_faults; i++) {
        fault_state *f = &t->faults[vs->fault0 + i];
        if (f->pub.exposed_at < 0 && fault_active(f, x)) {
            f->pub.exposed_at = first;
        }
    }
}

/* Requests of class k that found no pod: all fail; fault-caused when a crash loop or a
 * noTraffic fault of the target version is what emptied it, or when `refused` (a crashed pod
 * refused them). */
static void
outcome_unrouted(rsim_traffic *t, const dest *d, size_t k, uint64_t n, rsim_time x, bool refused)
{
    bool caused = refused || (d->vi < t->w->n_versions &&
                              (version_has_active(t, d->vi, RSIM_FAULT_NO_TRAFFIC, x) ||
                               version_has_active(t, d->vi, RSIM_FAULT_CRASH_LOOP, x)));
    if (d->acct == NULL) {
        t->unrouted += n;
    } else {
        d->acct->rev.requests += n;
        d->acct->rev.failures += n;
        d->acct->rev.unrouted += n;
        if (caused) {
            d->acct->rev.fault_failures += n;
        }
    }
    if (caused) {
        const version_state *vs = &t->vers[d->vi];
        for (size_t i = 0; i < vs->n_faults; i++) {
            fault_state *f = &t->faults[vs->fault0 + i];
            rsim_fault_kind kd = f->pub.spec->kind;
            if ((kd == RSIM_FAULT_NO_TRAFFIC || kd == RSIM_FAULT_CRASH_LOOP) &&
                fault_active(f, x)) {
                f->pub.failures += n;
                break;
            }
        }
    }
    cohort_fail(t, k, d, caused ? n : 0, caused ? 0 : n);
}

/* n requests (user requests, or mirror copies when mirror) of class k reach a pod of d->rs
 * whose container has exited (a crash loop) while its endpoint is still published: they fail
 * at the proxy, caused by the crash loop, and reach no exporter. Counted as unrouted. */
static void
outcome_refused(rsim_traffic *t, const dest *d, size_t k, uint64_t n, rsim_time x, bool mirror)
{
    if (t->count_refused) {
        rsim_traffic_pods_refused(t, d->rs, n);
    }
    if (mirror) {
        d->acct->rev.mirrored += n;
        d->acct->rev.mirrored_failures += n;
        return;
    }
    outcome_unrouted(t, d, k, n, x, true);
}

/* n requests (user requests, or mirror copies when mirror) reach pods of d->rs over [x, y).
 * Order: overload rejection (Binomial with pi_K), then each active error fault in declaration
 * order among the admitted requests still unfailed, then base failures among the rest. */
static void outcome_served(
    rsim_traffic *t, const dest *d, size_t k, uint64_t n, rsim_time x, rsim_time y, bool mirror)
{
    rs_state *r = &t->rs[d->rs];
    account *a = d->acct;
    const rsim_spec_version *v =
        d->vi < t->w->n_versions ? &t->w->versions[d->vi] : &t->w->version_defaults;
    if (r->crs->n_serving_down > 0 && r->crs->n_serving > 0) {
        /* Routed to a pod whose container has exited before its endpoint was withdrawn: the
         * connection is refused, no process counts it. */
        uint64_t dead = rsim_rng_binomial(
            a->rng, (double)r->crs->n_serving_down / (double)r->crs->n_serving, n);
        if (dead > 0) {
            outcome_refused(t, d, k, dead, x, mirror);
            n -= dead;
        }
        if (n == 0) {
            return;
        }
    }
    uint64_t over = r->mm.block > 0.0 ? rsim_rng_binomial(a->rng, r->mm.block, n) : 0;
    uint64_t rest = n - over;
    uint64_t admitted = rest;
    uint64_t caused = 0;
    double scale = r->wait_q;
    double add = 0.0;
    const version_state *vs = &t->vers[d->vi];
    for (size_t i = 0; i < vs->n_faults; i++) {
        fault_state *f = &t->faults[vs->fault0 + i];
        const rsim_spec_fault *s = f->pub.spec;
        if (!fault_active(f, x)) {
            continue;
        }
        if (s->kind == RSIM_FAULT_LATENCY) {
            scale *= s->latency_factor;
            add += (double)s->latency_add;
            continue;
        }
        bool errors = s->kind == RSIM_FAULT_ERROR_STEP || s->kind == RSIM_FAULT_ERROR_RAMP ||
                      s->kind == RSIM_FAULT_ERROR_BURSTS ||
                      (s->kind == RSIM_FAULT_COHORT_ERRORS && s->cohort_index == k);
        if (!errors || rest == 0) {
            continue;
        }
        double p = fault_ratio(f, v->error_ratio, x, y);
        uint64_t m = p > 0.0 ? rsim_rng_binomial(a->rng, p, rest) : 0;
        rest -= m;
        caused += m;
        if (!mirror) {
            f->pub.failures += m;
        }
    }
    uint64_t base = v->error_ratio > 0.0 ? rsim_rng_binomial(a->rng, v->error_ratio, rest) : 0;
    uint64_t failed = over + caused + base;
    r->pend_ok += n - failed;
    r->pend_err += failed;
    rsim_traffic_lat lat = {.dist = &v->latency, .scale = scale, .add_ms = add};
    rsim_traffic_pool_add(t, a, d->rs, &lat, admitted);
    if (mirror) {
        a->rev.mirrored += n;
        a->rev.mirrored_failures += failed;
        return;
    }
    a->rev.requests += n;
    a->rev.failures += failed;
    a->rev.fault_failures += caused;
    a->rev.base_failures += base;
    a->rev.overload_failures += over;
    if (a->rev.first_request < 0) {
        a->rev.first_request = t->vers[d->vi].piece_first;
    }
    note_exposure(t, d->vi, x);
    cohort_fail(t, k, d, caused, over + base);
}

/* ---- a piece ---- */

/* Arrivals in [a, b): the tick's Poisson total is drawn once (stream traffic/arrivals) and
 * handed out to the tick's pieces by binomials in proportion to their expected load. */
static uint64_t draw_arrivals(rsim_traffic *t, rsim_time a, rsim_time b, double mass)
{
    const rsim_spec_load *l = &t->w->traffic.load;
    if (!l->poisson) {
        t->frac += mass;
        double n = floor(t->frac);
        t->frac -= n;
        return (uint64_t)n;
    }
    rsim_time tick_start = a - a % t->tick;
    rsim_time tick_end = tick_start + t->tick;
    if (t->tick_open != tick_start) {
        t->tick_open = tick_start;
        /* From a, not tick_start: a model created mid-tick starts its first tick there. */
        t->tick_left =
            rsim_rng_poisson(t->rng_arrivals, rsim_traffic_load_integral(l, a, tick_end));
    }
    uint64_t n = t->tick_left;
    if (b < tick_end && n > 0) {
        double rest = rsim_traffic_load_integral(l, a, tick_end);
        n = rest > 0.0 ? rsim_rng_binomial(t->rng_split, mass < rest ? mass / rest : 1.0, n) : 0;
    }
    t->tick_left -= n;
    return n;
}

/* Whether anything reads version vi's first arrival in the piece at x: its first request
 * ever (fault clocks, the cluster), a fault active and not yet exposed, or an account without
 * a first request (marked in settle_piece by piece_need). */
static bool first_needed(const rsim_traffic *t, size_t vi, rsim_time x)
{
    const version_state *vs = &t->vers[vi];
    if (vs->first < 0 || vs->piece_need) {
        return true;
    }
    for (size_t i = 0; i < vs->n_faults; i++) {
        const fault_state *f = &t->faults[vs->fault0 + i];
        if (f->pub.exposed_at < 0 && fault_active(f, x)) {
            return true;
        }
    }
    return false;
}

/* The first user request of each version in this piece: the minimum of its arrival times,
 * uniform inside a piece of at most one tick. Starts the clocks of after-first-traffic faults.
 * Drawn only when something reads it (first_needed); otherwise left at the piece's start. */
static void first_arrivals(rsim_traffic *t, rsim_time a, rsim_time b)
{
    for (size_t vi = 0; vi <= t->w->n_versions; vi++) {
        version_state *vs = &t->vers[vi];
        vs->piece_first = a;
        if (vs->piece_n == 0 || !first_needed(t, vi, a)) {
            continue;
        }
        double u = rsim_rng_uniform_pos(t->rng_split);
        double off = (double)(b - a) * (1.0 - pow(u, 1.0 / (double)vs->piece_n));
        vs->piece_first = a + (rsim_time)off;
        if (vs->first >= 0) {
            continue;
        }
        vs->first = vs->piece_first;
        if (vi < t->w->n_versions) {
            rsim_cluster_note_first_traffic(t->c, &t->w->versions[vi], vs->first);
        }
        for (size_t i = 0; i < vs->n_faults; i++) {
            fault_state *f = &t->faults[vs->fault0 + i];
            if (f->pub.spec->onset_kind == RSIM_ONSET_AFTER_FIRST_TRAFFIC) {
                fault_set_onset(t, f, add_sat(vs->first, f->pub.spec->onset));
            }
        }
    }
}

/* The earliest onset strictly inside (a, b) of version vi, set by first_arrivals, or b. */
static rsim_time onset_inside(const rsim_traffic *t, size_t vi, rsim_time a, rsim_time b)
{
    const version_state *vs = &t->vers[vi];
    rsim_time m = b;
    for (size_t i = 0; i < vs->n_faults; i++) {
        rsim_time on = t->faults[vs->fault0 + i].pub.onset;
        if (on > a && on < m) {
            m = on;
        }
    }
    return m;
}

static void
serve_dest(rsim_traffic *t, const dest *d, size_t k, uint64_t n, rsim_time a, rsim_time b)
{
    if (n == 0) {
        return;
    }
    if (d->unrouted || d->acct == NULL) {
        t->cls[k].pub.requests += n;
        outcome_unrouted(t, d, k, n, a, false);
        return;
    }
    t->cls[k].pub.requests += n;
    /* A fault whose clock started at this piece's first request may begin inside the piece:
     * requests after its onset (uniform after the first) see it. */
    rsim_time on = onset_inside(t, d->vi, a, b);
    if (on < b) {
        double f = (double)(b - on) / (double)(b - t->vers[d->vi].piece_first);
        uint64_t post = rsim_rng_binomial(t->rng_split, f < 1.0 ? f : 1.0, n);
        outcome_served(t, d, k, n - post, a, on, false);
        outcome_served(t, d, k, post, on, b, false);
        return;
    }
    outcome_served(t, d, k, n, a, b, false);
}

static void
mirror_class(rsim_traffic *t, const route_state *st, size_t k, uint64_t n, rsim_time a, rsim_time b)
{
    for (size_t i = 0; i < st->n_mirror; i++) {
        uint32_t rs = st->mirror[i].rs;
        if (!(st->mirror[i].mask & ((uint64_t)1 << k)) || usable_pods(t, rs, a) == 0) {
            continue;
        }
        uint64_t m = rsim_rng_binomial(t->rng_split, st->mirror[i].share, n);
        if (m > 0) {
            dest d = {.acct = &t->rs[rs].acct, .rs = rs, .vi = t->rs[rs].vi};
            outcome_served(t, &d, k, m, a, b, true);
        }
    }
}

/* Expected request rate (requests/s) reaching each ReplicaSet's pods, for overload. */
static void piece_overload(rsim_traffic *t, const route_state *st, double rate, rsim_time a)
{
    for (uint32_t r = 0; r < t->n_rs; r++) {
        t->rs[r].rate = 0.0;
    }
    for (size_t k = 0; k < t->n_class; k++) {
        double sh = t->cls[k].share;
        for (size_t j = 0; j < t->n_dest[k]; j++) {
            const dest *d = &t->dst[k * t->cap_dest + j];
            if (!d->unrouted && d->rs < t->n_rs) {
                t->rs[d->rs].rate += rate * sh * d->p;
            }
        }
        for (size_t i = 0; i < st->n_mirror; i++) {
            if ((st->mirror[i].mask & ((uint64_t)1 << k)) && st->mirror[i].rs < t->n_rs) {
                t->rs[st->mirror[i].rs].rate += rate * sh * st->mirror[i].share;
            }
        }
    }
    for (uint32_t r = 0; r < t->n_rs; r++) {
        eval_overload(t, &t->rs[r], t->rs[r].rate, a);
    }
}

/* Whether the cached routes still hold at x; refreshes the key's usable-pod counts. */
static bool routes_current(rsim_traffic *t, rsim_time x)
{
    bool same = t->routes_valid && t->key_n_rs == t->n_rs && t->key_rs == t->rs &&
                t->key_gen == t->route_gen;
    if (t->key_n_rs != t->n_rs) {
        t->key_usable = rsim_xrealloc(t->key_usable, t->n_rs * sizeof(*t->key_usable));
        t->rs_share = rsim_xrealloc(t->rs_share, t->n_rs * sizeof(*t->rs_share));
        t->key_n_rs = t->n_rs;
    }
    for (uint32_t r = 0; r < t->n_rs; r++) {
        int64_t u = usable_pods(t, r, x);
        same = same && t->key_usable[r] == u;
        t->key_usable[r] = u;
    }
    t->key_rs = t->rs;
    t->key_gen = t->route_gen;
    t->routes_valid = true;
    return same;
}

/* The routes of every class under the current router state at x (cached; see traffic_priv.h),
 * and each ReplicaSet's expected share of user requests. */
static void piece_routes(rsim_traffic *t, rsim_time x)
{
    if (routes_current(t, x)) {
        return;
    }
    size_t need = 2 * t->n_rs + 2;
    if (need > t->cap_dest) {
        t->cap_dest = need;
        t->dst = rsim_xrealloc(t->dst, t->n_class * need * sizeof(*t->dst));
        t->cnt = rsim_xrealloc(t->cnt, t->n_class * need * sizeof(*t->cnt));
        t->prob = rsim_xrealloc(t->prob, need * sizeof(*t->prob));
    }
    for (uint32_t r = 0; r < t->n_rs; r++) {
        t->rs_share[r] = 0.0;
    }
    t->share_none = 0.0;
    for (size_t k = 0; k < t->n_class; k++) {
        dest *d = &t->dst[k * t->cap_dest];
        build_routes(t, &t->cur, k, x, d, &t->n_dest[k]);
        for (size_t j = 0; j < t->n_dest[k]; j++) {
            double sh = t->cls[k].share * d[j].p;
            if (d[j].rs < t->n_rs) {
                t->rs_share[d[j].rs] += sh;
            } else {
                t->share_none += sh;
            }
        }
    }
}

void rsim_traffic_settle_piece(rsim_traffic *t, rsim_time a, rsim_time b)
{
    const route_state *st = &t->cur;
    double mass = rsim_traffic_load_integral(&t->w->traffic.load, a, b);
    uint64_t n = draw_arrivals(t, a, b, mass);
    t->stats.pieces++;
    t->requests += n;
    piece_routes(t, a);
    piece_overload(t, st, mass * 1000.0 / (double)(b - a), a);
    if (n == 0) {
        return; /* nothing to split: zero counts, no NaN anywhere */
    }
    uint64_t per_class[RSIM_TRAFFIC_MAX_CLASS];
    if (t->n_class == 1) {
        per_class[0] = n;
    } else {
        rsim_rng_multinomial(t->rng_split, t->n_class, n, t->class_p, per_class);
    }
    for (size_t vi = 0; vi <= t->w->n_versions; vi++) {
        t->vers[vi].piece_n = 0;
        t->vers[vi].piece_need = false;
    }
    for (size_t k = 0; k < t->n_class; k++) {
        size_t nd = t->n_dest[k];
        const dest *d = &t->dst[k * t->cap_dest];
        uint64_t *c = &t->cnt[k * t->cap_dest];
        if (per_class[k] == 0 || nd == 0) {
            memset(c, 0, nd * sizeof(*c));
            continue;
        }
        for (size_t j = 0; j < nd; j++) {
            t->prob[j] = d[j].p;
        }
        if (nd == 1) {
            c[0] = per_class[k];
        } else {
            rsim_rng_multinomial(t->rng_split, nd, per_class[k], t->prob, c);
        }
        for (size_t j = 0; j < nd; j++) {
            if (!d[j].unrouted && d[j].acct != NULL) {
                version_state *vs = &t->vers[d[j].vi];
                vs->piece_n += c[j];
                vs->piece_need = vs->piece_need || (c[j] > 0 && d[j].acct->rev.first_request < 0);
            }
        }
    }
    first_arrivals(t, a, b);
    for (size_t k = 0; k < t->n_class; k++) {
        for (size_t j = 0; j < t->n_dest[k]; j++) {
            const dest *d = &t->dst[k * t->cap_dest + j];
            uint64_t sent = t->cnt[k * t->cap_dest + j];
            uint64_t failed = d->acct != NULL ? d->acct->rev.failures : t->unrouted;
            serve_dest(t, d, k, sent, a, b);
            failed = (d->acct != NULL ? d->acct->rev.failures : t->unrouted) - failed;
            t->side_requests[d->side] += sent;
            t->side_failures[d->side] += failed;
        }
        if (per_class[k] > 0 && st->n_mirror > 0) {
            mirror_class(t, st, k, per_class[k], a, b);
        }
    }
}

/* ---- the settle loop ---- */

static void apply_flag_cuts(rsim_traffic *t)
{
    const route_state *st = &t->cur;
    for (size_t k = 0; k < t->n_class; k++) {
        cls_state *c = &t->cls[k];
        uint64_t cut = 0;
        if (st->mode == RSIM_TRAFFIC_FLAG && st->flag_on != NULL) {
            cut = (uint64_t)llround(st->flag_share * (double)c->users.size);
        }
        c->flag_cut = cut;
        rsim_traffic_users_cut(&c->users, t->rng_users, cut);
    }
}

static void apply_pending(rsim_traffic *t, rsim_time x)
{
    size_t i = 0;
    while (i < t->pend.n && t->pend.items[i].at <= x) {
        t->cur = t->pend.items[i].st;
        i++;
    }
    if (i > 0) {
        memmove(t->pend.items, t->pend.items + i, (t->pend.n - i) * sizeof(*t->pend.items));
        t->pend.n -= i;
        t->route_gen++;
        apply_flag_cuts(t);
    }
}

static rsim_time next_break(const rsim_traffic *t, rsim_time x)
{
    rsim_time e = x - x % t->tick + t->tick;
    if (t->pend.n > 0) {
        e = RSIM_MIN_T(e, t->pend.items[0].at);
    }
    for (size_t i = 0; i < t->n_faults; i++) {
        e = RSIM_MIN_T(e, fault_next_edge(&t->faults[i], x));
    }
    return e;
}

void rsim_traffic_observe(rsim_traffic *t, rsim_time now)
{
    if (t->busy) {
        return; /* a cluster callback from inside a settle (first-traffic notice) */
    }
    t->busy = true;
    rsim_traffic_sync_rs(t);
    while (t->settled < now) {
        rsim_time a = t->settled;
        apply_pending(t, a);
        rsim_time b = next_break(t, a);
        if (b > now) {
            b = now;
        }
        /* A deferred read inside the piece: handed its counts by instant when the outcomes
         * are the same at every instant of the piece, else the piece is cut there (reads.c). */
        rsim_time r = rsim_traffic_reads_next(t);
        if (r < b && rsim_traffic_reads_splittable(t, a, b)) {
            rsim_traffic_settle_with_reads(t, a, b);
        } else {
            if (r < b) {
                b = r;
                t->stats.read_cuts++;
            }
            rsim_traffic_settle_piece(t, a, b);
        }
        t->settled = b;
        rsim_traffic_reads_answer(t, b);
    }
    apply_pending(t, now);
    rsim_traffic_reads_answer(t, t->settled);
    t->busy = false;
}

/* Whether version vi's outcomes are the same at every instant of the piece starting at x: no
 * error ramp active (its ratio moves inside the piece) and no fault that may start inside it
 * (an after-first-traffic fault whose version has served no request yet: serve_dest). */
bool rsim_traffic_version_steady(const rsim_traffic *t, size_t vi, rsim_time x)
{
    const version_state *vs = &t->vers[vi];
    for (size_t i = 0; i < vs->n_faults; i++) {
        const fault_state *f = &t->faults[vs->fault0 + i];
        if (f->pub.spec->kind == RSIM_FAULT_ERROR_RAMP && fault_active(f, x)) {
            return false;
        }
        if (f->pub.spec->onset_kind == RSIM_ONSET_AFTER_FIRST_TRAFFIC && f->pub.onset < 0 &&
            vs->first < 0) {
            return false;
        }
    }
    return true;
}

rsim_time rsim_traffic_settled(const rsim_traffic *t)
{
    return t->settled;
}

/* ---- setters ---- */

/* The state the router will be in once every requested change has arrived. */
static route_state latest(const rsim_traffic *t)
{
    return t->pend.n > 0 ? t->pend.items[t->pend.n - 1].st : t->cur;
}

static void push_change(rsim_traffic *t, rsim_time at, const route_state *st)
{
    pending_change pc = {.at = at, .st = *st};
    RSIM_VEC_PUSH(t->pend, pc);
    /* Keep the list ordered by time (stable): delays differ between the router and the flag. */
    for (size_t i = t->pend.n - 1; i > 0 && t->pend.items[i - 1].at > at; i--) {
        pending_change tmp = t->pend.items[i - 1];
        t->pend.items[i - 1] = t->pend.items[i];
        t->pend.items[i] = tmp;
    }
    schedule_settle(t, at);
    if (at <= t->settled) {
        apply_pending(t, t->settled);
    }
}

rsim_time rsim_traffic_router_delay(const rsim_traffic *t)
{
    return t->router_delay;
}

void rsim_traffic_set_mode(rsim_traffic *t, rsim_traffic_mode mode, rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state st = latest(t);
    st.mode = mode;
    push_change(t, now + t->router_delay, &st);
}

void rsim_traffic_set_weight(
    rsim_traffic *t, uint32_t stable_rs, uint32_t canary_rs, int64_t weight, rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state st = latest(t);
    st.mode = RSIM_TRAFFIC_WEIGHTED;
    st.stable_rs = stable_rs;
    st.canary_rs = canary_rs;
    double w = (double)weight / (double)t->max_weight;
    st.canary_share = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
    push_change(t, now + t->router_delay, &st);
}

void rsim_traffic_set_header_route(rsim_traffic *t,
                                   uint64_t cohort_mask,
                                   uint32_t rs,
                                   rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state st = latest(t);
    if (rs == RSIM_TRAFFIC_NO_RS) {
        st.n_header = 0;
    } else if (st.n_header < RSIM_TRAFFIC_MAX_ROUTES) {
        st.header[st.n_header].mask = cohort_mask & class_mask_all(t);
        st.header[st.n_header].rs = rs;
        st.n_header++;
    } else {
        rsim_panic("more than %d header routes at once", RSIM_TRAFFIC_MAX_ROUTES);
    }
    push_change(t, now + t->router_delay, &st);
}

void rsim_traffic_set_mirror_route(
    rsim_traffic *t, uint64_t cohort_mask, uint32_t rs, double share, rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state st = latest(t);
    if (rs == RSIM_TRAFFIC_NO_RS) {
        st.n_mirror = 0;
    } else if (st.n_mirror < RSIM_TRAFFIC_MAX_ROUTES) {
        st.mirror[st.n_mirror].mask = cohort_mask & class_mask_all(t);
        st.mirror[st.n_mirror].rs = rs;
        st.mirror[st.n_mirror].share = share < 0.0 ? 0.0 : (share > 1.0 ? 1.0 : share);
        st.n_mirror++;
    } else {
        rsim_panic("more than %d mirror routes at once", RSIM_TRAFFIC_MAX_ROUTES);
    }
    push_change(t, now + t->router_delay, &st);
}

void rsim_traffic_set_active(rsim_traffic *t, uint32_t rs, rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state st = latest(t);
    st.mode = RSIM_TRAFFIC_ACTIVE;
    st.active_rs = rs;
    push_change(t, now + t->w->traffic.router.service, &st);
}

void rsim_traffic_set_flag(rsim_traffic *t,
                           const rsim_spec_version *on,
                           double share,
                           rsim_time now)
{
    rsim_traffic_observe(t, now);
    route_state from = latest(t);
    route_state st = from;
    st.mode = RSIM_TRAFFIC_FLAG;
    st.flag_on = on;
    st.flag_share = share < 0.0 ? 0.0 : (share > 1.0 ? 1.0 : share);
    rsim_traffic_flag_deliver(t, &from, &st, now);
}

/* Called by rsim_traffic_set_flag's delivery model (flags.c). */
void rsim_traffic_push_change(rsim_traffic *t, rsim_time at, const route_state *st)
{
    push_change(t, at, st);
}

double rsim_traffic_share(rsim_traffic *t, uint32_t rs)
{
    rsim_traffic_sync_rs(t);
    piece_routes(t, t->settled);
    if (rs < t->n_rs) {
        return t->rs_share[rs];
    }
    return rs == RSIM_TRAFFIC_NO_RS ? t->share_none : 0.0;
}
