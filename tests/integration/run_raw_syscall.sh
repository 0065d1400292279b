# Pitfall: file calls made through syscall(2) instead of the libc wrappers, and io_uring
# (libuv sends file ops through it): dispatched to the engine / answered ENOSYS under run.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
[ -x "$T/helpers/raw_syscall_writer" ] || skip "test helpers not built"
mkdir -p "$T/ro"; root_tree "$T/ro"
as_user_native "$T/helpers/raw_syscall_writer" "$T/ro" 2>/dev/null && fail "native raw write should fail"
up="$T/up"; user_dir "$up"
out=$(as_user "$RW" run --upper "$up/u" -- "$T/helpers/raw_syscall_writer" "$T/ro" 2>&1) || fail "under rwshim: $out"
assert_contains "$out" "io_uring: ENOSYS"
assert_eq "$(as_user "$RW" run --upper "$up/u" -- cat "$T/ro/raw-file")" "raw"
as_user "$RW" run --upper "$up/u" -- test -d "$T/ro/raw-dir" || fail "raw mkdirat not redirected"
[ -z "$(ls -A "$T/ro")" ] || fail "the real dir changed"
echo ok
