#!/bin/bash
# status_listen (issue 6): /metrics passes a strict Prometheus text-format
# parser and its counters equal what a test did; /status is an HTML page
# with the services, servers and Apache-style worker scoreboard, showing
# a busy worker during a slow request; exchanges in flight in a worker's
# exchange slots (written by tests/tools/sbset, as its engine would) show
# in /metrics as gauges by state with the parked connections, and in
# /status under their worker; the status server is its own process and
# is restarted by the master if killed.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port); S=$(free_port)
{ conf_header; cat <<EOF2
status_listen = "127.0.0.1:$S"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 3
    minspareservers = 1
    maxspareservers = 8
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$S"
for i in $(seq 20); do get "http://127.0.0.1:$P/" > /dev/null; done
for i in $(seq 5); do status "http://127.0.0.1:$P/status/404" > /dev/null; done
get "http://127.0.0.1:$S/metrics" -D "$T/mh" > "$T/metrics"
check "/metrics is text/plain version 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/mh"
python3 "$top_srcdir/tests/integration/promparse.py" "$T/metrics" > "$T/samples" 2> "$T/perr"
check "/metrics passes a strict exposition-format parser $(cat "$T/perr")" test -s "$T/samples" -a ! -s "$T/perr"
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/samples"; }
sum() { awk -v k="$1" 'index($1, k) == 1 { s += $2 } END { print s + 0 }' "$T/samples"; }
check "requests counted: 25" test "$(val 'tcpvs_service_requests_total{virtual="web"}')" = 25
check "server requests add up to 25" test "$(sum 'tcpvs_server_requests_total{')" = 25
ok2=$(awk '/^tcpvs_server_responses_total/ && /code="2xx"/ { s += $2 } END { print s + 0 }' "$T/samples")
ok4=$(awk '/^tcpvs_server_responses_total/ && /code="4xx"/ { s += $2 } END { print s + 0 }' "$T/samples")
check "responses by class: 20 2xx, 5 4xx ($ok2, $ok4)" test "$ok2" -eq 20 -a "$ok4" -eq 5
check "both servers up" test "$(sum 'tcpvs_server_up{')" = 2
busy=$(val 'tcpvs_pool_workers{virtual="web",state="busy"}'); idle=$(val 'tcpvs_pool_workers{virtual="web",state="idle"}')
check "pool: $busy busy + $idle idle workers, the scrape took none" test "$busy" -eq 0 -a "$idle" -ge 3

# a slow request shows in /status as a busy worker
get "http://127.0.0.1:$P/slow/3000" > /dev/null &
SLOW=$!; PIDS="$PIDS $SLOW"
busy_shown() { get "http://127.0.0.1:$S/status" > "$T/status.html"; grep -q '<td>GET /slow/3000 HTTP/1.1</td>' "$T/status.html"; }
check "/status shows the busy worker and its request" wait_until 3 busy_shown
check "/status lists the service and its servers" grep -q "127.0.0.1:$PORT_b" "$T/status.html"
check "/status has the scoreboard key" grep -q '<p>Key:' "$T/status.html"
check "/metrics counts it busy meanwhile" test "$(get "http://127.0.0.1:$S/metrics" | awk '$1 == "tcpvs_pool_workers{virtual=\"web\",state=\"busy\"}" { print $2 }')" -ge 1
wait "$SLOW"

# exchanges in flight and parked connections (issue 19)
xs() { get "http://127.0.0.1:$S/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
check "no exchange in flight, none parked" test "$(xs 'tcpvs_pool_exchanges{virtual="web",state="relaying"}')" = 0 -a "$(xs 'tcpvs_pool_parked_connections{virtual="web"}')" = 0
slot=$(sb | awk '$1 == "worker" { print $2; exit }')
"$SBSET" "$T/sb" exchange "$slot" 0 relaying 192.0.2.7 "web/127.0.0.1:$PORT_a" "GET /inflight HTTP/1.1"
"$SBSET" "$T/sb" exchange "$slot" 1 relaying 192.0.2.8 "web/127.0.0.1:$PORT_b" "GET /other HTTP/1.1"
"$SBSET" "$T/sb" exchange "$slot" 2 connecting 192.0.2.9
"$SBSET" "$T/sb" parked "$slot" 5
get "http://127.0.0.1:$S/metrics" > "$T/metrics2"
python3 "$top_srcdir/tests/integration/promparse.py" "$T/metrics2" > "$T/samples" 2> "$T/perr"
check "/metrics with exchanges passes the parser $(cat "$T/perr")" test -s "$T/samples" -a ! -s "$T/perr"
check "/metrics: 2 exchanges relaying" test "$(val 'tcpvs_pool_exchanges{virtual="web",state="relaying"}')" = 2
check "/metrics: 1 connecting" test "$(val 'tcpvs_pool_exchanges{virtual="web",state="connecting"}')" = 1
check "/metrics: none reading, scheduling or closing" test "$(sum 'tcpvs_pool_exchanges{virtual="web"')" = 3
check "/metrics: 5 parked connections" test "$(val 'tcpvs_pool_parked_connections{virtual="web"}')" = 5
get "http://127.0.0.1:$S/status" > "$T/status2.html"
check "/status: the exchange under its worker, with its request" grep -q "<tr><td>$slot-0</td><td></td><td>relaying</td>.*<td>192.0.2.7</td><td>127.0.0.1:$PORT_a</td><td>GET /inflight HTTP/1.1</td>" "$T/status2.html"
check "/status: the worker's counts by state and parked" grep -q "<tr><td>$slot</td><td>[0-9]*</td><td>[a-z]*</td><td>0</td><td>0</td><td>1</td><td>2</td><td>0</td><td>5</td>" "$T/status2.html"
check "/status: the key names the exchange states" grep -q '<code>W</code> relaying' "$T/status2.html"
for i in 0 1 2; do "$SBSET" "$T/sb" exchange "$slot" "$i" free; done
"$SBSET" "$T/sb" parked "$slot" 0
check "/metrics: ended exchanges are gone" test "$(xs 'tcpvs_pool_exchanges{virtual="web",state="relaying"}')" = 0
check "other paths: 404" test "$(status "http://127.0.0.1:$S/nope")" = 404
sp=$(pgrep -f -P "$TCPVSD_PID" . | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = tcpvsd-status ] && echo "$p"; done)
check "the status server is its own process ($sp)" test -n "$sp"
kill -KILL $sp
check "killed, the master restarts it" wait_until 5 eventually 'test "$(status "http://127.0.0.1:$S/metrics")" = 200'
finish
