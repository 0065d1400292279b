/* libc_calls DIR: one line per libc call a program makes on the tree in DIR (made by the
 * test: file, keep, dir/sub/f, dir/g, empty/), "NAME ok RESULT" or "NAME fails ERRNO". Built
 * twice: libc_calls with glibc, musl_calls with musl (whose internal calls bypass its public
 * symbols). Run natively on a writable copy and under rwshim on a root-owned one, every line
 * must agree. Paths are printed relative to DIR, so the two runs print the same. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"   /* readdir_r is tested on purpose */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

static char base[PATH_MAX];
static char result[PATH_MAX * 2];

/* Each check returns 0 and fills result, or -1 with errno set. */
typedef int (*check_fn)(void);

static int slurp(const char *path)
{
        FILE *f = fopen(path, "r");
        size_t n;

        if (!f)
                return -1;
        n = fread(result, 1, sizeof(result) - 1, f);
        result[n] = '\0';
        if (n && result[n - 1] == '\n')
                result[n - 1] = '\0';
        fclose(f);
        return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The names of an open DIR*, sorted, with "." and "..", into result. */
static int list_dir(DIR *d)
{
        char *names[128];
        size_t n = 0, len = 0;
        struct dirent *e;

        while ((e = readdir(d)) != NULL && n < 128)
                names[n++] = strdup(e->d_name);
        closedir(d);
        qsort(names, n, sizeof(names[0]), by_name);
        result[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                len += (size_t)snprintf(result + len, sizeof(result) - len, "%s%s", i ? " " : "", names[i]);
                free(names[i]);
        }
        return 0;
}

static int list(const char *path)
{
        DIR *d = opendir(path);
        return d ? list_dir(d) : -1;
}

static int put(const char *path, const char *mode, const char *text)
{
        FILE *f = fopen(path, mode);

        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f);
}

static int c_fopen_w(void) { return put("created", "w", "new\n") ? -1 : slurp("created"); }
static int c_fopen_a(void) { return put("file", "a", "more\n") ? -1 : slurp("file"); }
static int c_open_trunc(void)
{
        int fd = open("dir/g", O_WRONLY | O_TRUNC);
        if (fd < 0 || write(fd, "G\n", 2) != 2)
                return -1;
        close(fd);
        return slurp("dir/g");
}
static int c_creat(void)
{
        int fd = creat("made", 0640);
        if (fd < 0)
                return -1;
        close(fd);
        return slurp("made");
}
static int c_mkdir(void) { return mkdir("newdir", 0755) ? -1 : list("newdir"); }
static int c_openat(void)
{
        int dfd = open("newdir", O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return -1;
        int fd = openat(dfd, "inner", O_WRONLY | O_CREAT | O_EXCL, 0644);
        close(dfd);
        if (fd < 0 || write(fd, "inner\n", 6) != 6)
                return -1;
        close(fd);
        return slurp("newdir/inner");
}
static int c_excl_lower(void) { return open("file", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 ? -1 : 0; }
static int c_listing(void) { return list("."); }
static int c_fdopendir(void)
{
        int fd = open("dir", O_RDONLY | O_DIRECTORY);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        return d ? list_dir(d) : -1;
}
static int readdir_r_of(const char *path)
{
        DIR *d = opendir(path);
        struct dirent ent, *e;
        int n = 0;

        if (!d)
                return -1;
        result[0] = '\0';
        while (readdir_r(d, &ent, &e) == 0 && e)
                if (e->d_name[0] != '.')
                        n += snprintf(result + n, sizeof(result) - (size_t)n, "%s ", e->d_name);
        closedir(d);
        return 0;
}
static int c_readdir_r(void) { return readdir_r_of("newdir"); }
static int c_readdir_r_top(void) { return readdir_r_of("."); }
static int c_scandir(void)
{
        struct dirent **v;
        int n = scandir(".", &v, NULL, alphasort), len = 0;

        if (n < 0)
                return -1;
        result[0] = '\0';
        for (int i = 0; i < n; i++) {
                len += snprintf(result + len, sizeof(result) - (size_t)len, "%s ", v[i]->d_name);
                free(v[i]);
        }
        free(v);
        return 0;
}
static int c_unlink(void) { return unlink("dir/sub/f") ? -1 : list("dir/sub"); }
static int c_gone(void) { struct stat st; return stat("dir/sub/f", &st); }
static int c_rmdir_nonempty(void) { return rmdir("dir"); }
static int c_rmdir(void) { return rmdir("empty") ? -1 : list("."); }
static int c_rename(void) { return rename("dir/g", "moved") ? -1 : slurp("moved"); }
static int c_renameat(void) { return renameat(AT_FDCWD, "made", AT_FDCWD, "newdir/made") ? -1 : list("newdir"); }
static int c_symlink(void)
{
        ssize_t n;
        if (symlink("moved", "sl") != 0 || (n = readlink("sl", result, sizeof(result) - 1)) < 0)
                return -1;
        result[n] = '\0';
        return 0;
}
static int c_via_symlink(void) { return slurp("sl"); }
static int c_realpath(void)
{
        char real[PATH_MAX];
        if (!realpath("sl", real))
                return -1;
        snprintf(result, sizeof(result), "%s", strncmp(real, base, strlen(base)) == 0 ? real + strlen(base) : real);
        return 0;
}
static int c_lstat(void)
{
        struct stat st;
        if (lstat("sl", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "link=%d", S_ISLNK(st.st_mode));
        return 0;
}
static int c_link(void)
{
        struct stat st;
        if (link("moved", "hard") != 0 || stat("hard", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "nlink=%lu", (unsigned long)st.st_nlink);
        return 0;
}
static int c_chmod(void)
{
        struct stat st;
        if (chmod("moved", 0600) != 0 || stat("moved", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "%o", (unsigned)(st.st_mode & 07777));
        return 0;
}
static int c_utime(void)
{
        struct utimbuf t = { 981173106, 981173106 };
        struct stat st;
        if (utime("moved", &t) != 0 || stat("moved", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "%ld", (long)st.st_mtime);
        return 0;
}
static int c_utimensat(void)
{
        struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
        struct stat st;
        if (utimensat(AT_FDCWD, "file", ts, 0) != 0 || fstatat(AT_FDCWD, "file", &st, 0) != 0)
                return -1;
        snprintf(result, sizeof(result), "%ld", (long)st.st_mtime);
        return 0;
}
static int c_truncate(void)
{
        struct stat st;
        if (truncate("moved", 1) != 0 || stat("moved", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "size=%ld", (long)st.st_size);
        return 0;
}
static int c_access(void) { return access("moved", W_OK); }
static int c_faccessat(void) { return faccessat(AT_FDCWD, "newdir", W_OK, 0); }
static int c_mkstemp(void)
{
        char t[] = "newdir/tmpXXXXXX";
        int fd = mkstemp(t);
        if (fd < 0)
                return -1;
        close(fd);
        return unlink(t) ? -1 : list("newdir");
}
static int c_mkdtemp(void)
{
        char t[] = "dXXXXXX";
        if (!mkdtemp(t))
                return -1;
        return rmdir(t);
}
static int c_freopen(void)
{
        FILE *f = fopen("created", "r");
        if (!f || !(f = freopen("created", "a", f)))
                return -1;
        fputs("again\n", f);
        fclose(f);
        return slurp("created");
}
static int c_chdir(void)
{
        char cwd[PATH_MAX];
        if (chdir("newdir") != 0 || !getcwd(cwd, sizeof(cwd)))
                return -1;
        snprintf(result, sizeof(result), "%s", strncmp(cwd, base, strlen(base)) == 0 ? cwd + strlen(base) : cwd);
        if (put("here", "w", "here\n") != 0)
                return -1;
        return chdir("..");
}
/* After chdir back from an upper-only dir, the lower-only names are still there. */
static int c_after_chdir(void)
{
        struct stat st;
        if (chdir("newdir") != 0 || chdir("..") != 0 || stat("keep", &st) != 0)
                return -1;
        return slurp("keep");
}
static int c_syscall(void)
{
        long fd = syscall(SYS_openat, AT_FDCWD, "viasyscall", O_WRONLY | O_CREAT, 0644);
        if (fd < 0)
                return -1;
        close((int)fd);
        return list(".");
}
/* statx and renameat2 through syscall(): musl before 1.2.5 has neither function, so the
 * preload's wrappers make the system calls themselves there. */
static int c_syscall_statx(void)
{
        unsigned char buf[256];
        unsigned long long size;

        if (syscall(SYS_statx, AT_FDCWD, "moved", 0, 0x200 /* STATX_SIZE */, buf) != 0)
                return -1;
        memcpy(&size, buf + 40, sizeof(size));   /* stx_size: fixed by the kernel ABI */
        snprintf(result, sizeof(result), "size=%llu", size);
        return 0;
}
static int c_syscall_renameat2(void)
{
        if (syscall(SYS_renameat2, AT_FDCWD, "viasyscall", AT_FDCWD, "moved", 1 /* NOREPLACE */) == 0) {
                errno = 0;
                return -1;
        }
        if (errno != EEXIST)
                return -1;
        if (syscall(SYS_renameat2, AT_FDCWD, "viasyscall", AT_FDCWD, "renamed2", 1) != 0)
                return -1;
        return list(".");
}
static int c_remove(void) { return remove("created") ? -1 : list("."); }
static int c_remove_dir(void)
{
        if (mkdir("rmme", 0755) != 0)
                return -1;
        return remove("rmme") ? -1 : list(".");
}
static int c_lchmod(void)
{
        struct stat st;
        if (lchmod("moved", 0640) != 0 || stat("moved", &st) != 0)
                return -1;
        snprintf(result, sizeof(result), "%o", (unsigned)(st.st_mode & 07777));
        return 0;
}

/* The walk's visits as "type:path", sorted (the merged listing's order is not the disk's). */
static char *walk_seen[256];
static size_t walk_n;

static void walk_note(const char *path, int type, int level)
{
        static const char *const types[] = { [FTW_F] = "f", [FTW_D] = "d", [FTW_DNR] = "dnr",
                                             [FTW_NS] = "ns", [FTW_SL] = "sl", [FTW_DP] = "dp",
                                             [FTW_SLN] = "sln" };
        char line[PATH_MAX + 32];

        if (walk_n < 256) {
                snprintf(line, sizeof(line), "%s:%d:%s", types[type], level, path);
                walk_seen[walk_n++] = strdup(line);
        }
}

static int walk_done(int r)
{
        size_t len = 0;

        qsort(walk_seen, walk_n, sizeof(walk_seen[0]), by_name);
        result[0] = '\0';
        for (size_t i = 0; i < walk_n; i++) {
                len += (size_t)snprintf(result + len, sizeof(result) - len, "%s ", walk_seen[i]);
                free(walk_seen[i]);
        }
        walk_n = 0;
        return r;
}

static int on_nftw(const char *path, const struct stat *st, int type, struct FTW *f)
{
        (void)st;
        walk_note(path, type, f->level);
        return 0;
}

static int on_ftw(const char *path, const struct stat *st, int type)
{
        (void)st;
        walk_note(path, type, -1);
        return 0;
}

static int c_nftw(void) { return walk_done(nftw(".", on_nftw, 8, 0)); }
static int c_nftw_phys_depth(void) { return walk_done(nftw(".", on_nftw, 8, FTW_PHYS | FTW_DEPTH)); }
static int c_ftw(void) { return walk_done(ftw("newdir", on_ftw, 8)); }

static const struct { const char *name; check_fn fn; } checks[] = {
        { "fopen-w", c_fopen_w }, { "fopen-a", c_fopen_a }, { "open-trunc", c_open_trunc },
        { "creat", c_creat }, { "mkdir", c_mkdir }, { "openat", c_openat },
        { "excl-lower", c_excl_lower }, { "listing", c_listing }, { "fdopendir", c_fdopendir },
        { "readdir_r", c_readdir_r }, { "scandir", c_scandir }, { "unlink", c_unlink },
        { "gone", c_gone }, { "rmdir-nonempty", c_rmdir_nonempty }, { "rmdir", c_rmdir },
        { "rename", c_rename }, { "renameat", c_renameat }, { "symlink", c_symlink },
        { "via-symlink", c_via_symlink }, { "realpath", c_realpath }, { "lstat", c_lstat },
        { "link", c_link }, { "chmod", c_chmod }, { "lchmod", c_lchmod }, { "utime", c_utime },
        { "utimensat", c_utimensat }, { "truncate", c_truncate }, { "access-w", c_access },
        { "faccessat-w", c_faccessat }, { "mkstemp", c_mkstemp }, { "mkdtemp", c_mkdtemp },
        { "freopen", c_freopen }, { "chdir-getcwd", c_chdir }, { "after-chdir", c_after_chdir }, { "syscall-openat", c_syscall },
        { "syscall-statx", c_syscall_statx }, { "syscall-renameat2", c_syscall_renameat2 },
        { "remove", c_remove }, { "remove-dir", c_remove_dir },
        { "listing-end", c_listing }, { "readdir_r-end", c_readdir_r_top },
        { "nftw", c_nftw }, { "nftw-phys-depth", c_nftw_phys_depth }, { "ftw", c_ftw },
};

int main(int argc, char **argv)
{
        if (argc != 2 || chdir(argv[1]) != 0 || !getcwd(base, sizeof(base))) {
                fprintf(stderr, "usage: libc_calls DIR\n");
                return 2;
        }
        for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
                result[0] = '\0';
                errno = 0;
                if (checks[i].fn() == 0)
                        printf("%s ok %s\n", checks[i].name, result);
                else
                        printf("%s fails %s\n", checks[i].name, strerror(errno));
        }
        return 0;
}
