/* values.h - Kubernetes value syntaxes: Go durations, int-or-percent, resource quantities.
 * Pure functions over strings; nothing is allocated. Each returns false on malformed input and
 * leaves *out unchanged. */
#ifndef RSIM_VALUES_H
#define RSIM_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rsim/common.h>

/* Go's time.ParseDuration: a sequence of decimal numbers with optional fraction and a unit
 * (ns, us, µs, ms, s, m, h), optionally signed ("1h30m", "1.5s", "-2m"; "0" alone is allowed).
 * The result is rounded towards zero to whole milliseconds. */
bool rsim_values_parse_duration(const char *s, rsim_time *out);

/* An int-or-string as Argo reads maxSurge/maxUnavailable: "25%" gives *pct=true, *value=25;
 * "3" or an integer gives *pct=false, *value=3. Negative values are rejected. */
bool rsim_values_parse_int_or_percent(const char *s, bool *pct, int64_t *value);

/* A Kubernetes resource.Quantity ("128Mi", "0.5", "500m", "1e3", "2Gi"): *out is the value in
 * base units (cores or bytes) as a double. Grammar and suffixes exactly as the API server
 * accepts them; anything else is rejected. */
bool rsim_values_parse_quantity(const char *s, double *out);

/* A whole-second count written as a decimal integer (for Argo's IntOrString pause durations:
 * "30" means 30 s). */
bool rsim_values_parse_seconds(const char *s, int64_t *out);

/* Formats a duration in the shortest Go form ("1h30m", "250ms", "0s") into buf. */
void rsim_values_format_duration(rsim_time t, char *buf, size_t size);

#endif
