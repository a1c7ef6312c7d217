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
 * docs/modules/traffic.md "Reads inside a piece".
 *
 * Deferred ReplicaSets (rsim_traffic_set_lazy_reads): the split of a ReplicaSet's counts over
 * its pods is the model's own business until someone looks at them. With lazy reads on, a
 * settle does not answer the reads of a ReplicaSet's pods: it logs, per piece, the pending
 * counts that arrived before it, the piece's counts and its reads (lazy_op), and
 * rsim_traffic_reads_flush replays the log, making exactly the draws an immediate answer makes,
 * in the same order, on the ReplicaSet's own stream (traffic/pods/<hash>): the answers are the
 * same, only later. A ReplicaSet whose pods no query selects is never replayed.
 * docs/modules/traffic.md "Deferred ReplicaSets". */
#include <string.h>

#include "traffic_priv.h"

void rsim_traffic_set_reader(rsim_traffic *t, rsim_traffic_read_fn fn, void *arg)
{
    t->read_fn = fn;
    t->read_arg = arg;
}

void rsim_traffic_set_lazy_reads(rsim_traffic *t, bool on)
{
    if (!on) {
        rsim_traffic_reads_flush(t, RSIM_TRAFFIC_NO_RS);
    }
    t->lazy = on;
}

size_t rsim_traffic_reads_pending(const rsim_traffic *t)
{
    size_t n = t->reads.n - t->read_head;
    for (size_t rs = 0; rs < t->n_rs; rs++) {
        n += t->rs[rs].lazy_reads.n;
    }
    return n;
}

size_t rsim_traffic_reads_deferred(const rsim_traffic *t, uint32_t rs)
{
    return rs < t->n_rs ? t->rs[rs].lazy_reads.n : 0;
}

static void answer(rsim_traffic *t, uint32_t pod, rsim_time at, uint64_t tag)
{
    rsim_traffic_pod c = rsim_traffic_pod_counters_now(t, pod);
    t->read_fn(t->read_arg, pod, at, tag, &c);
}

/* Answers a read at once. Reads of the pod logged while it served its ReplicaSet go first, so
 * that each pod's answers keep the order asked whatever told the model of its change. */
static void answer_at_once(rsim_traffic *t, uint32_t pod_id, rsim_time at, uint64_t tag)
{
    const rsim_pod *pod = rsim_cluster_pod(t->c, pod_id);
    if (pod != NULL && pod->rs < t->n_rs) {
        rsim_traffic_reads_flush(t, pod->rs);
    }
    answer(t, pod_id, at, tag);
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

/* Whether reads of rs's pods are logged rather than answered. Reads that carry histograms are
 * answered at once: the latency pools they draw are the world's (traffic/latency). */
static bool deferred(const rsim_traffic *t, uint32_t rs)
{
    return t->lazy && !t->pod_latency && rs != RSIM_TRAFFIC_NO_RS;
}

/* Logs a read of rs's pod in the piece [a, b) whose own counts are rs's cut_* (a == b: a read
 * of settled traffic, no piece). The first read of the piece opens its op, taking the pending
 * counts that came before it. */
static void lazy_log(rsim_traffic *t, uint32_t rs, const pod_read *rd, rsim_time a, rsim_time b)
{
    rs_state *r = &t->rs[rs];
    if (!r->lazy_open) {
        lazy_op op = {r->pend_ok,
                      r->pend_err,
                      r->cut_ok,
                      r->cut_err,
                      a,
                      b,
                      (uint32_t)r->lazy_reads.n,
                      (uint32_t)r->lazy_reads.n};
        RSIM_VEC_PUSH(r->lazy_ops, op);
        r->pend_ok = r->pend_err = 0;
        r->cut_ok = r->cut_err = 0;
        r->lazy_open = true;
    }
    RSIM_VEC_PUSH(r->lazy_reads, *rd);
    r->lazy_ops.items[r->lazy_ops.n - 1].r1++;
}

/* Deferred reads kept per ReplicaSet before it is replayed anyway (bounded memory: about 80
 * bytes a read). */
#define LAZY_MAX_READS 65536u

/* The piece of rs's logged op is over. */
static void lazy_close(rsim_traffic *t, uint32_t rs)
{
    rs_state *r = &t->rs[rs];
    r->lazy_open = false;
    r->cut_on = false;
    if (r->lazy_reads.n >= LAZY_MAX_READS) {
        rsim_traffic_reads_flush(t, rs);
    }
}

void rsim_traffic_read_at(rsim_traffic *t, uint32_t pod_id, rsim_time at, uint64_t tag)
{
    RSIM_ASSERT(t->read_fn != NULL);
    RSIM_ASSERT(t->read_head == t->reads.n || t->reads.items[t->reads.n - 1].at <= at);
    pod_read rd = {pod_id, at, tag};
    if (at <= t->settled && t->read_head == t->reads.n) {
        uint32_t rs = read_rs(t, pod_id);
        if (deferred(t, rs)) {
            lazy_log(t, rs, &rd, at, at);
            lazy_close(t, rs);
            return;
        }
        answer_at_once(t, pod_id, at, tag);
        return;
    }
    if (t->read_head == t->reads.n) {
        t->reads.n = 0; /* every read answered: reuse the vector from its start */
        t->read_head = 0;
    }
    RSIM_VEC_PUSH(t->reads, rd);
}

rsim_time rsim_traffic_reads_next(const rsim_traffic *t)
{
    return t->read_head < t->reads.n ? t->reads.items[t->read_head].at : RSIM_TIME_MAX;
}

void rsim_traffic_reads_answer(rsim_traffic *t, rsim_time upto)
{
    while (t->read_head < t->reads.n && t->reads.items[t->read_head].at <= upto) {
        pod_read rd = t->reads.items[t->read_head++];
        uint32_t rs = read_rs(t, rd.pod);
        if (deferred(t, rs)) {
            lazy_log(t, rs, &rd, rd.at, rd.at);
            lazy_close(t, rs);
            continue;
        }
        answer_at_once(t, rd.pod, rd.at, rd.tag);
    }
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
        const rsim_pod *pod = rsim_cluster_pod(t->c, t->reads.items[i].pod);
        if (t->count_refused && pod != NULL && pod->serving && pod->refusing) {
            return false; /* its refused requests go to it without a split by instant */
        }
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
static uint64_t hand_out(rsim_rng *rng, uint64_t *left, double p)
{
    uint64_t n = *left == 0 ? 0 : rsim_rng_binomial(rng, p, *left);
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
    r->pend_ok += hand_out(r->rng_pods, &r->cut_ok, p);
    r->pend_err += hand_out(r->rng_pods, &r->cut_err, p);
    for (size_t j = 0; t->pod_latency && j < t->n_coarse; j++) {
        uint64_t before = r->cut_b[j];
        uint64_t n = hand_out(r->rng_pods, &r->cut_b[j], p);
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
        t->stats.reads_in_piece++;
        if (deferred(t, rs)) {
            lazy_log(t, rs, &rd, a, b);
            continue;
        }
        if (rs != RSIM_TRAFFIC_NO_RS) {
            cut_advance(t, rs, rd.at, b);
        }
        answer_at_once(t, rd.pod, rd.at, rd.tag);
    }
    for (uint32_t rs = 0; rs < t->n_rs; rs++) {
        if (t->rs[rs].lazy_open) {
            lazy_close(t, rs);
        } else if (t->rs[rs].cut_on) {
            cut_close(t, rs);
        }
    }
}

/* Replays rs's log: each op's pending counts join pending, its piece's counts go out by
 * instant to its reads, each answered from the tree, and what is left joins pending, as
 * settle_with_reads does when it answers at once. Counts that arrived after the last op wait
 * meanwhile and join pending after it. */
static void lazy_replay(rsim_traffic *t, uint32_t rs)
{
    rs_state *r = &t->rs[rs];
    uint64_t later_ok = r->pend_ok, later_err = r->pend_err;
    r->pend_ok = r->pend_err = 0;
    for (size_t i = 0; i < r->lazy_ops.n; i++) {
        const lazy_op *op = &r->lazy_ops.items[i];
        r->pend_ok += op->add_ok;
        r->pend_err += op->add_err;
        r->cut_ok = op->cut_ok;
        r->cut_err = op->cut_err;
        r->cut_from = op->a;
        for (uint32_t k = op->r0; k < op->r1; k++) {
            const pod_read *rd = &r->lazy_reads.items[k];
            if (op->b > op->a) {
                cut_advance(t, rs, rd->at, op->b);
            }
            answer(t, rd->pod, rd->at, rd->tag);
        }
        cut_close(t, rs);
    }
    r->pend_ok += later_ok;
    r->pend_err += later_err;
    r->lazy_ops.n = 0;
    r->lazy_reads.n = 0;
}

void rsim_traffic_reads_flush(rsim_traffic *t, uint32_t rs)
{
    if (rs == RSIM_TRAFFIC_NO_RS) {
        for (uint32_t k = 0; k < t->n_rs; k++) {
            rsim_traffic_reads_flush(t, k);
        }
        return;
    }
    if (rs >= t->n_rs || t->rs[rs].lazy_ops.n == 0 || t->rs[rs].cut_on) {
        return; /* nothing logged, or inside the settle of a piece that logs */
    }
    lazy_replay(t, rs);
}

void rsim_traffic_lazy_fini(rs_state *r)
{
    free(r->lazy_ops.items);
    free(r->lazy_reads.items);
}
