/* Re-inserting the preload into the environment of exec'd programs; see env.h.
 * Runs between fork and exec: no malloc, only mmap and stack. */
#include "preload/env.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const saved_names[] = {
        "RWSHIM_MODE", "RWSHIM_UPPER", "RWSHIM_EVENTS", "RWSHIM_ALL", "RWSHIM_ONLY",
        "RWSHIM_EXCLUDE", "RWSHIM_LIB", "RWSHIM_NOTIFY", "RWSHIM_NOTIFY_PID",
};
#define N_SAVED (sizeof(saved_names) / sizeof(saved_names[0]))

static char saved_vars[N_SAVED][PATH_MAX + 32];   /* "NAME=value", or "" */
static char our_lib[PATH_MAX];
static char saved_preload[2 * PATH_MAX];          /* "LD_PRELOAD=..." as we started */

void preload_env_save(void)
{
        Dl_info info;

        for (size_t i = 0; i < N_SAVED; i++) {
                const char *v = getenv(saved_names[i]);
                size_t ln = strlen(saved_names[i]);

                saved_vars[i][0] = '\0';
                if (!v || ln + strlen(v) + 2 > sizeof(saved_vars[i]))
                        continue;
                memcpy(saved_vars[i], saved_names[i], ln);
                saved_vars[i][ln] = '=';
                memcpy(saved_vars[i] + ln + 1, v, strlen(v) + 1);
        }
        if (dladdr((void *)preload_env_save, &info) && info.dli_fname && strlen(info.dli_fname) < sizeof(our_lib))
                strcpy(our_lib, info.dli_fname);
        const char *lp = getenv("LD_PRELOAD");
        if (lp && strlen(lp) + 12 < sizeof(saved_preload) && strstr(lp, our_lib))
                strcpy(saved_preload, "LD_PRELOAD="), strcat(saved_preload, lp);
        else if (our_lib[0])
                strcpy(saved_preload, "LD_PRELOAD="), strcat(saved_preload, our_lib);
}

const char *preload_env_saved(const char *name)
{
        size_t ln = strlen(name);

        for (size_t i = 0; i < N_SAVED; i++)
                if (strncmp(saved_vars[i], name, ln) == 0 && saved_vars[i][ln] == '=')
                        return saved_vars[i] + ln + 1;
        return NULL;
}

static const char *find_var(char *const envp[], const char *name, size_t len)
{
        for (size_t i = 0; envp && envp[i]; i++)
                if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
                        return envp[i];
        return NULL;
}

/* LD_PRELOAD names our library as a separate entry (':' or ' ' separated). */
static int preload_has_us(const char *var)
{
        const char *p = var + strlen("LD_PRELOAD=");
        size_t n = strlen(our_lib);

        while ((p = strstr(p, our_lib)) != NULL) {
                char after = p[n];
                if (after == '\0' || after == ':' || after == ' ')
                        return 1;
                p += n;
        }
        return 0;
}

void preload_env_fix(char *const envp[], struct preload_env *out)
{
        const char *lp = find_var(envp, "LD_PRELOAD", 10);
        int need_preload = our_lib[0] && (!lp || !preload_has_us(lp));
        size_t missing = 0, n = 0;

        out->envp = (char **)envp;
        out->map = NULL;
        for (size_t i = 0; i < N_SAVED; i++)
                if (saved_vars[i][0] && !find_var(envp, saved_names[i], strlen(saved_names[i])))
                        missing++;
        if (!missing && !need_preload)
                return;
        while (envp && envp[n])
                n++;
        out->map_size = (n + N_SAVED + 2) * sizeof(char *) + sizeof(saved_preload) + PATH_MAX;
        out->map = mmap(NULL, out->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (out->map == MAP_FAILED) {
                out->map = NULL;
                return;   /* exec without the preload rather than fail the program's exec */
        }
        char **env = out->map;
        char *strings = (char *)(env + n + N_SAVED + 2);
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                if (!(need_preload && envp[i] == lp))
                        env[k++] = envp[i];
        for (size_t i = 0; i < N_SAVED; i++)
                if (saved_vars[i][0] && !find_var(envp, saved_names[i], strlen(saved_names[i])))
                        env[k++] = saved_vars[i];
        if (need_preload) {
                if (lp && strlen(lp) + strlen(our_lib) + 2 < sizeof(saved_preload) + PATH_MAX) {
                        strcpy(strings, lp);
                        strcat(strings, ":");
                        strcat(strings, our_lib);
                        env[k++] = strings;
                } else {
                        env[k++] = saved_preload;
                }
        }
        env[k] = NULL;
        out->envp = env;
}

void preload_env_release(struct preload_env *env)
{
        if (env->map)
                munmap(env->map, env->map_size);
        env->map = NULL;
}
