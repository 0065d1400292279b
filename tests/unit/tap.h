/* Minimal TAP producer for unit tests: the plan is computed from the checks that ran. */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

/* cond is evaluated exactly once: it may have side effects. */
#define ok(cond, ...) do { \
        int passed_ = !!(cond); \
        tap_count++; \
        if (passed_) { printf("ok %d - ", tap_count); } \
        else { tap_failed++; printf("not ok %d - ", tap_count); } \
        printf(__VA_ARGS__); printf("\n"); \
        if (!passed_) printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define is_str(got, want, ...) do { \
        const char *g_ = (got), *w_ = (want); \
        int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_; \
        ok(same_, __VA_ARGS__); \
        if (!same_) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
        long g_ = (long)(got), w_ = (long)(want); \
        ok(g_ == w_, __VA_ARGS__); \
        if (g_ != w_) printf("#   got %ld, want %ld\n", g_, w_); \
} while (0)

static inline int tap_done(void)
{
        printf("1..%d\n", tap_count);
        return tap_failed ? 1 : 0;
}

#endif
