# `run --passwd` for a uid with no passwd entry and HOME=/: natively whoami, ssh-keygen, git
# commit and initdb all refuse for lack of a user. Under --passwd the run sees an entry (name,
# gid, a home that exists and is writable through the upper); the image is unchanged, a
# persistent upper keeps the one entry, and doctor recommends the option.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv whoami git ssh-keygen
before=$(sha256sum /etc/passwd /etc/group)
USER_HOME=/
mkdir -p "$T/repo" && chown "$TEST_UID:$TEST_UID" "$T/repo"
commit="cd '$T/repo' && git init -q && echo x > f && git add f && git -c user.email=a@b.c commit -qm first && git log --format='%an <%ae> %s'"

out=$(as_user_native whoami 2>&1) && fail "native whoami should fail"
assert_contains "$out" "cannot find name for user ID $TEST_UID"
out=$(as_user_native sh -c 'printf "\n" | ssh-keygen -q -t ed25519 -N ""' 2>&1) && fail "native ssh-keygen should fail"
assert_contains "$out" "No user exists for uid $TEST_UID"
out=$(as_user_native sh -c "$commit" 2>&1) && fail "native git commit should fail"
assert_contains "$out" "unable to auto-detect name"
rm -rf "$T/repo/.git"
out=$(USER_HOME=/ as_user "$RW" doctor 2>&1)
assert_contains "$out" "rwshim run --passwd"

up="$T/up"; user_dir "$up"
P() { as_user "$RW" run --upper "$up/u" --passwd -- "$@"; }
out=$(as_user "$RW" run --upper "$up/u" --passwd -v -- sh -c 'whoami; echo "$HOME $USER"; test -d "$HOME" && test -w "$HOME" && echo home-ok' 2>&1) ||
  fail "whoami under --passwd: $out"
assert_contains "$out" "uid $TEST_UID had no passwd entry; the run sees user:x:$TEST_UID:$TEST_UID:user:/home/user:/bin/sh"
assert_contains "$out" "$(printf 'user\n/home/user user\nhome-ok')"
assert_eq "$(P id)" "uid=$TEST_UID(user) gid=$TEST_UID(user) groups=$TEST_UID(user)"
out=$(P sh -c 'printf "\n" | ssh-keygen -q -t ed25519 -N "" && ls ~/.ssh' 2>&1) || fail "ssh-keygen under --passwd: $out"
assert_contains "$out" "id_ed25519.pub"
[ -f "$up/u/fs/home/user/.ssh/id_ed25519" ] || fail "the key is not in the upper's home"
out=$(P sh -c "$commit" 2>&1) || fail "git commit under --passwd: $out"
assert_eq "$out" "user <a@b.c> first"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -x "$PGBIN/initdb" ] && runs_under_asan "$PGBIN/initdb" --version; then
  mkdir -p "$T/srv" && root_tree "$T/srv"
  out=$(P "$PGBIN/initdb" -A trust -D "$T/srv/data" 2>&1) || fail "initdb under --passwd: $out"
  assert_contains "$out" 'The files belonging to this database system will be owned by user "user"'
else
  note "postgresql not installed: skipped initdb"
fi
# A $USER the caller set names the entry; an existing HOME is kept. A persistent upper keeps
# the first entry: no second line, however the later run is started.
out=$(as_user env USER=ignored HOME=/tmp "$RW" run --upper "$up/u" --passwd -- sh -c 'whoami; echo $HOME')
assert_eq "$out" "$(printf 'user\n/tmp')"
assert_eq "$(grep -c ":$TEST_UID:" "$up/u/fs/etc/passwd")" "1"
up2="$T/up2"; user_dir "$up2"
assert_eq "$(as_user env USER=alice HOME=/srv/alice "$RW" run --upper "$up2/u" --passwd -- sh -c 'whoami; echo $HOME; test -d $HOME && echo exists')" \
  "$(printf 'alice\n/srv/alice\nexists')"
# Without --passwd nothing is added; root already has an entry, so --passwd adds nothing.
up3="$T/up3"; user_dir "$up3"
out=$(as_user "$RW" run --upper "$up3/u" -- whoami 2>&1) && fail "whoami without --passwd should still fail"
"$RW" run --memory --passwd -- true || fail "--passwd as root failed"
assert_eq "$(sha256sum /etc/passwd /etc/group)" "$before" "the image's files changed"
echo ok
