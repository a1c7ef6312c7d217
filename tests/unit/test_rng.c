/* test_rng.c - named random streams and the exact large-count distributions.
 * Pinned: equal (seed, replication, name) give equal sequences, any difference gives another;
 * extra draws on one stream leave every other stream's sequence unchanged; the gsl_rng view
 * advances the same stream; moments of uniform, uniform_int, poisson, binomial, multinomial,
 * exponential and normal lie within stated bounds, including poisson mean 1e10 and binomial
 * n = 1e10 (beyond GSL's unsigned int), and uniform_int has no modulo bias; the Poisson law
 * (PTRS from mean 10, GSL below) passes a chi-square against the pmf on both sides of 10 and
 * up to mean 5000; the binomial law (inversion below n p = 10, BTRS from 10, both sides of
 * p = 1/2, up to n = 2^30) passes a chi-square against the pmf; a binomial with n p below
 * double resolution is 0 and draws nothing, an inversion draws one word, and no binomial
 * exceeds n, even with p a rounding away from 1.
 * Bounds: every statistical check allows 5 standard errors (or a chi-square quantile with a
 * tail of about 1e-6), so a correct implementation fails one check with probability below
 * about 1e-6; the seeds are fixed, so a run is deterministic anyway.
 * Not pinned: the exact numbers a seed produces (docs/randomness.md may change the generator). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

#define SIGMAS 5.0

static void assert_near(double got, double want, double se, const char *what)
{
    if (!(fabs(got - want) <= SIGMAS * se)) {
        fail_msg("%s: got %.10g, want %.10g +- %.3g (5 standard errors)", what, got, want,
                 SIGMAS * se);
    }
}

static void test_rng_same_key_same_sequence(void **state)
{
    (void)state;
    rsim_rng *a = rsim_rng_new(7, 3, "traffic/arrivals");
    rsim_rng *b = rsim_rng_new(7, 3, "traffic/arrivals");
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(rsim_rng_u64(a), rsim_rng_u64(b));
    }
    rsim_rng_free(a);
    rsim_rng_free(b);
}

static void test_rng_different_key_different_sequence(void **state)
{
    (void)state;
    rsim_rng *base = rsim_rng_new(7, 3, "traffic/arrivals");
    rsim_rng *others[] = {
        rsim_rng_new(8, 3, "traffic/arrivals"),
        rsim_rng_new(7, 4, "traffic/arrivals"),
        rsim_rng_new(7, 3, "traffic/arrivalz"),
        rsim_rng_new(7, 3, "traffic/arrivals/"),
        rsim_rng_new(7, 3, ""),
        rsim_rng_new(3, 7, "traffic/arrivals"),
        rsim_rng_new(7, 3, "traffic/arrivals2"),
        rsim_rng_new(7, 3, "a-name-longer-than-16-bytes"),
    };
    uint64_t first[16];
    for (int i = 0; i < 16; i++) {
        first[i] = rsim_rng_u64(base);
    }
    for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
        int equal = 0;
        for (int i = 0; i < 16; i++) {
            equal += rsim_rng_u64(others[k]) == first[i];
        }
        assert_int_equal(equal, 0);
        rsim_rng_free(others[k]);
    }
    rsim_rng_free(base);
}

static void test_rng_extra_draws_on_a_leave_b_unchanged(void **state)
{
    (void)state;
    enum { N = 500 };
    uint64_t alone[N];
    rsim_rng *b = rsim_rng_new(11, 0, "cluster/startup");
    for (int i = 0; i < N; i++) {
        alone[i] = rsim_rng_u64(b);
    }
    rsim_rng_free(b);
    /* Now interleave: stream A (same seed and replication) draws a varying number of values,
     * through every entry point, between B's draws. */
    rsim_rng *a = rsim_rng_new(11, 0, "traffic/outcomes");
    b = rsim_rng_new(11, 0, "cluster/startup");
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < i % 7; k++) {
            (void)rsim_rng_uniform(a);
            (void)rsim_rng_poisson(a, 1e10);
            (void)gsl_rng_get(rsim_rng_gsl(a));
        }
        assert_int_equal(rsim_rng_u64(b), alone[i]);
    }
    rsim_rng_free(a);
    rsim_rng_free(b);
}

static void test_rng_gsl_view_advances_same_stream(void **state)
{
    (void)state;
    rsim_rng *a = rsim_rng_new(5, 1, "x");
    rsim_rng *b = rsim_rng_new(5, 1, "x");
    gsl_rng *g = rsim_rng_gsl(a);
    assert_int_equal(gsl_rng_max(g), UINT64_MAX);
    assert_int_equal(gsl_rng_min(g), 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(gsl_rng_get(g), rsim_rng_u64(b));
        assert_true(rsim_rng_uniform(a) == rsim_rng_uniform(b));
    }
    rsim_rng_free(a);
    rsim_rng_free(b);
}

static void test_rng_uniform_moments_and_range(void **state)
{
    (void)state;
    enum { N = 1000000 };
    rsim_rng *r = rsim_rng_new(1, 0, "uniform");
    double sum = 0, sum2 = 0, sum_pos = 0;
    for (int i = 0; i < N; i++) {
        double u = rsim_rng_uniform(r);
        double v = rsim_rng_uniform_pos(r);
        assert_true(u >= 0.0 && u < 1.0);
        assert_true(v > 0.0 && v < 1.0);
        sum += u;
        sum2 += u * u;
        sum_pos += v;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    assert_near(mean, 0.5, sqrt(1.0 / 12 / N), "uniform mean");
    assert_near(sum_pos / N, 0.5, sqrt(1.0 / 12 / N), "uniform_pos mean");
    /* Var(sample variance) = (mu4 - sigma^4) / N with mu4 = 1/80, sigma^2 = 1/12 */
    assert_near(var, 1.0 / 12, sqrt((1.0 / 80 - 1.0 / 144) / N), "uniform variance");
    rsim_rng_free(r);
}

static void test_rng_uniform_int_unbiased(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(2, 0, "uniform_int");
    /* chi-square over 6 cells, 600k draws: P(chi2_5 > 35) is about 1.5e-6 */
    uint64_t cells[6] = {0};
    enum { N = 600000 };
    for (int i = 0; i < N; i++) {
        uint64_t x = rsim_rng_uniform_int(r, 6);
        assert_true(x < 6);
        cells[x]++;
    }
    double chi2 = 0;
    for (int c = 0; c < 6; c++) {
        double d = (double)cells[c] - N / 6.0;
        chi2 += d * d / (N / 6.0);
    }
    assert_true(chi2 < 35.0);
    /* n = 3 * 2^62: a modulo reduction of 64 bits would put 1/2 of the mass below 2^62
     * instead of 1/3. */
    uint64_t n = 3 * ((uint64_t)1 << 62), below = 0;
    enum { M = 200000 };
    for (int i = 0; i < M; i++) {
        uint64_t x = rsim_rng_uniform_int(r, n);
        assert_true(x < n);
        below += x < ((uint64_t)1 << 62);
    }
    assert_near((double)below / M, 1.0 / 3, sqrt(2.0 / 9 / M), "uniform_int large n");
    assert_int_equal(rsim_rng_uniform_int(r, 1), 0);
    rsim_rng_free(r);
}

/* Sample mean and variance of k Poisson draws against mean and variance mu. The sample
 * variance's standard error is mu * sqrt(2 / (k - 1)) (plus a 1/mu kurtosis term, included). */
static void check_poisson(rsim_rng *r, double mu, int k)
{
    double sum = 0, sum2 = 0;
    for (int i = 0; i < k; i++) {
        double d = (double)rsim_rng_poisson(r, mu) - mu; /* centred, for precision */
        sum += d;
        sum2 += d * d;
    }
    double mean = sum / k, var = (sum2 - sum * mean) / (k - 1);
    char what[64];
    snprintf(what, sizeof(what), "poisson(%g) mean", mu);
    assert_near(mean, 0.0, sqrt(mu / k), what);
    snprintf(what, sizeof(what), "poisson(%g) variance", mu);
    assert_near(var, mu, mu * sqrt(2.0 / (k - 1) + 1.0 / (mu * k)), what);
}

static void test_rng_poisson_moments_including_huge_means(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(3, 0, "poisson");
    assert_int_equal(rsim_rng_poisson(r, 0.0), 0);
    check_poisson(r, 0.5, 200000);
    check_poisson(r, 30.0, 100000);
    check_poisson(r, 1e6, 20000);
    check_poisson(r, 1e10, 4000); /* beyond 2^32: the gamma reduction path */
    check_poisson(r, 1e15, 2000);
    rsim_rng_free(r);
}

/* Chi-square of n Poisson(mu) draws against the pmf, over the cells k in [mu - 6 sd,
 * mu + 6 sd] with both tails pooled into the end cells. The bound is the Wilson-Hilferty
 * quantile with z = 4.75 (upper tail about 1e-6). */
static void check_poisson_pmf(rsim_rng *r, double mu, int n)
{
    enum { MAX_CELLS = 1024 };
    double sd = sqrt(mu);
    double lo = floor(mu - 6.0 * sd);
    lo = lo < 0.0 ? 0.0 : lo;
    double hi = ceil(mu + 6.0 * sd);
    size_t cells = (size_t)(hi - lo) + 1;
    assert_true(cells <= MAX_CELLS);
    double obs[MAX_CELLS] = {0};
    double want[MAX_CELLS] = {0};
    for (int i = 0; i < n; i++) {
        double x = (double)rsim_rng_poisson(r, mu);
        x = x < lo ? lo : (x > hi ? hi : x);
        obs[(size_t)(x - lo)] += 1.0;
    }
    double inner = 0.0;
    for (size_t c = 0; c < cells; c++) {
        double k = lo + (double)c;
        want[c] = exp(-mu + k * log(mu) - lgamma(k + 1.0));
        inner += want[c];
    }
    /* The end cells hold the tails: split the missing mass by the sides' pmf weight. */
    double tail = 1.0 - inner;
    double wl = want[0], wh = want[cells - 1];
    want[0] += tail * wl / (wl + wh);
    want[cells - 1] += tail * wh / (wl + wh);
    double chi2 = 0.0;
    double df = -1.0;
    double o = 0.0, e = 0.0;
    for (size_t c = 0; c < cells; c++) {
        /* Pool neighbouring cells until the expected count reaches 5. */
        o += obs[c];
        e += want[c] * n;
        if (e >= 5.0 || c == cells - 1) {
            chi2 += (o - e) * (o - e) / e;
            df += 1.0;
            o = 0.0;
            e = 0.0;
        }
    }
    double t = 2.0 / (9.0 * df);
    double bound = df * pow(1.0 - t + 4.75 * sqrt(t), 3.0);
    if (!(chi2 <= bound)) {
        fail_msg("poisson(%g) pmf: chi-square %.1f over %.0f cells, bound %.1f", mu, chi2, df,
                 bound);
    }
}

/* Hoermann's PTRS (means from 10) and GSL below: the whole law, not just two moments, on both
 * sides of the switch and at large means. */
static void test_rng_poisson_matches_pmf(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(7, 0, "poisson-pmf");
    check_poisson_pmf(r, 3.0, 200000);
    check_poisson_pmf(r, 9.99, 200000);
    check_poisson_pmf(r, 10.0, 200000);
    check_poisson_pmf(r, 37.5, 200000);
    check_poisson_pmf(r, 1000.0, 200000);
    check_poisson_pmf(r, 5000.0, 200000);
    check_poisson(r, 10.0, 200000);
    check_poisson(r, 1e4, 100000);
    check_poisson(r, 9.9e8, 20000); /* PTRS near its top, 1e9 */
    rsim_rng_free(r);
}

/* A binomial whose n p is far below double resolution is 0 without a draw; others are not. */
static void test_rng_binomial_negligible_p_is_zero(void **state)
{
    (void)state;
    rsim_rng *a = rsim_rng_new(8, 0, "binomial-tiny");
    rsim_rng *b = rsim_rng_new(8, 0, "binomial-tiny");
    assert_int_equal(rsim_rng_binomial(a, 1e-70, 100000), 0);
    assert_int_equal(rsim_rng_u64(a), rsim_rng_u64(b));
    /* just below 2^-60, and at 2^-30 n beyond the reduction's 2^30 */
    assert_int_equal(rsim_rng_binomial(a, 0x1.fffffp-61, 1), 0);
    assert_int_equal(rsim_rng_binomial(a, 0x1.0p-100, (uint64_t)1 << 39), 0);
    assert_int_equal(rsim_rng_binomial(a, 1e-300, (uint64_t)1 << 30), 0);
    assert_int_equal(rsim_rng_u64(a), rsim_rng_u64(b));
    /* n p = 2^-60 exactly is drawn: by inversion, one word */
    assert_int_equal(rsim_rng_binomial(a, 0x1.0p-60, 1), 0);
    (void)rsim_rng_u64(b);
    assert_int_equal(rsim_rng_u64(a), rsim_rng_u64(b));
    uint64_t hits = 0;
    for (int i = 0; i < 100000; i++) {
        hits += rsim_rng_binomial(a, 1e-6, 1000);
    }
    assert_near((double)hits, 100.0, 10.0, "binomial(1000, 1e-6) total");
    rsim_rng_free(a);
    rsim_rng_free(b);
}

/* ln f(k) of Binomial(n, p) from lgamma: independent of the sampler's Stirling form. */
static double binomial_log_pmf(double n, double p, double k)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
           (n - k) * log1p(-p);
}

/* Chi-square of draws Binomial(n, p) draws against the pmf, over the cells k in
 * [mean - 6 sd, mean + 6 sd] (clipped to [0, n]) with each clipped tail pooled into its end
 * cell and neighbouring cells pooled until the expected count reaches 5 (a short last group
 * joins the one before). The bound is the Wilson-Hilferty quantile with z = 4.75 (upper tail
 * about 1e-6; conservative at 1 degree of freedom). */
static void check_binomial_pmf(rsim_rng *r, double p, uint64_t n, int draws)
{
    double dn = (double)n, mu = dn * p, sd = sqrt(dn * p * (1.0 - p));
    double lo = floor(mu - 6.0 * sd), hi = ceil(mu + 6.0 * sd);
    lo = lo < 0.0 ? 0.0 : lo;
    hi = hi > dn ? dn : hi;
    size_t cells = (size_t)(hi - lo) + 1;
    double *obs = calloc(cells, sizeof(double));
    double *want = calloc(cells, sizeof(double));
    assert_non_null(obs);
    assert_non_null(want);
    for (int i = 0; i < draws; i++) {
        uint64_t k = rsim_rng_binomial(r, p, n);
        if (k > n) {
            fail_msg("binomial(%g, %g) drew %llu > n", dn, p, (unsigned long long)k);
        }
        double x = (double)k;
        x = x < lo ? lo : (x > hi ? hi : x);
        obs[(size_t)(x - lo)] += 1.0;
    }
    double inner = 0.0;
    for (size_t c = 0; c < cells; c++) {
        want[c] = exp(binomial_log_pmf(dn, p, lo + (double)c));
        inner += want[c];
    }
    /* The end cells hold the tails that exist: split the missing mass by the sides' weight. */
    double tail = 1.0 - inner;
    double wl = lo > 0.0 ? want[0] : 0.0, wh = hi < dn ? want[cells - 1] : 0.0;
    if (wl + wh > 0.0 && tail > 0.0) {
        want[0] += tail * wl / (wl + wh);
        want[cells - 1] += tail * wh / (wl + wh);
    }
    double chi2 = 0.0, df = -1.0;
    double o = 0.0, e = 0.0, last_o = 0.0, last_e = 0.0;
    for (size_t c = 0; c < cells; c++) {
        o += obs[c];
        e += want[c] * draws;
        if (e >= 5.0 || c == cells - 1) {
            if (e < 5.0 && df >= 0.0) {
                /* a short last group: merge it into the previous one */
                chi2 -= (last_o - last_e) * (last_o - last_e) / last_e;
                o += last_o;
                e += last_e;
                df -= 1.0;
            }
            chi2 += (o - e) * (o - e) / e;
            df += 1.0;
            last_o = o;
            last_e = e;
            o = 0.0;
            e = 0.0;
        }
    }
    free(obs);
    free(want);
    assert_true(df >= 1.0);
    double t = 2.0 / (9.0 * df);
    double bound = df * pow(1.0 - t + 4.75 * sqrt(t), 3.0);
    if (!(chi2 <= bound)) {
        fail_msg("binomial(%g, %g) pmf: chi-square %.1f over %.0f degrees of freedom, bound %.1f",
                 dn, p, chi2, df, bound);
    }
}

/* The whole binomial law on both sides of the switch from inversion to BTRS at n p = 10
 * (n = 19, 20, 21 at p = 1/2; 99, 100, 101 at p = 0.1; 1000 at 0.01), on both sides of
 * p = 1/2 (reflected: 9 at 0.9, 40 at 0.75, 10000 at 0.97) and up to the largest direct n. */
static void test_rng_binomial_matches_pmf(void **state)
{
    (void)state;
    static const struct {
        double p;
        uint64_t n;
    } grid[] = {
        {0.5, 1},
        {0.3, 7},
        {0.9, 9},
        {0.5, 19},
        {0.5, 20},
        {0.5, 21},
        {0.1, 99},
        {0.1, 100},
        {0.1, 101},
        {0.75, 40},
        {0.5, 700},
        {0.4, 700},
        {0.01, 1000},
        {0.3333, 2000},
        {0.97, 10000},
        {0.5, 1000000},
        {1e-3, (uint64_t)1 << 30},
    };
    rsim_rng *r = rsim_rng_new(9, 0, "binomial-pmf");
    for (size_t i = 0; i < sizeof(grid) / sizeof(grid[0]); i++) {
        check_binomial_pmf(r, grid[i].p, grid[i].n, 200000);
    }
    rsim_rng_free(r);
}

/* Draws alternating between (n, p) pairs keep each pair's moments: the cached constants follow
 * every change (other p with the same n, p and 1 - p with the same n, other n with the same p,
 * a change of regime with the same n). */
static void test_rng_binomial_cache_follows_parameters(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(10, 0, "binomial-cache");
    enum { K = 100000 };
    static const struct {
        double p;
        uint64_t n;
    } pairs[] = {{0.5, 700}, {0.4, 700}, {0.6, 700},   {0.5, 30},
                 {0.2, 30},  {0.5, 12},  {0.01, 5000}, {0.02, 5000}};
    enum { P = sizeof(pairs) / sizeof(pairs[0]) };
    double sum[P] = {0}, sum2[P] = {0};
    for (int i = 0; i < K; i++) {
        for (size_t j = 0; j < P; j++) {
            double d = (double)rsim_rng_binomial(r, pairs[j].p, pairs[j].n) -
                       (double)pairs[j].n * pairs[j].p;
            sum[j] += d;
            sum2[j] += d * d;
        }
    }
    for (size_t j = 0; j < P; j++) {
        double s2 = (double)pairs[j].n * pairs[j].p * (1.0 - pairs[j].p);
        double mean = sum[j] / K, var = (sum2[j] - sum[j] * mean) / (K - 1);
        char what[64];
        snprintf(what, sizeof(what), "binomial(%llu, %g) mean, interleaved",
                 (unsigned long long)pairs[j].n, pairs[j].p);
        assert_near(mean, 0.0, sqrt(s2 / K), what);
        snprintf(what, sizeof(what), "binomial(%llu, %g) variance, interleaved",
                 (unsigned long long)pairs[j].n, pairs[j].p);
        assert_near(var, s2, s2 * sqrt(2.0 / (K - 1)), what);
    }
    rsim_rng_free(r);
}

/* No draw exceeds n, at the edges of p and at the largest direct n. */
static void test_rng_binomial_never_exceeds_n(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(11, 0, "binomial-edges");
    uint64_t at_n = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t k = rsim_rng_binomial(r, 1.0 - 1e-15, 5);
        assert_true(k <= 5);
        at_n += k == 5;
        assert_true(rsim_rng_binomial(r, 1e-300, 5) == 0);
        assert_true(rsim_rng_binomial(r, 1e-15, 5) <= 5);
        assert_true(rsim_rng_binomial(r, 1.0 - 0x1.0p-53, 3) <= 3);
        assert_true(rsim_rng_binomial(r, 0.5, 1) <= 1);
    }
    /* P(k < 5) = 5e-15 per draw */
    assert_int_equal(at_n, 100000);
    const uint64_t big = (uint64_t)1 << 30;
    for (int i = 0; i < 20000; i++) {
        assert_true(rsim_rng_binomial(r, 0.5, big) <= big);
        assert_true(rsim_rng_binomial(r, 1.0 - 1e-9, big) <= big);
        assert_true(rsim_rng_binomial(r, 1.0 - 0x1.0p-53, big) <= big);
        assert_true(rsim_rng_binomial(r, 0.999999, 30) <= 30);
    }
    assert_int_equal(rsim_rng_binomial(r, 1.0, big), big);
    assert_int_equal(rsim_rng_binomial(r, 0.0, big), 0);
    rsim_rng_free(r);
}

static void check_binomial(rsim_rng *r, double p, uint64_t n, int k)
{
    double sum = 0, sum2 = 0;
    double dn = (double)n, mu = dn * p, s2 = dn * p * (1 - p);
    for (int i = 0; i < k; i++) {
        uint64_t x = rsim_rng_binomial(r, p, n);
        assert_true(x <= n);
        double d = (double)x - mu; /* centred, to keep precision at n = 1e10 */
        sum += d;
        sum2 += d * d;
    }
    double mean = sum / k, var = (sum2 - sum * mean) / (k - 1);
    char what[64];
    snprintf(what, sizeof(what), "binomial(%g, %g) mean", dn, p);
    assert_near(mean, 0.0, sqrt(s2 / k), what);
    snprintf(what, sizeof(what), "binomial(%g, %g) variance", dn, p);
    assert_near(var, s2, s2 * sqrt(2.0 / (k - 1)) + 1e-9, what);
}

static void test_rng_binomial_moments_including_huge_n(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(4, 0, "binomial");
    assert_int_equal(rsim_rng_binomial(r, 0.0, 10000000000u), 0);
    assert_int_equal(rsim_rng_binomial(r, 1.0, 10000000000u), 10000000000u);
    assert_int_equal(rsim_rng_binomial(r, 0.5, 0), 0);
    check_binomial(r, 0.3, 20, 200000);
    check_binomial(r, 0.01, 1000000, 20000);
    check_binomial(r, 0.3, 10000000000u, 4000); /* beyond 2^32: the beta reduction path */
    check_binomial(r, 1e-9, 10000000000u, 20000);
    check_binomial(r, 0.999, 10000000000u, 4000);
    check_binomial(r, 0.5, (uint64_t)1 << 62, 500);
    rsim_rng_free(r);
}

static void test_rng_multinomial_sums_and_moments(void **state)
{
    (void)state;
    rsim_rng *r = rsim_rng_new(5, 0, "multinomial");
    /* unnormalised weights, a zero category in the middle and at the end */
    const double w[6] = {1, 2, 0, 3, 4, 0};
    const double total = 10;
    enum { K = 2000 };
    const uint64_t n = 10000000000u;
    double sum[6] = {0};
    for (int i = 0; i < K; i++) {
        uint64_t out[6];
        rsim_rng_multinomial(r, 6, n, w, out);
        uint64_t s = 0;
        for (int c = 0; c < 6; c++) {
            s += out[c];
            sum[c] += (double)out[c] - (double)n * w[c] / total;
        }
        assert_int_equal(s, n);
        assert_int_equal(out[2], 0);
        assert_int_equal(out[5], 0);
    }
    for (int c = 0; c < 6; c++) {
        double p = w[c] / total;
        assert_near(sum[c] / K, 0.0, sqrt((double)n * p * (1 - p) / K) + 1e-9, "multinomial");
    }
    /* small n: every count present, sum exact */
    uint64_t out[6];
    rsim_rng_multinomial(r, 6, 0, w, out);
    for (int c = 0; c < 6; c++) {
        assert_int_equal(out[c], 0);
    }
    rsim_rng_multinomial(r, 6, 7, w, out);
    assert_int_equal(out[0] + out[1] + out[2] + out[3] + out[4] + out[5], 7);
    rsim_rng_free(r);
}

static void test_rng_continuous_moments(void **state)
{
    (void)state;
    enum { N = 400000 };
    rsim_rng *r = rsim_rng_new(6, 0, "continuous");
    double se = 0, sn = 0, sn2 = 0, sl = 0;
    for (int i = 0; i < N; i++) {
        double e = rsim_rng_exponential(r, 2.5);
        assert_true(e >= 0.0);
        se += e;
        double x = rsim_rng_normal(r, 10.0, 3.0);
        sn += x;
        sn2 += (x - 10.0) * (x - 10.0);
        sl += log(rsim_rng_lognormal(r, 1.0, 0.5));
    }
    assert_near(se / N, 2.5, 2.5 / sqrt(N), "exponential mean");
    assert_near(sn / N, 10.0, 3.0 / sqrt(N), "normal mean");
    assert_near(sn2 / N, 9.0, 9.0 * sqrt(2.0 / N), "normal variance");
    assert_near(sl / N, 1.0, 0.5 / sqrt(N), "lognormal log-mean");
    rsim_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_same_key_same_sequence),
        cmocka_unit_test(test_rng_different_key_different_sequence),
        cmocka_unit_test(test_rng_extra_draws_on_a_leave_b_unchanged),
        cmocka_unit_test(test_rng_gsl_view_advances_same_stream),
        cmocka_unit_test(test_rng_uniform_moments_and_range),
        cmocka_unit_test(test_rng_uniform_int_unbiased),
        cmocka_unit_test(test_rng_poisson_moments_including_huge_means),
        cmocka_unit_test(test_rng_poisson_matches_pmf),
        cmocka_unit_test(test_rng_binomial_moments_including_huge_n),
        cmocka_unit_test(test_rng_binomial_negligible_p_is_zero),
        cmocka_unit_test(test_rng_binomial_matches_pmf),
        cmocka_unit_test(test_rng_binomial_cache_follows_parameters),
        cmocka_unit_test(test_rng_binomial_never_exceeds_n),
        cmocka_unit_test(test_rng_multinomial_sums_and_moments),
        cmocka_unit_test(test_rng_continuous_moments),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
