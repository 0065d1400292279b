# Every descendant stays inside the run: exec with a cleared environment, posix_spawn (Python's
# subprocess uses it), system(), popen(), fork, threads.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv env
mkdir -p "$T/ro"; root_tree "$T/ro"
up="$T/up"; user_dir "$up"
cat > "$T/spawn.py" <<PY
import os, subprocess, threading
subprocess.run(["sh", "-c", "echo 1 > $T/ro/subprocess"], check=True)
subprocess.run(["env", "-i", "/bin/sh", "-c", "echo 2 > $T/ro/cleared-env"], check=True)
os.system("echo 3 > $T/ro/system")
os.popen("echo 4 > $T/ro/popen").read()
t = threading.Thread(target=lambda: open("$T/ro/thread", "w").write("5")); t.start(); t.join()
if os.fork() == 0:
    open("$T/ro/forked", "w").write("6"); os._exit(0)
os.wait()
os.posix_spawn("/bin/sh", ["sh", "-c", "echo 7 > $T/ro/posix_spawn"], {})
os.wait()
PY
chmod 644 "$T/spawn.py"
as_user_native $PY "$T/spawn.py" 2>/dev/null && fail "native run should fail"
as_user "$RW" run --upper "$up/u" -- $PY "$T/spawn.py" || fail "under rwshim"
for f in subprocess cleared-env system popen thread forked posix_spawn; do
  [ -e "$up/u/fs$T/ro/$f" ] || fail "$f: write not redirected (descendant left the run)"
done
[ -z "$(ls -A "$T/ro")" ] || fail "the real dir changed"
echo ok
