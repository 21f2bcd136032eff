#!/bin/bash
# Configuration checks of issue 23, on a running tcpvsd: an option written
# twice is refused with both lines; maxclients = 1 with the default
# startservers (one a CPU) is accepted with a warning; maxclients = 4
# does not log "reached maxclients" while idle; a failed start and a rejected reload are logged
# at level error; a server address without a port is port 80 in the file
# as in tcpvsadm, so either names the same server.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a
P=$(free_port)
A=127.0.0.1:$PORT_a
mkconf() { # mkconf SERVICE-OPTIONS
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
$1
    server "$A" { }
    server "127.0.0.1" { weight = 0 }
}
EOF2
	} > "$T/t.conf"
}

mkconf '    maxclients = 8
    startservers = 2
    maxclients = 4'
out=$("$TCPVSD" -t -f "$T/t.conf" 2>&1); rc=$?
check "an option twice: tcpvsd -t exits 1 ($rc)" test "$rc" -eq 1
check "an option twice: both lines named" grep -qx "$T/t.conf:12: virtual web: maxclients set twice, on line 10 and line 12" <<< "$out"
"$TCPVSD" -F -f "$T/t.conf" > "$T/start.log" 2>&1; rc=$?
check "a failed start exits 1 ($rc)" test "$rc" -eq 1
check "a failed start is logged at level error" grep -q "error: not started with $T/t.conf" "$T/start.log"

# the pool defaults follow the CPU count: startservers is one a CPU
ncpu=$(getconf _NPROCESSORS_ONLN)
[ "$ncpu" -gt 64 ] && ncpu=64
mkconf '    maxclients = 1'
out=$("$TCPVSD" -t -f "$T/t.conf" 2>&1); rc=$?
check "maxclients 1: tcpvsd -t accepts it ($rc)" test "$rc" -eq 0
if [ "$ncpu" -gt 1 ]; then
	check "maxclients 1: the default startservers ($ncpu CPUs) gives way, with a warning" grep -q "warning: virtual web: startservers lowered from its default ($ncpu) to maxclients (1)" <<< "$out"
fi
mkconf '    maxclients = 4
    startservers = 2'
start_tcpvsd "$T/t.conf" "$P"
# three maintenance ticks, idle
sleep 3.5
check "maxclients 4, idle: no 'reached maxclients'" eval '! grep -q "reached maxclients" "$T/tcpvsd.log"'

# port 80: the file's "127.0.0.1" is tcpvsadm's 127.0.0.1 and 127.0.0.1:80
check "-L: the file's server without a port is 127.0.0.1:80" grep -qE "^  -> 127\.0\.0\.1:80 +0 " <<< "$(adm -L -n)"
check "tcpvsadm -e -r 127.0.0.1 names it" adm -e -i web -r 127.0.0.1 -w 3
check "-L: 127.0.0.1:80 weight 3" grep -qE "^  -> 127\.0\.0\.1:80 +3\* " <<< "$(adm -L -n)"
check "tcpvsadm --reset -r 127.0.0.1:80 names it too" adm --reset -i web -r 127.0.0.1:80
check "-L: 127.0.0.1:80 weight 0 again" grep -qE "^  -> 127\.0\.0\.1:80 +0 " <<< "$(adm -L -n)"
check "served by a" test "$(get "http://127.0.0.1:$P/")" = a

# a rejected reload: level error
mkconf '    maxclients = 4
    maxclients = 4'
kill -HUP "$TCPVSD_PID"
check "a rejected reload is logged at level error" wait_until 10 grep -q "error: reload rejected: generation 1 keeps serving" "$T/tcpvsd.log"
check "with the reason at level error" grep -q "error: $T/t.conf:11: virtual web: maxclients set twice, on line 10 and line 11" "$T/tcpvsd.log"
check "still served by a" test "$(get "http://127.0.0.1:$P/")" = a
finish
