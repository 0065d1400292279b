/* Which knowledge-base tools are installed here, and can they write where they would by
 * default? A tool is present when one of its commands is on PATH or one of its Python modules
 * is in a site-packages dir of a python3 on PATH. */
#include "doctor/doctor.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool command_on_path(const char *cmd)
{
        const char *path = getenv("PATH");
        char buf[PATH_MAX];

        for (const char *d = path ? path : "/usr/bin:/bin"; *d;) {
                size_t n = strcspn(d, ":");

                if (n > 0 && (size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, d, cmd) < sizeof(buf) &&
                    access(buf, X_OK) == 0)
                        return true;
                d += n;
                if (*d == ':')
                        d++;
        }
        return false;
}

static bool module_in_sites(const char *mod, char **sites)
{
        static const char *const suffixes[] = { "", ".py" };
        char buf[PATH_MAX];

        /* A package dir or a single-file module. */
        for (size_t i = 0; sites && sites[i]; i++)
                for (size_t j = 0; j < 2; j++)
                        if ((size_t)snprintf(buf, sizeof(buf), "%s/%s%s", sites[i], mod,
                                             suffixes[j]) < sizeof(buf) &&
                            access(buf, F_OK) == 0)
                                return true;
        return false;
}

static bool present(const struct rw_kb_tool *t, char **sites)
{
        for (size_t i = 0; i < t->n_commands; i++)
                if (command_on_path(t->commands[i]))
                        return true;
        for (size_t i = 0; i < t->n_python_modules; i++)
                if (module_in_sites(t->python_modules[i], sites))
                        return true;
        return false;
}

/* True when moving HOME already fixes this template: it lives under HOME (directly or through
 * an XDG dir whose variable is unset, hence derived from HOME). */
static bool covered_by_home(const char *tpl)
{
        static const struct { const char *prefix, *var; } home_based[] = {
                { "{home}", NULL }, { "{xdg_cache}", "XDG_CACHE_HOME" },
                { "{xdg_config}", "XDG_CONFIG_HOME" }, { "{xdg_data}", "XDG_DATA_HOME" },
                { "{xdg_state}", "XDG_STATE_HOME" },
        };

        for (size_t i = 0; i < sizeof(home_based) / sizeof(home_based[0]); i++)
                if (strncmp(tpl, home_based[i].prefix, strlen(home_based[i].prefix)) == 0)
                        return !home_based[i].var || !getenv(home_based[i].var);
        return false;
}

static int check_path(struct doctor_plan *p, const struct rw_kb_tool *t,
                      const struct rw_kb_path *kp, const struct rw_kb_ctx *ctx, bool home_fixed,
                      bool *ok)
{
        char dir[PATH_MAX], what[PATH_MAX + 256];

        /* Wildcard templates name fallbacks and per-run instances, not a default to check. */
        if (rw_kb_expand(kp->template, ctx, NULL, NULL, dir, sizeof(dir)) < 0 ||
            strpbrk(dir, "*?[") || doctor_path_writable(dir))
                return 0;
        *ok = false;
        if (home_fixed && covered_by_home(kp->template))
                return 0;
        /* A fixed system path (a server's data dir, a global install prefix) matters only if
         * this container runs that program as its job: say so, do not mount over it. */
        if (kp->template[0] == '/' || (strncmp(kp->template, "{xdg_runtime}", 13) == 0 &&
                                        !getenv("XDG_RUNTIME_DIR"))) {
                snprintf(what, sizeof(what), "%s writes its %s to %s, which is not writable here; "
                         "this matters if the container runs %s", t->name, kp->purpose, dir, t->name);
                return doctor_problem(p, DOCTOR_INFO, dir, t->name, what, t->fix);
        }
        snprintf(what, sizeof(what), "%s would write its %s to %s, which is not writable (%s)",
                 t->name, kp->purpose, dir, t->on_failure);
        int r = doctor_problem(p, strcmp(t->on_failure, "crash") == 0 ? DOCTOR_ERROR : DOCTOR_WARNING,
                               dir, t->name, what, t->fix);
        return r < 0 ? r : doctor_fix_kb_path(p, t, kp, dir);
}

int doctor_audit_tools(struct doctor_plan *p, const struct rw_kb *kb, char **sites,
                       bool home_fixed)
{
        char cwd[PATH_MAX], first[PATH_MAX];
        struct rw_kb_ctx ctx;
        int r = 0;

        rw_kb_ctx_from_env(&ctx, cwd, sizeof(cwd));
        for (size_t i = 0; r >= 0 && i < rw_kb_count(kb); i++) {
                const struct rw_kb_tool *t = rw_kb_tool_at(kb, i);
                bool ok = true;

                if (!present(t, sites))
                        continue;
                for (size_t j = 0; r >= 0 && j < t->n_paths; j++)
                        r = check_path(p, t, &t->paths[j], &ctx, home_fixed, &ok);
                if (r >= 0 && rw_kb_expand(t->paths[0].template, &ctx, NULL, NULL, first,
                                           sizeof(first)) < 0)
                        first[0] = '\0';
                if (r >= 0)
                        r = doctor_add_tool(p, t, first, ok);
        }
        return r;
}
