/* reconcile.c - one pass of the AnalysisRun controller (analysis/analysis.go reconcileAnalysisRun):
 * which measurements are due (generateMetricTasks, §16.1), taking, resuming or terminating them
 * through the provider (runMeasurements, §16.2, §16.3), metric phases (assessMetricStatus,
 * §16.4), the run phase (assessRunStatus, §16.5) and the next pass (calculateNextReconcileTime).
 * Invariant: "terminating" is decided once, from the metric phases persisted by the previous
 * pass, and used for the whole pass, as upstream does. Start at rsim_analysis_reconcile. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis_int.h"

#define VALUE_TEXT_MAX ((size_t)4096) /* longest value text kept per measurement */

/* ---- phases -------------------------------------------------------------------------------- */

bool rsim_analysis_phase_completed(rsim_analysis_phase phase)
{
    return phase == RSIM_ANALYSIS_SUCCESSFUL || phase == RSIM_ANALYSIS_FAILED ||
           phase == RSIM_ANALYSIS_ERROR || phase == RSIM_ANALYSIS_INCONCLUSIVE;
}

const char *rsim_analysis_phase_name(rsim_analysis_phase phase)
{
    switch (phase) {
    case RSIM_ANALYSIS_PENDING:
        return "Pending";
    case RSIM_ANALYSIS_RUNNING:
        return "Running";
    case RSIM_ANALYSIS_SUCCESSFUL:
        return "Successful";
    case RSIM_ANALYSIS_FAILED:
        return "Failed";
    case RSIM_ANALYSIS_ERROR:
        return "Error";
    case RSIM_ANALYSIS_INCONCLUSIVE:
        return "Inconclusive";
    }
    return "Unknown";
}

static int rank(rsim_analysis_phase p)
{
    switch (p) {
    case RSIM_ANALYSIS_SUCCESSFUL:
        return 0;
    case RSIM_ANALYSIS_RUNNING:
        return 1;
    case RSIM_ANALYSIS_PENDING:
        return 2;
    case RSIM_ANALYSIS_INCONCLUSIVE:
        return 3;
    case RSIM_ANALYSIS_ERROR:
        return 4;
    case RSIM_ANALYSIS_FAILED:
        return 5;
    }
    return 0;
}

bool rsim_analysis_is_worse(rsim_analysis_phase current, rsim_analysis_phase candidate)
{
    return rank(candidate) > rank(current);
}

rsim_analysis_phase
rsim_analysis_assess_limits(const rsim_analysis_metric_rt *m, char *msg, size_t size)
{
    const rsim_analysis_metric_status *s = &m->st;
    rsim_analysis_phase phase = RSIM_ANALYSIS_PENDING;
    char tmp[1];
    if (!msg || size == 0) {
        msg = tmp;
        size = sizeof tmp;
    }
    msg[0] = '\0';
    /* Each later match overrides an earlier one (§16.4 step 4). */
    if (m->failure_limit >= 0 && s->failed > m->failure_limit) {
        phase = RSIM_ANALYSIS_FAILED;
        snprintf(msg, size, "failed (%" PRId64 ") > failureLimit (%" PRId64 ")", s->failed,
                 m->failure_limit);
    }
    if (s->inconclusive > m->inconclusive_limit) {
        phase = RSIM_ANALYSIS_INCONCLUSIVE;
        snprintf(msg, size, "inconclusive (%" PRId64 ") > inconclusiveLimit (%" PRId64 ")",
                 s->inconclusive, m->inconclusive_limit);
    }
    if (s->consecutive_error > m->consecutive_error_limit) {
        phase = RSIM_ANALYSIS_ERROR;
        snprintf(msg, size, "consecutiveErrors (%" PRId64 ") > consecutiveErrorLimit (%" PRId64 ")",
                 s->consecutive_error, m->consecutive_error_limit);
    }
    return phase;
}

rsim_analysis_phase rsim_analysis_assess_metric(const rsim_analysis_metric_rt *m, bool terminating)
{
    const rsim_analysis_metric_status *s = &m->st;
    if (rsim_analysis_phase_completed(s->phase)) {
        return s->phase; /* step 1 */
    }
    if (m->ms.n == 0) {
        return terminating ? RSIM_ANALYSIS_SUCCESSFUL : RSIM_ANALYSIS_PENDING; /* step 2 */
    }
    if (!rsim_analysis_phase_completed(m->ms.items[m->ms.n - 1].phase)) {
        return RSIM_ANALYSIS_RUNNING; /* step 3 */
    }
    rsim_analysis_phase lim = rsim_analysis_assess_limits(m, NULL, 0);
    if (lim != RSIM_ANALYSIS_PENDING) {
        return lim; /* step 4 */
    }
    int64_t csl = m->consecutive_success_limit;
    if (csl > 0 && s->consecutive_success >= csl) {
        return RSIM_ANALYSIS_SUCCESSFUL; /* step 5 */
    }
    if (m->count > 0 && s->count >= m->count) { /* step 6 */
        bool failure_applies = m->failure_limit >= 0;
        bool success_applies = csl > 0;
        if (failure_applies && success_applies) {
            return RSIM_ANALYSIS_INCONCLUSIVE; /* neither limit was reached */
        }
        if (success_applies) {
            return RSIM_ANALYSIS_FAILED; /* failureLimit -1: only successes could pass it */
        }
        return RSIM_ANALYSIS_SUCCESSFUL;
    }
    return terminating ? RSIM_ANALYSIS_SUCCESSFUL : RSIM_ANALYSIS_RUNNING; /* step 7 */
}

/* ---- bookkeeping --------------------------------------------------------------------------- */

/* A persisted timestamp (§23 I15): whole seconds, truncated down. */
static rsim_time stamp(const rsim_analysis_run *run, rsim_time t)
{
    return (run->truncate && t > 0) ? t - t % 1000 : t;
}

static bool terminating_now(const rsim_analysis_run *run)
{
    if (run->terminate) {
        return true;
    }
    for (size_t i = 0; i < run->n_metrics; i++) {
        const rsim_analysis_metric_rt *m = &run->m[i];
        rsim_analysis_phase p = m->st.phase;
        if (m->has_result && !m->st.dry_run &&
            (p == RSIM_ANALYSIS_FAILED || p == RSIM_ANALYSIS_ERROR ||
             p == RSIM_ANALYSIS_INCONCLUSIVE)) {
            return true;
        }
    }
    return false;
}

/* §16.3. */
static void count_phase(rsim_analysis_metric_status *s, rsim_analysis_phase p)
{
    switch (p) {
    case RSIM_ANALYSIS_SUCCESSFUL:
        s->successful++;
        s->count++;
        s->consecutive_error = 0;
        s->consecutive_success++;
        break;
    case RSIM_ANALYSIS_FAILED:
        s->failed++;
        s->count++;
        s->consecutive_error = 0;
        s->consecutive_success = 0;
        break;
    case RSIM_ANALYSIS_INCONCLUSIVE:
        s->inconclusive++;
        s->count++;
        s->consecutive_error = 0;
        s->consecutive_success = 0;
        break;
    case RSIM_ANALYSIS_ERROR:
        s->error++;
        s->consecutive_error++;
        s->consecutive_success = 0;
        break;
    case RSIM_ANALYSIS_PENDING:
    case RSIM_ANALYSIS_RUNNING:
        break;
    }
}

static void
keep_value(rsim_analysis_run *run, rsim_analysis_measurement *x, const rsim_cond_value *v)
{
    rsim_buf b;
    rsim_buf_init(&b, VALUE_TEXT_MAX);
    rsim_cond_value_format(v, &b);
    x->value = rsim_arena_strdup(&run->arena, b.data ? b.data : "");
    rsim_buf_fini(&b);
    const rsim_cond_value *first = v;
    if (rsim_cond_value_kind(v) == RSIM_COND_ARRAY) {
        first = rsim_cond_value_len(v) > 0 ? rsim_cond_value_at(v, 0) : NULL;
    }
    rsim_cond_kind k = rsim_cond_value_kind(first);
    x->has_number = k == RSIM_COND_FLOAT || k == RSIM_COND_INT;
    x->number = x->has_number ? rsim_cond_value_float(first) : 0.0;
}

/* Turns a provider's reply into the measurement's phase (§16.2) and stamps it. */
static rsim_time apply(rsim_analysis_run *run,
                       rsim_analysis_metric_rt *m,
                       rsim_analysis_measurement *x,
                       const rsim_analysis_reply *rep,
                       rsim_time now)
{
    rsim_time duration = rep->duration > 0 ? rep->duration : 0;
    switch (rep->kind) {
    case RSIM_ANALYSIS_REPLY_VALUE: {
        rsim_cond_judgement j;
        keep_value(run, x, rep->value);
        x->phase = (rsim_analysis_phase)0;
        switch (rsim_cond_judge(m->success, m->failure, rep->value, &j)) {
        case RSIM_COND_SUCCESSFUL:
            x->phase = RSIM_ANALYSIS_SUCCESSFUL;
            break;
        case RSIM_COND_FAILED:
            x->phase = RSIM_ANALYSIS_FAILED;
            break;
        case RSIM_COND_INCONCLUSIVE:
            x->phase = RSIM_ANALYSIS_INCONCLUSIVE;
            break;
        case RSIM_COND_ERROR:
            x->phase = RSIM_ANALYSIS_ERROR;
            x->message = rsim_arena_strdup(&run->arena, j.error);
            break;
        }
        break;
    }
    case RSIM_ANALYSIS_REPLY_ERROR:
        x->phase = RSIM_ANALYSIS_ERROR;
        x->message = rsim_arena_strdup(&run->arena, rep->message[0] ? rep->message : "error");
        break;
    case RSIM_ANALYSIS_REPLY_RUNNING: {
        x->phase = RSIM_ANALYSIS_RUNNING;
        /* resumeAt is a persisted time too; a truncation that would put it in the past keeps
         * the exact time, so a pass never resumes the same measurement twice at one instant. */
        rsim_time r = stamp(run, rep->resume_at);
        x->resume_at = r > now ? r : (rep->resume_at > now ? rep->resume_at : now + 1);
        break;
    }
    case RSIM_ANALYSIS_REPLY_SUCCESS:
        x->phase = RSIM_ANALYSIS_SUCCESSFUL;
        break;
    case RSIM_ANALYSIS_REPLY_FAILURE:
        x->phase = RSIM_ANALYSIS_FAILED;
        break;
    }
    if (rsim_analysis_phase_completed(x->phase)) {
        x->finished_at = stamp(run, now + duration);
        x->resume_at = -1;
        count_phase(&m->st, x->phase);
    }
    return now + duration;
}

static rsim_analysis_request request(
    const rsim_analysis_run *run, size_t i, rsim_time now, rsim_time started, rsim_arena *scratch)
{
    rsim_analysis_request r;
    memset(&r, 0, sizeof r);
    r.run = run;
    r.metric = i;
    r.spec = &run->m[i].spec;
    r.query = run->m[i].query;
    r.now = now;
    r.started_at = started;
    r.arena = scratch;
    r.result = run->prom;
    return r;
}

/* Starts a new measurement. Returns when it answered. */
static rsim_time start(rsim_analysis_run *run, size_t i, rsim_time now, rsim_arena *scratch)
{
    rsim_analysis_metric_rt *m = &run->m[i];
    rsim_analysis_measurement x;
    memset(&x, 0, sizeof x);
    x.phase = RSIM_ANALYSIS_RUNNING;
    x.started_at = stamp(run, now);
    x.finished_at = -1;
    x.resume_at = -1;
    x.value = "";
    x.message = "";
    if (!m->has_result) {
        m->has_result = true;
        m->st.phase = RSIM_ANALYSIS_RUNNING;
    }
    rsim_time done = now;
    if (m->expr_error) {
        rsim_analysis_reply rep;
        memset(&rep, 0, sizeof rep);
        rep.kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep.message, sizeof rep.message, "%s", m->expr_error);
        done = apply(run, m, &x, &rep, now);
    } else {
        if (m->query && !run->prom) {
            run->prom = rsim_xmalloc(sizeof *run->prom);
            rsim_metrics_result_init(run->prom);
        }
        rsim_analysis_request req = request(run, i, now, x.started_at, scratch);
        rsim_analysis_reply rep;
        memset(&rep, 0, sizeof rep);
        run->provider.start(run->provider.ctx, &req, &rep);
        done = apply(run, m, &x, &rep, now);
    }
    RSIM_VEC_PUSH(m->ms, x);
    return done;
}

/* Resumes (or, when terminating, abandons) the in-flight measurement of metric i. */
static rsim_time
resume(rsim_analysis_run *run, size_t i, rsim_time now, bool terminating, rsim_arena *scratch)
{
    rsim_analysis_metric_rt *m = &run->m[i];
    rsim_analysis_measurement *x = &m->ms.items[m->ms.n - 1];
    rsim_analysis_request req = request(run, i, now, x->started_at, scratch);
    rsim_analysis_reply rep;
    memset(&rep, 0, sizeof rep);
    if (terminating) {
        /* §23 I13: an abandoned in-flight measurement is Inconclusive. */
        if (run->provider.terminate) {
            run->provider.terminate(run->provider.ctx, &req);
        }
        x->phase = RSIM_ANALYSIS_INCONCLUSIVE;
        x->message = "Metric Terminated";
        x->finished_at = stamp(run, now);
        x->resume_at = -1;
        count_phase(&m->st, x->phase);
        return now;
    }
    if (!run->provider.resume) {
        rep.kind = RSIM_ANALYSIS_REPLY_ERROR;
        snprintf(rep.message, sizeof rep.message, "provider cannot resume a measurement");
    } else {
        run->provider.resume(run->provider.ctx, &req, &rep);
    }
    return apply(run, m, x, &rep, now);
}

typedef enum task { TASK_NONE, TASK_START, TASK_RESUME } task;

/* generateMetricTasks for one metric (§16.1). */
static task
due(const rsim_analysis_run *run, const rsim_analysis_metric_rt *m, rsim_time now, bool terminating)
{
    if (m->has_result && rsim_analysis_phase_completed(m->st.phase)) {
        return TASK_NONE;
    }
    const rsim_analysis_measurement *last = m->ms.n ? &m->ms.items[m->ms.n - 1] : NULL;
    if (last && last->finished_at < 0) {
        /* A terminating run abandons its in-flight measurement in this pass even before its
         * resumeAt: upstream's Job provider sets no resumeAt (the Job informer wakes the run),
         * so a terminated run ends its Job at once (§23 I13); resumeAt only models the poll. */
        if (!terminating && last->resume_at >= 0 && last->resume_at > now) {
            return TASK_NONE;
        }
        return TASK_RESUME;
    }
    if (terminating) {
        return TASK_NONE;
    }
    if (!last) {
        if (m->initial_delay_set &&
            (run->started_at < 0 || run->started_at + m->initial_delay > now)) {
            return TASK_NONE;
        }
        return TASK_START;
    }
    if (m->count > 0 && m->st.count >= m->count) {
        return TASK_NONE;
    }
    rsim_time interval = RSIM_ANALYSIS_ERROR_RETRY;
    if (last->phase != RSIM_ANALYSIS_ERROR && m->interval_set) {
        interval = m->interval;
    }
    return now > last->finished_at + interval ? TASK_START : TASK_NONE;
}

/* assessRunStatus (§16.5). */
static rsim_analysis_phase assess_run(rsim_analysis_run *run, bool terminating, const char **msg)
{
    bool have_worst = false;
    rsim_analysis_phase worst = RSIM_ANALYSIS_SUCCESSFUL;
    bool everything = true;
    *msg = run->terminate ? "Run Terminated" : "";
    for (size_t i = 0; i < run->n_metrics; i++) {
        rsim_analysis_metric_rt *m = &run->m[i];
        if (!m->has_result) {
            everything = false; /* not started yet (initialDelay) */
            continue;
        }
        rsim_analysis_phase p = rsim_analysis_assess_metric(m, terminating);
        if (p != m->st.phase) {
            m->st.message = m->ms.n ? m->ms.items[m->ms.n - 1].message : "";
            m->st.phase = p;
        }
        if (!rsim_analysis_phase_completed(p)) {
            everything = false;
            continue;
        }
        char why[200];
        rsim_analysis_assess_limits(m, why, sizeof why);
        if (!m->st.dry_run) {
            if (!have_worst || rsim_analysis_is_worse(worst, p)) {
                worst = p;
                have_worst = true;
                if (why[0]) {
                    *msg =
                        m->st.message[0]
                            ? rsim_arena_printf(&run->arena,
                                                "Metric \"%s\" assessed %s due to %s: \"Error "
                                                "Message: %s\"",
                                                m->spec.name, rsim_analysis_phase_name(p), why,
                                                m->st.message)
                            : rsim_arena_printf(&run->arena, "Metric \"%s\" assessed %s due to %s",
                                                m->spec.name, rsim_analysis_phase_name(p), why);
                }
            }
        } else {
            if (!have_worst) {
                worst = RSIM_ANALYSIS_SUCCESSFUL;
                have_worst = true;
            }
            if (why[0]) {
                m->st.message = rsim_arena_printf(&run->arena, "Metric assessed %s due to %s",
                                                  rsim_analysis_phase_name(p), why);
            }
        }
    }
    if (terminating) {
        return have_worst ? worst : RSIM_ANALYSIS_SUCCESSFUL;
    }
    if (!everything || !have_worst) {
        return RSIM_ANALYSIS_RUNNING;
    }
    return worst;
}

/* ---- driving ------------------------------------------------------------------------------- */

rsim_time rsim_analysis_reconcile(rsim_analysis_run *run, rsim_time now)
{
    if (rsim_analysis_phase_completed(run->phase)) {
        return now;
    }
    run->rerun_at = -1;
    if (!run->passed && run->first_error) {
        /* Argo validates the resolved run before measuring anything. */
        run->passed = true;
        run->phase = RSIM_ANALYSIS_ERROR;
        run->message = run->first_error;
        run->completed_at = now;
        return now;
    }
    run->passed = true;
    bool terminating = terminating_now(run);
    rsim_time end = now;
    if (run->scratch.total_bytes > RSIM_ANALYSIS_SCRATCH_BYTES) {
        rsim_arena_fini(&run->scratch);
        rsim_arena_init(&run->scratch);
    }
    for (size_t i = 0; i < run->n_metrics; i++) {
        rsim_time done = now;
        switch (due(run, &run->m[i], now, terminating)) {
        case TASK_START:
            done = start(run, i, now, &run->scratch);
            break;
        case TASK_RESUME:
            done = resume(run, i, now, terminating, &run->scratch);
            break;
        case TASK_NONE:
            break;
        }
        end = done > end ? done : end;
    }
    if (run->started_at < 0) {
        run->started_at = stamp(run, end);
    }
    const char *msg = "";
    rsim_analysis_phase p = assess_run(run, terminating, &msg);
    if (p != run->phase) {
        run->phase = p;
        run->message = msg;
        if (rsim_analysis_phase_completed(p)) {
            run->completed_at = end;
        }
    }
    /* The status write that made the run terminating triggers the next pass at once (the
     * AnalysisRun informer's update event): that pass stops the other metrics (§16.5). */
    if (!rsim_analysis_phase_completed(run->phase) && !terminating && terminating_now(run)) {
        run->rerun_at = end;
    }
    return end;
}

rsim_time rsim_analysis_terminate(rsim_analysis_run *run, rsim_time now)
{
    if (rsim_analysis_phase_completed(run->phase)) {
        return now;
    }
    run->terminate = true;
    return rsim_analysis_reconcile(run, now);
}

static rsim_time earlier(rsim_time a, rsim_time b)
{
    return a < b ? a : b;
}

rsim_time rsim_analysis_next_time(const rsim_analysis_run *run)
{
    if (rsim_analysis_phase_completed(run->phase)) {
        return RSIM_TIME_MAX;
    }
    if (!run->passed) {
        return 0; /* a new run is reconciled at once */
    }
    rsim_time t = run->rerun_at >= 0 ? run->rerun_at : RSIM_TIME_MAX;
    for (size_t i = 0; i < run->n_metrics; i++) {
        const rsim_analysis_metric_rt *m = &run->m[i];
        if (m->has_result && rsim_analysis_phase_completed(m->st.phase)) {
            continue;
        }
        const rsim_analysis_measurement *last = m->ms.n ? &m->ms.items[m->ms.n - 1] : NULL;
        if (!last) {
            if (m->initial_delay_set) {
                t = earlier(t, run->started_at + m->initial_delay);
            }
            continue;
        }
        if (last->finished_at < 0) {
            if (last->resume_at >= 0) {
                t = earlier(t, last->resume_at);
            }
            continue;
        }
        if (m->count > 0 && m->st.count >= m->count) {
            continue;
        }
        rsim_time interval = 0;
        if (last->phase == RSIM_ANALYSIS_ERROR) {
            interval = RSIM_ANALYSIS_ERROR_RETRY;
        } else if (m->interval_set) {
            interval = m->interval;
        } else {
            continue;
        }
        /* "now is after finishedAt + interval" holds from the next millisecond on. */
        t = earlier(t, last->finished_at + interval + 1);
    }
    return t;
}

/* ---- queries ------------------------------------------------------------------------------- */

rsim_analysis_phase rsim_analysis_phase_of(const rsim_analysis_run *run)
{
    return run->phase;
}

const char *rsim_analysis_message(const rsim_analysis_run *run)
{
    return run->message;
}

rsim_time rsim_analysis_started_at(const rsim_analysis_run *run)
{
    return run->started_at;
}

rsim_time rsim_analysis_completed_at(const rsim_analysis_run *run)
{
    return run->completed_at;
}

bool rsim_analysis_terminating(const rsim_analysis_run *run)
{
    return terminating_now(run);
}

size_t rsim_analysis_metric_count(const rsim_analysis_run *run)
{
    return run->n_metrics;
}

const rsim_spec_metric *rsim_analysis_metric_spec(const rsim_analysis_run *run, size_t i)
{
    RSIM_ASSERT(i < run->n_metrics);
    return &run->m[i].spec;
}

const rsim_analysis_metric_status *rsim_analysis_metric(const rsim_analysis_run *run, size_t i)
{
    RSIM_ASSERT(i < run->n_metrics);
    return &run->m[i].st;
}

size_t rsim_analysis_measurement_count(const rsim_analysis_run *run, size_t metric)
{
    RSIM_ASSERT(metric < run->n_metrics);
    return run->m[metric].ms.n;
}

const rsim_analysis_measurement *
rsim_analysis_measurement_at(const rsim_analysis_run *run, size_t metric, size_t i)
{
    RSIM_ASSERT(metric < run->n_metrics && i < run->m[metric].ms.n);
    return &run->m[metric].ms.items[i];
}

const char *rsim_analysis_arg(const rsim_analysis_run *run, const char *name)
{
    for (size_t i = 0; i < run->n_args; i++) {
        if (strcmp(run->args[i].name, name) == 0) {
            return run->args[i].value;
        }
    }
    return NULL;
}
