/* Temp dirs: TMPDIR, /tmp, /var/tmp, /dev/shm and the XDG variables, each checked as the
 * current user. /tmp is always part of the fix: with a read-only root filesystem nearly every
 * program needs it. */
#include "doctor/doctor.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int check_dir(struct doctor_plan *p, const char *label, const char *dir,
                     enum doctor_severity sev, const char *fix)
{
        char what[PATH_MAX + 128];
        struct stat st;

        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                snprintf(what, sizeof(what), "%s %s does not exist", label, dir);
        else if (!doctor_path_writable(dir))
                snprintf(what, sizeof(what), "%s %s is not writable", label, dir);
        else
                return 0;
        return doctor_problem(p, sev, dir, NULL, what, fix);
}

static int audit_tmpdir(struct doctor_plan *p)
{
        const char *t = getenv("TMPDIR");

        if (!t || !*t)
                return 0;
        return check_dir(p, "TMPDIR", t, DOCTOR_ERROR,
                         "unset TMPDIR or point it at a writable directory");
}

static int audit_xdg(struct doctor_plan *p)
{
        static const char *const vars[] = { "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                            "XDG_STATE_HOME", "XDG_RUNTIME_DIR" };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < sizeof(vars) / sizeof(vars[0]); i++) {
                const char *v = getenv(vars[i]);
                char fix[128];

                if (!v || !*v)
                        continue;
                snprintf(fix, sizeof(fix), "point %s at a writable directory, or unset it", vars[i]);
                r = check_dir(p, vars[i], v, DOCTOR_ERROR, fix);
        }
        return r;
}

int doctor_audit_tmp(struct doctor_plan *p)
{
        int r = audit_tmpdir(p);

        if (r >= 0)
                r = check_dir(p, "temp dir", "/tmp", DOCTOR_ERROR,
                              "mount a writable RAM-backed volume at /tmp (mode 1777)");
        if (r >= 0)
                r = check_dir(p, "temp dir", "/var/tmp", DOCTOR_WARNING,
                              "mount a writable volume at /var/tmp, or set TMPDIR=/tmp");
        if (r >= 0)
                r = check_dir(p, "shared memory", "/dev/shm", DOCTOR_WARNING,
                              "mount a tmpfs at /dev/shm (multiprocessing and Chrome need it)");
        if (r >= 0)
                r = audit_xdg(p);
        if (r >= 0)
                r = doctor_add_dir(p, "/tmp", true, "temp files (most programs need a writable /tmp)");
        return r;
}
