#!/bin/bash
# SIGWINCH, graceful stop: a slow 10 MiB response in flight completes
# intact, new connections are no longer accepted, then the whole process
# tree is gone.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 3
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
kids=$(children)
SIZE=$((10 * 1024 * 1024))
direct=$(curl -s --max-time 30 "http://127.0.0.1:$PORT_a/bytes/$SIZE" | sha256sum)
# about 3 seconds at 3 MiB/s
curl -s --max-time 30 --limit-rate 3M "http://127.0.0.1:$P/bytes/$SIZE" | sha256sum > "$T/slow" &
cpid=$!
sleep 1
kill -WINCH "$TCPVSD_PID"
closed() { ! port_open "$P"; }
check "listening socket closed soon after SIGWINCH" wait_until 3 closed
wait "$cpid"
check "the 10 MiB response in flight completed intact" test "$(cat "$T/slow")" = "$direct"
gone() { ! kill -0 "$TCPVSD_PID" 2>/dev/null; }
check "master exits after the last request" wait_until 10 gone
left=""
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
check "no worker left (left:$left)" test -z "$left"
finish
