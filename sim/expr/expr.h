/* expr.h - the two small languages rollsim reads: Argo's analysis conditions (cond.h) and the
 * PromQL subset of metric queries (promql.h). Front header of the expr module.
 * Ownership: see each sub-header; ASTs carry rsim_loc positions for diagnostics. */
#ifndef RSIM_EXPR_H
#define RSIM_EXPR_H

#include "cond.h"
#include "promql.h"

#endif
