/* `run --passwd`: arbitrary uids (OpenShift, `docker run --user 1234`) have no passwd entry,
 * so HOME=/, "I have no name!" and tools that refuse to start (ssh, initdb, git). The entry
 * is added to the upper's copy of /etc/passwd (and /etc/group for the gid); the preload's NSS
 * wrappers and the static backend then serve it to every process of the run, and the image
 * is untouched. A persistent upper keeps the entry: later runs find it and add nothing. */
#include "supervisor/identity_entry.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/copy_up.h"
#include "core/engine.h"
#include "core/path.h"
#include "core/sys.h"
#include "core/upper_attach.h"
#include "core/vfs.h"
#include "core/vfs_common.h"
#include "supervisor/nss_getent.h"

#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE  "/etc/group"

/* Opens the merged copy of file for reading, or NULL (missing is an empty database). */
static FILE *open_merged(const struct rw_engine *eng, const char *file)
{
        char real[PATH_MAX];

        return rw_vfs_real_path(eng, file, 1, real, sizeof(real)) == 0 ? fopen(real, "re") : NULL;
}

/* The key getent takes: the name, else the numeric id. */
static const char *nss_key(const char *name, unsigned long id, char *buf, size_t size)
{
        if (name)
                return name;
        snprintf(buf, size, "%lu", id);
        return buf;
}

/* Other NSS sources (LDAP, systemd) as the image's libc sees them: not getpwuid() in this
 * static program (nss_getent.h). */
static struct passwd *nss_user(const char *name, uid_t uid, struct passwd *out, char *buf, size_t size)
{
        char key[32], line[4096];
        long len = sup_getent("passwd", nss_key(name, uid, key, sizeof(key)), line, sizeof(line));
        struct passwd *pw = NULL;
        FILE *f = len > 0 ? fmemopen(line, (size_t)len, "r") : NULL;

        if (f) {
                if (fgetpwent_r(f, out, buf, size, &pw) != 0)
                        pw = NULL;
                fclose(f);
        }
        return pw;
}

static int nss_has(const char *db, const char *name, unsigned long id)
{
        char key[32], line[4096];

        return sup_getent(db, nss_key(name, id, key, sizeof(key)), line, sizeof(line)) > 0;
}

static struct passwd *merged_user(const struct rw_engine *eng, const char *name, uid_t uid, struct passwd *out,
                                  char *buf, size_t size)
{
        FILE *f = open_merged(eng, PASSWD_FILE);
        struct passwd *pw = NULL;

        while (f && fgetpwent_r(f, out, buf, size, &pw) == 0 && pw)
                if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid)
                        break;
        if (f)
                fclose(f);
        if (pw)
                return pw;
        return nss_user(name, uid, out, buf, size);
}

static int merged_group_exists(const struct rw_engine *eng, const char *name, gid_t gid)
{
        FILE *f = open_merged(eng, GROUP_FILE);
        struct group gr, *g = NULL;
        char buf[16384];

        while (f && fgetgrent_r(f, &gr, buf, sizeof(buf), &g) == 0 && g)
                if (name ? strcmp(g->gr_name, name) == 0 : g->gr_gid == gid)
                        break;
        if (f)
                fclose(f);
        return g != NULL || nss_has("group", name, gid);
}

/* A portable user name, as useradd accepts by default. */
static int valid_name(const char *s)
{
        if (!s || !*s || strlen(s) >= 32 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
                return 0;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
                        return 0;
        return 1;
}

static void choose_name(const struct rw_engine *eng, char *out, size_t size)
{
        const char *user = getenv("USER");
        struct passwd pw;
        char buf[16384];

        if (valid_name(user) && !merged_user(eng, user, 0, &pw, buf, sizeof(buf)))
                snprintf(out, size, "%s", user);
        else if (!merged_user(eng, "user", 0, &pw, buf, sizeof(buf)))
                snprintf(out, size, "user");
        else
                snprintf(out, size, "user%ld", (long)getuid());
}

/* Appends line to the upper's copy of file: copied up first if only the image has it (even a
 * file we could write: the image stays as it is). */
static int append_in_upper(const struct rw_engine *eng, const char *file, const char *line, struct rw_err *e)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        char real[PATH_MAX], last = '\n';
        int r = rw_layer_lookup(&eng->upper, file, 1, &w);

        if (r < 0)
                return rw_err_set(e, -r, "look up", file);
        if (w.kind == RW_LOWER && (r = rw_copy_up(&eng->upper, w.path, 1)) == 0)
                w.kind = RW_UPPER;
        rw_engine_register(eng, file, w.path);
        if (w.kind != RW_UPPER) {
                /* No such file in the image (scratch, distroless): a new one in the upper. */
                int fd = rw_vfs_open(eng, file, O_WRONLY | O_CREAT | O_APPEND, 0644);
                if (fd < 0)
                        return rw_err_set(e, -fd, "create", file);
                rw_close(fd);
        }
        if ((r = rw_vfs_real_path(eng, file, 1, real, sizeof(real))) < 0)
                return rw_err_set(e, -r, "look up", file);
        int fd = rw_openat(AT_FDCWD, real, O_RDWR | O_APPEND, 0);
        if (fd < 0)
                return rw_err_set(e, -fd, "open", real);
        off_t end = lseek(fd, 0, SEEK_END);
        if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
                last = '\n';
        ssize_t w1 = last == '\n' ? 1 : rw_write(fd, "\n", 1);
        ssize_t w2 = w1 == 1 ? rw_write(fd, line, strlen(line)) : w1;
        rw_close(fd);
        if (w2 == (ssize_t)strlen(line))
                return 0;
        return rw_err_set(e, w2 < 0 ? (int)-w2 : EIO, "append to", real);
}

/* Creates dir and its missing parents in the merged view (redirected where denied). */
static int make_home(const struct rw_engine *eng, const char *dir, struct rw_err *e)
{
        char part[PATH_MAX];
        size_t n = strlen(dir);

        if (n >= sizeof(part))
                return rw_err_set(e, ENAMETOOLONG, "create home", dir);
        for (size_t i = 1; i <= n; i++) {
                if (dir[i] != '/' && dir[i] != '\0')
                        continue;
                memcpy(part, dir, i);
                part[i] = '\0';
                int r = rw_vfs_mkdir(eng, part, 0755);
                if (r < 0 && r != -EEXIST)
                        return rw_err_set(e, -r, "create home", part);
        }
        return 0;
}

static int add_entries(const struct rw_engine *eng, struct sup_identity *id, struct rw_err *e)
{
        const char *home = getenv("HOME");
        int r;

        choose_name(eng, id->name, sizeof(id->name));
        /* A HOME the caller chose is kept (OpenShift images set one); "/" is what a uid
         * without an entry gets, not a choice. */
        if (!home || home[0] != '/' || strcmp(home, "/") == 0 ||
            rw_path_normalize(NULL, home, id->home, sizeof(id->home)) < 0)
                snprintf(id->home, sizeof(id->home), "/home/%s", id->name);
        if (snprintf(id->line, sizeof(id->line), "%s:x:%ld:%ld:%s:%s:/bin/sh\n", id->name, (long)getuid(),
                     (long)getgid(), id->name, id->home) >= (int)sizeof(id->line) || strchr(id->home, ':'))
                return rw_err_set(e, EINVAL, "make a passwd entry with HOME", id->home);
        if ((r = append_in_upper(eng, PASSWD_FILE, id->line, e)) < 0)
                return r;
        return make_home(eng, id->home, e);
}

static int add_group(const struct rw_engine *eng, struct sup_identity *id, struct rw_err *e)
{
        char name[64], line[160];

        if (merged_group_exists(eng, NULL, getgid()))
                return 0;
        snprintf(name, sizeof(name), "%s", id->name);
        if (merged_group_exists(eng, name, 0))
                snprintf(name, sizeof(name), "group%ld", (long)getgid());
        snprintf(line, sizeof(line), "%s:x:%ld:\n", name, (long)getgid());
        id->added_group = 1;
        return append_in_upper(eng, GROUP_FILE, line, e);
}

static int set_environment(const struct sup_identity *id)
{
        const char *home = getenv("HOME");

        if ((!home || !*home || strcmp(home, "/") == 0) && setenv("HOME", id->home, 1) < 0)
                return -errno;
        if (setenv("USER", id->name, 0) < 0 || setenv("LOGNAME", id->name, 0) < 0)
                return -errno;
        return 0;
}

int sup_identity_ensure(const char *upper, struct sup_identity *ret, struct rw_err *e)
{
        struct rw_engine eng = { .mode = RW_MODE_RUN };
        struct passwd pw, *found;
        char buf[16384];
        int r = rw_upper_attach(&eng.upper, upper);

        memset(ret, 0, sizeof(*ret));
        if (r < 0)
                return rw_err_set(e, -r, "attach upper", upper);
        found = merged_user(&eng, NULL, getuid(), &pw, buf, sizeof(buf));
        if (found) {
                snprintf(ret->name, sizeof(ret->name), "%s", found->pw_name);
                snprintf(ret->home, sizeof(ret->home), "%s", found->pw_dir);
                r = 0;
        } else {
                r = add_entries(&eng, ret, e);
        }
        if (r >= 0)
                r = add_group(&eng, ret, e);
        if (r >= 0 && (r = set_environment(ret)) < 0)
                rw_err_set(e, -r, "set environment", "HOME");
        if (eng.upper.index)
                rw_index_unmap(eng.upper.index);
        return r;
}
