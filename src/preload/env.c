/* Re-inserting the preload into the environment of exec'd programs; see env.h.
 * Runs between fork and exec: no malloc, only mmap and stack. */
#include "preload/env.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/sys.h"
#include "preload/state.h"

static const char *const saved_names[] = {
        "RWSHIM_MODE", "RWSHIM_UPPER", "RWSHIM_EVENTS", "RWSHIM_SPOOL", "RWSHIM_ALL", "RWSHIM_ONLY",
        "RWSHIM_EXCLUDE", "RWSHIM_LIB", "RWSHIM_NOTIFY", "RWSHIM_NOTIFY_PID", "RWSHIM_EXE",
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

/* The preload for each C library: RWSHIM_LIB (glibc's) and librwshim-musl.so beside it. */
static char glibc_lib[PATH_MAX], musl_lib[PATH_MAX];

static void find_libs(void)
{
        const char *lib = preload_env_saved("RWSHIM_LIB");
        const char *from = lib && *lib ? lib : our_lib;
        const char *slash = strrchr(from, '/');
        size_t dir = slash ? (size_t)(slash - from) + 1 : 0;

        if (lib && *lib && strlen(lib) < sizeof(glibc_lib))
                strcpy(glibc_lib, lib);
        else if (dir + sizeof("librwshim.so") <= sizeof(glibc_lib))
                memcpy(glibc_lib, from, dir), strcpy(glibc_lib + dir, "librwshim.so");
        if (dir + sizeof("librwshim-musl.so") <= sizeof(musl_lib))
                memcpy(musl_lib, from, dir), strcpy(musl_lib + dir, "librwshim-musl.so");
}

/* One LD_PRELOAD entry (len bytes) is one of our libraries. */
static int is_ours(const char *entry, size_t len)
{
        const char *base = entry;

        for (size_t i = 0; i < len; i++)
                if (entry[i] == '/')
                        base = entry + i + 1;
        size_t lb = len - (size_t)(base - entry);
        return (lb == 12 && memcmp(base, "librwshim.so", 12) == 0) ||
               (lb == 17 && memcmp(base, "librwshim-musl.so", 17) == 0) ||
               (len == strlen(our_lib) && memcmp(entry, our_lib, len) == 0);
}

/* The library a program of this kind must preload, or NULL for none of ours. */
static const char *wanted_lib(enum rw_exec_kind kind, const char *path)
{
        if (!glibc_lib[0] && !musl_lib[0])
                find_libs();
        switch (kind) {
        case RW_EXEC_GLIBC:
                return glibc_lib[0] ? glibc_lib : our_lib;
        case RW_EXEC_MUSL:
                if (rw_faccessat(AT_FDCWD, musl_lib, R_OK, 0) == 0)
                        return musl_lib;
                preload_warn("a musl program runs untouched (no librwshim-musl.so beside librwshim.so)", path, ENOENT);
                return NULL;
        case RW_EXEC_OTHER:
                preload_warn("a program for another C library or architecture runs untouched", path, ENOEXEC);
                return NULL;
        default:   /* static, Go, or not an ELF we can read: keep the caller's, for its children */
                return our_lib[0] ? our_lib : NULL;
        }
}

/* "LD_PRELOAD=" + the entries of lp (NULL: none) that are not ours, then want. Returns 0
 * when the variable is not wanted at all (nothing left). */
static int build_preload(const char *lp, const char *want, char *out, size_t size)
{
        size_t n = strlen("LD_PRELOAD=");
        const char *p = lp ? lp + n : "";

        memcpy(out, "LD_PRELOAD=", n + 1);
        while (*p) {
                size_t len = strcspn(p, ": ");
                if (len && !is_ours(p, len) && n + len + 2 < size) {
                        if (out[n - 1] != '=')
                                out[n++] = ':';
                        memcpy(out + n, p, len);
                        out[n += len] = '\0';
                }
                p += len;
                p += *p ? 1 : 0;
        }
        if (want && n + strlen(want) + 2 < size) {
                if (out[n - 1] != '=')
                        out[n++] = ':';
                strcpy(out + n, want);
        }
        return out[strlen("LD_PRELOAD=")] != '\0';
}

void preload_env_fix(char *const envp[], enum rw_exec_kind kind, const char *path, struct preload_env *out)
{
        const char *lp = find_var(envp, "LD_PRELOAD", 10);
        char preload[sizeof(saved_preload) + PATH_MAX];
        /* A cleared environment gets what we started with (a sanitizer runtime stays first). */
        const char *base = lp ? lp : saved_preload[0] ? saved_preload : NULL;
        int keep = build_preload(base, wanted_lib(kind, path), preload, sizeof(preload));
        int change_preload = keep ? !lp || strcmp(lp, preload) != 0 : lp != NULL;
        size_t missing = 0, n = 0;

        out->envp = (char **)envp;
        out->map = NULL;
        for (size_t i = 0; i < N_SAVED; i++)
                if (saved_vars[i][0] && !find_var(envp, saved_names[i], strlen(saved_names[i])))
                        missing++;
        if (!missing && !change_preload)
                return;
        while (envp && envp[n])
                n++;
        out->map_size = (n + N_SAVED + 2) * sizeof(char *) + sizeof(preload);
        out->map = mmap(NULL, out->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (out->map == MAP_FAILED) {
                out->map = NULL;
                return;   /* exec as asked rather than fail the program's exec */
        }
        char **env = out->map;
        char *strings = (char *)(env + n + N_SAVED + 2);
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                if (!(change_preload && envp[i] == lp))
                        env[k++] = envp[i];
        for (size_t i = 0; i < N_SAVED; i++)
                if (saved_vars[i][0] && !find_var(envp, saved_names[i], strlen(saved_names[i])))
                        env[k++] = saved_vars[i];
        if (change_preload && keep) {
                strcpy(strings, preload);
                env[k++] = strings;
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
