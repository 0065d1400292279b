#!/usr/bin/env bash
# A musl-linked program (tests/helpers/musl_state.c, built with musl-gcc) keeping its state in a
# root-owned dir through fopen, rename, opendir/readdir, stat, mkstemp, symlink and realpath:
# under `run` as CMD, started from a glibc shell, itself starting glibc programs (posix_spawn,
# fork+execvp, system, and with a cleared environment); the musl preload (librwshim-musl.so)
# serves it, the glibc one its glibc children, and all of them share one merged view.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
[ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "sanitized run: musl programs cannot load the ASan runtime (glibc's), and the musl preload is not sanitized"
MS=$T/helpers/musl_state
[ -x "$MS" ] || skip "$(musl_missing): no musl test helpers"
[ -f "$T/lib/rwshim/librwshim-musl.so" ] || skip "$(musl_missing): no librwshim-musl.so"
export RWSHIM_UPPER=$T/upper
user_dir "$RWSHIM_UPPER"; chmod 0700 "$RWSHIM_UPPER"
USER_ENV=(RWSHIM_UPPER="$RWSHIM_UPPER")
mkdir -p "$T/app"; echo keep > "$T/app/README"; root_tree "$T/app"
before=$(tree_digest "$T/app")

note "native: the musl program cannot keep state in the root-owned dir"
out=$(as_user_native "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 1 "native status ($out)"
assert_contains "$out" "mkdir: $T/app/data: Permission denied"

note "run: as CMD, twice; the second run reads the state back from the upper"
out=$(as_user "$RW" run -- "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 0 "first run ($out)"
assert_contains "$out" "count=1"
assert_contains "$out" "entries=current state"
assert_contains "$out" "realpath=$T/app/data/state"   # the virtual path, never the upper's
out=$(as_user "$RW" run -- "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 0 "second run ($out)"
assert_contains "$out" "count=2"
assert_eq "$(cat "$RWSHIM_UPPER/fs$T/app/data/state")" 2 "state in the upper"
assert_eq "$(tree_digest "$T/app")" "$before" "the root-owned dir changed"

note "run -v: the musl program's redirected calls are reported"
out=$(as_user "$RW" run -v -- "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 0 "run -v ($out)"
assert_contains "$out" "redirected unlink $T/app/data/gone"

note "run: started from a glibc shell"
out=$(as_user "$RW" run -- /bin/sh -c "\"$MS\" \"$T/app\"" 2>&1); st=$?
assert_eq "$st" 0 "from sh ($out)"
assert_contains "$out" "count=4"

# Each way of starting the glibc child: it reads the state the musl program wrote and writes
# beside it; the next musl run lists what it wrote.
n=4
for how in spawn exec system; do
  n=$((n + 1))
  script="cat $T/app/data/state; echo $how > $T/app/data/by-$how"
  if [ $how = system ]; then args=("$script"); else args=(/bin/sh -c "$script"); fi
  out=$(as_user "$RW" run -- "$MS" "$T/app" "$how" "${args[@]}" 2>&1); st=$?
  assert_eq "$st" 0 "musl -> glibc by $how ($out)"
  assert_eq "$(tail -n 1 <<<"$out")" "$n" "the glibc child read the musl program's state ($how)"
  assert_eq "$(cat "$RWSHIM_UPPER/fs$T/app/data/by-$how")" "$how" "the glibc child's write ($how)"
done

note "run: a glibc child started with a cleared environment is still served"
out=$(as_user "$RW" run -- "$MS" "$T/app" exec /usr/bin/env -i /bin/sh -c "echo cleared > $T/app/data/by-env-i" 2>&1); st=$?
assert_eq "$st" 0 "env -i child ($out)"
assert_eq "$(cat "$RWSHIM_UPPER/fs$T/app/data/by-env-i")" cleared "the cleared-env child's write"

note "run: cleared environments, musl -> musl (execve with envp {NULL}) and glibc -> musl (env -i)"
out=$(as_user "$RW" run -- "$MS" "$T/app" clean "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 0 "musl -> musl, empty env ($out)"
assert_contains "$out" "count=10"
out=$(as_user "$RW" run -- /usr/bin/env -i "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 0 "glibc -> musl, env -i ($out)"
assert_contains "$out" "count=11"
n=$((n + 3))

note "run: glibc -> musl -> glibc -> musl, one merged view"
out=$(as_user "$RW" run -- /bin/sh -c "\"$MS\" \"$T/app\" exec /bin/sh -c '\"$MS\" \"$T/app\"'" 2>&1); st=$?
assert_eq "$st" 0 "nested ($out)"
assert_contains "$out" "entries=by-env-i by-exec by-spawn by-system current state"
assert_contains "$out" "count=$((n + 3))"
assert_eq "$(tree_digest "$T/app")" "$before" "the root-owned dir changed"
echo ok
