/* controller.h - the Argo Rollouts reconciler as a pure pass over a state (reference §5-§19).
 * rsim_ctl_state holds everything the controller reads and writes for one Rollout, in Argo's
 * terms: the spec (borrowed), the run-time template identity and user fields, status, the owned
 * ReplicaSets, the owned AnalysisRuns, the service selectors and the router's weights/routes.
 * rsim_controller_reconcile runs one pass (§18), mutates the state exactly as the real controller
 * would persist it, and lists in rsim_ctl_effects what it did to the outside world, in order.
 *
 * How the world feeds the state: whoever owns the world applies the effects (create/scale RSs,
 * switch selectors, program the router, create/terminate AnalysisRuns) and, before the next
 * pass, writes the *observed* fields only: rsim_ctl_rs.{replicas,ready,available} and
 * rsim_ctl_ar.phase. The controller never writes those observed fields (except that it creates
 * the entries), and the world never writes anything else. Verbs (rsim_controller_abort, ...)
 * patch the state the way kubectl-argo-rollouts patches the object (§14).
 *
 * Ownership: the state embeds all its storage (fixed-size buffers, no heap); the spec pointer and
 * the analysis pointers inside it are borrowed from the scenario, which must outlive the state.
 * Effects are caller storage, filled by one pass. Start at rsim_controller_reconcile. */
#ifndef RSIM_CONTROLLER_H
#define RSIM_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

#include "analysis.h"
#include "spec.h"

/* ---- sizes ---- */

#define RSIM_CTL_NAMEMAX    64  /* names, hashes, reasons, template keys (incl. NUL) */
#define RSIM_CTL_IMAGEMAX   128 /* container image */
#define RSIM_CTL_MSGMAX     256 /* condition / event / phase messages */
#define RSIM_CTL_MAX_RS     64  /* owned ReplicaSets kept (revision history included) */
#define RSIM_CTL_MAX_AR     32  /* owned AnalysisRuns kept */
#define RSIM_CTL_MAX_PAUSE  4   /* status.pauseConditions */
#define RSIM_CTL_MAX_COND   8   /* status.conditions */
#define RSIM_CTL_MAX_ROUTES 8   /* managed header/mirror routes set in the router */
#define RSIM_CTL_MAX_FX     64  /* effects listed by one pass */
#define RSIM_CTL_MAX_EXP    4   /* owned Experiments kept */
#define RSIM_CTL_MAX_EXP_RS 4   /* templates (ReplicaSets) of one Experiment */
#define RSIM_CTL_MAX_EXP_AR 4   /* analyses of one Experiment */
#define RSIM_CTL_MAX_XARGS  8   /* args of one Experiment analysis, resolved */

/* Experiment spec.scaleDownDelaySeconds as the Rollout creates it (§15.8). */
#define RSIM_CTL_EXP_SCALE_DOWN_DELAY RSIM_SEC(30)

/* Restart recheck interval (§14.6, §21). */
#define RSIM_CTL_RESTART_RECHECK RSIM_SEC(30)

/* ---- status ---- */

typedef enum rsim_ctl_pause_reason {
    RSIM_CTL_PAUSE_CANARY_STEP,             /* CanaryPauseStep */
    RSIM_CTL_PAUSE_BLUE_GREEN,              /* BlueGreenPause */
    RSIM_CTL_PAUSE_INCONCLUSIVE_ANALYSIS,   /* InconclusiveAnalysisRun */
    RSIM_CTL_PAUSE_INCONCLUSIVE_EXPERIMENT, /* InconclusiveExperiment */
} rsim_ctl_pause_reason;

/* status.pauseConditions[] (§11.2). */
typedef struct rsim_ctl_pause_cond {
    rsim_ctl_pause_reason reason;
    rsim_time start_time; /* truncated to seconds when opts say so (§23 I15) */
} rsim_ctl_pause_cond;

typedef enum rsim_ctl_cond_type {
    RSIM_CTL_COND_PROGRESSING,
    RSIM_CTL_COND_AVAILABLE,
    RSIM_CTL_COND_PAUSED,
    RSIM_CTL_COND_COMPLETED,
    RSIM_CTL_COND_HEALTHY,
    RSIM_CTL_COND_INVALID_SPEC,
    RSIM_CTL_COND_REPLICA_FAILURE,
} rsim_ctl_cond_type;

/* A condition's status; False and True are 0 and 1 so a bool converts. */
typedef enum rsim_ctl_cond_status {
    RSIM_CTL_COND_FALSE = 0,
    RSIM_CTL_COND_TRUE = 1,
    RSIM_CTL_COND_UNKNOWN = 2,
} rsim_ctl_cond_status;

/* status.conditions[] (§17). */
typedef struct rsim_ctl_condition {
    rsim_ctl_cond_type type;
    rsim_ctl_cond_status status;
    char reason[RSIM_CTL_NAMEMAX];
    char message[RSIM_CTL_MSGMAX];
    rsim_time last_update;     /* lastUpdateTime */
    rsim_time last_transition; /* lastTransitionTime */
} rsim_ctl_condition;

typedef enum rsim_ctl_phase {
    RSIM_CTL_PHASE_PROGRESSING,
    RSIM_CTL_PHASE_PAUSED,
    RSIM_CTL_PHASE_HEALTHY,
    RSIM_CTL_PHASE_DEGRADED,
} rsim_ctl_phase;

/* status.canary.weights (§9): the recorded split, what the simulator treats as actual traffic. */
typedef struct rsim_ctl_weights {
    bool set; /* weights have been recorded */
    int32_t canary;
    int32_t stable;
    char canary_hash[RSIM_CTL_NAMEMAX];
    char stable_hash[RSIM_CTL_NAMEMAX];
} rsim_ctl_weights;

typedef struct rsim_ctl_blue_green_status {
    char active_selector[RSIM_CTL_NAMEMAX];  /* "" when unset */
    char preview_selector[RSIM_CTL_NAMEMAX]; /* "" when unset */
    bool scale_up_preview_check_point;
} rsim_ctl_blue_green_status;

typedef struct rsim_ctl_status {
    char current_pod_hash[RSIM_CTL_NAMEMAX]; /* "" until the first RS exists */
    char stable_rs[RSIM_CTL_NAMEMAX];        /* "" before the initial deploy promotes */
    char current_step_hash[RSIM_CTL_NAMEMAX];
    int32_t current_step_index; /* -1 = unset */
    bool abort;
    rsim_time aborted_at; /* -1 = unset; first abort time, kept stable (§12) */
    bool promote_full;
    bool controller_pause;
    size_t n_pause;
    rsim_ctl_pause_cond pause[RSIM_CTL_MAX_PAUSE];
    rsim_ctl_weights weights;
    size_t n_conditions;
    rsim_ctl_condition conditions[RSIM_CTL_MAX_COND];
    rsim_ctl_phase phase;
    char message[RSIM_CTL_MSGMAX];    /* status.message */
    rsim_time restarted_at;           /* -1 = unset */
    int64_t observed_template_serial; /* template changes seen (§14.8) */
    rsim_ctl_blue_green_status blue_green;
    /* Counts over the owned RSs, recomputed by each pass (blue-green: §13.8). */
    int32_t replicas, updated_replicas, ready_replicas, available_replicas;
} rsim_ctl_status;

/* ---- owned objects ---- */

/* A ReplicaSet owned by the Rollout. The controller writes everything except the observed
 * status counts, which the world fills. */
typedef struct rsim_ctl_rs {
    char name[RSIM_CTL_NAMEMAX]; /* <rollout>-<hash> */
    char hash[RSIM_CTL_NAMEMAX]; /* rollouts-pod-template-hash */
    char template_key[RSIM_CTL_NAMEMAX];
    char image[RSIM_CTL_IMAGEMAX];
    int64_t revision;      /* rollout.argoproj.io/revision */
    int64_t created_seq;   /* creation order, 0-based */
    int32_t spec_replicas; /* spec.replicas */
    /* Observed (written by the world): status.replicas / readyReplicas / availableReplicas. */
    int32_t replicas, ready, available;
    /* Observed: pods not being deleted that were created before spec.restartAt (§14.6); 0 when
     * restartAt is unset. */
    int32_t restart_old;
    /* Annotations: rollout.argoproj.io/desired-replicas (-1 = absent) and
     * scale-down-deadline (-1 = absent; ms, truncated to seconds, §23 I15). */
    int32_t desired_replicas;
    rsim_time scale_down_deadline;
} rsim_ctl_rs;

typedef enum rsim_ctl_ar_kind {
    RSIM_CTL_AR_STEP,       /* inline step analysis (§15.1) */
    RSIM_CTL_AR_BACKGROUND, /* spec.strategy.canary.analysis (§15.2) */
    RSIM_CTL_AR_PRE,        /* blue-green prePromotionAnalysis */
    RSIM_CTL_AR_POST,       /* blue-green postPromotionAnalysis */
} rsim_ctl_ar_kind;

/* An AnalysisRun owned by the Rollout. phase is observed (written by the world); the rest is the
 * controller's. */
typedef struct rsim_ctl_ar {
    char name[RSIM_CTL_NAMEMAX];
    rsim_ctl_ar_kind kind;
    int32_t step_index;                         /* step runs; -1 otherwise */
    char pod_hash[RSIM_CTL_NAMEMAX];            /* the canary/new hash it was created for */
    const rsim_spec_rollout_analysis *analysis; /* borrowed from the spec */
    rsim_analysis_phase phase;                  /* observed */
    char message[RSIM_CTL_MSGMAX];              /* observed: status.message, "" when none */
    bool terminate;                             /* spec.terminate written by the controller */
    bool current; /* still in status (current*AnalysisRun); false once replaced/terminated */
} rsim_ctl_ar;

/* A managed route programmed in the router (setHeaderRoute / setMirrorRoute). */
typedef struct rsim_ctl_route {
    char name[RSIM_CTL_NAMEMAX];
    bool mirror;  /* setMirrorRoute, else setHeaderRoute */
    int32_t step; /* the step that set it, for the match definition */
} rsim_ctl_route;

/* A ReplicaSet of an Experiment template (§15.8). Observed counts are written by the world, as
 * for rsim_ctl_rs. */
typedef struct rsim_ctl_exp_rs {
    char name[RSIM_CTL_NAMEMAX]; /* <experiment>-<template> */
    char hash[RSIM_CTL_NAMEMAX]; /* rollsim's hash of "<experiment>/<template>", unique */
    char image[RSIM_CTL_IMAGEMAX];
    int64_t revision;                   /* the revision of the RS its specRef names */
    int32_t spec_replicas;              /* spec.replicas */
    int32_t replicas, ready, available; /* observed */
} rsim_ctl_exp_rs;

/* An AnalysisRun of an Experiment. phase and message are observed (written by the world). */
typedef struct rsim_ctl_exp_ar {
    char name[RSIM_CTL_NAMEMAX];               /* <experiment>-<analysis name> */
    const rsim_spec_experiment_analysis *spec; /* borrowed */
    /* The run's inputs for the world: the one template, the analysis's args and the
     * experiment's dryRun (pointers borrowed from the spec). */
    rsim_spec_rollout_analysis analysis;
    /* The args with {{templates.<name>.podTemplateHash}} and {{templates.<name>.replicaset.name}}
     * resolved, when there are at most RSIM_CTL_MAX_XARGS (analysis.args points here). */
    rsim_spec_rollout_arg args[RSIM_CTL_MAX_XARGS];
    char values[RSIM_CTL_MAX_XARGS][RSIM_CTL_MSGMAX];
    bool started;
    bool terminate;
    rsim_analysis_phase phase;     /* observed */
    char message[RSIM_CTL_MSGMAX]; /* observed */
} rsim_ctl_exp_ar;

/* An Experiment created by a canary experiment step (§5.5, §15.8). The experiment controller is
 * simulated by the same pass (docs/modules/controller.md §Experiments). */
typedef struct rsim_ctl_experiment {
    char name[RSIM_CTL_NAMEMAX]; /* <rollout>-<hash>-<revision>-<step> */
    int32_t step_index;
    char pod_hash[RSIM_CTL_NAMEMAX];    /* the canary hash it was created for */
    char stable_hash[RSIM_CTL_NAMEMAX]; /* the stable hash then */
    const rsim_spec_experiment *spec;   /* borrowed */
    rsim_analysis_phase phase;          /* Pending until available, Running, then final */
    char message[RSIM_CTL_MSGMAX];
    rsim_time available_at;  /* status.availableAt, -1 = unset */
    rsim_time ended_at;      /* when it reached its final phase, -1 = running */
    rsim_time scale_down_at; /* ended_at + scaleDownDelaySeconds, -1 = unset */
    bool scaled_down;        /* its ReplicaSets were scaled to 0 */
    bool terminate;          /* spec.terminate written by the rollout */
    bool current;            /* status.canary.currentExperiment */
    size_t n_rs;
    rsim_ctl_exp_rs rs[RSIM_CTL_MAX_EXP_RS];
    size_t n_ars;
    rsim_ctl_exp_ar ars[RSIM_CTL_MAX_EXP_AR];
} rsim_ctl_experiment;

typedef struct rsim_ctl_state {
    const rsim_spec_rollout *spec; /* borrowed */
    /* spec.template identity at run time (setImage/undo change it). */
    char template_key[RSIM_CTL_NAMEMAX];
    char image[RSIM_CTL_IMAGEMAX];
    int64_t template_serial; /* bumped by every template change; compared by the pass */
    bool paused;             /* spec.paused (verbs write it; starts from the spec) */
    rsim_time restart_at;    /* spec.restartAt, -1 = unset */
    rsim_ctl_status status;
    size_t n_rs;
    rsim_ctl_rs rs[RSIM_CTL_MAX_RS];
    int64_t rs_created; /* RSs ever created (creation order) */
    size_t n_ars;
    rsim_ctl_ar ars[RSIM_CTL_MAX_AR];
    int64_t ars_created;
    size_t n_exps;
    rsim_ctl_experiment exps[RSIM_CTL_MAX_EXP];
    /* Service selectors (rollouts-pod-template-hash), "" = none. */
    char svc_canary[RSIM_CTL_NAMEMAX];
    char svc_stable[RSIM_CTL_NAMEMAX];
    char svc_active[RSIM_CTL_NAMEMAX];
    char svc_preview[RSIM_CTL_NAMEMAX];
    /* The router's state as last programmed (TR only). */
    int32_t router_canary_weight, router_stable_weight;
    size_t n_routes;
    rsim_ctl_route routes[RSIM_CTL_MAX_ROUTES];
    int64_t n_reconciles; /* passes run so far */
} rsim_ctl_state;

/* ---- options ---- */

typedef struct rsim_ctl_opts {
    bool truncate_seconds; /* persisted times to whole seconds (§23 I15); default true */
} rsim_ctl_opts;

/* Fill opts with defaults. */
void rsim_controller_opts_init(rsim_ctl_opts *opts);

/* ---- effects ---- */

typedef enum rsim_ctl_fx_kind {
    RSIM_CTL_FX_RS_CREATE,      /* name, hash, template_key, image, revision; replicas 0 */
    RSIM_CTL_FX_RS_SCALE,       /* name, hash, replicas (old value in prev) */
    RSIM_CTL_FX_RS_ANNOTATE,    /* name, hash, deadline (ms) set, or -1 removed */
    RSIM_CTL_FX_SERVICE_SELECT, /* service ("canary","stable","active","preview"), hash */
    RSIM_CTL_FX_WEIGHT,         /* replicas = canary weight, prev = stable weight, hash */
    RSIM_CTL_FX_ROUTE_SET,      /* name = route, step = step index, mirror */
    RSIM_CTL_FX_ROUTE_REMOVE,   /* name = route */
    RSIM_CTL_FX_AR_CREATE,      /* name, ar_kind, step, analysis, hash (latest), stable_hash */
    RSIM_CTL_FX_AR_TERMINATE,   /* name */
    RSIM_CTL_FX_EVENT,          /* reason, message (Kubernetes event) */
    RSIM_CTL_FX_POD_EVICT,      /* hash, replicas = how many of its pods created before deadline
                                   (spec.restartAt) to evict, oldest first (§14.6) */
    RSIM_CTL_FX_RS_DELETE,      /* name, hash, revision: an old RS deleted (§1.7) */
} rsim_ctl_fx_kind;

typedef struct rsim_ctl_fx {
    rsim_ctl_fx_kind kind;
    char name[RSIM_CTL_NAMEMAX];
    char hash[RSIM_CTL_NAMEMAX];
    char stable_hash[RSIM_CTL_NAMEMAX];
    char template_key[RSIM_CTL_NAMEMAX];
    char image[RSIM_CTL_IMAGEMAX];
    int64_t revision;
    int32_t replicas;
    int32_t prev;
    rsim_time deadline;
    rsim_ctl_ar_kind ar_kind;
    int32_t step;
    bool mirror;
    const rsim_spec_rollout_analysis *analysis; /* borrowed from the spec */
    char reason[RSIM_CTL_NAMEMAX];
    char message[RSIM_CTL_MSGMAX];
} rsim_ctl_fx;

typedef struct rsim_ctl_effects {
    size_t n;
    rsim_ctl_fx items[RSIM_CTL_MAX_FX];
    size_t n_dropped;     /* effects beyond RSIM_CTL_MAX_FX (a bug if ever non-zero) */
    rsim_time requeue_at; /* earliest time the pass asks to run again, -1 none */
    bool status_changed;  /* the pass persisted a status change (re-triggers at once, §5.9) */
} rsim_ctl_effects;

/* ---- lifecycle and the pass ---- */

/* Start a state for a Rollout that has not been reconciled yet: no RS, status empty, template key
 * and image as given (image NULL = the first container's image). spec is borrowed. */
void rsim_controller_state_init(rsim_ctl_state *st,
                                const rsim_spec_rollout *spec,
                                const char *template_key,
                                const char *image);

/* One reconcile pass at now (§18). Mutates st as the controller persists it and lists the
 * external actions in fx (cleared first). Canary and blue-green are dispatched from here. */
void rsim_controller_reconcile(rsim_ctl_state *st,
                               rsim_time now,
                               const rsim_ctl_opts *opts,
                               rsim_ctl_effects *fx);

/* ---- verbs (§14), written as kubectl-argo-rollouts patches them ---- */

typedef enum rsim_ctl_promote_mode {
    RSIM_CTL_PROMOTE,              /* plain promote (§14.3) */
    RSIM_CTL_PROMOTE_SKIP_CURRENT, /* --skip-current-step */
    RSIM_CTL_PROMOTE_SKIP_ALL,     /* --skip-all-steps */
} rsim_ctl_promote_mode;

void rsim_controller_abort(rsim_ctl_state *st);
void rsim_controller_retry(rsim_ctl_state *st);
void rsim_controller_promote(rsim_ctl_state *st, rsim_ctl_promote_mode mode);
void rsim_controller_promote_full(rsim_ctl_state *st);
void rsim_controller_pause(rsim_ctl_state *st);
void rsim_controller_resume(rsim_ctl_state *st);
/* spec.restartAt = at (truncated to seconds as the CLI writes RFC 3339). */
void rsim_controller_restart(rsim_ctl_state *st, rsim_time at);
/* A new spec.template (setImage / apply); image NULL keeps the current image. */
void rsim_controller_set_template(rsim_ctl_state *st, const char *template_key, const char *image);
/* Roll spec.template back to the RS of that revision (0 = the previous one); returns false when
 * no such RS exists. */
bool rsim_controller_undo(rsim_ctl_state *st, int64_t to_revision);

/* ---- read helpers ---- */

const char *rsim_controller_phase_name(rsim_ctl_phase phase);
const char *rsim_controller_cond_type_name(rsim_ctl_cond_type type);
const char *rsim_controller_pause_reason_name(rsim_ctl_pause_reason reason);
const char *rsim_controller_fx_kind_name(rsim_ctl_fx_kind kind);
/* The RS with that hash, or NULL. */
rsim_ctl_rs *rsim_controller_find_rs(rsim_ctl_state *st, const char *hash);
/* The Experiment ReplicaSet with that hash, or NULL. */
rsim_ctl_exp_rs *rsim_controller_find_exp_rs(rsim_ctl_state *st, const char *hash);
/* The condition of that type, or NULL. */
const rsim_ctl_condition *rsim_controller_find_condition(const rsim_ctl_state *st,
                                                         rsim_ctl_cond_type type);
/* status.currentStepHash for the spec's canary steps ("" for blue-green). */
void rsim_controller_step_hash(const rsim_spec_rollout *spec, char out[RSIM_CTL_NAMEMAX]);
/* The pod-template hash rollsim uses for a template key (10 lowercase alphanumerics). */
void rsim_controller_template_hash(const char *template_key, char out[RSIM_CTL_NAMEMAX]);

#endif
