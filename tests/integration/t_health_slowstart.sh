#!/bin/bash
# slowstart: a server that the checker brings back up starts with a
# fraction of its weight, which rises step by step to the configured
# weight over slowstart seconds (seen in the scoreboard); a server that
# is up from the start gets its whole weight at once.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "wrr"
    startservers = 1
    maxclients = 8
    check = "tcp"
    check_interval = 0.2
    rise = 1
    fall = 1
    slowstart = 8
    server "127.0.0.1:$PORT_a" { weight = 100 }
    server "127.0.0.1:$PORT_b" { weight = 100 }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KA="web/127.0.0.1:$PORT_a"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }
check "a up" wait_until 10 is "$KA" health up
check "up from the start: whole weight, no ramp" eval 'is "$KA" weight 100 && is "$KA" ramp_ms 0'
stop_origin a
check "a down" wait_until 10 is "$KA" health down
"$ORIGIN" -l "127.0.0.1:$PORT_a" -n a > "$T/origin-a2.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 port_open "$PORT_a" || fail "origin a did not start again"
check "a up again" wait_until 10 is "$KA" health up
# weight every 0.2 s until it is whole again (bounded)
for i in $(seq 60); do
	w=$(sb_server "$KA" weight); echo "$w"
	[ "$w" = 100 ] && break
	sleep 0.2
done > "$T/w"
say "weights: $(uniq "$T/w" | tr '\n' ' ')"
check "starts low (at most 60 of 100)" test "$(head -n 1 "$T/w")" -le 60
check "rises in steps (at least 3 seen)" test "$(uniq "$T/w" | wc -l)" -ge 4
check "never falls" sort -n -c "$T/w"
check "ends at the configured weight" test "$(tail -n 1 "$T/w")" = 100
check "the ramp is over" wait_until 5 is "$KA" ramp_ms 0
check "conf_weight stayed 100" is "$KA" conf_weight 100
check "b was never ramped" is "web/127.0.0.1:$PORT_b" weight 100
finish
