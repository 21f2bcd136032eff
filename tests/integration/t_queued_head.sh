#!/bin/bash
# request_timeout counts from when a request came, also for one that
# waited for an exchange place (queued): a client that stalls mid-head
# after waiting behind others gets what is left of its time, not a whole
# request_timeout more, and a complete request queued behind such ones
# is answered, not closed unanswered when its own time runs out.
# (t_tls_client's stalled TLS hellos at maxinflight = 1: a good client
# closed, 1 - 2 in 100.)
#
# One worker, maxinflight = 1, request_timeout = 2: S1 sends half a head
# and takes the only place; S2 does the same 0.3 s later and queues; G
# sends a whole request 0.8 s after that and queues behind S2.  S1 gets
# 408 at 2 s; S2 then has 0.3 s left, not 2 s; G is answered.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    maxclients = 1
    maxinflight = 1
    request_timeout = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"

timeout 30 python3 - "$P" > "$T/out" 2> "$T/err" <<'EOP'
import socket, sys, threading, time
port = int(sys.argv[1])
t0 = time.monotonic()
res = {}

def client(name, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    got = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except OSError as e:
        got += (" (%r)" % e).encode()
    first = got.split(b"\r\n", 1)[0].decode("latin-1") or "closed, no answer"
    res[name] = "%s %d %s" % (name, (time.monotonic() - t0) * 1000, first)

half = b"GET /stalled HTTP/1.1\r\nHost: x\r\n"
ts = []
for name, data, gap in (("S1", half, 0), ("S2", half, 0.3),
                        ("G", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0.8)):
    time.sleep(gap)
    t = threading.Thread(target=client, args=(name, data))
    t.start()
    ts.append(t)
for t in ts:
    t.join(15)
for name in ("S1", "S2", "G"):
    print(res.get(name, name + " - none"))
EOP
cat "$T/out" "$T/err"
read -r _ ms _ code _ < <(grep '^S1 ' "$T/out")
check "S1, stalled with the place: 408 at its request_timeout (${code:-none} at ${ms:-?} ms)" \
    test "${code:-0}" = 408 -a "${ms:-0}" -ge 1900 -a "${ms:-9999}" -lt 2800
read -r _ ms _ code _ < <(grep '^S2 ' "$T/out")
check "S2, stalled after queueing: 408 when its own 2 s ran out, not 2 s after it got the place (${code:-none} at ${ms:-?} ms)" \
    test "${code:-0}" = 408 -a "${ms:-0}" -ge 2100 -a "${ms:-9999}" -lt 3500
check "G, a whole request queued behind them: answered ($(grep '^G ' "$T/out"))" \
    grep -q '^G [0-9]* HTTP/1.1 200' "$T/out"
stop_tcpvsd
finish
