#!/bin/bash
# maxrequestsperchild: a worker exits after that many connections and a
# new process takes its place.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    maxrequestsperchild = 5
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
first=$(children)
for i in 1 2 3 4 5; do get "http://127.0.0.1:$P/" > /dev/null; done
changed() { c=$(children); [ -n "$c" ] && [ "$c" != "$first" ]; }
check "after 5 connections the worker's pid changed" wait_until 5 changed
check "the new worker serves" test "$(get "http://127.0.0.1:$P/")" = a
check "the old worker exited normally (not logged as a crash)" test "$(grep -c 'killed by\|exited with' "$T/tcpvsd.log")" -eq 0
finish
