#!/bin/bash
# All real servers down: 503 within connect_timeout; with a sorry server
# (redirect) its answer instead; a dead server among live ones is skipped.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin sorry
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    connect_timeout = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
stop_origin a
for i in $(seq 10); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "one server down: all 10 served by b" test "$(grep -cx b "$T/out")" -eq 10
stop_origin b
t0=$(date +%s%N)
code=$(status "http://127.0.0.1:$P/")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "all down: 503 (got $code)" test "$code" = 503
check "all down: answered in ${ms} ms, within connect_timeout" test "$ms" -lt 2000
body=$(get "http://127.0.0.1:$P/" -D "$T/h")
check "503 has a short body" test -n "$body"
check "503 says Connection: close" grep -qi '^Connection: close' "$T/h"

P2=$(free_port)
{ conf_header | sed "s|$T/sb|$T/sb2|; s|$T/tcpvsd.pid|$T/2.pid|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P2"
    scheduler = "wlc"
    startservers = 2
    redirect = "127.0.0.1:$PORT_sorry"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t2.conf"
start_tcpvsd "$T/t2.conf" "$P2"
check "all down with redirect: the sorry server answers" test "$(get "http://127.0.0.1:$P2/")" = sorry
finish
