# A statically linked program (busybox-static) under `rwshim run`: the supervisor's seccomp
# backend answers its file calls, including a cwd in a directory only the upper holds, exec of a
# program written there, a FIFO and "link/". The same script runs natively on a writable copy
# of the tree and under rwshim on the root-owned tree: every line of output must agree.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
make_tree() { mkdir -p "$1/dir/sub" "$1/empty"; echo lower > "$1/file"; echo x > "$1/dir/sub/f"; echo y > "$1/dir/g"; }
make_tree "$T/ro"; root_tree "$T/ro"
make_tree "$T/rw"; chown -R "$TEST_UID:$TEST_UID" "$T/rw"
cat > "$T/script.sh" <<'SH'
BB=/bin/busybox
cd "$1" || exit 9
t() { name=$1; shift; if out=$("$@" 2>&1); then echo "$name ok $out"; else echo "$name fails"; fi; }
t create    $BB sh -c 'echo new > created && $BB cat created'
t append    $BB sh -c 'echo more >> file && $BB cat file'
t mkdir     $BB mkdir newdir
t nested    $BB sh -c 'echo n > newdir/inner && $BB cat newdir/inner'
t listing   $BB ls -a
t ls-newdir $BB ls -a newdir
t rm        $BB rm dir/sub/f
t ls-sub    $BB ls -a dir/sub
t gone      $BB cat dir/sub/f
t rmdir-ne  $BB rmdir dir
t rmdir     $BB rmdir empty
t mv        $BB mv dir/g moved
t read-mv   $BB cat moved
t ln-s      $BB ln -s moved sl
t readlink  $BB readlink sl
t via-sl    $BB cat sl
t ln        $BB ln moved hard
t nlink     $BB stat -c %h hard
t chmod     $BB chmod 600 moved
t mode      $BB stat -c %a moved
t touch     $BB touch -d '2001-02-03 04:05:06' moved
t mtime     $BB stat -c %Y moved
t truncate  $BB truncate -s 2 moved
t size      $BB stat -c %s moved
t sed-i     $BB sed -i s/new/NEW/ created
t read-sed  $BB cat created
t test-w    $BB sh -c '[ -w file ] && echo writable'
t find      $BB find . -name '*.d*' -o -name inner
t dotdot    $BB sh -c 'echo rel > newdir/rel && $BB cat newdir/../newdir/rel && $BB ls newdir/..'
t cd-lower  $BB sh -c 'cd dir && $BB ls -a && echo in-dir > here && $BB cat ../dir/here'
t tar       $BB sh -c '$BB tar -cf - newdir | (cd dir && $BB tar -xf -) && $BB ls dir/newdir'
t cd-upper  $BB sh -c 'cd newdir && $BB pwd | $BB sed "s|.*/||" && echo in-new > here && $BB cat here && $BB ls && $BB rm here'
t cd-dotdot $BB sh -c 'cd newdir && cd .. && $BB cat file && cd newdir && $BB cat ../moved'
t fifo      $BB sh -c 'cd newdir && $BB mkfifo p && ($BB echo via-fifo > p &) && $BB cat p && $BB rm p'
t fifo-abs  $BB sh -c 'd=$PWD/newdir && cd / && $BB mkfifo $d/q && $BB stat -c %F $d/q && ($BB echo abs-fifo > $d/q &) && $BB cat $d/q && $BB rm $d/q'
t exec-up   $BB sh -c '$BB cp $BB newdir/busybox && ./newdir/busybox echo relative && "$(pwd)/newdir/busybox" echo absolute && cd newdir && ./busybox pwd | $BB sed "s|.*/||" && $BB rm busybox'
t ln-s-dir  $BB ln -s newdir dl
t slash     $BB stat -c %F dl/ dl
t rm-dl     $BB rm dl
t slash-f   $BB stat -c %F moved/
t final     $BB ls -a . dir newdir
SH
chmod 644 "$T/script.sh"
# Natively, on the root-owned tree, the first write already fails.
out=$(as_user_native $BB sh "$T/script.sh" "$T/ro" 2>&1)
assert_contains "$out" "create fails" "native run should be denied"
before=$(tree_digest "$T/ro")
native=$(as_user_native $BB sh "$T/script.sh" "$T/rw" 2>&1)
up="$T/up"; user_dir "$up"
shim=$(as_user "$RW" run --upper "$up/u" -- $BB sh "$T/script.sh" "$T/ro" 2>&1)
if [ "$native" != "$shim" ]; then
  diff <(echo "$native") <(echo "$shim")
  fail "static program under rwshim differs from native"
fi
assert_not_contains "$shim" "statically linked" "no 'not redirected' notice when the backend works"
assert_eq "$(tree_digest "$T/ro")" "$before" "the lower tree was modified"
# The upper persists: a second run, static again, sees the first run's files.
out=$(as_user "$RW" run --upper "$up/u" -- $BB cat "$T/ro/created" "$T/ro/newdir/rel" 2>&1)
assert_eq "$out" "NEW
rel"
# A dynamic program started by the static one (preload inside, calls also notified) sees and
# extends the same merged view.
out=$(as_user "$RW" run --upper "$up/u" -- $BB sh -c \
  "$PY -c 'import os; open(\"$T/ro/fromdyn\", \"w\").write(\"dyn\"); print(sorted(os.listdir(\"$T/ro/newdir\")))' && $BB cat $T/ro/fromdyn" 2>&1)
assert_eq "$out" "['inner', 'rel']
dyn"
# Static programs started by dynamic ones (dash's execve, python's subprocess, env's execvp)
# are handed to the supervisor by the preload just before exec.
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "
  $BB sh -c 'echo s1 > $T/ro/s1' && cat $T/ro/s1
  $PY -c 'import subprocess; subprocess.run([\"$BB\", \"sh\", \"-c\", \"echo s2 > $T/ro/s2\"], check=True)' && cat $T/ro/s2
  PATH=/bin env busybox rm $T/ro/s1 && ls $T/ro | tr '\n' ' '" 2>&1)
assert_eq "$out" "s1
s2
created dir file fromdyn hard moved newdir s2 sl " "static descendants of dynamic programs"
# static -> dynamic -> static: the inner static program is served by the filter it inherits
# (a second listener is refused with EBUSY, which is no error here), and nothing is said.
out=$(as_user "$RW" run --upper "$up/u" -- $BB sh -c \
  "$PY -c 'import subprocess; subprocess.run([\"$BB\", \"sh\", \"-c\", \"echo s3 > $T/ro/s3\"], check=True)' && $BB cat $T/ro/s3" 2>&1)
assert_eq "$out" "s3" "static program started by a dynamic one started by a static one"
# O_TMPFILE + linkat(/proc/self/fd/N) from a static program: in the root-owned dir the file is
# named in the upper; in a writable dir, in the real dir (as natively).
if [ -x "$T/helpers/static_tmpfile" ]; then
  as_user_native "$T/helpers/static_tmpfile" "$T/ro/dir" >/dev/null && fail "native O_TMPFILE in a root-owned dir should fail"
  out=$(as_user "$RW" run --upper "$up/u" -- "$T/helpers/static_tmpfile" "$T/ro/dir" 2>&1)
  assert_eq "$out" "linked: atomic" "O_TMPFILE + linkat in the merged view"
  [ -f "$up/u/fs$T/ro/dir/named" ] || fail "linked file not in the upper"
  mkdir -p "$T/rw/own"; chown "$TEST_UID" "$T/rw/own"
  out=$(as_user "$RW" run --upper "$up/u" -- "$T/helpers/static_tmpfile" "$T/rw/own" 2>&1)
  assert_eq "$out" "linked: atomic" "O_TMPFILE + linkat in a writable dir"
  [ -f "$T/rw/own/named" ] || fail "linked file should be in the real writable dir"
fi
# run -v reports what the supervisor redirected for a static program, and nothing else.
mkdir -p "$T/rw/mine"; chown "$TEST_UID" "$T/rw/mine"
out=$(as_user "$RW" run -v --upper "$up/u" -- $BB sh -c "echo v > $T/ro/verbose; $BB mkdir $T/ro/vdir; echo w > $T/rw/mine/w" 2>&1)
assert_contains "$out" "redirected open $T/ro/verbose"
assert_contains "$out" "redirected mkdir $T/ro/vdir"
assert_not_contains "$out" "$T/rw/mine/w" "a write the kernel allowed is not a redirect"
# A static program that outlives CMD loses its file calls when rwshim exits (a seccomp filter
# cannot be removed): said in one line, never silently.
out=$(as_user "$RW" run --upper "$up/u" -- $BB sh -c "($BB sleep 2 &) ; echo main" 2>&1)
assert_contains "$out" "static programs still running after $BB exited lose their file calls (ENOSYS)"
out=$(as_user "$RW" run --upper "$up/u" -- $BB sh -c "echo main" 2>&1)
assert_eq "$out" "main" "no warning when nothing outlives CMD"
# rwshim diff lists what the static program changed.
out=$(as_user "$RW" diff --upper "$up/u" 2>&1)
assert_contains "$out" "A $T/ro/created"
assert_contains "$out" "D $T/ro/dir/sub/f"
echo ok
