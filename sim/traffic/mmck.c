/* mmck.c - the stationary M/M/c/K queue that models one pod's capacity
 * (world-defaults.md §6): pi_n proportional to a^n/n! for n <= c and pi_c (a/c)^(n-c) above,
 * a = lambda S. Gives the blocking probability pi_K (503s) and, by Little's law, the mean
 * sojourn W = L / (lambda (1 - pi_K)) of admitted requests, returned as W / S. */
#include <math.h>

#include "traffic_int.h"

rsim_traffic_mmck rsim_traffic_mmck_eval(double lambda, int64_t c, double s_ms, int64_t queue)
{
    rsim_traffic_mmck out = {0.0, 1.0};
    if (!(lambda > 0.0) || c < 1 || !(s_ms > 0.0)) {
        return out;
    }
    double s = s_ms / 1000.0;
    double a = lambda * s;
    int64_t k = c + (queue > 0 ? queue : 0);
    /* Unnormalised terms, rescaled whenever they grow large, so any load stays finite. */
    double term = 1.0;
    double sum = 1.0;
    double mean = 0.0;
    for (int64_t n = 1; n <= k; n++) {
        term *= a / (double)(n <= c ? n : c);
        sum += term;
        mean += (double)n * term;
        if (term > 1e200) {
            term *= 1e-200;
            sum *= 1e-200;
            mean *= 1e-200;
        }
    }
    out.block = term / sum;
    double l = mean / sum;
    double admitted = lambda * (1.0 - out.block);
    if (admitted > 0.0) {
        out.wait = (l / admitted) / s;
    }
    if (out.wait < 1.0) {
        out.wait = 1.0; /* rounding only: a sojourn is at least the service time */
    }
    return out;
}
