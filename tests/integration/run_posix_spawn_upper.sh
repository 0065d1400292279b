#!/usr/bin/env bash
# posix_spawn beside the exec family: a program only the upper holds, found through PATH by
# posix_spawnp (glibc searches with its own internal execve), and an open file action that
# writes into a root-owned dir (the child opens through libc internals). Found by
# run_cpython_differential_fs (test_posix TestPosixSpawn*.test_open_file, test_posix_spawnp).
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/app/bin"; root_tree "$T/app"
cat > "$T/spawn.py" <<'PY'
import os, stat, sys
app = sys.argv[1]
if sys.argv[2] == "make":
    prog = os.path.join(app, "bin", "hello")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\necho hello-from-upper\n")
    os.chmod(prog, 0o755)
    sys.exit(0)
os.environ["PATH"] = os.path.join(app, "bin") + ":/usr/bin:/bin"   # posix_spawnp searches the caller's PATH
env = dict(os.environ)
out = os.path.join(app, "out.txt")
acts = [(os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
pid = os.posix_spawnp("hello", ["hello"], env, file_actions=acts)
_, st = os.waitpid(pid, 0)
print("status", os.waitstatus_to_exitcode(st), open(out).read().strip())
PY
chmod 0644 "$T/spawn.py"
out=$(as_user_native $PY "$T/spawn.py" "$T/app" make 2>&1) && fail "the root-owned dir took a file natively"
assert_contains "$out" "Permission denied"
U="$T/upper"; user_dir "$U"
as_user "$RW" run --upper "$U/u" -- $PY "$T/spawn.py" "$T/app" make || fail "making the program under run"
out=$(as_user "$RW" run --upper "$U/u" -- $PY "$T/spawn.py" "$T/app" spawn 2>&1) || fail "spawn under run: $out"
assert_eq "$out" "status 0 hello-from-upper"
[ -e "$T/app/out.txt" ] && fail "the image was written"
assert_eq "$(cat "$U/u/fs$T/app/out.txt")" "hello-from-upper"
echo ok
