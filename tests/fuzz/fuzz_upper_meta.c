/* libFuzzer: an upper dir's metadata as a crash, an older or newer rwshim, or the user's own
 * programs may leave it: .rwshim/version, .rwshim/index (torn, truncated, oversized, of another
 * format), .rwshim/lock of the wrong type, and fs/ names that look like whiteouts. The CLI's
 * rw_upper_prepare() must accept it (rebuilding the index from fs/) or refuse it with an
 * error, and a process attaching afterwards (rw_upper_attach, as the preload does) must get a
 * valid mapping or an error. The input is
 *   byte 0   bit 0 write version, bit 1 write index, bits 2-3 index size (blob, exact, larger,
 *            empty), bit 4 lock is a directory, bit 5 lock and bit 6 version are symlinks,
 *            bit 7 fs/ holds a file named by the input
 *   byte 1   length of the version bytes that follow, then a length byte and the fs/ name,
 *            then the index blob (written at offset 0, and, with bit 0 of the name length, as
 *            a level file index.1 (bit 1: index.2), which the rebuild must remove or ignore). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"
#include "core/upper_attach.h"
#include "core/upper_dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[128], upper[160];

static void remove_root(void)
{
        rw_upper_remove_tree(root);
}

static void put(const char *rel, const void *buf, size_t len, int size_choice)
{
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", upper, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        if (write(fd, buf, len) < 0) { /* a short file is a case too */ }
        if (size_choice == 1 || size_choice == 2)
                (void)!ftruncate(fd, (off_t)(rw_index_file_size() + (size_choice == 2 ? 4096 : 0)));
        else if (size_choice == 3)
                (void)!ftruncate(fd, 0);
        close(fd);
}

static void at(char *buf, size_t size, const char *rel)
{
        snprintf(buf, size, "%s/%s", upper, rel);
}

static void make_fs_name(const uint8_t *name, size_t len)
{
        char path[512], clean[256];
        size_t n = 0;

        for (size_t i = 0; i < len && n + 1 < sizeof(clean); i++)
                if (name[i] != '/' && name[i] != '\0')
                        clean[n++] = (char)name[i];
        clean[n] = '\0';
        if (!n || strcmp(clean, ".") == 0 || strcmp(clean, "..") == 0)
                return;
        snprintf(path, sizeof(path), "%s/fs/%s", upper, clean);
        close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
}

static void set_up(const uint8_t *data, size_t size)
{
        char path[256], target[256];
        uint8_t flags = data[0];
        size_t vlen = data[1] < size - 2 ? data[1] : size - 2;
        const uint8_t *rest = data + 2 + vlen;
        size_t left = size - 2 - vlen, nlen = left ? rest[0] : 0;

        nlen = nlen < left - (left ? 1 : 0) ? nlen : (left ? left - 1 : 0);
        mkdir(upper, 0700);
        at(path, sizeof(path), ".rwshim"), mkdir(path, 0700);
        at(path, sizeof(path), "fs"), mkdir(path, 0755);
        at(target, sizeof(target), "fs");
        if (flags & 1) {
                if (flags & 64)
                        at(path, sizeof(path), ".rwshim/version"), (void)!symlink("/proc/self/status", path);
                else
                        put(".rwshim/version", data + 2, vlen, 0);
        }
        if (flags & 2)
                put(".rwshim/index", rest + 1 + nlen, left ? left - 1 - nlen : 0, (flags >> 2) & 3);
        if (left && (rest[0] & 1))
                put(".rwshim/index.1", rest + 1 + nlen, left - 1 - nlen, 0);
        if (left && (rest[0] & 2))
                put(".rwshim/index.2", rest + 1 + nlen, left - 1 - nlen, 0);
        at(path, sizeof(path), ".rwshim/lock");
        if (flags & 16)
                mkdir(path, 0700);
        else if (flags & 32)
                (void)!symlink(target, path);
        if ((flags & 128) && left)
                make_fs_name(rest + 1, nlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rw_err e = { 0 };
        int lock = -1;

        if (size < 2)
                return 0;
        if (!root[0]) {
                snprintf(root, sizeof(root), "/dev/shm/rwshim-fuzz-meta-%d", (int)getpid());
                mkdir(root, 0700);
                snprintf(upper, sizeof(upper), "%s/u", root);
                atexit(remove_root);
        }
        rw_upper_remove_tree(upper);
        set_up(data, size);
        if (rw_upper_prepare(upper, &lock, &e) == 0) {
                struct rw_upper u;

                memset(&u, 0, sizeof(u));
                if (rw_upper_attach(&u, upper) == 0) {
                        /* Accepted: the index must be one every process can use. */
                        if (rw_index_validate(u.index, rw_index_file_size()) < 0)
                                abort();
                        (void)rw_index_query(u.index, "/usr/lib/python3/x");
                        rw_index_unmap(u.index);
                }
                close(lock);
        }
        (void)rw_upper_check_existing(upper, &e);
        return 0;
}
