/* --format compose: a service fragment: read_only root, tmpfs for caches and temp dirs,
 * named volumes for state, and the environment. */
#include "doctor/doctor.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void volume_name(const char *path, char *buf, size_t size)
{
        size_t n = (size_t)snprintf(buf, size, "rwshim");

        for (const char *c = path; *c && n + 1 < size; c++) {
                char ch = isalnum((unsigned char)*c) ? (char)tolower((unsigned char)*c) : '-';

                if (ch == '-' && buf[n - 1] == '-')
                        continue;
                buf[n++] = ch;
        }
        buf[n] = '\0';
}

static void emit_tmpfs(const struct doctor_plan *p, FILE *out)
{
        char spec[4200];
        bool header = false;

        for (size_t i = 0; i < p->n_dirs; i++) {
                if (!p->dirs[i].ram || p->dirs[i].kind != RW_FIX_MOUNT || !doctor_dir_emitted(p, &p->dirs[i]))
                        continue;
                if (!header)
                        fputs("    tmpfs:\n", out);
                header = true;
                /* /tmp is shared by every user: sticky and world-writable, as on a host. */
                if (strcmp(p->dirs[i].path, "/tmp") == 0)
                        snprintf(spec, sizeof(spec), "%s:mode=1777", p->dirs[i].path);
                else
                        snprintf(spec, sizeof(spec), "%s:uid=%ld,gid=%ld,mode=0700",
                                 p->dirs[i].path, p->uid, p->gid);
                fputs("      - ", out);
                doctor_yaml_quote(out, spec);
                fputc('\n', out);
        }
}

static bool named_volume(const struct doctor_plan *p, size_t i)
{
        return !p->dirs[i].ram && p->dirs[i].kind == RW_FIX_MOUNT && doctor_dir_emitted(p, &p->dirs[i]);
}

static size_t emit_volumes(const struct doctor_plan *p, FILE *out)
{
        char name[128], spec[4400];
        size_t n = 0;

        for (size_t i = 0; i < p->n_dirs; i++) {
                bool file = p->dirs[i].kind == RW_FIX_FILE_MOUNT;
                const char *base = strrchr(p->dirs[i].path, '/');

                if (!named_volume(p, i) && !file)
                        continue;
                if (!doctor_dir_emitted(p, &p->dirs[i]) || p->dirs[i].kind == RW_FIX_RWSHIM_RUN)
                        continue;
                if (n++ == 0)
                        fputs("    volumes:\n", out);
                volume_name(p->dirs[i].path, name, sizeof(name));
                /* One file: a bind mount of a host file (a named volume is always a dir). */
                if (file)
                        snprintf(spec, sizeof(spec), "./%s:%s", base ? base + 1 : name, p->dirs[i].path);
                else
                        snprintf(spec, sizeof(spec), "%s:%s", name, p->dirs[i].path);
                fputs("      - ", out);
                doctor_yaml_quote(out, spec);
                fprintf(out, "   # %s\n", p->dirs[i].reason);
        }
        return n;
}

static void emit_top_volumes(const struct doctor_plan *p, FILE *out)
{
        char name[128];

        bool any = false;

        for (size_t i = 0; i < p->n_dirs; i++)
                any = any || named_volume(p, i);
        if (!any)
                return;
        fputs("volumes:\n", out);
        for (size_t i = 0; i < p->n_dirs; i++) {
                if (!named_volume(p, i))
                        continue;
                volume_name(p->dirs[i].path, name, sizeof(name));
                fprintf(out, "  %s: {}\n", name);
        }
}

int doctor_emit_compose(const struct doctor_plan *p, FILE *out)
{
        bool env = false;

        doctor_emit_proof_comments(p, out);
        fprintf(out, "# rwshim doctor: compose service fragment from %s.\n"
                     "# Named volumes start owned by root unless the image already has the dir\n"
                     "# owned by the user: create them with the --format dockerfile lines.\n"
                     "services:\n"
                     "  app:\n"
                     "    user: \"%ld:%ld\"\n"
                     "    read_only: true\n", p->source, p->uid, p->gid);
        for (size_t i = 0; i < p->n_env; i++) {
                if (!doctor_env_emitted(p, &p->env[i]))
                        continue;
                if (!env)
                        fputs("    environment:\n", out);
                env = true;
                fprintf(out, "      %s: ", p->env[i].name);
                doctor_yaml_quote(out, p->env[i].value);
                fputc('\n', out);
        }
        emit_tmpfs(p, out);
        if (emit_volumes(p, out) > 0)
                emit_top_volumes(p, out);
        return ferror(out) ? -EIO : 0;
}
