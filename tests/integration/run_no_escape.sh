# No escape: whatever path a program uses (.., symlinks, one planted in the upper,
# /proc/self/cwd, over-long paths), nothing outside the upper and the intended target changes.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/ro/d" "$T/outside"; echo secret > "$T/outside/file"; root_tree "$T/ro"; root_tree "$T/outside"
user_dir "$T/victim"   # a dir the user owns, outside the upper: must not be touched by the engine
up="$T/up"; user_dir "$up"
snap() { tree_digest "$T/outside"; tree_digest "$T/victim"; tree_digest "$T/ro"; }
before=$(snap)
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
R sh -c "echo a > '$T/ro/d/../d/./x'" || fail "dotted path"
R sh -c "cd '$T/ro/d' && echo b > ../y && echo c > ./sub 2>/dev/null; mkdir -p ../../ro/d/deep/er && echo d > ../d/deep/er/f" || fail "relative paths"
R sh -c "cd '$T/ro' && echo e > /proc/self/cwd/z" || fail "/proc/self/cwd"
assert_eq "$(R cat "$T/ro/d/x")" "a"; assert_eq "$(R cat "$T/ro/y")" "b"; assert_eq "$(R cat "$T/ro/z")" "e"
# a symlink created by the program inside the redirected tree, pointing out of it
R ln -s "$T/victim" "$T/ro/link" || fail "symlink in redirected dir"
R sh -c "echo f > '$T/ro/link/through'" || fail "write through symlink"
[ "$(cat "$T/victim/through" 2>/dev/null)" = f ] || fail "write through a symlink did not reach its target"
rm -f "$T/victim/through"
# a symlink planted directly in the upper, pointing outside: the engine must never follow it
mkdir -p "$up/u/fs$T/ro/d"; ln -s "$T/outside" "$up/u/fs$T/ro/d/planted"; chown -h "$TEST_UID" "$up/u/fs$T/ro/d/planted"
R sh -c "echo g > '$T/ro/d/planted/file'" 2>/dev/null
R sh -c "mkdir '$T/ro/d/planted/newdir'" 2>/dev/null
# over-long paths are refused cleanly
long=$(printf 'a%.0s' $(seq 1 300)); longpath="$T/ro"; for i in $(seq 1 16); do longpath="$longpath/$long"; done
R sh -c "echo h > '$longpath'" 2>/dev/null && fail "over-long path accepted"
assert_eq "$(snap)" "$before" "something outside the upper changed"
# everything written lies inside the upper
find "$up/u" -newer "$up/u/.rwshim/version" -printf '%p\n' | grep -v "^$up/u" && fail "wrote outside the upper"
echo ok
