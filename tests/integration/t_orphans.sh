#!/bin/bash
# The master killed with SIGKILL (issue 4): its workers notice (parent-death
# signal), finish the request in progress, and exit; none is left serving
# a stale configuration after a bounded time.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 4
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "4 workers up" wait_until 10 eventually '[ "$(children | wc -l)" -ge 4 ]'
workers=$(children)
# one request in progress, one kept-alive connection idling (parked)
curl -s --max-time 10 -o "$T/slow" "http://127.0.0.1:$P/slow/2000" &
SLOW=$!; PIDS="$PIDS $SLOW"
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); s.recv(4096); time.sleep(8)' "$P" &
IDLE=$!; PIDS="$PIDS $IDLE"
sleep 0.5
kill -KILL "$TCPVSD_PID"; wait "$TCPVSD_PID" 2>/dev/null
alive() { for w in $workers; do kill -0 "$w" 2>/dev/null && return 0; done; return 1; }
gone() { ! alive; }
check "every worker gone within 5 s of the master's SIGKILL" wait_until 5 gone
wait "$SLOW"
check "the request in progress was finished first" test "$(cat "$T/slow")" = a
finish
