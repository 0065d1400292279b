/* Test helper: creates a file and a directory through syscall(2), not the libc wrappers, and
 * asks for io_uring. Usage: raw_syscall_writer DIR. Prints "io_uring: <errno name or ok>". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        char path[4096];
        long fd;

        if (argc != 2)
                return 2;
        snprintf(path, sizeof(path), "%s/raw-file", argv[1]);
        fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write((int)fd, "raw\n", 4) != 4) {
                perror("openat via syscall()");
                return 1;
        }
        close((int)fd);
        snprintf(path, sizeof(path), "%s/raw-dir", argv[1]);
        if (syscall(SYS_mkdirat, AT_FDCWD, path, 0755) < 0) {
                perror("mkdirat via syscall()");
                return 1;
        }
        struct statx stx;
        snprintf(path, sizeof(path), "%s/raw-file", argv[1]);
        if (syscall(SYS_statx, AT_FDCWD, path, 0, STATX_SIZE, &stx) < 0 || stx.stx_size != 4) {
                perror("statx via syscall() does not see the file");
                return 1;
        }
        char params[120] = { 0 };
        long r = syscall(SYS_io_uring_setup, 1, params);
        printf("io_uring: %s\n", r >= 0 ? "ok" : errno == ENOSYS ? "ENOSYS" : strerror(errno));
        if (r >= 0)
                close((int)r);
        return 0;
}
