/* A musl-linked program that keeps state next to itself, as small services do: it counts its
 * runs in /var/lib/app/count (root-owned, in a read-only image) and prints the new count.
 * Natively it fails with the errno of the write; under rwshim the count persists in the upper. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *path = argc > 1 ? argv[1] : "/var/lib/app/count";
        char buf[32] = "0";
        long n;
        FILE *f = fopen(path, "r");

        if (f) {
                if (!fgets(buf, sizeof(buf), f))
                        strcpy(buf, "0");
                fclose(f);
        }
        n = strtol(buf, NULL, 10) + 1;
        f = fopen(path, "w");
        if (!f) {
                fprintf(stderr, "musl-counter: %s: %s\n", path, strerror(errno));
                return 1;
        }
        fprintf(f, "%ld\n", n);
        if (fclose(f) != 0) {
                fprintf(stderr, "musl-counter: %s: %s\n", path, strerror(errno));
                return 1;
        }
        printf("count %ld\n", n);
        return 0;
}
