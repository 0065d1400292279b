/* The writable set of `rwshim check`, and the smallest set that would have let a run pass. */
#ifndef TRACE_WRITABLE_H
#define TRACE_WRITABLE_H

#include <stdio.h>

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

/* Prints the suggestion as --writable flags and a Kubernetes emptyDir list. */
void trace_suggest_print(FILE *out, char **mounts, char **existing, long n);

#endif
