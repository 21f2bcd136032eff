#!/bin/bash
# 10 SIGUSR1 graceful restarts, one a second, while a bounded load runs
# (4 clients with a connection per request, 1 client asking for keep-alive
# with 20 requests per curl run): zero connection errors, zero non-2xx; a
# rule added between two restarts takes effect; listening sockets are
# never re-bound.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
mkconf() { # mkconf EXTRA_RULE
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 3
    minspareservers = 2
    maxspareservers = 6
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    $1
    rule { pattern = ".*" server = "127.0.0.1:$PORT_a" }
}
EOF2
	} > "$T/t.conf.new" && mv "$T/t.conf.new" "$T/t.conf"
}
mkconf ""
start_tcpvsd "$T/t.conf" "$P"
check "before: /new goes to a" test "$(get "http://127.0.0.1:$P/new")" = a
cpids=""
load() { # until $T/stop exists, at most 1000 requests per client
	for c in 1 2 3 4; do
		for i in $(seq 1000); do
			[ -e "$T/stop" ] && break
			curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "http://127.0.0.1:$P/r$c-$i" || echo "curl-error"
		done > "$T/codes$c" &
		cpids="$cpids $!"
	done
	for i in $(seq 50); do
		[ -e "$T/stop" ] && break
		urls=""; for j in $(seq 20); do urls="$urls -o /dev/null http://127.0.0.1:$P/k$i-$j"; done
		# shellcheck disable=SC2086
		curl -s -w '%{http_code}\n' --max-time 20 -H 'Connection: keep-alive' $urls || echo "curl-error"
	done > "$T/codes5" &
	cpids="$cpids $!"
}
load
for k in $(seq 10); do
	sleep 1
	[ "$k" -eq 5 ] && mkconf 'rule { pattern = "^/new" server = "127.0.0.1:'"$PORT_b"'" }'
	kill -USR1 "$TCPVSD_PID"
done
sleep 0.5
touch "$T/stop"
for c in $cpids; do wait "$c"; done
for f in "$T"/codes*; do say "$(basename "$f"): $(sort "$f" | uniq -c | tr '\n' ' ')"; done
total=$(cat "$T"/codes* | wc -l)
good=$(cat "$T"/codes* | grep -cx 200)
check "$total requests during 10 graceful restarts: $good answered 200" test "$good" -eq "$total" -a "$total" -ge 200
check "the new rule took effect: /new goes to b" test "$(get "http://127.0.0.1:$P/new")" = b
check "generation advanced to 11" wait_until 5 grep -q "generation 11 serving" "$T/tcpvsd.log"
check "old generations retired" wait_until 10 grep -q "generation 10 retired" "$T/tcpvsd.log"
check "no bind error in the log" test "$(grep -c 'bind' "$T/tcpvsd.log")" -eq 0
check "old workers all gone: only current generation's workers" wait_until 10 eventually 'test "$(children | wc -l)" -eq "$(sb_workers)"'
finish
