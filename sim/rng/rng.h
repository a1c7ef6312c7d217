/* rng.h - named random streams: (seed, replication, name) -> an independent stream.
 * The generator is Philox4x64-10 (Random123), a counter-based generator: a stream is a key and a
 * counter, so streams never overlap and a draw on one stream never shifts another. Two runs
 * that differ only in strategy meet the same traffic and faults when they draw them from the
 * same stream names (common random numbers). The choice and its measurements:
 * docs/randomness.md.
 * Ownership: an rsim_rng owns its state; the name passed to rsim_rng_new is borrowed (not kept).
 * Invalid parameters (negative means, p outside [0,1], n == 0 for uniform_int, ...) are bugs
 * and rsim_panic. */
#ifndef RSIM_RNG_H
#define RSIM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct rsim_rng rsim_rng;

/* A new stream. Equal (seed, replication, name) give equal sequences; any difference gives an
 * unrelated one. name is a UTF-8 string such as "traffic/arrivals" (borrowed). */
rsim_rng *rsim_rng_new(uint64_t seed, uint64_t replication, const char *name);
/* NULL is a no-op. */
void rsim_rng_free(rsim_rng *r);

/* 64 uniformly random bits. */
uint64_t rsim_rng_u64(rsim_rng *r);
/* Uniform on [0,1), a multiple of 2^-53. */
double rsim_rng_uniform(rsim_rng *r);
/* Uniform on (0,1): an odd multiple of 2^-53, never 0 or 1. */
double rsim_rng_uniform_pos(rsim_rng *r);
/* Uniform on [0,n), exactly unbiased (Lemire's multiply-and-reject). n must be > 0. */
uint64_t rsim_rng_uniform_int(rsim_rng *r, uint64_t n);

/* The stream as a gsl_rng, for gsl_ran_* (borrowed: valid until rsim_rng_free; never pass it to
 * gsl_rng_free). Draws through it advance the same stream as the functions here; gsl_rng_get
 * returns 64 bits (gsl_rng_max is 2^64-1). */
gsl_rng *rsim_rng_gsl(rsim_rng *r);

/* Poisson(mean), exact for any mean in [0, 1e18]; no normal approximation. */
uint64_t rsim_rng_poisson(rsim_rng *r, double mean);
/* Binomial(n, p): the number of successes in n trials of probability p in [0,1]; exact for any
 * n (inversion below n p = 10, Hoermann's BTRS above; beyond 2^30 by order-statistic
 * splitting, no normal approximation). Never more than n. */
uint64_t rsim_rng_binomial(rsim_rng *r, double p, uint64_t n);
/* Multinomial: splits n into k categories with weights p[0..k-1] (>= 0, finite, not all 0;
 * need not sum to 1) and writes the counts to out[0..k-1], which sum to n. Exact for any n. */
void rsim_rng_multinomial(rsim_rng *r, size_t k, uint64_t n, const double *p, uint64_t *out);
/* Exponential with the given mean (> 0). */
double rsim_rng_exponential(rsim_rng *r, double mean);
/* exp(Normal(mu, sigma)); sigma >= 0. */
double rsim_rng_lognormal(rsim_rng *r, double mu, double sigma);
/* Normal(mean, sd); sd >= 0. */
double rsim_rng_normal(rsim_rng *r, double mean, double sd);

#endif
