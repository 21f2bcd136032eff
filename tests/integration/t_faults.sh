#!/bin/bash
# Faults under a bounded mixed load (issue 9): an origin killed and
# restarted, workers and the health checker killed, an origin that resets
# mid-response and one that stalls are all hit while 4 kept-alive clients fetch a 64 KiB body
# in two framings.  No body the client accepted as complete is corrupt
# (SHA-256 against the origin's own), responses cut short are never
# presented as complete, and tcpvsd keeps serving.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 8
    read_timeout = 2
    check = "tcp"
    check_interval = 0.5
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
python3 "$top_srcdir/tests/integration/faultload.py" "$P" "$PORT_a" 4 14 > "$T/load" 2>&1 &
LOAD=$!; PIDS="$PIDS $LOAD"
sleep 2
# resets mid-response and stalls, through the same daemon
for i in 1 2 3; do
	curl -s --max-time 5 "http://127.0.0.1:$P/reset/65536" > /dev/null &
	curl -s --max-time 5 "http://127.0.0.1:$P/slow/3000" > /dev/null &
done
# kill origin b and bring it back on its port
kill -KILL "$PID_b"; sleep 2
"$ORIGIN" -l "127.0.0.1:$PORT_b" -n b -r "$T/req-b" > "$T/origin-b2.out" 2>&1 &
PIDS="$PIDS $!"
# kill two workers and the health checker
hc=$(for p in $(children); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = tcpvsd-health ] && echo "$p"; done)
[ -n "$hc" ] && kill -KILL $hc
for w in $(children | head -n 2); do [ "$w" = "$hc" ] || kill -KILL "$w"; sleep 1; done
sleep 2
kill -KILL "$PID_a"; sleep 1
"$ORIGIN" -l "127.0.0.1:$PORT_a" -n a -r "$T/req-a" > "$T/origin-a2.out" 2>&1 &
PIDS="$PIDS $!"
wait "$LOAD"
cat "$T/load"
eval "$(tr ' ' '\n' < "$T/load" | grep '=')"
check "load ran: $complete complete responses" test "${complete:-0}" -gt 100
check "no corrupt body accepted (corrupt=$corrupt)" test "${corrupt:-1}" -eq 0
serves() { local r; r=$(get "http://127.0.0.1:$P/"); [ "$r" = a ] || [ "$r" = b ]; }
check "tcpvsd still serves" wait_until 5 serves
check "the health checker was killed and restarted" test -n "$hc" -a "$(grep -c 'health checker .* killed by signal 9: restarting' "$T/tcpvsd.log")" -ge 1
check "a reset mid-response reaches the client as a cut body (curl 18)" test "$(curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$P/reset/65536"; echo $?)" -eq 18
finish
