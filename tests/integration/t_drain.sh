#!/bin/bash
# Weight 0 (quiescent) and drain (issue 4), set in the scoreboard while
# tcpvsd runs, as tcpvsadm does: the server gets no new requests at once
# from every worker, with no reload, and the requests in flight on it
# complete; disabled likewise; active again brings it back.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 4
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KB="web/127.0.0.1:$PORT_b"
for mode in weight=0 admin=drain admin=disabled; do
	# two slow requests in flight, one on each server
	get "http://127.0.0.1:$P/slow/1500" > "$T/s1" & s1=$!
	get "http://127.0.0.1:$P/slow/1500" > "$T/s2" & s2=$!
	PIDS="$PIDS $s1 $s2"
	wait_until 3 eventually 'test "$(sb_server "$KB" active)" -ge 1'
	"$SBSET" "$T/sb" "$KB" "$mode"
	for i in $(seq 20); do get "http://127.0.0.1:$P/"; done > "$T/out"
	check "$mode: 20 new requests, none to b" test "$(grep -cx a "$T/out")" -eq 20
	wait "$s1" "$s2"
	check "$mode: the requests in flight completed" test "$(sort "$T/s1" "$T/s2" | tr '\n' ' ')" = "a b "
	if [ "$mode" = weight=0 ]; then "$SBSET" "$T/sb" "$KB" weight=1; else "$SBSET" "$T/sb" "$KB" admin=active; fi
	for i in $(seq 10); do get "http://127.0.0.1:$P/"; done > "$T/back"
	check "$mode undone: b serves again" test "$(grep -cx b "$T/back")" -ge 4
done
finish
