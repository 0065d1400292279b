/* `run --passwd`: a passwd (and group) entry for a uid that has none, made in the upper. */
#ifndef SUPERVISOR_IDENTITY_ENTRY_H
#define SUPERVISOR_IDENTITY_ENTRY_H

#include <limits.h>

#include "core/err.h"

struct sup_identity {
        char name[64];          /* the user name the run sees */
        char home[PATH_MAX];    /* its home directory */
        char line[PATH_MAX + 256];   /* the passwd line added, or "" when the uid had one */
        int added_group;        /* a group entry for the gid was added too */
};

/* Makes sure the current uid and gid have entries in the merged /etc/passwd and /etc/group of
 * the prepared upper (absolute): missing ones are appended to the upper's copies, never to the
 * image's files, with a name ($USER when free, else "user", else "user<uid>"), the gid, and a
 * home ($HOME unless unset or "/", else /home/<name>) that exists in the merged view. Then sets
 * HOME (when unset or "/"), USER and LOGNAME (when unset) in our environment for CMD.
 * Returns 0 or -errno with e set. */
int sup_identity_ensure(const char *upper, struct sup_identity *ret, struct rw_err *e);

#endif
