/* canary.c - the canary pass, §18 steps 9-15 (rollout/canary.go rolloutCanary): template/steps
 * change reset (§14.8), service selectors, traffic routing (§9), analysis runs (§15), RS scaling
 * (§10.4 with §7/§8 targets, abort delays §12.2, old RS scale-down §10), the pause step (§11.2)
 * and the status step: promotion (§11.1), abort handling (§12), step completion (§5), then
 * conditions and phase (§17). Pod restarts (§14.6) are in restart.c. */
#include <string.h>

#include "controller_int.h"

static int32_t cur_index(const rsim_ctl_status *s)
{
    return s->current_step_index < 0 ? 0 : s->current_step_index;
}

/* The current step (GetCurrentCanaryStep), or NULL without steps or past the end. */
static const rsim_spec_canary_step *current_step(const rsim_ctl_pass *p, const rsim_ctl_status *s)
{
    const rsim_spec_canary *c = &p->spec->canary;
    int32_t idx = cur_index(s);
    if (c->n_steps == 0 || (size_t)idx >= c->n_steps) {
        return NULL;
    }
    return &c->steps[idx];
}

static rsim_ctl_rsn rsn_of(const rsim_ctl_rs *rs)
{
    rsim_ctl_rsn r = {false, 0, 0, 0};
    if (rs != NULL) {
        r.exists = true;
        r.spec = rs->spec_replicas;
        r.available = rs->available;
        r.replicas = rs->replicas;
    }
    return r;
}

static bool traffic_routed(const rsim_ctl_pass *p)
{
    return p->spec->canary.traffic_routing.set;
}

static bool fully_promoted(const rsim_ctl_status *s)
{
    return s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0;
}

/* §7 / §8 targets for the canary (new) and stable RSs from the given RS views and weights. */
static void targets(const rsim_ctl_pass *p,
                    const rsim_ctl_rsn *canary,
                    const rsim_ctl_rsn *stable,
                    int32_t older_spec,
                    const rsim_ctl_weights *w,
                    int32_t *c,
                    int32_t *s)
{
    const rsim_spec_canary *cs = &p->spec->canary;
    rsim_ctl_desired d = rsim_controller_canary_replicas_or_weight(p->spec, &p->st->status);
    if (traffic_routed(p)) {
        rsim_ctl_tr_in in;
        memset(&in, 0, sizeof in);
        in.n = p->n;
        in.wmax = rsim_controller_wmax(p->spec);
        in.has_scale_replicas = d.has_replicas;
        in.scale_replicas = d.replicas;
        in.weight = d.weight;
        in.dynamic = cs->dynamic_stable_scale;
        in.abort = p->st->status.abort;
        in.has_weights = w != NULL && w->set;
        in.recorded_canary = w != NULL ? w->canary : 0;
        in.recorded_stable = w != NULL ? w->stable : 0;
        in.min_pods =
            cs->min_pods_per_replica_set.set ? (int32_t)cs->min_pods_per_replica_set.value : 0;
        rsim_controller_tr_counts(&in, c, s);
        return;
    }
    rsim_ctl_basic_in in;
    memset(&in, 0, sizeof in);
    in.n = p->n;
    in.weight = d.weight;
    in.wmax = 100;
    rsim_controller_canary_surge_unavailable(&cs->max_surge, &cs->max_unavailable, p->n, &in.surge,
                                             &in.unavailable);
    in.canary = *canary;
    in.stable = *stable;
    in.older_spec = older_spec;
    rsim_controller_basic_counts(&in, c, s);
}

/* Targets from the live RSs. */
static void live_targets(const rsim_ctl_pass *p, const rsim_ctl_weights *w, int32_t *c, int32_t *s)
{
    rsim_ctl_rsn canary = rsn_of(p->new_rs);
    rsim_ctl_rsn stable = rsn_of(p->stable_rs != p->new_rs ? p->stable_rs : NULL);
    int32_t older = 0;
    for (size_t i = 0; i < p->st->n_rs; i++) {
        const rsim_ctl_rs *rs = &p->st->rs[i];
        if (rs != p->new_rs && rs != p->stable_rs) {
            older += rs->spec_replicas;
        }
    }
    targets(p, &canary, &stable, older, w, c, s);
}

/* §7.6 on the RS objects as they were when the pass started (§5.10). */
static bool at_desired_pre(const rsim_ctl_pass *p)
{
    const rsim_ctl_rs *nrs = p->new_rs != NULL ? rsim_controller_pre_rs(p, p->new_rs->hash) : NULL;
    const rsim_ctl_rs *srs = (p->stable_rs != NULL && p->stable_rs != p->new_rs)
                                 ? rsim_controller_pre_rs(p, p->stable_rs->hash)
                                 : NULL;
    rsim_ctl_rsn canary = rsn_of(nrs), stable = rsn_of(srs);
    int32_t older_spec = 0, older_avail = 0;
    for (size_t i = 0; i < p->n_pre; i++) {
        const rsim_ctl_rs *rs = &p->pre[i];
        if (rs != nrs && rs != srs) {
            older_spec += rs->spec_replicas;
            older_avail += rs->available;
        }
    }
    int32_t c, s;
    targets(p, &canary, &stable, older_spec, &p->prev.weights, &c, &s);
    return rsim_controller_at_desired(traffic_routed(p), p->spec->canary.dynamic_stable_scale,
                                      &p->spec->canary, &canary, c, &stable, s, older_avail);
}

/* §14.8: the reconcile that sees a new template or step list only resets status. */
static bool reset_if_changed(rsim_ctl_pass *p)
{
    rsim_ctl_status *s = &p->st->status;
    char step_hash[RSIM_CTL_NAMEMAX];
    rsim_controller_step_hash(p->spec, step_hash);
    if (strcmp(s->current_pod_hash, p->new_rs->hash) == 0 &&
        strcmp(s->current_step_hash, step_hash) == 0) {
        return false;
    }
    int32_t len = (int32_t)p->spec->canary.n_steps;
    rsim_controller_copy(s->current_pod_hash, sizeof s->current_pod_hash, p->new_rs->hash);
    rsim_controller_copy(s->current_step_hash, sizeof s->current_step_hash, step_hash);
    s->current_step_index = len > 0 ? 0 : -1;
    s->n_pause = 0;
    s->abort = false;
    s->promote_full = false;
    for (size_t i = 0; i < p->st->n_ars; i++) {
        p->st->ars[i].current = false; /* analysis statuses cleared */
    }
    if (s->stable_rs[0] != '\0' && strcmp(s->stable_rs, p->new_rs->hash) == 0 && len > 0) {
        rsim_controller_event(p, "SkipSteps", "Rollback to stable");
        s->current_step_index = len;
    }
    rsim_controller_status_counts(p, NULL);
    rsim_controller_persist(p, false, false);
    return true;
}

/* ---- services and traffic (§9) ---- */

static void reconcile_services(rsim_ctl_pass *p)
{
    const rsim_spec_canary *c = &p->spec->canary;
    rsim_ctl_state *st = p->st;
    if (p->stable_rs == NULL) {
        return;
    }
    if (c->stable_service[0] != '\0' && p->stable_rs->available > 0) {
        rsim_controller_select_service(p, st->svc_stable, c->stable_service, p->stable_rs->hash);
    }
    if (c->canary_service[0] != '\0') {
        if (!traffic_routed(p) && st->status.abort) {
            rsim_controller_select_service(p, st->svc_canary, c->canary_service,
                                           p->stable_rs->hash); /* §12.1 */
        } else if (p->new_rs != NULL && p->new_rs->available > 0) {
            rsim_controller_select_service(p, st->svc_canary, c->canary_service, p->new_rs->hash);
        }
    }
}

static void remove_routes(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    for (size_t i = 0; i < st->n_routes; i++) {
        rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_ROUTE_REMOVE);
        if (f != NULL) {
            rsim_controller_copy(f->name, sizeof f->name, st->routes[i].name);
        }
    }
    st->n_routes = 0;
}

static void set_route(rsim_ctl_pass *p, const char *name, bool mirror, int32_t step, bool remove)
{
    rsim_ctl_state *st = p->st;
    for (size_t i = 0; i < st->n_routes; i++) {
        if (strcmp(st->routes[i].name, name) == 0) {
            if (remove) {
                rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_ROUTE_REMOVE);
                if (f != NULL) {
                    rsim_controller_copy(f->name, sizeof f->name, name);
                }
                st->routes[i] = st->routes[--st->n_routes];
            } else if (st->routes[i].step != step) {
                st->routes[i].step = step;
                rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_ROUTE_SET);
                if (f != NULL) {
                    rsim_controller_copy(f->name, sizeof f->name, name);
                    f->step = step;
                    f->mirror = mirror;
                }
            }
            return;
        }
    }
    if (remove || st->n_routes >= RSIM_CTL_MAX_ROUTES) {
        return;
    }
    rsim_ctl_route *r = &st->routes[st->n_routes++];
    rsim_controller_copy(r->name, sizeof r->name, name);
    r->mirror = mirror;
    r->step = step;
    rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_ROUTE_SET);
    if (f != NULL) {
        rsim_controller_copy(f->name, sizeof f->name, name);
        f->step = step;
        f->mirror = mirror;
    }
}

/* The setWeight before the current step (search from idx-1 back to 0; 0 if none). */
static int32_t previous_set_weight(const rsim_ctl_pass *p, int32_t idx)
{
    const rsim_spec_canary *c = &p->spec->canary;
    for (int32_t i = idx - 1; i >= 0; i--) {
        if (c->steps[i].types & RSIM_STEP_SET_WEIGHT) {
            return (int32_t)c->steps[i].set_weight;
        }
    }
    return 0;
}

static void reconcile_traffic(rsim_ctl_pass *p)
{
    if (!traffic_routed(p)) {
        return;
    }
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    const rsim_spec_canary *c = &p->spec->canary;
    int32_t wmax = rsim_controller_wmax(p->spec);
    int32_t n = p->n;
    const rsim_ctl_rs *nrs = p->new_rs, *srs = p->stable_rs;
    rsim_ctl_weights *w = &s->weights;
    int32_t desired = 0;
    bool drop_routes = false, canary_svc_to_stable = false;
    if (fully_promoted(s) && c->dynamic_stable_scale && w->set &&
        strcmp(w->canary_hash, nrs->hash) != 0 && nrs->available < n) {
        desired = w->canary; /* case 1, §23 E2: hold until the stable is back */
    } else if (fully_promoted(s)) {
        desired = 0; /* case 2 */
        drop_routes = true;
    } else if (s->abort) { /* case 3 */
        if (c->dynamic_stable_scale) {
            bool explicit_delay =
                c->abort_scale_down_delay.set && c->abort_scale_down_delay.value > 0;
            int32_t walk = rsim_controller_abort_walk_weight(
                p->spec, n, srs != NULL ? srs->available : 0, nrs->available, explicit_delay);
            desired = rsim_controller_abort_weight(wmax, n, walk, srs != NULL ? srs->available : 0,
                                                   w->set, w->canary);
        }
        canary_svc_to_stable = desired == 0;
    } else if (nrs->available == 0) {
        desired = 0; /* case 4 */
        drop_routes = true;
    } else if (s->promote_full) { /* case 5 */
        desired = c->dynamic_stable_scale ? wmax * nrs->available / n : (w->set ? w->canary : 0);
    } else if (c->n_steps > 0) { /* case 6 */
        int32_t idx = cur_index(s);
        if ((size_t)idx >= c->n_steps) {
            desired = wmax;
        } else {
            int32_t tc, ts;
            live_targets(p, w, &tc, &ts);
            rsim_ctl_rsn cn = rsn_of(nrs);
            rsim_ctl_rsn sn = rsn_of(srs);
            bool at =
                rsim_controller_at_desired(true, c->dynamic_stable_scale, c, &cn, tc, &sn, ts, 0);
            desired =
                at ? rsim_controller_current_set_weight(p->spec, s) : previous_set_weight(p, idx);
        }
    } /* no steps: 0 for the whole update (§23 I5) */

    /* The guard (§9, §23 I6): not enough stable pods → no traffic work at all this pass. */
    if (srs == NULL || !rsim_controller_weight_guard_ok(c, wmax, n, desired, srs->available)) {
        return;
    }
    if (drop_routes) {
        remove_routes(p);
    } else {
        const rsim_spec_canary_step *step = current_step(p, s);
        if (step != NULL && nrs->revision > 1 && !s->abort) {
            int32_t idx = cur_index(s);
            if (step->types & RSIM_STEP_SET_HEADER_ROUTE) {
                set_route(p, step->header_route.name, false, idx, step->header_route.n_match == 0);
            }
            if (step->types & RSIM_STEP_SET_MIRROR_ROUTE) {
                set_route(p, step->mirror_route.name, true, idx, step->mirror_route.n_match == 0);
            }
        }
    }
    const char *stable_hash = srs->hash;
    if (!w->set || w->canary != desired || strcmp(w->canary_hash, nrs->hash) != 0 ||
        strcmp(w->stable_hash, stable_hash) != 0) {
        if (!w->set || w->canary != desired) {
            rsim_controller_event(p, "TrafficWeightUpdated", "Traffic weight updated from %d to %d",
                                  w->set ? w->canary : 0, desired);
        }
        w->set = true;
        w->canary = desired;
        w->stable = wmax - desired;
        rsim_controller_copy(w->canary_hash, sizeof w->canary_hash, nrs->hash);
        rsim_controller_copy(w->stable_hash, sizeof w->stable_hash, stable_hash);
    }
    if (st->router_canary_weight != desired || st->router_stable_weight != wmax - desired) {
        st->router_canary_weight = desired;
        st->router_stable_weight = wmax - desired;
        rsim_ctl_fx *f = rsim_controller_fx_add(p, RSIM_CTL_FX_WEIGHT);
        if (f != NULL) {
            f->replicas = desired;
            f->prev = wmax - desired;
            rsim_controller_copy(f->hash, sizeof f->hash, nrs->hash);
            rsim_controller_copy(f->stable_hash, sizeof f->stable_hash, stable_hash);
        }
    }
    if (canary_svc_to_stable && c->canary_service[0] != '\0') {
        rsim_controller_select_service(p, st->svc_canary, c->canary_service, stable_hash);
    }
}

/* ---- analysis (§15) ---- */

static void check_outcome(rsim_ctl_pass *p, const rsim_ctl_ar *ar)
{
    rsim_ctl_status *s = &p->st->status;
    if (ar == NULL) {
        return;
    }
    if (ar->phase == RSIM_ANALYSIS_FAILED || ar->phase == RSIM_ANALYSIS_ERROR) {
        rsim_controller_raise_abort(p, ar->message);
    } else if (ar->phase == RSIM_ANALYSIS_INCONCLUSIVE && !s->controller_pause &&
               !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS)) {
        rsim_controller_add_pause(p, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS);
        p->inconclusive_added = true;
    }
}

static void reconcile_analysis(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    const rsim_spec_canary *c = &p->spec->canary;
    /* §15.6: nothing for initial deploy, fully promoted, aborted, promoteFull. */
    if (s->stable_rs[0] == '\0' || fully_promoted(s) || s->abort || s->promote_full) {
        rsim_controller_terminate_all_ars(p);
        return;
    }
    int32_t idx = cur_index(s);
    const rsim_spec_canary_step *step = current_step(p, s);
    bool retry = p->prev.aborted_at >= 0;
    bool step_pause = rsim_controller_has_pause(s, RSIM_CTL_PAUSE_CANARY_STEP);
    bool halted = rsim_controller_has_pause(s, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS);
    /* Runs for another step or another revision are terminated. */
    for (size_t i = 0; i < st->n_ars; i++) {
        rsim_ctl_ar *ar = &st->ars[i];
        if (!ar->current) {
            continue;
        }
        if (strcmp(ar->pod_hash, p->new_rs->hash) != 0 ||
            (ar->kind == RSIM_CTL_AR_STEP &&
             (ar->step_index != idx || step == NULL || !(step->types & RSIM_STEP_ANALYSIS)))) {
            rsim_controller_terminate_ar(p, ar);
        }
    }
    rsim_ctl_ar *sar = NULL;
    if (step != NULL && (step->types & RSIM_STEP_ANALYSIS)) {
        sar = rsim_controller_current_ar(st, RSIM_CTL_AR_STEP, idx);
        bool resumed = sar != NULL && sar->phase == RSIM_ANALYSIS_INCONCLUSIVE &&
                       s->controller_pause && !step_pause && !halted;
        if (sar != NULL && (retry || resumed)) { /* §15.5 */
            rsim_controller_terminate_ar(p, sar);
            sar = NULL;
        }
        if (sar == NULL && s->n_pause == 0) {
            sar = rsim_controller_create_ar(p, RSIM_CTL_AR_STEP, idx, &step->analysis);
        }
    }
    rsim_ctl_ar *bar = NULL;
    if (c->background.set) {
        int32_t at = c->n_steps == 0 ? 0 : idx;
        bar = rsim_controller_current_ar(st, RSIM_CTL_AR_BACKGROUND, -1);
        if (c->n_steps == 0 || at >= c->background_starting_step) {
            bool resumed = bar != NULL && bar->phase == RSIM_ANALYSIS_INCONCLUSIVE &&
                           s->controller_pause && !step_pause && !halted;
            if (bar != NULL && (retry || resumed)) {
                rsim_controller_terminate_ar(p, bar);
                bar = NULL;
            }
            if (bar == NULL && !halted) {
                bar = rsim_controller_create_ar(p, RSIM_CTL_AR_BACKGROUND, -1, &c->background);
            }
        }
    }
    check_outcome(p, sar);
    check_outcome(p, bar);
}

/* ---- ReplicaSets (§10.4) ---- */

typedef struct olds_ctx {
    rsim_ctl_pass *p;
    rsim_ctl_rs **rs;
    int64_t annotated;
} olds_ctx;

static int32_t old_desired(void *arg, size_t i)
{
    olds_ctx *o = arg;
    const rsim_spec_canary *c = &o->p->spec->canary;
    if (c->dynamic_stable_scale) {
        return 0; /* §10.3: the previous stable goes at once */
    }
    int64_t limit = c->scale_down_delay_revision_limit.set
                        ? c->scale_down_delay_revision_limit.value
                        : INT64_MAX;
    return rsim_controller_scale_down_delay(o->p, o->rs[i], &o->annotated,
                                            c->scale_down_delay.value, limit);
}

/* §10.1-§10.3 for the RSs that are neither new nor stable. */
static bool scale_down_olds(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_rs *olds[RSIM_CTL_MAX_RS];
    size_t n = 0;
    int32_t total_available = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        rsim_ctl_rs *rs = &st->rs[i];
        total_available += rs->available;
        if (rs != p->new_rs && rs != p->stable_rs && rs->spec_replicas > 0) {
            olds[n++] = rs;
        }
    }
    if (n == 0) {
        return false;
    }
    /* newest revision first */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && olds[j]->revision > olds[j - 1]->revision; j--) {
            rsim_ctl_rs *t = olds[j];
            olds[j] = olds[j - 1];
            olds[j - 1] = t;
        }
    }
    rsim_ctl_rsn v[RSIM_CTL_MAX_RS];
    bool skip[RSIM_CTL_MAX_RS];
    for (size_t i = 0; i < n; i++) {
        v[i] = rsn_of(olds[i]);
        skip[i] = rsim_controller_is_referenced(p, olds[i]);
    }
    int32_t surge, unav;
    const rsim_spec_canary *c = &p->spec->canary;
    rsim_controller_canary_surge_unavailable(&c->max_surge, &c->max_unavailable, p->n, &surge,
                                             &unav);
    olds_ctx ctx = {p, olds, 0};
    rsim_controller_scale_down_old(p->n, unav, total_available, n, v, skip,
                                   traffic_routed(p) ? old_desired : NULL, &ctx);
    bool scaled = false;
    for (size_t i = 0; i < n; i++) {
        scaled |= rsim_controller_scale_rs(p, olds[i], v[i].spec);
    }
    return scaled;
}

static bool delay_scale_down_on_abort(const rsim_ctl_pass *p)
{
    const rsim_spec_canary *c = &p->spec->canary;
    if (!rsim_controller_is_aborting(p) || p->stable_rs == NULL || !traffic_routed(p)) {
        return false;
    }
    if (c->abort_scale_down_delay.set && c->abort_scale_down_delay.value == 0) {
        return false; /* explicit 0: no delay (§23 E4) */
    }
    if (c->dynamic_stable_scale && !c->abort_scale_down_delay.set) {
        return false;
    }
    return true;
}

static bool reconcile_replica_sets(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    const rsim_spec_canary *c = &p->spec->canary;
    if (st->paused ||
        rsim_controller_has_pause(&st->status, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS) ||
        rsim_controller_has_pause(&st->status, RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT)) {
        return false; /* §10.4, §11.3, §11.5 */
    }
    bool delay = delay_scale_down_on_abort(p);
    if (p->new_rs != NULL && !delay) {
        rsim_controller_annotate_deadline(p, p->new_rs, -1);
    }
    if (p->stable_rs != NULL && p->stable_rs != p->new_rs) {
        rsim_controller_annotate_deadline(p, p->stable_rs, -1);
    }
    int32_t tc, ts;
    if (p->stable_rs != NULL && p->stable_rs != p->new_rs) {
        live_targets(p, &p->prev.weights, &tc, &ts); /* stable lags the weights (§8.4) */
        if (rsim_controller_scale_rs(p, p->stable_rs, ts)) {
            return true;
        }
    }
    if (p->new_rs != NULL) {
        live_targets(p, &st->status.weights, &tc, &ts); /* same-pass weights (§23 I4) */
        bool scale = true;
        if (delay) {
            rsim_ctl_rs *nrs = p->new_rs;
            if (nrs->scale_down_deadline >= 0) {
                if (nrs->scale_down_deadline > p->now) {
                    rsim_controller_requeue(p, nrs->scale_down_deadline);
                    scale = false;
                } else {
                    tc = 0;
                }
            } else {
                if (p->stable_rs->available == p->n) {
                    rsim_time d = c->abort_scale_down_delay.value;
                    rsim_controller_annotate_deadline(p, nrs, rsim_controller_stamp(p, p->now + d));
                    rsim_controller_requeue(p, nrs->scale_down_deadline);
                }
                scale = false; /* kept up until annotated (§12.2) */
            }
        }
        if (scale && rsim_controller_scale_rs(p, p->new_rs, tc)) {
            return true;
        }
    }
    return scale_down_olds(p);
}

/* ---- pause step (§11.2, §5.2-5.3) ---- */

static void reconcile_pause(rsim_ctl_pass *p)
{
    rsim_ctl_status *s = &p->st->status;
    if (p->st->paused || s->promote_full) {
        return;
    }
    const rsim_spec_canary_step *step = current_step(p, s);
    if (step == NULL || !(step->types & RSIM_STEP_PAUSE)) {
        return;
    }
    const rsim_ctl_pause_cond *cond = rsim_controller_find_pause(s, RSIM_CTL_PAUSE_CANARY_STEP);
    if (cond == NULL) {
        if (!s->controller_pause) {
            rsim_controller_add_pause(p, RSIM_CTL_PAUSE_CANARY_STEP);
            cond = rsim_controller_find_pause(s, RSIM_CTL_PAUSE_CANARY_STEP);
        }
    }
    if (cond != NULL && step->pause.set) {
        /* Completion needs now strictly after start + d: wake 1 ms past it. */
        rsim_controller_requeue(p, cond->start_time + step->pause.value + 1);
    }
}

/* ---- status (§18 step 15) ---- */

static void step_string(const rsim_spec_canary_step *s, char *out, size_t cap)
{
    if (s->types & RSIM_STEP_SET_WEIGHT) {
        rsim_controller_fmt(out, cap, "setWeight: %lld", (long long)s->set_weight);
    } else if (s->types & RSIM_STEP_PAUSE) {
        if (!s->pause.set) {
            rsim_controller_copy(out, cap, "pause");
        } else {
            long long sec = (long long)(s->pause.value / RSIM_SEC(1));
            if (sec > 0 && sec % 3600 == 0) {
                rsim_controller_fmt(out, cap, "pause: %lldh", sec / 3600);
            } else if (sec > 0 && sec % 60 == 0) {
                rsim_controller_fmt(out, cap, "pause: %lldm", sec / 60);
            } else {
                rsim_controller_fmt(out, cap, "pause: %llds", sec);
            }
        }
    } else if (s->types & RSIM_STEP_EXPERIMENT) {
        rsim_controller_copy(out, cap, "experiment");
    } else if (s->types & RSIM_STEP_ANALYSIS) {
        rsim_controller_copy(out, cap, "analysis");
    } else if (s->types & RSIM_STEP_SET_CANARY_SCALE) {
        rsim_controller_copy(out, cap, "setCanaryScale");
    } else if (s->types & RSIM_STEP_SET_HEADER_ROUTE) {
        rsim_controller_copy(out, cap, "setHeaderRoute");
    } else if (s->types & RSIM_STEP_SET_MIRROR_ROUTE) {
        rsim_controller_copy(out, cap, "setMirrorRoute");
    } else {
        rsim_controller_copy(out, cap, "invalid");
    }
}

/* completedCurrentCanaryStep, on the status and RSs the pass started from. */
static bool completed_step(rsim_ctl_pass *p)
{
    if (p->st->paused) {
        return false;
    }
    const rsim_ctl_status *o = &p->prev;
    const rsim_spec_canary_step *step = current_step(p, o);
    if (step == NULL) {
        return false;
    }
    switch (step->primary) {
    case RSIM_STEP_PAUSE: {
        const rsim_ctl_pause_cond *cond = rsim_controller_find_pause(o, RSIM_CTL_PAUSE_CANARY_STEP);
        if (step->pause.set && cond != NULL && p->now > cond->start_time + step->pause.value) {
            return true;
        }
        return cond == NULL && o->controller_pause;
    }
    case RSIM_STEP_SET_CANARY_SCALE:
    case RSIM_STEP_SET_WEIGHT:
        return at_desired_pre(p);
    case RSIM_STEP_ANALYSIS: {
        const rsim_ctl_ar *ar = rsim_controller_current_ar(p->st, RSIM_CTL_AR_STEP, cur_index(o));
        return ar != NULL && ar->phase == RSIM_ANALYSIS_SUCCESSFUL;
    }
    case RSIM_STEP_EXPERIMENT:
        return rsim_controller_experiment_done(p->st, cur_index(o));
    case RSIM_STEP_SET_HEADER_ROUTE:
    case RSIM_STEP_SET_MIRROR_ROUTE:
        return true;
    default:
        return false;
    }
}

/* shouldFullPromote for canary (§11.1); "" when not. */
static const char *should_full_promote(rsim_ctl_pass *p, int32_t idx, char *buf, size_t cap)
{
    rsim_ctl_status *s = &p->st->status;
    const rsim_spec_canary *c = &p->spec->canary;
    if (s->stable_rs[0] == '\0') {
        return "Initial deploy";
    }
    if (rsim_controller_is_aborting(p)) {
        return "";
    }
    int32_t avail = p->new_rs != NULL ? p->new_rs->available : 0;
    if (avail < p->n) {
        bool thr = c->has_replica_progress_threshold && c->replica_progress_value >= 0;
        if (!thr || !rsim_controller_progress_threshold_met(c, p->n, avail)) {
            return "";
        }
    }
    if (s->promote_full) {
        return "Full promotion requested";
    }
    if (c->n_steps == 0 || (size_t)idx == c->n_steps) {
        rsim_controller_fmt(buf, cap, "Completed all %zu canary steps", c->n_steps);
        return buf;
    }
    return "";
}

static void sync_status(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    int32_t len = (int32_t)p->spec->canary.n_steps;
    rsim_controller_status_counts(p, NULL);
    int32_t idx = s->current_step_index;
    if (len > 0 && idx < 0) {
        idx = 0;
    }
    if (s->promote_full) {
        s->n_pause = 0;
        s->abort = false;
        p->abort_added = false;
        if (len > 0) {
            idx = len;
        }
    }
    char buf[RSIM_CTL_MSGMAX];
    const char *reason = should_full_promote(p, idx, buf, sizeof buf);
    if (reason[0] != '\0' && !fully_promoted(s)) {
        /* promoteStable */
        rsim_controller_copy(s->stable_rs, sizeof s->stable_rs, s->current_pod_hash);
        s->n_pause = 0;
        s->abort = false;
        p->abort_added = false;
        s->promote_full = false;
        if (len > 0) {
            idx = len;
        }
        s->current_step_index = idx;
        rsim_controller_event(p, "RolloutCompleted",
                              "Rollout completed update to revision %lld (%s): %s",
                              (long long)p->new_rs->revision, s->current_pod_hash, reason);
        rsim_controller_persist(p, false, false);
        return;
    }
    if (rsim_controller_is_aborting(p)) {
        if (len > 0) {
            s->current_step_index = fully_promoted(s) ? len : 0;
        }
        rsim_controller_persist(p, false, false);
        return;
    }
    if (completed_step(p)) {
        char what[64];
        step_string(&p->spec->canary.steps[idx], what, sizeof what);
        idx++;
        rsim_controller_event(p, "RolloutStepCompleted", "Rollout step %d/%d completed (%s)", idx,
                              len, what);
        rsim_controller_remove_pause(p, RSIM_CTL_PAUSE_CANARY_STEP);
    }
    s->current_step_index = len > 0 ? idx : -1;
    rsim_controller_persist(p, false, false);
}

void rsim_controller_canary_pass(rsim_ctl_pass *p)
{
    if (reset_if_changed(p)) {
        return; /* §18 step 9 */
    }
    if (rsim_controller_restart_pods(p) > 0) {
        return; /* §18 step 10: no scaling on availability the evictions just changed */
    }
    rsim_controller_history_cleanup(p); /* §18 step 11, §1.7 */
    reconcile_services(p);
    reconcile_traffic(p);
    rsim_controller_experiments(p);
    reconcile_analysis(p);
    if (p->inconclusive_added) {
        sync_status(p);
        return;
    }
    if (!reconcile_replica_sets(p)) {
        reconcile_pause(p);
    }
    sync_status(p);
}
