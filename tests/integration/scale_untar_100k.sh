# A real GNU tar of 100,000 small files (200 dirs) into a root-owned directory, as the
# unprivileged user under `rwshim run`: the upper outgrows the index's first 65,536 slots. tar
# must exit 0 (it once failed "Directory renamed before its status could be extracted": when
# the index saturated, the target's st_dev/st_ino switched from the lower to the upper dir
# mid-run), and the merged tree and `rwshim diff` must hold every file.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd tar setpriv
ndirs=200 per=500
# The tarball holds "." as a member, as `tar -C DIR -cf x.tar .` makes it: at the end tar checks
# that the directory's identity held. Also prints the digest of every file's content in name
# order, as the check below computes it from the merged view.
want=$($PY - "$T/data.tar" "$ndirs" "$per" <<'PY'
import hashlib, io, sys, tarfile
path, ndirs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
digest = hashlib.sha256()
with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
    def member(name, kind, data=b""):
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime, info.size = kind, 0o755 if kind == tarfile.DIRTYPE else 0o644, 1700000000, len(data)
        t.addfile(info, io.BytesIO(data) if data else None)
    member(".", tarfile.DIRTYPE)
    for d in range(ndirs):
        member("./d%03d" % d, tarfile.DIRTYPE)
        for f in range(per):
            data = b"%d/%d\n" % (d, f)
            member("./d%03d/f%04d.txt" % (d, f), tarfile.REGTYPE, data)
            digest.update(data)
print(digest.hexdigest() + "  -")
PY
) || fail "generate the tarball"
chmod 644 "$T/data.tar"
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
got=$(as_user "$RW" run --upper "$up/u" -- sh -c "cd '$T/srv/data' && find . -type f | LC_ALL=C sort | xargs cat" | sha256sum)
assert_eq "$got" "$want" "contents in the merged view"
# A later run over the same (now large) upper: its index is mapped with its levels.
as_user "$RW" run --upper "$up/u" -- tar -C "$T/srv/data" -xf "$T/data.tar" ./d007 || fail "a later tar under rwshim failed"
assert_eq "$(as_user "$RW" run --upper "$up/u" -- cat "$T/srv/data/d007/f0499.txt")" "7/499" "a file seen by a later run"
[ -e "$up/u/.rwshim/index.1" ] || fail "the index did not grow a level"
nadd=$(as_user "$RW" diff --upper "$up/u" | grep -c "^A $T/srv/data/")
assert_eq "$nadd" $((ndirs * per + ndirs)) "rwshim diff lists every added path"
assert_eq "$(tree_digest "$T/srv")" "$before" "the real directory changed"
echo ok
