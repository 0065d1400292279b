/* The report for people: events grouped by culprit and directory, refused ones first, each group
 * with its error, processes, the Python line or library behind it, what the program did about it,
 * and the fix. */
#ifndef TRACE_REPORT_H
#define TRACE_REPORT_H

#include <stdio.h>

#include "trace/events.h"

struct trace_report_opts {
        const char *title;          /* first line, e.g. "rwshim trace" */
        int status;                 /* the command's exit status, or -1 if unknown */
        /* Which events to show (NULL: every write and every refusal). */
        int (*include)(const struct trace_event *ev, void *ctx);
        void *ctx;
};

/* Writes the report of an attributed log to out. Returns 0 or -errno. */
int trace_report_write(FILE *out, const struct trace_log *log, const struct trace_report_opts *o);

/* The directory an event is about: the parent of its path ("/a/b" for "/a/b/c"). */
void trace_event_dir(const struct trace_event *ev, char *buf, size_t size);

#endif
