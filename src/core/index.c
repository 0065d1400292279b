/* The upper's shared path filter (preload-safe); see index.h for the model. */
#include "core/index.h"

#include <errno.h>
#include <string.h>
#include <limits.h>

#include "core/path.h"

#define FLAG_ENTRY    1ull
#define FLAG_ANCESTOR 2ull
#define FLAG_MASK     3ull
#define KEY_PRESENT   (1ull << 63)

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

size_t rw_index_file_size(void)
{
        return sizeof(struct rw_index) + RW_INDEX_SLOTS * sizeof(uint64_t);
}

void rw_index_init(struct rw_index *idx)
{
        idx->hdr.magic = RW_INDEX_MAGIC;
        idx->hdr.slots = RW_INDEX_SLOTS;
}

int rw_index_validate(const struct rw_index *idx, size_t size)
{
        if (size < rw_index_file_size() || idx->hdr.magic != RW_INDEX_MAGIC ||
            idx->hdr.slots != RW_INDEX_SLOTS)
                return -EINVAL;
        return 0;
}

static inline uint64_t hash_step(uint64_t h, unsigned char c)
{
        return (h ^ c) * FNV_PRIME;
}

static inline uint64_t key_of(uint64_t h)
{
        return (h | KEY_PRESENT) & ~FLAG_MASK;
}

/* Finds the slot holding key, or the empty slot where it would go; NULL if the table is full.
 * The table's size is the compiled-in one, never hdr.slots: the header lives in a mapping any
 * process of the run can write after we validated it, and must not steer our reads. */
static _Atomic uint64_t *probe(const struct rw_index *idx, uint64_t key)
{
        const uint32_t mask = RW_INDEX_SLOTS - 1;
        uint32_t i = (uint32_t)(key ^ (key >> 32)) & mask;

        for (uint32_t n = 0; n < RW_INDEX_SLOTS; n++, i = (i + 1) & mask) {
                _Atomic uint64_t *slot = (_Atomic uint64_t *)&idx->table[i];
                uint64_t v = atomic_load_explicit(slot, memory_order_acquire);

                if (v == 0 || (v & ~FLAG_MASK) == key)
                        return slot;
        }
        return NULL;
}

/* The filter bit of a key and flag: ENTRY and ANCESTOR keys get different bits, so the many
 * ancestors of one entry do not make every lookup below them probe the table. */
static inline uint64_t filter_hash(uint64_t key, uint64_t flag)
{
        return flag == FLAG_ENTRY ? key : key * 0x9e3779b97f4a7c15ull;
}
static inline uint64_t filter_bit(uint64_t h) { return 1ull << ((h >> 40) & 63); }
static inline uint32_t filter_word(uint64_t h) { return (uint32_t)(h >> 46) & (RW_INDEX_FILTER_WORDS - 1); }

static inline int filter_has(const struct rw_index *idx, uint64_t key, uint64_t flag)
{
        uint64_t f = filter_hash(key, flag);

        return (atomic_load_explicit(&idx->filter[filter_word(f)], memory_order_relaxed) & filter_bit(f)) != 0;
}

static void insert(struct rw_index *idx, uint64_t h, uint64_t flag)
{
        uint64_t key = key_of(h);

        /* Filter first: a reader that finds the slot must also pass the filter. */
        uint64_t f = filter_hash(key, flag);
        atomic_fetch_or(&idx->filter[filter_word(f)], filter_bit(f));

        for (;;) {
                _Atomic uint64_t *slot = probe(idx, key);
                uint64_t expected = 0;

                if (!slot) {
                        atomic_store(&idx->hdr.saturated, 1);
                        return;
                }
                uint64_t v = atomic_load(slot);
                if (v != 0) {
                        if ((v & ~FLAG_MASK) != key)
                                continue;   /* another key won the empty slot: probe again */
                        atomic_fetch_or(slot, flag);
                        return;
                }
                if (atomic_compare_exchange_strong(slot, &expected, key | flag)) {
                        uint32_t used = atomic_fetch_add(&idx->hdr.used, 1) + 1;

                        if (used > RW_INDEX_SLOTS / 4 * 3)
                                atomic_store(&idx->hdr.saturated, 1);
                        return;
                }
                /* another process took this slot: probe again */
        }
}

/* The flags among `wanted` that the slot of h carries. */
static uint64_t lookup(const struct rw_index *idx, uint64_t h, uint64_t wanted)
{
        uint64_t key = key_of(h);

        if (!((wanted & FLAG_ENTRY) && filter_has(idx, key, FLAG_ENTRY)) &&
            !((wanted & FLAG_ANCESTOR) && filter_has(idx, key, FLAG_ANCESTOR)))
                return 0;
        _Atomic uint64_t *slot = probe(idx, key);

        return slot ? atomic_load_explicit(slot, memory_order_acquire) & wanted : 0;
}

void rw_index_add(struct rw_index *idx, const char *abs)
{
        uint64_t h = FNV_OFFSET;

        insert(idx, hash_step(FNV_OFFSET, '/'), FLAG_ANCESTOR);  /* "/" */
        for (const char *p = abs; *p; p++) {
                if (*p == '/' && p != abs)
                        insert(idx, h, FLAG_ANCESTOR);
                h = hash_step(h, (unsigned char)*p);
        }
        if (strcmp(abs, "/") != 0)
                insert(idx, h, FLAG_ENTRY);
}

int rw_index_query(const struct rw_index *idx, const char *abs)
{
        uint64_t h = FNV_OFFSET;
        int result = 0;

        if (rw_index_empty(idx))
                return 0;
        if (atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed))
                return RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
        if (strcmp(abs, "/") == 0)
                return lookup(idx, hash_step(FNV_OFFSET, '/'), FLAG_ANCESTOR) ? RW_INDEX_ANCESTOR : 0;
        for (const char *p = abs; *p; p++) {
                if (*p == '/' && p != abs && lookup(idx, h, FLAG_ENTRY))
                        return RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
                h = hash_step(h, (unsigned char)*p);
        }
        uint64_t flags = lookup(idx, h, FLAG_ENTRY | FLAG_ANCESTOR);
        if (flags & FLAG_ENTRY)
                result |= RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
        if (flags & FLAG_ANCESTOR)
                result |= RW_INDEX_ANCESTOR;
        return result;
}

/* Opaque markers are keyed by the hash of "<dir>/.wh..wh..opq", an ENTRY that no real path
 * query reaches (lookups below dir are hashed one component at a time). */
static uint64_t opaque_hash(const char *dir, size_t len)
{
        static const char suffix[] = "/.wh..wh..opq";
        uint64_t h = FNV_OFFSET;

        for (size_t i = 0; i < len; i++)
                h = hash_step(h, (unsigned char)dir[i]);
        for (const char *p = (len == 1 && dir[0] == '/') ? suffix + 1 : suffix; *p; p++)
                h = hash_step(h, (unsigned char)*p);
        return h;
}

void rw_index_add_opaque(struct rw_index *idx, const char *dir)
{
        insert(idx, opaque_hash(dir, strlen(dir)), FLAG_ENTRY);
}

int rw_index_maybe_opaque(const struct rw_index *idx, const char *dir, size_t len)
{
        if (rw_index_empty(idx))
                return 0;
        if (atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed))
                return 1;
        return lookup(idx, opaque_hash(dir, len), FLAG_ENTRY) != 0;
}

int rw_index_maybe_entry(const struct rw_index *idx, const char *abs)
{
        uint64_t h = FNV_OFFSET;

        if (rw_index_empty(idx))
                return 0;
        if (atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed))
                return 1;
        for (const char *p = abs; *p; p++)
                h = hash_step(h, (unsigned char)*p);
        return lookup(idx, h, FLAG_ENTRY) != 0;
}

void rw_index_prefix_of(const struct rw_index *idx, const char *dir, struct rw_index_prefix *ret)
{
        uint64_t h = FNV_OFFSET;

        /* used first: an entry added while we hash makes the state stale, never wrong. */
        ret->used = atomic_load_explicit(&idx->hdr.used, memory_order_acquire);
        ret->under = atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed) != 0;
        if (strcmp(dir, "/") == 0) {
                ret->hash = FNV_OFFSET;   /* the root is never an entry; "/" + rel hashes from here */
                return;
        }
        for (const char *p = dir; *p; p++) {
                if (*p == '/' && p != dir && lookup(idx, h, FLAG_ENTRY))
                        ret->under = 1;
                h = hash_step(h, (unsigned char)*p);
        }
        if (lookup(idx, h, FLAG_ENTRY))
                ret->under = 1;
        ret->hash = h;
}

int rw_index_query_below(const struct rw_index *idx, const struct rw_index_prefix *p, const char *rel)
{
        uint64_t h;

        if (rw_index_empty(idx))
                return 0;
        if (p->under || atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed))
                return RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
        h = hash_step(p->hash, '/');
        for (const char *c = rel; *c; c++) {
                if (*c == '/' && lookup(idx, h, FLAG_ENTRY))
                        return RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
                h = hash_step(h, (unsigned char)*c);
        }
        uint64_t flags = lookup(idx, h, FLAG_ENTRY | FLAG_ANCESTOR);
        if (flags & FLAG_ENTRY)
                return RW_INDEX_UNDER | RW_INDEX_ANCESTOR;
        return (flags & FLAG_ANCESTOR) ? RW_INDEX_ANCESTOR : 0;
}

int rw_index_query_climbed(const struct rw_index *idx, const char *base, const char *path)
{
        char prefix[PATH_MAX], dir[PATH_MAX];
        size_t len = strlen(path);
        int q = 0;

        if (len >= sizeof(prefix))
                return 0;
        memcpy(prefix, path, len + 1);
        for (size_t i = 0; i < len; i++) {
                int starts = i == 0 || path[i - 1] == '/';
                int dotdot = path[i] == '.' && path[i + 1] == '.' && (path[i + 2] == '/' || !path[i + 2]);
                if (!starts || !dotdot || i == 0)
                        continue;
                /* prefix[0, i) names the directory this ".." climbs out of. */
                prefix[i] = '\0';
                if (rw_path_normalize(base, prefix, dir, sizeof(dir)) >= 0)
                        q |= rw_index_query(idx, dir);
                prefix[i] = path[i];
        }
        return q & RW_INDEX_UNDER;
}
