#!/bin/bash
# Killing one of three origins under a steady load (issue 4): zero failed
# GET requests for kept-alive and for one-request connections; the server
# is marked down within fall x interval (+1 s) and, started again, gets
# traffic again within rise x interval (+1 s).
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 8
    check = "http"
    check_path = "/hc"
    check_interval = 0.5
    rise = 2
    fall = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KC="web/127.0.0.1:$PORT_c"
check "server c up before the kill" wait_until 5 eventually '[ "$(sb_server "$KC" health)" = up ]'
FL="python3 $top_srcdir/tests/integration/faultload.py"
$FL "$P" "$PORT_a" 3 9 / > "$T/ka" 2>&1 &
KA=$!; PIDS="$PIDS $KA"
$FL "$P" "$PORT_a" 2 9 / close > "$T/cl" 2>&1 &
CL=$!; PIDS="$PIDS $CL"
sleep 2
kill -KILL "$PID_c"; t0=$(date +%s%N)
down() { [ "$(sb_server "$KC" health)" = down ]; }
wait_until 5 down; t1=$(date +%s%N)
check "c marked down in $(( (t1 - t0) / 1000000 )) ms (fall x interval + 1 s = 2000)" test $(( (t1 - t0) / 1000000 )) -le 2000
sleep 1
"$ORIGIN" -l "127.0.0.1:$PORT_c" -n c -r "$T/req-c2" > "$T/origin-c2.out" 2>&1 &
PIDS="$PIDS $!"; t0=$(date +%s%N)
served() { [ -s "$T/req-c2" ] && grep -v -e '^GET /stats' -e '^GET /hc' "$T/req-c2" | grep -q .; }
wait_until 5 served; t1=$(date +%s%N)
check "c gets traffic again $(( (t1 - t0) / 1000000 )) ms after its restart (rise x interval + 1 s = 2000)" test $(( (t1 - t0) / 1000000 )) -le 2000
wait "$KA" "$CL"
cat "$T/ka" "$T/cl"
for f in ka cl; do
	eval "$(tr ' ' '\n' < "$T/$f" | grep '=')"
	check "$f: $complete requests, none failed (errors=$errors 5xx=$status5xx truncated=$truncated)" test "$complete" -gt 100 -a "$errors" -eq 0 -a "$status5xx" -eq 0 -a "$truncated" -eq 0
done
finish
