/* The passwd and shadow lookups: libc's files module reads /etc/passwd and /etc/shadow through
 * internal calls no wrapper sees, so once the upper holds one of them (an entrypoint appended
 * the arbitrary uid, or `run --passwd` did) these answer from the merged copy. An entry the
 * merged copy lacks is asked of libc, for the other sources of nsswitch.conf. Unchanged files:
 * one memory-only index test, then libc. */
#include <errno.h>
#include <pwd.h>
#include <shadow.h>

#include "preload/nss_lookup.h"
#include "preload/nss_parse.h"
#include "preload/state.h"

#define PASSWD_FILE "/etc/passwd"
#define SHADOW_FILE "/etc/shadow"

DECLARE_REAL(struct passwd *, getpwnam, const char *);
DECLARE_REAL(struct passwd *, getpwuid, uid_t);
DECLARE_REAL(int, getpwnam_r, const char *, struct passwd *, char *, size_t, struct passwd **);
DECLARE_REAL(int, getpwuid_r, uid_t, struct passwd *, char *, size_t, struct passwd **);
DECLARE_REAL(struct passwd *, getpwent, void);
DECLARE_REAL(void, setpwent, void);
DECLARE_REAL(void, endpwent, void);
DECLARE_REAL(struct spwd *, getspnam, const char *);
DECLARE_REAL(int, getspnam_r, const char *, struct spwd *, char *, size_t, struct spwd **);

static int parse_pw(const char *line, size_t len, void *ent, char *buf, size_t size)
{
        return nss_parse_passwd(line, len, ent, buf, size);
}

static int parse_sp(const char *line, size_t len, void *ent, char *buf, size_t size)
{
        return nss_parse_shadow(line, len, ent, buf, size);
}

static struct passwd static_pw;
static struct nss_static static_pw_buf;
static struct nss_enum pw_enum;

/* The non-reentrant form: our static entry, NULL with errno for an error, or libc's. */
static struct passwd *pw_static(const struct nss_key *k, int *ret_pass)
{
        int r = nss_lookup_static(&static_pw_buf, PASSWD_FILE, k, parse_pw, &static_pw);

        *ret_pass = r == NSS_PASS || r == NSS_NOTFOUND;
        if (r < 0)
                errno = -r;
        return r == NSS_FOUND ? &static_pw : NULL;
}

/* The reentrant form: 0 with *res set, or an errno value, as getpwnam_r returns them.
 * Returns -1 when libc must answer. */
static int pw_reentrant(const struct nss_key *k, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
        int r = nss_lookup(PASSWD_FILE, k, parse_pw, pw, buf, size);

        if (r == NSS_PASS || r == NSS_NOTFOUND)
                return -1;
        *res = r == NSS_FOUND ? pw : NULL;
        return r == NSS_FOUND ? 0 : -r;
}

PRELOAD_API struct passwd *getpwnam(const char *name)
{
        struct nss_key k = { .name = name };
        int pass = 1;
        struct passwd *pw = !preload_off() ? pw_static(&k, &pass) : NULL;

        return pass ? REAL(getpwnam)(name) : pw;
}

PRELOAD_API struct passwd *getpwuid(uid_t uid)
{
        struct nss_key k = { .id = uid, .id_field = 2 };
        int pass = 1;
        struct passwd *pw = !preload_off() ? pw_static(&k, &pass) : NULL;

        return pass ? REAL(getpwuid)(uid) : pw;
}

PRELOAD_API int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
        struct nss_key k = { .name = name };
        int r = !preload_off() ? pw_reentrant(&k, pw, buf, size, res) : -1;

        return r >= 0 ? r : REAL(getpwnam_r)(name, pw, buf, size, res);
}

PRELOAD_API int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
        struct nss_key k = { .id = uid, .id_field = 2 };
        int r = !preload_off() ? pw_reentrant(&k, pw, buf, size, res) : -1;

        return r >= 0 ? r : REAL(getpwuid_r)(uid, pw, buf, size, res);
}

PRELOAD_API void setpwent(void)
{
        nss_enum_reset(&pw_enum);
        REAL(setpwent)();
}

PRELOAD_API void endpwent(void)
{
        nss_enum_reset(&pw_enum);
        REAL(endpwent)();
}

PRELOAD_API struct passwd *getpwent(void)
{
        int r = preload_off() ? NSS_PASS : nss_enum_next_static(&pw_enum, &static_pw_buf, PASSWD_FILE, parse_pw, &static_pw);

        if (r == NSS_PASS)
                return REAL(getpwent)();
        if (r < 0)
                errno = -r;
        return r == NSS_FOUND ? &static_pw : NULL;
}

#ifdef __GLIBC__
DECLARE_REAL(int, getpwent_r, struct passwd *, char *, size_t, struct passwd **);

PRELOAD_API int getpwent_r(struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
        int r = preload_off() ? NSS_PASS : nss_enum_next(&pw_enum, PASSWD_FILE, parse_pw, pw, buf, size);

        if (r == NSS_PASS)
                return REAL(getpwent_r)(pw, buf, size, res);
        *res = r == NSS_FOUND ? pw : NULL;
        return r == NSS_FOUND ? 0 : r == NSS_NOTFOUND ? ENOENT : -r;
}
#endif

static struct spwd static_sp;
static struct nss_static static_sp_buf;

PRELOAD_API struct spwd *getspnam(const char *name)
{
        struct nss_key k = { .name = name };
        int r = !preload_off() ? nss_lookup_static(&static_sp_buf, SHADOW_FILE, &k, parse_sp, &static_sp) : NSS_PASS;

        if (r == NSS_PASS || r == NSS_NOTFOUND)
                return REAL(getspnam)(name);
        if (r < 0)
                errno = -r;
        return r == NSS_FOUND ? &static_sp : NULL;
}

PRELOAD_API int getspnam_r(const char *name, struct spwd *sp, char *buf, size_t size, struct spwd **res)
{
        struct nss_key k = { .name = name };
        int r = !preload_off() ? nss_lookup(SHADOW_FILE, &k, parse_sp, sp, buf, size) : NSS_PASS;

        if (r == NSS_PASS || r == NSS_NOTFOUND)
                return REAL(getspnam_r)(name, sp, buf, size, res);
        *res = r == NSS_FOUND ? sp : NULL;
        return r == NSS_FOUND ? 0 : -r;
}
