/* spec_analysis.h - typed AnalysisTemplate / ClusterAnalysisTemplate and v1 Service.
 * Part of spec.h. Placeholders `{{args.name}}` are kept as written: a value that holds one is
 * left for the analysis layer to resolve when it creates a run (see rsim_spec_arg_value). Every
 * default of Argo (§4, §21) is already applied to the typed values below. */
#ifndef RSIM_SPEC_ANALYSIS_H
#define RSIM_SPEC_ANALYSIS_H

#include <rsim/common.h>

#include "spec_rollout.h" /* rsim_spec_labels, rsim_spec_metric_rule */

/* An integer or duration field of a metric that may hold a `{{args.x}}` placeholder.
 * When raw is non-NULL the value is only known once args are resolved, and value is 0. */
typedef struct rsim_spec_arg_value {
    bool set;        /* written in the file */
    int64_t value;   /* the number (durations: ms), or the default when not set */
    const char *raw; /* the text as written when it holds a placeholder, else NULL */
    rsim_loc loc;    /* of the value; of the metric when not set */
} rsim_spec_arg_value;

/* Where a template argument's value comes from. */
typedef enum rsim_spec_arg_source {
    RSIM_SPEC_ARG_VALUE,     /* `value`, or nothing: the Rollout must pass one */
    RSIM_SPEC_ARG_SECRET,    /* valueFrom.secretKeyRef (usable in headers only) */
    RSIM_SPEC_ARG_FIELD_REF, /* valueFrom.fieldRef.fieldPath */
} rsim_spec_arg_source;

typedef struct rsim_spec_analysis_arg {
    const char *name;
    const char *value; /* default value, NULL when none (the Rollout supplies it) */
    rsim_spec_arg_source source;
    const char *secret_name; /* SECRET: the Secret and key, else NULL */
    const char *secret_key;
    const char *field_path; /* FIELD_REF: "metadata.labels['env']", else NULL */
    rsim_loc loc;
} rsim_spec_analysis_arg;

/* An HTTP header of the web and prometheus providers (value may hold placeholders). */
typedef struct rsim_spec_http_header {
    const char *key;
    const char *value;
    rsim_loc loc;
} rsim_spec_http_header;

typedef enum rsim_spec_provider_kind {
    RSIM_SPEC_PROVIDER_PROMETHEUS,
    RSIM_SPEC_PROVIDER_WEB,
    RSIM_SPEC_PROVIDER_JOB,
} rsim_spec_provider_kind;

/* provider.prometheus: an instant query against the modelled Prometheus. */
typedef struct rsim_spec_prometheus {
    const char *address;     /* as written, "" when unset; every address reaches the model */
    const char *query;       /* PromQL text, placeholders kept */
    rsim_loc query_loc;      /* where the text starts (the parser's base) */
    int query_indent;        /* a block scalar's later lines start at this column, else 0 */
    rsim_time timeout;       /* query timeout, ms; default 30 s (§4.13) */
    bool insecure;           /* no effect */
    bool has_authentication; /* sigv4/oauth2 given; no effect */
    size_t n_headers;
    const rsim_spec_http_header *headers; /* no effect on the result */
} rsim_spec_prometheus;

typedef enum rsim_spec_web_method {
    RSIM_SPEC_WEB_GET,
    RSIM_SPEC_WEB_POST,
    RSIM_SPEC_WEB_PUT,
} rsim_spec_web_method;

/* provider.web: an HTTP request whose JSON answer becomes `result`. */
typedef struct rsim_spec_web {
    rsim_spec_web_method method; /* default GET */
    const char *url;             /* placeholders kept */
    size_t n_headers;
    const rsim_spec_http_header *headers;
    const char *body;        /* raw body, NULL when unset */
    const char *json_body;   /* jsonBody re-encoded as compact JSON text, NULL when unset */
    rsim_time timeout;       /* timeoutSeconds, ms; default 10 s (§4.13) */
    const char *json_path;   /* default "{$}" (the whole body) */
    bool insecure;           /* no effect */
    bool has_authentication; /* no effect */
} rsim_spec_web;

/* provider.job: a batch/v1 Job whose success or failure is the measurement. */
typedef struct rsim_spec_job {
    int64_t backoff_limit;         /* pod retries before the Job fails; default 6 */
    rsim_time active_deadline;     /* activeDeadlineSeconds, ms; 0 = none */
    size_t n_containers;           /* of the pod template */
    const char *const *images;     /* image of each container, in order */
    const char *const *containers; /* name of each container, in order */
} rsim_spec_job;

/* Effective count of a metric with an interval and no count (§4.3). */
#define RSIM_SPEC_COUNT_UNBOUNDED (-1)

typedef struct rsim_spec_metric {
    const char *name;
    rsim_spec_arg_value interval;      /* ms; 0 when unset: a single measurement */
    rsim_spec_arg_value initial_delay; /* ms; 0 when unset */
    /* count: the effective count (§4.3): as written when > 0; else 1 without an interval,
     * RSIM_SPEC_COUNT_UNBOUNDED with one. */
    rsim_spec_arg_value count;
    rsim_spec_arg_value failure_limit;             /* default 0; -1 disables (§4.5) */
    rsim_spec_arg_value inconclusive_limit;        /* default 0 */
    rsim_spec_arg_value consecutive_error_limit;   /* default 4 */
    rsim_spec_arg_value consecutive_success_limit; /* default 0 = off (§4.8) */
    const char *success_condition;                 /* expression text, NULL when unset */
    const char *failure_condition;                 /* expression text, NULL when unset */
    rsim_loc success_loc;
    rsim_loc failure_loc;
    rsim_spec_provider_kind provider;
    /* Exactly one of these is non-NULL, the one `provider` names. */
    const rsim_spec_prometheus *prometheus;
    const rsim_spec_web *web;
    const rsim_spec_job *job;
    rsim_loc loc;
} rsim_spec_metric;

typedef struct rsim_spec_analysis_template {
    const char *name;
    bool cluster; /* ClusterAnalysisTemplate */
    rsim_loc loc;
    const char *namespace_; /* metadata.namespace, "" when unset (always "" when cluster) */
    size_t n_args;
    const rsim_spec_analysis_arg *args;
    size_t n_metrics; /* at least one */
    const rsim_spec_metric *metrics;
    size_t n_dry_run; /* patterns' RE2 syntax already checked */
    const rsim_spec_metric_rule *dry_run;
    size_t n_retention;
    const rsim_spec_metric_rule *retention;
} rsim_spec_analysis_template;

/* One entry of spec.ports of a Service. */
typedef struct rsim_spec_service_port {
    const char *name;         /* "" when unset (allowed for a single port) */
    int64_t port;             /* 1..65535 */
    int64_t target_port;      /* numeric targetPort; defaults to port; 0 when named */
    const char *target_name;  /* named targetPort, NULL when numeric */
    const char *protocol;     /* TCP (default), UDP, SCTP */
    int64_t node_port;        /* 0 when unset; no effect */
    const char *app_protocol; /* NULL when unset; no effect */
    rsim_loc loc;
} rsim_spec_service_port;

typedef struct rsim_spec_service {
    const char *name;
    rsim_loc loc;
    const char *namespace_;    /* metadata.namespace, "" when unset */
    const char *type;          /* ClusterIP (default), NodePort or LoadBalancer */
    rsim_spec_labels selector; /* spec.selector, in source order */
    size_t n_ports;
    const rsim_spec_service_port *ports;
} rsim_spec_service;

#endif
