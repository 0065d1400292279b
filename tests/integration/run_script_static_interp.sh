# Scripts whose interpreter is static (`#!/bin/busybox sh`, busybox-static), given as CMD,
# nested (`#!` naming another script), and a static program started through posix_spawn
# (python's os.posix_spawn / posix_spawnp): natively each write into the root-owned dir fails;
# under `rwshim run` each is served by the supervisor, as its final interpreter would be.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
mkdir -p "$T/app" "$T/data"
cat > "$T/app/job" <<SH
#!$BB sh
echo "job \$1" >> "$T/data/log" && $BB cat "$T/data/log"
SH
printf '#!%s\n' "$T/app/job" > "$T/app/wrapper"    # the kernel runs: job wrapper ARG
chmod 755 "$T/app/job" "$T/app/wrapper"
root_tree "$T/app"; root_tree "$T/data"
before=$(tree_digest "$T/data")
out=$(as_user_native "$T/app/job" native 2>&1) && fail "native job should be denied: $out"
assert_contains "$out" "Permission denied"
up="$T/up"; user_dir "$up"
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
out=$(R "$T/app/job" one 2>&1) || fail "#!$BB script as CMD: $out"
assert_eq "$out" "job one"
out=$(R "$T/app/wrapper" 2>&1) || fail "nested #! script as CMD: $out"
assert_eq "$out" "job one
job $T/app/wrapper"
out=$(R sh -c "$T/app/job three" 2>&1) || fail "the script from a glibc shell: $out"
assert_contains "$out" "job three"
# posix_spawn of a static program: natively denied, handed over under rwshim.
spawn='import os, sys
fn = os.posix_spawnp if sys.argv[1] == "p" else os.posix_spawn
prog = "busybox" if sys.argv[1] == "p" else "/bin/busybox"
pid = fn(prog, ["busybox", "sh", "-c", "echo spawn-" + sys.argv[1] + " >> " + sys.argv[2] + " && busybox tail -n 1 " + sys.argv[2]], os.environ)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))'
out=$(as_user_native $PY -c "$spawn" s "$T/data/spawned" 2>&1) && fail "native posix_spawn should be denied: $out"
out=$(R $PY -c "$spawn" s "$T/data/spawned" 2>&1) || fail "posix_spawn of busybox: $out"
assert_eq "$out" "spawn-s"
out=$(R $PY -c "$spawn" p "$T/data/spawned" 2>&1) || fail "posix_spawnp of busybox: $out"
assert_eq "$out" "spawn-p"
# fexecve (python's os.execve on an fd) and system() of the static program.
out=$(R $PY -c 'import os, sys
fd = os.open("/bin/busybox", os.O_RDONLY)
os.execve(fd, ["busybox", "sh", "-c", "echo fexecve >> " + sys.argv[1] + " && busybox tail -n 1 " + sys.argv[1]], dict(os.environ))' "$T/data/spawned" 2>&1) ||
  fail "fexecve of busybox: $out"
assert_eq "$out" "fexecve"
out=$(R $PY -c 'import os, sys
sys.exit(os.waitstatus_to_exitcode(os.system("/bin/busybox sh -c \"echo system >> " + sys.argv[1] + "\"")))' "$T/data/spawned" 2>&1) ||
  fail "system() of busybox: $out"
assert_eq "$(cat "$up/u/fs$T/data/spawned")" "spawn-s
spawn-p
fexecve
system"
# Under trace the spawned static program's refusal is recorded, and the trampoline is no
# process of its own: python and busybox.
out=$(as_user "$RW" trace -- $PY -c "$spawn" s "$T/data/spawned" 2>&1)
assert_contains "$out" "2 processes"
assert_contains "$out" "busybox: $T/data/ (EACCES"
assert_eq "$(tree_digest "$T/data")" "$before" "the root-owned dir was modified"
echo ok
