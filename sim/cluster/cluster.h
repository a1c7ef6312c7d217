/* cluster.h - ReplicaSets and their pods: creation, scheduling onto a limited number of slots,
 * start-up (image pull, container start, app init, readiness probe), availability after
 * minReadySeconds, endpoint propagation, crash loops with Kubernetes' back-off, deletion in
 * Kubernetes' order and termination. Everything is event-driven on the simulation's rsim_evq
 * (phase RSIM_PHASE_CLUSTER); nothing runs per tick.
 * Ownership: an rsim_cluster owns its ReplicaSets and pods (pods live until rsim_cluster_free,
 * even once GONE, so a pointer to one stays valid for the whole run); the world, the Rollout and
 * the queue passed to rsim_cluster_new are borrowed and must outlive it.
 * Model, defaults and their sources: docs/modules/cluster.md. */
#ifndef RSIM_CLUSTER_H
#define RSIM_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

#include "evq.h"
#include "spec.h"

typedef enum rsim_pod_state {
    RSIM_POD_PENDING,   /* created, waiting for a slot (cluster full) */
    RSIM_POD_STARTING,  /* scheduled: image pull, container start, app init */
    RSIM_POD_NOT_READY, /* running but not (yet/any more) ready: probe not passed, crash back-off */
    RSIM_POD_READY,     /* ready, not yet available (minReadySeconds) */
    RSIM_POD_AVAILABLE, /* ready for at least minReadySeconds */
    RSIM_POD_TERMINATING, /* deletion started; grace period running; serves no new requests
                             once its endpoint removal has propagated */
    RSIM_POD_GONE,
    RSIM_POD_STATE_COUNT
} rsim_pod_state;

/* "Pending", "Starting", ... ("?" for an unknown value). */
const char *rsim_cluster_pod_state_name(rsim_pod_state s);

typedef struct rsim_pod {
    uint32_t id; /* unique in the run, creation order */
    uint32_t rs; /* index of its ReplicaSet */
    rsim_pod_state state;
    bool serving;  /* receives new requests now (endpoint propagated, not withdrawn) */
    bool refusing; /* serving, but its container has exited (a crash) and its endpoint is not
                      withdrawn yet: what is routed to it is refused */
    rsim_time created, ready_at /* last time it became ready, -1 */, serving_since /* -1 */;
    uint32_t restarts;
    char name[64]; /* "<rollout>-<hash>-<5 chars>", deterministic */
    /* Additions beyond the traffic contract (read-only, -1 until they happen): */
    rsim_time scheduled_at; /* left PENDING: got a slot (image pull starts) */
    rsim_time running_at;   /* the current container started (after pull + startContainers);
                               -1 again during a crash back-off (no container runs) */
    rsim_time app_up_at;    /* the current container's app answers (probes, its own /metrics)
                               from here, after its initialisation; RSIM_TIME_MAX before a
                               container is scheduled to start */
    rsim_time deleted_at;   /* deletion started (TERMINATING) */
} rsim_pod;

typedef struct rsim_cluster_rs {
    uint32_t index;
    const char *hash; /* pod-template hash (owned by the cluster) */
    int64_t revision;
    const char *image;                /* owned by the cluster */
    const rsim_spec_version *version; /* behaviour of its image (borrowed) */
    int64_t desired;                  /* spec.replicas */
    int64_t n_by_state[RSIM_POD_STATE_COUNT];
    int64_t n_serving;
    int64_t n_serving_down; /* of them, pods refusing (rsim_pod.refusing) */
    int64_t n_creating;     /* pods the ReplicaSet controller will still create (hop delays) */
} rsim_cluster_rs;

typedef struct rsim_cluster rsim_cluster;

/* Called just BEFORE a pod's `serving` flag or state changes, so that whoever accounts traffic
 * can settle everything up to `now` with the old state; and again AFTER (after=true).
 * A new pod is announced by one after=true call (state PENDING). */
typedef void rsim_cluster_watch_fn(void *arg, const rsim_pod *pod, bool after, rsim_time now);

/* A cluster for one Rollout. seed and replication name the random streams
 * ("cluster/pod/<id>/startup", ".../probe"). Never NULL. */
rsim_cluster *rsim_cluster_new(const rsim_spec_world *w,
                               const rsim_spec_rollout *ro,
                               rsim_evq *q,
                               uint64_t seed,
                               uint64_t replication);
/* NULL is a no-op. Pending cluster events must not run afterwards: free the queue first, or
 * together (the engine frees both at the end of a run). */
void rsim_cluster_free(rsim_cluster *c);

/* Adds a watcher; several are called in the order added. */
void rsim_cluster_watch(rsim_cluster *c, rsim_cluster_watch_fn *fn, void *arg);

/* A new ReplicaSet with 0 replicas; returns its index (0, 1, ...). image and hash are copied.
 * The image's behaviour is the world's version for it, or versionDefaults. */
uint32_t
rsim_cluster_add_rs(rsim_cluster *c, const char *image, int64_t revision, const char *hash);
/* Sets spec.replicas at now: creates pods (after the control-plane hop, in slow-start batches
 * when the world says so) or deletes them in Kubernetes' order. */
void rsim_cluster_scale_rs(rsim_cluster *c, uint32_t rs, int64_t replicas);
/* Like rsim_cluster_scale_rs upwards, but the new pods exist at once, already AVAILABLE and
 * serving, occupying slots (a revision that is running when the run starts). Their image counts
 * as cached on the nodes from then on. Pods beyond the free slots are created PENDING. */
void rsim_cluster_scale_rs_ready(rsim_cluster *c, uint32_t rs, int64_t replicas);

/* Deletes one pod at now (an eviction, kubectl delete pod): it terminates as in a scale-down, and
 * its ReplicaSet, now short of spec.replicas, creates a replacement. Returns false (and does
 * nothing) when no such pod exists or it is already being deleted. */
bool rsim_cluster_delete_pod(rsim_cluster *c, uint32_t pod_id);

size_t rsim_cluster_rs_count(const rsim_cluster *c);
const rsim_cluster_rs *rsim_cluster_rs_at(const rsim_cluster *c, uint32_t rs);
#define RSIM_CLUSTER_NO_RS UINT32_MAX
/* The ReplicaSet with this pod-template hash, or RSIM_CLUSTER_NO_RS. */
uint32_t rsim_cluster_find_rs_by_hash(const rsim_cluster *c, const char *hash);
/* The newest ReplicaSet running this image, or RSIM_CLUSTER_NO_RS. */
uint32_t rsim_cluster_find_rs_by_image(const rsim_cluster *c, const char *image);

/* The pods of a ReplicaSet that are not GONE, in creation order (borrowed array of pointers,
 * valid until the next cluster mutation). */
size_t rsim_cluster_pods(const rsim_cluster *c, uint32_t rs, const rsim_pod *const **out);
/* Any pod by id (GONE ones included), or NULL. */
const rsim_pod *rsim_cluster_pod(const rsim_cluster *c, uint32_t id);
/* Whether the ReplicaSet controller deletes pod a before pod b at `now` (two pods of this
 * cluster; Kubernetes' ActivePodsWithRanks order, docs/modules/cluster.md). */
bool rsim_cluster_deletes_before(const rsim_pod *a, const rsim_pod *b, rsim_time now);

/* Tells the cluster that the version first served a request at `at` (<= now): starts the clock
 * of its faults whose onset is "after first traffic" (only CRASH_LOOP concerns the cluster).
 * Later calls for the same version are ignored. */
void rsim_cluster_note_first_traffic(rsim_cluster *c, const rsim_spec_version *v, rsim_time at);

typedef struct rsim_cluster_stats {
    uint64_t pods_created;
    uint64_t restarts;       /* container restarts, all pods */
    int64_t slots_used;      /* pods holding a slot now (scheduled, not GONE) */
    int64_t pods_pending;    /* pods waiting for a slot now */
    int64_t peak_slots_used; /* the most pods holding a slot at once */
    int64_t pod_ms;          /* integral over time of slots_used up to now (pod-milliseconds) */
    uint64_t events;         /* cluster events run */
} rsim_cluster_stats;

/* Statistics up to the queue's now. */
rsim_cluster_stats rsim_cluster_get_stats(const rsim_cluster *c);

#endif
