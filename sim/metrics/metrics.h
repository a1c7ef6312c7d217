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

#include "expr.h"

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

#endif
