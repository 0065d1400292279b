/* A musl-linked program that keeps its state in DIR through the calls musl makes without going
 * through its own public symbols (fopen, rename, opendir/readdir, stat, mkstemp, realpath ...),
 * then optionally starts another program (a glibc one, in the tests) and returns its status.
 *
 *   musl_state DIR                      update DIR/data/state, print what it sees
 *   musl_state DIR spawn|exec|clean|system CMD [ARG]...
 *                                       then run CMD by posix_spawnp, fork+execvp, fork+execve
 *                                       with an empty environment (CMD a path), or system()
 *
 * Output: "count=N", "entries=<sorted names of DIR/data>", "realpath=<path>". Any failing
 * call prints "musl_state: <call>: <path>: <strerror>" and exits 1. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *call, const char *path)
{
        fprintf(stderr, "musl_state: %s: %s: %s\n", call, path, strerror(errno));
        exit(1);
}

static int read_count(const char *path)
{
        FILE *f = fopen(path, "r");
        int n = 0;

        if (!f) {
                if (errno != ENOENT)
                        die("fopen", path);
                return 0;
        }
        if (fscanf(f, "%d", &n) != 1)
                n = 0;
        fclose(f);
        return n;
}

/* The new state is written beside the old and renamed over it, as careful programs do. */
static int bump_count(const char *data)
{
        char state[PATH_MAX + 16], tmp[PATH_MAX + 16];
        int n;

        snprintf(state, sizeof(state), "%s/state", data);
        snprintf(tmp, sizeof(tmp), "%s/state.new", data);
        n = read_count(state) + 1;
        FILE *f = fopen(tmp, "w");
        if (!f)
                die("fopen", tmp);
        fprintf(f, "%d\n", n);
        if (fclose(f) != 0)
                die("fclose", tmp);
        if (rename(tmp, state) != 0)
                die("rename", state);
        return read_count(state);
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_entries(const char *data)
{
        char *names[256];
        size_t n = 0;
        struct dirent *e;
        DIR *d = opendir(data);

        if (!d)
                die("opendir", data);
        while ((e = readdir(d)) != NULL && n < 256)
                if (e->d_name[0] != '.')
                        names[n++] = strdup(e->d_name);
        closedir(d);
        qsort(names, n, sizeof(names[0]), by_name);
        printf("entries=");
        for (size_t i = 0; i < n; i++) {
                printf("%s%s", i ? " " : "", names[i]);
                free(names[i]);
        }
        printf("\n");
}

/* A scratch file from mkstemp, a symlink resolved by realpath, a file removed with unlink. */
static void scratch_calls(const char *data)
{
        char tmpl[PATH_MAX + 16], link[PATH_MAX + 16], real[PATH_MAX], gone[PATH_MAX + 16];
        struct stat st;

        snprintf(tmpl, sizeof(tmpl), "%s/scratch.XXXXXX", data);
        int fd = mkstemp(tmpl);
        if (fd < 0)
                die("mkstemp", tmpl);
        if (write(fd, "x", 1) != 1)
                die("write", tmpl);
        close(fd);
        if (unlink(tmpl) != 0)
                die("unlink", tmpl);
        snprintf(link, sizeof(link), "%s/current", data);
        if (lstat(link, &st) != 0) {
                if (symlink("state", link) != 0)
                        die("symlink", link);
        } else if (!S_ISLNK(st.st_mode)) {
                errno = EINVAL;
                die("lstat", link);
        }
        if (!realpath(link, real))
                die("realpath", link);
        printf("realpath=%s\n", real);
        snprintf(gone, sizeof(gone), "%s/gone", data);
        FILE *f = fopen(gone, "w");
        if (!f || fclose(f) != 0)
                die("fopen", gone);
        if (stat(gone, &st) != 0 || !S_ISREG(st.st_mode))
                die("stat", gone);
        if (remove(gone) != 0)
                die("remove", gone);
        if (stat(gone, &st) == 0 || errno != ENOENT) {
                errno = EEXIST;
                die("stat after remove", gone);
        }
}

static int run_child(const char *how, char **argv)
{
        pid_t pid;
        int status;

        fflush(stdout);
        if (strcmp(how, "system") == 0) {
                status = system(argv[0]);
        } else if (strcmp(how, "spawn") == 0) {
                if ((errno = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ)) != 0)
                        die("posix_spawnp", argv[0]);
                if (waitpid(pid, &status, 0) < 0)
                        die("waitpid", argv[0]);
        } else {
                char *empty[] = { NULL };
                pid = fork();
                if (pid < 0)
                        die("fork", argv[0]);
                if (pid == 0) {
                        if (strcmp(how, "clean") == 0)
                                execve(argv[0], argv, empty);
                        else
                                execvp(argv[0], argv);
                        die("exec", argv[0]);
                }
                if (waitpid(pid, &status, 0) < 0)
                        die("waitpid", argv[0]);
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
        char data[PATH_MAX];
        struct stat st;

        if (argc < 2 || argc == 3) {
                fprintf(stderr, "usage: musl_state DIR [spawn|exec|clean|system CMD [ARG]...]\n");
                return 2;
        }
        snprintf(data, sizeof(data), "%s/data", argv[1]);
        if (mkdir(data, 0755) != 0 && errno != EEXIST)
                die("mkdir", data);
        if (stat(data, &st) != 0 || !S_ISDIR(st.st_mode))
                die("stat", data);
        if (access(data, W_OK) != 0)
                die("access", data);
        printf("count=%d\n", bump_count(data));
        scratch_calls(data);
        print_entries(data);
        return argc > 3 ? run_child(argv[2], argv + 3) : 0;
}
