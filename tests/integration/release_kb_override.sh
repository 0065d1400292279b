#!/usr/bin/env bash
# The knowledge base is built into rwshim; share/rwshim/kb/ beside the install adds local tools.
# An in-house tool's refused write is attributed through such a file (natively it just fails);
# an unreadable or malformed override is one line naming the file and exit 125, before the
# command runs, for trace, check and doctor alike.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
kb=$T/share/rwshim/kb
mkdir -p "$T/opt/inhouse" "$kb"; root_tree "$T/opt"
user_dir "$T/home"
cat > "$kb/inhouse.json" <<'JSON'
{"tool": "inhouse", "ecosystem": "system", "on_failure": "crash",
 "fix": "set INHOUSE_STATE to a writable directory", "source": "https://wiki.example.org/inhouse",
 "paths": [{"template": "TEMPLATE", "purpose": "state", "env": "INHOUSE_STATE"}]}
JSON
sed -i "s|TEMPLATE|$T/opt/inhouse|" "$kb/inhouse.json"
chmod -R a+rX "$T/share"

note "native: the tool cannot write its state"
out=$(as_user_native sh -c "echo 1 > $T/opt/inhouse/state" 2>&1) && fail "native write should fail"
assert_contains "$out" "Permission denied"

note "RWSHIM_DATA, when set, must hold kb/"
out=$(RWSHIM_DATA= as_user env RWSHIM_DATA=/nonexistent "$RW" trace -- true 2>&1); st=$?
assert_eq "$st" 125 "RWSHIM_DATA without kb/"
assert_contains "$out" "/nonexistent/kb"

note "with it, trace names the in-house tool and its fix, and the built-in tools still count"
out=$(USER_HOME=$T/opt as_user "$RW" trace -- sh -c "echo 1 > $T/opt/inhouse/state; echo 2 > $T/opt/.sqlite_history" 2>&1)
assert_contains "$out" "inhouse"
assert_contains "$out" "INHOUSE_STATE"
assert_contains "$out" "sqlite3-cli"
out=$(as_user "$RW" doctor 2>&1) || fail "doctor with the override failed: $out"

expect_125() { # what, file, expected text; runs trace, check and doctor
  local what=$1 file=$2 text=$3 out st cmd
  for cmd in "trace -- touch $T/home/ran" "check -- touch $T/home/ran" "doctor"; do
    # shellcheck disable=SC2086
    out=$(as_user "$RW" $cmd 2>&1 >/dev/null); st=$?
    assert_eq "$st" 125 "$what ($cmd): status"
    assert_eq "$(grep -vc '^hint:' <<<"$out")" 1 "$what ($cmd): one line ($out)"
    assert_contains "$out" "rwshim: "
    assert_contains "$out" "$file"
    assert_contains "$out" "$text"
    [ ! -e "$T/home/ran" ] || fail "$what ($cmd): the command ran despite the broken override"
  done
}
note "a malformed override"
echo '{"tool": "broken",' > "$kb/broken.json"; chmod 644 "$kb/broken.json"
expect_125 "malformed" "$kb/broken.json" "parse knowledge base"
note "an entry missing required fields"
echo '{"tool": "broken"}' > "$kb/broken.json"
expect_125 "incomplete" "$kb/broken.json" "invalid knowledge-base entry"
note "an unreadable override file"
chmod 600 "$kb/broken.json"
expect_125 "unreadable" "$kb/broken.json" "Permission denied"
rm "$kb/broken.json"
note "an unreadable override directory"
chmod 700 "$kb"
expect_125 "unreadable dir" "$kb" "Permission denied"
echo ok
