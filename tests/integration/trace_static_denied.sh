#!/usr/bin/env bash
# trace: a static binary (which the preload cannot enter) has its refused write reported, through
# the ptrace+seccomp backend, with the command's own exit status.
. "$(dirname "$0")/../lib.sh"
need_root
HELPER=$T/helpers/static_write
[ -x "$HELPER" ] || skip "static helper not built (needs static libc: libc6-dev)"
if command -v readelf >/dev/null && readelf -l "$HELPER" | grep -q 'program interpreter'; then skip "helper is not static"; fi

mkdir -p "$T/app/state"; root_tree "$T/app"
user_dir "$T/home"

note "native: the static program cannot write its state dir"
out=$(as_user_native "$HELPER" "$T/app/state/db" 2>&1); st=$?
assert_eq "$st" 1 "native status"
assert_contains "$out" "Permission denied"

note "trace: the refused write is reported, the status is the command's"
out=$(as_user "$RW" trace -- "$HELPER" "$T/app/state/db" "$T/home/ok" 2>&1); st=$?
assert_eq "$st" 1 "trace keeps the command's status"
assert_contains "$out" "REFUSED"
assert_contains "$out" "$T/app/state/ (EACCES"
assert_contains "$out" "static_write"
assert_contains "$out" "fix: mount a writable dir at $T/app/state (mount, inferred: a directory that is empty here)"

note "trace --json: one object per event, parsed as JSON"
as_user "$RW" trace --json -o "$T/home/trace.json" -- "$HELPER" "$T/app/state/db" "$T/home/ok" 2>/dev/null
python3 - "$T/home/trace.json" "$T" <<'PY' || fail "JSON events wrong"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t = sys.argv[2]
denied = [e for e in events if e["path"] == t + "/app/state/db"]
ok = [e for e in events if e["path"] == t + "/home/ok"]
assert denied and denied[0]["errno"] == "EACCES" and denied[0]["denied"] is True, denied
assert denied[0]["exe"].endswith("static_write"), denied[0]
assert ok and ok[0]["errno"] is None and ok[0]["write"] is True, ok
for e in events:
    for k in ("pid", "exe", "op", "path", "errno"):
        assert k in e, (k, e)
PY

note "a child forked by the static program is traced too"
out=$(as_user "$RW" trace -- "$HELPER" -f "$T/app/state/child" 2>&1)
assert_contains "$out" "$T/app/state/ (EACCES"

note "a static program started by a dynamic one: served by the supervisor's seccomp backend,"
note "its refusal and its write recorded once each, with its real results"
as_user "$RW" trace --json -o "$T/home/nested.json" -- sh -c "$HELPER $T/app/state/nested $T/home/nested-ok; true" 2>/dev/null
python3 - "$T/home/nested.json" "$T" <<'PY' || fail "static descendant not traced"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t = sys.argv[2]
denied = [e for e in events if e["path"] == t + "/app/state/nested"]
ok = [e for e in events if e["path"] == t + "/home/nested-ok"]
assert len(denied) == 1 and denied[0]["errno"] == "EACCES" and denied[0]["exe"].endswith("static_write"), denied
assert len(ok) == 1 and ok[0]["errno"] is None, ok
PY
[ -f "$T/home/nested-ok" ] || fail "the traced static program's own write did not happen"
echo ok
