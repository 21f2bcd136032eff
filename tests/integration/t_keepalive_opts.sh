#!/bin/bash
# The keep-alive options do what tcpvs.conf(5) says: keepalive = false
# closes after each response, maxkeepaliverequests caps a connection,
# keepalive_timeout closes an idle one, a half-sent next head gets 408,
# server_keepalive = 0 opens a connection upstream per request, and a kept
# origin connection that fails before answering is replaced once for a
# body-less GET, while a POST gets 502.
. "$(dirname "$0")/lib.sh"
start_origin a
start_origin d -D	# closes a kept connection instead of answering
# svc NAME PORT SERVERPORT OPTIONS...: a service with one worker
svc() {
	local name=$1 port=$2 sp=$3; shift 3
	printf 'virtual %s {\n    listen = "127.0.0.1:%s"\n    scheduler = "rr"\n' "$name" "$port"
	printf '    startservers = 1\n    minspareservers = 1\n    maxspareservers = 1\n    maxclients = 1\n'
	for o in "$@"; do printf '    %s\n' "$o"; done
	printf '    server "127.0.0.1:%s" { }\n}\n' "$sp"
}
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port); P5=$(free_port)
{ conf_header
  svc off "$P1" "$PORT_a" "keepalive = false"
  svc max "$P2" "$PORT_a" "maxkeepaliverequests = 3" "keepalive_timeout = 2" "request_timeout = 2"
  svc noreuse "$P3" "$PORT_a" "server_keepalive = 0"
  svc retry "$P4" "$PORT_d"
  svc on "$P5" "$PORT_a"
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P1"
for p in $P2 $P3 $P4 $P5; do wait_until 5 port_open "$p"; done

$H1 seq "$P1" 2 / / > "$T/off" 2> "$T/off.err"
check "keepalive = false: first answer says Connection: close" grep -q 'server closed the connection after 1' "$T/off.err"
$H1 seq "$P5" 5 / / > "$T/on" 2> "$T/on.err"
check "keepalive default: 5 requests on one connection" test "$(grep -c '^200 ' "$T/on")" -eq 5
$H1 seq "$P2" 5 / / > "$T/max" 2> "$T/max.err"
check "maxkeepaliverequests = 3: closed after the third" grep -q 'server closed the connection after 3' "$T/max.err"
check "keepalive_timeout = 2: open after 0.5 s" test "$($H1 idle "$P2" 0.5)" = "closed after idle: no"
check "keepalive_timeout = 2: closed after 3 s" test "$($H1 idle "$P2" 3)" = "closed after idle: yes"
$H1 partial "$P2" > "$T/partial" 2>&1
check "half of a second head: 408 after request_timeout" grep -qx 'second 408 close' "$T/partial"

before=$(origin_accepts a)
for i in $(seq 10); do get "http://127.0.0.1:$P3/" > /dev/null; done
after=$(origin_accepts a)
check "server_keepalive = 0: a connection per request ($before -> $after)" test "$after" -eq $((before + 11))
check "server_keepalive = 0: Connection: close upstream" grep -qix 'Connection: close'$'\r' <(get "http://127.0.0.1:$P3/echo-headers")
before=$(origin_accepts a)
for i in $(seq 10); do get "http://127.0.0.1:$P5/" > /dev/null; done
after=$(origin_accepts a)
check "server_keepalive default: the kept connection serves 10 requests ($before -> $after)" test "$after" -le $((before + 2))

for i in 1 2 3 4; do echo "$(status "http://127.0.0.1:$P4/")"; done > "$T/retry"
check "kept connection closed under a GET: retried, 4 x 200" test "$(grep -cx 200 "$T/retry")" -eq 4
check "the retries are logged" grep -q 'kept connection closed, reconnecting' "$T/tcpvsd.log"
check "kept connection closed under a POST with a body: 502" test "$(status "http://127.0.0.1:$P4/sha256" --data-binary hello)" = 502
finish
