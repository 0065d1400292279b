# Incident 1: an SDK installed by root keeps a Jinja2 FileSystemBytecodeCache inside its package
# dir; the app runs as a non-root user with 4 forked workers. Natively: PermissionError.
# Under rwshim run: all workers render, a second run reuses the cache, the package is untouched.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd python3 setpriv
$PY -c 'import jinja2' 2>/dev/null || skip "python3-jinja2 not installed"

site="$T/site"
incident1_app "$site" && mv "$site/main.py" "$T/app.py"
root_tree "$T/site"; chmod 644 "$T/app.py"
before=$(tree_digest "$site")
USER_ENV=(PYTHONPATH="$site" PYTHONDONTWRITEBYTECODE=1)

out=$(as_user_native python3 "$T/app.py" 2>&1); st=$?
[ $st -ne 0 ] || fail "native run should fail as non-root"
assert_contains "$out" "Permission denied" "native failure"
note "native: $(grep -m1 -o 'PermissionError.*\|Permission denied.*' <<<"$out")"

up="$T/upper"; mkdir -p "$up"; chown "$TEST_UID:$TEST_UID" "$up"
out=$(as_user "$RW" run --upper "$up/u" -- python3 "$T/app.py" 2>&1) || fail "rwshim run failed: $out"
for n in 0 1 2 3; do assert_contains "$out" "Hello user from worker $n"; done
cache_dir="$up/u/fs$site/sdk/prompts/.jinja_cache"
ls "$cache_dir"/__jinja2_*.cache >/dev/null 2>&1 || fail "no bytecode cache in the upper: $(find "$up/u" | head)"
stamp1=$(stat -c '%i %Y' "$cache_dir"/*.cache | sort | head -1)

out2=$(as_user "$RW" run --upper "$up/u" -- python3 "$T/app.py" 2>&1) || fail "second run failed: $out2"
[ "$(grep -c cache-hit <<<"$out2")" = 4 ] || fail "second run did not reuse the cache in every worker: $out2"
assert_not_contains "$out2" "cache-miss"
stamp2=$(stat -c '%i %Y' "$cache_dir"/*.cache | sort | head -1)
assert_eq "$stamp2" "$stamp1" "cache file rewritten on the second run"

assert_eq "$(tree_digest "$site")" "$before" "package dir changed"
diff_out=$(as_user "$RW" diff --upper "$up/u")
assert_contains "$diff_out" "A $site/sdk/prompts/.jinja_cache"
echo ok
