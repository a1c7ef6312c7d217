/* build_analysis.c - builds AnalysisTemplate, ClusterAnalysisTemplate and v1 Service documents
 * (already checked against schema_analysis.c) into the typed structs of spec_analysis.h, and
 * applies the rules a table cannot express: Argo's metric validation (utils/analysis), the
 * `{{args.x}}` placeholder rules, RE2 syntax of dryRun/measurementRetention patterns, the web
 * provider's body rules, Job and Service constraints, and the syntax of every condition and
 * Prometheus query that holds no placeholder (parsed here only to validate; the analysis layer
 * parses them again when a run starts). Every problem is reported, not only the first. Start at
 * rsim_scenario_build_analysis_template. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "scenario_int.h"

#define PATH_MAX_LEN   512
#define WALK_MAX_DEPTH 64                    /* YAML nesting followed by the tree walkers */
#define JSON_MAX_BYTES ((size_t)1024 * 1024) /* a jsonBody larger than this is refused */

typedef struct tctx {
    rsim_build_ctx *b;
    const rsim_spec_analysis_arg *args; /* declared args, for placeholder checks */
    size_t n_args;
    bool ok;
} tctx;

static void err(tctx *t, const rsim_ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void unsup(tctx *t, const rsim_ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void err(tctx *t, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    rsim_schema_error(&t->b->sc, at, path, "%s", msg);
    t->ok = false;
}

/* "<path>: not supported yet: <why>", with the RSIM_EUNSUPPORTED code. */
static void unsup(tctx *t, const rsim_ynode *at, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    rsim_schema_unsupported(&t->b->sc, at, path, "%s", msg);
    t->ok = false;
}

/* A YAML path is a message prefix: one longer than the buffer is cut, never overflowed. The
 * length is checked so that the compiler knows truncation is handled. */
static const char *sub(char *buf, const char *base, const char *key)
{
    int n = snprintf(buf, PATH_MAX_LEN, "%s.%s", base, key);
    if (n < 0) {
        buf[0] = '\0';
    }
    return buf;
}

static const char *item(char *buf, const char *base, size_t i)
{
    int n = snprintf(buf, PATH_MAX_LEN, "%s[%zu]", base, i);
    if (n < 0) {
        buf[0] = '\0';
    }
    return buf;
}

static const char *str_or(const rsim_ynode *map, const char *key, const char *dflt)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return (n && n->kind == RSIM_YNODE_SCALAR && !rsim_ynode_is_null(n)) ? n->str : dflt;
}

static int64_t int_or(const rsim_ynode *map, const char *key, int64_t dflt)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return (n && rsim_ynode_is_int(n)) ? rsim_ynode_int(n) : dflt;
}

static bool bool_or(const rsim_ynode *map, const char *key, bool dflt)
{
    const rsim_ynode *n = rsim_ynode_get(map, key);
    return (n && rsim_ynode_is_bool(n)) ? rsim_ynode_bool(n) : dflt;
}

static bool has_placeholder(const char *s)
{
    return strstr(s, "{{") != NULL;
}

/* ---- placeholders ------------------------------------------------------------------------ */

static const rsim_spec_analysis_arg *find_arg(const tctx *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_args; i++) {
        if (strlen(t->args[i].name) == len && memcmp(t->args[i].name, name, len) == 0) {
            return &t->args[i];
        }
    }
    return NULL;
}

/* Argo resolves placeholders over the whole metric with fasttemplate: every `{{tag}}` (spaces
 * trimmed) must be `args.<declared name>`, or the run fails. A Secret has no value in the model,
 * so an argument read from one may only feed headers and credentials, which have no effect. */
static void check_tag(tctx *t, const rsim_ynode *n, const char *path, const char *tag, size_t len)
{
    while (len > 0 && (*tag == ' ' || *tag == '\t')) {
        tag++;
        len--;
    }
    while (len > 0 && (tag[len - 1] == ' ' || tag[len - 1] == '\t')) {
        len--;
    }
    if (len < 5 || strncmp(tag, "args.", 5) != 0) {
        err(t, n, path,
            "cannot resolve placeholder '{{%.*s}}'; only {{args.<name>}} is substituted", (int)len,
            tag);
        return;
    }
    const rsim_spec_analysis_arg *a = find_arg(t, tag + 5, len - 5);
    if (!a) {
        err(t, n, path, "argument '%.*s' is not declared in spec.args", (int)(len - 5), tag + 5);
        return;
    }
    if (a->source == RSIM_SPEC_ARG_SECRET && !strstr(path, ".headers[") &&
        !strstr(path, ".authentication.")) {
        unsup(t, n, path,
              "argument '%s' comes from a Secret, which rollsim does not model; "
              "use it only in headers",
              a->name);
    }
}

static void check_placeholders_in(tctx *t, const rsim_ynode *n, const char *path)
{
    const char *s = n->str;
    const char *open;
    while ((open = strstr(s, "{{")) != NULL) {
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            err(t, n, path, "unterminated placeholder: '{{' without '}}'");
            return;
        }
        check_tag(t, n, path, open + 2, (size_t)(close - open - 2));
        s = close + 2;
    }
}

/* Recursion is bounded by WALK_MAX_DEPTH. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void walk_placeholders(tctx *t, const rsim_ynode *n, const char *path, int depth)
{
    char p[PATH_MAX_LEN];
    if (!n || depth > WALK_MAX_DEPTH) {
        return;
    }
    switch (n->kind) {
    case RSIM_YNODE_SCALAR:
        check_placeholders_in(t, n, path);
        break;
    case RSIM_YNODE_MAP:
        for (size_t i = 0; i < n->n; i++) {
            walk_placeholders(t, n->items[i], sub(p, path, n->keys[i]->str), depth + 1);
        }
        break;
    case RSIM_YNODE_SEQ:
        for (size_t i = 0; i < n->n; i++) {
            walk_placeholders(t, n->items[i], item(p, path, i), depth + 1);
        }
        break;
    }
}

/* ---- typed values that may hold placeholders ---------------------------------------------- */

/* An int-or-string field (count and the limits). Unset: dflt. */
static void read_int_arg(tctx *t,
                         const rsim_ynode *map,
                         const char *key,
                         const char *base,
                         int64_t dflt,
                         rsim_spec_arg_value *out)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *n = rsim_ynode_get(map, key);
    out->value = dflt;
    out->loc = map->loc;
    if (!n || rsim_ynode_is_null(n)) {
        return;
    }
    out->set = true;
    out->loc = n->loc;
    if (rsim_ynode_is_int(n)) {
        out->value = rsim_ynode_int(n);
    } else if (has_placeholder(n->str)) {
        out->raw = rsim_arena_strdup(t->b->arena, n->str);
        out->value = 0;
    } else if (!rsim_util_parse_int64(n->str, &out->value)) {
        err(t, n, sub(p, base, key), "expected an integer or a {{args.name}} placeholder, got '%s'",
            n->str);
    }
}

/* interval and initialDelay: Go duration strings, or placeholders. */
static void read_duration_arg(
    tctx *t, const rsim_ynode *map, const char *key, const char *base, rsim_spec_arg_value *out)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *n = rsim_ynode_get(map, key);
    out->loc = map->loc;
    if (!n || rsim_ynode_is_null(n) || n->str[0] == '\0') {
        return; /* Argo treats "" as unset */
    }
    out->set = true;
    out->loc = n->loc;
    if (has_placeholder(n->str)) {
        out->raw = rsim_arena_strdup(t->b->arena, n->str);
        return;
    }
    rsim_time d = 0;
    if (!rsim_values_parse_duration(n->str, &d)) {
        err(t, n, sub(p, base, key), "expected a duration such as \"30s\" or \"5m\", got '%s'",
            n->str);
    } else if (d < 0) {
        err(t, n, sub(p, base, key), "must not be negative, got '%s'", n->str);
    } else {
        out->value = d;
    }
}

static bool known(const rsim_spec_arg_value *v)
{
    return v->raw == NULL;
}

static void check_min(
    tctx *t, const rsim_ynode *map, const char *base, const char *key, const rsim_spec_arg_value *v)
{
    char p[PATH_MAX_LEN];
    if (v->set && known(v) && v->value < 0) {
        err(t, rsim_ynode_get(map, key), sub(p, base, key), "must be >= 0, got %" PRId64, v->value);
    }
}

/* Argo's ValidateMetric (utils/analysis), plus the effective count (§4.3). */
static void check_limits(tctx *t, const rsim_ynode *m, const char *base, rsim_spec_metric *out)
{
    char p[PATH_MAX_LEN];
    const rsim_spec_arg_value *fl = &out->failure_limit;
    const rsim_spec_arg_value *csl = &out->consecutive_success_limit;
    check_min(t, m, base, "count", &out->count);
    check_min(t, m, base, "inconclusiveLimit", &out->inconclusive_limit);
    check_min(t, m, base, "consecutiveErrorLimit", &out->consecutive_error_limit);
    check_min(t, m, base, "consecutiveSuccessLimit", csl);
    if (fl->set && known(fl) && fl->value < -1) {
        err(t, rsim_ynode_get(m, "failureLimit"), sub(p, base, "failureLimit"),
            "must be >= 0 (or -1 with consecutiveSuccessLimit), got %" PRId64, fl->value);
    } else if (fl->set && known(fl) && fl->value == -1 && known(csl) && csl->value <= 0) {
        err(t, rsim_ynode_get(m, "failureLimit"), sub(p, base, "failureLimit"),
            "-1 disables failureLimit only together with consecutiveSuccessLimit (§4.5)");
    }
    rsim_spec_arg_value *c = &out->count;
    if (!known(c)) {
        return;
    }
    const rsim_ynode *cn = rsim_ynode_get(m, "count");
    if (c->value > 1 && !out->interval.set) {
        err(t, cn, sub(p, base, "count"), "interval must be set when count > 1 (§4.3)");
    }
    const struct {
        const char *name;
        const rsim_spec_arg_value *v;
    } lims[] = {{"failureLimit", fl},
                {"inconclusiveLimit", &out->inconclusive_limit},
                {"consecutiveSuccessLimit", csl}};
    for (size_t i = 0; i < sizeof lims / sizeof lims[0]; i++) {
        if (c->value > 0 && known(lims[i].v) && c->value < lims[i].v->value) {
            err(t, cn, sub(p, base, "count"), "must be >= %s (%" PRId64 "), got %" PRId64,
                lims[i].name, lims[i].v->value, c->value);
        }
    }
    if (c->value <= 0) { /* count 0 is unset (§4.3) */
        c->value = out->interval.set ? RSIM_SPEC_COUNT_UNBOUNDED : 1;
    }
}

/* ---- providers ---------------------------------------------------------------------------- */

static const rsim_spec_http_header *read_headers(tctx *t, const rsim_ynode *map, size_t *n_out)
{
    const rsim_ynode *list = rsim_ynode_get(map, "headers");
    *n_out = 0;
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return NULL;
    }
    rsim_spec_http_header *h = rsim_arena_alloc(t->b->arena, list->n * sizeof *h);
    for (size_t i = 0; i < list->n; i++) {
        h[i].key = rsim_arena_strdup(t->b->arena, str_or(list->items[i], "key", ""));
        h[i].value = rsim_arena_strdup(t->b->arena, str_or(list->items[i], "value", ""));
        h[i].loc = list->items[i]->loc;
    }
    *n_out = list->n;
    return h;
}

static rsim_loc text_base(const rsim_ynode *n, const rsim_ynode *key);

static const rsim_spec_prometheus *build_prometheus(tctx *t, const rsim_ynode *n)
{
    rsim_spec_prometheus *p = rsim_arena_alloc(t->b->arena, sizeof *p);
    p->address = rsim_arena_strdup(t->b->arena, str_or(n, "address", ""));
    p->query = rsim_arena_strdup(t->b->arena, str_or(n, "query", ""));
    const rsim_ynode *q = rsim_ynode_get(n, "query");
    if (q != NULL) {
        p->query_loc = text_base(q, rsim_ynode_key(n, "query"));
        p->query_indent = q->style == RSIM_YSCALAR_BLOCK ? p->query_loc.col : 0;
    }
    int64_t timeout_s = int_or(n, "timeout", 0);
    p->timeout = RSIM_SEC(timeout_s > 0 ? timeout_s : 30); /* §4.13 */
    p->insecure = bool_or(n, "insecure", false);
    p->has_authentication = rsim_ynode_get(n, "authentication") != NULL;
    p->headers = read_headers(t, n, &p->n_headers);
    return p;
}

/* Recursion is bounded by WALK_MAX_DEPTH. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static bool json_encode(tctx *t, const rsim_ynode *n, const char *path, rsim_buf *b, int depth)
{
    char p[PATH_MAX_LEN];
    if (depth > WALK_MAX_DEPTH) {
        err(t, n, path, "nested more than %d levels deep", WALK_MAX_DEPTH);
        return false;
    }
    bool ok = true;
    if (n->kind == RSIM_YNODE_MAP || n->kind == RSIM_YNODE_SEQ) {
        bool map = n->kind == RSIM_YNODE_MAP;
        ok = rsim_buf_puts(b, map ? "{" : "[") == RSIM_OK;
        for (size_t i = 0; ok && i < n->n; i++) {
            ok = (i == 0 || rsim_buf_puts(b, ",") == RSIM_OK);
            if (ok && map) {
                ok = json_encode(t, n->keys[i], sub(p, path, n->keys[i]->str), b, depth + 1) &&
                     rsim_buf_puts(b, ":") == RSIM_OK;
            }
            ok = ok && json_encode(t, n->items[i], map ? p : item(p, path, i), b, depth + 1);
        }
        return ok && rsim_buf_puts(b, map ? "}" : "]") == RSIM_OK;
    }
    if (rsim_ynode_is_null(n)) {
        return rsim_buf_puts(b, "null") == RSIM_OK;
    }
    if (rsim_ynode_is_bool(n)) {
        return rsim_buf_puts(b, rsim_ynode_bool(n) ? "true" : "false") == RSIM_OK;
    }
    if (rsim_ynode_is_int(n)) {
        return rsim_buf_printf(b, "%" PRId64, rsim_ynode_int(n)) == RSIM_OK;
    }
    if (rsim_ynode_is_number(n)) {
        double v = rsim_ynode_number(n);
        if (!isfinite(v)) {
            err(t, n, path, "%s cannot be written in JSON", n->str);
            return false;
        }
        return rsim_buf_printf(b, "%.17g", v) == RSIM_OK;
    }
    ok = rsim_buf_puts(b, "\"") == RSIM_OK;
    for (size_t i = 0; ok && i < n->len; i++) {
        unsigned char c = (unsigned char)n->str[i];
        if (c == '"' || c == '\\') {
            ok = rsim_buf_printf(b, "\\%c", c) == RSIM_OK;
        } else if (c < 0x20) {
            ok = rsim_buf_printf(b, "\\u%04x", c) == RSIM_OK;
        } else {
            ok = rsim_buf_append(b, &n->str[i], 1) == RSIM_OK;
        }
    }
    return ok && rsim_buf_puts(b, "\"") == RSIM_OK;
}

static const char *encode_json_body(tctx *t, const rsim_ynode *n, const char *path)
{
    if (n->kind != RSIM_YNODE_MAP) {
        err(t, n, path, "expected a mapping, got %s", rsim_ynode_describe(n));
        return NULL;
    }
    rsim_buf b;
    rsim_buf_init(&b, JSON_MAX_BYTES);
    const char *out = NULL;
    if (json_encode(t, n, path, &b, 0)) {
        out = rsim_arena_strdup(t->b->arena, b.data);
    } else if (t->ok) {
        err(t, n, path, "longer than %zu bytes as JSON", JSON_MAX_BYTES);
    }
    rsim_buf_fini(&b);
    return out;
}

static const rsim_spec_web *build_web(tctx *t, const rsim_ynode *n, const char *base)
{
    char p[PATH_MAX_LEN];
    rsim_spec_web *w = rsim_arena_alloc(t->b->arena, sizeof *w);
    const char *method = str_or(n, "method", "GET");
    w->method = strcmp(method, "POST") == 0  ? RSIM_SPEC_WEB_POST
                : strcmp(method, "PUT") == 0 ? RSIM_SPEC_WEB_PUT
                                             : RSIM_SPEC_WEB_GET;
    w->url = rsim_arena_strdup(t->b->arena, str_or(n, "url", ""));
    w->headers = read_headers(t, n, &w->n_headers);
    const rsim_ynode *body = rsim_ynode_get(n, "body");
    const rsim_ynode *json = rsim_ynode_get(n, "jsonBody");
    if (body && !rsim_ynode_is_null(body)) {
        w->body = rsim_arena_strdup(t->b->arena, body->str);
    }
    if (json && !rsim_ynode_is_null(json)) {
        w->json_body = encode_json_body(t, json, sub(p, base, "jsonBody"));
    }
    /* metricproviders/webmetric: a payload needs POST or PUT, and only one payload field. */
    if (w->body && json && !rsim_ynode_is_null(json)) {
        err(t, json, sub(p, base, "jsonBody"), "set either body or jsonBody, not both");
    } else if ((w->body || w->json_body) && w->method == RSIM_SPEC_WEB_GET) {
        const rsim_ynode *at = w->body ? body : json;
        err(t, at, sub(p, base, w->body ? "body" : "jsonBody"),
            "a request body needs method POST or PUT, got %s", method);
    }
    int64_t timeout_s = int_or(n, "timeoutSeconds", 0);
    w->timeout = RSIM_SEC(timeout_s > 0 ? timeout_s : 10); /* §4.13 */
    w->json_path = rsim_arena_strdup(t->b->arena, str_or(n, "jsonPath", "{$}"));
    w->insecure = bool_or(n, "insecure", false);
    w->has_authentication = rsim_ynode_get(n, "authentication") != NULL;
    return w;
}

static void read_containers(tctx *t, const rsim_ynode *pod_spec, rsim_spec_job *j)
{
    const rsim_ynode *list = rsim_ynode_get(pod_spec, "containers");
    if (!list || list->kind != RSIM_YNODE_SEQ) {
        return;
    }
    const char **images = rsim_arena_alloc(t->b->arena, (list->n + 1) * sizeof *images);
    const char **names = rsim_arena_alloc(t->b->arena, (list->n + 1) * sizeof *names);
    for (size_t i = 0; i < list->n; i++) {
        images[i] = rsim_arena_strdup(t->b->arena, str_or(list->items[i], "image", ""));
        names[i] = rsim_arena_strdup(t->b->arena, str_or(list->items[i], "name", ""));
    }
    j->n_containers = list->n;
    j->images = images;
    j->containers = names;
}

static const rsim_spec_job *build_job(tctx *t, const rsim_ynode *n, const char *base)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    rsim_spec_job *j = rsim_arena_alloc(t->b->arena, sizeof *j);
    const rsim_ynode *spec = rsim_ynode_get(n, "spec");
    const char *spath = sub(q, base, "spec");
    static const char *const single[] = {"completions", "parallelism"};
    for (size_t i = 0; i < 2; i++) {
        const rsim_ynode *v = rsim_ynode_get(spec, single[i]);
        if (v && rsim_ynode_is_int(v) && rsim_ynode_int(v) != 1) {
            unsup(t, v, sub(p, spath, single[i]),
                  "a Job is modelled as one pod run to completion; "
                  "%s must be 1",
                  single[i]);
        }
    }
    const rsim_ynode *suspend = rsim_ynode_get(spec, "suspend");
    if (suspend && rsim_ynode_is_bool(suspend) && rsim_ynode_bool(suspend)) {
        unsup(t, suspend, sub(p, spath, "suspend"), "a suspended Job never runs its pod");
    }
    j->backoff_limit = int_or(spec, "backoffLimit", 6);
    j->active_deadline = RSIM_SEC(int_or(spec, "activeDeadlineSeconds", 0));
    const rsim_ynode *pod = rsim_ynode_get(rsim_ynode_get(spec, "template"), "spec");
    char pp[PATH_MAX_LEN];
    (void)sub(pp, spath, "template.spec");
    const rsim_ynode *rp = rsim_ynode_get(pod, "restartPolicy");
    if (!rp) {
        err(t, pod, pp,
            "missing required field 'restartPolicy' (a Job's pod needs Never or "
            "OnFailure)");
    } else if (rp->kind == RSIM_YNODE_SCALAR && strcmp(rp->str, "Never") != 0 &&
               strcmp(rp->str, "OnFailure") != 0) {
        err(t, rp, sub(p, pp, "restartPolicy"), "must be Never or OnFailure in a Job, got '%s'",
            rp->str);
    }
    read_containers(t, pod, j);
    return j;
}

static void build_provider(tctx *t, const rsim_ynode *m, const char *base, rsim_spec_metric *out)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *prov = rsim_ynode_get(m, "provider");
    const char *ppath = sub(q, base, "provider");
    static const char *const kinds[] = {"prometheus", "web", "job"};
    size_t found = 0;
    for (size_t i = 0; i < 3; i++) {
        const rsim_ynode *n = rsim_ynode_get(prov, kinds[i]);
        if (!n || n->kind != RSIM_YNODE_MAP) {
            continue;
        }
        if (++found > 1) {
            err(t, rsim_ynode_key(prov, kinds[i]), ppath,
                "exactly one provider may be set; '%s' is a second one", kinds[i]);
            continue;
        }
        out->provider = (rsim_spec_provider_kind)i;
        if (i == 0) {
            out->prometheus = build_prometheus(t, n);
        } else if (i == 1) {
            out->web = build_web(t, n, sub(p, ppath, kinds[i]));
        } else {
            out->job = build_job(t, n, sub(p, ppath, kinds[i]));
        }
    }
    if (found == 0) {
        err(t, prov, ppath, "no provider set; expected one of prometheus, web, job");
    }
}

/* ---- metrics ------------------------------------------------------------------------------- */

static const char *cond_or_null(tctx *t, const rsim_ynode *m, const char *key, rsim_loc *loc)
{
    const rsim_ynode *n = rsim_ynode_get(m, key);
    if (!n || rsim_ynode_is_null(n)) {
        return NULL;
    }
    *loc = n->loc;
    return rsim_arena_strdup(t->b->arena, n->str);
}

/* Where the text of a scalar starts in its file, as rsim_cond_parse and rsim_promql_parse want
 * it: a plain scalar starts at its node, a quoted one one column after the quote. The content of
 * a block scalar (`|`, `>`) starts on the next line; its indentation is not kept in the tree, so
 * the column assumes the usual two spaces deeper than the key (lines are always right). */
static rsim_loc text_base(const rsim_ynode *n, const rsim_ynode *key)
{
    rsim_loc loc = n->loc;
    loc.len = 0;
    if (n->style == RSIM_YSCALAR_QUOTED) {
        loc.col++;
    } else if (n->style == RSIM_YSCALAR_BLOCK) {
        loc.line++;
        loc.col = (key ? key->loc.col : 1) + 2;
    }
    return loc;
}

/* Moves the errors of a parser from its own sink `from` to the loader's, with the YAML path. A
 * parser places the lines after the first at column 1 of the text; a block scalar's lines all
 * start at its indentation, so their columns are shifted by it. */
static void relay(tctx *t, rsim_diag *from, const rsim_ynode *n, rsim_loc base, const char *path)
{
    size_t count = rsim_diag_count(from);
    for (size_t i = 0; i < count; i++) {
        rsim_loc loc = rsim_diag_loc_at(from, i);
        if (n->style == RSIM_YSCALAR_BLOCK && loc.line > base.line) {
            loc.col += base.col - 1;
        }
        rsim_diag_add(t->b->sc.diag, RSIM_SEV_ERROR, rsim_diag_code_at(from, i), loc, path, "%s",
                      rsim_diag_message_at(from, i));
        t->b->sc.n_errors++;
    }
    if (count == 0) {
        rsim_diag_add(t->b->sc.diag, RSIM_SEV_ERROR, RSIM_EPARSE, n->loc, path, "not valid");
        t->b->sc.n_errors++;
    }
    t->ok = false;
}

/* The text of a scalar that should be parsed now: set, not empty, without placeholders (those
 * are parsed after substitution, when a run starts). Trailing white space and newlines (a block
 * scalar ends with one) are dropped so that "unexpected end" points at the last character. */
static char *parse_text(const rsim_ynode *n)
{
    if (!n || n->kind != RSIM_YNODE_SCALAR || rsim_ynode_is_null(n) || has_placeholder(n->str)) {
        return NULL;
    }
    size_t len = strlen(n->str);
    while (len > 0 && strchr(" \t\r\n", n->str[len - 1])) {
        len--;
    }
    return len > 0 ? rsim_xstrndup(n->str, len) : NULL;
}

/* Parses a successCondition / failureCondition to report syntax errors and unsupported
 * constructs at their file:line:column now rather than when a run starts. The parsed condition
 * is dropped: the spec keeps plain text. */
static void check_condition(tctx *t, const rsim_ynode *m, const char *key, const char *base)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *n = rsim_ynode_get(m, key);
    char *text = parse_text(n);
    if (!text) {
        return;
    }
    rsim_diag *one = rsim_diag_new(1);
    rsim_cond *c = NULL;
    rsim_loc at = text_base(n, rsim_ynode_key(m, key));
    if (rsim_cond_parse(text, at, one, &c) != RSIM_OK) {
        relay(t, one, n, at, sub(p, base, key));
    }
    rsim_cond_free(c);
    rsim_diag_free(one);
    free(text);
}

/* The same for provider.prometheus.query: anything outside the PromQL subset is an error at
 * its position, never a wrong answer later. */
static void check_query(tctx *t, const rsim_ynode *m, const char *base)
{
    char p[PATH_MAX_LEN];
    const rsim_ynode *prom = rsim_ynode_get(rsim_ynode_get(m, "provider"), "prometheus");
    const rsim_ynode *n = rsim_ynode_get(prom, "query");
    char *text = parse_text(n);
    if (!text) {
        return;
    }
    (void)sub(p, base, "provider.prometheus.query");
    rsim_diag *all = rsim_diag_new(0);
    rsim_promql *q = NULL;
    rsim_loc at = text_base(n, rsim_ynode_key(prom, "query"));
    if (rsim_promql_parse(text, at, all, &q) != RSIM_OK) {
        relay(t, all, n, at, p);
    }
    rsim_promql_free(q);
    rsim_diag_free(all);
    free(text);
}

static void build_metric(tctx *t, const rsim_ynode *m, const char *base, rsim_spec_metric *out)
{
    out->name = rsim_arena_strdup(t->b->arena, str_or(m, "name", ""));
    out->loc = m->loc;
    read_duration_arg(t, m, "interval", base, &out->interval);
    read_duration_arg(t, m, "initialDelay", base, &out->initial_delay);
    read_int_arg(t, m, "count", base, 0, &out->count);
    read_int_arg(t, m, "failureLimit", base, 0, &out->failure_limit);
    read_int_arg(t, m, "inconclusiveLimit", base, 0, &out->inconclusive_limit);
    read_int_arg(t, m, "consecutiveErrorLimit", base, 4, &out->consecutive_error_limit);
    read_int_arg(t, m, "consecutiveSuccessLimit", base, 0, &out->consecutive_success_limit);
    check_limits(t, m, base, out);
    out->success_condition = cond_or_null(t, m, "successCondition", &out->success_loc);
    out->failure_condition = cond_or_null(t, m, "failureCondition", &out->failure_loc);
    build_provider(t, m, base, out);
    walk_placeholders(t, m, base, 0);
    check_condition(t, m, "successCondition", base);
    check_condition(t, m, "failureCondition", base);
    if (out->provider == RSIM_SPEC_PROVIDER_PROMETHEUS) {
        check_query(t, m, base);
    }
}

static void build_metrics(tctx *t, const rsim_ynode *spec, rsim_spec_analysis_template *out)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *list = rsim_ynode_get(spec, "metrics");
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return;
    }
    rsim_spec_metric *ms = rsim_arena_alloc(t->b->arena, list->n * sizeof *ms);
    for (size_t i = 0; i < list->n; i++) {
        const char *base = item(p, "spec.metrics", i);
        build_metric(t, list->items[i], base, &ms[i]);
        for (size_t k = 0; k < i; k++) {
            if (strcmp(ms[k].name, ms[i].name) == 0) {
                err(t, rsim_ynode_get(list->items[i], "name"), sub(q, base, "name"),
                    "duplicate metric name '%s' (also metrics[%zu])", ms[i].name, k);
                break;
            }
        }
    }
    out->metrics = ms;
    out->n_metrics = list->n;
}

/* ---- args ---------------------------------------------------------------------------------- */

static void build_arg(tctx *t, const rsim_ynode *a, const char *base, rsim_spec_analysis_arg *out)
{
    char p[PATH_MAX_LEN];
    rsim_arena *ar = t->b->arena;
    out->name = rsim_arena_strdup(ar, str_or(a, "name", ""));
    out->loc = a->loc;
    const rsim_ynode *v = rsim_ynode_get(a, "value");
    if (v && !rsim_ynode_is_null(v)) {
        out->value = rsim_arena_strdup(ar, v->str);
    }
    const rsim_ynode *vf = rsim_ynode_get(a, "valueFrom");
    if (!vf || vf->kind != RSIM_YNODE_MAP) {
        return;
    }
    if (out->value) {
        err(t, vf, sub(p, base, "valueFrom"), "set either value or valueFrom, not both");
    }
    const rsim_ynode *secret = rsim_ynode_get(vf, "secretKeyRef");
    const rsim_ynode *field = rsim_ynode_get(vf, "fieldRef");
    if ((secret != NULL) == (field != NULL)) {
        err(t, vf, sub(p, base, "valueFrom"), "set exactly one of secretKeyRef or fieldRef");
    }
    if (secret) {
        out->source = RSIM_SPEC_ARG_SECRET;
        out->secret_name = rsim_arena_strdup(ar, str_or(secret, "name", ""));
        out->secret_key = rsim_arena_strdup(ar, str_or(secret, "key", ""));
    } else if (field) {
        out->source = RSIM_SPEC_ARG_FIELD_REF;
        out->field_path = rsim_arena_strdup(ar, str_or(field, "fieldPath", ""));
    }
}

static void build_args(tctx *t, const rsim_ynode *spec, rsim_spec_analysis_template *out)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *list = rsim_ynode_get(spec, "args");
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return;
    }
    rsim_spec_analysis_arg *as = rsim_arena_alloc(t->b->arena, list->n * sizeof *as);
    for (size_t i = 0; i < list->n; i++) {
        const char *base = item(p, "spec.args", i);
        build_arg(t, list->items[i], base, &as[i]);
        for (size_t k = 0; k < i; k++) {
            if (strcmp(as[k].name, as[i].name) == 0) {
                err(t, rsim_ynode_get(list->items[i], "name"), sub(q, base, "name"),
                    "duplicate argument name '%s' (also args[%zu])", as[i].name, k);
                break;
            }
        }
    }
    out->args = as;
    out->n_args = list->n;
}

/* ---- RE2 pattern syntax ----------------------------------------------------------------------
 * dryRun and measurementRetention name metrics by Go regexp (RE2) patterns. Only the syntax is
 * judged here; matching is the analysis layer's. The checks follow RE2's parser errors: a
 * repetition with nothing to repeat, a repetition of a repetition, unbalanced parentheses and
 * brackets, a trailing backslash, and bad repeat counts. */

static const char *re2_class_end(const char *s)
{
    /* s is just past '['. A leading '^' and a leading ']' are literal. */
    if (*s == '^') {
        s++;
    }
    if (*s == ']') {
        s++;
    }
    while (*s && *s != ']') {
        if (*s == '\\') {
            if (!s[1]) {
                return NULL;
            }
            s += 2;
        } else if (s[0] == '[' && s[1] == ':') {
            const char *e = strstr(s + 2, ":]");
            s = e ? e + 2 : s + 1;
        } else {
            s++;
        }
    }
    return *s == ']' ? s + 1 : NULL;
}

/* A `{n}`, `{n,}` or `{n,m}` at s: its length, 0 when s is a literal '{', -1 when bad counts. */
static int re2_repeat_len(const char *s)
{
    char *q = NULL;
    if (s[1] < '0' || s[1] > '9') {
        return 0;
    }
    long lo = strtol(s + 1, &q, 10);
    long hi = lo;
    if (*q == ',') {
        q++;
        hi = (*q >= '0' && *q <= '9') ? strtol(q, &q, 10) : -2;
    }
    if (*q != '}') {
        return 0;
    }
    if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) {
        return -1;
    }
    return (int)(q - s + 1);
}

/* s is just past '('. Skips a group's `?...:` or `?flags)` prefix; a flag group `(?i)` closes
 * at once and is not an atom. */
static const char *re2_group_open(const char *s, int *depth)
{
    (*depth)++;
    if (*s != '?') {
        return s;
    }
    const char *e = s;
    while (*e && *e != ')' && *e != ':') {
        e++;
    }
    if (*e == ')') {
        (*depth)--;
    }
    return *e ? e + 1 : e;
}

/* Returns NULL when valid, else the reason (RE2's wording). */
static const char *re2_check(const char *s)
{
    int depth = 0;
    bool can_repeat = false; /* an atom precedes */
    bool just_repeated = false;
    while (*s) {
        int rl = 0;
        if (*s == '*' || *s == '+' || *s == '?' || (*s == '{' && (rl = re2_repeat_len(s)) != 0)) {
            if (rl < 0) {
                return "invalid repeat count";
            }
            if (!can_repeat) {
                return "missing argument to repetition operator";
            }
            if (just_repeated) {
                return "bad repetition operator";
            }
            s += rl > 0 ? (size_t)rl : 1;
            if (*s == '?') { /* non-greedy */
                s++;
            }
            just_repeated = true;
            continue;
        }
        just_repeated = false;
        can_repeat = true;
        if (*s == '\\') {
            if (!s[1]) {
                return "trailing backslash at end of expression";
            }
            s += 2;
        } else if (*s == '[') {
            s = re2_class_end(s + 1);
            if (!s) {
                return "missing closing ]";
            }
        } else if (*s == '(') {
            s = re2_group_open(s + 1, &depth);
            can_repeat = false;
        } else if (*s == ')') {
            if (--depth < 0) {
                return "unexpected )";
            }
            s++;
        } else if (*s == '|') {
            can_repeat = false;
            s++;
        } else if (*s == '^' || *s == '$') {
            can_repeat = true; /* RE2 accepts ^* */
            s++;
        } else {
            s++;
        }
    }
    return depth > 0 ? "missing closing )" : NULL;
}

static const rsim_spec_metric_rule *
build_rules(tctx *t, const rsim_ynode *spec, const char *key, size_t *n_out)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *list = rsim_ynode_get(spec, key);
    *n_out = 0;
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return NULL;
    }
    rsim_spec_metric_rule *rs = rsim_arena_alloc(t->b->arena, list->n * sizeof *rs);
    snprintf(q, sizeof q, "spec.%s", key);
    for (size_t i = 0; i < list->n; i++) {
        const rsim_ynode *name = rsim_ynode_get(list->items[i], "metricName");
        rs[i].metric_name = rsim_arena_strdup(t->b->arena, name ? name->str : "");
        rs[i].limit = int_or(list->items[i], "limit", 0);
        rs[i].loc = name ? name->loc : list->items[i]->loc;
        const char *why = name ? re2_check(name->str) : NULL;
        if (why) {
            char base[PATH_MAX_LEN];
            err(t, name, sub(p, item(base, q, i), "metricName"),
                "not a valid regular expression: '%s' (%s; use '.*' for every metric)", name->str,
                why);
        }
    }
    *n_out = list->n;
    return rs;
}

/* ---- documents ----------------------------------------------------------------------------- */

bool rsim_scenario_build_analysis_template(rsim_build_ctx *ctx,
                                           const rsim_ynode *doc,
                                           bool cluster,
                                           rsim_spec_analysis_template *out)
{
    tctx t = {.b = ctx, .ok = true};
    const rsim_ynode *meta = rsim_ynode_get(doc, "metadata");
    const rsim_ynode *spec = rsim_ynode_get(doc, "spec");
    out->name = rsim_arena_strdup(ctx->arena, str_or(meta, "name", ""));
    out->namespace_ = rsim_arena_strdup(ctx->arena, cluster ? "" : str_or(meta, "namespace", ""));
    out->cluster = cluster;
    out->loc = doc->loc;
    build_args(&t, spec, out);
    t.args = out->args;
    t.n_args = out->n_args;
    build_metrics(&t, spec, out);
    out->dry_run = build_rules(&t, spec, "dryRun", &out->n_dry_run);
    out->retention = build_rules(&t, spec, "measurementRetention", &out->n_retention);
    return t.ok;
}

/* An IANA service name, as Kubernetes checks a named port: 1-15 characters of a-z, 0-9 and '-',
 * at least one letter, no leading, trailing or doubled '-'. */
static bool is_port_name(const char *s)
{
    size_t n = strlen(s);
    bool letter = false;
    if (n == 0 || n > 15 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--")) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z') {
            letter = true;
        } else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-') {
            return false;
        }
    }
    return letter;
}

static void build_port(tctx *t, const rsim_ynode *pn, const char *base, rsim_spec_service_port *o)
{
    char p[PATH_MAX_LEN];
    rsim_arena *ar = t->b->arena;
    o->name = rsim_arena_strdup(ar, str_or(pn, "name", ""));
    o->port = int_or(pn, "port", 0);
    o->protocol = rsim_arena_strdup(ar, str_or(pn, "protocol", "TCP"));
    o->node_port = int_or(pn, "nodePort", 0);
    const char *app = str_or(pn, "appProtocol", NULL);
    o->app_protocol = app ? rsim_arena_strdup(ar, app) : NULL;
    o->loc = pn->loc;
    o->target_port = o->port;
    const rsim_ynode *tp = rsim_ynode_get(pn, "targetPort");
    if (!tp || rsim_ynode_is_null(tp)) {
        return;
    }
    int64_t v = 0;
    if (rsim_ynode_is_int(tp) || rsim_util_parse_int64(tp->str, &v)) {
        v = rsim_ynode_is_int(tp) ? rsim_ynode_int(tp) : v;
        if (v < 1 || v > 65535) {
            err(t, tp, sub(p, base, "targetPort"), "must be 1..65535, got %" PRId64, v);
        }
        o->target_port = v;
    } else if (!is_port_name(tp->str)) {
        err(t, tp, sub(p, base, "targetPort"),
            "expected a port number or a port name (up to 15 of a-z, 0-9, '-'), got '%s'", tp->str);
    } else {
        o->target_port = 0;
        o->target_name = rsim_arena_strdup(ar, tp->str);
    }
}

/* Kubernetes ValidateService: names required with several ports, unique names, unique
 * port/protocol pairs. */
static void build_ports(tctx *t, const rsim_ynode *spec, rsim_spec_service *out)
{
    char p[PATH_MAX_LEN];
    char q[PATH_MAX_LEN];
    const rsim_ynode *list = rsim_ynode_get(spec, "ports");
    if (!list || list->kind != RSIM_YNODE_SEQ || list->n == 0) {
        return;
    }
    rsim_spec_service_port *ps = rsim_arena_alloc(t->b->arena, list->n * sizeof *ps);
    for (size_t i = 0; i < list->n; i++) {
        const char *base = item(p, "spec.ports", i);
        build_port(t, list->items[i], base, &ps[i]);
        if (list->n > 1 && ps[i].name[0] == '\0') {
            err(t, list->items[i], base,
                "missing required field 'name' (every port needs a name when there are several)");
        }
        for (size_t k = 0; k < i; k++) {
            if (ps[i].name[0] && strcmp(ps[k].name, ps[i].name) == 0) {
                err(t, rsim_ynode_get(list->items[i], "name"), sub(q, base, "name"),
                    "duplicate port name '%s' (also ports[%zu])", ps[i].name, k);
            }
            if (ps[k].port == ps[i].port && strcmp(ps[k].protocol, ps[i].protocol) == 0) {
                err(t, rsim_ynode_get(list->items[i], "port"), sub(q, base, "port"),
                    "duplicate port %" PRId64 "/%s (also ports[%zu])", ps[i].port, ps[i].protocol,
                    k);
            }
        }
    }
    out->ports = ps;
    out->n_ports = list->n;
}

static void build_selector(tctx *t, const rsim_ynode *spec, rsim_spec_service *out)
{
    const rsim_ynode *sel = rsim_ynode_get(spec, "selector");
    if (!sel || sel->kind != RSIM_YNODE_MAP || sel->n == 0) {
        return;
    }
    rsim_spec_label *items = rsim_arena_alloc(t->b->arena, sel->n * sizeof *items);
    for (size_t i = 0; i < sel->n; i++) {
        items[i].key = rsim_arena_strdup(t->b->arena, sel->keys[i]->str);
        items[i].value = rsim_arena_strdup(t->b->arena, sel->items[i]->str);
    }
    out->selector.n = sel->n;
    out->selector.items = items;
}

bool rsim_scenario_build_service(rsim_build_ctx *ctx, const rsim_ynode *doc, rsim_spec_service *out)
{
    tctx t = {.b = ctx, .ok = true};
    const rsim_ynode *meta = rsim_ynode_get(doc, "metadata");
    const rsim_ynode *spec = rsim_ynode_get(doc, "spec");
    out->name = rsim_arena_strdup(ctx->arena, str_or(meta, "name", ""));
    out->namespace_ = rsim_arena_strdup(ctx->arena, str_or(meta, "namespace", ""));
    out->loc = doc->loc;
    out->type = rsim_arena_strdup(ctx->arena, str_or(spec, "type", "ClusterIP"));
    const rsim_ynode *type = rsim_ynode_get(spec, "type");
    if (strcmp(out->type, "ExternalName") == 0) {
        unsup(&t, type, "spec.type", "ExternalName services are not modelled");
    }
    const rsim_ynode *aff = rsim_ynode_get(spec, "sessionAffinity");
    if (aff && aff->kind == RSIM_YNODE_SCALAR && strcmp(aff->str, "ClientIP") == 0) {
        unsup(&t, aff, "spec.sessionAffinity",
              "session affinity is not modelled; requests spread over ready "
              "pods");
    }
    const rsim_ynode *pna = rsim_ynode_get(spec, "publishNotReadyAddresses");
    if (pna && rsim_ynode_is_bool(pna) && rsim_ynode_bool(pna)) {
        unsup(&t, pna, "spec.publishNotReadyAddresses",
              "only ready pods receive requests in the model");
    }
    build_selector(&t, spec, out);
    build_ports(&t, spec, out);
    return t.ok;
}
