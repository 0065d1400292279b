/* Creating, checking and locking an upper dir (CLI side; not preload-safe). */
#ifndef RW_UPPER_DIR_H
#define RW_UPPER_DIR_H

#include "core/err.h"

#define RW_UPPER_FORMAT 1

/* Prepares dir (absolute) as an upper: creates it 0700 if missing, refuses a non-directory,
 * a directory owned by someone else or open to others in a shared place, a non-empty
 * directory that is not an upper, and a newer format version; creates fs/ and .rwshim/
 * (version, index, tmp/), rebuilding the index from fs/ when it is missing or damaged, and
 * takes a shared lock held through *ret_lock_fd. Returns 0 or -errno with e set. */
int rw_upper_prepare(const char *dir, int *ret_lock_fd, struct rw_err *e);

/* Checks an existing upper for reading (diff): directory, format version. */
int rw_upper_check_existing(const char *dir, struct rw_err *e);

/* Removes a whole tree (the --memory upper at exit), dir itself included, also below
 * directories the program made unreadable or unsearchable (chmod 000). Best effort. */
void rw_upper_remove_tree(const char *dir);

#endif
