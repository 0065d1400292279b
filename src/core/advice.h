/* The deployment fix for one refused write: set a knob, mount a writable dir, mount one file,
 * or (when no mount can work without hiding what the program reads) run under `rwshim run`.
 * Shared by trace (its --json and report), check --suggest and doctor, so all three give the
 * same advice. A mount is only ever proposed where it hides nothing: at a directory that does
 * not exist yet (the runtime creates the mount point) or at one that is empty on this machine.
 * NOT preload-safe: it reads directories. */
#ifndef RW_ADVICE_H
#define RW_ADVICE_H

#include <limits.h>

enum rw_fix_kind {
        RW_FIX_KNOB,            /* set an environment variable (the knowledge base's) */
        RW_FIX_MOUNT,           /* a writable volume at a directory */
        RW_FIX_FILE_MOUNT,      /* a writable file mounted over one file (subPath, bind of a file) */
        RW_FIX_RWSHIM_RUN,      /* no mount works: run the program under `rwshim run` */
};

struct rw_fix {
        enum rw_fix_kind kind;
        char path[PATH_MAX];    /* mount point or file; for a knob, the dir its value needs */
        char env[64];           /* knob: the variable */
        char value[PATH_MAX];   /* knob: its value */
        const char *source;     /* "kb" (the knowledge base) or "inferred" (from the filesystem) */
        const char *why;        /* a few words for people: why this fix and no wider one */
};

/* Where fixes put what a knob moves: one writable dir per tool under these roots. */
#define RW_FIX_CACHE_ROOT "/var/cache/app"
#define RW_FIX_STATE_ROOT "/var/lib/app"

/* "knob", "mount", "file-mount", "rwshim-run". */
const char *rw_fix_kind_name(enum rw_fix_kind kind);

/* The inferred fix for a refused write of path, looking at what the filesystem holds now.
 * creates_dir: the call creates path as a directory (mkdir). replaces: path is the target of
 * a rename or link, or is being removed. fixed_name: the file has a name the program will use
 * again (not an O_EXCL/mkstemp temp name), so one file can be mounted there.
 * Returns 0 with ret filled (source "inferred"), or -EINVAL for a relative path. */
int rw_fix_infer(const char *path, int creates_dir, int replaces, int fixed_name, struct rw_fix *ret);

/* A knob fix: variable env moves tool's files; the value is its own dir under the cache root
 * (ram_ok) or the state root, which is also the mount it needs. */
void rw_fix_knob(const char *env, const char *tool, int ram_ok, struct rw_fix *ret);

/* 1 if dir is an existing directory with no entry but . and .., 0 if it has entries,
 * -errno if it cannot be read (missing, not a dir). */
int rw_dir_is_empty(const char *dir);

#endif
