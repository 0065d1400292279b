/* Directory reading as programs do it, for tests/integration/readdir_merged.sh (built for
 * glibc as libc_readdir and for musl as musl_readdir).
 *   list DIR          opendir/readdir: one "name type" line per entry, in listing order
 *   list64 DIR        the same through readdir64
 *   getdents DIR [N]  open(O_DIRECTORY) + getdents64() (musl: getdents()) with an N-byte buffer
 *                     (default 4096), as programs reading directories themselves do
 *   sysgetdents DIR   the same through syscall(SYS_getdents64)
 *   check DIR         per entry: d_type and d_ino agree with lstat; telldir/seekdir return to
 *                     a record; dirfd() is the directory stat() shows; prints "ok" or why not
 *   rewind DIR NAME   lists, creates DIR/NAME, rewinddir, lists: "seen" if NAME appears
 *   openat DIR NAME   reads NAME through openat(dirfd(opendir(DIR)), NAME)
 *   scandir DIR       scandir + alphasort: the names, one a line
 *   nftw DIR          nftw(FTW_PHYS): each path below DIR, one a line
 * Exit 0, or 1 with one line on stderr. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int die(const char *what, const char *path)
{
        fprintf(stderr, "%s: %s: %s\n", what, path, strerror(errno));
        return 1;
}

static char type_char(unsigned char t)
{
        switch (t) {
        case DT_DIR: return 'd';
        case DT_REG: return 'f';
        case DT_LNK: return 'l';
        case DT_UNKNOWN: return '?';
        default: return 'o';
        }
}

static int list(const char *dir, int use64)
{
        DIR *d = opendir(dir);

        if (!d)
                return die("opendir", dir);
        for (;;) {
                errno = 0;
#if defined(__GLIBC__)
                struct dirent64 *e64 = use64 ? readdir64(d) : NULL;
                struct dirent *e = use64 ? (struct dirent *)(void *)e64 : readdir(d);
#else
                (void)use64;
                struct dirent *e = readdir(d);
#endif
                if (!e)
                        break;
                printf("%s %c\n", e->d_name, type_char(e->d_type));
        }
        if (errno)
                return die("readdir", dir);
        closedir(d);
        return 0;
}

struct linux_dirent64 {
        unsigned long long d_ino;
        long long d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static long call_getdents(int fd, void *buf, size_t size, int raw)
{
        if (raw)
                return syscall(SYS_getdents64, fd, buf, size);
#if defined(__GLIBC__)
        return getdents64(fd, buf, size);
#else
        return getdents(fd, buf, size);
#endif
}

static int raw_getdents(const char *dir, size_t size, int raw)
{
        static char buf[65536] __attribute__((aligned(8)));
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return die("open", dir);
        if (size > sizeof(buf))
                size = sizeof(buf);
        for (;;) {
                long n = call_getdents(fd, buf, size, raw);
                if (n < 0)
                        return die("getdents64", dir);
                if (n == 0)
                        break;
                for (long off = 0; off < n;) {
                        struct linux_dirent64 *e = (void *)(buf + off);
                        printf("%s %c\n", e->d_name, type_char(e->d_type));
                        off += e->d_reclen;
                }
        }
        close(fd);
        return 0;
}

static int check(const char *dir)
{
        char path[4096];
        struct stat st, dst;
        DIR *d = opendir(dir);
        int bad = 0, n = 0;
        long mid = -1;
        char mid_name[256] = "";

        if (!d)
                return die("opendir", dir);
        if (fstat(dirfd(d), &dst) < 0 || stat(dir, &st) < 0)
                return die("fstat(dirfd)", dir);
        if (dst.st_ino != st.st_ino || dst.st_dev != st.st_dev) {
                fprintf(stderr, "dirfd: %s: fstat(dirfd) is not the directory stat() shows\n", dir);
                bad = 1;
        }
        for (;;) {
                long pos = telldir(d);
                struct dirent *e = readdir(d);
                if (!e)
                        break;
                if (++n == 3) {
                        mid = pos;
                        snprintf(mid_name, sizeof(mid_name), "%s", e->d_name);
                }
                if (strcmp(e->d_name, "..") == 0)
                        continue;   /* the parent's inode: not comparable through a layer */
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                if (lstat(path, &st) < 0) {
                        fprintf(stderr, "lstat: %s: %s (listed but not there)\n", path, strerror(errno));
                        bad = 1;
                        continue;
                }
                if (e->d_type != DT_UNKNOWN && (unsigned)DTTOIF(e->d_type) != (st.st_mode & S_IFMT)) {
                        fprintf(stderr, "d_type: %s: %u, lstat says %o\n", path, e->d_type, st.st_mode & S_IFMT);
                        bad = 1;
                }
                if (e->d_ino != st.st_ino) {
                        fprintf(stderr, "d_ino: %s: %llu, lstat says %llu\n", path,
                                (unsigned long long)e->d_ino, (unsigned long long)st.st_ino);
                        bad = 1;
                }
        }
        if (mid >= 0) {
                seekdir(d, mid);
                struct dirent *e = readdir(d);
                if (!e || strcmp(e->d_name, mid_name) != 0) {
                        fprintf(stderr, "seekdir: %s: back at %ld got %s, want %s\n", dir, mid,
                                e ? e->d_name : "(end)", mid_name);
                        bad = 1;
                }
        }
        closedir(d);
        if (!bad)
                printf("ok %d entries\n", n);
        return bad;
}

static int count_name(DIR *d, const char *name)
{
        struct dirent *e;
        int seen = 0;

        while ((e = readdir(d)) != NULL)
                seen += strcmp(e->d_name, name) == 0;
        return seen;
}

static int rewind_sees_new(const char *dir, const char *name)
{
        char path[4096];
        DIR *d = opendir(dir);

        if (!d)
                return die("opendir", dir);
        int before = count_name(d, name);
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return die("create", path);
        close(fd);
        rewinddir(d);
        int after = count_name(d, name);
        closedir(d);
        printf("%s before=%d after=%d\n", after == 1 && before == 0 ? "seen" : "missed", before, after);
        return 0;
}

static int open_by_dirfd(const char *dir, const char *name)
{
        char buf[256];
        DIR *d = opendir(dir);

        if (!d)
                return die("opendir", dir);
        int fd = openat(dirfd(d), name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return die("openat(dirfd)", name);
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        closedir(d);
        if (n < 0)
                return die("read", name);
        buf[n] = '\0';
        printf("%s", buf);
        return 0;
}

static int by_scandir(const char *dir)
{
        struct dirent **v;
        int n = scandir(dir, &v, NULL, alphasort);

        if (n < 0)
                return die("scandir", dir);
        for (int i = 0; i < n; i++) {
                printf("%s\n", v[i]->d_name);
                free(v[i]);
        }
        free(v);
        return 0;
}

static size_t walk_root;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (!path[walk_root])
                printf("/\n");         /* the top itself */
        else
                printf("%s%s\n", path + walk_root, type == FTW_D ? "/" : "");
        return 0;
}

static int by_nftw(const char *dir)
{
        walk_root = strlen(dir);
        if (nftw(dir, walk_one, 16, FTW_PHYS) != 0)
                return die("nftw", dir);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 3 && strcmp(argv[1], "scandir") == 0)
                return by_scandir(argv[2]);
        if (argc == 3 && strcmp(argv[1], "nftw") == 0)
                return by_nftw(argv[2]);
        if (argc == 3 && strcmp(argv[1], "list") == 0)
                return list(argv[2], 0);
        if (argc == 3 && strcmp(argv[1], "list64") == 0)
                return list(argv[2], 1);
        if ((argc == 3 || argc == 4) && strcmp(argv[1], "getdents") == 0)
                return raw_getdents(argv[2], argc == 4 ? (size_t)atol(argv[3]) : 4096, 0);
        if (argc == 3 && strcmp(argv[1], "sysgetdents") == 0)
                return raw_getdents(argv[2], 4096, 1);
        if (argc == 3 && strcmp(argv[1], "check") == 0)
                return check(argv[2]);
        if (argc == 4 && strcmp(argv[1], "rewind") == 0)
                return rewind_sees_new(argv[2], argv[3]);
        if (argc == 4 && strcmp(argv[1], "openat") == 0)
                return open_by_dirfd(argv[2], argv[3]);
        fprintf(stderr, "usage: %s list|list64|getdents|check DIR | rewind|openat DIR NAME\n", argv[0]);
        return 2;
}
