#!/bin/bash
# SIGTERM stops tcpvsd and every child, even with a request in flight; the
# pidfile is removed; no process is left behind.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 5
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "5 workers" wait_until 5 eventually 'test "$(children | wc -l)" -eq 5'
kids=$(children)
check "pidfile names the master" test "$(cat "$T/tcpvsd.pid")" = "$TCPVSD_PID"
curl -s --max-time 20 "http://127.0.0.1:$P/slow/10000" > /dev/null &
cpid=$!
sleep 0.5
kill -TERM "$TCPVSD_PID"
gone() { ! kill -0 "$TCPVSD_PID" 2>/dev/null; }
check "master exits" wait_until 5 gone
left=""
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
check "no worker left behind (left:$left)" test -z "$left"
check "pidfile removed" test ! -e "$T/tcpvsd.pid"
wait "$cpid"
finish
