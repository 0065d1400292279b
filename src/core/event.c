/* NDJSON event records (preload-safe): hand-built JSON, no allocation, no stdio. */
#include "core/event.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

struct out {
        char *buf;
        size_t size, len;
        int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
        if (o->len + n >= o->size) {
                o->overflow = 1;
                return;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
}

static void put_str(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void put_uint(struct out *o, unsigned long v)
{
        char tmp[24];
        int n = 0;

        do {
                tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
                v /= 10;
        } while (v && n < (int)sizeof(tmp));
        put(o, tmp + sizeof(tmp) - n, (size_t)n);
}

/* Writes s as a JSON string; bytes that are not valid in JSON are escaped as \u00XX. */
static void put_json_str(struct out *o, const char *s)
{
        static const char hex[] = "0123456789abcdef";

        put(o, "\"", 1);
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;

                if (c == '"' || c == '\\') {
                        char e[2] = { '\\', (char)c };
                        put(o, e, 2);
                } else if (c < 0x20 || c == 0x7f) {
                        char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                        put(o, e, 6);
                } else {
                        put(o, (const char *)&c, 1);
                }
        }
        put(o, "\"", 1);
}

static void put_key_str(struct out *o, const char *key, const char *val)
{
        put_str(o, ",\"");
        put_str(o, key);
        put_str(o, "\":");
        if (val)
                put_json_str(o, val);
        else
                put_str(o, "null");
}

static const struct { int flag; const char *name; } open_flag_names[] = {
        { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
        { O_APPEND, "O_APPEND" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
        { O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE" }, { O_PATH, "O_PATH" },
};

static void put_open_flags(struct out *o, int flags)
{
        int acc = flags & O_ACCMODE;

        put_str(o, acc == O_WRONLY ? "O_WRONLY" : acc == O_RDWR ? "O_RDWR" : "O_RDONLY");
        for (size_t i = 0; i < sizeof(open_flag_names) / sizeof(open_flag_names[0]); i++)
                if (flags & open_flag_names[i].flag) {
                        put_str(o, "|");
                        put_str(o, open_flag_names[i].name);
                }
}

static const char *const action_names[] = { "ok", "denied", "redirected", "failed" };

int rw_event_format(char *buf, size_t size, const struct rw_event *ev)
{
        struct out o = { buf, size, 0, 0 };

        put_str(&o, "{\"ev\":\"fs\",\"pid\":");
        put_uint(&o, (unsigned long)ev->pid);
        put_key_str(&o, "op", ev->op);
        put_key_str(&o, "path", ev->path);
        if (ev->path2)
                put_key_str(&o, "path2", ev->path2);
        if (ev->open_flags >= 0) {
                put_str(&o, ",\"flags\":\"");
                put_open_flags(&o, ev->open_flags);
                put_str(&o, "\"");
        }
        put_key_str(&o, "errno", ev->errnum ? rw_errno_name(ev->errnum) : NULL);
        put_key_str(&o, "action", action_names[ev->action]);
        put_key_str(&o, "caller", ev->caller);
        put_str(&o, "}\n");
        if (o.overflow)
                return -ENAMETOOLONG;
        buf[o.len] = '\0';
        return (int)o.len;
}

int rw_event_format_proc(char *buf, size_t size, pid_t pid, pid_t ppid, const char *exe,
                         char *const *argv)
{
        struct out o = { buf, size, 0, 0 };

        put_str(&o, "{\"ev\":\"proc\",\"pid\":");
        put_uint(&o, (unsigned long)pid);
        put_str(&o, ",\"ppid\":");
        put_uint(&o, (unsigned long)ppid);
        put_key_str(&o, "exe", exe);
        put_str(&o, ",\"argv\":[");
        for (int i = 0; argv && argv[i] && o.len + 64 < size; i++) {
                if (i)
                        put_str(&o, ",");
                put_json_str(&o, argv[i]);
        }
        put_str(&o, "]}\n");
        if (o.overflow)
                return -ENAMETOOLONG;
        buf[o.len] = '\0';
        return (int)o.len;
}

const char *rw_errno_name(int errnum)
{
        switch (errnum) {
        case EACCES: return "EACCES";
        case EPERM: return "EPERM";
        case EROFS: return "EROFS";
        case ENOENT: return "ENOENT";
        case EEXIST: return "EEXIST";
        case ENOTDIR: return "ENOTDIR";
        case EISDIR: return "EISDIR";
        case ENOTEMPTY: return "ENOTEMPTY";
        case EXDEV: return "EXDEV";
        case ELOOP: return "ELOOP";
        case ENAMETOOLONG: return "ENAMETOOLONG";
        case EBADF: return "EBADF";
        case EINVAL: return "EINVAL";
        case ENOSPC: return "ENOSPC";
        case EDQUOT: return "EDQUOT";
        case EBUSY: return "EBUSY";
        case ETXTBSY: return "ETXTBSY";
        case EMFILE: return "EMFILE";
        case ENOSYS: return "ENOSYS";
        case EOPNOTSUPP: return "EOPNOTSUPP";
        default: return NULL;
        }
}

_Static_assert(sizeof(struct rw_spool_header) <= RW_SPOOL_HEADER_SIZE, "spool header fits its page");
_Static_assert(sizeof(struct rw_spool_slot) == RW_SPOOL_SLOT_HEADER, "slot header size");

size_t rw_spool_slot_committed(const struct rw_spool_slot *slot, int *ret_torn)
{
        unsigned end = __atomic_load_n(&slot->end, __ATOMIC_ACQUIRE);

        unsigned pending = __atomic_load_n(&slot->pending, __ATOMIC_ACQUIRE);

        /* pending is the end the record being written would have made (preload/spool.c). */
        *ret_torn = pending != 0 && pending != end;
        if (end > RW_SPOOL_SLOT_SIZE - RW_SPOOL_SLOT_HEADER)
                return 0;   /* not something our writer leaves: ignore the slot */
        return end;
}
