#!/usr/bin/env bash
# Listing a merged directory costs at most twice native's getdents64 calls (issue 17: one pass
# per layer), counted by strace, for a small dir and a 5,000-entry one; a directory the upper
# does not touch costs exactly native's. The native count is of a plain directory holding the
# same names; the listing itself must be the same.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv strace
H=$T/helpers/libc_readdir
export RWSHIM_UPPER=$T/upper
user_dir "$RWSHIM_UPPER"; chmod 0700 "$RWSHIM_UPPER"
USER_ENV=(RWSHIM_UPPER="$RWSHIM_UPPER")
O=$T/out; user_dir "$O"   # strace output, written by the user
sorted() { LC_ALL=C sort | tr '\n' ' '; }

# make_tree DIR N: DIR holds N lower files l00001..; root-owned.
make_tree() { mkdir -p "$1" && (cd "$1" && seq -f 'l%05g' 1 "$2" | xargs touch) && root_tree "$1"; }
# count_getdents FILE: getdents64 calls that strace saw (the helper's own, after exec).
count_getdents() { grep -c '^getdents64(' "$1"; }

for n in 8 2500; do
  M=$T/merged-$n N=$T/native-$n P=$T/plain-$n
  make_tree "$M" "$n"; make_tree "$P" "$n"
  note "$n lower files, $n more made in the upper"
  out=$(as_user "$RW" run -- sh -c "cd $M && seq -f 'u%05g' 1 $n | xargs touch && rm l00001" 2>&1); st=$?
  assert_eq "$st" 0 "upper files ($out)"
  mkdir -p "$N"; (cd "$N" && seq -f 'l%05g' 2 "$n" | xargs -r touch && seq -f 'u%05g' 1 "$n" | xargs touch); chmod -R a+rX "$N"

  as_user_native strace -o "$O/native.st" -e trace=getdents64 "$H" list "$N" > "$T/native.out" || fail "native list"
  as_user "$RW" run -- strace -o "$O/merged.st" -e trace=getdents64 "$H" list "$M" > "$T/merged.out" || fail "merged list"
  assert_eq "$(cut -d' ' -f1 "$T/merged.out" | sorted)" "$(cut -d' ' -f1 "$T/native.out" | sorted)" "merged listing ($n)"
  native=$(count_getdents "$O/native.st") merged=$(count_getdents "$O/merged.st")
  note "getdents64: native $native, merged $merged"
  [ "$native" -ge 2 ] || fail "native made $native getdents64 calls: strace saw nothing?"
  [ "$merged" -le $((2 * native)) ] || fail "merged dir: $merged getdents64 calls, more than 2x native's $native"

  note "a directory the upper does not touch: native's count, natively listed"
  as_user_native strace -o "$O/native.st" -e trace=getdents64 "$H" list "$P" > /dev/null || fail "native plain list"
  as_user "$RW" run -- strace -o "$O/plain.st" -e trace=getdents64 "$H" list "$P" > /dev/null || fail "plain list"
  assert_eq "$(count_getdents "$O/plain.st")" "$(count_getdents "$O/native.st")" "getdents64 calls for a plain dir ($n)"
done
echo ok
