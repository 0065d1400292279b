/* Copy-up (preload-safe): bring a lower object into the upper, atomically. */
#ifndef RW_COPY_UP_H
#define RW_COPY_UP_H

#include "core/layer.h"

/* Copies the lower object at abs (resolved virtual path that the upper does not hold) into
 * UPPER/fs/abs: a regular file with its data (or empty when with_data is 0, for O_TRUNC), mode
 * and times; a directory as an empty directory with its mode; a symlink with its target.
 * The data goes to a temp file in UPPER/.rwshim/tmp, is fsync'd, then renamed into place
 * without replacing, so a crash leaves the old view or the new one, never a partial file.
 * Devices, fifos and sockets are refused (-EPERM). A file the user cannot read is not copied
 * (-EACCES): a redirect never grants more than the user has. Returns 0 or -errno; 0 also when
 * another process copied it up first. */
int rw_copy_up(const struct rw_upper *u, const char *abs, int with_data);

#endif
