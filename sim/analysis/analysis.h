/* analysis.h - AnalysisRuns judged as Argo Rollouts judges them (reference §4, §15.7, §16, §23
 * E5/I13/I14/I15): a run is created from templates and arguments, then driven by its owner,
 * which calls rsim_analysis_reconcile at the times rsim_analysis_next_time asks for. Measurements
 * are taken through a provider interface the owner implements against its world (helpers for the
 * Prometheus model and the Job poll schedule are below), so the module runs with fake providers.
 * Ownership: a run owns its resolved metrics, parsed conditions and queries, and its measurement
 * history; the templates and the provider passed to rsim_analysis_run_new are borrowed and must
 * outlive the run. Strings returned by getters are borrowed from the run. Semantics, pitfalls
 * and the list of rules each test pins: docs/modules/analysis.md. Start at rsim_analysis_reconcile.
 */
#ifndef RSIM_ANALYSIS_H
#define RSIM_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>
#include <rsim/diag.h>

#include "expr.h"
#include "metrics.h"
#include "spec.h"

/* ---- types ---- */

/* Phases of a measurement, a metric and a run, as Argo names them. */
typedef enum rsim_analysis_phase {
    RSIM_ANALYSIS_PENDING,
    RSIM_ANALYSIS_RUNNING,
    RSIM_ANALYSIS_SUCCESSFUL,
    RSIM_ANALYSIS_FAILED,
    RSIM_ANALYSIS_ERROR,
    RSIM_ANALYSIS_INCONCLUSIVE,
} rsim_analysis_phase;

/* Retry interval after an Error measurement, whatever the metric's interval (§16.1). */
#define RSIM_ANALYSIS_ERROR_RETRY RSIM_SEC(10)
/* Measurements Argo keeps per metric unless measurementRetention says otherwise (§4.11). */
#define RSIM_ANALYSIS_DEFAULT_RETENTION 10
/* Longest message kept per measurement, metric or run, including the NUL. */
#define RSIM_ANALYSIS_MSGMAX 512

typedef struct rsim_analysis_run rsim_analysis_run;

/* One measurement, as Argo records it in status.metricResults[].measurements[]. Times are
 * truncated to whole seconds when the run truncates (§23 I15). */
typedef struct rsim_analysis_measurement {
    rsim_analysis_phase phase; /* RUNNING while an asynchronous measurement is in flight */
    rsim_time started_at;      /* ms */
    rsim_time finished_at;     /* ms; -1 while running */
    rsim_time resume_at;       /* ms; -1 when not set */
    const char *value;         /* the result as text ("[0.012]"), "" when none; owned by the run */
    bool has_number;           /* the result held a number (scalar, or first vector element) */
    double number;             /* that number, for time series */
    const char *message;       /* why it errored or was terminated, "" when none; owned */
} rsim_analysis_measurement;

/* Per-metric counters and phase (status.metricResults[]). */
typedef struct rsim_analysis_metric_status {
    const char *name; /* owned by the run */
    rsim_analysis_phase phase;
    bool dry_run; /* matched a dryRun rule (§4.10) */
    int64_t count, successful, failed, inconclusive, error;
    int64_t consecutive_error, consecutive_success;
    size_t retention;    /* how many of the latest measurements Argo's status would keep */
    const char *message; /* the latest measurement's message when the phase last changed */
} rsim_analysis_metric_status;

/* What the owner knows when it creates a run: the Rollout-side values of valueFrom args. */
typedef struct rsim_analysis_context {
    const char *stable_hash; /* podTemplateHashValue: Stable; NULL when there is no stable RS */
    const char *latest_hash; /* podTemplateHashValue: Latest */
    /* Resolves a fieldRef path of the Rollout ("metadata.name", "metadata.labels['app']");
     * returns NULL when the path names nothing. May be NULL (then every fieldRef fails). */
    const char *(*field)(void *arg, const char *path);
    void *field_arg;       /* borrowed */
    bool truncate_seconds; /* truncate stamped times to whole seconds (§23 I15); default on */
    rsim_diag *diag; /* where errors of conditions/queries parsed after substitution go, at the
                        template's position; may be NULL; borrowed for the call only */
} rsim_analysis_context;

/* A context with the defaults (truncation on, no hashes, no fieldRef resolver). */
rsim_analysis_context rsim_analysis_context_default(void);

/* ---- providers ---- */

/* What a provider is asked to measure. */
typedef struct rsim_analysis_request {
    const rsim_analysis_run *run;
    size_t metric;                /* index in the run */
    const rsim_spec_metric *spec; /* the metric with every {{args.x}} substituted */
    const rsim_promql *query;     /* prometheus: the parsed query; else NULL */
    rsim_time now;                /* ms */
    rsim_time started_at;         /* of this measurement (resume: when it started) */
    rsim_arena *arena;            /* where a reply's value is built; valid for the pass */
    rsim_metrics_result *result;  /* working memory for the run's queries; NULL: a fresh one */
} rsim_analysis_request;

typedef enum rsim_analysis_reply_kind {
    RSIM_ANALYSIS_REPLY_VALUE,   /* value is the result: judged by the conditions (§16.2) */
    RSIM_ANALYSIS_REPLY_ERROR,   /* no result (provider error, timeout, outage): Error */
    RSIM_ANALYSIS_REPLY_RUNNING, /* asynchronous, not done: resume at resume_at */
    RSIM_ANALYSIS_REPLY_SUCCESS, /* asynchronous provider's own verdict (a Job completed) */
    RSIM_ANALYSIS_REPLY_FAILURE, /* (a Job failed) */
} rsim_analysis_reply_kind;

typedef struct rsim_analysis_reply {
    rsim_analysis_reply_kind kind;
    const rsim_cond_value *value;       /* VALUE: in request->arena (or static); NULL is nil */
    rsim_time duration;                 /* how long the call took (query latency), ms; >= 0 */
    rsim_time resume_at;                /* RUNNING: when to look again, ms (> now) */
    char message[RSIM_ANALYSIS_MSGMAX]; /* ERROR: the provider's message */
} rsim_analysis_reply;

/* The owner's measuring side. start takes a new measurement; resume looks at an in-flight
 * asynchronous one (NULL when the provider never answers RUNNING); terminate tells it that an
 * in-flight measurement is abandoned (may be NULL). The reply comes zeroed. */
typedef struct rsim_analysis_provider {
    void (*start)(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep);
    void (*resume)(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep);
    void (*terminate)(void *ctx, const rsim_analysis_request *req);
    void *ctx; /* borrowed */
} rsim_analysis_provider;

/* ---- lifecycle ---- */

/* Creates a run as Argo's NewAnalysisRunFromTemplates does: metrics of the namespaced templates,
 * then of the cluster ones (a metric name twice is an error), template args flattened and then
 * overridden by the Rollout's args (valueFrom resolved from ctx), every declared arg needing a
 * value; dryRun / measurementRetention rules of the Rollout then of the templates. args may be
 * NULL when n_args is 0, likewise the rule arrays. Arguments are substituted into every string
 * of the metrics, and conditions and queries are parsed (their errors are not fatal here: they
 * go to ctx->diag and make each measurement Error, as a bad expression does in Argo). On
 * failure returns RSIM_EINVAL (RSIM_EUNSUPPORTED for a pattern rollsim cannot match) with the
 * message in errbuf and leaves *out untouched; the owner treats that as a run it could not
 * create. Rule and argument errors Argo finds on the run's first reconcile (a dryRun rule that
 * matches nothing, §23 E5; an unparsable count) do not fail here: the run starts in Error. */
rsim_err rsim_analysis_run_new(const rsim_spec_analysis_template *const *templates,
                               size_t n_templates,
                               const rsim_spec_rollout_arg *args,
                               size_t n_args,
                               const rsim_spec_metric_rule *dry_run,
                               size_t n_dry_run,
                               const rsim_spec_metric_rule *retention,
                               size_t n_retention,
                               const rsim_analysis_context *ctx,
                               const rsim_analysis_provider *provider,
                               rsim_analysis_run **out,
                               char *errbuf,
                               size_t errsize);
/* Frees a run. NULL is a no-op. */
void rsim_analysis_run_free(rsim_analysis_run *run);

/* ---- driving ---- */

/* One pass of the AnalysisRun controller at time now (reconcileAnalysisRun): start, resume or
 * terminate the measurements that are due (§16.1), update counters (§16.3), metric phases
 * (§16.4) and the run phase (§16.5). startedAt is stamped on the first pass. Providers answer
 * in parallel, so the pass ends when the slowest answers: returns that time (now + the longest
 * reply duration), at which the new status is visible. A completed run is left alone. */
rsim_time rsim_analysis_reconcile(rsim_analysis_run *run, rsim_time now);

/* When the run next needs a pass (calculateNextReconcileTime), RSIM_TIME_MAX when never (it is
 * complete, or waits on nothing). "Now is after X" is strict in Argo, so the time returned for
 * an interval is X + 1 ms, the first instant at which the test holds. */
rsim_time rsim_analysis_next_time(const rsim_analysis_run *run);

/* Sets spec.terminate (§4.12, §15.7) and runs the pass the change triggers at now: no new
 * measurement starts, in-flight ones end Inconclusive "Metric Terminated" (§23 I13), and the run
 * completes with the worst phase measured, or Successful. Returns as rsim_analysis_reconcile. */
rsim_time rsim_analysis_terminate(rsim_analysis_run *run, rsim_time now);

/* ---- queries ---- */

rsim_analysis_phase rsim_analysis_phase_of(const rsim_analysis_run *run);
/* The run's status.message ("" when none). */
const char *rsim_analysis_message(const rsim_analysis_run *run);
/* Whether the phase is final (Successful, Failed, Error, Inconclusive). */
bool rsim_analysis_phase_completed(rsim_analysis_phase phase);
/* "Pending", "Running", "Successful", "Failed", "Error", "Inconclusive". */
const char *rsim_analysis_phase_name(rsim_analysis_phase phase);
/* status.startedAt, -1 before the first pass. */
rsim_time rsim_analysis_started_at(const rsim_analysis_run *run);
/* When the run reached its completed phase, -1 while not completed. */
rsim_time rsim_analysis_completed_at(const rsim_analysis_run *run);
bool rsim_analysis_terminating(const rsim_analysis_run *run);

size_t rsim_analysis_metric_count(const rsim_analysis_run *run);
/* The metric after argument substitution (borrowed from the run). */
const rsim_spec_metric *rsim_analysis_metric_spec(const rsim_analysis_run *run, size_t i);
const rsim_analysis_metric_status *rsim_analysis_metric(const rsim_analysis_run *run, size_t i);
/* Every measurement taken, oldest first (the full history; Argo's status keeps the last
 * `retention` of them). */
size_t rsim_analysis_measurement_count(const rsim_analysis_run *run, size_t metric);
const rsim_analysis_measurement *
rsim_analysis_measurement_at(const rsim_analysis_run *run, size_t metric, size_t i);
/* The value of a resolved argument, NULL when there is none by that name. */
const char *rsim_analysis_arg(const rsim_analysis_run *run, const char *name);

/* ---- provider helpers ---- */

/* The Prometheus provider against the model: an instant query at req->now. latency is how long
 * the query takes; an outage (down) or a latency beyond the provider's timeout is an Error after
 * min(latency, timeout); a query error is an Error. A scalar becomes a float, a vector a list of
 * floats (§20). opts may be NULL. */
void rsim_analysis_prometheus_reply(const rsim_metrics_store *store,
                                    const rsim_analysis_request *req,
                                    const rsim_metrics_query_opts *opts,
                                    rsim_time latency,
                                    bool down,
                                    rsim_analysis_reply *rep);

/* The web provider's timing: value is the endpoint's JSON answer (NULL = nil) that arrives after
 * latency; beyond the metric's timeoutSeconds the reply is an Error after the timeout. The
 * metric's jsonPath ("{$}", "{$.a.b}", "{$.items[0]}") selects the result; a path that selects
 * nothing is an Error, as in Argo. */
void rsim_analysis_web_reply(const rsim_analysis_request *req,
                             const rsim_cond_value *value,
                             rsim_time latency,
                             rsim_analysis_reply *rep);

/* The Job provider's poll schedule (§16.1): an in-flight Job started at started is looked at
 * again sqrt(2 * elapsed seconds) seconds after now (at least 1 s). Returns that time. */
rsim_time rsim_analysis_job_next_poll(rsim_time started, rsim_time now);

#endif
