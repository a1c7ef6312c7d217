/* engine_int.h - private to the engine module: the engine object, the event log and the
 * operator's view of the Rollout object (the fields the kubectl-argo-rollouts verbs write). */
#ifndef RSIM_ENGINE_INT_H
#define RSIM_ENGINE_INT_H

#include <rsim/engine.h>

#include "analysis.h"
#include "cluster.h"
#include "controller.h"
#include "evq.h"
#include "scenario.h"
#include "traffic.h"
#include "util.h"

typedef enum rsim_log_kind {
    RSIM_LOG_RUN_START,
    RSIM_LOG_RUN_END,
    RSIM_LOG_OPERATOR,
    RSIM_LOG_POD,         /* a pod changed state */
    RSIM_LOG_ANALYSIS,    /* an AnalysisRun was created, changed phase, or could not be made */
    RSIM_LOG_MEASUREMENT, /* a measurement of an AnalysisRun completed */
    RSIM_LOG_RECONCILE,   /* a controller pass (control.c) */
} rsim_log_kind;

/* One ReplicaSet as a controller pass left it: spec.replicas and the observed counts. */
typedef struct rsim_reconcile_rs {
    char hash[RSIM_CTL_NAMEMAX];
    int64_t revision;
    int32_t desired, current, ready, available;
} rsim_reconcile_rs;

/* What one controller pass wrote (docs/outputs.md, "reconcile" lines). */
typedef struct rsim_reconcile_rec {
    size_t first_rs, n_rs; /* into rsim_result.rec_rs */
    bool weights_set;      /* status.canary.weights recorded */
    int32_t canary_weight, stable_weight;
    int32_t step; /* status.currentStepIndex, -1 unset */
    rsim_ctl_phase phase;
    bool abort;
    char message[RSIM_CTL_MSGMAX];
    size_t first_reason, n_reasons; /* NUL-separated event reasons in rsim_result.rec_reasons */
} rsim_reconcile_rec;

/* A change of the Rollout's phase or message. */
typedef struct rsim_phase_change {
    rsim_time t;
    rsim_ctl_phase phase;
    char message[RSIM_CTL_MSGMAX];
} rsim_phase_change;

/* One processed event, as written to the JSON Lines log. Strings are borrowed from the spec or
 * are static. */
typedef struct rsim_log_entry {
    rsim_time t;
    rsim_log_kind kind;
    rsim_op_kind op;       /* RSIM_LOG_OPERATOR: the verb */
    bool changed;          /* whether the verb changed the Rollout object */
    const char *field;     /* the object field the verb writes ("status.abort"), or NULL */
    const char *value;     /* its new value as text ("true"), or NULL */
    const char *image;     /* setImage/undo: the template image afterwards */
    int64_t revision;      /* setImage/undo: the template revision afterwards */
    int64_t from_revision; /* undo: the revision whose template was restored */
    bool skip_current_step;
    bool skip_all_steps;
    const char *target; /* scale, setWeight: the image whose ReplicaSet they act on */
    int64_t amount;     /* scale: replicas; setWeight: weight (percent) */
    rsim_loc loc;       /* the action in the scenario file */
    /* RSIM_LOG_POD: */
    rsim_pod_state pod_state;
    uint32_t pod_rs;
    char pod[64];
    /* RSIM_LOG_ANALYSIS, RSIM_LOG_MEASUREMENT: */
    const char *analysis; /* the run's name (borrowed from the spec) */
    const char *metric;   /* MEASUREMENT: the metric's name (borrowed from the run) */
    const char *phase;    /* the run's or the measurement's phase name (static) */
    bool has_number;      /* MEASUREMENT: the value held a number */
    double number;        /* that number */
    char text[128];       /* MEASUREMENT: the value as text */
    char message[256];    /* why it errored, failed or could not be created; "" when none */
    /* RSIM_LOG_RECONCILE: */
    size_t rec; /* index into rsim_result.recs */
} rsim_log_entry;

/* One ReplicaSet in one tick of the time series. Counts are of the tick (t - tick, t]. */
typedef struct rsim_series_cell {
    uint64_t requests;
    uint64_t failures;
    uint64_t fault_failures;
    double share;                /* of user requests routed to it, 0..1 */
    int32_t pods[RSIM_POD_GONE]; /* pods by state (GONE excluded) */
    int32_t serving;             /* pods receiving new requests */
} rsim_series_cell;

/* One tick of the time series: totals, then one cell per ReplicaSet that existed then. */
typedef struct rsim_series_row {
    rsim_time t;
    double rate_rps; /* user requests of the tick divided by its length */
    uint64_t requests;
    uint64_t failures;
    uint64_t fault_failures;
    size_t first_cell; /* into rsim_result.cells */
    size_t n_cells;
} rsim_series_row;

/* Cumulative counters of one ReplicaSet at the previous sample, for tick deltas. */
typedef struct rsim_series_prev {
    uint64_t requests;
    uint64_t failures;
    uint64_t fault_failures;
} rsim_series_prev;

/* The Rollout object as the operator's verbs see and write it (semantics §14). Revisions count
 * distinct templates in order of first application, as ReplicaSet revisions do. */
typedef struct rsim_rollout_obj {
    const char *image;           /* spec.template image of the simulated container */
    int64_t revision;            /* revision of the current template */
    RSIM_VEC(const char *) revs; /* revs.items[k] = image of revision k+1 */
    bool paused;                 /* spec.paused */
    bool abort;                  /* status.abort */
    bool promote_full;           /* status.promoteFull */
    rsim_time restart_at;        /* spec.restartAt, -1 when unset */
} rsim_rollout_obj;

struct rsim_result {
    const char *scenario; /* borrowed from the scenario */
    uint64_t seed;
    rsim_time covered; /* simulated time run so far */
    RSIM_VEC(rsim_log_entry) log;
    RSIM_VEC(rsim_series_row) rows;
    RSIM_VEC(rsim_series_cell) cells;
    RSIM_VEC(rsim_reconcile_rec) recs;  /* controller passes */
    RSIM_VEC(rsim_reconcile_rs) rec_rs; /* their ReplicaSets */
    RSIM_VEC(char) rec_reasons;         /* their event reasons */
    RSIM_VEC(rsim_phase_change) phases; /* phase history (controller runs only) */
    const rsim_engine *engine;          /* the owner, for ground-truth queries (borrowed) */
};

struct rsim_engine {
    const rsim_scenario *scn; /* borrowed */
    const rsim_spec *spec;    /* borrowed */
    const rsim_spec_world *world;
    const rsim_spec_rollout *rollout;
    rsim_evq *q; /* owned */
    rsim_rollout_obj obj;
    rsim_result result;
    size_t next_action; /* index into world->actions of the next verb to apply */
    bool ended;
    uint64_t seed;
    uint64_t replication;
    rsim_cluster *cluster; /* owned */
    rsim_traffic *traffic; /* owned */
    uint32_t stable_rs;    /* the ReplicaSet running when the run starts */
    rsim_time last_sample; /* time of the previous series row */
    RSIM_VEC(rsim_series_prev) prev;
    RSIM_VEC(int8_t) pod_logged;  /* last state logged per pod id, -1 none */
    struct rsim_observe *observe; /* owned: Prometheus and AnalysisRuns (observe.c), or NULL */
    struct rsim_control *control; /* owned: the reconciler (control.c), or NULL when disabled */
};

/* The world (world.c): cluster and traffic, the time series, world actions. */
void rsim_engine_world_init(rsim_engine *e);
void rsim_engine_world_fini(rsim_engine *e);
/* A new ReplicaSet in the cluster (0 replicas) with its time-series slot; returns its index. */
uint32_t
rsim_engine_world_add_rs(rsim_engine *e, const char *image, int64_t revision, const char *hash);
/* Applies a world action (setImage's new ReplicaSet, scale, setWeight) at now; without a
 * controller only (with one, the controller creates ReplicaSets). */
void rsim_engine_world_apply(rsim_engine *e, const rsim_spec_action *a, rsim_time now);
/* Settles traffic up to the end of the run and takes the last sample. */
void rsim_engine_world_finish(rsim_engine *e, rsim_time now);

/* Prometheus and analysis (observe.c): the scrape model over the world's pods, recording
 * rules, and every AnalysisRun of the run (started by the operator timeline or created by the
 * controller), with their providers. init runs after the controller's init: it builds the model
 * when a startAnalysis action, a recording rule or the controlled Rollout's analysis needs it. */
void rsim_engine_observe_init(rsim_engine *e);
void rsim_engine_observe_fini(rsim_engine *e);
/* Applies an observation action of the timeline (startAnalysis) at now. */
void rsim_engine_observe_apply(rsim_engine *e, const rsim_spec_action *a, rsim_time now);
/* The controller set the rollouts-pod-template-hash of a Service's selector at now (service:
 * its name, or the blue-green role "active" / "preview"): with spec.metrics.targets: services
 * the pods it no longer selects stop being its targets and those it now selects become ones. */
void rsim_engine_observe_service_select(rsim_engine *e,
                                        const char *service,
                                        const char *hash,
                                        rsim_time now);
/* An AnalysisRun the controller created, owned by observe.c (valid until observe_fini). */
typedef struct rsim_observe_run rsim_observe_run;
/* Called at now when a run's phase, as its status shows it, changes (not for its first one). */
typedef void (*rsim_engine_observe_phase_fn)(void *arg, rsim_time now);
/* Creates the AnalysisRun `name` (copied) of the analysis block a (NULL: none; the run is an
 * Error) for the stable and latest pod-template hashes ("" or NULL: unknown), and
 * schedules its first measurement at now. It gets the providers, log lines and time-series
 * columns of a startAnalysis run; a run that cannot be created is logged as an Error and kept
 * as one. Returns NULL only when the model was not built (the Rollout names no analysis). */
rsim_observe_run *rsim_engine_observe_start_run(rsim_engine *e,
                                                const char *name,
                                                const rsim_spec_rollout_analysis *a,
                                                const char *stable,
                                                const char *latest,
                                                rsim_engine_observe_phase_fn on_phase,
                                                void *on_phase_arg,
                                                rsim_time now);
/* The run's phase and message as its status last showed them (Pending and "" before its first
 * reconcile became visible); NULL reads as an Error. *message is borrowed from the run. */
rsim_analysis_phase rsim_engine_observe_run_phase(const rsim_observe_run *r, const char **message);
/* Terminates the run at now unless it has completed (NULL or an Error run: nothing to do). */
void rsim_engine_observe_terminate_run(rsim_observe_run *r, rsim_time now);
/* Time-series columns of the analysis: one per metric of every AnalysisRun started, holding
 * the value its latest measurement completed by then returned. */
size_t rsim_engine_observe_columns(const rsim_engine *e);
/* The column's CSV name: "analysis_<run>_<metric>". */
void rsim_engine_observe_column_name(const rsim_engine *e, size_t col, char *buf, size_t size);
/* The column's value at t: true with *v when the latest measurement completed at or before t
 * returned a number. *cursor starts at 0 for a column and is advanced by calls with
 * non-decreasing t, so a whole column costs one pass over its measurements. */
bool rsim_engine_observe_value(
    const rsim_engine *e, size_t col, rsim_time t, size_t *cursor, double *v);

/* The reconciler (control.c). init (after the cluster exists, before traffic) builds the
 * controller state in its steady state at t = 0 and creates the running revision's ReplicaSets;
 * start (after observe) schedules the first passes. Both do nothing when spec.controller.enabled
 * is false. */
void rsim_engine_control_init(rsim_engine *e);
void rsim_engine_control_start(rsim_engine *e);
void rsim_engine_control_fini(rsim_engine *e);
/* Sends an operator verb to the controller (setImage, undo, promote, ...) and triggers a pass;
 * returns whether the verb changed the Rollout (spec or status). */
bool rsim_engine_control_verb(rsim_engine *e, const rsim_spec_action *a, rsim_time now);
/* The Rollout's template image now (a buffer of the controller; copy it), NULL without one. */
const char *rsim_engine_control_image(const rsim_engine *e);
/* The Rollout's phase and status.message now (Healthy and "" without a controller). */
rsim_ctl_phase rsim_engine_control_phase(const rsim_engine *e, const char **message);
/* The rollouts-pod-template-hash the controller has set on the selector of the Rollout's
 * Service named service (its canary, stable, active or preview Service), "" when none (no
 * controller, another Service, or not set yet). Borrowed from the controller's state. */
const char *rsim_engine_control_service_hash(const rsim_engine *e, const char *service);

/* JSON helpers shared by the writers (output.c). cJSON is declared by the caller's include. */
struct cJSON;
/* Adds "phaseHistory": [{t, phase, message}, ...] to o. */
void rsim_engine_add_phase_history(struct cJSON *o, const rsim_result *r);
/* Prints o (indented, or on one line for JSON Lines) and a newline, then frees o; RSIM_EIO on a
 * write error. */
rsim_err rsim_engine_print_json(struct cJSON *o, bool indented, FILE *out);
/* cJSON returns NULL only when out of memory: this aborts then, and passes item through. */
struct cJSON *rsim_engine_json_need(struct cJSON *item);

/* Operator verbs (operator.c). */
void rsim_engine_operator_init(rsim_rollout_obj *obj, const char *image);
void rsim_engine_operator_fini(rsim_rollout_obj *obj);
/* Applies one action to the object at time now and fills the log entry. */
void rsim_engine_operator_apply(rsim_rollout_obj *obj,
                                const rsim_spec_action *a,
                                rsim_time now,
                                rsim_log_entry *out);

#endif
