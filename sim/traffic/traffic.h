/* traffic.h - load, users and cohorts, the router, exact request outcomes, faults and ground
 * truth. Requests are never simulated one by one: between two changes of state every parameter
 * is constant, so the counts of an interval are drawn at once (Poisson arrivals, multinomial
 * split over cohorts and routes, binomial outcomes, multinomial latency buckets) whenever
 * something observes them. Pods of one revision are exchangeable between changes, so per-pod
 * counters are split from revision-level counts only when asked for.
 * Ownership: an rsim_traffic owns its counters and random streams; the world, the Rollout, the
 * cluster and the queue given to rsim_traffic_new are borrowed and must outlive it. Views
 * returned by the getters are borrowed, valid until the next call that settles traffic.
 * Model, order of draws, meaning of "fault-caused" and costs: docs/modules/traffic.md. */
#ifndef RSIM_TRAFFIC_H
#define RSIM_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

#include "cluster.h"
#include "evq.h"
#include "spec.h"

/* ---- types ---- */

/* How the router divides user requests (docs/modules/traffic.md §Routing). */
typedef enum rsim_traffic_mode {
    RSIM_TRAFFIC_SERVICE,  /* one Service over every ReplicaSet: by serving pods (basic canary) */
    RSIM_TRAFFIC_WEIGHTED, /* a traffic router: canary weight, header and mirror routes */
    RSIM_TRAFFIC_ACTIVE,   /* blue-green: everything to the active Service's ReplicaSet */
    RSIM_TRAFFIC_FLAG,     /* pods as SERVICE; a sticky share of users runs the flag's code */
} rsim_traffic_mode;

#define RSIM_TRAFFIC_NO_RS      UINT32_MAX
#define RSIM_TRAFFIC_MAX_ROUTES 8  /* header routes, and mirror routes, at once */
#define RSIM_TRAFFIC_MAX_CLASS  64 /* cohorts + 1 (the users in no cohort) */

/* Fine latency histogram used for percentiles: log-spaced bounds, 8 per doubling from
 * 0.05 ms (plus the metrics' bucket bounds). A quantile interpolated inside a bucket is off by
 * at most one bucket width: a relative error below 2^(1/8) - 1 = 9.05 %. */
#define RSIM_TRAFFIC_FINE_PER_DOUBLING 8

/* Ground truth of one account: a ReplicaSet's own requests, or the flag's code path. Counts
 * are cumulative from the start of the run; "requests" are user requests (mirror copies are
 * counted apart and take no part in users' outcomes). failures = fault + base + overload +
 * unrouted; "fault" are fault-caused failures (docs/modules/traffic.md §Outcomes). */
typedef struct rsim_traffic_rev {
    uint64_t requests;          /* user requests sent to this account */
    uint64_t failures;          /* of them, failed (5xx or no answer) */
    uint64_t fault_failures;    /* failed because of a fault (ground truth) */
    uint64_t base_failures;     /* failed at the version's base error ratio */
    uint64_t overload_failures; /* rejected by a full pod (503), never fault-caused */
    uint64_t unrouted;          /* found no serving pod (503 no healthy upstream) */
    uint64_t mirrored;          /* mirror copies received (they load pods, show in metrics) */
    uint64_t mirrored_failures; /* of them, answered 5xx */
    rsim_time first_request;    /* first user request served by a pod, ms; -1 none yet */
} rsim_traffic_rev;

/* Counters of one cohort (index n_cohorts: the users in no cohort). */
typedef struct rsim_traffic_cohort {
    uint64_t users;          /* size of the cohort */
    uint64_t requests;       /* user requests made */
    uint64_t failures;       /* of them, failed */
    uint64_t fault_failures; /* failed because of a fault */
    uint64_t users_hit;      /* distinct users who got at least one fault-caused failure */
} rsim_traffic_cohort;

/* Counters of one fault. */
typedef struct rsim_traffic_fault {
    const rsim_spec_fault *spec; /* borrowed */
    rsim_time onset;             /* absolute onset, ms; -1 while waiting for first traffic */
    rsim_time exposed_at;        /* first request served while active, ms; -1 none yet */
    uint64_t failures;           /* failed requests it caused */
} rsim_traffic_fault;

/* Per-pod counters, as a pod's exporter would count them (cumulative). */
typedef struct rsim_traffic_pod {
    uint64_t ok;             /* answered 2xx */
    uint64_t err;            /* answered 5xx (overload 503s included) */
    const uint64_t *buckets; /* latency histogram: count per metrics bucket, NOT cumulative,
                                n_buckets + 1 entries (last: above the highest bound); only
                                requests admitted to a worker are observed */
    double latency_sum_ms;   /* sum of the observed latencies, ms */
} rsim_traffic_pod;

typedef struct rsim_traffic rsim_traffic;

/* ---- lifecycle ---- */

/* A traffic model for the world w and Rollout ro over cluster c; it watches c's pods. Random
 * streams are named "traffic/..." under (seed, replication). Routing starts as SERVICE (every
 * serving pod of every ReplicaSet, as a fresh Service does) until a setter says otherwise.
 * Never NULL. */
rsim_traffic *rsim_traffic_new(const rsim_spec_world *w,
                               const rsim_spec_rollout *ro,
                               rsim_cluster *c,
                               rsim_evq *q,
                               uint64_t seed,
                               uint64_t replication);
/* NULL is a no-op. Free the queue first (pending traffic events must not run afterwards). */
void rsim_traffic_free(rsim_traffic *t);

/* ---- settling ---- */

/* Settles every request in [settled, now): afterwards every counter is exact up to now. Cheap
 * when nothing happened; call it when observing (a scrape, a time-series sample). */
void rsim_traffic_observe(rsim_traffic *t, rsim_time now);
/* The instant up to which traffic is settled. */
rsim_time rsim_traffic_settled(const rsim_traffic *t);

/* ---- routing (each setter settles up to now first; the change takes effect after the
 * router's propagation delay, or the feature-flag delivery delay for the flag) ---- */

/* The router that weights go through: its delay is the world's delay for the first router of
 * the Rollout's trafficRouting (Service when there is none). */
rsim_time rsim_traffic_router_delay(const rsim_traffic *t);

/* Switches the mode (after the router delay). */
void rsim_traffic_set_mode(rsim_traffic *t, rsim_traffic_mode mode, rsim_time now);
/* WEIGHTED: the canary ReplicaSet gets weight / maxTrafficWeight of the requests that match no
 * header route, the stable one the rest (each by serving pods). */
void rsim_traffic_set_weight(
    rsim_traffic *t, uint32_t stable_rs, uint32_t canary_rs, int64_t weight, rsim_time now);
/* WEIGHTED: requests of the cohorts in cohort_mask (bit i = cohort i; bit n_cohorts = users in
 * no cohort) go to rs. rs RSIM_TRAFFIC_NO_RS removes every header route. */
void rsim_traffic_set_header_route(rsim_traffic *t,
                                   uint64_t cohort_mask,
                                   uint32_t rs,
                                   rsim_time now);
/* Copies `share` (0..1) of the requests of the cohorts in cohort_mask to rs. rs
 * RSIM_TRAFFIC_NO_RS removes every mirror route. */
void rsim_traffic_set_mirror_route(
    rsim_traffic *t, uint64_t cohort_mask, uint32_t rs, double share, rsim_time now);
/* ACTIVE: the active Service selects rs (after the Service delay). */
void rsim_traffic_set_active(rsim_traffic *t, uint32_t rs, rsim_time now);
/* FLAG: `share` (0..1) of the users (the same users as the share grows: sticky) run version
 * `on` (borrowed); the change reaches the pods after the world's flag delivery delay. */
void rsim_traffic_set_flag(rsim_traffic *t,
                           const rsim_spec_version *on,
                           double share,
                           rsim_time now);

/* The cohorts in which every request carries every header of m (exact and prefix matches on a
 * cohort's header, or on its cookie for the header "cookie"; regular expressions are POSIX
 * extended), as a cohort mask for the setters. */
uint64_t
rsim_traffic_match_headers(const rsim_traffic *t, size_t n, const rsim_spec_header_match *m);

/* ---- queries (settle first with rsim_traffic_observe) ---- */

/* Ground truth of ReplicaSet rs (zero counters for an index the cluster has not made yet). */
const rsim_traffic_rev *rsim_traffic_rev_at(rsim_traffic *t, uint32_t rs);
/* Ground truth of the flag's code path (all versions that were `on`). */
const rsim_traffic_rev *rsim_traffic_flag_rev(const rsim_traffic *t);
/* Requests that found no ReplicaSet at all (SERVICE mode with no serving pod anywhere). */
uint64_t rsim_traffic_unrouted(const rsim_traffic *t);
/* Total user requests made so far. */
uint64_t rsim_traffic_requests(const rsim_traffic *t);

size_t rsim_traffic_cohort_count(const rsim_traffic *t); /* n_cohorts + 1 */
const rsim_traffic_cohort *rsim_traffic_cohort_at(const rsim_traffic *t, size_t i);
/* Distinct users who received at least one fault-caused failure, all cohorts. */
uint64_t rsim_traffic_users_hit(const rsim_traffic *t);

/* Faults of every version, in world order (versions, then their faults). */
size_t rsim_traffic_fault_count(const rsim_traffic *t);
const rsim_traffic_fault *rsim_traffic_fault_at(const rsim_traffic *t, size_t i);

/* Share (0..1) of user requests that the router sends to ReplicaSet rs at this instant, in
 * expectation (the routing state in force at the settled time). */
double rsim_traffic_share(rsim_traffic *t, uint32_t rs);

/* Latency quantile q (0..1) of the requests ReplicaSet rs admitted, ms, from the fine
 * histogram; NaN when it has admitted none. rs RSIM_TRAFFIC_NO_RS: the flag's code path. */
double rsim_traffic_latency_quantile(rsim_traffic *t, uint32_t rs, double q);

/* The metrics' latency bucket bounds (ms, ascending) used for per-pod histograms. */
size_t rsim_traffic_bucket_bounds(const rsim_traffic *t, const double **bounds_ms);
/* Whether per-pod counters carry the latency histogram (on by default). Off, the latency of
 * the requests pods serve is never drawn for them: rsim_traffic_pod's buckets and latency_sum_ms
 * stay zero and a read splits only the 2xx and 5xx counts (the revision-level latency, the fine
 * histogram and the quantiles are unaffected). Set it before the first per-pod read; when no
 * query can read a pod's histogram, off saves most of the cost of a read. */
void rsim_traffic_set_pod_latency(rsim_traffic *t, bool on);
/* Whether the requests a crashed pod refuses (before its endpoint is withdrawn) count as errors
 * in its counters (default off): on when the exporter outlives the app's container, as an Istio
 * sidecar answers them with 503 (docs/modules/traffic.md "Outcomes"). */
void rsim_traffic_set_refused_counted(rsim_traffic *t, bool on);
/* Per-pod counters of pod id, exact up to the settled time (the revision's pending counts are
 * split over its pods first; its ReplicaSet's deferred reads are answered before). A pod that
 * never served has zero counters. */
rsim_traffic_pod rsim_traffic_pod_counters(rsim_traffic *t, uint32_t pod_id);

/* ---- deferred per-pod reads (docs/modules/traffic.md §Reads inside a piece) ----
 * A scrape needs a pod's counters at its own instant, which rarely falls on a piece boundary.
 * Instead of cutting a piece there, a read is answered later: when traffic is settled through
 * its instant, the piece that contains it hands the pod's ReplicaSet's new counts out by
 * instant (exact, docs/modules/traffic.md) and the reader gets the counters as they were at
 * that instant. Reads are answered exactly once, inside a later rsim_traffic_observe (or at
 * once when traffic is already settled through the instant), in the order asked; with lazy
 * reads on, the reads of a ReplicaSet's pods wait instead until rsim_traffic_reads_flush (in
 * the order asked among themselves), with the same answers (docs/modules/traffic.md "Deferred
 * ReplicaSets"). */

/* Called with pod id's counters as they were at `at` (the view is borrowed for the call) and
 * the tag given when asking. The callback must not call back into the traffic model. */
typedef void (*rsim_traffic_read_fn)(
    void *arg, uint32_t pod_id, rsim_time at, uint64_t tag, const rsim_traffic_pod *counters);
/* Sets the reader of deferred reads (arg borrowed). */
void rsim_traffic_set_reader(rsim_traffic *t, rsim_traffic_read_fn fn, void *arg);
/* Asks for pod id's counters at `at`, which must not precede an instant asked before; needs a
 * reader; tag is handed back with the answer. Answered at once when traffic is settled through
 * `at` (logged instead when lazy reads are on and the pod serves a ReplicaSet). */
void rsim_traffic_read_at(rsim_traffic *t, uint32_t pod_id, rsim_time at, uint64_t tag);
/* Sides of the router: what a traffic router sends to the stable Service and to the canary
 * Service (its weight, and header routes). Without weighted routing everything is the stable
 * side's. */
#define RSIM_TRAFFIC_STABLE_SIDE 0
#define RSIM_TRAFFIC_CANARY_SIDE 1
/* User requests the router has sent to a side, and how many of them failed (whatever the
 * cause: no usable pod, a refusing pod, overload, a fault, base failures), up to the settled
 * time: what the callers' proxies (an Istio gateway) count per destination Service. */
void rsim_traffic_side_counts(const rsim_traffic *t,
                              int side,
                              uint64_t *requests,
                              uint64_t *failures);

/* Reads asked and not answered yet, deferred ones included. */
size_t rsim_traffic_reads_pending(const rsim_traffic *t);
/* Lazy reads (default off): reads of a ReplicaSet's pods are logged and answered only by
 * rsim_traffic_reads_flush, by rsim_traffic_pod_counters of one of its pods, or before its pods
 * change, so that a ReplicaSet nobody looks at costs no split over its pods. Pods carrying
 * histograms (rsim_traffic_set_pod_latency) are always answered at once. Turning it off answers
 * every deferred read. */
void rsim_traffic_set_lazy_reads(rsim_traffic *t, bool on);
/* Deferred reads of ReplicaSet rs's pods waiting for a flush. */
size_t rsim_traffic_reads_deferred(const rsim_traffic *t, uint32_t rs);
/* Answers every deferred read of rs's pods, in the order asked (RSIM_TRAFFIC_NO_RS: of every
 * ReplicaSet). Traffic must be settled; not from inside the reader. */
void rsim_traffic_reads_flush(rsim_traffic *t, uint32_t rs);

/* Statistics: pieces settled and random draws made, for the cost budget. */
typedef struct rsim_traffic_stats {
    uint64_t pieces;         /* intervals of constant parameters settled */
    uint64_t pod_splits;     /* revision-to-pod splits */
    uint64_t user_draws;     /* run steps for distinct users (users.c) */
    uint64_t reads_in_piece; /* deferred reads answered inside a piece (no cut) */
    uint64_t read_cuts;      /* pieces cut at a deferred read (outcomes vary inside) */
} rsim_traffic_stats;
rsim_traffic_stats rsim_traffic_get_stats(const rsim_traffic *t);

#endif
