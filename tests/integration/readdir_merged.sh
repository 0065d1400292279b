#!/usr/bin/env bash
# Listing a merged directory as real programs do: ls, find, python os.scandir/os.walk, rm -rf,
# and a C program (tests/helpers/libc_readdir.c, glibc and musl builds) checking readdir and
# readdir64, d_type and d_ino against lstat, telldir/seekdir, dirfd() against stat(), openat on
# dirfd(), rewinddir seeing a new file, the root's upper-only names, whiteouts and an opaque
# dir hiding the lower's entries. Run as the unprivileged user over a root-owned tree.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv find python3
export RWSHIM_UPPER=$T/upper
user_dir "$RWSHIM_UPPER"; chmod 0700 "$RWSHIM_UPPER"
USER_ENV=(RWSHIM_UPPER="$RWSHIM_UPPER")
A=$T/app
mkdir -p "$A/sub" "$A/gone" "$A/opq/inner" "$A/keep"
for f in a b sub/s gone/x opq/o opq/inner/i keep/k; do echo "$f" > "$A/$f"; done
root_tree "$A"
before=$(tree_digest "$A")
sorted() { LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }

note "native: the user cannot change the root-owned tree"
out=$(as_user_native sh -c "echo new > $A/new" 2>&1); st=$?
[ "$st" != 0 ] || fail "native write succeeded: the test proves nothing"
assert_contains "$out" "Permission denied"

note "run: new names, a removed file, a removed dir, a dir removed and made again (opaque), /newtop"
out=$(as_user "$RW" run -- sh -c "echo new > $A/new && rm $A/b && rm -rf $A/gone && echo s2 > $A/sub/s2 &&
  rm -rf $A/opq && mkdir -p $A/opq/inner && echo n > $A/opq/inner/n && echo top > /newtop-$$" 2>&1); st=$?
assert_eq "$st" 0 "changes ($out)"
[ -e "$RWSHIM_UPPER/fs$A/.wh.b" ] || fail "no whiteout for b in the upper"

want_app=". .. a keep new opq sub"
note "ls, find, python see the merged view"
assert_eq "$(as_user "$RW" run -- ls -a "$A" | sorted)" "$want_app" "ls -a"
assert_eq "$(as_user "$RW" run -- find "$A" | sed "s|^$A||" | sorted)" \
  " /a /keep /keep/k /new /opq /opq/inner /opq/inner/n /sub /sub/s /sub/s2" "find"
out=$(as_user "$RW" run -- "$PY" -c '
import os, sys
top = sys.argv[1]
print(" ".join(sorted(e.name + ("/" if e.is_dir() else "") for e in os.scandir(top))))
for root, dirs, files in sorted(os.walk(top)):
    print(root[len(top):] or "/", sorted(dirs), sorted(files))
' "$A" 2>&1); st=$?
assert_eq "$st" 0 "python ($out)"
assert_eq "$(head -n 1 <<<"$out")" "a keep/ new opq/ sub/" "os.scandir"
assert_contains "$out" "/ ['keep', 'opq', 'sub'] ['a', 'new']"
assert_contains "$out" "/opq ['inner'] []"
assert_contains "$out" "/opq/inner [] ['n']"
assert_contains "$out" "/sub [] ['s', 's2']"

helpers=(libc_readdir)
if [ "${RWSHIM_SANITIZED:-0}" != 1 ] && [ -x "$T/helpers/musl_readdir" ] && [ -f "$T/lib/rwshim/librwshim-musl.so" ]; then
  helpers+=(musl_readdir)
else
  note "musl: skipped ($( [ "${RWSHIM_SANITIZED:-0}" = 1 ] && echo "sanitized run: no musl preload" || musl_missing))"
fi
for h in "${helpers[@]}"; do
  H=$T/helpers/$h
  note "$h: readdir and readdir64 list the merged view; the opaque dir hides the lower's"
  assert_eq "$(as_user "$RW" run -- "$H" list "$A" | sorted)" ". d .. d a f keep d new f opq d sub d" "$h list"
  assert_eq "$(as_user "$RW" run -- "$H" list64 "$A" | sorted)" ". d .. d a f keep d new f opq d sub d" "$h list64"
  assert_eq "$(as_user "$RW" run -- "$H" list "$A/opq" | sorted)" ". d .. d inner d" "$h opaque dir"
  assert_eq "$(as_user "$RW" run -- "$H" list "$A/opq/inner" | sorted)" ". d .. d n f" "$h below the opaque dir"
  note "$h: scandir and nftw walk the merged view"
  assert_eq "$(as_user "$RW" run -- "$H" scandir "$A" | tr '\n' ' ')" ". .. a keep new opq sub " "$h scandir"
  assert_eq "$(as_user "$RW" run -- "$H" nftw "$A" | grep -v "^/sub/r-" | sorted)" \
    "/ /a /keep/ /keep/k /new /opq/ /opq/inner/ /opq/inner/n /sub/ /sub/s /sub/s2" "$h nftw"
  note "$h: getdents64 called by the program, with a roomy buffer and with one of 64 bytes"
  assert_eq "$(as_user "$RW" run -- "$H" getdents "$A" | sorted)" ". d .. d a f keep d new f opq d sub d" "$h getdents"
  assert_eq "$(as_user "$RW" run -- "$H" getdents "$A" 64 | sorted)" ". d .. d a f keep d new f opq d sub d" "$h getdents, 64 bytes"
  assert_eq "$(as_user "$RW" run -- "$H" sysgetdents "$A" | sorted)" ". d .. d a f keep d new f opq d sub d" "$h syscall(SYS_getdents64)"
  note "$h: d_type, d_ino, seekdir and dirfd agree with stat"
  for d in "$A" "$A/sub" "$A/opq" "$A/keep"; do
    out=$(as_user "$RW" run -- "$H" check "$d" 2>&1); st=$?
    assert_eq "$st" 0 "$h check $d ($out)"
  done
  note "$h: openat(dirfd(DIR), a lower-only name)"
  assert_eq "$(as_user "$RW" run -- "$H" openat "$A" a 2>&1)" a "$h openat on dirfd"
  assert_eq "$(as_user "$RW" run -- "$H" openat "$A" new 2>&1)" new "$h openat on dirfd (upper name)"
  note "$h: rewinddir shows a file made after opendir"
  assert_eq "$(as_user "$RW" run -- "$H" rewind "$A/sub" "r-$h" 2>&1)" "seen before=0 after=1" "$h rewinddir"
  note "$h: the root's listing has the upper-only name"
  assert_contains "$(as_user "$RW" run -- "$H" list / 2>&1)" "newtop-$$ f" "$h list /"
done

note "rm -rf of the merged tree, then nothing of it is listed; the lower is untouched"
out=$(as_user "$RW" run -- rm -rf "$A/sub" "$A/opq" "$A/keep" 2>&1); st=$?
assert_eq "$st" 0 "rm -rf ($out)"
assert_eq "$(as_user "$RW" run -- ls -a "$A" | sorted)" ". .. a new" "ls after rm -rf"
assert_eq "$(as_user "$RW" run -- find "$A" | sed "s|^$A||" | sorted)" " /a /new" "find after rm -rf"
assert_eq "$(tree_digest "$A")" "$before" "the root-owned tree changed"
[ ! -e "/newtop-$$" ] || fail "/newtop-$$ was written to the real root"
echo ok
