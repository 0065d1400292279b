/* --format dockerfile: ENV lines and the RUN that creates the writable dirs, to paste before
 * USER. ENV in the image (not os.environ in main.py) is what makes import-time settings such
 * as MPLCONFIGDIR take effect. */
#include "doctor/doctor.h"

#include <errno.h>
#include <string.h>

/* Dockerfile ENV value: double quotes, with '"', '\' and '$' escaped. */
static void env_quote(FILE *out, const char *s)
{
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\' || *s == '$')
                        fputc('\\', out);
                fputc(*s, out);
        }
        fputc('"', out);
}

/* Shell word for RUN: single quotes, with ' written as '\''. */
static void sh_quote(FILE *out, const char *s)
{
        fputc('\'', out);
        for (; *s; s++) {
                if (*s == '\'')
                        fputs("'\\''", out);
                else
                        fputc(*s, out);
        }
        fputc('\'', out);
}

static void emit_env(const struct doctor_plan *p, FILE *out)
{
        size_t n = 0, done = 0;

        for (size_t i = 0; i < p->n_env; i++)
                n += doctor_env_emitted(p, &p->env[i]);
        for (size_t i = 0; i < p->n_env; i++) {
                if (!doctor_env_emitted(p, &p->env[i]))
                        continue;
                fprintf(out, "%s%s=", done == 0 ? "ENV " : "    ", p->env[i].name);
                env_quote(out, p->env[i].value);
                fputs(++done < n ? " \\\n" : "\n", out);
        }
}

/* The dirs the RUN line creates: emitted directory mounts, /tmp aside (every image has it). */
static bool created(const struct doctor_plan *p, size_t i)
{
        return doctor_dir_emitted(p, &p->dirs[i]) && p->dirs[i].kind == RW_FIX_MOUNT &&
               strcmp(p->dirs[i].path, "/tmp") != 0;
}

/* /tmp exists in every image with mode 1777; only the other dirs need creating. */
static void emit_dirs(const struct doctor_plan *p, FILE *out)
{
        bool any = false;

        for (size_t i = 0; i < p->n_dirs; i++)
                any = any || created(p, i);
        if (!any)
                return;
        for (int pass = 0; pass < 2; pass++) {
                fputs(pass == 0 ? "RUN mkdir -p" : " \\\n && chown", out);
                if (pass == 1)
                        fprintf(out, " %ld:%ld", p->uid, p->gid);
                for (size_t i = 0; i < p->n_dirs; i++) {
                        if (!created(p, i))
                                continue;
                        fputc(' ', out);
                        sh_quote(out, p->dirs[i].path);
                }
        }
        fputc('\n', out);
}

int doctor_emit_dockerfile(const struct doctor_plan *p, FILE *out)
{
        doctor_emit_proof_comments(p, out);
        fprintf(out, "# rwshim doctor: deployment fix from %s.\n"
                     "# Put these lines before USER; keep the dirs below writable at run time\n"
                     "# (docker run --read-only needs a --tmpfs or volume for each).\n", p->source);
        for (size_t i = 0; i < p->n_dirs; i++) {
                const struct doctor_dir *d = &p->dirs[i];

                if (!doctor_dir_emitted(p, d))
                        continue;
                if (d->kind == RW_FIX_FILE_MOUNT)
                        fprintf(out, "#   %s: one file: docker run --mount type=bind,src=FILE,dst=%s (%s)\n",
                                d->path, d->path, d->reason);
                else if (d->kind == RW_FIX_RWSHIM_RUN)
                        fprintf(out, "#   %s: no mount hides nothing: run the app under `rwshim run` (%s)\n",
                                d->path, d->reason);
                else
                        fprintf(out, "#   %s%s: %s\n", d->path, d->ram ? " (tmpfs ok)" : "", d->reason);
        }
        emit_env(p, out);
        emit_dirs(p, out);
        fprintf(out, "USER %ld:%ld\n", p->uid, p->gid);
        return ferror(out) ? -EIO : 0;
}
