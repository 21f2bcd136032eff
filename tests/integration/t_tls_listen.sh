#!/bin/bash
# tls_listen addresses are bound by the master and handed across
# generations like listen ones: a TCP connect succeeds, a graceful restart
# (SIGUSR1) keeps the socket (no connection is refused while it happens), a
# plain listen address that becomes a tls_listen one keeps its socket, and
# a reload that drops an address closes it.  tcpvsadm -L marks the TLS
# addresses "/tls", -S writes tls_listen back, and /metrics has the TLS
# handshake families.  (The handshake itself is
# the exchange's: here only the socket.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
start_origin a
make_ca ca
make_cert ca site www.example.test
P=$(free_port); Q=$(free_port); S=$(free_port)
CTL=$(mktemp -u "$T/ctl.XXXXXX")
# write_conf LISTEN TLS_LISTEN: the service with those (a list each)
write_conf() {
	{ conf_header; cat <<EOF2
status_listen = "127.0.0.1:$S"
virtual web {
    listen = $1
    tls_listen = $2
    tls_certificate = "$T/site.pem"
    startservers = 2
    maxclients = 8
    server "127.0.0.1:$PORT_a" { }
}
EOF2
	} > "$T/t.conf"
}
write_conf "\"127.0.0.1:$P\"" "\"127.0.0.1:$Q\""
start_tcpvsd "$T/t.conf" "$P"
check "a TCP connect to the tls_listen address succeeds" port_open "$Q"
check "tcpvsadm -L shows it, marked /tls" eval \
    "adm -L -n | grep -q '127.0.0.1:$P,127.0.0.1:$Q/tls'"
check "tcpvsadm -S writes tls_listen" eval \
    "adm -S | grep -q \"tls_listen = {'127.0.0.1:$Q'}\""
wait_until 5 port_open "$S"
# the TCP connect above closed before a ClientHello: one handshake cut
# short, counted once the worker has read its end
wait_until 5 eventually "get http://127.0.0.1:$S/metrics | grep -q 'virtual=\"web\",reason=\"eof\"} 1'"
get "http://127.0.0.1:$S/metrics" > "$T/metrics"
python3 "$top_srcdir/tests/integration/promparse.py" "$T/metrics" > "$T/samples" 2> "$T/perr"
check "/metrics passes a strict exposition-format parser $(cat "$T/perr")" test -s "$T/samples" -a ! -s "$T/perr"
for f in tls_handshakes_total tls_resumed_handshakes_total tls_failed_handshakes_total; do
	check "/metrics: HELP and TYPE of tcpvs_service_$f" eval \
	    "grep -q '^# HELP tcpvs_service_$f ' '$T/metrics' && grep -q '^# TYPE tcpvs_service_$f counter' '$T/metrics'"
done
check "/metrics: handshakes of web, none yet" \
    grep -qx 'tcpvs_service_tls_handshakes_total{virtual="web"} 0' "$T/samples"
for r in io eof not-tls protocol certificate other; do
	n=0; [ "$r" = eof ] && n=1
	check "/metrics: failed handshakes of web by reason $r: $n" \
	    grep -qx "tcpvs_service_tls_failed_handshakes_total{virtual=\"web\",reason=\"$r\"} $n" "$T/samples"
done

# connect to PORT in a loop until $T/stop appears (bounded: 3000 tries);
# a refused connect is counted in $T/refused-PORT
hammer() {
	local n=0 bad=0
	while [ ! -e "$T/stop" ] && [ "$n" -lt 3000 ]; do
		port_open "$1" || bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$bad $n" > "$T/refused-$1"
}
# reload_under_load PORT SIGNAL-COUNT: SIGUSR1 that many times while PORT
# is hammered; prints "refused tries"
reload_under_load() {
	local g0 h; rm -f "$T/stop" "$T/refused-$1"
	hammer "$1" & h=$!
	sleep 0.3
	for _ in $(seq "$2"); do
		g0=$(gen)
		kill -USR1 "$TCPVSD_PID"
		wait_until 10 eventually "[ \"\$(gen)\" -gt $g0 ]" || fail "no new generation after $g0"
		sleep 0.3
	done
	touch "$T/stop"; wait "$h"
	cat "$T/refused-$1"
}
set -- $(reload_under_load "$Q" 3)
check "3 x SIGUSR1: no refused connection to the tls_listen address ($1 of $2)" \
    test "$1" = 0 -a "$2" -gt 10
check "it still accepts" port_open "$Q"

# listen P becomes tls_listen P; tls_listen Q is dropped
write_conf "{}" "\"127.0.0.1:$P\""
sed -i '/listen = {}/d' "$T/t.conf"
set -- $(reload_under_load "$P" 1)
check "listen -> tls_listen on the same address: no refused connection ($1 of $2)" \
    test "$1" = 0 -a "$2" -gt 10
check "tcpvsadm -L: the address is now /tls" eval \
    "adm -L -n | grep -q ' 127.0.0.1:$P/tls '"
check "the dropped tls_listen address is released" \
    wait_until 10 eventually "! port_open $Q"
check "... and free to listen on" python3 -c "import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $Q)); s.listen(1)"
check "no reload was rejected" eval "! grep -q 'reload rejected\\|cannot listen' '$T/tcpvsd.log'"
finish
