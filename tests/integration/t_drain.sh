#!/bin/bash
# Weight 0 (quiescent) and drain (issue 4), set in the scoreboard while
# tcpvsd runs, as tcpvsadm does: the server gets no new requests at once
# from every worker, with no reload, and the requests in flight on it
# complete; disabled likewise; active again brings it back.  With chttp
# cookies (issue 21): tcpvsadm --drain keeps a cookie holder on its server
# while new clients go elsewhere; --disable moves it.
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

CTL=$T/ctl2
P2=$(free_port)
{ conf_header | sed "s|$T/tcpvsd.pid|$T/c.pid|; s|\"$T/sb\"|\"$T/sb2\"|"; cat <<EOF2
virtual ck {
    listen = "127.0.0.1:$P2"
    scheduler = "chttp"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/c.conf"
start_tcpvsd "$T/c.conf" "$P2"
curl -s -c "$T/jar" --max-time 10 "http://127.0.0.1:$P2/" > "$T/first"
first=$(cat "$T/first"); other=a; [ "$first" = a ] && other=b
eval "fport=\$PORT_$first"
check "chttp: the first client holds a cookie for $first" grep -q TCPVSID "$T/jar"
check "--drain $first" adm --drain -i ck -r "127.0.0.1:$fport"
for i in $(seq 10); do get "http://127.0.0.1:$P2/" -b "$T/jar"; done > "$T/held"
check "drained: the cookie holder stays on $first ($(grep -cx "$first" "$T/held") of 10)" \
    test "$(grep -cx "$first" "$T/held")" -eq 10
for i in $(seq 10); do get "http://127.0.0.1:$P2/"; done > "$T/new"
check "drained: new clients all go to $other ($(grep -cx "$other" "$T/new") of 10)" \
    test "$(grep -cx "$other" "$T/new")" -eq 10
check "--disable $first" adm --disable -i ck -r "127.0.0.1:$fport"
for i in $(seq 10); do get "http://127.0.0.1:$P2/" -b "$T/jar"; done > "$T/moved"
check "disabled: the cookie holder is moved to $other ($(grep -cx "$other" "$T/moved") of 10)" \
    test "$(grep -cx "$other" "$T/moved")" -eq 10
finish
