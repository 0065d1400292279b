/* The upper's shared path filter (preload-safe); see index.h for the model. */
#include "core/index.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include "core/path.h"
#include "core/sys.h"

#define FLAG_ENTRY    1ull
#define FLAG_ANCESTOR 2ull
#define FLAG_MASK     3ull
#define KEY_PRESENT   (1ull << 63)

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

#define MAX_ATTACHED 4

/* One level's arrays, with sizes fixed by its number: never by a header another process can
 * rewrite after we validated it. */
struct level_view {
        _Atomic uint64_t *filter;
        _Atomic uint64_t *table;
        uint64_t filter_mask;   /* words - 1 */
        uint64_t slot_mask;     /* slots - 1 */
        unsigned slot_bits;
};

/* This process's view of an index it mapped with rw_index_map(): where its level files are and
 * which of them it has mapped. Plain static memory, since the preload may not allocate; level
 * mappings are published with compare-and-swap, so threads (and signal handlers) that map the
 * same level at once keep one mapping. After fork the child inherits both this and the maps. */
struct attachment {
        _Atomic int claimed;
        _Atomic(const struct rw_index *) idx;
        uint64_t nonce;                                  /* as validated at map time */
        char path[PATH_MAX - 8];                         /* the index file; levels are path.L */
        _Atomic(char *) level[RW_INDEX_LEVELS];          /* [0] unused: level 0 is idx itself */
};
static struct attachment attached[MAX_ATTACHED];

enum level_state { LEVEL_MAPPED, LEVEL_ABSENT, LEVEL_UNAVAILABLE };

static inline uint64_t level_slots(unsigned level)
{
        return (uint64_t)RW_INDEX_SLOTS << (RW_INDEX_GROWTH_BITS * level);
}

static inline uint64_t level_filter_words(unsigned level)
{
        return (uint64_t)RW_INDEX_FILTER_WORDS << (RW_INDEX_GROWTH_BITS * level);
}

size_t rw_index_file_size(void)
{
        return sizeof(struct rw_index) + RW_INDEX_SLOTS * sizeof(uint64_t);
}

size_t rw_index_level_file_size(unsigned level)
{
        return sizeof(struct rw_index_level_header) +
               (size_t)(level_filter_words(level) + level_slots(level)) * sizeof(uint64_t);
}

void rw_index_init(struct rw_index *idx)
{
        uint64_t nonce = 0;

        idx->hdr.magic = RW_INDEX_MAGIC;
        idx->hdr.slots = RW_INDEX_SLOTS;
        /* The nonce ties level files to this index: one left from an index that was rebuilt
         * must never be read as part of this one. */
        if (RW_SYSCALL(SYS_getrandom, &nonce, sizeof(nonce), 0) != (long)sizeof(nonce))
                nonce = (uint64_t)(uintptr_t)idx ^ ((uint64_t)RW_SYSCALL(SYS_getpid) << 32);
        idx->hdr.nonce = nonce | 1;   /* never 0, the value of a zero-filled file */
}

int rw_index_validate(const struct rw_index *idx, size_t size)
{
        if (size < rw_index_file_size() || idx->hdr.magic != RW_INDEX_MAGIC ||
            idx->hdr.slots != RW_INDEX_SLOTS || idx->hdr.nonce == 0)
                return -EINVAL;
        return 0;
}

unsigned rw_index_levels(const struct rw_index *idx)
{
        uint32_t l = idx ? atomic_load_explicit(&idx->hdr.levels, memory_order_acquire) : 0;

        return (l < RW_INDEX_LEVELS ? l : RW_INDEX_LEVELS - 1) + 1;
}

static struct attachment *attachment_of(const struct rw_index *idx)
{
        for (unsigned i = 0; i < MAX_ATTACHED; i++)
                if (atomic_load_explicit(&attached[i].idx, memory_order_acquire) == idx)
                        return &attached[i];
        return NULL;
}

static int level_path(char *dst, const struct attachment *a, unsigned level, const char *suffix)
{
        size_t n = strlen(a->path), s = strlen(suffix);

        if (n + 2 + s + 1 > PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(dst, a->path, n);
        dst[n] = '.';
        dst[n + 1] = (char)('0' + level);
        memcpy(dst + n + 2, suffix, s + 1);
        return 0;
}

/* Makes "path.L" exist: a zero-filled file of the level's size with its header, written under
 * a name of this thread and linked into place (link never replaces), so a process that opens
 * the level finds it whole, and when two create it at once both then use the one that won. */
static int create_level(const struct attachment *a, unsigned level, const char *path)
{
        char tmp[PATH_MAX], tid[24];
        struct rw_index_level_header h = { .magic = RW_INDEX_LEVEL_MAGIC, .level = level,
                                           .slots = (uint32_t)level_slots(level), .nonce = a->nonce };
        long t = RW_SYSCALL(SYS_gettid);
        int n = 0, fd, r;
        char rev[20];
        int k = 0;

        do
                rev[k++] = (char)('0' + t % 10);
        while ((t /= 10) > 0 && k < 20);
        tid[n++] = '.';
        tid[n++] = 't';
        while (k)
                tid[n++] = rev[--k];
        tid[n] = '\0';
        if ((r = level_path(tmp, a, level, tid)) < 0)
                return r;
        (void)rw_unlinkat(AT_FDCWD, tmp, 0);   /* left by a killed thread of the same id */
        fd = rw_openat(AT_FDCWD, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (fd < 0)
                return fd;
        r = rw_ftruncate(fd, (off_t)rw_index_level_file_size(level));
        if (r >= 0 && RW_SYSCALL(SYS_pwrite64, fd, &h, sizeof(h), 0) != (long)sizeof(h))
                r = -EIO;
        rw_close(fd);
        if (r >= 0 && (r = rw_linkat(AT_FDCWD, tmp, AT_FDCWD, path, 0)) == -EEXIST)
                r = 0;   /* another process made it first: use theirs */
        (void)rw_unlinkat(AT_FDCWD, tmp, 0);
        return r;
}

/* Maps level of a; creates its file first if create. Returns the mapping or NULL. */
static char *map_level(struct attachment *a, unsigned level, int create)
{
        char path[PATH_MAX];
        struct stat st;
        size_t size = rw_index_level_file_size(level);
        char *p, *expected = NULL;
        int fd;

        if (level_path(path, a, level, "") < 0)
                return NULL;
        fd = rw_openat(AT_FDCWD, path, O_RDWR | O_NOFOLLOW, 0);
        if (fd == -ENOENT && create && create_level(a, level, path) >= 0)
                fd = rw_openat(AT_FDCWD, path, O_RDWR | O_NOFOLLOW, 0);
        if (fd < 0)
                return NULL;
        if (RW_SYSCALL(SYS_fstat, fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != size) {
                rw_close(fd);
                return NULL;
        }
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rw_close(fd);
        if (p == MAP_FAILED)
                return NULL;
        const struct rw_index_level_header *h = (const void *)p;
        if (h->magic != RW_INDEX_LEVEL_MAGIC || h->level != level || h->slots != level_slots(level) ||
            h->nonce != a->nonce) {
                munmap(p, size);
                return NULL;
        }
        if (!atomic_compare_exchange_strong(&a->level[level], &expected, p)) {
                munmap(p, size);   /* another thread of ours mapped it first */
                return expected;
        }
        return p;
}

/* The arrays of level; ABSENT when the level does not exist yet (and create is 0), so no key
 * lives there; UNAVAILABLE when it should exist but cannot be mapped (or made). */
static enum level_state level_get(const struct rw_index *idx, unsigned level, int create,
                                  struct level_view *ret)
{
        char *base;

        ret->slot_bits = 16 + RW_INDEX_GROWTH_BITS * level;
        ret->slot_mask = level_slots(level) - 1;
        ret->filter_mask = level_filter_words(level) - 1;
        if (level == 0) {
                ret->filter = (_Atomic uint64_t *)idx->filter;
                ret->table = (_Atomic uint64_t *)idx->table;
                return LEVEL_MAPPED;
        }
        if (!create && atomic_load_explicit(&idx->hdr.levels, memory_order_acquire) < level)
                return LEVEL_ABSENT;
        struct attachment *a = attachment_of(idx);
        if (!a)
                return LEVEL_UNAVAILABLE;   /* an index in plain memory cannot grow */
        base = atomic_load_explicit(&a->level[level], memory_order_acquire);
        if (!base && !(base = map_level(a, level, create)))
                return LEVEL_UNAVAILABLE;
        if (create) {
                /* The file is in place before the header says so: a reader that sees the new
                 * count can always map it. */
                _Atomic uint32_t *levels = (_Atomic uint32_t *)&idx->hdr.levels;
                uint32_t cur = atomic_load(levels);
                while (cur < level && !atomic_compare_exchange_weak(levels, &cur, level))
                        ;
        }
        ret->filter = (_Atomic uint64_t *)(base + sizeof(struct rw_index_level_header));
        ret->table = ret->filter + level_filter_words(level);
        return LEVEL_MAPPED;
}

static inline uint64_t hash_step(uint64_t h, unsigned char c)
{
        return (h ^ c) * FNV_PRIME;
}

static inline uint64_t key_of(uint64_t h)
{
        return (h | KEY_PRESENT) & ~FLAG_MASK;
}

/* Where key's window starts in a level: a different mix per level, so the keys that crowded one
 * window of a level spread over the next. */
static inline uint64_t home_of(uint64_t key, unsigned level, const struct level_view *v)
{
        return ((key ^ (0x5851f42d4c957f2dull * level)) * 0x9e3779b97f4a7c15ull) >> (64 - v->slot_bits);
}

/* Finds the slot holding key in the level's window, or the empty slot where it would go; NULL
 * when the window is full of other keys (the key, if anywhere, is in a later level). */
static _Atomic uint64_t *probe(const struct level_view *v, unsigned level, uint64_t key)
{
        uint64_t i = home_of(key, level, v);

        for (unsigned n = 0; n < RW_INDEX_WINDOW; n++, i = (i + 1) & v->slot_mask) {
                _Atomic uint64_t *slot = &v->table[i];
                uint64_t val = atomic_load_explicit(slot, memory_order_acquire);

                if (val == 0 || (val & ~FLAG_MASK) == key)
                        return slot;
        }
        return NULL;
}

/* The filter bit of a key and flag: ENTRY and ANCESTOR keys get different bits, so the many
 * ancestors of one entry do not make every lookup below them probe the table. */
static inline uint64_t filter_hash(uint64_t key, uint64_t flag)
{
        return key * (flag == FLAG_ENTRY ? 0xff51afd7ed558ccdull : 0x9e3779b97f4a7c15ull);
}
static inline uint64_t filter_bit(uint64_t f) { return 1ull << (f >> 58); }

static inline int filter_has(const struct level_view *v, uint64_t key, uint64_t flag)
{
        uint64_t f = filter_hash(key, flag);

        return (atomic_load_explicit(&v->filter[(f >> 20) & v->filter_mask], memory_order_relaxed) &
                filter_bit(f)) != 0;
}

static void filter_set(const struct level_view *v, uint64_t key, uint64_t flag)
{
        uint64_t f = filter_hash(key, flag);

        atomic_fetch_or(&v->filter[(f >> 20) & v->filter_mask], filter_bit(f));
}

static void saturate(struct rw_index *idx)
{
        atomic_store(&idx->hdr.saturated, 1);
}

/* Adds flag to key's slot in the first level whose window holds it or has room. */
static void insert(struct rw_index *idx, uint64_t h, uint64_t flag)
{
        uint64_t key = key_of(h);
        struct level_view v;

        for (unsigned level = 0; level < RW_INDEX_LEVELS; level++) {
                if (level_get(idx, level, 1, &v) != LEVEL_MAPPED)
                        break;
                /* Filter first: a reader that finds the slot must also pass the filter. */
                filter_set(&v, key, flag);
                for (;;) {
                        _Atomic uint64_t *slot = probe(&v, level, key);
                        uint64_t expected = 0;

                        if (!slot)
                                break;   /* window full: the next level */
                        uint64_t val = atomic_load(slot);
                        if (val != 0) {
                                if ((val & ~FLAG_MASK) != key)
                                        continue;   /* another key won the empty slot: probe again */
                                atomic_fetch_or(slot, flag);
                                return;
                        }
                        if (atomic_compare_exchange_strong(slot, &expected, key | flag)) {
                                atomic_fetch_add(&idx->hdr.used, 1);
                                return;
                        }
                        /* another process took this slot: probe again */
                }
        }
        saturate(idx);
}

/* The flags among `wanted` that the slot of h carries; all of `wanted` when a level that may
 * hold it cannot be read (the answer must never be a wrong "no"). */
static uint64_t lookup(const struct rw_index *idx, uint64_t h, uint64_t wanted)
{
        uint64_t key = key_of(h);
        struct level_view v;

        for (unsigned level = 0; level < RW_INDEX_LEVELS; level++) {
                enum level_state st = level_get(idx, level, 0, &v);

                if (st == LEVEL_ABSENT)
                        return 0;
                if (st == LEVEL_UNAVAILABLE)
                        return wanted;
                /* A clear filter bit says the key is not in this level; it may be in a later one,
                 * which the header's level count tells. */
                if (!((wanted & FLAG_ENTRY) && filter_has(&v, key, FLAG_ENTRY)) &&
                    !((wanted & FLAG_ANCESTOR) && filter_has(&v, key, FLAG_ANCESTOR)))
                        continue;
                _Atomic uint64_t *slot = probe(&v, level, key);
                if (slot)   /* the key's slot, or the empty one where it would be: no later level has it */
                        return atomic_load_explicit(slot, memory_order_acquire) & wanted;
        }
        return 0;
}

int rw_index_map(const char *path, struct rw_index **ret)
{
        size_t n = strlen(path);
        struct stat st;
        struct rw_index *p;
        int fd;

        if (path[0] != '/' || n >= sizeof(attached[0].path))
                return -EINVAL;
        fd = rw_openat(AT_FDCWD, path, O_RDWR | O_NOFOLLOW, 0);
        if (fd < 0)
                return fd;
        if (RW_SYSCALL(SYS_fstat, fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (size_t)st.st_size != rw_index_file_size()) {
                rw_close(fd);
                return -EINVAL;
        }
        p = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rw_close(fd);
        if (p == MAP_FAILED)
                return -ENOMEM;
        if (rw_index_validate(p, rw_index_file_size()) < 0) {
                munmap(p, rw_index_file_size());
                return -EINVAL;
        }
        /* Without a free attachment the index still works; it saturates instead of growing. */
        for (unsigned i = 0; i < MAX_ATTACHED; i++) {
                int expected = 0;
                struct attachment *a = &attached[i];

                if (!atomic_compare_exchange_strong(&a->claimed, &expected, 1))
                        continue;
                memcpy(a->path, path, n + 1);
                a->nonce = p->hdr.nonce;
                for (unsigned l = 0; l < RW_INDEX_LEVELS; l++)
                        atomic_store(&a->level[l], NULL);
                atomic_store_explicit(&a->idx, p, memory_order_release);
                break;
        }
        *ret = p;
        return 0;
}

void rw_index_unmap(struct rw_index *idx)
{
        struct attachment *a;

        if (!idx)
                return;
        if ((a = attachment_of(idx))) {
                atomic_store(&a->idx, NULL);
                for (unsigned l = 1; l < RW_INDEX_LEVELS; l++) {
                        char *base = atomic_exchange(&a->level[l], NULL);
                        if (base)
                                munmap(base, rw_index_level_file_size(l));
                }
                atomic_store(&a->claimed, 0);
        }
        munmap(idx, rw_index_file_size());
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
