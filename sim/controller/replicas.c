/* replicas.c - the replica and weight arithmetic of reference §6-§10 as pure functions:
 * surge/unavailable resolution (§7.1), the weighted split approximation (§7.2), basic-canary
 * counts (§7.3-§7.4), traffic-routed counts (§8), the desired weight (§6), the abort weight
 * formulas (§6.4, §9), "at desired" (§7.6) and the scale-down budget of old RSs (§10).
 * Floating point is used only where upstream uses it (ceil/floor/tie/distance of weights), with
 * the same operations, so the results match bit for bit. */
#include <math.h>
#include <string.h>

#include "controller_int.h"

static int32_t imax(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t imin(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

/* ---- §7.1 ---- */

int32_t rsim_controller_resolve_up(const rsim_spec_int_or_pct *v, int32_t n)
{
    if (v == NULL || !v->set) {
        return (int32_t)((25 * (int64_t)n + 99) / 100);
    }
    if (!v->pct) {
        return (int32_t)v->value;
    }
    int64_t x = v->value * (int64_t)n;
    return (int32_t)(x >= 0 ? (x + 99) / 100 : x / 100);
}

int32_t rsim_controller_resolve_down(const rsim_spec_int_or_pct *v, int32_t n)
{
    if (v == NULL || !v->set) {
        return (int32_t)(25 * (int64_t)n / 100);
    }
    if (!v->pct) {
        return (int32_t)v->value;
    }
    return (int32_t)(v->value * (int64_t)n / 100);
}

void rsim_controller_canary_surge_unavailable(const rsim_spec_int_or_pct *surge,
                                              const rsim_spec_int_or_pct *unavailable,
                                              int32_t n,
                                              int32_t *out_surge,
                                              int32_t *out_unavailable)
{
    int32_t s = rsim_controller_resolve_up(surge, n);
    int32_t u = rsim_controller_resolve_down(unavailable, n);
    if (s == 0 && u == 0) {
        u = 1; /* resolveFenceposts */
    }
    if (n == 0) {
        u = 0;
    } else if (u > n) {
        u = n;
    }
    *out_surge = s;
    *out_unavailable = u;
}

int32_t rsim_controller_bg_max_unavailable(const rsim_spec_int_or_pct *unavailable, int32_t n)
{
    int32_t u = rsim_controller_resolve_down(unavailable, n);
    return u > n ? n : u;
}

/* ---- §7.2 ---- */

static bool tied(int32_t w, int32_t total, int32_t wmax)
{
    double ip;
    double frac = modf((double)total * ((double)w / (double)wmax), &ip);
    return frac == 0.5;
}

static double delta(int32_t w, int32_t canary, int32_t total, int32_t wmax)
{
    double actual = (double)(canary * wmax) / (double)total;
    return fabs(actual - (double)w);
}

void rsim_controller_approx_split(
    int32_t n, int32_t w, int32_t wmax, int32_t surge, int32_t *canary, int32_t *stable)
{
    if (n == 0) {
        *canary = 0;
        *stable = 0;
        return;
    }
    int32_t hi = (int32_t)ceil((double)(n * w) / (double)wmax);
    int32_t lo = (int32_t)floor((double)(n * w) / (double)wmax);
    bool zero_ok = w == wmax || w == 0 || (n == 1 && surge == 0);
    int32_t cand[4][2];
    int nc = 0;
    if (hi < n || zero_ok) {
        cand[nc][0] = hi;
        cand[nc][1] = n;
        nc++;
    }
    if (!tied(w, n, wmax) && (lo != 0 || zero_ok)) {
        cand[nc][0] = lo;
        cand[nc][1] = n;
        nc++;
    }
    if (surge > 0) {
        cand[nc][0] = hi;
        cand[nc][1] = n + 1;
        nc++;
        if (!tied(w, n + 1, wmax) && (lo != 0 || zero_ok)) {
            cand[nc][0] = lo;
            cand[nc][1] = n + 1;
            nc++;
        }
    }
    if (nc == 0) {
        *canary = 0;
        *stable = n;
        return;
    }
    int best = 0;
    double best_d = delta(w, cand[0][0], cand[0][1], wmax);
    for (int i = 1; i < nc; i++) {
        double d = delta(w, cand[i][0], cand[i][1], wmax);
        if (d < best_d) { /* strictly closer: earlier wins ties */
            best = i;
            best_d = d;
        }
    }
    *canary = cand[best][0];
    *stable = cand[best][1] - cand[best][0];
}

/* ---- §7.3 / §7.4 ---- */

static int32_t for_scale_down(const rsim_ctl_rsn *rs, bool ignore_availability)
{
    if (!rs->exists) {
        return 0;
    }
    if (rs->spec < rs->available) {
        return rs->spec;
    }
    return ignore_availability ? rs->spec : rs->available;
}

/* The correction step of §7.4: keep the pair within max_total and min_avail. */
static void adjust_within_limits(const rsim_ctl_rsn *drain,
                                 const rsim_ctl_rsn *adj,
                                 int32_t *drain_count,
                                 int32_t *adj_count,
                                 int32_t max_total,
                                 int32_t min_avail)
{
    int32_t over = imax(0, *adj_count + *drain_count - max_total);
    int32_t total_avail = 0;
    if (drain->exists) {
        total_avail += imin(drain->available, *drain_count);
    }
    if (adj->exists) {
        *adj_count -= over;
        total_avail += imin(adj->available, *adj_count);
        int32_t extra = imax(0, adj->available - *adj_count);
        int32_t need = imax(0, min_avail - total_avail);
        *adj_count += imin(extra, need);
        over = imax(0, *adj_count + *drain_count - max_total);
        *drain_count -= over;
    }
}

void rsim_controller_basic_counts(const rsim_ctl_basic_in *in, int32_t *canary, int32_t *stable)
{
    int32_t n = in->n;
    int32_t dc, ds;
    rsim_controller_approx_split(n, in->weight, in->wmax, in->surge, &dc, &ds);
    int32_t nc = in->canary.exists ? in->canary.spec : 0;
    int32_t ns = 0;
    bool scale_stable = in->stable.exists;
    if (scale_stable) {
        ns = in->stable.spec;
    } else {
        dc = n;
        ds = 0;
    }
    int32_t max_total = n + in->surge;
    int32_t total = in->older_spec + (in->canary.exists ? in->canary.spec : 0) +
                    (scale_stable ? in->stable.spec : 0);
    int32_t up = max_total - total;
    if (scale_stable && in->stable.spec < ds && up > 0) {
        if (in->stable.spec + up < ds) {
            ns = in->stable.spec + up;
            up = 0;
        } else {
            ns = ds;
            up -= ds - in->stable.spec;
        }
    }
    if (in->canary.exists && in->canary.spec < dc && up > 0) {
        nc = imin(in->canary.spec + up, dc);
    }
    if (in->older_spec > 0) {
        /* Older RSs are drained first (§10.1). */
        *canary = nc;
        *stable = ns;
        return;
    }
    int32_t min_avail = n - in->unavailable;
    bool increasing = !in->canary.exists || dc >= in->canary.spec;
    int32_t sum =
        for_scale_down(&in->canary, !increasing) + for_scale_down(&in->stable, increasing);
    if (sum > min_avail) {
        int32_t k = sum - min_avail;
        if (!increasing) {
            if (in->canary.exists && in->canary.spec > dc) {
                nc = imax(dc, in->canary.spec - k);
            }
            adjust_within_limits(&in->canary, &in->stable, &nc, &ns, max_total, min_avail);
        } else if (scale_stable) {
            if (in->stable.spec > ds) {
                ns = imax(ds, in->stable.spec - k);
            }
            adjust_within_limits(&in->stable, &in->canary, &ns, &nc, max_total, min_avail);
        }
    }
    *canary = nc;
    *stable = ns;
}

/* ---- §8 ---- */

int32_t rsim_controller_weight_to_pods(int32_t n, int32_t w, int32_t wmax)
{
    return (int32_t)ceil((double)(w * n) / (double)wmax);
}

int32_t rsim_controller_min_pods(int32_t count, int32_t min_pods, int32_t n)
{
    if (count == 0 || min_pods <= 0) {
        return count;
    }
    int32_t m = min_pods > n ? n : min_pods;
    return count > m ? count : m;
}

void rsim_controller_tr_counts(const rsim_ctl_tr_in *in, int32_t *canary, int32_t *stable)
{
    int32_t n = in->n;
    int32_t c;
    int32_t w = in->has_scale_replicas ? 0 : in->weight;
    if (in->has_scale_replicas) {
        c = in->scale_replicas;
    } else {
        c = rsim_controller_min_pods(rsim_controller_weight_to_pods(n, w, in->wmax), in->min_pods,
                                     n);
    }
    if (!in->dynamic) {
        *canary = c;
        *stable = n;
        return;
    }
    /* §8.3 / §8.4: stable from the higher of desired and recorded stable weight. */
    int32_t s = rsim_controller_weight_to_pods(n, in->wmax - w, in->wmax);
    if (in->has_weights) {
        s = imax(s, rsim_controller_weight_to_pods(n, in->recorded_stable, in->wmax));
        if (in->abort) {
            c = imax(rsim_controller_weight_to_pods(n, in->recorded_canary, in->wmax), c);
        }
    }
    *canary = rsim_controller_min_pods(c, in->min_pods, n);
    *stable = rsim_controller_min_pods(s, in->min_pods, n);
}

/* ---- §6 ---- */

int32_t rsim_controller_wmax(const rsim_spec_rollout *spec)
{
    const rsim_spec_traffic_routing *tr = &spec->canary.traffic_routing;
    if (spec->strategy == RSIM_STRATEGY_CANARY && tr->set && tr->max_weight.set &&
        tr->max_weight.value > 0) {
        return (int32_t)tr->max_weight.value;
    }
    return 100;
}

/* The current step index, 0 when unset (GetCurrentCanaryStep). */
static int32_t step_index(const rsim_ctl_status *st)
{
    return st->current_step_index < 0 ? 0 : st->current_step_index;
}

int32_t rsim_controller_current_set_weight(const rsim_spec_rollout *spec, const rsim_ctl_status *st)
{
    if (st->abort) {
        return 0;
    }
    const rsim_spec_canary *c = &spec->canary;
    int32_t idx = step_index(st);
    if (c->n_steps == 0 || (size_t)idx >= c->n_steps) {
        return rsim_controller_wmax(spec);
    }
    for (int32_t i = idx; i >= 0; i--) {
        if (c->steps[i].types & RSIM_STEP_SET_WEIGHT) {
            return (int32_t)c->steps[i].set_weight;
        }
    }
    return 0;
}

const rsim_spec_set_canary_scale *
rsim_controller_use_set_canary_scale(const rsim_spec_rollout *spec, const rsim_ctl_status *st)
{
    const rsim_spec_canary *c = &spec->canary;
    if (!c->traffic_routing.set) {
        return NULL;
    }
    if (st->abort && !(c->abort_scale_down_delay.set && c->abort_scale_down_delay.value == 0)) {
        return NULL; /* §6.3: dropped on abort unless abortScaleDownDelaySeconds is 0 */
    }
    int32_t idx = step_index(st);
    if (c->n_steps == 0 || (size_t)idx >= c->n_steps) {
        return NULL;
    }
    for (int32_t i = idx; i >= 0; i--) {
        const rsim_spec_canary_step *s = &c->steps[i];
        if (!(s->types & RSIM_STEP_SET_CANARY_SCALE)) {
            continue;
        }
        if (s->set_canary_scale.match_traffic_weight) {
            return NULL;
        }
        return &s->set_canary_scale;
    }
    return NULL;
}

rsim_ctl_desired rsim_controller_canary_replicas_or_weight(const rsim_spec_rollout *spec,
                                                           const rsim_ctl_status *st)
{
    rsim_ctl_desired d = {false, 0, 0};
    if (st->promote_full || st->stable_rs[0] == '\0' ||
        strcmp(st->current_pod_hash, st->stable_rs) == 0) {
        d.weight = rsim_controller_wmax(spec);
        return d;
    }
    const rsim_spec_set_canary_scale *scs = rsim_controller_use_set_canary_scale(spec, st);
    if (scs != NULL) {
        if (scs->replicas.set) {
            d.has_replicas = true;
            d.replicas = (int32_t)scs->replicas.value;
            return d;
        }
        if (scs->weight.set) {
            d.weight = (int32_t)scs->weight.value;
            return d;
        }
    }
    d.weight = rsim_controller_current_set_weight(spec, st);
    return d;
}

int32_t rsim_controller_abort_walk_weight(const rsim_spec_rollout *spec,
                                          int32_t n,
                                          int32_t stable_available,
                                          int32_t canary_available,
                                          bool explicit_delay)
{
    int32_t wmax = rsim_controller_wmax(spec);
    int32_t expected = n - stable_available;
    int32_t pods = explicit_delay ? expected : imax(expected, canary_available);
    const rsim_spec_canary *c = &spec->canary;
    for (size_t i = c->n_steps; i-- > 0;) {
        if (c->steps[i].types & RSIM_STEP_SET_WEIGHT) {
            int32_t w = (int32_t)c->steps[i].set_weight;
            if (rsim_controller_weight_to_pods(n, w, wmax) < pods) {
                return w;
            }
        }
    }
    return 0;
}

/* ---- §9 ---- */

int32_t rsim_controller_abort_weight(int32_t wmax,
                                     int32_t n,
                                     int32_t desired,
                                     int32_t stable_available,
                                     bool has_recorded,
                                     int32_t recorded_canary)
{
    int32_t share = n > 0 ? (int32_t)((int64_t)wmax * stable_available / n) : wmax;
    int32_t expected = imax(0, wmax - share);
    if (!has_recorded) {
        return imax(expected, desired);
    }
    if (desired <= 0) {
        return imin(expected, recorded_canary);
    }
    if (share < wmax - desired) {
        return recorded_canary;
    }
    return imin(desired, recorded_canary);
}

bool rsim_controller_progress_threshold_met(const rsim_spec_canary *c,
                                            int32_t desired,
                                            int32_t available)
{
    if (c == NULL || !c->has_replica_progress_threshold || c->replica_progress_value < 0) {
        return available >= desired;
    }
    if (c->replica_progress_type == RSIM_PROGRESS_PODS) {
        return available >= c->replica_progress_value;
    }
    if (desired == 0) {
        return true;
    }
    return (double)available / (double)desired * 100.0 >= (double)c->replica_progress_value;
}

bool rsim_controller_weight_guard_ok(
    const rsim_spec_canary *c, int32_t wmax, int32_t n, int32_t weight, int32_t stable_available)
{
    int32_t need = (int32_t)((int64_t)(wmax - weight) * n / wmax);
    if (stable_available >= need) {
        return true;
    }
    if (c != NULL && c->has_replica_progress_threshold && c->replica_progress_value >= 0) {
        return rsim_controller_progress_threshold_met(c, need, stable_available);
    }
    return false;
}

/* ---- §7.6 ---- */

bool rsim_controller_at_desired(bool traffic_routed,
                                bool dynamic,
                                const rsim_spec_canary *c,
                                const rsim_ctl_rsn *canary,
                                int32_t desired_canary,
                                const rsim_ctl_rsn *stable,
                                int32_t desired_stable,
                                int32_t older_available)
{
    if (!canary->exists || canary->spec != desired_canary) {
        return false;
    }
    bool thr = c != NULL && c->has_replica_progress_threshold && c->replica_progress_value >= 0;
    if (thr) {
        if (!rsim_controller_progress_threshold_met(c, desired_canary, canary->available)) {
            return false;
        }
    } else if (canary->available != desired_canary) {
        return false;
    }
    if (!traffic_routed || !dynamic) {
        if (!stable->exists || stable->spec != desired_stable ||
            stable->replicas != desired_stable) {
            return false;
        }
    }
    if (!traffic_routed && older_available != 0) {
        return false;
    }
    return true;
}

/* ---- §10 ---- */

int32_t rsim_controller_scale_down_old(int32_t n,
                                       int32_t unavailable,
                                       int32_t total_available,
                                       size_t n_olds,
                                       rsim_ctl_rsn *olds,
                                       const bool *skip,
                                       rsim_ctl_desired_fn *desired,
                                       void *arg)
{
    int32_t scaled = 0;
    /* Unhealthy replicas first, ignoring budgets. */
    for (size_t i = 0; i < n_olds; i++) {
        if (olds[i].spec == 0 || olds[i].spec <= olds[i].available) {
            continue;
        }
        scaled += olds[i].spec - olds[i].available;
        olds[i].spec = olds[i].available;
    }
    int32_t budget = total_available - (n - unavailable);
    if (budget <= 0) {
        return scaled;
    }
    for (size_t i = 0; i < n_olds; i++) {
        if (skip != NULL && skip[i]) {
            continue;
        }
        if (budget <= 0) {
            break;
        }
        if (olds[i].spec == 0) {
            continue;
        }
        int32_t want;
        if (desired == NULL) {
            want = olds[i].spec > budget ? olds[i].spec - budget : 0;
        } else {
            want = desired(arg, i);
        }
        if (want == olds[i].spec) {
            continue;
        }
        int32_t k = olds[i].spec - want;
        budget -= k;
        scaled += k;
        olds[i].spec = want;
    }
    return scaled;
}
