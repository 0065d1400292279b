/* `rwshim __exec PATH ARG0 [ARG]...`: the trampoline of a posix_spawn'd static or Go program.
 * posix_spawn gives its caller no code in the child, so the preload spawns this instead (the
 * file actions and attributes apply to it); it hands its file calls to the supervisor, as the
 * preload's execve does, and becomes PATH in the same process, argv[0] kept. */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "core/seccomp_notify.h"

int cli_exec_served(int argc, char **argv)
{
        const char *sock = getenv(RW_NOTIFY_ENV), *mode = getenv("RWSHIM_MODE");

        if (argc < 3)
                return cli_usage_error(CLI_EXEC_SERVED, "usage: rwshim %s PATH ARG0 [ARG]...", CLI_EXEC_SERVED);
        if (sock && mode && (strcmp(mode, "run") == 0 || strcmp(mode, "trace") == 0) &&
            rw_exec_kind_supervised(rw_exec_kind(argv[1], NULL, 0))) {
                /* 0 also when a listener is in place already (the preload in us did it). */
                int r = rw_notify_enter(sock);
                if (r < 0)
                        fprintf(stderr, "rwshim: a static or Go program's writes are not %s: %s: %s\n",
                                strcmp(mode, "run") == 0 ? "redirected" : "traced", argv[1], strerror(-r));
        }
        execv(argv[1], argv + 2);
        int err = errno;
        fprintf(stderr, "rwshim: cannot execute: %s: %s\n", argv[1], strerror(err));
        return err == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC;
}
