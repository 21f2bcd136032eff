#!/bin/bash
# status_listen (issue 6): /metrics passes a strict Prometheus text-format
# parser and its counters equal what a test did; /status is an HTML page
# with the services, servers and Apache-style worker scoreboard, showing
# a busy worker during a slow request; the status server is its own
# process and is restarted by the master if killed.
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
check "other paths: 404" test "$(status "http://127.0.0.1:$S/nope")" = 404
sp=$(pgrep -f -P "$TCPVSD_PID" . | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = tcpvsd-status ] && echo "$p"; done)
check "the status server is its own process ($sp)" test -n "$sp"
kill -KILL $sp
check "killed, the master restarts it" wait_until 5 eventually 'test "$(status "http://127.0.0.1:$S/metrics")" = 200'
finish
