/* cmd_run.c - `rollsim run [FILE]...`: load a scenario (or the built-in default), run it to the
 * end, print a summary and write the requested outputs whole or not at all. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rsim/engine.h>
#include <rsim/scenario.h>

#include "cli.h"
#include "plot.h"

static const char run_help[] =
    "Usage: rollsim run [OPTION]... [FILE]...\n"
    "Run a scenario: a Scenario document plus the Argo objects it uses (in the same files, in\n"
    "files given here, or in the manifests the Scenario lists). Without FILE, run the built-in\n"
    "default scenario (see `rollsim default-scenario`).\n"
    "\n"
    "  -o, --out DIR        write events.jsonl, timeline.csv, totals.json and summary.json\n"
    "                       into DIR (created if missing), and the plots (see --plots)\n"
    "  -e, --events FILE    write the processed events as JSON Lines to FILE ('-': stdout)\n"
    "      --plots          with --out: draw DIR/rollout.png and rollout.svg with gnuplot\n"
    "                       (the default when gnuplot is on PATH); exit 4 if it is not\n"
    "      --no-plots       with --out: draw no plots\n"
    "      --plots-dir DIR  the gnuplot templates (default: the installed ones)\n"
    "  -s, --seed N         use seed N instead of the scenario's\n"
    "  -q, --quiet          print no summary\n"
    "  -h, --help           show this help\n"
    "\n"
    "Output files are written whole or not at all.\n"
    "Exit status: 0 the run completed and every expectation of the scenario held, 1 an\n"
    "expectation failed, 2 bad input or usage, 3 an output could not be written, 4 --plots\n"
    "was given but gnuplot is not on PATH (the other outputs were written).\n";

typedef struct run_opts {
    const char *out_dir;
    const char *events;
    const char *plots_dir;
    int plots; /* -1 --no-plots, 0 when gnuplot is on PATH, 1 --plots */
    bool quiet;
    rsim_engine_opts engine;
} run_opts;

static rsim_err write_events(FILE *out, const void *arg)
{
    return rsim_result_write_events(arg, out);
}

static rsim_err write_timeline(FILE *out, const void *arg)
{
    return rsim_result_write_timeline_csv(arg, out);
}

static rsim_err write_totals(FILE *out, const void *arg)
{
    return rsim_result_write_totals_json(arg, out);
}

static rsim_err write_summary(FILE *out, const void *arg)
{
    return rsim_result_write_summary_json(arg, out);
}

/* Judges the scenario's expectations; prints each (failures always, the rest unless quiet) and
 * returns RSIM_EXIT_EXPECT when one failed. */
static int judge(const rsim_result *res, bool print_all)
{
    int rc = RSIM_EXIT_OK;
    size_t n = rsim_result_expectation_count(res);
    if (n > 0 && print_all) {
        fputs("\nexpectations:\n", stdout);
    }
    for (size_t i = 0; i < n; i++) {
        rsim_expect_outcome o;
        rsim_result_expectation_check(res, i, &o);
        if (!o.passed) {
            rc = RSIM_EXIT_EXPECT;
        }
        if (print_all || !o.passed) {
            fprintf(print_all ? stdout : stderr, "  %s (line %d) %s: %s; expected %s\n",
                    o.passed ? "PASS" : "FAIL", o.loc.line, o.name, o.actual, o.expected);
        }
    }
    return rc;
}

static int parse_seed(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!*s || *s == '-') {
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end) {
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* Parses options into *o; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, run_opts *o)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"events", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"plots", no_argument, NULL, 'P'},
        {"no-plots", no_argument, NULL, 'N'},
        {"plots-dir", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:e:s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out_dir = optarg;
            break;
        case 'e':
            o->events = optarg;
            break;
        case 's':
            if (parse_seed(optarg, &o->engine.seed) != 0) {
                fprintf(stderr, "rollsim run: --seed needs a whole number, got '%s'\n", optarg);
                return RSIM_EXIT_USAGE;
            }
            o->engine.override_seed = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'P':
            o->plots = 1;
            break;
        case 'N':
            o->plots = -1;
            break;
        case 'D':
            o->plots_dir = optarg;
            break;
        case 'h':
            fputs(run_help, stdout);
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim run --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (o->plots == 1 && !o->out_dir) {
        fputs("rollsim run: --plots needs --out DIR\n", stderr);
        return RSIM_EXIT_USAGE;
    }
    return -1;
}

static int write_outputs(const run_opts *o, const rsim_result *res)
{
    if (o->out_dir) {
        int rc = rsim_cli_make_dirs(o->out_dir);
        if (rc) {
            return rc;
        }
        static const struct {
            const char *name;
            rsim_cli_writer_fn *fn;
        } files[] = {
            {"events.jsonl", write_events},
            {"timeline.csv", write_timeline},
            {"totals.json", write_totals},
            {"summary.json", write_summary},
        };
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", o->out_dir, files[i].name);
            rc = rsim_cli_write_file(path, files[i].fn, res);
            if (rc) {
                return rc;
            }
        }
    }
    if (o->events) {
        int rc = rsim_cli_write_file(o->events, write_events, res);
        if (rc) {
            return rc;
        }
    }
    if (o->out_dir && o->plots >= 0) {
        return rsim_cli_write_plots(o->out_dir, o->plots_dir, res, o->plots == 1);
    }
    return RSIM_EXIT_OK;
}

int rsim_cli_run(int argc, char **argv)
{
    run_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    rsim_diag *diag = rsim_diag_new(100);
    rsim_scenario *scn = NULL;
    rsim_err err;
    if (optind < argc) {
        err = rsim_scenario_load_files((const char *const *)(argv + optind),
                                       (size_t)(argc - optind), RSIM_SCENARIO_RUN, diag, &scn);
    } else {
        err = rsim_scenario_load_default(diag, &scn);
    }
    rsim_engine *eng = NULL;
    if (err == RSIM_OK) {
        err = rsim_engine_new(scn, &o.engine, diag, &eng);
    }
    rsim_cli_print_diag(diag);
    if (err != RSIM_OK) {
        rsim_scenario_free(scn);
        rsim_diag_free(diag);
        return RSIM_EXIT_USAGE;
    }
    rsim_engine_run(eng);
    const rsim_result *res = rsim_engine_result(eng);
    rc = write_outputs(&o, res);
    /* Without gnuplot the rest was written: the run goes on, and a failed expectation (1)
     * outranks the missing plots (4). */
    bool no_plots = rc == RSIM_EXIT_NOPLOT;
    bool events_on_stdout = o.events && strcmp(o.events, "-") == 0;
    if ((rc == RSIM_EXIT_OK || no_plots) && !o.quiet && !events_on_stdout) {
        rsim_result_write_summary(res, stdout);
    }
    if (rc == RSIM_EXIT_OK || no_plots) {
        rc = judge(res, !o.quiet && !events_on_stdout);
        if (rc == RSIM_EXIT_OK && no_plots) {
            rc = RSIM_EXIT_NOPLOT;
        }
    }
    rsim_engine_free(eng);
    rsim_scenario_free(scn);
    rsim_diag_free(diag);
    return rc;
}
