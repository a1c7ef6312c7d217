/* rsim/engine.h - running a simulation: one engine per run, owning every run-time object.
 * Ownership: an rsim_engine *borrows* its scenario, which must outlive the engine. The result is
 * owned by the engine (rsim_engine_result returns a borrowed pointer valid until
 * rsim_engine_free). No global state: engines may run side by side in threads. */
#ifndef RSIM_ENGINE_H
#define RSIM_ENGINE_H

#include <stdio.h>

#include <rsim/common.h>
#include <rsim/diag.h>
#include <rsim/scenario.h>

typedef struct rsim_engine rsim_engine;
typedef struct rsim_result rsim_result;

/* Run options; zero-initialise and set what you need. */
typedef struct rsim_engine_opts {
    bool override_seed; /* use `seed` instead of the scenario's */
    uint64_t seed;
    uint64_t replication; /* replication index of a sweep, 0 for a single run */
} rsim_engine_opts;

/* Builds the world of a scenario loaded in RSIM_SCENARIO_RUN mode. opts may be NULL. Reports to
 * diag and returns RSIM_EINVAL when the scenario cannot be run (no Scenario document). */
rsim_err rsim_engine_new(const rsim_scenario *scn,
                         const rsim_engine_opts *opts,
                         rsim_diag *diag,
                         rsim_engine **out);
void rsim_engine_free(rsim_engine *e);

/* Runs to the end of the scenario's duration, or up to simulated time t (the engine may be run
 * further afterwards). Returns RSIM_OK. */
rsim_err rsim_engine_run(rsim_engine *e);
rsim_err rsim_engine_run_until(rsim_engine *e, rsim_time t);
rsim_time rsim_engine_now(const rsim_engine *e);

/* The result so far (borrowed, valid until the engine is freed or run further). */
const rsim_result *rsim_engine_result(const rsim_engine *e);

/* Queries on a result. */
rsim_time rsim_result_duration(const rsim_result *r); /* simulated time covered */
uint64_t rsim_result_seed(const rsim_result *r);
size_t rsim_result_event_count(const rsim_result *r); /* events processed and logged */
/* One line of human-readable text per logged event, for terminal summaries: the caller's buffer
 * receives "  2m0s  setImage argoproj/rollouts-demo:yellow (revision 2)". */
void rsim_result_event_describe(const rsim_result *r, size_t i, char *buf, size_t size);

/* Writers. Each returns RSIM_EIO when the stream reports a write error. Formats and columns are
 * documented in docs/outputs.md; the same scenario and seed give byte-identical output. */
/* Every logged event (operator actions, pod transitions, ...) as JSON Lines, in order. */
rsim_err rsim_result_write_events(const rsim_result *r, FILE *out);
/* The time series: one CSV row per tick (rate, requests, failures, per revision: requests,
 * failures, fault-caused failures, error ratios, share, pods by state). */
rsim_err rsim_result_write_timeline_csv(const rsim_result *r, FILE *out);
/* The ground-truth totals as JSON (requests and failures per revision, fault-caused failures,
 * distinct users hit, shares, latency percentiles, faults). */
rsim_err rsim_result_write_totals_json(const rsim_result *r, FILE *out);
/* A short human-readable summary for the terminal. */
rsim_err rsim_result_write_summary(const rsim_result *r, FILE *out);

/* ---- the figures of a run (docs/figures.md defines each one and its edge cases) ---- */

/* Times are ms of simulated time; -1 means "did not happen" (RSIM_FIGURE_NONE). Ratios are NaN
 * when there is nothing to divide. Strings are static or borrowed from the scenario. */
#define RSIM_FIGURE_NONE ((rsim_time)-1)

typedef struct rsim_figures {
    const char *fault; /* the fault the figures are about; NULL: every fault together */
    size_t n_faults;   /* faults the figures cover */
    /* exposure: first request served by the faulty revision while a fault was active */
    rsim_time exposed_at;
    /* blast radius */
    uint64_t requests;          /* user requests of the whole run */
    uint64_t fault_failures;    /* failed requests the fault(s) caused */
    double fault_failure_share; /* fault_failures / requests */
    uint64_t users;             /* the user population */
    uint64_t users_hit;         /* distinct users with a fault-caused failure (every fault) */
    double peak_share;          /* highest share of a tick's requests on the faulty revision */
    double slo_objective;       /* spec.slo.objective */
    rsim_time slo_window;       /* spec.slo.window */
    double budget_failures;     /* (1 - objective) x requests in one window, at the run's rate */
    double budget_consumed;     /* fault_failures / budget_failures (1 = the whole budget) */
    /* detection: exposure -> an AnalysisRun turns Failed or Error */
    rsim_time detected_at;
    rsim_time detection_ms;   /* detected_at - exposed_at (0 when detected before exposure) */
    const char *detected_by;  /* the AnalysisRun, NULL when not detected */
    const char *not_detected; /* why not: "not exposed", "promoted", "run ended"; NULL */
    /* rollback, from detection (each NONE when it did not happen within the run) */
    rsim_time traffic_restored_at; /* end of the last tick the faulty revision served */
    rsim_time rollback_traffic_ms;
    rsim_time pods_gone_at; /* the faulty revision's last pod gone */
    rsim_time rollback_pods_ms;
    double base_error_ratio;     /* all revisions, the ticks before the faulty release */
    rsim_time errors_at_base_at; /* end of the last tick outside the band around the base */
    rsim_time rollback_errors_ms;
    /* promotion of the first setImage: the Rollout Healthy on that revision */
    rsim_time release_at;
    rsim_time promoted_at;
    rsim_time promotion_ms;
    /* cost and controller */
    double pod_seconds;       /* integral of pods holding a slot */
    double extra_pod_seconds; /* integral of pods above spec.replicas, per tick */
    int64_t replicas;         /* spec.replicas */
    size_t n_reconciles;
    size_t n_phase_changes;
    const char *final_phase; /* "Healthy", ...; NULL without a controller */
} rsim_figures;

/* The figures of the run so far, over every fault. */
void rsim_result_figures(const rsim_result *r, rsim_figures *out);
/* The same figures about one fault (by name); RSIM_EINVAL when no fault has that name. */
rsim_err rsim_result_fault_figures(const rsim_result *r, const char *fault, rsim_figures *out);

/* The expectations of the scenario (spec.expectations), judged on the result. */
typedef struct rsim_expect_outcome {
    char name[128]; /* the expectation's name (a copy: outcomes may outlive the scenario) */
    rsim_loc loc;   /* where it is written (loc.file is borrowed from the scenario) */
    bool passed;
    char expected[96]; /* "phase Degraded at the end", "aborted within 15m0s after ...", ... */
    char actual[160];  /* the value the run gave */
} rsim_expect_outcome;
size_t rsim_result_expectation_count(const rsim_result *r);
void rsim_result_expectation_check(const rsim_result *r, size_t i, rsim_expect_outcome *out);

/* summary.json: the figures, per-fault figures, expectations and phase history, schema
 * "rollsim.summary/v1" (docs/outputs.md). */
rsim_err rsim_result_write_summary_json(const rsim_result *r, FILE *out);

/* ---- a read-only view of the Rollout now (`rollsim get rollout`, docs/get.md) ---- */

/* One ReplicaSet of the Rollout (or of one of its Experiments) as the cluster holds it now. */
typedef struct rsim_view_rs {
    char name[128]; /* "<rollout>-<hash>" */
    char hash[64];  /* pod-template hash */
    char image[128];
    int64_t revision;
    int32_t desired, current, ready, available; /* spec.replicas and the pods by state */
    const char *status; /* "Healthy", "Progressing", "ScaledDown" (static) */
    bool stable;        /* status.stableRS, as the last Healthy pass left it */
    bool canary;        /* canary: the current template's ReplicaSet while it is not stable */
    bool preview;       /* blue-green: the same ReplicaSet, shown as "preview" */
    bool experiment;    /* created for an Experiment, not owned by the Rollout itself */
    rsim_time created;  /* ms of simulated time */
} rsim_view_rs;

/* One pod that is not gone. */
typedef struct rsim_view_pod {
    char name[64];
    size_t rs;         /* index into rsim_rollout_view.rs */
    const char *state; /* Kubernetes' word: "Running", "Pending", "ContainerCreating",
                          "CrashLoopBackOff", "Terminating" (static) */
    bool ready;
    uint32_t restarts;
    rsim_time created;
} rsim_view_pod;

/* One AnalysisRun created so far (by the controller or by a startAnalysis action). */
typedef struct rsim_view_run {
    char name[128];
    const char *phase; /* "Pending", "Running", "Successful", ... (static) */
    const char *kind;  /* "step", "background", "pre", "post", "timeline" (static) */
    int64_t revision;  /* the revision whose ReplicaSet it measures; 0 for "timeline" runs */
    rsim_time created;
    uint32_t successful, failed, inconclusive, errors; /* completed measurements */
} rsim_view_run;

/* The Rollout at the engine's now: status, then its objects. Arrays are owned by the view. */
typedef struct rsim_rollout_view {
    rsim_time now;
    char name[128];
    char namespace_[128];  /* "default" when the Rollout names none */
    const char *strategy;  /* "Canary" or "BlueGreen" (static) */
    const char *phase;     /* "Healthy", "Progressing", "Paused", "Degraded" (static) */
    char message[256];     /* status.message, "" when none */
    int32_t step;          /* status.currentStepIndex, -1 when unset */
    size_t n_steps;        /* canary steps */
    int32_t set_weight;    /* the weight the current step asks for, percent */
    int32_t actual_weight; /* the canary's share as recorded or, basic canary, by pods */
    int32_t desired, current, updated, ready, available; /* replicas */
    size_t n_rs;
    rsim_view_rs *rs; /* in creation order */
    size_t n_pods;
    rsim_view_pod *pods; /* by ReplicaSet, in creation order */
    size_t n_runs;
    rsim_view_run *runs; /* in creation order */
} rsim_rollout_view;

/* Fills *out with the Rollout as the engine holds it now (the arrays are allocated; release
 * them with rsim_engine_view_fini). Reads only: the engine may be run further afterwards. */
void rsim_engine_view(const rsim_engine *e, rsim_rollout_view *out);
void rsim_engine_view_fini(rsim_rollout_view *v);
/* spec.run.tick: the step of the time series, ms (the frame step of `get rollout --watch`). */
rsim_time rsim_engine_tick(const rsim_engine *e);

#endif
