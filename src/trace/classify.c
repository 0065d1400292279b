/* What kind of operation an event is: a write, a refusal. Shared by the report, check and JSON. */
#include <string.h>

#include "trace/events.h"

/* Operations that change the filesystem whatever their flags; matched as prefixes so the *at,
 * 64-bit and f/l variants count too ("mkdirat", "fchmodat", "lsetxattr"). */
static const char *const write_ops[] = {
        "creat", "mkdir", "mknod", "mkfifo", "rmdir", "unlink", "remove", "rename", "link",
        "symlink", "chmod", "fchmod", "lchmod", "chown", "fchown", "lchown", "truncate",
        "ftruncate", "utime", "futime", "lutime", "setxattr", "lsetxattr", "fsetxattr",
        "removexattr", "lremovexattr", "fremovexattr", NULL,
};

static const char *const write_flags[] = {
        "O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE", NULL,
};

int trace_event_is_write(const struct trace_event *ev)
{
        for (size_t i = 0; write_ops[i]; i++)
                if (strncmp(ev->op, write_ops[i], strlen(write_ops[i])) == 0)
                        return 1;
        if (!ev->flags)
                return 0;
        for (size_t i = 0; write_flags[i]; i++)
                if (strstr(ev->flags, write_flags[i]))
                        return 1;
        return 0;
}

int trace_event_denied(const struct trace_event *ev)
{
        const char *e = ev->errname;

        if (ev->action && strcmp(ev->action, "denied") == 0)
                return 1;
        return e && (strcmp(e, "EACCES") == 0 || strcmp(e, "EPERM") == 0 || strcmp(e, "EROFS") == 0);
}
