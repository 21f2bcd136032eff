#!/bin/bash
# Probes run side by side, each with its own timeout: a server that
# accepts and never answers and one that never completes the handshake
# both time out and go down, while a healthy server's last-check time
# keeps advancing at its interval, never held up behind their timeouts.
# The mute server also shows the exact request an HTTP check sends.
. "$(dirname "$0")/lib.sh"
start_origin ok
# mute: accepts connections, keeps the first request it reads, never
# answers
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
        continue
    if len(held) == 1:
        c.settimeout(1)
        req = b""
        try:
            while not req.endswith(b"\r\n\r\n"):
                b = c.recv(4096)
                if not b: break
                req += b
        except socket.timeout:
            pass
        open(sys.argv[2], "wb").write(req)' "$MUTE" "$T/mute.req" > "$T/mute.out" 2>&1 &
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
    server "127.0.0.1:$MUTE" { check_host = "health.example" check_path = "/ping?x=1" }
    server "127.0.0.1:$BH" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KOK="web/127.0.0.1:$PORT_ok"; KM="web/127.0.0.1:$MUTE"; KBH="web/127.0.0.1:$BH"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }

check "healthy server up" wait_until 10 is "$KOK" health up
# the healthy server's checks over 4 s, while the two stalled servers'
# probes wait out their 2 s timeouts: counted by the checker (oks) and
# timed by it (check_ms), so a slow machine polling late changes nothing.
# Probes run one after another would space them 2 s or more apart.
n1=$(sb_server "$KOK" oks); t1=$(sb_server "$KOK" check_ms)
sleep 4
n2=$(sb_server "$KOK" oks); t2=$(sb_server "$KOK" check_ms)
n=$((n2 - n1))
avg=$(( n > 0 ? (t2 - t1) / n : 99999 ))
say "healthy server: $n checks in $((t2 - t1)) ms, one every ${avg} ms"
check "healthy server checked at least 5 times in 4 s (interval 0.5 s)" test "$n" -ge 5
check "one check every ${avg} ms: the interval, not the stalled timeouts" test "$avg" -lt 1000
check "accepting but mute server: down" wait_until 10 is "$KM" health down
check "its last check timed out" is "$KM" check timeout
check "black-holed server: down" wait_until 10 is "$KBH" health down
check "its last check timed out too" is "$KBH" check timeout
check "logged: mute server DOWN (timeout, 1 consecutive failures)" \
    grep -q "web: server 127.0.0.1:$MUTE is DOWN (timeout, 1 consecutive failures)" "$T/tcpvsd.log"
lat=$(sb_server "$KM" latency_us)
check "a timed-out check waited check_timeout (${lat} us)" test "$lat" -ge 1900000 -a "$lat" -lt 5000000
printf 'GET /ping?x=1 HTTP/1.1\r\nHost: health.example\r\nConnection: close\r\nUser-Agent: tcpvs-check\r\n\r\n' > "$T/want.req"
check "the check request, byte for byte (check_path, check_host)" cmp -s "$T/want.req" "$T/mute.req"
check "the healthy server is still up" is "$KOK" health up
for i in $(seq 4); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "requests all go to the healthy server" test "$(grep -cx ok "$T/out")" -eq 4
finish
