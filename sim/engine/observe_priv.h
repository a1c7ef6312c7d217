/* observe_priv.h - what observe.c (AnalysisRuns and their providers) and prometheus.c (the
 * Prometheus model over the world's pods) share: the observer's layout and the Prometheus side's
 * entry points. Private to sim/engine. */
#ifndef RSIM_OBSERVE_PRIV_H
#define RSIM_OBSERVE_PRIV_H

#include "engine_int.h"
#include "rng.h"

/* A Job in flight: when it completes and how its smoke requests fare then. */
typedef struct obs_job {
    const rsim_analysis_run *run;
    size_t metric;
    rsim_time done_at; /* ms */
    bool deadline_hit; /* activeDeadlineSeconds ran out first: the Job fails */
    bool active;
} obs_job;

/* One AnalysisRun, started by the timeline or created by the controller. */
struct rsim_observe_run {
    struct rsim_observe *owner;
    const rsim_spec_action *action; /* startAnalysis/stopAnalysis target (borrowed), or NULL */
    char *name;                     /* the AnalysisRun's name; owned */
    rsim_loc loc;                   /* the action or the Rollout's analysis block */
    rsim_analysis_run *run;         /* owned; NULL when it could not be created */
    rsim_evq_token token;           /* pending reconcile, 0 when none */
    rsim_analysis_phase logged;     /* phase last logged (what the status shows) */
    bool logged_any;
    char message[RSIM_ANALYSIS_MSGMAX]; /* the run's message when its phase was last logged */
    size_t *n_logged;                   /* measurements logged, per metric; owned */
    rsim_rng *rng; /* "analysis/<name>": web and job draws; owned, NULL without a run */
    rsim_engine_observe_phase_fn on_phase; /* called when the logged phase changes, or NULL */
    void *on_phase_arg;
};
typedef struct rsim_observe_run obs_run;

/* A slot of the run list (a struct, so that the vector's sizeof is of an object). */
typedef struct run_slot {
    obs_run *r; /* owned */
} run_slot;

#define NO_TARGET UINT32_MAX

/* The target number of a (Service, pod) pair, by pod id (NO_TARGET: never a target). */
typedef struct pod_target {
    uint32_t id;
} pod_target;

/* A Service a ServiceMonitor matches (targets: services). Its selector is the manifest's
 * spec.selector plus, once the controller has set one, the rollouts-pod-template-hash. */
typedef struct obs_service {
    const rsim_spec_service *spec; /* borrowed */
    char hash[64];                 /* the hash the controller set, "" when none */
    RSIM_VEC(pod_target) target;   /* by pod id */
} obs_service;

/* A (Service, pod) scrape target: its number is its index in the list. */
typedef struct obs_target {
    uint32_t pod;
    uint32_t service; /* index into services */
    bool active;      /* scraped now (added and not removed since) */
} obs_target;

/* A gateway target: Istio's ingress gateway, reporting the requests the router sent to one
 * Service (reporter="source"), from the traffic model's sides. */
typedef struct obs_gateway {
    const char *service; /* borrowed: the Service's name */
    bool stable, canary; /* the router's sides whose requests go to that Service */
} obs_gateway;

/* A pod's cumulative counters when its last container ended (a crash): its exporter's counters
 * are the pod's since then, as a new process starts from zero. */
typedef struct obs_baseline {
    bool set;
    uint64_t ok, err;
    double sum;
    uint64_t *b; /* owned: n_buckets + 1 */
} obs_baseline;

struct rsim_observe {
    rsim_engine *e;
    rsim_metrics_store *store;     /* owned */
    rsim_metrics_scraper *scraper; /* owned */
    RSIM_VEC(run_slot) runs;       /* in start order */
    RSIM_VEC(obs_job) jobs;
    RSIM_VEC(bool) is_target; /* per pod id: its container runs (it exports) */
    bool by_service;          /* targets: services */
    bool in_app;              /* the exporter is the app's own process (series preset app): it
                                 dies with a crash and a new container counts from zero */
    RSIM_VEC(obs_service) services;
    RSIM_VEC(obs_target) targets; /* by target number (targets: services) */
    RSIM_VEC(obs_baseline) base;  /* per pod id: its counters when its last container ended */
    obs_gateway gateways[2];      /* target ids 0 .. n_gateways - 1 */
    uint32_t n_gateways;          /* the other targets' ids come after: pod id + n_gateways, or
                                     a (Service, pod) pair's number */
    uint64_t *scratch_b;          /* owned: n_buckets + 1, a pod's buckets minus its baseline */
    rsim_metrics_query_opts opts;
    rsim_analysis_provider provider;
    RSIM_VEC(size_t) col_run;    /* column -> run index */
    RSIM_VEC(size_t) col_metric; /* column -> metric index */
};

/* ---- prometheus.c ---- */

/* Builds the Prometheus model into o: the store, the scraper with the traffic model as its
 * source, the Services of a ServiceMonitor, what the run's queries need exported. */
void rsim_observe_prom_init(struct rsim_observe *o);
/* Makes the pods running now targets and watches the cluster for the rest (call once the
 * observer is in place: a pod change may start scrapes). */
void rsim_observe_prom_watch(struct rsim_observe *o);
/* Frees what rsim_observe_prom_init built. */
void rsim_observe_prom_fini(struct rsim_observe *o);
/* Settles traffic up to now, so that every scrape at or before now is stored. Call before any
 * query of the store. */
void rsim_observe_prom_sync(struct rsim_observe *o, rsim_time now, const rsim_promql *query);

#endif
