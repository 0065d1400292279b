/* Test helper: runs a command with one syscall refused by a seccomp filter, as an older kernel
 * or a container runtime's seccomp profile would. Usage: block_syscall openat2|seccomp CMD...
 *   openat2  answers ENOSYS (a kernel before 5.6): proves the engine's lookup fallback;
 *   seccomp  answers EPERM (a profile that forbids new filters): proves the static-binary
 *            backend says it is unavailable instead of failing. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        unsigned nr, err;

        if (argc < 3)
                return 2;
        if (strcmp(argv[1], "openat2") == 0)
                nr = SYS_openat2, err = ENOSYS;
        else if (strcmp(argv[1], "seccomp") == 0)
                nr = SYS_seccomp, err = EPERM;
        else
                return 2;
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
                perror("block_syscall: seccomp");
                return 2;
        }
        execvp(argv[2], argv + 2);
        perror("block_syscall: exec");
        return 127;
}
