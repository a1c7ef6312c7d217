/* eval.c - the instant-query evaluator: PromQL semantics as Prometheus' promql/engine.go and
 * promql/functions.go define them (selection with lookback and staleness, extrapolated rates,
 * aggregation, one-to-one vector matching, comparison filtering vs bool, histogram_quantile).
 * All working memory comes from the result's scratch blocks, which are kept between
 * evaluations, so a steady stream of queries does not allocate. Recursion follows the AST,
 * whose height the parser bounds by RSIM_PROMQL_MAX_DEPTH.
 * Start reading at rsim_metrics_query_eval, then eval_node. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* ---- scratch memory: bump blocks, reset per evaluation, kept for the next one ---- */

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
} block;

struct rsim_metrics_scratch {
    block *head; /* first block; blocks are reused in order */
    block *cur;
};

#define BLOCK_BYTES ((size_t)32 * 1024)

static void *salloc(rsim_metrics_scratch *sc, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    size_t need = (size + align - 1) / align * align;
    if (need == 0) {
        need = align;
    }
    while (sc->cur && sc->cur->cap - sc->cur->used < need) {
        if (!sc->cur->next) {
            break;
        }
        sc->cur = sc->cur->next;
        sc->cur->used = 0;
    }
    if (!sc->cur || sc->cur->cap - sc->cur->used < need) {
        size_t cap = need > BLOCK_BYTES ? need : BLOCK_BYTES;
        block *b = rsim_xmalloc(sizeof(*b) + cap);
        b->used = 0;
        b->cap = cap;
        b->next = NULL;
        if (sc->cur) {
            /* Splice after cur so that later (smaller) blocks stay in the chain. */
            b->next = sc->cur->next;
            sc->cur->next = b;
        } else {
            sc->head = b;
        }
        sc->cur = b;
    }
    void *p = sc->cur->data + sc->cur->used;
    sc->cur->used += need;
    return p;
}

static void scratch_reset(rsim_metrics_scratch *sc)
{
    sc->cur = sc->head;
    if (sc->cur) {
        sc->cur->used = 0;
    }
}

void rsim_metrics_result_init(rsim_metrics_result *r)
{
    memset(r, 0, sizeof(*r));
    r->kind = RSIM_METRICS_VECTOR;
    r->scratch = rsim_xcalloc(1, sizeof(*r->scratch));
}

void rsim_metrics_result_fini(rsim_metrics_result *r)
{
    if (!r->scratch) {
        return;
    }
    block *b = r->scratch->head;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(r->scratch);
    memset(r, 0, sizeof(*r));
}

/* ---- values ---- */

typedef rsim_metrics_sample sample;

typedef struct value {
    bool is_scalar;
    double scalar;
    sample *v;
    size_t n;
} value;

typedef struct ev {
    const rsim_metrics_store *s;
    rsim_time t;
    rsim_time lookback;
    int major; /* 2 or 3 */
    rsim_metrics_scratch *sc;
    rsim_metrics_result *r;
    bool failed;
} ev;

static void fail(ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(ev *e, const char *fmt, ...)
{
    if (e->failed) {
        return;
    }
    e->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->r->error, sizeof(e->r->error), fmt, ap);
    va_end(ap);
}

static const char name_label[] = "__name__";

static bool is_name(const char *label)
{
    return strcmp(label, name_label) == 0;
}

static void format_labels(const rsim_metrics_label *l, size_t n, char *buf, size_t size)
{
    size_t off = 0;
    off += (size_t)snprintf(buf, size, "{");
    for (size_t i = 0; i < n && off < size; i++) {
        off += (size_t)snprintf(buf + off, size - off, "%s%s=\"%s\"", i ? ", " : "", l[i].name,
                                l[i].value);
    }
    if (off < size) {
        snprintf(buf + off, size - off, "}");
    }
}

/* Labels without __name__; shares the array when nothing is removed or the name comes first. */
static const rsim_metrics_label *drop_name(ev *e, const rsim_metrics_label *l, size_t *n)
{
    size_t i = 0;
    while (i < *n && !is_name(l[i].name)) {
        i++;
    }
    if (i == *n) {
        return l;
    }
    if (i == 0) {
        (*n)--;
        return l + 1;
    }
    rsim_metrics_label *out = salloc(e->sc, *n * sizeof(*out));
    memcpy(out, l, i * sizeof(*out));
    memcpy(out + i, l + i + 1, (*n - i - 1) * sizeof(*out));
    (*n)--;
    return out;
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- hashing of label subsets (grouping, vector matching) ---- */

typedef struct keyspec {
    bool keep_listed; /* true: only listed labels; false: all but listed and __name__ */
    bool keep_name;   /* with keep_listed false: keep __name__ too */
    const char *const *labels;
    size_t n;
} keyspec;

static bool key_has(const keyspec *k, const char *label)
{
    if (k->keep_listed) {
        return in_list(label, k->labels, k->n);
    }
    return (k->keep_name || !is_name(label)) && !in_list(label, k->labels, k->n);
}

static uint64_t key_hash(const keyspec *k, const rsim_metrics_label *l, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        if (!key_has(k, l[i].name)) {
            continue;
        }
        for (int j = 0; j < 2; j++) {
            for (const unsigned char *c = (const unsigned char *)(j ? l[i].value : l[i].name); *c;
                 c++) {
                h = (h ^ *c) * UINT64_C(1099511628211);
            }
            h = (h ^ 0xFFu) * UINT64_C(1099511628211);
        }
    }
    return h;
}

static bool key_equal(const keyspec *k,
                      const rsim_metrics_label *a,
                      size_t na,
                      const rsim_metrics_label *b,
                      size_t nb)
{
    size_t i = 0;
    size_t j = 0;
    for (;;) {
        while (i < na && !key_has(k, a[i].name)) {
            i++;
        }
        while (j < nb && !key_has(k, b[j].name)) {
            j++;
        }
        if (i == na || j == nb) {
            return i == na && j == nb;
        }
        if (strcmp(a[i].name, b[j].name) != 0 || strcmp(a[i].value, b[j].value) != 0) {
            return false;
        }
        i++;
        j++;
    }
}

/* The labels of l selected by k, in a new scratch array. */
static const rsim_metrics_label *
key_labels(ev *e, const keyspec *k, const rsim_metrics_label *l, size_t n, size_t *n_out)
{
    rsim_metrics_label *out = salloc(e->sc, (n ? n : 1) * sizeof(*out));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (key_has(k, l[i].name)) {
            out[m++] = l[i];
        }
    }
    *n_out = m;
    return out;
}

/* An open-addressing table of sample indices keyed by a keyspec hash. */
typedef struct table {
    uint32_t *slots; /* index + 1, 0 = empty */
    uint64_t *hashes;
    size_t mask;
} table;

static void table_init(ev *e, table *t, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) {
        cap *= 2;
    }
    t->slots = salloc(e->sc, cap * sizeof(*t->slots));
    t->hashes = salloc(e->sc, cap * sizeof(*t->hashes));
    memset(t->slots, 0, cap * sizeof(*t->slots));
    t->mask = cap - 1;
}

/* ---- selectors ---- */

/* A selector's matchers resolved against the store once per evaluation: label names and
 * equality values become interned pointers, so that testing a series compares pointers instead
 * of strings; a matcher every series satisfies is dropped, one no series can satisfy empties
 * the selection. */
#define PLAN_MEMO 8

typedef struct plan_matcher {
    const rsim_promql_matcher *m;
    const char *name;  /* interned label name */
    const char *value; /* EQ with a non-empty value: the interned value; else NULL */
    /* Other matchers: answers already computed, keyed by the interned value (a label takes few
     * distinct values, so a regex runs about once per value and evaluation, not per series). */
    const char *memo_value[PLAN_MEMO];
    bool memo_match[PLAN_MEMO];
    size_t n_memo;
    size_t hint; /* where the label was in the last series tested: series of one metric
                  * usually share their layout, so the lookup rarely scans */
} plan_matcher;

typedef struct sel_plan {
    const rsim_metrics_series *ids; /* candidates, in label order; borrowed */
    size_t n_ids;
    plan_matcher *pm; /* in the scratch */
    size_t n;
} sel_plan;

/* The candidates of a selector (the series of its metric name, or every series) and its plan. */
static sel_plan plan_selector(ev *e, const rsim_promql_node *n)
{
    sel_plan p = {NULL, 0, NULL, 0};
    size_t by_name = SIZE_MAX;
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *m = &n->u.sel.matchers[i];
        if (m->op == RSIM_PROMQL_MATCH_EQ && is_name(m->name)) {
            by_name = i;
        }
    }
    if (by_name == SIZE_MAX) {
        p.ids = e->s->sorted.items;
        p.n_ids = e->s->sorted.n;
    } else {
        const char *metric = n->u.sel.matchers[by_name].value;
        for (size_t i = 0; i < e->s->names.n; i++) {
            if (strcmp(e->s->names.items[i].name, metric) == 0) {
                p.ids = e->s->names.items[i].ids.items;
                p.n_ids = e->s->names.items[i].ids.n;
                break;
            }
        }
    }
    if (p.n_ids == 0) {
        return p;
    }
    p.pm = salloc(e->sc, (n->u.sel.n_matchers + 1) * sizeof(*p.pm));
    for (size_t i = 0; i < n->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *m = &n->u.sel.matchers[i];
        if (i == by_name) {
            continue; /* every candidate has that name */
        }
        const char *name = rsim_metrics_intern_find(e->s, m->name);
        if (!name) {
            /* No series has the label: it reads as "" everywhere. */
            if (!rsim_promql_matcher_is_match(m, "")) {
                p.n_ids = 0;
                return p;
            }
            continue;
        }
        const char *want = NULL;
        if (m->op == RSIM_PROMQL_MATCH_EQ && m->value[0]) {
            want = rsim_metrics_intern_find(e->s, m->value);
            if (!want) {
                p.n_ids = 0; /* no series has that value for any label */
                return p;
            }
        }
        plan_matcher *pm = &p.pm[p.n++];
        pm->m = m;
        pm->name = name;
        pm->value = want;
        pm->n_memo = 0;
        pm->hint = 0;
        /* Pointer comparisons first: they are cheap and usually decide. The order of the
         * tests does not change which series match. */
        for (size_t k = p.n - 1; want && k > 0 && !p.pm[k - 1].value; k--) {
            plan_matcher tmp = p.pm[k - 1];
            p.pm[k - 1] = p.pm[k];
            p.pm[k] = tmp;
        }
    }
    return p;
}

static bool matcher_is_match(plan_matcher *pm, const char *v)
{
    for (size_t i = 0; i < pm->n_memo; i++) {
        if (pm->memo_value[i] == v) {
            return pm->memo_match[i];
        }
    }
    bool match = rsim_promql_matcher_is_match(pm->m, v);
    if (pm->n_memo < PLAN_MEMO) {
        pm->memo_value[pm->n_memo] = v;
        pm->memo_match[pm->n_memo++] = match;
    }
    return match;
}

/* Whether series r satisfies matchers from.. of the plan. */
static inline bool series_matches(const rsim_metrics_series_rec *r, sel_plan *p, size_t from)
{
    for (size_t i = from; i < p->n; i++) {
        plan_matcher *pm = &p->pm[i];
        const char *v = "";
        if (pm->hint < r->n_labels && r->labels[pm->hint].name == pm->name) {
            v = r->labels[pm->hint].value;
        } else {
            for (size_t k = 0; k < r->n_labels; k++) {
                if (r->labels[k].name == pm->name) {
                    v = r->labels[k].value;
                    pm->hint = k;
                    break;
                }
            }
        }
        if (pm->value ? v != pm->value : !matcher_is_match(pm, v)) {
            return false;
        }
    }
    return true;
}

/* The series a selector selects, in label order, in a scratch array of n_out. */
static const rsim_metrics_series_rec **
select_series(ev *e, const rsim_promql_node *n, size_t *n_out)
{
    sel_plan plan = plan_selector(e, n);
    const rsim_metrics_series_rec *items = e->s->series.items;
    const rsim_metrics_series_rec **out =
        salloc(e->sc, (plan.n_ids ? plan.n_ids : 1) * sizeof(*out));
    size_t m = 0;
    /* The first matcher, an equality when there is one, rejects most candidates: test it
     * inline where the label sits where it sat in the last series. */
    const plan_matcher *first = plan.n && plan.pm[0].value ? &plan.pm[0] : NULL;
    for (size_t i = 0; i < plan.n_ids; i++) {
        const rsim_metrics_series_rec *r = &items[plan.ids[i]];
        size_t from = 0;
        if (first && first->hint < r->n_labels && r->labels[first->hint].name == first->name) {
            if (r->labels[first->hint].value != first->value) {
                continue;
            }
            from = 1;
        }
        if (series_matches(r, &plan, from)) {
            out[m++] = r;
        }
    }
    *n_out = m;
    return out;
}

/* Index (relative to start) of the first live point with t >= lo (or > lo when open). */
static size_t lower_bound(const rsim_metrics_series_rec *r, rsim_time lo, bool open)
{
    size_t a = 0;
    size_t b = r->n;
    const rsim_metrics_point *p = r->points + r->start;
    /* Queries read the newest points: look at the last few before bisecting the rest. */
    for (int step = 0; step < 8 && b > a; step++) {
        if (open ? p[b - 1].t <= lo : p[b - 1].t < lo) {
            return b;
        }
        b--;
    }
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (open ? p[mid].t <= lo : p[mid].t < lo) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    return a;
}

static void eval_instant_selector(ev *e, const rsim_promql_node *n, value *out)
{
    size_t nc;
    const rsim_metrics_series_rec **sel = select_series(e, n, &nc);
    out->v = salloc(e->sc, (nc ? nc : 1) * sizeof(*out->v));
    out->n = 0;
    rsim_time ref = e->t - n->u.sel.offset_ms;
    for (size_t i = 0; i < nc; i++) {
        const rsim_metrics_series_rec *r = sel[i];
        /* newest point with t <= ref */
        size_t k = lower_bound(r, ref, true);
        if (k == 0) {
            continue;
        }
        const rsim_metrics_point *pt = &r->points[r->start + k - 1];
        /* Lookback: Prometheus 2 keeps a point exactly lookback old, 3 does not. */
        rsim_time oldest = ref - e->lookback;
        if (e->major == 2 ? pt->t < oldest : pt->t <= oldest) {
            continue;
        }
        if (rsim_metrics_is_stale(pt->v)) {
            continue;
        }
        out->v[out->n++] = (sample){.labels = r->labels, .n_labels = r->n_labels, .value = pt->v};
    }
}

/* The points of a range selector for one series: [first, end) of live points, stale ones
 * still inside (callers skip them). */
typedef struct span {
    const rsim_metrics_point *p;
    size_t n;
} span;

static span range_span(const ev *e, const rsim_metrics_series_rec *r, rsim_time lo, rsim_time hi)
{
    /* Prometheus 2: [lo, hi]; Prometheus 3: (lo, hi]. */
    size_t a = lower_bound(r, lo, e->major != 2);
    size_t b = lower_bound(r, hi, true);
    span s = {.p = r->points + r->start + a, .n = b > a ? b - a : 0};
    return s;
}

/* Go's Duration.Seconds(), so that non-integral ranges divide exactly as Prometheus does. */
static double duration_seconds(rsim_time ms)
{
    rsim_time sec = ms / 1000;
    rsim_time nsec = (ms % 1000) * 1000000;
    return (double)sec + (double)nsec / 1e9;
}

/* extrapolatedRate of promql/functions.go. Returns false when there is no result (fewer than
 * two points). Prometheus 2.x (checked against the 2.42 source) clamps the start to the
 * counter's zero point before the 1.1x-average-spacing threshold test; 3.x applies the
 * threshold first and the zero-point clamp after (prometheus#13725). */
static bool extrapolated_rate(const ev *e,
                              span s,
                              rsim_time lo,
                              rsim_time hi,
                              rsim_time range,
                              bool is_counter,
                              bool is_rate,
                              double *out)
{
    const rsim_metrics_point *first = NULL;
    const rsim_metrics_point *last = NULL;
    size_t count = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!rsim_metrics_is_stale(s.p[i].v)) {
            first = first ? first : &s.p[i];
            last = &s.p[i];
            count++;
        }
    }
    if (count < 2) {
        return false;
    }
    double result = last->v - first->v;
    if (is_counter) {
        double prev = first->v;
        for (const rsim_metrics_point *p = first + 1; p <= last; p++) {
            if (rsim_metrics_is_stale(p->v)) {
                continue;
            }
            if (p->v < prev) {
                result += prev;
            }
            prev = p->v;
        }
    }
    double to_start = (double)(first->t - lo) / 1000;
    double to_end = (double)(hi - last->t) / 1000;
    double sampled = (double)(last->t - first->t) / 1000;
    double avg = sampled / (double)(count - 1);
    double threshold = avg * 1.1;
    if (e->major == 2) {
        if (is_counter && result > 0 && first->v >= 0) {
            double to_zero = sampled * (first->v / result);
            if (to_zero < to_start) {
                to_start = to_zero;
            }
        }
        to_start = to_start < threshold ? to_start : avg / 2;
        to_end = to_end < threshold ? to_end : avg / 2;
    } else {
        if (to_start >= threshold) {
            to_start = avg / 2;
        }
        if (is_counter && result > 0 && first->v >= 0) {
            double to_zero = sampled * (first->v / result);
            if (to_zero < to_start) {
                to_start = to_zero;
            }
        }
        if (to_end >= threshold) {
            to_end = avg / 2;
        }
    }
    /* One factor, applied in one multiplication: (a*b)/c and a*(b/c) differ in the last bit. */
    double factor = (sampled + to_start + to_end) / sampled;
    if (is_rate) {
        factor /= duration_seconds(range);
    }
    *out = result * factor;
    return true;
}

/* instantValue of promql/functions.go (irate): the last two points of the range. */
static bool instant_rate(span s, double *out)
{
    const rsim_metrics_point *last = NULL;
    const rsim_metrics_point *prev = NULL;
    for (size_t i = s.n; i-- > 0 && !prev;) {
        if (rsim_metrics_is_stale(s.p[i].v)) {
            continue;
        }
        if (!last) {
            last = &s.p[i];
        } else {
            prev = &s.p[i];
        }
    }
    if (!prev) {
        return false;
    }
    double result = last->v < prev->v ? last->v : last->v - prev->v;
    rsim_time interval = last->t - prev->t;
    if (interval == 0) {
        return false;
    }
    *out = result / ((double)interval / 1000);
    return true;
}

static void eval_range_func(ev *e, rsim_promql_func fn, const rsim_promql_node *sel, value *out)
{
    size_t nc;
    const rsim_metrics_series_rec **series = select_series(e, sel, &nc);
    out->v = salloc(e->sc, (nc ? nc : 1) * sizeof(*out->v));
    out->n = 0;
    rsim_time hi = e->t - sel->u.sel.offset_ms;
    rsim_time lo = hi - sel->u.sel.range_ms;
    for (size_t i = 0; i < nc; i++) {
        const rsim_metrics_series_rec *r = series[i];
        span s = range_span(e, r, lo, hi);
        double v;
        bool ok = fn == RSIM_PROMQL_FN_IRATE
                      ? instant_rate(s, &v)
                      : extrapolated_rate(e, s, lo, hi, sel->u.sel.range_ms, true,
                                          fn == RSIM_PROMQL_FN_RATE, &v);
        if (!ok) {
            continue;
        }
        size_t nl = r->n_labels;
        const rsim_metrics_label *l = drop_name(e, r->labels, &nl);
        out->v[out->n++] = (sample){.labels = l, .n_labels = nl, .value = v};
    }
}

/* ---- duplicate label sets (engine.go: "vector cannot contain metrics with the same
 * labelset") ---- */

static void check_duplicates(ev *e, const value *v)
{
    if (v->is_scalar || v->n < 2) {
        return;
    }
    table t;
    table_init(e, &t, v->n);
    for (size_t i = 0; i < v->n; i++) {
        uint64_t h = rsim_metrics_labels_hash(v->v[i].labels, v->v[i].n_labels);
        size_t k = (size_t)h & t.mask;
        for (; t.slots[k]; k = (k + 1) & t.mask) {
            const sample *o = &v->v[t.slots[k] - 1];
            if (t.hashes[k] == h &&
                rsim_metrics_labels_compare(o->labels, o->n_labels, v->v[i].labels,
                                            v->v[i].n_labels) == 0) {
                fail(e, "vector cannot contain metrics with the same labelset");
                return;
            }
        }
        t.slots[k] = (uint32_t)i + 1;
        t.hashes[k] = h;
    }
}

/* Whether every series a selector can select has the same metric name. */
static bool selects_one_name(const rsim_promql_node *sel)
{
    for (size_t i = 0; i < sel->u.sel.n_matchers; i++) {
        const rsim_promql_matcher *m = &sel->u.sel.matchers[i];
        if (m->op == RSIM_PROMQL_MATCH_EQ && is_name(m->name)) {
            return true;
        }
    }
    return false;
}

/* ---- functions ---- */

static double go_max(double a, double b)
{
    if (isinf(a) && a > 0) {
        return a;
    }
    if (isinf(b) && b > 0) {
        return b;
    }
    if (isnan(a) || isnan(b)) {
        return NAN;
    }
    if (a == 0 && a == b) {
        return signbit(a) ? b : a;
    }
    return a > b ? a : b;
}

static double go_min(double a, double b)
{
    if (isinf(a) && a < 0) {
        return a;
    }
    if (isinf(b) && b < 0) {
        return b;
    }
    if (isnan(a) || isnan(b)) {
        return NAN;
    }
    if (a == 0 && a == b) {
        return signbit(a) ? a : b;
    }
    return a < b ? a : b;
}

/* absent(): one sample of value 1 labelled by the selector's equality matchers (engine.go
 * createLabelsForAbsentFunction): a label matched otherwise, or twice, is left out. */
static void eval_absent(ev *e, const rsim_promql_node *arg, const value *in, value *out)
{
    out->n = 0;
    out->v = salloc(e->sc, sizeof(*out->v));
    if (in->n > 0) {
        return;
    }
    size_t nm = arg->kind == RSIM_PROMQL_SELECTOR ? arg->u.sel.n_matchers : 0;
    rsim_metrics_label *l = salloc(e->sc, (nm ? nm : 1) * sizeof(*l));
    const char **removed = salloc(e->sc, (nm ? nm : 1) * sizeof(*removed));
    size_t n = 0;
    size_t n_removed = 0;
    for (size_t i = 0; i < nm; i++) {
        const rsim_promql_matcher *m = &arg->u.sel.matchers[i];
        if (is_name(m->name)) {
            continue;
        }
        bool has = rsim_metrics_labels_get(l, n, m->name)[0] != '\0';
        if (m->op != RSIM_PROMQL_MATCH_EQ || has) {
            removed[n_removed++] = m->name;
            continue;
        }
        if (!m->value[0]) {
            continue; /* setting a label to "" removes it */
        }
        size_t k = n;
        while (k > 0 && strcmp(l[k - 1].name, m->name) > 0) {
            l[k] = l[k - 1];
            k--;
        }
        l[k] = (rsim_metrics_label){.name = m->name, .value = m->value};
        n++;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_list(l[i].name, removed, n_removed)) {
            l[kept++] = l[i];
        }
    }
    out->v[0] = (sample){.labels = l, .n_labels = kept, .value = 1};
    out->n = 1;
}

typedef struct bucket {
    double upper;
    double count;
    size_t group;
} bucket;

static int bucket_cmp(const void *a, const void *b)
{
    const bucket *x = a;
    const bucket *y = b;
    if (x->group != y->group) {
        return x->group < y->group ? -1 : 1;
    }
    return x->upper < y->upper ? -1 : x->upper > y->upper ? 1 : 0;
}

/* bucketQuantile of promql/quantile.go (2.42): buckets sorted by upper bound. */
static double bucket_quantile(double q, bucket *b, size_t n)
{
    if (isnan(q)) {
        return NAN;
    }
    if (q < 0) {
        return -INFINITY;
    }
    if (q > 1) {
        return INFINITY;
    }
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0)) {
        return NAN;
    }
    /* coalesce equal upper bounds */
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (b[i].upper == b[m].upper) {
            b[m].count += b[i].count;
        } else {
            b[++m] = b[i];
        }
    }
    n = m + 1;
    /* force monotonicity (broken by scrapes of buckets at slightly different times) */
    double max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (b[i].count > max) {
            max = b[i].count;
        } else if (b[i].count < max) {
            b[i].count = max;
        }
    }
    if (n < 2) {
        return NAN;
    }
    double observations = b[n - 1].count;
    if (observations == 0) {
        return NAN;
    }
    double rank = q * observations;
    size_t k = 0;
    while (k < n - 1 && !(b[k].count >= rank)) {
        k++;
    }
    if (k == n - 1) {
        return b[n - 2].upper;
    }
    if (k == 0 && b[0].upper <= 0) {
        return b[0].upper;
    }
    double start = 0;
    double end = b[k].upper;
    double count = b[k].count;
    if (k > 0) {
        start = b[k - 1].upper;
        count -= b[k - 1].count;
        rank -= b[k - 1].count;
    }
    return start + (end - start) * (rank / count);
}

static bool parse_le(const char *s, double *out)
{
    if (!s[0] || s[0] == ' ' || s[0] == '\t') {
        return false;
    }
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static void eval_histogram_quantile(ev *e, double q, const value *in, value *out)
{
    static const char *const le_label[] = {"le"};
    /* Buckets group by every label but le, __name__ included (BytesWithoutLabels(le)); the
     * result drops both. */
    keyspec group = {.keep_listed = false, .keep_name = true, .labels = le_label, .n = 1};
    keyspec result = {.keep_listed = false, .labels = le_label, .n = 1};
    bucket *b = salloc(e->sc, (in->n ? in->n : 1) * sizeof(*b));
    size_t *first = salloc(e->sc, (in->n ? in->n : 1) * sizeof(*first)); /* group -> sample */
    size_t nb = 0;
    size_t ng = 0;
    table t;
    table_init(e, &t, in->n);
    for (size_t i = 0; i < in->n; i++) {
        const sample *s = &in->v[i];
        double upper;
        if (!parse_le(rsim_metrics_labels_get(s->labels, s->n_labels, "le"), &upper)) {
            continue;
        }
        uint64_t h = key_hash(&group, s->labels, s->n_labels);
        size_t k = (size_t)h & t.mask;
        size_t g = SIZE_MAX;
        for (; t.slots[k]; k = (k + 1) & t.mask) {
            const sample *o = &in->v[first[t.slots[k] - 1]];
            if (t.hashes[k] == h &&
                key_equal(&group, o->labels, o->n_labels, s->labels, s->n_labels)) {
                g = t.slots[k] - 1;
                break;
            }
        }
        if (g == SIZE_MAX) {
            g = ng++;
            first[g] = i;
            t.slots[k] = (uint32_t)g + 1;
            t.hashes[k] = h;
        }
        b[nb++] = (bucket){.upper = upper, .count = s->value, .group = g};
    }
    qsort(b, nb, sizeof(*b), bucket_cmp);
    out->v = salloc(e->sc, (ng ? ng : 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < nb;) {
        size_t j = i;
        while (j < nb && b[j].group == b[i].group) {
            j++;
        }
        const sample *s = &in->v[first[b[i].group]];
        size_t nl;
        const rsim_metrics_label *l = key_labels(e, &result, s->labels, s->n_labels, &nl);
        out->v[out->n++] =
            (sample){.labels = l, .n_labels = nl, .value = bucket_quantile(q, b + i, j - i)};
        i = j;
    }
}

static void eval_node(ev *e, const rsim_promql_node *n, value *out);

static void eval_call(ev *e, const rsim_promql_node *n, value *out) /* NOLINT(misc-no-recursion) */
{
    rsim_promql_func fn = n->u.call.fn;
    const rsim_promql_node *a0 = n->u.call.args[0];
    if (fn == RSIM_PROMQL_FN_RATE || fn == RSIM_PROMQL_FN_IRATE || fn == RSIM_PROMQL_FN_INCREASE) {
        eval_range_func(e, fn, a0, out);
        /* Series of one metric name differ in some other label (the store keeps one series
         * per label set), so dropping the name cannot make two of them equal. */
        if (!selects_one_name(a0)) {
            check_duplicates(e, out);
        }
        return;
    }
    value a = {0};
    value b = {0};
    eval_node(e, a0, &a);
    if (n->u.call.n_args > 1) {
        eval_node(e, n->u.call.args[1], &b);
    }
    if (e->failed) {
        return;
    }
    switch (fn) {
    case RSIM_PROMQL_FN_SCALAR:
        out->is_scalar = true;
        out->scalar = a.n == 1 ? a.v[0].value : (double)NAN;
        return;
    case RSIM_PROMQL_FN_VECTOR:
        out->v = salloc(e->sc, sizeof(*out->v));
        out->v[0] = (sample){.labels = NULL, .n_labels = 0, .value = a.scalar};
        out->n = 1;
        return;
    case RSIM_PROMQL_FN_ABSENT:
        eval_absent(e, a0, &a, out);
        return;
    case RSIM_PROMQL_FN_HISTOGRAM_QUANTILE:
        eval_histogram_quantile(e, a.scalar, &b, out);
        check_duplicates(e, out);
        return;
    case RSIM_PROMQL_FN_CLAMP_MIN:
    case RSIM_PROMQL_FN_CLAMP_MAX:
        out->v = a.v;
        out->n = a.n;
        for (size_t i = 0; i < a.n; i++) {
            size_t nl = a.v[i].n_labels;
            out->v[i].labels = drop_name(e, a.v[i].labels, &nl);
            out->v[i].n_labels = nl;
            out->v[i].value = fn == RSIM_PROMQL_FN_CLAMP_MIN ? go_max(b.scalar, a.v[i].value)
                                                             : go_min(b.scalar, a.v[i].value);
        }
        check_duplicates(e, out);
        return;
    default:
        rsim_panic("function %d reached the evaluator unhandled", (int)fn);
    }
}

/* ---- aggregation ---- */

typedef struct group {
    const sample *first; /* the sample that opened the group */
    double value;        /* sum, min, max; mean for avg */
    double kahan_c;      /* Prometheus 3 compensated summation */
    double count;
    bool incremental; /* Prometheus 3 avg after an overflowing sum */
} group;

/* kahanSumInc of promql/functions.go (Neumaier's variant). */
static double kahan_inc(double inc, double sum, double *c)
{
    double t = sum + inc;
    if (isinf(t)) {
        *c = 0;
    } else if (fabs(sum) >= fabs(inc)) {
        *c += (sum - t) + inc;
    } else {
        *c += (inc - t) + sum;
    }
    return t;
}

static void incremental_mean(group *g, double v)
{
    if (isinf(g->value)) {
        if (isinf(v) && (g->value > 0) == (v > 0)) {
            return;
        }
        if (!isinf(v) && !isnan(v)) {
            return;
        }
    }
    g->value += v / g->count - g->value / g->count;
}

static void agg_add(const ev *e, rsim_promql_aggop op, group *g, double v)
{
    g->count++;
    switch (op) {
    case RSIM_PROMQL_AGG_SUM:
        if (e->major == 2) {
            g->value += v;
        } else {
            g->value = kahan_inc(v, g->value, &g->kahan_c);
        }
        break;
    case RSIM_PROMQL_AGG_AVG:
        if (e->major == 2 || g->incremental) {
            incremental_mean(g, v);
        } else {
            double c = g->kahan_c;
            double sum = kahan_inc(v, g->value, &c);
            if (!isinf(sum)) {
                g->value = sum;
                g->kahan_c = c;
            } else {
                g->incremental = true;
                g->value = g->value / (g->count - 1);
                g->kahan_c /= g->count - 1;
                incremental_mean(g, v);
            }
        }
        break;
    case RSIM_PROMQL_AGG_MIN:
        if (g->value > v || isnan(g->value)) {
            g->value = v;
        }
        break;
    case RSIM_PROMQL_AGG_MAX:
        if (g->value < v || isnan(g->value)) {
            g->value = v;
        }
        break;
    case RSIM_PROMQL_AGG_COUNT:
        break;
    }
}

static double agg_final(const ev *e, rsim_promql_aggop op, const group *g)
{
    switch (op) {
    case RSIM_PROMQL_AGG_COUNT:
        return g->count;
    case RSIM_PROMQL_AGG_SUM:
        return e->major == 2 ? g->value : g->value + g->kahan_c;
    case RSIM_PROMQL_AGG_AVG:
        if (e->major == 2) {
            return g->value;
        }
        if (g->incremental) {
            return g->value + g->kahan_c;
        }
        return g->value / g->count + g->kahan_c / g->count;
    default:
        return g->value;
    }
}

/* Groups the samples of in by k's labels, in order of first appearance, aggregating with op.
 * Returns the number of groups. */
static size_t
group_samples(ev *e, const keyspec *k, rsim_promql_aggop op, const value *in, group *groups)
{
    size_t ng = 0;
    if (k->keep_listed && k->n == 0) {
        /* Nothing to group by (`sum(x)`, `sum by () (x)`): every sample joins one group, the
         * same additions in the same order, without hashing. */
        for (size_t i = 0; i < in->n; i++) {
            if (ng == 0) {
                groups[ng++] = (group){.first = &in->v[i], .value = in->v[i].value, .count = 1};
            } else {
                agg_add(e, op, &groups[0], in->v[i].value);
            }
        }
        return ng;
    }
    table t;
    table_init(e, &t, in->n);
    for (size_t i = 0; i < in->n; i++) {
        const sample *s = &in->v[i];
        uint64_t h = key_hash(k, s->labels, s->n_labels);
        size_t slot = (size_t)h & t.mask;
        group *g = NULL;
        for (; t.slots[slot]; slot = (slot + 1) & t.mask) {
            group *o = &groups[t.slots[slot] - 1];
            if (t.hashes[slot] == h &&
                key_equal(k, o->first->labels, o->first->n_labels, s->labels, s->n_labels)) {
                g = o;
                break;
            }
        }
        if (!g) {
            g = &groups[ng++];
            *g = (group){.first = s, .value = s->value, .count = 1};
            t.slots[slot] = (uint32_t)ng;
            t.hashes[slot] = h;
            continue;
        }
        agg_add(e, op, g, s->value);
    }
    return ng;
}

static void eval_agg(ev *e, const rsim_promql_node *n, value *out) /* NOLINT(misc-no-recursion) */
{
    value in = {0};
    eval_node(e, n->u.agg.arg, &in);
    if (e->failed) {
        return;
    }
    keyspec k = {
        .keep_listed = !n->u.agg.without, .labels = n->u.agg.labels, .n = n->u.agg.n_labels};
    group *groups = salloc(e->sc, (in.n ? in.n : 1) * sizeof(*groups));
    size_t ng = group_samples(e, &k, n->u.agg.op, &in, groups);
    out->v = salloc(e->sc, (ng ? ng : 1) * sizeof(*out->v));
    out->n = ng;
    for (size_t i = 0; i < ng; i++) {
        size_t nl;
        const rsim_metrics_label *l =
            key_labels(e, &k, groups[i].first->labels, groups[i].first->n_labels, &nl);
        out->v[i] =
            (sample){.labels = l, .n_labels = nl, .value = agg_final(e, n->u.agg.op, &groups[i])};
    }
}

/* ---- binary operators ---- */

static bool is_odd_int(double y)
{
    double yi;
    double yf = modf(y, &yi);
    return yf == 0 && fabs(yi) < 9007199254740992.0 && fmod(yi, 2) != 0;
}

/* Go's math.Pow, so that ^ agrees with Prometheus to the last bit where Go's algorithm is
 * exact: the special cases, square roots and integral exponents (repeated squaring on the
 * mantissa). A fractional part goes through exp(log) and may differ from Go in the last bit. */
static double go_pow(double x, double y)
{
    if (y == 0 || x == 1) {
        return 1;
    }
    if (y == 1) {
        return x;
    }
    if (isnan(x) || isnan(y)) {
        return NAN;
    }
    if (x == 0) {
        if (y < 0) {
            return signbit(x) && is_odd_int(y) ? -INFINITY : INFINITY;
        }
        return signbit(x) && is_odd_int(y) ? x : 0;
    }
    if (isinf(y)) {
        if (x == -1) {
            return 1;
        }
        return (fabs(x) < 1) == (y > 0) ? 0 : INFINITY;
    }
    if (isinf(x)) {
        if (x < 0) {
            return go_pow(1 / x, -y); /* NOLINT(misc-no-recursion): one level, x becomes -0 */
        }
        return y < 0 ? 0 : INFINITY;
    }
    if (y == 0.5) {
        return sqrt(x);
    }
    if (y == -0.5) {
        return 1 / sqrt(x);
    }
    double yi;
    double yf = modf(fabs(y), &yi);
    if (yf != 0 && x < 0) {
        return NAN;
    }
    if (yi >= 9223372036854775808.0) {
        if (x == -1) {
            return 1;
        }
        return (fabs(x) < 1) == (y > 0) ? 0 : INFINITY;
    }
    double a1 = 1.0;
    int ae = 0;
    if (yf != 0) {
        if (yf > 0.5) {
            yf--;
            yi++;
        }
        a1 = exp(yf * log(x));
    }
    int xe;
    double x1 = frexp(x, &xe);
    for (int64_t i = (int64_t)yi; i != 0; i >>= 1) {
        if (xe < -(1 << 12) || (1 << 12) < xe) {
            ae += xe;
            break;
        }
        if ((i & 1) == 1) {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if (x1 < .5) {
            x1 += x1;
            xe--;
        }
    }
    if (y < 0) {
        a1 = 1 / a1;
        ae = -ae;
    }
    return ldexp(a1, ae);
}

/* vectorElemBinop of engine.go: the value, and whether a comparison keeps the element. */
static double elem_binop(rsim_promql_binop op, double l, double r, bool *keep)
{
    *keep = true;
    switch (op) {
    case RSIM_PROMQL_OP_ADD:
        return l + r;
    case RSIM_PROMQL_OP_SUB:
        return l - r;
    case RSIM_PROMQL_OP_MUL:
        return l * r;
    case RSIM_PROMQL_OP_DIV:
        return l / r;
    case RSIM_PROMQL_OP_MOD:
        return fmod(l, r);
    case RSIM_PROMQL_OP_POW:
        return go_pow(l, r);
    case RSIM_PROMQL_OP_EQ:
        *keep = l == r;
        return l;
    case RSIM_PROMQL_OP_NE:
        *keep = l != r;
        return l;
    case RSIM_PROMQL_OP_GT:
        *keep = l > r;
        return l;
    case RSIM_PROMQL_OP_LT:
        *keep = l < r;
        return l;
    case RSIM_PROMQL_OP_GE:
        *keep = l >= r;
        return l;
    case RSIM_PROMQL_OP_LE:
        *keep = l <= r;
        return l;
    }
    return NAN;
}

static void eval_vector_scalar(
    ev *e, const rsim_promql_node *n, const value *vec, double scalar, bool swap, value *out)
{
    rsim_promql_binop op = n->u.bin.op;
    bool cmp = rsim_promql_binop_is_comparison(op);
    out->v = salloc(e->sc, (vec->n ? vec->n : 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < vec->n; i++) {
        double l = swap ? scalar : vec->v[i].value;
        double r = swap ? vec->v[i].value : scalar;
        bool keep;
        double v = elem_binop(op, l, r, &keep);
        if (cmp && swap) {
            v = r; /* the vector's value is kept, whichever side it is on */
        }
        if (n->u.bin.return_bool) {
            v = keep ? 1.0 : 0.0;
        } else if (!keep) {
            continue;
        }
        size_t nl = vec->v[i].n_labels;
        const rsim_metrics_label *lab = vec->v[i].labels;
        if (!cmp || n->u.bin.return_bool) {
            lab = drop_name(e, lab, &nl);
        }
        out->v[out->n++] = (sample){.labels = lab, .n_labels = nl, .value = v};
    }
}

/* resultMetric of engine.go for one-to-one matching. */
static const rsim_metrics_label *
result_labels(ev *e, const rsim_promql_node *n, const sample *l, size_t *nl)
{
    bool cmp = rsim_promql_binop_is_comparison(n->u.bin.op);
    bool drop = !cmp || n->u.bin.return_bool;
    if (!n->u.bin.on && !n->u.bin.ignoring) {
        *nl = l->n_labels;
        return drop ? drop_name(e, l->labels, nl) : l->labels;
    }
    rsim_metrics_label *out = salloc(e->sc, (l->n_labels ? l->n_labels : 1) * sizeof(*out));
    size_t m = 0;
    for (size_t i = 0; i < l->n_labels; i++) {
        const char *name = l->labels[i].name;
        bool listed = in_list(name, n->u.bin.labels, n->u.bin.n_labels);
        if (drop && is_name(name)) {
            continue;
        }
        if (n->u.bin.on ? !listed : listed) {
            continue;
        }
        out[m++] = l->labels[i];
    }
    *nl = m;
    return out;
}

static void
eval_vector_vector(ev *e, const rsim_promql_node *n, const value *lhs, const value *rhs, value *out)
{
    keyspec k = {.keep_listed = n->u.bin.on, .labels = n->u.bin.labels, .n = n->u.bin.n_labels};
    table t;
    table_init(e, &t, rhs->n);
    for (size_t i = 0; i < rhs->n; i++) {
        const sample *s = &rhs->v[i];
        uint64_t h = key_hash(&k, s->labels, s->n_labels);
        size_t slot = (size_t)h & t.mask;
        for (; t.slots[slot]; slot = (slot + 1) & t.mask) {
            const sample *o = &rhs->v[t.slots[slot] - 1];
            if (t.hashes[slot] == h &&
                key_equal(&k, o->labels, o->n_labels, s->labels, s->n_labels)) {
                char a[96];
                char b[96];
                format_labels(s->labels, s->n_labels, a, sizeof(a));
                format_labels(o->labels, o->n_labels, b, sizeof(b));
                fail(e,
                     "found duplicate series for the match group on the right hand-side of the "
                     "operation: [%s, %s]; many-to-many matching not allowed: matching labels "
                     "must be unique on one side",
                     a, b);
                return;
            }
        }
        t.slots[slot] = (uint32_t)i + 1;
        t.hashes[slot] = h;
    }
    bool *matched = salloc(e->sc, (rhs->n ? rhs->n : 1) * sizeof(*matched));
    memset(matched, 0, (rhs->n ? rhs->n : 1) * sizeof(*matched));
    out->v = salloc(e->sc, (lhs->n ? lhs->n : 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < lhs->n; i++) {
        const sample *s = &lhs->v[i];
        uint64_t h = key_hash(&k, s->labels, s->n_labels);
        size_t slot = (size_t)h & t.mask;
        const sample *r = NULL;
        size_t ri = 0;
        for (; t.slots[slot]; slot = (slot + 1) & t.mask) {
            const sample *o = &rhs->v[t.slots[slot] - 1];
            if (t.hashes[slot] == h &&
                key_equal(&k, o->labels, o->n_labels, s->labels, s->n_labels)) {
                r = o;
                ri = t.slots[slot] - 1;
                break;
            }
        }
        if (!r) {
            continue;
        }
        bool keep;
        double v = elem_binop(n->u.bin.op, s->value, r->value, &keep);
        if (n->u.bin.return_bool) {
            v = keep ? 1.0 : 0.0;
        } else if (!keep) {
            continue;
        }
        if (matched[ri]) {
            fail(e, "multiple matches for labels: many-to-one matching must be explicit "
                    "(group_left/group_right)");
            return;
        }
        matched[ri] = true;
        size_t nl;
        const rsim_metrics_label *l = result_labels(e, n, s, &nl);
        out->v[out->n++] = (sample){.labels = l, .n_labels = nl, .value = v};
    }
}

static void
eval_binary(ev *e, const rsim_promql_node *n, value *out) /* NOLINT(misc-no-recursion) */
{
    value l = {0};
    value r = {0};
    eval_node(e, n->u.bin.lhs, &l);
    eval_node(e, n->u.bin.rhs, &r);
    if (e->failed) {
        return;
    }
    if (l.is_scalar && r.is_scalar) {
        bool keep;
        double v = elem_binop(n->u.bin.op, l.scalar, r.scalar, &keep);
        out->is_scalar = true;
        out->scalar = rsim_promql_binop_is_comparison(n->u.bin.op) ? (keep ? 1.0 : 0.0) : v;
        return;
    }
    if (r.is_scalar) {
        eval_vector_scalar(e, n, &l, r.scalar, false, out);
    } else if (l.is_scalar) {
        eval_vector_scalar(e, n, &r, l.scalar, true, out);
    } else {
        eval_vector_vector(e, n, &l, &r, out);
    }
    check_duplicates(e, out);
}

static void eval_node(ev *e, const rsim_promql_node *n, value *out) /* NOLINT(misc-no-recursion) */
{
    if (e->failed) {
        return;
    }
    switch (n->kind) {
    case RSIM_PROMQL_NUMBER:
        out->is_scalar = true;
        out->scalar = n->u.number;
        return;
    case RSIM_PROMQL_SELECTOR:
        RSIM_ASSERT(n->u.sel.range_ms == 0);
        eval_instant_selector(e, n, out);
        return;
    case RSIM_PROMQL_CALL:
        eval_call(e, n, out);
        return;
    case RSIM_PROMQL_AGG:
        eval_agg(e, n, out);
        return;
    case RSIM_PROMQL_BINARY:
        eval_binary(e, n, out);
        return;
    case RSIM_PROMQL_NEG: {
        value a = {0};
        eval_node(e, n->u.neg.arg, &a);
        if (e->failed) {
            return;
        }
        if (a.is_scalar) {
            out->is_scalar = true;
            out->scalar = -a.scalar;
            return;
        }
        out->v = a.v;
        out->n = a.n;
        for (size_t i = 0; i < a.n; i++) {
            size_t nl = a.v[i].n_labels;
            out->v[i].labels = drop_name(e, a.v[i].labels, &nl);
            out->v[i].n_labels = nl;
            out->v[i].value = -a.v[i].value;
        }
        check_duplicates(e, out);
        return;
    }
    }
}

static int sample_cmp(const void *a, const void *b)
{
    const sample *x = a;
    const sample *y = b;
    return rsim_metrics_labels_compare(x->labels, x->n_labels, y->labels, y->n_labels);
}

rsim_err rsim_metrics_query_eval(const rsim_metrics_store *s,
                                 const rsim_promql *query,
                                 rsim_time t,
                                 const rsim_metrics_query_opts *opts,
                                 rsim_metrics_result *result)
{
    RSIM_ASSERT(result->scratch);
    scratch_reset(result->scratch);
    result->error[0] = '\0';
    result->samples = NULL;
    result->n_samples = 0;
    result->scalar = 0;
    ev e = {
        .s = s,
        .t = t,
        .lookback =
            opts && opts->lookback_ms > 0 ? opts->lookback_ms : RSIM_METRICS_LOOKBACK_DEFAULT,
        .major = opts && opts->prom_major == 2 ? 2 : 3,
        .sc = result->scratch,
        .r = result,
    };
    value v = {0};
    eval_node(&e, rsim_promql_root(query), &v);
    if (e.failed) {
        result->kind = RSIM_METRICS_ERROR;
        return RSIM_EINVAL;
    }
    if (v.is_scalar) {
        result->kind = RSIM_METRICS_SCALAR;
        result->scalar = v.scalar;
        return RSIM_OK;
    }
    /* Instant vectors come back in label order, so that result[0] is deterministic. */
    qsort(v.v, v.n, sizeof(*v.v), sample_cmp);
    result->kind = RSIM_METRICS_VECTOR;
    result->samples = v.v;
    result->n_samples = v.n;
    return RSIM_OK;
}
