#!/bin/bash
# wrk through tcpvsd with keep-alive for 10 s: zero socket errors, zero
# non-2xx answers, and the origins see kept connections, not one per
# request.  (A correctness test under load; speed is measured in bench/.)
. "$(dirname "$0")/lib.sh"
command -v wrk > /dev/null || skip "wrk not installed (Debian package wrk)"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "wlc"
    startservers = 40
    minspareservers = 5
    maxspareservers = 64
    maxclients = 64
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "32 idle workers before the load" wait_until 10 eventually '[ "$(sb_workers idle)" -ge 32 ]'
timeout 30 wrk -t 2 -c 32 -d 10s --latency "http://127.0.0.1:$P/" > "$T/wrk" 2>&1
cat "$T/wrk"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk")
check "wrk ran: $reqs requests" test "${reqs:-0}" -gt 1000
check "no socket errors" test "$(grep -c 'Socket errors' "$T/wrk")" -eq 0
check "no non-2xx answers" test "$(grep -c 'Non-2xx' "$T/wrk")" -eq 0
acc=$(( $(origin_accepts a) + $(origin_accepts b) ))
check "origins accepted $acc connections for $reqs requests" test "$acc" -lt $((reqs / 10))
finish
