#!/bin/bash
# A worker takes up to 16 waiting connections each time epoll reports
# the listening socket, not one.  One worker is kept busy by 256
# kept-alive connections (wrk); epoll reports the listening socket once
# a round over those that are ready.  100 new connections opened at once
# are all answered before the worker has served 8,000 requests on the
# kept ones (500 - 3,000 here and in CI).  Taking one a round, it
# served 16,700 - 27,200 (770 - 1,200 ms).
. "$(dirname "$0")/lib.sh"
command -v wrk > /dev/null || skip "wrk not installed (Debian package wrk)"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 1 ]'

timeout 30 wrk -t 1 -c 256 -d 5s --latency "http://127.0.0.1:$P/" > "$T/wrk" 2>&1 &
wrk=$!
sleep 2
timeout 30 $H1 burst "$P" 100 > "$T/burst" 2> "$T/burst.err"
wait "$wrk"
cat "$T/wrk" "$T/burst" "$T/burst.err"
read -r _ ok ms < "$T/burst"
# what the worker served meanwhile on the kept connections, at wrk's rate
rate=$(awk '/^Requests\/sec/ { print int($2) }' "$T/wrk")
served=$(( ${rate:-0} * ${ms:-999999} / 1000 ))
check "wrk's rate ($rate requests/s) measured" test "${rate:-0}" -gt 0
check "the 100 new connections answered ($ok)" test "${ok:-0}" -eq 100
check "the last within 8000 kept requests served (${ms:-?} ms at $rate/s: $served)" \
    test "$served" -le 8000
finish
