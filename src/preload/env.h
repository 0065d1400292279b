/* Keeping every descendant inside the run: the preload's variables are saved at start and put
 * back into the environment of any exec/posix_spawn whose envp lost them. */
#ifndef PRELOAD_ENV_H
#define PRELOAD_ENV_H

#include <stddef.h>

/* Saves LD_PRELOAD (with this library in it) and the RWSHIM_* variables. Constructor only. */
void preload_env_save(void);

/* The value a saved RWSHIM_* variable had when the process started, or NULL. */
const char *preload_env_saved(const char *name);

/* An environment for exec. Returns envp itself when nothing is missing; else an mmap'd copy
 * with the variables added (release it with preload_env_release if exec fails). */
struct preload_env {
        char **envp;
        void *map;
        size_t map_size;
};
void preload_env_fix(char *const envp[], struct preload_env *out);
void preload_env_release(struct preload_env *env);

#endif
