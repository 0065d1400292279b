# An upper's metadata as a crash, another rwshim version or the user's own programs may leave
# it: a truncated or torn index is rebuilt from fs/ (what the upper holds stays visible), an
# index of another format too; a newer or garbled version, a lock or version of the wrong file
# type are refused with one line and 125, never a crash or a hang.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/ro"; echo lower > "$T/ro/file"; root_tree "$T/ro"
up="$T/up"; user_dir "$up"; U="$up/u"
as_user_native sh -c "echo x > $T/ro/new" 2>/dev/null && fail "native write in a root-owned dir should fail"
out=$(as_user "$RW" run --upper "$U" -- sh -c "echo kept > $T/ro/new && cat $T/ro/new" 2>&1)
assert_eq "$out" "kept" "the write is redirected into a fresh upper"
see() { as_user "$RW" run --upper "$U" -- cat "$T/ro/new" 2>&1; }
# bounded so a regression that hangs fails instead of stalling the suite (not a timing test)
refused() { as_user timeout 120 "$RW" run --upper "$U" -- true 2>&1; echo "status $?"; }
size=$(stat -c %s "$U/.rwshim/index")

as_user truncate -s 100 "$U/.rwshim/index"
assert_eq "$(see)" "kept" "a truncated index is rebuilt from fs/"
assert_eq "$(stat -c %s "$U/.rwshim/index")" "$size" "the rebuilt index has its full size"
as_user sh -c "printf 'torn' | dd of=$U/.rwshim/index conv=notrunc status=none"
assert_eq "$(see)" "kept" "a torn header is rebuilt"
as_user sh -c "printf 'wrwridx1' | dd of=$U/.rwshim/index conv=notrunc status=none"
assert_eq "$(see)" "kept" "an index of another format is rebuilt"
as_user truncate -s $((size * 2)) "$U/.rwshim/index"
assert_eq "$(see)" "kept" "an oversized index is cut back and used"

cp -p "$U/.rwshim/version" "$T/version.good"
for v in 2 abc ''; do
  as_user sh -c "printf '%s' '$v' > $U/.rwshim/version"
  out=$(refused)
  assert_contains "$out" "status 125" "version '$v' must be refused"
  assert_eq "$(grep -c '^rwshim: ' <<<"$out")" 1 "one error line for version '$v': $out"
done
as_user rm "$U/.rwshim/version"; as_user mkfifo "$U/.rwshim/version"
out=$(refused)
assert_contains "$out" "status 125" "a FIFO as version must be refused, not block"
assert_contains "$out" "rwshim: " "and said: $out"
as_user rm "$U/.rwshim/version"; as_user cp -p "$T/version.good" "$U/.rwshim/version"

as_user rm "$U/.rwshim/lock"; as_user mkdir "$U/.rwshim/lock"
out=$(refused)
assert_contains "$out" "status 125" "a directory as lock is refused"
assert_eq "$(grep -c '^rwshim: ' <<<"$out")" 1 "one line: $out"
as_user rmdir "$U/.rwshim/lock"
assert_eq "$(see)" "kept" "the repaired upper works again"
echo ok
