# trace --all: a static program started by a dynamic one (served by the supervisor's seccomp
# backend) has its lookups recorded with their real results, as the preload records a dynamic
# program's: the config it read, the file it looked for and did not find, beside the write
# that was refused. Without --all only the write is recorded.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv python3
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
mkdir -p "$T/app/state"; echo conf > "$T/app/app.conf"; root_tree "$T/app"
user_dir "$T/home"
script="$BB sh -c 'cat $T/app/app.conf >/dev/null; [ -e $T/app/missing.conf ]; echo x > $T/app/state/db'"
out=$(as_user_native sh -c "$script" 2>&1) && fail "native write should be refused: $out"
assert_contains "$out" "Permission denied"
for all in "" --all; do
  as_user "$RW" trace $all --json -o "$T/home/t$all.json" -- sh -c "$script" >/dev/null 2>&1
done
python3 - "$T/home/t.json" "$T/home/t--all.json" "$T" <<'PY' || fail "static lookups under trace --all"
import json, sys
def load(p):
    return [e for e in map(json.loads, filter(str.strip, open(p))) if e.get("ev") == "fs" and "busybox" in e["exe"]]
plain, every, t = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
def find(evs, op, path):
    return [e for e in evs if e["op"] == op and e["path"] == path]
for evs in (plain, every):
    w = find(evs, "open", t + "/app/state/db")
    assert w and w[0]["action"] == "denied" and w[0]["errno"] == "EACCES", w
assert not find(plain, "open", t + "/app/app.conf"), "reads recorded without --all"
r = find(every, "open", t + "/app/app.conf")
assert r and r[0]["action"] == "ok" and r[0]["flags"] == "O_RDONLY", r
m = [e for e in every if e["path"] == t + "/app/missing.conf"]
assert m and m[0]["action"] == "failed" and m[0]["errno"] == "ENOENT", m
PY
echo ok
