/* pools.c - latency histograms and per-pod counters, drawn only when read.
 * Admitted requests wait in a pool per (account, ReplicaSet, latency law). A law change or a
 * read draws the pool: first over the metrics' buckets (a multinomial over ~12 categories),
 * then, only for a percentile query or a law change, inside each metrics bucket over the fine
 * log-spaced buckets. Both steps are exact (a multinomial, then conditional multinomials given
 * the coarse counts). Per-pod counters: a ReplicaSet's pending counts wait at the root of a
 * binary tree over its serving pods; reading a pod pushes them down the root-to-leaf path only
 * (one binomial per non-zero category and node, exact because a request's pod is uniform and
 * independent of its outcome), while a category's one or two new requests go straight to
 * uniform leaves; a change of the serving set empties the whole tree first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "traffic_priv.h"

static bool same_law(const rsim_traffic_lat *a, const rsim_traffic_lat *b)
{
    return a->dist == b->dist && a->scale == b->scale && a->add_ms == b->add_ms;
}

/* Pool p's bucket probabilities and conditional means under its law p->lat. */
static void set_law(rsim_traffic *t, lat_pool *p, const rsim_traffic_lat *lat)
{
    p->lat = *lat;
    double prev_c = 0.0;
    double prev_m = 0.0;
    for (size_t j = 0; j < t->n_coarse; j++) {
        double c = rsim_traffic_lat_cdf(&p->lat, t->coarse_b[j]);
        double m = rsim_traffic_lat_partial_mean(&p->lat, t->coarse_b[j]);
        p->c_prob[j] = c > prev_c ? c - prev_c : 0.0;
        t->scratch[j] = m - prev_m; /* E[L; bucket j] */
        prev_c = c;
        prev_m = m;
    }
    p->c_prob[t->n_coarse - 1] += 1.0 - prev_c > 0.0 ? 1.0 - prev_c : 0.0;
    for (size_t j = 0; j < t->n_coarse; j++) {
        double mean = p->c_prob[j] > 0.0 ? t->scratch[j] / p->c_prob[j] : t->coarse_b[j];
        if (!isfinite(mean)) {
            mean = j > 0 ? t->coarse_b[j - 1] : 0.0;
        }
        p->c_mean[j] = mean;
    }
}

/* The undrawn requests of pool p into metrics buckets (and the pods' pending counters). */
static void draw_coarse(rsim_traffic *t, lat_pool *p)
{
    if (p->undrawn == 0) {
        return;
    }
    rs_state *r = &t->rs[p->rs];
    rsim_rng_multinomial(t->rng_latency, t->n_coarse, p->undrawn, p->c_prob, t->scratch_n);
    for (size_t j = 0; j < t->n_coarse; j++) {
        uint64_t n = t->scratch_n[j];
        if (n == 0) {
            continue;
        }
        p->coarse[j] += n;
        if (t->pod_latency) {
            r->pend_b[j] += n;
            /* Conditional mean of the bucket times its count: the exact expectation of the
             * sum. */
            r->pend_bsum[j] += p->c_mean[j] * (double)n;
        }
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
        lat_pool np = {.rs = rs};
        np.coarse = rsim_xcalloc(t->n_coarse, sizeof(*np.coarse));
        np.c_prob = rsim_xcalloc(t->n_coarse, sizeof(*np.c_prob));
        np.c_mean = rsim_xcalloc(t->n_coarse, sizeof(*np.c_mean));
        RSIM_VEC_PUSH(a->pools, np);
        p = &a->pools.items[a->pools.n - 1];
        set_law(t, p, lat);
    } else if (!same_law(&p->lat, lat)) {
        draw_coarse(t, p);
        draw_fine(t, a, p);
        set_law(t, p, lat);
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

/* ---- per-pod counters: the pod tree (docs/modules/traffic.md "Per-pod counters") ---- */

/* Categories per node: ok, err, then one per metrics bucket (only when pods' histograms are
 * read: rsim_traffic_set_pod_latency). */
static size_t n_cat(const rsim_traffic *t)
{
    return 2 + (t->pod_latency ? t->n_coarse : 0);
}

void rsim_traffic_set_pod_latency(rsim_traffic *t, bool on)
{
    t->pod_latency = on;
}

void rsim_traffic_set_refused_counted(rsim_traffic *t, bool on)
{
    t->count_refused = on;
}

/* Each refused request went to one of the refusing pods, uniformly (the router picks among the
 * published endpoints alike): a multinomial by conditional binomials, on the ReplicaSet's own
 * stream, no draw with one such pod. The counts go straight to the pods (they are no leaves of
 * the pod tree); a read of a refusing pod inside a piece cuts it (reads.c). */
void rsim_traffic_pods_refused(rsim_traffic *t, uint32_t rs, uint64_t n)
{
    const rsim_pod *const *pods = NULL;
    size_t np = rsim_cluster_pods(t->c, rs, &pods);
    size_t m = 0;
    for (size_t i = 0; i < np; i++) {
        m += pods[i]->serving && pods[i]->refusing ? 1 : 0;
    }
    for (size_t i = 0; i < np && n > 0 && m > 0; i++) {
        if (!pods[i]->serving || !pods[i]->refusing) {
            continue;
        }
        uint64_t x = m == 1 ? n : rsim_rng_binomial(t->rs[rs].rng_refused, 1.0 / (double)m, n);
        pod_at(t, pods[i]->id)->err += x;
        n -= x;
        m--;
    }
}

void rsim_traffic_pod_tree_fini(pod_tree *tr)
{
    free(tr->pod);
    free(tr->leaf_node);
    free(tr->lo);
    free(tr->hi);
    free(tr->right);
    free(tr->p_left);
    free(tr->dirty);
    free(tr->cnt);
    free(tr->sum);
    memset(tr, 0, sizeof(*tr));
}

/* Preorder ranges of the subtree of node v over leaves [lo, hi); returns the next free node. */
static size_t tree_ranges(pod_tree *tr, size_t v, uint32_t lo, uint32_t hi)
{
    /* An explicit stack instead of recursion: depth is at most log2(m) + 1 <= 33. */
    uint32_t st_lo[64];
    uint32_t st_hi[64];
    size_t sp = 0;
    st_lo[sp] = lo;
    st_hi[sp] = hi;
    sp++;
    while (sp > 0) {
        sp--;
        uint32_t a = st_lo[sp];
        uint32_t b = st_hi[sp];
        tr->lo[v] = a;
        tr->hi[v] = b;
        v++;
        if (b - a > 1) {
            uint32_t mid = a + (b - a) / 2;
            st_lo[sp] = mid; /* right after the whole left subtree */
            st_hi[sp] = b;
            sp++;
            st_lo[sp] = a;
            st_hi[sp] = mid;
            sp++;
        }
    }
    return v;
}

/* Whether requests routed to the pod reach it: it serves and is not refusing (a crashed pod
 * whose endpoint is still published refuses what it is sent: traffic.c outcome_refused). */
static bool answers(const rsim_pod *p)
{
    return p->serving && !p->refusing;
}

/* Builds rs's tree over its answering pods now; false (nothing built) when none does. The tree
 * is empty when built: every count still waits in the ReplicaSet's pending counts. */
static bool tree_build(rsim_traffic *t, uint32_t rs)
{
    pod_tree *tr = &t->rs[rs].tree;
    const rsim_pod *const *pods = NULL;
    size_t np = rsim_cluster_pods(t->c, rs, &pods);
    size_t m = 0;
    for (size_t i = 0; i < np; i++) {
        m += answers(pods[i]) ? 1 : 0;
    }
    if (m == 0) {
        return false;
    }
    RSIM_ASSERT(m < UINT32_MAX / 2);
    size_t nc = n_cat(t);
    if (m > tr->cap) {
        size_t nodes = 2 * m - 1;
        tr->cap = m;
        tr->pod = rsim_xrealloc(tr->pod, m * sizeof(*tr->pod));
        tr->leaf_node = rsim_xrealloc(tr->leaf_node, m * sizeof(*tr->leaf_node));
        tr->lo = rsim_xrealloc(tr->lo, nodes * sizeof(*tr->lo));
        tr->hi = rsim_xrealloc(tr->hi, nodes * sizeof(*tr->hi));
        tr->right = rsim_xrealloc(tr->right, nodes * sizeof(*tr->right));
        tr->p_left = rsim_xrealloc(tr->p_left, nodes * sizeof(*tr->p_left));
        tr->dirty = rsim_xrealloc(tr->dirty, nodes * sizeof(*tr->dirty));
        tr->cnt = rsim_xrealloc(tr->cnt, nodes * nc * sizeof(*tr->cnt));
        tr->sum = rsim_xrealloc(tr->sum, nodes * t->n_coarse * sizeof(*tr->sum));
    }
    size_t nodes = 2 * m - 1;
    memset(tr->dirty, 0, nodes * sizeof(*tr->dirty));
    memset(tr->cnt, 0, nodes * nc * sizeof(*tr->cnt));
    for (size_t v = 0; v < nodes * t->n_coarse; v++) {
        tr->sum[v] = 0.0;
    }
    tr->m = m;
    m = 0;
    for (size_t i = 0; i < np; i++) {
        if (answers(pods[i])) {
            tr->pod[m] = pods[i]->id;
            pod_state *ps = pod_at(t, pods[i]->id);
            ps->in_tree = true;
            ps->leaf = m;
            m++;
        }
    }
    size_t used = tree_ranges(tr, 0, 0, (uint32_t)tr->m);
    RSIM_ASSERT(used == nodes);
    (void)used;
    for (size_t v = 0; v < nodes; v++) {
        uint32_t lo = tr->lo[v], hi = tr->hi[v];
        if (hi - lo == 1) {
            tr->leaf_node[lo] = (uint32_t)v;
            continue;
        }
        uint32_t mid = lo + (hi - lo) / 2;
        tr->right[v] = (uint32_t)(v + 2 * (size_t)(mid - lo));
        tr->p_left[v] = (double)(mid - lo) / (double)(hi - lo);
    }
    tr->built = true;
    return true;
}

/* At most this many requests of one category entering a tree of more than two pods go
 * straight to leaves (each to a uniform pod), instead of waiting at the root to be split on
 * every read's path: a ReplicaSet's few errors per read would otherwise cost a binomial per
 * level of every read. Exact: each request's pod is uniform and independent of the others and
 * of its outcome, however it is drawn. */
#define TREE_DIRECT_MAX 2u

/* Adds n requests of category k (and their latency sum, for a bucket) at the root, or, when n
 * is small, at uniform leaves. */
static void tree_add(rsim_traffic *t, rsim_rng *rng, pod_tree *tr, size_t k, uint64_t n, double sum)
{
    size_t nc = n_cat(t);
    if (n == 0) {
        return;
    }
    if (n > TREE_DIRECT_MAX || tr->m <= 2) {
        tr->cnt[k] += n;
        if (k >= 2) {
            tr->sum[k - 2] += sum;
        }
        tr->dirty[0] = true;
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v = tr->leaf_node[rsim_rng_uniform_int(rng, tr->m)];
        tr->cnt[v * nc + k] += 1;
        if (k >= 2) {
            tr->sum[v * t->n_coarse + k - 2] += sum / (double)n;
        }
        tr->dirty[v] = true;
    }
}

/* Moves the ReplicaSet's pending counts into the root of its tree (draws their latency buckets
 * first). Merging counts of different times is exact: the pods' shares are constant while the
 * tree exists. */
static void tree_fill_root(rsim_traffic *t, uint32_t rs)
{
    if (t->pod_latency) {
        rsim_traffic_pool_draw_rs(t, rs);
    }
    rs_state *r = &t->rs[rs];
    pod_tree *tr = &r->tree;
    if (r->pend_ok == 0 && r->pend_err == 0) {
        return;
    }
    tree_add(t, r->rng_pods, tr, 0, r->pend_ok, 0.0);
    tree_add(t, r->rng_pods, tr, 1, r->pend_err, 0.0);
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        tree_add(t, r->rng_pods, tr, 2 + j, r->pend_b[j], r->pend_bsum[j]);
        r->pend_b[j] = 0;
        r->pend_bsum[j] = 0.0;
    }
    r->pend_ok = 0;
    r->pend_err = 0;
}

/* Pushes node v's pending counts to its two children: each request in it lands in the left
 * subtree with probability (its leaves) / (v's leaves), independently, so one binomial per
 * non-zero category is exact. A bucket's latency sum follows its count in proportion (the
 * conditional expectation given the counts, as the requests of a bucket are exchangeable). */
static void tree_push(rsim_traffic *t, rsim_rng *rng, pod_tree *tr, size_t v)
{
    size_t nc = n_cat(t);
    size_t left = v + 1;
    size_t right = tr->right[v];
    double p = tr->p_left[v];
    uint64_t *c = &tr->cnt[v * nc];
    uint64_t *cl = &tr->cnt[left * nc];
    uint64_t *cr = &tr->cnt[right * nc];
    double *s = &tr->sum[v * t->n_coarse];
    double *sl = &tr->sum[left * t->n_coarse];
    double *sr = &tr->sum[right * t->n_coarse];
    for (size_t k = 0; k < nc; k++) {
        uint64_t n = c[k];
        if (n == 0) {
            continue;
        }
        uint64_t nl = rsim_rng_binomial(rng, p, n);
        cl[k] += nl;
        cr[k] += n - nl;
        c[k] = 0;
        if (k >= 2) {
            double x = s[k - 2] * (double)nl / (double)n;
            sl[k - 2] += x;
            sr[k - 2] += s[k - 2] - x;
            s[k - 2] = 0.0;
        }
    }
    tr->dirty[v] = false;
    tr->dirty[left] = true;
    tr->dirty[right] = true;
    t->stats.pod_splits++;
}

/* Hands leaf node v's counts to its pod. */
static void tree_deliver(rsim_traffic *t, pod_tree *tr, size_t v)
{
    size_t nc = n_cat(t);
    pod_state *p = pod_at(t, tr->pod[tr->lo[v]]);
    uint64_t *c = &tr->cnt[v * nc];
    double *s = &tr->sum[v * t->n_coarse];
    p->ok += c[0];
    p->err += c[1];
    c[0] = 0;
    c[1] = 0;
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        p->b[j] += c[2 + j];
        p->sum += s[j];
        c[2 + j] = 0;
        s[j] = 0.0;
    }
    tr->dirty[v] = false;
}

/* Brings leaf i's pod up to date: pushes along the path root -> leaf i only, O(log m) nodes. */
static void tree_read(rsim_traffic *t, rsim_rng *rng, pod_tree *tr, size_t i)
{
    size_t v = 0;
    while (tr->hi[v] - tr->lo[v] > 1) {
        if (tr->dirty[v]) {
            tree_push(t, rng, tr, v);
        }
        size_t right = tr->right[v];
        v = i < tr->lo[right] ? v + 1 : right;
    }
    if (tr->dirty[v]) {
        tree_deliver(t, tr, v);
    }
}

void rsim_traffic_pods_flush(rsim_traffic *t, uint32_t rs)
{
    if (rs >= t->n_rs) {
        return;
    }
    /* Deferred reads first: they were asked while the serving set was the one the tree has. */
    rsim_traffic_reads_flush(t, rs);
    rs_state *r = &t->rs[rs];
    pod_tree *tr = &r->tree;
    if (!tr->built) {
        if (t->pod_latency) {
            rsim_traffic_pool_draw_rs(t, rs);
        }
        if (r->pend_ok == 0 && r->pend_err == 0) {
            return; /* nothing to split: no tree needed */
        }
        if (!tree_build(t, rs)) {
            return; /* kept pending: the serving set changes are always flushed before */
        }
    }
    tree_fill_root(t, rs);
    /* Preorder: every parent comes before its children, so one pass empties the tree. */
    for (size_t v = 0; v < 2 * tr->m - 1; v++) {
        if (!tr->dirty[v]) {
            continue;
        }
        if (tr->hi[v] - tr->lo[v] > 1) {
            tree_push(t, r->rng_pods, tr, v);
        } else {
            tree_deliver(t, tr, v);
        }
    }
    for (size_t i = 0; i < tr->m; i++) {
        t->pods.items[tr->pod[i]].in_tree = false;
    }
    tr->built = false;
    tr->m = 0;
}

rsim_traffic_pod rsim_traffic_pod_counters(rsim_traffic *t, uint32_t pod_id)
{
    const rsim_pod *pod = rsim_cluster_pod(t->c, pod_id);
    if (pod != NULL && pod->rs < t->n_rs) {
        rsim_traffic_reads_flush(t, pod->rs); /* reads asked before come first */
    }
    return rsim_traffic_pod_counters_now(t, pod_id);
}

rsim_traffic_pod rsim_traffic_pod_counters_now(rsim_traffic *t, uint32_t pod_id)
{
    const rsim_pod *pod = rsim_cluster_pod(t->c, pod_id);
    pod_state *p = pod_at(t, pod_id);
    if (pod != NULL && answers(pod) && pod->rs < t->n_rs) {
        /* A pod outside the serving set has had everything it served since the set last
         * changed, as every change empties the tree first. */
        rs_state *r = &t->rs[pod->rs];
        if (r->tree.built || tree_build(t, pod->rs)) {
            tree_fill_root(t, pod->rs);
            p = pod_at(t, pod_id);
            if (!p->in_tree) {
                rsim_panic("traffic: pod %u serves but is not in its tree", (unsigned)pod_id);
            }
            tree_read(t, r->rng_pods, &r->tree, p->leaf);
        }
    }
    p = pod_at(t, pod_id);
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
