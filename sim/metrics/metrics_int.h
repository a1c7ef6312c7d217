/* metrics_int.h - private to the metrics module (and its unit test): the store's layout, shared
 * by the store (store.c) and the query evaluator (eval.c).
 * Invariant: a series' live samples are samples[start .. start+n), strictly increasing in t;
 * every label string is interned in the store, so equal strings are equal pointers. */
#ifndef RSIM_METRICS_INT_H
#define RSIM_METRICS_INT_H

#include "metrics.h"
#include "util.h"

typedef struct rsim_metrics_point {
    rsim_time t; /* ms */
    double v;    /* value, or the staleness marker */
} rsim_metrics_point;

typedef struct rsim_metrics_series_rec {
    rsim_metrics_label *labels; /* in the store's arena, sorted by name */
    size_t n_labels;
    uint64_t hash;              /* of the label set */
    rsim_metrics_point *points; /* owned ring-less buffer, see the invariant */
    size_t start, n, cap;
} rsim_metrics_series_rec;

typedef struct rsim_metrics_name_index {
    const char *name;                  /* interned metric name */
    RSIM_VEC(rsim_metrics_series) ids; /* series of that name, sorted by label set */
} rsim_metrics_name_index;

struct rsim_metrics_store {
    rsim_time retention_ms;
    rsim_arena arena; /* interned strings and label arrays */
    RSIM_VEC(rsim_metrics_series_rec) series;
    RSIM_VEC(rsim_metrics_series) sorted; /* every series id, sorted by label set */
    RSIM_VEC(rsim_metrics_name_index) names;
    const char **strs; /* intern table, open addressing */
    size_t strs_cap, strs_n;
    uint32_t *by_hash; /* series table: id + 1, 0 = empty */
    size_t by_hash_cap;
};

/* The interned copy of str, or NULL when no label name or value of the store is str (then no
 * series carries it). Does not intern. */
const char *rsim_metrics_intern_find(const rsim_metrics_store *s, const char *str);

/* Hash of a label set, as used by the series table (FNV-1a over name\0value\0...). */
uint64_t rsim_metrics_labels_hash(const rsim_metrics_label *labels, size_t n_labels);

#endif
