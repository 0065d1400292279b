# The upper directory fd cache (core/vfs_dircache.c): every answer it gives must be the one
# the kernel gives natively on a writable copy of the same tree. Covers a directory renamed,
# removed and re-made by another process of the run after this one cached it, fork, exec,
# threads, a symlink put where a cached directory was, and ENOENT/ENOTDIR/ELOOP.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
$PY -c 'print(1)' >/dev/null || skip "no python3"
mkdir -p "$T/ro" "$T/outside" "$T/rw"; echo low > "$T/ro/lowf"; echo low > "$T/rw/lowf"
root_tree "$T/ro"; root_tree "$T/outside"; chown -R "$TEST_UID:$TEST_UID" "$T/rw"
user_dir "$T/up"; chmod 0700 "$T/up"
cat > "$T/cache.py" <<'PY'
import errno, os, subprocess, sys, threading
base, outside = sys.argv[1:3]
def P(*parts): return os.path.join(base, *parts)
def attempt(name, fn):
    """One line per step: its result, or the errno name the call raised."""
    try: r = fn()
    except OSError as e: r, name = errno.errorcode[e.errno], name + " err"
    print(name, r)
def touch(p):
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
os.mkdir(P("d")); touch(P("d", "x"))
attempt("stat-x", lambda: os.stat(P("d", "x")).st_size)            # caches d
attempt("lstat-x", lambda: os.lstat(P("d", "x")).st_size)
attempt("access-x", lambda: os.access(P("d", "x"), os.R_OK))
# Another process of the run renames d away and makes a new d.
subprocess.run([sys.executable, "-c", "import os,sys; b=sys.argv[1]; os.rename(b+'/d', b+'/e'); os.mkdir(b+'/d'); open(b+'/d/y','w').close()", base], check=True)
attempt("stat-x-after-rename", lambda: os.stat(P("d", "x")).st_size)
attempt("stat-y", lambda: os.stat(P("d", "y")).st_size)
attempt("stat-e-x", lambda: os.stat(P("e", "x")).st_size)
# ... and removes it and makes it again: a create must land in the new one.
subprocess.run([sys.executable, "-c", "import os,sys; b=sys.argv[1]; os.unlink(b+'/d/y'); os.rmdir(b+'/d'); os.mkdir(b+'/d')", base], check=True)
attempt("create-z", lambda: touch(P("d", "z")))
attempt("list-d", lambda: sorted(os.listdir(P("d"))))
attempt("fresh-process-sees-z", lambda: subprocess.run([sys.executable, "-c", "import os,sys; print(sorted(os.listdir(sys.argv[1])))", P("d")], check=True, capture_output=True, text=True).stdout.strip())
# fork: the child uses the inherited cache; exec: a new one.
pid = os.fork()
if pid == 0:
    try:
        touch(P("d", "child")); os.stat(P("d", "z")); os._exit(0)
    except OSError:
        os._exit(1)
attempt("fork-child", lambda: os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
attempt("stat-child", lambda: os.stat(P("d", "child")).st_size)
attempt("exec", lambda: subprocess.run(["/bin/sh", "-c", 'test -e "$1"/d/child && mkdir "$1"/d/sub && echo fine', "sh", base], capture_output=True, text=True).stdout.strip())
# Threads: each makes and stats its own names in the same cached dirs.
errs = []
def work(t):
    try:
        for i in range(200):
            touch(P("d", "t%d-%d" % (t, i))); os.stat(P("d", "t%d-%d" % (t, i))); os.stat(P("e", "x"))
    except OSError as e:
        errs.append(e)
ths = [threading.Thread(target=work, args=(t,)) for t in range(4)]
[t.start() for t in ths]; [t.join() for t in ths]
attempt("threads", lambda: (len(errs), len([n for n in os.listdir(P("d")) if n.startswith("t")])))
# A symlink where a cached directory was: d moves away, d becomes a link to a root-owned dir.
attempt("stat-sub", lambda: os.stat(P("d", "sub")).st_nlink > 0)   # caches d/sub's parent
os.rename(P("d"), P("d2")); os.symlink(outside, P("d"))
attempt("create-through-link", lambda: touch(P("d", "w")))
attempt("d2-has-no-w", lambda: os.path.exists(P("d2", "w")))
# Errnos the kernel gives.
attempt("enoent", lambda: os.stat(P("d2", "nope")))
attempt("enotdir", lambda: os.stat(P("d2", "z", "x")))
os.symlink("loop2", P("d2", "loop1")); os.symlink("loop1", P("d2", "loop2"))
attempt("eloop", lambda: os.stat(P("d2", "loop1")))
attempt("lstat-loop", lambda: os.path.islink(P("d2", "loop1")))
attempt("open-loop-nofollow", lambda: os.open(P("d2", "loop1"), os.O_RDONLY | os.O_NOFOLLOW))
attempt("excl-existing", lambda: touch(P("d2", "z")))
# Renames of files: within an upper-only dir, onto an upper file, onto a dir, onto and from a
# lower file.
touch(P("d2", "r1")); touch(P("d2", "r2"))
attempt("rename-onto-file", lambda: os.rename(P("d2", "r1"), P("d2", "r2")))
attempt("rename-onto-dir", lambda: os.rename(P("d2", "r2"), P("d2", "sub")))
attempt("rename-onto-lower", lambda: os.rename(P("d2", "r2"), P("lowf")))
attempt("lower-replaced", lambda: os.stat(P("lowf")).st_size)
attempt("rename-from-lower", lambda: os.rename(P("lowf"), P("d2", "back")))
attempt("listing", lambda: (sorted(n for n in os.listdir(P("d2")) if not n.startswith("t")), "lowf" in os.listdir(base)))
attempt("mkdir-existing", lambda: os.mkdir(P("d2", "sub")))
PY
chmod 644 "$T/cache.py"
mkdir -p "$T/rwout"; chown "$TEST_UID:$TEST_UID" "$T/rwout"
native=$(as_user_native $PY "$T/cache.py" "$T/rw" "$T/rwout" 2>&1 | sed "s|$T/rw|BASE|g")
assert_contains "$native" "stat-x-after-rename err ENOENT" "the native run works"
# Natively the user may write rwout; under rwshim "outside" is root-owned, so the create
# through the link is redirected: both succeed, and nothing is written to the real outside.
shimmed=$(as_user "$RW" run --upper "$T/up" -- $PY "$T/cache.py" "$T/ro" "$T/outside" 2>&1 | sed "s|$T/ro|BASE|g")
[ "$shimmed" = "$native" ] || { diff <(echo "$native") <(echo "$shimmed") >&2; fail "merged view differs from native"; }
[ -z "$(ls -A "$T/outside")" ] || fail "a write went to the real directory behind the link"
[ ! -e "$T/up/fs$T/ro/d2/w" ] || fail "the create went into the old cached directory"
echo ok
