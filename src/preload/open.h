/* Shared entry points between the preload's wrapper files. */
#ifndef PRELOAD_OPEN_H
#define PRELOAD_OPEN_H

#include <sys/types.h>

/* open over the engine: returns an fd, or -1 with errno, exactly like openat(2). */
int preload_open(int dirfd, const char *path, int flags, mode_t mode, const void *caller);

/* mkdir over the engine: returns 0, or -1 with errno. */
int preload_mkdir(int dirfd, const char *path, mode_t mode, const void *caller);

#endif
