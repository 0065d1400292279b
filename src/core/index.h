/* The upper's index (preload-safe): a shared, lock-free "may this path be in the upper?" filter.
 *
 * UPPER/.rwshim/index is mmap'd MAP_SHARED by every process of every run using the upper. It is
 * a multi-level open-addressing table of 64-bit path hashes; each slot carries two flags:
 *   ENTRY     the path itself was created, copied up or whited out in the upper;
 *   ANCESTOR  some ENTRY lies beneath this directory (its listing must be merged).
 * A path P "may be in the upper" when P or one of its ancestors has ENTRY. Hash collisions only
 * send a call down the merged path, which checks the upper itself: the filter may say "maybe"
 * wrongly, never "no" wrongly. Slots are only ever added, with compare-and-swap, so readers need
 * no lock.
 *
 * Growth: level 0 (65,536 slots) lives in the index file itself; level L (1..3) is the file
 * "index.L", 8^L times larger, created by the first process that needs it and mapped lazily by
 * the others when the header says it exists. A key is probed in a bounded window of each level
 * in turn and lives in the first level whose window had room: an empty slot in a window ends a
 * lookup (the key would be there), so a lookup probes at most RW_INDEX_WINDOW slots per level and
 * stays memory-only once a level is mapped. Only when the last level's window is full, or a level
 * cannot be created, does the index saturate and answer "maybe" to everything. Level files carry
 * the nonce of their index, so a level left over from an older index is never used.
 * The files are derived data: a missing or older-format index is rebuilt from fs/. */
#ifndef RW_INDEX_H
#define RW_INDEX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RW_INDEX_SLOTS   65536u                    /* level 0 */
#define RW_INDEX_MAGIC   0x3378646977727277ull   /* "wrwridx3": multi-level */
#define RW_INDEX_LEVEL_MAGIC 0x336c766c77727277ull /* "wrwlvl3": a level file */
#define RW_INDEX_FILTER_WORDS 1024u                 /* level 0: 64 Ki bits, 8 KiB: stays in cache */
#define RW_INDEX_LEVELS  4u                        /* level 0 and the files index.1 .. index.3 */
#define RW_INDEX_GROWTH_BITS 3u                    /* each level is 8x the one before */
#define RW_INDEX_WINDOW  32u                       /* slots probed per level: 4 cache lines */

struct rw_index_header {
        uint64_t magic;
        uint32_t slots;
        _Atomic uint32_t used;        /* slots taken; 0 means the upper holds nothing */
        _Atomic uint32_t saturated;
        /* Bumped whenever a directory of the upper is removed, renamed or replaced (rmdir,
         * rename of or onto a directory, a whiteout or opaque marker over a directory): a
         * process that caches upper directory fds drops them when it changes. Creations do not
         * bump it (a new name never invalidates an fd of an existing directory). */
        _Atomic uint32_t generation;
        _Atomic uint32_t levels;      /* highest level whose file exists (0: only this file) */
        uint32_t reserved0;
        uint64_t nonce;               /* set at creation; every level file carries it */
        uint32_t reserved[6];
};

/* The head of a level file "index.L"; its filter and table follow, sized by L alone. */
struct rw_index_level_header {
        uint64_t magic;
        uint32_t level;
        uint32_t slots;
        uint64_t nonce;
        uint32_t reserved[10];
};

struct rw_index {
        struct rw_index_header hdr;
        /* One bit per key hash: most prefixes of a path are answered here, in memory that
         * stays in the CPU cache, without probing the 512 KiB table. */
        _Atomic uint64_t filter[RW_INDEX_FILTER_WORDS];
        _Atomic uint64_t table[];
};

enum {
        RW_INDEX_UNDER = 1,           /* path or an ancestor is an ENTRY */
        RW_INDEX_ANCESTOR = 2,        /* path has ENTRY descendants */
};

/* Size in bytes of the index file (level 0). */
size_t rw_index_file_size(void);

/* Size in bytes of the file of level (1 .. RW_INDEX_LEVELS-1). */
size_t rw_index_level_file_size(unsigned level);

/* Initialises a zero-filled mapping of rw_index_file_size() bytes, with a fresh nonce. */
void rw_index_init(struct rw_index *idx);

/* Maps the index file at path (absolute) shared, checks it, and remembers path so that its
 * levels ("path.1" ...) can be mapped, or created, when needed. Returns 0 or -errno (-EINVAL
 * for a file of another size or format). At most a few indexes are mapped per process. */
int rw_index_map(const char *path, struct rw_index **ret);

/* Unmaps an index from rw_index_map() and every level this process mapped; NULL is fine. */
void rw_index_unmap(struct rw_index *idx);

/* Number of levels in use (1 = only level 0), as the shared header says. */
unsigned rw_index_levels(const struct rw_index *idx);

/* Checks a mapping read from disk; returns 0 or -EINVAL. */
int rw_index_validate(const struct rw_index *idx, size_t size);

/* True when nothing was ever added: the hot path's only question. */
static inline int rw_index_empty(const struct rw_index *idx)
{
        return !idx || atomic_load_explicit(&idx->hdr.used, memory_order_relaxed) == 0;
}

/* True when the index can no longer tell paths apart and answers "maybe" to everything. */
static inline int rw_index_saturated(const struct rw_index *idx)
{
        return idx && atomic_load_explicit(&idx->hdr.saturated, memory_order_relaxed) != 0;
}

/* The structure generation (see rw_index_header.generation); 0 for a NULL index. */
static inline uint32_t rw_index_generation(const struct rw_index *idx)
{
        return idx ? atomic_load_explicit(&idx->hdr.generation, memory_order_acquire) : 0;
}

/* Announces to every process of every run that upper directory fds they cached may be stale.
 * Called before the change is made visible (rename/rmdir), and again after it. */
static inline void rw_index_bump_generation(struct rw_index *idx)
{
        if (idx)
                atomic_fetch_add_explicit(&idx->hdr.generation, 1, memory_order_acq_rel);
}

/* Records that the upper holds abs (absolute, normalised) and marks its ancestors. */
void rw_index_add(struct rw_index *idx, const char *abs);

/* Returns a mask of RW_INDEX_UNDER / RW_INDEX_ANCESTOR for abs. */
int rw_index_query(const struct rw_index *idx, const char *abs);



/* For a path with ".." components (relative to base, or absolute with base NULL): RW_INDEX_UNDER
 * if a directory that a ".." climbs out of may be in the upper. "new/.." exists in the merged
 * view when only the upper has new, so such a path must take the merged lookup even though
 * its normalised form does not. */
int rw_index_query_climbed(const struct rw_index *idx, const char *base, const char *path);

/* Marks dir (absolute, normalised) as opaque: its lower entries are hidden. */
void rw_index_add_opaque(struct rw_index *idx, const char *dir);

/* 0 if dir is surely not opaque, 1 if it may be (verify in the upper). */
int rw_index_maybe_opaque(const struct rw_index *idx, const char *dir, size_t len);
/* 0 if abs itself was surely never created, copied up or whited out (so no whiteout can
 * exist for it), 1 if it may have been. */
int rw_index_maybe_entry(const struct rw_index *idx, const char *abs);

/* Queries below a fixed directory (the cwd) without re-hashing it: the state of dir is
 * computed once and stays valid while the index gains no slot (used is unchanged). */
struct rw_index_prefix {
        uint64_t hash;          /* FNV state after dir ("" for the root) */
        int under;              /* dir or an ancestor is an ENTRY (or the index is saturated) */
        uint32_t used;          /* index->hdr.used when computed */
};
void rw_index_prefix_of(const struct rw_index *idx, const char *dir, struct rw_index_prefix *ret);

static inline int rw_index_prefix_fresh(const struct rw_index *idx, const struct rw_index_prefix *p)
{
        return p->used == atomic_load_explicit(&idx->hdr.used, memory_order_acquire);
}

/* Same answer as rw_index_query(dir + "/" + rel) for the dir p was computed from; rel is a
 * relative path with no empty, "." or ".." component. */
int rw_index_query_below(const struct rw_index *idx, const struct rw_index_prefix *p, const char *rel);

#endif
