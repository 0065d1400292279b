#!/usr/bin/env bash
# A static program (busybox-static) that gives a file away (chown to another user: tar restoring
# an archive's owners does it for every file) gets EPERM, as natively, and nothing is copied
# up: the upper copy would be ours, and chowning it away fails the same way. Before the fix
# every such chown copied the file into the upper and the merged view showed it owned by us.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
mkdir -p "$T/ro" "$T/src/x"
echo lower > "$T/ro/lower"; root_tree "$T/ro"
user_dir "$T/w"; echo mine > "$T/w/mine"; chown "$TEST_UID:$TEST_UID" "$T/w/mine"
user_dir "$T/state"
echo a > "$T/src/x/a"; echo b > "$T/src/x/b"; chown -R 0:0 "$T/src"
tar -C "$T/src" -cf "$T/x.tar" x; chmod 644 "$T/x.tar"

note "natively: chown to root is refused, in a writable dir as in a root-owned one"
out=$(as_user_native $BB chown 0:0 "$T/w/mine" 2>&1) && fail "native chown of mine succeeded"
assert_contains "$out" "Operation not permitted"
out=$(as_user_native $BB chown 0:0 "$T/ro/lower" 2>&1) && fail "native chown of lower succeeded"
assert_contains "$out" "Operation not permitted"

U=$T/state/u
note "under rwshim run: the same EPERM, and the files keep their owners"
out=$(as_user "$RW" run --upper "$U" -- $BB chown 0:0 "$T/w/mine" 2>&1) && fail "chown of mine succeeded under rwshim"
assert_contains "$out" "Operation not permitted"
out=$(as_user "$RW" run --upper "$U" -- $BB chown 0:0 "$T/ro/lower" 2>&1) && fail "chown of lower succeeded under rwshim"
assert_contains "$out" "Operation not permitted"
owners=$(as_user "$RW" run --upper "$U" -- $BB stat -c %u "$T/w/mine" "$T/ro/lower")
assert_eq "$(echo $owners)" "$TEST_UID 0" "owners in the merged view"

note "tar restoring root's ownership in a writable dir: extracted for real, the upper stays empty"
as_user "$RW" run --upper "$U" -- $BB tar -xf "$T/x.tar" -C "$T/w" || fail "busybox tar failed"
assert_eq "$(cat "$T/w/x/a" "$T/w/x/b" | tr -d '\n')" ab "extracted files"
diff=$(as_user "$RW" diff --upper "$U" 2>&1)
assert_eq "$diff" "" "rwshim diff after chowns that can only fail"
[ -z "$(find "$U/fs" -mindepth 1 2>/dev/null)" ] || fail "upper holds: $(find "$U/fs" -mindepth 1 | head)"

note "a chown that keeps our own uid still runs (the kernel allows it on our files)"
as_user "$RW" run --upper "$U" -- $BB chown "$TEST_UID:$TEST_UID" "$T/w/mine" || fail "chown to self failed"
assert_eq "$(stat -c %u "$T/w/mine")" "$TEST_UID" "owner after chown to self"
echo ok
