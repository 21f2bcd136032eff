#!/bin/bash
# The health checker is the master's child like the workers: killed, it
# is forked again on the master's next tick, logged, and health state
# carries on from the scoreboard; a reload replaces it with one for the
# new generation (still one, states kept); it exits with the master, on
# SIGTERM and when the master is killed outright.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin bad
P=$(free_port)
mkconf() { # mkconf INTERVAL
	{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    maxclients = 8
    check = "http"
    check_interval = $1
    rise = 2
    fall = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_bad" { check_path = "/status/503" }
}
EOF2
	} > "$T/t.conf.new" && mv "$T/t.conf.new" "$T/t.conf"
}
mkconf 0.3
start_tcpvsd "$T/t.conf" "$P"
KA="web/127.0.0.1:$PORT_a"; KBAD="web/127.0.0.1:$PORT_bad"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }
checker() { pgrep -P "$TCPVSD_PID" -x tcpvsd-health; }
one_checker() { [ "$(checker | wc -l)" -eq 1 ]; }

check "a up, bad down" wait_until 10 eventually 'is "$KA" health up && is "$KBAD" health down'
check "one checker, named tcpvsd-health" wait_until 5 one_checker
hc=$(checker)
check "the master logged the checker's pid" grep -q "health checker started, pid $hc" "$T/tcpvsd.log"
changes=$(grep -c " is \(UP\|DOWN\)" "$T/tcpvsd.log")

kill -KILL "$hc"
new_checker() { c=$(checker); [ -n "$c" ] && [ "$c" != "$hc" ]; }
check "killed checker: a new one on the next tick" wait_until 5 new_checker
check "the master logged it" grep -q "health checker $hc killed by signal 9: restarting it" "$T/tcpvsd.log"
hc2=$(checker)
t1=$(sb_server "$KA" check_ms)
advanced() { [ "$(sb_server "$KA" check_ms)" -gt "$t1" ]; }
check "the new checker checks: a's last-check time advances" wait_until 5 advanced
sleep 1
check "states carried on: a up, bad down" eval 'is "$KA" health up && is "$KBAD" health down'
check "bad's failures count on past fall" test "$(sb_server "$KBAD" check_fails)" -gt 2
check "no change of health logged after the restart" test "$(grep -c " is \(UP\|DOWN\)" "$T/tcpvsd.log")" -eq "$changes"

# reload: a checker for the new generation (interval 0.2 s), states kept
mkconf 0.2
kill -HUP "$TCPVSD_PID"
replaced() { c=$(checker); [ -n "$c" ] && [ "$c" != "$hc2" ] && one_checker; }
check "SIGHUP: the checker is replaced" wait_until 5 replaced
check "the old checker is gone" eval '! kill -0 "$hc2" 2>/dev/null'
check "after the reload: a up, bad down" eval 'is "$KA" health up && is "$KBAD" health down'
check "no change of health logged after the reload" test "$(grep -c " is \(UP\|DOWN\)" "$T/tcpvsd.log")" -eq "$changes"
check "no crash logged for a checker stopped by the master" test "$(grep -c "health checker .* restarting it" "$T/tcpvsd.log")" -eq 1

# SIGTERM: the checker exits with the master
hc3=$(checker)
kill -TERM "$TCPVSD_PID"
gone() { ! kill -0 "$1" 2>/dev/null; }
check "SIGTERM: master gone" wait_until 10 gone "$TCPVSD_PID"
check "SIGTERM: checker gone" wait_until 5 gone "$hc3"

# the master killed outright: the checker notices and exits
start_tcpvsd "$T/t.conf" "$P"
check "restarted daemon has a checker" wait_until 5 one_checker
hc4=$(checker)
{ kill -KILL "$TCPVSD_PID"; wait "$TCPVSD_PID"; } 2>/dev/null
check "master SIGKILLed: the checker exits" wait_until 5 gone "$hc4"
finish
