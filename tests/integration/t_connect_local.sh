#!/bin/bash
# A connect that fails for want of something of this host's, not the
# server's, does not count against the server.  In a network namespace
# this test makes, ip_local_port_range holds two ports and a process
# holds both (bound), so every connect towards the origin gets
# EADDRNOTAVAIL, the health checker's as well.  Requests are answered
# 503 and the log names the cause, but the server, checked with fall =
# 1, is not marked down: once the ports are let go, the next request is
# answered.  Before, the failure counted against the server (the
# checker's too): it was marked down at once, and requests were refused
# until its next health check, here 60 s away.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to make a network namespace (CI runs as root)"
command -v ip > /dev/null || skip "ip (iproute2) not installed"
NS="tl$$"
ip netns add "$NS" 2>/dev/null || skip "cannot create network namespaces here"
NETNS="$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="40000 40001" ||
	{ fail "ip_local_port_range of two ports in the namespace"; finish; }
# clients bind ports of their own, outside the two
code() {
	ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code}' \
	    --max-time 20 --local-port 50000-50999 "http://127.0.0.1:8000$1"
}

# both ports held: a port bound by bind() is never one connect() picks
ip netns exec "$NS" python3 -c '
import socket, time
ss = []
for p in (40000, 40001):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p))
    ss.append(s)
print("held", flush=True)
time.sleep(60)' > "$T/hold" 2>&1 &
HOLD=$!
PIDS="$PIDS $HOLD"
wait_until 10 grep -q held "$T/hold" || { fail "both local ports held"; finish; }

# ports are free in a namespace nothing else uses
ip netns exec "$NS" "$ORIGIN" -l 127.0.0.1:8080 -n a > "$T/origin-a.out" 2>&1 &
PIDS="$PIDS $!"
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:8000"
    startservers = 1
    maxclients = 2
    check = "tcp"
    check_interval = 60
    fall = 1
    rise = 1
    server "127.0.0.1:8080" { }
}
EOF2
} > "$T/t.conf"
inflight_conf "$T/t.conf"
ip netns exec "$NS" "$TCPVSD" -F -f "$T/t.conf" >> "$T/tcpvsd.log" 2>&1 &
TCPVSD_PID=$!
PIDS="$PIDS $TCPVSD_PID"
K="web/127.0.0.1:8080"
wait_until 10 eventually '[ "$(code /)" = 503 ]' || { fail "no local port: tcpvsd answers 503"; finish; }
check "the log says it is this host's" grep -q 'connect: out of a resource of this host.*not counted against the server: Cannot assign requested address' "$T/tcpvsd.log"
check "the checker says it cannot check, once" test "$(grep -c 'cannot check server 127.0.0.1:8080: Cannot assign requested address' "$T/tcpvsd.log")" -eq 1
for i in 1 2 3; do code / > /dev/null; done
h=$(sb_server "$K" health)
check "the server is not marked down (health $h)" test -n "$h" -a "$h" != down
kill "$HOLD"; wait "$HOLD" 2>/dev/null
c=$(code /)
check "ports let go: the next request is answered (got $c)" test "$c" = 200
check "and the checker's next try found it up" wait_until 5 eventually '[ "$(sb_server "$K" health)" = up ]'
stop_tcpvsd
finish
