/* Keeping every descendant inside the run: the preload's variables are saved at start and put
 * back into the environment of any exec/posix_spawn whose envp lost them. */
#ifndef PRELOAD_ENV_H
#define PRELOAD_ENV_H

#include <stddef.h>

#include "core/elf_probe.h"

/* Saves LD_PRELOAD (with this library in it) and the RWSHIM_* variables. Constructor only. */
void preload_env_save(void);

/* The value a saved RWSHIM_* variable had when the process started, or NULL. */
const char *preload_env_saved(const char *name);

/* An environment for exec'ing a program of the given kind: the RWSHIM_* variables put back,
 * and LD_PRELOAD naming the preload that matches the target's C library (glibc's or musl's;
 * for static and Go programs, which load none, the caller's own, for their dynamic
 * children), or none of ours (another libc, or the matching preload is not installed: then
 * one line says so, naming path). Sets envp to envp itself when nothing changes; else to an
 * mmap'd copy (release it with preload_env_release if exec fails). */
struct preload_env {
        char **envp;
        void *map;
        size_t map_size;
};
void preload_env_fix(char *const envp[], enum rw_exec_kind kind, const char *path, struct preload_env *out);
void preload_env_release(struct preload_env *env);

#endif
