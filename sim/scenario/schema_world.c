/* schema_world.c - the schema of rollsim's own document, kind: Scenario (rsim_schema_world).
 * Tables only, plus the hooks for "exactly one of" rules; typing, defaults and rules between
 * values are in build_world.c. docs/scenario-format.md documents every field listed here: keep
 * both in step. */
#include <stdio.h>
#include <string.h>

#include "schema.h"

/* ---- hooks ---- */

/* Reports unless exactly one (or, with optional, at most one) of keys is present in map. */
static void one_of(rsim_schema_ctx *ctx,
                   const rsim_ynode *map,
                   const char *path,
                   const char *const *keys,
                   const char *what,
                   bool optional)
{
    const char *first = NULL;
    char sub[512];

    if (map == NULL || map->kind != RSIM_YNODE_MAP) {
        return;
    }
    for (size_t i = 0; keys[i] != NULL; i++) {
        const rsim_ynode *k = rsim_ynode_key(map, keys[i]);
        if (k == NULL) {
            continue;
        }
        if (first == NULL) {
            first = keys[i];
            continue;
        }
        snprintf(sub, sizeof sub, "%s.%s", path, keys[i]);
        rsim_schema_error(ctx, k, sub, "'%s' and '%s' exclude each other: give one %s per entry",
                          first, keys[i], what);
    }
    if (first == NULL && !optional) {
        char list[400];
        size_t used = 0;
        list[0] = '\0';
        for (size_t i = 0; keys[i] != NULL && used < sizeof list; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s",
                             i == 0 ? "" : (keys[i + 1] == NULL ? " or " : ", "), keys[i]);
            if (w < 0) {
                break;
            }
            used += (size_t)w;
        }
        rsim_schema_error(ctx, map, path, "expected one %s: %s", what, list);
    }
}

static const char *const dist_kinds[] = {"fixed", "uniform", "lognormal", "empirical", NULL};

/* Which fields each distribution kind takes; the others are rejected. */
static void check_dist(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const all[] = {"value", "min", "max",     "median", "p90",
                                      "p95",   "p99", "samples", NULL};
    static const char *const quantiles[] = {"p90", "p95", "p99", NULL};
    const rsim_ynode *kind = rsim_ynode_get(map, "distribution");
    char sub[512];

    if (kind == NULL || !rsim_ynode_is_string(kind)) {
        return;
    }
    for (size_t i = 0; all[i] != NULL; i++) {
        const rsim_ynode *k = rsim_ynode_key(map, all[i]);
        bool ok;
        if (k == NULL) {
            continue;
        }
        if (strcmp(kind->str, "fixed") == 0) {
            ok = i == 0;
        } else if (strcmp(kind->str, "uniform") == 0) {
            ok = i == 1 || i == 2;
        } else if (strcmp(kind->str, "lognormal") == 0) {
            ok = i >= 3 && i <= 6;
        } else if (strcmp(kind->str, "empirical") == 0) {
            ok = i == 7;
        } else {
            return; /* a bad kind was reported by the enum check */
        }
        if (!ok) {
            snprintf(sub, sizeof sub, "%s.%s", path, all[i]);
            rsim_schema_error(ctx, k, sub, "'%s' does not apply to a %s distribution", all[i],
                              kind->str);
        }
    }
    if (strcmp(kind->str, "fixed") == 0 && rsim_ynode_key(map, "value") == NULL) {
        rsim_schema_error(ctx, map, path, "missing required field 'value'");
    } else if (strcmp(kind->str, "uniform") == 0) {
        if (rsim_ynode_key(map, "min") == NULL) {
            rsim_schema_error(ctx, map, path, "missing required field 'min'");
        }
        if (rsim_ynode_key(map, "max") == NULL) {
            rsim_schema_error(ctx, map, path, "missing required field 'max'");
        }
    } else if (strcmp(kind->str, "lognormal") == 0) {
        if (rsim_ynode_key(map, "median") == NULL) {
            rsim_schema_error(ctx, map, path, "missing required field 'median'");
        }
        one_of(ctx, map, path, quantiles, "quantile (the spread of a lognormal)", false);
    } else if (strcmp(kind->str, "empirical") == 0 && rsim_ynode_key(map, "samples") == NULL) {
        rsim_schema_error(ctx, map, path, "missing required field 'samples'");
    }
}

static void check_load(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const kinds[] = {"constant", "steps", "diurnal", "spikes", "table", NULL};
    one_of(ctx, map, path, kinds, "load profile", true);
}

static void check_onset(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const kinds[] = {"at", "afterFirstTraffic", NULL};
    one_of(ctx, map, path, kinds, "onset", false);
}

static void check_fault(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const kinds[] = {"errorStep",    "errorRamp", "errorBursts",
                                        "latency",      "crashLoop", "noTraffic",
                                        "cohortErrors", "slowStart", NULL};
    one_of(ctx, map, path, kinds, "fault shape", false);
}

static void check_latency_fault(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    if (map != NULL && map->kind == RSIM_YNODE_MAP && rsim_ynode_key(map, "factor") == NULL &&
        rsim_ynode_key(map, "add") == NULL) {
        rsim_schema_error(ctx, map, path, "expected 'factor', 'add' or both");
    }
}

static void check_action(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const kinds[] = {"setImage",     "promote", "promoteFull", "abort",
                                        "retry",        "pause",   "resume",      "restart",
                                        "undo",         "scale",   "setWeight",   "startAnalysis",
                                        "stopAnalysis", NULL};
    one_of(ctx, map, path, kinds, "action", false);
}

/* An argument of startAnalysis: a value or a pod-template hash, as a Rollout passes it. */
static void check_start_arg(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    char sub[512];

    if (map == NULL || map->kind != RSIM_YNODE_MAP) {
        return;
    }
    bool has_value = rsim_ynode_key(map, "value") != NULL;
    bool has_from = rsim_ynode_key(map, "valueFrom") != NULL;
    if (has_value != has_from) {
        return;
    }
    snprintf(sub, sizeof sub, "%s.value", path);
    if (has_value) {
        rsim_schema_error(ctx, rsim_ynode_key(map, "value"), sub,
                          "give either 'value' or 'valueFrom', not both");
    } else {
        rsim_schema_error(ctx, map, path, "missing required field 'value' (or 'valueFrom')");
    }
}

static void check_promote(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *cur = rsim_ynode_get(map, "skipCurrentStep");
    const rsim_ynode *all = rsim_ynode_get(map, "skipAllSteps");
    char sub[512];

    if (cur != NULL && all != NULL && rsim_ynode_is_bool(cur) && rsim_ynode_is_bool(all) &&
        rsim_ynode_bool(cur) && rsim_ynode_bool(all)) {
        snprintf(sub, sizeof sub, "%s.skipAllSteps", path);
        rsim_schema_error(ctx, rsim_ynode_key(map, "skipAllSteps"), sub,
                          "skipCurrentStep and skipAllSteps exclude each other");
    }
}

static void check_expectation(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const kinds[] = {"phase",          "abortedWithin",      "promotedWithin",
                                        "detectedWithin", "faultFailuresBelow", NULL};
    char sub[512];
    bool timed_from_action;
    bool about_fault;

    if (map == NULL || map->kind != RSIM_YNODE_MAP) {
        return;
    }
    one_of(ctx, map, path, kinds, "expectation", false);
    timed_from_action = rsim_ynode_key(map, "abortedWithin") != NULL ||
                        rsim_ynode_key(map, "promotedWithin") != NULL;
    about_fault = rsim_ynode_key(map, "detectedWithin") != NULL ||
                  rsim_ynode_key(map, "faultFailuresBelow") != NULL;
    if (rsim_ynode_key(map, "after") != NULL && !timed_from_action) {
        snprintf(sub, sizeof sub, "%s.after", path);
        rsim_schema_error(ctx, rsim_ynode_key(map, "after"), sub,
                          "'after' applies only to abortedWithin and promotedWithin");
    }
    if (rsim_ynode_key(map, "fault") != NULL && !about_fault) {
        snprintf(sub, sizeof sub, "%s.fault", path);
        rsim_schema_error(ctx, rsim_ynode_key(map, "fault"), sub,
                          "'fault' applies only to detectedWithin and faultFailuresBelow");
    }
}

/* spec.manifests: the loader reads these paths before the document is built. */
static void check_spec(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *list = rsim_ynode_get(map, "manifests");
    char sub[512];

    if (list == NULL || list->kind != RSIM_YNODE_SEQ) {
        return;
    }
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        if (it->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_string(it) && it->len == 0) {
            snprintf(sub, sizeof sub, "%s.manifests[%zu]", path, i);
            rsim_schema_error(ctx, it, sub, "must not be empty");
        }
    }
}

/* ---- tables, leaves first ---- */

#define STR(n)                              \
    {                                       \
        .name = (n), .type = RSIM_FT_STRING \
    }
#define STR_NE(n)                                                     \
    {                                                                 \
        .name = (n), .type = RSIM_FT_STRING, .flags = RSIM_F_NONEMPTY \
    }
#define STR_REQ(n)                                                                      \
    {                                                                                   \
        .name = (n), .type = RSIM_FT_STRING, .flags = RSIM_F_REQUIRED | RSIM_F_NONEMPTY \
    }
#define ENUM(n, vals)                                              \
    {                                                              \
        .name = (n), .type = RSIM_FT_STRING, .enum_values = (vals) \
    }
#define BOOLF(n)                          \
    {                                     \
        .name = (n), .type = RSIM_FT_BOOL \
    }
#define DUR(n)                                \
    {                                         \
        .name = (n), .type = RSIM_FT_DURATION \
    }
#define DUR_REQ(n)                                                      \
    {                                                                   \
        .name = (n), .type = RSIM_FT_DURATION, .flags = RSIM_F_REQUIRED \
    }
#define INT(n, lo, hi)                                             \
    {                                                              \
        .name = (n), .type = RSIM_FT_INT, .min = (lo), .max = (hi) \
    }
#define NUM(n, lo, hi)                                                \
    {                                                                 \
        .name = (n), .type = RSIM_FT_NUMBER, .min = (lo), .max = (hi) \
    }
#define NUM_REQ(n, lo, hi)                                                                      \
    {                                                                                           \
        .name = (n), .type = RSIM_FT_NUMBER, .flags = RSIM_F_REQUIRED, .min = (lo), .max = (hi) \
    }
#define OBJ(n, s)                                        \
    {                                                    \
        .name = (n), .type = RSIM_FT_OBJECT, .obj = &(s) \
    }
#define OBJ_REQ(n, s)                                                              \
    {                                                                              \
        .name = (n), .type = RSIM_FT_OBJECT, .obj = &(s), .flags = RSIM_F_REQUIRED \
    }
#define LIST_OF(n, s)                                                          \
    {                                                                          \
        .name = (n), .type = RSIM_FT_LIST, .elem = RSIM_FT_OBJECT, .obj = &(s) \
    }
#define SCHEMA(var, title, arr, hook) \
    static const rsim_schema var = {(title), RSIM_SCHEMA_FIELDS(arr), (hook), false}

#define MAX_RPS   100000000 /* 1e8 requests/s: far beyond any real service */
#define MAX_COUNT 1000000000

static const rsim_schema_field dist_fields[] = {
    {.name = "distribution",
     .type = RSIM_FT_STRING,
     .flags = RSIM_F_REQUIRED,
     .enum_values = dist_kinds},
    DUR("value"),
    DUR("min"),
    DUR("max"),
    DUR("median"),
    DUR("p90"),
    DUR("p95"),
    DUR("p99"),
    {.name = "samples", .type = RSIM_FT_LIST, .elem = RSIM_FT_DURATION, .flags = RSIM_F_NONEMPTY},
};
SCHEMA(dist_schema, "Scenario distribution", dist_fields, check_dist);

/* cluster */
static const rsim_schema_field control_plane_fields[] = {
    DUR("hopDelay"),
    BOOLF("replicaSetSlowStart"),
};
SCHEMA(control_plane_schema, "Scenario.spec.cluster.controlPlane", control_plane_fields, NULL);

static const rsim_schema_field pod_startup_fields[] = {
    OBJ("startContainers", dist_schema),
    OBJ("imagePull", dist_schema),
    OBJ("appInit", dist_schema),
};
SCHEMA(pod_startup_schema, "Scenario.spec.cluster.podStartup", pod_startup_fields, NULL);

static const char *const phase_kinds[] = {"random", "aligned", NULL};
static const rsim_schema_field probe_fields[] = {
    INT("initialDelaySeconds", 0, INT64_MAX), INT("periodSeconds", 1, INT64_MAX),
    INT("timeoutSeconds", 1, INT64_MAX),      INT("successThreshold", 1, INT64_MAX),
    INT("failureThreshold", 1, INT64_MAX),    ENUM("phase", phase_kinds),
};
SCHEMA(probe_schema, "Scenario.spec.cluster.readinessProbe", probe_fields, NULL);

static const rsim_schema_field backoff_fields[] = {
    DUR("initial"),
    NUM("factor", 1, 10),
    DUR("max"),
    DUR("resetAfter"),
};
SCHEMA(backoff_schema, "Scenario.spec.cluster.crashLoopBackOff", backoff_fields, NULL);

static const rsim_schema_field cluster_fields[] = {
    OBJ("controlPlane", control_plane_schema),
    OBJ("podStartup", pod_startup_schema),
    OBJ("readinessProbe", probe_schema),
    OBJ("crashLoopBackOff", backoff_schema),
    DUR("endpointPropagation"),
    INT("podSlots", 0, INT64_MAX),
    {.name = "nodes",
     .type = RSIM_FT_ANY,
     .flags = RSIM_F_UNSUPPORTED,
     .note = "nodes, affinity and per-node image caches are not modelled; cluster.podSlots "
             "bounds the pods the cluster can run"},
    {.name = "autoscaling",
     .type = RSIM_FT_ANY,
     .flags = RSIM_F_UNSUPPORTED,
     .note = "horizontal pod autoscaling is not modelled; the Rollout's spec.replicas stays "
             "fixed (§1.1)"},
};
SCHEMA(cluster_schema, "Scenario.spec.cluster", cluster_fields, NULL);

/* traffic */
static const rsim_schema_field constant_fields[] = {
    NUM_REQ("rps", 0, MAX_RPS),
};
SCHEMA(constant_schema, "Scenario.spec.traffic.load.constant", constant_fields, NULL);

static const rsim_schema_field point_fields[] = {
    DUR_REQ("at"),
    NUM_REQ("rps", 0, MAX_RPS),
};
SCHEMA(point_schema, "Scenario.spec.traffic.load point", point_fields, NULL);

static const rsim_schema_field diurnal_fields[] = {
    NUM_REQ("meanRps", 0, MAX_RPS),
    NUM("amplitude", 0, 1),
    DUR("period"),
    DUR("peakAt"),
};
SCHEMA(diurnal_schema, "Scenario.spec.traffic.load.diurnal", diurnal_fields, NULL);

static const rsim_schema_field spike_fields[] = {
    DUR_REQ("at"),
    DUR_REQ("duration"),
    NUM_REQ("factor", 0, 10000),
};
SCHEMA(spike_schema, "Scenario.spec.traffic.load.spikes.spikes[]", spike_fields, NULL);

static const rsim_schema_field spikes_fields[] = {
    NUM_REQ("baseRps", 0, MAX_RPS),
    {.name = "spikes",
     .type = RSIM_FT_LIST,
     .elem = RSIM_FT_OBJECT,
     .obj = &spike_schema,
     .flags = RSIM_F_REQUIRED | RSIM_F_NONEMPTY},
};
SCHEMA(spikes_schema, "Scenario.spec.traffic.load.spikes", spikes_fields, NULL);

static const char *const interpolations[] = {"linear", "step", NULL};
static const rsim_schema_field table_fields[] = {
    ENUM("interpolation", interpolations),
    {.name = "points",
     .type = RSIM_FT_LIST,
     .elem = RSIM_FT_OBJECT,
     .obj = &point_schema,
     .flags = RSIM_F_REQUIRED | RSIM_F_NONEMPTY},
};
SCHEMA(table_schema, "Scenario.spec.traffic.load.table", table_fields, NULL);

static const char *const arrivals[] = {"poisson", "uniform", NULL};
static const rsim_schema_field load_fields[] = {
    OBJ("constant", constant_schema),
    {.name = "steps",
     .type = RSIM_FT_LIST,
     .elem = RSIM_FT_OBJECT,
     .obj = &point_schema,
     .flags = RSIM_F_NONEMPTY},
    OBJ("diurnal", diurnal_schema),
    OBJ("spikes", spikes_schema),
    OBJ("table", table_schema),
    ENUM("arrivals", arrivals),
};
SCHEMA(load_schema, "Scenario.spec.traffic.load", load_fields, check_load);

static const rsim_schema_field name_value_fields[] = {
    STR_REQ("name"),
    {.name = "value", .type = RSIM_FT_STRING, .flags = RSIM_F_REQUIRED},
};
SCHEMA(name_value_schema, "header or cookie", name_value_fields, NULL);

static const rsim_schema_field cohort_fields[] = {
    STR_REQ("name"),
    NUM_REQ("share", 0, 1),
    OBJ("header", name_value_schema),
    OBJ("cookie", name_value_schema),
};
SCHEMA(cohort_schema, "Scenario.spec.traffic.users.cohorts[]", cohort_fields, NULL);

static const rsim_schema_field users_fields[] = {
    INT("population", 1, MAX_COUNT),
    LIST_OF("cohorts", cohort_schema),
};
SCHEMA(users_schema, "Scenario.spec.traffic.users", users_fields, NULL);

static const rsim_schema_field propagation_fields[] = {
    DUR("service"), DUR("istio"),      DUR("nginx"), DUR("alb"),
    DUR("smi"),     DUR("gatewayAPI"), DUR("other"),
};
SCHEMA(propagation_schema,
       "Scenario.spec.traffic.router.propagationDelay",
       propagation_fields,
       NULL);

static const rsim_schema_field router_fields[] = {
    OBJ("propagationDelay", propagation_schema),
    DUR("albVerifyRetry"),
};
SCHEMA(router_schema, "Scenario.spec.traffic.router", router_fields, NULL);

static const rsim_schema_field traffic_fields[] = {
    OBJ("load", load_schema),
    OBJ("users", users_schema),
    OBJ("router", router_schema),
};
SCHEMA(traffic_schema, "Scenario.spec.traffic", traffic_fields, NULL);

/* versions */
static const rsim_schema_field capacity_fields[] = {
    INT("workers", 1, 100000),
    DUR("serviceTime"),
    INT("queue", 0, MAX_COUNT),
};
SCHEMA(capacity_schema, "Scenario version capacity", capacity_fields, NULL);

static const rsim_schema_field onset_fields[] = {
    DUR("at"),
    DUR("afterFirstTraffic"),
};
SCHEMA(onset_schema, "Scenario fault onset", onset_fields, check_onset);

static const rsim_schema_field error_step_fields[] = {
    NUM_REQ("errorRatio", 0, 1),
};
SCHEMA(error_step_schema, "errorStep", error_step_fields, NULL);

static const rsim_schema_field error_ramp_fields[] = {
    NUM_REQ("errorRatio", 0, 1),
    DUR_REQ("over"),
};
SCHEMA(error_ramp_schema, "errorRamp", error_ramp_fields, NULL);

static const rsim_schema_field error_bursts_fields[] = {
    NUM_REQ("errorRatio", 0, 1),
    DUR_REQ("every"),
    DUR_REQ("burst"),
};
SCHEMA(error_bursts_schema, "errorBursts", error_bursts_fields, NULL);

static const rsim_schema_field latency_fault_fields[] = {
    NUM("factor", 0, 1000),
    DUR("add"),
};
SCHEMA(latency_fault_schema, "latency", latency_fault_fields, check_latency_fault);

static const rsim_schema_field crash_loop_fields[] = {
    DUR("after"),
};
SCHEMA(crash_loop_schema, "crashLoop", crash_loop_fields, NULL);

/* Actions and faults that take no parameters: written `abort: {}`. */
static const rsim_schema empty_schema = {"empty", NULL, 0, NULL, false};

static const rsim_schema_field cohort_errors_fields[] = {
    STR_REQ("cohort"),
    NUM_REQ("errorRatio", 0, 1),
};
SCHEMA(cohort_errors_schema, "cohortErrors", cohort_errors_fields, NULL);

static const rsim_schema_field slow_start_fields[] = {
    DUR_REQ("warmup"),
    NUM("startCapacity", 0, 1),
};
SCHEMA(slow_start_schema, "slowStart", slow_start_fields, NULL);

static const rsim_schema_field fault_fields[] = {
    STR_NE("name"),
    OBJ("onset", onset_schema),
    DUR("duration"),
    OBJ("errorStep", error_step_schema),
    OBJ("errorRamp", error_ramp_schema),
    OBJ("errorBursts", error_bursts_schema),
    OBJ("latency", latency_fault_schema),
    OBJ("crashLoop", crash_loop_schema),
    OBJ("noTraffic", empty_schema),
    OBJ("cohortErrors", cohort_errors_schema),
    OBJ("slowStart", slow_start_schema),
};
SCHEMA(fault_schema, "Scenario.spec.versions[].faults[]", fault_fields, check_fault);

static const rsim_schema_field version_defaults_fields[] = {
    NUM("errorRatio", 0, 1), OBJ("latency", dist_schema), OBJ("capacity", capacity_schema),
    BOOLF("cached"),         OBJ("appInit", dist_schema),
};
SCHEMA(version_defaults_schema, "Scenario.spec.versionDefaults", version_defaults_fields, NULL);

static const rsim_schema_field version_fields[] = {
    STR_REQ("image"),
    STR("description"),
    NUM("errorRatio", 0, 1),
    OBJ("latency", dist_schema),
    OBJ("capacity", capacity_schema),
    BOOLF("cached"),
    OBJ("appInit", dist_schema),
    LIST_OF("faults", fault_schema),
};
SCHEMA(version_schema, "Scenario.spec.versions[]", version_fields, NULL);

/* metrics */
static const char *const presets[] = {"app", "istio", "nginx", NULL};
static const char *const latency_units[] = {"seconds", "milliseconds", NULL};
static const rsim_schema_field series_labels_fields[] = {
    STR_NE("statusCode"),
    STR("podTemplateHash"),
    STR("pod"),
    STR("namespace"),
    /* the target label of a ServiceMonitor's targets (spec.metrics.targets: services) */
    STR("service"),
    STR("serviceFqdn"),
    /* the workload the pods belong to (the Rollout) and its namespace, as Istio labels them */
    STR("workload"),
    STR("workloadNamespace"),
};
SCHEMA(series_labels_schema, "Scenario.spec.metrics.series.labels", series_labels_fields, NULL);

static const rsim_schema_field series_fields[] = {
    ENUM("preset", presets),
    STR_NE("requests"),
    STR_NE("latency"),
    ENUM("latencyUnit", latency_units),
    {.name = "buckets", .type = RSIM_FT_LIST, .elem = RSIM_FT_NUMBER, .flags = RSIM_F_NONEMPTY},
    OBJ("labels", series_labels_schema),
    {.name = "constantLabels", .type = RSIM_FT_STRING_MAP},
};
SCHEMA(series_schema, "Scenario.spec.metrics.series", series_fields, NULL);

static const rsim_schema_field recording_rule_fields[] = {
    STR_REQ("record"),
    STR_REQ("expr"),
};
SCHEMA(recording_rule_schema,
       "Scenario.spec.metrics.recordingRules[]",
       recording_rule_fields,
       NULL);

static const rsim_schema_field alert_rule_fields[] = {
    STR_REQ("alert"),
    STR_REQ("expr"),
    DUR("for"),
    DUR("keepFiringFor"),
};
SCHEMA(alert_rule_schema, "Scenario.spec.metrics.alertRules[]", alert_rule_fields, NULL);

static const rsim_schema_field alertmanager_fields[] = {
    DUR("groupWait"),
    DUR("groupInterval"),
    DUR("repeatInterval"),
    DUR("resendDelay"),
};
SCHEMA(alertmanager_schema, "Scenario.spec.metrics.alertmanager", alertmanager_fields, NULL);

static const rsim_schema_field outage_fields[] = {
    DUR_REQ("at"),
    DUR_REQ("duration"),
};
SCHEMA(outage_schema, "Scenario.spec.metrics.outages[]", outage_fields, NULL);

static const char *const offsets[] = {"random", "aligned", NULL};
static const char *const target_kinds[] = {"pods", "services", NULL};
static const rsim_schema_field metrics_fields[] = {
    DUR("scrapeInterval"),
    DUR("scrapeTimeout"),
    DUR("evaluationInterval"),
    ENUM("scrapeOffset", offsets),
    DUR("lookbackDelta"),
    INT("prometheusVersion", 2, 3),
    DUR("queryLatency"),
    OBJ("series", series_schema),
    ENUM("targets", target_kinds),
    {.name = "scrapeServices", .type = RSIM_FT_LIST, .elem = RSIM_FT_STRING},
    LIST_OF("recordingRules", recording_rule_schema),
    LIST_OF("alertRules", alert_rule_schema),
    OBJ("alertmanager", alertmanager_schema),
    LIST_OF("outages", outage_schema),
    {.name = "remoteWrite",
     .type = RSIM_FT_ANY,
     .flags = RSIM_F_UNSUPPORTED,
     .note = "one Prometheus is modelled; remote storage and federation add no timing the "
             "analysis sees"},
};
SCHEMA(metrics_schema, "Scenario.spec.metrics", metrics_fields, NULL);

/* analysis providers' world side */
static const char *const web_targets[] = {"canary", "stable", NULL};
static const rsim_schema_field web_fields[] = {
    STR_REQ("url"),
    ENUM("target", web_targets),
    OBJ("latency", dist_schema),
};
SCHEMA(web_schema, "Scenario.spec.analysis.web[]", web_fields, NULL);

static const rsim_schema_field job_fields[] = {
    OBJ("runTime", dist_schema),
    INT("requests", 1, MAX_COUNT),
};
SCHEMA(job_schema, "Scenario.spec.analysis.job", job_fields, NULL);

static const rsim_schema_field analysis_fields[] = {
    LIST_OF("web", web_schema),
    OBJ("job", job_schema),
};
SCHEMA(analysis_schema, "Scenario.spec.analysis", analysis_fields, NULL);

/* controller, on-call, SLO, feature flags */
static const rsim_schema_field controller_fields[] = {
    BOOLF("enabled"),
    DUR("processingDelay"),
    DUR("resyncPeriod"),
};
SCHEMA(controller_schema, "Scenario.spec.controller", controller_fields, NULL);

static const rsim_schema_field on_call_fields[] = {
    DUR("reactionTime"),
    {.name = "alerts", .type = RSIM_FT_LIST, .elem = RSIM_FT_STRING},
};
SCHEMA(on_call_schema, "Scenario.spec.onCall", on_call_fields, NULL);

static const rsim_schema_field slo_fields[] = {
    NUM("objective", 0, 1),
    DUR("window"),
    DUR("latencyThreshold"),
};
SCHEMA(slo_schema, "Scenario.spec.slo", slo_fields, NULL);

static const char *const sdks[] = {"launchdarkly-streaming",
                                   "launchdarkly-polling",
                                   "unleash",
                                   "flagsmith-local",
                                   "flagd-grpc",
                                   "flagd-http",
                                   "configmap-volume",
                                   NULL};
static const char *const deliveries[] = {"push", "poll", NULL};
static const char *const poll_phases[] = {"perPod", "aligned", NULL};
static const rsim_schema_field flags_fields[] = {
    ENUM("sdk", sdks), ENUM("delivery", deliveries), DUR("delay"),
    DUR("interval"),   ENUM("phase", poll_phases),
};
SCHEMA(flags_schema, "Scenario.spec.featureFlags", flags_fields, NULL);

/* operator timeline */
static const rsim_schema_field set_image_fields[] = {
    STR_REQ("image"),
    STR_NE("container"),
};
SCHEMA(set_image_schema, "setImage", set_image_fields, NULL);

static const rsim_schema_field promote_fields[] = {
    BOOLF("skipCurrentStep"),
    BOOLF("skipAllSteps"),
};
SCHEMA(promote_schema, "promote", promote_fields, check_promote);

static const rsim_schema_field undo_fields[] = {
    INT("toRevision", 0, INT64_MAX),
};
SCHEMA(undo_schema, "undo", undo_fields, NULL);

static const rsim_schema_field scale_fields[] = {
    STR_REQ("image"),
    {.name = "replicas", .type = RSIM_FT_INT, .flags = RSIM_F_REQUIRED, .min = 0, .max = 10000},
};
SCHEMA(scale_schema, "scale", scale_fields, NULL);

static const rsim_schema_field set_weight_fields[] = {
    STR_REQ("image"),
    {.name = "weight", .type = RSIM_FT_INT, .flags = RSIM_F_REQUIRED, .min = 0, .max = 100},
};
SCHEMA(set_weight_schema, "setWeight", set_weight_fields, NULL);

static const rsim_schema_field start_template_fields[] = {
    STR_REQ("templateName"),
    BOOLF("clusterScope"),
};
SCHEMA(start_template_schema, "startAnalysis.templates[]", start_template_fields, NULL);

static const char *const pod_hash_values[] = {"Stable", "Latest", NULL};
static const rsim_schema_field start_value_from_fields[] = {
    {.name = "podTemplateHashValue",
     .type = RSIM_FT_STRING,
     .flags = RSIM_F_REQUIRED,
     .enum_values = pod_hash_values},
};
SCHEMA(start_value_from_schema, "startAnalysis.args[].valueFrom", start_value_from_fields, NULL);

static const rsim_schema_field start_arg_fields[] = {
    STR_REQ("name"),
    STR("value"),
    OBJ("valueFrom", start_value_from_schema),
};
SCHEMA(start_arg_schema, "startAnalysis.args[]", start_arg_fields, check_start_arg);

static const rsim_schema_field start_analysis_fields[] = {
    STR_REQ("name"),
    {.name = "templates",
     .type = RSIM_FT_LIST,
     .elem = RSIM_FT_OBJECT,
     .obj = &start_template_schema,
     .flags = RSIM_F_REQUIRED | RSIM_F_NONEMPTY},
    LIST_OF("args", start_arg_schema),
};
SCHEMA(start_analysis_schema, "startAnalysis", start_analysis_fields, NULL);

static const rsim_schema_field stop_analysis_fields[] = {
    STR_REQ("name"),
};
SCHEMA(stop_analysis_schema, "stopAnalysis", stop_analysis_fields, NULL);

static const rsim_schema_field action_fields[] = {
    DUR_REQ("at"),
    STR_NE("name"),
    OBJ("setImage", set_image_schema),
    OBJ("promote", promote_schema),
    OBJ("promoteFull", empty_schema),
    OBJ("abort", empty_schema),
    OBJ("retry", empty_schema),
    OBJ("pause", empty_schema),
    OBJ("resume", empty_schema),
    OBJ("restart", empty_schema),
    OBJ("undo", undo_schema),
    OBJ("scale", scale_schema),
    OBJ("setWeight", set_weight_schema),
    OBJ("startAnalysis", start_analysis_schema),
    OBJ("stopAnalysis", stop_analysis_schema),
};
SCHEMA(action_schema, "Scenario.spec.operator[]", action_fields, check_action);

/* expectations */
static const char *const phases[] = {"Healthy", "Progressing", "Paused", "Degraded", NULL};
static const rsim_schema_field expectation_fields[] = {
    STR_NE("name"),        ENUM("phase", phases), DUR("abortedWithin"),
    DUR("promotedWithin"), DUR("detectedWithin"), INT("faultFailuresBelow", 1, INT64_MAX),
    STR_NE("after"),       STR_NE("fault"),
};
SCHEMA(expectation_schema, "Scenario.spec.expectations[]", expectation_fields, check_expectation);

/* run settings and the document */
static const rsim_schema_field run_fields[] = {
    DUR("duration"),
    INT("seed", 0, INT64_MAX),
    DUR("tick"),
};
SCHEMA(run_schema, "Scenario.spec.run", run_fields, NULL);

static const rsim_schema_field spec_fields[] = {
    STR("description"),
    {.name = "manifests", .type = RSIM_FT_LIST, .elem = RSIM_FT_STRING},
    STR_NE("rollout"),
    OBJ("run", run_schema),
    OBJ("cluster", cluster_schema),
    OBJ("traffic", traffic_schema),
    OBJ("versionDefaults", version_defaults_schema),
    LIST_OF("versions", version_schema),
    OBJ("metrics", metrics_schema),
    OBJ("analysis", analysis_schema),
    OBJ("controller", controller_schema),
    OBJ("onCall", on_call_schema),
    OBJ("slo", slo_schema),
    OBJ("featureFlags", flags_schema),
    LIST_OF("operator", action_schema),
    LIST_OF("expectations", expectation_schema),
};
SCHEMA(spec_schema, "Scenario.spec", spec_fields, check_spec);

static const char *const api_versions[] = {"rollsim/v1alpha1", NULL};
static const char *const kinds[] = {"Scenario", NULL};
static const rsim_schema_field world_fields[] = {
    {.name = "apiVersion",
     .type = RSIM_FT_STRING,
     .flags = RSIM_F_REQUIRED,
     .enum_values = api_versions},
    {.name = "kind", .type = RSIM_FT_STRING, .flags = RSIM_F_REQUIRED, .enum_values = kinds},
    OBJ_REQ("metadata", rsim_schema_object_meta),
    OBJ("spec", spec_schema),
};
const rsim_schema rsim_schema_world = {"Scenario", RSIM_SCHEMA_FIELDS(world_fields), NULL, false};
