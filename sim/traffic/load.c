/* load.c - integrals of the load profile: expected requests over an interval.
 * Arrival counts are Poisson with this mean, so the integral, not a sample of the rate, is what
 * must be exact (docs/modules/traffic.md §Load). */
#include <math.h>

#include "traffic_int.h"

static double secs(rsim_time a, rsim_time b)
{
    return (double)(b - a) / 1000.0;
}

/* Steps: 0 before the first point, then points[i].rps from points[i].at. */
static double integral_steps(const rsim_spec_load *l, rsim_time a, rsim_time b)
{
    double sum = 0.0;
    for (size_t i = 0; i < l->n_points; i++) {
        rsim_time lo = l->points[i].at;
        rsim_time hi = i + 1 < l->n_points ? l->points[i + 1].at : RSIM_TIME_MAX;
        rsim_time x = lo > a ? lo : a;
        rsim_time y = hi < b ? hi : b;
        if (y > x) {
            sum += l->points[i].rps * secs(x, y);
        }
    }
    return sum;
}

static double integral_spikes(const rsim_spec_load *l, rsim_time a, rsim_time b)
{
    double sum = l->rps * secs(a, b);
    for (size_t i = 0; i < l->n_points; i++) {
        const rsim_spec_load_point *p = &l->points[i];
        rsim_time x = p->at > a ? p->at : a;
        rsim_time end = p->duration > RSIM_TIME_MAX - p->at ? RSIM_TIME_MAX : p->at + p->duration;
        rsim_time y = end < b ? end : b;
        if (y > x) {
            sum += l->rps * (p->factor - 1.0) * secs(x, y);
        }
    }
    return sum;
}

/* The table's rate at t (held before the first and after the last point). */
static double table_rate(const rsim_spec_load *l, size_t i, rsim_time t)
{
    const rsim_spec_load_point *p = &l->points[i];
    if (!l->interpolate || i + 1 >= l->n_points) {
        return p->rps;
    }
    const rsim_spec_load_point *q = &l->points[i + 1];
    double f = (double)(t - p->at) / (double)(q->at - p->at);
    return p->rps + (q->rps - p->rps) * f;
}

static double integral_table(const rsim_spec_load *l, rsim_time a, rsim_time b)
{
    if (l->n_points == 0) {
        return 0.0;
    }
    double sum = 0.0;
    if (a < l->points[0].at) {
        rsim_time y = b < l->points[0].at ? b : l->points[0].at;
        sum += l->points[0].rps * secs(a, y);
    }
    for (size_t i = 0; i < l->n_points; i++) {
        rsim_time lo = l->points[i].at;
        rsim_time hi = i + 1 < l->n_points ? l->points[i + 1].at : RSIM_TIME_MAX;
        rsim_time x = lo > a ? lo : a;
        rsim_time y = hi < b ? hi : b;
        if (y > x) {
            /* Linear inside a segment: the trapezoid is exact. */
            sum += 0.5 * (table_rate(l, i, x) + table_rate(l, i, y)) * secs(x, y);
        }
    }
    return sum;
}

static double integral_diurnal(const rsim_spec_load *l, rsim_time a, rsim_time b)
{
    const double two_pi = 6.283185307179586;
    double period = (double)l->period / 1000.0;
    double w = two_pi / period;
    double pa = fmod((double)(a - l->peak_at) / 1000.0, period);
    double pb = pa + secs(a, b);
    return l->rps * (secs(a, b) + l->amplitude * (sin(w * pb) - sin(w * pa)) / w);
}

double rsim_traffic_load_integral(const rsim_spec_load *l, rsim_time a, rsim_time b)
{
    if (b <= a) {
        return 0.0;
    }
    double v = 0.0;
    switch (l->kind) {
    case RSIM_LOAD_CONSTANT:
        v = l->rps * secs(a, b);
        break;
    case RSIM_LOAD_STEPS:
        v = integral_steps(l, a, b);
        break;
    case RSIM_LOAD_DIURNAL:
        v = integral_diurnal(l, a, b);
        break;
    case RSIM_LOAD_SPIKES:
        v = integral_spikes(l, a, b);
        break;
    case RSIM_LOAD_TABLE:
        v = integral_table(l, a, b);
        break;
    }
    return v > 0.0 ? v : 0.0;
}
