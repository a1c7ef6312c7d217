/* evq.h - the simulated clock and the event queue: events ordered by (time, phase, insertion seq).
 * Ownership: an rsim_evq owns its pending events; the arg given to rsim_evq_schedule is borrowed
 * (the queue never frees it, and it must stay valid until the event runs or is cancelled).
 * Tokens are plain numbers, not pointers: a stale token is safe to cancel (it returns false).
 * One queue per simulation and no global state, so queues may live in different threads.
 * Design, invariants and pitfalls: docs/modules/evq.md. */
#ifndef RSIM_EVQ_H
#define RSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

/* Order of events that share an instant (docs/modules/evq.md explains the order). */
typedef enum rsim_phase {
    RSIM_PHASE_OPERATOR,  /* operator actions (kubectl argo rollouts ...) */
    RSIM_PHASE_CLUSTER,   /* pod lifecycle transitions */
    RSIM_PHASE_TRAFFIC,   /* router weight takes effect, load profile steps */
    RSIM_PHASE_SCRAPE,    /* Prometheus scrapes */
    RSIM_PHASE_RULES,     /* recording-rule evaluation */
    RSIM_PHASE_MEASURE,   /* analysis measurements */
    RSIM_PHASE_RECONCILE, /* controller passes */
    RSIM_PHASE_SAMPLE,    /* time-series output sampling (sees the settled state) */
    RSIM_PHASE_COUNT
} rsim_phase;

typedef struct rsim_evq rsim_evq;

/* Names one scheduled event for rsim_evq_cancel. 0 never names an event. */
typedef uint64_t rsim_evq_token;

/* An event handler. q is the queue running it (schedule follow-ups on it); arg is borrowed. */
typedef void rsim_event_fn(rsim_evq *q, void *arg);

/* A new, empty queue at time 0. Never NULL (aborts on out-of-memory). */
rsim_evq *rsim_evq_new(void);
/* Frees the queue; pending events are dropped without running. NULL is a no-op. */
void rsim_evq_free(rsim_evq *q);

/* The time of the event being run, or of the last one run, or the t of the last run_until. */
rsim_time rsim_evq_now(const rsim_evq *q);

/* Schedules fn(q, arg) at time at in the given phase. at must be >= now, phase must be below
 * RSIM_PHASE_COUNT and fn non-NULL; anything else is a bug (rsim_panic). An event scheduled
 * from inside an event at the same instant runs after the current one, in (phase, seq) order,
 * even if its phase is earlier than the running event's. O(log n), no allocation once the
 * queue has grown to its working size. */
rsim_evq_token
rsim_evq_schedule(rsim_evq *q, rsim_time at, rsim_phase phase, rsim_event_fn *fn, void *arg);

/* Cancels a pending event: it will never run. Returns false when the token names no pending
 * event (already run, already cancelled, 0, or unknown). O(1). */
bool rsim_evq_cancel(rsim_evq *q, rsim_evq_token t);

/* Runs the next event (advancing now to its time); false when the queue is empty.
 * Must not be called from inside an event (rsim_panic), and neither may the run functions. */
bool rsim_evq_step(rsim_evq *q);

/* Runs every event with time <= t (including those scheduled meanwhile), then sets now = t.
 * t must be >= now (rsim_panic otherwise). Returns the number of events run. */
size_t rsim_evq_run_until(rsim_evq *q, rsim_time t);

/* Runs events until the queue is empty. Returns the number of events run. */
size_t rsim_evq_run(rsim_evq *q);

/* The number of pending events, not counting cancelled ones nor the event being run. */
size_t rsim_evq_count(const rsim_evq *q);

/* The time of the next pending event, RSIM_TIME_MAX when there is none. */
rsim_time rsim_evq_next_time(const rsim_evq *q);

/* Statistics: events run since rsim_evq_new (cancelled events are not counted). */
uint64_t rsim_evq_events_run(const rsim_evq *q);

#endif
