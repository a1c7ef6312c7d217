/* fuzz_scenario.c - libFuzzer target: arbitrary bytes through the whole loader (YAML tree,
 * schema checks, builders, cross-document checks) in both load modes, then the diagnostics
 * printer, and everything freed. Any crash, leak, sanitizer report or hang is a bug in rollsim.
 * Built only with -DRSIM_FUZZ=ON and clang; run it with tests/fuzz/run_fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rsim/diag.h>
#include <rsim/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_once(const uint8_t *data, size_t size, rsim_scenario_mode mode, FILE *sink)
{
    rsim_diag *diag = rsim_diag_new(0);
    rsim_scenario *scn = NULL;
    rsim_err err =
        rsim_scenario_load_string("fuzz.yaml", (const char *)data, size, mode, diag, &scn);
    if ((err == RSIM_OK) != (scn != NULL)) {
        __builtin_trap(); /* the contract: *out is set exactly on success */
    }
    if (err == RSIM_OK && rsim_diag_has_errors(diag)) {
        __builtin_trap(); /* success with errors reported */
    }
    if (scn) {
        (void)rsim_scenario_name(scn);
        (void)rsim_scenario_seed(scn);
        (void)rsim_scenario_duration(scn);
        (void)rsim_scenario_document_count(scn);
    }
    if (sink) {
        rsim_diag_print(diag, sink);
    }
    rsim_scenario_free(scn);
    rsim_diag_free(diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");
    load_once(data, size, RSIM_SCENARIO_LINT, sink);
    load_once(data, size, RSIM_SCENARIO_RUN, sink);
    if (sink) {
        fclose(sink);
    }
    return 0;
}
