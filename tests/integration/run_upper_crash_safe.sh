# Upper creation survives kill -9 at any instant of start and runs that start together:
# a root-owned app dir makes the write fail natively; under rwshim it lands in the upper. Then
# rwshim is killed at >= 30 random points of its first 20 ms on fresh and on existing uppers, and
# the next run must use the upper (never refuse it) and still see what earlier runs wrote; and
# 8 runs started at once on a fresh upper must all start, 20 times.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/app" "$T/uppers"; root_tree "$T/app"; user_dir "$T/uppers"
write='echo "$0" > '"$T"'/app/state && cat '"$T"'/app/state'
out=$(as_user_native sh -c "$write" native 2>&1) && fail "native write worked: the test proves nothing"
assert_contains "$out" "Permission denied"

# user_rwshim ARGS...: rwshim as the test user, exec'd so that $! is rwshim itself (a function
# run with & is a subshell; without exec, kill -9 would hit that shell, not rwshim). Call it only
# in a subshell: with & or in $(...).
user_rwshim() {
  exec env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- "$RW" "$@"
}

# An existing upper with content: kills must never damage it.
out=$(user_rwshim run --upper "$T/uppers/existing" -- sh -c "$write" kept 2>&1) || fail "first run: $out"
assert_eq "$out" kept

kills=0
for i in $(seq 1 36); do
  if [ $((i % 3)) = 0 ]; then u=$T/uppers/existing; else u=$T/uppers/fresh$i; fi
  user_rwshim run --upper "$u" -- sh -c "sleep 0.05" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % 21)))"
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  if [ "$u" = "$T/uppers/existing" ]; then
    out=$(user_rwshim run --upper "$u" -- cat "$T/app/state" 2>&1) || fail "existing upper after kill $i: $out"
    assert_eq "$out" kept "existing upper damaged by kill $i"
  else
    out=$(user_rwshim run --upper "$u" -- sh -c "$write" again 2>&1) || fail "fresh upper after kill $i refused: $out"
    assert_eq "$out" again "run after kill $i"
  fi
done
note "$kills of 36 runs killed mid-start, all uppers usable afterwards"
[ "$kills" -ge 30 ] || fail "only $kills kills landed"

for round in $(seq 1 20); do
  u=$T/uppers/together$round pids=()
  for j in 1 2 3 4 5 6 7 8; do
    user_rwshim run --upper "$u" -- true >"$T/uppers/out$j" 2>&1 & pids+=($!)
  done
  for j in 1 2 3 4 5 6 7 8; do
    wait "${pids[$((j - 1))]}" || fail "round $round: run $j of 8 started together failed: $(cat "$T/uppers/out$j")"
  done
done
note "20 rounds of 8 runs at once on a fresh upper: all started"

# --memory leaves nothing behind. Its upper is in /dev/shm, or in /tmp where /dev/shm is not
# usable (a chroot without it): both are looked at.
mem_left() {
  find /dev/shm -mindepth 1 -user "$TEST_UID" 2>/dev/null
  find /tmp -mindepth 1 -maxdepth 1 -user "$TEST_UID" -name "rwshim-$TEST_UID-memory.*"
}
# (what the test user owns there is this suite's: clear it first)
mem_left | xargs -r rm -rf
# (the command leaves a directory it made mode 000, as test suites checking their cleanup do)
out=$(user_rwshim run --memory -- sh -c "$write && mkdir -p $T/app/d/e && chmod 000 $T/app/d/e $T/app/d" mem 2>&1) ||
  fail "--memory: $out"
assert_eq "$out" mem
left=$(mem_left)
assert_eq "$left" "" "--memory left files behind"
# A --memory run killed with -9 leaves its upper; the next --memory run of the user removes it.
user_rwshim run --memory -- sh -c "$write; echo \$\$ > $T/uppers/cmd.pid; exec sleep 30" killed >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -s "$T/uppers/cmd.pid" ] && break; sleep 0.1; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
kill -9 "$(cat "$T/uppers/cmd.pid")" 2>/dev/null   # the command, orphaned by the kill
[ -n "$(mem_left)" ] || fail "killed --memory run left nothing: the check proves nothing"
out=$(user_rwshim run --memory -- true 2>&1) || fail "--memory after a killed one: $out"
left=$(mem_left)
assert_eq "$left" "" "the upper of a killed --memory run was not removed"
echo ok
