/* Attaching a process to a prepared upper dir (preload-safe): its paths and the shared index.
 * The preload constructor and the supervisor's seccomp backend both use one attachment. */
#ifndef RW_UPPER_ATTACH_H
#define RW_UPPER_ATTACH_H

#include "core/layer.h"

/* Fills u for the upper dir root (absolute) and maps UPPER/.rwshim/index shared. The
 * supervisor prepared and validated the upper before. Returns 0 or -errno. */
int rw_upper_attach(struct rw_upper *u, const char *root);

#endif
