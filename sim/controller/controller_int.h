/* controller_int.h - the controller's internals: the replica arithmetic of §6-§10 as pure functions
 * over plain numbers, the per-pass context, and the helpers shared by the canary and blue-green
 * passes (conditions, phase, pause conditions, analysis bookkeeping, status counts, scale-down
 * delays, effects). Included only by the controller sources and its unit tests.
 * Ownership: as controller.h; a rsim_ctl_pass borrows the state, options and effects for one
 * pass. */
#ifndef RSIM_CONTROLLER_INT_H
#define RSIM_CONTROLLER_INT_H

#include "controller.h"

/* ==== replica arithmetic (replicas.c): plain numbers in, numbers out ==== */

/* §7.1: resolve an int-or-percent against n; percentages round up (surge) or down
 * (unavailable). An unset value means the default "25%". */
int32_t rsim_controller_resolve_up(const rsim_spec_int_or_pct *v, int32_t n);
int32_t rsim_controller_resolve_down(const rsim_spec_int_or_pct *v, int32_t n);

/* §7.1 canary: surge rounds up, unavailable rounds down and is capped at n; both 0 → unavailable
 * 1 (the fencepost rule); n == 0 → unavailable 0. */
void rsim_controller_canary_surge_unavailable(const rsim_spec_int_or_pct *surge,
                                              const rsim_spec_int_or_pct *unavailable,
                                              int32_t n,
                                              int32_t *out_surge,
                                              int32_t *out_unavailable);

/* §7.1 / §3.10 blue-green: plain rounded-down percentage capped at n, no fencepost. */
int32_t rsim_controller_bg_max_unavailable(const rsim_spec_int_or_pct *unavailable, int32_t n);

/* §7.2: the (canary, stable) pair that best approximates weight w of wmax with n pods, allowing
 * n+1 pods when surge > 0. Exact candidate order; closer wins, earlier wins ties. */
void rsim_controller_approx_split(
    int32_t n, int32_t w, int32_t wmax, int32_t surge, int32_t *canary, int32_t *stable);

/* One ReplicaSet as the arithmetic sees it. */
typedef struct rsim_ctl_rsn {
    bool exists;
    int32_t spec;      /* spec.replicas */
    int32_t available; /* status.availableReplicas */
    int32_t replicas;  /* status.replicas (for §7.6 stable check) */
} rsim_ctl_rsn;

/* Inputs of the basic-canary count calculation (§7.3, §7.4). */
typedef struct rsim_ctl_basic_in {
    int32_t n;           /* spec.replicas */
    int32_t weight;      /* desired weight (§6) */
    int32_t wmax;        /* 100 for basic canary */
    int32_t surge;       /* resolved (§7.1) */
    int32_t unavailable; /* resolved (§7.1) */
    rsim_ctl_rsn canary; /* the new RS */
    rsim_ctl_rsn stable; /* exists=false when there is none or it is the new RS */
    int32_t older_spec;  /* Σ spec.replicas of the other RSs */
} rsim_ctl_basic_in;

/* §7.3-§7.4: target spec.replicas of the canary and stable RSs for a basic canary. */
void rsim_controller_basic_counts(const rsim_ctl_basic_in *in, int32_t *canary, int32_t *stable);

/* Inputs of the traffic-routed count calculation (§8). */
typedef struct rsim_ctl_tr_in {
    int32_t n, wmax;
    bool has_scale_replicas; /* setCanaryScale.replicas override active (§6.3) */
    int32_t scale_replicas;
    int32_t weight;   /* desired weight: setCanaryScale weight or set weight (§6) */
    bool dynamic;     /* dynamicStableScale */
    bool abort;       /* status.abort */
    bool has_weights; /* recorded weights (status.canary.weights) are available */
    int32_t recorded_canary, recorded_stable;
    int32_t min_pods; /* minPodsPerReplicaSet, 0 = unset */
} rsim_ctl_tr_in;

/* §8.1: ceil(w·n/wmax). */
int32_t rsim_controller_weight_to_pods(int32_t n, int32_t w, int32_t wmax);
/* §8.2 minPodsPerReplicaSet: a non-zero count raised to min (min capped at n); 0 stays 0. */
int32_t rsim_controller_min_pods(int32_t count, int32_t min_pods, int32_t n);
/* §8: target spec.replicas of the canary and stable RSs with traffic routing. */
void rsim_controller_tr_counts(const rsim_ctl_tr_in *in, int32_t *canary, int32_t *stable);

/* §6: the desired canary size from spec and status (GetCanaryReplicasOrWeight). */
typedef struct rsim_ctl_desired {
    bool has_replicas; /* setCanaryScale.replicas */
    int32_t replicas;
    int32_t weight; /* otherwise */
} rsim_ctl_desired;

int32_t rsim_controller_wmax(const rsim_spec_rollout *spec);
/* §6.2 current set weight (0 on abort, W_max past the end or without steps). */
int32_t rsim_controller_current_set_weight(const rsim_spec_rollout *spec,
                                           const rsim_ctl_status *st);
/* §6.3 the setCanaryScale in force, or NULL. */
const rsim_spec_set_canary_scale *
rsim_controller_use_set_canary_scale(const rsim_spec_rollout *spec, const rsim_ctl_status *st);
/* §6.1-§6.3. */
rsim_ctl_desired rsim_controller_canary_replicas_or_weight(const rsim_spec_rollout *spec,
                                                           const rsim_ctl_status *st);
/* §6.4 abort walk-down with dynamicStableScale: the first setWeight from the end whose pods are
 * fewer than the canary pods still needed; 0 if none. explicit_delay: abortScaleDownDelaySeconds
 * explicitly set to a non-zero value. */
int32_t rsim_controller_abort_walk_weight(const rsim_spec_rollout *spec,
                                          int32_t n,
                                          int32_t stable_available,
                                          int32_t canary_available,
                                          bool explicit_delay);

/* §9 abort / rollback formula (dynamic only). */
int32_t rsim_controller_abort_weight(int32_t wmax,
                                     int32_t n,
                                     int32_t desired,
                                     int32_t stable_available,
                                     bool has_recorded,
                                     int32_t recorded_canary);

/* §7.6 replicaProgressThreshold: whether available pods of desired meet it (NULL spec canary =
 * the default 100% rule). */
bool rsim_controller_progress_threshold_met(const rsim_spec_canary *c,
                                            int32_t desired,
                                            int32_t available);

/* §9 guard: the stable RS has enough available pods for the canary to receive weight. */
bool rsim_controller_weight_guard_ok(
    const rsim_spec_canary *c, int32_t wmax, int32_t n, int32_t weight, int32_t stable_available);

/* §7.6 "at desired" given the targets computed for this pass. */
bool rsim_controller_at_desired(bool traffic_routed,
                                bool dynamic,
                                const rsim_spec_canary *c,
                                const rsim_ctl_rsn *canary,
                                int32_t desired_canary,
                                const rsim_ctl_rsn *stable,
                                int32_t desired_stable,
                                int32_t older_available);

/* §10.1 / §10.2 / §23 E3: scale the other (older) RSs down. olds are ordered newest revision
 * first; olds[i].spec is updated in place. First every unhealthy RS (spec > available) goes to
 * its available count, ignoring budgets; then budget = total_available - (n - unavailable); while
 * the budget is > 0 each RS with pods goes to its desired size: basic canary (desired == NULL)
 * spec - budget floored at 0; otherwise desired(arg, i) (the scale-down-delay helper), and the
 * budget drops by the whole reduction. skip[i] (may be NULL) marks referenced RSs left alone.
 * Returns the number of pods scaled away. */
typedef int32_t rsim_ctl_desired_fn(void *arg, size_t i);
int32_t rsim_controller_scale_down_old(int32_t n,
                                       int32_t unavailable,
                                       int32_t total_available,
                                       size_t n_olds,
                                       rsim_ctl_rsn *olds,
                                       const bool *skip,
                                       rsim_ctl_desired_fn *desired,
                                       void *arg);

/* ==== one pass ==== */

typedef struct rsim_ctl_pass {
    rsim_ctl_state *st;
    const rsim_spec_rollout *spec;
    const rsim_ctl_opts *opts;
    rsim_ctl_effects *fx;
    rsim_time now;          /* raw */
    rsim_time now_s;        /* truncated per opts (§23 I15) */
    int32_t n;              /* spec.replicas */
    rsim_ctl_rs *new_rs;    /* matches the current template, or NULL */
    rsim_ctl_rs *stable_rs; /* status.stableRS, or NULL */
    bool scaled;            /* an RS was scaled in this pass */
    /* An abort or pause raised inside this pass is persisted only at its end (§23 I9): the
     * status fields keep their old values until then, as c.rollout.Status does upstream. */
    bool abort_added;
    char abort_msg[RSIM_CTL_MSGMAX];
    bool inconclusive_added;
    /* The status and RSs as read at the start of the pass (§5.10, §8.4, §17.2). */
    rsim_ctl_status prev;
    size_t n_pre;
    rsim_ctl_rs pre[RSIM_CTL_MAX_RS];
} rsim_ctl_pass;

/* Whether the rollout counts as aborted in this pass (status or raised now). */
bool rsim_controller_is_aborting(const rsim_ctl_pass *p);
/* The RS with that hash among the pre-pass copies, or NULL. */
const rsim_ctl_rs *rsim_controller_pre_rs(const rsim_ctl_pass *p, const char *hash);

/* ---- pod restarts (restart.c, §14.6) ---- */
/* Whether spec.restartAt asks for pods to be restarted now (set, reached, not yet done). */
bool rsim_controller_needs_restart(const rsim_ctl_state *st, rsim_time now);
/* One round of restarts: evicts pods created before spec.restartAt, stable RS first, then the
 * new RS, then the others oldest first, at most available - (max(N, total) - max(maxUnavailable,
 * 1)) pods; rechecks in 30 s while any remain; sets status.restartedAt when none remain.
 * Returns the number of pods evicted (the canary pass ends when > 0). */
int32_t rsim_controller_restart_pods(rsim_ctl_pass *p);
/* A new template cancels a restart in progress: status.restartedAt = spec.restartAt. */
void rsim_controller_restart_cancel(rsim_ctl_pass *p);

/* Dispatch targets (canary.c, bluegreen.c). */
void rsim_controller_canary_pass(rsim_ctl_pass *p);
void rsim_controller_bluegreen_pass(rsim_ctl_pass *p);

/* ---- effects (fx.c) ---- */
rsim_ctl_fx *rsim_controller_fx_add(rsim_ctl_pass *p, rsim_ctl_fx_kind kind);
void rsim_controller_event(rsim_ctl_pass *p, const char *reason, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void rsim_controller_requeue(rsim_ctl_pass *p, rsim_time at);
/* Truncate per opts (§23 I15). */
rsim_time rsim_controller_stamp(const rsim_ctl_pass *p, rsim_time t);
void rsim_controller_copy(char *dst, size_t cap, const char *src);

/* ---- ReplicaSets (rs.c) ---- */
/* Set spec.replicas (and the desired-replicas annotation to n); records RS_SCALE and the
 * controller's ScalingReplicaSet event. Returns whether the size changed. */
bool rsim_controller_scale_rs(rsim_ctl_pass *p, rsim_ctl_rs *rs, int32_t replicas);
/* Set (deadline >= 0) or remove (-1) the scale-down-deadline annotation. */
void rsim_controller_annotate_deadline(rsim_ctl_pass *p, rsim_ctl_rs *rs, rsim_time deadline);
/* §1.7 revision-history cleanup (reconcileRevisionHistoryLimit): of the RSs that are neither new
 * nor stable, the oldest (by revision) beyond spec.revisionHistoryLimit are deleted when scaled
 * to 0 with no pods left (records RS_DELETE; p->new_rs and p->stable_rs are re-pointed). */
void rsim_controller_history_cleanup(rsim_ctl_pass *p);
/* Create the RS for the current template (§18 step 4). */
rsim_ctl_rs *rsim_controller_create_rs(rsim_ctl_pass *p);
/* Whether the status still references the RS (stable, current, recorded weights), so that it
 * must not be drained (IsStillReferenced, §10.2). */
bool rsim_controller_is_referenced(const rsim_ctl_pass *p, const rsim_ctl_rs *rs);
/* §10.3 scaleDownDelayHelper for one other RS (newest first): returns the size to keep it at.
 * annotated counts RSs under a deadline so far (in/out). No deadline and pods: annotate with
 * now + delay (delay 0: no annotation, kept as is, §23 I7) and keep, unless beyond the revision
 * limit (then 0); with a deadline: beyond the limit → 0, before it → n, after it → 0. */
int32_t rsim_controller_scale_down_delay(
    rsim_ctl_pass *p, rsim_ctl_rs *rs, int64_t *annotated, rsim_time delay, int64_t revision_limit);
void rsim_controller_select_service(rsim_ctl_pass *p,
                                    char *selector,
                                    const char *service,
                                    const char *hash);
/* Recompute status counts (replicas/updated/ready/available) over all RSs, or (blue-green,
 * §13.8) ready/available over the active RS only when active is not NULL. */
void rsim_controller_status_counts(rsim_ctl_pass *p, const rsim_ctl_rs *active);

/* ---- pause conditions (pause.c, §11.2) ---- */
bool rsim_controller_has_pause(const rsim_ctl_status *s, rsim_ctl_pause_reason reason);
const rsim_ctl_pause_cond *rsim_controller_find_pause(const rsim_ctl_status *s,
                                                      rsim_ctl_pause_reason reason);
void rsim_controller_add_pause(rsim_ctl_pass *p, rsim_ctl_pause_reason reason);
void rsim_controller_clear_pauses(rsim_ctl_pass *p);
void rsim_controller_remove_pause(rsim_ctl_pass *p, rsim_ctl_pause_reason reason);

/* ---- conditions and phase (status.c, §17) ---- */
/* Set a condition; lastTransitionTime changes only when status flips, lastUpdateTime always. */
void rsim_controller_set_condition(rsim_ctl_pass *p,
                                   rsim_ctl_cond_type type,
                                   rsim_ctl_cond_status status,
                                   const char *reason,
                                   const char *message);
rsim_ctl_condition *rsim_controller_condition(rsim_ctl_state *st, rsim_ctl_cond_type type);
/* §17.3 / §23 E6 RolloutTimedOut on the persisted Progressing condition. */
bool rsim_controller_timed_out(const rsim_ctl_pass *p);
/* §17.1: phase and message from the state. */
void rsim_controller_calc_phase(rsim_ctl_pass *p, bool blue_green);
/* Raise an abort inside the pass (§12); persisted by rsim_controller_persist (§23 I9). message
 * is the cause ("" for a user abort). */
void rsim_controller_raise_abort(rsim_ctl_pass *p, const char *message);
/* Remove a condition. */
void rsim_controller_remove_condition(rsim_ctl_pass *p, rsim_ctl_cond_type type);
/* Persist the pass's status (CalculatePauseStatus + abort): a raised abort sets abort,
 * abortedAt (first time only) and clears pause conditions (§11.4); controllerPause follows the
 * pause conditions. Then §17 conditions (unless skip_conditions) and the phase. */
void rsim_controller_persist(rsim_ctl_pass *p, bool blue_green, bool skip_conditions);
/* §17 conditions for the new status (calculateRolloutConditions), with §17.4 abort. */
void rsim_controller_calc_conditions(rsim_ctl_pass *p, bool blue_green);
/* printf into a fixed buffer (truncating). */
void rsim_controller_fmt(char *dst, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- analysis bookkeeping (analysis.c, §15) ---- */
/* The current run of that kind (and step index for step runs), or NULL. */
rsim_ctl_ar *rsim_controller_current_ar(rsim_ctl_state *st, rsim_ctl_ar_kind kind, int32_t step);
rsim_ctl_ar *rsim_controller_create_ar(rsim_ctl_pass *p,
                                       rsim_ctl_ar_kind kind,
                                       int32_t step,
                                       const rsim_spec_rollout_analysis *analysis);
void rsim_controller_terminate_ar(rsim_ctl_pass *p, rsim_ctl_ar *ar);
/* Terminate every current run (abort, promotion, §15.6). */
void rsim_controller_terminate_all_ars(rsim_ctl_pass *p);

/* ---- experiments (experiment.c, §5.5, §15.8) ---- */
/* The rollout's Experiment work for one canary pass: create the current step's Experiment,
 * terminate others, act on its phase (abort, InconclusiveExperiment pause), then run the
 * experiment controller over every Experiment still holding ReplicaSets. */
void rsim_controller_experiments(rsim_ctl_pass *p);
/* The current Experiment of that step, or NULL. */
rsim_ctl_experiment *rsim_controller_current_exp(rsim_ctl_state *st, int32_t step);
/* Whether the current Experiment of that step is Successful (the step completes). */
bool rsim_controller_experiment_done(rsim_ctl_state *st, int32_t step);

#endif
