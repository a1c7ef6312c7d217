/* providers.c - helpers an owner uses to implement the provider interface against its world:
 * the Prometheus provider over the metrics model (metricproviders/prometheus: instant query,
 * timeout, scalar -> float, vector -> list of floats, §20), the web provider's timeout and
 * jsonPath selection (metricproviders/webmetric), and the Job poll schedule (§16.1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

void rsim_analysis_prometheus_reply(const rsim_metrics_store *store,
                                    const rsim_analysis_request *req,
                                    const rsim_metrics_query_opts *opts,
                                    rsim_time latency,
                                    bool down,
                                    rsim_analysis_reply *rep)
{
    const rsim_spec_prometheus *p = req->spec->prometheus;
    rsim_time timeout = p && p->timeout > 0 ? p->timeout : RSIM_SEC(30);
    if (latency < 0) {
        latency = 0;
    }
    if (down) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        rep->duration = latency < timeout ? latency : timeout;
        snprintf(rep->message, sizeof rep->message,
                 "Post \"%s/api/v1/query\": the metrics backend is unavailable (outage)",
                 p && p->address[0] ? p->address : "http://prometheus");
        return;
    }
    if (latency > timeout) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        rep->duration = timeout;
        snprintf(rep->message, sizeof rep->message,
                 "Post \"%s/api/v1/query\": context deadline exceeded",
                 p && p->address[0] ? p->address : "http://prometheus");
        return;
    }
    rep->duration = latency;
    if (!req->query) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep->message, sizeof rep->message, "bad_data: no query");
        return;
    }
    /* The run's result keeps its working memory from one query to the next. */
    rsim_metrics_result local;
    rsim_metrics_result *r = req->result;
    if (!r) {
        r = &local;
        rsim_metrics_result_init(r);
    }
    if (rsim_metrics_query_eval(store, req->query, req->now, opts, r) != RSIM_OK ||
        r->kind == RSIM_METRICS_ERROR) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep->message, sizeof rep->message, "execution: %s", r->error);
    } else if (r->kind == RSIM_METRICS_SCALAR) {
        rep->kind = RSIM_ANALYSIS_REPLY_VALUE;
        rep->value = rsim_cond_float(req->arena, r->scalar);
    } else {
        double few[16];
        double *v = r->n_samples <= 16 ? few : rsim_xcalloc(r->n_samples, sizeof *v);
        for (size_t i = 0; i < r->n_samples; i++) {
            v[i] = r->samples[i].value;
        }
        rep->kind = RSIM_ANALYSIS_REPLY_VALUE;
        rep->value = rsim_cond_floats(req->arena, v, r->n_samples);
        if (v != few) {
            free(v);
        }
    }
    if (r == &local) {
        rsim_metrics_result_fini(r);
    }
}

/* Follows a jsonPath of the forms {$}, {$.a.b}, {.a}, {$.items[0]}, {$['a-b']} through a value.
 * Returns false with a reason when the path is outside that subset or selects nothing. */
static bool json_path(
    const char *path, const rsim_cond_value *v, const rsim_cond_value **out, char *why, size_t size)
{
    size_t n = strlen(path);
    if (n < 2 || path[0] != '{' || path[n - 1] != '}') {
        snprintf(why, size, "unsupported jsonPath '%s'", path);
        return false;
    }
    const char *p = path + 1;
    const char *end = path + n - 1;
    if (*p == '$') {
        p++;
    }
    while (p < end) {
        char key[256];
        if (*p == '.' && p + 1 < end && p[1] != '.') {
            size_t k = strcspn(p + 1, ".[}");
            snprintf(key, sizeof key, "%.*s", (int)k, p + 1);
            p += 1 + k;
            v = rsim_cond_value_get(v, key);
        } else if (*p == '[' && (p[1] == '\'' || p[1] == '"')) {
            const char *close = strchr(p + 2, p[1]);
            if (!close || close[1] != ']') {
                snprintf(why, size, "unsupported jsonPath '%s'", path);
                return false;
            }
            snprintf(key, sizeof key, "%.*s", (int)(close - p - 2), p + 2);
            p = close + 2;
            v = rsim_cond_value_get(v, key);
        } else if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
            char *e = NULL;
            unsigned long idx = strtoul(p + 1, &e, 10);
            if (*e != ']') {
                snprintf(why, size, "unsupported jsonPath '%s'", path);
                return false;
            }
            p = e + 1;
            v = rsim_cond_value_kind(v) == RSIM_COND_ARRAY && idx < rsim_cond_value_len(v)
                    ? rsim_cond_value_at(v, idx)
                    : NULL;
        } else {
            snprintf(why, size, "unsupported jsonPath '%s'", path);
            return false;
        }
        if (!v) {
            snprintf(why, size, "could not find JSONPath in body");
            return false;
        }
    }
    *out = v;
    return true;
}

void rsim_analysis_web_reply(const rsim_analysis_request *req,
                             const rsim_cond_value *value,
                             rsim_time latency,
                             rsim_analysis_reply *rep)
{
    const rsim_spec_web *w = req->spec->web;
    rsim_time timeout = w && w->timeout > 0 ? w->timeout : RSIM_SEC(10);
    if (latency < 0) {
        latency = 0;
    }
    if (latency > timeout) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        rep->duration = timeout;
        snprintf(rep->message, sizeof rep->message,
                 "Get \"%s\": context deadline exceeded (Client.Timeout exceeded while awaiting "
                 "headers)",
                 w ? w->url : "");
        return;
    }
    rep->duration = latency;
    const rsim_cond_value *sel = value;
    if (!json_path(w && w->json_path ? w->json_path : "{$}", value, &sel, rep->message,
                   sizeof rep->message)) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        return;
    }
    rep->kind = RSIM_ANALYSIS_REPLY_VALUE;
    rep->value = sel;
}

rsim_time rsim_analysis_job_next_poll(rsim_time started, rsim_time now)
{
    double elapsed = (double)(now > started ? now - started : 0) / 1000.0;
    double delay = sqrt(2.0 * elapsed);
    rsim_time d = (rsim_time)ceil(delay * 1000.0);
    return now + (d < RSIM_SEC(1) ? RSIM_SEC(1) : d);
}
