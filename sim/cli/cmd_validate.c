/* cmd_validate.c - `rollsim validate FILE...`: load every file as one set (so references across
 * files resolve), report every problem, exit 0 when valid and 2 otherwise. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rsim/scenario.h>

#include "cli.h"

static const char validate_help[] =
    "Usage: rollsim validate [OPTION]... FILE...\n"
    "Check Argo Rollouts objects (Rollout, AnalysisTemplate, ClusterAnalysisTemplate), Services\n"
    "and rollsim Scenario documents the way the controller's validation and the API server\n"
    "would. The files are checked together, so a Rollout may reference templates and Services\n"
    "defined in another file; a Scenario's manifests are read too. Documents of other kinds\n"
    "(Ingress, ConfigMap, ...) are listed as skipped.\n"
    "\n"
    "  -q, --quiet          print nothing when the files are valid\n"
    "      --max-errors N   stop listing errors after N (default 100)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 valid, 2 invalid (every error is printed as FILE:LINE:COLUMN).\n";

int rsim_cli_validate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"max-errors", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    size_t max_errors = 100;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = true;
            break;
        case 'm': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1) {
                fprintf(stderr,
                        "rollsim validate: --max-errors needs a positive number, got "
                        "'%s'\n",
                        optarg);
                return RSIM_EXIT_USAGE;
            }
            max_errors = (size_t)v;
            break;
        }
        case 'h':
            fputs(validate_help, stdout);
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim validate --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("rollsim validate: no FILE given\n"
              "Try 'rollsim validate --help' for more information.\n",
              stderr);
        return RSIM_EXIT_USAGE;
    }
    rsim_diag *diag = rsim_diag_new(max_errors);
    rsim_scenario *scn = NULL;
    const char *const *paths = (const char *const *)(argv + optind);
    size_t n_paths = (size_t)(argc - optind);
    rsim_err err = rsim_scenario_load_files(paths, n_paths, RSIM_SCENARIO_LINT, diag, &scn);
    rsim_cli_print_diag(diag);
    int rc = RSIM_EXIT_OK;
    if (err != RSIM_OK) {
        rc = RSIM_EXIT_USAGE;
    } else if (!quiet) {
        size_t n = rsim_scenario_document_count(scn);
        printf("valid: %zu document%s in %zu file%s\n", n, n == 1 ? "" : "s", n_paths,
               n_paths == 1 ? "" : "s");
    }
    rsim_scenario_free(scn);
    rsim_diag_free(diag);
    return rc;
}
