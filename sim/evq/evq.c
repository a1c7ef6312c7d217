/* evq.c - the event queue: a 4-ary implicit min-heap of small fixed-size entries.
 *
 * A heap entry is 16 bytes: time, phase, insertion seq and the index of a slot, packed into one
 * 128-bit integer so that the order is one comparison (layout below). Slots hold the payload (fn,
 * arg) and a generation counter; a token is (generation << 32 | slot), so a stale token never
 * matches a reused slot. Cancelling clears the slot's fn (lazy deletion, O(1)); the dead heap entry
 * is dropped when it reaches the root, or all at once (filter + Floyd heapify) when dead entries
 * outnumber live ones.
 *
 * Invariant outside a running event: the root, if any, is live. While an event runs, its entry
 * stays at the root as a "hole": the first schedule from inside the event replaces the root and
 * sifts down once (a pop and a push for the price of one sift), and if nothing is scheduled the
 * root is popped after the event returns. docs/modules/evq.md has the rest. */
#include "evq.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SEQ_BITS     45 /* insertion sequence numbers per queue: 3.5e13 events */
#define TIME_BITS    47 /* times in [0, 2^47) ms, about 4,460 years */
#define NO_SLOT      UINT32_MAX
#define ARITY        4
#define PAD          3    /* unused entries before the root, so that sibling groups share a line */
#define PREFETCH_MIN 4096 /* heaps this large prefetch grandchildren while sifting */
#define COMPACT_AT   64   /* dead entries tolerated before the dead-majority compaction */

/* A heap entry is one 128-bit unsigned integer, compared with a single <:
 *   bits 127..80  time (48 bits, of which TIME_BITS used)
 *   bits  79..77  phase
 *   bits  76..32  insertion seq
 *   bits  31..0   slot index (payload); never decides the order, as seq is unique */
__extension__ typedef unsigned __int128 entry;

static inline entry make_entry(rsim_time at, rsim_phase phase, uint64_t seq, uint32_t slot)
{
    uint64_t hi = (uint64_t)at << 16 | (uint64_t)phase << 13 | seq >> 32;
    uint64_t lo = (seq & 0xffffffffu) << 32 | slot;
    return (entry)hi << 64 | lo;
}

static inline rsim_time entry_time(entry e)
{
    return (rsim_time)(uint64_t)(e >> 80);
}

static inline uint32_t entry_slot(entry e)
{
    return (uint32_t)e;
}
typedef struct slot {
    rsim_event_fn *fn; /* NULL: free, or pending but cancelled */
    void *arg;         /* borrowed */
    uint32_t gen;      /* bumped when the slot is freed; never 0 */
    uint32_t next;     /* free-list link */
    uint64_t unused;   /* pads to 32 bytes: a slot never straddles two cache lines */
} slot;

struct rsim_evq {
    entry *heap;   /* root at heap[0]; the allocation starts PAD entries earlier */
    size_t n_heap; /* entries in heap, live and dead (and the hole while an event runs) */
    size_t cap_heap;
    slot *slots;
    uint32_t n_slots;
    uint32_t cap_slots;
    uint32_t free_head;
    size_t n_dead; /* cancelled entries still in the heap */
    uint64_t seq;
    rsim_time now;
    uint64_t events_run;
    bool running; /* an event is being run */
    bool hole;    /* heap[0] is the running event's entry, to be replaced or popped */
};

/* Places e at position i or above, moving larger parents down. */
static inline void sift_up(entry *h, size_t i, entry e)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!(e < h[p])) {
            break;
        }
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* The least of the children c..c+3 (all present): its index in *m, its value returned.
 * The two first comparisons feed index arithmetic, not branches: their outcomes are
 * unpredictable. (Measured: this beat selecting 128-bit values with ?: or masks.) */
static inline entry min4(const entry *h, size_t c, size_t *m)
{
    size_t m1 = c + (size_t)(h[c + 1] < h[c]);
    size_t m2 = c + 2 + (size_t)(h[c + 3] < h[c + 2]);
    *m = h[m2] < h[m1] ? m2 : m1;
    return h[*m];
}

/* In large heaps, the grandchildren of i (four sibling groups, four cache lines) are fetched
 * while the children of i are compared, which hides most of the memory latency per level.
 * Forced inline: a call to an out-of-line function that only prefetches is deleted by GCC as
 * having no effect. */
__attribute__((always_inline)) static inline void
prefetch_grandchildren(const entry *h, size_t n, size_t i, bool large)
{
    size_t g = ARITY * (ARITY * i + 1) + 1;
    if (large && g + 3 * ARITY < n) {
        __builtin_prefetch(&h[g]);
        __builtin_prefetch(&h[g + ARITY]);
        __builtin_prefetch(&h[g + 2 * ARITY]);
        __builtin_prefetch(&h[g + 3 * ARITY]);
    }
}

/* The number of nodes with all four children in a heap of n entries: nodes i < full_nodes(n). */
static inline size_t full_nodes(size_t n)
{
    return n >= ARITY + 1 ? (n - ARITY - 1) / ARITY + 1 : 0;
}

/* The least child of a node whose children c..n-1 (fewer than four) are all leaves. */
static inline size_t min_partial(const entry *h, size_t c, size_t n)
{
    size_t m = c;
    for (size_t k = c + 1; k < n; k++) {
        m = h[k] < h[m] ? k : m;
    }
    return m;
}

/* Places e at position i or below in a heap of n entries (i is a hole), top-down: stops as
 * soon as e is not above the least child. Used for a new event, which often belongs near the
 * top in a simulation (events at the current instant). */
__attribute__((always_inline)) static inline void
sift_down_body(entry *h, size_t n, size_t i, entry e, bool large)
{
    const size_t full = full_nodes(n);
    while (i < full) {
        prefetch_grandchildren(h, n, i, large);
        size_t m;
        entry v = min4(h, ARITY * i + 1, &m);
        if (!(v < e)) {
            h[i] = e;
            return;
        }
        h[i] = v;
        i = m;
    }
    size_t c = ARITY * i + 1;
    if (c < n) {
        size_t m = min_partial(h, c, n);
        if (h[m] < e) {
            h[i] = h[m];
            i = m;
        }
    }
    h[i] = e;
}

/* The same placement bottom-up (Floyd, Wegener): the hole sinks to a leaf along the least
 * children without comparing with e, then e rises. Used when the last entry refills the root
 * after a pop, as that entry nearly always belongs near the bottom. */
__attribute__((always_inline)) static inline void
sift_down_bottom_up_body(entry *h, size_t n, size_t i, entry e, bool large)
{
    const size_t start = i;
    const size_t full = full_nodes(n);
    while (i < full) {
        prefetch_grandchildren(h, n, i, large);
        size_t m;
        h[i] = min4(h, ARITY * i + 1, &m);
        i = m;
    }
    size_t c = ARITY * i + 1;
    if (c < n) {
        size_t m = min_partial(h, c, n);
        h[i] = h[m];
        i = m;
    }
    while (i > start) {
        size_t p = (i - 1) / ARITY;
        if (!(e < h[p])) {
            break;
        }
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* The size test is made once per sift, not once per level. */
static inline void sift_down(entry *h, size_t n, size_t i, entry e)
{
    if (n >= PREFETCH_MIN) {
        sift_down_body(h, n, i, e, true);
    } else {
        sift_down_body(h, n, i, e, false);
    }
}

static inline void sift_down_bottom_up(entry *h, size_t n, size_t i, entry e)
{
    if (n >= PREFETCH_MIN) {
        sift_down_bottom_up_body(h, n, i, e, true);
    } else {
        sift_down_bottom_up_body(h, n, i, e, false);
    }
}

static void pop_root(rsim_evq *q)
{
    q->n_heap--;
    if (q->n_heap > 0) {
        sift_down_bottom_up(q->heap, q->n_heap, 0, q->heap[q->n_heap]);
    }
}

/* Moves the first used bytes of old (NULL: none) into a new 64-byte aligned block of at least
 * bytes bytes, frees old, and returns the block; aborts on out-of-memory like rsim_xmalloc. */
static void *grow_aligned(void *old, size_t used, size_t bytes)
{
    size_t rounded = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, rounded);
    if (p == NULL) {
        rsim_panic("out of memory allocating %zu bytes", rounded);
    }
    if (old != NULL) {
        memcpy(p, old, used);
        free(old);
    }
    return p;
}

static void free_slot(rsim_evq *q, uint32_t s)
{
    slot *sl = &q->slots[s];
    sl->fn = NULL;
    sl->arg = NULL;
    sl->gen++;
    if (sl->gen == 0) {
        sl->gen = 1;
    }
    sl->next = q->free_head;
    q->free_head = s;
}

static uint32_t alloc_slot(rsim_evq *q)
{
    if (q->free_head != NO_SLOT) {
        uint32_t s = q->free_head;
        q->free_head = q->slots[s].next;
        return s;
    }
    if (q->n_slots == q->cap_slots) {
        if (q->cap_slots >= NO_SLOT / 2) {
            rsim_panic("event queue: more than %u pending events", (unsigned)(NO_SLOT / 2));
        }
        q->cap_slots = q->cap_slots ? 2 * q->cap_slots : 64;
        q->slots = grow_aligned(q->slots, (size_t)q->n_slots * sizeof(slot),
                                (size_t)q->cap_slots * sizeof(slot));
    }
    uint32_t s = q->n_slots++;
    q->slots[s].gen = 1;
    return s;
}

/* Pops dead entries off the root until the root is live or the heap is empty. */
static void drop_dead_roots(rsim_evq *q)
{
    while (q->n_heap > 0 && q->slots[entry_slot(q->heap[0])].fn == NULL) {
        free_slot(q, entry_slot(q->heap[0]));
        q->n_dead--;
        pop_root(q);
    }
}

/* Resolves the running event's hole (if any) and restores the live-root invariant. */
static void settle(rsim_evq *q)
{
    if (q->hole) {
        q->hole = false;
        pop_root(q);
    }
    drop_dead_roots(q);
}

/* Drops every dead entry and rebuilds the heap bottom-up (Floyd), O(n). */
static void compact(rsim_evq *q)
{
    settle(q);
    size_t j = 0;
    for (size_t i = 0; i < q->n_heap; i++) {
        if (q->slots[entry_slot(q->heap[i])].fn != NULL) {
            q->heap[j++] = q->heap[i];
        } else {
            free_slot(q, entry_slot(q->heap[i]));
        }
    }
    q->n_heap = j;
    q->n_dead = 0;
    if (j > 1) {
        for (size_t i = (j - 2) / ARITY + 1; i-- > 0;) {
            sift_down(q->heap, j, i, q->heap[i]);
        }
    }
}

rsim_evq *rsim_evq_new(void)
{
    rsim_evq *q = rsim_xcalloc(1, sizeof(*q));
    q->free_head = NO_SLOT;
    return q;
}

/* Grows the heap array, keeping sibling groups aligned to 64-byte cache lines: the root sits
 * at index PAD of a 64-byte aligned block, so children 4i+1..4i+4 start on a line boundary. */
static void grow_heap(rsim_evq *q)
{
    size_t cap = q->cap_heap ? 2 * q->cap_heap : 64 - PAD;
    entry *base = grow_aligned(q->heap != NULL ? q->heap - PAD : NULL,
                               (q->n_heap + PAD) * sizeof(entry), (cap + PAD) * sizeof(entry));
    q->heap = base + PAD;
    q->cap_heap = cap;
}

void rsim_evq_free(rsim_evq *q)
{
    if (q == NULL) {
        return;
    }
    if (q->heap != NULL) {
        free(q->heap - PAD);
    }
    free(q->slots);
    free(q);
}

rsim_time rsim_evq_now(const rsim_evq *q)
{
    return q->now;
}

_Noreturn static void
bad_schedule(const rsim_evq *q, rsim_time at, rsim_phase phase, rsim_event_fn *fn)
{
    if (at < q->now) {
        rsim_panic("event queue: scheduling at %lld ms, before now (%lld ms)", (long long)at,
                   (long long)q->now);
    }
    if (at >= ((rsim_time)1 << TIME_BITS)) {
        rsim_panic("event queue: time %lld ms is beyond the horizon of 2^%d ms", (long long)at,
                   TIME_BITS);
    }
    if (q->seq >> SEQ_BITS != 0) {
        rsim_panic("event queue: more than 2^%d events scheduled", SEQ_BITS);
    }
    rsim_panic("event queue: invalid phase %d or %s handler", (int)phase,
               fn == NULL ? "NULL" : "valid");
}

rsim_evq_token
rsim_evq_schedule(rsim_evq *q, rsim_time at, rsim_phase phase, rsim_event_fn *fn, void *arg)
{
    /* one test on the fast path: at - now in [0, 2^47 - now) and phase < 8 fold into one
     * unsigned comparison each; the details are sorted out on the slow path */
    if (__builtin_expect((uint64_t)at - (uint64_t)q->now >=
                                 ((uint64_t)1 << TIME_BITS) - (uint64_t)q->now ||
                             (unsigned)phase >= (unsigned)RSIM_PHASE_COUNT || fn == NULL ||
                             q->seq >> SEQ_BITS != 0,
                         0)) {
        bad_schedule(q, at, phase, fn);
    }
    uint32_t s = alloc_slot(q);
    q->slots[s].fn = fn;
    q->slots[s].arg = arg;
    entry e = make_entry(at, phase, q->seq++, s);
    if (q->hole) {
        q->hole = false;
        sift_down(q->heap, q->n_heap, 0, e);
    } else {
        if (q->n_heap == q->cap_heap) {
            grow_heap(q);
        }
        sift_up(q->heap, q->n_heap++, e);
    }
    return (uint64_t)q->slots[s].gen << 32 | s;
}

bool rsim_evq_cancel(rsim_evq *q, rsim_evq_token t)
{
    uint32_t s = (uint32_t)(t & 0xffffffffu);
    uint32_t gen = (uint32_t)(t >> 32);
    if (gen == 0 || s >= q->n_slots) {
        return false;
    }
    slot *sl = &q->slots[s];
    if (sl->gen != gen || sl->fn == NULL) {
        return false;
    }
    sl->fn = NULL;
    sl->arg = NULL;
    q->n_dead++;
    if (!q->hole && entry_slot(q->heap[0]) == s) {
        drop_dead_roots(q);
    } else if (q->n_dead > COMPACT_AT && 2 * q->n_dead > q->n_heap) {
        compact(q);
    }
    return true;
}

/* Runs the root event. The heap must be non-empty with a live root and no event running. */
static inline void run_root(rsim_evq *q)
{
    entry top = q->heap[0];
    uint32_t s = entry_slot(top);
    rsim_event_fn *fn = q->slots[s].fn;
    void *arg = q->slots[s].arg;
    q->now = entry_time(top);
    free_slot(q, s);
    q->events_run++;
    q->hole = true;
    q->running = true;
    fn(q, arg);
    q->running = false;
    if (q->hole) {
        q->hole = false;
        pop_root(q);
    }
    if (q->n_dead > 0) {
        drop_dead_roots(q);
    }
    if (q->n_heap > 0) {
        /* the next event's payload is a likely cache miss in a large queue: start it now */
        __builtin_prefetch(&q->slots[entry_slot(q->heap[0])]);
    }
}

static void check_not_running(const rsim_evq *q, const char *what)
{
    if (q->running) {
        rsim_panic("event queue: %s called from inside an event", what);
    }
}

bool rsim_evq_step(rsim_evq *q)
{
    check_not_running(q, "rsim_evq_step");
    if (q->n_heap == 0) {
        return false;
    }
    run_root(q);
    return true;
}

size_t rsim_evq_run_until(rsim_evq *q, rsim_time t)
{
    check_not_running(q, "rsim_evq_run_until");
    if (t < q->now) {
        rsim_panic("event queue: run_until(%lld ms) is before now (%lld ms)", (long long)t,
                   (long long)q->now);
    }
    size_t n = 0;
    while (q->n_heap > 0 && entry_time(q->heap[0]) <= t) {
        run_root(q);
        n++;
    }
    q->now = t;
    return n;
}

size_t rsim_evq_run(rsim_evq *q)
{
    check_not_running(q, "rsim_evq_run");
    size_t n = 0;
    while (q->n_heap > 0) {
        run_root(q);
        n++;
    }
    return n;
}

size_t rsim_evq_count(const rsim_evq *q)
{
    return q->n_heap - q->n_dead - (q->hole ? 1u : 0u);
}

/* The least live entry in the subtree at i, pruned by *best; the hole at the root is skipped. */
static void min_live(const rsim_evq *q, size_t i, const entry **best)
{
    const entry *e = &q->heap[i];
    if (*best != NULL && !(*e < **best)) {
        return; /* nothing below e is smaller than e */
    }
    if ((i > 0 || !q->hole) && q->slots[entry_slot(*e)].fn != NULL) {
        *best = e;
        return;
    }
    for (size_t c = ARITY * i + 1; c <= ARITY * i + ARITY && c < q->n_heap; c++) {
        min_live(q, c, best);
    }
}

rsim_time rsim_evq_next_time(const rsim_evq *q)
{
    if (q->n_heap == 0) {
        return RSIM_TIME_MAX;
    }
    if (!q->hole && q->slots[entry_slot(q->heap[0])].fn != NULL) {
        return entry_time(q->heap[0]);
    }
    const entry *best = NULL;
    min_live(q, 0, &best);
    return best != NULL ? entry_time(*best) : RSIM_TIME_MAX;
}

uint64_t rsim_evq_events_run(const rsim_evq *q)
{
    return q->events_run;
}
