/* Microbenchmark of single file calls, for bench/run (built by bench/run, not by the Makefile).
 *
 *   micro setup DIR          create DIR/f and DIR/e01..e15 if missing (under `rwshim run` in a
 *                            root-owned DIR this is what puts them in the upper)
 *   micro ops DIR [SECONDS]  time each call on DIR/f and DIR; prints one "name<TAB>ns" line per call
 *   micro rss                print this process's peak RSS, and its parent's when the parent is rwshim
 *
 * Each call is timed over batches for about SECONDS/ops in all (default 0.25 s per call); the
 * reported number is the median batch, in ns per call, so one preempted batch does not skew it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 15

static char file_path[4096];
static char missing_path[4096];
static char create_path[4096];
static const char *dir_path;

static double now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int op_open_close(void)
{
        int fd = open(file_path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static int op_stat(void)
{
        struct stat st;

        return stat(file_path, &st) < 0 ? -errno : 0;
}

static int op_lstat(void)
{
        struct stat st;

        return lstat(file_path, &st) < 0 ? -errno : 0;
}

static int op_create_unlink(void)
{
        /* One name made and removed again and again (a lock file, a temp file): in a redirected
         * dir the create is the real attempt then the upper, the unlink the merged removal. */
        int fd = open(create_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        if (fd < 0)
                return -errno;
        close(fd);
        return unlink(create_path) < 0 ? -errno : 0;
}

static int op_stat_missing(void)
{
        struct stat st;

        /* A lookup miss: the commonest call of python's import path search. */
        return stat(missing_path, &st) < 0 && errno == ENOENT ? 0 : -EEXIST;
}

static int op_access_read(void)
{
        return access(file_path, R_OK) < 0 ? -errno : 0;
}

static int op_access_write_dir(void)
{
        /* Result ignored: natively it fails in a root-owned dir; only the cost is measured. */
        (void)access(dir_path, W_OK);
        return 0;
}

static int op_readdir(void)
{
        DIR *d = opendir(dir_path);
        int n = 0;

        if (!d)
                return -errno;
        while (readdir(d))
                n++;
        closedir(d);
        return n > 2 ? 0 : -ENOENT;
}

struct op {
        const char *name;
        int (*fn)(void);
};

static const struct op ops[] = {
        { "open+close", op_open_close },
        { "stat", op_stat },
        { "lstat", op_lstat },
        { "stat (ENOENT)", op_stat_missing },
        { "create+close+unlink", op_create_unlink },
        { "access R_OK", op_access_read },
        { "access W_OK (dir)", op_access_write_dir },
        { "opendir+readdir(17)+closedir", op_readdir },
};

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Returns the median ns per call of op over BATCHES batches, or a negative errno. */
static double time_op(const struct op *o, double budget_ns)
{
        double per[BATCHES], t0, t1;
        long iters = 1;
        int r;

        /* Calibrate: grow the batch until one takes ~budget/BATCHES. */
        for (;;) {
                t0 = now_ns();
                for (long i = 0; i < iters; i++)
                        if ((r = o->fn()) < 0)
                                return r;
                t1 = now_ns();
                if (t1 - t0 >= budget_ns / BATCHES / 4 || iters >= (1L << 30))
                        break;
                iters *= 2;
        }
        iters = (long)((double)iters * (budget_ns / BATCHES) / (t1 - t0 > 1 ? t1 - t0 : 1));
        if (iters < 1)
                iters = 1;
        for (int b = 0; b < BATCHES; b++) {
                t0 = now_ns();
                for (long i = 0; i < iters; i++)
                        o->fn();
                per[b] = (now_ns() - t0) / (double)iters;
        }
        qsort(per, BATCHES, sizeof(per[0]), cmp_double);
        return per[BATCHES / 2];
}

static int set_paths(const char *dir)
{
        dir_path = dir;
        if (snprintf(file_path, sizeof(file_path), "%s/f", dir) >= (int)sizeof(file_path) ||
            snprintf(missing_path, sizeof(missing_path), "%s/missing.py", dir) >= (int)sizeof(missing_path) ||
            snprintf(create_path, sizeof(create_path), "%s/lock", dir) >= (int)sizeof(create_path)) {
                fprintf(stderr, "micro: path too long: %s\n", dir);
                return -1;
        }
        return 0;
}

static int do_setup(const char *dir)
{
        char p[4200];

        for (int i = 0; i < 16; i++) {
                int fd;

                if (i == 0)
                        snprintf(p, sizeof(p), "%s/f", dir);
                else
                        snprintf(p, sizeof(p), "%s/e%02d", dir, i);
                fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0) {
                        fprintf(stderr, "micro: open: %s: %s\n", p, strerror(errno));
                        return 1;
                }
                if (write(fd, "x\n", 2) != 2) {
                        fprintf(stderr, "micro: write: %s: %s\n", p, strerror(errno));
                        close(fd);
                        return 1;
                }
                close(fd);
        }
        return 0;
}

static int do_ops(const char *dir, double seconds)
{
        size_t n = sizeof(ops) / sizeof(ops[0]);

        for (size_t i = 0; i < n; i++) {
                double ns = time_op(&ops[i], seconds * 1e9 / (double)n);

                if (ns < 0) {
                        fprintf(stderr, "micro: %s: %s: %s\n", ops[i].name, dir, strerror((int)-ns));
                        return 1;
                }
                printf("%s\t%.0f\n", ops[i].name, ns);
        }
        return 0;
}

/* Prints VmHWM (peak RSS, KiB) of /proc/PID/status, or "-" if unreadable. */
static long read_hwm_kib(pid_t pid, char *comm, size_t comm_size)
{
        char path[64], line[256];
        long hwm = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, "Name:", 5) == 0 && comm) {
                        char *s = line + 5;

                        s += strspn(s, " \t");
                        s[strcspn(s, "\n")] = '\0';
                        snprintf(comm, comm_size, "%s", s);
                }
                if (strncmp(line, "VmHWM:", 6) == 0)
                        hwm = strtol(line + 6, NULL, 10);
        }
        fclose(f);
        return hwm;
}

static int do_rss(void)
{
        struct rusage ru;
        char parent[64] = "?";
        long self_hwm = read_hwm_kib(getpid(), NULL, 0);
        long parent_hwm = read_hwm_kib(getppid(), parent, sizeof(parent));

        getrusage(RUSAGE_SELF, &ru);
        printf("self_maxrss_kib\t%ld\nself_hwm_kib\t%ld\nparent\t%s\nparent_hwm_kib\t%ld\n",
               ru.ru_maxrss, self_hwm, parent, parent_hwm);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && strcmp(argv[1], "rss") == 0)
                return do_rss();
        if (argc >= 3 && strcmp(argv[1], "setup") == 0)
                return do_setup(argv[2]);
        if (argc >= 3 && strcmp(argv[1], "ops") == 0) {
                double seconds = argc >= 4 ? strtod(argv[3], NULL) : 1.5;

                if (set_paths(argv[2]) < 0)
                        return 2;
                return do_ops(argv[2], seconds > 0 ? seconds : 1.5);
        }
        fprintf(stderr, "usage: micro setup DIR | micro ops DIR [SECONDS] | micro rss\n");
        return 2;
}
