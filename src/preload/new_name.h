/* One flow for calls that make a new name and are not in wrap_mutate.c (mknod, mkfifo, bind):
 * pass through, or redo a refused call in the upper. */
#ifndef PRELOAD_NEW_NAME_H
#define PRELOAD_NEW_NAME_H

struct preload_new_name {
        const char *op;             /* event name: "mknod", "bind" */
        int dirfd;
        const char *path;
        int (*real)(const struct preload_new_name *c);      /* -1 with errno, as libc */
        int (*vfs)(const char *abs, const struct preload_new_name *c);   /* 0 or -errno */
        const void *arg;
};

/* Runs c: natively when nothing is redirected (no added syscall), in the merged view when the
 * upper holds the path, and again in the upper when the native call is refused. Returns 0,
 * or -1 with errno, as the libc call. */
int preload_new_name_call(const struct preload_new_name *c, const void *caller);

#endif
