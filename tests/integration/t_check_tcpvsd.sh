#!/bin/bash
# contrib/keepalived/check_tcpvsd.sh, keepalived's track script (issue
# 10), in each of its three forms: through the control socket (-c),
# through the status server (-s) and by pidfile and port.  It passes
# while a service listens with a server that can serve, and fails once
# every server is drained or down, once the service is stopped, and once
# tcpvsd is gone, so that VRRP moves the virtual IP away.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b
P=$(free_port); S=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b
{ conf_header; cat <<EOF2
status_listen = "127.0.0.1:$S"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    check = "http"
    check_interval = 0.2
    rise = 1
    fall = 1
    server "$A" { }
    server "$B" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$S"
CHK="$top_srcdir/contrib/keepalived/check_tcpvsd.sh"
export TCPVSADM
ctl() { sh "$CHK" -c "$CTL" "$@"; }
st() { sh "$CHK" -s "127.0.0.1:$S" "$@"; }
byport() { sh "$CHK" "$T/tcpvsd.pid" 127.0.0.1 "$P"; }
check "-c: healthy" wait_until 5 ctl
check "-c -i web: healthy" ctl -i web
check "-c -i nosuch: unhealthy" eval '! ctl -i nosuch'
check "-s: healthy" wait_until 5 st
check "-s -i web: healthy" st -i web
check "pidfile and port: healthy" byport

adm --drain -i web -r "$A"
check "-c: one server drained, still healthy" ctl
adm --disable -i web -r "$B"
check "-c: every server drained or disabled: unhealthy" eval '! ctl'
check "-s: unhealthy too" wait_until 5 eventually '! st'
adm --enable -i web -r "$A"
adm --enable -i web -r "$B"
check "-c: enabled again: healthy" ctl
adm -e -i web -r "$A" -w 0
adm -e -i web -r "$B" -w 0
check "-c: every weight 0: unhealthy" eval '! ctl'
adm -e -i web -r "$A" -w 1
adm -e -i web -r "$B" -w 1

kill -STOP "$PID_a" "$PID_b"	# the checker marks both down
check "-c: every server down: unhealthy" wait_until 10 eventually '! ctl'
check "-s: every server down: unhealthy" wait_until 5 eventually '! st'
kill -CONT "$PID_a" "$PID_b"
check "-c: back up: healthy" wait_until 10 ctl

adm --stop -i web
check "-c: service stopped: unhealthy" wait_until 5 eventually '! ctl'
adm --start -i web
check "-c: started: healthy" wait_until 10 ctl

kill -TERM "$TCPVSD_PID"
check "tcpvsd gone: -c unhealthy" wait_until 15 eventually '! ctl'
check "tcpvsd gone: -s unhealthy" eval '! st'
check "tcpvsd gone: pidfile and port unhealthy" eval '! byport'
check "a usage error exits 2" eval 'sh "$CHK" -c; test $? -eq 2'
finish
