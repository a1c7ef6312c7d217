/* run.c - creating an AnalysisRun: templates flattened, arguments merged and resolved
 * (utils/analysis/helpers.go NewAnalysisRunFromTemplates, MergeArgs; the Rollout's valueFrom),
 * `{{args.x}}` substituted into every string of every metric, the resolved metric validated
 * (ValidateMetrics) and its conditions and query parsed, dryRun / measurementRetention rules
 * matched (§4.10, §23 E5). Problems Argo only finds on the run's first reconcile are kept in
 * first_error and turn the run Error on its first pass. Start at rsim_analysis_run_new. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

#define SUB_MAX_BYTES ((size_t)1024 * 1024) /* a substituted string longer than this is refused */

typedef struct builder {
    rsim_analysis_run *run;
    const rsim_analysis_context *ctx;
    char *errbuf;
    size_t errsize;
    rsim_err err;
} builder;

static rsim_err fail(builder *b, rsim_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rsim_err fail(builder *b, rsim_err code, const char *fmt, ...)
{
    if (b->errbuf && b->errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->errbuf, b->errsize, fmt, ap);
        va_end(ap);
    }
    b->err = code;
    return code;
}

/* The first problem Argo would find on the first reconcile: the run starts in Error with it. */
static void first_error(rsim_analysis_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void first_error(rsim_analysis_run *run, const char *fmt, ...)
{
    if (run->first_error) {
        return;
    }
    char msg[RSIM_ANALYSIS_MSGMAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    run->first_error = rsim_arena_strdup(&run->arena, msg);
}

rsim_analysis_context rsim_analysis_context_default(void)
{
    rsim_analysis_context c;
    memset(&c, 0, sizeof c);
    c.truncate_seconds = true;
    return c;
}

/* ---- arguments ----------------------------------------------------------------------------- */

static rsim_analysis_arg_rt *find_arg(rsim_analysis_run *run, const char *name)
{
    for (size_t i = 0; i < run->n_args; i++) {
        if (strcmp(run->args[i].name, name) == 0) {
            return &run->args[i];
        }
    }
    return NULL;
}

static const char *field_ref(builder *b, const char *path)
{
    return b->ctx->field ? b->ctx->field(b->ctx->field_arg, path) : NULL;
}

/* flattenArgs: a name seen again keeps the first value unless that one had none; two different
 * values are an error. A template arg's own valueFrom is resolved here: a fieldRef from the
 * Rollout, a Secret to a stand-in (rollsim models no Secrets; the loader allows such arguments
 * only in headers, which have no effect). */
static rsim_err
flatten_args(builder *b, const rsim_spec_analysis_template *const *tpl, size_t n_tpl, bool cluster)
{
    rsim_analysis_run *run = b->run;
    for (size_t t = 0; t < n_tpl; t++) {
        if (tpl[t]->cluster != cluster) {
            continue;
        }
        for (size_t i = 0; i < tpl[t]->n_args; i++) {
            const rsim_spec_analysis_arg *a = &tpl[t]->args[i];
            const char *v = a->value;
            if (a->source == RSIM_SPEC_ARG_SECRET) {
                v = "*****";
            } else if (a->source == RSIM_SPEC_ARG_FIELD_REF) {
                v = field_ref(b, a->field_path);
                if (!v) {
                    return fail(b, RSIM_EINVAL, "args.%s: fieldRef '%s' names nothing", a->name,
                                a->field_path);
                }
            }
            rsim_analysis_arg_rt *prev = find_arg(run, a->name);
            if (!prev) {
                run->args[run->n_args].name = a->name;
                run->args[run->n_args].value = v;
                run->n_args++;
            } else if (prev->value && v && strcmp(prev->value, v) != 0) {
                return fail(b, RSIM_EINVAL,
                            "Argument `%s` specified multiple times with different values: "
                            "'%s', '%s'",
                            a->name, prev->value, v);
            } else if (!prev->value) {
                prev->value = v;
            }
        }
    }
    return RSIM_OK;
}

/* MergeArgs with the Rollout's args (rollout/analysis.go resolves their valueFrom first); an
 * argument the templates do not declare is ignored, as in Argo. */
static rsim_err merge_args(builder *b, const rsim_spec_rollout_arg *args, size_t n_args)
{
    for (size_t i = 0; i < n_args; i++) {
        rsim_analysis_arg_rt *a = find_arg(b->run, args[i].name);
        if (!a) {
            continue;
        }
        switch (args[i].kind) {
        case RSIM_ROLLOUT_ARG_VALUE:
            a->value = args[i].value;
            break;
        case RSIM_ROLLOUT_ARG_POD_HASH_STABLE:
            a->value = b->ctx->stable_hash ? b->ctx->stable_hash : "";
            break;
        case RSIM_ROLLOUT_ARG_POD_HASH_LATEST:
            a->value = b->ctx->latest_hash ? b->ctx->latest_hash : "";
            break;
        case RSIM_ROLLOUT_ARG_FIELD_REF:
            a->value = field_ref(b, args[i].value);
            if (!a->value) {
                return fail(b, RSIM_EINVAL, "args.%s: fieldRef '%s' names nothing", args[i].name,
                            args[i].value);
            }
            break;
        }
    }
    for (size_t i = 0; i < b->run->n_args; i++) {
        if (!b->run->args[i].value) {
            return fail(b, RSIM_EINVAL, "args.%s was not resolved", b->run->args[i].name);
        }
    }
    return RSIM_OK;
}

/* ---- substitution -------------------------------------------------------------------------- */

/* Replaces every `{{ args.name }}` (spaces around the tag ignored) by the argument's value.
 * NULL stays NULL. An unknown tag leaves the run in Error, as Argo's "Unable to resolve metric
 * arguments". */
static const char *subst(builder *b, const char *s)
{
    if (!s || !strstr(s, "{{")) {
        return s;
    }
    rsim_buf out;
    rsim_buf_init(&out, SUB_MAX_BYTES);
    const char *p = s;
    const char *open;
    bool ok = true;
    while (ok && (open = strstr(p, "{{")) != NULL) {
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            break;
        }
        ok = rsim_buf_append(&out, p, (size_t)(open - p)) == RSIM_OK;
        const char *t0 = open + 2;
        const char *t1 = close;
        while (t0 < t1 && (*t0 == ' ' || *t0 == '\t')) {
            t0++;
        }
        while (t1 > t0 && (t1[-1] == ' ' || t1[-1] == '\t')) {
            t1--;
        }
        char tag[256];
        snprintf(tag, sizeof tag, "%.*s", (int)(t1 - t0), t0);
        const rsim_analysis_arg_rt *a =
            strncmp(tag, "args.", 5) == 0 ? find_arg(b->run, tag + 5) : NULL;
        if (!a) {
            first_error(b->run, "Unable to resolve metric arguments: failed to resolve {{%s}}",
                        tag);
            ok = ok && rsim_buf_append(&out, open, (size_t)(close + 2 - open)) == RSIM_OK;
        } else {
            ok = ok && rsim_buf_puts(&out, a->value) == RSIM_OK;
        }
        p = close + 2;
    }
    ok = ok && rsim_buf_puts(&out, p) == RSIM_OK;
    if (!ok) {
        first_error(b->run, "Unable to resolve metric arguments: result longer than %zu bytes",
                    SUB_MAX_BYTES);
    }
    const char *r = rsim_arena_strdup(&b->run->arena, out.data ? out.data : "");
    rsim_buf_fini(&out);
    return r;
}

/* An int-or-string field after substitution. */
static int64_t resolve_int(builder *b, size_t mi, const char *key, rsim_spec_arg_value *v)
{
    if (v->raw) {
        const char *s = subst(b, v->raw);
        int64_t x = 0;
        if (!rsim_util_parse_int64(s, &x)) {
            first_error(b->run,
                        "Analysis spec invalid: metrics[%zu]: %s: expected an integer, got '%s'",
                        mi, key, s);
        }
        v->value = x;
        v->raw = NULL;
    }
    return v->value;
}

static rsim_time resolve_duration(builder *b, size_t mi, const char *key, rsim_spec_arg_value *v)
{
    if (v->raw) {
        const char *s = subst(b, v->raw);
        rsim_time d = 0;
        if (s[0] == '\0') {
            v->set = false; /* Argo treats "" as unset */
        } else if (!rsim_analysis_parse_duration(s, &d)) {
            first_error(b->run,
                        "Analysis spec invalid: metrics[%zu]: %s: expected a duration such as "
                        "\"30s\", got '%s'",
                        mi, key, s);
        }
        v->value = d;
        v->raw = NULL;
    }
    return v->value;
}

static const rsim_spec_http_header *
subst_headers(builder *b, const rsim_spec_http_header *h, size_t n)
{
    if (n == 0) {
        return h;
    }
    rsim_spec_http_header *c = rsim_arena_alloc(&b->run->arena, n * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i] = h[i];
        c[i].value = subst(b, h[i].value);
    }
    return c;
}

static void subst_provider(builder *b, rsim_spec_metric *s)
{
    rsim_arena *a = &b->run->arena;
    if (s->prometheus) {
        rsim_spec_prometheus *p = rsim_arena_alloc(a, sizeof *p);
        *p = *s->prometheus;
        p->address = subst(b, p->address);
        p->query = subst(b, p->query);
        p->headers = subst_headers(b, p->headers, p->n_headers);
        s->prometheus = p;
    }
    if (s->web) {
        rsim_spec_web *w = rsim_arena_alloc(a, sizeof *w);
        *w = *s->web;
        w->url = subst(b, w->url);
        w->body = subst(b, w->body);
        w->json_body = subst(b, w->json_body);
        w->json_path = subst(b, w->json_path);
        w->headers = subst_headers(b, w->headers, w->n_headers);
        s->web = w;
    }
    if (s->job && s->job->n_containers > 0) {
        rsim_spec_job *j = rsim_arena_alloc(a, sizeof *j);
        *j = *s->job;
        const char **images = rsim_arena_alloc(a, j->n_containers * sizeof *images);
        for (size_t i = 0; i < j->n_containers; i++) {
            images[i] = subst(b, s->job->images[i]);
        }
        j->images = images;
        s->job = j;
    }
}

/* ---- parsing after substitution ------------------------------------------------------------ */

/* Where a string of the template starts; text that had placeholders is reported there. */
static rsim_loc text_loc(rsim_loc at)
{
    at.len = 0;
    return at;
}

/* Parses a condition; its error is kept as the message of every measurement (Argo compiles the
 * expression at each evaluation and records the failure as an Error measurement). */
static rsim_cond *parse_cond(builder *b, rsim_analysis_metric_rt *m, const char *text, rsim_loc at)
{
    if (!text || text[0] == '\0') {
        return NULL;
    }
    rsim_diag *one = rsim_diag_new(1);
    rsim_cond *c = NULL;
    if (rsim_cond_parse(text, text_loc(at), one, &c) != RSIM_OK) {
        const char *msg = rsim_diag_count(one) > 0 ? rsim_diag_message_at(one, 0) : "invalid";
        if (!m->expr_error) {
            m->expr_error =
                rsim_arena_printf(&b->run->arena, "unable to compile '%s': %s", text, msg);
        }
        if (b->ctx->diag && rsim_diag_count(one) > 0) {
            rsim_diag_add(b->ctx->diag, RSIM_SEV_ERROR, rsim_diag_code_at(one, 0),
                          rsim_diag_loc_at(one, 0), NULL, "metric '%s': %s", m->spec.name, msg);
        }
    }
    rsim_diag_free(one);
    return c;
}

static void parse_query(builder *b, rsim_analysis_metric_rt *m)
{
    const char *text = m->spec.prometheus->query;
    rsim_diag *all = rsim_diag_new(0);
    rsim_loc at = {m->tmpl->loc.file, m->tmpl->loc.line, m->tmpl->loc.col, 0};
    if (rsim_promql_parse(text, at, all, &m->query) != RSIM_OK) {
        const char *msg = rsim_diag_count(all) > 0 ? rsim_diag_message_at(all, 0) : "invalid";
        /* Prometheus answers a query it cannot parse with bad_data: an Error measurement. */
        if (!m->expr_error) {
            m->expr_error = rsim_arena_printf(&b->run->arena, "bad_data: %s", msg);
        }
        for (size_t i = 0; b->ctx->diag && i < rsim_diag_count(all); i++) {
            rsim_diag_add(b->ctx->diag, RSIM_SEV_ERROR, rsim_diag_code_at(all, i),
                          rsim_diag_loc_at(all, i), NULL, "metric '%s': query: %s", m->spec.name,
                          rsim_diag_message_at(all, i));
        }
    }
    rsim_diag_free(all);
}

/* ValidateMetric (utils/analysis) on the resolved values, and the effective count (§4.3). */
static void validate(builder *b, size_t mi, rsim_analysis_metric_rt *m)
{
    rsim_analysis_run *run = b->run;
    const struct {
        const char *name;
        int64_t v;
    } lim[] = {{"failureLimit", m->failure_limit},
               {"inconclusiveLimit", m->inconclusive_limit},
               {"consecutiveSuccessLimit", m->consecutive_success_limit}};
    if (m->inconclusive_limit < 0 || m->consecutive_error_limit < 0 ||
        m->consecutive_success_limit < 0 || m->count < 0) {
        first_error(run, "Analysis spec invalid: metrics[%zu]: limits and count must be >= 0", mi);
    }
    if (m->failure_limit < -1 || (m->failure_limit == -1 && m->consecutive_success_limit <= 0)) {
        first_error(run,
                    "Analysis spec invalid: metrics[%zu]: failureLimit must be >= 0, or -1 "
                    "together with consecutiveSuccessLimit",
                    mi);
    }
    if (m->count > 1 && !m->interval_set) {
        first_error(
            run, "Analysis spec invalid: metrics[%zu]: interval must be specified when count > 1",
            mi);
    }
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        if (m->count > 0 && m->count < lim[i].v) {
            first_error(run, "Analysis spec invalid: metrics[%zu]: count must be >= %s", mi,
                        lim[i].name);
        }
    }
    if (m->count <= 0) {
        m->count = m->interval_set ? RSIM_SPEC_COUNT_UNBOUNDED : 1;
    }
}

static void build_metric(builder *b, size_t mi, const rsim_spec_metric *tm)
{
    rsim_analysis_metric_rt *m = &b->run->m[mi];
    m->tmpl = tm;
    m->spec = *tm;
    rsim_spec_metric *s = &m->spec;
    /* The spec's count is already the effective one when it was known at load; start again
     * from what was written. */
    if (s->count.set && !s->count.raw) {
        m->count = s->count.value;
    } else if (!s->count.set) {
        m->count = 0;
    } else {
        m->count = resolve_int(b, mi, "count", &s->count);
    }
    m->interval = resolve_duration(b, mi, "interval", &s->interval);
    m->interval_set = s->interval.set;
    m->initial_delay = resolve_duration(b, mi, "initialDelay", &s->initial_delay);
    m->initial_delay_set = s->initial_delay.set;
    m->failure_limit = resolve_int(b, mi, "failureLimit", &s->failure_limit);
    m->inconclusive_limit = resolve_int(b, mi, "inconclusiveLimit", &s->inconclusive_limit);
    m->consecutive_error_limit =
        resolve_int(b, mi, "consecutiveErrorLimit", &s->consecutive_error_limit);
    m->consecutive_success_limit =
        resolve_int(b, mi, "consecutiveSuccessLimit", &s->consecutive_success_limit);
    if (m->count == RSIM_SPEC_COUNT_UNBOUNDED) {
        m->count = 0;
    }
    validate(b, mi, m);
    s->count.value = m->count;
    s->success_condition = subst(b, s->success_condition);
    s->failure_condition = subst(b, s->failure_condition);
    subst_provider(b, s);
    m->success = parse_cond(b, m, s->success_condition, tm->success_loc);
    m->failure = parse_cond(b, m, s->failure_condition, tm->failure_loc);
    if (s->prometheus) {
        parse_query(b, m);
    }
    m->st.name = s->name;
    m->st.phase = RSIM_ANALYSIS_PENDING;
    m->st.message = "";
    m->st.retention = RSIM_ANALYSIS_DEFAULT_RETENTION;
}

/* ---- dryRun / measurementRetention rules --------------------------------------------------- */

typedef struct rules {
    const rsim_spec_metric_rule **r;
    size_t n;
} rules;

static rsim_err collect_rules(builder *b,
                              rules *out,
                              const rsim_spec_metric_rule *own,
                              size_t n_own,
                              const rsim_spec_analysis_template *const *tpl,
                              size_t n_tpl,
                              bool dry)
{
    size_t total = n_own;
    for (size_t t = 0; t < n_tpl; t++) {
        total += dry ? tpl[t]->n_dry_run : tpl[t]->n_retention;
    }
    out->r = rsim_arena_alloc(&b->run->arena, (total + 1) * sizeof(const rsim_spec_metric_rule *));
    out->n = 0;
    for (size_t i = 0; i < n_own; i++) {
        out->r[out->n++] = &own[i];
    }
    for (int cl = 0; cl < 2; cl++) {
        for (size_t t = 0; t < n_tpl; t++) {
            if (tpl[t]->cluster != (cl == 1)) {
                continue;
            }
            size_t n = dry ? tpl[t]->n_dry_run : tpl[t]->n_retention;
            for (size_t i = 0; i < n; i++) {
                out->r[out->n++] = dry ? &tpl[t]->dry_run[i] : &tpl[t]->retention[i];
            }
        }
    }
    for (size_t i = 0; i < out->n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(out->r[i]->metric_name, out->r[k]->metric_name) == 0) {
                return fail(b, RSIM_EINVAL, "two %s metric rules have the same name '%s'",
                            dry ? "Dry-Run" : "Measurement Retention", out->r[i]->metric_name);
            }
        }
    }
    return RSIM_OK;
}

/* GetDryRunMetrics / GetMeasurementRetentionMetrics: every rule must match a metric. */
static rsim_err apply_rules(builder *b, const rules *rs, bool dry)
{
    rsim_analysis_run *run = b->run;
    for (size_t i = 0; i < rs->n; i++) {
        size_t matched = 0;
        for (size_t k = 0; k < run->n_metrics; k++) {
            char why[160];
            int r =
                rsim_analysis_re_match(rs->r[i]->metric_name, run->m[k].spec.name, why, sizeof why);
            if (r < 0) {
                return fail(b, RSIM_EUNSUPPORTED, "%s[%zu].metricName: not supported yet: '%s' %s",
                            dry ? "dryRun" : "measurementRetention", i, rs->r[i]->metric_name, why);
            }
            if (r == 0) {
                continue;
            }
            matched++;
            if (dry) {
                run->m[k].st.dry_run = true;
            } else if (rs->r[i]->limit > 0) {
                run->m[k].st.retention = (size_t)rs->r[i]->limit;
            }
        }
        if (matched == 0) {
            first_error(run, "Analysis spec invalid: %s[%zu]: Rule didn't match any metric name(s)",
                        dry ? "dryRun" : "measurementRetention", i);
        }
    }
    return RSIM_OK;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

static rsim_err build(builder *b,
                      const rsim_spec_analysis_template *const *tpl,
                      size_t n_tpl,
                      const rsim_spec_rollout_arg *args,
                      size_t n_args,
                      const rsim_spec_metric_rule *dry_run,
                      size_t n_dry_run,
                      const rsim_spec_metric_rule *retention,
                      size_t n_retention)
{
    rsim_analysis_run *run = b->run;
    size_t n_metrics = 0;
    size_t n_targs = 0;
    for (size_t t = 0; t < n_tpl; t++) {
        n_metrics += tpl[t]->n_metrics;
        n_targs += tpl[t]->n_args;
    }
    if (n_metrics == 0) {
        return fail(b, RSIM_EINVAL, "no metrics: an AnalysisRun needs at least one");
    }
    run->args = rsim_arena_alloc(&run->arena, (n_targs + 1) * sizeof *run->args);
    if (flatten_args(b, tpl, n_tpl, false) != RSIM_OK ||
        flatten_args(b, tpl, n_tpl, true) != RSIM_OK || merge_args(b, args, n_args) != RSIM_OK) {
        return b->err;
    }
    run->m = rsim_xcalloc(n_metrics, sizeof *run->m);
    for (int cl = 0; cl < 2; cl++) {
        for (size_t t = 0; t < n_tpl; t++) {
            if (tpl[t]->cluster != (cl == 1)) {
                continue;
            }
            for (size_t i = 0; i < tpl[t]->n_metrics; i++) {
                const char *name = tpl[t]->metrics[i].name;
                for (size_t k = 0; k < run->n_metrics; k++) {
                    if (strcmp(run->m[k].spec.name, name) == 0) {
                        return fail(b, RSIM_EINVAL, "two metrics have the same name '%s'", name);
                    }
                }
                build_metric(b, run->n_metrics++, &tpl[t]->metrics[i]);
            }
        }
    }
    rules dry;
    rules ret;
    if (collect_rules(b, &dry, dry_run, n_dry_run, tpl, n_tpl, true) != RSIM_OK ||
        collect_rules(b, &ret, retention, n_retention, tpl, n_tpl, false) != RSIM_OK ||
        apply_rules(b, &dry, true) != RSIM_OK || apply_rules(b, &ret, false) != RSIM_OK) {
        return b->err;
    }
    return RSIM_OK;
}

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
                               size_t errsize)
{
    rsim_analysis_context dflt = rsim_analysis_context_default();
    rsim_analysis_run *run = rsim_xcalloc(1, sizeof *run);
    rsim_arena_init(&run->arena);
    rsim_arena_init(&run->scratch);
    builder b = {run, ctx ? ctx : &dflt, errbuf, errsize, RSIM_OK};
    if (errbuf && errsize > 0) {
        errbuf[0] = '\0';
    }
    run->truncate = b.ctx->truncate_seconds;
    run->provider = *provider;
    run->phase = RSIM_ANALYSIS_PENDING;
    run->message = "";
    run->started_at = -1;
    run->completed_at = -1;
    run->rerun_at = -1;
    if (build(&b, templates, n_templates, args, n_args, dry_run, n_dry_run, retention,
              n_retention) != RSIM_OK) {
        rsim_analysis_run_free(run);
        return b.err;
    }
    *out = run;
    return RSIM_OK;
}

void rsim_analysis_run_free(rsim_analysis_run *run)
{
    if (!run) {
        return;
    }
    for (size_t i = 0; i < run->n_metrics; i++) {
        rsim_cond_free(run->m[i].success);
        rsim_cond_free(run->m[i].failure);
        rsim_promql_free(run->m[i].query);
        free(run->m[i].ms.items);
    }
    free(run->m);
    if (run->prom) {
        rsim_metrics_result_fini(run->prom);
        free(run->prom);
    }
    rsim_arena_fini(&run->scratch);
    rsim_arena_fini(&run->arena);
    free(run);
}

/* ---- Go durations -------------------------------------------------------------------------- */

bool rsim_analysis_parse_duration(const char *s, rsim_time *out)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1.0},
                 {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
    if (!s || *s == '\0' || *s == '-') {
        return false;
    }
    if (*s == '+') {
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    double total = 0.0;
    while (*s) {
        if (!((*s >= '0' && *s <= '9') || *s == '.')) {
            return false;
        }
        char *end = NULL;
        double v = strtod(s, &end);
        if (end == s) {
            return false;
        }
        s = end;
        size_t best = 0;
        size_t best_len = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t l = strlen(units[i].unit);
            if (strncmp(s, units[i].unit, l) == 0 && l > best_len) {
                best = i;
                best_len = l;
            }
        }
        if (best_len == 0) {
            return false; /* Go: "missing unit in duration" */
        }
        total += v * units[best].ms;
        s += best_len;
    }
    if (!(total < 9.2e15)) {
        return false;
    }
    *out = (rsim_time)floor(total);
    return true;
}
