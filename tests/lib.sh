# Shared by integration tests: source it first. Tests run real programs as an unprivileged
# user (uid $TEST_UID, no passwd entry) against root-owned dirs and read-only mounts.
set -u
TEST_UID=${TEST_UID:-4242}
: "${RWSHIM_BUILD:?run through tests/run or set RWSHIM_BUILD}"
RWSHIM_SRC=${RWSHIM_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
note() { echo "# $*"; }
need_cmd() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root to set up root-owned dirs and drop privileges"; }
# need_shm: /dev/shm is a tmpfs the test user can create in, as in every container engine's
# default (multiprocessing's semaphores and --memory need it); a chroot without it skips.
need_shm() {
  setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- sh -c \
    'f=$(mktemp /dev/shm/rwshim-probe.XXXXXX) && rm -f "$f"' 2>/dev/null ||
    skip "/dev/shm is not a writable tmpfs for uid $TEST_UID here (mount one, as container engines do)"
}

# A world-readable scratch dir holding a copy of the build, so the test user can run it
# wherever the checkout lives (CI may clone under /root, mode 0700).
T=$(mktemp -d /tmp/rwshim-test.XXXXXX)
chmod 0755 "$T"
trap 'cleanup_test' EXIT
cleanup_test() { cd /; umount -R "$T/mnt" 2>/dev/null; rm -rf "$T"; }
mkdir -p "$T/bin" "$T/lib/rwshim"
cp "$RWSHIM_BUILD/rwshim" "$T/bin/rwshim"
cp "$RWSHIM_BUILD/librwshim.so" "$T/lib/rwshim/librwshim.so"
[ -f "$RWSHIM_BUILD/librwshim-musl.so" ] && cp "$RWSHIM_BUILD/librwshim-musl.so" "$T/lib/rwshim/"
[ -d "$RWSHIM_BUILD/tests/helpers" ] && cp -r "$RWSHIM_BUILD/tests/helpers" "$T/helpers"
# The knowledge base is built into rwshim; only the Python hook is a file (as in make dist).
[ -d "$RWSHIM_SRC/data/python" ] && mkdir -p "$T/share/rwshim" && cp -r "$RWSHIM_SRC/data/python" "$T/share/rwshim/"
chmod -R a+rX "$T"
cd "$T"   # the test user must be able to stat its cwd (CI may run from /root, mode 0700)
RW="$T/bin/rwshim"
PY=/usr/bin/python3   # Debian's, with its packages (not a pyenv/venv one on PATH)

# Sanitized builds: the ASan runtime must come first in LD_PRELOAD of every preloaded process.
if [ "${RWSHIM_SANITIZED:-0}" = 1 ]; then
  export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:abort_on_error=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LD_PRELOAD=$(gcc -print-file-name=libasan.so 2>/dev/null || echo libasan.so.8)
  export RWSHIM_SANITIZED
fi

# user_home DIR: a home owned by the test user.
user_dir() { mkdir -p "$1" && chown "$TEST_UID:$TEST_UID" "$1"; }

# as_user CMD...: run CMD as the unprivileged test user with a clean, predictable environment.
# Extra variables: set them in USER_ENV (array of NAME=VALUE).
USER_ENV=()
as_user() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="${USER_HOME:-/nonexistent}" LANG=C.UTF-8 \
    ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "${USER_ENV[@]}" \
    setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- "$@"
}

# as_user_native CMD...: same, without any preload (the native behaviour to compare with).
as_user_native() {
  local saved=${LD_PRELOAD-}; unset LD_PRELOAD
  as_user "$@"; local st=$?
  [ -n "$saved" ] && export LD_PRELOAD=$saved
  return $st
}

# root_tree DIR: make DIR and everything under it owned by root, not writable by others.
root_tree() { chown -R 0:0 "$1"; chmod -R go-w "$1"; chmod -R a+rX "$1"; }

# tree_digest DIR: a digest of names, modes, sizes and contents, to prove a tree is unchanged.
tree_digest() { (cd "$1" && find . -printf '%p %m %s %y\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -d' ' -f1; }

# in_ro_mount DIR CMD...: run CMD (as root; use setpriv inside) in a mount namespace where DIR
# is a read-only bind mount of itself.
in_ro_mounts() { # "dir1 dir2" CMD...
  local dirs=$1; shift
  unshare -m -- bash -c 'for d in $1; do mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || exit 90; done; shift; exec "$@"' _ "$dirs" "$@"
}

# count_created_opens JSON DIR: creating opens (O_CREAT) a trace's --json output records under DIR.
count_created_opens() {
  python3 - "$1" "$2" <<'PY'
import json, sys
print(sum(1 for line in open(sys.argv[1]) for e in [json.loads(line)]
          if e["op"] == "open" and e["path"].startswith(sys.argv[2] + "/") and "O_CREAT" in (e["flags"] or "")))
PY
}
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"; }
assert_contains() { grep -qF -- "$2" <<<"$1" || fail "${3:-output lacks '$2'}: $(head -c 2000 <<<"$1")"; }
assert_not_contains() { ! grep -qF -- "$2" <<<"$1" || fail "${3:-output has '$2'}: $(head -c 2000 <<<"$1")"; }

# Incident 2's app in DIR: main.py plots with matplotlib (Agg) and saves a JSON store under
# ~/.myapp through its own module store.py (the attribution tests name that module and line).
incident2_app() {
  mkdir -p "$1"
  cat > "$1/store.py" <<'PY'
import json, os

def save(data):
    path = os.path.join(os.path.expanduser("~"), ".myapp", "store.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f)
PY
  cat > "$1/main.py" <<'PY'
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import store
plt.plot([1, 2])
store.save({"runs": 1})
print("saved")
PY
}

# incident1_app DIR: incident 1's application (seed): an SDK that keeps a Jinja2
# FileSystemBytecodeCache in its own package dir, and main.py rendering in 4 forked workers.
incident1_app() {
  mkdir -p "$1/sdk/prompts"
  cat > "$1/sdk/__init__.py" <<'PY'
import os, jinja2
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "prompts", ".jinja_cache")

class CountingCache(jinja2.FileSystemBytecodeCache):
    """Says on stdout whether a template came from the bytecode cache."""
    def load_bytecode(self, bucket):
        super().load_bytecode(bucket)
        print("cache-hit" if bucket.code is not None else "cache-miss", flush=True)

def render(name, **kw):
    os.makedirs(CACHE, exist_ok=True)   # what the real SDK did: Errno 13 (30 read-only) here
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(HERE, "prompts")),
                             bytecode_cache=CountingCache(CACHE))
    return env.get_template(name).render(**kw)
PY
  echo 'Hello {{ who }} from worker {{ n }}' > "$1/sdk/prompts/greet.j2"
  cat > "$1/main.py" <<'PY'
import os, sys
import sdk
pids = []
for n in range(4):
    pid = os.fork()
    if pid == 0:
        try:
            print(sdk.render("greet.j2", who="user", n=n), flush=True)
            os._exit(0)
        except Exception as e:
            print("worker", n, "failed:", e, file=sys.stderr, flush=True)
            os._exit(1)
    pids.append(pid)
sys.exit(max(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids))
PY
}

# musl_missing: why a test has no musl preload or helpers (for its skip line).
musl_missing() {
  if [ "${RWSHIM_SANITIZED:-0}" = 1 ]; then echo "the sanitized build has no musl preload (ASan's runtime is glibc's)"
  else echo "musl-gcc not installed"; fi
}
