#!/usr/bin/env bash
# trace loses no event however a process starts or ends: the preload batches records in a spool
# (src/preload/spool.c) that is written out when full, before exec, at exit, and drained by the
# supervisor for what a process left. For each way (fork, exec, vfork+exec, posix_spawn, _exit,
# several slots' worth of records) the count of recorded file creations equals the files the
# program made, natively and under trace.
. "$(dirname "$0")/../lib.sh"
need_root
H="$T/helpers/trace_spool_writer"
[ -x "$H" ] || skip "tests/helpers not built"

check_mode() { # MODE N EXPECTED_FILES
  local mode=$1 n=$2 want=$3
  rm -rf "$T/native" "$T/traced"; user_dir "$T/native"; user_dir "$T/traced"
  as_user_native "$H" "$T/native/o" "$mode" "$n" || fail "$mode: native run failed"
  local native; native=$(find "$T/native/o" -type f | wc -l)
  assert_eq "$native" "$want" "$mode: files made natively"
  as_user "$RW" trace --json -o "$T/traced/trace.json" -- "$H" "$T/traced/o" "$mode" "$n" ||
    fail "$mode: traced run failed"
  local made recorded
  made=$(find "$T/traced/o" -type f | wc -l)
  recorded=$(count_created_opens "$T/traced/trace.json" "$T/traced/o")
  assert_eq "$made" "$want" "$mode: files made under trace"
  assert_eq "$recorded" "$want" "$mode: creations recorded"
  note "$mode: $recorded of $want recorded"
}

check_mode files 50 50
check_mode files 3000 3000     # ~10 slots' worth: flushed when full
check_mode fork 200 600
check_mode exec 200 400
check_mode vfork 200 400
check_mode spawn 200 400
check_mode exit 300 300        # _exit: no atexit, the drain appends the slot
echo ok
