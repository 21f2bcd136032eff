#!/bin/bash
# Apache prefork pool management (maxinflight = 1: a worker per request
# in flight): startservers at start; under 100
# concurrent slow requests the pool grows but never above maxclients; after
# the load it shrinks back to at most maxspareservers idle workers.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 3
    minspareservers = 2
    maxspareservers = 4
    maxclients = 24
    maxinflight = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "startservers: 3 workers" wait_until 5 eventually 'test "$(sb_workers)" -eq 3'
cpids=""
for i in $(seq 100); do curl -s --max-time 60 "http://127.0.0.1:$P/slow/3000" -o "$T/slow$i" & cpids="$cpids $!"; done
max=0
for _ in $(seq 80); do
	n=$(sb_workers); [ "$n" -gt "$max" ] && max=$n
	sleep 0.1
done
check "pool grew under load to maxclients (max $max workers)" test "$max" -eq 24
check "never above maxclients (max $max <= 24)" test "$max" -le 24
check "maxclients reached is logged" wait_until 10 grep -q "reached maxclients (24)" "$T/tcpvsd.log"
for c in $cpids; do wait "$c"; done
check "all 100 slow requests answered (queued in the backlog, not refused)" test "$(cat "$T"/slow* | grep -cx a)" -eq 100
shrunk() { [ "$(sb_workers idle)" -le 4 ] && [ "$(sb_workers)" -le 4 ]; }
check "after the load, idle workers back within maxspareservers" wait_until 40 shrunk
finish
