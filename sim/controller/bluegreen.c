/* bluegreen.c - the blue-green pass (§13, §18 blue-green order): preview service, template change
 * reset, ReplicaSet scaling (active to N, new to N or previewReplicaCount, older ones through the
 * scale-down delay), the BlueGreenPause with autoPromotionEnabled / autoPromotionSeconds, the
 * active-service switch, pre- and post-promotion analysis, promotion and abort. Decisions read
 * the status as persisted before the pass (p->prev), as upstream reads c.rollout.Status, and
 * write the new status into p->st->status. Start at rsim_controller_bluegreen_pass. */
#include <stdint.h>
#include <string.h>

#include "controller_int.h"

/* ---- predicates on the pass ---- */

static const rsim_spec_blue_green *bg_of(const rsim_ctl_pass *p)
{
    return &p->spec->blue_green;
}

/* haltProgress (§11.3, §23 I10): spec.paused or an inconclusive-analysis pause. */
static bool halted(const rsim_ctl_pass *p)
{
    return p->st->paused ||
           rsim_controller_has_pause(&p->prev, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS);
}

/* The controller manages a pause only with autoPromotionEnabled=false or autoPromotionSeconds>0
 * (§13.3). */
static bool needs_controller_pause(const rsim_ctl_pass *p)
{
    return !bg_of(p)->auto_promotion_enabled || bg_of(p)->auto_promotion_delay > 0;
}

static rsim_ctl_rs *rs_by_hash(rsim_ctl_pass *p, const char *hash)
{
    return rsim_controller_find_rs(p->st, hash);
}

/* NewRSNewReplicas for blue-green (§13.2): previewReplicaCount until the active RS is the new
 * one, a full promotion, or the scale-up checkpoint passed while nothing pauses. */
static int32_t new_rs_size(const rsim_ctl_pass *p)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    const rsim_ctl_status *s = &p->prev;
    if (!bg->preview_replica_count.set) {
        return p->n;
    }
    const rsim_ctl_rs *active = rsim_controller_find_rs(p->st, s->blue_green.active_selector);
    if (active == NULL || active == p->new_rs || s->promote_full) {
        return p->n;
    }
    if (strcmp(p->new_rs->hash, s->current_pod_hash) != 0) {
        return (int32_t)bg->preview_replica_count.value;
    }
    bool not_paused = !p->st->paused && s->n_pause == 0;
    if (not_paused && s->blue_green.scale_up_preview_check_point) {
        return p->n;
    }
    return (int32_t)bg->preview_replica_count.value;
}

/* ReadyForPause: the new RS has its size and all of it available. */
static bool ready_for_pause(const rsim_ctl_pass *p)
{
    int32_t want = new_rs_size(p);
    return p->new_rs->spec_replicas == want && p->new_rs->available == want;
}

/* annotations.IsSaturated: spec, desired-replicas annotation and availability all at N. */
static bool saturated(const rsim_ctl_pass *p, const rsim_ctl_rs *rs)
{
    return rs != NULL && rs->spec_replicas == p->n && rs->desired_replicas == p->n &&
           rs->available == p->n;
}

/* The new RS carried a scale-down deadline when the pass began: a rollback to an RS still inside
 * its delay, fast-tracked (§13.7, §14.5). */
static bool new_rs_had_deadline(const rsim_ctl_pass *p)
{
    const rsim_ctl_rs *pre = rsim_controller_pre_rs(p, p->new_rs->hash);
    return pre != NULL && pre->scale_down_deadline >= 0;
}

/* isBlueGreenFastTracked (§13.7). */
static bool fast_tracked(const rsim_ctl_pass *p)
{
    return new_rs_had_deadline(p) || p->prev.promote_full || p->st->svc_active[0] == '\0' ||
           strcmp(p->st->svc_active, p->new_rs->hash) == 0;
}

static rsim_ctl_ar *current_run(rsim_ctl_pass *p, rsim_ctl_ar_kind kind)
{
    return rsim_controller_current_ar(p->st, kind, -1);
}

/* completedPrePromotionAnalysis (§13.4). */
static bool completed_pre_analysis(rsim_ctl_pass *p)
{
    if (!bg_of(p)->pre_promotion.set) {
        return true;
    }
    const rsim_ctl_ar *ar = current_run(p, RSIM_CTL_AR_PRE);
    return ar != NULL && ar->phase == RSIM_ANALYSIS_SUCCESSFUL;
}

/* CompletedBlueGreenPause (§13.3, §23 I11): a human resumed it, or autoPromotionSeconds passed
 * (strictly after the start). A pause added in this pass is never complete. */
static bool completed_pause(const rsim_ctl_pass *p, bool pause_added)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    const rsim_ctl_status *s = &p->prev;
    if (pause_added) {
        return false;
    }
    if (s->blue_green.scale_up_preview_check_point || !needs_controller_pause(p)) {
        return true;
    }
    const rsim_ctl_pause_cond *cond = rsim_controller_find_pause(s, RSIM_CTL_PAUSE_BLUE_GREEN);
    if (bg->auto_promotion_enabled) {
        if (bg->auto_promotion_delay == 0) {
            return true;
        }
        return cond != NULL && p->now > cond->start_time + bg->auto_promotion_delay;
    }
    return s->controller_pause && cond == NULL;
}

/* The abort delay of the preview RS applies (§12.4): aborted, and abortScaleDownDelaySeconds is
 * not an explicit 0 (which keeps the preview). */
static bool delay_scale_down_on_abort(const rsim_ctl_pass *p)
{
    const rsim_spec_opt_time *d = &bg_of(p)->abort_scale_down_delay;
    return p->prev.abort && !(d->set && d->value == 0);
}

/* ---- services ---- */

static void switch_service(
    rsim_ctl_pass *p, char *selector, const char *role, const char *name, const char *hash)
{
    if (strcmp(selector, hash) == 0) {
        return;
    }
    char old[RSIM_CTL_NAMEMAX];
    rsim_controller_copy(old, sizeof old, selector);
    rsim_controller_select_service(p, selector, role, hash);
    rsim_controller_event(p, "SwitchService",
                          "Switched selector for service '%s' from '%s' to '%s'", name, old, hash);
}

/* reconcilePreviewService (§13.1): right after the new RS exists, unless halted (§23 I10). */
static void reconcile_preview(rsim_ctl_pass *p)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    if (bg->preview_service[0] == '\0' || halted(p)) {
        return;
    }
    switch_service(p, p->st->svc_preview, "preview", bg->preview_service, p->new_rs->hash);
}

/* reconcileActiveService (§13.5, §12.4): to the new RS once it is saturated and the pause and
 * pre-promotion analysis are done (or fast-tracked); back to the stable RS on abort. */
static void reconcile_active(rsim_ctl_pass *p, bool pause_added)
{
    rsim_ctl_state *st = p->st;
    if (halted(p)) {
        return;
    }
    if (!ready_for_pause(p) || !saturated(p, p->new_rs)) {
        return;
    }
    char hash[RSIM_CTL_NAMEMAX];
    rsim_controller_copy(hash, sizeof hash, st->svc_active);
    if (fast_tracked(p)) {
        rsim_controller_copy(hash, sizeof hash, p->new_rs->hash);
    }
    if (completed_pause(p, pause_added) && completed_pre_analysis(p)) {
        rsim_controller_copy(hash, sizeof hash, p->new_rs->hash);
    }
    if (p->prev.abort) {
        rsim_controller_copy(hash, sizeof hash, p->prev.stable_rs);
    }
    switch_service(p, st->svc_active, "active", bg_of(p)->active_service, hash);
}

/* ---- ReplicaSets ---- */

/* removeScaleDownDeadlines: the new RS (unless its abort delay runs) and the stable RS are in
 * use again, so a deadline left on them is dropped. */
static void remove_deadlines(rsim_ctl_pass *p)
{
    if (!delay_scale_down_on_abort(p) && p->new_rs->scale_down_deadline >= 0) {
        rsim_controller_annotate_deadline(p, p->new_rs, -1);
    }
    if (p->stable_rs != NULL && p->stable_rs != p->new_rs &&
        p->stable_rs->scale_down_deadline >= 0) {
        rsim_controller_annotate_deadline(p, p->stable_rs, -1);
    }
}

/* reconcileNewReplicaSet with the abort delay (§12.4): the preview RS keeps its size until the
 * stable RS is fully available, is then annotated with now + abortScaleDownDelaySeconds, and goes
 * to 0 once that passes. */
static void reconcile_new_rs(rsim_ctl_pass *p)
{
    rsim_ctl_rs *rs = p->new_rs;
    int32_t want = new_rs_size(p);
    if (delay_scale_down_on_abort(p)) {
        if (rs->scale_down_deadline >= 0) {
            if (rs->scale_down_deadline > p->now) {
                rsim_controller_requeue(p, rs->scale_down_deadline);
                return;
            }
            want = 0;
        } else {
            const rsim_ctl_rs *stable = p->stable_rs;
            if (stable == NULL || stable->spec_replicas != stable->available) {
                return; /* annotate only once the stable RS is fully available */
            }
            rsim_time delay = bg_of(p)->abort_scale_down_delay.value;
            rsim_time at = rsim_controller_stamp(p, p->now + delay);
            rsim_controller_annotate_deadline(p, rs, at);
            rsim_controller_requeue(p, at);
        }
    }
    (void)rsim_controller_scale_rs(p, rs, want);
}

/* isReplicaSetReferenced for blue-green: the persisted stable, current, active and preview
 * hashes, and the services' selectors. */
static bool referenced(const rsim_ctl_pass *p, const rsim_ctl_rs *rs)
{
    const rsim_ctl_status *s = &p->prev;
    const char *const refs[] = {s->stable_rs,
                                s->current_pod_hash,
                                s->blue_green.active_selector,
                                s->blue_green.preview_selector,
                                p->st->svc_active,
                                p->st->svc_preview};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        if (refs[i][0] != '\0' && strcmp(refs[i], rs->hash) == 0) {
            return true;
        }
    }
    return false;
}

/* Post-promotion analysis is skipped when the new RS is already stable or the active service
 * does not point at it yet (§23 I12). */
static bool skip_post_analysis(const rsim_ctl_pass *p)
{
    const char *cur = p->new_rs->hash;
    return strcmp(p->prev.stable_rs, cur) == 0 ||
           strcmp(p->prev.blue_green.active_selector, cur) != 0;
}

/* scaleDownOldReplicaSetsForBlueGreen (§13.6, §10.3, §23 I7): newest revision first, each
 * unreferenced RS with pods through the scale-down delay helper. */
static void scale_down_others(rsim_ctl_pass *p)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    rsim_ctl_state *st = p->st;
    if (rsim_controller_has_pause(&p->prev, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS)) {
        return;
    }
    if (bg->post_promotion.set && !bg->scale_down_delay.set && !skip_post_analysis(p)) {
        const rsim_ctl_ar *post = current_run(p, RSIM_CTL_AR_POST);
        if (post == NULL || post->phase != RSIM_ANALYSIS_SUCCESSFUL) {
            return; /* §10.3: no scale-down until post-promotion analysis succeeded */
        }
    }
    rsim_ctl_rs *olds[RSIM_CTL_MAX_RS];
    size_t n = 0;
    for (size_t i = 0; i < st->n_rs; i++) {
        if (&st->rs[i] != p->new_rs && st->rs[i].spec_replicas > 0) {
            olds[n++] = &st->rs[i];
        }
    }
    /* Newest revision first (insertion sort: a handful of RSs). */
    for (size_t i = 1; i < n; i++) {
        rsim_ctl_rs *x = olds[i];
        size_t j = i;
        for (; j > 0 && olds[j - 1]->revision < x->revision; j--) {
            olds[j] = olds[j - 1];
        }
        olds[j] = x;
    }
    int64_t annotated = 0;
    int64_t limit = bg->scale_down_delay_revision_limit.set
                        ? bg->scale_down_delay_revision_limit.value
                        : INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        rsim_ctl_rs *rs = olds[i];
        if (referenced(p, rs)) {
            continue;
        }
        int32_t want =
            rsim_controller_scale_down_delay(p, rs, &annotated, bg->scale_down_delay.value, limit);
        if (want != rs->spec_replicas) {
            (void)rsim_controller_scale_rs(p, rs, want);
        }
    }
}

/* reconcileBlueGreenReplicaSets (§13.1): the active RS held at N, the new RS sized, the others
 * scaled down. Not halted by spec.paused or an inconclusive pause (§23 I10). */
static void reconcile_replica_sets(rsim_ctl_pass *p)
{
    remove_deadlines(p);
    rsim_ctl_rs *active = rs_by_hash(p, p->st->svc_active);
    if (active != NULL) {
        (void)rsim_controller_scale_rs(p, active, p->n);
    }
    reconcile_new_rs(p);
    scale_down_others(p);
    rsim_controller_history_cleanup(p); /* §1.7 */
}

/* ---- pause (§13.3) ---- */

/* reconcileBlueGreenPause; returns whether it added the BlueGreenPause in this pass. */
static bool reconcile_pause(rsim_ctl_pass *p)
{
    const rsim_ctl_status *s = &p->prev;
    if (s->abort || !ready_for_pause(p) || halted(p)) {
        return false;
    }
    if (fast_tracked(p) || strcmp(p->st->svc_active, p->new_rs->hash) == 0 ||
        s->blue_green.scale_up_preview_check_point || !needs_controller_pause(p)) {
        rsim_controller_remove_pause(p, RSIM_CTL_PAUSE_BLUE_GREEN);
        return false;
    }
    if (!completed_pre_analysis(p)) {
        return false; /* the pause waits for pre-promotion success (§23 I11) */
    }
    const rsim_ctl_pause_cond *cond = rsim_controller_find_pause(s, RSIM_CTL_PAUSE_BLUE_GREEN);
    if (cond != NULL) {
        if (!completed_pause(p, false)) {
            if (bg_of(p)->auto_promotion_delay > 0) {
                rsim_controller_requeue(p, cond->start_time + bg_of(p)->auto_promotion_delay +
                                               RSIM_SEC(1));
            }
        } else {
            rsim_controller_remove_pause(p, RSIM_CTL_PAUSE_BLUE_GREEN);
        }
        return false;
    }
    if (!s->controller_pause) {
        rsim_controller_add_pause(p, RSIM_CTL_PAUSE_BLUE_GREEN);
        return true;
    }
    return false;
}

/* ---- analysis (§13.4, §13.5, §15) ---- */

/* §15.5: a current run is replaced after a retry, or after a human resumed its inconclusive
 * pause. */
static bool needs_new_run(const rsim_ctl_pass *p, const rsim_ctl_ar *ar)
{
    if (ar == NULL) {
        return true;
    }
    const rsim_ctl_status *s = &p->prev;
    if (s->aborted_at >= 0 && !s->abort) {
        return true;
    }
    return ar->phase == RSIM_ANALYSIS_INCONCLUSIVE && s->controller_pause &&
           !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_BLUE_GREEN) &&
           !rsim_controller_has_pause(s, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS);
}

/* skipPrePromotionAnalysisRun: the new RS is already stable or active, nothing is active yet,
 * or the new RS is not at its preview size with every pod available. */
static bool skip_pre_analysis(const rsim_ctl_pass *p)
{
    const rsim_ctl_status *s = &p->prev;
    const char *cur = p->new_rs->hash;
    if (strcmp(s->stable_rs, cur) == 0 || s->blue_green.active_selector[0] == '\0' ||
        strcmp(s->blue_green.active_selector, cur) == 0) {
        return true;
    }
    const rsim_spec_blue_green *bg = bg_of(p);
    if (bg->preview_replica_count.set) {
        int32_t want = (int32_t)bg->preview_replica_count.value;
        return p->new_rs->spec_replicas != want || p->new_rs->available != want;
    }
    return !saturated(p, p->new_rs);
}

static void check_outcome(rsim_ctl_pass *p, const rsim_ctl_ar *ar)
{
    if (ar == NULL) {
        return;
    }
    if (ar->phase == RSIM_ANALYSIS_FAILED || ar->phase == RSIM_ANALYSIS_ERROR) {
        rsim_controller_raise_abort(p, ar->message);
    } else if (ar->phase == RSIM_ANALYSIS_INCONCLUSIVE && !p->prev.controller_pause &&
               !rsim_controller_has_pause(&p->st->status, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS)) {
        rsim_controller_add_pause(p, RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS);
        p->inconclusive_added = true;
    }
}

/* One of the two runs: terminated when skipped, (re)created when needed, judged. */
static void reconcile_run(rsim_ctl_pass *p,
                          rsim_ctl_ar_kind kind,
                          const rsim_spec_rollout_analysis *analysis,
                          bool skip)
{
    rsim_ctl_ar *ar = current_run(p, kind);
    if (!analysis->set || skip || p->prev.promote_full) {
        if (ar != NULL) {
            rsim_controller_terminate_ar(p, ar);
        }
        return;
    }
    if (ar != NULL && strcmp(ar->pod_hash, p->new_rs->hash) != 0) {
        rsim_controller_terminate_ar(p, ar); /* a run of an earlier revision */
        ar = NULL;
    }
    if (needs_new_run(p, ar)) {
        if (ar != NULL) {
            rsim_controller_terminate_ar(p, ar);
        }
        if (halted(p)) {
            return; /* no new runs while halted (§11.3) */
        }
        ar = rsim_controller_create_ar(p, kind, -1, analysis);
    }
    check_outcome(p, ar);
}

static void reconcile_analysis(rsim_ctl_pass *p)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    if (p->prev.abort) {
        rsim_controller_terminate_all_ars(p); /* §12, §15.6 */
        return;
    }
    /* Runs of another kind of strategy or revision are no longer current. */
    for (size_t i = 0; i < p->st->n_ars; i++) {
        rsim_ctl_ar *ar = &p->st->ars[i];
        if (ar->current && ar->kind != RSIM_CTL_AR_PRE && ar->kind != RSIM_CTL_AR_POST) {
            rsim_controller_terminate_ar(p, ar);
        }
    }
    reconcile_run(p, RSIM_CTL_AR_PRE, &bg->pre_promotion, skip_pre_analysis(p));
    reconcile_run(p, RSIM_CTL_AR_POST, &bg->post_promotion, skip_post_analysis(p));
}

/* ---- status (§11.1, §13.2, §13.8) ---- */

/* shouldFullPromote for blue-green (§11.1). */
static const char *should_full_promote(rsim_ctl_pass *p)
{
    const rsim_ctl_status *s = &p->st->status;
    if (s->stable_rs[0] != '\0' && strcmp(s->stable_rs, s->current_pod_hash) == 0) {
        return "";
    }
    if (s->blue_green.active_selector[0] == '\0') {
        return "Initial deploy";
    }
    if (strcmp(s->blue_green.active_selector, s->current_pod_hash) != 0) {
        return "";
    }
    if (p->prev.promote_full) {
        return "Full promotion requested";
    }
    if (rsim_controller_is_aborting(p)) {
        return "";
    }
    if (bg_of(p)->post_promotion.set) {
        const rsim_ctl_ar *post = current_run(p, RSIM_CTL_AR_POST);
        if (post == NULL || post->phase != RSIM_ANALYSIS_SUCCESSFUL) {
            return "";
        }
    }
    return "Completed blue-green update";
}

/* calculateScaleUpPreviewCheckPoint (§13.2): a one-way switch, set once the preview RS has
 * previewReplicaCount pods available after the pause and pre-promotion analysis. */
static bool preview_checkpoint(rsim_ctl_pass *p)
{
    const rsim_spec_blue_green *bg = bg_of(p);
    if (!bg->preview_replica_count.set) {
        return false;
    }
    if (p->prev.blue_green.scale_up_preview_check_point) {
        return true;
    }
    if (!completed_pre_analysis(p) || !completed_pause(p, false)) {
        return false;
    }
    return p->new_rs->available == (int32_t)bg->preview_replica_count.value;
}

static void promote(rsim_ctl_pass *p, const char *reason)
{
    rsim_ctl_status *s = &p->st->status;
    s->n_pause = 0;
    s->abort = false;
    p->abort_added = false;
    s->promote_full = false;
    s->blue_green.scale_up_preview_check_point = false;
    if (strcmp(s->stable_rs, s->current_pod_hash) != 0) {
        rsim_controller_copy(s->stable_rs, sizeof s->stable_rs, s->current_pod_hash);
        rsim_controller_event(p, "RolloutCompleted",
                              "Rollout completed update to revision %lld (%s): %s",
                              (long long)p->new_rs->revision, s->current_pod_hash, reason);
    }
}

/* syncRolloutStatusBlueGreen. */
static void sync_status(rsim_ctl_pass *p)
{
    rsim_ctl_state *st = p->st;
    rsim_ctl_status *s = &st->status;
    if (p->prev.promote_full) {
        s->n_pause = 0;
        s->abort = false;
        p->abort_added = false;
    }
    rsim_controller_copy(s->blue_green.preview_selector, RSIM_CTL_NAMEMAX, st->svc_preview);
    rsim_controller_copy(s->blue_green.active_selector, RSIM_CTL_NAMEMAX, st->svc_active);
    const char *reason = should_full_promote(p);
    if (reason[0] != '\0') {
        promote(p, reason);
    } else {
        s->blue_green.scale_up_preview_check_point = preview_checkpoint(p);
    }
    rsim_controller_status_counts(p, rs_by_hash(p, s->blue_green.active_selector));
    rsim_controller_persist(p, true, false);
}

/* §14.8 / CheckPodSpecChange: the pass that sees a new template resets the status and scales
 * nothing. */
static bool reset_if_changed(rsim_ctl_pass *p)
{
    rsim_ctl_status *s = &p->st->status;
    if (strcmp(s->current_pod_hash, p->new_rs->hash) == 0) {
        return false;
    }
    rsim_controller_copy(s->current_pod_hash, sizeof s->current_pod_hash, p->new_rs->hash);
    s->n_pause = 0;
    s->abort = false;
    s->promote_full = false;
    s->blue_green.scale_up_preview_check_point = false;
    for (size_t i = 0; i < p->st->n_ars; i++) {
        p->st->ars[i].current = false; /* analysis statuses cleared */
    }
    sync_status(p);
    return true;
}

void rsim_controller_bluegreen_pass(rsim_ctl_pass *p)
{
    reconcile_preview(p); /* right after the new RS exists */
    if (reset_if_changed(p)) {
        return;
    }
    (void)rsim_controller_restart_pods(p); /* §14.6: blue-green carries on after evictions */
    reconcile_replica_sets(p);
    bool pause_added = reconcile_pause(p);
    reconcile_active(p, pause_added);
    reconcile_analysis(p);
    sync_status(p);
}
