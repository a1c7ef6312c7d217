/* rsim/diag.h - the diagnostics sink: errors, warnings and notes with file:line:column.
 * Ownership: the caller owns an rsim_diag; every string passed in is copied. Library code reports
 * here and never prints; only the command line prints a sink (rsim_diag_print). */
#ifndef RSIM_DIAG_H
#define RSIM_DIAG_H

#include <stdio.h>

#include <rsim/common.h>

typedef enum rsim_severity {
    RSIM_SEV_ERROR,
    RSIM_SEV_WARNING,
    RSIM_SEV_NOTE,
} rsim_severity;

typedef struct rsim_diag rsim_diag;

/* A new empty sink that keeps at most max_errors errors (0 means 100); further errors are
 * counted but not stored, and the printout says how many were left out. */
rsim_diag *rsim_diag_new(size_t max_errors);
void rsim_diag_free(rsim_diag *d);

/* Adds one entry. path is the YAML path of the offending node ("spec.strategy.canary.steps[2]")
 * or NULL; fmt is printf-style. The text printed is "<path>: <message>" when path is set. */
void rsim_diag_add(rsim_diag *d,
                   rsim_severity sev,
                   rsim_err code,
                   rsim_loc loc,
                   const char *path,
                   const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));

/* Registers the text of a source file so that printed entries can quote the offending line.
 * The text is copied. Registering the same file name again replaces the text. */
void rsim_diag_add_source(rsim_diag *d, const char *file, const char *text, size_t len);

size_t rsim_diag_count(const rsim_diag *d);       /* all stored entries */
size_t rsim_diag_error_count(const rsim_diag *d); /* errors, including those not stored */
bool rsim_diag_has_errors(const rsim_diag *d);

/* Entry accessors, in the sorted order used for printing (by file, line, column, then order of
 * addition). The returned strings are borrowed from the sink. */
rsim_severity rsim_diag_severity_at(rsim_diag *d, size_t i);
rsim_err rsim_diag_code_at(rsim_diag *d, size_t i);
rsim_loc rsim_diag_loc_at(rsim_diag *d, size_t i);
const char *rsim_diag_message_at(rsim_diag *d, size_t i); /* "<path>: <message>" */

/* Prints every entry, sorted, in GNU style with the source line and a caret:
 *   file:14:21: error: spec.x: must be 0..100, got 150
 *      14 |       - setWeight: 150
 *         |                    ^~~
 * Returns the number of entries printed. */
size_t rsim_diag_print(rsim_diag *d, FILE *out);

#endif
