#!/bin/bash
# kill -9 of a worker with 20 exchanges in flight: the master gives back
# the server counts of every one of them (each server's active count
# back to 0), forks a replacement, and the requests other workers serve
# meanwhile all succeed.  The 20 run in the one worker of service slow;
# service web's two workers take the load beside it.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port); Q=$(free_port)
{ conf_header; cat <<EOF2
virtual slow {
    listen = "127.0.0.1:$P"
    scheduler = "wlc"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    maxinflight = 32
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
virtual web {
    listen = "127.0.0.1:$Q"
    startservers = 2
    minspareservers = 1
    maxspareservers = 2
    maxclients = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$Q"
check "3 workers started" wait_until 5 eventually 'test "$(sb_workers)" -eq 3'
paths=$(for i in $(seq 20); do printf '/slow/10000 '; done)
python3 "$top_srcdir/tests/integration/inflight.py" at "$P" $paths > "$T/slow" 2>&1 &
S=$!; PIDS="$PIDS $S"
active() { echo $(( $(sb_server "slow/127.0.0.1:$PORT_a" active) + $(sb_server "slow/127.0.0.1:$PORT_b" active) )); }
check "20 exchanges in flight, counted on the servers" wait_until 5 eventually '[ "$(active)" -eq 20 ]'
busy=$(sb | awk '$1=="worker" && $4=="service=slow" { sub("pid=","",$3); print $3 }')
check "the slow service's worker is found in the scoreboard" test -n "$busy"
python3 "$top_srcdir/tests/integration/faultload.py" "$Q" "$PORT_a" 4 4 / > "$T/load" 2>&1 &
L=$!; PIDS="$PIDS $L"
sleep 1
kill -KILL "$busy"
check "every server's active count back to 0" wait_until 5 eventually '[ "$(active)" -eq 0 ]'
replaced() { [ "$(sb_workers)" -eq 3 ] && ! sb | grep -q "pid=$busy "; }
check "a replacement worker was forked" wait_until 5 replaced
wait "$L"
cat "$T/load"
eval "$(tr ' ' '\n' < "$T/load" | grep '=')"
check "the other workers' requests all succeeded ($complete; 5xx $status5xx, errors $errors, cut $truncated)" \
    test "${complete:-0}" -gt 50 -a "${status5xx:-1}" -eq 0 -a "${errors:-1}" -eq 0 -a "${truncated:-1}" -eq 0
check "the replacement serves" test "$(get "http://127.0.0.1:$P/")" = a -o "$(get "http://127.0.0.1:$P/")" = b
kill "$S" 2>/dev/null
finish
