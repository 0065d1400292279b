/* What kind of program CMD is, before starting it. */
#ifndef SUPERVISOR_EXEC_PROBE_H
#define SUPERVISOR_EXEC_PROBE_H

#include <stddef.h>

#include "core/elf_probe.h"

/* Looks cmd up in PATH (unless it has a '/') and writes the file found to out.
 * Returns 0, -ENOENT (not found: exit 127) or -EACCES (found, not executable: 126). */
int sup_find_command(const char *cmd, char *out, size_t size);

/* The same lookup in the upper's tree (UPPER/fs): a program an earlier run wrote there (a
 * build's output) runs from there, as exec from the preload does. Same returns. */
int sup_find_command_in_upper(const char *upper, const char *cmd, char *out, size_t size);

/* 1 if exec(path) runs a program the preload cannot enter (static or Go, `#!` followed),
 * 0 otherwise (glibc or musl dynamic, or unreadable). */
int sup_is_static_elf(const char *path);

/* What exec(path) runs, `#!` interpreters followed as the kernel does (core/elf_probe.h). */
enum rw_exec_kind sup_exec_kind(const char *path);

/* 1 if path is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it. */
int sup_is_setid(const char *path);

#endif
