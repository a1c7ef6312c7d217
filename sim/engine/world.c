/* world.c - the world of a run: the cluster and the traffic over it, the per-tick time series,
 * and the world actions of the operator timeline (a new template's ReplicaSet, scale,
 * setWeight). The Rollout's first revision is running when the run starts: its pods are
 * available and serving at t = 0, as in a cluster in steady state. With a controller
 * (control.c) the controller names and creates the ReplicaSets; without one (a scenario driven
 * by hand) they are made here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* A pod-template hash in Kubernetes' alphabet (no vowels, no look-alikes), derived from the
 * Rollout's name and the image. rollsim need not reproduce Go's hash of the whole template: the
 * hash only has to name one template consistently within a run. */
static void make_hash(const char *rollout, const char *image, char out[11])
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char key[512];
    snprintf(key, sizeof(key), "%s/%s", rollout, image);
    uint64_t h = rsim_util_hash64(key, strlen(key));
    for (int i = 0; i < 10; i++) {
        out[i] = alphabet[h % (sizeof(alphabet) - 1)];
        h /= sizeof(alphabet) - 1;
        if (h == 0) {
            h = rsim_util_hash64(out, (size_t)i + 1);
        }
    }
    out[10] = '\0';
}

/* The ReplicaSet running `image`, created at 0 replicas (as the controller creates a new
 * template's ReplicaSet, §18 step 4) when absent. */
static uint32_t rs_for_image(rsim_engine *e, const char *image, int64_t revision)
{
    uint32_t rs = rsim_cluster_find_rs_by_image(e->cluster, image);
    if (rs != RSIM_CLUSTER_NO_RS) {
        return rs;
    }
    char hash[11];
    make_hash(e->rollout ? e->rollout->name : "rollout", image, hash);
    if (revision <= 0) {
        revision = (int64_t)rsim_cluster_rs_count(e->cluster) + 1;
    }
    return rsim_engine_world_add_rs(e, image, revision, hash);
}

uint32_t
rsim_engine_world_add_rs(rsim_engine *e, const char *image, int64_t revision, const char *hash)
{
    uint32_t rs = rsim_cluster_add_rs(e->cluster, image, revision, hash);
    rsim_series_prev zero = {0};
    while (e->prev.n <= rs) {
        RSIM_VEC_PUSH(e->prev, zero);
    }
    return rs;
}

/* Cluster watcher: logs each change of a pod's state (not of its serving flag). */
static void on_pod(void *arg, const rsim_pod *pod, bool after, rsim_time now)
{
    rsim_engine *e = arg;
    if (!after) {
        return;
    }
    while (e->pod_logged.n <= pod->id) {
        RSIM_VEC_PUSH(e->pod_logged, (int8_t)-1);
    }
    if (e->pod_logged.items[pod->id] == (int8_t)pod->state) {
        return;
    }
    e->pod_logged.items[pod->id] = (int8_t)pod->state;
    rsim_log_entry entry;
    memset(&entry, 0, sizeof(entry));
    entry.t = now;
    entry.kind = RSIM_LOG_POD;
    entry.pod_state = pod->state;
    entry.pod_rs = pod->rs;
    const rsim_cluster_rs *r = rsim_cluster_rs_at(e->cluster, pod->rs);
    entry.image = r->image;
    entry.revision = r->revision;
    snprintf(entry.pod, sizeof(entry.pod), "%s", pod->name);
    RSIM_VEC_PUSH(e->result.log, entry);
}

/* Appends one row of the time series for (last_sample, now]. */
static void sample(rsim_engine *e, rsim_time now)
{
    rsim_traffic_observe(e->traffic, now);
    rsim_series_row row;
    memset(&row, 0, sizeof(row));
    row.t = now;
    row.first_cell = e->result.cells.n;
    row.n_cells = rsim_cluster_rs_count(e->cluster);
    for (uint32_t rs = 0; rs < row.n_cells; rs++) {
        const rsim_traffic_rev *tr = rsim_traffic_rev_at(e->traffic, rs);
        const rsim_cluster_rs *cr = rsim_cluster_rs_at(e->cluster, rs);
        rsim_series_prev *p = &e->prev.items[rs];
        rsim_series_cell cell;
        memset(&cell, 0, sizeof(cell));
        cell.requests = tr->requests - p->requests;
        cell.failures = tr->failures - p->failures;
        cell.fault_failures = tr->fault_failures - p->fault_failures;
        cell.share = rsim_traffic_share(e->traffic, rs);
        for (int s = 0; s < RSIM_POD_GONE; s++) {
            cell.pods[s] = (int32_t)cr->n_by_state[s];
        }
        cell.serving = (int32_t)cr->n_serving;
        p->requests = tr->requests;
        p->failures = tr->failures;
        p->fault_failures = tr->fault_failures;
        row.requests += cell.requests;
        row.failures += cell.failures;
        row.fault_failures += cell.fault_failures;
        RSIM_VEC_PUSH(e->result.cells, cell);
    }
    rsim_time span = now - e->last_sample;
    row.rate_rps = span > 0 ? (double)row.requests * 1000.0 / (double)span : 0.0;
    e->last_sample = now;
    RSIM_VEC_PUSH(e->result.rows, row);
}

/* Event: one tick of the time series; schedules the next one inside the run. */
static void on_tick(rsim_evq *q, void *arg)
{
    rsim_engine *e = arg;
    rsim_time now = rsim_evq_now(q);
    sample(e, now);
    rsim_time next = now + e->world->tick;
    if (next <= e->world->duration) {
        rsim_evq_schedule(q, next, RSIM_PHASE_SAMPLE, on_tick, e);
    }
}

void rsim_engine_world_init(rsim_engine *e)
{
    const rsim_spec_world *w = e->world;
    e->cluster = rsim_cluster_new(w, e->rollout, e->q, e->seed, e->replication);
    e->stable_rs = RSIM_CLUSTER_NO_RS;
    rsim_engine_control_init(e);
    if (e->control == NULL && e->rollout && e->obj.image[0]) {
        e->stable_rs = rs_for_image(e, e->obj.image, 1);
        int64_t replicas = e->rollout->replicas.value;
        rsim_cluster_scale_rs_ready(e->cluster, e->stable_rs, replicas);
    }
    /* Pods are logged from here on: the running revision's pods are the initial state (counted
     * in the time series), not events. */
    rsim_cluster_watch(e->cluster, on_pod, e);
    e->traffic = rsim_traffic_new(w, e->rollout, e->cluster, e->q, e->seed, e->replication);
    if (e->rollout && e->stable_rs != RSIM_CLUSTER_NO_RS) {
        if (e->rollout->strategy == RSIM_STRATEGY_BLUE_GREEN) {
            rsim_traffic_set_active(e->traffic, e->stable_rs, 0);
        } else if (e->rollout->canary.traffic_routing.set) {
            rsim_traffic_set_weight(e->traffic, e->stable_rs, e->stable_rs, 0, 0);
        }
    }
    e->last_sample = 0;
    if (w->tick > 0 && w->tick <= w->duration) {
        rsim_evq_schedule(e->q, w->tick, RSIM_PHASE_SAMPLE, on_tick, e);
    }
}

void rsim_engine_world_fini(rsim_engine *e)
{
    rsim_traffic_free(e->traffic);
    rsim_cluster_free(e->cluster);
    free(e->prev.items);
    free(e->pod_logged.items);
}

void rsim_engine_world_apply(rsim_engine *e, const rsim_spec_action *a, rsim_time now)
{
    switch (a->kind) {
    case RSIM_OP_SET_IMAGE:
    case RSIM_OP_UNDO:
        /* A new template: its ReplicaSet exists from now, at 0 replicas until scaled. */
        (void)rs_for_image(e, e->obj.image, e->obj.revision);
        break;
    case RSIM_OP_SCALE:
        rsim_cluster_scale_rs(e->cluster, rs_for_image(e, a->image, 0), a->replicas);
        break;
    case RSIM_OP_SET_WEIGHT: {
        /* The action's weight is a percentage; the router counts in maxTrafficWeight units. */
        const rsim_spec_opt_int *max = &e->rollout->canary.traffic_routing.max_weight;
        int64_t w_max = max->value > 0 ? max->value : 100;
        uint32_t canary = rs_for_image(e, a->image, 0);
        rsim_traffic_set_weight(e->traffic, e->stable_rs, canary, a->weight * w_max / 100, now);
        break;
    }
    default:
        break;
    }
}

void rsim_engine_world_finish(rsim_engine *e, rsim_time now)
{
    if (e->result.rows.n == 0 || e->result.rows.items[e->result.rows.n - 1].t < now) {
        sample(e, now);
    }
}
