#!/bin/bash
# HTTPS on a tls_listen address, end to end (issue 20): the exchange
# through the TLS transport (xprt.h).  Certificates come from a throwaway
# CA made here (tls_lib.sh).
#  - curl over HTTPS, verifying against the CA: 200, and the origin sees
#    X-Forwarded-Proto: https (http on the plain listener; a client's own
#    value replaced)
#  - SNI picks the certificate for each of two names, the default for none
#  - a TLS 1.1-only client is refused; ALPN h2 alone is served HTTP/1.1
#  - 64 MiB down and up intact by SHA-256; 100 kept-alive requests on one
#    TLS connection
#  - a session resumed on 20 new connections is "Reused" each time, and
#    again once a graceful restart has replaced every worker; with
#    at least 4 workers in the pool
#  - mTLS required: no certificate fails, one from the CA succeeds
#  - 200 half ClientHellos that stall are closed within request_timeout
#    while a normal client keeps >= 99 % success; plain HTTP on the TLS
#    port is closed
#  - tls = true to a TLS origin: works; from another CA: 502 and down;
#    to one that keeps connections, 10 requests over one TLS connection
#  - garbage, a truncated record, a 64 KiB ClientHello extension: closed
#  - an Upgrade tunnel over TLS: 101, then 1 MiB echoed intact
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
start_origin a
make_ca ca; make_ca other
make_cert ca site www.example.test
make_cert ca alt alt.example.test '*.alt.example.test'
make_cert ca client client.example.test
make_cert ca origin origin.test
make_cert other stranger origin.test
start_tls_origin tlsok origin
start_tls_origin tlsbad stranger
# a TLS origin that keeps its connections (HTTP/1.1), counting them
KP=$(free_port)
python3 - "$KP" "$T/origin" "$T/kept-conns" > "$T/origin-kept.out" 2>&1 <<'EOP' &
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = b"kept\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    def get_request(self):
        r = super().get_request()
        with open(sys.argv[3], "a") as f:
            f.write("connection\n")
        return r
srv = S(("127.0.0.1", int(sys.argv[1])), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2] + ".crt", sys.argv[2] + ".key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOP
PIDS="$PIDS $!"
wait_until 5 port_open "$KP" || { fail "the keeping TLS origin did not start"; finish; }
P=$(free_port); S=$(free_port); M=$(free_port); O=$(free_port); K=$(free_port)
B=$(free_port); X=$(free_port)
{ conf_header; cat <<EOF2
virtual proxied {
    tls_listen = "127.0.0.1:$X"
    tls_certificate = "$T/site.pem"
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    startservers = 1
    maxclients = 1
    server "127.0.0.1:$PORT_a" { }
}
virtual web {
    listen = "127.0.0.1:$P"
    tls_listen = "127.0.0.1:$S"
    tls_certificate = {"$T/site.pem", "$T/alt.pem"}
    startservers = 4
    minspareservers = 4
    maxclients = 16
    request_timeout = 3
    server "127.0.0.1:$PORT_a" { }
}
virtual mtls {
    tls_listen = "127.0.0.1:$M"
    tls_certificate = "$T/site.pem"
    tls_client_ca = "$T/ca.crt"
    tls_verify_client = "required"
    startservers = 1
    maxclients = 4
    server "127.0.0.1:$PORT_a" { }
}
virtual kept {
    listen = "127.0.0.1:$K"
    startservers = 1
    maxclients = 1
    server_keepalive = 1
    server "127.0.0.1:$KP" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
virtual bad {
    listen = "127.0.0.1:$B"
    startservers = 1
    maxclients = 1
    server "127.0.0.1:$PORT_tlsbad" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
virtual up {
    listen = "127.0.0.1:$O"
    startservers = 1
    maxclients = 4
    check = "http"
    check_interval = 0.3
    rise = 1
    fall = 1
    server "127.0.0.1:$PORT_tlsok" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
    server "127.0.0.1:$PORT_tlsbad" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$S" || { fail "tcpvsd does not listen on tls_listen $S"; finish; }
U="https://www.example.test:$S"
R="--resolve www.example.test:$S:127.0.0.1 --cacert $T/ca.crt"

check "curl over HTTPS, verified: 200" test "$(status "$U/" $R)" = 200
# shellcheck disable=SC2086  # $R is a list of options
get "$U/echo-headers" $R -H "X-Forwarded-Proto: http" > "$T/h"
check "the origin sees X-Forwarded-Proto: https" grep -qi "^X-Forwarded-Proto: https" "$T/h"
check "... once: the client's own is replaced" test "$(grep -ci '^X-Forwarded-Proto' "$T/h")" = 1
get "http://127.0.0.1:$P/echo-headers" > "$T/h"
check "the plain listener: X-Forwarded-Proto: http" grep -qi "^X-Forwarded-Proto: http" "$T/h"
# accept_proxy on a TLS port: the PROXY header before the ClientHello
get "https://www.example.test:$X/echo-headers" --resolve "www.example.test:$X:127.0.0.1" \
    --cacert "$T/ca.crt" --haproxy-protocol > "$T/hp" 2>&1
check "PROXY header, then TLS: served, the header's address forwarded" grep -qi "^X-Forwarded-For: 127.0.0.1" "$T/hp"

subject() { openssl s_client -connect "127.0.0.1:$S" "$@" < /dev/null 2>/dev/null | sed -n 's/^subject=.*CN *= *//p'; }
check "SNI www.example.test: its certificate" test "$(subject -servername www.example.test)" = www.example.test
check "SNI x.alt.example.test: the wildcard's" test "$(subject -servername x.alt.example.test)" = alt.example.test
check "SNI none: the default" test "$(subject -noservername)" = www.example.test
check "a TLS 1.1-only client is refused" eval "! openssl s_client -connect 127.0.0.1:$S -tls1_1 -cipher DEFAULT@SECLEVEL=0 < /dev/null > /dev/null 2>&1"
check "ALPN h2 alone: served, no ALPN" eval "openssl s_client -connect 127.0.0.1:$S -alpn h2 < /dev/null 2>&1 | grep -q 'No ALPN negotiated'"

# shellcheck disable=SC2086
check "64 MiB down: as many bytes" test "$(get "$U/bytes/67108864" $R | wc -c)" = 67108864
head -c 67108864 /dev/urandom > "$T/big"
want=$(sha256sum < "$T/big" | cut -d' ' -f1)
# shellcheck disable=SC2086
check "64 MiB up intact by SHA-256" eval "get '$U/sha256' $R --data-binary @'$T/big' | grep -q '$want'"
urls=""; for i in $(seq 100); do urls="$urls $U/"; done
# shellcheck disable=SC2086
n=$(curl -s -v $R $urls 2>&1 | grep -c "Re-using existing connection\|Reusing existing")
check "100 requests on one TLS connection ($n reused)" test "$n" -ge 99
# a body's last bytes and the next request in one TLS record: TLS holds
# the request once the body is read, the socket drained; it is served,
# not left waiting for bytes that came already
python3 - "$S" "$T/ca.crt" > "$T/pipelined" 2>&1 <<'EOP'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="www.example.test")
s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
time.sleep(0.3)
s.sendall(b"hello" b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
s.settimeout(3)
got = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        got += b
except (socket.timeout, ssl.SSLError, OSError):
    pass
print(got.count(b"HTTP/1.1 200"))
EOP
check "a request behind a body in one TLS record: answered" test "$(tail -1 "$T/pipelined")" = 2
# two requests in two TLS records sent in one write, the first slow: TLS
# reads a record at a time, so the second waits in the socket with the
# event that said so taken already; it is answered after the first, not
# at keepalive_timeout
python3 - "$S" "$T/ca.crt" > "$T/records" 2>&1 <<'EOP'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
raw.settimeout(10)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname="www.example.test")
def flush():
    d = out.read()
    if d:
        raw.sendall(d)
def fill():
    d = raw.recv(65536)
    if not d:
        raise EOFError
    inc.write(d)
for _ in range(20):
    try:
        o.do_handshake()
        break
    except ssl.SSLWantReadError:
        flush()
        fill()
flush()
o.write(b"GET /slow/800 HTTP/1.1\r\nHost: x\r\n\r\n")
o.write(b"GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
t0 = time.monotonic()
flush()
got = b""
try:
    while got.count(b"HTTP/1.1 200") < 2:
        try:
            got += o.read(65536)
        except ssl.SSLWantReadError:
            fill()
except (EOFError, socket.timeout, ssl.SSLError, OSError):
    pass
print(got.count(b"HTTP/1.1 200"), int((time.monotonic() - t0) * 1000))
EOP
read -r n ms < <(tail -1 "$T/records")
check "two TLS records in one write, the first slow: both answered ($n) at once after it (${ms:-?} ms)" test "${n:-0}" = 2 -a "${ms:-99999}" -lt 2000

# an Upgrade tunnel over TLS: 101, then 1 MiB each way, echoed intact
python3 - "$S" "$T/ca.crt" > "$T/tunnel" 2>&1 <<'EOP'
import os, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="www.example.test")
s.settimeout(10)
s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
data, got = os.urandom(1 << 20), b""
s.sendall(data)
while len(got) < len(data):
    b = s.recv(65536)
    if not b:
        break
    got += b
print(head.split(b"\r\n")[0].decode(), "echoed" if got == data else "differs")
EOP
check "an Upgrade tunnel over TLS: $(cat "$T/tunnel")" grep -q "^HTTP/1.1 101 .* echoed$" "$T/tunnel"

# TLS 1.3 sends the ticket after the handshake: a client that leaves at
# once may go before it comes, so this one stays a second to take it
sleep 1 | openssl s_client -connect "127.0.0.1:$S" -sess_out "$T/sess" > /dev/null 2>&1
check "a session ticket to resume" eval "openssl sess_id -in '$T/sess' -noout -text | grep -q 'ticket lifetime hint'"
reused=0
for i in $(seq 20); do
	openssl s_client -connect "127.0.0.1:$S" -sess_in "$T/sess" < /dev/null 2>/dev/null | grep -q "^Reused" && reused=$((reused + 1))
done
check "a session resumed on 20 new connections: $reused Reused" test "$reused" = 20
check "with at least 4 workers" test "$(sb_workers)" -ge 4

check "mTLS required, no certificate: refused" eval "! curl -s --max-time 5 --resolve www.example.test:$M:127.0.0.1 --cacert $T/ca.crt https://www.example.test:$M/ > /dev/null"
check "mTLS with a certificate from the CA: 200" test "$(status "https://www.example.test:$M/" --resolve "www.example.test:$M:127.0.0.1" --cacert "$T/ca.crt" --cert "$T/client.crt" --key "$T/client.key")" = 200

python3 - "$S" "$T" <<'EOP' &
import socket, sys, time
port, t = int(sys.argv[1]), sys.argv[2]
hello = bytes.fromhex("160301020001") + b"\x01" * 40   # half a ClientHello
socks = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(hello); socks.append(s)
deadline, closed = time.time() + 10, 0
for s in socks:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        if s.recv(1) == b"": closed += 1
    except OSError:
        closed += 1
open(t + "/stalled", "w").write("%d\n" % closed)
EOP
STALL=$!
good=0
for i in $(seq 100); do [ "$(status "$U/" $R)" = 200 ] && good=$((good + 1)); done
wait "$STALL"
check "200 stalled half hellos all closed within request_timeout" test "$(cat "$T/stalled")" = 200
check "a normal client meanwhile: $good/100 (>= 99)" test "$good" -ge 99
check "plain HTTP on the TLS port: closed" eval "! curl -s --max-time 5 http://127.0.0.1:$S/ | grep -q a"
# garbage, a truncated record, a ClientHello with a 64 KiB extension: each
# connection is closed (within request_timeout), and tcpvsd serves on
python3 - "$S" > "$T/bad-hellos" 2>&1 <<'EOP'
import socket, struct, sys
port = int(sys.argv[1])
ext = struct.pack("!HH", 0xfe01, 65535 - 4) + b"\x00" * (65535 - 4)
body = b"\x03\x03" + b"\x00" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
body += struct.pack("!H", len(ext)) + ext
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
big = b"".join(b"\x16\x03\x01" + struct.pack("!H", len(hs[i:i + 16384])) +
               hs[i:i + 16384] for i in range(0, len(hs), 16384))
cases = {"garbage": b"\xde\xad\xbe\xef" * 64,
         "truncated": b"\x16\x03\x01\x00\x40" + b"\x01\x00\x00\x3c" + b"\x03\x03",
         "64k-extension": big}
for name, data in cases.items():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(8)
    try:
        s.sendall(data)
        if name == "truncated":
            s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        print(name, "closed")
    except ConnectionResetError:
        print(name, "closed")
    except OSError as e:
        print(name, "not closed:", e)
EOP
check "garbage, a truncated record, a 64 KiB extension: all closed ($(tr '\n' ' ' < "$T/bad-hellos"))" \
    test "$(grep -c ' closed$' "$T/bad-hellos")" = 3
check "... and HTTPS still served" test "$(status "$U/" $R)" = 200
curl -s --max-time 5 "http://127.0.0.1:$S/" > /dev/null
check "... logged once for the source, not per request" wait_until 5 eventually \
    'test "$(grep -c "not TLS on tls_listen 127.0.0.1:$S, closed" "$T/tcpvsd.log")" = 1'

check "tls = true origin from the CA: up" wait_until 10 eval "sb_server up/127.0.0.1:$PORT_tlsok health | grep -q up"
check "from another CA: down" wait_until 10 eval "sb_server up/127.0.0.1:$PORT_tlsbad health | grep -q down"
check "served over TLS by the good one" test "$(status "http://127.0.0.1:$O/")" = 200
check "unchecked, from another CA: 502" test "$(status "http://127.0.0.1:$B/")" = 502
check "... the verification's reason logged" grep -q \
    "virtual bad: server 127.0.0.1:$PORT_tlsbad: TLS handshake failed: unable to get local issuer certificate" "$T/tcpvsd.log"
good=0
for i in $(seq 10); do [ "$(get "http://127.0.0.1:$K/")" = kept ] && good=$((good + 1)); done
check "10 requests to a TLS origin that keeps connections: $good/10" test "$good" = 10
check "... over one kept TLS connection ($(wc -l < "$T/kept-conns"))" test "$(wc -l < "$T/kept-conns")" = 1

# the ticket keys belong to the pool, not to a worker: after a graceful
# restart has replaced every worker, the session issued above resumes on
# processes that did not exist when it was issued
workers() { pgrep -P "$TCPVSD_PID" -x tcpvsd | sort; }
old=$(workers)
kill -USR1 "$TCPVSD_PID"
check "generation 2 after SIGUSR1" wait_until 10 grep -q "generation 2 serving" "$T/tcpvsd.log"
check "every worker of generation 1 gone" wait_until 15 eventually \
    '[ -n "$(workers)" ] && [ -z "$(comm -12 <(echo "$old") <(workers))" ]'
check "the session resumes on the new workers" eval "openssl s_client -connect 127.0.0.1:$S \
    -sess_in '$T/sess' < /dev/null 2>/dev/null | grep -q '^Reused'"
finish
