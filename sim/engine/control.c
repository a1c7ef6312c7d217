/* control.c - the reconciler acting on the simulated world. Owns the controller state of the
 * simulated Rollout (sim/controller), runs its passes on the event queue and applies their
 * effects to the cluster, the traffic router and the AnalysisRuns it creates.
 *
 * When a pass runs: when something it watches changes (a pod of one of its ReplicaSets changes
 * its replicas/ready/available counts, an AnalysisRun changes phase, an operator verb patches the
 * Rollout), when the previous pass persisted a status change (§5.9), at the time the pass asked
 * for (fx.requeue_at: pause end, scale-down deadline, progress deadline) and every resync
 * period; each trigger runs the pass spec.controller.processingDelay later, and triggers that
 * fall before a pending pass are coalesced into it (a work queue holds a key once).
 *
 * Before each pass the observed fields are copied in (each ReplicaSet's replicas, ready and
 * available pods from the cluster; each AnalysisRun's phase), as docs/modules/controller.md
 * prescribes. The AnalysisRuns it creates are run by observe.c (the engine's one Prometheus model
 * and its providers); a run's change of phase triggers a pass.
 *
 * At t = 0 the running revision is fully promoted and Healthy, as a cluster in steady state: the
 * state is brought there by passes at t = 0 over a world in which every pod is at once
 * available; those passes are not logged. Start reading at rsim_engine_control_init. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "engine_int.h"

/* Passes run at one instant before the next one is pushed 1 ms later: a guard against a status
 * that would change on every pass (a bug in the controller, but the run must still end). */
#define CTL_MAX_SAME_INSTANT 32

/* An AnalysisRun created by the controller: its name and observe.c's handle. */
typedef struct ctl_run {
    char name[RSIM_CTL_NAMEMAX];
    rsim_observe_run *run; /* owned by observe.c */
} ctl_run;

struct rsim_control {
    rsim_engine *e;
    rsim_ctl_state st;
    rsim_ctl_opts opts;
    rsim_ctl_effects fx;
    rsim_evq_token pass_token; /* the pending pass, 0 when none */
    rsim_time pass_at;
    rsim_time last_pass_at;
    int same_instant;
    RSIM_VEC(ctl_run) runs; /* in creation order */
};

/* ---- scheduling ---- */

static void on_pass(rsim_evq *q, void *arg);

/* Asks for a pass at `at` (or earlier if one is pending before it). */
static void want_pass(struct rsim_control *c, rsim_time at)
{
    rsim_engine *e = c->e;
    rsim_time now = rsim_evq_now(e->q);
    if (at < now) {
        at = now;
    }
    if (at > e->world->duration) {
        return;
    }
    if (c->pass_token != 0) {
        if (c->pass_at <= at) {
            return;
        }
        rsim_evq_cancel(e->q, c->pass_token);
    }
    c->pass_at = at;
    c->pass_token = rsim_evq_schedule(e->q, at, RSIM_PHASE_RECONCILE, on_pass, c);
}

/* Something the controller watches changed at now. */
static void trigger(struct rsim_control *c, rsim_time now)
{
    want_pass(c, now + c->e->world->controller.processing_delay);
}

/* ---- observed fields ---- */

static void rs_counts(const rsim_cluster_rs *r, int32_t *replicas, int32_t *ready, int32_t *avail)
{
    /* status.replicas counts the pods not being deleted (FilterActivePods). */
    *replicas = (int32_t)(r->n_by_state[RSIM_POD_PENDING] + r->n_by_state[RSIM_POD_STARTING] +
                          r->n_by_state[RSIM_POD_NOT_READY] + r->n_by_state[RSIM_POD_READY] +
                          r->n_by_state[RSIM_POD_AVAILABLE]);
    *ready = (int32_t)(r->n_by_state[RSIM_POD_READY] + r->n_by_state[RSIM_POD_AVAILABLE]);
    *avail = (int32_t)r->n_by_state[RSIM_POD_AVAILABLE];
}

/* Pods of a ReplicaSet not being deleted and created before `before` (§14.6). */
static int32_t old_pods(const rsim_cluster *cl, uint32_t rs, rsim_time before)
{
    const rsim_pod *const *pods = NULL;
    size_t n = rsim_cluster_pods(cl, rs, &pods);
    int32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += pods[i]->state <= RSIM_POD_AVAILABLE && pods[i]->created < before;
    }
    return k;
}

/* Copies the world's counts into the state; returns whether any changed. */
static bool observe_rs(struct rsim_control *c)
{
    bool changed = false;
    for (size_t i = 0; i < c->st.n_rs; i++) {
        rsim_ctl_rs *s = &c->st.rs[i];
        uint32_t idx = rsim_cluster_find_rs_by_hash(c->e->cluster, s->hash);
        int32_t n = 0, ready = 0, avail = 0;
        if (idx != RSIM_CLUSTER_NO_RS) {
            rs_counts(rsim_cluster_rs_at(c->e->cluster, idx), &n, &ready, &avail);
        }
        int32_t old = idx == RSIM_CLUSTER_NO_RS || c->st.restart_at < 0
                          ? 0
                          : old_pods(c->e->cluster, idx, c->st.restart_at);
        changed |= s->replicas != n || s->ready != ready || s->available != avail;
        s->replicas = n;
        s->ready = ready;
        s->available = avail;
        s->restart_old = old;
    }
    return changed;
}

/* The same for the ReplicaSets of the Experiments (§15.8). */
static bool observe_exp_rs(struct rsim_control *c)
{
    bool changed = false;
    for (size_t i = 0; i < c->st.n_exps; i++) {
        rsim_ctl_experiment *ex = &c->st.exps[i];
        for (size_t k = 0; k < ex->n_rs; k++) {
            rsim_ctl_exp_rs *s = &ex->rs[k];
            uint32_t idx = rsim_cluster_find_rs_by_hash(c->e->cluster, s->hash);
            int32_t n = 0;
            int32_t ready = 0;
            int32_t avail = 0;
            if (idx != RSIM_CLUSTER_NO_RS) {
                rs_counts(rsim_cluster_rs_at(c->e->cluster, idx), &n, &ready, &avail);
            }
            changed |= s->replicas != n || s->ready != ready || s->available != avail;
            s->replicas = n;
            s->ready = ready;
            s->available = avail;
        }
    }
    return changed;
}

static const ctl_run *find_run(const struct rsim_control *c, const char *name)
{
    for (size_t k = 0; k < c->runs.n; k++) {
        if (strcmp(c->runs.items[k].name, name) == 0) {
            return &c->runs.items[k];
        }
    }
    return NULL;
}

/* The phases of the Experiments' AnalysisRuns. */
static void observe_exp_runs(struct rsim_control *c)
{
    for (size_t i = 0; i < c->st.n_exps; i++) {
        rsim_ctl_experiment *ex = &c->st.exps[i];
        for (size_t k = 0; k < ex->n_ars; k++) {
            rsim_ctl_exp_ar *a = &ex->ars[k];
            const ctl_run *r = a->started ? find_run(c, a->name) : NULL;
            if (r != NULL) {
                const char *message = "";
                a->phase = rsim_engine_observe_run_phase(r->run, &message);
                snprintf(a->message, sizeof a->message, "%s", message);
            }
        }
    }
}

static void observe_runs(struct rsim_control *c)
{
    for (size_t i = 0; i < c->st.n_ars; i++) {
        rsim_ctl_ar *a = &c->st.ars[i];
        for (size_t k = 0; k < c->runs.n; k++) {
            const ctl_run *r = &c->runs.items[k];
            if (strcmp(r->name, a->name) == 0) {
                const char *message = "";
                a->phase = rsim_engine_observe_run_phase(r->run, &message);
                snprintf(a->message, sizeof a->message, "%s", message);
                break;
            }
        }
    }
}

/* A pod of an Experiment's ReplicaSet changed: the experiment controller watches them. */
static void on_exp_pod(struct rsim_control *c, const rsim_cluster_rs *r, rsim_time now)
{
    const rsim_ctl_exp_rs *s = rsim_controller_find_exp_rs(&c->st, r->hash);
    if (s == NULL) {
        return;
    }
    int32_t n = 0;
    int32_t ready = 0;
    int32_t avail = 0;
    rs_counts(r, &n, &ready, &avail);
    if (s->replicas != n || s->ready != ready || s->available != avail) {
        trigger(c, now);
    }
}

/* Cluster watcher: a pod of one of the Rollout's ReplicaSets changed; a pass follows when the
 * counts the controller reads changed. */
static void on_pod(void *arg, const rsim_pod *pod, bool after, rsim_time now)
{
    struct rsim_control *c = arg;
    if (!after) {
        return;
    }
    const rsim_cluster_rs *r = rsim_cluster_rs_at(c->e->cluster, pod->rs);
    const rsim_ctl_rs *s = rsim_controller_find_rs(&c->st, r->hash);
    if (s == NULL) {
        on_exp_pod(c, r, now);
        return;
    }
    int32_t n = 0, ready = 0, avail = 0;
    rs_counts(r, &n, &ready, &avail);
    if (s->replicas != n || s->ready != ready || s->available != avail) {
        trigger(c, now);
    }
}

/* ---- AnalysisRuns ---- */

/* observe.c: a run of the controller changed phase; the controller watches its AnalysisRuns. */
static void on_run_phase(void *arg, rsim_time now)
{
    trigger(arg, now);
}

static void create_run(struct rsim_control *c, const rsim_ctl_fx *f, rsim_time now)
{
    ctl_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", f->name);
    r.run = rsim_engine_observe_start_run(c->e, f->name, f->analysis, f->stable_hash, f->hash,
                                          on_run_phase, c, now);
    RSIM_VEC_PUSH(c->runs, r);
}

static void terminate_run(struct rsim_control *c, const char *name, rsim_time now)
{
    for (size_t i = 0; i < c->runs.n; i++) {
        if (strcmp(c->runs.items[i].name, name) == 0) {
            rsim_engine_observe_terminate_run(c->runs.items[i].run, now);
            return;
        }
    }
}

/* ---- effects ---- */

/* Evicts the `count` oldest pods of an RS created before `before`; the ReplicaSet replaces them
 * (§14.6). */
static void evict_pods(struct rsim_control *c, uint32_t rs, int32_t count, rsim_time before)
{
    rsim_cluster *cl = c->e->cluster;
    while (count-- > 0) {
        const rsim_pod *const *pods = NULL;
        size_t n = rsim_cluster_pods(cl, rs, &pods);
        uint32_t victim = UINT32_MAX;
        for (size_t i = 0; i < n && victim == UINT32_MAX; i++) {
            if (pods[i]->state <= RSIM_POD_AVAILABLE && pods[i]->created < before) {
                victim = pods[i]->id;
            }
        }
        if (victim == UINT32_MAX) {
            return;
        }
        rsim_cluster_delete_pod(cl, victim);
    }
}

static uint32_t cluster_rs(const struct rsim_control *c, const char *hash)
{
    return hash[0] ? rsim_cluster_find_rs_by_hash(c->e->cluster, hash) : RSIM_CLUSTER_NO_RS;
}

static const rsim_spec_canary_step *step_at(const struct rsim_control *c, int32_t i)
{
    const rsim_spec_canary *k = &c->e->rollout->canary;
    return i >= 0 && (size_t)i < k->n_steps ? &k->steps[i] : NULL;
}

static void apply_route(struct rsim_control *c, const rsim_ctl_fx *f, rsim_time now)
{
    rsim_engine *e = c->e;
    const rsim_spec_canary_step *s = step_at(c, f->step);
    uint32_t canary = cluster_rs(c, c->st.status.current_pod_hash);
    if (s == NULL || canary == RSIM_CLUSTER_NO_RS) {
        return;
    }
    if (!f->mirror) {
        const rsim_spec_header_route *h = &s->header_route;
        uint64_t mask = rsim_traffic_match_headers(e->traffic, h->n_match, h->match);
        rsim_traffic_set_header_route(e->traffic, mask, canary, now);
        return;
    }
    /* Mirror matches: the headers of each block select cohorts; method and path are not
     * modelled (every request is a GET of /), so a block matches on its headers. */
    const rsim_spec_mirror_route *m = &s->mirror_route;
    uint64_t mask = 0;
    for (size_t i = 0; i < m->n_match; i++) {
        mask |= rsim_traffic_match_headers(e->traffic, m->match[i].n_headers, m->match[i].headers);
    }
    double pct = m->percentage.set ? (double)m->percentage.value : 100.0;
    rsim_traffic_set_mirror_route(e->traffic, mask, canary, pct / 100.0, now);
}

static void apply_route_remove(struct rsim_control *c, rsim_time now)
{
    /* The router keeps one header and one mirror route: removing a managed route clears both
     * and programs again the routes still set. */
    rsim_traffic_set_header_route(c->e->traffic, 0, RSIM_TRAFFIC_NO_RS, now);
    rsim_traffic_set_mirror_route(c->e->traffic, 0, RSIM_TRAFFIC_NO_RS, 0, now);
    for (size_t i = 0; i < c->st.n_routes; i++) {
        rsim_ctl_fx again;
        memset(&again, 0, sizeof again);
        again.mirror = c->st.routes[i].mirror;
        again.step = c->st.routes[i].step;
        apply_route(c, &again, now);
    }
}

static void apply(struct rsim_control *c, const rsim_ctl_fx *f, rsim_time now)
{
    rsim_engine *e = c->e;
    switch (f->kind) {
    case RSIM_CTL_FX_RS_CREATE:
        if (cluster_rs(c, f->hash) == RSIM_CLUSTER_NO_RS) {
            rsim_engine_world_add_rs(e, f->image, f->revision, f->hash);
        }
        break;
    case RSIM_CTL_FX_RS_SCALE: {
        uint32_t rs = cluster_rs(c, f->hash);
        if (rs != RSIM_CLUSTER_NO_RS) {
            rsim_cluster_scale_rs(e->cluster, rs, f->replicas);
        }
        break;
    }
    case RSIM_CTL_FX_SERVICE_SELECT:
        /* The Service's scrape targets follow its selector (spec.metrics.targets: services). */
        rsim_engine_observe_service_select(e, f->name, f->hash, now);
        /* Blue-green: the active Service carries the users. A basic canary's Services select
         * by pods, which the traffic model follows already; the preview Service has no users. */
        if (strcmp(f->name, "active") == 0 && e->rollout->strategy == RSIM_STRATEGY_BLUE_GREEN) {
            uint32_t rs = cluster_rs(c, f->hash);
            if (rs != RSIM_CLUSTER_NO_RS) {
                rsim_traffic_set_active(e->traffic, rs, now);
            }
        }
        break;
    case RSIM_CTL_FX_WEIGHT: {
        uint32_t canary = cluster_rs(c, f->hash);
        uint32_t stable = cluster_rs(c, f->stable_hash);
        if (stable == RSIM_CLUSTER_NO_RS) {
            stable = canary;
        }
        if (canary == RSIM_CLUSTER_NO_RS) {
            canary = stable;
        }
        if (stable != RSIM_CLUSTER_NO_RS) {
            rsim_traffic_set_weight(e->traffic, stable, canary, f->replicas, now);
        }
        break;
    }
    case RSIM_CTL_FX_ROUTE_SET:
        apply_route(c, f, now);
        break;
    case RSIM_CTL_FX_ROUTE_REMOVE:
        apply_route_remove(c, now);
        break;
    case RSIM_CTL_FX_AR_CREATE:
        create_run(c, f, now);
        break;
    case RSIM_CTL_FX_AR_TERMINATE:
        terminate_run(c, f->name, now);
        break;
    case RSIM_CTL_FX_POD_EVICT: {
        uint32_t rs = cluster_rs(c, f->hash);
        if (rs != RSIM_CLUSTER_NO_RS) {
            evict_pods(c, rs, f->replicas, f->deadline);
        }
        break;
    }
    case RSIM_CTL_FX_RS_ANNOTATE:
    case RSIM_CTL_FX_EVENT:
        break; /* state only; events are written with the pass */
    case RSIM_CTL_FX_RS_DELETE:
        /* The controller has forgotten it; the cluster's RS has no pods and is not read again
         * (the same template later gets a new controller RS that reuses it by hash). */
        break;
    }
}

/* ---- the pass and its log line ---- */

static void record_pass(struct rsim_control *c, rsim_time now)
{
    rsim_engine *e = c->e;
    rsim_result *res = &e->result;
    const rsim_ctl_state *st = &c->st;
    rsim_reconcile_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.first_rs = res->rec_rs.n;
    for (size_t i = 0; i < st->n_rs; i++) {
        const rsim_ctl_rs *s = &st->rs[i];
        rsim_reconcile_rs r;
        memset(&r, 0, sizeof r);
        snprintf(r.hash, sizeof r.hash, "%s", s->hash);
        r.revision = s->revision;
        r.desired = s->spec_replicas;
        r.current = s->replicas;
        r.ready = s->ready;
        r.available = s->available;
        RSIM_VEC_PUSH(res->rec_rs, r);
    }
    rec.n_rs = res->rec_rs.n - rec.first_rs;
    rec.weights_set = st->status.weights.set;
    rec.canary_weight = st->status.weights.canary;
    rec.stable_weight = st->status.weights.stable;
    rec.step = st->status.current_step_index;
    rec.phase = st->status.phase;
    rec.abort = st->status.abort;
    snprintf(rec.message, sizeof rec.message, "%s", st->status.message);
    rec.first_reason = res->rec_reasons.n;
    for (size_t i = 0; i < c->fx.n; i++) {
        if (c->fx.items[i].kind != RSIM_CTL_FX_EVENT) {
            continue;
        }
        const char *reason = c->fx.items[i].reason;
        for (size_t k = 0; reason[k]; k++) {
            RSIM_VEC_PUSH(res->rec_reasons, reason[k]);
        }
        RSIM_VEC_PUSH(res->rec_reasons, '\0');
        rec.n_reasons++;
    }
    RSIM_VEC_PUSH(res->recs, rec);

    rsim_log_entry entry;
    memset(&entry, 0, sizeof entry);
    entry.t = now;
    entry.kind = RSIM_LOG_RECONCILE;
    entry.rec = res->recs.n - 1;
    entry.image = e->obj.image;
    entry.revision = e->obj.revision;
    RSIM_VEC_PUSH(res->log, entry);

    bool new_phase = res->phases.n == 0;
    if (!new_phase) {
        const rsim_phase_change *last = &res->phases.items[res->phases.n - 1];
        new_phase = last->phase != rec.phase || strcmp(last->message, rec.message) != 0;
    }
    if (new_phase) {
        rsim_phase_change pc;
        memset(&pc, 0, sizeof pc);
        pc.t = now;
        pc.phase = rec.phase;
        snprintf(pc.message, sizeof pc.message, "%s", rec.message);
        RSIM_VEC_PUSH(res->phases, pc);
    }
}

static void run_pass(struct rsim_control *c, rsim_time now)
{
    rsim_engine *e = c->e;
    observe_rs(c);
    observe_runs(c);
    observe_exp_rs(c);
    observe_exp_runs(c);
    rsim_controller_reconcile(&c->st, now, &c->opts, &c->fx);
    for (size_t i = 0; i < c->fx.n; i++) {
        apply(c, &c->fx.items[i], now);
    }
    /* The stable ReplicaSet, for what reads it (web and job analysis targets, the output). */
    uint32_t stable = cluster_rs(c, c->st.status.stable_rs);
    if (stable != RSIM_CLUSTER_NO_RS) {
        e->stable_rs = stable;
    }
    record_pass(c, now);
}

static void on_pass(rsim_evq *q, void *arg)
{
    struct rsim_control *c = arg;
    rsim_time now = rsim_evq_now(q);
    c->pass_token = 0;
    c->same_instant = now == c->last_pass_at ? c->same_instant + 1 : 0;
    c->last_pass_at = now;
    run_pass(c, now);
    const rsim_spec_controller *sc = &c->e->world->controller;
    rsim_time next = now + sc->resync_period;
    if (c->fx.requeue_at >= 0 && c->fx.requeue_at < next) {
        next = c->fx.requeue_at;
    }
    /* Changes seen during the pass (pods that moved while it ran, a status write) trigger it
     * again (§5.9). */
    bool exp_changed = observe_exp_rs(c);
    if (c->fx.status_changed || observe_rs(c) || exp_changed) {
        rsim_time again = now + sc->processing_delay;
        if (again == now && c->same_instant >= CTL_MAX_SAME_INSTANT) {
            again = now + 1;
        }
        if (again < next) {
            next = again;
        }
    }
    want_pass(c, next);
}

/* ---- lifecycle ---- */

/* The steady state at t = 0: passes over a world where every pod is available at once. */
static void bootstrap(struct rsim_control *c)
{
    rsim_ctl_state *st = &c->st;
    for (int i = 0; i < CTL_MAX_SAME_INSTANT; i++) {
        rsim_controller_reconcile(st, 0, &c->opts, &c->fx);
        for (size_t k = 0; k < st->n_rs; k++) {
            st->rs[k].replicas = st->rs[k].ready = st->rs[k].available = st->rs[k].spec_replicas;
        }
        if (!c->fx.status_changed && c->fx.n == 0) {
            break;
        }
    }
}

void rsim_engine_control_init(rsim_engine *e)
{
    e->control = NULL;
    if (!e->world->controller.enabled || e->rollout == NULL) {
        return;
    }
    struct rsim_control *c = rsim_xcalloc(1, sizeof *c);
    c->e = e;
    c->last_pass_at = -1;
    rsim_controller_opts_init(&c->opts);
    rsim_controller_state_init(&c->st, e->rollout, e->obj.image, e->obj.image);
    bootstrap(c);
    e->control = c;
    /* The running revision's ReplicaSets, their pods available and serving. */
    for (size_t k = 0; k < c->st.n_rs; k++) {
        const rsim_ctl_rs *s = &c->st.rs[k];
        uint32_t rs = rsim_engine_world_add_rs(e, s->image, s->revision, s->hash);
        if (s->spec_replicas > 0) {
            rsim_cluster_scale_rs_ready(e->cluster, rs, s->spec_replicas);
        }
    }
    uint32_t stable = cluster_rs(c, c->st.status.stable_rs);
    e->stable_rs = stable;
    rsim_cluster_watch(e->cluster, on_pod, c);
}

void rsim_engine_control_start(rsim_engine *e)
{
    struct rsim_control *c = e->control;
    if (c == NULL) {
        return;
    }
    record_pass(c, 0);
    rsim_time next = e->world->controller.resync_period;
    if (c->fx.requeue_at >= 0 && c->fx.requeue_at < next) {
        next = c->fx.requeue_at;
    }
    want_pass(c, next);
}

void rsim_engine_control_fini(rsim_engine *e)
{
    struct rsim_control *c = e->control;
    if (c == NULL) {
        return;
    }
    free(c->runs.items);
    free(c);
    e->control = NULL;
}

bool rsim_engine_control_verb(rsim_engine *e, const rsim_spec_action *a, rsim_time now)
{
    struct rsim_control *c = e->control;
    if (c == NULL) {
        return false;
    }
    rsim_ctl_state *st = &c->st;
    /* What the verbs patch, to tell whether this one changed the object. */
    rsim_ctl_status before;
    memcpy(&before, &st->status, sizeof before);
    bool paused = st->paused;
    int64_t serial = st->template_serial;
    rsim_time restart_at = st->restart_at;
    bool acted = true;
    switch (a->kind) {
    case RSIM_OP_SET_IMAGE:
        rsim_controller_set_template(st, a->image, a->image);
        break;
    case RSIM_OP_UNDO:
        acted = rsim_controller_undo(st, a->to_revision);
        break;
    case RSIM_OP_PROMOTE:
        rsim_controller_promote(st, a->skip_all_steps      ? RSIM_CTL_PROMOTE_SKIP_ALL
                                    : a->skip_current_step ? RSIM_CTL_PROMOTE_SKIP_CURRENT
                                                           : RSIM_CTL_PROMOTE);
        break;
    case RSIM_OP_PROMOTE_FULL:
        rsim_controller_promote_full(st);
        break;
    case RSIM_OP_ABORT:
        rsim_controller_abort(st);
        break;
    case RSIM_OP_RETRY:
        rsim_controller_retry(st);
        break;
    case RSIM_OP_PAUSE:
        rsim_controller_pause(st);
        break;
    case RSIM_OP_RESUME:
        rsim_controller_resume(st);
        break;
    case RSIM_OP_RESTART:
        rsim_controller_restart(st, now);
        break;
    default:
        acted = false;
        break;
    }
    if (!acted) {
        return false;
    }
    trigger(c, now);
    return memcmp(&before, &st->status, sizeof before) != 0 || paused != st->paused ||
           serial != st->template_serial || restart_at != st->restart_at;
}

const char *rsim_engine_control_image(const rsim_engine *e)
{
    return e->control ? e->control->st.image : NULL;
}

const char *rsim_engine_control_service_hash(const rsim_engine *e, const char *service)
{
    const struct rsim_control *c = e->control;
    const rsim_spec_rollout *r = e->rollout;
    if (c == NULL || r == NULL || service[0] == '\0') {
        return "";
    }
    if (r->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        if (strcmp(service, r->blue_green.active_service) == 0) {
            return c->st.svc_active;
        }
        return strcmp(service, r->blue_green.preview_service) == 0 ? c->st.svc_preview : "";
    }
    if (strcmp(service, r->canary.canary_service) == 0) {
        return c->st.svc_canary;
    }
    return strcmp(service, r->canary.stable_service) == 0 ? c->st.svc_stable : "";
}

rsim_ctl_phase rsim_engine_control_phase(const rsim_engine *e, const char **message)
{
    const struct rsim_control *c = e->control;
    *message = c ? c->st.status.message : "";
    return c ? c->st.status.phase : RSIM_CTL_PHASE_HEALTHY;
}
