/* analysis_int.h - private to the analysis module (and tests/unit/test_analysis*.c): the run
 * object, the per-metric runtime state and the pure assessment functions of §16.4 / §16.5, so
 * that each rule can be tested on hand-built counters. */
#ifndef RSIM_ANALYSIS_INT_H
#define RSIM_ANALYSIS_INT_H

#include <regex.h>

#include "analysis.h"
#include "util.h"

/* A metric of a run: its resolved spec, parsed expressions, limits and status. */
typedef struct rsim_analysis_metric_rt {
    rsim_spec_metric spec;        /* resolved copy; strings in the run's arena */
    const rsim_spec_metric *tmpl; /* the template's metric (positions for diagnostics) */
    rsim_cond *success, *failure; /* NULL when unset or unparsable */
    rsim_promql *query;           /* prometheus only; NULL when unparsable */
    const char *expr_error;       /* why a condition or the query did not parse, else NULL */
    rsim_time interval;           /* ms; 0 when unset */
    rsim_time initial_delay;      /* ms; 0 when unset */
    bool interval_set, initial_delay_set;
    int64_t count; /* effective count, RSIM_SPEC_COUNT_UNBOUNDED when none (§4.3) */
    int64_t failure_limit, inconclusive_limit, consecutive_error_limit, consecutive_success_limit;
    bool has_result; /* Argo's status.metricResults holds an entry (first task ran) */
    rsim_analysis_metric_status st;
    RSIM_VEC(rsim_analysis_measurement) ms;
} rsim_analysis_metric_rt;

typedef struct rsim_analysis_arg_rt {
    const char *name;
    const char *value;
} rsim_analysis_arg_rt;

struct rsim_analysis_run {
    rsim_arena arena; /* resolved specs, strings, messages of measurements */
    size_t n_metrics;
    rsim_analysis_metric_rt *m;
    size_t n_args;
    rsim_analysis_arg_rt *args;
    rsim_analysis_provider provider;
    bool truncate;           /* §23 I15 */
    const char *first_error; /* "Analysis spec invalid: ..." found at creation; run Error at once */
    bool terminate;          /* spec.terminate */
    bool passed;             /* a pass ran */
    rsim_analysis_phase phase;
    const char *message;
    rsim_time started_at;   /* -1 until the first pass */
    rsim_time completed_at; /* -1 until completed */
    rsim_time rerun_at;     /* a status write that made the run terminating re-queues it; -1 */
    /* Working memory kept between passes, so that a measurement does not allocate: the
     * Prometheus queries' result (NULL until the first query) and the arena replies are built
     * in, released when it passes RSIM_ANALYSIS_SCRATCH_BYTES (nothing in it outlives a pass). */
    rsim_metrics_result *prom;
    rsim_arena scratch;
};

#define RSIM_ANALYSIS_SCRATCH_BYTES ((size_t)32 * 1024)

/* Argo's worst-status order (best to worst): Successful, Running, Pending, Inconclusive, Error,
 * Failed (§16.5). */
bool rsim_analysis_is_worse(rsim_analysis_phase current, rsim_analysis_phase candidate);

/* §16.4 step 4 (assessMetricFailureInconclusiveOrError): the phase the limits give, or PENDING
 * when none is exceeded; the reason goes to msg ("failed (2) > failureLimit (1)"). */
rsim_analysis_phase
rsim_analysis_assess_limits(const rsim_analysis_metric_rt *m, char *msg, size_t size);
/* §16.4 (assessMetricStatus) on the metric's counters and last measurement. */
rsim_analysis_phase rsim_analysis_assess_metric(const rsim_analysis_metric_rt *m, bool terminating);

/* Matches a dryRun / measurementRetention pattern (Go RE2, unanchored) against a name. Returns
 * 1 on a match, 0 on none (an invalid pattern never matches, as in Go), -1 when the pattern uses
 * RE2 syntax POSIX regular expressions cannot express, with the reason in why. */
int rsim_analysis_re_match(const char *pattern, const char *name, char *why, size_t size);

/* Go's time.ParseDuration for the durations of a metric after substitution ("1m30s", "500ms",
 * "1.5h"); false when not one, or negative. */
bool rsim_analysis_parse_duration(const char *s, rsim_time *out);

#endif
