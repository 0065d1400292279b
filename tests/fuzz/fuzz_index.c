/* libFuzzer: the upper's index as another process of the run may leave it in the shared
 * mapping (core/index.c). Every process maps UPPER/.rwshim/index MAP_SHARED and trusts it after
 * one check at attach, so any byte of it may change under a reader: a hostile or buggy process
 * of the same user, a torn write, an index of another format version. The input is
 *   byte 0        mode: bit 0 start from a valid empty index, bit 1 query even when
 *                 rw_index_validate() refuses (a process attached before the damage),
 *                 bit 2 the index is a file mapped with rw_index_map() and has a level file
 *                 "index.1" (the blob goes into it too, at the same offset), bit 3 that level
 *                 has a valid header (the index's nonce), bits 4-5 the header's level count,
 *                 bit 6 level 0's table and bit 7 (with byte 1 0xff) level 1's are full of
 *                 other keys (so every key goes to the next level, created if need be)
 *   bytes 1..2    where in the mapping the blob goes (in 8-byte units)
 *   up to '\n\n'  the blob, copied over the header and at that offset
 *   the rest      paths, one per line: queried, added, used as cwd prefixes
 * Nothing may read or write outside the mappings, whatever they hold; levels the paths' adds
 * need are created beside the file. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rw_index *mem;
static char *pages;
static size_t pages_len;

/* The index ends exactly where a PROT_NONE page begins (and one guards its start), so a read a
 * byte past it faults even though this memory is not ASan's; zeroing between runs is
 * MADV_DONTNEED, which costs only the pages a run touched. */
static void map_once(void)
{
        size_t pg = (size_t)sysconf(_SC_PAGESIZE), size = rw_index_file_size();

        pages_len = (size + pg - 1) / pg * pg;
        char *base = mmap(NULL, pages_len + 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED || mprotect(base + pg, pages_len, PROT_READ | PROT_WRITE) < 0)
                abort();
        pages = base + pg;
        mem = (struct rw_index *)(pages + pages_len - size);
}

static void blob_into_map(struct rw_index *map, const uint8_t *blob, size_t len, size_t at)
{
        size_t total = rw_index_file_size();

        memcpy(map, blob, len < total ? len : total);
        at = at * 8 % total;
        if (len > total - at)
                len = total - at;
        memcpy((char *)map + at, blob, len);
}

static char dir[64], main_path[96], level_path[3][100];

static void remove_files(void)
{
        unlink(main_path);
        for (int l = 0; l < 3; l++)
                unlink(level_path[l]);
        rmdir(dir);
}

static void put_at(int fd, const void *buf, size_t len, size_t at, size_t total)
{
        at = at * 8 % total;
        if (len > total - at)
                len = total - at;
        if (pwrite(fd, buf, len, (off_t)at) < 0) { /* a short file is a case too */ }
}

/* Keys no path hashes to (bit 63 set, as every key, and a fixed pattern), made once: the loop
 * is instrumented and would cost every run. */
static const uint64_t *junk_keys(void)
{
        static uint64_t junk[8192];

        if (!junk[0])
                for (size_t i = 0; i < 8192; i++)
                        junk[i] = 0x8000000000000000ull | (0x9e3779b97f4a7c15ull * (i + 1) & ~3ull);
        return junk;
}

/* Fills a table of a file with those keys. */
static void fill_table(int fd, size_t off, size_t slots)
{
        for (size_t done = 0; done < slots; done += 8192)
                if (pwrite(fd, junk_keys(), 8192 * sizeof(uint64_t), (off_t)(off + done * 8)) < 0)
                        abort();
}

/* The main index file is made once and rewritten in place through a mapping of its own: freeing
 * and allocating its tmpfs pages every run was most of a run's cost. */
static char *main_bytes;

static void make_main_file(void)
{
        size_t total = rw_index_file_size();
        int fd = open(main_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || ftruncate(fd, (off_t)total) < 0)
                abort();
        main_bytes = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (main_bytes == MAP_FAILED)
                abort();
        close(fd);
}

/* The file-backed case: index and index.1 as a damaged upper may hold them, mapped the way
 * every process of a run maps them. NULL when rw_index_map() refuses the file. */
static struct rw_index *files_of(const uint8_t *data, const uint8_t *blob, size_t len, size_t at)
{
        size_t total = rw_index_file_size(), ltotal = rw_index_level_file_size(1);
        struct rw_index_header h = { 0 };
        struct rw_index *idx = NULL;
        int fd;

        if (!dir[0]) {
                snprintf(dir, sizeof(dir), "/dev/shm/rwshim-fuzz-index-%d", (int)getpid());
                mkdir(dir, 0700);
                snprintf(main_path, sizeof(main_path), "%s/index", dir);
                for (int l = 0; l < 3; l++)
                        snprintf(level_path[l], sizeof(level_path[l]), "%s.%d", main_path, l + 1);
                atexit(remove_files);
                make_main_file();
        }
        for (int l = 0; l < 3; l++)
                unlink(level_path[l]);
        memset(main_bytes, 0, total);
        if (data[0] & 1) {
                rw_index_init(mem);   /* only for a fresh nonce and magic */
                h = mem->hdr;
                h.levels = (uint32_t)(data[0] >> 4) & 3;
                memcpy(main_bytes, &h, sizeof(h));
        }
        blob_into_map((struct rw_index *)main_bytes, blob, len, at);
        if (data[0] & 64)
                for (size_t done = 0; done < RW_INDEX_SLOTS; done += 8192)
                        memcpy(main_bytes + sizeof(struct rw_index) + done * 8, junk_keys(),
                               8192 * sizeof(uint64_t));
        memcpy(&h, main_bytes, sizeof(h));
        fd = open(level_path[0], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)ltotal) < 0)
                abort();
        if (data[0] & 8) {
                struct rw_index_level_header lh = { .magic = RW_INDEX_LEVEL_MAGIC, .level = 1,
                                                    .slots = RW_INDEX_SLOTS << RW_INDEX_GROWTH_BITS,
                                                    .nonce = h.nonce };
                if (pwrite(fd, &lh, sizeof(lh), 0) < 0)
                        abort();
        }
        put_at(fd, blob, len, at, ltotal);
        if ((data[0] & 128) && data[1] == 0xff)   /* 4 MiB to write: kept rare */
                fill_table(fd, sizeof(struct rw_index_level_header) +
                           (RW_INDEX_FILTER_WORDS << RW_INDEX_GROWTH_BITS) * sizeof(uint64_t),
                           RW_INDEX_SLOTS << RW_INDEX_GROWTH_BITS);
        close(fd);
        if (rw_index_map(main_path, &idx) < 0)
                return NULL;
        return idx;
}

static void use_path(struct rw_index *map, const char *path, const char *prev, int may_add)
{
        struct rw_index_prefix p;

        (void)rw_index_query(map, path);
        (void)rw_index_maybe_entry(map, path);
        (void)rw_index_maybe_opaque(map, path, strlen(path));
        (void)rw_index_query_climbed(map, prev, path);
        rw_index_prefix_of(map, prev, &p);
        if (rw_index_prefix_fresh(map, &p))
                (void)rw_index_query_below(map, &p, path[0] == '/' ? path + 1 : path);
        if (may_add) {
                rw_index_add(map, path);
                rw_index_add_opaque(map, path);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char line[4096], prev[4096] = "/";
        const uint8_t *end, *p;
        struct rw_index *map = NULL;
        int adds = 0;

        if (size < 3)
                return 0;
        if (!mem)
                map_once();
        else if (madvise(pages, pages_len, MADV_DONTNEED) < 0)
                abort();
        end = memmem(data + 3, size - 3, "\n\n", 2);
        size_t blob = end ? (size_t)(end - (data + 3)) : 0, at = (size_t)data[1] | (size_t)data[2] << 8;
        if (data[0] & 4) {
                if (!(map = files_of(data, data + 3, blob, at)))
                        return 0;
        } else {
                map = mem;
                if (data[0] & 1)
                        rw_index_init(map);
                blob_into_map(map, data + 3, blob, at);
                if (!(data[0] & 2) && rw_index_validate(map, rw_index_file_size()) < 0)
                        return 0;
        }
        for (p = data + 3 + (end ? blob + 2 : 0); p < data + size;) {
                const uint8_t *nl = memchr(p, '\n', (size_t)(data + size - p));
                size_t len = (size_t)((nl ? nl : data + size) - p);

                if (len < sizeof(line)) {
                        memcpy(line, p, len);
                        line[len] = '\0';
                        use_path(map, line, prev, adds++ < 64);
                        if (line[0] == '/')
                                memcpy(prev, line, len + 1);
                }
                p += len + 1;
        }
        if (map != mem)
                rw_index_unmap(map);
        return 0;
}
