#!/usr/bin/env bash
# The libc calls of a program (tests/helpers/libc_calls.c: stdio, open family, dirent,
# scandir, readdir_r, stat, rename, link/symlink, realpath, chmod/lchmod, utime, truncate,
# access, mkstemp/mkdtemp, freopen, chdir/getcwd, syscall, remove), built against glibc
# (libc_calls, the glibc preload) and against musl (musl_calls, the musl preload): run natively
# on a writable copy of a tree and under `run` on a root-owned copy, every line of output must
# agree; natively the root-owned copy fails.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
progs=("$T/helpers/libc_calls")
if [ ! -x "$T/helpers/musl_calls" ] || [ ! -f "$T/lib/rwshim/librwshim-musl.so" ]; then
  note "$(musl_missing): the musl build is not tested"
elif [ "${RWSHIM_SANITIZED:-0}" = 1 ]; then
  note "sanitized run: musl programs cannot load the ASan runtime (glibc's): the musl build is not tested"
else
  progs+=("$T/helpers/musl_calls")
fi
make_tree() { mkdir -p "$1/dir/sub" "$1/empty"; echo lower > "$1/file"; echo k > "$1/keep"; echo x > "$1/dir/sub/f"; echo y > "$1/dir/g"; }
for MC in "${progs[@]}"; do
  name=$(basename "$MC")
  note "[$name]"
  rm -rf "$T/rw" "$T/ro" "$T/upper"
  make_tree "$T/rw"; chown -R "$TEST_UID:$TEST_UID" "$T/rw"
  make_tree "$T/ro"; root_tree "$T/ro"
  before=$(tree_digest "$T/ro")
  export RWSHIM_UPPER=$T/upper
  user_dir "$RWSHIM_UPPER"; chmod 0700 "$RWSHIM_UPPER"
  USER_ENV=(RWSHIM_UPPER="$RWSHIM_UPPER")

  want=$(as_user_native "$MC" "$T/rw" 2>&1) || fail "native run on the writable copy: $want"
  assert_not_contains "$want" " fails Permission denied" "the writable copy should allow everything"

  note "native: the root-owned copy refuses the writes"
  out=$(as_user_native "$MC" "$T/ro" 2>&1)
  assert_contains "$out" "fopen-w fails Permission denied"
  assert_contains "$out" "mkdir fails Permission denied"

  note "run: the same answers as on the writable copy"
  got=$(as_user "$RW" run -- "$MC" "$T/ro" 2>&1) || fail "run: $got"
  if [ "$got" != "$want" ]; then
    diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
    fail "$name under run differs from the native run on a writable copy"
  fi
  assert_eq "$(tree_digest "$T/ro")" "$before" "the root-owned tree changed"
done
echo ok
