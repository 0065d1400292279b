/* The preload's side of the spool (layout: core/event.h): each traced thread appends its records
 * to its own slot of a shared, file-backed mapping, so recording an event costs a memcpy, not a
 * write(2). A slot is written out to the event stream when it is full, before exec and when the
 * thread or process exits; whatever a crashed or killed process leaves behind is still in the
 * file, and the supervisor appends it when the command ends (trace/spool.h). */
#ifndef PRELOAD_SPOOL_H
#define PRELOAD_SPOOL_H

#include <stddef.h>

/* Appends one whole record (an NDJSON line) to the calling thread's slot. Returns 0, or -errno
 * when there is no spool ($RWSHIM_SPOOL unset or unusable, every slot taken, or the spool is
 * being opened by another thread): the caller then writes the record itself. Called with the
 * recursion guard (preload_busy) held. */
int preload_spool_write(const char *rec, size_t len);

/* Writes the calling thread's slot to the event stream and gives the slot back: before exec
 * (the records of the old image come before those of the new one) and at exit. */
void preload_spool_release(void);

/* In a forked child: the slot belongs to the parent's thread; forget it, never write it. */
void preload_spool_after_fork(void);

#endif
