# Programs the preload cannot enter, and the supervisor's PID-1 duties.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv unshare
mkdir -p "$T/ro"; root_tree "$T/ro"
# A static binary: the seccomp backend redirects its write, and its own status comes back.
if [ -x /bin/busybox ] && ! file -L /bin/busybox 2>/dev/null | grep -q dynamic; then
  out=$(as_user "$RW" run --memory -- /bin/busybox sh -c "echo x > $T/ro/f && /bin/busybox cat $T/ro/f; exit 7" 2>&1); st=$?
  assert_eq "$st" 7 "static command's exit status"
  assert_eq "$out" "x" "static write redirected, no notice"
  # Without seccomp user notification (refused by a seccomp profile that blocks seccomp(2),
  # as some container runtimes do), one clear line and the program runs untouched.
  if [ -x "$T/helpers/block_syscall" ]; then
    out=$(as_user "$T/helpers/block_syscall" seccomp "$RW" run --memory -- /bin/busybox sh -c "echo x > $T/ro/f" 2>&1); st=$?
    [ $st -ne 0 ] || fail "static write should fail without the backend"
    assert_contains "$out" "statically linked and seccomp user notification is unavailable"
    [ "$(grep -c 'rwshim:' <<<"$out")" = 1 ] || fail "want exactly one rwshim line: $out"
  fi
else
  note "busybox-static not installed: static case not exercised"
fi
# Signals sent to rwshim reach the command; its death by signal gives 128+N.
# (env and setpriv exec, so $! is rwshim itself)
env -i PATH=/usr/bin:/bin ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
  setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- \
  "$RW" run --memory -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done' & pid=$!
sleep 1
kill -TERM "$pid"; wait "$pid"; st=$?
assert_eq "$st" 42 "SIGTERM was not forwarded to the command"
# As PID 1 (a new PID namespace), orphans are reaped and the command's status comes back.
# Not under ASan: a libasan-preloaded shell as PID 1 of a new PID namespace hangs at exit even
# without rwshim (reproduced with `unshare -pf --mount-proc env LD_PRELOAD=libasan.so sh -c ...`).
if [ "${RWSHIM_SANITIZED:-0}" = 1 ]; then echo ok; exit 0; fi
out=$(unshare -pf --mount-proc setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups \
  env ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} "$RW" run --memory -- \
  sh -c '(sleep 0.2 &) ; sleep 0.6; ps -eo stat,comm | grep -c "^Z" ; exit 5' 2>&1); st=$?
assert_eq "$st" 5 "status as PID 1"
assert_eq "$(tail -n1 <<<"$out")" "0" "zombies left as PID 1"
echo ok
