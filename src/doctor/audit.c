/* The environment audit: identity and HOME first (the most common root cause), then temp
 * dirs, read-only mounts, Python bytecode, and the knowledge-base tools that are present. */
#include "doctor/doctor.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool doctor_path_writable(const char *path)
{
        char p[PATH_MAX];

        if ((size_t)snprintf(p, sizeof(p), "%s", path) >= sizeof(p))
                return false;
        /* A path that does not exist yet is writable if the tool can create it: find the
         * nearest existing ancestor and ask the kernel (access() also sees EROFS). */
        for (;;) {
                if (access(p, F_OK) == 0)
                        return access(p, W_OK) == 0;
                char *slash = strrchr(p, '/');
                if (!slash || slash == p)
                        return access("/", W_OK) == 0;
                *slash = '\0';
        }
}

int doctor_audit(struct doctor_plan *p, const struct rw_kb *kb, struct rw_err *e)
{
        char **sites = NULL;
        bool home_fixed = false;
        int r;

        r = doctor_audit_identity(p, &home_fixed);
        if (r >= 0)
                r = doctor_audit_tmp(p);
        if (r >= 0)
                r = doctor_audit_mounts(p);
        if (r >= 0)
                r = doctor_audit_python(p, &sites);
        if (r >= 0)
                r = doctor_audit_tools(p, kb, sites, home_fixed);
        for (size_t i = 0; sites && sites[i]; i++)
                free(sites[i]);
        free(sites);
        if (r < 0)
                return rw_err_set(e, -r, "audit environment", "");
        return 0;
}
