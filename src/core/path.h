/* Path normalisation (preload-safe): lexical, bounded, no syscalls, no allocation. */
#ifndef RW_PATH_H
#define RW_PATH_H

#include <stddef.h>

/* Joins base (absolute; used only when path is relative) and path, then collapses "//", "."
 * and ".." lexically (".." at the root stays at the root). Writes an absolute path without a
 * trailing slash (except "/") into out. Returns its length, -ENAMETOOLONG if it does not fit
 * in size, -ENOENT for an empty path, -EINVAL if a relative path comes without a base. */
int rw_path_normalize(const char *base, const char *path, char *out, size_t size);

/* True if path equals prefix or lies beneath it ("/a/b" is under "/a", "/ab" is not). */
int rw_path_is_under(const char *path, const char *prefix);

/* Splits an absolute normalised path into its parent (written to parent) and returns a pointer
 * to the last component inside path. For "/" returns "" and parent "/". -ENAMETOOLONG if the
 * parent does not fit. */
int rw_path_split(const char *path, char *parent, size_t size, const char **ret_name);

/* True if path (absolute, normalised) lies under one of the ':'-separated trees in list. */
int rw_path_in_list(const char *path, const char *list);

#endif
