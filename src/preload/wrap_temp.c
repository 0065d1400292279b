/* mkstemp, mkdtemp and tmpfile: glibc creates these through internal calls the other wrappers
 * never see, so under `run` they are rebuilt on the engine's open and mkdir. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "preload/open.h"
#include "preload/state.h"

DECLARE_REAL(int, mkostemps, char *, int, int);
DECLARE_REAL(char *, mkdtemp, char *);
DECLARE_REAL(FILE *, tmpfile, void);

#define TEMP_ATTEMPTS 100

static void fill_random(char *x, size_t n)
{
        static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        unsigned char rnd[64];

        if (n > sizeof(rnd))
                n = sizeof(rnd);
        if (getrandom(rnd, n, GRND_NONBLOCK) != (ssize_t)n)
                for (size_t i = 0; i < n; i++)
                        rnd[i] = (unsigned char)(rand() ^ (getpid() >> (i % 8)));
        for (size_t i = 0; i < n; i++)
                x[i] = letters[rnd[i] % (sizeof(letters) - 1)];
}

/* Locates the XXXXXX in template (before suffixlen bytes), or NULL. */
static char *placeholder(char *template, int suffixlen)
{
        size_t len = strlen(template);

        if (suffixlen < 0 || len < 6 + (size_t)suffixlen)
                return NULL;
        char *x = template + len - suffixlen - 6;
        return strncmp(x, "XXXXXX", 6) == 0 ? x : NULL;
}

static int make_temp(char *template, int suffixlen, int flags, int dir, const void *caller)
{
        char *x = placeholder(template, suffixlen);

        if (!x) {
                errno = EINVAL;
                return -1;
        }
        for (int i = 0; i < TEMP_ATTEMPTS; i++) {
                fill_random(x, 6);
                int r = dir ? preload_mkdir(AT_FDCWD, template, 0700, caller)
                            : preload_open(AT_FDCWD, template, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600, caller);
                if (r >= 0 || errno != EEXIST)
                        return r;
        }
        errno = EEXIST;
        return -1;
}

static int use_engine(void)
{
        return !preload_off() && preload_engine.mode == RW_MODE_RUN;
}

PRELOAD_API int mkostemps(char *template, int suffixlen, int flags)
{
        if (!use_engine())
                return REAL(mkostemps)(template, suffixlen, flags);
        return make_temp(template, suffixlen, flags, 0, CALLER);
}
PRELOAD_API int mkstemp(char *template) { return mkostemps(template, 0, 0); }
PRELOAD_API int mkostemp(char *template, int flags) { return mkostemps(template, 0, flags); }
PRELOAD_API int mkstemps(char *template, int suffixlen) { return mkostemps(template, suffixlen, 0); }
#if PRELOAD_GLIBC_ABI
PRELOAD_API int mkstemp64(char *template) { return mkostemps(template, 0, 0); }
PRELOAD_API int mkostemp64(char *template, int flags) { return mkostemps(template, 0, flags); }
PRELOAD_API int mkstemps64(char *template, int suffixlen) { return mkostemps(template, suffixlen, 0); }
PRELOAD_API int mkostemps64(char *template, int suffixlen, int flags) { return mkostemps(template, suffixlen, flags); }
#endif

PRELOAD_API char *mkdtemp(char *template)
{
        if (!use_engine())
                return REAL(mkdtemp)(template);
        return make_temp(template, 0, 0, 1, CALLER) == 0 ? template : NULL;
}

PRELOAD_API FILE *tmpfile(void)
{
        FILE *f = REAL(tmpfile)();
        char path[] = P_tmpdir "/tmpfXXXXXX";

        if (f || !use_engine() || !rw_errno_redirectable(errno))
                return f;
        int fd = make_temp(path, 0, O_CLOEXEC, 0, CALLER);
        if (fd < 0)
                return NULL;
        unlink(path);
        f = fdopen(fd, "w+");
        if (!f)
                close(fd);
        return f;
}
#if PRELOAD_GLIBC_ABI
PRELOAD_API FILE *tmpfile64(void) { return tmpfile(); }
#endif
