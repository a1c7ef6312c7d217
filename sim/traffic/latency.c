/* latency.c - CDF and partial expectation of a version's (scaled) latency distribution.
 * Bucket probabilities come from the CDF, the histogram's _sum from the partial expectation
 * (E[L; a < L <= b] per bucket), so histogram counts are drawn exactly and the sum has the
 * exact conditional mean (docs/modules/traffic.md §Latency). */
#include <math.h>

#include "traffic_int.h"

/* Standard normal CDF. */
static double phi(double z)
{
    return 0.5 * erfc(-z / 1.4142135623730951);
}

/* For the unscaled X: P(X <= x) and E[X; X <= x]. */
static void base_cdf(const rsim_spec_dist *d, double x, double *cdf, double *pm)
{
    *cdf = 0.0;
    *pm = 0.0;
    switch (d->kind) {
    case RSIM_DIST_FIXED:
        if ((double)d->value <= x) {
            *cdf = 1.0;
            *pm = (double)d->value;
        }
        break;
    case RSIM_DIST_UNIFORM: {
        double lo = (double)d->min;
        double hi = (double)d->max;
        if (x >= hi) {
            *cdf = 1.0;
            *pm = 0.5 * (lo + hi);
        } else if (x > lo) {
            *cdf = (x - lo) / (hi - lo);
            *pm = *cdf * 0.5 * (lo + x);
        }
        break;
    }
    case RSIM_DIST_LOGNORMAL: {
        double mu = log((double)d->median);
        double s = d->sigma;
        if (isinf(x)) {
            *cdf = 1.0;
            *pm = exp(mu + 0.5 * s * s);
        } else if (x > 0.0) {
            double z = (log(x) - mu) / s;
            *cdf = phi(z);
            *pm = exp(mu + 0.5 * s * s) * phi(z - s);
        }
        break;
    }
    case RSIM_DIST_EMPIRICAL: {
        size_t k = 0;
        double sum = 0.0;
        for (size_t i = 0; i < d->n_samples && (double)d->samples[i] <= x; i++) {
            k++;
            sum += (double)d->samples[i];
        }
        if (d->n_samples > 0) {
            *cdf = (double)k / (double)d->n_samples;
            *pm = sum / (double)d->n_samples;
        }
        break;
    }
    }
}

double rsim_traffic_lat_cdf(const rsim_traffic_lat *l, double x)
{
    double cdf = 0.0;
    double pm = 0.0;
    if (!(l->scale > 0.0)) {
        return l->add_ms <= x ? 1.0 : 0.0;
    }
    base_cdf(l->dist, (x - l->add_ms) / l->scale, &cdf, &pm);
    return cdf;
}

double rsim_traffic_lat_partial_mean(const rsim_traffic_lat *l, double x)
{
    double cdf = 0.0;
    double pm = 0.0;
    if (!(l->scale > 0.0)) {
        return l->add_ms <= x ? l->add_ms : 0.0;
    }
    base_cdf(l->dist, (x - l->add_ms) / l->scale, &cdf, &pm);
    return l->scale * pm + l->add_ms * cdf;
}
