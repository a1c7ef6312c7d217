/* pools.c - latency histograms and per-pod counters, drawn only when read.
 * Admitted requests wait in a pool per (account, ReplicaSet, latency law). A law change or a
 * read draws the pool: first over the metrics' buckets (a multinomial over ~12 categories),
 * then, only for a percentile query or a law change, inside each metrics bucket over the fine
 * log-spaced buckets. Both steps are exact (a multinomial, then conditional multinomials given
 * the coarse counts). Per-pod counters: a ReplicaSet's pending counts are split over its serving
 * pods (a request's pod is uniform and independent of its outcome, so every category splits by
 * its own equal-weight multinomial) when a pod is read or the serving set is about to change. */
#include <math.h>
#include <string.h>

#include "traffic_priv.h"

static bool same_law(const rsim_traffic_lat *a, const rsim_traffic_lat *b)
{
    return a->dist == b->dist && a->scale == b->scale && a->add_ms == b->add_ms;
}

/* The undrawn requests of pool p into metrics buckets (and the pods' pending counters). */
static void draw_coarse(rsim_traffic *t, lat_pool *p)
{
    if (p->undrawn == 0) {
        return;
    }
    rs_state *r = &t->rs[p->rs];
    double prev_c = 0.0;
    double prev_m = 0.0;
    for (size_t j = 0; j < t->n_coarse; j++) {
        double c = rsim_traffic_lat_cdf(&p->lat, t->coarse_b[j]);
        double m = rsim_traffic_lat_partial_mean(&p->lat, t->coarse_b[j]);
        t->scratch2[j] = c > prev_c ? c - prev_c : 0.0;
        t->scratch[j] = m - prev_m; /* E[L; bucket j] */
        prev_c = c;
        prev_m = m;
    }
    t->scratch2[t->n_coarse - 1] += 1.0 - prev_c > 0.0 ? 1.0 - prev_c : 0.0;
    rsim_rng_multinomial(t->rng_latency, t->n_coarse, p->undrawn, t->scratch2, t->scratch_n);
    for (size_t j = 0; j < t->n_coarse; j++) {
        uint64_t n = t->scratch_n[j];
        if (n == 0) {
            continue;
        }
        p->coarse[j] += n;
        r->pend_b[j] += n;
        /* Conditional mean of the bucket times its count: the exact expectation of the sum. */
        double mean = t->scratch2[j] > 0.0 ? t->scratch[j] / t->scratch2[j] : t->coarse_b[j];
        if (!isfinite(mean)) {
            mean = j > 0 ? t->coarse_b[j - 1] : 0.0;
        }
        r->pend_bsum[j] += mean * (double)n;
    }
    p->undrawn = 0;
    p->fine_pending = true;
}

/* Coarse-drawn requests of pool p into the fine histogram of account a. */
static void draw_fine(rsim_traffic *t, account *a, lat_pool *p)
{
    if (!p->fine_pending) {
        return;
    }
    size_t f = 0;
    for (size_t j = 0; j < t->n_coarse; j++) {
        size_t f0 = f;
        double prev = f0 > 0 ? rsim_traffic_lat_cdf(&p->lat, t->fine_b[f0 - 1]) : 0.0;
        while (f < t->n_fine && t->fine_to_c[f] == j) {
            double c = rsim_traffic_lat_cdf(&p->lat, t->fine_b[f]);
            t->scratch[f - f0] = c > prev ? c - prev : 0.0;
            prev = c;
            f++;
        }
        uint64_t n = p->coarse[j];
        p->coarse[j] = 0;
        if (n == 0) {
            continue;
        }
        size_t k = f - f0;
        double tot = 0.0;
        for (size_t i = 0; i < k; i++) {
            tot += t->scratch[i];
        }
        if (!(tot > 0.0)) {
            a->fine[f - 1] += n; /* a bucket of zero probability got draws only by rounding */
        } else {
            rsim_rng_multinomial(t->rng_latency, k, n, t->scratch, t->scratch_n);
            for (size_t i = 0; i < k; i++) {
                a->fine[f0 + i] += t->scratch_n[i];
            }
        }
        a->n_fine += n;
    }
    p->fine_pending = false;
}

void rsim_traffic_pool_add(
    rsim_traffic *t, account *a, uint32_t rs, const rsim_traffic_lat *lat, uint64_t n)
{
    if (n == 0) {
        return;
    }
    lat_pool *p = NULL;
    for (size_t i = 0; i < a->pools.n; i++) {
        if (a->pools.items[i].rs == rs) {
            p = &a->pools.items[i];
            break;
        }
    }
    if (p == NULL) {
        lat_pool np = {.rs = rs, .lat = *lat};
        np.coarse = rsim_xcalloc(t->n_coarse, sizeof(*np.coarse));
        RSIM_VEC_PUSH(a->pools, np);
        p = &a->pools.items[a->pools.n - 1];
    } else if (!same_law(&p->lat, lat)) {
        draw_coarse(t, p);
        draw_fine(t, a, p);
        p->lat = *lat;
    }
    p->undrawn += n;
}

void rsim_traffic_pool_draw_rs(rsim_traffic *t, uint32_t rs)
{
    account *accts[2] = {&t->rs[rs].acct, &t->flag};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < accts[k]->pools.n; i++) {
            if (accts[k]->pools.items[i].rs == rs) {
                draw_coarse(t, &accts[k]->pools.items[i]);
            }
        }
    }
}

void rsim_traffic_pool_draw_fine(rsim_traffic *t, account *a)
{
    for (size_t i = 0; i < a->pools.n; i++) {
        draw_coarse(t, &a->pools.items[i]);
        draw_fine(t, a, &a->pools.items[i]);
    }
}

static pod_state *pod_at(rsim_traffic *t, uint32_t id)
{
    while (t->pods.n <= id) {
        pod_state p = {0};
        p.b = rsim_xcalloc(t->n_coarse, sizeof(*p.b));
        RSIM_VEC_PUSH(t->pods, p);
    }
    return &t->pods.items[id];
}

/* Splits count n over m pods uniformly into out[0..m). */
static void split_even(rsim_traffic *t, uint64_t n, size_t m, uint64_t *out)
{
    uint64_t left = n;
    for (size_t i = 0; i < m; i++) {
        if (left == 0 || i + 1 == m) {
            out[i] = left;
            left = 0;
            continue;
        }
        out[i] = rsim_rng_binomial(t->rng_pods, 1.0 / (double)(m - i), left);
        left -= out[i];
    }
}

void rsim_traffic_pods_flush(rsim_traffic *t, uint32_t rs)
{
    if (rs >= t->n_rs) {
        return;
    }
    rsim_traffic_pool_draw_rs(t, rs);
    rs_state *r = &t->rs[rs];
    if (r->pend_ok == 0 && r->pend_err == 0) {
        return;
    }
    const rsim_pod *const *pods = NULL;
    size_t np = rsim_cluster_pods(t->c, rs, &pods);
    const rsim_pod *serving[256];
    size_t m = 0;
    for (size_t i = 0; i < np && m < 256; i++) {
        if (pods[i]->serving) {
            serving[m++] = pods[i];
        }
    }
    if (m == 0) {
        return; /* kept pending: the serving set changes are always flushed before */
    }
    uint64_t split[256];
    t->stats.pod_splits++;
    split_even(t, r->pend_ok, m, split);
    for (size_t i = 0; i < m; i++) {
        pod_at(t, serving[i]->id)->ok += split[i];
    }
    split_even(t, r->pend_err, m, split);
    for (size_t i = 0; i < m; i++) {
        pod_at(t, serving[i]->id)->err += split[i];
    }
    for (size_t j = 0; j < t->n_coarse; j++) {
        if (r->pend_b[j] == 0) {
            continue;
        }
        split_even(t, r->pend_b[j], m, split);
        for (size_t i = 0; i < m; i++) {
            pod_state *p = pod_at(t, serving[i]->id);
            p->b[j] += split[i];
            p->sum += r->pend_bsum[j] * (double)split[i] / (double)r->pend_b[j];
        }
        r->pend_b[j] = 0;
        r->pend_bsum[j] = 0.0;
    }
    r->pend_ok = 0;
    r->pend_err = 0;
}

rsim_traffic_pod rsim_traffic_pod_counters(rsim_traffic *t, uint32_t pod_id)
{
    const rsim_pod *pod = rsim_cluster_pod(t->c, pod_id);
    if (pod != NULL) {
        rsim_traffic_pods_flush(t, pod->rs);
    }
    pod_state *p = pod_at(t, pod_id);
    rsim_traffic_pod out = {.ok = p->ok, .err = p->err, .buckets = p->b, .latency_sum_ms = p->sum};
    return out;
}

double rsim_traffic_latency_quantile(rsim_traffic *t, uint32_t rs, double q)
{
    account *a = NULL;
    if (rs == RSIM_TRAFFIC_NO_RS) {
        a = &t->flag;
    } else if (rs < t->n_rs) {
        a = &t->rs[rs].acct;
    }
    if (a == NULL) {
        return NAN;
    }
    rsim_traffic_pool_draw_fine(t, a);
    if (a->n_fine == 0) {
        return NAN;
    }
    /* Rank q*n, linear inside the bucket in log space (the buckets are log-spaced). */
    double rank = q * (double)a->n_fine;
    double cum = 0.0;
    for (size_t i = 0; i < t->n_fine; i++) {
        double c = (double)a->fine[i];
        if (c > 0.0 && cum + c >= rank) {
            double lo = i > 0 ? t->fine_b[i - 1] : t->fine_b[0] / 2.0;
            double hi = t->fine_b[i];
            if (isinf(hi)) {
                return lo;
            }
            double f = (rank - cum) / c;
            return lo * pow(hi / lo, f < 0.0 ? 0.0 : f);
        }
        cum += c;
    }
    return t->fine_b[t->n_fine - 2];
}

/* Slow start: each serving pod's capacity grows linearly from start_capacity to 1 over warmup
 * after it became ready; the ReplicaSet's pods are taken at their mean factor (one M/M/c/K for
 * all of them), evaluated at the piece start. */
double rsim_traffic_slow_start_factor(rsim_traffic *t,
                                      const rs_state *r,
                                      const rsim_spec_fault *f,
                                      rsim_time x)
{
    const rsim_pod *const *pods = NULL;
    size_t np = rsim_cluster_pods(t->c, r->crs->index, &pods);
    double sum = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < np; i++) {
        if (!pods[i]->serving) {
            continue;
        }
        rsim_time since = pods[i]->ready_at >= 0 ? x - pods[i]->ready_at : 0;
        double u = (double)since / (double)f->warmup;
        u = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
        sum += f->start_capacity + (1.0 - f->start_capacity) * u;
        m++;
    }
    double g = m > 0 ? sum / (double)m : 1.0;
    return g > 1e-6 ? g : 1e-6;
}
