#!/bin/bash
# accept_proxy never blocks a worker: a client that sends half a PROXY
# header and stalls holds one exchange of the only worker (maxclients = 1)
# while other clients on that worker are answered at once (its other
# exchanges: maxinflight > 1, whatever the suite's setting; at
# maxinflight = 1 the stalled header holds the only place, as a slow
# request head does in Apache prefork); the stalled
# one is closed, not answered, with a log line (at request_min_rate
# or request_timeout).
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    maxinflight = 4
    request_timeout = 6
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"

# half a v1 header, then nothing
exec 3<>"/dev/tcp/127.0.0.1/$P" || { fail "connect"; finish; }
printf 'PROXY TCP4 198.51.100.7 ' >&3
sleep 0.3
for i in 1 2 3; do
	t=$(curl -s -o "$T/out$i" -w '%{time_total}' --max-time 20 \
	    --haproxy-protocol "http://127.0.0.1:$P/")
	ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
	check "client $i answered beside the stalled header within 1 s ($ms ms)" \
	    test "$(cat "$T/out$i")" = a -a "$ms" -lt 1000
done
# the stalled connection is closed (request_min_rate or request_timeout), not answered
if timeout 15 cat <&3 > "$T/stalled"; then
	check "the stalled connection closed without an answer" \
	    test ! -s "$T/stalled"
else
	fail "the stalled connection not closed cleanly within 15 s"
fi
exec 3<&-
check "its closing logged" wait_until 5 grep -q \
    'no complete PROXY header .*, closing' "$T/tcpvsd.log"
finish
