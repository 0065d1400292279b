/* Errors that a person reads: the errno, the operation and the path at the failing call.
 * Used by cli/, supervisor/, trace/, sandbox/ and doctor/; never by the preload. */
#ifndef RW_ERR_H
#define RW_ERR_H

#include <stddef.h>

struct rw_err {
        int errnum;          /* errno value, or 0 when the error is not a syscall failure */
        const char *op;      /* what failed, e.g. "create upper dir" (static string) */
        char path[512];      /* the path involved, truncated if longer */
        char hint[256];      /* optional fix, printed on a second line as "hint: ..." */
};

/* Records the error and returns -errnum (or -EINVAL when errnum is 0). */
int rw_err_set(struct rw_err *e, int errnum, const char *op, const char *path);
/* Same, with a hint printed after the error line. */
int rw_err_hint(struct rw_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "rwshim: <op>: <path>: <strerror>" (and "hint: ...") to stderr. */
void rw_err_print(const struct rw_err *e);

#endif
