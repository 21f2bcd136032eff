#!/bin/bash
# tcpvsadm --workers shows the scoreboard (one character per slot, with a
# key) and a busy worker during a slow request: its pid, state, client,
# real server and request line; with exchanges in flight in a worker's
# exchange slots (written as its engine would, by tests/tools/sbset), the
# worker's counts by state and parked connections, then each exchange
# under it; a worker killed with exchanges holding a server gives its
# active count back; -L --rate shows requests per second while requests
# are made and 0 once they stop.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a
P=$(free_port)
A=127.0.0.1:$PORT_a
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "wlc"
    startservers = 3
    server "$A" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "idle workers in the scoreboard line" wait_until 10 eventually 'adm --workers | sed -n 2p | grep -q "^___"'
get "http://127.0.0.1:$P/slow/3000" > "$T/slow" &
slow=$!
# the worker row (its furthest exchange's state, its last request and
# where it went), then that exchange's own row under it
busy() { adm --workers -n | grep -A1 -E "^ +[0-9]+ +[0-9]+ web +[0-9]+ relaying +[0-9]+( +[0-9]+){6} +127\.0\.0\.1 +${A//./\\.} +GET /slow/3000 HTTP/1\.1" | grep -B1 -E "^ +[0-9]+-[0-9]+ +relaying +[0-9]+ +127\.0\.0\.1 +${A//./\\.} +GET /slow/3000 HTTP/1\.1" | head -n 1 | grep .; }
check "--workers: the busy worker, relaying /slow/3000 to $A" wait_until 5 busy
adm --workers -n > "$T/workers"
cat "$T/workers"
check "--workers: a W in the scoreboard line" grep -q '^[_.SW]*W' <(sed -n 2p "$T/workers")
check "--workers: one character per slot (256 slots, 4 lines of 64)" test "$(grep -cE '^[_.SRsCWKG]{64}$' "$T/workers")" -eq 4
check "--workers: the key" grep -q '^Key: "S" starting, "_" idle, "R" reading, .*"W" relaying, .*"\." open slot$' "$T/workers"
pid=$(busy | awk '{ print $2 }')
check "--workers: the pid is a worker of tcpvsd ($pid)" grep -qx "$pid" <(children)
check "--workers: time in state counts up" wait_until 3 eventually 'busy | awk "{ exit !(\$6 >= 1) }"'
wait "$slow"
check "the slow request was answered" test "$(cat "$T/slow")" = a
check "--workers: no busy worker once it is done" wait_until 5 eventually '[ -z "$(busy)" ]'

# exchanges in flight (issue 19), in the slots of a live idle worker
KA="web/$A"
slot=$(sb | awk '$1 == "worker" && $5 == "state=idle" { print $2; exit }')
wpid=$(sb | awk -v s="$slot" '$1 == "worker" && $2 == s { sub("pid=", "", $3); print $3 }')
"$SBSET" "$T/sb" exchange "$slot" 0 relaying 192.0.2.7 "$KA" "GET /inflight HTTP/1.1"
"$SBSET" "$T/sb" exchange "$slot" 1 reading 192.0.2.8
"$SBSET" "$T/sb" parked "$slot" 3
adm --workers -n > "$T/xworkers"
cat "$T/xworkers"
check "--workers: a column per exchange state, headed by its key character" grep -Eq '^ +Slot +PID +Ident +Gen +State +Secs +R +s +C +W +G +Parked +Client +Server +Request$' "$T/xworkers"
check "--workers: worker $slot ($wpid): 1 reading, 1 relaying, 3 parked" grep -Eq "^ +$slot +$wpid web +[0-9]+ idle +[0-9]+ +1 +0 +0 +1 +0 +3 " "$T/xworkers"
check "--workers: its relaying exchange, client, server and request" grep -Eq "^ +$slot-0 +relaying +[0-9]+ +192\.0\.2\.7 +${A//./\\.} +GET /inflight HTTP/1\.1$" "$T/xworkers"
check "--workers: its reading exchange, no server yet" grep -Eq "^ +$slot-1 +reading +[0-9]+ +192\.0\.2\.8 +- *$" "$T/xworkers"
check "--workers: the exchanges right under their worker" test "$(grep -A2 -E "^ +$slot +$wpid " "$T/xworkers" | grep -cE "^ +$slot-[01] ")" -eq 2
check "the relaying exchange holds an active count on $A" test "$(sb_server "$KA" active)" = 1
"$SBSET" "$T/sb" exchange "$slot" 1 free
check "--workers: an exchange ended is gone" wait_until 3 eventually '! adm --workers -n | grep -qE "^ +$slot-1 "'
kill -KILL "$wpid"
check "worker killed with an exchange in flight: $A's active count back to 0" wait_until 5 eventually '[ "$(sb_server "$KA" active)" = 0 ]'
check "--workers: its exchange and parked connections gone" wait_until 5 eventually '! adm --workers -n | grep -qE "^ +$slot-0 |^ +$slot +$wpid "'

# --rate: RPS over the last seconds while requests come, then 0
rps() { adm -L -n --rate | awk '$1 == "web" { print $3 }'; }
for i in $(seq 40); do get "http://127.0.0.1:$P/r$i" > /dev/null; sleep 0.05; done &
load=$!
check "--rate: requests per second above 0 under load" wait_until 8 eventually '[ "$(rps)" -gt 0 ]'
adm -L -n --rate
wait "$load"
check "--rate: back to 0 after the load" wait_until 10 eventually '[ "$(rps)" -eq 0 ]'
finish
