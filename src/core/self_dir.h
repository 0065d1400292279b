/* Where the running rwshim lives: its preload library and data are found relative to it. */
#ifndef RW_SELF_DIR_H
#define RW_SELF_DIR_H

#include <stddef.h>

#include "core/err.h"

/* Writes the directory of /proc/self/exe to buf. Returns 0 or -errno with e set. */
int rw_self_dir(char *buf, size_t size, struct rw_err *e);

#endif
