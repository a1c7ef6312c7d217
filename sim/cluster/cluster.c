/* cluster.c - ReplicaSets and pods as a set of timers on the event queue: each pod has at most
 * one pending lifecycle step (bind, app up, probe success, restart, gone), plus an availability
 * timer, a crash timer and a FIFO of endpoint flips (serving(t) = endpoint_ready(t - p)).
 * Model and sources: docs/modules/cluster.md. */
#include "cluster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* A pending change of the pod's `serving` flag. */
typedef struct flip {
    rsim_time at;
    bool to;
    rsim_evq_token tok;
} flip;

typedef struct pod_int {
    rsim_pod pub; /* first member: a rsim_pod * of this cluster points to its pod_int */
    rsim_cluster *c;
    uint64_t uid;          /* deletion-order tie-break (Kubernetes compares UIDs) */
    rsim_rng *rng[4];      /* per purpose, created on first draw (see stream_names) */
    bool has_slot;         /* holds (or has reserved) a slot */
    bool endpoint_ready;   /* readiness as published in the EndpointSlice */
    bool probe_phase_set;  /* probe_phase drawn */
    rsim_time probe_phase; /* offset of the probe ticks from scheduled_at, [0, period) */
    rsim_time crash_at;    /* current container exits here; RSIM_TIME_MAX = never */
    uint32_t backoff_n;    /* crashes since the back-off was last reset */
    bool in_backoff;       /* crashed; t_life is the restart */
    rsim_evq_token t_life; /* bind, app up, ready, restart or gone */
    rsim_evq_token t_avail;
    rsim_evq_token t_crash;
    RSIM_VEC(flip) flips; /* pending serving flips, in time order */
} pod_int;

enum { STREAM_PULL, STREAM_START, STREAM_INIT, STREAM_PROBE, STREAM_COUNT };
static const char *const stream_names[STREAM_COUNT] = {"pull", "start", "init", "probe"};

/* A batch of pod creations in flight (slow start: 1, 2, 4, ...). */
typedef struct batch {
    rsim_cluster *c;
    uint32_t rs;
    int64_t count;
    rsim_evq_token tok;
} batch;

typedef struct rs_int {
    rsim_cluster_rs pub;
    RSIM_VEC(rsim_pod *) live; /* not GONE, creation order */
    RSIM_VEC(batch *) batches; /* creations in flight, oldest first */
} rs_int;

typedef struct watcher {
    rsim_cluster_watch_fn *fn;
    void *arg;
} watcher;

typedef struct first_traffic {
    const rsim_spec_version *v;
    rsim_time at;
} first_traffic;

struct rsim_cluster {
    const rsim_spec_world *w;
    const rsim_spec_cluster *cl;
    const rsim_spec_rollout *ro;
    rsim_evq *q;
    uint64_t seed, replication;
    rsim_spec_world_probe probe; /* the pod template's readiness probe, or the world default */
    rsim_time min_ready;
    rsim_time grace;
    RSIM_VEC(rs_int *) rs;
    RSIM_VEC(pod_int *) pods;    /* every pod, by id */
    RSIM_VEC(pod_int *) waiting; /* PENDING pods waiting for a slot, FIFO */
    RSIM_VEC(watcher) watchers;
    RSIM_VEC(char *) cached; /* images on every node */
    RSIM_VEC(first_traffic) first;
    rsim_cluster_stats st;
    rsim_time st_since; /* pod_ms is integrated up to here */
};

const char *rsim_cluster_pod_state_name(rsim_pod_state s)
{
    static const char *const names[RSIM_POD_STATE_COUNT] = {
        "Pending", "Starting", "NotReady", "Ready", "Available", "Terminating", "Gone"};
    return (unsigned)s < RSIM_POD_STATE_COUNT ? names[s] : "?";
}

static pod_int *pod_of(const rsim_pod *p)
{
    return (pod_int *)(uintptr_t)p; /* pub is the first member (C11 6.7.2.1p15) */
}

static rs_int *rs_of(const rsim_cluster *c, uint32_t rs)
{
    if (rs >= c->rs.n) {
        rsim_panic("no ReplicaSet %u (have %zu)", rs, c->rs.n);
    }
    return c->rs.items[rs];
}

static rsim_time now_of(const rsim_cluster *c)
{
    return rsim_evq_now(c->q);
}

static rsim_time add_sat(rsim_time a, rsim_time b)
{
    return b >= RSIM_TIME_MAX - a ? RSIM_TIME_MAX : a + b;
}

/* ---- watchers and counted mutations ---- */

static void notify(rsim_cluster *c, const pod_int *p, bool after)
{
    for (size_t i = 0; i < c->watchers.n; i++) {
        c->watchers.items[i].fn(c->watchers.items[i].arg, &p->pub, after, now_of(c));
    }
}

static void set_state(pod_int *p, rsim_pod_state s)
{
    rsim_cluster *c = p->c;
    if (p->pub.state == s) {
        return;
    }
    notify(c, p, false);
    rs_int *r = rs_of(c, p->pub.rs);
    r->pub.n_by_state[p->pub.state]--;
    r->pub.n_by_state[s]++;
    p->pub.state = s;
    if (s == RSIM_POD_GONE) { /* the live list holds pods that are not GONE */
        for (size_t i = 0; i < r->live.n; i++) {
            if (r->live.items[i] == &p->pub) {
                memmove(r->live.items + i, r->live.items + i + 1,
                        (r->live.n - i - 1) * sizeof(rsim_pod *));
                r->live.n--;
                break;
            }
        }
    }
    notify(c, p, true);
}

static void set_serving(pod_int *p, bool on)
{
    rsim_cluster *c = p->c;
    if (p->pub.serving == on) {
        return;
    }
    notify(c, p, false);
    rs_int *r = rs_of(c, p->pub.rs);
    r->pub.n_serving += on ? 1 : -1;
    if (!on && p->pub.refusing) {
        p->pub.refusing = false;
        r->pub.n_serving_down--;
    }
    p->pub.serving = on;
    if (on) {
        p->pub.serving_since = now_of(c);
    }
    notify(c, p, true);
}

static void slots_changed(rsim_cluster *c, int64_t delta)
{
    rsim_time now = now_of(c);
    c->st.pod_ms += c->st.slots_used * (now - c->st_since);
    c->st_since = now;
    c->st.slots_used += delta;
    if (c->st.slots_used > c->st.peak_slots_used) {
        c->st.peak_slots_used = c->st.slots_used;
    }
}

static void cancel(rsim_cluster *c, rsim_evq_token *t)
{
    if (*t != 0) {
        rsim_evq_cancel(c->q, *t);
        *t = 0;
    }
}

/* ---- random draws ---- */

static rsim_rng *stream(pod_int *p, int purpose)
{
    if (p->rng[purpose] == NULL) {
        char name[64];
        snprintf(name, sizeof name, "cluster/pod/%u/%s", (unsigned)p->pub.id,
                 stream_names[purpose]);
        p->rng[purpose] = rsim_rng_new(p->c->seed, p->c->replication, name);
    }
    return p->rng[purpose];
}

static rsim_time draw(pod_int *p, int purpose, const rsim_spec_dist *d)
{
    switch (d->kind) {
    case RSIM_DIST_FIXED:
        return d->value;
    case RSIM_DIST_UNIFORM:
        if (d->max <= d->min) {
            return d->min;
        }
        return d->min +
               (rsim_time)rsim_rng_uniform_int(stream(p, purpose), (uint64_t)(d->max - d->min) + 1);
    case RSIM_DIST_LOGNORMAL: {
        double v = rsim_rng_lognormal(stream(p, purpose), log((double)d->median), d->sigma);
        if (!(v < 1e15)) {
            v = 1e15; /* about 31,000 years: longer than any run */
        }
        return (rsim_time)llround(v);
    }
    case RSIM_DIST_EMPIRICAL:
        if (d->n_samples == 0) {
            return 0;
        }
        return d->samples[rsim_rng_uniform_int(stream(p, purpose), d->n_samples)];
    }
    rsim_panic("unknown distribution kind %d", (int)d->kind);
}

/* ---- endpoint propagation: serving follows endpoint_ready after a fixed delay ---- */

static void on_flip(rsim_evq *q, void *arg)
{
    (void)q;
    pod_int *p = arg;
    p->c->st.events++;
    RSIM_ASSERT(p->flips.n > 0);
    bool to = p->flips.items[0].to;
    memmove(p->flips.items, p->flips.items + 1, (p->flips.n - 1) * sizeof(flip));
    p->flips.n--;
    set_serving(p, to);
}

static void set_endpoint(pod_int *p, bool ready)
{
    rsim_cluster *c = p->c;
    if (p->endpoint_ready == ready) {
        return;
    }
    p->endpoint_ready = ready;
    flip f = {.at = now_of(c) + c->cl->endpoint_propagation, .to = ready};
    f.tok = rsim_evq_schedule(c->q, f.at, RSIM_PHASE_CLUSTER, on_flip, p);
    RSIM_VEC_PUSH(p->flips, f);
}

/* ---- crash loops ---- */

static bool first_traffic_at(const rsim_cluster *c, const rsim_spec_version *v, rsim_time *at)
{
    for (size_t i = 0; i < c->first.n; i++) {
        if (c->first.items[i].v == v) {
            *at = c->first.items[i].at;
            return true;
        }
    }
    return false;
}

/* When a container started at `running` exits: the earliest instant at or after running +
 * crash_after at which one of the version's CRASH_LOOP faults is active. */
static rsim_time crash_time(const rsim_cluster *c, const rsim_spec_version *v, rsim_time running)
{
    rsim_time best = RSIM_TIME_MAX;
    for (size_t i = 0; i < v->n_faults; i++) {
        const rsim_spec_fault *f = &v->faults[i];
        if (f->kind != RSIM_FAULT_CRASH_LOOP) {
            continue;
        }
        rsim_time onset = f->onset;
        if (f->onset_kind == RSIM_ONSET_AFTER_FIRST_TRAFFIC) {
            rsim_time ft;
            if (!first_traffic_at(c, v, &ft)) {
                continue;
            }
            onset = add_sat(ft, f->onset);
        }
        rsim_time end = add_sat(onset, f->duration);
        rsim_time t = add_sat(running, f->crash_after);
        if (t < onset) {
            t = onset;
        }
        if (t < end && t < best) {
            best = t;
        }
    }
    return best;
}

static void on_crash(rsim_evq *q, void *arg);
static void on_app_up(rsim_evq *q, void *arg);

/* A container starts (or will, after start-up) at `running`; schedules its app-up and crash. */
static void container_started(pod_int *p, rsim_time running)
{
    rsim_cluster *c = p->c;
    const rsim_cluster_rs *r = &rs_of(c, p->pub.rs)->pub;
    p->pub.running_at = running;
    p->pub.app_up_at = add_sat(running, draw(p, STREAM_INIT, &r->version->app_init));
    p->crash_at = crash_time(c, r->version, running);
    if (p->crash_at != RSIM_TIME_MAX) {
        p->t_crash = rsim_evq_schedule(c->q, p->crash_at, RSIM_PHASE_CLUSTER, on_crash, p);
    }
    if (p->pub.app_up_at < p->crash_at) {
        p->t_life = rsim_evq_schedule(c->q, p->pub.app_up_at, RSIM_PHASE_CLUSTER, on_app_up, p);
    }
}

static rsim_time backoff_delay(const rsim_spec_backoff *b, uint32_t n)
{
    if (n == 0) {
        return 0; /* the first restart is immediate */
    }
    double d = (double)b->initial;
    for (uint32_t i = 1; i < n && d < (double)b->max; i++) {
        d *= b->factor;
    }
    return d >= (double)b->max ? b->max : (rsim_time)llround(d);
}

static void on_restart(rsim_evq *q, void *arg)
{
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    c->st.events++;
    p->t_life = 0;
    p->in_backoff = false;
    p->pub.restarts++;
    c->st.restarts++;
    /* No image pull: the image is on the node since the first start. */
    rsim_time start = draw(p, STREAM_START, &c->cl->start_containers);
    container_started(p, add_sat(rsim_evq_now(q), start));
}

static void on_crash(rsim_evq *q, void *arg)
{
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    rsim_time now = rsim_evq_now(q);
    c->st.events++;
    p->t_crash = 0;
    p->crash_at = RSIM_TIME_MAX;
    cancel(c, &p->t_life);
    cancel(c, &p->t_avail);
    const rsim_spec_backoff *b = &c->cl->crash_backoff;
    if (now - p->pub.running_at >= b->reset_after) {
        p->backoff_n = 0;
    }
    rsim_time delay = backoff_delay(b, p->backoff_n);
    p->backoff_n++;
    p->pub.running_at = -1; /* no container runs until the restart's starts */
    if (p->pub.serving && !p->pub.refusing) {
        /* Until its endpoint is withdrawn, what is routed to it reaches no process. */
        notify(c, p, false);
        p->pub.refusing = true;
        rs_of(c, p->pub.rs)->pub.n_serving_down++;
        notify(c, p, true);
    }
    /* The kubelet reports the exit at once: the endpoint turns not-ready without waiting for
     * failed probes. */
    set_endpoint(p, false);
    set_state(p, RSIM_POD_NOT_READY);
    p->in_backoff = true;
    p->t_life = rsim_evq_schedule(q, now + delay, RSIM_PHASE_CLUSTER, on_restart, p);
}

/* ---- start-up and readiness ---- */

static void on_available(rsim_evq *q, void *arg)
{
    (void)q;
    pod_int *p = arg;
    p->c->st.events++;
    p->t_avail = 0;
    set_state(p, RSIM_POD_AVAILABLE);
}

static void on_ready(rsim_evq *q, void *arg)
{
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    rsim_time now = rsim_evq_now(q);
    c->st.events++;
    p->t_life = 0;
    p->pub.ready_at = now;
    set_endpoint(p, true);
    if (c->min_ready <= 0) {
        set_state(p, RSIM_POD_AVAILABLE);
        return;
    }
    set_state(p, RSIM_POD_READY);
    p->t_avail = rsim_evq_schedule(q, now + c->min_ready, RSIM_PHASE_CLUSTER, on_available, p);
}

/* The first probe tick that passes: ticks run at scheduled_at + phase + k * period (one prober
 * worker per pod container, started when the pod lands on its node); a tick passes when the
 * app is up and the container has run initialDelay; successThreshold passes in a row. */
static rsim_time ready_tick(pod_int *p)
{
    const rsim_spec_world_probe *pr = &p->c->probe;
    if (!p->probe_phase_set) {
        p->probe_phase_set = true;
        p->probe_phase = pr->aligned ? 0
                                     : (rsim_time)rsim_rng_uniform_int(stream(p, STREAM_PROBE),
                                                                       (uint64_t)pr->period);
    }
    rsim_time base = p->pub.scheduled_at + p->probe_phase;
    rsim_time from = add_sat(p->pub.running_at, pr->initial_delay);
    if (p->pub.app_up_at > from) {
        from = p->pub.app_up_at;
    }
    rsim_time k = from > base ? (from - base + pr->period - 1) / pr->period : 0;
    int64_t extra = pr->success_threshold > 1 ? pr->success_threshold - 1 : 0;
    return base + (k + extra) * pr->period;
}

static void on_app_up(rsim_evq *q, void *arg)
{
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    c->st.events++;
    p->t_life = 0;
    if (p->pub.state == RSIM_POD_STARTING) {
        set_state(p, RSIM_POD_NOT_READY);
    }
    rsim_time t = ready_tick(p);
    if (t < p->crash_at) {
        p->t_life = rsim_evq_schedule(q, t, RSIM_PHASE_CLUSTER, on_ready, p);
    }
}

static bool image_cached(const rsim_cluster *c, const rsim_cluster_rs *r)
{
    if (r->version->cached) {
        return true;
    }
    for (size_t i = 0; i < c->cached.n; i++) {
        if (strcmp(c->cached.items[i], r->image) == 0) {
            return true;
        }
    }
    return false;
}

static void take_slot(pod_int *p)
{
    p->has_slot = true;
    slots_changed(p->c, 1);
}

static bool slot_free(const rsim_cluster *c)
{
    return c->cl->pod_slots <= 0 || c->st.slots_used < c->cl->pod_slots;
}

/* Pending until a slot frees, first come first served. */
static void wait_for_slot(rsim_cluster *c, pod_int *p)
{
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): a vector of pointers */
    RSIM_VEC_PUSH(c->waiting, p);
}

/* The pod lands on a node (it holds a slot): pull the image, start the containers. */
static void on_bind(rsim_evq *q, void *arg)
{
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    rsim_time now = rsim_evq_now(q);
    c->st.events++;
    p->t_life = 0;
    if (!p->has_slot) {
        if (!slot_free(c) || c->waiting.n > 0) {
            wait_for_slot(c, p);
            return;
        }
        take_slot(p);
    }
    const rsim_cluster_rs *r = &rs_of(c, p->pub.rs)->pub;
    p->pub.scheduled_at = now;
    set_state(p, RSIM_POD_STARTING);
    rsim_time pull = image_cached(c, r) ? 0 : draw(p, STREAM_PULL, &c->cl->image_pull);
    rsim_time start = draw(p, STREAM_START, &c->cl->start_containers);
    container_started(p, add_sat(now, add_sat(pull, start)));
}

/* A slot freed: the longest-waiting pods get one and are bound one hop later. */
static void release_slot(pod_int *p)
{
    rsim_cluster *c = p->c;
    p->has_slot = false;
    slots_changed(c, -1);
    size_t taken = 0;
    while (taken < c->waiting.n && slot_free(c)) {
        pod_int *w = c->waiting.items[taken++];
        take_slot(w);
        w->t_life =
            rsim_evq_schedule(c->q, now_of(c) + c->cl->hop_delay, RSIM_PHASE_CLUSTER, on_bind, w);
    }
    if (taken > 0) {
        memmove(c->waiting.items, c->waiting.items + taken,
                (c->waiting.n - taken) * sizeof(pod_int *));
        c->waiting.n -= taken;
    }
}

/* ---- creation ---- */

static void make_name(char *out, size_t size, const char *rollout, const char *hash, uint32_t id)
{
    /* Kubernetes' generateName alphabet (apimachinery util/rand: no vowels, no 0, 1, 3). */
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char key[192];
    int n = snprintf(key, sizeof key, "%s/%s/%u", rollout, hash, (unsigned)id);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof key ? (size_t)n : sizeof key - 1);
    uint64_t h = rsim_util_hash64(key, len);
    char sfx[6];
    for (size_t i = 0; i < 5; i++) {
        sfx[i] = alphabet[h % (sizeof alphabet - 1)];
        h /= sizeof alphabet - 1;
    }
    sfx[5] = '\0';
    size_t fixed = strlen(hash) + 7; /* two dashes, five characters */
    size_t room = fixed < size - 1 ? size - 1 - fixed : 0;
    size_t rl = strlen(rollout);
    snprintf(out, size, "%.*s-%s-%s", (int)(rl < room ? rl : room), rollout, hash, sfx);
}

static pod_int *create_pod(rsim_cluster *c, rs_int *r)
{
    pod_int *p = rsim_xcalloc(1, sizeof *p);
    p->c = c;
    p->pub.id = (uint32_t)c->pods.n;
    p->pub.rs = r->pub.index;
    p->pub.state = RSIM_POD_PENDING;
    p->pub.created = now_of(c);
    p->pub.ready_at = -1;
    p->pub.serving_since = -1;
    p->pub.scheduled_at = -1;
    p->pub.running_at = -1;
    p->pub.deleted_at = -1;
    p->crash_at = RSIM_TIME_MAX;
    p->pub.app_up_at = RSIM_TIME_MAX;
    make_name(p->pub.name, sizeof p->pub.name, c->ro->name, r->pub.hash, p->pub.id);
    p->uid = rsim_util_hash64(p->pub.name, strlen(p->pub.name));
    RSIM_VEC_PUSH(c->pods, p);       /* NOLINT(bugprone-sizeof-expression): a vector of pointers */
    RSIM_VEC_PUSH(r->live, &p->pub); /* NOLINT(bugprone-sizeof-expression): a vector of pointers */
    r->pub.n_by_state[RSIM_POD_PENDING]++;
    c->st.pods_created++;
    notify(c, p, true);
    return p;
}

static void remove_batch(rs_int *r, const batch *b)
{
    for (size_t i = 0; i < r->batches.n; i++) {
        if (r->batches.items[i] == b) {
            memmove(r->batches.items + i, r->batches.items + i + 1,
                    (r->batches.n - i - 1) * sizeof(batch *));
            r->batches.n--;
            return;
        }
    }
    rsim_panic("creation batch not found");
}

static void on_batch(rsim_evq *q, void *arg)
{
    batch *b = arg;
    rsim_cluster *c = b->c;
    rs_int *r = rs_of(c, b->rs);
    c->st.events++;
    remove_batch(r, b);
    r->pub.n_creating -= b->count;
    for (int64_t i = 0; i < b->count; i++) {
        pod_int *p = create_pod(c, r);
        /* The scheduler binds it one API hop after creation. */
        p->t_life = rsim_evq_schedule(q, rsim_evq_now(q) + c->cl->hop_delay, RSIM_PHASE_CLUSTER,
                                      on_bind, p);
    }
    free(b);
}

/* The ReplicaSet controller creates n pods: one hop per API write; with slow start in batches
 * of 1, 2, 4, ..., each batch starting when the previous one's writes returned
 * (controller_utils.go SlowStartInitialBatchSize = 1). */
static void schedule_creations(rsim_cluster *c, rs_int *r, int64_t n)
{
    rsim_time at = now_of(c);
    int64_t size = c->cl->slow_start_batches ? 1 : n;
    while (n > 0) {
        batch *b = rsim_xcalloc(1, sizeof *b);
        b->c = c;
        b->rs = r->pub.index;
        b->count = size < n ? size : n;
        at += c->cl->hop_delay;
        b->tok = rsim_evq_schedule(c->q, at, RSIM_PHASE_CLUSTER, on_batch, b);
        RSIM_VEC_PUSH(r->batches, b); /* NOLINT(bugprone-sizeof-expression): a vector of pointers */
        r->pub.n_creating += b->count;
        n -= b->count;
        size *= 2;
    }
}

/* Takes back up to n creations still in flight, newest first; returns how many. */
static int64_t cancel_creations(rsim_cluster *c, rs_int *r, int64_t n)
{
    int64_t done = 0;
    while (done < n && r->batches.n > 0) {
        batch *b = r->batches.items[r->batches.n - 1];
        int64_t take = b->count < n - done ? b->count : n - done;
        b->count -= take;
        r->pub.n_creating -= take;
        done += take;
        if (b->count == 0) {
            rsim_evq_cancel(c->q, b->tok);
            r->batches.n--;
            free(b);
        }
    }
    return done;
}

/* ---- deletion ---- */

static void on_gone(rsim_evq *q, void *arg)
{
    (void)q;
    pod_int *p = arg;
    rsim_cluster *c = p->c;
    c->st.events++;
    p->t_life = 0;
    for (size_t i = 0; i < p->flips.n; i++) {
        rsim_evq_cancel(c->q, p->flips.items[i].tok);
    }
    p->flips.n = 0;
    set_serving(p, false); /* killed at the end of its grace period while still in endpoints */
    set_state(p, RSIM_POD_GONE);
    for (size_t i = 0; i < STREAM_COUNT; i++) {
        rsim_rng_free(p->rng[i]);
        p->rng[i] = NULL;
    }
    if (p->has_slot) {
        release_slot(p);
    }
}

static void remove_waiting(rsim_cluster *c, const pod_int *p)
{
    for (size_t i = 0; i < c->waiting.n; i++) {
        if (c->waiting.items[i] == p) {
            memmove(c->waiting.items + i, c->waiting.items + i + 1,
                    (c->waiting.n - i - 1) * sizeof(pod_int *));
            c->waiting.n--;
            return;
        }
    }
}

/* Deletion starts: the endpoint turns not-ready at once (propagating like any change); the pod
 * exits when idle - once its last endpoint change has propagated, since no request lasts
 * longer - or at the end of terminationGracePeriodSeconds, whichever comes first. */
static void delete_pod(pod_int *p)
{
    rsim_cluster *c = p->c;
    rsim_time now = now_of(c);
    p->pub.deleted_at = now;
    cancel(c, &p->t_life);
    cancel(c, &p->t_avail);
    cancel(c, &p->t_crash);
    p->crash_at = RSIM_TIME_MAX;
    p->in_backoff = false;
    remove_waiting(c, p);
    set_state(p, RSIM_POD_TERMINATING);
    set_endpoint(p, false);
    rsim_time idle = p->flips.n > 0 ? p->flips.items[p->flips.n - 1].at : now;
    rsim_time gone = add_sat(now, c->grace);
    if (idle < gone) {
        gone = idle;
    }
    p->t_life = rsim_evq_schedule(c->q, gone, RSIM_PHASE_CLUSTER, on_gone, p);
}

static bool is_active(const rsim_pod *p)
{
    return p->state != RSIM_POD_TERMINATING && p->state != RSIM_POD_GONE;
}

static bool is_ready(const rsim_pod *p)
{
    return p->state == RSIM_POD_READY || p->state == RSIM_POD_AVAILABLE;
}

/* Kubernetes pod phase order: Pending (0) before Running (1). A pod is Running from its first
 * container start; it stays Running through crash back-offs. */
static int phase_ordinal(const rsim_pod *p, rsim_time now)
{
    return (p->restarts > 0 || (p->running_at >= 0 && p->running_at <= now)) ? 1 : 0;
}

/* floor(log2(now - t in nanoseconds)), -1 when t is not in the past (LogarithmicScaleDown). */
static int log_rank(rsim_time t, rsim_time now)
{
    if (now <= t) {
        return -1;
    }
    uint64_t ns = (uint64_t)(now - t) * 1000000u;
    int r = 0;
    while (ns > 1) {
        ns >>= 1;
        r++;
    }
    return r;
}

/* ActivePodsWithRanks.Less in kubernetes pkg/controller/controller_utils.go, with
 * LogarithmicScaleDown (default on since 1.22). Rules 4 (pod-deletion-cost) and 5 (pods doubled
 * up on a node) do not apply: no annotations, no nodes. */
bool rsim_cluster_deletes_before(const rsim_pod *a, const rsim_pod *b, rsim_time now)
{
    bool ua = a->state == RSIM_POD_PENDING;
    bool ub = b->state == RSIM_POD_PENDING;
    if (ua != ub) {
        return ua; /* 1. unassigned < assigned */
    }
    int pa = phase_ordinal(a, now);
    int pb = phase_ordinal(b, now);
    if (pa != pb) {
        return pa < pb; /* 2. Pending < Running */
    }
    if (is_ready(a) != is_ready(b)) {
        return !is_ready(a); /* 3. not ready < ready */
    }
    uint64_t ida = pod_of(a)->uid;
    uint64_t idb = pod_of(b)->uid;
    if (is_ready(a) && a->ready_at != b->ready_at) {
        int d = log_rank(a->ready_at, now) - log_rank(b->ready_at, now);
        return d == 0 ? ida < idb : d < 0; /* 6. ready for less time first */
    }
    if (a->restarts != b->restarts) {
        return a->restarts > b->restarts; /* 7. more restarts first */
    }
    if (a->created != b->created) {
        int d = log_rank(a->created, now) - log_rank(b->created, now);
        return d == 0 ? ida < idb : d < 0; /* 8. newer first */
    }
    return false;
}

static void delete_pods(rsim_cluster *c, rs_int *r, int64_t n)
{
    rsim_time now = now_of(c);
    size_t m = 0;
    rsim_pod **v = rsim_xcalloc(r->live.n + 1, sizeof(rsim_pod *));
    for (size_t i = 0; i < r->live.n; i++) {
        if (is_active(r->live.items[i])) {
            v[m++] = r->live.items[i];
        }
    }
    for (size_t i = 1; i < m; i++) { /* insertion sort: few pods, and stable */
        rsim_pod *x = v[i];
        size_t j = i;
        while (j > 0 && rsim_cluster_deletes_before(x, v[j - 1], now)) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    for (size_t i = 0; i < m && (int64_t)i < n; i++) {
        delete_pod(pod_of(v[i]));
    }
    free(v);
}

/* ---- public API ---- */

rsim_cluster *rsim_cluster_new(const rsim_spec_world *w,
                               const rsim_spec_rollout *ro,
                               rsim_evq *q,
                               uint64_t seed,
                               uint64_t replication)
{
    RSIM_ASSERT(w != NULL && ro != NULL && q != NULL);
    rsim_cluster *c = rsim_xcalloc(1, sizeof *c);
    c->w = w;
    c->cl = &w->cluster;
    c->ro = ro;
    c->q = q;
    c->seed = seed;
    c->replication = replication;
    c->probe = w->cluster.readiness;
    for (size_t i = 0; i < ro->template.n_containers; i++) {
        const rsim_spec_probe *pr = &ro->template.containers[i].readiness;
        if (pr->set) {
            c->probe.initial_delay = pr->initial_delay;
            c->probe.period = pr->period;
            c->probe.timeout = pr->timeout;
            c->probe.success_threshold = pr->success_threshold;
            c->probe.failure_threshold = pr->failure_threshold;
            break;
        }
    }
    if (c->probe.period <= 0) {
        rsim_panic("readiness probe period must be > 0, got %lld", (long long)c->probe.period);
    }
    c->min_ready = ro->min_ready;
    c->grace = ro->template.termination_grace;
    c->st_since = rsim_evq_now(q);
    return c;
}

void rsim_cluster_free(rsim_cluster *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->pods.n; i++) {
        pod_int *p = c->pods.items[i];
        for (size_t k = 0; k < STREAM_COUNT; k++) {
            rsim_rng_free(p->rng[k]);
        }
        free(p->flips.items);
        free(p);
    }
    for (size_t i = 0; i < c->rs.n; i++) {
        rs_int *r = c->rs.items[i];
        for (size_t k = 0; k < r->batches.n; k++) {
            free(r->batches.items[k]);
        }
        free(r->batches.items);
        free(r->live.items);
        free((char *)(uintptr_t)r->pub.hash);
        free((char *)(uintptr_t)r->pub.image);
        free(r);
    }
    for (size_t i = 0; i < c->cached.n; i++) {
        free(c->cached.items[i]);
    }
    free(c->cached.items);
    free(c->rs.items);
    free(c->pods.items);
    free(c->waiting.items);
    free(c->watchers.items);
    free(c->first.items);
    free(c);
}

void rsim_cluster_watch(rsim_cluster *c, rsim_cluster_watch_fn *fn, void *arg)
{
    watcher wt = {.fn = fn, .arg = arg};
    RSIM_VEC_PUSH(c->watchers, wt);
}

uint32_t rsim_cluster_add_rs(rsim_cluster *c, const char *image, int64_t revision, const char *hash)
{
    rs_int *r = rsim_xcalloc(1, sizeof *r);
    r->pub.index = (uint32_t)c->rs.n;
    r->pub.hash = rsim_xstrdup(hash);
    r->pub.revision = revision;
    r->pub.image = rsim_xstrdup(image);
    r->pub.version = rsim_spec_world_find_version(c->w, image);
    if (r->pub.version == NULL) {
        r->pub.version = &c->w->version_defaults;
    }
    RSIM_VEC_PUSH(c->rs, r); /* NOLINT(bugprone-sizeof-expression): a vector of pointers */
    return r->pub.index;
}

static int64_t active_count(const rs_int *r)
{
    int64_t n = 0;
    for (int s = RSIM_POD_PENDING; s <= RSIM_POD_AVAILABLE; s++) {
        n += r->pub.n_by_state[s];
    }
    return n;
}

void rsim_cluster_scale_rs(rsim_cluster *c, uint32_t rs, int64_t replicas)
{
    rs_int *r = rs_of(c, rs);
    if (replicas < 0) {
        rsim_panic("ReplicaSet %s: replicas must be >= 0, got %lld", r->pub.hash,
                   (long long)replicas);
    }
    r->pub.desired = replicas;
    int64_t have = active_count(r) + r->pub.n_creating;
    if (replicas > have) {
        schedule_creations(c, r, replicas - have);
    } else if (replicas < have) {
        int64_t excess = have - replicas;
        excess -= cancel_creations(c, r, excess);
        if (excess > 0) {
            delete_pods(c, r, excess);
        }
    }
}

bool rsim_cluster_delete_pod(rsim_cluster *c, uint32_t pod_id)
{
    if (pod_id >= c->pods.n || !is_active(&c->pods.items[pod_id]->pub)) {
        return false;
    }
    pod_int *p = c->pods.items[pod_id];
    rs_int *r = rs_of(c, p->pub.rs);
    delete_pod(p);
    int64_t have = active_count(r) + r->pub.n_creating;
    if (r->pub.desired > have) {
        schedule_creations(c, r, r->pub.desired - have);
    }
    return true;
}

static void mark_cached(rsim_cluster *c, const char *image)
{
    for (size_t i = 0; i < c->cached.n; i++) {
        if (strcmp(c->cached.items[i], image) == 0) {
            return;
        }
    }
    RSIM_VEC_PUSH(c->cached, rsim_xstrdup(image));
}

void rsim_cluster_scale_rs_ready(rsim_cluster *c, uint32_t rs, int64_t replicas)
{
    rs_int *r = rs_of(c, rs);
    int64_t have = active_count(r) + r->pub.n_creating;
    if (replicas <= have) {
        rsim_cluster_scale_rs(c, rs, replicas);
        return;
    }
    mark_cached(c, r->pub.image);
    r->pub.desired = replicas;
    rsim_time now = now_of(c);
    for (int64_t i = have; i < replicas; i++) {
        pod_int *p = create_pod(c, r);
        if (!slot_free(c) || c->waiting.n > 0) {
            wait_for_slot(c, p);
            continue;
        }
        take_slot(p);
        p->pub.scheduled_at = now;
        p->pub.running_at = now;
        p->pub.app_up_at = now;
        p->pub.ready_at = now;
        p->endpoint_ready = true;
        set_state(p, RSIM_POD_AVAILABLE);
        set_serving(p, true);
        p->crash_at = crash_time(c, r->pub.version, now);
        if (p->crash_at != RSIM_TIME_MAX) {
            p->t_crash = rsim_evq_schedule(c->q, p->crash_at, RSIM_PHASE_CLUSTER, on_crash, p);
        }
    }
}

size_t rsim_cluster_rs_count(const rsim_cluster *c)
{
    return c->rs.n;
}

const rsim_cluster_rs *rsim_cluster_rs_at(const rsim_cluster *c, uint32_t rs)
{
    return &rs_of(c, rs)->pub;
}

uint32_t rsim_cluster_find_rs_by_hash(const rsim_cluster *c, const char *hash)
{
    for (size_t i = 0; i < c->rs.n; i++) {
        if (strcmp(c->rs.items[i]->pub.hash, hash) == 0) {
            return (uint32_t)i;
        }
    }
    return RSIM_CLUSTER_NO_RS;
}

uint32_t rsim_cluster_find_rs_by_image(const rsim_cluster *c, const char *image)
{
    for (size_t i = c->rs.n; i > 0; i--) {
        if (strcmp(c->rs.items[i - 1]->pub.image, image) == 0) {
            return (uint32_t)(i - 1);
        }
    }
    return RSIM_CLUSTER_NO_RS;
}

size_t rsim_cluster_pods(const rsim_cluster *c, uint32_t rs, const rsim_pod *const **out)
{
    const rs_int *r = rs_of(c, rs);
    *out = (const rsim_pod *const *)r->live.items;
    return r->live.n;
}

const rsim_pod *rsim_cluster_pod(const rsim_cluster *c, uint32_t id)
{
    return id < c->pods.n ? &c->pods.items[id]->pub : NULL;
}

void rsim_cluster_note_first_traffic(rsim_cluster *c, const rsim_spec_version *v, rsim_time at)
{
    rsim_time ignored;
    if (v == NULL || first_traffic_at(c, v, &ignored)) {
        return;
    }
    first_traffic ft = {.v = v, .at = at};
    RSIM_VEC_PUSH(c->first, ft);
    rsim_time now = now_of(c);
    /* Containers running now start crashing once the onset comes. */
    for (size_t i = 0; i < c->pods.n; i++) {
        pod_int *p = c->pods.items[i];
        if (rs_of(c, p->pub.rs)->pub.version != v || !is_active(&p->pub) || p->pub.running_at < 0 ||
            p->in_backoff || p->t_crash != 0) {
            continue;
        }
        rsim_time t = crash_time(c, v, p->pub.running_at);
        if (t == RSIM_TIME_MAX) {
            continue;
        }
        p->crash_at = t < now ? now : t;
        p->t_crash = rsim_evq_schedule(c->q, p->crash_at, RSIM_PHASE_CLUSTER, on_crash, p);
    }
}

rsim_cluster_stats rsim_cluster_get_stats(const rsim_cluster *c)
{
    rsim_cluster_stats s = c->st;
    s.pod_ms += s.slots_used * (now_of(c) - c->st_since);
    s.pods_pending = (int64_t)c->waiting.n;
    return s;
}
