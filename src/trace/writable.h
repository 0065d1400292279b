/* The writable set of `rwshim check`, and the smallest set that would have let a run pass. */
#ifndef TRACE_WRITABLE_H
#define TRACE_WRITABLE_H

#include <stdio.h>

#include "core/advice.h"
#include "trace/events.h"

struct trace_writable {
        const char *const *paths;   /* absolute; --writable paths, their real paths, the defaults */
        size_t n;
};

/* 1 if path is dir or beneath it (by components: "/tmpx" is not beneath "/tmp"). */
int trace_path_beneath(const char *path, const char *dir);

/* Report filter: a write or refusal whose path (or rename/link target) is outside the writable
 * set. ctx is a struct trace_writable. */
int trace_event_outside(const struct trace_event *ev, void *ctx);

/* The smallest set of directories that would have let the run pass. Each entry of ret_mounts is
 * where a writable mount belongs (a directory the program tried to create counts itself);
 * ret_existing holds, for each, its nearest existing ancestor, usable as --writable here.
 * Both arrays are malloc'd, entries too; free with trace_suggest_free. Returns the count or -ENOMEM. */
long trace_suggest(const struct trace_log *log, const struct trace_writable *w,
                   char ***ret_mounts, char ***ret_existing);
void trace_suggest_free(char **list, long n);

/* The deployment fixes (core/advice.h) that would have let the run pass on a read-only root:
 * one per distinct change, in event order, a mount beneath another mount folded into it.
 * *ret is malloc'd (free it). Returns the count or -ENOMEM. */
long trace_suggest_fixes(const struct trace_log *log, const struct trace_writable *w,
                         struct rw_fix **ret);

/* Prints the fixes as a JSON array of {"kind","path","env","value","source"} (env and value
 * for knobs only). */
void trace_fixes_json(FILE *out, const struct rw_fix *fixes, long n);

/* Prints the suggestion as --writable flags, then the fixes as a Kubernetes list (env, volume
 * mounts, emptyDirs). */
void trace_suggest_print(FILE *out, char **mounts, char **existing, long n,
                         const struct rw_fix *fixes, long nfixes);

#endif
