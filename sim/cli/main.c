/* main.c - the rollsim command line: parses the command and its options, calls the library,
 * prints, and maps outcomes to exit codes (0 ok, 1 expectation failed, 2 bad input or usage,
 * 3 output error). The only place that prints or installs process-wide handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include <rsim/common.h>
#include <rsim/scenario.h>

#include "cli.h"

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    fprintf(stderr, "rollsim: internal error: GSL: %s (%s:%d, code %d)\n", reason, file, line,
            gsl_errno);
    abort();
}

static const char usage_text[] =
    "Usage: rollsim COMMAND [OPTION]... [ARG]...\n"
    "Simulate an Argo Rollouts release in simulated time and report what it cost users.\n"
    "\n"
    "Commands:\n"
    "  run [FILE]...          run a scenario (without FILE: the built-in default scenario)\n"
    "  check FILE|DIR...      run scenarios and judge their expectations (JUnit with --junit)\n"
    "  compare SCENARIO ROLLOUT...  run strategies against one world, side by side\n"
    "  validate FILE...       check Rollouts, AnalysisTemplates, Services and Scenarios\n"
    "  eval-condition         judge one result with a success/failure condition\n"
    "  reconcile --state FILE one controller pass over a snapshot of real objects\n"
    "  get rollout FILE --at TIME  the Rollout at a simulated time, as kubectl argo rollouts\n"
    "  default-scenario       print the built-in default scenario (YAML)\n"
    "  help [COMMAND]         show help for a command\n"
    "\n"
    "Options:\n"
    "  -h, --help             show this help (or `rollsim COMMAND --help`)\n"
    "  -V, --version          print the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 an expectation failed, 2 bad input or usage, 3 output error.\n";

/* Prints "rollsim: <what> '<arg>'<tail>" and the usual hint; returns the usage exit code. */
static int usage_error(const char *what, const char *arg, const char *tail)
{
    fprintf(stderr, "rollsim: %s '%s'%s\nTry 'rollsim --help' for more information.\n", what, arg,
            tail);
    return RSIM_EXIT_USAGE;
}

static int cmd_default_scenario(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs("Usage: rollsim default-scenario\n"
              "Print the built-in default scenario, the one `rollsim run` plays without FILE.\n"
              "Save it and edit it to start a scenario of your own.\n",
              stdout);
        return RSIM_EXIT_OK;
    }
    if (argc > 1) {
        return usage_error("default-scenario: unexpected argument", argv[1], "");
    }
    size_t len = 0;
    const char *text = rsim_scenario_default_source(&len);
    fwrite(text, 1, len, stdout);
    return fflush(stdout) == 0 && !ferror(stdout) ? RSIM_EXIT_OK : RSIM_EXIT_IO;
}

static int dispatch(const char *cmd, int argc, char **argv)
{
    if (strcmp(cmd, "run") == 0) {
        return rsim_cli_run(argc, argv);
    }
    if (strcmp(cmd, "compare") == 0) {
        return rsim_cli_compare(argc, argv);
    }
    if (strcmp(cmd, "check") == 0) {
        return rsim_cli_check(argc, argv);
    }
    if (strcmp(cmd, "validate") == 0) {
        return rsim_cli_validate(argc, argv);
    }
    if (strcmp(cmd, "eval-condition") == 0) {
        return rsim_cli_eval_condition(argc, argv);
    }
    if (strcmp(cmd, "reconcile") == 0) {
        return rsim_cli_reconcile(argc, argv);
    }
    if (strcmp(cmd, "get") == 0) {
        return rsim_cli_get(argc, argv);
    }
    if (strcmp(cmd, "default-scenario") == 0) {
        return cmd_default_scenario(argc, argv);
    }
    return -1;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler(gsl_handler);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return RSIM_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return RSIM_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("rollsim %s\n", RSIM_VERSION_STRING);
        return RSIM_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            fputs(usage_text, stdout);
            return RSIM_EXIT_OK;
        }
        char help_opt[] = "--help";
        char *help_argv[] = {argv[2], help_opt, NULL};
        int rc = dispatch(argv[2], 2, help_argv);
        return rc < 0 ? usage_error("unknown command", argv[2], "") : rc;
    }
    int rc = dispatch(cmd, argc - 1, argv + 1);
    if (rc < 0) {
        if (cmd[0] == '-') {
            return usage_error("unknown option", cmd, " (a command comes first: run, validate)");
        }
        return usage_error("unknown command", cmd, "");
    }
    return rc;
}
