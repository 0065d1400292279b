# sqlite3 updating a database in a root-owned directory: the journal cannot be created natively.
# Under rwshim the database is copied up; the original stays byte-identical.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd sqlite3 setpriv
mkdir -p "$T/data"
sqlite3 "$T/data/app.db" 'create table t(x); insert into t values (1);'
root_tree "$T/data"; chmod 644 "$T/data/app.db"
sum=$(sha256sum < "$T/data/app.db")
out=$(as_user_native sqlite3 "$T/data/app.db" 'insert into t values (2);' 2>&1) && fail "native insert should fail"
note "native: $out"
up="$T/up"; user_dir "$up"
as_user "$RW" run --upper "$up/u" -- sqlite3 "$T/data/app.db" 'insert into t values (2); insert into t values (3);' \
  || fail "sqlite3 under rwshim failed"
got=$(as_user "$RW" run --upper "$up/u" -- sqlite3 "$T/data/app.db" 'select group_concat(x) from t;')
assert_eq "$got" "1,2,3"
assert_eq "$(sha256sum < "$T/data/app.db")" "$sum" "original database changed"
assert_eq "$(as_user_native sqlite3 "$T/data/app.db" 'select group_concat(x) from t;')" "1" "native view changed"
echo ok
