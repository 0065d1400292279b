/* The backend for programs the preload cannot enter (static binaries: no PT_INTERP): ptrace with
 * a seccomp filter that stops the tracee only on file syscalls, so a static program's file
 * operations reach the same event records as the preload's. Record-only (trace, check).
 *
 * Why ptrace and not seccomp user notification here: recording needs the syscall's real result
 * (errno) under the tracee's own credentials; a notifier only sees the call before it runs and
 * would have to emulate it. Under ptrace the kernel runs the call; we read the result at exit. */
#ifndef SUPERVISOR_STATIC_BACKEND_H
#define SUPERVISOR_STATIC_BACKEND_H

#include "core/err.h"
#include "supervisor/launch.h"

/* Runs l->argv to completion, traced: l->pre_exec runs in the child before the filter and exec.
 * Appends {"ev":"proc"} and {"ev":"fs"} records to l->events_path (writes and refusals; every
 * file call when l->record_all) for every descendant, except processes whose image is dynamic
 * and carries the preload in its environment (the preload records those itself).
 * The caller prepares the environment (RWSHIM_*, LD_PRELOAD) before calling, as for the preload.
 * Waits for every traced descendant, like strace -f. Returns CMD's exit status (128+N for
 * signal N, 126 not executable, 127 not found), or -errno with e set. */
int sup_static_trace_and_wait(const struct sup_launch *l, struct rw_err *e);

#endif
