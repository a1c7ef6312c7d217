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

#endif
