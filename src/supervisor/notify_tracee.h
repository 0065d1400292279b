/* The process behind one seccomp notification, seen from the supervisor: its memory, its
 * cwd and fds, its umask. Memory is read with process_vm_readv, the rest through /proc/<tid>,
 * so the caller must check the notification is still valid (SECCOMP_IOCTL_NOTIF_ID_VALID)
 * before trusting what it read. */
#ifndef SUPERVISOR_NOTIFY_TRACEE_H
#define SUPERVISOR_NOTIFY_TRACEE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/layer.h"

struct sup_probe;

struct sup_caller {
        pid_t tid;
        struct sup_probe *probe;   /* what is remembered of the thread (notify_callers.h), or NULL */
};

/* Starts with thread tid, and probe (may be NULL); nothing is opened. Reads fail with -EFAULT
 * when its memory cannot be read (the process is gone, or not ours to read). */
void sup_caller_init(struct sup_caller *c, pid_t tid, struct sup_probe *probe);
void sup_caller_close(struct sup_caller *c);

/* Reads the NUL-terminated string at addr into buf. 0, -EFAULT, or -ENAMETOOLONG. */
int sup_caller_string(struct sup_caller *c, uint64_t addr, char *buf, size_t size);

/* Reads or writes exactly n bytes at addr. 0 or -EFAULT. */
int sup_caller_read(struct sup_caller *c, uint64_t addr, void *buf, size_t n);
int sup_caller_write(struct sup_caller *c, uint64_t addr, const void *buf, size_t n);

/* The absolute, normalised path in the merged view that (dirfd, path) names for the caller:
 * relative paths start at its cwd or at the directory dirfd is open on, both read from /proc
 * and mapped back from the upper to the path the program sees. Returns 0, 1 when the path is
 * relative to a directory the kernel has in the upper (the kernel would resolve it there, not in
 * the merged view), or -errno: -EBADF / -ENOTDIR when dirfd is no directory (the kernel will say
 * so itself), -ENOENT for "". */
int sup_caller_abs_path(struct sup_caller *c, const struct rw_upper *u, int dirfd,
                        const char *path, char *out, size_t size);

/* The directory a relative path of the caller starts from (its cwd, or dirfd's directory).
 * 0, 1 when the kernel has it in the upper, or -errno. */
int sup_caller_base(struct sup_caller *c, const struct rw_upper *u, int dirfd, char *out, size_t size);

/* The real directory the kernel starts the caller's relative paths from (not mapped). */
int sup_caller_real_base(struct sup_caller *c, int dirfd, char *out, size_t size);

/* The virtual path of the file behind the caller's fd (mapped back from the upper: then 1). */
int sup_caller_fd_path(struct sup_caller *c, const struct rw_upper *u, int fd, char *out, size_t size);

/* A copy, in the supervisor, of the caller's fd: the same open file description (shared
 * offset). Returns the new fd (O_CLOEXEC) or -errno. */
int sup_caller_dup_fd(struct sup_caller *c, int fd);

/* The caller's umask, or 022 if /proc does not tell. */
mode_t sup_caller_umask(struct sup_caller *c);

#endif
