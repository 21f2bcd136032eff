#!/bin/bash
# Probes run side by side, each with its own timeout: a server that
# accepts and never answers and one that never completes the handshake
# both time out and go down, while a healthy server's last-check time
# keeps advancing at its interval, never held up behind their timeouts.
. "$(dirname "$0")/lib.sh"
start_origin ok
# mute: accepts connections, reads, never answers
MUTE=$(free_port)
python3 -c 'import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(64)
print("ready", flush=True)
held = []
l.settimeout(1)
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = l.accept(); held.append(c)
    except socket.timeout:
        pass' "$MUTE" > "$T/mute.out" 2>&1 &
PIDS="$PIDS $!"
# black hole: a full backlog that never accepts, so SYNs are dropped
BH=$(free_port)
python3 -c 'import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(0)
held = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", int(sys.argv[1]))); held.append(c)
print("ready", flush=True)
time.sleep(120)' "$BH" > "$T/bh.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 grep -q ready "$T/mute.out" || fail "mute listener did not start"
wait_until 5 grep -q ready "$T/bh.out" || fail "black hole did not start"
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 1
    maxclients = 8
    check = "http"
    check_interval = 0.5
    check_timeout = 2
    rise = 1
    fall = 1
    server "127.0.0.1:$PORT_ok" { }
    server "127.0.0.1:$MUTE" { }
    server "127.0.0.1:$BH" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KOK="web/127.0.0.1:$PORT_ok"; KM="web/127.0.0.1:$MUTE"; KBH="web/127.0.0.1:$BH"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }

check "healthy server up" wait_until 5 is "$KOK" health up
# sample the healthy server's last-check time for 4 s, while the two
# stalled servers' probes wait out their 2 s timeouts
for i in $(seq 40); do sb_server "$KOK" check_ms; sleep 0.1; done | uniq > "$T/ms"
n=$(wc -l < "$T/ms")
gap=$(awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { print g + 0 }' "$T/ms")
say "healthy server: $n distinct checks in 4 s, largest gap ${gap} ms"
check "healthy server checked at least 6 times in 4 s (interval 0.5 s)" test "$n" -ge 6
check "no gap near the 2 s timeout between its checks" test "$gap" -lt 1500
check "accepting but mute server: down" wait_until 5 is "$KM" health down
check "its last check timed out" is "$KM" check timeout
check "black-holed server: down" wait_until 5 is "$KBH" health down
check "its last check timed out too" is "$KBH" check timeout
check "logged: mute server DOWN (timeout, 1 consecutive failures)" \
    grep -q "web: server 127.0.0.1:$MUTE is DOWN (timeout, 1 consecutive failures)" "$T/tcpvsd.log"
lat=$(sb_server "$KM" latency_us)
check "a timed-out check took about check_timeout (${lat} us)" test "$lat" -ge 1900000 -a "$lat" -lt 3000000
check "the healthy server is still up" is "$KOK" health up
for i in $(seq 4); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "requests all go to the healthy server" test "$(grep -cx ok "$T/out")" -eq 4
finish
