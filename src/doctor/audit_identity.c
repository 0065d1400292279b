/* Who are we, and does HOME work: a uid without a passwd entry usually runs with HOME=/ (or
 * unset), and every tool then writes dotfiles into /. That is the first thing to report. */
#include "doctor/doctor.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int home_problem(struct doctor_plan *p, const char *home, const char *why, bool no_passwd)
{
        char what[PATH_MAX + 200], fix[512];
        int r;

        snprintf(what, sizeof(what), "HOME=%s %s%s: tools write ~/.cache, ~/.config and dotfiles there "
                 "and fail", home ? home : "(unset)", why,
                 no_passwd ? " (this uid has no passwd entry)" : "");
        snprintf(fix, sizeof(fix), "set HOME=%s and make that directory writable by uid %ld "
                 "(or add a passwd entry for the uid with a writable home)", DOCTOR_HOME, p->uid);
        r = doctor_problem(p, DOCTOR_ERROR, home ? home : "", NULL, what, fix);
        if (r >= 0)
                r = doctor_add_env(p, "HOME", DOCTOR_HOME, "HOME is unusable");
        if (r >= 0)
                r = doctor_add_dir(p, DOCTOR_HOME, false, "writable home for dotfiles and XDG dirs");
        return r;
}

/* Reports HOME when it is unset, "/", missing or not writable. Sets *ret_fixed when the plan
 * moves HOME, so per-tool checks under HOME are already covered. */
static int audit_home(struct doctor_plan *p, bool no_passwd, bool *ret_fixed)
{
        const char *home = getenv("HOME");
        struct stat st;

        *ret_fixed = true;
        if (!home || !*home)
                return home_problem(p, NULL, "is unset", no_passwd);
        if (strcmp(home, "/") == 0)
                return home_problem(p, home, "is the root directory", no_passwd);
        if (stat(home, &st) < 0 || !S_ISDIR(st.st_mode))
                return home_problem(p, home, "does not exist", no_passwd);
        if (!doctor_path_writable(home))
                return home_problem(p, home, "is not writable", no_passwd);
        *ret_fixed = false;
        return 0;
}

static int audit_passwd(struct doctor_plan *p, bool no_passwd)
{
        char what[256], fix[384];

        if (!no_passwd)
                return 0;
        snprintf(what, sizeof(what), "uid %ld has no passwd entry: getpwuid() fails, so ssh, "
                 "initdb, git, getpass.getuser() and tools that need a user name break", p->uid);
        /* An arbitrary uid is usually chosen at deploy time (OpenShift, --user): the image
         * cannot know it, so the run-time fix comes first. */
        snprintf(fix, sizeof(fix), "run it as `rwshim run --passwd -- CMD` (an entry and a writable "
                 "HOME for the run, image unchanged), or add one at build time (useradd -u %ld -d %s app)",
                 p->uid, DOCTOR_HOME);
        return doctor_problem(p, DOCTOR_WARNING, NULL, NULL, what, fix);
}

static int audit_root(struct doctor_plan *p)
{
        if (p->uid != 0)
                return 0;
        return doctor_problem(p, DOCTOR_INFO, NULL, NULL,
                              "running as root: permission problems of an unprivileged user are "
                              "hidden (only read-only mounts show)",
                              "run doctor as the uid the application uses (docker run --user, runAsUser)");
}

int doctor_audit_identity(struct doctor_plan *p, bool *ret_home_fixed)
{
        bool no_passwd;
        int r;

        errno = 0;
        no_passwd = getpwuid(getuid()) == NULL;
        r = audit_home(p, no_passwd, ret_home_fixed);
        if (r >= 0)
                r = audit_passwd(p, no_passwd);
        if (r >= 0)
                r = audit_root(p);
        return r;
}
