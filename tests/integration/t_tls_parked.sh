#!/bin/bash
# A connection to a tls_listen address that arrives while every exchange
# place is taken waits parked, before its handshake; when a place frees,
# its exchange starts with that handshake, and with the PROXY header
# before it (accept_proxy).  The parked connection forgot both: its
# PROXY header went to OpenSSL as a TLS record and the connection was
# reset unread (t_tls_origin's "send_proxy + tls" and "never down" under
# ASan at maxinflight = 1), and a plain one's handshake was left to
# SSL_read, uncounted in /metrics.
#
# One worker, maxinflight = 1: a slow request holds the only place, then
# a second connection comes on each kind of address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
start_origin a
make_ca ca
make_cert ca site www.example.test
PP=$(free_port); PL=$(free_port); ST=$(free_port); S=$(free_port)
{ conf_header; cat <<EOF2
status_listen = "127.0.0.1:$S"
virtual pp {
    tls_listen = "127.0.0.1:$PP"
    tls_certificate = "$T/site.pem"
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    startservers = 1
    maxclients = 1
    maxinflight = 1
    server "127.0.0.1:$PORT_a" { }
}
virtual stall {
    tls_listen = "127.0.0.1:$ST"
    tls_certificate = "$T/site.pem"
    startservers = 1
    maxclients = 1
    maxinflight = 1
    request_timeout = 2
    server "127.0.0.1:$PORT_a" { }
}
virtual plain {
    tls_listen = "127.0.0.1:$PL"
    tls_certificate = "$T/site.pem"
    startservers = 1
    maxclients = 1
    maxinflight = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$PL"
wait_until 10 port_open "$PP"
wait_until 10 port_open "$ST"
wait_until 10 port_open "$S"

# parked PORT PROXY: a slow request on one connection, then a second
# connection while it runs; each sends PROXY v1 first if PROXY is v1
parked() {
	timeout 30 python3 - "$1" "$2" "$T/ca.crt" "$top_srcdir/tests/integration" <<'EOP'
import ssl, sys, threading, time
port, proxy, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, sys.argv[4])
import proxyclient

def ask(src, path, out, i):
    try:
        out[i] = proxyclient.request(port, proxy, src, 4711, path, tls=(
            ca, "www.example.test")).decode("latin-1")
    except (OSError, ssl.SSLError) as e:
        out[i] = "error %r" % e

out = [None, None]
t1 = threading.Thread(target=ask, args=("203.0.113.8", "/slow/1500", out, 0))
t1.start()
time.sleep(0.5)		# the slow one holds the only place
ask("203.0.113.9", "/echo-headers", out, 1)
t1.join(20)
for i, name in enumerate(("slow", "parked")):
    first = (out[i] or "none").split("\r\n", 1)[0]
    xff = [l.strip() for l in (out[i] or "").split("\n")
           if l.lower().startswith("x-forwarded-for:")]
    print("%s %s | %s" % (name, first, xff[0] if xff else "-"))
EOP
}
parked "$PP" v1 > "$T/pp" 2>&1
cat "$T/pp"
check "PROXY + TLS: the slow request answered" grep -q '^slow HTTP/1.1 200' "$T/pp"
check "PROXY + TLS, accepted while full: its PROXY header read, then its handshake, then answered" \
    grep -q '^parked HTTP/1.1 200' "$T/pp"
check "... the origin sees the PROXY header's address" \
    grep -qi '^parked .*X-Forwarded-For: 203.0.113.9' "$T/pp"

parked "$PL" none > "$T/pl" 2>&1
cat "$T/pl"
check "TLS, accepted while full: answered" grep -q '^parked HTTP/1.1 200' "$T/pl"
get "http://127.0.0.1:$S/metrics" > "$T/metrics"
check "/metrics: both handshakes of plain counted ($(grep 'tls_handshakes_total{virtual="plain"}' "$T/metrics"))" \
    grep -qx 'tcpvs_service_tls_handshakes_total{virtual="plain"} 2' "$T/metrics"

# request_timeout over a queue of TLS connections (tls_stall, request_timeout
# = 2): S1 stalls mid-hello with the only place, S2 stalls mid-hello
# queued, G sends a whole ClientHello right behind S2.  The stalled ones
# are closed when their time runs out, queued or not; G waited on this
# side, and gets a whole request_timeout for its handshake once a place
# is free, rather than the milliseconds its own left.
timeout 30 python3 - "$ST" "$T/ca.crt" "$top_srcdir/tests/integration" > "$T/st" 2>&1 <<'EOP'
import socket, ssl, sys, threading, time
port, ca = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, sys.argv[3])
import proxyclient
half = bytes.fromhex("160301020001") + b"\x01" * 40   # half a ClientHello
t0 = time.monotonic()
res = {}

def stalled(name):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(half)
    try:
        gone = s.recv(1) == b""
    except OSError:
        gone = True
    res[name] = "%s %s %d" % (name, "closed" if gone else "open",
                              (time.monotonic() - t0) * 1000)

def good():
    try:
        data = proxyclient.request(port, "none", "127.0.0.1", 0, "/", tls=(
            ca, "www.example.test"))
        first = data.split(b"\r\n", 1)[0].decode("latin-1")
    except (OSError, ssl.SSLError) as e:
        first = "error %r" % e
    res["G"] = "G %d %s" % ((time.monotonic() - t0) * 1000, first)

ts = [threading.Thread(target=stalled, args=("S1",))]
ts[0].start()
time.sleep(0.3)
ts.append(threading.Thread(target=stalled, args=("S2",)))
ts[1].start()
time.sleep(0.002)
ts.append(threading.Thread(target=good))
ts[2].start()
for t in ts:
    t.join(15)
for k in ("S1", "S2", "G"):
    print(res.get(k, k + " none"))
EOP
cat "$T/st"
read -r _ st ms < <(grep '^S1 ' "$T/st")
check "a hello stalled with the place: closed at request_timeout ($st at ${ms:-?} ms)" \
    test "$st" = closed -a "${ms:-0}" -ge 1900 -a "${ms:-9999}" -lt 2800
read -r _ st ms < <(grep '^S2 ' "$T/st")
check "a hello stalled in the queue: closed when its own time ran out ($st at ${ms:-?} ms)" \
    test "$st" = closed -a "${ms:-0}" -ge 2100 -a "${ms:-9999}" -lt 3500
check "a whole hello queued behind them: answered ($(grep '^G ' "$T/st"))" \
    grep -q '^G [0-9]* HTTP/1.1 200' "$T/st"
stop_tcpvsd
finish
