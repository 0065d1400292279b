#!/usr/bin/env bash
# What the supervisor's per-thread cache and its reads of the caller's memory must get right:
# - paths that cross a page, or end on the last byte before an inaccessible page, are read
#   whole (process_vm_readv transfers whole iovecs: one per page);
# - an exec from a non-leader thread changes the image behind the thread group's tid: a
#   preloaded python (served by its preload, its calls passed through) whose thread execs
#   busybox-static must have busybox served by the supervisor from its first call on.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
PATHS=$T/helpers/static_paths
[ -x "$PATHS" ] || skip "static helper not built (needs static libc: libc6-dev)"
mkdir -p "$T/ro"; root_tree "$T/ro"
user_dir "$T/state"
U=$T/state/u

note "natively the root-owned dir refuses both files"
as_user_native "$PATHS" "$T/ro" 2>/dev/null && fail "native creation succeeded"

note "under rwshim run: both paths are read whole and the files land in the upper"
out=$(as_user "$RW" run --upper "$U" -- "$PATHS" "$T/ro" 2>&1) || fail "static_paths failed: $out"
assert_eq "$(as_user "$RW" run --upper "$U" -- $BB cat "$T/ro/cross" "$T/ro/edge" | tr '\n' ' ')" "cross edge " "contents"
[ ! -e "$T/ro/cross" ] && [ ! -e "$T/ro/edge" ] || fail "the root-owned dir was written"

note "exec from a non-leader thread of a preloaded program into a static one"
prog='import os, sys, threading
t = threading.Thread(target=lambda: os.execv(sys.argv[1], ["busybox", "cat", sys.argv[2]]))
t.start(); t.join()'
out=$(as_user "$RW" run --upper "$U" -- $BB sh -c 'echo only-upper > "$1/t" && '"$PY"' -c "$2" /bin/busybox "$1/t"' \
      sh "$T/ro" "$prog" 2>&1) || fail "thread exec failed: $out"
assert_eq "$out" only-upper "busybox after the thread's exec sees the upper"
echo ok
