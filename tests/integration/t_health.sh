#!/bin/bash
# Active health checks.  An origin whose check path answers 500 is marked
# down by an HTTP check while its port still accepts (a TCP check of the
# same origin keeps it up), and requests go only to the others.  A killed
# origin is marked down within fall x interval (+1 s) and, started again
# on the same port, up within rise x interval (+1 s); both changes are
# logged.  The scoreboard shows each server's last result.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    maxclients = 16
    check = "http"
    check_interval = 0.5
    check_timeout = 1
    rise = 2
    fall = 2
    server "127.0.0.1:$PORT_a" { check_path = "/status/500" }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { check_path = "/status/204" }
}
virtual tcp {
    listen = "127.0.0.1:$(free_port)"
    startservers = 1
    maxclients = 4
    check = "tcp"
    check_interval = 0.5
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KA="web/127.0.0.1:$PORT_a"; KB="web/127.0.0.1:$PORT_b"; KC="web/127.0.0.1:$PORT_c"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }	# is KEY FIELD VALUE

check "check path answering 500: a is down" wait_until 10 is "$KA" health down
check "a's last check: http status 500" \
    eval 'is "$KA" check http-status && is "$KA" code 500'
check "logged: 'web: server 127.0.0.1:$PORT_a is DOWN (http status 500, 2 consecutive failures)'" \
    grep -q "web: server 127.0.0.1:$PORT_a is DOWN (http status 500, 2 consecutive failures)" "$T/tcpvsd.log"
check "b and c (204 is in 2xx) are up" wait_until 10 eventually \
    'is "$KB" health up && is "$KC" health up'
check "a latency is measured" test "$(sb_server "$KA" latency_us)" -gt 0
check "a's port still accepts: the tcp check keeps it up" \
    wait_until 10 is "tcp/127.0.0.1:$PORT_a" health up
for i in $(seq 12); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "12 requests: none to a" test "$(grep -c '^a$' "$T/out")" -eq 0
check "12 requests: all answered by b or c" test "$(grep -c '^[bc]$' "$T/out")" -eq 12

# b killed: down within fall x interval + 1 s, timed by the checker's
# own clock (change_ms), not by how fast this script can poll
t0=$(date +%s%3N)
stop_origin b
check "killed b: down" wait_until 10 is "$KB" health down
ms=$(( $(sb_server "$KB" change_ms) - t0 ))
check "b down ${ms} ms after the kill: within fall x interval + 1 s" test "$ms" -le 2000
check "b's last check: refused" is "$KB" check refused
check "logged: b is DOWN (refused, 2 consecutive failures)" \
    grep -q "web: server 127.0.0.1:$PORT_b is DOWN (refused, 2 consecutive failures)" "$T/tcpvsd.log"
for i in $(seq 6); do get "http://127.0.0.1:$P/"; done > "$T/out2"
check "with b down, c answers all 6" test "$(grep -cx c "$T/out2")" -eq 6

# b again on the same port: up within rise x interval + 1 s
"$ORIGIN" -l "127.0.0.1:$PORT_b" -n b > "$T/origin-b2.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 port_open "$PORT_b" || fail "origin b did not start again"
t0=$(date +%s%3N)
check "restarted b: up" wait_until 10 is "$KB" health up
ms=$(( $(sb_server "$KB" change_ms) - t0 ))
check "b up ${ms} ms after it listens again: within rise x interval + 1 s" test "$ms" -le 2000
check "logged: b is UP (2 consecutive successes)" \
    grep -q "web: server 127.0.0.1:$PORT_b is UP (2 consecutive successes)" "$T/tcpvsd.log"
for i in $(seq 12); do get "http://127.0.0.1:$P/"; done > "$T/out3"
check "b serves again" grep -qx b "$T/out3"
check "a still never chosen" test "$(grep -c '^a$' "$T/out3")" -eq 0
check "one health checker process" test "$(pgrep -P "$TCPVSD_PID" -x tcpvsd-health | wc -l)" -eq 1
finish
