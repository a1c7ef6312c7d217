/* spec_world.h - the typed Scenario document (kind: Scenario, apiVersion rollsim/v1alpha1): the
 * world around the Rollout. Part of spec.h; docs/scenario-format.md documents every field.
 * Every default is already applied and every cross-field rule checked: the modules above never
 * go back to the YAML. Times are ms (rsim_time), rates requests/s, ratios 0..1. Every string
 * and array is owned by the scenario's arena. Start at rsim_spec_world at the bottom. */
#ifndef RSIM_SPEC_WORLD_H
#define RSIM_SPEC_WORLD_H

#include <rsim/common.h>

#include "spec_rollout.h" /* rsim_spec_template_ref, rsim_spec_rollout_arg */

/* ---- shared pieces ---- */

/* A distribution of a duration (pod start-up, latency, job run time). */
typedef enum rsim_dist_kind {
    RSIM_DIST_FIXED,     /* always `value` */
    RSIM_DIST_UNIFORM,   /* uniform over [min, max] */
    RSIM_DIST_LOGNORMAL, /* exp(N(ln median, sigma^2)) */
    RSIM_DIST_EMPIRICAL, /* one of `samples`, each equally likely */
} rsim_dist_kind;

typedef struct rsim_spec_dist {
    rsim_dist_kind kind;
    rsim_time value;  /* fixed, ms */
    rsim_time min;    /* uniform lower bound, ms */
    rsim_time max;    /* uniform upper bound, ms; min <= max */
    rsim_time median; /* lognormal median, ms (> 0) */
    double sigma;     /* lognormal shape (sd of ln), derived from the quantile given; > 0 */
    size_t n_samples;
    const rsim_time *samples; /* empirical, ms, ascending */
    rsim_loc loc;             /* the distribution in the file; line 0 = a built-in default */
} rsim_spec_dist;

/* A string label pair (extra series labels). */
typedef struct rsim_spec_world_label {
    const char *name;
    const char *value;
    bool preset; /* set by the series preset, not written in the scenario */
} rsim_spec_world_label;

/* ---- cluster (spec.cluster) ---- */

typedef struct rsim_spec_world_probe {
    rsim_time initial_delay;   /* initialDelaySeconds, ms */
    rsim_time period;          /* periodSeconds, ms (> 0) */
    rsim_time timeout;         /* timeoutSeconds, ms (> 0) */
    int64_t success_threshold; /* >= 1 */
    int64_t failure_threshold; /* >= 1 */
    bool aligned;              /* phase: aligned (true) or random (false, default) */
} rsim_spec_world_probe;

typedef struct rsim_spec_backoff {
    rsim_time initial;     /* wait before the 2nd restart, ms */
    double factor;         /* growth per restart (>= 1) */
    rsim_time max;         /* cap, ms (>= initial) */
    rsim_time reset_after; /* running this long without a crash resets the back-off, ms */
} rsim_spec_backoff;

typedef struct rsim_spec_cluster {
    rsim_time hop_delay;     /* controlPlane.hopDelay: per API write hop, ms */
    bool slow_start_batches; /* controlPlane.replicaSetSlowStart: create pods 1, 2, 4, ... */
    rsim_spec_dist start_containers; /* podStartup.startContainers */
    rsim_spec_dist image_pull;       /* podStartup.imagePull: images not yet on the nodes */
    rsim_spec_dist app_init;         /* podStartup.appInit (a version may override it) */
    rsim_spec_world_probe readiness; /* readinessProbe, for containers that declare none */
    rsim_spec_backoff crash_backoff; /* crashLoopBackOff */
    rsim_time endpoint_propagation;  /* endpointPropagation, ms */
    int64_t pod_slots;               /* podSlots: pods the cluster can run; 0 = unlimited */
} rsim_spec_cluster;

/* ---- traffic (spec.traffic) ---- */

typedef enum rsim_load_kind {
    RSIM_LOAD_CONSTANT, /* rps */
    RSIM_LOAD_STEPS,    /* points: the rate changes to rps at each `at` (0 before the first) */
    RSIM_LOAD_DIURNAL,  /* rps * (1 + amplitude * cos(2 pi (t - peak_at) / period)) */
    RSIM_LOAD_SPIKES,   /* rps, times `factor` during each spike [at, at + duration) */
    RSIM_LOAD_TABLE,    /* points, linear between them (or held when !interpolate) */
} rsim_load_kind;

typedef struct rsim_spec_load_point {
    rsim_time at;       /* ms from the start of the run, strictly increasing */
    double rps;         /* steps, table: the rate from `at` */
    rsim_time duration; /* spikes: length, ms */
    double factor;      /* spikes: multiplier of the base rate (> 0) */
    rsim_loc loc;
} rsim_spec_load_point;

typedef struct rsim_spec_load {
    rsim_load_kind kind;
    double rps;        /* constant rate; spikes base rate; diurnal mean rate */
    double amplitude;  /* diurnal, 0..1 */
    rsim_time period;  /* diurnal, ms (> 0) */
    rsim_time peak_at; /* diurnal: time of the daily peak from the start of the run, ms */
    bool interpolate;  /* table: linear (true, default) or step */
    bool poisson;      /* arrivals: poisson (true, default) or uniform (exact rate) */
    size_t n_points;
    const rsim_spec_load_point *points; /* steps, spikes, table */
    rsim_loc loc;
} rsim_spec_load;

typedef struct rsim_spec_cohort {
    const char *name;
    double share;             /* of the user population, 0..1; shares sum to <= 1 */
    const char *header_name;  /* header the cohort's requests carry, or NULL */
    const char *header_value; /* its value (NULL with header_name NULL) */
    const char *cookie_name;  /* cookie the cohort's requests carry, or NULL */
    const char *cookie_value;
    rsim_loc loc;
} rsim_spec_cohort;

/* Weight or selector change -> all traffic follows, per traffic router (ms). The router comes
 * from the Rollout's trafficRouting (Service when there is none). */
typedef struct rsim_spec_router {
    rsim_time service; /* plain Service (basic canary, blue-green selector switch) */
    rsim_time istio;
    rsim_time nginx;
    rsim_time alb;
    rsim_time smi;
    rsim_time gateway_api; /* Gateway API plugin */
    rsim_time other;       /* ambassador, appMesh, traefik, apisix, other plugins */
    rsim_time alb_verify_retry;
} rsim_spec_router;

typedef struct rsim_spec_traffic {
    rsim_spec_load load;
    int64_t users; /* users.population (>= 1) */
    size_t n_cohorts;
    const rsim_spec_cohort *cohorts;
    rsim_spec_router router;
} rsim_spec_traffic;

/* ---- versions (spec.versions, spec.versionDefaults) ---- */

typedef enum rsim_fault_kind {
    RSIM_FAULT_ERROR_STEP, /* error ratio jumps to error_ratio */
    RSIM_FAULT_ERROR_RAMP, /* error ratio rises linearly from the base to error_ratio over `over` */
    RSIM_FAULT_ERROR_BURSTS,  /* error_ratio for `burst` out of every `every` */
    RSIM_FAULT_LATENCY,       /* latency times latency_factor, plus latency_add */
    RSIM_FAULT_CRASH_LOOP,    /* containers exit after running crash_after; back-off restarts */
    RSIM_FAULT_NO_TRAFFIC,    /* the version's pods receive no requests (their series stay empty) */
    RSIM_FAULT_COHORT_ERRORS, /* error_ratio for requests of one cohort only */
    RSIM_FAULT_SLOW_START,    /* each new pod serves at capacity start_capacity, rising to full
                                 over warmup */
} rsim_fault_kind;

#define RSIM_FAULT_KIND_COUNT 8
/* The YAML key of a fault kind ("errorStep", ...). */
const char *rsim_spec_fault_name(rsim_fault_kind k);

typedef enum rsim_onset_kind {
    RSIM_ONSET_AT,                  /* `at` ms from the start of the run */
    RSIM_ONSET_AFTER_FIRST_TRAFFIC, /* `at` ms after the version first serves a request */
} rsim_onset_kind;

typedef struct rsim_spec_fault {
    const char *name; /* unique among all faults; default "<image>#<index>" */
    rsim_fault_kind kind;
    rsim_onset_kind onset_kind;
    rsim_time onset;    /* ms (see onset_kind); always < the run's duration */
    rsim_time duration; /* how long the fault lasts once active, ms; RSIM_TIME_MAX = to the end */
    double error_ratio; /* ERROR_STEP/RAMP/BURSTS/COHORT_ERRORS: ratio while active, 0..1 */
    rsim_time over;     /* ERROR_RAMP: ramp length, ms (> 0) */
    rsim_time every;    /* ERROR_BURSTS: period, ms (> burst) */
    rsim_time burst;    /* ERROR_BURSTS: burst length, ms (> 0) */
    double latency_factor; /* LATENCY: multiplier (>= 0; default 1 when only add is set) */
    rsim_time latency_add; /* LATENCY: added to every request, ms */
    rsim_time crash_after; /* CRASH_LOOP: container run time before it exits, ms (0: at once) */
    const char *cohort;    /* COHORT_ERRORS: the cohort's name (resolved: cohort_index) */
    size_t cohort_index;   /* COHORT_ERRORS: index into traffic.cohorts */
    rsim_time warmup;      /* SLOW_START: ms (> 0) */
    double start_capacity; /* SLOW_START: share of capacity at pod start, 0..1 */
    rsim_loc loc;
} rsim_spec_fault;

/* Per-pod capacity, an M/M/c/K queue: c = workers, service time S, K = c + queue. */
typedef struct rsim_spec_capacity {
    int64_t workers;        /* c (>= 1) */
    rsim_time service_time; /* mean unloaded service time S, ms (> 0) */
    int64_t queue;          /* waiting room beyond the workers (>= 0); overflow answers 503 */
    double capacity_rps;    /* derived: workers / S */
} rsim_spec_capacity;

typedef struct rsim_spec_version {
    const char *image;       /* exact image string as in the pod template */
    const char *description; /* or NULL */
    double error_ratio;      /* base error ratio, 0..1 */
    rsim_spec_dist latency;  /* unloaded request latency */
    rsim_spec_capacity capacity;
    bool cached;             /* image already on every node (no pull) */
    rsim_spec_dist app_init; /* from the version, or cluster.podStartup.appInit */
    size_t n_faults;
    const rsim_spec_fault *faults;
    rsim_loc loc;
} rsim_spec_version;

/* ---- metrics (spec.metrics) ---- */

typedef enum rsim_series_preset {
    RSIM_SERIES_APP,   /* an application's own exporter (Prometheus client conventions) */
    RSIM_SERIES_ISTIO, /* Istio standard metrics */
    RSIM_SERIES_NGINX, /* ingress-nginx controller metrics */
} rsim_series_preset;

typedef struct rsim_spec_series {
    rsim_series_preset preset;
    const char *requests; /* counter of requests */
    const char *latency;  /* histogram base name (_bucket, _sum, _count) */
    bool latency_ms;      /* histogram unit: milliseconds (true) or seconds */
    size_t n_buckets;
    const double *buckets;       /* histogram upper bounds, in the histogram's unit, ascending */
    const char *status_label;    /* label carrying the HTTP status code */
    const char *hash_label;      /* label carrying the pod-template hash, or NULL for none */
    const char *pod_label;       /* label carrying the pod name, or NULL */
    const char *namespace_label; /* or NULL */
    const char *service_label;   /* label carrying the Service name (targets: services), or NULL */
    const char *service_fqdn_label; /* label carrying the Service's host name
                                       (<service>.<namespace>.svc.cluster.local, targets:
                                       services), or NULL */
    const char *workload_label;     /* label carrying the workload (the Rollout's name), or NULL */
    const char *workload_namespace_label; /* label carrying the workload's namespace, or NULL */
    size_t n_labels;
    const rsim_spec_world_label *labels; /* constant labels on every series */
} rsim_spec_series;

typedef struct rsim_spec_prom_rule {
    const char *name;          /* recording rule: `record`; alert: `alert` */
    const char *expr;          /* PromQL (parsed later by the metrics module) */
    rsim_loc expr_loc;         /* position of expr, for query errors */
    rsim_time for_;            /* alert: pending time before firing, ms */
    rsim_time keep_firing_for; /* alert, ms */
    rsim_loc loc;
} rsim_spec_prom_rule;

typedef struct rsim_spec_outage {
    rsim_time at;       /* ms; < duration of the run */
    rsim_time duration; /* ms (> 0) */
    rsim_loc loc;
} rsim_spec_outage;

/* What a scrape target is: a pod (as a PodMonitor gives) or a (Service, pod) pair (as a
 * ServiceMonitor gives: one target per endpoint of each Service it matches). */
typedef enum rsim_scrape_targets {
    RSIM_SCRAPE_TARGETS_PODS,
    RSIM_SCRAPE_TARGETS_SERVICES,
} rsim_scrape_targets;

/* A Service name in spec.metrics.scrapeServices. */
typedef struct rsim_spec_scrape_service {
    const char *name;
    rsim_loc loc; /* of the name */
} rsim_spec_scrape_service;

typedef struct rsim_spec_metrics {
    rsim_time scrape_interval;     /* ms (> 0) */
    rsim_time scrape_timeout;      /* ms (<= scrape_interval) */
    rsim_time evaluation_interval; /* ms (> 0) */
    bool scrape_aligned;           /* scrapeOffset: aligned (true) or random per target */
    rsim_time lookback_delta;      /* ms */
    int prometheus_major;          /* 2: closed range [t-d, t]; 3: left-open (t-d, t] */
    rsim_time query_latency;       /* time an instant query takes, ms */
    rsim_spec_series series;
    rsim_scrape_targets targets;
    rsim_loc targets_loc;     /* of the targets value; the metrics block when defaulted */
    bool scrape_services_set; /* scrapeServices given; otherwise every Service selecting the
                                 Rollout's pods is matched */
    size_t n_scrape_services;
    const rsim_spec_scrape_service *scrape_services;
    size_t n_recording_rules;
    const rsim_spec_prom_rule *recording_rules; /* evaluated in order every evaluation_interval */
    size_t n_alert_rules;
    const rsim_spec_prom_rule *alert_rules;
    rsim_loc alert_rules_loc;     /* of the alertRules key */
    rsim_time alert_resend_delay; /* ms */
    rsim_time group_wait;         /* Alertmanager, ms */
    rsim_time group_interval;     /* ms */
    rsim_time repeat_interval;    /* ms */
    size_t n_outages;
    const rsim_spec_outage *outages; /* sorted by at, non-overlapping */
} rsim_spec_metrics;

/* ---- analysis providers' world side (spec.analysis) ---- */

typedef enum rsim_web_target {
    RSIM_WEB_TARGET_CANARY, /* the newest revision (canary / preview) */
    RSIM_WEB_TARGET_STABLE, /* the stable revision (stable / active) */
} rsim_web_target;

typedef struct rsim_spec_web_endpoint {
    const char *url; /* matched against the web metric's url after argument substitution */
    rsim_web_target target;
    rsim_spec_dist latency;
    rsim_loc loc;
} rsim_spec_web_endpoint;

typedef struct rsim_spec_analysis_world {
    size_t n_web;
    const rsim_spec_web_endpoint *web;
    rsim_spec_dist job_run_time; /* job provider: Job start to completion */
    int64_t job_requests;        /* smoke requests a Job sends to the target revision */
} rsim_spec_analysis_world;

/* ---- controller, on-call human, SLO, feature flags ---- */

typedef struct rsim_spec_controller {
    bool enabled;               /* the reconciler drives the Rollout (default true) */
    rsim_time processing_delay; /* watched change -> reconcile runs, ms */
    rsim_time resync_period;    /* periodic full resync, ms */
} rsim_spec_controller;

typedef struct rsim_spec_on_call {
    bool enabled;            /* spec.onCall present */
    rsim_time reaction_time; /* alert delivered -> the human aborts, ms */
    size_t n_alerts;
    const char *const *alerts; /* alert names they act on; none = any alert */
    rsim_loc loc;              /* of the spec.onCall key */
} rsim_spec_on_call;

typedef struct rsim_spec_slo {
    double objective;               /* target success ratio, 0..1 exclusive */
    rsim_time window;               /* error budget window, ms */
    rsim_time latency_threshold;    /* a request slower than this counts as bad; 0 = none */
    rsim_loc latency_threshold_loc; /* of slo.latencyThreshold (line 0 when absent) */
} rsim_spec_slo;

typedef struct rsim_spec_flags {
    bool poll;          /* delivery: poll (true) or push */
    rsim_time delay;    /* push: delay to every pod, ms */
    rsim_time interval; /* poll: interval, ms (> 0) */
    bool aligned;       /* poll: all pods poll at the same phase (true) or each its own */
    bool set;           /* spec.featureFlags was written */
    rsim_loc loc;       /* of the spec.featureFlags key */
} rsim_spec_flags;

/* ---- operator timeline (spec.operator) ---- */

/* One operator action kind; the YAML key of each is given by rsim_spec_op_name. */
typedef enum rsim_op_kind {
    RSIM_OP_SET_IMAGE,    /* setImage: apply a new image to the Rollout's pod template */
    RSIM_OP_PROMOTE,      /* promote: leave the current pause (or skip steps), §14.3 */
    RSIM_OP_PROMOTE_FULL, /* promoteFull: promote --full, §14.4 */
    RSIM_OP_ABORT,        /* abort, §14.1 */
    RSIM_OP_RETRY,        /* retry an aborted rollout, §14.2 */
    RSIM_OP_PAUSE,        /* pause: spec.paused = true, §11.5 */
    RSIM_OP_RESUME,       /* resume: spec.paused = false */
    RSIM_OP_RESTART,      /* restart: set spec.restartAt, §14.6 */
    RSIM_OP_UNDO,         /* undo: roll the template back to an earlier revision, §14.5 */
    /* Manual world actions, standing in for a controller (a scenario without one drives the
     * world by hand): */
    RSIM_OP_SCALE,      /* scale: set the ReplicaSet of an image to a number of pods */
    RSIM_OP_SET_WEIGHT, /* setWeight: send a percentage of traffic to the ReplicaSet of an image
                           through the traffic router (the rest to the Rollout's first image) */
    /* Observation actions, standing in for the analysis a controller would start: */
    RSIM_OP_START_ANALYSIS, /* startAnalysis: create an AnalysisRun from templates and args */
    RSIM_OP_STOP_ANALYSIS,  /* stopAnalysis: terminate a running AnalysisRun (§4.12) */
} rsim_op_kind;

#define RSIM_OP_COUNT 13

/* The YAML name of an action kind ("setImage", "promote", ...); "?" for an unknown value. */
const char *rsim_spec_op_name(rsim_op_kind k);

typedef struct rsim_spec_action {
    rsim_time at; /* ms from the start of the run */
    rsim_op_kind kind;
    const char *image;      /* setImage: the new image */
    const char *container;  /* setImage: container name, NULL = the first container */
    bool skip_current_step; /* promote --skip-current-step */
    bool skip_all_steps;    /* promote --skip-all-steps */
    int64_t to_revision;    /* undo --to-revision; 0 = the previous revision */
    int64_t replicas;       /* scale: the ReplicaSet's new size (>= 0) */
    int64_t weight;         /* setWeight: percentage of traffic, 0..100 */
    const char *name;       /* optional name, for expectations' `after`; or NULL */
    rsim_loc loc;           /* the action in the file */
    size_t index;           /* position in spec.operator as written (before sorting) */
    rsim_loc image_loc;     /* setImage, scale, setWeight: of the image value */
    rsim_loc container_loc; /* setImage: of the container value (line 0 when absent) */
    /* startAnalysis, stopAnalysis: */
    const char *analysis; /* the AnalysisRun's name (unique among startAnalysis actions) */
    rsim_loc analysis_loc;
    size_t n_templates; /* startAnalysis: at least one */
    const rsim_spec_template_ref *templates;
    size_t n_args; /* startAnalysis: arguments, as a Rollout passes them */
    const rsim_spec_rollout_arg *args;
} rsim_spec_action;

/* ---- expectations (spec.expectations) ---- */

typedef enum rsim_expect_kind {
    RSIM_EXPECT_PHASE,                /* the Rollout's phase at the end of the run */
    RSIM_EXPECT_ABORTED_WITHIN,       /* aborted within `within` after the reference action */
    RSIM_EXPECT_PROMOTED_WITHIN,      /* fully promoted within `within` after the reference */
    RSIM_EXPECT_DETECTED_WITHIN,      /* detection time (exposure -> verdict) below `within` */
    RSIM_EXPECT_FAULT_FAILURES_BELOW, /* fault-caused failed requests < `below` */
} rsim_expect_kind;

typedef enum rsim_phase_name {
    RSIM_PHASE_NAME_HEALTHY,
    RSIM_PHASE_NAME_PROGRESSING,
    RSIM_PHASE_NAME_PAUSED,
    RSIM_PHASE_NAME_DEGRADED,
} rsim_phase_name;

/* The Argo spelling of a phase ("Healthy", ...). */
const char *rsim_spec_phase_name(rsim_phase_name p);

#define RSIM_SPEC_NONE ((size_t)-1) /* "no index" in resolved references */

typedef struct rsim_spec_expectation {
    rsim_expect_kind kind;
    const char *name;      /* for reports; default the YAML key and value ("abortedWithin 5m") */
    rsim_phase_name phase; /* PHASE */
    rsim_time within;      /* *_WITHIN, ms (> 0) */
    int64_t below;         /* FAULT_FAILURES_BELOW (>= 1) */
    const char *after;     /* ABORTED/PROMOTED: action name, or NULL = the first setImage */
    size_t after_action;   /* resolved index into actions; RSIM_SPEC_NONE when none exists */
    const char *fault;     /* DETECTED/FAULT_FAILURES: fault name, or NULL = any fault */
    size_t fault_version;  /* resolved: index into versions, or RSIM_SPEC_NONE */
    size_t fault_index;    /* resolved: index into that version's faults, or RSIM_SPEC_NONE */
    rsim_loc loc;
} rsim_spec_expectation;

/* ---- the document ---- */

/* The time series is kept in memory for the whole run: duration / tick is bounded by this. */
#define RSIM_SPEC_MAX_SERIES_ROWS 1000000
/* setImage and undo actions in one run (each may create a ReplicaSet). */
#define RSIM_SPEC_MAX_TEMPLATE_CHANGES 32

typedef struct rsim_spec_world {
    const char *name;        /* metadata.name */
    const char *description; /* spec.description, or NULL */
    uint64_t seed;           /* spec.run.seed */
    rsim_time duration;      /* spec.run.duration, ms */
    rsim_time tick;          /* spec.run.tick, ms: resolution of written series; at most
                                RSIM_SPEC_MAX_SERIES_ROWS ticks per run */
    const char *rollout;     /* metadata.name of the Rollout to simulate; NULL = the only one */
    rsim_loc rollout_loc;    /* of spec.rollout */
    size_t n_manifests;
    const char *const *manifests; /* spec.manifests as written (relative to the file) */

    size_t n_actions;
    const rsim_spec_action *actions; /* sorted by `at`, stable */

    rsim_spec_cluster cluster;
    rsim_spec_traffic traffic;
    rsim_spec_version version_defaults; /* spec.versionDefaults (image NULL, no faults) */
    size_t n_versions;
    const rsim_spec_version *versions;
    rsim_spec_metrics metrics;
    rsim_spec_analysis_world analysis;
    rsim_spec_controller controller;
    rsim_spec_on_call on_call;
    rsim_spec_slo slo;
    rsim_spec_flags flags;
    size_t n_expectations;
    const rsim_spec_expectation *expectations;
    rsim_loc loc; /* the document */
} rsim_spec_world;

/* The metric names a scrape target's series can have: the request counter, the histogram's
 * _bucket, _sum and _count, and Prometheus' own "up". Writes them into names; returns how
 * many (a name left unset in s is left out). */
#define RSIM_SPEC_SERIES_NAMES    5
#define RSIM_SPEC_SERIES_NAME_MAX 256
size_t rsim_spec_series_names(const rsim_spec_series *s,
                              char names[RSIM_SPEC_SERIES_NAMES][RSIM_SPEC_SERIES_NAME_MAX]);

/* The version describing an image, or NULL. */
const rsim_spec_version *rsim_spec_world_find_version(const rsim_spec_world *w, const char *image);

#endif
