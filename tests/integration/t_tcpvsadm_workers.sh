#!/bin/bash
# tcpvsadm --workers shows the scoreboard (one character per slot, with a
# key) and a busy worker during a slow request: its pid, state, client,
# real server and request line; -L --rate shows requests per second while
# requests are made and 0 once they stop.
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
busy() { adm --workers -n | grep -E "^ +[0-9]+ +[0-9]+ web +[0-9]+ relaying +[0-9]+ 127\.0\.0\.1 +${A//./\\.} +GET /slow/3000 HTTP/1\.1"; }
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

# --rate: RPS over the last seconds while requests come, then 0
rps() { adm -L -n --rate | awk '$1 == "web" { print $3 }'; }
for i in $(seq 40); do get "http://127.0.0.1:$P/r$i" > /dev/null; sleep 0.05; done &
load=$!
check "--rate: requests per second above 0 under load" wait_until 8 eventually '[ "$(rps)" -gt 0 ]'
adm -L -n --rate
wait "$load"
check "--rate: back to 0 after the load" wait_until 10 eventually '[ "$(rps)" -eq 0 ]'
finish
