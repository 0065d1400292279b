# A static program between programs of two C libraries. Its dynamic children inherit its
# seccomp filter and the LD_PRELOAD it was given (glibc's preload for a static CMD on this
# system); a musl child would die relocating glibc's librwshim.so (exit 127, "Error relocating
# ...: __snprintf_chk: symbol not found"). The supervisor answers the loader's open of the
# foreign preload with ENOENT and serves that child itself: static busybox starting the musl
# program keeps its state, and the reverse (musl -> static busybox -> glibc sh) works too.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
MS=$T/helpers/musl_state
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
[ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "sanitized run: musl programs cannot load the ASan runtime (glibc's), and no musl preload is built"
[ -x "$MS" ] && [ -f "$T/lib/rwshim/librwshim-musl.so" ] || skip "$(musl_missing): no musl helpers or preload"
mkdir -p "$T/app" "$T/other"; root_tree "$T/app"; root_tree "$T/other"
before=$(tree_digest "$T/app")
out=$(as_user_native $BB sh -c "$MS $T/app" 2>&1) && fail "native: the musl program should be denied: $out"
assert_contains "$out" "Permission denied"
up="$T/up"; user_dir "$up"
out=$(as_user "$RW" run --upper "$up/u" -- $BB sh -c "$MS $T/app && $MS $T/app" 2>&1) ||
  fail "static busybox starting a musl program: $out"
assert_not_contains "$out" "Error relocating"
assert_contains "$out" "count=2"
assert_contains "$out" "entries=current state"
# musl (its preload) -> static busybox (the supervisor) -> glibc sh (served by the supervisor:
# it inherited musl's preload, which glibc's loader skips with one line).
out=$(as_user "$RW" run --upper "$up/u" -- "$MS" "$T/app" exec $BB sh -c \
  "/bin/sh -c 'echo glibc > $T/app/from-glibc && cat $T/app/from-glibc'" 2>&1) || fail "musl -> static -> glibc: $out"
assert_contains "$out" "count=3"
assert_contains "$out" "glibc"
assert_eq "$(cat "$up/u/fs$T/app/from-glibc")" glibc
# Without a musl preload installed: one line, the musl program runs untouched (its own
# status), never a loader crash; as CMD and started from a glibc shell.
rm "$T/lib/rwshim/librwshim-musl.so"
out=$(as_user "$RW" run --upper "$up/u" -- "$MS" "$T/other" 2>&1); st=$?
assert_eq "$st" 1 "musl CMD without its preload: its own status ($out)"
assert_contains "$out" "is a musl program and no musl preload is installed"
assert_not_contains "$out" "Error relocating"
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "$MS $T/other; echo status=\$?" 2>&1)
assert_contains "$out" "a musl program runs untouched"
assert_contains "$out" "status=1"
assert_not_contains "$out" "Error relocating"
assert_eq "$(tree_digest "$T/app")" "$before" "the root-owned dir was modified"
echo ok
