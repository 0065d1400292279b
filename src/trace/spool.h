/* The supervisor's side of the spool (layout: core/event.h; writer: preload/spool.c): trace and
 * check create it beside the event file, and when the command has ended append to the event
 * stream every record a process left in it (one that crashed, was killed, or called _exit), with
 * one {"ev":"lost"} record per process that died in the middle of writing one. */
#ifndef TRACE_SPOOL_H
#define TRACE_SPOOL_H

#include <stddef.h>

#include "core/err.h"
#include "trace/event_file.h"

struct trace_spool {
        struct trace_event_file file;   /* what RWSHIM_SPOOL names */
};

/* Creates the spool file (a memfd, or with on_disk a temp file Landlock can grant) at its full,
 * sparse size, with its header. Returns 0 or -errno with e set. */
int trace_spool_create(struct trace_spool *s, int on_disk, struct rw_err *e);

/* Appends what the slots hold to out_fd (the event stream). Returns the number of records
 * recovered, or -errno with e set. */
long trace_spool_drain(const struct trace_spool *s, int out_fd, struct rw_err *e);

/* The same, from a spool image in memory (any bytes: the traced program can write the file).
 * Returns the records recovered or -errno. */
long trace_spool_drain_mem(const unsigned char *mem, size_t size, int out_fd);

void trace_spool_close(struct trace_spool *s);

#endif
