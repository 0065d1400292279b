/* Is an executable statically linked? (preload-safe) The preload cannot enter a program
 * without PT_INTERP: the supervisor's seccomp backend must serve it instead. */
#ifndef RW_ELF_PROBE_H
#define RW_ELF_PROBE_H

/* 1 if path is a 64-bit ELF executable without PT_INTERP, 0 otherwise (dynamic ELF, script,
 * unreadable). */
int rw_elf_is_static(const char *path);

/* 1: a 64-bit ELF with PT_INTERP (dynamic), 0: without (static), -1: neither (or unreadable). */
int rw_elf_interp(const char *path);

#endif
