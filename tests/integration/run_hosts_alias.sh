# An entrypoint that adds a service alias to /etc/hosts: natively refused; under `run` the line
# lands in the upper and getent, Python (getaddrinfo, gethostbyname_ex, gethostbyaddr), curl
# and static musl and pure-Go programs resolve the alias. Names the file does not list still
# go to libc.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv getent python3 curl
before=$(sha256sum /etc/hosts)
add="echo '127.0.0.1 rwsvc rwsvc.internal' >> /etc/hosts && echo '::1 rwsvc6' >> /etc/hosts && echo '10.77.0.9 rwrev.internal' >> /etc/hosts"
out=$(as_user_native sh -c "$add" 2>&1) && fail "native append to /etc/hosts should be refused"
as_user_native getent hosts rwsvc && fail "rwsvc resolves natively"
as_user_native getent hosts 10.77.0.9 && fail "10.77.0.9 has a name natively"

# A tiny HTTP server on loopback; its port is written once it listens.
"$PY" - "$T/port" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"hello from " + self.headers["Host"].encode())
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_port)); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null; cleanup_test' EXIT
while [ ! -s "$T/port" ]; do kill -0 $server 2>/dev/null || fail "http server died"; sleep 0.1; done
port=$(cat "$T/port")

up="$T/up"; user_dir "$up"
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
R sh -c "$add" || fail "append under run failed"
assert_eq "$(sha256sum /etc/hosts)" "$before" "the image's /etc/hosts changed"
assert_eq "$(R getent hosts rwsvc.internal)" "127.0.0.1       rwsvc rwsvc.internal"
assert_eq "$(R getent hosts rwsvc6)" "::1             rwsvc6"
assert_contains "$(R getent ahostsv4 rwsvc)" "127.0.0.1       STREAM rwsvc"
out=$(R "$PY" -c "
import socket
print(socket.gethostbyname('rwsvc'), socket.gethostbyname_ex('RWSVC.internal'),
      sorted({a[4][0] for a in socket.getaddrinfo('rwsvc6', 80)}),
      socket.getaddrinfo('rwsvc', 'http', socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0][3],
      socket.gethostbyaddr('127.0.0.1')[0], socket.gethostbyname('localhost'))") || fail "python: $out"
assert_eq "$out" "127.0.0.1 ('rwsvc', ['rwsvc.internal'], ['127.0.0.1']) ['::1'] rwsvc localhost 127.0.0.1"
if runs_under_asan curl --version; then
  out=$(R "$PY" -c "
import socket
print(socket.gethostbyaddr('10.77.0.9')[0], socket.getnameinfo(('10.77.0.9', 80), socket.NI_NAMEREQD),
      socket.getnameinfo(('10.77.0.9', 80), socket.NI_NOFQDN)[0])") || fail "python reverse: $out"
assert_eq "$out" "rwrev.internal ('rwrev.internal', 'http') rwrev"
assert_eq "$(R getent hosts 10.77.0.9)" "10.77.0.9       rwrev.internal"
out=$(R curl -sS --noproxy '*' "http://rwsvc.internal:$port/") || fail "curl: $out"
  assert_eq "$out" "hello from rwsvc.internal:$port"
fi
out=$(R getent hosts no-such-host.invalid) && fail "an unknown name resolved: $out"
if musl_probe; then
  for probe in $(musl_probes); do
    assert_contains "$(R "$probe" rwsvc)" "host 127.0.0.1"
  done
else
  note "no musl-gcc: skipped the musl program"
fi
if go_probe; then
  assert_contains "$(R env GODEBUG=netdns=go "$T/go/probe" rwsvc.internal)" "host [127.0.0.1] <nil>"
else
  note "no go: skipped the pure-Go program"
fi
echo ok
