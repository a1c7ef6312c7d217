/* cli.h - the commands of the rollsim program and the helpers they share. */
#ifndef RSIM_CLI_H
#define RSIM_CLI_H

#include <stdio.h>

#include <rsim/common.h>
#include <rsim/diag.h>

/* Exit codes (style guide §5). */
#define RSIM_EXIT_OK     0
#define RSIM_EXIT_EXPECT 1 /* a stated expectation failed */
#define RSIM_EXIT_USAGE  2 /* bad input or usage; diagnostics printed */
#define RSIM_EXIT_IO     3 /* an output file could not be written */
#define RSIM_EXIT_NOPLOT 4 /* gnuplot requested but not found; the rest was written */

int rsim_cli_run(int argc, char **argv);
int rsim_cli_validate(int argc, char **argv);
int rsim_cli_eval_condition(int argc, char **argv);
int rsim_cli_reconcile(int argc, char **argv);
int rsim_cli_check(int argc, char **argv);
int rsim_cli_get(int argc, char **argv);
int rsim_cli_compare(int argc, char **argv);

/* Writes a file whole or not at all: the writer fills a temporary file next to `path`, which
 * is renamed over `path` only when everything was written and closed without error. "-" writes
 * to standard output. Returns 0 or prints the reason and returns RSIM_EXIT_IO. */
typedef rsim_err rsim_cli_writer_fn(FILE *out, const void *arg);
int rsim_cli_write_file(const char *path, rsim_cli_writer_fn *fn, const void *arg);

/* Creates a directory and its parents (mkdir -p). Returns 0 or prints and returns RSIM_EXIT_IO. */
int rsim_cli_make_dirs(const char *path);

/* Prints the diagnostics of a sink to stderr. */
void rsim_cli_print_diag(rsim_diag *diag);

#endif
