/* traffic_int.h - the traffic module's pure building blocks: load integrals, the M/M/c/K pod,
 * latency distributions and the distinct-users tracker. Private to sim/traffic and its test.
 * Each function here is deterministic given its random stream; traffic.c composes them. */
#ifndef RSIM_TRAFFIC_INT_H
#define RSIM_TRAFFIC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "spec.h"

/* ---- load (load.c) ---- */

/* Expected requests in [a, b) (ms), i.e. the integral of the load profile's rate (requests/s)
 * over the interval; exact for every kind (closed form for diurnal, trapezoids for tables). */
double rsim_traffic_load_integral(const rsim_spec_load *l, rsim_time a, rsim_time b);

/* ---- an M/M/c/K pod (mmck.c) ---- */

typedef struct rsim_traffic_mmck {
    double block; /* pi_K: share of arrivals rejected (503) */
    double wait;  /* mean time in the pod of an admitted request / S (>= 1) */
} rsim_traffic_mmck;

/* Stationary M/M/c/K with arrival rate lambda (requests/s), c workers, mean service time s_ms
 * and K = c + queue places (Little's law for the sojourn time). lambda 0 gives {0, 1}. */
rsim_traffic_mmck rsim_traffic_mmck_eval(double lambda, int64_t c, double s_ms, int64_t queue);

/* ---- latency (latency.c) ---- */

/* A version's latency distribution scaled: L = X * scale + add_ms, X from d. */
typedef struct rsim_traffic_lat {
    const rsim_spec_dist *dist; /* borrowed */
    double scale;               /* >= 0 */
    double add_ms;
} rsim_traffic_lat;

/* P(L <= x) and E[L; L <= x] (the partial expectation), x in ms; x may be +Inf. */
double rsim_traffic_lat_cdf(const rsim_traffic_lat *l, double x);
double rsim_traffic_lat_partial_mean(const rsim_traffic_lat *l, double x);

/* ---- distinct users (users.c) ----
 * A range of users [0, size) cut into segments; each segment knows how many of its users have
 * been hit. Hits land on users chosen uniformly (with replacement) from a prefix or suffix of
 * the range; the number of newly hit users is drawn exactly (a binomial for the hits on hit
 * users, then the birthday process on the fresh ones, run by run; users.c). */
typedef struct rsim_traffic_seg {
    uint64_t end; /* exclusive upper bound; segments are contiguous from 0 */
    uint64_t hit; /* distinct users hit in the segment */
} rsim_traffic_seg;

typedef struct rsim_traffic_users {
    uint64_t size;
    size_t n_seg, cap_seg;
    rsim_traffic_seg *seg; /* owned */
    uint64_t hit;          /* sum of the segments' hits */
    uint64_t draws;        /* run steps made, one uniform each (statistics) */
} rsim_traffic_users;

void rsim_traffic_users_init(rsim_traffic_users *u, uint64_t size);
void rsim_traffic_users_fini(rsim_traffic_users *u);
/* Makes `at` a segment boundary (0 < at < size), splitting a segment's hits
 * hypergeometrically. */
void rsim_traffic_users_cut(rsim_traffic_users *u, rsim_rng *r, uint64_t at);
/* k hits on users uniform in [lo, hi) (both segment boundaries); returns the newly hit. */
uint64_t rsim_traffic_users_add_hits(
    rsim_traffic_users *u, rsim_rng *r, uint64_t lo, uint64_t hi, uint64_t k);

#endif
