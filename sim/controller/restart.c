/* restart.c - pod restarts (§14.6, rollout/restart.go): when spec.restartAt is reached, the pods
 * created before it are evicted a few at a time, stable ReplicaSet first, then the new one, then
 * the others oldest first; their ReplicaSets create replacements. The world reports, per RS, how
 * many of its pods not being deleted are older than restartAt (rsim_ctl_rs.restart_old); an
 * eviction is an RSIM_CTL_FX_POD_EVICT effect. When none remain, status.restartedAt =
 * spec.restartAt. Start at rsim_controller_restart_pods. */
#include <string.h>

#include "controller_int.h"

bool rsim_controller_needs_restart(const rsim_ctl_state *st, rsim_time now)
{
    return st->restart_at >= 0 && st->status.restarted_at != st->restart_at &&
           now >= st->restart_at;
}

/* maxUnavailable as the restarter reads it (replicasetutil.MaxUnavailable). */
static int32_t max_unavailable(const rsim_ctl_pass *p)
{
    if (p->spec->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        return rsim_controller_bg_max_unavailable(&p->spec->blue_green.max_unavailable, p->n);
    }
    int32_t surge = 0, unavailable = 0;
    rsim_controller_canary_surge_unavailable(
        &p->spec->canary.max_surge, &p->spec->canary.max_unavailable, p->n, &surge, &unavailable);
    return unavailable;
}

/* Restart priority (SortReplicaSetsByPriority): stable, new, then by creation order. */
static int priority(const rsim_ctl_pass *p, const rsim_ctl_rs *rs)
{
    if (p->stable_rs == rs) {
        return 0;
    }
    return p->new_rs == rs ? 1 : 2;
}

static bool restarts_before(const rsim_ctl_pass *p, const rsim_ctl_rs *a, const rsim_ctl_rs *b)
{
    int pa = priority(p, a), pb = priority(p, b);
    return pa != pb ? pa < pb : a->created_seq < b->created_seq;
}

int32_t rsim_controller_restart_pods(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    if (st->restart_at > p->now && st->status.restarted_at != st->restart_at) {
        rsim_controller_requeue(p, st->restart_at); /* checkEnqueueRollout */
        return 0;
    }
    if (!rsim_controller_needs_restart(st, p->now)) {
        return 0;
    }
    int32_t available = 0, total = 0;
    rsim_ctl_rs *order[RSIM_CTL_MAX_RS];
    size_t n = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        rsim_ctl_rs *rs = &st->rs[i];
        available += rs->available;
        total += rs->spec_replicas;
        size_t j = n++;
        while (j > 0 && restarts_before(p, rs, order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = rs;
    }
    int32_t unavailable = max_unavailable(p);
    int32_t budget =
        available - ((p->n > total ? p->n : total) - (unavailable > 1 ? unavailable : 1));
    bool pending = false;
    int32_t evicted = 0;
    for (size_t i = 0; i < n; i++) {
        const rsim_ctl_rs *rs = order[i];
        if (rs->restart_old <= 0) {
            continue;
        }
        pending = true;
        int32_t k = budget - evicted < rs->restart_old ? budget - evicted : rs->restart_old;
        if (k <= 0) {
            break;
        }
        rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_POD_EVICT);
        if (f != NULL) {
            rsim_controller_copy(f->name, sizeof f->name, rs->name);
            rsim_controller_copy(f->hash, sizeof f->hash, rs->hash);
            f->replicas = k;
            f->deadline = st->restart_at;
        }
        evicted += k;
    }
    if (!pending) {
        st->status.restarted_at = st->restart_at; /* SetRestartedAt */
        return 0;
    }
    /* restartPodCheckTime: evictions do not always change an RS's availability. */
    rsim_controller_requeue(p, p->now + RSIM_CTL_RESTART_RECHECK);
    return evicted;
}

void rsim_controller_restart_cancel(rsim_ctl_pass *p)
{
    if (rsim_controller_needs_restart(p->st, p->now)) {
        p->st->status.restarted_at = p->st->restart_at;
    }
}
