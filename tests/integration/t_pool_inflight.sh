#!/bin/bash
# The master's spare-server maintenance counts capacity in exchange slots
# (issue 19).  With maxinflight 4, two idle workers are two workers' worth
# of spare capacity; four exchanges in flight in one of them (written in
# its exchange slots by tests/tools/sbset, as its engine would) leave one
# worker's worth, below minspareservers, and the master forks a third;
# once they end, three workers' worth is above maxspareservers and one is
# retired.  With maxinflight 1 (prefork), at maxclients with one worker
# still idle nothing is logged; with every worker busy "reached
# maxclients" is logged, once.  A reload that raises inflightlimit is
# refused, naming the option, and the running generation stays.  With
# maxinflight 2, every slot busy for one tick is not logged; for three
# ticks in a row it is.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
pool_conf() {
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    minspareservers = 2
    maxspareservers = 2
    maxclients = $1
    maxinflight = $2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
	} > "$T/t.conf"
}
pool_conf 4 4
start_tcpvsd "$T/t.conf" "$P"
check "startservers: 2 workers" wait_until 5 eventually '[ "$(sb_workers)" -eq 2 ]'
sleep 2.5	# two maintenance ticks
check "2 idle workers of 4 slots: 2 workers' worth spare, none forked" test "$(sb_workers)" -eq 2
slot=$(sb | awk '$1 == "worker" && $5 == "state=idle" { print $2; exit }')
for i in 0 1 2 3; do "$SBSET" "$T/sb" exchange "$slot" "$i" relaying 192.0.2.7; done
check "4 exchanges in flight in worker $slot: 1 worker's worth, a third forked" wait_until 5 eventually '[ "$(sb_workers)" -eq 3 ]'
sleep 2.5
check "and no fourth: 2 workers' worth spare again" test "$(sb_workers)" -eq 3
for i in 0 1 2 3; do "$SBSET" "$T/sb" exchange "$slot" "$i" free; done
check "ended: 3 workers' worth, above maxspareservers, one retired" wait_until 5 eventually '[ "$(sb_workers)" -eq 2 ]'
check "no maxclients warning" test "$(grep -c 'reached maxclients' "$T/tcpvsd.log")" -eq 0
stop_tcpvsd

# prefork: maxclients 2 = startservers, below minspareservers when busy
pool_conf 2 1
start_tcpvsd "$T/t.conf" "$P"
check "maxinflight 1: 2 workers" wait_until 5 eventually '[ "$(sb_workers idle)" -eq 2 ]'
get "http://127.0.0.1:$P/slow/3000" > "$T/slow1" &
PIDS="$PIDS $!"
sleep 2.5
check "one busy, one idle at maxclients: no warning" test "$(grep -c 'reached maxclients' "$T/tcpvsd.log")" -eq 0
wait_until 5 eventually '[ "$(sb_workers idle)" -eq 2 ]'
for round in 1 2; do
	pids=""
	for i in 1 2; do get "http://127.0.0.1:$P/slow/2500" > "$T/slow$round$i" & pids="$pids $!"; done
	PIDS="$PIDS $pids"
	check "round $round: both workers busy" wait_until 2 eventually '[ "$(sb_workers idle)" -eq 0 ]'
	sleep 1.5	# a maintenance tick while full
	check "round $round: the warning logged" grep -q 'virtual web: reached maxclients (2), every exchange slot busy' "$T/tcpvsd.log"
	for p in $pids; do wait "$p"; done
done
check "all slow requests answered" test "$(cat "$T"/slow* | grep -cx a)" -eq 5
check "logged once, not at every full moment" test "$(grep -c 'reached maxclients' "$T/tcpvsd.log")" -eq 1

sed -i '1i inflightlimit = 512' "$T/t.conf"
kill -HUP "$TCPVSD_PID"
check "a reload raising inflightlimit: refused, saying to stop and start" wait_until 5 grep -q "inflightlimit (512) is greater than the running scoreboard's (256): stop and start tcpvsd to raise it" "$T/tcpvsd.log"
check "generation 1 keeps serving" grep -q "reload rejected: inflightlimit .*; generation 1 keeps serving" "$T/tcpvsd.log"
check "and serves" test "$(get "http://127.0.0.1:$P/")" = a
stop_tcpvsd

# several exchanges a worker: every slot busy for a moment is normal under
# load, not worth the warning; busy for three ticks in a row, it is
pool_conf 2 2
start_tcpvsd "$T/t.conf" "$P"
check "maxinflight 2: 2 workers" wait_until 5 eventually '[ "$(sb_workers)" -eq 2 ]'
slots=$(sb | awk '$1 == "worker" && $3 != "pid=0" { print $2 }')
fill() { for s in $slots; do for i in 0 1; do "$SBSET" "$T/sb" exchange "$s" "$i" "$1" 192.0.2.7; done; done; }
n0=$(grep -c 'reached maxclients' "$T/tcpvsd.log")
fill relaying; sleep 1.2; fill free
sleep 1.5
check "every slot busy for a tick: no warning" test "$(grep -c 'reached maxclients' "$T/tcpvsd.log")" -eq "$n0"
fill relaying
check "every slot busy for three ticks: the warning" wait_until 6 grep -q 'virtual web: reached maxclients (2), every exchange slot busy (maxinflight 2)' "$T/tcpvsd.log"
fill free
finish
