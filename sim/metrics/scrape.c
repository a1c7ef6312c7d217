/* scrape.c - the Prometheus scrape model: exporter series per target with the Scenario's names
 * and labels, one scrape event per target on its own offset grid, staleness markers when a
 * target goes, recording rules on the evaluation grid, and backend outages.
 * Invariant: a target's series are created the first time their value is non-zero (a client
 * library exports a labelled child only once it is used), then get one sample per scrape.
 * Start at rsim_metrics_scraper_add_target and on_scrape. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"
#include "rng.h"

#define NO_SERIES UINT32_MAX
/* Labels of an exporter series: constants, hash, pod, namespace, service, status or le, and
 * __name__. */
#define MAX_LABELS 32

typedef struct scrape_target scrape_target;

/* A slot of the target table (a struct, so that the vector's sizeof is of an object). */
typedef struct target_slot {
    scrape_target *t; /* owned; NULL where no target has this id */
} target_slot;

struct scrape_target {
    rsim_metrics_scraper *owner; /* borrowed */
    uint32_t id;
    char pod[64];
    char hash[32];
    char ns[64];
    char svc[64];          /* the Service it is scraped through, "" for a pod target */
    char workload[64];     /* the workload (the Rollout), "" when unknown */
    char dest_ns[64];      /* the workload's namespace */
    char over_name[4][64]; /* constant labels replaced on this target, and their values */
    char over_value[4][64];
    size_t n_over;
    char svc_fqdn[192];   /* svc.ns.svc.cluster.local, "" for a pod target */
    rsim_time offset;     /* within the interval, ms */
    rsim_time last;       /* last scrape, ms; -1 none */
    rsim_time next;       /* next scrape, ms */
    rsim_evq_token token; /* of the next scrape; 0 once removed */
    bool removed;
    rsim_time stale_at;         /* stamp of the staleness markers of the last removal */
    rsim_evq_token stale_token; /* of the pending staleness write; 0 when none */
    rsim_metrics_series ok, err, sum, count;
    rsim_metrics_series up;       /* Prometheus' up of the target; NO_SERIES until scraped */
    rsim_metrics_series *buckets; /* n_buckets + 1 (+Inf); owned */
    /* Whether the exporter's current process exports the family: a status child or the
     * histogram appears once used, and a failed scrape (the process gone) forgets it. */
    bool live_ok, live_err, live_hist;
    uint32_t generation; /* of the process that answered the last scrape */
};

/* What one recording rule wrote at its last evaluation, for staleness of vanished series. */
typedef struct rule_state {
    rsim_promql *query; /* owned; NULL when the expression does not parse */
    RSIM_VEC(rsim_metrics_series) last;
    RSIM_VEC(rsim_metrics_series) now;
} rule_state;

struct rsim_metrics_scraper {
    rsim_metrics_store *store; /* borrowed */
    const rsim_spec_metrics *m;
    rsim_evq *q;
    uint64_t seed, replication;
    rsim_metrics_source src;
    RSIM_VEC(target_slot) targets; /* by id */
    rule_state *rules;             /* m->n_recording_rules */
    rsim_metrics_result result;    /* reused by rule evaluations */
    rsim_metrics_query_opts opts;
    char (*le)[32];           /* the le label values, n_buckets + 1 */
    rsim_metrics_needs needs; /* the series exported */
    char names[RSIM_SPEC_SERIES_NAMES][RSIM_SPEC_SERIES_NAME_MAX]; /* the metric names a target
                                                                     can export */
    size_t n_names;
    rsim_metrics_scrape_stats stats;
};

/* A bound as Prometheus client libraries print le: shortest text that reads back the same. */
static void format_le(double v, char out[32])
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, 32, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v) {
            return;
        }
    }
}

bool rsim_metrics_scraper_down(const rsim_metrics_scraper *s, rsim_time t)
{
    for (size_t i = 0; i < s->m->n_outages; i++) {
        const rsim_spec_outage *o = &s->m->outages[i];
        if (t >= o->at && t - o->at < o->duration) {
            return true;
        }
    }
    return false;
}

/* Builds the labels of one exporter series: name, the target's labels, one extra pair. */
static size_t target_labels(const rsim_metrics_scraper *s,
                            const scrape_target *t,
                            const char *name,
                            const char *extra_name,
                            const char *extra_value,
                            rsim_metrics_label *out)
{
    const rsim_spec_series *ser = &s->m->series;
    size_t n = 0;
    out[n++] = (rsim_metrics_label){"__name__", name};
    for (size_t i = 0; i < ser->n_labels && n < MAX_LABELS - 9; i++) {
        const char *v = ser->labels[i].value;
        for (size_t k = 0; k < t->n_over; k++) {
            v = strcmp(t->over_name[k], ser->labels[i].name) == 0 ? t->over_value[k] : v;
        }
        out[n++] = (rsim_metrics_label){ser->labels[i].name, v};
    }
    if (ser->hash_label && ser->hash_label[0]) {
        out[n++] = (rsim_metrics_label){ser->hash_label, t->hash};
    }
    if (ser->pod_label && ser->pod_label[0]) {
        out[n++] = (rsim_metrics_label){ser->pod_label, t->pod};
    }
    if (ser->namespace_label && ser->namespace_label[0]) {
        out[n++] = (rsim_metrics_label){ser->namespace_label, t->ns};
    }
    if (ser->service_label && ser->service_label[0] && t->svc[0]) {
        out[n++] = (rsim_metrics_label){ser->service_label, t->svc};
    }
    if (ser->service_fqdn_label && ser->service_fqdn_label[0] && t->svc_fqdn[0]) {
        out[n++] = (rsim_metrics_label){ser->service_fqdn_label, t->svc_fqdn};
    }
    if (ser->workload_label && ser->workload_label[0] && t->workload[0]) {
        out[n++] = (rsim_metrics_label){ser->workload_label, t->workload};
    }
    if (ser->workload_namespace_label && ser->workload_namespace_label[0] && t->dest_ns[0]) {
        out[n++] = (rsim_metrics_label){ser->workload_namespace_label, t->dest_ns};
    }
    if (extra_name) {
        out[n++] = (rsim_metrics_label){extra_name, extra_value};
    }
    return n;
}

static rsim_metrics_series make_series(rsim_metrics_scraper *s,
                                       const scrape_target *t,
                                       const char *name,
                                       const char *extra_name,
                                       const char *extra_value)
{
    rsim_metrics_label labels[MAX_LABELS];
    size_t n = target_labels(s, t, name, extra_name, extra_value, labels);
    rsim_metrics_series id = NO_SERIES;
    if (rsim_metrics_series_add(s->store, labels, n, &id) != RSIM_OK) {
        rsim_panic("scrape: bad exporter label set for '%s'", name);
    }
    return id;
}

static void put(rsim_metrics_scraper *s, rsim_metrics_series id, rsim_time t, double v)
{
    rsim_metrics_append(s->store, id, t, v);
    s->stats.samples++;
}

/* Prometheus' `up` of the target at a scrape: 1 when it answered, 0 when it did not. It has
 * the target's labels (constant labels, hash, pod, namespace, service), not the exporter's. */
static void put_up(rsim_metrics_scraper *s, scrape_target *t, double v, rsim_time at)
{
    if (!s->needs.up) {
        return;
    }
    if (t->up == NO_SERIES) {
        t->up = make_series(s, t, "up", NULL, NULL);
    }
    put(s, t->up, at, v);
}

/* The counter of one status code: exported once non-zero (by the exporter's current process),
 * then sampled at every scrape. */
static void put_status(rsim_metrics_scraper *s,
                       scrape_target *t,
                       rsim_metrics_series *id,
                       bool *live,
                       const char *code,
                       uint64_t value,
                       rsim_time now)
{
    if (!*live && value == 0) {
        return;
    }
    if (*id == NO_SERIES) {
        *id = make_series(s, t, s->m->series.requests, s->m->series.status_label, code);
    }
    *live = true;
    put(s, *id, now, (double)value);
}

static void put_histogram(rsim_metrics_scraper *s,
                          scrape_target *t,
                          const rsim_metrics_counters *c,
                          rsim_time now)
{
    const rsim_spec_series *ser = &s->m->series;
    size_t nb = ser->n_buckets;
    uint64_t total = 0;
    for (size_t i = 0; i <= nb; i++) {
        total += c->buckets ? c->buckets[i] : 0;
    }
    if (!t->live_hist && total == 0) {
        return;
    }
    t->live_hist = true;
    if (t->count == NO_SERIES) {
        char name[256];
        for (size_t i = 0; i <= nb; i++) {
            snprintf(name, sizeof name, "%s_bucket", ser->latency);
            t->buckets[i] = make_series(s, t, name, "le", s->le[i]);
        }
        snprintf(name, sizeof name, "%s_sum", ser->latency);
        t->sum = make_series(s, t, name, NULL, NULL);
        snprintf(name, sizeof name, "%s_count", ser->latency);
        t->count = make_series(s, t, name, NULL, NULL);
    }
    uint64_t cum = 0;
    for (size_t i = 0; i <= nb; i++) {
        cum += c->buckets ? c->buckets[i] : 0;
        put(s, t->buckets[i], now, (double)cum);
    }
    put(s, t->sum, now, ser->latency_ms ? c->latency_sum_ms : c->latency_sum_ms / 1000.0);
    put(s, t->count, now, (double)cum);
}

static void mark_stale(rsim_metrics_scraper *s, rsim_metrics_series id, rsim_time at)
{
    rsim_metrics_append_stale(s->store, id, at);
    s->stats.samples++;
}

/* Forgets family k of target t (0: the 2xx child, 1: the 5xx child, 2: the histogram), marking
 * its series stale at `at`, as Prometheus marks a series the scrape no longer returns. */
static void forget_family(rsim_metrics_scraper *s, scrape_target *t, int k, rsim_time at)
{
    bool *live[3] = {&t->live_ok, &t->live_err, &t->live_hist};
    if (!*live[k]) {
        return;
    }
    *live[k] = false;
    if (k == 0 || k == 1) {
        mark_stale(s, k == 0 ? t->ok : t->err, at);
        return;
    }
    for (size_t j = 0; j <= s->m->series.n_buckets; j++) {
        mark_stale(s, t->buckets[j], at);
    }
    mark_stale(s, t->sum, at);
    mark_stale(s, t->count, at);
}

/* The samples of one scrape of target t, stamped at. A new exporting process (its generation
 * changed) returns only the families it has used: the others are marked stale. */
static void store_scrape(rsim_metrics_scraper *s,
                         scrape_target *t,
                         const rsim_metrics_counters *c,
                         rsim_time at)
{
    if (c->generation != t->generation) {
        t->generation = c->generation;
        uint64_t total = 0;
        for (size_t i = 0; c->buckets != NULL && i <= s->m->series.n_buckets; i++) {
            total += c->buckets[i];
        }
        if (c->ok == 0) {
            forget_family(s, t, 0, at);
        }
        if (c->err == 0) {
            forget_family(s, t, 1, at);
        }
        if (total == 0) {
            forget_family(s, t, 2, at);
        }
    }
    put_up(s, t, 1.0, at);
    if (s->needs.requests) {
        put_status(s, t, &t->ok, &t->live_ok, "200", c->ok, at);
        put_status(s, t, &t->err, &t->live_err, "500", c->err, at);
    }
    if (s->needs.latency) {
        put_histogram(s, t, c, at);
    }
}

/* A scrape at `at` that got no answer (the exporter's container is not running): as Prometheus
 * does after a failed scrape, every series the target's previous scrape returned is marked
 * stale at `at` (scrape.go appends an empty scrape), and the process that answers next starts
 * its families afresh. */
static void fail_scrape(rsim_metrics_scraper *s, scrape_target *t, rsim_time at)
{
    s->stats.failed++;
    put_up(s, t, 0.0, at);
    for (int k = 0; k < 3; k++) {
        forget_family(s, t, k, at);
    }
}

static void on_scrape(rsim_evq *q, void *arg);

static void schedule_scrape(scrape_target *t, rsim_time at)
{
    t->next = at;
    t->token = rsim_evq_schedule(t->owner->q, at, RSIM_PHASE_SCRAPE, on_scrape, t);
}

/* Event: one scrape of one target (its sample timestamp is the scrape's start, as Prometheus
 * stamps it), then the next on the target's grid. */
static void on_scrape(rsim_evq *q, void *arg)
{
    scrape_target *t = arg;
    rsim_metrics_scraper *s = t->owner;
    rsim_time now = rsim_evq_now(q);
    rsim_metrics_counters c;
    memset(&c, 0, sizeof c);
    if (rsim_metrics_scraper_down(s, now)) {
        s->stats.skipped++;
    } else if (!s->needs.requests && !s->needs.latency && !s->needs.up) {
        /* Nothing of it can be selected: the exporter need not be read. */
        s->stats.scrapes++;
        t->last = now;
    } else if (s->src.request != NULL) {
        /* Deferred: the samples are stored when the owner answers (scraper_deliver). */
        s->stats.scrapes++;
        t->last = now;
        s->src.request(s->src.arg, t->id, now);
    } else if (s->src.read(s->src.arg, t->id, now, &c)) {
        s->stats.scrapes++;
        store_scrape(s, t, &c, now);
        t->last = now;
    } else {
        s->stats.scrapes++;
        fail_scrape(s, t, now);
        t->last = now;
    }
    schedule_scrape(t, now + s->m->scrape_interval);
}

void rsim_metrics_scraper_deliver(rsim_metrics_scraper *s,
                                  uint32_t id,
                                  rsim_time at,
                                  const rsim_metrics_counters *c)
{
    RSIM_ASSERT(id < s->targets.n && s->targets.items[id].t != NULL);
    if (c == NULL) {
        fail_scrape(s, s->targets.items[id].t, at);
        return;
    }
    store_scrape(s, s->targets.items[id].t, c, at);
}

/* Event: the end-of-run staleness of a removed target (Prometheus' endOfRunStaleness). The
 * markers carry the time of the scrape that did not happen; they are written later. */
static void on_stale(rsim_evq *q, void *arg)
{
    scrape_target *t = arg;
    rsim_metrics_scraper *s = t->owner;
    (void)q;
    t->stale_token = 0;
    rsim_metrics_series ids[5] = {t->ok, t->err, t->sum, t->count, t->up};
    for (size_t i = 0; i < 5; i++) {
        if (ids[i] != NO_SERIES) {
            mark_stale(s, ids[i], t->stale_at);
        }
    }
    for (size_t i = 0; t->count != NO_SERIES && i <= s->m->series.n_buckets; i++) {
        mark_stale(s, t->buckets[i], t->stale_at);
    }
}

/* The first instant >= from on t's grid offset + k * interval. */
static rsim_time grid_at_or_after(const scrape_target *t, rsim_time interval, rsim_time from)
{
    rsim_time k = from > t->offset ? (from - t->offset + interval - 1) / interval : 0;
    return t->offset + k * interval;
}

/* A removed target comes back (a Service selects its pod again): same series, same grid, the
 * first scrape after its last one. Prometheus' endOfRunStaleness writes the old loop's markers
 * one interval and a tenth after their stamp, and they are dropped as out of order when the
 * recreated target has been scraped by then; they stay when it comes back later. */
static void revive_target(rsim_metrics_scraper *s, scrape_target *t, rsim_time now)
{
    rsim_time interval = s->m->scrape_interval;
    t->removed = false;
    rsim_time first = grid_at_or_after(t, interval, now > t->last ? now : t->last + 1);
    if (t->stale_token != 0 && first <= t->stale_at + interval + interval / 10) {
        rsim_evq_cancel(s->q, t->stale_token);
        t->stale_token = 0;
    }
    schedule_scrape(t, first);
}

void rsim_metrics_scraper_add_target(rsim_metrics_scraper *s,
                                     const rsim_metrics_target *tg,
                                     rsim_time now)
{
    while (s->targets.n <= tg->id) {
        target_slot none = {NULL};
        RSIM_VEC_PUSH(s->targets, none);
    }
    if (s->targets.items[tg->id].t != NULL) {
        RSIM_ASSERT(s->targets.items[tg->id].t->removed);
        revive_target(s, s->targets.items[tg->id].t, now);
        return;
    }
    scrape_target *t = rsim_xcalloc(1, sizeof *t);
    t->owner = s;
    t->id = tg->id;
    snprintf(t->pod, sizeof t->pod, "%s", tg->pod ? tg->pod : "");
    snprintf(t->hash, sizeof t->hash, "%s", tg->hash ? tg->hash : "");
    snprintf(t->ns, sizeof t->ns, "%s", tg->namespace_ ? tg->namespace_ : "");
    snprintf(t->svc, sizeof t->svc, "%s", tg->service ? tg->service : "");
    snprintf(t->workload, sizeof t->workload, "%s", tg->workload ? tg->workload : "");
    snprintf(t->dest_ns, sizeof t->dest_ns, "%s",
             tg->destination_namespace ? tg->destination_namespace : t->ns);
    if (t->svc[0]) {
        snprintf(t->svc_fqdn, sizeof t->svc_fqdn, "%s.%s.svc.cluster.local", t->svc,
                 t->dest_ns[0] ? t->dest_ns : "default");
    }
    RSIM_ASSERT(tg->n_overrides <= sizeof t->over_name / sizeof t->over_name[0]);
    for (size_t i = 0; i < tg->n_overrides; i++) {
        snprintf(t->over_name[i], sizeof t->over_name[i], "%s", tg->overrides[i].name);
        snprintf(t->over_value[i], sizeof t->over_value[i], "%s", tg->overrides[i].value);
    }
    t->n_over = tg->n_overrides;
    t->ok = t->err = t->sum = t->count = t->up = NO_SERIES;
    t->buckets = rsim_xcalloc(s->m->series.n_buckets + 1, sizeof *t->buckets);
    t->last = -1;
    rsim_time interval = s->m->scrape_interval;
    if (!s->m->scrape_aligned && interval > 1) {
        /* Prometheus spreads targets by a hash of their labels; a stream per target (per pod,
         * or per pod and Service) gives the same uniform spread and keeps every other stream
         * untouched. */
        char name[160];
        if (t->svc[0]) {
            snprintf(name, sizeof name, "metrics/scrape-offset/%s/%s", t->pod, t->svc);
        } else {
            snprintf(name, sizeof name, "metrics/scrape-offset/%s", t->pod);
        }
        rsim_rng *r = rsim_rng_new(s->seed, s->replication, name);
        t->offset = (rsim_time)rsim_rng_uniform_int(r, (uint64_t)interval);
        rsim_rng_free(r);
    }
    s->targets.items[tg->id].t = t;
    schedule_scrape(t, grid_at_or_after(t, interval, now));
}

void rsim_metrics_scraper_remove_target(rsim_metrics_scraper *s, uint32_t id, rsim_time now)
{
    (void)now;
    if (id >= s->targets.n || s->targets.items[id].t == NULL || s->targets.items[id].t->removed) {
        return;
    }
    scrape_target *t = s->targets.items[id].t;
    t->removed = true;
    rsim_evq_cancel(s->q, t->token);
    t->token = 0;
    if (t->last < 0 || t->stale_token != 0) {
        /* Never scraped: nothing to mark. Or revived and removed again before its first
         * scrape: the markers of the earlier removal are still to be written. */
        return;
    }
    /* Staleness is stamped at the next scrape time and written after one more interval and a
     * tenth (scrape.go endOfRunStaleness): queries before then still see the last sample. */
    rsim_time interval = s->m->scrape_interval;
    t->stale_at = t->next;
    t->stale_token =
        rsim_evq_schedule(s->q, t->next + interval + interval / 10, RSIM_PHASE_SCRAPE, on_stale, t);
}

/* ---- recording rules ---- */

/* Writes one sample of a rule's output: the sample's labels with __name__ set to the record. */
static void rule_put(rsim_metrics_scraper *s,
                     rule_state *rs,
                     const char *record,
                     const rsim_metrics_label *labels,
                     size_t n,
                     double v,
                     rsim_time now)
{
    rsim_metrics_label *ls = rsim_xcalloc(n + 1, sizeof *ls);
    size_t k = 0;
    ls[k++] = (rsim_metrics_label){"__name__", record};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(labels[i].name, "__name__") != 0) {
            ls[k++] = labels[i];
        }
    }
    rsim_metrics_series id = NO_SERIES;
    if (rsim_metrics_series_add(s->store, ls, k, &id) == RSIM_OK) {
        put(s, id, now, v);
        RSIM_VEC_PUSH(rs->now, id);
    }
    free(ls);
}

static bool contains(const rsim_metrics_series *ids, size_t n, rsim_metrics_series id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static void eval_rule(rsim_metrics_scraper *s, size_t i, rsim_time now)
{
    rule_state *rs = &s->rules[i];
    const char *record = s->m->recording_rules[i].name;
    if (!rs->query) {
        return;
    }
    s->stats.rule_evals++;
    rsim_metrics_result *r = &s->result;
    if (rsim_metrics_query_eval(s->store, rs->query, now, &s->opts, r) != RSIM_OK ||
        r->kind == RSIM_METRICS_ERROR) {
        s->stats.rule_errors++;
        return;
    }
    rs->now.n = 0;
    if (r->kind == RSIM_METRICS_SCALAR) {
        rule_put(s, rs, record, NULL, 0, r->scalar, now);
    } else {
        for (size_t k = 0; k < r->n_samples; k++) {
            rule_put(s, rs, record, r->samples[k].labels, r->samples[k].n_labels,
                     r->samples[k].value, now);
        }
    }
    /* A series the rule produced last time and not now goes stale (rules/group.go). */
    for (size_t k = 0; k < rs->last.n; k++) {
        if (!contains(rs->now.items, rs->now.n, rs->last.items[k])) {
            mark_stale(s, rs->last.items[k], now);
        }
    }
    rs->last.n = 0;
    for (size_t k = 0; k < rs->now.n; k++) {
        RSIM_VEC_PUSH(rs->last, rs->now.items[k]);
    }
}

/* Event: one evaluation of the rule group; rules run in order, so a rule sees the output of
 * the rules before it at the same instant. */
static void on_rules(rsim_evq *q, void *arg)
{
    rsim_metrics_scraper *s = arg;
    rsim_time now = rsim_evq_now(q);
    if (!rsim_metrics_scraper_down(s, now)) {
        if (s->src.sync != NULL) {
            s->src.sync(s->src.arg, now); /* every scrape at or before now is stored */
        }
        for (size_t i = 0; i < s->m->n_recording_rules; i++) {
            eval_rule(s, i, now);
        }
    }
    rsim_evq_schedule(q, now + s->m->evaluation_interval, RSIM_PHASE_RULES, on_rules, s);
}

rsim_metrics_scraper *rsim_metrics_scraper_new(rsim_metrics_store *store,
                                               const rsim_spec_metrics *m,
                                               rsim_evq *q,
                                               uint64_t seed,
                                               uint64_t replication,
                                               const rsim_metrics_source *src)
{
    RSIM_ASSERT(m->scrape_interval > 0 && m->evaluation_interval > 0);
    rsim_metrics_scraper *s = rsim_xcalloc(1, sizeof *s);
    s->store = store;
    s->m = m;
    s->q = q;
    s->seed = seed;
    s->replication = replication;
    s->src = *src;
    s->opts.lookback_ms = m->lookback_delta;
    s->opts.prom_major = m->prometheus_major;
    s->needs.requests = true;
    s->needs.latency = true;
    s->needs.up = true;
    s->n_names = rsim_spec_series_names(&m->series, s->names);
    rsim_metrics_result_init(&s->result);
    s->le = rsim_xcalloc(m->series.n_buckets + 1, sizeof *s->le);
    for (size_t i = 0; i < m->series.n_buckets; i++) {
        format_le(m->series.buckets[i], s->le[i]);
    }
    snprintf(s->le[m->series.n_buckets], sizeof s->le[0], "+Inf");
    s->rules = rsim_xcalloc(m->n_recording_rules + 1, sizeof *s->rules);
    rsim_diag *quiet = rsim_diag_new(0);
    for (size_t i = 0; i < m->n_recording_rules; i++) {
        if (rsim_promql_parse(m->recording_rules[i].expr, m->recording_rules[i].expr_loc, quiet,
                              &s->rules[i].query) != RSIM_OK) {
            s->stats.bad_rules++;
        }
    }
    rsim_diag_free(quiet);
    if (m->n_recording_rules > 0) {
        rsim_evq_schedule(q, m->evaluation_interval, RSIM_PHASE_RULES, on_rules, s);
    }
    return s;
}

void rsim_metrics_scraper_free(rsim_metrics_scraper *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->targets.n; i++) {
        if (s->targets.items[i].t) {
            free(s->targets.items[i].t->buckets);
            free(s->targets.items[i].t);
        }
    }
    free(s->targets.items);
    for (size_t i = 0; i < s->m->n_recording_rules; i++) {
        rsim_promql_free(s->rules[i].query);
        free(s->rules[i].last.items);
        free(s->rules[i].now.items);
    }
    free(s->rules);
    free(s->le);
    rsim_metrics_result_fini(&s->result);
    free(s);
}

/* A selector and the target it is tried on (rsim_metrics_scraper_may_select). */
typedef struct select_ctx {
    const rsim_metrics_scraper *s;
    rsim_metrics_label labels[MAX_LABELS];
    size_t n_labels; /* labels[0] is the name, left out */
} select_ctx;

/* Whether a __name__ matcher holds for some name the target exports. */
static bool name_may_match(const rsim_metrics_scraper *s, const rsim_promql_matcher *m)
{
    for (size_t i = 0; i < s->n_names; i++) {
        if (rsim_promql_matcher_is_match(m, s->names[i])) {
            return true;
        }
    }
    return false;
}

/* Visitor: whether the selector may select a series of the target. Each matcher is tried on
 * the target's labels; the status label and le, which differ among its series, hold anyway. */
static bool selector_may_select(void *arg, const rsim_promql_node *n)
{
    const select_ctx *c = arg;
    const rsim_spec_series *ser = &c->s->m->series;
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *m = &n->u.sel.matchers[i];
        if (strcmp(m->name, "__name__") == 0) {
            if (!name_may_match(c->s, m)) {
                return false;
            }
            continue;
        }
        if ((ser->status_label && strcmp(m->name, ser->status_label) == 0) ||
            strcmp(m->name, "le") == 0) {
            continue;
        }
        const char *v = "";
        for (size_t k = 1; k < c->n_labels; k++) {
            if (strcmp(c->labels[k].name, m->name) == 0) {
                v = c->labels[k].value;
                break;
            }
        }
        if (!rsim_promql_matcher_is_match(m, v)) {
            return false;
        }
    }
    return true;
}

bool rsim_metrics_scraper_may_select(const rsim_metrics_scraper *s,
                                     uint32_t id,
                                     const rsim_promql *query)
{
    if (query == NULL) {
        return true;
    }
    if (id >= s->targets.n || s->targets.items[id].t == NULL) {
        return false;
    }
    select_ctx c;
    c.s = s;
    c.n_labels = target_labels(s, s->targets.items[id].t, "", NULL, NULL, c.labels);
    return rsim_promql_any_selector(rsim_promql_root(query), selector_may_select, &c);
}

void rsim_metrics_scraper_set_needs(rsim_metrics_scraper *s, const rsim_metrics_needs *needs)
{
    s->needs = *needs;
}

rsim_time rsim_metrics_scraper_offset(const rsim_metrics_scraper *s, uint32_t id)
{
    if (id >= s->targets.n || s->targets.items[id].t == NULL) {
        return -1;
    }
    return s->targets.items[id].t->offset;
}

rsim_metrics_scrape_stats rsim_metrics_scraper_stats(const rsim_metrics_scraper *s)
{
    return s->stats;
}
