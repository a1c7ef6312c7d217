/* observe.c - what watches the release: the Prometheus model over the world's pods (built by
 * prometheus.c) and every AnalysisRun of the engine, those the operator timeline starts and those
 * the controller creates (control.c, through rsim_engine_observe_start_run), with their providers
 * (prometheus, web, job) answering from the world. The model is built only when something reads it
 * (a startAnalysis action, a recording rule, or a controlled Rollout with analysis), so scenarios
 * without any cost and draw exactly what they did before. What the providers answer:
 * docs/scenario-format.md, "Operator timeline". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe_priv.h"
#include "rng.h"

/* ---- world helpers ---- */

/* The failure probability of a smoke request to ReplicaSet rs at t: the version's base error
 * ratio combined with its active error faults; 1 when no pod of it serves or it crash-loops. */
static double failure_probability(rsim_engine *e, uint32_t rs, rsim_time t)
{
    if (rs == RSIM_CLUSTER_NO_RS || rs >= rsim_cluster_rs_count(e->cluster)) {
        return 1.0;
    }
    const rsim_cluster_rs *r = rsim_cluster_rs_at(e->cluster, rs);
    if (r->n_serving == 0 || r->version == NULL) {
        return 1.0;
    }
    const rsim_spec_version *v = r->version;
    double ok = 1.0 - v->error_ratio;
    for (size_t i = 0; i < rsim_traffic_fault_count(e->traffic); i++) {
        const rsim_traffic_fault *f = rsim_traffic_fault_at(e->traffic, i);
        const rsim_spec_fault *s = f->spec;
        if (s < v->faults || s >= v->faults + v->n_faults || f->onset < 0 || t < f->onset) {
            continue;
        }
        rsim_time since = t - f->onset;
        if (s->duration != RSIM_TIME_MAX && since >= s->duration) {
            continue;
        }
        double p = 0;
        switch (s->kind) {
        case RSIM_FAULT_ERROR_STEP:
            p = s->error_ratio;
            break;
        case RSIM_FAULT_ERROR_RAMP:
            p = s->error_ratio * (since >= s->over ? 1.0 : (double)since / (double)s->over);
            break;
        case RSIM_FAULT_ERROR_BURSTS:
            p = since % s->every < s->burst ? s->error_ratio : 0.0;
            break;
        case RSIM_FAULT_CRASH_LOOP:
            p = 1.0;
            break;
        default:
            break; /* latency, cohort errors (smoke requests are in no cohort), ... */
        }
        ok *= 1.0 - p;
    }
    return 1.0 - ok;
}

/* The ReplicaSet a web endpoint or a Job reaches: the newest template's, or the stable one. */
static uint32_t target_rs(rsim_engine *e, rsim_web_target target)
{
    if (target == RSIM_WEB_TARGET_STABLE) {
        return e->stable_rs;
    }
    return rsim_cluster_find_rs_by_image(e->cluster, e->obj.image);
}

static rsim_time draw_dist(rsim_rng *r, const rsim_spec_dist *d)
{
    switch (d->kind) {
    case RSIM_DIST_FIXED:
        return d->value;
    case RSIM_DIST_UNIFORM:
        return d->min + (rsim_time)rsim_rng_uniform_int(r, (uint64_t)(d->max - d->min) + 1);
    case RSIM_DIST_LOGNORMAL:
        return (rsim_time)llround(rsim_rng_lognormal(r, log((double)d->median), d->sigma));
    case RSIM_DIST_EMPIRICAL:
        return d->n_samples ? d->samples[rsim_rng_uniform_int(r, d->n_samples)] : 0;
    }
    return 0;
}

static obs_run *run_of(struct rsim_observe *o, const rsim_analysis_run *run)
{
    for (size_t i = 0; i < o->runs.n; i++) {
        if (o->runs.items[i].r->run == run) {
            return o->runs.items[i].r;
        }
    }
    rsim_panic("observe: a measurement for an unknown AnalysisRun");
}

/* ---- providers ---- */

static void
web_reply(struct rsim_observe *o, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    const rsim_spec_analysis_world *aw = &o->e->world->analysis;
    const char *url = req->spec->web ? req->spec->web->url : "";
    const rsim_spec_web_endpoint *ep = NULL;
    for (size_t i = 0; i < aw->n_web && !ep; i++) {
        ep = strcmp(aw->web[i].url, url) == 0 ? &aw->web[i] : NULL;
    }
    if (!ep) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep->message, sizeof rep->message,
                 "Get \"%s\": dial tcp: no such host (no spec.analysis.web endpoint has this url)",
                 url);
        return;
    }
    obs_run *r = run_of(o, req->run);
    rsim_time latency = draw_dist(r->rng, &ep->latency);
    double p = failure_probability(o->e, target_rs(o->e, ep->target), req->now);
    p = round(p * 1e6) / 1e6; /* as an endpoint reports it, without binary noise */
    bool ok = rsim_rng_uniform(r->rng) >= p;
    /* The smoke endpoint's answer: {"ok": bool, "status": "ok"|"failing", "errorRatio": p}. */
    rsim_cond_value *body = rsim_cond_map(req->arena);
    rsim_cond_map_set(req->arena, body, "ok", rsim_cond_bool(req->arena, ok));
    rsim_cond_map_set(req->arena, body, "status",
                      rsim_cond_string(req->arena, ok ? "ok" : "failing"));
    rsim_cond_map_set(req->arena, body, "errorRatio", rsim_cond_float(req->arena, p));
    rsim_analysis_web_reply(req, body, latency, rep);
}

static obs_job *find_job(struct rsim_observe *o, const rsim_analysis_run *run, size_t metric)
{
    for (size_t i = 0; i < o->jobs.n; i++) {
        obs_job *j = &o->jobs.items[i];
        if (j->active && j->run == run && j->metric == metric) {
            return j;
        }
    }
    return NULL;
}

/* A Job either completes (its smoke requests decide) or is looked at again later. */
static void
job_poll(struct rsim_observe *o, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    obs_job *j = find_job(o, req->run, req->metric);
    if (!j) {
        rep->kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep->message, sizeof rep->message, "job not found");
        return;
    }
    if (req->now < j->done_at) {
        rep->kind = RSIM_ANALYSIS_REPLY_RUNNING;
        rep->resume_at = rsim_analysis_job_next_poll(req->started_at, req->now);
        return;
    }
    j->active = false;
    if (j->deadline_hit) {
        rep->kind = RSIM_ANALYSIS_REPLY_FAILURE;
        snprintf(rep->message, sizeof rep->message,
                 "Job was active longer than specified deadline");
        return;
    }
    obs_run *r = run_of(o, req->run);
    double p = failure_probability(o->e, target_rs(o->e, RSIM_WEB_TARGET_CANARY), j->done_at);
    int64_t n = o->e->world->analysis.job_requests;
    uint64_t failed = n > 0 ? rsim_rng_binomial(r->rng, p, (uint64_t)n) : 0;
    if (failed == 0) {
        rep->kind = RSIM_ANALYSIS_REPLY_SUCCESS;
    } else {
        rep->kind = RSIM_ANALYSIS_REPLY_FAILURE;
        snprintf(rep->message, sizeof rep->message, "%llu of %lld smoke requests failed",
                 (unsigned long long)failed, (long long)n);
    }
}

static void
job_start(struct rsim_observe *o, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    obs_run *r = run_of(o, req->run);
    rsim_time run_time = draw_dist(r->rng, &o->e->world->analysis.job_run_time);
    obs_job j = {req->run, req->metric, req->now + run_time, false, true};
    const rsim_spec_job *spec = req->spec->job;
    if (spec && spec->active_deadline > 0 && run_time > spec->active_deadline) {
        j.done_at = req->now + spec->active_deadline;
        j.deadline_hit = true;
    }
    RSIM_VEC_PUSH(o->jobs, j);
    job_poll(o, req, rep);
}

static void provider_start(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    struct rsim_observe *o = ctx;
    switch (req->spec->provider) {
    case RSIM_SPEC_PROVIDER_PROMETHEUS:
        rsim_observe_prom_sync(o, req->now, req->query);
        rsim_analysis_prometheus_reply(o->store, req, &o->opts, o->e->world->metrics.query_latency,
                                       rsim_metrics_scraper_down(o->scraper, req->now), rep);
        return;
    case RSIM_SPEC_PROVIDER_WEB:
        web_reply(o, req, rep);
        return;
    case RSIM_SPEC_PROVIDER_JOB:
        job_start(o, req, rep);
        return;
    }
}

static void provider_resume(void *ctx, const rsim_analysis_request *req, rsim_analysis_reply *rep)
{
    job_poll(ctx, req, rep);
}

static void provider_terminate(void *ctx, const rsim_analysis_request *req)
{
    obs_job *j = find_job(ctx, req->run, req->metric);
    if (j) {
        j->active = false;
    }
}

/* ---- runs: reconcile passes and the event log ---- */

/* Logs the measurements finished since the last call and, when it changed (or on the first
 * call), the run's phase; a change of phase after the first is reported to the run's owner. */
static void log_run(obs_run *r, rsim_time now)
{
    rsim_engine *e = r->owner->e;
    rsim_analysis_phase ph = r->run ? rsim_analysis_phase_of(r->run) : RSIM_ANALYSIS_ERROR;
    for (size_t m = 0; r->run && m < rsim_analysis_metric_count(r->run); m++) {
        size_t n = rsim_analysis_measurement_count(r->run, m);
        while (r->n_logged[m] < n) {
            const rsim_analysis_measurement *x =
                rsim_analysis_measurement_at(r->run, m, r->n_logged[m]);
            if (x->phase == RSIM_ANALYSIS_RUNNING || x->phase == RSIM_ANALYSIS_PENDING) {
                break;
            }
            rsim_log_entry entry;
            memset(&entry, 0, sizeof entry);
            entry.t = x->finished_at >= 0 ? x->finished_at : now;
            entry.kind = RSIM_LOG_MEASUREMENT;
            entry.analysis = r->name;
            entry.metric = rsim_analysis_metric(r->run, m)->name;
            entry.phase = rsim_analysis_phase_name(x->phase);
            entry.has_number = x->has_number;
            entry.number = x->number;
            snprintf(entry.text, sizeof entry.text, "%s", x->value ? x->value : "");
            snprintf(entry.message, sizeof entry.message, "%s", x->message ? x->message : "");
            entry.image = e->obj.image;
            entry.revision = e->obj.revision;
            entry.loc = r->loc;
            RSIM_VEC_PUSH(e->result.log, entry);
            r->n_logged[m]++;
        }
    }
    if (r->logged_any && ph == r->logged) {
        return;
    }
    if (r->run) {
        snprintf(r->message, sizeof r->message, "%s", rsim_analysis_message(r->run));
    }
    rsim_log_entry entry;
    memset(&entry, 0, sizeof entry);
    entry.t = now;
    entry.kind = RSIM_LOG_ANALYSIS;
    entry.analysis = r->name;
    entry.phase = rsim_analysis_phase_name(ph);
    snprintf(entry.message, sizeof entry.message, "%.255s", r->message);
    entry.image = e->obj.image;
    entry.revision = e->obj.revision;
    entry.loc = r->loc;
    RSIM_VEC_PUSH(e->result.log, entry);
    /* The owner is told of every change after the first phase, and of the first one too when
     * the run finished in the pass that started it (a single measurement that completes at
     * once): otherwise the controller would wait for its next resync to see the verdict. */
    bool finished = ph != RSIM_ANALYSIS_RUNNING && ph != RSIM_ANALYSIS_PENDING;
    bool changed = r->logged_any || finished;
    r->logged = ph;
    r->logged_any = true;
    if (changed && r->on_phase) {
        r->on_phase(r->on_phase_arg, now); /* the controller watches its AnalysisRuns */
    }
}

static void on_reconcile(rsim_evq *q, void *arg);

/* Event: the status of the last pass becomes visible (the slowest provider answered). */
static void on_visible(rsim_evq *q, void *arg)
{
    obs_run *r = arg;
    log_run(r, rsim_evq_now(q));
}

static void schedule_next(obs_run *r, rsim_time now)
{
    rsim_engine *e = r->owner->e;
    rsim_time next = rsim_analysis_next_time(r->run);
    r->token = 0;
    if (next == RSIM_TIME_MAX) {
        return;
    }
    if (next <= now) {
        next = now + 1;
    }
    if (next <= e->world->duration) {
        r->token = rsim_evq_schedule(e->q, next, RSIM_PHASE_MEASURE, on_reconcile, r);
    }
}

static void after_pass(obs_run *r, rsim_time now, rsim_time visible)
{
    if (visible > now && visible <= r->owner->e->world->duration) {
        rsim_evq_schedule(r->owner->e->q, visible, RSIM_PHASE_MEASURE, on_visible, r);
    } else {
        log_run(r, now);
    }
    schedule_next(r, visible > now ? visible : now);
}

static void on_reconcile(rsim_evq *q, void *arg)
{
    obs_run *r = arg;
    rsim_time now = rsim_evq_now(q);
    rsim_time visible = rsim_analysis_reconcile(r->run, now);
    after_pass(r, now, visible);
}

static const char *stable_hash(rsim_engine *e)
{
    return e->stable_rs != RSIM_CLUSTER_NO_RS ? rsim_cluster_rs_at(e->cluster, e->stable_rs)->hash
                                              : NULL;
}

static const char *latest_hash(rsim_engine *e)
{
    uint32_t rs = rsim_cluster_find_rs_by_image(e->cluster, e->obj.image);
    return rs != RSIM_CLUSTER_NO_RS ? rsim_cluster_rs_at(e->cluster, rs)->hash : stable_hash(e);
}

/* The Rollout fields a fieldRef argument of a template may name. */
static const char *rollout_field(void *arg, const char *path)
{
    const rsim_engine *e = arg;
    if (e->rollout && strcmp(path, "metadata.name") == 0) {
        return e->rollout->name;
    }
    if (e->rollout && strcmp(path, "metadata.namespace") == 0) {
        return e->rollout->namespace_[0] ? e->rollout->namespace_ : "default";
    }
    return NULL;
}

/* Keeps a new run (adopting run, which may be NULL when it could not be created), with its
 * random stream and its time-series columns. */
static obs_run *add_run(struct rsim_observe *o,
                        const rsim_spec_action *a,
                        const char *name,
                        rsim_loc loc,
                        rsim_analysis_run *run)
{
    obs_run *r = rsim_xcalloc(1, sizeof *r);
    r->owner = o;
    r->action = a;
    r->name = rsim_xstrdup(name);
    r->loc = loc;
    r->run = run;
    r->logged = RSIM_ANALYSIS_PENDING;
    if (run) {
        r->n_logged = rsim_xcalloc(rsim_analysis_metric_count(run) + 1, sizeof *r->n_logged);
        char stream[256];
        snprintf(stream, sizeof stream, "analysis/%s", name);
        r->rng = rsim_rng_new(o->e->seed, o->e->replication, stream);
        for (size_t m = 0; m < rsim_analysis_metric_count(run); m++) {
            RSIM_VEC_PUSH(o->col_run, o->runs.n);
            RSIM_VEC_PUSH(o->col_metric, m);
        }
    }
    run_slot slot = {r};
    RSIM_VEC_PUSH(o->runs, slot);
    return r;
}

/* Creates a run and schedules its first reconcile at now; a run that cannot be created is kept
 * as an Error (Argo records it so on the Rollout; so does the log). */
static obs_run *start_run(struct rsim_observe *o,
                          const rsim_spec_action *a,
                          const char *name,
                          rsim_loc loc,
                          const rsim_spec_rollout_analysis *in,
                          const char *stable,
                          const char *latest,
                          rsim_time now)
{
    rsim_engine *e = o->e;
    /* An array of pointers, as rsim_analysis_run_new takes it. */
    const rsim_spec_analysis_template **ts =
        rsim_xcalloc(in->n_templates + 1, sizeof *ts); /* NOLINT(bugprone-sizeof-expression) */
    for (size_t i = 0; i < in->n_templates; i++) {
        ts[i] = rsim_spec_find_template(e->spec, in->templates[i].template_name,
                                        in->templates[i].cluster_scope);
    }
    rsim_analysis_context ctx = rsim_analysis_context_default();
    ctx.stable_hash = stable;
    ctx.latest_hash = latest;
    ctx.field = rollout_field;
    ctx.field_arg = e;
    rsim_analysis_run *run = NULL;
    char errbuf[RSIM_ANALYSIS_MSGMAX];
    rsim_err rc = rsim_analysis_run_new(ts, in->n_templates, in->args, in->n_args, in->dry_run,
                                        in->n_dry_run, in->retention, in->n_retention, &ctx,
                                        &o->provider, &run, errbuf, sizeof errbuf);
    free(ts);
    if (rc != RSIM_OK) {
        obs_run *r = add_run(o, a, name, loc, NULL);
        snprintf(r->message, sizeof r->message, "%.250s", errbuf);
        log_run(r, now);
        return r;
    }
    obs_run *r = add_run(o, a, name, loc, run);
    r->token = rsim_evq_schedule(e->q, now, RSIM_PHASE_MEASURE, on_reconcile, r);
    return r;
}

static void start_action(struct rsim_observe *o, const rsim_spec_action *a, rsim_time now)
{
    rsim_spec_rollout_analysis in;
    memset(&in, 0, sizeof in);
    in.set = true;
    in.n_templates = a->n_templates;
    in.templates = a->templates;
    in.n_args = a->n_args;
    in.args = a->args;
    in.loc = a->loc;
    start_run(o, a, a->analysis, a->loc, &in, stable_hash(o->e), latest_hash(o->e), now);
}

static void stop_action(struct rsim_observe *o, const rsim_spec_action *a, rsim_time now)
{
    for (size_t i = 0; i < o->runs.n; i++) {
        obs_run *r = o->runs.items[i].r;
        if (r->action == NULL || r->run == NULL || strcmp(r->action->analysis, a->analysis) != 0) {
            continue;
        }
        if (r->token) {
            rsim_evq_cancel(o->e->q, r->token);
            r->token = 0;
        }
        rsim_time visible = rsim_analysis_terminate(r->run, now);
        after_pass(r, now, visible);
        return;
    }
}

/* ---- lifecycle ---- */

/* Whether the Rollout names any analysis its controller may run (step, background, pre- or
 * post-promotion, an experiment step's). */
static bool rollout_has_analysis(const rsim_spec_rollout *r)
{
    if (r->strategy == RSIM_STRATEGY_BLUE_GREEN) {
        return r->blue_green.pre_promotion.set || r->blue_green.post_promotion.set;
    }
    if (r->canary.background.set) {
        return true;
    }
    for (size_t i = 0; i < r->canary.n_steps; i++) {
        if (r->canary.steps[i].types & RSIM_STEP_ANALYSIS) {
            return true;
        }
        if ((r->canary.steps[i].types & RSIM_STEP_EXPERIMENT) &&
            r->canary.steps[i].experiment.n_analyses > 0) {
            return true; /* an Experiment's analyses (§15.8) */
        }
    }
    return false;
}

void rsim_engine_observe_init(rsim_engine *e)
{
    const rsim_spec_world *w = e->world;
    bool wanted = w->metrics.n_recording_rules > 0 ||
                  (e->control != NULL && rollout_has_analysis(e->rollout));
    for (size_t i = 0; i < w->n_actions && !wanted; i++) {
        wanted = w->actions[i].kind == RSIM_OP_START_ANALYSIS;
    }
    e->observe = NULL;
    if (!wanted) {
        return;
    }
    struct rsim_observe *o = rsim_xcalloc(1, sizeof *o);
    o->e = e;
    rsim_observe_prom_init(o);
    o->provider.start = provider_start;
    o->provider.resume = provider_resume;
    o->provider.terminate = provider_terminate;
    o->provider.ctx = o;
    e->observe = o;
    rsim_observe_prom_watch(o);
}

void rsim_engine_observe_fini(rsim_engine *e)
{
    struct rsim_observe *o = e->observe;
    if (!o) {
        return;
    }
    for (size_t i = 0; i < o->runs.n; i++) {
        obs_run *r = o->runs.items[i].r;
        rsim_analysis_run_free(r->run);
        rsim_rng_free(r->rng);
        free(r->n_logged);
        free(r->name);
        free(r);
    }
    free(o->runs.items);
    free(o->jobs.items);
    free(o->col_run.items);
    free(o->col_metric.items);
    rsim_observe_prom_fini(o);
    free(o);
    e->observe = NULL;
}

void rsim_engine_observe_apply(rsim_engine *e, const rsim_spec_action *a, rsim_time now)
{
    if (!e->observe) {
        return;
    }
    if (a->kind == RSIM_OP_START_ANALYSIS) {
        start_action(e->observe, a, now);
    } else if (a->kind == RSIM_OP_STOP_ANALYSIS) {
        stop_action(e->observe, a, now);
    }
}

rsim_observe_run *rsim_engine_observe_start_run(rsim_engine *e,
                                                const char *name,
                                                const rsim_spec_rollout_analysis *a,
                                                const char *stable,
                                                const char *latest,
                                                rsim_engine_observe_phase_fn on_phase,
                                                void *on_phase_arg,
                                                rsim_time now)
{
    struct rsim_observe *o = e->observe;
    if (o == NULL) {
        return NULL;
    }
    stable = stable && stable[0] ? stable : NULL;
    latest = latest && latest[0] ? latest : NULL;
    obs_run *r = NULL;
    if (a == NULL) {
        r = add_run(o, NULL, name, e->rollout->loc, NULL);
        snprintf(r->message, sizeof r->message, "no analysis to run");
        log_run(r, now);
    } else {
        r = start_run(o, NULL, name, a->loc, a, stable, latest, now);
    }
    /* Set after the start: a run that could not be created is an Error from its first line. */
    r->on_phase = on_phase;
    r->on_phase_arg = on_phase_arg;
    return r;
}

rsim_analysis_phase rsim_engine_observe_run_phase(const rsim_observe_run *r, const char **message)
{
    if (r == NULL) {
        *message = "no analysis to run";
        return RSIM_ANALYSIS_ERROR;
    }
    *message = r->message;
    return r->logged;
}

void rsim_engine_observe_terminate_run(rsim_observe_run *r, rsim_time now)
{
    if (r == NULL || r->run == NULL) {
        return;
    }
    if (r->token) {
        rsim_evq_cancel(r->owner->e->q, r->token);
        r->token = 0;
    }
    if (!rsim_analysis_phase_completed(rsim_analysis_phase_of(r->run))) {
        after_pass(r, now, rsim_analysis_terminate(r->run, now));
    }
}

size_t rsim_engine_observe_columns(const rsim_engine *e)
{
    return e->observe ? e->observe->col_run.n : 0;
}

void rsim_engine_observe_column_name(const rsim_engine *e, size_t col, char *buf, size_t size)
{
    const struct rsim_observe *o = e->observe;
    const obs_run *r = o->runs.items[o->col_run.items[col]].r;
    snprintf(buf, size, "analysis_%s_%s", r->name,
             rsim_analysis_metric(r->run, o->col_metric.items[col])->name);
}

bool rsim_engine_observe_value(
    const rsim_engine *e, size_t col, rsim_time t, size_t *cursor, double *v)
{
    const struct rsim_observe *o = e->observe;
    const obs_run *r = o->runs.items[o->col_run.items[col]].r;
    size_t m = o->col_metric.items[col];
    size_t n = rsim_analysis_measurement_count(r->run, m);
    while (*cursor < n) {
        const rsim_analysis_measurement *x = rsim_analysis_measurement_at(r->run, m, *cursor);
        if (x->finished_at < 0 || x->finished_at > t) {
            break;
        }
        (*cursor)++;
    }
    if (*cursor == 0) {
        return false;
    }
    const rsim_analysis_measurement *x = rsim_analysis_measurement_at(r->run, m, *cursor - 1);
    *v = x->number;
    return x->has_number;
}
