#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# keepalived track script for tcpvsd (vrrp_script).  Exit 0 when this
# director can serve, 1 when it cannot, so that VRRP moves the virtual IP
# to a peer that can.  One of:
#
#   check_tcpvsd.sh -c CONTROL [-i IDENT]
#       through the control socket (tcpvsadm): the master answers, and
#       the service IDENT (or some service) is listening with at least
#       one real server that is not down, drained or disabled and has a
#       weight above 0.  A master that hangs or a pool whose servers are
#       all down both fail it.
#   check_tcpvsd.sh -s ADDR:PORT [-i IDENT]
#       through the status server (status_listen): /metrics answers within
#       a second and tcpvs_server_up is 1 for some server (of IDENT).
#   check_tcpvsd.sh PIDFILE ADDR PORT
#       the process in PIDFILE is alive and ADDR:PORT accepts a connection
#       within a second (no control socket or status server needed).
#
# TCPVSADM names tcpvsadm when it is not on PATH.
tcpvsadm=${TCPVSADM:-tcpvsadm}

by_control() {	# PATH IDENT
	out=$(timeout 2 "$tcpvsadm" --control "$1" -L -n ${2:+-i "$2"} \
	    2>/dev/null) || return 1
	# services listening (ident, listen, scheduler, state, then
	# persistence), then their servers (address, weight, active,
	# inactive, health, admin, id): weight > 0, health not down, admin
	# active; a weight or admin state set with tcpvsadm ends in "*"
	printf '%s\n' "$out" | awk '
		$1 == "->" && $2 == "rule" { next }
		$1 != "->" && NF >= 4 { on = ($4 == "listening") }
		$1 == "->" && on && $3 + 0 > 0 && $6 != "down" &&
		    ($7 == "active" || $7 == "active*") { ok = 1 }
		END { exit !ok }'
}

by_status() {	# ADDR:PORT IDENT
	out=$(timeout 2 curl -s --max-time 1 "http://$1/metrics") || return 1
	printf '%s\n' "$out" | awk -v v="$2" '
		/^tcpvs_server_up\{/ && $2 == 1 &&
		    (v == "" || index($1, "virtual=\"" v "\"")) { ok = 1 }
		END { exit !ok }'
}

by_port() {	# PIDFILE ADDR PORT
	pid=$(cat "${1:-/run/tcpvsd.pid}" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	timeout 1 bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/${3:-80}" \
	    2>/dev/null
}

case ${1:-} in
-c|-s)
	mode=$1 where=${2:-}
	ident=
	[ "${3:-}" = -i ] && ident=${4:-}
	if [ -z "$where" ]; then
		echo "usage: $0 -c CONTROL|-s ADDR:PORT [-i IDENT]" >&2
		exit 2
	fi
	if [ "$mode" = -c ]; then by_control "$where" "$ident"
	else by_status "$where" "$ident"; fi
	;;
*)
	by_port "$@"
	;;
esac
