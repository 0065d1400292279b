/* Unit tests for core/vfs_socket.c: the addresses built for sun_path (the real path when it
 * fits, else /proc/self/fd/<dirfd>/<name>), that the kernel binds and connects through the
 * /proc form, and the mapping of reported upper paths back to virtual ones. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/vfs_socket.h"
#include "tap.h"

static void test_short_and_long(const char *dir)
{
        struct rw_sock_addr a = { .dirfd = -1 };
        char real[PATH_MAX], name[100];
        int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

        snprintf(real, sizeof(real), "%s/s", dir);
        is_int(rw_sock_addr_build(dirfd, "s", real, &a), 0, "a short real path is used as it is");
        is_str(a.addr.sun_path, real, "sun_path is the real path");
        is_int(a.dirfd, -1, "no fd is kept for a short path");

        memset(name, 'n', 90);
        name[90] = '\0';
        snprintf(real, sizeof(real), "%s/%s", dir, name);
        is_int(rw_sock_addr_build(dirfd, name, real, &a), 0, "a long path goes through /proc/self/fd");
        ok(strncmp(a.addr.sun_path, "/proc/self/fd/", 14) == 0, "sun_path starts with /proc/self/fd/");
        ok(a.dirfd >= 0 && a.dirfd != dirfd, "the address holds its own fd of the directory");

        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct stat st;
        is_int(bind(s, (struct sockaddr *)&a.addr, a.len), 0, "the kernel binds through the /proc form");
        ok(lstat(real, &st) == 0 && S_ISSOCK(st.st_mode), "the socket has the long real name");
        listen(s, 1);
        rw_sock_addr_release(&a);
        is_int(a.dirfd, -1, "release closes the fd");
        is_int(rw_sock_addr_build(AT_FDCWD, NULL, real, &a), 0, "a long lower path opens its parent");
        is_int(connect(c, (struct sockaddr *)&a.addr, a.len), 0, "connect through the /proc form");
        rw_sock_addr_release(&a);
        close(c);
        close(s);

        char huge[300];
        memset(huge, 'h', 255);
        huge[255] = '\0';
        is_int(rw_sock_addr_build(dirfd, huge, NULL, &a), -ENAMETOOLONG, "a 255-byte name fits in neither form");
        is_int(a.dirfd, -1, "no fd is left behind on failure");
        close(dirfd);
}

static void test_to_virtual(void)
{
        struct rw_upper u = { .fs = "/up/fs", .fs_len = 6 };
        struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "/up/fs/run/app.sock" };
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(addr.sun_path) + 1);

        is_int(rw_sock_addr_to_virtual(&u, &addr, &len), 1, "an upper path is rewritten");
        is_str(addr.sun_path, "/run/app.sock", "to the virtual path");
        is_int(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/app.sock") + 1, "length updated");
        is_int(rw_sock_addr_to_virtual(&u, &addr, &len), 0, "a lower path is left alone");
        struct sockaddr_un sib = { .sun_family = AF_UNIX, .sun_path = "/up/fsx/s" };
        len = sizeof(sib);
        is_int(rw_sock_addr_to_virtual(&u, &sib, &len), 0, "a sibling of UPPER/fs is not inside it");
        struct sockaddr_un abstract = { .sun_family = AF_UNIX, .sun_path = "\0/up/fs/x" };
        len = sizeof(abstract);
        is_int(rw_sock_addr_to_virtual(&u, &abstract, &len), 0, "an abstract name is left alone");
        len = offsetof(struct sockaddr_un, sun_path);
        is_int(rw_sock_addr_to_virtual(&u, &addr, &len), 0, "an unnamed address is left alone");
}

int main(void)
{
        char dir[] = "/tmp/rwshim-unit-sock.XXXXXX";

        if (!mkdtemp(dir)) {
                printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
                return 0;
        }
        test_short_and_long(dir);
        test_to_virtual();
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", dir);
        return tap_done();
}
