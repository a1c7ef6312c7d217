/* check_rollout.c - the cross-field rules of a Rollout and of pod templates: what the Argo
 * controller's validation (pkg/apis/rollouts/validation/validation.go) and the Kubernetes API
 * server check beyond field types. Each hook runs on a mapping that the schema checker already
 * walked; values of the wrong type were reported there, so the hooks skip them silently. Messages
 * say the same as the controller's, in rollsim's words, at the offending key or value. */
#include "check_rollout.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "values.h"

/* ---- small helpers over the tree ---- */

/* "<path>.<suffix>" into buf; YAML paths are short, a truncated path only shortens a message. */
static const char *subpath(char *buf, size_t size, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static const char *subpath(char *buf, size_t size, const char *path, const char *fmt, ...)
{
    int n = snprintf(buf, size, "%s.", path);
    if (n < 0 || (size_t)n >= size) {
        return buf;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

static const rsim_ynode *get_map(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n && n->kind == RSIM_YNODE_MAP ? n : NULL;
}

static const rsim_ynode *get_seq(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n && n->kind == RSIM_YNODE_SEQ ? n : NULL;
}

/* A string scalar's text, or NULL (absent, null or not a string). */
static const char *get_str(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR || rsim_ynode_is_null(n) || !rsim_ynode_is_string(n)) {
        return NULL;
    }
    return n->str;
}

/* An integer scalar's value; false when absent or not an integer. */
static bool get_int(const rsim_ynode *map, const char *key, int64_t *out)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR || !rsim_ynode_is_int(n)) {
        return false;
    }
    *out = rsim_ynode_int(n);
    return true;
}

static bool get_bool(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n && n->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_bool(n) && rsim_ynode_bool(n);
}

/* Present and not null: how Go's omitempty pointers see a field. */
static bool has(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return n && !(n->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_null(n));
}

/* The key node of an entry (for errors about the entry as a whole), else the map itself. */
static const rsim_ynode *key_or(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *k = rsim_ynode_key(map, key);
    return k ? k : map;
}

/* ---- Kubernetes name syntaxes (k8s.io/apimachinery/pkg/util/validation) ---- */

/* DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters. */
static bool is_dns1123_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && i > 0 && i + 1 < n)) {
            return false;
        }
    }
    return true;
}

/* DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
static bool is_dns1123_subdomain(const char *s, size_t n)
{
    if (n == 0 || n > 253) {
        return false;
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            char label[64];
            size_t len = i - start;
            if (len == 0 || len > 63) {
                return false;
            }
            memcpy(label, s + start, len);
            label[len] = '\0';
            if (!is_dns1123_label(label)) {
                return false;
            }
            start = i + 1;
        }
    }
    return true;
}

/* A qualified name's name part, and a label value: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9],
 * at most 63 characters. empty_ok: label values may be empty. */
static bool is_label_token(const char *s, size_t n, bool empty_ok)
{
    if (n == 0) {
        return empty_ok;
    }
    if (n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1])) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

/* A label key: an optional DNS subdomain prefix and '/', then a name token. */
static bool is_label_key(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        return is_label_token(s, strlen(s), false);
    }
    if (strchr(slash + 1, '/')) {
        return false;
    }
    return is_dns1123_subdomain(s, (size_t)(slash - s)) &&
           is_label_token(slash + 1, strlen(slash + 1), false);
}

void rsim_check_object_meta_labels(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *labels = get_map(map, "labels");
    if (!labels) {
        return;
    }
    for (size_t i = 0; i < labels->n; i++) {
        char p[512];
        const rsim_ynode *k = labels->keys[i];
        const rsim_ynode *v = labels->items[i];
        subpath(p, sizeof(p), path, "labels.%s", k->str);
        if (!is_label_key(k->str)) {
            rsim_schema_error(ctx, k, p,
                              "'%s' is not a valid label key (an optional DNS subdomain prefix "
                              "and '/', then at most 63 letters, digits, '-', '_' or '.', "
                              "starting and ending with a letter or digit)",
                              k->str);
        }
        if (v->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_string(v) &&
            !is_label_token(v->str, v->len, true)) {
            rsim_schema_error(ctx, v, p,
                              "'%s' is not a valid label value (at most 63 letters, digits, '-', "
                              "'_' or '.', starting and ending with a letter or digit)",
                              v->str);
        }
    }
}

void rsim_check_label_selector(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *exprs = get_seq(map, "matchExpressions");
    for (size_t i = 0; exprs && i < exprs->n; i++) {
        const rsim_ynode *e = exprs->items[i];
        const char *op = get_str(e, "operator");
        if (!op) {
            continue;
        }
        const rsim_ynode *values = get_seq(e, "values");
        size_t n_values = values ? values->n : 0;
        bool needs_values = strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0;
        char p[512];
        subpath(p, sizeof(p), path, "matchExpressions[%zu].values", i);
        if (needs_values && n_values == 0) {
            rsim_schema_error(ctx, key_or(e, "operator"), p, "operator %s needs at least one value",
                              op);
        } else if (!needs_values && n_values > 0) {
            rsim_schema_error(ctx, key_or(e, "values"), p, "operator %s takes no values", op);
        }
    }
}

/* ---- pod template ---- */

static void check_container_names(rsim_schema_ctx *ctx,
                                  const rsim_ynode *list,
                                  const char *path,
                                  const char *field,
                                  const char **seen,
                                  size_t *n_seen,
                                  size_t cap)
{
    for (size_t i = 0; list && i < list->n; i++) {
        const rsim_ynode *name = rsim_ynode_get(list->items[i], "name");
        if (!name || name->kind != RSIM_YNODE_SCALAR || !rsim_ynode_is_string(name)) {
            continue;
        }
        char p[512];
        subpath(p, sizeof(p), path, "%s[%zu].name", field, i);
        if (!is_dns1123_label(name->str)) {
            rsim_schema_error(ctx, name, p,
                              "'%s' is not a valid container name (a DNS-1123 label: at most 63 "
                              "lowercase letters, digits or '-', starting and ending with a "
                              "letter or digit)",
                              name->str);
            continue;
        }
        for (size_t j = 0; j < *n_seen; j++) {
            if (strcmp(seen[j], name->str) == 0) {
                rsim_schema_error(ctx, name, p, "duplicate container name '%s'", name->str);
                break;
            }
        }
        if (*n_seen < cap) {
            seen[(*n_seen)++] = name->str;
        }
    }
}

void rsim_check_pod_spec(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    /* Names are unique across containers and init containers (API server rule). */
    const char *seen[64];
    size_t n_seen = 0;
    check_container_names(ctx, get_seq(map, "initContainers"), path, "initContainers", seen,
                          &n_seen, 64);
    check_container_names(ctx, get_seq(map, "containers"), path, "containers", seen, &n_seen, 64);
}

void rsim_check_container(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *image = rsim_ynode_get(map, "image");
    if (!image) {
        rsim_schema_error(ctx, map, path, "missing required field 'image'");
        return;
    }
    if (image->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_string(image)) {
        bool blank = true;
        for (size_t i = 0; i < image->len; i++) {
            if (!isspace((unsigned char)image->str[i])) {
                blank = false;
            }
        }
        if (blank) {
            char p[512];
            rsim_schema_error(ctx, image, subpath(p, sizeof(p), path, "image"),
                              "must name an image, got an empty string");
        }
    }
}

/* Standard resource names a container may request; anything else must be qualified with a
 * domain ("nvidia.com/gpu") or be a hugepages size. */
static const char *const standard_resources[] = {"cpu", "memory", "ephemeral-storage"};

void rsim_check_resource_list(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    if (!map || map->kind != RSIM_YNODE_MAP) {
        return;
    }
    for (size_t i = 0; i < map->n; i++) {
        const rsim_ynode *k = map->keys[i];
        const rsim_ynode *v = map->items[i];
        char p[512];
        subpath(p, sizeof(p), path, "%s", k->str);
        bool standard = false;
        for (size_t j = 0; j < sizeof(standard_resources) / sizeof(standard_resources[0]); j++) {
            standard = standard || strcmp(k->str, standard_resources[j]) == 0;
        }
        double q = 0;
        bool hugepages =
            strncmp(k->str, "hugepages-", 10) == 0 && rsim_values_parse_quantity(k->str + 10, &q);
        if (!standard && !hugepages && !strchr(k->str, '/')) {
            const char *near =
                rsim_util_nearest(k->str, standard_resources,
                                  sizeof(standard_resources) / sizeof(*standard_resources));
            if (near) {
                rsim_schema_error(ctx, k, p, "unknown resource '%s'; did you mean '%s'?", k->str,
                                  near);
            } else {
                rsim_schema_error(ctx, k, p,
                                  "unknown resource '%s' (expected cpu, memory, "
                                  "ephemeral-storage, hugepages-<size> or a domain-qualified "
                                  "name such as nvidia.com/gpu)",
                                  k->str);
            }
            continue;
        }
        if (v->kind != RSIM_YNODE_SCALAR || rsim_ynode_is_null(v) || rsim_ynode_is_bool(v)) {
            rsim_schema_error(ctx, v, p, "expected a quantity such as 128Mi or 500m, got %s",
                              rsim_ynode_describe(v));
            continue;
        }
        if (!rsim_values_parse_quantity(v->str, &q)) {
            rsim_schema_error(ctx, v, p,
                              "'%s' is not a valid quantity (examples: 128Mi, 1Gi, 128M, 500m, "
                              "0.5)",
                              v->str);
        } else if (q < 0) {
            rsim_schema_error(ctx, v, p, "must not be negative, got '%s'", v->str);
        }
    }
}

void rsim_check_resources(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *requests = get_map(map, "requests");
    const rsim_ynode *limits = get_map(map, "limits");
    if (!requests || !limits) {
        return;
    }
    for (size_t i = 0; i < requests->n; i++) {
        const rsim_ynode *req = requests->items[i];
        const rsim_ynode *lim = rsim_ynode_get(limits, requests->keys[i]->str);
        double r = 0;
        double l = 0;
        if (!lim || req->kind != RSIM_YNODE_SCALAR || lim->kind != RSIM_YNODE_SCALAR ||
            !rsim_values_parse_quantity(req->str, &r) ||
            !rsim_values_parse_quantity(lim->str, &l)) {
            continue;
        }
        if (r > l) {
            char p[512];
            subpath(p, sizeof(p), path, "requests.%s", requests->keys[i]->str);
            rsim_schema_error(ctx, req, p, "must not exceed the %s limit (%s), got %s",
                              requests->keys[i]->str, lim->str, req->str);
        }
    }
}

static void check_probe_handler(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    static const char *const handlers[] = {"exec", "httpGet", "tcpSocket", "grpc"};
    size_t n = 0;
    const char *second = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (has(map, handlers[i])) {
            if (++n == 2) {
                second = handlers[i];
            }
        }
    }
    if (n == 0) {
        rsim_schema_error(ctx, map, path,
                          "a probe needs exactly one handler: exec, httpGet, tcpSocket or grpc");
    } else if (n > 1) {
        rsim_schema_error(ctx, key_or(map, second), path,
                          "a probe needs exactly one handler: exec, httpGet, tcpSocket or grpc; "
                          "this one sets %zu",
                          n);
    }
}

void rsim_check_probe(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    check_probe_handler(ctx, map, path);
}

void rsim_check_probe_single(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    check_probe_handler(ctx, map, path);
    int64_t st = 0;
    if (get_int(map, "successThreshold", &st) && st != 1) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_get(map, "successThreshold"),
                          subpath(p, sizeof(p), path, "successThreshold"),
                          "must be 1 for liveness and startup probes, got %" PRId64, st);
    }
}

/* ---- Rollout ---- */

void rsim_check_rollout(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *meta = get_map(map, "metadata");
    if (meta && !rsim_ynode_get(meta, "name")) {
        char p[512];
        const char *mp = path[0] ? subpath(p, sizeof(p), path, "metadata") : "metadata";
        rsim_schema_error(ctx, meta, mp, "missing required field 'name'");
    }
}

/* Does one matchExpressions requirement hold for a label set? */
static bool requirement_matches(const rsim_ynode *req, const rsim_ynode *labels)
{
    const char *key = get_str(req, "key");
    const char *op = get_str(req, "operator");
    if (!key || !op) {
        return true; /* reported by the schema */
    }
    const rsim_ynode *v = labels ? rsim_ynode_get(labels, key) : NULL;
    if (strcmp(op, "Exists") == 0) {
        return v != NULL;
    }
    if (strcmp(op, "DoesNotExist") == 0) {
        return v == NULL;
    }
    bool in = false;
    const rsim_ynode *values = get_seq(req, "values");
    for (size_t i = 0; v && values && i < values->n; i++) {
        in = in || (values->items[i]->kind == RSIM_YNODE_SCALAR &&
                    strcmp(values->items[i]->str, v->str) == 0);
    }
    return strcmp(op, "In") == 0 ? in : !in;
}

static void check_selector_matches_template(rsim_schema_ctx *ctx,
                                            const rsim_ynode *selector,
                                            const rsim_ynode *template,
                                            const char *path)
{
    const rsim_ynode *meta = get_map(template, "metadata");
    const rsim_ynode *labels = meta ? get_map(meta, "labels") : NULL;
    bool ok = true;
    const rsim_ynode *match = get_map(selector, "matchLabels");
    for (size_t i = 0; match && i < match->n; i++) {
        const rsim_ynode *v = labels ? rsim_ynode_get(labels, match->keys[i]->str) : NULL;
        if (!v || v->kind != RSIM_YNODE_SCALAR || match->items[i]->kind != RSIM_YNODE_SCALAR ||
            strcmp(v->str, match->items[i]->str) != 0) {
            ok = false;
        }
    }
    const rsim_ynode *exprs = get_seq(selector, "matchExpressions");
    for (size_t i = 0; exprs && i < exprs->n; i++) {
        ok = ok && requirement_matches(exprs->items[i], labels);
    }
    if (!ok) {
        char p[512];
        const rsim_ynode *at = labels ? rsim_ynode_key(meta, "labels") : NULL;
        if (at) {
            subpath(p, sizeof(p), path, "template.metadata.labels");
        } else {
            at = key_or(template, "metadata");
            subpath(p, sizeof(p), path, "template.metadata");
        }
        rsim_schema_error(ctx, at, p,
                          "selector does not match template labels: every matchLabels entry "
                          "and matchExpressions rule of spec.selector must hold for them");
    }
}

static void check_selector(rsim_schema_ctx *ctx, const rsim_ynode *spec, const char *path)
{
    char p[512];
    const rsim_ynode *selector = rsim_ynode_get(spec, "selector");
    if (!selector) {
        rsim_schema_error(ctx, spec, path, "missing required field 'selector'");
        return;
    }
    if (selector->kind != RSIM_YNODE_MAP) {
        return;
    }
    const rsim_ynode *ml = get_map(selector, "matchLabels");
    const rsim_ynode *me = get_seq(selector, "matchExpressions");
    if ((ml ? ml->n : 0) + (me ? me->n : 0) == 0) {
        rsim_schema_error(ctx, key_or(spec, "selector"), subpath(p, sizeof(p), path, "selector"),
                          "an empty selector is invalid: set matchLabels or matchExpressions");
        return;
    }
    const rsim_ynode *template = get_map(spec, "template");
    if (template) {
        check_selector_matches_template(ctx, selector, template, path);
    }
}

void rsim_check_rollout_spec(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    char p[512];
    int64_t replicas = 0;
    if (get_int(map, "replicas", &replicas) && replicas < 0) {
        rsim_schema_error(ctx, rsim_ynode_get(map, "replicas"),
                          subpath(p, sizeof(p), path, "replicas"), "must be >= 0, got %" PRId64,
                          replicas);
    }
    check_selector(ctx, map, path);
    if (!rsim_ynode_get(map, "template") && !rsim_ynode_get(map, "workloadRef")) {
        rsim_schema_error(ctx, map, path, "missing required field 'template'");
    }
    if (!rsim_ynode_get(map, "strategy")) {
        rsim_schema_error(ctx, map, path,
                          "missing required field 'strategy' (set canary or blueGreen)");
    }

    /* progressDeadlineSeconds, defaulted to 600, must exceed minReadySeconds (§1.3). */
    int64_t min_ready = 0;
    int64_t deadline = 600;
    bool deadline_set = get_int(map, "progressDeadlineSeconds", &deadline);
    if (get_int(map, "minReadySeconds", &min_ready) && deadline <= min_ready) {
        if (deadline_set) {
            rsim_schema_error(ctx, rsim_ynode_get(map, "progressDeadlineSeconds"),
                              subpath(p, sizeof(p), path, "progressDeadlineSeconds"),
                              "must be greater than minReadySeconds (%" PRId64 "), got %" PRId64,
                              min_ready, deadline);
        } else {
            rsim_schema_error(ctx, rsim_ynode_get(map, "minReadySeconds"),
                              subpath(p, sizeof(p), path, "minReadySeconds"),
                              "must be less than progressDeadlineSeconds (600 by default), got "
                              "%" PRId64,
                              min_ready);
        }
    }

    /* A blue-green scale-down revision limit may not exceed the revision history kept. */
    int64_t history = 10;
    (void)get_int(map, "revisionHistoryLimit", &history);
    const rsim_ynode *strategy = get_map(map, "strategy");
    const rsim_ynode *bg = strategy ? get_map(strategy, "blueGreen") : NULL;
    int64_t limit = 0;
    if (bg && get_int(bg, "scaleDownDelayRevisionLimit", &limit) && limit > history) {
        rsim_schema_error(
            ctx, rsim_ynode_get(bg, "scaleDownDelayRevisionLimit"),
            subpath(p, sizeof(p), path, "strategy.blueGreen.scaleDownDelayRevisionLimit"),
            "must not exceed revisionHistoryLimit (%" PRId64 "), got %" PRId64, history, limit);
    }
}

void rsim_check_strategy(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    bool canary = has(map, "canary");
    bool bg = has(map, "blueGreen");
    if (canary && bg) {
        rsim_schema_error(ctx, rsim_ynode_key(map, "blueGreen"), path,
                          "set exactly one of 'canary' or 'blueGreen', not both");
    } else if (!canary && !bg) {
        rsim_schema_error(ctx, map, path, "set one of 'canary' or 'blueGreen'");
    }
}

/* The value of an int-or-percent field, when well formed. */
static bool get_int_or_pct(const rsim_ynode *map, const char *key, bool *pct, int64_t *value)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR) {
        return false;
    }
    return rsim_values_parse_int_or_percent(n->str, pct, value);
}

static void check_surge(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    char p[512];
    bool spct = true;
    bool upct = true;
    int64_t surge = 25;
    int64_t unavail = 25;
    bool sset = get_int_or_pct(map, "maxSurge", &spct, &surge);
    bool uset = get_int_or_pct(map, "maxUnavailable", &upct, &unavail);
    if (sset && spct && surge > 100) {
        rsim_schema_error(ctx, rsim_ynode_get(map, "maxSurge"),
                          subpath(p, sizeof(p), path, "maxSurge"),
                          "must be at most 100%%, got %" PRId64 "%%", surge);
    }
    if (uset && upct && unavail > 100) {
        rsim_schema_error(ctx, rsim_ynode_get(map, "maxUnavailable"),
                          subpath(p, sizeof(p), path, "maxUnavailable"),
                          "must be at most 100%%, got %" PRId64 "%%", unavail);
    }
    if (surge == 0 && unavail == 0) {
        rsim_schema_error(ctx, rsim_ynode_get(map, "maxSurge"),
                          subpath(p, sizeof(p), path, "maxSurge"),
                          "maxSurge and maxUnavailable cannot both be 0");
    }
}

/* Names listed in trafficRouting.managedRoutes. */
static bool managed_route_listed(const rsim_ynode *tr, const char *name)
{
    const rsim_ynode *routes = get_seq(tr, "managedRoutes");
    for (size_t i = 0; routes && i < routes->n; i++) {
        const char *n = get_str(routes->items[i], "name");
        if (n && strcmp(n, name) == 0) {
            return true;
        }
    }
    return false;
}

/* The route checks of one setHeaderRoute / setMirrorRoute step (§5.7). */
static void check_step_route(rsim_schema_ctx *ctx,
                             const rsim_ynode *step,
                             const char *field,
                             const rsim_ynode *tr,
                             const char *step_path)
{
    char p[512];
    const rsim_ynode *route = get_map(step, field);
    if (!route) {
        return;
    }
    subpath(p, sizeof(p), step_path, "%s", field);
    bool header = strcmp(field, "setHeaderRoute") == 0;
    bool router_ok = tr && (has(tr, "istio") || (header && (has(tr, "alb") || has(tr, "apisix"))));
    if (!router_ok) {
        rsim_schema_error(ctx, rsim_ynode_key(step, field), p,
                          header ? "requires trafficRouting with the istio, alb or apisix router"
                                 : "requires trafficRouting with the istio router");
        return;
    }
    const char *name = get_str(route, "name");
    if (!name) {
        return;
    }
    char np[512];
    subpath(np, sizeof(np), p, "name");
    if (!get_seq(tr, "managedRoutes")) {
        rsim_schema_error(ctx, rsim_ynode_get(route, "name"), np,
                          "route '%s' needs trafficRouting.managedRoutes to list it", name);
    } else if (!managed_route_listed(tr, name)) {
        rsim_schema_error(ctx, rsim_ynode_get(route, "name"), np,
                          "route '%s' is not listed in trafficRouting.managedRoutes", name);
    }
    /* ALB matches header values by exact value only. */
    const rsim_ynode *matches = get_seq(route, "match");
    if (header && !has(tr, "istio") && has(tr, "alb")) {
        for (size_t j = 0; matches && j < matches->n; j++) {
            const rsim_ynode *hv = get_map(matches->items[j], "headerValue");
            if (hv && (has(hv, "prefix") || has(hv, "regex"))) {
                char q[512];
                subpath(q, sizeof(q), step_path, "setHeaderRoute.match[%zu].headerValue", j);
                rsim_schema_error(ctx, hv, q, "the alb router matches headers by 'exact' only");
            }
        }
    }
}

static void
check_steps(rsim_schema_ctx *ctx, const rsim_ynode *canary, const rsim_ynode *tr, const char *path)
{
    const rsim_ynode *steps = get_seq(canary, "steps");
    int64_t max_weight = 100;
    if (tr) {
        (void)get_int(tr, "maxTrafficWeight", &max_weight);
    }
    for (size_t i = 0; steps && i < steps->n; i++) {
        const rsim_ynode *step = steps->items[i];
        if (step->kind != RSIM_YNODE_MAP) {
            continue;
        }
        char sp[512];
        char p[512];
        subpath(sp, sizeof(sp), path, "steps[%zu]", i);
        int64_t w = 0;
        if (get_int(step, "setWeight", &w) && (w < 0 || w > max_weight)) {
            rsim_schema_error(ctx, rsim_ynode_get(step, "setWeight"),
                              subpath(p, sizeof(p), sp, "setWeight"),
                              "must be 0..%" PRId64 ", got %" PRId64, max_weight, w);
        }
        if (!tr && has(step, "setCanaryScale")) {
            rsim_schema_error(ctx, rsim_ynode_key(step, "setCanaryScale"),
                              subpath(p, sizeof(p), sp, "setCanaryScale"),
                              "requires trafficRouting (a basic canary sizes the canary by its "
                              "weight)");
        }
        check_step_route(ctx, step, "setHeaderRoute", tr, sp);
        check_step_route(ctx, step, "setMirrorRoute", tr, sp);
    }

    /* Background analysis may start at any step index, or after the last (§15.2). */
    const rsim_ynode *bg = get_map(canary, "analysis");
    int64_t start = 0;
    size_t n_steps = steps ? steps->n : 0;
    if (bg && get_int(bg, "startingStep", &start) && (start < 0 || (uint64_t)start > n_steps)) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_get(bg, "startingStep"),
                          subpath(p, sizeof(p), path, "analysis.startingStep"),
                          "must be 0..%zu (the number of steps), got %" PRId64, n_steps, start);
    }
}

void rsim_check_canary(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    char p[512];
    check_surge(ctx, map, path);
    const rsim_ynode *tr = get_map(map, "trafficRouting");
    const char *canary_svc = get_str(map, "canaryService");
    const char *stable_svc = get_str(map, "stableService");
    if (canary_svc && stable_svc && canary_svc[0] && strcmp(canary_svc, stable_svc) == 0) {
        rsim_schema_error(ctx, rsim_ynode_get(map, "stableService"),
                          subpath(p, sizeof(p), path, "stableService"),
                          "canaryService and stableService must name different services (both "
                          "are '%s')",
                          canary_svc);
    }
    /* Traffic routing needs both services, except Istio subset routing (destinationRule). */
    const rsim_ynode *istio = tr ? get_map(tr, "istio") : NULL;
    if (tr && !(istio && has(istio, "destinationRule"))) {
        static const char *const svc[] = {"canaryService", "stableService"};
        for (size_t i = 0; i < 2; i++) {
            const char *v = get_str(map, svc[i]);
            if (!v || !v[0]) {
                rsim_schema_error(ctx, v ? rsim_ynode_get(map, svc[i]) : map, path,
                                  "missing required field '%s': traffic routing needs both "
                                  "canaryService and stableService",
                                  svc[i]);
            }
        }
    }
    if (!tr) {
        /* Basic canary: these only exist for traffic-routed canaries (§2.7, §2.10, §2.11). */
        static const char *const tr_only[] = {"scaleDownDelaySeconds", "minPodsPerReplicaSet"};
        for (size_t i = 0; i < 2; i++) {
            if (has(map, tr_only[i])) {
                rsim_schema_error(ctx, rsim_ynode_key(map, tr_only[i]),
                                  subpath(p, sizeof(p), path, "%s", tr_only[i]),
                                  "only valid with trafficRouting");
            }
        }
        if (get_bool(map, "dynamicStableScale")) {
            rsim_schema_error(ctx, rsim_ynode_key(map, "dynamicStableScale"),
                              subpath(p, sizeof(p), path, "dynamicStableScale"),
                              "only valid with trafficRouting");
        }
    } else if (get_bool(map, "dynamicStableScale") && has(map, "scaleDownDelaySeconds")) {
        rsim_schema_error(ctx, rsim_ynode_key(map, "dynamicStableScale"),
                          subpath(p, sizeof(p), path, "dynamicStableScale"),
                          "cannot be combined with scaleDownDelaySeconds");
    }
    check_steps(ctx, map, tr, path);
}

void rsim_check_canary_step(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    /* §23 E1: at least one step field; at most one of the four "main" types. */
    static const char *const main_types[] = {"setWeight", "pause", "experiment", "analysis"};
    static const char *const all_types[] = {"setWeight",      "pause",          "experiment",
                                            "analysis",       "setCanaryScale", "setHeaderRoute",
                                            "setMirrorRoute", "plugin"};
    const char *first = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (!has(map, main_types[i])) {
            continue;
        }
        if (!first) {
            first = main_types[i];
            continue;
        }
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_key(map, main_types[i]),
                          subpath(p, sizeof(p), path, "%s", main_types[i]),
                          "a step sets at most one of setWeight, pause, experiment and analysis; "
                          "this one also sets %s",
                          first);
        break;
    }
    bool any = false;
    for (size_t i = 0; i < 8; i++) {
        any = any || has(map, all_types[i]);
    }
    if (!any && map->n == 0) {
        rsim_schema_error(ctx, map, path,
                          "a step must set one of setWeight, pause, experiment, analysis, "
                          "setCanaryScale, setHeaderRoute or setMirrorRoute");
    }
}

void rsim_check_pause(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const rsim_ynode *d = rsim_ynode_get(map, "duration");
    if (!d || d->kind != RSIM_YNODE_SCALAR) {
        return;
    }
    char p[512];
    subpath(p, sizeof(p), path, "duration");
    if (rsim_ynode_is_int(d)) {
        if (rsim_ynode_int(d) < 0) {
            rsim_schema_error(ctx, d, p, "must not be negative, got %" PRId64, rsim_ynode_int(d));
        }
        return;
    }
    /* A numeric string means seconds ("30"); negative duration strings are the checker's. */
    int64_t secs = 0;
    if (rsim_values_parse_seconds(d->str, &secs) && secs < 0) {
        rsim_schema_error(ctx, d, p, "must not be negative, got '%s'", d->str);
    }
}

/* Names within a list of maps must be unique. */
static void check_unique_names(rsim_schema_ctx *ctx,
                               const rsim_ynode *list,
                               const char *path,
                               const char *field,
                               const char *what)
{
    for (size_t i = 0; list && i < list->n; i++) {
        const char *a = get_str(list->items[i], "name");
        for (size_t j = 0; a && j < i; j++) {
            const char *b = get_str(list->items[j], "name");
            if (b && strcmp(a, b) == 0) {
                char p[512];
                rsim_schema_error(ctx, rsim_ynode_get(list->items[i], "name"),
                                  subpath(p, sizeof(p), path, "%s[%zu].name", field, i),
                                  "duplicate %s name '%s'", what, a);
                break;
            }
        }
    }
}

void rsim_check_experiment(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    check_unique_names(ctx, get_seq(map, "templates"), path, "templates", "template");
    check_unique_names(ctx, get_seq(map, "analyses"), path, "analyses", "analysis");
}

void rsim_check_blue_green(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const char *active = get_str(map, "activeService");
    const char *preview = get_str(map, "previewService");
    if (active && preview && strcmp(active, preview) == 0) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_get(map, "previewService"),
                          subpath(p, sizeof(p), path, "previewService"),
                          "activeService and previewService must name different services (both "
                          "are '%s')",
                          active);
    }
}

void rsim_check_traffic_routing(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    /* §2.4: the weight denominator is only honoured by nginx (and router plugins). */
    if (has(map, "maxTrafficWeight") && !has(map, "nginx") && !has(map, "plugins")) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_key(map, "maxTrafficWeight"),
                          subpath(p, sizeof(p), path, "maxTrafficWeight"),
                          "only valid with the nginx router");
    }
}

void rsim_check_anti_affinity(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    bool pref = has(map, "preferredDuringSchedulingIgnoredDuringExecution");
    bool req = has(map, "requiredDuringSchedulingIgnoredDuringExecution");
    if (pref == req) {
        rsim_schema_error(ctx, map, path,
                          "set exactly one of preferredDuringSchedulingIgnoredDuringExecution and "
                          "requiredDuringSchedulingIgnoredDuringExecution");
    }
}

void rsim_check_string_match(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    size_t n = 0;
    static const char *const kinds[] = {"exact", "prefix", "regex"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = get_str(map, kinds[i]);
        n += v && v[0] ? 1u : 0u;
    }
    if (n != 1) {
        rsim_schema_error(ctx, map, path, "set exactly one of exact, prefix or regex%s",
                          n == 0 ? "" : ", not several");
    }
}

void rsim_check_analysis_arg(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    if (has(map, "value") && has(map, "valueFrom")) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_key(map, "valueFrom"),
                          subpath(p, sizeof(p), path, "valueFrom"),
                          "set either value or valueFrom, not both");
    }
}

void rsim_check_arg_value_from(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    if (has(map, "podTemplateHashValue") == has(map, "fieldRef")) {
        rsim_schema_error(ctx, map, path,
                          "set exactly one of podTemplateHashValue (Stable or Latest) and "
                          "fieldRef");
    }
}

/* The metadata paths the controller resolves for an argument (the downward API subset):
 * metadata.name, .namespace, .uid, .labels['k'], .annotations['k']. */
static bool is_supported_field_path(const char *s)
{
    static const char *const plain[] = {"metadata.name", "metadata.namespace", "metadata.uid"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(s, plain[i]) == 0) {
            return true;
        }
    }
    static const char *const keyed[] = {"metadata.labels['", "metadata.annotations['"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(keyed[i]);
        size_t len = strlen(s);
        if (strncmp(s, keyed[i], n) == 0 && len > n + 2 && strcmp(s + len - 2, "']") == 0) {
            return true;
        }
    }
    return false;
}

void rsim_check_field_ref(rsim_schema_ctx *ctx, const rsim_ynode *map, const char *path)
{
    const char *fp = get_str(map, "fieldPath");
    if (fp && strncmp(fp, "metadata", 8) == 0 && !is_supported_field_path(fp)) {
        char p[512];
        rsim_schema_error(ctx, rsim_ynode_get(map, "fieldPath"),
                          subpath(p, sizeof(p), path, "fieldPath"),
                          "unsupported field path '%s'; use metadata.name, metadata.namespace, "
                          "metadata.uid, metadata.labels['<key>'] or "
                          "metadata.annotations['<key>']",
                          fp);
    }
}
