/* Test helper, linked -static: creates DIR/cross and DIR/edge through paths laid out where a
 * supervisor reading the caller's memory can go wrong: one that crosses a page boundary (over
 * 3000 bytes, "./" repeated), one that ends on the last byte of a page followed by an
 * inaccessible one. Each file gets its own name as content. Prints "NAME: strerror" and exits 1
 * on a failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int create(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return -1;
        if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || write(fd, "\n", 1) != 1) {
                close(fd);
                return -1;
        }
        return close(fd);
}

int main(int argc, char **argv)
{
        long page = sysconf(_SC_PAGESIZE);
        char *m;
        int failed = 0;

        if (argc != 2 || strlen(argv[1]) > 200)
                return 2;
        m = mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return 2;
        /* cross: starts 1000 bytes before the end of the first page. */
        char *p = m + page - 1000;
        int n = sprintf(p, "%s/", argv[1]);
        for (int i = 0; i < 1500; i++)
                n += sprintf(p + n, "./");
        sprintf(p + n, "cross");
        if (create(p, "cross") < 0) {
                fprintf(stderr, "cross: %s\n", strerror(errno));
                failed = 1;
        }
        /* edge: its NUL is the last byte of the second page; the third is inaccessible. */
        char edge[256];
        snprintf(edge, sizeof(edge), "%s/edge", argv[1]);
        mprotect(m + 2 * page, (size_t)page, PROT_NONE);
        p = m + 2 * page - (strlen(edge) + 1);
        memcpy(p, edge, strlen(edge) + 1);
        if (create(p, "edge") < 0) {
                fprintf(stderr, "edge: %s\n", strerror(errno));
                failed = 1;
        }
        return failed;
}
