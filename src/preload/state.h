/* The preload's per-process state and the helpers every wrapper uses.
 * Hot-path rule: deciding to pass a call through reads only this state (no syscall, lock or
 * allocation); see docs/design.md "The hot path". */
#ifndef PRELOAD_STATE_H
#define PRELOAD_STATE_H

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/index.h"
#include "preload/libc_compat.h"

#define PRELOAD_API __attribute__((visibility("default")))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

extern struct rw_engine preload_engine;
extern int preload_events_fd;       /* -1 unless RWSHIM_EVENTS was given */
extern int preload_record_all;      /* trace --all */
extern __thread int preload_busy;   /* recursion guard: set while the engine works */

/* Resolves a libc symbol once (the constructor does all of them; this covers calls made by
 * other libraries' constructors before ours ran). */
void *preload_real(const char *name);
#define REAL(name) (__extension__({ \
        if (unlikely(!real_##name)) \
                real_##name = (__typeof__(real_##name))preload_real(#name); \
        real_##name; }))
#define DECLARE_REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__)

/* For symbols the running libc may lack (musl before 1.2.5 has no statx or renameat2): looked
 * up once, NULL remembered, so the caller's fallback never pays a dlsym per call. Two threads
 * racing here both store the same answer. */
#define REAL_OPT(name) (__extension__({ \
        if (unlikely(!tried_##name)) { \
                real_##name = (__typeof__(real_##name))preload_real(#name); \
                tried_##name = 1; \
        } \
        real_##name; }))
#define DECLARE_REAL_OPT(ret, name, ...) \
        static ret (*real_##name)(__VA_ARGS__); \
        static int tried_##name

extern int preload_ready;            /* the configuration has been read (preload_setup) */
void preload_setup_early(void);

/* Nothing to do at all: not under rwshim, or inside the engine itself. A call made before our
 * constructor ran (by another library's constructor) reads the configuration first; under
 * rwshim the mode is set from then on, so the hot path pays nothing for this. */
static inline int preload_off(void)
{
        if (unlikely(preload_engine.mode == RW_MODE_OFF)) {
                if (unlikely(!preload_ready))
                        preload_setup_early();
                return preload_engine.mode == RW_MODE_OFF || preload_busy;
        }
        return preload_busy;
}

/* A lookup may have to see the upper: only when the upper holds something. */
static inline int preload_upper_nonempty(void)
{
        return preload_engine.mode == RW_MODE_RUN && !rw_index_empty(preload_engine.upper.index);
}

static inline int preload_tracing(void)
{
        return preload_events_fd >= 0 && preload_engine.mode != RW_MODE_RUN;
}

/* Builds the absolute, normalised path of (dirfd, path) as the program means it: relative to
 * the virtual cwd or to the directory dirfd refers to. Returns its length or -errno. */
int preload_abs_path(int dirfd, const char *path, char *out, size_t size);

/* One line on stderr: "rwshim: WHAT: PATH: strerror(err)" (no stdio: any context). */
void preload_warn(const char *what, const char *path, int err);

/* Queries the index for (dirfd, path): fills abs and returns the RW_INDEX_* mask, or 0 when
 * the path cannot be made absolute (then the call simply passes through). */
int preload_query(int dirfd, const char *path, char *abs, size_t size);

/* Sets errno from a -errno result and returns -1, or returns r unchanged. */
static inline int preload_ret(int r)
{
        if (r < 0) {
                errno = -r;
                return -1;
        }
        return r;
}

/* Records one file operation. err is 0 or a positive errno. */
void preload_event(const char *op, int dirfd, const char *path, const char *path2, int flags,
                   int err, enum rw_action action, const void *caller);

/* For write-class calls that went to the real filesystem: records them when tracing. */
static inline void preload_note_write(const char *op, int dirfd, const char *path, const char *path2,
                                      int flags, int result, const void *caller)
{
        if (unlikely(preload_tracing())) {
                int err = result < 0 ? errno : 0;
                preload_event(op, dirfd, path, path2, flags, err,
                              err == 0 ? RW_ACTION_OK
                              : rw_errno_redirectable(err) ? RW_ACTION_DENIED : RW_ACTION_FAILED,
                              caller);
                errno = err ? err : errno;
        }
}

/* Forgets the cached pid in a forked child. */
void preload_events_after_fork(void);

/* The virtual cwd, used for relative paths: read on first use after a change. */
void preload_cwd_changed(void);
/* A rename or rmdir succeeded in this process: names remembered for dirfds may be stale. */
void preload_dirs_moved(void);
const char *preload_cwd(void);

#define CALLER __builtin_return_address(0)

#endif
