/* What differs between the two C libraries the preload is built for (glibc: librwshim.so,
 * musl: librwshim-musl.so). See docs/design.md "The musl preload".
 *
 * PRELOAD_GLIBC_ABI guards the entry points only glibc programs can call: the *64 names
 * (musl's headers turn them into macros for the plain names, so musl programs never reference
 * them, and musl >= 1.2.4 no longer links them), the pre-2.33 __xstat family and the FORTIFY
 * forms (__open_2, __realpath_chk: musl has no FORTIFY). */
#ifndef PRELOAD_LIBC_COMPAT_H
#define PRELOAD_LIBC_COMPAT_H

#include <fcntl.h>
#include <sys/types.h>

#ifdef __GLIBC__
#define PRELOAD_GLIBC_ABI 1
#else
#define PRELOAD_GLIBC_ABI 0

/* musl declares these only from 1.2.5 on (and has no execveat); the preload is built against
 * the oldest musl it supports and may run with a newer one, so it defines them itself and, when
 * the running libc has no such symbol, makes the system call (REAL_OPT). */
struct statx;
int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st);
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags);
int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
#endif

#ifndef __OPEN_NEEDS_MODE
/* glibc's macro: open(2) reads a mode argument only with O_CREAT or O_TMPFILE. */
#define __OPEN_NEEDS_MODE(flags) (((flags) & O_CREAT) != 0 || ((flags) & O_TMPFILE) == O_TMPFILE)
#endif

#endif
