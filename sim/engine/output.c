/* output.c - the result of a run as files and text: the per-tick time series (CSV), the
 * ground-truth totals (JSON) and the terminal summary. Fixed column and key orders, integers
 * where counts are meant, and one number format for ratios, so outputs are byte-identical for
 * the same scenario and seed. Columns and keys are documented in docs/outputs.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine_int.h"

/* Per-ReplicaSet column suffixes of the time series, in order. */
static const char *const cell_columns[] = {
    "requests",  "failures",    "fault_failures", "error_ratio", "fault_error_ratio",
    "share",     "pending",     "starting",       "not_ready",   "ready",
    "available", "terminating", "serving",
};

/* A ratio for the CSV: empty when there is nothing to divide (no requests: NaN, not 0). */
static void put_ratio(FILE *out, uint64_t num, uint64_t den)
{
    if (den == 0) {
        fputs(",", out);
        return;
    }
    fprintf(out, ",%.6g", (double)num / (double)den);
}

static void put_cell(FILE *out, const rsim_series_cell *c)
{
    fprintf(out, ",%llu,%llu,%llu", (unsigned long long)c->requests,
            (unsigned long long)c->failures, (unsigned long long)c->fault_failures);
    put_ratio(out, c->failures, c->requests);
    put_ratio(out, c->fault_failures, c->requests);
    fprintf(out, ",%.6g", c->share);
    for (int s = 0; s < RSIM_POD_GONE; s++) {
        fprintf(out, ",%d", (int)c->pods[s]);
    }
    fprintf(out, ",%d", (int)c->serving);
}

rsim_err rsim_result_write_timeline_csv(const rsim_result *r, FILE *out)
{
    const rsim_engine *e = r->engine;
    size_t n_rs = rsim_cluster_rs_count(e->cluster);
    fputs("t_ms,time,rate_rps,requests,failures,fault_failures", out);
    for (uint32_t rs = 0; rs < n_rs; rs++) {
        long long rev = (long long)rsim_cluster_rs_at(e->cluster, rs)->revision;
        for (size_t k = 0; k < sizeof(cell_columns) / sizeof(cell_columns[0]); k++) {
            fprintf(out, ",rev%lld_%s", rev, cell_columns[k]);
        }
    }
    size_t n_cols = rsim_engine_observe_columns(e);
    for (size_t c = 0; c < n_cols; c++) {
        char name[256];
        rsim_engine_observe_column_name(e, c, name, sizeof name);
        fprintf(out, ",%s", name);
    }
    fputc('\n', out);
    size_t *cursors = rsim_xcalloc(n_cols + 1, sizeof *cursors);
    rsim_series_cell empty;
    memset(&empty, 0, sizeof(empty));
    for (size_t i = 0; i < r->rows.n; i++) {
        const rsim_series_row *row = &r->rows.items[i];
        char dur[32];
        rsim_util_format_duration(row->t, dur, sizeof(dur));
        fprintf(out, "%lld,%s,%.6g,%llu,%llu,%llu", (long long)row->t, dur, row->rate_rps,
                (unsigned long long)row->requests, (unsigned long long)row->failures,
                (unsigned long long)row->fault_failures);
        for (size_t rs = 0; rs < n_rs; rs++) {
            put_cell(out, rs < row->n_cells ? &r->cells.items[row->first_cell + rs] : &empty);
        }
        for (size_t c = 0; c < n_cols; c++) {
            double v = 0;
            if (rsim_engine_observe_value(e, c, row->t, &cursors[c], &v) && isfinite(v)) {
                fprintf(out, ",%.6g", v);
            } else {
                fputc(',', out);
            }
        }
        fputc('\n', out);
    }
    free(cursors);
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

cJSON *rsim_engine_json_need(cJSON *item)
{
    if (!item) {
        rsim_panic("out of memory building JSON");
    }
    return item;
}

static void put_u64(cJSON *o, const char *key, uint64_t v)
{
    rsim_engine_json_need(cJSON_AddNumberToObject(o, key, (double)v));
}

/* A number, or null when it is not finite (JSON has no NaN). */
static void put_num(cJSON *o, const char *key, double v)
{
    if (isfinite(v)) {
        rsim_engine_json_need(cJSON_AddNumberToObject(o, key, v));
    } else {
        rsim_engine_json_need(cJSON_AddNullToObject(o, key));
    }
}

/* The highest share of traffic a ReplicaSet had in any tick of the series. */
static double peak_share(const rsim_result *r, uint32_t rs)
{
    double peak = 0;
    for (size_t i = 0; i < r->rows.n; i++) {
        const rsim_series_row *row = &r->rows.items[i];
        if (rs < row->n_cells && row->requests > 0) {
            const rsim_series_cell *c = &r->cells.items[row->first_cell + rs];
            double s = (double)c->requests / (double)row->requests;
            peak = s > peak ? s : peak;
        }
    }
    return peak;
}

static cJSON *revision_json(const rsim_result *r, uint32_t rs, uint64_t total)
{
    const rsim_engine *e = r->engine;
    const rsim_cluster_rs *cr = rsim_cluster_rs_at(e->cluster, rs);
    const rsim_traffic_rev *tr = rsim_traffic_rev_at(e->traffic, rs);
    cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
    put_u64(o, "revision", (uint64_t)cr->revision);
    rsim_engine_json_need(cJSON_AddStringToObject(o, "image", cr->image));
    rsim_engine_json_need(cJSON_AddStringToObject(o, "podTemplateHash", cr->hash));
    put_u64(o, "requests", tr->requests);
    put_u64(o, "failures", tr->failures);
    put_u64(o, "faultFailures", tr->fault_failures);
    put_u64(o, "baseFailures", tr->base_failures);
    put_u64(o, "overloadFailures", tr->overload_failures);
    put_u64(o, "unrouted", tr->unrouted);
    put_u64(o, "mirrored", tr->mirrored);
    put_num(o, "shareOfRequests", total ? (double)tr->requests / (double)total : (double)NAN);
    put_num(o, "peakShare", peak_share(r, rs));
    if (tr->first_request >= 0) {
        rsim_engine_json_need(
            cJSON_AddNumberToObject(o, "firstRequestMs", (double)tr->first_request));
    } else {
        rsim_engine_json_need(cJSON_AddNullToObject(o, "firstRequestMs"));
    }
    cJSON *lat = rsim_engine_json_need(cJSON_AddObjectToObject(o, "latencyMs"));
    put_num(lat, "p50", rsim_traffic_latency_quantile(e->traffic, rs, 0.50));
    put_num(lat, "p90", rsim_traffic_latency_quantile(e->traffic, rs, 0.90));
    put_num(lat, "p99", rsim_traffic_latency_quantile(e->traffic, rs, 0.99));
    return o;
}

static cJSON *faults_json(const rsim_engine *e)
{
    cJSON *arr = rsim_engine_json_need(cJSON_CreateArray());
    for (size_t i = 0; i < rsim_traffic_fault_count(e->traffic); i++) {
        const rsim_traffic_fault *f = rsim_traffic_fault_at(e->traffic, i);
        cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
        rsim_engine_json_need(cJSON_AddStringToObject(o, "name", f->spec->name));
        rsim_engine_json_need(
            cJSON_AddStringToObject(o, "kind", rsim_spec_fault_name(f->spec->kind)));
        put_num(o, "onsetMs", f->onset >= 0 ? (double)f->onset : (double)NAN);
        put_num(o, "exposedAtMs", f->exposed_at >= 0 ? (double)f->exposed_at : (double)NAN);
        put_u64(o, "failures", f->failures);
        rsim_engine_json_need(cJSON_AddItemToArray(arr, o) ? arr : NULL);
    }
    return arr;
}

static cJSON *totals_json(const rsim_result *r)
{
    const rsim_engine *e = r->engine;
    cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
    rsim_engine_json_need(cJSON_AddStringToObject(o, "scenario", r->scenario ? r->scenario : ""));
    char seed[24];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
    rsim_engine_json_need(cJSON_AddStringToObject(o, "seed", seed));
    put_u64(o, "durationMs", (uint64_t)r->covered);
    uint64_t total = rsim_traffic_requests(e->traffic);
    put_u64(o, "requests", total);
    uint64_t failures = 0;
    uint64_t fault_failures = 0;
    size_t n_rs = rsim_cluster_rs_count(e->cluster);
    cJSON *revs = rsim_engine_json_need(cJSON_AddArrayToObject(o, "revisions"));
    for (uint32_t rs = 0; rs < n_rs; rs++) {
        const rsim_traffic_rev *tr = rsim_traffic_rev_at(e->traffic, rs);
        failures += tr->failures;
        fault_failures += tr->fault_failures;
        rsim_engine_json_need(cJSON_AddItemToArray(revs, revision_json(r, rs, total)) ? revs
                                                                                      : NULL);
    }
    put_u64(o, "failures", failures);
    put_u64(o, "faultFailures", fault_failures);
    put_u64(o, "unroutedRequests", rsim_traffic_unrouted(e->traffic));
    cJSON *users = rsim_engine_json_need(cJSON_AddObjectToObject(o, "users"));
    put_u64(users, "population", (uint64_t)e->world->traffic.users);
    put_u64(users, "hitByFault", rsim_traffic_users_hit(e->traffic));
    rsim_engine_json_need(cJSON_AddItemToObject(o, "faults", faults_json(e)) ? o : NULL);
    /* The Rollout's phase at the end and each change of phase or message (controller runs;
     * null and [] when the world is driven by hand). */
    if (e->control != NULL) {
        const char *message = "";
        rsim_ctl_phase phase = rsim_engine_control_phase(e, &message);
        rsim_engine_json_need(
            cJSON_AddStringToObject(o, "phase", rsim_controller_phase_name(phase)));
        rsim_engine_json_need(cJSON_AddStringToObject(o, "message", message));
    } else {
        rsim_engine_json_need(cJSON_AddNullToObject(o, "phase"));
        rsim_engine_json_need(cJSON_AddNullToObject(o, "message"));
    }
    rsim_engine_add_phase_history(o, r);
    return o;
}

void rsim_engine_add_phase_history(cJSON *o, const rsim_result *r)
{
    cJSON *hist = rsim_engine_json_need(cJSON_AddArrayToObject(o, "phaseHistory"));
    for (size_t i = 0; i < r->phases.n; i++) {
        const rsim_phase_change *pc = &r->phases.items[i];
        cJSON *j = rsim_engine_json_need(cJSON_CreateObject());
        put_u64(j, "t", (uint64_t)pc->t);
        rsim_engine_json_need(
            cJSON_AddStringToObject(j, "phase", rsim_controller_phase_name(pc->phase)));
        rsim_engine_json_need(cJSON_AddStringToObject(j, "message", pc->message));
        rsim_engine_json_need(cJSON_AddItemToArray(hist, j) ? hist : NULL);
    }
}

rsim_err rsim_engine_print_json(cJSON *o, bool indented, FILE *out)
{
    char *text = indented ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) {
        rsim_panic("out of memory printing JSON");
    }
    fputs(text, out);
    fputc('\n', out);
    free(text);
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}

rsim_err rsim_result_write_totals_json(const rsim_result *r, FILE *out)
{
    return rsim_engine_print_json(totals_json(r), true, out);
}

static void summary_revisions(const rsim_result *r, FILE *out)
{
    const rsim_engine *e = r->engine;
    uint64_t total = rsim_traffic_requests(e->traffic);
    fprintf(out, "\n%-9s %-36s %12s %10s %10s %7s %9s\n", "revision", "image", "requests",
            "failures", "by fault", "share", "p99 ms");
    for (uint32_t rs = 0; rs < rsim_cluster_rs_count(e->cluster); rs++) {
        const rsim_cluster_rs *cr = rsim_cluster_rs_at(e->cluster, rs);
        const rsim_traffic_rev *tr = rsim_traffic_rev_at(e->traffic, rs);
        double share = total ? 100.0 * (double)tr->requests / (double)total : 0.0;
        double p99 = rsim_traffic_latency_quantile(e->traffic, rs, 0.99);
        char p99_text[32];
        if (isfinite(p99)) {
            snprintf(p99_text, sizeof(p99_text), "%.1f", p99);
        } else {
            snprintf(p99_text, sizeof(p99_text), "-");
        }
        fprintf(out, "%-9lld %-36.36s %12llu %10llu %10llu %6.2f%% %9s\n", (long long)cr->revision,
                cr->image, (unsigned long long)tr->requests, (unsigned long long)tr->failures,
                (unsigned long long)tr->fault_failures, share, p99_text);
    }
    fprintf(out, "users hit by a fault-caused failure: %llu of %lld\n",
            (unsigned long long)rsim_traffic_users_hit(e->traffic),
            (long long)e->world->traffic.users);
}

/* "2m13s" or a placeholder for a time that did not happen. */
static const char *dur_or(rsim_time t, const char *none, char *buf, size_t size)
{
    if (t == RSIM_FIGURE_NONE) {
        return none;
    }
    rsim_util_format_duration(t, buf, size);
    return buf;
}

/* The figures of the run (docs/figures.md) in a short block. */
static void summary_figures(const rsim_result *r, FILE *out)
{
    rsim_figures f;
    rsim_result_figures(r, &f);
    char a[32];
    char b[32];
    char c[32];
    fputs("\nfigures (docs/figures.md):\n", out);
    if (f.n_faults > 0) {
        fprintf(out, "  exposure         %s\n", dur_or(f.exposed_at, "never", a, sizeof a));
        fprintf(out,
                "  blast radius     %llu fault-caused failures (%.4g%% of requests), %llu users, "
                "peak share %.1f%%, %.3g%% of the error budget\n",
                (unsigned long long)f.fault_failures,
                isfinite(f.fault_failure_share) ? 100.0 * f.fault_failure_share : 0.0,
                (unsigned long long)f.users_hit, 100.0 * f.peak_share,
                isfinite(f.budget_consumed) ? 100.0 * f.budget_consumed : 0.0);
        if (f.detected_at != RSIM_FIGURE_NONE) {
            fprintf(out, "  detection        %s after exposure (%s)\n",
                    dur_or(f.detection_ms, "-", a, sizeof a), f.detected_by);
            fprintf(out, "  rollback         traffic %s, pods %s, errors at base %s\n",
                    dur_or(f.rollback_traffic_ms, "not within the run", a, sizeof a),
                    dur_or(f.rollback_pods_ms, "not within the run", b, sizeof b),
                    dur_or(f.rollback_errors_ms, "not within the run", c, sizeof c));
        } else {
            fprintf(out, "  detection        not detected (%s)\n", f.not_detected);
        }
    }
    if (f.release_at != RSIM_FIGURE_NONE) {
        fprintf(out, "  promotion        %s\n",
                f.promotion_ms == RSIM_FIGURE_NONE
                    ? "not promoted"
                    : (rsim_util_format_duration(f.promotion_ms, a, sizeof a), a));
    }
    fprintf(out, "  extra pods       %.1f pod-seconds above %lld replicas (%.1f in all)\n",
            f.extra_pod_seconds, (long long)f.replicas, f.pod_seconds);
    fprintf(out, "  reconciles       %zu\n", f.n_reconciles);
}

rsim_err rsim_result_write_summary(const rsim_result *r, FILE *out)
{
    char dur[32];
    rsim_util_format_duration(r->covered, dur, sizeof(dur));
    fprintf(out, "rollsim %s: scenario '%s', seed %llu, %s simulated\n", RSIM_VERSION_STRING,
            r->scenario ? r->scenario : "", (unsigned long long)r->seed, dur);
    char line[512];
    for (size_t i = 0; i < r->log.n; i++) {
        rsim_log_kind k = r->log.items[i].kind;
        if (k == RSIM_LOG_POD || k == RSIM_LOG_MEASUREMENT || k == RSIM_LOG_RECONCILE) {
            continue;
        }
        rsim_result_event_describe(r, i, line, sizeof(line));
        fprintf(out, "%s\n", line);
    }
    summary_revisions(r, out);
    summary_figures(r, out);
    const rsim_engine *e = r->engine;
    if (e->control != NULL) {
        fputs("\nphase history:\n", out);
        for (size_t i = 0; i < r->phases.n; i++) {
            const rsim_phase_change *pc = &r->phases.items[i];
            rsim_util_format_duration(pc->t, dur, sizeof(dur));
            fprintf(out, "%10s  %s%s%.300s\n", dur, rsim_controller_phase_name(pc->phase),
                    pc->message[0] ? ": " : "", pc->message);
        }
        const char *message = "";
        rsim_ctl_phase phase = rsim_engine_control_phase(e, &message);
        fprintf(out, "final phase: %s%s%.300s\n", rsim_controller_phase_name(phase),
                message[0] ? ": " : "", message);
        fputs("\nModelled: pods, traffic, faults and their ground truth, Prometheus, the\n"
              "AnalysisRuns and the Argo Rollouts controller that reacts to them.\n",
              out);
    } else {
        fputs("\nModelled: pods, traffic, faults and their ground truth, Prometheus and the\n"
              "AnalysisRuns the operator timeline starts. The controller is off\n"
              "(spec.controller.enabled: false): the operator drives the world by hand.\n",
              out);
    }
    return ferror(out) ? RSIM_EIO : RSIM_OK;
}
