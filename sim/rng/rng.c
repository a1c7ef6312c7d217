/* rng.c - named Philox4x64-10 streams behind a gsl_rng, and exact large-count distributions.
 *
 * Stream identity: the Philox key is (seed, replication); the counter is (block, h0, h1, 0)
 * where (h0, h1) is a 128-bit hash of the name, computed with Philox itself as the compression
 * function. Each block yields four 64-bit outputs, used in order. Distinct (seed, replication,
 * name) therefore select disjoint counter/key pairs of one pseudo-random function: no overlap,
 * no seeding correlation (docs/randomness.md).
 *
 * Counts beyond GSL's unsigned int range are reduced exactly (Knuth, TAOCP vol. 2, 3.4.1 F):
 * Poisson through the Gamma-distributed m-th arrival time of a unit-rate Poisson process, and
 * Binomial through the Beta-distributed a-th order statistic of n uniforms. Each step at least
 * halves the problem, so both take O(log n) steps before the exact base samplers finish:
 * Hoermann's PTRS for Poisson means from 10 (O(1) uniforms, no gamma variate), GSL below that,
 * and GSL's BTPE for binomials. */
#include "rng.h"

#include <Random123/philox.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "util.h"

_Static_assert(sizeof(unsigned long) == 8, "gsl_rng_get must carry 64 bits");

/* Largest counts handed to GSL's unsigned-int samplers: far below UINT_MAX and INT_MAX, so
 * neither the argument nor (with overwhelming probability, > 40000 sigma) the result overflows. */
#define DIRECT_POISSON_MEAN 1.0e9
#define DIRECT_BINOMIAL_N   ((uint64_t)1 << 30)
#define MAX_POISSON_MEAN    1.0e18
#define PTRS_MIN_MEAN       10.0
#define M_PI_VALUE          3.14159265358979323846

typedef struct philox_state {
    philox4x64_ctr_t ctr; /* v[0] is the block number; v[1], v[2] the name hash */
    philox4x64_key_t key; /* (seed, replication) */
    philox4x64_ctr_t out; /* the current block's outputs */
    unsigned idx;         /* next output in out; 4 = block used up */
} philox_state;

/* PTRS constants of the last Poisson mean (a constant load asks for the same mean every
 * tick): a cache only, it never changes what is drawn. */
typedef struct ptrs_consts {
    double mu; /* 0: none yet */
    double lmu, a, b, inv_alpha, vr;
} ptrs_consts;

struct rsim_rng {
    gsl_rng gsl; /* type points at philox_type, state at st */
    philox_state st;
    ptrs_consts ptrs;
};

static inline uint64_t next_u64(philox_state *s)
{
    if (s->idx == 4) {
        s->out = philox4x64(s->ctr, s->key);
        s->ctr.v[0]++;
        s->idx = 0;
    }
    return s->out.v[s->idx++];
}

static inline double u53(uint64_t x)
{
    return (double)(x >> 11) * 0x1.0p-53;
}

/* gsl_rng_type callbacks. set() gives a usable stream for gsl_rng_set(); rsim_rng_new
 * overwrites the whole state afterwards. */
static void philox_set(void *vstate, unsigned long seed)
{
    philox_state *s = vstate;
    memset(s, 0, sizeof(*s));
    s->key.v[0] = seed;
    s->idx = 4;
}

static unsigned long philox_get(void *vstate)
{
    return next_u64(vstate);
}

static double philox_get_double(void *vstate)
{
    return u53(next_u64(vstate));
}

static const gsl_rng_type philox_type = {
    "rsim_philox4x64_10", ULONG_MAX,         0, sizeof(philox_state), philox_set,
    philox_get,           philox_get_double,
};

/* A 128-bit hash of a string: Merkle-Damgard over 16-byte blocks with Philox as the
 * compression function under a fixed key; the length is absorbed first. */
static void name_hash(const char *name, uint64_t out[2])
{
    const philox4x64_key_t k = {{0x726f6c6c73696d21u, 0x73747265616d2121u}};
    size_t len = strlen(name);
    philox4x64_ctr_t c = {{len, 0, 0, 0}};
    philox4x64_ctr_t h = philox4x64(c, k);
    for (size_t i = 0; i < len; i += 16) {
        unsigned char block[16] = {0};
        size_t n = len - i < 16 ? len - i : 16;
        memcpy(block, name + i, n);
        uint64_t w[2];
        memcpy(w, block, sizeof(w));
        c.v[0] = w[0];
        c.v[1] = w[1];
        c.v[2] = h.v[0];
        c.v[3] = h.v[1];
        h = philox4x64(c, k);
    }
    out[0] = h.v[0];
    out[1] = h.v[1];
}

rsim_rng *rsim_rng_new(uint64_t seed, uint64_t replication, const char *name)
{
    rsim_rng *r = rsim_xcalloc(1, sizeof(*r));
    uint64_t h[2];
    name_hash(name, h);
    r->gsl.type = &philox_type;
    r->gsl.state = &r->st;
    r->st.key.v[0] = seed;
    r->st.key.v[1] = replication;
    r->st.ctr.v[0] = 0;
    r->st.ctr.v[1] = h[0];
    r->st.ctr.v[2] = h[1];
    r->st.ctr.v[3] = 0;
    r->st.idx = 4;
    return r;
}

void rsim_rng_free(rsim_rng *r)
{
    free(r);
}

uint64_t rsim_rng_u64(rsim_rng *r)
{
    return next_u64(&r->st);
}

double rsim_rng_uniform(rsim_rng *r)
{
    return u53(next_u64(&r->st));
}

double rsim_rng_uniform_pos(rsim_rng *r)
{
    return (double)((next_u64(&r->st) >> 12) * 2 + 1) * 0x1.0p-53;
}

__extension__ typedef unsigned __int128 u128;

uint64_t rsim_rng_uniform_int(rsim_rng *r, uint64_t n)
{
    if (n == 0) {
        rsim_panic("rsim_rng_uniform_int: n must be > 0");
    }
    /* Lemire, "Fast random integer generation in an interval" (2019): the high word of x * n
     * is uniform on [0,n) once the low words below 2^64 mod n are rejected. */
    u128 m = (u128)next_u64(&r->st) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t threshold = (0 - n) % n;
        while (lo < threshold) {
            m = (u128)next_u64(&r->st) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

gsl_rng *rsim_rng_gsl(rsim_rng *r)
{
    return &r->gsl;
}

/* ln(mu^k e^-mu / k!). From k = 10 in Stirling's form around mu, k log1p((mu - k)/k) - (mu - k)
 * - ln(2 pi k)/2 - series, whose terms stay near sqrt(mu) in size: the direct -mu + k ln mu -
 * lgamma(k + 1) cancels terms of size mu ln mu and would lose 1e-6 at mu = 1e9. */
static double log_poisson_pmf(double mu, double lmu, double k)
{
    if (k < 10.0) {
        return -mu + k * lmu - lgamma(k + 1.0);
    }
    double ik = 1.0 / k;
    double ik2 = ik * ik;
    double series = ik * (1.0 / 12.0 - ik2 * (1.0 / 360.0 - ik2 * (1.0 / 1260.0 - ik2 / 1680.0)));
    return k * log1p((mu - k) / k) - (mu - k) - 0.5 * log(2.0 * M_PI_VALUE * k) - series;
}

/* Poisson(mu) for 10 <= mu <= 1e9 by Hoermann's PTRS, "The transformed rejection method for
 * generating Poisson random variables", Insurance: Mathematics and Economics 12 (1993) 39-45:
 * a transformed-rejection sampler with a squeeze; exact (the final test compares against the
 * pmf), about 1.15 pairs of uniforms per variate, no gamma or tangent. The constants are the
 * paper's (table 1). U is drawn on (-1/2, 1/2) so that us > 0 always. */
static uint64_t poisson_ptrs(rsim_rng *r, double mu)
{
    ptrs_consts *c = &r->ptrs;
    if (c->mu != mu) {
        c->mu = mu;
        c->lmu = log(mu);
        c->b = 0.931 + 2.53 * sqrt(mu);
        c->a = -0.059 + 0.02483 * c->b;
        c->inv_alpha = 1.1239 + 1.1328 / (c->b - 3.4);
        c->vr = 0.9277 - 3.6224 / (c->b - 2.0);
    }
    const double lmu = c->lmu, a = c->a, b = c->b, inv_alpha = c->inv_alpha, vr = c->vr;
    for (;;) {
        double u = rsim_rng_uniform_pos(r) - 0.5;
        double v = u53(next_u64(&r->st));
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= vr) {
            return (uint64_t)k;
        }
        if (k < 0.0 || (us < 0.013 && v > us)) {
            continue;
        }
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= log_poisson_pmf(mu, lmu, k)) {
            return (uint64_t)k;
        }
    }
}

uint64_t rsim_rng_poisson(rsim_rng *r, double mean)
{
    if (!(mean >= 0.0 && mean <= MAX_POISSON_MEAN)) {
        rsim_panic("rsim_rng_poisson: mean must be in [0, %g], got %g", MAX_POISSON_MEAN, mean);
    }
    uint64_t k = 0;
    double mu = mean;
    while (mu > DIRECT_POISSON_MEAN) {
        /* The m-th arrival X of a unit-rate Poisson process is Gamma(m, 1). If X >= mu, the
         * arrivals in [0, mu) are m-1 uniforms on [0, X) thinned to [0, mu): Binomial(m-1,
         * mu/X). Otherwise m arrivals are in, and the rest is Poisson(mu - X). */
        double m = floor(mu * 0.875);
        double x = gsl_ran_gamma(&r->gsl, m, 1.0);
        if (x >= mu) {
            return k + rsim_rng_binomial(r, mu / x, (uint64_t)m - 1);
        }
        k += (uint64_t)m;
        mu -= x;
    }
    /* Below 10, GSL multiplies uniforms (about mu + 1 of them): cheaper than PTRS there. */
    return k + (mu >= PTRS_MIN_MEAN ? poisson_ptrs(r, mu) : gsl_ran_poisson(&r->gsl, mu));
}

uint64_t rsim_rng_binomial(rsim_rng *r, double p, uint64_t n)
{
    if (!(p >= 0.0 && p <= 1.0)) {
        rsim_panic("rsim_rng_binomial: p must be in [0, 1], got %g", p);
    }
    /* When (1 - p)^n rounds to 1 in double precision, every inversion on a 53-bit uniform
     * returns 0: return it without spending a draw (e.g. the 503 share of an idle pod). */
    if ((double)n * p < 0x1.0p-60) {
        return 0;
    }
    uint64_t k = 0;
    while (n > DIRECT_BINOMIAL_N) {
        if (p == 0.0) {
            return k;
        }
        if (p == 1.0) {
            return k + n;
        }
        /* The a-th smallest X of n uniforms is Beta(a, n+1-a). If X >= p, the successes are
         * among the a-1 uniforms on [0, X): Binomial(a-1, p/X). Otherwise all a count, and the
         * other n-a uniforms on (X, 1] succeed with probability (p-X)/(1-X). */
        uint64_t a = n / 2 + 1;
        double x = gsl_ran_beta(&r->gsl, (double)a, (double)(n + 1 - a));
        if (x >= p) {
            n = a - 1;
            p = p / x;
        } else {
            k += a;
            n -= a;
            p = (p - x) / (1.0 - x);
        }
        p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
    }
    return k + gsl_ran_binomial(&r->gsl, p, (unsigned)n);
}

void rsim_rng_multinomial(rsim_rng *r, size_t k, uint64_t n, const double *p, uint64_t *out)
{
    double total = 0.0;
    size_t last = 0; /* the last category with a positive weight */
    for (size_t i = 0; i < k; i++) {
        if (!(p[i] >= 0.0 && isfinite(p[i]))) {
            rsim_panic("rsim_rng_multinomial: weight %zu must be finite and >= 0, got %g", i, p[i]);
        }
        total += p[i];
        if (p[i] > 0.0) {
            last = i;
        }
    }
    if (!(total > 0.0 && isfinite(total))) {
        rsim_panic("rsim_rng_multinomial: weights must have a positive finite sum");
    }
    /* Conditional binomials: category i gets Binomial(left, p[i] / (weight still unassigned)). */
    double rest = total;
    uint64_t left = n;
    for (size_t i = 0; i < k; i++) {
        if (i == last) {
            out[i] = left;
            left = 0;
        } else if (left == 0 || p[i] == 0.0) {
            out[i] = 0;
        } else {
            double q = p[i] < rest ? p[i] / rest : 1.0;
            out[i] = rsim_rng_binomial(r, q, left);
            left -= out[i];
        }
        rest -= p[i];
    }
}

double rsim_rng_exponential(rsim_rng *r, double mean)
{
    if (!(mean > 0.0)) {
        rsim_panic("rsim_rng_exponential: mean must be > 0, got %g", mean);
    }
    return -mean * log1p(-u53(next_u64(&r->st)));
}

double rsim_rng_lognormal(rsim_rng *r, double mu, double sigma)
{
    if (!(sigma >= 0.0)) {
        rsim_panic("rsim_rng_lognormal: sigma must be >= 0, got %g", sigma);
    }
    return exp(mu + gsl_ran_gaussian_ziggurat(&r->gsl, sigma));
}

double rsim_rng_normal(rsim_rng *r, double mean, double sd)
{
    if (!(sd >= 0.0)) {
        rsim_panic("rsim_rng_normal: sd must be >= 0, got %g", sd);
    }
    return mean + gsl_ran_gaussian_ziggurat(&r->gsl, sd);
}
