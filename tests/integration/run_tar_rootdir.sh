# tar extracting into a root-owned directory: the merged listing shows old and new files;
# a later delete of an original hides it (whiteout), and `rwshim diff` reports A/C/D.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd tar setpriv
mkdir -p "$T/srv/www" "$T/src/www/sub"
echo old > "$T/srv/www/orig.txt"; echo keep > "$T/srv/www/keep.txt"
echo a > "$T/src/www/new1.txt"; echo b > "$T/src/www/sub/new2.txt"; echo changed > "$T/src/www/keep.txt"
tar -C "$T/src" -cf "$T/www.tar" www; chmod 644 "$T/www.tar"
root_tree "$T/srv"
before=$(tree_digest "$T/srv")
as_user_native tar -C "$T/srv" -xf "$T/www.tar" 2>/dev/null && fail "native extract should fail"
up="$T/up"; user_dir "$up"
as_user "$RW" run --upper "$up/u" -- tar -C "$T/srv" -xf "$T/www.tar" || fail "tar under rwshim failed"
list=$(as_user "$RW" run --upper "$up/u" -- ls "$T/srv/www" | tr '\n' ' ')
assert_eq "$list" "keep.txt new1.txt orig.txt sub "
assert_eq "$(as_user "$RW" run --upper "$up/u" -- cat "$T/srv/www/keep.txt")" "changed"
assert_eq "$(as_user "$RW" run --upper "$up/u" -- cat "$T/srv/www/sub/new2.txt")" "b"
as_user "$RW" run --upper "$up/u" -- rm "$T/srv/www/orig.txt" || fail "rm under rwshim failed"
list=$(as_user "$RW" run --upper "$up/u" -- ls "$T/srv/www" | tr '\n' ' ')
assert_eq "$list" "keep.txt new1.txt sub "
as_user "$RW" run --upper "$up/u" -- test -e "$T/srv/www/orig.txt" && fail "deleted file still visible"
[ -e "$up/u/fs$T/srv/www/.wh.orig.txt" ] || fail "no OCI whiteout in the upper"
# An empty directory in the upper (diff once sorted a NULL list there: UBSan caught it).
as_user "$RW" run --upper "$up/u" -- mkdir "$T/srv/www/emptydir" || fail "mkdir under rwshim failed"
diff=$(as_user "$RW" diff --upper "$up/u" 2>&1)
assert_contains "$diff" "A $T/srv/www/emptydir"
assert_contains "$diff" "D $T/srv/www/orig.txt"
assert_contains "$diff" "A $T/srv/www/new1.txt"
assert_contains "$diff" "C $T/srv/www/keep.txt"
json=$(as_user "$RW" diff --upper "$up/u" --json)
$PY -c 'import json,sys; d=json.loads(sys.stdin.read()); assert any(e["kind"]=="D" for e in d), d' <<<"$json" || fail "diff --json"
# The index is derived data: without it (lost, or an upper assembled with tar), it is rebuilt.
rm -f "$up/u/.rwshim/index"
list=$(as_user "$RW" run --upper "$up/u" -- ls "$T/srv/www" | tr '\n' ' ')
assert_eq "$list" "emptydir keep.txt new1.txt sub " "listing after the index was rebuilt"
assert_eq "$(tree_digest "$T/srv")" "$before" "the real directory changed"
echo ok
