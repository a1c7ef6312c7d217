/* traffic_priv.h - the traffic object's layout, shared by the files of sim/traffic only.
 * traffic.c settles pieces, pools.c draws latency and per-pod counters lazily, reads.c answers
 * per-pod reads at instants inside a piece, flags.c delivers flag changes and matches headers,
 * life.c builds, frees and answers queries. */
#ifndef RSIM_TRAFFIC_PRIV_H
#define RSIM_TRAFFIC_PRIV_H

#include "rng.h"
#include "traffic.h"
#include "traffic_int.h"
#include "util.h"

#define RSIM_MIN_T(a, b) ((a) < (b) ? (a) : (b))

/* Everything the router decides; a change is a whole new state taking effect at a time. */
typedef struct route_state {
    rsim_traffic_mode mode;
    uint32_t stable_rs, canary_rs; /* WEIGHTED */
    double canary_share;           /* WEIGHTED: weight / maxTrafficWeight, 0..1 */
    uint32_t active_rs;            /* ACTIVE */
    size_t n_header;
    struct {
        uint64_t mask; /* classes whose requests match */
        uint32_t rs;
    } header[RSIM_TRAFFIC_MAX_ROUTES];
    size_t n_mirror;
    struct {
        uint64_t mask;
        uint32_t rs;
        double share; /* of matching requests copied */
    } mirror[RSIM_TRAFFIC_MAX_ROUTES];
    const rsim_spec_version *flag_on; /* FLAG: behaviour of flagged users (borrowed) */
    double flag_share;                /* FLAG: share of users flagged, 0..1 */
} route_state;

typedef struct pending_change {
    rsim_time at; /* when it takes effect, ms */
    route_state st;
} pending_change;

/* Admitted requests whose latency is not drawn yet, all with one latency law, served by the
 * pods of one ReplicaSet. undrawn: not even in metrics buckets; coarse[j]: drawn into metrics
 * bucket j but not yet into the fine histogram. */
typedef struct lat_pool {
    uint32_t rs;
    rsim_traffic_lat lat;
    uint64_t undrawn;
    uint64_t *coarse; /* owned, n_coarse */
    bool fine_pending;
    /* Of the law lat, per metrics bucket: its probability and the conditional mean latency
     * (ms) of a request in it; computed when the law is set, as every draw needs them. */
    double *c_prob; /* owned, n_coarse */
    double *c_mean; /* owned, n_coarse */
} lat_pool;

/* Ground truth and latency of an account (a ReplicaSet, or the flag's code path). */
typedef struct account {
    rsim_traffic_rev rev;
    rsim_rng *rng;   /* owned: traffic/outcomes/<hash> */
    uint64_t *fine;  /* owned: fine histogram counts, n_fine */
    uint64_t n_fine; /* observations in fine */
    RSIM_VEC(lat_pool) pools;
} account;

/* Counts a ReplicaSet's serving pods have received but not yet been told, as a binary tree over
 * those pods (pools.c, docs/modules/traffic.md "Per-pod counters"). Nodes are in preorder: node
 * v covers leaves [lo[v], hi[v]), its left child is v + 1 and its right child v + 2 * (mid - lo)
 * with mid = lo + (hi - lo) / 2. Each node's pending counts are to be shared among its leaves
 * uniformly. Valid while the serving set is unchanged; every change empties it first. */
typedef struct pod_tree {
    bool built;
    size_t m, cap;       /* leaves (serving pods); allocated leaves */
    uint32_t *pod;       /* owned, cap: pod id of each leaf */
    uint32_t *leaf_node; /* owned, cap: the node of each leaf */
    uint32_t *lo;        /* owned, 2 cap - 1 */
    uint32_t *hi;        /* owned, 2 cap - 1 */
    uint32_t *right;     /* owned, 2 cap - 1: right child of an inner node (left is v + 1) */
    double *p_left;      /* owned, 2 cap - 1: share of an inner node's leaves on its left */
    bool *dirty;         /* owned, 2 cap - 1: the node holds some count */
    uint64_t *cnt;       /* owned, (2 cap - 1) x (2 + n_coarse): ok, err, then per bucket */
    double *sum;         /* owned, (2 cap - 1) x n_coarse: latency sum per bucket, ms */
} pod_tree;

/* A deferred per-pod read (reads.c): the pod, its instant and the reader's tag. */
typedef struct pod_read {
    uint32_t pod;
    rsim_time at;
    uint64_t tag;
} pod_read;

/* One piece of a ReplicaSet's deferred reads (reads.c "Deferred ReplicaSets"): the pending
 * counts that arrived before it, the piece [a, b)'s own counts, and its reads, lazy_reads
 * [r0, r1). Replayed in order, it makes exactly the draws an immediate answer makes. */
typedef struct lazy_op {
    uint64_t add_ok, add_err;
    uint64_t cut_ok, cut_err;
    rsim_time a, b;
    uint32_t r0, r1;
} lazy_op;

typedef struct rs_state {
    account acct;
    rsim_rng *rng_pods;    /* owned: traffic/pods/<hash>, the split of its counts over its pods */
    rsim_rng *rng_refused; /* owned: traffic/refused/<hash>, refused requests over refusing pods */
    const rsim_cluster_rs *crs; /* borrowed from the cluster */
    size_t vi;                  /* index of its version (n_versions: versionDefaults) */
    double rate;                /* expected requests/s reaching its pods in this piece */
    double lambda, service_ms;  /* last M/M/c/K inputs (per pod) */
    rsim_traffic_mmck mm;
    double wait_q; /* mm.wait on the 0.1 % grid */
    /* Pod counters not yet handed to its pod tree. */
    uint64_t pend_ok, pend_err;
    uint64_t *pend_b;  /* owned, n_coarse */
    double *pend_bsum; /* owned, n_coarse: latency sum per bucket, ms */
    pod_tree tree;
    /* A piece with deferred reads of its pods (reads.c): the piece's new pod counters not yet
     * handed out by instant, and the instant they start from. */
    bool cut_on;
    rsim_time cut_from;
    uint64_t cut_ok, cut_err;
    uint64_t *cut_b;  /* owned, n_coarse */
    double *cut_bsum; /* owned, n_coarse */
    /* Deferred reads of its pods (reads.c), answered by rsim_traffic_reads_flush. */
    RSIM_VEC(lazy_op) lazy_ops;
    RSIM_VEC(pod_read) lazy_reads;
    bool lazy_open; /* the last op is the piece being settled */
} rs_state;

typedef struct pod_state {
    uint64_t ok, err;
    uint64_t *b; /* owned, n_coarse */
    double sum;
    bool in_tree; /* a leaf of its ReplicaSet's built pod tree */
    size_t leaf;  /* that leaf, when in_tree */
} pod_state;

typedef struct fault_state {
    rsim_traffic_fault pub;
    size_t vi;
} fault_state;

typedef struct version_state {
    size_t fault0, n_faults; /* its faults in t->faults */
    rsim_time first;         /* first user request served, -1 */
    uint64_t piece_n;        /* user requests routed to it in the current piece */
    rsim_time piece_first;   /* first of them (drawn only when read: traffic.c) */
    bool piece_need;         /* an account of it gets its first request in this piece */
} version_state;

typedef struct cls_state {
    rsim_traffic_cohort pub;
    rsim_traffic_users users;
    double share;      /* of requests (= of users: every user is equally active) */
    uint64_t flag_cut; /* users [0, flag_cut) are flagged */
} cls_state;

/* One route of one class in a piece. */
typedef struct dest {
    account *acct;   /* NULL: no ReplicaSet at all */
    uint32_t rs;     /* pods' ReplicaSet, RSIM_TRAFFIC_NO_RS when none */
    size_t vi;       /* behaviour (version index) */
    uint64_t lo, hi; /* users of the class who make these requests: [lo, hi) */
    double p;        /* probability */
    bool unrouted;   /* the ReplicaSet has no usable pod */
    uint8_t side;    /* RSIM_TRAFFIC_STABLE_SIDE, or the canary's (weighted routing, a header
                        route) */
} dest;

struct rsim_traffic {
    const rsim_spec_world *w;
    rsim_cluster *c;
    rsim_evq *q;
    uint64_t seed, replication;
    rsim_time tick;
    rsim_time router_delay;
    int64_t max_weight;
    bool busy;

    rsim_time settled;
    rsim_time tick_open; /* start of the tick whose total is drawn, -1 */
    uint64_t tick_left;  /* its arrivals not yet handed to a piece */
    double frac;         /* non-Poisson arrivals: fractional carry */
    uint64_t requests;
    uint64_t unrouted;

    route_state cur;
    RSIM_VEC(pending_change) pend;

    rsim_rng *rng_arrivals, *rng_split, *rng_users, *rng_latency, *rng_flags;
    rsim_time flag_phase; /* aligned polling: the common phase, ms */

    size_t n_rs;
    rs_state *rs;
    account flag;
    RSIM_VEC(pod_state) pods;

    size_t n_class;
    cls_state *cls;
    double *class_p;

    version_state *vers; /* n_versions + 1 */
    size_t n_faults;
    fault_state *faults;

    size_t n_coarse;  /* metrics buckets + 1 */
    bool pod_latency; /* per-pod reads carry the latency histogram (rsim_traffic_set_pod_latency) */
    bool count_refused; /* refused requests count in the refusing pods' counters */
    double *coarse_b;
    size_t n_fine;
    double *fine_b;    /* upper bounds, last +Inf */
    size_t *fine_to_c; /* fine bucket -> coarse bucket */

    /* The routes of every class (dst, n_dest) and the share of each ReplicaSet (rs_share) are
     * rebuilt only when their inputs change: the router state (route_gen, bumped when a change
     * takes effect), the ReplicaSets (n_rs, rs) and each one's usable pods (key_usable). */
    bool routes_valid;
    uint64_t route_gen;
    size_t key_n_rs;
    const rs_state *key_rs;
    uint64_t key_gen;
    int64_t *key_usable; /* owned, key_n_rs */
    double *rs_share;    /* owned, key_n_rs: expected share of user requests */
    double share_none;   /* share routed to no ReplicaSet at all */

    size_t cap_dest;
    size_t n_dest[RSIM_TRAFFIC_MAX_CLASS];
    dest *dst;
    uint64_t *cnt;
    double *prob;
    double *scratch;  /* n_fine */
    double *scratch2; /* n_fine */
    uint64_t *scratch_n;

    /* Deferred per-pod reads, in the order asked (= by instant), from read_head on. */
    RSIM_VEC(pod_read) reads;
    size_t read_head;
    rsim_traffic_read_fn read_fn;
    void *read_arg;
    bool lazy; /* rsim_traffic_set_lazy_reads: reads of ReplicaSet pods wait for a flush */

    rsim_traffic_stats stats;
    uint64_t side_requests[2], side_failures[2]; /* rsim_traffic_side_counts */
};

size_t rsim_traffic_version_index(const rsim_traffic *t, const rsim_spec_version *v);
void rsim_traffic_pool_add(
    rsim_traffic *t, account *a, uint32_t rs, const rsim_traffic_lat *lat, uint64_t n);
void rsim_traffic_pool_draw_rs(rsim_traffic *t, uint32_t rs);
void rsim_traffic_pool_draw_fine(rsim_traffic *t, account *a);
void rsim_traffic_pods_flush(rsim_traffic *t, uint32_t rs);
/* pools.c: pod pod_id's counters now, its ReplicaSet's deferred reads not flushed first. */
rsim_traffic_pod rsim_traffic_pod_counters_now(rsim_traffic *t, uint32_t pod_id);
void rsim_traffic_lazy_fini(rs_state *r);
/* pools.c: n requests refused by rs's refusing pods, as errors in their counters. */
void rsim_traffic_pods_refused(rsim_traffic *t, uint32_t rs, uint64_t n);
void rsim_traffic_pod_tree_fini(pod_tree *tr);
double rsim_traffic_slow_start_factor(rsim_traffic *t,
                                      const rs_state *r,
                                      const rsim_spec_fault *f,
                                      rsim_time x);
void rsim_traffic_flag_deliver(rsim_traffic *t,
                               const route_state *from,
                               const route_state *to,
                               rsim_time now);
void rsim_traffic_fault_onset(rsim_traffic *t, size_t i, rsim_time onset);
void rsim_traffic_sync_rs(rsim_traffic *t);
void rsim_traffic_account_fini(account *a);
void rsim_traffic_push_change(rsim_traffic *t, rsim_time at, const route_state *st);
void rsim_traffic_settle_piece(rsim_traffic *t, rsim_time a, rsim_time b);
bool rsim_traffic_version_steady(const rsim_traffic *t, size_t vi, rsim_time x);
/* reads.c: the settle loop's side of deferred reads. */
rsim_time rsim_traffic_reads_next(const rsim_traffic *t);
void rsim_traffic_reads_answer(rsim_traffic *t, rsim_time upto);
bool rsim_traffic_reads_splittable(rsim_traffic *t, rsim_time a, rsim_time b);
void rsim_traffic_settle_with_reads(rsim_traffic *t, rsim_time a, rsim_time b);

#endif
