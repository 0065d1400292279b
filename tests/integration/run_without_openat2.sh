# The engine's one-call upper walk uses openat2(2); where it is missing (kernels before 5.6,
# seccomp profiles that block it) the component walk must give the same merged view.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv tar
[ -x "$T/helpers/block_syscall" ] || skip "test helpers not built"
[ "$(uname -m)" = x86_64 ] || skip "the helper's filter is written for x86_64"
mkdir -p "$T/srv/www" "$T/src/www/sub"; echo old > "$T/srv/www/orig.txt"
echo a > "$T/src/www/new1.txt"; echo b > "$T/src/www/sub/new2.txt"
tar -C "$T/src" -cf "$T/www.tar" www; chmod 644 "$T/www.tar"; root_tree "$T/srv"
as_user_native tar -C "$T/srv" -xf "$T/www.tar" 2>/dev/null && fail "native extract should fail"
up="$T/up"; user_dir "$up"
R() { as_user "$T/helpers/block_syscall" openat2 "$RW" run --upper "$up/u" -- "$@"; }
R tar -C "$T/srv" -xf "$T/www.tar" || fail "tar without openat2"
assert_eq "$(R ls "$T/srv/www" | tr '\n' ' ')" "new1.txt orig.txt sub "
assert_eq "$(R cat "$T/srv/www/sub/new2.txt")" "b"
R rm "$T/srv/www/orig.txt" || fail "rm without openat2"
assert_eq "$(R ls "$T/srv/www" | tr '\n' ' ')" "new1.txt sub "
R sh -c "echo c >> '$T/srv/www/new1.txt'" || fail "append without openat2"
assert_eq "$(R cat "$T/srv/www/new1.txt" | tr '\n' ' ')" "a c "
# the filter really refused openat2 inside the run (so the fallback was exercised)
strace_out=$(as_user "$T/helpers/block_syscall" openat2 strace -f -e trace=openat2 "$RW" run --upper "$up/u" -- cat "$T/srv/www/new1.txt" 2>&1 >/dev/null)
assert_contains "$strace_out" "ENOSYS"
echo ok
