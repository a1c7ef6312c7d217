/* spec_snapshot.h - a snapshot of real cluster objects, as `kubectl get rollout,replicaset,
 * analysisrun -o yaml` prints them: one Rollout with its status, the ReplicaSets and AnalysisRuns
 * it owns. Part of spec.h; read by `rollsim reconcile`.
 * Times are absolute: ms since the Unix epoch (RFC 3339 in the source, one-second resolution in
 * practice, §23 I15). Strings are never NULL ("" = absent). Everything lives in the arena of the
 * snapshot that was loaded. */
#ifndef RSIM_SPEC_SNAPSHOT_H
#define RSIM_SPEC_SNAPSHOT_H

#include <rsim/common.h>

#include "spec_rollout.h"

/* status.pauseConditions[] (PauseCondition). */
typedef struct rsim_spec_pause_condition {
    const char *reason;   /* CanaryPauseStep, BlueGreenPause, InconclusiveAnalysisRun, ... */
    rsim_time start_time; /* ms since the epoch */
    rsim_loc loc;
} rsim_spec_pause_condition;

/* status.conditions[] (RolloutCondition). */
typedef struct rsim_spec_rollout_condition {
    const char *type;   /* Progressing, Available, Paused, Healthy, Completed, ... */
    const char *status; /* "True", "False", "Unknown" */
    const char *reason;
    const char *message;
    rsim_time last_update;     /* ms since the epoch */
    rsim_time last_transition; /* ms since the epoch */
    rsim_loc loc;
} rsim_spec_rollout_condition;

/* RolloutAnalysisRunStatus: the run a status field points at. */
typedef struct rsim_spec_run_status_ref {
    bool set;
    const char *name;
    const char *status; /* an AnalysisPhase: Pending, Running, Successful, ... */
    const char *message;
} rsim_spec_run_status_ref;

/* WeightDestination of status.canary.weights. */
typedef struct rsim_spec_weight_dest {
    int64_t weight; /* percent of W_max */
    const char *service_name;
    const char *pod_template_hash;
} rsim_spec_weight_dest;

/* The Rollout's status as the controller last wrote it. */
typedef struct rsim_spec_rollout_status {
    bool set; /* the object carried a status (with at least one field) */
    bool abort;
    bool controller_pause;
    bool promote_full;
    rsim_spec_opt_time aborted_at; /* ms since the epoch */
    rsim_spec_opt_time restarted_at;
    const char *current_pod_hash;
    const char *current_step_hash;
    const char *stable_rs; /* pod-template hash of the stable ReplicaSet */
    const char *phase;
    const char *message;
    const char *selector;
    const char *observed_generation;
    rsim_spec_opt_int current_step_index;
    rsim_spec_opt_int collision_count;
    int64_t replicas, updated_replicas, ready_replicas, available_replicas, hpa_replicas;
    size_t n_pause_conditions;
    const rsim_spec_pause_condition *pause_conditions;
    size_t n_conditions;
    const rsim_spec_rollout_condition *conditions;
    /* status.canary */
    rsim_spec_run_status_ref step_analysis;       /* currentStepAnalysisRunStatus */
    rsim_spec_run_status_ref background_analysis; /* currentBackgroundAnalysisRunStatus */
    const char *current_experiment;
    bool has_weights; /* status.canary.weights present */
    rsim_spec_weight_dest canary_weight, stable_weight;
    size_t n_additional_weights;
    const rsim_spec_weight_dest *additional_weights;
    /* status.blueGreen */
    const char *preview_selector;
    const char *active_selector;
    bool scale_up_preview_checkpoint;
    rsim_spec_run_status_ref pre_promotion_analysis;
    rsim_spec_run_status_ref post_promotion_analysis;
    rsim_loc loc; /* of `status`; the Rollout's document when absent */
} rsim_spec_rollout_status;

/* A ReplicaSet (apps/v1) owned by the Rollout. */
typedef struct rsim_spec_replica_set {
    const char *name;
    const char *pod_template_hash;          /* label rollouts-pod-template-hash ("" when absent) */
    rsim_spec_opt_int revision;             /* annotation rollout.argoproj.io/revision */
    rsim_spec_opt_int desired_replicas;     /* annotation rollout.argoproj.io/desired-replicas */
    rsim_spec_opt_time scale_down_deadline; /* annotation ...scale-down-deadline, ms since epoch */
    rsim_spec_labels labels;                /* metadata.labels */
    rsim_spec_labels annotations;           /* metadata.annotations */
    rsim_spec_opt_time created;             /* metadata.creationTimestamp */
    int64_t replicas;                       /* spec.replicas, default 1 */
    int64_t min_ready_seconds;              /* spec.minReadySeconds */
    int64_t status_replicas, ready_replicas, available_replicas, fully_labeled_replicas;
    /* spec.template equals the Rollout's spec.template, the pod-template-hash label ignored
     * (see rsim_scenario_template_equal for exactly what is compared). */
    bool matches_template;
    rsim_loc loc; /* the document */
} rsim_spec_replica_set;

/* An AnalysisRun (argoproj.io) owned by the Rollout. */
typedef struct rsim_spec_analysis_run_obj {
    const char *name;
    const char *pod_template_hash; /* label rollouts-pod-template-hash */
    const char *rollout_type;      /* label rollout-type: Step, Background, PrePromotion, ... */
    rsim_spec_opt_int step_index;  /* label step-index */
    rsim_spec_labels labels;
    rsim_spec_opt_time created;
    bool terminate;    /* spec.terminate */
    const char *phase; /* status.phase; "" when the run was never reconciled */
    const char *message;
    rsim_spec_opt_time started_at; /* status.startedAt */
    rsim_loc loc;
} rsim_spec_analysis_run_obj;

typedef struct rsim_spec_snapshot {
    const char *file;          /* the snapshot file as given */
    rsim_spec_rollout rollout; /* the Rollout's spec, loaded as a scenario would load it */
    rsim_spec_rollout_status status;
    rsim_spec_opt_time restart_at; /* spec.restartAt, ms since the epoch */
    size_t n_replica_sets;         /* in source order */
    const rsim_spec_replica_set *replica_sets;
    size_t n_analysis_runs; /* in source order */
    const rsim_spec_analysis_run_obj *analysis_runs;
    rsim_time newest; /* the newest timestamp found anywhere in the snapshot; 0 when none */
} rsim_spec_snapshot;

#endif
