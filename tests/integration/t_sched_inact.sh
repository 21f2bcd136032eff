#!/bin/bash
# InActConn (issue 21): tcpvsadm -L counts, per server, the kept
# connections idle in the workers' origin pools (IPVS's inactive
# connections): one worker, sequential requests over kept origin
# connections leave one idle connection to each server that answered; a
# worker killed with kill -9 gives its idle connections back; with
# server_keepalive = 0 there are none.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
CTL=$T/ctl
mkconf() { # mkconf SERVER_KEEPALIVE
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    server_keepalive = $1
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
	} > "$T/t.conf"
}
mkconf 4
start_tcpvsd "$T/t.conf" "$P"
inact() { adm -L -n | awk -v a="127.0.0.1:$1" '$1 == "->" && $2 == a { print $5 }'; }
for i in $(seq 6); do get "http://127.0.0.1:$P/"; done > /dev/null
check "InActConn: one idle kept connection to a ($(inact "$PORT_a"))" test "$(inact "$PORT_a")" -eq 1
check "InActConn: one idle kept connection to b ($(inact "$PORT_b"))" test "$(inact "$PORT_b")" -eq 1
w=$(sb | awk '$1 == "worker" && $3 != "pid=0" { sub("pid=", "", $3); print $3; exit }')
check "the worker's pid ($w) is known" test -n "$w"
kill -KILL "$w" 2>/dev/null
check "worker killed: its idle connections given back" \
    wait_until 10 eventually '[ "$(inact "$PORT_a")" = 0 ] && [ "$(inact "$PORT_b")" = 0 ]'
mkconf 0
kill -USR1 "$TCPVSD_PID"
wait_until 10 eventually 'grep -q "generation 2 serving" "$T/tcpvsd.log"'
for i in $(seq 6); do get "http://127.0.0.1:$P/"; done > /dev/null
check "server_keepalive = 0: InActConn stays 0" test "$(inact "$PORT_a")" -eq 0 -a "$(inact "$PORT_b")" -eq 0
finish
