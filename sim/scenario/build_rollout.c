/* build_rollout.c - builds a Rollout document (already checked against schema_rollout.c and the
 * hooks of check_rollout.c) into rsim_spec_rollout, applying Argo's defaults (§1-§3, §21) while
 * keeping "unset" apart where the controller needs it, and checks the Rollout's references to
 * the other loaded documents. Start at rsim_scenario_build_rollout. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

#define PATH_LEN 512

typedef struct bctx {
    rsim_build_ctx *b;
    bool ok;
} bctx;

/* ---- reading checked values ---- */

static const rsim_ynode *get(const rsim_ynode *map, const char *key)
{
    const rsim_ynode *n = map ? rsim_ynode_get(map, key) : NULL;
    if (n && n->kind == RSIM_YNODE_SCALAR && rsim_ynode_is_null(n)) {
        return NULL; /* Kubernetes reads an explicit null as absent */
    }
    return n;
}

static const rsim_ynode *get_kind(const rsim_ynode *map, const char *key, rsim_ynode_kind kind)
{
    const rsim_ynode *n = get(map, key);
    return n && n->kind == kind ? n : NULL;
}

static const char *str_or(bctx *c, const rsim_ynode *map, const char *key, const char *dflt)
{
    const rsim_ynode *n = get(map, key);
    if (!n || n->kind != RSIM_YNODE_SCALAR) {
        return dflt;
    }
    return rsim_arena_strndup(c->b->arena, n->str, n->len);
}

static bool opt_int(const rsim_ynode *map, const char *key, int64_t dflt, rsim_spec_opt_int *out)
{
    const rsim_ynode *n = get(map, key);
    out->set = n && rsim_ynode_is_int(n);
    out->value = out->set ? rsim_ynode_int(n) : dflt;
    return out->set;
}

static int64_t int_or(const rsim_ynode *map, const char *key, int64_t dflt)
{
    rsim_spec_opt_int v;
    (void)opt_int(map, key, dflt, &v);
    return v.value;
}

/* Whole seconds as a time, default applied. */
static rsim_spec_opt_time opt_secs(const rsim_ynode *map, const char *key, rsim_time dflt)
{
    rsim_spec_opt_int v;
    rsim_spec_opt_time t;
    t.set = opt_int(map, key, 0, &v);
    t.value = t.set ? RSIM_SEC(v.value) : dflt;
    return t;
}

static bool bool_or(const rsim_ynode *map, const char *key, bool dflt)
{
    const rsim_ynode *n = get(map, key);
    return n && rsim_ynode_is_bool(n) ? rsim_ynode_bool(n) : dflt;
}

static rsim_spec_int_or_pct int_or_pct(const rsim_ynode *map, const char *key, int64_t dflt_pct)
{
    rsim_spec_int_or_pct v = {.set = false, .pct = true, .value = dflt_pct};
    const rsim_ynode *n = get(map, key);
    bool pct = false;
    int64_t x = 0;
    if (n && n->kind == RSIM_YNODE_SCALAR && rsim_values_parse_int_or_percent(n->str, &pct, &x)) {
        v.set = true;
        v.pct = pct;
        v.value = x;
        v.loc = n->loc;
    }
    return v;
}

/* Paths go through vsnprintf: a path longer than PATH_LEN is cut, which only shortens a
 * message. */
static const char *fmt_path(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt_path(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(buf, PATH_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

static const char *sub(char *buf, const char *base, const char *key)
{
    return fmt_path(buf, "%s.%s", base, key);
}

static const char *item(char *buf, const char *base, const char *key, size_t i)
{
    return fmt_path(buf, "%s.%s[%zu]", base, key, i);
}

static void *alloc_array(bctx *c, size_t n, size_t size)
{
    return n ? rsim_arena_alloc(c->b->arena, n * size) : NULL;
}

/* ---- shared parts ---- */

static rsim_spec_labels build_labels(bctx *c, const rsim_ynode *map)
{
    rsim_spec_labels l = {0, NULL};
    if (!map || map->kind != RSIM_YNODE_MAP) {
        return l;
    }
    rsim_spec_label *items = alloc_array(c, map->n, sizeof(*items));
    for (size_t i = 0; i < map->n; i++) {
        items[i].key = rsim_arena_strndup(c->b->arena, map->keys[i]->str, map->keys[i]->len);
        items[i].value = rsim_arena_strndup(c->b->arena, map->items[i]->str, map->items[i]->len);
    }
    l.n = map->n;
    l.items = items;
    return l;
}

static rsim_spec_selector build_selector(bctx *c, const rsim_ynode *sel)
{
    rsim_spec_selector s;
    memset(&s, 0, sizeof(s));
    if (!sel) {
        return s;
    }
    s.loc = sel->loc;
    s.match_labels = build_labels(c, get_kind(sel, "matchLabels", RSIM_YNODE_MAP));
    const rsim_ynode *exprs = get_kind(sel, "matchExpressions", RSIM_YNODE_SEQ);
    if (!exprs) {
        return s;
    }
    rsim_spec_selector_req *reqs = alloc_array(c, exprs->n, sizeof(*reqs));
    for (size_t i = 0; i < exprs->n; i++) {
        const rsim_ynode *e = exprs->items[i];
        const char *op = str_or(c, e, "operator", "In");
        reqs[i].key = str_or(c, e, "key", "");
        reqs[i].op = strcmp(op, "NotIn") == 0          ? RSIM_SELECTOR_NOT_IN
                     : strcmp(op, "Exists") == 0       ? RSIM_SELECTOR_EXISTS
                     : strcmp(op, "DoesNotExist") == 0 ? RSIM_SELECTOR_DOES_NOT_EXIST
                                                       : RSIM_SELECTOR_IN;
        const rsim_ynode *values = get_kind(e, "values", RSIM_YNODE_SEQ);
        if (values) {
            const char **v = alloc_array(c, values->n, sizeof(*v));
            for (size_t j = 0; j < values->n; j++) {
                v[j] =
                    rsim_arena_strndup(c->b->arena, values->items[j]->str, values->items[j]->len);
            }
            reqs[i].n_values = values->n;
            reqs[i].values = v;
        }
    }
    s.n_exprs = exprs->n;
    s.exprs = reqs;
    return s;
}

/* ---- pod template ---- */

static rsim_spec_probe build_probe(const rsim_ynode *p)
{
    rsim_spec_probe pr = {.set = false,
                          .initial_delay = 0,
                          .period = RSIM_SEC(10),
                          .timeout = RSIM_SEC(1),
                          .success_threshold = 1,
                          .failure_threshold = 3};
    if (!p || p->kind != RSIM_YNODE_MAP) {
        return pr;
    }
    pr.set = true;
    pr.loc = p->loc;
    pr.initial_delay = RSIM_SEC(int_or(p, "initialDelaySeconds", 0));
    pr.period = RSIM_SEC(int_or(p, "periodSeconds", 10));
    pr.timeout = RSIM_SEC(int_or(p, "timeoutSeconds", 1));
    pr.success_threshold = int_or(p, "successThreshold", 1);
    pr.failure_threshold = int_or(p, "failureThreshold", 3);
    return pr;
}

/* requests or limits; quantities were checked by rsim_check_resource_list. */
static size_t build_resources(bctx *c, const rsim_ynode *map, const rsim_spec_resource **out)
{
    *out = NULL;
    if (!map || map->kind != RSIM_YNODE_MAP) {
        return 0;
    }
    rsim_spec_resource *r = alloc_array(c, map->n, sizeof(*r));
    for (size_t i = 0; i < map->n; i++) {
        r[i].name = rsim_arena_strndup(c->b->arena, map->keys[i]->str, map->keys[i]->len);
        r[i].loc = map->items[i]->loc;
        if (!rsim_values_parse_quantity(map->items[i]->str, &r[i].value)) {
            r[i].value = 0;
        }
    }
    *out = r;
    return map->n;
}

static double find_resource(const rsim_spec_resource *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].name, name) == 0) {
            return r[i].value;
        }
    }
    return -1;
}

static void build_container(bctx *c, const rsim_ynode *ct, rsim_spec_container *out)
{
    out->loc = ct->loc;
    out->name = str_or(c, ct, "name", "");
    out->image = str_or(c, ct, "image", "");
    const rsim_ynode *image = rsim_ynode_get(ct, "image");
    out->image_loc = image ? image->loc : ct->loc;
    const rsim_ynode *res = get_kind(ct, "resources", RSIM_YNODE_MAP);
    out->n_requests = build_resources(c, get(res, "requests"), &out->requests);
    out->n_limits = build_resources(c, get(res, "limits"), &out->limits);
    out->cpu_request = find_resource(out->requests, out->n_requests, "cpu");
    out->cpu_limit = find_resource(out->limits, out->n_limits, "cpu");
    out->memory_request = find_resource(out->requests, out->n_requests, "memory");
    out->memory_limit = find_resource(out->limits, out->n_limits, "memory");
    out->readiness = build_probe(get(ct, "readinessProbe"));
    out->liveness = build_probe(get(ct, "livenessProbe"));
    out->startup = build_probe(get(ct, "startupProbe"));
}

static void build_template(bctx *c, const rsim_ynode *t, rsim_spec_pod_template *out)
{
    out->termination_grace = RSIM_SEC(30);
    if (!t) {
        return;
    }
    out->loc = t->loc;
    const rsim_ynode *meta = get_kind(t, "metadata", RSIM_YNODE_MAP);
    out->labels = build_labels(c, get_kind(meta, "labels", RSIM_YNODE_MAP));
    const rsim_ynode *spec = get_kind(t, "spec", RSIM_YNODE_MAP);
    out->termination_grace = RSIM_SEC(int_or(spec, "terminationGracePeriodSeconds", 30));
    const rsim_ynode *cts = get_kind(spec, "containers", RSIM_YNODE_SEQ);
    if (!cts) {
        return;
    }
    rsim_spec_container *items = alloc_array(c, cts->n, sizeof(*items));
    for (size_t i = 0; i < cts->n; i++) {
        build_container(c, cts->items[i], &items[i]);
    }
    out->n_containers = cts->n;
    out->containers = items;
}

/* ---- analysis references ---- */

static size_t build_args(bctx *c, const rsim_ynode *list, const rsim_spec_rollout_arg **out)
{
    *out = NULL;
    if (!list || list->kind != RSIM_YNODE_SEQ) {
        return 0;
    }
    rsim_spec_rollout_arg *args = alloc_array(c, list->n, sizeof(*args));
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *a = list->items[i];
        args[i].loc = a->loc;
        args[i].name = str_or(c, a, "name", "");
        args[i].kind = RSIM_ROLLOUT_ARG_VALUE;
        args[i].value = str_or(c, a, "value", "");
        const rsim_ynode *from = get_kind(a, "valueFrom", RSIM_YNODE_MAP);
        if (!from) {
            continue;
        }
        const char *hash = str_or(c, from, "podTemplateHashValue", NULL);
        if (hash) {
            args[i].kind = strcmp(hash, "Stable") == 0 ? RSIM_ROLLOUT_ARG_POD_HASH_STABLE
                                                       : RSIM_ROLLOUT_ARG_POD_HASH_LATEST;
            args[i].value = "";
        } else {
            args[i].kind = RSIM_ROLLOUT_ARG_FIELD_REF;
            args[i].value = str_or(c, get_kind(from, "fieldRef", RSIM_YNODE_MAP), "fieldPath", "");
        }
    }
    *out = args;
    return list->n;
}

static size_t build_rules(bctx *c, const rsim_ynode *list, const rsim_spec_metric_rule **out)
{
    *out = NULL;
    if (!list || list->kind != RSIM_YNODE_SEQ) {
        return 0;
    }
    rsim_spec_metric_rule *r = alloc_array(c, list->n, sizeof(*r));
    for (size_t i = 0; i < list->n; i++) {
        r[i].metric_name = str_or(c, list->items[i], "metricName", "");
        r[i].limit = int_or(list->items[i], "limit", 0);
        r[i].loc = list->items[i]->loc;
    }
    *out = r;
    return list->n;
}

static rsim_spec_template_ref build_template_ref(bctx *c, const rsim_ynode *t)
{
    rsim_spec_template_ref r;
    const rsim_ynode *name = get(t, "templateName");
    r.template_name = str_or(c, t, "templateName", "");
    r.cluster_scope = bool_or(t, "clusterScope", false);
    r.loc = name ? name->loc : t->loc;
    return r;
}

static void build_analysis(bctx *c, const rsim_ynode *a, rsim_spec_rollout_analysis *out)
{
    memset(out, 0, sizeof(*out));
    if (!a || a->kind != RSIM_YNODE_MAP) {
        return;
    }
    out->set = true;
    out->loc = a->loc;
    const rsim_ynode *ts = get_kind(a, "templates", RSIM_YNODE_SEQ);
    if (ts) {
        rsim_spec_template_ref *refs = alloc_array(c, ts->n, sizeof(*refs));
        for (size_t i = 0; i < ts->n; i++) {
            refs[i] = build_template_ref(c, ts->items[i]);
        }
        out->n_templates = ts->n;
        out->templates = refs;
    }
    out->n_args = build_args(c, get(a, "args"), &out->args);
    out->n_dry_run = build_rules(c, get(a, "dryRun"), &out->dry_run);
    out->n_retention = build_rules(c, get(a, "measurementRetention"), &out->retention);
}

/* ---- canary steps ---- */

static rsim_spec_string_match build_match(bctx *c, const rsim_ynode *m)
{
    rsim_spec_string_match s = {RSIM_MATCH_EXACT, ""};
    static const char *const keys[] = {"exact", "prefix", "regex"};
    static const rsim_spec_match_kind kinds[] = {RSIM_MATCH_EXACT, RSIM_MATCH_PREFIX,
                                                 RSIM_MATCH_REGEX};
    for (size_t i = 0; i < 3; i++) {
        const char *v = str_or(c, m, keys[i], "");
        if (v[0]) {
            s.kind = kinds[i];
            s.value = v;
            break;
        }
    }
    return s;
}

static void build_header_route(bctx *c, const rsim_ynode *r, rsim_spec_header_route *out)
{
    out->name = str_or(c, r, "name", "");
    const rsim_ynode *ms = get_kind(r, "match", RSIM_YNODE_SEQ);
    if (!ms) {
        return;
    }
    rsim_spec_header_match *m = alloc_array(c, ms->n, sizeof(*m));
    for (size_t i = 0; i < ms->n; i++) {
        m[i].header = str_or(c, ms->items[i], "headerName", "");
        m[i].value = build_match(c, get(ms->items[i], "headerValue"));
    }
    out->n_match = ms->n;
    out->match = m;
}

static void build_mirror_route(bctx *c, const rsim_ynode *r, rsim_spec_mirror_route *out)
{
    out->name = str_or(c, r, "name", "");
    (void)opt_int(r, "percentage", 100, &out->percentage);
    const rsim_ynode *ms = get_kind(r, "match", RSIM_YNODE_SEQ);
    if (!ms) {
        return;
    }
    rsim_spec_mirror_match *m = alloc_array(c, ms->n, sizeof(*m));
    for (size_t i = 0; i < ms->n; i++) {
        const rsim_ynode *mm = ms->items[i];
        const rsim_ynode *method = get_kind(mm, "method", RSIM_YNODE_MAP);
        const rsim_ynode *path = get_kind(mm, "path", RSIM_YNODE_MAP);
        m[i].has_method = method != NULL;
        m[i].method = build_match(c, method);
        m[i].has_path = path != NULL;
        m[i].path = build_match(c, path);
        const rsim_ynode *hs = get_kind(mm, "headers", RSIM_YNODE_MAP);
        if (hs) {
            rsim_spec_header_match *h = alloc_array(c, hs->n, sizeof(*h));
            for (size_t j = 0; j < hs->n; j++) {
                h[j].header = rsim_arena_strndup(c->b->arena, hs->keys[j]->str, hs->keys[j]->len);
                h[j].value = build_match(c, hs->items[j]);
            }
            m[i].n_headers = hs->n;
            m[i].headers = h;
        }
    }
    out->n_match = ms->n;
    out->match = m;
}

static void build_experiment(bctx *c, const rsim_ynode *e, rsim_spec_experiment *out)
{
    const rsim_ynode *d = get(e, "duration");
    rsim_time t = 0;
    out->duration.set = d && d->kind == RSIM_YNODE_SCALAR && rsim_values_parse_duration(d->str, &t);
    out->duration.value = out->duration.set ? t : 0;
    const rsim_ynode *ts = get_kind(e, "templates", RSIM_YNODE_SEQ);
    if (ts) {
        rsim_spec_experiment_template *tpl = alloc_array(c, ts->n, sizeof(*tpl));
        for (size_t i = 0; i < ts->n; i++) {
            const rsim_ynode *x = ts->items[i];
            const char *ref = str_or(c, x, "specRef", "canary");
            tpl[i].name = str_or(c, x, "name", "");
            tpl[i].spec_ref =
                strcmp(ref, "stable") == 0 ? RSIM_SPEC_REF_STABLE : RSIM_SPEC_REF_CANARY;
            (void)opt_int(x, "replicas", 1, &tpl[i].replicas);
            tpl[i].loc = x->loc;
        }
        out->n_templates = ts->n;
        out->templates = tpl;
    }
    const rsim_ynode *as = get_kind(e, "analyses", RSIM_YNODE_SEQ);
    if (as) {
        rsim_spec_experiment_analysis *an = alloc_array(c, as->n, sizeof(*an));
        for (size_t i = 0; i < as->n; i++) {
            const rsim_ynode *x = as->items[i];
            an[i].name = str_or(c, x, "name", "");
            an[i].template_ref = build_template_ref(c, x);
            an[i].n_args = build_args(c, get(x, "args"), &an[i].args);
            an[i].required_for_completion = bool_or(x, "requiredForCompletion", false);
            an[i].loc = x->loc;
        }
        out->n_analyses = as->n;
        out->analyses = an;
    }
    out->n_dry_run = build_rules(c, get(e, "dryRun"), &out->dry_run);
}

/* pause.duration: an int (seconds), a numeric string (seconds) or a Go duration. The controller
 * converts a duration string to whole seconds, truncating (RolloutPause.DurationSeconds), so
 * "1500ms" pauses 1 s; the same truncation applies here. */
static rsim_spec_opt_time build_pause(const rsim_ynode *p)
{
    rsim_spec_opt_time t = {false, 0};
    const rsim_ynode *d = get(p, "duration");
    if (!d || d->kind != RSIM_YNODE_SCALAR) {
        return t;
    }
    int64_t secs = 0;
    rsim_time ms = 0;
    if (rsim_ynode_is_int(d)) {
        t.set = true;
        t.value = RSIM_SEC(rsim_ynode_int(d));
    } else if (rsim_values_parse_seconds(d->str, &secs)) {
        t.set = true;
        t.value = RSIM_SEC(secs);
    } else if (rsim_values_parse_duration(d->str, &ms)) {
        t.set = true;
        t.value = RSIM_SEC(ms / 1000);
    }
    return t;
}

/* §23 E1: the completion type is the first present in this order. */
static unsigned primary_type(unsigned types)
{
    static const unsigned order[] = {RSIM_STEP_PAUSE,           RSIM_STEP_SET_CANARY_SCALE,
                                     RSIM_STEP_SET_WEIGHT,      RSIM_STEP_EXPERIMENT,
                                     RSIM_STEP_ANALYSIS,        RSIM_STEP_SET_HEADER_ROUTE,
                                     RSIM_STEP_SET_MIRROR_ROUTE};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (types & order[i]) {
            return order[i];
        }
    }
    return 0;
}

static void build_step(bctx *c, const rsim_ynode *s, rsim_spec_canary_step *out)
{
    out->loc = s->loc;
    const rsim_ynode *n = NULL;
    if ((n = get(s, "setWeight")) != NULL && rsim_ynode_is_int(n)) {
        out->types |= RSIM_STEP_SET_WEIGHT;
        out->set_weight = rsim_ynode_int(n);
    }
    if ((n = get_kind(s, "pause", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_PAUSE;
        out->pause = build_pause(n);
    }
    if ((n = get_kind(s, "analysis", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_ANALYSIS;
        build_analysis(c, n, &out->analysis);
    }
    if ((n = get_kind(s, "experiment", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_EXPERIMENT;
        build_experiment(c, n, &out->experiment);
    }
    if ((n = get_kind(s, "setCanaryScale", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_SET_CANARY_SCALE;
        (void)opt_int(n, "replicas", 0, &out->set_canary_scale.replicas);
        (void)opt_int(n, "weight", 0, &out->set_canary_scale.weight);
        out->set_canary_scale.match_traffic_weight = bool_or(n, "matchTrafficWeight", false);
    }
    if ((n = get_kind(s, "setHeaderRoute", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_SET_HEADER_ROUTE;
        build_header_route(c, n, &out->header_route);
    }
    if ((n = get_kind(s, "setMirrorRoute", RSIM_YNODE_MAP)) != NULL) {
        out->types |= RSIM_STEP_SET_MIRROR_ROUTE;
        build_mirror_route(c, n, &out->mirror_route);
    }
    out->primary = primary_type(out->types);
}

/* ---- strategies ---- */

static void build_traffic_routing(bctx *c, const rsim_ynode *tr, rsim_spec_traffic_routing *out)
{
    out->set = tr != NULL;
    out->max_weight.value = 100;
    if (!tr) {
        return;
    }
    out->loc = tr->loc;
    static const char *const names[] = {"istio",      "nginx",   "alb",     "smi",
                                        "ambassador", "appMesh", "traefik", "apisix"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (get(tr, names[i])) {
            out->routers |= 1u << i;
        }
    }
    (void)opt_int(tr, "maxTrafficWeight", 100, &out->max_weight);
    const rsim_ynode *mr = get_kind(tr, "managedRoutes", RSIM_YNODE_SEQ);
    if (mr) {
        const char **names_out = alloc_array(c, mr->n, sizeof(*names_out));
        for (size_t i = 0; i < mr->n; i++) {
            names_out[i] = str_or(c, mr->items[i], "name", "");
        }
        out->n_managed_routes = mr->n;
        out->managed_routes = names_out;
    }
}

static void build_canary(bctx *c, const rsim_ynode *cn, rsim_spec_canary *out)
{
    const rsim_ynode *steps = get_kind(cn, "steps", RSIM_YNODE_SEQ);
    if (steps) {
        rsim_spec_canary_step *st = alloc_array(c, steps->n, sizeof(*st));
        for (size_t i = 0; i < steps->n; i++) {
            build_step(c, steps->items[i], &st[i]);
        }
        out->n_steps = steps->n;
        out->steps = st;
    }
    out->max_surge = int_or_pct(cn, "maxSurge", 25);
    out->max_unavailable = int_or_pct(cn, "maxUnavailable", 25);
    out->canary_service = str_or(c, cn, "canaryService", "");
    out->stable_service = str_or(c, cn, "stableService", "");
    const rsim_ynode *n = get(cn, "canaryService");
    out->canary_service_loc = n ? n->loc : cn->loc;
    n = get(cn, "stableService");
    out->stable_service_loc = n ? n->loc : cn->loc;
    build_traffic_routing(c, get_kind(cn, "trafficRouting", RSIM_YNODE_MAP), &out->traffic_routing);
    const rsim_ynode *bg = get_kind(cn, "analysis", RSIM_YNODE_MAP);
    build_analysis(c, bg, &out->background);
    out->background_starting_step = int_or(bg, "startingStep", 0);
    /* Delays exist only with traffic routing (§2.7, §2.9); basic canary uses 0. */
    rsim_time dflt = out->traffic_routing.set ? RSIM_SEC(30) : 0;
    out->scale_down_delay = opt_secs(cn, "scaleDownDelaySeconds", dflt);
    (void)opt_int(cn, "scaleDownDelayRevisionLimit", 0, &out->scale_down_delay_revision_limit);
    out->abort_scale_down_delay = opt_secs(cn, "abortScaleDownDelaySeconds", dflt);
    out->dynamic_stable_scale = bool_or(cn, "dynamicStableScale", false);
    (void)opt_int(cn, "minPodsPerReplicaSet", 0, &out->min_pods_per_replica_set);
    const rsim_ynode *rpt = get_kind(cn, "replicaProgressThreshold", RSIM_YNODE_MAP);
    if (rpt) {
        const char *type = str_or(c, rpt, "type", "Percent");
        out->has_replica_progress_threshold = true;
        out->replica_progress_type =
            strcmp(type, "Pods") == 0 ? RSIM_PROGRESS_PODS : RSIM_PROGRESS_PERCENT;
        out->replica_progress_value = int_or(rpt, "value", 100);
    }
}

static void build_blue_green(bctx *c, const rsim_ynode *bg, rsim_spec_blue_green *out)
{
    out->active_service = str_or(c, bg, "activeService", "");
    out->preview_service = str_or(c, bg, "previewService", "");
    const rsim_ynode *n = get(bg, "activeService");
    out->active_service_loc = n ? n->loc : bg->loc;
    n = get(bg, "previewService");
    out->preview_service_loc = n ? n->loc : bg->loc;
    (void)opt_int(bg, "previewReplicaCount", 0, &out->preview_replica_count);
    out->auto_promotion_enabled = bool_or(bg, "autoPromotionEnabled", true);
    out->auto_promotion_delay = RSIM_SEC(int_or(bg, "autoPromotionSeconds", 0));
    out->max_unavailable = int_or_pct(bg, "maxUnavailable", 25);
    out->scale_down_delay = opt_secs(bg, "scaleDownDelaySeconds", RSIM_SEC(30));
    (void)opt_int(bg, "scaleDownDelayRevisionLimit", 0, &out->scale_down_delay_revision_limit);
    out->abort_scale_down_delay = opt_secs(bg, "abortScaleDownDelaySeconds", RSIM_SEC(30));
    build_analysis(c, get_kind(bg, "prePromotionAnalysis", RSIM_YNODE_MAP), &out->pre_promotion);
    build_analysis(c, get_kind(bg, "postPromotionAnalysis", RSIM_YNODE_MAP), &out->post_promotion);
}

bool rsim_scenario_build_rollout(rsim_build_ctx *ctx, const rsim_ynode *doc, rsim_spec_rollout *out)
{
    bctx c = {ctx, true};
    const rsim_ynode *meta = get_kind(doc, "metadata", RSIM_YNODE_MAP);
    const rsim_ynode *spec = get_kind(doc, "spec", RSIM_YNODE_MAP);
    out->loc = doc->loc;
    out->name = str_or(&c, meta, "name", "");
    out->namespace_ = str_or(&c, meta, "namespace", "");
    out->labels = build_labels(&c, get_kind(meta, "labels", RSIM_YNODE_MAP));
    (void)opt_int(spec, "replicas", 1, &out->replicas);
    out->selector = build_selector(&c, get_kind(spec, "selector", RSIM_YNODE_MAP));
    build_template(&c, get_kind(spec, "template", RSIM_YNODE_MAP), &out->template);
    out->n_containers = out->template.n_containers;
    out->containers = out->template.containers;
    out->min_ready = RSIM_SEC(int_or(spec, "minReadySeconds", 0));
    out->revision_history_limit = int_or(spec, "revisionHistoryLimit", 10);
    out->paused = bool_or(spec, "paused", false);
    out->progress_deadline = RSIM_SEC(int_or(spec, "progressDeadlineSeconds", 600));
    out->progress_deadline_abort = bool_or(spec, "progressDeadlineAbort", false);
    out->restart_at = str_or(&c, spec, "restartAt", "");
    (void)opt_int(get_kind(spec, "rollbackWindow", RSIM_YNODE_MAP), "revisions", 0,
                  &out->rollback_window);
    const rsim_ynode *runs = get_kind(spec, "analysis", RSIM_YNODE_MAP);
    out->successful_run_history = int_or(runs, "successfulRunHistoryLimit", 5);
    out->unsuccessful_run_history = int_or(runs, "unsuccessfulRunHistoryLimit", 5);

    const rsim_ynode *strategy = get_kind(spec, "strategy", RSIM_YNODE_MAP);
    const rsim_ynode *bg = get_kind(strategy, "blueGreen", RSIM_YNODE_MAP);
    const rsim_ynode *canary = get_kind(strategy, "canary", RSIM_YNODE_MAP);
    if (bg) {
        out->strategy = RSIM_STRATEGY_BLUE_GREEN;
        build_blue_green(&c, bg, &out->blue_green);
    } else {
        out->strategy = RSIM_STRATEGY_CANARY;
        if (canary) {
            build_canary(&c, canary, &out->canary);
        } else {
            /* Only reachable for a document the checker refused; keep the struct coherent. */
            build_canary(&c, doc, &out->canary);
        }
    }
    return c.ok;
}

/* ---- references to other documents ---- */

static void ref_error(rsim_build_ctx *ctx, rsim_loc loc, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void ref_error(rsim_build_ctx *ctx, rsim_loc loc, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rsim_diag_add(ctx->sc.diag, RSIM_SEV_ERROR, RSIM_ESCHEMA, loc, path, "%s", msg);
    ctx->sc.n_errors++;
}

static bool check_template_ref(rsim_build_ctx *ctx,
                               const rsim_spec *spec,
                               const rsim_spec_template_ref *r,
                               const char *path)
{
    if (!r->template_name[0] || rsim_spec_find_template(spec, r->template_name, r->cluster_scope)) {
        return true;
    }
    ref_error(ctx, r->loc, path, "%s '%s' not found among the loaded files",
              r->cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate", r->template_name);
    return false;
}

static bool check_analysis_refs(rsim_build_ctx *ctx,
                                const rsim_spec *spec,
                                const rsim_spec_rollout_analysis *a,
                                const char *base)
{
    bool ok = true;
    for (size_t i = 0; a->set && i < a->n_templates; i++) {
        char p[PATH_LEN];
        fmt_path(p, "%s.templates[%zu].templateName", base, i);
        ok = check_template_ref(ctx, spec, &a->templates[i], p) && ok;
    }
    return ok;
}

static bool check_service_ref(
    rsim_build_ctx *ctx, const rsim_spec *spec, const char *name, rsim_loc loc, const char *path)
{
    if (!name[0] || rsim_spec_find_service(spec, name)) {
        return true;
    }
    ref_error(ctx, loc, path, "Service '%s' not found among the loaded files", name);
    return false;
}

static bool check_canary_refs(rsim_build_ctx *ctx, const rsim_spec *spec, const rsim_spec_canary *c)
{
    const char *base = "spec.strategy.canary";
    char p[PATH_LEN];
    char q[PATH_LEN];
    bool ok = check_service_ref(ctx, spec, c->canary_service, c->canary_service_loc,
                                sub(p, base, "canaryService"));
    ok = check_service_ref(ctx, spec, c->stable_service, c->stable_service_loc,
                           sub(p, base, "stableService")) &&
         ok;
    ok = check_analysis_refs(ctx, spec, &c->background, sub(p, base, "analysis")) && ok;
    for (size_t i = 0; i < c->n_steps; i++) {
        const rsim_spec_canary_step *s = &c->steps[i];
        item(p, base, "steps", i);
        ok = check_analysis_refs(ctx, spec, &s->analysis, sub(q, p, "analysis")) && ok;
        for (size_t j = 0; (s->types & RSIM_STEP_EXPERIMENT) && j < s->experiment.n_analyses; j++) {
            char r[PATH_LEN];
            fmt_path(r, "%s.experiment.analyses[%zu].templateName", p, j);
            ok = check_template_ref(ctx, spec, &s->experiment.analyses[j].template_ref, r) && ok;
        }
    }
    return ok;
}

static bool
check_blue_green_refs(rsim_build_ctx *ctx, const rsim_spec *spec, const rsim_spec_blue_green *bg)
{
    const char *base = "spec.strategy.blueGreen";
    char p[PATH_LEN];
    bool ok = check_service_ref(ctx, spec, bg->active_service, bg->active_service_loc,
                                sub(p, base, "activeService"));
    ok = check_service_ref(ctx, spec, bg->preview_service, bg->preview_service_loc,
                           sub(p, base, "previewService")) &&
         ok;
    ok = check_analysis_refs(ctx, spec, &bg->pre_promotion, sub(p, base, "prePromotionAnalysis")) &&
         ok;
    ok = check_analysis_refs(ctx, spec, &bg->post_promotion,
                             sub(p, base, "postPromotionAnalysis")) &&
         ok;
    return ok;
}

bool rsim_scenario_check_rollout_refs(rsim_build_ctx *ctx, const rsim_spec *spec)
{
    bool ok = true;
    for (size_t i = 0; i < spec->n_rollouts; i++) {
        const rsim_spec_rollout *r = &spec->rollouts[i];
        if (r->strategy == RSIM_STRATEGY_CANARY) {
            ok = check_canary_refs(ctx, spec, &r->canary) && ok;
        } else {
            ok = check_blue_green_refs(ctx, spec, &r->blue_green) && ok;
        }
    }
    return ok;
}
