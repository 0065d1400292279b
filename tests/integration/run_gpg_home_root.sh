# gpg as a uid with no passwd entry and HOME=/: gpg creates //.gnupg and gpg-agent binds its
# sockets there (//.gnupg/S.gpg-agent). Natively refused; under rwshim the key is generated,
# and a second run with the same upper (a fresh agent binding over the old sockets' names)
# signs with it and verifies the signature.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd gpg gpgconf gpg-agent setpriv
USER_HOME=/
up="$T/up"; user_dir "$up"; out_dir="$T/out"; user_dir "$out_dir"
echo "signed text" > "$T/msg" && chmod a+r "$T/msg"
gen=(gpg --batch --passphrase '' --quick-gen-key 'Rw Shim <rw@example.invalid>' default default never)
out=$(as_user_native "${gen[@]}" 2>&1) && fail "native gpg key generation should fail"
assert_contains "$out" "Permission denied"
stop_agent() { as_user "$RW" run --upper "$up/u" -- gpgconf --kill gpg-agent >/dev/null 2>&1; }
trap 'stop_agent; cleanup_test' EXIT

out=$(as_user "$RW" run --upper "$up/u" -- "${gen[@]}" 2>&1) || fail "gpg key generation under rwshim failed: $out"
assert_not_contains "$out" "error binding socket"
[ -S "$up/u/fs/.gnupg/S.gpg-agent" ] || fail "gpg-agent's socket is not in the upper"
stop_agent
[ -e /.gnupg ] && fail "/.gnupg created on the real filesystem"

out=$(as_user "$RW" run --upper "$up/u" -- sh -c "
gpg --batch --pinentry-mode loopback --passphrase '' -o '$out_dir/msg.sig' --detach-sign '$T/msg' &&
gpg --batch --verify '$out_dir/msg.sig' '$T/msg'" 2>&1) || fail "signing in a second run failed: $out"
assert_contains "$out" 'Good signature from "Rw Shim <rw@example.invalid>"'
out=$(as_user "$RW" run --upper "$up/u" -- gpg --batch --list-secret-keys 2>&1)
assert_contains "$out" "rw@example.invalid"
echo ok
