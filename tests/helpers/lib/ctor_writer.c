/* A shared library whose constructor keeps state in $CTOR_DIR, as plugin and logging
 * libraries do at load time: it runs before main, and (with glibc) before the constructor of
 * a library in LD_PRELOAD. Built for glibc (libctor_writer.so) and musl (libmusl_ctor_writer.so). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

__attribute__((constructor)) static void write_state(void)
{
        const char *dir = getenv("CTOR_DIR");
        char path[4096];

        if (!dir)
                return;
        snprintf(path, sizeof(path), "%s/ctor-dir", dir);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
                fprintf(stderr, "ctor: mkdir %s: %s\n", path, strerror(errno));
        snprintf(path, sizeof(path), "%s/ctor-dir/state", dir);
        FILE *f = fopen(path, "w");
        if (!f) {
                fprintf(stderr, "ctor: fopen %s: %s\n", path, strerror(errno));
                return;
        }
        fputs("written by a constructor\n", f);
        fclose(f);
}
