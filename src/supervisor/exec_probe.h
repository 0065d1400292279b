/* What kind of program CMD is, before starting it. */
#ifndef SUPERVISOR_EXEC_PROBE_H
#define SUPERVISOR_EXEC_PROBE_H

#include <stddef.h>

/* Looks cmd up in PATH (unless it has a '/') and writes the file found to out.
 * Returns 0, -ENOENT (not found: exit 127) or -EACCES (found, not executable: 126). */
int sup_find_command(const char *cmd, char *out, size_t size);

/* 1 if path is an ELF executable without PT_INTERP (statically linked: the preload cannot
 * enter it), 0 otherwise (dynamic ELF, script, or unreadable). */
int sup_is_static_elf(const char *path);

/* 1 if path is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it. */
int sup_is_setid(const char *path);

#endif
