/* Test helper, linked -static: removes each PATH the way Go's os.RemoveAll does, which is how
 * `go build` drops its work dir: unlinkat(path, 0) first (EISDIR for a directory), then
 * AT_REMOVEDIR, and on ENOTEMPTY the entries through the directory's fd (unlinkat(fd, name)),
 * then the directory again. Prints "PATH: strerror" and exits 1 on a failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int remove_at(int dirfd, const char *name)
{
        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -1;
        if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                return 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
                return -1;
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        DIR *d = fdopendir(dup(fd));
        struct dirent *de;
        char names[256][256];
        int n = 0;
        while (d && (de = readdir(d)) != NULL && n < 256)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
        if (d)
                closedir(d);
        for (int i = 0; i < n; i++)
                if (remove_at(fd, names[i]) < 0) {
                        close(fd);
                        return -1;
                }
        close(fd);
        if (unlinkat(dirfd, name, 0) == 0)
                return 0;
        return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int main(int argc, char **argv)
{
        int failed = 0;

        for (int i = 1; i < argc; i++)
                if (remove_at(AT_FDCWD, argv[i]) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        failed = 1;
                }
        return failed;
}
