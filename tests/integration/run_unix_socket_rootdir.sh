# A Unix-socket service binding in a root-owned run dir (gunicorn behind nginx, a database's
# socket dir): natively bind is refused. Under rwshim the socket lives in the upper, stat says
# it is a socket, a client in another process (and in a later run with the same upper) connects
# by the path the server asked for, and every name either end reports is that path — also for a
# path close to sun_path's 108 bytes, whose upper path cannot fit there. Datagram sockets
# (sendto, sendmsg, recvfrom) too.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/srv/run" && root_tree "$T/srv"
up="$T/up"; user_dir "$up"; sync="$T/sync"; user_dir "$sync"
long="$T/srv/run/$(printf 'd%.0s' $(seq 40))"
mkdir -p "$long" && root_tree "$T/srv"
cat > "$T/server.py" <<'PY'
import os, socket, stat, subprocess, sys
path, client, ready = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
assert stat.S_ISSOCK(os.lstat(path).st_mode), oct(os.lstat(path).st_mode)
assert os.path.basename(path) in os.listdir(os.path.dirname(path))
if ready:        # the client is started by the test, in another run
    open(ready[0], "w").write("ready\n")
    proc = None
else:
    proc = subprocess.Popen([sys.executable, client, path])
c, peer = s.accept()
c.sendall(c.recv(64) + b" back")
print("conn-name", c.getsockname())
c.close()
print("server-name", s.getsockname())
if proc:
    sys.exit(proc.wait())
PY
cat > "$T/client.py" <<'PY'
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
print("client-peer", c.getpeername(), flush=True)
c.sendall(b"hello")
print("client-got", c.recv(64).decode(), flush=True)
PY
chmod a+r "$T"/*.py

sock="$T/srv/run/app.sock"
out=$(as_user_native $PY "$T/server.py" "$sock" "$T/client.py" 2>&1) && fail "native bind in a root-owned dir should fail"
assert_contains "$out" "PermissionError"

# 1. server and client (its child) in one run
out=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/server.py" "$sock" "$T/client.py" 2>&1) || fail "socket server under rwshim failed: $out"
assert_contains "$out" "client-peer $sock"
assert_contains "$out" "client-got hello back"
assert_contains "$out" "server-name $sock"
assert_contains "$out" "conn-name $sock"
assert_not_contains "$out" "$up/u/fs" "an upper path leaked into a reported name"
[ -S "$up/u/fs$sock" ] || fail "the socket is not in the upper"
[ -e "$sock" ] && fail "socket created in the real root-owned dir"

# 2. a server in one run, a client in another run with the same upper
rm -f "$sync/ready"
sock2="$T/srv/run/svc.sock"
as_user "$RW" run --upper "$up/u" -- $PY "$T/server.py" "$sock2" "$T/client.py" "$sync/ready" > "$T/server.out" 2>&1 &
server=$!
for _ in $(seq 600); do [ -s "$sync/ready" ] && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
[ -s "$sync/ready" ] || fail "the server did not start: $(cat "$T/server.out")"
out=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/client.py" "$sock2" 2>&1) || fail "client in a second run failed: $out"
assert_contains "$out" "client-peer $sock2"
assert_contains "$out" "client-got hello back"
wait "$server" || fail "server failed: $(cat "$T/server.out")"
assert_contains "$(cat "$T/server.out")" "server-name $sock2"

# 3. a path close to 108 bytes: UPPER/fs/<path> does not fit sun_path
sock3="$long/$(printf 's%.0s' $(seq $((103 - ${#long} - 1))))"
[ ${#sock3} -ge 100 ] && [ ${#sock3} -lt 108 ] || fail "test setup: path length ${#sock3}"
[ $(( ${#up} + 5 + ${#sock3} )) -ge 108 ] || fail "test setup: the upper path would fit"
out=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/server.py" "$sock3" "$T/client.py" 2>&1) || fail "long socket path under rwshim failed: $out"
assert_contains "$out" "client-peer $sock3"
assert_contains "$out" "client-got hello back"
assert_contains "$out" "server-name $sock3"
assert_contains "$out" "conn-name $sock3"
assert_not_contains "$out" "/proc/self/fd" "the /proc path used to bind leaked into a reported name"
[ -S "$up/u/fs$sock3" ] || fail "the long-named socket is not in the upper"

# 4. datagrams: both ends bound in the root-owned dir, sendto/sendmsg by path, recvfrom names
cat > "$T/dgram.py" <<'PY'
import os, socket, sys
d = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); srv.bind(d + "/log.sock")
pid = os.fork()
if pid == 0:
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); cli.bind(d + "/cli.sock")
    cli.sendto(b"one", d + "/log.sock")
    cli.sendmsg([b"two"], [], 0, d + "/log.sock")
    data, src = cli.recvfrom(64)
    print("client-got", data.decode(), src, flush=True)
    os._exit(0)
for _ in range(2):
    data, src = srv.recvfrom(64)
    print("server-got", data.decode(), "from", src, flush=True)
srv.sendto(b"ack", src)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
PY
chmod a+r "$T/dgram.py"
out=$(as_user_native $PY "$T/dgram.py" "$T/srv/run" 2>&1) && fail "native datagram bind should fail"
out=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/dgram.py" "$T/srv/run" 2>&1) || fail "datagram sockets under rwshim failed: $out"
assert_contains "$out" "server-got one from $T/srv/run/cli.sock"
assert_contains "$out" "server-got two from $T/srv/run/cli.sock"
assert_contains "$out" "client-got ack $T/srv/run/log.sock"

# 5. a name the merged view already has: EADDRINUSE, as natively
out=$(as_user "$RW" run --upper "$up/u" -- $PY -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
try: s.bind(sys.argv[1])
except OSError as e: print('errno', e.errno)" "$sock" 2>&1)
assert_contains "$out" "errno 98"

# 6. a relative name in a root-owned cwd: getsockname says it as given (as natively); a server
# restart unlinks and binds the name again.
out=$(as_user "$RW" run --upper "$up/u" -- $PY -c "
import os, socket, sys
os.chdir(sys.argv[1])
s = socket.socket(socket.AF_UNIX); s.bind('rel.sock'); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect('rel.sock')
print('name', s.getsockname(), 'accepted', s.accept()[0].getsockname())
s.close(); os.unlink('rel.sock'); print('gone', os.path.exists('rel.sock'))
s = socket.socket(socket.AF_UNIX); s.bind('rel.sock'); print('again', s.getsockname())" "$T/srv/run" 2>&1) || fail "relative socket name failed: $out"
assert_contains "$out" "name rel.sock accepted rel.sock"
assert_contains "$out" "gone False"
assert_contains "$out" "again rel.sock"

# 7. a stale socket the image left (root's): bind says EADDRINUSE as natively; the service
# unlinks it (a whiteout) and binds again in the upper; the lower one is untouched.
$PY -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$T/srv/run/stale.sock"
out=$(as_user "$RW" run --upper "$up/u" -- $PY -c "
import os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
try: s.bind(p)
except OSError as e: print('first bind errno', e.errno)
os.unlink(p); s.bind(p); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect(p); print('peer', c.getpeername())" "$T/srv/run/stale.sock" 2>&1) || fail "rebinding over a stale socket failed: $out"
assert_contains "$out" "first bind errno 98"
assert_contains "$out" "peer $T/srv/run/stale.sock"
[ "$(stat -c %U "$T/srv/run/stale.sock")" = root ] || fail "the lower stale socket was changed"
echo ok
