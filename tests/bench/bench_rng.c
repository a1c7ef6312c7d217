/* bench_rng.c - the cost of a draw: rsim_rng (Philox4x64-10) against GSL's own generators,
 * plus the distributions rollsim uses most and the cost of opening a stream.
 * Each line times --draws calls after a warm-up of a tenth as many, with
 * clock_gettime(CLOCK_MONOTONIC), and prints ns per call. A checksum of the draws is printed
 * so the compiler cannot drop them. Figures are quoted in docs/randomness.md.
 * --only TEXT runs just the lines whose label contains TEXT, so that a profiler
 * (valgrind --tool=callgrind) sees one distribution alone.
 *
 * Usage: bench_rng [--draws K] [--only TEXT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef enum kind {
    K_U64,
    K_UNIFORM,
    K_GSL_GET,
    K_GSL_UNIFORM,
    K_EXPONENTIAL,
    K_NORMAL,
    K_POISSON_10,
    K_POISSON_1E10,
    K_BINOMIAL,
    K_NEW_STREAM
} kind;

/* The binomial parameters of a K_BINOMIAL line. */
typedef struct binom_args {
    double p;
    uint64_t n;
} binom_args;

static binom_args binom;

static double draw(kind k, rsim_rng *r, gsl_rng *g, uint64_t i)
{
    switch (k) {
    case K_U64:
        return (double)(rsim_rng_u64(r) >> 40);
    case K_UNIFORM:
        return rsim_rng_uniform(r);
    case K_GSL_GET:
        return (double)(gsl_rng_get(g) >> 20);
    case K_GSL_UNIFORM:
        return gsl_rng_uniform(g);
    case K_EXPONENTIAL:
        return rsim_rng_exponential(r, 1.0);
    case K_NORMAL:
        return rsim_rng_normal(r, 0.0, 1.0);
    case K_POISSON_10:
        return (double)rsim_rng_poisson(r, 10.0);
    case K_POISSON_1E10:
        return (double)rsim_rng_poisson(r, 1e10);
    case K_BINOMIAL:
        return (double)rsim_rng_binomial(r, binom.p, binom.n);
    case K_NEW_STREAM: {
        rsim_rng *s = rsim_rng_new(i, 0, "traffic/arrivals");
        double v = rsim_rng_uniform(s);
        rsim_rng_free(s);
        return v;
    }
    }
    return 0.0;
}

static const char *only; /* --only TEXT, or NULL for every line */

static void bench(const char *label, kind k, rsim_rng *r, gsl_rng *g, uint64_t draws)
{
    if (only != NULL && strstr(label, only) == NULL) {
        return;
    }
    double sum = 0.0;
    for (uint64_t i = 0; i < draws / 10; i++) {
        sum += draw(k, r, g, i);
    }
    double t0 = seconds_now();
    for (uint64_t i = 0; i < draws; i++) {
        sum += draw(k, r, g, i);
    }
    double dt = seconds_now() - t0;
    printf("%s\t%llu\t%.2f\t%.6g\n", label, (unsigned long long)draws, dt * 1e9 / (double)draws,
           sum);
}

int main(int argc, char **argv)
{
    uint64_t draws = 20000000;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 < argc && strcmp(argv[i], "--draws") == 0) {
            draws = strtoull(argv[i + 1], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--only") == 0) {
            only = argv[i + 1];
        } else {
            fprintf(stderr, "usage: bench_rng [--draws K] [--only TEXT]\n");
            return 2;
        }
    }
    if (draws == 0) {
        fprintf(stderr, "bench_rng: --draws: expected a positive count\n");
        return 2;
    }
    rsim_rng *r = rsim_rng_new(1, 0, "bench");
    printf("what\tcalls\tns_per_call\tchecksum\n");
    bench("rsim_rng_u64 (philox4x64-10)", K_U64, r, NULL, draws);
    bench("rsim_rng_uniform (philox4x64-10)", K_UNIFORM, r, NULL, draws);
    bench("gsl_rng_get (philox4x64-10 via gsl)", K_GSL_GET, r, rsim_rng_gsl(r), draws);
    bench("gsl_rng_uniform (philox4x64-10 via gsl)", K_GSL_UNIFORM, r, rsim_rng_gsl(r), draws);
    const gsl_rng_type *types[] = {gsl_rng_mt19937, gsl_rng_taus2, gsl_rng_ranlxd1,
                                   gsl_rng_ranlux389, gsl_rng_ranlxs2};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        gsl_rng *g = gsl_rng_alloc(types[i]);
        char label[96];
        snprintf(label, sizeof(label), "gsl_rng_get (%s)", gsl_rng_name(g));
        bench(label, K_GSL_GET, r, g, draws);
        snprintf(label, sizeof(label), "gsl_rng_uniform (%s)", gsl_rng_name(g));
        bench(label, K_GSL_UNIFORM, r, g, draws);
        gsl_rng_free(g);
    }
    bench("rsim_rng_exponential", K_EXPONENTIAL, r, NULL, draws);
    bench("rsim_rng_normal (ziggurat)", K_NORMAL, r, NULL, draws);
    bench("rsim_rng_poisson mean 10", K_POISSON_10, r, NULL, draws / 4);
    bench("rsim_rng_poisson mean 1e10", K_POISSON_1E10, r, NULL, draws / 100 + 1);
    /* Binomials as the traffic model and the per-pod counter tree draw them: both regimes of
     * the sampler (n p below and above 10), and the beta reduction beyond 2^30. */
    static const struct {
        const char *label;
        binom_args args;
        uint64_t per;
    } binoms[] = {
        {"rsim_rng_binomial n 700 p 0.5", {0.5, 700}, 4},
        {"rsim_rng_binomial n 100 p 0.05", {0.05, 100}, 4},
        {"rsim_rng_binomial n 20 p 0.5", {0.5, 20}, 4},
        {"rsim_rng_binomial n 1e6 p 0.3", {0.3, 1000000}, 4},
        {"rsim_rng_binomial n 1e10 p 0.01", {0.01, 10000000000u}, 100},
    };
    for (size_t i = 0; i < sizeof(binoms) / sizeof(binoms[0]); i++) {
        binom = binoms[i].args;
        bench(binoms[i].label, K_BINOMIAL, r, NULL, draws / binoms[i].per + 1);
    }
    bench("rsim_rng_new + 1 draw + free", K_NEW_STREAM, r, NULL, draws / 10 + 1);
    rsim_rng_free(r);
    return 0;
}
