/* schema_fields.h - the little table language of the schema_*.c files: one macro per kind of
 * field entry, so that a table reads as a list of fields. Private to the schema tables; other
 * files use the rsim_schema_field struct directly. */
#ifndef RSIM_SCHEMA_FIELDS_H
#define RSIM_SCHEMA_FIELDS_H

#include "schema.h"

#define F_STR(n, fl)                                       \
    {                                                      \
        .name = (n), .type = RSIM_FT_STRING, .flags = (fl) \
    }
#define F_ENUM(n, fl, vals)                                                       \
    {                                                                             \
        .name = (n), .type = RSIM_FT_STRING, .flags = (fl), .enum_values = (vals) \
    }
#define F_BOOL(n, fl)                                    \
    {                                                    \
        .name = (n), .type = RSIM_FT_BOOL, .flags = (fl) \
    }
#define F_INT(n, fl, lo, hi)                                                      \
    {                                                                             \
        .name = (n), .type = RSIM_FT_INT, .flags = (fl), .min = (lo), .max = (hi) \
    }
#define F_TYPE(n, t, fl)                        \
    {                                           \
        .name = (n), .type = (t), .flags = (fl) \
    }
#define F_OBJ(n, fl, sch)                                                \
    {                                                                    \
        .name = (n), .type = RSIM_FT_OBJECT, .flags = (fl), .obj = (sch) \
    }
#define F_LIST(n, fl, el)                                              \
    {                                                                  \
        .name = (n), .type = RSIM_FT_LIST, .elem = (el), .flags = (fl) \
    }
#define F_OLIST(n, fl, sch)                                                                    \
    {                                                                                          \
        .name = (n), .type = RSIM_FT_LIST, .elem = RSIM_FT_OBJECT, .flags = (fl), .obj = (sch) \
    }
#define F_MAP(n, fl)                                           \
    {                                                          \
        .name = (n), .type = RSIM_FT_STRING_MAP, .flags = (fl) \
    }
#define F_ANY(n, fl)                                    \
    {                                                   \
        .name = (n), .type = RSIM_FT_ANY, .flags = (fl) \
    }
#define F_UNSUP(n, t, why)                                                   \
    {                                                                        \
        .name = (n), .type = (t), .flags = RSIM_F_UNSUPPORTED, .note = (why) \
    }
#endif
