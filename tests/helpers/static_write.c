/* Test helper, linked -static so the preload cannot enter it: for each PATH, creates and writes
 * the file (or, after -d, makes the directory; after -c, chmods it 0600), reporting each failure
 * as "PATH: strerror" on stderr. Exits 1 if any failed, else 0. Also forks once (-f) to show that
 * children of a static program are traced too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int one(char mode, const char *path)
{
        int fd;

        if (mode == 'd')
                return mkdir(path, 0755);
        if (mode == 'c')
                return chmod(path, 0600);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        if (write(fd, "x\n", 2) != 2) {
                close(fd);
                return -1;
        }
        return close(fd);
}

int main(int argc, char **argv)
{
        char mode = 'f';
        int failed = 0;

        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-' && argv[i][1] && !argv[i][2]) {
                        mode = argv[i][1];
                        if (mode == 'f') {
                                pid_t pid = fork();
                                int st;
                                if (pid == 0)
                                        mode = 'f';
                                else if (pid > 0)
                                        return waitpid(pid, &st, 0), WIFEXITED(st) ? WEXITSTATUS(st) : 1;
                        }
                        continue;
                }
                if (one(mode, argv[i]) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        failed = 1;
                }
        }
        return failed;
}
