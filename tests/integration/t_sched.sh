#!/bin/bash
# Distribution by the schedulers with real processes: rr exactly even,
# wrr 3:1 within tolerance, wlc sends new requests away from a busy server;
# at light load (one request at a time) wlc keeps weights 1:3 and lc splits
# evenly; a rule's servers only, with rule_scheduler wrr too; README's
# demo (conf/tcpvs.conf) answers from all three origins.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
run() { # run SCHED WEIGHT_A WEIGHT_B: start a tcpvsd, sets P
	P=$(free_port)
	{ conf_header | sed "s|$T/sb|$T/sb-$1|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "$1"
    startservers = 4
    minspareservers = 2
    maxspareservers = 8
    server "127.0.0.1:$PORT_a" { weight = $2 }
    server "127.0.0.1:$PORT_b" { weight = $3 }
}
EOF2
	} > "$T/$1.conf"
	sed -i "s|$T/tcpvsd.pid|$T/$1.pid|" "$T/$1.conf"
	start_tcpvsd "$T/$1.conf" "$P"
}
count() { grep -cx "$1" "$T/out"; }
near() { [ "$1" -ge $(($2 - $3)) ] && [ "$1" -le $(($2 + $3)) ]; }

run rr 1 1
for i in $(seq 300); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "rr: 150/150 over 300" test "$(count a)" -eq 150 -a "$(count b)" -eq 150

run wrr 3 1
for i in $(seq 400); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "wrr 3:1: a=$(count a) b=$(count b) of 400 (300:100)" test "$(count a)" -eq 300 -a "$(count b)" -eq 100

# sequential requests: every server idle each time, ties taken in turn
run wlc 1 3
for i in $(seq 40); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "wlc 1:3 sequential: a=$(count a) b=$(count b) of 40 (10:30 +- 2)" \
    eval 'near "$(count a)" 10 2 && near "$(count b)" 30 2'
stop_tcpvsd

run lc 1 3
for i in $(seq 40); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "lc 1:3 sequential: a=$(count a) b=$(count b) of 40 (20:20 +- 2)" \
    eval 'near "$(count a)" 20 2 && near "$(count b)" 20 2'
stop_tcpvsd

# a rule's servers, whatever the rule_scheduler (wrr used to ignore it)
P=$(free_port)
{ conf_header | sed "s|$T/sb\"|$T/sb-rules\"|"; cat <<EOF2
virtual rules {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    rule_scheduler = "wrr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    rule { pattern = "^/static/" server = "127.0.0.1:$PORT_a" }
    rule { pattern = "^/" server = {"127.0.0.1:$PORT_a", "127.0.0.1:$PORT_b"} }
}
EOF2
} > "$T/rules.conf"
sed -i "s|$T/tcpvsd.pid|$T/rules.pid|" "$T/rules.conf"
start_tcpvsd "$T/rules.conf" "$P"
for i in $(seq 12); do get "http://127.0.0.1:$P/static/x$i"; done > "$T/out"
check "http + rule_scheduler wrr: 12 /static/ requests all on a, the rule's server ($(count a))" \
    test "$(count a)" -eq 12
stop_tcpvsd

# README's demo: conf/tcpvs.conf as shipped, on free ports
start_origin c
P=$(free_port)
sed -e "s|127.0.0.1:8080|127.0.0.1:$P|" -e "s|127.0.0.1:8081|127.0.0.1:$PORT_a|g" \
    -e "s|127.0.0.1:8082|127.0.0.1:$PORT_b|g" -e "s|127.0.0.1:8083|127.0.0.1:$PORT_c|g" \
    -e "s|/tmp/tcpvsd-demo.pid|$T/demo.pid|" -e "s|/tmp/tcpvsd-demo.sock|$T/demo.sock|" \
    "$top_srcdir/conf/tcpvs.conf" > "$T/demo.conf"
start_tcpvsd "$T/demo.conf" "$P"
for i in $(seq 30); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "demo: 30 requests answered by a=$(count a) b=$(count b) c=$(count c), all three" \
    test "$(count a)" -ge 1 -a "$(count b)" -ge 1 -a "$(count c)" -ge 1
stop_tcpvsd

run wlc 1 1
ln -sf "$T/sb-wlc" "$T/sb"
act() { sb_server "web/127.0.0.1:$1" active; }
# three slow requests: wlc spreads them 2:1; short ones then go to the
# server with fewer active connections, every time
cpids=""
for i in 1 2 3; do get "http://127.0.0.1:$P/slow/4000" > /dev/null & cpids="$cpids $!"; done
three() { [ $(( $(act "$PORT_a") + $(act "$PORT_b") )) -eq 3 ]; }
check "wlc: three slow requests counted active" wait_until 5 three
less=a; [ "$(act "$PORT_b")" -lt "$(act "$PORT_a")" ] && less=b
check "wlc: slow requests spread 2:1" test "$(act "$PORT_a")" -ge 1 -a "$(act "$PORT_b")" -ge 1
for i in $(seq 6); do get "http://127.0.0.1:$P/"; done > "$T/out"
check "wlc: 6 short requests all go to the less loaded server $less" test "$(count $less)" -eq 6
for c in $cpids; do wait "$c"; done
finish
