/* Unit tests for the index's growth (core/index.c): past level 0's 65,536 slots it adds level
 * files, mapped lazily by every process that shares the index, instead of saturating; level
 * files that are torn, stale (another index's nonce) or hostile are never trusted, and an
 * index rebuilt from fs/ grows the same way. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/index.h"
#include "core/upper_dir.h"
#include "tap.h"

static char base[64];

static const char *at(const char *rel)
{
        static char buf[4][512];
        static int n;
        char *b = buf[n++ % 4];

        snprintf(b, sizeof(buf[0]), "%s/%s", base, rel);
        return b;
}

/* A fresh index file at rel, initialised as the CLI does, then mapped as a process would. */
static struct rw_index *new_index(const char *rel)
{
        struct rw_index *idx = NULL;
        int fd = open(at(rel), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        void *m;

        if (fd < 0 || ftruncate(fd, (off_t)rw_index_file_size()) < 0)
                abort();
        m = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
                abort();
        rw_index_init(m);
        munmap(m, rw_index_file_size());
        close(fd);
        if (rw_index_map(at(rel), &idx) < 0)
                abort();
        return idx;
}

static void path_of(char *buf, size_t size, const char *top, int worker, int i)
{
        snprintf(buf, size, "/%s/w%d/d%03d/file-%06d.txt", top, worker, i % 200, i);
}

/* 1 when every path of worker is seen as in the upper. */
static int all_found(const struct rw_index *idx, const char *top, int worker, int n)
{
        char p[256];

        for (int i = 0; i < n; i++) {
                path_of(p, sizeof(p), top, worker, i);
                if (!(rw_index_query(idx, p) & RW_INDEX_UNDER))
                        return 0;
        }
        return 1;
}

/* How many of n paths never added the index calls "maybe": hash collisions only. */
static int false_maybes(const struct rw_index *idx, int n)
{
        char p[256];
        int hits = 0;

        for (int i = 0; i < n; i++) {
                snprintf(p, sizeof(p), "/absent/x%d/file-%06d.txt", i % 97, i);
                hits += (rw_index_query(idx, p) & RW_INDEX_UNDER) != 0;
        }
        return hits;
}

static void test_grows(void)
{
        struct rw_index *idx = new_index("grow");
        char p[256];
        const int n = 300000;

        is_int(rw_index_levels(idx), 1, "a fresh index has level 0 only");
        for (int i = 0; i < n; i++) {
                path_of(p, sizeof(p), "srv", 0, i);
                rw_index_add(idx, p);
        }
        ok(!rw_index_saturated(idx), "300,000 entries do not saturate the index");
        ok(rw_index_levels(idx) >= 2, "it grew a level (levels %u)", rw_index_levels(idx));
        ok(access(at("grow.1"), F_OK) == 0, "the level is a file beside the index");
        ok(all_found(idx, "srv", 0, n), "every entry is found, in whichever level it went");
        is_int(rw_index_query(idx, "/srv/w0"), RW_INDEX_ANCESTOR, "a parent is an ancestor only");
        ok(false_maybes(idx, 100000) < 100, "paths never added are told apart (< 0.1%% maybe)");

        /* Another process mapping the same index later sees everything, levels included. */
        struct rw_index *other = NULL;
        is_int(rw_index_map(at("grow"), &other), 0, "a second mapping of the grown index");
        ok(other && all_found(other, "srv", 0, n), "it maps the levels when a lookup needs them");
        rw_index_unmap(other);
        rw_index_unmap(idx);
}

/* Processes that mapped the index before it grew add entries at once (each growing it) and
 * read each other's: every one of them sees every entry afterwards, none saturates it. */
static void test_concurrent(void)
{
        struct rw_index *idx = new_index("conc");
        enum { WORKERS = 4, EACH = 60000 };
        pid_t pids[WORKERS];
        int good = 1;

        rw_index_add(idx, "/srv/before");
        for (int w = 0; w < WORKERS; w++) {
                pids[w] = fork();
                if (pids[w] == 0) {
                        char p[256];
                        struct rw_index *mine = NULL;

                        /* half the workers use the parent's mapping, half map it themselves */
                        if (w % 2 && rw_index_map(at("conc"), &mine) < 0)
                                _exit(2);
                        struct rw_index *use = mine ? mine : idx;
                        for (int i = 0; i < EACH; i++) {
                                path_of(p, sizeof(p), "srv", w, i);
                                rw_index_add(use, p);
                                /* a reader racing the growth never gets a wrong "no" for what
                                 * it added itself, nor for an entry from before */
                                if (!(rw_index_query(use, p) & RW_INDEX_UNDER) ||
                                    !(rw_index_query(use, "/srv/before") & RW_INDEX_UNDER))
                                        _exit(3);
                        }
                        _exit(0);
                }
        }
        for (int w = 0; w < WORKERS; w++) {
                int st;
                good &= waitpid(pids[w], &st, 0) == pids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        ok(good, "%d processes add %d entries each while reading", WORKERS, EACH);
        ok(!rw_index_saturated(idx), "the shared index did not saturate");
        for (int w = 0; w < WORKERS; w++)
                good &= all_found(idx, "srv", w, EACH);
        ok(good, "the parent, mapped before the growth, sees every worker's entries");
        ok(false_maybes(idx, 50000) < 100, "and still tells absent paths apart");
        rw_index_unmap(idx);
}

static void poke(const char *rel, off_t off, const void *buf, size_t len)
{
        int fd = open(at(rel), O_WRONLY | O_CLOEXEC);

        if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len)
                abort();
        close(fd);
}

/* Level files that do not belong to the index: every lookup that would need one answers
 * "maybe" (the merged path checks the upper), never a wrong "no"; adding saturates. */
static void test_untrusted_levels(void)
{
        struct rw_index *idx = new_index("bad"), *fresh = NULL;
        char p[256];
        const int n = 200000;

        for (int i = 0; i < n; i++) {
                path_of(p, sizeof(p), "srv", 0, i);
                rw_index_add(idx, p);
        }
        ok(rw_index_levels(idx) >= 2, "grown (levels %u)", rw_index_levels(idx));
        rw_index_unmap(idx);

        uint64_t wrong = 0x1234;
        poke("bad.1", offsetof(struct rw_index_level_header, nonce), &wrong, sizeof(wrong));
        is_int(rw_index_map(at("bad"), &fresh), 0, "the index itself still maps");
        ok(all_found(fresh, "srv", 0, n), "a level of another index (nonce) is not read: maybe, not no");
        rw_index_unmap(fresh);

        ok(truncate(at("bad.1"), 4096) == 0, "truncate a level");
        is_int(rw_index_map(at("bad"), &fresh), 0, "mapped");
        ok(all_found(fresh, "srv", 0, n), "a torn level is not read");
        rw_index_add(fresh, "/needs/room/in/a/full/level");
        rw_index_unmap(fresh);

        ok(unlink(at("bad.1")) == 0 && symlink("/etc/passwd", at("bad.1")) == 0, "a symlink as a level");
        is_int(rw_index_map(at("bad"), &fresh), 0, "mapped");
        ok(all_found(fresh, "srv", 0, n), "a symlinked level is not followed");
        rw_index_unmap(fresh);

        /* A header claiming levels that do not exist, in plain memory (no files to map). */
        struct rw_index *mem = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        rw_index_init(mem);
        for (int i = 0; i < 120000; i++) {
                path_of(p, sizeof(p), "mem", 0, i);
                rw_index_add(mem, p);
        }
        ok(rw_index_saturated(mem), "an index that cannot make level files saturates instead");
        ok(all_found(mem, "mem", 0, 120000), "and answers maybe for all");
        atomic_store(&mem->hdr.levels, 1000u);
        atomic_store(&mem->hdr.saturated, 0u);
        ok(all_found(mem, "mem", 0, 120000), "a hostile level count never makes a wrong no");
        is_int(rw_index_levels(mem), RW_INDEX_LEVELS, "and is clamped");
        munmap(mem, rw_index_file_size());
}

static void test_refused_files(void)
{
        struct rw_index *idx = NULL;
        struct rw_index *good = new_index("old");

        rw_index_unmap(good);
        uint64_t v2 = 0x3278646977727277ull;   /* "wrwridx2", the single-level format */
        poke("old", 0, &v2, sizeof(v2));
        is_int(rw_index_map(at("old"), &idx), -EINVAL, "an index of the older format is refused");
        ok(truncate(at("old"), 100) == 0, "truncate the index");
        is_int(rw_index_map(at("old"), &idx), -EINVAL, "a truncated index is refused");
        is_int(rw_index_map("relative/index", &idx), -EINVAL, "a relative path is refused");
}

/* An upper whose fs/ holds more than level 0 can tell apart is rebuilt into a grown index, and
 * the old index's levels go with it. */
static void test_rebuild(void)
{
        char up[256], p[512];
        int lock = -1;
        struct rw_err e = { 0 };
        struct rw_index *idx = NULL;
        const int dirs = 40, per = 2000;

        snprintf(up, sizeof(up), "%s/up", base);
        ok(rw_upper_prepare(up, &lock, &e) == 0, "a new upper");
        close(lock);
        for (int d = 0; d < dirs; d++) {
                snprintf(p, sizeof(p), "%s/fs/d%02d", up, d);
                mkdir(p, 0755);
                for (int i = 0; i < per; i++) {
                        snprintf(p, sizeof(p), "%s/fs/d%02d/f%05d", up, d, i);
                        close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
                }
        }
        snprintf(p, sizeof(p), "%s/.rwshim/index.1", up);
        close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));   /* a stale level */
        snprintf(p, sizeof(p), "%s/.rwshim/index", up);
        ok(unlink(p) == 0, "lose the index");
        ok(rw_upper_prepare(up, &lock, &e) == 0, "the upper is prepared again");
        close(lock);
        is_int(rw_index_map(p, &idx), 0, "the rebuilt index maps");
        ok(idx && rw_index_levels(idx) >= 2 && !rw_index_saturated(idx), "it grew, unsaturated");
        int found = 1;
        for (int d = 0; d < dirs; d++)
                for (int i = 0; i < per; i++) {
                        snprintf(p, sizeof(p), "/d%02d/f%05d", d, i);
                        found &= (rw_index_query(idx, p) & RW_INDEX_UNDER) != 0;
                }
        ok(found, "every one of the %d files of fs/ is in it", dirs * per);
        snprintf(p, sizeof(p), "%s/.rwshim/index.tmp", up);
        ok(access(p, F_OK) < 0, "no temporary index is left");
        rw_index_unmap(idx);
}

int main(void)
{
        snprintf(base, sizeof(base), "/dev/shm/rwshim-test-index-growth-%d", (int)getpid());
        if (mkdir(base, 0700) < 0)
                return 1;
        test_grows();
        test_concurrent();
        test_untrusted_levels();
        test_refused_files();
        test_rebuild();
        rw_upper_remove_tree(base);
        return tap_done();
}
