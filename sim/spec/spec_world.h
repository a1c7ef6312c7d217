/* spec_world.h - the typed Scenario document: the world around the Rollout. Part of spec.h. */
#ifndef RSIM_SPEC_WORLD_H
#define RSIM_SPEC_WORLD_H

#include <rsim/common.h>

typedef struct rsim_spec_world {
    const char *name;
    uint64_t seed;
    rsim_time duration;
    rsim_time tick;
    rsim_loc loc;
} rsim_spec_world;

#endif
