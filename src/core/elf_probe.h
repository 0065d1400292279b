/* What kind of program an executable is, so each exec picks the backend that can serve it
 * (preload-safe: raw syscalls, stack buffers, at most a few preads per probe).
 *
 * | kind            | served by                                                     |
 * |-----------------|---------------------------------------------------------------|
 * | GLIBC           | librwshim.so (PT_INTERP ld-linux-*)                          |
 * | MUSL            | librwshim-musl.so (PT_INTERP ld-musl-*)                      |
 * | STATIC          | the supervisor's seccomp backend (no PT_INTERP)               |
 * | GO, GO_DYNAMIC  | as STATIC: Go makes its file calls with raw syscalls, also    |
 * |                 | when built with cgo (then it has PT_INTERP and loads the      |
 * |                 | preload, which stays inert in it)                             |
 * | OTHER           | untouched: another architecture, ELF class or C library       |
 * | UNKNOWN         | not an ELF we can read (exec will say why, or it is a script) |
 */
#ifndef RW_ELF_PROBE_H
#define RW_ELF_PROBE_H

#include <stddef.h>

enum rw_exec_kind {
        RW_EXEC_UNKNOWN = 0,
        RW_EXEC_GLIBC,
        RW_EXEC_MUSL,
        RW_EXEC_STATIC,
        RW_EXEC_GO,            /* Go, statically linked */
        RW_EXEC_GO_DYNAMIC,    /* Go with an ELF interpreter (cgo, or -linkmode=external) */
        RW_EXEC_OTHER,
};

/* The kernel follows at most this many `#!` interpreters (fs/exec.c: depth > 5 is ELOOP). */
#define RW_EXEC_MAX_INTERP 5

/* The kind of the ELF file at path itself; a script is UNKNOWN. */
enum rw_exec_kind rw_elf_kind(const char *path);

/* The kind of what exec(path) ends up running: `#!` lines are followed as the kernel does,
 * nested ones included. When ret_final is not NULL, the path of the program finally loaded
 * (path itself, or the last interpreter) is written there (size bytes). */
enum rw_exec_kind rw_exec_kind(const char *path, char *ret_final, size_t size);

/* 1 for the kinds the preload cannot serve and the supervisor's seccomp backend does. */
int rw_exec_kind_supervised(enum rw_exec_kind kind);

/* 1 for the kinds served by a preload library (GLIBC, MUSL). */
int rw_exec_kind_preloaded(enum rw_exec_kind kind);

/* A short name: "glibc", "musl", "static", "go", "go-dynamic", "other", "unknown". */
const char *rw_exec_kind_name(enum rw_exec_kind kind);

/* 1 if the running program's own image is Go, read from its program headers in memory
 * (getauxval(AT_PHDR)): no system call. */
int rw_self_is_go(void);

/* Compatibility with the first probe: 1 dynamic, 0 static, -1 neither (see rw_elf_kind). */
int rw_elf_interp(const char *path);
/* 1 if exec(path) runs a program the supervisor must serve (static, Go; scripts followed). */
int rw_elf_is_static(const char *path);

#endif
