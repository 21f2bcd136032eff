#!/bin/bash
# persistent = SECONDS (ipvsadm -p, issue 7): with rr over three servers a
# client keeps its server across connections, a client of the same /8
# (persistent_netmask) shares it, and after SECONDS of silence the
# template expires and rr moves on.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port); P2=$(free_port)
svc() { # svc NAME PORT MASK
	cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "rr"
    startservers = 2
    maxclients = 8
    persistent = 2
    persistent_netmask = "$3"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
}
EOF2
}
{ conf_header; svc web "$P" 255.0.0.0; svc host "$P2" 255.255.255.255; } > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$P2"
first=$(get "http://127.0.0.1:$P/")
for i in $(seq 20); do get "http://127.0.0.1:$P/"; done > "$T/same"
check "20 connections from 127.0.0.1 all on $first" test "$(grep -cx "$first" "$T/same")" -eq 20
check "127.0.0.2, same /8: on $first too" test "$(get "http://127.0.0.1:$P/" --interface 127.0.0.2)" = "$first"
sleep 3.2
after=$(get "http://127.0.0.1:$P/")
check "after 3 s of silence the template expired: rr moved on ($first -> $after)" test -n "$after" -a "$after" != "$first"
h1=$(get "http://127.0.0.1:$P2/")
for i in $(seq 5); do get "http://127.0.0.1:$P2/" --interface 127.0.0.2; done > "$T/other"
check "netmask /32: 127.0.0.2 keeps its own server, one server for all 5" test "$(sort -u "$T/other" | wc -l)" -eq 1
check "and 127.0.0.1 keeps $h1" test "$(get "http://127.0.0.1:$P2/")" = "$h1"
finish
