/* figures.c - the figures of a run (DESIGN "What a run reports"; docs/figures.md): exposure,
 * blast radius, detection, rollback, promotion, extra pod-seconds; the scenario's expectations
 * judged on them; summary.json. Everything is computed after the run from the time series, the
 * event log and the ground-truth counters, so the figures never change what the run does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine_int.h"

#define NONE RSIM_FIGURE_NONE

/* The faults selected (one by name, or all) and the ReplicaSets that run their versions. */
typedef struct sel {
    const rsim_engine *e;
    const char *fault; /* NULL: all */
    bool *rs;          /* rs[i]: ReplicaSet i runs a faulty version (owned) */
    size_t n_rs;
    const char **images; /* the faulty versions' images (owned array, borrowed strings) */
    size_t n_images;
} sel;

static const rsim_spec_version *fault_version(const rsim_engine *e, const rsim_spec_fault *f)
{
    for (size_t i = 0; i < e->world->n_versions; i++) {
        const rsim_spec_version *v = &e->world->versions[i];
        if (f >= v->faults && f < v->faults + v->n_faults) {
            return v;
        }
    }
    return NULL;
}

static bool selected(const sel *s, const rsim_traffic_fault *f)
{
    return s->fault == NULL || strcmp(f->spec->name, s->fault) == 0;
}

static bool image_faulty(const sel *s, const char *image)
{
    for (size_t i = 0; image != NULL && i < s->n_images; i++) {
        if (strcmp(s->images[i], image) == 0) {
            return true;
        }
    }
    return false;
}

static void sel_init(sel *s, const rsim_engine *e, const char *fault)
{
    memset(s, 0, sizeof *s);
    s->e = e;
    s->fault = fault;
    s->images = rsim_xcalloc(e->world->n_versions + 1, sizeof *s->images);
    for (size_t i = 0; i < rsim_traffic_fault_count(e->traffic); i++) {
        const rsim_traffic_fault *f = rsim_traffic_fault_at(e->traffic, i);
        const rsim_spec_version *v = selected(s, f) ? fault_version(e, f->spec) : NULL;
        if (v != NULL && !image_faulty(s, v->image)) {
            s->images[s->n_images++] = v->image;
        }
    }
    s->n_rs = rsim_cluster_rs_count(e->cluster);
    s->rs = rsim_xcalloc(s->n_rs + 1, sizeof *s->rs);
    for (uint32_t rs = 0; rs < s->n_rs; rs++) {
        s->rs[rs] = image_faulty(s, rsim_cluster_rs_at(e->cluster, rs)->image);
    }
}

static void sel_fini(sel *s)
{
    free(s->rs);
    free(s->images);
}

static const rsim_series_cell *cell(const rsim_result *r, const rsim_series_row *row, size_t rs)
{
    return rs < row->n_cells ? &r->cells.items[row->first_cell + rs] : NULL;
}

static int64_t cell_pods(const rsim_series_cell *c)
{
    int64_t n = 0;
    for (int k = 0; k < RSIM_POD_GONE; k++) {
        n += c->pods[k];
    }
    return n;
}

/* The time the first setImage to a faulty image was logged (NONE when none). */
static rsim_time faulty_release(const rsim_result *r, const sel *s)
{
    for (size_t i = 0; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind == RSIM_LOG_OPERATOR && l->op == RSIM_OP_SET_IMAGE &&
            image_faulty(s, l->image)) {
            return l->t;
        }
    }
    return NONE;
}

/* Index of the log entry of the first setImage, or r->log.n. */
static size_t first_set_image(const rsim_result *r)
{
    for (size_t i = 0; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind == RSIM_LOG_OPERATOR && l->op == RSIM_OP_SET_IMAGE) {
            return i;
        }
    }
    return r->log.n;
}

/* The instant the template in force after the operator entry `from` is fully promoted: the
 * first controller pass that finds the Rollout Healthy after one that did not (the pass that
 * creates the new ReplicaSet still reports the old Healthy status); the verb's own time when it
 * changed nothing. Healthy means stableRS == currentPodHash and every replica available
 * (semantics §10), which is what "status.stableRS becomes the new hash" shows. */
static rsim_time healthy_after(const rsim_result *r, size_t from)
{
    if (from < r->log.n && !r->log.items[from].changed) {
        return r->log.items[from].t;
    }
    bool left = false;
    for (size_t i = from + 1; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind != RSIM_LOG_RECONCILE) {
            continue;
        }
        bool healthy = r->recs.items[l->rec].phase == RSIM_CTL_PHASE_HEALTHY;
        if (left && healthy) {
            return l->t;
        }
        left = left || !healthy;
    }
    return NONE;
}

static bool is_verdict(const char *phase)
{
    return phase != NULL && (strcmp(phase, "Failed") == 0 || strcmp(phase, "Error") == 0);
}

static void detection(const rsim_result *r, const sel *s, rsim_figures *f)
{
    rsim_time from = faulty_release(r, s);
    if (from == NONE) {
        from = f->exposed_at;
    }
    if (f->exposed_at == NONE) {
        f->not_detected = "not exposed";
        return;
    }
    for (size_t i = 0; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind == RSIM_LOG_ANALYSIS && l->t >= from && is_verdict(l->phase)) {
            f->detected_at = l->t;
            f->detection_ms = l->t > f->exposed_at ? l->t - f->exposed_at : 0;
            f->detected_by = l->analysis;
            return;
        }
    }
    /* Not detected: was a faulty revision promoted (a Healthy pass on its template after
     * exposure)? */
    for (size_t i = 0; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind == RSIM_LOG_RECONCILE && l->t >= f->exposed_at &&
            r->recs.items[l->rec].phase == RSIM_CTL_PHASE_HEALTHY && image_faulty(s, l->image)) {
            f->not_detected = "promoted";
            return;
        }
    }
    f->not_detected = "run ended";
}

/* A tick is at the base error ratio when its failures f of n requests satisfy
 * f <= base * n + 4 * sqrt(base * n) + 3 (docs/figures.md). */
static bool at_base(double base, uint64_t n, uint64_t failures)
{
    double mean = base * (double)n;
    return (double)failures <= mean + 4.0 * sqrt(mean) + 3.0;
}

static void rollback(const rsim_result *r, const sel *s, rsim_figures *f)
{
    size_t n = r->rows.n;
    if (n == 0) {
        return;
    }
    /* Base error ratio: all revisions, the ticks that end at or before the faulty release. */
    rsim_time release = faulty_release(r, s);
    rsim_time base_end = release != NONE ? release : f->exposed_at;
    uint64_t req = 0;
    uint64_t fail = 0;
    for (size_t i = 0; i < n && base_end != NONE && r->rows.items[i].t <= base_end; i++) {
        req += r->rows.items[i].requests;
        fail += r->rows.items[i].failures;
    }
    f->base_error_ratio = req ? (double)fail / (double)req : (double)NAN;
    if (f->detected_at == NONE) {
        return;
    }
    /* Last tick in which the faulty revision served or had a share; last with a pod. */
    size_t last_traffic = n;
    size_t last_pod = n;
    size_t last_off_base = n;
    for (size_t i = 0; i < n; i++) {
        const rsim_series_row *row = &r->rows.items[i];
        for (size_t rs = 0; rs < s->n_rs; rs++) {
            const rsim_series_cell *c = s->rs[rs] ? cell(r, row, rs) : NULL;
            if (c != NULL && (c->requests > 0 || c->share > 0)) {
                last_traffic = i;
            }
            if (c != NULL && cell_pods(c) > 0) {
                last_pod = i;
            }
        }
        if (req > 0 && !at_base(f->base_error_ratio, row->requests, row->failures)) {
            last_off_base = i;
        }
    }
    if (last_traffic + 1 < n) {
        f->traffic_restored_at = r->rows.items[last_traffic].t;
    } else if (last_traffic == n) {
        f->traffic_restored_at = f->detected_at; /* never served by ticks: nothing to restore */
    }
    if (last_pod + 1 < n) {
        /* The exact instant from the pod log, within the tick after the last sample with one. */
        rsim_time gone = r->rows.items[last_pod + 1].t;
        rsim_time best = NONE;
        for (size_t i = 0; i < r->log.n; i++) {
            const rsim_log_entry *l = &r->log.items[i];
            if (l->kind == RSIM_LOG_POD && l->pod_state == RSIM_POD_GONE && l->pod_rs < s->n_rs &&
                s->rs[l->pod_rs] && l->t <= gone) {
                best = l->t;
            }
        }
        f->pods_gone_at = best != NONE ? best : gone;
    } else if (last_pod == n) {
        f->pods_gone_at = f->detected_at;
    }
    if (req > 0 && last_off_base + 1 < n) {
        f->errors_at_base_at = r->rows.items[last_off_base].t;
    } else if (req > 0 && last_off_base == n) {
        f->errors_at_base_at = f->detected_at;
    }
    rsim_time *pairs[3][2] = {
        {&f->traffic_restored_at, &f->rollback_traffic_ms},
        {&f->pods_gone_at, &f->rollback_pods_ms},
        {&f->errors_at_base_at, &f->rollback_errors_ms},
    };
    for (size_t k = 0; k < 3; k++) {
        if (*pairs[k][0] != NONE) {
            if (*pairs[k][0] < f->detected_at) {
                *pairs[k][0] = f->detected_at; /* already so when it was detected */
            }
            *pairs[k][1] = *pairs[k][0] - f->detected_at;
        }
    }
}

static void cost(const rsim_result *r, rsim_figures *f)
{
    const rsim_engine *e = r->engine;
    f->replicas = e->rollout && e->rollout->replicas.set ? e->rollout->replicas.value : 1;
    f->pod_seconds = (double)rsim_cluster_get_stats(e->cluster).pod_ms / 1000.0;
    rsim_time prev = 0;
    int64_t extra_ms = 0;
    for (size_t i = 0; i < r->rows.n; i++) {
        const rsim_series_row *row = &r->rows.items[i];
        int64_t pods = 0;
        for (size_t rs = 0; rs < row->n_cells; rs++) {
            pods += cell_pods(&r->cells.items[row->first_cell + rs]);
        }
        if (pods > f->replicas) {
            extra_ms += (pods - f->replicas) * (row->t - prev);
        }
        prev = row->t;
    }
    f->extra_pod_seconds = (double)extra_ms / 1000.0;
}

static void compute(const rsim_result *r, const char *fault, rsim_figures *f)
{
    const rsim_engine *e = r->engine;
    sel s;
    sel_init(&s, e, fault);
    memset(f, 0, sizeof *f);
    f->fault = fault;
    f->exposed_at = f->detected_at = f->detection_ms = NONE;
    f->traffic_restored_at = f->rollback_traffic_ms = NONE;
    f->pods_gone_at = f->rollback_pods_ms = NONE;
    f->errors_at_base_at = f->rollback_errors_ms = NONE;
    f->release_at = f->promoted_at = f->promotion_ms = NONE;

    for (size_t i = 0; i < rsim_traffic_fault_count(e->traffic); i++) {
        const rsim_traffic_fault *tf = rsim_traffic_fault_at(e->traffic, i);
        if (!selected(&s, tf)) {
            continue;
        }
        f->n_faults++;
        f->fault_failures += tf->failures;
        if (tf->exposed_at >= 0 && (f->exposed_at == NONE || tf->exposed_at < f->exposed_at)) {
            f->exposed_at = tf->exposed_at;
        }
    }
    f->requests = rsim_traffic_requests(e->traffic);
    f->fault_failure_share =
        f->requests ? (double)f->fault_failures / (double)f->requests : (double)NAN;
    f->users = (uint64_t)e->world->traffic.users;
    f->users_hit = rsim_traffic_users_hit(e->traffic);
    for (size_t i = 0; i < r->rows.n; i++) {
        const rsim_series_row *row = &r->rows.items[i];
        uint64_t on = 0;
        for (size_t rs = 0; rs < s.n_rs; rs++) {
            const rsim_series_cell *c = s.rs[rs] ? cell(r, row, rs) : NULL;
            on += c ? c->requests : 0;
        }
        double share = row->requests ? (double)on / (double)row->requests : 0.0;
        f->peak_share = share > f->peak_share ? share : f->peak_share;
    }
    f->slo_objective = e->world->slo.objective;
    f->slo_window = e->world->slo.window;
    f->budget_failures = (double)NAN;
    f->budget_consumed = (double)NAN;
    if (r->covered > 0 && f->requests > 0) {
        double window_requests = (double)f->requests * ((double)f->slo_window / (double)r->covered);
        f->budget_failures = (1.0 - f->slo_objective) * window_requests;
        f->budget_consumed = (double)f->fault_failures / f->budget_failures;
    }

    detection(r, &s, f);
    rollback(r, &s, f);

    size_t rel = first_set_image(r);
    if (rel < r->log.n) {
        f->release_at = r->log.items[rel].t;
        f->promoted_at = e->control != NULL ? healthy_after(r, rel) : NONE;
        if (f->promoted_at != NONE) {
            f->promotion_ms = f->promoted_at - f->release_at;
        }
    }
    cost(r, f);
    sel_fini(&s);
    f->n_reconciles = r->recs.n;
    f->n_phase_changes = r->phases.n;
    if (e->control != NULL) {
        const char *msg = NULL;
        f->final_phase = rsim_controller_phase_name(rsim_engine_control_phase(e, &msg));
    }
}

void rsim_result_figures(const rsim_result *r, rsim_figures *out)
{
    compute(r, NULL, out);
}

rsim_err rsim_result_fault_figures(const rsim_result *r, const char *fault, rsim_figures *out)
{
    const rsim_engine *e = r->engine;
    for (size_t i = 0; fault != NULL && i < rsim_traffic_fault_count(e->traffic); i++) {
        if (strcmp(rsim_traffic_fault_at(e->traffic, i)->spec->name, fault) == 0) {
            compute(r, fault, out);
            return RSIM_OK;
        }
    }
    return RSIM_EINVAL;
}

/* ---- expectations ---- */

size_t rsim_result_expectation_count(const rsim_result *r)
{
    return r->engine->world->n_expectations;
}

/* The log index of the operator entry of action a (the verb at its time and place). */
static size_t action_entry(const rsim_result *r, const rsim_spec_action *a)
{
    for (size_t i = 0; i < r->log.n; i++) {
        const rsim_log_entry *l = &r->log.items[i];
        if (l->kind == RSIM_LOG_OPERATOR && l->t == a->at && l->loc.line == a->loc.line &&
            l->loc.col == a->loc.col) {
            return i;
        }
    }
    return r->log.n;
}

static void fmt_dur(rsim_time t, char *buf, size_t size)
{
    rsim_util_format_duration(t, buf, size);
}

static void check_within(const rsim_result *r,
                         const rsim_spec_expectation *x,
                         bool aborted,
                         rsim_expect_outcome *o)
{
    const rsim_spec_action *a = &r->engine->world->actions[x->after_action];
    char w[32];
    char d[32];
    fmt_dur(x->within, w, sizeof w);
    snprintf(o->expected, sizeof o->expected, "%s within %s after '%s' (at %s)",
             aborted ? "aborted" : "promoted", w, a->name ? a->name : rsim_spec_op_name(a->kind),
             (fmt_dur(a->at, d, sizeof d), d));
    size_t from = action_entry(r, a);
    rsim_time at = NONE;
    if (aborted) {
        for (size_t i = from; i < r->log.n; i++) {
            const rsim_log_entry *l = &r->log.items[i];
            if (l->kind == RSIM_LOG_RECONCILE && r->recs.items[l->rec].abort) {
                at = l->t;
                break;
            }
        }
    } else if (from < r->log.n && r->engine->control != NULL) {
        at = healthy_after(r, from);
    }
    if (at == NONE) {
        snprintf(o->actual, sizeof o->actual, "not %s within the run",
                 aborted ? "aborted" : "promoted");
        return;
    }
    fmt_dur(at - a->at, d, sizeof d);
    snprintf(o->actual, sizeof o->actual, "%s after %s", aborted ? "aborted" : "promoted", d);
    o->passed = at - a->at <= x->within;
}

void rsim_result_expectation_check(const rsim_result *r, size_t i, rsim_expect_outcome *o)
{
    const rsim_engine *e = r->engine;
    const rsim_spec_expectation *x = &e->world->expectations[i];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", x->name);
    o->loc = x->loc;
    rsim_figures f;
    char w[32];
    char d[32];
    switch (x->kind) {
    case RSIM_EXPECT_PHASE: {
        const char *want = rsim_spec_phase_name(x->phase);
        snprintf(o->expected, sizeof o->expected, "phase %s at the end", want);
        if (e->control == NULL) {
            snprintf(o->actual, sizeof o->actual, "no controller (spec.controller.enabled: false)");
            return;
        }
        const char *msg = NULL;
        const char *got = rsim_controller_phase_name(rsim_engine_control_phase(e, &msg));
        snprintf(o->actual, sizeof o->actual, "phase %s", got);
        o->passed = strcmp(want, got) == 0;
        return;
    }
    case RSIM_EXPECT_ABORTED_WITHIN:
    case RSIM_EXPECT_PROMOTED_WITHIN:
        if (x->after_action == RSIM_SPEC_NONE) {
            snprintf(o->actual, sizeof o->actual, "no reference action");
            return;
        }
        check_within(r, x, x->kind == RSIM_EXPECT_ABORTED_WITHIN, o);
        return;
    case RSIM_EXPECT_DETECTED_WITHIN:
        if (x->fault == NULL || rsim_result_fault_figures(r, x->fault, &f) != RSIM_OK) {
            rsim_result_figures(r, &f);
        }
        fmt_dur(x->within, w, sizeof w);
        snprintf(o->expected, sizeof o->expected, "detected within %s of exposure", w);
        if (f.detected_at == NONE) {
            snprintf(o->actual, sizeof o->actual, "not detected (%s)", f.not_detected);
            return;
        }
        fmt_dur(f.detection_ms, d, sizeof d);
        snprintf(o->actual, sizeof o->actual, "detected after %s by %s", d,
                 f.detected_by ? f.detected_by : "?");
        o->passed = f.detection_ms <= x->within;
        return;
    case RSIM_EXPECT_FAULT_FAILURES_BELOW:
        if (x->fault == NULL || rsim_result_fault_figures(r, x->fault, &f) != RSIM_OK) {
            rsim_result_figures(r, &f);
        }
        snprintf(o->expected, sizeof o->expected, "fewer than %lld fault-caused failures",
                 (long long)x->below);
        snprintf(o->actual, sizeof o->actual, "%llu fault-caused failures",
                 (unsigned long long)f.fault_failures);
        o->passed = f.fault_failures < (uint64_t)x->below;
        return;
    }
}

/* ---- summary.json ---- */

static void put_num(cJSON *o, const char *key, double v)
{
    rsim_engine_json_need(isfinite(v) ? cJSON_AddNumberToObject(o, key, v)
                                      : cJSON_AddNullToObject(o, key));
}

static void put_time(cJSON *o, const char *key, rsim_time t)
{
    rsim_engine_json_need(t != NONE ? cJSON_AddNumberToObject(o, key, (double)t)
                                    : cJSON_AddNullToObject(o, key));
}

static void put_str(cJSON *o, const char *key, const char *s)
{
    rsim_engine_json_need(s != NULL ? cJSON_AddStringToObject(o, key, s)
                                    : cJSON_AddNullToObject(o, key));
}

static cJSON *figures_json(const rsim_figures *f)
{
    cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
    put_time(o, "exposedAtMs", f->exposed_at);
    cJSON *b = rsim_engine_json_need(cJSON_AddObjectToObject(o, "blastRadius"));
    put_num(b, "faultFailures", (double)f->fault_failures);
    put_num(b, "requests", (double)f->requests);
    put_num(b, "faultFailureShare", f->fault_failure_share);
    put_num(b, "usersHit", (double)f->users_hit);
    put_num(b, "users", (double)f->users);
    put_num(b, "peakShare", f->peak_share);
    put_num(b, "errorBudgetFailures", f->budget_failures);
    put_num(b, "errorBudgetConsumed", f->budget_consumed);
    cJSON *d = rsim_engine_json_need(cJSON_AddObjectToObject(o, "detection"));
    rsim_engine_json_need(cJSON_AddBoolToObject(d, "detected", f->detected_at != NONE));
    put_time(d, "detectedAtMs", f->detected_at);
    put_time(d, "detectionMs", f->detection_ms);
    put_str(d, "by", f->detected_by);
    put_str(d, "notDetectedReason", f->not_detected);
    cJSON *rb = rsim_engine_json_need(cJSON_AddObjectToObject(o, "rollback"));
    put_time(rb, "trafficRestoredAtMs", f->traffic_restored_at);
    put_time(rb, "trafficMs", f->rollback_traffic_ms);
    put_time(rb, "podsGoneAtMs", f->pods_gone_at);
    put_time(rb, "podsMs", f->rollback_pods_ms);
    put_num(rb, "baseErrorRatio", f->base_error_ratio);
    put_time(rb, "errorsAtBaseAtMs", f->errors_at_base_at);
    put_time(rb, "errorsMs", f->rollback_errors_ms);
    return o;
}

static cJSON *summary_json(const rsim_result *r)
{
    const rsim_engine *e = r->engine;
    rsim_figures f;
    rsim_result_figures(r, &f);
    cJSON *o = rsim_engine_json_need(cJSON_CreateObject());
    rsim_engine_json_need(cJSON_AddStringToObject(o, "schema", "rollsim.summary/v1"));
    rsim_engine_json_need(cJSON_AddStringToObject(o, "scenario", r->scenario ? r->scenario : ""));
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->seed);
    rsim_engine_json_need(cJSON_AddStringToObject(o, "seed", seed));
    put_time(o, "durationMs", r->covered);
    put_str(o, "finalPhase", f.final_phase);
    cJSON *all = figures_json(&f);
    rsim_engine_json_need(cJSON_AddItemToObject(o, "figures", all) ? o : NULL);
    cJSON *p = rsim_engine_json_need(cJSON_AddObjectToObject(all, "promotion"));
    put_time(p, "releaseAtMs", f.release_at);
    put_time(p, "promotedAtMs", f.promoted_at);
    put_time(p, "promotionMs", f.promotion_ms);
    cJSON *c = rsim_engine_json_need(cJSON_AddObjectToObject(all, "cost"));
    put_num(c, "replicas", (double)f.replicas);
    put_num(c, "podSeconds", f.pod_seconds);
    put_num(c, "extraPodSeconds", f.extra_pod_seconds);
    put_num(c, "reconciles", (double)f.n_reconciles);
    cJSON *cohorts = rsim_engine_json_need(cJSON_AddArrayToObject(all, "cohorts"));
    size_t nc = rsim_traffic_cohort_count(e->traffic);
    for (size_t i = 0; i < nc; i++) {
        const rsim_traffic_cohort *k = rsim_traffic_cohort_at(e->traffic, i);
        cJSON *j = rsim_engine_json_need(cJSON_CreateObject());
        put_str(j, "name", i + 1 < nc ? e->world->traffic.cohorts[i].name : NULL);
        put_num(j, "users", (double)k->users);
        put_num(j, "requests", (double)k->requests);
        put_num(j, "faultFailures", (double)k->fault_failures);
        put_num(j, "usersHit", (double)k->users_hit);
        rsim_engine_json_need(cJSON_AddItemToArray(cohorts, j) ? cohorts : NULL);
    }
    cJSON *faults = rsim_engine_json_need(cJSON_AddArrayToObject(o, "faults"));
    for (size_t i = 0; i < rsim_traffic_fault_count(e->traffic); i++) {
        const rsim_traffic_fault *tf = rsim_traffic_fault_at(e->traffic, i);
        rsim_figures ff;
        compute(r, tf->spec->name, &ff);
        cJSON *j = figures_json(&ff);
        cJSON_AddItemToObject(j, "name", rsim_engine_json_need(cJSON_CreateString(tf->spec->name)));
        const rsim_spec_version *v = fault_version(e, tf->spec);
        put_str(j, "image", v ? v->image : NULL);
        rsim_engine_json_need(cJSON_AddItemToArray(faults, j) ? faults : NULL);
    }
    cJSON *ex = rsim_engine_json_need(cJSON_AddArrayToObject(o, "expectations"));
    for (size_t i = 0; i < rsim_result_expectation_count(r); i++) {
        rsim_expect_outcome eo;
        rsim_result_expectation_check(r, i, &eo);
        cJSON *j = rsim_engine_json_need(cJSON_CreateObject());
        put_str(j, "name", eo.name);
        rsim_engine_json_need(cJSON_AddBoolToObject(j, "passed", eo.passed));
        put_str(j, "expected", eo.expected);
        put_str(j, "actual", eo.actual);
        put_num(j, "line", (double)eo.loc.line);
        rsim_engine_json_need(cJSON_AddItemToArray(ex, j) ? ex : NULL);
    }
    rsim_engine_add_phase_history(o, r);
    return o;
}

rsim_err rsim_result_write_summary_json(const rsim_result *r, FILE *out)
{
    return rsim_engine_print_json(summary_json(r), true, out);
}
