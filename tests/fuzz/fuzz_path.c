/* libFuzzer target for core/path.c: normalisation never overflows, always yields an absolute
 * path without "." or ".." components or double slashes, and is idempotent. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char in[2 * PATH_MAX], out[PATH_MAX], again[PATH_MAX];
        size_t split = size ? data[0] % (size + 1) : 0;

        if (size >= sizeof(in))
                return 0;
        memcpy(in, data, size);
        in[size] = '\0';
        /* the first part is the base (made absolute), the rest the path */
        char base[PATH_MAX] = "/";
        size_t blen = strnlen(in, split);
        if (blen + 2 < sizeof(base))
                memcpy(base + 1, in, blen), base[blen + 1] = '\0';
        const char *path = in + (split < size ? split : size);
        char norm_base[PATH_MAX];
        if (rw_path_normalize(NULL, base, norm_base, sizeof(norm_base)) < 0)
                return 0;
        int n = rw_path_normalize(norm_base, path, out, sizeof(out));
        if (n < 0)
                return 0;
        if (out[0] != '/' || (size_t)n != strlen(out) || strstr(out, "//") || strstr(out, "/./") ||
            strstr(out, "/../") || (n > 1 && out[n - 1] == '/'))
                abort();
        if ((n >= 2 && !strcmp(out + n - 2, "/.")) || (n >= 3 && !strcmp(out + n - 3, "/..")))
                abort();
        if (rw_path_normalize(NULL, out, again, sizeof(again)) != n || strcmp(out, again))
                abort();
        if (!rw_path_is_under(out, "/"))
                abort();
        return 0;
}
