/* From "this tool writes here" to the deployment fix: which env var to set to what, and which
 * dir must be writable. Shared by the audit and --from, so both give the same advice. */
#include "doctor/doctor.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Removes the last n components of path in place ("/a/b/c", 1 -> "/a/b"); never past "/". */
static void strip_components(char *path, int n)
{
        while (n-- > 0) {
                char *slash = strrchr(path, '/');

                if (!slash)
                        return;
                if (slash == path) {
                        path[1] = '\0';
                        return;
                }
                *slash = '\0';
        }
}

static int count_components(const char *s)
{
        int n = 1;

        for (; *s; s++)
                n += *s == '/';
        return n;
}

/* A template whose last component has a wildcard names many instances (tmpXXXX,
 * matplotlib-XXXX); what can be moved and mounted is their parent. */
static bool last_component_is_wild(const char *tpl)
{
        const char *last = strrchr(tpl, '/');

        return last && strpbrk(last, "*?[") != NULL;
}

/* Moves the path to the entry's relocate template under the cache or state root. */
static int relocate(struct doctor_plan *p, const struct rw_kb_tool *t, const struct rw_kb_path *kp,
                    const char *why)
{
        const struct rw_kb_ctx ctx = { .uid = p->uid };
        bool cache = strncmp(kp->relocate, "{cache_root}", 12) == 0;
        char value[PATH_MAX];
        int r;

        r = rw_kb_expand(kp->relocate, &ctx, DOCTOR_CACHE_ROOT, DOCTOR_STATE_ROOT, value,
                         sizeof(value));
        if (r < 0)
                return r;
        r = doctor_add_env(p, kp->env, value, why);
        if (r < 0)
                return r;
        return doctor_add_dir(p, cache ? DOCTOR_CACHE_ROOT : DOCTOR_STATE_ROOT,
                              cache && kp->ram_ok, t->name);
}

int doctor_fix_kb_path(struct doctor_plan *p, const struct rw_kb_tool *t,
                       const struct rw_kb_path *kp, const char *dir)
{
        char target[PATH_MAX], why[256];
        int r;

        snprintf(why, sizeof(why), "%s: %s", t->name, kp->purpose);
        if (kp->env && kp->relocate)
                return relocate(p, t, kp, why);
        if ((size_t)snprintf(target, sizeof(target), "%s", dir) >= sizeof(target))
                return -ENAMETOOLONG;
        if (strcmp(kp->type, "file") == 0 || last_component_is_wild(kp->template))
                strip_components(target, 1);
        else if (kp->env && kp->env_suffix)
                strip_components(target, count_components(kp->env_suffix));
        if (strcmp(target, "/") == 0) {
                snprintf(why, sizeof(why), "%s writes directly into /", t->name);
                return doctor_problem(p, DOCTOR_WARNING, dir, t->name, why, t->fix);
        }
        /* A tool's dir that holds files here (a dotfile's dir: HOME) takes no volume. */
        if (!kp->env && rw_dir_is_empty(target) == 0)
                return doctor_fix_plain_path(p, dir, strcmp(kp->type, "file") != 0, false, true, why);
        /* The variable's dir holds files here (an app living in /var/tmp): the variable
         * moves the tool to a dir of its own instead of a volume over them. */
        if (kp->env && rw_dir_is_empty(target) == 0) {
                struct rw_fix f;

                rw_fix_knob(kp->env, t->name, kp->ram_ok, &f);
                if ((r = doctor_add_env(p, f.env, f.value, why)) < 0)
                        return r;
                return doctor_add_dir(p, f.path, kp->ram_ok, why);
        }
        if (kp->env) {
                r = doctor_add_env(p, kp->env, target, why);
                if (r < 0)
                        return r;
        }
        return doctor_add_dir(p, target, kp->ram_ok, why);
}

int doctor_fix_plain_path(struct doctor_plan *p, const char *path, bool is_dir, bool replaces,
                          bool fixed_name, const char *reason)
{
        struct rw_fix f;

        if (rw_fix_infer(path, is_dir, replaces, fixed_name, &f) < 0)
                return 0;
        if (f.kind == RW_FIX_RWSHIM_RUN && doctor_problem(p, DOCTOR_WARNING, path, NULL, f.why,
                                                          "run the program under `rwshim run`, or change where it writes") < 0)
                return -ENOMEM;
        return doctor_add_fix(p, &f, false, reason);
}
