/* Python bytecode: for every python3 on PATH, ask the interpreter for its site-packages dirs
 * and its bytecode settings. A read-only site-packages without PYTHONPYCACHEPREFIX means
 * modules without a shipped .pyc are compiled again at every start, silently. */
#include "doctor/doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char probe[] =
        "import sys, sysconfig, site\n"
        "print(sys.pycache_prefix or '-', int(sys.dont_write_bytecode))\n"
        "ds = []\n"
        "for d in [sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']] + "
        "list(getattr(site, 'getsitepackages', lambda: [])()):\n"
        "    if d not in ds: ds.append(d)\n"
        "for d in ds: print(d)\n";

/* Runs "python -c probe" and returns its stdout as a FILE, or NULL. */
static FILE *run_probe(const char *python, pid_t *ret_pid)
{
        char *argv[] = { (char *)python, (char *)"-I", (char *)"-c", (char *)probe, NULL };
        posix_spawn_file_actions_t fa;
        int fds[2], r;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return NULL;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        r = posix_spawn(ret_pid, python, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (r != 0) {
                close(fds[0]);
                return NULL;
        }
        return fdopen(fds[0], "r");
}

static int add_site(char ***sites, size_t *n, const char *dir)
{
        char **s;

        for (size_t i = 0; i < *n; i++)
                if (strcmp((*sites)[i], dir) == 0)
                        return 0;
        s = realloc(*sites, (*n + 2) * sizeof(*s));
        if (!s)
                return -ENOMEM;
        *sites = s;
        s[*n] = strdup(dir);
        if (!s[*n])
                return -ENOMEM;
        s[++*n] = NULL;
        return 0;
}

static int report_site(struct doctor_plan *p, const char *python, const char *dir)
{
        char what[2 * PATH_MAX + 128], fix[PATH_MAX + 200];
        int r;

        snprintf(what, sizeof(what), "%s cannot write __pycache__ in %s: modules without a "
                 "shipped .pyc are compiled again at every start", python, dir);
        snprintf(fix, sizeof(fix), "set PYTHONPYCACHEPREFIX=%s/pycache (or precompile at build "
                 "time: python3 -m compileall -q %s)", DOCTOR_CACHE_ROOT, dir);
        r = doctor_problem(p, DOCTOR_WARNING, dir, "python-bytecode", what, fix);
        if (r >= 0)
                r = doctor_add_env(p, "PYTHONPYCACHEPREFIX", DOCTOR_CACHE_ROOT "/pycache",
                                   "python-bytecode: site-packages is not writable");
        if (r >= 0)
                r = doctor_add_dir(p, DOCTOR_CACHE_ROOT, true, "python-bytecode");
        return r;
}

/* Reads the probe output of one interpreter and records its site dirs. */
static int audit_one(struct doctor_plan *p, const char *python, char ***sites, size_t *n)
{
        char *line = NULL, prefix[PATH_MAX] = "-";
        size_t cap = 0;
        int dont_write = 0, status, r = 0, first = 1;
        pid_t pid;
        FILE *f = run_probe(python, &pid);

        if (!f)
                return 0;   /* an interpreter that does not run has nothing to report */
        while (r >= 0 && getline(&line, &cap, f) > 0) {
                line[strcspn(line, "\n")] = '\0';
                if (first) {
                        first = 0;
                        if (sscanf(line, "%4095s %d", prefix, &dont_write) != 2)
                                break;
                        continue;
                }
                if (access(line, F_OK) != 0)
                        continue;
                r = add_site(sites, n, line);
                if (r >= 0 && strcmp(prefix, "-") == 0 && !dont_write && !doctor_path_writable(line))
                        r = report_site(p, python, line);
        }
        free(line);
        fclose(f);
        waitpid(pid, &status, 0);
        return r;
}

int doctor_audit_python(struct doctor_plan *p, char ***ret_sites)
{
        const char *path = getenv("PATH");
        char *copy, *save = NULL, seen[8][PATH_MAX];
        size_t n = 0, n_seen = 0;
        int r = 0;

        *ret_sites = NULL;
        copy = strdup(path ? path : "/usr/bin:/bin");
        if (!copy)
                return -ENOMEM;
        for (char *d = strtok_r(copy, ":", &save); d && r >= 0; d = strtok_r(NULL, ":", &save)) {
                char py[PATH_MAX], real[PATH_MAX];
                bool dup = false;

                if ((size_t)snprintf(py, sizeof(py), "%s/python3", d) >= sizeof(py) ||
                    access(py, X_OK) != 0 || !realpath(py, real))
                        continue;
                for (size_t i = 0; i < n_seen; i++)
                        dup = dup || strcmp(seen[i], real) == 0;
                if (dup || n_seen == sizeof(seen) / sizeof(seen[0]))
                        continue;
                memcpy(seen[n_seen++], real, sizeof(real));
                r = audit_one(p, py, ret_sites, &n);
        }
        free(copy);
        return r;
}
