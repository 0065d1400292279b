/* Error records for code that reports to a person; see err.h. */
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rw_err_set(struct rw_err *e, int errnum, const char *op, const char *path)
{
        e->errnum = errnum;
        e->op = op;
        e->hint[0] = '\0';
        snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
        return errnum ? -errnum : -EINVAL;
}

int rw_err_hint(struct rw_err *e, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
        va_end(ap);
        return e->errnum ? -e->errnum : -EINVAL;
}

void rw_err_print(const struct rw_err *e)
{
        if (e->path[0] && e->errnum)
                fprintf(stderr, "rwshim: %s: %s: %s\n", e->op, e->path, strerror(e->errnum));
        else if (e->path[0])
                fprintf(stderr, "rwshim: %s: %s\n", e->op, e->path);
        else if (e->errnum)
                fprintf(stderr, "rwshim: %s: %s\n", e->op, strerror(e->errnum));
        else
                fprintf(stderr, "rwshim: %s\n", e->op);
        if (e->hint[0])
                fprintf(stderr, "hint: %s\n", e->hint);
}
