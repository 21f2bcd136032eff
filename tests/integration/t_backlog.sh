#!/bin/bash
# The listen backlog: not written, the host's limit (net.core.somaxconn),
# so a burst of connections larger than nginx's and Apache's 511 waits in
# the kernel for the workers instead of losing first segments that the
# clients send again 200 ms later; written, as written; and a graceful
# restart (SIGUSR1) applies a changed one to the socket it keeps.  The
# socket's backlog is what ss shows as Send-Q for a listening socket.
. "$(dirname "$0")/lib.sh"
command -v ss > /dev/null || skip "ss not installed (Debian package iproute2)"
start_origin a
P=$(free_port)
max=$(cat /proc/sys/net/core/somaxconn)
# what listen() gives for n: the kernel caps it at somaxconn
capped() { echo $(( $1 < max ? $1 : max )); }
want=$(capped 65535)
backlog() { ss -ltnH "sport = :$P" | awk '{ print $3; exit }'; }
# conf LINE: the service, with LINE among its options
conf() {
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
$1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
	} > "$T/t.conf"
}
# reload_to GEN: SIGUSR1, then wait until generation GEN serves
reload_to() {
	kill -USR1 "$TCPVSD_PID"
	wait_until 10 eventually '[ "$(gen)" = "$1" ]'
}

CTL=$T/ctl
conf ""
start_tcpvsd "$T/t.conf" "$P"
check "not written: the host's limit, $want ($(backlog))" test "$(backlog)" = "$want"
check "and served" test "$(get "http://127.0.0.1:$P/")" = a
g=$(gen)

conf "    backlog = 100"
reload_to $((g + 1))
check "a reload to backlog = 100: the kept socket's is $(capped 100) ($(backlog))" test "$(backlog)" = "$(capped 100)"
check "served by the new generation" test "$(get "http://127.0.0.1:$P/")" = a

conf ""
reload_to $((g + 2))
check "a reload without it: the host's limit again ($(backlog))" test "$(backlog)" = "$want"
stop_tcpvsd

P=$(free_port)
conf "    backlog = 1000"
start_tcpvsd "$T/t.conf" "$P"
check "backlog = 1000 at start: $(capped 1000) ($(backlog))" test "$(backlog)" = "$(capped 1000)"
stop_tcpvsd
finish
