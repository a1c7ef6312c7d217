/* test_evq.c - the event queue's order and cancellation contracts.
 * Pinned: events run by (time, phase, insertion seq) whatever the insertion order; cancelled
 * events never run and a token names one event only (stale tokens are refused, also after
 * the slot is reused); events scheduled from inside an event at the same instant run next, in
 * (phase, seq) order, even in an earlier phase; run_until leaves later events pending and sets
 * now; count and next_time agree with a sorted-array reference over 100k random operations.
 * Not pinned: the heap layout, the compaction threshold, token values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evq.h"

/* A log of the ids of the events that ran. */
typedef struct run_log {
    int ids[4096];
    rsim_time times[4096];
    size_t n;
} run_log;

typedef struct ev {
    run_log *log;
    int id;
} ev;

static void record(rsim_evq *q, void *arg)
{
    ev *e = arg;
    assert_true(e->log->n < 4096);
    e->log->times[e->log->n] = rsim_evq_now(q);
    e->log->ids[e->log->n++] = e->id;
}

/* xorshift64*: the tests' own shuffle source, independent of rsim_rng. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Du;
}

static void test_evq_ties_fire_in_time_phase_seq_order(void **state)
{
    (void)state;
    /* 3 times x 8 phases x 4 copies; id encodes (time, phase, copy) so the expected order is
     * ascending id when copies of one (time, phase) are inserted in ascending copy order. */
    enum { N = 3 * RSIM_PHASE_COUNT * 4 };
    static ev evs[N];
    static run_log log;
    int order[N];
    for (int i = 0; i < N; i++) {
        order[i] = i;
    }
    uint64_t seed = 42;
    for (int i = N - 1; i > 0; i--) {
        int j = (int)(next_rand(&seed) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    /* insertion seq must follow the copy number within one (time, phase): sort each group's
     * copies so that lower copies are inserted first, keeping the shuffled group order */
    int next_copy[3 * RSIM_PHASE_COUNT] = {0};
    rsim_evq *q = rsim_evq_new();
    memset(&log, 0, sizeof(log));
    for (int k = 0; k < N; k++) {
        int group = order[k] / 4;
        int id = group * 4 + next_copy[group]++;
        evs[id] = (ev){&log, id};
        rsim_time t = RSIM_SEC(group / RSIM_PHASE_COUNT);
        rsim_phase ph = (rsim_phase)(group % RSIM_PHASE_COUNT);
        assert_int_not_equal(rsim_evq_schedule(q, t, ph, record, &evs[id]), 0);
    }
    assert_int_equal(rsim_evq_count(q), N);
    assert_int_equal(rsim_evq_run(q), N);
    assert_int_equal(log.n, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(log.ids[i], i);
        assert_int_equal(log.times[i], RSIM_SEC(i / 4 / RSIM_PHASE_COUNT));
    }
    assert_int_equal(rsim_evq_events_run(q), N);
    assert_int_equal(rsim_evq_count(q), 0);
    assert_int_equal(rsim_evq_next_time(q), RSIM_TIME_MAX);
    assert_false(rsim_evq_step(q));
    rsim_evq_free(q);
}

static void test_evq_cancel_never_runs_and_stale_tokens_refused(void **state)
{
    (void)state;
    static run_log log;
    memset(&log, 0, sizeof(log));
    ev a = {&log, 1}, b = {&log, 2}, c = {&log, 3};
    rsim_evq *q = rsim_evq_new();
    rsim_evq_token ta = rsim_evq_schedule(q, 10, RSIM_PHASE_CLUSTER, record, &a);
    rsim_evq_token tb = rsim_evq_schedule(q, 20, RSIM_PHASE_CLUSTER, record, &b);
    assert_true(rsim_evq_cancel(q, tb));
    assert_false(rsim_evq_cancel(q, tb)); /* already cancelled */
    assert_false(rsim_evq_cancel(q, 0));  /* 0 names nothing */
    assert_false(rsim_evq_cancel(q, ~(rsim_evq_token)0));
    assert_int_equal(rsim_evq_count(q), 1);
    assert_true(rsim_evq_step(q));
    assert_false(rsim_evq_cancel(q, ta)); /* already run */
    /* the freed slots are reused; the old tokens must not cancel the new events */
    rsim_evq_token tc = rsim_evq_schedule(q, 30, RSIM_PHASE_CLUSTER, record, &c);
    rsim_evq_token tc2 = rsim_evq_schedule(q, 31, RSIM_PHASE_CLUSTER, record, &c);
    assert_int_not_equal(tc, ta);
    assert_int_not_equal(tc, tb);
    assert_int_not_equal(tc2, ta);
    assert_int_not_equal(tc2, tb);
    assert_false(rsim_evq_cancel(q, ta));
    assert_false(rsim_evq_cancel(q, tb));
    assert_int_equal(rsim_evq_count(q), 2);
    assert_int_equal(rsim_evq_next_time(q), 30);
    assert_true(rsim_evq_cancel(q, tc)); /* cancelling the earliest moves next_time on */
    assert_int_equal(rsim_evq_next_time(q), 31);
    assert_int_equal(rsim_evq_run(q), 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ids[0], 1);
    assert_int_equal(log.ids[1], 3);
    assert_int_equal(log.times[1], 31);
    assert_int_equal(rsim_evq_events_run(q), 2);
    rsim_evq_free(q);
}

/* Scheduling from inside an event at the same instant. */
typedef struct nested {
    run_log *log;
    ev follow[3];
    rsim_evq_token cancel_me;
} nested;

static void spawn(rsim_evq *q, void *arg)
{
    nested *n = arg;
    n->log->times[n->log->n] = rsim_evq_now(q);
    n->log->ids[n->log->n++] = 100;
    rsim_time now = rsim_evq_now(q);
    /* the running event is not pending any more: same, doomed and later are */
    assert_int_equal(rsim_evq_count(q), 3);
    /* an earlier phase at the same instant still runs, and runs next */
    rsim_evq_schedule(q, now, RSIM_PHASE_OPERATOR, record, &n->follow[0]);
    rsim_evq_schedule(q, now, RSIM_PHASE_SAMPLE, record, &n->follow[1]);
    rsim_evq_schedule(q, now, RSIM_PHASE_OPERATOR, record, &n->follow[2]);
    assert_int_equal(rsim_evq_count(q), 6);
    assert_int_equal(rsim_evq_next_time(q), now);
    assert_true(rsim_evq_cancel(q, n->cancel_me));
    assert_int_equal(rsim_evq_count(q), 5);
}

static void test_evq_schedule_from_inside_event_same_instant(void **state)
{
    (void)state;
    static run_log log;
    memset(&log, 0, sizeof(log));
    nested n = {&log, {{&log, 1}, {&log, 2}, {&log, 3}}, 0};
    ev later = {&log, 9}, same = {&log, 8}, doomed = {&log, 7};
    rsim_evq *q = rsim_evq_new();
    rsim_evq_schedule(q, 500, RSIM_PHASE_RECONCILE, spawn, &n);
    rsim_evq_schedule(q, 500, RSIM_PHASE_SAMPLE, record, &same);
    n.cancel_me = rsim_evq_schedule(q, 600, RSIM_PHASE_CLUSTER, record, &doomed);
    rsim_evq_schedule(q, 700, RSIM_PHASE_CLUSTER, record, &later);
    /* a cancelled event is not counted */
    rsim_evq_cancel(q, rsim_evq_schedule(q, 800, RSIM_PHASE_CLUSTER, record, &later));
    assert_int_equal(rsim_evq_count(q), 4);
    assert_true(rsim_evq_step(q));
    assert_int_equal(rsim_evq_now(q), 500);
    assert_int_equal(rsim_evq_count(q), 5);
    assert_int_equal(rsim_evq_run(q), 5);
    /* spawn; then the two OPERATOR follow-ups (seq order); then SAMPLE events: the one
     * scheduled before spawn ran first, then the follow-up; then 700 */
    int want[] = {100, 1, 3, 8, 2, 9};
    rsim_time want_t[] = {500, 500, 500, 500, 500, 700};
    assert_int_equal(log.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(log.ids[i], want[i]);
        assert_int_equal(log.times[i], want_t[i]);
    }
    rsim_evq_free(q);
}

static void test_evq_run_until_leaves_later_events_and_sets_now(void **state)
{
    (void)state;
    static run_log log;
    memset(&log, 0, sizeof(log));
    ev e[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};
    rsim_evq *q = rsim_evq_new();
    rsim_evq_schedule(q, 100, RSIM_PHASE_SAMPLE, record, &e[0]);
    rsim_evq_schedule(q, 200, RSIM_PHASE_OPERATOR, record, &e[1]);
    rsim_evq_schedule(q, 200, RSIM_PHASE_SAMPLE, record, &e[2]);
    rsim_evq_schedule(q, 201, RSIM_PHASE_OPERATOR, record, &e[3]);
    assert_int_equal(rsim_evq_run_until(q, 150), 1);
    assert_int_equal(rsim_evq_now(q), 150);
    assert_int_equal(rsim_evq_run_until(q, 200), 2); /* time <= t, every phase */
    assert_int_equal(rsim_evq_now(q), 200);
    assert_int_equal(rsim_evq_count(q), 1);
    assert_int_equal(rsim_evq_next_time(q), 201);
    assert_int_equal(rsim_evq_run_until(q, 200), 0);
    /* after run_until, now is t, and scheduling at t is allowed */
    assert_int_equal(rsim_evq_run_until(q, 1000), 1);
    assert_int_equal(rsim_evq_now(q), 1000);
    rsim_evq_schedule(q, 1000, RSIM_PHASE_OPERATOR, record, &e[0]);
    assert_int_equal(rsim_evq_run(q), 1);
    assert_int_equal(log.n, 5);
    rsim_evq_free(q);
}

/* The randomized comparison: the reference is an unsorted array of the live events, searched
 * for the minimum (time, phase, seq). Events schedule follow-ups and cancel others from
 * inside handlers too, so the in-event paths are compared as well. */
typedef struct ref_ev {
    rsim_time time;
    int phase;
    uint64_t seq;
    rsim_evq_token token;
    bool live;
    size_t live_at; /* index in world.live while live */
} ref_ev;

typedef struct world {
    rsim_evq *q;
    ref_ev *evs; /* indexed by seq */
    size_t n_evs;
    size_t cap;
    uint64_t *live; /* seqs of the live events, unordered */
    size_t n_live;
    uint64_t rng;
    uint64_t ran_seq; /* set by the handler */
    size_t n_ran;
} world;

typedef struct ref_arg {
    world *w;
    uint64_t seq;
} ref_arg;

static ref_arg *args_pool;

static void ref_handler(rsim_evq *q, void *arg);

static void ref_kill(world *w, uint64_t seq)
{
    ref_ev *e = &w->evs[seq];
    e->live = false;
    uint64_t last = w->live[--w->n_live];
    w->live[e->live_at] = last;
    w->evs[last].live_at = e->live_at;
}

static void ref_schedule(world *w, rsim_time at)
{
    assert_true(w->n_evs < w->cap);
    int phase = (int)(next_rand(&w->rng) % RSIM_PHASE_COUNT);
    uint64_t seq = w->n_evs++;
    args_pool[seq] = (ref_arg){w, seq};
    rsim_evq_token t = rsim_evq_schedule(w->q, at, (rsim_phase)phase, ref_handler, &args_pool[seq]);
    w->evs[seq] = (ref_ev){at, phase, seq, t, true, w->n_live};
    w->live[w->n_live++] = seq;
}

static void ref_cancel_random(world *w)
{
    if (w->n_evs == 0) {
        return;
    }
    uint64_t s = next_rand(&w->rng) % w->n_evs;
    bool expect = w->evs[s].live;
    assert_int_equal(rsim_evq_cancel(w->q, w->evs[s].token), expect);
    if (expect) {
        ref_kill(w, s);
    }
}

static ptrdiff_t ref_min(const world *w)
{
    ptrdiff_t best = -1;
    for (size_t i = 0; i < w->n_live; i++) {
        const ref_ev *e = &w->evs[w->live[i]];
        const ref_ev *b = best < 0 ? NULL : &w->evs[best];
        if (b == NULL || e->time < b->time ||
            (e->time == b->time &&
             (e->phase < b->phase || (e->phase == b->phase && e->seq < b->seq)))) {
            best = (ptrdiff_t)e->seq;
        }
    }
    return best;
}

static size_t ref_count(const world *w)
{
    return w->n_live;
}

static void ref_handler(rsim_evq *q, void *arg)
{
    ref_arg *a = arg;
    world *w = a->w;
    assert_true(w->evs[a->seq].live);
    assert_int_equal(rsim_evq_now(q), w->evs[a->seq].time);
    ref_kill(w, a->seq);
    w->ran_seq = a->seq;
    w->n_ran++;
    uint64_t r = next_rand(&w->rng) % 8;
    if (r < 3) {
        ref_schedule(w, rsim_evq_now(q) + (rsim_time)(next_rand(&w->rng) % 50));
    }
    if (r == 3) {
        ref_cancel_random(w);
    }
    if (r == 4) {
        ref_schedule(w, rsim_evq_now(q)); /* same instant, any phase */
    }
}

static void test_evq_matches_sorted_reference_100k_ops(void **state)
{
    (void)state;
    enum { OPS = 100000 };
    world w = {0};
    w.cap = 3 * OPS;
    w.evs = calloc(w.cap, sizeof(*w.evs));
    w.live = calloc(w.cap, sizeof(*w.live));
    assert_non_null(w.live);
    args_pool = calloc(w.cap, sizeof(*args_pool));
    assert_non_null(w.evs);
    assert_non_null(args_pool);
    w.q = rsim_evq_new();
    w.rng = 0x9E3779B97F4A7C15u;
    /* The reference minimum is a linear scan, so the live set is kept below about 400; bursts
     * that cancel most live events make dead entries the majority (compaction). */
    for (int op = 0; op < OPS; op++) {
        uint64_t r = next_rand(&w.rng) % 100;
        size_t live = ref_count(&w);
        if (r < 55 && live < 400) {
            ref_schedule(&w, rsim_evq_now(w.q) + (rsim_time)(next_rand(&w.rng) % 1000));
        } else if (r < 65) {
            ref_cancel_random(&w);
        } else if (r < 66) {
            for (size_t i = w.n_live; i-- > 0;) { /* a burst: dead entries dominate */
                if (next_rand(&w.rng) % 5 != 0) {
                    uint64_t seq = w.live[i];
                    assert_true(rsim_evq_cancel(w.q, w.evs[seq].token));
                    ref_kill(&w, seq);
                }
            }
        } else if (r < 68) {
            rsim_time t = rsim_evq_now(w.q) + (rsim_time)(next_rand(&w.rng) % 200);
            size_t before = w.n_ran;
            size_t n = rsim_evq_run_until(w.q, t);
            assert_int_equal(n, w.n_ran - before);
            assert_int_equal(rsim_evq_now(w.q), t);
            ptrdiff_t m = ref_min(&w);
            assert_true(m < 0 || w.evs[m].time > t);
        } else {
            ptrdiff_t m = ref_min(&w);
            assert_int_equal(rsim_evq_next_time(w.q), m < 0 ? RSIM_TIME_MAX : w.evs[m].time);
            bool ran = rsim_evq_step(w.q);
            assert_int_equal(ran, m >= 0);
            if (ran) {
                assert_int_equal(w.ran_seq, (uint64_t)m);
            }
        }
        assert_int_equal(rsim_evq_count(w.q), ref_count(&w));
    }
    assert_int_equal(rsim_evq_events_run(w.q), w.n_ran);
    rsim_evq_free(w.q);
    free(w.evs);
    free(w.live);
    free(args_pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evq_ties_fire_in_time_phase_seq_order),
        cmocka_unit_test(test_evq_cancel_never_runs_and_stale_tokens_refused),
        cmocka_unit_test(test_evq_schedule_from_inside_event_same_instant),
        cmocka_unit_test(test_evq_run_until_leaves_later_events_and_sets_now),
        cmocka_unit_test(test_evq_matches_sorted_reference_100k_ops),
    };
    return cmocka_run_group_tests_name("evq", tests, NULL, NULL);
}
