/* metrics.h - the Prometheus model: a sample store and an instant-query evaluator of the PromQL
 * subset (expr/promql.h) with Prometheus' own selection, extrapolation and matching rules.
 * Ownership: an rsim_metrics_store owns its series, samples and interned label strings; label
 * arrays passed in are copied. A query result owns nothing the caller must free beyond
 * rsim_metrics_result_fini; its samples and labels are borrowed from the result, the store and
 * the query, valid until the next evaluation into the same result or until either is freed.
 * No global state: stores and results may live in different threads.
 * Design, invariants and pitfalls: docs/modules/metrics.md. */
#ifndef RSIM_METRICS_H
#define RSIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

#include "evq.h"
#include "expr.h"
#include "promql.h"
#include "spec.h"

/* Prometheus' default --query.lookback-delta. */
#define RSIM_METRICS_LOOKBACK_DEFAULT RSIM_MIN(5)

/* ---- types ---- */

/* One label. In a label set the labels are sorted by name, names are unique and values are
 * never empty (an empty value means the label is absent, as in Prometheus). */
typedef struct rsim_metrics_label {
    const char *name;  /* borrowed */
    const char *value; /* borrowed */
} rsim_metrics_label;

typedef struct rsim_metrics_store rsim_metrics_store;

/* Names a series of one store; ids are dense, from 0, in order of creation. */
typedef uint32_t rsim_metrics_series;

/* How a query is evaluated. */
typedef struct rsim_metrics_query_opts {
    rsim_time lookback_ms; /* instant-selector lookback; 0 means RSIM_METRICS_LOOKBACK_DEFAULT */
    int prom_major;        /* 2: closed ranges [t-d, t] (Prometheus 2.x, promtool 2.42);
                              3 or 0: left-open ranges (t-d, t] (Prometheus 3.x) */
} rsim_metrics_query_opts;

typedef enum rsim_metrics_kind {
    RSIM_METRICS_SCALAR,
    RSIM_METRICS_VECTOR,
    RSIM_METRICS_ERROR,
} rsim_metrics_kind;

typedef struct rsim_metrics_sample {
    const rsim_metrics_label *labels; /* borrowed, sorted by name */
    size_t n_labels;
    double value;
} rsim_metrics_sample;

typedef struct rsim_metrics_scratch rsim_metrics_scratch;

/* The answer to an instant query. Initialise once, evaluate into it many times (its memory is
 * reused, so steady-state evaluation does not allocate), then finalise. */
typedef struct rsim_metrics_result {
    rsim_metrics_kind kind;
    double scalar;                      /* SCALAR */
    const rsim_metrics_sample *samples; /* VECTOR, sorted by label set; borrowed */
    size_t n_samples;
    char error[256];               /* ERROR: what went wrong, as Prometheus says it */
    rsim_metrics_scratch *scratch; /* owned working memory */
} rsim_metrics_result;

/* ---- store lifecycle ---- */

/* A new empty store. Samples older than retention_ms behind a series' newest sample are
 * dropped as new ones arrive (0 keeps everything); keep it above the longest range plus the
 * lookback of the queries. Never NULL. */
rsim_metrics_store *rsim_metrics_store_new(rsim_time retention_ms);
/* Frees the store. NULL is a no-op. */
void rsim_metrics_store_free(rsim_metrics_store *s);

/* ---- series and samples ---- */

/* The series with this label set (order of the labels does not matter; labels with an empty
 * value are ignored), created when new. The metric name is the label "__name__". Fails with
 * RSIM_EINVAL when a name is not a valid label name or appears twice, or the set is empty. */
rsim_err rsim_metrics_series_add(rsim_metrics_store *s,
                                 const rsim_metrics_label *labels,
                                 size_t n_labels,
                                 rsim_metrics_series *out);
/* Appends a sample at time t (ms). Timestamps of a series must strictly increase: an older or
 * equal t is a caller bug (asserted; dropped in release builds). */
void rsim_metrics_append(rsim_metrics_store *s, rsim_metrics_series id, rsim_time t, double value);
/* Appends a staleness marker at t: the series vanishes from instant selectors from t on (until
 * a later sample), as when its target disappears from a scrape. */
void rsim_metrics_append_stale(rsim_metrics_store *s, rsim_metrics_series id, rsim_time t);

/* Whether v is the staleness marker (a NaN with Prometheus' StaleNaN payload). */
bool rsim_metrics_is_stale(double v);
/* The staleness marker value. */
double rsim_metrics_stale_value(void);

/* ---- queries on the store ---- */

size_t rsim_metrics_series_count(const rsim_metrics_store *s);
/* The label set of a series (borrowed from the store, sorted by name). */
const rsim_metrics_label *
rsim_metrics_series_labels(const rsim_metrics_store *s, rsim_metrics_series id, size_t *n_labels);
/* Stored samples of a series (staleness markers included). */
size_t rsim_metrics_sample_count(const rsim_metrics_store *s, rsim_metrics_series id);
/* Heap bytes held by the store (series, samples, strings, indexes). */
size_t rsim_metrics_store_bytes(const rsim_metrics_store *s);

/* ---- evaluation ---- */

void rsim_metrics_result_init(rsim_metrics_result *r);
void rsim_metrics_result_fini(rsim_metrics_result *r);

/* Evaluates query as an instant query at time t (ms), as Prometheus would, into *result.
 * opts may be NULL (defaults). Returns RSIM_OK with a SCALAR or VECTOR result, or RSIM_EINVAL
 * with kind ERROR and the message in result->error (vector matching conflicts, duplicate
 * label sets). */
rsim_err rsim_metrics_query_eval(const rsim_metrics_store *s,
                                 const rsim_promql *query,
                                 rsim_time t,
                                 const rsim_metrics_query_opts *opts,
                                 rsim_metrics_result *result);

/* Compares two label sets the way Prometheus orders series (labels.Compare). */
int rsim_metrics_labels_compare(const rsim_metrics_label *a,
                                size_t n_a,
                                const rsim_metrics_label *b,
                                size_t n_b);
/* The value of label name in a set, or "" when absent. */
const char *
rsim_metrics_labels_get(const rsim_metrics_label *labels, size_t n_labels, const char *name);

/* ---- the scrape model (scrape.c) ----
 * Pods export a request counter by status code and a latency histogram, labelled as the
 * Scenario's spec.metrics.series says; a Prometheus scrapes each target every scrape_interval at
 * the target's own offset (phase RSIM_PHASE_SCRAPE), marks a removed target's series stale,
 * evaluates recording rules every evaluation_interval (RSIM_PHASE_RULES) and is down during the
 * outages (no scrape, no rule, every query fails). The counters come from a source the owner
 * implements, so the model runs against fakes. Ownership: a scraper borrows the store, the
 * metrics spec, the queue and the source (all must outlive it) and owns its targets. */

/* What one target's exporter counts, cumulative since the target appeared. */
typedef struct rsim_metrics_counters {
    uint64_t ok;             /* requests answered 2xx (status label "200") */
    uint64_t err;            /* requests answered 5xx (status label "500") */
    const uint64_t *buckets; /* latency observations per bucket of the series' bounds, NOT
                                cumulative, n_buckets + 1 entries (last: above the highest
                                bound); borrowed for the call */
    double latency_sum_ms;   /* sum of the observed latencies, ms */
    uint32_t generation;     /* the exporting process (e.g. the container's restarts): a new
                                one exports a status child or the histogram only once used */
} rsim_metrics_counters;

/* The owner's side, synchronous or deferred.
 * Synchronous (request NULL): read fills *out with target's counters exact at now; returns false
 * when the exporter does not answer (a failed scrape: see rsim_metrics_scraper_deliver).
 * Deferred (request set): a scrape calls request(arg, target, now) and stores nothing yet; the
 * owner answers later with rsim_metrics_scraper_deliver(s, target, now, counters), in the order
 * asked, and at the latest inside sync(arg, t) for every request at or before t. The scraper
 * calls sync before each rule evaluation; whoever queries the store must call it (or the
 * owner's equivalent) first. This lets the owner settle a scrape together with the traffic
 * around it instead of at its own instant (docs/modules/traffic.md "Reads inside a piece"). */
typedef struct rsim_metrics_source {
    bool (*read)(void *arg, uint32_t target, rsim_time now, rsim_metrics_counters *out);
    void *arg; /* borrowed */
    void (*request)(void *arg, uint32_t target, rsim_time now);
    void (*sync)(void *arg, rsim_time now);
} rsim_metrics_source;

/* Labels of a target's series (copied): empty or NULL values leave the label out. */
typedef struct rsim_metrics_target {
    uint32_t id;            /* the owner's name for it (a pod id, or a (pod, Service) pair's
                               number): dense small integers */
    const char *pod;        /* pod name; also names its offset stream */
    const char *hash;       /* pod-template hash */
    const char *namespace_; /* namespace */
    const char *service;    /* the Service it is scraped through (series.labels.service), or
                               NULL/"" for a pod target; with the pod, names the offset stream */
    const char *workload;   /* the workload (the Rollout's name: series.labels.workload) */
    /* The destination's namespace, for the workload namespace and the Service's host name,
     * when the target is not the workload's pod (a gateway): NULL = namespace_. */
    const char *destination_namespace;
    /* Values replacing the constant labels of the same names on this target's series
     * (a gateway's reporter="source"); borrowed for the call. */
    const rsim_metrics_label *overrides;
    size_t n_overrides;
} rsim_metrics_target;

typedef struct rsim_metrics_scraper rsim_metrics_scraper;

typedef struct rsim_metrics_scrape_stats {
    uint64_t scrapes;     /* scrapes done */
    uint64_t skipped;     /* scrapes not done because the backend was down */
    uint64_t failed;      /* scrapes the target did not answer (its container not running) */
    uint64_t samples;     /* samples appended (staleness markers included) */
    uint64_t rule_evals;  /* recording-rule evaluations */
    uint64_t rule_errors; /* of them, failed (the rule's output is left as it was) */
    size_t bad_rules;     /* recording rules whose expression does not parse (skipped) */
} rsim_metrics_scrape_stats;

/* A scrape model writing into store, configured by m, scheduling on q. Offsets of non-aligned
 * targets come from the streams "metrics/scrape-offset/<pod>" of (seed, replication), or
 * "metrics/scrape-offset/<pod>/<service>" for a target with a Service.
 * Recording rules are parsed here (a rule that does not parse is skipped and counted: the
 * loader reports those). Schedules the first rule evaluation at evaluation_interval. Never
 * NULL. */
rsim_metrics_scraper *rsim_metrics_scraper_new(rsim_metrics_store *store,
                                               const rsim_spec_metrics *m,
                                               rsim_evq *q,
                                               uint64_t seed,
                                               uint64_t replication,
                                               const rsim_metrics_source *src);
/* NULL is a no-op. Free the queue first: pending scrape events point into the scraper. */
void rsim_metrics_scraper_free(rsim_metrics_scraper *s);

/* A new target at now (its exporter is up): the first scrape is at the first instant >= now on
 * its offset grid (offset + k * scrape_interval). Adding an id that is present is a caller
 * bug; adding a removed id again brings that target back (same labels, same series, the
 * caller must pass the same description): its first scrape is the first grid instant >= now
 * after its last one, and the staleness markers of its removal are dropped when that scrape
 * comes before they would be written (as Prometheus drops them as out of order). */
void rsim_metrics_scraper_add_target(rsim_metrics_scraper *s,
                                     const rsim_metrics_target *t,
                                     rsim_time now);
/* The target is gone at now (its pod deleted): no more scrapes. As Prometheus' scrape loop
 * does when it stops, its series get a staleness marker stamped at the scrape that would have
 * come next, written one interval and a tenth after that (scrape.go endOfRunStaleness). An
 * unknown or removed id is ignored. */
void rsim_metrics_scraper_remove_target(rsim_metrics_scraper *s, uint32_t id, rsim_time now);

/* A deferred source's answer to the scrape of target id at `at` (see rsim_metrics_source): the
 * samples are stored stamped `at`. Answers for one target come in the order of its scrapes.
 * c NULL: the scrape failed (the exporter's container does not run): the series the target's
 * last scrape returned are marked stale at `at`, and its families start afresh (a status child
 * or the histogram reappears once non-zero, as a new process exports them). */
void rsim_metrics_scraper_deliver(rsim_metrics_scraper *s,
                                  uint32_t id,
                                  rsim_time at,
                                  const rsim_metrics_counters *c);

/* Which of a target's exporter series the run's queries can select (needs.c,
 * docs/modules/metrics.md §Exported series). Start from all false and add every query the run
 * may evaluate: analysis queries, recording rules, alert rules. */
typedef struct rsim_metrics_needs {
    bool requests; /* the request counter (spec.metrics.series.requests) */
    bool latency;  /* the latency histogram (its _bucket, _sum and _count series) */
    bool up;       /* Prometheus' `up` of each target: 1 after a scrape, 0 after a failed one */
} rsim_metrics_needs;

/* Adds to *needs what the selectors of query can select under the series names of ser: a
 * selector naming a series selects it; a selector without a metric name, or with a matcher on
 * __name__ besides its name, selects everything. */
void rsim_metrics_needs_add(rsim_metrics_needs *needs,
                            const rsim_spec_series *ser,
                            const rsim_promql *query);
/* As rsim_metrics_needs_add for query text as written, placeholders kept (they are known only
 * when a run starts): text that does not parse selects everything. NULL adds nothing. */
void rsim_metrics_needs_add_text(rsim_metrics_needs *needs,
                                 const rsim_spec_series *ser,
                                 const char *text);
/* Exports only the series in *needs from now on (the default exports everything). Set it
 * before the first scrape: a family left out is never created, so no query can tell. */
void rsim_metrics_scraper_set_needs(rsim_metrics_scraper *s, const rsim_metrics_needs *needs);
/* Whether query may select a series of target id (an over-approximation: each matcher is tried
 * on the target's labels, a metric name on every name it exports, and the status code and le
 * are not tested). NULL selects everything; an unknown id nothing. */
bool rsim_metrics_scraper_may_select(const rsim_metrics_scraper *s,
                                     uint32_t id,
                                     const rsim_promql *query);

/* Whether the metrics backend is down at t (inside an outage [at, at + duration)). */
bool rsim_metrics_scraper_down(const rsim_metrics_scraper *s, rsim_time t);
/* The scrape offset of a target within the interval, ms; -1 for an unknown id. */
rsim_time rsim_metrics_scraper_offset(const rsim_metrics_scraper *s, uint32_t id);
rsim_metrics_scrape_stats rsim_metrics_scraper_stats(const rsim_metrics_scraper *s);

#endif
