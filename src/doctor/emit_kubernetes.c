/* --format kubernetes: a Pod spec patch: read-only root filesystem, the env vars, and one
 * volume per writable dir: an emptyDir (RAM-backed when it only holds caches or temp files), or
 * a PersistentVolumeClaim for a dir of the app's own data; a file mount uses subPath. */
#include "doctor/doctor.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Volume names must be DNS labels (lowercase alphanumerics and '-', at most 63). */
static void volume_name(const struct doctor_plan *p, size_t i, char *buf, size_t size)
{
        size_t n = (size_t)snprintf(buf, size, "rwshim-%zu", i);

        for (const char *c = p->dirs[i].path; *c && n + 2 < size && n < 62; c++) {
                char ch = (char)tolower((unsigned char)*c);

                if (!isalnum((unsigned char)ch))
                        ch = '-';
                if (ch == '-' && buf[n - 1] == '-')
                        continue;
                buf[n++] = ch;
        }
        while (buf[n - 1] == '-')
                n--;
        buf[n] = '\0';
}

/* A volume for this dir: emitted, and a mount or file mount (rwshim run takes none). */
static bool has_volume(const struct doctor_plan *p, size_t i)
{
        return doctor_dir_emitted(p, &p->dirs[i]) && p->dirs[i].kind != RW_FIX_RWSHIM_RUN;
}

static void emit_env(const struct doctor_plan *p, FILE *out)
{
        bool header = false;

        for (size_t i = 0; i < p->n_env; i++) {
                if (!doctor_env_emitted(p, &p->env[i]))
                        continue;
                if (!header)
                        fputs("      env:\n", out);
                header = true;
                fputs("        - name: ", out);
                doctor_yaml_quote(out, p->env[i].name);
                fputs("\n          value: ", out);
                doctor_yaml_quote(out, p->env[i].value);
                fputc('\n', out);
        }
}

static size_t count_volumes(const struct doctor_plan *p)
{
        size_t n = 0;

        for (size_t i = 0; i < p->n_dirs; i++)
                n += has_volume(p, i);
        return n;
}

/* A file mount is the volume's file of that name mounted over the one file (subPath). */
static void emit_mounts(const struct doctor_plan *p, FILE *out)
{
        char name[64];

        if (count_volumes(p) == 0)
                return;
        fputs("      volumeMounts:\n", out);
        for (size_t i = 0; i < p->n_dirs; i++) {
                const char *slash = strrchr(p->dirs[i].path, '/');

                if (!has_volume(p, i))
                        continue;
                volume_name(p, i, name, sizeof(name));
                fprintf(out, "        - name: %s\n          mountPath: ", name);
                doctor_yaml_quote(out, p->dirs[i].path);
                if (p->dirs[i].kind == RW_FIX_FILE_MOUNT) {
                        fputs("\n          subPath: ", out);
                        doctor_yaml_quote(out, slash ? slash + 1 : p->dirs[i].path);
                }
                fputc('\n', out);
        }
}

static void emit_volumes(const struct doctor_plan *p, FILE *out)
{
        char name[64];

        if (count_volumes(p) == 0)
                return;
        fputs("  volumes:\n", out);
        for (size_t i = 0; i < p->n_dirs; i++) {
                if (!has_volume(p, i))
                        continue;
                volume_name(p, i, name, sizeof(name));
                fprintf(out, "    - name: %s   # %s\n", name, p->dirs[i].reason);
                /* A dir only the trace knows about holds the app's own data (a store): it must
                 * outlive the Pod, so a claim; the others are scratch. */
                if (!p->dirs[i].ram && p->dirs[i].source && strcmp(p->dirs[i].source, "inferred") == 0)
                        fprintf(out, "      persistentVolumeClaim:\n        claimName: %s\n", name);
                else
                        fputs(p->dirs[i].ram ? "      emptyDir:\n        medium: Memory\n"
                                             : "      emptyDir: {}\n", out);
        }
}

/* Writes no mount can fix: said, since the patch alone will not make them pass. */
static void emit_rwshim_run(const struct doctor_plan *p, FILE *out)
{
        for (size_t i = 0; i < p->n_dirs; i++)
                if (p->dirs[i].kind == RW_FIX_RWSHIM_RUN && doctor_dir_emitted(p, &p->dirs[i]))
                        fprintf(out, "# no volume for %s (it would hide files the app reads): run the app\n"
                                     "# under `rwshim run` (as the container command) for it.\n", p->dirs[i].path);
}

int doctor_emit_kubernetes(const struct doctor_plan *p, FILE *out)
{
        doctor_emit_proof_comments(p, out);
        emit_rwshim_run(p, out);
        fprintf(out, "# rwshim doctor: Pod spec patch from %s.\n"
                     "# Merge into your Pod template (container \"app\": rename to yours).\n"
                     "spec:\n"
                     "  securityContext:\n"
                     "    runAsNonRoot: true\n"
                     "    runAsUser: %ld\n"
                     "    runAsGroup: %ld\n"
                     "    fsGroup: %ld\n"
                     "  containers:\n"
                     "    - name: app\n"
                     "      securityContext:\n"
                     "        readOnlyRootFilesystem: true\n"
                     "        allowPrivilegeEscalation: false\n",
                p->source, p->uid, p->gid, p->gid);
        emit_env(p, out);
        emit_mounts(p, out);
        emit_volumes(p, out);
        return ferror(out) ? -EIO : 0;
}
