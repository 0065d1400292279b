#!/usr/bin/env bash
# trace is complete: for a workload, the set of (op, path, errno) of writes and refusals rwshim
# records equals what strace -f records.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd strace
mkdir -p "$T/ro"; root_tree "$T/ro"; user_dir "$T/w"
WORK="cd $T/w && echo a > f && mkdir d && mv f d/g && ln -s g d/s && chmod 600 d/g && rm d/s d/g && rmdir d && touch t && rm t; echo x > $T/ro/x; mkdir $T/ro/d; true"

note "native: the workload's writes under the root-owned dir are refused"
out=$(as_user_native sh -c "$WORK" 2>&1)
assert_contains "$out" "Permission denied"

as_user strace -f -qq -e trace=%file -o "$T/w/strace.out" sh -c "$WORK" >/dev/null 2>&1
as_user "$RW" trace --json -o "$T/w/trace.json" -- sh -c "$WORK" >/dev/null 2>&1
python3 - "$T/w/strace.out" "$T/w/trace.json" "$T/w" "$T/ro" <<'PY' || fail "sets differ"
import json, os, re, sys
strace_out, trace_json, w, ro = sys.argv[1:]
def norm(op):
    op = {"fchmodat": "chmod", "fchmodat2": "chmod", "fchownat": "chown", "futimesat": "utime",
          "utimensat": "utime", "utimes": "utime", "creat": "open", "openat": "open", "openat2": "open",
          "renameat2": "rename"}.get(op, op)
    return op[:-2] if op.endswith("at") and op != "stat" else op
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
def interesting(path):
    return path.startswith(w + "/") or path.startswith(ro + "/")
line_re = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)(?:\s+(E\w+))?')
want = set()
for line in open(strace_out):
    m = line_re.match(line)
    if not m:
        continue
    _, op, args, _, err = m.groups()
    paths = re.findall(r'"([^"]*)"', args)
    if not paths or op.startswith(("exec", "stat", "newfstat", "access", "faccess", "readlink", "statx", "lstat", "chdir", "getcwd")):
        continue
    if op.startswith("open") and not any(f in args for f in WRITE_FLAGS) and err not in ("EACCES", "EPERM", "EROFS"):
        continue
    target = paths[1] if op in ("symlink",) else paths[-1] if op in ("symlinkat",) else paths[0]
    path = os.path.normpath(os.path.join(w, target))
    if interesting(path):
        want.add((norm(op), path, err))
got = set()
for line in open(trace_json):
    e = json.loads(line)
    if (e["write"] and e["errno"] in (None, "EACCES", "EPERM", "EROFS")) or e["denied"]:
        if interesting(e["path"]):
            got.add((norm(e["op"]), e["path"], e["errno"]))
# touch's futimens names no path: strace's %file class leaves it out, so both sides drop utime.
want = {x for x in want if x[2] in (None, "EACCES", "EPERM", "EROFS") and x[0] != "utime"}
got = {x for x in got if x[0] != "utime"}
if want != got:
    print("strace only:", sorted(want - got, key=str)); print("rwshim only:", sorted(got - want, key=str))
    sys.exit(1)
print("agree on", len(got), "operations")
PY
echo ok
