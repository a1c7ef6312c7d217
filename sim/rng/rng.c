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
 * Hoermann's PTRS for Poisson means from 10 (O(1) uniforms, no gamma variate), GSL below that.
 *
 * Binomials up to n = 2^30 are drawn here, not by GSL, on the side p <= 1/2 (p > 1/2 draws
 * n - Binomial(n, 1 - p); 1 - p is exact there). For n p < 14, inversion: one uniform word,
 * a sequential search from 0 with f(0) = q^n (repeated squaring up to n = 1024, else
 * exp(n log1p(-p))) and f(k+1) = f(k) (n-k)/(k+1) p/q; should rounding carry the search to n or
 * to k = 110 (a mass below 1e-50 lies above), it restarts with a fresh uniform, as GSL does.
 * From n p = 14 (where both cost about the same), Hoermann's BTRS ("The generation
 * of binomial random variates", Journal of Statistical Computation and Simulation 46 (1993)
 * 101-110): transformed rejection with a squeeze, two words per try, 1.1 to 1.4 tries per
 * variate, and a final test against the exact ratio f(k)/f(m) at the mode m: a product of the
 * recurrence's factors within 40 of m, else logarithms in Stirling form around the mean (exact
 * remainders below 16, a five-term series above) so that nothing of size n log n cancels.
 * Both are exact: the only error is double rounding, relative 1e-13 in a probability. The
 * constants of p alone, and those of the exact test for the last (n, p) that needed one, are
 * cached in the stream; they are pure functions of (n, p), so the cache never changes what is
 * drawn. The squeeze's own constants (a square root, a division) are computed per call. */
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
#define BTRS_MIN_MEAN       14.0
#define INVERSION_POW_MAX_N 1024u
#define INVERSION_MAX_K     110u
#define BTRS_PRODUCT_SPAN   40.0
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

/* Binomial constants of the last p (many calls repeat p with another n): p as asked, the small
 * side ps = min(p, 1 - p) and whether it was reflected. */
typedef struct binom_p_consts {
    double p;                   /* 0: none yet (p == 0 never reaches the samplers) */
    double ps, q, ratio, log_q; /* ratio = ps/q, log_q = log1p(-ps) when have_log_q */
    int flip, have_log_q;
} binom_p_consts;

/* Constants of BTRS's exact test for the last (n, ps) that needed one: alpha, the mode
 * m = floor((n+1) ps) and, computed on its first use, log f(m). */
typedef struct binom_n_consts {
    uint64_t n; /* 0: none yet */
    double ps;
    double np, alpha, m;
    double delta_n, log_fm; /* valid when have_fm */
    int have_fm;
} binom_n_consts;

struct rsim_rng {
    gsl_rng gsl; /* type points at philox_type, state at st */
    philox_state st;
    ptrs_consts ptrs;
    binom_p_consts bp;
    binom_n_consts bn;
};

/* The next block of four words; kept out of line so that next_u64 inlines to a few
 * instructions wherever a sampler draws. */
__attribute__((noinline)) static void refill(philox_state *s)
{
    s->out = philox4x64(s->ctr, s->key);
    s->ctr.v[0]++;
    s->idx = 0;
}

static inline uint64_t next_u64(philox_state *s)
{
    if (s->idx == 4) {
        refill(s);
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

/* Stirling's remainder delta(x) = ln x! - (x + 1/2) ln x + x - ln(2 pi)/2 for x = 1..15, from
 * 50-digit decimal arithmetic; index 0 is unused (0! is handled by the callers). */
static const double stirling_delta_table[16] = {
    0.0,
    8.10614667953272610701e-02,
    4.13406959554092970355e-02,
    2.76779256849983383570e-02,
    2.07906721037650933648e-02,
    1.66446911898211931391e-02,
    1.38761288230707484359e-02,
    1.18967099458917695276e-02,
    1.04112652619720962022e-02,
    9.25546218271273285483e-03,
    8.33056343336287079271e-03,
    7.57367548795184059029e-03,
    6.94284010720952991791e-03,
    6.40899418800420714315e-03,
    5.95137011275884749567e-03,
    5.55473355196280105250e-03,
};

/* delta(x) for an integer x >= 1: the table, else the asymptotic series to the x^-9 term
 * (error below 1e-16 from x = 16). */
static double stirling_delta(double x)
{
    if (x < 16.0) {
        return stirling_delta_table[(int)x];
    }
    double ix = 1.0 / x;
    double ix2 = ix * ix;
    return ix * (1.0 / 12.0 -
                 ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0 - ix2 * (1.0 / 1680.0 - ix2 / 1188.0))));
}

/* ln f(k) + ln(2 pi k (n-k) / n) / 2 for Binomial(n, ps), 0 < k < n, with np = n ps and
 * delta_n = delta(n): Loader's saddle-point form with d = np - k,
 *   ln f(k) = delta(n) - delta(k) - delta(n-k) - ln(2 pi k (n-k) / n) / 2
 *             + k log1p(d/k) + (n-k) log1p(-d/(n-k)),
 * whose last two terms nearly cancel (their sum is about -d^2 / 2npq) but are each only of
 * size d, so the result keeps ~1e-12 absolute accuracy at n = 2^30, where the direct
 * ln n! - ln k! - ln (n-k)! would lose 1e-6. The logarithm is left to the caller, which
 * merges it with its own. */
static double log_binomial_pmf_scaled(double n, double np, double delta_n, double k)
{
    double nk = n - k;
    double d = np - k;
    return delta_n - stirling_delta(k) - stirling_delta(nk) + k * log1p(d / k) +
           nk * log1p(-d / nk);
}

/* ln f(k) for Binomial(n, ps), 0 <= k <= n. */
static double log_binomial_pmf(double n, double ps, double np, double delta_n, double k)
{
    if (k == 0.0) {
        return n * log1p(-ps);
    }
    if (k == n) {
        return n * log(ps);
    }
    return log_binomial_pmf_scaled(n, np, delta_n, k) -
           0.5 * log(2.0 * M_PI_VALUE * k * (n - k) / n);
}

/* f(0) = q^n for inversion. Up to INVERSION_POW_MAX_N by repeated squaring (about 2 log2 n
 * products; relative error below (n + 2 log2 n) 2^-53 <= 1.2e-13, q = 1 - ps being rounded
 * once), beyond that exp(n log1p(-ps)), which does not compound q's rounding n times. */
static double inversion_f0(binom_p_consts *pc, uint64_t n)
{
    if (n <= INVERSION_POW_MAX_N) {
        double f = 1.0, x = pc->q;
        for (uint64_t e = n; e > 0; e >>= 1) {
            if (e & 1u) {
                f *= x;
            }
            x *= x;
        }
        return f;
    }
    if (!pc->have_log_q) {
        pc->log_q = log1p(-pc->ps);
        pc->have_log_q = 1;
    }
    return exp((double)n * pc->log_q);
}

/* Binomial(n, ps) for n ps < 14 by inversion on one uniform word; see the file comment. The
 * counters are doubles (exact below 2^53): converting 64-bit integers costs more. */
static uint64_t binomial_inversion(rsim_rng *r, const binom_p_consts *pc, double f0, uint64_t n)
{
    const double dn = (double)n;
    const double top = n < INVERSION_MAX_K ? dn : (double)INVERSION_MAX_K;
    const double ratio = pc->ratio;
    for (;;) {
        double u = u53(next_u64(&r->st));
        double f = f0;
        for (double k = 0.0;; k += 1.0) {
            if (u < f) {
                return (uint64_t)k;
            }
            if (k == top) {
                break; /* rounding left u above the summed mass: a fresh uniform */
            }
            u -= f;
            f *= ratio * (dn - k) / (k + 1.0);
        }
    }
}

/* Whether t <= f(k)/f(m) for Binomial(n, ps) with ratio = ps/q and mode m. Within
 * BTRS_PRODUCT_SPAN of the mode, the ratio is the product of the recurrence's factors (no
 * logarithm, relative error below 1e-14); further out, the difference of log_binomial_pmf. */
static int binomial_accepts(binom_n_consts *c, double ratio, double t, double k)
{
    const double dn = (double)c->n, m = c->m;
    if (fabs(k - m) <= BTRS_PRODUCT_SPAN) {
        double f = 1.0;
        if (k > m) {
            for (double i = m + 1.0; i <= k; i += 1.0) {
                f *= ratio * (dn - i + 1.0) / i; /* f(i)/f(i-1) */
            }
            return t <= f;
        }
        for (double i = k + 1.0; i <= m; i += 1.0) {
            f *= ratio * (dn - i + 1.0) / i; /* f(i)/f(i-1) */
        }
        return t * f <= 1.0;
    }
    if (!c->have_fm) {
        c->delta_n = stirling_delta(dn);
        c->log_fm = log_binomial_pmf(dn, c->ps, c->np, c->delta_n, m);
        c->have_fm = 1;
    }
    if (k == 0.0 || k == dn) {
        return log(t) <= log_binomial_pmf(dn, c->ps, c->np, c->delta_n, k) - c->log_fm;
    }
    /* ln t <= ln f(k) - ln f(m), with ln f(k)'s square-root factor moved to the left. */
    return 0.5 * log(t * t * (2.0 * M_PI_VALUE * k * (dn - k) / dn)) <=
           log_binomial_pmf_scaled(dn, c->np, c->delta_n, k) - c->log_fm;
}

/* BTRS's exact test for a point (u, v) outside the squeeze: its hat value
 * t = v alpha / (a / us^2 + b) against f(k)/f(m). Out of line and with its own constants
 * (alpha, the mode, log f(m)), cached per (n, ps): most variates never get here. */
__attribute__((noinline)) static int binomial_btrs_exact(rsim_rng *r,
                                                         const binom_p_consts *pc,
                                                         uint64_t n,
                                                         double np,
                                                         double spq,
                                                         double a,
                                                         double b,
                                                         double us,
                                                         double v,
                                                         double k)
{
    binom_n_consts *c = &r->bn;
    if (c->n != n || c->ps != pc->ps) {
        c->n = n;
        c->ps = pc->ps;
        c->np = np;
        c->alpha = (2.83 + 5.1 / b) * spq;
        c->m = floor(((double)n + 1.0) * pc->ps);
        c->have_fm = 0;
    }
    return binomial_accepts(c, pc->ratio, v * c->alpha / (a / (us * us) + b), k);
}

/* Binomial(n, ps) for n ps >= 14, ps <= 1/2, by Hoermann's BTRS (constants: the paper's
 * table 1). U is drawn on (-1/2, 1/2) so that us > 0 always; V on [0, 1). The constants of
 * the squeeze cost a square root and a division, less than a cache of them would. */
static uint64_t binomial_btrs(rsim_rng *r, const binom_p_consts *pc, uint64_t n, double np)
{
    const double dn = (double)n;
    const double spq = sqrt(np * pc->q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * pc->ps;
    const double two_a = 2.0 * a;
    const double cc = np + 0.5;
    const double vr = 0.92 - 4.2 / b;
    for (;;) {
        uint64_t wu = next_u64(&r->st);
        uint64_t wv = next_u64(&r->st);
        double u = (double)((wu >> 12) * 2 + 1) * 0x1.0p-53 - 0.5; /* as rsim_rng_uniform_pos */
        double v = u53(wv);
        double us = 0.5 - fabs(u);
        double x = (two_a / us + b) * u + cc;
        if (!(x >= 0.0 && x < dn + 1.0)) {
            continue; /* k = floor(x) outside [0, n] */
        }
        double k = (double)(int64_t)x; /* floor, as x >= 0; cheaper than floor() */
        if (us >= 0.07 && v <= vr) {
            return (uint64_t)k;
        }
        if (binomial_btrs_exact(r, pc, n, np, spq, a, b, us, v, k)) {
            return (uint64_t)k;
        }
    }
}

/* Binomial(n, p) for 1 <= n <= 2^30 and p in [0, 1]. */
static uint64_t binomial_direct(rsim_rng *r, double p, uint64_t n)
{
    if (p == 0.0) {
        return 0;
    }
    if (p == 1.0) {
        return n;
    }
    binom_p_consts *pc = &r->bp;
    if (pc->p != p) {
        pc->p = p;
        pc->flip = p > 0.5;
        pc->ps = pc->flip ? 1.0 - p : p;
        pc->q = 1.0 - pc->ps;
        pc->ratio = pc->ps / pc->q;
        pc->have_log_q = 0;
    }
    const double np = (double)n * pc->ps;
    uint64_t k = np < BTRS_MIN_MEAN ? binomial_inversion(r, pc, inversion_f0(pc, n), n)
                                    : binomial_btrs(r, pc, n, np);
    return pc->flip ? n - k : k;
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
    return k + binomial_direct(r, p, n);
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
