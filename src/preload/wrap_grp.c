/* The group lookups and the supplementary group list, from the merged /etc/group once the
 * upper holds it (see wrap_pwd.c for the rule). getgrouplist and initgroups then read only
 * the merged file: memberships other NSS sources would add are not asked for. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <unistd.h>

#include "preload/nss_lookup.h"
#include "preload/nss_parse.h"
#include "preload/state.h"

#define GROUP_FILE "/etc/group"
#define MAX_GROUPS 4096         /* the list initgroups builds on the stack */

DECLARE_REAL(struct group *, getgrnam, const char *);
DECLARE_REAL(struct group *, getgrgid, gid_t);
DECLARE_REAL(int, getgrnam_r, const char *, struct group *, char *, size_t, struct group **);
DECLARE_REAL(int, getgrgid_r, gid_t, struct group *, char *, size_t, struct group **);
DECLARE_REAL(struct group *, getgrent, void);
DECLARE_REAL(void, setgrent, void);
DECLARE_REAL(void, endgrent, void);
DECLARE_REAL(int, getgrouplist, const char *, gid_t, gid_t *, int *);
DECLARE_REAL(int, initgroups, const char *, gid_t);

static int parse_gr(const char *line, size_t len, void *ent, char *buf, size_t size)
{
        return nss_parse_group(line, len, ent, buf, size);
}

static struct group static_gr;
static struct nss_static static_gr_buf;
static struct nss_enum gr_enum;

static struct group *gr_static(const struct nss_key *k, int *ret_pass)
{
        int r = nss_lookup_static(&static_gr_buf, GROUP_FILE, k, parse_gr, &static_gr);

        *ret_pass = r == NSS_PASS || r == NSS_NOTFOUND;
        if (r < 0)
                errno = -r;
        return r == NSS_FOUND ? &static_gr : NULL;
}

static int gr_reentrant(const struct nss_key *k, struct group *gr, char *buf, size_t size, struct group **res)
{
        int r = nss_lookup(GROUP_FILE, k, parse_gr, gr, buf, size);

        if (r == NSS_PASS || r == NSS_NOTFOUND)
                return -1;
        *res = r == NSS_FOUND ? gr : NULL;
        return r == NSS_FOUND ? 0 : -r;
}

PRELOAD_API struct group *getgrnam(const char *name)
{
        struct nss_key k = { .name = name };
        int pass = 1;
        struct group *gr = !preload_off() ? gr_static(&k, &pass) : NULL;

        return pass ? REAL(getgrnam)(name) : gr;
}

PRELOAD_API struct group *getgrgid(gid_t gid)
{
        struct nss_key k = { .id = gid, .id_field = 2 };
        int pass = 1;
        struct group *gr = !preload_off() ? gr_static(&k, &pass) : NULL;

        return pass ? REAL(getgrgid)(gid) : gr;
}

PRELOAD_API int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **res)
{
        struct nss_key k = { .name = name };
        int r = !preload_off() ? gr_reentrant(&k, gr, buf, size, res) : -1;

        return r >= 0 ? r : REAL(getgrnam_r)(name, gr, buf, size, res);
}

PRELOAD_API int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **res)
{
        struct nss_key k = { .id = gid, .id_field = 2 };
        int r = !preload_off() ? gr_reentrant(&k, gr, buf, size, res) : -1;

        return r >= 0 ? r : REAL(getgrgid_r)(gid, gr, buf, size, res);
}

PRELOAD_API void setgrent(void)
{
        nss_enum_reset(&gr_enum);
        REAL(setgrent)();
}

PRELOAD_API void endgrent(void)
{
        nss_enum_reset(&gr_enum);
        REAL(endgrent)();
}

PRELOAD_API struct group *getgrent(void)
{
        int r = preload_off() ? NSS_PASS : nss_enum_next_static(&gr_enum, &static_gr_buf, GROUP_FILE, parse_gr, &static_gr);

        if (r == NSS_PASS)
                return REAL(getgrent)();
        if (r < 0)
                errno = -r;
        return r == NSS_FOUND ? &static_gr : NULL;
}

#ifdef __GLIBC__
DECLARE_REAL(int, getgrent_r, struct group *, char *, size_t, struct group **);

PRELOAD_API int getgrent_r(struct group *gr, char *buf, size_t size, struct group **res)
{
        int r = preload_off() ? NSS_PASS : nss_enum_next(&gr_enum, GROUP_FILE, parse_gr, gr, buf, size);

        if (r == NSS_PASS)
                return REAL(getgrent_r)(gr, buf, size, res);
        *res = r == NSS_FOUND ? gr : NULL;
        return r == NSS_FOUND ? 0 : r == NSS_NOTFOUND ? ENOENT : -r;
}
#endif

/* Adds gid to list unless present; counts every distinct gid, stores those that fit. */
static void add_gid(gid_t *list, int cap, int *n, gid_t gid)
{
        for (int i = 0; i < *n && i < cap; i++)
                if (list[i] == gid)
                        return;
        if (*n < cap)
                list[*n] = gid;
        (*n)++;
}

/* The groups of user in the merged /etc/group, starting with group. Returns the count (which
 * may exceed cap), NSS_PASS as -1 when the upper does not hold the file, or -errno. */
static int merged_grouplist(const char *user, gid_t group, gid_t *list, int cap)
{
        struct etc_view v;
        const char *line, *f;
        size_t pos = 0, len, n;
        int count = 0, r = etc_view_open(GROUP_FILE, &v);

        if (r != ETC_CHANGED)
                return r < 0 ? r : -1;
        add_gid(list, cap, &count, group);
        while (etc_view_next(&v, &pos, &line, &len)) {
                char id[16];
                if (!nss_group_has_member(line, len, user) || !nss_field(line, len, 2, &f, &n) ||
                    n == 0 || n >= sizeof(id))
                        continue;
                unsigned long gid = 0;
                size_t i = 0;
                for (; i < n && f[i] >= '0' && f[i] <= '9'; i++)
                        gid = gid * 10 + (unsigned long)(f[i] - '0');
                if (i == n)
                        add_gid(list, cap, &count, (gid_t)gid);
        }
        etc_view_close(&v);
        return count;
}

PRELOAD_API int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
        int saved = errno;
        int n = user && ngroups && !preload_off() ? merged_grouplist(user, group, groups, *ngroups) : -1;

        errno = saved;
        if (n == -1)
                return REAL(getgrouplist)(user, group, groups, ngroups);
        if (n < 0) {
                errno = -n;
                return -1;
        }
        int fits = n <= *ngroups;
        *ngroups = n;
        return fits ? n : -1;
}

PRELOAD_API int initgroups(const char *user, gid_t group)
{
        gid_t list[MAX_GROUPS];
        int saved = errno;
        int n = user && !preload_off() ? merged_grouplist(user, group, list, MAX_GROUPS) : -1;

        errno = saved;
        if (n == -1)
                return REAL(initgroups)(user, group);
        if (n < 0) {
                errno = -n;
                return -1;
        }
        return setgroups((size_t)(n < MAX_GROUPS ? n : MAX_GROUPS), list);
}
