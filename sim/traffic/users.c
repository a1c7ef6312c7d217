/* users.c - exact distinct-user counts without per-request work.
 * k fault-caused failures land on users drawn uniformly with replacement from a range of size
 * s of which d are already hit. Each draw hits a new user with probability (s - d) / s, so the
 * number of draws up to and including the next new user is Geometric((s - d) / s); skipping by
 * such geometrics costs one draw per NEW user, never one per failure, and is exact. The total
 * over a run is at most the population (docs/modules/traffic.md §Users). */
#include <math.h>

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

/* Geometric skipping inside one segment of `size` users. */
static uint64_t
hit_segment(rsim_traffic_users *u, rsim_rng *r, rsim_traffic_seg *s, uint64_t size, uint64_t k)
{
    uint64_t fresh = 0;
    while (k > 0 && s->hit < size) {
        double p = (double)(size - s->hit) / (double)size;
        uint64_t g = 1;
        if (p < 1.0) {
            double x = floor(log(rsim_rng_uniform_pos(r)) / log1p(-p));
            g = x >= (double)k ? k + 1 : 1 + (uint64_t)x;
        }
        u->draws++;
        if (g > k) {
            break;
        }
        k -= g;
        s->hit++;
        fresh++;
    }
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
