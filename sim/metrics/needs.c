/* needs.c - which exporter series the queries of a run can select, so that the scrape model
 * writes (and the traffic model draws) only those. The answer is an over-approximation: a
 * selector whose metric name is not a plain name, or a query that does not parse, selects
 * everything. Start at rsim_metrics_needs_add. */
#include <stdio.h>
#include <string.h>

#include "metrics_int.h"

/* Whether name is one of the histogram's series names (base_bucket, base_sum, base_count). */
static bool is_latency_name(const char *base, const char *name)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0) {
        return false;
    }
    const char *suffix = name + n;
    return strcmp(suffix, "_bucket") == 0 || strcmp(suffix, "_sum") == 0 ||
           strcmp(suffix, "_count") == 0;
}

typedef struct add_ctx {
    rsim_metrics_needs *needs;
    const rsim_spec_series *ser;
} add_ctx;

static void
add_selector(rsim_metrics_needs *needs, const rsim_spec_series *ser, const rsim_promql_node *n)
{
    size_t name_matchers = 0;
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        name_matchers += strcmp(n->u.sel.matchers[i].name, "__name__") == 0 ? 1 : 0;
    }
    const char *metric = n->u.sel.metric;
    if (metric == NULL || name_matchers != 1) {
        /* {job="x"} or {__name__=~"..."}: any series may match. */
        needs->requests = true;
        needs->latency = true;
        needs->up = true;
        return;
    }
    if (ser->requests && strcmp(metric, ser->requests) == 0) {
        needs->requests = true;
    }
    if (ser->latency && is_latency_name(ser->latency, metric)) {
        needs->latency = true;
    }
    if (strcmp(metric, "up") == 0) {
        needs->up = true; /* Prometheus' own series of every target */
    }
}

/* Visitor of rsim_promql_any_selector: adds what the selector needs, visits on. */
static bool add_visit(void *arg, const rsim_promql_node *n)
{
    add_ctx *c = arg;
    add_selector(c->needs, c->ser, n);
    return false;
}

void rsim_metrics_needs_add(rsim_metrics_needs *needs,
                            const rsim_spec_series *ser,
                            const rsim_promql *query)
{
    add_ctx c = {needs, ser};
    (void)rsim_promql_any_selector(rsim_promql_root(query), add_visit, &c);
}

void rsim_metrics_needs_add_text(rsim_metrics_needs *needs,
                                 const rsim_spec_series *ser,
                                 const char *text)
{
    if (text == NULL) {
        return;
    }
    rsim_diag *quiet = rsim_diag_new(0);
    rsim_promql *q = NULL;
    rsim_loc loc;
    memset(&loc, 0, sizeof loc);
    if (rsim_promql_parse(text, loc, quiet, &q) == RSIM_OK) {
        rsim_metrics_needs_add(needs, ser, q);
    } else {
        /* A placeholder outside a string ("[{{args.window}}]", "{{args.metric}}") or a query
         * outside the subset: what it selects is known only after substitution. */
        needs->requests = true;
        needs->latency = true;
        needs->up = true;
    }
    rsim_promql_free(q);
    rsim_diag_free(quiet);
}
