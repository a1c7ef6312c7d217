/* check_queries.c - warnings for Prometheus selectors that can select no series of the run:
 * a metric name the world does not export, or a matcher that needs a label no exported series
 * carries (Istio's `reporter="source"` against the istio preset's pod series). Prometheus
 * answers such a query with an empty vector, so a template written for other series would
 * only show up as measurements in Error ("index out of range") or Inconclusive; a warning at
 * the selector says why, at load time. Only what is certain is reported: a matcher that a
 * missing label satisfies (`x=""`, `x!="a"`) is left alone, one whose value holds a placeholder
 * is reported on a label no series carries (only an argument accepting "" would select), and
 * a selector of a recording rule's output is not checked for labels.
 * docs/scenario-format.md "Metrics: spec.metrics". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"
#include "scenario_int.h"

/* What a placeholder ("{{args.x}}", at least five characters) reads as (check_text). */
#define PLACEHOLDER "#####"

typedef struct qctx {
    rsim_build_ctx *ctx;
    const rsim_spec_metrics *m;
    bool gateway;      /* the ingress gateway's series are written too (reporter="source") */
    bool with_service; /* some series carry the Service labels (targets: services, a gateway) */
    int indent;        /* a block scalar's later lines start at this column, else 0 */
    int base_line;     /* the line the query text starts on */
    rsim_loc fixed;    /* when its line is set: every warning there (a rule's expression) */
} qctx;

static bool is_rule_output(const rsim_spec_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n_recording_rules; i++) {
        if (strcmp(m->recording_rules[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether the world's exporters (or Prometheus, for `up`) write series of this name. */
static bool is_exported_name(const rsim_spec_series *s, const char *name)
{
    char names[RSIM_SPEC_SERIES_NAMES][RSIM_SPEC_SERIES_NAME_MAX];
    size_t n = rsim_spec_series_names(s, names);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static bool named(const char *label, const char *name)
{
    return label != NULL && label[0] != '\0' && strcmp(label, name) == 0;
}

/* The constant label every exported series has, or NULL. */
static const rsim_spec_world_label *constant_label(const rsim_spec_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->series.n_labels; i++) {
        if (strcmp(m->series.labels[i].name, name) == 0) {
            return &m->series.labels[i];
        }
    }
    return NULL;
}

/* Whether some exported series carries the label. */
static bool is_exported_label(const rsim_spec_metrics *m, bool with_service, const char *name)
{
    const rsim_spec_series *s = &m->series;
    for (size_t i = 0; i < s->n_labels; i++) {
        if (strcmp(s->labels[i].name, name) == 0) {
            return true;
        }
    }
    return strcmp(name, "le") == 0 || named(s->status_label, name) || named(s->hash_label, name) ||
           named(s->pod_label, name) || named(s->namespace_label, name) ||
           named(s->workload_label, name) || named(s->workload_namespace_label, name) ||
           (with_service && (named(s->service_label, name) || named(s->service_fqdn_label, name)));
}

/* The exported labels, comma-separated, for the message. */
static void list_labels(const rsim_spec_metrics *m, bool with_service, char *out, size_t cap)
{
    const rsim_spec_series *s = &m->series;
    const char *names[64];
    size_t n = 0;
    const char *fixed[] = {s->hash_label,
                           s->pod_label,
                           s->namespace_label,
                           with_service ? s->service_label : NULL,
                           with_service ? s->service_fqdn_label : NULL,
                           s->workload_label,
                           s->workload_namespace_label,
                           s->status_label};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (fixed[i] != NULL && fixed[i][0] != '\0') {
            names[n++] = fixed[i];
        }
    }
    for (size_t i = 0; i < s->n_labels && n < 63; i++) {
        names[n++] = s->labels[i].name;
    }
    names[n++] = "le";
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The selector's position in the file: the parser counts the columns of later lines from 1. */
static rsim_loc at_selector(const qctx *c, rsim_loc loc)
{
    if (c->fixed.line > 0) {
        return c->fixed;
    }
    if (c->indent > 0 && loc.line > c->base_line) {
        loc.col += c->indent - 1;
    }
    return loc;
}

/* Visitor: warns about one selector (an unknown name, else each matcher that cannot hold);
 * always goes on to the next. */
static bool check_selector(void *arg, const rsim_promql_node *n)
{
    const qctx *c = arg;
    const rsim_spec_metrics *m = c->m;
    const char *metric = n->u.sel.metric;
    rsim_loc loc = at_selector(c, n->loc);
    if (metric != NULL && is_rule_output(m, metric)) {
        return false; /* a recording rule's labels are those of its expression's result */
    }
    if (metric != NULL && !is_exported_name(&m->series, metric)) {
        const rsim_spec_series *s = &m->series;
        rsim_diag_add(c->ctx->sc.diag, RSIM_SEV_WARNING, RSIM_OK, loc, NULL,
                      "this selector selects no series: no series named '%s' is exported "
                      "(spec.metrics.series: %s, %s_bucket, %s_sum, %s_count, and up)",
                      metric, s->requests ? s->requests : "", s->latency ? s->latency : "",
                      s->latency ? s->latency : "", s->latency ? s->latency : "");
        return false;
    }
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *mt = &n->u.sel.matchers[i];
        const rsim_spec_world_label *constant = constant_label(m, mt->name);
        bool source = c->gateway && strcmp(mt->name, "reporter") == 0 &&
                      rsim_promql_matcher_is_match(mt, "source");
        if (constant != NULL && strstr(mt->value, PLACEHOLDER) == NULL && !source &&
            !rsim_promql_matcher_is_match(mt, constant->value)) {
            rsim_diag_add(c->ctx->sc.diag, RSIM_SEV_WARNING, RSIM_OK, loc, NULL,
                          "this selector selects no series: every exported series has "
                          "%s=\"%s\" (%s)",
                          mt->name, constant->value,
                          constant->preset
                              ? "the preset's: each pod's sidecar reports the server side; "
                                "another value can be set in spec.metrics.series.constantLabels"
                              : "spec.metrics.series.constantLabels");
            continue;
        }
        if (strcmp(mt->name, "__name__") == 0 || mt->matches_empty || constant != NULL ||
            is_exported_label(m, c->with_service, mt->name)) {
            continue;
        }
        /* With a placeholder, only an argument that makes it accept "" would select. */
        bool placeholder = strstr(mt->value, PLACEHOLDER) != NULL;
        char labels[512];
        list_labels(m, c->with_service, labels, sizeof labels);
        const char *how = named(m->series.service_label, mt->name) ||
                                  named(m->series.service_fqdn_label, mt->name)
                              ? "it is on series scraped through Services only "
                                "(spec.metrics.targets: services)"
                              : "add it to every series with spec.metrics.series.constantLabels, "
                                "or name it in spec.metrics.series.labels";
        rsim_diag_add(c->ctx->sc.diag, RSIM_SEV_WARNING, RSIM_OK, loc, NULL,
                      "this selector selects no series%s: no exported series carries the label "
                      "'%s' (they carry %s); %s",
                      placeholder ? " unless its argument matches an empty value" : "", mt->name,
                      labels, how);
        return false;
    }
    return false;
}

static void check_text(rsim_build_ctx *ctx,
                       const rsim_spec_metrics *m,
                       bool gateway,
                       const char *text,
                       rsim_loc base,
                       int indent,
                       rsim_loc fixed)
{
    if (text == NULL || text[0] == '\0') {
        return;
    }
    /* Each placeholder becomes a run of '#' as long as itself: a valid string and regex, and
     * every column stays where it was. */
    char *t = rsim_xstrdup(text);
    for (char *open = strstr(t, "{{"); open != NULL; open = strstr(open, "{{")) {
        char *close = strstr(open + 2, "}}");
        if (close == NULL) {
            break;
        }
        memset(open, '#', (size_t)(close + 2 - open));
        open = close + 2;
    }
    rsim_diag *quiet = rsim_diag_new(0);
    rsim_promql *q = NULL;
    if (rsim_promql_parse(t, base, quiet, &q) == RSIM_OK) {
        bool with_service = gateway || m->targets == RSIM_SCRAPE_TARGETS_SERVICES;
        qctx c = {ctx, m, gateway, with_service, indent, base.line, fixed};
        (void)rsim_promql_any_selector(rsim_promql_root(q), check_selector, &c);
    }
    /* A query that does not parse was reported where it was read; one with a placeholder
     * outside a string is known only after substitution. */
    rsim_promql_free(q);
    rsim_diag_free(quiet);
    free(t);
}

void rsim_scenario_check_query_series(rsim_build_ctx *ctx, const rsim_spec *spec)
{
    const rsim_spec_world *w = spec->world;
    if (w == NULL) {
        return;
    }
    const rsim_spec_metrics *m = &w->metrics;
    const rsim_spec_rollout *r = w->rollout != NULL      ? rsim_spec_find_rollout(spec, w->rollout)
                                 : spec->n_rollouts == 1 ? &spec->rollouts[0]
                                                         : NULL;
    const char *names[2];
    bool gateway = rsim_spec_gateway_services(w, r, names) > 0;
    rsim_loc none;
    memset(&none, 0, sizeof none);
    for (size_t i = 0; i < spec->n_templates; i++) {
        const rsim_spec_analysis_template *tp = &spec->templates[i];
        for (size_t k = 0; k < tp->n_metrics; k++) {
            const rsim_spec_prometheus *p = tp->metrics[k].prometheus;
            if (p != NULL) {
                check_text(ctx, m, gateway, p->query, p->query_loc, p->query_indent, none);
            }
        }
    }
    for (size_t i = 0; i < m->n_recording_rules; i++) {
        const rsim_spec_prom_rule *rule = &m->recording_rules[i];
        /* Reported at the expression: the spec keeps where it starts, not its quoting. */
        check_text(ctx, m, gateway, rule->expr, rule->expr_loc, 0, rule->expr_loc);
    }
}
