#!/usr/bin/env bash
# A traced program that crashes (SIGSEGV) or is SIGKILLed loses no event: its records are in the
# shared spool file, and the supervisor appends them when the command ends. One killed in the
# middle of writing a record loses that record, and the report says so.
. "$(dirname "$0")/../lib.sh"
need_root
H="$T/helpers/trace_spool_writer"
[ -x "$H" ] || skip "tests/helpers not built"

for mode in segv kill; do
  rm -rf "$T/native" "$T/traced"; user_dir "$T/native"; user_dir "$T/traced"
  note "native: 700 files, then $mode"
  as_user_native "$H" "$T/native/o" $mode 700; st=$?
  [ $st -ne 0 ] || fail "$mode: native run should die of its signal"
  assert_eq "$(find "$T/native/o" -type f | wc -l)" 700 "$mode: files made natively"
  as_user "$RW" trace --json -o "$T/traced/trace.json" -- "$H" "$T/traced/o" $mode 700; st=$?
  want=$([ $mode = segv ] && echo 139 || echo 137)
  assert_eq "$st" "$want" "$mode: trace returns the command's status"
  assert_eq "$(count_created_opens "$T/traced/trace.json" "$T/traced/o")" 700 "$mode: creations recorded"
  out=$(as_user "$RW" trace -- "$H" "$T/traced/o2" $mode 700 2>&1)
  assert_not_contains "$out" "lost" "$mode: nothing is lost"
done

note "a writer killed in the middle of a record: that record is lost, and the report says so"
rm -rf "$T/traced"; user_dir "$T/traced"
out=$(as_user "$RW" trace -- "$H" "$T/traced/o" torn 300 2>&1)
assert_contains "$out" "1 event lost: killed while writing (process"
assert_contains "$out" "ok; 300 ops by pid"
err=$(as_user "$RW" trace --json -o "$T/traced/trace.json" -- "$H" "$T/traced/o2" torn 300 2>&1)
assert_contains "$err" "1 event lost"
assert_eq "$(count_created_opens "$T/traced/trace.json" "$T/traced/o2")" 300 "records before the torn one"
echo ok
