/* The fix plan: problems found, env vars to set, dirs that must be writable. See doctor.h. */
#include "doctor/doctor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"

/* Grows an array by one element; returns the new element (zeroed) or NULL. */
static void *grow(void *arrayp, size_t *n, size_t elem)
{
        void **array = arrayp;
        char *a = realloc(*array, (*n + 1) * elem);

        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * elem, 0, elem);
        return a + (*n)++ * elem;
}

/* strdup that maps NULL to NULL; *failed is set when a copy could not be made. */
static char *dup_or_null(const char *s, bool *failed)
{
        char *c;

        if (!s)
                return NULL;
        c = strdup(s);
        if (!c)
                *failed = true;
        return c;
}

void doctor_plan_init(struct doctor_plan *p, long uid, long gid, const char *source)
{
        memset(p, 0, sizeof(*p));
        p->uid = uid;
        p->gid = gid;
        p->source = source;
}

void doctor_plan_free(struct doctor_plan *p)
{
        for (size_t i = 0; i < p->n_problems; i++) {
                free(p->problems[i].what);
                free(p->problems[i].path);
                free(p->problems[i].tool);
                free(p->problems[i].fix);
        }
        for (size_t i = 0; i < p->n_env; i++) {
                free(p->env[i].name);
                free(p->env[i].value);
                free(p->env[i].reason);
        }
        for (size_t i = 0; i < p->n_dirs; i++) {
                free(p->dirs[i].path);
                free(p->dirs[i].reason);
        }
        for (size_t i = 0; i < p->n_tools; i++)
                free(p->tools[i].path);
        for (size_t i = 0; p->argv && p->argv[i]; i++)
                free(p->argv[i]);
        free(p->argv);
        free(p->proof_note);
        free(p->problems);
        free(p->env);
        free(p->dirs);
        free(p->tools);
        memset(p, 0, sizeof(*p));
}

int doctor_problem(struct doctor_plan *p, enum doctor_severity sev, const char *path,
                   const char *tool, const char *what, const char *fix)
{
        struct doctor_problem *pr = grow(&p->problems, &p->n_problems, sizeof(*pr));
        bool failed = false;

        if (!pr)
                return -ENOMEM;
        pr->severity = sev;
        pr->what = dup_or_null(what, &failed);
        pr->path = dup_or_null(path, &failed);
        pr->tool = dup_or_null(tool, &failed);
        pr->fix = dup_or_null(fix, &failed);
        return failed ? -ENOMEM : 0;
}

const struct doctor_env *doctor_find_env(const struct doctor_plan *p, const char *name)
{
        for (size_t i = 0; i < p->n_env; i++)
                if (strcmp(p->env[i].name, name) == 0)
                        return &p->env[i];
        return NULL;
}

int doctor_add_env(struct doctor_plan *p, const char *name, const char *value, const char *reason)
{
        struct doctor_env *v;
        bool failed = false;

        if (doctor_find_env(p, name))
                return 0;
        v = grow(&p->env, &p->n_env, sizeof(*v));
        if (!v)
                return -ENOMEM;
        v->name = dup_or_null(name, &failed);
        v->value = dup_or_null(value, &failed);
        v->reason = dup_or_null(reason, &failed);
        return failed ? -ENOMEM : 0;
}

/* Drops fixes lying under path: one volume at path covers them. A RAM dir folded into a disk
 * one stays on disk; a disk dir folded into a RAM one makes the whole volume disk-backed. */
static bool fold_children(struct doctor_plan *p, const char *path)
{
        bool ram = true;
        size_t j = 0;

        for (size_t i = 0; i < p->n_dirs; i++) {
                if (rw_path_is_under(p->dirs[i].path, path)) {
                        ram = ram && p->dirs[i].ram;
                        free(p->dirs[i].path);
                        free(p->dirs[i].reason);
                        continue;
                }
                p->dirs[j++] = p->dirs[i];
        }
        p->n_dirs = j;
        return ram;
}

int doctor_add_fix(struct doctor_plan *p, const struct rw_fix *f, bool ram, const char *reason)
{
        struct doctor_dir *d;
        bool failed = false;

        for (size_t i = 0; i < p->n_dirs; i++) {
                const struct doctor_dir *o = &p->dirs[i];

                if ((o->kind == RW_FIX_MOUNT || o->kind == f->kind) && rw_path_is_under(f->path, o->path)) {
                        p->dirs[i].ram = p->dirs[i].ram && ram;
                        return 0;
                }
        }
        /* Only a directory mount holds what lies beneath it. */
        if (f->kind == RW_FIX_MOUNT)
                ram = fold_children(p, f->path) && ram;
        d = grow(&p->dirs, &p->n_dirs, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->path = dup_or_null(f->path, &failed);
        d->ram = ram;
        d->reason = dup_or_null(reason, &failed);
        d->kind = f->kind;
        d->source = f->source;
        return failed ? -ENOMEM : 0;
}

int doctor_add_dir(struct doctor_plan *p, const char *path, bool ram, const char *reason)
{
        struct rw_fix f = { .kind = RW_FIX_MOUNT, .source = "kb" };

        if ((size_t)snprintf(f.path, sizeof(f.path), "%s", path) >= sizeof(f.path))
                return -ENAMETOOLONG;
        return doctor_add_fix(p, &f, ram, reason);
}

bool doctor_env_emitted(const struct doctor_plan *p, const struct doctor_env *v)
{
        return !p->proved || p->unproven_too || v->proof == DOCTOR_PROVEN;
}

bool doctor_dir_emitted(const struct doctor_plan *p, const struct doctor_dir *d)
{
        return !p->proved || p->unproven_too || d->proof == DOCTOR_PROVEN;
}

const char *doctor_proof_name(enum doctor_proof proof)
{
        return proof == DOCTOR_PROVEN ? "proven" : proof == DOCTOR_NOT_ENOUGH ? "not enough"
             : proof == DOCTOR_NOT_NEEDED ? "not needed" : "not proven";
}

void doctor_emit_proof_comments(const struct doctor_plan *p, FILE *out)
{
        if (!p->proved) {
                fputs("# Not proven: add --prove to re-run the traced command with this fix simulated.\n", out);
                return;
        }
        fprintf(out, "# --prove: %s\n", p->proof_note ? p->proof_note : "");
        for (size_t i = 0; i < p->n_env; i++)
                fprintf(out, "#   %s%s: env %s=%s\n", doctor_proof_name(p->env[i].proof),
                        doctor_env_emitted(p, &p->env[i]) ? "" : " (left out)", p->env[i].name, p->env[i].value);
        for (size_t i = 0; i < p->n_dirs; i++)
                fprintf(out, "#   %s%s: %s %s\n", doctor_proof_name(p->dirs[i].proof),
                        doctor_dir_emitted(p, &p->dirs[i]) ? "" : " (left out)", rw_fix_kind_name(p->dirs[i].kind),
                        p->dirs[i].path);
}

int doctor_add_tool(struct doctor_plan *p, const struct rw_kb_tool *t, const char *path, bool ok)
{
        struct doctor_tool *dt;
        bool failed = false;

        for (size_t i = 0; i < p->n_tools; i++) {
                if (p->tools[i].tool == t) {
                        p->tools[i].ok = p->tools[i].ok && ok;
                        return 0;
                }
        }
        dt = grow(&p->tools, &p->n_tools, sizeof(*dt));
        if (!dt)
                return -ENOMEM;
        dt->tool = t;
        dt->path = dup_or_null(path, &failed);
        dt->ok = ok;
        return failed ? -ENOMEM : 0;
}

const char *doctor_severity_name(enum doctor_severity s)
{
        switch (s) {
        case DOCTOR_ERROR:
                return "error";
        case DOCTOR_WARNING:
                return "warning";
        default:
                return "info";
        }
}

/* Stable sort by severity, so errors come first and, within one severity, the audit's order
 * (HOME before the tools that suffer from it) is kept. */
void doctor_plan_sort(struct doctor_plan *p)
{
        for (size_t i = 1; i < p->n_problems; i++) {
                struct doctor_problem key = p->problems[i];
                size_t j = i;

                while (j > 0 && p->problems[j - 1].severity > key.severity) {
                        p->problems[j] = p->problems[j - 1];
                        j--;
                }
                p->problems[j] = key;
        }
}
