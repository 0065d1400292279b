/* The fix for a refused event, as trace --json, the trace and check reports and check --suggest
 * give it: the knowledge base's knob when one moves the path, else what core/advice.h infers
 * from the filesystem. */
#ifndef TRACE_ADVISE_H
#define TRACE_ADVISE_H

#include <stddef.h>

#include "core/advice.h"
#include "trace/events.h"

/* Fills ret for an attributed event (refused or not: for a write, where it would need to be). */
void trace_event_fix(const struct trace_event *ev, struct rw_fix *ret);

/* The fix in words, without its source: "mount a writable dir at /a/b". */
void trace_fix_sentence(const struct rw_fix *f, char *buf, size_t size);

/* 1 if two fixes are the same change (kind, path and variable). */
int trace_fix_same(const struct rw_fix *a, const struct rw_fix *b);

#endif
