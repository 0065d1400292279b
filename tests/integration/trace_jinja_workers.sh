#!/usr/bin/env bash
# trace, incident 1: an SDK in a root-owned package dir points Jinja2's bytecode cache into its
# own package; 4 worker processes, unprivileged. The refused writes under .jinja_cache are
# attributed to jinja2 and the SDK module that configured it, from every worker, with a fix.
. "$(dirname "$0")/../lib.sh"
need_root
need_shm   # multiprocessing's semaphores
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import jinja2' 2>/dev/null || skip "python3-jinja2 not installed"

SITE=$T/lib/python3/site-packages
mkdir -p "$SITE/sdk/.jinja_cache" "$T/app"
cat > "$SITE/sdk/__init__.py" <<'PY'
PY
cat > "$SITE/sdk/render.py" <<'PY'
import os
import jinja2

_CACHE = os.path.join(os.path.dirname(__file__), ".jinja_cache")
_ENV = jinja2.Environment(loader=jinja2.DictLoader({"t": "hello {{ n }}"}),
                          bytecode_cache=jinja2.FileSystemBytecodeCache(_CACHE))

def render(n):
    return _ENV.get_template("t").render(n=n)
PY
cat > "$T/app/app.py" <<'PY'
import multiprocessing as mp
from sdk.render import render

def work(n):
    return render(n)

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(4) as pool:
        print(pool.map(work, range(4), chunksize=1))
PY
root_tree "$T/lib"; root_tree "$T/app"
USER_ENV=(PYTHONPATH="$SITE")

note "native: every worker dies on the cache write"
out=$(as_user_native $PY "$T/app/app.py" 2>&1); st=$?
[ "$st" -ne 0 ] || fail "native run should fail: $out"
assert_contains "$out" "PermissionError"

note "trace: jinja2 blamed, called from the SDK, every worker pid, the fix"
user_dir "$T/out"
as_user "$RW" trace --json -o "$T/out/trace.json" -- $PY "$T/app/app.py" >/dev/null 2>&1
out=$(cat "$T/out/trace.json")
python3 - "$SITE" <<PY || fail "attribution wrong: $(head -c 3000 <<<"$out")"
import json, sys
site = sys.argv[1]
ev = [json.loads(l) for l in '''$out'''.splitlines()]
cache = [e for e in ev if e["denied"] and e["path"].startswith(site + "/sdk/.jinja_cache/")]
assert cache, "no refused cache write"
assert all(e["culprit"] == "jinja2" for e in cache), {e["culprit"] for e in cache}
assert all("FileSystemBytecodeCache" in e["fix"] for e in cache), cache[0]
pids = {e["pid"] for e in cache}
assert len(pids) >= 2, pids   # the pool may hand all 4 tasks to fewer workers, never to one alone
files = [f["file"] for f in cache[0]["python"]]
assert files[0].endswith("/jinja2/bccache.py"), files
assert site + "/sdk/render.py" in files, files
PY
out=$(as_user "$RW" trace -o "$T/out/report" -- $PY "$T/app/app.py" >/dev/null 2>&1; cat "$T/out/report")
assert_contains "$out" "jinja2: $SITE/sdk/.jinja_cache/ (EACCES"
assert_contains "$out" "called from sdk/render.py:"
assert_contains "$out" "kb: Point jinja2.FileSystemBytecodeCache"
assert_contains "$out" "fix: mount a writable dir at $SITE/sdk/.jinja_cache (mount, inferred: a directory that is empty here)"
echo ok
