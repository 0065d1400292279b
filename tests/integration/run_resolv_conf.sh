# An entrypoint that points the resolver at its own DNS server (/etc/resolv.conf): natively
# refused; under `run` the file lands in the upper and glibc programs (getent, Python, curl's
# resolver) and the pure-Go resolver ask that server, with its search list. Then the
# entrypoint drops DNS from /etc/nsswitch.conf: the same name stops resolving, for glibc
# (sources from the merged file) and Go alike.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv getent python3
dns=127.0.0.77
# A DNS server for the test zone: every A query under rwtest gets 10.9.8.7; it writes its
# log of names asked once it listens.
"$PY" - "$dns" "$T/dns" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
open(sys.argv[2] + ".ready", "w").close()
log = open(sys.argv[2] + ".log", "a", buffering=1)
while True:
    q, peer = s.recvfrom(512)
    tid, flags, qd = struct.unpack(">HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    log.write(name + "\n")
    ok = name.endswith("rwtest")
    answer = b""
    if ok and qtype == 1:
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("10.9.8.7")
    rcode = 0 if ok else 3
    s.sendto(struct.pack(">HHHHHH", tid, 0x8180 | rcode, 1, 1 if answer else 0, 0, 0) + question + answer, peer)
PY
server=$!
trap 'kill $server 2>/dev/null; cleanup_test' EXIT
while [ ! -e "$T/dns.ready" ]; do kill -0 $server 2>/dev/null || skip "cannot bind $dns:53"; sleep 0.1; done

conf="printf 'nameserver $dns\nsearch corp.rwtest\noptions ndots:1 timeout:1 attempts:1\n' > /etc/resolv.conf"
out=$(as_user_native sh -c "$conf" 2>&1) && fail "native write of /etc/resolv.conf should be refused"
assert_contains "$out" "Permission denied"
grep -q "$dns" /etc/resolv.conf && fail "the host already uses $dns"

up="$T/up"; user_dir "$up"
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
R sh -c "$conf" || fail "writing resolv.conf under run failed"
assert_eq "$(R getent ahostsv4 db.svc.rwtest | head -n 1)" "10.9.8.7        STREAM db.svc.rwtest"
assert_eq "$(R getent hosts api)" "10.9.8.7        api.corp.rwtest"   # the search list
assert_eq "$(R "$PY" -c 'import socket; print(socket.gethostbyname("web.rwtest"), socket.getaddrinfo("api", 80, socket.AF_INET)[0][4][0])')" \
  "10.9.8.7 10.9.8.7"
if command -v curl >/dev/null && runs_under_asan curl --version; then
  # Resolved by curl's resolver thread; 10.9.8.7 serves nothing, so only the address it tried counts.
  out=$(R curl -s --noproxy '*' --connect-timeout 1 -o /dev/null -w '%{remote_ip}' http://cdn.rwtest:9/ 2>&1)
  assert_eq "$out" "10.9.8.7" "curl did not resolve cdn.rwtest through our server"
fi
grep -qx "db.svc.rwtest" "$T/dns.log" || fail "our DNS server was not asked: $(cat "$T/dns.log")"
if go_probe; then
  assert_contains "$(R env GODEBUG=netdns=go "$T/go/probe" go.rwtest)" "host [10.9.8.7] <nil>"
else
  note "no go: skipped the pure-Go program"
fi
user_dir "$T/work"
nsswitch="sed 's/^hosts:.*/hosts: files/' /etc/nsswitch.conf > '$T/work/ns' && cat '$T/work/ns' > /etc/nsswitch.conf"
out=$(as_user_native sh -c "$nsswitch" 2>&1) && fail "native write of /etc/nsswitch.conf should be refused"
R sh -c "$nsswitch" || fail "writing nsswitch.conf under run failed"
out=$(R getent hosts db.svc.rwtest) && fail "DNS still asked with 'hosts: files': $out"
assert_eq "$(R getent hosts localhost | head -n 1 | tr -s ' ')" "$(getent hosts localhost | head -n 1 | tr -s ' ')"
if [ -x "$T/go/probe" ]; then
  assert_not_contains "$(R env GODEBUG=netdns=go "$T/go/probe" go2.rwtest)" "10.9.8.7"
fi
echo ok
