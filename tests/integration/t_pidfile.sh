#!/bin/bash
# The pidfile is locked: a second tcpvsd with the same pidfile refuses to
# start with a message naming it and the running pid, waiting for a
# starting one to write its pid.  A pidfile or control
# socket in a directory that does not exist stops tcpvsd at start with a
# message naming the path and the option, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port); P2=$(free_port)
mk() { { conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$1"
    startservers = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$2"; }
mk "$P" "$T/one.conf"
mk "$P2" "$T/two.conf"
start_tcpvsd "$T/one.conf" "$P"
"$TCPVSD" -F -f "$T/two.conf" > "$T/second.log" 2>&1 &
second=$!
PIDS="$PIDS $second"
gone() { ! kill -0 "$second" 2>/dev/null; }
check "the second tcpvsd exits" wait_until 5 gone
wait "$second"; rc=$?
check "with status 1" test "$rc" -eq 1
check "saying the pidfile is locked by the running pid" grep -q "pidfile $T/tcpvsd.pid is locked: tcpvsd is already running as pid $TCPVSD_PID" "$T/second.log"
check "the first still serves" test "$(get "http://127.0.0.1:$P/")" = a

# tcpvsd -F with CONF; its status (bounded: it must not start)
start_fails() {
	timeout 10 "$TCPVSD" -F -f "$1" > "$2" 2>&1
}
P3=$(free_port)
mk "$P3" "$T/nodir.conf"
sed -i "s|^pidfile = .*|pidfile = \"$T/nodir/tcpvsd.pid\"|" "$T/nodir.conf"
start_fails "$T/nodir.conf" "$T/nodir.log"; rc=$?
check "a pidfile in a missing directory: status 1" test "$rc" -eq 1
check "the message names the pidfile and the option" grep -q "pidfile $T/nodir/tcpvsd.pid: No such file or directory; the pidfile option wants a writable path in an existing directory" "$T/nodir.log"
check "and says tcpvsd did not start" grep -q "not started with $T/nodir.conf" "$T/nodir.log"

mk "$P3" "$T/noctl.conf"
sed -i -e "s|^control = .*|control = \"$T/nodir/ctl.sock\"|" \
    -e "s|^pidfile = .*|pidfile = \"$T/noctl.pid\"|" "$T/noctl.conf"
start_fails "$T/noctl.conf" "$T/noctl.log"; rc=$?
check "a control socket in a missing directory: status 1" test "$rc" -eq 1
check "the message names the socket and the option" grep -q "control $T/nodir/ctl.sock: No such file or directory; the control option wants a path in an existing, writable directory, or \"\" for no control socket" "$T/noctl.log"
check "the pidfile it locked is removed" test ! -e "$T/noctl.pid"
check "nothing listens on its port" test -z "$(get "http://127.0.0.1:$P3/" 2>/dev/null)"

# a tcpvsd that has locked its pidfile but not yet written its pid (it
# binds first): the second waits for the pid instead of saying "?"
P4=$(free_port)
mk "$P4" "$T/starting.conf"
sed -i "s|^pidfile = .*|pidfile = \"$T/starting.pid\"|" "$T/starting.conf"
( exec 9<> "$T/starting.pid"; flock -x 9; sleep 0.5; echo 4242 >&9; exec sleep 20 ) &
holder=$!
PIDS="$PIDS $holder"
wait_until 5 eventually '! flock -n "$T/starting.pid" true'
start_fails "$T/starting.conf" "$T/starting.log"; rc=$?
check "beside a starting tcpvsd: status 1" test "$rc" -eq 1
check "naming its pid once written" grep -q "pidfile $T/starting.pid is locked: tcpvsd is already running as pid 4242" "$T/starting.log"
kill "$holder"
finish
