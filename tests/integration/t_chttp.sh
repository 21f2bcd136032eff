#!/bin/bash
# chttp cookie persistence (issue 7): the first response sets a cookie
# naming the chosen server by an opaque id; 50 later requests on separate
# connections carrying it all reach that server; when it goes down the
# next request is scheduled anew and the cookie re-issued.  A second
# director listing the servers in another order honours the same cookie.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port); P2=$(free_port)
svc() { # svc NAME PORT SERVERS...
	local name=$1 port=$2; shift 2
	printf 'virtual %s {\n    listen = "127.0.0.1:%s"\n    scheduler = "chttp"\n    cookie = "LB"\n    startservers = 2\n    maxclients = 8\n' "$name" "$port"
	for s in "$@"; do printf '    server "127.0.0.1:%s" { }\n' "$s"; done
	printf '}\n'
}
{ conf_header; svc web "$P" "$PORT_a" "$PORT_b" "$PORT_c"; } > "$T/t.conf"
# the second director: same service, servers in reverse order
{ conf_header | sed "s|$T/tcpvsd.pid|$T/d2.pid|; s|$T/sb|$T/sb2|"
  svc web "$P2" "$PORT_c" "$PORT_b" "$PORT_a"; } > "$T/d2.conf"
start_tcpvsd "$T/d2.conf" "$P2"
start_tcpvsd "$T/t.conf" "$P"
curl -s -D "$T/h1" -c "$T/jar" --max-time 10 "http://127.0.0.1:$P/" > "$T/first"
first=$(cat "$T/first")
check "first response sets the cookie" grep -qi '^Set-Cookie: LB=' "$T/h1"
val=$(awk '$6 == "LB" { print $7 }' "$T/jar")
check "the cookie value ($val) is an id, not an address" test -n "$val" -a "$(echo "$val" | grep -c '127\.0\.0\.1\|:')" -eq 0
for i in $(seq 50); do curl -s -b "$T/jar" -D "$T/h" --max-time 10 "http://127.0.0.1:$P/"; done > "$T/sticky"
check "50 requests with the cookie: all on $first" test "$(grep -cx "$first" "$T/sticky")" -eq 50
check "no Set-Cookie while the cookie is valid" test "$(grep -ci '^Set-Cookie' "$T/h")" -eq 0
check "another director with the servers reordered: same server" test "$(curl -s -b "$T/jar" --max-time 10 "http://127.0.0.1:$P2/")" = "$first"
stop_origin "$first"
curl -s -b "$T/jar" -c "$T/jar2" -D "$T/h2" --max-time 10 "http://127.0.0.1:$P/" > "$T/moved"
moved=$(cat "$T/moved")
check "sticky server down: served by another ($moved)" test -n "$moved" -a "$moved" != "$first"
check "sticky server down: the cookie is re-issued" grep -qi '^Set-Cookie: LB=' "$T/h2"
for i in $(seq 10); do curl -s -b "$T/jar2" --max-time 10 "http://127.0.0.1:$P/"; done > "$T/sticky2"
check "then sticks to $moved" test "$(grep -cx "$moved" "$T/sticky2")" -eq 10
finish
