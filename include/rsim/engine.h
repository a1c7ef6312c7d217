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

#endif
