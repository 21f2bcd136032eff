#!/bin/bash
# Three origins behind tcpvsd with rr: every request answered, each origin
# gets its share, X-Forwarded-For reaches the origin, hop-by-hop headers do
# not, and the head sent upstream asks to keep the connection
# (server_keepalive).
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 3
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
for i in $(seq 30); do get "http://127.0.0.1:$P/n$i"; done > "$T/bodies"
check "30 requests answered" test "$(wc -l < "$T/bodies")" -eq 30
for o in a b c; do
	check "origin $o got 10 of 30" test "$(grep -cx "$o" "$T/bodies")" -eq 10
done
get "http://127.0.0.1:$P/echo-headers" -H 'X-Forwarded-For: 10.9.8.7' \
    -H 'Keep-Alive: timeout=5' -H 'Connection: keep-alive, X-Secret' \
    -H 'X-Secret: 1' > "$T/head"
check "X-Forwarded-For of an untrusted client replaced" grep -qix 'X-Forwarded-For: 127.0.0.1'$'\r' "$T/head"
check "Connection: keep-alive upstream" grep -qix 'Connection: keep-alive'$'\r' "$T/head"
check "Keep-Alive not forwarded" test "$(grep -ci '^Keep-Alive' "$T/head")" -eq 0
check "header named in Connection not forwarded" test "$(grep -ci '^X-Secret' "$T/head")" -eq 0
check "scoreboard counts 31 requests" test "$(sb | awk '$1=="server" { split($5,a,"="); s+=a[2] } END { print s }')" -eq 31
check "no connection left counted" test "$(sb | awk '$1=="server" { split($3,a,"="); s+=a[2] } END { print s }')" -eq 0
finish
