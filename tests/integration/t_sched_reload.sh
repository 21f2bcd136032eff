#!/bin/bash
# Scheduler state that reloads: under a bounded load (3 clients, a
# connection per request), SIGUSR1 from wlc to lblc, then to mh, and
# tcpvsadm -E -s lblcr and -s rr all succeed (tcpvsd -t accepts each file),
# with zero failed requests; the generation advances each time, and the
# persistence templates of a service that stays survive every switch.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
CTL=$T/ctl
mkconf() { # mkconf SCHED
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "$1"
    persistent = 600
    startservers = 3
    minspareservers = 2
    maxspareservers = 6
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
	} > "$T/t.conf.new" && mv "$T/t.conf.new" "$T/t.conf"
}
mkconf wlc
start_tcpvsd "$T/t.conf" "$P"
sticky=$(get "http://127.0.0.1:$P/")
check "a first request answered ($sticky)" test -n "$sticky"
cpids=""
for c in 1 2 3; do
	for i in $(seq 1000); do
		[ -e "$T/stop" ] && break
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 \
		    "http://127.0.0.1:$P/c$c/$i" || echo "curl-error"
	done > "$T/codes$c" &
	cpids="$cpids $!"
done
g=$(gen)
switch() { # switch WHAT SCHED: wait for the generation after $g
	local want=$((g + 1))
	if wait_until 10 eventually '[ "$(gen)" -ge '"$want"' ]' &&
	    adm -L -n | grep -q "web .* $2"; then
		ok "$1: generation $(gen), scheduler $2"
	else
		fail "$1: still generation $(gen)"; adm -L -n
	fi
	g=$(gen)
	sleep 1
}
sleep 1
mkconf lblc
check "tcpvsd -t accepts lblc" "$TCPVSD" -t -f "$T/t.conf"
kill -USR1 "$TCPVSD_PID"; switch "SIGUSR1 wlc -> lblc" lblc
mkconf mh
kill -USR1 "$TCPVSD_PID"; switch "SIGUSR1 lblc -> mh" mh
check "tcpvsadm -E -s lblcr" adm -E -i web -s lblcr
switch "-E -s lblcr" lblcr
check "tcpvsadm -E -s rr" adm -E -i web -s rr
switch "-E -s rr" rr
touch "$T/stop"
for c in $cpids; do wait "$c"; done
for f in "$T"/codes*; do say "$(basename "$f"): $(sort "$f" | uniq -c | tr '\n' ' ')"; done
total=$(cat "$T"/codes* | wc -l)
good=$(cat "$T"/codes* | grep -cx 200)
check "$total requests during 4 scheduler switches: $good answered 200" \
    test "$good" -eq "$total" -a "$total" -ge 30
check "the first client's template survived: still $sticky" \
    test "$(get "http://127.0.0.1:$P/")" = "$sticky"
check "no scoreboard refusal in the log" eval '! grep -q "shared bytes" "$T/tcpvsd.log"'
finish
