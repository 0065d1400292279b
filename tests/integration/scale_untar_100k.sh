# A real GNU tar of 100,000 small files (200 dirs) into a root-owned directory, as the
# unprivileged user under `rwshim run`: the upper outgrows the index's first 65,536 slots. tar
# must exit 0 (it once failed "Directory renamed before its status could be extracted": when
# the index saturated, the target's st_dev/st_ino switched from the lower to the upper dir
# mid-run), and the merged tree and `rwshim diff` must hold every file.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd tar setpriv
ndirs=200 per=500
$PY - "$T/src/data" "$ndirs" "$per" <<'PY' || fail "generate the tree"
import os, sys
root, ndirs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(ndirs):
    p = os.path.join(root, "d%03d" % d)
    os.makedirs(p)
    for f in range(per):
        with open(os.path.join(p, "f%04d.txt" % f), "w") as fh:
            fh.write("%d/%d\n" % (d, f))
PY
# "." is a member, as in `tar -C DIR -cf x.tar .`: tar checks at the end that its identity held.
tar -C "$T/src/data" -cf "$T/data.tar" .; chmod 644 "$T/data.tar"
want=$(cd "$T/src" && find data -type f | LC_ALL=C sort | xargs cat | sha256sum)
mkdir -p "$T/srv/data"; root_tree "$T/srv"
before=$(tree_digest "$T/srv")
as_user_native tar -C "$T/srv/data" -xf "$T/data.tar" 2>/dev/null && fail "native extract should fail"
up="$T/up"; user_dir "$up"
t0=$(date +%s)
out=$(as_user "$RW" run --upper "$up/u" -- tar -C "$T/srv/data" -xf "$T/data.tar" 2>&1) ||
  fail "tar under rwshim failed: $(tail -n 3 <<<"$out")"
note "tar under rwshim: $(( $(date +%s) - t0 )) s"
assert_eq "$out" "" "tar printed"
n=$(as_user "$RW" run --upper "$up/u" -- find "$T/srv/data" -type f | wc -l)
assert_eq "$n" $((ndirs * per)) "files seen in the merged view"
got=$(as_user "$RW" run --upper "$up/u" -- sh -c "cd '$T/srv' && find data -type f | LC_ALL=C sort | xargs cat" | sha256sum)
assert_eq "$got" "$want" "contents in the merged view"
# A second tar in a later run over the same (now large) upper overwrites every file.
as_user "$RW" run --upper "$up/u" -- tar -C "$T/srv/data" -xf "$T/data.tar" || fail "second tar under rwshim failed"
nadd=$(as_user "$RW" diff --upper "$up/u" | grep -c "^A $T/srv/data/")
assert_eq "$nadd" $((ndirs * per + ndirs)) "rwshim diff lists every added path"
assert_eq "$(tree_digest "$T/srv")" "$before" "the real directory changed"
echo ok
