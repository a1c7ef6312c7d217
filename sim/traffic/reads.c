/* reads.c - per-pod reads at instants inside a piece, answered without cutting the piece.
 * A scrape reads one pod at its own instant s, which almost never falls on a tick. Cutting the
 * piece at s would settle a piece of its own (arrivals, routes, outcomes, users) per scrape.
 * Instead the read waits; when the piece [a, b) containing s is settled, the new pod counts of
 * each ReplicaSet read inside it are handed out by instant: given the piece's counts, each
 * request's instant is independent of its outcome and its pod and distributed as the load over
 * [a, b), so the count of one category before s is Binomial(count, mass(a, s) / mass(a, b)),
 * and successive reads take conditional binomials of what is left (stream traffic/pods). The
 * pod counters then read at s are exactly those a piece cut at s would give in law. Pieces
 * whose outcomes move inside (an error ramp, a fault that may start at the first request, or
 * arrivals without noise) are still cut at the read (rsim_traffic_reads_splittable).
 * docs/modules/traffic.md "Reads inside a piece". */
#include <string.h>

#include "traffic_priv.h"

void rsim_traffic_set_reader(rsim_traffic *t, rsim_traffic_read_fn fn, void *arg)
{
    t->read_fn = fn;
    t->read_arg = arg;
}

size_t rsim_traffic_reads_pending(const rsim_traffic *t)
{
    return t->reads.n - t->read_head;
}

static void answer(rsim_traffic *t, uint32_t pod, rsim_time at)
{
    rsim_traffic_pod c = rsim_traffic_pod_counters(t, pod);
    t->read_fn(t->read_arg, pod, at, &c);
}

void rsim_traffic_read_at(rsim_traffic *t, uint32_t pod_id, rsim_time at)
{
    RSIM_ASSERT(t->read_fn != NULL);
    RSIM_ASSERT(t->read_head == t->reads.n || t->reads.items[t->reads.n - 1].at <= at);
    if (at <= t->settled && t->read_head == t->reads.n) {
        answer(t, pod_id, at);
        return;
    }
    if (t->read_head == t->reads.n) {
        t->reads.n = 0; /* every read answered: reuse the vector from its start */
        t->read_head = 0;
    }
    pod_read r = {pod_id, at};
    RSIM_VEC_PUSH(t->reads, r);
}

rsim_time rsim_traffic_reads_next(const rsim_traffic *t)
{
    return t->read_head < t->reads.n ? t->reads.items[t->read_head].at : RSIM_TIME_MAX;
}

void rsim_traffic_reads_answer(rsim_traffic *t, rsim_time upto)
{
    while (t->read_head < t->reads.n && t->reads.items[t->read_head].at <= upto) {
        pod_read r = t->reads.items[t->read_head++];
        answer(t, r.pod, r.at);
    }
}

/* The ReplicaSet whose tree pod id is read from, or RSIM_TRAFFIC_NO_RS when nothing routed
 * reaches the pod (its counters cannot change inside the piece: the serving set is constant in
 * it). */
static uint32_t read_rs(const rsim_traffic *t, uint32_t pod_id)
{
    const rsim_pod *pod = rsim_cluster_pod(t->c, pod_id);
    if (pod == NULL || !pod->serving || pod->refusing || pod->rs >= t->n_rs) {
        return RSIM_TRAFFIC_NO_RS;
    }
    return pod->rs;
}

bool rsim_traffic_reads_splittable(rsim_traffic *t, rsim_time a, rsim_time b)
{
    if (!t->w->traffic.load.poisson) {
        return false; /* counts are the integer part of the mass: no random instants */
    }
    size_t flag_vi = t->cur.mode == RSIM_TRAFFIC_FLAG && t->cur.flag_on != NULL
                         ? rsim_traffic_version_index(t, t->cur.flag_on)
                         : t->w->n_versions;
    if (!rsim_traffic_version_steady(t, flag_vi, a)) {
        return false;
    }
    for (size_t i = t->read_head; i < t->reads.n && t->reads.items[i].at < b; i++) {
        uint32_t rs = read_rs(t, t->reads.items[i].pod);
        if (rs != RSIM_TRAFFIC_NO_RS && !rsim_traffic_version_steady(t, t->rs[rs].vi, a)) {
            return false;
        }
    }
    return true;
}

/* Sets aside what ReplicaSet rs's pods have pending before the piece (with their latency drawn
 * when pods carry histograms), so that the piece's own counts can be told apart. */
static void cut_open(rsim_traffic *t, uint32_t rs, rsim_time a)
{
    rs_state *r = &t->rs[rs];
    if (r->cut_on) {
        return;
    }
    if (t->pod_latency) {
        rsim_traffic_pool_draw_rs(t, rs);
    }
    r->cut_on = true;
    r->cut_from = a;
    r->cut_ok = r->pend_ok;
    r->cut_err = r->pend_err;
    if (t->pod_latency) {
        memcpy(r->cut_b, r->pend_b, t->n_coarse * sizeof(*r->cut_b));
        memcpy(r->cut_bsum, r->pend_bsum, t->n_coarse * sizeof(*r->cut_bsum));
    }
}

/* After the piece: the piece's counts (pending now minus pending before) move to the cut_*
 * fields and pending goes back to what it was before the piece. */
static void cut_take(rsim_traffic *t, uint32_t rs)
{
    rs_state *r = &t->rs[rs];
    if (t->pod_latency) {
        rsim_traffic_pool_draw_rs(t, rs);
    }
    uint64_t ok = r->cut_ok, err = r->cut_err;
    /* Nothing empties pending during a piece (the serving set changes only between pieces). */
    RSIM_ASSERT(r->pend_ok >= ok && r->pend_err >= err);
    r->cut_ok = r->pend_ok - ok;
    r->cut_err = r->pend_err - err;
    r->pend_ok = ok;
    r->pend_err = err;
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        uint64_t n = r->cut_b[j];
        double sum = r->cut_bsum[j];
        r->cut_b[j] = r->pend_b[j] - n;
        r->cut_bsum[j] = r->pend_bsum[j] - sum;
        r->pend_b[j] = n;
        r->pend_bsum[j] = sum;
    }
}

/* Moves Binomial(left, p) of one category of the piece's counts to pending. */
static uint64_t hand_out(rsim_traffic *t, uint64_t *left, double p)
{
    uint64_t n = *left == 0 ? 0 : rsim_rng_binomial(t->rng_pods, p, *left);
    *left -= n;
    return n;
}

/* The piece's counts of rs that arrived in [cut_from, at) join pending; the rest waits. */
static void cut_advance(rsim_traffic *t, uint32_t rs, rsim_time at, rsim_time b)
{
    rs_state *r = &t->rs[rs];
    const rsim_spec_load *l = &t->w->traffic.load;
    double rest = rsim_traffic_load_integral(l, r->cut_from, b);
    double p = rest > 0.0 ? rsim_traffic_load_integral(l, r->cut_from, at) / rest : 1.0;
    p = p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
    r->pend_ok += hand_out(t, &r->cut_ok, p);
    r->pend_err += hand_out(t, &r->cut_err, p);
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        uint64_t before = r->cut_b[j];
        uint64_t n = hand_out(t, &r->cut_b[j], p);
        /* A bucket's latency sum follows its count (its conditional expectation). */
        double s = before > 0 ? r->cut_bsum[j] * (double)n / (double)before : 0.0;
        r->pend_b[j] += n;
        r->pend_bsum[j] += s;
        r->cut_bsum[j] -= s;
    }
    r->cut_from = at;
}

/* Whatever the piece left after its last read joins pending. */
static void cut_close(rsim_traffic *t, uint32_t rs)
{
    rs_state *r = &t->rs[rs];
    r->pend_ok += r->cut_ok;
    r->pend_err += r->cut_err;
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        r->pend_b[j] += r->cut_b[j];
        r->pend_bsum[j] += r->cut_bsum[j];
        r->cut_b[j] = 0;
        r->cut_bsum[j] = 0.0;
    }
    r->cut_ok = r->cut_err = 0;
    r->cut_on = false;
}

void rsim_traffic_settle_with_reads(rsim_traffic *t, rsim_time a, rsim_time b)
{
    size_t end = t->read_head;
    while (end < t->reads.n && t->reads.items[end].at < b) {
        uint32_t rs = read_rs(t, t->reads.items[end].pod);
        if (rs != RSIM_TRAFFIC_NO_RS) {
            cut_open(t, rs, a);
        }
        end++;
    }
    rsim_traffic_settle_piece(t, a, b);
    for (uint32_t rs = 0; rs < t->n_rs; rs++) {
        if (t->rs[rs].cut_on) {
            cut_take(t, rs);
        }
    }
    while (t->read_head < end) {
        pod_read rd = t->reads.items[t->read_head++];
        uint32_t rs = read_rs(t, rd.pod);
        if (rs != RSIM_TRAFFIC_NO_RS) {
            cut_advance(t, rs, rd.at, b);
        }
        t->stats.reads_in_piece++;
        answer(t, rd.pod, rd.at);
    }
    for (uint32_t rs = 0; rs < t->n_rs; rs++) {
        if (t->rs[rs].cut_on) {
            cut_close(t, rs);
        }
    }
}
