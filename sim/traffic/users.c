/* users.c - exact distinct-user counts at a cost that does not grow with the request rate.
 * k fault-caused failures land on users drawn uniformly with replacement from a range of size
 * s of which d are already hit: Binomial(k, d/s) of them on hit users, the rest on the s - d
 * fresh ones, where the number of distinct users is drawn by inverting the birthday survival
 * function run by run. A piece costs O(1 + collisions * log k) uniforms, with about k^2 / 2s
 * collisions (docs/modules/traffic.md §Users). */
#include <math.h>
#include <stdbool.h>

#include <gsl/gsl_randist.h>

#include "traffic_int.h"
#include "util.h"

void rsim_traffic_users_init(rsim_traffic_users *u, uint64_t size)
{
    u->size = size;
    u->cap_seg = 4;
    u->seg = rsim_xcalloc(u->cap_seg, sizeof(*u->seg));
    u->n_seg = 1;
    u->seg[0].end = size;
    u->seg[0].hit = 0;
    u->hit = 0;
    u->draws = 0;
}

void rsim_traffic_users_fini(rsim_traffic_users *u)
{
    free(u->seg);
    u->seg = NULL;
    u->n_seg = 0;
}

/* Hypergeometric with 64-bit counts: the hit users of a segment, split by position. */
static uint64_t hyper(rsim_rng *r, uint64_t hit, uint64_t left, uint64_t total)
{
    if (hit == 0 || left == 0) {
        return 0;
    }
    if (left == total) {
        return hit;
    }
    if (total <= UINT32_MAX) {
        return gsl_ran_hypergeometric(rsim_rng_gsl(r), (unsigned)hit, (unsigned)(total - hit),
                                      (unsigned)left);
    }
    /* Sequential draw of the left part's members: exact, cost O(min(hit, left)), only for
     * populations beyond 4e9. */
    uint64_t got = 0;
    uint64_t h = hit;
    uint64_t n = total;
    for (uint64_t i = 0; i < left && h > 0; i++, n--) {
        if (rsim_rng_uniform_int(r, n) < h) {
            got++;
            h--;
        }
    }
    return got;
}

void rsim_traffic_users_cut(rsim_traffic_users *u, rsim_rng *r, uint64_t at)
{
    if (at == 0 || at >= u->size) {
        return;
    }
    size_t i = 0;
    while (u->seg[i].end < at) {
        i++;
    }
    if (u->seg[i].end == at) {
        return;
    }
    uint64_t start = i > 0 ? u->seg[i - 1].end : 0;
    uint64_t total = u->seg[i].end - start;
    uint64_t left_hit = hyper(r, u->seg[i].hit, at - start, total);
    if (u->n_seg == u->cap_seg) {
        u->cap_seg *= 2;
        u->seg = rsim_xrealloc(u->seg, u->cap_seg * sizeof(*u->seg));
    }
    for (size_t j = u->n_seg; j > i; j--) {
        u->seg[j] = u->seg[j - 1];
    }
    u->n_seg++;
    u->seg[i].end = at;
    u->seg[i].hit = left_hit;
    u->seg[i + 1].hit -= left_hit;
}

/* Below this many fresh users a segment uses geometric skipping only: at most one draw per
 * fresh user, so the cost is bounded by the pool whatever k is. */
#define USERS_DIRECT_POOL 64

/* Stirling's series for ln Gamma(x) - ((x - 1/2) ln x - x + ln(2 pi) / 2), x >= 8: the next
 * term is below 1e-11. */
static double stirling_tail(double x)
{
    double r = 1.0 / x;
    double r2 = r * r;
    return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
}

/* ln S(r), S(r) = prod_{i<r} (1 - (D + i) / m) = a! / ((a - r)! m^r) with a = m - D: the
 * probability that the next r draws from a pool of m users, D of them already drawn in this
 * piece, all find new users; r >= 1. Written as a difference of Stirling series in log1p form,
 * so the error is about 1e-16 * D rather than 1e-16 * m ln m as with two lgamma calls. */
static double log_surv(double m, uint64_t a, uint64_t r)
{
    if (r > a) {
        return -INFINITY;
    }
    double x = (double)a + 1.0;
    double y = (double)(a - r) + 1.0;
    if (y < 8.0) {
        return lgamma(x) - lgamma(y) - (double)r * log(m);
    }
    double lx = log1p((x - m) / m);
    double ly = log1p((y - m) / m);
    return (x - 0.5) * lx - (y - 0.5) * ly - (double)r + stirling_tail(x) - stirling_tail(y);
}

/* Whether S(r) >= u, u in (0,1). Short runs multiply their factors (exact to a few ulps, and
 * S(1) = 1 exactly when D = 0); longer ones compare logarithms (*lu: ln u, computed once). */
static bool surv_at_least(double m, uint64_t a, uint64_t r, double u, double *lu)
{
    /* Union bound: S(r) >= 1 - sum_i (D + i)/m settles most no-collision checks at once. */
    double dd = m - (double)a;
    if (u <= 1.0 - ((double)r * dd + 0.5 * (double)r * ((double)r - 1.0)) / m) {
        return true;
    }
    if (r <= 16) {
        double s = 1.0;
        for (uint64_t i = 0; i < r; i++) {
            s *= 1.0 - (dd + (double)i) / m;
        }
        return s >= u;
    }
    if (isnan(*lu)) {
        *lu = log(u);
    }
    return log_surv(m, a, r) >= *lu;
}

/* Bits needed to write k (k > 0). */
static uint64_t bit_width(uint64_t k)
{
    uint64_t b = 0;
    while (k > 0) {
        b++;
        k >>= 1;
    }
    return b;
}

/* Distinct users among k draws with replacement from a pool of m fresh users: the exact
 * occupancy law, sampled as a sequence of runs (docs/modules/traffic.md §Users). With D of the
 * pool drawn so far, the length R of the run of new users before the next collision has
 * P(R >= r) = S(r); it is drawn by inversion with one uniform: one S(k) >= u check settles the
 * common no-collision case, a collision costs a binary search. Once collisions are frequent
 * (D/m above 1/(log2 k + 2), where a binary search costs more than a geometric step), the run
 * of collisions before the next new user, Geometric(1 - D/m), is drawn instead. Small pools
 * use the geometric step only. Cost: O(1 + min(collisions * log k, new users)) uniforms. */
static uint64_t occupancy(rsim_traffic_users *u, rsim_rng *r, uint64_t m, uint64_t k)
{
    uint64_t d = 0;
    double dm = (double)m;
    while (k > 0 && d < m) {
        u->draws++;
        if (m > USERS_DIRECT_POOL && d * (bit_width(k) + 2) < m) {
            uint64_t a = m - d;
            double u1 = rsim_rng_uniform_pos(r);
            double lu = NAN;
            if (surv_at_least(dm, a, k, u1, &lu)) {
                d += k;
                break;
            }
            /* Largest run R < k with S(R) >= u: S(lo) >= u > S(hi) throughout. */
            uint64_t lo = 0;
            uint64_t hi = k < a + 1 ? k : a + 1;
            while (hi - lo > 1) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (surv_at_least(dm, a, mid, u1, &lu)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            d += lo;
            k -= lo + 1; /* the run, then the colliding draw */
            continue;
        }
        /* Draws up to and including the next new user: Geometric((m - d) / m). */
        uint64_t g = 1;
        if (d > 0) {
            double x = floor(log(rsim_rng_uniform_pos(r)) / log((double)d / dm));
            g = x >= (double)k ? k + 1 : 1 + (uint64_t)x;
        }
        if (g > k) {
            break;
        }
        k -= g;
        d++;
    }
    return d;
}

/* k hits on a segment of `size` users of which s->hit are hit already: Binomial(k, hit/size)
 * land on those (exact: the hit set is fixed during the piece), the rest on the fresh ones. */
static uint64_t
hit_segment(rsim_traffic_users *u, rsim_rng *r, rsim_traffic_seg *s, uint64_t size, uint64_t k)
{
    if (k == 0 || s->hit >= size) {
        return 0;
    }
    uint64_t fresh_pool = size - s->hit;
    if (s->hit > 0) {
        k -= rsim_rng_binomial(r, (double)s->hit / (double)size, k);
    }
    uint64_t fresh = occupancy(u, r, fresh_pool, k);
    s->hit += fresh;
    return fresh;
}

uint64_t rsim_traffic_users_add_hits(
    rsim_traffic_users *u, rsim_rng *r, uint64_t lo, uint64_t hi, uint64_t k)
{
    if (k == 0 || hi <= lo) {
        return 0;
    }
    uint64_t fresh = 0;
    uint64_t left = k;
    uint64_t start = 0;
    for (size_t i = 0; i < u->n_seg && left > 0; i++) {
        rsim_traffic_seg *s = &u->seg[i];
        uint64_t size = s->end - start;
        uint64_t seg_start = start;
        start = s->end;
        if (seg_start < lo || s->end > hi) {
            continue;
        }
        /* Hits per segment: conditional binomials of a multinomial by segment size. */
        uint64_t rest = hi - seg_start;
        uint64_t mine =
            s->end == hi ? left : rsim_rng_binomial(r, (double)size / (double)rest, left);
        left -= mine;
        fresh += hit_segment(u, r, s, size, mine);
    }
    u->hit += fresh;
    return fresh;
}
