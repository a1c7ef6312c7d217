/* plot.h - the plots `rollsim run --out DIR` draws through gnuplot (plot.c). */
#ifndef RSIM_CLI_PLOT_H
#define RSIM_CLI_PLOT_H

#include <stdbool.h>

#include <rsim/engine.h>

/* Writes measurements.csv and events.csv (derived from the run for the plot) into `dir`, which
 * already holds timeline.csv, then rollout.png and rollout.svg by running gnuplot on
 * `plots_dir`/rollout.gp (NULL: the installed templates, else the source tree's). Each file is
 * whole or absent. Without gnuplot on PATH, prints how to install it and returns
 * RSIM_EXIT_NOPLOT when `required`, 0 otherwise. Returns 0 or an exit code (RSIM_EXIT_IO). */
int rsim_cli_write_plots(const char *dir,
                         const char *plots_dir,
                         const rsim_result *res,
                         bool required);

/* Draws DIR/compare.png and DIR/compare.svg with plots/compare.gp over the per-strategy
 * timelines DIR/<name>/timeline.csv; names is the space-separated list of strategy names. Each
 * image is whole or absent. Without gnuplot, prints how to install it and returns 0. */
int rsim_cli_write_compare_plot(const char *dir, const char *plots_dir, const char *names);

#endif
