/* Writes files in known numbers, then ends in a chosen way, so a test can check that `rwshim
 * trace` recorded every one of them (the preload batches records in its spool).
 *   trace_spool_writer DIR MODE N
 * MODE: files   N files, then exit(0)
 *       threads 8 threads of N files each
 *       fork    N files in the parent, N in a forked child (which _exits), N more in the parent
 *       exec    N files, then exec itself as "files N" in DIR/exec
 *       vfork   N files, then vfork + exec of "files N" in DIR/vfork
 *       spawn   N files, then posix_spawn of "files N" in DIR/spawn
 *       segv    N files, then a SIGSEGV (no handler)
 *       kill    N files, then SIGKILL to itself
 *       exit    N files, then _exit(0) (no atexit handlers)
 *       torn    N files, then leaves its spool slot as a writer killed in the middle of a
 *               record does (pending set past end), and SIGKILLs itself */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self;

static void make_files(const char *dir, const char *tag, int n)
{
        char path[4096];

        mkdir(dir, 0755);
        for (int i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "%s/%s-%d", dir, tag, i);
                int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0) {
                        perror(path);
                        exit(1);
                }
                close(fd);
        }
}

struct job { const char *dir; int n, id; };

static void *thread_main(void *arg)
{
        struct job *j = arg;
        char tag[32];

        snprintf(tag, sizeof(tag), "t%d", j->id);
        make_files(j->dir, tag, j->n);
        return NULL;
}

/* The state a writer SIGKILLed in the middle of a record leaves (layout: src/core/event.h: a
 * 4 KiB header, then 64 KiB slots; a slot starts with pid, tid, end, pending). */
static void forge_torn_record(void)
{
        const char *path = getenv("RWSHIM_SPOOL");
        const size_t header = 4096, slot = 64 * 1024, nslots = 960;
        int fd = path ? open(path, O_RDWR) : -1;
        unsigned char *map;

        if (fd < 0 || (map = mmap(NULL, header + nslots * slot, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
                exit(3);
        for (size_t i = 0; i < nslots; i++) {
                unsigned *s = (unsigned *)(map + header + i * slot);
                if (s[0] == (unsigned)getpid() && s[2] > 0) {
                        s[3] = s[2] + 100;   /* pending: the end a record being copied would make */
                        return;
                }
        }
        exit(4);
}

static void sub_path(char *buf, size_t size, const char *dir, const char *name)
{
        snprintf(buf, size, "%s/%s", dir, name);
}

int main(int argc, char **argv)
{
        char sub[4096], count[16];

        if (argc != 4)
                return fprintf(stderr, "usage: %s DIR MODE N\n", argv[0]), 2;
        self = argv[0];
        const char *dir = argv[1], *mode = argv[2];
        int n = atoi(argv[3]);

        snprintf(count, sizeof(count), "%d", n);
        if (strcmp(mode, "threads") == 0) {
                pthread_t t[8];
                struct job j[8];
                for (int i = 0; i < 8; i++) {
                        j[i] = (struct job){ dir, n, i };
                        if (pthread_create(&t[i], NULL, thread_main, &j[i]) != 0)
                                return 1;
                }
                for (int i = 0; i < 8; i++)
                        pthread_join(t[i], NULL);
                return 0;
        }
        make_files(dir, "a", n);
        if (strcmp(mode, "files") == 0)
                return 0;
        if (strcmp(mode, "fork") == 0) {
                pid_t pid = fork();
                if (pid == 0) {
                        make_files(dir, "child", n);
                        _exit(0);
                }
                waitpid(pid, NULL, 0);
                make_files(dir, "b", n);
                return 0;
        }
        if (strcmp(mode, "exec") == 0) {
                sub_path(sub, sizeof(sub), dir, "exec");
                execl(self, self, sub, "files", count, (char *)NULL);
                return perror("exec"), 1;
        }
        if (strcmp(mode, "vfork") == 0) {
                sub_path(sub, sizeof(sub), dir, "vfork");
                char *args[] = { (char *)self, sub, "files", count, NULL };
                int status;
                pid_t pid = vfork();
                if (pid == 0) {
                        execv(self, args);
                        _exit(127);
                }
                waitpid(pid, &status, 0);
                return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        }
        if (strcmp(mode, "spawn") == 0) {
                sub_path(sub, sizeof(sub), dir, "spawn");
                char *args[] = { (char *)self, sub, "files", count, NULL };
                int status;
                pid_t pid;
                if (posix_spawn(&pid, self, NULL, NULL, args, environ) != 0)
                        return 1;
                waitpid(pid, &status, 0);
                return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        }
        if (strcmp(mode, "segv") == 0) {
                signal(SIGSEGV, SIG_DFL);
                raise(SIGSEGV);
                return 1;
        }
        if (strcmp(mode, "kill") == 0) {
                kill(getpid(), SIGKILL);
                return 1;
        }
        if (strcmp(mode, "exit") == 0)
                _exit(0);
        if (strcmp(mode, "torn") == 0) {
                forge_torn_record();
                kill(getpid(), SIGKILL);
                return 1;
        }
        return fprintf(stderr, "unknown mode %s\n", mode), 2;
}
