/* Merged directory listings (preload-safe); see dirlist.h.
 *
 * Each layer is read with getdents64 straight into the listing's buffer (the kernel's record
 * layout is ours), and filtered in place: the upper's whiteouts and opaque marker are dropped,
 * then each lower record the upper shadows. The cost is one open and the native number of
 * getdents64 calls per layer; the caller's buffer and a stack hash set serve small
 * directories, mmap only big ones. */
#include "core/dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/sys.h"
#include "core/vfs_common.h"

#define HEAP_FIRST   65536     /* first mmap'd buffer, doubled as needed */
#define MIN_FREE     1024      /* > the largest record (19 + NAME_MAX + 1, aligned: 280) */
#define STACK_SLOTS  512       /* name hashes on the stack: upper dirs of up to 256 names */

/* The names the upper holds or whites out, by 64-bit FNV-1a hash (a false "shadowed" needs
 * two names of one directory to collide, ~n^2/2^64), each with where its upper record is. */
struct name_slot {
        uint64_t hash;       /* 0: empty */
        size_t rec;          /* offset + 1 of the upper record in the listing; 0 for a whiteout */
};
struct name_set {
        struct name_slot *slots;
        size_t cap;          /* power of two */
        size_t bytes;        /* mmap'd size, 0 when on the stack */
};

static uint64_t name_hash(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        while (*s)
                h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
        return h | 1;        /* never 0: 0 marks an empty slot */
}

static void set_add(struct name_set *s, const char *name, size_t rec)
{
        uint64_t h = name_hash(name);
        size_t i = h & (s->cap - 1);

        while (s->slots[i].hash && s->slots[i].hash != h)
                i = (i + 1) & (s->cap - 1);
        s->slots[i].hash = h;
        if (rec)
                s->slots[i].rec = rec;   /* a name and its whiteout both: the name wins */
}

static const struct name_slot *set_find(const struct name_set *s, const char *name)
{
        uint64_t h = name_hash(name);
        size_t i = h & (s->cap - 1);

        while (s->slots[i].hash) {
                if (s->slots[i].hash == h)
                        return &s->slots[i];
                i = (i + 1) & (s->cap - 1);
        }
        return NULL;
}

/* Sizes s for n names (load <= 1/2): the stack slots when they are enough, else mmap. */
static int set_init(struct name_set *s, struct name_slot *stack, size_t n)
{
        size_t cap = STACK_SLOTS;

        while (cap < n * 2)
                cap *= 2;
        s->cap = cap;
        if (cap == STACK_SLOTS) {
                memset(stack, 0, STACK_SLOTS * sizeof(*stack));
                s->slots = stack;
                s->bytes = 0;
                return 0;
        }
        s->bytes = cap * sizeof(struct name_slot);
        s->slots = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (s->slots == MAP_FAILED) {
                s->slots = NULL;
                s->bytes = 0;
                return -ENOMEM;
        }
        return 0;
}

static void set_free(struct name_set *s)
{
        if (s->bytes)
                munmap(s->slots, s->bytes);
        s->bytes = 0;
}

/* Makes room for at least MIN_FREE more bytes: the caller's buffer first, then mmap. */
static int grow(struct rw_dirlist *l)
{
        size_t cap = l->cap < HEAP_FIRST ? HEAP_FIRST : l->cap * 2;
        void *p;

        if (l->cap - l->len >= MIN_FREE)
                return 0;
        if (l->mapped) {
                p = mremap(l->buf, l->cap, cap, MREMAP_MAYMOVE);
        } else {
                p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p != MAP_FAILED && l->len)
                        memcpy(p, l->buf, l->len);
        }
        if (p == MAP_FAILED)
                return -ENOMEM;
        l->buf = p;
        l->cap = cap;
        l->mapped = 1;
        return 0;
}

static int is_whiteout(const char *name)
{
        return strncmp(name, RW_WHITEOUT_PREFIX, sizeof(RW_WHITEOUT_PREFIX) - 1) == 0;
}

/* How a lower layer is merged: which names the upper shadows, and whether stat() shows the
 * upper's directory (the index has it or an ancestor as an entry) or the lower's. */
struct lower_pass {
        const struct name_set *shadow;
        const struct rw_index *index;
        const char *dir;
        int dir_in_upper;
};

/* d is a lower record the upper shadows with its record at rec. A directory both layers hold
 * that the index does not list (the upper made it only to hold new names below) is stat()ed
 * in the lower, so the listing gives the lower's d_ino too: find and du compare them. */
static void lower_identity(struct rw_dirlist *l, const struct lower_pass *lp, size_t rec,
                           const struct rw_dirent *d)
{
        struct rw_dirent *u = (void *)(l->buf + rec);
        char path[PATH_MAX];
        size_t n = strlen(lp->dir), m = strlen(d->d_name);

        if (u->d_type != DT_DIR || d->d_type != DT_DIR)
                return;
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
                u->d_ino = d->d_ino;
                return;
        }
        if (n + m + 2 > sizeof(path))
                return;
        memcpy(path, lp->dir, n);
        if (n > 1)
                path[n++] = '/';
        memcpy(path + n, d->d_name, m + 1);
        if (!(rw_index_query(lp->index, path) & RW_INDEX_UNDER))
                u->d_ino = d->d_ino;
}

/* Appends every record of fd to l. With lp (a lower layer), the records the upper shadows
 * are dropped as they arrive, so the buffer never holds more than the result plus one read. */
static int read_layer(struct rw_dirlist *l, int fd, const struct lower_pass *lp)
{
        for (;;) {
                int r = grow(l);

                if (r < 0)
                        return r;
                ssize_t n = rw_getdents64(fd, l->buf + l->len, l->cap - l->len);
                if (n <= 0)
                        return (int)n;
                if (!lp) {
                        l->len += (size_t)n;
                        continue;
                }
                char *p = l->buf + l->len, *end = p + n, *to = p;
                while (p < end) {
                        struct rw_dirent *d = (void *)p;
                        size_t reclen = d->d_reclen;
                        const struct name_slot *hit = set_find(lp->shadow, d->d_name);

                        if (!hit) {
                                if (to != p)
                                        memmove(to, p, reclen);
                                to += reclen;
                        } else if (hit->rec && !lp->dir_in_upper) {
                                lower_identity(l, lp, hit->rec - 1, d);
                        }
                        p += reclen;
                }
                l->len = (size_t)(to - l->buf);
        }
}

/* The upper's records fill l: drops the whiteouts and the opaque marker in place, and puts
 * every name (a whiteout's without its prefix) in s. Returns 1 if the dir is opaque. */
static int take_upper(struct rw_dirlist *l, struct name_set *s, struct name_slot *stack)
{
        size_t names = 0;
        int opaque = 0;

        for (size_t off = 0; off < l->len; off += ((struct rw_dirent *)(void *)(l->buf + off))->d_reclen)
                names++;
        int r = set_init(s, stack, names);
        if (r < 0)
                return r;
        char *p = l->buf, *end = p + l->len, *to = p;
        while (p < end) {
                struct rw_dirent *d = (void *)p;
                size_t reclen = d->d_reclen;

                if (strcmp(d->d_name, RW_OPAQUE_NAME) == 0) {
                        opaque = 1;
                } else if (is_whiteout(d->d_name)) {
                        set_add(s, d->d_name + sizeof(RW_WHITEOUT_PREFIX) - 1, 0);
                } else {
                        set_add(s, d->d_name, (size_t)(to - l->buf) + 1);
                        if (to != p)
                                memmove(to, p, reclen);
                        to += reclen;
                }
                p += reclen;
        }
        l->len = (size_t)(to - l->buf);
        return opaque;
}

/* Is the ancestor dir[0..len) opaque in the upper? */
static int opaque_at(const struct rw_upper *u, const char *dir, size_t len)
{
        char marker[PATH_MAX];
        struct stat st;
        size_t at = u->fs_len + len;

        if (u->index && !rw_index_maybe_opaque(u->index, dir, len))
                return 0;       /* the index has every opaque dir: no syscall */
        if (at + 1 + sizeof(RW_OPAQUE_NAME) > sizeof(marker))
                return -ENAMETOOLONG;
        memcpy(marker, u->fs, u->fs_len);
        memcpy(marker + u->fs_len, dir, len);
        if (len > 1)
                marker[at++] = '/';
        memcpy(marker + at, RW_OPAQUE_NAME, sizeof(RW_OPAQUE_NAME));
        return rw_fstatat(AT_FDCWD, marker, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Is a proper ancestor of dir (absolute, normalised, held by the upper) opaque? Then the
 * lower copy of dir is hidden too, as the lookup hides a lower name below an opaque dir. */
static int ancestor_opaque(const struct rw_upper *u, const char *dir)
{
        size_t n = strlen(dir);
        int r = n > 1 ? opaque_at(u, "/", 1) : 0;

        for (size_t i = 1; r == 0 && i < n; i++)
                if (dir[i] == '/')
                        r = opaque_at(u, dir, i);
        return r;
}

/* UPPER/fs<abs> as a readable directory in one openat2, when no component is a symlink: the
 * kernel then guarantees the walk stayed inside the upper (abs is normalised: no ".."). Any
 * failure (ENOENT, ELOOP for a symlink, ENOSYS before Linux 5.6) sends the caller to the
 * component walk of rw_layer_lookup. */
static int open_upper_fast(const struct rw_upper *u, const char *abs)
{
        char path[PATH_MAX];
        size_t n = strlen(abs);
        struct open_how how = {
                .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };

        if (u->fs_len + n + 1 > sizeof(path))
                return -ENAMETOOLONG;
        memcpy(path, u->fs, u->fs_len);
        memcpy(path + u->fs_len, abs, n + 1);
        return rw_openat2(AT_FDCWD, path, &how);
}

/* The slow way: the merged lookup. Fills *ret_upper (the upper dir's fd, or -1 when the upper
 * does not hold it) and lower (the resolved path). */
static int open_upper_slow(const struct rw_upper *u, const char *abs, int *ret_upper, char *lower)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        int r = rw_layer_lookup(u, abs, 1, &w);

        *ret_upper = -1;
        if (r < 0)
                return r;
        if (w.kind == RW_GONE)
                return -ENOENT;
        if (w.kind == RW_NOPARENT)
                return -w.parent_errno;
        memcpy(lower, w.path, strlen(w.path) + 1);
        if (strcmp(w.path, "/") == 0) {
                /* The root is "lower" to the lookup, but UPPER/fs holds its upper entries. */
                r = rw_openat(AT_FDCWD, u->fs, O_RDONLY | O_DIRECTORY, 0);
                *ret_upper = r < 0 ? -1 : r;
                return r == -ENOENT ? 0 : (r < 0 ? r : 0);
        }
        if (w.kind != RW_UPPER)
                return 0;
        if (!S_ISDIR(w.st.st_mode))
                return -ENOTDIR;
        r = rw_openat(w.parent_fd, w.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        if (r < 0)
                return r;
        *ret_upper = r;
        return 0;
}

/* Appends the lower dir's records the upper does not shadow; *ret_fd is its fd (given, the
 * caller's, or opened here), or -1 when the dir exists only in the upper. */
static int read_lower(struct rw_dirlist *out, const struct rw_upper *u, const char *lower, int given,
                      struct lower_pass *lp, int *ret_fd)
{
        lp->dir = lower;
        lp->dir_in_upper = (rw_index_query(u->index, lower) & RW_INDEX_UNDER) != 0;
        int fd = given >= 0 ? given : rw_openat(AT_FDCWD, lower, O_RDONLY | O_DIRECTORY, 0);
        *ret_fd = fd < 0 ? -1 : fd;
        if (fd >= 0)
                return read_layer(out, fd, lp);
        return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
}

/* Sets each record's d_off to the offset of the next one (the telldir/seekdir cookie and the
 * getdents64 position) and counts them. */
static void finish(struct rw_dirlist *l)
{
        l->count = 0;
        for (size_t off = 0; off < l->len;) {
                struct rw_dirent *d = (void *)(l->buf + off);

                off += d->d_reclen;
                d->d_off = (int64_t)off;
                l->count++;
        }
}

int rw_dirlist_build_in(const struct rw_engine *e, const char *abs, struct rw_dirlist *out,
                        void *buf, size_t size, int *ret_fd)
{
        const struct rw_upper *u = &e->upper;
        struct name_slot stack[STACK_SLOTS];
        struct name_set seen = { 0 };
        struct lower_pass lp = { .shadow = &seen, .index = u->index, .dir_in_upper = 1 };
        char lower_path[PATH_MAX];
        const char *lower = abs;
        int given = ret_fd ? *ret_fd : -1;      /* the caller's own fd of the lower dir */
        int upper_fd = open_upper_fast(u, abs), lower_fd = -1;
        int r = 0;

        *out = (struct rw_dirlist){ .buf = buf, .cap = buf ? size : 0 };
        if (upper_fd < 0) {
                r = open_upper_slow(u, abs, &upper_fd, lower_path);
                if (r < 0)
                        return r;
                lower = lower_path;
        }
        if (upper_fd < 0) {
                /* Not in the upper: the lower as it is. */
                lower_fd = given >= 0 ? given : rw_openat(AT_FDCWD, lower, O_RDONLY | O_DIRECTORY, 0);
                if (lower_fd < 0)
                        return lower_fd;
                if (ret_fd) {
                        *ret_fd = lower_fd;
                        return 1;
                }
                r = read_layer(out, lower_fd, NULL);
                goto out;
        }
        r = read_layer(out, upper_fd, NULL);
        if (r == 0)
                r = take_upper(out, &seen, stack);
        if (r == 0)
                r = ancestor_opaque(u, lower);
        if (r == 0)
                r = read_lower(out, u, lower, given, &lp, &lower_fd);
        if (r > 0)
                r = 0;                  /* opaque: the upper alone */
out:
        set_free(&seen);
        /* The fd for the program's DIR is the directory stat() shows: dirfd(), fstat and
         * fchdir then agree with it, and *at calls on it resolve through the merged view. */
        if (r == 0 && ret_fd && lower_fd >= 0 && !lp.dir_in_upper) {
                *ret_fd = lower_fd;
                lower_fd = -1;
        } else if (r == 0 && ret_fd && upper_fd >= 0) {
                *ret_fd = upper_fd;
                upper_fd = -1;
        }
        if (lower_fd >= 0 && lower_fd != given)
                rw_close(lower_fd);
        if (upper_fd >= 0)
                rw_close(upper_fd);
        if (r < 0) {
                rw_dirlist_free(out);
                return r;
        }
        finish(out);
        return 0;
}

int rw_dirlist_build(const struct rw_engine *e, const char *abs, struct rw_dirlist *out)
{
        return rw_dirlist_build_in(e, abs, out, NULL, 0, NULL);
}

long rw_dirlist_copy(const struct rw_dirlist *l, size_t pos, void *out, size_t size, size_t *ret_next)
{
        const struct rw_dirent *d;
        size_t off = 0, n = 0;

        while ((d = rw_dirlist_at(l, off)) && off < pos)
                off += d->d_reclen;
        while ((d = rw_dirlist_at(l, off)) && n + d->d_reclen <= size) {
                memcpy((char *)out + n, d, d->d_reclen);
                n += d->d_reclen;
                off += d->d_reclen;
        }
        *ret_next = off;
        if (n == 0 && d)
                return -EINVAL;   /* no room for one record */
        return (long)n;
}

void rw_dirlist_free(struct rw_dirlist *l)
{
        if (l->mapped)
                munmap(l->buf, l->cap);
        memset(l, 0, sizeof(*l));
}
