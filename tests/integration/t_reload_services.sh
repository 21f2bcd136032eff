#!/bin/bash
# A graceful restart that removes one virtual service and adds another:
# the removed one stops listening, the new one starts, the one that stays
# keeps its listening socket (its address never refuses a connection).
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P1=$(free_port); P2=$(free_port); P3=$(free_port)
svc() { cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "rr"
    startservers = 2
    maxclients = 8
    server "127.0.0.1:$3" { }
}
EOF2
}
{ conf_header; svc web "$P1" "$PORT_a"; svc old "$P2" "$PORT_b"; } > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P1"
check "old service answers before" test "$(get "http://127.0.0.1:$P2/")" = b
{ conf_header; svc web "$P1" "$PORT_a"; svc new "$P3" "$PORT_c"; } > "$T/t.conf"
kill -USR1 "$TCPVSD_PID"
check "the new service starts listening" wait_until 5 port_open "$P3"
check "the new service answers" test "$(get "http://127.0.0.1:$P3/")" = c
gone() { ! port_open "$P2"; }
check "the removed service stops listening" wait_until 5 gone
check "the kept service still answers" test "$(get "http://127.0.0.1:$P1/")" = a
finish
