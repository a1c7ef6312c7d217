/* rsim.h - the whole public API of rollsim: load a scenario, run it, read the result. */
#ifndef RSIM_H
#define RSIM_H

#include <rsim/common.h>
#include <rsim/diag.h>
#include <rsim/engine.h>
#include <rsim/scenario.h>

#endif
