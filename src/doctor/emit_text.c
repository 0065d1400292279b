/* --format text: the problems with their fixes, the tools found, and the fix in one block. */
#include "doctor/doctor.h"

#include <errno.h>

static void print_problems(const struct doctor_plan *p, FILE *out)
{
        if (p->n_problems == 0) {
                fputs("No problems found.\n", out);
                return;
        }
        fputs("Problems, most important first:\n", out);
        for (size_t i = 0; i < p->n_problems; i++) {
                const struct doctor_problem *pr = &p->problems[i];

                fprintf(out, "  %-7s %s\n", doctor_severity_name(pr->severity), pr->what);
                if (pr->tool)
                        fprintf(out, "          tool: %s\n", pr->tool);
                fprintf(out, "          fix: %s\n", pr->fix);
        }
}

static void print_tools(const struct doctor_plan *p, FILE *out)
{
        if (p->n_tools == 0)
                return;
        fputs("\nKnown tools seen:\n", out);
        for (size_t i = 0; i < p->n_tools; i++) {
                const struct doctor_tool *t = &p->tools[i];

                fprintf(out, "  %-22s %-8s %s\n", t->tool->name, t->ok ? "ok" : "PROBLEM",
                        t->path ? t->path : "");
                if (!t->ok)
                        fprintf(out, "  %-22s          fix: %s\n", "", t->tool->fix);
        }
}

static void print_fix(const struct doctor_plan *p, FILE *out)
{
        static const char *const labels[] = { "env", "writable", "file", "rwshim" };

        fputs("\nDeployment fix:\n", out);
        for (size_t i = 0; i < p->n_env; i++)
                fprintf(out, "  env        %s=%s   (knob, kb: %s)%s%s\n", p->env[i].name, p->env[i].value,
                        p->env[i].reason, p->proved ? " " : "", p->proved ? doctor_proof_name(p->env[i].proof) : "");
        for (size_t i = 0; i < p->n_dirs; i++) {
                const struct doctor_dir *d = &p->dirs[i];

                fprintf(out, "  %-10s %s%s   (%s, %s: %s)%s%s\n", labels[d->kind], d->path, d->ram ? " [RAM ok]" : "",
                        rw_fix_kind_name(d->kind), d->source ? d->source : "inferred", d->reason,
                        p->proved ? " " : "", p->proved ? doctor_proof_name(d->proof) : "");
        }
        fputs(p->proved ? "Emit it with --format dockerfile, kubernetes or compose (proven parts only; --unproven for all).\n"
                        : "Emit it with --format dockerfile, kubernetes or compose; prove it with --prove.\n", out);
}

int doctor_emit_text(const struct doctor_plan *p, FILE *out)
{
        fprintf(out, "rwshim doctor: audited %s; the fix runs the app as uid %ld gid %ld\n\n",
                p->source, p->uid, p->gid);
        print_problems(p, out);
        print_tools(p, out);
        print_fix(p, out);
        return ferror(out) ? -EIO : 0;
}
