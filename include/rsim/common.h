/* rsim/common.h - version, error codes, simulated time and source locations.
 * Shared by every module and by the public API. Plain data only: nothing here allocates. */
#ifndef RSIM_COMMON_H
#define RSIM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSIM_VERSION_MAJOR  0
#define RSIM_VERSION_MINOR  1
#define RSIM_VERSION_PATCH  0
#define RSIM_VERSION_STRING "0.1.0"

/* Error codes, generated from one list (libuv style). RSIM_OK is 0. */
#define RSIM_ERR_MAP(XX)                           \
    XX(OK, "success")                              \
    XX(EINVAL, "invalid argument")                 \
    XX(EPARSE, "syntax error")                     \
    XX(ESCHEMA, "invalid scenario")                \
    XX(EUNSUPPORTED, "not supported yet")          \
    XX(EIO, "input/output error")                  \
    XX(ESPAWN, "could not start a helper program") \
    XX(ELIMIT, "size limit exceeded")

typedef enum rsim_err {
#define RSIM_ERR_ENUM(name, text) RSIM_##name,
    RSIM_ERR_MAP(RSIM_ERR_ENUM)
#undef RSIM_ERR_ENUM
} rsim_err;

/* A static English description of an error code; never NULL. */
const char *rsim_strerror(rsim_err err);

/* Simulated time: an integer count of milliseconds since the start of the run. Never floating
 * point, so ordering and equality are exact. */
typedef int64_t rsim_time;
#define RSIM_MS(x)    ((rsim_time)(x))
#define RSIM_SEC(x)   ((rsim_time)(x)*1000)
#define RSIM_MIN(x)   ((rsim_time)(x)*60000)
#define RSIM_HOUR(x)  ((rsim_time)(x)*3600000)
#define RSIM_TIME_MAX INT64_MAX

/* A position in an input file. line and col are 1-based; 0 means unknown. len is the width of
 * the token for the caret underline (0 or 1 print a single caret). file is borrowed: it points
 * into storage owned by whoever produced the location (normally the scenario's arena). */
typedef struct rsim_loc {
    const char *file; /* borrowed */
    int line;         /* 1-based, 0 = unknown */
    int col;          /* 1-based, 0 = unknown */
    int len;          /* width of the token, in bytes */
} rsim_loc;

#endif
