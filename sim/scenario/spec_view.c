/* spec_view.c - read-only access to a loaded scenario's typed model for the modules above. */
#include "scenario.h"
#include "scenario_int.h"

const rsim_spec *rsim_scenario_spec(const rsim_scenario *s)
{
    return &s->spec;
}
