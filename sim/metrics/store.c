/* store.c - the sample store: series keyed by interned, sorted label sets; samples appended in
 * time order into one growable buffer per series; staleness markers; a retention window; and a
 * per-metric-name index kept sorted the way Prometheus orders series.
 * Start reading at rsim_metrics_series_add, then rsim_metrics_append. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* Prometheus' StaleNaN (model/value): a NaN whose payload no arithmetic produces. */
#define STALE_NAN_BITS UINT64_C(0x7ff0000000000002)

double rsim_metrics_stale_value(void)
{
    uint64_t bits = STALE_NAN_BITS;
    double v;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

bool rsim_metrics_is_stale(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return bits == STALE_NAN_BITS;
}

rsim_metrics_store *rsim_metrics_store_new(rsim_time retention_ms)
{
    rsim_metrics_store *s = rsim_xcalloc(1, sizeof(*s));
    s->retention_ms = retention_ms > 0 ? retention_ms : 0;
    rsim_arena_init(&s->arena);
    return s;
}

void rsim_metrics_store_free(rsim_metrics_store *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->series.n; i++) {
        free(s->series.items[i].points);
    }
    for (size_t i = 0; i < s->names.n; i++) {
        free(s->names.items[i].ids.items);
    }
    free(s->series.items);
    free(s->sorted.items);
    free(s->names.items);
    free(s->strs);
    free(s->by_hash);
    rsim_arena_fini(&s->arena);
    free(s);
}

/* ---- interning ---- */

static const char *intern(rsim_metrics_store *s, const char *str)
{
    if (2 * (s->strs_n + 1) > s->strs_cap) {
        size_t cap = s->strs_cap ? 2 * s->strs_cap : 64;
        const char **t = rsim_xcalloc(cap, sizeof(*t));
        for (size_t i = 0; i < s->strs_cap; i++) {
            if (s->strs[i]) {
                size_t h = (size_t)rsim_util_hash64(s->strs[i], strlen(s->strs[i])) & (cap - 1);
                while (t[h]) {
                    h = (h + 1) & (cap - 1);
                }
                t[h] = s->strs[i];
            }
        }
        free(s->strs);
        s->strs = t;
        s->strs_cap = cap;
    }
    size_t h = (size_t)rsim_util_hash64(str, strlen(str)) & (s->strs_cap - 1);
    while (s->strs[h]) {
        if (strcmp(s->strs[h], str) == 0) {
            return s->strs[h];
        }
        h = (h + 1) & (s->strs_cap - 1);
    }
    s->strs[h] = rsim_arena_strdup(&s->arena, str);
    s->strs_n++;
    return s->strs[h];
}

const char *rsim_metrics_intern_find(const rsim_metrics_store *s, const char *str)
{
    if (s->strs_cap == 0) {
        return NULL;
    }
    size_t h = (size_t)rsim_util_hash64(str, strlen(str)) & (s->strs_cap - 1);
    while (s->strs[h]) {
        if (strcmp(s->strs[h], str) == 0) {
            return s->strs[h];
        }
        h = (h + 1) & (s->strs_cap - 1);
    }
    return NULL;
}

/* ---- label sets ---- */

uint64_t rsim_metrics_labels_hash(const rsim_metrics_label *labels, size_t n_labels)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n_labels; i++) {
        for (int k = 0; k < 2; k++) {
            const unsigned char *c =
                (const unsigned char *)(k == 0 ? labels[i].name : labels[i].value);
            for (; *c; c++) {
                h = (h ^ *c) * UINT64_C(1099511628211);
            }
            h = (h ^ 0xFFu) * UINT64_C(1099511628211);
        }
    }
    return h;
}

int rsim_metrics_labels_compare(const rsim_metrics_label *a,
                                size_t n_a,
                                const rsim_metrics_label *b,
                                size_t n_b)
{
    size_t n = n_a < n_b ? n_a : n_b;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a[i].name, b[i].name);
        if (c == 0) {
            c = strcmp(a[i].value, b[i].value);
        }
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return n_a < n_b ? -1 : n_a > n_b ? 1 : 0;
}

const char *
rsim_metrics_labels_get(const rsim_metrics_label *labels, size_t n_labels, const char *name)
{
    for (size_t i = 0; i < n_labels; i++) {
        if (strcmp(labels[i].name, name) == 0) {
            return labels[i].value;
        }
    }
    return "";
}

static bool valid_name(const char *s, bool metric)
{
    if (!s[0] || !(isalpha((unsigned char)s[0]) || s[0] == '_' || (metric && s[0] == ':'))) {
        return false;
    }
    for (const char *c = s + 1; *c; c++) {
        if (!(isalnum((unsigned char)*c) || *c == '_' || (metric && *c == ':'))) {
            return false;
        }
    }
    return true;
}

/* ---- series ---- */

static void by_hash_insert(rsim_metrics_store *s, rsim_metrics_series id)
{
    size_t mask = s->by_hash_cap - 1;
    size_t h = (size_t)s->series.items[id].hash & mask;
    while (s->by_hash[h]) {
        h = (h + 1) & mask;
    }
    s->by_hash[h] = id + 1;
}

static void by_hash_grow(rsim_metrics_store *s)
{
    if (2 * (s->series.n + 1) <= s->by_hash_cap) {
        return;
    }
    free(s->by_hash);
    s->by_hash_cap = s->by_hash_cap ? 2 * s->by_hash_cap : 64;
    s->by_hash = rsim_xcalloc(s->by_hash_cap, sizeof(*s->by_hash));
    for (size_t i = 0; i < s->series.n; i++) {
        by_hash_insert(s, (rsim_metrics_series)i);
    }
}

/* Inserts id into a list kept sorted by label set. */
static void sorted_insert(const rsim_metrics_store *s,
                          rsim_metrics_series *items,
                          size_t *n,
                          rsim_metrics_series id)
{
    const rsim_metrics_series_rec *r = &s->series.items[id];
    size_t i = *n;
    while (i > 0) {
        const rsim_metrics_series_rec *o = &s->series.items[items[i - 1]];
        if (rsim_metrics_labels_compare(o->labels, o->n_labels, r->labels, r->n_labels) < 0) {
            break;
        }
        items[i] = items[i - 1];
        i--;
    }
    items[i] = id;
    (*n)++;
}

static void index_series(rsim_metrics_store *s, rsim_metrics_series id)
{
    RSIM_VEC_GROW(s->sorted);
    sorted_insert(s, s->sorted.items, &s->sorted.n, id);
    const char *name = NULL;
    const rsim_metrics_series_rec *r = &s->series.items[id];
    for (size_t i = 0; i < r->n_labels; i++) {
        if (strcmp(r->labels[i].name, "__name__") == 0) {
            name = r->labels[i].value;
        }
    }
    if (!name) {
        return;
    }
    rsim_metrics_name_index *ni = NULL;
    for (size_t i = 0; i < s->names.n && !ni; i++) {
        if (s->names.items[i].name == name) {
            ni = &s->names.items[i];
        }
    }
    if (!ni) {
        rsim_metrics_name_index fresh = {.name = name};
        RSIM_VEC_PUSH(s->names, fresh);
        ni = &s->names.items[s->names.n - 1];
    }
    RSIM_VEC_GROW(ni->ids);
    sorted_insert(s, ni->ids.items, &ni->ids.n, id);
}

rsim_err rsim_metrics_series_add(rsim_metrics_store *s,
                                 const rsim_metrics_label *labels,
                                 size_t n_labels,
                                 rsim_metrics_series *out)
{
    rsim_metrics_label stack[32];
    rsim_metrics_label *ls = n_labels <= 32 ? stack : rsim_xmalloc(n_labels * sizeof(*ls));
    size_t n = 0;
    rsim_err err = RSIM_OK;
    for (size_t i = 0; i < n_labels && err == RSIM_OK; i++) {
        if (!labels[i].value || !labels[i].value[0]) {
            continue;
        }
        bool is_name = strcmp(labels[i].name, "__name__") == 0;
        if (!valid_name(labels[i].name, false) || (is_name && !valid_name(labels[i].value, true))) {
            err = RSIM_EINVAL;
            break;
        }
        /* insertion sort by name; label sets are small */
        size_t j = n;
        while (j > 0 && strcmp(ls[j - 1].name, labels[i].name) > 0) {
            ls[j] = ls[j - 1];
            j--;
        }
        if (j > 0 && strcmp(ls[j - 1].name, labels[i].name) == 0) {
            err = RSIM_EINVAL;
            break;
        }
        ls[j] = labels[i];
        n++;
    }
    if (err == RSIM_OK && n == 0) {
        err = RSIM_EINVAL;
    }
    if (err == RSIM_OK) {
        for (size_t i = 0; i < n; i++) {
            ls[i].name = intern(s, ls[i].name);
            ls[i].value = intern(s, ls[i].value);
        }
        uint64_t h = rsim_metrics_labels_hash(ls, n);
        by_hash_grow(s);
        size_t mask = s->by_hash_cap - 1;
        for (size_t k = (size_t)h & mask; s->by_hash[k]; k = (k + 1) & mask) {
            const rsim_metrics_series_rec *r = &s->series.items[s->by_hash[k] - 1];
            if (r->hash == h && rsim_metrics_labels_compare(r->labels, r->n_labels, ls, n) == 0) {
                *out = s->by_hash[k] - 1;
                goto done;
            }
        }
        rsim_metrics_series_rec rec = {.n_labels = n, .hash = h};
        rec.labels = rsim_arena_alloc(&s->arena, n * sizeof(*rec.labels));
        memcpy(rec.labels, ls, n * sizeof(*ls));
        rsim_metrics_series id = (rsim_metrics_series)s->series.n;
        RSIM_VEC_PUSH(s->series, rec);
        by_hash_insert(s, id);
        index_series(s, id);
        *out = id;
    }
done:
    if (ls != stack) {
        free(ls);
    }
    return err;
}

/* ---- samples ---- */

static void push_point(rsim_metrics_store *s, rsim_metrics_series id, rsim_time t, double v)
{
    RSIM_ASSERT(id < s->series.n);
    rsim_metrics_series_rec *r = &s->series.items[id];
    if (r->n > 0 && r->points[r->start + r->n - 1].t >= t) {
        RSIM_ASSERT(!"samples must be appended in strictly increasing time order");
        return;
    }
    if (s->retention_ms > 0) {
        while (r->n > 0 && r->points[r->start].t < t - s->retention_ms) {
            r->start++;
            r->n--;
        }
    }
    if (r->start + r->n == r->cap) {
        if (r->start > 0 && r->start >= r->cap / 4) {
            memmove(r->points, r->points + r->start, r->n * sizeof(*r->points));
            r->start = 0;
        } else {
            r->cap = r->cap ? 2 * r->cap : 16;
            r->points = rsim_xrealloc(r->points, r->cap * sizeof(*r->points));
        }
    }
    r->points[r->start + r->n] = (rsim_metrics_point){.t = t, .v = v};
    r->n++;
}

void rsim_metrics_append(rsim_metrics_store *s, rsim_metrics_series id, rsim_time t, double value)
{
    push_point(s, id, t, value);
}

void rsim_metrics_append_stale(rsim_metrics_store *s, rsim_metrics_series id, rsim_time t)
{
    push_point(s, id, t, rsim_metrics_stale_value());
}

size_t rsim_metrics_series_count(const rsim_metrics_store *s)
{
    return s->series.n;
}

const rsim_metrics_label *
rsim_metrics_series_labels(const rsim_metrics_store *s, rsim_metrics_series id, size_t *n_labels)
{
    RSIM_ASSERT(id < s->series.n);
    *n_labels = s->series.items[id].n_labels;
    return s->series.items[id].labels;
}

size_t rsim_metrics_sample_count(const rsim_metrics_store *s, rsim_metrics_series id)
{
    RSIM_ASSERT(id < s->series.n);
    return s->series.items[id].n;
}

size_t rsim_metrics_store_bytes(const rsim_metrics_store *s)
{
    size_t b = sizeof(*s) + s->arena.total_bytes;
    b += s->series.cap * sizeof(*s->series.items) + s->sorted.cap * sizeof(*s->sorted.items);
    b += s->names.cap * sizeof(*s->names.items);
    for (size_t i = 0; i < s->names.n; i++) {
        b += s->names.items[i].ids.cap * sizeof(rsim_metrics_series);
    }
    for (size_t i = 0; i < s->series.n; i++) {
        b += s->series.items[i].cap * sizeof(rsim_metrics_point);
    }
    b += s->strs_cap * sizeof(*s->strs) + s->by_hash_cap * sizeof(*s->by_hash);
    return b;
}
