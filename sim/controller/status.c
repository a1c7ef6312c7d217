/* status.c - the status bookkeeping every strategy shares: pause conditions (§11.2), raising
 * and persisting an abort (§12, §23 I9), conditions with the controller's reasons and messages
 * (utils/conditions), progress and the progress deadline (§17.2-§17.4, §23 E6), and the phase
 * (§17.1). */
#include <string.h>

#include "controller_int.h"

/* ---- pause conditions ---- */

const rsim_ctl_pause_cond *rsim_controller_find_pause(const rsim_ctl_status *s,
                                                      rsim_ctl_pause_reason reason)
{
    for (size_t i = 0; i < s->n_pause; i++) {
        if (s->pause[i].reason == reason) {
            return &s->pause[i];
        }
    }
    return NULL;
}

bool rsim_controller_has_pause(const rsim_ctl_status *s, rsim_ctl_pause_reason reason)
{
    return rsim_controller_find_pause(s, reason) != NULL;
}

void rsim_controller_add_pause(rsim_ctl_pass *p, rsim_ctl_pause_reason reason)
{
    rsim_ctl_status *s = &p->st->status;
    if (rsim_controller_has_pause(s, reason) || s->n_pause >= RSIM_CTL_MAX_PAUSE) {
        return;
    }
    s->pause[s->n_pause].reason = reason;
    s->pause[s->n_pause].start_time = p->now_s;
    s->n_pause++;
}

void rsim_controller_clear_pauses(rsim_ctl_pass *p)
{
    p->st->status.n_pause = 0;
}

static void remove_pause(rsim_ctl_status *s, rsim_ctl_pause_reason reason)
{
    size_t j = 0;
    for (size_t i = 0; i < s->n_pause; i++) {
        if (s->pause[i].reason != reason) {
            s->pause[j++] = s->pause[i];
        }
    }
    s->n_pause = j;
}

/* ---- conditions ---- */

rsim_ctl_condition *rsim_controller_condition(rsim_ctl_state *st, rsim_ctl_cond_type type)
{
    for (size_t i = 0; i < st->status.n_conditions; i++) {
        if (st->status.conditions[i].type == type) {
            return &st->status.conditions[i];
        }
    }
    return NULL;
}

static const rsim_ctl_condition *prev_condition(const rsim_ctl_status *s, rsim_ctl_cond_type type)
{
    for (size_t i = 0; i < s->n_conditions; i++) {
        if (s->conditions[i].type == type) {
            return &s->conditions[i];
        }
    }
    return NULL;
}

void rsim_controller_remove_condition(rsim_ctl_pass *p, rsim_ctl_cond_type type)
{
    rsim_ctl_status *s = &p->st->status;
    size_t j = 0;
    for (size_t i = 0; i < s->n_conditions; i++) {
        if (s->conditions[i].type != type) {
            s->conditions[j++] = s->conditions[i];
        }
    }
    s->n_conditions = j;
}

/* SetRolloutCondition: no update at all when status and reason are unchanged; the transition
 * time survives when only the reason changes. The condition moves to the end of the list. */
void rsim_controller_set_condition(rsim_ctl_pass *p,
                                   rsim_ctl_cond_type type,
                                   rsim_ctl_cond_status status,
                                   const char *reason,
                                   const char *message)
{
    rsim_ctl_condition *cur = rsim_controller_condition(p->st, type);
    if (cur != NULL && cur->status == status && strcmp(cur->reason, reason) == 0) {
        return;
    }
    rsim_ctl_condition c;
    memset(&c, 0, sizeof c);
    c.type = type;
    c.status = status;
    rsim_controller_copy(c.reason, sizeof c.reason, reason);
    rsim_controller_copy(c.message, sizeof c.message, message);
    c.last_update = p->now_s;
    c.last_transition = (cur != NULL && cur->status == status) ? cur->last_transition : p->now_s;
    rsim_controller_remove_condition(p, type);
    rsim_ctl_status *s = &p->st->status;
    if (s->n_conditions < RSIM_CTL_MAX_COND) {
        s->conditions[s->n_conditions++] = c;
    }
}

/* ---- abort ---- */

bool rsim_controller_is_aborting(const rsim_ctl_pass *p)
{
    return p->st->status.abort || p->abort_added;
}

void rsim_controller_raise_abort(rsim_ctl_pass *p, const char *message)
{
    if (p->abort_added) {
        return;
    }
    p->abort_added = true;
    rsim_controller_copy(p->abort_msg, sizeof p->abort_msg, message);
}

/* ---- progress (§17.2-§17.4) ---- */

/* The current canary step is an analysis or experiment step (isIndefiniteStep). */
static bool indefinite_step(const rsim_ctl_pass *p)
{
    if (p->spec->strategy != RSIM_STRATEGY_CANARY) {
        return false;
    }
    int32_t idx = p->prev.current_step_index < 0 ? 0 : p->prev.current_step_index;
    if ((size_t)idx >= p->spec->canary.n_steps) {
        return false;
    }
    return (p->spec->canary.steps[idx].types & (RSIM_STEP_ANALYSIS | RSIM_STEP_EXPERIMENT)) != 0;
}

bool rsim_controller_timed_out(const rsim_ctl_pass *p)
{
    const rsim_ctl_condition *c = prev_condition(&p->st->status, RSIM_CTL_COND_PROGRESSING);
    if (c == NULL || strcmp(c->reason, "RolloutPaused") == 0 ||
        strcmp(c->reason, "RolloutAborted") == 0) {
        return false;
    }
    if (strcmp(c->reason, "ProgressDeadlineExceeded") == 0) {
        return true; /* §23 E6 */
    }
    return c->last_update + p->spec->progress_deadline < p->now;
}

static bool progressed(const rsim_ctl_pass *p, bool blue_green)
{
    const rsim_ctl_status *o = &p->prev, *n = &p->st->status;
    bool specific;
    if (blue_green) {
        specific = strcmp(o->blue_green.active_selector, n->blue_green.active_selector) != 0 ||
                   strcmp(o->blue_green.preview_selector, n->blue_green.preview_selector) != 0;
    } else {
        specific = strcmp(o->stable_rs, n->stable_rs) != 0 ||
                   (o->current_step_index >= 0 && n->current_step_index >= 0 &&
                    o->current_step_index != n->current_step_index) ||
                   strcmp(o->current_step_hash, n->current_step_hash) != 0;
    }
    return n->updated_replicas != o->updated_replicas ||
           n->replicas - n->updated_replicas < o->replicas - o->updated_replicas ||
           n->ready_replicas > o->ready_replicas || n->available_replicas > o->available_replicas ||
           specific;
}

/* RolloutComplete: every pod updated and available, and the strategy finished. */
static bool complete(const rsim_ctl_pass *p, bool blue_green)
{
    const rsim_ctl_status *n = &p->st->status;
    bool done;
    if (blue_green) {
        done = strcmp(n->blue_green.active_selector, n->current_pod_hash) == 0;
    } else {
        size_t steps = p->spec->canary.n_steps;
        done =
            (steps == 0 || n->current_step_index < 0 || (size_t)n->current_step_index == steps) &&
            n->stable_rs[0] != '\0' && strcmp(n->stable_rs, n->current_pod_hash) == 0;
    }
    return n->updated_replicas == p->n && n->available_replicas == p->n && done;
}

static int64_t revision(const rsim_ctl_pass *p)
{
    return p->new_rs != NULL ? p->new_rs->revision : 0;
}

static const char *new_rs_name(const rsim_ctl_pass *p)
{
    return p->new_rs != NULL ? p->new_rs->name : p->spec->name;
}

/* Waiting on a scale-down deadline of another RS (§17.3, §17.4). */
static bool waiting_for_deadlines(const rsim_ctl_pass *p)
{
    for (size_t i = 0; i < p->st->n_rs; i++) {
        const rsim_ctl_rs *rs = &p->st->rs[i];
        if (rs != p->new_rs && rs->scale_down_deadline > p->now && rs->spec_replicas > 0) {
            return true;
        }
    }
    return false;
}

void rsim_controller_calc_conditions(rsim_ctl_pass *p, bool blue_green)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    char msg[RSIM_CTL_MSGMAX];
    if (p->prev.n_pause > 0 || st->paused) {
        return; /* no progress estimate while paused */
    }
    const rsim_ctl_condition *cur = prev_condition(&p->prev, RSIM_CTL_COND_PROGRESSING);
    bool is_complete = s->replicas == s->available_replicas && cur != NULL &&
                       strcmp(cur->reason, "NewReplicaSetAvailable") == 0;
    if (!is_complete) {
        if (rsim_controller_is_aborting(p)) {
            if (p->abort_msg[0] != '\0') {
                rsim_controller_fmt(msg, sizeof msg, "Rollout aborted update to revision %lld: %s",
                                    (long long)revision(p), p->abort_msg);
            } else {
                rsim_controller_fmt(msg, sizeof msg, "Rollout aborted update to revision %lld",
                                    (long long)revision(p));
            }
            rsim_controller_set_condition(p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_FALSE,
                                          "RolloutAborted", msg);
        } else if (complete(p, blue_green)) {
            rsim_controller_fmt(msg, sizeof msg, "ReplicaSet \"%s\" has successfully progressed.",
                                new_rs_name(p));
            rsim_controller_set_condition(p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_TRUE,
                                          "NewReplicaSetAvailable", msg);
        } else if (progressed(p, blue_green)) {
            rsim_controller_fmt(msg, sizeof msg, "ReplicaSet \"%s\" is progressing.",
                                new_rs_name(p));
            rsim_ctl_condition *c = rsim_controller_condition(st, RSIM_CTL_COND_PROGRESSING);
            rsim_time transition = p->now_s;
            if (c != NULL && c->status == RSIM_CTL_COND_TRUE) {
                transition = c->last_transition;
            }
            rsim_controller_remove_condition(p, RSIM_CTL_COND_PROGRESSING);
            rsim_controller_set_condition(p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_TRUE,
                                          "ReplicaSetUpdated", msg);
            c = rsim_controller_condition(st, RSIM_CTL_COND_PROGRESSING);
            if (c != NULL) {
                c->last_transition = transition;
            }
        } else if (!indefinite_step(p) && !waiting_for_deadlines(p) &&
                   rsim_controller_timed_out(p)) {
            rsim_controller_fmt(msg, sizeof msg, "ReplicaSet \"%s\" has timed out progressing.",
                                new_rs_name(p));
            const rsim_ctl_condition *c = rsim_controller_condition(st, RSIM_CTL_COND_PROGRESSING);
            bool first = c == NULL || strcmp(c->reason, "ProgressDeadlineExceeded") != 0;
            rsim_controller_set_condition(p, RSIM_CTL_COND_PROGRESSING, RSIM_CTL_COND_FALSE,
                                          "ProgressDeadlineExceeded", msg);
            if (first) {
                rsim_controller_event(p, "ProgressDeadlineExceeded", "%s", msg);
            }
        }
    }
    /* Available (§17.5) */
    bool available;
    if (blue_green) {
        const rsim_ctl_rs *a = NULL;
        for (size_t i = 0; i < st->n_rs; i++) {
            if (s->blue_green.active_selector[0] != '\0' &&
                strcmp(st->rs[i].hash, s->blue_green.active_selector) == 0) {
                a = &st->rs[i];
            }
        }
        available = a != NULL && a->desired_replicas == p->n && a->spec_replicas == p->n &&
                    a->available >= p->n;
    } else {
        int32_t total = 0;
        for (size_t i = 0; i < st->n_rs; i++) {
            total += st->rs[i].available;
        }
        available = total >= p->n;
    }
    rsim_controller_set_condition(p, RSIM_CTL_COND_AVAILABLE,
                                  available ? RSIM_CTL_COND_TRUE : RSIM_CTL_COND_FALSE,
                                  "AvailableReason",
                                  available ? "Rollout has minimum availability"
                                            : "Rollout does not have minimum availability");
    /* Completed */
    if (s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0) {
        rsim_controller_fmt(msg, sizeof msg, "Rollout completed update to revision %lld (%s): %s",
                            (long long)revision(p), s->current_pod_hash, "RolloutCompleted");
        rsim_controller_set_condition(p, RSIM_CTL_COND_COMPLETED, RSIM_CTL_COND_TRUE,
                                      "RolloutCompleted", msg);
    } else {
        rsim_controller_fmt(msg, sizeof msg,
                            "Rollout not completed, started update to revision %lld (%s)",
                            (long long)revision(p), s->current_pod_hash);
        rsim_controller_set_condition(p, RSIM_CTL_COND_COMPLETED, RSIM_CTL_COND_FALSE,
                                      "RolloutNotCompleted", msg);
    }
    /* Healthy */
    bool healthy = complete(p, blue_green) && (blue_green || s->replicas == p->n);
    rsim_controller_set_condition(
        p, RSIM_CTL_COND_HEALTHY, healthy ? RSIM_CTL_COND_TRUE : RSIM_CTL_COND_FALSE,
        "RolloutHealthy", healthy ? "Rollout is healthy" : "Rollout is not healthy");
}

/* §17.1 CalculateRolloutPhase. */
void rsim_controller_calc_phase(rsim_ctl_pass *p, bool blue_green)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    for (size_t i = 0; i < s->n_conditions; i++) {
        const rsim_ctl_condition *c = &s->conditions[i];
        if (c->type == RSIM_CTL_COND_INVALID_SPEC) {
            s->phase = RSIM_CTL_PHASE_DEGRADED;
            rsim_controller_fmt(s->message, sizeof s->message, "InvalidSpec: %s", c->message);
            return;
        }
        if (strcmp(c->reason, "RolloutAborted") == 0 ||
            strcmp(c->reason, "ProgressDeadlineExceeded") == 0) {
            s->phase = RSIM_CTL_PHASE_DEGRADED;
            rsim_controller_fmt(s->message, sizeof s->message, "%s: %s", c->reason, c->message);
            return;
        }
    }
    if (st->paused) {
        s->phase = RSIM_CTL_PHASE_PAUSED;
        rsim_controller_copy(s->message, sizeof s->message, "manually paused");
        return;
    }
    if (s->n_pause > 0) {
        s->phase = RSIM_CTL_PHASE_PAUSED;
        rsim_controller_copy(s->message, sizeof s->message,
                             rsim_controller_pause_reason_name(s->pause[0].reason));
        return;
    }
    s->phase = RSIM_CTL_PHASE_PROGRESSING;
    if (st->restart_at >= 0 && s->restarted_at != st->restart_at) {
        rsim_controller_copy(s->message, sizeof s->message, "rollout is restarting");
        return;
    }
    if (s->updated_replicas < p->n) {
        rsim_controller_copy(s->message, sizeof s->message, "more replicas need to be updated");
        return;
    }
    if (s->available_replicas < s->updated_replicas) {
        rsim_controller_copy(s->message, sizeof s->message,
                             "updated replicas are still becoming available");
        return;
    }
    if (blue_green) {
        if (s->blue_green.active_selector[0] == '\0' ||
            strcmp(s->blue_green.active_selector, s->current_pod_hash) != 0) {
            rsim_controller_copy(s->message, sizeof s->message, "active service cutover pending");
            return;
        }
        if (strcmp(s->stable_rs, s->current_pod_hash) != 0) {
            rsim_controller_copy(s->message, sizeof s->message, "waiting for analysis to complete");
            return;
        }
    } else {
        if (!p->spec->canary.traffic_routing.set && s->replicas > s->updated_replicas) {
            rsim_controller_copy(s->message, sizeof s->message,
                                 "old replicas are pending termination");
            return;
        }
        if (s->stable_rs[0] == '\0' || strcmp(s->stable_rs, s->current_pod_hash) != 0) {
            rsim_controller_copy(s->message, sizeof s->message,
                                 "waiting for all steps to complete");
            return;
        }
    }
    s->phase = RSIM_CTL_PHASE_HEALTHY;
    s->message[0] = '\0';
}

/* Requeue at lastUpdate + deadline + 1 s for the progress check (requeueStuckRollout). */
static void requeue_stuck(rsim_ctl_pass *p, bool blue_green)
{
    const rsim_ctl_condition *c = prev_condition(&p->prev, RSIM_CTL_COND_PROGRESSING);
    if (c == NULL) {
        return;
    }
    bool paused = p->prev.n_pause > 0 || p->st->paused;
    if (complete(p, blue_green) || strcmp(c->reason, "ProgressDeadlineExceeded") == 0 || paused ||
        p->prev.abort || indefinite_step(p)) {
        return;
    }
    rsim_time due = c->last_update + p->spec->progress_deadline;
    if (due - p->now < RSIM_SEC(1)) {
        rsim_controller_requeue(p, p->now);
    } else {
        rsim_controller_requeue(p, due + RSIM_SEC(1));
    }
}

void rsim_controller_persist(rsim_ctl_pass *p, bool blue_green, bool skip_conditions)
{
    rsim_ctl_status *s = &p->st->status;
    bool fully_promoted = s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0;
    /* §17.4 progressDeadlineAbort, judged on the persisted condition (§23 E6, I9). */
    if (!skip_conditions && p->spec->progress_deadline_abort && !rsim_controller_is_aborting(p) &&
        !fully_promoted && !progressed(p, blue_green) && !indefinite_step(p) &&
        !waiting_for_deadlines(p) && rsim_controller_timed_out(p)) {
        char msg[RSIM_CTL_MSGMAX];
        rsim_controller_fmt(msg, sizeof msg, "ReplicaSet \"%s\" has timed out progressing.",
                            new_rs_name(p));
        rsim_controller_raise_abort(p, msg);
    }
    bool aborting = rsim_controller_is_aborting(p);
    if (aborting) {
        if (!s->abort) {
            rsim_controller_event(
                p, "RolloutAborted", "Rollout aborted update to revision %lld%s%s",
                (long long)revision(p), p->abort_msg[0] ? ": " : "", p->abort_msg);
        }
        s->abort = true;
        if (s->aborted_at < 0) {
            s->aborted_at = p->now_s;
        }
        s->n_pause = 0; /* §11.4 */
    } else {
        s->aborted_at = -1;
    }
    s->controller_pause = s->n_pause > 0;
    if (!skip_conditions) {
        rsim_controller_calc_conditions(p, blue_green);
        requeue_stuck(p, blue_green);
    }
    rsim_controller_calc_phase(p, blue_green);
}

/* Used by the canary status step. */
void rsim_controller_remove_pause(rsim_ctl_pass *p, rsim_ctl_pause_reason reason)
{
    remove_pause(&p->st->status, reason);
}
