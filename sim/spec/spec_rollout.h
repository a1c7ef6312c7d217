/* spec_rollout.h - the typed Argo Rollout (argoproj.io/v1alpha1). Part of spec.h.
 * Every value has Argo's default already applied (utils/defaults, semantics §1-§3, §21); where the
 * controller behaves differently for "unset" and "set to the default value", an rsim_spec_opt_*
 * keeps both (`set` says whether the manifest wrote it, `value` is the effective value). Times
 * are rsim_time (ms). Strings are never NULL: "" means unset unless a comment says otherwise. */
#ifndef RSIM_SPEC_ROLLOUT_H
#define RSIM_SPEC_ROLLOUT_H

#include <rsim/common.h>

/* An optional integer / duration: value is the effective value, default included. */
typedef struct rsim_spec_opt_int {
    bool set; /* written in the manifest */
    int64_t value;
} rsim_spec_opt_int;

typedef struct rsim_spec_opt_time {
    bool set;
    rsim_time value; /* ms */
} rsim_spec_opt_time;

/* An int-or-percent (maxSurge, maxUnavailable): 3 or "25%". Resolution against N is the
 * controller's business (rounding differs by field, §7.1). */
typedef struct rsim_spec_int_or_pct {
    bool set;
    bool pct; /* value is a percentage */
    int64_t value;
    rsim_loc loc; /* of the value; zero when defaulted */
} rsim_spec_int_or_pct;

typedef struct rsim_spec_label {
    const char *key;
    const char *value;
} rsim_spec_label;

/* A label set, in source order. */
typedef struct rsim_spec_labels {
    size_t n;
    const rsim_spec_label *items;
} rsim_spec_labels;

typedef enum rsim_spec_selector_op {
    RSIM_SELECTOR_IN,
    RSIM_SELECTOR_NOT_IN,
    RSIM_SELECTOR_EXISTS,
    RSIM_SELECTOR_DOES_NOT_EXIST,
} rsim_spec_selector_op;

typedef struct rsim_spec_selector_req {
    const char *key;
    rsim_spec_selector_op op;
    size_t n_values;
    const char *const *values;
} rsim_spec_selector_req;

typedef struct rsim_spec_selector {
    rsim_spec_labels match_labels;
    size_t n_exprs;
    const rsim_spec_selector_req *exprs;
    rsim_loc loc;
} rsim_spec_selector;

/* ---- pod template ---- */

/* A probe's timings (handler not modelled). Defaults are the API server's. */
typedef struct rsim_spec_probe {
    bool set;                  /* the container has this probe */
    rsim_time initial_delay;   /* initialDelaySeconds, default 0 */
    rsim_time period;          /* periodSeconds, default 10 s */
    rsim_time timeout;         /* timeoutSeconds, default 1 s */
    int64_t success_threshold; /* default 1 */
    int64_t failure_threshold; /* default 3 */
    rsim_loc loc;
} rsim_spec_probe;

/* One entry of requests or limits: a resource name and its quantity in base units (cores, bytes).
 */
typedef struct rsim_spec_resource {
    const char *name; /* "cpu", "memory", "nvidia.com/gpu", ... */
    double value;
    rsim_loc loc;
} rsim_spec_resource;

typedef struct rsim_spec_container {
    const char *name;
    const char *image;
    size_t n_requests;
    const rsim_spec_resource *requests;
    size_t n_limits;
    const rsim_spec_resource *limits;
    /* Shortcuts into requests/limits; negative when absent. */
    double cpu_request, cpu_limit;       /* cores */
    double memory_request, memory_limit; /* bytes */
    rsim_spec_probe readiness, liveness, startup;
    rsim_loc loc;       /* the container's mapping */
    rsim_loc image_loc; /* the image value (the container's mapping when absent) */
} rsim_spec_container;

typedef struct rsim_spec_pod_template {
    rsim_spec_labels labels; /* template.metadata.labels */
    size_t n_containers;     /* at least 1 */
    const rsim_spec_container *containers;
    rsim_time termination_grace; /* terminationGracePeriodSeconds, default 30 s */
    rsim_loc loc;
} rsim_spec_pod_template;

/* ---- analysis references (steps, background, blue-green pre/post) ---- */

typedef struct rsim_spec_template_ref {
    const char *template_name;
    bool cluster_scope; /* a ClusterAnalysisTemplate */
    rsim_loc loc;       /* of templateName, for "not found" */
} rsim_spec_template_ref;

typedef enum rsim_spec_rollout_arg_kind {
    RSIM_ROLLOUT_ARG_VALUE,           /* value: literal */
    RSIM_ROLLOUT_ARG_POD_HASH_STABLE, /* valueFrom.podTemplateHashValue: Stable */
    RSIM_ROLLOUT_ARG_POD_HASH_LATEST, /* valueFrom.podTemplateHashValue: Latest */
    RSIM_ROLLOUT_ARG_FIELD_REF,       /* valueFrom.fieldRef.fieldPath (in value) */
} rsim_spec_rollout_arg_kind;

typedef struct rsim_spec_rollout_arg {
    const char *name;
    rsim_spec_rollout_arg_kind kind;
    const char *value; /* the literal, or the field path; "" for pod hashes */
    rsim_loc loc;
} rsim_spec_rollout_arg;

typedef struct rsim_spec_metric_rule {
    const char *metric_name; /* an unanchored regular expression (§23 E5) */
    int64_t limit;           /* measurementRetention only */
    rsim_loc loc;
} rsim_spec_metric_rule;

typedef struct rsim_spec_rollout_analysis {
    bool set;
    size_t n_templates;
    const rsim_spec_template_ref *templates;
    size_t n_args;
    const rsim_spec_rollout_arg *args;
    size_t n_dry_run;
    const rsim_spec_metric_rule *dry_run;
    size_t n_retention;
    const rsim_spec_metric_rule *retention;
    rsim_loc loc;
} rsim_spec_rollout_analysis;

/* ---- canary steps (§5) ---- */

/* Step types; a step may carry several (§23 E1). */
#define RSIM_STEP_SET_WEIGHT       0x01u
#define RSIM_STEP_PAUSE            0x02u
#define RSIM_STEP_EXPERIMENT       0x04u
#define RSIM_STEP_ANALYSIS         0x08u
#define RSIM_STEP_SET_CANARY_SCALE 0x10u
#define RSIM_STEP_SET_HEADER_ROUTE 0x20u
#define RSIM_STEP_SET_MIRROR_ROUTE 0x40u

typedef enum rsim_spec_match_kind {
    RSIM_MATCH_EXACT,
    RSIM_MATCH_PREFIX,
    RSIM_MATCH_REGEX,
} rsim_spec_match_kind;

typedef struct rsim_spec_string_match {
    rsim_spec_match_kind kind;
    const char *value;
} rsim_spec_string_match;

typedef struct rsim_spec_header_match {
    const char *header; /* header name */
    rsim_spec_string_match value;
} rsim_spec_header_match;

/* setHeaderRoute: requests whose headers match all entries go to the canary. No match entries
 * means "remove the route". */
typedef struct rsim_spec_header_route {
    const char *name;
    size_t n_match;
    const rsim_spec_header_match *match;
} rsim_spec_header_route;

/* One match block of setMirrorRoute: its conditions are ANDed, the blocks ORed. */
typedef struct rsim_spec_mirror_match {
    bool has_method, has_path;
    rsim_spec_string_match method, path;
    size_t n_headers;
    const rsim_spec_header_match *headers;
} rsim_spec_mirror_match;

typedef struct rsim_spec_mirror_route {
    const char *name;
    size_t n_match;
    const rsim_spec_mirror_match *match;
    rsim_spec_opt_int percentage; /* of matched traffic mirrored; default 100 */
} rsim_spec_mirror_route;

/* setCanaryScale (§6.3): exactly what the manifest set. */
typedef struct rsim_spec_set_canary_scale {
    rsim_spec_opt_int replicas;
    rsim_spec_opt_int weight; /* percent of N, not capped at 100 */
    bool match_traffic_weight;
} rsim_spec_set_canary_scale;

typedef enum rsim_spec_spec_ref {
    RSIM_SPEC_REF_CANARY,
    RSIM_SPEC_REF_STABLE,
} rsim_spec_spec_ref;

typedef struct rsim_spec_experiment_template {
    const char *name;
    rsim_spec_spec_ref spec_ref;
    rsim_spec_opt_int replicas; /* default 1 (§21) */
    rsim_loc loc;
} rsim_spec_experiment_template;

typedef struct rsim_spec_experiment_analysis {
    const char *name;
    rsim_spec_template_ref template_ref;
    size_t n_args;
    const rsim_spec_rollout_arg *args;
    bool required_for_completion;
    rsim_loc loc;
} rsim_spec_experiment_analysis;

typedef struct rsim_spec_experiment {
    rsim_spec_opt_time duration; /* unset = runs until its analyses finish (§15.8) */
    size_t n_templates;
    const rsim_spec_experiment_template *templates;
    size_t n_analyses;
    const rsim_spec_experiment_analysis *analyses;
    size_t n_dry_run;
    const rsim_spec_metric_rule *dry_run;
} rsim_spec_experiment;

typedef struct rsim_spec_canary_step {
    unsigned types; /* RSIM_STEP_* present */
    /* The type that decides completion: the first present in the order pause, setCanaryScale,
     * setWeight, experiment, analysis, setHeaderRoute, setMirrorRoute (§23 E1). */
    unsigned primary;
    int64_t set_weight;       /* RSIM_STEP_SET_WEIGHT */
    rsim_spec_opt_time pause; /* RSIM_STEP_PAUSE: set=false means indefinite (pause: {}) */
    rsim_spec_rollout_analysis analysis;         /* RSIM_STEP_ANALYSIS */
    rsim_spec_experiment experiment;             /* RSIM_STEP_EXPERIMENT */
    rsim_spec_set_canary_scale set_canary_scale; /* RSIM_STEP_SET_CANARY_SCALE */
    rsim_spec_header_route header_route;         /* RSIM_STEP_SET_HEADER_ROUTE */
    rsim_spec_mirror_route mirror_route;         /* RSIM_STEP_SET_MIRROR_ROUTE */
    rsim_loc loc;
} rsim_spec_canary_step;

/* ---- strategies ---- */

/* Routers named under trafficRouting; rollsim treats each as a weighted router (§9). */
#define RSIM_ROUTER_ISTIO      0x01u
#define RSIM_ROUTER_NGINX      0x02u
#define RSIM_ROUTER_ALB        0x04u
#define RSIM_ROUTER_SMI        0x08u
#define RSIM_ROUTER_AMBASSADOR 0x10u
#define RSIM_ROUTER_APPMESH    0x20u
#define RSIM_ROUTER_TRAEFIK    0x40u
#define RSIM_ROUTER_APISIX     0x80u

typedef struct rsim_spec_traffic_routing {
    bool set;                     /* false = basic canary (§7) */
    unsigned routers;             /* RSIM_ROUTER_* */
    rsim_spec_opt_int max_weight; /* maxTrafficWeight, W_max, default 100 */
    size_t n_managed_routes;      /* in precedence order */
    const char *const *managed_routes;
    rsim_loc loc;
} rsim_spec_traffic_routing;

typedef enum rsim_spec_progress_type {
    RSIM_PROGRESS_PERCENT,
    RSIM_PROGRESS_PODS,
} rsim_spec_progress_type;

typedef struct rsim_spec_canary {
    size_t n_steps;
    const rsim_spec_canary_step *steps;
    rsim_spec_int_or_pct max_surge;       /* default 25% */
    rsim_spec_int_or_pct max_unavailable; /* default 25% */
    const char *canary_service;
    const char *stable_service;
    rsim_loc canary_service_loc, stable_service_loc;
    rsim_spec_traffic_routing traffic_routing;
    rsim_spec_rollout_analysis background; /* .set = false when no background analysis */
    int64_t background_starting_step;      /* default 0 */
    /* §2.7 / §23 I7: 30 s with traffic routing, 0 for basic canary; set says if written. */
    rsim_spec_opt_time scale_down_delay;
    rsim_spec_opt_int scale_down_delay_revision_limit; /* unset = unlimited */
    /* §2.9 / §23 E4: 30 s with traffic routing; an explicit 0 means "no delay". Not used by
     * basic canary. */
    rsim_spec_opt_time abort_scale_down_delay;
    bool dynamic_stable_scale;
    rsim_spec_opt_int min_pods_per_replica_set; /* unset = no minimum */
    bool has_replica_progress_threshold;        /* §7.6 */
    rsim_spec_progress_type replica_progress_type;
    int64_t replica_progress_value;
} rsim_spec_canary;

typedef struct rsim_spec_blue_green {
    const char *active_service;
    const char *preview_service; /* "" = none */
    rsim_loc active_service_loc, preview_service_loc;
    rsim_spec_opt_int preview_replica_count; /* unset = N (§3.3) */
    bool auto_promotion_enabled;             /* default true */
    rsim_time auto_promotion_delay;          /* autoPromotionSeconds, default 0 */
    rsim_spec_int_or_pct max_unavailable;    /* default 25% */
    rsim_spec_opt_time scale_down_delay;     /* default 30 s */
    rsim_spec_opt_int scale_down_delay_revision_limit;
    rsim_spec_opt_time abort_scale_down_delay; /* default 30 s; explicit 0 keeps the preview */
    rsim_spec_rollout_analysis pre_promotion;  /* .set = false when none */
    rsim_spec_rollout_analysis post_promotion;
} rsim_spec_blue_green;

typedef enum rsim_spec_strategy_kind {
    RSIM_STRATEGY_CANARY,
    RSIM_STRATEGY_BLUE_GREEN,
} rsim_spec_strategy_kind;

typedef struct rsim_spec_rollout {
    const char *name;
    const char *namespace_;     /* metadata.namespace, "" when unset */
    rsim_loc loc;               /* the document */
    rsim_spec_labels labels;    /* metadata.labels */
    rsim_spec_opt_int replicas; /* N, default 1 (§1.1) */
    rsim_spec_selector selector;
    rsim_spec_pod_template template;
    size_t n_containers;                   /* shortcut: template.n_containers */
    const rsim_spec_container *containers; /* shortcut: template.containers */
    rsim_time min_ready;                   /* minReadySeconds, default 0 */
    int64_t revision_history_limit;        /* default 10 */
    bool paused;                           /* spec.paused */
    rsim_time progress_deadline;           /* progressDeadlineSeconds, default 600 s */
    bool progress_deadline_abort;
    const char *restart_at;            /* RFC 3339 timestamp as written, "" when unset */
    rsim_spec_opt_int rollback_window; /* rollbackWindow.revisions */
    int64_t successful_run_history;    /* analysis.successfulRunHistoryLimit, default 5 */
    int64_t unsuccessful_run_history;  /* default 5 */
    rsim_spec_strategy_kind strategy;
    rsim_spec_canary canary;         /* when strategy is canary */
    rsim_spec_blue_green blue_green; /* when strategy is blue-green */
} rsim_spec_rollout;

#endif
