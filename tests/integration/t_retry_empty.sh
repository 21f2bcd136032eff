#!/bin/bash
# Origins killed (-9) and restarted on their ports during 20 s of mixed
# GET load (answers after 20 ms and at once, each one write of the
# origin, on kept-alive client connections, 8 clients): every GET is
# answered.  (A response cut after its head left cannot be sent again:
# the bodies here are too small for that.)  A GET whose server connection fails before any byte of an
# answer (refused, reset, closed before the status line) is sent again
# once, to another server, as HAProxy's "retry-on conn-failure
# empty-response" does.  A POST with a body is never sent twice.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
# a new server connection for every request: a kept one that fails is
# replaced anyway; the retry is for the request a server took and died on
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    minspareservers = 1
    maxspareservers = 2
    maxclients = 2
    server_keepalive = 0
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
FL="python3 $top_srcdir/tests/integration/faultload.py"
$FL "$P" "$PORT_a" 4 20 /slow/20 > "$T/load1" 2>&1 &
L1=$!
$FL "$P" "$PORT_a" 4 20 / > "$T/load2" 2>&1 &
L2=$!
PIDS="$PIDS $L1 $L2"
# restart NAME: kill -9 the origin (its connections die with it) and
# start it again on its port 2 s later
restart() {
	local pid port; eval "pid=\$PID_$1 port=\$PORT_$1"
	kill -KILL "$pid"; sleep 2
	"$ORIGIN" -l "127.0.0.1:$port" -n "$1" -r "$T/req-$1" >> "$T/origin-$1.out" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
}
sleep 3; restart a; sleep 2; restart b; sleep 2; restart a; sleep 2; restart b
wait "$L1" "$L2"
for f in load1 load2; do
	cat "$T/$f"
	eval "$(tr ' ' '\n' < "$T/$f" | grep '=')"
	check "$f: load ran ($complete complete)" test "${complete:-0}" -gt 100
	check "$f: no GET failed (5xx $status5xx, errors $errors, cut $truncated)" \
	    test "${status5xx:-1}" -eq 0 -a "${errors:-1}" -eq 0 -a "${truncated:-1}" -eq 0
done
check "the log says requests were sent to another server" grep -q 'sent to another server' "$T/tcpvsd.log"
# a POST with a body is sent to one server at most once, whatever
# happens to it (b killed: refused connects go to a, which is allowed)
kill -KILL "$PID_b"
for i in 1 2 3 4; do
	curl -s --max-time 5 -o /dev/null -d "x=$i" "http://127.0.0.1:$P/post-$i"
done
n=$(cat "$T/req-a" "$T/req-b" | grep '^POST /post-' | sort | uniq -d | wc -l)
check "no POST sent twice ($n twice)" test "$n" -eq 0
stop_tcpvsd
finish
