/* bench_evq.c - the classic hold model on rsim_evq: N pending events; each hold operation pops
 * the earliest event, whose handler schedules one new event at now + an exponential increment.
 *
 * Increments have a mean of 1,000,000 ms, so ties on the millisecond are rare, as in the
 * continuous-time hold model of the literature. Two ways to draw them:
 *   predrawn  from a ring of 4096 increments drawn before timing (measures the queue alone)
 *   inline    one rsim_rng_exponential per hold operation (queue plus generator)
 * Per N: fill the queue with N events, warm up with max(N, ops/10) holds, then time ops holds
 * with clock_gettime(CLOCK_MONOTONIC), --repeat times on the same queue; the fastest repetition
 * is reported (the machine is shared: the minimum is the least disturbed figure). The timed loop is
 * the function hold_loop, so `valgrind --tool=callgrind --toggle-collect=hold_loop` counts only its
 * instructions.
 *
 * Usage: bench_evq [--ops K] [--sizes N1,N2,...] [--draw predrawn|inline|both] [--repeat R]
 *                  [--seed S]
 * Output: one tab-separated line per (N, draw), after a header line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

#define RING      4096
#define MEAN_INC  1.0e6
#define MAX_SIZES 16

typedef struct hold {
    const rsim_time *ring; /* RING predrawn increments */
    size_t next;
    rsim_rng *rng;
} hold;

static void hold_predrawn(rsim_evq *q, void *arg)
{
    hold *h = arg;
    rsim_time d = h->ring[h->next++ & (RING - 1)];
    rsim_evq_schedule(q, rsim_evq_now(q) + d, RSIM_PHASE_CLUSTER, hold_predrawn, arg);
}

static void hold_inline(rsim_evq *q, void *arg)
{
    hold *h = arg;
    rsim_time d = (rsim_time)rsim_rng_exponential(h->rng, MEAN_INC);
    rsim_evq_schedule(q, rsim_evq_now(q) + d, RSIM_PHASE_CLUSTER, hold_inline, arg);
}

/* The timed loop; kept out of line so callgrind can isolate it. */
__attribute__((noinline)) static void hold_loop(rsim_evq *q, uint64_t ops)
{
    for (uint64_t i = 0; i < ops; i++) {
        if (!rsim_evq_step(q)) {
            fprintf(stderr, "bench_evq: queue ran empty\n");
            exit(1);
        }
    }
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_one(size_t n, bool inline_draw, uint64_t ops, unsigned repeat, uint64_t seed)
{
    rsim_rng *rng = rsim_rng_new(seed, 0, "bench/hold");
    rsim_time ring[RING];
    for (size_t i = 0; i < RING; i++) {
        ring[i] = (rsim_time)rsim_rng_exponential(rng, MEAN_INC);
    }
    hold h = {ring, 0, rng};
    rsim_event_fn *fn = inline_draw ? hold_inline : hold_predrawn;
    rsim_evq *q = rsim_evq_new();
    for (size_t i = 0; i < n; i++) {
        rsim_evq_schedule(q, (rsim_time)rsim_rng_exponential(rng, MEAN_INC), RSIM_PHASE_CLUSTER, fn,
                          &h);
    }
    uint64_t warm = ops / 10 > n ? ops / 10 : n;
    hold_loop(q, warm);
    double dt = 0.0;
    for (unsigned r = 0; r < repeat; r++) {
        double t0 = seconds_now();
        hold_loop(q, ops);
        double t = seconds_now() - t0;
        dt = r == 0 || t < dt ? t : dt;
    }
    if (rsim_evq_count(q) != n) {
        fprintf(stderr, "bench_evq: queue size drifted to %zu\n", rsim_evq_count(q));
        exit(1);
    }
    printf("%zu\t%s\t%llu\t%.4f\t%.2f\t%.2f\n", n, inline_draw ? "inline" : "predrawn",
           (unsigned long long)ops, dt, (double)ops / dt / 1e6, dt * 1e9 / (double)ops);
    fflush(stdout);
    rsim_evq_free(q);
    rsim_rng_free(rng);
}

static unsigned long long parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end); /* accepts 1e6 */
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1e15) {
        fprintf(stderr, "bench_evq: %s: expected a count, got '%s'\n", what, s);
        exit(2);
    }
    return (unsigned long long)v;
}

int main(int argc, char **argv)
{
    uint64_t ops = 10000000;
    uint64_t seed = 1;
    unsigned repeat = 1;
    size_t sizes[MAX_SIZES] = {10, 1000, 100000, 1000000};
    size_t n_sizes = 4;
    bool predrawn = true, inline_draw = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            fprintf(stderr, "bench_evq: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--ops") == 0) {
            ops = parse_u64(v, "--ops");
        } else if (strcmp(a, "--repeat") == 0) {
            repeat = (unsigned)parse_u64(v, "--repeat");
            if (repeat == 0 || repeat > 1000) {
                fprintf(stderr, "bench_evq: --repeat: expected 1..1000\n");
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            seed = parse_u64(v, "--seed");
        } else if (strcmp(a, "--sizes") == 0) {
            char buf[256];
            snprintf(buf, sizeof(buf), "%s", v);
            n_sizes = 0;
            for (char *tok = strtok(buf, ","); tok != NULL && n_sizes < MAX_SIZES;
                 tok = strtok(NULL, ",")) {
                sizes[n_sizes] = (size_t)parse_u64(tok, "--sizes");
                if (sizes[n_sizes] == 0) {
                    fprintf(stderr, "bench_evq: --sizes: N must be > 0\n");
                    return 2;
                }
                n_sizes++;
            }
        } else if (strcmp(a, "--draw") == 0) {
            predrawn = strcmp(v, "predrawn") == 0 || strcmp(v, "both") == 0;
            inline_draw = strcmp(v, "inline") == 0 || strcmp(v, "both") == 0;
            if (!predrawn && !inline_draw) {
                fprintf(stderr, "bench_evq: --draw: expected predrawn, inline or both\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: bench_evq [--ops K] [--sizes N1,N2,...] "
                            "[--draw predrawn|inline|both] [--repeat R] [--seed S]\n");
            return 2;
        }
        i++;
    }
    printf("N\tdraw\tops\tseconds\tMops_per_s\tns_per_op\n");
    for (size_t i = 0; i < n_sizes; i++) {
        if (predrawn) {
            run_one(sizes[i], false, ops, repeat, seed);
        }
        if (inline_draw) {
            run_one(sizes[i], true, ops, repeat, seed);
        }
    }
    return 0;
}
