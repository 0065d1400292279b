/* Starting CMD under the engine: the one front door shared by run, trace and check. */
#ifndef SUPERVISOR_LAUNCH_H
#define SUPERVISOR_LAUNCH_H

#include <stddef.h>

#include "core/err.h"

struct sup_launch {
        char *const *argv;          /* CMD and its arguments; argv[0] is looked up in PATH */
        const char *mode;           /* "run", "trace" or "check": the preload's policy */
        const char *upper;          /* mode run: absolute upper dir, already prepared */
        const char *events_path;    /* NDJSON event file the preload appends to, or NULL */
        const char *spool_path;     /* the spool the preload batches records in (trace/spool.h), or NULL */
        int record_all;             /* also record reads and lookups (trace --all) */
        const char *only;           /* ':'-separated trees, or NULL */
        const char *exclude;        /* ':'-separated trees, or NULL */
        int verbose;
        /* Called in the child after fork, before exec (e.g. Landlock restrict_self).
         * Returns >= 0 or -errno with e set; the child then exits 125 after printing e. */
        int (*pre_exec)(void *ctx, struct rw_err *e);
        void *pre_exec_ctx;
};

/* Runs CMD to completion with the preload (or, for a static binary, says so on stderr and runs it
 * without), forwarding signals and reaping zombies. Returns the status rwshim should exit with:
 * CMD's own, 128+N for signal N, 126 not executable, 127 not found; or -errno with e set when
 * rwshim itself failed (the caller prints e and exits 125). *ret_static is set to 1 when CMD was
 * a static binary that the preload could not enter (NULL to ignore). */
int sup_launch_and_wait(const struct sup_launch *l, int *ret_static, struct rw_err *e);

/* Finds librwshim.so: $RWSHIM_LIB, else beside the executable, else ../lib/rwshim/.
 * Writes the absolute path to buf. Returns 0 or -errno with e set. */
int sup_find_preload_lib(char *buf, size_t size, struct rw_err *e);

/* The musl preload of the same install: librwshim-musl.so beside lib (the glibc one), written
 * to buf even when it is missing. Returns 0 if it is readable, else -errno. */
int sup_find_musl_lib(const char *lib, char *buf, size_t size);

#endif
