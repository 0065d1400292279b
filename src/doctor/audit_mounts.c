/* Read-only mounts from /proc/self/mountinfo: where writes fail with EROFS whatever the
 * permissions (a container's readOnlyRootFilesystem, a ro bind mount). */
#include "doctor/doctor.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo; decode in place. */
static void unescape(char *s)
{
        char *out = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else {
                        *out++ = *s;
                }
        }
        *out = '\0';
}

static bool has_option(const char *opts, const char *want)
{
        size_t n = strlen(want);

        for (const char *o = opts; o; o = strchr(o, ',')) {
                if (*o == ',')
                        o++;
                if (strncmp(o, want, n) == 0 && (o[n] == ',' || o[n] == '\0'))
                        return true;
        }
        return false;
}

/* Kernel pseudo filesystems are read-only by design in containers; not worth a line. */
static bool boring(const char *mnt)
{
        static const char *const roots[] = { "/proc", "/sys", "/dev" };

        if (strncmp(mnt, "/dev/shm", 8) == 0)
                return false;
        for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
                size_t n = strlen(roots[i]);
                if (strncmp(mnt, roots[i], n) == 0 && (mnt[n] == '/' || mnt[n] == '\0'))
                        return true;
        }
        return false;
}

static int report(struct doctor_plan *p, const char *mnt)
{
        char what[PATH_MAX + 64];

        if (strcmp(mnt, "/") == 0)
                return doctor_problem(p, DOCTOR_WARNING, mnt, NULL,
                                      "the root filesystem is read-only: every write outside a "
                                      "writable mount fails with EROFS",
                                      "mount writable volumes for the dirs listed in the fix (or "
                                      "run the app under 'rwshim run')");
        snprintf(what, sizeof(what), "%s is mounted read-only", mnt);
        return doctor_problem(p, DOCTOR_INFO, mnt, NULL, what,
                              "writes under it fail with EROFS; mount a writable volume on the "
                              "subdirectory that needs writes");
}

int doctor_audit_mounts(struct doctor_plan *p)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t cap = 0;
        int r = 0;

        if (!f)
                return 0;   /* no /proc: nothing to say about mounts, not an error */
        while (r >= 0 && getline(&line, &cap, f) > 0) {
                char mnt[PATH_MAX], opts[512];

                /* id parent major:minor root mountpoint options ... */
                if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", mnt, opts) != 2)
                        continue;
                unescape(mnt);
                if (has_option(opts, "ro") && !boring(mnt))
                        r = report(p, mnt);
        }
        free(line);
        fclose(f);
        return r;
}
