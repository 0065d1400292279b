/* NDJSON output of trace and check: one object per event (schema in docs/trace.md). */
#ifndef TRACE_JSON_OUT_H
#define TRACE_JSON_OUT_H

#include <stdio.h>

#include "trace/events.h"

/* Writes one line per event for which include() is true (NULL: every event) to out.
 * Returns the number of lines written, or -errno. */
long trace_json_write(FILE *out, const struct trace_log *log,
                      int (*include)(const struct trace_event *ev, void *ctx), void *ctx);

#endif
