# PostgreSQL as an arbitrary uid: initdb refuses to start without a passwd entry ("could not
# look up effective user ID"). Under `run` the entrypoint appends one; initdb then creates its
# cluster in a root-owned dir (in the upper), the server starts with its Unix socket in another
# root-owned dir (bound in the upper), and psql runs a query over that socket.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || skip "postgresql server not installed"
runs_under_asan "$PGBIN/initdb" --version || skip "initdb cannot run with the ASan runtime"
mkdir -p "$T/srv" "$T/run/postgresql" && root_tree "$T/srv" && root_tree "$T/run"
sock="$T/run/postgresql"; logs="$T/logs"; user_dir "$logs"
before=$(tree_digest "$T/srv")

out=$(as_user_native "$PGBIN/initdb" -A trust -D "$T/srv/data" 2>&1) && fail "native initdb should fail"
assert_contains "$out" "could not look up effective user ID $TEST_UID"
out=$(as_user_native sh -c "echo 'pg:x:$TEST_UID:0::/tmp:/bin/sh' >> /etc/passwd" 2>&1) && fail "native append should fail"

up="$T/up"; user_dir "$up"
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "
  echo 'pg:x:$TEST_UID:0::/tmp:/bin/sh' >> /etc/passwd &&
  '$PGBIN/initdb' -A trust -D '$T/srv/data' >'$logs/initdb.log' 2>&1 &&
  '$PGBIN/pg_ctl' -D '$T/srv/data' -o '-k $sock -c listen_addresses=' -l '$logs/server.log' -w start >/dev/null &&
  '$PGBIN/psql' -h '$sock' -d postgres -Atc 'select current_user, 6 * 7'
  st=\$?
  '$PGBIN/pg_ctl' -D '$T/srv/data' -m fast -w stop >/dev/null
  exit \$st" 2>&1) || fail "postgres under run: $out $(tail -n 5 "$logs/initdb.log" "$logs/server.log" 2>/dev/null)"
assert_eq "$out" "pg|42"
[ -f "$up/u/fs$T/srv/data/PG_VERSION" ] || fail "the cluster is not in the upper"
assert_eq "$(tree_digest "$T/srv")" "$before" "the root-owned dir changed"
[ -e "$sock/.s.PGSQL.5432" ] && fail "the socket was bound in the real root-owned dir"
echo ok
