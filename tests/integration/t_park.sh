#!/bin/bash
# Kept-alive connections wait between requests in the epoll set of the
# worker that accepted them.  One worker holds 600 of them and answers a
# second request on every one (its places grow past the 64 it starts
# with; before, 256 was the most and the oldest were closed).  Under a
# small open-files limit it holds what leaves it descriptors to accept
# with: the oldest idle connections are closed to make room, every new
# connection is still served, and accept never fails for want of a
# descriptor.  Under a large one it holds more than 4096.
. "$(dirname "$0")/lib.sh"
start_origin a
P1=$(free_port); P2=$(free_port)
mk() { # mk PORT CONF
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$1"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    keepalive_timeout = 60
    server "127.0.0.1:$PORT_a" { }
}
EOF2
	} > "$2"
}
mk "$P1" "$T/one.conf"
start_tcpvsd "$T/one.conf" "$P1"
timeout 120 $H1 many "$P1" 600 > "$T/many" 2> "$T/many.err"
check "one worker: 600 first requests answered" grep -qx 'first 600' "$T/many"
check "and 600 second requests on the kept connections, none closed" grep -qx 'second 600 0' "$T/many"
stop_tcpvsd

# open-files limit 256: the worker keeps 64 + its listening sockets and
# kept server connections for itself
mk "$P2" "$T/lim.conf"
sed -i "s|^pidfile = .*|pidfile = \"$T/lim.pid\"|; s|^scoreboardfile = .*|scoreboardfile = \"$T/lim.sb\"|" "$T/lim.conf"
(ulimit -n 256 && exec "$TCPVSD" -F -f "$T/lim.conf") > "$T/lim.log" 2>&1 &
TCPVSD_PID=$!
PIDS="$PIDS $TCPVSD_PID"
wait_until 10 port_open "$P2" || { fail "tcpvsd did not listen on $P2"; finish; }
timeout 120 $H1 many "$P2" 300 > "$T/lim" 2> "$T/lim.err"
check "limit 256: all 300 first requests answered" grep -qx 'first 300' "$T/lim"
read -r _ kept closed < <(grep '^second' "$T/lim")
check "some idle connections were closed to make room ($closed)" test "${closed:-0}" -gt 0
check "at most 256 descriptors' worth were kept ($kept)" test "${kept:-0}" -gt 100 -a "${kept:-0}" -lt 256
check "the oldest were the ones closed" grep -q '^closed by the server: 0 1 2 ' "$T/lim.err"
check "accept never ran out of descriptors" eval '! grep -q "Too many open files" "$T/lim.log"'
check "a new connection is still served" test "$(get "http://127.0.0.1:$P2/")" = a
stop_tcpvsd
cat "$T/lim.log" >> "$T/tcpvsd.log"

# open-files limit 12,000: one worker holds 5,000 (4096 was its most, so
# a pool of two closed idle connections past 8,192)
if ulimit -n 12000 2> /dev/null; then
	P3=$(free_port)
	mk "$P3" "$T/big.conf"
	start_tcpvsd "$T/big.conf" "$P3"
	timeout 300 $H1 many "$P3" 5000 > "$T/big" 2> "$T/big.err"
	check "one worker: 5000 first requests answered" grep -qx 'first 5000' "$T/big"
	check "and 5000 second requests on the kept connections, none closed" grep -qx 'second 5000 0' "$T/big"
	stop_tcpvsd
else
	echo "open files $(ulimit -n): no part past 4096"
fi
finish
