/* Unit tests for core/dirlist.c: merged listings over a hand-made upper (the OCI layout: a
 * whiteout .wh.NAME, an opaque marker .wh..wh..opq), with and without an index: names of both
 * layers once each, whiteouts and opaque dirs (the dir itself or an ancestor) hiding the
 * lower, the root's upper-only names, big dirs past the caller's buffer and the stack set,
 * the d_off chain, and the fd handed back for the program's DIR. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dirlist.h"
#include "core/index.h"
#include "tap.h"

static char base[64];
static struct rw_engine eng;

/* "lower/REL" is base/lower/REL; "up/REL" is the upper's copy of it, UPPER/fs/base/lower/REL. */
static void real_path(const char *rel, char *p)
{
        if (strncmp(rel, "up/", 3) == 0)
                snprintf(p, PATH_MAX, "%s/up/fs%s/lower/%s", base, base, rel + 3);
        else
                snprintf(p, PATH_MAX, "%s/%s", base, rel);
}

static void mkfile(const char *rel)
{
        char p[PATH_MAX];
        real_path(rel, p);
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
}

static void mkdirs(const char *rel)
{
        char p[PATH_MAX];
        real_path(rel, p);
        for (char *s = p + strlen(base) + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        mkdir(p, 0755);
                        *s = '/';
                }
        mkdir(p, 0755);
}

/* The listing of the virtual dir base/lower/rel as "name name ...", sorted, or "-errno". */
static const char *listing(const char *rel, size_t *ret_count)
{
        static char out[8192];
        char abs[PATH_MAX], *names[4096];
        struct rw_dirlist l;
        size_t n = 0, at = 0;

        snprintf(abs, sizeof(abs), "%s/lower%s%s", base, *rel ? "/" : "", rel);
        int r = rw_dirlist_build(&eng, abs, &l);
        if (r < 0) {
                snprintf(out, sizeof(out), "%d", r);
                return out;
        }
        for (size_t off = 0; off < l.len && n < 4096; off += rw_dirlist_at(&l, off)->d_reclen)
                names[n++] = rw_dirlist_at(&l, off)->d_name;
        for (size_t i = 1; i < n; i++)          /* insertion sort: small lists */
                for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                        char *t = names[j];
                        names[j] = names[j - 1];
                        names[j - 1] = t;
                }
        out[0] = '\0';
        for (size_t i = 0; i < n && at < sizeof(out) - 300; i++)
                at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%s", i ? " " : "", names[i]);
        if (ret_count)
                *ret_count = l.count;
        rw_dirlist_free(&l);
        return out;
}

static void test_merge(void)
{
        mkdirs("lower/app/dir");
        mkfile("lower/app/a");
        mkfile("lower/app/b");
        mkfile("lower/app/c");
        mkdirs("up/app");
        mkfile("up/app/new");
        mkfile("up/app/.wh.b");
        mkfile("up/app/c");
        mkfile("up/app/.wh.never");   /* a whiteout with nothing below it */
        size_t count = 0;
        is_str(listing("app", &count), ". .. a c dir new", "both layers once each, the whiteout hides b");
        is_int(count, 6, "count holds . and ..");
        is_str(listing("app/dir", NULL), ". ..", "a lower-only dir lists the lower");
        is_str(listing("app/b", NULL), "-2", "a whited-out name is gone");
}

static void test_opaque(void)
{
        mkdirs("lower/app/x");
        mkfile("lower/app/x/l1");
        mkdirs("lower/app/p/q");
        mkfile("lower/app/p/q/old");
        mkfile("lower/app/p/keep");
        mkdirs("up/app/x");
        mkfile("up/app/x/.wh..wh..opq");
        mkfile("up/app/x/u");
        is_str(listing("app/x", NULL), ". .. u", "an opaque dir hides the lower's names");
        /* p is opaque; its child q is an upper dir without a marker of its own. */
        mkdirs("up/app/p/q");
        mkfile("up/app/p/.wh..wh..opq");
        mkfile("up/app/p/q/n");
        is_str(listing("app/p", NULL), ". .. q", "the opaque dir itself");
        is_str(listing("app/p/q", NULL), ". .. n", "an opaque ancestor hides the lower copy of q too");
}

static void test_upper_only_and_root(void)
{
        mkdirs("up/app/fresh");
        mkfile("up/app/fresh/f");
        is_str(listing("app/fresh", NULL), ". .. f", "a dir only the upper holds");

        /* The root: the lookup calls it lower, but UPPER/fs holds its upper entries. */
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/up/fs/rwshim-unit-newtop", base);
        close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        struct rw_dirlist l;
        int seen = 0, etc = 0;
        is_int(rw_dirlist_build(&eng, "/", &l), 0, "the root lists");
        for (size_t off = 0; off < l.len; off += rw_dirlist_at(&l, off)->d_reclen) {
                seen += strcmp(rw_dirlist_at(&l, off)->d_name, "rwshim-unit-newtop") == 0;
                etc += strcmp(rw_dirlist_at(&l, off)->d_name, "etc") == 0;
        }
        rw_dirlist_free(&l);
        is_int(seen, 1, "the root's listing has the upper-only name");
        is_int(etc, 1, "and the lower's names once");
}

static void test_big(void)
{
        char rel[64];
        mkdirs("lower/big");
        mkdirs("up/big");
        for (int i = 0; i < 3000; i++) {
                snprintf(rel, sizeof(rel), "lower/big/n%05d", i);
                mkfile(rel);
                snprintf(rel, sizeof(rel), "up/big/n%05d", i + 2000);   /* 1000 shared */
                mkfile(rel);
        }
        char abs[PATH_MAX];
        snprintf(abs, sizeof(abs), "%s/lower/big", base);
        char small[512] __attribute__((aligned(8)));
        struct rw_dirlist l;
        is_int(rw_dirlist_build_in(&eng, abs, &l, small, sizeof(small), NULL), 0, "a big dir past a small buffer");
        is_int(l.count, 5002, "every name once (the set leaves the stack)");
        ok(l.mapped && l.buf != small, "the listing moved to mmap'd memory");
        int chain = 1;
        size_t off = 0;
        for (struct rw_dirent *d; (d = rw_dirlist_at(&l, off)) != NULL; off += d->d_reclen)
                chain &= d->d_off == (int64_t)(off + d->d_reclen) && d->d_reclen % 8 == 0;
        ok(chain && off == l.len, "each d_off is the next record's offset, records 8-byte aligned");
        /* getdents64 over the listing: pages of whole records, resumable from any d_off. */
        static char page[4096] __attribute__((aligned(8)));
        size_t pos = 0, next = 0, total = 0, records = 0;
        long n;
        while ((n = rw_dirlist_copy(&l, pos, page, sizeof(page), &next)) > 0) {
                for (long o = 0; o < n; o += ((struct rw_dirent *)(void *)(page + o))->d_reclen)
                        records++;
                total += (size_t)n;
                pos = next;
        }
        ok(n == 0 && total == l.len && records == l.count, "copied in pages: every record once, then 0");
        is_int(rw_dirlist_copy(&l, 0, page, 8, &next), -EINVAL, "no room for one record: EINVAL");
        is_int(rw_dirlist_copy(&l, 3, page, sizeof(page), &next) > 0 && next > 3, 1,
               "a position inside a record resumes at the next boundary");
        rw_dirlist_free(&l);

        snprintf(abs, sizeof(abs), "%s/lower/app", base);
        char roomy[8192] __attribute__((aligned(8)));
        is_int(rw_dirlist_build_in(&eng, abs, &l, roomy, sizeof(roomy), NULL), 0, "a small dir");
        ok(!l.mapped && l.buf == roomy, "stays in the caller's buffer: no mmap");
        rw_dirlist_free(&l);
}

static void test_fd(struct rw_index *idx)
{
        char abs[PATH_MAX], up[PATH_MAX + 128];
        struct rw_dirlist l;
        struct stat fst, st;
        int fd = -1;

        snprintf(abs, sizeof(abs), "%s/lower/app/dir", base);
        fd = -1;
        is_int(rw_dirlist_build_in(&eng, abs, &l, NULL, 0, &fd), 1, "not in the upper: nothing to merge");
        ok(fd >= 0 && fstat(fd, &fst) == 0 && stat(abs, &st) == 0 && fst.st_ino == st.st_ino,
           "and the fd is the lower dir");
        close(fd);

        /* app is only an ancestor of upper entries: stat() shows the lower dir, so does the fd. */
        eng.upper.index = idx;
        snprintf(abs, sizeof(abs), "%s/lower/app/new", base);
        rw_index_add(idx, abs);
        snprintf(abs, sizeof(abs), "%s/lower/app", base);
        fd = -1;
        is_int(rw_dirlist_build_in(&eng, abs, &l, NULL, 0, &fd), 0, "a merged dir");
        ok(fd >= 0 && fstat(fd, &fst) == 0 && stat(abs, &st) == 0 && fst.st_ino == st.st_ino,
           "an ancestor-only dir hands back the lower fd");
        ok(l.len && rw_dirlist_at(&l, 0) != NULL, "and lists");
        uint64_t dot = 0;
        for (size_t off = 0; off < l.len; off += rw_dirlist_at(&l, off)->d_reclen)
                if (strcmp(rw_dirlist_at(&l, off)->d_name, ".") == 0)
                        dot = rw_dirlist_at(&l, off)->d_ino;
        is_int(dot, st.st_ino, "\".\" has the lower's inode, as stat shows");
        rw_dirlist_free(&l);
        close(fd);

        /* The caller's own fd of the lower dir is read, handed back, and left open. */
        int mine = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fd = mine;
        is_int(rw_dirlist_build_in(&eng, abs, &l, NULL, 0, &fd), 0, "a merged dir, the caller's lower fd given");
        ok(fd == mine && fcntl(mine, F_GETFD) >= 0, "the given fd comes back, still open");
        ok(l.count >= 5, "and the listing has both layers (%zu records)", l.count);
        rw_dirlist_free(&l);
        close(mine);

        /* x is an entry (opaque): stat() shows the upper dir, so does the fd. */
        snprintf(abs, sizeof(abs), "%s/lower/app/x", base);
        rw_index_add(idx, abs);
        rw_index_add_opaque(idx, abs);
        snprintf(up, sizeof(up), "%s/up/fs%s", base, abs);
        fd = -1;
        is_int(rw_dirlist_build_in(&eng, abs, &l, NULL, 0, &fd), 0, "an upper entry dir");
        ok(fd >= 0 && fstat(fd, &fst) == 0 && stat(up, &st) == 0 && fst.st_ino == st.st_ino,
           "hands back the upper fd");
        rw_dirlist_free(&l);
        close(fd);
        eng.upper.index = NULL;
}

int main(void)
{
        snprintf(base, sizeof(base), "/tmp/rwshim-unit-dirlist.XXXXXX");
        if (!mkdtemp(base)) {
                perror("mkdtemp");
                return 1;
        }
        mkdirs("up/");
        snprintf(eng.upper.root, sizeof(eng.upper.root), "%s/up", base);
        eng.upper.fs_len = (size_t)snprintf(eng.upper.fs, sizeof(eng.upper.fs), "%s/up/fs", base);
        eng.mode = RW_MODE_RUN;
        test_merge();
        test_opaque();
        test_upper_only_and_root();
        test_big();
        struct rw_index *idx = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        rw_index_init(idx);
        test_fd(idx);
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        if (system(cmd) != 0)
                return 1;
        return tap_done();
}
