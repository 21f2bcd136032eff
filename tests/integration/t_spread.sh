#!/bin/bash
# A burst of new connections is spread over the idle workers: each
# connection of it woke a worker asleep on the listening socket
# (EPOLLEXCLUSIVE), and a worker holding a whole exchange's worth
# (maxinflight) more connections than another leaves the next to that
# one.  16 kept-alive connections opened at once against 8 workers at
# maxinflight = 1: none holds more than a few (it was 13 - 15 in one,
# the others idle, when the first worker to wake took a batch of 16).
# And under load, when every worker is full: 1,024 kept-alive connections
# (wrk) over the same 8 workers end up 128 in each, give or take a few
# (with full workers accepting only once full for 20 ms, the busiest ones
# took most: 76 - 105 in some, 191 - 205 in others).
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 8
    minspareservers = 1
    maxspareservers = 8
    maxclients = 8
    maxinflight = 1
    keepalive_timeout = 30
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "8 workers" wait_until 10 eventually '[ "$(sb_workers)" -eq 8 ]'

timeout 60 python3 "$top_srcdir/tests/integration/inflight.py" hold "$P" 16 25 > "$T/hold" 2> "$T/hold.err" &
H=$!
PIDS="$PIDS $H"
# parked connections per worker, once all 16 are answered and idle
parked() { sb | awk '$1=="worker" { for (i=3;i<=NF;i++) if ($i ~ /^parked=/) { sub("parked=","",$i); print $i } }'; }
wait_until 20 eventually '[ "$(parked | awk "{ s += \$1 } END { print s }")" -eq 16 ]'
parked | sort -n | tr '\n' ' ' > "$T/spread"
kill "$H" 2>/dev/null; wait "$H" 2>/dev/null
cat "$T/hold.err"
check "16 connections answered ($(cat "$T/hold"))" grep -qx 'ok=16' "$T/hold"
check "all 16 parked in the workers ($(cat "$T/spread"))" test "$(tr ' ' '\n' < "$T/spread" | awk '{ s += $1 } END { print s }')" -eq 16
check "no worker holds more than 8 of them ($(cat "$T/spread"))" test "$(tr ' ' '\n' < "$T/spread" | sort -n | tail -n 1)" -le 8
check "at least 4 workers hold some" test "$(tr ' ' '\n' < "$T/spread" | awk '$1 > 0' | wc -l)" -ge 4

command -v wrk > /dev/null || { echo "wrk not installed: no load part"; finish; }
[ "$(ulimit -n)" -ge 2200 ] || ulimit -n 2200 2> /dev/null || { echo "open files $(ulimit -n): no load part"; finish; }
timeout 30 wrk -t 1 -c 1024 -d 4s "http://127.0.0.1:$P/" > "$T/wrk" 2>&1 &
W=$!
PIDS="$PIDS $W"
# the connections held (parked and in flight) per worker, once wrk has
# opened all 1,024
wait_until 10 eventually '[ "$(sb_held | awk "{ s += \$1 } END { print s }")" -ge 1024 ]'
sleep 1
sb_held | sort -n | tr '\n' ' ' > "$T/load"
wait "$W"
cat "$T/wrk"
# (a connection or two may be between two states as the scoreboard is read)
check "under load, the 1,024 connections held ($(cat "$T/load"))" test "$(tr ' ' '\n' < "$T/load" | awk '{ s += $1 } END { print s }')" -ge 1000
check "no worker holds more than 160 of them, 128 each being even ($(cat "$T/load"))" test "$(tr ' ' '\n' < "$T/load" | sort -n | tail -n 1)" -le 160
finish
