/* spec_analysis.h - typed AnalysisTemplate / ClusterAnalysisTemplate and v1 Service.
 * Part of spec.h. */
#ifndef RSIM_SPEC_ANALYSIS_H
#define RSIM_SPEC_ANALYSIS_H

#include <rsim/common.h>

typedef struct rsim_spec_analysis_template {
    const char *name;
    bool cluster; /* ClusterAnalysisTemplate */
    rsim_loc loc;
} rsim_spec_analysis_template;

typedef struct rsim_spec_service {
    const char *name;
    rsim_loc loc;
} rsim_spec_service;

#endif
