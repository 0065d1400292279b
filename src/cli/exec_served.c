/* `rwshim __exec MODE PATH ARG0 [ARG]...`: the trampoline of a posix_spawn'd static or Go
 * program.
 * posix_spawn gives its caller no code in the child, so the preload spawns this instead (the
 * file actions and attributes apply to it); it hands its file calls to the supervisor, as the
 * preload's execve does, and becomes PATH in the same process, argv[0] kept. MODE comes as an
 * argument (RWSHIM_MODE is put back for PATH): the preload stays inert in this process. */
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
        const char *sock = getenv(RW_NOTIFY_ENV), *mode = argc > 1 ? argv[1] : "";

        if (argc < 4)
                return cli_usage_error(CLI_EXEC_SERVED, "usage: rwshim %s MODE PATH ARG0 [ARG]...", CLI_EXEC_SERVED);
        if (*mode && setenv("RWSHIM_MODE", mode, 1) < 0) {
                fprintf(stderr, "rwshim: set up environment: %s: %s\n", argv[2], strerror(errno));
                return CLI_EXIT_OWN_ERROR;
        }
        if (sock && (strcmp(mode, "run") == 0 || strcmp(mode, "trace") == 0) &&
            rw_exec_kind_supervised(rw_exec_kind(argv[2], NULL, 0))) {
                int r = rw_notify_enter(sock, getenv(RW_NOTIFY_PID_ENV));
                if (r == RW_NOTIFY_NOT_OURS)
                        fprintf(stderr, "rwshim: the supervisor's socket is held by another process: refused; a static "
                                        "program runs unserved: %s: %s\n", argv[2], strerror(-r));
                else if (r < 0)
                        fprintf(stderr, "rwshim: a static or Go program's writes are not %s: %s: %s\n",
                                strcmp(mode, "run") == 0 ? "redirected" : "traced", argv[2], strerror(-r));
        }
        execv(argv[2], argv + 3);
        int err = errno;
        fprintf(stderr, "rwshim: cannot execute: %s: %s\n", argv[2], strerror(err));
        return err == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC;
}
