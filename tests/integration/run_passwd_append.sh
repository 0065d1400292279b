# The OpenShift pattern for an arbitrary uid: the entrypoint appends its own line to
# /etc/passwd. Natively the file is root's and the uid has no name; under `run` the append
# lands in the upper, and every lookup (id, getent, whoami, Python pwd/grp, static busybox,
# musl and pure-Go programs) sees the merged copy, in this run and in later ones.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv getent python3
before=$(sha256sum /etc/passwd /etc/group)
entry="app:x:$TEST_UID:0:App:/home/app:/bin/sh"
append="echo '$entry' >> /etc/passwd && echo 'appgrp:x:$TEST_UID:app' >> /etc/group && echo 'extra:x:$((TEST_UID + 1)):app' >> /etc/group"

# Natively: no name, and the entrypoint's append is refused.
out=$(as_user_native sh -c "$append" 2>&1) && fail "native append to /etc/passwd should be refused"
assert_contains "$out" "Permission denied"
as_user_native getent passwd "$TEST_UID" && fail "native getent found uid $TEST_UID"
out=$(as_user_native whoami 2>&1) && fail "native whoami should fail: $out"
assert_contains "$(as_user_native id)" "uid=$TEST_UID gid=$TEST_UID groups=$TEST_UID"

up="$T/up"; user_dir "$up"
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
out=$(R sh -c "$append && grep -c '^app:' /etc/passwd") || fail "append under run: $out"
assert_eq "$out" "1"
assert_eq "$(sha256sum /etc/passwd /etc/group)" "$before" "the image's files changed"

# A later run with the same upper: glibc's lookups answer from the merged copy.
assert_eq "$(R getent passwd "$TEST_UID")" "$entry"
assert_eq "$(R getent passwd app)" "$entry"
assert_contains "$(R getent passwd)" "root:x:0:0"
assert_contains "$(R getent passwd)" "$entry"
assert_eq "$(R whoami)" "app"
assert_eq "$(R id)" "uid=$TEST_UID(app) gid=$TEST_UID(appgrp) groups=$TEST_UID(appgrp)"
assert_eq "$(R id -Gn app)" "root appgrp extra"     # getgrouplist over the merged /etc/group
assert_eq "$(R getent group appgrp)" "appgrp:x:$TEST_UID:app"
out=$(R "$PY" -c "
import pwd, grp, os
p = pwd.getpwuid(os.getuid())
print(p.pw_name, p.pw_dir, pwd.getpwnam('app').pw_uid, grp.getgrgid(os.getgid()).gr_name,
      sorted(os.getgrouplist('app', 0)), any(e.pw_name == 'app' for e in pwd.getpwall()))") || fail "python: $out"
assert_eq "$out" "app /home/app $TEST_UID appgrp [0, $TEST_UID, $((TEST_UID + 1))] True"
# shadow: a file the user cannot read is never copied up, but one written anew is served.
as_user_native getent shadow app && fail "native getent shadow found app"
R sh -c "echo 'app:!:19000:0:99999:7:::' > /etc/shadow" || fail "writing /etc/shadow under run failed"
assert_eq "$(R getent shadow app)" "app:!:19000:0:99999:7:::"
# A name the merged copy lacks still goes to libc (root is in both).
assert_eq "$(R "$PY" -c 'import pwd; print(pwd.getpwnam("root").pw_uid)')" "0"

# Static programs read the files with their own code, through the static backend.
if [ -x /usr/bin/busybox ] && file -L /usr/bin/busybox | grep -q "statically linked"; then
  assert_eq "$(R /usr/bin/busybox whoami)" "app"
  assert_contains "$(R /usr/bin/busybox id)" "uid=$TEST_UID(app)"
else
  note "no static busybox: skipped that part"
fi
if musl_probe; then
  for probe in $(musl_probes); do
    [ "$(as_user_native "$probe" | head -1)" = "user (none) home " ] || fail "native $probe found a name"
    out=$(R "$probe") || fail "$probe: $out"
    assert_contains "$out" "user app home /home/app"
    assert_contains "$out" "group appgrp"
  done
else
  note "no musl-gcc: skipped the musl program"
fi
if go_probe; then
  assert_contains "$(as_user_native "$T/go/probe")" "user error"
  out=$(R env -u USER "$T/go/probe") || fail "go probe: $out"
  assert_contains "$out" "user app home /home/app"
  assert_contains "$out" "group appgrp"
else
  note "no go: skipped the pure-Go program"
fi
echo ok
