/* libFuzzer: the upper's index as another process of the run may leave it in the shared
 * mapping (core/index.c). Every process maps UPPER/.rwshim/index MAP_SHARED and trusts it after
 * one check at attach, so any byte of it may change under a reader: a hostile or buggy process
 * of the same user, a torn write, an index of another format version. The input is
 *   byte 0        mode: bit 0 start from a valid empty index, bit 1 query even when
 *                 rw_index_validate() refuses (a process attached before the damage)
 *   bytes 1..2    where in the mapping the blob goes (in 8-byte units)
 *   up to '\n\n'  the blob, copied over the header and at that offset
 *   the rest      paths, one per line: queried, added, used as cwd prefixes
 * Nothing may read or write outside the mapping, whatever it holds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rw_index *map;
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
        map = (struct rw_index *)(pages + pages_len - size);
}

static void blob_into_map(const uint8_t *blob, size_t len, size_t at)
{
        size_t total = rw_index_file_size();

        memcpy(map, blob, len < total ? len : total);
        at = at * 8 % total;
        if (len > total - at)
                len = total - at;
        memcpy((char *)map + at, blob, len);
}

static void use_path(const char *path, const char *prev, int may_add)
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
        int adds = 0;

        if (size < 3)
                return 0;
        if (!map)
                map_once();
        else if (madvise(pages, pages_len, MADV_DONTNEED) < 0)
                abort();
        if (data[0] & 1)
                rw_index_init(map);
        end = memmem(data + 3, size - 3, "\n\n", 2);
        size_t blob = end ? (size_t)(end - (data + 3)) : 0;
        blob_into_map(data + 3, blob, (size_t)data[1] | (size_t)data[2] << 8);
        if (!(data[0] & 2) && rw_index_validate(map, rw_index_file_size()) < 0)
                return 0;
        for (p = data + 3 + (end ? blob + 2 : 0); p < data + size;) {
                const uint8_t *nl = memchr(p, '\n', (size_t)(data + size - p));
                size_t len = (size_t)((nl ? nl : data + size) - p);

                if (len < sizeof(line)) {
                        memcpy(line, p, len);
                        line[len] = '\0';
                        use_path(line, prev, adds++ < 64);
                        if (line[0] == '/')
                                memcpy(prev, line, len + 1);
                }
                p += len + 1;
        }
        return 0;
}
