# Bad input: one line on stderr, exit 125, nothing written.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
user_dir "$T/home"
check125() { # description, then the command
  local what=$1; shift
  local out st
  out=$("$@" 2>&1 >/dev/null); st=$?
  [ "$st" = 125 ] || fail "$what: exit $st, want 125 ($out)"
  [ "$(grep -vc '^hint:' <<<"$out")" = 1 ] || fail "$what: want one error line, got: $out"
  case "$out" in rwshim*) ;; *) fail "$what: error does not start with rwshim: $out";; esac
}
check125 "unknown option" as_user "$RW" run --frobnicate -- true
check125 "no command" as_user "$RW" run --upper "$T/home/u"
check125 "unknown subcommand" as_user "$RW" frob
[ -e "$T/home/u" ] && fail "an upper was created for a run that had no command"
mkdir -p "$T/rootonly"; root_tree "$T/rootonly"
check125 "upper not writable" as_user "$RW" run --upper "$T/rootonly/up" -- true
[ -e "$T/rootonly/up" ] && fail "something was written in the unwritable dir"
as_user touch "$T/home/file"
check125 "upper is a file" as_user "$RW" run --upper "$T/home/file" -- true
mkdir -p "$T/home/notmine"; echo data > "$T/home/notmine/x"; chown -R "$TEST_UID" "$T/home/notmine"
check125 "upper is a non-empty foreign dir" as_user "$RW" run --upper "$T/home/notmine" -- true
[ "$(ls -A "$T/home/notmine")" = x ] || fail "a foreign dir was written to"
as_user "$RW" run --upper "$T/home/newer" -- true || fail "making an upper failed"
echo 99 > "$T/home/newer/.rwshim/version"
check125 "newer format version" as_user "$RW" run --upper "$T/home/newer" -- true
check125 "upper inside a redirected tree" as_user "$RW" run --only "$T/home" --upper "$T/home/inside" -- true
[ -e "$T/home/inside" ] && fail "upper inside --only was created"
check125 "relative --only" as_user "$RW" run --only relative/path -- true
check125 "--upper with --memory" as_user "$RW" run --memory --upper "$T/home/x" -- true
# exec failures are 126/127, the command's status passes through, signals give 128+N
as_user "$RW" run --memory -- /nonexistent/cmd 2>/dev/null; assert_eq "$?" 127 "command not found"
as_user "$RW" run --memory -- "$T/home/file" 2>/dev/null; assert_eq "$?" 126 "not executable"
as_user "$RW" run --memory -- sh -c 'exit 7'; assert_eq "$?" 7 "exit status"
as_user "$RW" run --memory -- sh -c 'kill -TERM $$'; assert_eq "$?" 143 "signal status"
"$RW" --help | grep -q "Exit status" || fail "--help lacks exit codes"
"$RW" help run | grep -q -- "--memory" || fail "help run"
echo ok
