#!/bin/bash
# Passive failure detection (issue 4): with checks every 60 s, a killed
# origin is marked down by the workers' failed connects after `fall` of
# them, long before the next check, and GET requests meanwhile are retried
# on the other server: none fails.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    check = "tcp"
    check_interval = 60
    fall = 2
    rise = 1
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
KB="web/127.0.0.1:$PORT_b"
check "b is not down at first ($(sb_server "$KB" health))" test "$(sb_server "$KB" health)" != down
stop_origin b
for i in $(seq 10); do status "http://127.0.0.1:$P/"; echo; done > "$T/st"
check "no GET failed while b died: $(sort "$T/st" | uniq -c | tr '\n' ' ')" test "$(grep -cx 200 "$T/st")" -eq 10
check "b marked down by failed connects, before any check" test "$(sb_server "$KB" health)" = down
check "the passive failures are counted" test "$(sb_server "$KB" fails)" -ge 2
finish
