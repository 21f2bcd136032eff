#!/bin/bash
# The pidfile is locked: a second tcpvsd with the same pidfile refuses to
# start with a message naming it and the running pid.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port); P2=$(free_port)
mk() { { conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$1"
    startservers = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$2"; }
mk "$P" "$T/one.conf"
mk "$P2" "$T/two.conf"
start_tcpvsd "$T/one.conf" "$P"
"$TCPVSD" -F -f "$T/two.conf" > "$T/second.log" 2>&1 &
second=$!
PIDS="$PIDS $second"
gone() { ! kill -0 "$second" 2>/dev/null; }
check "the second tcpvsd exits" wait_until 5 gone
wait "$second"; rc=$?
check "with status 1" test "$rc" -eq 1
check "saying the pidfile is locked by the running pid" grep -q "pidfile $T/tcpvsd.pid is locked: tcpvsd is already running as pid $TCPVSD_PID" "$T/second.log"
check "the first still serves" test "$(get "http://127.0.0.1:$P/")" = a
finish
