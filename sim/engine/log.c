/* log.c - the processed-event log as JSON Lines and as one-line descriptions.
 * Field order is fixed, numbers are integers, so the output is byte-identical run to run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine_int.h"

static const char *kind_name(rsim_log_kind k)
{
    switch (k) {
    case RSIM_LOG_RUN_START:
        return "run.start";
    case RSIM_LOG_RUN_END:
        return "run.end";
    case RSIM_LOG_OPERATOR:
        return "operator";
    case RSIM_LOG_POD:
        return "pod";
    case RSIM_LOG_ANALYSIS:
        return "analysis";
    case RSIM_LOG_MEASUREMENT:
        return "measurement";
    case RSIM_LOG_RECONCILE:
        return "reconcile";
    }
    return "unknown";
}

static void add_str(cJSON *obj, const char *key, const char *value)
{
    rsim_engine_json_need(cJSON_AddStringToObject(obj, key, value));
}

static void add_int(cJSON *obj, const char *key, int64_t value)
{
    rsim_engine_json_need(cJSON_AddNumberToObject(obj, key, (double)value));
}

static void add_bool(cJSON *obj, const char *key, bool value)
{
    rsim_engine_json_need(cJSON_AddBoolToObject(obj, key, value));
}

static void add_operator_fields(cJSON *o, const rsim_log_entry *e)
{
    add_str(o, "action", rsim_spec_op_name(e->op));
    add_bool(o, "changed", e->changed);
    if (e->field) {
        add_str(o, "field", e->field);
    }
    if (e->value) {
        add_str(o, "value", e->value);
    }
    if (e->op == RSIM_OP_PROMOTE && (e->skip_current_step || e->skip_all_steps)) {
        add_str(o, "skip", e->skip_all_steps ? "allSteps" : "currentStep");
    }
    if (e->op == RSIM_OP_UNDO) {
        add_int(o, "toRevision", e->from_revision);
    }
    if (e->op == RSIM_OP_SCALE || e->op == RSIM_OP_SET_WEIGHT) {
        add_str(o, "target", e->target);
        add_int(o, e->op == RSIM_OP_SCALE ? "replicas" : "weight", e->amount);
    }
    if (e->op == RSIM_OP_START_ANALYSIS || e->op == RSIM_OP_STOP_ANALYSIS) {
        add_str(o, "analysis", e->analysis);
    }
}

/* An AnalysisRun's phase change, or one completed measurement (value as Argo records it, and
 * as a number when it holds one). */
static void add_analysis_fields(cJSON *o, const rsim_log_entry *e)
{
    add_str(o, "analysis", e->analysis);
    if (e->kind == RSIM_LOG_MEASUREMENT) {
        add_str(o, "metric", e->metric);
    }
    add_str(o, "phase", e->phase);
    if (e->kind == RSIM_LOG_MEASUREMENT) {
        add_str(o, "value", e->text);
        if (e->has_number && isfinite(e->number)) {
            rsim_engine_json_need(cJSON_AddNumberToObject(o, "number", e->number));
        }
    }
    if (e->message[0]) {
        add_str(o, "message", e->message);
    }
}

/* A controller pass: each ReplicaSet's desired/current/ready/available pods, the recorded
 * weights, the step index, the phase and message, the abort flag and the event reasons. */
static void add_reconcile_fields(cJSON *o, const rsim_result *r, const rsim_log_entry *e)
{
    const rsim_reconcile_rec *rec = &r->recs.items[e->rec];
    cJSON *list = rsim_engine_json_need(cJSON_AddArrayToObject(o, "replicaSets"));
    for (size_t i = 0; i < rec->n_rs; i++) {
        const rsim_reconcile_rs *rs = &r->rec_rs.items[rec->first_rs + i];
        cJSON *j = rsim_engine_json_need(cJSON_CreateObject());
        add_str(j, "hash", rs->hash);
        add_int(j, "revision", rs->revision);
        add_int(j, "desired", rs->desired);
        add_int(j, "current", rs->current);
        add_int(j, "ready", rs->ready);
        add_int(j, "available", rs->available);
        cJSON_AddItemToArray(list, j);
    }
    if (rec->weights_set) {
        cJSON *w = rsim_engine_json_need(cJSON_AddObjectToObject(o, "weights"));
        add_int(w, "canary", rec->canary_weight);
        add_int(w, "stable", rec->stable_weight);
    }
    add_int(o, "step", rec->step);
    add_str(o, "phase", rsim_controller_phase_name(rec->phase));
    add_str(o, "message", rec->message);
    add_bool(o, "abort", rec->abort);
    cJSON *ev = rsim_engine_json_need(cJSON_AddArrayToObject(o, "events"));
    const char *p = rec->n_reasons ? &r->rec_reasons.items[rec->first_reason] : NULL;
    for (size_t i = 0; i < rec->n_reasons; i++) {
        cJSON_AddItemToArray(ev, rsim_engine_json_need(cJSON_CreateString(p)));
        p += strlen(p) + 1;
    }
}

static cJSON *entry_json(const rsim_result *r, const rsim_log_entry *e)
{
    char dur[32];
    rsim_util_format_duration(e->t, dur, sizeof(dur));
    cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
    add_int(o, "t", e->t);
    add_str(o, "time", dur);
    add_str(o, "type", kind_name(e->kind));
    switch (e->kind) {
    case RSIM_LOG_RUN_START:
        add_str(o, "scenario", r->scenario ? r->scenario : "");
        /* A seed above 2^53 would lose digits as a JSON number: write it as a string. */
        char seed[24];
        snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
        add_str(o, "seed", seed);
        break;
    case RSIM_LOG_RUN_END:
        add_int(o, "events", (int64_t)r->log.n - 1);
        break;
    case RSIM_LOG_OPERATOR:
        add_operator_fields(o, e);
        break;
    case RSIM_LOG_POD:
        add_str(o, "pod", e->pod);
        add_str(o, "state", rsim_cluster_pod_state_name(e->pod_state));
        break;
    case RSIM_LOG_ANALYSIS:
    case RSIM_LOG_MEASUREMENT:
        add_analysis_fields(o, e);
        break;
    case RSIM_LOG_RECONCILE:
        add_reconcile_fields(o, r, e);
        break;
    }
    add_str(o, "image", e->image ? e->image : "");
    add_int(o, "revision", e->revision);
    if (e->loc.file && e->loc.line > 0) {
        char src[512];
        snprintf(src, sizeof(src), "%s:%d:%d", e->loc.file, e->loc.line, e->loc.col);
        add_str(o, "source", src);
    }
    return o;
}

rsim_err rsim_result_write_events(const rsim_result *r, FILE *out)
{
    rsim_err err = RSIM_OK;
    for (size_t i = 0; i < r->log.n && err == RSIM_OK; i++) {
        err = rsim_engine_print_json(entry_json(r, &r->log.items[i]), false, out);
    }
    return err;
}

void rsim_result_event_describe(const rsim_result *r, size_t i, char *buf, size_t size)
{
    const rsim_log_entry *e = &r->log.items[i];
    char dur[32];
    rsim_util_format_duration(e->t, dur, sizeof(dur));
    switch (e->kind) {
    case RSIM_LOG_RUN_START:
        snprintf(buf, size, "%10s  start: %s (revision %lld)", dur, e->image,
                 (long long)e->revision);
        return;
    case RSIM_LOG_RUN_END:
        snprintf(buf, size, "%10s  end", dur);
        return;
    case RSIM_LOG_POD:
        snprintf(buf, size, "%10s  pod %s %s", dur, e->pod,
                 rsim_cluster_pod_state_name(e->pod_state));
        return;
    case RSIM_LOG_ANALYSIS:
        snprintf(buf, size, "%10s  analysis %s %s%s%s", dur, e->analysis, e->phase,
                 e->message[0] ? ": " : "", e->message);
        return;
    case RSIM_LOG_MEASUREMENT:
        snprintf(buf, size, "%10s  analysis %s/%s %s %s%s%.200s", dur, e->analysis, e->metric,
                 e->phase, e->text, e->message[0] ? " " : "", e->message);
        return;
    case RSIM_LOG_RECONCILE: {
        const rsim_reconcile_rec *rec = &r->recs.items[e->rec];
        char w[48] = "";
        if (rec->weights_set) {
            snprintf(w, sizeof w, ", weight %d", (int)rec->canary_weight);
        }
        snprintf(buf, size, "%10s  reconcile: %s, step %d%s%s%.200s", dur,
                 rsim_controller_phase_name(rec->phase), (int)rec->step, w,
                 rec->message[0] ? ": " : "", rec->message);
        return;
    }
    case RSIM_LOG_OPERATOR:
        break;
    }
    const char *what = rsim_spec_op_name(e->op);
    if (e->op == RSIM_OP_SCALE) {
        snprintf(buf, size, "%10s  scale %s to %lld pods", dur, e->target, (long long)e->amount);
    } else if (e->op == RSIM_OP_SET_WEIGHT) {
        snprintf(buf, size, "%10s  setWeight %s to %lld%%", dur, e->target, (long long)e->amount);
    } else if (e->op == RSIM_OP_START_ANALYSIS || e->op == RSIM_OP_STOP_ANALYSIS) {
        snprintf(buf, size, "%10s  %s %s", dur, what, e->analysis);
    } else if (e->op == RSIM_OP_SET_IMAGE || e->op == RSIM_OP_UNDO) {
        snprintf(buf, size, "%10s  %s -> %s (revision %lld)%s", dur, what, e->image,
                 (long long)e->revision, e->changed ? "" : ", no change");
    } else if (e->field && e->value) {
        snprintf(buf, size, "%10s  %s: %s=%s%s", dur, what, e->field, e->value,
                 e->changed ? "" : " (already)");
    } else if (e->field) {
        snprintf(buf, size, "%10s  %s: %s=%s", dur, what, e->field, dur);
    } else {
        snprintf(buf, size, "%10s  %s", dur, what);
    }
}
