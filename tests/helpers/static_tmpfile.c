/* Test helper, linked -static: the atomic-write idiom of O_TMPFILE + linkat(/proc/self/fd/N),
 * then a readback, in DIR. Prints "linked: CONTENT" or "STEP: strerror"; exits 1 on failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        char proc[64], name[4096], buf[64] = "";
        int fd, n;

        if (argc != 2)
                return 2;
        snprintf(name, sizeof(name), "%s/named", argv[1]);
        if ((fd = open(argv[1], O_TMPFILE | O_WRONLY, 0644)) < 0) {
                printf("open O_TMPFILE: %s\n", strerror(errno));
                return 1;
        }
        if (write(fd, "atomic", 6) != 6) {
                printf("write: %s\n", strerror(errno));
                return 1;
        }
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) < 0) {
                printf("linkat: %s\n", strerror(errno));
                return 1;
        }
        close(fd);
        if ((fd = open(name, O_RDONLY)) < 0 || (n = (int)read(fd, buf, sizeof(buf) - 1)) < 0) {
                printf("readback: %s\n", strerror(errno));
                return 1;
        }
        buf[n] = '\0';
        printf("linked: %s\n", buf);
        return 0;
}
