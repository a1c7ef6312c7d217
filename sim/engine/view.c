/* view.c - a read-only view of the Rollout at the engine's now, in the terms of
 * `kubectl argo rollouts get rollout`: status, replica counts, ReplicaSets, pods, AnalysisRuns.
 * Reads the cluster as it is now and the records the run has logged so far (controller passes,
 * AnalysisRun phases, measurements); writes nothing. Start at rsim_engine_view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rsim/engine.h>

#include "engine_int.h"

/* The Rollout's name; a world without a Rollout shows its pods under "rollout". */
static const char *ro_name(const rsim_engine *e)
{
    return e->rollout && e->rollout->name ? e->rollout->name : "rollout";
}

/* Whether any controller pass listed this hash among the Rollout's own ReplicaSets. */
static bool owned_hash(const rsim_result *res, const char *hash)
{
    for (size_t i = 0; i < res->rec_rs.n; i++) {
        if (strcmp(res->rec_rs.items[i].hash, hash) == 0) {
            return true;
        }
    }
    return false;
}

/* When the ReplicaSet first appears: the first pass listing it, else its first pod, else 0. */
static rsim_time rs_created(const rsim_engine *e, const rsim_cluster_rs *r)
{
    const rsim_result *res = &e->result;
    for (size_t i = 0; i < res->log.n; i++) {
        const rsim_log_entry *le = &res->log.items[i];
        if (le->kind != RSIM_LOG_RECONCILE) {
            continue;
        }
        const rsim_reconcile_rec *rec = &res->recs.items[le->rec];
        for (size_t k = 0; k < rec->n_rs; k++) {
            if (strcmp(res->rec_rs.items[rec->first_rs + k].hash, r->hash) == 0) {
                return le->t;
            }
        }
    }
    for (size_t i = 0; i < res->log.n; i++) {
        const rsim_log_entry *le = &res->log.items[i];
        if (le->kind == RSIM_LOG_POD && le->pod_rs == r->index) {
            return le->t;
        }
    }
    return 0;
}

/* The stable ReplicaSet: the template's ReplicaSet at the last pass that left the Rollout
 * Healthy (status.stableRS is set exactly then), else the one running when the run started. */
static uint32_t stable_rs(const rsim_engine *e)
{
    const rsim_result *res = &e->result;
    uint32_t stable = e->stable_rs;
    for (size_t i = 0; i < res->log.n; i++) {
        const rsim_log_entry *le = &res->log.items[i];
        if (le->kind != RSIM_LOG_RECONCILE || !le->image ||
            res->recs.items[le->rec].phase != RSIM_CTL_PHASE_HEALTHY) {
            continue;
        }
        /* The pass that creates a new ReplicaSet still reports the old phase: count a Healthy
         * pass only once the template's ReplicaSet is scaled up and available in it. */
        uint32_t rs = rsim_cluster_find_rs_by_image(e->cluster, le->image);
        if (rs == RSIM_CLUSTER_NO_RS) {
            continue;
        }
        const char *hash = rsim_cluster_rs_at(e->cluster, rs)->hash;
        const rsim_reconcile_rec *rec = &res->recs.items[le->rec];
        for (size_t k = 0; k < rec->n_rs; k++) {
            const rsim_reconcile_rs *r = &res->rec_rs.items[rec->first_rs + k];
            if (strcmp(r->hash, hash) == 0 && r->desired > 0 && r->available >= r->desired) {
                stable = rs;
            }
        }
    }
    return stable;
}

/* Back-off: no container runs (running_at is -1 from the crash) or the next one has not
 * started yet (cluster.c on_crash, container_started). */
static const char *pod_state(const rsim_pod *p, rsim_time now, bool *ready)
{
    *ready = p->state == RSIM_POD_READY || p->state == RSIM_POD_AVAILABLE;
    bool restarted =
        p->restarts > 0 && (p->state == RSIM_POD_STARTING || p->state == RSIM_POD_NOT_READY);
    if (restarted) {
        return p->running_at < 0 || p->running_at > now ? "CrashLoopBackOff" : "Running";
    }
    switch (p->state) {
    case RSIM_POD_PENDING:
        return "Pending";
    case RSIM_POD_STARTING:
        return "ContainerCreating";
    case RSIM_POD_TERMINATING:
        return "Terminating";
    default:
        return "Running";
    }
}

static void fill_rs(const rsim_engine *e, rsim_rollout_view *v, const char *template_image)
{
    const rsim_cluster *cl = e->cluster;
    size_t n = rsim_cluster_rs_count(cl);
    bool controlled = e->result.recs.n > 0;
    uint32_t stable = stable_rs(e);
    uint32_t current =
        template_image ? rsim_cluster_find_rs_by_image(cl, template_image) : RSIM_CLUSTER_NO_RS;
    bool blue_green = e->rollout && e->rollout->strategy == RSIM_STRATEGY_BLUE_GREEN;
    v->rs = rsim_xcalloc(n + 1, sizeof *v->rs);
    size_t n_pods = 0;
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        const rsim_cluster_rs *r = rsim_cluster_rs_at(cl, i);
        rsim_view_rs *o = &v->rs[v->n_rs++];
        snprintf(o->name, sizeof o->name, "%s-%s", ro_name(e), r->hash);
        snprintf(o->hash, sizeof o->hash, "%s", r->hash);
        snprintf(o->image, sizeof o->image, "%s", r->image);
        o->revision = r->revision;
        o->desired = (int32_t)r->desired;
        o->current = (int32_t)(r->n_by_state[RSIM_POD_PENDING] + r->n_by_state[RSIM_POD_STARTING] +
                               r->n_by_state[RSIM_POD_NOT_READY] + r->n_by_state[RSIM_POD_READY] +
                               r->n_by_state[RSIM_POD_AVAILABLE]);
        o->ready = (int32_t)(r->n_by_state[RSIM_POD_READY] + r->n_by_state[RSIM_POD_AVAILABLE]);
        o->available = (int32_t)r->n_by_state[RSIM_POD_AVAILABLE];
        o->experiment = controlled && !owned_hash(&e->result, r->hash);
        o->stable = !o->experiment && i == stable;
        bool next = !o->experiment && i == current && i != stable;
        o->canary = next && !blue_green;
        o->preview = next && blue_green;
        o->created = rs_created(e, r);
        if (o->desired == 0) {
            o->status = "ScaledDown";
        } else if (o->available >= o->desired && o->current == o->desired) {
            o->status = "Healthy";
        } else {
            o->status = "Progressing";
        }
        const rsim_pod *const *pods = NULL;
        n_pods += rsim_cluster_pods(cl, i, &pods);
    }
    v->pods = rsim_xcalloc(n_pods + 1, sizeof *v->pods);
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        const rsim_pod *const *pods = NULL;
        size_t np = rsim_cluster_pods(cl, i, &pods);
        for (size_t k = 0; k < np; k++) {
            rsim_view_pod *o = &v->pods[v->n_pods++];
            snprintf(o->name, sizeof o->name, "%s", pods[k]->name);
            o->rs = i;
            o->state = pod_state(pods[k], v->now, &o->ready);
            o->restarts = pods[k]->restarts;
            o->created = pods[k]->created;
        }
    }
}

/* The kind and revision of a run from its name, as the controller names them (<rollout>-<hash>-
 * <revision>[-<step>|-pre|-post], Experiments' runs <rollout>-<hash>-<revision>-<step>-<name>). */
static void run_kind(const rsim_engine *e, const rsim_rollout_view *v, rsim_view_run *o)
{
    o->kind = "timeline";
    o->revision = 0;
    const char *name = ro_name(e);
    size_t nl = strlen(name);
    if (strncmp(o->name, name, nl) != 0 || o->name[nl] != '-') {
        return;
    }
    const char *rest = o->name + nl + 1;
    for (size_t i = 0; i < v->n_rs; i++) {
        const rsim_view_rs *r = &v->rs[i];
        size_t hl = strlen(r->hash);
        if (r->experiment || strncmp(rest, r->hash, hl) != 0 || rest[hl] != '-') {
            continue;
        }
        const char *tail = rest + hl + 1;
        char *end = NULL;
        long long rev = strtoll(tail, &end, 10);
        if (end == tail) {
            continue;
        }
        o->revision = rev;
        if (*end == '\0') {
            o->kind = "background";
        } else if (strcmp(end, "-pre") == 0) {
            o->kind = "pre";
        } else if (strcmp(end, "-post") == 0) {
            o->kind = "post";
        } else {
            char *end2 = NULL;
            (void)strtol(end + 1, &end2, 10);
            o->kind = end2 != end + 1 && *end2 == '\0' ? "step" : "experiment";
        }
        return;
    }
}

static rsim_view_run *find_run(rsim_rollout_view *v, const char *name)
{
    for (size_t i = 0; i < v->n_runs; i++) {
        if (strcmp(v->runs[i].name, name) == 0) {
            return &v->runs[i];
        }
    }
    return NULL;
}

static void fill_runs(const rsim_engine *e, rsim_rollout_view *v)
{
    const rsim_result *res = &e->result;
    size_t cap = 0;
    for (size_t i = 0; i < res->log.n; i++) {
        const rsim_log_entry *le = &res->log.items[i];
        if ((le->kind != RSIM_LOG_ANALYSIS && le->kind != RSIM_LOG_MEASUREMENT) || !le->analysis) {
            continue;
        }
        rsim_view_run *o = find_run(v, le->analysis);
        if (!o) {
            if (v->n_runs == cap) {
                cap = cap ? 2 * cap : 8;
                v->runs = rsim_xrealloc(v->runs, cap * sizeof *v->runs);
            }
            o = &v->runs[v->n_runs++];
            memset(o, 0, sizeof *o);
            snprintf(o->name, sizeof o->name, "%s", le->analysis);
            o->phase = "Pending";
            o->created = le->t;
            run_kind(e, v, o);
        }
        if (le->kind == RSIM_LOG_ANALYSIS) {
            o->phase = le->phase;
        } else if (strcmp(le->phase, "Successful") == 0) {
            o->successful++;
        } else if (strcmp(le->phase, "Failed") == 0) {
            o->failed++;
        } else if (strcmp(le->phase, "Inconclusive") == 0) {
            o->inconclusive++;
        } else {
            o->errors++;
        }
    }
}

/* spec.strategy.canary: the weight of the last setWeight step at or before the current one
 * (100 once every step is done or nothing is rolling out, 0 after an abort). */
static int32_t set_weight(const rsim_spec_rollout *ro, int32_t step, bool aborted, bool rolling)
{
    if (aborted) {
        return 0;
    }
    if (!ro) {
        return 100;
    }
    if (!rolling || step < 0 || (size_t)step >= ro->canary.n_steps) {
        return 100;
    }
    for (int32_t i = step; i >= 0; i--) {
        const rsim_spec_canary_step *s = &ro->canary.steps[i];
        if (s->types & RSIM_STEP_SET_WEIGHT) {
            return (int32_t)s->set_weight;
        }
    }
    return 0;
}

static void fill_status(const rsim_engine *e, rsim_rollout_view *v)
{
    const rsim_spec_rollout *ro = e->rollout;
    const rsim_result *res = &e->result;
    const char *message = "";
    v->phase = rsim_controller_phase_name(rsim_engine_control_phase(e, &message));
    snprintf(v->message, sizeof v->message, "%s", message);
    v->strategy = ro && ro->strategy == RSIM_STRATEGY_BLUE_GREEN ? "BlueGreen" : "Canary";
    v->n_steps = ro && ro->strategy == RSIM_STRATEGY_CANARY ? ro->canary.n_steps : 0;
    v->step = -1;
    const rsim_reconcile_rec *last = res->recs.n ? &res->recs.items[res->recs.n - 1] : NULL;
    bool aborted = last && last->abort;
    if (last) {
        v->step = last->step;
    }
    const rsim_view_rs *canary = NULL;
    int32_t total_avail = 0;
    for (size_t i = 0; i < v->n_rs; i++) {
        const rsim_view_rs *r = &v->rs[i];
        if (r->experiment) {
            continue;
        }
        canary = r->canary || r->preview ? r : canary;
        v->current += r->current;
        v->ready += r->ready;
        v->available += r->available;
        total_avail += r->available;
    }
    v->desired = ro && ro->replicas.set ? (int32_t)ro->replicas.value : 1;
    const rsim_view_rs *updated = canary;
    for (size_t i = 0; !updated && i < v->n_rs; i++) {
        updated = v->rs[i].stable ? &v->rs[i] : NULL;
    }
    v->updated = updated ? updated->current : 0;
    v->set_weight = set_weight(ro, v->step, aborted, canary != NULL);
    if (last && last->weights_set) {
        v->actual_weight = last->canary_weight;
    } else if (!canary) {
        v->actual_weight = 100;
    } else {
        v->actual_weight = total_avail > 0 ? canary->available * 100 / total_avail : 0;
    }
}

void rsim_engine_view(const rsim_engine *e, rsim_rollout_view *out)
{
    memset(out, 0, sizeof *out);
    const rsim_spec_rollout *ro = e->rollout;
    out->now = rsim_engine_now(e);
    snprintf(out->name, sizeof out->name, "%s", ro_name(e));
    snprintf(out->namespace_, sizeof out->namespace_, "%s",
             ro && ro->namespace_ && ro->namespace_[0] ? ro->namespace_ : "default");
    const char *image = rsim_engine_control_image(e);
    fill_rs(e, out, image ? image : e->obj.image);
    fill_runs(e, out);
    fill_status(e, out);
}

void rsim_engine_view_fini(rsim_rollout_view *v)
{
    if (!v) {
        return;
    }
    free(v->rs);
    free(v->pods);
    free(v->runs);
    memset(v, 0, sizeof *v);
}

rsim_time rsim_engine_tick(const rsim_engine *e)
{
    return e->world->tick;
}
