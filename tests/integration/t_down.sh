#!/bin/bash
# All real servers down: 503 within connect_timeout; with a sorry server
# (redirect) its answer instead; a dead server among live ones is skipped;
# a server that never completes the handshake: 504 after connect_timeout.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin sorry
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    connect_timeout = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
stop_origin a
for i in $(seq 10); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "one server down: all 10 served by b" test "$(grep -cx b "$T/out")" -eq 10
stop_origin b
t0=$(date +%s%N)
code=$(status "http://127.0.0.1:$P/")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "all down: 503 (got $code)" test "$code" = 503
check "all down: answered in ${ms} ms, within connect_timeout" test "$ms" -lt 2000
body=$(get "http://127.0.0.1:$P/" -D "$T/h")
check "503 has a short body" test -n "$body"
check "503 says Connection: close" grep -qi '^Connection: close' "$T/h"

P2=$(free_port)
{ conf_header | sed "s|$T/sb|$T/sb2|; s|$T/tcpvsd.pid|$T/2.pid|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P2"
    scheduler = "wlc"
    startservers = 2
    redirect = "127.0.0.1:$PORT_sorry"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t2.conf"
start_tcpvsd "$T/t2.conf" "$P2"
check "all down with redirect: the sorry server answers" test "$(get "http://127.0.0.1:$P2/")" = sorry

# a listener whose backlog is full and that never accepts: the kernel drops
# further SYNs, so connecting to it times out (a black hole on loopback)
BH=$(free_port)
python3 -c 'import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(0)
held = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", int(sys.argv[1]))); held.append(c)
print("ready", flush=True)
time.sleep(60)' "$BH" > "$T/bh.out" 2>&1 &
PIDS="$PIDS $!"
check "the black hole holds its backlog" wait_until 5 grep -q ready "$T/bh.out"
P3=$(free_port)
{ conf_header | sed "s|$T/sb|$T/sb3|; s|$T/tcpvsd.pid|$T/3.pid|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P3"
    scheduler = "rr"
    startservers = 1
    connect_timeout = 1
    server "127.0.0.1:$BH" { }
}
EOF2
} > "$T/t3.conf"
start_tcpvsd "$T/t3.conf" "$P3"
t0=$(date +%s%N)
code=$(status "http://127.0.0.1:$P3/")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "connect timeout with no alternative: 504 (got $code)" test "$code" = 504
check "after connect_timeout (${ms} ms: 1000 to 2500)" test "$ms" -ge 1000 -a "$ms" -lt 2500
finish
