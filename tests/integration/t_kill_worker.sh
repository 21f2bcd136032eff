#!/bin/bash
# kill -9 of a worker in the middle of a relay: the master gives back the
# connection it held (the server's active count returns to 0) and forks a
# replacement.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "wlc"
    startservers = 3
    minspareservers = 1
    maxspareservers = 5
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KEY="web/127.0.0.1:$PORT_a"
check "3 workers started" wait_until 5 eventually 'test "$(sb_workers)" -eq 3'
curl -s --max-time 20 "http://127.0.0.1:$P/slow/8000" > /dev/null &
cpid=$!
active1() { [ "$(sb_server "$KEY" active)" = 1 ]; }
check "slow request counted active on the server" wait_until 5 active1
busy=$(sb | awk '$1=="worker" && $5=="state=relaying" { sub("pid=","",$3); print $3 }')
check "the relaying worker is found in the scoreboard" test -n "$busy"
kill -KILL "$busy"
active0() { [ "$(sb_server "$KEY" active)" = 0 ]; }
check "active count back to 0 after kill -9" wait_until 5 active0
replaced() { [ "$(sb_workers)" -eq 3 ] && ! sb | grep -q "pid=$busy "; }
check "a replacement worker was forked" wait_until 5 replaced
check "the log names the killed worker" grep -q "worker $busy killed by signal 9" "$T/tcpvsd.log"
check "still serving" test "$(get "http://127.0.0.1:$P/")" = a
wait "$cpid"
finish
