/* controller.c - the reconcile framework (§18 steps 1-8): state initialisation, finding or
 * creating the new ReplicaSet, dropping an abort on a fully promoted rollout, syncing the
 * Paused/Progressing conditions, and the dispatch to the canary or blue-green pass; plus the
 * operator verbs as kubectl-argo-rollouts writes them (§14) and the name helpers. */
#include <stdio.h>
#include <string.h>

#include "controller_int.h"
#include "util.h"

void rsim_controller_opts_init(rsim_ctl_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->truncate_seconds = true;
}

/* Kubernetes' SafeEncodeString alphabet (no vowels, no easily confused characters). */
static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

static void encode(uint64_t h, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[h % (sizeof alphabet - 1)];
        h /= sizeof alphabet - 1;
    }
    out[len] = '\0';
}

void rsim_controller_template_hash(const char *template_key, char out[RSIM_CTL_NAMEMAX])
{
    encode(rsim_util_hash64(template_key, strlen(template_key)), 10, out);
}

void rsim_controller_step_hash(const rsim_spec_rollout *spec, char out[RSIM_CTL_NAMEMAX])
{
    if (spec->strategy != RSIM_STRATEGY_CANARY) {
        out[0] = '\0';
        return;
    }
    /* FNV-style fold of the fields that change what a step does. */
    uint64_t h = 1469598103934665603ULL;
    const rsim_spec_canary *c = &spec->canary;
    for (size_t i = 0; i < c->n_steps; i++) {
        const rsim_spec_canary_step *s = &c->steps[i];
        int64_t v[8] = {(int64_t)s->types,
                        s->set_weight,
                        s->pause.set ? s->pause.value : -1,
                        s->set_canary_scale.replicas.set ? s->set_canary_scale.replicas.value : -1,
                        s->set_canary_scale.weight.set ? s->set_canary_scale.weight.value : -1,
                        s->set_canary_scale.match_traffic_weight,
                        (int64_t)s->analysis.n_templates,
                        (int64_t)i};
        h ^= rsim_util_hash64(v, sizeof v);
        h *= 1099511628211ULL;
        for (size_t t = 0; t < s->analysis.n_templates; t++) {
            const char *name = s->analysis.templates[t].template_name;
            h ^= rsim_util_hash64(name, strlen(name));
            h *= 1099511628211ULL;
        }
    }
    encode(h, 10, out);
}

void rsim_controller_state_init(rsim_ctl_state *st,
                                const rsim_spec_rollout *spec,
                                const char *template_key,
                                const char *image)
{
    memset(st, 0, sizeof *st);
    st->spec = spec;
    rsim_controller_copy(st->template_key, sizeof st->template_key, template_key);
    if (image == NULL && spec->n_containers > 0 && spec->containers[0].image != NULL) {
        image = spec->containers[0].image;
    }
    rsim_controller_copy(st->image, sizeof st->image, image);
    st->paused = spec->paused;
    st->restart_at = -1;
    st->status.current_step_index = -1;
    st->status.aborted_at = -1;
    st->status.restarted_at = -1;
    st->status.phase = RSIM_CTL_PHASE_PROGRESSING;
}

rsim_ctl_rs *rsim_controller_find_rs(rsim_ctl_state *st, const char *hash)
{
    if (hash == NULL || hash[0] == '\0') {
        return NULL;
    }
    for (size_t i = 0; i < st->n_rs; i++) {
        if (strcmp(st->rs[i].hash, hash) == 0) {
            return &st->rs[i];
        }
    }
    return NULL;
}

const rsim_ctl_rs *rsim_controller_pre_rs(const rsim_ctl_pass *p, const char *hash)
{
    for (size_t i = 0; i < p->n_pre; i++) {
        if (strcmp(p->pre[i].hash, hash) == 0) {
            return &p->pre[i];
        }
    }
    return NULL;
}

const rsim_ctl_condition *rsim_controller_find_condition(const rsim_ctl_state *st,
                                                         rsim_ctl_cond_type type)
{
    for (size_t i = 0; i < st->status.n_conditions; i++) {
        if (st->status.conditions[i].type == type) {
            return &st->status.conditions[i];
        }
    }
    return NULL;
}

/* §18 step 6 (checkPausedConditions): returns whether a condition was patched (the pass ends). */
static bool sync_paused_conditions(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    const rsim_ctl_condition *c = rsim_controller_find_condition(st, RSIM_CTL_COND_PROGRESSING);
    bool paused_cond = c != NULL && strcmp(c->reason, "RolloutPaused") == 0;
    bool aborted_cond = c != NULL && strcmp(c->reason, "RolloutAborted") == 0;
    bool is_paused = st->status.n_pause > 0 || st->paused;
    const char *reason = NULL, *message = NULL;
    if (is_paused && !paused_cond) {
        reason = "RolloutPaused";
        message = "Rollout is paused";
    } else if (!is_paused && paused_cond) {
        reason = "RolloutResumed";
        message = "Rollout is resumed";
    }
    if (!st->status.abort && aborted_cond) {
        reason = "RolloutRetry";
        message = "Retrying Rollout after abort";
    }
    if (reason == NULL) {
        return false;
    }
    /* NewRolloutCondition: both times are now (§17.3: resuming restarts the deadline timer). */
    rsim_controller_remove_condition(p, RSIM_CTL_COND_PROGRESSING);
    rsim_controller_set_condition(p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_UNKNOWN, reason,
                                  message);
    rsim_controller_calc_phase(p, st->spec->strategy == RSIM_STRATEGY_BLUE_GREEN);
    return true;
}

void rsim_controller_reconcile(rsim_ctl_state *st,
                               rsim_time now,
                               const rsim_ctl_opts *opts,
                               rsim_ctl_effects *fx)
{
    rsim_ctl_opts defaults;
    if (opts == NULL) {
        rsim_controller_opts_init(&defaults);
        opts = &defaults;
    }
    memset(fx, 0, sizeof *fx);
    fx->requeue_at = -1;
    rsim_ctl_pass p;
    memset(&p, 0, sizeof p);
    p.st = st;
    p.spec = st->spec;
    p.opts = opts;
    p.fx = fx;
    p.now = now;
    p.now_s = rsim_controller_stamp(&p, now);
    p.n = (int32_t)st->spec->replicas.value;
    p.prev = st->status;
    p.n_pre = st->n_rs;
    memcpy(p.pre, st->rs, st->n_rs * sizeof st->rs[0]);
    st->n_reconciles++;

    /* §18 step 4: no RS matches the template → create it at 0 and end. */
    char hash[RSIM_CTL_NAMEMAX];
    rsim_controller_template_hash(st->template_key, hash);
    p.new_rs = rsim_controller_find_rs(st, hash);
    if (p.new_rs == NULL) {
        p.new_rs = rsim_controller_create_rs(&p);
        rsim_controller_restart_cancel(&p); /* §14.6: a new template ends the restart */
        char msg[RSIM_CTL_MSGMAX];
        rsim_controller_fmt(msg, sizeof msg, "Created new replica set \"%s\"", p.new_rs->name);
        rsim_controller_set_condition(&p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_TRUE,
                                      "NewReplicaSetCreated", msg);
        rsim_controller_event(&p, "NewReplicaSetCreated", "Created ReplicaSet %s (revision %lld)",
                              p.new_rs->name, (long long)p.new_rs->revision);
        fx->status_changed = true;
        return;
    }
    /* An older RS that matches again (undo) takes the next revision (syncRevision). */
    for (size_t i = 0; i < st->n_rs; i++) {
        if (st->rs[i].revision > p.new_rs->revision) {
            int64_t m = 0;
            for (size_t j = 0; j < st->n_rs; j++) {
                m = st->rs[j].revision > m ? st->rs[j].revision : m;
            }
            p.new_rs->revision = m + 1;
            break;
        }
    }
    p.stable_rs = rsim_controller_find_rs(st, st->status.stable_rs);

    /* §18 step 5: fully promoted + abort → drop the abort. */
    if (st->status.abort && st->status.stable_rs[0] != '\0' &&
        strcmp(st->status.stable_rs, hash) == 0) {
        st->status.abort = false;
    }
    /* §18 step 6. */
    if (sync_paused_conditions(&p)) {
        fx->status_changed = memcmp(&p.prev, &st->status, sizeof p.prev) != 0;
        return;
    }
    /* §18 step 8. */
    if (st->spec->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        rsim_controller_bluegreen_pass(&p);
    } else {
        rsim_controller_canary_pass(&p);
    }
    fx->status_changed = memcmp(&p.prev, &st->status, sizeof p.prev) != 0;
}

/* ---- verbs (§14) ---- */

void rsim_controller_abort(rsim_ctl_state *st)
{
    st->status.abort = true;
}

void rsim_controller_retry(rsim_ctl_state *st)
{
    st->status.abort = false;
}

static int32_t n_steps(const rsim_ctl_state *st)
{
    return st->spec->strategy == RSIM_STRATEGY_CANARY ? (int32_t)st->spec->canary.n_steps : 0;
}

void rsim_controller_promote(rsim_ctl_state *st, rsim_ctl_promote_mode mode)
{
    rsim_ctl_status *s = &st->status;
    int32_t len = n_steps(st);
    int32_t idx = s->current_step_index < 0 ? 0 : s->current_step_index;
    st->paused = false;
    if (mode == RSIM_CTL_PROMOTE_SKIP_ALL) {
        if (len > 0) {
            s->current_step_index = len;
        }
        return;
    }
    if (mode == RSIM_CTL_PROMOTE_SKIP_CURRENT) {
        if (idx < len) {
            s->current_step_index = idx + 1;
        }
        return;
    }
    if (s->n_pause > 0) {
        bool inconclusive = false;
        for (size_t i = 0; i < s->n_pause; i++) {
            inconclusive |= s->pause[i].reason == RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS;
        }
        s->n_pause = 0;
        if (inconclusive && s->controller_pause && len > 0 && idx < len) {
            /* An inconclusive step analysis: clear the pause and move on (§14.3). */
            s->controller_pause = false;
            s->current_step_index = idx + 1;
        }
        return;
    }
    if (len > 0 && idx < len) {
        s->current_step_index = idx + 1; /* nothing paused: skip the step */
    }
}

void rsim_controller_promote_full(rsim_ctl_state *st)
{
    rsim_ctl_status *s = &st->status;
    st->paused = false;
    if (s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0) {
        return; /* already fully promoted */
    }
    s->promote_full = true;
}

void rsim_controller_pause(rsim_ctl_state *st)
{
    st->paused = true;
}

void rsim_controller_resume(rsim_ctl_state *st)
{
    st->paused = false;
    st->status.n_pause = 0;
}

void rsim_controller_restart(rsim_ctl_state *st, rsim_time at)
{
    st->restart_at = at < 0 ? at : at - at % RSIM_SEC(1);
}

void rsim_controller_set_template(rsim_ctl_state *st, const char *template_key, const char *image)
{
    rsim_controller_copy(st->template_key, sizeof st->template_key, template_key);
    if (image != NULL) {
        rsim_controller_copy(st->image, sizeof st->image, image);
    }
    st->template_serial++;
}

bool rsim_controller_undo(rsim_ctl_state *st, int64_t to_revision)
{
    const rsim_ctl_rs *target = NULL;
    if (to_revision > 0) {
        for (size_t i = 0; i < st->n_rs; i++) {
            if (st->rs[i].revision == to_revision) {
                target = &st->rs[i];
            }
        }
    } else {
        /* The previous revision: the highest one below the current template's RS. */
        char hash[RSIM_CTL_NAMEMAX];
        rsim_controller_template_hash(st->template_key, hash);
        const rsim_ctl_rs *cur = rsim_controller_find_rs(st, hash);
        int64_t below = cur != NULL ? cur->revision : INT64_MAX;
        for (size_t i = 0; i < st->n_rs; i++) {
            const rsim_ctl_rs *rs = &st->rs[i];
            if (rs->revision < below && (target == NULL || rs->revision > target->revision)) {
                target = rs;
            }
        }
    }
    if (target == NULL) {
        return false;
    }
    char key[RSIM_CTL_NAMEMAX], image[RSIM_CTL_IMAGEMAX];
    rsim_controller_copy(key, sizeof key, target->template_key);
    rsim_controller_copy(image, sizeof image, target->image);
    rsim_controller_set_template(st, key, image);
    return true;
}

/* ---- names ---- */

const char *rsim_controller_phase_name(rsim_ctl_phase phase)
{
    switch (phase) {
    case RSIM_CTL_PHASE_PROGRESSING:
        return "Progressing";
    case RSIM_CTL_PHASE_PAUSED:
        return "Paused";
    case RSIM_CTL_PHASE_HEALTHY:
        return "Healthy";
    case RSIM_CTL_PHASE_DEGRADED:
        return "Degraded";
    }
    return "?";
}

const char *rsim_controller_cond_type_name(rsim_ctl_cond_type type)
{
    switch (type) {
    case RSIM_CTL_COND_PROGRESSING:
        return "Progressing";
    case RSIM_CTL_COND_AVAILABLE:
        return "Available";
    case RSIM_CTL_COND_PAUSED:
        return "Paused";
    case RSIM_CTL_COND_COMPLETED:
        return "Completed";
    case RSIM_CTL_COND_HEALTHY:
        return "Healthy";
    case RSIM_CTL_COND_INVALID_SPEC:
        return "InvalidSpec";
    case RSIM_CTL_COND_REPLICA_FAILURE:
        return "ReplicaFailure";
    }
    return "?";
}

const char *rsim_controller_pause_reason_name(rsim_ctl_pause_reason reason)
{
    switch (reason) {
    case RSIM_CTL_PAUSE_CANARY_STEP:
        return "CanaryPauseStep";
    case RSIM_CTL_PAUSE_BLUE_GREEN:
        return "BlueGreenPause";
    case RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS:
        return "InconclusiveAnalysisRun";
    case RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT:
        return "InconclusiveExperiment";
    }
    return "?";
}

const char *rsim_controller_fx_kind_name(rsim_ctl_fx_kind kind)
{
    switch (kind) {
    case RSIM_CTL_FX_RS_CREATE:
        return "rs-create";
    case RSIM_CTL_FX_RS_SCALE:
        return "rs-scale";
    case RSIM_CTL_FX_RS_ANNOTATE:
        return "rs-annotate";
    case RSIM_CTL_FX_SERVICE_SELECT:
        return "service-select";
    case RSIM_CTL_FX_WEIGHT:
        return "weight";
    case RSIM_CTL_FX_ROUTE_SET:
        return "route-set";
    case RSIM_CTL_FX_ROUTE_REMOVE:
        return "route-remove";
    case RSIM_CTL_FX_AR_CREATE:
        return "ar-create";
    case RSIM_CTL_FX_AR_TERMINATE:
        return "ar-terminate";
    case RSIM_CTL_FX_EVENT:
        return "event";
    case RSIM_CTL_FX_POD_EVICT:
        return "pod-evict";
    case RSIM_CTL_FX_RS_DELETE:
        return "rs-delete";
    }
    return "?";
}
