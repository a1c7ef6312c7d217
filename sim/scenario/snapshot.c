/* snapshot.c - a snapshot of real objects to an rsim_spec_snapshot: one Rollout with its status,
 * its ReplicaSets and AnalysisRuns, as `kubectl get ... -o yaml` (or -o json) prints them.
 * The Rollout's spec goes through the scenario's own schema and builder (so a snapshot accepts
 * exactly what a scenario accepts); status, ReplicaSets and AnalysisRuns have tables here that
 * accept every field the API server writes. Also: the pod-template comparison that finds the
 * ReplicaSet of the current template, and RFC 3339 times. Start at load_snapshot. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"
#include "scenario_snapshot.h"

#define SNAP_MAX_FILE_BYTES ((size_t)16 << 20)

#define LABEL_POD_HASH      "rollouts-pod-template-hash"
#define ANN_REVISION        "rollout.argoproj.io/revision"
#define ANN_DESIRED         "rollout.argoproj.io/desired-replicas"
#define ANN_SCALE_DOWN      "scale-down-deadline"
#define ANN_SCALE_DOWN_FULL "rollout.argoproj.io/scale-down-deadline"
#define LABEL_ROLLOUT_TYPE  "rollout-type"
#define LABEL_STEP_INDEX    "step-index"

struct rsim_scenario_snapshot {
    rsim_arena arena;
    rsim_spec_snapshot snap;
    uint64_t template_digest;
};

/* ------------------------------------------------------------------------------------------ */
/* Schemas of the status, ReplicaSet and AnalysisRun                                          */
/* ------------------------------------------------------------------------------------------ */

#define NE  RSIM_F_NO_EFFECT
#define REQ RSIM_F_REQUIRED
#define I32 INT32_MAX
#define FS(n, fl)                                          \
    {                                                      \
        .name = (n), .type = RSIM_FT_STRING, .flags = (fl) \
    }
#define FB(n, fl)                                        \
    {                                                    \
        .name = (n), .type = RSIM_FT_BOOL, .flags = (fl) \
    }
#define FI(n, fl)                                                                   \
    {                                                                               \
        .name = (n), .type = RSIM_FT_INT, .flags = (fl), .min = 0, .max = INT32_MAX \
    }
#define FA(n)                                                       \
    {                                                               \
        .name = (n), .type = RSIM_FT_ANY, .flags = RSIM_F_NO_EFFECT \
    }
#define FO(n, fl, sch)                                                   \
    {                                                                    \
        .name = (n), .type = RSIM_FT_OBJECT, .flags = (fl), .obj = (sch) \
    }
#define FL(n, fl, sch)                                                                         \
    {                                                                                          \
        .name = (n), .type = RSIM_FT_LIST, .elem = RSIM_FT_OBJECT, .flags = (fl), .obj = (sch) \
    }
#define FE(n, fl, vals)                                                           \
    {                                                                             \
        .name = (n), .type = RSIM_FT_STRING, .flags = (fl), .enum_values = (vals) \
    }
#define TABLE(nm, arr)                                                      \
    {                                                                       \
        .name = (nm), RSIM_SCHEMA_FIELDS(arr), .check = NULL, .open = false \
    }

static const char *const pause_reasons[] = {
    "CanaryPauseStep", "BlueGreenPause", "InconclusiveAnalysisRun", "InconclusiveExperiment", NULL};
static const rsim_schema_field pause_condition_fields[] = {
    FE("reason", REQ, pause_reasons),
    FS("startTime", REQ),
};
static const rsim_schema pause_condition = TABLE("PauseCondition", pause_condition_fields);

static const char *const condition_statuses[] = {"True", "False", "Unknown", NULL};
static const rsim_schema_field condition_fields[] = {
    FS("type", REQ),          FE("status", REQ, condition_statuses),
    FS("lastUpdateTime", NE), FS("lastTransitionTime", NE),
    FS("reason", NE),         FS("message", NE),
};
static const rsim_schema condition = TABLE("RolloutCondition", condition_fields);

static const char *const analysis_phases[] = {"Pending", "Running",      "Successful", "Failed",
                                              "Error",   "Inconclusive", NULL};
static const rsim_schema_field run_status_fields[] = {
    FS("name", REQ),
    FE("status", NE, analysis_phases),
    FS("message", NE),
};
static const rsim_schema run_status = TABLE("RolloutAnalysisRunStatus", run_status_fields);

static const rsim_schema_field weight_dest_fields[] = {
    FI("weight", 0),
    FS("serviceName", NE),
    FS("podTemplateHash", NE),
};
static const rsim_schema weight_dest = TABLE("WeightDestination", weight_dest_fields);

static const rsim_schema_field weights_fields[] = {
    FO("canary", 0, &weight_dest),
    FO("stable", 0, &weight_dest),
    FL("additional", 0, &weight_dest),
    FB("verified", NE),
};
static const rsim_schema weights = TABLE("TrafficWeights", weights_fields);

static const rsim_schema_field canary_status_fields[] = {
    FO("currentStepAnalysisRunStatus", 0, &run_status),
    FO("currentBackgroundAnalysisRunStatus", 0, &run_status),
    FS("currentExperiment", 0),
    FO("weights", 0, &weights),
    FA("stablePingPong"),
    FA("stepPluginStatuses"),
};
static const rsim_schema canary_status = TABLE("CanaryStatus", canary_status_fields);

static const rsim_schema_field blue_green_status_fields[] = {
    FS("previewSelector", 0),
    FS("activeSelector", 0),
    FB("scaleUpPreviewCheckPoint", 0),
    FO("prePromotionAnalysisRunStatus", 0, &run_status),
    FO("postPromotionAnalysisRunStatus", 0, &run_status),
};
static const rsim_schema blue_green_status = TABLE("BlueGreenStatus", blue_green_status_fields);

static const rsim_schema_field rollout_status_fields[] = {
    FB("abort", 0),
    FL("pauseConditions", 0, &pause_condition),
    FB("controllerPause", 0),
    FS("abortedAt", 0),
    FS("currentPodHash", 0),
    FS("currentStepHash", 0),
    FI("replicas", 0),
    FI("updatedReplicas", 0),
    FI("readyReplicas", 0),
    FI("availableReplicas", 0),
    FI("currentStepIndex", 0),
    FI("collisionCount", NE),
    {.name = "observedGeneration", .type = RSIM_FT_INT_OR_STRING, .flags = NE},
    FL("conditions", 0, &condition),
    FO("canary", 0, &canary_status),
    FO("blueGreen", 0, &blue_green_status),
    FI("HPAReplicas", 0),
    FS("selector", 0),
    FS("stableRS", 0),
    FS("restartedAt", 0),
    FB("promoteFull", 0),
    FE("phase", 0, ((const char *const[]){"Healthy", "Degraded", "Progressing", "Paused", NULL})),
    FS("message", 0),
    FA("workloadObservedGeneration"),
    FA("alb"),
    FA("albs"),
};
static const rsim_schema rollout_status = TABLE("Rollout.status", rollout_status_fields);

static const rsim_schema_field rs_spec_fields[] = {
    FI("replicas", 0),
    FI("minReadySeconds", 0),
    FA("selector"),
    FO("template", REQ, &rsim_schema_pod_template_spec),
};
static const rsim_schema rs_spec = TABLE("ReplicaSet.spec", rs_spec_fields);

static const rsim_schema_field rs_status_fields[] = {
    FI("replicas", 0),          FI("fullyLabeledReplicas", 0), FI("readyReplicas", 0),
    FI("availableReplicas", 0), FI("terminatingReplicas", NE), FA("observedGeneration"),
    FA("conditions"),
};
static const rsim_schema rs_status = TABLE("ReplicaSet.status", rs_status_fields);

static const rsim_schema_field rs_fields[] = {
    FE("apiVersion", REQ, ((const char *const[]){"apps/v1", NULL})),
    FE("kind", REQ, ((const char *const[]){"ReplicaSet", NULL})),
    FO("metadata", REQ, &rsim_schema_object_meta),
    FO("spec", REQ, &rs_spec),
    FO("status", 0, &rs_status),
};
static const rsim_schema replica_set = TABLE("ReplicaSet", rs_fields);

static const rsim_schema_field ar_spec_fields[] = {
    FA("metrics"),     FA("args"), FB("terminate", 0), FA("dryRun"), FA("measurementRetention"),
    FA("ttlStrategy"),
};
static const rsim_schema ar_spec = TABLE("AnalysisRun.spec", ar_spec_fields);

static const rsim_schema_field ar_status_fields[] = {
    FE("phase", 0, analysis_phases),
    FS("message", 0),
    FS("startedAt", 0),
    FA("completedAt"),
    FA("metricResults"),
    FA("runSummary"),
    FA("dryRunSummary"),
};
static const rsim_schema ar_status = TABLE("AnalysisRun.status", ar_status_fields);

static const rsim_schema_field ar_fields[] = {
    FE("apiVersion", REQ, ((const char *const[]){"argoproj.io/v1alpha1", NULL})),
    FE("kind", REQ, ((const char *const[]){"AnalysisRun", NULL})),
    FO("metadata", REQ, &rsim_schema_object_meta),
    FO("spec", REQ, &ar_spec),
    FO("status", 0, &ar_status),
};
static const rsim_schema analysis_run = TABLE("AnalysisRun", ar_fields);

/* ------------------------------------------------------------------------------------------ */
/* RFC 3339                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool rsim_scenario_parse_rfc3339(const char *s, rsim_time *out)
{
    int64_t y = 0;
    int64_t mo = 0;
    int64_t d = 0;
    int64_t h = 0;
    int64_t mi = 0;
    int64_t sec = 0;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec)) {
        return false;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) {
        return false;
    }
    const char *p = s + 19;
    int64_t ms = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 3) {
                ms = ms * 10 + (*p - '0');
            }
            n++;
            p++;
        }
        if (n == 0) {
            return false;
        }
        for (; n < 3; n++) {
            ms *= 10;
        }
    }
    int64_t offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int64_t oh = 0;
        int64_t om = 0;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59) {
            return false;
        }
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0') {
        return false;
    }
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    *out = secs * 1000 + ms;
    return true;
}

void rsim_scenario_format_rfc3339(rsim_time t, char *buf, size_t size)
{
    int64_t ms = t % 1000;
    int64_t secs = t / 1000;
    if (ms < 0) {
        ms += 1000;
        secs--;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* civil_from_days (H. Hinnant). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (ms == 0) {
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    } else {
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, (int)m, (int)d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)ms);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Pod-template comparison                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* The ReplicaSet of the current template is the one whose spec.template equals the Rollout's,
 * compared as Argo's PodTemplateEqualIgnoreHash does: the rollouts-pod-template-hash label is
 * removed on both sides, the Kubernetes defaults are applied to the Rollout's template (the API
 * server applied them to the ReplicaSet's), and Kubernetes' semantic equality treats an empty
 * map or list like an absent one and compares resource quantities by value. Rollsim mirrors it
 * on the YAML trees:
 *  - maps: every key present on both sides must compare equal; a key present on one side only
 *    is allowed when its value is empty (null, {}, [] or "") or is the value Kubernetes defaults
 *    at that place (the table below);
 *  - lists: same length, items compared in order;
 *  - scalars: integers as integers, booleans as booleans, quantities under resources.requests /
 *    limits by value, everything else as strings. */

typedef struct tdefault {
    const char *path; /* dotted, with [] for any list index */
    const char *value;
} tdefault;

static const tdefault template_defaults[] = {
    {"spec.restartPolicy", "Always"},
    {"spec.dnsPolicy", "ClusterFirst"},
    {"spec.schedulerName", "default-scheduler"},
    {"spec.terminationGracePeriodSeconds", "30"},
    {"spec.containers[].terminationMessagePath", "/dev/termination-log"},
    {"spec.containers[].terminationMessagePolicy", "File"},
    {"spec.containers[].ports[].protocol", "TCP"},
    {"spec.initContainers[].terminationMessagePath", "/dev/termination-log"},
    {"spec.initContainers[].terminationMessagePolicy", "File"},
    {"spec.initContainers[].ports[].protocol", "TCP"},
    {"spec.containers[].env[].valueFrom.fieldRef.apiVersion", "v1"},
    {"spec.volumes[].configMap.defaultMode", "420"},
    {"spec.volumes[].secret.defaultMode", "420"},
};

/* Probe timings and handler defaults, for every probe of every container. */
static const tdefault probe_defaults[] = {
    {"timeoutSeconds", "1"},   {"periodSeconds", "10"},    {"successThreshold", "1"},
    {"failureThreshold", "3"}, {"httpGet.scheme", "HTTP"},
};

static bool is_empty(const rsim_ynode *n)
{
    if (n->kind == RSIM_YNODE_SCALAR) {
        return rsim_ynode_is_null(n) || (n->style != RSIM_YSCALAR_PLAIN && n->len == 0);
    }
    return n->n == 0;
}

/* imagePullPolicy defaults to Always for an image without a tag (or tagged :latest) and no
 * digest, else IfNotPresent. */
static const char *pull_policy_default(const rsim_ynode *container)
{
    const rsim_ynode *img = container ? rsim_ynode_get(container, "image") : NULL;
    if (!img || img->kind != RSIM_YNODE_SCALAR) {
        return "IfNotPresent";
    }
    if (strchr(img->str, '@')) {
        return "IfNotPresent";
    }
    const char *slash = strrchr(img->str, '/');
    const char *colon = strrchr(slash ? slash : img->str, ':');
    if (!colon || strcmp(colon, ":latest") == 0) {
        return "Always";
    }
    return "IfNotPresent";
}

/* Does the path (with [] for indices) end in a probe field? Then *rest is the part after it. */
static bool probe_suffix(const char *path, const char **rest)
{
    static const char *const probes[] = {".readinessProbe.", ".livenessProbe.", ".startupProbe."};
    for (size_t i = 0; i < 3; i++) {
        const char *p = strstr(path, probes[i]);
        if (p && strncmp(path, "spec.", 5) == 0) {
            *rest = p + strlen(probes[i]);
            return true;
        }
    }
    return false;
}

static bool scalar_is(const rsim_ynode *v, const char *value)
{
    return v->kind == RSIM_YNODE_SCALAR && strcmp(v->str, value) == 0;
}

/* A key present on one side only: allowed when empty or the Kubernetes default there. */
static bool one_sided_ok(const char *path, const rsim_ynode *v, const rsim_ynode *container)
{
    if (is_empty(v)) {
        return true;
    }
    if (strcmp(path, "metadata.labels." LABEL_POD_HASH) == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof(template_defaults) / sizeof(template_defaults[0]); i++) {
        if (strcmp(path, template_defaults[i].path) == 0) {
            return scalar_is(v, template_defaults[i].value);
        }
    }
    const char *rest = NULL;
    if (probe_suffix(path, &rest)) {
        for (size_t i = 0; i < sizeof(probe_defaults) / sizeof(probe_defaults[0]); i++) {
            if (strcmp(rest, probe_defaults[i].path) == 0) {
                return scalar_is(v, probe_defaults[i].value);
            }
        }
    }
    size_t n = strlen(path);
    const char *suffix = "].imagePullPolicy";
    size_t sn = strlen(suffix);
    if (n > sn && strcmp(path + n - sn, suffix) == 0) {
        return scalar_is(v, pull_policy_default(container));
    }
    return false;
}

static bool scalars_equal(const char *path, const rsim_ynode *a, const rsim_ynode *b)
{
    if (rsim_ynode_is_int(a) && rsim_ynode_is_int(b)) {
        return rsim_ynode_int(a) == rsim_ynode_int(b);
    }
    if (rsim_ynode_is_bool(a) && rsim_ynode_is_bool(b)) {
        return rsim_ynode_bool(a) == rsim_ynode_bool(b);
    }
    if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) {
        return true;
    }
    if (strstr(path, ".resources.requests.") || strstr(path, ".resources.limits.")) {
        double x = 0;
        double y = 0;
        return rsim_values_parse_quantity(a->str, &x) && rsim_values_parse_quantity(b->str, &y) &&
               x == y; /* NOLINT(clang-diagnostic-float-equal): exact decimal parse */
    }
    return false;
}

#define TPATH_MAX 512

/* NOLINTBEGIN(misc-no-recursion): bounded by the tree depth, which the parser limits (64). */
static bool
tree_equal(const char *path, const rsim_ynode *a, const rsim_ynode *b, const rsim_ynode *container)
{
    if (is_empty(a) && is_empty(b)) {
        return true;
    }
    if (a->kind != b->kind) {
        return false;
    }
    char sub[TPATH_MAX];
    if (a->kind == RSIM_YNODE_SCALAR) {
        return scalars_equal(path, a, b);
    }
    if (a->kind == RSIM_YNODE_SEQ) {
        if (a->n != b->n) {
            return false;
        }
        bool containers =
            strstr(path, "ontainers") != NULL &&
            (strcmp(path, "spec.containers") == 0 || strcmp(path, "spec.initContainers") == 0);
        for (size_t i = 0; i < a->n; i++) {
            snprintf(sub, sizeof(sub), "%s[]", path);
            const rsim_ynode *c = containers ? a->items[i] : container;
            if (!tree_equal(sub, a->items[i], b->items[i], c)) {
                return false;
            }
        }
        return true;
    }
    /* Maps: keys of a, then keys of b missing from a. */
    for (size_t i = 0; i < a->n; i++) {
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", a->keys[i]->str);
        if (strcmp(sub, "metadata.labels." LABEL_POD_HASH) == 0) {
            continue;
        }
        const rsim_ynode *bv = rsim_ynode_get(b, a->keys[i]->str);
        if (bv ? !tree_equal(sub, a->items[i], bv, container)
               : !one_sided_ok(sub, a->items[i], container)) {
            return false;
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        if (rsim_ynode_get(a, b->keys[i]->str)) {
            continue;
        }
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", b->keys[i]->str);
        if (!one_sided_ok(sub, b->items[i], container)) {
            return false;
        }
    }
    return true;
}

/* NOLINTEND(misc-no-recursion) */

/* An order-independent digest of a template tree, the hash label and empty values left out. */
/* NOLINTNEXTLINE(misc-no-recursion): bounded by the tree depth, which the parser limits (64). */
static uint64_t tree_digest(const rsim_ynode *n, int depth)
{
    if (is_empty(n)) {
        return 0;
    }
    if (n->kind == RSIM_YNODE_SCALAR) {
        return rsim_util_hash64(n->str, n->len);
    }
    uint64_t h = n->kind == RSIM_YNODE_SEQ ? 0x5eu : 0x3au;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == RSIM_YNODE_SEQ) {
            h = h * 1099511628211u ^ tree_digest(n->items[i], depth + 1);
        } else if (!(depth == 1 && strcmp(n->keys[i]->str, LABEL_POD_HASH) == 0)) {
            uint64_t k = rsim_util_hash64(n->keys[i]->str, n->keys[i]->len);
            h += k * 31u ^ tree_digest(n->items[i], depth + 1); /* sum: key order free */
        }
    }
    return h;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct found {
    const rsim_ynode *doc;
    const char *path; /* YAML path prefix: "" or "items[3]" */
} found;

typedef struct snap_loader {
    rsim_scenario_snapshot *s;
    rsim_diag *diag;
    const char *file;
    rsim_schema_ctx sc;
    RSIM_VEC(found) rollouts;
    RSIM_VEC(found) rsets;
    RSIM_VEC(found) runs;
    rsim_time newest;
} snap_loader;

static void error_at(snap_loader *l, const rsim_ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error_at(snap_loader *l, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    rsim_schema_error(&l->sc, at, path, "%s", msg);
}

static const char *join(char *buf, size_t size, const char *prefix, const char *rest)
{
    snprintf(buf, size, "%s%s%s", prefix, *prefix && *rest ? "." : "", rest);
    return buf;
}

static const rsim_ynode *get(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = map && map->kind == RSIM_YNODE_MAP ? rsim_ynode_get(map, key) : NULL;
    return n && n->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_null(n) ? NULL : n;
}

static const char *str_of(snap_loader *l, const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR) {
        return "";
    }
    return rsim_arena_strndup(&l->s->arena, n->str, n->len);
}

static int64_t int_of(const rsim_ynode *map, const char *key, int64_t dflt)
{
    const rsim_ynode *n = get(map, key);
    return n && rsim_ynode_is_int(n) ? rsim_ynode_int(n) : dflt;
}

static bool bool_of(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = get(map, key);
    return n && rsim_ynode_is_bool(n) && rsim_ynode_bool(n);
}

/* A time field: RFC 3339, reported otherwise. Updates the newest timestamp. */
static rsim_spec_opt_time
time_of(snap_loader *l, const rsim_ynode *map, const char *key, const char *path)
{
    rsim_spec_opt_time t = {false, 0};
    const rsim_ynode *n = get(map, key);
    if (!n) {
        return t;
    }
    if (n->kind != RSIM_YNODE_SCALAR || !rsim_scenario_parse_rfc3339(n->str, &t.value)) {
        char p[512];
        error_at(l, n, join(p, sizeof(p), path, key),
                 "expected an RFC 3339 time such as \"2024-05-01T10:00:00Z\", got '%s'",
                 n->kind == RSIM_YNODE_SCALAR ? n->str : rsim_ynode_describe(n));
        return t;
    }
    t.set = true;
    if (t.value > l->newest) {
        l->newest = t.value;
    }
    return t;
}

static rsim_spec_labels labels_of(snap_loader *l, const rsim_ynode *map)
{
    rsim_spec_labels out = {0, NULL};
    if (!map || map->kind != RSIM_YNODE_MAP || map->n == 0) {
        return out;
    }
    rsim_spec_label *items = rsim_arena_alloc(&l->s->arena, map->n * sizeof(*items));
    for (size_t i = 0; i < map->n; i++) {
        items[i].key = map->keys[i]->str;
        items[i].value = map->items[i]->kind == RSIM_YNODE_SCALAR ? map->items[i]->str : "";
    }
    out.n = map->n;
    out.items = items;
    return out;
}

/* An integer written in an annotation or label (a string): reported when malformed. */
static rsim_spec_opt_int
int_label(snap_loader *l, const rsim_ynode *map, const char *key, const char *path)
{
    rsim_spec_opt_int v = {false, 0};
    const rsim_ynode *n = get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR) {
        return v;
    }
    char *end = NULL;
    long long x = strtoll(n->str, &end, 10);
    if (n->len == 0 || *end != '\0' || x < 0) {
        char p[512];
        error_at(l, n, join(p, sizeof(p), path, key), "expected a non-negative integer, got '%s'",
                 n->str);
        return v;
    }
    v.set = true;
    v.value = x;
    return v;
}

/* The name of the Rollout that controls an object (ownerReferences with controller: true, or
 * the only Rollout owner); NULL when no Rollout owns it. *other_kind is set to the kind of a
 * non-Rollout controller. */
static const rsim_ynode *rollout_owner(const rsim_ynode *meta, const char **other_kind)
{
    const rsim_ynode *refs = get(meta, "ownerReferences");
    *other_kind = NULL;
    for (size_t i = 0; refs && refs->kind == RSIM_YNODE_SEQ && i < refs->n; i++) {
        const rsim_ynode *kind = get(refs->items[i], "kind");
        const rsim_ynode *name = get(refs->items[i], "name");
        if (!kind || !name || kind->kind != RSIM_YNODE_SCALAR) {
            continue;
        }
        if (strcmp(kind->str, "Rollout") == 0) {
            return name;
        }
        if (bool_of(refs->items[i], "controller")) {
            *other_kind = kind->str;
        }
    }
    return NULL;
}

static void build_run_ref(snap_loader *l, const rsim_ynode *map, rsim_spec_run_status_ref *out)
{
    out->set = map != NULL;
    out->name = str_of(l, map, "name");
    out->status = str_of(l, map, "status");
    out->message = str_of(l, map, "message");
}

static void build_weight(snap_loader *l, const rsim_ynode *map, rsim_spec_weight_dest *out)
{
    out->weight = int_of(map, "weight", 0);
    out->service_name = str_of(l, map, "serviceName");
    out->pod_template_hash = str_of(l, map, "podTemplateHash");
}

static void build_pause_conditions(snap_loader *l,
                                   const rsim_ynode *list,
                                   const char *path,
                                   rsim_spec_rollout_status *st)
{
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return;
    }
    rsim_spec_pause_condition *pc = rsim_arena_alloc(&l->s->arena, list->n * sizeof(*pc));
    for (size_t i = 0; i < list->n; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s.pauseConditions[%zu]", path, i);
        pc[i].reason = str_of(l, list->items[i], "reason");
        pc[i].start_time = time_of(l, list->items[i], "startTime", p).value;
        pc[i].loc = list->items[i]->loc;
    }
    st->n_pause_conditions = list->n;
    st->pause_conditions = pc;
}

static void build_conditions(snap_loader *l,
                             const rsim_ynode *list,
                             const char *path,
                             rsim_spec_rollout_status *st)
{
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return;
    }
    rsim_spec_rollout_condition *c = rsim_arena_alloc(&l->s->arena, list->n * sizeof(*c));
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *it = list->items[i];
        char p[512];
        snprintf(p, sizeof(p), "%s.conditions[%zu]", path, i);
        c[i].type = str_of(l, it, "type");
        c[i].status = str_of(l, it, "status");
        c[i].reason = str_of(l, it, "reason");
        c[i].message = str_of(l, it, "message");
        c[i].last_update = time_of(l, it, "lastUpdateTime", p).value;
        c[i].last_transition = time_of(l, it, "lastTransitionTime", p).value;
        c[i].loc = it->loc;
    }
    st->n_conditions = list->n;
    st->conditions = c;
}

static void build_status(snap_loader *l, const rsim_ynode *node, const char *path)
{
    rsim_spec_rollout_status *st = &l->s->snap.status;
    st->loc = node ? node->loc : l->s->snap.rollout.loc;
    st->set = node && node->kind == RSIM_YNODE_MAP && node->n > 0;
    st->abort = bool_of(node, "abort");
    st->controller_pause = bool_of(node, "controllerPause");
    st->promote_full = bool_of(node, "promoteFull");
    st->aborted_at = time_of(l, node, "abortedAt", path);
    st->restarted_at = time_of(l, node, "restartedAt", path);
    st->current_pod_hash = str_of(l, node, "currentPodHash");
    st->current_step_hash = str_of(l, node, "currentStepHash");
    st->stable_rs = str_of(l, node, "stableRS");
    st->phase = str_of(l, node, "phase");
    st->message = str_of(l, node, "message");
    st->selector = str_of(l, node, "selector");
    st->observed_generation = str_of(l, node, "observedGeneration");
    const rsim_ynode *idx = get(node, "currentStepIndex");
    st->current_step_index.set = idx && rsim_ynode_is_int(idx);
    st->current_step_index.value = st->current_step_index.set ? rsim_ynode_int(idx) : 0;
    const rsim_ynode *cc = get(node, "collisionCount");
    st->collision_count.set = cc && rsim_ynode_is_int(cc);
    st->collision_count.value = st->collision_count.set ? rsim_ynode_int(cc) : 0;
    st->replicas = int_of(node, "replicas", 0);
    st->updated_replicas = int_of(node, "updatedReplicas", 0);
    st->ready_replicas = int_of(node, "readyReplicas", 0);
    st->available_replicas = int_of(node, "availableReplicas", 0);
    st->hpa_replicas = int_of(node, "HPAReplicas", 0);
    build_pause_conditions(l, get(node, "pauseConditions"), path, st);
    build_conditions(l, get(node, "conditions"), path, st);

    const rsim_ynode *canary = get(node, "canary");
    build_run_ref(l, get(canary, "currentStepAnalysisRunStatus"), &st->step_analysis);
    build_run_ref(l, get(canary, "currentBackgroundAnalysisRunStatus"), &st->background_analysis);
    st->current_experiment = str_of(l, canary, "currentExperiment");
    const rsim_ynode *w = get(canary, "weights");
    st->has_weights = w != NULL;
    build_weight(l, get(w, "canary"), &st->canary_weight);
    build_weight(l, get(w, "stable"), &st->stable_weight);
    const rsim_ynode *add = get(w, "additional");
    if (add && add->kind == RSIM_YNODE_SEQ && add->n > 0) {
        rsim_spec_weight_dest *d = rsim_arena_alloc(&l->s->arena, add->n * sizeof(*d));
        for (size_t i = 0; i < add->n; i++) {
            build_weight(l, add->items[i], &d[i]);
        }
        st->n_additional_weights = add->n;
        st->additional_weights = d;
    }
    const rsim_ynode *bg = get(node, "blueGreen");
    st->preview_selector = str_of(l, bg, "previewSelector");
    st->active_selector = str_of(l, bg, "activeSelector");
    st->scale_up_preview_checkpoint = bool_of(bg, "scaleUpPreviewCheckPoint");
    build_run_ref(l, get(bg, "prePromotionAnalysisRunStatus"), &st->pre_promotion_analysis);
    build_run_ref(l, get(bg, "postPromotionAnalysisRunStatus"), &st->post_promotion_analysis);
}

/* The Rollout document without its status: the scenario schema and builder read the rest. */
static rsim_ynode *without_status(snap_loader *l, const rsim_ynode *doc)
{
    rsim_ynode *copy = rsim_arena_alloc(&l->s->arena, sizeof(*copy));
    *copy = *doc;
    copy->keys = rsim_arena_alloc(&l->s->arena, (doc->n + 1) * sizeof(rsim_ynode *));
    copy->items = rsim_arena_alloc(&l->s->arena, (doc->n + 1) * sizeof(rsim_ynode *));
    copy->n = 0;
    for (size_t i = 0; i < doc->n; i++) {
        if (strcmp(doc->keys[i]->str, "status") != 0) {
            copy->keys[copy->n] = doc->keys[i];
            copy->items[copy->n] = doc->items[i];
            copy->n++;
        }
    }
    return copy;
}

static bool load_rollout(snap_loader *l, const found *f)
{
    const rsim_ynode *spec_doc = without_status(l, f->doc);
    rsim_build_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.sc = l->sc;
    ctx.sc.n_errors = 0;
    ctx.arena = &l->s->arena;
    ctx.dir = ".";
    bool ok = rsim_schema_check(&ctx.sc, spec_doc, &rsim_schema_rollout, f->path) &&
              rsim_scenario_build_rollout(&ctx, spec_doc, &l->s->snap.rollout);
    l->sc.n_errors += ctx.sc.n_errors;
    const rsim_ynode *meta = get(f->doc, "metadata");
    char sp[256];
    (void)time_of(l, meta, "creationTimestamp", join(sp, sizeof(sp), f->path, "metadata"));
    l->s->snap.restart_at =
        time_of(l, get(f->doc, "spec"), "restartAt", join(sp, sizeof(sp), f->path, "spec"));
    const rsim_ynode *status = get(f->doc, "status");
    char p[256];
    join(p, sizeof(p), f->path, "status");
    bool status_ok = !status || rsim_schema_check(&l->sc, status, &rollout_status, p);
    if (ok) {
        /* Built even after a schema error, so that malformed times are reported too. */
        build_status(l, status, p);
        const rsim_ynode *tpl = get(get(f->doc, "spec"), "template");
        l->s->template_digest = tpl ? tree_digest(tpl, 0) : 0;
    }
    ok = ok && status_ok;
    return ok;
}

/* Checks an owned object's owner; reports one owned by another Rollout. Returns false when the
 * object is not this Rollout's (reported or noted). */
static bool owned(snap_loader *l, const found *f, const char *what)
{
    const rsim_ynode *meta = get(f->doc, "metadata");
    const char *name = str_of(l, meta, "name");
    const char *other = NULL;
    const rsim_ynode *owner = rollout_owner(meta, &other);
    const char *mine = l->s->snap.rollout.name;
    if (owner && strcmp(owner->str, mine) == 0) {
        return true;
    }
    if (owner) {
        char p[256];
        error_at(l, owner, join(p, sizeof(p), f->path, "metadata.ownerReferences"),
                 "%s '%s' belongs to Rollout '%s', not to '%s'; a snapshot holds one Rollout and "
                 "its own objects",
                 what, name, owner->str, mine);
        return false;
    }
    const rsim_ynode *kind = get(f->doc, "kind");
    if (other) {
        rsim_diag_add(l->diag, RSIM_SEV_NOTE, RSIM_OK, kind->loc, NULL,
                      "skipped %s '%s': owned by a %s, not by Rollout '%s'", what, name, other,
                      mine);
    } else {
        rsim_diag_add(l->diag, RSIM_SEV_NOTE, RSIM_OK, kind->loc, NULL,
                      "skipped %s '%s': no ownerReference to Rollout '%s'", what, name, mine);
    }
    return false;
}

static bool load_replica_set(snap_loader *l, const found *f, rsim_spec_replica_set *rs)
{
    if (!rsim_schema_check(&l->sc, f->doc, &replica_set, f->path) || !owned(l, f, "ReplicaSet")) {
        return false;
    }
    char p[256];
    const rsim_ynode *meta = get(f->doc, "metadata");
    const rsim_ynode *spec = get(f->doc, "spec");
    const rsim_ynode *status = get(f->doc, "status");
    const rsim_ynode *labels = get(meta, "labels");
    const rsim_ynode *ann = get(meta, "annotations");
    join(p, sizeof(p), f->path, "metadata.annotations");
    rs->name = str_of(l, meta, "name");
    rs->pod_template_hash = str_of(l, labels, LABEL_POD_HASH);
    rs->revision = int_label(l, ann, ANN_REVISION, p);
    rs->desired_replicas = int_label(l, ann, ANN_DESIRED, p);
    rs->scale_down_deadline = time_of(l, ann, ANN_SCALE_DOWN_FULL, p);
    if (!rs->scale_down_deadline.set) {
        rs->scale_down_deadline = time_of(l, ann, ANN_SCALE_DOWN, p);
    }
    rs->labels = labels_of(l, labels);
    rs->annotations = labels_of(l, ann);
    rs->created = time_of(l, meta, "creationTimestamp", join(p, sizeof(p), f->path, "metadata"));
    rs->replicas = int_of(spec, "replicas", 1);
    rs->min_ready_seconds = int_of(spec, "minReadySeconds", 0);
    rs->status_replicas = int_of(status, "replicas", 0);
    rs->ready_replicas = int_of(status, "readyReplicas", 0);
    rs->available_replicas = int_of(status, "availableReplicas", 0);
    rs->fully_labeled_replicas = int_of(status, "fullyLabeledReplicas", 0);
    rs->loc = f->doc->loc;
    if (!*rs->pod_template_hash) {
        const rsim_ynode *at = labels ? labels : meta;
        error_at(l, at, join(p, sizeof(p), f->path, "metadata.labels"),
                 "missing required label '" LABEL_POD_HASH "' (every ReplicaSet of a Rollout has "
                 "it)");
        return false;
    }
    return true;
}

static bool load_run(snap_loader *l, const found *f, rsim_spec_analysis_run_obj *ar)
{
    if (!rsim_schema_check(&l->sc, f->doc, &analysis_run, f->path) || !owned(l, f, "AnalysisRun")) {
        return false;
    }
    char p[256];
    const rsim_ynode *meta = get(f->doc, "metadata");
    const rsim_ynode *labels = get(meta, "labels");
    const rsim_ynode *status = get(f->doc, "status");
    ar->name = str_of(l, meta, "name");
    ar->pod_template_hash = str_of(l, labels, LABEL_POD_HASH);
    ar->rollout_type = str_of(l, labels, LABEL_ROLLOUT_TYPE);
    ar->step_index =
        int_label(l, labels, LABEL_STEP_INDEX, join(p, sizeof(p), f->path, "metadata.labels"));
    ar->labels = labels_of(l, labels);
    ar->created = time_of(l, meta, "creationTimestamp", join(p, sizeof(p), f->path, "metadata"));
    ar->terminate = bool_of(get(f->doc, "spec"), "terminate");
    ar->phase = str_of(l, status, "phase");
    ar->message = str_of(l, status, "message");
    ar->started_at = time_of(l, status, "startedAt", join(p, sizeof(p), f->path, "status"));
    ar->loc = f->doc->loc;
    return true;
}

static void collect(snap_loader *l, const rsim_ynode *doc, const char *path, bool in_list);

/* NOLINTNEXTLINE(misc-no-recursion): one level only, as a List inside a List is refused. */
static void collect_list(snap_loader *l, const rsim_ynode *doc)
{
    const rsim_ynode *items = get(doc, "items");
    if (!items) {
        return;
    }
    if (items->kind != RSIM_YNODE_SEQ) {
        error_at(l, items, "items", "expected a list, got %s", rsim_ynode_describe(items));
        return;
    }
    for (size_t i = 0; i < items->n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "items[%zu]", i);
        collect(l, items->items[i], rsim_arena_strdup(&l->s->arena, path), true);
    }
}

/* Sorts one document by kind. */
/* NOLINTNEXTLINE(misc-no-recursion): one level only (see collect_list). */
static void collect(snap_loader *l, const rsim_ynode *doc, const char *path, bool in_list)
{
    if (doc->kind != RSIM_YNODE_MAP) {
        error_at(l, doc, path,
                 "expected a Kubernetes object (a mapping with apiVersion and kind), got %s",
                 rsim_ynode_describe(doc));
        return;
    }
    const rsim_ynode *kind = get(doc, "kind");
    const rsim_ynode *api = get(doc, "apiVersion");
    if (!kind || !api || !rsim_ynode_is_string(kind) || !rsim_ynode_is_string(api)) {
        error_at(l, doc, path, "missing required field '%s'",
                 !kind || !rsim_ynode_is_string(kind) ? "kind" : "apiVersion");
        return;
    }
    size_t klen = strlen(kind->str);
    if (klen >= 4 && strcmp(kind->str + klen - 4, "List") == 0) {
        if (in_list) {
            error_at(l, kind, path, "a List inside a List is not allowed");
        } else {
            collect_list(l, doc);
        }
        return;
    }
    found f = {doc, path};
    if (strcmp(kind->str, "Rollout") == 0) {
        RSIM_VEC_PUSH(l->rollouts, f);
    } else if (strcmp(kind->str, "ReplicaSet") == 0) {
        RSIM_VEC_PUSH(l->rsets, f);
    } else if (strcmp(kind->str, "AnalysisRun") == 0) {
        RSIM_VEC_PUSH(l->runs, f);
    } else {
        const rsim_ynode *name = get(get(doc, "metadata"), "name");
        rsim_diag_add(l->diag, RSIM_SEV_NOTE, RSIM_OK, kind->loc, NULL,
                      "skipped %s '%s': `rollsim reconcile` reads a Rollout, its ReplicaSets and "
                      "its AnalysisRuns",
                      kind->str, name && name->kind == RSIM_YNODE_SCALAR ? name->str : "");
    }
}

/* Exactly one Rollout; its objects must be its own. */
static bool pick_rollout(snap_loader *l)
{
    if (l->rollouts.n == 0) {
        rsim_loc loc = {l->file, 0, 0, 0};
        rsim_diag_add(l->diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, loc, NULL,
                      "no Rollout in the snapshot; save one with `kubectl get rollout NAME -o "
                      "yaml` (with its ReplicaSets and AnalysisRuns)");
        return false;
    }
    if (l->rollouts.n > 1) {
        const found *first = &l->rollouts.items[0];
        for (size_t i = 1; i < l->rollouts.n; i++) {
            const rsim_ynode *kind = get(l->rollouts.items[i].doc, "kind");
            char p[128];
            error_at(l, kind, join(p, sizeof(p), l->rollouts.items[i].path, "kind"),
                     "a second Rollout (first at line %d); a snapshot holds exactly one",
                     first->doc->loc.line);
        }
        return false;
    }
    return true;
}

/* Duplicate names among owned objects of one kind are reported. */
static void check_duplicate_names(snap_loader *l)
{
    const rsim_spec_snapshot *s = &l->s->snap;
    for (size_t i = 0; i < s->n_replica_sets; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->replica_sets[i].name, s->replica_sets[j].name) == 0 ||
                strcmp(s->replica_sets[i].pod_template_hash,
                       s->replica_sets[j].pod_template_hash) == 0) {
                rsim_diag_add(l->diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, s->replica_sets[i].loc, NULL,
                              "ReplicaSet '%s' repeats the name or pod-template hash of '%s' "
                              "(line %d)",
                              s->replica_sets[i].name, s->replica_sets[j].name,
                              s->replica_sets[j].loc.line);
                l->sc.n_errors++;
            }
        }
    }
    for (size_t i = 0; i < s->n_analysis_runs; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->analysis_runs[i].name, s->analysis_runs[j].name) == 0) {
                rsim_diag_add(l->diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, s->analysis_runs[i].loc, NULL,
                              "duplicate AnalysisRun '%s' (first at line %d)",
                              s->analysis_runs[i].name, s->analysis_runs[j].loc.line);
                l->sc.n_errors++;
            }
        }
    }
}

static void load_objects(snap_loader *l)
{
    if (!pick_rollout(l)) {
        return;
    }
    const found *rf = &l->rollouts.items[0];
    bool rollout_ok = load_rollout(l, rf);
    if (!rollout_ok) {
        return; /* owners cannot be judged without the Rollout's name */
    }
    rsim_arena *a = &l->s->arena;
    const rsim_ynode *tpl = get(get(rf->doc, "spec"), "template");
    rsim_spec_replica_set *rsets =
        l->rsets.n ? rsim_arena_alloc(a, l->rsets.n * sizeof(*rsets)) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < l->rsets.n; i++) {
        memset(&rsets[n], 0, sizeof(rsets[n]));
        const rsim_ynode *rs_doc = l->rsets.items[i].doc;
        if (load_replica_set(l, &l->rsets.items[i], &rsets[n])) {
            const rsim_ynode *rs_tpl = get(get(rs_doc, "spec"), "template");
            rsets[n].matches_template = tpl && rs_tpl && tree_equal("", tpl, rs_tpl, NULL);
            n++;
        }
    }
    l->s->snap.n_replica_sets = n;
    l->s->snap.replica_sets = rsets;
    rsim_spec_analysis_run_obj *runs =
        l->runs.n ? rsim_arena_alloc(a, l->runs.n * sizeof(*runs)) : NULL;
    n = 0;
    for (size_t i = 0; i < l->runs.n; i++) {
        memset(&runs[n], 0, sizeof(runs[n]));
        if (load_run(l, &l->runs.items[i], &runs[n])) {
            n++;
        }
    }
    l->s->snap.n_analysis_runs = n;
    l->s->snap.analysis_runs = runs;
    check_duplicate_names(l);
}

static rsim_err load_text(
    const char *name, const char *text, size_t len, rsim_diag *diag, rsim_scenario_snapshot **out)
{
    rsim_scenario_snapshot *s = rsim_xcalloc(1, sizeof(*s));
    rsim_arena_init(&s->arena);
    snap_loader l;
    memset(&l, 0, sizeof(l));
    l.s = s;
    l.diag = diag;
    l.file = rsim_arena_strdup(&s->arena, name);
    l.sc.diag = diag;
    l.sc.file = l.file;
    s->snap.file = l.file;
    rsim_yfile *yf = NULL;
    if (rsim_ynode_parse(&s->arena, name, text, len, diag, &yf) != RSIM_OK) {
        rsim_scenario_snapshot_free(s);
        return RSIM_EPARSE;
    }
    l.file = yf->path;
    l.sc.file = yf->path;
    for (size_t i = 0; i < yf->n_docs; i++) {
        if (yf->docs[i].root) {
            collect(&l, yf->docs[i].root, "", false);
        }
    }
    size_t before = rsim_diag_error_count(diag);
    load_objects(&l);
    free(l.rollouts.items);
    free(l.rsets.items);
    free(l.runs.items);
    s->snap.newest = l.newest;
    if (rsim_diag_error_count(diag) > before || l.sc.n_errors > 0) {
        rsim_scenario_snapshot_free(s);
        return RSIM_ESCHEMA;
    }
    *out = s;
    return RSIM_OK;
}

rsim_err rsim_scenario_load_snapshot_string(
    const char *name, const char *text, size_t len, rsim_diag *diag, rsim_scenario_snapshot **out)
{
    *out = NULL;
    return load_text(name, text, len, diag, out);
}

rsim_err
rsim_scenario_load_snapshot(const char *path, rsim_diag *diag, rsim_scenario_snapshot **out)
{
    *out = NULL;
    rsim_buf b;
    rsim_buf_init(&b, SNAP_MAX_FILE_BYTES);
    if (rsim_buf_read_file(&b, path, diag) != RSIM_OK) {
        rsim_buf_fini(&b);
        return RSIM_EIO;
    }
    rsim_err err = load_text(path, b.data ? b.data : "", b.len, diag, out);
    rsim_buf_fini(&b);
    return err;
}

const rsim_spec_snapshot *rsim_scenario_snapshot_spec(const rsim_scenario_snapshot *s)
{
    return &s->snap;
}

uint64_t rsim_scenario_snapshot_template_digest(const rsim_scenario_snapshot *s)
{
    return s->template_digest;
}

void rsim_scenario_snapshot_free(rsim_scenario_snapshot *s)
{
    if (!s) {
        return;
    }
    rsim_arena_fini(&s->arena);
    free(s);
}
