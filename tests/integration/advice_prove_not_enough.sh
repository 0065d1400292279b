#!/usr/bin/env bash
# --prove tells "not enough" from "proven". A fix that deliberately proposes too little (seed
# 2's trace without the store's events: matplotlib's knob alone) is "not enough: still refused"
# naming the store's dir, and the deployment formats then carry no unproven fix (unless
# --unproven). check --suggest --prove, where the read-only run dies before the store, says so
# too. Bad input: a trace whose command is gone, or --prove without --from, is one line, 125.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../advice.sh"
need_root
need_cmd setpriv
as_user_native $PY -c 'import matplotlib, yaml' 2>/dev/null || skip "python3-matplotlib and python3-yaml needed"

BASE=$(mktemp -d /opt/rwshim-advice3.XXXXXX)
chmod 0755 "$BASE"
trap 'rm -rf "$BASE"; cleanup_test' EXIT
seed2_app "$BASE/app"
mkdir -p "$BASE/home"
root_tree "$BASE"
export USER_HOME=$BASE/home
user_dir "$T/out"
cd "$T/out"

out=$(as_user_native $PY "$BASE/app/main.py" 2>&1) && fail "seed 2 passed natively: the test proves nothing"
as_user "$RW" trace --json -o full.json -- $PY "$BASE/app/main.py" >/dev/null 2>&1
grep -q '"denied":true' full.json || fail "trace recorded no refusal"

note "too little: the trace without the store's events"
grep -v '/.myapp' full.json >small.json
out=$(as_user "$RW" doctor --from small.json --prove 2>&1); st=$?
assert_eq "$st" 0 "doctor --prove with too small a fix still reports ($out)"
assert_contains "$out" "not enough: set MPLCONFIGDIR="
assert_contains "$out" "still refused: mkdir $BASE/home/.myapp (EACCES)"
assert_not_contains "$out" "proven: "
out=$(as_user "$RW" doctor --from small.json --prove --format kubernetes 2>/dev/null)
assert_contains "$out" "#   not enough (left out): env MPLCONFIGDIR="
python3 -c 'import sys, yaml
c = yaml.safe_load(sys.stdin.read())["spec"]["containers"][0]
assert "env" not in c and "volumeMounts" not in c, c' <<<"$out" || fail "unproven fixes emitted: $out"
out=$(as_user "$RW" doctor --from small.json --prove --unproven --format kubernetes 2>/dev/null)
assert_contains "$out" "MPLCONFIGDIR"

note "the full trace: proven"
out=$(as_user "$RW" doctor --from full.json --prove 2>&1) || fail "doctor --prove: $out"
assert_contains "$out" "proven: mount a writable dir at $BASE/home/.myapp"
assert_not_contains "$out" "not enough"

note "check --suggest --prove: the read-only run died at matplotlib, so its fix is not enough"
out=$(as_user "$RW" check --suggest --prove -- $PY "$BASE/app/main.py" 2>&1)
assert_contains "$out" "PROOF: re-ran"
assert_contains "$out" "not enough: set MPLCONFIGDIR="
assert_contains "$out" "still refused: mkdir $BASE/home/.myapp (EACCES)"

note "bad input: the traced command is gone -> one line, 125"
cp /usr/bin/touch "$BASE/mytouch"
mkdir -p "$BASE/ro" && root_tree "$BASE"
as_user "$RW" trace --json -o gone.json -- "$BASE/mytouch" "$BASE/ro/x" >/dev/null 2>&1
grep -q '"denied":true' gone.json || fail "trace of mytouch recorded no refusal"
rm "$BASE/mytouch"
err=$(as_user "$RW" doctor --from gone.json --prove 2>&1 >/dev/null); st=$?
assert_eq "$st" 125 "exit status for a gone command ($err)"
assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
assert_contains "$err" "rwshim: prove: command: $BASE/mytouch: No such file or directory"
printf '%s\n' "print(1)" >"$BASE/gone.py" && chmod 0644 "$BASE/gone.py"
as_user "$RW" trace --json -o gone2.json -- $PY "$BASE/gone.py" >/dev/null 2>&1
printf '{"ev":"fs","pid":1,"ppid":0,"exe":"%s","argv":["%s","%s"],"op":"mkdir","path":"%s/ro/d","errno":"EACCES","action":"denied","denied":true,"write":true}\n' \
  "$PY" "$PY" "$BASE/gone.py" "$BASE" >gone2.json
rm "$BASE/gone.py"
err=$(as_user "$RW" doctor --from gone2.json --prove 2>&1 >/dev/null); st=$?
assert_eq "$st" 125 "exit status for a gone script ($err)"
assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
assert_contains "$err" "rwshim: prove: the traced command is gone: $BASE/gone.py: No such file or directory"
err=$("$RW" doctor --prove 2>&1); st=$?
assert_eq "$st" 125 "--prove without --from"
assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
echo ok
