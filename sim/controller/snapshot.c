/* snapshot.c - a controller state from a snapshot of real objects (rsim_spec_snapshot): the
 * Rollout status in rsim_ctl_status terms, the owned ReplicaSets and AnalysisRuns, and the
 * service selectors and router weights the status implies. Start at
 * rsim_controller_state_from_snapshot. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller_int.h"
#include "controller_snapshot.h"

/* Copies a name into a fixed buffer; reports one that does not fit. */
static bool copy_name(char *dst, const char *src, rsim_loc loc, const char *what, rsim_diag *diag)
{
    if (strlen(src) >= RSIM_CTL_NAMEMAX) {
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, loc, NULL,
                      "%s '%s' is longer than rollsim keeps (%d characters)", what, src,
                      RSIM_CTL_NAMEMAX - 1);
        return false;
    }
    rsim_controller_copy(dst, RSIM_CTL_NAMEMAX, src);
    return true;
}

static bool pause_reason(const char *s, rsim_ctl_pause_reason *out)
{
    static const struct {
        const char *name;
        rsim_ctl_pause_reason reason;
    } map[] = {
        {"CanaryPauseStep", RSIM_CTL_PAUSE_CANARY_STEP},
        {"BlueGreenPause", RSIM_CTL_PAUSE_BLUE_GREEN},
        {"InconclusiveAnalysisRun", RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS},
        {"InconclusiveExperiment", RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(s, map[i].name) == 0) {
            *out = map[i].reason;
            return true;
        }
    }
    return false;
}

static bool cond_type(const char *s, rsim_ctl_cond_type *out)
{
    static const rsim_ctl_cond_type all[] = {
        RSIM_CTL_COND_PROGRESSING,     RSIM_CTL_COND_AVAILABLE, RSIM_CTL_COND_PAUSED,
        RSIM_CTL_COND_COMPLETED,       RSIM_CTL_COND_HEALTHY,   RSIM_CTL_COND_INVALID_SPEC,
        RSIM_CTL_COND_REPLICA_FAILURE,
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(s, rsim_controller_cond_type_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

static rsim_ctl_phase phase_of(const char *s)
{
    if (strcmp(s, "Paused") == 0) {
        return RSIM_CTL_PHASE_PAUSED;
    }
    if (strcmp(s, "Healthy") == 0) {
        return RSIM_CTL_PHASE_HEALTHY;
    }
    if (strcmp(s, "Degraded") == 0) {
        return RSIM_CTL_PHASE_DEGRADED;
    }
    return RSIM_CTL_PHASE_PROGRESSING;
}

static rsim_analysis_phase run_phase(const char *s)
{
    static const char *const names[] = {"Pending", "Running", "Successful",
                                        "Failed",  "Error",   "Inconclusive"};
    static const rsim_analysis_phase phases[] = {
        RSIM_ANALYSIS_PENDING, RSIM_ANALYSIS_RUNNING, RSIM_ANALYSIS_SUCCESSFUL,
        RSIM_ANALYSIS_FAILED,  RSIM_ANALYSIS_ERROR,   RSIM_ANALYSIS_INCONCLUSIVE,
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            return phases[i];
        }
    }
    return RSIM_ANALYSIS_PENDING; /* never reconciled yet */
}

static int32_t clamp32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

/* A cluster hash as the state names it. */
static const char *to_internal(const rsim_ctl_snapshot_map *m, const char *real)
{
    return *m->pod_hash_real && strcmp(real, m->pod_hash_real) == 0 ? m->pod_hash_internal : real;
}

static void status_from_snapshot(rsim_ctl_status *out,
                                 const rsim_spec_rollout_status *in,
                                 const rsim_ctl_snapshot_map *m)
{
    rsim_controller_copy(out->current_pod_hash, RSIM_CTL_NAMEMAX,
                         to_internal(m, in->current_pod_hash));
    rsim_controller_copy(out->stable_rs, RSIM_CTL_NAMEMAX, to_internal(m, in->stable_rs));
    rsim_controller_copy(out->current_step_hash, RSIM_CTL_NAMEMAX,
                         *in->current_step_hash ? m->step_hash_internal : "");
    out->current_step_index =
        in->current_step_index.set ? clamp32(in->current_step_index.value) : -1;
    out->abort = in->abort;
    out->aborted_at = in->aborted_at.set ? in->aborted_at.value : -1;
    out->promote_full = in->promote_full;
    out->controller_pause = in->controller_pause;
    out->n_pause = 0;
    for (size_t i = 0; i < in->n_pause_conditions && out->n_pause < RSIM_CTL_MAX_PAUSE; i++) {
        rsim_ctl_pause_reason r;
        if (pause_reason(in->pause_conditions[i].reason, &r)) {
            out->pause[out->n_pause].reason = r;
            out->pause[out->n_pause].start_time = in->pause_conditions[i].start_time;
            out->n_pause++;
        }
    }
    out->weights.set = in->has_weights;
    out->weights.canary = clamp32(in->canary_weight.weight);
    out->weights.stable = clamp32(in->stable_weight.weight);
    rsim_controller_copy(out->weights.canary_hash, RSIM_CTL_NAMEMAX,
                         to_internal(m, in->canary_weight.pod_template_hash));
    rsim_controller_copy(out->weights.stable_hash, RSIM_CTL_NAMEMAX,
                         to_internal(m, in->stable_weight.pod_template_hash));
    out->n_conditions = 0;
    for (size_t i = 0; i < in->n_conditions && out->n_conditions < RSIM_CTL_MAX_COND; i++) {
        const rsim_spec_rollout_condition *c = &in->conditions[i];
        rsim_ctl_cond_type t;
        if (!cond_type(c->type, &t)) {
            continue; /* a condition type rollsim does not track */
        }
        rsim_ctl_condition *d = &out->conditions[out->n_conditions++];
        d->type = t;
        d->status = strcmp(c->status, "True") == 0    ? RSIM_CTL_COND_TRUE
                    : strcmp(c->status, "False") == 0 ? RSIM_CTL_COND_FALSE
                                                      : RSIM_CTL_COND_UNKNOWN;
        rsim_controller_copy(d->reason, sizeof(d->reason), c->reason);
        rsim_controller_copy(d->message, sizeof(d->message), c->message);
        d->last_update = c->last_update;
        d->last_transition = c->last_transition;
    }
    out->phase = phase_of(in->phase);
    rsim_controller_copy(out->message, sizeof(out->message), in->message);
    out->restarted_at = in->restarted_at.set ? in->restarted_at.value : -1;
    rsim_controller_copy(out->blue_green.active_selector, RSIM_CTL_NAMEMAX,
                         to_internal(m, in->active_selector));
    rsim_controller_copy(out->blue_green.preview_selector, RSIM_CTL_NAMEMAX,
                         to_internal(m, in->preview_selector));
    out->blue_green.scale_up_preview_check_point = in->scale_up_preview_checkpoint;
    out->replicas = clamp32(in->replicas);
    out->updated_replicas = clamp32(in->updated_replicas);
    out->ready_replicas = clamp32(in->ready_replicas);
    out->available_replicas = clamp32(in->available_replicas);
}

/* Creation order: by revision, then creation time, then source order. */
typedef struct rs_order {
    const rsim_spec_replica_set *rs;
    size_t index;
} rs_order;

static int cmp_rs(const void *a, const void *b)
{
    const rs_order *x = a;
    const rs_order *y = b;
    int64_t rx = x->rs->revision.set ? x->rs->revision.value : 0;
    int64_t ry = y->rs->revision.set ? y->rs->revision.value : 0;
    if (rx != ry) {
        return rx < ry ? -1 : 1;
    }
    if (x->rs->created.value != y->rs->created.value) {
        return x->rs->created.value < y->rs->created.value ? -1 : 1;
    }
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

static bool add_replica_sets(rsim_ctl_state *st,
                             const rsim_spec_snapshot *snap,
                             const rsim_ctl_snapshot_map *m,
                             rsim_diag *diag)
{
    if (snap->n_replica_sets > RSIM_CTL_MAX_RS) {
        rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, snap->replica_sets[RSIM_CTL_MAX_RS].loc,
                      NULL, "more than %d ReplicaSets; rollsim keeps at most %d per Rollout",
                      RSIM_CTL_MAX_RS, RSIM_CTL_MAX_RS);
        return false;
    }
    rs_order order[RSIM_CTL_MAX_RS];
    for (size_t i = 0; i < snap->n_replica_sets; i++) {
        order[i].rs = &snap->replica_sets[i];
        order[i].index = i;
    }
    if (snap->n_replica_sets > 1) {
        qsort(order, snap->n_replica_sets, sizeof(order[0]), cmp_rs);
    }
    bool ok = true;
    for (size_t i = 0; i < snap->n_replica_sets; i++) {
        const rsim_spec_replica_set *in = order[i].rs;
        rsim_ctl_rs *rs = &st->rs[st->n_rs];
        memset(rs, 0, sizeof(*rs));
        ok = copy_name(rs->name, in->name, in->loc, "ReplicaSet name", diag) && ok;
        ok = copy_name(rs->hash, in->pod_template_hash, in->loc, "pod-template hash", diag) && ok;
        if (ok) {
            rsim_controller_copy(rs->hash, RSIM_CTL_NAMEMAX, to_internal(m, in->pod_template_hash));
        }
        if (in->matches_template) {
            rsim_controller_copy(rs->template_key, RSIM_CTL_NAMEMAX, st->template_key);
            rsim_controller_copy(rs->image, RSIM_CTL_IMAGEMAX, st->image);
        } else {
            snprintf(rs->template_key, RSIM_CTL_NAMEMAX, "rs:%.48s", in->pod_template_hash);
        }
        rs->revision = in->revision.set ? in->revision.value : 0;
        rs->created_seq = (int64_t)i;
        rs->spec_replicas = clamp32(in->replicas);
        rs->replicas = clamp32(in->status_replicas);
        rs->ready = clamp32(in->ready_replicas);
        rs->available = clamp32(in->available_replicas);
        rs->desired_replicas = in->desired_replicas.set ? clamp32(in->desired_replicas.value) : -1;
        rs->scale_down_deadline = in->scale_down_deadline.set ? in->scale_down_deadline.value : -1;
        st->n_rs++;
    }
    st->rs_created = (int64_t)st->n_rs;
    return ok;
}

static bool ar_kind(const rsim_spec_analysis_run_obj *in, rsim_ctl_ar_kind *out)
{
    static const struct {
        const char *label;
        rsim_ctl_ar_kind kind;
    } map[] = {
        {"Step", RSIM_CTL_AR_STEP},
        {"Background", RSIM_CTL_AR_BACKGROUND},
        {"PrePromotion", RSIM_CTL_AR_PRE},
        {"PostPromotion", RSIM_CTL_AR_POST},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(in->rollout_type, map[i].label) == 0) {
            *out = map[i].kind;
            return true;
        }
    }
    return false;
}

/* The analysis of the spec a run of that kind was created from (NULL when the spec no longer
 * has it). */
static const rsim_spec_rollout_analysis *
analysis_of(const rsim_spec_rollout *spec, rsim_ctl_ar_kind kind, int32_t step)
{
    switch (kind) {
    case RSIM_CTL_AR_STEP:
        if (spec->strategy == RSIM_STRATEGY_CANARY && step >= 0 &&
            (size_t)step < spec->canary.n_steps &&
            (spec->canary.steps[step].types & RSIM_STEP_ANALYSIS)) {
            return &spec->canary.steps[step].analysis;
        }
        return NULL;
    case RSIM_CTL_AR_BACKGROUND:
        return spec->canary.background.set ? &spec->canary.background : NULL;
    case RSIM_CTL_AR_PRE:
        return spec->blue_green.pre_promotion.set ? &spec->blue_green.pre_promotion : NULL;
    case RSIM_CTL_AR_POST:
        return spec->blue_green.post_promotion.set ? &spec->blue_green.post_promotion : NULL;
    }
    return NULL;
}

/* Is the run the one a status field points at (current*AnalysisRunStatus)? */
static bool is_current(const rsim_spec_rollout_status *s, const char *name)
{
    const rsim_spec_run_status_ref *refs[] = {&s->step_analysis, &s->background_analysis,
                                              &s->pre_promotion_analysis,
                                              &s->post_promotion_analysis};
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        if (refs[i]->set && strcmp(refs[i]->name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool add_runs(rsim_ctl_state *st,
                     const rsim_spec_snapshot *snap,
                     const rsim_ctl_snapshot_map *m,
                     rsim_diag *diag)
{
    bool ok = true;
    for (size_t i = 0; i < snap->n_analysis_runs; i++) {
        const rsim_spec_analysis_run_obj *in = &snap->analysis_runs[i];
        rsim_ctl_ar_kind kind;
        if (!ar_kind(in, &kind)) {
            rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, in->loc, "metadata.labels",
                          "AnalysisRun '%s': label 'rollout-type' must be Step, Background, "
                          "PrePromotion or PostPromotion, got '%s'",
                          in->name, in->rollout_type);
            ok = false;
            continue;
        }
        if (st->n_ars == RSIM_CTL_MAX_AR) {
            rsim_diag_add(diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, in->loc, NULL,
                          "more than %d AnalysisRuns; rollsim keeps at most %d per Rollout",
                          RSIM_CTL_MAX_AR, RSIM_CTL_MAX_AR);
            return false;
        }
        rsim_ctl_ar *ar = &st->ars[st->n_ars];
        memset(ar, 0, sizeof(*ar));
        ok = copy_name(ar->name, in->name, in->loc, "AnalysisRun name", diag) && ok;
        rsim_controller_copy(ar->pod_hash, RSIM_CTL_NAMEMAX, to_internal(m, in->pod_template_hash));
        ar->kind = kind;
        ar->step_index = in->step_index.set ? clamp32(in->step_index.value) : -1;
        ar->analysis = analysis_of(st->spec, kind, ar->step_index);
        ar->phase = run_phase(in->phase);
        rsim_controller_copy(ar->message, sizeof(ar->message), in->message);
        ar->terminate = in->terminate;
        ar->current = is_current(&snap->status, in->name);
        st->n_ars++;
    }
    st->ars_created = (int64_t)st->n_ars;
    return ok;
}

/* Service selectors the status implies: the snapshot has no Services, and the controller
 * points them where the status says (§12, §13). */
static void services_from_status(rsim_ctl_state *st)
{
    const rsim_ctl_status *s = &st->status;
    const rsim_spec_rollout *spec = st->spec;
    if (spec->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        rsim_controller_copy(st->svc_active, RSIM_CTL_NAMEMAX, s->blue_green.active_selector);
        rsim_controller_copy(st->svc_preview, RSIM_CTL_NAMEMAX, s->blue_green.preview_selector);
        return;
    }
    if (*spec->canary.stable_service) {
        rsim_controller_copy(st->svc_stable, RSIM_CTL_NAMEMAX, s->stable_rs);
    }
    if (*spec->canary.canary_service) {
        /* The canary service selects the new RS, and the stable one after an abort (§12). */
        bool to_stable = s->abort && s->stable_rs[0] != '\0';
        rsim_controller_copy(st->svc_canary, RSIM_CTL_NAMEMAX,
                             to_stable ? s->stable_rs : s->current_pod_hash);
    }
    if (s->weights.set) {
        st->router_canary_weight = s->weights.canary;
        st->router_stable_weight = s->weights.stable;
    }
}

rsim_err rsim_controller_state_from_snapshot(rsim_ctl_state *st,
                                             const rsim_spec_snapshot *snap,
                                             uint64_t template_digest,
                                             rsim_ctl_snapshot_map *map,
                                             rsim_diag *diag)
{
    /* The key of the current template: the matching RS's hash when one exists, else a digest of
     * the template (the RS the pass creates is named after it). */
    const rsim_spec_replica_set *match = NULL;
    for (size_t i = 0; i < snap->n_replica_sets; i++) {
        if (snap->replica_sets[i].matches_template) {
            match = &snap->replica_sets[i];
            break;
        }
    }
    memset(map, 0, sizeof(*map));
    char key[RSIM_CTL_NAMEMAX];
    if (match) {
        snprintf(key, sizeof(key), "rs:%.48s", match->pod_template_hash);
        rsim_controller_copy(map->pod_hash_real, RSIM_CTL_NAMEMAX, match->pod_template_hash);
        rsim_controller_template_hash(key, map->pod_hash_internal);
    } else {
        snprintf(key, sizeof(key), "template:%016" PRIx64, template_digest);
    }
    rsim_controller_state_init(st, &snap->rollout, key, NULL);
    if (*snap->status.current_step_hash) {
        rsim_controller_copy(map->step_hash_real, RSIM_CTL_NAMEMAX, snap->status.current_step_hash);
        rsim_controller_step_hash(&snap->rollout, map->step_hash_internal);
    }
    st->restart_at = snap->restart_at.set ? snap->restart_at.value : -1;
    if (snap->status.set) {
        status_from_snapshot(&st->status, &snap->status, map);
    }
    bool ok = add_replica_sets(st, snap, map, diag);
    ok = add_runs(st, snap, map, diag) && ok;
    services_from_status(st);
    st->n_reconciles = snap->status.set ? 1 : 0;
    return ok ? RSIM_OK : RSIM_ESCHEMA;
}

const char *rsim_controller_snapshot_pod_hash(const rsim_ctl_snapshot_map *map, const char *h)
{
    return *map->pod_hash_internal && strcmp(h, map->pod_hash_internal) == 0 ? map->pod_hash_real
                                                                             : h;
}

const char *rsim_controller_snapshot_step_hash(const rsim_ctl_snapshot_map *map, const char *h)
{
    return *map->step_hash_internal && strcmp(h, map->step_hash_internal) == 0 ? map->step_hash_real
                                                                               : h;
}

void rsim_controller_snapshot_text(const rsim_ctl_snapshot_map *map,
                                   const char *text,
                                   char *out,
                                   size_t cap)
{
    size_t n = 0;
    size_t k = strlen(map->pod_hash_internal);
    while (*text && n + 1 < cap) {
        if (k > 0 && strncmp(text, map->pod_hash_internal, k) == 0) {
            for (const char *r = map->pod_hash_real; *r && n + 1 < cap; r++) {
                out[n++] = *r;
            }
            text += k;
        } else {
            out[n++] = *text++;
        }
    }
    if (cap > 0) {
        out[n] = '\0';
    }
}
